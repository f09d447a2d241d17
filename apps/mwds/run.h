/*
 * The exercise loop shared by the subcommands that run a scenario: the
 * simulator's looks, in time order, each through the tracker of the nation
 * that owns the sensor (a nation's tracker sees only its own sensors, with
 * their ids renumbered from 0).
 */
#ifndef MWDS_APP_RUN_H
#define MWDS_APP_RUN_H

#include <stddef.h>

#include "mwds/scenario.h"
#include "mwds/sim.h"
#include "mwds/track.h"

typedef struct run_node {
    mwds_sensor *sensors;     /* the nation's sensors, ids 0.. */
    size_t n_sensors;
    mwds_tracker *tracker;
} run_node;

typedef struct run_ctx {
    const char *cmd;          /* for messages: "mwds CMD: ..." */
    mwds_scenario sc;
    mwds_sim *sim;
    run_node *nodes;          /* one per nation */
    size_t *local_id;         /* scenario sensor index -> the nation's sensor id */
    mwds_measurement *buf;    /* the current look's measurements */
    uint32_t *assoc;          /* and the track each updated or started */
    int cap;
    double solve_cpu_s;       /* trajectory solves at start */
    long looks, measurements;
} run_ctx;

/* Loads the scenario, solves its flights and makes the trackers. Returns
 * CLI_CONTINUE, or an exit code after printing why (2 for a bad scenario
 * file, 1 otherwise); run_close is then already done. */
int run_open(run_ctx *r, const char *cmd, const char *path, const mwds_tracker_config *cfg);

/* Runs the next look through its nation's tracker: 1 with *look, *n (its
 * measurements, in r->buf and r->assoc) and *nation set; 0 at the end of the
 * scenario; -1 after printing an error. */
int run_next(run_ctx *r, mwds_sim_look_info *look, int *n, size_t *nation);

void run_close(run_ctx *r);

#endif
