/*
 * The trajectory solver against the outside world:
 *   - publicly reported flights: given launch area, azimuth, range and apogee,
 *     the modelled flight time is within 5 % of the reported one;
 *   - each catalogue class reaches a maximum range inside its class band;
 *   - lofted, minimum-energy, depressed and target-point solves hit what was
 *     asked; requests beyond a class fail with MWDS_EUNREACH and say why.
 */
#include <string.h>

#include "mwds/ballistic.h"
#include "test_util.h"

static mwds_traj_request request(const char *cls, double lat, double lon, double az_deg,
                                 double range_km, double apogee_km)
{
    mwds_traj_request req;
    memset(&req, 0, sizeof req);
    req.cls = mwds_catalogue_find(cls);
    assert_non_null(req.cls);
    req.launch.lat_rad = lat * MWDS_DEG2RAD;
    req.launch.lon_rad = lon * MWDS_DEG2RAD;
    req.azimuth_rad = az_deg * MWDS_DEG2RAD;
    req.range_m = range_km * 1000.0;
    req.apogee_m = apogee_km * 1000.0;
    return req;
}

static void test_published_flights_within_5_percent(void **state)
{
    (void)state;
    size_t n;
    const mwds_published_flight *f = mwds_published_flights(&n);
    assert_true(n >= 3);
    for (size_t i = 0; i < n; i++) {
        mwds_traj_request req = request(f[i].class_name, f[i].launch_lat_deg,
                                        f[i].launch_lon_deg, f[i].azimuth_deg, f[i].range_km,
                                        f[i].apogee_km);
        mwds_boost_plan plan;
        mwds_traj tr;
        memset(&tr, 0, sizeof tr);
        char msg[256] = "";
        mwds_err e = mwds_ballistic_solve(&req, &plan, &tr, msg, sizeof msg);
        if (e != MWDS_OK)
            fail_msg("%s: %s %s", f[i].id, mwds_strerror(e), msg);
        char what[96];
        snprintf(what, sizeof what, "%s flight time against the reported %.0f s", f[i].id,
                 f[i].flight_time_s);
        assert_rel(tr.sum.flight_time_s, f[i].flight_time_s, 0.05, what);
        snprintf(what, sizeof what, "%s range", f[i].id);
        assert_near(tr.sum.range_m, f[i].range_km * 1000.0, 100.0, what);
        snprintf(what, sizeof what, "%s apogee", f[i].id);
        assert_near(tr.sum.apogee_m, f[i].apogee_km * 1000.0, 100.0, what);
        assert_true(tr.sum.impacted);
        assert_true(tr.sum.burnout_t_s > 0.0 && tr.sum.burnout_t_s < tr.sum.apogee_t_s);
        mwds_traj_fini(&tr);
    }
}

static void test_classes_reach_their_bands(void **state)
{
    (void)state;
    static const struct {
        const char *name;
        double lo_km, hi_km;
    } band[] = {{"srbm", 300, 1000},
                {"mrbm", 1000, 3000},
                {"irbm", 3000, 5500},
                {"icbm-liquid-2", 5500, 16000},
                {"icbm-solid-3", 5500, 16000}};
    mwds_lla site = {40.0 * MWDS_DEG2RAD, 127.0 * MWDS_DEG2RAD, 0.0};
    for (size_t i = 0; i < sizeof band / sizeof band[0]; i++) {
        double r;
        const mwds_missile_class *c = mwds_catalogue_find(band[i].name);
        assert_non_null(c);
        /* northwards, so the Earth's rotation neither helps nor hinders much */
        assert_int_equal(mwds_ballistic_max_range(c, site, 0.0, 0, &r), MWDS_OK);
        if (r < band[i].lo_km * 1000.0 || r > band[i].hi_km * 1000.0)
            fail_msg("%s reaches %.0f km, outside its band %.0f-%.0f km", band[i].name, r / 1000.0,
                     band[i].lo_km, band[i].hi_km);
    }
    assert_null(mwds_catalogue_find("no-such-class"));
    assert_non_null(mwds_catalogue_find("IRBM"));
}

static void test_minimum_energy_then_lofted_then_depressed(void **state)
{
    (void)state;
    mwds_traj_request req = request("irbm", 40.61, 126.43, 84.2, 3000, 0);
    mwds_boost_plan met, lofted, depressed;
    mwds_traj tr;
    memset(&tr, 0, sizeof tr);
    assert_int_equal(mwds_ballistic_solve(&req, &met, &tr, NULL, 0), MWDS_OK);
    double met_apogee = tr.sum.apogee_m, met_energy = tr.sum.burnout_speed_m_s;
    assert_near(tr.sum.range_m, 3000e3, 100, "minimum-energy range");
    /* a minimum-energy flight peaks near a quarter of its range */
    assert_rel(met_apogee, 0.25 * 3000e3, 0.3, "minimum-energy apogee");
    mwds_traj_fini(&tr);

    req.apogee_m = 2.0 * met_apogee;
    assert_int_equal(mwds_ballistic_solve(&req, &lofted, &tr, NULL, 0), MWDS_OK);
    assert_near(tr.sum.apogee_m, req.apogee_m, 100, "lofted apogee");
    assert_near(tr.sum.range_m, 3000e3, 100, "lofted range");
    assert_true(lofted.kick_rad < met.kick_rad);
    assert_true(tr.sum.burnout_speed_m_s > met_energy); /* lofting costs energy */
    mwds_traj_fini(&tr);

    req.apogee_m = 0.6 * met_apogee;
    assert_int_equal(mwds_ballistic_solve(&req, &depressed, &tr, NULL, 0), MWDS_OK);
    assert_near(tr.sum.apogee_m, req.apogee_m, 100, "depressed apogee");
    assert_near(tr.sum.range_m, 3000e3, 100, "depressed range");
    assert_true(depressed.kick_rad > met.kick_rad);
    assert_true(tr.sum.flight_time_s < 0.95 * 2 * tr.sum.apogee_t_s + 100);
    mwds_traj_fini(&tr);
}

static void test_target_point(void **state)
{
    (void)state;
    mwds_traj_request req = request("mrbm", 39.0, 125.7, 0, 0, 0);
    req.has_target = 1;
    req.target.lat_rad = 37.5 * MWDS_DEG2RAD;
    req.target.lon_rad = 135.5 * MWDS_DEG2RAD;
    mwds_boost_plan plan;
    mwds_traj tr;
    memset(&tr, 0, sizeof tr);
    assert_int_equal(mwds_ballistic_solve(&req, &plan, &tr, NULL, 0), MWDS_OK);
    double miss;
    assert_int_equal(mwds_geo_inverse(req.target, tr.sum.impact, &miss, NULL, NULL), MWDS_OK);
    assert_near(miss, 0.0, 500.0, "impact to target");
    /* the aim differs from the geodesic bearing by the Coriolis deflection */
    double az;
    assert_int_equal(mwds_geo_inverse(req.launch, req.target, NULL, &az, NULL), MWDS_OK);
    assert_true(fabs(mwds_geo_wrap_pi(plan.azimuth_rad - az)) < 3.0 * MWDS_DEG2RAD);
    mwds_traj_fini(&tr);
}

static void test_unreachable_and_invalid_requests(void **state)
{
    (void)state;
    mwds_boost_plan plan = {1, 2, 3}, keep = plan;
    char msg[256];
    mwds_traj_request req = request("irbm", 40.61, 126.43, 84.2, 4600, 9000);
    assert_int_equal(mwds_ballistic_solve(&req, &plan, NULL, msg, sizeof msg), MWDS_EUNREACH);
    assert_non_null(strstr(msg, "apogee 9000 km is above"));
    assert_memory_equal(&plan, &keep, sizeof plan);

    req = request("srbm", 40.61, 126.43, 84.2, 5000, 0);
    assert_int_equal(mwds_ballistic_solve(&req, &plan, NULL, msg, sizeof msg), MWDS_EUNREACH);
    assert_non_null(strstr(msg, "range 5000 km is beyond class srbm"));

    req = request("srbm", 95.0, 126.43, 84.2, 300, 0);
    assert_int_equal(mwds_ballistic_solve(&req, &plan, NULL, msg, sizeof msg), MWDS_EINVAL);
    assert_non_null(strstr(msg, "launch point"));
    req = request("srbm", 40.0, 126.43, 84.2, -300, 0);
    assert_int_equal(mwds_ballistic_solve(&req, &plan, NULL, msg, sizeof msg), MWDS_EINVAL);
    assert_non_null(strstr(msg, "range"));
    req.cls = NULL;
    assert_int_equal(mwds_ballistic_solve(&req, &plan, NULL, msg, sizeof msg), MWDS_EINVAL);
    assert_memory_equal(&plan, &keep, sizeof plan);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_published_flights_within_5_percent),
        cmocka_unit_test(test_classes_reach_their_bands),
        cmocka_unit_test(test_minimum_energy_then_lofted_then_depressed),
        cmocka_unit_test(test_target_point),
        cmocka_unit_test(test_unreachable_and_invalid_requests),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
