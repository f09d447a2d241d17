/*
 * mwds track: runs a scenario's simulator and one tracker per nation (each
 * on its own sensors only) as fast as possible, and scores the tracks
 * against truth.
 *
 * Scoring. Each track is labelled with the launch that produced most of
 * the measurements it used (a running majority vote over the simulator's
 * truth ids; false alarms vote for "none"). For each nation and launch:
 *   first track  seconds from launch to the first confirmed track labelled
 *                with it;
 *   RMSE         position and velocity errors of its confirmed tracks
 *                against truth, sampled after every look of the nation;
 *   tracks       confirmed tracks labelled with it;
 *   duplicates   those confirmed while another of its tracks was still
 *                confirmed (a re-acquisition after a track ended is not one).
 * A confirmed track labelled "none" is a false track of its nation.
 */
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli.h"
#include "commands.h"
#include "mwds/scenario.h"
#include "mwds/sim.h"
#include "mwds/track.h"
#include "run.h"

static const char TRACK_HELP[] =
    "usage: mwds track SCENARIO.yaml [--filter ekf|ckf] [--json] [--trace FILE.csv]\n"
    "\n"
    "Runs the scenario's sensors and one tracker per nation, fusing that nation's own\n"
    "sensors, as fast as possible. Prints per nation and launch the time from launch\n"
    "to the first confirmed track, the position and velocity RMSE of its tracks\n"
    "against truth, the number of its tracks and of duplicates, and per nation the\n"
    "false tracks. --trace writes every confirmed track's error against truth after\n"
    "each look (CSV: time, nation, track, model, launch, errors, position sigma).\n";

typedef struct track_score {
    uint32_t vote;        /* majority-vote candidate: truth id, 0 = false alarm */
    int votes;            /* its running count */
    int confirmed;        /* ever confirmed */
    double t_confirm_s, t_last_s; /* confirmed span, seconds from the start */
} track_score;

typedef struct nation_run {
    track_score *score;   /* by track number */
    size_t n_score;
    /* per launch */
    double *se_pos, *se_vel;
    long *samples;
} nation_run;

static int grow_scores(nation_run *nr, uint32_t number)
{
    if (number < nr->n_score)
        return 0;
    size_t n = nr->n_score ? nr->n_score : 256;
    while (n <= number)
        n *= 2;
    track_score *s = realloc(nr->score, n * sizeof *s);
    if (s == NULL)
        return -1;
    memset(s + nr->n_score, 0, (n - nr->n_score) * sizeof *s);
    nr->score = s;
    nr->n_score = n;
    return 0;
}

static void vote(track_score *s, uint32_t truth_id)
{
    if (s->votes == 0) {
        s->vote = truth_id;
        s->votes = 1;
    } else {
        s->votes += s->vote == truth_id ? 1 : -1;
    }
}

static void free_nations(nation_run *nr, size_t n)
{
    if (nr == NULL)
        return;
    for (size_t i = 0; i < n; i++) {
        free(nr[i].score);
        free(nr[i].se_pos);
        free(nr[i].se_vel);
        free(nr[i].samples);
    }
    free(nr);
}

/* Errors of the nation's confirmed tracks against their launches' truth. */
static void sample_errors(const mwds_sim *sim, const mwds_tracker *tracker, nation_run *nr,
                          size_t n_launches, double t_s, FILE *trace, const char *nation)
{
    int n_slots;
    const mwds_track *tracks = mwds_tracker_tracks(tracker, &n_slots);
    for (int i = 0; i < n_slots; i++) {
        const mwds_track *tr = &tracks[i];
        if (tr->status != MWDS_TRACK_CONFIRMED || tr->number >= nr->n_score)
            continue;
        track_score *s = &nr->score[tr->number];
        if (!s->confirmed) {
            s->confirmed = 1;
            s->t_confirm_s = t_s;
        }
        s->t_last_s = t_s;
        if (s->vote == 0 || s->vote > n_launches)
            continue;
        int in_flight = 0;
        mwds_vec3 p, v;
        if (mwds_sim_truth(sim, s->vote - 1, tr->f.t_ns, &in_flight, &p, &v, NULL) != MWDS_OK ||
            !in_flight)
            continue;
        double ep = 0.0, ev = 0.0;
        for (int k = 0; k < 3; k++) {
            ep += (tr->f.x.v[k] - p.v[k]) * (tr->f.x.v[k] - p.v[k]);
            ev += (tr->f.x.v[3 + k] - v.v[k]) * (tr->f.x.v[3 + k] - v.v[k]);
        }
        if (trace != NULL)
            fprintf(trace, "%.2f,%s,%u,%s,%u,%.1f,%.2f,%.1f,%.3g\n", t_s, nation, tr->number,
                    tr->f.model == MWDS_MODEL_BOOST ? "boost" : "ballistic", s->vote, sqrt(ep),
                    sqrt(ev), sqrt(tr->f.p.m[0][0] + tr->f.p.m[1][1] + tr->f.p.m[2][2]),
                    tr->f.x.v[6]);
        nr->se_pos[s->vote - 1] += ep;
        nr->se_vel[s->vote - 1] += ev;
        nr->samples[s->vote - 1]++;
    }
}

typedef struct launch_result {
    double first_s; /* NAN: never tracked */
    int tracks, duplicates;
} launch_result;

static launch_result launch_tracks(const nation_run *nr, uint32_t truth_id, double launch_s)
{
    launch_result r = {NAN, 0, 0};
    for (size_t a = 0; a < nr->n_score; a++) {
        const track_score *s = &nr->score[a];
        if (!s->confirmed || s->vote != truth_id)
            continue;
        r.tracks++;
        if (isnan(r.first_s) || s->t_confirm_s - launch_s < r.first_s)
            r.first_s = s->t_confirm_s - launch_s;
        for (size_t b = 0; b < nr->n_score; b++) {
            const track_score *o = &nr->score[b];
            if (b != a && o->confirmed && o->vote == truth_id &&
                (o->t_confirm_s < s->t_confirm_s || (o->t_confirm_s == s->t_confirm_s && b < a)) &&
                o->t_last_s >= s->t_confirm_s) {
                r.duplicates++;
                break;
            }
        }
    }
    return r;
}

int cmd_track(int argc, char **argv)
{
    const char *cmd = "track";
    cli_flag flags[] = {
        {"--json", 0, NULL}, {"--filter", 1, NULL}, {"--trace", 1, NULL}, {"--help", 0, NULL}, {NULL, 0, NULL}};
    const char *file = NULL;
    int rc = cli_start_file(cmd, argc, argv, flags, TRACK_HELP, &file);
    if (rc != CLI_CONTINUE)
        return rc;
    mwds_tracker_config cfg;
    mwds_tracker_config_default(&cfg);
    const char *fv = cli_get(flags, "--filter");
    if (fv != NULL) {
        if (strcmp(fv, "ekf") == 0)
            cfg.filter = MWDS_FILTER_EKF;
        else if (strcmp(fv, "ckf") == 0)
            cfg.filter = MWDS_FILTER_CKF;
        else
            return cli_usage_error(cmd, "--filter: expected ekf or ckf, got '%s'", fv);
    }
    int json = cli_get(flags, "--json") != NULL;
    FILE *trace = NULL;
    const char *tv = cli_get(flags, "--trace");
    if (tv != NULL && (trace = fopen(tv, "w")) == NULL)
        return cli_usage_error(cmd, "--trace: cannot write '%s'", tv);
    if (trace != NULL)
        fprintf(trace, "t_s,nation,track,model,launch,pos_err_m,vel_err_m_s,pos_sigma_m,x6\n");

    run_ctx run;
    if ((rc = run_open(&run, cmd, file, &cfg)) != CLI_CONTINUE) {
        if (trace != NULL)
            fclose(trace);
        return rc;
    }
    const mwds_scenario *scp = &run.sc;
    const size_t nl = scp->n_launches, nn = scp->n_nations;
    nation_run *nr = calloc(nn ? nn : 1, sizeof *nr);
    rc = CLI_EXIT_FAIL;
    if (nr == NULL)
        goto oom;
    for (size_t a = 0; a < nn; a++) {
        nr[a].se_pos = calloc(nl ? nl : 1, sizeof *nr[a].se_pos);
        nr[a].se_vel = calloc(nl ? nl : 1, sizeof *nr[a].se_vel);
        nr[a].samples = calloc(nl ? nl : 1, sizeof *nr[a].samples);
        if (!nr[a].se_pos || !nr[a].se_vel || !nr[a].samples)
            goto oom;
    }
    clock_t c0 = clock();
    for (;;) {
        mwds_sim_look_info look;
        int n;
        size_t nat;
        int got = run_next(&run, &look, &n, &nat);
        if (got < 0)
            goto done;
        if (got == 0)
            break;
        nation_run *r = &nr[nat];
        for (int j = 0; j < n; j++)
            if (run.assoc[j] != 0) {
                if (grow_scores(r, run.assoc[j]) != 0)
                    goto oom;
                vote(&r->score[run.assoc[j]], run.buf[j].truth_id);
            }
        sample_errors(run.sim, run.nodes[nat].tracker, r, nl,
                      mwds_time_to_s(look.t_ns - scp->start_t_ns), trace, scp->nations[nat].code);
    }
    double run_s = (double)(clock() - c0) / CLOCKS_PER_SEC;
    const double solve_s = run.solve_cpu_s;
    const long looks = run.looks, meas = run.measurements;

    json_t *root = json ? json_object() : NULL, *jn = json ? json_array() : NULL;
    if (json) {
        json_object_set_new(root, "scenario", json_string(scp->name));
        json_object_set_new(root, "filter",
                            json_string(cfg.filter == MWDS_FILTER_CKF ? "ckf" : "ekf"));
        json_object_set_new(root, "duration_s", json_real(scp->duration_s));
        json_object_set_new(root, "looks", json_integer(looks));
        json_object_set_new(root, "measurements", json_integer(meas));
        json_object_set_new(root, "solve_cpu_s", json_real(solve_s));
        json_object_set_new(root, "track_cpu_s", json_real(run_s));
    } else {
        printf("scenario %s: %zu launches, %zu sensors, %zu nations, %.0f s; filter %s\n",
               scp->name, nl, scp->n_sensors, nn, scp->duration_s,
               cfg.filter == MWDS_FILTER_CKF ? "ckf" : "ekf");
        printf("%ld looks, %ld measurements; tracking took %.2f s of CPU (%.0fx real time), "
               "trajectories %.2f s\n\n",
               looks, meas, run_s, run_s > 0 ? scp->duration_s / run_s : 0.0, solve_s);
        printf("%-7s %-14s %13s %11s %13s %7s %6s\n", "nation", "launch", "first track s",
               "pos rmse m", "vel rmse m/s", "tracks", "dups");
    }
    for (size_t a = 0; a < nn; a++) {
        nation_run *r = &nr[a];
        int false_tracks = 0;
        for (size_t b = 0; b < r->n_score; b++)
            false_tracks += r->score[b].confirmed && r->score[b].vote == 0;
        mwds_tracker_stats st;
        mwds_tracker_get_stats(run.nodes[a].tracker, &st);
        json_t *jl = json ? json_array() : NULL;
        for (size_t l = 0; l < nl; l++) {
            launch_result lr = launch_tracks(r, (uint32_t)l + 1, scp->launches[l].t_s);
            double pr = r->samples[l] ? sqrt(r->se_pos[l] / (double)r->samples[l]) : NAN;
            double vr = r->samples[l] ? sqrt(r->se_vel[l] / (double)r->samples[l]) : NAN;
            if (json) {
                json_array_append_new(
                    jl, json_pack("{s:s, s:o, s:o, s:o, s:i, s:i, s:I}", "launch",
                                  scp->launches[l].id,
                                  "first_track_s", isnan(lr.first_s) ? json_null() : json_real(lr.first_s),
                                  "pos_rmse_m", isnan(pr) ? json_null() : json_real(pr),
                                  "vel_rmse_m_s", isnan(vr) ? json_null() : json_real(vr),
                                  "tracks", lr.tracks, "duplicate_tracks", lr.duplicates,
                                  "samples", (json_int_t)r->samples[l]));
            } else if (lr.tracks > 0) {
                printf("%-7s %-14s %13.1f %11.1f %13.2f %7d %6d\n", scp->nations[a].code,
                       scp->launches[l].id, lr.first_s, pr, vr, lr.tracks, lr.duplicates);
            } else {
                printf("%-7s %-14s %13s %11s %13s %7d %6d\n", scp->nations[a].code,
                       scp->launches[l].id, "-", "-", "-", 0, 0);
            }
        }
        if (json) {
            json_array_append_new(
                jn, json_pack("{s:s, s:i, s:o, s:I, s:I, s:I, s:I}", "nation", scp->nations[a].code,
                              "false_tracks", false_tracks, "launches", jl, "updates",
                              (json_int_t)st.updates, "initiated", (json_int_t)st.initiated,
                              "confirmed", (json_int_t)st.confirmed, "filter_errors",
                              (json_int_t)st.filter_errors));
        } else {
            printf("%-7s false tracks %d; %llu updates, %llu tracks initiated, %llu confirmed\n",
                   scp->nations[a].code, false_tracks, (unsigned long long)st.updates,
                   (unsigned long long)st.initiated, (unsigned long long)st.confirmed);
        }
    }
    if (json) {
        json_object_set_new(root, "nations", jn);
        json_dumpf(root, stdout, JSON_INDENT(2) | JSON_REAL_PRECISION(6));
        printf("\n");
        json_decref(root);
    }
    rc = CLI_EXIT_OK;
    goto done;
oom:
    fprintf(stderr, "mwds track: out of memory\n");
done:
    free_nations(nr, run.sc.n_nations);
    run_close(&run);
    if (trace != NULL)
        fclose(trace);
    return rc;
}
