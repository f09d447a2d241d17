/*
 * Launch points and the warning rules.
 *   - Launch templates against flights the solver flies from other pads, on
 *     other azimuths and kicks than the templates': from a boost state and
 *     from a ballistic state after burnout, the 95 % ellipse holds the true
 *     pad and the launch time is within three sigma.
 *   - The assessor on a hand-made track pool: LAUNCH once; IMPACT_PREDICTION
 *     once ballistic, naming an area under the impact; nothing new without
 *     new measurements; IMPACT when the track ends at its predicted impact,
 *     END when it ends early, CANCEL when a slow track that never went
 *     ballistic ends; every warning flagged exercise and from its origin.
 */
#include <stdlib.h>
#include <string.h>

#include "mwds/assess.h"
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

static const char SEA_SQUARE[] =
    "{\"type\":\"FeatureCollection\",\"features\":[{\"type\":\"Feature\","
    "\"properties\":{\"code\":\"BOX\",\"nation\":\"JPN\"},\"geometry\":{\"type\":\"Polygon\","
    "\"coordinates\":[[[%.4f,%.4f],[%.4f,%.4f],[%.4f,%.4f],[%.4f,%.4f],[%.4f,%.4f]]]}}]}";

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
    char err[256];
    assert_int_equal(mwds_areas_parse("box", text, strlen(text), &areas, err, sizeof err), MWDS_OK);
    mwds_assessor_config c;
    mwds_assessor_config_default(&c);
    c.areas = &areas;
    strcpy(c.origin, "JPN");
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

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_launch_point_from_boost_and_ballistic_states),
        cmocka_unit_test(test_warning_rules),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
