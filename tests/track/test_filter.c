/*
 * The EKF against independent references:
 *   - a textbook linear Kalman filter (written out here, explicit inverse) on
 *     a linear problem (no forces, position measurements): identical results;
 *   - prediction of the ballistic model against the flight model's own
 *     Dormand-Prince integration of the same forces (another integrator);
 *   - the propagated covariance against Phi P Phi^T with Phi from central
 *     differences of the propagated state;
 *   - an update with a precise radar measurement moves the state onto it;
 *   - Monte Carlo consistency: the average NEES over 60 runs of an
 *     exo-atmospheric ICBM tracked by a radar stays inside its 95 %
 *     chi-square bounds at least 90 % of the time.
 */
#include <stdlib.h>
#include <string.h>

#include "mwds/rng.h"
#include "mwds/track.h"
#include "test_util.h"

#define T0 (INT64_C(1795000000) * MWDS_NS_PER_S)

/* ---- textbook KF: x = [r v k], F = [[I dt I 0]; [0 I 0]; [0 0 1]], z = r ---- */

static void kf_predict(double x[7], double p[7][7], double dt, double q)
{
    double phi[7][7] = {{0}}, t[7][7], np[7][7];
    for (int i = 0; i < 7; i++)
        phi[i][i] = 1.0;
    for (int i = 0; i < 3; i++)
        phi[i][3 + i] = dt;
    double nx[7];
    for (int i = 0; i < 7; i++) {
        nx[i] = 0;
        for (int k = 0; k < 7; k++)
            nx[i] += phi[i][k] * x[k];
    }
    memcpy(x, nx, sizeof nx);
    for (int i = 0; i < 7; i++)
        for (int j = 0; j < 7; j++) {
            t[i][j] = 0;
            for (int k = 0; k < 7; k++)
                t[i][j] += phi[i][k] * p[k][j];
        }
    for (int i = 0; i < 7; i++)
        for (int j = 0; j < 7; j++) {
            np[i][j] = 0;
            for (int k = 0; k < 7; k++)
                np[i][j] += t[i][k] * phi[j][k];
        }
    for (int i = 0; i < 3; i++) {
        np[i][i] += q * dt * dt * dt / 3;
        np[i][3 + i] += q * dt * dt / 2;
        np[3 + i][i] += q * dt * dt / 2;
        np[3 + i][3 + i] += q * dt;
    }
    memcpy(p, np, sizeof np);
}

static void inv3(const double a[3][3], double out[3][3])
{
    double det = a[0][0] * (a[1][1] * a[2][2] - a[1][2] * a[2][1]) -
                 a[0][1] * (a[1][0] * a[2][2] - a[1][2] * a[2][0]) +
                 a[0][2] * (a[1][0] * a[2][1] - a[1][1] * a[2][0]);
    for (int i = 0; i < 3; i++)
        for (int j = 0; j < 3; j++) {
            int r0 = (j + 1) % 3, r1 = (j + 2) % 3, c0 = (i + 1) % 3, c1 = (i + 2) % 3;
            out[i][j] = (a[r0][c0] * a[r1][c1] - a[r0][c1] * a[r1][c0]) / det;
        }
}

static void kf_update(double x[7], double p[7][7], const double z[3], double r)
{
    double s[3][3], si[3][3], k[7][3], np[7][7];
    for (int i = 0; i < 3; i++)
        for (int j = 0; j < 3; j++)
            s[i][j] = p[i][j] + (i == j) * r;
    inv3(s, si);
    for (int i = 0; i < 7; i++)
        for (int j = 0; j < 3; j++) {
            k[i][j] = 0;
            for (int m = 0; m < 3; m++)
                k[i][j] += p[i][m] * si[m][j];
        }
    double nu[3] = {z[0] - x[0], z[1] - x[1], z[2] - x[2]};
    for (int i = 0; i < 7; i++)
        for (int j = 0; j < 3; j++)
            x[i] += k[i][j] * nu[j];
    for (int i = 0; i < 7; i++)
        for (int j = 0; j < 7; j++) {
            np[i][j] = p[i][j];
            for (int m = 0; m < 3; m++)
                np[i][j] -= k[i][m] * p[m][j];
        }
    memcpy(p, np, sizeof np);
}

/* z - H x for the CKF, H = [I 0] (position) */
static mwds_err position_residual(const void *ctx, const double *x, double *nu)
{
    const double *z = ctx;
    for (int i = 0; i < 3; i++)
        nu[i] = z[i] - x[i];
    return MWDS_OK;
}

static void identical_to_linear_kalman_filter(mwds_filter_kind kind)
{
    const double q = 4.0, r = 100.0 * 100.0;
    double x[7] = {6.5e6, 1.0e6, 2.0e6, 1000, -2000, 3000, 0};
    double p[7][7] = {{0}};
    for (int i = 0; i < 3; i++) {
        p[i][i] = 1e6;
        p[3 + i][3 + i] = 1e4;
    }
    p[0][3] = p[3][0] = 5e3;
    p[6][6] = 1e-8;
    mwds_filter_state s;
    assert_int_equal(mwds_filter_init(&s, MWDS_MODEL_BALLISTIC, T0, x, &p[0][0]), MWDS_OK);
    mwds_filter_params fp = {0, q, 0, 0, 0};
    mwds_rng rng;
    mwds_rng_seed(&rng, 5, 0);
    double h[3 * 7] = {0}, rm[9] = {0};
    for (int i = 0; i < 3; i++) {
        h[i * 7 + i] = 1.0;
        rm[i * 3 + i] = r;
    }
    for (int step = 1; step <= 30; step++) {
        double dt = 0.5 + 0.25 * (step % 5); /* 0.5 .. 1.5 s, sub-stepped above 1 s */
        kf_predict(x, p, dt, q);
        assert_int_equal(mwds_filter_predict(kind, &fp, &s, s.t_ns + mwds_time_from_s(dt)),
                         MWDS_OK);
        double z[3], nu[3];
        for (int i = 0; i < 3; i++) {
            z[i] = x[i] + 100.0 * mwds_rng_normal(&rng) + 50.0;
            nu[i] = z[i] - s.x.v[i];
        }
        kf_update(x, p, z, r);
        if (kind == MWDS_FILTER_EKF)
            assert_int_equal(mwds_ekf_update_linear(&s, nu, h, rm, 3, NULL), MWDS_OK);
        else
            assert_int_equal(mwds_ckf_update_fn(&s, position_residual, z, rm, 3, NULL), MWDS_OK);
        for (int i = 0; i < 7; i++) {
            assert_near(s.x.v[i], x[i], 1e-9 * fmax(1.0, fabs(x[i])), "state = textbook KF");
            for (int j = 0; j < 7; j++)
                assert_near(s.p.m[i][j], p[i][j], 1e-9 * fmax(1e-6, fabs(p[i][i])),
                            "covariance = textbook KF");
        }
    }
}

static void test_ekf_identical_to_linear_kalman_filter(void **state)
{
    (void)state;
    identical_to_linear_kalman_filter(MWDS_FILTER_EKF);
}

static void test_ckf_identical_to_linear_kalman_filter(void **state)
{
    (void)state;
    identical_to_linear_kalman_filter(MWDS_FILTER_CKF);
}

static mwds_traj fly_truth(mwds_lla start, mwds_vec3 vel, double beta)
{
    mwds_force_model fm;
    memset(&fm, 0, sizeof fm);
    fm.flags = MWDS_FORCE_ALL & ~(unsigned)MWDS_FORCE_THRUST;
    fm.beta_kg_m2 = beta;
    mwds_traj tr;
    memset(&tr, 0, sizeof tr);
    assert_int_equal(mwds_ballistic_fly(&fm, mwds_geo_lla_to_ecef(start), vel, T0, NULL, &tr),
                     MWDS_OK);
    return tr;
}

static void truth_at(const mwds_traj *tr, double t, double *x7, double k)
{
    mwds_vec3 p, v;
    assert_int_equal(mwds_traj_state(tr, t, &p, &v), MWDS_OK);
    for (int i = 0; i < 3; i++) {
        x7[i] = p.v[i];
        x7[3 + i] = v.v[i];
    }
    x7[6] = k;
}

static void test_prediction_matches_flight_model(void **state)
{
    (void)state;
    /* a re-entry from 120 km at 6 km/s, steep, beta 5000: drag matters */
    mwds_lla start = {38.0 * MWDS_DEG2RAD, 135.0 * MWDS_DEG2RAD, 120e3};
    mwds_mat3 enu = mwds_geo_enu_rotation(start.lat_rad, start.lon_rad);
    mwds_vec3 vel = mwds_m3t_mul_v3(enu, mwds_v3(3000, 3000, -4000));
    const double beta = 5000.0;
    mwds_traj tr = fly_truth(start, vel, beta);
    double x[7], p[49] = {0};
    truth_at(&tr, 0.0, x, 1.0 / beta);
    for (int i = 0; i < 7; i++)
        p[i * 8] = 1.0;
    mwds_filter_state s;
    assert_int_equal(mwds_filter_init(&s, MWDS_MODEL_BALLISTIC, T0, x, p), MWDS_OK);
    mwds_filter_params fp = {MWDS_FORCE_ALL, 0, 0, 0, 0};
    for (double t = 5.0; t < tr.sum.flight_time_s - 1.0; t += 5.0) {
        assert_int_equal(mwds_ekf_predict(&fp, &s, T0 + mwds_time_from_s(t)), MWDS_OK);
        double want[7];
        truth_at(&tr, t, want, 1.0 / beta);
        double dp = 0, dv = 0;
        for (int i = 0; i < 3; i++) {
            dp = fmax(dp, fabs(s.x.v[i] - want[i]));
            dv = fmax(dv, fabs(s.x.v[3 + i] - want[3 + i]));
        }
        char what[64];
        snprintf(what, sizeof what, "position at t = %.0f s", t);
        assert_near(dp, 0.0, 0.5, what);
        snprintf(what, sizeof what, "velocity at t = %.0f s", t);
        assert_near(dv, 0.0, 0.05, what);
    }
    mwds_traj_fini(&tr);
}

static void test_covariance_propagation_matches_finite_differences(void **state)
{
    (void)state;
    mwds_lla start = {36.0 * MWDS_DEG2RAD, 133.0 * MWDS_DEG2RAD, 60e3};
    mwds_mat3 enu = mwds_geo_enu_rotation(start.lat_rad, start.lon_rad);
    mwds_vec3 v0 = mwds_m3t_mul_v3(enu, mwds_v3(2500, 1000, -2500));
    mwds_vec3 r0 = mwds_geo_lla_to_ecef(start);
    double x0[7] = {r0.v[0], r0.v[1], r0.v[2], v0.v[0], v0.v[1], v0.v[2], 1.0 / 4000.0};
    const double sig[7] = {50, 50, 50, 5, 5, 5, 2e-5};
    double p0[49] = {0};
    for (int i = 0; i < 7; i++)
        p0[i * 8] = sig[i] * sig[i];
    mwds_filter_params fp = {MWDS_FORCE_ALL, 0, 0, 0, 0};
    const double dt = 8.0;
    mwds_filter_state s;
    assert_int_equal(mwds_filter_init(&s, MWDS_MODEL_BALLISTIC, T0, x0, p0), MWDS_OK);
    assert_int_equal(mwds_ekf_predict(&fp, &s, T0 + mwds_time_from_s(dt)), MWDS_OK);
    /* columns of Phi * diag(sig) by central differences of the propagation */
    double col[7][7];
    for (int j = 0; j < 7; j++) {
        double xp[7], xm[7];
        memcpy(xp, x0, sizeof xp);
        memcpy(xm, x0, sizeof xm);
        xp[j] += 1e-3 * sig[j];
        xm[j] -= 1e-3 * sig[j];
        mwds_filter_state a, b;
        assert_int_equal(mwds_filter_init(&a, MWDS_MODEL_BALLISTIC, T0, xp, p0), MWDS_OK);
        assert_int_equal(mwds_filter_init(&b, MWDS_MODEL_BALLISTIC, T0, xm, p0), MWDS_OK);
        assert_int_equal(mwds_ekf_predict(&fp, &a, T0 + mwds_time_from_s(dt)), MWDS_OK);
        assert_int_equal(mwds_ekf_predict(&fp, &b, T0 + mwds_time_from_s(dt)), MWDS_OK);
        for (int i = 0; i < 7; i++)
            col[i][j] = (a.x.v[i] - b.x.v[i]) / 2e-3;
    }
    for (int i = 0; i < 7; i++)
        for (int j = 0; j < 7; j++) {
            double want = 0;
            for (int k = 0; k < 7; k++)
                want += col[i][k] * col[j][k];
            double scale = sqrt(s.p.m[i][i] * s.p.m[j][j]);
            assert_near(s.p.m[i][j], want, 2e-3 * scale, "P = Phi P0 Phi^T");
        }
}

static void test_precise_radar_update_pulls_onto_measurement(void **state)
{
    (void)state;
    mwds_sensor radar = test_radar(0, 37.0, 127.0, 0, 0, 5e6, 1, 1, 1, 1e-6);
    mwds_lla tgt = {39.0 * MWDS_DEG2RAD, 130.0 * MWDS_DEG2RAD, 300e3};
    mwds_vec3 truth = mwds_geo_lla_to_ecef(tgt);
    double x[7] = {truth.v[0] + 2000, truth.v[1] - 1500, truth.v[2] + 800, 1000, 2000, -500, 0};
    double p[49] = {0};
    for (int i = 0; i < 3; i++) {
        p[i * 8] = 3000.0 * 3000.0;
        p[(3 + i) * 8] = 100.0 * 100.0;
    }
    p[48] = 1e-10;
    mwds_filter_state s;
    assert_int_equal(mwds_filter_init(&s, MWDS_MODEL_BALLISTIC, T0, x, p), MWDS_OK);
    mwds_measurement z;
    assert_int_equal(mwds_sensor_measure(&radar, truth, mwds_v3(0, 0, 0), &z), MWDS_OK);
    double nis = -1;
    for (int it = 0; it < 3; it++) /* repeated: the first linearisation is 2.6 km off */
        assert_int_equal(mwds_ekf_update(&s, &radar, &z, &nis), MWDS_OK);
    mwds_vec3 est = mwds_v3(s.x.v[0], s.x.v[1], s.x.v[2]);
    assert_near(mwds_v3_norm(mwds_v3_sub(est, truth)), 0.0, 5.0, "position after precise fixes");
    assert_true(nis >= 0.0);
    assert_true(s.p.m[0][0] < 1e4);
}

/* 95 % bounds of the mean of n chi-square(dof) draws (Wilson-Hilferty). */
static void chi2_mean_bounds(int dof, int n, double *lo, double *hi)
{
    double k = (double)dof * n, c = 2.0 / (9.0 * k);
    *lo = k * pow(1 - c - 1.959964 * sqrt(c), 3) / n;
    *hi = k * pow(1 - c + 1.959964 * sqrt(c), 3) / n;
}

static void test_nees_consistency_monte_carlo(void **state)
{
    (void)state;
    enum { RUNS = 60, STEPS = 200 };
    /* midcourse of an ICBM: 600 km up, 6.5 km/s, tracked at 1 Hz */
    mwds_lla start = {41.0 * MWDS_DEG2RAD, 134.0 * MWDS_DEG2RAD, 600e3};
    mwds_mat3 enu = mwds_geo_enu_rotation(start.lat_rad, start.lon_rad);
    mwds_vec3 vel = mwds_m3t_mul_v3(enu, mwds_v3(5500, 3000, 1500));
    mwds_traj tr = fly_truth(start, vel, 8000.0);
    mwds_sensor radar = test_radar(0, 40.0, 140.0, 0, -5.0, 5e6, 1, 1, 30, 5e-4);
    /* the truth has no process noise; a trace keeps P from collapsing */
    mwds_filter_params fp = {MWDS_FORCE_ALL, 1e-9, 1e-16, 0, 0};
    static double nees[STEPS];
    memset(nees, 0, sizeof nees);
    const double sig0[7] = {1000, 1000, 1000, 50, 50, 50, 1e-5};
    for (int run = 0; run < RUNS; run++) {
        mwds_rng rng;
        mwds_rng_seed(&rng, 777, (uint64_t)run);
        double x[7], p[49] = {0};
        truth_at(&tr, 0.0, x, 1.0 / 8000.0);
        for (int i = 0; i < 7; i++) {
            x[i] += sig0[i] * mwds_rng_normal(&rng);
            p[i * 8] = sig0[i] * sig0[i];
        }
        mwds_filter_state s;
        assert_int_equal(mwds_filter_init(&s, MWDS_MODEL_BALLISTIC, T0, x, p), MWDS_OK);
        for (int k = 0; k < STEPS; k++) {
            double t = 1.0 + k;
            int64_t t_ns = T0 + mwds_time_from_s(t);
            assert_int_equal(mwds_ekf_predict(&fp, &s, t_ns), MWDS_OK);
            double want[7];
            truth_at(&tr, t, want, 1.0 / 8000.0);
            mwds_measurement z;
            assert_int_equal(mwds_sensor_measure(&radar, mwds_v3(want[0], want[1], want[2]),
                                                 mwds_v3(want[3], want[4], want[5]), &z),
                             MWDS_OK);
            for (int i = 0; i < z.dim; i++)
                z.z[i] += z.sigma[i] * mwds_rng_normal(&rng);
            assert_int_equal(mwds_ekf_update(&s, &radar, &z, NULL), MWDS_OK);
            /* NEES over position and velocity */
            mwds_mat6 p6, l6;
            mwds_vec6 e6;
            for (int i = 0; i < 6; i++) {
                e6.v[i] = s.x.v[i] - want[i];
                for (int j = 0; j < 6; j++)
                    p6.m[i][j] = s.p.m[i][j];
            }
            assert_int_equal(mwds_m6_chol(&p6, &l6), MWDS_OK);
            mwds_vec6 y = mwds_m6_chol_solve(&l6, e6);
            double q = 0;
            for (int i = 0; i < 6; i++)
                q += e6.v[i] * y.v[i];
            nees[k] += q / RUNS;
        }
    }
    double lo, hi;
    chi2_mean_bounds(6, RUNS, &lo, &hi);
    int inside = 0;
    for (int k = 0; k < STEPS; k++)
        inside += nees[k] >= lo && nees[k] <= hi;
    double frac = (double)inside / STEPS;
    if (frac < 0.9)
        fail_msg("average NEES inside [%.2f, %.2f] only %.0f %% of the time (first %.2f, last "
                 "%.2f)",
                 lo, hi, 100 * frac, nees[0], nees[STEPS - 1]);
    mwds_traj_fini(&tr);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_ekf_identical_to_linear_kalman_filter),
        cmocka_unit_test(test_ckf_identical_to_linear_kalman_filter),
        cmocka_unit_test(test_prediction_matches_flight_model),
        cmocka_unit_test(test_covariance_propagation_matches_finite_differences),
        cmocka_unit_test(test_precise_radar_update_pulls_onto_measurement),
        cmocka_unit_test(test_nees_consistency_monte_carlo),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
