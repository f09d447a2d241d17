/*
 * Free-flight dynamics and their Jacobian, for the tracking filters.
 *
 * a(r, v, k) = g(r) [+ J2] - 2 w x v - w x (w x r) - (1/2) rho(h(r)) |v| v k
 * with k = 1/beta (m^2/kg). Partial derivatives:
 *   point mass:  dg/dr = (mu / r^3) (3 r^ r^T - I)
 *   J2:          differentiated term by term (see j2_gradient)
 *   rotation:    d/dv (-2 w x v) = -2 [w]x ;  d/dr (-w x (w x r)) = -[w]x[w]x
 *   drag:        d/dv = -(k rho / 2) (|v| I + v v^T / |v|)
 *                d/dr = -(k / 2) |v| v (drho/dh) up^T   (dh/dr = geodetic up)
 *                d/dk = -(1/2) rho |v| v
 * drho/dh is a central difference of the atmosphere over +-5 m (relative
 * error about (5 m / scale height)^2 / 6, under 1e-7).
 */
#include <math.h>
#include <string.h>

#include "ballistic_internal.h"

/* J2 acceleration and its gradient, ECEF. */
static void j2_term(mwds_vec3 r, mwds_vec3 *a, mwds_mat3 *grad)
{
    const double mu = MWDS_WGS84.gm_m3_s2, re = MWDS_WGS84.a_m, j2 = MWDS_WGS84.j2;
    double x = r.v[0], y = r.v[1], z = r.v[2];
    double r2 = x * x + y * y + z * z, rn = sqrt(r2);
    double c = -1.5 * j2 * mu * re * re; /* a_J2 = c * r_i / r^5 * (k_i - 5 z^2 / r^2) */
    double r5 = r2 * r2 * rn, z2 = z * z / r2;
    double kx = 1.0 - 5.0 * z2, kz = 3.0 - 5.0 * z2;
    a->v[0] = c * x / r5 * kx;
    a->v[1] = c * y / r5 * kx;
    a->v[2] = c * z / r5 * kz;
    if (grad == NULL)
        return;
    /* d/dr_j of c r_i K_i / r^5, with dK/dr_j = -5 d(z^2/r^2)/dr_j,
     * d(z^2/r^2)/dr_j = 2 z dz_j / r^2 - 2 z^2 r_j / r^4 */
    double k[3] = {kx, kx, kz}, rv[3] = {x, y, z};
    for (int i = 0; i < 3; i++)
        for (int j = 0; j < 3; j++) {
            double dz2 = -2.0 * z * z * rv[j] / (r2 * r2) + (j == 2 ? 2.0 * z / r2 : 0.0);
            double d = (i == j ? k[i] : 0.0) / r5 - 5.0 * rv[i] * rv[j] * k[i] / (r5 * r2) -
                       5.0 * rv[i] * dz2 / r5;
            grad->m[i][j] = c * d;
        }
}

mwds_err mwds_ballistic_freeflight(unsigned flags, mwds_vec3 pos, mwds_vec3 vel,
                                   double inv_beta_m2_kg, mwds_vec3 *acc, mwds_mat3 *da_dpos,
                                   mwds_mat3 *da_dvel, mwds_vec3 *da_dinvbeta)
{
    double rn = mwds_v3_norm(pos), vn = mwds_v3_norm(vel);
    if (!isfinite(rn) || !isfinite(vn) || !isfinite(inv_beta_m2_kg) || rn < 1.0e6)
        return MWDS_ENUMERIC;
    mwds_vec3 a = mwds_v3(0, 0, 0);
    mwds_mat3 gr, gv;
    memset(&gr, 0, sizeof gr);
    memset(&gv, 0, sizeof gv);
    mwds_vec3 gk = mwds_v3(0, 0, 0);

    if (flags & MWDS_FORCE_GRAVITY) {
        double mu_r3 = MWDS_WGS84.gm_m3_s2 / (rn * rn * rn);
        a = mwds_v3_scale(pos, -mu_r3);
        for (int i = 0; i < 3; i++)
            for (int j = 0; j < 3; j++)
                gr.m[i][j] = mu_r3 * (3.0 * pos.v[i] * pos.v[j] / (rn * rn) - (i == j));
        if (flags & MWDS_FORCE_J2) {
            mwds_vec3 aj;
            mwds_mat3 gj;
            j2_term(pos, &aj, &gj);
            a = mwds_v3_add(a, aj);
            for (int i = 0; i < 3; i++)
                for (int j = 0; j < 3; j++)
                    gr.m[i][j] += gj.m[i][j];
        }
    }
    if (flags & MWDS_FORCE_ROTATION) {
        double w = MWDS_WGS84.omega_rad_s;
        a.v[0] += 2.0 * w * vel.v[1] + w * w * pos.v[0];
        a.v[1] += -2.0 * w * vel.v[0] + w * w * pos.v[1];
        gv.m[0][1] += 2.0 * w;
        gv.m[1][0] += -2.0 * w;
        gr.m[0][0] += w * w;
        gr.m[1][1] += w * w;
    }
    if ((flags & MWDS_FORCE_DRAG) && inv_beta_m2_kg != 0.0 && vn > 0.0) {
        mwds_lla lla;
        mwds_err e = mwds_geo_ecef_to_lla(pos, &lla);
        if (e != MWDS_OK)
            return e;
        mwds_atmos lo, mid, hi;
        double h = lla.h_m < -4900.0 ? -4900.0 : lla.h_m;
        if (mwds_atmos_ussa76(h, &mid) != MWDS_OK || mwds_atmos_ussa76(h - 5.0, &lo) != MWDS_OK ||
            mwds_atmos_ussa76(h + 5.0, &hi) != MWDS_OK)
            return MWDS_ENUMERIC;
        double rho = mid.rho_kg_m3, drho_dh = (hi.rho_kg_m3 - lo.rho_kg_m3) / 10.0;
        double q = -0.5 * inv_beta_m2_kg;
        a = mwds_v3_axpy(a, q * rho * vn, vel);
        gk = mwds_v3_scale(vel, -0.5 * rho * vn);
        mwds_vec3 up = mwds_geo_up(lla.lat_rad, lla.lon_rad);
        for (int i = 0; i < 3; i++)
            for (int j = 0; j < 3; j++) {
                gv.m[i][j] += q * rho * ((i == j) * vn + vel.v[i] * vel.v[j] / vn);
                gr.m[i][j] += q * vn * vel.v[i] * drho_dh * up.v[j];
            }
    }
    for (int i = 0; i < 3; i++)
        if (!isfinite(a.v[i]))
            return MWDS_ENUMERIC;
    *acc = a;
    if (da_dpos != NULL)
        *da_dpos = gr;
    if (da_dvel != NULL)
        *da_dvel = gv;
    if (da_dinvbeta != NULL)
        *da_dinvbeta = gk;
    return MWDS_OK;
}
