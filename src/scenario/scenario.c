/*
 * Scenario files: YAML read with the shared loader (yaml_doc.h: bounded
 * parse, a line and column mark on every node, one-line messages), checked
 * against the schema described in docs/scenario.md, and converted to SI
 * units and radians.
 *
 * How it works: the whole text becomes one libyaml document; then code that
 * follows the schema (root, nations, sensors, launches, points) walks it to a
 * fixed depth. Everything is built in a private mwds_scenario that is copied
 * to the caller's only when every check has passed; on any error it is freed
 * instead, so the caller's struct is untouched.
 *
 * Errors: the first problem stops the load. Its message is one line,
 * "NAME:LINE:COLUMN: FIELD: what was expected, what was found", with 1-based
 * line and column of the offending node and FIELD a path such as
 * sensors[2].pd (no FIELD for the top-level mapping itself). Only an
 * unreadable or over-long file has no line and column ("NAME: ...").
 *
 * Return codes: MWDS_EIO (cannot read), MWDS_EPARSE (not YAML, or not the
 * schema: unknown or duplicate keys, wrong types, unknown references,
 * duplicate ids), MWDS_ERANGE (a value or a count outside its range, a
 * file over 16 MiB), MWDS_ENOMEM, MWDS_EINVAL (NULL arguments).
 *
 * Limits: 16 nations, 256 sensors, 4096 launches, 16 MiB of text; and, to
 * keep libyaml linear and its memory bounded, YAML nesting 32 levels deep,
 * 262,144 nodes, 256 anchors, 65,536 aliases (a real scenario nests 4
 * levels and has some 140,000 nodes at the most, with 4096 launches).
 * Cost: linear in the text: two passes of libyaml, ids checked through a
 * hash table, each mapping's keys through its fixed key table.
 * Thread rules: reentrant, no global state.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mwds/scenario.h"
#include "mwds/yaml_doc.h"

#define MAX_NATIONS 16
#define MAX_SENSORS 256
#define MAX_LAUNCHES 4096
#define MAX_DURATION_S 86400.0
#define GEO_HEIGHT_M 35786.0e3 /* geostationary height above the equator */

static const mwds_yaml_limits LIMITS = {
    .what = "scenario",
    .max_bytes = (size_t)16 << 20,
    .max_depth = 32,
    .needed_depth = 4,
    .max_nodes = 262144,
    .max_anchors = 256,
    .max_aliases = 65536,
};

/* ---- the loader's state ---------------------------------------------------- */

typedef struct id_slot {
    const char *id; /* NULL: empty slot */
    size_t line;    /* 1-based, for "first at line N" */
} id_slot;

typedef struct loader {
    mwds_yaml_doc y;                 /* the document and the caller's message buffer */
    mwds_scenario sc;                /* built here, copied out on success */
    id_slot *ids;                    /* sensor and launch ids: one namespace */
    size_t ids_cap;                  /* power of two */
    size_t nation_line[MAX_NATIONS]; /* line of each nation's code */
} loader;

/* ---- value ranges ---------------------------------------------------------- */

static const mwds_yaml_span SPAN_LAT = {"a latitude", -90.0, 90.0, 0};
static const mwds_yaml_span SPAN_LON = {"a longitude", -180.0, 360.0, MWDS_YAML_OPEN_HI};
static const mwds_yaml_span SPAN_HEIGHT = {"a height", -500.0, 10000.0, 0};
static const mwds_yaml_span SPAN_AZ = {"an azimuth", -180.0, 360.0, MWDS_YAML_OPEN_HI};
static const mwds_yaml_span SPAN_HALF_WIDTH = {"a number", 0.0, 180.0, MWDS_YAML_OPEN_LO};
static const mwds_yaml_span SPAN_EL = {"an elevation", -5.0, 90.0, MWDS_YAML_OPEN_HI};
static const mwds_yaml_span SPAN_EL_MAX = {"an elevation", -5.0, 90.0, MWDS_YAML_OPEN_LO};
static const mwds_yaml_span SPAN_POS = {"a number", 0.0, 0.0, MWDS_YAML_OPEN_LO | MWDS_YAML_NO_HI};
static const mwds_yaml_span SPAN_NONNEG = {"a number", 0.0, 0.0, MWDS_YAML_NO_HI};
static const mwds_yaml_span SPAN_PROB = {"a number", 0.0, 1.0, 0};
static const mwds_yaml_span SPAN_REVISIT = {"a number", 0.0, 3600.0, MWDS_YAML_OPEN_LO};
static const mwds_yaml_span SPAN_FALSE_ALARMS = {"a number", 0.0, 1000.0, 0};
static const mwds_yaml_span SPAN_DWELLS = {"a whole number of dwells", 1.0, MWDS_SENSOR_MAX_DWELLS, 0};
static const mwds_yaml_span SPAN_DURATION = {"a number", 0.0, MAX_DURATION_S, MWDS_YAML_OPEN_LO};
static const mwds_yaml_span SPAN_RANGE = {"a number", 0.0, 20000.0, MWDS_YAML_OPEN_LO};
static const mwds_yaml_span SPAN_APOGEE = {"a number", 0.0, 10000.0, MWDS_YAML_OPEN_LO};

/* {lat_deg, lon_deg[, height_m]} to radians and metres; longitude wrapped
 * to (-pi, pi]. */
static mwds_err get_point(loader *ld, const yaml_node_t *v, const char *field, mwds_lla *out)
{
    static const mwds_yaml_key keys[] = {{"lat_deg", 1}, {"lon_deg", 1}, {"height_m", 0}};
    const yaml_node_t *val[3], *kn[3];
    mwds_err rc =
        mwds_yaml_map(&ld->y, v, field, "a point {lat_deg, lon_deg, height_m}", keys, 3, val, kn);
    double lat = 0.0, lon = 0.0, h = 0.0;
    if (rc == MWDS_OK)
        rc = mwds_yaml_num(&ld->y, val[0], mwds_yaml_path_key(field, "lat_deg").s, &SPAN_LAT, &lat);
    if (rc == MWDS_OK)
        rc = mwds_yaml_num(&ld->y, val[1], mwds_yaml_path_key(field, "lon_deg").s, &SPAN_LON, &lon);
    if (rc == MWDS_OK)
        rc = mwds_yaml_num(&ld->y, val[2], mwds_yaml_path_key(field, "height_m").s, &SPAN_HEIGHT,
                           &h);
    if (rc != MWDS_OK)
        return rc;
    out->lat_rad = lat * MWDS_DEG2RAD;
    out->lon_rad = mwds_geo_wrap_pi(lon * MWDS_DEG2RAD);
    out->h_m = h;
    return MWDS_OK;
}

/* ---- ids ------------------------------------------------------------------- */

static size_t id_hash(const char *s)
{
    uint64_t h = UINT64_C(1469598103934665603); /* FNV-1a */
    for (; *s != '\0'; s++)
        h = (h ^ (unsigned char)*s) * UINT64_C(1099511628211);
    return (size_t)h;
}

/* Records id (which must stay valid: it lives in the scenario's arrays);
 * a second use is an error at the node. */
static mwds_err id_claim(loader *ld, const yaml_node_t *v, const char *field, const char *id)
{
    size_t mask = ld->ids_cap - 1;
    for (size_t i = id_hash(id) & mask;; i = (i + 1) & mask) {
        id_slot *s = &ld->ids[i];
        if (s->id == NULL) {
            s->id = id;
            s->line = v->start_mark.line + 1;
            return MWDS_OK;
        }
        if (strcmp(s->id, id) == 0)
            return mwds_yaml_fail(&ld->y, v, MWDS_EPARSE, field,
                                  "duplicate id '%s' (first at line %zu)", id, s->line);
    }
}

/* ---- sections -------------------------------------------------------------- */

static mwds_err load_nation(loader *ld, const yaml_node_t *v, const char *field, size_t idx)
{
    static const mwds_yaml_key keys[] = {{"code", 1}, {"name", 0}};
    const yaml_node_t *val[2], *kn[2];
    mwds_nation *nat = &ld->sc.nations[idx];
    mwds_err rc = mwds_yaml_map(&ld->y, v, field, "a nation {code, name}", keys, 2, val, kn);
    if (rc == MWDS_OK)
        rc = mwds_yaml_str(&ld->y, val[0], mwds_yaml_path_key(field, "code").s, MWDS_YAML_CODE,
                           nat->code, sizeof nat->code);
    if (rc != MWDS_OK)
        return rc;
    for (size_t j = 0; j < idx; j++)
        if (strcmp(ld->sc.nations[j].code, nat->code) == 0)
            return mwds_yaml_fail(&ld->y, val[0], MWDS_EPARSE, mwds_yaml_path_key(field, "code").s,
                                  "duplicate nation '%s' (first at line %zu)", nat->code,
                                  ld->nation_line[j]);
    ld->nation_line[idx] = val[0]->start_mark.line + 1;
    memcpy(nat->name, nat->code, sizeof nat->code);
    return mwds_yaml_str(&ld->y, val[1], mwds_yaml_path_key(field, "name").s, MWDS_YAML_LINE,
                         nat->name, sizeof nat->name);
}

/* Keys of a sensor; the first six are common, then radar, then space IR. */
enum {
    SK_ID,
    SK_NATION,
    SK_TYPE,
    SK_REVISIT,
    SK_PD,
    SK_FA,
    SK_SITE,
    SK_BORESIGHT,
    SK_HALF_WIDTH,
    SK_EL_MIN,
    SK_EL_MAX,
    SK_RANGE_MIN,
    SK_RANGE_MAX,
    SK_SIG_RANGE,
    SK_SIG_AZ,
    SK_SIG_EL,
    SK_SIG_RR,
    SK_DWELLS,
    SK_SAT_LON,
    SK_SIG_LOS,
    SK_COUNT,
    SK_FIRST_RADAR = SK_SITE,
    SK_FIRST_IR = SK_SAT_LON
};

static const mwds_yaml_key SENSOR_KEYS[SK_COUNT] = {
    [SK_ID] = {"id", 1},
    [SK_NATION] = {"nation", 1},
    [SK_TYPE] = {"type", 1},
    [SK_REVISIT] = {"revisit_s", 1},
    [SK_PD] = {"pd", 1},
    [SK_FA] = {"false_alarms_per_scan", 0},
    [SK_SITE] = {"site", 0},
    [SK_BORESIGHT] = {"boresight_az_deg", 0},
    [SK_HALF_WIDTH] = {"az_half_width_deg", 0},
    [SK_EL_MIN] = {"el_min_deg", 0},
    [SK_EL_MAX] = {"el_max_deg", 0},
    [SK_RANGE_MIN] = {"range_min_km", 0},
    [SK_RANGE_MAX] = {"range_max_km", 0},
    [SK_SIG_RANGE] = {"sigma_range_m", 0},
    [SK_SIG_AZ] = {"sigma_az_deg", 0},
    [SK_SIG_EL] = {"sigma_el_deg", 0},
    [SK_SIG_RR] = {"sigma_range_rate_m_s", 0},
    [SK_DWELLS] = {"dwells", 0},
    [SK_SAT_LON] = {"sat_lon_deg", 0},
    [SK_SIG_LOS] = {"sigma_los_urad", 0},
};

static const int RADAR_REQUIRED[] = {SK_SITE, SK_RANGE_MAX, SK_SIG_RANGE, SK_SIG_AZ, SK_SIG_EL};
static const int IR_REQUIRED[] = {SK_SAT_LON, SK_SIG_LOS};

static mwds_err nation_ref(loader *ld, const yaml_node_t *v, const char *field, uint32_t *out)
{
    const char *code = mwds_yaml_text(v);
    if (code != NULL) {
        for (size_t i = 0; i < ld->sc.n_nations; i++) {
            if (strcmp(ld->sc.nations[i].code, code) == 0) {
                *out = (uint32_t)i;
                return MWDS_OK;
            }
        }
    }
    char list[MAX_NATIONS * 5 + 1];
    size_t o = 0;
    list[0] = '\0';
    for (size_t i = 0; i < ld->sc.n_nations; i++)
        o += (size_t)snprintf(list + o, sizeof list - o, "%s%s", i ? ", " : "",
                              ld->sc.nations[i].code);
    if (code == NULL)
        return mwds_yaml_fail(&ld->y, v, MWDS_EPARSE, field,
                              "expected a nation code (one of %s), got %s", list,
                              mwds_yaml_describe(v).s);
    return mwds_yaml_fail(&ld->y, v, MWDS_EPARSE, field,
                          "'%s' is not one of the scenario's nations (%s)",
                          mwds_yaml_escape(code).s, list);
}

/* A key given to the wrong kind of sensor, or one missing for its kind. */
static mwds_err sensor_kind_keys(loader *ld, const yaml_node_t *map, const char *field,
                                 int is_radar, const yaml_node_t **val, const yaml_node_t **kn)
{
    int lo = is_radar ? SK_FIRST_IR : SK_FIRST_RADAR;
    int hi = is_radar ? SK_COUNT : SK_FIRST_IR;
    for (int i = lo; i < hi; i++)
        if (kn[i] != NULL)
            return mwds_yaml_fail(
                &ld->y, kn[i], MWDS_EPARSE, field,
                "give either radar keys (type: radar; site, range_max_km, sigma_*) or "
                "space IR keys (type: space_ir; sat_lon_deg, sigma_los_urad): '%s' is "
                "not a %s key",
                SENSOR_KEYS[i].key, is_radar ? "radar" : "space_ir");
    const int *req = is_radar ? RADAR_REQUIRED : IR_REQUIRED;
    size_t nreq = is_radar ? sizeof RADAR_REQUIRED / sizeof RADAR_REQUIRED[0]
                           : sizeof IR_REQUIRED / sizeof IR_REQUIRED[0];
    for (size_t i = 0; i < nreq; i++) {
        if (kn[req[i]] == NULL)
            return mwds_yaml_fail(&ld->y, map, MWDS_EPARSE, field,
                                  "missing required key '%s' (for type %s)",
                                  SENSOR_KEYS[req[i]].key, is_radar ? "radar" : "space_ir");
        /* present but null (for example "site:" followed by a comment) */
        if (val[req[i]] == NULL)
            return mwds_yaml_fail(&ld->y, kn[req[i]], MWDS_EPARSE,
                                  mwds_yaml_path_key(field, SENSOR_KEYS[req[i]].key).s,
                                  "expected a value (required for type %s), got null",
                                  is_radar ? "radar" : "space_ir");
    }
    return MWDS_OK;
}

static mwds_err load_radar(loader *ld, const char *field, const yaml_node_t **val,
                           mwds_radar_params *r)
{
    double boresight = 0.0, half_width = 180.0, el_min = 0.5, el_max = 90.0;
    double rmin = 1.0, rmax = 0.0, sr = 0.0, saz = 0.0, sel = 0.0, srr = 0.0;
    const struct {
        int key;
        const mwds_yaml_span *sp;
        double *dst; /* keeps its default when the key is absent */
    } nums[] = {
        {SK_BORESIGHT, &SPAN_AZ, &boresight}, {SK_HALF_WIDTH, &SPAN_HALF_WIDTH, &half_width},
        {SK_EL_MIN, &SPAN_EL, &el_min},       {SK_EL_MAX, &SPAN_EL_MAX, &el_max},
        {SK_RANGE_MIN, &SPAN_NONNEG, &rmin},  {SK_RANGE_MAX, &SPAN_POS, &rmax},
        {SK_SIG_RANGE, &SPAN_POS, &sr},       {SK_SIG_AZ, &SPAN_POS, &saz},
        {SK_SIG_EL, &SPAN_POS, &sel},         {SK_SIG_RR, &SPAN_POS, &srr},
    };
    mwds_err rc = get_point(ld, val[SK_SITE], mwds_yaml_path_key(field, "site").s, &r->site);
    for (size_t i = 0; i < sizeof nums / sizeof nums[0] && rc == MWDS_OK; i++)
        rc = mwds_yaml_num(&ld->y, val[nums[i].key],
                           mwds_yaml_path_key(field, SENSOR_KEYS[nums[i].key].key).s, nums[i].sp,
                           nums[i].dst);
    if (rc != MWDS_OK)
        return rc;
    if (!(el_max > el_min)) {
        int k = val[SK_EL_MAX] != NULL ? SK_EL_MAX : SK_EL_MIN;
        return mwds_yaml_fail(&ld->y, val[k], MWDS_ERANGE,
                              mwds_yaml_path_key(field, SENSOR_KEYS[k].key).s,
                              "expected el_min_deg < el_max_deg, got %g and %g", el_min, el_max);
    }
    if (!(rmax > rmin))
        return mwds_yaml_fail(&ld->y, val[SK_RANGE_MAX], MWDS_ERANGE,
                              mwds_yaml_path_key(field, "range_max_km").s,
                              "expected more than range_min_km (%g), got %s", rmin,
                              mwds_yaml_describe(val[SK_RANGE_MAX]).s);
    r->boresight_az_rad = mwds_geo_wrap_2pi(boresight * MWDS_DEG2RAD);
    r->az_half_width_rad = half_width * MWDS_DEG2RAD;
    r->el_min_rad = el_min * MWDS_DEG2RAD;
    r->el_max_rad = el_max * MWDS_DEG2RAD;
    r->range_min_m = rmin * 1000.0;
    r->range_max_m = rmax * 1000.0;
    r->sigma_range_m = sr;
    r->sigma_az_rad = saz * MWDS_DEG2RAD;
    r->sigma_el_rad = sel * MWDS_DEG2RAD;
    r->sigma_rr_m_s = srr;
    return MWDS_OK;
}

/* Reads the id of the entry at field (sensor or launch): a non-empty
 * string, unique among all sensor and launch ids. */
static mwds_err load_id(loader *ld, const yaml_node_t *node, const char *field, char *id,
                        size_t len)
{
    mwds_yaml_path where = mwds_yaml_path_key(field, "id");
    mwds_err rc = mwds_yaml_str(&ld->y, node, where.s, MWDS_YAML_ID, id, len);
    if (rc == MWDS_OK && id[0] == '\0')
        rc = mwds_yaml_fail(&ld->y, node, MWDS_EPARSE, where.s, "expected a non-empty id, got %s",
                            mwds_yaml_describe(node).s);
    if (rc == MWDS_OK)
        rc = id_claim(ld, node, where.s, id);
    return rc;
}

static mwds_err load_sensor(loader *ld, const yaml_node_t *map, const char *field, size_t idx)
{
    const yaml_node_t *val[SK_COUNT], *kn[SK_COUNT];
    mwds_sensor_config *c = &ld->sc.sensors[idx];
    mwds_sensor *s = &c->sensor;
    mwds_err rc =
        mwds_yaml_map(&ld->y, map, field, "a sensor (a mapping with id, nation, type, ...)",
                      SENSOR_KEYS, SK_COUNT, val, kn);
    if (rc == MWDS_OK)
        rc = load_id(ld, val[SK_ID], field, c->id, sizeof c->id);
    if (rc == MWDS_OK)
        rc = nation_ref(ld, val[SK_NATION], mwds_yaml_path_key(field, "nation").s, &c->nation);
    if (rc != MWDS_OK)
        return rc;
    const char *type = mwds_yaml_text(val[SK_TYPE]);
    int is_radar = type != NULL && strcmp(type, "radar") == 0;
    if (!is_radar && (type == NULL || strcmp(type, "space_ir") != 0))
        return mwds_yaml_fail(
            &ld->y, val[SK_TYPE], MWDS_EPARSE, mwds_yaml_path_key(field, "type").s,
            "expected radar or space_ir, got %s", mwds_yaml_describe(val[SK_TYPE]).s);
    rc = sensor_kind_keys(ld, map, field, is_radar, val, kn);
    if (rc != MWDS_OK)
        return rc;

    s->kind = is_radar ? MWDS_SENSOR_RADAR : MWDS_SENSOR_SPACE_IR;
    s->id = (uint32_t)idx;
    s->false_alarms_per_scan = 0.0;
    rc = mwds_yaml_num(&ld->y, val[SK_REVISIT], mwds_yaml_path_key(field, "revisit_s").s,
                       &SPAN_REVISIT, &s->revisit_s);
    if (rc == MWDS_OK)
        rc = mwds_yaml_num(&ld->y, val[SK_PD], mwds_yaml_path_key(field, "pd").s, &SPAN_PROB,
                           &s->pd);
    if (rc == MWDS_OK)
        rc = mwds_yaml_num(&ld->y, val[SK_FA], mwds_yaml_path_key(field, "false_alarms_per_scan").s,
                           &SPAN_FALSE_ALARMS, &s->false_alarms_per_scan);
    if (rc != MWDS_OK)
        return rc;
    if (is_radar) {
        rc = load_radar(ld, field, val, &s->radar);
        s->dwells = 1;
        if (rc == MWDS_OK)
            rc = mwds_yaml_int(&ld->y, val[SK_DWELLS], mwds_yaml_path_key(field, "dwells").s,
                               &SPAN_DWELLS, &s->dwells);
    } else {
        double lon = 0.0, sigma_urad = 0.0;
        rc = mwds_yaml_num(&ld->y, val[SK_SAT_LON], mwds_yaml_path_key(field, "sat_lon_deg").s,
                           &SPAN_LON, &lon);
        if (rc == MWDS_OK)
            rc = mwds_yaml_num(&ld->y, val[SK_SIG_LOS],
                               mwds_yaml_path_key(field, "sigma_los_urad").s, &SPAN_POS,
                               &sigma_urad);
        s->ir.sat.lat_rad = 0.0;
        s->ir.sat.lon_rad = mwds_geo_wrap_pi(lon * MWDS_DEG2RAD);
        s->ir.sat.h_m = GEO_HEIGHT_M;
        s->ir.sigma_los_rad = sigma_urad * 1e-6;
    }
    if (rc != MWDS_OK)
        return rc;
    rc = mwds_sensor_init(s);
    if (rc != MWDS_OK)
        return mwds_yaml_fail(&ld->y, map, MWDS_ERANGE, field,
                              "sensor '%s' rejected by the sensor model: %s", c->id,
                              mwds_strerror(rc));
    return MWDS_OK;
}

enum { LK_ID, LK_TIME, LK_CLASS, LK_LAUNCH, LK_AZ, LK_RANGE, LK_TARGET, LK_APOGEE, LK_COUNT };

static const mwds_yaml_key LAUNCH_KEYS[LK_COUNT] = {
    [LK_ID] = {"id", 1},         [LK_TIME] = {"time_s", 1},      [LK_CLASS] = {"class", 1},
    [LK_LAUNCH] = {"launch", 1}, [LK_AZ] = {"azimuth_deg", 0},   [LK_RANGE] = {"range_km", 0},
    [LK_TARGET] = {"target", 0}, [LK_APOGEE] = {"apogee_km", 0},
};

static mwds_err unknown_class(loader *ld, const yaml_node_t *v, const char *field)
{
    size_t n = 0;
    const mwds_missile_class *cat = mwds_catalogue(&n);
    char list[400];
    size_t o = 0;
    list[0] = '\0';
    for (size_t i = 0; i < n && o < sizeof list; i++)
        o += (size_t)snprintf(list + o, sizeof list - o, "%s%s", i ? ", " : "", cat[i].name);
    const char *name = mwds_yaml_text(v);
    if (name == NULL)
        return mwds_yaml_fail(&ld->y, v, MWDS_EPARSE, field,
                              "expected a missile class (one of %s), got %s", list,
                              mwds_yaml_describe(v).s);
    return mwds_yaml_fail(&ld->y, v, MWDS_EPARSE, field, "unknown missile class '%s' (known: %s)",
                          mwds_yaml_escape(name).s, list);
}

static mwds_err load_launch(loader *ld, const yaml_node_t *map, const char *field, size_t idx)
{
    const yaml_node_t *val[LK_COUNT], *kn[LK_COUNT];
    mwds_launch_config *l = &ld->sc.launches[idx];
    mwds_traj_request *req = &l->req;
    mwds_err rc =
        mwds_yaml_map(&ld->y, map, field, "a launch (a mapping with id, time_s, class, ...)",
                      LAUNCH_KEYS, LK_COUNT, val, kn);
    if (rc == MWDS_OK)
        rc = load_id(ld, val[LK_ID], field, l->id, sizeof l->id);
    if (rc != MWDS_OK)
        return rc;

    /* time_s: first a number at all, then inside the scenario */
    static const mwds_yaml_span any_time = {"a number", 0.0, 0.0, MWDS_YAML_NO_HI};
    rc = mwds_yaml_num(&ld->y, val[LK_TIME], mwds_yaml_path_key(field, "time_s").s, &any_time,
                       &l->t_s);
    if (rc != MWDS_OK)
        return rc;
    if (l->t_s > ld->sc.duration_s)
        return mwds_yaml_fail(&ld->y, val[LK_TIME], MWDS_ERANGE,
                              mwds_yaml_path_key(field, "time_s").s,
                              "%s is outside the scenario's duration [0, %g]",
                              mwds_yaml_describe(val[LK_TIME]).s, ld->sc.duration_s);

    const char *cname = mwds_yaml_text(val[LK_CLASS]);
    l->cls = cname != NULL ? mwds_catalogue_find(cname) : NULL;
    if (l->cls == NULL)
        return unknown_class(ld, val[LK_CLASS], mwds_yaml_path_key(field, "class").s);
    rc = get_point(ld, val[LK_LAUNCH], mwds_yaml_path_key(field, "launch").s, &req->launch);
    if (rc != MWDS_OK)
        return rc;

    int has_az = val[LK_AZ] != NULL, has_range = val[LK_RANGE] != NULL;
    req->has_target = val[LK_TARGET] != NULL;
    if (req->has_target && (has_az || has_range))
        return mwds_yaml_fail(&ld->y, kn[has_az ? LK_AZ : LK_RANGE], MWDS_EPARSE, field,
                              "give either target, or azimuth_deg and range_km, not both");
    if (!req->has_target && !(has_az && has_range))
        return mwds_yaml_fail(&ld->y, map, MWDS_EPARSE, field,
                              "give either target, or azimuth_deg and range_km (%s)",
                              has_az      ? "range_km is missing"
                              : has_range ? "azimuth_deg is missing"
                                          : "none is given");
    if (req->has_target) {
        rc = get_point(ld, val[LK_TARGET], mwds_yaml_path_key(field, "target").s, &req->target);
    } else {
        double az = 0.0, range_km = 0.0;
        rc = mwds_yaml_num(&ld->y, val[LK_AZ], mwds_yaml_path_key(field, "azimuth_deg").s, &SPAN_AZ,
                           &az);
        if (rc == MWDS_OK)
            rc = mwds_yaml_num(&ld->y, val[LK_RANGE], mwds_yaml_path_key(field, "range_km").s,
                               &SPAN_RANGE, &range_km);
        req->azimuth_rad = mwds_geo_wrap_2pi(az * MWDS_DEG2RAD);
        req->range_m = range_km * 1000.0;
    }
    double apogee_km = 0.0;
    if (rc == MWDS_OK)
        rc = mwds_yaml_num(&ld->y, val[LK_APOGEE], mwds_yaml_path_key(field, "apogee_km").s,
                           &SPAN_APOGEE, &apogee_km);
    if (rc != MWDS_OK)
        return rc;
    req->cls = l->cls;
    req->apogee_m = apogee_km * 1000.0;
    req->force_flags = 0;
    /* no overflow: start + duration was checked to fit */
    req->launch_t_ns = ld->sc.start_t_ns + mwds_time_from_s(l->t_s);
    return MWDS_OK;
}

enum {
    RK_NAME,
    RK_DESC,
    RK_EXERCISE,
    RK_START,
    RK_DURATION,
    RK_SEED,
    RK_NATIONS,
    RK_SENSORS,
    RK_LAUNCHES,
    RK_COUNT
};

static const mwds_yaml_key ROOT_KEYS[RK_COUNT] = {
    [RK_NAME] = {"name", 1},           [RK_DESC] = {"description", 0},
    [RK_EXERCISE] = {"exercise", 0},   [RK_START] = {"start", 1},
    [RK_DURATION] = {"duration_s", 1}, [RK_SEED] = {"seed", 0},
    [RK_NATIONS] = {"nations", 1},     [RK_SENSORS] = {"sensors", 0},
    [RK_LAUNCHES] = {"launches", 0},
};

static mwds_err load_start(loader *ld, const yaml_node_t *v)
{
    const char *s = mwds_yaml_text(v);
    int64_t t = 0;
    mwds_err rc = s != NULL ? mwds_time_parse_iso8601(s, &t) : MWDS_EPARSE;
    if (rc == MWDS_ERANGE)
        return mwds_yaml_fail(&ld->y, v, MWDS_ERANGE, "start",
                              "expected a time between 1677-09-22 and 2262-04-10, got %s",
                              mwds_yaml_describe(v).s);
    if (rc != MWDS_OK)
        return mwds_yaml_fail(&ld->y, v, MWDS_EPARSE, "start",
                              "expected an ISO 8601 UTC time such as 2026-11-23T00:00:00Z, got %s",
                              mwds_yaml_describe(v).s);
    ld->sc.start_t_ns = t;
    return MWDS_OK;
}

static mwds_err load_root(loader *ld)
{
    const yaml_node_t *root = mwds_yaml_root(&ld->y);
    if (root == NULL)
        return mwds_yaml_fail_at(&ld->y, 1, 1, MWDS_EPARSE, "",
                                 "expected a scenario (a mapping with name, start, duration_s and "
                                 "nations), got an empty document");
    const yaml_node_t *val[RK_COUNT], *kn[RK_COUNT];
    mwds_scenario *sc = &ld->sc;
    mwds_err rc = mwds_yaml_map(&ld->y, root, "",
                                "a scenario (a mapping with name, start, duration_s and nations)",
                                ROOT_KEYS, RK_COUNT, val, kn);
    if (rc != MWDS_OK)
        return rc;
    sc->exercise = 1;
    sc->seed = 1;
    rc = mwds_yaml_str(&ld->y, val[RK_NAME], "name", MWDS_YAML_LINE, sc->name, sizeof sc->name);
    if (rc == MWDS_OK && sc->name[0] == '\0')
        rc =
            mwds_yaml_fail(&ld->y, val[RK_NAME], MWDS_EPARSE, "name",
                           "expected a non-empty name, got %s", mwds_yaml_describe(val[RK_NAME]).s);
    if (rc == MWDS_OK)
        rc = mwds_yaml_str(&ld->y, val[RK_DESC], "description", MWDS_YAML_BLOCK, sc->description,
                           sizeof sc->description);
    if (rc == MWDS_OK)
        rc = mwds_yaml_bool(&ld->y, val[RK_EXERCISE], "exercise", &sc->exercise);
    if (rc == MWDS_OK)
        rc = load_start(ld, val[RK_START]);
    if (rc == MWDS_OK)
        rc = mwds_yaml_num(&ld->y, val[RK_DURATION], "duration_s", &SPAN_DURATION, &sc->duration_s);
    if (rc == MWDS_OK && sc->start_t_ns > INT64_MAX - mwds_time_from_s(sc->duration_s))
        rc = mwds_yaml_fail(
            &ld->y, val[RK_START], MWDS_ERANGE, "start",
            "%s plus duration_s %g s ends after 2262-04-11, the last time mwds can hold",
            mwds_yaml_describe(val[RK_START]).s, sc->duration_s);
    if (rc == MWDS_OK)
        rc = mwds_yaml_u64(&ld->y, val[RK_SEED], "seed", &sc->seed);
    if (rc != MWDS_OK)
        return rc;

    size_t nn, ns, nl;
    rc = mwds_yaml_seq(&ld->y, val[RK_NATIONS], "nations", "nations", 1, MAX_NATIONS, &nn);
    if (rc == MWDS_OK)
        rc = mwds_yaml_seq(&ld->y, val[RK_SENSORS], "sensors", "sensors", 0, MAX_SENSORS, &ns);
    if (rc == MWDS_OK)
        rc = mwds_yaml_seq(&ld->y, val[RK_LAUNCHES], "launches", "launches", 0, MAX_LAUNCHES, &nl);
    if (rc != MWDS_OK)
        return rc;

    sc->nations = calloc(nn, sizeof *sc->nations);
    sc->sensors = ns > 0 ? calloc(ns, sizeof *sc->sensors) : NULL;
    sc->launches = nl > 0 ? calloc(nl, sizeof *sc->launches) : NULL;
    ld->ids_cap = 16;
    while (ld->ids_cap < 2 * (ns + nl))
        ld->ids_cap *= 2;
    ld->ids = calloc(ld->ids_cap, sizeof *ld->ids);
    if (sc->nations == NULL || (ns > 0 && sc->sensors == NULL) ||
        (nl > 0 && sc->launches == NULL) || ld->ids == NULL)
        return mwds_yaml_fail_at(&ld->y, 0, 0, MWDS_ENOMEM, "", "out of memory");

    for (size_t i = 0; i < nn && rc == MWDS_OK; i++) {
        rc = load_nation(ld, mwds_yaml_item(&ld->y, val[RK_NATIONS], i),
                         mwds_yaml_path_index("nations", i).s, i);
        sc->n_nations = i + 1;
    }
    for (size_t i = 0; i < ns && rc == MWDS_OK; i++) {
        rc = load_sensor(ld, mwds_yaml_item(&ld->y, val[RK_SENSORS], i),
                         mwds_yaml_path_index("sensors", i).s, i);
        sc->n_sensors = i + 1;
    }
    for (size_t i = 0; i < nl && rc == MWDS_OK; i++) {
        rc = load_launch(ld, mwds_yaml_item(&ld->y, val[RK_LAUNCHES], i),
                         mwds_yaml_path_index("launches", i).s, i);
        sc->n_launches = i + 1;
    }
    return rc;
}

/* ---- public ---------------------------------------------------------------- */

mwds_err mwds_scenario_parse(const char *name, const char *text, size_t len, mwds_scenario *sc,
                             char *err, size_t err_len)
{
    loader ld;
    memset(&ld, 0, sizeof ld);
    mwds_yaml_init(&ld.y, name != NULL ? name : "<scenario>", &LIMITS, err, err_len);
    if (sc == NULL || (text == NULL && len > 0))
        return mwds_yaml_fail_at(&ld.y, 0, 0, MWDS_EINVAL, "",
                                 "no scenario to parse (NULL argument)");
    mwds_err rc = mwds_yaml_parse(&ld.y, text != NULL ? text : "", len);
    if (rc == MWDS_OK)
        rc = load_root(&ld);
    mwds_yaml_fini(&ld.y);
    free(ld.ids);
    if (rc != MWDS_OK) {
        mwds_scenario_fini(&ld.sc);
        return rc;
    }
    *sc = ld.sc;
    return MWDS_OK;
}

mwds_err mwds_scenario_load(const char *path, mwds_scenario *sc, char *err, size_t err_len)
{
    mwds_yaml_doc y;
    mwds_yaml_init(&y, path != NULL ? path : "<scenario>", &LIMITS, err, err_len);
    if (path == NULL || sc == NULL)
        return mwds_yaml_fail_at(&y, 0, 0, MWDS_EINVAL, "", "no scenario to load (NULL argument)");
    char *text = NULL;
    size_t len = 0;
    mwds_err rc = mwds_yaml_read(&y, path, &text, &len);
    if (rc != MWDS_OK)
        return rc;
    rc = mwds_scenario_parse(path, text, len, sc, err, err_len);
    free(text);
    return rc;
}

void mwds_scenario_fini(mwds_scenario *sc)
{
    if (sc == NULL)
        return;
    free(sc->nations);
    free(sc->sensors);
    free(sc->launches);
    memset(sc, 0, sizeof *sc);
}

int mwds_scenario_nation(const mwds_scenario *sc, const char *code)
{
    if (sc == NULL || code == NULL)
        return -1;
    for (size_t i = 0; i < sc->n_nations; i++)
        if (strcmp(sc->nations[i].code, code) == 0)
            return (int)i;
    return -1;
}
