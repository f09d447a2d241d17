/*
 * Scoring an exercise: reads the nations' journals, flies the scenario's
 * truth again, associates tracks and warnings with the launches and works
 * out the measures of score.h. docs/scoring.md defines each one; this file
 * follows it section by section:
 *
 *   when a row enters a picture   row_avail_ns
 *   tracks to truth                associate_tracks (nearest within the gate,
 *                                  at the track state's own time)
 *   warnings to truth              associate_warnings (the warning's basis
 *                                  position against the flight over a window
 *                                  before its issue; then through its track)
 *   first track, first warning,    cells
 *   PIP and time-of-impact errors
 *   pictures over time: SIAP,      sweep
 *   OSPA, coverage, commonality
 *   warnings lost and duplicated   count_lost, count_duplicated
 *
 * Memory: every Track and Warning row of every journal is held (about 150
 * bytes a track row); Measurement and NodeStatus rows are counted only.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mwds/journal.h"
#include "mwds/scenario.h"
#include "mwds/sim.h"
#include "score_data.h"

#ifndef MWDS_AREAS_FILE
#define MWDS_AREAS_FILE ""
#endif

/* ground track points per launch for the map */
#define GROUND_TRACK_POINTS 200
/* step of the truth search over a warning's window */
#define WINDOW_STEP_S 0.25

void mwds_score_options_default(mwds_score_options *o)
{
    o->step_s = 1.0;
    o->gate_m = 10e3;
    o->ospa_c_m = 10e3;
    o->ospa_p = 2.0;
    o->max_age_s = 30.0;
    o->max_delay_s = 60.0;
    o->window_s = 10.0;
    o->areas_path = NULL;
}

static int grow(void **p, size_t *cap, size_t need, size_t size)
{
    if (need <= *cap)
        return 0;
    size_t c = *cap ? *cap : 64;
    while (c < need)
        c *= 2;
    void *q = realloc(*p, c * size);
    if (q == NULL)
        return -1;
    *p = q;
    *cap = c;
    return 0;
}

static int nation_index(const mwds_score *s, const char *code)
{
    for (size_t i = 0; i < s->n_nations; i++)
        if (strcmp(s->nations[i].code, code) == 0)
            return (int)i;
    return -1;
}

/* ---- truth ---- */

/* The truth state of launch i at t_ns: 1 if in flight (pos, vel written). */
static int truth_at(const mwds_sim *sim, size_t i, int64_t t_ns, mwds_vec3 *pos, mwds_vec3 *vel)
{
    int in_flight = 0;
    if (mwds_sim_truth(sim, i, t_ns, &in_flight, pos, vel, NULL) != MWDS_OK)
        return 0;
    return in_flight;
}

static mwds_err load_truth(mwds_score *s, const mwds_scenario *sc, const mwds_sim *sim)
{
    s->n_truth = sc->n_launches;
    s->truth = calloc(s->n_truth ? s->n_truth : 1, sizeof *s->truth);
    if (s->truth == NULL)
        return MWDS_ENOMEM;
    for (size_t i = 0; i < s->n_truth; i++) {
        sc_truth *t = &s->truth[i];
        const mwds_traj *tr = mwds_sim_trajectory(sim, i);
        snprintf(t->id, sizeof t->id, "%s", sc->launches[i].id);
        snprintf(t->cls, sizeof t->cls, "%s",
                 sc->launches[i].cls ? sc->launches[i].cls->name : "?");
        t->launch_ns = tr->launch_t_ns;
        t->impact_ns = tr->launch_t_ns + mwds_time_from_s(tr->sum.flight_time_s);
        t->launch = tr->sum.launch;
        t->impact = tr->sum.impact;
        t->gt_lat = malloc(GROUND_TRACK_POINTS * sizeof *t->gt_lat);
        t->gt_lon = malloc(GROUND_TRACK_POINTS * sizeof *t->gt_lon);
        if (t->gt_lat == NULL || t->gt_lon == NULL)
            return MWDS_ENOMEM;
        for (int k = 0; k < GROUND_TRACK_POINTS; k++) {
            double ts = tr->sum.flight_time_s * k / (GROUND_TRACK_POINTS - 1);
            mwds_vec3 p, v;
            mwds_lla g;
            if (mwds_traj_state(tr, ts, &p, &v) != MWDS_OK ||
                mwds_geo_ecef_to_lla(p, &g) != MWDS_OK)
                continue;
            t->gt_lat[t->n_gt] = g.lat_rad * MWDS_RAD2DEG;
            t->gt_lon[t->n_gt] = mwds_geo_wrap_pi(g.lon_rad) * MWDS_RAD2DEG;
            t->n_gt++;
        }
    }
    return MWDS_OK;
}

/* ---- reading a journal ---- */

/* a - b, or fallback when it would overflow */
static int64_t sub_or(int64_t a, int64_t b, int64_t fallback)
{
    int64_t d;
    return __builtin_sub_overflow(a, b, &d) ? fallback : d;
}

/* When a row enters its nation's picture, on the scenario clock: the
 * sample's own time plus the wall-clock delay from the publication of the
 * sensor look behind it (cause_pub_ns) to the row's local time (sent:
 * t_send, received: t_recv); without a usable cause, a received row's
 * network delay (t_recv - t_send). A delay outside [0, max_delay] means the
 * clocks are not comparable and counts as 0. See docs/scoring.md. */
static int64_t row_avail_ns(const mwds_score_options *o, int own, int64_t t_sample,
                            int64_t t_send, int64_t t_recv, int64_t cause_pub)
{
    int64_t maxd = mwds_time_from_s(o->max_delay_s);
    int64_t local = own ? t_send : t_recv, d, r;
    if (cause_pub > 0 && local > 0) {
        d = sub_or(local, cause_pub, -1);
        if (d >= 0 && d <= maxd && !__builtin_add_overflow(t_sample, d, &r))
            return r;
    }
    if (!own && t_recv > 0 && t_send > 0) {
        d = sub_or(t_recv, t_send, -1);
        if (d >= 0 && d <= maxd && !__builtin_add_overflow(t_sample, d, &r))
            return r;
    }
    return t_sample;
}

/* Rows are scored if their times lie within a day of the scenario's span;
 * this also keeps every difference of times far from int64 overflow. */
static int in_window(const mwds_score *s, int64_t t_ns)
{
    const int64_t day = 86400 * MWDS_NS_PER_S;
    int64_t end = s->start_ns + mwds_time_from_s(s->duration_s);
    return t_ns >= s->start_ns - day && t_ns <= end + day;
}

typedef struct ingest {
    mwds_score *s;
    sc_journal *j;
    const char *path;
    char *err;
    size_t err_len;
    mwds_err e;
    int sent_origin;  /* the nation of the sent rows, -1 before the first */
} ingest;

static int ingest_fail(ingest *in, const mwds_journal_row *row, mwds_err e, const char *what)
{
    mwds_errmsg(in->err, in->err_len, "%s: %s %s %s/%s revision %lld: %s", in->path, row->topic,
            mwds_journal_dir_name(row->dir), row->origin, row->key, (long long)row->revision,
            what);
    in->e = e;
    return 1;
}

static int add_latency(double **a, size_t *n, size_t *cap, double ms)
{
    if (grow((void **)a, cap, *n + 1, sizeof **a) != 0)
        return -1;
    (*a)[(*n)++] = ms;
    return 0;
}

static int on_row(void *ctx, const mwds_journal_row *row)
{
    ingest *in = ctx;
    mwds_score *s = in->s;
    sc_journal *j = in->j;
    char msg[384];
    j->rows++;
    int own = row->dir == MWDS_JOURNAL_SENT;
    int origin = nation_index(s, row->origin);
    if (own) {
        if (origin < 0) {
            snprintf(msg, sizeof msg, "origin: %.16s is not a nation of the scenario %.300s",
                     row->origin, s->scenario_path);
            return ingest_fail(in, row, MWDS_EPARSE, msg);
        }
        if (in->sent_origin >= 0 && in->sent_origin != origin) {
            snprintf(msg, sizeof msg,
                     "origin: sent rows of %s and of %.16s: not the journal of one node",
                     s->nations[in->sent_origin].code, row->origin);
            return ingest_fail(in, row, MWDS_EPARSE, msg);
        }
        in->sent_origin = origin;
    }
    if (row->exercise != s->exercise) {
        j->ignored_exercise++; /* never mixed with the scenario's kind of data */
        return 0;
    }
    if (origin < 0) {
        j->ignored_origin++;
        return 0;
    }
    int is_system = own && strcmp(row->topic, "SystemTrack") == 0;
    int is_track = is_system || strcmp(row->topic, "Track") == 0;
    int is_warning = strcmp(row->topic, "Warning") == 0;
    if (!is_track && !is_warning) {
        j->other_topics++;
        return 0;
    }
    if (!in_window(s, row->t_sample_ns)) {
        j->ignored_time++; /* another run's rows, or garbage: nothing to score */
        return 0;
    }
    uint32_t key;
    if (mwds__score_parse_key(row->key, &key) != 0)
        return ingest_fail(in, row, MWDS_EPARSE,
                           is_track ? "key: expected a track number (decimal digits)"
                                    : "key: expected a warning id (decimal digits)");
    if (!own && row->t_recv_ns > 0) {
        double ms = (double)sub_or(row->t_recv_ns, row->t_send_ns, INT64_MAX) / 1e6;
        if (ms >= 0.0 && ms <= s->opt.max_delay_s * 1e3 &&
            add_latency(&j->lat_net_ms, &j->n_lat_net, &j->cap_lat_net, ms) != 0)
            return ingest_fail(in, row, MWDS_ENOMEM, "out of memory");
    }
    char perr[256] = "";
    if (is_track) {
        mwds__track_payload tp;
        mwds_err e = mwds__score_parse_track(row->payload, &tp, perr, sizeof perr);
        if (e != MWDS_OK)
            return ingest_fail(in, row, e, perr);
        if (!tp.ended && !in_window(s, tp.t_ns)) {
            j->ignored_time++;
            return 0;
        }
        if (grow((void **)&j->tr, &j->cap_tr, j->n_tr + 1, sizeof *j->tr) != 0)
            return ingest_fail(in, row, MWDS_ENOMEM, "out of memory");
        sc_track_row *t = &j->tr[j->n_tr++];
        memset(t, 0, sizeof *t);
        t->own = own;
        t->system = is_system;
        j->has_system |= is_system;
        t->ended = tp.ended;
        t->t_state_ns = tp.ended ? row->t_sample_ns : tp.t_ns;
        t->t_avail_ns = row_avail_ns(&s->opt, own, row->t_sample_ns, row->t_send_ns,
                                     row->t_recv_ns, tp.cause_pub_ns);
        if (t->t_avail_ns < t->t_state_ns)
            t->t_avail_ns = t->t_state_ns;
        for (int k = 0; k < 3; k++) {
            t->pos[k] = tp.x[k];
            t->vel[k] = tp.x[3 + k];
        }
        t->truth = -1;
        t->revision = row->revision;
        t->origin = origin;
        t->number = key;
        if (!own && tp.cause_pub_ns > 0 && row->t_recv_ns > 0) {
            double ms = (double)sub_or(row->t_recv_ns, tp.cause_pub_ns, INT64_MAX) / 1e6;
            if (ms >= 0.0 && ms <= s->opt.max_delay_s * 1e3 &&
                add_latency(&j->lat_chain_ms, &j->n_lat_chain, &j->cap_lat_chain, ms) != 0)
                return ingest_fail(in, row, MWDS_ENOMEM, "out of memory");
        }
        return 0;
    }
    mwds__warning_payload wp;
    mwds_err e = mwds__score_parse_warning(row->payload, &wp, perr, sizeof perr);
    if (e != MWDS_OK)
        return ingest_fail(in, row, e, perr);
    if (strcmp(wp.origin, row->origin) != 0 || wp.id != key) {
        snprintf(msg, sizeof msg, "payload: origin %.8s and id %u differ from the row's",
                 wp.origin, wp.id);
        return ingest_fail(in, row, MWDS_EPARSE, msg);
    }
    if (grow((void **)&j->wr, &j->cap_wr, j->n_wr + 1, sizeof *j->wr) != 0)
        return ingest_fail(in, row, MWDS_ENOMEM, "out of memory");
    sc_warning_row *w = &j->wr[j->n_wr];
    memset(w, 0, sizeof *w);
    w->own = own;
    w->origin = origin;
    w->id = key;
    w->revision = row->revision;
    w->issued_ns = row->t_sample_ns;
    w->t_send_ns = row->t_send_ns;
    w->t_recv_ns = row->t_recv_ns;
    w->t_avail_ns = row_avail_ns(&s->opt, own, row->t_sample_ns, row->t_send_ns, row->t_recv_ns,
                                 wp.cause_pub_ns);
    w->p = wp;
    w->launch = -1;
    w->pip_err_km = w->toi_err_s = w->ellipse_r = NAN;
    if (own && row->partition[0] != '\0') {
        char codes[SCORE_MAX_NATIONS][4];
        for (size_t k = 0; k < s->n_nations; k++)
            memcpy(codes[k], s->nations[k].code, 4);
        e = mwds__score_parse_partition(row->partition, (const char(*)[4])codes,
                                        (int)s->n_nations, &w->recipients, perr, sizeof perr);
        if (e != MWDS_OK)
            return ingest_fail(in, row, e, perr);
        w->has_partition = 1;
    }
    if (!own && wp.cause_pub_ns > 0 && row->t_recv_ns > 0) {
        double ms = (double)sub_or(row->t_recv_ns, wp.cause_pub_ns, INT64_MAX) / 1e6;
        if (ms >= 0.0 && ms <= s->opt.max_delay_s * 1e3 &&
            add_latency(&j->lat_chain_ms, &j->n_lat_chain, &j->cap_lat_chain, ms) != 0)
            return ingest_fail(in, row, MWDS_ENOMEM, "out of memory");
    }
    j->n_wr++;
    return 0;
}

static int cmp_u64(const void *pa, const void *pb)
{
    uint64_t a = *(const uint64_t *)pa, b = *(const uint64_t *)pb;
    return (a > b) - (a < b);
}

/* Replaces each track row's (origin, number) by its index in the sorted
 * table of the journal's track identities. */
static uint64_t ident_of(const sc_track_row *t)
{
    return ((uint64_t)(t->system != 0) << 40) | ((uint64_t)t->origin << 32) | t->number;
}

static mwds_err build_idents(sc_journal *j)
{
    j->idents = malloc((j->n_tr ? j->n_tr : 1) * sizeof *j->idents);
    if (j->idents == NULL)
        return MWDS_ENOMEM;
    for (size_t i = 0; i < j->n_tr; i++)
        j->idents[i] = ident_of(&j->tr[i]);
    qsort(j->idents, j->n_tr, sizeof *j->idents, cmp_u64);
    size_t n = 0;
    for (size_t i = 0; i < j->n_tr; i++)
        if (n == 0 || j->idents[n - 1] != j->idents[i])
            j->idents[n++] = j->idents[i];
    j->n_idents = n;
    for (size_t i = 0; i < j->n_tr; i++) {
        uint64_t id = ident_of(&j->tr[i]);
        const uint64_t *f = bsearch(&id, j->idents, n, sizeof *j->idents, cmp_u64);
        j->tr[i].ident = (uint32_t)(f - j->idents);
    }
    return MWDS_OK;
}

static mwds_err read_journal(mwds_score *s, sc_journal *j, char *err, size_t err_len)
{
    mwds_journal_options jo;
    mwds_journal_options_default(&jo);
    jo.read_only = 1;
    mwds_journal *h = NULL;
    mwds_err e = mwds_journal_open(j->path, &jo, &h, err, err_len);
    if (e != MWDS_OK)
        return e;
    ingest in = {s, j, j->path, err, err_len, MWDS_OK, -1};
    e = mwds_journal_foreach(h, NULL, on_row, &in);
    if (e != MWDS_OK && in.e == MWDS_OK)
        mwds_errmsg(err, err_len, "%s: %s", j->path, mwds_journal_errmsg(h));
    mwds_journal_close(h);
    if (in.e != MWDS_OK)
        return in.e;
    if (e != MWDS_OK)
        return e;
    if (in.sent_origin < 0) {
        mwds_errmsg(err, err_len,
                "%s: no sent rows: cannot tell which nation's journal it is (a node journals "
                "its heartbeats as it starts)",
                j->path);
        return MWDS_EPARSE;
    }
    j->nation = in.sent_origin;
    return build_idents(j);
}

/* ---- association ---- */

static double dist3(const double *a, mwds_vec3 b)
{
    double dx = a[0] - b.v[0], dy = a[1] - b.v[1], dz = a[2] - b.v[2];
    return sqrt(dx * dx + dy * dy + dz * dz);
}

typedef struct state_key {
    int64_t t_ns;
    size_t row;
} state_key;

static int cmp_state(const void *pa, const void *pb)
{
    const state_key *a = pa, *b = pb;
    if (a->t_ns != b->t_ns)
        return a->t_ns < b->t_ns ? -1 : 1;
    return (a->row > b->row) - (a->row < b->row);
}

/* Each track row against every launch in flight at its state's time: the
 * nearest within the gate is its truth; distances under max(gate, c) are
 * kept for OSPA. Rows are taken in order of state time, so that the truth
 * is flown once per distinct time (a look updates many tracks at once). */
static mwds_err associate_tracks(mwds_score *s, sc_journal *j, const mwds_sim *sim)
{
    double keep = fmax(s->opt.gate_m, s->opt.ospa_c_m);
    size_t nl = s->n_truth ? s->n_truth : 1;
    mwds_vec3 *tp = malloc(nl * sizeof *tp), *tv = malloc(nl * sizeof *tv);
    unsigned char *fl = malloc(nl);
    state_key *k = malloc((j->n_tr ? j->n_tr : 1) * sizeof *k);
    mwds_err e = MWDS_OK;
    if (tp == NULL || tv == NULL || fl == NULL || k == NULL) {
        e = MWDS_ENOMEM;
        goto done;
    }
    for (size_t i = 0; i < j->n_tr; i++)
        k[i] = (state_key){j->tr[i].t_state_ns, i};
    qsort(k, j->n_tr, sizeof *k, cmp_state);
    int64_t flown = 0;
    int have_flown = 0;
    for (size_t q = 0; q < j->n_tr; q++) {
        sc_track_row *t = &j->tr[k[q].row];
        t->od_first = (uint32_t)j->n_od;
        t->od_n = 0;
        if (t->ended)
            continue;
        /* not "the row before had another time": that row may have been
         * an ended one, for which nothing was flown */
        if (!have_flown || t->t_state_ns != flown) {
            for (size_t l = 0; l < s->n_truth; l++)
                fl[l] = (unsigned char)truth_at(sim, l, t->t_state_ns, &tp[l], &tv[l]);
            flown = t->t_state_ns;
            have_flown = 1;
        }
        double best = INFINITY;
        for (size_t l = 0; l < s->n_truth; l++) {
            if (!fl[l])
                continue;
            double d = dist3(t->pos, tp[l]);
            if (d < keep) {
                if (grow((void **)&j->od, &j->cap_od, j->n_od + 1, sizeof *j->od) != 0) {
                    e = MWDS_ENOMEM;
                    goto done;
                }
                j->od[j->n_od++] = (sc_dist){(int)l, d};
                t->od_n++;
            }
            if (d < s->opt.gate_m && d < best) {
                best = d;
                t->truth = (int)l;
                t->pos_err_m = d;
                t->vel_err_m_s = dist3(t->vel, tv[l]);
            }
        }
    }
done:
    free(tp);
    free(tv);
    free(fl);
    free(k);
    return e;
}

/* A warning's basis position against each launch: at the basis state's
 * own time when the warning gives it (so that two launches along one path
 * a few seconds apart are told apart), else over [issued - window,
 * issued]. The nearest launch within the gate. */
static void associate_warning(const mwds_score *s, sc_warning_row *w, const mwds_sim *sim)
{
    mwds_lla g = {w->p.lat_deg * MWDS_DEG2RAD, w->p.lon_deg * MWDS_DEG2RAD,
                  w->p.height_km * 1e3};
    mwds_vec3 pw = mwds_geo_lla_to_ecef(g);
    double pwa[3] = {pw.v[0], pw.v[1], pw.v[2]};
    int timed = isfinite(w->p.basis_t_s);
    int n = timed ? 0 : (int)ceil(s->opt.window_s / WINDOW_STEP_S);
    int64_t t0 = timed ? mwds_time_from_s(w->p.basis_t_s) : w->issued_ns;
    double best = INFINITY;
    for (size_t l = 0; l < s->n_truth; l++) {
        for (int k = 0; k <= n; k++) {
            int64_t t = t0 - mwds_time_from_s(k * WINDOW_STEP_S);
            mwds_vec3 p, v;
            if (!truth_at(sim, l, t, &p, &v))
                continue;
            double d = dist3(pwa, p);
            if (d < s->opt.gate_m && d < best) {
                best = d;
                w->launch = (int)l;
            }
        }
    }
}

/* Warnings not placed by position (issued after impact, or far off) take
 * the launch that most warnings of the same issuer's track were placed
 * on. */
static mwds_err associate_by_track(mwds_score *s)
{
    int *votes = calloc(s->n_truth ? s->n_truth : 1, sizeof *votes);
    if (votes == NULL)
        return MWDS_ENOMEM;
    for (size_t a = 0; a < s->n_journals; a++) {
        for (size_t i = 0; i < s->journals[a].n_wr; i++) {
            sc_warning_row *w = &s->journals[a].wr[i];
            if (w->launch >= 0 || w->by_track)
                continue;
            memset(votes, 0, (s->n_truth ? s->n_truth : 1) * sizeof *votes);
            for (size_t b = 0; b < s->n_journals; b++)
                for (size_t k = 0; k < s->journals[b].n_wr; k++) {
                    const sc_warning_row *o = &s->journals[b].wr[k];
                    if (o->launch >= 0 && !o->by_track && o->origin == w->origin &&
                        o->p.track == w->p.track)
                        votes[o->launch]++;
                }
            int best = -1;
            for (size_t l = 0; l < s->n_truth; l++)
                if (votes[l] > 0 && (best < 0 || votes[l] > votes[best]))
                    best = (int)l;
            if (best >= 0) {
                w->launch = best;
                w->by_track = 1;
            }
        }
    }
    free(votes);
    return MWDS_OK;
}

/* A prediction of the impact: LAUNCH, IMPACT_PREDICTION and OVERFLIGHT
 * warnings carry the assessment they were issued on; IMPACT, END and
 * CANCEL report the end of a track (their basis is the last assessment,
 * made before the end), so they are not predictions to score. */
static int predicts_impact(int kind)
{
    return kind == MWDS_WARN_LAUNCH || kind == MWDS_WARN_IMPACT_PREDICTION ||
           kind == MWDS_WARN_OVERFLIGHT;
}

static void pip_errors(const mwds_score *s, sc_warning_row *w)
{
    if (!w->p.has_impact || w->launch < 0 || !predicts_impact(w->p.kind))
        return;
    const sc_truth *t = &s->truth[w->launch];
    mwds_lla c = {w->p.imp_lat_deg * MWDS_DEG2RAD, w->p.imp_lon_deg * MWDS_DEG2RAD, 0.0};
    mwds_lla ti = t->impact;
    ti.h_m = 0.0;
    double d_m, a1, a2;
    if (mwds_geo_inverse(c, ti, &d_m, &a1, &a2) != MWDS_OK)
        return;
    w->pip_err_km = d_m / 1e3;
    w->toi_err_s = w->p.imp_t_s - mwds_time_to_s(t->impact_ns);
    mwds_ellipse el;
    memset(&el, 0, sizeof el);
    el.centre = c;
    el.semi_major_m = w->p.semi_major_km * 1e3;
    el.semi_minor_m = w->p.semi_minor_km * 1e3;
    el.major_az_rad = w->p.major_az_deg * MWDS_DEG2RAD;
    el.p = w->p.imp_p;
    w->ellipse_r = mwds_ellipse_radius(&el, ti);
}

/* ---- per launch and nation ---- */

/* Which of two warnings tied on their times counts first: by origin, then
 * id, rather than by the order of the journals' rows (a received warning's
 * row is where it arrived). */
static int tie_before(const sc_warning_row *a, const sc_warning_row *b)
{
    return a->origin != b->origin ? a->origin < b->origin : a->id < b->id;
}

static mwds_err cells(mwds_score *s)
{
    s->cells = calloc(s->n_truth * s->n_nations + 1, sizeof *s->cells);
    s->pip_final_any_km = calloc(s->n_truth + 1, sizeof *s->pip_final_any_km);
    if (s->cells == NULL || s->pip_final_any_km == NULL)
        return MWDS_ENOMEM;
    for (size_t l = 0; l < s->n_truth; l++) {
        s->pip_final_any_km[l] = NAN;
        for (size_t n = 0; n < s->n_nations; n++) {
            sc_cell *c = sc_cell_at(s, l, n);
            c->first_track_s = c->first_warning_s = NAN;
            c->pip_final_km = c->toi_final_s = NAN;
            c->first_warning_origin = -1;
        }
    }
    const sc_warning_row **latest_any = calloc(s->n_truth + 1, sizeof *latest_any);
    if (latest_any == NULL)
        return MWDS_ENOMEM;
    for (size_t a = 0; a < s->n_journals; a++) {
        sc_journal *j = &s->journals[a];
        for (size_t i = 0; i < j->n_tr; i++) {
            const sc_track_row *t = &j->tr[i];
            if (t->truth < 0 || t->system)
                continue; /* the first track: a sensor's, the node's or a partner's */
            sc_cell *c = sc_cell_at(s, (size_t)t->truth, (size_t)j->nation);
            double dt = mwds_time_to_s(t->t_avail_ns - s->truth[t->truth].launch_ns);
            if (isnan(c->first_track_s) || dt < c->first_track_s)
                c->first_track_s = dt;
        }
        for (size_t l = 0; l < s->n_truth; l++) {
            sc_cell *c = sc_cell_at(s, l, (size_t)j->nation);
            size_t n_pip = 0;
            for (size_t i = 0; i < j->n_wr; i++)
                n_pip += j->wr[i].launch == (int)l && !isnan(j->wr[i].pip_err_km);
            c->pip = malloc((n_pip ? n_pip : 1) * sizeof *c->pip);
            if (c->pip == NULL) {
                free(latest_any);
                return MWDS_ENOMEM;
            }
        }
        for (size_t i = 0; i < j->n_wr; i++) {
            const sc_warning_row *w = &j->wr[i];
            if (w->launch < 0)
                continue;
            sc_cell *c = sc_cell_at(s, (size_t)w->launch, (size_t)j->nation);
            if (w->p.kind == MWDS_WARN_LAUNCH) {
                double dt = mwds_time_to_s(w->t_avail_ns - s->truth[w->launch].launch_ns);
                if (isnan(c->first_warning_s) || dt < c->first_warning_s ||
                    (dt == c->first_warning_s && w->origin < c->first_warning_origin)) {
                    c->first_warning_s = dt;
                    c->first_warning_origin = w->origin;
                }
            }
            if (isnan(w->pip_err_km))
                continue;
            c->pip[c->n_pip++] = i;
            /* the network's final word: the latest issued before the impact
             * (ties: by origin and id, whatever the journals' order) */
            const sc_warning_row *b = latest_any[w->launch];
            if (w->issued_ns <= s->truth[w->launch].impact_ns &&
                (b == NULL || w->issued_ns > b->issued_ns ||
                 (w->issued_ns == b->issued_ns && tie_before(w, b)))) {
                s->pip_final_any_km[w->launch] = w->pip_err_km;
                latest_any[w->launch] = w;
            }
        }
    }
    free(latest_any);
    return MWDS_OK;
}

const sc_warning_row *mwds__score_final_pip(const mwds_score *s, size_t l, size_t n)
{
    const sc_cell *c = sc_cell_at(s, l, n);
    if (s->nations[n].journal < 0 || c->n_pip == 0)
        return NULL;
    const sc_journal *j = &s->journals[s->nations[n].journal];
    const sc_warning_row *best = NULL;
    for (int k = 0; k < c->n_pip; k++) {
        const sc_warning_row *w = &j->wr[c->pip[k]];
        if (w->t_avail_ns > s->truth[l].impact_ns)
            continue;
        if (best == NULL || w->t_avail_ns > best->t_avail_ns ||
            (w->t_avail_ns == best->t_avail_ns &&
             (w->issued_ns > best->issued_ns ||
              (w->issued_ns == best->issued_ns && tie_before(w, best)))))
            best = w;
    }
    return best;
}

/* Each cell's final PIP and time-of-impact errors: those of its final
 * impact prediction. */
static void pip_final(mwds_score *s)
{
    for (size_t l = 0; l < s->n_truth; l++)
        for (size_t n = 0; n < s->n_nations; n++) {
            sc_cell *c = sc_cell_at(s, l, n);
            const sc_warning_row *best = mwds__score_final_pip(s, l, n);
            if (best != NULL) {
                c->pip_final_km = best->pip_err_km;
                c->toi_final_s = best->toi_err_s;
            }
        }
}

/* ---- pictures over time ---- */

typedef struct sweep_nation {
    size_t *order;      /* track rows by t_avail */
    size_t next;
    int64_t *latest;    /* per identity: row index, -1 */
    mwds_siap_obs *obs;
    size_t *obs_row;
    int n_obs;
    mwds_siap_obs *src_obs; /* the source tracks held (commonality), system or not */
    int n_src_obs;
    mwds_siap *siap;
} sweep_nation;

typedef struct avail_key {
    int64_t t_avail_ns, t_state_ns;
    size_t row;
} avail_key;

static int cmp_avail(const void *pa, const void *pb)
{
    const avail_key *a = pa, *b = pb;
    if (a->t_avail_ns != b->t_avail_ns)
        return a->t_avail_ns < b->t_avail_ns ? -1 : 1;
    if (a->t_state_ns != b->t_state_ns)
        return a->t_state_ns < b->t_state_ns ? -1 : 1;
    return (a->row > b->row) - (a->row < b->row);
}

/* The journal's track rows in the order they become available. */
static size_t *avail_order(const sc_journal *j)
{
    size_t n = j->n_tr ? j->n_tr : 1;
    avail_key *k = malloc(n * sizeof *k);
    size_t *order = malloc(n * sizeof *order);
    if (k == NULL || order == NULL) {
        free(k);
        free(order);
        return NULL;
    }
    for (size_t i = 0; i < j->n_tr; i++)
        k[i] = (avail_key){j->tr[i].t_avail_ns, j->tr[i].t_state_ns, i};
    qsort(k, j->n_tr, sizeof *k, cmp_avail);
    for (size_t i = 0; i < j->n_tr; i++)
        order[i] = k[i].row;
    free(k);
    return order;
}

static mwds_err cover(sc_cell *c, int64_t step)
{
    if (c->n_cov > 0 && c->cov[c->n_cov - 1].last == step - 1) {
        c->cov[c->n_cov - 1].last = step;
        return MWDS_OK;
    }
    if (grow((void **)&c->cov, &c->cap_cov, c->n_cov + 1, sizeof *c->cov) != 0)
        return MWDS_ENOMEM;
    c->cov[c->n_cov++] = (sc_interval){step, step};
    return MWDS_OK;
}

/* The picture of one nation at t: the latest state of each track identity
 * available by t, unless ended, older than max_age, or on a truth that has
 * already come down. A node that journalled its fused picture is measured
 * on its system tracks (one per object it believes in); an older journal,
 * on its own and its partners' tracks together. */
static void picture(const mwds_score *s, const sc_journal *j, sweep_nation *sw, int64_t t,
                    const unsigned char *alive)
{
    while (sw->next < j->n_tr && j->tr[sw->order[sw->next]].t_avail_ns <= t) {
        size_t r = sw->order[sw->next++];
        const sc_track_row *tr = &j->tr[r];
        /* a track's samples are numbered: the highest revision is its
         * latest, whichever arrived first */
        int64_t cur = sw->latest[tr->ident];
        if (cur < 0 || tr->revision > j->tr[cur].revision ||
            (tr->revision == j->tr[cur].revision && tr->t_state_ns > j->tr[cur].t_state_ns))
            sw->latest[tr->ident] = (int64_t)r;
    }
    int64_t max_age = mwds_time_from_s(s->opt.max_age_s);
    sw->n_obs = sw->n_src_obs = 0;
    for (size_t id = 0; id < j->n_idents; id++) {
        int64_t r = sw->latest[id];
        if (r < 0)
            continue;
        const sc_track_row *tr = &j->tr[r];
        if (tr->ended || t - tr->t_state_ns > max_age || (tr->truth >= 0 && !alive[tr->truth]))
            continue;
        mwds_siap_obs ob = {0};
        ob.track_id = j->idents[id];
        ob.truth = tr->truth;
        ob.pos_err_m = tr->pos_err_m;
        ob.vel_err_m_s = tr->vel_err_m_s;
        if (!tr->system)
            sw->src_obs[sw->n_src_obs++] = ob;
        if (tr->system != j->has_system)
            continue;
        sw->obs[sw->n_obs] = ob;
        sw->obs_row[sw->n_obs++] = (size_t)r;
    }
}

static mwds_err ospa_step(const mwds_score *s, const sc_journal *j, const sweep_nation *sw,
                          const unsigned char *alive, double *dist, int *truth_col,
                          mwds_ospa *out)
{
    int m = 0;
    for (size_t l = 0; l < s->n_truth; l++)
        if (alive[l])
            truth_col[l] = m++;
        else
            truth_col[l] = -1;
    int n = sw->n_obs;
    for (int64_t k = 0; k < (int64_t)m * n; k++)
        dist[k] = INFINITY;
    for (int c = 0; c < n; c++) {
        const sc_track_row *tr = &j->tr[sw->obs_row[c]];
        for (uint32_t k = 0; k < tr->od_n; k++) {
            const sc_dist *d = &j->od[tr->od_first + k];
            if (truth_col[d->truth] >= 0)
                dist[(size_t)truth_col[d->truth] * (size_t)n + (size_t)c] = d->d_m;
        }
    }
    return mwds_score_ospa(dist, m, n, s->opt.ospa_c_m, s->opt.ospa_p, out);
}

static mwds_err sweep(mwds_score *s)
{
    mwds_err e = MWDS_OK;
    s->n_steps = (int64_t)floor(s->duration_s / s->opt.step_s + 1e-9) + 1;
    sweep_nation sw[SCORE_MAX_NATIONS];
    memset(sw, 0, sizeof sw);
    unsigned char *alive = calloc(s->n_truth + 1, 1), *held = calloc(s->n_truth + 1, 1);
    int *truth_col = calloc(s->n_truth + 1, sizeof *truth_col);
    size_t max_obs = 1;
    for (size_t a = 0; a < s->n_journals; a++)
        if (s->journals[a].n_idents > max_obs)
            max_obs = s->journals[a].n_idents;
    double *dist = malloc((s->n_truth + 1) * max_obs * sizeof *dist);
    if (alive == NULL || held == NULL || truth_col == NULL || dist == NULL) {
        e = MWDS_ENOMEM;
        goto done;
    }
    for (size_t n = 0; n < s->n_nations; n++) {
        sc_nation *nat = &s->nations[n];
        if (nat->journal < 0)
            continue;
        const sc_journal *j = &s->journals[nat->journal];
        sweep_nation *w = &sw[n];
        size_t ni = j->n_idents ? j->n_idents : 1;
        w->order = avail_order(j);
        w->latest = malloc(ni * sizeof *w->latest);
        w->obs = malloc(ni * sizeof *w->obs);
        w->src_obs = malloc(ni * sizeof *w->src_obs);
        w->obs_row = malloc(ni * sizeof *w->obs_row);
        nat->ospa_m = calloc((size_t)s->n_steps, sizeof *nat->ospa_m);
        nat->n_tracks = calloc((size_t)s->n_steps, sizeof *nat->n_tracks);
        if (w->order == NULL || w->latest == NULL || w->obs == NULL || w->src_obs == NULL ||
            w->obs_row == NULL ||
            nat->ospa_m == NULL || nat->n_tracks == NULL) {
            e = MWDS_ENOMEM;
            goto done;
        }
        for (size_t i = 0; i < ni; i++)
            w->latest[i] = -1;
        if ((e = mwds_siap_create((int)s->n_truth, s->opt.step_s, &w->siap)) != MWDS_OK)
            goto done;
    }
    double ospa_sum[SCORE_MAX_NATIONS] = {0}, loc_sum[SCORE_MAX_NATIONS] = {0},
           card_sum[SCORE_MAX_NATIONS] = {0};
    int64_t ospa_steps[SCORE_MAX_NATIONS] = {0};
    for (int64_t k = 0; k < s->n_steps; k++) {
        int64_t t = s->start_ns + mwds_time_from_s((double)k * s->opt.step_s);
        for (size_t l = 0; l < s->n_truth; l++)
            alive[l] = s->truth[l].launch_ns <= t && t <= s->truth[l].impact_ns;
        for (size_t n = 0; n < s->n_nations; n++) {
            sc_nation *nat = &s->nations[n];
            if (nat->journal < 0)
                continue;
            const sc_journal *j = &s->journals[nat->journal];
            sweep_nation *w = &sw[n];
            picture(s, j, w, t, alive);
            if ((e = mwds_siap_add_step(w->siap, alive, w->obs, w->n_obs)) != MWDS_OK)
                goto done;
            mwds_ospa o;
            if ((e = ospa_step(s, j, w, alive, dist, truth_col, &o)) != MWDS_OK)
                goto done;
            nat->ospa_m[k] = o.total;
            nat->n_tracks[k] = w->n_obs;
            int m = 0;
            for (size_t l = 0; l < s->n_truth; l++)
                m += alive[l];
            if (m > 0 || w->n_obs > 0) {
                ospa_sum[n] += o.total;
                loc_sum[n] += o.localisation;
                card_sum[n] += o.cardinality;
                ospa_steps[n]++;
            }
            if (s->n_truth > 0)
                memset(held, 0, s->n_truth);
            for (int i = 0; i < w->n_obs; i++)
                if (w->obs[i].truth >= 0)
                    held[w->obs[i].truth] = 1;
            for (size_t l = 0; l < s->n_truth; l++) {
                if (!alive[l])
                    continue;
                sc_cell *c = sc_cell_at(s, l, n);
                c->alive_steps++;
                if (held[l]) {
                    c->held_steps++;
                    if ((e = cover(c, k)) != MWDS_OK)
                        goto done;
                }
            }
        }
        for (size_t a = 0; a < s->n_nations; a++)
            for (size_t b = a + 1; b < s->n_nations; b++) {
                if (s->nations[a].journal < 0 || s->nations[b].journal < 0)
                    continue;
                int64_t n_held = 0, n_common = 0;
                if ((e = mwds_siap_commonality_step(sw[a].src_obs, sw[a].n_src_obs,
                                                    sw[b].src_obs, sw[b].n_src_obs, alive,
                                                    (int)s->n_truth, &n_held, &n_common)) !=
                    MWDS_OK)
                    goto done;
                s->pair_held[a][b] += n_held;
                s->pair_common[a][b] += n_common;
                s->common_held += n_held;
                s->common_common += n_common;
            }
    }
    for (size_t n = 0; n < s->n_nations; n++) {
        sc_nation *nat = &s->nations[n];
        if (nat->journal < 0)
            continue;
        if ((e = mwds_siap_result_get(sw[n].siap, &nat->siap)) != MWDS_OK)
            goto done;
        double d = ospa_steps[n] ? (double)ospa_steps[n] : 1.0;
        nat->ospa_mean_m = ospa_sum[n] / d;
        nat->ospa_loc_mean_m = loc_sum[n] / d;
        nat->ospa_card_mean_m = card_sum[n] / d;
    }
done:
    for (size_t n = 0; n < SCORE_MAX_NATIONS; n++) {
        free(sw[n].order);
        free(sw[n].latest);
        free(sw[n].obs);
        free(sw[n].src_obs);
        free(sw[n].obs_row);
        mwds_siap_destroy(sw[n].siap);
    }
    free(alive);
    free(held);
    free(truth_col);
    free(dist);
    return e;
}

/* ---- warnings lost and duplicated ---- */

static mwds_err add_lost(mwds_score *s, int origin, int to, const sc_warning_row *w)
{
    if (grow((void **)&s->lost, &s->cap_lost, s->n_lost + 1, sizeof *s->lost) != 0)
        return MWDS_ENOMEM;
    s->lost[s->n_lost++] = (sc_lost){origin, to, w->id, w->p.kind};
    return MWDS_OK;
}

static mwds_err count_lost(mwds_score *s)
{
    /* per journal, the (origin, id) of every received warning, sorted */
    uint64_t **rx = calloc(s->n_journals, sizeof *rx);
    size_t *n_rx = calloc(s->n_journals, sizeof *n_rx);
    mwds_err e = MWDS_OK;
    if (rx == NULL || n_rx == NULL) {
        e = MWDS_ENOMEM;
        goto done;
    }
    for (size_t a = 0; a < s->n_journals; a++) {
        const sc_journal *j = &s->journals[a];
        rx[a] = malloc((j->n_wr ? j->n_wr : 1) * sizeof **rx);
        if (rx[a] == NULL) {
            e = MWDS_ENOMEM;
            goto done;
        }
        for (size_t i = 0; i < j->n_wr; i++)
            if (!j->wr[i].own)
                rx[a][n_rx[a]++] = ((uint64_t)j->wr[i].origin << 32) | j->wr[i].id;
        qsort(rx[a], n_rx[a], sizeof **rx, cmp_u64);
    }
    for (size_t a = 0; a < s->n_journals; a++) {
        const sc_journal *j = &s->journals[a];
        for (size_t i = 0; i < j->n_wr; i++) {
            const sc_warning_row *w = &j->wr[i];
            if (!w->own || !w->has_partition || w->revision != 0)
                continue;
            for (size_t b = 0; b < s->n_nations; b++) {
                if ((int)b == j->nation || !(w->recipients & (1u << b)))
                    continue;
                int jb = s->nations[b].journal;
                if (jb < 0) {
                    s->warnings_unchecked++;
                    continue;
                }
                s->warnings_checked++;
                uint64_t key = ((uint64_t)j->nation << 32) | w->id;
                if (bsearch(&key, rx[jb], n_rx[jb], sizeof key, cmp_u64) == NULL) {
                    s->warnings_lost++;
                    if ((e = add_lost(s, j->nation, (int)b, w)) != MWDS_OK)
                        goto done;
                }
            }
        }
    }
done:
    if (rx != NULL)
        for (size_t a = 0; a < s->n_journals; a++)
            free(rx[a]);
    free(rx);
    free(n_rx);
    return e;
}

/* What two rows of one journal must share to be one warning: the content
 * (kind, track, issue and event times, area) or the id; both within one
 * direction and origin. */
typedef struct dup_key {
    int own, origin, kind;
    uint32_t track, id;
    int64_t issued_ns, event_ms;
    const char *area;
    size_t row;
} dup_key;

static int cmp_content(const void *pa, const void *pb)
{
    const dup_key *a = pa, *b = pb;
    if (a->own != b->own)
        return a->own - b->own;
    if (a->origin != b->origin)
        return a->origin - b->origin;
    if (a->kind != b->kind)
        return a->kind - b->kind;
    if (a->track != b->track)
        return a->track < b->track ? -1 : 1;
    if (a->issued_ns != b->issued_ns)
        return a->issued_ns < b->issued_ns ? -1 : 1;
    if (a->event_ms != b->event_ms)
        return a->event_ms < b->event_ms ? -1 : 1;
    return strcmp(a->area, b->area);
}

static int cmp_ident(const void *pa, const void *pb)
{
    const dup_key *a = pa, *b = pb;
    if (a->own != b->own)
        return a->own - b->own;
    if (a->origin != b->origin)
        return a->origin - b->origin;
    return (a->id > b->id) - (a->id < b->id);
}

static size_t uf_find(size_t *parent, size_t x)
{
    while (parent[x] != x) {
        parent[x] = parent[parent[x]];
        x = parent[x];
    }
    return x;
}

/* Rows minus distinct warnings, where two rows of one journal and
 * direction are one warning if they have the same content or the same
 * origin and id (union-find over both groupings). */
static mwds_err count_duplicated(mwds_score *s)
{
    for (size_t a = 0; a < s->n_journals; a++) {
        const sc_journal *j = &s->journals[a];
        size_t n = j->n_wr;
        if (n < 2)
            continue;
        dup_key *k = malloc(n * sizeof *k);
        size_t *parent = malloc(n * sizeof *parent);
        if (k == NULL || parent == NULL) {
            free(k);
            free(parent);
            return MWDS_ENOMEM;
        }
        for (size_t i = 0; i < n; i++) {
            const sc_warning_row *w = &j->wr[i];
            parent[i] = i;
            k[i] = (dup_key){w->own,    w->origin,   w->p.kind, w->p.track,
                             w->id,     w->issued_ns, (int64_t)llround(w->p.event_t_s * 1e3),
                             w->p.area, i};
        }
        for (int pass = 0; pass < 2; pass++) {
            int (*cmp)(const void *, const void *) = pass == 0 ? cmp_content : cmp_ident;
            qsort(k, n, sizeof *k, cmp);
            for (size_t i = 1; i < n; i++)
                if (cmp(&k[i - 1], &k[i]) == 0)
                    parent[uf_find(parent, k[i].row)] = uf_find(parent, k[i - 1].row);
        }
        size_t roots = 0;
        for (size_t i = 0; i < n; i++)
            roots += uf_find(parent, i) == i;
        s->warnings_duplicated += (int64_t)(n - roots);
        free(k);
        free(parent);
    }
    return MWDS_OK;
}

/* ---- the whole ---- */

void mwds_score_destroy(mwds_score *s)
{
    if (s == NULL)
        return;
    for (size_t i = 0; i < s->n_truth; i++) {
        free(s->truth[i].gt_lat);
        free(s->truth[i].gt_lon);
    }
    free(s->truth);
    for (size_t a = 0; a < s->n_journals; a++) {
        sc_journal *j = &s->journals[a];
        free(j->path);
        free(j->tr);
        free(j->od);
        free(j->wr);
        free(j->idents);
        free(j->lat_net_ms);
        free(j->lat_chain_ms);
    }
    free(s->journals);
    if (s->cells != NULL)
        for (size_t k = 0; k < s->n_truth * s->n_nations; k++) {
            free(s->cells[k].pip);
            free(s->cells[k].cov);
        }
    free(s->cells);
    for (size_t n = 0; n < s->n_nations; n++) {
        free(s->nations[n].ospa_m);
        free(s->nations[n].n_tracks);
    }
    free(s->lost);
    free(s->pip_final_any_km);
    if (s->have_areas)
        mwds_areas_fini(&s->areas);
    free(s);
}

static int options_ok(const mwds_score_options *o)
{
    return isfinite(o->step_s) && o->step_s > 0.0 && isfinite(o->gate_m) && o->gate_m > 0.0 &&
           isfinite(o->ospa_c_m) && o->ospa_c_m > 0.0 && isfinite(o->ospa_p) &&
           o->ospa_p >= 1.0 && isfinite(o->max_age_s) && o->max_age_s > 0.0 &&
           isfinite(o->max_delay_s) && o->max_delay_s > 0.0 && isfinite(o->window_s) &&
           o->window_s > 0.0;
}

static mwds_err compute(mwds_score *s, const mwds_scenario *sc, const char *const *paths,
                        size_t n_paths, char *err, size_t err_len)
{
    mwds_sim *sim = NULL;
    mwds_err e = mwds_sim_create(sc, &sim, err, err_len);
    if (e != MWDS_OK)
        return e;
    if ((e = load_truth(s, sc, sim)) != MWDS_OK)
        goto done;
    s->journals = calloc(n_paths, sizeof *s->journals);
    if (s->journals == NULL) {
        e = MWDS_ENOMEM;
        goto done;
    }
    for (size_t a = 0; a < n_paths; a++) {
        sc_journal *j = &s->journals[a];
        s->n_journals = a + 1;
        j->nation = -1;
        j->path = strdup(paths[a]);
        if (j->path == NULL) {
            e = MWDS_ENOMEM;
            goto done;
        }
        if ((e = read_journal(s, j, err, err_len)) != MWDS_OK)
            goto done;
        sc_nation *nat = &s->nations[j->nation];
        if (nat->journal >= 0) {
            mwds_errmsg(err, err_len, "%s: a second journal of %s (the first is %s)", j->path,
                    nat->code, s->journals[nat->journal].path);
            e = MWDS_EPARSE;
            goto done;
        }
        nat->journal = (int)a;
        if ((e = associate_tracks(s, j, sim)) != MWDS_OK)
            goto done;
        for (size_t i = 0; i < j->n_wr; i++)
            associate_warning(s, &j->wr[i], sim);
    }
    if ((e = associate_by_track(s)) != MWDS_OK)
        goto done;
    for (size_t a = 0; a < s->n_journals; a++)
        for (size_t i = 0; i < s->journals[a].n_wr; i++)
            pip_errors(s, &s->journals[a].wr[i]);
    if ((e = cells(s)) != MWDS_OK)
        goto done;
    pip_final(s);
    if ((e = sweep(s)) != MWDS_OK)
        goto done;
    if ((e = count_lost(s)) != MWDS_OK)
        goto done;
    e = count_duplicated(s);
done:
    mwds_sim_destroy(sim);
    if (e == MWDS_ENOMEM && err != NULL && err_len > 0 && err[0] == '\0')
        mwds_errmsg(err, err_len, "out of memory");
    return e;
}

mwds_err mwds_score_compute_opts(const char *scenario_path, const char *const *journal_paths,
                                 size_t n_journals, const mwds_score_options *opt,
                                 mwds_score **out, char *err, size_t err_len)
{
    if (err != NULL && err_len > 0)
        err[0] = '\0';
    mwds_score_options o;
    if (opt != NULL)
        o = *opt;
    else
        mwds_score_options_default(&o);
    if (scenario_path == NULL || out == NULL || (journal_paths == NULL && n_journals > 0)) {
        mwds_errmsg(err, err_len, "score: missing arguments");
        return MWDS_EINVAL;
    }
    if (n_journals == 0) {
        mwds_errmsg(err, err_len, "score: no journal to score");
        return MWDS_EINVAL;
    }
    for (size_t a = 0; a < n_journals; a++)
        if (journal_paths[a] == NULL) {
            mwds_errmsg(err, err_len, "score: journal %zu: no path", a + 1);
            return MWDS_EINVAL;
        }
    if (!options_ok(&o)) {
        mwds_errmsg(err, err_len,
                "score: options: each must be finite and > 0, and the OSPA order >= 1");
        return MWDS_EINVAL;
    }
    mwds_scenario sc;
    memset(&sc, 0, sizeof sc);
    mwds_err e = mwds_scenario_load(scenario_path, &sc, err, err_len);
    if (e != MWDS_OK)
        return e;
    if (sc.n_nations > SCORE_MAX_NATIONS) {
        mwds_errmsg(err, err_len, "%s: nations: at most %d can be scored", scenario_path,
                SCORE_MAX_NATIONS);
        mwds_scenario_fini(&sc);
        return MWDS_ERANGE;
    }
    mwds_score *s = calloc(1, sizeof *s);
    if (s == NULL) {
        mwds_scenario_fini(&sc);
        mwds_errmsg(err, err_len, "out of memory");
        return MWDS_ENOMEM;
    }
    s->opt = o;
    s->opt.areas_path = NULL; /* the caller's string is not kept */
    snprintf(s->scenario_path, sizeof s->scenario_path, "%s", scenario_path);
    snprintf(s->name, sizeof s->name, "%s", sc.name);
    s->exercise = sc.exercise;
    s->start_ns = sc.start_t_ns;
    s->duration_s = sc.duration_s;
    s->n_nations = sc.n_nations;
    for (size_t n = 0; n < sc.n_nations; n++) {
        memcpy(s->nations[n].code, sc.nations[n].code, sizeof s->nations[n].code);
        s->nations[n].journal = -1;
    }
    e = compute(s, &sc, journal_paths, n_journals, err, err_len);
    mwds_scenario_fini(&sc);
    if (e != MWDS_OK) {
        mwds_score_destroy(s);
        return e;
    }
    /* coastlines for the map: optional, so a missing or bad file only
     * leaves them out */
    const char *areas = o.areas_path != NULL ? o.areas_path : MWDS_AREAS_FILE;
    if (areas[0] != '\0' && mwds_areas_load(areas, &s->areas, NULL, 0) == MWDS_OK)
        s->have_areas = 1;
    *out = s;
    return MWDS_OK;
}

mwds_err mwds_score_compute(const char *scenario_path, const char *const *journal_paths,
                            size_t n_journals, mwds_score **out, char *err, size_t err_len)
{
    return mwds_score_compute_opts(scenario_path, journal_paths, n_journals, NULL, out, err,
                                   err_len);
}

/* ---- figures ---- */

int64_t mwds_score_warnings_lost(const mwds_score *s)
{
    return s ? s->warnings_lost : 0;
}

int64_t mwds_score_warnings_duplicated(const mwds_score *s)
{
    return s ? s->warnings_duplicated : 0;
}

size_t mwds_score_n_launches(const mwds_score *s)
{
    return s ? s->n_truth : 0;
}

size_t mwds_score_n_nations(const mwds_score *s)
{
    return s ? s->n_nations : 0;
}

const char *mwds_score_launch_id(const mwds_score *s, size_t launch)
{
    return s && launch < s->n_truth ? s->truth[launch].id : NULL;
}

const char *mwds_score_nation_code(const mwds_score *s, size_t nation)
{
    return s && nation < s->n_nations ? s->nations[nation].code : NULL;
}

int mwds_score_nation_has_journal(const mwds_score *s, size_t nation)
{
    return s && nation < s->n_nations && s->nations[nation].journal >= 0;
}

static mwds_err cell_value(const mwds_score *s, size_t launch, size_t nation, int which,
                           double *out)
{
    if (s == NULL || out == NULL || launch >= s->n_truth || nation >= s->n_nations)
        return MWDS_ERANGE;
    const sc_cell *c = sc_cell_at(s, launch, nation);
    double v = which == 0 ? c->first_track_s : which == 1 ? c->first_warning_s : c->pip_final_km;
    if (isnan(v))
        return MWDS_ENOTFOUND;
    *out = v;
    return MWDS_OK;
}

mwds_err mwds_score_first_track_s(const mwds_score *s, size_t launch, size_t nation,
                                  double *s_out)
{
    return cell_value(s, launch, nation, 0, s_out);
}

mwds_err mwds_score_first_warning_s(const mwds_score *s, size_t launch, size_t nation,
                                    double *s_out)
{
    return cell_value(s, launch, nation, 1, s_out);
}

mwds_err mwds_score_pip_error_final_km(const mwds_score *s, size_t launch, size_t nation,
                                       double *km)
{
    return cell_value(s, launch, nation, 2, km);
}

mwds_err mwds_score_siap(const mwds_score *s, size_t nation, mwds_siap_result *out)
{
    if (s == NULL || out == NULL || nation >= s->n_nations)
        return MWDS_ERANGE;
    if (s->nations[nation].journal < 0)
        return MWDS_ENOTFOUND;
    *out = s->nations[nation].siap;
    return MWDS_OK;
}

mwds_err mwds_score_ospa_mean_m(const mwds_score *s, size_t nation, double *m)
{
    if (s == NULL || m == NULL || nation >= s->n_nations)
        return MWDS_ERANGE;
    if (s->nations[nation].journal < 0)
        return MWDS_ENOTFOUND;
    *m = s->nations[nation].ospa_mean_m;
    return MWDS_OK;
}

double mwds_score_commonality(const mwds_score *s)
{
    if (s == NULL || s->common_held == 0)
        return 1.0;
    return (double)s->common_common / (double)s->common_held;
}
