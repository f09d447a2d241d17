/*
 * mwds geo: WGS-84 geometry.
 *
 * Frames: ECEF is the WGS-84 Earth-centred Earth-fixed frame, metres.
 * Geodetic coordinates are radians inside the library (degrees only at the
 * edges: files, flags, display) and height above the ellipsoid in metres.
 * ENU is the local east-north-up frame at a site, with geodetic "up".
 * Azimuths are clockwise from true north, radians in [0, 2*pi).
 * Elevations are above the site's local horizontal plane, radians.
 *
 * All functions are pure and thread-safe; none allocates.
 */
#ifndef MWDS_GEO_H
#define MWDS_GEO_H

#include "mwds/core.h"
#include "mwds/linalg.h"

#ifdef __cplusplus
extern "C" {
#endif

/* WGS-84 defining and derived constants (NIMA TR8350.2). */
typedef struct mwds_wgs84_consts {
    double a_m;          /* semi-major axis */
    double f;            /* flattening */
    double b_m;          /* semi-minor axis, a(1-f) */
    double e2;           /* first eccentricity squared, f(2-f) */
    double ep2;          /* second eccentricity squared, e2/(1-e2) */
    double gm_m3_s2;     /* Earth's gravitational parameter, incl. atmosphere */
    double omega_rad_s;  /* Earth's rotation rate */
    double j2;           /* second zonal harmonic (unnormalised, -C20) */
} mwds_wgs84_consts;

extern const mwds_wgs84_consts MWDS_WGS84;

#define MWDS_PI 3.14159265358979323846
#define MWDS_DEG2RAD (MWDS_PI / 180.0)
#define MWDS_RAD2DEG (180.0 / MWDS_PI)

typedef struct mwds_lla {
    double lat_rad; /* geodetic latitude, [-pi/2, pi/2] */
    double lon_rad; /* longitude, (-pi, pi] */
    double h_m;     /* height above the ellipsoid */
} mwds_lla;

typedef struct mwds_aer {
    double az_rad;  /* [0, 2*pi), clockwise from north */
    double el_rad;  /* [-pi/2, pi/2] */
    double range_m; /* slant range */
} mwds_aer;

/* Geodetic to ECEF. Exact (closed form). */
mwds_vec3 mwds_geo_lla_to_ecef(mwds_lla p);

/* ECEF to geodetic. Accurate to better than 1 mm in height and 1e-11 rad in
 * latitude from the poles to the equator and from -1 km to 40,000 km height
 * (and beyond). Longitude is (-pi, pi]; on the polar axis it is 0.
 * Method: Newton on the latitude in the meridian plane from Bowring's
 * starting value, safeguarded by bisection; typically 2-3 iterations, at
 * most 64. Within about 43 km of the centre the answer is one of several
 * valid ones. Returns MWDS_ENUMERIC for a non-finite input or a point within
 * 1 km of the Earth's centre; *out is then untouched. */
mwds_err mwds_geo_ecef_to_lla(mwds_vec3 p_ecef, mwds_lla *out);

/* Rotation matrix whose rows are the east, north and up unit vectors of the
 * site at (lat_rad, lon_rad), expressed in ECEF: v_enu = R v_ecef. */
mwds_mat3 mwds_geo_enu_rotation(double lat_rad, double lon_rad);

/* Geodetic up (ellipsoid normal) at a geodetic position, ECEF unit vector. */
mwds_vec3 mwds_geo_up(double lat_rad, double lon_rad);

/* Position of p_ecef in the ENU frame of site. */
mwds_vec3 mwds_geo_ecef_to_enu(mwds_lla site, mwds_vec3 p_ecef);

/* ECEF position of a point given in the ENU frame of site. */
mwds_vec3 mwds_geo_enu_to_ecef(mwds_lla site, mwds_vec3 p_enu);

/* Azimuth, elevation and slant range of p_ecef seen from site. A target at
 * the site itself gives range 0 and az = el = 0; one straight above or below
 * gives az = 0. */
mwds_aer mwds_geo_aer(mwds_lla site, mwds_vec3 p_ecef);

/* ECEF position of the point at (az, el, range) from site. */
mwds_vec3 mwds_geo_aer_to_ecef(mwds_lla site, mwds_aer aer);

/* Geodesic on the WGS-84 ellipsoid (Karney 2013, through PROJ's geodesic
 * API), heights ignored. Cost: one geod_init and one solve, about 1-2 us.
 * _inverse: distance s12_m and forward azimuths at both ends (azi2 is the
 *   direction of travel at p2), radians [0, 2*pi). Any pointer may be NULL.
 * _direct: the point reached from p1 going s12_m along azimuth azi1_rad;
 *   the result's height is p1's.
 * Both return MWDS_EINVAL for non-finite input or |lat| > pi/2, and
 * MWDS_ENUMERIC if PROJ returns a non-finite result; outputs are then
 * untouched. */
mwds_err mwds_geo_inverse(mwds_lla p1, mwds_lla p2, double *s12_m, double *azi1_rad,
                          double *azi2_rad);
mwds_err mwds_geo_direct(mwds_lla p1, double azi1_rad, double s12_m, mwds_lla *p2);

/* Wraps an angle to (-pi, pi] and to [0, 2*pi); NaN for non-finite input. */
double mwds_geo_wrap_pi(double a_rad);
double mwds_geo_wrap_2pi(double a_rad);

#ifdef __cplusplus
}
#endif
#endif
