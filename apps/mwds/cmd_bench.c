/*
 * mwds bench: the tracking figures the project promises, measured.
 *   accuracy  filters against the posterior Cramer-Rao lower bound
 *   track     filter updates per second and tracker scan times
 */
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#include "cli.h"
#include "commands.h"
#include "mwds/rng.h"
#include "mwds/track.h"

static const char BENCH_HELP[] =
    "usage: mwds bench accuracy [--runs N] [--seed S] [--json]\n"
    "       mwds bench track [--targets N] [--seconds S] [--json]\n"
    "       mwds bench assess [--runs N] [--case srbm|irbm|icbm-lofted] [--areas FILE] [--seed S]\n"
    "                         [--json]\n"
    "       mwds bench latency [--rates R1,R2,...] [--json]   (see mwds bench latency --help)\n"
    "\n"
    "accuracy: N (default 100) seeded Monte Carlo runs of each filter (EKF, CKF) on two\n"
    "cases: one radar tracking an ICBM through midcourse, and a re-entry with unknown\n"
    "ballistic coefficient. Prints, over the converged part of each flight, the position\n"
    "RMSE over the posterior Cramer-Rao lower bound (goal <= 1.25) and the fraction of\n"
    "times the average NEES lies in its 95 %% chi-square bounds (goal >= 0.9).\n"
    "\n"
    "track: EKF updates per second on one core, and the tracker's time per scan for\n"
    "N targets (default 1, 10, 100 and 1000) with clutter, at 10 Hz, and peak memory.\n"
    "\n"
    "assess: N (default 20) seeded runs each of an SRBM, an IRBM and a lofted ICBM seen\n"
    "by one radar: predicted impact point and time errors at fixed times after launch,\n"
    "time to the first LAUNCH warning, and how often the 95 %% impact and launch\n"
    "ellipses hold the truth (goal 90-99 %%). --case runs one case only.\n";

static const char *case_name(mwds_accuracy_case c)
{
    return c == MWDS_ACC_MIDCOURSE ? "midcourse" : "reentry";
}

static const char *filter_name(mwds_filter_kind k) { return k == MWDS_FILTER_CKF ? "ckf" : "ekf"; }

static int bench_accuracy(int argc, char **argv)
{
    const char *cmd = "bench accuracy";
    cli_flag flags[] = {{"--runs", 1, NULL},
                        {"--seed", 1, NULL},
                        {"--json", 0, NULL},
                        {"--help", 0, NULL},
                        {NULL, 0, NULL}};
    int rc = cli_start(cmd, argc, argv, flags, BENCH_HELP);
    if (rc != CLI_CONTINUE)
        return rc;
    double runs = 100, seed = 1;
    const char *v;
    if ((v = cli_get(flags, "--runs")) && (rc = cli_number(cmd, "--runs", v, 2, 1e6, &runs)))
        return rc;
    if ((v = cli_get(flags, "--seed")) && (rc = cli_number(cmd, "--seed", v, 0, 9e15, &seed)))
        return rc;
    int json = cli_get(flags, "--json") != NULL;
    json_t *arr = json_array();
    int ok = 1;
    if (!json)
        printf("%-10s %-4s %5s %9s %11s %12s %8s %9s %12s %8s\n", "case", "filt", "runs",
               "window s", "rmse pos m", "pcrlb pos m", "ratio", "max ratio", "nees mean",
               "in 95%");
    for (int c = MWDS_ACC_MIDCOURSE; c <= MWDS_ACC_REENTRY; c++)
        for (int k = MWDS_FILTER_EKF; k <= MWDS_FILTER_CKF; k++) {
            mwds_accuracy_result r;
            mwds_err e = mwds_accuracy_run((mwds_accuracy_case)c, (mwds_filter_kind)k, (int)runs,
                                           (uint64_t)seed, &r);
            if (e != MWDS_OK) {
                fprintf(stderr, "mwds %s: %s with %s: %s\n", cmd, case_name((mwds_accuracy_case)c),
                        filter_name((mwds_filter_kind)k), mwds_strerror(e));
                json_decref(arr);
                return CLI_EXIT_FAIL;
            }
            int pass = r.rmse_pcrlb_ratio <= 1.25 && r.nees_in_bounds >= 0.9 && r.failed_runs == 0;
            ok &= pass;
            if (json) {
                json_array_append_new(
                    arr, json_pack("{s:s, s:s, s:i, s:i, s:i, s:f, s:f, s:f, s:f, s:f, s:f, s:f, "
                                   "s:f, s:f, s:f, s:f, s:f, s:f, s:f, s:b}",
                                   "case", case_name((mwds_accuracy_case)c), "filter",
                                   filter_name((mwds_filter_kind)k), "runs", r.runs,
                                   "failed_runs", r.failed_runs, "steps", r.steps, "t_from_s",
                                   r.t_from_s, "t_to_s", r.t_to_s, "rmse_pos_m", r.rmse_pos_m,
                                   "pcrlb_pos_m", r.pcrlb_pos_m, "rmse_pcrlb_ratio",
                                   r.rmse_pcrlb_ratio, "max_step_ratio", r.max_step_ratio,
                                   "rmse_vel_m_s", r.rmse_vel_m_s, "pcrlb_vel_m_s",
                                   r.pcrlb_vel_m_s, "nees_mean", r.nees_mean, "nees_lo",
                                   r.nees_lo, "nees_hi", r.nees_hi, "nees_in_bounds",
                                   r.nees_in_bounds, "nis_mean", r.nis_mean, "nis_in_bounds",
                                   r.nis_in_bounds, "meets_goal", pass));
            } else {
                printf("%-10s %-4s %5d %4.0f-%-4.0f %11.2f %12.2f %8.3f %9.3f %5.2f/%-2d %7.1f%%%s\n",
                       case_name((mwds_accuracy_case)c), filter_name((mwds_filter_kind)k), r.runs,
                       r.t_from_s, r.t_to_s, r.rmse_pos_m, r.pcrlb_pos_m, r.rmse_pcrlb_ratio,
                       r.max_step_ratio, r.nees_mean, r.dof_nees, 100.0 * r.nees_in_bounds,
                       pass ? "" : "  (misses the goal)");
                fflush(stdout);
            }
        }
    if (json) {
        json_dumpf(arr, stdout, JSON_INDENT(2) | JSON_REAL_PRECISION(6));
        printf("\n");
    } else {
        printf("goal: ratio <= 1.25 and NEES in bounds >= 90 %%: %s\n", ok ? "met" : "NOT met");
    }
    json_decref(arr);
    return CLI_EXIT_OK;
}

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static double peak_rss_mb(void)
{
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return (double)ru.ru_maxrss / 1024.0; /* Linux: kilobytes */
}

#define T0_NS (INT64_C(1795000000) * INT64_C(1000000000))

/* A radar that sees the whole box of targets: all round, 0-89.5 degrees,
 * out to 5,000 km, 10 Hz, pd 0.95, 50 false alarms per scan. */
static mwds_sensor bench_radar(void)
{
    mwds_sensor s;
    memset(&s, 0, sizeof s);
    s.kind = MWDS_SENSOR_RADAR;
    s.revisit_s = 0.1;
    s.pd = 0.95;
    s.false_alarms_per_scan = 50.0;
    s.radar.site = (mwds_lla){40.0 * MWDS_DEG2RAD, 140.0 * MWDS_DEG2RAD, 0.0};
    s.radar.az_half_width_rad = MWDS_PI;
    s.radar.el_min_rad = 0.0;
    s.radar.el_max_rad = 89.5 * MWDS_DEG2RAD;
    s.radar.range_min_m = 1e3;
    s.radar.range_max_m = 5e6;
    s.radar.sigma_range_m = 20.0;
    s.radar.sigma_az_rad = 3e-4;
    s.radar.sigma_el_rad = 3e-4;
    mwds_sensor_init(&s);
    return s;
}

/* Updates per second of the EKF with a radar measurement (h(x), Jacobian,
 * Joseph update), and predictions per second over one 0.1 s scan. */
static void filter_rates(double seconds, double *updates_per_s, double *predicts_per_s)
{
    mwds_sensor radar = bench_radar();
    mwds_lla at = {41.0 * MWDS_DEG2RAD, 134.0 * MWDS_DEG2RAD, 600e3};
    mwds_vec3 p = mwds_geo_lla_to_ecef(at);
    mwds_mat3 enu = mwds_geo_enu_rotation(at.lat_rad, at.lon_rad);
    mwds_vec3 v = mwds_m3t_mul_v3(enu, mwds_v3(5500, 3000, 1500));
    double x[7] = {p.v[0], p.v[1], p.v[2], v.v[0], v.v[1], v.v[2], 1e-4}, p0[49] = {0};
    const double sig[7] = {100, 100, 100, 10, 10, 10, 1e-4};
    for (int i = 0; i < 7; i++)
        p0[i * 8] = sig[i] * sig[i];
    mwds_filter_state s0, s;
    mwds_filter_init(&s0, MWDS_MODEL_BALLISTIC, T0_NS, x, p0);
    mwds_measurement z;
    mwds_sensor_measure(&radar, p, v, &z);
    z.z[0] += 15.0;
    mwds_filter_params fp;
    mwds_tracker_config cfg;
    mwds_tracker_config_default(&cfg);
    fp = cfg.fp;
    volatile double sink = 0.0;
    long n = 0;
    double t0 = now_s(), t1;
    do {
        for (int k = 0; k < 1000; k++) {
            s = s0;
            mwds_ekf_update(&s, &radar, &z, NULL);
            sink += s.x.v[0];
        }
        n += 1000;
    } while ((t1 = now_s()) - t0 < seconds);
    *updates_per_s = (double)n / (t1 - t0);
    n = 0;
    t0 = now_s();
    do {
        for (int k = 0; k < 1000; k++) {
            s = s0;
            mwds_ekf_predict(&fp, &s, T0_NS + 100000000);
            sink += s.x.v[0];
        }
        n += 1000;
    } while ((t1 = now_s()) - t0 < seconds);
    *predicts_per_s = (double)n / (t1 - t0);
    (void)sink;
}

typedef struct scan_figures {
    int targets;
    double mean_ms, p99_ms, max_ms, rss_mb;
    int confirmed;        /* confirmed tracks at the end */
    long measurements;
} scan_figures;

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* N midcourse targets scattered over 800 x 800 km, 150-900 km up, at 3-6 km/s,
 * seen at 10 Hz for `seconds`. Times the tracker's scans after the first
 * 2 s (initiation). */
static mwds_err scan_times(int n_targets, double seconds, uint64_t seed, scan_figures *out)
{
    mwds_sensor radar = bench_radar();
    mwds_rng rng;
    mwds_rng_seed(&rng, seed, 1000);
    const int scans = (int)(seconds / radar.revisit_s);
    mwds_traj *tr = calloc((size_t)n_targets, sizeof *tr);
    mwds_vec3 *pos = calloc((size_t)n_targets, sizeof *pos), *vel = calloc((size_t)n_targets, sizeof *vel);
    int *burning = calloc((size_t)n_targets, sizeof *burning);
    uint32_t *ids = calloc((size_t)n_targets, sizeof *ids);
    double *ms = calloc((size_t)scans, sizeof *ms);
    const int max_meas = 2 * n_targets + 400;
    mwds_measurement *meas = calloc((size_t)max_meas, sizeof *meas);
    mwds_tracker *trk = NULL;
    mwds_err e = MWDS_ENOMEM;
    if (!tr || !pos || !vel || !burning || !ids || !ms || !meas)
        goto done;
    mwds_force_model fm;
    memset(&fm, 0, sizeof fm);
    fm.flags = MWDS_FORCE_ALL & ~(unsigned)MWDS_FORCE_THRUST;
    fm.beta_kg_m2 = 1e4;
    mwds_integ_opts opts;
    memset(&opts, 0, sizeof opts);
    opts.stop_t_s = seconds + 1.0;
    opts.record = 1;
    for (int i = 0; i < n_targets; i++) {
        mwds_lla at = {(36.0 + 7.0 * mwds_rng_uniform(&rng)) * MWDS_DEG2RAD,
                       (130.0 + 9.0 * mwds_rng_uniform(&rng)) * MWDS_DEG2RAD,
                       150e3 + 750e3 * mwds_rng_uniform(&rng)};
        double sp = 3000.0 + 3000.0 * mwds_rng_uniform(&rng);
        double az = 2.0 * MWDS_PI * mwds_rng_uniform(&rng);
        mwds_mat3 enu = mwds_geo_enu_rotation(at.lat_rad, at.lon_rad);
        mwds_vec3 v = mwds_m3t_mul_v3(enu, mwds_v3(sp * sin(az), sp * cos(az), 0.0));
        if ((e = mwds_ballistic_fly(&fm, mwds_geo_lla_to_ecef(at), v, T0_NS, &opts, &tr[i])) !=
            MWDS_OK)
            goto done;
        ids[i] = (uint32_t)i + 1;
    }
    mwds_tracker_config cfg;
    mwds_tracker_config_default(&cfg);
    cfg.max_tracks = 2 * n_targets + 512;
    cfg.max_meas_per_look = max_meas;
    if ((e = mwds_tracker_create(&cfg, &radar, 1, &trk)) != MWDS_OK)
        goto done;
    long total = 0;
    for (int k = 0; k < scans; k++) {
        double ts = k * radar.revisit_s;
        int64_t t_ns = T0_NS + mwds_time_from_s(ts);
        int m = 0;
        for (int i = 0; i < n_targets; i++)
            if (ts <= tr[i].sum.flight_time_s && mwds_traj_state(&tr[i], ts, &pos[m], &vel[m]) == MWDS_OK) {
                burning[m] = 0;
                ids[m] = (uint32_t)i + 1;
                m++;
            }
        int got = 0;
        e = mwds_sensor_look(&radar, t_ns, pos, vel, burning, ids, m, &rng, meas, max_meas, &got);
        if (e != MWDS_OK && e != MWDS_EFULL)
            goto done;
        total += got;
        double t0 = now_s();
        if ((e = mwds_tracker_look(trk, 0, t_ns, meas, got, NULL)) != MWDS_OK)
            goto done;
        ms[k] = 1e3 * (now_s() - t0);
    }
    int first = (int)(2.0 / radar.revisit_s);
    if (first >= scans)
        first = 0;
    double sum = 0.0;
    for (int k = first; k < scans; k++)
        sum += ms[k];
    out->targets = n_targets;
    out->mean_ms = sum / (scans - first);
    qsort(ms + first, (size_t)(scans - first), sizeof *ms, cmp_double);
    out->max_ms = ms[scans - 1];
    out->p99_ms = ms[first + (int)(0.99 * (scans - first - 1))];
    out->measurements = total;
    int n_slots;
    const mwds_track *tracks = mwds_tracker_tracks(trk, &n_slots);
    out->confirmed = 0;
    for (int i = 0; i < n_slots; i++)
        out->confirmed += tracks[i].status == MWDS_TRACK_CONFIRMED;
    out->rss_mb = peak_rss_mb();
    e = MWDS_OK;
done:
    if (tr != NULL)
        for (int i = 0; i < n_targets; i++)
            mwds_traj_fini(&tr[i]);
    mwds_tracker_destroy(trk);
    free(tr);
    free(pos);
    free(vel);
    free(burning);
    free(ids);
    free(ms);
    free(meas);
    return e;
}

static int bench_track(int argc, char **argv)
{
    const char *cmd = "bench track";
    cli_flag flags[] = {{"--targets", 1, NULL},
                        {"--seconds", 1, NULL},
                        {"--json", 0, NULL},
                        {"--help", 0, NULL},
                        {NULL, 0, NULL}};
    int rc = cli_start(cmd, argc, argv, flags, BENCH_HELP);
    if (rc != CLI_CONTINUE)
        return rc;
    double one = 0, seconds = 20;
    const char *v;
    if ((v = cli_get(flags, "--targets")) && (rc = cli_number(cmd, "--targets", v, 1, 100000, &one)))
        return rc;
    if ((v = cli_get(flags, "--seconds")) && (rc = cli_number(cmd, "--seconds", v, 3, 3600, &seconds)))
        return rc;
    int json = cli_get(flags, "--json") != NULL;
    int counts[4] = {1, 10, 100, 1000}, nc = 4;
    if (one > 0) {
        counts[0] = (int)one;
        nc = 1;
    }
    double ups, pps;
    filter_rates(1.0, &ups, &pps);
    json_t *root = json_object(), *scans = json_array();
    if (!json) {
        printf("EKF updates per second (radar, 7 states):      %12.0f  (goal >= 1,000,000)\n", ups);
        printf("EKF predictions per second (0.1 s, 7 states):  %12.0f\n\n", pps);
        printf("tracker at 10 Hz, 50 false alarms per scan, %.0f s:\n", seconds);
        printf("%8s %12s %10s %10s %10s %10s %8s\n", "targets", "meas/scan", "mean ms", "p99 ms",
               "max ms", "confirmed", "rss MB");
    }
    int realtime = 1;
    for (int c = 0; c < nc; c++) {
        scan_figures f;
        memset(&f, 0, sizeof f);
        mwds_err e = scan_times(counts[c], seconds, 7, &f);
        if (e != MWDS_OK) {
            fprintf(stderr, "mwds %s: %d targets: %s\n", cmd, counts[c], mwds_strerror(e));
            json_decref(root);
            json_decref(scans);
            return CLI_EXIT_FAIL;
        }
        if (counts[c] == 1000)
            realtime = f.p99_ms < 100.0;
        if (json)
            json_array_append_new(scans, json_pack("{s:i, s:f, s:f, s:f, s:f, s:i, s:f}", "targets",
                                                   f.targets, "measurements_per_scan",
                                                   (double)f.measurements / (seconds * 10.0),
                                                   "scan_mean_ms", f.mean_ms, "scan_p99_ms",
                                                   f.p99_ms, "scan_max_ms", f.max_ms,
                                                   "confirmed_tracks", f.confirmed, "rss_mb",
                                                   f.rss_mb));
        else
            printf("%8d %12.0f %10.3f %10.3f %10.3f %10d %8.1f\n", f.targets,
                   (double)f.measurements / (seconds * 10.0), f.mean_ms, f.p99_ms, f.max_ms,
                   f.confirmed, f.rss_mb);
        fflush(stdout);
    }
    if (json) {
        json_object_set_new(root, "updates_per_s", json_real(ups));
        json_object_set_new(root, "predicts_per_s", json_real(pps));
        json_object_set_new(root, "scan_period_ms", json_real(100.0));
        json_object_set_new(root, "scans", scans);
        json_object_set_new(root, "rss_mb", json_real(peak_rss_mb()));
        json_dumpf(root, stdout, JSON_INDENT(2) | JSON_REAL_PRECISION(6));
        printf("\n");
    } else {
        json_decref(scans);
        printf("\npeak memory %.1f MB; goals: %s updates/s, %s\n", peak_rss_mb(),
               ups >= 1e6 ? "met" : "NOT met",
               nc == 4 ? (realtime ? "1,000 targets in real time at 10 Hz met (p99 < 100 ms)"
                                   : "1,000 targets in real time NOT met")
                       : "real time: run without --targets for the 1,000-target figure");
    }
    json_decref(root);
    return CLI_EXIT_OK;
}

int cmd_bench(int argc, char **argv)
{
    if (argc >= 2 && strcmp(argv[1], "latency") == 0)
        return bench_latency(argc - 1, argv + 1);
    if (argc >= 2 && strcmp(argv[1], "assess") == 0)
        return bench_assess(argc - 1, argv + 1, BENCH_HELP);
    if (argc >= 2 && strcmp(argv[1], "track") == 0)
        return bench_track(argc - 1, argv + 1);
    if (argc >= 2 && strcmp(argv[1], "accuracy") == 0)
        return bench_accuracy(argc - 1, argv + 1);
    if (argc >= 2 && strcmp(argv[1], "--help") == 0) {
        fputs(BENCH_HELP, stdout);
        return CLI_EXIT_OK;
    }
    return cli_usage_error("bench",
                           "expected 'accuracy', 'track', 'assess' or 'latency' (see mwds bench --help)");
}
