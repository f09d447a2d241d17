/*
 * mwds bench latency: the time from a sensor look's publication to a
 * partner node's receipt of what it caused, with DDS Security on, at given
 * measurement rates, against Cyclone's ddsperf ping/pong on the same
 * machine.
 *
 * The set-up, in a work folder (--dir, or a new one under /tmp):
 *   a PKI for KOR and JPN (mwds pki init, with --extra-topics 'DDSPerf*' so
 *   that ddsperf runs under the same governance);
 *   a generated scenario: N SRBMs (--targets, default 100) launched 0.3 s
 *   apart from pads on a ring of 300 km around one all-round KOR radar, each
 *   flying 300 km outwards, no clutter; the radar revisits every N / rate
 *   seconds in D dwells, so that its looks carry about `rate` detections
 *   per second, in D * rate / N looks, once every missile is up. D is
 *   --dwells, or by default as many as keep the radar at 1,000 looks a
 *   second or fewer, at most one per missile (N at 100 and 1,000
 *   detections a second, N / 10 at 10,000);
 *   two nodes (this program's `node`, each its own process): KOR tracks its
 *   radar and shares tracks and warnings; JPN, with no sensor, receives them;
 *   a feed (a child process with KOR's identity) that first runs the
 *   simulator to 60 s after the last launch and keeps the radar's looks of
 *   the next --warmup plus --seconds, then publishes them in real time, each
 *   stamped with its wall-clock publication time (pub_ns).
 * A Track or Warning carries the pub_ns of the look that caused it; JPN's
 * journal holds its receipt time, so the latency of each is t_recv_ns -
 * cause_pub_ns, over the samples caused by looks published after the
 * warm-up. KOR's journal splits it: t_send_ns - cause_pub_ns is the feed's
 * hop and KOR's processing, the rest the hop to JPN.
 *
 * ddsperf: `ddsperf pong` (KOR's identity) and `ddsperf ping` (JPN's) for
 * --ddsperf-seconds on the same loopback configuration. ddsperf reports
 * half of each round trip, the latency of one secure hop; the goal compares
 * against that figure. A look's way to the partner is two hops (feed -> KOR
 * -> JPN) and the tracking between them, so the round trip, twice the
 * figure, is the floor of that way and is printed too.
 *
 * --realtime P: the nodes run with realtime_priority P (their tracking
 * threads and DDS's receive and event threads SCHED_FIFO), the feed's
 * publishing thread and its DDS threads likewise, and ddsperf wholly at P,
 * so that the floor is measured as the nodes run.
 *
 * Clocks: every process reads CLOCK_REALTIME of one machine.
 */
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <math.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "commands.h"
#include "mwds/journal.h"
#include "mwds/net.h"
#include "mwds/pki.h"
#include "mwds/policy.h"
#include "mwds/scenario.h"
#include "mwds/sim.h"

#ifndef MWDS_DDS_SECURITY_DIR
#define MWDS_DDS_SECURITY_DIR "/usr/lib/x86_64-linux-gnu/libddsc0debian"
#endif

static const char LATENCY_HELP[] =
    "usage: mwds bench latency [--rates R1,R2,...] [--targets N] [--dwells D] [--seconds S]\n"
    "                          [--warmup S] [--ddsperf-seconds S] [--domain N] [--dir DIR]\n"
    "                          [--realtime P] [--cpu-latency US] [--json]\n"
    "\n"
    "Measures, with DDS Security on, the time from a radar look's publication to the\n"
    "partner node's receipt of the Track and Warning it caused: two nodes (KOR tracks,\n"
    "JPN receives) and a feed of N (default 100) SRBMs, spread around one radar whose\n"
    "revisit gives R measurements (detections) per second, scanned in D dwells (default:\n"
    "as many as keep to 1,000 looks a second, at most N); R defaults to 100,1000,10000. Each\n"
    "rate runs --warmup (default 5) plus --seconds (default 20) of wall time; the feed\n"
    "keeps a run's looks in memory, so rate x (warmup + seconds) is at most 4,000,000.\n"
    "First runs ddsperf ping/pong for --ddsperf-seconds (default 10; 0: skip): its\n"
    "one-hop latency (half the round trip, as ddsperf reports it) and round trip are the\n"
    "floor; then the same round trip through mwds_net, a look echoed. Prints p50, p99 and\n"
    "max in microseconds. DDS domain --domain (default 88); work files in --dir (default a\n"
    "new folder under /tmp).\n"
    "--realtime P runs the nodes' receive and main threads, the feed and DDS's receive threads\n"
    "SCHED_FIFO at priority P (root or CAP_SYS_NICE; node configuration\n"
    "realtime_priority).\n"
    "--cpu-latency US holds, for the whole run (ddsperf included), a request that idle\n"
    "CPUs wake within US microseconds (0: they poll, never halt; Linux PM QoS, root; node\n"
    "configuration cpu_latency_us).\n";

#define MAX_RATES 8
#define MAX_LOOKS_PER_S 1000.0 /* the default dwells' look rate at most */
#define LOOK_MAX 4096
#define FEED_MAX_DETECTIONS 4e6 /* about 400 MB of looks kept by the feed */

typedef struct lat_stats {
    size_t n;
    double p50_us, p99_us, max_us;
} lat_stats;

typedef struct samples {
    double *v;
    size_t n, cap;
} samples;

static int push(samples *s, double x)
{
    if (s->n == s->cap) {
        size_t cap = s->cap ? 2 * s->cap : 4096;
        double *v = realloc(s->v, cap * sizeof *v);
        if (v == NULL)
            return -1;
        s->v = v;
        s->cap = cap;
    }
    s->v[s->n++] = x;
    return 0;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* Nearest-rank percentiles. */
static lat_stats summarise(samples *s)
{
    lat_stats r = {s->n, NAN, NAN, NAN};
    if (s->n == 0)
        return r;
    qsort(s->v, s->n, sizeof *s->v, cmp_double);
    size_t i50 = (size_t)ceil(0.50 * (double)s->n), i99 = (size_t)ceil(0.99 * (double)s->n);
    r.p50_us = s->v[i50 ? i50 - 1 : 0];
    r.p99_us = s->v[i99 ? i99 - 1 : 0];
    r.max_us = s->v[s->n - 1];
    return r;
}

static int write_file(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    if (f == NULL)
        return -1;
    int ok = fputs(text, f) >= 0;
    return fclose(f) == 0 && ok ? 0 : -1;
}

/* Runs argv (argv[0] a path) with stdout and stderr to log and, if dds_uri
 * is not NULL, CYCLONEDDS_URI set to it; with rt_prio > 0, every thread of
 * the program SCHED_FIFO at rt_prio. Returns the child's pid, or -1. */
static pid_t spawn(char *const argv[], const char *log, const char *dds_uri, int rt_prio)
{
    fflush(stdout);
    pid_t p = fork();
    if (p != 0)
        return p;
    int fd = open(log, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (fd >= 0) {
        dup2(fd, 1);
        dup2(fd, 2);
        close(fd);
    }
    if (dds_uri != NULL)
        setenv("CYCLONEDDS_URI", dds_uri, 1);
    struct sched_param sp = {.sched_priority = rt_prio};
    if (rt_prio > 0 && sched_setscheduler(0, SCHED_FIFO, &sp) != 0)
        _exit(126);
    execv(argv[0], argv);
    _exit(127);
}

static int wait_exit(pid_t p)
{
    int st = 0;
    while (waitpid(p, &st, 0) < 0)
        if (errno != EINTR)
            return -1;
    return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

/* Reads (write 0) or writes (write 1) all of len bytes of a pipe, through
 * interruptions; 0 when done. */
static int io_full(int fd, void *buf, size_t len, int write_it)
{
    char *p = buf;
    while (len > 0) {
        ssize_t r = write_it ? write(fd, p, len) : read(fd, p, len);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0)
            return -1;
        p += r;
        len -= (size_t)r;
    }
    return 0;
}

typedef struct bench {
    char dir[512], self[1024];
    uint32_t domain;
    int targets, dwells;
    int realtime; /* SCHED_FIFO priority of the nodes' and the feed's critical threads */
    int cpu_latency_us; /* -1: no request */
    double seconds, warmup_s;
    mwds_policy pol;
} bench;

/* Ends the CPU wake-up latency request (fd, or -1) with the bench. */
static void bench_free(bench *b, int cpu_fd)
{
    if (cpu_fd >= 0)
        close(cpu_fd);
    free(b);
}

/* The radar's dwells a revisit at a rate (see the file's comment). */
static int dwells_at(const bench *b, double rate)
{
    if (b->dwells > 0)
        return b->dwells;
    long d = lround(MAX_LOOKS_PER_S * (double)b->targets / rate);
    return d < 1 ? 1 : d > b->targets ? b->targets : (int)d;
}

/* The scenario of one rate (see the file's comment). The pads' bearings
 * from the radar sit mid-way between two dwells' sector edges when D = N. */
static int write_scenario(const bench *b, double rate, const char *path)
{
    size_t cap = 4096 + (size_t)b->targets * 200;
    char *t = malloc(cap);
    if (t == NULL)
        return -1;
    const double site_lat = 38.0, site_lon = 128.0, ring_km = 300.0, km_per_deg = 111.2;
    double revisit = (double)b->targets / rate;
    int dwells = dwells_at(b, rate);
    double last_launch = 5.0 + 0.3 * (b->targets - 1);
    int k = snprintf(t, cap,
                     "name: latency-%g\n"
                     "description: mwds bench latency, %d SRBMs, %g detections per second\n"
                     "exercise: true\nstart: 2026-11-23T03:00:00Z\nduration_s: %.0f\nseed: 7\n"
                     "nations:\n  - {code: KOR}\n  - {code: JPN}\n"
                     "sensors:\n"
                     "  - id: KOR-RADAR\n    nation: KOR\n    type: radar\n"
                     "    site: {lat_deg: %.1f, lon_deg: %.1f, height_m: 200}\n"
                     "    range_max_km: 1500\n    revisit_s: %.6f\n    dwells: %d\n    pd: 0.95\n"
                     "    false_alarms_per_scan: 0\n    sigma_range_m: 60\n"
                     "    sigma_az_deg: 0.06\n    sigma_el_deg: 0.06\n"
                     "launches:\n",
                     rate, b->targets, rate, last_launch + 60.0 + b->warmup_s + b->seconds + 30.0,
                     site_lat, site_lon, revisit, dwells);
    for (int i = 0; i < b->targets && k > 0 && (size_t)k < cap; i++) {
        double brg = 360.0 * (i + 0.5) / b->targets;
        double lat = site_lat + ring_km / km_per_deg * cos(brg * MWDS_DEG2RAD);
        double lon = site_lon + ring_km / (km_per_deg * cos(site_lat * MWDS_DEG2RAD)) *
                                    sin(brg * MWDS_DEG2RAD);
        k += snprintf(t + k, cap - (size_t)k,
                      "  - {id: L%d, time_s: %.1f, class: srbm, launch: {lat_deg: %.4f, "
                      "lon_deg: %.4f}, azimuth_deg: %.3f, range_km: %.0f}\n",
                      i + 1, 5.0 + 0.3 * i, lat, lon, brg, ring_km);
    }
    int rc = k > 0 && (size_t)k < cap ? write_file(path, t) : -1;
    free(t);
    return rc;
}

static int write_node_config(const bench *b, const char *nat, const char *scenario)
{
    char path[700], text[2048];
    snprintf(path, sizeof path, "%s/%s.yaml", b->dir, nat);
    snprintf(text, sizeof text,
             "nation: %s\npolicy: policy.yaml\npki: pki\nsensors: %s\njournal: %s.journal\n"
             "domain_id: %u\nrealtime_priority: %d\n",
             nat, scenario, nat, (unsigned)b->domain, b->realtime);
    return write_file(path, text);
}

/* A participant with KOR's identity in the bench's domain, publishing and
 * subscribing the given topics (bit masks); `who` names it in errors. */
static mwds_net *bench_net(const bench *b, unsigned publish, unsigned subscribe, const char *who)
{
    char err[1024] = "", pki[600];
    snprintf(pki, sizeof pki, "%s/pki", b->dir);
    mwds_net_config nc;
    mwds_net_config_default(&nc, "KOR", &b->pol);
    nc.domain_id = b->domain;
    nc.security.pki_dir = pki;
    nc.publish = publish;
    nc.subscribe = subscribe;
    nc.realtime_priority = b->realtime;
    mwds_net *net = NULL;
    if (mwds_net_create(&nc, &net, err, sizeof err) != MWDS_OK) {
        fprintf(stderr, "mwds bench latency: %s: %s\n", who, err);
        return NULL;
    }
    return net;
}

/* Waits up to timeout_s for a reader of the looks; 1 if one matched. */
static int wait_matched(mwds_net *net, double timeout_s)
{
    int64_t give_up = mwds_net_now() + mwds_time_from_s(timeout_s);
    while (mwds_net_matched(net, MWDS_TOPIC_MEASUREMENT) < 1 && mwds_net_now() < give_up &&
           !cli_stop)
        cli_sleep_ns(20000000);
    return mwds_net_matched(net, MWDS_TOPIC_MEASUREMENT) >= 1;
}

/* The looks a feed publishes: made before the window opens, so that the
 * simulator's work (the sensor's, not the system's under test) does not share
 * the machine with the nodes while they are measured. */
typedef struct feed_look {
    int64_t t_ns;
    size_t first; /* its first detection in feed_looks.m */
    int n, dwell;
} feed_look;

typedef struct feed_looks {
    mwds_measurement *m; /* every look's detections, one after another */
    size_t n_m, cap_m;
    feed_look *look;
    size_t n_look, cap_look;
} feed_looks;

static int feed_add(feed_looks *f, const mwds_sim_look_info *info, const mwds_measurement *m, int n)
{
    if (f->n_look == f->cap_look) {
        size_t cap = f->cap_look ? 2 * f->cap_look : 4096;
        void *p = realloc(f->look, cap * sizeof *f->look);
        if (p == NULL)
            return -1;
        f->look = p, f->cap_look = cap;
    }
    if ((double)(f->n_m + (size_t)n) > 1.5 * FEED_MAX_DETECTIONS)
        return -1;
    if (f->n_m + (size_t)n > f->cap_m) {
        size_t cap = f->cap_m ? 2 * f->cap_m : 65536;
        while (cap < f->n_m + (size_t)n)
            cap *= 2;
        void *p = realloc(f->m, cap * sizeof *f->m);
        if (p == NULL)
            return -1;
        f->m = p, f->cap_m = cap;
    }
    memcpy(f->m + f->n_m, m, (size_t)n * sizeof *m);
    for (int i = 0; i < n; i++)
        f->m[f->n_m + (size_t)i].sensor_id = 0;
    f->look[f->n_look++] = (feed_look){info->t_ns, f->n_m, n, info->dwell};
    f->n_m += (size_t)n;
    return 0;
}

/* Simulates the scenario up to the end of the run and keeps the looks from
 * skip_ns on, for run_ns. */
static int feed_make(const char *scenario, int64_t skip_from_start_ns, int64_t run_ns,
                     feed_looks *f)
{
    char err[1024] = "";
    mwds_scenario sc;
    if (mwds_scenario_load(scenario, &sc, err, sizeof err) != MWDS_OK) {
        fprintf(stderr, "mwds bench latency: %s\n", err);
        return -1;
    }
    mwds_sim *sim = NULL;
    mwds_measurement *buf = calloc(LOOK_MAX, sizeof *buf);
    int rc = -1;
    if (buf == NULL || mwds_sim_create(&sc, &sim, err, sizeof err) != MWDS_OK) {
        fprintf(stderr, "mwds bench latency: simulator: %s\n", err);
        goto done;
    }
    const int64_t skip_ns = sc.start_t_ns + skip_from_start_ns;
    int n = 0;
    mwds_sim_look_info look;
    for (;;) {
        mwds_err e = mwds_sim_look(sim, skip_ns + run_ns, buf, LOOK_MAX, &n, &look);
        if (e == MWDS_ENOTFOUND)
            break;
        if (e != MWDS_OK) {
            fprintf(stderr, "mwds bench latency: simulator: %s\n", mwds_strerror(e));
            goto done;
        }
        if (look.t_ns >= skip_ns && feed_add(f, &look, buf, n) != 0) {
            fprintf(stderr, "mwds bench latency: feed: more detections than it can keep\n");
            goto done;
        }
    }
    rc = f->n_look > 0 ? 0 : -1;
    if (rc != 0)
        fprintf(stderr, "mwds bench latency: the scenario has no looks in the window\n");
done:
    mwds_sim_destroy(sim);
    mwds_scenario_fini(&sc);
    free(buf);
    return rc;
}

/* The feed: publishes the radar's looks in real time, from the first after
 * the skip. Reports on fd the window's start (wall ns) and the detections
 * and looks published in it. */
static int run_feed(const bench *b, const char *scenario, int fd)
{
    char err[1024] = "";
    double last_launch = 5.0 + 0.3 * (b->targets - 1);
    int64_t run_ns = mwds_time_from_s(b->warmup_s + b->seconds);
    feed_looks f = {0};
    mwds_net *net = NULL;
    int rc = CLI_EXIT_FAIL;
    if (feed_make(scenario, mwds_time_from_s(last_launch + 60.0), run_ns, &f) != 0)
        goto done;
    if ((net = bench_net(b, 1u << MWDS_TOPIC_MEASUREMENT, 0, "feed")) == NULL)
        goto done;
    if (!wait_matched(net, 60.0)) {
        fprintf(stderr, "mwds bench latency: the KOR node did not appear in 60 s\n");
        goto done;
    }
    cli_sleep_ns((int64_t)2 * 1000000000); /* JPN's node matches KOR's too */
    if (b->realtime > 0 && mwds_net_realtime_self(b->realtime, err, sizeof err) != 0) {
        fprintf(stderr, "mwds bench latency: feed: %s\n", err);
        goto done;
    }
    const int64_t t0 = f.look[0].t_ns;
    int64_t wall0 = mwds_net_now(), window0 = wall0 + mwds_time_from_s(b->warmup_s);
    long dets = 0, looks = 0;
    for (size_t k = 0; k < f.n_look && !cli_stop; k++) {
        const feed_look *l = &f.look[k];
        cli_sleep_ns(wall0 + (l->t_ns - t0) - mwds_net_now());
        int64_t pub = mwds_net_now();
        if (mwds_net_publish_look(net, 0, l->dwell, l->t_ns, f.m + l->first, l->n, 1, k + 1, pub) !=
            MWDS_OK) {
            fprintf(stderr, "mwds bench latency: publishing a look failed\n");
            goto done;
        }
        if (pub >= window0) {
            dets += l->n;
            looks++;
        }
    }
    mwds_net_flush(net, (int64_t)5 * 1000000000);
    int64_t report[3] = {window0, dets, looks};
    rc = io_full(fd, report, sizeof report, 1) == 0 ? CLI_EXIT_OK : CLI_EXIT_FAIL;
done:
    mwds_net_destroy(net);
    free(f.m);
    free(f.look);
    return rc;
}

typedef struct collect {
    int64_t since_ns;
    samples *total, *hop;
} collect;

/* A received (JPN) or sent (KOR) Track or Warning row: its latency. */
static int collect_row(void *ctx, const mwds_journal_row *row)
{
    collect *c = ctx;
    json_t *o = json_loads(row->payload, 0, NULL);
    json_t *v = json_object_get(o, "cause_pub_ns");
    int64_t cause = json_is_integer(v) ? (int64_t)json_integer_value(v) : 0;
    json_decref(o);
    if (cause < c->since_ns || cause <= 0)
        return 0;
    int64_t end = row->dir == MWDS_JOURNAL_RECEIVED ? row->t_recv_ns : row->t_send_ns;
    push(c->total, (double)(end - cause) / 1e3);
    if (c->hop != NULL && row->dir == MWDS_JOURNAL_RECEIVED)
        push(c->hop, (double)(row->t_recv_ns - row->t_send_ns) / 1e3);
    return 0;
}

static mwds_err read_latencies(const bench *b, const char *nat, const char *topic,
                               mwds_journal_dir dir, int64_t since_ns, samples *total, samples *hop)
{
    char path[700], err[512];
    snprintf(path, sizeof path, "%s/%s.journal", b->dir, nat);
    mwds_journal_options o;
    mwds_journal_options_default(&o);
    o.read_only = 1;
    mwds_journal *j = NULL;
    mwds_err e = mwds_journal_open(path, &o, &j, err, sizeof err);
    if (e != MWDS_OK) {
        fprintf(stderr, "mwds bench latency: %s\n", err);
        return e;
    }
    mwds_journal_filter f;
    mwds_journal_filter_init(&f);
    f.topic = topic;
    f.dir = (int)dir;
    f.origin = "KOR";
    collect c = {since_ns, total, hop};
    e = mwds_journal_foreach(j, &f, collect_row, &c);
    mwds_journal_close(j);
    return e;
}

typedef struct rate_result {
    double rate, measured_per_s, looks_per_s;
    lat_stats track, warning, in_node, hop;
    int ok;
} rate_result;

static int run_rate(const bench *b, double rate, rate_result *out)
{
    memset(out, 0, sizeof *out);
    out->rate = rate;
    char scenario[700];
    snprintf(scenario, sizeof scenario, "%s/latency-%g.yaml", b->dir, rate);
    if (write_scenario(b, rate, scenario) != 0 || write_node_config(b, "KOR", scenario) != 0 ||
        write_node_config(b, "JPN", scenario) != 0) {
        fprintf(stderr, "mwds bench latency: cannot write in %s\n", b->dir);
        return -1;
    }
    static const char *const NATS[2] = {"JPN", "KOR"};
    pid_t node[2] = {-1, -1};
    for (int i = 0; i < 2; i++) {
        char cfg[700], log[700], jr[700];
        snprintf(cfg, sizeof cfg, "%s/%s.yaml", b->dir, NATS[i]);
        snprintf(log, sizeof log, "%s/%s-%g.log", b->dir, NATS[i], rate);
        snprintf(jr, sizeof jr, "%s/%s.journal", b->dir, NATS[i]);
        unlink(jr); /* a fresh journal per rate */
        char *argv[] = {(char *)(uintptr_t)b->self, "node", "--config", cfg, "--quiet", NULL};
        node[i] = spawn(argv, log, NULL, 0);
    }
    int fds[2];
    int rc = -1;
    int64_t report[3] = {0, 0, 0};
    if (node[0] > 0 && node[1] > 0 && pipe(fds) == 0) {
        fflush(stdout);
        pid_t feed = fork();
        if (feed == 0) {
            close(fds[0]);
            _exit(run_feed(b, scenario, fds[1]));
        }
        close(fds[1]);
        int got = feed > 0 && io_full(fds[0], report, sizeof report, 0) == 0;
        close(fds[0]);
        if (feed > 0 && wait_exit(feed) == 0 && got)
            rc = 0;
    }
    cli_sleep_ns((int64_t)1000000000); /* the last tracks reach JPN */
    for (int i = 0; i < 2; i++)
        if (node[i] > 0) {
            kill(node[i], SIGTERM);
            if (wait_exit(node[i]) != 0)
                rc = -1;
        }
    if (rc != 0) {
        fprintf(stderr, "mwds bench latency: the run at %g/s failed (logs in %s)\n", rate, b->dir);
        return -1;
    }
    out->measured_per_s = (double)report[1] / b->seconds;
    out->looks_per_s = (double)report[2] / b->seconds;
    samples tr = {0}, wr = {0}, nd = {0}, hop = {0};
    if (read_latencies(b, "JPN", "Track", MWDS_JOURNAL_RECEIVED, report[0], &tr, &hop) != MWDS_OK ||
        read_latencies(b, "JPN", "Warning", MWDS_JOURNAL_RECEIVED, report[0], &wr, NULL) !=
            MWDS_OK ||
        read_latencies(b, "KOR", "Track", MWDS_JOURNAL_SENT, report[0], &nd, NULL) != MWDS_OK)
        rc = -1;
    out->track = summarise(&tr);
    out->warning = summarise(&wr);
    out->in_node = summarise(&nd);
    out->hop = summarise(&hop);
    free(tr.v), free(wr.v), free(nd.v), free(hop.v);
    return rc;
}

/* ---- ddsperf ---- */

static int write_dds_xml(const bench *b, const char *nat, char *path, size_t len)
{
    char text[8192];
    snprintf(path, len, "%s/ddsperf-%s.xml", b->dir, nat);
    snprintf(text, sizeof text,
             "<CycloneDDS><Domain id=\"any\"><General><Interfaces>"
             "<NetworkInterface name=\"lo\"/></Interfaces>"
             "<AllowMulticast>false</AllowMulticast></General>"
             "<Discovery><ParticipantIndex>auto</ParticipantIndex>"
             "<MaxAutoParticipantIndex>60</MaxAutoParticipantIndex>"
             "<Peers><Peer address=\"127.0.0.1\"/></Peers></Discovery>"
             "<Security><Authentication><Library path=\"%s/libdds_security_auth.so\" "
             "initFunction=\"init_authentication\" finalizeFunction=\"finalize_authentication\"/>"
             "<IdentityCertificate>file:%s/pki/%s/cert.pem</IdentityCertificate>"
             "<IdentityCA>file:%s/pki/ca.pem</IdentityCA>"
             "<PrivateKey>file:%s/pki/%s/key.pem</PrivateKey></Authentication>"
             "<AccessControl><Library path=\"%s/libdds_security_ac.so\" "
             "initFunction=\"init_access_control\" finalizeFunction=\"finalize_access_control\"/>"
             "<PermissionsCA>file:%s/pki/ca.pem</PermissionsCA>"
             "<Governance>file:%s/pki/governance.p7s</Governance>"
             "<Permissions>file:%s/pki/%s/permissions.p7s</Permissions></AccessControl>"
             "<Cryptographic><Library path=\"%s/libdds_security_crypto.so\" "
             "initFunction=\"init_crypto\" finalizeFunction=\"finalize_crypto\"/></Cryptographic>"
             "</Security></Domain></CycloneDDS>\n",
             MWDS_DDS_SECURITY_DIR, b->dir, nat, b->dir, b->dir, nat, MWDS_DDS_SECURITY_DIR, b->dir,
             b->dir, b->dir, nat, MWDS_DDS_SECURITY_DIR);
    return write_file(path, text);
}

/* ddsperf ping/pong: the medians over the run's one-second reports (the
 * first dropped) of their p50, p99 and max. ddsperf's figures are half of
 * each round trip (Cyclone's src/tools/ddsperf: the time from a ping's
 * source timestamp to its pong's arrival, over two), one secure hop. */
static int run_ddsperf(const bench *b, double seconds, lat_stats *out)
{
    char xk[700], xj[700], envk[800], envj[800], dom[16], dur[32], dur2[32], logk[700], logj[700];
    if (write_dds_xml(b, "KOR", xk, sizeof xk) != 0 || write_dds_xml(b, "JPN", xj, sizeof xj))
        return -1;
    snprintf(envk, sizeof envk, "file://%s", xk);
    snprintf(envj, sizeof envj, "file://%s", xj);
    snprintf(dom, sizeof dom, "%u", (unsigned)b->domain);
    snprintf(dur, sizeof dur, "%.0f", seconds + 15);
    snprintf(dur2, sizeof dur2, "%.0f", seconds);
    snprintf(logk, sizeof logk, "%s/ddsperf-pong.log", b->dir);
    snprintf(logj, sizeof logj, "%s/ddsperf-ping.log", b->dir);
    char *pong[] = {"/usr/bin/ddsperf", "-i", dom, "-D", dur, "pong", NULL};
    char *ping[] = {"/usr/bin/ddsperf", "-i",   dom, "-D", dur2, "-Qminmatch:1",
                    "-Qinitwait:15",    "ping", NULL};
    pid_t p1 = spawn(pong, logk, envk, b->realtime);
    pid_t p2 = p1 > 0 ? spawn(ping, logj, envj, b->realtime) : -1;
    int rc = p2 > 0 ? wait_exit(p2) : -1;
    if (p1 > 0) {
        kill(p1, SIGTERM);
        wait_exit(p1);
    }
    FILE *f = fopen(logj, "r");
    if (f == NULL)
        return -1;
    samples p50 = {0}, p99 = {0}, mx = {0};
    char line[1024];
    int first = 1;
    while (fgets(line, sizeof line, f)) {
        const char *a = strstr(line, " 50% "), *c = strstr(line, " 99% "),
                   *d = strstr(line, " max ");
        if (!a || !c || !d || !strstr(line, " size "))
            continue;
        if (first) { /* discovery and handshakes may still run */
            first = 0;
            continue;
        }
        push(&p50, strtod(a + 5, NULL));
        push(&p99, strtod(c + 5, NULL));
        push(&mx, strtod(d + 5, NULL));
    }
    fclose(f);
    lat_stats s50 = summarise(&p50), s99 = summarise(&p99), smx = summarise(&mx);
    out->n = p50.n;
    out->p50_us = s50.p50_us;
    out->p99_us = s99.p50_us;
    out->max_us = smx.p50_us;
    free(p50.v), free(p99.v), free(mx.v);
    if (p50.n == 0) {
        fprintf(stderr, "mwds bench latency: ddsperf gave no latencies (exit %d; see %s)\n", rc,
                logj);
        return -1;
    }
    return 0;
}

/* ---- the same round trip through mwds_net ----
 *
 * A cross-check of the floor in this system's own terms: one process
 * publishes a look of ten detections through mwds_net every millisecond (the
 * looks' rate), another takes it in its listener and publishes it back; the
 * first takes the echo in its listener. Both hold KOR's identity, so the
 * looks stay in KOR's own Measurement partition; the types, QoS,
 * configuration and security are the nodes'. Its round trip is two secure
 * hops, as ddsperf's ping/pong is. */

#define ECHO_MAX 100000

typedef struct echo {
    mwds_net *net;
    int pinger;
    mwds_measurement m[10];
    double *rtt_us;
    size_t n;
    int64_t count_from_ns;
} echo;

static int echo_look(void *ctx, const mwds_net_look *l)
{
    echo *e = ctx;
    if (!e->pinger)
        return mwds_net_publish_look(e->net, 0, l->dwell, l->t_ns, e->m, l->count, 1, l->seq,
                                     l->pub_ns) == MWDS_OK
                   ? 0
                   : -1;
    int64_t now = mwds_net_now();
    if (l->pub_ns >= e->count_from_ns && e->n < ECHO_MAX)
        e->rtt_us[e->n++] = (double)(now - l->pub_ns) / 1e3;
    return 0;
}

static void echo_ready(void *ctx, mwds_topic t)
{
    echo *e = ctx;
    if (t == MWDS_TOPIC_MEASUREMENT)
        mwds_net_take_looks(e->net, echo_look, e, 0, NULL);
}

/* One side of the echo, in a child process: the pinger publishes for
 * `seconds` (the first not counted) and writes its round trips to fd. */
static int echo_side(const bench *b, int pinger, double seconds, int fd)
{
    char err[1024] = "";
    echo e = {.pinger = pinger};
    for (int i = 0; i < 10; i++) {
        e.m[i].kind = MWDS_SENSOR_RADAR;
        e.m[i].dim = 3;
        e.m[i].z[0] = 3e5 + 1e3 * i;
        e.m[i].sigma[0] = 10.0;
    }
    int rc = CLI_EXIT_FAIL;
    if (pinger && (e.rtt_us = calloc(ECHO_MAX, sizeof *e.rtt_us)) == NULL)
        return rc;
    const unsigned looks = 1u << MWDS_TOPIC_MEASUREMENT;
    if ((e.net = bench_net(b, looks, looks, "echo")) == NULL) {
        free(e.rtt_us);
        return rc;
    }
    if (b->realtime > 0 && mwds_net_realtime_self(b->realtime, err, sizeof err) != 0)
        fprintf(stderr, "mwds bench latency: echo: %s\n", err);
    else if (mwds_net_listen(e.net, looks, echo_ready, &e) != MWDS_OK)
        fprintf(stderr, "mwds bench latency: echo: cannot listen\n");
    else if (!pinger) {
        while (!cli_stop)
            cli_sleep_ns(50000000);
        rc = CLI_EXIT_OK;
    } else {
        wait_matched(e.net, 30.0); /* without a match: no round trips, said below */
        cli_sleep_ns(1000000000); /* the echo's writer matches too */
        int64_t t0 = mwds_net_now();
        e.count_from_ns = t0 + 1000000000;
        for (uint64_t k = 1; !cli_stop && k <= (uint64_t)(seconds * 1000.0); k++) {
            cli_sleep_ns(t0 + (int64_t)k * 1000000 - mwds_net_now());
            mwds_net_publish_look(e.net, 0, 0, (int64_t)k * 1000000, e.m, 10, 1, k, mwds_net_now());
        }
        cli_sleep_ns(100000000);
        mwds_net_listen(e.net, 0, NULL, NULL);
        size_t n = e.n;
        rc =
            io_full(fd, &n, sizeof n, 1) == 0 && io_full(fd, e.rtt_us, n * sizeof *e.rtt_us, 1) == 0
                ? CLI_EXIT_OK
                : CLI_EXIT_FAIL;
    }
    mwds_net_listen(e.net, 0, NULL, NULL);
    mwds_net_destroy(e.net);
    free(e.rtt_us);
    return rc;
}

static int run_echo(const bench *b, double seconds, lat_stats *out)
{
    int fds[2];
    if (pipe(fds) != 0)
        return -1;
    fflush(stdout);
    pid_t echoer = fork();
    if (echoer == 0) {
        close(fds[0]);
        _exit(echo_side(b, 0, seconds, -1));
    }
    pid_t pinger = echoer > 0 ? fork() : -1;
    if (pinger == 0) {
        close(fds[0]);
        _exit(echo_side(b, 1, seconds, fds[1]));
    }
    close(fds[1]);
    size_t n = 0;
    int ok = pinger > 0 && io_full(fds[0], &n, sizeof n, 0) == 0 && n <= ECHO_MAX;
    samples rtt = {ok ? calloc(n > 0 ? n : 1, sizeof(double)) : NULL, 0, n};
    ok = ok && rtt.v != NULL && io_full(fds[0], rtt.v, n * sizeof(double), 0) == 0;
    rtt.n = ok ? n : 0;
    close(fds[0]);
    if (pinger > 0)
        ok = wait_exit(pinger) == 0 && ok;
    if (echoer > 0) {
        kill(echoer, SIGTERM);
        wait_exit(echoer);
    }
    *out = summarise(&rtt);
    free(rtt.v);
    if (!ok || out->n == 0) {
        fprintf(stderr, "mwds bench latency: the echo through mwds_net gave no round trips\n");
        return -1;
    }
    return 0;
}

static json_t *stats_json(const lat_stats *s)
{
    return json_pack("{s:I, s:f, s:f, s:f}", "n", (json_int_t)s->n, "p50_us",
                     isnan(s->p50_us) ? -1.0 : s->p50_us, "p99_us",
                     isnan(s->p99_us) ? -1.0 : s->p99_us, "max_us",
                     isnan(s->max_us) ? -1.0 : s->max_us);
}

int bench_latency(int argc, char **argv)
{
    const char *cmd = "bench latency";
    cli_flag flags[] = {
        {"--rates", 1, NULL},   {"--targets", 1, NULL},  {"--dwells", 1, NULL},
        {"--seconds", 1, NULL}, {"--warmup", 1, NULL},   {"--ddsperf-seconds", 1, NULL},
        {"--domain", 1, NULL},  {"--realtime", 1, NULL}, {"--cpu-latency", 1, NULL},
        {"--dir", 1, NULL},     {"--json", 0, NULL},     {"--help", 0, NULL},
        {NULL, 0, NULL}};
    int rc = cli_start(cmd, argc, argv, flags, LATENCY_HELP);
    if (rc != CLI_CONTINUE)
        return rc;
    bench *b = calloc(1, sizeof *b);
    if (b == NULL)
        return CLI_EXIT_FAIL;
    double targets = 100, dwells = -1, seconds = 20, warmup = 5, dds_s = 10, domain = 88;
    double realtime = 0, cpu_latency = -1;
    double rates[MAX_RATES] = {100, 1000, 10000};
    int n_rates = 3;
    const char *v;
    if (((v = cli_get(flags, "--targets")) &&
         (rc = cli_number(cmd, "--targets", v, 1, 1000, &targets))) ||
        ((v = cli_get(flags, "--dwells")) &&
         (rc = cli_number(cmd, "--dwells", v, 1, MWDS_SENSOR_MAX_DWELLS, &dwells))) ||
        ((v = cli_get(flags, "--seconds")) &&
         (rc = cli_number(cmd, "--seconds", v, 1, 3600, &seconds))) ||
        ((v = cli_get(flags, "--warmup")) &&
         (rc = cli_number(cmd, "--warmup", v, 0, 600, &warmup))) ||
        ((v = cli_get(flags, "--ddsperf-seconds")) &&
         (rc = cli_number(cmd, "--ddsperf-seconds", v, 0, 600, &dds_s))) ||
        ((v = cli_get(flags, "--domain")) &&
         (rc = cli_number(cmd, "--domain", v, 0, 230, &domain))) ||
        ((v = cli_get(flags, "--realtime")) &&
         (rc = cli_number(cmd, "--realtime", v, 0, 99, &realtime))) ||
        ((v = cli_get(flags, "--cpu-latency")) &&
         (rc = cli_number(cmd, "--cpu-latency", v, 0, 100000, &cpu_latency)))) {
        free(b);
        return rc;
    }
    if ((v = cli_get(flags, "--rates"))) {
        n_rates = 0;
        char buf[256];
        snprintf(buf, sizeof buf, "%s", v);
        char *save = NULL;
        for (char *tok = strtok_r(buf, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
            if (n_rates == MAX_RATES) {
                free(b);
                return cli_usage_error(cmd, "--rates: at most %d rates", MAX_RATES);
            }
            if ((rc = cli_number(cmd, "--rates", tok, 1, 1e6, &rates[n_rates++]))) {
                free(b);
                return rc;
            }
        }
    }
    for (int i = 0; i < n_rates; i++)
        if (rates[i] * (warmup + seconds) > FEED_MAX_DETECTIONS) {
            free(b);
            return cli_usage_error(cmd,
                                   "the feed keeps a run's detections in memory, at most %.0f: "
                                   "%g a second for --warmup %g plus --seconds %g is %.0f",
                                   FEED_MAX_DETECTIONS, rates[i], warmup, seconds,
                                   rates[i] * (warmup + seconds));
        }
    int json = cli_get(flags, "--json") != NULL;
    b->domain = (uint32_t)domain;
    b->realtime = (int)realtime;
    if (realtime != floor(realtime)) {
        free(b);
        return cli_usage_error(cmd, "--realtime: expected a whole number in [0, 99], got %s",
                               cli_get(flags, "--realtime"));
    }
    char rt_err[256];
    if (b->realtime != 0 && mwds_net_realtime_check(b->realtime, rt_err, sizeof rt_err) != 0) {
        fprintf(stderr, "mwds %s: --realtime: %s\n", cmd, rt_err);
        free(b);
        return CLI_EXIT_USAGE;
    }
    if (cpu_latency != floor(cpu_latency)) {
        free(b);
        return cli_usage_error(cmd,
                               "--cpu-latency: expected a whole number of microseconds in "
                               "[0, 100000], got %s",
                               cli_get(flags, "--cpu-latency"));
    }
    b->cpu_latency_us = (int)cpu_latency;
    int cpu_fd = -1;
    if (b->cpu_latency_us >= 0 &&
        (cpu_fd = mwds_net_cpu_latency(b->cpu_latency_us, rt_err, sizeof rt_err)) < 0) {
        fprintf(stderr, "mwds %s: --cpu-latency: %s\n", cmd, rt_err);
        free(b);
        return CLI_EXIT_USAGE;
    }
    b->targets = (int)targets;
    b->dwells = dwells > 0 ? (int)dwells : 0;
    b->seconds = seconds;
    b->warmup_s = warmup;
    ssize_t sl = readlink("/proc/self/exe", b->self, sizeof b->self - 1);
    if (sl <= 0) {
        fprintf(stderr, "mwds %s: cannot find this program (/proc/self/exe)\n", cmd);
        bench_free(b, cpu_fd);
        return CLI_EXIT_FAIL;
    }
    b->self[sl] = '\0';
    if ((v = cli_get(flags, "--dir"))) {
        snprintf(b->dir, sizeof b->dir, "%s", v);
        if (mkdir(b->dir, 0755) != 0 && errno != EEXIST) {
            fprintf(stderr, "mwds %s: %s: %s\n", cmd, b->dir, strerror(errno));
            bench_free(b, cpu_fd);
            return CLI_EXIT_USAGE;
        }
    } else {
        snprintf(b->dir, sizeof b->dir, "/tmp/mwds-latency-XXXXXX");
        if (mkdtemp(b->dir) == NULL) {
            fprintf(stderr, "mwds %s: cannot make a folder under /tmp\n", cmd);
            bench_free(b, cpu_fd);
            return CLI_EXIT_FAIL;
        }
    }
    char path[700], err[1024] = "";
    static const char POLICY[] =
        "nations: [KOR, JPN]\n"
        "release:\n  default: {Track: all, Warning: all, NodeStatus: all, Measurement: none}\n";
    snprintf(path, sizeof path, "%s/policy.yaml", b->dir);
    if (write_file(path, POLICY) != 0 ||
        mwds_policy_parse(path, POLICY, sizeof POLICY - 1, &b->pol, err, sizeof err) != MWDS_OK) {
        fprintf(stderr, "mwds %s: %s: %s\n", cmd, path, err[0] ? err : "cannot write");
        bench_free(b, cpu_fd);
        return CLI_EXIT_FAIL;
    }
    char pki[700];
    snprintf(pki, sizeof pki, "%s/pki", b->dir);
    mwds_pki_options po;
    mwds_pki_options_default(&po);
    po.now_t_ns = mwds_net_now() - (int64_t)3600 * 1000000000;
    po.force = 1;
    po.extra_topics = "DDSPerf*";
    if (mwds_pki_init(&b->pol, pki, &po, err, sizeof err) != MWDS_OK) {
        fprintf(stderr, "mwds %s: pki: %s\n", cmd, err);
        bench_free(b, cpu_fd);
        return CLI_EXIT_FAIL;
    }
    cli_catch_stop();
    lat_stats dds = {0, NAN, NAN, NAN};
    int have_dds = dds_s > 0 && run_ddsperf(b, dds_s, &dds) == 0;
    lat_stats echo_rt = {0, NAN, NAN, NAN};
    int have_echo = dds_s > 0 && run_echo(b, dds_s, &echo_rt) == 0;
    if (!json) {
        char idle[64] = "";
        if (b->cpu_latency_us >= 0)
            snprintf(idle, sizeof idle, ", idle CPUs wake within %d us", b->cpu_latency_us);
        printf("mwds bench latency: %d targets, DDS Security on, domain %u, realtime priority "
               "%d%s, work in %s\n",
               b->targets, (unsigned)b->domain, b->realtime, idle, b->dir);
        if (have_dds)
            printf("ddsperf one secure hop (half its ping/pong round trip): p50 %.0f us, p99 "
                   "%.0f us, max %.0f us; round trip p50 %.0f us, p99 %.0f us (medians of %zu "
                   "one-second reports)\n",
                   dds.p50_us, dds.p99_us, dds.max_us, 2.0 * dds.p50_us, 2.0 * dds.p99_us, dds.n);
        if (have_echo)
            printf("the same round trip through mwds_net (a look of ten detections echoed, 1,000 "
                   "a second): p50 %.0f us, p99 %.0f us, max %.0f us (n %zu)\n",
                   echo_rt.p50_us, echo_rt.p99_us, echo_rt.max_us, echo_rt.n);
        printf("%9s %6s %9s %7s | %-26s | %-26s | %-19s | %s\n", "rate/s", "dwells", "measured",
               "looks/s",
               "track at JPN: n p50 p99 max", "warning at JPN: n p50 p99", "KOR node p50 p99",
               "hop p50 p99 (us)");
        fflush(stdout);
    }
    json_t *arr = json_array();
    int failed = 0;
    for (int i = 0; i < n_rates && !cli_stop; i++) {
        rate_result r;
        if (run_rate(b, rates[i], &r) != 0) {
            failed = 1;
            continue;
        }
        int goal = r.track.n > 0 && r.track.p99_us < 1000.0 &&
                   (!have_dds || r.track.p99_us <= 3.0 * dds.p99_us);
        if (json) {
            json_t *o = json_pack(
                "{s:f, s:i, s:f, s:f, s:f, s:f, s:f, s:o, s:o, s:o, s:o, s:b}", "rate_per_s", r.rate,
                "dwells", dwells_at(b, r.rate),
                "measured_per_s", r.measured_per_s, "looks_per_s", r.looks_per_s, "p50_us",
                isnan(r.track.p50_us) ? -1.0 : r.track.p50_us, "p99_us",
                isnan(r.track.p99_us) ? -1.0 : r.track.p99_us, "max_us",
                isnan(r.track.max_us) ? -1.0 : r.track.max_us, "track", stats_json(&r.track),
                "warning", stats_json(&r.warning), "kor_node", stats_json(&r.in_node),
                "hop_kor_to_jpn", stats_json(&r.hop), "meets_goal", goal);
            json_object_set_new(o, "ddsperf_p50_us",
                                have_dds ? json_real(dds.p50_us) : json_null());
            json_object_set_new(o, "ddsperf_p99_us",
                                have_dds ? json_real(dds.p99_us) : json_null());
            json_object_set_new(o, "ddsperf_round_trip_p50_us",
                                have_dds ? json_real(2.0 * dds.p50_us) : json_null());
            json_object_set_new(o, "ddsperf_round_trip_p99_us",
                                have_dds ? json_real(2.0 * dds.p99_us) : json_null());
            json_array_append_new(arr, o);
        } else {
            printf("%9.0f %6d %9.0f %7.1f | %6zu %6.0f %6.0f %6.0f | %6zu %6.0f %9.0f | %9.0f "
                   "%9.0f | %6.0f %6.0f%s\n",
                   r.rate, dwells_at(b, r.rate), r.measured_per_s, r.looks_per_s, r.track.n, r.track.p50_us,
                   r.track.p99_us, r.track.max_us, r.warning.n, r.warning.p50_us, r.warning.p99_us,
                   r.in_node.p50_us, r.in_node.p99_us, r.hop.p50_us, r.hop.p99_us,
                   goal ? "" : "  (misses the goal)");
            fflush(stdout);
        }
    }
    if (json) {
        json_t *top =
            json_pack("{s:b, s:i, s:i, s:f, s:f, s:s, s:o}", "security", 1, "targets", b->targets,
                      "realtime_priority", b->realtime, "seconds", b->seconds, "warmup_s", b->warmup_s, "dir", b->dir, "rates", arr);
        json_object_set_new(top, "cpu_latency_us",
                            b->cpu_latency_us >= 0 ? json_integer(b->cpu_latency_us) : json_null());
        json_object_set_new(top, "ddsperf",
                            have_dds
                                ? json_pack("{s:s, s:f, s:f, s:f, s:f, s:f}", "what",
                                            "one secure hop: half the ping/pong round "
                                            "trip, as ddsperf reports it; 12-byte samples",
                                            "p50_us", dds.p50_us, "p99_us", dds.p99_us, "max_us",
                                            dds.max_us, "round_trip_p50_us", 2.0 * dds.p50_us,
                                            "round_trip_p99_us", 2.0 * dds.p99_us)
                                : json_null());
        if (have_echo) {
            json_t *eo = stats_json(&echo_rt);
            json_object_set_new(eo, "what",
                                json_string("round trip through mwds_net: a look of "
                                            "ten detections echoed, 1,000 a second"));
            json_object_set_new(top, "echo_round_trip", eo);
        } else {
            json_object_set_new(top, "echo_round_trip", json_null());
        }
        json_dumpf(top, stdout, JSON_INDENT(2) | JSON_REAL_PRECISION(6));
        printf("\n");
        json_decref(top);
    } else {
        printf("goal: track p99 under 1,000 us and within 3 x ddsperf's p99 (one hop)\n");
        json_decref(arr);
    }
    bench_free(b, cpu_fd);
    return failed || cli_stop ? CLI_EXIT_FAIL : CLI_EXIT_OK;
}
