/*
 * Tests for mwds geo (include/mwds/geo.h): WGS-84 constants, geodetic <-> ECEF,
 * ENU and AER, angle wrapping, and geodesics.
 *
 * Every number is checked against a reference that does not come from the
 * code under test:
 *   - closed forms (points on the equator, the axes and the poles; the local
 *     frame built by hand from its definition);
 *   - PROJ as an independent implementation: the EPSG:4979 -> EPSG:4978
 *     (WGS-84 geographic 3D -> geocentric) operation for geodetic <-> ECEF,
 *     and +proj=topocentric for ENU;
 *   - published values (NIMA TR8350.2 derived constants, GeographicLib's
 *     GeodSolve JFK -> LHR example, the WGS-84 quarter meridian).
 * Units: radians and metres unless a name says degrees (_deg).
 *
 * PROJ's cartesian -> geodetic step (+proj=cart, PROJ 9.1) is a single
 * Bowring iteration: measured against the exact answer it is off by 3.4e-12
 * rad in latitude at 50 km height, 1.3e-11 rad at 100 km, and 8e-9 rad and
 * 0.4 m in height at satellite altitudes, outside what geo.h promises. So
 * mwds is compared with PROJ's inverse only up to 50 km; at every height the
 * reference is the geodetic grid point itself, carried to ECEF by PROJ's
 * forward conversion, which is closed form and exact to rounding.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <string.h>

#include <proj.h>

#include "mwds/geo.h"

#define PI 3.14159265358979323846

/* The accuracy geo.h promises for ECEF -> geodetic. */
#define LLA_H_TOL_M 1e-3
#define LLA_ANGLE_TOL_RAD 1e-11
/* Closed-form conversions agree with PROJ to rounding: values are at most
 * ~1e8 m, so a micrometre is ~1e6 ulp of headroom yet catches any real error. */
#define ECEF_TOL_M 1e-6
#define ENU_TOL_M 1e-6
/* PROJ's single-step inverse meets the accuracy above up to this height. */
#define PROJ_INV_MAX_H_M 50e3

/* Geodetic grid used by the PROJ comparisons: the poles, points within
 * 0.01 m of the poles and of the equator, both hemispheres; longitudes at
 * and next to +-180; heights from below the geoid to beyond GEO. */
static const double grid_lat_deg[] = {-90.0, -89.9999999, -89.99,  -75.0,      -45.0, -12.5,
                                      -1e-7, 0.0,         1e-7,    0.5,        30.0,  45.0,
                                      60.0,  89.0,        89.9999, 89.9999999, 90.0};
static const double grid_lon_deg[] = {-180.0, -135.5, -90.0, -1e-6,       0.0,
                                      37.25,  90.0,   126.9, 179.9999999, 180.0};
static const double grid_h_m[] = {-1000.0, 0.0, 1.0, 100.0, 1e4,    3e4,    5e4, 1e5,
                                  1e6,     2e6, 5e6, 1e7,   2.02e7, 3.58e7, 4e7, 1e8};

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

/* ---- helpers ------------------------------------------------------------ */

static void check_near(const char *file, int line, const char *what, double got, double want,
                       double tol)
{
    double d = fabs(got - want);
    if (!(d <= tol)) {
        print_error("%s: got %.17g, want %.17g, |diff| %.3g > tolerance %.3g\n", what, got, want, d,
                    tol);
        _fail(file, line);
    }
}
#define CHECK_NEAR(what, got, want, tol)                                                           \
    check_near(__FILE__, __LINE__, (what), (got), (want), (tol))

/* Signed difference of two angles reduced to [-pi, pi], independent of the
 * wrap functions under test. */
static double angle_diff(double a, double b)
{
    return remainder(a - b, 2.0 * PI);
}

static double dist3(mwds_vec3 a, mwds_vec3 b)
{
    return hypot(hypot(a.v[0] - b.v[0], a.v[1] - b.v[1]), a.v[2] - b.v[2]);
}

static mwds_lla lla_deg(double lat_deg, double lon_deg, double h_m)
{
    mwds_lla p = {lat_deg * MWDS_DEG2RAD, lon_deg * MWDS_DEG2RAD, h_m};
    return p;
}

typedef struct proj_env {
    PJ_CONTEXT *ctx;
    PJ *geo_to_ecef; /* EPSG:4979 -> EPSG:4978, lon/lat degree order */
} proj_env;

static int proj_setup(void **state)
{
    static proj_env env;
    env.ctx = proj_context_create();
    if (env.ctx == NULL)
        return -1;
    PJ *raw = proj_create_crs_to_crs(env.ctx, "EPSG:4979", "EPSG:4978", NULL);
    if (raw == NULL)
        return -1;
    /* EPSG:4979 is latitude-first; normalise to (lon, lat, h) in degrees. */
    env.geo_to_ecef = proj_normalize_for_visualization(env.ctx, raw);
    proj_destroy(raw);
    if (env.geo_to_ecef == NULL)
        return -1;
    *state = &env;
    return 0;
}

static int proj_teardown(void **state)
{
    proj_env *env = *state;
    proj_destroy(env->geo_to_ecef);
    proj_context_destroy(env->ctx);
    return 0;
}

static mwds_vec3 proj_lla_to_ecef(const proj_env *env, double lat_deg, double lon_deg, double h_m)
{
    PJ_COORD c = proj_trans(env->geo_to_ecef, PJ_FWD, proj_coord(lon_deg, lat_deg, h_m, 0.0));
    return mwds_v3(c.xyz.x, c.xyz.y, c.xyz.z);
}

/* PROJ's ECEF -> geodetic, returned in radians. */
static mwds_lla proj_ecef_to_lla(const proj_env *env, mwds_vec3 x)
{
    PJ_COORD c = proj_trans(env->geo_to_ecef, PJ_INV, proj_coord(x.v[0], x.v[1], x.v[2], 0.0));
    mwds_lla p = {c.lpz.phi * MWDS_DEG2RAD, c.lpz.lam * MWDS_DEG2RAD, c.lpz.z};
    return p;
}

/* Checks got against want to the accuracy geo.h promises; longitude is
 * compared as a horizontal angle (times cos lat), so it is free at a pole. */
static void check_lla(const char *file, int line, const char *what, mwds_lla got, mwds_lla want)
{
    char msg[256]; /* callers' descriptions are under 200 bytes */
    snprintf(msg, sizeof msg, "%s: latitude (rad)", what);
    check_near(file, line, msg, got.lat_rad, want.lat_rad, LLA_ANGLE_TOL_RAD);
    snprintf(msg, sizeof msg, "%s: longitude difference times cos(lat) (rad)", what);
    check_near(file, line, msg, angle_diff(got.lon_rad, want.lon_rad) * cos(want.lat_rad), 0.0,
               LLA_ANGLE_TOL_RAD);
    snprintf(msg, sizeof msg, "%s: height (m)", what);
    check_near(file, line, msg, got.h_m, want.h_m, LLA_H_TOL_M);
    snprintf(msg, sizeof msg, "%s: longitude in (-pi, pi]", what);
    if (!(got.lon_rad > -PI && got.lon_rad <= PI)) {
        print_error("%s: got %.17g\n", msg, got.lon_rad);
        _fail(file, line);
    }
}
#define CHECK_LLA(what, got, want) check_lla(__FILE__, __LINE__, (what), (got), (want))

/* ---- constants ---------------------------------------------------------- */

/* Derived constants against the values printed in NIMA TR8350.2, Table 3.3
 * (b, e^2, e'^2), to the precision printed there. */
static void test_wgs84_constants_match_tr8350(void **state)
{
    (void)state;
    CHECK_NEAR("a (m)", MWDS_WGS84.a_m, 6378137.0, 0.0);
    CHECK_NEAR("1/f", 1.0 / MWDS_WGS84.f, 298.257223563, 1e-9);
    CHECK_NEAR("b (m), TR8350.2: 6356752.3142", MWDS_WGS84.b_m, 6356752.3142, 0.5e-4);
    CHECK_NEAR("e^2, TR8350.2: 6.69437999014e-3", MWDS_WGS84.e2, 6.69437999014e-3, 0.5e-14);
    CHECK_NEAR("e'^2, TR8350.2: 6.73949674228e-3", MWDS_WGS84.ep2, 6.73949674228e-3, 0.5e-14);
    CHECK_NEAR("GM (m^3/s^2)", MWDS_WGS84.gm_m3_s2, 3.986004418e14, 0.0);
    CHECK_NEAR("omega (rad/s)", MWDS_WGS84.omega_rad_s, 7.292115e-5, 0.0);
    CHECK_NEAR("J2 = -C20 unnormalised", MWDS_WGS84.j2, 1.08262998905e-3, 0.0);
}

/* ---- geodetic -> ECEF ---------------------------------------------------- */

static void test_lla_to_ecef_closed_forms_on_axes_and_poles(void **state)
{
    (void)state;
    const double a = 6378137.0, b = 6378137.0 * (1.0 - 1.0 / 298.257223563);
    const double h = 1234.5;
    mwds_vec3 x;

    x = mwds_geo_lla_to_ecef(lla_deg(0.0, 0.0, 0.0));
    CHECK_NEAR("equator lon 0: x = a", x.v[0], a, 1e-9);
    CHECK_NEAR("equator lon 0: y = 0", x.v[1], 0.0, 1e-9);
    CHECK_NEAR("equator lon 0: z = 0", x.v[2], 0.0, 1e-9);

    x = mwds_geo_lla_to_ecef(lla_deg(0.0, 90.0, h));
    CHECK_NEAR("equator lon 90: x = 0", x.v[0], 0.0, 1e-9);
    CHECK_NEAR("equator lon 90: y = a + h", x.v[1], a + h, 1e-9);
    CHECK_NEAR("equator lon 90: z = 0", x.v[2], 0.0, 1e-9);

    x = mwds_geo_lla_to_ecef(lla_deg(0.0, 180.0, h));
    CHECK_NEAR("equator lon 180: x = -(a + h)", x.v[0], -(a + h), 1e-9);
    CHECK_NEAR("equator lon 180: y = 0", x.v[1], 0.0, 1e-9);

    x = mwds_geo_lla_to_ecef(lla_deg(0.0, -90.0, h));
    CHECK_NEAR("equator lon -90: y = -(a + h)", x.v[1], -(a + h), 1e-9);

    x = mwds_geo_lla_to_ecef(lla_deg(90.0, 0.0, h));
    CHECK_NEAR("north pole: x = 0", x.v[0], 0.0, 1e-8);
    CHECK_NEAR("north pole: y = 0", x.v[1], 0.0, 1e-8);
    CHECK_NEAR("north pole: z = b + h", x.v[2], b + h, 1e-8);

    x = mwds_geo_lla_to_ecef(lla_deg(-90.0, 45.0, 0.0));
    CHECK_NEAR("south pole: z = -b", x.v[2], -b, 1e-8);
    CHECK_NEAR("south pole: on the axis", hypot(x.v[0], x.v[1]), 0.0, 1e-8);

    /* At 45 deg the point lies at distance N cos(phi) from the axis and
     * N (1 - e^2) sin(phi) above the equator, N = a / sqrt(1 - e^2/2). */
    double e2 = (1.0 / 298.257223563) * (2.0 - 1.0 / 298.257223563);
    double n45 = a / sqrt(1.0 - 0.5 * e2);
    x = mwds_geo_lla_to_ecef(lla_deg(45.0, 0.0, 0.0));
    CHECK_NEAR("lat 45: x = N cos 45", x.v[0], n45 * sqrt(0.5), 1e-8);
    CHECK_NEAR("lat 45: z = N (1 - e^2) sin 45", x.v[2], n45 * (1.0 - e2) * sqrt(0.5), 1e-8);
}

/* The worked example of the geographic/geocentric conversion (EPSG method
 * 9602) in IOGP Guidance Note 7-2, on WGS 84: 53 deg 48' 33.820" N,
 * 2 deg 07' 46.380" E, h = 73.0 m is X = 3771793.968, Y = 140253.342,
 * Z = 5124304.349 m. Both directions. */
static void test_epsg_guidance_note_worked_example(void **state)
{
    (void)state;
    mwds_lla p = {(53.0 + 48.0 / 60 + 33.820 / 3600) * MWDS_DEG2RAD,
                  (2.0 + 7.0 / 60 + 46.380 / 3600) * MWDS_DEG2RAD, 73.0};
    mwds_vec3 x = mwds_geo_lla_to_ecef(p);
    CHECK_NEAR("GN 7-2 X (m), published 3771793.968", x.v[0], 3771793.968, 0.0005);
    CHECK_NEAR("GN 7-2 Y (m), published 140253.342", x.v[1], 140253.342, 0.0005);
    CHECK_NEAR("GN 7-2 Z (m), published 5124304.349", x.v[2], 5124304.349, 0.0005);
    mwds_lla back;
    assert_int_equal(mwds_geo_ecef_to_lla(mwds_v3(3771793.968, 140253.342, 5124304.349), &back),
                     MWDS_OK);
    /* 0.0005 arc-second, the example's last printed digit, is 1.5e-5 m */
    CHECK_NEAR("GN 7-2 latitude (rad)", back.lat_rad, p.lat_rad, 0.0005 / 3600 * MWDS_DEG2RAD);
    CHECK_NEAR("GN 7-2 longitude (rad)", back.lon_rad, p.lon_rad, 0.0005 / 3600 * MWDS_DEG2RAD);
    CHECK_NEAR("GN 7-2 height (m)", back.h_m, 73.0, 0.001);
}

static void test_lla_to_ecef_matches_proj_epsg4979_to_4978(void **state)
{
    const proj_env *env = *state;
    double worst = 0.0;
    for (size_t i = 0; i < COUNT(grid_lat_deg); i++)
        for (size_t j = 0; j < COUNT(grid_lon_deg); j++)
            for (size_t k = 0; k < COUNT(grid_h_m); k++) {
                double lat = grid_lat_deg[i], lon = grid_lon_deg[j], h = grid_h_m[k];
                mwds_vec3 want = proj_lla_to_ecef(env, lat, lon, h);
                mwds_vec3 got = mwds_geo_lla_to_ecef(lla_deg(lat, lon, h));
                double d = dist3(got, want);
                char msg[160];
                snprintf(msg, sizeof msg,
                         "lla_to_ecef vs PROJ at lat %.9g lon %.9g h %.9g: distance (m)", lat, lon,
                         h);
                CHECK_NEAR(msg, d, 0.0, ECEF_TOL_M);
                worst = fmax(worst, d);
            }
    print_message("lla_to_ecef vs PROJ: worst %.3g m\n", worst);
}

/* ---- ECEF -> geodetic ----------------------------------------------------- */

static void test_ecef_to_lla_closed_forms_on_axes_and_poles(void **state)
{
    (void)state;
    const double a = 6378137.0, b = 6378137.0 * (1.0 - 1.0 / 298.257223563);
    mwds_lla o;

    assert_int_equal(mwds_geo_ecef_to_lla(mwds_v3(a + 500.0, 0.0, 0.0), &o), MWDS_OK);
    CHECK_NEAR("(a+500,0,0): lat 0", o.lat_rad, 0.0, 0.0);
    CHECK_NEAR("(a+500,0,0): lon 0", o.lon_rad, 0.0, 0.0);
    CHECK_NEAR("(a+500,0,0): h 500", o.h_m, 500.0, 1e-9);

    assert_int_equal(mwds_geo_ecef_to_lla(mwds_v3(0.0, -a, 0.0), &o), MWDS_OK);
    CHECK_NEAR("(0,-a,0): lon -pi/2", o.lon_rad, -PI / 2.0, 1e-15);
    CHECK_NEAR("(0,-a,0): h 0", o.h_m, 0.0, 1e-9);

    assert_int_equal(mwds_geo_ecef_to_lla(mwds_v3(-a, 0.0, 0.0), &o), MWDS_OK);
    CHECK_NEAR("(-a,0,0): lon is +pi, not -pi", o.lon_rad, PI, 1e-15);
    assert_int_equal(mwds_geo_ecef_to_lla(mwds_v3(-a, -0.0, 0.0), &o), MWDS_OK);
    CHECK_NEAR("(-a,-0,0): lon is +pi, not -pi", o.lon_rad, PI, 1e-15);

    assert_int_equal(mwds_geo_ecef_to_lla(mwds_v3(0.0, 0.0, b + 2e7), &o), MWDS_OK);
    CHECK_NEAR("north polar axis: lat pi/2", o.lat_rad, PI / 2.0, 1e-15);
    CHECK_NEAR("north polar axis: lon 0 by convention", o.lon_rad, 0.0, 0.0);
    CHECK_NEAR("north polar axis: h = z - b", o.h_m, 2e7, 1e-8);

    assert_int_equal(mwds_geo_ecef_to_lla(mwds_v3(0.0, 0.0, -(b - 900.0)), &o), MWDS_OK);
    CHECK_NEAR("south polar axis: lat -pi/2", o.lat_rad, -PI / 2.0, 1e-15);
    CHECK_NEAR("south polar axis: lon 0 by convention", o.lon_rad, 0.0, 0.0);
    CHECK_NEAR("south polar axis: h = -900", o.h_m, -900.0, 1e-8);

    /* 1 mm off the axis the latitude is within 1e-9 rad of pi/2 and the
     * height is still z - b: the height formula must not divide by cos(lat). */
    assert_int_equal(mwds_geo_ecef_to_lla(mwds_v3(1e-3, 0.0, b + 100.0), &o), MWDS_OK);
    CHECK_NEAR("1 mm from the north polar axis: h", o.h_m, 100.0, 1e-8);
    CHECK_NEAR("1 mm from the north polar axis: lat", o.lat_rad, PI / 2.0, 1e-9);
}

/* Truth is the grid point itself: PROJ carries it to ECEF (closed form), and
 * mwds must bring it back to the accuracy geo.h promises, at every height. */
static void test_ecef_to_lla_recovers_grid_point_from_proj_ecef(void **state)
{
    const proj_env *env = *state;
    double worst_h = 0.0, worst_lat = 0.0;
    for (size_t i = 0; i < COUNT(grid_lat_deg); i++)
        for (size_t j = 0; j < COUNT(grid_lon_deg); j++)
            for (size_t k = 0; k < COUNT(grid_h_m); k++) {
                double lat = grid_lat_deg[i], lon = grid_lon_deg[j], h = grid_h_m[k];
                mwds_vec3 x = proj_lla_to_ecef(env, lat, lon, h);
                mwds_lla got = {0};
                char msg[160];
                snprintf(msg, sizeof msg, "ecef_to_lla of PROJ(lat %.9g lon %.9g h %.9g)", lat, lon,
                         h);
                assert_int_equal(mwds_geo_ecef_to_lla(x, &got), MWDS_OK);
                CHECK_LLA(msg, got, lla_deg(lat, lon, h));
                worst_h = fmax(worst_h, fabs(got.h_m - h));
                worst_lat = fmax(worst_lat, fabs(got.lat_rad - lat * MWDS_DEG2RAD));
            }
    print_message("ecef_to_lla vs grid truth: worst height %.3g m, latitude %.3g rad\n", worst_h,
                  worst_lat);
}

/* Direct comparison with PROJ's inverse where that is accurate (see the
 * file comment). */
static void test_ecef_to_lla_matches_proj_inverse_up_to_50km(void **state)
{
    const proj_env *env = *state;
    double worst_h = 0.0, worst_lat = 0.0;
    for (size_t i = 0; i < COUNT(grid_lat_deg); i++)
        for (size_t j = 0; j < COUNT(grid_lon_deg); j++)
            for (size_t k = 0; k < COUNT(grid_h_m); k++) {
                if (grid_h_m[k] > PROJ_INV_MAX_H_M)
                    continue;
                double lat = grid_lat_deg[i], lon = grid_lon_deg[j], h = grid_h_m[k];
                /* Perturb off the grid so the input is not a forward image. */
                mwds_vec3 x = proj_lla_to_ecef(env, lat, lon, h);
                x = mwds_v3_add(x, mwds_v3(0.37, -0.21, 0.13));
                mwds_lla want = proj_ecef_to_lla(env, x);
                mwds_lla got = {0};
                char msg[160];
                snprintf(msg, sizeof msg,
                         "ecef_to_lla vs PROJ inverse near lat %.9g lon %.9g h %.9g", lat, lon, h);
                assert_int_equal(mwds_geo_ecef_to_lla(x, &got), MWDS_OK);
                CHECK_LLA(msg, got, want);
                worst_h = fmax(worst_h, fabs(got.h_m - want.h_m));
                worst_lat = fmax(worst_lat, fabs(got.lat_rad - want.lat_rad));
            }
    print_message("ecef_to_lla vs PROJ inverse (h <= 50 km): worst height %.3g m, latitude "
                  "%.3g rad\n",
                  worst_h, worst_lat);
}

/* A dense sweep of geodetic -> ECEF -> geodetic, finer than the PROJ grid,
 * including latitudes a few ulp from the poles and from the equator. */
static void test_round_trip_geodetic_ecef_geodetic_within_1mm(void **state)
{
    (void)state;
    static const double near_special_rad[] = {
        PI / 2.0, PI / 2.0 - 1e-15, PI / 2.0 - 1e-12, PI / 2.0 - 1e-9, 1e-300, 1e-15, 1e-12, 1e-9};
    static const double heights_m[] = {-1000.0, -1.0, 0.0, 0.5,      8848.0, 80e3, 400e3,
                                       1.2e6,   7e6,  2e7, 3.5786e7, 4e7,    4.2e8};
    for (int ilat = -180; ilat <= 180 + (int)COUNT(near_special_rad); ilat++) {
        double lat;
        if (ilat <= 180)
            lat = ilat * (PI / 360.0); /* every 0.5 deg */
        else
            lat = near_special_rad[ilat - 181];
        for (int sgn = -1; sgn <= 1; sgn += 2)
            for (size_t k = 0; k < COUNT(heights_m); k++) {
                mwds_lla p = {sgn * lat, 1.4 * (ilat % 3) - 0.3, heights_m[k]};
                mwds_lla q = {0};
                char msg[160];
                snprintf(msg, sizeof msg, "round trip at lat %.17g rad h %.9g m", p.lat_rad, p.h_m);
                assert_int_equal(mwds_geo_ecef_to_lla(mwds_geo_lla_to_ecef(p), &q), MWDS_OK);
                CHECK_LLA(msg, q, p);
            }
    }
}

/* Deep inside the Earth (within the evolute of the meridian ellipse, about
 * 43 km from the centre) the foot of the normal is not unique; any one is
 * acceptable, but the answer must be a consistent geodetic position. */
static void test_ecef_to_lla_deep_interior_is_self_consistent(void **state)
{
    (void)state;
    static const double pts[][3] = {{1001.0, 0.0, 0.0}, {0.0, 0.0, -1001.0}, {2000.0, 0.0, 0.0},
                                    {10e3, 5e3, 1e3},   {30e3, 0.0, 20e3},   {0.0, 40e3, -5e3},
                                    {-42e3, 1.0, 1e-3}, {1e5, 1e5, 1e5}};
    for (size_t i = 0; i < COUNT(pts); i++) {
        mwds_vec3 x = mwds_v3(pts[i][0], pts[i][1], pts[i][2]);
        mwds_lla o = {0};
        char msg[160];
        snprintf(msg, sizeof msg,
                 "interior point (%g, %g, %g): lla_to_ecef(ecef_to_lla(x)) - x (m)", x.v[0], x.v[1],
                 x.v[2]);
        assert_int_equal(mwds_geo_ecef_to_lla(x, &o), MWDS_OK);
        assert_true(fabs(o.lat_rad) <= PI / 2.0 && o.lon_rad > -PI && o.lon_rad <= PI);
        CHECK_NEAR(msg, dist3(mwds_geo_lla_to_ecef(o), x), 0.0, 1e-6);
    }
}

static void test_ecef_to_lla_rejects_nonfinite_and_centre_leaving_out_untouched(void **state)
{
    (void)state;
    const mwds_lla sentinel = {1.25, -2.5, 777.0};
    const double nan = NAN, inf = INFINITY;
    const mwds_vec3 bad[] = {
        mwds_v3(nan, 0.0, 6.4e6),  mwds_v3(6.4e6, nan, 0.0),     mwds_v3(6.4e6, 0.0, nan),
        mwds_v3(inf, 0.0, 0.0),    mwds_v3(0.0, -inf, 0.0),      mwds_v3(0.0, 0.0, inf),
        mwds_v3(0.0, 0.0, 0.0),    mwds_v3(-0.0, 0.0, -0.0),     mwds_v3(999.0, 0.0, 0.0),
        mwds_v3(0.0, 0.0, -999.0), mwds_v3(500.0, 500.0, 500.0),
    };
    for (size_t i = 0; i < COUNT(bad); i++) {
        mwds_lla out = sentinel;
        int err = mwds_geo_ecef_to_lla(bad[i], &out);
        if (err != MWDS_ENUMERIC)
            fail_msg("ecef_to_lla(%g, %g, %g) returned %d (%s), want MWDS_ENUMERIC", bad[i].v[0],
                     bad[i].v[1], bad[i].v[2], err, mwds_strerror(err));
        assert_memory_equal(&out, &sentinel, sizeof out);
    }
}

/* ---- ENU and AER ---------------------------------------------------------- */

static void test_enu_rotation_closed_forms(void **state)
{
    (void)state;
    /* At (0, 0): east = +y, north = +z, up = +x. */
    mwds_mat3 r = mwds_geo_enu_rotation(0.0, 0.0);
    const double want00[3][3] = {{0, 1, 0}, {0, 0, 1}, {1, 0, 0}};
    for (int i = 0; i < 3; i++)
        for (int j = 0; j < 3; j++)
            CHECK_NEAR("ENU rotation at lat 0 lon 0", r.m[i][j], want00[i][j], 1e-16);

    /* At the north pole, lon 90: east = -x, north = -y, up = +z. */
    r = mwds_geo_enu_rotation(PI / 2.0, PI / 2.0);
    const double wantp[3][3] = {{-1, 0, 0}, {0, -1, 0}, {0, 0, 1}};
    for (int i = 0; i < 3; i++)
        for (int j = 0; j < 3; j++)
            CHECK_NEAR("ENU rotation at the north pole, lon 90", r.m[i][j], wantp[i][j], 1e-15);

    /* Up is the ellipsoid normal: parallel to the gradient of
     * (x^2 + y^2)/a^2 + z^2/b^2 at the surface point, computed here. */
    const double a = 6378137.0, b = 6378137.0 * (1.0 - 1.0 / 298.257223563);
    for (int lat = -85; lat <= 85; lat += 17) {
        mwds_lla s = lla_deg(lat, 33.0, 0.0);
        mwds_vec3 x = mwds_geo_lla_to_ecef(s);
        mwds_vec3 grad = mwds_v3(x.v[0] / (a * a), x.v[1] / (a * a), x.v[2] / (b * b));
        grad = mwds_v3_scale(grad, 1.0 / mwds_v3_norm(grad));
        mwds_vec3 up = mwds_geo_up(s.lat_rad, s.lon_rad);
        CHECK_NEAR("geo_up parallel to the ellipsoid gradient", dist3(up, grad), 0.0, 1e-15);
        r = mwds_geo_enu_rotation(s.lat_rad, s.lon_rad);
        CHECK_NEAR("rotation row 3 is geo_up", dist3(mwds_v3(r.m[2][0], r.m[2][1], r.m[2][2]), up),
                   0.0, 0.0);
        /* Rows orthonormal and right-handed: east x north = up. */
        mwds_vec3 e = mwds_v3(r.m[0][0], r.m[0][1], r.m[0][2]);
        mwds_vec3 n = mwds_v3(r.m[1][0], r.m[1][1], r.m[1][2]);
        CHECK_NEAR("east x north = up", dist3(mwds_v3_cross(e, n), up), 0.0, 1e-15);
        CHECK_NEAR("east . north = 0", mwds_v3_dot(e, n), 0.0, 1e-15);
        CHECK_NEAR("north points to increasing z", n.v[2], cos(s.lat_rad), 1e-15);
    }
}

/* Sites (incl. the poles and a geostationary-height observer) and targets
 * (ground, aircraft, LEO, GEO, the far side of the Earth). */
static const double site_grid[][3] = {
    {-90.0, 0.0, 0.0},     {-89.9999999, 12.0, 10.0}, {-33.9, 18.4, 50.0},
    {0.0, 0.0, 0.0},       {0.0, -180.0, -400.0},     {37.5, 126.9, 1500.0},
    {64.3, -149.2, 200.0}, {89.9999999, 170.0, 0.0},  {90.0, 0.0, 3000.0},
    {0.0, 75.0, 3.5786e7},
};
static const double target_grid[][3] = {
    {37.6, 127.0, 0.0},    {40.0, 125.0, 10e3},   {35.0, 140.0, 500e3},
    {-10.0, -60.0, 800e3}, {0.0, 75.0, 3.5786e7}, {-89.0, 45.0, 1e3},
    {89.5, -100.0, 2e6},   {-37.5, -53.1, 0.0},   {0.0, 180.0, 0.0},
};

static void test_enu_matches_proj_topocentric(void **state)
{
    const proj_env *env = *state;
    double worst = 0.0;
    for (size_t i = 0; i < COUNT(site_grid); i++) {
        char def[200];
        snprintf(def, sizeof def,
                 "+proj=topocentric +ellps=WGS84 +lat_0=%.17g +lon_0=%.17g +h_0=%.17g",
                 site_grid[i][0], site_grid[i][1], site_grid[i][2]);
        PJ *topo = proj_create(env->ctx, def);
        if (topo == NULL)
            fail_msg("PROJ could not create '%s'", def);
        mwds_lla site = lla_deg(site_grid[i][0], site_grid[i][1], site_grid[i][2]);
        for (size_t j = 0; j < COUNT(target_grid); j++) {
            mwds_vec3 x =
                proj_lla_to_ecef(env, target_grid[j][0], target_grid[j][1], target_grid[j][2]);
            PJ_COORD c = proj_trans(topo, PJ_FWD, proj_coord(x.v[0], x.v[1], x.v[2], 0.0));
            mwds_vec3 want = mwds_v3(c.enu.e, c.enu.n, c.enu.u);
            mwds_vec3 got = mwds_geo_ecef_to_enu(site, x);
            char msg[200];
            snprintf(msg, sizeof msg, "ENU vs PROJ topocentric, site %d, target %d: distance (m)",
                     (int)i, (int)j);
            CHECK_NEAR(msg, dist3(got, want), 0.0, ENU_TOL_M);
            worst = fmax(worst, dist3(got, want));

            snprintf(msg, sizeof msg, "enu_to_ecef(ecef_to_enu(x)) - x, site %d, target %d (m)",
                     (int)i, (int)j);
            CHECK_NEAR(msg, dist3(mwds_geo_enu_to_ecef(site, got), x), 0.0, ENU_TOL_M);

            /* AER from PROJ's ENU by the definitions in geo.h (the angles
             * mean nothing for a target at the site). */
            if (mwds_v3_norm(want) < 1.0)
                continue;
            mwds_aer aer = mwds_geo_aer(site, x);
            double horiz = hypot(want.v[0], want.v[1]);
            snprintf(msg, sizeof msg, "AER from PROJ ENU, site %d, target %d", (int)i, (int)j);
            CHECK_NEAR(msg, aer.range_m, mwds_v3_norm(want), ENU_TOL_M);
            CHECK_NEAR(msg, aer.el_rad, atan2(want.v[2], horiz), 1e-12);
            CHECK_NEAR(msg, angle_diff(aer.az_rad, atan2(want.v[0], want.v[1])) * horiz, 0.0,
                       ENU_TOL_M);
            assert_true(aer.az_rad >= 0.0 && aer.az_rad < 2.0 * PI);
        }
        proj_destroy(topo);
    }
    print_message("ecef_to_enu vs PROJ topocentric: worst %.3g m\n", worst);
}

static void test_aer_closed_forms(void **state)
{
    (void)state;
    const double a = 6378137.0, b = 6378137.0 * (1.0 - 1.0 / 298.257223563);
    mwds_lla site = lla_deg(52.1, -1.7, 120.0);
    mwds_vec3 s = mwds_geo_lla_to_ecef(site);
    double sl = sin(site.lat_rad), cl = cos(site.lat_rad);
    double so = sin(site.lon_rad), co = cos(site.lon_rad);
    /* The local axes from their textbook definitions. */
    mwds_vec3 east = mwds_v3(-so, co, 0.0);
    mwds_vec3 north = mwds_v3(-sl * co, -sl * so, cl);
    mwds_aer r;

    /* Straight up: same lat/lon, 1000 m higher lies along the normal. */
    r = mwds_geo_aer(site, mwds_geo_lla_to_ecef(lla_deg(52.1, -1.7, 1120.0)));
    CHECK_NEAR("target straight up: elevation pi/2", r.el_rad, PI / 2.0, 1e-9);
    CHECK_NEAR("target straight up: range = height difference", r.range_m, 1000.0, 1e-8);

    /* Straight down to the ellipsoid: elevation -pi/2, range = h. */
    r = mwds_geo_aer(site, mwds_geo_lla_to_ecef(lla_deg(52.1, -1.7, 0.0)));
    CHECK_NEAR("target straight down: elevation -pi/2", r.el_rad, -PI / 2.0, 1e-9);
    CHECK_NEAR("target straight down: range = h", r.range_m, 120.0, 1e-8);

    /* Along the local horizontal in the four cardinal directions. */
    const struct {
        const char *name;
        mwds_vec3 dir;
        double az;
    } card[] = {{"due north", north, 0.0},
                {"due east", east, PI / 2.0},
                {"due south", mwds_v3_scale(north, -1.0), PI},
                {"due west", mwds_v3_scale(east, -1.0), 1.5 * PI}};
    for (size_t i = 0; i < COUNT(card); i++) {
        char msg[120];
        r = mwds_geo_aer(site, mwds_v3_axpy(s, 250e3, card[i].dir));
        snprintf(msg, sizeof msg, "target %s on the horizontal plane: azimuth", card[i].name);
        CHECK_NEAR(msg, angle_diff(r.az_rad, card[i].az), 0.0, 1e-12);
        snprintf(msg, sizeof msg, "target %s on the horizontal plane: elevation 0", card[i].name);
        CHECK_NEAR(msg, r.el_rad, 0.0, 1e-12);
        snprintf(msg, sizeof msg, "target %s on the horizontal plane: range", card[i].name);
        CHECK_NEAR(msg, r.range_m, 250e3, 1e-8);
    }
    /* 45 deg up towards the north-east: az pi/4, el pi/4, range sqrt(3) d. */
    mwds_vec3 up = mwds_v3_cross(east, north);
    r = mwds_geo_aer(site, mwds_v3_axpy(mwds_v3_axpy(mwds_v3_axpy(s, 1e5, east), 1e5, north),
                                        1e5 * sqrt(2.0), up));
    CHECK_NEAR("north-east 45 deg up: azimuth pi/4", r.az_rad, PI / 4.0, 1e-12);
    CHECK_NEAR("north-east 45 deg up: elevation pi/4", r.el_rad, PI / 4.0, 1e-12);
    CHECK_NEAR("north-east 45 deg up: range 2e5", r.range_m, 2e5, 1e-8);

    /* The antipode through the centre, from the equator and from the pole:
     * geodetic and geocentric verticals coincide there, so straight down. */
    r = mwds_geo_aer(lla_deg(0.0, 0.0, 0.0), mwds_v3(-a, 0.0, 0.0));
    CHECK_NEAR("equator antipode: elevation -pi/2", r.el_rad, -PI / 2.0, 1e-12);
    CHECK_NEAR("equator antipode: range 2a", r.range_m, 2.0 * a, 1e-8);
    r = mwds_geo_aer(lla_deg(90.0, 0.0, 0.0), mwds_v3(0.0, 0.0, -b));
    CHECK_NEAR("pole antipode: elevation -pi/2", r.el_rad, -PI / 2.0, 1e-9);
    CHECK_NEAR("pole antipode: range 2b", r.range_m, 2.0 * b, 1e-8);
    /* From the equator at lon 0, the point on the equator at lon 90 (ECEF
     * (0, a, 0)) is due east and 45 deg below the horizon. */
    r = mwds_geo_aer(lla_deg(0.0, 0.0, 0.0), mwds_v3(0.0, a, 0.0));
    CHECK_NEAR("equator lon 0 -> lon 90: azimuth pi/2", r.az_rad, PI / 2.0, 1e-12);
    CHECK_NEAR("equator lon 0 -> lon 90: elevation -pi/4", r.el_rad, -PI / 4.0, 1e-12);
    CHECK_NEAR("equator lon 0 -> lon 90: range a sqrt 2", r.range_m, a * sqrt(2.0), 1e-8);
    /* From the north pole at lon 0, north points towards lon 180 (-x). */
    r = mwds_geo_aer(lla_deg(90.0, 0.0, 0.0), mwds_v3(-1e5, 0.0, b));
    CHECK_NEAR("north pole lon 0, target towards -x: azimuth 0", angle_diff(r.az_rad, 0.0), 0.0,
               1e-12);
    CHECK_NEAR("north pole lon 0, target towards -x: elevation 0", r.el_rad, 0.0, 1e-12);

    /* A target at the site itself: range 0, az = el = 0 (geo.h). */
    r = mwds_geo_aer(site, s);
    CHECK_NEAR("target at the site: range 0", r.range_m, 0.0, 0.0);
    CHECK_NEAR("target at the site: az 0", r.az_rad, 0.0, 0.0);
    CHECK_NEAR("target at the site: el 0", r.el_rad, 0.0, 0.0);
}

static void test_aer_to_ecef_inverts_aer(void **state)
{
    (void)state;
    for (size_t i = 0; i < COUNT(site_grid); i++) {
        mwds_lla site = lla_deg(site_grid[i][0], site_grid[i][1], site_grid[i][2]);
        for (size_t j = 0; j < COUNT(target_grid); j++) {
            mwds_vec3 x = mwds_geo_lla_to_ecef(
                lla_deg(target_grid[j][0], target_grid[j][1], target_grid[j][2]));
            char msg[160];
            snprintf(msg, sizeof msg, "aer_to_ecef(aer(x)) - x, site %d target %d (m)", (int)i,
                     (int)j);
            CHECK_NEAR(msg, dist3(mwds_geo_aer_to_ecef(site, mwds_geo_aer(site, x)), x), 0.0,
                       ENU_TOL_M);
        }
    }
    /* And the other way, for a fixed AER. */
    mwds_lla site = lla_deg(37.5, 126.9, 30.0);
    mwds_aer in = {5.5, 0.3, 1.5e6};
    mwds_aer out = mwds_geo_aer(site, mwds_geo_aer_to_ecef(site, in));
    CHECK_NEAR("aer(aer_to_ecef(aer)): azimuth", out.az_rad, in.az_rad, 1e-12);
    CHECK_NEAR("aer(aer_to_ecef(aer)): elevation", out.el_rad, in.el_rad, 1e-12);
    CHECK_NEAR("aer(aer_to_ecef(aer)): range", out.range_m, in.range_m, 1e-7);
}

/* ---- wrapping ------------------------------------------------------------- */

static void test_wrap_pi_and_2pi_closed_forms(void **state)
{
    (void)state;
    CHECK_NEAR("wrap_pi(0)", mwds_geo_wrap_pi(0.0), 0.0, 0.0);
    CHECK_NEAR("wrap_pi(3pi/2) = -pi/2", mwds_geo_wrap_pi(1.5 * PI), -0.5 * PI, 1e-15);
    CHECK_NEAR("wrap_pi(-3pi/2) = pi/2", mwds_geo_wrap_pi(-1.5 * PI), 0.5 * PI, 1e-15);
    CHECK_NEAR("wrap_pi(pi) = pi (upper end included)", mwds_geo_wrap_pi(PI), PI, 0.0);
    CHECK_NEAR("wrap_pi(-pi) = pi (lower end excluded)", mwds_geo_wrap_pi(-PI), PI, 0.0);
    CHECK_NEAR("wrap_pi(7pi) = pi", mwds_geo_wrap_pi(7.0 * PI), PI, 1e-14);
    CHECK_NEAR("wrap_pi(100.25)", mwds_geo_wrap_pi(100.25), 100.25 - 16.0 * 2.0 * PI, 1e-13);
    CHECK_NEAR("wrap_2pi(0)", mwds_geo_wrap_2pi(0.0), 0.0, 0.0);
    CHECK_NEAR("wrap_2pi(-pi/2) = 3pi/2", mwds_geo_wrap_2pi(-0.5 * PI), 1.5 * PI, 1e-15);
    CHECK_NEAR("wrap_2pi(2pi) = 0 (upper end excluded)", mwds_geo_wrap_2pi(2.0 * PI), 0.0, 0.0);
    CHECK_NEAR("wrap_2pi(5pi/2) = pi/2", mwds_geo_wrap_2pi(2.5 * PI), 0.5 * PI, 1e-15);
    CHECK_NEAR("wrap_2pi(-100.25)", mwds_geo_wrap_2pi(-100.25), -100.25 + 16.0 * 2.0 * PI, 1e-13);
    for (double a = -50.0; a <= 50.0; a += 0.37) {
        double w = mwds_geo_wrap_pi(a), w2 = mwds_geo_wrap_2pi(a);
        assert_true(w > -PI && w <= PI);
        assert_true(w2 >= 0.0 && w2 < 2.0 * PI);
        CHECK_NEAR("wrap_pi(a) differs from a by a multiple of 2pi", angle_diff(w, a), 0.0, 1e-13);
        CHECK_NEAR("wrap_2pi(a) differs from a by a multiple of 2pi", angle_diff(w2, a), 0.0,
                   1e-13);
    }
    /* A tiny negative angle must not come back as 2pi. */
    double w = mwds_geo_wrap_2pi(-1e-300);
    assert_true(w >= 0.0 && w < 2.0 * PI);
    w = mwds_geo_wrap_2pi(-1e-17);
    assert_true(w >= 0.0 && w < 2.0 * PI);
}

/* ---- geodesics ------------------------------------------------------------ */

/* GeographicLib's worked example, JFK (40.6, -73.8) to LHR (51.6, -0.5)
 * on WGS-84 (geographiclib's Geodesic.Inverse documentation; GeodSolve -i
 * -p 10 prints the same): s12 5551759.400319 m, azi1 51.198882845579824 deg,
 * azi2 107.82177673551425 deg. */
#define JFK_LHR_S12_M 5551759.400319
#define JFK_LHR_AZI1_DEG 51.198882845579824
#define JFK_LHR_AZI2_DEG 107.82177673551425

static void test_geo_inverse_jfk_to_lhr_matches_published_example(void **state)
{
    (void)state;
    double s12 = 0, azi1 = 0, azi2 = 0;
    assert_int_equal(
        mwds_geo_inverse(lla_deg(40.6, -73.8, 0.0), lla_deg(51.6, -0.5, 0.0), &s12, &azi1, &azi2),
        MWDS_OK);
    CHECK_NEAR("JFK-LHR s12 (m), published 5551759.400319", s12, JFK_LHR_S12_M, 1e-6);
    CHECK_NEAR("JFK-LHR azi1 (rad), published 51.198882845579824 deg", azi1,
               JFK_LHR_AZI1_DEG * MWDS_DEG2RAD, 1e-14);
    CHECK_NEAR("JFK-LHR azi2 (rad), published 107.82177673551425 deg", azi2,
               JFK_LHR_AZI2_DEG * MWDS_DEG2RAD, 1e-14);

    /* Heights are ignored. */
    double s12h = 0;
    assert_int_equal(
        mwds_geo_inverse(lla_deg(40.6, -73.8, 5e5), lla_deg(51.6, -0.5, -300.0), &s12h, NULL, NULL),
        MWDS_OK);
    CHECK_NEAR("JFK-LHR s12 with heights (ignored)", s12h, JFK_LHR_S12_M, 1e-6);

    /* LHR back to JFK: azimuths are the reverses, in [0, 2pi). */
    assert_int_equal(
        mwds_geo_inverse(lla_deg(51.6, -0.5, 0.0), lla_deg(40.6, -73.8, 0.0), &s12, &azi1, &azi2),
        MWDS_OK);
    CHECK_NEAR("LHR-JFK s12", s12, JFK_LHR_S12_M, 1e-6);
    CHECK_NEAR("LHR-JFK azi1 = JFK-LHR azi2 + 180 deg", azi1,
               (JFK_LHR_AZI2_DEG + 180.0) * MWDS_DEG2RAD, 1e-14);
    CHECK_NEAR("LHR-JFK azi2 = JFK-LHR azi1 + 180 deg", azi2,
               (JFK_LHR_AZI1_DEG + 180.0) * MWDS_DEG2RAD, 1e-14);
}

static void test_geo_inverse_equator_and_meridian_closed_forms(void **state)
{
    (void)state;
    const double a = 6378137.0;
    double s12 = 0, azi1 = 0, azi2 = 0;

    assert_int_equal(mwds_geo_inverse(lla_deg(0, 0, 0), lla_deg(0, 90, 0), &s12, &azi1, &azi2),
                     MWDS_OK);
    CHECK_NEAR("equator quarter (0,0)-(0,90): s12 = a pi/2 = 10018754.171394 m", s12, a * PI / 2.0,
               1e-6);
    CHECK_NEAR("equator quarter: azi1 east", azi1, PI / 2.0, 1e-14);
    CHECK_NEAR("equator quarter: azi2 east", azi2, PI / 2.0, 1e-14);

    assert_int_equal(mwds_geo_inverse(lla_deg(0, 0, 0), lla_deg(0, -10, 0), &s12, &azi1, &azi2),
                     MWDS_OK);
    CHECK_NEAR("equator westward 10 deg: s12 = a 10 deg", s12, a * 10.0 * MWDS_DEG2RAD, 1e-6);
    CHECK_NEAR("equator westward: azi1 = 3pi/2 (in [0, 2pi))", azi1, 1.5 * PI, 1e-14);
    CHECK_NEAR("equator westward: azi2 = 3pi/2", azi2, 1.5 * PI, 1e-14);

    assert_int_equal(mwds_geo_inverse(lla_deg(0, 0, 0), lla_deg(90, 0, 0), &s12, &azi1, &azi2),
                     MWDS_OK);
    CHECK_NEAR("meridian quadrant (0,0)-(90,0): s12, WGS-84 10001965.729313 m", s12,
               10001965.729313, 1e-6);
    CHECK_NEAR("meridian quadrant: azi1 north", angle_diff(azi1, 0.0), 0.0, 1e-14);
    assert_true(azi1 >= 0.0 && azi1 < 2.0 * PI);

    assert_int_equal(mwds_geo_inverse(lla_deg(90, 0, 0), lla_deg(-90, 0, 0), &s12, NULL, NULL),
                     MWDS_OK);
    CHECK_NEAR("pole to pole: two meridian quadrants", s12, 2.0 * 10001965.729313, 2e-6);

    assert_int_equal(mwds_geo_inverse(lla_deg(12, 34, 0), lla_deg(12, 34, 9), &s12, NULL, NULL),
                     MWDS_OK);
    CHECK_NEAR("same point: s12 = 0", s12, 0.0, 0.0);
}

static void test_geo_direct_inverts_inverse(void **state)
{
    (void)state;
    mwds_lla p2 = {0};
    /* The published JFK -> LHR geodesic, run forwards. */
    assert_int_equal(mwds_geo_direct(lla_deg(40.6, -73.8, 250.0), JFK_LHR_AZI1_DEG * MWDS_DEG2RAD,
                                     JFK_LHR_S12_M, &p2),
                     MWDS_OK);
    CHECK_NEAR("direct JFK along published azi1/s12: lat 51.6", p2.lat_rad, 51.6 * MWDS_DEG2RAD,
               1e-13);
    CHECK_NEAR("direct JFK along published azi1/s12: lon -0.5", p2.lon_rad, -0.5 * MWDS_DEG2RAD,
               1e-13);
    CHECK_NEAR("direct keeps p1's height", p2.h_m, 250.0, 0.0);

    /* Along the equator across the antimeridian: lon = 179 deg + s/a,
     * returned in (-pi, pi]. */
    const double a = 6378137.0;
    assert_int_equal(mwds_geo_direct(lla_deg(0, 179, 0), PI / 2.0, 1e6, &p2), MWDS_OK);
    CHECK_NEAR("equator east across 180: lat 0", p2.lat_rad, 0.0, 1e-15);
    CHECK_NEAR("equator east across 180: lon 179 deg + s/a - 2pi", p2.lon_rad,
               179.0 * MWDS_DEG2RAD + 1e6 / a - 2.0 * PI, 1e-14);

    /* Round trips inverse -> direct over a spread of pairs, incl. nearly
     * antipodal ones and a pole. */
    static const double pairs[][4] = {{37.5, 126.9, 39.0, 125.7},   {0.0, 0.0, 0.5, 179.5},
                                      {-33.9, 18.4, 64.3, -149.2},  {89.0, 10.0, -89.0, -170.0},
                                      {10.0, -179.9, -10.0, 179.9}, {90.0, 0.0, 45.0, 45.0}};
    for (size_t i = 0; i < COUNT(pairs); i++) {
        mwds_lla p1 = lla_deg(pairs[i][0], pairs[i][1], 0.0);
        mwds_lla want = lla_deg(pairs[i][2], pairs[i][3], 0.0);
        double s12 = 0, azi1 = 0;
        assert_int_equal(mwds_geo_inverse(p1, want, &s12, &azi1, NULL), MWDS_OK);
        assert_int_equal(mwds_geo_direct(p1, azi1, s12, &p2), MWDS_OK);
        char msg[160];
        snprintf(msg, sizeof msg, "direct(inverse) pair %d: lat", (int)i);
        CHECK_NEAR(msg, p2.lat_rad, want.lat_rad, 1e-12);
        snprintf(msg, sizeof msg, "direct(inverse) pair %d: lon times cos(lat)", (int)i);
        CHECK_NEAR(msg, angle_diff(p2.lon_rad, want.lon_rad) * cos(want.lat_rad), 0.0, 1e-12);
        assert_true(p2.lon_rad > -PI && p2.lon_rad <= PI);
    }
}

static void test_geo_direct_and_inverse_reject_bad_input_leaving_out_untouched(void **state)
{
    (void)state;
    const mwds_lla ok = lla_deg(10, 20, 0);
    const mwds_lla sentinel = {1.25, -2.5, 777.0};
    const double nan = NAN, inf = INFINITY;
    mwds_lla out;
    const mwds_lla bad_p1[] = {{nan, 0.3, 0.0}, {0.1, nan, 0.0},  {0.1, 0.3, nan},
                               {inf, 0.3, 0.0}, {0.1, -inf, 0.0}, {2.0, 0.3, 0.0}};
    for (size_t i = 0; i < COUNT(bad_p1); i++) {
        out = sentinel;
        int err = mwds_geo_direct(bad_p1[i], 0.5, 1e5, &out);
        if (err != MWDS_EINVAL)
            fail_msg("geo_direct with bad p1 #%d returned %d (%s), want MWDS_EINVAL", (int)i, err,
                     mwds_strerror(err));
        assert_memory_equal(&out, &sentinel, sizeof out);
    }
    out = sentinel;
    assert_int_equal(mwds_geo_direct(ok, nan, 1e5, &out), MWDS_EINVAL);
    assert_memory_equal(&out, &sentinel, sizeof out);
    assert_int_equal(mwds_geo_direct(ok, 0.5, nan, &out), MWDS_EINVAL);
    assert_memory_equal(&out, &sentinel, sizeof out);
    assert_int_equal(mwds_geo_direct(ok, inf, 1e5, &out), MWDS_EINVAL);
    assert_int_equal(mwds_geo_direct(ok, 0.5, -inf, &out), MWDS_EINVAL);
    assert_memory_equal(&out, &sentinel, sizeof out);

    double s12 = -1.0, azi1 = -1.0, azi2 = -1.0;
    assert_int_equal(mwds_geo_inverse(ok, bad_p1[0], &s12, &azi1, &azi2), MWDS_EINVAL);
    assert_int_equal(mwds_geo_inverse(bad_p1[1], ok, &s12, &azi1, &azi2), MWDS_EINVAL);
    assert_int_equal(mwds_geo_inverse(ok, bad_p1[5], &s12, &azi1, &azi2), MWDS_EINVAL);
    CHECK_NEAR("inverse with bad input leaves s12 untouched", s12, -1.0, 0.0);
    CHECK_NEAR("inverse with bad input leaves azi1 untouched", azi1, -1.0, 0.0);
    CHECK_NEAR("inverse with bad input leaves azi2 untouched", azi2, -1.0, 0.0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_wgs84_constants_match_tr8350),
        cmocka_unit_test(test_lla_to_ecef_closed_forms_on_axes_and_poles),
        cmocka_unit_test(test_lla_to_ecef_matches_proj_epsg4979_to_4978),
        cmocka_unit_test(test_ecef_to_lla_closed_forms_on_axes_and_poles),
        cmocka_unit_test(test_ecef_to_lla_recovers_grid_point_from_proj_ecef),
        cmocka_unit_test(test_ecef_to_lla_matches_proj_inverse_up_to_50km),
        cmocka_unit_test(test_round_trip_geodetic_ecef_geodetic_within_1mm),
        cmocka_unit_test(test_ecef_to_lla_deep_interior_is_self_consistent),
        cmocka_unit_test(test_ecef_to_lla_rejects_nonfinite_and_centre_leaving_out_untouched),
        cmocka_unit_test(test_enu_rotation_closed_forms),
        cmocka_unit_test(test_enu_matches_proj_topocentric),
        cmocka_unit_test(test_aer_closed_forms),
        cmocka_unit_test(test_aer_to_ecef_inverts_aer),
        cmocka_unit_test(test_wrap_pi_and_2pi_closed_forms),
        cmocka_unit_test(test_geo_inverse_jfk_to_lhr_matches_published_example),
        cmocka_unit_test(test_epsg_guidance_note_worked_example),
        cmocka_unit_test(test_geo_inverse_equator_and_meridian_closed_forms),
        cmocka_unit_test(test_geo_direct_inverts_inverse),
        cmocka_unit_test(test_geo_direct_and_inverse_reject_bad_input_leaving_out_untouched),
    };
    return cmocka_run_group_tests(tests, proj_setup, proj_teardown);
}
