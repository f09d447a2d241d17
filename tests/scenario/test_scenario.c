/*
 * Scenario files: the examples in scenarios/ load and convert to SI units
 * and radians (checked against values worked out by hand, not by the
 * loader), and every kind of error a user can make is reported with its
 * return code, "FILE:LINE:COLUMN: FIELD: ..." on one line, and the output
 * struct left untouched.
 *
 * Error tests edit one or two lines of BASE, a small valid scenario whose
 * line numbers are written beside it, so each expected line and column can
 * be checked by eye.
 */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "mwds/scenario.h"
#include "test_util.h"

#ifndef MWDS_SOURCE_DIR
#error "MWDS_SOURCE_DIR must name the project root"
#endif

#define START_2026_11_23_NS (INT64_C(1795392000) * MWDS_NS_PER_S) /* 2026-11-23T00:00:00Z */
#define TOL_RAD 1e-15

static const char *const BASE[] = {
    /*  1 */ "name: t",
    /*  2 */ "start: 2026-11-23T00:00:00Z",
    /*  3 */ "duration_s: 1800",
    /*  4 */ "nations:",
    /*  5 */ "  - code: KOR",
    /*  6 */ "  - code: USA",
    /*  7 */ "  - code: JPN",
    /*  8 */ "sensors:",
    /*  9 */ "  - id: R1",
    /* 10 */ "    nation: KOR",
    /* 11 */ "    type: radar",
    /* 12 */ "    site: {lat_deg: 37.0, lon_deg: 127.5}",
    /* 13 */ "    range_max_km: 3000",
    /* 14 */ "    revisit_s: 1",
    /* 15 */ "    pd: 0.9",
    /* 16 */ "    sigma_range_m: 50",
    /* 17 */ "    sigma_az_deg: 0.05",
    /* 18 */ "    sigma_el_deg: 0.05",
    /* 19 */ "launches:",
    /* 20 */ "  - id: L1",
    /* 21 */ "    time_s: 60",
    /* 22 */ "    class: irbm",
    /* 23 */ "    launch: {lat_deg: 40.61, lon_deg: 126.43}",
    /* 24 */ "    azimuth_deg: 84.2",
    /* 25 */ "    range_km: 4600",
};
#define BASE_LINES (sizeof BASE / sizeof BASE[0])

/* Line `line` (1-based) of BASE replaced by text (which may hold several
 * lines, or be NULL to delete the line). */
typedef struct edit {
    size_t line;
    const char *text;
} edit;

static char text_buf[8192];

static const char *edited(const edit *e, size_t n)
{
    size_t o = 0;
    for (size_t l = 1; l <= BASE_LINES; l++) {
        const char *s = BASE[l - 1];
        int deleted = 0;
        for (size_t i = 0; i < n; i++) {
            if (e[i].line == l) {
                s = e[i].text;
                deleted = s == NULL;
            }
        }
        if (deleted)
            continue;
        int w = snprintf(text_buf + o, sizeof text_buf - o, "%s\n", s);
        assert_true(w > 0 && (size_t)w < sizeof text_buf - o);
        o += (size_t)w;
    }
    return text_buf;
}

#define EDITED(...)                                                                                \
    edited((const edit[]){__VA_ARGS__}, sizeof((const edit[]){__VA_ARGS__}) / sizeof(edit))

/* Parses text (len bytes) as "t.yaml" expecting rc; the message must start
 * with prefix, contain each of the fragments, be one line, and leave the
 * output exactly as it was. */
static void expect_error_len(const char *text, size_t len, mwds_err rc, const char *prefix,
                             const char *frag1, const char *frag2)
{
    mwds_scenario sc, before;
    memset(&sc, 0xa5, sizeof sc);
    memcpy(&before, &sc, sizeof sc);
    char err[1024];
    mwds_err got = mwds_scenario_parse("t.yaml", text, len, &sc, err, sizeof err);
    if (got != rc)
        fail_msg("return code %d (%s), want %d (%s); message: %s", got, mwds_strerror(got), rc,
                 mwds_strerror(rc), got == MWDS_OK ? "(none)" : err);
    assert_memory_equal(&sc, &before, sizeof sc);
    if (strncmp(err, prefix, strlen(prefix)) != 0)
        fail_msg("message does not start with '%s': %s", prefix, err);
    if (frag1 != NULL && strstr(err, frag1) == NULL)
        fail_msg("message lacks '%s': %s", frag1, err);
    if (frag2 != NULL && strstr(err, frag2) == NULL)
        fail_msg("message lacks '%s': %s", frag2, err);
    assert_null(strchr(err, '\n'));
    assert_null(strchr(err, '\r'));
}

static void expect_error(const char *text, mwds_err rc, const char *prefix, const char *frag1,
                         const char *frag2)
{
    expect_error_len(text, strlen(text), rc, prefix, frag1, frag2);
}

static void load_ok(const char *text, mwds_scenario *sc)
{
    char err[1024] = "";
    mwds_err rc = mwds_scenario_parse("t.yaml", text, strlen(text), sc, err, sizeof err);
    if (rc != MWDS_OK)
        fail_msg("%s: %s", mwds_strerror(rc), err);
}

/* ---- the examples -------------------------------------------------------- */

static void test_irbm_over_japan(void **state)
{
    (void)state;
    mwds_scenario sc;
    char err[1024] = "";
    mwds_err rc =
        mwds_scenario_load(MWDS_SOURCE_DIR "/scenarios/irbm-over-japan.yaml", &sc, err, sizeof err);
    if (rc != MWDS_OK)
        fail_msg("%s: %s", mwds_strerror(rc), err);

    assert_string_equal(sc.name, "irbm-over-northern-japan");
    assert_non_null(strstr(sc.description, "Missile alert exercise"));
    assert_int_equal(sc.exercise, 1);
    assert_true(sc.start_t_ns == START_2026_11_23_NS);
    assert_near(sc.duration_s, 1500.0, 0.0, "duration");
    assert_true(sc.seed == 42);

    assert_int_equal(sc.n_nations, 3);
    assert_string_equal(sc.nations[0].code, "KOR");
    assert_string_equal(sc.nations[0].name, "Republic of Korea");
    assert_int_equal(mwds_scenario_nation(&sc, "JPN"), 2);
    assert_int_equal(mwds_scenario_nation(&sc, "USA"), 1);
    assert_int_equal(mwds_scenario_nation(&sc, "CHN"), -1);

    assert_int_equal(sc.n_sensors, 4);
    /* Korean radar: every key given */
    const mwds_sensor_config *k = &sc.sensors[0];
    assert_string_equal(k->id, "KOR-RADAR-1");
    assert_int_equal(k->nation, 0);
    assert_int_equal(k->sensor.kind, MWDS_SENSOR_RADAR);
    assert_int_equal(k->sensor.id, 0);
    const mwds_radar_params *r = &k->sensor.radar;
    assert_near(r->site.lat_rad, 0.6283185307179586, TOL_RAD, "KOR site latitude (pi/5)");
    assert_near(r->site.lon_rad, 2.239257430308725, TOL_RAD, "KOR site longitude");
    assert_near(r->site.h_m, 300.0, 0.0, "KOR site height");
    assert_near(r->boresight_az_rad, 0.0, 0.0, "boresight");
    assert_near(r->az_half_width_rad, 1.0471975511965976, TOL_RAD, "half width (pi/3)");
    assert_near(r->el_min_rad, 0.017453292519943295, TOL_RAD, "el min 1 deg");
    assert_near(r->el_max_rad, 1.4835298641951802, TOL_RAD, "el max 85 deg");
    assert_near(r->range_min_m, 10e3, 0.0, "range min");
    assert_near(r->range_max_m, 1500e3, 0.0, "range max");
    assert_near(r->sigma_range_m, 50.0, 0.0, "sigma range");
    assert_near(r->sigma_az_rad, 0.0008726646259971648, TOL_RAD, "sigma az 0.05 deg");
    assert_near(r->sigma_el_rad, 0.0008726646259971648, TOL_RAD, "sigma el 0.05 deg");
    assert_near(r->sigma_rr_m_s, 1.0, 0.0, "sigma range rate");
    assert_near(k->sensor.revisit_s, 1.0, 0.0, "revisit");
    assert_near(k->sensor.pd, 0.95, 0.0, "pd");
    assert_near(k->sensor.false_alarms_per_scan, 0.2, 0.0, "false alarms");
    /* mwds_sensor_init ran: the site is on the Earth's surface */
    double rs = sqrt(mwds_v3_dot(k->sensor.pos_ecef, k->sensor.pos_ecef));
    assert_true(rs > 6.35e6 && rs < 6.38e6);

    /* Japanese radar: the defaults */
    r = &sc.sensors[1].sensor.radar;
    assert_string_equal(sc.sensors[1].id, "JPN-RADAR-1");
    assert_int_equal(sc.sensors[1].nation, 2);
    assert_int_equal(sc.sensors[1].sensor.id, 1);
    assert_near(r->site.lat_rad, 0.7120943348136864, TOL_RAD, "JPN latitude");
    assert_near(r->site.lon_rad, 2.4486969405480448, TOL_RAD, "JPN longitude");
    assert_near(r->boresight_az_rad, 0.0, 0.0, "default boresight");
    assert_near(r->az_half_width_rad, MWDS_PI, TOL_RAD, "default half width: all round");
    assert_near(r->el_min_rad, 0.008726646259971648, TOL_RAD, "el min 0.5 deg (given)");
    assert_near(r->el_max_rad, 1.5707963267948966, TOL_RAD, "default el max 90 deg");
    assert_near(r->range_min_m, 1000.0, 0.0, "default range min 1 km");
    assert_near(r->sigma_rr_m_s, 0.0, 0.0, "no range rate");
    assert_near(sc.sensors[1].sensor.revisit_s, 2.0, 0.0, "revisit");

    /* US radar: boresight 330 deg */
    r = &sc.sensors[2].sensor.radar;
    assert_int_equal(sc.sensors[2].nation, 1);
    assert_near(r->site.lat_rad, 0.619591884457987, TOL_RAD, "USA latitude");
    assert_near(r->site.lon_rad, 2.363175807200322, TOL_RAD, "USA longitude");
    assert_near(r->boresight_az_rad, 5.759586531581287, 1e-14, "boresight 330 deg");
    assert_near(r->sigma_az_rad, 0.00034906585039886593, TOL_RAD, "sigma az 0.02 deg");

    /* Space IR over 140 E, geostationary */
    const mwds_sensor *ir = &sc.sensors[3].sensor;
    assert_string_equal(sc.sensors[3].id, "USA-SBIR-1");
    assert_int_equal(ir->kind, MWDS_SENSOR_SPACE_IR);
    assert_int_equal(ir->id, 3);
    assert_near(ir->ir.sat.lat_rad, 0.0, 0.0, "satellite latitude");
    assert_near(ir->ir.sat.lon_rad, 2.443460952792061, TOL_RAD, "satellite longitude 140 E");
    assert_near(ir->ir.sat.h_m, 35786e3, 0.0, "geostationary height");
    assert_near(ir->ir.sigma_los_rad, 20e-6, 1e-20, "sigma 20 urad");
    /* geostationary radius: 42,164 km from the Earth's centre */
    double rg = sqrt(mwds_v3_dot(ir->pos_ecef, ir->pos_ecef));
    assert_near(rg, 42164.137e3, 1.0, "satellite radius");

    assert_int_equal(sc.n_launches, 1);
    const mwds_launch_config *l = &sc.launches[0];
    assert_string_equal(l->id, "L1");
    assert_near(l->t_s, 30.0, 0.0, "launch time");
    assert_ptr_equal(l->cls, mwds_catalogue_find("irbm"));
    assert_ptr_equal(l->req.cls, l->cls);
    assert_near(l->req.launch.lat_rad, 0.7087782092348972, TOL_RAD, "launch latitude");
    assert_near(l->req.launch.lon_rad, 2.2066197732964308, TOL_RAD, "launch longitude");
    assert_near(l->req.launch.h_m, 0.0, 0.0, "pad height default");
    assert_int_equal(l->req.has_target, 0);
    assert_near(l->req.azimuth_rad, 1.4695672301792255, TOL_RAD, "azimuth 84.2 deg");
    assert_near(l->req.range_m, 4600e3, 0.0, "range");
    assert_near(l->req.apogee_m, 970e3, 0.0, "apogee");
    assert_true(l->req.force_flags == 0);
    assert_true(l->req.launch_t_ns == START_2026_11_23_NS + 30 * MWDS_NS_PER_S);

    mwds_scenario_fini(&sc);
    assert_null(sc.sensors);
    assert_int_equal(sc.n_sensors, 0);
}

static void test_salvo(void **state)
{
    (void)state;
    mwds_scenario sc;
    char err[1024] = "";
    mwds_err rc = mwds_scenario_load(MWDS_SOURCE_DIR "/scenarios/salvo-search-and-track.yaml", &sc,
                                     err, sizeof err);
    if (rc != MWDS_OK)
        fail_msg("%s: %s", mwds_strerror(rc), err);
    int64_t start = START_2026_11_23_NS + INT64_C(3) * 3600 * MWDS_NS_PER_S;
    assert_true(sc.start_t_ns == start);
    assert_near(sc.duration_s, 3600.0, 0.0, "duration");
    assert_true(sc.seed == 20261123);
    assert_int_equal(sc.n_nations, 3);
    assert_int_equal(sc.n_sensors, 4);
    int radars = 0, irs = 0;
    for (size_t i = 0; i < sc.n_sensors; i++) {
        const mwds_sensor *s = &sc.sensors[i].sensor;
        assert_int_equal(s->id, i);
        if (s->kind == MWDS_SENSOR_RADAR) {
            radars++;
            assert_near(s->pd, 0.9, 0.0, "radar pd");
            assert_true(s->false_alarms_per_scan >= 1.0 && s->false_alarms_per_scan <= 2.0);
        } else {
            irs++;
        }
    }
    assert_int_equal(radars, 3);
    assert_int_equal(irs, 1);
    /* one radar per nation */
    int seen[3] = {0, 0, 0};
    for (size_t i = 0; i < sc.n_sensors; i++)
        if (sc.sensors[i].sensor.kind == MWDS_SENSOR_RADAR)
            seen[sc.sensors[i].nation]++;
    assert_true(seen[0] == 1 && seen[1] == 1 && seen[2] == 1);

    assert_int_equal(sc.n_launches, 9);
    const mwds_missile_class *srbm = mwds_catalogue_find("srbm");
    for (size_t i = 0; i < 8; i++) {
        const mwds_launch_config *l = &sc.launches[i];
        assert_ptr_equal(l->cls, srbm);
        assert_int_equal(l->req.has_target, 1);
        assert_near(l->t_s, 20.0 + 5.0 * (double)i, 0.0, "salvo spacing 5 s");
        assert_true(l->req.launch_t_ns == start + (INT64_C(20) + 5 * (int64_t)i) * MWDS_NS_PER_S);
        assert_near(l->req.launch.lat_rad, 0.6806784082777885, TOL_RAD, "salvo site latitude");
        assert_near(l->req.launch.lon_rad, 2.193878869756872, TOL_RAD, "salvo site longitude");
        assert_near(l->req.apogee_m, 0.0, 0.0, "minimum energy");
    }
    assert_string_equal(sc.launches[7].id, "S8");
    assert_near(sc.launches[7].req.target.lat_rad, 0.6789330790257941, TOL_RAD, "S8 target lat");
    assert_near(sc.launches[7].req.target.lon_rad, 2.272418686096617, TOL_RAD, "S8 target lon");
    const mwds_launch_config *icbm = &sc.launches[8];
    assert_string_equal(icbm->id, "ICBM1");
    assert_ptr_equal(icbm->cls, mwds_catalogue_find("icbm-liquid-2"));
    assert_int_equal(icbm->req.has_target, 0);
    assert_near(icbm->req.azimuth_rad, 1.3962634015954636, TOL_RAD, "azimuth 80 deg");
    assert_near(icbm->req.range_m, 950e3, 0.0, "lofted range");
    assert_near(icbm->req.apogee_m, 4475e3, 0.0, "lofted apogee");
    assert_near(icbm->req.launch.lat_rad, 0.6841690667817772, TOL_RAD, "ICBM latitude");
    assert_near(icbm->req.launch.lon_rad, 2.197369528260861, TOL_RAD, "ICBM longitude");
    mwds_scenario_fini(&sc);
}

/* Defaults, a longitude past 180, exercise false, the largest seed, nulls
 * for optional keys. */
static void test_defaults_and_conversions(void **state)
{
    (void)state;
    mwds_scenario sc;
    load_ok("name: minimal\n"
            "start: 2026-11-23T09:00:00+09:00\n" /* the same instant as 00:00Z */
            "duration_s: 60.5\n"
            "exercise: false\n"
            "seed: 18446744073709551615\n"
            "description:\n"
            "nations: [{code: KOR}]\n"
            "sensors:\n"
            "launches:\n"
            "  - id: a.b-c_d\n"
            "    time_s: 60.5\n"
            "    class: SRBM\n"
            "    launch: {lat_deg: -90, lon_deg: 270, height_m: 12.5}\n"
            "    azimuth_deg: -90\n"
            "    range_km: 300\n"
            "    apogee_km: ~\n",
            &sc);
    assert_string_equal(sc.name, "minimal");
    assert_string_equal(sc.description, "");
    assert_int_equal(sc.exercise, 0);
    assert_true(sc.start_t_ns == START_2026_11_23_NS);
    assert_true(sc.seed == UINT64_MAX);
    assert_int_equal(sc.n_nations, 1);
    assert_string_equal(sc.nations[0].name, "KOR"); /* the code when no name is given */
    assert_int_equal(sc.n_sensors, 0);
    assert_null(sc.sensors);
    assert_int_equal(sc.n_launches, 1);
    const mwds_traj_request *req = &sc.launches[0].req;
    assert_ptr_equal(req->cls, mwds_catalogue_find("srbm")); /* case-insensitive */
    assert_near(req->launch.lat_rad, -1.5707963267948966, TOL_RAD, "south pole");
    assert_near(req->launch.lon_rad, -1.5707963267948966, TOL_RAD, "270 E is 90 W");
    assert_near(req->launch.h_m, 12.5, 0.0, "pad height");
    assert_near(req->azimuth_rad, 3.0 * MWDS_PI / 2.0, 1e-14, "-90 deg is 270 deg");
    assert_near(req->apogee_m, 0.0, 0.0, "null apogee: minimum energy");
    assert_true(req->launch_t_ns == START_2026_11_23_NS + INT64_C(60500000000));

    /* the default exercise flag and seed */
    mwds_scenario sc2;
    load_ok("name: d\nstart: 2026-11-23T00:00:00Z\nduration_s: 1\nnations: [{code: USA}]\n", &sc2);
    assert_int_equal(sc2.exercise, 1);
    assert_true(sc2.seed == 1);
    mwds_scenario_fini(&sc2);
    mwds_scenario_fini(&sc);
    mwds_scenario_fini(&sc); /* twice is harmless */
    mwds_scenario zero;
    memset(&zero, 0, sizeof zero);
    mwds_scenario_fini(&zero);
    mwds_scenario_fini(NULL);
    assert_int_equal(mwds_scenario_nation(NULL, "KOR"), -1);
}

static void test_base_is_valid(void **state)
{
    (void)state;
    mwds_scenario sc;
    load_ok(EDITED({0, NULL}), &sc);
    assert_int_equal(sc.n_sensors, 1);
    assert_int_equal(sc.n_launches, 1);
    assert_near(sc.sensors[0].sensor.radar.el_min_rad, 0.008726646259971648, TOL_RAD,
                "default el min 0.5 deg");
    assert_int_equal(mwds_sensor_dwell_count(&sc.sensors[0].sensor), 1);
    mwds_scenario_fini(&sc);
    load_ok(EDITED({18, "    sigma_el_deg: 0.05\n    dwells: 36"}), &sc);
    assert_int_equal(sc.sensors[0].sensor.dwells, 36);
    mwds_scenario_fini(&sc);
    /* no message buffer at all is allowed */
    assert_int_equal(mwds_scenario_parse("t.yaml", "x: [", 4, &sc, NULL, 0), MWDS_EPARSE);
}

/* ---- errors, one test per kind ------------------------------------------- */

static void test_err_yaml_syntax(void **state)
{
    (void)state;
    /* an unclosed flow mapping: libyaml's own line, column and problem */
    expect_error(EDITED({12, "    site: {lat_deg: 37.0, lon_deg: 127.5"}), MWDS_EPARSE,
                 "t.yaml:13:", "YAML syntax error: ", "flow mapping");
    /* a tab where indentation is expected */
    expect_error(EDITED({15, "\tpd: 0.9"}), MWDS_EPARSE,
                 "t.yaml:15:1: ", "YAML syntax error: ", "tab");
    /* bytes that are not UTF-8: a reader error, located by its offset */
    expect_error(EDITED({1, "name: \xff\xfe"}), MWDS_EPARSE,
                 "t.yaml:1:7: ", "YAML syntax error: ", "UTF-8");
    /* an undefined alias */
    expect_error(EDITED({15, "    pd: *nothing"}), MWDS_EPARSE,
                 "t.yaml:15:9: ", "YAML syntax error: ", "undefined alias");
}

static void test_err_document_shape(void **state)
{
    (void)state;
    expect_error("", MWDS_EPARSE, "t.yaml:1:1: ", "got an empty document", NULL);
    expect_error("# only a comment\n", MWDS_EPARSE, "t.yaml:1:1: ", "empty document", NULL);
    expect_error("- a\n- b\n", MWDS_EPARSE, "t.yaml:1:1: ", "expected a scenario", "a list");
    char two[4096];
    snprintf(two, sizeof two, "%s---\nname: again\n", EDITED({0, NULL}));
    expect_error(two, MWDS_EPARSE, "t.yaml:26:1: ", "found a second one", NULL);
}

static void test_err_unknown_key(void **state)
{
    (void)state;
    expect_error(EDITED({25, "    rnage_km: 4600"}), MWDS_EPARSE,
                 "t.yaml:25:5: launches[0]: ", "unknown key 'rnage_km'",
                 "did you mean 'range_km'?");
    expect_error(EDITED({3, "duration_s: 1800\nnmae: x"}), MWDS_EPARSE,
                 "t.yaml:4:1: ", "unknown key 'nmae' (did you mean 'name'?)", NULL);
    expect_error(EDITED({18, "    sigma_el_deg: 0.05\n    colour: red"}), MWDS_EPARSE,
                 "t.yaml:19:5: sensors[0]: ", "unknown key 'colour' (expected one of: id, ", NULL);
    expect_error(EDITED({12, "    site: {lat_deg: 37.0, lon_deg: 127.5, alt_m: 3}"}), MWDS_EPARSE,
                 "t.yaml:12:43: sensors[0].site: ", "unknown key 'alt_m'", NULL);
}

static void test_err_duplicate_key(void **state)
{
    (void)state;
    expect_error(EDITED({15, "    pd: 0.9\n    pd: 0.8"}), MWDS_EPARSE,
                 "t.yaml:16:5: sensors[0]: ", "duplicate key 'pd' (first at line 15)", NULL);
    expect_error(EDITED({1, "name: t\nname: u"}), MWDS_EPARSE,
                 "t.yaml:2:1: ", "duplicate key 'name' (first at line 1)", NULL);
}

static void test_err_missing_key(void **state)
{
    (void)state;
    /* reported at the mapping that lacks it: sensors[0] starts at line 9, column 5 */
    expect_error(EDITED({15, NULL}), MWDS_EPARSE,
                 "t.yaml:9:5: sensors[0]: ", "missing required key 'pd'", NULL);
    expect_error(EDITED({3, NULL}), MWDS_EPARSE,
                 "t.yaml:1:1: ", "missing required key 'duration_s'", NULL);
    expect_error(EDITED({23, "    launch: {lat_deg: 40.61}"}), MWDS_EPARSE,
                 "t.yaml:23:13: launches[0].launch: ", "missing required key 'lon_deg'", NULL);
    /* a required key given as null */
    expect_error(EDITED({15, "    pd:"}), MWDS_EPARSE,
                 "t.yaml:15:8: sensors[0].pd: ", "expected a number in [0, 1], got nothing", NULL);
    /* a key a radar needs */
    expect_error(EDITED({13, NULL}), MWDS_EPARSE,
                 "t.yaml:9:5: sensors[0]: ", "missing required key 'range_max_km' (for type radar)",
                 NULL);
    /* found by fuzzing: a radar's site present but null (its point commented out) was read
     * as a point */
    expect_error(EDITED({12, "    site: #{lat_deg: 37.0, lon_deg: 127.5}"}), MWDS_EPARSE,
                 "t.yaml:12:5: sensors[0].site: ", "expected a value (required for type radar)",
                 "got null");
}

static void test_err_wrong_type(void **state)
{
    (void)state;
    /* a number given a quoted string */
    expect_error(EDITED({15, "    pd: \"0.9\""}), MWDS_EPARSE, "t.yaml:15:9: sensors[0].pd: ",
                 "expected a number in [0, 1], got the quoted string \"0.9\"", NULL);
    /* a number given a word, a list, a mapping */
    expect_error(EDITED({3, "duration_s: long"}), MWDS_EPARSE,
                 "t.yaml:3:13: duration_s: ", "expected a number in (0, 86400], got 'long'", NULL);
    expect_error(
        EDITED({16, "    sigma_range_m: [50]"}), MWDS_EPARSE,
        "t.yaml:16:20: sensors[0].sigma_range_m: ", "expected a number > 0, got a list", NULL);
    expect_error(EDITED({8, "sensors: {id: R1}"}, {9, NULL}, {10, NULL}, {11, NULL}, {12, NULL},
                        {13, NULL}, {14, NULL}, {15, NULL}, {16, NULL}, {17, NULL}, {18, NULL}),
                 MWDS_EPARSE, "t.yaml:8:10: sensors: ", "expected a list of sensors, got a mapping",
                 NULL);
    expect_error(EDITED({1, "name: t\nexercise: yes"}), MWDS_EPARSE,
                 "t.yaml:2:11: exercise: ", "expected true or false, got 'yes'", NULL);
    expect_error(EDITED({1, "name: t\nseed: -1"}), MWDS_EPARSE,
                 "t.yaml:2:7: seed: ", "expected an unsigned integer, got -1", NULL);
    expect_error(EDITED({11, "    type: lidar"}), MWDS_EPARSE,
                 "t.yaml:11:11: sensors[0].type: ", "expected radar or space_ir, got 'lidar'",
                 NULL);
    expect_error(EDITED({2, "start: 23 Nov 2026"}), MWDS_EPARSE,
                 "t.yaml:2:8: start: ", "expected an ISO 8601 UTC time", NULL);
    /* a NUL byte in a double-quoted string */
    expect_error(EDITED({1, "name: \"a\\0b\""}), MWDS_EPARSE,
                 "t.yaml:1:7: name: ", "a string holding a NUL byte", NULL);
    /* a newline inside a value is escaped: the message stays one line */
    expect_error(EDITED({11, "    type: \"rad\\nar\""}), MWDS_EPARSE,
                 "t.yaml:11:11: sensors[0].type: ", "\"rad\\x0aar\"", NULL);
    /* a Unicode line separator in a one-line string */
    expect_error(EDITED({1, "name: \"a\\u2028b\""}), MWDS_EPARSE, "t.yaml:1:7: name: ",
                 "expected a one-line string, got the quoted string \"a\\xe2\\x80\\xa8b\"", NULL);
    expect_error(EDITED({9, "  - id: R 1"}), MWDS_EPARSE,
                 "t.yaml:9:9: sensors[0].id: ", "expected an id", NULL);
    expect_error(EDITED({5, "  - code: kor"}), MWDS_EPARSE,
                 "t.yaml:5:11: nations[0].code: ", "three upper-case letters", NULL);
}

static void test_err_trailing_garbage(void **state)
{
    (void)state;
    expect_error(EDITED({13, "    range_max_km: 12abc"}), MWDS_EPARSE,
                 "t.yaml:13:19: sensors[0].range_max_km: ", "expected a number > 0, got '12abc'",
                 NULL);
    expect_error(EDITED({21, "    time_s: 60s"}), MWDS_EPARSE,
                 "t.yaml:21:13: launches[0].time_s: ", "got '60s'", NULL);
    expect_error(EDITED({15, "    pd: 0x1"}), MWDS_EPARSE,
                 "t.yaml:15:9: sensors[0].pd: ", "got '0x1'", NULL);
    expect_error(EDITED({15, "    pd: .nan"}), MWDS_EPARSE,
                 "t.yaml:15:9: sensors[0].pd: ", "got '.nan'", NULL);
    expect_error(EDITED({1, "name: t\nseed: 42x"}), MWDS_EPARSE, "t.yaml:2:7: seed: ", "got '42x'",
                 NULL);
}

static void test_err_out_of_range(void **state)
{
    (void)state;
    expect_error(EDITED({15, "    pd: 1.5"}), MWDS_ERANGE,
                 "t.yaml:15:9: sensors[0].pd: ", "expected a number in [0, 1], got 1.5", NULL);
    expect_error(EDITED({12, "    site: {lat_deg: 95, lon_deg: 127.5}"}), MWDS_ERANGE,
                 "t.yaml:12:21: sensors[0].site.lat_deg: ",
                 "expected a latitude in [-90, 90], got 95", NULL);
    expect_error(EDITED({23, "    launch: {lat_deg: 40.61, lon_deg: 360}"}), MWDS_ERANGE,
                 "t.yaml:23:39: launches[0].launch.lon_deg: ",
                 "expected a longitude in [-180, 360), got 360", NULL);
    expect_error(EDITED({3, "duration_s: 0"}), MWDS_ERANGE,
                 "t.yaml:3:13: duration_s: ", "expected a number in (0, 86400], got 0", NULL);
    expect_error(EDITED({3, "duration_s: 86401"}), MWDS_ERANGE, "t.yaml:3:13: ", "got 86401", NULL);
    expect_error(EDITED({14, "    revisit_s: 1e999"}), MWDS_ERANGE,
                 "t.yaml:14:16: sensors[0].revisit_s: ", "got 1e999", NULL);
    expect_error(EDITED({18, "    sigma_el_deg: 0.05\n    el_min_deg: 10\n    el_max_deg: 10"}),
                 MWDS_ERANGE,
                 "t.yaml:20:17: sensors[0].el_max_deg: ", "expected el_min_deg < el_max_deg", NULL);
    expect_error(EDITED({13, "    range_max_km: 0.5"}), MWDS_ERANGE,
                 "t.yaml:13:19: sensors[0].range_max_km: ",
                 "expected more than range_min_km (1), got 0.5", NULL);
    expect_error(EDITED({18, "    sigma_el_deg: 0.05\n    dwells: 0"}), MWDS_ERANGE,
                 "t.yaml:19:13: sensors[0].dwells: ",
                 "expected a whole number of dwells in [1, 4096], got 0", NULL);
    expect_error(EDITED({18, "    sigma_el_deg: 0.05\n    dwells: 2.5"}), MWDS_EPARSE,
                 "t.yaml:19:13: sensors[0].dwells: ",
                 "expected a whole number of dwells in [1, 4096], got 2.5", NULL);
    expect_error(EDITED({18, "    sigma_el_deg: 0.05\n    az_half_width_deg: 0"}), MWDS_ERANGE,
                 "t.yaml:19:24: sensors[0].az_half_width_deg: ", "expected a number in (0, 180]",
                 NULL);
    expect_error(EDITED({1, "name: t\nseed: 18446744073709551616"}), MWDS_ERANGE,
                 "t.yaml:2:7: seed: ", "below 2^64", NULL);
    expect_error(EDITED({2, "start: 1500-01-01T00:00:00Z"}), MWDS_ERANGE,
                 "t.yaml:2:8: start: ", "expected a time between", NULL);
    /* a start so late that start + duration does not fit in int64_t nanoseconds */
    expect_error(EDITED({2, "start: 2262-04-11T23:40:00Z"}), MWDS_ERANGE,
                 "t.yaml:2:8: start: ", "ends after 2262-04-11", NULL);
    char name[80];
    memset(name, 'x', sizeof name);
    char line[128];
    snprintf(line, sizeof line, "name: %.*s", 64, name);
    expect_error(EDITED({1, line}), MWDS_ERANGE,
                 "t.yaml:1:7: name: ", "expected at most 63 bytes, got 64", NULL);
    expect_error(EDITED({9, "  - id: ABCDEFGHIJKLMNOPQRSTUVWXYZ012345"}), MWDS_ERANGE,
                 "t.yaml:9:9: sensors[0].id: ", "expected at most 31 bytes, got 32", NULL);
}

static void test_err_unknown_nation(void **state)
{
    (void)state;
    expect_error(EDITED({10, "    nation: CHN"}), MWDS_EPARSE, "t.yaml:10:13: sensors[0].nation: ",
                 "'CHN' is not one of the scenario's nations (KOR, USA, JPN)", NULL);
    expect_error(EDITED({7, "  - code: KOR"}), MWDS_EPARSE,
                 "t.yaml:7:11: nations[2].code: ", "duplicate nation 'KOR' (first at line 5)",
                 NULL);
}

static void test_err_duplicate_id(void **state)
{
    (void)state;
    char two[4096];
    snprintf(two, sizeof two,
             "%s"
             "  - id: L1\n" /* line 26 */
             "    time_s: 90\n"
             "    class: srbm\n"
             "    launch: {lat_deg: 40, lon_deg: 126}\n"
             "    target: {lat_deg: 40, lon_deg: 129}\n",
             EDITED({0, NULL}));
    expect_error(two, MWDS_EPARSE,
                 "t.yaml:26:9: launches[1].id: ", "duplicate id 'L1' (first at line 20)", NULL);
    /* sensors and launches share one namespace */
    expect_error(EDITED({20, "  - id: R1"}), MWDS_EPARSE,
                 "t.yaml:20:9: launches[0].id: ", "duplicate id 'R1' (first at line 9)", NULL);
}

static void test_err_unknown_class(void **state)
{
    (void)state;
    expect_error(EDITED({22, "    class: scud-z"}), MWDS_EPARSE,
                 "t.yaml:22:12: launches[0].class: ",
                 "unknown missile class 'scud-z' (known: srbm, mrbm, irbm, icbm-liquid-2, "
                 "icbm-solid-3)",
                 NULL);
}

static void test_err_launch_outside_duration(void **state)
{
    (void)state;
    expect_error(EDITED({21, "    time_s: 2000"}), MWDS_ERANGE,
                 "t.yaml:21:13: launches[0].time_s: ",
                 "2000 is outside the scenario's duration [0, 1800]", NULL);
    expect_error(EDITED({21, "    time_s: -1"}), MWDS_ERANGE,
                 "t.yaml:21:13: launches[0].time_s: ", "expected a number >= 0, got -1", NULL);
}

static void test_err_give_either(void **state)
{
    (void)state;
    /* launch: a target as well as azimuth and range */
    expect_error(EDITED({25, "    range_km: 4600\n    target: {lat_deg: 41, lon_deg: 140}"}),
                 MWDS_EPARSE, "t.yaml:24:5: launches[0]: ",
                 "give either target, or azimuth_deg and range_km, not both", NULL);
    /* launch: azimuth alone */
    expect_error(EDITED({25, NULL}), MWDS_EPARSE, "t.yaml:20:5: launches[0]: ",
                 "give either target, or azimuth_deg and range_km (range_km is missing)", NULL);
    /* radar given a space IR key */
    expect_error(EDITED({18, "    sigma_el_deg: 0.05\n    sat_lon_deg: 140"}), MWDS_EPARSE,
                 "t.yaml:19:5: sensors[0]: ", "give either radar keys",
                 "'sat_lon_deg' is not a radar key");
    /* space IR given a radar key */
    expect_error(EDITED({11, "    type: space_ir\n    sat_lon_deg: 140\n    sigma_los_urad: 20"}),
                 MWDS_EPARSE, "t.yaml:14:5: sensors[0]: ", "give either",
                 "'site' is not a space_ir key");
    expect_error(EDITED({11, "    type: space_ir\n    sat_lon_deg: 140\n    sigma_los_urad: 20\n"
                             "    dwells: 4"},
                        {12, NULL}, {13, NULL}, {16, NULL}, {17, NULL}, {18, NULL}),
                 MWDS_EPARSE, "t.yaml:", "give either", "'dwells' is not a space_ir key");
}

/* A scenario with n nations, sensors or launches, for the limits. */
static char *many(const char *what, size_t n)
{
    size_t cap = 256 + n * 200;
    char *t = malloc(cap);
    assert_non_null(t);
    size_t o = (size_t)snprintf(t, cap, "name: m\nstart: 2026-11-23T00:00:00Z\nduration_s: 10\n");
    if (strcmp(what, "nations") == 0) {
        o += (size_t)snprintf(t + o, cap - o, "nations:\n");
        for (size_t i = 0; i < n; i++)
            o += (size_t)snprintf(t + o, cap - o, "  - code: %c%c%c\n", (char)('A' + i / 676),
                                  (char)('A' + i / 26 % 26), (char)('A' + i % 26));
        return t;
    }
    o += (size_t)snprintf(t + o, cap - o, "nations: [{code: KOR}]\n%s:\n", what);
    for (size_t i = 0; i < n; i++) {
        if (strcmp(what, "sensors") == 0)
            o += (size_t)snprintf(t + o, cap - o,
                                  "  - {id: S%zu, nation: KOR, type: space_ir, sat_lon_deg: 130, "
                                  "sigma_los_urad: 20, revisit_s: 1, pd: 0.9}\n",
                                  i);
        else
            o += (size_t)snprintf(t + o, cap - o,
                                  "  - {id: L%zu, time_s: 1, class: srbm, launch: {lat_deg: 39, "
                                  "lon_deg: 125}, azimuth_deg: 90, range_km: 300}\n",
                                  i);
    }
    return t;
}

static void test_limits(void **state)
{
    (void)state;
    mwds_scenario sc;
    struct {
        const char *what;
        size_t max;
        const char *col;
    } lim[] = {{"nations", 16, "t.yaml:5:3: nations: "},
               {"sensors", 256, "t.yaml:6:3: sensors: "},
               {"launches", 4096, "t.yaml:6:3: launches: "}};
    for (size_t i = 0; i < 3; i++) {
        char *t = many(lim[i].what, lim[i].max);
        load_ok(t, &sc);
        mwds_scenario_fini(&sc);
        free(t);
        t = many(lim[i].what, lim[i].max + 1);
        char want[64];
        snprintf(want, sizeof want, "expected %s to %zu %s, got %zu", i == 0 ? "1" : "0",
                 lim[i].max, lim[i].what, lim[i].max + 1);
        expect_error(t, MWDS_ERANGE, lim[i].col, want, NULL);
        free(t);
    }
    expect_error(EDITED({4, "nations: []"}, {5, NULL}, {6, NULL}, {7, NULL}), MWDS_ERANGE,
                 "t.yaml:4:10: nations: ", "expected 1 to 16 nations, got 0", NULL);
}

/* The bounds that keep libyaml linear: nesting, nodes, anchors, aliases. */
static void test_err_yaml_limits(void **state)
{
    (void)state;
    size_t cap = 2u << 20;
    char *t = malloc(cap);
    assert_non_null(t);
    /* the root mapping and 32 nested flow sequences make 33 levels: the 32nd
     * sequence opens at column 35 */
    int o = snprintf(t, cap, "name: t\nx: ");
    for (int i = 0; i < 40; i++)
        t[o++] = '[';
    t[o++] = '\n';
    t[o] = '\0';
    expect_error(t, MWDS_ERANGE, "t.yaml:2:35: ", "nested more than 32 levels deep", NULL);
    /* 262,145 nodes: the root mapping, its key, its list and 262,142 items */
    o = snprintf(t, cap, "x: [");
    for (int i = 0; i < 262142; i++)
        o += snprintf(t + o, cap - (size_t)o, "1,");
    snprintf(t + o, cap - (size_t)o, "1]\n");
    expect_error(t, MWDS_ERANGE, "t.yaml:1:", "more than 262144 YAML nodes", NULL);
    /* 257 anchors */
    o = snprintf(t, cap, "x: [");
    for (int i = 0; i < 257; i++)
        o += snprintf(t + o, cap - (size_t)o, "&a%d 1, ", i);
    snprintf(t + o, cap - (size_t)o, "2]\n");
    expect_error(t, MWDS_ERANGE, "t.yaml:1:", "more than 256 YAML anchors", NULL);
    /* 65,537 aliases */
    o = snprintf(t, cap, "x: [&a 1");
    for (int i = 0; i < 65537; i++)
        o += snprintf(t + o, cap - (size_t)o, ", *a");
    snprintf(t + o, cap - (size_t)o, "]\n");
    expect_error(t, MWDS_ERANGE, "t.yaml:1:", "more than 65536 YAML aliases", NULL);
    free(t);
    /* aliases within the limits are followed: one site for two radars */
    mwds_scenario sc;
    load_ok("name: a\nstart: 2026-11-23T00:00:00Z\nduration_s: 10\nnations: [{code: KOR}]\n"
            "sensors:\n"
            "  - {id: A, nation: KOR, type: radar, site: &s {lat_deg: 37, lon_deg: 127.5},\n"
            "     range_max_km: 100, revisit_s: 1, pd: 1, sigma_range_m: 1, sigma_az_deg: 1,\n"
            "     sigma_el_deg: 1}\n"
            "  - {id: B, nation: KOR, type: radar, site: *s, range_max_km: 100, revisit_s: 1,\n"
            "     pd: 1, sigma_range_m: 1, sigma_az_deg: 1, sigma_el_deg: 1}\n",
            &sc);
    assert_int_equal(sc.n_sensors, 2);
    assert_near(sc.sensors[1].sensor.radar.site.lat_rad, 0.6457718232379019, TOL_RAD,
                "aliased site latitude");
    mwds_scenario_fini(&sc);
}

static void test_err_file(void **state)
{
    (void)state;
    mwds_scenario sc, before;
    memset(&sc, 0x5a, sizeof sc);
    memcpy(&before, &sc, sizeof sc);
    char err[512];
    /* cannot read: no line and column */
    const char *missing = "/nonexistent-mwds-dir/none.yaml";
    assert_int_equal(mwds_scenario_load(missing, &sc, err, sizeof err), MWDS_EIO);
    assert_memory_equal(&sc, &before, sizeof sc);
    assert_string_equal(err, "/nonexistent-mwds-dir/none.yaml: cannot open: No such file or "
                             "directory");
    assert_int_equal(mwds_scenario_load(MWDS_SOURCE_DIR "/scenarios", &sc, err, sizeof err),
                     MWDS_EIO);
    assert_non_null(strstr(err, ": cannot read: "));
    assert_memory_equal(&sc, &before, sizeof sc);

    /* a text over 16 MiB, as a buffer and as a (sparse) file */
    size_t big = ((size_t)16 << 20) + 1;
    char *text = calloc(big, 1);
    assert_non_null(text);
    expect_error_len(text, big, MWDS_ERANGE, "t.yaml: ", "more than the 16 MiB limit", NULL);
    free(text);
    char path[] = "/tmp/mwds-scenario-big-XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    assert_int_equal(ftruncate(fd, (off_t)big), 0);
    close(fd);
    assert_int_equal(mwds_scenario_load(path, &sc, err, sizeof err), MWDS_ERANGE);
    unlink(path);
    assert_non_null(strstr(err, "16 MiB"));
    assert_memory_equal(&sc, &before, sizeof sc);

    /* a file's errors carry its path */
    char path2[] = "/tmp/mwds-scenario-bad-XXXXXX";
    fd = mkstemp(path2);
    assert_true(fd >= 0);
    const char *bad = EDITED({15, "    pd: 1.5"});
    assert_true(write(fd, bad, strlen(bad)) == (ssize_t)strlen(bad));
    close(fd);
    assert_int_equal(mwds_scenario_load(path2, &sc, err, sizeof err), MWDS_ERANGE);
    unlink(path2);
    char want[128];
    snprintf(want, sizeof want, "%s:15:9: sensors[0].pd: ", path2);
    assert_true(strncmp(err, want, strlen(want)) == 0);
    assert_memory_equal(&sc, &before, sizeof sc);

    /* a short message buffer is cut, not overrun */
    char small[12];
    assert_int_equal(mwds_scenario_parse("t.yaml", "x: [", 4, &sc, small, sizeof small),
                     MWDS_EPARSE);
    assert_int_equal(strlen(small), sizeof small - 1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_irbm_over_japan),
        cmocka_unit_test(test_salvo),
        cmocka_unit_test(test_defaults_and_conversions),
        cmocka_unit_test(test_base_is_valid),
        cmocka_unit_test(test_err_yaml_syntax),
        cmocka_unit_test(test_err_document_shape),
        cmocka_unit_test(test_err_unknown_key),
        cmocka_unit_test(test_err_duplicate_key),
        cmocka_unit_test(test_err_missing_key),
        cmocka_unit_test(test_err_wrong_type),
        cmocka_unit_test(test_err_trailing_garbage),
        cmocka_unit_test(test_err_out_of_range),
        cmocka_unit_test(test_err_unknown_nation),
        cmocka_unit_test(test_err_duplicate_id),
        cmocka_unit_test(test_err_unknown_class),
        cmocka_unit_test(test_err_launch_outside_duration),
        cmocka_unit_test(test_err_give_either),
        cmocka_unit_test(test_limits),
        cmocka_unit_test(test_err_yaml_limits),
        cmocka_unit_test(test_err_file),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
