/*
 * Geodesics on the WGS-84 ellipsoid through PROJ's geodesic API (Karney's
 * algorithms, accurate to about 15 nm). Heights are ignored.
 *
 * Units: radians and metres at this interface, degrees inside PROJ; the
 * conversion happens here and nowhere else. Azimuths are clockwise from
 * north, returned in [0, 2*pi); longitudes in (-pi, pi].
 *
 * Thread rules: the geod_geodesic object is built on the stack for each call
 * (geod_init costs a few hundred flops, small beside a solution), so there is
 * no shared state and every function is safe from any thread.
 */
#include <math.h>

#include <geodesic.h>

#include "mwds/geo.h"

/* Latitudes a little past +-pi/2 by rounding are accepted and clamped, since
 * pi/2 converted to degrees need not be exactly 90. */
#define LAT_SLACK_RAD 1e-12

static void wgs84_geodesic(struct geod_geodesic *g)
{
    geod_init(g, MWDS_WGS84.a_m, MWDS_WGS84.f);
}

/* Geodetic latitude in degrees for PROJ, or NAN if lat_rad is not a latitude. */
static double lat_to_deg(double lat_rad)
{
    if (!(fabs(lat_rad) <= 90.0 * MWDS_DEG2RAD + LAT_SLACK_RAD))
        return NAN;
    double d = lat_rad * MWDS_RAD2DEG;
    return d > 90.0 ? 90.0 : d < -90.0 ? -90.0 : d;
}

mwds_err mwds_geo_inverse(mwds_lla p1, mwds_lla p2, double *s12_m, double *azi1_rad,
                          double *azi2_rad)
{
    double lat1 = lat_to_deg(p1.lat_rad), lat2 = lat_to_deg(p2.lat_rad);
    if (isnan(lat1) || isnan(lat2) || !isfinite(p1.lon_rad) || !isfinite(p2.lon_rad))
        return MWDS_EINVAL;

    struct geod_geodesic g;
    wgs84_geodesic(&g);
    double s12, azi1, azi2;
    geod_inverse(&g, lat1, p1.lon_rad * MWDS_RAD2DEG, lat2, p2.lon_rad * MWDS_RAD2DEG, &s12, &azi1,
                 &azi2);
    if (!isfinite(s12) || !isfinite(azi1) || !isfinite(azi2))
        return MWDS_ENUMERIC;

    if (s12_m != NULL)
        *s12_m = s12;
    if (azi1_rad != NULL)
        *azi1_rad = mwds_geo_wrap_2pi(azi1 * MWDS_DEG2RAD);
    if (azi2_rad != NULL)
        *azi2_rad = mwds_geo_wrap_2pi(azi2 * MWDS_DEG2RAD);
    return MWDS_OK;
}

mwds_err mwds_geo_direct(mwds_lla p1, double azi1_rad, double s12_m, mwds_lla *p2)
{
    double lat1 = lat_to_deg(p1.lat_rad);
    if (isnan(lat1) || !isfinite(p1.lon_rad) || !isfinite(p1.h_m) || !isfinite(azi1_rad) ||
        !isfinite(s12_m))
        return MWDS_EINVAL;

    struct geod_geodesic g;
    wgs84_geodesic(&g);
    double lat2, lon2;
    geod_direct(&g, lat1, p1.lon_rad * MWDS_RAD2DEG, azi1_rad * MWDS_RAD2DEG, s12_m, &lat2, &lon2,
                NULL);
    if (!isfinite(lat2) || !isfinite(lon2))
        return MWDS_ENUMERIC;

    p2->lat_rad = lat2 * MWDS_DEG2RAD;
    p2->lon_rad = mwds_geo_wrap_pi(lon2 * MWDS_DEG2RAD);
    p2->h_m = p1.h_m;
    return MWDS_OK;
}
