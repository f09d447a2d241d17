/*
 * Extended Kalman filter on ballistic and boost dynamics; see track.h.
 *
 * Prediction sub-steps are chosen so that h <= max_step_s and h times the
 * dynamics' fastest rate (see stiffness) is at most 0.1: the state goes by
 * classical RK4, the transition
 * matrix by the third-order series I + hF + (hF)^2/2 + (hF)^3/6 with F at the
 * sub-step's midpoint (error (0.1)^4/24 ~ 4e-6 relative per sub-step), and
 * the process noise by the exact discrete forms of white acceleration (and
 * white jerk for the boost model) over |h|.
 *
 * Matrices live in mwds_mat9 storage (leading dimension 9) with n <= 9 in use.
 */
#include <math.h>
#include <string.h>

#include "track_internal.h"


mwds_err mwds_filter_init(mwds_filter_state *s, mwds_motion_model model, int64_t t_ns,
                          const double *x0, const double *p0)
{
    if (model != MWDS_MODEL_BALLISTIC && model != MWDS_MODEL_BOOST)
        return MWDS_EINVAL;
    int n = mwds__track_dim(model);
    for (int i = 0; i < n; i++)
        if (!isfinite(x0[i]))
            return MWDS_ENUMERIC;
    memset(s, 0, sizeof *s);
    s->t_ns = t_ns;
    s->model = model;
    s->n = n;
    for (int i = 0; i < n; i++) {
        s->x.v[i] = x0[i];
        for (int j = 0; j < n; j++)
            s->p.m[i][j] = p0[i * n + j];
    }
    mwds_m9_symmetrise(&s->p);
    return MWDS_OK;
}

mwds_err mwds_ekf_predict(const mwds_filter_params *fp, mwds_filter_state *s, int64_t t_ns)
{
    const int n = s->n;
    const unsigned flags = mwds__track_flags(fp, s->model);
    double total = mwds_time_to_s(t_ns - s->t_ns);
    double x[MWDS__LD], k1[MWDS__LD];
    memcpy(x, s->x.v, sizeof x);
    mwds_mat9 p = s->p, f, phi, fh, fh2, tmp;
    double done = 0.0;
    while (fabs(total - done) > 1e-12) {
        mwds_err e = mwds__track_dynamics(flags, s->model, x, k1, &f);
        if (e != MWDS_OK)
            return e;
        double h = mwds__track_substep(fp, &f, total - done);
        /* the state by RK4, F at the sub-step's midpoint for Phi */
        if ((e = mwds__track_rk4(flags, s->model, x, k1, h, x, &f)) != MWDS_OK)
            return e;
        /* Phi = I + hF + (hF)^2/2 + (hF)^3/6 */
        memset(&fh, 0, sizeof fh);
        for (int i = 0; i < n; i++)
            for (int j = 0; j < n; j++)
                fh.m[i][j] = h * f.m[i][j];
        mwds__track_mat_mul(&fh, &fh, &fh2, n);
        mwds__track_mat_mul(&fh2, &fh, &tmp, n);
        memset(&phi, 0, sizeof phi);
        for (int i = 0; i < n; i++)
            for (int j = 0; j < n; j++)
                phi.m[i][j] = (i == j) + fh.m[i][j] + fh2.m[i][j] / 2.0 + tmp.m[i][j] / 6.0;
        /* P = Phi P Phi^T + Q */
        mwds__track_mat_mul(&phi, &p, &tmp, n);
        for (int i = 0; i < n; i++)
            for (int j = 0; j < n; j++) {
                double acc = 0.0;
                for (int k = 0; k < n; k++)
                    acc += tmp.m[i][k] * phi.m[j][k];
                p.m[i][j] = acc;
            }
        mwds__track_process_noise(fp, s->model, &p, fabs(h));
        mwds_m9_symmetrise(&p);
        done += h;
    }
    return mwds__track_commit(s, x, &p, t_ns);
}

/* x = (L L^T)^-1 b for a dim x dim factor L (ld dim) with dinv its
 * reciprocal diagonal. */
static void tri_solve(const double *l, const double *dinv, const double *b, double *x, int dim)
{
    double y[MWDS_MEAS_MAX_DIM];
    for (int i = 0; i < dim; i++) {
        double acc = b[i];
        for (int k = 0; k < i; k++)
            acc -= l[i * dim + k] * y[k];
        y[i] = acc * dinv[i];
    }
    for (int i = dim - 1; i >= 0; i--) {
        double acc = y[i];
        for (int k = i + 1; k < dim; k++)
            acc -= l[k * dim + i] * x[k];
        x[i] = acc * dinv[i];
    }
}

mwds_err mwds_ekf_update_linear(mwds_filter_state *s, const double *nu, const double *h,
                                const double *r, int dim, double *nis)
{
    const int n = s->n;
    if (dim < 1 || dim > MWDS_MEAS_MAX_DIM)
        return MWDS_EINVAL;
    double pht[MWDS__LD][MWDS_MEAS_MAX_DIM], sm[MWDS_MEAS_MAX_DIM * MWDS_MEAS_MAX_DIM];
    double l[MWDS_MEAS_MAX_DIM * MWDS_MEAS_MAX_DIM], kg[MWDS__LD][MWDS_MEAS_MAX_DIM];
    /* P H^T (n x dim) and S = H P H^T + R */
    for (int i = 0; i < n; i++)
        for (int a = 0; a < dim; a++) {
            double acc = 0.0;
            for (int k = 0; k < n; k++)
                acc += s->p.m[i][k] * h[a * n + k];
            pht[i][a] = acc;
        }
    for (int a = 0; a < dim; a++)
        for (int b = 0; b < dim; b++) {
            double acc = r[a * dim + b];
            for (int k = 0; k < n; k++)
                acc += h[a * n + k] * pht[k][b];
            sm[a * dim + b] = acc;
        }
    mwds_linalg_symmetrise(sm, dim, dim);
    mwds_err e = mwds_linalg_chol(sm, l, dim, dim);
    if (e != MWDS_OK)
        return e;
    /* K = P H^T S^-1, row by row; NIS = |L^-1 nu|^2. The triangular solves
     * multiply by the factor's reciprocal diagonal, computed once: the
     * divisions were a third of an update's time. */
    double dinv[MWDS_MEAS_MAX_DIM], y[MWDS_MEAS_MAX_DIM], q = 0.0;
    for (int a = 0; a < dim; a++)
        dinv[a] = 1.0 / l[a * dim + a];
    for (int i = 0; i < n; i++)
        tri_solve(l, dinv, pht[i], kg[i], dim);
    for (int a = 0; a < dim; a++) {
        double acc = nu[a];
        for (int k = 0; k < a; k++)
            acc -= l[a * dim + k] * y[k];
        y[a] = acc * dinv[a];
        q += y[a] * y[a];
    }
    /* x += K nu; P = (I - K H) P (I - K H)^T + K R K^T (Joseph), in three
     * products that use P's symmetry (H P = (P H^T)^T) and H's zero
     * trailing columns (sensors see position and velocity, not 1/beta or
     * thrust): T = P - K (H P); P' = T - (T H^T) K^T + (K R) K^T, the upper
     * triangle computed and mirrored. */
    int hc = 0;
    for (int a = 0; a < dim; a++)
        for (int k = 0; k < n; k++)
            if (h[a * n + k] != 0.0 && k + 1 > hc)
                hc = k + 1;
    double xn[MWDS__LD], th[MWDS__LD][MWDS_MEAS_MAX_DIM], kr[MWDS__LD][MWDS_MEAS_MAX_DIM];
    mwds_mat9 tmp, pn;
    for (int i = 0; i < n; i++) {
        double dx = 0.0;
        for (int a = 0; a < dim; a++)
            dx += kg[i][a] * nu[a];
        xn[i] = s->x.v[i] + dx;
        for (int k = 0; k < n; k++) {
            double acc = s->p.m[i][k];
            for (int a = 0; a < dim; a++)
                acc -= kg[i][a] * pht[k][a];
            tmp.m[i][k] = acc;
        }
        for (int a = 0; a < dim; a++) {
            double acc = 0.0, acc_r = 0.0;
            for (int k = 0; k < hc; k++)
                acc += tmp.m[i][k] * h[a * n + k];
            for (int b = 0; b < dim; b++)
                acc_r += kg[i][b] * r[b * dim + a];
            th[i][a] = acc;
            kr[i][a] = acc_r;
        }
    }
    for (int i = 0; i < n; i++)
        for (int j = i; j < n; j++) {
            double acc = tmp.m[i][j];
            for (int a = 0; a < dim; a++)
                acc += (kr[i][a] - th[i][a]) * kg[j][a];
            pn.m[i][j] = pn.m[j][i] = acc;
        }
    for (int i = 0; i < n; i++)
        if (!isfinite(xn[i]) || !isfinite(pn.m[i][i]))
            return MWDS_ENUMERIC;
    for (int i = 0; i < n; i++) {
        s->x.v[i] = xn[i];
        for (int j = 0; j < n; j++)
            s->p.m[i][j] = pn.m[i][j];
    }
    if (nis != NULL)
        *nis = q;
    return MWDS_OK;
}

mwds_err mwds_ekf_update(mwds_filter_state *s, const mwds_sensor *sensor,
                         const mwds_measurement *m, double *nis)
{
    const int n = s->n, dim = m->dim;
    if (dim < 1 || dim > MWDS_MEAS_MAX_DIM)
        return MWDS_EINVAL;
    mwds_vec3 pos = mwds_v3(s->x.v[0], s->x.v[1], s->x.v[2]);
    mwds_vec3 vel = mwds_v3(s->x.v[3], s->x.v[4], s->x.v[5]);
    mwds_measurement zhat;
    double h6[MWDS_MEAS_MAX_DIM * 6], h[MWDS_MEAS_MAX_DIM * MWDS__LD], nu[MWDS_MEAS_MAX_DIM];
    double r[MWDS_MEAS_MAX_DIM * MWDS_MEAS_MAX_DIM];
    mwds_err e = mwds_sensor_measure(sensor, pos, vel, &zhat);
    if (e == MWDS_OK)
        e = mwds_sensor_jacobian(sensor, pos, vel, dim, h6);
    if (e != MWDS_OK)
        return e;
    if (zhat.dim != dim)
        return MWDS_EINVAL;
    mwds_sensor_residual(m, &zhat, nu);
    memset(h, 0, sizeof h);
    memset(r, 0, sizeof r);
    for (int a = 0; a < dim; a++) {
        for (int j = 0; j < 6; j++)
            h[a * n + j] = h6[a * 6 + j];
        r[a * dim + a] = m->sigma[a] * m->sigma[a];
    }
    return mwds_ekf_update_linear(s, nu, h, r, dim, nis);
}
