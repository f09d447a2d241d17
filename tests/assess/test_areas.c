/*
 * Areas: the GeoJSON loader's errors, and point and ellipse tests against
 * hand-made shapes (a square with a hole) and the real boundaries the build
 * converts from Natural Earth (capitals inside their countries, open sea in
 * none, Guam belonging to the United States).
 */
#include <stdlib.h>
#include <string.h>

#include "mwds/assess.h"
#include "test_util.h"

static mwds_lla deg(double lat, double lon)
{
    return (mwds_lla){lat * MWDS_DEG2RAD, lon * MWDS_DEG2RAD, 0.0};
}

static const char SQUARE[] =
    "{\"type\":\"FeatureCollection\",\"features\":[{\"type\":\"Feature\","
    "\"properties\":{\"code\":\"SQ\",\"nation\":\"KOR\",\"name\":\"square\"},"
    "\"geometry\":{\"type\":\"Polygon\",\"coordinates\":["
    "[[130,30],[132,30],[132,32],[130,32],[130,30]],"
    "[[130.5,30.5],[130.5,31.5],[131.5,31.5],[131.5,30.5],[130.5,30.5]]]}}]}";

static void test_square_with_hole(void **state)
{
    (void)state;
    mwds_areas a;
    char err[256] = "";
    assert_int_equal(mwds_areas_parse("sq", SQUARE, strlen(SQUARE), &a, err, sizeof err), MWDS_OK);
    assert_int_equal(a.n, 1);
    const mwds_area *sq = mwds_areas_find(&a, "SQ");
    assert_non_null(sq);
    assert_string_equal(sq->nation, "KOR");
    assert_true(mwds_area_contains(sq, deg(30.2, 130.2)));
    assert_false(mwds_area_contains(sq, deg(31.0, 131.0))); /* in the hole */
    assert_false(mwds_area_contains(sq, deg(33.0, 131.0)));
    /* an ellipse inside the hole touches nothing; one over the edge does */
    mwds_ellipse e;
    double cov[2][2] = {{1e8, 0}, {0, 1e8}}; /* 10 km sigma: 24.5 km at 95 % */
    assert_int_equal(mwds_ellipse_from_cov(deg(31.0, 131.0), cov, 0.95, &e), MWDS_OK);
    assert_false(mwds_area_intersects_ellipse(sq, &e));
    assert_int_equal(mwds_ellipse_from_cov(deg(31.0, 130.52), cov, 0.95, &e), MWDS_OK);
    assert_true(mwds_area_intersects_ellipse(sq, &e));
    /* a long thin ellipse crossing a corner with no vertex of either inside
     * the other */
    double thin[2][2] = {{4e10, 0}, {0, 1.0}};
    assert_int_equal(mwds_ellipse_from_cov(deg(32.01, 132.0), thin, 0.95, &e), MWDS_OK);
    assert_true(mwds_area_intersects_ellipse(sq, &e));
    mwds_areas_fini(&a);
}

static void expect_error(const char *text, const char *want)
{
    mwds_areas a = {NULL, 0};
    char err[256] = "";
    mwds_err e = mwds_areas_parse("bad.geojson", text, strlen(text), &a, err, sizeof err);
    if (e != MWDS_EPARSE || strstr(err, want) == NULL)
        fail_msg("parsing %s: got %d '%s', expected an error naming '%s'", text, e, err, want);
    assert_null(a.areas);
}

static void test_errors_name_the_field(void **state)
{
    (void)state;
    expect_error("{\"type\":\"FeatureCollection\"", "bad.geojson:1:");
    expect_error("{\"type\":\"Topology\"}", "expected a GeoJSON FeatureCollection");
    expect_error("{\"type\":\"FeatureCollection\",\"features\":[{\"type\":\"Feature\","
                 "\"properties\":{},\"geometry\":{}}]}",
                 "features[0].properties.code");
    expect_error("{\"type\":\"FeatureCollection\",\"features\":[{\"type\":\"Feature\","
                 "\"properties\":{\"code\":\"A\"},\"geometry\":{\"type\":\"Point\"}}]}",
                 "features[0].geometry: expected a Polygon");
    expect_error("{\"type\":\"FeatureCollection\",\"features\":[{\"type\":\"Feature\","
                 "\"properties\":{\"code\":\"A\"},\"geometry\":{\"type\":\"Polygon\","
                 "\"coordinates\":[[[0,0],[1,0],[1,1],[0,2]]]}}]}",
                 "features[0].geometry.coordinates[0]: expected a closed ring");
    expect_error("{\"type\":\"FeatureCollection\",\"features\":[{\"type\":\"Feature\","
                 "\"properties\":{\"code\":\"A\"},\"geometry\":{\"type\":\"Polygon\","
                 "\"coordinates\":[[[0,0],[1,0],[\"1\",1],[0,0]]]}}]}",
                 "features[0].geometry.coordinates[0][2]: expected [lon, lat]");
    expect_error("{\"type\":\"FeatureCollection\",\"features\":[{\"type\":\"Feature\","
                 "\"properties\":{\"code\":\"A\"},\"geometry\":{\"type\":\"Polygon\","
                 "\"coordinates\":[[[0,0],[190,0],[1,1],[0,0]]]}}]}",
                 "lon in [-180, 180]");
    char twice[1024];
    snprintf(twice, sizeof twice,
             "{\"type\":\"FeatureCollection\",\"features\":[%s,%s]}",
             "{\"type\":\"Feature\",\"properties\":{\"code\":\"A\"},\"geometry\":{\"type\":"
             "\"Polygon\",\"coordinates\":[[[0,0],[1,0],[1,1],[0,0]]]}}",
             "{\"type\":\"Feature\",\"properties\":{\"code\":\"A\"},\"geometry\":{\"type\":"
             "\"Polygon\",\"coordinates\":[[[0,0],[1,0],[1,1],[0,0]]]}}");
    expect_error(twice, "features[1].properties.code: 'A' is used twice");
    mwds_areas a;
    char err[256];
    assert_int_equal(mwds_areas_load("/nonexistent/areas.geojson", &a, err, sizeof err),
                     MWDS_EIO);
    assert_non_null(strstr(err, "/nonexistent/areas.geojson"));
}

static void test_natural_earth_region(void **state)
{
    (void)state;
    mwds_areas a;
    char err[256] = "";
    if (mwds_areas_load(MWDS_AREAS_FILE, &a, err, sizeof err) != MWDS_OK)
        fail_msg("%s", err);
    const struct {
        const char *where;
        double lat, lon;
        const char *code; /* NULL: no area */
    } pts[] = {
        {"Tokyo", 35.68, 139.69, "JPN"},       {"Sapporo", 43.06, 141.35, "JPN"},
        {"Seoul", 37.57, 126.98, "KOR"},       {"Busan", 35.18, 129.08, "KOR"},
        {"Pyongyang", 39.02, 125.75, "PRK"},   {"Hagatna", 13.48, 144.75, "GUM"},
        {"Anchorage", 61.22, -149.90, "USA"},  {"Honolulu", 21.31, -157.86, "USA"},
        {"Sea of Japan", 40.0, 134.0, NULL},   {"Korea Strait", 34.3, 128.8, NULL},
        {"Pacific east of Honshu", 39.0, 147.0, NULL},
    };
    for (size_t i = 0; i < sizeof pts / sizeof pts[0]; i++) {
        const char *found = NULL;
        for (size_t k = 0; k < a.n; k++)
            if (mwds_area_contains(&a.areas[k], deg(pts[i].lat, pts[i].lon))) {
                if (found != NULL)
                    fail_msg("%s is in %s and %s", pts[i].where, found, a.areas[k].code);
                found = a.areas[k].code;
            }
        if ((found == NULL) != (pts[i].code == NULL) ||
            (found != NULL && strcmp(found, pts[i].code) != 0))
            fail_msg("%s: in %s, expected %s", pts[i].where, found ? found : "no area",
                     pts[i].code ? pts[i].code : "no area");
    }
    assert_string_equal(mwds_areas_find(&a, "GUM")->nation, "USA");
    /* a 95 % ellipse of 50 km in the Korea Strait reaches Tsushima (Japan);
     * one of 10 km in the middle of the Sea of Japan reaches nothing */
    mwds_ellipse e;
    double big[2][2] = {{4.2e8, 0}, {0, 4.2e8}}, small[2][2] = {{1.7e7, 0}, {0, 1.7e7}};
    assert_int_equal(mwds_ellipse_from_cov(deg(34.0, 129.0), big, 0.95, &e), MWDS_OK);
    assert_true(mwds_area_intersects_ellipse(mwds_areas_find(&a, "JPN"), &e));
    assert_int_equal(mwds_ellipse_from_cov(deg(40.0, 134.0), small, 0.95, &e), MWDS_OK);
    for (size_t k = 0; k < a.n; k++)
        assert_false(mwds_area_intersects_ellipse(&a.areas[k], &e));
    mwds_areas_fini(&a);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_square_with_hole),
        cmocka_unit_test(test_errors_name_the_field),
        cmocka_unit_test(test_natural_earth_region),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
