/*
 * Launch points and the warning rules.
 *   - Launch templates against flights the solver flies from other pads, on
 *     other azimuths and kicks than the templates': from a boost state and
 *     from a ballistic state after burnout, the 95 % ellipse holds the true
 *     pad and the launch time is within three sigma.
 *   - An IRBM flown west-south-west, whose state after burnout an ICBM cut
 *     off early fits as well: without a sighting the ellipse spans both and
 *     holds the pad; with a sighting during the burn the classes part, and
 *     the pad is found to 0.5 % of the distance (the east templates alone
 *     put it 1.6 % short); a sighting of something else, or one no earlier
 *     than the state, changes nothing.
 *   - Monte Carlo consistency: states drawn from their own covariance about
 *     the truth, with sightings drawn from theirs; the 95 % ellipse holds
 *     the true pad about 95 % of the time and the truth's mean squared
 *     Mahalanobis distance is near 2 (chi-square, 2 degrees of freedom).
 *   - The assessor on a hand-made track pool: LAUNCH once; IMPACT_PREDICTION
 *     once ballistic, naming an area under the impact; nothing new without
 *     new measurements; IMPACT when the track ends at its predicted impact,
 *     END when it ends early, CANCEL when a slow track that never went
 *     ballistic ends; every warning flagged exercise and from its origin.
 *   - A budget of one assessment per call: tracks not yet warned of go
 *     first, then the longest since assessed; the rest are counted as
 *     skipped and come on the next calls, none twice.
 */
#include <stdlib.h>
#include <string.h>

#include "mwds/assess.h"
#include "mwds/rng.h"
#include "test_util.h"

#define T0 (INT64_C(1795000000) * MWDS_NS_PER_S)

static mwds_traj solve(const char *cls, double lat, double lon, double az_deg, double range_km)
{
    mwds_traj_request req;
    memset(&req, 0, sizeof req);
    req.cls = mwds_catalogue_find(cls);
    req.launch = (mwds_lla){lat * MWDS_DEG2RAD, lon * MWDS_DEG2RAD, 0.0};
    req.azimuth_rad = az_deg * MWDS_DEG2RAD;
    req.range_m = range_km * 1e3;
    req.launch_t_ns = T0;
    mwds_boost_plan plan;
    mwds_traj tr;
    memset(&tr, 0, sizeof tr);
    assert_int_equal(mwds_ballistic_solve(&req, &plan, &tr, NULL, 0), MWDS_OK);
    return tr;
}

/* A filter state on the truth at t_s after launch, with a tracker-like
 * covariance (100 m, 10 m/s). */
static mwds_filter_state state_at(const mwds_traj *tr, double t_s, mwds_motion_model model)
{
    mwds_vec3 p, v;
    assert_int_equal(mwds_traj_state(tr, t_s, &p, &v), MWDS_OK);
    double x[9] = {p.v[0], p.v[1], p.v[2], v.v[0], v.v[1], v.v[2], 0, 0, 0}, P[81] = {0};
    int n = model == MWDS_MODEL_BOOST ? 9 : 7;
    for (int i = 0; i < n; i++)
        P[i * n + i] = i < 3 ? 1e4 : i < 6 ? 100.0 : model == MWDS_MODEL_BOOST ? 25.0 : 4e-8;
    if (model == MWDS_MODEL_BALLISTIC)
        x[6] = 2e-4;
    mwds_filter_state s;
    assert_int_equal(mwds_filter_init(&s, model, tr->launch_t_ns + mwds_time_from_s(t_s), x, P),
                     MWDS_OK);
    return s;
}

static void test_launch_point_from_boost_and_ballistic_states(void **state)
{
    (void)state;
    mwds_launch_templates *lt;
    assert_int_equal(mwds_launch_templates_create(&lt), MWDS_OK);
    const struct {
        const char *cls;
        double lat, lon, az, range_km, t_boost, t_ball;
    } f[] = {
        {"srbm", 38.5, 125.9, 100.0, 350.0, 40.0, 100.0},
        {"irbm", 40.6, 126.4, 84.2, 3500.0, 120.0, 300.0},
        {"icbm-solid-3", 39.5, 127.0, 60.0, 8000.0, 100.0, 400.0},
    };
    for (size_t i = 0; i < sizeof f / sizeof f[0]; i++) {
        mwds_traj tr = solve(f[i].cls, f[i].lat, f[i].lon, f[i].az, f[i].range_km);
        const mwds_motion_model models[2] = {MWDS_MODEL_BOOST, MWDS_MODEL_BALLISTIC};
        const double when[2] = {f[i].t_boost, f[i].t_ball};
        for (int m = 0; m < 2; m++) {
            mwds_filter_state s = state_at(&tr, when[m], models[m]);
            mwds_ellipse e;
            int64_t t_ns;
            double sig;
            assert_int_equal(mwds_assess_launch(lt, &s, &e, &t_ns, &sig), MWDS_OK);
            double d = 0.0;
            assert_int_equal(mwds_geo_inverse(e.centre, tr.sum.launch, &d, NULL, NULL), MWDS_OK);
            double dt = mwds_time_to_s(t_ns - tr.launch_t_ns);
            print_message("%s from a %s state at T+%.0f s: pad off by %.1f km (ellipse %.1f x "
                          "%.1f km), time off by %.1f s (sigma %.1f)\n",
                          f[i].cls, m ? "ballistic" : "boost", when[m], d / 1e3,
                          e.semi_major_m / 1e3, e.semi_minor_m / 1e3, dt, sig);
            assert_true(mwds_ellipse_contains(&e, tr.sum.launch));
            assert_true(fabs(dt) < 3.0 * sig);
        }
        mwds_traj_fini(&tr);
    }
    mwds_launch_templates_destroy(lt);
}

/* A ballistic state drawn from N(truth, P), P diagonal: sp metres and sv
 * m/s; 1/beta the class's. With r NULL, the truth itself. */
static mwds_filter_state drawn_state(const mwds_traj *tr, const mwds_missile_class *cls,
                                     double t_s, double sp, double sv, mwds_rng *r)
{
    mwds_vec3 p, v;
    assert_int_equal(mwds_traj_state(tr, t_s, &p, &v), MWDS_OK);
    double x[7] = {p.v[0], p.v[1], p.v[2], v.v[0], v.v[1], v.v[2], 1.0 / cls->rv_beta_kg_m2};
    double P[49] = {0};
    for (int i = 0; i < 7; i++) {
        double sd = i < 3 ? sp : i < 6 ? sv : 1e-6 * x[6];
        P[i * 7 + i] = sd * sd;
        if (r != NULL && i < 6)
            x[i] += sd * mwds_rng_normal(r);
    }
    mwds_filter_state s;
    assert_int_equal(
        mwds_filter_init(&s, MWDS_MODEL_BALLISTIC, tr->launch_t_ns + mwds_time_from_s(t_s), x, P),
        MWDS_OK);
    return s;
}

/* Where the flight was at t_s, seen with sd metres in each axis (drawn if r
 * is not NULL). */
static mwds_launch_sighting sighting(const mwds_traj *tr, double t_s, double sd, mwds_rng *r)
{
    mwds_vec3 p, v;
    assert_int_equal(mwds_traj_state(tr, t_s, &p, &v), MWDS_OK);
    mwds_launch_sighting seen;
    memset(&seen, 0, sizeof seen);
    seen.t_ns = tr->launch_t_ns + mwds_time_from_s(t_s);
    for (int i = 0; i < 3; i++) {
        seen.pos_ecef.v[i] = p.v[i] + (r != NULL ? sd * mwds_rng_normal(r) : 0.0);
        seen.cov.m[i][i] = sd * sd;
    }
    return seen;
}

static double pad_error_m(const mwds_ellipse *e, const mwds_traj *tr)
{
    double d = 0.0;
    assert_int_equal(mwds_geo_inverse(e->centre, tr->sum.launch, &d, NULL, NULL), MWDS_OK);
    return d;
}

static void test_launch_classes_told_apart_by_a_sighting(void **state)
{
    (void)state;
    mwds_launch_templates *lt;
    assert_int_equal(mwds_launch_templates_create(&lt), MWDS_OK);
    const mwds_missile_class *cls = mwds_catalogue_find("irbm");
    mwds_traj tr = solve("irbm", 40.0, 127.0, 250.0, 3000.0);
    /* a converged track 100 s after burnout, and the missile seen burning */
    mwds_filter_state s = drawn_state(&tr, cls, tr.sum.burnout_t_s + 100.0, 30.0, 0.3, NULL);
    mwds_launch_sighting seen = sighting(&tr, 100.0, 300.0, NULL);
    mwds_ellipse e0, e1, e2;
    int64_t t0, t1, t2;
    double sg0, sg1, sg2;
    assert_int_equal(mwds_assess_launch(lt, &s, &e0, &t0, &sg0), MWDS_OK);
    assert_int_equal(mwds_assess_launch_seen(lt, &s, &seen, &e1, &t1, &sg1), MWDS_OK);
    double d0 = pad_error_m(&e0, &tr), d1 = pad_error_m(&e1, &tr);
    mwds_vec3 pb, vb;
    mwds_lla bo;
    double s_m = 0.0;
    assert_int_equal(mwds_traj_state(&tr, tr.sum.burnout_t_s, &pb, &vb), MWDS_OK);
    assert_int_equal(mwds_geo_ecef_to_lla(pb, &bo), MWDS_OK);
    assert_int_equal(mwds_geo_inverse(tr.sum.launch, bo, &s_m, NULL, NULL), MWDS_OK);
    print_message("irbm flown west: without a sighting %.1f km off (ellipse %.1f x %.1f km); "
                  "with one %.2f km off (%.1f x %.1f km), %.2f %% of the %.0f km to burnout, "
                  "launch time off by %.2f s\n",
                  d0 / 1e3, e0.semi_major_m / 1e3, e0.semi_minor_m / 1e3, d1 / 1e3,
                  e1.semi_major_m / 1e3, e1.semi_minor_m / 1e3, 100.0 * d1 / s_m, s_m / 1e3,
                  mwds_time_to_s(t1 - tr.launch_t_ns));
    assert_true(mwds_ellipse_contains(&e0, tr.sum.launch));
    assert_true(mwds_ellipse_contains(&e1, tr.sum.launch));
    assert_true(d0 > 3e3);
    assert_true(d1 < 0.005 * s_m);
    assert_true(e1.semi_major_m < e0.semi_major_m / 3.0);
    assert_true(fabs(mwds_time_to_s(t1 - tr.launch_t_ns)) < 1.0);
    /* a sighting of something else, 500 km away: as if none */
    mwds_launch_sighting other = seen;
    other.pos_ecef.v[0] += 3e5;
    other.pos_ecef.v[1] += 4e5;
    assert_int_equal(mwds_assess_launch_seen(lt, &s, &other, &e2, &t2, &sg2), MWDS_OK);
    assert_true(pad_error_m(&e2, &tr) - d0 < 1.0 && d0 - pad_error_m(&e2, &tr) < 1.0);
    assert_true(t2 == t0);
    /* the state itself as the sighting: as if none */
    mwds_launch_sighting self = seen;
    self.t_ns = s.t_ns;
    assert_int_equal(mwds_assess_launch_seen(lt, &s, &self, &e2, &t2, &sg2), MWDS_OK);
    assert_true(t2 == t0 && e2.semi_major_m == e0.semi_major_m);
    mwds_traj_fini(&tr);
    mwds_launch_templates_destroy(lt);
}

static void test_launch_ellipse_consistency(void **state)
{
    (void)state;
    enum { RUNS = 50 };
    mwds_launch_templates *lt;
    assert_int_equal(mwds_launch_templates_create(&lt), MWDS_OK);
    const struct {
        const char *cls;
        double lat, lon, az, range_km, t_seen, t_after_burnout;
    } f[] = {
        {"srbm", 38.5, 125.9, 160.0, 350.0, 50.0, 40.0},
        {"irbm", 40.0, 127.0, 250.0, 3000.0, 100.0, 100.0},
    };
    for (size_t i = 0; i < sizeof f / sizeof f[0]; i++) {
        const mwds_missile_class *cls = mwds_catalogue_find(f[i].cls);
        mwds_traj tr = solve(f[i].cls, f[i].lat, f[i].lon, f[i].az, f[i].range_km);
        mwds_rng r;
        mwds_rng_seed(&r, 4, i);
        int in = 0;
        double sum_d2 = 0.0;
        for (int k = 0; k < RUNS; k++) {
            mwds_filter_state s =
                drawn_state(&tr, cls, tr.sum.burnout_t_s + f[i].t_after_burnout, 200.0, 2.0, &r);
            mwds_launch_sighting seen = sighting(&tr, f[i].t_seen, 300.0, &r);
            mwds_ellipse e;
            int64_t t_ns;
            double sig;
            assert_int_equal(mwds_assess_launch_seen(lt, &s, &seen, &e, &t_ns, &sig), MWDS_OK);
            double rad = mwds_ellipse_radius(&e, tr.sum.launch);
            in += rad <= 1.0;
            sum_d2 += rad * rad * -2.0 * log(0.05);
        }
        print_message("%s: the 95 %% ellipse holds the pad in %d of %d draws; mean squared "
                      "Mahalanobis distance %.2f (2 if consistent)\n",
                      f[i].cls, in, RUNS, sum_d2 / RUNS);
        /* binomial: 95 % of 50 is 47.5 +- 1.5; a chi-square(2) mean of 50 is
         * 2 +- 0.28 */
        assert_true(in >= 42);
        assert_true(sum_d2 / RUNS > 1.2 && sum_d2 / RUNS < 3.2);
        mwds_traj_fini(&tr);
    }
    mwds_launch_templates_destroy(lt);
}

static const char SEA_SQUARE[] =
    "{\"type\":\"FeatureCollection\",\"features\":[{\"type\":\"Feature\","
    "\"properties\":{\"code\":\"BOX\",\"nation\":\"JPN\"},\"geometry\":{\"type\":\"Polygon\","
    "\"coordinates\":[[[%.4f,%.4f],[%.4f,%.4f],[%.4f,%.4f],[%.4f,%.4f],[%.4f,%.4f]]]}}]}";

/* Default configuration with the areas parsed from geojson (named name)
 * and the origin; the caller sets the rest and creates the assessor. */
static void config_with_areas(mwds_assessor_config *c, mwds_areas *areas, const char *name,
                              const char *geojson, const char *origin)
{
    char err[256];
    assert_int_equal(mwds_areas_parse(name, geojson, strlen(geojson), areas, err, sizeof err),
                     MWDS_OK);
    mwds_assessor_config_default(c);
    c->areas = areas;
    strcpy(c->origin, origin);
}

static int count_kind(const mwds_warning *w, int n, mwds_warning_kind k)
{
    int c = 0;
    for (int i = 0; i < n; i++)
        c += w[i].kind == k;
    return c;
}

static void test_warning_rules(void **state)
{
    (void)state;
    mwds_traj tr = solve("mrbm", 39.0, 125.7, 90.0, 1000.0);
    /* an area of 1 x 1 degree around the true impact */
    double lat = tr.sum.impact.lat_rad * MWDS_RAD2DEG, lon = tr.sum.impact.lon_rad * MWDS_RAD2DEG;
    char text[1024];
    snprintf(text, sizeof text, SEA_SQUARE, lon - 0.5, lat - 0.5, lon + 0.5, lat - 0.5, lon + 0.5,
             lat + 0.5, lon - 0.5, lat + 0.5, lon - 0.5, lat - 0.5);
    mwds_areas areas;
    mwds_assessor_config c;
    config_with_areas(&c, &areas, "box", text, "JPN");
    c.min_interval_s = 0.0;
    mwds_assessor *as;
    assert_int_equal(mwds_assessor_create(&c, &as), MWDS_OK);

    mwds_track pool[2];
    memset(pool, 0, sizeof pool);
    pool[0].number = 7;
    pool[0].status = MWDS_TRACK_CONFIRMED;
    pool[0].f = state_at(&tr, 200.0, MWDS_MODEL_BALLISTIC);
    pool[0].t_init_ns = pool[0].t_update_ns = pool[0].f.t_ns;
    pool[0].hits = 50;
    mwds_warning w[16];
    int n;
    int64_t now = pool[0].f.t_ns;
    assert_int_equal(mwds_assessor_update(as, pool, 2, now, w, 16, &n), MWDS_OK);
    assert_int_equal(count_kind(w, n, MWDS_WARN_LAUNCH), 1);
    assert_int_equal(count_kind(w, n, MWDS_WARN_IMPACT_PREDICTION), 1);
    for (int i = 0; i < n; i++) {
        assert_int_equal(w[i].exercise, 1);
        assert_string_equal(w[i].origin, "JPN");
        assert_int_equal(w[i].track_number, 7);
        if (w[i].kind == MWDS_WARN_IMPACT_PREDICTION) {
            assert_int_equal(w[i].basis.n_threatened, 1);
            assert_string_equal(w[i].basis.threatened[0], "BOX");
            assert_true(mwds_ellipse_contains(&w[i].basis.impact.ellipse, tr.sum.impact));
        }
    }
    /* no new measurement: no new assessment, no warning */
    assert_int_equal(mwds_assessor_update(as, pool, 2, now + 1000000000, w, 16, &n), MWDS_OK);
    assert_int_equal(n, 0);
    const mwds_assessment *a = mwds_assessor_latest(as, 7);
    assert_non_null(a);
    int64_t impact_ns = a->impact.t_ns;

    /* a second, slow track that never goes ballistic: CANCEL when it ends */
    pool[1] = pool[0];
    pool[1].number = 8;
    pool[1].f.model = MWDS_MODEL_BOOST;
    pool[1].f.n = 9;
    for (int i = 3; i < 6; i++)
        pool[1].f.x.v[i] *= 0.05;
    pool[1].hits = 4;
    assert_int_equal(mwds_assessor_update(as, pool, 2, now, w, 16, &n), MWDS_OK);
    assert_int_equal(count_kind(w, n, MWDS_WARN_LAUNCH), 1);
    pool[1].status = MWDS_TRACK_FREE;
    assert_int_equal(mwds_assessor_update(as, pool, 2, now, w, 16, &n), MWDS_OK);
    assert_int_equal(n, 1);
    assert_int_equal(w[0].kind, MWDS_WARN_CANCEL);
    assert_int_equal(w[0].track_number, 8);

    /* the first track ends at its predicted impact: IMPACT */
    pool[0].status = MWDS_TRACK_FREE;
    assert_int_equal(mwds_assessor_update(as, pool, 2, impact_ns - 5000000000, w, 16, &n), MWDS_OK);
    assert_int_equal(n, 1);
    assert_int_equal(w[0].kind, MWDS_WARN_IMPACT);

    /* a track that ends long before its impact: END */
    pool[0].status = MWDS_TRACK_CONFIRMED;
    pool[0].number = 9;
    assert_int_equal(mwds_assessor_update(as, pool, 1, now, w, 16, &n), MWDS_OK);
    pool[0].status = MWDS_TRACK_FREE;
    assert_int_equal(mwds_assessor_update(as, pool, 1, now + 10000000000, w, 16, &n), MWDS_OK);
    assert_int_equal(n, 1);
    assert_int_equal(w[0].kind, MWDS_WARN_END);
    /* room for none: EFULL, and the warning comes next time */
    pool[0].status = MWDS_TRACK_CONFIRMED;
    pool[0].number = 10;
    assert_int_equal(mwds_assessor_update(as, pool, 1, now, w, 0, &n), MWDS_EFULL);
    assert_int_equal(mwds_assessor_update(as, pool, 1, now, w, 16, &n), MWDS_OK);
    assert_int_equal(count_kind(w, n, MWDS_WARN_LAUNCH), 1);

    mwds_assessor_destroy(as);
    mwds_areas_fini(&areas);
    mwds_traj_fini(&tr);
}

/* Whether track number was assessed at track time t_s after launch. */
static int assessed_at(const mwds_assessor *as, uint32_t number, const mwds_traj *tr, double t_s)
{
    const mwds_assessment *a = mwds_assessor_latest(as, number);
    return a != NULL && a->t_ns == tr->launch_t_ns + mwds_time_from_s(t_s);
}

static void test_assessment_budget(void **state)
{
    (void)state;
    mwds_traj tr = solve("mrbm", 39.0, 125.7, 90.0, 1000.0);
    mwds_areas areas;
    mwds_assessor_config c;
    config_with_areas(&c, &areas, "none", "{\"type\": \"FeatureCollection\", \"features\": []}",
                      "KOR");
    c.max_assessments = 1;
    mwds_assessor *as;
    assert_int_equal(mwds_assessor_create(&c, &as), MWDS_OK);
    /* three tracks seen at 200, 201 and 199 s */
    const double t0[3] = {200.0, 201.0, 199.0};
    mwds_track pool[4];
    memset(pool, 0, sizeof pool);
    for (int i = 0; i < 3; i++) {
        pool[i].number = (uint32_t)(i + 1);
        pool[i].status = MWDS_TRACK_CONFIRMED;
        pool[i].f = state_at(&tr, t0[i], MWDS_MODEL_BALLISTIC);
        pool[i].t_init_ns = pool[i].t_update_ns = pool[i].f.t_ns;
        pool[i].hits = 50;
    }
    mwds_warning w[16];
    int n;
    int64_t now = tr.launch_t_ns + mwds_time_from_s(201.0);
    /* all three are new (urgent): one per call, in slot order */
    for (int call = 0; call < 3; call++) {
        assert_int_equal(mwds_assessor_update(as, pool, 3, now, w, 16, &n), MWDS_OK);
        assert_int_equal(count_kind(w, n, MWDS_WARN_LAUNCH), 1);
        assert_int_equal(w[0].track_number, call + 1);
        assert_int_equal(mwds_assessor_skipped(as), 2 - call);
    }
    assert_int_equal(mwds_assessor_update(as, pool, 3, now, w, 16, &n), MWDS_OK);
    assert_int_equal(n, 0);
    assert_int_equal(mwds_assessor_skipped(as), 0);
    /* new measurements of all three at 210 s, and a fourth, new track */
    for (int i = 0; i < 3; i++) {
        pool[i].f = state_at(&tr, 210.0, MWDS_MODEL_BALLISTIC);
        pool[i].t_update_ns = pool[i].f.t_ns;
    }
    pool[3] = pool[0];
    pool[3].number = 4;
    now = pool[0].f.t_ns;
    /* the new track first (its LAUNCH), then the one assessed longest ago
     * (199 s), then 200 s, then 201 s */
    const uint32_t order[4] = {4, 3, 1, 2};
    for (int call = 0; call < 4; call++) {
        assert_int_equal(mwds_assessor_update(as, pool, 4, now, w, 16, &n), MWDS_OK);
        assert_int_equal(mwds_assessor_skipped(as), 3 - call);
        for (int k = 0; k < 4; k++)
            assert_int_equal(assessed_at(as, order[k], &tr, 210.0), k <= call);
    }
    assert_int_equal(count_kind(w, n, MWDS_WARN_LAUNCH), 0); /* each said once */
    mwds_assessor_destroy(as);
    mwds_areas_fini(&areas);
    mwds_traj_fini(&tr);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_launch_point_from_boost_and_ballistic_states),
        cmocka_unit_test(test_launch_classes_told_apart_by_a_sighting),
        cmocka_unit_test(test_launch_ellipse_consistency),
        cmocka_unit_test(test_warning_rules),
        cmocka_unit_test(test_assessment_budget),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
