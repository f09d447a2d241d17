/*
 * mwds assign: minimum-cost linear assignment with misses, the core of the
 * global-nearest-neighbour associator.
 *
 * Rows are tracks, columns are measurements. Each row takes at most one
 * column and each column at most one row; a row or column left out pays its
 * own miss cost (for a track: the cost of a missed detection; for a
 * measurement: the cost of a false alarm or a new target). A cost of
 * +INFINITY marks a pair outside the gate, which is never chosen. Costs are
 * unitless (typically negative log-likelihoods); only their sums matter.
 *
 * The solver allocates nothing: the caller supplies a workspace sized by
 * mwds_assign_workspace. Nothing is kept between calls, so the functions are
 * safe to call from any thread on buffers that thread owns.
 */
#ifndef MWDS_ASSIGN_H
#define MWDS_ASSIGN_H

#include <stddef.h>

#include "mwds/core.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Bytes of workspace mwds_assign_solve needs for nr rows and nc columns:
 * 3 (nr + nc) doubles and 6 (nr + nc) ints. Returns 0 when nr + nc is 0 or
 * either is negative, and SIZE_MAX when the problem is too large to index
 * with int (then no buffer is large enough and the solve fails with
 * MWDS_EINVAL). O(1). */
size_t mwds_assign_workspace(int nr, int nc);

/* Minimum-cost assignment of rows (tracks) to columns (measurements).
 *
 * cost: nr x nc, row-major, ld nc; +INFINITY forbids the pair (outside the
 *   gate); may be NULL when nr or nc is 0.
 * row_miss[nr], col_miss[nc]: the cost of leaving row i (column j)
 *   unassigned; finite, may be 0 or negative.
 * Minimises the sum of the assigned pairs' costs plus the miss costs of
 * every row and column left unassigned. Ties are broken deterministically.
 * Writes row_to_col[nr] (the column of each row, -1: unassigned),
 * col_to_row[nc] (the row of each column, -1) and *total (the minimum sum)
 * if total is not NULL.
 * work: caller's buffer of at least mwds_assign_workspace(nr, nc) bytes,
 *   aligned for double (malloc's alignment suffices); may be NULL when that
 *   size is 0. Its contents on entry do not matter and on return are
 *   undefined.
 *
 * Errors (all outputs, including *total, are then untouched):
 *   MWDS_EINVAL: nr or nc < 0, or nr + nc > INT_MAX; a NULL pointer other than total where its
 *     array has entries; a NaN or -INFINITY cost; a non-finite miss cost;
 *     work_len below mwds_assign_workspace(nr, nc) or work misaligned.
 *   MWDS_ERANGE: a finite cost or miss cost so large (beyond about
 *     DBL_MAX / (16 (nr + nc + 1)), ~1e300 for realistic sizes) that sums
 *     of costs could overflow.
 *   MWDS_ENUMERIC: an internal consistency check failed (not expected: it
 *     would be a bug here, reported rather than crashing).
 * Ownership: all buffers stay the caller's; nothing is retained.
 * Cost: O(nr nc) to check the inputs plus O((nr + nc)^3) worst case to
 *   solve (each of the nr + nc augmentations is O((nr + nc)^2) at most);
 *   allocates nothing. */
mwds_err mwds_assign_solve(const double *cost, int nr, int nc, const double *row_miss,
                           const double *col_miss, void *work, size_t work_len, int *row_to_col,
                           int *col_to_row, double *total);

/* ---- sparse problems: gated pairs, solved cluster by cluster ------------ */

/* A gated pair: a row id (a track, a system track), a column id (a
 * measurement, a source) and the pair's finite cost. */
typedef struct mwds_assign_pair {
    int row, col;
    double cost;
} mwds_assign_pair;

/* Scratch for mwds_assign_sparse_solve, sized once by _init so that a solve
 * allocates nothing. Caller-allocated; the fields are the solver's. */
typedef struct mwds_assign_sparse {
    int n_rows, n_cols, max_pairs, max_cluster;
    int *parent;            /* union-find over rows, then columns */
    int *cl_head, *cl_next; /* pairs chained by cluster root */
    int *cl_rows, *cl_cols; /* the rows and columns of the cluster being solved */
    double *cost, *row_miss, *col_miss;
    int *r2c, *c2r;
    void *work;
    size_t work_len;
} mwds_assign_sparse;

/* Sizes s for row ids below n_rows, column ids below n_cols, at most
 * max_pairs pairs and clusters solved exactly up to max_cluster rows and
 * columns (larger ones greedily). Errors: MWDS_EINVAL (a size below 1, or
 * n_rows + n_cols beyond int), MWDS_ENOMEM; s then holds nothing to free.
 * Cost: O(n_rows + n_cols + max_pairs + max_cluster^2) memory. */
mwds_err mwds_assign_sparse_init(mwds_assign_sparse *s, int n_rows, int n_cols, int max_pairs,
                                 int max_cluster);

/* Frees what _init allocated. Harmless on a zeroed or finished s. */
void mwds_assign_sparse_fini(mwds_assign_sparse *s);

/* Minimum-cost assignment of the rows and columns of pairs[n_pairs] (each
 * row and column pair at most once, ids in range, n_pairs <= max_pairs).
 * Pairs that share a row or a column, directly or through others, form one
 * cluster; clusters are independent and each is solved alone: exactly by
 * mwds_assign_solve when it has at most max_cluster rows and columns, else
 * greedily (pairs by increasing cost, each row and column once). A row left
 * unassigned costs row_miss[row], or row_miss_all when row_miss is NULL;
 * likewise a column. Writes row_to_col[row] and col_to_row[col] for every
 * row and column of a pair (-1: unassigned); other entries are untouched.
 * Returns the number of clusters assigned greedily. Ties are broken
 * deterministically, by pair order. Cost: near-linear in n_pairs to find
 * the clusters, then per cluster O(pairs x size) to list it and
 * O(size^3) to solve it (greedy: O(pairs^2)); allocates nothing. */
int mwds_assign_sparse_solve(mwds_assign_sparse *s, const mwds_assign_pair *pairs, int n_pairs,
                             const double *row_miss, double row_miss_all, const double *col_miss,
                             double col_miss_all, int *row_to_col, int *col_to_row);

#ifdef __cplusplus
}
#endif
#endif
