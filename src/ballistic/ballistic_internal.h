/*
 * Private to src/ballistic: the phase-aware force evaluation and the
 * Dormand-Prince stepper.
 *
 * A "phase" is the interval between two switch times of a force model
 * (vertical rise, kick, each stage's burn, coast, free flight). Inside one
 * integration step the phase is fixed, chosen at a time strictly inside the
 * step, so that the right-hand side is smooth over the step even when the
 * step ends exactly on a switch time.
 */
#ifndef MWDS_BALLISTIC_INTERNAL_H
#define MWDS_BALLISTIC_INTERNAL_H

#include <math.h>

#include "mwds/ballistic.h"

/* Acceleration at t_s with the phase in force at phase_t_s. */
mwds_err mwds__ballistic_accel_phase(const mwds_force_model *fm, double phase_t_s, double t_s,
                                     mwds_vec3 pos, mwds_vec3 vel, mwds_vec3 *acc);

/* Full burn time of the class: ignition of stage 1 to burnout of the last
 * stage, coasts included. */
double mwds__ballistic_full_burn_s(const mwds_missile_class *cls);

/* ---- root bracketing (Illinois regula falsi) ------------------------------- */

/* A bracket [a, b] (either order) across which f changes sign. fb may be
 * unknown (b_known 0: e.g. a point where the quantity cannot be computed),
 * and the next point is then the midpoint. When one end is kept twice in a
 * row its value is halved (the Illinois rule), which keeps regula falsi
 * superlinear. */
typedef struct mwds__bracket {
    double a, fa, b, fb;
    int b_known;
    char last; /* the end replaced last: 'a', 'b' or 0 */
} mwds__bracket;

static inline mwds__bracket mwds__bracket_make(double a, double fa, double b, double fb,
                                               int b_known)
{
    mwds__bracket br = {a, fa, b, fb, b_known, 0};
    return br;
}

/* The next point to evaluate, strictly inside the bracket. */
static inline double mwds__bracket_next(const mwds__bracket *br)
{
    double mid = 0.5 * (br->a + br->b);
    if (!br->b_known)
        return mid;
    double x = (br->a * br->fb - br->b * br->fa) / (br->fb - br->fa);
    return x > fmin(br->a, br->b) && x < fmax(br->a, br->b) ? x : mid;
}

/* Replaces the end whose value has fx's sign; an unknown value (known 0)
 * replaces b. */
static inline void mwds__bracket_update(mwds__bracket *br, double x, double fx, int known)
{
    if (known && (fx > 0.0) == (br->fa > 0.0)) {
        br->a = x;
        br->fa = fx;
        if (br->last == 'a')
            br->fb *= 0.5;
        br->last = 'a';
    } else {
        br->b = x;
        br->fb = fx;
        br->b_known = known;
        if (br->last == 'b')
            br->fa *= 0.5;
        br->last = 'b';
    }
}

static inline double mwds__bracket_width(const mwds__bracket *br) { return fabs(br->b - br->a); }

/* ---- Dormand-Prince 5(4) on a 6-dimensional state -------------------------- */

#define MWDS_DP_N 6

/* dy/dt at t; phase_t picks the smooth branch (see above). */
typedef mwds_err (*mwds__rhs_fn)(void *ctx, double phase_t, double t, const double *y,
                                 double *dydt);

typedef struct mwds__dp45 {
    mwds__rhs_fn rhs;
    void *ctx;
    double rtol, atol;
    double h_min;       /* smallest step before MWDS_ENOCONV */
    double t;           /* current time */
    double y[MWDS_DP_N];
    double f[MWDS_DP_N]; /* dy/dt at (t, y) in the current phase, when f_valid */
    int f_valid;
    double h;           /* proposed next step */
    /* the last accepted step, kept for event location */
    double t_prev, y_prev[MWDS_DP_N], f_prev[MWDS_DP_N];
    int n_rhs;          /* right-hand-side evaluations so far */
    int n_reject;
} mwds__dp45;

/* Starts a stepper at (t0, y0) with first step h0 (> 0). */
void mwds__dp45_init(mwds__dp45 *s, mwds__rhs_fn rhs, void *ctx, double t0, const double *y0,
                     double h0, double rtol, double atol);

/* Takes one accepted step, never beyond t_stop (> s->t): the step is shortened
 * to land on t_stop exactly. The phase of the step is taken at its midpoint.
 * Errors: MWDS_ENOCONV (step below h_min), MWDS_ENUMERIC (from rhs). */
mwds_err mwds__dp45_step(mwds__dp45 *s, double t_stop);

/* One fixed step of size h from the start of the last accepted step
 * (t_prev, y_prev), without error control; used to locate events inside
 * that step at full integration accuracy. Writes y_out. */
mwds_err mwds__dp45_substep(const mwds__dp45 *s, double h, double *y_out);

#endif
