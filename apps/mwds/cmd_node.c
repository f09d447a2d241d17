/*
 * mwds node --config FILE: one nation's node.
 *
 * Its threads (node.h): the tracking side takes every sample; own
 *   sensors' looks go to the tracker and the confirmed tracks they changed
 *   are published at once (with the look that caused them, for latency);
 *   partners' tracks and warnings are stamped on receipt. It runs on DDS's
 *   receive thread, in the callback that says samples have arrived
 *   (mwds_net_listen), so that no hand-over to another thread stands
 *   between a look's arrival and its tracks' departure; the node's main
 *   thread only sends the heartbeat and retries hand-overs. With
 *   --lockstep the main thread waits for samples and takes them itself,
 *   one topic after the other, so that a replay takes them in the same
 *   order;
 * the picture thread fuses the node's own and the partners' tracks into
 *   system tracks, assesses them and issues warnings, published durably,
 *   journalled and printed;
 * the journal thread journals every sample sent and received;
 * the main thread also sends a NodeStatus heartbeat every heartbeat_s
 *   of wall time.
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
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "commands.h"
#include "mwds/assess.h"
#include "mwds/fusion.h"
#include "mwds/journal.h"
#include "mwds/net.h"
#include "mwds/policy.h"
#include "mwds/scenario.h"
#include "node.h"
#include "node_config.h"
#include "node_web.h"

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

typedef struct pubrec {
    uint32_t number;
    int64_t t_update_ns;
    uint32_t revision;
} pubrec;

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
    pthread_mutex_t jlock;
    node_log log;
    node_picture pic;
    mwds_net *net;
    char part[MWDS_TOPIC_COUNT][MWDS_PARTITION_LEN];
    pubrec *pub;
    mwds_source_track *handed; /* sources handed to the picture per look (TRACK_POOL) */
    uint32_t track_base;       /* added to tracker numbers: not reused after restart */
    mwds_net_cause cause;      /* the latest look */
    int64_t picture_ns, start_ns;
    atomic_ullong status_seq;
    atomic_uint heard; /* partners heard, bit per policy nation */
    atomic_int local_tracks;
    uint64_t looks, tracks_rx, tracks_failed;
    node_web *web; /* the operator display (--http), or NULL */
    int cpu_latency_fd; /* holds the CPU wake-up latency request, or -1 */
    /* The tracking side's state (tracker, pub, handed, the hand-over
     * stages) is used by one thread at a time: the receive callbacks and
     * the main thread's passes hold tracking while they run. */
    pthread_mutex_t tracking;
    int staged;        /* handed-over data still staged (tracking held) */
    int64_t offered_ns; /* the last hand-over from a receive callback */
    char err[1024];
} node;

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
        mwds_policy_partition(&nd->pol, c->nation, (mwds_topic)t, nd->part[t], sizeof nd->part[t]);
    /* this nation's sensors, numbered from 0 in file order (as mwds sim
     * numbers the looks it publishes) */
    nd->sensors = calloc(nd->sc.n_sensors ? nd->sc.n_sensors : 1, sizeof *nd->sensors);
    if (nd->sensors == NULL) {
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
    pthread_mutex_init(&nd->jlock, NULL);
    mwds_err e = mwds_journal_open(c->journal, NULL, &nd->j, err, el);
    if (e != MWDS_OK)
        return e == MWDS_EPARSE ? CLI_EXIT_USAGE : CLI_EXIT_FAIL;
    int64_t last = 0;
    uint32_t first_warning = 1;
    if (mwds_journal_max_key(nd->j, "Warning", MWDS_JOURNAL_SENT, c->nation, &last) == MWDS_OK)
        first_warning = (uint32_t)last + 1;
    if (mwds_journal_max_key(nd->j, "Track", MWDS_JOURNAL_SENT, c->nation, &last) == MWDS_OK)
        nd->track_base = (uint32_t)last;
    node_picture *pic = &nd->pic;
    pic->cfg = &nd->cfg;
    pic->j = nd->j;
    pic->jlock = &nd->jlock;
    pic->next_warning_id = first_warning;
    if (node_picture_restore(pic, err, el) != 0)
        return CLI_EXIT_FAIL;
    mwds_tracker_config tc;
    mwds_tracker_config_default(&tc);
    tc.max_tracks = NODE_TRACK_POOL;
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
    /* a few assessments per pass, then the picture is fused again: a
     * warning rests on data at most a pass old, and a new track's LAUNCH
     * goes ahead of the others' updates. With --lockstep all that are due,
     * each look (a replay does not depend on timing either way). */
    ac.max_assessments = nd->pic.lockstep ? 0 : NODE_ASSESS_PER_PASS;
    ac.first_warning_id = first_warning;
    snprintf(ac.origin, sizeof ac.origin, "%s", c->nation);
    if ((e = mwds_assessor_create(&ac, &nd->as)) != MWDS_OK) {
        snprintf(err, el, "assessor: %s", mwds_strerror(e));
        return CLI_EXIT_FAIL;
    }
    nd->pub = calloc(NODE_TRACK_POOL, sizeof *nd->pub);
    nd->handed = calloc(NODE_TRACK_POOL, sizeof *nd->handed);
    if (nd->pub == NULL || nd->handed == NULL) {
        snprintf(err, el, "out of memory");
        return CLI_EXIT_FAIL;
    }
    mwds_net_config nc;
    mwds_net_config_default(&nc, c->nation, &nd->pol);
    nc.domain_id = c->domain_id;
    nc.secure = c->secure;
    nc.loopback = c->loopback;
    nc.realtime_priority = c->realtime_priority;
    nc.security.pki_dir = c->pki[0] ? c->pki : NULL;
    if ((e = mwds_net_create(&nc, &nd->net, err, el)) != MWDS_OK)
        return e == MWDS_EINVAL ? CLI_EXIT_USAGE : CLI_EXIT_FAIL;
    if (!nd->quiet)
        printf("mwds node %s: domain %u, %s, %zu sensors; tracks to %s, warnings to %s; "
               "journal %s (warnings from W%u, local tracks from %u, system tracks from %u)\n",
               c->nation, (unsigned)c->domain_id, c->secure ? "DDS Security on" : "NO SECURITY",
               nd->n_sensors, nd->part[MWDS_TOPIC_TRACK], nd->part[MWDS_TOPIC_WARNING], c->journal,
               first_warning, nd->track_base + 1, pic->sys_base + 1);
    fflush(stdout);
    return CLI_CONTINUE;
}

/* Starts the picture and journal threads, once everything they use is in
 * place (the display included). */
static int node_start(node *nd)
{
    node_picture *pic = &nd->pic;
    const node_config *c = &nd->cfg;
    pic->quiet = nd->quiet;
    pic->start_ns = nd->start_ns;
    pic->warning_partition = nd->part[MWDS_TOPIC_WARNING];
    pic->status_partition = nd->part[MWDS_TOPIC_NODE_STATUS];
    pic->net = nd->net;
    pic->log = &nd->log;
    pic->fz = nd->fz;
    pic->as = nd->as;
    pic->status_seq = &nd->status_seq;
    pic->heard = &nd->heard;
    pic->local_tracks = &nd->local_tracks;
    pic->web = nd->web;
    if (node_log_start(&nd->log, nd->j, &nd->jlock, c->nation) != 0 ||
        node_picture_start(pic) != 0) {
        snprintf(nd->err, sizeof nd->err, "cannot start the node's threads");
        return CLI_EXIT_FAIL;
    }
    return CLI_CONTINUE;
}

static void node_close(node *nd)
{
    /* the picture first (it hands rows to the journal thread), then the
     * journal thread; both finish what was handed to them */
    node_picture_stop(&nd->pic);
    node_log_stop(&nd->log);
    node_web_close(nd->web);
    nd->web = NULL;
    if (nd->cpu_latency_fd >= 0)
        close(nd->cpu_latency_fd); /* ends the request */
    nd->cpu_latency_fd = -1;
    if (nd->net) {
        mwds_net_flush(nd->net, 2 * (int64_t)1000000000);
        mwds_net_destroy(nd->net);
    }
    if (nd->j) {
        mwds_journal_flush(nd->j);
        mwds_journal_close(nd->j);
    }
    node_picture_fini(&nd->pic);
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
    free(nd->handed);
}

/* ---- the tracking side's parts ---- */

static mwds_source_track source_of(const node *nd, uint32_t number, const mwds_filter_state *f)
{
    mwds_source_track s;
    memset(&s, 0, sizeof s);
    snprintf(s.origin, sizeof s.origin, "%s", nd->cfg.nation);
    s.number = number;
    s.f = *f;
    return s;
}

/* The slot whose confirmed track has the published number now, or -1. */
static int published_in(const node *nd, const mwds_track *tr, int n_slots, uint32_t number)
{
    for (int i = 0; i < n_slots && i < NODE_TRACK_POOL; i++)
        if (tr[i].status == MWDS_TRACK_CONFIRMED && tr[i].number + nd->track_base == number)
            return i;
    return -1;
}

/* A Track write that failed (DDS gave up waiting for acknowledgements:
 * a reliable writer blocks at most a second when its readers fall behind)
 * is said once and counted; the track's next revision goes out as usual. */
static void track_written(node *nd, mwds_err e)
{
    if (e == MWDS_OK)
        return;
    if (nd->tracks_failed++ == 0)
        fprintf(stderr, "mwds node %s: a Track sample could not be written (%s); the count is "
                        "given at the end\n",
                nd->cfg.nation, mwds_strerror(e));
}

/* Publishes the node's confirmed tracks that changed, and ends those gone;
 * then hands them to the picture and the journal, out of the way of the
 * samples. */
static void publish_tracks(node *nd)
{
    int n_slots, n_handed = 0, local = 0;
    const mwds_track *tr = mwds_tracker_tracks(nd->trk, &n_slots);
    mwds_net_hold_tracks(nd->net, 1);
    uint32_t revision[NODE_TRACK_POOL];
    int ended[NODE_TRACK_POOL];
    pubrec moved[NODE_TRACK_POOL]; /* numbers a merge moved to another slot */
    int n_moved = 0;
    for (int i = 0; i < n_slots && i < NODE_TRACK_POOL; i++) {
        pubrec *p = &nd->pub[i];
        const mwds_track *t = &tr[i];
        int live = t->status == MWDS_TRACK_CONFIRMED;
        local += live;
        if (p->number != 0 && (!live || t->number + nd->track_base != p->number) &&
            published_in(nd, tr, n_slots, p->number) >= 0) {
            /* the tracker's duplicate pruning moved the number to another
             * slot: it goes on there, with its revisions */
            moved[n_moved++] = *p;
            p->number = 0;
        }
        if (p->number != 0 && (!live || t->number + nd->track_base != p->number)) {
            /* the track this slot published is gone: its last sample */
            mwds_track gone;
            memset(&gone, 0, sizeof gone);
            gone.number = p->number;
            gone.status = MWDS_TRACK_CONFIRMED;
            gone.f.n = 7;
            gone.f.t_ns = p->t_update_ns;
            gone.t_update_ns = nd->picture_ns; /* the look that dropped it (node.h) */
            for (int k = 0; k < 7; k++)
                gone.f.p.m[k][k] = 1.0;
            track_written(nd, mwds_net_publish_track(nd->net, &gone, p->revision + 1, 1,
                                                     nd->cfg.exercise, nd->cause));
            mwds_source_track *s = &nd->handed[n_handed];
            *s = source_of(nd, p->number, &gone.f);
            s->ended = 1;
            revision[n_handed] = p->revision + 1;
            ended[n_handed++] = 1;
            p->number = 0;
        }
        if (!live || n_handed == NODE_TRACK_POOL ||
            (t->t_update_ns == p->t_update_ns && t->number + nd->track_base == p->number))
            continue;
        mwds_track out = *t;
        out.number = t->number + nd->track_base;
        if (p->number != out.number) {
            /* a new track, or one whose number a merge moved here from
             * another slot (mwds_tracker keeps the older number): its
             * revisions go on */
            p->revision = 0;
            for (int k = 0; k < n_moved; k++)
                if (moved[k].number == out.number)
                    p->revision = moved[k].revision;
            for (int k = 0; k < n_slots && k < NODE_TRACK_POOL; k++)
                if (k != i && nd->pub[k].number == out.number) {
                    p->revision = nd->pub[k].revision; /* its old slot comes later */
                    nd->pub[k].number = 0;
                }
            p->number = out.number;
        }
        p->revision++;
        p->t_update_ns = t->t_update_ns;
        track_written(nd, mwds_net_publish_track(nd->net, &out, p->revision, 0, nd->cfg.exercise,
                                                 nd->cause));
        mwds_source_track *s = &nd->handed[n_handed];
        *s = source_of(nd, out.number, &t->f);
        s->t_init_ns = t->t_init_ns;
        s->t_update_ns = t->t_update_ns;
        s->hits = t->hits;
        revision[n_handed] = p->revision;
        ended[n_handed++] = 0;
    }
    mwds_net_hold_tracks(nd->net, 0);
    int64_t t_send = mwds_net_now(); /* sent together */
    atomic_store(&nd->local_tracks, local);
    node_picture_put(&nd->pic, nd->handed, (size_t)n_handed, nd->picture_ns, nd->cause);
    for (int k = 0; k < n_handed; k++) {
        const mwds_source_track *s = &nd->handed[k];
        log_row r = node_log_row(ended[k] ? LOG_TRACK_ENDED : LOG_TRACK, "Track", MWDS_JOURNAL_SENT,
                                 nd->cfg.nation, s->number, revision[k], nd->part[MWDS_TOPIC_TRACK],
                                 nd->cfg.exercise, s->f.t_ns, t_send, 0);
        r.u.track.f = s->f;
        r.u.track.hits = s->hits;
        r.u.track.cause = nd->cause;
        node_log_put_hot(&nd->log, &r);
    }
}

static int on_look(void *ctx, const mwds_net_look *l)
{
    node *nd = ctx;
    int64_t now = mwds_net_now();
    if (strcmp(l->rx.origin, nd->cfg.nation) != 0 || l->sensor_id >= nd->n_sensors)
        return 0; /* not one of this node's sensors */
    if (l->exercise != nd->cfg.exercise)
        return 0; /* never mix exercise and real-world data */
    mwds_err e =
        mwds_tracker_look_dwell(nd->trk, l->sensor_id, l->dwell, l->t_ns, l->m, l->count, NULL);
    if (e != MWDS_OK)
        fprintf(stderr, "mwds node %s: look of sensor %u: %s\n", nd->cfg.nation, l->sensor_id,
                mwds_strerror(e));
    nd->looks++;
    nd->cause = (mwds_net_cause){l->seq, l->pub_ns};
    if (l->t_ns > nd->picture_ns)
        nd->picture_ns = l->t_ns;
    publish_tracks(nd);
    log_row r = node_log_row(LOG_LOOK, "Measurement", MWDS_JOURNAL_RECEIVED, l->rx.origin,
                             l->sensor_id, (int64_t)l->seq, nd->part[MWDS_TOPIC_MEASUREMENT],
                             l->exercise, l->t_ns, l->rx.send_ns, now);
    r.u.look.count = l->count;
    r.u.look.m = malloc((size_t)(l->count > 0 ? l->count : 1) * sizeof *l->m);
    if (r.u.look.m == NULL) {
        r.u.look.count = 0; /* the row says the look came, without its detections */
        fprintf(stderr, "mwds node %s: out of memory: look %llu journalled without detections\n",
                nd->cfg.nation, (unsigned long long)l->seq);
    } else if (l->count > 0)
        memcpy(r.u.look.m, l->m, (size_t)l->count * sizeof *l->m);
    node_log_put_hot(&nd->log, &r);
    return 0;
}

static void heard(node *nd, const char *origin)
{
    int k = mwds_policy_nation(&nd->pol, origin);
    if (k >= 0 && !(atomic_load(&nd->heard) & (1u << k))) {
        atomic_fetch_or(&nd->heard, 1u << k);
        if (!nd->quiet)
            printf("mwds node %s: hearing %s\n", nd->cfg.nation, origin);
    }
}

static int on_track(void *ctx, const mwds_net_track *t)
{
    node *nd = ctx;
    int64_t now = mwds_net_now();
    if (t->exercise != nd->cfg.exercise || strcmp(t->rx.origin, nd->cfg.nation) == 0)
        return 0;
    heard(nd, t->rx.origin);
    nd->tracks_rx++;
    if (t->status == MWDS_TRACK_CONFIRMED || t->ended) {
        mwds_source_track s;
        memset(&s, 0, sizeof s);
        snprintf(s.origin, sizeof s.origin, "%s", t->rx.origin);
        s.number = t->number;
        s.f = t->f;
        s.t_init_ns = t->t_init_ns;
        s.t_update_ns = t->t_update_ns;
        s.hits = (int)t->hits;
        s.ended = t->ended;
        node_picture_put_received(&nd->pic, &s, t->revision);
    }
    log_row r = node_log_row(t->ended ? LOG_TRACK_ENDED : LOG_TRACK, "Track", MWDS_JOURNAL_RECEIVED,
                             t->rx.origin, t->number, t->revision, "", t->exercise, t->f.t_ns,
                             t->rx.send_ns, now);
    r.u.track.f = t->f;
    r.u.track.hits = (int)t->hits;
    r.u.track.cause = t->cause;
    node_log_put_hot(&nd->log, &r);
    return 0;
}

static int on_warning(void *ctx, const mwds_net_warning *w)
{
    node *nd = ctx;
    int64_t now = mwds_net_now();
    if (w->w.exercise != nd->cfg.exercise || strcmp(w->rx.origin, nd->cfg.nation) == 0)
        return 0;
    heard(nd, w->rx.origin);
    node_picture_put_warning(&nd->pic, w, now);
    return 0;
}

static int on_status(void *ctx, const mwds_net_status_rx *s)
{
    node *nd = ctx;
    int64_t now = mwds_net_now();
    if (strcmp(s->rx.origin, nd->cfg.nation) == 0)
        return 0;
    heard(nd, s->rx.origin);
    log_row r =
        node_log_row(LOG_STATUS_RX, "NodeStatus", MWDS_JOURNAL_RECEIVED, s->rx.origin, 0,
                     (int64_t)s->s.seq, "", s->s.exercise, s->s.picture_ns, s->rx.send_ns, now);
    r.u.status.wall_ns = s->s.wall_ns;
    r.u.status.local = (int)s->s.local_tracks;
    r.u.status.sys = (int)s->s.system_tracks;
    r.u.status.issued = (int)s->s.warnings_issued;
    r.u.status.received = (int)s->s.warnings_received;
    node_log_put_hot(&nd->log, &r);
    return 0;
}

#define NODE_OFFER_NS 1000000

/* Hands what is staged to the picture and journal threads, without
 * waiting for their locks (tracking held). */
static void hand_over(node *nd)
{
    nd->staged = node_picture_offer(&nd->pic, 0) | node_log_offer(&nd->log, 0);
}

/* DDS's receive thread: samples of topic t have arrived. */
static void on_data(void *ctx, mwds_topic t)
{
    node *nd = ctx;
    pthread_mutex_lock(&nd->tracking);
    switch (t) {
    case MWDS_TOPIC_MEASUREMENT:
        mwds_net_take_looks(nd->net, on_look, nd, 0, NULL);
        break;
    case MWDS_TOPIC_TRACK:
        mwds_net_take_tracks(nd->net, on_track, nd, 0, NULL);
        break;
    case MWDS_TOPIC_WARNING:
        mwds_net_take_warnings(nd->net, on_warning, nd, 0, NULL);
        break;
    default:
        mwds_net_take_status(nd->net, on_status, nd, 0, NULL);
        break;
    }
    /* a message of several samples calls back once per sample: what is
     * staged is handed over (two try-locks; a thread is woken only if it
     * has gone to sleep, node.h) at most every NODE_OFFER_NS, and the main
     * thread's next pass hands over the rest */
    int64_t now = mwds_net_now();
    if (now - nd->offered_ns >= NODE_OFFER_NS) {
        hand_over(nd);
        nd->offered_ns = now;
    } else
        nd->staged = 1;
    pthread_mutex_unlock(&nd->tracking);
}

int cmd_node(int argc, char **argv)
{
    const char *cmd = "node";
    cli_flag flags[] = {{"--config", 1, NULL},   {"--quiet", 0, NULL}, {"--help", 0, NULL},
                        {"--lockstep", 0, NULL}, {"--http", 1, NULL},  {"--http-bind", 1, NULL},
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
    pthread_mutex_init(&nd->tracking, NULL);
    nd->cpu_latency_fd = -1;
    nd->quiet = cli_get(flags, "--quiet") != NULL;
    nd->pic.lockstep = cli_get(flags, "--lockstep") != NULL;
    if ((rc = node_web_check(cli_get(flags, "--http"), cli_get(flags, "--http-bind"))) !=
        CLI_CONTINUE) {
        pthread_mutex_destroy(&nd->tracking);
        free(nd);
        return rc;
    }
    rc = node_open(nd, path);
    if (rc == CLI_CONTINUE) {
        rc = node_web_open(&nd->web, cli_get(flags, "--http"), cli_get(flags, "--http-bind"),
                           nd->cfg.nation, nd->cfg.exercise, nd->sc.name, nd->start_ns,
                           nd->pic.sys_base, nd->quiet);
        if (rc != CLI_CONTINUE)
            nd->err[0] = '\0'; /* node_web_open has said why */
    }
    if (rc == CLI_CONTINUE)
        rc = node_start(nd);
    /* the background threads are started: only the main thread (and
     * DDS's receive threads, by the domain's configuration) go realtime */
    if (rc == CLI_CONTINUE && nd->cfg.realtime_priority > 0 &&
        mwds_net_realtime_self(nd->cfg.realtime_priority, nd->err, sizeof nd->err) != 0)
        rc = CLI_EXIT_FAIL;
    if (rc == CLI_CONTINUE && nd->cfg.cpu_latency_us >= 0 &&
        (nd->cpu_latency_fd =
             mwds_net_cpu_latency(nd->cfg.cpu_latency_us, nd->err, sizeof nd->err)) < 0)
        rc = CLI_EXIT_FAIL;
    if (rc == CLI_CONTINUE && !nd->quiet &&
        (nd->cfg.realtime_priority > 0 || nd->cfg.cpu_latency_us >= 0)) {
        printf("mwds node %s: ", nd->cfg.nation);
        if (nd->cfg.realtime_priority > 0)
            printf("realtime priority %d%s", nd->cfg.realtime_priority,
                   nd->cfg.cpu_latency_us >= 0 ? ", " : "\n");
        if (nd->cfg.cpu_latency_us >= 0)
            printf("idle CPUs wake within %d us while the node runs\n", nd->cfg.cpu_latency_us);
    }
    if (rc != CLI_CONTINUE) {
        if (nd->err[0])
            fprintf(stderr, "mwds node: %s\n", nd->err);
        node_close(nd);
        pthread_mutex_destroy(&nd->tracking);
        free(nd);
        return rc;
    }
    cli_catch_stop();
    const int64_t hb_ns = (int64_t)(nd->cfg.heartbeat_s * 1e9);
    int64_t next_hb = mwds_net_now();
    int listen = !nd->pic.lockstep;
    if (listen && mwds_net_listen(nd->net, (1u << MWDS_TOPIC_COUNT) - 1u, on_data, nd) != MWDS_OK) {
        fprintf(stderr, "mwds node %s: cannot take samples on DDS's receive thread; the main "
                        "thread takes them\n",
                nd->cfg.nation);
        listen = 0;
    }
    while (!cli_stop) {
        int64_t now = mwds_net_now();
        pthread_mutex_lock(&nd->tracking);
        if (now >= next_hb) {
            /* the picture time reported is the one fused and assessed;
             * with --lockstep the picture thread sends them all */
            if (!nd->pic.lockstep)
                node_status(&nd->pic, (int64_t)atomic_load(&nd->pic.done_ns), 1);
            next_hb = now + hb_ns;
        }
        int64_t wait = next_hb - now;
        if (wait > 100000000)
            wait = 100000000; /* notice a signal within 0.1 s */
        if (nd->staged)
            wait = 1000000; /* a background thread held its lock: try again soon */
        pthread_mutex_unlock(&nd->tracking);
        mwds_net_wait(nd->net, wait);
        /* unless the receive thread takes them (mwds_net_listen took
         * those that came before), the topics in a fixed order */
        pthread_mutex_lock(&nd->tracking);
        if (!listen) {
            mwds_net_take_looks(nd->net, on_look, nd, 0, NULL);
            mwds_net_take_tracks(nd->net, on_track, nd, 0, NULL);
            mwds_net_take_warnings(nd->net, on_warning, nd, 0, NULL);
            mwds_net_take_status(nd->net, on_status, nd, 0, NULL);
        }
        hand_over(nd);
        pthread_mutex_unlock(&nd->tracking);
        fflush(stdout);
    }
    if (listen)
        mwds_net_listen(nd->net, 0, NULL, NULL); /* returns once no callback runs */
    node_picture_offer(&nd->pic, 1);
    node_log_offer(&nd->log, 1);
    node_picture_stop(&nd->pic);
    node_log_stop(&nd->log);
    if (!nd->quiet)
        printf("mwds node %s: stopping: %llu looks, %u warnings issued (%u withheld: said "
               "before a restart), %u received (%u again, not journalled twice); journal "
               "queue peak %zu rows; %llu Track writes failed\n",
               nd->cfg.nation, (unsigned long long)nd->looks, atomic_load(&nd->pic.warnings_issued),
               nd->pic.warnings_withheld, atomic_load(&nd->pic.warnings_received),
               atomic_load(&nd->pic.warnings_dup), nd->log.peak,
               (unsigned long long)nd->tracks_failed);
    node_close(nd);
    pthread_mutex_destroy(&nd->tracking);
    free(nd);
    return CLI_EXIT_OK;
}
