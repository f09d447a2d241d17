/*
 * Class from energy against flights the trajectory solver flies:
 *   - minimum-energy flights of each class: the energy's Kepler range must
 *     come near the range actually flown, and the profile be standard. The
 *     closed form is spherical, vacuum and inertial; the flown range is over
 *     a rotating Earth with drag on the way down, so the energy range runs
 *     long: by 8 % for an ICBM up to 27 % for a 400 km SRBM (whose descent
 *     through the air costs most). The tolerances are those, rounded up;
 *   - the published flights: the lofted Hwasong-14 and -15 flights are
 *     ICBMs flown lofted, the 4 Oct 2022 flight over Japan an IRBM.
 */
#include <string.h>

#include "mwds/assess.h"
#include "test_util.h"

static mwds_class_estimate classify_after_burnout(const mwds_traj *tr)
{
    mwds_vec3 p, v;
    assert_int_equal(mwds_traj_state(tr, tr->sum.burnout_t_s + 20.0, &p, &v), MWDS_OK);
    mwds_class_estimate c;
    assert_int_equal(mwds_assess_class(p, v, &c), MWDS_OK);
    return c;
}

static void test_minimum_energy_flights(void **state)
{
    (void)state;
    const struct {
        const char *cls;
        double range_km;
        mwds_class_kind want;
        double tol;
    } f[] = {
        {"srbm", 400, MWDS_CLASS_SRBM, 0.3},
        {"mrbm", 1300, MWDS_CLASS_MRBM, 0.2},
        {"irbm", 4000, MWDS_CLASS_IRBM, 0.12},
        {"icbm-solid-3", 9000, MWDS_CLASS_ICBM, 0.1},
    };
    for (size_t i = 0; i < sizeof f / sizeof f[0]; i++) {
        mwds_traj_request req;
        memset(&req, 0, sizeof req);
        req.cls = mwds_catalogue_find(f[i].cls);
        req.launch = (mwds_lla){39.0 * MWDS_DEG2RAD, 125.5 * MWDS_DEG2RAD, 0.0};
        req.azimuth_rad = 60.0 * MWDS_DEG2RAD;
        req.range_m = f[i].range_km * 1e3;
        mwds_boost_plan plan;
        mwds_traj tr;
        memset(&tr, 0, sizeof tr);
        assert_int_equal(mwds_ballistic_solve(&req, &plan, &tr, NULL, 0), MWDS_OK);
        mwds_class_estimate c = classify_after_burnout(&tr);
        print_message("%s %.0f km: energy range %.0f km, apogee %.0f km (minimum-energy "
                      "%.0f km), %s %s\n",
                      f[i].cls, f[i].range_km, c.energy_range_m / 1e3, c.apogee_m / 1e3,
                      c.min_energy_apogee_m / 1e3, mwds_class_kind_name(c.kind),
                      mwds_profile_name(c.profile));
        assert_rel(c.energy_range_m, tr.sum.range_m, f[i].tol, "energy range against flown range");
        assert_int_equal(c.kind, f[i].want);
        assert_int_equal(c.profile, MWDS_PROFILE_STANDARD);
        mwds_traj_fini(&tr);
    }
}

static void test_published_flights(void **state)
{
    (void)state;
    size_t n;
    const mwds_published_flight *pf = mwds_published_flights(&n);
    for (size_t i = 0; i < n; i++) {
        mwds_traj_request req;
        memset(&req, 0, sizeof req);
        req.cls = mwds_catalogue_find(pf[i].class_name);
        req.launch = (mwds_lla){pf[i].launch_lat_deg * MWDS_DEG2RAD,
                                pf[i].launch_lon_deg * MWDS_DEG2RAD, 0.0};
        req.azimuth_rad = pf[i].azimuth_deg * MWDS_DEG2RAD;
        req.range_m = pf[i].range_km * 1e3;
        req.apogee_m = pf[i].apogee_km * 1e3;
        mwds_boost_plan plan;
        mwds_traj tr;
        memset(&tr, 0, sizeof tr);
        assert_int_equal(mwds_ballistic_solve(&req, &plan, &tr, NULL, 0), MWDS_OK);
        mwds_class_estimate c = classify_after_burnout(&tr);
        print_message("%s %s: energy range %.0f km, %s %s\n", pf[i].id, pf[i].label,
                      c.energy_range_m / 1e3, mwds_class_kind_name(c.kind),
                      mwds_profile_name(c.profile));
        if (strstr(pf[i].label, "lofted") != NULL) {
            assert_int_equal(c.kind, MWDS_CLASS_ICBM);
            assert_int_equal(c.profile, MWDS_PROFILE_LOFTED);
        } else {
            assert_int_equal(c.kind, MWDS_CLASS_IRBM);
            assert_int_equal(c.profile, MWDS_PROFILE_STANDARD);
        }
        mwds_traj_fini(&tr);
    }
    mwds_class_estimate c;
    /* orbital speed at 300 km: not a ballistic missile */
    mwds_vec3 p = mwds_v3(6678e3, 0, 0), v = mwds_v3(0, 7726.0 - 7.292115e-5 * 6678e3, 0);
    assert_int_equal(mwds_assess_class(p, v, &c), MWDS_EUNREACH);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_minimum_energy_flights),
        cmocka_unit_test(test_published_flights),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
