/*
 * net: the national node's connection to the DDS domain (Eclipse Cyclone
 * DDS with DDS Security). The only module that includes DDS headers; the
 * rest of mwds sees mwds types.
 *
 * Topics (idl/mwds.idl) and their QoS (docs/net.md says why):
 *   mwds_Measurement  one sensor look; reliable, volatile, KEEP_LAST 256 per
 *                     sensor: a slow reader loses old looks, never blocks the
 *                     sensor;
 *   mwds_Track        keyed by origin and number; reliable, transient-local,
 *                     KEEP_LAST 1: a reader has the latest state of each
 *                     track, a late joiner included;
 *   mwds_Warning      keyed by origin and id; reliable, transient-local,
 *                     KEEP_ALL: a node that joins late or comes back after a
 *                     cut receives every warning it missed;
 *   mwds_NodeStatus   heartbeat; reliable, volatile, KEEP_LAST 1.
 *
 * Releasability: a sample is written in the partition of the set of nations
 * the policy releases it to (rel.JPN.KOR.USA); a node reads the partitions
 * that include its nation (patterns rel*.KOR and rel*.KOR.*), and DDS
 * Security permissions (mwds pki) let a nation do no more.
 *
 * Threads: one thread owns an mwds_net, and takes samples when
 * mwds_net_wait says they are waiting; or, for the topics given to
 * mwds_net_listen, DDS's receive thread calls the owner back as soon as
 * they arrive, and the callback takes them there (no hand-over to another
 * thread between a sample's arrival and its taking).
 */
#ifndef MWDS_NET_H
#define MWDS_NET_H

#include <stddef.h>
#include <stdint.h>

#include "mwds/assess.h"
#include "mwds/core.h"
#include "mwds/policy.h"
#include "mwds/sensor.h"
#include "mwds/track.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct mwds_net mwds_net;

/* Identity and documents; NULL members are taken from pki_dir:
 * ca.pem (identity and permissions CA), governance.p7s, NAT/cert.pem,
 * NAT/key.pem, NAT/permissions.p7s. */
typedef struct mwds_net_security {
    const char *pki_dir;
    const char *identity_ca, *permissions_ca, *governance;
    const char *cert, *key, *permissions;
} mwds_net_security;

typedef struct mwds_net_config {
    char nation[MWDS_NATION_LEN];
    uint32_t domain_id;
    const mwds_policy *policy;       /* the caller's; must outlive the net */
    int secure;                      /* DDS Security on (the default) */
    mwds_net_security security;
    int loopback;                    /* loopback only: no multicast, peer 127.0.0.1 */
    unsigned publish;                /* bit (1u << mwds_topic): topics written */
    unsigned subscribe;              /* bit per topic: topics read */
    /* Partition to read instead of the nation's patterns (tests of access
     * control only; NULL normally). */
    const char *read_partition;
    /* Publish Measurement in this partition instead of the policy's (a
     * sensor adapter writes its own nation's; NULL normally). */
    const char *write_partition;
    /* 1..99: DDS's receive and event threads run SCHED_FIFO at this
     * priority (mwds_net_realtime_check first); 0: ordinary scheduling. */
    int realtime_priority;
} mwds_net_config;

/* Whether this process may run threads SCHED_FIFO at priority prio (root
 * or CAP_SYS_NICE): 0, or -1 with the reason in err. Creates and joins a
 * short-lived thread; changes nothing else. */
int mwds_net_realtime_check(int prio, char *err, size_t err_len);

/* Moves the calling thread to SCHED_FIFO at prio (0: back to ordinary
 * scheduling). 0, or -1 with the reason in err. */
int mwds_net_realtime_self(int prio, char *err, size_t err_len);

/* Asks Linux (PM QoS, /dev/cpu_dma_latency) to keep idle CPUs in states
 * they leave within us microseconds; 0: they poll and never halt. On a
 * virtual machine a halted vCPU takes tens of microseconds to wake for a
 * sample (docs/performance.md): this takes that off every hop, at the
 * price of idle CPUs that spin (power, and CPU time on a shared host).
 * The request holds, for the whole machine, while the returned descriptor
 * is open (close it to end it). The descriptor, or -1 with the reason in
 * err (needs root, or write access to the device). */
int mwds_net_cpu_latency(int us, char *err, size_t err_len);

/* Defaults: secure, loopback, domain 0, publish Track, Warning and
 * NodeStatus, subscribe all four. */
void mwds_net_config_default(mwds_net_config *c, const char *nation, const mwds_policy *policy);

/* Creates the participant, topics, writers and readers.
 * Errors: MWDS_EINVAL (bad config, nation not in the policy, no PKI folder
 * while secure), MWDS_EIO (a security document missing, or DDS refused: a
 * writer or reader that the permissions forbid says "Not Allowed By
 * Security"); err names the file or the entity. Ownership: the caller
 * releases *out with mwds_net_destroy; c->policy must outlive it. */
mwds_err mwds_net_create(const mwds_net_config *c, mwds_net **out, char *err, size_t err_len);
void mwds_net_destroy(mwds_net *n);

/* ---- publishing (the publisher's clock is pub_ns) ---- */

/* One sensor look (detections may be 0) of one dwell (0..65535; 0 for a
 * sensor that covers everything in one look). seq: the publisher's look
 * count. */
mwds_err mwds_net_publish_look(mwds_net *n, uint32_t sensor_id, int dwell, int64_t t_ns,
                               const mwds_measurement *m, int count, int exercise, uint64_t seq,
                               int64_t pub_ns);

/* Latency bookkeeping carried with tracks and warnings: the look that led
 * to them. */
typedef struct mwds_net_cause {
    uint64_t seq;
    int64_t pub_ns;
} mwds_net_cause;

/* A local track's state (ended: the last sample of the track). */
mwds_err mwds_net_publish_track(mwds_net *n, const mwds_track *t, uint32_t revision, int ended,
                                int exercise, mwds_net_cause cause);
/* hold != 0: the tracks published from now on are sent together when
 * hold is set back to 0 (a look's tracks in a few messages). The thread
 * that publishes tracks calls it. */
void mwds_net_hold_tracks(mwds_net *n, int hold);
mwds_err mwds_net_publish_warning(mwds_net *n, const mwds_warning *w, mwds_net_cause cause);

typedef struct mwds_net_status {
    char origin[MWDS_NATION_LEN];
    uint64_t seq;
    int64_t wall_ns, picture_ns;
    int exercise;
    uint32_t local_tracks, system_tracks, warnings_issued, warnings_received, partners_heard;
    /* lockstep only (0 otherwise): Track samples published, and received
     * from partners counted by revision (idl/mwds.idl) */
    uint32_t tracks_sent, tracks_received;
} mwds_net_status;
mwds_err mwds_net_publish_status(mwds_net *n, const mwds_net_status *s);

/* ---- receiving ---- */

/* What every received sample carries besides its content. */
typedef struct mwds_net_rx {
    char origin[MWDS_NATION_LEN];
    int64_t send_ns;                 /* the writer's source timestamp */
    char partition[MWDS_PARTITION_LEN]; /* where it was read (the reader's pattern) */
} mwds_net_rx;

typedef struct mwds_net_look {
    mwds_net_rx rx;
    uint32_t sensor_id;
    int dwell;
    int64_t t_ns;
    uint64_t seq;
    int64_t pub_ns;
    int exercise;
    int count;
    const mwds_measurement *m;       /* valid during the callback only */
} mwds_net_look;

typedef struct mwds_net_track {
    mwds_net_rx rx;
    uint32_t number, revision;
    mwds_track_status status;
    int ended, exercise;
    mwds_filter_state f;
    int64_t t_init_ns, t_update_ns;
    uint32_t hits;
    mwds_net_cause cause;
} mwds_net_track;

typedef struct mwds_net_warning {
    mwds_net_rx rx;
    mwds_warning w;
    mwds_net_cause cause;
} mwds_net_warning;

typedef struct mwds_net_status_rx {
    mwds_net_rx rx;
    mwds_net_status s;
} mwds_net_status_rx;

/* Each takes every sample waiting on its topic (up to max per call; 0 for
 * no limit) and calls cb once per valid sample; cb returning non-zero stops
 * the call early (the rest stay for the next). *taken counts them (may be
 * NULL). Errors: MWDS_EIO. */
mwds_err mwds_net_take_looks(mwds_net *n, int (*cb)(void *ctx, const mwds_net_look *l), void *ctx,
                             int max, int *taken);
mwds_err mwds_net_take_tracks(mwds_net *n, int (*cb)(void *ctx, const mwds_net_track *t),
                              void *ctx, int max, int *taken);
mwds_err mwds_net_take_warnings(mwds_net *n, int (*cb)(void *ctx, const mwds_net_warning *w),
                                void *ctx, int max, int *taken);
mwds_err mwds_net_take_status(mwds_net *n, int (*cb)(void *ctx, const mwds_net_status_rx *s),
                              void *ctx, int max, int *taken);

/* Waits until a sample is waiting on a subscribed topic, or timeout_ns
 * passes, or mwds_net_wake is called. 1 if something is waiting, else 0. */
int mwds_net_wait(mwds_net *n, int64_t timeout_ns);
/* Ends a wait early; safe from another thread. */
void mwds_net_wake(mwds_net *n);

/* Takes the topics in `topics` (bit per mwds_topic) on DDS's receive
 * threads: fn(ctx, t) is called on the thread that delivered samples of
 * topic t, as soon as they arrive, and takes them (mwds_net_take_*);
 * those topics no longer end mwds_net_wait. fn is also called once per
 * topic before this returns, on the caller's thread, for samples that came
 * before. Calls may come from several threads at once (Cyclone receives
 * each socket on a thread of its own unless realtime_priority is set):
 * fn serialises what it shares, and two calls never take one topic at
 * the same time only if fn holds one lock while it takes. topics 0 (fn
 * NULL) goes back to mwds_net_wait; it returns once no call is running,
 * so it must not be called with a lock that fn takes. Errors: MWDS_EINVAL
 * (no fn), MWDS_EIO. */
mwds_err mwds_net_listen(mwds_net *n, unsigned topics, void (*fn)(void *ctx, mwds_topic t),
                         void *ctx);

/* The number of remote readers matched by this net's writer of topic t
 * (or, without a writer, remote writers matched by its reader): matching
 * implies the peers authenticated and their permissions allowed it. */
int mwds_net_matched(mwds_net *n, mwds_topic t);

/* Waits up to timeout_ns for the writers to have every sample acknowledged
 * by the matched readers (a clean shutdown). */
mwds_err mwds_net_flush(mwds_net *n, int64_t timeout_ns);

/* The wall clock the net stamps with (CLOCK_REALTIME, ns since the epoch). */
int64_t mwds_net_now(void);

#ifdef __cplusplus
}
#endif
#endif
