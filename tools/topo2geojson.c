/*
 * topo2geojson: the build's converter from a TopoJSON topology (world-atlas)
 * to a GeoJSON FeatureCollection of named areas.
 *
 * usage: topo2geojson IN.topojson OUT.geojson ID=CODE[,NATION][:NAME] ...
 *   ID     the geometry's id in the topology (ISO 3166 numeric, "410")
 *   CODE   the area's code in mwds (ISO 3166 alpha-3, "KOR")
 *   NATION the nation it belongs to (default CODE; Guam: "316=GUM,USA")
 *   NAME   optional display name (default: the topology's "name")
 *
 * TopoJSON arcs are delta-encoded integer positions, scaled and translated
 * by the topology's transform; a negative arc index ~i is arc i reversed;
 * consecutive arcs of a ring share their joining point. Output rings follow
 * RFC 7946: closed, outer rings counter-clockwise, holes clockwise.
 * Exits 1 with a message naming the file and what was wrong.
 */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *in_path;

static int fail(const char *what)
{
    fprintf(stderr, "topo2geojson: %s: %s\n", in_path, what);
    return 1;
}

typedef struct topo {
    json_t *arcs;
    double sx, sy, tx, ty;
} topo;

/* Appends arc index a (possibly reversed) to ring, skipping the shared
 * first point of every arc after the first. */
static int append_arc(const topo *t, json_int_t a, json_t *ring)
{
    int rev = a < 0;
    size_t idx = (size_t)(rev ? ~a : a);
    json_t *arc = json_array_get(t->arcs, idx);
    if (!json_is_array(arc))
        return -1;
    size_t n = json_array_size(arc);
    double *xs = malloc(n * sizeof *xs), *ys = malloc(n * sizeof *ys);
    if (!xs || !ys) {
        free(xs);
        free(ys);
        return -1;
    }
    double x = 0, y = 0;
    for (size_t k = 0; k < n; k++) {
        json_t *p = json_array_get(arc, k);
        if (!json_is_array(p) || json_array_size(p) < 2) {
            free(xs);
            free(ys);
            return -1;
        }
        x += json_number_value(json_array_get(p, 0));
        y += json_number_value(json_array_get(p, 1));
        xs[k] = x * t->sx + t->tx;
        ys[k] = y * t->sy + t->ty;
    }
    for (size_t k = json_array_size(ring) ? 1 : 0; k < n; k++) {
        size_t j = rev ? n - 1 - k : k;
        json_array_append_new(ring, json_pack("[f, f]", xs[j], ys[j]));
    }
    free(xs);
    free(ys);
    return 0;
}

/* Twice the signed area of a ring in degrees (positive: counter-clockwise). */
static double ring_area2(json_t *ring)
{
    double s = 0.0;
    size_t n = json_array_size(ring);
    for (size_t k = 0; k + 1 < n; k++) {
        json_t *a = json_array_get(ring, k), *b = json_array_get(ring, k + 1);
        s += json_real_value(json_array_get(a, 0)) * json_real_value(json_array_get(b, 1)) -
             json_real_value(json_array_get(b, 0)) * json_real_value(json_array_get(a, 1));
    }
    return s;
}

static void reverse(json_t *ring)
{
    size_t n = json_array_size(ring);
    for (size_t k = 0; k < n / 2; k++) {
        json_t *a = json_incref(json_array_get(ring, k));
        json_t *b = json_incref(json_array_get(ring, n - 1 - k));
        json_array_set_new(ring, k, b);
        json_array_set_new(ring, n - 1 - k, a);
    }
}

/* One polygon: an array of rings, each an array of arc indices. */
static json_t *polygon(const topo *t, json_t *rings)
{
    json_t *out = json_array();
    for (size_t r = 0; r < json_array_size(rings); r++) {
        json_t *arcs = json_array_get(rings, r), *ring = json_array();
        for (size_t k = 0; k < json_array_size(arcs); k++)
            if (!json_is_integer(json_array_get(arcs, k)) ||
                append_arc(t, json_integer_value(json_array_get(arcs, k)), ring) != 0) {
                json_decref(ring);
                json_decref(out);
                return NULL;
            }
        size_t n = json_array_size(ring);
        if (n < 3) {
            json_decref(ring);
            continue;
        }
        json_t *first = json_array_get(ring, 0), *last = json_array_get(ring, n - 1);
        if (!json_equal(first, last))
            json_array_append_new(ring, json_deep_copy(first));
        double a = ring_area2(ring);
        if ((r == 0 && a < 0.0) || (r > 0 && a > 0.0))
            reverse(ring);
        json_array_append_new(out, ring);
    }
    return out;
}

int main(int argc, char **argv)
{
    if (argc < 4) {
        fprintf(stderr, "usage: topo2geojson IN.topojson OUT.geojson ID=CODE[:NAME] ...\n");
        return 2;
    }
    in_path = argv[1];
    json_error_t je;
    json_t *root = json_load_file(in_path, 0, &je);
    if (root == NULL) {
        fprintf(stderr, "topo2geojson: %s:%d: %s\n", in_path, je.line, je.text);
        return 1;
    }
    topo t;
    json_t *tr = json_object_get(root, "transform");
    t.arcs = json_object_get(root, "arcs");
    json_t *geoms = json_object_get(json_object_get(json_object_get(root, "objects"), "countries"),
                                    "geometries");
    if (!json_is_array(t.arcs) || !json_is_array(geoms) || !json_is_object(tr))
        return fail("expected a topology with arcs, a transform and objects.countries");
    t.sx = json_number_value(json_array_get(json_object_get(tr, "scale"), 0));
    t.sy = json_number_value(json_array_get(json_object_get(tr, "scale"), 1));
    t.tx = json_number_value(json_array_get(json_object_get(tr, "translate"), 0));
    t.ty = json_number_value(json_array_get(json_object_get(tr, "translate"), 1));
    json_t *features = json_array();
    for (int a = 3; a < argc; a++) {
        char id[16] = "", code[8] = "", nation[8] = "", name[96] = "";
        const char *eq = strchr(argv[a], '='), *colon = strchr(argv[a], ':');
        const char *comma = strchr(argv[a], ',');
        if (colon != NULL && comma > colon)
            comma = NULL;
        const char *code_end = comma ? comma : colon ? colon : argv[a] + strlen(argv[a]);
        if (eq == NULL || eq == argv[a] || eq - argv[a] >= (long)sizeof id ||
            code_end <= eq + 1 || code_end - eq - 1 >= (long)sizeof code) {
            fprintf(stderr, "topo2geojson: argument '%s': expected ID=CODE[,NATION][:NAME]\n",
                    argv[a]);
            return 2;
        }
        memcpy(id, argv[a], (size_t)(eq - argv[a]));
        memcpy(code, eq + 1, (size_t)(code_end - eq - 1));
        if (comma != NULL) {
            const char *ne = colon ? colon : comma + strlen(comma);
            snprintf(nation, sizeof nation, "%.*s", (int)(ne - comma - 1), comma + 1);
        } else {
            snprintf(nation, sizeof nation, "%s", code);
        }
        if (colon != NULL)
            snprintf(name, sizeof name, "%s", colon + 1);
        json_t *g = NULL;
        for (size_t k = 0; k < json_array_size(geoms) && g == NULL; k++) {
            json_t *c = json_array_get(geoms, k);
            if (json_is_string(json_object_get(c, "id")) &&
                strcmp(json_string_value(json_object_get(c, "id")), id) == 0)
                g = c;
        }
        if (g == NULL) {
            fprintf(stderr, "topo2geojson: %s: no geometry with id %s\n", in_path, id);
            return 1;
        }
        const char *type = json_string_value(json_object_get(g, "type"));
        json_t *arcs = json_object_get(g, "arcs"), *polys = json_array();
        if (type != NULL && strcmp(type, "Polygon") == 0) {
            json_t *p = polygon(&t, arcs);
            if (p == NULL)
                return fail("bad arc reference");
            json_array_append_new(polys, p);
        } else if (type != NULL && strcmp(type, "MultiPolygon") == 0) {
            for (size_t k = 0; k < json_array_size(arcs); k++) {
                json_t *p = polygon(&t, json_array_get(arcs, k));
                if (p == NULL)
                    return fail("bad arc reference");
                json_array_append_new(polys, p);
            }
        } else {
            fprintf(stderr, "topo2geojson: %s: id %s is a %s, expected a polygon\n", in_path,
                    id, type ? type : "geometry without a type");
            return 1;
        }
        const char *topo_name =
            json_string_value(json_object_get(json_object_get(g, "properties"), "name"));
        json_array_append_new(
            features,
            json_pack("{s:s, s:{s:s, s:s, s:s, s:s, s:s}, s:{s:s, s:o}}", "type", "Feature",
                      "properties", "code", code, "nation", nation, "name",
                      name[0] ? name : topo_name ? topo_name : code,
                      "kind", "territory", "source",
                      "Natural Earth 4.1.0 Admin 0 (1:50m) via world-atlas 2.0.2", "geometry",
                      "type", "MultiPolygon", "coordinates", polys));
    }
    json_t *fc = json_pack("{s:s, s:o}", "type", "FeatureCollection", "features", features);
    if (json_dump_file(fc, argv[2], JSON_COMPACT | JSON_REAL_PRECISION(7)) != 0) {
        fprintf(stderr, "topo2geojson: cannot write %s\n", argv[2]);
        return 1;
    }
    json_decref(fc);
    json_decref(root);
    return 0;
}
