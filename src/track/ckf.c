/*
 * Cubature Kalman filter (third-degree spherical-radial rule): 2n points
 * x +- sqrt(n) L e_i with L L^T = P, equal weights 1/(2n). No Jacobians:
 * the points go through the same RK4 dynamics as the EKF's state, and
 * through the sensor's measurement function, so the filter keeps the
 * second-order terms the EKF drops (the curvature of range and angles, of
 * gravity over long coasts).
 *
 * Prediction uses the EKF's sub-steps (see filter.c) and re-draws the points
 * at each sub-step, adding that sub-step's process noise; on a linear model
 * this is exactly the Kalman filter's Phi P Phi^T + Q, sub-step by sub-step.
 * Innovations are formed per point as z - h(X_i) by the caller's residual
 * function, so angle wrapping happens next to the measurement, never across
 * the spread of points.
 */
#include <math.h>
#include <string.h>

#include "track_internal.h"

#define NPTS (2 * MWDS__LD)

/* The 2n cubature points of (x, P) into pts[2n][n]. */
static mwds_err cubature_points(const double *x, const mwds_mat9 *p, int n,
                                double pts[NPTS][MWDS__LD])
{
    mwds_mat9 l;
    mwds_err e = mwds_linalg_chol(&p->m[0][0], &l.m[0][0], n, MWDS__LD);
    if (e != MWDS_OK)
        return e;
    const double c = sqrt((double)n);
    for (int j = 0; j < n; j++)
        for (int i = 0; i < n; i++) {
            pts[j][i] = x[i] + c * l.m[i][j];
            pts[n + j][i] = x[i] - c * l.m[i][j];
        }
    return MWDS_OK;
}

mwds_err mwds_ckf_predict(const mwds_filter_params *fp, mwds_filter_state *s, int64_t t_ns)
{
    const int n = s->n, m = 2 * n;
    const unsigned flags = mwds__track_flags(fp, s->model);
    const double total = mwds_time_to_s(t_ns - s->t_ns);
    double x[MWDS__LD], k1[MWDS__LD], pts[NPTS][MWDS__LD];
    memcpy(x, s->x.v, sizeof x);
    mwds_mat9 p = s->p, f;
    double done = 0.0;
    while (fabs(total - done) > 1e-12) {
        mwds_err e = mwds__track_dynamics(flags, s->model, x, k1, &f);
        if (e != MWDS_OK)
            return e;
        double h = mwds__track_substep(fp, &f, total - done);
        if ((e = cubature_points(x, &p, n, pts)) != MWDS_OK)
            return e;
        for (int j = 0; j < m; j++) {
            if ((e = mwds__track_dynamics(flags, s->model, pts[j], k1, NULL)) != MWDS_OK ||
                (e = mwds__track_rk4(flags, s->model, pts[j], k1, h, pts[j], NULL)) != MWDS_OK)
                return e;
        }
        for (int i = 0; i < n; i++) {
            double acc = 0.0;
            for (int j = 0; j < m; j++)
                acc += pts[j][i];
            x[i] = acc / m;
        }
        for (int i = 0; i < n; i++)
            for (int k = 0; k <= i; k++) {
                double acc = 0.0;
                for (int j = 0; j < m; j++)
                    acc += (pts[j][i] - x[i]) * (pts[j][k] - x[k]);
                p.m[i][k] = p.m[k][i] = acc / m;
            }
        mwds__track_process_noise(fp, s->model, &p, fabs(h));
        mwds_m9_symmetrise(&p);
        done += h;
    }
    return mwds__track_commit(s, x, &p, t_ns);
}

mwds_err mwds_ckf_update_fn(mwds_filter_state *s, mwds_residual_fn fn, const void *ctx,
                            const double *r, int dim, double *nis)
{
    const int n = s->n, m = 2 * n;
    if (dim < 1 || dim > MWDS_MEAS_MAX_DIM)
        return MWDS_EINVAL;
    double pts[NPTS][MWDS__LD], d[NPTS][MWDS_MEAS_MAX_DIM];
    mwds_err e = cubature_points(s->x.v, &s->p, n, pts);
    if (e != MWDS_OK)
        return e;
    for (int j = 0; j < m; j++)
        if ((e = fn(ctx, pts[j], d[j])) != MWDS_OK)
            return e;
    /* nu = mean of z - h(X_j); Pzz = spread of h(X_j) + R; Pxz */
    double nu[MWDS_MEAS_MAX_DIM], pzz[MWDS_MEAS_MAX_DIM * MWDS_MEAS_MAX_DIM];
    double l[MWDS_MEAS_MAX_DIM * MWDS_MEAS_MAX_DIM], pxz[MWDS__LD][MWDS_MEAS_MAX_DIM];
    double kg[MWDS__LD][MWDS_MEAS_MAX_DIM];
    for (int a = 0; a < dim; a++) {
        double acc = 0.0;
        for (int j = 0; j < m; j++)
            acc += d[j][a];
        nu[a] = acc / m;
    }
    for (int a = 0; a < dim; a++)
        for (int b = 0; b < dim; b++) {
            double acc = 0.0;
            for (int j = 0; j < m; j++)
                acc += (d[j][a] - nu[a]) * (d[j][b] - nu[b]);
            pzz[a * dim + b] = acc / m + r[a * dim + b];
        }
    /* h(X_j) - zbar = -(d_j - nu) */
    for (int i = 0; i < n; i++)
        for (int a = 0; a < dim; a++) {
            double acc = 0.0;
            for (int j = 0; j < m; j++)
                acc -= (pts[j][i] - s->x.v[i]) * (d[j][a] - nu[a]);
            pxz[i][a] = acc / m;
        }
    mwds_linalg_symmetrise(pzz, dim, dim);
    if ((e = mwds_linalg_chol(pzz, l, dim, dim)) != MWDS_OK)
        return e;
    for (int i = 0; i < n; i++)
        mwds_linalg_chol_solve(l, pxz[i], kg[i], dim, dim);
    double y[MWDS_MEAS_MAX_DIM], q = 0.0;
    mwds_linalg_chol_solve(l, nu, y, dim, dim);
    for (int a = 0; a < dim; a++)
        q += nu[a] * y[a];
    /* x += K nu; P -= K Pzz K^T = K Pxz^T */
    mwds_filter_state out = *s;
    for (int i = 0; i < n; i++) {
        double dx = 0.0;
        for (int a = 0; a < dim; a++)
            dx += kg[i][a] * nu[a];
        out.x.v[i] += dx;
        for (int k = 0; k < n; k++) {
            double acc = 0.0;
            for (int a = 0; a < dim; a++)
                acc += kg[i][a] * pxz[k][a];
            out.p.m[i][k] -= acc;
        }
    }
    mwds_m9_symmetrise(&out.p);
    for (int i = 0; i < n; i++)
        if (!isfinite(out.x.v[i]) || !(out.p.m[i][i] > 0.0))
            return MWDS_ENUMERIC;
    *s = out;
    if (nis != NULL)
        *nis = q;
    return MWDS_OK;
}

typedef struct sensor_ctx {
    const mwds_sensor *sensor;
    const mwds_measurement *m;
} sensor_ctx;

static mwds_err sensor_residual(const void *ctx, const double *x, double *nu)
{
    const sensor_ctx *c = ctx;
    mwds_measurement zhat;
    mwds_err e = mwds_sensor_measure(c->sensor, mwds_v3(x[0], x[1], x[2]),
                                     mwds_v3(x[3], x[4], x[5]), &zhat);
    if (e != MWDS_OK)
        return e;
    if (zhat.dim != c->m->dim)
        return MWDS_EINVAL;
    mwds_sensor_residual(c->m, &zhat, nu);
    return MWDS_OK;
}

mwds_err mwds_ckf_update(mwds_filter_state *s, const mwds_sensor *sensor,
                         const mwds_measurement *m, double *nis)
{
    const int dim = m->dim;
    if (dim < 1 || dim > MWDS_MEAS_MAX_DIM)
        return MWDS_EINVAL;
    double r[MWDS_MEAS_MAX_DIM * MWDS_MEAS_MAX_DIM] = {0};
    for (int a = 0; a < dim; a++)
        r[a * dim + a] = m->sigma[a] * m->sigma[a];
    sensor_ctx c = {sensor, m};
    return mwds_ckf_update_fn(s, sensor_residual, &c, r, dim, nis);
}

mwds_err mwds_filter_predict(mwds_filter_kind kind, const mwds_filter_params *fp,
                             mwds_filter_state *s, int64_t t_ns)
{
    return kind == MWDS_FILTER_CKF ? mwds_ckf_predict(fp, s, t_ns) : mwds_ekf_predict(fp, s, t_ns);
}

mwds_err mwds_filter_update(mwds_filter_kind kind, mwds_filter_state *s,
                            const mwds_sensor *sensor, const mwds_measurement *m, double *nis)
{
    return kind == MWDS_FILTER_CKF ? mwds_ckf_update(s, sensor, m, nis)
                                   : mwds_ekf_update(s, sensor, m, nis);
}
