/*
 * bench_journal: how fast a node can journal samples.
 *
 * Appends track-sized rows (a JSON payload of about 600 bytes, as a Track
 * sample with its covariance would be) to a fresh journal in two modes:
 *  - batched: the default options (commit every 1000 rows or 0.1 s), with
 *    mwds_journal_tick called after every append, as a node's loop would;
 *  - durable: durable=1 on every row, one commit per row, as for warnings;
 *  - durable_fsync: the same with sync_full=1 (an fsync per commit), on a
 *    hundredth of the rows.
 * Reports appends per second and the p50/p99/max time of one append call
 * (commits included where they happen; the max is a commit that also ran a
 * WAL checkpoint, which fsyncs).
 *
 * usage: bench_journal [--rows N] [--dir DIR] [--json]
 * The journal files are made in DIR (default $TMPDIR or /tmp) and removed.
 * Prints figures; asserts nothing (timing belongs here, not in tests).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "mwds/journal.h"

static int64_t now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * MWDS_NS_PER_S + ts.tv_nsec;
}

static int cmp_i64(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return (x > y) - (x < y);
}

/* A Track sample as JSON: state, upper-triangle covariance, metadata. */
static size_t track_payload(char *buf, size_t len, int track, int64_t t_ns)
{
    int n = snprintf(buf, len,
                     "{\"origin\":\"KOR\",\"track_number\":%d,\"t_ns\":%lld,\"exercise\":true,"
                     "\"model\":\"ballistic\",\"status\":\"confirmed\","
                     "\"pos_ecef_m\":[-3046612.125,4072117.375,3817338.500],"
                     "\"vel_ecef_m_s\":[1523.250,-2410.875,3120.500],\"invbeta_m2_kg\":0.00021,"
                     "\"cov_upper\":[",
                     track, (long long)t_ns);
    for (int i = 0; i < 21 && n > 0 && (size_t)n < len; i++)
        n += snprintf(buf + n, len - (size_t)n, "%s%.6e", i ? "," : "",
                      (i % 7 == 0 ? 2.5e3 : 1.25e1) * (1.0 + 0.01 * i));
    if (n > 0 && (size_t)n < len)
        n += snprintf(buf + n, len - (size_t)n,
                      "],\"sensors\":[\"KOR-RADAR-1\",\"KOR-RADAR-2\"],\"n_updates\":%d,"
                      "\"quality\":0.93}",
                      40 + track % 17);
    return n > 0 ? (size_t)n : 0;
}

typedef struct result {
    double per_s, p50_us, p99_us, max_us, bytes_per_row;
} result;

static int run(const char *path, int rows, int durable, int sync_full, result *res)
{
    unlink(path);
    mwds_journal *j = NULL;
    char err[512];
    mwds_journal_options o;
    mwds_journal_options_default(&o);
    o.sync_full = sync_full;
    if (mwds_journal_open(path, &o, &j, err, sizeof err) != MWDS_OK) {
        fprintf(stderr, "bench_journal: %s\n", err);
        return 1;
    }
    int64_t *lat = malloc((size_t)rows * sizeof *lat);
    if (lat == NULL)
        return 1;
    char payload[1024], key[16];
    const int64_t t0 = INT64_C(1501252860000000000);
    int64_t start = now_ns();
    for (int i = 0; i < rows; i++) {
        int track = i % 64;
        int64_t t = t0 + (int64_t)i * 10000000;
        track_payload(payload, sizeof payload, track, t);
        snprintf(key, sizeof key, "%d", track);
        mwds_journal_row r = {.topic = "Track",
                              .dir = MWDS_JOURNAL_SENT,
                              .origin = "KOR",
                              .key = key,
                              .revision = i / 64 + 1,
                              .partition = "rel.JPN.KOR.USA",
                              .exercise = 1,
                              .t_sample_ns = t,
                              .t_send_ns = t + 1000,
                              .t_recv_ns = 0,
                              .payload = payload};
        int64_t a = now_ns();
        mwds_err e = mwds_journal_append(j, &r, durable, NULL);
        if (e == MWDS_OK && !durable)
            e = mwds_journal_tick(j, now_ns());
        lat[i] = now_ns() - a;
        if (e != MWDS_OK) {
            fprintf(stderr, "bench_journal: %s\n", mwds_journal_errmsg(j));
            return 1;
        }
    }
    mwds_journal_flush(j);
    double elapsed_s = (double)(now_ns() - start) * 1e-9;
    mwds_journal_close(j);
    struct stat sb;
    res->bytes_per_row = stat(path, &sb) == 0 ? (double)sb.st_size / rows : 0.0;
    qsort(lat, (size_t)rows, sizeof *lat, cmp_i64);
    res->per_s = rows / elapsed_s;
    res->p50_us = 1e-3 * (double)lat[rows / 2];
    res->p99_us = 1e-3 * (double)lat[(size_t)rows * 99 / 100];
    res->max_us = 1e-3 * (double)lat[rows - 1];
    free(lat);
    unlink(path);
    return 0;
}

int main(int argc, char **argv)
{
    int rows = 100000, json = 0;
    const char *dir = getenv("TMPDIR");
    if (dir == NULL || dir[0] == '\0')
        dir = "/tmp";
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--json") == 0)
            json = 1;
        else if (strcmp(argv[i], "--rows") == 0 && i + 1 < argc)
            rows = atoi(argv[++i]);
        else if (strcmp(argv[i], "--dir") == 0 && i + 1 < argc)
            dir = argv[++i];
        else {
            fprintf(stderr, "usage: bench_journal [--rows N] [--dir DIR] [--json]\n");
            return 2;
        }
    }
    if (rows < 10000) {
        fprintf(stderr, "bench_journal: --rows must be at least 10000\n");
        return 2;
    }
    char path[512], payload[1024];
    snprintf(path, sizeof path, "%s/bench_journal_%ld.db", dir, (long)getpid());
    size_t payload_bytes = track_payload(payload, sizeof payload, 17, INT64_C(1501252860000000000));

    result batched, durable, fsynced;
    int rows_durable = rows / 10, rows_fsync = rows / 100;
    if (run(path, rows, 0, 0, &batched) != 0)
        return 1;
    /* a commit per row is slower: fewer rows give the same percentiles in
     * less time */
    if (run(path, rows_durable, 1, 0, &durable) != 0 || run(path, rows_fsync, 1, 1, &fsynced) != 0)
        return 1;

    const struct {
        const char *key;
        double value;
        int decimals;
    } figs[] = {
        {"payload_bytes", (double)payload_bytes, 0},
        {"rows", rows, 0},
        {"batched_appends_per_s", batched.per_s, 0},
        {"batched_append_p50_us", batched.p50_us, 2},
        {"batched_append_p99_us", batched.p99_us, 2},
        {"batched_append_max_us", batched.max_us, 0},
        {"file_bytes_per_row", batched.bytes_per_row, 0},
        {"durable_rows", rows_durable, 0},
        {"durable_appends_per_s", durable.per_s, 0},
        {"durable_append_p50_us", durable.p50_us, 2},
        {"durable_append_p99_us", durable.p99_us, 2},
        {"durable_append_max_us", durable.max_us, 0},
        {"durable_fsync_rows", rows_fsync, 0},
        {"durable_fsync_appends_per_s", fsynced.per_s, 0},
        {"durable_fsync_append_p50_us", fsynced.p50_us, 2},
        {"durable_fsync_append_p99_us", fsynced.p99_us, 2},
        {"durable_fsync_append_max_us", fsynced.max_us, 0},
    };
    size_t n = sizeof figs / sizeof figs[0];
    for (size_t i = 0; i < n; i++) {
        if (json)
            printf("%s\"%s\": %.*f%s", i ? " " : "{", figs[i].key, figs[i].decimals, figs[i].value,
                   i + 1 < n ? "," : "}\n");
        else
            printf("%s %.*f\n", figs[i].key, figs[i].decimals, figs[i].value);
    }
    return 0;
}
