/*
 * bench_web: serves a synthetic picture of N missiles in flight (default
 * 200) on the display's server, as a node would: every tick of picture time
 * the tracks move, and at most `rate` times a second of wall time the
 * picture's snapshot is built and posted. bench/web_render/run.sh points
 * headless Chromium at it (render.mjs) to measure the page.
 *
 * The missiles fly from eight launch areas near 40N 126E to impact points
 * spread over Japan and the Pacific (each a straight line in latitude and
 * longitude with a sine arc of height), all in flight together, each fused
 * from the three nations' tracks, assessed (launch and impact ellipses,
 * class, threatened and overflown areas) and warned by all three nations
 * (LAUNCH, IMPACT_PREDICTION, OVERFLIGHT), so the snapshot is as large as
 * a node's in the load exercise.
 *
 * Usage: bench_web [--tracks N] [--seconds S] [--rate R] [--speed X] [--port P] [--real]
 * Prints "url http://127.0.0.1:PORT/" when serving, and at the end the
 * snapshot's size and the time to build it (p50, p99, max).
 */
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "mwds/geo.h"
#include "mwds/web.h"

#define T0 INT64_C(1795392000000000000)

static volatile sig_atomic_t g_stop;

static void on_signal(int sig)
{
    (void)sig;
    g_stop = 1;
}

static int64_t mono_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static int64_t wall_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

typedef struct flight {
    double lat0, lon0, lat1, lon1, apogee_m;
    double t_launch_s, t_flight_s;
} flight;

/* The missile's position at picture time t_s (degrees, metres). */
static mwds_lla where(const flight *f, double t_s)
{
    double u = (t_s - f->t_launch_s) / f->t_flight_s;
    if (u < 0)
        u = 0;
    if (u > 1)
        u = 1;
    mwds_lla p = {(f->lat0 + (f->lat1 - f->lat0) * u) * MWDS_DEG2RAD,
                  (f->lon0 + (f->lon1 - f->lon0) * u) * MWDS_DEG2RAD,
                  f->apogee_m * sin(MWDS_PI * u)};
    return p;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

int main(int argc, char **argv)
{
    int n = 200, seconds = 30, port = 0, real = 0;
    double rate = 4, speed = 4;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--tracks") == 0 && i + 1 < argc)
            n = atoi(argv[++i]);
        else if (strcmp(argv[i], "--seconds") == 0 && i + 1 < argc)
            seconds = atoi(argv[++i]);
        else if (strcmp(argv[i], "--rate") == 0 && i + 1 < argc)
            rate = atof(argv[++i]);
        else if (strcmp(argv[i], "--speed") == 0 && i + 1 < argc)
            speed = atof(argv[++i]);
        else if (strcmp(argv[i], "--port") == 0 && i + 1 < argc)
            port = atoi(argv[++i]);
        else if (strcmp(argv[i], "--real") == 0)
            real = 1;
        else {
            fprintf(stderr, "usage: bench_web [--tracks N] [--seconds S] [--rate R] [--speed X] "
                            "[--port P] [--real]\n");
            return 2;
        }
    }
    if (n < 1 || n > 2000 || seconds < 1 || !(rate > 0) || !(speed > 0) || port < 0 ||
        port > 65535) {
        fprintf(stderr, "bench_web: a value is out of range\n");
        return 2;
    }
    signal(SIGINT, on_signal);
    signal(SIGTERM, on_signal);
    srand(7);
    flight *fl = calloc((size_t)n, sizeof *fl);
    mwds_track *tr = calloc((size_t)n, sizeof *tr);
    if (fl == NULL || tr == NULL)
        return 1;
    for (int i = 0; i < n; i++) {
        flight *f = &fl[i];
        f->lat0 = 38.5 + (i % 8) * 0.5 + (rand() % 100) * 0.002;
        f->lon0 = 124.5 + (i % 8) * 0.4 + (rand() % 100) * 0.002;
        f->lat1 = 26.0 + (rand() % 1000) * 0.018;
        f->lon1 = 131.0 + (rand() % 1000) * 0.04;
        f->apogee_m = 300e3 + (rand() % 1000) * 700.0;
        f->t_flight_s = 700 + (rand() % 600);
        f->t_launch_s = (i % 50) * 2.0;
    }
    mwds_picture_config pc;
    mwds_picture_config_default(&pc);
    snprintf(pc.nation, sizeof pc.nation, "JPN");
    pc.exercise = !real;
    snprintf(pc.exercise_name, sizeof pc.exercise_name, "bench-200");
    pc.start_t_ns = T0;
    mwds_picture *pic = NULL;
    if (mwds_picture_create(&pc, &pic) != MWDS_OK)
        return 1;
    mwds_web_config wc;
    mwds_web_config_default(&wc);
    wc.port = (uint16_t)port;
    mwds_web *web = NULL;
    char err[256];
    if (mwds_web_start(&wc, &web, err, sizeof err) != MWDS_OK) {
        fprintf(stderr, "bench_web: %s\n", err);
        return 1;
    }
    printf("url http://127.0.0.1:%u/\n", mwds_web_port(web));
    fflush(stdout);
    const char *nations[3] = {"KOR", "USA", "JPN"};
    uint32_t ids[3] = {1, 1, 1};
    size_t max_posts = (size_t)(seconds * rate) + 2, n_posts = 0;
    double *build_ms = calloc(max_posts, sizeof *build_ms);
    size_t largest = 0;
    int64_t start = mono_ns(), next_post = start;
    int warned = 0;
    while (!g_stop && mono_ns() - start < (int64_t)seconds * 1000000000) {
        /* picture time: 120 s after launch of the first, going on at speed x */
        double t_s = 300.0 + speed * (double)(mono_ns() - start) / 1e9;
        int64_t t_ns = T0 + (int64_t)(t_s * 1e9);
        for (int i = 0; i < n; i++) {
            mwds_lla p = where(&fl[i], t_s), q = where(&fl[i], t_s + 1.0);
            mwds_vec3 a = mwds_geo_lla_to_ecef(p), b = mwds_geo_lla_to_ecef(q);
            mwds_track *t = &tr[i];
            t->number = (uint32_t)i + 1;
            t->status = MWDS_TRACK_CONFIRMED;
            t->f.model = MWDS_MODEL_BALLISTIC;
            t->f.n = 7;
            t->f.t_ns = t_ns;
            t->t_init_ns = T0 + (int64_t)((fl[i].t_launch_s + 60) * 1e9);
            for (int k = 0; k < 3; k++) {
                t->f.x.v[k] = a.v[k];
                t->f.x.v[3 + k] = b.v[k] - a.v[k];
                t->f.p.m[k][k] = 1e6;
                t->f.p.m[3 + k][3 + k] = 1e2;
            }
        }
        mwds_picture_update_tracks(pic, tr, n, t_ns);
        if (!warned) {
            /* each nation's warnings about each missile */
            for (int i = 0; i < n; i++)
                for (int a = 0; a < 3; a++)
                    for (int kind = 0; kind < 3; kind++) {
                        mwds_warning w;
                        memset(&w, 0, sizeof w);
                        snprintf(w.origin, sizeof w.origin, "%s", nations[a]);
                        w.id = ids[a]++;
                        w.kind = (mwds_warning_kind)kind;
                        w.exercise = !real;
                        w.track_number = (uint32_t)i + 1 + (uint32_t)a * 1000;
                        w.issued_t_ns = t_ns;
                        w.event_t_ns = T0 + (int64_t)((fl[i].t_launch_s + fl[i].t_flight_s) * 1e9);
                        if (kind == MWDS_WARN_OVERFLIGHT)
                            snprintf(w.area, sizeof w.area, "JPN");
                        w.basis.track_number = w.track_number;
                        w.basis.position = where(&fl[i], t_s);
                        w.basis.t_ns = t_ns;
                        w.basis.has_impact = 1;
                        w.basis.impact.ellipse.centre =
                            (mwds_lla){fl[i].lat1 * MWDS_DEG2RAD, fl[i].lon1 * MWDS_DEG2RAD, 0};
                        w.basis.impact.ellipse.semi_major_m = 30e3;
                        w.basis.impact.ellipse.semi_minor_m = 12e3;
                        w.basis.impact.ellipse.p = 0.95;
                        w.basis.impact.t_ns = w.event_t_ns;
                        w.basis.has_class = 1;
                        w.basis.cls.kind = MWDS_CLASS_IRBM;
                        w.basis.n_threatened = fl[i].lon1 < 142 ? 1 : 0;
                        snprintf(w.basis.threatened[0], MWDS_AREA_CODE_LEN, "JPN");
                        mwds_picture_add_warning(pic, &w, a == 2);
                    }
            warned = 1;
        }
        int64_t now = mono_ns();
        if (now >= next_post) {
            next_post = now + (int64_t)(1e9 / rate);
            int64_t b0 = mono_ns();
            for (int i = 0; i < n; i++) {
                const char origin[3][4] = {"KOR", "USA", "JPN"};
                const uint32_t num[3] = {(uint32_t)i + 1, (uint32_t)i + 1001, (uint32_t)i + 2001};
                mwds_picture_set_members(pic, (uint32_t)i + 1, origin, num, 3);
                mwds_assessment as;
                memset(&as, 0, sizeof as);
                as.track_number = (uint32_t)i + 1;
                as.t_ns = t_ns;
                as.has_impact = 1;
                as.impact.ellipse.centre =
                    (mwds_lla){fl[i].lat1 * MWDS_DEG2RAD, fl[i].lon1 * MWDS_DEG2RAD, 0};
                as.impact.ellipse.semi_major_m = 20e3 + 200.0 * (i % 100);
                as.impact.ellipse.semi_minor_m = 8e3;
                as.impact.ellipse.major_az_rad = 0.3 * (i % 10);
                as.impact.ellipse.p = 0.95;
                as.impact.t_ns = T0 + (int64_t)((fl[i].t_launch_s + fl[i].t_flight_s) * 1e9);
                as.has_launch = 1;
                as.launch.centre =
                    (mwds_lla){fl[i].lat0 * MWDS_DEG2RAD, fl[i].lon0 * MWDS_DEG2RAD, 0};
                as.launch.semi_major_m = 9e3;
                as.launch.semi_minor_m = 4e3;
                as.launch.p = 0.95;
                as.launch_t_ns = T0 + (int64_t)(fl[i].t_launch_s * 1e9);
                as.has_class = 1;
                as.cls.kind = MWDS_CLASS_IRBM;
                as.n_threatened = fl[i].lon1 < 142 ? 1 : 0;
                snprintf(as.threatened[0], MWDS_AREA_CODE_LEN, "JPN");
                as.n_overflown = 1;
                snprintf(as.overflown[0], MWDS_AREA_CODE_LEN, "JPN");
                as.overflight_t_ns[0] = t_ns + (int64_t)60e9;
                mwds_picture_set_assessment(pic, (uint32_t)i + 1, &as);
            }
            const char *json = NULL;
            size_t len = 0;
            if (mwds_picture_json(pic, wall_ns(), &json, &len) != MWDS_OK ||
                mwds_web_post(web, json) != MWDS_OK) {
                fprintf(stderr, "bench_web: snapshot failed\n");
                return 1;
            }
            if (n_posts < max_posts)
                build_ms[n_posts++] = (double)(mono_ns() - b0) / 1e6;
            if (len > largest)
                largest = len;
        }
        struct timespec ts = {0, 50000000};
        nanosleep(&ts, NULL);
    }
    qsort(build_ms, n_posts, sizeof *build_ms, cmp_double);
    mwds_web_stats st;
    mwds_web_get_stats(web, &st);
    printf("snapshots %zu of %d tracks, %zu kB each at most; built and posted in p50 %.2f ms, p99 "
           "%.2f ms, max %.2f ms; %llu sent on event streams\n",
           n_posts, n, largest / 1000, n_posts ? build_ms[n_posts / 2] : 0.0,
           n_posts ? build_ms[(size_t)((double)n_posts * 0.99)] : 0.0,
           n_posts ? build_ms[n_posts - 1] : 0.0, (unsigned long long)st.events_sent);
    mwds_web_stop(web);
    mwds_picture_destroy(pic);
    free(build_ms);
    free(fl);
    free(tr);
    return 0;
}
