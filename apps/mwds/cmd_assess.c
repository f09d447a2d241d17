/*
 * mwds assess: runs a scenario's simulator, one tracker and one assessor per
 * nation, and prints the warnings as each nation would issue them, at their
 * simulated times.
 */
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "commands.h"
#include "mwds/assess.h"
#include "run.h"

static const char ASSESS_HELP[] =
    "usage: mwds assess SCENARIO.yaml [--areas FILE.geojson] [--json]\n"
    "\n"
    "Runs the scenario's sensors through one tracker and one assessor per nation and\n"
    "prints every warning as it is issued: LAUNCH, IMPACT_PREDICTION (impact point,\n"
    "95 % ellipse, time of impact, class, threatened areas), OVERFLIGHT, IMPACT, END,\n"
    "CANCEL. Times are from the scenario's start (T+). --areas replaces the built-in\n"
    "territories (Natural Earth boundaries of the region).\n";

#ifndef MWDS_AREAS_FILE
#define MWDS_AREAS_FILE "data/areas.geojson"
#endif

static void fmt_lla(char *buf, size_t len, mwds_lla p)
{
    double lat = p.lat_rad * MWDS_RAD2DEG, lon = mwds_geo_wrap_pi(p.lon_rad) * MWDS_RAD2DEG;
    snprintf(buf, len, "%.2f%c %.2f%c", fabs(lat), lat >= 0 ? 'N' : 'S', fabs(lon),
             lon >= 0 ? 'E' : 'W');
}

static void print_text(const mwds_warning *w, int64_t start_ns)
{
    const mwds_assessment *b = &w->basis;
    double t = mwds_time_to_s(w->issued_t_ns - start_ns);
    char pos[48];
    printf("T+%7.1f s  %-4s W%-3u %-17s track %-4u", t, w->origin, w->id,
           mwds_warning_kind_name(w->kind), w->track_number);
    switch (w->kind) {
    case MWDS_WARN_LAUNCH:
        fmt_lla(pos, sizeof pos, b->position);
        printf(" at %s, %.0f km up, %.1f km/s", pos, b->position.h_m / 1e3, b->speed_m_s / 1e3);
        if (b->has_launch) {
            fmt_lla(pos, sizeof pos, b->launch.centre);
            printf("; launched from %s (95 %% %.0f x %.0f km) at T+%.0f s", pos,
                   b->launch.semi_major_m / 1e3, b->launch.semi_minor_m / 1e3,
                   mwds_time_to_s(b->launch_t_ns - start_ns));
        }
        break;
    case MWDS_WARN_IMPACT_PREDICTION:
        fmt_lla(pos, sizeof pos, b->impact.ellipse.centre);
        printf(" %s %s; impact %s, 95 %% %.0f x %.0f km az %.0f, at T+%.0f s (+-%.1f s); "
               "threatened: ",
               b->has_class ? mwds_class_kind_name(b->cls.kind) : "?",
               b->has_class ? mwds_profile_name(b->cls.profile) : "", pos,
               b->impact.ellipse.semi_major_m / 1e3, b->impact.ellipse.semi_minor_m / 1e3,
               b->impact.ellipse.major_az_rad * MWDS_RAD2DEG,
               mwds_time_to_s(b->impact.t_ns - start_ns), b->impact.t_sigma_s);
        if (b->n_threatened == 0)
            printf("none (sea)");
        for (int k = 0; k < b->n_threatened; k++)
            printf("%s%s", k ? ", " : "", b->threatened[k]);
        break;
    case MWDS_WARN_OVERFLIGHT:
        printf(" over %s from T+%.0f s", w->area, mwds_time_to_s(w->event_t_ns - start_ns));
        break;
    case MWDS_WARN_IMPACT:
        fmt_lla(pos, sizeof pos, b->impact.ellipse.centre);
        printf(" at %s, T+%.0f s", pos, mwds_time_to_s(w->event_t_ns - start_ns));
        break;
    default:
        break;
    }
    printf("%s\n", w->exercise ? "  [EXERCISE]" : "");
}

static json_t *lla_json(mwds_lla p)
{
    return json_pack("{s:f, s:f}", "lat_deg", p.lat_rad * MWDS_RAD2DEG, "lon_deg",
                     mwds_geo_wrap_pi(p.lon_rad) * MWDS_RAD2DEG);
}

static json_t *ellipse_json(const mwds_ellipse *e)
{
    json_t *o = lla_json(e->centre);
    json_object_set_new(o, "semi_major_km", json_real(e->semi_major_m / 1e3));
    json_object_set_new(o, "semi_minor_km", json_real(e->semi_minor_m / 1e3));
    json_object_set_new(o, "major_az_deg", json_real(e->major_az_rad * MWDS_RAD2DEG));
    json_object_set_new(o, "p", json_real(e->p));
    return o;
}

static json_t *warning_json(const mwds_warning *w, int64_t start_ns)
{
    const mwds_assessment *b = &w->basis;
    char iso[40] = "";
    mwds_time_format_iso8601(w->issued_t_ns, iso, sizeof iso);
    json_t *o = json_pack("{s:I, s:s, s:s, s:b, s:s, s:f, s:f, s:I}", "id", (json_int_t)w->id,
                          "origin", w->origin, "kind", mwds_warning_kind_name(w->kind), "exercise",
                          w->exercise, "issued", iso, "issued_t_s",
                          mwds_time_to_s(w->issued_t_ns - start_ns), "event_t_s",
                          mwds_time_to_s(w->event_t_ns - start_ns), "track",
                          (json_int_t)w->track_number);
    if (w->area[0])
        json_object_set_new(o, "area", json_string(w->area));
    json_t *a = json_object();
    json_object_set_new(a, "position", lla_json(b->position));
    json_object_set_new(a, "height_km", json_real(b->position.h_m / 1e3));
    json_object_set_new(a, "speed_m_s", json_real(b->speed_m_s));
    json_object_set_new(a, "ballistic", json_boolean(b->ballistic));
    if (b->has_class) {
        json_object_set_new(a, "class", json_string(mwds_class_kind_name(b->cls.kind)));
        json_object_set_new(a, "profile", json_string(mwds_profile_name(b->cls.profile)));
        json_object_set_new(a, "energy_range_km", json_real(b->cls.energy_range_m / 1e3));
    }
    if (b->has_impact) {
        json_t *im = ellipse_json(&b->impact.ellipse);
        json_object_set_new(im, "t_s", json_real(mwds_time_to_s(b->impact.t_ns - start_ns)));
        json_object_set_new(im, "t_sigma_s", json_real(b->impact.t_sigma_s));
        json_object_set_new(a, "impact", im);
    }
    if (b->has_launch) {
        json_t *l = ellipse_json(&b->launch);
        json_object_set_new(l, "t_s", json_real(mwds_time_to_s(b->launch_t_ns - start_ns)));
        json_object_set_new(l, "t_sigma_s", json_real(b->launch_t_sigma_s));
        json_object_set_new(a, "launch", l);
    }
    json_t *th = json_array(), *ov = json_array();
    for (int k = 0; k < b->n_threatened; k++)
        json_array_append_new(th, json_string(b->threatened[k]));
    for (int k = 0; k < b->n_overflown; k++)
        json_array_append_new(ov, json_pack("{s:s, s:f}", "area", b->overflown[k], "entry_t_s",
                                            mwds_time_to_s(b->overflight_t_ns[k] - start_ns)));
    json_object_set_new(a, "threatened", th);
    json_object_set_new(a, "overflight", ov);
    json_object_set_new(o, "assessment", a);
    return o;
}

int cmd_assess(int argc, char **argv)
{
    const char *cmd = "assess";
    cli_flag flags[] = {
        {"--json", 0, NULL}, {"--areas", 1, NULL}, {"--help", 0, NULL}, {NULL, 0, NULL}};
    const char *file = NULL;
    int rc = cli_start_file(cmd, argc, argv, flags, ASSESS_HELP, &file);
    if (rc != CLI_CONTINUE)
        return rc;
    int json = cli_get(flags, "--json") != NULL;
    const char *areas_path = cli_get(flags, "--areas");
    if (areas_path == NULL)
        areas_path = getenv("MWDS_AREAS") ? getenv("MWDS_AREAS") : MWDS_AREAS_FILE;
    mwds_areas areas;
    char err[512] = "";
    mwds_err e = mwds_areas_load(areas_path, &areas, err, sizeof err);
    if (e != MWDS_OK) {
        fprintf(stderr, "mwds assess: %s\n", err);
        return CLI_EXIT_USAGE;
    }
    mwds_tracker_config tcfg;
    mwds_tracker_config_default(&tcfg);
    run_ctx run;
    if ((rc = run_open(&run, cmd, file, &tcfg)) != CLI_CONTINUE) {
        mwds_areas_fini(&areas);
        return rc;
    }
    const mwds_scenario *sc = &run.sc;
    mwds_launch_templates *templates = NULL;
    if ((e = mwds_launch_templates_create(&templates)) != MWDS_OK) {
        fprintf(stderr, "mwds assess: launch templates: %s\n", mwds_strerror(e));
        run_close(&run);
        mwds_areas_fini(&areas);
        return CLI_EXIT_FAIL;
    }
    mwds_assessor **as = calloc(sc->n_nations ? sc->n_nations : 1, sizeof *as);
    json_t *jw = json ? json_array() : NULL;
    enum { MAX_W = 64 };
    mwds_warning w[MAX_W];
    long n_warnings = 0;
    rc = CLI_EXIT_FAIL;
    if (as == NULL)
        goto done;
    for (size_t a = 0; a < sc->n_nations; a++) {
        mwds_assessor_config acfg;
        mwds_assessor_config_default(&acfg);
        acfg.areas = &areas;
        acfg.templates = templates;
        acfg.exercise = sc->exercise;
        snprintf(acfg.origin, sizeof acfg.origin, "%s", sc->nations[a].code);
        if ((e = mwds_assessor_create(&acfg, &as[a])) != MWDS_OK) {
            fprintf(stderr, "mwds assess: assessor for %s: %s\n", sc->nations[a].code,
                    mwds_strerror(e));
            goto done;
        }
    }
    if (!json)
        printf("scenario %s: %zu launches, %zu sensors, %zu nations; areas from %s\n\n",
               sc->name, sc->n_launches, sc->n_sensors, sc->n_nations, areas_path);
    for (;;) {
        mwds_sim_look_info look;
        int n;
        size_t nat;
        int got = run_next(&run, &look, &n, &nat);
        if (got < 0)
            goto done;
        if (got == 0)
            break;
        int n_slots, nw;
        const mwds_track *tracks = mwds_tracker_tracks(run.nodes[nat].tracker, &n_slots);
        do {
            e = mwds_assessor_update(as[nat], tracks, n_slots, look.t_ns, w, MAX_W, &nw);
            for (int k = 0; k < nw; k++) {
                if (json)
                    json_array_append_new(jw, warning_json(&w[k], sc->start_t_ns));
                else
                    print_text(&w[k], sc->start_t_ns);
            }
            n_warnings += nw;
        } while (e == MWDS_EFULL);
        if (e != MWDS_OK) {
            fprintf(stderr, "mwds assess: assessor: %s\n", mwds_strerror(e));
            goto done;
        }
    }
    if (json) {
        json_t *root = json_pack("{s:s, s:s, s:o}", "scenario", sc->name, "areas", areas_path,
                                 "warnings", jw);
        jw = NULL;
        json_dumpf(root, stdout, JSON_INDENT(2) | JSON_REAL_PRECISION(7));
        printf("\n");
        json_decref(root);
    } else {
        printf("\n%ld warnings\n", n_warnings);
    }
    rc = CLI_EXIT_OK;
done:
    json_decref(jw);
    if (as != NULL)
        for (size_t a = 0; a < sc->n_nations; a++)
            mwds_assessor_destroy(as[a]);
    free(as);
    mwds_launch_templates_destroy(templates);
    run_close(&run);
    mwds_areas_fini(&areas);
    return rc;
}
