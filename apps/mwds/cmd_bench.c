/*
 * mwds bench: the tracking figures the project promises, measured.
 *   accuracy  filters against the posterior Cramer-Rao lower bound
 *   track     filter updates per second and tracker scan times
 */
#include <jansson.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "commands.h"
#include "mwds/track.h"

static const char BENCH_HELP[] =
    "usage: mwds bench accuracy [--runs N] [--seed S] [--json]\n"
    "       mwds bench track [--targets N] [--seconds S] [--json]\n"
    "\n"
    "accuracy: N (default 100) seeded Monte Carlo runs of each filter (EKF, CKF) on two\n"
    "cases: one radar tracking an ICBM through midcourse, and a re-entry with unknown\n"
    "ballistic coefficient. Prints, over the converged part of each flight, the position\n"
    "RMSE over the posterior Cramer-Rao lower bound (goal <= 1.25) and the fraction of\n"
    "times the average NEES lies in its 95 %% chi-square bounds (goal >= 0.9).\n"
    "\n"
    "track: EKF updates per second on one core, and the tracker's time per scan for\n"
    "N targets (default 1, 10, 100 and 1000) with clutter, at 10 Hz, and peak memory.\n";

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

int cmd_bench(int argc, char **argv)
{
    if (argc >= 2 && strcmp(argv[1], "accuracy") == 0)
        return bench_accuracy(argc - 1, argv + 1);
    if (argc >= 2 && strcmp(argv[1], "--help") == 0) {
        fputs(BENCH_HELP, stdout);
        return CLI_EXIT_OK;
    }
    return cli_usage_error("bench", "expected 'accuracy' or 'track' (see mwds bench --help)");
}
