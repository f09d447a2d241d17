/*
 * Linear assignment with misses by shortest augmenting paths; see assign.h.
 *
 * The rectangular problem with misses becomes a square one of size
 * n = nr + nc. Augmented rows are the nr tracks followed by nc "column miss"
 * rows; augmented columns are the nc measurements followed by nr "row miss"
 * columns:
 *
 *                 measurements j < nc       row-miss columns nc + l
 *   track i       cost[i][j]                row_miss[i] if l == i, else forbidden
 *   miss row nr+k col_miss[j] if j == k,    0
 *                 else forbidden
 *
 * A track matched to its own row-miss column is unassigned; a measurement
 * matched to its own miss row is unassigned; the zero block absorbs the
 * miss rows and columns left over when real pairs are made. The augmented
 * problem always has a perfect matching (every track to its miss column,
 * every miss row to its measurement), so every augmentation finds a path.
 *
 * The matrix is never formed: scan_row enumerates a row's permitted edges
 * from the inputs, so forbidden pairs are absent edges, not large numbers,
 * and no infinity ever enters the arithmetic.
 *
 * Rows are added one at a time (Jonker-Volgenant's augmentation phase
 * without their initialisation heuristics, as laid out by Crouse 2016):
 * from the new row, a Dijkstra search over reduced costs
 * c[i][j] - u[i] - v[j] finds the cheapest alternating path to a free
 * column, then the dual potentials u, v are updated so that every matched
 * pair stays tight (reduced cost 0) and every edge out of an assigned row
 * keeps a reduced cost >= 0, and the path is flipped. Only the new row's
 * edges may have negative reduced cost, and it is the search's source, so
 * Dijkstra stays exact with negative costs. Each augmentation costs
 * O(n^2), n of them O(n^3).
 *
 * Ties go to the lowest column index, except that a free column beats an
 * assigned one at equal distance (it ends the search sooner); results are
 * therefore deterministic.
 */
#include <float.h>
#include <limits.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "mwds/assign.h"

/* Workspace: u, v, shortest (doubles) then col4row, row4col, path, rem, sr,
 * scanned (ints), n entries each. */
#define WS_DOUBLES 3
#define WS_INTS 6
#define WS_PER_ENTRY (WS_DOUBLES * sizeof(double) + WS_INTS * sizeof(int))

typedef struct problem {
    const double *cost, *row_miss, *col_miss;
    int nr, nc;
} problem;

/* The search state for one augmentation. */
typedef struct search {
    const double *v;    /* column potentials */
    const int *scanned; /* 1 for columns already settled in this search */
    double *shortest;   /* tentative path length to each column */
    int *path;          /* the row each column's tentative path comes from */
} search;

static void relax(search *s, int i, int j, double reduced)
{
    if (!s->scanned[j] && reduced < s->shortest[j]) {
        s->shortest[j] = reduced;
        s->path[j] = i;
    }
}

/* Relaxes every permitted edge of augmented row i; base is the path length
 * to row i minus its potential u[i]. */
static void scan_row(const problem *pb, search *s, int i, double base)
{
    const double *v = s->v;
    if (i < pb->nr) {
        if (pb->nc > 0) {
            const double *c = pb->cost + (size_t)i * (size_t)pb->nc;
            for (int j = 0; j < pb->nc; j++)
                if (c[j] != INFINITY)
                    relax(s, i, j, base + c[j] - v[j]);
        }
        int miss = pb->nc + i;
        relax(s, i, miss, base + pb->row_miss[i] - v[miss]);
    } else {
        int k = i - pb->nr;
        relax(s, i, k, base + pb->col_miss[k] - v[k]);
        for (int l = 0; l < pb->nr; l++)
            relax(s, i, pb->nc + l, base - v[pb->nc + l]);
    }
}

size_t mwds_assign_workspace(int nr, int nc)
{
    if (nr < 0 || nc < 0)
        return 0;
    long long n = (long long)nr + (long long)nc;
    /* every index, including nr + nc itself, must fit in int */
    if (n > INT_MAX || (unsigned long long)n > SIZE_MAX / WS_PER_ENTRY)
        return SIZE_MAX;
    return (size_t)n * WS_PER_ENTRY;
}

/* Checks the values: MWDS_EINVAL for NaN or -INFINITY costs and non-finite
 * miss costs, MWDS_ERANGE for finite magnitudes whose sums could overflow.
 * Potentials and path lengths are sums and differences of at most about
 * 4 n costs, so a bound of DBL_MAX / (16 (n + 1)) leaves ample margin. */
static mwds_err check_values(const problem *pb)
{
    double big = 0.0;
    size_t ncost = (size_t)pb->nr * (size_t)pb->nc;
    for (size_t k = 0; k < ncost; k++) {
        double c = pb->cost[k];
        if (isnan(c) || c == -INFINITY)
            return MWDS_EINVAL;
        if (c != INFINITY)
            big = fmax(big, fabs(c));
    }
    for (int i = 0; i < pb->nr; i++) {
        if (!isfinite(pb->row_miss[i]))
            return MWDS_EINVAL;
        big = fmax(big, fabs(pb->row_miss[i]));
    }
    for (int j = 0; j < pb->nc; j++) {
        if (!isfinite(pb->col_miss[j]))
            return MWDS_EINVAL;
        big = fmax(big, fabs(pb->col_miss[j]));
    }
    if (big > DBL_MAX / (16.0 * (pb->nr + pb->nc + 1)))
        return MWDS_ERANGE;
    return MWDS_OK;
}

mwds_err mwds_assign_solve(const double *cost, int nr, int nc, const double *row_miss,
                           const double *col_miss, void *work, size_t work_len, int *row_to_col,
                           int *col_to_row, double *total)
{
    if (nr < 0 || nc < 0)
        return MWDS_EINVAL;
    size_t need = mwds_assign_workspace(nr, nc);
    if (need == SIZE_MAX || work_len < need)
        return MWDS_EINVAL;
    if ((nr > 0 && nc > 0 && cost == NULL) ||
        (nr > 0 && (row_miss == NULL || row_to_col == NULL)) ||
        (nc > 0 && (col_miss == NULL || col_to_row == NULL)) || (need > 0 && work == NULL))
        return MWDS_EINVAL;
    if (need > 0 && (uintptr_t)work % _Alignof(double) != 0)
        return MWDS_EINVAL;
    const problem pb = {cost, row_miss, col_miss, nr, nc};
    mwds_err e = check_values(&pb);
    if (e != MWDS_OK)
        return e;

    const int n = nr + nc;
    double *u = work, *v = u + n, *shortest = v + n;
    int *col4row = (int *)(shortest + n), *row4col = col4row + n, *path = row4col + n;
    int *rem = path + n, *sr = rem + n, *scanned = sr + n;
    for (int k = 0; k < n; k++) {
        u[k] = v[k] = 0.0;
        col4row[k] = row4col[k] = -1;
        scanned[k] = 0;
    }
    search s = {v, scanned, shortest, path};

    for (int cur = 0; cur < n; cur++) {
        /* rem[0, nrem) are the unsettled columns, rem[nrem, n) the settled */
        int nrem = n, nsr = 0, i = cur, sink = -1;
        double min_val = 0.0;
        for (int j = 0; j < n; j++) {
            rem[j] = j;
            shortest[j] = INFINITY;
        }
        while (sink < 0) {
            sr[nsr++] = i;
            scan_row(&pb, &s, i, min_val - u[i]);
            int best_t = -1;
            double best = INFINITY;
            for (int t = 0; t < nrem; t++) {
                int j = rem[t];
                if (shortest[j] < best || (shortest[j] == best && best_t >= 0 && row4col[j] < 0 &&
                                           row4col[rem[best_t]] >= 0)) {
                    best = shortest[j];
                    best_t = t;
                }
            }
            /* Cannot happen: a perfect matching exists and check_values
             * keeps every sum finite. Kept so a broken invariant fails
             * with an error instead of indexing out of bounds. */
            if (best_t < 0)
                return MWDS_ENUMERIC;
            int j = rem[best_t];
            rem[best_t] = rem[nrem - 1];
            rem[nrem - 1] = j;
            nrem--;
            scanned[j] = 1;
            min_val = best;
            if (row4col[j] < 0)
                sink = j;
            else
                i = row4col[j];
        }
        /* Dual update: keeps matched pairs tight and reduced costs >= 0. */
        u[cur] += min_val;
        for (int t = 1; t < nsr; t++) {
            int r = sr[t];
            u[r] += min_val - shortest[col4row[r]];
        }
        for (int t = nrem; t < n; t++) {
            int j = rem[t];
            v[j] -= min_val - shortest[j];
            scanned[j] = 0;
        }
        /* Flip the alternating path from the sink back to cur. */
        for (int j = sink;;) {
            int r = path[j];
            int prev = col4row[r];
            row4col[j] = r;
            col4row[r] = j;
            if (r == cur)
                break;
            j = prev;
        }
    }

    double sum = 0.0;
    for (int r = 0; r < nr; r++) {
        int j = col4row[r];
        if (j < nc) {
            row_to_col[r] = j;
            sum += cost[(size_t)r * (size_t)nc + (size_t)j];
        } else {
            row_to_col[r] = -1;
            sum += row_miss[r];
        }
    }
    for (int j = 0; j < nc; j++) {
        int r = row4col[j];
        if (r < nr) {
            col_to_row[j] = r;
        } else {
            col_to_row[j] = -1;
            sum += col_miss[j];
        }
    }
    if (total != NULL)
        *total = sum;
    return MWDS_OK;
}

/* ---- sparse problems ------------------------------------------------------- */

void mwds_assign_sparse_fini(mwds_assign_sparse *s)
{
    free(s->parent);
    free(s->cl_head);
    free(s->cl_next);
    free(s->cl_rows);
    free(s->cl_cols);
    free(s->cost);
    free(s->row_miss);
    free(s->col_miss);
    free(s->r2c);
    free(s->c2r);
    free(s->work);
    memset(s, 0, sizeof *s);
}

mwds_err mwds_assign_sparse_init(mwds_assign_sparse *s, int n_rows, int n_cols, int max_pairs,
                                 int max_cluster)
{
    memset(s, 0, sizeof *s);
    if (n_rows < 1 || n_cols < 1 || max_pairs < 1 || max_cluster < 1 || n_rows > INT_MAX - n_cols)
        return MWDS_EINVAL;
    const size_t work_len = mwds_assign_workspace(max_cluster, max_cluster);
    if (work_len == SIZE_MAX)
        return MWDS_EINVAL;
    const size_t n = (size_t)n_rows + (size_t)n_cols, k = (size_t)max_cluster;
    s->parent = calloc(n, sizeof *s->parent);
    s->cl_head = calloc(n, sizeof *s->cl_head);
    /* indexed by pair, not by row or column */
    s->cl_next = calloc((size_t)max_pairs, sizeof *s->cl_next);
    s->cl_rows = calloc(k, sizeof *s->cl_rows);
    s->cl_cols = calloc(k, sizeof *s->cl_cols);
    s->cost = calloc(k * k, sizeof *s->cost);
    s->row_miss = calloc(k, sizeof *s->row_miss);
    s->col_miss = calloc(k, sizeof *s->col_miss);
    s->r2c = calloc(k, sizeof *s->r2c);
    s->c2r = calloc(k, sizeof *s->c2r);
    s->work = malloc(work_len);
    if (!s->parent || !s->cl_head || !s->cl_next || !s->cl_rows || !s->cl_cols || !s->cost ||
        !s->row_miss || !s->col_miss || !s->r2c || !s->c2r || !s->work) {
        mwds_assign_sparse_fini(s);
        return MWDS_ENOMEM;
    }
    s->n_rows = n_rows;
    s->n_cols = n_cols;
    s->max_pairs = max_pairs;
    s->max_cluster = max_cluster;
    s->work_len = work_len;
    return MWDS_OK;
}

static int uf_find(int *parent, int x)
{
    while (parent[x] != x) {
        parent[x] = parent[parent[x]];
        x = parent[x];
    }
    return x;
}

static void uf_union(int *parent, int a, int b)
{
    a = uf_find(parent, a);
    b = uf_find(parent, b);
    if (a != b)
        parent[a < b ? b : a] = a < b ? a : b;
}

/* The cluster whose pairs chain from q0, greedily: pairs by increasing
 * cost, each row and column once. O(pairs^2); only for clusters over
 * max_cluster (counted by the caller). */
static void assign_greedy(const mwds_assign_sparse *s, const mwds_assign_pair *pairs, int q0,
                          int *row_to_col, int *col_to_row)
{
    for (;;) {
        int best = -1;
        for (int q = q0; q >= 0; q = s->cl_next[q]) {
            const mwds_assign_pair *p = &pairs[q];
            if (row_to_col[p->row] >= 0 || col_to_row[p->col] >= 0)
                continue;
            if (best < 0 || p->cost < pairs[best].cost)
                best = q;
        }
        if (best < 0)
            return;
        row_to_col[pairs[best].row] = pairs[best].col;
        col_to_row[pairs[best].col] = pairs[best].row;
    }
}

int mwds_assign_sparse_solve(mwds_assign_sparse *s, const mwds_assign_pair *pairs, int n_pairs,
                             const double *row_miss, double row_miss_all, const double *col_miss,
                             double col_miss_all, int *row_to_col, int *col_to_row)
{
    const int nr_all = s->n_rows;
    for (int q = 0; q < n_pairs; q++) {
        const mwds_assign_pair *p = &pairs[q];
        s->parent[p->row] = p->row;
        s->parent[nr_all + p->col] = nr_all + p->col;
        row_to_col[p->row] = -1;
        col_to_row[p->col] = -1;
    }
    for (int q = 0; q < n_pairs; q++)
        uf_union(s->parent, pairs[q].row, nr_all + pairs[q].col);
    /* pairs chained by cluster root: cl_head[root] -> pair -> cl_next */
    for (int q = 0; q < n_pairs; q++)
        s->cl_head[uf_find(s->parent, pairs[q].row)] = -1;
    for (int q = n_pairs - 1; q >= 0; q--) {
        int r = uf_find(s->parent, pairs[q].row);
        s->cl_next[q] = s->cl_head[r];
        s->cl_head[r] = q;
    }
    const int k = s->max_cluster;
    int greedy = 0;
    for (int q0 = 0; q0 < n_pairs; q0++) {
        if (s->cl_head[uf_find(s->parent, pairs[q0].row)] != q0)
            continue; /* each cluster once, from its first pair */
        /* the cluster's rows and columns (linear scans: clusters are small) */
        int nr = 0, nc = 0, np = 0, big = 0;
        for (int q = q0; q >= 0 && !big; q = s->cl_next[q]) {
            const mwds_assign_pair *p = &pairs[q];
            int a = 0, b = 0;
            while (a < nr && s->cl_rows[a] != p->row)
                a++;
            while (b < nc && s->cl_cols[b] != p->col)
                b++;
            big = (a == nr && nr == k) || (b == nc && nc == k);
            if (!big) {
                nr += a == nr;
                nc += b == nc;
                s->cl_rows[a] = p->row;
                s->cl_cols[b] = p->col;
            }
            np++;
        }
        if (big) {
            greedy++;
            assign_greedy(s, pairs, q0, row_to_col, col_to_row);
            continue;
        }
        for (int a = 0; a < nr; a++)
            s->row_miss[a] = row_miss != NULL ? row_miss[s->cl_rows[a]] : row_miss_all;
        for (int b = 0; b < nc; b++)
            s->col_miss[b] = col_miss != NULL ? col_miss[s->cl_cols[b]] : col_miss_all;
        /* a lone pair, the common case, needs no solver */
        if (np == 1 && pairs[q0].cost < s->row_miss[0] + s->col_miss[0]) {
            row_to_col[pairs[q0].row] = pairs[q0].col;
            col_to_row[pairs[q0].col] = pairs[q0].row;
            continue;
        }
        for (int a = 0; a < nr * nc; a++)
            s->cost[a] = INFINITY;
        for (int q = q0; q >= 0; q = s->cl_next[q]) {
            const mwds_assign_pair *p = &pairs[q];
            int a = 0, b = 0;
            while (s->cl_rows[a] != p->row)
                a++;
            while (s->cl_cols[b] != p->col)
                b++;
            s->cost[a * nc + b] = p->cost;
        }
        if (mwds_assign_solve(s->cost, nr, nc, s->row_miss, s->col_miss, s->work, s->work_len,
                              s->r2c, s->c2r, NULL) != MWDS_OK) {
            /* not expected (costs are finite or +inf by construction); if it
             * happens, assign greedily as the count says */
            greedy++;
            assign_greedy(s, pairs, q0, row_to_col, col_to_row);
            continue;
        }
        for (int a = 0; a < nr; a++)
            if (s->r2c[a] >= 0) {
                row_to_col[s->cl_rows[a]] = s->cl_cols[s->r2c[a]];
                col_to_row[s->cl_cols[s->r2c[a]]] = s->cl_rows[a];
            }
    }
    return greedy;
}
