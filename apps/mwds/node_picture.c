/*
 * The node's picture thread (node.h): fuses the sources the tracking
 * thread hands over, assesses the picture and issues the warnings due;
 * journals each received warning once; remembers what the node has warned
 * about each track, across restarts (cmd_node.c says how).
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "node.h"
#include "node_web.h"
#include "warn_fmt.h"

#define MAX_WARN 64

/* Appends a durable row now (committed before the call returns): the
 * warnings, sent and received. *added (may be NULL) says whether the
 * journal did not hold it already. */
static void journal_json(node_picture *p, const char *topic, mwds_journal_dir dir,
                         const char *origin, uint32_t key, const char *partition, int exercise,
                         int64_t t_sample, int64_t t_send, int64_t t_recv, json_t *payload,
                         int *added)
{
    char k[16];
    snprintf(k, sizeof k, "%u", key);
    char *text = json_dumps(payload, JSON_COMPACT | JSON_REAL_PRECISION(12));
    json_decref(payload);
    if (text == NULL)
        return;
    mwds_journal_row row = {topic,    dir,      origin, k,      0,   partition,
                            exercise, t_sample, t_send, t_recv, text};
    pthread_mutex_lock(p->jlock);
    if (mwds_journal_append(p->j, &row, 1, added) != MWDS_OK)
        fprintf(stderr, "mwds node %s: journal: %s\n", p->cfg->nation, mwds_journal_errmsg(p->j));
    pthread_mutex_unlock(p->jlock);
    free(text);
}

/* ---- what the node has warned about each track (survives a restart) ---- */

/* The assessor's default re-issue distance of an IMPACT_PREDICTION (its
 * reissue_m): a prediction that moved less repeats the last one. */
#define REISSUE_M 50e3

static int has_area(char (*list)[MWDS_AREA_CODE_LEN], int n, const char *code)
{
    for (int i = 0; i < n; i++)
        if (strcmp(list[i], code) == 0)
            return 1;
    return 0;
}

/* Updates what r says has been warned with warning w, issued under r. */
static void note_warning(warned *r, const mwds_warning *w)
{
    const mwds_assessment *b = &w->basis;
    switch (w->kind) {
    case MWDS_WARN_LAUNCH:
        r->launch = 1;
        break;
    case MWDS_WARN_IMPACT_PREDICTION:
        r->impact = 1;
        r->impact_centre = b->impact.ellipse.centre;
        r->impact_major_m = b->impact.ellipse.semi_major_m;
        r->impact_t_ns = b->impact.t_ns;
        r->n_threat =
            b->n_threatened < MWDS_ASSESS_MAX_AREAS ? b->n_threatened : MWDS_ASSESS_MAX_AREAS;
        for (int i = 0; i < r->n_threat; i++)
            snprintf(r->threat[i], sizeof r->threat[i], "%s", b->threatened[i]);
        break;
    case MWDS_WARN_OVERFLIGHT:
        if (!has_area(r->over, r->n_over, w->area) && r->n_over < MWDS_ASSESS_MAX_AREAS)
            snprintf(r->over[r->n_over++], sizeof r->over[0], "%s", w->area);
        break;
    default: /* IMPACT, END, CANCEL: the track is closed */
        r->open = 0;
        break;
    }
}

/* True if w, about a track warned before a restart, says only what the
 * node had already said about it. */
static int already_said(const warned *r, const mwds_warning *w)
{
    if (!r->restored)
        return 0; /* the assessor's own record of the track decides */
    const mwds_assessment *b = &w->basis;
    switch (w->kind) {
    case MWDS_WARN_LAUNCH:
        return r->launch;
    case MWDS_WARN_IMPACT_PREDICTION: {
        if (!r->impact || !b->has_impact || b->n_threatened != r->n_threat)
            return 0;
        for (int i = 0; i < b->n_threatened; i++)
            if (!has_area((char(*)[MWDS_AREA_CODE_LEN])r->threat, r->n_threat, b->threatened[i]))
                return 0;
        double moved = INFINITY;
        mwds_geo_inverse(r->impact_centre, b->impact.ellipse.centre, &moved, NULL, NULL);
        return moved <= fmax(REISSUE_M, b->impact.ellipse.semi_major_m);
    }
    case MWDS_WARN_OVERFLIGHT:
        return has_area((char(*)[MWDS_AREA_CODE_LEN])r->over, r->n_over, w->area);
    default:
        return 0;
    }
}

/* A slot for a new record: a free one or one whose track is closed. */
static warned *warned_slot(node_picture *p)
{
    for (int i = 0; i < NODE_MAX_WARNED; i++)
        if (!p->warned[i].open) {
            memset(&p->warned[i], 0, sizeof p->warned[i]);
            return &p->warned[i];
        }
    return NULL;
}

/* The record of system track sys (whose warning w is due): the one already
 * behind it; else a restored open track it continues (a partner's source
 * track among its members, or failing that the nearest remembered impact
 * within the ellipses and 30 s); else a new record. NULL if the table is
 * full of open tracks. */
static warned *warned_for(node_picture *p, uint32_t sys, const mwds_warning *w)
{
    for (int i = 0; i < NODE_MAX_WARNED; i++)
        if (p->warned[i].number != 0 && p->warned[i].sys == sys)
            return &p->warned[i];
    char mo[NODE_MAX_MEMBERS][MWDS_ORIGIN_LEN];
    uint32_t mn[NODE_MAX_MEMBERS];
    int nm = mwds_fusion_members(p->fz, sys, mo, mn, NODE_MAX_MEMBERS);
    if (nm > NODE_MAX_MEMBERS)
        nm = NODE_MAX_MEMBERS;
    warned *best = NULL;
    double best_d = INFINITY;
    for (int i = 0; i < NODE_MAX_WARNED && best == NULL; i++) {
        warned *r = &p->warned[i];
        if (!r->restored || !r->open || r->sys != 0)
            continue;
        for (int m = 0; m < nm && best == NULL; m++) {
            if (strcmp(mo[m], p->cfg->nation) == 0)
                continue; /* the node's own track numbers changed with the restart */
            for (int k = 0; k < r->n_members; k++)
                if (r->member_number[k] == mn[m] && strcmp(r->member_origin[k], mo[m]) == 0)
                    best = r;
        }
    }
    const mwds_assessment *b = &w->basis;
    for (int i = 0; i < NODE_MAX_WARNED && best == NULL && b->has_impact; i++) {
        warned *r = &p->warned[i];
        if (!r->restored || !r->open || r->sys != 0 || !r->impact)
            continue;
        double d = INFINITY;
        mwds_geo_inverse(r->impact_centre, b->impact.ellipse.centre, &d, NULL, NULL);
        double lim = fmax(10e3, fmax(r->impact_major_m, b->impact.ellipse.semi_major_m));
        if (d <= lim && fabs(mwds_time_to_s(b->impact.t_ns - r->impact_t_ns)) <= 30.0 &&
            d < best_d) {
            best_d = d;
            best = r;
        }
    }
    if (best == NULL && (best = warned_slot(p)) != NULL) {
        best->number = sys + p->sys_base;
        best->open = 1;
    }
    if (best != NULL)
        best->sys = sys;
    return best;
}

static void warned_members(node_picture *p, warned *r)
{
    int nm =
        mwds_fusion_members(p->fz, r->sys, r->member_origin, r->member_number, NODE_MAX_MEMBERS);
    r->n_members = nm < NODE_MAX_MEMBERS ? nm : NODE_MAX_MEMBERS;
}

static double jnum(json_t *o, const char *path0, const char *path1)
{
    json_t *v = json_object_get(o, path0);
    if (path1 != NULL)
        v = json_object_get(v, path1);
    return json_is_number(v) ? json_number_value(v) : 0.0;
}

/* One of the node's own journalled warnings, read back on restart. */
static int restore_row(void *ctx, const mwds_journal_row *row)
{
    node_picture *p = ctx;
    json_t *o = json_loads(row->payload, 0, NULL);
    if (o == NULL)
        return 0;
    mwds_warning w;
    memset(&w, 0, sizeof w);
    const char *kind = json_string_value(json_object_get(o, "kind"));
    for (int k = 0; k <= MWDS_WARN_CANCEL && kind; k++)
        if (strcmp(kind, mwds_warning_kind_name((mwds_warning_kind)k)) == 0)
            w.kind = (mwds_warning_kind)k;
    w.track_number = (uint32_t)jnum(o, "track", NULL);
    const char *area = json_string_value(json_object_get(o, "area"));
    snprintf(w.area, sizeof w.area, "%s", area ? area : "");
    json_t *a = json_object_get(o, "assessment"), *im = json_object_get(a, "impact");
    if (json_is_object(im)) {
        w.basis.has_impact = 1;
        w.basis.impact.ellipse.centre = (mwds_lla){jnum(im, "lat_deg", NULL) * MWDS_DEG2RAD,
                                                   jnum(im, "lon_deg", NULL) * MWDS_DEG2RAD, 0.0};
        w.basis.impact.ellipse.semi_major_m = jnum(im, "semi_major_km", NULL) * 1e3;
        w.basis.impact.t_ns = mwds_time_from_s(jnum(im, "t_s", NULL));
    }
    json_t *th = json_object_get(a, "threatened");
    for (size_t i = 0; i < json_array_size(th) && w.basis.n_threatened < MWDS_ASSESS_MAX_AREAS;
         i++) {
        const char *c = json_string_value(json_array_get(th, i));
        if (c)
            snprintf(w.basis.threatened[w.basis.n_threatened++], MWDS_AREA_CODE_LEN, "%s", c);
    }
    if (w.track_number > p->sys_base)
        p->sys_base = w.track_number;
    warned *r = NULL;
    for (int i = 0; i < NODE_MAX_WARNED && r == NULL; i++)
        if (p->warned[i].number == w.track_number && p->warned[i].restored)
            r = &p->warned[i];
    if (r == NULL && w.track_number != 0 && (r = warned_slot(p)) != NULL) {
        r->number = w.track_number;
        r->restored = 1;
        r->open = 1;
    }
    if (r != NULL) {
        note_warning(r, &w);
        json_t *mem = json_object_get(o, "members");
        if (json_is_array(mem)) {
            r->n_members = 0;
            for (size_t i = 0; i < json_array_size(mem) && r->n_members < NODE_MAX_MEMBERS; i++) {
                const char *m = json_string_value(json_array_get(mem, i));
                const char *colon = m ? strchr(m, ':') : NULL;
                if (colon == NULL || colon - m >= MWDS_ORIGIN_LEN)
                    continue;
                snprintf(r->member_origin[r->n_members], MWDS_ORIGIN_LEN, "%.*s", (int)(colon - m),
                         m);
                r->member_number[r->n_members++] = (uint32_t)strtoul(colon + 1, NULL, 10);
            }
        }
    }
    p->warnings_restored++;
    json_decref(o);
    return 0;
}

/* Fuses the picture, assesses it and issues the warnings due. */
static void assess(node_picture *p)
{
    if (!p->dirty || p->picture_ns == 0)
        return;
    p->dirty = 0;
    p->more_due = 0;
    mwds_err e = mwds_fusion_run(p->fz, p->picture_ns);
    if (e == MWDS_EFULL) /* the picture is whole but for the sources with no slot */
        fprintf(stderr, "mwds node %s: fusion: system track pool full\n", p->cfg->nation);
    else if (e != MWDS_OK) {
        fprintf(stderr, "mwds node %s: fusion: %s\n", p->cfg->nation, mwds_strerror(e));
        return;
    }
    int n_slots, nw = 0;
    const mwds_track *sys = mwds_fusion_tracks(p->fz, &n_slots);
    mwds_warning w[MAX_WARN];
    do {
        e = mwds_assessor_update(p->as, sys, n_slots, p->picture_ns, w, MAX_WARN, &nw);
        if (e != MWDS_OK && e != MWDS_EFULL) {
            fprintf(stderr, "mwds node %s: assessor: %s\n", p->cfg->nation, mwds_strerror(e));
            return;
        }
        int64_t now = mwds_net_now();
        for (int k = 0; k < nw; k++) {
            /* the published track number and id: the node's, which go on
             * across restarts, rather than the fusion's and the assessor's,
             * which start again from 1 */
            warned *r = warned_for(p, w[k].track_number, &w[k]);
            if (r != NULL && already_said(r, &w[k])) {
                p->warnings_withheld++;
                continue;
            }
            w[k].track_number = r != NULL ? r->number : w[k].track_number + p->sys_base;
            w[k].basis.track_number = w[k].track_number;
            w[k].id = p->next_warning_id++;
            json_t *o = warn_json(&w[k], 0);
            json_object_set_new(o, "cause_seq", json_integer((json_int_t)p->cause.seq));
            json_object_set_new(o, "cause_pub_ns", json_integer((json_int_t)p->cause.pub_ns));
            if (r != NULL) {
                warned_members(p, r);
                note_warning(r, &w[k]);
                json_t *mem = json_array();
                for (int m = 0; m < r->n_members; m++) {
                    char text[24];
                    snprintf(text, sizeof text, "%s:%u", r->member_origin[m], r->member_number[m]);
                    json_array_append_new(mem, json_string(text));
                }
                json_object_set_new(o, "members", mem);
            }
            /* journalled (committed) first: a kill before the publication
             * leaves the id used, never given again to another warning */
            journal_json(p, "Warning", MWDS_JOURNAL_SENT, p->cfg->nation, w[k].id,
                         p->warning_partition, w[k].exercise, w[k].issued_t_ns, now, 0, o, NULL);
            if (mwds_net_publish_warning(p->net, &w[k], p->cause) != MWDS_OK)
                fprintf(stderr, "mwds node %s: publishing W%u failed\n", p->cfg->nation, w[k].id);
            atomic_fetch_add(&p->warnings_issued, 1);
            node_web_warning(p->web, &w[k], 1);
            if (!p->quiet) {
                flockfile(stdout);
                printf("mwds node %s: issued    ", p->cfg->nation);
                warn_print(stdout, &w[k], p->start_ns);
                funlockfile(stdout);
            }
        }
    } while (e == MWDS_EFULL);
    /* tracks left due (the assessor's budget per pass): the next pass
     * fuses what arrived meanwhile and assesses them, without waiting */
    p->more_due = mwds_assessor_skipped(p->as) > 0;
    if (p->more_due)
        p->dirty = 1;
}

/* A partner's warning: journalled once (the journal ignores a row it
 * holds: one the partner's transient-local writer sends again after a
 * restart or a cut), then counted and printed. */
static void received(node_picture *p, const rx_warning *rw, int on_picture_thread)
{
    const mwds_net_warning *w = &rw->w;
    int added = 0;
    json_t *o = warn_json(&w->w, 0);
    json_object_set_new(o, "cause_seq", json_integer((json_int_t)w->cause.seq));
    json_object_set_new(o, "cause_pub_ns", json_integer((json_int_t)w->cause.pub_ns));
    journal_json(p, "Warning", MWDS_JOURNAL_RECEIVED, w->rx.origin, w->w.id, "", w->w.exercise,
                 w->w.issued_t_ns, w->rx.send_ns, rw->t_recv, o, &added);
    if (!added) {
        atomic_fetch_add(&p->warnings_dup, 1);
        return;
    }
    atomic_fetch_add(&p->warnings_received, 1);
    if (on_picture_thread)
        node_web_warning(p->web, &w->w, 0);
    if (!p->quiet) {
        flockfile(stdout);
        printf("mwds node %s: received  ", p->cfg->nation);
        warn_print(stdout, &w->w, p->start_ns);
        funlockfile(stdout);
    }
}

void node_status(node_picture *p, int64_t picture_ns, int hot)
{
    int sys = atomic_load(&p->system_tracks);
    mwds_net_status s;
    memset(&s, 0, sizeof s);
    snprintf(s.origin, sizeof s.origin, "%s", p->cfg->nation);
    s.seq = atomic_fetch_add(p->status_seq, 1) + 1;
    s.wall_ns = mwds_net_now();
    s.picture_ns = picture_ns;
    s.exercise = p->cfg->exercise;
    s.local_tracks = (uint32_t)atomic_load(p->local_tracks);
    s.system_tracks = (uint32_t)sys;
    s.warnings_issued = atomic_load(&p->warnings_issued);
    s.warnings_received = atomic_load(&p->warnings_received);
    for (unsigned h = atomic_load(p->heard); h; h &= h - 1)
        s.partners_heard++;
    if (p->lockstep) {
        /* only the picture thread sends NodeStatus in lockstep: what it
         * says is never older than what it said before */
        s.tracks_sent = p->sent_done;
        s.tracks_received = atomic_load(&p->tracks_received);
        p->reported_ns = picture_ns;
        p->reported_sent = s.tracks_sent;
        p->reported_received = s.tracks_received;
        p->reported_wall_ns = s.wall_ns;
    }
    mwds_net_publish_status(p->net, &s);
    log_row r =
        node_log_row(LOG_STATUS_SENT, "NodeStatus", MWDS_JOURNAL_SENT, p->cfg->nation, 0,
                     (int64_t)s.seq, p->status_partition, s.exercise, s.picture_ns, s.wall_ns, 0);
    r.u.status.local = (int)s.local_tracks;
    r.u.status.sys = sys;
    r.u.status.issued = (int)s.warnings_issued;
    r.u.status.received = (int)s.warnings_received;
    r.u.status.lockstep = p->lockstep;
    r.u.status.tracks_sent = s.tracks_sent;
    r.u.status.tracks_received = s.tracks_received;
    if (hot)
        node_log_put_hot(p->log, &r);
    else
        node_log_put(p->log, &r);
}

static void count_system(node_picture *p)
{
    int n_slots, sys = 0;
    const mwds_track *t = mwds_fusion_tracks(p->fz, &n_slots);
    for (int i = 0; i < n_slots; i++)
        sys += t[i].status == MWDS_TRACK_CONFIRMED;
    atomic_store(&p->system_tracks, sys);
}

/* Journals the system tracks that changed, each at most every
 * NODE_SYSTEM_EVERY_S of picture time: the node's own fused picture, which
 * the scorer measures (SIAP, OSPA) as the nation saw it. */
static void log_system(node_picture *p)
{
    int n_slots;
    const mwds_track *sys = mwds_fusion_tracks(p->fz, &n_slots);
    if (n_slots > p->n_logged) {
        struct sys_logged *l = realloc(p->logged, (size_t)n_slots * sizeof *l);
        if (l == NULL)
            return;
        memset(l + p->n_logged, 0, (size_t)(n_slots - p->n_logged) * sizeof *l);
        p->logged = l;
        p->n_logged = n_slots;
    }
    const int64_t every = mwds_time_from_s(NODE_SYSTEM_EVERY_S);
    for (int i = 0; i < n_slots; i++) {
        const mwds_track *t = &sys[i];
        struct sys_logged *l = &p->logged[i];
        int live = t->status == MWDS_TRACK_CONFIRMED;
        if (l->number != 0 && (!live || t->number != l->number)) {
            /* the system track this slot journalled is gone (dropped, or
             * merged into another): its end, so that a reader of the
             * journal does not hold it on */
            int64_t end = p->picture_ns > l->t_ns ? p->picture_ns : l->t_ns + 1;
            log_row r =
                node_log_row(LOG_TRACK_ENDED, "SystemTrack", MWDS_JOURNAL_SENT, p->cfg->nation,
                             l->key, end, "", p->cfg->exercise, end, mwds_net_now(), 0);
            node_log_put(p->log, &r);
            l->number = 0;
        }
        if (!live)
            continue;
        if (l->number == t->number && t->f.t_ns < l->t_ns + every)
            continue;
        uint32_t number = t->number + p->sys_base;
        for (int k = 0; k < NODE_MAX_WARNED; k++)
            if (p->warned[k].number != 0 && p->warned[k].sys == t->number)
                number = p->warned[k].number;
        l->number = t->number;
        l->key = number;
        l->t_ns = t->f.t_ns;
        log_row r =
            node_log_row(LOG_SYSTEM, "SystemTrack", MWDS_JOURNAL_SENT, p->cfg->nation, number,
                         t->f.t_ns, "", p->cfg->exercise, t->f.t_ns, mwds_net_now(), 0);
        r.u.system.f = t->f;
        int nm = mwds_fusion_members(p->fz, t->number, r.u.system.origin, r.u.system.number,
                                     NODE_MAX_MEMBERS);
        r.u.system.n_members = nm < NODE_MAX_MEMBERS ? nm : NODE_MAX_MEMBERS;
        const mwds_assessment *a = mwds_assessor_latest(p->as, t->number);
        if (a != NULL && a->has_impact) {
            r.u.system.has_impact = 1;
            r.u.system.impact = a->impact;
        }
        node_log_put(p->log, &r);
    }
}

static void fuse(node_picture *p, const mwds_source_track *s)
{
    mwds_err e = mwds_fusion_put(p->fz, s);
    if (e != MWDS_OK && e != MWDS_ENOTFOUND)
        fprintf(stderr, "mwds node %s: fusion of %s track %u: %s\n", p->cfg->nation, s->origin,
                s->number, mwds_strerror(e));
}

/* Assesses the picture as it now is, and says so. */
static void picture_done(node_picture *p)
{
    assess(p);
    count_system(p);
    log_system(p);
    node_web_update(p->web, p->fz, p->as, p->picture_ns);
    atomic_store(&p->done_ns, (long long)p->picture_ns);
}

/* ---- lockstep: one own look at a time (node.h) ---- */

static int grow(void **v, size_t *cap, size_t need, size_t size);

/* A source handed over: the node's own (of the look that follows it) is
 * fused at once, a partner's waits for the node's next look. */
static void lockstep_source(node_picture *p, const mwds_source_track *s)
{
    if (strcmp(s->origin, p->cfg->nation) == 0) {
        fuse(p, s);
        p->dirty = 1;
        return;
    }
    if (grow((void **)&p->pending, &p->cap_pending, p->n_pending + 1, sizeof *p->pending) != 0) {
        fprintf(stderr, "mwds node %s: out of memory: %s track %u not fused\n", p->cfg->nation,
                s->origin, s->number);
        return;
    }
    p->pending[p->n_pending].s = *s;
    p->pending[p->n_pending].arrival = p->arrivals++;
    p->n_pending++;
}

static int cmp_pending(const void *pa, const void *pb)
{
    const picture_pending *a = pa, *b = pb;
    int c = strcmp(a->s.origin, b->s.origin);
    if (c != 0)
        return c;
    if (a->s.number != b->s.number)
        return a->s.number < b->s.number ? -1 : 1;
    return (a->arrival > b->arrival) - (a->arrival < b->arrival);
}

/* Fuses the partners' samples caused by looks before t_ns, by origin and
 * track number, the latest of each track only (so the result does not
 * depend on whether an earlier one was taken before a newer replaced it). */
static void lockstep_fuse_pending(node_picture *p, int64_t t_ns)
{
    size_t n = 0;
    for (size_t k = 0; k < p->n_pending; k++)
        if (p->pending[k].s.t_update_ns < t_ns) {
            picture_pending x = p->pending[n];
            p->pending[n++] = p->pending[k];
            p->pending[k] = x;
        }
    if (n == 0)
        return;
    qsort(p->pending, n, sizeof *p->pending, cmp_pending);
    for (size_t k = 0; k < n; k++) {
        const mwds_source_track *s = &p->pending[k].s;
        if (k + 1 < n && p->pending[k + 1].s.number == s->number &&
            strcmp(p->pending[k + 1].s.origin, s->origin) == 0)
            continue; /* a newer sample of the same track follows */
        fuse(p, s);
    }
    memmove(p->pending, p->pending + n, (p->n_pending - n) * sizeof *p->pending);
    p->n_pending -= n;
    p->dirty = 1;
}

static void lockstep_pass(node_picture *p, const picture_inbox *w)
{
    size_t i = 0;
    for (size_t k = 0; k < w->n_look; k++) {
        const picture_look *l = &w->look[k];
        for (; i < l->src_end && i < w->n_src; i++)
            lockstep_source(p, &w->src[i]);
        lockstep_fuse_pending(p, l->t_ns);
        if (l->t_ns > p->picture_ns)
            p->picture_ns = l->t_ns;
        p->cause = l->cause;
        p->sent_done = l->tracks_sent;
        p->dirty = 1;
        picture_done(p);
    }
    for (; i < w->n_src; i++)
        lockstep_source(p, &w->src[i]);
}

/* Sends a NodeStatus when what it says has changed, or as the heartbeat. */
static void lockstep_status(node_picture *p)
{
    int64_t now = mwds_net_now();
    if (p->picture_ns != p->reported_ns || p->sent_done != p->reported_sent ||
        atomic_load(&p->tracks_received) != p->reported_received ||
        now - p->reported_wall_ns >= (int64_t)(p->cfg->heartbeat_s * 1e9))
        node_status(p, p->picture_ns, 0);
}

static void *picture_main(void *arg)
{
    node_picture *p = arg;
    node_thread_background("picture");
    for (;;) {
        pthread_mutex_lock(&p->lock);
        if (p->in.n_src == 0 && p->in.n_warn == 0 && p->in.n_look == 0 &&
            p->in.picture_ns == p->picture_ns && !p->more_due && !p->stop) {
            /* idle: asleep, wake at least 4 times a second for the
             * display; with --lockstep always asleep (every hand-over
             * signals: the simulator waits for each look) */
            if (p->lockstep) {
                p->asleep = 1;
                node_wait(&p->wake, &p->lock, 250000000);
                p->asleep = 0;
            } else
                node_idle_wait(&p->wake, &p->lock, &p->asleep, p->busy_ns, NODE_PICTURE_POLL_NS,
                               250000000);
        }
        if (p->in.n_src > 0 || p->in.n_warn > 0 || p->in.n_look > 0)
            p->busy_ns = mwds_net_now();
        /* swap: the thread works on what arrived while the lock is free */
        picture_inbox t = p->work;
        p->work = p->in;
        p->in = t;
        p->in.n_src = p->in.n_warn = p->in.n_look = 0;
        p->in.picture_ns = p->work.picture_ns;
        p->in.cause = p->work.cause;
        int stop = p->stop;
        pthread_mutex_unlock(&p->lock);
        picture_inbox *w = &p->work;
        if (p->lockstep) {
            lockstep_pass(p, w);
        } else {
            for (size_t i = 0; i < w->n_src; i++)
                fuse(p, &w->src[i]);
            if (w->n_src > 0)
                p->dirty = 1;
            if (w->picture_ns > p->picture_ns) {
                p->picture_ns = w->picture_ns;
                p->cause = w->cause;
                p->dirty = 1;
            }
        }
        for (size_t i = 0; i < w->n_warn; i++)
            received(p, &w->warn[i], 1);
        if (p->lockstep) {
            if (w->n_look == 0) /* else done with each look */
                node_web_update(p->web, p->fz, p->as, p->picture_ns);
            lockstep_status(p);
        } else {
            picture_done(p);
        }
        fflush(stdout);
        if (stop && w->n_src == 0 && w->n_warn == 0 && w->n_look == 0)
            break;
    }
    return NULL;
}

int node_picture_restore(node_picture *p, char *err, size_t err_len)
{
    p->warned = calloc(NODE_MAX_WARNED, sizeof *p->warned);
    if (p->warned == NULL) {
        snprintf(err, err_len, "out of memory");
        return -1;
    }
    mwds_journal_filter jf;
    mwds_journal_filter_init(&jf);
    jf.topic = "Warning";
    jf.dir = MWDS_JOURNAL_SENT;
    jf.origin = p->cfg->nation;
    if (mwds_journal_foreach(p->j, &jf, restore_row, p) != MWDS_OK) {
        snprintf(err, err_len, "%.400s: reading the warnings issued before: %.400s",
                 p->cfg->journal, mwds_journal_errmsg(p->j));
        return -1;
    }
    return 0;
}

int node_picture_start(node_picture *p)
{
    pthread_mutex_init(&p->lock, NULL);
    pthread_cond_init(&p->wake, NULL);
    if (pthread_create(&p->thread, NULL, picture_main, p) != 0)
        return -1;
    p->started = 1;
    return 0;
}

static int grow(void **v, size_t *cap, size_t need, size_t size)
{
    if (need <= *cap)
        return 0;
    size_t c = *cap ? *cap : 256;
    while (c < need)
        c *= 2;
    void *n = realloc(*v, c * size);
    if (n == NULL)
        return -1;
    *v = n;
    *cap = c;
    return 0;
}

/* Where source track s goes in b: over the entry of the same track (the
 * fusion wants only a track's latest state), else at the end. */
static size_t inbox_slot(const picture_inbox *b, const mwds_source_track *s)
{
    for (size_t i = b->n_src; i-- > 0;)
        if (b->src[i].number == s->number && strcmp(b->src[i].origin, s->origin) == 0)
            return i;
    return b->n_src;
}

/* Puts n source tracks at the end of b or, to coalesce, each over the
 * entry of the same track, so that b holds at most one entry per track
 * however far behind the picture thread is. Returns -1 (b unchanged) if
 * out of memory. */
static int inbox_put(picture_inbox *b, const mwds_source_track *s, size_t n, int coalesce)
{
    if (n > 0 && grow((void **)&b->src, &b->cap_src, b->n_src + n, sizeof *b->src) != 0)
        return -1;
    for (size_t k = 0; k < n; k++) {
        size_t i = coalesce ? inbox_slot(b, &s[k]) : b->n_src;
        if (i < b->n_src && b->src[i].ended)
            continue; /* the track's end stands */
        b->src[i] = s[k];
        if (i == b->n_src)
            b->n_src++;
    }
    return 0;
}

/* Stages sources: coalesced, except in lockstep, where the picture thread
 * takes each look's sources in order. */
static void stage(node_picture *p, const mwds_source_track *s, size_t n, int64_t picture_ns,
                  mwds_net_cause cause)
{
    picture_inbox *st = &p->stage;
    if (inbox_put(st, s, n, !p->lockstep) != 0)
        fprintf(stderr, "mwds node %s: out of memory: %zu tracks not fused\n", p->cfg->nation, n);
    if (picture_ns > st->picture_ns) {
        st->picture_ns = picture_ns;
        st->cause = cause;
    }
}

void node_picture_put(node_picture *p, const mwds_source_track *s, size_t n, int64_t picture_ns,
                      mwds_net_cause cause)
{
    stage(p, s, n, picture_ns, cause);
    if (p->lockstep) {
        picture_inbox *st = &p->stage;
        p->tracks_sent += (uint32_t)n;
        if (grow((void **)&st->look, &st->cap_look, st->n_look + 1, sizeof *st->look) != 0)
            fprintf(stderr, "mwds node %s: out of memory: the look at %lld ns not assessed\n",
                    p->cfg->nation, (long long)picture_ns);
        else
            st->look[st->n_look++] = (picture_look){picture_ns, cause, st->n_src, p->tracks_sent};
        node_picture_offer(p, 0);
    }
}

/* FNV-1a of a partner track's key. */
static size_t rx_hash(const char *origin, uint32_t number)
{
    uint32_t h = 2166136261u;
    for (const char *c = origin; *c; c++)
        h = (h ^ (uint8_t)*c) * 16777619u;
    for (int k = 0; k < 4; k++, number >>= 8)
        h = (h ^ (number & 0xffu)) * 16777619u;
    return h;
}

static rx_revision *rx_slot(rx_revision *t, size_t cap, const char *origin, uint32_t number)
{
    size_t i = rx_hash(origin, number) & (cap - 1);
    while (t[i].origin[0] != '\0' && (t[i].number != number || strcmp(t[i].origin, origin) != 0))
        i = (i + 1) & (cap - 1);
    return &t[i];
}

/* Counts a partner's Track sample by revision: a track whose revision
 * goes from r0 to r counts r - r0 samples, those taken and those a newer
 * one replaced in the reader's history. Returns 0, or -1 out of memory. */
static int count_received(node_picture *p, const char *origin, uint32_t number, uint32_t revision)
{
    if (2 * (p->n_rx_rev + 1) > p->cap_rx_rev) {
        size_t cap = p->cap_rx_rev ? 2 * p->cap_rx_rev : 1024;
        rx_revision *t = calloc(cap, sizeof *t);
        if (t == NULL)
            return -1;
        for (size_t k = 0; k < p->cap_rx_rev; k++)
            if (p->rx_rev[k].origin[0] != '\0')
                *rx_slot(t, cap, p->rx_rev[k].origin, p->rx_rev[k].number) = p->rx_rev[k];
        free(p->rx_rev);
        p->rx_rev = t;
        p->cap_rx_rev = cap;
    }
    rx_revision *r = rx_slot(p->rx_rev, p->cap_rx_rev, origin, number);
    uint32_t d;
    if (r->origin[0] == '\0') {
        snprintf(r->origin, sizeof r->origin, "%s", origin);
        r->number = number;
        p->n_rx_rev++;
        d = revision;
    } else if (revision > r->revision) {
        d = revision - r->revision;
    } else {
        d = revision < r->revision ? revision : 0; /* numbered again from 1; or the same again */
    }
    r->revision = revision;
    atomic_fetch_add(&p->tracks_received, d);
    return 0;
}

void node_picture_put_received(node_picture *p, const mwds_source_track *s, uint32_t revision)
{
    if (p->lockstep && count_received(p, s->origin, s->number, revision) != 0) {
        fprintf(stderr, "mwds node %s: out of memory counting %s track %u\n", p->cfg->nation,
                s->origin, s->number);
        atomic_fetch_add(&p->tracks_received, 1);
    }
    stage(p, s, 1, 0, (mwds_net_cause){0, 0});
    if (p->lockstep)
        node_picture_offer(p, 0);
}

void node_picture_put_warning(node_picture *p, const mwds_net_warning *w, int64_t t_recv)
{
    picture_inbox *st = &p->stage;
    if (grow((void **)&st->warn, &st->cap_warn, st->n_warn + 1, sizeof *st->warn) != 0) {
        /* journalled here rather than lost */
        rx_warning rw = {*w, t_recv};
        received(p, &rw, 0);
        return;
    }
    st->warn[st->n_warn].w = *w;
    st->warn[st->n_warn].t_recv = t_recv;
    st->n_warn++;
    if (p->lockstep)
        node_picture_offer(p, 0);
}

int node_picture_offer(node_picture *p, int block)
{
    picture_inbox *st = &p->stage;
    if (st->n_src == 0 && st->n_warn == 0 && st->n_look == 0 && st->picture_ns == 0)
        return 0;
    if (block)
        pthread_mutex_lock(&p->lock);
    else if (pthread_mutex_trylock(&p->lock) != 0)
        return 1;
    picture_inbox *in = &p->in;
    if (grow((void **)&in->warn, &in->cap_warn, in->n_warn + st->n_warn, sizeof *in->warn) != 0 ||
        grow((void **)&in->look, &in->cap_look, in->n_look + st->n_look, sizeof *in->look) != 0 ||
        inbox_put(in, st->src, st->n_src, !p->lockstep) != 0) {
        pthread_mutex_unlock(&p->lock);
        return 1; /* kept staged: tried again on the next pass */
    }
    /* in lockstep the sources were appended: each look's end moves by what
     * was there before */
    size_t before = in->n_src - (p->lockstep ? st->n_src : 0);
    for (size_t k = 0; k < st->n_look; k++) {
        in->look[in->n_look + k] = st->look[k];
        in->look[in->n_look + k].src_end += before;
    }
    in->n_look += st->n_look;
    if (st->n_warn > 0)
        memcpy(in->warn + in->n_warn, st->warn, st->n_warn * sizeof *st->warn);
    in->n_warn += st->n_warn;
    if (st->picture_ns > in->picture_ns) {
        in->picture_ns = st->picture_ns;
        in->cause = st->cause;
    }
    if (p->asleep)
        pthread_cond_signal(&p->wake);
    pthread_mutex_unlock(&p->lock);
    st->n_src = st->n_warn = st->n_look = 0;
    st->picture_ns = 0;
    return 0;
}

void node_picture_stop(node_picture *p)
{
    if (!p->started)
        return;
    pthread_mutex_lock(&p->lock);
    p->stop = 1;
    pthread_cond_signal(&p->wake);
    pthread_mutex_unlock(&p->lock);
    pthread_join(p->thread, NULL);
    p->started = 0;
    pthread_mutex_destroy(&p->lock);
    pthread_cond_destroy(&p->wake);
}

void node_picture_fini(node_picture *p)
{
    free(p->in.src);
    free(p->in.warn);
    free(p->work.src);
    free(p->work.warn);
    free(p->stage.src);
    free(p->stage.warn);
    free(p->in.look);
    free(p->work.look);
    free(p->stage.look);
    free(p->pending);
    free(p->rx_rev);
    free(p->warned);
    free(p->logged);
}
