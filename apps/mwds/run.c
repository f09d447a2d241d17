/* The exercise loop; see run.h. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli.h"
#include "run.h"

void run_close(run_ctx *r)
{
    if (r->nodes != NULL)
        for (size_t a = 0; a < r->sc.n_nations; a++) {
            mwds_tracker_destroy(r->nodes[a].tracker);
            free(r->nodes[a].sensors);
        }
    free(r->nodes);
    free(r->local_id);
    free(r->buf);
    free(r->assoc);
    mwds_sim_destroy(r->sim);
    mwds_scenario_fini(&r->sc);
    memset(r, 0, sizeof *r);
}

int run_open(run_ctx *r, const char *cmd, const char *path, const mwds_tracker_config *cfg)
{
    memset(r, 0, sizeof *r);
    r->cmd = cmd;
    char err[512] = "";
    mwds_err e = mwds_scenario_load(path, &r->sc, err, sizeof err);
    if (e != MWDS_OK) {
        fprintf(stderr, "mwds %s: %s\n", cmd, err[0] ? err : mwds_strerror(e));
        return CLI_EXIT_USAGE;
    }
    clock_t c0 = clock();
    if ((e = mwds_sim_create(&r->sc, &r->sim, err, sizeof err)) != MWDS_OK) {
        fprintf(stderr, "mwds %s: %s: %s\n", cmd, path, err[0] ? err : mwds_strerror(e));
        run_close(r);
        return CLI_EXIT_FAIL;
    }
    r->solve_cpu_s = (double)(clock() - c0) / CLOCKS_PER_SEC;
    const mwds_scenario *sc = &r->sc;
    r->cap = 1024;
    r->nodes = calloc(sc->n_nations ? sc->n_nations : 1, sizeof *r->nodes);
    r->local_id = calloc(sc->n_sensors ? sc->n_sensors : 1, sizeof *r->local_id);
    r->buf = malloc((size_t)r->cap * sizeof *r->buf);
    r->assoc = malloc((size_t)r->cap * sizeof *r->assoc);
    if (!r->nodes || !r->local_id || !r->buf || !r->assoc)
        goto oom;
    for (size_t a = 0; a < sc->n_nations; a++) {
        run_node *nd = &r->nodes[a];
        nd->sensors = calloc(sc->n_sensors ? sc->n_sensors : 1, sizeof *nd->sensors);
        if (nd->sensors == NULL)
            goto oom;
        for (size_t s = 0; s < sc->n_sensors; s++)
            if (sc->sensors[s].nation == a) {
                r->local_id[s] = nd->n_sensors;
                nd->sensors[nd->n_sensors] = sc->sensors[s].sensor;
                nd->sensors[nd->n_sensors].id = (uint32_t)nd->n_sensors;
                nd->n_sensors++;
            }
        if ((e = mwds_tracker_create(cfg, nd->sensors, nd->n_sensors, &nd->tracker)) != MWDS_OK) {
            fprintf(stderr, "mwds %s: tracker for %s: %s\n", cmd, sc->nations[a].code,
                    mwds_strerror(e));
            run_close(r);
            return CLI_EXIT_FAIL;
        }
    }
    return CLI_CONTINUE;
oom:
    fprintf(stderr, "mwds %s: out of memory\n", cmd);
    run_close(r);
    return CLI_EXIT_FAIL;
}

int run_next(run_ctx *r, mwds_sim_look_info *look, int *n, size_t *nation)
{
    for (;;) {
        mwds_err e = mwds_sim_look(r->sim, INT64_MAX, r->buf, r->cap, n, look);
        if (e == MWDS_ENOTFOUND)
            return 0;
        if (e == MWDS_EFULL) {
            int cap = 2 * r->cap;
            mwds_measurement *nb = realloc(r->buf, (size_t)cap * sizeof *nb);
            if (nb != NULL)
                r->buf = nb;
            uint32_t *na = nb ? realloc(r->assoc, (size_t)cap * sizeof *na) : NULL;
            if (na != NULL)
                r->assoc = na;
            if (nb == NULL || na == NULL) {
                fprintf(stderr, "mwds %s: out of memory\n", r->cmd);
                return -1;
            }
            r->cap = cap;
            continue;
        }
        if (e != MWDS_OK) {
            fprintf(stderr, "mwds %s: simulator: %s\n", r->cmd, mwds_strerror(e));
            return -1;
        }
        break;
    }
    r->looks++;
    r->measurements += *n;
    *nation = r->sc.sensors[look->sensor_id].nation;
    run_node *nd = &r->nodes[*nation];
    uint32_t lid = (uint32_t)r->local_id[look->sensor_id];
    for (int j = 0; j < *n; j++)
        r->buf[j].sensor_id = lid;
    mwds_err e = mwds_tracker_look_dwell(nd->tracker, lid, look->dwell, look->t_ns, r->buf, *n,
                                         r->assoc);
    if (e != MWDS_OK) {
        fprintf(stderr, "mwds %s: tracker: %s\n", r->cmd, mwds_strerror(e));
        return -1;
    }
    return 1;
}
