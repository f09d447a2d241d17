/*
 * mwds track: tracking filters (an extended and a cubature Kalman filter on
 * the same motion models) and the multi-target tracker built from parts:
 * predictor and updater (the filters), hypothesiser (chi-square gating),
 * associator (global nearest neighbour, mwds/assign.h), initiator (M of N)
 * and deleter.
 *
 * Filter state, ECEF Earth-fixed frame, SI units:
 *   ballistic model, n = 7: position (3), velocity (3), inverse ballistic
 *     coefficient k = 1/beta (m^2/kg; 0 above the atmosphere, estimated in
 *     re-entry); dynamics: the free-flight force model (gravity, J2,
 *     rotation, drag in k) plus white acceleration noise; k a random walk.
 *   boost model, n = 9: position, velocity, thrust acceleration (3);
 *     dynamics: gravity, J2 and rotation plus the thrust acceleration, which
 *     is a random walk driven by white jerk.
 * Covariances are full and symmetric; updates use the Joseph form and
 * Cholesky solves, and are re-symmetrised. Nothing here allocates.
 * Time is an argument (t_ns); filters never read the clock.
 */
#ifndef MWDS_TRACK_H
#define MWDS_TRACK_H

#include <stdint.h>

#include "mwds/ballistic.h"
#include "mwds/core.h"
#include "mwds/linalg.h"
#include "mwds/sensor.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum mwds_motion_model {
    MWDS_MODEL_BALLISTIC = 0, /* n = 7 */
    MWDS_MODEL_BOOST = 1      /* n = 9 */
} mwds_motion_model;

typedef struct mwds_filter_state {
    int64_t t_ns;
    mwds_motion_model model;
    int n;        /* 7 or 9; entries beyond n are zero */
    mwds_vec9 x;
    mwds_mat9 p;
} mwds_filter_state;

typedef struct mwds_filter_params {
    unsigned flags;         /* MWDS_FORCE_* terms in the dynamics (thrust ignored) */
    double q_acc;           /* white-acceleration spectral density, m^2/s^3 */
    double q_invbeta;       /* random-walk density of 1/beta, (m^2/kg)^2 / s */
    double q_jerk;          /* boost: white-jerk density, m^2/s^5 */
    double max_step_s;      /* longest integration sub-step (default 1 s) */
} mwds_filter_params;

/* Starts a state: x0 and p0 for the first n entries (n from the model),
 * row-major n x n in p0 (ld n). */
mwds_err mwds_filter_init(mwds_filter_state *s, mwds_motion_model model, int64_t t_ns,
                          const double *x0, const double *p0);

/* EKF prediction to t_ns (which may be earlier than s->t_ns: a backwards
 * prediction, used to place out-of-order measurements). The state is
 * integrated with classical RK4 in sub-steps of at most max_step_s, the
 * transition matrix with the same sub-steps (Phi' = F Phi), and the process
 * noise by the discrete white-noise forms per sub-step.
 * Errors: MWDS_ENUMERIC (state left the model's domain); *s is then
 * untouched. Cost: O(n^3) per sub-step plus four force evaluations. */
mwds_err mwds_ekf_predict(const mwds_filter_params *fp, mwds_filter_state *s, int64_t t_ns);

/* EKF update with an already linearised measurement: innovation nu (dim),
 * Jacobian h (dim x n, row-major, ld n) and noise covariance r (dim x dim,
 * row-major). Writes the normalised innovation squared to *nis if not NULL.
 * Errors: MWDS_ENOTPD (innovation covariance not positive definite),
 * MWDS_EINVAL (dim outside 1..4); *s is then untouched. Cost: O(n^2 dim). */
mwds_err mwds_ekf_update_linear(mwds_filter_state *s, const double *nu, const double *h,
                                const double *r, int dim, double *nis);

/* EKF update with a sensor's measurement (the state must already be at the
 * measurement's time): h(x), Jacobian and residual from the sensor model,
 * diagonal noise from m->sigma. Errors as above plus the sensor's. */
mwds_err mwds_ekf_update(mwds_filter_state *s, const mwds_sensor *sensor,
                         const mwds_measurement *m, double *nis);

/* ---- cubature Kalman filter (third-degree rule, 2n points) ---- */

/* The CKF's prediction: the same sub-steps and process noise as
 * mwds_ekf_predict, the 2n cubature points re-drawn each sub-step and each
 * flown by RK4. Errors: MWDS_ENOTPD (P not positive definite),
 * MWDS_ENUMERIC; *s is then untouched. Cost: 2n RK4 steps and one n x n
 * Cholesky per sub-step. */
mwds_err mwds_ckf_predict(const mwds_filter_params *fp, mwds_filter_state *s, int64_t t_ns);

/* Innovation function for the CKF: writes nu = z - h(x) (dim entries, angles
 * wrapped) for one point x of the state's dimension. */
typedef mwds_err (*mwds_residual_fn)(const void *ctx, const double *x, double *nu);

/* CKF update through a residual function with noise covariance r (dim x dim,
 * row-major). NIS to *nis if not NULL. Errors: MWDS_EINVAL (dim outside
 * 1..4), MWDS_ENOTPD, MWDS_ENUMERIC (the updated covariance lost its
 * positive diagonal), or fn's; *s is then untouched. Cost: 2n calls of fn
 * plus O(n^2 dim). */
mwds_err mwds_ckf_update_fn(mwds_filter_state *s, mwds_residual_fn fn, const void *ctx,
                            const double *r, int dim, double *nis);

/* CKF update with a sensor's measurement (state at the measurement's time). */
mwds_err mwds_ckf_update(mwds_filter_state *s, const mwds_sensor *sensor,
                         const mwds_measurement *m, double *nis);

/* ---- either filter ---- */

typedef enum mwds_filter_kind { MWDS_FILTER_EKF = 0, MWDS_FILTER_CKF = 1 } mwds_filter_kind;

mwds_err mwds_filter_predict(mwds_filter_kind kind, const mwds_filter_params *fp,
                             mwds_filter_state *s, int64_t t_ns);
mwds_err mwds_filter_update(mwds_filter_kind kind, mwds_filter_state *s,
                            const mwds_sensor *sensor, const mwds_measurement *m, double *nis);

/* ---- the multi-target tracker ---- */

#define MWDS_SHADOW_WINDOW 16 /* the largest quiet_updates */

/* The 1/beta prior (m^2/kg) for a target whose re-entry vehicle is not
 * known: 2e-4 +- 2e-4 puts vehicles of 2,500 kg/m^2 and up within one
 * sigma. The tracker's and the assessor's defaults both use it. */
#define MWDS_INVBETA_PRIOR_MEAN 2e-4
#define MWDS_INVBETA_PRIOR_SIGMA 2e-4

typedef enum mwds_track_status {
    MWDS_TRACK_FREE = 0,      /* pool slot not in use */
    MWDS_TRACK_TENTATIVE = 1, /* initiated, not yet M hits in N opportunities */
    MWDS_TRACK_CONFIRMED = 2
} mwds_track_status;

/* A track as the tracker keeps it. An opportunity is a look of a sensor
 * that should have seen the track (its predicted position inside the
 * sensor's coverage); each is a hit or a miss. */
typedef struct mwds_track {
    uint32_t number;          /* unique within the tracker, from 1; 0 in a free slot */
    mwds_track_status status;
    mwds_filter_state f;      /* estimate at f.t_ns (the latest look or update) */
    int64_t t_init_ns;        /* first measurement */
    int64_t t_confirm_ns;     /* confirmation (0 while tentative) */
    int64_t t_update_ns;      /* latest measurement used */
    uint32_t history;         /* bit 0 the latest opportunity: 1 hit, 0 miss */
    int opportunities;        /* since initiation */
    int hits;                 /* measurements used */
    int misses_in_row;        /* consecutive missed opportunities */
    double quality;           /* hits over the last (up to) 16 opportunities, 0..1 */
    double nis;               /* of the latest update */
    int nis_dim;              /* its degrees of freedom */
    double q_scale;           /* process noise multiplier (adaptive, >= 1) */
    uint32_t merged_from;     /* the number that vanished when a duplicate of this
                                 track was pruned (the latest; 0: none) */
    /* boost model: the ballistic shadow filter and its consistency so far */
    mwds_filter_state shadow;
    int shadow_updates, shadow_dof;
    double shadow_nis, boost_nis;  /* summed over the last quiet_updates measurements */
    double shadow_ring[MWDS_SHADOW_WINDOW][3]; /* per measurement: shadow NIS, boost NIS,
                                                  dimension */
} mwds_track;

typedef struct mwds_tracker_config {
    mwds_filter_kind filter;
    mwds_filter_params fp;
    int max_tracks;               /* pool size: tentative and confirmed */
    int max_meas_per_look;        /* the largest look accepted */
    double gate_p;                /* probability inside the chi-square gate */
    int confirm_m, confirm_n;     /* confirm on M hits within the first N opportunities */
    int delete_misses;            /* confirmed: delete after this many misses in a row */
    double max_coast_s;           /* delete after this long without a measurement */
    double max_pos_sigma_m;       /* delete when the position's 1-sigma exceeds this */
    double init_vel_sigma_m_s;    /* initiation: velocity prior (mean zero), per axis */
    double init_acc_sigma_m_s2;   /* initiation: thrust acceleration prior, per axis */
    double invbeta_mean, invbeta_sigma; /* 1/beta prior on entering the ballistic model */
    int quiet_updates;            /* boost -> ballistic after this many measurements the
                                     ballistic shadow explains (summed NIS within 99 %);
                                     at most MWDS_SHADOW_WINDOW */
    double quiet_acc_sigma_m_s2;  /* ... and, while climbing, the thrust along the velocity
                                     known to this 1-sigma (else only once descending) */
    int max_cluster;              /* largest rows or columns solved exactly (then greedy) */
} mwds_tracker_config;

/* Defaults: EKF; white-acceleration 1e-2 m^2/s^3, jerk 10 m^2/s^5; 1,024
 * tracks; 4,096 measurements per look; gate 0.9999; confirm 3 of 4; delete
 * after 4 misses or 30 s without a measurement or at 50 km sigma; velocity
 * prior 3 km/s, thrust prior 40 m/s^2; 1/beta 2e-4 +- 2e-4 m^2/kg; switch
 * after 10 measurements the ballistic shadow explains, with the thrust known to
 * 15 m/s^2 while climbing; clusters up to 64. */
void mwds_tracker_config_default(mwds_tracker_config *c);

typedef struct mwds_tracker mwds_tracker;

typedef struct mwds_tracker_stats {
    uint64_t looks, updates, initiated, confirmed, deleted;
    uint64_t merged;              /* duplicates pruned (counted in deleted too) */
    uint64_t out_of_order_looks;  /* looks older than some track's time */
    uint64_t greedy_clusters;     /* clusters over max_cluster, assigned greedily */
    uint64_t pairs_dropped;       /* gated pairs beyond the pair table */
    uint64_t pool_full;           /* initiations refused: no free slot */
    uint64_t filter_errors;       /* predictions or updates the filter refused */
} mwds_tracker_stats;

/* Creates a tracker for a nation's sensors. sensors[i] must have id i; the
 * table is the caller's and must outlive the tracker. All memory is
 * allocated here: processing a look allocates nothing.
 * Errors: MWDS_EINVAL (a config value out of range, a sensor whose id is not
 * its index), MWDS_ENOMEM. */
mwds_err mwds_tracker_create(const mwds_tracker_config *c, const mwds_sensor *sensors,
                             size_t n_sensors, mwds_tracker **out);

void mwds_tracker_destroy(mwds_tracker *t);

/* Processes one look of one sensor: n measurements, all from sensor_id at
 * t_ns (n may be 0: an empty look still counts misses). A step is: predict
 * every track to t_ns, gate, assign (global nearest neighbour), update or
 * coast, delete, initiate (radar measurements no track gated). A look older
 * than a track is placed by predicting that track back to the look,
 * updating there and predicting forward again to its own time: out-of-order
 * looks are used, not dropped. assoc, if not NULL, receives for each
 * measurement the number of the track it updated or started (0: none).
 * Errors: MWDS_EINVAL (unknown sensor, a measurement of another sensor or
 * time, a dimension the sensor does not produce), MWDS_EFULL (n over
 * max_meas_per_look); the tracker is then unchanged. Cost: O(tracks (n^3 +
 * log m) + pairs + sum of cluster sizes cubed); no allocation. */
mwds_err mwds_tracker_look(mwds_tracker *t, uint32_t sensor_id, int64_t t_ns,
                           const mwds_measurement *m, int n, uint32_t *assoc);

/* One dwell of a radar look (sensor.h): as mwds_tracker_look, but only the
 * tracks near the dwell's azimuth sector (a straight-line test widened by
 * the track's uncertainty and the gate, no prediction) are predicted,
 * gated and possibly updated, and a miss is counted only for a track whose
 * predicted position lies inside the sector and the coverage. Tracks away
 * from the dwell are left as they were, but may be deleted for silence.
 * dwell -1 is the whole coverage (mwds_tracker_look). Errors as
 * mwds_tracker_look, and MWDS_EINVAL for a dwell outside -1..dwells-1.
 * Cost: O(tracks) cheap tests plus the full step for the tracks near. */
mwds_err mwds_tracker_look_dwell(mwds_tracker *t, uint32_t sensor_id, int dwell, int64_t t_ns,
                                 const mwds_measurement *m, int n, uint32_t *assoc);

/* The track pool (max_tracks slots; skip those with status MWDS_TRACK_FREE).
 * Valid until the next call of mwds_tracker_look. */
const mwds_track *mwds_tracker_tracks(const mwds_tracker *t, int *n_slots);

void mwds_tracker_get_stats(const mwds_tracker *t, mwds_tracker_stats *out);

/* ---- accuracy against the posterior Cramer-Rao lower bound ---- */

typedef enum mwds_accuracy_case {
    MWDS_ACC_MIDCOURSE = 0, /* one radar, an ICBM's midcourse, 1 Hz, 600 s */
    MWDS_ACC_REENTRY = 1    /* one radar, re-entry with unknown 1/beta, 10 Hz */
} mwds_accuracy_case;

typedef struct mwds_accuracy_result {
    int runs, failed_runs;        /* failed: the filter returned an error */
    int steps;                    /* measurement times in the converged part */
    double t_from_s, t_to_s;      /* the converged part, seconds from the start */
    double rmse_pos_m, pcrlb_pos_m, rmse_pcrlb_ratio;
    double rmse_vel_m_s, pcrlb_vel_m_s;
    double max_step_ratio;        /* largest RMSE/PCRLB at a single time */
    int dof_nees;                 /* 7: the whole ballistic state */
    double nees_mean, nees_lo, nees_hi; /* 95 % bounds of the average over runs */
    double nees_in_bounds;        /* fraction of times the average lies inside */
    double nis_mean, nis_in_bounds;
} mwds_accuracy_result;

/* Runs `runs` seeded Monte Carlo runs of a filter on an accuracy case and
 * compares its errors, over the converged part (the last three quarters of
 * the measurement times), with the recursive posterior Cramer-Rao lower bound
 * for the same case. Position RMSE and bound are root-mean-square over runs
 * and times. Deterministic for a given seed.
 * Errors: MWDS_EINVAL (runs < 2, unknown case), MWDS_ENOMEM, MWDS_ENUMERIC
 * (fewer than two runs completed), the flight model's. Cost: runs x steps
 * predictions and updates (about a second for 100 runs of either case with
 * the EKF, several with the CKF). */
mwds_err mwds_accuracy_run(mwds_accuracy_case c, mwds_filter_kind kind, int runs, uint64_t seed,
                           mwds_accuracy_result *out);

#ifdef __cplusplus
}
#endif
#endif
