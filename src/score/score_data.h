/*
 * Private to src/score: the scored exercise as score.c builds it and
 * report.c and html.c write it. Times are t_ns unless named _s; series are
 * sampled at the score's steps, t_k = start + k step.
 */
#ifndef MWDS_SCORE_DATA_H
#define MWDS_SCORE_DATA_H

#include <stddef.h>
#include <stdint.h>

#include "mwds/assess.h"
#include "mwds/score.h"
#include "score_internal.h"

#define SCORE_MAX_NATIONS 16

/* One launch's truth. */
typedef struct sc_truth {
    char id[32];
    char cls[32];
    int64_t launch_ns, impact_ns;
    mwds_lla launch, impact;
    /* ground track for the map: points every few seconds (degrees) */
    double *gt_lat, *gt_lon;
    size_t n_gt;
} sc_truth;

/* A Track row of a journal, as the picture uses it. */
typedef struct sc_track_row {
    int64_t t_state_ns, t_avail_ns;
    int origin;            /* nation index of the track's owner */
    uint32_t number;       /* its track number there */
    uint32_t ident;        /* index into the journal's identity table */
    int64_t revision;      /* per identity, increasing with each sample */
    int ended, own;
    int system;            /* a SystemTrack row: the node's fused picture */
    double pos[3], vel[3];
    int truth;             /* nearest truth within the gate at t_state, or -1 */
    double pos_err_m, vel_err_m_s;
    uint32_t od_first, od_n; /* its distances to truths under the cutoff (sc_dist) */
} sc_track_row;

typedef struct sc_dist {
    int truth;
    double d_m;
} sc_dist;

/* A Warning row of a journal. */
typedef struct sc_warning_row {
    int own;               /* sent by this journal's nation */
    int origin;            /* nation index of the issuer */
    uint32_t id;
    int64_t revision;
    int64_t issued_ns, t_avail_ns, t_send_ns, t_recv_ns;
    uint32_t recipients;   /* sent rows: nation mask from the partition */
    int has_partition;
    mwds__warning_payload p;
    int launch;            /* associated truth, or -1 */
    int by_track;          /* associated through another warning of its track */
    double pip_err_km, toi_err_s, ellipse_r; /* if p.has_impact and launch >= 0 */
} sc_warning_row;

typedef struct sc_interval {
    int64_t first, last;   /* steps, inclusive */
} sc_interval;

/* One (launch, nation) cell. */
typedef struct sc_cell {
    double first_track_s, first_warning_s; /* NAN: none */
    int first_warning_origin;              /* nation index, -1 */
    int n_pip;                             /* warnings with an impact prediction */
    size_t *pip;                           /* indices into the journal's warning rows */
    double pip_final_km, toi_final_s;      /* NAN: none */
    sc_interval *cov;                      /* steps the launch was held */
    size_t n_cov, cap_cov;
    int64_t held_steps, alive_steps;
} sc_cell;

typedef struct sc_journal {
    char *path;
    int nation;
    int64_t rows, ignored_exercise, ignored_origin, ignored_time, other_topics;
    sc_track_row *tr;
    size_t n_tr, cap_tr;
    sc_dist *od;
    size_t n_od, cap_od;
    sc_warning_row *wr;
    size_t n_wr, cap_wr;
    uint64_t *idents;      /* (system << 40) | (origin << 32) | track number, sorted */
    int has_system;        /* the node journalled its fused picture (SystemTrack) */
    size_t n_idents;
    double *lat_net_ms, *lat_chain_ms; /* received Track and Warning rows */
    size_t n_lat_net, n_lat_chain, cap_lat_net, cap_lat_chain;
} sc_journal;

typedef struct sc_lost {
    int origin, to;
    uint32_t id;
    int kind;
} sc_lost;

typedef struct sc_nation {
    char code[4];
    int journal;                 /* index into journals, -1 */
    mwds_siap_result siap;
    double ospa_mean_m, ospa_loc_mean_m, ospa_card_mean_m;
    double *ospa_m;              /* per step */
    int *n_tracks;               /* per step: tracks in the picture */
} sc_nation;

struct mwds_score {
    mwds_score_options opt;
    char scenario_path[512];
    char name[64];
    int exercise;
    int64_t start_ns;
    double duration_s;
    sc_truth *truth;
    size_t n_truth;
    sc_nation nations[SCORE_MAX_NATIONS];
    size_t n_nations;
    sc_journal *journals;
    size_t n_journals;
    sc_cell *cells;              /* [launch * n_nations + nation] */
    int64_t n_steps;
    int64_t common_held, common_common;
    int64_t pair_held[SCORE_MAX_NATIONS][SCORE_MAX_NATIONS];
    int64_t pair_common[SCORE_MAX_NATIONS][SCORE_MAX_NATIONS];
    int64_t warnings_checked, warnings_lost, warnings_unchecked, warnings_duplicated;
    sc_lost *lost;
    size_t n_lost, cap_lost;
    /* the latest impact prediction about each launch in any journal */
    double *pip_final_any_km;    /* per launch, NAN: none */
    mwds_areas areas;
    int have_areas;
};

static inline sc_cell *sc_cell_at(const mwds_score *s, size_t launch, size_t nation)
{
    return &s->cells[launch * s->n_nations + nation];
}

/* A cell's final impact prediction: the one that became available last
 * before the impact (ties: the latest issued), or NULL. O(predictions). */
const sc_warning_row *mwds__score_final_pip(const mwds_score *s, size_t launch, size_t nation);

#endif
