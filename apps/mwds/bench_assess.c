/*
 * mwds bench assess: assessment accuracy and calibration over seeded Monte
 * Carlo runs, for an SRBM, an IRBM and a lofted ICBM, each seen by one
 * nation's radar.
 *
 * Every run flies its own missile of the case's class (the nominal launch
 * moved at random: see run_case) and draws its own measurement noise,
 * detections and false alarms. A tracker and an assessor (assessing every 5 s) run over it; every
 * assessment of a confirmed, ballistic track on the missile is compared with
 * the truth:
 *   PIP error      distance from the predicted impact point (the ellipse's
 *                  centre) to the true impact;
 *   time error     predicted minus true time of impact;
 *   calibration    whether the 95 % impact ellipse contains the true impact,
 *                  over assessments of tracks older than 60 s (the goal is
 *                  90-99 %), and the same for the launch ellipse and the true
 *                  launch point; with each, the median of the truth's
 *                  distance in units of the ellipse (mwds_ellipse_radius),
 *                  0.48 when the ellipse is the right size, smaller when it
 *                  is too large;
 *   first warning  time from launch to the first LAUNCH warning.
 * Errors "at T+x" are each run's latest assessment at or before x seconds
 * after launch; the table gives the median over runs and the 90th
 * percentile. --seed S (default 1) draws another set of runs: other
 * missiles, noise, detections and false alarms.
 */
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "commands.h"
#include "mwds/assess.h"
#include "mwds/rng.h"
#include "mwds/scenario.h"
#include "mwds/sim.h"

#ifndef MWDS_AREAS_FILE
#define MWDS_AREAS_FILE "data/areas.geojson"
#endif

#define N_TIMES 5

typedef struct bench_case {
    const char *name;
    const char *yaml;
    double times_s[N_TIMES]; /* after launch */
} bench_case;

static const bench_case CASES[] = {
    {"srbm",
     "name: bench-srbm\nstart: 2026-11-23T00:00:00Z\nduration_s: 600\nseed: 1\n"
     "nations: [{code: KOR}]\nsensors:\n"
     "  - {id: R, nation: KOR, type: radar, site: {lat_deg: 37.5, lon_deg: 129.0, height_m: 200},\n"
     "     boresight_az_deg: 15, az_half_width_deg: 75, el_min_deg: 1, range_max_km: 1200,\n"
     "     revisit_s: 1, pd: 0.95, false_alarms_per_scan: 0.2, sigma_range_m: 60,\n"
     "     sigma_az_deg: 0.06, sigma_el_deg: 0.06, sigma_range_rate_m_s: 1.0}\n"
     "launches:\n  - {id: M, time_s: 10, class: srbm, launch: {lat_deg: 39.0, lon_deg: 125.7},\n"
     "     target: {lat_deg: 38.8, lon_deg: 130.5}}\n",
     {90, 120, 150, 200, 250}},
    {"irbm",
     "name: bench-irbm\nstart: 2026-11-23T00:00:00Z\nduration_s: 1500\nseed: 1\n"
     "nations: [{code: JPN}]\nsensors:\n"
     "  - {id: R, nation: JPN, type: radar, site: {lat_deg: 40.8, lon_deg: 140.3, height_m: 50},\n"
     "     el_min_deg: 0.5, range_max_km: 2500, revisit_s: 1, pd: 0.95,\n"
     "     false_alarms_per_scan: 0.2, sigma_range_m: 50, sigma_az_deg: 0.05,\n"
     "     sigma_el_deg: 0.05}\n"
     "launches:\n  - {id: M, time_s: 10, class: irbm, launch: {lat_deg: 40.61, lon_deg: 126.43},\n"
     "     azimuth_deg: 84.2, range_km: 4600, apogee_km: 970}\n",
     {240, 300, 400, 600, 900}},
    {"icbm-lofted",
     "name: bench-icbm-lofted\nstart: 2026-11-23T00:00:00Z\nduration_s: 3400\nseed: 1\n"
     "nations: [{code: USA}]\nsensors:\n"
     "  - {id: R, nation: USA, type: radar, site: {lat_deg: 40.9, lon_deg: 140.1, height_m: 100},\n"
     "     el_min_deg: 0.5, range_max_km: 4000, revisit_s: 1, pd: 0.95,\n"
     "     false_alarms_per_scan: 0.2, sigma_range_m: 30, sigma_az_deg: 0.03,\n"
     "     sigma_el_deg: 0.03}\n"
     "launches:\n  - {id: M, time_s: 10, class: icbm-liquid-2,\n"
     "     launch: {lat_deg: 39.2, lon_deg: 125.67}, target: {lat_deg: 41.4, lon_deg: 137.0},\n"
     "     apogee_km: 4500}\n",
     {400, 900, 1800, 2700, 3100}},
};

typedef struct case_result {
    double first_launch_s;      /* mean over runs that warned */
    int runs_warned;
    double pip_km[N_TIMES][2];  /* median, 90th percentile */
    double toi_s[N_TIMES][2];   /* of |error| */
    int n_at[N_TIMES];
    long impact_n, impact_in, launch_n, launch_in;
    double impact_r_median, launch_r_median; /* 0.48 for a right-sized ellipse */
    double launch_km_median, launch_t_err_median_s;
} case_result;

static int cmp_d(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static double pct(double *v, int n, double p)
{
    if (n == 0)
        return NAN;
    qsort(v, (size_t)n, sizeof *v, cmp_d);
    int k = (int)ceil(p * n) - 1;
    return v[k < 0 ? 0 : k >= n ? n - 1 : k];
}

/* Appends v to a growing array. */
static mwds_err push(double **a, size_t *n, double v)
{
    if ((*n & (*n - 1)) == 0 && *n >= 4096) {
        double *g = realloc(*a, 2 * *n * sizeof **a);
        if (g == NULL)
            return MWDS_ENOMEM;
        *a = g;
    }
    (*a)[(*n)++] = v;
    return MWDS_OK;
}

static mwds_err run_case(const bench_case *bc, int runs, uint64_t seed, const mwds_areas *areas,
                         const mwds_launch_templates *lt, case_result *res, char *err,
                         size_t err_len)
{
    mwds_scenario sc;
    mwds_err e = mwds_scenario_parse(bc->name, bc->yaml, strlen(bc->yaml), &sc, err, err_len);
    if (e != MWDS_OK)
        return e;
    mwds_sim *sim = NULL;
    const mwds_traj_request nominal = sc.launches[0].req;
    double *pip = calloc((size_t)runs * N_TIMES, sizeof *pip);
    double *toi = calloc((size_t)runs * N_TIMES, sizeof *toi);
    double *lkm = calloc((size_t)runs, sizeof *lkm), *lts = calloc((size_t)runs, sizeof *lts);
    mwds_measurement *buf = calloc(4096, sizeof *buf);
    size_t n_ri = 0, n_rl = 0;
    double *ri = malloc(4096 * sizeof *ri), *rl = malloc(4096 * sizeof *rl);
    mwds_warning w[64];
    memset(res, 0, sizeof *res);
    if (!pip || !toi || !lkm || !lts || !buf || !ri || !rl) {
        e = MWDS_ENOMEM;
        goto done;
    }
    int n_l = 0;
    double first_sum = 0.0;
    for (int run = 0; run < runs && e == MWDS_OK; run++) {
        /* this run's missile: the nominal one moved by up to +-0.5 degrees
         * at both ends (or +-5 degrees of azimuth and -10 % of range), so
         * the templates' misfit varies from run to run as it would between
         * real launches */
        mwds_rng vr;
        mwds_rng_seed(&vr, 76 + seed, (uint64_t)run);
        mwds_sim_destroy(sim);
        sim = NULL;
        for (int attempt = 0; attempt < 8 && sim == NULL; attempt++) {
            mwds_traj_request *q = &sc.launches[0].req;
            *q = nominal;
            q->launch.lat_rad += (mwds_rng_uniform(&vr) - 0.5) * MWDS_DEG2RAD;
            q->launch.lon_rad += (mwds_rng_uniform(&vr) - 0.5) * MWDS_DEG2RAD;
            if (q->has_target) {
                q->target.lat_rad += (mwds_rng_uniform(&vr) - 0.5) * MWDS_DEG2RAD;
                q->target.lon_rad += (mwds_rng_uniform(&vr) - 0.5) * MWDS_DEG2RAD;
            } else {
                q->azimuth_rad += (mwds_rng_uniform(&vr) - 0.5) * 10.0 * MWDS_DEG2RAD;
                q->range_m *= 0.9 + 0.1 * mwds_rng_uniform(&vr);
            }
            if (mwds_sim_create(&sc, &sim, err, err_len) != MWDS_OK)
                sim = NULL; /* out of the class's reach: draw again */
        }
        if (sim == NULL) {
            e = MWDS_EUNREACH;
            break;
        }
        err[0] = '\0';
        mwds_sim_restart(sim, 1000 * seed + (uint64_t)run);
        const mwds_traj *truth = mwds_sim_trajectory(sim, 0);
        const int64_t launch_ns = truth->launch_t_ns;
        const int64_t impact_ns = launch_ns + mwds_time_from_s(truth->sum.flight_time_s);
        const mwds_lla impact = truth->sum.impact, pad = truth->sum.launch;
        mwds_tracker_config tc;
        mwds_tracker_config_default(&tc);
        mwds_tracker *trk = NULL;
        mwds_assessor *as = NULL;
        mwds_assessor_config acfg;
        mwds_assessor_config_default(&acfg);
        acfg.areas = areas;
        acfg.templates = lt;
        acfg.min_interval_s = 5.0;
        snprintf(acfg.origin, sizeof acfg.origin, "%s", sc.nations[0].code);
        if ((e = mwds_tracker_create(&tc, &sc.sensors[0].sensor, 1, &trk)) != MWDS_OK ||
            (e = mwds_assessor_create(&acfg, &as)) != MWDS_OK) {
            mwds_tracker_destroy(trk);
            break;
        }
        double at_pip[N_TIMES], at_toi[N_TIMES];
        for (int k = 0; k < N_TIMES; k++)
            at_pip[k] = at_toi[k] = NAN;
        int warned = 0, launch_recorded = 0;
        int64_t last_seen[1024];
        memset(last_seen, 0, sizeof last_seen);
        for (;;) {
            int n = 0;
            mwds_sim_look_info look;
            e = mwds_sim_look(sim, INT64_MAX, buf, 4096, &n, &look);
            if (e == MWDS_ENOTFOUND) {
                e = MWDS_OK;
                break;
            }
            if (e != MWDS_OK)
                break;
            if ((e = mwds_tracker_look_dwell(trk, 0, look.dwell, look.t_ns, buf, n, NULL)) != MWDS_OK)
                break;
            int n_slots, nw;
            const mwds_track *tracks = mwds_tracker_tracks(trk, &n_slots);
            while ((e = mwds_assessor_update(as, tracks, n_slots, look.t_ns, w, 64, &nw)) ==
                   MWDS_EFULL)
                ;
            if (e != MWDS_OK)
                break;
            for (int k = 0; k < nw; k++)
                if (w[k].kind == MWDS_WARN_LAUNCH && !warned) {
                    warned = 1;
                    first_sum += mwds_time_to_s(look.t_ns - launch_ns);
                    res->runs_warned++;
                }
            double since = mwds_time_to_s(look.t_ns - launch_ns);
            for (int i = 0; i < n_slots; i++) {
                const mwds_track *tr = &tracks[i];
                if (tr->status != MWDS_TRACK_CONFIRMED)
                    continue;
                const mwds_assessment *a = mwds_assessor_latest(as, tr->number);
                size_t slot = tr->number % 1024;
                if (a == NULL || a->t_ns == last_seen[slot])
                    continue;
                last_seen[slot] = a->t_ns;
                double age = mwds_time_to_s(a->t_ns - tr->t_init_ns);
                if (a->has_launch && age >= 60.0) {
                    res->launch_n++;
                    res->launch_in += mwds_ellipse_contains(&a->launch, pad);
                    if ((e = push(&rl, &n_rl, mwds_ellipse_radius(&a->launch, pad))) != MWDS_OK)
                        break;
                    if (!launch_recorded && a->ballistic) {
                        double d = 0.0;
                        mwds_geo_inverse(a->launch.centre, pad, &d, NULL, NULL);
                        lkm[n_l] = d / 1e3;
                        lts[n_l] = fabs(mwds_time_to_s(a->launch_t_ns - launch_ns));
                        n_l++;
                        launch_recorded = 1;
                    }
                }
                if (!a->ballistic || !a->has_impact)
                    continue;
                double d = 0.0;
                mwds_geo_inverse(a->impact.ellipse.centre, impact, &d, NULL, NULL);
                double dt = mwds_time_to_s(a->impact.t_ns - impact_ns);
                if (age >= 60.0) {
                    res->impact_n++;
                    res->impact_in += mwds_ellipse_contains(&a->impact.ellipse, impact);
                    if ((e = push(&ri, &n_ri, mwds_ellipse_radius(&a->impact.ellipse, impact))) !=
                        MWDS_OK)
                        break;
                }
                for (int k = 0; k < N_TIMES; k++)
                    if (since <= bc->times_s[k]) {
                        at_pip[k] = d / 1e3;
                        at_toi[k] = fabs(dt);
                    }
            }
            if (e != MWDS_OK)
                break;
        }
        for (int k = 0; k < N_TIMES; k++)
            if (!isnan(at_pip[k])) {
                pip[k * runs + res->n_at[k]] = at_pip[k];
                toi[k * runs + res->n_at[k]] = at_toi[k];
                res->n_at[k]++;
            }
        mwds_assessor_destroy(as);
        mwds_tracker_destroy(trk);
    }
    if (e == MWDS_OK) {
        res->first_launch_s = res->runs_warned ? first_sum / res->runs_warned : NAN;
        for (int k = 0; k < N_TIMES; k++) {
            res->pip_km[k][0] = pct(pip + k * runs, res->n_at[k], 0.5);
            res->pip_km[k][1] = pct(pip + k * runs, res->n_at[k], 0.9);
            res->toi_s[k][0] = pct(toi + k * runs, res->n_at[k], 0.5);
            res->toi_s[k][1] = pct(toi + k * runs, res->n_at[k], 0.9);
        }
        res->launch_km_median = pct(lkm, n_l, 0.5);
        res->impact_r_median = pct(ri, (int)n_ri, 0.5);
        res->launch_r_median = pct(rl, (int)n_rl, 0.5);
        res->launch_t_err_median_s = pct(lts, n_l, 0.5);
    }
done:
    free(pip);
    free(toi);
    free(lkm);
    free(lts);
    free(buf);
    free(ri);
    free(rl);
    mwds_sim_destroy(sim);
    mwds_scenario_fini(&sc);
    return e;
}

int bench_assess(int argc, char **argv, const char *help)
{
    const char *cmd = "bench assess";
    cli_flag flags[] = {{"--runs", 1, NULL}, {"--json", 0, NULL}, {"--areas", 1, NULL},
                        {"--case", 1, NULL}, {"--seed", 1, NULL}, {"--help", 0, NULL},
                        {NULL, 0, NULL}};
    int rc = cli_start(cmd, argc, argv, flags, help);
    if (rc != CLI_CONTINUE)
        return rc;
    double runs = 20;
    const char *v;
    if ((v = cli_get(flags, "--runs")) && (rc = cli_number(cmd, "--runs", v, 1, 10000, &runs)))
        return rc;
    double seed = 1;
    if ((v = cli_get(flags, "--seed")) && (rc = cli_number(cmd, "--seed", v, 1, 1e9, &seed)))
        return rc;
    int json = cli_get(flags, "--json") != NULL;
    const char *only = cli_get(flags, "--case");
    size_t n_cases = sizeof CASES / sizeof CASES[0];
    if (only) {
        size_t c = 0;
        while (c < n_cases && strcmp(CASES[c].name, only) != 0)
            c++;
        if (c == n_cases) {
            fprintf(stderr, "mwds %s: --case: expected srbm, irbm or icbm-lofted, got '%s'\n",
                    cmd, only);
            return CLI_EXIT_USAGE;
        }
    }
    const char *areas_path = cli_get(flags, "--areas") ? cli_get(flags, "--areas") : MWDS_AREAS_FILE;
    mwds_areas areas;
    char err[512] = "";
    if (mwds_areas_load(areas_path, &areas, err, sizeof err) != MWDS_OK) {
        fprintf(stderr, "mwds %s: %s\n", cmd, err);
        return CLI_EXIT_USAGE;
    }
    mwds_launch_templates *lt = NULL;
    if (mwds_launch_templates_create(&lt) != MWDS_OK) {
        mwds_areas_fini(&areas);
        fprintf(stderr, "mwds %s: cannot make the launch templates\n", cmd);
        return CLI_EXIT_FAIL;
    }
    json_t *arr = json_array();
    rc = CLI_EXIT_OK;
    for (size_t c = 0; c < n_cases; c++) {
        if (only && strcmp(CASES[c].name, only) != 0)
            continue;
        case_result r;
        mwds_err e =
            run_case(&CASES[c], (int)runs, (uint64_t)seed, &areas, lt, &r, err, sizeof err);
        if (e != MWDS_OK) {
            fprintf(stderr, "mwds %s: %s: %s%s%s\n", cmd, CASES[c].name, mwds_strerror(e),
                    err[0] ? ": " : "", err);
            rc = CLI_EXIT_FAIL;
            break;
        }
        double cal_i = r.impact_n ? (double)r.impact_in / (double)r.impact_n : NAN;
        double cal_l = r.launch_n ? (double)r.launch_in / (double)r.launch_n : NAN;
        if (json) {
            json_t *at = json_array();
            for (int k = 0; k < N_TIMES; k++)
                json_array_append_new(
                    at, json_pack("{s:f, s:i, s:o, s:o, s:o, s:o}", "t_after_launch_s",
                                  CASES[c].times_s[k], "runs", r.n_at[k], "pip_error_km_median",
                                  r.n_at[k] ? json_real(r.pip_km[k][0]) : json_null(),
                                  "pip_error_km_p90",
                                  r.n_at[k] ? json_real(r.pip_km[k][1]) : json_null(),
                                  "toi_error_s_median",
                                  r.n_at[k] ? json_real(r.toi_s[k][0]) : json_null(),
                                  "toi_error_s_p90",
                                  r.n_at[k] ? json_real(r.toi_s[k][1]) : json_null()));
            json_array_append_new(
                arr, json_pack("{s:s, s:i, s:o, s:o, s:o, s:o, s:o, s:I, s:o, s:I, s:o, s:o}", "case",
                               CASES[c].name, "runs", (int)runs, "first_launch_warning_s",
                               isnan(r.first_launch_s) ? json_null() : json_real(r.first_launch_s),
                               "at", at, "impact_ellipse_containment",
                               isnan(cal_i) ? json_null() : json_real(cal_i),
                               "impact_ellipse_radius_median", json_real(r.impact_r_median),
                               "launch_ellipse_radius_median", json_real(r.launch_r_median),
                               "impact_assessments",
                               (json_int_t)r.impact_n, "launch_ellipse_containment",
                               isnan(cal_l) ? json_null() : json_real(cal_l), "launch_assessments",
                               (json_int_t)r.launch_n, "launch_error_km_median",
                               isnan(r.launch_km_median) ? json_null()
                                                         : json_real(r.launch_km_median),
                               "launch_time_error_s_median",
                               isnan(r.launch_t_err_median_s) ? json_null()
                                                              : json_real(r.launch_t_err_median_s)));
        } else {
            printf("%s, %d runs: first LAUNCH warning %.0f s after launch (%d runs warned)\n",
                   CASES[c].name, (int)runs, r.first_launch_s, r.runs_warned);
            printf("  %-12s %16s %16s\n", "after launch", "PIP error km", "impact time s");
            for (int k = 0; k < N_TIMES; k++) {
                if (r.n_at[k] == 0) {
                    printf("  T+%-9.0f %16s %16s\n", CASES[c].times_s[k], "no prediction", "");
                    continue;
                }
                printf("  T+%-9.0f %7.1f (p90 %5.1f) %7.1f (p90 %5.1f)%s\n", CASES[c].times_s[k],
                       r.pip_km[k][0], r.pip_km[k][1], r.toi_s[k][0], r.toi_s[k][1],
                       r.n_at[k] < (int)runs ? " (not every run)" : "");
            }
            printf("  95 %% impact ellipse holds the true impact in %.1f %% of %ld assessments "
                   "(tracks > 60 s old; goal 90-99 %%);\n    median radius of the truth %.2f "
                   "(0.48 if right-sized)\n",
                   100.0 * cal_i, r.impact_n, r.impact_r_median);
            printf("  95 %% launch ellipse holds the true pad in %.1f %% of %ld assessments; "
                   "median radius %.2f;\n    median pad error %.1f km, launch time %.1f s\n\n",
                   100.0 * cal_l, r.launch_n, r.launch_r_median, r.launch_km_median,
                   r.launch_t_err_median_s);
            fflush(stdout);
        }
    }
    if (json && rc == CLI_EXIT_OK) {
        json_dumpf(arr, stdout, JSON_INDENT(2) | JSON_REAL_PRECISION(6));
        printf("\n");
    }
    json_decref(arr);
    mwds_launch_templates_destroy(lt);
    mwds_areas_fini(&areas);
    return rc;
}
