/*
 * Scenario files: YAML read with libyaml's document API (which keeps a line
 * and column mark on every node), checked against the schema described in
 * docs/scenario.md, and converted to SI units and radians.
 *
 * How it works: the whole text becomes one libyaml document; then code that
 * follows the schema (root, nations, sensors, launches, points) walks it to a
 * fixed depth. The walk never follows the node graph generically, so YAML
 * aliases, which can make the graph cyclic, cannot make it loop. Everything
 * is built in a private mwds_scenario that is copied to the caller's only
 * when every check has passed; on any error it is freed instead, so the
 * caller's struct is untouched.
 *
 * Errors: the first problem stops the load. Its message is one line,
 * "NAME:LINE:COLUMN: FIELD: what was expected, what was found", with 1-based
 * line and column of the offending node and FIELD a path such as
 * sensors[2].pd (no FIELD for the top-level mapping itself). Values quoted in
 * messages are escaped (no control characters) and cut to ECHO_MAX
 * characters, so a message is always a single line. Only an unreadable or
 * over-long file has no line and column ("NAME: ...").
 *
 * Return codes: MWDS_EIO (cannot read), MWDS_EPARSE (not YAML, or not the
 * schema: unknown or duplicate keys, wrong types, unknown references,
 * duplicate ids), MWDS_ERANGE (a value or a count outside its range, a
 * file over 16 MiB), MWDS_ENOMEM, MWDS_EINVAL (NULL arguments).
 *
 * Limits: 16 nations, 256 sensors, 4096 launches, 16 MiB of text; and, to
 * keep libyaml linear and its memory bounded (see yaml_precheck), YAML
 * nesting 32 levels deep, 262,144 nodes, 256 anchors, 65,536 aliases.
 * Cost: linear in the text: two passes of libyaml, ids checked through a
 * hash table, each mapping's keys through its fixed key table.
 * Thread rules: reentrant, no global state.
 */
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <yaml.h>

#include "mwds/scenario.h"

#define MAX_NATIONS 16
#define MAX_SENSORS 256
#define MAX_LAUNCHES 4096
#define MAX_TEXT_BYTES ((size_t)16 << 20)
#define MAX_DURATION_S 86400.0
#define GEO_HEIGHT_M 35786.0e3 /* geostationary height above the equator */
#define MAX_DEPTH 32           /* YAML collections inside one another */
#define MAX_NODES 262144       /* scalars and collections in the text */
#define MAX_ANCHORS 256
#define MAX_ALIASES 65536
#define ECHO_MAX 40 /* characters of a bad value quoted in a message */
#define MSG_MAX 640 /* longest message body before the location */

/* ---- the loader's state ---------------------------------------------------- */

typedef struct id_slot {
    const char *id; /* NULL: empty slot */
    size_t line;    /* 1-based, for "first at line N" */
} id_slot;

typedef struct loader {
    const char *name; /* file name or the caller's label, used in messages */
    char *err;
    size_t err_len;
    yaml_document_t doc;
    mwds_scenario sc;                /* built here, copied out on success */
    id_slot *ids;                    /* sensor and launch ids: one namespace */
    size_t ids_cap;                  /* power of two */
    size_t nation_line[MAX_NATIONS]; /* line of each nation's code */
} loader;

/* A field path, e.g. "launches[12].launch.lat_deg". */
typedef struct fpath {
    char s[128];
} fpath;

static fpath path_key(const char *base, const char *key)
{
    fpath p;
    if (base[0] == '\0')
        snprintf(p.s, sizeof p.s, "%.100s", key);
    else
        snprintf(p.s, sizeof p.s, "%.80s.%.40s", base, key);
    return p;
}

static fpath path_index(const char *base, size_t i)
{
    fpath p;
    snprintf(p.s, sizeof p.s, "%.100s[%zu]", base, i);
    return p;
}

/* ---- messages -------------------------------------------------------------- */

/* Writes s (n bytes) into out, escaping anything that is not printable ASCII
 * and the quote character, and cutting it at ECHO_MAX characters. */
static void echo(const char *s, size_t n, char quote, char *out, size_t cap)
{
    size_t o = 0;
    size_t shown = n < ECHO_MAX ? n : ECHO_MAX;
    for (size_t i = 0; i < shown && o + 5 < cap; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c == (unsigned char)quote || c == '\\') {
            out[o++] = '\\';
            out[o++] = (char)c;
        } else if (c >= 0x20 && c < 0x7f) {
            out[o++] = (char)c;
        } else {
            o += (size_t)snprintf(out + o, cap - o, "\\x%02x", c);
        }
    }
    if (shown < n && o + 4 < cap) {
        memcpy(out + o, "...", 3);
        o += 3;
    }
    out[o < cap ? o : cap - 1] = '\0';
}

/* Replaces any control character with a space: the message stays one line
 * whatever the caller's file name holds. */
static void one_line(char *s)
{
    for (; *s != '\0'; s++)
        if ((unsigned char)*s < 0x20 || *s == 0x7f)
            *s = ' ';
}

static mwds_err fail_lc(loader *ld, size_t line, size_t col, mwds_err rc, const char *field,
                        const char *fmt, ...) __attribute__((format(printf, 6, 7)));

static mwds_err fail_lc(loader *ld, size_t line, size_t col, mwds_err rc, const char *field,
                        const char *fmt, ...)
{
    if (ld->err == NULL || ld->err_len == 0)
        return rc;
    char msg[MSG_MAX];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    int has_field = field != NULL && field[0] != '\0';
    if (line == 0)
        snprintf(ld->err, ld->err_len, "%s: %s%s%s", ld->name, has_field ? field : "",
                 has_field ? ": " : "", msg);
    else
        snprintf(ld->err, ld->err_len, "%s:%zu:%zu: %s%s%s", ld->name, line, col,
                 has_field ? field : "", has_field ? ": " : "", msg);
    one_line(ld->err);
    return rc;
}

/* The error at a node (line 1, column 1 if there is none). */
#define fail(ld, node, rc, field, ...)                                                             \
    fail_lc((ld), (node) != NULL ? (node)->start_mark.line + 1 : 1,                                \
            (node) != NULL ? (node)->start_mark.column + 1 : 1, (rc), (field), __VA_ARGS__)

/* ---- scalars --------------------------------------------------------------- */

static const yaml_node_t *node_get(loader *ld, int index)
{
    return yaml_document_get_node(&ld->doc, index);
}

static int is_plain(const yaml_node_t *n)
{
    return n->type == YAML_SCALAR_NODE && n->data.scalar.style == YAML_PLAIN_SCALAR_STYLE;
}

/* YAML's null: an empty plain scalar, ~ or null. */
static int is_null(const yaml_node_t *n)
{
    if (!is_plain(n))
        return 0;
    const char *v = (const char *)n->data.scalar.value;
    return v[0] == '\0' || strcmp(v, "~") == 0 || strcmp(v, "null") == 0 ||
           strcmp(v, "Null") == 0 || strcmp(v, "NULL") == 0;
}

/* The text of a scalar, or NULL for a collection or a scalar holding a NUL
 * byte (a double-quoted "\0"), which no C string can carry. */
static const char *scalar_text(const yaml_node_t *n)
{
    if (n->type != YAML_SCALAR_NODE)
        return NULL;
    const char *v = (const char *)n->data.scalar.value;
    return strlen(v) == n->data.scalar.length ? v : NULL;
}

/* Strict decimal syntax: [+-] digits [. digits] [(e|E) [+-] digits], with
 * digits on at least one side of the point. No hex, inf, nan or '_'. */
static int number_syntax(const char *s)
{
    const char *p = s;
    if (*p == '+' || *p == '-')
        p++;
    size_t int_digits = 0, frac_digits = 0;
    while (*p >= '0' && *p <= '9') {
        p++;
        int_digits++;
    }
    if (*p == '.') {
        p++;
        while (*p >= '0' && *p <= '9') {
            p++;
            frac_digits++;
        }
    }
    if (int_digits + frac_digits == 0)
        return 0;
    if (*p == 'e' || *p == 'E') {
        p++;
        if (*p == '+' || *p == '-')
            p++;
        if (!(*p >= '0' && *p <= '9'))
            return 0;
        while (*p >= '0' && *p <= '9')
            p++;
    }
    return *p == '\0';
}

typedef enum numres { NUM_OK, NUM_NOT_A_NUMBER, NUM_TOO_LARGE } numres;

/* A plain scalar that is a finite number. A quoted "12" is a string. */
static numres scalar_number(const yaml_node_t *n, double *out)
{
    if (!is_plain(n))
        return NUM_NOT_A_NUMBER;
    const char *s = scalar_text(n);
    if (s == NULL || !number_syntax(s))
        return NUM_NOT_A_NUMBER;
    char *end;
    errno = 0;
    double x = strtod(s, &end);
    if (*end != '\0')
        return NUM_NOT_A_NUMBER; /* a locale whose decimal point is not '.' */
    if (!isfinite(x))
        return NUM_TOO_LARGE;
    *out = x; /* underflow to 0 or a subnormal is harmless here */
    return NUM_OK;
}

/* What a node is, for "got ...": a mapping, a sequence, nothing, null, a
 * number as written, a plain word in single quotes, a quoted string in
 * double quotes. */
typedef struct desc {
    char s[ECHO_MAX * 4 + 32];
} desc;

static desc describe(const yaml_node_t *n)
{
    desc d;
    if (n == NULL) {
        snprintf(d.s, sizeof d.s, "nothing");
    } else if (n->type == YAML_MAPPING_NODE) {
        snprintf(d.s, sizeof d.s, "a mapping");
    } else if (n->type == YAML_SEQUENCE_NODE) {
        snprintf(d.s, sizeof d.s, "a sequence");
    } else if (n->type != YAML_SCALAR_NODE) {
        snprintf(d.s, sizeof d.s, "an empty node");
    } else {
        const char *v = (const char *)n->data.scalar.value;
        size_t len = n->data.scalar.length;
        char e[ECHO_MAX * 4 + 8];
        double x;
        if (is_null(n)) {
            snprintf(d.s, sizeof d.s, "%s", len == 0 ? "nothing" : "null");
        } else if (!is_plain(n)) {
            echo(v, len, '"', e, sizeof e);
            snprintf(d.s, sizeof d.s, "the quoted string \"%s\"", e);
        } else if (scalar_number(n, &x) != NUM_NOT_A_NUMBER) {
            echo(v, len, '\'', e, sizeof e);
            snprintf(d.s, sizeof d.s, "%s", e);
        } else {
            echo(v, len, '\'', e, sizeof e);
            snprintf(d.s, sizeof d.s, "'%s'", e);
        }
    }
    return d;
}

/* ---- typed fields ---------------------------------------------------------- */

enum { OPEN_LO = 1, OPEN_HI = 2, NO_HI = 4 };

/* An allowed interval and what to call its values in messages. */
typedef struct span {
    const char *noun; /* "a number", "a latitude" */
    double lo, hi;
    unsigned flags;
} span;

static const span SPAN_LAT = {"a latitude", -90.0, 90.0, 0};
static const span SPAN_LON = {"a longitude", -180.0, 360.0, OPEN_HI};
static const span SPAN_HEIGHT = {"a height", -500.0, 10000.0, 0};
static const span SPAN_AZ = {"an azimuth", -180.0, 360.0, OPEN_HI};
static const span SPAN_HALF_WIDTH = {"a number", 0.0, 180.0, OPEN_LO};
static const span SPAN_EL = {"an elevation", -5.0, 90.0, OPEN_HI};
static const span SPAN_EL_MAX = {"an elevation", -5.0, 90.0, OPEN_LO};
static const span SPAN_POS = {"a number", 0.0, 0.0, OPEN_LO | NO_HI};
static const span SPAN_NONNEG = {"a number", 0.0, 0.0, NO_HI};
static const span SPAN_PROB = {"a number", 0.0, 1.0, 0};
static const span SPAN_REVISIT = {"a number", 0.0, 3600.0, OPEN_LO};
static const span SPAN_FALSE_ALARMS = {"a number", 0.0, 1000.0, 0};
static const span SPAN_DURATION = {"a number", 0.0, MAX_DURATION_S, OPEN_LO};
static const span SPAN_RANGE = {"a number", 0.0, 20000.0, OPEN_LO};
static const span SPAN_APOGEE = {"a number", 0.0, 10000.0, OPEN_LO};

static int span_has(const span *sp, double x)
{
    if ((sp->flags & OPEN_LO) ? !(x > sp->lo) : !(x >= sp->lo))
        return 0;
    if (sp->flags & NO_HI)
        return 1;
    return (sp->flags & OPEN_HI) ? x < sp->hi : x <= sp->hi;
}

typedef struct stext {
    char s[96];
} stext;

static stext span_text(const span *sp)
{
    stext t;
    if (sp->flags & NO_HI)
        snprintf(t.s, sizeof t.s, "%s %s %g", sp->noun, (sp->flags & OPEN_LO) ? ">" : ">=", sp->lo);
    else
        snprintf(t.s, sizeof t.s, "%s in %c%g, %g%c", sp->noun, (sp->flags & OPEN_LO) ? '(' : '[',
                 sp->lo, sp->hi, (sp->flags & OPEN_HI) ? ')' : ']');
    return t;
}

/* A number in a span. v NULL (absent or null, optional): *out keeps its
 * default. */
static mwds_err get_num(loader *ld, const yaml_node_t *v, const char *field, const span *sp,
                        double *out)
{
    if (v == NULL)
        return MWDS_OK;
    double x = 0.0;
    numres r = scalar_number(v, &x);
    if (r == NUM_NOT_A_NUMBER)
        return fail(ld, v, MWDS_EPARSE, field, "expected %s, got %s", span_text(sp).s,
                    describe(v).s);
    if (r == NUM_TOO_LARGE || !span_has(sp, x))
        return fail(ld, v, MWDS_ERANGE, field, "expected %s, got %s", span_text(sp).s,
                    describe(v).s);
    *out = x;
    return MWDS_OK;
}

/* An unsigned 64-bit integer written in decimal digits. */
static mwds_err get_u64(loader *ld, const yaml_node_t *v, const char *field, uint64_t *out)
{
    if (v == NULL)
        return MWDS_OK;
    const char *s = is_plain(v) ? scalar_text(v) : NULL;
    int digits = s != NULL && s[0] != '\0';
    for (const char *p = s; digits && *p != '\0'; p++)
        digits = *p >= '0' && *p <= '9';
    if (!digits)
        return fail(ld, v, MWDS_EPARSE, field, "expected an unsigned integer, got %s",
                    describe(v).s);
    uint64_t x = 0;
    for (const char *p = s; *p != '\0'; p++) {
        unsigned d = (unsigned)(*p - '0');
        if (x > (UINT64_MAX - d) / 10)
            return fail(ld, v, MWDS_ERANGE, field,
                        "expected an unsigned integer below 2^64, got %s", describe(v).s);
        x = x * 10 + d;
    }
    *out = x;
    return MWDS_OK;
}

/* true/false (also True, TRUE, False, FALSE: the YAML 1.2 core schema). */
static mwds_err get_bool(loader *ld, const yaml_node_t *v, const char *field, int *out)
{
    if (v == NULL)
        return MWDS_OK;
    const char *s = is_plain(v) ? scalar_text(v) : NULL;
    if (s != NULL && (!strcmp(s, "true") || !strcmp(s, "True") || !strcmp(s, "TRUE"))) {
        *out = 1;
        return MWDS_OK;
    }
    if (s != NULL && (!strcmp(s, "false") || !strcmp(s, "False") || !strcmp(s, "FALSE"))) {
        *out = 0;
        return MWDS_OK;
    }
    return fail(ld, v, MWDS_EPARSE, field, "expected true or false, got %s", describe(v).s);
}

typedef enum str_kind {
    STR_LINE,  /* one line of UTF-8 text: anything but control characters */
    STR_BLOCK, /* text that may hold newlines and tabs */
    STR_ID,    /* letters, digits, '-', '_', '.' */
    STR_CODE   /* a nation code: three upper-case letters */
} str_kind;

static int str_char_ok(str_kind kind, unsigned char c)
{
    switch (kind) {
    case STR_LINE:
        return c >= 0x20 && c != 0x7f;
    case STR_BLOCK:
        return (c >= 0x20 && c != 0x7f) || c == '\n' || c == '\t';
    case STR_ID:
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
               c == '-' || c == '_' || c == '.';
    case STR_CODE:
        return c >= 'A' && c <= 'Z';
    }
    return 0;
}

/* A C1 control (U+0080..U+009F, NEL among them) or the Unicode line or
 * paragraph separator (U+2028, U+2029) in UTF-8 at p: line breaks and
 * controls that a one-line string must not hold either. */
static int unicode_control(const unsigned char *p, size_t left)
{
    if (left >= 2 && p[0] == 0xc2 && p[1] >= 0x80 && p[1] <= 0x9f)
        return 1;
    return left >= 3 && p[0] == 0xe2 && p[1] == 0x80 && (p[2] == 0xa8 || p[2] == 0xa9);
}

static const char *str_expected(str_kind kind)
{
    switch (kind) {
    case STR_LINE:
        return "a one-line string";
    case STR_BLOCK:
        return "a string";
    case STR_ID:
        return "an id (letters, digits, '-', '_' or '.')";
    case STR_CODE:
        return "a nation code of three upper-case letters (ISO 3166 alpha-3)";
    }
    return "a string";
}

/* A string into dst (cap bytes with the terminator; lengths are in bytes,
 * since libyaml hands over UTF-8). v NULL: dst keeps its default. Too long
 * is MWDS_ERANGE, never silently cut. */
static mwds_err get_str(loader *ld, const yaml_node_t *v, const char *field, str_kind kind,
                        char *dst, size_t cap)
{
    if (v == NULL)
        return MWDS_OK;
    const char *s = is_null(v) ? NULL : scalar_text(v);
    if (s == NULL)
        return fail(ld, v, MWDS_EPARSE, field, "expected %s, got %s", str_expected(kind),
                    v->type == YAML_SCALAR_NODE && !is_null(v) ? "a string holding a NUL byte"
                                                               : describe(v).s);
    size_t n = v->data.scalar.length;
    if (kind == STR_CODE && n != 3)
        return fail(ld, v, MWDS_EPARSE, field, "expected %s, got %s", str_expected(kind),
                    describe(v).s);
    if (n >= cap)
        return fail(ld, v, MWDS_ERANGE, field, "expected at most %zu bytes, got %zu", cap - 1, n);
    for (size_t i = 0; i < n; i++)
        if (!str_char_ok(kind, (unsigned char)s[i]) ||
            unicode_control((const unsigned char *)s + i, n - i))
            return fail(ld, v, MWDS_EPARSE, field, "expected %s, got %s", str_expected(kind),
                        describe(v).s);
    memcpy(dst, s, n + 1);
    return MWDS_OK;
}

/* ---- mappings and sequences ------------------------------------------------ */

typedef struct keydef {
    const char *key;
    int required;
} keydef;

/* Edit distance with adjacent transpositions (optimal string alignment),
 * for "did you mean". Only for short strings; longer ones return a large
 * distance. */
static size_t edit_distance(const char *a, const char *b)
{
    enum { N = 48 };
    size_t la = strlen(a), lb = strlen(b);
    if (la >= N || lb >= N)
        return N;
    size_t d[N + 1][N + 1];
    for (size_t i = 0; i <= la; i++)
        d[i][0] = i;
    for (size_t j = 0; j <= lb; j++)
        d[0][j] = j;
    for (size_t i = 1; i <= la; i++) {
        for (size_t j = 1; j <= lb; j++) {
            size_t cost = a[i - 1] == b[j - 1] ? 0 : 1;
            size_t best = d[i - 1][j] + 1;
            if (d[i][j - 1] + 1 < best)
                best = d[i][j - 1] + 1;
            if (d[i - 1][j - 1] + cost < best)
                best = d[i - 1][j - 1] + cost;
            if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] &&
                d[i - 2][j - 2] + 1 < best)
                best = d[i - 2][j - 2] + 1;
            d[i][j] = best;
        }
    }
    return d[la][lb];
}

static mwds_err unknown_key(loader *ld, const yaml_node_t *k, const char *field, const char *key,
                            const keydef *keys, size_t n)
{
    char e[ECHO_MAX * 4 + 8];
    echo(key, strlen(key), '\'', e, sizeof e);
    size_t best = 0, best_d = (size_t)-1;
    for (size_t i = 0; i < n; i++) {
        size_t dd = edit_distance(key, keys[i].key);
        if (dd < best_d) {
            best_d = dd;
            best = i;
        }
    }
    if (best_d <= 2 && best_d < strlen(key))
        return fail(ld, k, MWDS_EPARSE, field, "unknown key '%s' (did you mean '%s'?)", e,
                    keys[best].key);
    char list[400];
    size_t o = 0;
    list[0] = '\0';
    for (size_t i = 0; i < n && o < sizeof list; i++)
        o += (size_t)snprintf(list + o, sizeof list - o, "%s%s", i ? ", " : "", keys[i].key);
    return fail(ld, k, MWDS_EPARSE, field, "unknown key '%s' (expected one of: %s)", e, list);
}

/* Checks that map is a mapping whose keys are all in keys[] (n of them, at
 * most 32), each at most once, and that every required key is there. Sets
 * vals[i] to key i's value node, or NULL when the key is absent or, for an
 * optional key, null; kn[i] to the key's node or NULL. what names the
 * expected mapping in the message when map is something else. */
static mwds_err scan_map(loader *ld, const yaml_node_t *map, const char *field, const char *what,
                         const keydef *keys, size_t n, const yaml_node_t **vals,
                         const yaml_node_t **kn)
{
    for (size_t i = 0; i < n; i++)
        vals[i] = kn[i] = NULL;
    if (map->type != YAML_MAPPING_NODE)
        return fail(ld, map, MWDS_EPARSE, field, "expected %s, got %s", what, describe(map).s);
    for (const yaml_node_pair_t *p = map->data.mapping.pairs.start; p < map->data.mapping.pairs.top;
         p++) {
        const yaml_node_t *k = node_get(ld, p->key);
        const yaml_node_t *v = node_get(ld, p->value);
        const char *key = k != NULL && !is_null(k) ? scalar_text(k) : NULL;
        if (key == NULL || v == NULL)
            return fail(ld, k, MWDS_EPARSE, field, "expected a key name, got %s", describe(k).s);
        size_t i = 0;
        while (i < n && strcmp(keys[i].key, key) != 0)
            i++;
        if (i == n)
            return unknown_key(ld, k, field, key, keys, n);
        if (kn[i] != NULL)
            return fail(ld, k, MWDS_EPARSE, field, "duplicate key '%s' (first at line %zu)",
                        keys[i].key, kn[i]->start_mark.line + 1);
        kn[i] = k;
        vals[i] = keys[i].required || !is_null(v) ? v : NULL;
    }
    for (size_t i = 0; i < n; i++)
        if (keys[i].required && kn[i] == NULL)
            return fail(ld, map, MWDS_EPARSE, field, "missing required key '%s'", keys[i].key);
    return MWDS_OK;
}

/* A sequence of lo..hi items; v NULL gives 0 items. */
static mwds_err get_seq(loader *ld, const yaml_node_t *v, const char *field, const char *what,
                        size_t lo, size_t hi, size_t *n)
{
    *n = 0;
    if (v == NULL)
        return MWDS_OK;
    if (v->type != YAML_SEQUENCE_NODE)
        return fail(ld, v, MWDS_EPARSE, field, "expected a list of %s, got %s", what,
                    describe(v).s);
    size_t count = (size_t)(v->data.sequence.items.top - v->data.sequence.items.start);
    if (count < lo || count > hi)
        return fail(ld, v, MWDS_ERANGE, field, "expected %zu to %zu %s, got %zu", lo, hi, what,
                    count);
    *n = count;
    return MWDS_OK;
}

static const yaml_node_t *seq_item(loader *ld, const yaml_node_t *seq, size_t i)
{
    return node_get(ld, seq->data.sequence.items.start[i]);
}

/* {lat_deg, lon_deg[, height_m]} to radians and metres; longitude wrapped
 * to (-pi, pi]. */
static mwds_err get_point(loader *ld, const yaml_node_t *v, const char *field, mwds_lla *out)
{
    static const keydef keys[] = {{"lat_deg", 1}, {"lon_deg", 1}, {"height_m", 0}};
    const yaml_node_t *val[3], *kn[3];
    mwds_err rc = scan_map(ld, v, field, "a point {lat_deg, lon_deg, height_m}", keys, 3, val, kn);
    double lat = 0.0, lon = 0.0, h = 0.0;
    if (rc == MWDS_OK)
        rc = get_num(ld, val[0], path_key(field, "lat_deg").s, &SPAN_LAT, &lat);
    if (rc == MWDS_OK)
        rc = get_num(ld, val[1], path_key(field, "lon_deg").s, &SPAN_LON, &lon);
    if (rc == MWDS_OK)
        rc = get_num(ld, val[2], path_key(field, "height_m").s, &SPAN_HEIGHT, &h);
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
            return fail(ld, v, MWDS_EPARSE, field, "duplicate id '%s' (first at line %zu)", id,
                        s->line);
    }
}

/* ---- sections -------------------------------------------------------------- */

static mwds_err load_nation(loader *ld, const yaml_node_t *v, const char *field, size_t idx)
{
    static const keydef keys[] = {{"code", 1}, {"name", 0}};
    const yaml_node_t *val[2], *kn[2];
    mwds_nation *nat = &ld->sc.nations[idx];
    mwds_err rc = scan_map(ld, v, field, "a nation {code, name}", keys, 2, val, kn);
    if (rc == MWDS_OK)
        rc = get_str(ld, val[0], path_key(field, "code").s, STR_CODE, nat->code, sizeof nat->code);
    if (rc != MWDS_OK)
        return rc;
    for (size_t j = 0; j < idx; j++)
        if (strcmp(ld->sc.nations[j].code, nat->code) == 0)
            return fail(ld, val[0], MWDS_EPARSE, path_key(field, "code").s,
                        "duplicate nation '%s' (first at line %zu)", nat->code, ld->nation_line[j]);
    ld->nation_line[idx] = val[0]->start_mark.line + 1;
    memcpy(nat->name, nat->code, sizeof nat->code);
    return get_str(ld, val[1], path_key(field, "name").s, STR_LINE, nat->name, sizeof nat->name);
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
    SK_SAT_LON,
    SK_SIG_LOS,
    SK_COUNT,
    SK_FIRST_RADAR = SK_SITE,
    SK_FIRST_IR = SK_SAT_LON
};

static const keydef SENSOR_KEYS[SK_COUNT] = {
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
    [SK_SAT_LON] = {"sat_lon_deg", 0},
    [SK_SIG_LOS] = {"sigma_los_urad", 0},
};

static const int RADAR_REQUIRED[] = {SK_SITE, SK_RANGE_MAX, SK_SIG_RANGE, SK_SIG_AZ, SK_SIG_EL};
static const int IR_REQUIRED[] = {SK_SAT_LON, SK_SIG_LOS};

static mwds_err nation_ref(loader *ld, const yaml_node_t *v, const char *field, uint32_t *out)
{
    const char *code = is_null(v) ? NULL : scalar_text(v);
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
        return fail(ld, v, MWDS_EPARSE, field, "expected a nation code (one of %s), got %s", list,
                    describe(v).s);
    char e[ECHO_MAX * 4 + 8];
    echo(code, strlen(code), '\'', e, sizeof e);
    return fail(ld, v, MWDS_EPARSE, field, "'%s' is not one of the scenario's nations (%s)", e,
                list);
}

/* A key given to the wrong kind of sensor, or one missing for its kind. */
static mwds_err sensor_kind_keys(loader *ld, const yaml_node_t *map, const char *field,
                                 int is_radar, const yaml_node_t **val, const yaml_node_t **kn)
{
    int lo = is_radar ? SK_FIRST_IR : SK_FIRST_RADAR;
    int hi = is_radar ? SK_COUNT : SK_FIRST_IR;
    for (int i = lo; i < hi; i++)
        if (kn[i] != NULL)
            return fail(ld, kn[i], MWDS_EPARSE, field,
                        "give either radar keys (type: radar; site, range_max_km, sigma_*) or "
                        "space IR keys (type: space_ir; sat_lon_deg, sigma_los_urad): '%s' is "
                        "not a %s key",
                        SENSOR_KEYS[i].key, is_radar ? "radar" : "space_ir");
    const int *req = is_radar ? RADAR_REQUIRED : IR_REQUIRED;
    size_t nreq = is_radar ? sizeof RADAR_REQUIRED / sizeof RADAR_REQUIRED[0]
                           : sizeof IR_REQUIRED / sizeof IR_REQUIRED[0];
    for (size_t i = 0; i < nreq; i++) {
        if (kn[req[i]] == NULL)
            return fail(ld, map, MWDS_EPARSE, field, "missing required key '%s' (for type %s)",
                        SENSOR_KEYS[req[i]].key, is_radar ? "radar" : "space_ir");
        /* present but null (for example "site:" followed by a comment) */
        if (val[req[i]] == NULL)
            return fail(ld, kn[req[i]], MWDS_EPARSE, path_key(field, SENSOR_KEYS[req[i]].key).s,
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
        const span *sp;
        double *dst; /* keeps its default when the key is absent */
    } nums[] = {
        {SK_BORESIGHT, &SPAN_AZ, &boresight}, {SK_HALF_WIDTH, &SPAN_HALF_WIDTH, &half_width},
        {SK_EL_MIN, &SPAN_EL, &el_min},       {SK_EL_MAX, &SPAN_EL_MAX, &el_max},
        {SK_RANGE_MIN, &SPAN_NONNEG, &rmin},  {SK_RANGE_MAX, &SPAN_POS, &rmax},
        {SK_SIG_RANGE, &SPAN_POS, &sr},       {SK_SIG_AZ, &SPAN_POS, &saz},
        {SK_SIG_EL, &SPAN_POS, &sel},         {SK_SIG_RR, &SPAN_POS, &srr},
    };
    mwds_err rc = get_point(ld, val[SK_SITE], path_key(field, "site").s, &r->site);
    for (size_t i = 0; i < sizeof nums / sizeof nums[0] && rc == MWDS_OK; i++)
        rc = get_num(ld, val[nums[i].key], path_key(field, SENSOR_KEYS[nums[i].key].key).s,
                     nums[i].sp, nums[i].dst);
    if (rc != MWDS_OK)
        return rc;
    if (!(el_max > el_min)) {
        int k = val[SK_EL_MAX] != NULL ? SK_EL_MAX : SK_EL_MIN;
        return fail(ld, val[k], MWDS_ERANGE, path_key(field, SENSOR_KEYS[k].key).s,
                    "expected el_min_deg < el_max_deg, got %g and %g", el_min, el_max);
    }
    if (!(rmax > rmin))
        return fail(ld, val[SK_RANGE_MAX], MWDS_ERANGE, path_key(field, "range_max_km").s,
                    "expected more than range_min_km (%g), got %s", rmin,
                    describe(val[SK_RANGE_MAX]).s);
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
    fpath where = path_key(field, "id");
    mwds_err rc = get_str(ld, node, where.s, STR_ID, id, len);
    if (rc == MWDS_OK && id[0] == '\0')
        rc = fail(ld, node, MWDS_EPARSE, where.s, "expected a non-empty id, got %s",
                  describe(node).s);
    if (rc == MWDS_OK)
        rc = id_claim(ld, node, where.s, id);
    return rc;
}

static mwds_err load_sensor(loader *ld, const yaml_node_t *map, const char *field, size_t idx)
{
    const yaml_node_t *val[SK_COUNT], *kn[SK_COUNT];
    mwds_sensor_config *c = &ld->sc.sensors[idx];
    mwds_sensor *s = &c->sensor;
    mwds_err rc = scan_map(ld, map, field, "a sensor (a mapping with id, nation, type, ...)",
                           SENSOR_KEYS, SK_COUNT, val, kn);
    if (rc == MWDS_OK)
        rc = load_id(ld, val[SK_ID], field, c->id, sizeof c->id);
    if (rc == MWDS_OK)
        rc = nation_ref(ld, val[SK_NATION], path_key(field, "nation").s, &c->nation);
    if (rc != MWDS_OK)
        return rc;
    const char *type = is_null(val[SK_TYPE]) ? NULL : scalar_text(val[SK_TYPE]);
    int is_radar = type != NULL && strcmp(type, "radar") == 0;
    if (!is_radar && (type == NULL || strcmp(type, "space_ir") != 0))
        return fail(ld, val[SK_TYPE], MWDS_EPARSE, path_key(field, "type").s,
                    "expected radar or space_ir, got %s", describe(val[SK_TYPE]).s);
    rc = sensor_kind_keys(ld, map, field, is_radar, val, kn);
    if (rc != MWDS_OK)
        return rc;

    s->kind = is_radar ? MWDS_SENSOR_RADAR : MWDS_SENSOR_SPACE_IR;
    s->id = (uint32_t)idx;
    s->false_alarms_per_scan = 0.0;
    rc = get_num(ld, val[SK_REVISIT], path_key(field, "revisit_s").s, &SPAN_REVISIT, &s->revisit_s);
    if (rc == MWDS_OK)
        rc = get_num(ld, val[SK_PD], path_key(field, "pd").s, &SPAN_PROB, &s->pd);
    if (rc == MWDS_OK)
        rc = get_num(ld, val[SK_FA], path_key(field, "false_alarms_per_scan").s, &SPAN_FALSE_ALARMS,
                     &s->false_alarms_per_scan);
    if (rc != MWDS_OK)
        return rc;
    if (is_radar) {
        rc = load_radar(ld, field, val, &s->radar);
    } else {
        double lon = 0.0, sigma_urad = 0.0;
        rc = get_num(ld, val[SK_SAT_LON], path_key(field, "sat_lon_deg").s, &SPAN_LON, &lon);
        if (rc == MWDS_OK)
            rc = get_num(ld, val[SK_SIG_LOS], path_key(field, "sigma_los_urad").s, &SPAN_POS,
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
        return fail(ld, map, MWDS_ERANGE, field, "sensor '%s' rejected by the sensor model: %s",
                    c->id, mwds_strerror(rc));
    return MWDS_OK;
}

enum { LK_ID, LK_TIME, LK_CLASS, LK_LAUNCH, LK_AZ, LK_RANGE, LK_TARGET, LK_APOGEE, LK_COUNT };

static const keydef LAUNCH_KEYS[LK_COUNT] = {
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
    const char *name = is_null(v) ? NULL : scalar_text(v);
    if (name == NULL)
        return fail(ld, v, MWDS_EPARSE, field, "expected a missile class (one of %s), got %s", list,
                    describe(v).s);
    char e[ECHO_MAX * 4 + 8];
    echo(name, strlen(name), '\'', e, sizeof e);
    return fail(ld, v, MWDS_EPARSE, field, "unknown missile class '%s' (known: %s)", e, list);
}

static mwds_err load_launch(loader *ld, const yaml_node_t *map, const char *field, size_t idx)
{
    const yaml_node_t *val[LK_COUNT], *kn[LK_COUNT];
    mwds_launch_config *l = &ld->sc.launches[idx];
    mwds_traj_request *req = &l->req;
    mwds_err rc = scan_map(ld, map, field, "a launch (a mapping with id, time_s, class, ...)",
                           LAUNCH_KEYS, LK_COUNT, val, kn);
    if (rc == MWDS_OK)
        rc = load_id(ld, val[LK_ID], field, l->id, sizeof l->id);
    if (rc != MWDS_OK)
        return rc;

    /* time_s: first a number at all, then inside the scenario */
    static const span any_time = {"a number", 0.0, 0.0, NO_HI};
    rc = get_num(ld, val[LK_TIME], path_key(field, "time_s").s, &any_time, &l->t_s);
    if (rc != MWDS_OK)
        return rc;
    if (l->t_s > ld->sc.duration_s)
        return fail(ld, val[LK_TIME], MWDS_ERANGE, path_key(field, "time_s").s,
                    "%s is outside the scenario's duration [0, %g]", describe(val[LK_TIME]).s,
                    ld->sc.duration_s);

    const char *cname = is_null(val[LK_CLASS]) ? NULL : scalar_text(val[LK_CLASS]);
    l->cls = cname != NULL ? mwds_catalogue_find(cname) : NULL;
    if (l->cls == NULL)
        return unknown_class(ld, val[LK_CLASS], path_key(field, "class").s);
    rc = get_point(ld, val[LK_LAUNCH], path_key(field, "launch").s, &req->launch);
    if (rc != MWDS_OK)
        return rc;

    int has_az = val[LK_AZ] != NULL, has_range = val[LK_RANGE] != NULL;
    req->has_target = val[LK_TARGET] != NULL;
    if (req->has_target && (has_az || has_range))
        return fail(ld, kn[has_az ? LK_AZ : LK_RANGE], MWDS_EPARSE, field,
                    "give either target, or azimuth_deg and range_km, not both");
    if (!req->has_target && !(has_az && has_range))
        return fail(ld, map, MWDS_EPARSE, field,
                    "give either target, or azimuth_deg and range_km (%s)",
                    has_az      ? "range_km is missing"
                    : has_range ? "azimuth_deg is missing"
                                : "none is given");
    if (req->has_target) {
        rc = get_point(ld, val[LK_TARGET], path_key(field, "target").s, &req->target);
    } else {
        double az = 0.0, range_km = 0.0;
        rc = get_num(ld, val[LK_AZ], path_key(field, "azimuth_deg").s, &SPAN_AZ, &az);
        if (rc == MWDS_OK)
            rc = get_num(ld, val[LK_RANGE], path_key(field, "range_km").s, &SPAN_RANGE, &range_km);
        req->azimuth_rad = mwds_geo_wrap_2pi(az * MWDS_DEG2RAD);
        req->range_m = range_km * 1000.0;
    }
    double apogee_km = 0.0;
    if (rc == MWDS_OK)
        rc = get_num(ld, val[LK_APOGEE], path_key(field, "apogee_km").s, &SPAN_APOGEE, &apogee_km);
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

static const keydef ROOT_KEYS[RK_COUNT] = {
    [RK_NAME] = {"name", 1},           [RK_DESC] = {"description", 0},
    [RK_EXERCISE] = {"exercise", 0},   [RK_START] = {"start", 1},
    [RK_DURATION] = {"duration_s", 1}, [RK_SEED] = {"seed", 0},
    [RK_NATIONS] = {"nations", 1},     [RK_SENSORS] = {"sensors", 0},
    [RK_LAUNCHES] = {"launches", 0},
};

static mwds_err load_start(loader *ld, const yaml_node_t *v)
{
    const char *s = is_null(v) ? NULL : scalar_text(v);
    int64_t t = 0;
    mwds_err rc = s != NULL ? mwds_time_parse_iso8601(s, &t) : MWDS_EPARSE;
    if (rc == MWDS_ERANGE)
        return fail(ld, v, MWDS_ERANGE, "start",
                    "expected a time between 1677-09-22 and 2262-04-10, got %s", describe(v).s);
    if (rc != MWDS_OK)
        return fail(ld, v, MWDS_EPARSE, "start",
                    "expected an ISO 8601 UTC time such as 2026-11-23T00:00:00Z, got %s",
                    describe(v).s);
    ld->sc.start_t_ns = t;
    return MWDS_OK;
}

static mwds_err load_root(loader *ld)
{
    const yaml_node_t *root = yaml_document_get_root_node(&ld->doc);
    if (root == NULL)
        return fail_lc(ld, 1, 1, MWDS_EPARSE, "",
                       "expected a scenario (a mapping with name, start, duration_s and "
                       "nations), got an empty document");
    const yaml_node_t *val[RK_COUNT], *kn[RK_COUNT];
    mwds_scenario *sc = &ld->sc;
    mwds_err rc =
        scan_map(ld, root, "", "a scenario (a mapping with name, start, duration_s and nations)",
                 ROOT_KEYS, RK_COUNT, val, kn);
    if (rc != MWDS_OK)
        return rc;
    sc->exercise = 1;
    sc->seed = 1;
    rc = get_str(ld, val[RK_NAME], "name", STR_LINE, sc->name, sizeof sc->name);
    if (rc == MWDS_OK && sc->name[0] == '\0')
        rc = fail(ld, val[RK_NAME], MWDS_EPARSE, "name", "expected a non-empty name, got %s",
                  describe(val[RK_NAME]).s);
    if (rc == MWDS_OK)
        rc = get_str(ld, val[RK_DESC], "description", STR_BLOCK, sc->description,
                     sizeof sc->description);
    if (rc == MWDS_OK)
        rc = get_bool(ld, val[RK_EXERCISE], "exercise", &sc->exercise);
    if (rc == MWDS_OK)
        rc = load_start(ld, val[RK_START]);
    if (rc == MWDS_OK)
        rc = get_num(ld, val[RK_DURATION], "duration_s", &SPAN_DURATION, &sc->duration_s);
    if (rc == MWDS_OK && sc->start_t_ns > INT64_MAX - mwds_time_from_s(sc->duration_s))
        rc = fail(ld, val[RK_START], MWDS_ERANGE, "start",
                  "%s plus duration_s %g s ends after 2262-04-11, the last time mwds can hold",
                  describe(val[RK_START]).s, sc->duration_s);
    if (rc == MWDS_OK)
        rc = get_u64(ld, val[RK_SEED], "seed", &sc->seed);
    if (rc != MWDS_OK)
        return rc;

    size_t nn, ns, nl;
    rc = get_seq(ld, val[RK_NATIONS], "nations", "nations", 1, MAX_NATIONS, &nn);
    if (rc == MWDS_OK)
        rc = get_seq(ld, val[RK_SENSORS], "sensors", "sensors", 0, MAX_SENSORS, &ns);
    if (rc == MWDS_OK)
        rc = get_seq(ld, val[RK_LAUNCHES], "launches", "launches", 0, MAX_LAUNCHES, &nl);
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
        return fail_lc(ld, 0, 0, MWDS_ENOMEM, "", "out of memory");

    for (size_t i = 0; i < nn && rc == MWDS_OK; i++) {
        rc = load_nation(ld, seq_item(ld, val[RK_NATIONS], i), path_index("nations", i).s, i);
        sc->n_nations = i + 1;
    }
    for (size_t i = 0; i < ns && rc == MWDS_OK; i++) {
        rc = load_sensor(ld, seq_item(ld, val[RK_SENSORS], i), path_index("sensors", i).s, i);
        sc->n_sensors = i + 1;
    }
    for (size_t i = 0; i < nl && rc == MWDS_OK; i++) {
        rc = load_launch(ld, seq_item(ld, val[RK_LAUNCHES], i), path_index("launches", i).s, i);
        sc->n_launches = i + 1;
    }
    return rc;
}

/* ---- YAML syntax ----------------------------------------------------------- */

/* Line and column (1-based) of a byte offset, for reader errors, which carry
 * an offset rather than a mark. Columns count characters, as libyaml's marks
 * do: UTF-8 continuation bytes are not counted. */
static void offset_lc(const char *text, size_t len, size_t off, size_t *line, size_t *col)
{
    size_t l = 1, c = 1;
    for (size_t i = 0; i < off && i < len; i++) {
        if (text[i] == '\n') {
            l++;
            c = 1;
        } else if (((unsigned char)text[i] & 0xc0) != 0x80) {
            c++;
        }
    }
    *line = l;
    *col = c;
}

static mwds_err yaml_fail(loader *ld, const yaml_parser_t *p, const char *text, size_t len)
{
    const char *problem = p->problem != NULL ? p->problem : "unknown problem";
    size_t line, col;
    switch (p->error) {
    case YAML_MEMORY_ERROR:
        return fail_lc(ld, 0, 0, MWDS_ENOMEM, "", "out of memory");
    case YAML_READER_ERROR:
        offset_lc(text, len, p->problem_offset, &line, &col);
        if (p->problem_value >= 0)
            return fail_lc(ld, line, col, MWDS_EPARSE, "", "YAML syntax error: %s (byte 0x%02x)",
                           problem, (unsigned)p->problem_value);
        return fail_lc(ld, line, col, MWDS_EPARSE, "", "YAML syntax error: %s", problem);
    default:
        line = p->problem_mark.line + 1;
        col = p->problem_mark.column + 1;
        if (p->context != NULL)
            return fail_lc(ld, line, col, MWDS_EPARSE, "",
                           "YAML syntax error: %s (%s at line %zu, column %zu)", problem,
                           p->context, p->context_mark.line + 1, p->context_mark.column + 1);
        return fail_lc(ld, line, col, MWDS_EPARSE, "", "YAML syntax error: %s", problem);
    }
}

/* A first pass over libyaml's events that bounds what the document loader
 * will be asked to do. libyaml 0.2.5 is quadratic in the nesting depth
 * (each token rechecks every open flow level), in the number of anchors
 * (each new one is compared with all before it) and in aliases times
 * anchors, and it allocates a node for every scalar and collection.
 * Stopping here, before the loader sees the text, keeps the cost linear and
 * the memory bounded; this pass also finds syntax errors and a second
 * document. A real scenario nests 4 levels and has some 140,000 nodes at
 * the most (4096 launches). */
static mwds_err yaml_precheck(loader *ld, const char *text, size_t len)
{
    yaml_parser_t parser;
    if (!yaml_parser_initialize(&parser))
        return fail_lc(ld, 0, 0, MWDS_ENOMEM, "", "out of memory");
    yaml_parser_set_input_string(&parser, (const unsigned char *)text, len);
    size_t depth = 0, nodes = 0, anchors = 0, aliases = 0, docs = 0;
    mwds_err rc = MWDS_OK;
    for (;;) {
        yaml_event_t ev;
        if (!yaml_parser_parse(&parser, &ev)) {
            rc = yaml_fail(ld, &parser, text, len);
            break;
        }
        const yaml_char_t *anchor = NULL;
        switch (ev.type) {
        case YAML_DOCUMENT_START_EVENT:
            docs++;
            break;
        case YAML_SEQUENCE_START_EVENT:
            anchor = ev.data.sequence_start.anchor;
            depth++;
            nodes++;
            break;
        case YAML_MAPPING_START_EVENT:
            anchor = ev.data.mapping_start.anchor;
            depth++;
            nodes++;
            break;
        case YAML_SEQUENCE_END_EVENT:
        case YAML_MAPPING_END_EVENT:
            depth--;
            break;
        case YAML_SCALAR_EVENT:
            anchor = ev.data.scalar.anchor;
            nodes++;
            break;
        case YAML_ALIAS_EVENT:
            aliases++;
            break;
        default:
            break;
        }
        anchors += anchor != NULL;
        size_t line = ev.start_mark.line + 1, col = ev.start_mark.column + 1;
        if (docs > 1)
            rc = fail_lc(ld, line, col, MWDS_EPARSE, "",
                         "expected one YAML document, found a second one here");
        else if (depth > MAX_DEPTH)
            rc = fail_lc(ld, line, col, MWDS_ERANGE, "",
                         "YAML nested more than %d levels deep (a scenario needs 4)", MAX_DEPTH);
        else if (nodes > MAX_NODES)
            rc = fail_lc(ld, line, col, MWDS_ERANGE, "", "more than %d YAML nodes", MAX_NODES);
        else if (anchors > MAX_ANCHORS)
            rc = fail_lc(ld, line, col, MWDS_ERANGE, "", "more than %d YAML anchors (&name)",
                         MAX_ANCHORS);
        else if (aliases > MAX_ALIASES)
            rc = fail_lc(ld, line, col, MWDS_ERANGE, "", "more than %d YAML aliases (*name)",
                         MAX_ALIASES);
        int end = ev.type == YAML_STREAM_END_EVENT;
        yaml_event_delete(&ev);
        if (rc != MWDS_OK || end)
            break;
    }
    yaml_parser_delete(&parser);
    return rc;
}

/* Loads the first (after yaml_precheck, the only) document in text into
 * ld->doc. On failure ld->doc holds nothing. */
static mwds_err load_yaml(loader *ld, const char *text, size_t len)
{
    mwds_err rc = yaml_precheck(ld, text, len);
    if (rc != MWDS_OK)
        return rc;
    yaml_parser_t parser;
    if (!yaml_parser_initialize(&parser))
        return fail_lc(ld, 0, 0, MWDS_ENOMEM, "", "out of memory");
    yaml_parser_set_input_string(&parser, (const unsigned char *)text, len);
    if (!yaml_parser_load(&parser, &ld->doc))
        rc = yaml_fail(ld, &parser, text, len);
    yaml_parser_delete(&parser);
    return rc;
}

/* ---- public ---------------------------------------------------------------- */

mwds_err mwds_scenario_parse(const char *name, const char *text, size_t len, mwds_scenario *sc,
                             char *err, size_t err_len)
{
    loader ld;
    memset(&ld, 0, sizeof ld);
    ld.name = name != NULL ? name : "<scenario>";
    ld.err = err;
    ld.err_len = err_len;
    if (err != NULL && err_len > 0)
        err[0] = '\0';
    if (sc == NULL || (text == NULL && len > 0))
        return fail_lc(&ld, 0, 0, MWDS_EINVAL, "", "no scenario to parse (NULL argument)");
    if (len > MAX_TEXT_BYTES)
        return fail_lc(&ld, 0, 0, MWDS_ERANGE, "",
                       "scenario is %zu bytes, more than the 16 MiB limit", len);
    mwds_err rc = load_yaml(&ld, text != NULL ? text : "", len);
    if (rc != MWDS_OK)
        return rc;
    rc = load_root(&ld);
    yaml_document_delete(&ld.doc);
    free(ld.ids);
    if (rc != MWDS_OK) {
        mwds_scenario_fini(&ld.sc);
        return rc;
    }
    *sc = ld.sc;
    return MWDS_OK;
}

/* Reads a whole file of at most MAX_TEXT_BYTES into a heap buffer. */
static mwds_err read_file(loader *ld, const char *path, char **out, size_t *out_len)
{
    FILE *f = fopen(path, "rb");
    char why[128];
    if (f == NULL) {
        int e = errno;
        if (strerror_r(e, why, sizeof why) != 0)
            snprintf(why, sizeof why, "error %d", e);
        return fail_lc(ld, 0, 0, MWDS_EIO, "", "cannot open: %s", why);
    }
    size_t cap = 64 * 1024, n = 0;
    char *buf = malloc(cap);
    mwds_err rc = buf != NULL ? MWDS_OK : fail_lc(ld, 0, 0, MWDS_ENOMEM, "", "out of memory");
    while (rc == MWDS_OK) {
        if (n == cap) {
            if (cap > MAX_TEXT_BYTES) {
                rc = fail_lc(ld, 0, 0, MWDS_ERANGE, "",
                             "file is larger than the 16 MiB limit for scenario files");
                break;
            }
            size_t ncap = cap * 2 > MAX_TEXT_BYTES + 1 ? MAX_TEXT_BYTES + 1 : cap * 2;
            char *nb = realloc(buf, ncap);
            if (nb == NULL) {
                rc = fail_lc(ld, 0, 0, MWDS_ENOMEM, "", "out of memory");
                break;
            }
            buf = nb;
            cap = ncap;
        }
        size_t got = fread(buf + n, 1, cap - n, f);
        n += got;
        if (got == 0) {
            if (ferror(f)) {
                int e = errno;
                if (strerror_r(e, why, sizeof why) != 0)
                    snprintf(why, sizeof why, "error %d", e);
                rc = fail_lc(ld, 0, 0, MWDS_EIO, "", "cannot read: %s", why);
            }
            break;
        }
    }
    if (rc == MWDS_OK && n > MAX_TEXT_BYTES)
        rc = fail_lc(ld, 0, 0, MWDS_ERANGE, "",
                     "file is larger than the 16 MiB limit for scenario files");
    fclose(f);
    if (rc != MWDS_OK) {
        free(buf);
        return rc;
    }
    *out = buf;
    *out_len = n;
    return MWDS_OK;
}

mwds_err mwds_scenario_load(const char *path, mwds_scenario *sc, char *err, size_t err_len)
{
    loader ld;
    memset(&ld, 0, sizeof ld);
    ld.name = path != NULL ? path : "<scenario>";
    ld.err = err;
    ld.err_len = err_len;
    if (path == NULL || sc == NULL)
        return fail_lc(&ld, 0, 0, MWDS_EINVAL, "", "no scenario to load (NULL argument)");
    char *text = NULL;
    size_t len = 0;
    mwds_err rc = read_file(&ld, path, &text, &len);
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
