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
