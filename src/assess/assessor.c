/*
 * The assessor: per-track assessments and the warning rules; see assess.h.
 *
 * Rules, per track:
 *   LAUNCH             at the first assessment of a confirmed track.
 *   IMPACT_PREDICTION  once the track is ballistic (a boosting missile's
 *                      instantaneous impact point runs short of where it
 *                      will land), then again when the set of threatened
 *                      areas changes, or the predicted impact moves by more
 *                      than reissue_m or the ellipse's major axis. The first
 *                      ballistic assessment sets the areas; after it an area
 *                      joins the set after `hysteresis` assessments in a row
 *                      whose ellipse reaches it, and leaves after as many
 *                      that do not: a prediction near a coast does not flip.
 *   OVERFLIGHT         once per area, for a ballistic track whose mean
 *                      trajectory will enter the area (its ground track,
 *                      sampled every 2 s) and is not over it now.
 *   IMPACT             the track left the pool within 60 s (plus 3 sigma)
 *                      of its predicted impact.
 *   CANCEL             the track left the pool without ever looking like a
 *                      missile: never ballistic, and never faster than
 *                      1 km/s or fewer than 10 measurements.
 *   END                any other end of a track.
 * A track that ends because the tracker merged it into another (a duplicate
 * pruned; its number vanishes) ends quietly: the other track carries on.
 *
 * Memory: the record table is sized at create; an update allocates only the
 * flights' trajectories (in the flight model).
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mwds/assess.h"

#define GROUND_STEP_S 2.0
#define IMPACT_SLACK_S 60.0

typedef struct record {
    uint32_t number;              /* 0: free */
    int seen;                     /* present in the pool at the last update */
    int64_t t_assessed_ns;        /* the track time last assessed */
    int64_t last_update_ns;       /* the track's latest measurement then */
    int launch_warned;
    int impact_warned;
    mwds_lla last_issued_centre;
    int ever_ballistic;
    int ever_assessed_ballistic;
    int n_assessed;
    int has_launch;
    int launch_tried_ballistic;   /* from a ballistic state (whatever came of it) */
    mwds_launch_sighting first;   /* the track at its first assessment */
    mwds_ellipse launch;
    int64_t launch_t_ns;
    double launch_t_sigma_s;
    double max_speed;
    int hits;
    /* hysteresis over areas: counts of assessments in a row in and out */
    int in_count[MWDS_ASSESS_MAX_AREAS * 4];
    int out_count[MWDS_ASSESS_MAX_AREAS * 4];
    unsigned char stable[MWDS_ASSESS_MAX_AREAS * 4];
    unsigned char overflight_warned[MWDS_ASSESS_MAX_AREAS * 4];
    mwds_assessment latest;
    int has_latest;
} record;

/* A track due for assessment in this call. */
typedef struct due_track {
    int slot;
    record *r;
    int urgent; /* not assessed yet, or no LAUNCH warning yet */
} due_track;

struct mwds_assessor {
    mwds_assessor_config c;
    record *rec;
    due_track *due; /* max_tracks */
    int skipped;    /* due tracks the last call left for the next */
    uint32_t next_id;
    size_t n_areas_tracked;       /* areas with hysteresis slots (the first ones) */
    int *ov_state;                /* overflight scratch, one per area */
    int64_t *ov_entry;
};

const char *mwds_warning_kind_name(mwds_warning_kind k)
{
    static const char *const names[] = {"LAUNCH", "IMPACT_PREDICTION", "OVERFLIGHT",
                                        "IMPACT", "END", "CANCEL"};
    return (unsigned)k < sizeof names / sizeof names[0] ? names[k] : "UNKNOWN";
}

void mwds_assessor_config_default(mwds_assessor_config *c)
{
    memset(c, 0, sizeof *c);
    c->exercise = 1;
    c->max_tracks = 256;
    c->min_interval_s = 2.0;
    c->hysteresis = 2;
    c->reissue_m = 50e3;
    c->invbeta_mean = MWDS_INVBETA_PRIOR_MEAN;
    c->invbeta_sigma = MWDS_INVBETA_PRIOR_SIGMA;
}

mwds_err mwds_assessor_create(const mwds_assessor_config *c, mwds_assessor **out)
{
    if (c == NULL || out == NULL || c->areas == NULL || c->max_tracks < 1 ||
        c->max_tracks > 100000 || !(c->min_interval_s >= 0.0) || c->max_assessments < 0 ||
        c->hysteresis < 1 ||
        !(c->reissue_m > 0.0) || !(c->invbeta_sigma > 0.0) ||
        memchr(c->origin, '\0', sizeof c->origin) == NULL || c->origin[0] == '\0')
        return MWDS_EINVAL;
    mwds_assessor *a = calloc(1, sizeof *a);
    if (a == NULL)
        return MWDS_ENOMEM;
    size_t na = c->areas->n ? c->areas->n : 1;
    a->rec = calloc((size_t)c->max_tracks, sizeof *a->rec);
    a->due = calloc((size_t)c->max_tracks, sizeof *a->due);
    a->ov_state = calloc(na, sizeof *a->ov_state);
    a->ov_entry = calloc(na, sizeof *a->ov_entry);
    if (a->rec == NULL || a->due == NULL || a->ov_state == NULL || a->ov_entry == NULL) {
        mwds_assessor_destroy(a);
        return MWDS_ENOMEM;
    }
    a->c = *c;
    a->next_id = c->first_warning_id ? c->first_warning_id : 1;
    a->n_areas_tracked = c->areas->n < MWDS_ASSESS_MAX_AREAS * 4 ? c->areas->n
                                                                 : MWDS_ASSESS_MAX_AREAS * 4;
    *out = a;
    return MWDS_OK;
}

void mwds_assessor_destroy(mwds_assessor *a)
{
    if (a == NULL)
        return;
    free(a->rec);
    free(a->due);
    free(a->ov_state);
    free(a->ov_entry);
    free(a);
}

static int cmp_due(const void *pa, const void *pb)
{
    const due_track *x = pa, *y = pb;
    if (x->urgent != y->urgent)
        return x->urgent ? -1 : 1;
    if (x->r->t_assessed_ns != y->r->t_assessed_ns)
        return x->r->t_assessed_ns < y->r->t_assessed_ns ? -1 : 1;
    return (x->slot > y->slot) - (x->slot < y->slot);
}

int mwds_assessor_skipped(const mwds_assessor *a)
{
    return a ? a->skipped : 0;
}

static record *find(const mwds_assessor *a, uint32_t number)
{
    for (int i = 0; i < a->c.max_tracks; i++)
        if (a->rec[i].number == number)
            return &a->rec[i];
    return NULL;
}

const mwds_assessment *mwds_assessor_latest(const mwds_assessor *a, uint32_t track_number)
{
    const record *r = track_number ? find(a, track_number) : NULL;
    return r != NULL && r->has_latest ? &r->latest : NULL;
}

/* Issues a warning into out if there is room (returns 1); otherwise counts
 * it in *pending and returns 0, and the rule fires again next time. */
static int issue(mwds_assessor *a, mwds_warning_kind kind, const record *r, int64_t t_ns,
                  int64_t event_ns, const char *area, mwds_warning *out, int max, int *n,
                  int *pending)
{
    if (*n >= max) {
        (*pending)++;
        return 0;
    }
    mwds_warning *w = &out[(*n)++];
    memset(w, 0, sizeof *w);
    w->id = a->next_id++;
    memcpy(w->origin, a->c.origin, sizeof w->origin);
    w->kind = kind;
    w->exercise = a->c.exercise != 0;
    w->issued_t_ns = t_ns;
    w->event_t_ns = event_ns;
    if (area != NULL)
        snprintf(w->area, sizeof w->area, "%s", area);
    w->track_number = r->number;
    if (r->has_latest)
        w->basis = r->latest;
    return 1;
}

/* The mean 1/beta of the catalogue's re-entry vehicles of a class; 0 if
 * the catalogue has none. */
static int class_invbeta(mwds_class_kind kind, double *k)
{
    size_t n;
    const mwds_missile_class *cat = mwds_catalogue(&n);
    double sum = 0.0;
    int m = 0;
    for (size_t i = 0; i < n; i++)
        if (cat[i].kind == kind && cat[i].rv_beta_kg_m2 > 0.0) {
            sum += 1.0 / cat[i].rv_beta_kg_m2;
            m++;
        }
    if (m == 0)
        return 0;
    *k = sum / m;
    return 1;
}

/* Areas the mean trajectory's ground track will enter after now. The
 * ground track is sampled once (every 2 s, and at impact) and each sample
 * tested against every area; ov_state holds each area's state (-1 before
 * the first sample, 1 inside, 0 outside, 2 entered) and ov_entry its entry
 * time. The result lists areas in the areas' order. */
static void overflight(mwds_assessor *a, const mwds_traj *tr, mwds_assessment *as)
{
    const mwds_areas *areas = a->c.areas;
    as->n_overflown = 0;
    if (tr->n < 2)
        return;
    for (size_t k = 0; k < areas->n; k++)
        a->ov_state[k] = -1;
    for (double t = 0.0;; t += GROUND_STEP_S) {
        int last = t >= tr->sum.flight_time_s;
        double ts = last ? tr->sum.flight_time_s : t;
        mwds_vec3 p, v;
        mwds_lla lla;
        if (mwds_traj_state(tr, ts, &p, &v) != MWDS_OK ||
            mwds_geo_ecef_to_lla(p, &lla) != MWDS_OK)
            break;
        for (size_t k = 0; k < areas->n; k++) {
            if (a->ov_state[k] == 2)
                continue;
            int in = mwds_area_contains(&areas->areas[k], lla);
            if (a->ov_state[k] == 0 && in) {
                a->ov_state[k] = 2;
                a->ov_entry[k] = tr->launch_t_ns + mwds_time_from_s(ts);
            } else {
                a->ov_state[k] = in;
            }
        }
        if (last)
            break;
    }
    for (size_t k = 0; k < areas->n && as->n_overflown < MWDS_ASSESS_MAX_AREAS; k++)
        if (a->ov_state[k] == 2) {
            snprintf(as->overflown[as->n_overflown], MWDS_AREA_CODE_LEN, "%s",
                     areas->areas[k].code);
            as->overflight_t_ns[as->n_overflown] = a->ov_entry[k];
            as->n_overflown++;
        }
}

/* One assessment of a track into r->latest. */
static mwds_err assess(mwds_assessor *a, const mwds_track *tr, record *r)
{
    mwds_assessment as;
    memset(&as, 0, sizeof as);
    as.track_number = tr->number;
    as.t_ns = tr->f.t_ns;
    mwds_vec3 pos = mwds_v3(tr->f.x.v[0], tr->f.x.v[1], tr->f.x.v[2]);
    mwds_vec3 vel = mwds_v3(tr->f.x.v[3], tr->f.x.v[4], tr->f.x.v[5]);
    mwds_err e = mwds_geo_ecef_to_lla(pos, &as.position);
    if (e != MWDS_OK)
        return e;
    as.speed_m_s = mwds_v3_norm(vel);
    as.ballistic = tr->f.model == MWDS_MODEL_BALLISTIC;
    as.has_class = mwds_assess_class(pos, vel, &as.cls) == MWDS_OK;
    /* launch point: every assessment while the track boosts (each brings the
     * state nearer the pad); from a ballistic state once, then every fifth
     * assessment (the backward flight costs more, and adds little). Where
     * the track was first seen tells apart the classes that fit a state
     * after burnout. */
    if (r->n_assessed == 0) {
        r->first.t_ns = tr->f.t_ns;
        r->first.pos_ecef = pos;
        for (int i = 0; i < 3; i++)
            for (int j = 0; j < 3; j++)
                r->first.cov.m[i][j] = tr->f.p.m[i][j];
    }
    if (a->c.templates != NULL &&
        (!as.ballistic || !r->launch_tried_ballistic || (r->n_assessed % 5) == 0)) {
        r->launch_tried_ballistic |= as.ballistic;
        mwds_ellipse le;
        int64_t lt_ns;
        double lsig;
        if (mwds_assess_launch_seen(a->c.templates, &tr->f, &r->first, &le, &lt_ns, &lsig) ==
            MWDS_OK) {
            r->launch = le;
            r->launch_t_ns = lt_ns;
            r->launch_t_sigma_s = lsig;
            r->has_launch = 1;
        }
    }
    r->n_assessed++;
    if (r->has_launch) {
        as.has_launch = 1;
        as.launch = r->launch;
        as.launch_t_ns = r->launch_t_ns;
        as.launch_t_sigma_s = r->launch_t_sigma_s;
    }
    /* While no air has touched the track, its 1/beta is the tracker's prior,
     * one number for every missile; the class the energy gives knows better:
     * the catalogue's re-entry vehicles of that class, +-30 %. */
    mwds_filter_state f = tr->f;
    double k_mean = a->c.invbeta_mean, k_sigma = a->c.invbeta_sigma;
    if (as.has_class && class_invbeta(as.cls.kind, &k_mean)) {
        k_sigma = 0.3 * k_mean;
        if (f.model == MWDS_MODEL_BALLISTIC &&
            f.p.m[6][6] > 0.5 * a->c.invbeta_sigma * a->c.invbeta_sigma) {
            f.x.v[6] = k_mean;
            for (int i = 0; i < 7; i++)
                f.p.m[6][i] = f.p.m[i][6] = 0.0;
            f.p.m[6][6] = k_sigma * k_sigma;
        }
    }
    mwds_traj mean;
    memset(&mean, 0, sizeof mean);
    if (mwds_assess_impact(&f, k_mean, k_sigma, &as.impact, &mean) == MWDS_OK) {
        as.has_impact = 1;
        if (as.ballistic)
            overflight(a, &mean, &as);
        mwds_traj_fini(&mean);
    }
    /* threatened areas with hysteresis, on ballistic assessments only: a
     * boosting missile's instantaneous impact point sweeps across whatever
     * lies short of its real aim. The first ballistic assessment takes its
     * areas as they are; later ones change them only after `hysteresis`
     * assessments in a row agree. */
    const mwds_areas *areas = a->c.areas;
    int first = as.ballistic && !r->ever_assessed_ballistic;
    for (size_t k = 0; k < a->n_areas_tracked && as.ballistic; k++) {
        int hit = as.has_impact && mwds_area_intersects_ellipse(&areas->areas[k],
                                                                 &as.impact.ellipse);
        if (hit) {
            r->in_count[k]++;
            r->out_count[k] = 0;
            if (first || r->in_count[k] >= a->c.hysteresis)
                r->stable[k] = 1;
        } else {
            r->out_count[k]++;
            r->in_count[k] = 0;
            if (first || r->out_count[k] >= a->c.hysteresis)
                r->stable[k] = 0;
        }
        if (r->stable[k] && as.n_threatened < MWDS_ASSESS_MAX_AREAS)
            snprintf(as.threatened[as.n_threatened++], MWDS_AREA_CODE_LEN, "%s",
                     areas->areas[k].code);
    }
    r->ever_assessed_ballistic |= as.ballistic;
    r->latest = as;
    r->has_latest = 1;
    return MWDS_OK;
}

static int same_areas(const mwds_assessment *x, const mwds_assessment *y)
{
    if (x->n_threatened != y->n_threatened)
        return 0;
    for (int i = 0; i < x->n_threatened; i++)
        if (strcmp(x->threatened[i], y->threatened[i]) != 0)
            return 0;
    return 1;
}

mwds_err mwds_assessor_update(mwds_assessor *a, const mwds_track *tracks, int n_slots,
                              int64_t t_ns, mwds_warning *out, int max, int *n)
{
    if (a == NULL || n == NULL || max < 0 || (max > 0 && out == NULL) || n_slots < 0 ||
        (n_slots > 0 && tracks == NULL))
        return MWDS_EINVAL;
    int count = 0, pending = 0, n_due = 0;
    for (int i = 0; i < a->c.max_tracks; i++)
        a->rec[i].seen = 0;
    for (int i = 0; i < n_slots; i++) {
        const mwds_track *tr = &tracks[i];
        if (tr->status != MWDS_TRACK_CONFIRMED || tr->number == 0)
            continue;
        record *r = find(a, tr->number);
        if (r == NULL) {
            r = find(a, 0);
            if (r == NULL)
                continue; /* table full: the track is not assessed */
            memset(r, 0, sizeof *r);
            r->number = tr->number;
        }
        r->seen = 1;
        r->hits = tr->hits;
        r->ever_ballistic |= tr->f.model == MWDS_MODEL_BALLISTIC;
        double sp = sqrt(tr->f.x.v[3] * tr->f.x.v[3] + tr->f.x.v[4] * tr->f.x.v[4] +
                         tr->f.x.v[5] * tr->f.x.v[5]);
        if (sp > r->max_speed)
            r->max_speed = sp;
        int urgent = !r->has_latest || !r->launch_warned;
        if (urgent || (tr->t_update_ns > r->last_update_ns &&
                       mwds_time_to_s(tr->f.t_ns - r->t_assessed_ns) >= a->c.min_interval_s)) {
            if (n_due < a->c.max_tracks)
                a->due[n_due++] = (due_track){i, r, urgent};
        }
    }
    /* with a budget, the most urgent first: tracks not yet warned of, then
     * the longest since assessed; the rest wait for the next call */
    a->skipped = 0;
    if (a->c.max_assessments > 0 && n_due > a->c.max_assessments) {
        qsort(a->due, (size_t)n_due, sizeof *a->due, cmp_due);
        a->skipped = n_due - a->c.max_assessments;
        n_due = a->c.max_assessments;
    }
    for (int d = 0; d < n_due; d++) {
        const mwds_track *tr = &tracks[a->due[d].slot];
        record *r = a->due[d].r;
        mwds_assessment prev = r->latest;
        int had = r->has_latest;
        if (assess(a, tr, r) != MWDS_OK)
            continue;
        r->t_assessed_ns = tr->f.t_ns;
        r->last_update_ns = tr->t_update_ns;
        const mwds_assessment *as = &r->latest;
        if (!r->launch_warned)
            r->launch_warned = issue(a, MWDS_WARN_LAUNCH, r, t_ns,
                                     as->has_launch ? as->launch_t_ns : tr->t_init_ns, NULL, out,
                                     max, &count, &pending);
        if (as->ballistic && as->has_impact) {
            double moved = 0.0;
            if (r->impact_warned)
                mwds_geo_inverse(r->last_issued_centre, as->impact.ellipse.centre, &moved, NULL,
                                 NULL);
            double limit = fmax(a->c.reissue_m, as->impact.ellipse.semi_major_m);
            if ((!r->impact_warned || !had || !same_areas(&prev, as) || moved > limit) &&
                issue(a, MWDS_WARN_IMPACT_PREDICTION, r, t_ns, as->impact.t_ns, NULL, out, max,
                      &count, &pending)) {
                r->impact_warned = 1;
                r->last_issued_centre = as->impact.ellipse.centre;
            }
        }
        for (int k = 0; k < as->n_overflown; k++) {
            const mwds_area *ar = mwds_areas_find(a->c.areas, as->overflown[k]);
            size_t idx = ar != NULL ? (size_t)(ar - a->c.areas->areas) : (size_t)-1;
            if (idx < a->n_areas_tracked && !r->overflight_warned[idx])
                r->overflight_warned[idx] =
                    (unsigned char)issue(a, MWDS_WARN_OVERFLIGHT, r, t_ns, as->overflight_t_ns[k],
                                         ar->code, out, max, &count, &pending);
        }
    }
    /* tracks gone from the pool */
    for (int i = 0; i < a->c.max_tracks; i++) {
        record *r = &a->rec[i];
        if (r->number == 0 || r->seen)
            continue;
        int done = 1, merged = 0;
        for (int k = 0; k < n_slots && !merged; k++)
            merged = tracks[k].status != MWDS_TRACK_FREE && tracks[k].merged_from == r->number;
        if (r->launch_warned && !merged) {
            const mwds_assessment *as = &r->latest;
            double to_impact =
                as->has_impact ? mwds_time_to_s(as->impact.t_ns - t_ns) : INFINITY;
            double slack = IMPACT_SLACK_S + 3.0 * (as->has_impact ? as->impact.t_sigma_s : 0.0);
            if (r->ever_ballistic && as->has_impact && to_impact <= slack)
                done = issue(a, MWDS_WARN_IMPACT, r, t_ns, as->impact.t_ns, NULL, out, max,
                             &count, &pending);
            else if (!r->ever_ballistic && (r->max_speed < 1000.0 || r->hits < 10))
                done = issue(a, MWDS_WARN_CANCEL, r, t_ns, t_ns, NULL, out, max, &count, &pending);
            else
                done = issue(a, MWDS_WARN_END, r, t_ns, t_ns, NULL, out, max, &count, &pending);
        }
        if (done)
            memset(r, 0, sizeof *r);
    }
    *n = count;
    return pending ? MWDS_EFULL : MWDS_OK;
}
