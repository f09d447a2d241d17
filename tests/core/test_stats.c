/*
 * Chi-square against published table values (Abramowitz and Stegun, table
 * 26.8; NIST/SEMATECH e-Handbook, table 1.3.6.7.4) and the closed forms for
 * 2 degrees of freedom (cdf = 1 - exp(-x/2)) and 1 (cdf = erf(sqrt(x/2))).
 */
#include "mwds/stats.h"
#include "test_util.h"

static void test_closed_forms(void **state)
{
    (void)state;
    for (double x = 0.01; x < 80.0; x *= 1.7) {
        assert_near(mwds_chi2_cdf(x, 2.0), 1.0 - exp(-x / 2.0), 1e-13, "dof 2");
        assert_near(mwds_chi2_cdf(x, 1.0), erf(sqrt(x / 2.0)), 1e-13, "dof 1");
    }
    for (double p = 0.001; p < 1.0; p += 0.0437)
        assert_rel(mwds_chi2_quantile(p, 2.0), -2.0 * log(1.0 - p), 1e-11, "dof 2 quantile");
}

static void test_table_values(void **state)
{
    (void)state;
    const struct {
        double p, dof, x;
    } t[] = {
        {0.95, 1, 3.841459},    {0.95, 2, 5.991465},   {0.95, 3, 7.814728},
        {0.95, 4, 9.487729},    {0.95, 10, 18.307038}, {0.99, 3, 11.344867},
        {0.999, 3, 16.266236},  {0.999, 4, 18.466827}, {0.025, 100, 74.221927},
        {0.975, 100, 129.561197}, {0.05, 10, 3.940299}, {0.01, 4, 0.297109},
    };
    for (size_t i = 0; i < sizeof t / sizeof t[0]; i++) {
        assert_near(mwds_chi2_quantile(t[i].p, t[i].dof), t[i].x, fmax(2e-7 * t[i].x, 6e-7),
                    "table quantile (6 decimals)");
        assert_near(mwds_chi2_cdf(t[i].x, t[i].dof), t[i].p, 1e-7, "table cdf");
    }
}

static void test_round_trip_and_domain(void **state)
{
    (void)state;
    const double dofs[] = {0.5, 1, 3, 7, 60, 700, 5000};
    for (size_t i = 0; i < sizeof dofs / sizeof dofs[0]; i++)
        for (double p = 1e-6; p < 1.0; p = p < 0.5 ? p * 3.0 : 1.0 - (1.0 - p) / 3.0) {
            double x = mwds_chi2_quantile(p, dofs[i]);
            assert_near(mwds_chi2_cdf(x, dofs[i]), p, 1e-10, "cdf(quantile(p)) = p");
            if (1.0 - p < 1e-6)
                break;
        }
    assert_true(isnan(mwds_chi2_quantile(0.0, 3)));
    assert_true(isnan(mwds_chi2_quantile(1.0, 3)));
    assert_true(isnan(mwds_chi2_quantile(0.5, 0)));
    assert_true(isnan(mwds_chi2_cdf(1.0, -1)));
    assert_true(mwds_chi2_cdf(-1.0, 3) == 0.0);
    assert_true(mwds_chi2_cdf(INFINITY, 3) == 1.0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_closed_forms),
        cmocka_unit_test(test_table_values),
        cmocka_unit_test(test_round_trip_and_domain),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
