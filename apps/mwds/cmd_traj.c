/*
 * mwds traj: solve and fly one trajectory, print its summary (text or JSON)
 * or its time series (CSV).
 */
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "commands.h"
#include "mwds/ballistic.h"

static const char TRAJ_HELP[] =
    "usage: mwds traj --launch LAT,LON (--azimuth DEG --range-km R | --target LAT,LON)\n"
    "                 [--apogee-km A] [--class NAME] [--json | --csv [--dt S]]\n"
    "                 [--no-drag] [--no-j2] [--no-rotation]\n"
    "\n"
    "Finds the boost plan that flies the range (minimum energy), or the range and the\n"
    "apogee (lofted or depressed), and prints apogee, range, flight time, burnout,\n"
    "maximum speed and the impact point. Without --class the smallest class that can\n"
    "fly it is used. --csv prints t_s,lat_deg,lon_deg,h_m,speed_m_s every --dt seconds\n"
    "(default 1) and at impact.\n";

/* Solves with the given class, or with the smallest (in catalogue order)
 * that can fly it. When none can, msg explains the failure that says most:
 * an apogee out of reach for a class that reaches the range, else the range
 * failure of the last class. */
static mwds_err solve_any(mwds_traj_request *req, const char *class_name, mwds_boost_plan *plan,
                          mwds_traj *tr, char *msg, size_t msg_len)
{
    if (class_name != NULL)
        return mwds_ballistic_solve(req, plan, tr, msg, msg_len);
    size_t n;
    const mwds_missile_class *cat = mwds_catalogue(&n);
    mwds_err e = MWDS_EUNREACH;
    char why[256] = "";
    for (size_t i = 0; i < n; i++) {
        char m[256] = "";
        req->cls = &cat[i];
        e = mwds_ballistic_solve(req, plan, tr, m, sizeof m);
        if (e == MWDS_OK)
            return e;
        if (e != MWDS_EUNREACH && e != MWDS_ENOCONV)
            break;
        if (strstr(why, "apogee") == NULL)
            snprintf(why, sizeof why, "%s", m);
    }
    snprintf(msg, msg_len, "no class in the catalogue can fly this: %s", why);
    return e;
}

static void print_text(const mwds_traj_request *req, const mwds_boost_plan *plan,
                       const mwds_traj *tr)
{
    const mwds_traj_summary *s = &tr->sum;
    printf("class         %s (%s)\n", req->cls->name, req->cls->label);
    printf("launch        %.4f, %.4f  azimuth %.2f deg\n", s->launch.lat_rad * MWDS_RAD2DEG,
           s->launch.lon_rad * MWDS_RAD2DEG, plan->azimuth_rad * MWDS_RAD2DEG);
    printf("boost plan    kick %.3f deg, thrust ends T+%.1f s\n", plan->kick_rad * MWDS_RAD2DEG,
           s->burnout_t_s);
    printf("burnout       T+%.1f s at %.1f km, %.0f m/s\n", s->burnout_t_s,
           s->burnout_h_m / 1000.0, s->burnout_speed_m_s);
    printf("apogee        %.1f km at T+%.1f s\n", s->apogee_m / 1000.0, s->apogee_t_s);
    printf("range         %.1f km\n", s->range_m / 1000.0);
    long whole = lround(s->flight_time_s);
    printf("flight time   %.1f s (%ld min %02ld s)\n", s->flight_time_s, whole / 60, whole % 60);
    printf("max speed     %.0f m/s\n", s->max_speed_m_s);
    printf("impact        %.4f, %.4f at %.0f m/s\n", s->impact.lat_rad * MWDS_RAD2DEG,
           s->impact.lon_rad * MWDS_RAD2DEG, s->impact_speed_m_s);
}

static int print_json(const mwds_traj_request *req, const mwds_boost_plan *plan,
                      const mwds_traj *tr)
{
    const mwds_traj_summary *s = &tr->sum;
    json_t *o = json_pack(
        "{s:s, s:s, s:f, s:f, s:f, s:f, s:f, s:f, s:f, s:f, s:f, s:f, s:f, s:f, s:f, s:f, s:f}",
        "class", req->cls->name, "kind", mwds_class_kind_name(req->cls->kind), "launch_lat",
        s->launch.lat_rad * MWDS_RAD2DEG, "launch_lon", s->launch.lon_rad * MWDS_RAD2DEG,
        "azimuth_deg", plan->azimuth_rad * MWDS_RAD2DEG, "kick_deg",
        plan->kick_rad * MWDS_RAD2DEG, "apogee_km", s->apogee_m / 1000.0, "apogee_time_s",
        s->apogee_t_s, "range_km", s->range_m / 1000.0, "flight_time_s", s->flight_time_s,
        "burnout_time_s", s->burnout_t_s, "burnout_alt_km", s->burnout_h_m / 1000.0,
        "burnout_speed_m_s", s->burnout_speed_m_s, "max_speed_m_s", s->max_speed_m_s,
        "impact_lat", s->impact.lat_rad * MWDS_RAD2DEG, "impact_lon",
        s->impact.lon_rad * MWDS_RAD2DEG, "impact_speed_m_s", s->impact_speed_m_s);
    if (o == NULL)
        return CLI_EXIT_FAIL;
    int rc = json_dumpf(o, stdout, JSON_INDENT(2) | JSON_REAL_PRECISION(10));
    json_decref(o);
    putchar('\n');
    return rc == 0 ? CLI_EXIT_OK : CLI_EXIT_FAIL;
}

static int print_csv_row(const mwds_traj *tr, double t)
{
    mwds_vec3 pos, vel;
    mwds_lla lla;
    if (mwds_traj_state(tr, t, &pos, &vel) != MWDS_OK || mwds_geo_ecef_to_lla(pos, &lla) != MWDS_OK)
        return 0;
    printf("%.3f,%.6f,%.6f,%.1f,%.1f\n", t, lla.lat_rad * MWDS_RAD2DEG, lla.lon_rad * MWDS_RAD2DEG,
           lla.h_m, mwds_v3_norm(vel));
    return 1;
}

static int print_csv(const mwds_traj *tr, double dt)
{
    printf("t_s,lat_deg,lon_deg,h_m,speed_m_s\n");
    double end = tr->sum.flight_time_s;
    for (long i = 0; (double)i * dt < end; i++)
        if (!print_csv_row(tr, (double)i * dt))
            return CLI_EXIT_FAIL;
    return print_csv_row(tr, end) ? CLI_EXIT_OK : CLI_EXIT_FAIL;
}

int cmd_traj(int argc, char **argv)
{
    const char *cmd = "traj";
    cli_flag flags[] = {{"--launch", 1, NULL},  {"--azimuth", 1, NULL}, {"--range-km", 1, NULL},
                        {"--target", 1, NULL},  {"--apogee-km", 1, NULL}, {"--class", 1, NULL},
                        {"--json", 0, NULL},    {"--csv", 0, NULL},     {"--dt", 1, NULL},
                        {"--no-drag", 0, NULL}, {"--no-j2", 0, NULL},   {"--no-rotation", 0, NULL},
                        {"--help", 0, NULL},    {NULL, 0, NULL}};
    int rc = cli_start(cmd, argc, argv, flags, TRAJ_HELP);
    if (rc != CLI_CONTINUE)
        return rc;
    mwds_traj_request req;
    memset(&req, 0, sizeof req);
    const char *v;
    if ((v = cli_get(flags, "--launch")) == NULL)
        return cli_usage_error(cmd, "--launch LAT,LON is required");
    if ((rc = cli_latlon(cmd, "--launch", v, &req.launch)) != CLI_EXIT_OK)
        return rc;
    if ((v = cli_get(flags, "--target")) != NULL) {
        if (cli_get(flags, "--azimuth") || cli_get(flags, "--range-km"))
            return cli_usage_error(cmd, "--target excludes --azimuth and --range-km");
        if ((rc = cli_latlon(cmd, "--target", v, &req.target)) != CLI_EXIT_OK)
            return rc;
        req.has_target = 1;
    } else {
        double az, range_km;
        if (cli_get(flags, "--azimuth") == NULL || cli_get(flags, "--range-km") == NULL)
            return cli_usage_error(cmd, "give --azimuth and --range-km, or --target");
        if ((rc = cli_number(cmd, "--azimuth", cli_get(flags, "--azimuth"), -360, 360, &az)) ||
            (rc = cli_number(cmd, "--range-km", cli_get(flags, "--range-km"), 0, 20000,
                             &range_km)))
            return rc;
        if (range_km <= 0.0)
            return cli_usage_error(cmd, "--range-km: must be positive, got %g", range_km);
        req.azimuth_rad = mwds_geo_wrap_2pi(az * MWDS_DEG2RAD);
        req.range_m = range_km * 1000.0;
    }
    if ((v = cli_get(flags, "--apogee-km")) != NULL) {
        double ap;
        if ((rc = cli_number(cmd, "--apogee-km", v, 0, 40000, &ap)) != CLI_EXIT_OK)
            return rc;
        if (ap <= 0.0)
            return cli_usage_error(cmd, "--apogee-km: must be positive, got %g", ap);
        req.apogee_m = ap * 1000.0;
    }
    const char *class_name = cli_get(flags, "--class");
    if (class_name != NULL && (req.cls = mwds_catalogue_find(class_name)) == NULL) {
        size_t n;
        const mwds_missile_class *cat = mwds_catalogue(&n);
        char names[256] = "";
        for (size_t i = 0; i < n; i++) {
            strncat(names, i ? ", " : "", sizeof names - strlen(names) - 1);
            strncat(names, cat[i].name, sizeof names - strlen(names) - 1);
        }
        return cli_usage_error(cmd, "--class: unknown class '%s' (known: %s)", class_name, names);
    }
    int json = cli_get(flags, "--json") != NULL, csv = cli_get(flags, "--csv") != NULL;
    if (json && csv)
        return cli_usage_error(cmd, "--json and --csv exclude each other");
    double dt = 1.0;
    if ((v = cli_get(flags, "--dt")) != NULL &&
        (rc = cli_number(cmd, "--dt", v, 0.001, 3600, &dt)) != CLI_EXIT_OK)
        return rc;
    req.force_flags = MWDS_FORCE_ALL;
    if (cli_get(flags, "--no-drag"))
        req.force_flags &= ~(unsigned)MWDS_FORCE_DRAG;
    if (cli_get(flags, "--no-j2"))
        req.force_flags &= ~(unsigned)MWDS_FORCE_J2;
    if (cli_get(flags, "--no-rotation"))
        req.force_flags &= ~(unsigned)MWDS_FORCE_ROTATION;

    mwds_boost_plan plan;
    mwds_traj tr;
    memset(&tr, 0, sizeof tr);
    char msg[256] = "";
    mwds_err e = solve_any(&req, class_name, &plan, &tr, msg, sizeof msg);
    if (e == MWDS_EUNREACH || e == MWDS_EINVAL) {
        const char *flag = req.apogee_m > 0.0 && strstr(msg, "apogee") ? "--apogee-km"
                           : req.has_target                            ? "--target"
                                                                       : "--range-km";
        return cli_usage_error(cmd, "%s: %s", flag, msg[0] ? msg : mwds_strerror(e));
    }
    if (e != MWDS_OK) {
        fprintf(stderr, "mwds traj: no trajectory found (%s)%s%s\n", mwds_strerror(e),
                msg[0] ? ": " : "", msg);
        return CLI_EXIT_FAIL;
    }
    if (json)
        rc = print_json(&req, &plan, &tr);
    else if (csv)
        rc = print_csv(&tr, dt);
    else {
        print_text(&req, &plan, &tr);
        rc = CLI_EXIT_OK;
    }
    mwds_traj_fini(&tr);
    return rc;
}
