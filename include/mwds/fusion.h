/*
 * mwds fusion: track-to-track association and fusion into system tracks.
 *
 * A nation's node holds its own tracker's tracks and the tracks its
 * partners share (source tracks, each keyed by origin nation and the
 * origin's track number). Fusion turns them into one picture of system
 * tracks, each the fused estimate of one object, in the tracker's own
 * mwds_track form so that the assessor runs on it unchanged.
 *
 * A run at time t:
 *   align      every source predicted (a copy) to t by the EKF with the
 *              configured dynamics; sources that ended or were not updated
 *              for stale_s are dropped first
 *   continue   each system track keeps its members while each stays inside
 *              the chi-square gate of the members before it (join order);
 *              the statistic is d^2 = dx^T (P1 + P2)^-1 dx on position and
 *              velocity, 6 degrees of freedom
 *   merge      two system tracks with no origin in common whose estimates
 *              agree within the gate become one (the older number stays)
 *   associate  the sources left over, origin by origin, to the system
 *              tracks that have no member of that origin, by a global
 *              minimum-d^2 assignment (mwds/assign.h); a source left
 *              unassigned starts a system track
 *   fuse       covariance intersection (Julier and Uhlmann) of the members'
 *              positions and velocities, folded in join order; the motion
 *              model and its other states (1/beta or thrust) from the
 *              member with the smallest position covariance
 * Tracks of one origin never share a system track: that nation's tracker
 * already judged them different objects.
 *
 * Why covariance intersection: the nations' estimates of one missile have
 * an unknown cross-correlation (common process noise, and fused pictures
 * fed back into the network). CI's estimate is consistent for every
 * cross-correlation, where a Kalman-style combination that assumes
 * independence would be overconfident.
 *
 * Frames and units as in track.h: ECEF metres and m/s, t_ns nanoseconds.
 * Memory: every table is sized at mwds_fusion_create; put and run allocate
 * nothing. Thread rules: one thread uses a fusion context at a time.
 */
#ifndef MWDS_FUSION_H
#define MWDS_FUSION_H

#include <stdint.h>

#include "mwds/core.h"
#include "mwds/track.h"

#ifdef __cplusplus
extern "C" {
#endif

#define MWDS_ORIGIN_LEN 4          /* ISO 3166 alpha-3 and the terminator */
#define MWDS_FUSION_MAX_MEMBERS 16 /* members of one system track (one per origin) */

/* ---- covariance intersection ---- */

typedef enum mwds_ci_criterion {
    MWDS_CI_DET = 0,  /* minimise det P: unit-free, the volume of the uncertainty */
    MWDS_CI_TRACE = 1 /* minimise trace P (mixes units: position dominates) */
} mwds_ci_criterion;

/* Covariance intersection of two estimates (x1, p1), (x2, p2) of the same
 * n-vector whose errors have an unknown cross-correlation:
 *   P^-1 = w p1^-1 + (1 - w) p2^-1,  x = P (w p1^-1 x1 + (1 - w) p2^-1 x2),
 * with w in [0, 1] minimising the criterion (convex in w for both, found by
 * a golden-section search to 1e-7 and compared with the end points, where
 * the result is exactly one of the inputs). Computed without inverting a
 * covariance: with M = w p2 + (1 - w) p1, P = p1 M^-1 p2 and x = x1 +
 * (1 - w) p1 M^-1 (x2 - x1). P is symmetrised and checked positive
 * definite.
 * n: 1..9; p1, p2, p: row-major n x n (ld n), read as symmetric; x1, x2, x:
 * n entries. w may be NULL. Outputs are written only on success and may
 * alias the inputs.
 * Errors: MWDS_EINVAL (n out of range, NULL pointer, unknown criterion),
 * MWDS_ENOTPD (p1, p2 or the result not positive definite), MWDS_ENUMERIC
 * (a non-finite entry). Cost: about 40 evaluations of O(n^3); no allocation. */
mwds_err mwds_fusion_ci(int n, const double *x1, const double *p1, const double *x2,
                        const double *p2, mwds_ci_criterion crit, double *x, double *p, double *w);

/* ---- the fusion context ---- */

/* A source track: one nation's track as that nation published it. */
typedef struct mwds_source_track {
    char origin[MWDS_ORIGIN_LEN]; /* nation code, "KOR", NUL-terminated */
    uint32_t number;              /* the origin's track number, != 0 */
    mwds_filter_state f;          /* estimate at f.t_ns */
    int64_t t_init_ns;            /* first measurement */
    int64_t t_update_ns;          /* latest measurement used */
    int hits;                     /* measurements used */
    int ended;                    /* the origin deleted the track */
} mwds_source_track;

typedef struct mwds_fusion_config {
    int max_sources;       /* source tracks held, all origins */
    int max_system;        /* system tracks */
    mwds_filter_params fp; /* dynamics and process noise of the time alignment */
    double gate_p;         /* probability inside the chi-square(6) gate */
    double stale_s;        /* drop a source whose t_update_ns is older than this */
    mwds_ci_criterion criterion;
    int max_cluster; /* largest rows or columns assigned exactly (then greedy) */
} mwds_fusion_config;

/* Defaults: 1,024 sources, 512 system tracks, the tracker's default
 * dynamics and noise, gate 0.9999, stale after 30 s (the tracker's coast
 * limit), the determinant criterion, clusters up to 64. */
void mwds_fusion_config_default(mwds_fusion_config *c);

typedef struct mwds_fusion mwds_fusion;

typedef struct mwds_fusion_stats {
    uint64_t runs;
    uint64_t sources_ended; /* dropped: the origin ended them */
    uint64_t sources_stale; /* dropped: not updated for stale_s */
    uint64_t system_created, system_removed;
    uint64_t system_merged;     /* system tracks merged into an older one */
    uint64_t continuity_breaks; /* members that left their system track's gate */
    uint64_t filter_errors;     /* time alignments the filter refused */
    uint64_t numeric_errors;    /* fusions refused (not positive definite) */
    uint64_t pool_full;         /* sources that found no free system track */
    uint64_t greedy_clusters;   /* clusters over max_cluster, assigned greedily */
    uint64_t pairs_dropped;     /* gated pairs beyond the pair table */
} mwds_fusion_stats;

/* Creates a fusion context; all memory is allocated here.
 * Errors: MWDS_EINVAL (NULL, a config value out of range: max_sources and
 * max_system 1..1,000,000, gate_p in (0.5, 1), stale_s in (0, 86,400], fp
 * noise >= 0 and finite, max_cluster 1..1,024), MWDS_ENOMEM. On success
 * *out is the caller's, released with mwds_fusion_destroy. */
mwds_err mwds_fusion_create(const mwds_fusion_config *c, mwds_fusion **out);

/* Releases the context and everything it holds; NULL is a no-op. */
void mwds_fusion_destroy(mwds_fusion *f);

/* Stores (or replaces) the source track keyed by (origin, number); the
 * next run uses it. The source is copied: the caller keeps *s. A source
 * with `ended` set needs only its key: the source held under that key is
 * dropped at the next run (one not held is ignored).
 * Errors: MWDS_EINVAL (NULL, origin empty or longer than 3 characters,
 * number 0; unless ended: a state whose n does not match its model, a
 * non-finite entry, hits < 0), MWDS_EFULL (a new key and no free slot);
 * the context is then unchanged. Cost: O(max_sources) (a linear search for
 * the key). */
mwds_err mwds_fusion_put(mwds_fusion *f, const mwds_source_track *s);

/* Runs one fusion cycle at t_ns: drop, align, continue, merge, associate,
 * fuse (see above). The picture (mwds_fusion_tracks) then holds every
 * system track at t_ns.
 * A source whose alignment or fusion fails numerically, or whose state is
 * more than stale_s ahead of t_ns, sits the run out (counted in the stats)
 * and is tried again at the next run.
 * Errors: MWDS_EINVAL (f NULL), MWDS_EFULL (a source found no free system
 * track slot: the picture is complete but for those sources, which are
 * tried again at the next run). Cost: one EKF prediction per source
 * (O(n^3) per sub-step of at most fp.max_step_s); per gated pair O(6^3),
 * per fused member one CI (about 40 6 x 6 factorisations); the merge test
 * over pairs of live system tracks (a distance test first); gating of each
 * origin's unassigned sources against the system tracks; O(k^3) per
 * assignment cluster of k; scans of the pools. No allocation. */
mwds_err mwds_fusion_run(mwds_fusion *f, int64_t t_ns);

/* The picture: max_system slots, each an mwds_track. A live system track
 * has status MWDS_TRACK_CONFIRMED, a number (from 1, kept for the system
 * track's life, never reused until the 32-bit counter wraps), f the fused
 * state at the last run's time, t_init_ns the earliest member's,
 * t_confirm_ns the run that created it, t_update_ns the latest member's,
 * hits the members' sum, merged_from the number of the latest system track
 * merged into it (0: none). The tracker's bookkeeping fields (history,
 * opportunities, quality, nis, q_scale, the shadow filter) are zero. Free
 * slots have status MWDS_TRACK_FREE. Owned by the context; valid until the
 * next run. */
const mwds_track *mwds_fusion_tracks(const mwds_fusion *f, int *n_slots);

/* The members of system track system_number, in the order they joined:
 * writes up to max (origin, number) pairs (origin and number may be NULL
 * when max is 0) and returns how many members it has (0: no such system
 * track). Cost: O(max_system). */
int mwds_fusion_members(const mwds_fusion *f, uint32_t system_number,
                        char (*origin)[MWDS_ORIGIN_LEN], uint32_t *number, int max);

/* The system track a source belongs to after the last run: *system_number
 * (0: held but not in a system track, e.g. put after the last run).
 * Errors: MWDS_ENOTFOUND (no such source held), MWDS_EINVAL (NULL).
 * Cost: O(max_sources). */
mwds_err mwds_fusion_source_system(const mwds_fusion *f, const char *origin, uint32_t number,
                                   uint32_t *system_number);

void mwds_fusion_get_stats(const mwds_fusion *f, mwds_fusion_stats *out);

#ifdef __cplusplus
}
#endif
#endif
