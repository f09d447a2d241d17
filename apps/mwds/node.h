/*
 * The node's parts (mwds node; cmd_node.c says what it does as a whole).
 *
 * Three threads, so that a look's tracks leave the node as soon as the
 * tracker has them, whatever the picture and the journal are doing:
 *
 *   the tracking side (cmd_node.c) takes every sample. Own sensors'
 *     looks go to the tracker and the tracks they change are published at
 *     once; then they are handed to the picture thread (as fusion sources)
 *     and to the journal thread. Partners' tracks and warnings are stamped
 *     with their receipt time when taken and handed on the same way. It
 *     runs on DDS's receive thread, called back as samples arrive
 *     (mwds_net_listen), or with --lockstep on the node's main thread,
 *     which waits for samples and takes them topic by topic. The main
 *     thread also sends the heartbeat and retries hand-overs.
 *   the picture thread (node_picture.c) fuses the sources handed to it,
 *     assesses the picture, issues warnings (journalled, committed, then
 *     published), journals received warnings (once each) and the system
 *     tracks (topic SystemTrack, the node's own picture: not shared, at
 *     most one row per track per NODE_SYSTEM_EVERY_S of picture time), and, with
 *     --lockstep, reports the picture time it has finished.
 *   the journal thread (node_log.c) formats the rows handed to it as JSON
 *     and appends them to the journal in batches.
 *
 * The picture and journal threads run at a lower priority (nice
 * NODE_BACKGROUND_NICE): when the machine is short of cores, the tracking
 * thread and DDS's own threads go first, and an assessment waits. With
 * realtime_priority set, the main thread and DDS's receive threads (the
 * tracking side) run SCHED_FIFO, ahead of everything else on the machine.
 *
 * Hand-over is by queues under a mutex: the producer appends, the consumer
 * takes the whole queue out and works without the lock. The journal's
 * queue is a list of blocks, so a hand-over links a block and never copies
 * the rows already waiting; the picture's holds one entry per source track
 * (the latest), so it cannot grow past the number of tracks. The tracking
 * thread never waits for a background thread's lock (which a preempted
 * background thread could hold for milliseconds): it stages what it hands
 * over in a queue of its own and moves it across when the lock is free
 * (try-lock), at the latest on its next pass. The picture
 * thread coalesces: however long an assessment takes, it next fuses the
 * latest state of every source that changed meanwhile, and assesses once. The
 * journal handle is shared by the journal thread and the picture thread's
 * durable warning rows, under its own mutex.
 *
 * With --lockstep (mwds exercise --speed max) the picture thread does not
 * coalesce, so that a run replays exactly: it takes the node's own looks
 * one at a time, in order, and at each own look at time t it fuses that
 * look's tracks and the partners' track samples caused by looks before t
 * (a sample's cause time: its t_update_ns, which the origin sets to the
 * look that dropped it on a track's last sample), in a fixed order, then
 * assesses; partners' samples of t and later wait for the node's next
 * look. The simulator's step barrier (sim_gate.h) makes sure the samples
 * before t have all been taken by then: NodeStatus reports how many Track
 * samples the node has published and received (by revision), and the
 * picture thread sends every NodeStatus, whenever one of these or the
 * picture time changes, and the heartbeat.
 */
#ifndef MWDS_APP_NODE_H
#define MWDS_APP_NODE_H

#include <jansson.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>

#include "mwds/assess.h"
#include "mwds/fusion.h"
#include "mwds/journal.h"
#include "mwds/net.h"
#include "mwds/policy.h"
#include "mwds/scenario.h"
#include "node_config.h"

#define NODE_TRACK_POOL 1024
#define NODE_BACKGROUND_NICE 10
#define NODE_SYSTEM_EVERY_S 1.0
#define NODE_ASSESS_PER_PASS 2 /* assessments between fusions of new data (not --lockstep) */

/* Names the calling thread (as ps -L and top -H show it) and lowers its
 * priority to NODE_BACKGROUND_NICE (Linux threads have their own nice
 * value); best effort. */
void node_thread_background(const char *name);

/* A background thread that has had work within the last NODE_POLL_WINDOW_NS
 * looks for more every poll_ns (the picture NODE_PICTURE_POLL_NS, the
 * journal NODE_LOG_POLL_NS) and is not signalled: a hand-over from the
 * tracking side is then a try-lock and a splice, with no system call to
 * wake a thread in the way of the next sample. Only a thread that has gone
 * to sleep (idle for longer) is signalled. */
#define NODE_POLL_WINDOW_NS 100000000
#define NODE_PICTURE_POLL_NS 1000000
#define NODE_LOG_POLL_NS 5000000

/* How long a background thread with nothing to do waits (its lock held):
 * poll_ns if it had work since now - NODE_POLL_WINDOW_NS, else sleep_ns
 * with *asleep set, so that a producer knows to signal. */
void node_idle_wait(pthread_cond_t *c, pthread_mutex_t *m, int *asleep, int64_t busy_ns,
                    int64_t poll_ns, int64_t sleep_ns);

/* Waits on c (m held) for at most ns nanoseconds. */
void node_wait(pthread_cond_t *c, pthread_mutex_t *m, int64_t ns);
#define NODE_MAX_WARNED 1024 /* system tracks whose warnings are remembered */
#define NODE_MAX_MEMBERS 16  /* remembered members of one warned track */

/* ---- the journal thread (node_log.c) ---- */

#define NODE_LOG_BLOCK_ROWS 64

typedef enum log_what {
    LOG_LOOK,        /* payload: the detections */
    LOG_TRACK,       /* payload: state, hits and cause */
    LOG_TRACK_ENDED, /* payload: {"ended": true} */
    LOG_STATUS_SENT, /* payload: the counts */
    LOG_STATUS_RX,   /* payload: the counts and the sender's wall time */
    LOG_SYSTEM       /* payload: a system track's state, members and impact */
} log_what;

/* One journal row whose JSON is made on the journal thread. */
typedef struct log_row {
    log_what what;
    const char *topic; /* a static string */
    mwds_journal_dir dir;
    char origin[MWDS_ORIGIN_LEN];
    uint32_t key;
    int64_t revision;
    const char *partition; /* lives as long as the node ("" for received rows) */
    int exercise;
    int64_t t_sample, t_send, t_recv;
    union {
        struct {
            mwds_filter_state f;
            int hits;
            mwds_net_cause cause;
        } track;
        struct {
            int count;
            mwds_measurement *m; /* malloc'd; the journal thread frees it */
        } look;
        struct {
            int64_t wall_ns;
            int local, sys, issued, received;
            int lockstep; /* a sent row of --lockstep: with the Track counts */
            uint32_t tracks_sent, tracks_received;
        } status;
        struct {
            mwds_filter_state f;
            int n_members;
            char origin[NODE_MAX_MEMBERS][MWDS_ORIGIN_LEN];
            uint32_t number[NODE_MAX_MEMBERS];
            int has_impact;
            mwds_impact impact;
        } system;
    } u;
} log_row;

/* Rows travel in blocks, so that handing rows over links a block and never
 * copies (or reallocates) what already waits, however far behind the
 * journal thread is. */
typedef struct log_block {
    struct log_block *next;
    size_t n;
    log_row rows[NODE_LOG_BLOCK_ROWS];
} log_block;

/* A list of blocks. */
typedef struct log_queue {
    log_block *head, *tail;
    size_t n; /* rows */
} log_queue;

typedef struct node_log {
    mwds_journal *j;
    pthread_mutex_t *jlock; /* the journal's (shared with durable writers) */
    const char *nation;
    pthread_mutex_t lock;
    pthread_cond_t wake;
    log_queue in;      /* filled by the producers */
    log_block *spare;  /* emptied blocks for reuse (a list) */
    size_t n_spare;
    size_t peak;       /* the most rows ever waiting */
    log_queue stage;   /* the tracking side's own, not yet handed over */
    log_block *stage_spare; /* the tracking side's own spare blocks */
    int asleep;             /* idle beyond the poll window: a hand-over signals */
    int64_t busy_ns;        /* the last time the thread had rows (its own) */
    int stop;
    pthread_t thread;
    int started;
} node_log;

/* A row with the fields every row has (the payload's part is zero). */
log_row node_log_row(log_what what, const char *topic, mwds_journal_dir dir, const char *origin,
                     uint32_t key, int64_t revision, const char *partition, int exercise,
                     int64_t t_sample, int64_t t_send, int64_t t_recv);

int node_log_start(node_log *lg, mwds_journal *j, pthread_mutex_t *jlock, const char *nation);
/* Queues a row; copies it (the look's detections are taken over). May
 * wait for the queue's lock. */
void node_log_put(node_log *lg, const log_row *row);
/* The same from the tracking side: staged, handed over without waiting. */
void node_log_put_hot(node_log *lg, const log_row *row);
/* Hands the staged rows over (block: wait for the lock). 1 if some are
 * still staged. */
int node_log_offer(node_log *lg, int block);
/* Writes what is queued and ends the thread. */
void node_log_stop(node_log *lg);
/* Formats and appends one row now (caller holds no lock). */
void node_log_write(node_log *lg, const log_row *row);

/* The JSON of a filter state as journalled: {t_ns, model, x, p_upper}. */
json_t *node_state_json(const mwds_filter_state *f);

/* ---- the picture thread (node_picture.c) ---- */

/* What the node has said about one track in its warnings: the published
 * track number and the state of its warnings. Restored from the journal on
 * restart, so that a track the restarted node finds again is not announced
 * twice. */
typedef struct warned {
    uint32_t number;        /* the track number in the node's warnings; 0: free */
    uint32_t sys;           /* the fusion's system track now behind it; 0: none yet */
    int restored;           /* issued before a restart (from the journal) */
    int open;               /* no IMPACT, END or CANCEL yet */
    int launch, impact;     /* LAUNCH and IMPACT_PREDICTION issued */
    mwds_lla impact_centre; /* of the last IMPACT_PREDICTION */
    double impact_major_m;
    int64_t impact_t_ns;
    int n_threat, n_over; /* areas of the last IMPACT_PREDICTION; OVERFLIGHTs issued */
    char threat[MWDS_ASSESS_MAX_AREAS][MWDS_AREA_CODE_LEN];
    char over[MWDS_ASSESS_MAX_AREAS][MWDS_AREA_CODE_LEN];
    int n_members; /* source tracks behind it at its last warning */
    char member_origin[NODE_MAX_MEMBERS][MWDS_ORIGIN_LEN];
    uint32_t member_number[NODE_MAX_MEMBERS];
} warned;

/* A received warning with its receipt. */
typedef struct rx_warning {
    mwds_net_warning w;
    int64_t t_recv;
} rx_warning;

/* --lockstep: one of the node's own looks, in the order taken. */
typedef struct picture_look {
    int64_t t_ns;
    mwds_net_cause cause;
    size_t src_end;       /* the sources handed over before it end here (its own last) */
    uint32_t tracks_sent; /* Track samples the node had published with it */
} picture_look;

/* A partner's track sample waiting for the node's next own look
 * (--lockstep). */
typedef struct picture_pending {
    mwds_source_track s;
    uint64_t arrival; /* order of receipt */
} picture_pending;

/* What the tracking side hands the picture thread. */
typedef struct picture_inbox {
    mwds_source_track *src;
    size_t n_src, cap_src;
    rx_warning *warn;
    size_t n_warn, cap_warn;
    int64_t picture_ns;   /* the newest look's time */
    mwds_net_cause cause; /* the newest look */
    picture_look *look;   /* --lockstep: each own look */
    size_t n_look, cap_look;
} picture_inbox;

/* --lockstep: the last revision received of one partner track. */
typedef struct rx_revision {
    char origin[MWDS_ORIGIN_LEN]; /* "" : a free slot */
    uint32_t number, revision;
} rx_revision;

typedef struct node_picture {
    /* set up by the node; read-only once the thread runs */
    const node_config *cfg;
    int quiet, lockstep;
    int64_t start_ns;
    const char *warning_partition, *status_partition;
    mwds_net *net;
    mwds_journal *j;
    pthread_mutex_t *jlock;
    node_log *log;
    mwds_fusion *fz;
    mwds_assessor *as;
    struct node_web *web; /* the operator display, or NULL (node_web.h) */
    /* the thread's own */
    warned *warned;           /* NODE_MAX_WARNED */
    uint32_t next_warning_id; /* ids of published warnings, contiguous */
    uint32_t sys_base;        /* added to system track numbers: not reused after restart */
    uint32_t warnings_restored, warnings_withheld;
    int64_t picture_ns, reported_ns;
    struct sys_logged {
        uint32_t number; /* the fusion's; 0: nothing journalled */
        uint32_t key;    /* the journal's (the number in warnings) */
        int64_t t_ns;
    } * logged; /* per fusion slot: the last SystemTrack row */
    int n_logged;
    mwds_net_cause cause;
    int dirty;
    int more_due; /* the last assessment left tracks due (not --lockstep) */
    picture_pending *pending; /* --lockstep: partners' samples not yet fused */
    size_t n_pending, cap_pending;
    uint64_t arrivals;
    uint32_t sent_done;                        /* tracks_sent of the last look done */
    uint32_t reported_sent, reported_received; /* in the last NodeStatus */
    int64_t reported_wall_ns;
    /* the tracking side's own (--lockstep) */
    uint32_t tracks_sent;
    rx_revision *rx_rev; /* open addressing, by origin and number */
    size_t n_rx_rev, cap_rx_rev;
    /* shared with the tracking side */
    pthread_mutex_t lock;
    pthread_cond_t wake;
    picture_inbox in, work; /* in: filled under lock; work: the thread's */
    picture_inbox stage;    /* the tracking side's own, not yet handed over */
    int asleep;             /* idle beyond the poll window: a hand-over signals */
    int64_t busy_ns;        /* the last time the thread had work (its own) */
    int stop;
    pthread_t thread;
    int started;
    atomic_uint warnings_issued, warnings_received, warnings_dup;
    atomic_int system_tracks;
    atomic_llong done_ns;      /* the picture time fused and assessed */
    atomic_uint tracks_received; /* --lockstep: partners' Track samples, by revision */
    atomic_ullong *status_seq; /* the node's NodeStatus sequence */
    atomic_uint *heard;        /* partners heard (bits), for the NodeStatus */
    atomic_int *local_tracks;
} node_picture;

/* Reads back the warnings the node issued before (restart). Before start. */
int node_picture_restore(node_picture *p, char *err, size_t err_len);
int node_picture_start(node_picture *p);
/* Hand over (from the tracking side, staged, without waiting): the
 * sources (copied) that one of the node's own looks changed, all of them
 * published as Track samples, with the look's time and cause; a partner's
 * track sample (copied; revision: its Track revision, counted with
 * --lockstep); and received warnings. With --lockstep each is offered at
 * once; otherwise the caller offers (node_picture_offer) when it sees
 * fit, so that a burst of samples is handed over once. */
void node_picture_put(node_picture *p, const mwds_source_track *s, size_t n, int64_t picture_ns,
                      mwds_net_cause cause);
void node_picture_put_received(node_picture *p, const mwds_source_track *s, uint32_t revision);
void node_picture_put_warning(node_picture *p, const mwds_net_warning *w, int64_t t_recv);
/* Hands the staged inputs over (block: wait for the lock). 1 if some are
 * still staged. */
int node_picture_offer(node_picture *p, int block);
/* Finishes what was handed over and ends the thread. */
void node_picture_stop(node_picture *p);
void node_picture_fini(node_picture *p);

/* Publishes and journals a NodeStatus (hot: from the tracking side).
 * With --lockstep only the picture thread calls it. */
void node_status(node_picture *p, int64_t picture_ns, int hot);

#endif
