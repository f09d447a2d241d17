/*
 * Journal: fields survive the round trip byte for byte, a sample is held at
 * most once, committed rows survive kill -9 (checked in a child process that
 * is killed), a read-only open sees committed rows while the writer works,
 * files that are not journals are refused without a byte changing, and
 * counts and filters agree with a reference computed here by brute force
 * over the rows the test wrote.
 *
 * Every test works in a fresh folder under $TMPDIR (or /tmp), removed after.
 */
#include <inttypes.h>
#include <signal.h>
#include <sqlite3.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include "mwds/journal.h"
#include "test_util.h"

typedef struct fixture {
    char dir[256];
} fixture;

static int setup(void **state)
{
    fixture *fx = calloc(1, sizeof *fx);
    if (fx == NULL)
        return -1;
    if (test_tmpdir_make(fx->dir, sizeof fx->dir, "journal") != 0) {
        free(fx);
        return -1;
    }
    *state = fx;
    return 0;
}

static int teardown(void **state)
{
    fixture *fx = *state;
    test_tmpdir_remove(fx->dir);
    free(fx);
    return 0;
}

static void path_in(void **state, const char *name, char *buf, size_t len)
{
    const fixture *fx = *state;
    snprintf(buf, len, "%s/%s", fx->dir, name);
}

static int file_exists(const char *path)
{
    struct stat sb;
    return stat(path, &sb) == 0;
}

/* The whole file, malloc'd; *len its size. */
static char *slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *buf = malloc((size_t)n + 1);
    assert_non_null(buf);
    assert_int_equal(fread(buf, 1, (size_t)n, f), (size_t)n);
    fclose(f);
    *len = (size_t)n;
    return buf;
}

static void write_text(const char *path, const char *text)
{
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
}

/* Runs SQL on a file with SQLite directly (not through the journal). */
static void raw_exec(const char *path, const char *sql)
{
    sqlite3 *db = NULL;
    assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
    char *msg = NULL;
    if (sqlite3_exec(db, sql, NULL, NULL, &msg) != SQLITE_OK)
        fail_msg("%s: %s", sql, msg);
    sqlite3_close(db);
}

/* PRAGMA integrity_check's first line, through SQLite directly. */
static void assert_integrity_ok(const char *path)
{
    sqlite3 *db = NULL;
    sqlite3_stmt *st = NULL;
    assert_int_equal(sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_prepare_v2(db, "PRAGMA integrity_check", -1, &st, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_step(st), SQLITE_ROW);
    assert_string_equal((const char *)sqlite3_column_text(st, 0), "ok");
    sqlite3_finalize(st);
    sqlite3_close(db);
}

static mwds_journal *open_ok(const char *path, const mwds_journal_options *o)
{
    mwds_journal *j = NULL;
    char err[512] = "";
    mwds_err e = mwds_journal_open(path, o, &j, err, sizeof err);
    if (e != MWDS_OK)
        fail_msg("open %s: %d %s", path, e, err);
    return j;
}

static mwds_journal *open_read_only(const char *path)
{
    mwds_journal_options o;
    mwds_journal_options_default(&o);
    o.read_only = 1;
    return open_ok(path, &o);
}

static int64_t count_all(mwds_journal *j)
{
    int64_t n = -1;
    assert_int_equal(mwds_journal_count(j, NULL, &n), MWDS_OK);
    return n;
}

static mwds_journal_row row_of(const char *topic, mwds_journal_dir dir, const char *origin,
                               const char *key, int64_t revision)
{
    mwds_journal_row r;
    memset(&r, 0, sizeof r);
    r.topic = topic;
    r.dir = dir;
    r.origin = origin;
    r.key = key;
    r.revision = revision;
    r.partition = "rel.JPN.KOR.USA";
    r.t_sample_ns = INT64_C(1501252860000000000);
    r.t_send_ns = r.t_sample_ns + 1000;
    r.t_recv_ns = dir == MWDS_JOURNAL_RECEIVED ? r.t_send_ns + 40000 : 0;
    r.payload = "{}";
    return r;
}

static void append_ok(mwds_journal *j, const mwds_journal_row *r, int durable, int want_added)
{
    int added = -1;
    mwds_err e = mwds_journal_append(j, r, durable, &added);
    if (e != MWDS_OK)
        fail_msg("append %s/%s/%s rev %" PRId64 ": %d %s", r->topic, r->origin, r->key, r->revision,
                 e, mwds_journal_errmsg(j));
    assert_int_equal(added, want_added);
}

/* ---- round trip ---------------------------------------------------------- */

#define MAX_ROWS 512

/* Copies of the rows a foreach delivered. */
typedef struct collected {
    int n;
    int stop_after; /* 0: never stop */
    char text[MAX_ROWS][6][160];
    char payload[MAX_ROWS][512];
    mwds_journal_row rows[MAX_ROWS];
} collected;

static int collect(void *ctx, const mwds_journal_row *r)
{
    collected *c = ctx;
    assert_true(c->n < MAX_ROWS);
    int i = c->n++;
    snprintf(c->text[i][0], sizeof c->text[i][0], "%s", r->topic);
    snprintf(c->text[i][1], sizeof c->text[i][1], "%s", r->origin);
    snprintf(c->text[i][2], sizeof c->text[i][2], "%s", r->key);
    snprintf(c->text[i][3], sizeof c->text[i][3], "%s", r->partition);
    assert_true(strlen(r->payload) < sizeof c->payload[i]);
    snprintf(c->payload[i], sizeof c->payload[i], "%s", r->payload);
    c->rows[i] = *r;
    c->rows[i].topic = c->text[i][0];
    c->rows[i].origin = c->text[i][1];
    c->rows[i].key = c->text[i][2];
    c->rows[i].partition = c->text[i][3];
    c->rows[i].payload = c->payload[i];
    return c->stop_after > 0 && c->n >= c->stop_after;
}

static void assert_row_equal(const mwds_journal_row *got, const mwds_journal_row *want)
{
    assert_string_equal(got->topic, want->topic);
    assert_int_equal(got->dir, want->dir);
    assert_string_equal(got->origin, want->origin);
    assert_string_equal(got->key, want->key);
    assert_true(got->revision == want->revision);
    assert_string_equal(got->partition, want->partition);
    assert_int_equal(got->exercise, want->exercise);
    assert_true(got->t_sample_ns == want->t_sample_ns);
    assert_true(got->t_send_ns == want->t_send_ns);
    assert_true(got->t_recv_ns == want->t_recv_ns);
    assert_string_equal(got->payload, want->payload);
}

static void test_round_trip(void **state)
{
    char path[512];
    path_in(state, "round.db", path, sizeof path);
    mwds_journal_row rows[3];
    rows[0] = row_of("Warning", MWDS_JOURNAL_RECEIVED, "KOR", "4294967295", INT64_MAX);
    rows[0].exercise = 1;
    rows[0].partition = "";
    rows[0].t_sample_ns = INT64_MIN;
    rows[0].t_send_ns = INT64_MAX;
    rows[0].t_recv_ns = INT64_MIN;
    /* quotes, backslashes, UTF-8 (Tokyo in kana and kanji, a check mark),
     * raw newlines between tokens and escaped ones inside strings */
    rows[0].payload =
        "{\n  \"name\": \"T\xC5\x8Dky\xC5\x8D \xE6\x9D\xB1\xE4\xBA\xAC \\\"quoted\\\" "
        "\xE2\x9C\x93\",\n  \"path\": \"C:\\\\x\",\n  \"note\": \"a\\nb\"\n}";
    rows[1] = row_of("Track", MWDS_JOURNAL_SENT, "JPN", "17", INT64_MIN);
    rows[1].t_sample_ns = INT64_MAX;
    rows[1].t_send_ns = INT64_MIN;
    rows[1].payload = "{\"pos_ecef\":[-3.9e6,3.4e6,3.7e6],\"t_ns\":1501252860000000000}";
    rows[2] = row_of("NodeStatus", MWDS_JOURNAL_RECEIVED, "USA", "node-1", 0);
    rows[2].t_sample_ns = -1;
    rows[2].t_send_ns = 0;
    rows[2].t_recv_ns = 1;

    mwds_journal *j = open_ok(path, NULL);
    for (int i = 0; i < 3; i++)
        append_ok(j, &rows[i], 0, 1);
    /* the writer sees its own open batch */
    static collected c;
    memset(&c, 0, sizeof c);
    assert_int_equal(mwds_journal_foreach(j, NULL, collect, &c), MWDS_OK);
    assert_int_equal(c.n, 3);
    mwds_journal_close(j);

    j = open_read_only(path);
    memset(&c, 0, sizeof c);
    assert_int_equal(mwds_journal_foreach(j, NULL, collect, &c), MWDS_OK);
    assert_int_equal(c.n, 3);
    for (int i = 0; i < 3; i++)
        assert_row_equal(&c.rows[i], &rows[i]);
    /* a callback that returns non-zero stops the walk */
    memset(&c, 0, sizeof c);
    c.stop_after = 2;
    assert_int_equal(mwds_journal_foreach(j, NULL, collect, &c), MWDS_OK);
    assert_int_equal(c.n, 2);
    mwds_journal_close(j);

    /* the file says what it is */
    sqlite3 *db = NULL;
    sqlite3_stmt *st = NULL;
    assert_int_equal(sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_prepare_v2(db,
                                        "SELECT (SELECT value FROM meta WHERE key = "
                                        "'schema_version'), (SELECT direction FROM sample "
                                        "WHERE origin = 'KOR')",
                                        -1, &st, NULL),
                     SQLITE_OK);
    assert_int_equal(sqlite3_step(st), SQLITE_ROW);
    assert_string_equal((const char *)sqlite3_column_text(st, 0), "1");
    assert_string_equal((const char *)sqlite3_column_text(st, 1), "received");
    sqlite3_finalize(st);
    assert_int_equal(sqlite3_prepare_v2(db, "PRAGMA journal_mode", -1, &st, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_step(st), SQLITE_ROW);
    assert_string_equal((const char *)sqlite3_column_text(st, 0), "wal");
    sqlite3_finalize(st);
    sqlite3_close(db);
}

/* ---- uniqueness ---------------------------------------------------------- */

static void test_uniqueness(void **state)
{
    char path[512];
    path_in(state, "unique.db", path, sizeof path);
    mwds_journal *j = open_ok(path, NULL);
    mwds_journal_row r = row_of("Warning", MWDS_JOURNAL_RECEIVED, "KOR", "3", 1);
    r.payload = "{\"v\":1}";
    append_ok(j, &r, 1, 1);
    /* the same sample again after a reconnection: nothing added, the first
     * copy kept even if the duplicate's other fields differ */
    mwds_journal_row again = r;
    again.payload = "{\"v\":2}";
    again.t_recv_ns += 5 * MWDS_NS_PER_S;
    append_ok(j, &again, 1, 0);
    append_ok(j, &again, 0, 0);
    assert_int_equal(count_all(j), 1);
    static collected c;
    memset(&c, 0, sizeof c);
    assert_int_equal(mwds_journal_foreach(j, NULL, collect, &c), MWDS_OK);
    assert_int_equal(c.n, 1);
    assert_string_equal(c.rows[0].payload, "{\"v\":1}");
    assert_true(c.rows[0].t_recv_ns == r.t_recv_ns);
    /* another revision, direction, origin, key or topic is another row */
    mwds_journal_row other = r;
    other.revision = 2;
    append_ok(j, &other, 0, 1);
    other = r;
    other.dir = MWDS_JOURNAL_SENT;
    other.t_recv_ns = 0;
    append_ok(j, &other, 0, 1);
    other = r;
    other.origin = "JPN";
    append_ok(j, &other, 0, 1);
    other = r;
    other.key = "30";
    append_ok(j, &other, 0, 1);
    other = r;
    other.topic = "Track";
    append_ok(j, &other, 0, 1);
    assert_int_equal(count_all(j), 6);
    mwds_journal_close(j);
    /* and after reopening, the duplicate is still recognised */
    j = open_ok(path, NULL);
    append_ok(j, &r, 1, 0);
    assert_int_equal(count_all(j), 6);
    mwds_journal_close(j);
}

/* ---- durability ---------------------------------------------------------- */

static void keyed(char *buf, size_t len, int i)
{
    snprintf(buf, len, "%d", i);
}

/* In a child: appends rows 0..n_durable-1 (durable on the last, if any), then
 * n_more rows without a commit, then dies as told (never closing). */
static void child_append_and_die(const char *path, const mwds_journal_options *o, int n_durable,
                                 int n_more, int how)
{
    mwds_journal *j = NULL;
    if (mwds_journal_open(path, o, &j, NULL, 0) != MWDS_OK)
        _exit(10);
    char key[32];
    for (int i = 0; i < n_durable + n_more; i++) {
        keyed(key, sizeof key, i);
        mwds_journal_row r = row_of("Track", MWDS_JOURNAL_SENT, "KOR", key, 1);
        r.payload = "{\"x\":1}";
        int added = 0;
        if (mwds_journal_append(j, &r, i == n_durable - 1, &added) != MWDS_OK || !added)
            _exit(11);
    }
    if (how == SIGKILL)
        raise(SIGKILL);
    _exit(0);
}

/* Forks a child running child_append_and_die and checks how it ended. */
static void run_child(const char *path, const mwds_journal_options *o, int n_durable, int n_more,
                      int how)
{
    fflush(NULL);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0)
        child_append_and_die(path, o, n_durable, n_more, how);
    int status = 0;
    assert_int_equal(waitpid(pid, &status, 0), pid);
    if (how == SIGKILL) {
        assert_true(WIFSIGNALED(status));
        assert_int_equal(WTERMSIG(status), SIGKILL);
    } else {
        assert_true(WIFEXITED(status));
        assert_int_equal(WEXITSTATUS(status), 0);
    }
}

/* The keys of the rows, in order, are 0..n-1. */
static void assert_keys_0_to(mwds_journal *j, int n)
{
    static collected c;
    memset(&c, 0, sizeof c);
    assert_int_equal(mwds_journal_foreach(j, NULL, collect, &c), MWDS_OK);
    assert_int_equal(c.n, n);
    char key[32];
    for (int i = 0; i < n; i++) {
        keyed(key, sizeof key, i);
        assert_string_equal(c.rows[i].key, key);
    }
}

static void test_durability_kill(void **state)
{
    char path[512];
    mwds_journal_options o;
    mwds_journal_options_default(&o);

    /* 50 rows committed by the durable 50th, 20 more in the open batch,
     * then SIGKILL: exactly the 50 are there (the 20 were never committed)
     * and the file is sound. */
    path_in(state, "kill.db", path, sizeof path);
    run_child(path, &o, 50, 20, SIGKILL);
    assert_integrity_ok(path);
    mwds_journal *j = open_ok(path, NULL);
    assert_int_equal(count_all(j), 50);
    assert_keys_0_to(j, 50);
    int64_t k = -1;
    assert_int_equal(mwds_journal_max_key(j, "Track", MWDS_JOURNAL_SENT, "KOR", &k), MWDS_OK);
    assert_int_equal(k, 49);
    /* the node resumes: appends after the crash go on from there */
    mwds_journal_row r = row_of("Track", MWDS_JOURNAL_SENT, "KOR", "50", 1);
    append_ok(j, &r, 1, 1);
    mwds_journal_close(j);
    assert_integrity_ok(path);

    /* no durable row, batches of 16: 40 appends then _exit without close
     * leave the two full batches, 32 rows */
    path_in(state, "batches.db", path, sizeof path);
    o.batch_rows = 16;
    run_child(path, &o, 0, 40, 0);
    assert_integrity_ok(path);
    j = open_read_only(path);
    assert_int_equal(count_all(j), 32);
    assert_keys_0_to(j, 32);
    mwds_journal_close(j);
}

/* ---- following a journal as it grows ------------------------------------ */

/* A reader follows a writer: each call returns only rows committed since the
 * last, in insertion order, filtered; the cursor passes rows that do not
 * match; a callback that stops leaves the cursor at its row. */
static void test_follow(void **state)
{
    char path[512], key[32];
    path_in(state, "follow.db", path, sizeof path);
    mwds_journal *w = open_ok(path, NULL);
    /* rows 1..12: Track sent by KOR (even i) and Measurement received (odd) */
    for (int i = 0; i < 12; i++) {
        keyed(key, sizeof key, i);
        mwds_journal_row r = i % 2 == 0 ? row_of("Track", MWDS_JOURNAL_SENT, "KOR", key, 1)
                                        : row_of("Measurement", MWDS_JOURNAL_RECEIVED, "KOR",
                                                 key, 1);
        append_ok(w, &r, i == 11, 1);
    }
    mwds_journal *rd = open_read_only(path);
    mwds_journal_filter f;
    mwds_journal_filter_init(&f);
    f.topic = "Track";
    collected *c = calloc(1, sizeof *c);
    assert_non_null(c);
    int64_t cursor = 0;
    assert_int_equal(mwds_journal_follow(rd, &f, &cursor, collect, c), MWDS_OK);
    assert_int_equal(c->n, 6);
    for (int i = 0; i < 6; i++) {
        keyed(key, sizeof key, 2 * i);
        assert_string_equal(c->rows[i].key, key);
    }
    assert_true(cursor == 12); /* past the last row, a Measurement */
    /* nothing new: nothing returned, cursor unchanged */
    c->n = 0;
    assert_int_equal(mwds_journal_follow(rd, &f, &cursor, collect, c), MWDS_OK);
    assert_int_equal(c->n, 0);
    assert_true(cursor == 12);
    /* rows in the writer's open batch are not seen until it commits */
    for (int i = 12; i < 16; i++) {
        keyed(key, sizeof key, i);
        mwds_journal_row r = row_of("Track", MWDS_JOURNAL_SENT, "KOR", key, 1);
        append_ok(w, &r, 0, 1);
    }
    assert_int_equal(mwds_journal_follow(rd, &f, &cursor, collect, c), MWDS_OK);
    assert_int_equal(c->n, 0);
    assert_int_equal(mwds_journal_flush(w), MWDS_OK);
    /* a callback that stops after two rows: the cursor is at the second */
    c->stop_after = 2;
    assert_int_equal(mwds_journal_follow(rd, &f, &cursor, collect, c), MWDS_OK);
    assert_int_equal(c->n, 2);
    assert_true(cursor == 14);
    c->stop_after = 0;
    assert_int_equal(mwds_journal_follow(rd, &f, &cursor, collect, c), MWDS_OK);
    assert_int_equal(c->n, 4);
    keyed(key, sizeof key, 15);
    assert_string_equal(c->rows[3].key, key);
    /* no filter: every row from the start; a bad filter is refused */
    int64_t all = 0;
    c->n = 0;
    assert_int_equal(mwds_journal_follow(rd, NULL, &all, collect, c), MWDS_OK);
    assert_int_equal(c->n, 16);
    f.dir = 7;
    assert_int_equal(mwds_journal_follow(rd, &f, &cursor, collect, c), MWDS_EINVAL);
    assert_int_equal(mwds_journal_follow(rd, NULL, NULL, collect, c), MWDS_EINVAL);
    free(c);
    mwds_journal_close(rd);
    mwds_journal_close(w);
}

/* ---- concurrent reader --------------------------------------------------- */

static void test_concurrent_reader(void **state)
{
    char path[512], wal[600];
    path_in(state, "shared.db", path, sizeof path);
    snprintf(wal, sizeof wal, "%s-wal", path);
    mwds_journal *w = open_ok(path, NULL);
    char key[32];
    for (int i = 0; i < 10; i++) {
        keyed(key, sizeof key, i);
        mwds_journal_row r = row_of("Track", MWDS_JOURNAL_RECEIVED, "JPN", key, 1);
        append_ok(w, &r, i == 9, 1);
    }
    /* five more in the writer's open batch (it holds the write lock) */
    for (int i = 10; i < 15; i++) {
        keyed(key, sizeof key, i);
        mwds_journal_row r = row_of("Track", MWDS_JOURNAL_RECEIVED, "JPN", key, 1);
        append_ok(w, &r, 0, 1);
    }
    mwds_journal *rd = open_read_only(path);
    assert_int_equal(count_all(rd), 10); /* committed rows only */
    assert_int_equal(count_all(w), 15);  /* the writer sees its batch */
    int64_t k = -1;
    assert_int_equal(mwds_journal_max_key(rd, "Track", MWDS_JOURNAL_RECEIVED, "JPN", &k), MWDS_OK);
    assert_int_equal(k, 9);

    /* a reader in another process (a scorer) while the batch is open */
    fflush(NULL);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        mwds_journal_options o;
        mwds_journal_options_default(&o);
        o.read_only = 1;
        mwds_journal *cj = NULL;
        int64_t n = -1;
        if (mwds_journal_open(path, &o, &cj, NULL, 0) != MWDS_OK ||
            mwds_journal_count(cj, NULL, &n) != MWDS_OK)
            _exit(2);
        mwds_journal_close(cj);
        _exit(n == 10 ? 0 : 1);
    }
    int status = 0;
    assert_int_equal(waitpid(pid, &status, 0), pid);
    assert_true(WIFEXITED(status));
    assert_int_equal(WEXITSTATUS(status), 0);

    assert_int_equal(mwds_journal_flush(w), MWDS_OK);
    assert_int_equal(count_all(rd), 15);

    /* a reader cannot write */
    mwds_journal_row r = row_of("Track", MWDS_JOURNAL_RECEIVED, "JPN", "99", 1);
    int added = 7;
    assert_int_equal(mwds_journal_append(rd, &r, 1, &added), MWDS_EINVAL);
    assert_int_equal(added, 7);
    assert_non_null(strstr(mwds_journal_errmsg(rd), "read-only"));

    /* the writer goes; the reader still reads, and so does a new reader
     * that finds the -wal file the last (read-only) connection left */
    mwds_journal_close(w);
    assert_int_equal(count_all(rd), 15);
    mwds_journal_close(rd);
    rd = open_read_only(path);
    assert_int_equal(count_all(rd), 15);
    mwds_journal_close(rd);
    /* a writer that is the last to close checkpoints and removes the -wal
     * file; a read-only open of that quiet file works too */
    w = open_ok(path, NULL);
    mwds_journal_close(w);
    assert_false(file_exists(wal));
    rd = open_read_only(path);
    assert_int_equal(count_all(rd), 15);
    mwds_journal_close(rd);
}

/* ---- files that are not journals ---------------------------------------- */

/* Opening path (read-write and read-only) fails with want, the message
 * names the path and holds what, and the file's bytes stay the same. */
static void expect_refused(const char *path, mwds_err want, const char *what)
{
    size_t n0 = 0, n1 = 0;
    struct stat sb;
    int existed = stat(path, &sb) == 0;
    char *before = existed && S_ISREG(sb.st_mode) ? slurp(path, &n0) : NULL;
    for (int ro = 0; ro <= 1; ro++) {
        mwds_journal_options o;
        mwds_journal_options_default(&o);
        o.read_only = ro;
        mwds_journal *j = NULL;
        char err[512] = "";
        mwds_err e = mwds_journal_open(path, &o, &j, err, sizeof err);
        if (e != want || strstr(err, path) == NULL || strstr(err, what) == NULL)
            fail_msg("open %s (%s): got %d '%s', expected %d naming the path and '%s'", path,
                     ro ? "read-only" : "read-write", e, err, want, what);
        assert_null(j);
    }
    if (before != NULL) {
        char *after = slurp(path, &n1);
        assert_int_equal(n1, n0);
        assert_memory_equal(after, before, n0);
        free(after);
        free(before);
    } else {
        assert_int_equal(file_exists(path), existed);
    }
    /* no rollback journal, and no WAL content: nothing was written. (A
     * read-only open of a WAL-mode database, by any SQLite client, leaves
     * an empty -wal and an -shm beside it.) */
    char side[600];
    snprintf(side, sizeof side, "%s-wal", path);
    if (stat(side, &sb) == 0)
        assert_int_equal(sb.st_size, 0);
    snprintf(side, sizeof side, "%s-journal", path);
    assert_false(file_exists(side));
}

static void test_not_a_journal(void **state)
{
    char path[512];

    /* a text file */
    path_in(state, "tracks.csv", path, sizeof path);
    write_text(path, "t_ns,track,lat,lon\n1501252860000000000,17,40.6,126.4\n");
    expect_refused(path, MWDS_EPARSE, "expected an SQLite database");
    /* shorter than an SQLite header */
    path_in(state, "short.txt", path, sizeof path);
    write_text(path, "SQLite");
    expect_refused(path, MWDS_EPARSE, "expected an SQLite database");

    /* an SQLite database of something else */
    path_in(state, "other.db", path, sizeof path);
    raw_exec(path, "CREATE TABLE tracks (id INTEGER PRIMARY KEY, name TEXT);"
                   "INSERT INTO tracks (name) VALUES ('a'), ('b');");
    expect_refused(path, MWDS_EPARSE, "expected the tables meta and sample, found tracks");

    /* the tables are there but meta is someone else's */
    path_in(state, "meta.db", path, sizeof path);
    raw_exec(path, "CREATE TABLE meta (x INTEGER); CREATE TABLE sample (y INTEGER);");
    expect_refused(path, MWDS_EPARSE, "expected a table meta(key, value)");

    /* a journal of another schema version, in WAL mode like ours */
    path_in(state, "v2.db", path, sizeof path);
    raw_exec(path, "PRAGMA journal_mode = WAL; CREATE TABLE meta (key TEXT, value TEXT);"
                   "CREATE TABLE sample (id INTEGER);"
                   "INSERT INTO meta VALUES ('schema_version', '2');");
    expect_refused(path, MWDS_EPARSE, "schema version 2, this program reads version 1");

    /* an empty SQLite database is not a journal for a reader */
    path_in(state, "empty.db", path, sizeof path);
    raw_exec(path, "PRAGMA user_version = 3;");
    {
        mwds_journal_options o;
        mwds_journal_options_default(&o);
        o.read_only = 1;
        mwds_journal *j = NULL;
        char err[512] = "";
        assert_int_equal(mwds_journal_open(path, &o, &j, err, sizeof err), MWDS_EPARSE);
        assert_non_null(strstr(err, path));
        assert_null(j);
    }

    /* a folder */
    const fixture *fx = *state;
    expect_refused(fx->dir, MWDS_EPARSE, "expected a regular file");

    /* a path in a missing folder, and a place nobody can create files in */
    path_in(state, "no/such/folder/journal.db", path, sizeof path);
    expect_refused(path, MWDS_EIO, "journal");
    expect_refused("/proc/mwds-journal.db", MWDS_EIO, "journal");

    /* bad options and arguments */
    path_in(state, "ok.db", path, sizeof path);
    mwds_journal_options o;
    mwds_journal_options_default(&o);
    o.batch_rows = 0;
    mwds_journal *j = NULL;
    char err[512] = "";
    assert_int_equal(mwds_journal_open(path, &o, &j, err, sizeof err), MWDS_EINVAL);
    assert_non_null(strstr(err, "batch_rows"));
    mwds_journal_options_default(&o);
    o.flush_interval_s = NAN;
    assert_int_equal(mwds_journal_open(path, &o, &j, err, sizeof err), MWDS_EINVAL);
    mwds_journal_options_default(&o);
    o.sync_full = 2;
    assert_int_equal(mwds_journal_open(path, &o, &j, err, sizeof err), MWDS_EINVAL);
    assert_non_null(strstr(err, "sync_full"));
    assert_int_equal(mwds_journal_open(NULL, NULL, &j, err, sizeof err), MWDS_EINVAL);
    assert_null(j);
    assert_false(file_exists(path));

    /* an existing empty file becomes a journal (nothing in it to lose) */
    write_text(path, "");
    j = open_ok(path, NULL);
    assert_int_equal(count_all(j), 0);
    mwds_journal_close(j);
}

/* ---- counts, filters, resume queries -------------------------------------- */

#define REF_N 144

typedef struct ref_row {
    char key[16];
    mwds_journal_row r;
} ref_row;

static int matches(const mwds_journal_row *r, const mwds_journal_filter *f)
{
    return (f->topic == NULL || strcmp(r->topic, f->topic) == 0) &&
           (f->dir < 0 || (int)r->dir == f->dir) &&
           (f->origin == NULL || strcmp(r->origin, f->origin) == 0) &&
           (f->exercise < 0 || r->exercise == f->exercise) && r->t_sample_ns >= f->since_ns;
}

static void test_filters_and_max(void **state)
{
    char path[512];
    path_in(state, "filters.db", path, sizeof path);
    static const char *const TOPICS[] = {"Track", "Warning"};
    static const char *const ORIGINS[] = {"KOR", "JPN", "USA"};
    static ref_row ref[REF_N];
    const int64_t t0 = INT64_C(1501252860000000000);
    mwds_journal_options o;
    mwds_journal_options_default(&o);
    o.batch_rows = 10; /* several commits along the way */
    mwds_journal *j = open_ok(path, &o);
    /* a fixed shuffle of the 144 combinations (7 is prime to 144), so that
     * insertion order differs from any sort order of the fields */
    for (int n = 0; n < REF_N; n++) {
        int i = (n * 7) % REF_N;
        ref_row *rr = &ref[n];
        snprintf(rr->key, sizeof rr->key, "%d", 1 + (i / 3) % 4);
        rr->r = row_of(TOPICS[i / 72], (mwds_journal_dir)((i / 36) % 2), ORIGINS[(i / 12) % 3],
                       rr->key, i % 3);
        rr->r.exercise = n % 2;
        rr->r.t_sample_ns = t0 + (int64_t)((n * 37) % REF_N) * MWDS_NS_PER_S;
        append_ok(j, &rr->r, 0, 1);
    }
    assert_int_equal(mwds_journal_flush(j), MWDS_OK);
    assert_int_equal(count_all(j), REF_N);

    /* every combination of filter values, against the brute-force count and
     * order */
    static const char *const F_TOPICS[] = {NULL, "Track", "Warning", "Measurement"};
    static const char *const F_ORIGINS[] = {NULL, "KOR", "USA", "PRK"};
    const int64_t F_SINCE[] = {INT64_MIN, t0 + 100 * MWDS_NS_PER_S, t0 + 1000 * MWDS_NS_PER_S};
    static collected c;
    int checked = 0, nonempty = 0;
    for (int a = 0; a < 4; a++)
        for (int d = -1; d <= 1; d++)
            for (int b = 0; b < 4; b++)
                for (int x = -1; x <= 1; x++)
                    for (int s = 0; s < 3; s++) {
                        mwds_journal_filter f;
                        mwds_journal_filter_init(&f);
                        f.topic = F_TOPICS[a];
                        f.dir = d;
                        f.origin = F_ORIGINS[b];
                        f.exercise = x;
                        f.since_ns = F_SINCE[s];
                        int want[REF_N], n_want = 0;
                        for (int i = 0; i < REF_N; i++)
                            if (matches(&ref[i].r, &f))
                                want[n_want++] = i;
                        int64_t n = -1;
                        assert_int_equal(mwds_journal_count(j, &f, &n), MWDS_OK);
                        assert_int_equal(n, n_want);
                        memset(&c, 0, sizeof c);
                        assert_int_equal(mwds_journal_foreach(j, &f, collect, &c), MWDS_OK);
                        assert_int_equal(c.n, n_want);
                        for (int i = 0; i < n_want; i++)
                            assert_row_equal(&c.rows[i], &ref[want[i]].r);
                        checked++;
                        nonempty += n_want > 0;
                    }
    assert_int_equal(checked, 432);
    assert_true(nonempty > 100);
    /* spot checks by hand: 144 rows = 2 topics x 2 dirs x 3 origins x 4 keys
     * x 3 revisions, so one topic has 72, one topic and origin 24 */
    mwds_journal_filter f;
    mwds_journal_filter_init(&f);
    f.topic = "Warning";
    int64_t n = 0;
    assert_int_equal(mwds_journal_count(j, &f, &n), MWDS_OK);
    assert_int_equal(n, 72);
    f.origin = "USA";
    assert_int_equal(mwds_journal_count(j, &f, &n), MWDS_OK);
    assert_int_equal(n, 24);
    f.exercise = 1;
    f.dir = MWDS_JOURNAL_SENT;
    assert_int_equal(mwds_journal_count(j, &f, &n), MWDS_OK);
    assert_int_equal(n, 6);
    f.dir = 2;
    assert_int_equal(mwds_journal_count(j, &f, &n), MWDS_EINVAL);

    /* resume queries: revisions 0..2 everywhere; keys compared as numbers
     * ("10" > "9", "0017" is 17), non-numeric keys skipped */
    int64_t v = -5;
    assert_int_equal(mwds_journal_max_revision(j, "Track", MWDS_JOURNAL_SENT, "KOR", NULL, &v),
                     MWDS_OK);
    assert_int_equal(v, 2);
    const char *keys[] = {"9", "10", "0017", "abc", "12x", "2"};
    const int64_t revs[] = {4, 11, 3, 40, 2, 7};
    for (int i = 0; i < 6; i++) {
        mwds_journal_row r = row_of("Warning", MWDS_JOURNAL_SENT, "PRK", keys[i], revs[i]);
        append_ok(j, &r, 0, 1);
    }
    mwds_journal_row r = row_of("Warning", MWDS_JOURNAL_SENT, "PRK", "10", 12);
    append_ok(j, &r, 1, 1);
    assert_int_equal(mwds_journal_max_key(j, "Warning", MWDS_JOURNAL_SENT, "PRK", &v), MWDS_OK);
    assert_int_equal(v, 17);
    assert_int_equal(mwds_journal_max_revision(j, "Warning", MWDS_JOURNAL_SENT, "PRK", NULL, &v),
                     MWDS_OK);
    assert_int_equal(v, 40);
    assert_int_equal(mwds_journal_max_revision(j, "Warning", MWDS_JOURNAL_SENT, "PRK", "10", &v),
                     MWDS_OK);
    assert_int_equal(v, 12);
    assert_int_equal(mwds_journal_max_revision(j, "Warning", MWDS_JOURNAL_SENT, "PRK", "2", &v),
                     MWDS_OK);
    assert_int_equal(v, 7);
    /* nothing there: ENOTFOUND, out-parameter untouched */
    v = -5;
    assert_int_equal(
        mwds_journal_max_revision(j, "Warning", MWDS_JOURNAL_RECEIVED, "PRK", NULL, &v),
        MWDS_ENOTFOUND);
    assert_int_equal(mwds_journal_max_revision(j, "Warning", MWDS_JOURNAL_SENT, "PRK", "11", &v),
                     MWDS_ENOTFOUND);
    assert_int_equal(mwds_journal_max_key(j, "Measurement", MWDS_JOURNAL_SENT, "KOR", &v),
                     MWDS_ENOTFOUND);
    assert_int_equal(v, -5);
    r = row_of("NodeStatus", MWDS_JOURNAL_SENT, "KOR", "node-a", 5);
    append_ok(j, &r, 1, 1);
    assert_int_equal(mwds_journal_max_key(j, "NodeStatus", MWDS_JOURNAL_SENT, "KOR", &v),
                     MWDS_ENOTFOUND);
    assert_int_equal(mwds_journal_max_revision(j, "NodeStatus", MWDS_JOURNAL_SENT, "KOR", NULL, &v),
                     MWDS_OK);
    assert_int_equal(v, 5);
    assert_int_equal(mwds_journal_max_key(j, NULL, MWDS_JOURNAL_SENT, "KOR", &v), MWDS_EINVAL);
    mwds_journal_close(j);
}

/* ---- batching and tick ----------------------------------------------------- */

static void append_track(mwds_journal *w, int i, int durable, int want_added)
{
    char key[32];
    keyed(key, sizeof key, i);
    mwds_journal_row r = row_of("Track", MWDS_JOURNAL_SENT, "USA", key, 1);
    append_ok(w, &r, durable, want_added);
}

static void test_batching_and_tick(void **state)
{
    char path[512];
    path_in(state, "batch.db", path, sizeof path);
    mwds_journal_options o;
    mwds_journal_options_default(&o);
    o.flush_interval_s = 0.1;
    o.batch_rows = 4;
    mwds_journal *w = open_ok(path, &o);
    mwds_journal *rd = open_read_only(path);
    const int64_t t0 = 1000 * MWDS_NS_PER_S;

    /* three rows wait for a tick 0.1 s after the first tick that saw them */
    for (int i = 0; i < 3; i++)
        append_track(w, i, 0, 1);
    assert_int_equal(count_all(rd), 0);
    assert_int_equal(mwds_journal_tick(w, t0), MWDS_OK);
    assert_int_equal(count_all(rd), 0);
    assert_int_equal(mwds_journal_tick(w, t0 + 99 * 1000000), MWDS_OK);
    assert_int_equal(count_all(rd), 0);
    assert_int_equal(mwds_journal_tick(w, t0 + 100 * 1000000), MWDS_OK);
    assert_int_equal(count_all(rd), 3);
    /* without a batch, ticks do nothing */
    assert_int_equal(mwds_journal_tick(w, t0 + 10 * MWDS_NS_PER_S), MWDS_OK);

    /* the fourth new row of a batch commits it */
    for (int i = 3; i < 6; i++)
        append_track(w, i, 0, 1);
    assert_int_equal(count_all(rd), 3);
    append_track(w, 6, 0, 1);
    assert_int_equal(count_all(rd), 7);
    /* duplicates do not count towards a batch */
    for (int i = 0; i < 4; i++)
        append_track(w, i, 0, 0);
    append_track(w, 7, 0, 1);
    assert_int_equal(count_all(rd), 7);
    /* a clock that steps back restarts the batch's age */
    assert_int_equal(mwds_journal_tick(w, t0 + 20 * MWDS_NS_PER_S), MWDS_OK);
    assert_int_equal(mwds_journal_tick(w, t0 + 5 * MWDS_NS_PER_S), MWDS_OK);
    assert_int_equal(count_all(rd), 7);
    assert_int_equal(mwds_journal_tick(w, t0 + 5 * MWDS_NS_PER_S + 100000000), MWDS_OK);
    assert_int_equal(count_all(rd), 8);

    /* durable commits at once, flush commits, close commits */
    append_track(w, 8, 1, 1);
    assert_int_equal(count_all(rd), 9);
    append_track(w, 9, 0, 1);
    assert_int_equal(mwds_journal_flush(w), MWDS_OK);
    assert_int_equal(count_all(rd), 10);
    assert_int_equal(mwds_journal_flush(w), MWDS_OK); /* nothing open: no-op */
    append_track(w, 10, 0, 1);
    assert_int_equal(count_all(rd), 10);
    mwds_journal_close(w);
    assert_int_equal(count_all(rd), 11);
    mwds_journal_close(rd);

    /* sync_full changes only how commits reach the disk */
    o.sync_full = 1;
    w = open_ok(path, &o);
    append_track(w, 10, 1, 0);
    append_track(w, 100, 1, 1);
    assert_int_equal(count_all(w), 12);
    mwds_journal_close(w);
    o.sync_full = 0;
    assert_integrity_ok(path);

    /* flush_interval 0: the first tick commits */
    o.flush_interval_s = 0.0;
    w = open_ok(path, &o);
    rd = open_read_only(path);
    append_track(w, 11, 0, 1);
    assert_int_equal(count_all(rd), 12);
    assert_int_equal(mwds_journal_tick(w, t0), MWDS_OK);
    assert_int_equal(count_all(rd), 13);
    mwds_journal_close(rd);
    mwds_journal_close(w);
}

/* ---- bad rows and misuse --------------------------------------------------- */

typedef struct nested {
    mwds_journal *j;
    mwds_err append, count, flush;
} nested;

static int call_inside(void *ctx, const mwds_journal_row *row)
{
    nested *n = ctx;
    int added = 0;
    n->append = mwds_journal_append(n->j, row, 1, &added);
    int64_t c = 0;
    n->count = mwds_journal_count(n->j, NULL, &c);
    n->flush = mwds_journal_flush(n->j);
    return 1;
}

static void expect_bad_row(mwds_journal *j, const mwds_journal_row *r, const char *what)
{
    int added = 7;
    mwds_err e = mwds_journal_append(j, r, 1, &added);
    if (e != MWDS_EINVAL || strstr(mwds_journal_errmsg(j), what) == NULL)
        fail_msg("bad row: got %d '%s', expected MWDS_EINVAL naming '%s'", e,
                 mwds_journal_errmsg(j), what);
    assert_int_equal(added, 7);
}

static void test_bad_rows_and_misuse(void **state)
{
    char path[512];
    path_in(state, "bad.db", path, sizeof path);
    mwds_journal *j = open_ok(path, NULL);
    append_track(j, 1, 0, 1); /* an open batch that errors must not disturb */
    mwds_journal_row good = row_of("Warning", MWDS_JOURNAL_SENT, "KOR", "1", 1), r;
    r = good, r.topic = "";
    expect_bad_row(j, &r, "row.topic");
    r = good, r.origin = NULL;
    expect_bad_row(j, &r, "row.origin");
    r = good, r.key = "";
    expect_bad_row(j, &r, "row.key");
    r = good, r.partition = NULL;
    expect_bad_row(j, &r, "row.partition");
    r = good, r.dir = (mwds_journal_dir)2;
    expect_bad_row(j, &r, "row.dir");
    r = good, r.exercise = 2;
    expect_bad_row(j, &r, "row.exercise");
    r = good, r.t_recv_ns = 5;
    expect_bad_row(j, &r, "row.t_recv_ns");
    r = good, r.payload = "[1, 2]";
    expect_bad_row(j, &r, "row.payload");
    r = good, r.payload = "{\"unterminated\": ";
    expect_bad_row(j, &r, "payload must be JSON");
    assert_non_null(strstr(mwds_journal_errmsg(j), path));
    /* the batch survived, and good rows still go in */
    append_ok(j, &good, 1, 1);
    assert_int_equal(count_all(j), 2);

    /* functions called from inside a foreach callback refuse */
    nested n = {j, MWDS_OK, MWDS_OK, MWDS_OK};
    assert_int_equal(mwds_journal_foreach(j, NULL, call_inside, &n), MWDS_OK);
    assert_int_equal(n.append, MWDS_EINVAL);
    assert_int_equal(n.count, MWDS_EINVAL);
    assert_int_equal(n.flush, MWDS_EINVAL);
    assert_int_equal(count_all(j), 2);
    assert_int_equal(mwds_journal_foreach(j, NULL, NULL, NULL), MWDS_EINVAL);
    assert_string_equal(mwds_journal_dir_name(MWDS_JOURNAL_RECEIVED), "received");
    mwds_journal_close(j);
    mwds_journal_close(NULL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_round_trip, setup, teardown),
        cmocka_unit_test_setup_teardown(test_uniqueness, setup, teardown),
        cmocka_unit_test_setup_teardown(test_durability_kill, setup, teardown),
        cmocka_unit_test_setup_teardown(test_concurrent_reader, setup, teardown),
        cmocka_unit_test_setup_teardown(test_follow, setup, teardown),
        cmocka_unit_test_setup_teardown(test_not_a_journal, setup, teardown),
        cmocka_unit_test_setup_teardown(test_filters_and_max, setup, teardown),
        cmocka_unit_test_setup_teardown(test_batching_and_tick, setup, teardown),
        cmocka_unit_test_setup_teardown(test_bad_rows_and_misuse, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
