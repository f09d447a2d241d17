/*
 * Internals shared by the track module's filters and tracker. Not installed.
 * Matrices are mwds_mat9 storage (leading dimension 9) with the first n rows
 * and columns in use.
 */
#ifndef MWDS_TRACK_INTERNAL_H
#define MWDS_TRACK_INTERNAL_H

#include "mwds/track.h"

#define MWDS__LD 9
#define MWDS__DEFAULT_MAX_STEP_S 1.0

/* State dimension of a motion model: 7 (ballistic) or 9 (boost). */
int mwds__track_dim(mwds_motion_model m);

/* The force terms the model's dynamics use: fp->flags without thrust, and
 * without drag for the boost model (its thrust acceleration absorbs it). */
unsigned mwds__track_flags(const mwds_filter_params *fp, mwds_motion_model m);

/* dx/dt of the model at x, and F = df/dx if f_jac is not NULL.
 * Errors: the free-flight model's (MWDS_ENUMERIC). */
mwds_err mwds__track_dynamics(unsigned flags, mwds_motion_model model, const double *x,
                              double *dx, mwds_mat9 *f_jac);

/* c = a b, n x n (c may not alias a or b). */
void mwds__track_mat_mul(const mwds_mat9 *a, const mwds_mat9 *b, mwds_mat9 *c, int n);

/* Adds the discrete process noise of one sub-step of length dt > 0 to p. */
void mwds__track_process_noise(const mwds_filter_params *fp, mwds_motion_model model,
                               mwds_mat9 *p, double dt);

/* The dynamics' fastest rate (1/s) from the Jacobian F. */
double mwds__track_stiffness(const mwds_mat9 *f);

/* The next prediction sub-step: the remaining signed interval, cut to
 * max_step_s and to 0.1 over the dynamics' fastest rate. */
double mwds__track_substep(const mwds_filter_params *fp, const mwds_mat9 *f, double remaining);

/* One classical RK4 step of length h from x (k1 = dx/dt at x, already
 * evaluated) into x_out (may alias x); F at the step's midpoint into f_mid
 * if not NULL. Errors: the dynamics'; x_out is then untouched. */
mwds_err mwds__track_rk4(unsigned flags, mwds_motion_model model, const double *x,
                         const double *k1, double h, double *x_out, mwds_mat9 *f_mid);

/* Ends a prediction: stores x (n entries), p and t_ns in s, or returns
 * MWDS_ENUMERIC, leaving s untouched, if the state is not finite. */
mwds_err mwds__track_commit(mwds_filter_state *s, const double *x, const mwds_mat9 *p,
                            int64_t t_ns);

#endif
