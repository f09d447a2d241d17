/*
 * The multi-target tracker; see track.h. A look goes through the parts in
 * order, each a static function with one job:
 *
 *   predict     every live track to the look's time (a working copy)
 *   hypothesise predicted measurement, innovation covariance S and its
 *               Cholesky factor per track; candidate measurements by a
 *               window on the first coordinate (sorted), then the chi-square
 *               gate on the full innovation
 *   associate   clusters of tracks and measurements joined by gated pairs
 *               (union-find); each cluster solved as a linear assignment
 *               (cost d^2, a track's miss cost the gate, mwds/assign.h), or
 *               greedily above max_cluster
 *   update      assigned tracks; others coast; counts hits and misses
 *   prune       duplicates: a confirmed track that lost its target beside
 *               one that holds it
 *   delete      tentative tracks that can no longer reach M of N, confirmed
 *               ones after misses in a row, long silence, a position sigma
 *               past the limit, or a predicted position underground
 *   initiate    a tentative boost-model track from each radar measurement
 *               that no track took and no confirmed track gated
 *
 * Motion model switching: tracks start in the boost model (thrust
 * acceleration states) and move to the ballistic model, which estimates
 * 1/beta, once a ballistic shadow filter fed the same measurements stays
 * consistent with them (see shadow_update).
 *
 * Manoeuvres: staging and burnout change the thrust by tens of m/s^2 within
 * a second; the process noise adapts (see adapt_noise).
 *
 * Time: a track's state is at its own time f.t_ns. A look at or after that
 * time moves the track there (the prediction is kept); an older look is
 * used on a copy predicted back, which, if updated, is predicted forward to
 * the track's time again. Process noise is added on both legs, so the
 * out-of-order update is conservative, never overconfident.
 *
 * Memory: every table is allocated by mwds_tracker_create and sized by the
 * configuration; mwds_tracker_look allocates nothing.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "mwds/assign.h"
#include "mwds/stats.h"
#include "track_internal.h"

#define QUALITY_WINDOW 16
#define PAIRS_PER_TRACK 16
#define UNDERGROUND_M (-5000.0)
/* The most a straight line may miss a missile by per s^2 of flight: gravity
 * plus the strongest boost (m/s^2). Widens a dwell's candidate sector. */
#define DWELL_CURVE_ACC_M_S2 100.0

typedef struct gate_info {
    int near;           /* near the look's footprint: predicted to the look */
    int active;         /* predicted and hypothesised for this look */
    int visible;        /* inside the sensor's coverage: an opportunity */
    int confirmed;      /* the track is confirmed (for initiation's veto) */
    int dim;
    double zhat[MWDS_MEAS_MAX_DIM];
    double l[MWDS_MEAS_MAX_DIM * MWDS_MEAS_MAX_DIM]; /* Cholesky factor of S */
    double half_window; /* gate half-width on the first coordinate */
    mwds_filter_state w; /* the track predicted to the look */
    mwds_filter_params fp; /* the noise it was predicted with (adaptive) */
} gate_info;

struct mwds_tracker {
    mwds_tracker_config c;
    const mwds_sensor *sensors;
    size_t n_sensors;
    double gate[MWDS_MEAS_MAX_DIM + 1]; /* chi-square gate per dimension */
    double nis99[MWDS_MEAS_MAX_DIM + 1]; /* 99 % points of the NIS */
    double merge_gate3, merge_gate6; /* chi-square 0.999 points: same target */
    double lr99_3;      /* chi-square(3) 0.99 point: thrust states that matter */
    /* chi-square 0.99 points of the shadow's summed NIS, by degrees of freedom */
    double sum99[MWDS_SHADOW_WINDOW * MWDS_MEAS_MAX_DIM + 1];
    mwds_track *tracks;
    int n_used;         /* slots from n_used on are free (tracks start in the lowest) */
    gate_info *gi;
    uint32_t next_number;
    mwds_tracker_stats stats;
    /* per-look scratch */
    int *order;         /* measurement indices sorted by first coordinate */
    double *key;        /* first coordinate of each measurement */
    mwds_assign_pair *pairs; /* rows are track slots, columns measurements */
    int max_pairs, n_pairs;
    int *meas_track;    /* assignment: track slot of each measurement, -1 */
    int *track_meas;    /* assignment: measurement of each track slot, -1 */
    unsigned char *gated_confirmed; /* measurement gated by a confirmed track */
    double *miss;       /* the cost of leaving a track slot unassigned: its gate */
    mwds_assign_sparse asg; /* the associator's scratch */
};

void mwds_tracker_config_default(mwds_tracker_config *c)
{
    memset(c, 0, sizeof *c);
    c->filter = MWDS_FILTER_EKF;
    c->fp.flags = MWDS_FORCE_ALL & ~(unsigned)MWDS_FORCE_THRUST;
    /* the ballistic model's white acceleration stands for the forces it
     * leaves out, gravity beyond J2 above all: of order 1.5e-4 m/s^2 at
     * missile heights, nearly constant over a flight (its terms change over
     * thousands of kilometres, some 1,000 s): 2 sigma^2 tau = 5e-5 m^2/s^3.
     * The boost model's noise is its white jerk: there q_acc adds under 1 %. */
    c->fp.q_acc = 5e-5;
    c->fp.q_invbeta = 1e-10;
    c->fp.q_jerk = 10.0;
    c->fp.max_step_s = 1.0;
    c->max_tracks = 1024;
    c->max_meas_per_look = 4096;
    c->gate_p = 0.9999;
    c->confirm_m = 3;
    c->confirm_n = 4;
    c->delete_misses = 4;
    c->max_coast_s = 30.0;
    c->max_pos_sigma_m = 50e3;
    c->init_vel_sigma_m_s = 3000.0;
    c->init_acc_sigma_m_s2 = 40.0;
    c->invbeta_mean = MWDS_INVBETA_PRIOR_MEAN;
    c->invbeta_sigma = MWDS_INVBETA_PRIOR_SIGMA;
    c->quiet_updates = 10;
    c->quiet_acc_sigma_m_s2 = 15.0;
    c->max_cluster = 64;
}

void mwds_tracker_destroy(mwds_tracker *t)
{
    if (t == NULL)
        return;
    free(t->tracks);
    free(t->gi);
    free(t->order);
    free(t->key);
    free(t->pairs);
    free(t->meas_track);
    free(t->track_meas);
    free(t->gated_confirmed);
    free(t->miss);
    mwds_assign_sparse_fini(&t->asg);
    free(t);
}

static int config_ok(const mwds_tracker_config *c)
{
    return (c->filter == MWDS_FILTER_EKF || c->filter == MWDS_FILTER_CKF) && c->max_tracks > 0 &&
           c->max_tracks <= 1000000 && c->max_meas_per_look > 0 &&
           c->max_meas_per_look <= 1000000 && c->gate_p > 0.5 && c->gate_p < 1.0 &&
           c->confirm_m >= 1 && c->confirm_n >= c->confirm_m && c->confirm_n <= 32 &&
           c->delete_misses >= 1 && c->max_coast_s > 0.0 && c->max_pos_sigma_m > 0.0 &&
           c->init_vel_sigma_m_s > 0.0 && c->init_acc_sigma_m_s2 > 0.0 &&
           c->invbeta_sigma > 0.0 && isfinite(c->invbeta_mean) && isfinite(c->max_coast_s) &&
           c->quiet_acc_sigma_m_s2 > 0.0 && c->quiet_updates <= MWDS_SHADOW_WINDOW &&
           isfinite(c->max_pos_sigma_m) && isfinite(c->init_vel_sigma_m_s) &&
           isfinite(c->init_acc_sigma_m_s2) && isfinite(c->invbeta_sigma) &&
           isfinite(c->fp.q_acc) && isfinite(c->fp.q_invbeta) && isfinite(c->fp.q_jerk) &&
           c->quiet_updates >= 1 && c->max_cluster >= 1 && c->max_cluster <= 1024 &&
           c->fp.q_acc >= 0.0 && c->fp.q_invbeta >= 0.0 && c->fp.q_jerk >= 0.0;
}

mwds_err mwds_tracker_create(const mwds_tracker_config *c, const mwds_sensor *sensors,
                             size_t n_sensors, mwds_tracker **out)
{
    if (c == NULL || out == NULL || (sensors == NULL && n_sensors > 0) || !config_ok(c))
        return MWDS_EINVAL;
    for (size_t i = 0; i < n_sensors; i++)
        if (sensors[i].id != i)
            return MWDS_EINVAL;
    mwds_tracker *t = calloc(1, sizeof *t);
    if (t == NULL)
        return MWDS_ENOMEM;
    t->c = *c;
    t->sensors = sensors;
    t->n_sensors = n_sensors;
    for (int d = 1; d <= MWDS_MEAS_MAX_DIM; d++)
        t->gate[d] = mwds_chi2_quantile(c->gate_p, d);
    for (int d = 1; d <= MWDS_MEAS_MAX_DIM; d++)
        t->nis99[d] = mwds_chi2_quantile(0.99, d);
    t->merge_gate3 = mwds_chi2_quantile(0.999, 3);
    t->lr99_3 = mwds_chi2_quantile(0.99, 3);
    for (int d = 1; d <= MWDS_SHADOW_WINDOW * MWDS_MEAS_MAX_DIM; d++)
        t->sum99[d] = mwds_chi2_quantile(0.99, d);
    t->merge_gate6 = mwds_chi2_quantile(0.999, 6);
    const size_t nt = (size_t)c->max_tracks, nm = (size_t)c->max_meas_per_look;
    t->max_pairs = c->max_tracks * PAIRS_PER_TRACK;
    t->tracks = calloc(nt, sizeof *t->tracks);
    t->gi = calloc(nt, sizeof *t->gi);
    t->order = calloc(nm, sizeof *t->order);
    t->key = calloc(nm, sizeof *t->key);
    t->pairs = calloc((size_t)t->max_pairs, sizeof *t->pairs);
    t->meas_track = calloc(nm, sizeof *t->meas_track);
    t->track_meas = calloc(nt, sizeof *t->track_meas);
    t->gated_confirmed = calloc(nm, 1);
    t->miss = calloc(nt, sizeof *t->miss);
    if (!t->tracks || !t->gi || !t->order || !t->key || !t->pairs || !t->meas_track ||
        !t->track_meas || !t->gated_confirmed || !t->miss ||
        mwds_assign_sparse_init(&t->asg, c->max_tracks, c->max_meas_per_look, t->max_pairs,
                                c->max_cluster) != MWDS_OK) {
        mwds_tracker_destroy(t);
        return MWDS_ENOMEM;
    }
    t->next_number = 1;
    *out = t;
    return MWDS_OK;
}

const mwds_track *mwds_tracker_tracks(const mwds_tracker *t, int *n_slots)
{
    *n_slots = t->c.max_tracks;
    return t->tracks;
}

void mwds_tracker_get_stats(const mwds_tracker *t, mwds_tracker_stats *out) { *out = t->stats; }

/* ---- hypothesiser ---------------------------------------------------------------- */

/* Predicted measurement, S = H P H^T + R and its factor for one track. */
static mwds_err hypothesise(const mwds_sensor *s, gate_info *g, double gate_max)
{
    const mwds_filter_state *w = &g->w;
    mwds_vec3 pos = mwds_v3(w->x.v[0], w->x.v[1], w->x.v[2]);
    mwds_vec3 vel = mwds_v3(w->x.v[3], w->x.v[4], w->x.v[5]);
    mwds_measurement zh;
    double h[MWDS_MEAS_MAX_DIM * 6], sm[MWDS_MEAS_MAX_DIM * MWDS_MEAS_MAX_DIM];
    mwds_err e = mwds_sensor_measure(s, pos, vel, &zh);
    if (e == MWDS_OK)
        e = mwds_sensor_jacobian(s, pos, vel, zh.dim, h);
    if (e != MWDS_OK)
        return e;
    const int dim = zh.dim;
    /* S = H P6 H^T + R: H touches position and velocity only */
    double hp[MWDS_MEAS_MAX_DIM][6];
    for (int a = 0; a < dim; a++)
        for (int j = 0; j < 6; j++) {
            double acc = 0.0;
            for (int k = 0; k < 6; k++)
                acc += h[a * 6 + k] * w->p.m[k][j];
            hp[a][j] = acc;
        }
    for (int a = 0; a < dim; a++)
        for (int b = 0; b <= a; b++) {
            double acc = 0.0;
            for (int k = 0; k < 6; k++)
                acc += hp[a][k] * h[b * 6 + k];
            sm[a * dim + b] = sm[b * dim + a] = acc + (a == b ? zh.sigma[a] * zh.sigma[a] : 0.0);
        }
    if ((e = mwds_linalg_chol(sm, g->l, dim, dim)) != MWDS_OK)
        return e;
    g->dim = dim;
    memcpy(g->zhat, zh.z, sizeof g->zhat);
    g->half_window = sqrt(gate_max * sm[0]);
    return MWDS_OK;
}

/* d^2 = nu^T S^-1 nu with nu = z - zhat (angles wrapped). */
static double gate_distance(const gate_info *g, const mwds_measurement *m)
{
    mwds_measurement zh;
    memset(&zh, 0, sizeof zh);
    zh.kind = m->kind;
    zh.dim = g->dim;
    memcpy(zh.z, g->zhat, sizeof zh.z);
    double nu[MWDS_MEAS_MAX_DIM], y[MWDS_MEAS_MAX_DIM];
    mwds_sensor_residual(m, &zh, nu);
    /* forward substitution only: d^2 = |L^-1 nu|^2 */
    double d2 = 0.0;
    for (int i = 0; i < g->dim; i++) {
        double acc = nu[i];
        for (int k = 0; k < i; k++)
            acc -= g->l[i * g->dim + k] * y[k];
        y[i] = acc / g->l[i * g->dim + i];
        d2 += y[i] * y[i];
    }
    return d2;
}

/* Restores the max-heap property of order[0..n) by key below root. */
static void sift_down(int *order, const double *key, int root, int n)
{
    for (;;) {
        int child = 2 * root + 1;
        if (child >= n)
            return;
        if (child + 1 < n && key[order[child + 1]] > key[order[child]])
            child++;
        if (key[order[root]] >= key[order[child]])
            return;
        int tmp = order[root];
        order[root] = order[child];
        order[child] = tmp;
        root = child;
    }
}

/* Measurement indices in order of key: insertion sort for small looks, heap
 * sort (O(n log n), in place, no allocation) for large ones. */
static void sort_by_key(int *order, const double *key, int n)
{
    if (n <= 32) {
        for (int i = 1; i < n; i++) {
            int v = order[i], j = i;
            while (j > 0 && key[order[j - 1]] > key[v]) {
                order[j] = order[j - 1];
                j--;
            }
            order[j] = v;
        }
        return;
    }
    for (int start = n / 2 - 1; start >= 0; start--)
        sift_down(order, key, start, n);
    for (int end = n - 1; end > 0; end--) {
        int tmp = order[0];
        order[0] = order[end];
        order[end] = tmp;
        sift_down(order, key, 0, end);
    }
}

/* First index in order[0..n) whose key is >= v. */
static int lower_bound(const int *order, const double *key, int n, double v)
{
    int lo = 0, hi = n;
    while (lo < hi) {
        int mid = (lo + hi) / 2;
        if (key[order[mid]] < v)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

static void add_pair(mwds_tracker *t, int track, int meas, double d2)
{
    if (t->n_pairs >= t->max_pairs) {
        t->stats.pairs_dropped++;
        return;
    }
    t->pairs[t->n_pairs++] = (mwds_assign_pair){track, meas, d2};
}

/* Gated pairs of every active track with the look's measurements. The
 * radar's range (first coordinate) is not periodic, so a window on it,
 * found by binary search, bounds the candidates; IR angles wrap, so IR
 * candidates are all measurements (IR looks are small). */
static void gate_all(mwds_tracker *t, const mwds_sensor *s, const mwds_measurement *m, int n)
{
    t->n_pairs = 0;
    for (int j = 0; j < n; j++) {
        t->order[j] = j;
        t->key[j] = m[j].z[0];
        t->gated_confirmed[j] = 0;
    }
    const int windowed = s->kind == MWDS_SENSOR_RADAR;
    if (windowed)
        sort_by_key(t->order, t->key, n);
    for (int i = 0; i < t->n_used; i++) {
        const gate_info *g = &t->gi[i];
        if (!g->active)
            continue;
        int lo = 0, hi = n;
        if (windowed) {
            lo = lower_bound(t->order, t->key, n, g->zhat[0] - g->half_window);
            hi = lower_bound(t->order, t->key, n, g->zhat[0] + g->half_window);
        }
        for (int q = lo; q < hi; q++) {
            int j = t->order[q];
            if (m[j].dim != g->dim)
                continue;
            double d2 = gate_distance(g, &m[j]);
            if (d2 < t->gate[g->dim]) {
                add_pair(t, i, j, d2);
                if (g->confirmed)
                    t->gated_confirmed[j] = 1;
            }
        }
    }
}

/* ---- associator ------------------------------------------------------------------ */

/* Global nearest neighbour over the gated pairs, cluster by cluster
 * (mwds/assign.h): a pair costs d^2, a track left out its gate (a missed
 * detection) and a measurement left out nothing (it may start a track). */
static void associate(mwds_tracker *t, int n)
{
    for (int i = 0; i < t->n_used; i++)
        t->track_meas[i] = -1;
    for (int j = 0; j < n; j++)
        t->meas_track[j] = -1;
    for (int q = 0; q < t->n_pairs; q++)
        t->miss[t->pairs[q].row] = t->gate[t->gi[t->pairs[q].row].dim];
    int greedy = mwds_assign_sparse_solve(&t->asg, t->pairs, t->n_pairs, t->miss, 0.0, NULL, 0.0,
                                          t->track_meas, t->meas_track);
    t->stats.greedy_clusters += (uint64_t)greedy;
}

/* ---- track life: updates, switching, deletion, initiation ------------------------ */

static void free_slot(mwds_tracker *t, int i)
{
    memset(&t->tracks[i], 0, sizeof t->tracks[i]);
    t->stats.deleted++;
}

static void record(mwds_track *tr, int hit)
{
    tr->history = (tr->history << 1) | (hit ? 1u : 0u);
    tr->opportunities++;
    tr->misses_in_row = hit ? 0 : tr->misses_in_row + 1;
    int w = tr->opportunities < QUALITY_WINDOW ? tr->opportunities : QUALITY_WINDOW;
    uint32_t mask = w >= 32 ? 0xffffffffu : ((1u << w) - 1u);
    tr->quality = (double)__builtin_popcount(tr->history & mask) / w;
}

/* Adaptive process noise: a miss or a surprising innovation (NIS beyond
 * its 99 % point) suggests a manoeuvre the model did not expect (staging,
 * burnout, a thrust change), so the noise of the next predictions is raised
 * tenfold, up to 1,000 times; ordinary hits bring it back by thirds. This
 * keeps a track through burnout, where the thrust acceleration drops by tens
 * of m/s^2 within a second, without carrying large noise all the time. A
 * ballistic track's miss leaves the noise as it is: misses come 1 - pd of
 * the time whatever the target does, and a coasting missile's motion is the
 * model's own, so only a surprising innovation tells of a manoeuvre (raising
 * the noise at every miss had kept ballistic tracks' noise 2.5 times its
 * base on average at pd 0.95). */
static void adapt_noise(const mwds_tracker *t, mwds_track *tr, int hit)
{
    double s = tr->q_scale > 1.0 ? tr->q_scale : 1.0;
    if (!hit && tr->f.model == MWDS_MODEL_BALLISTIC)
        return; /* see above */
    if (!hit || tr->nis > t->nis99[tr->nis_dim])
        s = fmin(s * 10.0, 1000.0);
    else
        s = fmax(s / 3.0, 1.0);
    tr->q_scale = s;
}

/* The ballistic state of a boost-model state: the boost state conditioned
 * on zero thrust, which is what the ballistic model asserts, and 1/beta
 * from the prior. The boost filter's velocity integrates its thrust
 * estimate, so the two are correlated: after burnout the thrust estimate
 * lags the engine's cut-off, and so does the velocity. Conditioning on
 * zero thrust (x -= P_xa P_aa^-1 a, P -= P_xa P_aa^-1 P_ax) takes the lag
 * out of the position and velocity with it; dropping the thrust states
 * instead kept it, with a covariance that did not. If P_aa is not
 * positive definite the thrust states are dropped. */
static void to_ballistic(const mwds_tracker_config *c, const mwds_filter_state *f,
                         mwds_filter_state *b)
{
    *b = *f;
    b->model = MWDS_MODEL_BALLISTIC;
    b->n = 7;
    mwds_mat3 paa, l;
    for (int i = 0; i < 3; i++)
        for (int j = 0; j < 3; j++)
            paa.m[i][j] = f->p.m[6 + i][6 + j];
    if (f->model == MWDS_MODEL_BOOST && mwds_m3_chol(&paa, &l) == MWDS_OK) {
        mwds_vec3 k[6]; /* rows of P_xa P_aa^-1 */
        for (int i = 0; i < 6; i++)
            k[i] = mwds_m3_chol_solve(&l, mwds_v3(f->p.m[i][6], f->p.m[i][7], f->p.m[i][8]));
        mwds_vec3 a = mwds_v3(f->x.v[6], f->x.v[7], f->x.v[8]);
        for (int i = 0; i < 6; i++) {
            b->x.v[i] = f->x.v[i] - mwds_v3_dot(k[i], a);
            for (int j = 0; j < 6; j++)
                b->p.m[i][j] = f->p.m[i][j] -
                               mwds_v3_dot(k[i], mwds_v3(f->p.m[6][j], f->p.m[7][j], f->p.m[8][j]));
        }
        mwds_m9_symmetrise(&b->p);
    }
    b->x.v[6] = c->invbeta_mean;
    b->x.v[7] = b->x.v[8] = 0.0;
    for (int i = 0; i < 9; i++)
        for (int j = 0; j < 9; j++)
            if (i >= 6 || j >= 6)
                b->p.m[i][j] = 0.0;
    b->p.m[6][6] = c->invbeta_sigma * c->invbeta_sigma;
}

/* True if the boost state may still be thrusting: its thrust along the
 * velocity is significantly positive (beyond two sigma), or it is not known
 * to within quiet_sigma while the target still climbs. A distant radar
 * looking across a steep climb cannot see 20 m/s^2 of thrust: the thrust
 * estimate stays uncertain, and only the descent (no engine flies a
 * ballistic missile downwards) proves burnout. */
static int may_thrust(const mwds_filter_state *f, double quiet_sigma)
{
    mwds_vec3 p = mwds_v3(f->x.v[0], f->x.v[1], f->x.v[2]);
    mwds_vec3 v = mwds_v3(f->x.v[3], f->x.v[4], f->x.v[5]);
    double vn = mwds_v3_norm(v);
    if (!(vn > 1.0))
        return 1;
    double a_par = 0.0, var = 0.0;
    for (int i = 0; i < 3; i++) {
        a_par += v.v[i] / vn * f->x.v[6 + i];
        for (int j = 0; j < 3; j++)
            var += v.v[i] / vn * f->p.m[6 + i][6 + j] * v.v[j] / vn;
    }
    double sig = sqrt(fmax(var, 0.0));
    if (a_par > 2.0 * sig)
        return 1;
    int climbing = mwds_v3_dot(p, v) > 0.0;
    return climbing && sig > quiet_sigma;
}

/* Boost -> ballistic by a consistency test and a likelihood ratio. Beside
 * a boost-model track runs a ballistic shadow, started from the track's
 * state conditioned on zero thrust (to_ballistic) once the track shows no
 * evident thrust, and updated with the same measurements; while the thrust
 * is evident there is no shadow. Thrust shows as shadow innovations the
 * ballistic model cannot explain: a shadow NIS beyond its 99 % point
 * restarts the shadow from the track. The shadow becomes the
 * track when, over the last switch_updates measurements (at least), its
 * summed NIS is inside its own 99 % chi-square point and exceeds the boost
 * model's summed NIS over the same measurements by less than the 99 % point
 * of chi-square(3): the three thrust states buy no significant fit. The
 * second test matters for a distant, noisy radar, whose innovations a
 * thrusting missile's shadow can still satisfy on their own; so does a third,
 * that the thrust is known to be absent (may_thrust). The rule holds
 * alike for a target first seen in boost, coasting, or re-entering (where
 * drag makes the boost model's "thrust" negative). */
static void shadow_update(mwds_tracker *t, mwds_track *tr, const mwds_filter_params *fp,
                          const mwds_sensor *s, const mwds_measurement *m)
{
    const mwds_tracker_config *c = &t->c;
    if (tr->f.model != MWDS_MODEL_BOOST)
        return;
    if (may_thrust(&tr->f, INFINITY)) {
        /* the shadow asserts no thrust from its start on: one started while
         * the thrust is evident takes up the rest of the burn in its
         * velocity, and a distant radar's innovations need not show it */
        tr->shadow_updates = 0;
        return;
    }
    if (tr->shadow_updates > 0) {
        mwds_filter_state w = tr->shadow;
        double nis = 0.0;
        if (mwds_filter_predict(c->filter, fp, &w, m->t_ns) == MWDS_OK &&
            mwds_filter_update(c->filter, &w, s, m, &nis) == MWDS_OK && nis <= t->nis99[m->dim]) {
            tr->shadow = w;
            /* the last quiet_updates measurements, in a ring */
            int k = tr->shadow_updates % MWDS_SHADOW_WINDOW;
            tr->shadow_ring[k][0] = nis;
            tr->shadow_ring[k][1] = tr->nis;
            tr->shadow_ring[k][2] = m->dim;
            tr->shadow_updates++;
            double sn = 0.0, bn = 0.0;
            int dof = 0, w_n = tr->shadow_updates - 1 < c->quiet_updates ? tr->shadow_updates - 1
                                                                          : c->quiet_updates;
            for (int q = 0; q < w_n; q++) {
                int r = (k - q + MWDS_SHADOW_WINDOW) % MWDS_SHADOW_WINDOW;
                sn += tr->shadow_ring[r][0];
                bn += tr->shadow_ring[r][1];
                dof += (int)tr->shadow_ring[r][2];
            }
            tr->shadow_nis = sn;
            tr->boost_nis = bn;
            tr->shadow_dof = dof;
            if (tr->shadow_updates > c->quiet_updates &&
                sn <= t->sum99[dof] && sn - bn <= t->lr99_3 &&
                !may_thrust(&tr->f, c->quiet_acc_sigma_m_s2)) {
                tr->f = tr->shadow;
                tr->shadow_updates = 0;
            }
            return;
        }
    }
    to_ballistic(c, &tr->f, &tr->shadow);
    tr->shadow_updates = 1;
    tr->shadow_nis = tr->boost_nis = 0.0;
    tr->shadow_dof = 0;
}

/* Position covariance of a radar measurement's inverse: (H_r^T R^-1 H_r)^-1
 * with H_r the Jacobian of (range, az, el) in position. */
static mwds_err radar_position_cov(const mwds_sensor *s, const mwds_measurement *m,
                                   mwds_vec3 pos, mwds_mat3 *cov)
{
    double h[MWDS_MEAS_MAX_DIM * 6];
    mwds_err e = mwds_sensor_jacobian(s, pos, mwds_v3(0, 0, 0), m->dim, h);
    if (e != MWDS_OK)
        return e;
    mwds_mat3 info, l;
    for (int i = 0; i < 3; i++)
        for (int j = 0; j < 3; j++) {
            double acc = 0.0;
            for (int a = 0; a < 3; a++)
                acc += h[a * 6 + i] * h[a * 6 + j] / (m->sigma[a] * m->sigma[a]);
            info.m[i][j] = acc;
        }
    if ((e = mwds_m3_chol(&info, &l)) != MWDS_OK)
        return e;
    for (int j = 0; j < 3; j++) {
        mwds_vec3 col = mwds_m3_chol_solve(&l, mwds_v3(j == 0, j == 1, j == 2));
        for (int i = 0; i < 3; i++)
            cov->m[i][j] = col.v[i];
    }
    mwds_m3_symmetrise(cov);
    return MWDS_OK;
}

/* A tentative boost-model track at a radar measurement: position from the
 * measurement's inverse with its covariance, velocity and thrust
 * acceleration zero with the configured priors. */
static void initiate(mwds_tracker *t, const mwds_sensor *s, const mwds_measurement *m,
                     uint32_t *assoc)
{
    mwds_vec3 pos;
    mwds_mat3 cov;
    if (mwds_sensor_invert(s, m, &pos) != MWDS_OK || radar_position_cov(s, m, pos, &cov) != MWDS_OK)
        return;
    int slot = -1;
    for (int i = 0; i < t->c.max_tracks && slot < 0; i++)
        if (t->tracks[i].status == MWDS_TRACK_FREE)
            slot = i;
    if (slot < 0) {
        t->stats.pool_full++;
        return;
    }
    double x[9] = {pos.v[0], pos.v[1], pos.v[2], 0, 0, 0, 0, 0, 0}, p[81] = {0};
    const double sv = t->c.init_vel_sigma_m_s, sa = t->c.init_acc_sigma_m_s2;
    for (int i = 0; i < 3; i++) {
        for (int j = 0; j < 3; j++)
            p[i * 9 + j] = cov.m[i][j];
        p[(3 + i) * 9 + 3 + i] = sv * sv;
        p[(6 + i) * 9 + 6 + i] = sa * sa;
    }
    mwds_track *tr = &t->tracks[slot];
    memset(tr, 0, sizeof *tr);
    if (slot >= t->n_used)
        t->n_used = slot + 1;
    if (mwds_filter_init(&tr->f, MWDS_MODEL_BOOST, m->t_ns, x, p) != MWDS_OK)
        return;
    tr->number = t->next_number++;
    if (t->next_number == 0)
        t->next_number = 1;
    tr->status = MWDS_TRACK_TENTATIVE;
    tr->t_init_ns = tr->t_update_ns = m->t_ns;
    tr->hits = 1;
    record(tr, 1);
    if (t->c.confirm_m <= 1) {
        tr->status = MWDS_TRACK_CONFIRMED;
        tr->t_confirm_ns = m->t_ns;
        t->stats.confirmed++;
    }
    t->stats.initiated++;
    *assoc = tr->number;
}

/* Duplicate pruning. A confirmed track updated in this look and a confirmed
 * track that was not, whose positions and velocities at the look agree
 * within the chi-square(6) 0.999 point of their summed covariances (position
 * alone for a boost track lost for two looks), are one target seen
 * twice (typically a track that lost its target in a manoeuvre and a new one
 * that picked it up). The updated track survives with the older track's
 * number and history, so an operator keeps the number he knows. Cost:
 * O(updated x coasting) confirmed tracks, with a cheap distance test first. */
static void prune_duplicates(mwds_tracker *t, int64_t t_ns)
{
    for (int i = 0; i < t->n_used; i++) {
        mwds_track *a = &t->tracks[i];
        if (a->status != MWDS_TRACK_CONFIRMED || a->t_update_ns != t_ns || a->f.t_ns != t_ns)
            continue;
        for (int k = 0; k < t->n_used; k++) {
            mwds_track *b = &t->tracks[k];
            if (k == i || b->status != MWDS_TRACK_CONFIRMED || b->t_update_ns == t_ns ||
                b->f.t_ns != t_ns)
                continue;
            /* Position and velocity: two targets crossing share a position
             * for a moment, never a velocity. A boost-model track that has
             * missed twice in a row is held to position alone: through
             * burnout its thrust estimate carries its velocity away from the
             * target's, which is why it lost it. */
            mwds_mat6 s6, l6;
            mwds_mat3 s3, l3;
            mwds_vec6 d;
            mwds_vec3 d3;
            double dp2 = 0.0, trp = 0.0;
            for (int r = 0; r < 6; r++) {
                d.v[r] = a->f.x.v[r] - b->f.x.v[r];
                for (int c = 0; c < 6; c++)
                    s6.m[r][c] = a->f.p.m[r][c] + b->f.p.m[r][c];
                if (r < 3) {
                    d3.v[r] = d.v[r];
                    dp2 += d.v[r] * d.v[r];
                    trp += s6.m[r][r];
                    for (int c = 0; c < 3; c++)
                        s3.m[r][c] = s6.m[r][c];
                }
            }
            if (dp2 > t->merge_gate6 * trp)
                continue;
            int lost_in_boost = b->f.model == MWDS_MODEL_BOOST && b->misses_in_row >= 2;
            double q = INFINITY;
            if (lost_in_boost) {
                if (mwds_m3_chol(&s3, &l3) == MWDS_OK)
                    q = mwds_v3_dot(d3, mwds_m3_chol_solve(&l3, d3));
                if (q > t->merge_gate3)
                    continue;
            } else {
                if (mwds_m6_chol(&s6, &l6) == MWDS_OK) {
                    mwds_vec6 y = mwds_m6_chol_solve(&l6, d);
                    q = 0.0;
                    for (int r = 0; r < 6; r++)
                        q += d.v[r] * y.v[r];
                }
                if (q > t->merge_gate6)
                    continue;
            }
            a->merged_from = b->number < a->number ? a->number : b->number;
            if (b->number < a->number) {
                a->number = b->number;
                a->t_init_ns = b->t_init_ns;
                a->t_confirm_ns = b->t_confirm_ns;
            }
            free_slot(t, k);
            t->stats.merged++;
        }
    }
}

/* Whether a track may be seen in, or gate a detection of, a radar dwell
 * whose sector starts at az_lo and is w wide: its position, flown straight
 * on to the look, lies within the sector widened by what the straight line
 * misses, the track's uncertainty and the gate may add (gate_sigmas
 * standard deviations of position, velocity times the time to the look,
 * and the radar's azimuth noise). Cost: a few dozen flops, no prediction;
 * a track outside is neither predicted nor counted a miss. */
static int near_dwell(const mwds_sensor *s, double az_lo, double w, double gate_sigmas,
                      const mwds_track *tr, int64_t t_ns)
{
    const mwds_filter_state *f = &tr->f;
    double dt = mwds_time_to_s(t_ns - f->t_ns);
    mwds_vec3 p = mwds_v3(f->x.v[0] + f->x.v[3] * dt, f->x.v[1] + f->x.v[4] * dt,
                          f->x.v[2] + f->x.v[5] * dt);
    mwds_vec3 e = mwds_m3_mul_v3(s->enu, mwds_v3_sub(p, s->pos_ecef));
    double hd = hypot(e.v[0], e.v[1]);
    double sp = sqrt(fmax(f->p.m[0][0] + f->p.m[1][1] + f->p.m[2][2], 0.0));
    double sv = sqrt(fmax(f->p.m[3][3] + f->p.m[4][4] + f->p.m[5][5], 0.0));
    double off = 0.5 * DWELL_CURVE_ACC_M_S2 * dt * dt +
                 gate_sigmas * (sp + sv * fabs(dt) + hd * s->radar.sigma_az_rad);
    if (!(hd > off))
        return 1; /* near the radar's vertical: every azimuth is close */
    double margin = asin(off / hd);
    double d = mwds_geo_wrap_2pi(atan2(e.v[0], e.v[1]) - az_lo);
    return d < w + margin || d > 2.0 * MWDS_PI - margin;
}

/* Deletion rules, checked after a track's opportunity or prediction. */
static int should_delete(const mwds_tracker *t, const mwds_track *tr, int64_t t_ns)
{
    const mwds_tracker_config *c = &t->c;
    if (tr->status == MWDS_TRACK_TENTATIVE) {
        int left = c->confirm_n - tr->opportunities;
        if (tr->hits + (left > 0 ? left : 0) < c->confirm_m)
            return 1;
    } else if (tr->misses_in_row >= c->delete_misses) {
        return 1;
    }
    if (mwds_time_to_s(t_ns - tr->t_update_ns) > c->max_coast_s)
        return 1;
    const mwds_mat9 *p = &tr->f.p;
    if (!(p->m[0][0] + p->m[1][1] + p->m[2][2] < 3.0 * c->max_pos_sigma_m * c->max_pos_sigma_m))
        return 1;
    mwds_lla lla;
    if (mwds_geo_ecef_to_lla(mwds_v3(tr->f.x.v[0], tr->f.x.v[1], tr->f.x.v[2]), &lla) !=
            MWDS_OK ||
        lla.h_m < UNDERGROUND_M)
        return 1;
    return 0;
}

mwds_err mwds_tracker_look(mwds_tracker *t, uint32_t sensor_id, int64_t t_ns,
                           const mwds_measurement *m, int n, uint32_t *assoc)
{
    return mwds_tracker_look_dwell(t, sensor_id, -1, t_ns, m, n, assoc);
}

mwds_err mwds_tracker_look_dwell(mwds_tracker *t, uint32_t sensor_id, int dwell, int64_t t_ns,
                                 const mwds_measurement *m, int n, uint32_t *assoc)
{
    if (sensor_id >= t->n_sensors || n < 0 || (n > 0 && m == NULL))
        return MWDS_EINVAL;
    if (n > t->c.max_meas_per_look)
        return MWDS_EFULL;
    const mwds_sensor *s = &t->sensors[sensor_id];
    if (dwell < -1 || dwell >= mwds_sensor_dwell_count(s))
        return MWDS_EINVAL;
    const int whole = mwds_sensor_dwell_whole(s, dwell);
    double az_lo = 0.0, az_w = 0.0;
    mwds_sensor_dwell_sector(s, dwell, &az_lo, &az_w);
    const double gate_sigmas = sqrt(t->gate[MWDS_MEAS_MAX_DIM]);
    const int dim = s->kind == MWDS_SENSOR_SPACE_IR ? 2 : (s->radar.sigma_rr_m_s > 0.0 ? 4 : 3);
    for (int j = 0; j < n; j++)
        if (m[j].sensor_id != sensor_id || m[j].t_ns != t_ns || m[j].kind != s->kind ||
            m[j].dim != dim)
            return MWDS_EINVAL;
    for (int j = 0; j < n; j++)
        if (assoc != NULL)
            assoc[j] = 0;
    t->stats.looks++;
    const double gate_max = t->gate[MWDS_MEAS_MAX_DIM];
    int out_of_order = 0;

    /* predict and hypothesise */
    for (int i = 0; i < t->n_used; i++) {
        mwds_track *tr = &t->tracks[i];
        gate_info *g = &t->gi[i];
        g->near = g->active = g->visible = 0;
        if (tr->status == MWDS_TRACK_FREE ||
            (!whole && !near_dwell(s, az_lo, az_w, gate_sigmas, tr, t_ns)))
            continue;
        g->near = 1;
        g->w = tr->f;
        g->fp = t->c.fp;
        g->fp.q_jerk *= tr->q_scale > 1.0 ? tr->q_scale : 1.0;
        g->fp.q_acc *= tr->q_scale > 1.0 ? tr->q_scale : 1.0;
        if (mwds_filter_predict(t->c.filter, &g->fp, &g->w, t_ns) != MWDS_OK) {
            t->stats.filter_errors++;
            free_slot(t, i);
            continue;
        }
        out_of_order |= t_ns < tr->f.t_ns;
        mwds_vec3 pos = mwds_v3(g->w.x.v[0], g->w.x.v[1], g->w.x.v[2]);
        g->visible = mwds_sensor_visible(s, pos, g->w.model == MWDS_MODEL_BOOST) &&
                     mwds_sensor_in_dwell(s, dwell, pos);
        g->confirmed = tr->status == MWDS_TRACK_CONFIRMED;
        if (s->kind == MWDS_SENSOR_SPACE_IR && g->w.model != MWDS_MODEL_BOOST)
            g->active = 0; /* IR sees burning engines: only boost-model tracks */
        else
            g->active = hypothesise(s, g, gate_max) == MWDS_OK;
    }
    t->stats.out_of_order_looks += (uint64_t)out_of_order;

    gate_all(t, s, m, n);
    associate(t, n);

    /* update or coast; delete */
    for (int i = 0; i < t->n_used; i++) {
        mwds_track *tr = &t->tracks[i];
        gate_info *g = &t->gi[i];
        if (tr->status == MWDS_TRACK_FREE || !g->near)
            continue;
        const int late = t_ns < tr->f.t_ns;
        int j = g->active ? t->track_meas[i] : -1, hit = 0;
        if (j >= 0) {
            double nis = 0.0;
            mwds_filter_state w = g->w;
            if (mwds_filter_update(t->c.filter, &w, s, &m[j], &nis) == MWDS_OK &&
                (!late || mwds_filter_predict(t->c.filter, &g->fp, &w, tr->f.t_ns) == MWDS_OK)) {
                tr->f = w;
                tr->nis = nis;
                tr->nis_dim = m[j].dim;
                tr->hits++;
                if (t_ns > tr->t_update_ns)
                    tr->t_update_ns = t_ns;
                hit = 1;
                t->stats.updates++;
                if (assoc != NULL)
                    assoc[j] = tr->number;
                shadow_update(t, tr, &t->c.fp, s, &m[j]);
            } else {
                t->stats.filter_errors++;
            }
        }
        if (!hit && !late && g->active)
            tr->f = g->w; /* coast: keep the prediction */
        /* Space IR sees only burning engines, and whether this one still
         * burns is what the track does not know: an IR look that misses a
         * boost track is no evidence against the track (burnout is the
         * likely reason), so only radar looks count IR-free opportunities
         * and drive the adaptive noise. */
        if (hit || (g->visible && s->kind == MWDS_SENSOR_RADAR)) {
            record(tr, hit);
            if (s->kind == MWDS_SENSOR_RADAR)
                adapt_noise(t, tr, hit);
        }
        if (tr->status == MWDS_TRACK_TENTATIVE && tr->hits >= t->c.confirm_m &&
            tr->opportunities <= t->c.confirm_n) {
            tr->status = MWDS_TRACK_CONFIRMED;
            tr->t_confirm_ns = t_ns;
            t->stats.confirmed++;
        }
    }

    /* prune before deleting, so that a track about to die of misses hands its
     * number to the track that took its target over */
    prune_duplicates(t, t_ns);
    for (int i = 0; i < t->n_used; i++) {
        mwds_track *tr = &t->tracks[i];
        if (tr->status == MWDS_TRACK_FREE)
            continue;
        int64_t now = t_ns > tr->f.t_ns ? t_ns : tr->f.t_ns;
        /* a track the dwell did not look at keeps its state: only its
         * silence can have grown */
        if (t->gi[i].near ? should_delete(t, tr, now)
                          : mwds_time_to_s(now - tr->t_update_ns) > t->c.max_coast_s)
            free_slot(t, i);
    }

    while (t->n_used > 0 && t->tracks[t->n_used - 1].status == MWDS_TRACK_FREE)
        t->n_used--;

    /* initiate from radar measurements no track took or gated */
    if (s->kind == MWDS_SENSOR_RADAR)
        for (int j = 0; j < n; j++)
            if (t->meas_track[j] < 0 && !t->gated_confirmed[j]) {
                uint32_t number = 0;
                initiate(t, s, &m[j], &number);
                if (assoc != NULL)
                    assoc[j] = number;
            }
    return MWDS_OK;
}
