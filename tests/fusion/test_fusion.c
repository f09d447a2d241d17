/*
 * Track-to-track fusion (mwds_fusion_*), against references computed here
 * another way, never against the module's own output:
 *
 *   covariance intersection
 *     hand-solved   2-D diagonal cases whose optimal w and fused
 *                   covariance follow in closed form (both criteria);
 *                   1-D end points; identical estimates
 *     grid          random 6-D pairs: the returned w is no worse than a
 *                   brute-force grid over w with the fused covariance formed
 *                   by explicit inversion (Gauss-Jordan, here)
 *     consistency   correlated errors (rho -0.5, 0, 0.5, 0.9): the
 *                   empirical error covariance of the CI estimate stays
 *                   under the CI covariance (NEES mean <= dimension); the
 *                   exact error covariance too over rho in [-1, 1]; the
 *                   independence-assuming combination fails the same test
 *   the context     one member equals that member; the stored source is
 *                   never changed by alignment; one origin never fuses with
 *                   itself; continuity, merging, stale and ended sources,
 *                   pool limits, bad input
 *   the real chain  the simulator and one real tracker per nation:
 *     IRBM          seen by two nations' radars: one system track, fused
 *                   position error no worse than the better member's (both
 *                   against the simulator's truth); the unchanged assessor
 *                   warns from the picture
 *     salvo         eight SRBMs seen by two nations: eight system tracks,
 *                   none mixing missiles (members' nearest truth), numbers
 *                   stable over time
 */
#include <stdlib.h>
#include <string.h>

#include "mwds/assess.h"
#include "mwds/fusion.h"
#include "mwds/geo.h"
#include "mwds/rng.h"
#include "mwds/scenario.h"
#include "mwds/sim.h"
#include "mwds/track.h"
#include "test_util.h"

#define T0 (INT64_C(1795000000) * MWDS_NS_PER_S)
#define SEC(s) ((int64_t)((s)*1e9))

/* ---- small linear algebra of the references ------------------------------------- */

/* Inverse of an n x n matrix (row-major) by Gauss-Jordan with partial
 * pivoting: a method independent of the module's Cholesky solves. */
static void gj_inverse(const double *a, double *inv, int n)
{
    double m[9][18];
    for (int i = 0; i < n; i++)
        for (int j = 0; j < 2 * n; j++)
            m[i][j] = j < n ? a[i * n + j] : (j - n == i);
    for (int c = 0; c < n; c++) {
        int piv = c;
        for (int r = c + 1; r < n; r++)
            if (fabs(m[r][c]) > fabs(m[piv][c]))
                piv = r;
        assert_true(fabs(m[piv][c]) > 0.0);
        for (int j = 0; j < 2 * n; j++) {
            double t = m[c][j];
            m[c][j] = m[piv][j];
            m[piv][j] = t;
        }
        double d = m[c][c];
        for (int j = 0; j < 2 * n; j++)
            m[c][j] /= d;
        for (int r = 0; r < n; r++)
            if (r != c) {
                double fct = m[r][c];
                for (int j = 0; j < 2 * n; j++)
                    m[r][j] -= fct * m[c][j];
            }
    }
    for (int i = 0; i < n; i++)
        for (int j = 0; j < n; j++)
            inv[i * n + j] = m[i][n + j];
}

/* Determinant by Gaussian elimination with partial pivoting. */
static double gj_det(const double *a, int n)
{
    double m[9][9], det = 1.0;
    for (int i = 0; i < n; i++)
        for (int j = 0; j < n; j++)
            m[i][j] = a[i * n + j];
    for (int c = 0; c < n; c++) {
        int piv = c;
        for (int r = c + 1; r < n; r++)
            if (fabs(m[r][c]) > fabs(m[piv][c]))
                piv = r;
        if (piv != c) {
            for (int j = 0; j < n; j++) {
                double t = m[c][j];
                m[c][j] = m[piv][j];
                m[piv][j] = t;
            }
            det = -det;
        }
        det *= m[c][c];
        for (int r = c + 1; r < n; r++) {
            double fct = m[r][c] / m[c][c];
            for (int j = c; j < n; j++)
                m[r][j] -= fct * m[c][j];
        }
    }
    return det;
}

/* The CI covariance at w by explicit inversion: (w A^-1 + (1-w) B^-1)^-1. */
static void ci_reference(const double *a, const double *b, double w, int n, double *p)
{
    double ai[81], bi[81], info[81];
    gj_inverse(a, ai, n);
    gj_inverse(b, bi, n);
    for (int k = 0; k < n * n; k++)
        info[k] = w * ai[k] + (1.0 - w) * bi[k];
    gj_inverse(info, p, n);
}

/* A random symmetric positive definite matrix: R diag(s^2) R^T with R from
 * Gram-Schmidt on normal draws and log-uniform scales in [lo, hi]. */
static void random_spd(mwds_rng *rng, int n, double lo, double hi, double *out)
{
    double q[9][9], s[9];
    for (int j = 0; j < n; j++) {
        for (int i = 0; i < n; i++)
            q[i][j] = mwds_rng_normal(rng);
        for (int k = 0; k < j; k++) {
            double d = 0.0;
            for (int i = 0; i < n; i++)
                d += q[i][j] * q[i][k];
            for (int i = 0; i < n; i++)
                q[i][j] -= d * q[i][k];
        }
        double nrm = 0.0;
        for (int i = 0; i < n; i++)
            nrm += q[i][j] * q[i][j];
        for (int i = 0; i < n; i++)
            q[i][j] /= sqrt(nrm);
        s[j] = lo * pow(hi / lo, mwds_rng_uniform(rng));
    }
    for (int i = 0; i < n; i++)
        for (int j = 0; j < n; j++) {
            double acc = 0.0;
            for (int k = 0; k < n; k++)
                acc += q[i][k] * s[k] * s[k] * q[j][k];
            out[i * n + j] = acc;
        }
}

/* ---- a. covariance intersection ------------------------------------------------- */

/* A = diag(1, 9), B = diag(4, 1). P(w)^-1 = diag(w/a_k + (1-w)/b_k).
 * det: maximise det M = prod (a_k + w (b_k - a_k)): the root of the
 *   derivative is w = -[(b1-a1) a2 + (b2-a2) a1] / [2 (b1-a1)(b2-a2)] = 19/48.
 * trace: minimise sum 1/u_k, u_k = c_k + w d_k with c_k = 1/b_k, d_k = 1/a_k
 *   - 1/b_k: d1/u1^2 = -d2/u2^2 gives u2 = r u1, r = sqrt(-d2/d1), so
 *   w = (r c1 - c2) / (d2 - r d1). */
static void test_ci_hand_solved(void **state)
{
    (void)state;
    const double a[2] = {1.0, 9.0}, b[2] = {4.0, 1.0};
    const double pa[4] = {a[0], 0, 0, a[1]}, pb[4] = {b[0], 0, 0, b[1]};
    const double x1[2] = {1.0, -2.0}, x2[2] = {3.0, 5.0};
    const double w_det = 19.0 / 48.0;
    const double c1 = 1.0 / b[0], c2 = 1.0 / b[1], d1 = 1.0 / a[0] - c1, d2 = 1.0 / a[1] - c2;
    const double r = sqrt(-d2 / d1), w_trace = (r * c1 - c2) / (d2 - r * d1);
    const double want_w[2] = {w_det, w_trace};
    const mwds_ci_criterion crit[2] = {MWDS_CI_DET, MWDS_CI_TRACE};
    for (int c = 0; c < 2; c++) {
        double x[2], p[4], w = -1.0;
        assert_int_equal(mwds_fusion_ci(2, x1, pa, x2, pb, crit[c], x, p, &w), MWDS_OK);
        const double ww = want_w[c];
        print_message("  %s: w %.9f (closed form %.9f)\n", c == 0 ? "det" : "trace", w, ww);
        assert_near(w, ww, 1e-6, "optimal w");
        for (int k = 0; k < 2; k++) {
            double pk = 1.0 / (ww / a[k] + (1.0 - ww) / b[k]);
            double xk = pk * (ww * x1[k] / a[k] + (1.0 - ww) * x2[k] / b[k]);
            assert_rel(p[k * 3], pk, 1e-6, "fused variance");
            assert_near(x[k], xk, 1e-6, "fused mean");
        }
        assert_near(p[1], 0.0, 1e-12, "off-diagonal");
        assert_near(p[2], 0.0, 1e-12, "off-diagonal");
    }
}

/* In 1-D the CI variance 1/(w/a + (1-w)/b) is smallest at the better end:
 * the result is that estimate exactly, whatever the criterion. */
static void test_ci_end_points_1d(void **state)
{
    (void)state;
    const double x1 = 2.0, a = 3.0, x2 = -7.0, b = 5.0;
    for (int c = 0; c < 2; c++) {
        double x, p, w;
        assert_int_equal(mwds_fusion_ci(1, &x1, &a, &x2, &b, (mwds_ci_criterion)c, &x, &p, &w),
                         MWDS_OK);
        assert_true(w == 1.0 && x == x1 && p == a);
        assert_int_equal(mwds_fusion_ci(1, &x2, &b, &x1, &a, (mwds_ci_criterion)c, &x, &p, &w),
                         MWDS_OK);
        assert_true(w == 0.0 && x == x1 && p == a);
    }
}

/* CI of two identical estimates (say two copies of one independent
 * estimate): no worse than either. CI cannot know they are independent, so
 * it cannot gain either: the result is the estimate itself. */
static void test_ci_identical(void **state)
{
    (void)state;
    mwds_rng rng;
    mwds_rng_seed(&rng, 7, 0);
    for (int trial = 0; trial < 20; trial++) {
        double pa[36], x1[6], x[6], p[36], w;
        random_spd(&rng, 6, 1.0, 1e3, pa);
        for (int i = 0; i < 6; i++)
            x1[i] = 1e3 * mwds_rng_normal(&rng);
        for (int c = 0; c < 2; c++) {
            assert_int_equal(mwds_fusion_ci(6, x1, pa, x1, pa, (mwds_ci_criterion)c, x, p, &w),
                             MWDS_OK);
            assert_true(gj_det(p, 6) <= gj_det(pa, 6) * (1.0 + 1e-9));
            for (int i = 0; i < 6; i++) {
                assert_near(x[i], x1[i], 1e-9 * (1.0 + fabs(x1[i])), "mean");
                for (int j = 0; j < 6; j++)
                    assert_near(p[i * 6 + j], pa[i * 6 + j], 1e-9 * sqrt(pa[i * 7] * pa[j * 7]),
                                "covariance");
            }
        }
    }
}

/* Random 6-D pairs with position-like (1..1e6) and velocity-like scales:
 * the criterion at the returned w is at most the best of a 10,001-point
 * grid, and the fused covariance and mean equal the explicit-inverse
 * formulas at that w. */
static void test_ci_against_grid(void **state)
{
    (void)state;
    mwds_rng rng;
    mwds_rng_seed(&rng, 11, 0);
    int interior = 0;
    for (int trial = 0; trial < 40; trial++) {
        double pa[36], pb[36], x1[6], x2[6], x[6], p[36], w;
        random_spd(&rng, 6, 1.0, 1e3, pa);
        random_spd(&rng, 6, 1.0, 1e3, pb);
        for (int i = 0; i < 6; i++) {
            x1[i] = 100.0 * mwds_rng_normal(&rng);
            x2[i] = 100.0 * mwds_rng_normal(&rng);
        }
        const mwds_ci_criterion crit = (mwds_ci_criterion)(trial % 2);
        assert_int_equal(mwds_fusion_ci(6, x1, pa, x2, pb, crit, x, p, &w), MWDS_OK);
        assert_true(w >= 0.0 && w <= 1.0);
        interior += w > 0.0 && w < 1.0;
        double pr[36];
        double best = INFINITY;
        for (int g = 0; g <= 10000; g++) {
            ci_reference(pa, pb, g / 10000.0, 6, pr);
            double v = 0.0;
            if (crit == MWDS_CI_DET) {
                v = log(gj_det(pr, 6));
            } else {
                for (int i = 0; i < 6; i++)
                    v += pr[i * 7];
            }
            best = fmin(best, v);
        }
        ci_reference(pa, pb, w, 6, pr);
        double got = 0.0, scale = 0.0;
        if (crit == MWDS_CI_DET) {
            got = log(gj_det(p, 6));
            scale = 1.0;
        } else {
            for (int i = 0; i < 6; i++)
                got += p[i * 7];
            scale = got;
        }
        if (!(got <= best + 1e-9 * scale))
            fail_msg("trial %d: criterion %.15g at w %.9f, grid best %.15g", trial, got, w, best);
        /* covariance and mean by the information form at the same w */
        double ai[36], bi[36];
        gj_inverse(pa, ai, 6);
        gj_inverse(pb, bi, 6);
        double info_x[6];
        for (int k = 0; k < 6; k++) {
            info_x[k] = 0.0;
            for (int j = 0; j < 6; j++)
                info_x[k] += w * ai[k * 6 + j] * x1[j] + (1.0 - w) * bi[k * 6 + j] * x2[j];
        }
        for (int i = 0; i < 6; i++) {
            double xi = 0.0;
            for (int k = 0; k < 6; k++)
                xi += pr[i * 6 + k] * info_x[k];
            assert_near(x[i], xi, 1e-6 * (1.0 + fabs(xi)), "mean against the information form");
            for (int j = 0; j < 6; j++)
                assert_near(p[i * 6 + j], pr[i * 6 + j], 1e-7 * sqrt(pr[i * 7] * pr[j * 7]),
                            "covariance against explicit inversion");
        }
    }
    print_message("  40 random pairs: %d with w inside (0, 1)\n", interior);
    assert_true(interior >= 10); /* the search itself was exercised */
}

/* Errors of one component pair with correlation rho: e1 = sqrt(a) z1,
 * e2 = sqrt(b) (rho z1 + sqrt(1 - rho^2) z2). The CI estimate's error in
 * that component is P (w e1 / a + (1-w) e2 / b), whose exact variance is
 * P^2 (w^2 / a + (1-w)^2 / b + 2 w (1-w) rho / sqrt(a b)). */
static double ci_true_var(double a, double b, double w, double rho)
{
    double pk = 1.0 / (w / a + (1.0 - w) / b);
    return pk * pk *
           (w * w / a + (1.0 - w) * (1.0 - w) / b + 2.0 * w * (1.0 - w) * rho / sqrt(a * b));
}

static void test_ci_consistency_monte_carlo(void **state)
{
    (void)state;
    const double a[2] = {1.0, 9.0}, b[2] = {4.0, 1.0};
    const double pa[4] = {a[0], 0, 0, a[1]}, pb[4] = {b[0], 0, 0, b[1]};
    /* exactly: the CI variance bounds the true one for every correlation */
    for (int c = 0; c < 2; c++) {
        double x0[2] = {0, 0}, x[2], p[4], w;
        assert_int_equal(mwds_fusion_ci(2, x0, pa, x0, pb, (mwds_ci_criterion)c, x, p, &w),
                         MWDS_OK);
        double worst = 0.0;
        for (int k = 0; k <= 200; k++) {
            const double rho = -1.0 + k / 100.0;
            for (int d = 0; d < 2; d++)
                worst = fmax(worst, ci_true_var(a[d], b[d], w, rho) / p[d * 3]);
        }
        print_message("  %s criterion: largest true/CI variance over rho in [-1, 1]: %.4f\n",
                      c == 0 ? "det" : "trace", worst);
        assert_true(worst <= 1.0 + 1e-12);
    }
    /* Monte Carlo with correlated errors: NEES of the CI estimate and of the
     * combination that assumes independence, (A^-1 + B^-1)^-1 */
    const double rhos[4] = {-0.5, 0.0, 0.5, 0.9};
    const int runs = 20000;
    mwds_rng rng;
    mwds_rng_seed(&rng, 2026, 1);
    for (int q = 0; q < 4; q++) {
        const double rho = rhos[q];
        double nees = 0.0, nees_naive = 0.0, s00 = 0.0, s11 = 0.0, s01 = 0.0, p[4] = {0};
        for (int r = 0; r < runs; r++) {
            double x1[2], x2[2], x[2], w;
            for (int d = 0; d < 2; d++) {
                double z1 = mwds_rng_normal(&rng), z2 = mwds_rng_normal(&rng);
                x1[d] = 10.0 + sqrt(a[d]) * z1; /* truth 10 in each component */
                x2[d] = 10.0 + sqrt(b[d]) * (rho * z1 + sqrt(1.0 - rho * rho) * z2);
            }
            assert_int_equal(mwds_fusion_ci(2, x1, pa, x2, pb, MWDS_CI_DET, x, p, &w), MWDS_OK);
            double e0 = x[0] - 10.0, e1 = x[1] - 10.0;
            nees += e0 * e0 / p[0] + e1 * e1 / p[3];
            s00 += e0 * e0;
            s11 += e1 * e1;
            s01 += e0 * e1;
            for (int d = 0; d < 2; d++) {
                double pn = 1.0 / (1.0 / a[d] + 1.0 / b[d]);
                double xn = pn * (x1[d] / a[d] + x2[d] / b[d]) - 10.0;
                nees_naive += xn * xn / pn;
            }
        }
        nees /= runs;
        nees_naive /= runs;
        /* largest eigenvalue of P^-1/2 S P^-1/2 (P is diagonal) */
        double m00 = s00 / runs / p[0], m11 = s11 / runs / p[3];
        double m01 = s01 / runs / sqrt(p[0] * p[3]);
        double lmax = 0.5 * (m00 + m11) + sqrt(0.25 * (m00 - m11) * (m00 - m11) + m01 * m01);
        print_message("  rho %+.1f: CI NEES mean %.3f (dimension 2), largest eigenvalue of the "
                      "empirical error covariance over the CI one %.3f; assuming independence: "
                      "NEES %.3f\n",
                      rho, nees, lmax, nees_naive);
        /* the NEES mean's standard error is at most sqrt(2 n / runs) = 0.014 */
        assert_true(nees <= 2.0 + 0.05);
        assert_true(lmax <= 1.0 + 0.03);
        if (rho >= 0.5)
            assert_true(nees_naive > 2.3); /* the test can fail: this combination does */
    }
}

static void test_ci_errors(void **state)
{
    (void)state;
    double x1[2] = {1, 2}, x2[2] = {3, 4}, pa[4] = {1, 0, 0, 1}, pb[4] = {2, 0, 0, 2};
    double x[2] = {-1, -1}, p[4] = {-1, -1, -1, -1}, w = -1.0;
    assert_int_equal(mwds_fusion_ci(0, x1, pa, x2, pb, MWDS_CI_DET, x, p, &w), MWDS_EINVAL);
    assert_int_equal(mwds_fusion_ci(10, x1, pa, x2, pb, MWDS_CI_DET, x, p, &w), MWDS_EINVAL);
    assert_int_equal(mwds_fusion_ci(2, NULL, pa, x2, pb, MWDS_CI_DET, x, p, &w), MWDS_EINVAL);
    assert_int_equal(mwds_fusion_ci(2, x1, pa, x2, pb, (mwds_ci_criterion)7, x, p, &w),
                     MWDS_EINVAL);
    double bad[4] = {1, 2, 2, 1}; /* eigenvalues 3 and -1 */
    assert_int_equal(mwds_fusion_ci(2, x1, bad, x2, pb, MWDS_CI_DET, x, p, &w), MWDS_ENOTPD);
    assert_int_equal(mwds_fusion_ci(2, x1, pa, x2, bad, MWDS_CI_TRACE, x, p, &w), MWDS_ENOTPD);
    double nan2[2] = {NAN, 0};
    assert_int_equal(mwds_fusion_ci(2, nan2, pa, x2, pb, MWDS_CI_DET, x, p, &w), MWDS_ENUMERIC);
    assert_true(x[0] == -1 && x[1] == -1 && p[0] == -1 && w == -1.0); /* untouched */
}

/* ---- b. the fusion context on synthetic sources --------------------------------- */

static const mwds_filter_params NOISE_FREE = {MWDS_FORCE_ALL & ~(unsigned)MWDS_FORCE_THRUST, 0, 0,
                                              0, 1.0};

/* The object of the synthetic tests: 250 km over the Sea of Japan (40 N
 * 133 E) at T0, 3 km/s eastwards, 1/beta 1e-4 m^2/kg; its state at t_ns
 * (noise-free EKF prediction: the truth of these tests). */
static mwds_filter_state object_at(int64_t t_ns)
{
    mwds_lla here = {40.0 * MWDS_DEG2RAD, 133.0 * MWDS_DEG2RAD, 250e3};
    mwds_vec3 p = mwds_geo_lla_to_ecef(here);
    mwds_vec3 v = mwds_m3t_mul_v3(mwds_geo_enu_rotation(here.lat_rad, here.lon_rad),
                                  mwds_v3(3000.0, 0.0, 0.0));
    double x[7] = {p.v[0], p.v[1], p.v[2], v.v[0], v.v[1], v.v[2], 1e-4}, p0[49] = {0};
    for (int i = 0; i < 7; i++)
        p0[i * 8] = 1.0;
    mwds_filter_state s;
    assert_int_equal(mwds_filter_init(&s, MWDS_MODEL_BALLISTIC, T0, x, p0), MWDS_OK);
    if (t_ns != T0)
        assert_int_equal(mwds_ekf_predict(&NOISE_FREE, &s, t_ns), MWDS_OK);
    return s;
}

/* A source track of the object at t_ns, its position moved by `off_m`
 * along ECEF x, with diagonal covariance: position sigma sp, velocity sv. */
static mwds_source_track source_at(const char *origin, uint32_t number, int64_t t_ns, double off_m,
                                   double sp, double sv)
{
    mwds_filter_state o = object_at(t_ns);
    double x[7], p[49] = {0};
    for (int i = 0; i < 7; i++)
        x[i] = o.x.v[i];
    x[0] += off_m;
    for (int i = 0; i < 3; i++) {
        p[i * 8] = sp * sp;
        p[(i + 3) * 8] = sv * sv;
    }
    p[48] = 1e-10;
    mwds_source_track s;
    memset(&s, 0, sizeof s);
    snprintf(s.origin, sizeof s.origin, "%s", origin);
    s.number = number;
    assert_int_equal(mwds_filter_init(&s.f, MWDS_MODEL_BALLISTIC, t_ns, x, p), MWDS_OK);
    s.t_init_ns = t_ns - SEC(60);
    s.t_update_ns = t_ns;
    s.hits = 40;
    return s;
}

static mwds_fusion *new_fusion(int max_sources, int max_system)
{
    mwds_fusion_config c;
    mwds_fusion_config_default(&c);
    if (max_sources > 0)
        c.max_sources = max_sources;
    if (max_system > 0)
        c.max_system = max_system;
    mwds_fusion *f = NULL;
    assert_int_equal(mwds_fusion_create(&c, &f), MWDS_OK);
    return f;
}

static int live_system(const mwds_fusion *f, const mwds_track **only)
{
    int n_slots, n = 0;
    const mwds_track *t = mwds_fusion_tracks(f, &n_slots);
    for (int i = 0; i < n_slots; i++)
        if (t[i].status == MWDS_TRACK_CONFIRMED) {
            assert_int_not_equal(t[i].number, 0);
            if (only != NULL)
                *only = &t[i];
            n++;
        }
    return n;
}

static uint32_t system_of(const mwds_fusion *f, const char *origin, uint32_t number)
{
    uint32_t s = 0;
    assert_int_equal(mwds_fusion_source_system(f, origin, number, &s), MWDS_OK);
    return s;
}

/* A system track of one member is that member, predicted to the run; the
 * stored source is never changed by the prediction (a run in between does
 * not alter a later run's result by a single bit). */
static void test_single_member(void **state)
{
    (void)state;
    mwds_fusion_config c;
    mwds_fusion_config_default(&c);
    mwds_fusion *f = new_fusion(0, 0);
    mwds_source_track s = source_at("KOR", 5, T0, 0.0, 300.0, 20.0);
    assert_int_equal(mwds_fusion_put(f, &s), MWDS_OK);
    assert_int_equal(mwds_fusion_run(f, T0), MWDS_OK);
    const mwds_track *tr = NULL;
    assert_int_equal(live_system(f, &tr), 1);
    assert_non_null(tr);
    const mwds_filter_state got = tr->f;
    assert_int_equal(memcmp(&got, &s.f, sizeof s.f), 0);
    assert_true(tr->t_init_ns == s.t_init_ns && tr->t_update_ns == s.t_update_ns);
    assert_int_equal(tr->hits, s.hits);
    const uint32_t num = tr->number;
    /* 0 -> 2.5 s -> 10 s with runs: the output at 10 s is the direct
     * prediction 0 -> 10 s (sub-steps 1 s), not 2.5 + 7.5 s */
    mwds_filter_state want = s.f;
    assert_int_equal(mwds_ekf_predict(&c.fp, &want, T0 + SEC(10)), MWDS_OK);
    mwds_filter_state twice = s.f;
    assert_int_equal(mwds_ekf_predict(&c.fp, &twice, T0 + SEC(2.5)), MWDS_OK);
    assert_int_equal(mwds_ekf_predict(&c.fp, &twice, T0 + SEC(10)), MWDS_OK);
    assert_true(memcmp(&want.x, &twice.x, sizeof want.x) != 0); /* the check can tell */
    assert_int_equal(mwds_fusion_run(f, T0 + SEC(2.5)), MWDS_OK);
    assert_int_equal(mwds_fusion_run(f, T0 + SEC(10)), MWDS_OK);
    assert_int_equal(live_system(f, &tr), 1);
    assert_int_equal(tr->number, num);
    assert_int_equal(memcmp(&tr->f, &want, sizeof want), 0);
    mwds_fusion_destroy(f);
}

/* Two nations' tracks of one object fuse into one system track whose
 * covariance is no larger than either's; two tracks of one nation never
 * fuse, however close. */
static void test_two_origins(void **state)
{
    (void)state;
    mwds_fusion *f = new_fusion(0, 0);
    mwds_source_track k = source_at("KOR", 3, T0, 150.0, 300.0, 20.0);
    mwds_source_track u = source_at("USA", 8, T0, -100.0, 200.0, 30.0);
    mwds_source_track k2 = source_at("KOR", 4, T0, 0.0, 300.0, 20.0);
    assert_int_equal(mwds_fusion_put(f, &k), MWDS_OK);
    assert_int_equal(mwds_fusion_put(f, &u), MWDS_OK);
    assert_int_equal(mwds_fusion_run(f, T0), MWDS_OK);
    const mwds_track *tr = NULL;
    assert_int_equal(live_system(f, &tr), 1);
    char org[4][MWDS_ORIGIN_LEN];
    uint32_t nums[4];
    assert_int_equal(mwds_fusion_members(f, tr->number, org, nums, 4), 2);
    assert_string_equal(org[0], "KOR");
    assert_int_equal(nums[0], 3);
    assert_string_equal(org[1], "USA");
    assert_int_equal(nums[1], 8);
    assert_int_equal(tr->hits, 80);
    /* the fused position lies between the two, its covariance within both */
    mwds_filter_state o = object_at(T0);
    double dx = tr->f.x.v[0] - o.x.v[0];
    assert_true(dx > -100.0 && dx < 150.0);
    double pf[36], pk[36], pu[36];
    for (int i = 0; i < 6; i++)
        for (int j = 0; j < 6; j++) {
            pf[i * 6 + j] = tr->f.p.m[i][j];
            pk[i * 6 + j] = k.f.p.m[i][j];
            pu[i * 6 + j] = u.f.p.m[i][j];
        }
    assert_true(gj_det(pf, 6) <= fmin(gj_det(pk, 6), gj_det(pu, 6)));
    /* a second KOR track on the object starts its own system track */
    assert_int_equal(mwds_fusion_put(f, &k2), MWDS_OK);
    assert_int_equal(mwds_fusion_run(f, T0), MWDS_OK);
    assert_int_equal(live_system(f, NULL), 2);
    assert_int_not_equal(system_of(f, "KOR", 4), system_of(f, "KOR", 3));
    assert_int_equal(system_of(f, "KOR", 3), system_of(f, "USA", 8));
    mwds_fusion_destroy(f);
}

/* The model and the states beyond position and velocity come from the
 * member with the smallest position covariance, with its joint
 * distribution: when that member is better in every direction (w = 1), the
 * system track is exactly that member, thrust states and cross-covariances
 * included. */
static void test_model_from_best_member(void **state)
{
    (void)state;
    mwds_fusion *f = new_fusion(0, 0);
    mwds_filter_state o = object_at(T0);
    /* a boost-model member with thrust correlated with velocity */
    double x[9], p[81] = {0};
    for (int i = 0; i < 6; i++)
        x[i] = o.x.v[i];
    x[6] = 5.0;
    x[7] = -3.0;
    x[8] = 1.0;
    for (int i = 0; i < 3; i++) {
        p[i * 10] = 100.0 * 100.0;
        p[(i + 3) * 10] = 10.0 * 10.0;
        p[(i + 6) * 10] = 4.0 * 4.0;
        p[(i + 3) * 9 + i + 6] = p[(i + 6) * 9 + i + 3] = 0.6 * 10.0 * 4.0;
        p[i * 9 + i + 3] = p[(i + 3) * 9 + i] = 0.3 * 100.0 * 10.0;
    }
    mwds_source_track b;
    memset(&b, 0, sizeof b);
    snprintf(b.origin, sizeof b.origin, "JPN");
    b.number = 1;
    assert_int_equal(mwds_filter_init(&b.f, MWDS_MODEL_BOOST, T0, x, p), MWDS_OK);
    b.t_update_ns = T0;
    mwds_source_track w = source_at("KOR", 2, T0, 300.0, 1000.0, 100.0); /* worse everywhere */
    assert_int_equal(mwds_fusion_put(f, &w), MWDS_OK);
    assert_int_equal(mwds_fusion_put(f, &b), MWDS_OK);
    assert_int_equal(mwds_fusion_run(f, T0), MWDS_OK);
    const mwds_track *tr = NULL;
    assert_int_equal(live_system(f, &tr), 1);
    assert_int_equal(mwds_fusion_members(f, tr->number, NULL, NULL, 0), 2);
    assert_int_equal(tr->f.model, MWDS_MODEL_BOOST);
    assert_int_equal(tr->f.n, 9);
    for (int i = 0; i < 9; i++) {
        assert_near(tr->f.x.v[i], x[i], 1e-9 * (1.0 + fabs(x[i])), "state");
        for (int j = 0; j < 9; j++)
            assert_near(tr->f.p.m[i][j], p[i * 9 + j], 1e-9 * sqrt(p[i * 10] * p[j * 10]),
                        "covariance");
    }
    /* comparable members: the thrust states follow the fused velocity
     * through their correlation, and the whole covariance stays positive
     * definite */
    mwds_source_track u = source_at("USA", 3, T0, 60.0, 80.0, 12.0);
    u.f.p.m[0][0] = 400.0 * 400.0; /* worse along x, better along y and z */
    assert_int_equal(mwds_fusion_put(f, &u), MWDS_OK);
    assert_int_equal(mwds_fusion_run(f, T0), MWDS_OK);
    assert_int_equal(live_system(f, &tr), 1);
    assert_int_equal(mwds_fusion_members(f, tr->number, NULL, NULL, 0), 3);
    assert_int_equal(tr->f.n, 9);
    mwds_mat9 l;
    assert_int_equal(mwds_m9_chol(&tr->f.p, &l), MWDS_OK);
    for (int i = 6; i < 9; i++)
        assert_true(tr->f.p.m[i][i] <= p[i * 10] * (1.0 + 1e-12)); /* never less certain */
    mwds_fusion_destroy(f);
}

/* Association is global: two KOR tracks 2 km apart (A at 0, B at 2 km,
 * position sigma 300 m) and two USA tracks, u1 at 0.9 km (inside both
 * gates, nearer A) and u2 at -1.2 km (inside A's gate only). Nearest
 * neighbour first would give u1 to A and leave u2 alone; the minimum
 * summed d^2 pairs u2 with A and u1 with B. With max_cluster 1 the cluster
 * is assigned greedily instead, and the outcome shows it. */
static void test_global_assignment(void **state)
{
    (void)state;
    for (int greedy = 0; greedy <= 1; greedy++) {
        mwds_fusion_config c;
        mwds_fusion_config_default(&c);
        c.max_cluster = greedy ? 1 : 64;
        mwds_fusion *f = NULL;
        assert_int_equal(mwds_fusion_create(&c, &f), MWDS_OK);
        const mwds_source_track src[4] = {source_at("KOR", 1, T0, 0.0, 300.0, 10.0),
                                          source_at("KOR", 2, T0, 2000.0, 300.0, 10.0),
                                          source_at("USA", 1, T0, 900.0, 300.0, 10.0),
                                          source_at("USA", 2, T0, -1200.0, 300.0, 10.0)};
        for (int i = 0; i < 4; i++)
            assert_int_equal(mwds_fusion_put(f, &src[i]), MWDS_OK);
        assert_int_equal(mwds_fusion_run(f, T0), MWDS_OK);
        const uint32_t a = system_of(f, "KOR", 1), b = system_of(f, "KOR", 2);
        mwds_fusion_stats st;
        mwds_fusion_get_stats(f, &st);
        if (!greedy) {
            assert_int_equal(system_of(f, "USA", 2), a);
            assert_int_equal(system_of(f, "USA", 1), b);
            assert_int_equal(live_system(f, NULL), 2);
            assert_int_equal(st.greedy_clusters, 0);
        } else {
            assert_int_equal(system_of(f, "USA", 1), a);
            assert_int_equal(live_system(f, NULL), 3);
            assert_int_equal(st.greedy_clusters, 1);
        }
        mwds_fusion_destroy(f);
    }
}

/* Continuity: a member that leaves the gate leaves its system track (which
 * keeps its number); merging: two system tracks of different origins that
 * come to agree become the older one, the other's number in merged_from. */
static void test_continuity_and_merge(void **state)
{
    (void)state;
    mwds_fusion *f = new_fusion(0, 0);
    mwds_source_track k = source_at("KOR", 1, T0, 0.0, 200.0, 10.0);
    mwds_source_track u = source_at("USA", 1, T0, 100.0, 200.0, 10.0);
    assert_int_equal(mwds_fusion_put(f, &k), MWDS_OK);
    assert_int_equal(mwds_fusion_put(f, &u), MWDS_OK);
    assert_int_equal(mwds_fusion_run(f, T0), MWDS_OK);
    const uint32_t s1 = system_of(f, "KOR", 1);
    assert_int_equal(system_of(f, "USA", 1), s1);
    /* USA's track jumps 20 km (50 sigma) away */
    u = source_at("USA", 1, T0 + SEC(1), 20e3, 200.0, 10.0);
    k = source_at("KOR", 1, T0 + SEC(1), 0.0, 200.0, 10.0);
    assert_int_equal(mwds_fusion_put(f, &k), MWDS_OK);
    assert_int_equal(mwds_fusion_put(f, &u), MWDS_OK);
    assert_int_equal(mwds_fusion_run(f, T0 + SEC(1)), MWDS_OK);
    assert_int_equal(system_of(f, "KOR", 1), s1); /* the anchor keeps the number */
    const uint32_t s2 = system_of(f, "USA", 1);
    assert_true(s2 != 0 && s2 != s1);
    assert_int_equal(live_system(f, NULL), 2);
    mwds_fusion_stats st;
    mwds_fusion_get_stats(f, &st);
    assert_int_equal(st.continuity_breaks, 1);
    /* it comes back: the two system tracks merge into the older, s1 */
    u = source_at("USA", 1, T0 + SEC(2), 50.0, 200.0, 10.0);
    k = source_at("KOR", 1, T0 + SEC(2), 0.0, 200.0, 10.0);
    assert_int_equal(mwds_fusion_put(f, &k), MWDS_OK);
    assert_int_equal(mwds_fusion_put(f, &u), MWDS_OK);
    assert_int_equal(mwds_fusion_run(f, T0 + SEC(2)), MWDS_OK);
    const mwds_track *tr = NULL;
    assert_int_equal(live_system(f, &tr), 1);
    assert_int_equal(tr->number, s1);
    assert_int_equal(tr->merged_from, s2);
    assert_int_equal(system_of(f, "USA", 1), s1);
    mwds_fusion_get_stats(f, &st);
    assert_int_equal(st.system_merged, 1);
    mwds_fusion_destroy(f);
}

/* A source not updated for stale_s is dropped, its partner keeps the
 * system track and its number; an ended source too; a system track whose
 * members are all gone is removed. */
static void test_stale_and_ended(void **state)
{
    (void)state;
    mwds_fusion_config c;
    mwds_fusion_config_default(&c);
    mwds_fusion *f = new_fusion(0, 0);
    mwds_source_track k = source_at("KOR", 1, T0, 0.0, 200.0, 10.0);
    mwds_source_track u = source_at("USA", 1, T0, 0.0, 200.0, 10.0);
    mwds_source_track j = source_at("JPN", 1, T0, 0.0, 200.0, 10.0);
    assert_int_equal(mwds_fusion_put(f, &k), MWDS_OK);
    assert_int_equal(mwds_fusion_put(f, &u), MWDS_OK);
    assert_int_equal(mwds_fusion_put(f, &j), MWDS_OK);
    assert_int_equal(mwds_fusion_run(f, T0), MWDS_OK);
    const uint32_t s = system_of(f, "KOR", 1);
    assert_int_equal(mwds_fusion_members(f, s, NULL, NULL, 0), 3);
    /* KOR and JPN keep reporting, USA falls silent */
    const int last = (int)c.stale_s + 2;
    for (int sec = 1; sec <= last; sec++) {
        const int64_t t = T0 + SEC(sec);
        k = source_at("KOR", 1, t, 0.0, 200.0, 10.0);
        j = source_at("JPN", 1, t, 0.0, 200.0, 10.0);
        assert_int_equal(mwds_fusion_put(f, &k), MWDS_OK);
        assert_int_equal(mwds_fusion_put(f, &j), MWDS_OK);
        assert_int_equal(mwds_fusion_run(f, t), MWDS_OK);
        const int held = mwds_fusion_source_system(f, "USA", 1, &(uint32_t){0}) == MWDS_OK;
        assert_int_equal(held, sec <= c.stale_s); /* kept up to stale_s, not after */
        assert_int_equal(system_of(f, "KOR", 1), s);
        assert_int_equal(mwds_fusion_members(f, s, NULL, NULL, 0), held ? 3 : 2);
    }
    mwds_fusion_stats st;
    mwds_fusion_get_stats(f, &st);
    assert_int_equal(st.sources_stale, 1);
    /* JPN ends its track: KOR carries the system track on alone */
    mwds_source_track end = {.origin = "JPN", .number = 1, .ended = 1};
    assert_int_equal(mwds_fusion_put(f, &end), MWDS_OK);
    assert_int_equal(mwds_fusion_run(f, T0 + SEC(last)), MWDS_OK);
    char org[4][MWDS_ORIGIN_LEN];
    assert_int_equal(mwds_fusion_members(f, s, org, (uint32_t[4]){0}, 4), 1);
    assert_string_equal(org[0], "KOR");
    assert_int_equal(mwds_fusion_source_system(f, "JPN", 1, &(uint32_t){0}), MWDS_ENOTFOUND);
    /* an ended track that is not held is ignored */
    end.number = 99;
    assert_int_equal(mwds_fusion_put(f, &end), MWDS_OK);
    /* the last member ends: the system track goes */
    snprintf(end.origin, sizeof end.origin, "KOR");
    end.number = 1;
    assert_int_equal(mwds_fusion_put(f, &end), MWDS_OK);
    assert_int_equal(mwds_fusion_run(f, T0 + SEC(last)), MWDS_OK);
    assert_int_equal(live_system(f, NULL), 0);
    assert_int_equal(mwds_fusion_members(f, s, NULL, NULL, 0), 0);
    mwds_fusion_get_stats(f, &st);
    assert_int_equal(st.sources_ended, 2);
    assert_int_equal(st.system_removed, 1);
    mwds_fusion_destroy(f);
}

static void test_pool_full(void **state)
{
    (void)state;
    /* sources */
    mwds_fusion *f = new_fusion(2, 0);
    mwds_source_track a = source_at("KOR", 1, T0, 0.0, 200.0, 10.0);
    mwds_source_track b = source_at("USA", 1, T0, 0.0, 200.0, 10.0);
    mwds_source_track c = source_at("JPN", 1, T0, 0.0, 200.0, 10.0);
    assert_int_equal(mwds_fusion_put(f, &a), MWDS_OK);
    assert_int_equal(mwds_fusion_put(f, &b), MWDS_OK);
    assert_int_equal(mwds_fusion_put(f, &c), MWDS_EFULL);
    assert_int_equal(mwds_fusion_put(f, &a), MWDS_OK); /* an update still fits */
    assert_int_equal(mwds_fusion_run(f, T0), MWDS_OK);
    assert_int_equal(mwds_fusion_source_system(f, "JPN", 1, &(uint32_t){0}), MWDS_ENOTFOUND);
    mwds_fusion_destroy(f);
    /* system tracks: two objects 100 km apart, one slot */
    f = new_fusion(0, 1);
    b = source_at("USA", 1, T0, 100e3, 200.0, 10.0);
    assert_int_equal(mwds_fusion_put(f, &a), MWDS_OK);
    assert_int_equal(mwds_fusion_put(f, &b), MWDS_OK);
    assert_int_equal(mwds_fusion_run(f, T0), MWDS_EFULL);
    assert_int_equal(live_system(f, NULL), 1);
    assert_int_equal(system_of(f, "KOR", 1), 1); /* KOR first in code order */
    assert_int_equal(system_of(f, "USA", 1), 0); /* held, tried again next run */
    mwds_fusion_stats st;
    mwds_fusion_get_stats(f, &st);
    assert_int_equal(st.pool_full, 1);
    mwds_fusion_destroy(f);
}

static void test_bad_input(void **state)
{
    (void)state;
    mwds_fusion_config c;
    mwds_fusion_config_default(&c);
    mwds_fusion *f = NULL;
    mwds_fusion_config bad = c;
    bad.max_sources = 0;
    assert_int_equal(mwds_fusion_create(&bad, &f), MWDS_EINVAL);
    bad = c;
    bad.gate_p = 1.0;
    assert_int_equal(mwds_fusion_create(&bad, &f), MWDS_EINVAL);
    bad = c;
    bad.stale_s = NAN;
    assert_int_equal(mwds_fusion_create(&bad, &f), MWDS_EINVAL);
    bad = c;
    bad.criterion = (mwds_ci_criterion)3;
    assert_int_equal(mwds_fusion_create(&bad, &f), MWDS_EINVAL);
    assert_int_equal(mwds_fusion_create(NULL, &f), MWDS_EINVAL);
    assert_null(f);
    f = new_fusion(0, 0);
    mwds_source_track s = source_at("KOR", 1, T0, 0.0, 200.0, 10.0), t;
    t = s;
    t.number = 0;
    assert_int_equal(mwds_fusion_put(f, &t), MWDS_EINVAL);
    t = s;
    memset(t.origin, 0, sizeof t.origin);
    assert_int_equal(mwds_fusion_put(f, &t), MWDS_EINVAL);
    t = s;
    memcpy(t.origin, "KORE", 4); /* no terminator */
    assert_int_equal(mwds_fusion_put(f, &t), MWDS_EINVAL);
    t = s;
    t.f.n = 9; /* a ballistic state is 7 */
    assert_int_equal(mwds_fusion_put(f, &t), MWDS_EINVAL);
    t = s;
    t.f.p.m[2][2] = INFINITY;
    assert_int_equal(mwds_fusion_put(f, &t), MWDS_EINVAL);
    t = s;
    t.hits = -1;
    assert_int_equal(mwds_fusion_put(f, &t), MWDS_EINVAL);
    assert_int_equal(mwds_fusion_put(f, NULL), MWDS_EINVAL);
    assert_int_equal(mwds_fusion_run(NULL, T0), MWDS_EINVAL);
    assert_int_equal(mwds_fusion_run(f, T0), MWDS_OK);
    assert_int_equal(live_system(f, NULL), 0); /* nothing refused was stored */
    /* a covariance that is not positive definite sits the run out */
    t = s;
    t.f.p.m[0][0] = -1.0;
    assert_int_equal(mwds_fusion_put(f, &t), MWDS_OK);
    assert_int_equal(mwds_fusion_run(f, T0), MWDS_OK);
    assert_int_equal(live_system(f, NULL), 0);
    assert_int_equal(system_of(f, "KOR", 1), 0);
    mwds_fusion_stats st;
    mwds_fusion_get_stats(f, &st);
    assert_true(st.numeric_errors + st.filter_errors >= 1);
    assert_int_equal(mwds_fusion_members(f, 12345, NULL, NULL, 0), 0);
    assert_int_equal(mwds_fusion_source_system(f, "USA", 1, &(uint32_t){0}), MWDS_ENOTFOUND);
    mwds_fusion_destroy(f);
    mwds_fusion_destroy(NULL);
}

/* ---- c. the real chain: simulator, one tracker per nation, fusion --------------- */

#define LOOK_CAP 512
#define MAX_NODES 4
#define MAX_FED 128
#define FUSE_EVERY_S 2.0

typedef struct node {
    char code[MWDS_ORIGIN_LEN];
    mwds_sensor sensors[8];
    size_t n_sensors;
    mwds_tracker *tracker;
    uint32_t fed[MAX_FED]; /* numbers put at the last feed */
    int n_fed;
} node;

typedef struct exercise {
    mwds_scenario sc;
    mwds_sim *sim;
    node nodes[MAX_NODES];
    size_t n_nodes;
    uint32_t local_id[16];
    mwds_fusion *fusion;
    mwds_fusion_config fc;
    mwds_measurement buf[LOOK_CAP];
    int64_t t_ns; /* the latest look */
} exercise;

static void exercise_open(exercise *x, const char *name, const char *yaml)
{
    memset(x, 0, sizeof *x);
    char err[256] = "";
    mwds_err e = mwds_scenario_parse(name, yaml, strlen(yaml), &x->sc, err, sizeof err);
    if (e != MWDS_OK)
        fail_msg("%s: %s", name, err);
    if ((e = mwds_sim_create(&x->sc, &x->sim, err, sizeof err)) != MWDS_OK)
        fail_msg("%s simulator: %s", name, err);
    assert_true(x->sc.n_nations <= MAX_NODES && x->sc.n_sensors <= 16);
    mwds_tracker_config tc;
    mwds_tracker_config_default(&tc);
    tc.max_tracks = 256;
    tc.max_meas_per_look = LOOK_CAP;
    x->n_nodes = x->sc.n_nations;
    for (size_t a = 0; a < x->n_nodes; a++) {
        node *nd = &x->nodes[a];
        snprintf(nd->code, sizeof nd->code, "%s", x->sc.nations[a].code);
        for (size_t s = 0; s < x->sc.n_sensors; s++)
            if (x->sc.sensors[s].nation == a) {
                x->local_id[s] = (uint32_t)nd->n_sensors;
                nd->sensors[nd->n_sensors] = x->sc.sensors[s].sensor;
                nd->sensors[nd->n_sensors].id = (uint32_t)nd->n_sensors;
                nd->n_sensors++;
            }
        assert_int_equal(mwds_tracker_create(&tc, nd->sensors, nd->n_sensors, &nd->tracker),
                         MWDS_OK);
    }
    mwds_fusion_config_default(&x->fc);
    assert_int_equal(mwds_fusion_create(&x->fc, &x->fusion), MWDS_OK);
}

static void exercise_close(exercise *x)
{
    for (size_t a = 0; a < x->n_nodes; a++)
        mwds_tracker_destroy(x->nodes[a].tracker);
    mwds_fusion_destroy(x->fusion);
    mwds_sim_destroy(x->sim);
    mwds_scenario_fini(&x->sc);
}

/* One look into its nation's tracker; 0 at the end of the exercise. */
static int exercise_look(exercise *x)
{
    int n = 0;
    mwds_sim_look_info look;
    mwds_err e = mwds_sim_look(x->sim, INT64_MAX, x->buf, LOOK_CAP, &n, &look);
    if (e == MWDS_ENOTFOUND)
        return 0;
    assert_int_equal(e, MWDS_OK);
    node *nd = &x->nodes[x->sc.sensors[look.sensor_id].nation];
    const uint32_t lid = x->local_id[look.sensor_id];
    for (int j = 0; j < n; j++)
        x->buf[j].sensor_id = lid;
    assert_int_equal(mwds_tracker_look(nd->tracker, lid, look.t_ns, x->buf, n, NULL), MWDS_OK);
    x->t_ns = look.t_ns;
    return 1;
}

/* Every node's confirmed tracks into the fusion (as each would publish
 * them), the ones gone since the last feed as ended; then a run at t_ns. */
static void exercise_fuse(exercise *x, int64_t t_ns)
{
    for (size_t a = 0; a < x->n_nodes; a++) {
        node *nd = &x->nodes[a];
        int n_slots, n_now = 0;
        uint32_t now[MAX_FED];
        const mwds_track *tr = mwds_tracker_tracks(nd->tracker, &n_slots);
        for (int i = 0; i < n_slots; i++) {
            if (tr[i].status != MWDS_TRACK_CONFIRMED)
                continue;
            mwds_source_track s;
            memset(&s, 0, sizeof s);
            memcpy(s.origin, nd->code, sizeof s.origin);
            s.number = tr[i].number;
            s.f = tr[i].f;
            s.t_init_ns = tr[i].t_init_ns;
            s.t_update_ns = tr[i].t_update_ns;
            s.hits = tr[i].hits;
            assert_int_equal(mwds_fusion_put(x->fusion, &s), MWDS_OK);
            assert_true(n_now < MAX_FED);
            now[n_now++] = tr[i].number;
        }
        for (int k = 0; k < nd->n_fed; k++) {
            int still = 0;
            for (int q = 0; q < n_now && !still; q++)
                still = now[q] == nd->fed[k];
            if (!still) {
                mwds_source_track s;
                memset(&s, 0, sizeof s);
                memcpy(s.origin, nd->code, sizeof s.origin);
                s.number = nd->fed[k];
                s.ended = 1;
                assert_int_equal(mwds_fusion_put(x->fusion, &s), MWDS_OK);
            }
        }
        memcpy(nd->fed, now, sizeof now[0] * (size_t)n_now);
        nd->n_fed = n_now;
    }
    assert_int_equal(mwds_fusion_run(x->fusion, t_ns), MWDS_OK);
}

static const mwds_track *node_track(const node *nd, uint32_t number)
{
    int n_slots;
    const mwds_track *tr = mwds_tracker_tracks(nd->tracker, &n_slots);
    for (int i = 0; i < n_slots; i++)
        if (tr[i].status == MWDS_TRACK_CONFIRMED && tr[i].number == number)
            return &tr[i];
    return NULL;
}

static const node *node_of(const exercise *x, const char *code)
{
    for (size_t a = 0; a < x->n_nodes; a++)
        if (strcmp(x->nodes[a].code, code) == 0)
            return &x->nodes[a];
    return NULL;
}

static int confirmed_count(const node *nd)
{
    int n_slots, n = 0;
    const mwds_track *tr = mwds_tracker_tracks(nd->tracker, &n_slots);
    for (int i = 0; i < n_slots; i++)
        n += tr[i].status == MWDS_TRACK_CONFIRMED;
    return n;
}

/* The launch whose truth at t_ns is nearest pos (-1: none in flight), and
 * the distance. */
static int nearest_launch(const exercise *x, int64_t t_ns, const double *pos, double *dist)
{
    int best = -1;
    double bd = INFINITY;
    for (size_t i = 0; i < x->sc.n_launches; i++) {
        int in_flight = 0, burning = 0;
        mwds_vec3 p, v;
        assert_int_equal(mwds_sim_truth(x->sim, i, t_ns, &in_flight, &p, &v, &burning), MWDS_OK);
        if (!in_flight)
            continue;
        double d = mwds_v3_norm(mwds_v3_sub(mwds_v3(pos[0], pos[1], pos[2]), p));
        if (d < bd) {
            bd = d;
            best = (int)i;
        }
    }
    if (dist != NULL)
        *dist = bd;
    return best;
}

/* Position error against launch i's truth at the state's time (squared). */
static double error2(const exercise *x, size_t i, const mwds_filter_state *s)
{
    int in_flight = 0, burning = 0;
    mwds_vec3 p, v;
    assert_int_equal(mwds_sim_truth(x->sim, i, s->t_ns, &in_flight, &p, &v, &burning), MWDS_OK);
    assert_true(in_flight);
    mwds_vec3 e = mwds_v3_sub(mwds_v3(s->x.v[0], s->x.v[1], s->x.v[2]), p);
    return mwds_v3_dot(e, e);
}

/* ---- IRBM, two nations ---- */

/* The default exercise's IRBM (scenarios/irbm-over-japan.yaml) with two of
 * its radars: the Korean one, looking north from the south-east of the
 * peninsula, and the Japanese one, on the north coast of Honshu, which the
 * missile overflies. */
static const char IRBM_YAML[] =
    "name: irbm-two-nations\n"
    "start: 2026-11-23T00:00:00Z\n"
    "duration_s: 1500\n"
    "seed: 42\n"
    "nations:\n"
    "  - {code: KOR}\n"
    "  - {code: JPN}\n"
    "sensors:\n"
    "  - {id: KOR-RADAR-1, nation: KOR, type: radar,\n"
    "     site: {lat_deg: 36.0, lon_deg: 128.3, height_m: 300},\n"
    "     boresight_az_deg: 0, az_half_width_deg: 60, el_min_deg: 1, el_max_deg: 85,\n"
    "     range_min_km: 10, range_max_km: 1500, revisit_s: 1.0, pd: 0.95,\n"
    "     false_alarms_per_scan: 0.2, sigma_range_m: 50, sigma_az_deg: 0.05,\n"
    "     sigma_el_deg: 0.05, sigma_range_rate_m_s: 1.0}\n"
    "  - {id: JPN-RADAR-1, nation: JPN, type: radar,\n"
    "     site: {lat_deg: 40.8, lon_deg: 140.3, height_m: 50},\n"
    "     el_min_deg: 0.5, range_max_km: 2000, revisit_s: 2.0, pd: 0.9,\n"
    "     false_alarms_per_scan: 0.5, sigma_range_m: 80, sigma_az_deg: 0.08,\n"
    "     sigma_el_deg: 0.08}\n"
    "launches:\n"
    "  - {id: L1, time_s: 30, class: irbm, launch: {lat_deg: 40.61, lon_deg: 126.43},\n"
    "     azimuth_deg: 84.2, range_km: 4600, apogee_km: 970}\n";

static void test_irbm_two_nations(void **state)
{
    (void)state;
    exercise *x = calloc(1, sizeof *x);
    assert_non_null(x);
    exercise_open(x, "irbm", IRBM_YAML);
    const node *kor = node_of(x, "KOR"), *jpn = node_of(x, "JPN");
    assert_non_null(kor);
    assert_non_null(jpn);
    mwds_areas areas;
    memset(&areas, 0, sizeof areas);
    mwds_assessor_config ac;
    mwds_assessor_config_default(&ac);
    ac.areas = &areas;
    snprintf(ac.origin, sizeof ac.origin, "JPN");
    ac.min_interval_s = 60.0; /* a few assessments suffice here */
    mwds_assessor *as = NULL;
    assert_int_equal(mwds_assessor_create(&ac, &as), MWDS_OK);

    int runs = 0, runs_both = 0, runs_one_system = 0, max_system = 0;
    double se_fused = 0.0, se_kor = 0.0, se_jpn = 0.0, nees = 0.0;
    int launch_warned = 0, predicted = 0, impact = 0, ended = 0;
    int64_t last_live = 0;
    uint32_t numbers_seen[8];
    int n_numbers = 0;
    int64_t next = x->sc.start_t_ns;
    for (int more = 1; more;) {
        more = exercise_look(x);
        if (more && x->t_ns < next)
            continue;
        const int64_t t = more ? x->t_ns : x->sc.start_t_ns + SEC(x->sc.duration_s + 60.0);
        next = t + SEC(FUSE_EVERY_S);
        exercise_fuse(x, t);
        runs++;
        mwds_warning w[16];
        int nw = 0;
        int n_slots;
        const mwds_track *sys = mwds_fusion_tracks(x->fusion, &n_slots);
        assert_int_equal(mwds_assessor_update(as, sys, n_slots, t, w, 16, &nw), MWDS_OK);
        for (int q = 0; q < nw; q++) {
            launch_warned += w[q].kind == MWDS_WARN_LAUNCH;
            predicted += w[q].kind == MWDS_WARN_IMPACT_PREDICTION;
            impact += w[q].kind == MWDS_WARN_IMPACT;
            ended += w[q].kind == MWDS_WARN_END || w[q].kind == MWDS_WARN_CANCEL;
        }
        const int n_sys = live_system(x->fusion, NULL);
        if (n_sys > 0)
            last_live = t;
        max_system = n_sys > max_system ? n_sys : max_system;
        for (int i = 0; i < n_slots; i++) {
            if (sys[i].status != MWDS_TRACK_CONFIRMED)
                continue;
            int known = 0;
            for (int q = 0; q < n_numbers; q++)
                known |= numbers_seen[q] == sys[i].number;
            if (!known && n_numbers < 8)
                numbers_seen[n_numbers++] = sys[i].number;
        }
        /* the comparison: runs where each nation holds one confirmed track */
        if (confirmed_count(kor) != 1 || confirmed_count(jpn) != 1)
            continue;
        runs_both++;
        const mwds_track *fused = NULL;
        if (n_sys != 1)
            continue;
        live_system(x->fusion, &fused);
        char org[2][MWDS_ORIGIN_LEN];
        uint32_t num[2];
        if (mwds_fusion_members(x->fusion, fused->number, org, num, 2) != 2)
            continue;
        runs_one_system++;
        double se[2];
        for (int m = 0; m < 2; m++) {
            const node *nd = node_of(x, org[m]);
            const mwds_track *tr = node_track(nd, num[m]);
            assert_non_null(tr);
            mwds_filter_state s = tr->f; /* the member as fusion aligned it */
            assert_int_equal(mwds_ekf_predict(&x->fc.fp, &s, t), MWDS_OK);
            se[m] = error2(x, 0, &s);
            if (nd == kor)
                se_kor += se[m];
            else
                se_jpn += se[m];
        }
        se_fused += error2(x, 0, &fused->f);
        /* position NEES of the fused track */
        int in_flight, burning;
        mwds_vec3 p, v;
        assert_int_equal(mwds_sim_truth(x->sim, 0, t, &in_flight, &p, &v, &burning), MWDS_OK);
        mwds_mat3 c, l;
        for (int i = 0; i < 3; i++)
            for (int j = 0; j < 3; j++)
                c.m[i][j] = fused->f.p.m[i][j];
        assert_int_equal(mwds_m3_chol(&c, &l), MWDS_OK);
        mwds_vec3 e = mwds_v3_sub(mwds_v3(fused->f.x.v[0], fused->f.x.v[1], fused->f.x.v[2]), p);
        nees += mwds_v3_dot(e, mwds_m3_chol_solve(&l, e));
    }
    const int n = runs_one_system;
    const double rm_f = sqrt(se_fused / n), rm_k = sqrt(se_kor / n), rm_j = sqrt(se_jpn / n);
    print_message("  %d fusion runs; %d with one confirmed track per nation, of which %d with "
                  "one system track of both; at most %d system tracks at once; %d numbers used\n",
                  runs, runs_both, n, max_system, n_numbers);
    print_message("  position RMSE over those runs: fused %.1f m, KOR %.1f m, JPN %.1f m; fused "
                  "position NEES mean %.2f (3)\n",
                  rm_f, rm_k, rm_j, nees / n);
    const mwds_traj *traj = mwds_sim_trajectory(x->sim, 0);
    print_message("  the picture held the missile until %.0f s after launch; impact at %.0f s\n",
                  mwds_time_to_s(last_live - traj->launch_t_ns), traj->sum.flight_time_s);
    print_message("  assessor on the picture: %d LAUNCH, %d IMPACT_PREDICTION, %d IMPACT, %d "
                  "END or CANCEL\n",
                  launch_warned, predicted, impact, ended);
    assert_true(runs_both >= 100);
    assert_int_equal(runs_one_system, runs_both); /* always one system track of both */
    assert_true(rm_f <= fmin(rm_k, rm_j));
    assert_true(launch_warned == 1 && predicted >= 1 && impact + ended == 1);
    /* lost minutes before impact (the radars' horizons): an END, not an IMPACT */
    if (mwds_time_to_s(last_live - traj->launch_t_ns) < traj->sum.flight_time_s - 120.0)
        assert_int_equal(ended, 1);
    mwds_assessor_destroy(as);
    exercise_close(x);
    free(x);
}

/* ---- salvo, two nations ---- */

/* The eight SRBMs of scenarios/salvo-search-and-track.yaml (5 s apart from
 * one site, aim points 390-450 km away at sea) seen by its Korean and US
 * radars, in clutter; the ICBM is left out (it flies for an hour). */
static const char SALVO_YAML[] =
    "name: salvo-two-nations\n"
    "start: 2026-11-23T03:00:00Z\n"
    "duration_s: 450\n"
    "seed: 20261123\n"
    "nations:\n"
    "  - {code: KOR}\n"
    "  - {code: USA}\n"
    "sensors:\n"
    "  - {id: KOR-RADAR-2, nation: KOR, type: radar,\n"
    "     site: {lat_deg: 37.5, lon_deg: 129.0, height_m: 200},\n"
    "     boresight_az_deg: 15, az_half_width_deg: 75, el_min_deg: 1, el_max_deg: 85,\n"
    "     range_min_km: 10, range_max_km: 1200, revisit_s: 1.0, pd: 0.9,\n"
    "     false_alarms_per_scan: 1.5, sigma_range_m: 60, sigma_az_deg: 0.06,\n"
    "     sigma_el_deg: 0.06, sigma_range_rate_m_s: 1.0}\n"
    "  - {id: USA-RADAR-1, nation: USA, type: radar,\n"
    "     site: {lat_deg: 35.5, lon_deg: 135.4, height_m: 100},\n"
    "     boresight_az_deg: 320, az_half_width_deg: 60, el_min_deg: 0.5, el_max_deg: 80,\n"
    "     range_min_km: 20, range_max_km: 2000, revisit_s: 1.0, pd: 0.9,\n"
    "     false_alarms_per_scan: 1.0, sigma_range_m: 20, sigma_az_deg: 0.02,\n"
    "     sigma_el_deg: 0.02, sigma_range_rate_m_s: 0.5}\n"
    "launches:\n"
    "  - {id: S1, time_s: 20, class: srbm, launch: {lat_deg: 39.0, lon_deg: 125.7},\n"
    "     target: {lat_deg: 38.7, lon_deg: 130.3}}\n"
    "  - {id: S2, time_s: 25, class: srbm, launch: {lat_deg: 39.0, lon_deg: 125.7},\n"
    "     target: {lat_deg: 38.9, lon_deg: 130.6}}\n"
    "  - {id: S3, time_s: 30, class: srbm, launch: {lat_deg: 39.0, lon_deg: 125.7},\n"
    "     target: {lat_deg: 38.6, lon_deg: 130.8}}\n"
    "  - {id: S4, time_s: 35, class: srbm, launch: {lat_deg: 39.0, lon_deg: 125.7},\n"
    "     target: {lat_deg: 39.1, lon_deg: 130.4}}\n"
    "  - {id: S5, time_s: 40, class: srbm, launch: {lat_deg: 39.0, lon_deg: 125.7},\n"
    "     target: {lat_deg: 38.8, lon_deg: 130.9}}\n"
    "  - {id: S6, time_s: 45, class: srbm, launch: {lat_deg: 39.0, lon_deg: 125.7},\n"
    "     target: {lat_deg: 39.0, lon_deg: 130.7}}\n"
    "  - {id: S7, time_s: 50, class: srbm, launch: {lat_deg: 39.0, lon_deg: 125.7},\n"
    "     target: {lat_deg: 38.5, lon_deg: 130.5}}\n"
    "  - {id: S8, time_s: 55, class: srbm, launch: {lat_deg: 39.0, lon_deg: 125.7},\n"
    "     target: {lat_deg: 38.9, lon_deg: 130.2}}\n";

#define SALVO_N 8
#define LABEL_RADIUS_M 3000.0 /* the missiles fly about 10 km apart */
#define NO_SYSTEM UINT32_MAX

/* A node holds one confirmed track per missile: exactly SALVO_N confirmed
 * tracks whose nearest truths are all different. */
static int one_per_missile(const exercise *x, const node *nd)
{
    int n_slots, n = 0;
    unsigned seen = 0;
    const mwds_track *tr = mwds_tracker_tracks(nd->tracker, &n_slots);
    for (int i = 0; i < n_slots; i++) {
        if (tr[i].status != MWDS_TRACK_CONFIRMED)
            continue;
        n++;
        int l = nearest_launch(x, tr[i].f.t_ns, tr[i].f.x.v, NULL);
        if (l >= 0)
            seen |= 1u << l;
    }
    return n == SALVO_N && seen == (1u << SALVO_N) - 1u;
}

static void test_salvo_two_nations(void **state)
{
    (void)state;
    exercise *x = calloc(1, sizeof *x);
    assert_non_null(x);
    exercise_open(x, "salvo", SALVO_YAML);
    assert_int_equal(x->sc.n_launches, SALVO_N);
    int runs = 0, settled = 0, settled_ok = 0, mixed = 0, fused_pairs = 0, unlabelled = 0;
    uint32_t settled_number[SALVO_N];
    int number_changes[SALVO_N] = {0}, number_changes_all[SALVO_N] = {0};
    uint32_t last_number[SALVO_N];
    for (int i = 0; i < SALVO_N; i++)
        settled_number[i] = last_number[i] = NO_SYSTEM;
    double worst_member_m = 0.0;
    int64_t next = x->sc.start_t_ns;
    while (exercise_look(x)) {
        if (x->t_ns < next)
            continue;
        const int64_t t = x->t_ns;
        next = t + SEC(FUSE_EVERY_S);
        exercise_fuse(x, t);
        runs++;
        int n_slots;
        const mwds_track *sys = mwds_fusion_tracks(x->fusion, &n_slots);
        /* members of one system track are one missile: their own states'
         * nearest truths agree */
        int n_sys = 0, all_pairs = 1;
        uint32_t number_of[SALVO_N];
        for (int i = 0; i < SALVO_N; i++)
            number_of[i] = NO_SYSTEM;
        for (int k = 0; k < n_slots; k++) {
            if (sys[k].status != MWDS_TRACK_CONFIRMED)
                continue;
            n_sys++;
            char org[MWDS_FUSION_MAX_MEMBERS][MWDS_ORIGIN_LEN];
            uint32_t num[MWDS_FUSION_MAX_MEMBERS];
            int nm =
                mwds_fusion_members(x->fusion, sys[k].number, org, num, MWDS_FUSION_MAX_MEMBERS);
            int label = -1;
            for (int m = 0; m < nm; m++) {
                const mwds_track *tr = node_track(node_of(x, org[m]), num[m]);
                assert_non_null(tr);
                double d;
                int l = nearest_launch(x, tr->f.t_ns, tr->f.x.v, &d);
                if (!(d < LABEL_RADIUS_M)) {
                    unlabelled++; /* coasting past its missile's impact */
                    continue;
                }
                if (label < 0)
                    label = l;
                else if (l != label)
                    mixed++;
                if (nm > 1)
                    worst_member_m = fmax(worst_member_m, d);
            }
            fused_pairs += nm > 1;
            all_pairs &= nm == 2;
            if (label >= 0 && number_of[label] == NO_SYSTEM)
                number_of[label] = sys[k].number;
        }
        for (int i = 0; i < SALVO_N; i++) {
            if (number_of[i] == NO_SYSTEM)
                continue;
            number_changes_all[i] += last_number[i] != NO_SYSTEM && number_of[i] != last_number[i];
            last_number[i] = number_of[i];
        }
        /* while both nations hold one track per missile, the picture holds
         * eight system tracks of two members, one per missile, each with
         * the number it had when this began */
        if (!one_per_missile(x, &x->nodes[0]) || !one_per_missile(x, &x->nodes[1]))
            continue;
        settled++;
        int distinct = 1;
        for (int i = 0; i < SALVO_N; i++) {
            distinct &= number_of[i] != NO_SYSTEM;
            if (settled_number[i] == NO_SYSTEM)
                settled_number[i] = number_of[i];
            else if (number_of[i] != settled_number[i])
                number_changes[i]++;
        }
        settled_ok += n_sys == SALVO_N && all_pairs && distinct;
    }
    int changes = 0, changes_all = 0;
    for (int i = 0; i < SALVO_N; i++) {
        changes += number_changes[i];
        changes_all += number_changes_all[i];
    }
    mwds_fusion_stats st;
    mwds_fusion_get_stats(x->fusion, &st);
    print_message("  %d fusion runs; %d with one track per missile in both nations, %d of them "
                  "with 8 system tracks of 2 members, one per missile\n",
                  runs, settled, settled_ok);
    print_message("  members of different missiles in one system track: %d (of %d fused "
                  "system-track runs; farthest member from its missile %.0f m; %d member looks "
                  "over 3 km from every missile, after impact)\n",
                  mixed, fused_pairs, worst_member_m, unlabelled);
    print_message("  system number changes per missile: %d while settled, %d over the whole "
                  "flight; stats: %llu created, %llu removed, %llu merged, %llu continuity "
                  "breaks\n",
                  changes, changes_all, (unsigned long long)st.system_created,
                  (unsigned long long)st.system_removed, (unsigned long long)st.system_merged,
                  (unsigned long long)st.continuity_breaks);
    assert_true(settled >= 30);
    assert_int_equal(settled_ok, settled);
    assert_int_equal(mixed, 0);
    assert_int_equal(changes, 0);
    exercise_close(x);
    free(x);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_ci_hand_solved),
        cmocka_unit_test(test_ci_end_points_1d),
        cmocka_unit_test(test_ci_identical),
        cmocka_unit_test(test_ci_against_grid),
        cmocka_unit_test(test_ci_consistency_monte_carlo),
        cmocka_unit_test(test_ci_errors),
        cmocka_unit_test(test_single_member),
        cmocka_unit_test(test_two_origins),
        cmocka_unit_test(test_model_from_best_member),
        cmocka_unit_test(test_global_assignment),
        cmocka_unit_test(test_continuity_and_merge),
        cmocka_unit_test(test_stale_and_ended),
        cmocka_unit_test(test_pool_full),
        cmocka_unit_test(test_bad_input),
        cmocka_unit_test(test_irbm_two_nations),
        cmocka_unit_test(test_salvo_two_nations),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
