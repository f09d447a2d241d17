/*
 * Small dense linear algebra. The typed entry points are thin wrappers over
 * generic row-major kernels so that one implementation serves 3, 6 and 9.
 */
#include <string.h>

#include "mwds/linalg.h"

mwds_err mwds_v3_unit(mwds_vec3 a, mwds_vec3 *out)
{
    double n = mwds_v3_norm(a);
    if (!(n > 0.0) || !isfinite(n))
        return MWDS_ENUMERIC;
    *out = mwds_v3_scale(a, 1.0 / n);
    return MWDS_OK;
}

mwds_mat3 mwds_m3_identity(void)
{
    mwds_mat3 r = {{{1, 0, 0}, {0, 1, 0}, {0, 0, 1}}};
    return r;
}

mwds_mat3 mwds_m3_mul(mwds_mat3 a, mwds_mat3 b)
{
    mwds_mat3 r;
    for (int i = 0; i < 3; i++)
        for (int j = 0; j < 3; j++)
            r.m[i][j] = a.m[i][0] * b.m[0][j] + a.m[i][1] * b.m[1][j] + a.m[i][2] * b.m[2][j];
    return r;
}

mwds_mat3 mwds_m3_transpose(mwds_mat3 a)
{
    mwds_mat3 r;
    for (int i = 0; i < 3; i++)
        for (int j = 0; j < 3; j++)
            r.m[i][j] = a.m[j][i];
    return r;
}

mwds_vec3 mwds_m3_mul_v3(mwds_mat3 a, mwds_vec3 x)
{
    return mwds_v3(a.m[0][0] * x.v[0] + a.m[0][1] * x.v[1] + a.m[0][2] * x.v[2],
                   a.m[1][0] * x.v[0] + a.m[1][1] * x.v[1] + a.m[1][2] * x.v[2],
                   a.m[2][0] * x.v[0] + a.m[2][1] * x.v[1] + a.m[2][2] * x.v[2]);
}

mwds_vec3 mwds_m3t_mul_v3(mwds_mat3 a, mwds_vec3 x)
{
    return mwds_v3(a.m[0][0] * x.v[0] + a.m[1][0] * x.v[1] + a.m[2][0] * x.v[2],
                   a.m[0][1] * x.v[0] + a.m[1][1] * x.v[1] + a.m[2][1] * x.v[2],
                   a.m[0][2] * x.v[0] + a.m[1][2] * x.v[1] + a.m[2][2] * x.v[2]);
}

mwds_err mwds_linalg_chol(const double *a, double *l, int n, int ld)
{
    double t[9 * 9];
    if (n < 1 || n > 9)
        return MWDS_EINVAL;
    for (int j = 0; j < n; j++) {
        double d = a[j * ld + j];
        for (int k = 0; k < j; k++)
            d -= t[j * 9 + k] * t[j * 9 + k];
        if (!(d > 0.0) || !isfinite(d))
            return MWDS_ENOTPD;
        double ljj = sqrt(d);
        t[j * 9 + j] = ljj;
        for (int i = j + 1; i < n; i++) {
            double s = a[i * ld + j];
            for (int k = 0; k < j; k++)
                s -= t[i * 9 + k] * t[j * 9 + k];
            t[i * 9 + j] = s / ljj;
        }
    }
    for (int i = 0; i < n; i++)
        for (int j = 0; j < n; j++)
            l[i * ld + j] = j <= i ? t[i * 9 + j] : 0.0;
    return MWDS_OK;
}

void mwds_linalg_chol_solve(const double *l, const double *b, double *x, int n, int ld)
{
    double y[9];
    for (int i = 0; i < n; i++) { /* L y = b */
        double s = b[i];
        for (int k = 0; k < i; k++)
            s -= l[i * ld + k] * y[k];
        y[i] = s / l[i * ld + i];
    }
    for (int i = n - 1; i >= 0; i--) { /* L^T x = y */
        double s = y[i];
        for (int k = i + 1; k < n; k++)
            s -= l[k * ld + i] * x[k];
        x[i] = s / l[i * ld + i];
    }
}

void mwds_linalg_symmetrise(double *a, int n, int ld)
{
    for (int i = 0; i < n; i++)
        for (int j = i + 1; j < n; j++) {
            double s = 0.5 * (a[i * ld + j] + a[j * ld + i]);
            a[i * ld + j] = s;
            a[j * ld + i] = s;
        }
}

#define MWDS_DEFINE_SIZED(N, MAT, VEC)                                                       \
    mwds_err mwds_m##N##_chol(const MAT *a, MAT *l)                                          \
    {                                                                                        \
        return mwds_linalg_chol(&a->m[0][0], &l->m[0][0], N, N);                             \
    }                                                                                        \
    VEC mwds_m##N##_chol_solve(const MAT *l, VEC b)                                          \
    {                                                                                        \
        VEC x;                                                                               \
        mwds_linalg_chol_solve(&l->m[0][0], b.v, x.v, N, N);                                 \
        return x;                                                                            \
    }                                                                                        \
    void mwds_m##N##_symmetrise(MAT *a) { mwds_linalg_symmetrise(&a->m[0][0], N, N); }

MWDS_DEFINE_SIZED(3, mwds_mat3, mwds_vec3)
MWDS_DEFINE_SIZED(6, mwds_mat6, mwds_vec6)
MWDS_DEFINE_SIZED(9, mwds_mat9, mwds_vec9)
