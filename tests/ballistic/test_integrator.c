/* The Dormand-Prince stepper on problems with exact solutions: three
 * independent harmonic oscillators. Checks accuracy against the closed form,
 * the fifth order of the local error (which catches a wrong tableau), exact
 * landing on stop times, and the phase rule at a discontinuity. */
#include <string.h>

#include "ballistic/ballistic_internal.h"
#include "test_util.h"

static const double OMEGA[3] = {1.0, 2.5, 0.3};

static mwds_err oscillators(void *ctx, double phase_t, double t, const double *y, double *dydt)
{
    (void)ctx;
    (void)phase_t;
    (void)t;
    for (int i = 0; i < 3; i++) {
        dydt[i] = y[i + 3];
        dydt[i + 3] = -OMEGA[i] * OMEGA[i] * y[i];
    }
    return MWDS_OK;
}

/* y(0) = (1, 0, 2), y'(0) = (0, 1, -1) */
static void exact(double t, double *y)
{
    static const double x0[3] = {1, 0, 2}, v0[3] = {0, 1, -1};
    for (int i = 0; i < 3; i++) {
        double w = OMEGA[i];
        y[i] = x0[i] * cos(w * t) + v0[i] / w * sin(w * t);
        y[i + 3] = -x0[i] * w * sin(w * t) + v0[i] * cos(w * t);
    }
}

static void test_accuracy_against_closed_form(void **state)
{
    (void)state;
    double y0[6];
    exact(0, y0);
    mwds__dp45 s;
    mwds__dp45_init(&s, oscillators, NULL, 0.0, y0, 0.1, 1e-11, 1e-12);
    const double t_end = 20.0 * 2.0 * MWDS_PI; /* 20 periods of the first */
    while (s.t < t_end)
        assert_int_equal(mwds__dp45_step(&s, t_end), MWDS_OK);
    assert_true(s.t == t_end);
    double y[6];
    exact(t_end, y);
    for (int i = 0; i < 6; i++)
        assert_near(s.y[i], y[i], 1e-8, "state after 20 periods");
    assert_true(s.n_rhs > 0);
}

/* Local error of one step from the exact state at t = 0. */
static double local_error(double h)
{
    double y0[6], y1[6], ye[6];
    exact(0, y0);
    mwds__dp45 s;
    mwds__dp45_init(&s, oscillators, NULL, 0.0, y0, h, 1, 1);
    /* make (t_prev, y_prev, f_prev) the start state, then take one substep */
    memcpy(s.y_prev, y0, sizeof y0);
    oscillators(NULL, 0, 0, y0, s.f_prev);
    s.t_prev = 0.0;
    s.t = h;
    assert_int_equal(mwds__dp45_substep(&s, h, y1), MWDS_OK);
    exact(h, ye);
    double e = 0;
    for (int i = 0; i < 6; i++)
        e = fmax(e, fabs(y1[i] - ye[i]));
    return e;
}

static void test_local_error_is_fifth_order(void **state)
{
    (void)state;
    /* a p-th order method has local error ~ h^(p+1): halving h divides it by 64 */
    double e1 = local_error(0.2), e2 = local_error(0.1);
    double ratio = e1 / e2;
    if (!(ratio > 45.0 && ratio < 90.0))
        fail_msg("local error ratio for h/2 is %.2f, want about 64 (order 5)", ratio);
}

static void test_lands_on_stop_times(void **state)
{
    (void)state;
    double y0[6];
    exact(0, y0);
    mwds__dp45 s;
    mwds__dp45_init(&s, oscillators, NULL, 0.0, y0, 10.0, 1e-9, 1e-9);
    const double stops[] = {0.123, 0.5, 3.0};
    for (int k = 0; k < 3; k++) {
        while (s.t < stops[k])
            assert_int_equal(mwds__dp45_step(&s, stops[k]), MWDS_OK);
        assert_true(s.t == stops[k]);
    }
}

/* A force that switches on at t = 1: each step must see one phase only. */
static mwds_err switched(void *ctx, double phase_t, double t, const double *y, double *dydt)
{
    (void)ctx;
    (void)t;
    memset(dydt, 0, 6 * sizeof(double));
    for (int i = 0; i < 3; i++)
        dydt[i] = y[i + 3];
    dydt[3] = phase_t < 1.0 ? 0.0 : 2.0; /* constant acceleration after t = 1 */
    return MWDS_OK;
}

static void test_discontinuity_on_step_boundary(void **state)
{
    (void)state;
    double y0[6] = {0, 0, 0, 1, 0, 0};
    mwds__dp45 s;
    mwds__dp45_init(&s, switched, NULL, 0.0, y0, 0.3, 1e-12, 1e-12);
    while (s.t < 1.0)
        assert_int_equal(mwds__dp45_step(&s, 1.0), MWDS_OK);
    while (s.t < 3.0)
        assert_int_equal(mwds__dp45_step(&s, 3.0), MWDS_OK);
    /* x(3) = 3 + 0.5 * 2 * 2^2 = 7, v(3) = 1 + 2 * 2 = 5, exactly (polynomial) */
    assert_near(s.y[0], 7.0, 1e-12, "position after the switch");
    assert_near(s.y[3], 5.0, 1e-12, "velocity after the switch");
    assert_int_equal(s.n_reject, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_accuracy_against_closed_form),
        cmocka_unit_test(test_local_error_is_fifth_order),
        cmocka_unit_test(test_lands_on_stop_times),
        cmocka_unit_test(test_discontinuity_on_step_boundary),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
