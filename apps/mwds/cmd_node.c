/*
 * mwds node --config FILE: one nation's node.
 *
 * The loop (one thread owns everything; DDS readers hold samples until
 * taken):
 *   wait for samples (at most until the next heartbeat);
 *   own sensors' looks -> tracker; changed confirmed tracks are published
 *     (with the look that caused them, for latency) and journalled;
 *   partners' tracks -> fusion (with the node's own tracks);
 *   fusion -> system tracks -> assessor -> warnings, published durably
 *     journalled and printed;
 *   partners' warnings and heartbeats -> journal, terminal;
 *   a NodeStatus heartbeat every heartbeat_s of wall time.
 * The picture's clock is the newest look's time (the simulated time in an
 * exercise), so a replay gives the same warnings.
 *
 * Restart. The journal says which warning ids, local track numbers and
 * warned system tracks were used before; none is used again. A warning is
 * journalled (committed) before it is published, so a kill between the two
 * cannot lead a restarted node to give its id to another warning. The
 * warnings the node had issued about tracks still open (no IMPACT, END or
 * CANCEL) are remembered: when the fused picture of the restarted node
 * brings back such a track (a partner's track among its members, or the
 * same predicted impact), its warnings go on under the old track number,
 * and what was already said is not said again (no second LAUNCH, no
 * IMPACT_PREDICTION that repeats the last one, no OVERFLIGHT of an area
 * already warned). Warnings missed while the node was down come back
 * through the partners' transient-local writers and are journalled once
 * (the journal ignores a row it already holds).
 *
 * Shutdown. SIGINT or SIGTERM ends the loop; the writers are given a moment
 * to have their samples acknowledged and the journal is committed.
 */
#include <jansson.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli.h"
#include "commands.h"
#include "mwds/assess.h"
#include "mwds/fusion.h"
#include "mwds/journal.h"
#include "mwds/net.h"
#include "mwds/policy.h"
#include "mwds/scenario.h"
#include "node_config.h"
#include "node_web.h"
#include "warn_fmt.h"

#ifndef MWDS_AREAS_FILE
#define MWDS_AREAS_FILE "data/areas.geojson"
#endif

static const char NODE_HELP[] =
    "usage: mwds node --config FILE [--quiet] [--lockstep] [--http PORT [--http-bind ADDR]]\n"
    "\n"
    "Runs one nation's node: takes its own sensors' looks from DDS, tracks, shares its\n"
    "tracks and warnings with the partners the policy releases them to, fuses its own\n"
    "and the partners' tracks, assesses the picture and issues warnings. Journals\n"
    "every sample sent and received (SQLite). Stops cleanly on SIGINT or SIGTERM.\n"
    "The configuration file is described in docs/node.md. --quiet prints no events.\n"
    "--lockstep also publishes a NodeStatus as soon as the picture's time advances, so\n"
    "that mwds sim --lockstep can pace itself by the nodes (mwds exercise --speed max).\n"
    "--http PORT serves the operator display on http://127.0.0.1:PORT/ (0: a free port;\n"
    "--http-bind ADDR listens on another address); docs/display.md.\n";

#define MAX_WARN 64
#define TRACK_POOL 1024
#define MAX_WARNED 1024   /* system tracks whose warnings are remembered */
#define MAX_MEMBERS 16    /* remembered members of one warned track */

static volatile sig_atomic_t g_stop;

static void on_signal(int sig)
{
    (void)sig;
    g_stop = 1;
}

typedef struct pubrec {
    uint32_t number;
    int64_t t_update_ns;
    uint32_t revision;
} pubrec;

/* What the node has said about one track in its warnings: the published
 * track number and the state of its warnings. Restored from the journal on
 * restart, so that a track the restarted node finds again is not announced
 * twice. */
typedef struct warned {
    uint32_t number;             /* the track number in the node's warnings; 0: free */
    uint32_t sys;                /* the fusion's system track now behind it; 0: none yet */
    int restored;                /* issued before a restart (from the journal) */
    int open;                    /* no IMPACT, END or CANCEL yet */
    int launch, impact;          /* LAUNCH and IMPACT_PREDICTION issued */
    mwds_lla impact_centre;      /* of the last IMPACT_PREDICTION */
    double impact_major_m;
    int64_t impact_t_ns;
    int n_threat, n_over;        /* areas of the last IMPACT_PREDICTION; OVERFLIGHTs issued */
    char threat[MWDS_ASSESS_MAX_AREAS][MWDS_AREA_CODE_LEN];
    char over[MWDS_ASSESS_MAX_AREAS][MWDS_AREA_CODE_LEN];
    int n_members;               /* source tracks behind it at its last warning */
    char member_origin[MAX_MEMBERS][MWDS_ORIGIN_LEN];
    uint32_t member_number[MAX_MEMBERS];
} warned;

typedef struct node {
    node_config cfg;
    int quiet;
    mwds_policy pol;
    mwds_scenario sc;
    int have_sc;
    mwds_sensor *sensors;
    size_t n_sensors;
    mwds_tracker *trk;
    mwds_fusion *fz;
    mwds_assessor *as;
    mwds_areas areas;
    int have_areas;
    mwds_launch_templates *lt;
    mwds_journal *j;
    mwds_net *net;
    char part[MWDS_TOPIC_COUNT][MWDS_PARTITION_LEN];
    pubrec *pub;
    int *published;              /* slots published by the current look (TRACK_POOL) */
    int64_t *published_ns;       /* and when (TRACK_POOL) */
    int n_pub;
    uint32_t track_base;         /* added to tracker numbers: not reused after restart */
    mwds_net_cause cause;        /* the latest look */
    int64_t picture_ns, start_ns;
    int dirty;                   /* new data since the last assessment */
    uint64_t status_seq;
    uint32_t warnings_issued, warnings_received, warnings_dup;
    warned *warned;              /* MAX_WARNED */
    uint32_t next_warning_id;    /* ids of published warnings, contiguous */
    uint32_t sys_base;           /* added to system track numbers: not reused after restart */
    uint32_t warnings_restored, warnings_withheld;
    uint32_t heard;              /* partners heard, bit per policy nation */
    uint64_t looks, tracks_rx;
    mwds_measurement *buf;
    node_web *web;               /* the operator display (--http), or NULL */
    char err[1024];
} node;

/* ---- journal rows ---- */

static void journal_put(node *nd, const char *topic, mwds_journal_dir dir, const char *origin,
                        uint32_t key, int64_t revision, const char *partition, int exercise,
                        int64_t t_sample, int64_t t_send, int64_t t_recv, json_t *payload,
                        int durable, int *added)
{
    char k[16];
    snprintf(k, sizeof k, "%u", key);
    char *text = json_dumps(payload, JSON_COMPACT | JSON_REAL_PRECISION(12));
    json_decref(payload);
    if (text == NULL)
        return;
    mwds_journal_row row = {topic,     dir,      origin, k,      revision, partition,
                            exercise,  t_sample, t_send, t_recv, text};
    if (mwds_journal_append(nd->j, &row, durable, added) != MWDS_OK)
        fprintf(stderr, "mwds node: %s: journal: %s\n", nd->cfg.nation, mwds_journal_errmsg(nd->j));
    free(text);
}

static json_t *state_json(const mwds_filter_state *f)
{
    json_t *x = json_array(), *p = json_array();
    for (int i = 0; i < f->n; i++) {
        json_array_append_new(x, json_real(f->x.v[i]));
        for (int k = i; k < f->n; k++)
            json_array_append_new(p, json_real(f->p.m[i][k]));
    }
    return json_pack("{s:I, s:s, s:o, s:o}", "t_ns", (json_int_t)f->t_ns, "model",
                     f->model == MWDS_MODEL_BOOST ? "boost" : "ballistic", "x", x, "p_upper", p);
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
        r->n_threat = b->n_threatened < MWDS_ASSESS_MAX_AREAS ? b->n_threatened
                                                              : MWDS_ASSESS_MAX_AREAS;
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
            if (!has_area((char (*)[MWDS_AREA_CODE_LEN])r->threat, r->n_threat, b->threatened[i]))
                return 0;
        double moved = INFINITY;
        mwds_geo_inverse(r->impact_centre, b->impact.ellipse.centre, &moved, NULL, NULL);
        return moved <= fmax(REISSUE_M, b->impact.ellipse.semi_major_m);
    }
    case MWDS_WARN_OVERFLIGHT:
        return has_area((char (*)[MWDS_AREA_CODE_LEN])r->over, r->n_over, w->area);
    default:
        return 0;
    }
}

/* A slot for a new record: a free one or one whose track is closed. */
static warned *warned_slot(node *nd)
{
    for (int i = 0; i < MAX_WARNED; i++)
        if (!nd->warned[i].open) {
            memset(&nd->warned[i], 0, sizeof nd->warned[i]);
            return &nd->warned[i];
        }
    return NULL;
}

/* The record of system track sys (whose warning w is due): the one already
 * behind it; else a restored open track it continues (a partner's source
 * track among its members, or failing that the nearest remembered impact
 * within the ellipses and 30 s); else a new record. NULL if the table is
 * full of open tracks. */
static warned *warned_for(node *nd, uint32_t sys, const mwds_warning *w)
{
    for (int i = 0; i < MAX_WARNED; i++)
        if (nd->warned[i].number != 0 && nd->warned[i].sys == sys)
            return &nd->warned[i];
    char mo[MAX_MEMBERS][MWDS_ORIGIN_LEN];
    uint32_t mn[MAX_MEMBERS];
    int nm = mwds_fusion_members(nd->fz, sys, mo, mn, MAX_MEMBERS);
    if (nm > MAX_MEMBERS)
        nm = MAX_MEMBERS;
    warned *best = NULL;
    double best_d = INFINITY;
    for (int i = 0; i < MAX_WARNED && best == NULL; i++) {
        warned *r = &nd->warned[i];
        if (!r->restored || !r->open || r->sys != 0)
            continue;
        for (int m = 0; m < nm && best == NULL; m++) {
            if (strcmp(mo[m], nd->cfg.nation) == 0)
                continue; /* the node's own track numbers changed with the restart */
            for (int k = 0; k < r->n_members; k++)
                if (r->member_number[k] == mn[m] && strcmp(r->member_origin[k], mo[m]) == 0)
                    best = r;
        }
    }
    const mwds_assessment *b = &w->basis;
    for (int i = 0; i < MAX_WARNED && best == NULL && b->has_impact; i++) {
        warned *r = &nd->warned[i];
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
    if (best == NULL && (best = warned_slot(nd)) != NULL) {
        best->number = sys + nd->sys_base;
        best->open = 1;
    }
    if (best != NULL)
        best->sys = sys;
    return best;
}

static void warned_members(node *nd, warned *r)
{
    int nm = mwds_fusion_members(nd->fz, r->sys, r->member_origin, r->member_number, MAX_MEMBERS);
    r->n_members = nm < MAX_MEMBERS ? nm : MAX_MEMBERS;
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
    node *nd = ctx;
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
    for (size_t i = 0; i < json_array_size(th) && w.basis.n_threatened < MWDS_ASSESS_MAX_AREAS; i++) {
        const char *c = json_string_value(json_array_get(th, i));
        if (c)
            snprintf(w.basis.threatened[w.basis.n_threatened++], MWDS_AREA_CODE_LEN, "%s", c);
    }
    if (w.track_number > nd->sys_base)
        nd->sys_base = w.track_number;
    warned *r = NULL;
    for (int i = 0; i < MAX_WARNED && r == NULL; i++)
        if (nd->warned[i].number == w.track_number && nd->warned[i].restored)
            r = &nd->warned[i];
    if (r == NULL && w.track_number != 0 && (r = warned_slot(nd)) != NULL) {
        r->number = w.track_number;
        r->restored = 1;
        r->open = 1;
    }
    if (r != NULL) {
        note_warning(r, &w);
        json_t *mem = json_object_get(o, "members");
        if (json_is_array(mem)) {
            r->n_members = 0;
            for (size_t i = 0; i < json_array_size(mem) && r->n_members < MAX_MEMBERS; i++) {
                const char *m = json_string_value(json_array_get(mem, i));
                const char *colon = m ? strchr(m, ':') : NULL;
                if (colon == NULL || colon - m >= MWDS_ORIGIN_LEN)
                    continue;
                snprintf(r->member_origin[r->n_members], MWDS_ORIGIN_LEN, "%.*s",
                         (int)(colon - m), m);
                r->member_number[r->n_members++] = (uint32_t)strtoul(colon + 1, NULL, 10);
            }
        }
    }
    nd->warnings_restored++;
    json_decref(o);
    return 0;
}

/* ---- setting up ---- */

static int node_open(node *nd, const char *path)
{
    char *err = nd->err;
    size_t el = sizeof nd->err;
    if (node_config_load(path, MWDS_AREAS_FILE, &nd->cfg, err, el) != 0)
        return CLI_EXIT_USAGE;
    const node_config *c = &nd->cfg;
    if (mwds_policy_load(c->policy, &nd->pol, err, el) != MWDS_OK)
        return CLI_EXIT_USAGE;
    if (mwds_policy_nation(&nd->pol, c->nation) < 0) {
        snprintf(err, el, "%.400s: nation: %s is not in the policy %.400s", path, c->nation,
                 c->policy);
        return CLI_EXIT_USAGE;
    }
    if (mwds_scenario_load(c->sensors, &nd->sc, err, el) != MWDS_OK)
        return CLI_EXIT_USAGE;
    nd->have_sc = 1;
    nd->start_ns = nd->sc.start_t_ns;
    if (mwds_areas_load(c->areas, &nd->areas, err, el) != MWDS_OK)
        return CLI_EXIT_USAGE;
    nd->have_areas = 1;
    for (int t = 0; t < MWDS_TOPIC_COUNT; t++)
        mwds_policy_partition(&nd->pol, c->nation, (mwds_topic)t, nd->part[t],
                              sizeof nd->part[t]);
    /* this nation's sensors, numbered from 0 in file order (as mwds sim
     * numbers the looks it publishes) */
    nd->sensors = calloc(nd->sc.n_sensors ? nd->sc.n_sensors : 1, sizeof *nd->sensors);
    nd->buf = calloc(4096, sizeof *nd->buf);
    if (nd->sensors == NULL || nd->buf == NULL) {
        snprintf(err, el, "out of memory");
        return CLI_EXIT_FAIL;
    }
    for (size_t s = 0; s < nd->sc.n_sensors; s++)
        if (strcmp(nd->sc.nations[nd->sc.sensors[s].nation].code, c->nation) == 0) {
            nd->sensors[nd->n_sensors] = nd->sc.sensors[s].sensor;
            nd->sensors[nd->n_sensors].id = (uint32_t)nd->n_sensors;
            nd->n_sensors++;
        }
    /* the journal first: it says where a restarted node goes on from */
    mwds_err e = mwds_journal_open(c->journal, NULL, &nd->j, err, el);
    if (e != MWDS_OK)
        return e == MWDS_EPARSE ? CLI_EXIT_USAGE : CLI_EXIT_FAIL;
    int64_t last = 0;
    uint32_t first_warning = 1;
    if (mwds_journal_max_key(nd->j, "Warning", MWDS_JOURNAL_SENT, c->nation, &last) == MWDS_OK)
        first_warning = (uint32_t)last + 1;
    if (mwds_journal_max_key(nd->j, "Track", MWDS_JOURNAL_SENT, c->nation, &last) == MWDS_OK)
        nd->track_base = (uint32_t)last;
    nd->next_warning_id = first_warning;
    nd->warned = calloc(MAX_WARNED, sizeof *nd->warned);
    if (nd->warned == NULL) {
        snprintf(err, el, "out of memory");
        return CLI_EXIT_FAIL;
    }
    mwds_journal_filter jf;
    mwds_journal_filter_init(&jf);
    jf.topic = "Warning";
    jf.dir = MWDS_JOURNAL_SENT;
    jf.origin = c->nation;
    if ((e = mwds_journal_foreach(nd->j, &jf, restore_row, nd)) != MWDS_OK) {
        snprintf(err, el, "%.400s: reading the warnings issued before: %.400s", c->journal,
                 mwds_journal_errmsg(nd->j));
        return CLI_EXIT_FAIL;
    }
    mwds_tracker_config tc;
    mwds_tracker_config_default(&tc);
    tc.max_tracks = TRACK_POOL;
    if ((e = mwds_tracker_create(&tc, nd->sensors, nd->n_sensors, &nd->trk)) != MWDS_OK) {
        snprintf(err, el, "tracker: %s", mwds_strerror(e));
        return CLI_EXIT_FAIL;
    }
    mwds_fusion_config fc;
    mwds_fusion_config_default(&fc);
    fc.fp = tc.fp;
    if ((e = mwds_fusion_create(&fc, &nd->fz)) != MWDS_OK) {
        snprintf(err, el, "fusion: %s", mwds_strerror(e));
        return CLI_EXIT_FAIL;
    }
    if ((e = mwds_launch_templates_create(&nd->lt)) != MWDS_OK) {
        snprintf(err, el, "launch templates: %s", mwds_strerror(e));
        return CLI_EXIT_FAIL;
    }
    mwds_assessor_config ac;
    mwds_assessor_config_default(&ac);
    ac.areas = &nd->areas;
    ac.templates = nd->lt;
    ac.exercise = c->exercise;
    ac.min_interval_s = c->assess_interval_s;
    ac.first_warning_id = first_warning;
    snprintf(ac.origin, sizeof ac.origin, "%s", c->nation);
    if ((e = mwds_assessor_create(&ac, &nd->as)) != MWDS_OK) {
        snprintf(err, el, "assessor: %s", mwds_strerror(e));
        return CLI_EXIT_FAIL;
    }
    nd->pub = calloc(TRACK_POOL, sizeof *nd->pub);
    nd->published = calloc(TRACK_POOL, sizeof *nd->published);
    nd->published_ns = calloc(TRACK_POOL, sizeof *nd->published_ns);
    if (nd->pub == NULL || nd->published == NULL || nd->published_ns == NULL) {
        snprintf(err, el, "out of memory");
        return CLI_EXIT_FAIL;
    }
    mwds_net_config nc;
    mwds_net_config_default(&nc, c->nation, &nd->pol);
    nc.domain_id = c->domain_id;
    nc.secure = c->secure;
    nc.loopback = c->loopback;
    nc.security.pki_dir = c->pki[0] ? c->pki : NULL;
    if ((e = mwds_net_create(&nc, &nd->net, err, el)) != MWDS_OK)
        return e == MWDS_EINVAL ? CLI_EXIT_USAGE : CLI_EXIT_FAIL;
    if (!nd->quiet)
        printf("mwds node %s: domain %u, %s, %zu sensors; tracks to %s, warnings to %s; "
               "journal %s (warnings from W%u, local tracks from %u, system tracks from %u)\n",
               c->nation, (unsigned)c->domain_id, c->secure ? "DDS Security on" : "NO SECURITY",
               nd->n_sensors, nd->part[MWDS_TOPIC_TRACK], nd->part[MWDS_TOPIC_WARNING],
               c->journal, first_warning, nd->track_base + 1, nd->sys_base + 1);
    fflush(stdout);
    return CLI_CONTINUE;
}

static void node_close(node *nd)
{
    if (nd->net) {
        mwds_net_flush(nd->net, 2 * (int64_t)1000000000);
        mwds_net_destroy(nd->net);
    }
    if (nd->j) {
        mwds_journal_flush(nd->j);
        mwds_journal_close(nd->j);
    }
    mwds_assessor_destroy(nd->as);
    mwds_launch_templates_destroy(nd->lt);
    mwds_fusion_destroy(nd->fz);
    mwds_tracker_destroy(nd->trk);
    if (nd->have_areas)
        mwds_areas_fini(&nd->areas);
    if (nd->have_sc)
        mwds_scenario_fini(&nd->sc);
    free(nd->sensors);
    free(nd->pub);
    free(nd->published);
    free(nd->published_ns);
    free(nd->buf);
    free(nd->warned);
}

/* ---- the loop's parts ---- */

/* Publishes the node's confirmed tracks that changed, and ends those gone. */
static void publish_tracks(node *nd)
{
    int n_slots;
    const mwds_track *tr = mwds_tracker_tracks(nd->trk, &n_slots);
    int64_t now = mwds_net_now();
    int n_published = 0;
    for (int i = 0; i < n_slots && i < TRACK_POOL; i++) {
        pubrec *p = &nd->pub[i];
        const mwds_track *t = &tr[i];
        int live = t->status == MWDS_TRACK_CONFIRMED;
        if (p->number != 0 && (!live || t->number + nd->track_base != p->number)) {
            /* the track this slot published is gone: its last sample */
            mwds_track gone;
            memset(&gone, 0, sizeof gone);
            gone.number = p->number;
            gone.status = MWDS_TRACK_CONFIRMED;
            gone.f.n = 7;
            gone.f.t_ns = p->t_update_ns;
            for (int k = 0; k < 7; k++)
                gone.f.p.m[k][k] = 1.0;
            mwds_net_publish_track(nd->net, &gone, p->revision + 1, 1, nd->cfg.exercise,
                                   nd->cause);
            journal_put(nd, "Track", MWDS_JOURNAL_SENT, nd->cfg.nation, p->number,
                        p->revision + 1, nd->part[MWDS_TOPIC_TRACK], nd->cfg.exercise,
                        p->t_update_ns, now, 0, json_pack("{s:b}", "ended", 1), 0, NULL);
            mwds_source_track s;
            memset(&s, 0, sizeof s);
            snprintf(s.origin, sizeof s.origin, "%s", nd->cfg.nation);
            s.number = p->number;
            s.f = gone.f;
            s.ended = 1;
            mwds_fusion_put(nd->fz, &s);
            p->number = 0;
        }
        if (!live || t->t_update_ns == p->t_update_ns)
            continue;
        mwds_track out = *t;
        out.number = t->number + nd->track_base;
        if (p->number != out.number) {
            p->number = out.number;
            p->revision = 0;
        }
        p->revision++;
        p->t_update_ns = t->t_update_ns;
        mwds_net_publish_track(nd->net, &out, p->revision, 0, nd->cfg.exercise, nd->cause);
        nd->published_ns[n_published] = mwds_net_now();
        nd->published[n_published++] = i;
    }
    /* then the bookkeeping, out of the way of the samples: the journal
     * (JSON) and the node's own fusion */
    for (int k = 0; k < n_published; k++) {
        const mwds_track *t = &tr[nd->published[k]];
        const pubrec *p = &nd->pub[nd->published[k]];
        mwds_track out = *t;
        out.number = p->number;
        journal_put(nd, "Track", MWDS_JOURNAL_SENT, nd->cfg.nation, out.number, p->revision,
                    nd->part[MWDS_TOPIC_TRACK], nd->cfg.exercise, t->f.t_ns,
                    nd->published_ns[k], 0,
                    json_pack("{s:o, s:i, s:I, s:I}", "state", state_json(&t->f), "hits",
                              t->hits, "cause_seq", (json_int_t)nd->cause.seq, "cause_pub_ns",
                              (json_int_t)nd->cause.pub_ns),
                    0, NULL);
        mwds_source_track s;
        memset(&s, 0, sizeof s);
        snprintf(s.origin, sizeof s.origin, "%s", nd->cfg.nation);
        s.number = out.number;
        s.f = t->f;
        s.t_init_ns = t->t_init_ns;
        s.t_update_ns = t->t_update_ns;
        s.hits = t->hits;
        mwds_fusion_put(nd->fz, &s);
    }
}

static int on_look(void *ctx, const mwds_net_look *l)
{
    node *nd = ctx;
    if (strcmp(l->rx.origin, nd->cfg.nation) != 0 || l->sensor_id >= nd->n_sensors)
        return 0; /* not one of this node's sensors */
    if (l->exercise != nd->cfg.exercise)
        return 0; /* never mix exercise and real-world data */
    mwds_err e = mwds_tracker_look(nd->trk, l->sensor_id, l->t_ns, l->m, l->count, NULL);
    if (e != MWDS_OK)
        fprintf(stderr, "mwds node %s: look of sensor %u: %s\n", nd->cfg.nation, l->sensor_id,
                mwds_strerror(e));
    nd->looks++;
    nd->cause = (mwds_net_cause){l->seq, l->pub_ns};
    if (l->t_ns > nd->picture_ns)
        nd->picture_ns = l->t_ns;
    nd->dirty = 1;
    int64_t now = mwds_net_now();
    /* the tracks first: journalling the look (its JSON) is not in the way
     * of its effect reaching the partners */
    publish_tracks(nd);
    json_t *dets = json_array();
    for (int i = 0; i < l->count; i++) {
        json_t *z = json_array();
        for (int k = 0; k < l->m[i].dim; k++)
            json_array_append_new(z, json_real(l->m[i].z[k]));
        json_array_append_new(dets, z);
    }
    journal_put(nd, "Measurement", MWDS_JOURNAL_RECEIVED, l->rx.origin, l->sensor_id,
                (int64_t)l->seq, nd->part[MWDS_TOPIC_MEASUREMENT], l->exercise, l->t_ns,
                l->rx.send_ns, now, json_pack("{s:o}", "z", dets), 0, NULL);
    return 0;
}

static void heard(node *nd, const char *origin)
{
    int k = mwds_policy_nation(&nd->pol, origin);
    if (k >= 0 && !(nd->heard & (1u << k))) {
        nd->heard |= 1u << k;
        if (!nd->quiet)
            printf("mwds node %s: hearing %s\n", nd->cfg.nation, origin);
    }
}

static int on_track(void *ctx, const mwds_net_track *t)
{
    node *nd = ctx;
    if (t->exercise != nd->cfg.exercise || strcmp(t->rx.origin, nd->cfg.nation) == 0)
        return 0;
    heard(nd, t->rx.origin);
    nd->tracks_rx++;
    int64_t now = mwds_net_now();
    mwds_source_track s;
    memset(&s, 0, sizeof s);
    snprintf(s.origin, sizeof s.origin, "%s", t->rx.origin);
    s.number = t->number;
    s.f = t->f;
    s.t_init_ns = t->t_init_ns;
    s.t_update_ns = t->t_update_ns;
    s.hits = (int)t->hits;
    s.ended = t->ended;
    if (t->status == MWDS_TRACK_CONFIRMED || t->ended) {
        mwds_err e = mwds_fusion_put(nd->fz, &s);
        if (e != MWDS_OK && e != MWDS_ENOTFOUND)
            fprintf(stderr, "mwds node %s: fusion of %s track %u: %s\n", nd->cfg.nation,
                    t->rx.origin, t->number, mwds_strerror(e));
        nd->dirty = 1;
    }
    journal_put(nd, "Track", MWDS_JOURNAL_RECEIVED, t->rx.origin, t->number, t->revision, "",
                t->exercise, t->f.t_ns, t->rx.send_ns, now,
                t->ended ? json_pack("{s:b}", "ended", 1)
                         : json_pack("{s:o, s:I, s:I, s:I}", "state", state_json(&t->f), "hits",
                                     (json_int_t)t->hits, "cause_seq", (json_int_t)t->cause.seq,
                                     "cause_pub_ns", (json_int_t)t->cause.pub_ns),
                0, NULL);
    return 0;
}

static int on_warning(void *ctx, const mwds_net_warning *w)
{
    node *nd = ctx;
    if (w->w.exercise != nd->cfg.exercise || strcmp(w->rx.origin, nd->cfg.nation) == 0)
        return 0;
    heard(nd, w->rx.origin);
    int64_t now = mwds_net_now();
    int added = 0;
    json_t *o = warn_json(&w->w, 0);
    json_object_set_new(o, "cause_seq", json_integer((json_int_t)w->cause.seq));
    json_object_set_new(o, "cause_pub_ns", json_integer((json_int_t)w->cause.pub_ns));
    journal_put(nd, "Warning", MWDS_JOURNAL_RECEIVED, w->rx.origin, w->w.id, 0, "",
                w->w.exercise, w->w.issued_t_ns, w->rx.send_ns, now, o, 1, &added);
    if (!added) {
        nd->warnings_dup++;
        return 0;
    }
    nd->warnings_received++;
    node_web_warning(nd->web, &w->w, 0);
    if (!nd->quiet) {
        printf("mwds node %s: received  ", nd->cfg.nation);
        warn_print(stdout, &w->w, nd->start_ns);
    }
    return 0;
}

static int on_status(void *ctx, const mwds_net_status_rx *s)
{
    node *nd = ctx;
    if (strcmp(s->rx.origin, nd->cfg.nation) == 0)
        return 0;
    heard(nd, s->rx.origin);
    journal_put(nd, "NodeStatus", MWDS_JOURNAL_RECEIVED, s->rx.origin, 0, (int64_t)s->s.seq, "",
                s->s.exercise, s->s.picture_ns, s->rx.send_ns, mwds_net_now(),
                json_pack("{s:I, s:i, s:i, s:i, s:i}", "wall_ns", (json_int_t)s->s.wall_ns,
                          "local_tracks", (int)s->s.local_tracks, "system_tracks",
                          (int)s->s.system_tracks, "warnings_issued", (int)s->s.warnings_issued,
                          "warnings_received", (int)s->s.warnings_received),
                0, NULL);
    return 0;
}

/* Fuses the picture, assesses it and issues the warnings due. */
static void assess(node *nd)
{
    if (!nd->dirty || nd->picture_ns == 0)
        return;
    nd->dirty = 0;
    mwds_err e = mwds_fusion_run(nd->fz, nd->picture_ns);
    if (e == MWDS_EFULL) /* the picture is whole but for the sources with no slot */
        fprintf(stderr, "mwds node %s: fusion: system track pool full\n", nd->cfg.nation);
    else if (e != MWDS_OK) {
        fprintf(stderr, "mwds node %s: fusion: %s\n", nd->cfg.nation, mwds_strerror(e));
        return;
    }
    int n_slots, nw = 0;
    const mwds_track *sys = mwds_fusion_tracks(nd->fz, &n_slots);
    mwds_warning w[MAX_WARN];
    do {
        e = mwds_assessor_update(nd->as, sys, n_slots, nd->picture_ns, w, MAX_WARN, &nw);
        if (e != MWDS_OK && e != MWDS_EFULL) {
            fprintf(stderr, "mwds node %s: assessor: %s\n", nd->cfg.nation, mwds_strerror(e));
            return;
        }
        int64_t now = mwds_net_now();
        for (int k = 0; k < nw; k++) {
            /* the published track number and id: the node's, which go on
             * across restarts, rather than the fusion's and the assessor's,
             * which start again from 1 */
            warned *r = warned_for(nd, w[k].track_number, &w[k]);
            if (r != NULL && already_said(r, &w[k])) {
                nd->warnings_withheld++;
                continue;
            }
            w[k].track_number = r != NULL ? r->number : w[k].track_number + nd->sys_base;
            w[k].basis.track_number = w[k].track_number;
            w[k].id = nd->next_warning_id++;
            json_t *o = warn_json(&w[k], 0);
            json_object_set_new(o, "cause_seq", json_integer((json_int_t)nd->cause.seq));
            json_object_set_new(o, "cause_pub_ns", json_integer((json_int_t)nd->cause.pub_ns));
            if (r != NULL) {
                warned_members(nd, r);
                note_warning(r, &w[k]);
                json_t *mem = json_array();
                for (int m = 0; m < r->n_members; m++) {
                    char text[24];
                    snprintf(text, sizeof text, "%s:%u", r->member_origin[m],
                             r->member_number[m]);
                    json_array_append_new(mem, json_string(text));
                }
                json_object_set_new(o, "members", mem);
            }
            /* journalled (committed) first: a kill before the publication
             * leaves the id used, never given again to another warning */
            journal_put(nd, "Warning", MWDS_JOURNAL_SENT, nd->cfg.nation, w[k].id, 0,
                        nd->part[MWDS_TOPIC_WARNING], w[k].exercise, w[k].issued_t_ns, now, 0, o,
                        1, NULL);
            if (mwds_net_publish_warning(nd->net, &w[k], nd->cause) != MWDS_OK)
                fprintf(stderr, "mwds node %s: publishing W%u failed\n", nd->cfg.nation,
                        w[k].id);
            nd->warnings_issued++;
            node_web_warning(nd->web, &w[k], 1);
            if (!nd->quiet) {
                printf("mwds node %s: issued    ", nd->cfg.nation);
                warn_print(stdout, &w[k], nd->start_ns);
            }
        }
    } while (e == MWDS_EFULL);
}

static void heartbeat(node *nd)
{
    int n_slots, local = 0, sys = 0;
    const mwds_track *t = mwds_tracker_tracks(nd->trk, &n_slots);
    for (int i = 0; i < n_slots; i++)
        local += t[i].status == MWDS_TRACK_CONFIRMED;
    t = mwds_fusion_tracks(nd->fz, &n_slots);
    for (int i = 0; i < n_slots; i++)
        sys += t[i].status == MWDS_TRACK_CONFIRMED;
    mwds_net_status s;
    memset(&s, 0, sizeof s);
    snprintf(s.origin, sizeof s.origin, "%s", nd->cfg.nation);
    s.seq = ++nd->status_seq;
    s.wall_ns = mwds_net_now();
    s.picture_ns = nd->picture_ns;
    s.exercise = nd->cfg.exercise;
    s.local_tracks = (uint32_t)local;
    s.system_tracks = (uint32_t)sys;
    s.warnings_issued = nd->warnings_issued;
    s.warnings_received = nd->warnings_received;
    for (uint32_t h = nd->heard; h; h &= h - 1)
        s.partners_heard++;
    mwds_net_publish_status(nd->net, &s);
    journal_put(nd, "NodeStatus", MWDS_JOURNAL_SENT, nd->cfg.nation, 0, (int64_t)s.seq,
                nd->part[MWDS_TOPIC_NODE_STATUS], s.exercise, s.picture_ns, s.wall_ns, 0,
                json_pack("{s:i, s:i, s:i, s:i}", "local_tracks", local, "system_tracks", sys,
                          "warnings_issued", (int)s.warnings_issued, "warnings_received",
                          (int)s.warnings_received),
                0, NULL);
}

int cmd_node(int argc, char **argv)
{
    const char *cmd = "node";
    cli_flag flags[] = {
        {"--config", 1, NULL}, {"--quiet", 0, NULL}, {"--help", 0, NULL},
        {"--lockstep", 0, NULL}, {"--http", 1, NULL}, {"--http-bind", 1, NULL},
        {NULL, 0, NULL}};
    int rc = cli_start(cmd, argc, argv, flags, NODE_HELP);
    if (rc != CLI_CONTINUE)
        return rc;
    const char *path = cli_get(flags, "--config");
    if (path == NULL) {
        fprintf(stderr, "mwds node: --config FILE is required (see mwds node --help)\n");
        return CLI_EXIT_USAGE;
    }
    node *nd = calloc(1, sizeof *nd);
    if (nd == NULL)
        return CLI_EXIT_FAIL;
    nd->quiet = cli_get(flags, "--quiet") != NULL;
    if ((rc = node_web_check(cli_get(flags, "--http"), cli_get(flags, "--http-bind"))) !=
        CLI_CONTINUE) {
        free(nd);
        return rc;
    }
    rc = node_open(nd, path);
    if (rc != CLI_CONTINUE) {
        fprintf(stderr, "mwds node: %s\n", nd->err[0] ? nd->err : "cannot start");
        node_close(nd);
        free(nd);
        return rc;
    }
    rc = node_web_open(&nd->web, cli_get(flags, "--http"), cli_get(flags, "--http-bind"),
                       nd->cfg.nation, nd->cfg.exercise, nd->sc.name, nd->start_ns, nd->sys_base,
                       nd->quiet);
    if (rc != CLI_CONTINUE) {
        node_close(nd);
        free(nd);
        return rc;
    }
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    const int64_t hb_ns = (int64_t)(nd->cfg.heartbeat_s * 1e9);
    int64_t next_hb = mwds_net_now();
    /* --lockstep: the picture time last reported (sim_gate.h) */
    const int lockstep = cli_get(flags, "--lockstep") != NULL;
    int64_t reported_ns = 0;
    while (!g_stop) {
        int64_t now = mwds_net_now();
        if (now >= next_hb) {
            heartbeat(nd);
            next_hb = now + hb_ns;
        }
        int64_t wait = next_hb - now;
        if (wait > 100000000)
            wait = 100000000; /* notice a signal within 0.1 s */
        mwds_net_wait(nd->net, wait);
        mwds_net_take_looks(nd->net, on_look, nd, 0, NULL);
        mwds_net_take_tracks(nd->net, on_track, nd, 0, NULL);
        mwds_net_take_warnings(nd->net, on_warning, nd, 0, NULL);
        mwds_net_take_status(nd->net, on_status, nd, 0, NULL);
        assess(nd);
        node_web_update(nd->web, nd->fz, nd->as, nd->picture_ns);
        if (lockstep && nd->picture_ns != reported_ns) {
            reported_ns = nd->picture_ns;
            heartbeat(nd);
        }
        mwds_journal_tick(nd->j, mwds_net_now());
        fflush(stdout);
    }
    if (!nd->quiet)
        printf("mwds node %s: stopping: %llu looks, %u warnings issued (%u withheld: said "
               "before a restart), %u received (%u again, not journalled twice)\n",
               nd->cfg.nation, (unsigned long long)nd->looks, nd->warnings_issued,
               nd->warnings_withheld, nd->warnings_received, nd->warnings_dup);
    node_web_close(nd->web);
    node_close(nd);
    free(nd);
    return CLI_EXIT_OK;
}
