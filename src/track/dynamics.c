/*
 * The filters' shared motion models (see track.h): state derivative and its
 * Jacobian, the dynamics' fastest rate (which bounds the prediction
 * sub-step), and the discrete process noise of a sub-step.
 */
#include <math.h>
#include <string.h>

#include "track_internal.h"

int mwds__track_dim(mwds_motion_model m) { return m == MWDS_MODEL_BOOST ? 9 : 7; }

/* Force terms each model uses: the boost model's thrust acceleration
 * absorbs drag. */
unsigned mwds__track_flags(const mwds_filter_params *fp, mwds_motion_model m)
{
    unsigned f = fp->flags & ~(unsigned)MWDS_FORCE_THRUST;
    if (m == MWDS_MODEL_BOOST)
        f &= ~(unsigned)MWDS_FORCE_DRAG;
    return f;
}

/* dx/dt, and F = df/dx if f_jac is not NULL. */
mwds_err mwds__track_dynamics(unsigned flags, mwds_motion_model model, const double *x, double *dx,
                         mwds_mat9 *f_jac)
{
    mwds_vec3 r = mwds_v3(x[0], x[1], x[2]), v = mwds_v3(x[3], x[4], x[5]), a;
    mwds_mat3 ar, av;
    mwds_vec3 ak;
    double k = model == MWDS_MODEL_BALLISTIC ? x[6] : 0.0;
    mwds_err e = mwds_ballistic_freeflight(flags, r, v, k, &a, f_jac ? &ar : NULL,
                                           f_jac ? &av : NULL, f_jac ? &ak : NULL);
    if (e != MWDS_OK)
        return e;
    int n = mwds__track_dim(model);
    for (int i = 0; i < 3; i++) {
        dx[i] = x[3 + i];
        dx[3 + i] = a.v[i] + (model == MWDS_MODEL_BOOST ? x[6 + i] : 0.0);
    }
    for (int i = 6; i < n; i++)
        dx[i] = 0.0;
    if (f_jac != NULL) {
        memset(f_jac, 0, sizeof *f_jac);
        for (int i = 0; i < 3; i++) {
            f_jac->m[i][3 + i] = 1.0;
            for (int j = 0; j < 3; j++) {
                f_jac->m[3 + i][j] = ar.m[i][j];
                f_jac->m[3 + i][3 + j] = av.m[i][j];
            }
            if (model == MWDS_MODEL_BALLISTIC)
                f_jac->m[3 + i][6] = ak.v[i];
            else
                f_jac->m[3 + i][6 + i] = 1.0;
        }
    }
    return MWDS_OK;
}

/* c = a b for n x n matrices in LD storage (c may not alias a or b). */
void mwds__track_mat_mul(const mwds_mat9 *a, const mwds_mat9 *b, mwds_mat9 *c, int n)
{
    for (int i = 0; i < n; i++)
        for (int j = 0; j < n; j++) {
            double s = 0.0;
            for (int k = 0; k < n; k++)
                s += a->m[i][k] * b->m[k][j];
            c->m[i][j] = s;
        }
}

/* Adds the discrete process noise of one sub-step of length dt (> 0). */
void mwds__track_process_noise(const mwds_filter_params *fp, mwds_motion_model model,
                              mwds_mat9 *p, double dt)
{
    double dt2 = dt * dt, dt3 = dt2 * dt;
    for (int i = 0; i < 3; i++) {
        /* white acceleration on (position, velocity) */
        p->m[i][i] += fp->q_acc * dt3 / 3.0;
        p->m[i][3 + i] += fp->q_acc * dt2 / 2.0;
        p->m[3 + i][i] += fp->q_acc * dt2 / 2.0;
        p->m[3 + i][3 + i] += fp->q_acc * dt;
    }
    if (model == MWDS_MODEL_BALLISTIC) {
        p->m[6][6] += fp->q_invbeta * dt;
        return;
    }
    /* white jerk on (position, velocity, acceleration) */
    double q = fp->q_jerk, dt4 = dt3 * dt, dt5 = dt4 * dt;
    for (int i = 0; i < 3; i++) {
        int r = i, v = 3 + i, a = 6 + i;
        p->m[r][r] += q * dt5 / 20.0;
        p->m[r][v] += q * dt4 / 8.0;
        p->m[v][r] += q * dt4 / 8.0;
        p->m[r][a] += q * dt3 / 6.0;
        p->m[a][r] += q * dt3 / 6.0;
        p->m[v][v] += q * dt3 / 3.0;
        p->m[v][a] += q * dt2 / 2.0;
        p->m[a][v] += q * dt2 / 2.0;
        p->m[a][a] += q * dt;
    }
}

/* The dynamics' fastest rate (1/s): the larger of ||da/dv|| and
 * sqrt(||da/dr||) (infinity norms). The columns of F for 1/beta or thrust
 * acceleration carry other units and do not set the rate: those states are
 * constant under the dynamics. */
double mwds__track_stiffness(const mwds_mat9 *f)
{
    double d = 0.0, g = 0.0;
    for (int i = 3; i < 6; i++) {
        double sd = 0.0, sg = 0.0;
        for (int j = 0; j < 3; j++) {
            sg += fabs(f->m[i][j]);
            sd += fabs(f->m[i][3 + j]);
        }
        d = fmax(d, sd);
        g = fmax(g, sg);
    }
    return fmax(d, sqrt(g));
}

double mwds__track_substep(const mwds_filter_params *fp, const mwds_mat9 *f, double remaining)
{
    const double max_step = fp->max_step_s > 0.0 ? fp->max_step_s : MWDS__DEFAULT_MAX_STEP_S;
    double lim = fmin(max_step, 0.1 / fmax(mwds__track_stiffness(f), 1e-30));
    return fabs(remaining) > lim ? copysign(lim, remaining) : remaining;
}

mwds_err mwds__track_rk4(unsigned flags, mwds_motion_model model, const double *x,
                         const double *k1, double h, double *x_out, mwds_mat9 *f_mid)
{
    const int n = mwds__track_dim(model);
    double xt[MWDS__LD], k2[MWDS__LD], k3[MWDS__LD], k4[MWDS__LD];
    mwds_err e;
    for (int i = 0; i < n; i++)
        xt[i] = x[i] + 0.5 * h * k1[i];
    if ((e = mwds__track_dynamics(flags, model, xt, k2, NULL)) != MWDS_OK)
        return e;
    for (int i = 0; i < n; i++)
        xt[i] = x[i] + 0.5 * h * k2[i];
    if ((e = mwds__track_dynamics(flags, model, xt, k3, f_mid)) != MWDS_OK)
        return e;
    for (int i = 0; i < n; i++)
        xt[i] = x[i] + h * k3[i];
    if ((e = mwds__track_dynamics(flags, model, xt, k4, NULL)) != MWDS_OK)
        return e;
    for (int i = 0; i < n; i++)
        x_out[i] = x[i] + h / 6.0 * (k1[i] + 2.0 * k2[i] + 2.0 * k3[i] + k4[i]);
    return MWDS_OK;
}

mwds_err mwds__track_commit(mwds_filter_state *s, const double *x, const mwds_mat9 *p,
                            int64_t t_ns)
{
    for (int i = 0; i < s->n; i++)
        if (!isfinite(x[i]))
            return MWDS_ENUMERIC;
    memcpy(s->x.v, x, (size_t)s->n * sizeof *x);
    s->p = *p;
    s->t_ns = t_ns;
    return MWDS_OK;
}
