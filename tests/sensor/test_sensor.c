/*
 * Sensor models against independent references:
 *   - radar h(x) against closed-form geometry (a target straight above the
 *     site, due north, east, south and west on the site's horizontal plane,
 *     built from the textbook ENU unit vectors written out here) and against
 *     mwds_geo_aer (the separately tested geo module) at random points;
 *   - range rate against a central difference of the range along the
 *     velocity;
 *   - every Jacobian row against central finite differences of h;
 *   - visibility limits (range, elevation, azimuth sector; IR burning and
 *     the Earth's limb, including a high target seen over the limb);
 *   - the radar inverse and the IR line of sight;
 *   - residual wrapping;
 *   - look: replay, detection rate against pd, noise mean and variance
 *     against sigma, false-alarm rate and coverage, ordering, MWDS_EFULL;
 *   - every init error path.
 * Units: metres, m/s, radians (degrees only where a test states them).
 */
#include <string.h>

#include "mwds/sensor.h"
#include "test_util.h"

#define DEG MWDS_DEG2RAD
#define GEO_HEIGHT_M 35786.0e3

static mwds_lla lla_deg(double lat_deg, double lon_deg, double h_m)
{
    mwds_lla p = {lat_deg * DEG, lon_deg * DEG, h_m};
    return p;
}

/* An all-round radar with wide limits; tests narrow what they need. */
static mwds_sensor radar_at(mwds_lla site, double sigma_rr)
{
    mwds_sensor s;
    memset(&s, 0, sizeof s);
    s.kind = MWDS_SENSOR_RADAR;
    s.id = 7;
    s.revisit_s = 10.0;
    s.pd = 1.0;
    s.false_alarms_per_scan = 0.0;
    s.radar.site = site;
    s.radar.boresight_az_rad = 0.0;
    s.radar.az_half_width_rad = MWDS_PI;
    s.radar.el_min_rad = -5.0 * DEG;
    s.radar.el_max_rad = 90.0 * DEG;
    s.radar.range_min_m = 1.0e3;
    s.radar.range_max_m = 4000.0e3;
    s.radar.sigma_range_m = 50.0;
    s.radar.sigma_az_rad = 2.0e-3;
    s.radar.sigma_el_rad = 1.5e-3;
    s.radar.sigma_rr_m_s = sigma_rr;
    assert_int_equal(mwds_sensor_init(&s), MWDS_OK);
    return s;
}

static mwds_sensor ir_at(double lon_deg)
{
    mwds_sensor s;
    memset(&s, 0, sizeof s);
    s.kind = MWDS_SENSOR_SPACE_IR;
    s.id = 3;
    s.revisit_s = 1.0;
    s.pd = 1.0;
    s.ir.sat = lla_deg(0.0, lon_deg, GEO_HEIGHT_M);
    s.ir.sigma_los_rad = 20.0e-6;
    assert_int_equal(mwds_sensor_init(&s), MWDS_OK);
    return s;
}

static double ang_diff(double a, double b)
{
    return mwds_geo_wrap_pi(a - b);
}

/* ---- radar h(x) -------------------------------------------------------------- */

static void test_init_derives_site_geometry(void **state)
{
    (void)state;
    /* On the equator at the prime meridian, closed form: the site is (a + h,
     * 0, 0) and east, north, up are the ECEF y, z and x axes. */
    mwds_sensor s = radar_at(lla_deg(0.0, 0.0, 250.0), 0.0);
    assert_near(s.pos_ecef.v[0], MWDS_WGS84.a_m + 250.0, 1e-6, "site x");
    assert_near(s.pos_ecef.v[1], 0.0, 1e-6, "site y");
    assert_near(s.pos_ecef.v[2], 0.0, 1e-6, "site z");
    const double want[3][3] = {{0, 1, 0}, {0, 0, 1}, {1, 0, 0}};
    for (int i = 0; i < 3; i++)
        for (int j = 0; j < 3; j++)
            assert_near(s.enu.m[i][j], want[i][j], 1e-15, "enu row");
    mwds_sensor ir = ir_at(140.0);
    double r = MWDS_WGS84.a_m + GEO_HEIGHT_M;
    assert_near(ir.pos_ecef.v[0], r * cos(140.0 * DEG), 1e-6, "satellite x");
    assert_near(ir.pos_ecef.v[1], r * sin(140.0 * DEG), 1e-6, "satellite y");
    assert_near(ir.pos_ecef.v[2], 0.0, 1e-6, "satellite z");
}

static void test_radar_closed_form(void **state)
{
    (void)state;
    const double sites[][3] = {
        {37.5, 127.0, 120.0}, {-33.9, 18.4, 0.0}, {71.3, -156.8, 10.0}, {0.0, 0.0, 0.0}};
    for (size_t k = 0; k < sizeof sites / sizeof sites[0]; k++) {
        double lat = sites[k][0] * DEG, lon = sites[k][1] * DEG, h = sites[k][2];
        mwds_sensor s = radar_at(lla_deg(sites[k][0], sites[k][1], h), 0.0);
        mwds_vec3 zero = mwds_v3(0, 0, 0);
        mwds_measurement m;

        /* Straight above: 5 km higher on the same normal. */
        mwds_vec3 up = mwds_geo_lla_to_ecef(lla_deg(sites[k][0], sites[k][1], h + 5000.0));
        assert_int_equal(mwds_sensor_measure(&s, up, zero, &m), MWDS_OK);
        assert_int_equal(m.dim, 3);
        assert_near(m.z[0], 5000.0, 1e-6, "range straight up");
        assert_near(m.z[2], 0.5 * MWDS_PI, 1e-9, "elevation straight up");

        /* Horizontal unit vectors of the site, written out. */
        mwds_vec3 east = mwds_v3(-sin(lon), cos(lon), 0.0);
        mwds_vec3 north = mwds_v3(-sin(lat) * cos(lon), -sin(lat) * sin(lon), cos(lat));
        const double dist = 300.0e3;
        struct {
            mwds_vec3 dir;
            double az;
        } cases[] = {{north, 0.0},
                     {east, 0.5 * MWDS_PI},
                     {mwds_v3_scale(north, -1.0), MWDS_PI},
                     {mwds_v3_scale(east, -1.0), 1.5 * MWDS_PI}};
        for (int c = 0; c < 4; c++) {
            mwds_vec3 p = mwds_v3_axpy(s.pos_ecef, dist, cases[c].dir);
            assert_int_equal(mwds_sensor_measure(&s, p, zero, &m), MWDS_OK);
            assert_near(m.z[0], dist, 1e-6, "range on the horizontal plane");
            assert_near(ang_diff(m.z[1], cases[c].az), 0.0, 1e-12, "azimuth on the plane");
            assert_true(m.z[1] >= 0.0 && m.z[1] < 2.0 * MWDS_PI);
            assert_near(m.z[2], 0.0, 1e-12, "elevation on the horizontal plane");
            assert_int_equal(m.kind, MWDS_SENSOR_RADAR);
            assert_int_equal(m.sensor_id, 7);
            assert_near(m.sigma[0], 50.0, 0.0, "sigma range");
            assert_near(m.sigma[1], 2.0e-3, 0.0, "sigma az");
            assert_near(m.sigma[2], 1.5e-3, 0.0, "sigma el");
        }
    }
}

static void test_radar_matches_geo_aer(void **state)
{
    (void)state;
    mwds_rng rng;
    mwds_rng_seed(&rng, 11, 0);
    for (int k = 0; k < 200; k++) {
        double lat = (mwds_rng_uniform(&rng) * 170.0 - 85.0);
        double lon = (mwds_rng_uniform(&rng) * 360.0 - 180.0);
        mwds_lla site = lla_deg(lat, lon, mwds_rng_uniform(&rng) * 2000.0);
        mwds_sensor s = radar_at(site, 1.0);
        mwds_vec3 off = mwds_v3(mwds_rng_uniform(&rng) - 0.5, mwds_rng_uniform(&rng) - 0.5,
                                mwds_rng_uniform(&rng) - 0.5);
        mwds_vec3 p = mwds_v3_axpy(s.pos_ecef, 4.0e6, off);
        mwds_measurement m;
        assert_int_equal(mwds_sensor_measure(&s, p, mwds_v3(0, 0, 0), &m), MWDS_OK);
        mwds_aer ref = mwds_geo_aer(site, p);
        assert_rel(m.z[0], ref.range_m, 1e-12, "range vs geo_aer");
        assert_near(ang_diff(m.z[1], ref.az_rad), 0.0, 1e-11, "azimuth vs geo_aer");
        assert_near(m.z[2], ref.el_rad, 1e-11, "elevation vs geo_aer");
        assert_int_equal(m.dim, 4);
    }
}

static void test_range_rate_is_derivative_of_range(void **state)
{
    (void)state;
    mwds_rng rng;
    mwds_rng_seed(&rng, 12, 0);
    mwds_lla site = lla_deg(40.0, 140.0, 30.0);
    mwds_sensor s = radar_at(site, 5.0);
    for (int k = 0; k < 50; k++) {
        mwds_vec3 p =
            mwds_v3_axpy(s.pos_ecef, 2.0e6,
                         mwds_v3(mwds_rng_uniform(&rng) - 0.5, mwds_rng_uniform(&rng) - 0.5,
                                 mwds_rng_uniform(&rng) - 0.5));
        mwds_vec3 v = mwds_v3(8000.0 * (mwds_rng_uniform(&rng) - 0.5),
                              8000.0 * (mwds_rng_uniform(&rng) - 0.5),
                              8000.0 * (mwds_rng_uniform(&rng) - 0.5));
        const double dt = 1e-2;
        double r_plus = mwds_geo_aer(site, mwds_v3_axpy(p, dt, v)).range_m;
        double r_minus = mwds_geo_aer(site, mwds_v3_axpy(p, -dt, v)).range_m;
        double want = (r_plus - r_minus) / (2.0 * dt);
        mwds_measurement m;
        assert_int_equal(mwds_sensor_measure(&s, p, v, &m), MWDS_OK);
        assert_int_equal(m.dim, 4);
        assert_near(m.z[3], want, 1e-4, "range rate vs central difference of range");
        assert_near(m.sigma[3], 5.0, 0.0, "sigma range rate");
    }
}

static void test_measure_errors(void **state)
{
    (void)state;
    mwds_sensor s = radar_at(lla_deg(10.0, 20.0, 0.0), 0.0);
    mwds_measurement m;
    memset(&m, 0x5a, sizeof m);
    mwds_measurement before = m;
    assert_int_equal(mwds_sensor_measure(&s, s.pos_ecef, mwds_v3(1, 2, 3), &m), MWDS_ENUMERIC);
    assert_memory_equal(&m, &before, sizeof m);
    double h[24];
    assert_int_equal(mwds_sensor_jacobian(&s, s.pos_ecef, mwds_v3(0, 0, 0), 3, h), MWDS_ENUMERIC);
    /* Straight above, azimuth has no derivative. */
    mwds_vec3 up = mwds_geo_lla_to_ecef(lla_deg(10.0, 20.0, 1.0e5));
    assert_int_equal(mwds_sensor_jacobian(&s, up, mwds_v3(0, 0, 0), 3, h), MWDS_ENUMERIC);
    mwds_vec3 p = mwds_geo_lla_to_ecef(lla_deg(12.0, 20.0, 1.0e5));
    assert_int_equal(mwds_sensor_jacobian(&s, p, mwds_v3(0, 0, 0), 2, h), MWDS_EINVAL);
    mwds_sensor ir = ir_at(140.0);
    assert_int_equal(mwds_sensor_jacobian(&ir, p, mwds_v3(0, 0, 0), 3, h), MWDS_EINVAL);
    mwds_vec3 nan_p = mwds_v3(NAN, 0, 0);
    assert_int_equal(mwds_sensor_measure(&s, nan_p, mwds_v3(0, 0, 0), &m), MWDS_ENUMERIC);
    assert_int_equal(mwds_sensor_measure(&ir, nan_p, mwds_v3(0, 0, 0), &m), MWDS_ENUMERIC);
}

/* ---- Jacobians against finite differences ------------------------------------ */

/* Central differences of h over the six state components, steps 1 m and
 * 1 m/s; angle differences wrapped so a step across north is not 2 pi. */
static void numeric_jacobian(const mwds_sensor *s, mwds_vec3 p, mwds_vec3 v, double *h)
{
    mwds_measurement m0;
    assert_int_equal(mwds_sensor_measure(s, p, v, &m0), MWDS_OK);
    int wrap = s->kind == MWDS_SENSOR_RADAR ? 1 : 0;
    for (int j = 0; j < 6; j++) {
        const double step = 1.0;
        mwds_vec3 pp = p, pm = p, vp = v, vm = v;
        if (j < 3) {
            pp.v[j] += step;
            pm.v[j] -= step;
        } else {
            vp.v[j - 3] += step;
            vm.v[j - 3] -= step;
        }
        mwds_measurement a, b;
        assert_int_equal(mwds_sensor_measure(s, pp, vp, &a), MWDS_OK);
        assert_int_equal(mwds_sensor_measure(s, pm, vm, &b), MWDS_OK);
        for (int i = 0; i < m0.dim; i++) {
            double d = a.z[i] - b.z[i];
            if (i == wrap)
                d = mwds_geo_wrap_pi(d);
            h[i * 6 + j] = d / (2.0 * step);
        }
    }
}

static void check_jacobian(const mwds_sensor *s, mwds_vec3 p, mwds_vec3 v, int dim)
{
    double ha[24], hn[24];
    assert_int_equal(mwds_sensor_jacobian(s, p, v, dim, ha), MWDS_OK);
    numeric_jacobian(s, p, v, hn);
    for (int i = 0; i < dim; i++) {
        double scale = 0.0;
        for (int j = 0; j < 6; j++)
            scale = fmax(scale, fabs(hn[i * 6 + j]));
        assert_true(scale > 0.0);
        for (int j = 0; j < 6; j++) {
            char what[64];
            snprintf(what, sizeof what, "H[%d][%d] vs central difference", i, j);
            assert_near(ha[i * 6 + j], hn[i * 6 + j], 1e-6 * scale, what);
        }
    }
}

static void test_radar_jacobian(void **state)
{
    (void)state;
    const double sites[][3] = {{37.5, 127.0, 120.0}, {-33.9, 18.4, 0.0}, {71.3, -156.8, 10.0}};
    /* az deg, el deg, range m */
    const double targets[][3] = {{0.5, 10.0, 800e3},   {359.5, 30.0, 300e3}, {90.0, 1.0, 2500e3},
                                 {200.0, 60.0, 150e3}, {300.0, 85.0, 900e3}, {45.0, -2.0, 40e3}};
    mwds_rng rng;
    mwds_rng_seed(&rng, 13, 0);
    for (size_t k = 0; k < sizeof sites / sizeof sites[0]; k++) {
        mwds_lla site = lla_deg(sites[k][0], sites[k][1], sites[k][2]);
        mwds_sensor s3 = radar_at(site, 0.0), s4 = radar_at(site, 10.0);
        for (size_t t = 0; t < sizeof targets / sizeof targets[0]; t++) {
            mwds_aer aer = {targets[t][0] * DEG, targets[t][1] * DEG, targets[t][2]};
            mwds_vec3 p = mwds_geo_aer_to_ecef(site, aer);
            mwds_vec3 v = mwds_v3(6000.0 * (mwds_rng_uniform(&rng) - 0.5),
                                  6000.0 * (mwds_rng_uniform(&rng) - 0.5),
                                  6000.0 * (mwds_rng_uniform(&rng) - 0.5));
            check_jacobian(&s3, p, v, 3);
            check_jacobian(&s4, p, v, 4);
        }
    }
}

static void test_ir_jacobian(void **state)
{
    (void)state;
    const double lons[] = {140.0, -75.0, 0.0, 180.0};
    const double targets[][3] = {{39.0, 125.7, 0.0},  {39.0, 125.7, 80e3}, {-20.0, 150.0, 200e3},
                                 {60.0, 100.0, 10e3}, {0.0, 140.0, 50e3},  {5.0, -178.0, 30e3}};
    for (size_t k = 0; k < sizeof lons / sizeof lons[0]; k++) {
        mwds_sensor s = ir_at(lons[k]);
        for (size_t t = 0; t < sizeof targets / sizeof targets[0]; t++) {
            mwds_vec3 p =
                mwds_geo_lla_to_ecef(lla_deg(targets[t][0], targets[t][1], targets[t][2]));
            double h[12];
            assert_int_equal(mwds_sensor_jacobian(&s, p, mwds_v3(1e3, 2e3, 3e3), 2, h), MWDS_OK);
            for (int i = 0; i < 2; i++)
                for (int j = 3; j < 6; j++)
                    assert_near(h[i * 6 + j], 0.0, 0.0, "IR does not depend on velocity");
            /* Position columns only: the velocity columns are exactly 0 on
             * both sides, which check_jacobian's row scale copes with. */
            check_jacobian(&s, p, mwds_v3(1e3, 2e3, 3e3), 2);
        }
    }
}

/* ---- IR measurement and inverse ---------------------------------------------- */

static void test_ir_measure_and_line_of_sight(void **state)
{
    (void)state;
    mwds_sensor s = ir_at(140.0);
    /* Closed form: the sub-satellite point lies straight down the radius, so
     * the line of sight points at longitude 140 + 180 deg, delta 0. */
    mwds_vec3 sub = mwds_geo_lla_to_ecef(lla_deg(0.0, 140.0, 0.0));
    mwds_measurement m;
    assert_int_equal(mwds_sensor_measure(&s, sub, mwds_v3(0, 0, 0), &m), MWDS_OK);
    assert_int_equal(m.dim, 2);
    assert_int_equal(m.kind, MWDS_SENSOR_SPACE_IR);
    assert_int_equal(m.sensor_id, 3);
    assert_near(ang_diff(m.z[0], -40.0 * DEG), 0.0, 1e-12, "alpha to the sub-satellite point");
    assert_near(m.z[1], 0.0, 1e-12, "delta to the sub-satellite point");
    assert_near(m.sigma[0], 20e-6, 0.0, "sigma alpha");
    assert_near(m.sigma[1], 20e-6, 0.0, "sigma delta");

    mwds_vec3 p = mwds_geo_lla_to_ecef(lla_deg(39.0, 125.7, 60e3));
    assert_int_equal(mwds_sensor_measure(&s, p, mwds_v3(0, 0, 0), &m), MWDS_OK);
    mwds_vec3 d = mwds_v3_sub(p, s.pos_ecef);
    double r = mwds_v3_norm(d);
    assert_near(m.z[0], atan2(d.v[1], d.v[0]), 1e-14, "alpha = atan2(dy, dx)");
    assert_near(m.z[1], asin(d.v[2] / r), 1e-12, "delta = asin(dz / |d|)");
    assert_true(m.z[0] > -MWDS_PI && m.z[0] <= MWDS_PI);
    mwds_vec3 los;
    assert_int_equal(mwds_sensor_invert(&s, &m, &los), MWDS_OK);
    for (int i = 0; i < 3; i++)
        assert_near(los.v[i], d.v[i] / r, 1e-14, "IR unit line of sight");
}

static void test_radar_to_ecef_inverts_measurement(void **state)
{
    (void)state;
    mwds_rng rng;
    mwds_rng_seed(&rng, 14, 0);
    for (int k = 0; k < 100; k++) {
        mwds_lla site = lla_deg(mwds_rng_uniform(&rng) * 160.0 - 80.0,
                                mwds_rng_uniform(&rng) * 360.0 - 180.0, 500.0);
        mwds_sensor s = radar_at(site, k % 2 ? 3.0 : 0.0);
        mwds_vec3 p =
            mwds_v3_axpy(s.pos_ecef, 3.0e6,
                         mwds_v3(mwds_rng_uniform(&rng) - 0.5, mwds_rng_uniform(&rng) - 0.5,
                                 mwds_rng_uniform(&rng) - 0.5));
        mwds_measurement m;
        assert_int_equal(mwds_sensor_measure(&s, p, mwds_v3(100, 200, 300), &m), MWDS_OK);
        mwds_vec3 q;
        assert_int_equal(mwds_sensor_invert(&s, &m, &q), MWDS_OK);
        assert_near(mwds_v3_norm(mwds_v3_sub(q, p)), 0.0, 1e-3, "radar inverse, metres");
    }
    /* A measurement of the other kind is refused. */
    mwds_sensor s = radar_at(lla_deg(0, 0, 0), 0.0);
    mwds_measurement m;
    memset(&m, 0, sizeof m);
    m.kind = MWDS_SENSOR_SPACE_IR;
    m.dim = 2;
    mwds_vec3 q = mwds_v3(1, 2, 3);
    assert_int_equal(mwds_sensor_invert(&s, &m, &q), MWDS_EINVAL);
    assert_near(q.v[0], 1.0, 0.0, "untouched on error");
}

static void test_residual_wraps_angles(void **state)
{
    (void)state;
    mwds_measurement z, zh;
    memset(&z, 0, sizeof z);
    memset(&zh, 0, sizeof zh);
    z.kind = zh.kind = MWDS_SENSOR_RADAR;
    z.dim = zh.dim = 4;
    z.z[0] = 1000.0;
    zh.z[0] = 990.0;
    z.z[1] = 0.01;
    zh.z[1] = 2.0 * MWDS_PI - 0.01;
    z.z[2] = 0.5;
    zh.z[2] = 0.3;
    z.z[3] = -100.0;
    zh.z[3] = 200.0;
    double nu[4];
    mwds_sensor_residual(&z, &zh, nu);
    assert_near(nu[0], 10.0, 1e-12, "range residual");
    assert_near(nu[1], 0.02, 1e-12, "azimuth residual across north");
    assert_near(nu[2], 0.2, 1e-12, "elevation residual");
    assert_near(nu[3], -300.0, 1e-12, "range-rate residual");
    mwds_sensor_residual(&zh, &z, nu);
    assert_near(nu[1], -0.02, 1e-12, "azimuth residual the other way");

    z.kind = zh.kind = MWDS_SENSOR_SPACE_IR;
    z.dim = zh.dim = 2;
    z.z[0] = -MWDS_PI + 0.01;
    zh.z[0] = MWDS_PI - 0.01;
    z.z[1] = 0.1;
    zh.z[1] = 0.15;
    mwds_sensor_residual(&z, &zh, nu);
    assert_near(nu[0], 0.02, 1e-12, "alpha residual across pi");
    assert_near(nu[1], -0.05, 1e-12, "delta residual");
}

/* ---- visibility -------------------------------------------------------------- */

static void test_radar_visibility(void **state)
{
    (void)state;
    mwds_lla site = lla_deg(35.0, 135.0, 50.0);
    mwds_sensor s = radar_at(site, 0.0);
    s.radar.boresight_az_rad = 90.0 * DEG;
    s.radar.az_half_width_rad = 60.0 * DEG;
    s.radar.el_min_rad = 2.0 * DEG;
    s.radar.el_max_rad = 80.0 * DEG;
    s.radar.range_min_m = 5.0e3;
    s.radar.range_max_m = 2000.0e3;
    assert_int_equal(mwds_sensor_init(&s), MWDS_OK);
    struct {
        double az_deg, el_deg, range_m;
        int visible;
        const char *what;
    } cases[] = {
        {90.0, 10.0, 500e3, 1, "on the boresight"},
        {145.0, 10.0, 500e3, 1, "inside the sector edge"},
        {35.0, 10.0, 500e3, 1, "inside the other sector edge"},
        {155.0, 10.0, 500e3, 0, "outside the sector"},
        {0.0, 10.0, 500e3, 0, "north, outside the sector"},
        {200.0, 10.0, 500e3, 0, "behind the radar"},
        {90.0, 1.0, 500e3, 0, "below el_min"},
        {90.0, -3.0, 500e3, 0, "below the horizon"},
        {90.0, 85.0, 500e3, 0, "above el_max"},
        {90.0, 10.0, 2100e3, 0, "beyond max range"},
        {90.0, 10.0, 1990e3, 1, "just inside max range"},
        {90.0, 10.0, 4e3, 0, "inside min range"},
    };
    for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
        mwds_aer aer = {cases[k].az_deg * DEG, cases[k].el_deg * DEG, cases[k].range_m};
        mwds_vec3 p = mwds_geo_aer_to_ecef(site, aer);
        if (mwds_sensor_visible(&s, p, 0) != cases[k].visible)
            fail_msg("radar visibility, %s: got %d", cases[k].what, !cases[k].visible);
        /* burning does not matter to a radar */
        assert_int_equal(mwds_sensor_visible(&s, p, 1), cases[k].visible);
    }
    /* A sector that straddles north. */
    s.radar.boresight_az_rad = 10.0 * DEG;
    s.radar.az_half_width_rad = 30.0 * DEG;
    assert_int_equal(mwds_sensor_init(&s), MWDS_OK);
    mwds_aer west_of_north = {345.0 * DEG, 10.0 * DEG, 500e3};
    mwds_aer too_far_west = {335.0 * DEG, 10.0 * DEG, 500e3};
    assert_true(mwds_sensor_visible(&s, mwds_geo_aer_to_ecef(site, west_of_north), 0));
    assert_false(mwds_sensor_visible(&s, mwds_geo_aer_to_ecef(site, too_far_west), 0));
}

static void test_ir_visibility(void **state)
{
    (void)state;
    mwds_sensor s = ir_at(140.0);
    /* A launch in North Korea, on the ground and in boost. */
    mwds_vec3 korea0 = mwds_geo_lla_to_ecef(lla_deg(39.0, 125.7, 0.0));
    mwds_vec3 korea50 = mwds_geo_lla_to_ecef(lla_deg(39.2, 126.0, 50e3));
    assert_true(mwds_sensor_visible(&s, korea0, 1));
    assert_true(mwds_sensor_visible(&s, korea50, 1));
    assert_false(mwds_sensor_visible(&s, korea50, 0));
    /* The far side of the Earth. */
    mwds_vec3 far = mwds_geo_lla_to_ecef(lla_deg(0.0, -40.0, 100e3));
    assert_false(mwds_sensor_visible(&s, far, 1));
    /* From geostationary height the limb is about 81.3 deg of arc from the
     * sub-satellite point: 75 deg away on the ground is in view, 85 deg is
     * not, but 85 deg at 1,000 km height is seen over the limb (the limb
     * for a point that high is 81.3 + 30.9 deg away). */
    assert_true(mwds_sensor_visible(&s, mwds_geo_lla_to_ecef(lla_deg(0.0, 65.0, 0.0)), 1));
    assert_false(mwds_sensor_visible(&s, mwds_geo_lla_to_ecef(lla_deg(0.0, 55.0, 0.0)), 1));
    assert_true(mwds_sensor_visible(&s, mwds_geo_lla_to_ecef(lla_deg(0.0, 55.0, 1000e3)), 1));
    /* Along the satellite's meridian: 84 deg N on the ground is past the
     * limb, 80 deg N at 250 km is in view. 75 deg N on the ground is in view
     * too, although it lies some 20 km inside the sphere of radius a: the
     * limb test must use the ellipsoid, not that sphere. */
    assert_true(mwds_sensor_visible(&s, mwds_geo_lla_to_ecef(lla_deg(75.0, 140.0, 0.0)), 1));
    assert_false(mwds_sensor_visible(&s, mwds_geo_lla_to_ecef(lla_deg(84.0, 140.0, 0.0)), 1));
    assert_true(mwds_sensor_visible(&s, mwds_geo_lla_to_ecef(lla_deg(80.0, 140.0, 250e3)), 1));
}

/* ---- look -------------------------------------------------------------------- */

typedef struct scene {
    mwds_vec3 pos[4], vel[4];
    int burning[4];
    uint32_t truth[4];
    int n;
} scene;

/* Three targets visible to radar_at(site) plus one behind it (below the
 * horizon), with truth ids 1..4. */
static scene radar_scene(mwds_lla site)
{
    scene sc;
    memset(&sc, 0, sizeof sc);
    const double aer[4][3] = {
        {30.0, 20.0, 600e3}, {100.0, 5.0, 1200e3}, {250.0, 45.0, 300e3}, {10.0, -20.0, 800e3}};
    for (int i = 0; i < 4; i++) {
        mwds_aer a = {aer[i][0] * DEG, aer[i][1] * DEG, aer[i][2]};
        sc.pos[i] = mwds_geo_aer_to_ecef(site, a);
        sc.vel[i] = mwds_v3(1000.0 * i, -2000.0, 500.0);
        sc.burning[i] = 0;
        sc.truth[i] = (uint32_t)(i + 1);
    }
    sc.n = 4;
    return sc;
}

static int same_measurement(const mwds_measurement *a, const mwds_measurement *b)
{
    if (a->t_ns != b->t_ns || a->sensor_id != b->sensor_id || a->kind != b->kind ||
        a->dim != b->dim || a->truth_id != b->truth_id || a->exercise != b->exercise)
        return 0;
    for (int i = 0; i < a->dim; i++)
        if (a->z[i] != b->z[i] || a->sigma[i] != b->sigma[i])
            return 0;
    return 1;
}

static void test_look_replays_exactly(void **state)
{
    (void)state;
    mwds_lla site = lla_deg(37.0, 127.0, 100.0);
    mwds_sensor s = radar_at(site, 5.0);
    s.pd = 0.8;
    s.false_alarms_per_scan = 2.0;
    scene sc = radar_scene(site);
    mwds_rng a, b, c;
    mwds_rng_seed(&a, 42, 5);
    mwds_rng_seed(&b, 42, 5);
    mwds_rng_seed(&c, 42, 6);
    int differs = 0;
    for (int look = 0; look < 50; look++) {
        mwds_measurement oa[32], ob[32], oc[32];
        int na, nb, nc;
        int64_t t = INT64_C(1700000000000000000) + look * INT64_C(10000000000);
        assert_int_equal(
            mwds_sensor_look(&s, t, sc.pos, sc.vel, sc.burning, sc.truth, sc.n, &a, oa, 32, &na),
            MWDS_OK);
        assert_int_equal(
            mwds_sensor_look(&s, t, sc.pos, sc.vel, sc.burning, sc.truth, sc.n, &b, ob, 32, &nb),
            MWDS_OK);
        assert_int_equal(
            mwds_sensor_look(&s, t, sc.pos, sc.vel, sc.burning, sc.truth, sc.n, &c, oc, 32, &nc),
            MWDS_OK);
        assert_int_equal(na, nb);
        for (int i = 0; i < na; i++)
            assert_true(same_measurement(&oa[i], &ob[i]));
        if (na != nc || (na > 0 && !same_measurement(&oa[0], &oc[0])))
            differs = 1;
    }
    assert_true(differs); /* another stream is another sequence */
}

static void test_look_detection_rate_matches_pd(void **state)
{
    (void)state;
    mwds_lla site = lla_deg(37.0, 127.0, 100.0);
    mwds_sensor s = radar_at(site, 0.0);
    scene sc = radar_scene(site);
    const double pds[] = {0.0, 0.3, 0.85, 1.0};
    const int looks = 20000;
    mwds_rng rng;
    mwds_rng_seed(&rng, 7, 1);
    for (size_t k = 0; k < sizeof pds / sizeof pds[0]; k++) {
        s.pd = pds[k];
        int hits[5] = {0};
        for (int l = 0; l < looks; l++) {
            mwds_measurement out[8];
            int n;
            assert_int_equal(mwds_sensor_look(&s, 0, sc.pos, sc.vel, sc.burning, sc.truth, sc.n,
                                              &rng, out, 8, &n),
                             MWDS_OK);
            for (int i = 0; i < n; i++)
                hits[out[i].truth_id]++;
        }
        double se = sqrt(pds[k] * (1.0 - pds[k]) / looks);
        for (int t = 1; t <= 3; t++)
            assert_near((double)hits[t] / looks, pds[k], 4.0 * se, "detection rate vs pd");
        assert_int_equal(hits[4], 0); /* below the horizon: never */
        assert_int_equal(hits[0], 0); /* no false alarms asked for */
    }
}

/* Mean and variance of the noise per component against sigma. For N normal
 * samples the mean has standard error sigma/sqrt(N) and the sample variance
 * sigma^2 sqrt(2/N). */
static void check_noise(const mwds_sensor *s, mwds_vec3 p, mwds_vec3 v, int wrap)
{
    mwds_measurement truth;
    assert_int_equal(mwds_sensor_measure(s, p, v, &truth), MWDS_OK);
    const int looks = 20000;
    double sum[4] = {0}, sum2[4] = {0};
    mwds_rng rng;
    mwds_rng_seed(&rng, 99, s->id);
    const int burning = 1;
    const uint32_t id = 17;
    for (int l = 0; l < looks; l++) {
        mwds_measurement out[2];
        int n;
        int64_t t = 123456789 + l;
        assert_int_equal(mwds_sensor_look(s, t, &p, &v, &burning, &id, 1, &rng, out, 2, &n),
                         MWDS_OK);
        assert_int_equal(n, 1);
        const mwds_measurement *m = &out[0];
        assert_int_equal(m->exercise, 1);
        assert_true(m->t_ns == t);
        assert_int_equal(m->sensor_id, s->id);
        assert_int_equal(m->truth_id, 17);
        assert_int_equal(m->kind, s->kind);
        assert_int_equal(m->dim, truth.dim);
        if (s->kind == MWDS_SENSOR_RADAR)
            assert_true(m->z[1] >= 0.0 && m->z[1] < 2.0 * MWDS_PI);
        else
            assert_true(m->z[0] > -MWDS_PI && m->z[0] <= MWDS_PI);
        for (int i = 0; i < m->dim; i++) {
            assert_true(m->sigma[i] == truth.sigma[i]);
            double e = m->z[i] - truth.z[i];
            if (i == wrap)
                e = mwds_geo_wrap_pi(e);
            sum[i] += e;
            sum2[i] += e * e;
        }
    }
    for (int i = 0; i < truth.dim; i++) {
        double sig = truth.sigma[i];
        double mean = sum[i] / looks;
        double var = (sum2[i] - looks * mean * mean) / (looks - 1);
        char what[64];
        snprintf(what, sizeof what, "noise mean, component %d", i);
        assert_near(mean, 0.0, 4.0 * sig / sqrt(looks), what);
        snprintf(what, sizeof what, "noise variance / sigma^2, component %d", i);
        assert_near(var / (sig * sig), 1.0, 4.0 * sqrt(2.0 / looks), what);
    }
}

static void test_look_noise_matches_sigma(void **state)
{
    (void)state;
    mwds_lla site = lla_deg(37.0, 127.0, 100.0);
    mwds_sensor s = radar_at(site, 5.0);
    /* Azimuth just east of north, so noise crosses the 0/2pi seam. */
    mwds_aer a = {0.5e-3, 15.0 * DEG, 700e3};
    check_noise(&s, mwds_geo_aer_to_ecef(site, a), mwds_v3(100, -3000, 2000), 1);
    mwds_sensor s3 = radar_at(site, 0.0);
    check_noise(&s3, mwds_geo_aer_to_ecef(site, a), mwds_v3(0, 0, 0), 1);
    mwds_sensor ir = ir_at(140.0);
    check_noise(&ir, mwds_geo_lla_to_ecef(lla_deg(39.0, 125.7, 30e3)), mwds_v3(0, 0, 0), 0);
}

static void test_look_radar_false_alarms(void **state)
{
    (void)state;
    mwds_lla site = lla_deg(37.0, 127.0, 100.0);
    mwds_sensor s = radar_at(site, 5.0);
    s.radar.boresight_az_rad = 5.0 * DEG; /* a sector across north */
    s.radar.az_half_width_rad = 40.0 * DEG;
    s.radar.el_min_rad = 1.0 * DEG;
    s.radar.el_max_rad = 60.0 * DEG;
    s.radar.range_min_m = 20e3;
    s.radar.range_max_m = 1500e3;
    s.false_alarms_per_scan = 2.5;
    assert_int_equal(mwds_sensor_init(&s), MWDS_OK);
    const int looks = 20000;
    mwds_rng rng;
    mwds_rng_seed(&rng, 5, 2);
    int total = 0;
    double sum_range = 0.0, sum_az = 0.0;
    for (int l = 0; l < looks; l++) {
        mwds_measurement out[32];
        int n;
        assert_int_equal(mwds_sensor_look(&s, 77, NULL, NULL, NULL, NULL, 0, &rng, out, 32, &n),
                         MWDS_OK);
        total += n;
        for (int i = 0; i < n; i++) {
            const mwds_measurement *m = &out[i];
            assert_int_equal(m->truth_id, 0);
            assert_int_equal(m->exercise, 1);
            assert_int_equal(m->dim, 4);
            assert_int_equal(m->sensor_id, 7);
            assert_true(m->t_ns == 77);
            assert_true(m->sigma[0] == 50.0 && m->sigma[3] == 5.0);
            assert_true(m->z[0] >= 20e3 && m->z[0] <= 1500e3);
            assert_true(m->z[1] >= 0.0 && m->z[1] < 2.0 * MWDS_PI);
            double off = ang_diff(m->z[1], 5.0 * DEG);
            assert_true(fabs(off) <= 40.0 * DEG + 1e-12);
            assert_true(m->z[2] >= 1.0 * DEG && m->z[2] <= 60.0 * DEG);
            assert_true(isfinite(m->z[3]));
            /* Each false alarm lies in the coverage as visibility sees it. */
            mwds_vec3 q;
            assert_int_equal(mwds_sensor_invert(&s, m, &q), MWDS_OK);
            assert_true(mwds_sensor_visible(&s, q, 0));
            sum_range += m->z[0];
            sum_az += off;
        }
    }
    assert_near((double)total / looks, 2.5, 4.0 * sqrt(2.5 / looks),
                "false alarms per look vs Poisson mean");
    /* Uniform: the mean range is mid-band and the mean azimuth the boresight;
     * a uniform variable on width w has standard deviation w/sqrt(12). */
    double w_r = 1480e3, w_a = 80.0 * DEG;
    assert_near(sum_range / total, 760e3, 4.0 * w_r / sqrt(12.0 * total), "mean false-alarm range");
    assert_near(sum_az / total, 0.0, 4.0 * w_a / sqrt(12.0 * total), "mean false-alarm azimuth");
}

static void test_look_ir_false_alarms(void **state)
{
    (void)state;
    mwds_sensor s = ir_at(140.0);
    s.false_alarms_per_scan = 1.5;
    assert_int_equal(mwds_sensor_init(&s), MWDS_OK);
    double dist = mwds_v3_norm(s.pos_ecef);
    double disc = asin(MWDS_WGS84.a_m / dist); /* angular radius of the Earth */
    mwds_vec3 nadir = mwds_v3_scale(s.pos_ecef, -1.0 / dist);
    const int looks = 20000;
    mwds_rng rng;
    mwds_rng_seed(&rng, 6, 3);
    int total = 0, inner = 0;
    for (int l = 0; l < looks; l++) {
        mwds_measurement out[16];
        int n;
        assert_int_equal(mwds_sensor_look(&s, 0, NULL, NULL, NULL, NULL, 0, &rng, out, 16, &n),
                         MWDS_OK);
        total += n;
        for (int i = 0; i < n; i++) {
            assert_int_equal(out[i].truth_id, 0);
            assert_int_equal(out[i].exercise, 1);
            assert_int_equal(out[i].dim, 2);
            assert_true(out[i].sigma[0] == 20e-6 && out[i].sigma[1] == 20e-6);
            assert_true(out[i].z[0] > -MWDS_PI && out[i].z[0] <= MWDS_PI);
            mwds_vec3 los;
            assert_int_equal(mwds_sensor_invert(&s, &out[i], &los), MWDS_OK);
            double off = acos(fmin(1.0, mwds_v3_dot(los, nadir)));
            assert_true(off <= disc + 1e-9);
            /* Equal solid angle: the cap within half the disc's angle holds
             * (1 - cos(disc/2)) / (1 - cos(disc)) of the draws. */
            if (off <= 0.5 * disc)
                inner++;
        }
    }
    assert_near((double)total / looks, 1.5, 4.0 * sqrt(1.5 / looks), "IR false alarms per look");
    double p = (1.0 - cos(0.5 * disc)) / (1.0 - cos(disc));
    assert_near((double)inner / total, p, 4.0 * sqrt(p * (1.0 - p) / total),
                "IR false alarms uniform in solid angle");
}

static void test_look_order_and_full(void **state)
{
    (void)state;
    mwds_lla site = lla_deg(37.0, 127.0, 100.0);
    mwds_sensor s = radar_at(site, 0.0);
    s.false_alarms_per_scan = 3.0;
    scene sc = radar_scene(site);
    mwds_rng rng;
    mwds_rng_seed(&rng, 8, 0);
    for (int l = 0; l < 200; l++) {
        mwds_measurement out[32];
        int n;
        assert_int_equal(
            mwds_sensor_look(&s, 0, sc.pos, sc.vel, sc.burning, sc.truth, sc.n, &rng, out, 32, &n),
            MWDS_OK);
        assert_true(n >= 3);
        /* detections in target order (target 4 is below the horizon), then
         * false alarms */
        for (int i = 0; i < 3; i++)
            assert_int_equal(out[i].truth_id, (uint32_t)(i + 1));
        for (int i = 3; i < n; i++)
            assert_int_equal(out[i].truth_id, 0);
    }

    /* Too small an output: the first max are written and the generator ends
     * where a large enough output would leave it. */
    s.false_alarms_per_scan = 0.0;
    mwds_rng a, b;
    mwds_rng_seed(&a, 9, 0);
    mwds_rng_seed(&b, 9, 0);
    mwds_measurement small[2], big[8];
    int n_small = -1, n_big = -1;
    assert_int_equal(
        mwds_sensor_look(&s, 0, sc.pos, sc.vel, sc.burning, sc.truth, sc.n, &a, small, 2, &n_small),
        MWDS_EFULL);
    assert_int_equal(
        mwds_sensor_look(&s, 0, sc.pos, sc.vel, sc.burning, sc.truth, sc.n, &b, big, 8, &n_big),
        MWDS_OK);
    assert_int_equal(n_small, 2);
    assert_int_equal(n_big, 3);
    assert_true(same_measurement(&small[0], &big[0]));
    assert_true(same_measurement(&small[1], &big[1]));
    assert_memory_equal(a.s, b.s, sizeof a.s);
    int n0 = -1;
    assert_int_equal(
        mwds_sensor_look(&s, 0, sc.pos, sc.vel, sc.burning, sc.truth, sc.n, &a, NULL, 0, &n0),
        MWDS_EFULL);
    assert_int_equal(n0, 0);
    /* Full because of false alarms alone. */
    s.false_alarms_per_scan = 25.0;
    mwds_measurement out[4];
    assert_int_equal(mwds_sensor_look(&s, 0, NULL, NULL, NULL, NULL, 0, &a, out, 4, &n0),
                     MWDS_EFULL);
    assert_int_equal(n0, 4);
    /* Bad arguments. */
    assert_int_equal(mwds_sensor_look(&s, 0, NULL, NULL, NULL, NULL, 1, &a, out, 4, &n0),
                     MWDS_EINVAL);
    assert_int_equal(mwds_sensor_look(&s, 0, NULL, NULL, NULL, NULL, -1, &a, out, 4, &n0),
                     MWDS_EINVAL);
}

static void test_look_ir_burning_and_limb(void **state)
{
    (void)state;
    mwds_sensor s = ir_at(140.0);
    mwds_vec3 pos[3] = {mwds_geo_lla_to_ecef(lla_deg(39.0, 125.7, 20e3)),
                        mwds_geo_lla_to_ecef(lla_deg(39.0, 125.7, 20e3)),
                        mwds_geo_lla_to_ecef(lla_deg(0.0, -40.0, 20e3))};
    mwds_vec3 vel[3] = {mwds_v3(0, 0, 0), mwds_v3(0, 0, 0), mwds_v3(0, 0, 0)};
    int burning[3] = {1, 0, 1};
    uint32_t truth[3] = {1, 2, 3};
    mwds_rng rng;
    mwds_rng_seed(&rng, 10, 0);
    mwds_measurement out[4];
    int n;
    assert_int_equal(mwds_sensor_look(&s, 5, pos, vel, burning, truth, 3, &rng, out, 4, &n),
                     MWDS_OK);
    assert_int_equal(n, 1);
    assert_int_equal(out[0].truth_id, 1);
    assert_int_equal(out[0].kind, MWDS_SENSOR_SPACE_IR);
}

/* ---- init -------------------------------------------------------------------- */

static void expect_einval(mwds_sensor s, const char *what)
{
    mwds_vec3 sentinel = mwds_v3(-1.0, -2.0, -3.0);
    s.pos_ecef = sentinel;
    mwds_err e = mwds_sensor_init(&s);
    if (e != MWDS_EINVAL)
        fail_msg("init with %s: got %d (%s), want MWDS_EINVAL", what, e, mwds_strerror(e));
    assert_memory_equal(&s.pos_ecef, &sentinel, sizeof sentinel);
}

/* ---- dwells ------------------------------------------------------------------ */

/* The dwells of a scan partition the azimuth coverage: every azimuth of a
 * sector radar falls in exactly one dwell, the one whose sector holds it by
 * closed form, and the whole coverage (dwell -1) holds them all. */
static void test_dwell_sectors_partition_coverage(void **state)
{
    (void)state;
    mwds_lla site = lla_deg(37.0, 127.0, 100.0);
    mwds_sensor s = radar_at(site, 0.0);
    s.radar.boresight_az_rad = 350.0 * DEG; /* a sector across north: 290..50 deg */
    s.radar.az_half_width_rad = 60.0 * DEG;
    s.dwells = 12;
    assert_int_equal(mwds_sensor_init(&s), MWDS_OK);
    assert_int_equal(mwds_sensor_dwell_count(&s), 12);
    double lo, w;
    mwds_sensor_dwell_sector(&s, 0, &lo, &w);
    assert_near(lo, 290.0 * DEG, 1e-12, "dwell 0 starts at boresight - half width");
    assert_near(w, 10.0 * DEG, 1e-12, "dwell width");
    mwds_sensor_dwell_sector(&s, 7, &lo, &w);
    assert_near(lo, 0.0, 1e-12, "dwell 7 starts at north");
    mwds_sensor_dwell_sector(&s, -1, &lo, &w);
    assert_near(w, 120.0 * DEG, 1e-12, "the whole coverage");
    for (double az = 290.5; az < 410.0; az += 1.0) {
        mwds_aer a = {fmod(az, 360.0) * DEG, 10.0 * DEG, 500e3};
        mwds_vec3 p = mwds_geo_aer_to_ecef(site, a);
        int in = 0, which = -1;
        for (int k = 0; k < 12; k++)
            if (mwds_sensor_in_dwell(&s, k, p)) {
                in++;
                which = k;
            }
        assert_int_equal(in, 1);
        assert_int_equal(which, (int)floor((az - 290.0) / 10.0));
        assert_true(mwds_sensor_in_dwell(&s, -1, p));
    }
    /* an all-round radar's dwells start at boresight - 180 deg */
    mwds_sensor r = radar_at(site, 0.0);
    r.dwells = 4;
    assert_int_equal(mwds_sensor_init(&r), MWDS_OK);
    mwds_sensor_dwell_sector(&r, 0, &lo, &w);
    assert_near(lo, MWDS_PI, 1e-12, "all round: dwell 0 from south");
    assert_near(w, 0.5 * MWDS_PI, 1e-12, "all round: a quarter each");
    mwds_aer east = {90.0 * DEG, 10.0 * DEG, 500e3};
    assert_true(mwds_sensor_in_dwell(&r, 3, mwds_geo_aer_to_ecef(site, east)));
    assert_false(mwds_sensor_in_dwell(&r, 2, mwds_geo_aer_to_ecef(site, east)));
}

/* A dwell's look detects the visible targets in its sector and no others;
 * over a scan the dwells together detect each visible target once; its
 * false alarms come at the scan's rate over the number of dwells, inside
 * the sector; and a one-look sensor draws exactly as mwds_sensor_look. */
static void test_dwell_looks(void **state)
{
    (void)state;
    mwds_lla site = lla_deg(37.0, 127.0, 100.0);
    scene sc = radar_scene(site); /* azimuths 30, 100, 250 deg visible; 10 deg below */
    mwds_sensor s = radar_at(site, 0.0);
    s.dwells = 8; /* 45 deg each from 180 deg: 30 in dwell 4, 100 in 6, 250 in 1 */
    assert_int_equal(mwds_sensor_init(&s), MWDS_OK);
    const int expect[8] = {0, 3, 0, 0, 1, 0, 2, 0};
    mwds_rng rng;
    mwds_rng_seed(&rng, 11, 0);
    for (int k = 0; k < 8; k++) {
        mwds_measurement out[8];
        int n = -1;
        assert_int_equal(mwds_sensor_look_dwell(&s, k, 5, sc.pos, sc.vel, sc.burning, sc.truth,
                                                sc.n, &rng, out, 8, &n),
                         MWDS_OK);
        assert_int_equal(n, expect[k] ? 1 : 0);
        if (n == 1)
            assert_int_equal(out[0].truth_id, expect[k]);
    }
    mwds_measurement out[64];
    int n = 0;
    assert_int_equal(mwds_sensor_look_dwell(&s, 8, 5, sc.pos, sc.vel, sc.burning, sc.truth, sc.n,
                                            &rng, out, 8, &n),
                     MWDS_EINVAL);
    assert_int_equal(mwds_sensor_look_dwell(&s, -2, 5, sc.pos, sc.vel, sc.burning, sc.truth, sc.n,
                                            &rng, out, 8, &n),
                     MWDS_EINVAL);

    /* false alarms: per dwell at 2.4 / 8, inside the dwell's sector */
    s.false_alarms_per_scan = 2.4;
    assert_int_equal(mwds_sensor_init(&s), MWDS_OK);
    const int looks = 16000;
    int total = 0;
    for (int l = 0; l < looks; l++) {
        int k = l % 8;
        assert_int_equal(
            mwds_sensor_look_dwell(&s, k, 5, NULL, NULL, NULL, NULL, 0, &rng, out, 64, &n),
            MWDS_OK);
        total += n;
        double lo, w;
        mwds_sensor_dwell_sector(&s, k, &lo, &w);
        for (int i = 0; i < n; i++)
            assert_true(mwds_geo_wrap_2pi(out[i].z[1] - lo) < w);
    }
    assert_near((double)total / looks, 0.3, 4.0 * sqrt(0.3 / looks), "false alarms per dwell");

    /* one look per scan: dwell 0 and the whole coverage draw alike */
    mwds_sensor one = radar_at(site, 0.0);
    one.false_alarms_per_scan = 1.5;
    assert_int_equal(mwds_sensor_init(&one), MWDS_OK);
    mwds_rng ra, rb;
    mwds_rng_seed(&ra, 3, 1);
    mwds_rng_seed(&rb, 3, 1);
    for (int l = 0; l < 50; l++) {
        mwds_measurement a[16], b[16];
        int na = 0, nb = 0;
        assert_int_equal(mwds_sensor_look(&one, 9, sc.pos, sc.vel, sc.burning, sc.truth, sc.n,
                                          &ra, a, 16, &na),
                         MWDS_OK);
        assert_int_equal(mwds_sensor_look_dwell(&one, 0, 9, sc.pos, sc.vel, sc.burning, sc.truth,
                                                sc.n, &rb, b, 16, &nb),
                         MWDS_OK);
        assert_int_equal(na, nb);
        for (int i = 0; i < na; i++)
            assert_true(same_measurement(&a[i], &b[i]));
    }
}

static void test_init_errors(void **state)
{
    (void)state;
    mwds_sensor good = radar_at(lla_deg(37.0, 127.0, 0.0), 5.0);
    mwds_sensor s;
    s = good, s.pd = 1.5, expect_einval(s, "pd 1.5");
    s = good, s.pd = -0.1, expect_einval(s, "pd -0.1");
    s = good, s.pd = NAN, expect_einval(s, "pd NaN");
    s = good, s.revisit_s = 0.0, expect_einval(s, "revisit 0");
    s = good, s.false_alarms_per_scan = -1.0, expect_einval(s, "negative false alarms");
    s = good, s.radar.sigma_range_m = 0.0, expect_einval(s, "sigma range 0");
    s = good, s.radar.sigma_az_rad = 0.0, expect_einval(s, "sigma az 0");
    s = good, s.radar.sigma_el_rad = -1e-3, expect_einval(s, "sigma el negative");
    s = good, s.radar.sigma_rr_m_s = -1.0, expect_einval(s, "sigma range rate negative");
    s = good, s.radar.range_min_m = s.radar.range_max_m, expect_einval(s, "min range = max");
    s = good, s.radar.range_min_m = 5e6, expect_einval(s, "min range > max");
    s = good, s.radar.el_min_rad = s.radar.el_max_rad, expect_einval(s, "el_min = el_max");
    s = good, s.radar.az_half_width_rad = 0.0, expect_einval(s, "zero azimuth width");
    s = good, s.kind = (mwds_sensor_kind)9, expect_einval(s, "unknown kind");
    s = good, s.dwells = -1, expect_einval(s, "negative dwells");
    s = good, s.dwells = MWDS_SENSOR_MAX_DWELLS + 1, expect_einval(s, "too many dwells");
    mwds_sensor ir = ir_at(140.0);
    s = ir, s.ir.sat.h_m = 500e3, expect_einval(s, "satellite at 500 km");
    s = ir, s.ir.sigma_los_rad = 0.0, expect_einval(s, "IR sigma 0");
    s = ir, s.pd = 1.5, expect_einval(s, "IR pd 1.5");
    s = ir, s.dwells = 2, expect_einval(s, "IR in dwells");
    assert_int_equal(mwds_sensor_init(NULL), MWDS_EINVAL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_init_derives_site_geometry),
        cmocka_unit_test(test_radar_closed_form),
        cmocka_unit_test(test_radar_matches_geo_aer),
        cmocka_unit_test(test_range_rate_is_derivative_of_range),
        cmocka_unit_test(test_measure_errors),
        cmocka_unit_test(test_radar_jacobian),
        cmocka_unit_test(test_ir_jacobian),
        cmocka_unit_test(test_ir_measure_and_line_of_sight),
        cmocka_unit_test(test_radar_to_ecef_inverts_measurement),
        cmocka_unit_test(test_residual_wraps_angles),
        cmocka_unit_test(test_radar_visibility),
        cmocka_unit_test(test_ir_visibility),
        cmocka_unit_test(test_look_replays_exactly),
        cmocka_unit_test(test_look_detection_rate_matches_pd),
        cmocka_unit_test(test_look_noise_matches_sigma),
        cmocka_unit_test(test_look_radar_false_alarms),
        cmocka_unit_test(test_look_ir_false_alarms),
        cmocka_unit_test(test_look_order_and_full),
        cmocka_unit_test(test_look_ir_burning_and_limb),
        cmocka_unit_test(test_dwell_sectors_partition_coverage),
        cmocka_unit_test(test_dwell_looks),
        cmocka_unit_test(test_init_errors),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
