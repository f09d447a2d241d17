/*
 * The multi-target tracker (mwds_tracker_*) on scenarios built here, with
 * measurements generated from known truth by the sensor model (seeded), and
 * scored against that truth, never against the tracker's own output:
 *
 *   crossing      two ballistic objects whose paths cross within the
 *                 radar's resolution for several looks, in clutter: no
 *                 track swaps its target, two confirmed tracks nearly all
 *                 the time; with every detection, then with Pd 0.9;
 *   salvo         eight SRBMs launched 4 s apart from one site towards
 *                 nearby aim points (simulator from a YAML scenario), one
 *                 radar in clutter: every launch tracked, no track merges
 *                 or swaps launches, few duplicates, no false tracks;
 *                 the same with the radar scanning in ten dwells a revisit;
 *   loss          a confirmed track survives a two-look gap with the same
 *                 number, is deleted by a long gap, and a new track is
 *                 confirmed within M of N looks when measurements resume;
 *   out of order  a look older than the tracks is used (hits, stats,
 *                 estimate consistent with truth);
 *   errors        every error of mwds_tracker_look and _create, and the
 *                 tracker (and assoc) unchanged after a refused look.
 *
 * Scoring. mwds_tracker_look reports, per measurement, the number of the
 * track it updated or started; the measurement's truth id (launch + 1, 0 for
 * a false alarm) is the label. A track's purity is the share of its
 * truth-labelled measurements (false alarms left out) that come from its
 * majority launch: a swap or a merge shows as a purity well under 1.
 */
#include <stdlib.h>
#include <string.h>

#include "mwds/scenario.h"
#include "mwds/sim.h"
#include "mwds/stats.h"
#include "mwds/track.h"
#include "test_util.h"

#define T0 (INT64_C(1795000000) * MWDS_NS_PER_S)
#define MAX_TRUTH 16 /* truth ids 0..15 in the tallies below */
#define LOOK_CAP 256

/* ---- truth ---------------------------------------------------------------------- */

/* A free-flight object (gravity, J2, rotation, drag at beta) that passes
 * through pos at t_ref_s (seconds after T0) with velocity vel. Its state at
 * T0 is found by predicting backwards with the EKF's noise-free ballistic
 * model; the truth is then flown forwards from T0 by the flight model's own
 * Dormand-Prince integrator, so it passes within metres of pos. */
static mwds_traj fly_through(mwds_vec3 pos, mwds_vec3 vel, double t_ref_s, double beta)
{
    double x[7] = {pos.v[0], pos.v[1], pos.v[2], vel.v[0], vel.v[1], vel.v[2], 1.0 / beta};
    double p[49] = {0};
    for (int i = 0; i < 7; i++)
        p[i * 8] = 1.0;
    mwds_filter_state s;
    assert_int_equal(
        mwds_filter_init(&s, MWDS_MODEL_BALLISTIC, T0 + mwds_time_from_s(t_ref_s), x, p),
        MWDS_OK);
    mwds_filter_params fp = {MWDS_FORCE_ALL & ~(unsigned)MWDS_FORCE_THRUST, 0, 0, 0, 0.5};
    assert_int_equal(mwds_ekf_predict(&fp, &s, T0), MWDS_OK);
    mwds_force_model fm;
    memset(&fm, 0, sizeof fm);
    fm.flags = MWDS_FORCE_ALL & ~(unsigned)MWDS_FORCE_THRUST;
    fm.beta_kg_m2 = beta;
    mwds_traj tr;
    memset(&tr, 0, sizeof tr);
    assert_int_equal(mwds_ballistic_fly(&fm, mwds_v3(s.x.v[0], s.x.v[1], s.x.v[2]),
                                        mwds_v3(s.x.v[3], s.x.v[4], s.x.v[5]), T0, NULL, &tr),
                     MWDS_OK);
    return tr;
}

static void truth_at(const mwds_traj *tr, int64_t t_ns, mwds_vec3 *pos, mwds_vec3 *vel)
{
    assert_int_equal(mwds_traj_state(tr, mwds_time_to_s(t_ns - T0), pos, vel), MWDS_OK);
}

/* ECEF point and velocity from a place, a height and a local east-north-up
 * velocity there. */
static void enu_state(double lat_deg, double lon_deg, double h_m, mwds_vec3 v_enu,
                      mwds_vec3 *pos, mwds_vec3 *vel)
{
    mwds_lla p = {lat_deg * MWDS_DEG2RAD, lon_deg * MWDS_DEG2RAD, h_m};
    *pos = mwds_geo_lla_to_ecef(p);
    *vel = mwds_m3t_mul_v3(mwds_geo_enu_rotation(p.lat_rad, p.lon_rad), v_enu);
}

/* The object of the single-target tests: 250 km up over the Sea of Japan,
 * 3 km/s horizontally on a heading of `heading_deg`, at that point 70 s
 * after T0; 1/beta 1e-4 m^2/kg (drag is negligible up there). */
#define MEET_T_S 70.0
static mwds_traj midcourse_object(double heading_deg)
{
    const double hd = heading_deg * MWDS_DEG2RAD;
    mwds_vec3 p, v;
    enu_state(40.0, 133.0, 250e3, mwds_v3(3000.0 * sin(hd), 3000.0 * cos(hd), 0.0), &p, &v);
    return fly_through(p, v, MEET_T_S, 1e4);
}

/* ---- radars --------------------------------------------------------------------- */

/* A radar looking along boresight_deg +- half_deg between 1 and 60 degrees
 * elevation, range 100..1,500 km, with clutter: Poisson false alarms over
 * that sector; range sigma 30 m, angles 1 mrad, no range rate. */
static mwds_sensor sector_radar(uint32_t id, double lat_deg, double lon_deg, double boresight_deg,
                                double half_deg, double pd, double false_alarms)
{
    mwds_sensor s = test_radar(id, lat_deg, lon_deg, 100.0, 1.0, 1500e3, pd, 1.0, 30.0, 1e-3);
    s.radar.boresight_az_rad = boresight_deg * MWDS_DEG2RAD;
    s.radar.az_half_width_rad = half_deg * MWDS_DEG2RAD;
    s.radar.el_max_rad = 60.0 * MWDS_DEG2RAD;
    s.radar.range_min_m = 100e3;
    s.false_alarms_per_scan = false_alarms;
    assert_int_equal(mwds_sensor_init(&s), MWDS_OK);
    return s;
}

/* The radar of the single-target tests: 380 km south of the meeting point
 * at 40 N 133 E, looking at it along azimuth 15 degrees (so a velocity
 * difference perpendicular to a 15-degree heading is across the beam). */
static mwds_sensor south_radar(uint32_t id, double pd, double false_alarms)
{
    return sector_radar(id, 36.6, 131.85, 15.0, 25.0, pd, false_alarms);
}

/* Mahalanobis distance squared between the noise-free measurements of two
 * targets, in the radar's noise: below 4 (2 sigma), each target's
 * measurement is about as likely to have come from the other. */
static double measurement_separation2(const mwds_sensor *s, mwds_vec3 pa, mwds_vec3 va,
                                      mwds_vec3 pb, mwds_vec3 vb)
{
    mwds_measurement a, b;
    assert_int_equal(mwds_sensor_measure(s, pa, va, &a), MWDS_OK);
    assert_int_equal(mwds_sensor_measure(s, pb, vb, &b), MWDS_OK);
    double nu[MWDS_MEAS_MAX_DIM], d2 = 0.0;
    mwds_sensor_residual(&a, &b, nu);
    for (int k = 0; k < a.dim; k++)
        d2 += nu[k] * nu[k] / (a.sigma[k] * a.sigma[k]);
    return d2;
}

/* One noisy look of a radar at one target (pd and false alarms from the
 * sensor), truth id 1. */
static int look_at(const mwds_sensor *s, const mwds_traj *tr, int64_t t_ns, mwds_rng *rng,
                   mwds_measurement *buf)
{
    mwds_vec3 p, v;
    truth_at(tr, t_ns, &p, &v);
    const int burning = 0;
    const uint32_t id = 1;
    int n = 0;
    assert_int_equal(mwds_sensor_look(s, t_ns, &p, &v, &burning, &id, 1, rng, buf, LOOK_CAP, &n),
                     MWDS_OK);
    return n;
}

/* The single confirmed track (fails if there are several); NULL if none. */
static const mwds_track *only_confirmed(const mwds_tracker *t)
{
    int n_slots;
    const mwds_track *tracks = mwds_tracker_tracks(t, &n_slots), *found = NULL;
    for (int i = 0; i < n_slots; i++)
        if (tracks[i].status == MWDS_TRACK_CONFIRMED) {
            assert_null(found);
            found = &tracks[i];
        }
    return found;
}

static int live_tracks(const mwds_tracker *t)
{
    int n_slots, live = 0;
    const mwds_track *tracks = mwds_tracker_tracks(t, &n_slots);
    for (int i = 0; i < n_slots; i++)
        live += tracks[i].status != MWDS_TRACK_FREE;
    return live;
}

/* Position error of a track against truth at the track's time, in metres,
 * and its square in the track's own position covariance. */
static double position_error(const mwds_track *tr, const mwds_traj *truth, double *d2)
{
    mwds_vec3 p, v;
    truth_at(truth, tr->f.t_ns, &p, &v);
    mwds_vec3 e = mwds_v3(tr->f.x.v[0] - p.v[0], tr->f.x.v[1] - p.v[1], tr->f.x.v[2] - p.v[2]);
    mwds_mat3 c, l;
    for (int i = 0; i < 3; i++)
        for (int j = 0; j < 3; j++)
            c.m[i][j] = tr->f.p.m[i][j];
    assert_int_equal(mwds_m3_chol(&c, &l), MWDS_OK);
    *d2 = mwds_v3_dot(e, mwds_m3_chol_solve(&l, e));
    return mwds_v3_norm(e);
}

/* ---- scoring -------------------------------------------------------------------- */

typedef struct assoc_rec {
    uint32_t number, truth;
    int64_t t_ns;
} assoc_rec;

typedef struct confirmed_span {
    int64_t first_ns, last_ns; /* first and last look after which it was confirmed; 0: never */
} confirmed_span;

typedef struct held_rec {
    int look;
    uint32_t number;
} held_rec;

/* Everything a run's scoring needs: each association, the confirmed tracks
 * after each look, and each track number's confirmed span. */
typedef struct track_log {
    assoc_rec *recs;
    size_t n_recs, cap_recs;
    held_rec *held;
    size_t n_held, cap_held;
    confirmed_span *spans; /* by track number */
    size_t n_spans;
    int looks;
} track_log;

static void log_fini(track_log *l)
{
    free(l->recs);
    free(l->held);
    free(l->spans);
    memset(l, 0, sizeof *l);
}

static void *grow(void *p, size_t *cap, size_t size)
{
    *cap = *cap ? 2 * *cap : 1024;
    p = realloc(p, *cap * size);
    assert_non_null(p);
    return p;
}

/* Records the look's associations and the confirmed tracks after it;
 * returns the number of confirmed tracks. */
static int log_look(track_log *l, const mwds_tracker *t, int64_t t_ns,
                    const mwds_measurement *m, const uint32_t *assoc, int n)
{
    for (int j = 0; j < n; j++) {
        if (assoc[j] == 0)
            continue;
        if (l->n_recs == l->cap_recs)
            l->recs = grow(l->recs, &l->cap_recs, sizeof *l->recs);
        assert_true(m[j].truth_id < MAX_TRUTH);
        l->recs[l->n_recs++] = (assoc_rec){assoc[j], m[j].truth_id, t_ns};
    }
    int n_slots, confirmed = 0;
    const mwds_track *tracks = mwds_tracker_tracks(t, &n_slots);
    for (int i = 0; i < n_slots; i++) {
        if (tracks[i].status != MWDS_TRACK_CONFIRMED)
            continue;
        confirmed++;
        const uint32_t num = tracks[i].number;
        if (num >= l->n_spans) {
            size_t nn = l->n_spans ? l->n_spans : 64;
            while (nn <= num)
                nn *= 2;
            l->spans = realloc(l->spans, nn * sizeof *l->spans);
            assert_non_null(l->spans);
            memset(l->spans + l->n_spans, 0, (nn - l->n_spans) * sizeof *l->spans);
            l->n_spans = nn;
        }
        if (l->spans[num].first_ns == 0)
            l->spans[num].first_ns = t_ns;
        l->spans[num].last_ns = t_ns;
        if (l->n_held == l->cap_held)
            l->held = grow(l->held, &l->cap_held, sizeof *l->held);
        l->held[l->n_held++] = (held_rec){l->looks, num};
    }
    l->looks++;
    return confirmed;
}

static int ever_confirmed(const track_log *l, uint32_t num)
{
    return num < l->n_spans && l->spans[num].first_ns != 0;
}

/* The majority launch (truth id > 0) of a track's measurements in
 * [from_ns, to_ns], its share of the truth-labelled ones, their count and
 * the number of false alarms the track took. */
typedef struct purity {
    uint32_t majority; /* 0: no truth-labelled measurement */
    int labelled, false_alarms;
    double share;
} purity;

static purity track_purity(const track_log *l, uint32_t num, int64_t from_ns, int64_t to_ns)
{
    int count[MAX_TRUTH] = {0};
    for (size_t r = 0; r < l->n_recs; r++)
        if (l->recs[r].number == num && l->recs[r].t_ns >= from_ns && l->recs[r].t_ns <= to_ns)
            count[l->recs[r].truth]++;
    purity p = {0, 0, count[0], 0.0};
    for (uint32_t k = 1; k < MAX_TRUTH; k++) {
        p.labelled += count[k];
        if (count[k] > (p.majority ? count[p.majority] : 0))
            p.majority = k;
    }
    p.share = p.labelled > 0 ? (double)count[p.majority] / p.labelled : 0.0;
    return p;
}

/* ---- a. crossing targets -------------------------------------------------------- */

#define CROSS_END_S 150

typedef struct crossing_result {
    double min_sep_m;
    int unresolved_looks;     /* looks with the two measurements within 2 sigma */
    int confirmed_tracks, false_tracks;
    double worst_share;       /* lowest purity of a confirmed track */
    int swaps;                /* tracks whose launch after the crossing differs */
    int looks_scored, looks_two; /* looks from 20 s on; those with 2 confirmed */
    mwds_tracker_stats st;
} crossing_result;

/* Two objects (midcourse_object) on headings 12 and 18 degrees meet at the
 * same point 70 s in, closing at 2 x 3000 x sin(3 deg) = 314 m/s across the
 * beam of south_radar, 460 km away, where 1 mrad is 390 m across and the
 * range sigma 30 m: within 2 sigma of each other for about 5 looks. The
 * radar has 3 false alarms a look over its sector. 150 looks at 1 Hz. */
static crossing_result run_crossing(double pd, uint64_t seed, int print_tracks)
{
    crossing_result r;
    memset(&r, 0, sizeof r);
    r.min_sep_m = 1e30;
    r.worst_share = 1.0;
    mwds_traj truth[2] = {midcourse_object(12.0), midcourse_object(18.0)};
    mwds_sensor radar = south_radar(0, pd, 3.0);
    mwds_tracker_config cfg;
    mwds_tracker_config_default(&cfg);
    mwds_tracker *t = NULL;
    assert_int_equal(mwds_tracker_create(&cfg, &radar, 1, &t), MWDS_OK);
    mwds_rng rng;
    mwds_rng_seed(&rng, seed, 0);

    track_log log;
    memset(&log, 0, sizeof log);
    mwds_measurement buf[LOOK_CAP];
    uint32_t assoc[LOOK_CAP];
    const uint32_t ids[2] = {1, 2};
    const int burning[2] = {0, 0};
    for (int k = 0; k <= CROSS_END_S; k++) {
        const int64_t t_ns = T0 + (int64_t)k * MWDS_NS_PER_S;
        mwds_vec3 pos[2], vel[2];
        for (int i = 0; i < 2; i++)
            truth_at(&truth[i], t_ns, &pos[i], &vel[i]);
        r.min_sep_m = fmin(r.min_sep_m, mwds_v3_norm(mwds_v3_sub(pos[0], pos[1])));
        r.unresolved_looks += measurement_separation2(&radar, pos[0], vel[0], pos[1], vel[1]) < 4.0;
        int n = 0;
        assert_int_equal(
            mwds_sensor_look(&radar, t_ns, pos, vel, burning, ids, 2, &rng, buf, LOOK_CAP, &n),
            MWDS_OK);
        assert_int_equal(mwds_tracker_look(t, 0, t_ns, buf, n, assoc), MWDS_OK);
        int confirmed = log_look(&log, t, t_ns, buf, assoc, n);
        if (k >= 20) { /* after initiation and the boost-to-ballistic switch */
            r.looks_scored++;
            r.looks_two += confirmed == 2;
        }
    }
    mwds_tracker_get_stats(t, &r.st);
    const int64_t meet_ns = T0 + mwds_time_from_s(MEET_T_S);
    for (uint32_t num = 1; num < log.n_spans; num++) {
        if (!ever_confirmed(&log, num))
            continue;
        r.confirmed_tracks++;
        purity all = track_purity(&log, num, INT64_MIN, INT64_MAX);
        purity before = track_purity(&log, num, INT64_MIN, meet_ns - 5 * MWDS_NS_PER_S);
        purity after = track_purity(&log, num, meet_ns + 5 * MWDS_NS_PER_S, INT64_MAX);
        if (print_tracks)
            print_message("    track %u: confirmed %.0f..%.0f s, %d labelled measurements "
                          "(+%d false alarms), majority object %u (%.1f %%); before the "
                          "crossing %u, after %u\n",
                          num, mwds_time_to_s(log.spans[num].first_ns - T0),
                          mwds_time_to_s(log.spans[num].last_ns - T0), all.labelled,
                          all.false_alarms, all.majority, 100.0 * all.share, before.majority,
                          after.majority);
        if (all.majority == 0) {
            r.false_tracks++;
            continue;
        }
        r.worst_share = fmin(r.worst_share, all.share);
        r.swaps += before.labelled >= 5 && after.labelled >= 5 && before.majority != after.majority;
    }
    log_fini(&log);
    mwds_tracker_destroy(t);
    mwds_traj_fini(&truth[0]);
    mwds_traj_fini(&truth[1]);
    return r;
}

/* Runs seeds 1..n_seeds at pd; returns how many runs met every criterion. */
static int crossing_runs(double pd, int n_seeds)
{
    int good = 0;
    for (int seed = 1; seed <= n_seeds; seed++) {
        crossing_result r = run_crossing(pd, (uint64_t)seed, 0);
        /* the geometry is what it claims: the objects meet (the two flights
         * agree at the meeting point to the metres the backward EKF
         * prediction leaves) and are within 2 sigma of each other in the
         * radar's measurement space at 3 looks or more */
        assert_true(r.min_sep_m < 100.0);
        assert_true(r.unresolved_looks >= 3);
        /* the criteria:
         *  - no swap: one object supplies >= 90 % of each confirmed track's
         *    measurements (a swap at the crossing, 70 s into 150, leaves the
         *    majority near 50-60 %), and the object a track follows after
         *    the crossing is the one it followed before;
         *  - clutter (3 false alarms a look over the sector) never makes a
         *    confirmed track: 3 of 4 false alarms inside one gate are
         *    vanishingly rare at this density;
         *  - exactly two confirmed tracks at >= 90 % of the looks from 20 s:
         *    a lost track costs its deletion (4 misses) and a new track's
         *    confirmation (3 looks), 7 looks of 131, so this allows one loss
         *    and no more;
         *  - no merge: each object has had its own track since the first
         *    looks, and their velocities differ by 314 m/s (a hundred
         *    velocity sigmas), so no confirmed track here is a duplicate of
         *    another; pruning one as a duplicate deletes a real target's
         *    track. */
        const int ok = r.worst_share >= 0.9 && r.swaps == 0 && r.false_tracks == 0 &&
                       r.looks_two >= (int)(0.9 * r.looks_scored) && r.st.merged == 0;
        print_message("  pd %.2f seed %d: closest %.1f m, %d looks within 2 sigma; %d confirmed "
                      "tracks (%d false), worst purity %.1f %%, %d swaps; two confirmed at %d "
                      "of %d looks; %llu initiated, %llu merged%s\n",
                      pd, seed, r.min_sep_m, r.unresolved_looks, r.confirmed_tracks,
                      r.false_tracks, 100.0 * r.worst_share, r.swaps, r.looks_two,
                      r.looks_scored, (unsigned long long)r.st.initiated,
                      (unsigned long long)r.st.merged, ok ? "" : "  <-- FAILS");
        if (!ok)
            (void)run_crossing(pd, (uint64_t)seed, 1); /* again, to print its tracks */
        good += ok;
    }
    return good;
}

/* Every detection: the association alone must carry the tracks through. */
static void test_crossing_targets(void **state)
{
    (void)state;
    assert_int_equal(crossing_runs(1.0, 10), 10);
}

/* Pd 0.9: at the crossing one object may go undetected for a look while the
 * other's measurement sits in both gates. A correct tracker coasts the
 * undetected track; it must not give it the other's measurement and then
 * keep going with the wrong object, nor delete it. */
static void test_crossing_targets_missed_detections(void **state)
{
    (void)state;
    assert_int_equal(crossing_runs(0.9, 10), 10);
}

/* ---- b. salvo ------------------------------------------------------------------- */

/* Eight SRBMs from one launch area 4 s apart, aim points 390-450 km away in
 * the East Sea (as scenarios/salvo-search-and-track.yaml, 4 s apart rather
 * than 5), seen by one radar on the Korean east coast with range rate,
 * Pd 0.9 and 1.5 false alarms a scan. */
static const char SALVO_YAML[] =
    "name: test-salvo\n"
    "start: 2026-11-23T03:00:00Z\n"
    "duration_s: 420\n"
    "seed: 20261123\n"
    "nations:\n"
    "  - {code: KOR}\n"
    "sensors:\n"
    "  - id: R1\n"
    "    nation: KOR\n"
    "    type: radar\n"
    "    site: {lat_deg: 37.5, lon_deg: 129.0, height_m: 200}\n"
    "    boresight_az_deg: 15\n"
    "    az_half_width_deg: 75\n"
    "    el_min_deg: 1\n"
    "    el_max_deg: 85\n"
    "    range_min_km: 10\n"
    "    range_max_km: 1200\n"
    "    revisit_s: 1.0\n"
    "    pd: 0.9\n"
    "    false_alarms_per_scan: 1.5\n"
    "    sigma_range_m: 60\n"
    "    sigma_az_deg: 0.06\n"
    "    sigma_el_deg: 0.06\n"
    "    sigma_range_rate_m_s: 1.0\n"
    "launches:\n"
    "  - {id: S1, time_s: 10, class: srbm, launch: {lat_deg: 39.0, lon_deg: 125.7},\n"
    "     target: {lat_deg: 38.7, lon_deg: 130.3}}\n"
    "  - {id: S2, time_s: 14, class: srbm, launch: {lat_deg: 39.0, lon_deg: 125.7},\n"
    "     target: {lat_deg: 38.9, lon_deg: 130.6}}\n"
    "  - {id: S3, time_s: 18, class: srbm, launch: {lat_deg: 39.0, lon_deg: 125.7},\n"
    "     target: {lat_deg: 38.6, lon_deg: 130.8}}\n"
    "  - {id: S4, time_s: 22, class: srbm, launch: {lat_deg: 39.0, lon_deg: 125.7},\n"
    "     target: {lat_deg: 39.1, lon_deg: 130.4}}\n"
    "  - {id: S5, time_s: 26, class: srbm, launch: {lat_deg: 39.0, lon_deg: 125.7},\n"
    "     target: {lat_deg: 38.8, lon_deg: 130.9}}\n"
    "  - {id: S6, time_s: 30, class: srbm, launch: {lat_deg: 39.0, lon_deg: 125.7},\n"
    "     target: {lat_deg: 39.0, lon_deg: 130.7}}\n"
    "  - {id: S7, time_s: 34, class: srbm, launch: {lat_deg: 39.0, lon_deg: 125.7},\n"
    "     target: {lat_deg: 38.5, lon_deg: 130.5}}\n"
    "  - {id: S8, time_s: 38, class: srbm, launch: {lat_deg: 39.0, lon_deg: 125.7},\n"
    "     target: {lat_deg: 38.9, lon_deg: 130.2}}\n";

#define SALVO_N 8
#define SALVO_MAX_LOOKS 8192

/* The salvo with its radar scanning in `dwells` azimuth sectors per
 * revisit (1: each look covers the whole sector). */
static void run_salvo(int dwells)
{
    mwds_scenario sc;
    memset(&sc, 0, sizeof sc);
    char err[256] = "";
    mwds_err e = mwds_scenario_parse("salvo", SALVO_YAML, strlen(SALVO_YAML), &sc, err, sizeof err);
    if (e != MWDS_OK)
        fail_msg("salvo scenario: %s", err);
    assert_int_equal(sc.n_launches, SALVO_N);
    sc.sensors[0].sensor.dwells = dwells;
    assert_int_equal(mwds_sensor_init(&sc.sensors[0].sensor), MWDS_OK);
    mwds_sim *sim = NULL;
    e = mwds_sim_create(&sc, &sim, err, sizeof err);
    if (e != MWDS_OK)
        fail_msg("salvo simulator: %s", err);
    const mwds_sensor *radar = &sc.sensors[0].sensor;
    mwds_tracker_config cfg;
    mwds_tracker_config_default(&cfg);
    mwds_tracker *t = NULL;
    assert_int_equal(mwds_tracker_create(&cfg, radar, 1, &t), MWDS_OK);

    track_log log;
    memset(&log, 0, sizeof log);
    static unsigned char visible[SALVO_MAX_LOOKS][SALVO_N];
    memset(visible, 0, sizeof visible);
    mwds_measurement buf[LOOK_CAP];
    uint32_t assoc[LOOK_CAP];
    long meas = 0;
    for (;;) {
        int n = 0;
        mwds_sim_look_info look;
        e = mwds_sim_look(sim, INT64_MAX, buf, LOOK_CAP, &n, &look);
        if (e == MWDS_ENOTFOUND)
            break;
        assert_int_equal(e, MWDS_OK);
        assert_true(log.looks < SALVO_MAX_LOOKS);
        for (size_t i = 0; i < SALVO_N; i++) {
            int in_flight = 0, burning = 0;
            mwds_vec3 p, v;
            assert_int_equal(mwds_sim_truth(sim, i, look.t_ns, &in_flight, &p, &v, &burning),
                             MWDS_OK);
            visible[log.looks][i] =
                (unsigned char)(in_flight && mwds_sensor_visible(radar, p, burning) &&
                                mwds_sensor_in_dwell(radar, look.dwell, p));
        }
        assert_int_equal(
            mwds_tracker_look_dwell(t, look.sensor_id, look.dwell, look.t_ns, buf, n, assoc),
            MWDS_OK);
        log_look(&log, t, look.t_ns, buf, assoc, n);
        meas += n;
    }
    mwds_tracker_stats st;
    mwds_tracker_get_stats(t, &st);

    /* per track: purity, first and second halves, duplicates */
    int tracks_of[SALVO_N + 1] = {0}, dups_of[SALVO_N + 1] = {0};
    double first_s[SALVO_N + 1];
    for (int k = 0; k <= SALVO_N; k++)
        first_s[k] = -1.0;
    int impure = 0, swapped = 0, confirmed_tracks = 0, handovers = 0;
    double worst_share = 1.0, dup_s = 0.0;
    uint32_t *label = calloc(log.n_spans ? log.n_spans : 1, sizeof *label);
    assert_non_null(label);
    for (uint32_t num = 1; num < log.n_spans; num++)
        if (ever_confirmed(&log, num))
            label[num] = track_purity(&log, num, INT64_MIN, INT64_MAX).majority;
    for (uint32_t num = 1; num < log.n_spans; num++) {
        if (!ever_confirmed(&log, num))
            continue;
        confirmed_tracks++;
        const confirmed_span *sp = &log.spans[num];
        purity all = track_purity(&log, num, INT64_MIN, INT64_MAX);
        const int64_t mid = sp->first_ns + (sp->last_ns - sp->first_ns) / 2;
        purity early = track_purity(&log, num, INT64_MIN, mid);
        purity late = track_purity(&log, num, mid + 1, INT64_MAX);
        const uint32_t l = label[num];
        print_message("  track %u: confirmed %.0f..%.0f s, %d labelled (+%d false alarms), "
                      "launch S%u %.1f %% (first half S%u, second S%u)\n",
                      num, mwds_time_to_s(sp->first_ns - sc.start_t_ns),
                      mwds_time_to_s(sp->last_ns - sc.start_t_ns), all.labelled,
                      all.false_alarms, l, 100.0 * all.share, early.majority, late.majority);
        tracks_of[l]++;
        if (l == 0)
            continue;
        worst_share = fmin(worst_share, all.share);
        impure += all.share < 0.9;
        swapped += early.labelled >= 5 && late.labelled >= 5 && early.majority != late.majority;
        const double t_s = mwds_time_to_s(sp->first_ns - sc.launches[l - 1].req.launch_t_ns);
        if (first_s[l] < 0.0 || t_s < first_s[l])
            first_s[l] = t_s;
        /* confirmed while an older track of the same launch was still
         * confirmed: a duplicate if they overlap by more than one look; at
         * exactly one look, a handover (the older track was deleted in the
         * look that confirmed this one) */
        for (uint32_t o = 1; o < log.n_spans; o++) {
            const confirmed_span *so = &log.spans[o];
            if (o == num || !ever_confirmed(&log, o) || label[o] != l ||
                !(so->first_ns < sp->first_ns || (so->first_ns == sp->first_ns && o < num)) ||
                so->last_ns < sp->first_ns)
                continue;
            const int64_t end = so->last_ns < sp->last_ns ? so->last_ns : sp->last_ns;
            if (end > sp->first_ns) {
                dups_of[l]++;
                dup_s += mwds_time_to_s(end - sp->first_ns);
            } else {
                handovers++;
            }
            break;
        }
    }
    /* per launch: the share of the looks at which it is visible, from its
     * first confirmed track on, at which a confirmed track holds it */
    double worst_held = 1.0;
    int dups = 0, untracked = 0, most_tracks = 0;
    for (int l = 1; l <= SALVO_N; l++) {
        int first_look = -1, vis = 0, held = 0;
        for (size_t h = 0; h < log.n_held && first_look < 0; h++)
            if (label[log.held[h].number] == (uint32_t)l)
                first_look = log.held[h].look;
        for (int k = first_look < 0 ? log.looks : first_look; k < log.looks; k++) {
            if (!visible[k][l - 1])
                continue;
            vis++;
            int found = 0;
            for (size_t h = 0; h < log.n_held && !found; h++)
                found = log.held[h].look == k && label[log.held[h].number] == (uint32_t)l;
            held += found;
        }
        const double share = vis > 0 ? (double)held / vis : 0.0;
        worst_held = fmin(worst_held, share);
        const mwds_traj *tr = mwds_sim_trajectory(sim, (size_t)(l - 1));
        print_message("  S%d (burnout %.0f s, flight %.0f s): %d confirmed tracks, %d "
                      "duplicates, first confirmed %.0f s after launch, held at %d of %d "
                      "visible looks\n",
                      l, tr ? tr->sum.burnout_t_s : NAN, tr ? tr->sum.flight_time_s : NAN,
                      tracks_of[l], dups_of[l], first_s[l], held, vis);
        dups += dups_of[l];
        untracked += tracks_of[l] == 0;
        most_tracks = tracks_of[l] > most_tracks ? tracks_of[l] : most_tracks;
    }
    print_message("salvo (%d dwells a scan): %d looks, %ld measurements; %d confirmed tracks (%d false), %d "
                  "duplicates (%.0f s overlapping), %d handovers, worst purity %.1f %%, worst "
                  "held share %.3f; stats: %llu initiated, %llu confirmed, %llu deleted, %llu "
                  "merged, %llu filter errors\n",
                  dwells, log.looks, meas, confirmed_tracks, tracks_of[0], dups, dup_s, handovers,
                  100.0 * worst_share, worst_held, (unsigned long long)st.initiated,
                  (unsigned long long)st.confirmed, (unsigned long long)st.deleted,
                  (unsigned long long)st.merged, (unsigned long long)st.filter_errors);
    free(label);
    log_fini(&log);
    mwds_tracker_destroy(t);
    mwds_sim_destroy(sim);
    mwds_scenario_fini(&sc);

    /* every launch tracked */
    assert_int_equal(untracked, 0);
    /* no merge, no swap: each confirmed track's majority launch gives
     * >= 90 % of its truth-labelled measurements (a track alternating
     * between two launches, or changing launch midway, sits near 50 %), and
     * the first and second halves of its life have the same launch */
    assert_int_equal(impure, 0);
    assert_int_equal(swapped, 0);
    /* no false track: 1.5 false alarms a scan spread over a 150-degree,
     * 1,200 km sector almost never fall three times in four into one gate */
    assert_int_equal(tracks_of[0], 0);
    /* duplicates (two confirmed tracks of one launch for more than one
     * look): at most one in the salvo (measured: none) */
    assert_true(dups <= 1);
    /* fragmentation: the burnout (thrust drops by tens of m/s^2 within a
     * second) may cost a launch its first track once, no more (measured:
     * at most 2 tracks per launch) */
    assert_true(most_tracks <= 2);
    /* continuity: a confirmed track holds each launch at >= 90 % of the
     * looks that see it after its first confirmation: one re-acquisition
     * costs about 7 looks of some 300 */
    assert_true(worst_held >= 0.9);
    assert_int_equal(st.filter_errors, 0);
}

static void test_salvo(void **state)
{
    (void)state;
    run_salvo(1);
}

/* The same salvo with the radar scanning in ten dwells of 15 degrees a
 * revisit: the launches sweep across the sectors, and a dwell's look
 * predicts, gates and counts misses only for the tracks near its sector
 * (mwds_tracker_look_dwell). The same bounds hold. */
static void test_salvo_in_dwells(void **state)
{
    (void)state;
    run_salvo(10);
}

/* ---- c. track loss and re-acquisition ------------------------------------------- */

static void tracker_look_ok(mwds_tracker *t, int64_t t_ns, const mwds_measurement *m, int n,
                            uint32_t *assoc)
{
    assert_int_equal(mwds_tracker_look(t, 0, t_ns, m, n, assoc), MWDS_OK);
}

/* One target, a radar with Pd 1 and no clutter (so every count below is
 * exact): looks 0..29 measured, 30..31 empty (a short gap), 32..54
 * measured, 55..66 empty (a long gap), 67..99 measured. */
static void test_track_loss_and_reacquisition(void **state)
{
    (void)state;
    mwds_traj truth = midcourse_object(15.0);
    mwds_sensor radar = south_radar(0, 1.0, 0.0);
    mwds_tracker_config cfg;
    mwds_tracker_config_default(&cfg);
    mwds_tracker *t = NULL;
    assert_int_equal(mwds_tracker_create(&cfg, &radar, 1, &t), MWDS_OK);
    mwds_rng rng;
    mwds_rng_seed(&rng, 3, 0);
    mwds_measurement buf[LOOK_CAP];
    uint32_t assoc[LOOK_CAP];
    uint32_t first = 0, second = 0;
    int hits_before_gap = 0, k_confirmed_again = -1, k_deleted = -1;
    for (int k = 0; k < 100; k++) {
        const int64_t t_ns = T0 + (int64_t)k * MWDS_NS_PER_S;
        const int gap = (k >= 30 && k <= 31) || (k >= 55 && k <= 66);
        int n = look_at(&radar, &truth, t_ns, &rng, buf);
        assert_int_equal(n, 1);
        tracker_look_ok(t, t_ns, buf, gap ? 0 : n, assoc);
        const mwds_track *tr = only_confirmed(t);
        if (k == 2) { /* confirm 3 of 4 with every detection: at the third look */
            assert_non_null(tr);
            first = tr->number;
        }
        if (k == 29) {
            assert_non_null(tr);
            assert_int_equal(tr->number, first);
            hits_before_gap = tr->hits;
        }
        if (k == 31) { /* two misses: still confirmed, same number */
            assert_non_null(tr);
            assert_int_equal(tr->number, first);
            assert_int_equal(tr->misses_in_row, 2);
            assert_int_equal(tr->hits, hits_before_gap);
        }
        if (k == 32) { /* the measurement after the short gap updates it */
            assert_non_null(tr);
            assert_int_equal(tr->number, first);
            assert_int_equal(assoc[0], first);
            assert_int_equal(tr->hits, hits_before_gap + 1);
            assert_int_equal(tr->misses_in_row, 0);
        }
        if (k == 54) {
            assert_non_null(tr);
            assert_int_equal(tr->number, first);
            double d2;
            double err = position_error(tr, &truth, &d2);
            print_message("loss: before the long gap, track %u: %d hits, position error %.0f m "
                          "(d^2 %.2f)\n",
                          tr->number, tr->hits, err, d2);
        }
        if (k >= 55 && k <= 66 && tr == NULL && k_deleted < 0) {
            k_deleted = k;
            assert_int_equal(live_tracks(t), 0); /* deleted, not demoted */
        }
        if (k >= 67 && tr != NULL && k_confirmed_again < 0) {
            k_confirmed_again = k;
            second = tr->number;
        }
    }
    /* deleted at the delete_misses-th missed opportunity of the long gap */
    assert_int_equal(k_deleted, 55 + cfg.delete_misses - 1);
    /* confirmed again within M of N looks of the measurements' return:
     * with every detection, at the M-th */
    assert_true(k_confirmed_again >= 67);
    assert_true(k_confirmed_again <= 67 + cfg.confirm_n - 1);
    assert_int_equal(k_confirmed_again, 67 + cfg.confirm_m - 1);
    assert_int_not_equal(second, first);
    const mwds_track *tr = only_confirmed(t);
    assert_non_null(tr);
    assert_int_equal(tr->number, second);
    double d2;
    double err = position_error(tr, &truth, &d2);
    mwds_tracker_stats st;
    mwds_tracker_get_stats(t, &st);
    print_message("loss: deleted at look %d, re-confirmed at look %d as track %u (was %u); end "
                  "position error %.0f m (d^2 %.2f); stats: %llu looks, %llu updates, %llu "
                  "initiated, %llu confirmed, %llu deleted\n",
                  k_deleted, k_confirmed_again, second, first, err, d2,
                  (unsigned long long)st.looks, (unsigned long long)st.updates,
                  (unsigned long long)st.initiated, (unsigned long long)st.confirmed,
                  (unsigned long long)st.deleted);
    /* 33 updates after re-acquisition: well inside 1 km (a single
     * measurement is 30 m by 390 m by 390 m) and consistent with its
     * covariance (chi-square 3 dof, 0.9999 point 21.1) */
    assert_true(err < 1000.0);
    assert_true(d2 < mwds_chi2_quantile(0.9999, 3));
    /* stats: exactly two tracks ever (no clutter), one deleted */
    assert_int_equal(st.looks, 100);
    assert_int_equal(st.initiated, 2);
    assert_int_equal(st.confirmed, 2);
    assert_int_equal(st.deleted, 1);
    assert_int_equal(st.merged, 0);
    assert_int_equal(st.out_of_order_looks, 0);
    assert_int_equal(st.filter_errors, 0);
    /* every measurement but the first of each track updated it */
    assert_int_equal(st.updates, 100 - 2 - 12 - 2);
    mwds_tracker_destroy(t);
    mwds_traj_fini(&truth);
}

/* More gated pairs in one look than track slots and measurements together:
 * four tentative tracks a few tens of metres apart, whose wide first gates
 * each take all four measurements of the next look (16 pairs, 4 + 4
 * slots). The pairs' cluster table was once sized by slots, not pairs, and
 * this overran it (ASan sees it). */
static void test_dense_look_more_pairs_than_slots(void **state)
{
    (void)state;
    mwds_sensor radar = south_radar(0, 1.0, 0.0);
    mwds_tracker_config cfg;
    mwds_tracker_config_default(&cfg);
    cfg.max_tracks = 4;
    cfg.max_meas_per_look = 4;
    mwds_tracker *t = NULL;
    assert_int_equal(mwds_tracker_create(&cfg, &radar, 1, &t), MWDS_OK);
    mwds_measurement m[4];
    for (int k = 0; k < 4; k++) {
        const int64_t t_ns = T0 + (int64_t)k * MWDS_NS_PER_S;
        for (int j = 0; j < 4; j++) {
            memset(&m[j], 0, sizeof m[j]);
            m[j].t_ns = t_ns;
            m[j].sensor_id = 0;
            m[j].kind = MWDS_SENSOR_RADAR;
            m[j].dim = 3;
            m[j].z[0] = 460e3 + 20.0 * j;
            m[j].z[1] = 15.0 * MWDS_DEG2RAD + 2e-5 * j;
            m[j].z[2] = 0.3;
            m[j].sigma[0] = radar.radar.sigma_range_m;
            m[j].sigma[1] = radar.radar.sigma_az_rad;
            m[j].sigma[2] = radar.radar.sigma_el_rad;
        }
        tracker_look_ok(t, t_ns, m, 4, NULL);
    }
    int n_slots, live = 0;
    const mwds_track *tr = mwds_tracker_tracks(t, &n_slots);
    for (int i = 0; i < n_slots; i++)
        live += tr[i].status != MWDS_TRACK_FREE;
    assert_int_equal(live, 4);
    mwds_tracker_stats st;
    mwds_tracker_get_stats(t, &st);
    assert_int_equal(st.greedy_clusters, 0);
    assert_int_equal(st.pairs_dropped, 0);
    mwds_tracker_destroy(t);
}

/* ---- d. out-of-order looks ------------------------------------------------------ */

/* Two radars, pd 1, no clutter: A (id 0) looks at k s, B (id 1) at k + 0.5
 * s. Normally delivered in time order; every 10 s from 20 s on (six times) B's look comes
 * first, so A's look is half a second older than the track. */
static void test_out_of_order_look(void **state)
{
    (void)state;
    mwds_traj truth = midcourse_object(15.0);
    mwds_sensor radars[2] = {south_radar(0, 1.0, 0.0),
                             sector_radar(1, 38.0, 135.5, 315.0, 50.0, 1.0, 0.0)};
    mwds_tracker_config cfg;
    mwds_tracker_config_default(&cfg);
    mwds_tracker *t = NULL, *ref = NULL; /* ref: the same looks in time order */
    assert_int_equal(mwds_tracker_create(&cfg, radars, 2, &t), MWDS_OK);
    assert_int_equal(mwds_tracker_create(&cfg, radars, 2, &ref), MWDS_OK);
    mwds_rng rng;
    mwds_rng_seed(&rng, 4, 0);
    mwds_measurement ma[LOOK_CAP], mb[LOOK_CAP];
    uint32_t assoc[LOOK_CAP];
    int late_looks = 0;
    double worst_err = 0.0, worst_d2 = 0.0, worst_ref_err = 0.0;
    for (int k = 0; k < 80; k++) {
        const int64_t ta = T0 + (int64_t)k * MWDS_NS_PER_S, tb = ta + MWDS_NS_PER_S / 2;
        int na = look_at(&radars[0], &truth, ta, &rng, ma);
        int nb = look_at(&radars[1], &truth, tb, &rng, mb);
        assert_int_equal(na, 1);
        assert_int_equal(nb, 1);
        assert_int_equal(mwds_tracker_look(ref, 0, ta, ma, na, NULL), MWDS_OK);
        assert_int_equal(mwds_tracker_look(ref, 1, tb, mb, nb, NULL), MWDS_OK);
        if (k < 20 || k % 10 != 0) {
            assert_int_equal(mwds_tracker_look(t, 0, ta, ma, na, NULL), MWDS_OK);
            assert_int_equal(mwds_tracker_look(t, 1, tb, mb, nb, NULL), MWDS_OK);
            continue;
        }
        assert_int_equal(mwds_tracker_look(t, 1, tb, mb, nb, NULL), MWDS_OK);
        const mwds_track *tr = only_confirmed(t);
        assert_non_null(tr);
        const uint32_t number = tr->number;
        const int hits = tr->hits;
        assert_true(tr->f.t_ns == tb);
        mwds_tracker_stats before, after;
        mwds_tracker_get_stats(t, &before);
        /* the late look */
        assert_int_equal(mwds_tracker_look(t, 0, ta, ma, na, assoc), MWDS_OK);
        late_looks++;
        mwds_tracker_get_stats(t, &after);
        tr = only_confirmed(t);
        assert_non_null(tr);
        assert_int_equal(tr->number, number);
        assert_int_equal(assoc[0], number);          /* the measurement went to it */
        assert_int_equal(tr->hits, hits + 1);        /* and was used */
        assert_true(tr->f.t_ns == tb);               /* the track stays at its own time */
        assert_int_equal(after.out_of_order_looks, before.out_of_order_looks + 1);
        assert_int_equal(after.updates, before.updates + 1);
        assert_int_equal(live_tracks(t), 1);         /* nothing initiated from it */
        double d2;
        double err = position_error(tr, &truth, &d2);
        const mwds_track *rt = only_confirmed(ref);
        assert_non_null(rt);
        double rd2;
        double ref_err = position_error(rt, &truth, &rd2);
        worst_err = fmax(worst_err, err);
        worst_d2 = fmax(worst_d2, d2);
        worst_ref_err = fmax(worst_ref_err, ref_err);
        print_message("out of order at %d s: track %u, %d hits, position error %.1f m (d^2 "
                      "%.2f); in time order %.1f m (d^2 %.2f)\n",
                      k, tr->number, tr->hits, err, d2, ref_err, rd2);
    }
    mwds_tracker_stats st;
    mwds_tracker_get_stats(t, &st);
    print_message("out of order: %d late looks, stats %llu out-of-order looks, %llu updates, "
                  "worst position error %.1f m (d^2 %.2f), in time order %.1f m\n",
                  late_looks, (unsigned long long)st.out_of_order_looks,
                  (unsigned long long)st.updates, worst_err, worst_d2, worst_ref_err);
    assert_int_equal(late_looks, 6);
    assert_int_equal(st.out_of_order_looks, (uint64_t)late_looks);
    assert_int_equal(st.filter_errors, 0);
    assert_int_equal(st.initiated, 1);
    /* a sensible estimate: with two radars at 1 Hz the converged position
     * error is tens of metres; the late update must neither throw the
     * track off (< 300 m, under one measurement's cross-range sigma) nor
     * make it overconfident (d^2 inside the chi-square 3-dof 0.9999 point:
     * the backward-forward prediction adds process noise on both legs) */
    assert_true(worst_err < 300.0);
    assert_true(worst_d2 < mwds_chi2_quantile(0.9999, 3));
    mwds_tracker_destroy(t);
    mwds_tracker_destroy(ref);
    mwds_traj_fini(&truth);
}

/* ---- e. error handling ---------------------------------------------------------- */

/* A tracker with one confirmed track and some tentative ones (clutter), and
 * a valid next look for it. */
typedef struct err_fixture {
    mwds_sensor radars[2];
    mwds_traj truth;
    mwds_tracker *t;
    mwds_rng rng;
    int64_t t_ns;              /* the next look's time */
    mwds_measurement m[LOOK_CAP];
    int n;
    mwds_track *pool_copy;
    int n_slots;
    mwds_tracker_stats st_copy;
} err_fixture;

static int err_setup(void **state)
{
    err_fixture *f = calloc(1, sizeof *f);
    assert_non_null(f);
    f->truth = midcourse_object(15.0);
    f->radars[0] = south_radar(0, 1.0, 5.0);
    f->radars[1] = sector_radar(1, 38.0, 135.5, 315.0, 50.0, 1.0, 0.0);
    mwds_tracker_config cfg;
    mwds_tracker_config_default(&cfg);
    cfg.max_tracks = 64;
    cfg.max_meas_per_look = 8;
    assert_int_equal(mwds_tracker_create(&cfg, f->radars, 2, &f->t), MWDS_OK);
    mwds_rng_seed(&f->rng, 5, 0);
    for (int k = 0; k < 10; k++) {
        const int64_t t_ns = T0 + (int64_t)k * MWDS_NS_PER_S;
        int n = look_at(&f->radars[0], &f->truth, t_ns, &f->rng, f->m);
        if (n > 8)
            n = 8;
        assert_int_equal(mwds_tracker_look(f->t, 0, t_ns, f->m, n, NULL), MWDS_OK);
    }
    assert_non_null(only_confirmed(f->t));
    f->t_ns = T0 + 10 * MWDS_NS_PER_S;
    f->n = look_at(&f->radars[0], &f->truth, f->t_ns, &f->rng, f->m);
    assert_true(f->n >= 1 && f->n <= 8);
    *state = f;
    return 0;
}

static int err_teardown(void **state)
{
    err_fixture *f = *state;
    mwds_tracker_destroy(f->t);
    mwds_traj_fini(&f->truth);
    free(f->pool_copy);
    free(f);
    return 0;
}

static void snapshot(err_fixture *f)
{
    const mwds_track *pool = mwds_tracker_tracks(f->t, &f->n_slots);
    free(f->pool_copy);
    f->pool_copy = malloc((size_t)f->n_slots * sizeof *pool);
    assert_non_null(f->pool_copy);
    memcpy(f->pool_copy, pool, (size_t)f->n_slots * sizeof *pool);
    mwds_tracker_get_stats(f->t, &f->st_copy);
}

/* The look is refused with want, and neither the tracker (its pool, byte
 * for byte, and its stats) nor assoc changed. */
static void expect_refused(err_fixture *f, uint32_t sensor_id, int64_t t_ns,
                           const mwds_measurement *m, int n, mwds_err want, const char *what)
{
    snapshot(f);
    uint32_t assoc[LOOK_CAP + 1];
    for (int j = 0; j < LOOK_CAP + 1; j++)
        assoc[j] = 0xdeadbeefu;
    mwds_err e = mwds_tracker_look(f->t, sensor_id, t_ns, m, n, assoc);
    if (e != want)
        fail_msg("%s: got %s, want %s", what, mwds_strerror(e), mwds_strerror(want));
    int n_slots;
    const mwds_track *pool = mwds_tracker_tracks(f->t, &n_slots);
    assert_int_equal(n_slots, f->n_slots);
    if (memcmp(pool, f->pool_copy, (size_t)n_slots * sizeof *pool) != 0)
        fail_msg("%s: the track pool changed", what);
    mwds_tracker_stats st;
    mwds_tracker_get_stats(f->t, &st);
    if (memcmp(&st, &f->st_copy, sizeof st) != 0)
        fail_msg("%s: the stats changed", what);
    for (int j = 0; j < LOOK_CAP + 1; j++)
        if (assoc[j] != 0xdeadbeefu)
            fail_msg("%s: assoc[%d] written", what, j);
}

static void test_look_errors(void **state)
{
    err_fixture *f = *state;
    mwds_measurement m[LOOK_CAP];
    const int n = f->n;

    expect_refused(f, 2, f->t_ns, f->m, n, MWDS_EINVAL, "unknown sensor id");
    expect_refused(f, 0, f->t_ns, f->m, -1, MWDS_EINVAL, "n < 0");
    expect_refused(f, 0, f->t_ns, NULL, 1, MWDS_EINVAL, "NULL measurements");

    memcpy(m, f->m, sizeof m);
    m[n - 1].sensor_id = 1; /* another (real) sensor's measurement in sensor 0's look */
    expect_refused(f, 0, f->t_ns, m, n, MWDS_EINVAL, "a measurement of another sensor");

    memcpy(m, f->m, sizeof m);
    m[0].t_ns += MWDS_NS_PER_S / 10; /* a measurement of another time */
    expect_refused(f, 0, f->t_ns, m, n, MWDS_EINVAL, "a measurement of another time");
    /* the look's time must match too (all measurements at 10 s, look at 11 s) */
    expect_refused(f, 0, f->t_ns + MWDS_NS_PER_S, f->m, n, MWDS_EINVAL, "look time mismatch");

    memcpy(m, f->m, sizeof m);
    m[0].kind = MWDS_SENSOR_SPACE_IR;
    m[0].dim = 2;
    expect_refused(f, 0, f->t_ns, m, n, MWDS_EINVAL, "an IR measurement from a radar");

    memcpy(m, f->m, sizeof m);
    m[0].dim = 0;
    expect_refused(f, 0, f->t_ns, m, n, MWDS_EINVAL, "dimension 0");
    m[0].dim = MWDS_MEAS_MAX_DIM + 1;
    expect_refused(f, 0, f->t_ns, m, n, MWDS_EINVAL, "dimension 5");

    /* over max_meas_per_look (8): 9 valid measurements */
    for (int j = 0; j < 9; j++)
        m[j] = f->m[0];
    expect_refused(f, 0, f->t_ns, m, 9, MWDS_EFULL, "9 measurements, max 8");

    /* after all that, the valid look goes through and updates the track */
    const mwds_track *tr = only_confirmed(f->t);
    assert_non_null(tr);
    const uint32_t number = tr->number;
    const int hits = tr->hits;
    uint32_t assoc[LOOK_CAP];
    assert_int_equal(mwds_tracker_look(f->t, 0, f->t_ns, f->m, n, assoc), MWDS_OK);
    tr = only_confirmed(f->t);
    assert_non_null(tr);
    assert_int_equal(tr->number, number);
    assert_int_equal(tr->hits, hits + 1);
    /* exactly max_meas_per_look is accepted */
    const int64_t t2 = f->t_ns + MWDS_NS_PER_S;
    for (int j = 0; j < 8; j++) {
        m[j] = f->m[0];
        m[j].t_ns = t2;
    }
    assert_int_equal(mwds_tracker_look(f->t, 0, t2, m, 8, NULL), MWDS_OK);
}

/* track.h: "Errors: MWDS_EINVAL (... a dimension the sensor does not
 * produce)". A radar without range rate produces dim 3. */
static void test_look_rejects_dimension_the_sensor_does_not_produce(void **state)
{
    err_fixture *f = *state;
    mwds_measurement m[LOOK_CAP];
    memcpy(m, f->m, sizeof m);
    m[0].dim = 4; /* range rate from a radar that measures none */
    m[0].z[3] = 100.0;
    m[0].sigma[3] = 1.0;
    expect_refused(f, 0, f->t_ns, m, f->n, MWDS_EINVAL, "radar dim 4 without range rate");
    memcpy(m, f->m, sizeof m);
    m[0].dim = 2;
    expect_refused(f, 0, f->t_ns, m, f->n, MWDS_EINVAL, "radar dim 2");
}

static void test_create_errors(void **state)
{
    (void)state;
    mwds_sensor radars[2] = {south_radar(0, 1.0, 0.0), south_radar(1, 1.0, 0.0)};
    mwds_tracker_config good;
    mwds_tracker_config_default(&good);
    mwds_tracker *t = NULL;
    assert_int_equal(mwds_tracker_create(&good, radars, 2, &t), MWDS_OK);
    assert_non_null(t);
    mwds_tracker_destroy(t);
    mwds_tracker_destroy(NULL); /* allowed */
    /* no sensors at all is a valid (if idle) tracker */
    t = NULL;
    assert_int_equal(mwds_tracker_create(&good, NULL, 0, &t), MWDS_OK);
    assert_int_equal(mwds_tracker_look(t, 0, T0, NULL, 0, NULL), MWDS_EINVAL);
    mwds_tracker_destroy(t);

    mwds_tracker *sentinel = (mwds_tracker *)&good; /* never dereferenced */
    t = sentinel;
    assert_int_equal(mwds_tracker_create(NULL, radars, 2, &t), MWDS_EINVAL);
    assert_int_equal(mwds_tracker_create(&good, radars, 2, NULL), MWDS_EINVAL);
    assert_int_equal(mwds_tracker_create(&good, NULL, 2, &t), MWDS_EINVAL);
    radars[1].id = 0; /* a sensor whose id is not its index */
    assert_int_equal(mwds_tracker_create(&good, radars, 2, &t), MWDS_EINVAL);
    radars[1].id = 1;
    assert_ptr_equal(t, sentinel); /* out written only on success */

#define BAD(field, value)                                                                      \
    do {                                                                                       \
        mwds_tracker_config c_ = good;                                                         \
        c_.field = (value);                                                                    \
        if (mwds_tracker_create(&c_, radars, 2, &t) != MWDS_EINVAL)                            \
            fail_msg("config %s = %s accepted", #field, #value);                               \
        assert_ptr_equal(t, sentinel);                                                         \
    } while (0)
    BAD(filter, (mwds_filter_kind)2);
    BAD(max_tracks, 0);
    BAD(max_tracks, -1);
    BAD(max_meas_per_look, 0);
    BAD(gate_p, 0.5);
    BAD(gate_p, 1.0);
    BAD(gate_p, NAN);
    BAD(confirm_m, 0);
    BAD(confirm_n, 2); /* below confirm_m = 3 */
    BAD(confirm_n, 33); /* more than the 32-bit history holds */
    BAD(delete_misses, 0);
    BAD(max_coast_s, 0.0);
    BAD(max_coast_s, NAN);
    BAD(max_pos_sigma_m, -1.0);
    BAD(init_vel_sigma_m_s, 0.0);
    BAD(init_acc_sigma_m_s2, 0.0);
    BAD(invbeta_sigma, 0.0);
    BAD(invbeta_mean, NAN);
    BAD(invbeta_mean, INFINITY);
    BAD(quiet_updates, 0);
    BAD(max_cluster, 0);
    BAD(max_cluster, 1025);
    BAD(fp.q_acc, -1e-3);
    BAD(fp.q_acc, NAN);
    BAD(fp.q_invbeta, -1.0);
    BAD(fp.q_jerk, -1.0);
#undef BAD
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_crossing_targets),
        cmocka_unit_test(test_crossing_targets_missed_detections),
        cmocka_unit_test(test_salvo),
        cmocka_unit_test(test_salvo_in_dwells),
        cmocka_unit_test(test_track_loss_and_reacquisition),
        cmocka_unit_test(test_out_of_order_look),
        cmocka_unit_test(test_dense_look_more_pairs_than_slots),
        cmocka_unit_test_setup_teardown(test_look_errors, err_setup, err_teardown),
        cmocka_unit_test_setup_teardown(test_look_rejects_dimension_the_sensor_does_not_produce,
                                        err_setup, err_teardown),
        cmocka_unit_test(test_create_errors),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
