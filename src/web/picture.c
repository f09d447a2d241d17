/*
 * The display's picture: the node's system tracks with their trails, their
 * latest assessments, and the warnings in force, written as one JSON
 * snapshot (docs/display.md gives the schema).
 *
 * Tables, all sized at creation:
 *   slots     one per track held (live or ended), found by number with a
 *             linear search; each has a trail of up to trail_points
 *             positions in one shared block. A trail appends a point when
 *             its step has passed since the last; a full trail keeps every
 *             other point and doubles its step, so it always reaches back
 *             to the track's first position with bounded memory.
 *   warnings  up to max_warnings, each with an order of arrival; the oldest
 *             goes when the table is full.
 * The picture's clock (now_ns) is the newest time it has been given: a
 * track update's or the issue time of one of the node's own warnings. Ended tracks and warnings
 * whose time is up are dropped when a snapshot is written.
 *
 * Units inside: radians and metres (mwds_lla), ECEF states; trails are
 * stored in degrees (floats: a few metres at these latitudes, far below
 * what a display shows). Thread rules: one thread at a time.
 */
#include <ctype.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "jw.h"
#include "mwds/geo.h"
#include "mwds/web.h"

typedef struct pslot {
    uint32_t number; /* 0: free */
    int live;
    int64_t t_end_ns; /* ended tracks: when */
    int64_t t_ns, t_init_ns;
    int model;
    int has_pos; /* a state has given a position */
    mwds_lla pos;
    double vel_enu[3];
    double sigma_m; /* horizontal 1-sigma, largest axis */
    int n_members;
    char m_origin[MWDS_WEB_MAX_ORIGINS][4];
    uint32_t m_number[MWDS_WEB_MAX_ORIGINS];
    int has_assessment;
    mwds_assessment a;
    int n_trail;
    int64_t trail_step_ns, trail_last_ns;
    float *trail; /* 3 per point: lat, lon (degrees), height (m) */
} pslot;

typedef struct pwarn {
    int used;
    int issued; /* by this node */
    int closed; /* its track's IMPACT, END or CANCEL is in (or it is one) */
    int holder; /* carries its group's basis in the snapshot being written */
    int64_t closed_ns;
    uint64_t order;
    mwds_warning w;
} pwarn;

struct mwds_picture {
    mwds_picture_config c;
    pslot *slots;
    float *trails;
    pwarn *warn;
    pwarn **order; /* max_warnings: the snapshot's warnings */
    uint64_t next_order;
    int64_t now_ns;
    mwds_picture_stats st;
    mwds__jw jw;
};

void mwds_picture_config_default(mwds_picture_config *c)
{
    memset(c, 0, sizeof *c);
    c->max_tracks = 512;
    c->trail_points = 64;
    c->trail_step_s = 2.0;
    c->linger_s = 60.0;
    c->max_warnings = 2048;
    c->warning_linger_s = 60.0;
    c->warning_stale_s = 1800.0;
}

static int plain_code(const char *s)
{
    if (s[0] == '\0')
        return 0;
    for (; *s; s++)
        if (!isalnum((unsigned char)*s) && *s != '-' && *s != '_')
            return 0;
    return 1;
}

static int positive(double v)
{
    return isfinite(v) && v > 0 && v < 1e9;
}

mwds_err mwds_picture_create(const mwds_picture_config *c, mwds_picture **out)
{
    if (c == NULL || out == NULL || memchr(c->nation, '\0', sizeof c->nation) == NULL ||
        !plain_code(c->nation) || memchr(c->exercise_name, '\0', sizeof c->exercise_name) == NULL ||
        c->max_tracks < 1 || c->max_tracks > 100000 || c->trail_points < 2 ||
        c->trail_points > 100000 || c->max_warnings < 1 || c->max_warnings > 100000 ||
        !positive(c->trail_step_s) || !positive(c->linger_s) || !positive(c->warning_linger_s) ||
        !positive(c->warning_stale_s))
        return MWDS_EINVAL;
    mwds_picture *p = calloc(1, sizeof *p);
    if (p == NULL)
        return MWDS_ENOMEM;
    p->c = *c;
    p->slots = calloc((size_t)c->max_tracks, sizeof *p->slots);
    p->trails = calloc((size_t)c->max_tracks * (size_t)c->trail_points * 3, sizeof *p->trails);
    p->warn = calloc((size_t)c->max_warnings, sizeof *p->warn);
    p->order = calloc((size_t)c->max_warnings, sizeof *p->order);
    if (p->slots == NULL || p->trails == NULL || p->warn == NULL || p->order == NULL) {
        mwds_picture_destroy(p);
        return MWDS_ENOMEM;
    }
    for (int i = 0; i < c->max_tracks; i++)
        p->slots[i].trail = p->trails + (size_t)i * (size_t)c->trail_points * 3;
    mwds__jw_init(&p->jw);
    *out = p;
    return MWDS_OK;
}

void mwds_picture_destroy(mwds_picture *p)
{
    if (p == NULL)
        return;
    mwds__jw_fini(&p->jw);
    free(p->slots);
    free(p->trails);
    free(p->warn);
    free(p->order);
    free(p);
}

/* a - b, saturated: times in warnings come from partners and may be
 * anything */
static int64_t since(int64_t a, int64_t b)
{
    int64_t d;
    if (__builtin_sub_overflow(a, b, &d))
        return b < 0 ? INT64_MAX : INT64_MIN;
    return d;
}

static pslot *find(mwds_picture *p, uint32_t number)
{
    if (number == 0)
        return NULL;
    for (int i = 0; i < p->c.max_tracks; i++)
        if (p->slots[i].number == number)
            return &p->slots[i];
    return NULL;
}

static void slot_free(pslot *s)
{
    float *trail = s->trail;
    memset(s, 0, sizeof *s);
    s->trail = trail;
}

/* A slot for a new track: a free one, else the ended track that ended
 * first; NULL if every slot holds a live track. */
static pslot *slot_new(mwds_picture *p)
{
    pslot *oldest = NULL;
    for (int i = 0; i < p->c.max_tracks; i++) {
        pslot *s = &p->slots[i];
        if (s->number == 0)
            return s;
        if (!s->live && (oldest == NULL || s->t_end_ns < oldest->t_end_ns))
            oldest = s;
    }
    if (oldest != NULL)
        slot_free(oldest);
    return oldest;
}

static void trail_add(mwds_picture *p, pslot *s, int64_t t_ns)
{
    if (s->n_trail > 0 && t_ns >= s->trail_last_ns &&
        since(t_ns, s->trail_last_ns) < s->trail_step_ns)
        return;
    if (s->n_trail == p->c.trail_points) {
        /* keep every other point, so the trail still starts where the
         * track did, at twice the spacing */
        int k = 0;
        for (int i = 0; i < s->n_trail; i += 2, k++)
            memmove(s->trail + 3 * k, s->trail + 3 * i, 3 * sizeof *s->trail);
        s->n_trail = k;
        s->trail_step_ns *= 2;
    }
    float *f = s->trail + 3 * s->n_trail++;
    f[0] = (float)(s->pos.lat_rad * MWDS_RAD2DEG);
    f[1] = (float)(s->pos.lon_rad * MWDS_RAD2DEG);
    f[2] = (float)s->pos.h_m;
    s->trail_last_ns = t_ns;
}

/* Position, velocity (east, north, up) and horizontal sigma from the state. */
static int kinematics(const mwds_track *t, pslot *s)
{
    mwds_vec3 r = {{t->f.x.v[0], t->f.x.v[1], t->f.x.v[2]}};
    mwds_lla lla;
    if (mwds_geo_ecef_to_lla(r, &lla) != MWDS_OK)
        return -1;
    mwds_mat3 rot = mwds_geo_enu_rotation(lla.lat_rad, lla.lon_rad);
    mwds_vec3 v = {{t->f.x.v[3], t->f.x.v[4], t->f.x.v[5]}};
    mwds_vec3 venu = mwds_m3_mul_v3(rot, v);
    /* the east-north block of R P R^T */
    double en[2][2];
    for (int a = 0; a < 2; a++)
        for (int b = 0; b < 2; b++) {
            double sum = 0;
            for (int i = 0; i < 3; i++)
                for (int k = 0; k < 3; k++)
                    sum += rot.m[a][i] * t->f.p.m[i][k] * rot.m[b][k];
            en[a][b] = sum;
        }
    double mid = 0.5 * (en[0][0] + en[1][1]);
    double half = 0.5 * (en[0][0] - en[1][1]);
    double lmax = mid + sqrt(half * half + en[0][1] * en[1][0]);
    s->pos = lla;
    s->has_pos = 1;
    for (int i = 0; i < 3; i++)
        s->vel_enu[i] = venu.v[i];
    s->sigma_m = lmax > 0 ? sqrt(lmax) : 0.0;
    return 0;
}

mwds_err mwds_picture_update_tracks(mwds_picture *p, const mwds_track *tracks, int n_slots,
                                    int64_t t_ns)
{
    if (p == NULL || (tracks == NULL && n_slots > 0))
        return MWDS_EINVAL;
    /* a track not seen now has ended: mark every live one unseen first */
    for (int i = 0; i < p->c.max_tracks; i++)
        if (p->slots[i].live)
            p->slots[i].live = 2;
    for (int k = 0; k < n_slots; k++) {
        const mwds_track *t = &tracks[k];
        if (t->status != MWDS_TRACK_CONFIRMED || t->number == 0)
            continue;
        pslot *s = find(p, t->number);
        if (s == NULL) {
            if ((s = slot_new(p)) == NULL) {
                p->st.tracks_dropped++;
                continue;
            }
            s->number = t->number;
            s->trail_step_ns = mwds_time_from_s(p->c.trail_step_s);
        }
        s->live = 1;
        s->t_end_ns = 0;
        if (kinematics(t, s) != 0)
            continue; /* a state off the Earth: keep the last good one */
        s->t_ns = t->f.t_ns;
        s->t_init_ns = t->t_init_ns;
        s->model = t->f.model;
        trail_add(p, s, t_ns);
    }
    for (int i = 0; i < p->c.max_tracks; i++)
        if (p->slots[i].live == 2) {
            p->slots[i].live = 0;
            p->slots[i].t_end_ns = t_ns;
        }
    if (t_ns > p->now_ns || since(p->now_ns, t_ns) > mwds_time_from_s(p->c.warning_stale_s))
        p->now_ns = t_ns;
    return MWDS_OK;
}

mwds_err mwds_picture_set_members(mwds_picture *p, uint32_t number, const char (*origin)[4],
                                  const uint32_t *member_number, int n)
{
    if (p == NULL || n < 0 || (n > 0 && (origin == NULL || member_number == NULL)))
        return MWDS_EINVAL;
    pslot *s = find(p, number);
    if (s == NULL)
        return MWDS_ENOTFOUND;
    s->n_members = n < MWDS_WEB_MAX_ORIGINS ? n : MWDS_WEB_MAX_ORIGINS;
    for (int i = 0; i < s->n_members; i++) {
        memcpy(s->m_origin[i], origin[i], 4);
        s->m_origin[i][3] = '\0';
        s->m_number[i] = member_number[i];
    }
    return MWDS_OK;
}

mwds_err mwds_picture_set_assessment(mwds_picture *p, uint32_t number, const mwds_assessment *a)
{
    if (p == NULL)
        return MWDS_EINVAL;
    pslot *s = find(p, number);
    if (s == NULL)
        return MWDS_ENOTFOUND;
    s->has_assessment = a != NULL;
    if (a != NULL)
        s->a = *a;
    return MWDS_OK;
}

static int same_track(const mwds_warning *a, const mwds_warning *b)
{
    return a->track_number == b->track_number &&
           strncmp(a->origin, b->origin, sizeof a->origin) == 0;
}

static int closing(mwds_warning_kind k)
{
    return k == MWDS_WARN_IMPACT || k == MWDS_WARN_END || k == MWDS_WARN_CANCEL;
}

mwds_err mwds_picture_add_warning(mwds_picture *p, const mwds_warning *w, int issued)
{
    if (p == NULL || w == NULL || (w->exercise != 0) != (p->c.exercise != 0))
        return MWDS_EINVAL;
    pwarn *oldest = NULL, *free_slot = NULL;
    for (int i = 0; i < p->c.max_warnings; i++) {
        pwarn *h = &p->warn[i];
        if (!h->used) {
            if (free_slot == NULL)
                free_slot = h;
            continue;
        }
        if (h->w.id == w->id && strncmp(h->w.origin, w->origin, sizeof w->origin) == 0)
            return MWDS_OK; /* held already */
        if (oldest == NULL || h->order < oldest->order)
            oldest = h;
    }
    /* what the new warning replaces or closes */
    for (int i = 0; i < p->c.max_warnings; i++) {
        pwarn *h = &p->warn[i];
        if (!h->used || !same_track(&h->w, w))
            continue;
        if (closing(w->kind)) {
            if (!h->closed) {
                h->closed = 1;
                h->closed_ns = w->issued_t_ns;
            }
        } else if (h->w.kind == w->kind && (w->kind != MWDS_WARN_OVERFLIGHT ||
                                            strncmp(h->w.area, w->area, sizeof w->area) == 0)) {
            if (h->w.issued_t_ns > w->issued_t_ns)
                return MWDS_OK; /* a newer one of the kind is held */
            h->used = 0;
            if (free_slot == NULL)
                free_slot = h;
        }
    }
    if (free_slot == NULL) {
        free_slot = oldest;
        p->st.warnings_dropped++;
    }
    pwarn *h = free_slot;
    memset(h, 0, sizeof *h);
    h->used = 1;
    h->issued = issued != 0;
    h->order = ++p->next_order;
    h->w = *w;
    h->w.origin[sizeof h->w.origin - 1] = '\0';
    h->w.area[sizeof h->w.area - 1] = '\0';
    if (closing(w->kind)) {
        h->closed = 1;
        h->closed_ns = w->issued_t_ns;
    }
    /* the node's own warnings carry its picture time; a partner's clock is
     * not the picture's */
    if (issued && w->issued_t_ns > p->now_ns)
        p->now_ns = w->issued_t_ns;
    return MWDS_OK;
}

void mwds_picture_get_stats(const mwds_picture *p, mwds_picture_stats *out)
{
    if (p == NULL || out == NULL)
        return;
    *out = p->st;
    out->live_tracks = out->ended_tracks = out->warnings = 0;
    for (int i = 0; i < p->c.max_tracks; i++) {
        out->live_tracks += p->slots[i].number != 0 && p->slots[i].live;
        out->ended_tracks += p->slots[i].number != 0 && !p->slots[i].live;
    }
    for (int i = 0; i < p->c.max_warnings; i++)
        out->warnings += p->warn[i].used;
}

/* Drops ended tracks and warnings whose time is up. */
static void expire(mwds_picture *p)
{
    const int64_t now = p->now_ns;
    const int64_t linger = mwds_time_from_s(p->c.linger_s);
    const int64_t wlinger = mwds_time_from_s(p->c.warning_linger_s);
    const int64_t stale = mwds_time_from_s(p->c.warning_stale_s);
    for (int i = 0; i < p->c.max_tracks; i++) {
        pslot *s = &p->slots[i];
        if (s->number != 0 && !s->live && since(now, s->t_end_ns) > linger)
            slot_free(s);
    }
    for (int i = 0; i < p->c.max_warnings; i++) {
        pwarn *h = &p->warn[i];
        if (!h->used)
            continue;
        const mwds_assessment *b = &h->w.basis;
        if ((h->closed && since(now, h->closed_ns) > wlinger) ||
            (b->has_impact && since(now, b->impact.t_ns) > wlinger) ||
            (!b->has_impact && since(now, h->w.issued_t_ns) > stale))
            h->used = 0;
    }
}

/* ---- the snapshot ---- */

static void key(mwds__jw *j, const char *k)
{
    mwds__jw_lit(j, ",\"");
    mwds__jw_lit(j, k);
    mwds__jw_lit(j, "\":");
}

static void time_s(mwds__jw *j, int64_t t_ns)
{
    /* seconds since the epoch to the millisecond (a double holds t_ns to
     * about 256 ns, far below that) */
    mwds__jw_num(j, (double)t_ns / 1e9, 3);
}

static void ellipse(mwds__jw *j, const mwds_ellipse *e)
{
    mwds__jw_lit(j, "\"lat\":");
    mwds__jw_num(j, e->centre.lat_rad * MWDS_RAD2DEG, 4);
    key(j, "lon");
    mwds__jw_num(j, mwds_geo_wrap_pi(e->centre.lon_rad) * MWDS_RAD2DEG, 4);
    key(j, "major_m");
    mwds__jw_num(j, e->semi_major_m, 0);
    key(j, "minor_m");
    mwds__jw_num(j, e->semi_minor_m, 0);
    key(j, "az_deg");
    mwds__jw_num(j, e->major_az_rad * MWDS_RAD2DEG, 2);
    key(j, "p");
    mwds__jw_num(j, e->p, 3);
}

static void codes(mwds__jw *j, char (*list)[MWDS_AREA_CODE_LEN], int n)
{
    mwds__jw_lit(j, "[");
    if (n > MWDS_ASSESS_MAX_AREAS)
        n = MWDS_ASSESS_MAX_AREAS;
    for (int i = 0; i < n; i++) {
        char c[MWDS_AREA_CODE_LEN];
        memcpy(c, list[i], sizeof c);
        c[sizeof c - 1] = '\0';
        if (i)
            mwds__jw_lit(j, ",");
        mwds__jw_str(j, c);
    }
    mwds__jw_lit(j, "]");
}

/* The assessment's fields, each preceded by a comma. A warning's basis
 * (full 0) leaves out what the display takes from the tracks (the launch
 * point once there is an impact, the overflights, the apogee): a node in
 * the load exercise holds over a thousand warnings. */
static void assessment(mwds__jw *j, const mwds_assessment *a, int full)
{
    if (full) {
        key(j, "assessed_t_s");
        time_s(j, a->t_ns);
    }
    key(j, "class");
    if (a->has_class && (unsigned)a->cls.kind <= MWDS_CLASS_ICBM) {
        mwds__jw_str(j, mwds_class_kind_name(a->cls.kind));
        key(j, "profile");
        mwds__jw_str(j, mwds_profile_name(a->cls.profile));
    } else {
        mwds__jw_lit(j, "null");
    }
    if (a->has_launch && (full || !a->has_impact)) {
        key(j, "launch");
        mwds__jw_lit(j, "{");
        ellipse(j, &a->launch);
        key(j, "t_s");
        time_s(j, a->launch_t_ns);
        key(j, "t_sigma_s");
        mwds__jw_num(j, a->launch_t_sigma_s, 1);
        mwds__jw_lit(j, "}");
    }
    if (a->has_impact) {
        key(j, "impact");
        mwds__jw_lit(j, "{");
        ellipse(j, &a->impact.ellipse);
        key(j, "t_s");
        time_s(j, a->impact.t_ns);
        key(j, "t_sigma_s");
        mwds__jw_num(j, a->impact.t_sigma_s, 1);
        if (full) {
            key(j, "apogee_m");
            mwds__jw_num(j, a->impact.apogee_m, 0);
        }
        mwds__jw_lit(j, "}");
    }
    key(j, "threatened");
    codes(j, (char(*)[MWDS_AREA_CODE_LEN])a->threatened, a->n_threatened);
    if (!full)
        return;
    key(j, "overflown");
    mwds__jw_lit(j, "[");
    int n = a->n_overflown < MWDS_ASSESS_MAX_AREAS ? a->n_overflown : MWDS_ASSESS_MAX_AREAS;
    for (int i = 0; i < n; i++) {
        char c[MWDS_AREA_CODE_LEN];
        memcpy(c, a->overflown[i], sizeof c);
        c[sizeof c - 1] = '\0';
        mwds__jw_lit(j, i ? ",{\"area\":" : "{\"area\":");
        mwds__jw_str(j, c);
        key(j, "t_s");
        time_s(j, a->overflight_t_ns[i]);
        mwds__jw_lit(j, "}");
    }
    mwds__jw_lit(j, "]");
}

static void track(mwds__jw *j, const pslot *s, uint32_t number_offset)
{
    mwds__jw_lit(j, "{\"number\":");
    mwds__jw_int(j, (int64_t)s->number + number_offset);
    key(j, "origins");
    mwds__jw_lit(j, "[");
    int n_out = 0;
    for (int i = 0; i < s->n_members; i++) {
        int seen = 0;
        for (int k = 0; k < i; k++)
            seen |= strcmp(s->m_origin[k], s->m_origin[i]) == 0;
        if (seen)
            continue;
        if (n_out++)
            mwds__jw_lit(j, ",");
        mwds__jw_str(j, s->m_origin[i]);
    }
    mwds__jw_lit(j, "]");
    key(j, "members");
    mwds__jw_lit(j, "[");
    for (int i = 0; i < s->n_members; i++) {
        mwds__jw_lit(j, i ? ",{\"origin\":" : "{\"origin\":");
        mwds__jw_str(j, s->m_origin[i]);
        key(j, "number");
        mwds__jw_int(j, s->m_number[i]);
        mwds__jw_lit(j, "}");
    }
    mwds__jw_lit(j, "]");
    key(j, "ended");
    mwds__jw_bool(j, !s->live);
    if (!s->live) {
        key(j, "ended_t_s");
        time_s(j, s->t_end_ns);
    }
    key(j, "t_s");
    time_s(j, s->t_ns);
    key(j, "first_t_s");
    time_s(j, s->t_init_ns);
    key(j, "model");
    mwds__jw_str(j, s->model == MWDS_MODEL_BOOST ? "boost" : "ballistic");
    /* no position yet (its first state was off the Earth): null */
    double nan = s->has_pos ? 0.0 : NAN;
    key(j, "lat");
    mwds__jw_num(j, s->pos.lat_rad * MWDS_RAD2DEG + nan, 4);
    key(j, "lon");
    mwds__jw_num(j, mwds_geo_wrap_pi(s->pos.lon_rad) * MWDS_RAD2DEG + nan, 4);
    key(j, "h_m");
    mwds__jw_num(j, s->pos.h_m + nan, 0);
    double ground = hypot(s->vel_enu[0], s->vel_enu[1]);
    double course = atan2(s->vel_enu[0], s->vel_enu[1]) * MWDS_RAD2DEG;
    if (course < 0)
        course += 360.0;
    key(j, "speed_m_s");
    mwds__jw_num(j, sqrt(ground * ground + s->vel_enu[2] * s->vel_enu[2]), 1);
    key(j, "ground_speed_m_s");
    mwds__jw_num(j, ground, 1);
    key(j, "course_deg");
    mwds__jw_num(j, course, 1);
    key(j, "climb_m_s");
    mwds__jw_num(j, s->vel_enu[2], 1);
    key(j, "sigma_m");
    mwds__jw_num(j, s->sigma_m, 0);
    key(j, "trail");
    mwds__jw_lit(j, "[");
    for (int i = 0; i < s->n_trail; i++) {
        const float *f = s->trail + 3 * i;
        if (i)
            mwds__jw_lit(j, ",");
        mwds__jw_num(j, f[0], 3); /* about 100 m: a trail is drawn, not measured */
        mwds__jw_lit(j, ",");
        mwds__jw_num(j, f[1], 3);
        mwds__jw_lit(j, ",");
        mwds__jw_num(j, f[2], 0);
    }
    mwds__jw_lit(j, "]");
    if (s->has_assessment)
        assessment(j, &s->a, 1);
    mwds__jw_lit(j, "}");
}

/* By origin, track, then arrival: the warnings about one track together. */
static int by_group(const void *a, const void *b)
{
    const pwarn *x = *(const pwarn *const *)a, *y = *(const pwarn *const *)b;
    int c = strncmp(x->w.origin, y->w.origin, sizeof x->w.origin);
    if (c != 0)
        return c;
    if (x->w.track_number != y->w.track_number)
        return x->w.track_number < y->w.track_number ? -1 : 1;
    return x->order < y->order ? -1 : x->order > y->order;
}

/* Marks in each group (an origin's warnings about one track) the warning
 * whose basis the snapshot carries: the newest with an impact prediction,
 * else the newest. order[0..n) is sorted by group on return. */
static void mark_holders(pwarn **order, int n)
{
    qsort(order, (size_t)n, sizeof *order, by_group);
    for (int i = 0; i < n;) {
        int k = i, best = -1;
        while (k < n && same_track(&order[k]->w, &order[i]->w)) {
            order[k]->holder = 0;
            if (order[k]->w.basis.has_impact)
                best = k;
            k++;
        }
        order[best >= 0 ? best : k - 1]->holder = 1;
        i = k;
    }
}

static void warning(mwds__jw *j, const pwarn *h)
{
    const mwds_warning *w = &h->w;
    mwds__jw_lit(j, "{\"origin\":");
    mwds__jw_str(j, w->origin);
    key(j, "id");
    mwds__jw_int(j, w->id);
    key(j, "kind");
    mwds__jw_str(j, mwds_warning_kind_name(w->kind)); /* "UNKNOWN" out of range */
    key(j, "issued");
    mwds__jw_bool(j, h->issued);
    key(j, "closed");
    mwds__jw_bool(j, h->closed);
    key(j, "track");
    mwds__jw_int(j, w->track_number);
    key(j, "issued_t_s");
    time_s(j, w->issued_t_ns);
    key(j, "event_t_s");
    time_s(j, w->event_t_ns);
    if (w->kind == MWDS_WARN_OVERFLIGHT) {
        key(j, "area");
        mwds__jw_str(j, w->area);
    }
    key(j, "basis");
    mwds__jw_bool(j, h->holder);
    if (h->holder) {
        key(j, "lat");
        mwds__jw_num(j, w->basis.position.lat_rad * MWDS_RAD2DEG, 4);
        key(j, "lon");
        mwds__jw_num(j, mwds_geo_wrap_pi(w->basis.position.lon_rad) * MWDS_RAD2DEG, 4);
        assessment(j, &w->basis, 0);
    }
    mwds__jw_lit(j, "}");
}

static int by_order(const void *a, const void *b)
{
    const pwarn *x = *(const pwarn *const *)a, *y = *(const pwarn *const *)b;
    return x->order < y->order ? -1 : x->order > y->order;
}

mwds_err mwds_picture_json(mwds_picture *p, int64_t wall_ns, const char **json, size_t *len)
{
    if (p == NULL || json == NULL)
        return MWDS_EINVAL;
    expire(p);
    p->st.snapshots++;
    mwds__jw *j = &p->jw;
    mwds__jw_reset(j);
    mwds__jw_lit(j, "{\"schema\":\"mwds-picture/1\"");
    key(j, "node");
    mwds__jw_str(j, p->c.nation);
    key(j, "exercise");
    mwds__jw_bool(j, p->c.exercise);
    if (p->c.exercise) {
        key(j, "exercise_name");
        mwds__jw_str(j, p->c.exercise_name);
    }
    key(j, "seq");
    mwds__jw_int(j, (int64_t)p->st.snapshots);
    key(j, "picture_t_s");
    time_s(j, p->now_ns);
    key(j, "wall_t_s");
    time_s(j, wall_ns);
    if (p->c.start_t_ns != 0) {
        key(j, "start_t_s");
        time_s(j, p->c.start_t_ns);
    }
    key(j, "tracks");
    mwds__jw_lit(j, "[");
    int n = 0, live = 0;
    for (int i = 0; i < p->c.max_tracks; i++) {
        const pslot *s = &p->slots[i];
        if (s->number == 0)
            continue;
        if (n++)
            mwds__jw_lit(j, ",");
        live += s->live != 0;
        track(j, s, p->c.number_offset);
    }
    mwds__jw_lit(j, "]");
    key(j, "warnings");
    mwds__jw_lit(j, "[");
    /* in order of arrival */
    int nw = 0;
    for (int i = 0; i < p->c.max_warnings; i++)
        if (p->warn[i].used)
            p->order[nw++] = &p->warn[i];
    mark_holders(p->order, nw);
    qsort(p->order, (size_t)nw, sizeof *p->order, by_order);
    for (int i = 0; i < nw; i++) {
        if (i)
            mwds__jw_lit(j, ",");
        warning(j, p->order[i]);
    }
    mwds__jw_lit(j, "]");
    key(j, "stats");
    mwds__jw_lit(j, "{\"live_tracks\":");
    mwds__jw_int(j, live);
    key(j, "tracks_dropped");
    mwds__jw_int(j, (int64_t)p->st.tracks_dropped);
    key(j, "warnings_dropped");
    mwds__jw_int(j, (int64_t)p->st.warnings_dropped);
    mwds__jw_lit(j, "}}");
    if (j->err != MWDS_OK)
        return j->err;
    *json = j->buf;
    if (len != NULL)
        *len = j->len;
    return MWDS_OK;
}
