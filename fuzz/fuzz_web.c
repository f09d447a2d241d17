/* libFuzzer harness: the display's snapshot writer. The input drives a
 * picture: the exercise name, warnings whose origin, area and threatened
 * codes are raw bytes, and whose numbers (positions, ellipses, times) are
 * raw doubles (NaN, infinities, huge values included), and tracks whose
 * states are raw doubles. Whatever comes in, the snapshot must be one line
 * that jansson parses as a JSON object with the schema's name. */
#include <jansson.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "mwds/web.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

typedef struct cursor {
    const uint8_t *p;
    size_t n;
} cursor;

static void take(cursor *c, void *out, size_t len)
{
    memset(out, 0, len);
    size_t k = len < c->n ? len : c->n;
    memcpy(out, c->p, k);
    c->p += k;
    c->n -= k;
}

static double num(cursor *c)
{
    double v;
    take(c, &v, sizeof v);
    return v;
}

static void text(cursor *c, char *out, size_t len)
{
    take(c, out, len - 1);
    out[len - 1] = '\0';
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    cursor c = {data, size};
    mwds_picture_config pc;
    mwds_picture_config_default(&pc);
    memcpy(pc.nation, "JPN", 4);
    pc.max_tracks = 4;
    pc.trail_points = 4;
    pc.max_warnings = 4;
    uint8_t flags = 0;
    take(&c, &flags, 1);
    pc.exercise = flags & 1;
    text(&c, pc.exercise_name, 24);
    mwds_picture *p = NULL;
    if (mwds_picture_create(&pc, &p) != MWDS_OK)
        abort();
    while (c.n > 0) {
        uint8_t what = 0;
        take(&c, &what, 1);
        if (what % 2 == 0) {
            mwds_warning w;
            memset(&w, 0, sizeof w);
            text(&c, w.origin, 5);
            take(&c, &w.id, 1);
            take(&c, &w.kind, 1);
            w.exercise = pc.exercise;
            take(&c, &w.track_number, 1);
            text(&c, w.area, 5);
            w.issued_t_ns = INT64_C(1790000000000000000) + ((int64_t)what << 20);
            take(&c, &w.event_t_ns, sizeof w.event_t_ns);
            w.basis.position.lat_rad = num(&c);
            w.basis.position.lon_rad = num(&c);
            w.basis.has_impact = what & 2;
            w.basis.impact.ellipse.centre.lat_rad = num(&c);
            w.basis.impact.ellipse.semi_major_m = num(&c);
            take(&c, &w.basis.impact.t_ns, sizeof w.basis.impact.t_ns);
            w.basis.has_class = what & 4;
            take(&c, &w.basis.cls.kind, 1);
            take(&c, &w.basis.cls.profile, 1);
            take(&c, &w.basis.n_threatened, 1);
            text(&c, w.basis.threatened[0], 6);
            take(&c, &w.basis.n_overflown, 1);
            text(&c, w.basis.overflown[0], 6);
            mwds_picture_add_warning(p, &w, what & 8);
        } else {
            mwds_track t;
            memset(&t, 0, sizeof t);
            t.status = MWDS_TRACK_CONFIRMED;
            take(&c, &t.number, 1);
            t.f.n = 7;
            for (int i = 0; i < 6; i++)
                t.f.x.v[i] = num(&c);
            t.f.p.m[0][0] = num(&c);
            t.f.p.m[0][1] = t.f.p.m[1][0] = num(&c);
            int64_t t_ns = INT64_C(1790000000000000000) + (int64_t)what * 1000000000;
            mwds_picture_update_tracks(p, &t, 1, t_ns);
            if (what & 2) {
                char origin[2][4];
                uint32_t member[2] = {1, 2};
                text(&c, origin[0], 4);
                text(&c, origin[1], 4);
                mwds_picture_set_members(p, t.number, (const char(*)[4])origin, member, 2);
            }
        }
    }
    const char *json = NULL;
    size_t len = 0;
    if (mwds_picture_json(p, INT64_C(1790000000000000000), &json, &len) != MWDS_OK)
        abort();
    if (strlen(json) != len || memchr(json, '\n', len) != NULL)
        abort();
    json_error_t je;
    json_t *o = json_loadb(json, len, 0, &je);
    const char *schema = json_string_value(json_object_get(o, "schema"));
    if (!json_is_object(o) || strcmp(schema ? schema : "", "mwds-picture/1") != 0)
        abort();
    json_decref(o);
    mwds_picture_destroy(p);
    return 0;
}
