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
#include "warn_fmt.h"

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
                    json_array_append_new(jw, warn_json(&w[k], sc->start_t_ns));
                else
                    warn_print(stdout, &w[k], sc->start_t_ns);
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
