/*
 * Impact prediction against independent references:
 *   - the ellipse of a known covariance (closed-form eigen-decomposition)
 *     and point containment on its boundary;
 *   - with a vanishing covariance, the prediction is the flight model's own
 *     impact of the state;
 *   - calibration by brute force: 2,000 states drawn from the track's
 *     Gaussian, each flown to impact; the 95 % ellipse must contain
 *     93-97 % of them, and the impact-time deviation and mean must match
 *     the drawn ones (the cubature rule is checked against Monte Carlo,
 *     which shares only the flight model).
 */
#include <stdlib.h>
#include <string.h>

#include "mwds/assess.h"
#include "mwds/rng.h"
#include "test_util.h"

#define T0 (INT64_C(1795000000) * MWDS_NS_PER_S)

static void test_ellipse_from_covariance(void **state)
{
    (void)state;
    mwds_lla c = {40.0 * MWDS_DEG2RAD, 140.0 * MWDS_DEG2RAD, 0.0};
    /* axes 3 km along azimuth 30 degrees and 1 km across */
    double az = 30.0 * MWDS_DEG2RAD, s1 = 3000.0, s2 = 1000.0;
    double ue = sin(az), un = cos(az), ve = cos(az), vn = -sin(az);
    double cov[2][2] = {{s1 * s1 * ue * ue + s2 * s2 * ve * ve, s1 * s1 * ue * un + s2 * s2 * ve * vn},
                        {0, s1 * s1 * un * un + s2 * s2 * vn * vn}};
    cov[1][0] = cov[0][1];
    mwds_ellipse e;
    assert_int_equal(mwds_ellipse_from_cov(c, cov, 0.95, &e), MWDS_OK);
    double q = sqrt(-2.0 * log(0.05)); /* 2.4477 */
    assert_rel(e.semi_major_m, q * s1, 1e-9, "major axis");
    assert_rel(e.semi_minor_m, q * s2, 1e-9, "minor axis");
    assert_near(e.major_az_rad, az, 1e-9, "orientation");
    /* points just inside and just outside along each axis */
    const double f[2] = {0.99, 1.01};
    for (int k = 0; k < 2; k++) {
        mwds_lla p;
        mwds_vec3 d = mwds_v3(f[k] * e.semi_major_m * ue, f[k] * e.semi_major_m * un, 0);
        assert_int_equal(mwds_geo_ecef_to_lla(mwds_geo_enu_to_ecef(c, d), &p), MWDS_OK);
        assert_int_equal(mwds_ellipse_contains(&e, p), k == 0);
        assert_near(mwds_ellipse_radius(&e, p), f[k], 1e-6, "radius on the major axis");
        d = mwds_v3(f[k] * e.semi_minor_m * ve, f[k] * e.semi_minor_m * vn, 0);
        assert_int_equal(mwds_geo_ecef_to_lla(mwds_geo_enu_to_ecef(c, d), &p), MWDS_OK);
        assert_int_equal(mwds_ellipse_contains(&e, p), k == 0);
        assert_near(mwds_ellipse_radius(&e, p), f[k], 1e-6, "radius on the minor axis");
    }
    /* a point at Mahalanobis distance 1 off both axes: radius 1 / q */
    {
        mwds_lla p;
        double d1 = s1 / sqrt(2.0), d2 = s2 / sqrt(2.0);
        mwds_vec3 d = mwds_v3(d1 * ue + d2 * ve, d1 * un + d2 * vn, 0);
        assert_int_equal(mwds_geo_ecef_to_lla(mwds_geo_enu_to_ecef(c, d), &p), MWDS_OK);
        assert_near(mwds_ellipse_radius(&e, p), 1.0 / q, 1e-6, "radius off the axes");
    }
    double bad[2][2] = {{1, 2}, {2, 1}}; /* not positive semi-definite */
    assert_int_equal(mwds_ellipse_from_cov(c, bad, 0.95, &e), MWDS_EINVAL);
    assert_int_equal(mwds_ellipse_from_cov(c, cov, 1.0, &e), MWDS_EINVAL);
}

/* An IRBM-like midcourse state: 600 km up over the Sea of Japan, heading
 * east at 4.5 km/s, climbing. */
static void midcourse_state(mwds_filter_state *s, double sig_pos, double sig_vel)
{
    mwds_lla at = {40.5 * MWDS_DEG2RAD, 135.0 * MWDS_DEG2RAD, 600e3};
    mwds_vec3 p = mwds_geo_lla_to_ecef(at);
    mwds_mat3 enu = mwds_geo_enu_rotation(at.lat_rad, at.lon_rad);
    mwds_vec3 v = mwds_m3t_mul_v3(enu, mwds_v3(4300, 500, 800));
    double x[7] = {p.v[0], p.v[1], p.v[2], v.v[0], v.v[1], v.v[2], 1.0 / 5000.0}, p0[49] = {0};
    for (int i = 0; i < 3; i++) {
        p0[i * 8] = sig_pos * sig_pos;
        p0[(3 + i) * 8] = sig_vel * sig_vel;
    }
    p0[3 * 7 + 0] = p0[0 * 7 + 3] = 0.3 * sig_pos * sig_vel; /* some correlation */
    p0[48] = 1e-10;
    assert_int_equal(mwds_filter_init(s, MWDS_MODEL_BALLISTIC, T0, x, p0), MWDS_OK);
}

static void test_tiny_covariance_is_the_flight_models_impact(void **state)
{
    (void)state;
    mwds_filter_state s;
    midcourse_state(&s, 1e-3, 1e-6);
    s.p.m[6][6] = 1e-24;
    mwds_impact im;
    mwds_traj tr;
    memset(&tr, 0, sizeof tr);
    assert_int_equal(mwds_assess_impact(&s, 1e-4, 1e-4, &im, &tr), MWDS_OK);
    assert_true(tr.n > 10);
    double d;
    assert_int_equal(mwds_geo_inverse(im.ellipse.centre, tr.sum.impact, &d, NULL, NULL), MWDS_OK);
    assert_near(d, 0.0, 1.0, "centre = the state's own impact (m)");
    assert_true(im.ellipse.semi_major_m < 50.0);
    assert_near(mwds_time_to_s(im.t_ns - s.t_ns), tr.sum.flight_time_s, 1e-3, "time of impact");
    assert_true(im.t_sigma_s < 0.01);
    mwds_traj_fini(&tr);
}

static void test_ellipse_calibrated_by_monte_carlo(void **state)
{
    (void)state;
    enum { DRAWS = 2000 };
    mwds_filter_state s;
    midcourse_state(&s, 300.0, 8.0);
    mwds_impact im;
    assert_int_equal(mwds_assess_impact(&s, 1e-4, 1e-4, &im, NULL), MWDS_OK);
    mwds_mat9 l;
    assert_int_equal(mwds_linalg_chol(&s.p.m[0][0], &l.m[0][0], 7, 9), MWDS_OK);
    mwds_rng rng;
    mwds_rng_seed(&rng, 11, 0);
    int inside = 0;
    double st = 0.0, st2 = 0.0;
    for (int k = 0; k < DRAWS; k++) {
        double z[7], x[7];
        for (int i = 0; i < 7; i++)
            z[i] = mwds_rng_normal(&rng);
        for (int i = 0; i < 7; i++) {
            x[i] = s.x.v[i];
            for (int j = 0; j <= i; j++)
                x[i] += l.m[i][j] * z[j];
        }
        mwds_force_model fm;
        memset(&fm, 0, sizeof fm);
        fm.flags = MWDS_FORCE_ALL & ~(unsigned)MWDS_FORCE_THRUST;
        fm.beta_kg_m2 = 1.0 / x[6];
        mwds_integ_opts o = {0, 0, 0, 0, 0};
        mwds_traj tr;
        memset(&tr, 0, sizeof tr);
        assert_int_equal(mwds_ballistic_fly(&fm, mwds_v3(x[0], x[1], x[2]),
                                            mwds_v3(x[3], x[4], x[5]), T0, &o, &tr),
                         MWDS_OK);
        inside += mwds_ellipse_contains(&im.ellipse, tr.sum.impact);
        st += tr.sum.flight_time_s;
        st2 += tr.sum.flight_time_s * tr.sum.flight_time_s;
        mwds_traj_fini(&tr);
    }
    double frac = (double)inside / DRAWS;
    double mt = st / DRAWS, sd = sqrt(st2 / DRAWS - mt * mt);
    print_message("95 %% ellipse %.1f x %.1f km contains %.1f %% of %d flown draws; time "
                  "sigma %.2f s (Monte Carlo %.2f s)\n",
                  im.ellipse.semi_major_m / 1e3, im.ellipse.semi_minor_m / 1e3, 100 * frac,
                  DRAWS, im.t_sigma_s, sd);
    /* binomial sd at 95 % over 2,000 draws is 0.5 %: 93-97 % is four sigma */
    assert_true(frac > 0.93 && frac < 0.97);
    assert_rel(im.t_sigma_s, sd, 0.1, "impact time deviation");
    assert_near(mwds_time_to_s(im.t_ns - T0), mt, 3.0 * sd / sqrt((double)DRAWS) + 0.05,
                "mean impact time");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_ellipse_from_covariance),
        cmocka_unit_test(test_tiny_covariance_is_the_flight_models_impact),
        cmocka_unit_test(test_ellipse_calibrated_by_monte_carlo),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
