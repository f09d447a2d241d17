/*
 * WGS-84 ellipsoid geometry: geodetic <-> ECEF, the local east-north-up
 * (ENU) frame, azimuth/elevation/range, and angle wrapping.
 *
 * Units: metres and radians throughout. Frames: ECEF is WGS-84 Earth-centred
 * Earth-fixed; ENU axes are east, north and geodetic up (the ellipsoid
 * normal) at a site. Everything here is pure and allocates nothing, so it is
 * safe from any thread.
 *
 * ECEF to geodetic works in the meridian plane (p = distance from the polar
 * axis, z) with z folded to z >= 0 and the sign restored at the end. The
 * geodetic latitude phi of the foot of the normal is a root of
 *     g(phi) = p sin(phi) - z cos(phi) - e2 N(phi) sin(phi) cos(phi),
 * and g(0) = -z <= 0, g(pi/2) = p >= 0, so [0, pi/2] always brackets a root.
 * Bowring's formula gives a starting value good to about 1e-8 rad; a Newton
 * iteration, kept inside the bracket (bisection when a step leaves it),
 * finishes to the rounding level in one or two steps. Height comes from
 *     h = p cos(phi) + z sin(phi) - a sqrt(1 - e2 sin^2(phi)),
 * which has no division by cos or sin (so it is well conditioned at both the
 * poles and the equator) and is stationary in phi at the root, so a latitude
 * error enters the height only to second order. Within about 43 km of the
 * centre (inside the evolute of the meridian ellipse) g has several roots;
 * one of them is returned, and it reproduces the point through
 * mwds_geo_lla_to_ecef. Cost: typically two evaluations of g (one sin, cos
 * and sqrt each), at most MAX_LAT_ITER.
 */
#include <math.h>

#include "mwds/geo.h"

#define WGS84_A_M 6378137.0
#define WGS84_F (1.0 / 298.257223563)
#define WGS84_B_M (WGS84_A_M * (1.0 - WGS84_F))
#define WGS84_E2 (WGS84_F * (2.0 - WGS84_F))

const mwds_wgs84_consts MWDS_WGS84 = {
    .a_m = WGS84_A_M,
    .f = WGS84_F,
    .b_m = WGS84_B_M,
    .e2 = WGS84_E2,
    .ep2 = WGS84_E2 / (1.0 - WGS84_E2),
    .gm_m3_s2 = 3.986004418e14,
    .omega_rad_s = 7.292115e-5,
    .j2 = 1.08262998905e-3,
};

#define PI_D 3.14159265358979323846
#define HALF_PI_D (PI_D / 2.0)
#define TWO_PI_D (2.0 * PI_D)

/* Points closer than this to the Earth's centre are refused (see geo.h). */
#define MIN_RADIUS_M 1000.0

/* Newton on g converges quadratically from Bowring's start; the cap only
 * guards the bisection fallback, which halves a bracket of pi/2 rad and so
 * reaches the rounding level within about 55 steps. */
#define MAX_LAT_ITER 64
/* A step this small means phi is at the rounding level (a few ulp of pi/2):
 * Newton's next step would be of order 1e-30. */
#define LAT_TOL_RAD 1e-15

mwds_vec3 mwds_geo_lla_to_ecef(mwds_lla p)
{
    const double a = MWDS_WGS84.a_m, e2 = MWDS_WGS84.e2;
    double sl = sin(p.lat_rad), cl = cos(p.lat_rad);
    double n = a / sqrt(1.0 - e2 * sl * sl); /* prime-vertical radius */
    double rp = (n + p.h_m) * cl;            /* distance from the polar axis */
    return mwds_v3(rp * cos(p.lon_rad), rp * sin(p.lon_rad), (n * (1.0 - e2) + p.h_m) * sl);
}

/* g(phi) and g'(phi) for the foot-of-normal condition (see the file comment). */
static void foot_condition(double p, double z, double phi, double *g, double *dg)
{
    const double a = MWDS_WGS84.a_m, e2 = MWDS_WGS84.e2;
    double s = sin(phi), c = cos(phi);
    double w2 = 1.0 - e2 * s * s;
    double n = a / sqrt(w2);
    *g = p * s - z * c - e2 * n * s * c;
    *dg = p * c + z * s - e2 * n * (c * c - s * s + e2 * s * s * c * c / w2);
}

/* Geodetic latitude in [0, pi/2] of the meridian-plane point (p, z), p >= 0,
 * z >= 0, not both small (the caller has refused points near the centre). */
static double meridian_latitude(double p, double z)
{
    const double a = MWDS_WGS84.a_m, b = MWDS_WGS84.b_m;
    const double e2 = MWDS_WGS84.e2, ep2 = MWDS_WGS84.ep2;

    /* Bowring's start: the parametric latitude of the point, then one step. */
    double beta = atan2(a * z, b * p);
    double sb = sin(beta), cb = cos(beta);
    double phi = atan2(z + ep2 * b * sb * sb * sb, p - e2 * a * cb * cb * cb);

    /* Inside the evolute (within about 43 km of the centre) Bowring's value
     * can leave [0, pi/2]; any start inside the bracket will do there. */
    double lo = 0.0, hi = HALF_PI_D;
    phi = phi < lo ? lo : phi > hi ? hi : phi;

    for (int i = 0; i < MAX_LAT_ITER; i++) {
        double g, dg;
        foot_condition(p, z, phi, &g, &dg);
        if (g == 0.0)
            break;
        if (g < 0.0)
            lo = phi;
        else
            hi = phi;
        double next = phi - g / dg;
        if (!(dg > 0.0) || !(next >= lo && next <= hi))
            next = 0.5 * (lo + hi);
        double step = fabs(next - phi);
        phi = next;
        if (step <= LAT_TOL_RAD)
            break;
    }
    return phi;
}

mwds_err mwds_geo_ecef_to_lla(mwds_vec3 p_ecef, mwds_lla *out)
{
    double x = p_ecef.v[0], y = p_ecef.v[1], z = p_ecef.v[2];
    if (!isfinite(x) || !isfinite(y) || !isfinite(z))
        return MWDS_ENUMERIC;
    double p = hypot(x, y);
    if (!(hypot(p, z) >= MIN_RADIUS_M))
        return MWDS_ENUMERIC;

    double abs_z = fabs(z);
    double phi = meridian_latitude(p, abs_z);
    double s = sin(phi), c = cos(phi);
    double h = p * c + abs_z * s - MWDS_WGS84.a_m * sqrt(1.0 - MWDS_WGS84.e2 * s * s);

    double lon = 0.0; /* on the polar axis, by convention (geo.h) */
    if (p > 0.0) {
        lon = atan2(y, x);
        if (lon <= -PI_D) /* atan2(-0, x < 0) gives -pi; the range is (-pi, pi] */
            lon = PI_D;
    }
    if (!isfinite(phi) || !isfinite(h) || !isfinite(lon))
        return MWDS_ENUMERIC;

    out->lat_rad = z < 0.0 ? -phi : phi;
    out->lon_rad = lon;
    out->h_m = h;
    return MWDS_OK;
}

mwds_mat3 mwds_geo_enu_rotation(double lat_rad, double lon_rad)
{
    double sl = sin(lat_rad), cl = cos(lat_rad);
    double so = sin(lon_rad), co = cos(lon_rad);
    mwds_mat3 r = {{
        {-so, co, 0.0},
        {-sl * co, -sl * so, cl},
        {cl * co, cl * so, sl},
    }};
    return r;
}

mwds_vec3 mwds_geo_up(double lat_rad, double lon_rad)
{
    double cl = cos(lat_rad);
    return mwds_v3(cl * cos(lon_rad), cl * sin(lon_rad), sin(lat_rad));
}

mwds_vec3 mwds_geo_ecef_to_enu(mwds_lla site, mwds_vec3 p_ecef)
{
    mwds_vec3 d = mwds_v3_sub(p_ecef, mwds_geo_lla_to_ecef(site));
    return mwds_m3_mul_v3(mwds_geo_enu_rotation(site.lat_rad, site.lon_rad), d);
}

mwds_vec3 mwds_geo_enu_to_ecef(mwds_lla site, mwds_vec3 p_enu)
{
    mwds_vec3 d = mwds_m3t_mul_v3(mwds_geo_enu_rotation(site.lat_rad, site.lon_rad), p_enu);
    return mwds_v3_add(mwds_geo_lla_to_ecef(site), d);
}

mwds_aer mwds_geo_aer(mwds_lla site, mwds_vec3 p_ecef)
{
    mwds_vec3 enu = mwds_geo_ecef_to_enu(site, p_ecef);
    double horiz = hypot(enu.v[0], enu.v[1]);
    mwds_aer r = {0.0, 0.0, hypot(horiz, enu.v[2])};
    if (r.range_m == 0.0)
        return r; /* target at the site: az = el = 0 (geo.h) */
    /* Straight up or down the azimuth is undefined; report 0 rather than
     * whatever the signs of two zeros would make atan2 say. */
    if (horiz > 0.0)
        r.az_rad = mwds_geo_wrap_2pi(atan2(enu.v[0], enu.v[1]));
    r.el_rad = atan2(enu.v[2], horiz);
    return r;
}

mwds_vec3 mwds_geo_aer_to_ecef(mwds_lla site, mwds_aer aer)
{
    double ce = cos(aer.el_rad);
    mwds_vec3 enu = mwds_v3(aer.range_m * ce * sin(aer.az_rad), aer.range_m * ce * cos(aer.az_rad),
                            aer.range_m * sin(aer.el_rad));
    return mwds_geo_enu_to_ecef(site, enu);
}

double mwds_geo_wrap_pi(double a_rad)
{
    double r = fmod(a_rad, TWO_PI_D); /* (-2pi, 2pi), exact */
    if (r > PI_D)
        r -= TWO_PI_D;
    else if (r <= -PI_D)
        r += TWO_PI_D;
    return r;
}

double mwds_geo_wrap_2pi(double a_rad)
{
    double r = fmod(a_rad, TWO_PI_D);
    if (r < 0.0) {
        r += TWO_PI_D;
        if (r >= TWO_PI_D) /* a tiny negative angle rounds up to 2pi */
            r = 0.0;
    }
    return r;
}
