/*
 * Track-to-track fusion into system tracks; see fusion.h. A run goes through
 * the parts in order, each a static function with one job:
 *
 *   drop       sources the origin ended, or not updated for stale_s
 *   align      each source's state predicted to the run's time (a working
 *              copy: the stored source is never changed)
 *   continue   each system track walks its members in join order, folding
 *              each into the estimate of those before it while it stays
 *              inside their chi-square gate; a member outside leaves
 *   merge      system tracks with no origin in common whose estimates agree
 *              within the gate (typically one object first seen by each
 *              nation while their estimates still disagreed)
 *   associate  the sources left, origin by origin (in code order): gated
 *              pairs with the system tracks that lack that origin, split
 *              into clusters (union-find), each solved as a linear
 *              assignment minimising the summed d^2 (mwds/assign.h), or
 *              greedily above max_cluster; a source left over starts a
 *              system track, which the next origins may join
 *   publish    the fused state of each system track in mwds_track form
 *
 * Invariants: a source belongs to at most one system track; a system track
 * has 1..MWDS_FUSION_MAX_MEMBERS members, no two of one origin; a live
 * system track's slot in the picture has status MWDS_TRACK_CONFIRMED and a
 * number that does not change while it lives.
 *
 * The fused state. Covariance intersection (mwds_fusion_ci) on the six
 * position and velocity components, folded member by member: each fold is
 * consistent whatever the correlation of its inputs, so the chain is too.
 * The other states (1/beta of the ballistic model, thrust acceleration of
 * the boost model) are estimated by one member only. The system track takes
 * its model from the member with the smallest position covariance (trace)
 * and carries that member's joint distribution over: its conditional
 * distribution of the other states given the kinematics, applied to the
 * fused kinematics. With the member's blocks A (kinematics), B (cross) and
 * C (others) and the fused kinematics (x6, P6), K = B^T A^-1 and
 *   x_e = x_e,member + K (x6 - x_6,member),
 *   P_e = C - K A K^T + K P6 K^T,  cross-covariance P6 K^T.
 * This is positive definite whenever the member's covariance and P6 are
 * (a congruence of diag(P6, Schur complement)), and with P6 = A it returns
 * the member's own covariance. Setting the cross-covariance to zero instead
 * would discard what the member knows about how thrust or drag moves with
 * the velocity, and the filter would start the next prediction overconfident
 * in their combination.
 *
 * Memory: everything is allocated by mwds_fusion_create; put and run
 * allocate nothing. Time is an argument; nothing here reads the clock.
 */
#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "mwds/assign.h"
#include "mwds/fusion.h"
#include "mwds/stats.h"

#define PAIRS_PER_SOURCE 16
#define CI_TOL_W 1e-7

/* ---- covariance intersection --------------------------------------------------- */

typedef struct ci_ctx {
    int n;
    mwds_ci_criterion crit;
    double p1[81], p2[81]; /* symmetrised copies, ld n */
} ci_ctx;

static int all_finite(const double *a, int n)
{
    for (int i = 0; i < n; i++)
        if (!isfinite(a[i]))
            return 0;
    return 1;
}

/* M = w p2 + (1 - w) p1 and its Cholesky factor. */
static mwds_err ci_factor(const ci_ctx *c, double w, double *l)
{
    double m[81];
    const int n = c->n, nn = n * n;
    for (int k = 0; k < nn; k++)
        m[k] = w * c->p2[k] + (1.0 - w) * c->p1[k];
    return mwds_linalg_chol(m, l, n, n);
}

/* P = p1 M^-1 p2 from M's factor l. */
static void ci_cov(const ci_ctx *c, const double *l, double *p)
{
    const int n = c->n;
    double y[81], col[9], sol[9];
    for (int j = 0; j < n; j++) { /* Y = M^-1 p2, column by column */
        for (int i = 0; i < n; i++)
            col[i] = c->p2[i * n + j];
        mwds_linalg_chol_solve(l, col, sol, n, n);
        for (int i = 0; i < n; i++)
            y[i * n + j] = sol[i];
    }
    for (int i = 0; i < n; i++)
        for (int j = 0; j < n; j++) {
            double acc = 0.0;
            for (int k = 0; k < n; k++)
                acc += c->p1[i * n + k] * y[k * n + j];
            p[i * n + j] = acc;
        }
}

/* The criterion at w. det P = det p1 det p2 / det M, so minimising det P is
 * minimising -log det M; both it and trace P are convex in w (P^-1 is
 * affine in w), so a golden-section search finds the minimum. */
static mwds_err ci_objective(const ci_ctx *c, double w, double *val)
{
    double l[81];
    mwds_err e = ci_factor(c, w, l);
    if (e != MWDS_OK)
        return e;
    const int n = c->n;
    double v = 0.0;
    if (c->crit == MWDS_CI_DET) {
        for (int i = 0; i < n; i++)
            v -= 2.0 * log(l[i * n + i]);
    } else {
        double p[81];
        ci_cov(c, l, p);
        for (int i = 0; i < n; i++)
            v += p[i * n + i];
    }
    if (!isfinite(v))
        return MWDS_ENUMERIC;
    *val = v;
    return MWDS_OK;
}

mwds_err mwds_fusion_ci(int n, const double *x1, const double *p1, const double *x2,
                        const double *p2, mwds_ci_criterion crit, double *x, double *p, double *w)
{
    if (n < 1 || n > 9 || !x1 || !p1 || !x2 || !p2 || !x || !p ||
        (crit != MWDS_CI_DET && crit != MWDS_CI_TRACE))
        return MWDS_EINVAL;
    const int nn = n * n;
    if (!all_finite(x1, n) || !all_finite(x2, n) || !all_finite(p1, nn) || !all_finite(p2, nn))
        return MWDS_ENUMERIC;
    ci_ctx c;
    c.n = n;
    c.crit = crit;
    memcpy(c.p1, p1, (size_t)nn * sizeof *p1);
    memcpy(c.p2, p2, (size_t)nn * sizeof *p2);
    mwds_linalg_symmetrise(c.p1, n, n);
    mwds_linalg_symmetrise(c.p2, n, n);
    double l[81];
    mwds_err e;
    if ((e = mwds_linalg_chol(c.p1, l, n, n)) != MWDS_OK ||
        (e = mwds_linalg_chol(c.p2, l, n, n)) != MWDS_OK)
        return e;

    /* golden section on [0, 1], then the end points, where the result is
     * exactly one input (the common case of one estimate better in every
     * direction) */
    const double g = 0.5 * (sqrt(5.0) - 1.0);
    double a = 0.0, b = 1.0, u = b - g * (b - a), v = a + g * (b - a), fu, fv;
    if ((e = ci_objective(&c, u, &fu)) != MWDS_OK || (e = ci_objective(&c, v, &fv)) != MWDS_OK)
        return e;
    while (b - a > CI_TOL_W) {
        if (fu < fv) {
            b = v;
            v = u;
            fv = fu;
            u = b - g * (b - a);
            e = ci_objective(&c, u, &fu);
        } else {
            a = u;
            u = v;
            fu = fv;
            v = a + g * (b - a);
            e = ci_objective(&c, v, &fv);
        }
        if (e != MWDS_OK)
            return e;
    }
    double wb = 0.5 * (a + b), fb, f0, f1;
    if ((e = ci_objective(&c, wb, &fb)) != MWDS_OK || (e = ci_objective(&c, 0.0, &f0)) != MWDS_OK ||
        (e = ci_objective(&c, 1.0, &f1)) != MWDS_OK)
        return e;
    /* an end point within rounding of the interior minimum wins: it is
     * exact, and two copies of one estimate give that estimate back */
    const double tie = 1e-12 * (1.0 + fabs(fb));
    if (f1 <= fb + tie) {
        wb = 1.0;
        fb = f1;
    }
    if (f0 < fb - tie || (wb != 1.0 && f0 <= fb + tie))
        wb = 0.0;

    double xr[9], pr[81];
    if (wb == 1.0 || wb == 0.0) {
        memcpy(xr, wb == 1.0 ? x1 : x2, (size_t)n * sizeof *xr);
        memcpy(pr, wb == 1.0 ? c.p1 : c.p2, (size_t)nn * sizeof *pr);
    } else {
        if ((e = ci_factor(&c, wb, l)) != MWDS_OK)
            return e;
        double d[9], z[9];
        for (int i = 0; i < n; i++)
            d[i] = x2[i] - x1[i];
        mwds_linalg_chol_solve(l, d, z, n, n); /* z = M^-1 (x2 - x1) */
        for (int i = 0; i < n; i++) {
            double acc = 0.0;
            for (int k = 0; k < n; k++)
                acc += c.p1[i * n + k] * z[k];
            xr[i] = x1[i] + (1.0 - wb) * acc;
        }
        ci_cov(&c, l, pr);
        mwds_linalg_symmetrise(pr, n, n);
    }
    if (!all_finite(xr, n) || !all_finite(pr, nn))
        return MWDS_ENUMERIC;
    if ((e = mwds_linalg_chol(pr, l, n, n)) != MWDS_OK)
        return e;
    memcpy(x, xr, (size_t)n * sizeof *x);
    memcpy(p, pr, (size_t)nn * sizeof *p);
    if (w != NULL)
        *w = wb;
    return MWDS_OK;
}

/* ---- the context ---------------------------------------------------------------- */

typedef struct source {
    int used;
    mwds_source_track s;
    int system; /* system slot it belongs to, -1: none */
    /* per run */
    int ok;              /* aligned to the run's time */
    mwds_filter_state w; /* the aligned copy */
} source;

typedef struct system_rec {
    int n_members;
    int member[MWDS_FUSION_MAX_MEMBERS]; /* source slots in join order */
    mwds_vec6 x;                         /* fused position and velocity at the run */
    mwds_mat6 p;
} system_rec;

struct mwds_fusion {
    mwds_fusion_config c;
    double gate;
    int64_t stale_ns;
    source *src;
    system_rec *sys;
    mwds_track *out;
    uint32_t next_number;
    mwds_fusion_stats stats;
    /* per-run scratch */
    char (*origins)[MWDS_ORIGIN_LEN];
    int *cand;               /* the unassigned sources of the origin being associated */
    int *live_list;          /* live system slots, for the merge */
    mwds_assign_pair *pairs; /* rows are system slots, columns source slots */
    int max_pairs, n_pairs;
    int *sys_match; /* associate: the source assigned to each system slot, -1 */
    int *src_match; /* associate: the system slot assigned to each source, -1 */
    mwds_assign_sparse asg;
};

void mwds_fusion_config_default(mwds_fusion_config *c)
{
    mwds_tracker_config tc;
    mwds_tracker_config_default(&tc);
    memset(c, 0, sizeof *c);
    c->max_sources = 1024;
    c->max_system = 512;
    c->fp = tc.fp;
    c->gate_p = 0.9999;
    c->stale_s = tc.max_coast_s;
    c->criterion = MWDS_CI_DET;
    c->max_cluster = 64;
}

void mwds_fusion_destroy(mwds_fusion *f)
{
    if (f == NULL)
        return;
    free(f->src);
    free(f->sys);
    free(f->out);
    free(f->origins);
    free(f->cand);
    free(f->live_list);
    free(f->pairs);
    free(f->sys_match);
    free(f->src_match);
    mwds_assign_sparse_fini(&f->asg);
    free(f);
}

static int config_ok(const mwds_fusion_config *c)
{
    const mwds_filter_params *fp = &c->fp;
    return c->max_sources >= 1 && c->max_sources <= 1000000 && c->max_system >= 1 &&
           c->max_system <= 1000000 && c->gate_p > 0.5 && c->gate_p < 1.0 && c->stale_s > 0.0 &&
           c->stale_s <= 86400.0 && isfinite(c->stale_s) &&
           (c->criterion == MWDS_CI_DET || c->criterion == MWDS_CI_TRACE) && c->max_cluster >= 1 &&
           c->max_cluster <= 1024 && isfinite(fp->q_acc) && isfinite(fp->q_invbeta) &&
           isfinite(fp->q_jerk) && fp->q_acc >= 0.0 && fp->q_invbeta >= 0.0 && fp->q_jerk >= 0.0 &&
           isfinite(fp->max_step_s) && fp->max_step_s >= 0.0;
}

mwds_err mwds_fusion_create(const mwds_fusion_config *c, mwds_fusion **out)
{
    if (c == NULL || out == NULL || !config_ok(c))
        return MWDS_EINVAL;
    mwds_fusion *f = calloc(1, sizeof *f);
    if (f == NULL)
        return MWDS_ENOMEM;
    f->c = *c;
    f->gate = mwds_chi2_quantile(c->gate_p, 6.0);
    f->stale_ns = mwds_time_from_s(c->stale_s);
    const size_t ns = (size_t)c->max_sources, nsys = (size_t)c->max_system;
    f->max_pairs = c->max_sources * PAIRS_PER_SOURCE;
    f->src = calloc(ns, sizeof *f->src);
    f->sys = calloc(nsys, sizeof *f->sys);
    f->out = calloc(nsys, sizeof *f->out);
    f->origins = calloc(ns, sizeof *f->origins);
    f->cand = calloc(ns, sizeof *f->cand);
    f->live_list = calloc(nsys, sizeof *f->live_list);
    f->pairs = calloc((size_t)f->max_pairs, sizeof *f->pairs);
    f->sys_match = calloc(nsys, sizeof *f->sys_match);
    f->src_match = calloc(ns, sizeof *f->src_match);
    if (!f->src || !f->sys || !f->out || !f->origins || !f->cand || !f->live_list || !f->pairs ||
        !f->sys_match || !f->src_match ||
        mwds_assign_sparse_init(&f->asg, c->max_system, c->max_sources, f->max_pairs,
                                c->max_cluster) != MWDS_OK) {
        mwds_fusion_destroy(f);
        return MWDS_ENOMEM;
    }
    for (size_t i = 0; i < ns; i++)
        f->src[i].system = -1;
    f->next_number = 1;
    *out = f;
    return MWDS_OK;
}

const mwds_track *mwds_fusion_tracks(const mwds_fusion *f, int *n_slots)
{
    *n_slots = f->c.max_system;
    return f->out;
}

void mwds_fusion_get_stats(const mwds_fusion *f, mwds_fusion_stats *out)
{
    *out = f->stats;
}

/* ---- sources -------------------------------------------------------------------- */

static int origin_ok(const char *o)
{
    size_t len = 0;
    while (len < MWDS_ORIGIN_LEN && o[len] != '\0')
        len++;
    return len >= 1 && len < MWDS_ORIGIN_LEN;
}

static int same_origin(const char *a, const char *b)
{
    return strncmp(a, b, MWDS_ORIGIN_LEN) == 0;
}

static int find_source(const mwds_fusion *f, const char *origin, uint32_t number)
{
    for (int i = 0; i < f->c.max_sources; i++)
        if (f->src[i].used && f->src[i].s.number == number &&
            same_origin(f->src[i].s.origin, origin))
            return i;
    return -1;
}

static int state_ok(const mwds_filter_state *s)
{
    if (!((s->model == MWDS_MODEL_BALLISTIC && s->n == 7) ||
          (s->model == MWDS_MODEL_BOOST && s->n == 9)))
        return 0;
    for (int i = 0; i < s->n; i++) {
        if (!isfinite(s->x.v[i]))
            return 0;
        for (int j = 0; j < s->n; j++)
            if (!isfinite(s->p.m[i][j]))
                return 0;
    }
    return 1;
}

mwds_err mwds_fusion_put(mwds_fusion *f, const mwds_source_track *s)
{
    if (f == NULL || s == NULL || !origin_ok(s->origin) || s->number == 0)
        return MWDS_EINVAL;
    int i = find_source(f, s->origin, s->number);
    if (s->ended) {
        /* only the key matters: the origin may no longer have a state */
        if (i >= 0)
            f->src[i].s.ended = 1;
        return MWDS_OK;
    }
    if (s->hits < 0 || !state_ok(&s->f))
        return MWDS_EINVAL;
    if (i < 0) {
        for (int k = 0; k < f->c.max_sources && i < 0; k++)
            if (!f->src[k].used)
                i = k;
        if (i < 0)
            return MWDS_EFULL;
        f->src[i].used = 1;
        f->src[i].system = -1;
        f->src[i].ok = 0;
    }
    source *sr = &f->src[i];
    sr->s = *s;
    memset(sr->s.origin, 0, sizeof sr->s.origin);
    memcpy(sr->s.origin, s->origin, strnlen(s->origin, MWDS_ORIGIN_LEN - 1));
    /* entries beyond n are zero, as track.h promises */
    for (int r = 0; r < 9; r++) {
        if (r >= s->f.n)
            sr->s.f.x.v[r] = 0.0;
        for (int c = 0; c < 9; c++)
            if (r >= s->f.n || c >= s->f.n)
                sr->s.f.p.m[r][c] = 0.0;
    }
    return MWDS_OK;
}

mwds_err mwds_fusion_source_system(const mwds_fusion *f, const char *origin, uint32_t number,
                                   uint32_t *system_number)
{
    if (f == NULL || origin == NULL || system_number == NULL)
        return MWDS_EINVAL;
    int i = find_source(f, origin, number);
    if (i < 0)
        return MWDS_ENOTFOUND;
    int k = f->src[i].system;
    *system_number = k >= 0 ? f->out[k].number : 0;
    return MWDS_OK;
}

int mwds_fusion_members(const mwds_fusion *f, uint32_t system_number,
                        char (*origin)[MWDS_ORIGIN_LEN], uint32_t *number, int max)
{
    if (f == NULL || system_number == 0)
        return 0;
    for (int k = 0; k < f->c.max_system; k++) {
        if (f->out[k].status != MWDS_TRACK_CONFIRMED || f->out[k].number != system_number)
            continue;
        const system_rec *y = &f->sys[k];
        for (int m = 0; m < y->n_members && m < max; m++) {
            const source *sr = &f->src[y->member[m]];
            if (origin != NULL)
                memcpy(origin[m], sr->s.origin, MWDS_ORIGIN_LEN);
            if (number != NULL)
                number[m] = sr->s.number;
        }
        return y->n_members;
    }
    return 0;
}

/* ---- system tracks -------------------------------------------------------------- */

static int live(const mwds_fusion *f, int k)
{
    return f->out[k].status == MWDS_TRACK_CONFIRMED;
}

static void detach(mwds_fusion *f, int i)
{
    const int k = f->src[i].system;
    f->src[i].system = -1;
    if (k < 0)
        return;
    system_rec *y = &f->sys[k];
    int m = 0;
    while (m < y->n_members && y->member[m] != i)
        m++;
    if (m == y->n_members)
        return;
    memmove(&y->member[m], &y->member[m + 1], (size_t)(y->n_members - m - 1) * sizeof y->member[0]);
    y->n_members--;
}

static void remove_system(mwds_fusion *f, int k)
{
    system_rec *y = &f->sys[k];
    for (int m = 0; m < y->n_members; m++)
        f->src[y->member[m]].system = -1;
    memset(y, 0, sizeof *y);
    memset(&f->out[k], 0, sizeof f->out[k]);
}

static int has_origin(const mwds_fusion *f, const system_rec *y, const char *origin)
{
    for (int m = 0; m < y->n_members; m++)
        if (same_origin(f->src[y->member[m]].s.origin, origin))
            return 1;
    return 0;
}

static void kinematics(const mwds_filter_state *s, mwds_vec6 *x, mwds_mat6 *p)
{
    for (int r = 0; r < 6; r++) {
        x->v[r] = s->x.v[r];
        for (int c = 0; c < 6; c++)
            p->m[r][c] = s->p.m[r][c];
    }
}

/* d^2 = dx^T (pa + pb)^-1 dx on position and velocity; +INFINITY when the
 * positions are so far apart that d^2 must exceed `gate` (d^2 >= |dx|^2 /
 * lambda_max >= |dpos|^2 / trace: no factorisation needed) or the sum is
 * not positive definite. */
static double distance2(const mwds_vec6 *xa, const mwds_mat6 *pa, const mwds_vec6 *xb,
                        const mwds_mat6 *pb, double gate)
{
    mwds_mat6 s, l;
    mwds_vec6 d;
    double dp2 = 0.0, tr = 0.0;
    for (int r = 0; r < 6; r++) {
        d.v[r] = xa->v[r] - xb->v[r];
        tr += pa->m[r][r] + pb->m[r][r];
        if (r < 3)
            dp2 += d.v[r] * d.v[r];
    }
    if (!(dp2 <= gate * tr))
        return INFINITY;
    for (int r = 0; r < 6; r++)
        for (int c = 0; c < 6; c++)
            s.m[r][c] = pa->m[r][c] + pb->m[r][c];
    mwds_m6_symmetrise(&s);
    if (mwds_m6_chol(&s, &l) != MWDS_OK)
        return INFINITY;
    mwds_vec6 y = mwds_m6_chol_solve(&l, d);
    double d2 = 0.0;
    for (int r = 0; r < 6; r++)
        d2 += d.v[r] * y.v[r];
    return isfinite(d2) ? d2 : INFINITY;
}

/* Folds (xb, pb) into the system track's estimate (CI). */
static mwds_err fold(const mwds_fusion *f, system_rec *y, const mwds_vec6 *xb, const mwds_mat6 *pb)
{
    return mwds_fusion_ci(6, y->x.v, &y->p.m[0][0], xb->v, &pb->m[0][0], f->c.criterion, y->x.v,
                          &y->p.m[0][0], NULL);
}

/* ---- the parts of a run --------------------------------------------------------- */

/* a - b > limit_ns, exactly (nanoseconds near the present are beyond a
 * double's integer precision) and without overflow for any inputs. */
static int later_by(int64_t a, int64_t b, int64_t limit_ns)
{
    int64_t d;
    if (__builtin_sub_overflow(a, b, &d))
        return a > b;
    return d > limit_ns;
}

static void drop_sources(mwds_fusion *f, int64_t t_ns)
{
    for (int i = 0; i < f->c.max_sources; i++) {
        source *sr = &f->src[i];
        if (!sr->used)
            continue;
        const int stale = later_by(t_ns, sr->s.t_update_ns, f->stale_ns) ||
                          later_by(t_ns, sr->s.f.t_ns, f->stale_ns);
        if (!sr->s.ended && !stale)
            continue;
        if (sr->s.ended)
            f->stats.sources_ended++;
        else
            f->stats.sources_stale++;
        detach(f, i);
        memset(sr, 0, sizeof *sr);
        sr->system = -1;
    }
}

/* Each source predicted to t_ns on a copy. A source more than stale_s
 * ahead of the run sits it out: predicting it back that far costs a sub-step
 * a second and says more about a clock than about the object. */
static void align(mwds_fusion *f, int64_t t_ns)
{
    for (int i = 0; i < f->c.max_sources; i++) {
        source *sr = &f->src[i];
        sr->ok = 0;
        f->src_match[i] = -1;
        if (!sr->used)
            continue;
        mwds_mat6 l;
        mwds_vec6 x;
        mwds_mat6 p;
        sr->w = sr->s.f;
        if (later_by(sr->s.f.t_ns, t_ns, f->stale_ns) ||
            mwds_ekf_predict(&f->c.fp, &sr->w, t_ns) != MWDS_OK) {
            f->stats.filter_errors++;
            detach(f, i);
            continue;
        }
        kinematics(&sr->w, &x, &p);
        mwds_m6_symmetrise(&p);
        if (mwds_m6_chol(&p, &l) != MWDS_OK) {
            f->stats.numeric_errors++;
            detach(f, i);
            continue;
        }
        sr->ok = 1;
    }
}

/* Track continuity: each member stays while it is inside the gate of the
 * members before it; the first member anchors the system track. */
static void continue_tracks(mwds_fusion *f)
{
    for (int k = 0; k < f->c.max_system; k++) {
        if (!live(f, k))
            continue;
        system_rec *y = &f->sys[k];
        int kept = 0;
        for (int m = 0; m < y->n_members; m++) {
            const int i = y->member[m];
            source *sr = &f->src[i];
            mwds_vec6 xb;
            mwds_mat6 pb;
            kinematics(&sr->w, &xb, &pb);
            int keep = 1;
            if (kept == 0) {
                y->x = xb;
                y->p = pb;
                mwds_m6_symmetrise(&y->p);
            } else if (distance2(&y->x, &y->p, &xb, &pb, f->gate) > f->gate) {
                f->stats.continuity_breaks++;
                keep = 0;
            } else if (fold(f, y, &xb, &pb) != MWDS_OK) {
                f->stats.numeric_errors++;
                sr->ok = 0; /* sits this run out */
                keep = 0;
            }
            if (keep)
                y->member[kept++] = i;
            else
                sr->system = -1;
        }
        y->n_members = kept;
        if (kept == 0) {
            remove_system(f, k);
            f->stats.system_removed++;
        }
    }
}

static int disjoint_origins(const mwds_fusion *f, const system_rec *a, const system_rec *b)
{
    for (int m = 0; m < b->n_members; m++)
        if (has_origin(f, a, f->src[b->member[m]].s.origin))
            return 0;
    return 1;
}

/* Two system tracks with no origin in common that agree within the gate are
 * one object: typically one missile that each nation first saw while their
 * estimates (in boost, with large thrust uncertainty) still disagreed, so
 * that association kept them apart; continuity alone would then keep them
 * apart for ever. The older system track survives and keeps its number;
 * the other's number is recorded in merged_from (the assessor then ends it
 * quietly). Cost: O(live^2) cheap distance tests. */
static void merge_tracks(mwds_fusion *f)
{
    int n_live = 0;
    for (int k = 0; k < f->c.max_system; k++)
        if (live(f, k))
            f->live_list[n_live++] = k;
    for (int ia = 0; ia < n_live; ia++) {
        const int a = f->live_list[ia];
        for (int ib = ia + 1; ib < n_live && live(f, a); ib++) {
            const int b = f->live_list[ib];
            if (!live(f, b))
                continue;
            system_rec *ya = &f->sys[a], *yb = &f->sys[b];
            if (ya->n_members + yb->n_members > MWDS_FUSION_MAX_MEMBERS ||
                distance2(&ya->x, &ya->p, &yb->x, &yb->p, f->gate) > f->gate ||
                !disjoint_origins(f, ya, yb))
                continue;
            const mwds_track *ta = &f->out[a], *tb = &f->out[b];
            const int a_older = ta->t_confirm_ns < tb->t_confirm_ns ||
                                (ta->t_confirm_ns == tb->t_confirm_ns && ta->number < tb->number);
            const int keep = a_older ? a : b, gone = a_older ? b : a;
            system_rec *yk = &f->sys[keep], *yg = &f->sys[gone];
            if (fold(f, yk, &yg->x, &yg->p) != MWDS_OK) {
                f->stats.numeric_errors++;
                continue;
            }
            for (int m = 0; m < yg->n_members; m++) {
                yk->member[yk->n_members++] = yg->member[m];
                f->src[yg->member[m]].system = keep;
            }
            yg->n_members = 0;
            f->out[keep].merged_from = f->out[gone].number;
            remove_system(f, gone);
            f->stats.system_merged++;
        }
    }
}

/* Solves the gated pairs cluster by cluster (mwds/assign.h): rows are
 * system tracks, columns sources; a pair costs d^2, a source left out costs
 * the gate (it starts a system track) and a system track left out nothing,
 * so every assignment inside the gate beats leaving both out, and among
 * those the summed d^2 is minimal. */
static void assign_pairs(mwds_fusion *f)
{
    int greedy = mwds_assign_sparse_solve(&f->asg, f->pairs, f->n_pairs, NULL, 0.0, NULL, f->gate,
                                          f->sys_match, f->src_match);
    f->stats.greedy_clusters += (uint64_t)greedy;
}

static int free_system_slot(const mwds_fusion *f)
{
    for (int k = 0; k < f->c.max_system; k++)
        if (!live(f, k))
            return k;
    return -1;
}

static int unassigned(const source *sr)
{
    return sr->used && sr->ok && sr->system < 0;
}

/* Associates the sources of one origin with the system tracks that lack
 * it; starts system tracks for the rest. Returns the number of sources
 * that found no free slot. */
static int associate_origin(mwds_fusion *f, const char *origin, int64_t t_ns)
{
    int n_cand = 0;
    for (int i = 0; i < f->c.max_sources; i++) {
        f->src_match[i] = -1;
        if (unassigned(&f->src[i]) && same_origin(f->src[i].s.origin, origin))
            f->cand[n_cand++] = i;
    }
    f->n_pairs = 0;
    for (int k = 0; k < f->c.max_system; k++) {
        if (!live(f, k))
            continue;
        system_rec *y = &f->sys[k];
        if (y->n_members >= MWDS_FUSION_MAX_MEMBERS || has_origin(f, y, origin))
            continue;
        for (int c = 0; c < n_cand; c++) {
            const int i = f->cand[c];
            const source *sr = &f->src[i];
            mwds_vec6 xb;
            mwds_mat6 pb;
            kinematics(&sr->w, &xb, &pb);
            double d2 = distance2(&y->x, &y->p, &xb, &pb, f->gate);
            if (!(d2 <= f->gate))
                continue;
            if (f->n_pairs >= f->max_pairs) {
                f->stats.pairs_dropped++;
                continue;
            }
            f->pairs[f->n_pairs++] = (mwds_assign_pair){k, i, d2};
        }
    }
    assign_pairs(f);
    int missed = 0;
    for (int c = 0; c < n_cand; c++) {
        const int i = f->cand[c];
        source *sr = &f->src[i];
        mwds_vec6 xb;
        mwds_mat6 pb;
        kinematics(&sr->w, &xb, &pb);
        if (f->src_match[i] >= 0) {
            system_rec *y = &f->sys[f->src_match[i]];
            if (fold(f, y, &xb, &pb) == MWDS_OK) {
                y->member[y->n_members++] = i;
                sr->system = f->src_match[i];
            } else {
                f->stats.numeric_errors++;
                sr->ok = 0;
            }
            continue;
        }
        int k = free_system_slot(f);
        if (k < 0) {
            f->stats.pool_full++;
            missed++;
            continue;
        }
        system_rec *y = &f->sys[k];
        memset(y, 0, sizeof *y);
        y->n_members = 1;
        y->member[0] = i;
        y->x = xb;
        y->p = pb;
        mwds_m6_symmetrise(&y->p);
        sr->system = k;
        mwds_track *tr = &f->out[k];
        memset(tr, 0, sizeof *tr);
        tr->status = MWDS_TRACK_CONFIRMED;
        tr->number = f->next_number++;
        if (f->next_number == 0)
            f->next_number = 1;
        tr->t_confirm_ns = t_ns;
        f->stats.system_created++;
    }
    return missed;
}

/* The distinct origins of the unassigned sources, in code order (so a run
 * does not depend on where sources sit in the pool). */
static int collect_origins(mwds_fusion *f)
{
    int n = 0;
    for (int i = 0; i < f->c.max_sources; i++) {
        const source *sr = &f->src[i];
        if (!unassigned(sr))
            continue;
        int pos = 0, dup = 0;
        while (pos < n) {
            int c = strncmp(f->origins[pos], sr->s.origin, MWDS_ORIGIN_LEN);
            if (c == 0)
                dup = 1;
            if (c >= 0)
                break;
            pos++;
        }
        if (dup)
            continue;
        memmove(&f->origins[pos + 1], &f->origins[pos], (size_t)(n - pos) * sizeof f->origins[0]);
        memcpy(f->origins[pos], sr->s.origin, MWDS_ORIGIN_LEN);
        n++;
    }
    return n;
}

/* The full state of a system track from its fused kinematics and the
 * member chosen for the other states (see the file comment). */
static mwds_err compose(const mwds_filter_state *mb, const mwds_vec6 *x6, const mwds_mat6 *p6,
                        int64_t t_ns, mwds_filter_state *out)
{
    const int n = mb->n, e = n - 6;
    mwds_filter_state s = *mb;
    s.t_ns = t_ns;
    mwds_mat6 a, l;
    mwds_vec6 xm;
    kinematics(mb, &xm, &a);
    mwds_m6_symmetrise(&a);
    mwds_err err = mwds_m6_chol(&a, &l);
    if (err != MWDS_OK)
        return err;
    double kt[6][3]; /* K^T = A^-1 B, 6 x e */
    for (int c = 0; c < e; c++) {
        mwds_vec6 b;
        for (int r = 0; r < 6; r++)
            b.v[r] = mb->p.m[r][6 + c];
        mwds_vec6 sol = mwds_m6_chol_solve(&l, b);
        for (int r = 0; r < 6; r++)
            kt[r][c] = sol.v[r];
    }
    double pk[6][3]; /* P6 K^T */
    for (int r = 0; r < 6; r++)
        for (int c = 0; c < e; c++) {
            double acc = 0.0;
            for (int q = 0; q < 6; q++)
                acc += p6->m[r][q] * kt[q][c];
            pk[r][c] = acc;
        }
    for (int r = 0; r < 6; r++) {
        s.x.v[r] = x6->v[r];
        for (int c = 0; c < 6; c++)
            s.p.m[r][c] = p6->m[r][c];
    }
    for (int c = 0; c < e; c++) {
        double shift = 0.0;
        for (int q = 0; q < 6; q++)
            shift += kt[q][c] * (x6->v[q] - mb->x.v[q]);
        s.x.v[6 + c] = mb->x.v[6 + c] + shift;
        for (int r = 0; r < 6; r++)
            s.p.m[r][6 + c] = s.p.m[6 + c][r] = pk[r][c];
        for (int d = 0; d < e; d++) {
            /* C - B^T A^-1 B + K P6 K^T */
            double acc = mb->p.m[6 + c][6 + d];
            for (int q = 0; q < 6; q++)
                acc += -mb->p.m[q][6 + c] * kt[q][d] + kt[q][c] * pk[q][d];
            s.p.m[6 + c][6 + d] = acc;
        }
    }
    mwds_m9_symmetrise(&s.p);
    double lf[81];
    for (int r = 0; r < n; r++) {
        if (!isfinite(s.x.v[r]))
            return MWDS_ENUMERIC;
        for (int c = 0; c < n; c++)
            if (!isfinite(s.p.m[r][c]))
                return MWDS_ENUMERIC;
    }
    if ((err = mwds_linalg_chol(&s.p.m[0][0], lf, n, 9)) != MWDS_OK)
        return err;
    *out = s;
    return MWDS_OK;
}

static void publish(mwds_fusion *f, int64_t t_ns)
{
    for (int k = 0; k < f->c.max_system; k++) {
        if (!live(f, k))
            continue;
        system_rec *y = &f->sys[k];
        mwds_track *tr = &f->out[k];
        int best = -1;
        double best_tr = INFINITY;
        int64_t t_init = INT64_MAX, t_update = INT64_MIN, hits = 0;
        for (int m = 0; m < y->n_members; m++) {
            const source *sr = &f->src[y->member[m]];
            const mwds_mat9 *p = &sr->w.p;
            const double trp = p->m[0][0] + p->m[1][1] + p->m[2][2];
            if (best < 0 || trp < best_tr) {
                best = y->member[m];
                best_tr = trp;
            }
            if (sr->s.t_init_ns < t_init)
                t_init = sr->s.t_init_ns;
            if (sr->s.t_update_ns > t_update)
                t_update = sr->s.t_update_ns;
            hits += sr->s.hits;
        }
        const mwds_filter_state *mb = &f->src[best].w;
        if (y->n_members == 1) {
            tr->f = *mb;
        } else if (compose(mb, &y->x, &y->p, t_ns, &tr->f) != MWDS_OK) {
            /* not expected (the member and the fusion are positive
             * definite); the best member alone is still a valid estimate */
            f->stats.numeric_errors++;
            tr->f = *mb;
        }
        tr->t_init_ns = t_init;
        tr->t_update_ns = t_update;
        tr->hits = hits > INT_MAX ? INT_MAX : (int)hits;
    }
}

mwds_err mwds_fusion_run(mwds_fusion *f, int64_t t_ns)
{
    if (f == NULL)
        return MWDS_EINVAL;
    f->stats.runs++;
    drop_sources(f, t_ns);
    align(f, t_ns);
    continue_tracks(f);
    merge_tracks(f);
    int missed = 0;
    const int n_origins = collect_origins(f);
    for (int o = 0; o < n_origins; o++)
        missed += associate_origin(f, f->origins[o], t_ns);
    publish(f, t_ns);
    return missed > 0 ? MWDS_EFULL : MWDS_OK;
}
