/*
 * The journal payloads the scorer reads: a Track's state or end, a
 * Warning's kind, times, position and impact prediction, and the
 * releasability partitions of sent rows. See score_internal.h. Every field
 * is checked for its type and range, and a message names the first that is
 * not as expected; nothing is written to the output before the whole
 * payload has passed.
 */
#include <jansson.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mwds/assess.h"
#include "score_internal.h"

static mwds_err fail(char *err, size_t len, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static mwds_err fail(char *err, size_t len, const char *fmt, ...)
{
    if (err != NULL && len > 0) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(err, len, fmt, ap);
        va_end(ap);
    }
    return MWDS_EPARSE;
}

/* A finite number (integer or real) in [lo, hi] at key of o, into *v;
 * path names it in the message. Absent: error unless optional (then *v is
 * left as it is and *present 0). */
static mwds_err get_num(json_t *o, const char *key, const char *path, double lo, double hi,
                        int optional, double *v, int *present, char *err, size_t len)
{
    json_t *j = json_object_get(o, key);
    if (present != NULL)
        *present = j != NULL;
    if (j == NULL) {
        if (optional)
            return MWDS_OK;
        return fail(err, len, "%s%s: missing (expected a number)", path, key);
    }
    if (!json_is_number(j))
        return fail(err, len, "%s%s: expected a number", path, key);
    double x = json_number_value(j);
    if (!isfinite(x) || x < lo || x > hi)
        return fail(err, len, "%s%s: expected a number in [%g, %g]", path, key, lo, hi);
    *v = x;
    return MWDS_OK;
}

/* An integer at key of o (absent: *v untouched when optional). */
static mwds_err get_int(json_t *o, const char *key, const char *path, int64_t lo, int64_t hi,
                        int optional, int64_t *v, char *err, size_t len)
{
    json_t *j = json_object_get(o, key);
    if (j == NULL) {
        if (optional)
            return MWDS_OK;
        return fail(err, len, "%s%s: missing (expected an integer)", path, key);
    }
    if (!json_is_integer(j))
        return fail(err, len, "%s%s: expected an integer", path, key);
    json_int_t x = json_integer_value(j);
    if (x < lo || x > hi)
        return fail(err, len, "%s%s: expected an integer in [%lld, %lld]", path, key,
                    (long long)lo, (long long)hi);
    *v = (int64_t)x;
    return MWDS_OK;
}

static json_t *load_object(const char *payload, char *err, size_t len, mwds_err *e)
{
    json_error_t je;
    json_t *root = json_loads(payload, JSON_REJECT_DUPLICATES, &je);
    if (root == NULL) {
        *e = fail(err, len, "payload: not JSON: %s (column %d)", je.text, je.column);
        return NULL;
    }
    if (!json_is_object(root)) {
        json_decref(root);
        *e = fail(err, len, "payload: expected a JSON object");
        return NULL;
    }
    return root;
}

/* The bound on ECEF coordinates (m) and speeds (m/s) taken as plausible:
 * well past geostationary orbit and escape speed, so only garbage is
 * refused. */
#define MAX_POS_M 1e9
#define MAX_VEL_M_S 1e6

mwds_err mwds__score_parse_track(const char *payload, mwds__track_payload *out, char *err,
                                 size_t err_len)
{
    if (payload == NULL || out == NULL)
        return MWDS_EINVAL;
    mwds_err e = MWDS_OK;
    json_t *root = load_object(payload, err, err_len, &e);
    if (root == NULL)
        return e;
    mwds__track_payload t;
    memset(&t, 0, sizeof t);
    json_t *ended = json_object_get(root, "ended");
    if (ended != NULL && !json_is_boolean(ended)) {
        e = fail(err, err_len, "payload.ended: expected true or false");
        goto done;
    }
    if (ended != NULL && json_is_true(ended)) {
        t.ended = 1;
        goto done;
    }
    json_t *st = json_object_get(root, "state");
    if (!json_is_object(st)) {
        e = fail(err, err_len, "payload.state: %s", st ? "expected an object" : "missing");
        goto done;
    }
    if ((e = get_int(st, "t_ns", "payload.state.", INT64_MIN, INT64_MAX, 0, &t.t_ns, err,
                     err_len)) != MWDS_OK)
        goto done;
    const char *model = json_string_value(json_object_get(st, "model"));
    if (model == NULL || (strcmp(model, "ballistic") != 0 && strcmp(model, "boost") != 0)) {
        e = fail(err, err_len, "payload.state.model: expected \"ballistic\" or \"boost\"");
        goto done;
    }
    t.n = strcmp(model, "boost") == 0 ? 9 : 7;
    json_t *x = json_object_get(st, "x");
    if (!json_is_array(x) || json_array_size(x) != (size_t)t.n) {
        e = fail(err, err_len, "payload.state.x: expected an array of %d numbers (%s model)",
                 t.n, model);
        goto done;
    }
    for (int i = 0; i < t.n; i++) {
        json_t *v = json_array_get(x, (size_t)i);
        double bound = i < 3 ? MAX_POS_M : i < 6 ? MAX_VEL_M_S : INFINITY;
        if (!json_is_number(v) || !isfinite(json_number_value(v)) ||
            fabs(json_number_value(v)) > bound) {
            e = fail(err, err_len, "payload.state.x[%d]: expected a finite number%s", i,
                     i < 3   ? " (ECEF position, |x| <= 1e9 m)"
                     : i < 6 ? " (ECEF velocity, |v| <= 1e6 m/s)"
                             : "");
            goto done;
        }
        t.x[i] = json_number_value(v);
    }
    if ((e = get_int(root, "cause_pub_ns", "payload.", INT64_MIN, INT64_MAX, 1, &t.cause_pub_ns,
                     err, err_len)) != MWDS_OK)
        goto done;
done:
    json_decref(root);
    if (e == MWDS_OK)
        *out = t;
    return e;
}

static int kind_from_name(const char *name)
{
    for (int k = MWDS_WARN_LAUNCH; k <= MWDS_WARN_CANCEL; k++)
        if (strcmp(name, mwds_warning_kind_name((mwds_warning_kind)k)) == 0)
            return k;
    return -1;
}

/* A string of at most cap - 1 bytes at key of o into buf. */
static mwds_err get_str(json_t *o, const char *key, const char *path, int optional, char *buf,
                        size_t cap, char *err, size_t len)
{
    json_t *j = json_object_get(o, key);
    if (j == NULL) {
        if (optional)
            return MWDS_OK;
        return fail(err, len, "%s%s: missing (expected a string)", path, key);
    }
    if (!json_is_string(j) || json_string_length(j) >= cap ||
        strlen(json_string_value(j)) != json_string_length(j))
        return fail(err, len, "%s%s: expected a string of at most %zu bytes", path, key,
                    cap - 1);
    memcpy(buf, json_string_value(j), json_string_length(j) + 1);
    return MWDS_OK;
}

mwds_err mwds__score_parse_warning(const char *payload, mwds__warning_payload *out, char *err,
                                   size_t err_len)
{
    if (payload == NULL || out == NULL)
        return MWDS_EINVAL;
    mwds_err e = MWDS_OK;
    json_t *root = load_object(payload, err, err_len, &e);
    if (root == NULL)
        return e;
    mwds__warning_payload w;
    memset(&w, 0, sizeof w);
    int64_t id = 0, track = 0;
    /* times are seconds from the epoch: 1677..2262 as t_ns allows */
    const double tmax = 9.2e9;
    if ((e = get_int(root, "id", "payload.", 0, UINT32_MAX, 0, &id, err, err_len)) ||
        (e = get_str(root, "origin", "payload.", 0, w.origin, sizeof w.origin, err, err_len)) ||
        (e = get_num(root, "issued_t_s", "payload.", -tmax, tmax, 0, &w.issued_t_s, NULL, err,
                     err_len)) ||
        (e = get_num(root, "event_t_s", "payload.", -tmax, tmax, 0, &w.event_t_s, NULL, err,
                     err_len)) ||
        (e = get_int(root, "track", "payload.", 0, UINT32_MAX, 0, &track, err, err_len)) ||
        (e = get_str(root, "area", "payload.", 1, w.area, sizeof w.area, err, err_len)) ||
        (e = get_int(root, "cause_pub_ns", "payload.", INT64_MIN, INT64_MAX, 1, &w.cause_pub_ns,
                     err, err_len)))
        goto done;
    w.id = (uint32_t)id;
    w.track = (uint32_t)track;
    const char *kind = json_string_value(json_object_get(root, "kind"));
    if (kind == NULL || (w.kind = kind_from_name(kind)) < 0) {
        e = fail(err, err_len,
                 "payload.kind: expected LAUNCH, IMPACT_PREDICTION, OVERFLIGHT, IMPACT, END or "
                 "CANCEL");
        goto done;
    }
    json_t *a = json_object_get(root, "assessment");
    if (!json_is_object(a)) {
        e = fail(err, err_len, "payload.assessment: %s", a ? "expected an object" : "missing");
        goto done;
    }
    json_t *pos = json_object_get(a, "position");
    if (!json_is_object(pos)) {
        e = fail(err, err_len, "payload.assessment.position: %s",
                 pos ? "expected an object" : "missing");
        goto done;
    }
    if ((e = get_num(pos, "lat_deg", "payload.assessment.position.", -90, 90, 0, &w.lat_deg,
                     NULL, err, err_len)) ||
        (e = get_num(pos, "lon_deg", "payload.assessment.position.", -180, 180, 0, &w.lon_deg,
                     NULL, err, err_len)) ||
        (e = get_num(a, "height_km", "payload.assessment.", -1e3, 1e6, 0, &w.height_km, NULL,
                     err, err_len)))
        goto done;
    w.basis_t_s = NAN; /* journals before the basis carried its time */
    if ((e = get_num(a, "t_s", "payload.assessment.", -tmax, tmax, 1, &w.basis_t_s, NULL, err,
                     err_len)) != MWDS_OK)
        goto done;
    json_t *im = json_object_get(a, "impact");
    if (im != NULL) {
        const char *p = "payload.assessment.impact.";
        if (!json_is_object(im)) {
            e = fail(err, err_len, "payload.assessment.impact: expected an object");
            goto done;
        }
        if ((e = get_num(im, "lat_deg", p, -90, 90, 0, &w.imp_lat_deg, NULL, err, err_len)) ||
            (e = get_num(im, "lon_deg", p, -180, 180, 0, &w.imp_lon_deg, NULL, err, err_len)) ||
            (e = get_num(im, "semi_major_km", p, 0, 1e5, 0, &w.semi_major_km, NULL, err,
                         err_len)) ||
            (e = get_num(im, "semi_minor_km", p, 0, 1e5, 0, &w.semi_minor_km, NULL, err,
                         err_len)) ||
            (e = get_num(im, "major_az_deg", p, -360, 360, 0, &w.major_az_deg, NULL, err,
                         err_len)) ||
            (e = get_num(im, "p", p, 0, 1, 0, &w.imp_p, NULL, err, err_len)) ||
            (e = get_num(im, "t_s", p, -tmax, tmax, 0, &w.imp_t_s, NULL, err, err_len)) ||
            (e = get_num(im, "t_sigma_s", p, 0, 1e9, 0, &w.imp_t_sigma_s, NULL, err, err_len)))
            goto done;
        w.has_impact = 1;
    }
done:
    json_decref(root);
    if (e == MWDS_OK)
        *out = w;
    return e;
}

mwds_err mwds__score_parse_partition(const char *partition, const char (*codes)[4], int n_codes,
                                     uint32_t *mask, char *err, size_t err_len)
{
    if (partition == NULL || mask == NULL || (codes == NULL && n_codes > 0))
        return MWDS_EINVAL;
    if (strncmp(partition, "rel", 3) != 0)
        return fail(err, err_len, "partition: expected \"rel.\" and nation codes, found \"%.40s\"",
                    partition);
    uint32_t m = 0;
    const char *p = partition + 3;
    if (*p == '\0')
        return fail(err, err_len, "partition: \"rel\" names no nation");
    while (*p != '\0') {
        if (p[0] != '.' || !(p[1] >= 'A' && p[1] <= 'Z') || !(p[2] >= 'A' && p[2] <= 'Z') ||
            !(p[3] >= 'A' && p[3] <= 'Z') || (p[4] != '\0' && p[4] != '.'))
            return fail(err, err_len,
                        "partition: expected \"rel\" and \".XXX\" nation codes, found \"%.40s\"",
                        partition);
        for (int k = 0; k < n_codes && k < 32; k++)
            if (memcmp(codes[k], p + 1, 3) == 0 && codes[k][3] == '\0')
                m |= 1u << k;
        p += 4;
    }
    *mask = m;
    return MWDS_OK;
}

int mwds__score_parse_key(const char *key, uint32_t *out)
{
    if (key == NULL || *key == '\0')
        return -1;
    uint64_t v = 0;
    for (const char *c = key; *c; c++) {
        if (*c < '0' || *c > '9')
            return -1;
        v = v * 10 + (uint64_t)(*c - '0');
        if (v > UINT32_MAX)
            return -1;
    }
    *out = (uint32_t)v;
    return 0;
}
