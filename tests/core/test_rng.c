/* rng: the published xoshiro256** / splitmix64 reference outputs, stream
 * independence, and the moments of the uniform, normal and Poisson draws
 * against their closed forms (with bounds several standard errors wide, so
 * the test is stable yet catches a wrong distribution). */
#include <string.h>

#include "mwds/rng.h"
#include "test_util.h"

static void test_splitmix_seeding_reference(void **state)
{
    (void)state;
    /* splitmix64 from 0 gives 0xE220A8397B1DCDAF, 0x6E789E6AA1B965F4, ...
     * (Vigna's reference implementation); stream 0 seeds x = seed. */
    mwds_rng r;
    mwds_rng_seed(&r, 0, 0);
    assert_true(r.s[0] == UINT64_C(0xE220A8397B1DCDAF));
    assert_true(r.s[1] == UINT64_C(0x6E789E6AA1B965F4));
    assert_true(r.s[2] == UINT64_C(0x06C45D188009454F));
    assert_true(r.s[3] == UINT64_C(0xF88BB8A8724C81EC));
}

static void test_xoshiro_reference_step(void **state)
{
    (void)state;
    /* xoshiro256** from state {1, 2, 3, 4}: first output rotl(2*5, 7)*9 =
     * 11520, second 0 (the reference generator's known opening values) */
    mwds_rng r;
    memset(&r, 0, sizeof r);
    r.s[0] = 1;
    r.s[1] = 2;
    r.s[2] = 3;
    r.s[3] = 4;
    assert_true(mwds_rng_u64(&r) == UINT64_C(11520));
    assert_true(mwds_rng_u64(&r) == UINT64_C(0));
    assert_true(mwds_rng_u64(&r) == UINT64_C(1509978240));
    assert_true(mwds_rng_u64(&r) == UINT64_C(1215971899390074240));
}

static void test_determinism_and_streams(void **state)
{
    (void)state;
    mwds_rng a, b, c;
    mwds_rng_seed(&a, 42, 7);
    mwds_rng_seed(&b, 42, 7);
    mwds_rng_seed(&c, 42, 8);
    int same_ac = 0;
    for (int i = 0; i < 1000; i++) {
        uint64_t x = mwds_rng_u64(&a), y = mwds_rng_u64(&b), z = mwds_rng_u64(&c);
        assert_true(x == y);
        same_ac += x == z;
    }
    assert_int_equal(same_ac, 0);
}

static void test_moments(void **state)
{
    (void)state;
    enum { N = 400000 };
    mwds_rng r;
    mwds_rng_seed(&r, 2026, 1);
    double su = 0, su2 = 0, sn = 0, sn2 = 0, sn4 = 0, sp = 0, sp2 = 0, sq = 0;
    int inside_1sigma = 0;
    for (int i = 0; i < N; i++) {
        double u = mwds_rng_uniform(&r);
        assert_true(u >= 0.0 && u < 1.0);
        su += u;
        su2 += u * u;
        double n = mwds_rng_normal(&r);
        sn += n;
        sn2 += n * n;
        sn4 += n * n * n * n;
        inside_1sigma += fabs(n) < 1.0;
        double p = mwds_rng_poisson(&r, 3.5);
        sp += p;
        sp2 += p * p;
        sq += mwds_rng_poisson(&r, 80.0);
    }
    /* standard errors: uniform mean 0.00046, normal mean 0.0016, var 0.0022 */
    assert_near(su / N, 0.5, 0.003, "uniform mean");
    assert_near(su2 / N - 0.25, 1.0 / 12.0, 0.002, "uniform variance");
    assert_near(sn / N, 0.0, 0.008, "normal mean");
    assert_near(sn2 / N, 1.0, 0.012, "normal variance");
    assert_near(sn4 / N, 3.0, 0.06, "normal fourth moment");
    assert_near((double)inside_1sigma / N, 0.682689, 0.004, "normal mass within 1 sigma");
    assert_near(sp / N, 3.5, 0.02, "Poisson(3.5) mean");
    assert_near(sp2 / N - (sp / N) * (sp / N), 3.5, 0.06, "Poisson(3.5) variance");
    assert_near(sq / N, 80.0, 0.1, "Poisson(80) mean");
    assert_int_equal(mwds_rng_poisson(&r, 0.0), 0);
    assert_int_equal(mwds_rng_poisson(&r, -1.0), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_splitmix_seeding_reference),
        cmocka_unit_test(test_xoshiro_reference_step),
        cmocka_unit_test(test_determinism_and_streams),
        cmocka_unit_test(test_moments),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
