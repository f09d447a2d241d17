/*
 * mwds linalg: fixed-size small vectors and matrices as values.
 *
 * Sizes 3, 6 and 9 are distinct types so that the compiler checks dimensions.
 * Matrices are row-major, m[row][col]. Nothing here allocates. Covariance
 * work uses Cholesky factorisation and solves; no explicit inverse is formed.
 * A matrix that is not symmetric positive definite is reported as
 * MWDS_ENOTPD, never left to produce NaN.
 */
#ifndef MWDS_LINALG_H
#define MWDS_LINALG_H

#include <math.h>

#include "mwds/core.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct mwds_vec3 { double v[3]; } mwds_vec3;
typedef struct mwds_vec6 { double v[6]; } mwds_vec6;
typedef struct mwds_vec9 { double v[9]; } mwds_vec9;
typedef struct mwds_mat3 { double m[3][3]; } mwds_mat3;
typedef struct mwds_mat6 { double m[6][6]; } mwds_mat6;
typedef struct mwds_mat9 { double m[9][9]; } mwds_mat9;

/* ---- 3-vectors (inline: they are on every hot path) --------------------- */

static inline mwds_vec3 mwds_v3(double x, double y, double z)
{
    mwds_vec3 r = {{x, y, z}};
    return r;
}
static inline mwds_vec3 mwds_v3_add(mwds_vec3 a, mwds_vec3 b)
{
    return mwds_v3(a.v[0] + b.v[0], a.v[1] + b.v[1], a.v[2] + b.v[2]);
}
static inline mwds_vec3 mwds_v3_sub(mwds_vec3 a, mwds_vec3 b)
{
    return mwds_v3(a.v[0] - b.v[0], a.v[1] - b.v[1], a.v[2] - b.v[2]);
}
static inline mwds_vec3 mwds_v3_scale(mwds_vec3 a, double s)
{
    return mwds_v3(a.v[0] * s, a.v[1] * s, a.v[2] * s);
}
/* a + s*b */
static inline mwds_vec3 mwds_v3_axpy(mwds_vec3 a, double s, mwds_vec3 b)
{
    return mwds_v3(a.v[0] + s * b.v[0], a.v[1] + s * b.v[1], a.v[2] + s * b.v[2]);
}
static inline double mwds_v3_dot(mwds_vec3 a, mwds_vec3 b)
{
    return a.v[0] * b.v[0] + a.v[1] * b.v[1] + a.v[2] * b.v[2];
}
static inline mwds_vec3 mwds_v3_cross(mwds_vec3 a, mwds_vec3 b)
{
    return mwds_v3(a.v[1] * b.v[2] - a.v[2] * b.v[1], a.v[2] * b.v[0] - a.v[0] * b.v[2],
                   a.v[0] * b.v[1] - a.v[1] * b.v[0]);
}
static inline double mwds_v3_norm(mwds_vec3 a) { return sqrt(mwds_v3_dot(a, a)); }

/* a/|a|; returns MWDS_ENUMERIC (and leaves *out alone) for a zero or
 * non-finite vector. */
mwds_err mwds_v3_unit(mwds_vec3 a, mwds_vec3 *out);

/* ---- 3x3 ------------------------------------------------------------------ */

mwds_mat3 mwds_m3_identity(void);
mwds_mat3 mwds_m3_mul(mwds_mat3 a, mwds_mat3 b);
mwds_mat3 mwds_m3_transpose(mwds_mat3 a);
mwds_vec3 mwds_m3_mul_v3(mwds_mat3 a, mwds_vec3 x);
/* a^T x */
mwds_vec3 mwds_m3t_mul_v3(mwds_mat3 a, mwds_vec3 x);

/* ---- Cholesky and solves, sizes 3, 6, 9 -----------------------------------
 * _chol: lower-triangular L with L L^T = A, reading only the lower triangle of
 * A. Returns MWDS_ENOTPD if a pivot is not positive and finite; *l is then
 * untouched. Cost O(n^3/6).
 * _chol_solve: solves A x = b given L from _chol. Cost O(n^2).
 * _symmetrise: replaces A by (A + A^T)/2.
 */
mwds_err mwds_m3_chol(const mwds_mat3 *a, mwds_mat3 *l);
mwds_err mwds_m6_chol(const mwds_mat6 *a, mwds_mat6 *l);
mwds_err mwds_m9_chol(const mwds_mat9 *a, mwds_mat9 *l);
mwds_vec3 mwds_m3_chol_solve(const mwds_mat3 *l, mwds_vec3 b);
mwds_vec6 mwds_m6_chol_solve(const mwds_mat6 *l, mwds_vec6 b);
mwds_vec9 mwds_m9_chol_solve(const mwds_mat9 *l, mwds_vec9 b);
void mwds_m3_symmetrise(mwds_mat3 *a);
void mwds_m6_symmetrise(mwds_mat6 *a);
void mwds_m9_symmetrise(mwds_mat9 *a);

/* Generic cores behind the typed functions, for any n <= 9, on row-major
 * storage with leading dimension ld. Same contracts as above. */
mwds_err mwds_linalg_chol(const double *a, double *l, int n, int ld);
void mwds_linalg_chol_solve(const double *l, const double *b, double *x, int n, int ld);
void mwds_linalg_symmetrise(double *a, int n, int ld);

#ifdef __cplusplus
}
#endif
#endif
