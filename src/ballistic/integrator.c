/*
 * Dormand-Prince 5(4) with FSAL, local extrapolation and standard step-size
 * control (Hairer, Norsett and Wanner, Solving ODEs I, II.4 and II.5).
 * The error norm is the RMS of e_i / (atol + rtol * max(|y0_i|, |y1_i|)).
 * Steps never cross t_stop; the phase of the right-hand side is fixed at the
 * middle of each step, so a discontinuity on a step boundary is harmless.
 * A step whose trial stages leave the model's domain (MWDS_ENUMERIC from the
 * right-hand side) is rejected like one with too large an error; only a
 * breakdown at the step's start is an error.
 */
#include <math.h>
#include <string.h>

#include "ballistic_internal.h"

/* Butcher tableau. */
static const double C2 = 1.0 / 5, C3 = 3.0 / 10, C4 = 4.0 / 5, C5 = 8.0 / 9;
static const double A21 = 1.0 / 5;
static const double A31 = 3.0 / 40, A32 = 9.0 / 40;
static const double A41 = 44.0 / 45, A42 = -56.0 / 15, A43 = 32.0 / 9;
static const double A51 = 19372.0 / 6561, A52 = -25360.0 / 2187, A53 = 64448.0 / 6561,
                    A54 = -212.0 / 729;
static const double A61 = 9017.0 / 3168, A62 = -355.0 / 33, A63 = 46732.0 / 5247,
                    A64 = 49.0 / 176, A65 = -5103.0 / 18656;
static const double B1 = 35.0 / 384, B3 = 500.0 / 1113, B4 = 125.0 / 192, B5 = -2187.0 / 6784,
                    B6 = 11.0 / 84;
/* fifth- minus fourth-order weights */
static const double E1 = 71.0 / 57600, E3 = -71.0 / 16695, E4 = 71.0 / 1920,
                    E5 = -17253.0 / 339200, E6 = 22.0 / 525, E7 = -1.0 / 40;

void mwds__dp45_init(mwds__dp45 *s, mwds__rhs_fn rhs, void *ctx, double t0, const double *y0,
                     double h0, double rtol, double atol)
{
    memset(s, 0, sizeof *s);
    s->rhs = rhs;
    s->ctx = ctx;
    s->rtol = rtol;
    s->atol = atol;
    s->h_min = 1e-9;
    s->t = t0;
    memcpy(s->y, y0, sizeof s->y);
    s->h = h0;
    s->t_prev = t0;
    memcpy(s->y_prev, y0, sizeof s->y_prev);
}

/* One Dormand-Prince step of size h from (t, y) with k1 = f; phase at tp.
 * Writes the fifth-order result to y1, its derivative to k7, and the error
 * estimate to err (may be NULL). */
static mwds_err dp_stage(const mwds__dp45 *s, double tp, double t, const double *y,
                         const double *k1, double h, double *y1, double *k7, double *err)
{
    enum { N = MWDS_DP_N };
    double k2[N], k3[N], k4[N], k5[N], k6[N], yt[N];
    mwds_err e;
    for (int i = 0; i < N; i++)
        yt[i] = y[i] + h * A21 * k1[i];
    if ((e = s->rhs(s->ctx, tp, t + C2 * h, yt, k2)) != MWDS_OK)
        return e;
    for (int i = 0; i < N; i++)
        yt[i] = y[i] + h * (A31 * k1[i] + A32 * k2[i]);
    if ((e = s->rhs(s->ctx, tp, t + C3 * h, yt, k3)) != MWDS_OK)
        return e;
    for (int i = 0; i < N; i++)
        yt[i] = y[i] + h * (A41 * k1[i] + A42 * k2[i] + A43 * k3[i]);
    if ((e = s->rhs(s->ctx, tp, t + C4 * h, yt, k4)) != MWDS_OK)
        return e;
    for (int i = 0; i < N; i++)
        yt[i] = y[i] + h * (A51 * k1[i] + A52 * k2[i] + A53 * k3[i] + A54 * k4[i]);
    if ((e = s->rhs(s->ctx, tp, t + C5 * h, yt, k5)) != MWDS_OK)
        return e;
    for (int i = 0; i < N; i++)
        yt[i] = y[i] + h * (A61 * k1[i] + A62 * k2[i] + A63 * k3[i] + A64 * k4[i] + A65 * k5[i]);
    if ((e = s->rhs(s->ctx, tp, t + h, yt, k6)) != MWDS_OK)
        return e;
    for (int i = 0; i < N; i++)
        y1[i] = y[i] + h * (B1 * k1[i] + B3 * k3[i] + B4 * k4[i] + B5 * k5[i] + B6 * k6[i]);
    if ((e = s->rhs(s->ctx, tp, t + h, y1, k7)) != MWDS_OK)
        return e;
    if (err != NULL)
        for (int i = 0; i < N; i++)
            err[i] = h * (E1 * k1[i] + E3 * k3[i] + E4 * k4[i] + E5 * k5[i] + E6 * k6[i] +
                          E7 * k7[i]);
    return MWDS_OK;
}

mwds_err mwds__dp45_step(mwds__dp45 *s, double t_stop)
{
    enum { N = MWDS_DP_N };
    double y1[N], k7[N], err[N];
    for (;;) {
        double h = s->h;
        int lands = 0;
        if (s->t + h >= t_stop) {
            h = t_stop - s->t;
            lands = 1;
        }
        if (h < s->h_min && !lands)
            return MWDS_ENOCONV;
        double tp = s->t + 0.5 * h;
        if (!s->f_valid) {
            /* the phase may have changed at s->t: evaluate k1 in this step's phase */
            mwds_err e = s->rhs(s->ctx, tp, s->t, s->y, s->f);
            if (e != MWDS_OK)
                return e;
            s->n_rhs++;
            s->f_valid = 1;
        }
        mwds_err e = dp_stage(s, tp, s->t, s->y, s->f, h, y1, k7, err);
        s->n_rhs += 6;
        if (e == MWDS_ENUMERIC) {
            /* a trial stage left the model's domain (a step far too long
             * for a stiff patch such as dense air): reject and shrink */
            s->n_reject++;
            s->h = 0.25 * h;
            continue;
        }
        if (e != MWDS_OK)
            return e;
        double sum = 0.0;
        for (int i = 0; i < N; i++) {
            double sc = s->atol + s->rtol * fmax(fabs(s->y[i]), fabs(y1[i]));
            double q = err[i] / sc;
            sum += q * q;
        }
        double norm = sqrt(sum / N);
        if (!isfinite(norm))
            return MWDS_ENUMERIC;
        double fac = norm > 0.0 ? 0.9 * pow(norm, -0.2) : 5.0;
        if (norm <= 1.0) {
            s->t_prev = s->t;
            memcpy(s->y_prev, s->y, sizeof s->y);
            memcpy(s->f_prev, s->f, sizeof s->f);
            s->t = lands ? t_stop : s->t + h;
            memcpy(s->y, y1, sizeof s->y);
            memcpy(s->f, k7, sizeof s->f);
            /* FSAL holds only while the next step stays in the same phase */
            s->f_valid = !lands;
            double grow = fac > 5.0 ? 5.0 : fac;
            if (!lands || h >= s->h)
                s->h = h * (grow < 0.2 ? 0.2 : grow);
            return MWDS_OK;
        }
        s->n_reject++;
        s->h = h * (fac < 0.2 ? 0.2 : fac);
    }
}

mwds_err mwds__dp45_substep(const mwds__dp45 *s, double h, double *y_out)
{
    double k1[MWDS_DP_N], k7[MWDS_DP_N];
    double full = s->t - s->t_prev;
    double tp = s->t_prev + 0.5 * full;
    /* f_prev was evaluated in the phase of the last step: reuse it */
    memcpy(k1, s->f_prev, sizeof k1);
    return dp_stage(s, tp, s->t_prev, s->y_prev, k1, h, y_out, k7, NULL);
}
