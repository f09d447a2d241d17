/*
 * The force model and flight integration against closed forms and published
 * values:
 *   - Kepler: with drag, J2, rotation and thrust off and a burnout state in the
 *     equatorial plane (where the ellipsoid is a circle of radius a), flight
 *     time, ground range and apogee match the two-body solution, and the
 *     interpolated trajectory matches Kepler's equation along the way;
 *   - radial free fall onto the pole: time from the closed form;
 *   - gravity at the equator and pole: WGS-84 normal gravity (TR8350.2);
 *   - the Coriolis (Eotvos) term for eastward motion: 2 w v upwards;
 *   - drag at 10 km: -rho v^2 / (2 beta) with the standard's tabulated rho;
 *   - staged thrust without gravity: Tsiolkovsky's equation per stage.
 */
#include <string.h>

#include "mwds/ballistic.h"
#include "test_util.h"

#define MU MWDS_WGS84.gm_m3_s2
#define RE MWDS_WGS84.a_m

typedef struct kepler {
    double a, e, p, n, nu0, nu_i, m0;
} kepler;

static double mean_anomaly(double e, double nu)
{
    double ea = 2.0 * atan2(sqrt(1 - e) * sin(0.5 * nu), sqrt(1 + e) * cos(0.5 * nu));
    if (ea < 0)
        ea += 2 * MWDS_PI;
    return ea - e * sin(ea);
}

static kepler kepler_from_burnout(double r0, double v0, double gamma)
{
    kepler k;
    double h = r0 * v0 * cos(gamma);
    double energy = 0.5 * v0 * v0 - MU / r0;
    k.a = -MU / (2 * energy);
    k.p = h * h / MU;
    k.e = sqrt(1 - k.p / k.a);
    k.n = sqrt(MU / (k.a * k.a * k.a));
    double vr = v0 * sin(gamma);
    k.nu0 = atan2(vr * sqrt(k.p / MU) / k.e, (k.p / r0 - 1) / k.e);
    k.nu_i = 2 * MWDS_PI - acos((k.p / RE - 1) / k.e);
    k.m0 = mean_anomaly(k.e, k.nu0);
    return k;
}

/* Position at t after burnout, in the orbit plane (x towards burnout). */
static void kepler_position(const kepler *k, double t, double *x, double *y)
{
    double m = k->m0 + k->n * t, ea = m;
    for (int i = 0; i < 50; i++)
        ea -= (ea - k->e * sin(ea) - m) / (1 - k->e * cos(ea));
    double nu = 2.0 * atan2(sqrt(1 + k->e) * sin(0.5 * ea), sqrt(1 - k->e) * cos(0.5 * ea));
    double r = k->a * (1 - k->e * cos(ea));
    double th = nu - k->nu0;
    *x = r * cos(th);
    *y = r * sin(th);
}

static void check_kepler_flight(double h0, double v0, double gamma_deg)
{
    double gamma = gamma_deg * MWDS_DEG2RAD, r0 = RE + h0;
    kepler k = kepler_from_burnout(r0, v0, gamma);
    double t_flight = (mean_anomaly(k.e, k.nu_i) - k.m0) / k.n;
    double range = RE * (k.nu_i - k.nu0);
    double apogee = k.a * (1 + k.e) - RE;

    mwds_force_model fm;
    memset(&fm, 0, sizeof fm);
    fm.flags = MWDS_FORCE_GRAVITY; /* point-mass gravity only, non-rotating */
    mwds_traj tr;
    memset(&tr, 0, sizeof tr);
    mwds_vec3 pos = mwds_v3(r0, 0, 0), vel = mwds_v3(v0 * sin(gamma), v0 * cos(gamma), 0);
    assert_int_equal(mwds_ballistic_fly(&fm, pos, vel, 0, NULL, &tr), MWDS_OK);

    char what[96];
    snprintf(what, sizeof what, "flight time, burnout at %.0f km, %.0f m/s, %.0f deg", h0 / 1e3,
             v0, gamma_deg);
    assert_rel(tr.sum.flight_time_s, t_flight, 1e-3, what); /* the 0.1 % */
    assert_near(tr.sum.flight_time_s, t_flight, 1e-3, what); /* and in fact to 1 ms */
    snprintf(what, sizeof what, "ground range, %.0f deg", gamma_deg);
    assert_near(tr.sum.range_m, range, 1.0, what);
    snprintf(what, sizeof what, "apogee, %.0f deg", gamma_deg);
    assert_near(tr.sum.apogee_m, apogee, 0.01, what);
    assert_near(tr.sum.impact.h_m, 0.0, 1e-3, "impact on the ellipsoid");

    /* the recorded trajectory against Kepler's equation, between steps too */
    for (int i = 1; i < 40; i++) {
        double t = t_flight * i / 40.0 + 0.37;
        mwds_vec3 p, v;
        assert_int_equal(mwds_traj_state(&tr, t, &p, &v), MWDS_OK);
        double x, y;
        kepler_position(&k, t, &x, &y);
        assert_near(p.v[0], x, 0.01, "interpolated x");
        assert_near(p.v[1], y, 0.01, "interpolated y");
        assert_near(p.v[2], 0.0, 1e-6, "stays in the equatorial plane");
    }
    mwds_vec3 p, v;
    assert_int_equal(mwds_traj_state(&tr, t_flight + 10, &p, &v), MWDS_ERANGE);
    mwds_traj_fini(&tr);
}

static void test_kepler_minimum_energy_like(void **state)
{
    (void)state;
    check_kepler_flight(200e3, 4000.0, 40.0);
}

static void test_kepler_lofted(void **state)
{
    (void)state;
    check_kepler_flight(400e3, 6500.0, 75.0);
}

static void test_kepler_depressed_long(void **state)
{
    (void)state;
    check_kepler_flight(150e3, 7000.0, 15.0);
}

/* Falling straight down from rest onto the pole: t from the radial Kepler
 * closed form, t = sqrt(r1^3 / (2 mu)) (sqrt(x (1 - x)) + acos(sqrt(x))),
 * x = R / r1, with R = b (height 0 at the pole). */
static void test_radial_free_fall_onto_pole(void **state)
{
    (void)state;
    double r1 = MWDS_WGS84.b_m + 1000e3, x = MWDS_WGS84.b_m / r1;
    double t_ref = sqrt(r1 * r1 * r1 / (2 * MU)) * (sqrt(x * (1 - x)) + acos(sqrt(x)));
    mwds_force_model fm;
    memset(&fm, 0, sizeof fm);
    fm.flags = MWDS_FORCE_GRAVITY;
    mwds_traj tr;
    memset(&tr, 0, sizeof tr);
    assert_int_equal(
        mwds_ballistic_fly(&fm, mwds_v3(0, 0, r1), mwds_v3(0, 0, 0), 0, NULL, &tr), MWDS_OK);
    assert_near(tr.sum.flight_time_s, t_ref, 1e-4, "free-fall time from 1000 km");
    assert_near(tr.sum.impact_speed_m_s, sqrt(2 * MU * (1 / MWDS_WGS84.b_m - 1 / r1)), 1e-4,
                "impact speed from energy");
    mwds_traj_fini(&tr);
}

static mwds_vec3 accel(unsigned flags, mwds_vec3 pos, mwds_vec3 vel)
{
    mwds_force_model fm;
    memset(&fm, 0, sizeof fm);
    fm.flags = flags | MWDS_FORCE_GRAVITY;
    fm.beta_kg_m2 = 1000.0;
    mwds_vec3 a = mwds_v3(NAN, NAN, NAN);
    assert_int_equal(mwds_ballistic_accel(&fm, 100.0, pos, vel, &a), MWDS_OK);
    return a;
}

static void test_gravity_matches_wgs84_normal_gravity(void **state)
{
    (void)state;
    /* normal gravity (gravitation plus centrifugal) on the ellipsoid,
     * NIMA TR8350.2: 9.7803253359 at the equator, 9.8321849379 at the poles.
     * J2 alone accounts for all but about 1e-5 of it. */
    mwds_vec3 eq = accel(MWDS_FORCE_J2 | MWDS_FORCE_ROTATION, mwds_v3(RE, 0, 0), mwds_v3(0, 0, 0));
    assert_rel(-eq.v[0], 9.7803253359, 2e-5, "gravity at the equator");
    assert_near(eq.v[1], 0.0, 1e-12, "no sideways gravity at the equator");
    mwds_vec3 po = accel(MWDS_FORCE_J2 | MWDS_FORCE_ROTATION, mwds_v3(0, 0, MWDS_WGS84.b_m),
                         mwds_v3(0, 0, 0));
    assert_rel(-po.v[2], 9.8321849379, 2e-5, "gravity at the pole");
    /* without J2 it is the point-mass value, which is measurably different */
    mwds_vec3 pm = accel(MWDS_FORCE_GRAVITY, mwds_v3(RE, 0, 0), mwds_v3(0, 0, 0));
    assert_rel(-pm.v[0], MU / (RE * RE), 1e-15, "point-mass gravity");
    assert_true(fabs(pm.v[0] - eq.v[0]) > 0.01);
}

static void test_coriolis_eotvos(void **state)
{
    (void)state;
    /* moving east at the equator at v: -2 w x v = 2 w v outwards */
    double v = 7000.0, w = MWDS_WGS84.omega_rad_s;
    mwds_vec3 pos = mwds_v3(RE + 100e3, 0, 0);
    mwds_vec3 rest = accel(MWDS_FORCE_ROTATION, pos, mwds_v3(0, 0, 0));
    mwds_vec3 east = accel(MWDS_FORCE_ROTATION, pos, mwds_v3(0, v, 0));
    assert_near(east.v[0] - rest.v[0], 2 * w * v, 1e-12, "Eotvos term");
    assert_near(rest.v[0] + MU / ((RE + 100e3) * (RE + 100e3)), w * w * (RE + 100e3), 1e-9,
                "centrifugal term");
    /* moving north (along the axis) feels no Coriolis force */
    mwds_vec3 north = accel(MWDS_FORCE_ROTATION, pos, mwds_v3(0, 0, v));
    assert_near(north.v[0] - rest.v[0], 0.0, 1e-12, "no Coriolis along the axis");
}

static void test_drag_at_ten_km(void **state)
{
    (void)state;
    /* 10 km geometric above the equator, 1000 m/s upwards, beta 1000 kg/m^2;
     * US Standard Atmosphere 1976 density at 10 km: 0.41351 kg/m^3 */
    mwds_vec3 pos = mwds_v3(RE + 10e3, 0, 0), vel = mwds_v3(1000, 0, 0);
    mwds_vec3 with = accel(MWDS_FORCE_DRAG, pos, vel), without = accel(0, pos, vel);
    assert_rel(with.v[0] - without.v[0], -0.5 * 0.41351 * 1000 * 1000 / 1000.0, 1e-3,
               "drag deceleration");
}

static void test_staged_thrust_obeys_rocket_equation(void **state)
{
    (void)state;
    /* two stages, Isp independent of pressure, straight up for the whole burn
     * with gravity and drag off: burnout speed = sum g0 Isp ln(m_start/m_end) */
    mwds_missile_class cls;
    memset(&cls, 0, sizeof cls);
    cls.name = "test";
    cls.n_stages = 2;
    cls.stage[0] = (mwds_stage){20000, 16000, 100, 280, 280, 1.5};
    cls.stage[1] = (mwds_stage){5000, 4000, 80, 310, 310, 1.5};
    cls.payload_kg = 700;
    cls.rv_beta_kg_m2 = 5000;
    cls.coast_s = 3;
    cls.vertical_s = 1000; /* never leaves the vertical */
    cls.kick_s = 1;
    mwds_force_model fm;
    memset(&fm, 0, sizeof fm);
    fm.flags = MWDS_FORCE_THRUST;
    fm.cls = &cls;
    fm.plan.cutoff_s = 1e9;
    fm.launch.lat_rad = 0.7;
    mwds_vec3 pos0 = mwds_geo_lla_to_ecef(fm.launch);
    const double g0 = 9.80665;
    double dv = g0 * 280 * log(25700.0 / 9700.0) + g0 * 310 * log(5700.0 / 1700.0);
    assert_near(mwds_ballistic_mass(&fm, 0.0), 25700.0, 1e-9, "lift-off mass");
    assert_near(mwds_ballistic_mass(&fm, 101.0), 5700.0, 1e-9, "mass in the coast");
    assert_near(mwds_ballistic_mass(&fm, 200.0), 700.0, 1e-9, "payload after burnout");
    assert_true(mwds_ballistic_thrusting(&fm, 50.0));
    assert_false(mwds_ballistic_thrusting(&fm, 101.0));
    double sw[8];
    int n = mwds_ballistic_switch_times(&fm, sw, 8);
    assert_int_equal(n, 3); /* burnout 1, ignition 2, burnout 2 */
    assert_near(sw[0], 100.0, 0, "burnout of stage 1");
    assert_near(sw[1], 103.0, 0, "ignition of stage 2");
    assert_near(sw[2], 183.0, 0, "burnout of stage 2");
    /* no gravity: it never comes down; end the flight after burnout */
    mwds_traj tr;
    memset(&tr, 0, sizeof tr);
    mwds_integ_opts o = {0, 0, 0, 1, 300.0};
    assert_int_equal(mwds_ballistic_fly(&fm, pos0, mwds_v3(0, 0, 0), 0, &o, &tr), MWDS_OK);
    assert_false(tr.sum.impacted);
    assert_near(tr.sum.flight_time_s, 300.0, 0, "ended at the stop time");
    assert_near(tr.sum.burnout_t_s, 183.0, 0, "burnout time");
    assert_rel(tr.sum.burnout_speed_m_s, dv, 1e-8, "burnout speed (Tsiolkovsky)");
    assert_rel(tr.sum.impact_speed_m_s, dv, 1e-8, "coasts at constant speed after burnout");
    mwds_traj_fini(&tr);
    /* a cutoff in stage 2 gives the rocket equation up to the cutoff */
    fm.plan.cutoff_s = 143.0; /* half of stage 2's propellant */
    double dv_cut = g0 * 280 * log(25700.0 / 9700.0) + g0 * 310 * log(5700.0 / 3700.0);
    memset(&tr, 0, sizeof tr);
    assert_int_equal(mwds_ballistic_fly(&fm, pos0, mwds_v3(0, 0, 0), 0, &o, &tr), MWDS_OK);
    assert_near(tr.sum.burnout_t_s, 143.0, 0, "thrust ends at the cutoff");
    assert_rel(tr.sum.burnout_speed_m_s, dv_cut, 1e-8, "speed at cutoff (Tsiolkovsky)");
    assert_near(mwds_ballistic_mass(&fm, 150.0), 700.0, 0, "payload alone after the cutoff");
    mwds_traj_fini(&tr);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_kepler_minimum_energy_like),
        cmocka_unit_test(test_kepler_lofted),
        cmocka_unit_test(test_kepler_depressed_long),
        cmocka_unit_test(test_radial_free_fall_onto_pole),
        cmocka_unit_test(test_gravity_matches_wgs84_normal_gravity),
        cmocka_unit_test(test_coriolis_eotvos),
        cmocka_unit_test(test_drag_at_ten_km),
        cmocka_unit_test(test_staged_thrust_obeys_rocket_equation),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
