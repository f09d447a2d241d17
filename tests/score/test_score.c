/*
 * Scoring: OSPA against hand-computed cases (cardinality penalty, cutoff, a
 * case where the greedy pairing is not the optimal one) and against a brute
 * force over every injection; SIAP measures on small synthetic pictures
 * whose answers are worked out by hand in the comments; and the whole
 * scorer on synthetic journals written with the journal API, whose first
 * track and first warning times, PIP errors, picture measures and lost and
 * duplicated warnings are computed here from the rows themselves. Errors
 * that a user can reach name the file and field.
 *
 * Every test works in a fresh folder under $TMPDIR (or /tmp), removed after.
 */
#include <jansson.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "mwds/journal.h"
#include "mwds/scenario.h"
#include "mwds/score.h"
#include "mwds/sim.h"
#include "test_util.h"

#ifndef MWDS_SOURCE_DIR
#define MWDS_SOURCE_DIR "."
#endif
#define SCENARIO MWDS_SOURCE_DIR "/scenarios/srbm-seen-by-kor.yaml"

/* ---- OSPA ---- */

static void ospa_ok(const double *d, int m, int n, double c, double p, mwds_ospa *o)
{
    assert_int_equal(mwds_score_ospa(d, m, n, c, p, o), MWDS_OK);
}

static void test_ospa_hand(void **state)
{
    (void)state;
    mwds_ospa o;
    /* both empty: 0; one empty: c whatever the other's size */
    ospa_ok(NULL, 0, 0, 5.0, 2.0, &o);
    assert_near(o.total, 0.0, 0.0, "empty sets");
    ospa_ok(NULL, 0, 3, 5.0, 2.0, &o);
    assert_near(o.total, 5.0, 1e-12, "X empty");
    assert_near(o.cardinality, 5.0, 1e-12, "X empty: all cardinality");
    ospa_ok(NULL, 2, 0, 5.0, 1.0, &o);
    assert_near(o.total, 5.0, 1e-12, "Y empty");

    /* X = {0, 10}, Y = {1, 13, 100} on a line, c = 5. The best pairing is
     * 0-1 (1) and 10-13 (3); 100 is unpaired and pays c.
     * p = 1: (1 + 3 + 5) / 3 = 3.
     * p = 2: ((1 + 9 + 25) / 3)^(1/2) = sqrt(35 / 3) = 3.41565...;
     * localisation sqrt(10 / 3), cardinality sqrt(25 / 3). */
    const double x[2] = {0, 10}, y[3] = {1, 13, 100};
    double d[6];
    for (int i = 0; i < 2; i++)
        for (int j = 0; j < 3; j++)
            d[i * 3 + j] = fabs(x[i] - y[j]);
    ospa_ok(d, 2, 3, 5.0, 1.0, &o);
    assert_near(o.total, 3.0, 1e-12, "p = 1");
    ospa_ok(d, 2, 3, 5.0, 2.0, &o);
    assert_near(o.total, sqrt(35.0 / 3.0), 1e-12, "p = 2");
    assert_near(o.localisation, sqrt(10.0 / 3.0), 1e-12, "p = 2 localisation");
    assert_near(o.cardinality, sqrt(25.0 / 3.0), 1e-12, "p = 2 cardinality");
    /* the same with the sets swapped (m > n) */
    double dt[6];
    for (int i = 0; i < 2; i++)
        for (int j = 0; j < 3; j++)
            dt[j * 2 + i] = d[i * 3 + j];
    ospa_ok(dt, 3, 2, 5.0, 2.0, &o);
    assert_near(o.total, sqrt(35.0 / 3.0), 1e-12, "symmetric");

    /* cutoff: one pair 50 apart with c = 10 counts as 10, and an infinite
     * distance (a truth not in flight at the track's time) likewise */
    double far = 50.0, inf = INFINITY;
    ospa_ok(&far, 1, 1, 10.0, 2.0, &o);
    assert_near(o.total, 10.0, 1e-12, "cut off");
    assert_near(o.cardinality, 0.0, 0.0, "cut off pair is localisation");
    ospa_ok(&inf, 1, 1, 10.0, 2.0, &o);
    assert_near(o.total, 10.0, 1e-12, "infinite distance");

    /* X = {0, 1}, Y = {0.9, 2}: greedy pairs 1-0.9 (0.1) first and then
     * 0-2 (2): 2.1; the optimum is 0-0.9 and 1-2: 1.9. p = 1, c = 10:
     * 1.9 / 2 = 0.95. */
    const double g[4] = {0.9, 2.0, 0.1, 1.0};
    ospa_ok(g, 2, 2, 10.0, 1.0, &o);
    assert_near(o.total, 0.95, 1e-12, "optimal, not greedy");

    /* bad arguments */
    double nan_d = NAN, neg = -1.0;
    assert_int_equal(mwds_score_ospa(&nan_d, 1, 1, 10.0, 2.0, &o), MWDS_EINVAL);
    assert_int_equal(mwds_score_ospa(&neg, 1, 1, 10.0, 2.0, &o), MWDS_EINVAL);
    assert_int_equal(mwds_score_ospa(&far, 1, 1, 0.0, 2.0, &o), MWDS_EINVAL);
    assert_int_equal(mwds_score_ospa(&far, 1, 1, 10.0, 0.5, &o), MWDS_EINVAL);
    assert_int_equal(mwds_score_ospa(NULL, 1, 1, 10.0, 2.0, &o), MWDS_EINVAL);
}

/* Brute force: the minimum over every injection of the smaller set into
 * the larger of the sum of cut-off distances to the p, by recursion. */
static double brute_min(const double *d, int m, int n, double c, double p, int i,
                        unsigned used)
{
    if (i == m)
        return 0.0;
    double best = INFINITY;
    for (int j = 0; j < n; j++) {
        if (used & (1u << j))
            continue;
        double v = pow(fmin(d[i * n + j], c), p) + brute_min(d, m, n, c, p, i + 1, used | 1u << j);
        best = fmin(best, v);
    }
    return best;
}

static void test_ospa_brute_force(void **state)
{
    (void)state;
    srand(7);
    for (int trial = 0; trial < 400; trial++) {
        int m = rand() % 6, n = rand() % 6;
        double c = 1.0 + 9.0 * rand() / RAND_MAX, p = 1.0 + (trial % 3);
        double px[6][2], py[6][2], d[36], dt[36];
        for (int i = 0; i < m; i++)
            for (int k = 0; k < 2; k++)
                px[i][k] = 20.0 * rand() / RAND_MAX;
        for (int j = 0; j < n; j++)
            for (int k = 0; k < 2; k++)
                py[j][k] = 20.0 * rand() / RAND_MAX;
        for (int i = 0; i < m; i++)
            for (int j = 0; j < n; j++) {
                d[i * n + j] = hypot(px[i][0] - py[j][0], px[i][1] - py[j][1]);
                dt[j * m + i] = d[i * n + j];
            }
        double want;
        if (m == 0 && n == 0)
            want = 0.0;
        else {
            int big = m > n ? m : n;
            double sum = m <= n ? brute_min(d, m, n, c, p, 0, 0) : brute_min(dt, n, m, c, p, 0, 0);
            want = pow((sum + pow(c, p) * abs(m - n)) / big, 1.0 / p);
        }
        mwds_ospa o;
        ospa_ok(d, m, n, c, p, &o);
        assert_near(o.total, want, 1e-9, "OSPA against brute force");
        assert_near(pow(o.total, p), pow(o.localisation, p) + pow(o.cardinality, p), 1e-9,
                    "total^p = localisation^p + cardinality^p");
    }
}

/* ---- SIAP ---- */

static void add(mwds_siap *s, const unsigned char *alive, const mwds_siap_obs *o, int n)
{
    assert_int_equal(mwds_siap_add_step(s, alive, o, n), MWDS_OK);
}

static void test_siap_hand(void **state)
{
    (void)state;
    /* Two truths, ten steps of 1 s. A alive at steps 0-9, B at 5-9.
     * Track 1 on A at steps 0-4 (error 100 m, 1 m/s), track 2 on A at 3-9
     * (200 m, 2 m/s), track 3 on B at 7-9 (50 m, 4 m/s), track 9 on
     * nothing at steps 0-1.
     *   sum J  = 5 x 1 + 5 x 2 = 15;  sum JT = 10 (A) + 3 (B) = 13
     *   sum N  = 5 + 7 + 3 + 2 = 17;  sum NA = 15
     *   completeness 13/15, ambiguity 15/13, spuriousness 2/17
     *   position accuracy (5 x 100 + 7 x 200 + 3 x 50) / 15 = 2050 / 15
     *   velocity accuracy (5 x 1 + 7 x 2 + 3 x 4) / 15 = 31 / 15
     *   longest segment: A 7 (track 2), B 3; lifetimes 10 + 5: 10/15
     *   track changes: A needs 2 tracks (1 change), B 1; held 10 + 3 s:
     *   1/13 per second */
    mwds_siap *s;
    assert_int_equal(mwds_siap_create(2, 1.0, &s), MWDS_OK);
    for (int k = 0; k < 10; k++) {
        unsigned char alive[2] = {1, k >= 5};
        mwds_siap_obs o[4];
        int n = 0;
        if (k <= 4)
            o[n++] = (mwds_siap_obs){1, 0, 100.0, 1.0};
        if (k >= 3)
            o[n++] = (mwds_siap_obs){2, 0, 200.0, 2.0};
        if (k >= 7)
            o[n++] = (mwds_siap_obs){3, 1, 50.0, 4.0};
        if (k <= 1)
            o[n++] = (mwds_siap_obs){9, -1, 0.0, 0.0};
        add(s, alive, o, n);
    }
    mwds_siap_result r;
    assert_int_equal(mwds_siap_result_get(s, &r), MWDS_OK);
    assert_int_equal(r.sum_j, 15);
    assert_int_equal(r.sum_jt, 13);
    assert_int_equal(r.sum_n, 17);
    assert_int_equal(r.sum_na, 15);
    assert_near(r.completeness, 13.0 / 15.0, 1e-15, "completeness");
    assert_near(r.ambiguity, 15.0 / 13.0, 1e-15, "ambiguity");
    assert_near(r.spuriousness, 2.0 / 17.0, 1e-15, "spuriousness");
    assert_near(r.position_accuracy_m, 2050.0 / 15.0, 1e-12, "position accuracy");
    assert_near(r.velocity_accuracy_m_s, 31.0 / 15.0, 1e-12, "velocity accuracy");
    assert_near(r.longest_segment, 10.0 / 15.0, 1e-15, "longest segment");
    assert_near(r.track_changes_per_s, 1.0 / 13.0, 1e-15, "track changes");
    /* an obs on a truth that is not alive is refused, and nothing added */
    unsigned char none[2] = {0, 0};
    mwds_siap_obs bad = {1, 1, 0, 0};
    assert_int_equal(mwds_siap_add_step(s, none, &bad, 1), MWDS_EINVAL);
    assert_int_equal(mwds_siap_result_get(s, &r), MWDS_OK);
    assert_int_equal(r.steps, 10);
    mwds_siap_destroy(s);

    /* Continuity needs the fewest tracks that cover the time held, not the
     * count of switches: one truth, 10 steps, track 1 at 0-5, track 2 at
     * 2-8, track 3 at 6-9. Tracks 1 and 3 cover it: 1 change in 10 s (a
     * count that followed track 2 from step 6 would need 3 tracks). The
     * longest run is 7 (track 2). A gap does not count as a change: track
     * 5 on a second truth at steps 0-2 and 6-9 is one track, 7 s held. */
    assert_int_equal(mwds_siap_create(2, 0.5, &s), MWDS_OK);
    for (int k = 0; k < 10; k++) {
        unsigned char alive[2] = {1, 1};
        mwds_siap_obs o[4];
        int n = 0;
        if (k <= 5)
            o[n++] = (mwds_siap_obs){1, 0, 0, 0};
        if (k >= 2 && k <= 8)
            o[n++] = (mwds_siap_obs){2, 0, 0, 0};
        if (k >= 6)
            o[n++] = (mwds_siap_obs){3, 0, 0, 0};
        if (k <= 2 || k >= 6)
            o[n++] = (mwds_siap_obs){5, 1, 0, 0};
        add(s, alive, o, n);
    }
    assert_int_equal(mwds_siap_result_get(s, &r), MWDS_OK);
    /* steps of 0.5 s: truth 0 held 5 s with 1 change, truth 1 held 3.5 s
     * with none: 1 / 8.5 per second; longest 7 + 4 steps of 20 */
    assert_near(r.track_changes_per_s, 1.0 / 8.5, 1e-15, "greedy cover");
    assert_near(r.longest_segment, 11.0 / 20.0, 1e-15, "longest with a gap");
    assert_near(r.time_held_s, 8.5, 1e-12, "time held");
    assert_near(r.lifetime_s, 10.0, 1e-12, "lifetimes");
    mwds_siap_destroy(s);

    /* nothing at all: the neutral values */
    assert_int_equal(mwds_siap_create(0, 1.0, &s), MWDS_OK);
    add(s, NULL, NULL, 0);
    assert_int_equal(mwds_siap_result_get(s, &r), MWDS_OK);
    assert_near(r.completeness, 0.0, 0.0, "no truth");
    assert_near(r.ambiguity, 1.0, 0.0, "no truth held");
    assert_near(r.spuriousness, 0.0, 0.0, "no track");
    mwds_siap_destroy(s);
}

static void test_commonality_hand(void **state)
{
    (void)state;
    /* Truths 0, 1, 2 alive, 3 not. Picture a: KOR/1 on 0, JPN/1 on 1.
     * Picture b: KOR/1 on 0, USA/2 on 2, and USA/3 on 0 as well.
     * Held in a or b: 0, 1, 2 (3); common: 0 only (KOR/1 in both). */
    const uint64_t kor1 = (0ull << 32) | 1, jpn1 = (1ull << 32) | 1, usa2 = (2ull << 32) | 2,
                   usa3 = (2ull << 32) | 3;
    mwds_siap_obs a[2] = {{kor1, 0, 0, 0}, {jpn1, 1, 0, 0}};
    mwds_siap_obs b[3] = {{usa3, 0, 0, 0}, {usa2, 2, 0, 0}, {kor1, 0, 0, 0}};
    unsigned char alive[4] = {1, 1, 1, 0};
    int64_t held = 0, common = 0;
    assert_int_equal(mwds_siap_commonality_step(a, 2, b, 3, alive, 4, &held, &common), MWDS_OK);
    assert_int_equal(held, 3);
    assert_int_equal(common, 1);
    /* the same track held on different truths is not common */
    mwds_siap_obs c[1] = {{kor1, 1, 0, 0}};
    held = common = 0;
    assert_int_equal(mwds_siap_commonality_step(a, 1, c, 1, alive, 4, &held, &common), MWDS_OK);
    assert_int_equal(held, 2);
    assert_int_equal(common, 0);
}

/* ---- the scorer on synthetic journals ---- */

typedef struct fixture {
    char dir[256];
    mwds_scenario sc;
    mwds_sim *sim;
} fixture;

static int setup(void **state)
{
    fixture *fx = calloc(1, sizeof *fx);
    if (fx == NULL)
        return -1;
    char err[512];
    if (test_tmpdir_make(fx->dir, sizeof fx->dir, "score") != 0 ||
        mwds_scenario_load(SCENARIO, &fx->sc, err, sizeof err) ||
        mwds_sim_create(&fx->sc, &fx->sim, err, sizeof err)) {
        free(fx);
        return -1;
    }
    *state = fx;
    return 0;
}

static int teardown(void **state)
{
    fixture *fx = *state;
    test_tmpdir_remove(fx->dir);
    mwds_sim_destroy(fx->sim);
    mwds_scenario_fini(&fx->sc);
    free(fx);
    return 0;
}

#define MS INT64_C(1000000)

/* The scenario's time s seconds after its start. */
static int64_t T(const fixture *fx, double s)
{
    return fx->sc.start_t_ns + mwds_time_from_s(s);
}

static mwds_vec3 truth_pos(const fixture *fx, double s, mwds_vec3 *vel)
{
    int in_flight = 0;
    mwds_vec3 p, v;
    assert_int_equal(mwds_sim_truth(fx->sim, 0, T(fx, s), &in_flight, &p, &v, NULL), MWDS_OK);
    assert_true(in_flight);
    if (vel != NULL)
        *vel = v;
    return p;
}

static mwds_journal *jopen(const fixture *fx, const char *name, char *path, size_t len)
{
    snprintf(path, len, "%s/%s", fx->dir, name);
    mwds_journal *j = NULL;
    char err[512];
    assert_int_equal(mwds_journal_open(path, NULL, &j, err, sizeof err), MWDS_OK);
    return j;
}

static void put(mwds_journal *j, const char *topic, mwds_journal_dir dir, const char *origin,
                uint32_t key, int64_t rev, const char *part, int exercise, int64_t t_sample,
                int64_t t_send, int64_t t_recv, json_t *payload)
{
    char k[16];
    snprintf(k, sizeof k, "%u", key);
    char *text = json_dumps(payload, JSON_COMPACT | JSON_REAL_PRECISION(17));
    json_decref(payload);
    mwds_journal_row r = {topic,   dir,    origin, k,      rev,  part,
                          exercise, t_sample, t_send, t_recv, text};
    int added = 0;
    assert_int_equal(mwds_journal_append(j, &r, 0, &added), MWDS_OK);
    assert_int_equal(added, 1);
    free(text);
}

static void put_status(mwds_journal *j, const char *nation)
{
    put(j, "NodeStatus", MWDS_JOURNAL_SENT, nation, 0, 1, "rel.JPN.KOR.USA", 1, 1, 1, 0,
        json_pack("{s:i}", "local_tracks", 0));
}

/* A Track sample of a ballistic state at pos, vel (7 entries, 1/beta 0). */
static json_t *track_payload(int64_t t_ns, mwds_vec3 p, mwds_vec3 v, int64_t cause_pub_ns)
{
    json_t *x = json_pack("[f, f, f, f, f, f, f]", p.v[0], p.v[1], p.v[2], v.v[0], v.v[1],
                          v.v[2], 0.0);
    return json_pack("{s:{s:I, s:s, s:o, s:[]}, s:i, s:I, s:I}", "state", "t_ns",
                     (json_int_t)t_ns, "model", "ballistic", "x", x, "p_upper", "hits", 5,
                     "cause_seq", (json_int_t)1, "cause_pub_ns", (json_int_t)cause_pub_ns);
}

/* A warning as warn_json writes it: basis at lla, impact centre imp (no
 * impact when imp is NULL), impact time imp_t_s from the epoch. */
static json_t *warning_payload(const char *origin, uint32_t id, const char *kind, int64_t issued,
                               uint32_t track, mwds_lla basis, const mwds_lla *imp,
                               double imp_t_s, int64_t cause_pub_ns)
{
    json_t *a = json_pack("{s:{s:f, s:f}, s:f, s:f, s:b, s:[], s:[]}", "position", "lat_deg",
                          basis.lat_rad * MWDS_RAD2DEG, "lon_deg", basis.lon_rad * MWDS_RAD2DEG,
                          "height_km", basis.h_m / 1e3, "speed_m_s", 2000.0, "ballistic", 1,
                          "threatened", "overflight");
    if (imp != NULL)
        json_object_set_new(a, "impact",
                            json_pack("{s:f, s:f, s:f, s:f, s:f, s:f, s:f, s:f}", "lat_deg",
                                      imp->lat_rad * MWDS_RAD2DEG, "lon_deg",
                                      imp->lon_rad * MWDS_RAD2DEG, "semi_major_km", 30.0,
                                      "semi_minor_km", 10.0, "major_az_deg", 80.0, "p", 0.95,
                                      "t_s", imp_t_s, "t_sigma_s", 5.0));
    return json_pack("{s:I, s:s, s:s, s:b, s:s, s:f, s:f, s:I, s:o, s:I, s:I}", "id",
                     (json_int_t)id, "origin", origin, "kind", kind, "exercise", 1, "issued",
                     "2026-11-23T01:01:05.000Z", "issued_t_s", mwds_time_to_s(issued),
                     "event_t_s", mwds_time_to_s(issued), "track", (json_int_t)track,
                     "assessment", a, "cause_seq", (json_int_t)1, "cause_pub_ns",
                     (json_int_t)cause_pub_ns);
}

static mwds_lla lla_of(mwds_vec3 p)
{
    mwds_lla g;
    assert_int_equal(mwds_geo_ecef_to_lla(p, &g), MWDS_OK);
    return g;
}

static mwds_lla moved(mwds_lla from, double az_deg, double m)
{
    mwds_lla to;
    from.h_m = 0.0;
    assert_int_equal(mwds_geo_direct(from, az_deg * MWDS_DEG2RAD, m, &to), MWDS_OK);
    return to;
}

/* Writes the KOR and JPN journals of the test exercise (see the comments
 * in test_scorer for what each row is for). */
static void write_journals(const fixture *fx, char *kor_path, char *jpn_path, size_t len)
{
    const char *all = "rel.JPN.KOR.USA";
    const mwds_traj *tr = mwds_sim_trajectory(fx->sim, 0);
    mwds_lla impact = tr->sum.impact;
    double impact_t_s = mwds_time_to_s(tr->launch_t_ns) + tr->sum.flight_time_s;
    mwds_journal *k = jopen(fx, "KOR.journal", kor_path, len);
    mwds_journal *j = jopen(fx, "JPN.journal", jpn_path, len);
    put_status(k, "KOR");
    put_status(j, "JPN");
    const mwds_vec3 off = {{100.0, 0.0, 0.0}}, voff = {{0.0, 3.0, 4.0}};
    for (int s = 60; s <= 100; s++) {
        mwds_vec3 v, p = truth_pos(fx, s, &v);
        p = mwds_v3(p.v[0] + off.v[0], p.v[1] + off.v[1], p.v[2] + off.v[2]);
        v = mwds_v3(v.v[0] + voff.v[0], v.v[1] + voff.v[1], v.v[2] + voff.v[2]);
        int64_t ts = T(fx, s);
        put(k, "Track", MWDS_JOURNAL_SENT, "KOR", 1, s - 59, all, 1, ts, ts + 2 * MS, 0,
            track_payload(ts, p, v, ts));
        if (s >= 70)
            put(j, "Track", MWDS_JOURNAL_RECEIVED, "KOR", 1, s - 59, "", 1, ts, ts + 2 * MS,
                ts + 32 * MS, track_payload(ts, p, v, ts));
    }
    put(k, "Track", MWDS_JOURNAL_SENT, "KOR", 1, 42, all, 1, T(fx, 100), T(fx, 101), 0,
        json_pack("{s:b}", "ended", 1));
    put(j, "Track", MWDS_JOURNAL_RECEIVED, "KOR", 1, 42, "", 1, T(fx, 100), T(fx, 101),
        T(fx, 101) + 30 * MS, json_pack("{s:b}", "ended", 1));
    /* a false track 500 km off, never ended */
    for (int s = 200; s <= 209; s++) {
        mwds_vec3 v, p = truth_pos(fx, s, &v);
        p.v[1] += 500e3;
        int64_t ts = T(fx, s);
        put(k, "Track", MWDS_JOURNAL_SENT, "KOR", 2, s - 199, all, 1, ts, ts + 2 * MS, 0,
            track_payload(ts, p, v, ts));
    }
    /* real-world data in an exercise journal: never scored */
    for (int s = 150; s <= 160; s++) {
        mwds_vec3 v, p = truth_pos(fx, s, &v);
        put(k, "Track", MWDS_JOURNAL_SENT, "KOR", 5, s - 149, all, 0, T(fx, s),
            T(fx, s) + 2 * MS, 0, track_payload(T(fx, s), p, v, T(fx, s)));
    }
    /* times far outside the scenario (another run, or garbage): ignored,
     * and no arithmetic on them may overflow */
    mwds_vec3 v0, p0 = truth_pos(fx, 100, &v0);
    put(k, "Track", MWDS_JOURNAL_SENT, "KOR", 6, 1, all, 1, INT64_MIN + 1, INT64_MAX, 0,
        track_payload(T(fx, 100), p0, v0, INT64_MIN));
    put(k, "Track", MWDS_JOURNAL_SENT, "KOR", 6, 2, all, 1, T(fx, 100), T(fx, 100), 0,
        track_payload(INT64_MAX, p0, v0, INT64_MAX));
    put(k, "Warning", MWDS_JOURNAL_SENT, "KOR", 99, 0, all, 1, INT64_MAX, INT64_MIN, 0,
        warning_payload("KOR", 99, "LAUNCH", T(fx, 66), 7, lla_of(p0), NULL, 0, INT64_MIN));
    /* KOR's warnings: LAUNCH (impact 20 km north), IMPACT_PREDICTION (5 km
     * east, 2 s early), IMPACT after the end with a far basis position and
     * the same track (placed through its track) */
    mwds_lla i20 = moved(impact, 0.0, 20e3), i5 = moved(impact, 90.0, 5e3);
    int64_t w1 = T(fx, 65), w2 = T(fx, 80), w3 = T(fx, 385);
    json_t *kw1 = warning_payload("KOR", 1, "LAUNCH", w1, 7, lla_of(truth_pos(fx, 64, NULL)),
                                  &i20, impact_t_s + 3.0, w1);
    json_t *kw2 = warning_payload("KOR", 2, "IMPACT_PREDICTION", w2, 7,
                                  lla_of(truth_pos(fx, 79.5, NULL)), &i5, impact_t_s - 2.0, w2);
    mwds_lla far = impact;
    far.lat_rad += 5.0 * MWDS_DEG2RAD;
    json_t *kw3 = warning_payload("KOR", 3, "IMPACT", w3, 7, far, &impact, impact_t_s, w3);
    put(k, "Warning", MWDS_JOURNAL_SENT, "KOR", 1, 0, all, 1, w1, w1 + 5 * MS, 0,
        json_deep_copy(kw1));
    put(k, "Warning", MWDS_JOURNAL_SENT, "KOR", 2, 0, all, 1, w2, w2 + 5 * MS, 0, kw2);
    put(k, "Warning", MWDS_JOURNAL_SENT, "KOR", 3, 0, all, 1, w3, w3 + 5 * MS, 0,
        json_deep_copy(kw3));
    /* JPN receives W1 and W3, not W2 */
    put(j, "Warning", MWDS_JOURNAL_RECEIVED, "KOR", 1, 0, "", 1, w1, w1 + 5 * MS, w1 + 45 * MS,
        kw1);
    put(j, "Warning", MWDS_JOURNAL_RECEIVED, "KOR", 3, 0, "", 1, w3, w3 + 5 * MS, w3 + 45 * MS,
        kw3);
    /* JPN's own LAUNCH (impact 30 km south), and the same warning again
     * under id 9; KOR receives both */
    mwds_lla i30 = moved(impact, 180.0, 30e3);
    int64_t jw = T(fx, 70);
    for (uint32_t id = 1; id <= 9; id += 8) {
        json_t *p = warning_payload("JPN", id, "LAUNCH", jw, 3, lla_of(truth_pos(fx, 69, NULL)),
                                    &i30, impact_t_s, jw);
        put(j, "Warning", MWDS_JOURNAL_SENT, "JPN", id, 0, all, 1, jw, jw + 1 * MS, 0,
            json_deep_copy(p));
        put(k, "Warning", MWDS_JOURNAL_RECEIVED, "JPN", id, 0, "", 1, jw, jw + 1 * MS,
            jw + 20 * MS, p);
    }
    mwds_journal_close(k);
    mwds_journal_close(j);
}

static void test_scorer(void **state)
{
    fixture *fx = *state;
    char kor[512], jpn[512];
    write_journals(fx, kor, jpn, sizeof kor);
    const char *paths[2] = {jpn, kor}; /* order does not matter */
    mwds_score *s = NULL;
    char err[512] = "";
    mwds_err e = mwds_score_compute(SCENARIO, paths, 2, &s, err, sizeof err);
    if (e != MWDS_OK)
        fail_msg("score: %s", err);
    assert_int_equal(mwds_score_n_launches(s), 1);
    size_t KOR = 0, USA = 1, JPN = 2; /* the scenario's order */
    assert_string_equal(mwds_score_nation_code(s, KOR), "KOR");
    assert_string_equal(mwds_score_nation_code(s, JPN), "JPN");
    assert_false(mwds_score_nation_has_journal(s, USA));
    double launch_s = fx->sc.launches[0].t_s; /* 10 s after the start */

    /* first track: KOR's own sample at 60 s, out 2 ms after its look was
     * published; JPN's first received (70 s) 32 ms after */
    double v;
    assert_int_equal(mwds_score_first_track_s(s, 0, KOR, &v), MWDS_OK);
    assert_near(v, 60.002 - launch_s, 1e-6, "KOR first track");
    assert_int_equal(mwds_score_first_track_s(s, 0, JPN, &v), MWDS_OK);
    assert_near(v, 70.032 - launch_s, 1e-6, "JPN first track");
    assert_int_equal(mwds_score_first_track_s(s, 0, USA, &v), MWDS_ENOTFOUND);

    /* first LAUNCH warning, from the rows: t_sample + (local time -
     * cause_pub_ns) - launch. KOR: its own W1, 65 s + 5 ms. JPN: KOR's W1
     * received at 65 s + 45 ms, before its own at 70 s + 1 ms. */
    assert_int_equal(mwds_score_first_warning_s(s, 0, KOR, &v), MWDS_OK);
    assert_near(v, 65.005 - launch_s, 1e-6, "KOR first warning");
    assert_int_equal(mwds_score_first_warning_s(s, 0, JPN, &v), MWDS_OK);
    assert_near(v, 65.045 - launch_s, 1e-6, "JPN first warning");

    /* final PIP: KOR's IMPACT_PREDICTION 5 km east (the IMPACT report after
     * the end is not a prediction); JPN's latest is its own, 30 km south */
    assert_int_equal(mwds_score_pip_error_final_km(s, 0, KOR, &v), MWDS_OK);
    assert_near(v, 5.0, 1e-6, "KOR final PIP");
    assert_int_equal(mwds_score_pip_error_final_km(s, 0, JPN, &v), MWDS_OK);
    assert_near(v, 30.0, 1e-6, "JPN final PIP");

    /* KOR's picture. Alive steps: the truth in flight at start + k s.
     * Track 1 in the picture at steps 61..99 (sample k is out at k + 2 ms;
     * its end, at 100 s, arrives before sample 100): 39 steps, 100 m and
     * 5 m/s off. Track 2 (false) at steps 201..239 (latest at 209 s, kept
     * 30 s): 39 steps. */
    const mwds_traj *tr = mwds_sim_trajectory(fx->sim, 0);
    int64_t alive = 0;
    for (int k = 0; k <= (int)fx->sc.duration_s; k++) {
        int64_t t = T(fx, k);
        alive += t >= tr->launch_t_ns &&
                 t <= tr->launch_t_ns + mwds_time_from_s(tr->sum.flight_time_s);
    }
    mwds_siap_result r;
    assert_int_equal(mwds_score_siap(s, KOR, &r), MWDS_OK);
    assert_int_equal(r.sum_j, alive);
    assert_int_equal(r.sum_jt, 39);
    assert_int_equal(r.sum_n, 78);
    assert_int_equal(r.sum_na, 39);
    assert_near(r.completeness, 39.0 / (double)alive, 1e-12, "KOR completeness");
    assert_near(r.spuriousness, 0.5, 1e-12, "KOR spuriousness");
    assert_near(r.ambiguity, 1.0, 1e-12, "KOR ambiguity");
    assert_near(r.position_accuracy_m, 100.0, 1e-3, "KOR position accuracy");
    assert_near(r.velocity_accuracy_m_s, 5.0, 1e-6, "KOR velocity accuracy");
    assert_near(r.longest_segment, 39.0 / (double)alive, 1e-12, "KOR longest segment");
    assert_near(r.track_changes_per_s, 0.0, 0.0, "KOR track changes");
    /* OSPA (c 10 km, p 2): 100 m on the 39 steps held, c on the others */
    assert_int_equal(mwds_score_ospa_mean_m(s, KOR, &v), MWDS_OK);
    assert_near(v, (39.0 * 100.0 + (double)(alive - 39) * 10e3) / (double)alive, 1e-3,
                "KOR mean OSPA");
    /* JPN holds KOR's track 1 at steps 71..100 (its end arrives 30 ms after
     * 100 s): 30 steps. Commonality: held by either at 61..100 (40), by
     * both with the same track at 71..99 (29). */
    assert_int_equal(mwds_score_siap(s, JPN, &r), MWDS_OK);
    assert_int_equal(r.sum_jt, 30);
    assert_near(mwds_score_commonality(s), 29.0 / 40.0, 1e-12, "commonality");
    assert_int_equal(mwds_score_siap(s, USA, &r), MWDS_ENOTFOUND);

    /* warnings: KOR's W2 never reached JPN; JPN's W1 and W9 are one
     * warning (in JPN's sent rows and KOR's received rows) */
    assert_int_equal(mwds_score_warnings_lost(s), 1);
    assert_int_equal(mwds_score_warnings_duplicated(s), 2);

    /* the report */
    char jp[600], hp[600];
    snprintf(jp, sizeof jp, "%s/report.json", fx->dir);
    snprintf(hp, sizeof hp, "%s/report.html", fx->dir);
    assert_int_equal(mwds_score_write_json(s, jp, err, sizeof err), MWDS_OK);
    assert_int_equal(mwds_score_write_html(s, hp, err, sizeof err), MWDS_OK);
    json_error_t je;
    json_t *root = json_load_file(jp, 0, &je);
    assert_non_null(root);
    json_t *l0 = json_array_get(json_object_get(root, "launches"), 0);
    assert_near(json_real_value(json_object_get(json_object_get(l0, "first_warning_s"), "JPN")),
                65.045 - launch_s, 1e-6, "report.json first_warning_s.JPN");
    assert_true(json_is_null(json_object_get(json_object_get(l0, "first_warning_s"), "USA")) ||
                json_object_get(json_object_get(l0, "first_warning_s"), "USA") == NULL);
    assert_near(json_real_value(json_object_get(l0, "pip_error_km_final")), 5.0, 1e-6,
                "report.json pip_error_km_final (the latest issued before impact)");
    assert_int_equal(json_integer_value(json_object_get(root, "warnings_lost")), 1);
    json_t *lost = json_array_get(json_object_get(root, "lost"), 0);
    assert_string_equal(json_string_value(json_object_get(lost, "to")), "JPN");
    assert_int_equal(json_integer_value(json_object_get(lost, "id")), 2);
    json_decref(root);
    FILE *f = fopen(hp, "r");
    assert_non_null(f);
    char buf[4096];
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    buf[n] = '\0';
    fclose(f);
    assert_non_null(strstr(buf, "<!DOCTYPE html>"));
    assert_non_null(strstr(buf, "EXERCISE"));
    mwds_score_destroy(s);
}

/* A node that journals its fused picture (SystemTrack) is measured on it:
 * JPN holds the launch with KOR's track and its own, fused into one system
 * track. On the source tracks JPN's ambiguity is 2; on the system track, 1.
 * Commonality stays on source tracks (KOR's track 1, held by both). */
static void write_fused(const fixture *fx, const char *name, int with_system, char *path,
                        size_t len)
{
    mwds_journal *j = jopen(fx, name, path, len);
    put_status(j, "JPN");
    for (int s = 70; s <= 100; s++) {
        mwds_vec3 v, p = truth_pos(fx, s, &v);
        int64_t ts = T(fx, s);
        put(j, "Track", MWDS_JOURNAL_RECEIVED, "KOR", 1, s - 59, "", 1, ts, ts + 2 * MS,
            ts + 32 * MS, track_payload(ts, p, v, ts));
        p.v[0] += 200.0;
        put(j, "Track", MWDS_JOURNAL_SENT, "JPN", 1, s - 69, "rel.JPN.KOR.USA", 1, ts,
            ts + 2 * MS, 0, track_payload(ts, p, v, ts));
        if (with_system) {
            p.v[0] -= 100.0;
            json_t *o = track_payload(ts, p, v, ts);
            json_object_set_new(o, "members", json_pack("[s, s]", "KOR:1", "JPN:1"));
            put(j, "SystemTrack", MWDS_JOURNAL_SENT, "JPN", 4, ts, "", 1, ts, ts + 3 * MS, 0, o);
        }
    }
    put(j, "Track", MWDS_JOURNAL_RECEIVED, "KOR", 1, 42, "", 1, T(fx, 100), T(fx, 101),
        T(fx, 101) + 30 * MS, json_pack("{s:b}", "ended", 1));
    put(j, "Track", MWDS_JOURNAL_SENT, "JPN", 1, 42, "rel.JPN.KOR.USA", 1, T(fx, 100),
        T(fx, 101), 0, json_pack("{s:b}", "ended", 1));
    if (with_system)
        put(j, "SystemTrack", MWDS_JOURNAL_SENT, "JPN", 4, T(fx, 101), "", 1, T(fx, 101),
            T(fx, 101), 0, json_pack("{s:b}", "ended", 1));
    mwds_journal_close(j);
}

static void test_scorer_system_tracks(void **state)
{
    fixture *fx = *state;
    char kor[512], jpn[512], kor2[512];
    write_journals(fx, kor, jpn, sizeof kor);
    double amb[2], common[2];
    for (int with = 0; with <= 1; with++) {
        char fused[512];
        write_fused(fx, with ? "JPN-fused.journal" : "JPN-sources.journal", with, fused,
                    sizeof fused);
        snprintf(kor2, sizeof kor2, "%s", kor);
        const char *paths[2] = {kor2, fused};
        mwds_score *s = NULL;
        char err[512] = "";
        if (mwds_score_compute(SCENARIO, paths, 2, &s, err, sizeof err) != MWDS_OK)
            fail_msg("score: %s", err);
        mwds_siap_result r;
        assert_int_equal(mwds_score_siap(s, 2, &r), MWDS_OK);
        assert_true(r.sum_jt >= 29 && r.sum_jt <= 31);
        amb[with] = r.ambiguity;
        common[with] = mwds_score_commonality(s);
        if (with) {
            /* the fused state is 100 m off, the sources 0 and 200 m */
            assert_near(r.position_accuracy_m, 100.0, 1e-3, "fused position accuracy");
            assert_int_equal(r.sum_n, r.sum_na);
        }
        mwds_score_destroy(s);
    }
    assert_near(amb[0], 2.0, 0.05, "ambiguity on source tracks");
    assert_near(amb[1], 1.0, 1e-12, "ambiguity on the fused picture");
    assert_near(common[0], common[1], 1e-12, "commonality on source tracks either way");
}

/* Scoring must fail with a message naming the file (and row and field). */
static void expect_error(const char *scenario, const char *const *paths, size_t n, mwds_err want,
                         const char *needle1, const char *needle2)
{
    mwds_score *s = (mwds_score *)(uintptr_t)1;
    char err[1024] = "";
    mwds_err e = mwds_score_compute(scenario, paths, n, &s, err, sizeof err);
    if (e != want)
        fail_msg("expected error %d, got %d (%s)", want, e, err);
    assert_ptr_equal(s, (mwds_score *)(uintptr_t)1); /* untouched */
    if (strstr(err, needle1) == NULL || (needle2 != NULL && strstr(err, needle2) == NULL))
        fail_msg("message '%s' lacks '%s' / '%s'", err, needle1, needle2 ? needle2 : "");
}

static void test_errors(void **state)
{
    fixture *fx = *state;
    char path[512], bad[512], other[512];
    /* a file that is not a journal */
    snprintf(bad, sizeof bad, "%s/notes.txt", fx->dir);
    FILE *f = fopen(bad, "w");
    assert_non_null(f);
    fputs("not a journal\n", f);
    fclose(f);
    const char *p1[1] = {bad};
    expect_error(SCENARIO, p1, 1, MWDS_EPARSE, bad, NULL);
    /* a missing file */
    snprintf(path, sizeof path, "%s/missing.journal", fx->dir);
    const char *p2[1] = {path};
    expect_error(SCENARIO, p2, 1, MWDS_EIO, path, NULL);
    /* a missing scenario */
    snprintf(other, sizeof other, "%s/none.yaml", fx->dir);
    expect_error(other, p1, 1, MWDS_EIO, other, NULL);
    /* no journal */
    expect_error(SCENARIO, NULL, 0, MWDS_EINVAL, "no journal", NULL);

    /* a row whose payload is not as the node writes it: the file, the row
     * and the field */
    mwds_journal *j = jopen(fx, "bad-row.journal", path, sizeof path);
    put_status(j, "KOR");
    put(j, "Track", MWDS_JOURNAL_SENT, "KOR", 4, 1, "rel.KOR", 1, T(fx, 50), T(fx, 50), 0,
        json_pack("{s:{s:I, s:s, s:[f, f]}}", "state", "t_ns", (json_int_t)T(fx, 50), "model",
                  "ballistic", "x", 1.0, 2.0));
    mwds_journal_close(j);
    const char *p3[1] = {path};
    expect_error(SCENARIO, p3, 1, MWDS_EPARSE, path, "payload.state.x");
    expect_error(SCENARIO, p3, 1, MWDS_EPARSE, "Track sent KOR/4 revision 1", NULL);

    /* a warning with an unknown kind, and a sent warning with a malformed
     * partition */
    j = jopen(fx, "bad-kind.journal", path, sizeof path);
    put_status(j, "KOR");
    mwds_lla g = {0.6, 2.2, 1e5};
    json_t *w = warning_payload("KOR", 1, "PANIC", T(fx, 50), 1, g, NULL, 0, 0);
    put(j, "Warning", MWDS_JOURNAL_SENT, "KOR", 1, 0, "rel.KOR", 1, T(fx, 50), T(fx, 50), 0, w);
    mwds_journal_close(j);
    expect_error(SCENARIO, p3, 1, MWDS_EPARSE, "payload.kind", path);
    j = jopen(fx, "bad-part.journal", path, sizeof path);
    put_status(j, "KOR");
    w = warning_payload("KOR", 1, "LAUNCH", T(fx, 50), 1, g, NULL, 0, 0);
    put(j, "Warning", MWDS_JOURNAL_SENT, "KOR", 1, 0, "rel.kor", 1, T(fx, 50), T(fx, 50), 0, w);
    mwds_journal_close(j);
    expect_error(SCENARIO, p3, 1, MWDS_EPARSE, "partition", path);

    /* a journal of a nation that is not in the scenario */
    j = jopen(fx, "chn.journal", path, sizeof path);
    put_status(j, "CHN");
    mwds_journal_close(j);
    expect_error(SCENARIO, p3, 1, MWDS_EPARSE, "CHN is not a nation", path);

    /* two journals of one nation */
    char a[512], b[512];
    j = jopen(fx, "kor-a.journal", a, sizeof a);
    put_status(j, "KOR");
    mwds_journal_close(j);
    j = jopen(fx, "kor-b.journal", b, sizeof b);
    put_status(j, "KOR");
    mwds_journal_close(j);
    const char *p4[2] = {a, b};
    expect_error(SCENARIO, p4, 2, MWDS_EPARSE, "a second journal of KOR", b);

    /* a journal with no sent rows */
    j = jopen(fx, "empty.journal", path, sizeof path);
    mwds_journal_close(j);
    expect_error(SCENARIO, p3, 1, MWDS_EPARSE, "no sent rows", path);

    /* options out of range */
    mwds_score_options o;
    mwds_score_options_default(&o);
    o.ospa_p = 0.5;
    mwds_score *s = NULL;
    char err[256];
    assert_int_equal(mwds_score_compute_opts(SCENARIO, p4, 1, &o, &s, err, sizeof err),
                     MWDS_EINVAL);
    assert_null(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_ospa_hand),
        cmocka_unit_test(test_ospa_brute_force),
        cmocka_unit_test(test_siap_hand),
        cmocka_unit_test(test_commonality_hand),
        cmocka_unit_test_setup_teardown(test_scorer, setup, teardown),
        cmocka_unit_test_setup_teardown(test_scorer_system_tracks, setup, teardown),
        cmocka_unit_test_setup_teardown(test_errors, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
