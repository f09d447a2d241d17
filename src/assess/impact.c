/*
 * Predicted impact point by cubature propagation; see assess.h.
 *
 * Why fly every point: the map from a midcourse state to its impact point is
 * strongly nonlinear over the errors that matter (a velocity error of 10 m/s
 * at 6 km/s moves an ICBM's impact by tens of kilometres, mostly along
 * track, and drag in re-entry bends it further), so a linearised covariance
 * would misstate the ellipse's shape. The cubature rule is exact for the
 * mean and covariance of quadratic maps, and each point's flight uses the
 * full flight model, so Earth rotation during the remaining flight and J2
 * are in the impact, not approximated.
 *
 * The impact points are compared in the east-north plane tangent to the
 * mean state's impact (their spread is at most a few hundred kilometres, so
 * the plane's distortion is negligible against the spread itself).
 */
#include <math.h>
#include <string.h>

#include "mwds/assess.h"
#include "mwds/stats.h"

#define N_MAX 7
#define FLIGHT_LIMIT_S 10000.0

mwds_err mwds_ellipse_from_cov(mwds_lla centre, const double cov[2][2], double p,
                               mwds_ellipse *out)
{
    double a = cov[0][0], b = cov[0][1], d = cov[1][1];
    if (!(p > 0.0 && p < 1.0) || !isfinite(a) || !isfinite(b) || !isfinite(d) || a < 0.0 ||
        d < 0.0 || fabs(b - cov[1][0]) > 1e-9 * fmax(fabs(b), fmax(a, d)) + 1e-300 ||
        b * b > a * d * (1.0 + 1e-12) + 1e-300)
        return MWDS_EINVAL;
    /* eigenvalues of [[a b][b d]] */
    double m = 0.5 * (a + d), r = hypot(0.5 * (a - d), b);
    double l1 = m + r, l2 = fmax(m - r, 0.0);
    /* major axis direction (east, north) = (b, l1 - a) or (l1 - d, b) */
    double e, n;
    if (fabs(b) > 0.0) {
        e = b;
        n = l1 - a;
    } else if (a >= d) {
        e = 1.0;
        n = 0.0;
    } else {
        e = 0.0;
        n = 1.0;
    }
    double q = -2.0 * log(1.0 - p);
    memset(out, 0, sizeof *out);
    out->centre = centre;
    out->centre.h_m = 0.0;
    out->semi_major_m = sqrt(q * l1);
    out->semi_minor_m = sqrt(q * l2);
    double az = atan2(e, n); /* clockwise from north */
    if (az < 0.0)
        az += MWDS_PI;
    if (az >= MWDS_PI)
        az -= MWDS_PI;
    out->major_az_rad = az;
    out->p = p;
    memcpy(out->cov_en_m2, cov, sizeof out->cov_en_m2);
    return MWDS_OK;
}

double mwds_ellipse_radius(const mwds_ellipse *el, mwds_lla point)
{
    point.h_m = 0.0;
    mwds_vec3 enu = mwds_geo_ecef_to_enu(el->centre, mwds_geo_lla_to_ecef(point));
    double se = sin(el->major_az_rad), ce = cos(el->major_az_rad);
    double u = enu.v[0] * se + enu.v[1] * ce;  /* along the major axis */
    double v = enu.v[0] * ce - enu.v[1] * se;  /* along the minor axis */
    double a = el->semi_major_m, b = el->semi_minor_m;
    if (!(a > 0.0))
        return INFINITY;
    if (!(b > 0.0))
        return fabs(v) < 1e-6 ? fabs(u) / a : INFINITY;
    return sqrt((u / a) * (u / a) + (v / b) * (v / b));
}

int mwds_ellipse_contains(const mwds_ellipse *el, mwds_lla point)
{
    return mwds_ellipse_radius(el, point) <= 1.0;
}

/* Flies a ballistic state (position, velocity, 1/beta) to impact. */
static mwds_err fly(const double *x, int64_t t0_ns, int record, mwds_traj *tr)
{
    mwds_force_model fm;
    memset(&fm, 0, sizeof fm);
    fm.flags = MWDS_FORCE_ALL & ~(unsigned)MWDS_FORCE_THRUST;
    if (x[6] > 0.0)
        fm.beta_kg_m2 = 1.0 / x[6];
    else
        fm.flags &= ~(unsigned)MWDS_FORCE_DRAG;
    mwds_integ_opts o;
    memset(&o, 0, sizeof o);
    o.max_time_s = FLIGHT_LIMIT_S;
    o.record = record;
    memset(tr, 0, sizeof *tr);
    mwds_err e = mwds_ballistic_fly(&fm, mwds_v3(x[0], x[1], x[2]), mwds_v3(x[3], x[4], x[5]),
                                    t0_ns, &o, tr);
    if (e == MWDS_OK && !tr->sum.impacted) {
        mwds_traj_fini(tr);
        return MWDS_EUNREACH;
    }
    return e;
}

mwds_err mwds_assess_impact(const mwds_filter_state *s, double invbeta_mean,
                            double invbeta_sigma, mwds_impact *out, mwds_traj *mean_traj)
{
    const int n = 7;
    double x[N_MAX];
    mwds_mat9 p, l;
    memset(&p, 0, sizeof p);
    for (int i = 0; i < 6; i++) {
        x[i] = s->x.v[i];
        for (int j = 0; j < 6; j++)
            p.m[i][j] = s->p.m[i][j];
    }
    if (s->model == MWDS_MODEL_BALLISTIC) {
        x[6] = s->x.v[6];
        for (int i = 0; i < 7; i++)
            p.m[6][i] = p.m[i][6] = s->p.m[6][i];
    } else {
        x[6] = invbeta_mean;
        p.m[6][6] = invbeta_sigma * invbeta_sigma;
    }
    mwds_err e = mwds_linalg_chol(&p.m[0][0], &l.m[0][0], n, 9);
    if (e != MWDS_OK)
        return e;

    mwds_traj mean;
    if ((e = fly(x, s->t_ns, mean_traj != NULL, &mean)) != MWDS_OK)
        return e;
    mwds_lla centre = mean.sum.impact;
    centre.h_m = 0.0;

    /* cubature points x +- sqrt(n) L e_j */
    const double c = sqrt((double)n);
    double en[2 * N_MAX][2], tt[2 * N_MAX];
    for (int j = 0; j < 2 * n && e == MWDS_OK; j++) {
        double xp[N_MAX];
        int col = j % n;
        double sign = j < n ? 1.0 : -1.0;
        for (int i = 0; i < n; i++)
            xp[i] = x[i] + sign * c * l.m[i][col];
        mwds_traj tr;
        if ((e = fly(xp, s->t_ns, 0, &tr)) != MWDS_OK)
            break;
        mwds_lla ip = tr.sum.impact;
        ip.h_m = 0.0;
        mwds_vec3 d = mwds_geo_ecef_to_enu(centre, mwds_geo_lla_to_ecef(ip));
        en[j][0] = d.v[0];
        en[j][1] = d.v[1];
        tt[j] = tr.sum.flight_time_s;
        mwds_traj_fini(&tr);
    }
    if (e != MWDS_OK) {
        mwds_traj_fini(&mean);
        return e;
    }
    double me = 0.0, mn = 0.0, mt = 0.0;
    for (int j = 0; j < 2 * n; j++) {
        me += en[j][0];
        mn += en[j][1];
        mt += tt[j];
    }
    me /= 2 * n;
    mn /= 2 * n;
    mt /= 2 * n;
    double cov[2][2] = {{0, 0}, {0, 0}}, vt = 0.0;
    for (int j = 0; j < 2 * n; j++) {
        double de = en[j][0] - me, dn = en[j][1] - mn;
        cov[0][0] += de * de;
        cov[0][1] += de * dn;
        cov[1][1] += dn * dn;
        vt += (tt[j] - mt) * (tt[j] - mt);
    }
    cov[0][0] /= 2 * n;
    cov[0][1] /= 2 * n;
    cov[1][1] /= 2 * n;
    cov[1][0] = cov[0][1];
    /* the cubature mean of the impact (not the mean state's impact) is the
     * centre: they differ by the map's curvature */
    mwds_lla ctr;
    if ((e = mwds_geo_ecef_to_lla(mwds_geo_enu_to_ecef(centre, mwds_v3(me, mn, 0.0)), &ctr)) !=
        MWDS_OK) {
        mwds_traj_fini(&mean);
        return e;
    }
    ctr.h_m = 0.0;
    mwds_impact r;
    memset(&r, 0, sizeof r);
    if ((e = mwds_ellipse_from_cov(ctr, cov, 0.95, &r.ellipse)) != MWDS_OK) {
        mwds_traj_fini(&mean);
        return e;
    }
    r.t_ns = s->t_ns + mwds_time_from_s(mt);
    r.t_sigma_s = sqrt(vt / (2 * n));
    r.impact_speed_m_s = mean.sum.impact_speed_m_s;
    r.apogee_m = mean.sum.apogee_m;
    r.n_points = 2 * n + 1;
    *out = r;
    if (mean_traj != NULL)
        *mean_traj = mean;
    else
        mwds_traj_fini(&mean);
    return MWDS_OK;
}
