/* linalg: vectors, 3x3 products, Cholesky and solves against closed forms
 * (known factors, the Hilbert matrix's integer inverse). */
#include <string.h>

#include "mwds/linalg.h"
#include "test_util.h"

static void test_vec3_closed_forms(void **state)
{
    (void)state;
    mwds_vec3 x = mwds_v3(1, 0, 0), y = mwds_v3(0, 1, 0);
    mwds_vec3 z = mwds_v3_cross(x, y);
    assert_near(z.v[2], 1.0, 0, "x cross y = z");
    mwds_vec3 a = mwds_v3(3, -4, 12);
    assert_near(mwds_v3_norm(a), 13.0, 1e-15, "|(3,-4,12)| = 13");
    mwds_vec3 u;
    assert_int_equal(mwds_v3_unit(a, &u), MWDS_OK);
    assert_near(u.v[2], 12.0 / 13.0, 1e-15, "unit vector");
    mwds_vec3 keep = mwds_v3(7, 7, 7);
    u = keep;
    assert_int_equal(mwds_v3_unit(mwds_v3(0, 0, 0), &u), MWDS_ENUMERIC);
    assert_int_equal(mwds_v3_unit(mwds_v3(NAN, 0, 0), &u), MWDS_ENUMERIC);
    assert_memory_equal(&u, &keep, sizeof u);
    assert_near(mwds_v3_dot(mwds_v3_cross(a, x), a), 0.0, 1e-12, "a x b is orthogonal to a");
}

static void test_mat3_rotation_products(void **state)
{
    (void)state;
    double c = cos(0.3), s = sin(0.3);
    mwds_mat3 r = {{{c, -s, 0}, {s, c, 0}, {0, 0, 1}}};
    mwds_mat3 rtr = mwds_m3_mul(mwds_m3_transpose(r), r);
    mwds_mat3 id = mwds_m3_identity();
    for (int i = 0; i < 3; i++)
        for (int j = 0; j < 3; j++)
            assert_near(rtr.m[i][j], id.m[i][j], 1e-15, "R^T R = I");
    mwds_vec3 v = mwds_m3_mul_v3(r, mwds_v3(1, 0, 0));
    assert_near(v.v[0], c, 1e-15, "rotated x");
    assert_near(v.v[1], s, 1e-15, "rotated y");
    mwds_vec3 back = mwds_m3t_mul_v3(r, v);
    assert_near(back.v[0], 1.0, 1e-15, "R^T undoes R");
    assert_near(back.v[1], 0.0, 1e-15, "R^T undoes R");
}

/* A = L L^T for a known integer L: chol must return L. */
static void check_known_factor(int n)
{
    double l[81] = {0}, a[81], got[81];
    for (int i = 0; i < n; i++)
        for (int j = 0; j <= i; j++)
            l[i * n + j] = i == j ? (double)(i + 2) : (double)((i * 7 + j * 3) % 5 - 2);
    for (int i = 0; i < n; i++)
        for (int j = 0; j < n; j++) {
            double s = 0;
            for (int k = 0; k < n; k++)
                s += l[i * n + k] * l[j * n + k];
            a[i * n + j] = s;
        }
    assert_int_equal(mwds_linalg_chol(a, got, n, n), MWDS_OK);
    for (int i = 0; i < n * n; i++)
        assert_near(got[i], l[i], 1e-12, "Cholesky factor of L L^T");
}

static void test_chol_recovers_known_factor(void **state)
{
    (void)state;
    check_known_factor(3);
    check_known_factor(6);
    check_known_factor(9);
}

static double binom(int n, int k)
{
    double r = 1;
    for (int i = 1; i <= k; i++)
        r = r * (n - k + i) / i;
    return r;
}

/* The Hilbert matrix H_ij = 1/(i+j-1) has an integer inverse in closed form;
 * solve H x = e_k and compare with column k of that inverse. */
static void test_chol_solve_hilbert(void **state)
{
    (void)state;
    enum { N = 6 };
    mwds_mat6 h, l;
    for (int i = 0; i < N; i++)
        for (int j = 0; j < N; j++)
            h.m[i][j] = 1.0 / (i + j + 1);
    assert_int_equal(mwds_m6_chol(&h, &l), MWDS_OK);
    for (int k = 0; k < N; k++) {
        mwds_vec6 e = {{0}};
        e.v[k] = 1.0;
        mwds_vec6 x = mwds_m6_chol_solve(&l, e);
        for (int i = 0; i < N; i++) {
            int i1 = i + 1, j1 = k + 1;
            double c = binom(i1 + j1 - 2, i1 - 1);
            double inv = ((i1 + j1) % 2 ? -1.0 : 1.0) * (i1 + j1 - 1) * binom(N + i1 - 1, N - j1) *
                         binom(N + j1 - 1, N - i1) * c * c;
            /* cond(H6) is about 1.5e7: allow that much relative error growth */
            assert_rel(x.v[i], inv, 1e-7, "Hilbert inverse entry");
        }
    }
}

static void test_chol_rejects_indefinite_and_nan(void **state)
{
    (void)state;
    mwds_mat3 a = {{{1, 2, 0}, {2, 1, 0}, {0, 0, 1}}}; /* eigenvalues 3, -1, 1 */
    mwds_mat3 l, keep;
    memset(&keep, 0x5a, sizeof keep);
    l = keep;
    assert_int_equal(mwds_m3_chol(&a, &l), MWDS_ENOTPD);
    assert_memory_equal(&l, &keep, sizeof l);
    mwds_mat3 b = {{{1, 0, 0}, {0, NAN, 0}, {0, 0, 1}}};
    assert_int_equal(mwds_m3_chol(&b, &l), MWDS_ENOTPD);
    mwds_mat9 z;
    memset(&z, 0, sizeof z);
    mwds_mat9 lz;
    assert_int_equal(mwds_m9_chol(&z, &lz), MWDS_ENOTPD);
    assert_int_equal(mwds_linalg_chol(&a.m[0][0], &l.m[0][0], 10, 10), MWDS_EINVAL);
}

static void test_symmetrise(void **state)
{
    (void)state;
    mwds_mat3 a = {{{1, 2, 3}, {4, 5, 6}, {7, 8, 9}}};
    mwds_m3_symmetrise(&a);
    assert_near(a.m[0][1], 3.0, 0, "(2+4)/2");
    assert_near(a.m[1][0], 3.0, 0, "(2+4)/2");
    assert_near(a.m[2][0], 5.0, 0, "(3+7)/2");
    assert_near(a.m[1][1], 5.0, 0, "diagonal kept");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_vec3_closed_forms),
        cmocka_unit_test(test_mat3_rotation_products),
        cmocka_unit_test(test_chol_recovers_known_factor),
        cmocka_unit_test(test_chol_solve_hilbert),
        cmocka_unit_test(test_chol_rejects_indefinite_and_nan),
        cmocka_unit_test(test_symmetrise),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
