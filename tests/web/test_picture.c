/*
 * The display's picture model and its JSON snapshot, read back with jansson
 * (an independent parser): positions and velocities against states built
 * from known geodetic values, trails (bounded, reaching back to the start),
 * ended tracks, members and origins, assessments, the warning rules, text
 * escaping and non-finite numbers, and the number writer.
 */
#include <jansson.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "mwds/geo.h"
#include "mwds/web.h"
#include "test_util.h"
#include "web/jw.h"

#define T0 INT64_C(1790000000000000000)
#define S(x) ((int64_t)((x)*1e9))

/* A confirmed ballistic track at lat, lon (degrees), h, moving east at
 * ve and north at vn (m/s), with position sigmas sig_e, sig_n (m) along
 * east and north. */
static mwds_track make_track(uint32_t number, double lat, double lon, double h, double ve,
                             double vn, double sig_e, double sig_n, int64_t t_ns)
{
    mwds_track t;
    memset(&t, 0, sizeof t);
    t.number = number;
    t.status = MWDS_TRACK_CONFIRMED;
    t.f.t_ns = t_ns;
    t.t_init_ns = T0;
    t.f.model = MWDS_MODEL_BALLISTIC;
    t.f.n = 7;
    mwds_lla p = {lat * MWDS_DEG2RAD, lon * MWDS_DEG2RAD, h};
    mwds_vec3 r = mwds_geo_lla_to_ecef(p);
    /* east and north unit vectors written out (not through the rotation
     * the picture uses) */
    double sl = sin(p.lat_rad), cl = cos(p.lat_rad), so = sin(p.lon_rad), co = cos(p.lon_rad);
    double e[3] = {-so, co, 0}, n[3] = {-sl * co, -sl * so, cl}, u[3] = {cl * co, cl * so, sl};
    for (int i = 0; i < 3; i++) {
        t.f.x.v[i] = r.v[i];
        t.f.x.v[3 + i] = ve * e[i] + vn * n[i];
    }
    for (int i = 0; i < 3; i++)
        for (int k = 0; k < 3; k++)
            t.f.p.m[i][k] = sig_e * sig_e * e[i] * e[k] + sig_n * sig_n * n[i] * n[k] +
                            50.0 * 50.0 * u[i] * u[k];
    for (int i = 3; i < 7; i++)
        t.f.p.m[i][i] = 1.0;
    return t;
}

static mwds_picture *make_picture(int exercise)
{
    mwds_picture_config c;
    mwds_picture_config_default(&c);
    snprintf(c.nation, sizeof c.nation, "JPN");
    c.exercise = exercise;
    snprintf(c.exercise_name, sizeof c.exercise_name, "vigilant");
    c.trail_points = 8;
    c.trail_step_s = 2.0;
    c.linger_s = 30.0;
    c.max_warnings = 8;
    c.warning_linger_s = 20.0;
    c.start_t_ns = T0;
    mwds_picture *p = NULL;
    assert_int_equal(mwds_picture_create(&c, &p), MWDS_OK);
    return p;
}

static json_t *snapshot(mwds_picture *p, int64_t wall_ns)
{
    const char *text = NULL;
    size_t len = 0;
    assert_int_equal(mwds_picture_json(p, wall_ns, &text, &len), MWDS_OK);
    assert_int_equal(strlen(text), len);
    assert_null(strchr(text, '\n'));
    json_error_t je;
    json_t *o = json_loads(text, 0, &je);
    if (o == NULL)
        fail_msg("not JSON: %s at %d: %.200s", je.text, je.position, text);
    assert_string_equal(json_string_value(json_object_get(o, "schema")), "mwds-picture/1");
    return o;
}

static json_t *track_of(json_t *snap, uint32_t number)
{
    json_t *ts = json_object_get(snap, "tracks");
    for (size_t i = 0; i < json_array_size(ts); i++) {
        json_t *t = json_array_get(ts, i);
        if (json_integer_value(json_object_get(t, "number")) == number)
            return t;
    }
    return NULL;
}

static double num(json_t *o, const char *k)
{
    json_t *v = json_object_get(o, k);
    if (!json_is_number(v))
        fail_msg("%s: not a number", k);
    return json_number_value(v);
}

static void test_config_errors(void **state)
{
    (void)state;
    mwds_picture_config c;
    mwds_picture *p = NULL;
    mwds_picture_config_default(&c);
    assert_int_equal(mwds_picture_create(&c, &p), MWDS_EINVAL); /* no nation */
    snprintf(c.nation, sizeof c.nation, "J\"N");
    assert_int_equal(mwds_picture_create(&c, &p), MWDS_EINVAL);
    snprintf(c.nation, sizeof c.nation, "JPN");
    c.trail_points = 1;
    assert_int_equal(mwds_picture_create(&c, &p), MWDS_EINVAL);
    c.trail_points = 8;
    c.linger_s = NAN;
    assert_int_equal(mwds_picture_create(&c, &p), MWDS_EINVAL);
    c.linger_s = 10;
    c.max_tracks = 0;
    assert_int_equal(mwds_picture_create(&c, &p), MWDS_EINVAL);
    assert_null(p);
    assert_int_equal(mwds_picture_create(NULL, &p), MWDS_EINVAL);
    mwds_picture_destroy(NULL);
}

static void test_kinematics(void **state)
{
    (void)state;
    mwds_picture *p = make_picture(1);
    /* 1 km/s east and 1 km/s north: course 45, ground speed sqrt(2) km/s;
     * sigma 400 m east, 100 m north: the horizontal sigma is 400 */
    mwds_track t = make_track(7, 41.25, 135.5, 300e3, 1000.0, 1000.0, 400.0, 100.0, T0 + S(100));
    assert_int_equal(mwds_picture_update_tracks(p, &t, 1, T0 + S(100)), MWDS_OK);
    json_t *o = snapshot(p, T0 + S(5));
    assert_true(json_is_true(json_object_get(o, "exercise")));
    assert_string_equal(json_string_value(json_object_get(o, "exercise_name")), "vigilant");
    assert_string_equal(json_string_value(json_object_get(o, "node")), "JPN");
    assert_near(num(o, "picture_t_s"), 1790000100.0, 1e-3, "num(o, \"picture_t_s\")");
    assert_near(num(o, "wall_t_s"), 1790000005.0, 1e-3, "num(o, \"wall_t_s\")");
    assert_near(num(o, "start_t_s"), 1790000000.0, 1e-3, "num(o, \"start_t_s\")");
    json_t *tr = track_of(o, 7);
    assert_non_null(tr);
    assert_near(num(tr, "lat"), 41.25, 1e-4, "num(tr, \"lat\")");
    assert_near(num(tr, "lon"), 135.5, 1e-4, "num(tr, \"lon\")");
    assert_near(num(tr, "h_m"), 300e3, 1.0, "num(tr, \"h_m\")");
    assert_near(num(tr, "course_deg"), 45.0, 0.1, "num(tr, \"course_deg\")");
    assert_near(num(tr, "ground_speed_m_s"), sqrt(2.0) * 1000.0, 0.1,
                "num(tr, \"ground_speed_m_s\")");
    assert_near(num(tr, "climb_m_s"), 0.0, 0.1, "num(tr, \"climb_m_s\")");
    assert_near(num(tr, "sigma_m"), 400.0, 1.0, "num(tr, \"sigma_m\")");
    assert_false(json_is_true(json_object_get(tr, "ended")));
    assert_string_equal(json_string_value(json_object_get(tr, "model")), "ballistic");
    json_decref(o);
    /* a state off the Earth (NaN) keeps the last good position */
    t.f.x.v[0] = NAN;
    assert_int_equal(mwds_picture_update_tracks(p, &t, 1, T0 + S(101)), MWDS_OK);
    o = snapshot(p, T0);
    assert_near(num(track_of(o, 7), "lat"), 41.25, 1e-4, "num(track_of(o, 7), \"lat\")");
    json_decref(o);
    assert_int_equal(mwds_picture_update_tracks(NULL, &t, 1, T0), MWDS_EINVAL);
    assert_int_equal(mwds_picture_update_tracks(p, NULL, 1, T0), MWDS_EINVAL);
    mwds_picture_destroy(p);
}

static void test_trail_bounded(void **state)
{
    (void)state;
    mwds_picture *p = make_picture(0);
    /* 200 s along the equator eastwards at 0.01 degrees a second: the trail
     * holds at most 8 points, starts where the track started and ends near
     * where it is */
    for (int k = 0; k <= 200; k++) {
        mwds_track t = make_track(3, 0.0, 130.0 + 0.01 * k, 1e5, 1000.0, 0.0, 100, 100, T0 + S(k));
        assert_int_equal(mwds_picture_update_tracks(p, &t, 1, T0 + S(k)), MWDS_OK);
    }
    json_t *o = snapshot(p, T0);
    json_t *trail = json_object_get(track_of(o, 3), "trail");
    size_t n = json_array_size(trail);
    assert_true(n % 3 == 0);
    assert_true(n / 3 >= 4 && n / 3 <= 8);
    assert_near(json_number_value(json_array_get(trail, 1)), 130.0, 1e-3,
                "the trail's first longitude");
    double last = json_number_value(json_array_get(trail, n - 2));
    assert_true(last > 131.5 && last <= 132.0);
    /* evenly spaced after compaction: the spacing doubled from 2 s */
    double d0 = json_number_value(json_array_get(trail, 4)) - 130.0;
    assert_true(d0 >= 0.02 * 8 - 1e-6);
    json_decref(o);
    mwds_picture_destroy(p);
}

static void test_ended_and_members(void **state)
{
    (void)state;
    mwds_picture *p = make_picture(0);
    mwds_track ts[2] = {make_track(1, 40, 130, 1e5, 0, 1000, 100, 100, T0),
                        make_track(2, 41, 131, 1e5, 0, 1000, 100, 100, T0)};
    ts[1].status = MWDS_TRACK_TENTATIVE; /* not live: left out */
    assert_int_equal(mwds_picture_update_tracks(p, ts, 2, T0), MWDS_OK);
    const char origin[3][4] = {"KOR", "USA", "KOR"};
    const uint32_t numbers[3] = {28, 38, 29};
    assert_int_equal(mwds_picture_set_members(p, 1, origin, numbers, 3), MWDS_OK);
    assert_int_equal(mwds_picture_set_members(p, 2, origin, numbers, 3), MWDS_ENOTFOUND);
    assert_int_equal(mwds_picture_set_members(p, 1, NULL, numbers, 1), MWDS_EINVAL);
    json_t *o = snapshot(p, T0);
    assert_int_equal(json_array_size(json_object_get(o, "tracks")), 1);
    json_t *tr = track_of(o, 1);
    json_t *orig = json_object_get(tr, "origins");
    assert_int_equal(json_array_size(orig), 2);
    assert_string_equal(json_string_value(json_array_get(orig, 0)), "KOR");
    assert_string_equal(json_string_value(json_array_get(orig, 1)), "USA");
    json_t *mem = json_object_get(tr, "members");
    assert_int_equal(json_array_size(mem), 3);
    assert_int_equal(json_integer_value(json_object_get(json_array_get(mem, 1), "number")), 38);
    json_decref(o);
    /* gone from the picture: ended at that time, dropped linger_s (30 s) on */
    assert_int_equal(mwds_picture_update_tracks(p, NULL, 0, T0 + S(10)), MWDS_OK);
    o = snapshot(p, T0);
    tr = track_of(o, 1);
    assert_true(json_is_true(json_object_get(tr, "ended")));
    assert_near(num(tr, "ended_t_s"), 1790000010.0, 1e-3, "num(tr, \"ended_t_s\")");
    json_decref(o);
    mwds_picture_stats st;
    mwds_picture_get_stats(p, &st);
    assert_int_equal(st.live_tracks, 0);
    assert_int_equal(st.ended_tracks, 1);
    assert_int_equal(mwds_picture_update_tracks(p, NULL, 0, T0 + S(41)), MWDS_OK);
    o = snapshot(p, T0);
    assert_int_equal(json_array_size(json_object_get(o, "tracks")), 0);
    json_decref(o);
    mwds_picture_destroy(p);
}

static mwds_assessment make_assessment(uint32_t number)
{
    mwds_assessment a;
    memset(&a, 0, sizeof a);
    a.track_number = number;
    a.t_ns = T0 + S(100);
    a.has_impact = 1;
    a.impact.ellipse.centre = (mwds_lla){30.64 * MWDS_DEG2RAD, 176.45 * MWDS_DEG2RAD, 0};
    a.impact.ellipse.semi_major_m = 24e3;
    a.impact.ellipse.semi_minor_m = 8e3;
    a.impact.ellipse.major_az_rad = 30 * MWDS_DEG2RAD;
    a.impact.ellipse.p = 0.95;
    a.impact.t_ns = T0 + S(1374);
    a.impact.t_sigma_s = 5.2;
    a.has_launch = 1;
    a.launch.centre = (mwds_lla){40.61 * MWDS_DEG2RAD, 126.43 * MWDS_DEG2RAD, 0};
    a.launch.semi_major_m = 15e3;
    a.launch.semi_minor_m = 5e3;
    a.launch.p = 0.95;
    a.launch_t_ns = T0 + S(30);
    a.has_class = 1;
    a.cls.kind = MWDS_CLASS_IRBM;
    a.cls.profile = MWDS_PROFILE_STANDARD;
    a.n_threatened = 1;
    snprintf(a.threatened[0], sizeof a.threatened[0], "JPN");
    a.n_overflown = 1;
    snprintf(a.overflown[0], sizeof a.overflown[0], "JPN");
    a.overflight_t_ns[0] = T0 + S(424);
    return a;
}

static void test_assessment(void **state)
{
    (void)state;
    mwds_picture *p = make_picture(0);
    mwds_track t = make_track(4, 40, 130, 1e5, 0, 1000, 100, 100, T0);
    assert_int_equal(mwds_picture_update_tracks(p, &t, 1, T0), MWDS_OK);
    mwds_assessment a = make_assessment(4);
    assert_int_equal(mwds_picture_set_assessment(p, 4, &a), MWDS_OK);
    assert_int_equal(mwds_picture_set_assessment(p, 5, &a), MWDS_ENOTFOUND);
    json_t *o = snapshot(p, T0);
    json_t *tr = track_of(o, 4);
    assert_string_equal(json_string_value(json_object_get(tr, "class")), "IRBM");
    json_t *im = json_object_get(tr, "impact");
    assert_near(num(im, "lat"), 30.64, 1e-4, "num(im, \"lat\")");
    assert_near(num(im, "lon"), 176.45, 1e-4, "num(im, \"lon\")");
    assert_near(num(im, "major_m"), 24e3, 0.5, "num(im, \"major_m\")");
    assert_near(num(im, "minor_m"), 8e3, 0.5, "num(im, \"minor_m\")");
    assert_near(num(im, "az_deg"), 30.0, 0.01, "num(im, \"az_deg\")");
    assert_near(num(im, "t_s"), 1790001374.0, 1e-3, "num(im, \"t_s\")");
    json_t *la = json_object_get(tr, "launch");
    assert_near(num(la, "lat"), 40.61, 1e-4, "num(la, \"lat\")");
    assert_near(num(la, "t_s"), 1790000030.0, 1e-3, "num(la, \"t_s\")");
    assert_string_equal(json_string_value(json_array_get(json_object_get(tr, "threatened"), 0)),
                        "JPN");
    json_t *ov = json_array_get(json_object_get(tr, "overflown"), 0);
    assert_string_equal(json_string_value(json_object_get(ov, "area")), "JPN");
    assert_near(num(ov, "t_s"), 1790000424.0, 1e-3, "num(ov, \"t_s\")");
    json_decref(o);
    /* forgotten, and non-finite values written as null */
    a.impact.ellipse.semi_major_m = NAN;
    assert_int_equal(mwds_picture_set_assessment(p, 4, &a), MWDS_OK);
    o = snapshot(p, T0);
    assert_true(
        json_is_null(json_object_get(json_object_get(track_of(o, 4), "impact"), "major_m")));
    json_decref(o);
    assert_int_equal(mwds_picture_set_assessment(p, 4, NULL), MWDS_OK);
    o = snapshot(p, T0);
    assert_null(json_object_get(track_of(o, 4), "impact"));
    json_decref(o);
    mwds_picture_destroy(p);
}

static mwds_warning make_warning(const char *origin, uint32_t id, mwds_warning_kind kind,
                                 uint32_t track, int64_t issued_ns, int exercise)
{
    mwds_warning w;
    memset(&w, 0, sizeof w);
    snprintf(w.origin, sizeof w.origin, "%s", origin);
    w.id = id;
    w.kind = kind;
    w.exercise = exercise;
    w.track_number = track;
    w.issued_t_ns = issued_ns;
    w.event_t_ns = issued_ns;
    w.basis = make_assessment(track);
    if (kind == MWDS_WARN_OVERFLIGHT)
        snprintf(w.area, sizeof w.area, "JPN");
    return w;
}

static size_t count_kind(json_t *o, const char *origin, const char *kind, int *closed)
{
    json_t *ws = json_object_get(o, "warnings");
    size_t n = 0;
    for (size_t i = 0; i < json_array_size(ws); i++) {
        json_t *w = json_array_get(ws, i);
        if (strcmp(json_string_value(json_object_get(w, "origin")), origin) == 0 &&
            strcmp(json_string_value(json_object_get(w, "kind")), kind) == 0) {
            n++;
            if (closed)
                *closed = json_is_true(json_object_get(w, "closed"));
        }
    }
    return n;
}

static void test_warnings(void **state)
{
    (void)state;
    mwds_picture *p = make_picture(1);
    mwds_warning w = make_warning("JPN", 1, MWDS_WARN_LAUNCH, 3, T0 + S(112), 1);
    assert_int_equal(mwds_picture_add_warning(p, &w, 1), MWDS_OK);
    assert_int_equal(mwds_picture_add_warning(p, &w, 1), MWDS_OK); /* held already */
    w = make_warning("JPN", 2, MWDS_WARN_IMPACT_PREDICTION, 3, T0 + S(113), 1);
    assert_int_equal(mwds_picture_add_warning(p, &w, 1), MWDS_OK);
    w = make_warning("JPN", 3, MWDS_WARN_IMPACT_PREDICTION, 3, T0 + S(150), 1);
    assert_int_equal(mwds_picture_add_warning(p, &w, 1), MWDS_OK); /* replaces W2 */
    w = make_warning("KOR", 1, MWDS_WARN_IMPACT_PREDICTION, 3, T0 + S(114), 1);
    assert_int_equal(mwds_picture_add_warning(p, &w, 0), MWDS_OK); /* another origin */
    w = make_warning("JPN", 4, MWDS_WARN_OVERFLIGHT, 3, T0 + S(213), 1);
    assert_int_equal(mwds_picture_add_warning(p, &w, 1), MWDS_OK);
    /* a picture never mixes exercise and real-world data */
    w = make_warning("USA", 1, MWDS_WARN_LAUNCH, 9, T0 + S(120), 0);
    assert_int_equal(mwds_picture_add_warning(p, &w, 0), MWDS_EINVAL);
    assert_int_equal(mwds_picture_add_warning(p, NULL, 0), MWDS_EINVAL);
    json_t *o = snapshot(p, T0);
    assert_int_equal(json_array_size(json_object_get(o, "warnings")), 4);
    int closed = -1;
    assert_int_equal(count_kind(o, "JPN", "IMPACT_PREDICTION", &closed), 1);
    assert_int_equal(closed, 0);
    assert_int_equal(count_kind(o, "KOR", "IMPACT_PREDICTION", NULL), 1);
    json_t *first = json_array_get(json_object_get(o, "warnings"), 0);
    assert_int_equal(json_integer_value(json_object_get(first, "id")), 1); /* arrival order */
    assert_true(json_is_true(json_object_get(first, "issued")));
    /* one warning per origin and track carries the basis: the newest with
     * an impact (JPN's W4 about track 3, KOR's W1) */
    json_t *ws = json_object_get(o, "warnings");
    for (size_t i = 0; i < json_array_size(ws); i++) {
        json_t *x = json_array_get(ws, i);
        const char *org = json_string_value(json_object_get(x, "origin"));
        json_int_t id = json_integer_value(json_object_get(x, "id"));
        int holder = (strcmp(org, "JPN") == 0 && id == 4) || (strcmp(org, "KOR") == 0 && id == 1);
        assert_int_equal(json_is_true(json_object_get(x, "basis")), holder);
        assert_int_equal(json_object_get(x, "impact") != NULL, holder);
        if (holder)
            assert_near(num(json_object_get(x, "impact"), "t_s"), 1790001374.0, 1e-3,
                        "the basis's time of impact");
    }
    json_decref(o);
    /* JPN's IMPACT closes JPN's warnings about track 3, not KOR's */
    w = make_warning("JPN", 5, MWDS_WARN_IMPACT, 3, T0 + S(1374), 1);
    w.basis.impact.t_ns = T0 + S(1374);
    assert_int_equal(mwds_picture_add_warning(p, &w, 1), MWDS_OK);
    o = snapshot(p, T0);
    assert_int_equal(count_kind(o, "JPN", "LAUNCH", &closed), 1);
    assert_int_equal(closed, 1);
    assert_int_equal(count_kind(o, "KOR", "IMPACT_PREDICTION", &closed), 1);
    assert_int_equal(closed, 0);
    assert_near(num(o, "picture_t_s"), 1790001374.0, 1e-3, "num(o, \"picture_t_s\")");
    json_decref(o);
    /* warning_linger_s (20 s) after the impact everything about it is gone */
    assert_int_equal(mwds_picture_update_tracks(p, NULL, 0, T0 + S(1395)), MWDS_OK);
    o = snapshot(p, T0);
    assert_int_equal(json_array_size(json_object_get(o, "warnings")), 0);
    json_decref(o);
    mwds_picture_destroy(p);
}

static void test_warning_table_full(void **state)
{
    (void)state;
    mwds_picture *p = make_picture(0);
    for (uint32_t k = 1; k <= 10; k++) {
        mwds_warning w = make_warning("KOR", k, MWDS_WARN_LAUNCH, k, T0 + S(k), 0);
        assert_int_equal(mwds_picture_add_warning(p, &w, 0), MWDS_OK);
    }
    mwds_picture_stats st;
    mwds_picture_get_stats(p, &st);
    assert_int_equal(st.warnings, 8);
    assert_int_equal(st.warnings_dropped, 2);
    json_t *o = snapshot(p, T0);
    json_t *ws = json_object_get(o, "warnings");
    assert_int_equal(json_integer_value(json_object_get(json_array_get(ws, 0), "id")), 3);
    assert_int_equal(json_integer_value(json_object_get(json_array_get(ws, 7), "id")), 10);
    json_decref(o);
    mwds_picture_destroy(p);
}

static void test_escaping(void **state)
{
    (void)state;
    mwds_picture_config c;
    mwds_picture_config_default(&c);
    snprintf(c.nation, sizeof c.nation, "KOR");
    c.exercise = 1;
    /* quotes, a backslash, control characters, valid UTF-8 and a stray
     * continuation byte and a truncated sequence */
    snprintf(c.exercise_name, sizeof c.exercise_name, "A \"b\" \\ \t\x01 \xce\xa9 \x80 \xe2\x82");
    mwds_picture *p = NULL;
    assert_int_equal(mwds_picture_create(&c, &p), MWDS_OK);
    mwds_warning w = make_warning("K\"R", 1, MWDS_WARN_OVERFLIGHT, 1, T0, 1);
    snprintf(w.area, sizeof w.area, "<a>\n");
    assert_int_equal(mwds_picture_add_warning(p, &w, 0), MWDS_OK);
    json_t *o = snapshot(p, T0);
    assert_string_equal(json_string_value(json_object_get(o, "exercise_name")),
                        "A \"b\" \\ \t\x01 \xce\xa9 ? ??");
    json_t *w0 = json_array_get(json_object_get(o, "warnings"), 0);
    assert_string_equal(json_string_value(json_object_get(w0, "origin")), "K\"R");
    assert_string_equal(json_string_value(json_object_get(w0, "area")), "<a>\n");
    json_decref(o);
    mwds_picture_destroy(p);
}

static void num_is(double v, int d, const char *want)
{
    mwds__jw w;
    mwds__jw_init(&w);
    mwds__jw_num(&w, v, d);
    assert_int_equal(w.err, MWDS_OK);
    assert_string_equal(w.buf, want);
    mwds__jw_fini(&w);
}

static void test_numbers(void **state)
{
    (void)state;
    num_is(1.5, 3, "1.5");
    num_is(-1.5, 3, "-1.5");
    num_is(2.0, 4, "2");
    num_is(0.0, 2, "0");
    num_is(-0.00004, 4, "0");
    num_is(123.456789, 4, "123.4568");
    num_is(-123.456749, 4, "-123.4567");
    num_is(0.05, 1, "0.1");
    num_is(1790001374.25, 3, "1790001374.25");
    num_is(NAN, 2, "null");
    num_is(-INFINITY, 2, "null");
    num_is(1e20, 2, "1e+20");
    num_is(6378137.0, 0, "6378137");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_config_errors),
        cmocka_unit_test(test_kinematics),
        cmocka_unit_test(test_trail_bounded),
        cmocka_unit_test(test_ended_and_members),
        cmocka_unit_test(test_assessment),
        cmocka_unit_test(test_warnings),
        cmocka_unit_test(test_warning_table_full),
        cmocka_unit_test(test_escaping),
        cmocka_unit_test(test_numbers),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
