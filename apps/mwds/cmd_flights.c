/*
 * mwds flights: fly each published flight's launch point, azimuth, range and
 * apogee through the trajectory model and compare its flight time with the
 * reported one. Text table, Markdown (for docs/) or JSON.
 */
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "commands.h"
#include "mwds/ballistic.h"

static const char FLIGHTS_HELP[] =
    "usage: mwds flights [--json | --markdown]\n"
    "\n"
    "Reproduces publicly reported flights: for each, the model solves the boost plan\n"
    "for the reported range and apogee from the reported launch area and prints the\n"
    "modelled flight time beside the reported one.\n";

typedef struct row {
    const mwds_published_flight *f;
    mwds_traj_summary s;
    double kick_deg;
} row;

static int fly_row(const mwds_published_flight *f, row *r, char *msg, size_t msg_len)
{
    mwds_traj_request req;
    memset(&req, 0, sizeof req);
    req.cls = mwds_catalogue_find(f->class_name);
    req.launch.lat_rad = f->launch_lat_deg * MWDS_DEG2RAD;
    req.launch.lon_rad = f->launch_lon_deg * MWDS_DEG2RAD;
    req.azimuth_rad = f->azimuth_deg * MWDS_DEG2RAD;
    req.range_m = f->range_km * 1000.0;
    req.apogee_m = f->apogee_km * 1000.0;
    mwds_boost_plan plan;
    mwds_traj tr;
    memset(&tr, 0, sizeof tr);
    mwds_err e = mwds_ballistic_solve(&req, &plan, &tr, msg, msg_len);
    if (e != MWDS_OK)
        return e;
    r->f = f;
    r->s = tr.sum;
    r->kick_deg = plan.kick_rad * MWDS_RAD2DEG;
    mwds_traj_fini(&tr);
    return MWDS_OK;
}

/* Model minus published flight time, percent; below the printed resolution
 * it is 0 (no "-0.0"). */
static double diff_pct(const row *r)
{
    double d = 100.0 * (r->s.flight_time_s - r->f->flight_time_s) / r->f->flight_time_s;
    return fabs(d) < 0.05 ? 0.0 : d;
}

static void mmss(double s, char *buf, size_t len)
{
    long whole = lround(s);
    snprintf(buf, len, "%ld min %02ld s", whole / 60, whole % 60);
}

int cmd_flights(int argc, char **argv)
{
    const char *cmd = "flights";
    cli_flag flags[] = {
        {"--json", 0, NULL}, {"--markdown", 0, NULL}, {"--help", 0, NULL}, {NULL, 0, NULL}};
    int rc = cli_start(cmd, argc, argv, flags, FLIGHTS_HELP);
    if (rc != CLI_CONTINUE)
        return rc;
    int json = cli_get(flags, "--json") != NULL, md = cli_get(flags, "--markdown") != NULL;
    if (json && md)
        return cli_usage_error(cmd, "--json and --markdown exclude each other");

    size_t n;
    const mwds_published_flight *fl = mwds_published_flights(&n);
    row rows[16];
    if (n > sizeof rows / sizeof rows[0])
        n = sizeof rows / sizeof rows[0];
    for (size_t i = 0; i < n; i++) {
        char msg[256] = "";
        mwds_err e = (mwds_err)fly_row(&fl[i], &rows[i], msg, sizeof msg);
        if (e != MWDS_OK) {
            fprintf(stderr, "mwds flights: %s: %s%s%s\n", fl[i].id, mwds_strerror(e),
                    msg[0] ? ": " : "", msg);
            return CLI_EXIT_FAIL;
        }
    }

    if (json) {
        json_t *arr = json_array();
        for (size_t i = 0; i < n; i++) {
            const row *r = &rows[i];
            json_array_append_new(
                arr, json_pack("{s:s, s:s, s:s, s:f, s:f, s:f, s:f, s:f, s:f, s:f, s:f, s:f}",
                               "id", r->f->id, "label", r->f->label, "class", r->f->class_name,
                               "range_km", r->s.range_m / 1000.0, "apogee_km",
                               r->s.apogee_m / 1000.0, "flight_time_s", r->s.flight_time_s,
                               "published_range_km", r->f->range_km, "published_apogee_km",
                               r->f->apogee_km, "published_flight_time_s", r->f->flight_time_s,
                               "flight_time_diff_pct", diff_pct(r), "burnout_time_s",
                               r->s.burnout_t_s, "burnout_speed_m_s", r->s.burnout_speed_m_s));
        }
        json_dumpf(arr, stdout, JSON_INDENT(2) | JSON_REAL_PRECISION(8));
        putchar('\n');
        json_decref(arr);
        return CLI_EXIT_OK;
    }

    if (md) {
        printf("| flight | class | range km (model) | apogee km (model) | flight time published "
               "| model | difference | burnout |\n");
        printf("|---|---|---|---|---|---|---|---|\n");
    } else {
        printf("Published flights reproduced by the mwds trajectory model\n");
        printf("(boost plan solved for the reported range and apogee; flight time is the "
               "model's output)\n\n");
        printf("%-11s %-36s %-14s %9s %9s %14s %14s %7s\n", "date", "flight", "class", "range km",
               "apogee km", "published", "model", "diff");
    }
    for (size_t i = 0; i < n; i++) {
        const row *r = &rows[i];
        char pub[32], mod[32];
        mmss(r->f->flight_time_s, pub, sizeof pub);
        mmss(r->s.flight_time_s, mod, sizeof mod);
        if (md)
            printf("| %s %s | %s | %.0f (%.1f) | %.0f (%.1f) | %s | %s | %+.1f %% | T+%.0f s, "
                   "%.0f km, %.2f km/s |\n",
                   r->f->id, r->f->label, r->f->class_name, r->f->range_km, r->s.range_m / 1000.0,
                   r->f->apogee_km, r->s.apogee_m / 1000.0, pub, mod, diff_pct(r),
                   r->s.burnout_t_s, r->s.burnout_h_m / 1000.0, r->s.burnout_speed_m_s / 1000.0);
        else
            printf("%-11s %-36s %-14s %9.1f %9.1f %14s %14s %+6.1f%%\n", r->f->id, r->f->label,
                   r->f->class_name, r->s.range_m / 1000.0, r->s.apogee_m / 1000.0, pub, mod,
                   diff_pct(r));
    }
    return CLI_EXIT_OK;
}
