/*
 * The simulator: truth follows the flown trajectory and is absent before
 * launch and after impact; measurements are in time order, consistent with
 * the truth within their noise, identical for the same scenario however time
 * is sliced or the output buffer sized, and a sensor's measurements do not
 * change when another sensor is added.
 */
#include <stdlib.h>
#include <string.h>

#include "mwds/sim.h"
#include "test_util.h"

#define START_NS (INT64_C(1795000000) * MWDS_NS_PER_S)

typedef struct fixture {
    mwds_scenario sc;
    mwds_nation nation;
    mwds_sensor_config sensors[2];
    mwds_launch_config launch;
} fixture;

/* One SRBM over 400 km, one or two radars. */
static void make_scenario(fixture *f, int n_sensors)
{
    memset(f, 0, sizeof *f);
    strcpy(f->nation.code, "KOR");
    strcpy(f->sensors[0].id, "R1");
    f->sensors[0].sensor = test_radar(0, 37.0, 127.5, 100.0, 0.5, 1500e3, 0.9, 2.0, 30.0, 1e-3);
    f->sensors[0].sensor.false_alarms_per_scan = 1.0;
    strcpy(f->sensors[1].id, "R2");
    f->sensors[1].sensor = test_radar(1, 38.5, 129.0, 100.0, 0.5, 1500e3, 0.9, 2.0, 30.0, 1e-3);
    f->sensors[1].sensor.false_alarms_per_scan = 1.0;
    strcpy(f->launch.id, "L1");
    f->launch.t_s = 20.0;
    f->launch.cls = mwds_catalogue_find("srbm");
    f->launch.req.cls = f->launch.cls;
    f->launch.req.launch = (mwds_lla){39.0 * MWDS_DEG2RAD, 125.7 * MWDS_DEG2RAD, 0};
    f->launch.req.azimuth_rad = 120.0 * MWDS_DEG2RAD;
    f->launch.req.range_m = 400e3;
    f->launch.req.launch_t_ns = START_NS + 20 * MWDS_NS_PER_S;
    f->sc.exercise = 1;
    f->sc.start_t_ns = START_NS;
    f->sc.duration_s = 600.0;
    f->sc.seed = 99;
    f->sc.nations = &f->nation;
    f->sc.n_nations = 1;
    f->sc.sensors = f->sensors;
    f->sc.n_sensors = (size_t)n_sensors;
    f->sc.launches = &f->launch;
    f->sc.n_launches = 1;
}

/* Field-by-field equality (struct padding is not compared). */
static void assert_same_measurement(const mwds_measurement *a, const mwds_measurement *b)
{
    assert_true(a->t_ns == b->t_ns);
    assert_int_equal(a->sensor_id, b->sensor_id);
    assert_int_equal(a->kind, b->kind);
    assert_int_equal(a->dim, b->dim);
    assert_int_equal(a->truth_id, b->truth_id);
    assert_int_equal(a->exercise, b->exercise);
    for (int k = 0; k < a->dim; k++) {
        assert_true(a->z[k] == b->z[k]);
        assert_true(a->sigma[k] == b->sigma[k]);
    }
}

/* All measurements of a run, stepping in slices of slice_s with an output
 * buffer of cap entries. */
static mwds_measurement *run(const mwds_scenario *sc, double slice_s, int cap, int *n_out)
{
    mwds_sim *sim;
    char err[256];
    assert_int_equal(mwds_sim_create(sc, &sim, err, sizeof err), MWDS_OK);
    int total = 0, room = 4096;
    mwds_measurement *all = malloc((size_t)room * sizeof *all);
    mwds_measurement *buf = malloc((size_t)cap * sizeof *buf);
    assert_non_null(all);
    assert_non_null(buf);
    int64_t end = sc->start_t_ns + mwds_time_from_s(sc->duration_s) + 1;
    for (int64_t t = sc->start_t_ns; t < end + mwds_time_from_s(slice_s);) {
        int n = 0;
        mwds_err e = mwds_sim_step(sim, t, buf, cap, &n);
        assert_true(e == MWDS_OK || e == MWDS_EFULL);
        if (e == MWDS_EFULL && n == 0)
            fail_msg("one look does not fit in %d measurements", cap);
        assert_true(total + n <= room);
        memcpy(all + total, buf, (size_t)n * sizeof *buf);
        total += n;
        if (e == MWDS_OK)
            t += mwds_time_from_s(slice_s);
    }
    free(buf);
    mwds_sim_destroy(sim);
    *n_out = total;
    return all;
}

static void test_truth_follows_the_trajectory(void **state)
{
    (void)state;
    fixture f;
    make_scenario(&f, 1);
    mwds_sim *sim;
    assert_int_equal(mwds_sim_create(&f.sc, &sim, NULL, 0), MWDS_OK);
    const mwds_traj *tr = mwds_sim_trajectory(sim, 0);
    assert_non_null(tr);
    assert_near(tr->sum.range_m, 400e3, 100, "truth flies the scenario's range");
    int in_flight = -1;
    mwds_vec3 p = mwds_v3(1, 2, 3), v;
    assert_int_equal(mwds_sim_truth(sim, 0, START_NS + 10 * MWDS_NS_PER_S, &in_flight, &p, &v,
                                    NULL),
                     MWDS_OK);
    assert_int_equal(in_flight, 0);
    assert_near(p.v[0], 1, 0, "untouched before launch");
    int64_t after = f.launch.req.launch_t_ns + mwds_time_from_s(tr->sum.flight_time_s + 1);
    assert_int_equal(mwds_sim_truth(sim, 0, after, &in_flight, &p, &v, NULL), MWDS_OK);
    assert_int_equal(in_flight, 0);
    int burning = 0;
    assert_int_equal(mwds_sim_truth(sim, 0, f.launch.req.launch_t_ns + 30 * MWDS_NS_PER_S,
                                    &in_flight, &p, &v, &burning),
                     MWDS_OK);
    assert_int_equal(in_flight, 1);
    assert_int_equal(burning, 1); /* 30 s into a 65 s burn */
    mwds_vec3 p2, v2;
    assert_int_equal(mwds_traj_state(tr, 30.0, &p2, &v2), MWDS_OK);
    assert_near(mwds_v3_norm(mwds_v3_sub(p, p2)), 0, 1e-6, "truth = trajectory");
    assert_int_equal(mwds_sim_truth(sim, 5, START_NS, &in_flight, &p, &v, NULL), MWDS_ERANGE);
    mwds_sim_destroy(sim);
}

static void test_measurements_ordered_and_consistent(void **state)
{
    (void)state;
    fixture f;
    make_scenario(&f, 2);
    mwds_sim *sim;
    assert_int_equal(mwds_sim_create(&f.sc, &sim, NULL, 0), MWDS_OK);
    int n;
    mwds_measurement *m = run(&f.sc, 1000.0, 4096, &n);
    assert_true(n > 100);
    int detections = 0, false_alarms = 0;
    for (int i = 0; i < n; i++) {
        if (i > 0)
            assert_true(m[i].t_ns >= m[i - 1].t_ns);
        assert_int_equal(m[i].exercise, 1);
        if (m[i].truth_id == 0) {
            false_alarms++;
            continue;
        }
        detections++;
        int in_flight;
        mwds_vec3 p, v;
        assert_int_equal(mwds_sim_truth(sim, m[i].truth_id - 1, m[i].t_ns, &in_flight, &p, &v,
                                        NULL),
                         MWDS_OK);
        assert_int_equal(in_flight, 1);
        mwds_measurement zhat;
        assert_int_equal(mwds_sensor_measure(&f.sensors[m[i].sensor_id].sensor, p, v, &zhat),
                         MWDS_OK);
        double nu[MWDS_MEAS_MAX_DIM];
        mwds_sensor_residual(&m[i], &zhat, nu);
        for (int k = 0; k < m[i].dim; k++)
            if (fabs(nu[k]) > 6.0 * m[i].sigma[k])
                fail_msg("measurement %d component %d off by %.3g sigma", i, k,
                         nu[k] / m[i].sigma[k]);
    }
    assert_true(detections > 50);
    /* 2 radars, one look every 2 s over 600 s, 1 false alarm a look */
    assert_near(false_alarms, 602.0, 5 * sqrt(602.0), "false alarms over the run");
    free(m);
    mwds_sim_destroy(sim);
}

static void test_deterministic_however_sliced(void **state)
{
    (void)state;
    fixture f;
    make_scenario(&f, 2);
    int n1, n2, n3;
    mwds_measurement *a = run(&f.sc, 1000.0, 4096, &n1);
    mwds_measurement *b = run(&f.sc, 0.7, 4096, &n2);
    /* a buffer that holds any one look but not a 13 s slice: EFULL, then more */
    mwds_measurement *c = run(&f.sc, 13.0, 24, &n3);
    assert_int_equal(n1, n2);
    assert_int_equal(n1, n3);
    for (int i = 0; i < n1; i++) {
        assert_same_measurement(&a[i], &b[i]);
        assert_same_measurement(&a[i], &c[i]);
    }
    free(a);
    free(b);
    free(c);
}

static void test_adding_a_sensor_leaves_the_others_alone(void **state)
{
    (void)state;
    fixture one, two;
    make_scenario(&one, 1);
    make_scenario(&two, 2);
    int n1, n2;
    mwds_measurement *a = run(&one.sc, 1000.0, 4096, &n1);
    mwds_measurement *b = run(&two.sc, 1000.0, 4096, &n2);
    int k = 0;
    for (int i = 0; i < n2; i++) {
        if (b[i].sensor_id != 0)
            continue;
        assert_true(k < n1);
        assert_same_measurement(&a[k], &b[i]);
        k++;
    }
    assert_int_equal(k, n1);
    free(a);
    free(b);
}

/* Restarting with the scenario's seed replays the run exactly; another seed
 * changes the noise but not the looks' times and sensors, nor the truth. */
/* A radar scanning in dwells looks dwells times per revisit, in order of
 * dwell; each look's detections are of targets inside its dwell's sector,
 * and the false alarms add up to the scan's rate. */
static void test_dwells(void **state)
{
    (void)state;
    fixture f;
    make_scenario(&f, 1);
    f.sensors[0].sensor.dwells = 6;
    assert_int_equal(mwds_sensor_init(&f.sensors[0].sensor), MWDS_OK);
    mwds_sim *sim;
    assert_int_equal(mwds_sim_create(&f.sc, &sim, NULL, 0), MWDS_OK);
    mwds_measurement buf[64];
    mwds_sim_look_info look;
    int n = 0, looks = 0, detections = 0, false_alarms = 0;
    for (;;) {
        mwds_err e = mwds_sim_look(sim, INT64_MAX, buf, 64, &n, &look);
        if (e == MWDS_ENOTFOUND)
            break;
        assert_int_equal(e, MWDS_OK);
        assert_true(look.t_ns == START_NS + mwds_time_from_s(looks * (2.0 / 6.0)));
        assert_int_equal(look.dwell, looks % 6);
        for (int i = 0; i < n; i++) {
            if (buf[i].truth_id == 0) {
                false_alarms++;
                continue;
            }
            detections++;
            int in_flight;
            mwds_vec3 p, v;
            assert_int_equal(
                mwds_sim_truth(sim, buf[i].truth_id - 1, look.t_ns, &in_flight, &p, &v, NULL),
                MWDS_OK);
            assert_true(mwds_sensor_in_dwell(&f.sensors[0].sensor, look.dwell, p));
        }
        looks++;
    }
    assert_int_equal(looks, 1801); /* 600 s at 1/3 s, both ends */
    assert_true(detections > 25);
    assert_near(false_alarms, 300.0, 5 * sqrt(300.0), "false alarms: one a scan");
    mwds_sim_destroy(sim);
}

static void test_restart_replays_or_reseeds(void **state)
{
    (void)state;
    fixture f;
    make_scenario(&f, 2);
    int n1;
    mwds_measurement *a = run(&f.sc, 1000.0, 4096, &n1);
    mwds_sim *sim;
    assert_int_equal(mwds_sim_create(&f.sc, &sim, NULL, 0), MWDS_OK);
    mwds_measurement *buf = malloc(4096 * sizeof *buf);
    assert_non_null(buf);
    int64_t end = f.sc.start_t_ns + mwds_time_from_s(f.sc.duration_s) + 1;
    int n = 0;
    assert_int_equal(mwds_sim_step(sim, end, buf, 4096, &n), MWDS_OK);
    mwds_sim_restart(sim, f.sc.seed);
    assert_int_equal(mwds_sim_step(sim, end, buf, 4096, &n), MWDS_OK);
    assert_int_equal(n, n1);
    for (int i = 0; i < n; i++)
        assert_same_measurement(&a[i], &buf[i]);
    mwds_sim_restart(sim, f.sc.seed + 1);
    assert_int_equal(mwds_sim_step(sim, end, buf, 4096, &n), MWDS_OK);
    int differ = 0;
    for (int i = 0; i < n && i < n1; i++)
        differ += buf[i].z[0] != a[i].z[0];
    assert_true(differ > 0);
    free(buf);
    free(a);
    mwds_sim_destroy(sim);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_truth_follows_the_trajectory),
        cmocka_unit_test(test_measurements_ordered_and_consistent),
        cmocka_unit_test(test_deterministic_however_sliced),
        cmocka_unit_test(test_adding_a_sensor_leaves_the_others_alone),
        cmocka_unit_test(test_restart_replays_or_reseeds),
        cmocka_unit_test(test_dwells),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
