/*
 * The assignment solver against independent references:
 *   - brute-force enumeration of every assignment (with misses) on 6000
 *     random problems up to 5 x 5, with forbidden pairs, negative costs,
 *     zero and negative miss costs and integer costs that force ties;
 *   - hand cases with known answers (empty problems, 1 x 1 either side of
 *     the miss cost, all pairs forbidden, a greedy trap, a textbook 3 x 3);
 *   - a 200 x 250 problem proved optimal by Klein's criterion (no negative
 *     cycle in the residual graph of the augmented matching, found by
 *     Bellman-Ford; the same test must reject greedy's worse answer), no
 *     worse than greedy, and unchanged when rows and columns are permuted;
 *   - every error path, with the outputs left untouched;
 *   - the sparse solver (clusters of gated pairs) against the dense one on
 *     300 random problems, and its greedy fallback for validity.
 * Every solve runs on a workspace of exactly the advertised size, filled
 * with garbage first, so ASan catches overruns and stale-state reliance.
 */
#include <stdlib.h>
#include <string.h>

#include "mwds/assign.h"
#include "mwds/rng.h"
#include "test_util.h"

#define MAXN 5

/* Solves on an exact-size, garbage-filled, heap workspace. */
static mwds_err solve(const double *cost, int nr, int nc, const double *rm, const double *cm,
                      int *r2c, int *c2r, double *total)
{
    size_t len = mwds_assign_workspace(nr, nc);
    void *work = NULL;
    if (len > 0) {
        work = malloc(len);
        assert_non_null(work);
        memset(work, 0xA5, len);
    }
    mwds_err e = mwds_assign_solve(cost, nr, nc, rm, cm, work, len, r2c, c2r, total);
    free(work);
    return e;
}

/* Checks that r2c and c2r are mutually consistent, in range and avoid
 * forbidden pairs, and that the reported total is the cost they imply. */
static void check_solution(const double *cost, int nr, int nc, const double *rm, const double *cm,
                           const int *r2c, const int *c2r, double total)
{
    double sum = 0.0;
    for (int i = 0; i < nr; i++) {
        int j = r2c[i];
        if (j == -1) {
            sum += rm[i];
            continue;
        }
        if (j < 0 || j >= nc)
            fail_msg("row %d assigned to column %d of %d", i, j, nc);
        if (c2r[j] != i)
            fail_msg("row %d -> column %d but column %d -> row %d", i, j, j, c2r[j]);
        double c = cost[i * nc + j];
        if (!isfinite(c))
            fail_msg("row %d assigned to forbidden column %d", i, j);
        sum += c;
    }
    for (int j = 0; j < nc; j++) {
        int i = c2r[j];
        if (i == -1) {
            sum += cm[j];
            continue;
        }
        if (i < 0 || i >= nr)
            fail_msg("column %d assigned to row %d of %d", j, i, nr);
        if (r2c[i] != j)
            fail_msg("column %d -> row %d but row %d -> column %d", j, i, i, r2c[i]);
    }
    assert_near(total, sum, 1e-9 * fmax(1.0, fabs(sum)), "reported total vs its assignment");
}

/* ---- brute force ---------------------------------------------------------- */

typedef struct small_problem {
    int nr, nc;
    double cost[MAXN * MAXN], rm[MAXN], cm[MAXN];
} small_problem;

static void brute_rec(const small_problem *p, int i, int *used, double acc, double *best)
{
    if (i == p->nr) {
        for (int j = 0; j < p->nc; j++)
            if (!used[j])
                acc += p->cm[j];
        if (acc < *best)
            *best = acc;
        return;
    }
    brute_rec(p, i + 1, used, acc + p->rm[i], best);
    for (int j = 0; j < p->nc; j++) {
        double c = p->cost[i * p->nc + j];
        if (used[j] || !isfinite(c))
            continue;
        used[j] = 1;
        brute_rec(p, i + 1, used, acc + c, best);
        used[j] = 0;
    }
}

static double brute_force(const small_problem *p)
{
    int used[MAXN] = {0};
    double best = INFINITY;
    brute_rec(p, 0, used, 0.0, &best);
    return best;
}

/* A random problem: real or small-integer costs (integers make ties
 * common), a random share of forbidden pairs, miss costs that are positive,
 * zero or negative. */
static void random_problem(mwds_rng *r, small_problem *p)
{
    p->nr = (int)(mwds_rng_u64(r) % (MAXN + 1));
    p->nc = (int)(mwds_rng_u64(r) % (MAXN + 1));
    int integer = mwds_rng_uniform(r) < 0.4;
    const double forbid_share[4] = {0.0, 0.3, 0.7, 1.0};
    double forbid = forbid_share[mwds_rng_u64(r) % 4];
    for (int k = 0; k < p->nr * p->nc; k++) {
        double c =
            integer ? floor(7.0 * mwds_rng_uniform(r)) - 2.0 : 15.0 * mwds_rng_uniform(r) - 5.0;
        p->cost[k] = mwds_rng_uniform(r) < forbid ? INFINITY : c;
    }
    int miss_kind = (int)(mwds_rng_u64(r) % 4);
    for (int k = 0; k < p->nr + p->nc; k++) {
        double m;
        switch (miss_kind) {
        case 0:
            m = 6.0 * mwds_rng_uniform(r);
            break;
        case 1:
            m = floor(4.0 * mwds_rng_uniform(r));
            break;
        case 2:
            m = 0.0;
            break;
        default:
            m = 8.0 * mwds_rng_uniform(r) - 3.0;
            break;
        }
        if (k < p->nr)
            p->rm[k] = m;
        else
            p->cm[k - p->nr] = m;
    }
}

static void test_matches_brute_force(void **state)
{
    (void)state;
    mwds_rng r;
    mwds_rng_seed(&r, 2016, 0);
    int mixed = 0, forbidden_near = 0;
    for (int trial = 0; trial < 6000; trial++) {
        small_problem p;
        random_problem(&r, &p);
        int r2c[MAXN], c2r[MAXN];
        double total = NAN;
        for (int k = 0; k < MAXN; k++)
            r2c[k] = c2r[k] = 99;
        mwds_err e = solve(p.cost, p.nr, p.nc, p.rm, p.cm, r2c, c2r, &total);
        if (e != MWDS_OK)
            fail_msg("trial %d (%d x %d): %s", trial, p.nr, p.nc, mwds_strerror(e));
        check_solution(p.cost, p.nr, p.nc, p.rm, p.cm, r2c, c2r, total);
        double want = brute_force(&p);
        if (!(fabs(total - want) <= 1e-9))
            fail_msg("trial %d (%d x %d): total %.12g, brute force %.12g", trial, p.nr, p.nc, total,
                     want);
        /* coverage: problems with both pairs and misses, and with gating */
        int pairs = 0, misses = 0, gated = 0;
        for (int i = 0; i < p.nr; i++)
            r2c[i] >= 0 ? pairs++ : misses++;
        for (int k = 0; k < p.nr * p.nc; k++)
            gated += !isfinite(p.cost[k]);
        mixed += pairs > 0 && misses > 0;
        forbidden_near += pairs > 1 && gated > 0;
    }
    if (mixed < 500 || forbidden_near < 500)
        fail_msg("weak coverage: %d problems with pairs and misses, %d gated with pairs", mixed,
                 forbidden_near);
}

/* ---- hand cases --------------------------------------------------------- */

static void test_empty_problems(void **state)
{
    (void)state;
    double total = NAN;
    assert_int_equal(mwds_assign_workspace(0, 0), 0);
    assert_int_equal(mwds_assign_solve(NULL, 0, 0, NULL, NULL, NULL, 0, NULL, NULL, &total),
                     MWDS_OK);
    assert_near(total, 0.0, 0.0, "0 x 0 total");
    assert_int_equal(mwds_assign_solve(NULL, 0, 0, NULL, NULL, NULL, 0, NULL, NULL, NULL), MWDS_OK);

    /* no tracks: every measurement misses */
    const double cm[3] = {1.5, 0.0, 2.25};
    int c2r[3] = {7, 7, 7};
    assert_int_equal(solve(NULL, 0, 3, NULL, cm, NULL, c2r, &total), MWDS_OK);
    for (int j = 0; j < 3; j++)
        assert_int_equal(c2r[j], -1);
    assert_near(total, 3.75, 1e-12, "0 x 3 total");

    /* no measurements: every track misses */
    const double rm[3] = {4.0, -1.0, 0.5};
    int r2c[3] = {7, 7, 7};
    assert_int_equal(solve(NULL, 3, 0, rm, NULL, r2c, NULL, &total), MWDS_OK);
    for (int i = 0; i < 3; i++)
        assert_int_equal(r2c[i], -1);
    assert_near(total, 3.5, 1e-12, "3 x 0 total");
}

static void test_one_by_one(void **state)
{
    (void)state;
    const double rm[1] = {2.0}, cm[1] = {2.0};
    int r2c[1], c2r[1];
    double total;
    /* the pair (5) is dearer than both misses (4) */
    double dear = 5.0;
    assert_int_equal(solve(&dear, 1, 1, rm, cm, r2c, c2r, &total), MWDS_OK);
    assert_int_equal(r2c[0], -1);
    assert_int_equal(c2r[0], -1);
    assert_near(total, 4.0, 0.0, "1 x 1, miss cheaper");
    /* the pair (3) is cheaper */
    double cheap = 3.0;
    assert_int_equal(solve(&cheap, 1, 1, rm, cm, r2c, c2r, &total), MWDS_OK);
    assert_int_equal(r2c[0], 0);
    assert_int_equal(c2r[0], 0);
    assert_near(total, 3.0, 0.0, "1 x 1, pair cheaper");
    /* a tie: either answer, the same total */
    double tie = 4.0;
    assert_int_equal(solve(&tie, 1, 1, rm, cm, r2c, c2r, &total), MWDS_OK);
    check_solution(&tie, 1, 1, rm, cm, r2c, c2r, total);
    assert_near(total, 4.0, 0.0, "1 x 1, tie");
    /* forbidden */
    double gated = INFINITY;
    assert_int_equal(solve(&gated, 1, 1, rm, cm, r2c, c2r, &total), MWDS_OK);
    assert_int_equal(r2c[0], -1);
    assert_int_equal(c2r[0], -1);
    assert_near(total, 4.0, 0.0, "1 x 1, forbidden");
}

static void test_all_forbidden(void **state)
{
    (void)state;
    double cost[12];
    for (int k = 0; k < 12; k++)
        cost[k] = INFINITY;
    const double rm[3] = {1, 2, 3}, cm[4] = {10, 20, 30, 40};
    int r2c[3], c2r[4];
    double total;
    assert_int_equal(solve(cost, 3, 4, rm, cm, r2c, c2r, &total), MWDS_OK);
    for (int i = 0; i < 3; i++)
        assert_int_equal(r2c[i], -1);
    for (int j = 0; j < 4; j++)
        assert_int_equal(c2r[j], -1);
    assert_near(total, 106.0, 0.0, "all forbidden");
}

static void test_known_answers(void **state)
{
    (void)state;
    int r2c[3], c2r[3];
    double total;
    const double big[3] = {1e6, 1e6, 1e6};

    /* The textbook 3 x 3 (the example in SciPy's linear_sum_assignment
     * documentation): unique optimum 1 + 2 + 2 = 5. */
    const double book[9] = {4, 1, 3, 2, 0, 5, 3, 2, 2};
    assert_int_equal(solve(book, 3, 3, big, big, r2c, c2r, &total), MWDS_OK);
    assert_int_equal(r2c[0], 1);
    assert_int_equal(r2c[1], 0);
    assert_int_equal(r2c[2], 2);
    assert_near(total, 5.0, 0.0, "textbook 3 x 3");

    /* Greedy takes (0,0) = 1 and is left with 100; the optimum is 2 + 2. */
    const double trap[4] = {1, 2, 2, 100}, m50[2] = {50, 50};
    assert_int_equal(solve(trap, 2, 2, m50, m50, r2c, c2r, &total), MWDS_OK);
    assert_int_equal(r2c[0], 1);
    assert_int_equal(r2c[1], 0);
    assert_near(total, 4.0, 0.0, "greedy trap");

    /* The cheap pair (0,0) must be given up so both rows can be served:
     * row 1 can only use column 0. */
    const double route[4] = {1, 3, 1, INFINITY}, m10[2] = {10, 10};
    assert_int_equal(solve(route, 2, 2, m10, m10, r2c, c2r, &total), MWDS_OK);
    assert_int_equal(r2c[0], 1);
    assert_int_equal(r2c[1], 0);
    assert_near(total, 4.0, 0.0, "rerouting around a forbidden pair");

    /* Two tracks want one measurement; the one dear to miss gets it. */
    const double want1[2] = {1, 2}, rm[2] = {10, 0.5}, cm0[1] = {0};
    assert_int_equal(solve(want1, 2, 1, rm, cm0, r2c, c2r, &total), MWDS_OK);
    assert_int_equal(r2c[0], 0);
    assert_int_equal(r2c[1], -1);
    assert_int_equal(c2r[0], 0);
    assert_near(total, 1.5, 0.0, "competition for one column");

    /* Negative costs with free misses: only the negative pair is taken. */
    const double neg[4] = {-1, INFINITY, INFINITY, 3}, zero[2] = {0, 0};
    assert_int_equal(solve(neg, 2, 2, zero, zero, r2c, c2r, &total), MWDS_OK);
    assert_int_equal(r2c[0], 0);
    assert_int_equal(r2c[1], -1);
    assert_int_equal(c2r[1], -1);
    assert_near(total, -1.0, 0.0, "negative cost, zero misses");

    /* Large but permitted magnitudes stay exact. */
    const double huge[4] = {1e200, 2e200, 2e200, 1e200}, mh[2] = {5e200, 5e200};
    assert_int_equal(solve(huge, 2, 2, mh, mh, r2c, c2r, &total), MWDS_OK);
    assert_int_equal(r2c[0], 0);
    assert_int_equal(r2c[1], 1);
    assert_rel(total, 2e200, 1e-15, "1e200 costs");
}

static void test_ties_are_consistent_and_deterministic(void **state)
{
    (void)state;
    /* 4 x 4, all costs 1: any perfect matching, total 4 */
    double ones[16];
    for (int k = 0; k < 16; k++)
        ones[k] = 1.0;
    const double m10[4] = {10, 10, 10, 10}, zero[4] = {0, 0, 0, 0};
    int r2c[4], c2r[4], r2c2[4], c2r2[4];
    double total, total2;
    assert_int_equal(solve(ones, 4, 4, m10, m10, r2c, c2r, &total), MWDS_OK);
    check_solution(ones, 4, 4, m10, m10, r2c, c2r, total);
    for (int i = 0; i < 4; i++)
        assert_true(r2c[i] >= 0);
    assert_near(total, 4.0, 0.0, "all-ones 4 x 4");
    assert_int_equal(solve(ones, 4, 4, m10, m10, r2c2, c2r2, &total2), MWDS_OK);
    assert_memory_equal(r2c, r2c2, sizeof r2c);
    assert_memory_equal(c2r, c2r2, sizeof c2r);

    /* every pair costs exactly the two misses it replaces: total 0 for any
     * mixture of pairs and misses */
    double zeros[16] = {0};
    assert_int_equal(solve(zeros, 4, 4, zero, zero, r2c, c2r, &total), MWDS_OK);
    check_solution(zeros, 4, 4, zero, zero, r2c, c2r, total);
    assert_near(total, 0.0, 0.0, "all-zero 4 x 4");
}

/* ---- errors --------------------------------------------------------------- */

/* Expects err from a 2 x 2 solve and checks the outputs are untouched. */
static void expect_error(mwds_err want, const double *cost, int nr, int nc, const double *rm,
                         const double *cm, void *work, size_t len, const char *what)
{
    int r2c[2] = {42, 42}, c2r[2] = {43, 43};
    double total = 44.0;
    mwds_err e = mwds_assign_solve(cost, nr, nc, rm, cm, work, len, r2c, c2r, &total);
    if (e != want)
        fail_msg("%s: got %s, want %s", what, mwds_strerror(e), mwds_strerror(want));
    assert_true(r2c[0] == 42 && r2c[1] == 42 && c2r[0] == 43 && c2r[1] == 43);
    assert_true(total == 44.0);
}

static void test_errors(void **state)
{
    (void)state;
    const size_t len = mwds_assign_workspace(2, 2);
    double *work = malloc(len + sizeof(double));
    assert_non_null(work);
    const double cost[4] = {1, 2, 3, 4}, m[2] = {1, 1};
    int r2c[2], c2r[2];

    /* workspace size */
    assert_int_equal(mwds_assign_workspace(-1, 3), 0);
    assert_int_equal(mwds_assign_workspace(3, -1), 0);
    assert_true(len >= 4 * (3 * sizeof(double) + 6 * sizeof(int)));
    assert_true(mwds_assign_workspace(2, 3) > len);
    assert_true(mwds_assign_workspace(INT32_MAX, 1) == SIZE_MAX);

    /* sizes */
    expect_error(MWDS_EINVAL, cost, -1, 2, m, m, work, len, "nr < 0");
    expect_error(MWDS_EINVAL, cost, 2, -1, m, m, work, len, "nc < 0");
    expect_error(MWDS_EINVAL, cost, INT32_MAX, 1, m, m, work, len, "nr + nc beyond int");

    /* NULL pointers where there are entries */
    expect_error(MWDS_EINVAL, NULL, 2, 2, m, m, work, len, "cost NULL");
    expect_error(MWDS_EINVAL, cost, 2, 2, NULL, m, work, len, "row_miss NULL");
    expect_error(MWDS_EINVAL, cost, 2, 2, m, NULL, work, len, "col_miss NULL");
    expect_error(MWDS_EINVAL, cost, 2, 2, m, m, NULL, len, "work NULL");
    assert_int_equal(mwds_assign_solve(cost, 2, 2, m, m, work, len, NULL, c2r, NULL), MWDS_EINVAL);
    assert_int_equal(mwds_assign_solve(cost, 2, 2, m, m, work, len, r2c, NULL, NULL), MWDS_EINVAL);

    /* workspace too small or misaligned */
    expect_error(MWDS_EINVAL, cost, 2, 2, m, m, work, len - 1, "work_len one short");
    expect_error(MWDS_EINVAL, cost, 2, 2, m, m, (char *)work + 1, len, "work misaligned");

    /* bad values */
    double bad[4] = {1, NAN, 3, 4};
    expect_error(MWDS_EINVAL, bad, 2, 2, m, m, work, len, "NaN cost");
    bad[1] = -INFINITY;
    expect_error(MWDS_EINVAL, bad, 2, 2, m, m, work, len, "-INFINITY cost");
    const double bad_miss[3][2] = {{1, INFINITY}, {NAN, 1}, {-INFINITY, 1}};
    for (int k = 0; k < 3; k++) {
        expect_error(MWDS_EINVAL, cost, 2, 2, bad_miss[k], m, work, len, "bad row miss");
        expect_error(MWDS_EINVAL, cost, 2, 2, m, bad_miss[k], work, len, "bad column miss");
    }
    /* a NaN after a huge value is still EINVAL: values are checked first */
    const double huge_then_nan[4] = {1e307, NAN, 1, 1};
    expect_error(MWDS_EINVAL, huge_then_nan, 2, 2, m, m, work, len, "NaN after huge");

    /* magnitudes whose sums could overflow */
    const double huge[4] = {1e307, 1, 1, 1}, huge_m[2] = {1, 1e307};
    expect_error(MWDS_ERANGE, huge, 2, 2, m, m, work, len, "huge cost");
    expect_error(MWDS_ERANGE, cost, 2, 2, huge_m, m, work, len, "huge row miss");
    expect_error(MWDS_ERANGE, cost, 2, 2, m, huge_m, work, len, "huge column miss");

    /* the same buffer, used properly, works */
    double total;
    assert_int_equal(mwds_assign_solve(cost, 2, 2, m, m, work, len, r2c, c2r, &total), MWDS_OK);
    assert_near(total, 3.0, 0.0, "the 2 x 2 after the errors"); /* 1 + two misses */
    free(work);
}

/* ---- a large problem ------------------------------------------------------ */

#define LR 200
#define LC 250

typedef struct edge {
    int from, to;
    double w;
} edge;

/* Klein's criterion: a perfect matching of the augmented (nr + nc) square
 * problem is of minimum cost iff its residual graph (unmatched pair: row ->
 * column at +cost; matched pair: column -> row at -cost) has no negative
 * cycle. Bellman-Ford from a virtual source at distance 0 to every node
 * either settles (optimal) or still improves after V passes (a cycle). */
static int has_negative_cycle(const double *cost, int nr, int nc, const double *rm,
                              const double *cm, const int *r2c, const int *c2r)
{
    const int n = nr + nc, nodes = 2 * n; /* augmented rows 0..n-1, columns n..2n-1 */
    /* the augmented matching: real pairs, misses, and the zero block pairs
     * the leftover miss rows with the leftover miss columns in any order */
    int *match = malloc((size_t)n * sizeof *match); /* augmented row -> column */
    assert_non_null(match);
    int next_dummy_col = 0;
    for (int i = 0; i < nr; i++)
        match[i] = r2c[i] >= 0 ? r2c[i] : nc + i;
    for (int k = 0; k < nc; k++) {
        if (c2r[k] < 0) {
            match[nr + k] = k;
            continue;
        }
        while (r2c[next_dummy_col] < 0) /* dummy column of a row that missed */
            next_dummy_col++;
        match[nr + k] = nc + next_dummy_col++;
    }
    size_t cap = (size_t)nr * (size_t)nc + (size_t)nr + (size_t)nc + (size_t)nc * (size_t)nr;
    edge *es = malloc(cap * sizeof *es);
    assert_non_null(es);
    size_t ne = 0;
#define ADD(i, j, c)                                                                               \
    do {                                                                                           \
        if (match[(i)] == (j))                                                                     \
            es[ne++] = (edge){n + (j), (i), -(c)};                                                 \
        else                                                                                       \
            es[ne++] = (edge){(i), n + (j), (c)};                                                  \
    } while (0)
    for (int i = 0; i < nr; i++) {
        for (int j = 0; j < nc; j++)
            if (isfinite(cost[i * nc + j]))
                ADD(i, j, cost[i * nc + j]);
        ADD(i, nc + i, rm[i]);
    }
    for (int k = 0; k < nc; k++) {
        ADD(nr + k, k, cm[k]);
        for (int l = 0; l < nr; l++)
            ADD(nr + k, nc + l, 0.0);
    }
#undef ADD
    double *dist = calloc((size_t)nodes, sizeof *dist);
    assert_non_null(dist);
    int pass, changed = 1;
    for (pass = 0; pass <= nodes && changed; pass++) {
        changed = 0;
        for (size_t k = 0; k < ne; k++)
            if (dist[es[k].from] + es[k].w < dist[es[k].to] - 1e-9) {
                dist[es[k].to] = dist[es[k].from] + es[k].w;
                changed = 1;
            }
    }
    free(dist);
    free(es);
    free(match);
    return changed;
}

/* Greedy: take pairs cheapest-first relative to the misses they replace.
 * Writes its assignment to r2c, c2r and returns its total. */
static double greedy(const double *cost, int nr, int nc, const double *rm, const double *cm,
                     int *r2c, int *c2r)
{
    for (int i = 0; i < nr; i++)
        r2c[i] = -1;
    for (int j = 0; j < nc; j++)
        c2r[j] = -1;
    double total = 0.0;
    for (int i = 0; i < nr; i++)
        total += rm[i];
    for (int j = 0; j < nc; j++)
        total += cm[j];
    for (;;) {
        int bi = -1, bj = -1;
        double best = 0.0;
        for (int i = 0; i < nr; i++)
            for (int j = 0; j < nc; j++) {
                double gain = cost[i * nc + j] - rm[i] - cm[j];
                if (r2c[i] < 0 && c2r[j] < 0 && isfinite(gain) && gain < best) {
                    best = gain;
                    bi = i;
                    bj = j;
                }
            }
        if (bi < 0)
            break;
        r2c[bi] = bj;
        c2r[bj] = bi;
        total += best;
    }
    return total;
}

static void test_large_problem_is_optimal(void **state)
{
    (void)state;
    static double cost[LR * LC], pcost[LR * LC];
    static double rm[LR], cm[LC], prm[LR], pcm[LC];
    static int r2c[LR], c2r[LC], pr2c[LR], pc2r[LC], rperm[LR], cperm[LC];
    mwds_rng r;
    mwds_rng_seed(&r, 2016, 1);
    for (int k = 0; k < LR * LC; k++)
        cost[k] = mwds_rng_uniform(&r) < 0.93 ? INFINITY : 63.0 * mwds_rng_uniform(&r) - 3.0;
    for (int i = 0; i < LR; i++)
        rm[i] = 1.0 + 5.0 * mwds_rng_uniform(&r);
    for (int j = 0; j < LC; j++)
        cm[j] = 1.0 + 5.0 * mwds_rng_uniform(&r);

    double total;
    assert_int_equal(solve(cost, LR, LC, rm, cm, r2c, c2r, &total), MWDS_OK);
    check_solution(cost, LR, LC, rm, cm, r2c, c2r, total);
    if (has_negative_cycle(cost, LR, LC, rm, cm, r2c, c2r))
        fail_msg("residual graph has a negative cycle: the assignment is not optimal");
    int pairs = 0;
    for (int i = 0; i < LR; i++)
        pairs += r2c[i] >= 0;
    if (pairs < LR / 2 || pairs == LR)
        fail_msg("uninteresting problem: %d of %d rows assigned", pairs, LR);

    /* greedy is no better, and where it is worse the cycle test sees it */
    double gtotal = greedy(cost, LR, LC, rm, cm, pr2c, pc2r);
    check_solution(cost, LR, LC, rm, cm, pr2c, pc2r, gtotal);
    if (!(total <= gtotal + 1e-9))
        fail_msg("total %.12g worse than greedy %.12g", total, gtotal);
    if (!(gtotal > total + 1e-6))
        fail_msg("greedy is optimal here (%.12g): the problem is too easy", gtotal);
    if (!has_negative_cycle(cost, LR, LC, rm, cm, pr2c, pc2r))
        fail_msg("the cycle test passes greedy's worse assignment (%.12g > %.12g)", gtotal, total);

    /* Fisher-Yates permutations of rows and columns */
    for (int i = 0; i < LR; i++)
        rperm[i] = i;
    for (int j = 0; j < LC; j++)
        cperm[j] = j;
    for (int i = LR - 1; i > 0; i--) {
        int k = (int)(mwds_rng_u64(&r) % (uint64_t)(i + 1)), t = rperm[i];
        rperm[i] = rperm[k];
        rperm[k] = t;
    }
    for (int j = LC - 1; j > 0; j--) {
        int k = (int)(mwds_rng_u64(&r) % (uint64_t)(j + 1)), t = cperm[j];
        cperm[j] = cperm[k];
        cperm[k] = t;
    }
    for (int i = 0; i < LR; i++) {
        prm[i] = rm[rperm[i]];
        for (int j = 0; j < LC; j++)
            pcost[i * LC + j] = cost[rperm[i] * LC + cperm[j]];
    }
    for (int j = 0; j < LC; j++)
        pcm[j] = cm[cperm[j]];
    double ptotal;
    assert_int_equal(solve(pcost, LR, LC, prm, pcm, pr2c, pc2r, &ptotal), MWDS_OK);
    check_solution(pcost, LR, LC, prm, pcm, pr2c, pc2r, ptotal);
    assert_near(ptotal, total, 1e-9 * fabs(total), "total with rows and columns permuted");
}

/* The sparse solver (gated pairs split into clusters) against the dense one
 * on the whole problem: clusters share no row or column, so the sum of the
 * clusters' optima is the global optimum. Rows' misses per row, columns'
 * one constant, as the tracker and the fusion give them. With max_cluster
 * small the large clusters go greedy: then only validity is checked. */
enum { SR = 24, SC = 30, SP = SR * SC };

static void test_sparse_matches_dense(void **state)
{
    (void)state;
    static double cost[SR * SC], rm[SR], cm[SC];
    static mwds_assign_pair pairs[SP];
    static int r2c[SR], c2r[SC], dr2c[SR], dc2r[SC], in_row[SR], in_col[SC];
    mwds_rng r;
    mwds_rng_seed(&r, 2016, 2);
    mwds_assign_sparse exact, small;
    assert_int_equal(mwds_assign_sparse_init(&exact, SR, SC, SP, 64), MWDS_OK);
    assert_int_equal(mwds_assign_sparse_init(&small, SR, SC, SP, 2), MWDS_OK);
    int greedy_seen = 0;
    for (int trial = 0; trial < 300; trial++) {
        double density = 0.02 + 0.2 * mwds_rng_uniform(&r), col_miss = 4.0 * mwds_rng_uniform(&r);
        int n = 0;
        memset(in_col, 0, sizeof in_col);
        for (int i = 0; i < SR; i++) {
            in_row[i] = 0;
            rm[i] = 0.5 + 5.0 * mwds_rng_uniform(&r);
            for (int j = 0; j < SC; j++) {
                cost[i * SC + j] = INFINITY;
                if (mwds_rng_uniform(&r) < density) {
                    double c = 9.0 * mwds_rng_uniform(&r);
                    cost[i * SC + j] = c;
                    pairs[n++] = (mwds_assign_pair){i, j, c};
                    in_row[i] = in_col[j] = 1;
                }
            }
        }
        for (int j = 0; j < SC; j++)
            cm[j] = col_miss;
        for (int i = 0; i < SR; i++)
            r2c[i] = -7; /* rows in no pair must stay untouched */
        for (int j = 0; j < SC; j++)
            c2r[j] = -7;
        assert_int_equal(
            mwds_assign_sparse_solve(&exact, pairs, n, rm, 0.0, NULL, col_miss, r2c, c2r), 0);
        /* written exactly for the rows and columns of a pair; the others are
         * unassigned in the dense answer too */
        for (int i = 0; i < SR; i++) {
            if ((r2c[i] == -7) == in_row[i])
                fail_msg("trial %d: row %d (in a pair: %d) has %d", trial, i, in_row[i], r2c[i]);
            r2c[i] = in_row[i] ? r2c[i] : -1;
        }
        for (int j = 0; j < SC; j++) {
            if ((c2r[j] == -7) == in_col[j])
                fail_msg("trial %d: column %d (in a pair: %d) has %d", trial, j, in_col[j], c2r[j]);
            c2r[j] = in_col[j] ? c2r[j] : -1;
        }
        double total = 0.0;
        for (int i = 0; i < SR; i++)
            total += r2c[i] >= 0 ? cost[i * SC + r2c[i]] : rm[i];
        for (int j = 0; j < SC; j++)
            total += c2r[j] >= 0 ? 0.0 : cm[j];
        check_solution(cost, SR, SC, rm, cm, r2c, c2r, total);
        double dtotal;
        assert_int_equal(solve(cost, SR, SC, rm, cm, dr2c, dc2r, &dtotal), MWDS_OK);
        assert_near(total, dtotal, 1e-9 * (1.0 + fabs(dtotal)), "sparse total against dense");

        for (int i = 0; i < SR; i++)
            r2c[i] = -1;
        for (int j = 0; j < SC; j++)
            c2r[j] = -1;
        greedy_seen +=
            mwds_assign_sparse_solve(&small, pairs, n, rm, 0.0, NULL, col_miss, r2c, c2r);
        for (int i = 0; i < SR; i++)
            if (r2c[i] >= 0 && (!isfinite(cost[i * SC + r2c[i]]) || c2r[r2c[i]] != i))
                fail_msg("trial %d: row %d given column %d, not a pair or not mutual", trial, i,
                         r2c[i]);
        for (int j = 0; j < SC; j++)
            if (c2r[j] >= 0 && r2c[c2r[j]] != j)
                fail_msg("trial %d: column %d given row %d, not mutual", trial, j, c2r[j]);
    }
    if (greedy_seen == 0)
        fail_msg("no cluster went greedy: the small-cluster case is not exercised");
    mwds_assign_sparse_fini(&exact);
    mwds_assign_sparse_fini(&small);
    mwds_assign_sparse_fini(&small); /* twice is harmless */
    assert_int_equal(mwds_assign_sparse_init(&exact, 0, SC, SP, 64), MWDS_EINVAL);
    assert_int_equal(mwds_assign_sparse_init(&exact, SR, SC, SP, 0), MWDS_EINVAL);
    assert_int_equal(mwds_assign_sparse_init(&exact, 2000000000, 2000000000, SP, 64), MWDS_EINVAL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_matches_brute_force),
        cmocka_unit_test(test_empty_problems),
        cmocka_unit_test(test_one_by_one),
        cmocka_unit_test(test_all_forbidden),
        cmocka_unit_test(test_known_answers),
        cmocka_unit_test(test_ties_are_consistent_and_deterministic),
        cmocka_unit_test(test_errors),
        cmocka_unit_test(test_large_problem_is_optimal),
        cmocka_unit_test(test_sparse_matches_dense),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
