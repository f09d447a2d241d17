/*
 * Free-flight dynamics for the filters: the acceleration agrees with the
 * flight model's, and every Jacobian block agrees with central finite
 * differences; the point-mass gravity gradient on the polar axis has the
 * closed form (mu/r^3) diag(-1, -1, 2).
 */
#include <string.h>

#include "mwds/ballistic.h"
#include "test_util.h"

static mwds_vec3 accel_of(unsigned flags, mwds_vec3 r, mwds_vec3 v, double k)
{
    mwds_vec3 a = mwds_v3(NAN, NAN, NAN);
    assert_int_equal(mwds_ballistic_freeflight(flags, r, v, k, &a, NULL, NULL, NULL), MWDS_OK);
    return a;
}

/* Compares each Jacobian block with central differences; steps scaled to
 * each variable, tolerance relative to the block's largest entry. */
static void check_jacobian(unsigned flags, mwds_vec3 r, mwds_vec3 v, double k)
{
    mwds_vec3 a;
    mwds_mat3 jr, jv;
    mwds_vec3 jk;
    assert_int_equal(mwds_ballistic_freeflight(flags, r, v, k, &a, &jr, &jv, &jk), MWDS_OK);
    /* drag is linear in k, so a large step is exact but for rounding */
    const double hr = 1.0, hv = 0.01, hk = k > 0 ? 0.5 * k : 1e-4;
    double max_r = 0, max_v = 0, max_k = 0;
    for (int i = 0; i < 3; i++)
        for (int j = 0; j < 3; j++) {
            max_r = fmax(max_r, fabs(jr.m[i][j]));
            max_v = fmax(max_v, fabs(jv.m[i][j]));
        }
    for (int i = 0; i < 3; i++)
        max_k = fmax(max_k, fabs(jk.v[i]));
    for (int j = 0; j < 3; j++) {
        mwds_vec3 rp = r, rm = r, vp = v, vm = v;
        rp.v[j] += hr;
        rm.v[j] -= hr;
        vp.v[j] += hv;
        vm.v[j] -= hv;
        mwds_vec3 dr = mwds_v3_scale(mwds_v3_sub(accel_of(flags, rp, v, k), accel_of(flags, rm, v, k)),
                                     0.5 / hr);
        mwds_vec3 dv = mwds_v3_scale(mwds_v3_sub(accel_of(flags, r, vp, k), accel_of(flags, r, vm, k)),
                                     0.5 / hv);
        for (int i = 0; i < 3; i++) {
            assert_near(jr.m[i][j], dr.v[i], 1e-5 * max_r + 1e-14, "da/dpos vs finite difference");
            assert_near(jv.m[i][j], dv.v[i], 1e-5 * max_v + 1e-14, "da/dvel vs finite difference");
        }
    }
    mwds_vec3 dk = mwds_v3_scale(
        mwds_v3_sub(accel_of(flags, r, v, k + hk), accel_of(flags, r, v, k - hk)), 0.5 / hk);
    for (int i = 0; i < 3; i++)
        assert_near(jk.v[i], dk.v[i], 1e-6 * max_k + 4e-16 * mwds_v3_norm(a) / hk,
                    "da/d(1/beta) vs finite difference");
}

static void test_jacobians_match_finite_differences(void **state)
{
    (void)state;
    const unsigned all = MWDS_FORCE_GRAVITY | MWDS_FORCE_J2 | MWDS_FORCE_ROTATION | MWDS_FORCE_DRAG;
    /* midcourse, exo-atmospheric */
    mwds_lla mid = {40.0 * MWDS_DEG2RAD, 135.0 * MWDS_DEG2RAD, 900e3};
    check_jacobian(all, mwds_geo_lla_to_ecef(mid), mwds_v3(-3000, 4000, 1500), 1.0 / 5000.0);
    /* re-entry at 30 km, where drag dominates */
    mwds_lla re = {35.0 * MWDS_DEG2RAD, 139.0 * MWDS_DEG2RAD, 30e3};
    check_jacobian(all, mwds_geo_lla_to_ecef(re), mwds_v3(2500, -1200, -2800), 1.0 / 8000.0);
    /* each term alone */
    check_jacobian(MWDS_FORCE_GRAVITY, mwds_geo_lla_to_ecef(re), mwds_v3(100, 200, 300), 0);
    check_jacobian(MWDS_FORCE_GRAVITY | MWDS_FORCE_J2, mwds_geo_lla_to_ecef(mid),
                   mwds_v3(100, 200, 300), 0);
    check_jacobian(MWDS_FORCE_ROTATION, mwds_geo_lla_to_ecef(mid), mwds_v3(100, 200, 300), 0);
    check_jacobian(MWDS_FORCE_DRAG, mwds_geo_lla_to_ecef(re), mwds_v3(2500, -1200, -2800),
                   1.0 / 8000.0);
}

static void test_point_mass_gradient_on_the_axis(void **state)
{
    (void)state;
    double r = 8000e3, k = MWDS_WGS84.gm_m3_s2 / (r * r * r);
    mwds_vec3 a;
    mwds_mat3 g;
    assert_int_equal(mwds_ballistic_freeflight(MWDS_FORCE_GRAVITY, mwds_v3(0, 0, r),
                                               mwds_v3(0, 0, 0), 0, &a, &g, NULL, NULL),
                     MWDS_OK);
    const double want[3][3] = {{-k, 0, 0}, {0, -k, 0}, {0, 0, 2 * k}};
    for (int i = 0; i < 3; i++)
        for (int j = 0; j < 3; j++)
            assert_near(g.m[i][j], want[i][j], 1e-18, "gravity gradient (mu/r^3)(3 r r^T - I)");
}

static void test_agrees_with_the_flight_model(void **state)
{
    (void)state;
    mwds_force_model fm;
    memset(&fm, 0, sizeof fm);
    fm.flags = MWDS_FORCE_GRAVITY | MWDS_FORCE_J2 | MWDS_FORCE_ROTATION | MWDS_FORCE_DRAG;
    fm.beta_kg_m2 = 6000.0;
    mwds_lla p = {38.0 * MWDS_DEG2RAD, 131.0 * MWDS_DEG2RAD, 45e3};
    mwds_vec3 r = mwds_geo_lla_to_ecef(p), v = mwds_v3(1800, -900, -2500);
    mwds_vec3 want, got = accel_of(fm.flags, r, v, 1.0 / 6000.0);
    assert_int_equal(mwds_ballistic_accel(&fm, 500.0, r, v, &want), MWDS_OK);
    for (int i = 0; i < 3; i++)
        assert_near(got.v[i], want.v[i], 1e-12, "free flight = flight model without thrust");
}

static void test_rejects_bad_state(void **state)
{
    (void)state;
    mwds_vec3 a = mwds_v3(7, 7, 7);
    assert_int_equal(mwds_ballistic_freeflight(MWDS_FORCE_ALL, mwds_v3(NAN, 0, 0),
                                               mwds_v3(0, 0, 0), 0, &a, NULL, NULL, NULL),
                     MWDS_ENUMERIC);
    assert_int_equal(mwds_ballistic_freeflight(MWDS_FORCE_ALL, mwds_v3(1000, 0, 0),
                                               mwds_v3(0, 0, 0), 0, &a, NULL, NULL, NULL),
                     MWDS_ENUMERIC);
    assert_near(a.v[0], 7, 0, "untouched on error");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_jacobians_match_finite_differences),
        cmocka_unit_test(test_point_mass_gradient_on_the_axis),
        cmocka_unit_test(test_agrees_with_the_flight_model),
        cmocka_unit_test(test_rejects_bad_state),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
