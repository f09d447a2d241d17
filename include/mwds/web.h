/*
 * mwds web: the operator display. Two parts that know nothing of each
 * other:
 *
 *   the picture (mwds_picture)  what one node shows at one time, kept from
 *       the node's fused system tracks (with a bounded trail of past
 *       positions each), the assessor's latest assessment of each, and the
 *       warnings issued and received, and written as one JSON snapshot
 *       (schema in docs/display.md);
 *   the server (mwds_web)       an HTTP server (libmicrohttpd) that serves
 *       the page, its script and the offline map data, all built into the
 *       library, and pushes each snapshot posted to it to every browser
 *       connected to /events (server-sent events).
 *
 * The node owns a picture and a server: it feeds the picture from its loop
 * and, at a bounded rate, posts the picture's snapshot. The display reads a
 * snapshot, never the node's live tables.
 *
 * Conventions in the picture's inputs as elsewhere: ECEF metres, t_ns
 * nanoseconds since the epoch (the picture's clock is the node's picture
 * time, simulated in an exercise); nothing here reads a clock: the wall
 * time a snapshot carries is the caller's. In the snapshot: degrees, metres,
 * and times in seconds since the epoch (a JavaScript number holds
 * nanoseconds since the epoch only to about 256 ns).
 *
 * Thread rules: one thread uses a picture at a time. A server runs one
 * thread of its own for every connection (libmicrohttpd's internal polling
 * thread); mwds_web_post may be called from any one thread at a time and
 * never waits for a browser.
 */
#ifndef MWDS_WEB_H
#define MWDS_WEB_H

#include <stddef.h>
#include <stdint.h>

#include "mwds/assess.h"
#include "mwds/core.h"
#include "mwds/track.h"

#ifdef __cplusplus
extern "C" {
#endif

#define MWDS_WEB_CODE_LEN 16 /* nation and area codes, NUL-terminated */
#define MWDS_WEB_NAME_LEN 64 /* exercise names */
#define MWDS_WEB_MAX_ORIGINS 16

/* ---- the picture ---- */

typedef struct mwds_picture_config {
    char nation[MWDS_WEB_CODE_LEN];        /* whose picture: "JPN" */
    int exercise;                          /* 1: exercise data (the page says EXERCISE) */
    char exercise_name[MWDS_WEB_NAME_LEN]; /* shown with the banner; may be "" */
    int64_t start_t_ns;                    /* the scenario's start (T+ on the page); 0: none */
    uint32_t number_offset;                /* added to the track numbers written: a node
                                              whose warnings number its tracks from an
                                              offset (after a restart) shows the same */
    int max_tracks;                        /* live and ended tracks held */
    int trail_points;                      /* past positions kept per track */
    double trail_step_s;                   /* picture time between trail points, at first */
    double linger_s;                       /* an ended track stays this long */
    int max_warnings;                      /* warnings held */
    double warning_linger_s;               /* a warning stays this long after its
                                              track's IMPACT, END or CANCEL, or after
                                              its predicted impact */
    double warning_stale_s;                /* a warning with no impact time stays this
                                              long after it was issued */
} mwds_picture_config;

/* Defaults: nation and name empty, real-world data, 512 tracks, 64 trail
 * points 2 s apart (a full trail keeps every other point and doubles the
 * spacing, so it always reaches back to the track's start), ended tracks
 * kept 60 s, 2,048 warnings (200 missiles warned by three nations, a few
 * warnings each) kept 60 s after their end or impact, 1,800 s without an
 * impact time. */
void mwds_picture_config_default(mwds_picture_config *c);

typedef struct mwds_picture mwds_picture;

/* Creates a picture; every table is allocated here (about max_tracks x
 * (trail_points x 32 B + 1.3 kB) + max_warnings x 1.3 kB, plus the JSON
 * buffer, which grows to the largest snapshot and is kept).
 * Errors: MWDS_EINVAL (NULL, an empty or non-alphanumeric nation, a count
 * or time out of range: max_tracks 1..100,000, trail_points 2..100,000,
 * max_warnings 1..100,000, times positive and finite), MWDS_ENOMEM. On
 * success *out is the caller's, released with mwds_picture_destroy. */
mwds_err mwds_picture_create(const mwds_picture_config *c, mwds_picture **out);

/* NULL is a no-op. */
void mwds_picture_destroy(mwds_picture *p);

/* Takes the node's system tracks at picture time t_ns: n_slots pool slots
 * (mwds_fusion_tracks), of which those with status MWDS_TRACK_CONFIRMED
 * are live. A live track's position, velocity and horizontal sigma come
 * from its state; its trail gains the position when trail_step_s (or more,
 * see the config) has passed since its last point. A track held but no
 * longer live has ended at t_ns; ended tracks are dropped linger_s after.
 * A live track that finds no slot is counted (tracks_dropped) and left out.
 * t_ns going backwards is taken as it comes (a replay restarting).
 * Errors: MWDS_EINVAL (p NULL, or tracks NULL with n_slots > 0).
 * Cost: O(live tracks x max_tracks) comparisons (tracks are found by
 * number) plus one geodetic conversion per live track; no allocation. */
mwds_err mwds_picture_update_tracks(mwds_picture *p, const mwds_track *tracks, int n_slots,
                                    int64_t t_ns);

/* The members of live track `number` (mwds_fusion_members): their origins
 * and numbers, n of them (at most MWDS_WEB_MAX_ORIGINS are kept). A track's
 * origin nations are its members' distinct origins.
 * Errors: MWDS_EINVAL (NULL with n > 0, n < 0), MWDS_ENOTFOUND (no such
 * track held). Cost: O(max_tracks). */
mwds_err mwds_picture_set_members(mwds_picture *p, uint32_t number, const char (*origin)[4],
                                  const uint32_t *member_number, int n);

/* The latest assessment of track `number` (mwds_assessor_latest), copied;
 * NULL forgets it. Errors: MWDS_EINVAL (p NULL), MWDS_ENOTFOUND.
 * Cost: O(max_tracks). */
mwds_err mwds_picture_set_assessment(mwds_picture *p, uint32_t number, const mwds_assessment *a);

/* A warning issued by this node (issued 1) or received from a partner
 * (issued 0), copied. A warning already held (same origin and id) is
 * ignored. An IMPACT_PREDICTION replaces the origin's earlier one about the
 * same track, an OVERFLIGHT the earlier one of the same area; IMPACT, END
 * and CANCEL close the origin's warnings about the track, which then stay
 * warning_linger_s. A full table drops its oldest warning (counted). The
 * picture's clock follows the node's own warnings' issue times, not a
 * partner's (whose times may be anything).
 * Errors: MWDS_EINVAL (NULL, or w->exercise differs from the picture's: a
 * picture never mixes exercise and real-world data). Cost: O(max_warnings). */
mwds_err mwds_picture_add_warning(mwds_picture *p, const mwds_warning *w, int issued);

typedef struct mwds_picture_stats {
    int live_tracks, ended_tracks, warnings;
    uint64_t tracks_dropped;   /* live tracks that found no slot */
    uint64_t warnings_dropped; /* oldest warnings pushed out of a full table */
    uint64_t snapshots;
} mwds_picture_stats;

void mwds_picture_get_stats(const mwds_picture *p, mwds_picture_stats *out);

/* Writes the snapshot (docs/display.md): the picture at its latest time,
 * with wall_ns, the caller's wall clock, for the page to run its
 * countdowns between snapshots. Drops first the ended tracks and the
 * warnings whose time is up. *json (NUL-terminated, *len bytes without
 * the NUL; len may be NULL) is owned by the picture and valid until the
 * next call or mwds_picture_destroy. Non-finite numbers are written as
 * null; text is escaped (invalid UTF-8 becomes '?'), so the output is
 * always valid JSON on one line.
 * Errors: MWDS_EINVAL (NULL), MWDS_ENOMEM (the buffer could not grow; the
 * previous snapshot is then gone). Cost: O(max_tracks x trail_points +
 * max_warnings log max_warnings); reallocation only when a snapshot is larger than any
 * before. */
mwds_err mwds_picture_json(mwds_picture *p, int64_t wall_ns, const char **json, size_t *len);

/* ---- the server ---- */

typedef struct mwds_web_config {
    const char *bind_addr; /* IPv4 or IPv6 literal; NULL: "127.0.0.1" */
    uint16_t port;         /* 0: any free port (see mwds_web_port) */
    int max_clients;       /* connections at once, page loads and event streams */
    double timeout_s;      /* a connection that moves nothing this long is closed
                              (an event stream waiting for the next snapshot is not) */
} mwds_web_config;

/* Defaults: 127.0.0.1, port 0, 32 clients, 30 s. */
void mwds_web_config_default(mwds_web_config *c);

typedef struct mwds_web mwds_web;

/* Starts serving: binds and listens (bind_addr:port), then runs
 * libmicrohttpd's polling thread. Served:
 *   GET /                      the page (also /index.html)
 *   GET /app.js, /style.css    its script and style
 *   GET /map/countries-50m.json  Natural Earth 1:50m boundaries (TopoJSON)
 *   GET /map/areas.geojson     the areas the assessor judges threat against
 *   GET /snapshot.json         the latest snapshot (204 before the first)
 *   GET /events                server-sent events: `picture` events, each
 *                              with an id, the latest snapshot at once and
 *                              then each one posted
 * Other paths get 404, other methods 405.
 * Errors (with a message naming the address in err): MWDS_EINVAL (a bad
 * address or config), MWDS_EIO (socket, bind, listen or the daemon
 * failed), MWDS_ENOMEM. On success *out is the caller's, released with
 * mwds_web_stop. */
mwds_err mwds_web_start(const mwds_web_config *c, mwds_web **out, char *err, size_t n);

/* The port listened on (the one picked when the config said 0). */
uint16_t mwds_web_port(const mwds_web *w);

/* Replaces the current snapshot with a copy of snapshot_json and wakes the
 * event streams: each sends the newest snapshot when it has finished the
 * one it was sending, so a slow browser skips snapshots rather than
 * queueing them, and memory stays within one snapshot per connection plus
 * the current one. Never waits for a browser.
 * Errors: MWDS_EINVAL (NULL), MWDS_ENOMEM (the previous snapshot stays).
 * Cost: one copy of the text, and a wake-up of the server's thread. */
mwds_err mwds_web_post(mwds_web *w, const char *snapshot_json);

typedef struct mwds_web_stats {
    uint64_t posts;
    uint64_t requests; /* HTTP requests answered */
    uint64_t streams;  /* event streams opened */
    int streams_open;
    uint64_t events_sent; /* snapshots sent on event streams */
} mwds_web_stats;

void mwds_web_get_stats(mwds_web *w, mwds_web_stats *out);

/* Closes every connection and stops the server; NULL is a no-op. Must not
 * run at the same time as mwds_web_post on the same server. */
void mwds_web_stop(mwds_web *w);

#ifdef __cplusplus
}
#endif
#endif
