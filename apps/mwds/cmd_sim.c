/*
 * mwds sim SCENARIO: publishes a scenario's sensor looks into the nodes, as
 * each nation's sensors would: one DDS participant per nation, holding that
 * nation's identity, writing its looks in the partition its policy gives
 * measurements (normally the nation's own). Paced in real time times
 * --speed, or as fast as the nodes acknowledge with --speed max.
 */
#include <errno.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "commands.h"
#include "mwds/net.h"
#include "mwds/policy.h"
#include "mwds/scenario.h"
#include "mwds/sim.h"
#include "sim_gate.h"

static const char SIM_HELP[] =
    "usage: mwds sim SCENARIO.yaml --policy FILE [--pki DIR | --insecure] [--domain N]\n"
    "                [--speed N|max [--lockstep]] [--wait S] [--quiet]\n"
    "\n"
    "Publishes the scenario's sensor looks to each nation's node over DDS, in the\n"
    "nation's own measurement partition and with its identity from the PKI folder.\n"
    "--speed N runs N times real time (default 1); max as fast as the nodes take the\n"
    "looks. Waits up to --wait S seconds (default 30) for every nation's node.\n"
    "--lockstep (with --speed max): each step of simulated time waits until every\n"
    "node's NodeStatus says it has processed the step before: no look is lost and\n"
    "every node sees the looks in the same steps however fast the machine is (run\n"
    "the nodes with --lockstep).\n";

/* One nation's sensor feed (a child process): its own simulator (the
 * simulator is deterministic, so every feed sees the same flights and each
 * publishes its nation's looks), its own participant. */
typedef struct feed {
    const mwds_scenario *sc;
    const mwds_policy *pol;
    size_t nation;
    const size_t *local;
    mwds_measurement *buf;
    uint32_t domain;
    const char *pki;
    int insecure, max_speed;
    double speed, wait_s;
    int lockstep; /* with max_speed: pace by the nodes' NodeStatus (sim_gate.h) */
    int quiet;
    int up, go; /* pipe ends: report found, receive the start time */
} feed;

static int run_feed(const feed *f)
{
    const char *code = f->sc->nations[f->nation].code;
    char err[1024] = "";
    char no = 0, yes = 1;
    mwds_sim *sim = NULL;
    mwds_net *net = NULL;
    mwds_err e = mwds_sim_create(f->sc, &sim, err, sizeof err);
    if (e != MWDS_OK) {
        fprintf(stderr, "mwds sim: %s: %s\n", code, err[0] ? err : mwds_strerror(e));
        return (void)!write(f->up, &no, 1), CLI_EXIT_FAIL;
    }
    mwds_net_config nc;
    mwds_net_config_default(&nc, code, f->pol);
    nc.domain_id = f->domain;
    nc.secure = !f->insecure;
    nc.security.pki_dir = f->pki;
    nc.publish = 1u << MWDS_TOPIC_MEASUREMENT;
    nc.subscribe = f->lockstep ? 1u << MWDS_TOPIC_NODE_STATUS : 0;
    if ((e = mwds_net_create(&nc, &net, err, sizeof err)) != MWDS_OK) {
        fprintf(stderr, "mwds sim: %s: %s\n", code, err);
        mwds_sim_destroy(sim);
        return (void)!write(f->up, &no, 1), CLI_EXIT_FAIL;
    }
    int64_t give_up = mwds_net_now() + (int64_t)(f->wait_s * 1e9);
    while (mwds_net_matched(net, MWDS_TOPIC_MEASUREMENT) < 1 && !cli_stop &&
           mwds_net_now() < give_up)
        cli_sleep_ns(20000000);
    int found = mwds_net_matched(net, MWDS_TOPIC_MEASUREMENT) >= 1;
    if (!found)
        fprintf(stderr, "mwds sim: no node of %s after %.0f s (domain %u)\n", code, f->wait_s,
                (unsigned)f->domain);
    int64_t wall0 = 0;
    if (write(f->up, found ? &yes : &no, 1) != 1 ||
        read(f->go, &wall0, sizeof wall0) != (ssize_t)sizeof wall0 || wall0 == 0) {
        mwds_net_destroy(net);
        mwds_sim_destroy(sim);
        return CLI_EXIT_FAIL;
    }
    cli_sleep_ns(wall0 - mwds_net_now());
    int rc = CLI_EXIT_OK;
    long looks = 0;
    uint64_t seq = 0;
    sim_gate gate;
    if (f->lockstep && sim_gate_init(&gate, f->sc, f->pol, f->wait_s) != 0) {
        fprintf(stderr, "mwds sim: %s: out of memory\n", code);
        rc = CLI_EXIT_FAIL;
        cli_stop = 1;
    }
    while (!cli_stop) {
        int n = 0;
        mwds_sim_look_info look;
        e = mwds_sim_look(sim, INT64_MAX, f->buf, 4096, &n, &look);
        if (e == MWDS_ENOTFOUND)
            break;
        if (e != MWDS_OK) {
            fprintf(stderr, "mwds sim: %s: %s\n", code, mwds_strerror(e));
            rc = CLI_EXIT_FAIL;
            break;
        }
        if (f->lockstep &&
            sim_gate_look(&gate, net, look.t_ns, f->sc->sensors[look.sensor_id].nation, &cli_stop,
                          err, sizeof err) != 0) {
            if (!cli_stop) {
                fprintf(stderr, "mwds sim: %s: %s\n", code, err);
                rc = CLI_EXIT_FAIL;
            }
            break;
        }
        if (f->sc->sensors[look.sensor_id].nation != f->nation)
            continue;
        if (!f->max_speed) {
            int64_t due =
                wall0 + (int64_t)((double)(look.t_ns - f->sc->start_t_ns) / f->speed);
            cli_sleep_ns(due - mwds_net_now());
        }
        uint32_t id = (uint32_t)f->local[look.sensor_id];
        for (int i = 0; i < n; i++)
            f->buf[i].sensor_id = id;
        if ((e = mwds_net_publish_look(net, id, look.dwell, look.t_ns, f->buf, n, 1, ++seq,
                                       mwds_net_now())) != MWDS_OK) {
            fprintf(stderr, "mwds sim: %s: publishing a look: %s\n", code, mwds_strerror(e));
            rc = CLI_EXIT_FAIL;
            break;
        }
        looks++;
        /* at full speed, let the node keep up: a reader more than the
         * topic's history behind would lose looks */
        if (f->max_speed && looks % 64 == 0)
            mwds_net_flush(net, (int64_t)10 * 1000000000);
    }
    if (f->lockstep)
        sim_gate_fini(&gate);
    mwds_net_flush(net, (int64_t)5 * 1000000000);
    if (!f->quiet)
        printf("mwds sim: %s: %ld looks published in %.1f s%s\n", code, looks,
               (double)(mwds_net_now() - wall0) / 1e9, cli_stop ? " (interrupted)" : "");
    fflush(stdout);
    mwds_net_destroy(net);
    mwds_sim_destroy(sim);
    return rc;
}

int cmd_sim(int argc, char **argv)
{
    const char *cmd = "sim";
    cli_flag flags[] = {{"--policy", 1, NULL}, {"--pki", 1, NULL},   {"--insecure", 0, NULL},
                        {"--domain", 1, NULL}, {"--speed", 1, NULL}, {"--wait", 1, NULL},
                        {"--quiet", 0, NULL},  {"--help", 0, NULL},  {"--lockstep", 0, NULL},
                        {NULL, 0, NULL}};
    const char *file = NULL;
    int rc = cli_start_file(cmd, argc, argv, flags, SIM_HELP, &file);
    if (rc != CLI_CONTINUE)
        return rc;
    const char *v;
    double domain = 0, speed = 1, wait_s = 30;
    int max_speed = 0;
    if ((v = cli_get(flags, "--domain")) && (rc = cli_number(cmd, "--domain", v, 0, 230, &domain)))
        return rc;
    if ((v = cli_get(flags, "--speed"))) {
        if (strcmp(v, "max") == 0)
            max_speed = 1;
        else if ((rc = cli_number(cmd, "--speed", v, 0.01, 10000, &speed)))
            return rc;
    }
    if ((v = cli_get(flags, "--wait")) && (rc = cli_number(cmd, "--wait", v, 0, 3600, &wait_s)))
        return rc;
    int lockstep = cli_get(flags, "--lockstep") != NULL;
    if (lockstep && !max_speed)
        return cli_usage_error(cmd, "--lockstep: only with --speed max");
    const char *policy_path = cli_get(flags, "--policy"), *pki = cli_get(flags, "--pki");
    int insecure = cli_get(flags, "--insecure") != NULL, quiet = cli_get(flags, "--quiet") != NULL;
    if (policy_path == NULL || (pki == NULL && !insecure)) {
        fprintf(stderr, "mwds sim: --policy FILE and --pki DIR (or --insecure) are required\n");
        return CLI_EXIT_USAGE;
    }
    char err[1024] = "";
    mwds_policy pol;
    if (mwds_policy_load(policy_path, &pol, err, sizeof err) != MWDS_OK) {
        fprintf(stderr, "mwds sim: %s\n", err);
        return CLI_EXIT_USAGE;
    }
    mwds_scenario sc;
    if (mwds_scenario_load(file, &sc, err, sizeof err) != MWDS_OK) {
        fprintf(stderr, "mwds sim: %s\n", err);
        return CLI_EXIT_USAGE;
    }
    size_t *local = calloc(sc.n_sensors ? sc.n_sensors : 1, sizeof *local);
    mwds_measurement *buf = calloc(4096, sizeof *buf);
    rc = CLI_EXIT_OK;
    if (!local || !buf) {
        fprintf(stderr, "mwds sim: out of memory\n");
        rc = CLI_EXIT_FAIL;
        goto done;
    }
    size_t *count = calloc(sc.n_nations ? sc.n_nations : 1, sizeof *count);
    pid_t *pids = calloc(sc.n_nations ? sc.n_nations : 1, sizeof *pids);
    int (*up)[2] = calloc(sc.n_nations ? sc.n_nations : 1, sizeof *up);
    int (*go)[2] = calloc(sc.n_nations ? sc.n_nations : 1, sizeof *go);
    if (count == NULL || pids == NULL || up == NULL || go == NULL) {
        free(count), free(pids), free(up), free(go);
        rc = CLI_EXIT_FAIL;
        goto done;
    }
    for (size_t s = 0; s < sc.n_sensors; s++)
        local[s] = count[sc.sensors[s].nation]++;
    for (size_t a = 0; a < sc.n_nations; a++)
        if (count[a] && mwds_policy_nation(&pol, sc.nations[a].code) < 0) {
            fprintf(stderr, "mwds sim: %s: nation %s is not in the policy %s\n", file,
                    sc.nations[a].code, policy_path);
            rc = CLI_EXIT_USAGE;
        }
    cli_catch_stop();
    /* one process per nation: a nation's sensors hold its identity only (a
     * DDS participant has one), as real sensor feeds would */
    fflush(stdout);
    int started = 0;
    for (size_t a = 0; a < sc.n_nations && rc == CLI_EXIT_OK; a++) {
        if (count[a] == 0)
            continue;
        if (pipe(up[a]) != 0 || pipe(go[a]) != 0) {
            rc = CLI_EXIT_FAIL;
            break;
        }
        pids[a] = fork();
        if (pids[a] < 0) {
            rc = CLI_EXIT_FAIL;
            break;
        }
        if (pids[a] == 0) {
            close(up[a][0]);
            close(go[a][1]);
            feed f = {&sc, &pol, a, local, buf, (uint32_t)domain, pki, insecure, max_speed, speed,
                      wait_s, lockstep, quiet, up[a][1], go[a][0]};
            _exit(run_feed(&f));
        }
        close(up[a][1]);
        close(go[a][0]);
        started++;
    }
    /* every feed reports its node found (1) or not (0); then all start at
     * one wall-clock instant */
    int ready = rc == CLI_EXIT_OK;
    for (size_t a = 0; a < sc.n_nations; a++) {
        if (pids[a] <= 0)
            continue;
        char c = 0;
        if (read(up[a][0], &c, 1) != 1 || c != 1)
            ready = 0;
    }
    int64_t wall0 = ready ? mwds_net_now() + 50000000 : 0;
    for (size_t a = 0; a < sc.n_nations; a++)
        if (pids[a] > 0) {
            if (write(go[a][1], &wall0, sizeof wall0) != (ssize_t)sizeof wall0)
                ready = 0;
            close(go[a][1]);
            close(up[a][0]);
        }
    if (ready && !quiet)
        printf("mwds sim: %s: %zu sensors of %d nations, %.0f s of scenario at %s\n", sc.name,
               sc.n_sensors, started, sc.duration_s, max_speed ? "full speed" : "real time");
    fflush(stdout); /* a script may wait for this line */
    for (size_t a = 0; a < sc.n_nations; a++) {
        if (pids[a] <= 0)
            continue;
        int st = 0;
        while (waitpid(pids[a], &st, 0) < 0 && errno == EINTR)
            if (cli_stop)
                kill(pids[a], SIGTERM);
        if (!WIFEXITED(st) || WEXITSTATUS(st) != 0)
            rc = rc == CLI_EXIT_OK ? CLI_EXIT_FAIL : rc;
    }
    if (rc == CLI_EXIT_OK && !ready)
        rc = CLI_EXIT_FAIL;
    free(count), free(pids), free(up), free(go);
done:
    mwds_scenario_fini(&sc);
    free(local);
    free(buf);
    return rc;
}
