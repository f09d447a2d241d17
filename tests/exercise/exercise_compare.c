/*
 * exercise_compare SCENARIO DIR_A DIR_B: whether two runs of one exercise
 * (mwds exercise run --out DIR_A and DIR_B) had the same results, leaving
 * aside what is wall-clock by nature. Used by the test exercise_replay:
 * two runs at --speed max, in lockstep, must not differ.
 *
 * Three comparisons, each printing its first differences:
 *   journals  every node's rows of the looks it took (Measurement), the
 *             tracks it published (Track), its system tracks (SystemTrack)
 *             and the warnings it issued and received (Warning): topic,
 *             direction, origin, key, revision, sample time and payload,
 *             as sorted sets. Left aside: send and receipt times (wall
 *             clock), the payloads' cause_pub_ns (a look's wall-clock
 *             publication time), NodeStatus rows (a wall-clock heartbeat)
 *             and received Track rows (a reader holds the latest sample
 *             of a track: which earlier samples it also took depends on
 *             timing).
 *   scores    both runs' journals scored again (src/score) with delays
 *             left out (max_delay_s 1 ns: a row enters its nation's
 *             picture at its sample time, where report.json adds the
 *             processing and network delays, in wall-clock time): the
 *             whole report but the journals' paths and row counts and the
 *             latencies. Written to DIR/score-simulated-time.json.
 *   report    the runners' report.json: the warnings checked, lost and
 *             duplicated, whether the run completed, and per launch each
 *             nation's PIP warnings (all but their availability time "t_s",
 *             which holds a wall-clock delay). Not the origin of a first
 *             warning: when two nations warn at the same simulated time,
 *             the one whose warning reached the nation first, in wall-clock
 *             time, has it (the scores above have it at simulated time).
 *
 * Exit status: 0 the same, 1 different, 2 bad usage or unreadable input.
 */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mwds/journal.h"
#include "mwds/scenario.h"
#include "mwds/score.h"

#define SHOW 12 /* differences printed per comparison */

typedef struct lines {
    char **v;
    size_t n, cap;
    const char *nation;
    int oom;
} lines;

static int push(lines *l, char *s)
{
    if (s == NULL) {
        l->oom = 1;
        return 1;
    }
    if (l->n == l->cap) {
        size_t cap = l->cap ? 2 * l->cap : 4096;
        char **v = realloc(l->v, cap * sizeof *v);
        if (v == NULL) {
            free(s);
            l->oom = 1;
            return 1;
        }
        l->v = v;
        l->cap = cap;
    }
    l->v[l->n++] = s;
    return 0;
}

static int on_row(void *ctx, const mwds_journal_row *r)
{
    lines *l = ctx;
    int sent = r->dir == MWDS_JOURNAL_SENT;
    int keep = (strcmp(r->topic, "Measurement") == 0 && !sent) ||
               (strcmp(r->topic, "Track") == 0 && sent) || strcmp(r->topic, "SystemTrack") == 0 ||
               strcmp(r->topic, "Warning") == 0;
    if (!keep)
        return 0;
    json_t *p = json_loads(r->payload, 0, NULL);
    if (json_is_object(p))
        json_object_del(p, "cause_pub_ns");
    char *text = p ? json_dumps(p, JSON_COMPACT | JSON_SORT_KEYS | JSON_REAL_PRECISION(17)) : NULL;
    json_decref(p);
    size_t len = 256 + (text ? strlen(text) : strlen(r->payload));
    char *s = malloc(len);
    if (s != NULL)
        snprintf(s, len, "%s %s %s %s %s %lld %lld %s", l->nation, r->topic,
                 mwds_journal_dir_name(r->dir), r->origin, r->key, (long long)r->revision,
                 (long long)r->t_sample_ns, text ? text : r->payload);
    free(text);
    return push(l, s);
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static void lines_free(lines *l)
{
    for (size_t k = 0; k < l->n; k++)
        free(l->v[k]);
    free(l->v);
}

/* Reads the kept rows of every nation's journal in dir. Returns 0, or -1
 * after saying why. */
static int read_journals(const mwds_scenario *sc, const char *dir, lines *l)
{
    memset(l, 0, sizeof *l);
    for (size_t a = 0; a < sc->n_nations; a++) {
        char path[1200], err[512] = "";
        snprintf(path, sizeof path, "%s/%s.journal", dir, sc->nations[a].code);
        mwds_journal_options o;
        mwds_journal_options_default(&o);
        o.read_only = 1;
        mwds_journal *j = NULL;
        if (mwds_journal_open(path, &o, &j, err, sizeof err) != MWDS_OK) {
            fprintf(stderr, "exercise_compare: %s: %s\n", path, err);
            return -1;
        }
        mwds_journal_filter f;
        mwds_journal_filter_init(&f);
        l->nation = sc->nations[a].code;
        mwds_err e = mwds_journal_foreach(j, &f, on_row, l);
        if (e != MWDS_OK || l->oom) {
            fprintf(stderr, "exercise_compare: %s: %s\n", path,
                    l->oom ? "out of memory" : mwds_journal_errmsg(j));
            mwds_journal_close(j);
            return -1;
        }
        mwds_journal_close(j);
    }
    qsort(l->v, l->n, sizeof *l->v, cmp_str);
    return 0;
}

static void show(const char *tag, const char *s)
{
    printf("  %s %.300s%s\n", tag, s, strlen(s) > 300 ? " ..." : "");
}

/* Compares the journals of the two runs. Returns the differences, or -1. */
static long compare_journals(const mwds_scenario *sc, const char *da, const char *db)
{
    lines a, b;
    if (read_journals(sc, da, &a) != 0)
        return -1;
    if (read_journals(sc, db, &b) != 0) {
        lines_free(&a);
        return -1;
    }
    long only_a = 0, only_b = 0, shown = 0;
    size_t i = 0, k = 0;
    while (i < a.n || k < b.n) {
        int c = i == a.n ? 1 : k == b.n ? -1 : strcmp(a.v[i], b.v[k]);
        if (c == 0) {
            i++, k++;
            continue;
        }
        if (shown++ < SHOW)
            show(c < 0 ? "A only:" : "B only:", c < 0 ? a.v[i] : b.v[k]);
        if (c < 0)
            only_a++, i++;
        else
            only_b++, k++;
    }
    printf("journals: %zu and %zu rows compared; %ld only in A, %ld only in B\n", a.n, b.n, only_a,
           only_b);
    lines_free(&a);
    lines_free(&b);
    return only_a + only_b;
}

/* Prints where two JSON values differ (up to SHOW places) and counts the
 * places. Numbers compare exactly. */
static long json_diff(json_t *a, json_t *b, const char *path, long *shown)
{
    char sub[1024];
    if (json_is_number(a) && json_is_number(b)) {
        if (json_number_value(a) == json_number_value(b))
            return 0;
    } else if (json_is_object(a) && json_is_object(b)) {
        long n = 0;
        const char *key;
        json_t *v;
        json_object_foreach(a, key, v)
        {
            snprintf(sub, sizeof sub, "%.900s.%.100s", path, key);
            n += json_diff(v, json_object_get(b, key), sub, shown);
        }
        json_object_foreach(b, key, v)
        {
            snprintf(sub, sizeof sub, "%.900s.%.100s", path, key);
            if (json_object_get(a, key) == NULL)
                n += json_diff(NULL, v, sub, shown);
        }
        return n;
    } else if (json_is_array(a) && json_is_array(b) && json_array_size(a) == json_array_size(b)) {
        long n = 0;
        for (size_t k = 0; k < json_array_size(a); k++) {
            snprintf(sub, sizeof sub, "%.900s[%zu]", path, k);
            n += json_diff(json_array_get(a, k), json_array_get(b, k), sub, shown);
        }
        return n;
    } else if (a != NULL && b != NULL && json_equal(a, b)) {
        return 0;
    }
    if ((*shown)++ < SHOW) {
        char *ta =
            a ? json_dumps(a, JSON_COMPACT | JSON_ENCODE_ANY | JSON_REAL_PRECISION(17)) : NULL;
        char *tb =
            b ? json_dumps(b, JSON_COMPACT | JSON_ENCODE_ANY | JSON_REAL_PRECISION(17)) : NULL;
        printf("  %s: A %.120s, B %.120s\n", path, ta ? ta : "(none)", tb ? tb : "(none)");
        free(ta);
        free(tb);
    }
    return 1;
}

static int cmp_pip(const void *pa, const void *pb)
{
    json_t *a = *(json_t *const *)pa, *b = *(json_t *const *)pb;
    double ta = json_number_value(json_object_get(a, "issued_t_s"));
    double tb = json_number_value(json_object_get(b, "issued_t_s"));
    if (ta != tb)
        return ta < tb ? -1 : 1;
    const char *oa = json_string_value(json_object_get(a, "origin"));
    const char *ob = json_string_value(json_object_get(b, "origin"));
    int c = strcmp(oa ? oa : "", ob ? ob : "");
    if (c != 0)
        return c;
    json_int_t ia = json_integer_value(json_object_get(a, "id"));
    json_int_t ib = json_integer_value(json_object_get(b, "id"));
    return (ia > ib) - (ia < ib);
}

/* Puts each launch's PIP warnings per nation in the order of their issue
 * (origin and id for a tie): the scorer lists them in journal order, and a
 * node journals a partner's warning when it arrives. */
static void sort_pip(json_t *doc)
{
    json_t *l, *arr;
    size_t i;
    const char *nat;
    json_array_foreach(json_object_get(doc, "launches"), i, l)
    {
        json_object_foreach(json_object_get(l, "pip"), nat, arr)
        {
            size_t n = json_array_size(arr);
            json_t **v = malloc((n ? n : 1) * sizeof *v);
            if (v == NULL)
                continue;
            for (size_t k = 0; k < n; k++)
                v[k] = json_incref(json_array_get(arr, k));
            qsort(v, n, sizeof *v, cmp_pip);
            json_array_clear(arr);
            for (size_t k = 0; k < n; k++)
                json_array_append_new(arr, v[k]);
            free(v);
        }
    }
}

/* Scores dir's journals with delays left out; the report as JSON, or NULL
 * after saying why. */
static json_t *score_simulated_time(const char *scenario, const mwds_scenario *sc, const char *dir)
{
    const char **paths = calloc(sc->n_nations ? sc->n_nations : 1, sizeof *paths);
    char(*buf)[1200] = calloc(sc->n_nations ? sc->n_nations : 1, sizeof *buf);
    json_t *doc = NULL;
    if (paths == NULL || buf == NULL) {
        fprintf(stderr, "exercise_compare: out of memory\n");
        goto done;
    }
    for (size_t a = 0; a < sc->n_nations; a++) {
        snprintf(buf[a], sizeof buf[a], "%s/%s.journal", dir, sc->nations[a].code);
        paths[a] = buf[a];
    }
    mwds_score_options o;
    mwds_score_options_default(&o);
    o.max_delay_s = 1e-9;
    mwds_score *s = NULL;
    char err[1024] = "", out[1200];
    if (mwds_score_compute_opts(scenario, paths, sc->n_nations, &o, &s, err, sizeof err) !=
        MWDS_OK) {
        fprintf(stderr, "exercise_compare: scoring %s: %s\n", dir, err);
        goto done;
    }
    snprintf(out, sizeof out, "%s/score-simulated-time.json", dir);
    if (mwds_score_write_json(s, out, err, sizeof err) != MWDS_OK)
        fprintf(stderr, "exercise_compare: %s\n", err);
    else
        doc = json_load_file(out, 0, NULL);
    mwds_score_destroy(s);
    if (doc == NULL)
        goto done;
    json_object_del(doc, "latency_ms");
    json_t *j;
    size_t k;
    json_array_foreach(json_object_get(doc, "journals"), k, j)
    {
        json_object_del(j, "file");
        json_object_del(j, "rows"); /* NodeStatus rows: heartbeats by the wall clock */
    }
    sort_pip(doc);
done:
    free(paths);
    free(buf);
    return doc;
}

/* What of a runner's report.json holds no wall-clock time (see the top). */
static json_t *report_part(const char *dir)
{
    char path[1200];
    snprintf(path, sizeof path, "%s/report.json", dir);
    json_error_t je;
    json_t *doc = json_load_file(path, 0, &je);
    if (doc == NULL) {
        fprintf(stderr, "exercise_compare: %s: %s\n", path, je.text);
        return NULL;
    }
    json_t *o = json_object();
    static const char *const KEYS[] = {"warnings_checked", "warnings_unchecked", "warnings_lost",
                                       "warnings_duplicated", "lost"};
    for (size_t k = 0; k < sizeof KEYS / sizeof KEYS[0]; k++)
        json_object_set(o, KEYS[k], json_object_get(doc, KEYS[k]));
    json_object_set(o, "completed", json_object_get(json_object_get(doc, "exercise"), "completed"));
    json_t *launches = json_array(), *l;
    size_t i;
    json_array_foreach(json_object_get(doc, "launches"), i, l)
    {
        json_t *pip = json_deep_copy(json_object_get(l, "pip")), *arr;
        const char *nat;
        json_object_foreach(pip, nat, arr)
        {
            json_t *w;
            size_t k;
            json_array_foreach(arr, k, w) json_object_del(w, "t_s");
        }
        json_array_append_new(
            launches, json_pack("{s:O?, s:o?}", "id", json_object_get(l, "id"), "pip", pip));
    }
    json_object_set_new(o, "launches", launches);
    sort_pip(o);
    json_decref(doc);
    return o;
}

/* Compares one part of the two runs (either NULL: it could not be read, rc
 * 2) and says how many differences; takes both. */
static void compare_part(json_t *a, json_t *b, const char *path, const char *title, int *rc)
{
    if (a == NULL || b == NULL) {
        *rc = 2;
    } else {
        long shown = 0, n = json_diff(a, b, path, &shown);
        printf("%s: %ld differences\n", title, n);
        if (n > 0 && *rc == 0)
            *rc = 1;
    }
    json_decref(a);
    json_decref(b);
}

int main(int argc, char **argv)
{
    if (argc != 4) {
        fprintf(stderr, "usage: exercise_compare SCENARIO.yaml DIR_A DIR_B\n");
        return 2;
    }
    mwds_scenario sc;
    char err[1024] = "";
    if (mwds_scenario_load(argv[1], &sc, err, sizeof err) != MWDS_OK) {
        fprintf(stderr, "exercise_compare: %s\n", err);
        return 2;
    }
    int rc = 0;
    long n;
    printf("A: %s\nB: %s\n", argv[2], argv[3]);
    if ((n = compare_journals(&sc, argv[2], argv[3])) < 0)
        rc = 2;
    else if (n > 0)
        rc = 1;
    json_t *sa = rc == 2 ? NULL : score_simulated_time(argv[1], &sc, argv[2]);
    json_t *sb = sa == NULL ? NULL : score_simulated_time(argv[1], &sc, argv[3]);
    compare_part(sa, sb, "score", "scores at simulated time", &rc);
    json_t *ra = rc == 2 ? NULL : report_part(argv[2]);
    json_t *rb = ra == NULL ? NULL : report_part(argv[3]);
    compare_part(ra, rb, "report", "report.json (warnings, PIP warnings)", &rc);
    mwds_scenario_fini(&sc);
    printf("%s\n", rc == 0 ? "SAME" : rc == 1 ? "DIFFERENT" : "ERROR");
    return rc;
}
