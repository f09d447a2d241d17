/*
 * The loader behind mwds's YAML files (scenarios, policies, node
 * configurations): reading, the bounded two-pass parse, one-line messages
 * with line, column and field, and the typed getters. See yaml_doc.h for
 * the contract, the limits and why they exist.
 *
 * It lives in the scenario module, which owns mwds's configuration files,
 * and needs only core, so pki (the policy) and the CLI (the node
 * configuration) may use it without reaching above themselves.
 * Thread rules: reentrant, no global state.
 */
#include "mwds/yaml_doc.h"

#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MSG_MAX 640 /* longest message body before the location */

/* ---- messages -------------------------------------------------------------- */

/* Writes s (n bytes) into out, escaping anything that is not printable ASCII,
 * the quote character and the backslash, and cutting it at
 * MWDS_YAML_ECHO_MAX characters. */
static void echo(const char *s, size_t n, char quote, char *out, size_t cap)
{
    size_t o = 0;
    size_t shown = n < MWDS_YAML_ECHO_MAX ? n : MWDS_YAML_ECHO_MAX;
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

static mwds_err vfail(mwds_yaml_doc *d, size_t line, size_t col, mwds_err rc, const char *field,
                      const char *fmt, va_list ap) __attribute__((format(printf, 6, 0)));

static mwds_err vfail(mwds_yaml_doc *d, size_t line, size_t col, mwds_err rc, const char *field,
                      const char *fmt, va_list ap)
{
    if (d->err == NULL || d->err_len == 0)
        return rc;
    char msg[MSG_MAX];
    vsnprintf(msg, sizeof msg, fmt, ap);
    int has_field = field != NULL && field[0] != '\0';
    if (line == 0)
        snprintf(d->err, d->err_len, "%s: %s%s%s", d->name, has_field ? field : "",
                 has_field ? ": " : "", msg);
    else
        snprintf(d->err, d->err_len, "%s:%zu:%zu: %s%s%s", d->name, line, col,
                 has_field ? field : "", has_field ? ": " : "", msg);
    one_line(d->err);
    return rc;
}

mwds_err mwds_yaml_fail_at(mwds_yaml_doc *d, size_t line, size_t col, mwds_err rc,
                           const char *field, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    rc = vfail(d, line, col, rc, field, fmt, ap);
    va_end(ap);
    return rc;
}

mwds_err mwds_yaml_fail(mwds_yaml_doc *d, const yaml_node_t *n, mwds_err rc, const char *field,
                        const char *fmt, ...)
{
    size_t line = n != NULL ? n->start_mark.line + 1 : 1;
    size_t col = n != NULL ? n->start_mark.column + 1 : 1;
    va_list ap;
    va_start(ap, fmt);
    rc = vfail(d, line, col, rc, field, fmt, ap);
    va_end(ap);
    return rc;
}

mwds_yaml_path mwds_yaml_path_key(const char *base, const char *key)
{
    mwds_yaml_path p;
    if (base[0] == '\0')
        snprintf(p.s, sizeof p.s, "%.100s", key);
    else
        snprintf(p.s, sizeof p.s, "%.80s.%.40s", base, key);
    return p;
}

mwds_yaml_path mwds_yaml_path_index(const char *base, size_t i)
{
    mwds_yaml_path p;
    snprintf(p.s, sizeof p.s, "%.100s[%zu]", base, i);
    return p;
}

mwds_yaml_desc mwds_yaml_escape(const char *s)
{
    mwds_yaml_desc d;
    echo(s, strlen(s), '\'', d.s, sizeof d.s);
    return d;
}

/* ---- nodes ----------------------------------------------------------------- */

const yaml_node_t *mwds_yaml_root(mwds_yaml_doc *d)
{
    return d->loaded ? yaml_document_get_root_node(&d->doc) : NULL;
}

static const yaml_node_t *node_get(mwds_yaml_doc *d, int index)
{
    return yaml_document_get_node(&d->doc, index);
}

size_t mwds_yaml_count(const yaml_node_t *seq)
{
    return (size_t)(seq->data.sequence.items.top - seq->data.sequence.items.start);
}

const yaml_node_t *mwds_yaml_item(mwds_yaml_doc *d, const yaml_node_t *seq, size_t i)
{
    return node_get(d, seq->data.sequence.items.start[i]);
}

int mwds_yaml_is_plain(const yaml_node_t *n)
{
    return n != NULL && n->type == YAML_SCALAR_NODE &&
           n->data.scalar.style == YAML_PLAIN_SCALAR_STYLE;
}

int mwds_yaml_is_null(const yaml_node_t *n)
{
    if (!mwds_yaml_is_plain(n))
        return 0;
    const char *v = (const char *)n->data.scalar.value;
    return v[0] == '\0' || strcmp(v, "~") == 0 || strcmp(v, "null") == 0 ||
           strcmp(v, "Null") == 0 || strcmp(v, "NULL") == 0;
}

const char *mwds_yaml_text(const yaml_node_t *n)
{
    if (n == NULL || n->type != YAML_SCALAR_NODE || mwds_yaml_is_null(n))
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
    if (!mwds_yaml_is_plain(n))
        return NUM_NOT_A_NUMBER;
    const char *s = mwds_yaml_text(n);
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

mwds_yaml_desc mwds_yaml_describe(const yaml_node_t *n)
{
    mwds_yaml_desc d;
    if (n == NULL) {
        snprintf(d.s, sizeof d.s, "nothing");
    } else if (n->type == YAML_MAPPING_NODE) {
        snprintf(d.s, sizeof d.s, "a mapping");
    } else if (n->type == YAML_SEQUENCE_NODE) {
        snprintf(d.s, sizeof d.s, "a list");
    } else if (n->type != YAML_SCALAR_NODE) {
        snprintf(d.s, sizeof d.s, "an empty node");
    } else {
        const char *v = (const char *)n->data.scalar.value;
        size_t len = n->data.scalar.length;
        char e[MWDS_YAML_ECHO_MAX * 4 + 8];
        double x;
        if (mwds_yaml_is_null(n)) {
            snprintf(d.s, sizeof d.s, "%s", len == 0 ? "nothing" : "null");
        } else if (!mwds_yaml_is_plain(n)) {
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

/* Edit distance with adjacent transpositions (optimal string alignment),
 * for "did you mean". Only for short strings; longer ones return a large
 * distance. */
static size_t edit_distance(const char *a, const char *b)
{
    enum { N = 48 };
    size_t la = strlen(a), lb = strlen(b);
    if (la >= N || lb >= N)
        return N;
    size_t dist[N + 1][N + 1];
    for (size_t i = 0; i <= la; i++)
        dist[i][0] = i;
    for (size_t j = 0; j <= lb; j++)
        dist[0][j] = j;
    for (size_t i = 1; i <= la; i++) {
        for (size_t j = 1; j <= lb; j++) {
            size_t cost = a[i - 1] == b[j - 1] ? 0 : 1;
            size_t best = dist[i - 1][j] + 1;
            if (dist[i][j - 1] + 1 < best)
                best = dist[i][j - 1] + 1;
            if (dist[i - 1][j - 1] + cost < best)
                best = dist[i - 1][j - 1] + cost;
            if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] &&
                dist[i - 2][j - 2] + 1 < best)
                best = dist[i - 2][j - 2] + 1;
            dist[i][j] = best;
        }
    }
    return dist[la][lb];
}

/* The nearest of n names, each the first member of a record of stride
 * bytes (a string array, or an mwds_yaml_key table), if it is a likely
 * misspelling: at most two edits and fewer than the key's length. */
static int closest(const char *key, const void *names, size_t stride, size_t n)
{
    size_t best = 0, best_d = (size_t)-1;
    for (size_t i = 0; i < n; i++) {
        const char *name;
        memcpy(&name, (const char *)names + i * stride, sizeof name);
        size_t dd = edit_distance(key, name);
        if (dd < best_d) {
            best_d = dd;
            best = i;
        }
    }
    return n > 0 && best_d <= 2 && best_d < strlen(key) ? (int)best : -1;
}

int mwds_yaml_closest(const char *key, const char *const *names, size_t n)
{
    return closest(key, names, sizeof names[0], n);
}

/* ---- mappings and sequences ------------------------------------------------ */

mwds_err mwds_yaml_pair(mwds_yaml_doc *d, const yaml_node_pair_t *pr, const char *field,
                        const yaml_node_t **k, const yaml_node_t **v, const char **key)
{
    const yaml_node_t *kn = node_get(d, pr->key), *vn = node_get(d, pr->value);
    const char *s = mwds_yaml_text(kn);
    if (s == NULL || vn == NULL)
        return mwds_yaml_fail(d, kn, MWDS_EPARSE, field, "expected a key name, got %s",
                              mwds_yaml_describe(kn).s);
    *k = kn;
    *v = vn;
    *key = s;
    return MWDS_OK;
}

static mwds_err unknown_key(mwds_yaml_doc *d, const yaml_node_t *k, const char *field,
                            const char *key, const mwds_yaml_key *keys, size_t n)
{
    mwds_yaml_desc e = mwds_yaml_escape(key);
    int best = closest(key, keys, sizeof keys[0], n);
    if (best >= 0)
        return mwds_yaml_fail(d, k, MWDS_EPARSE, field, "unknown key '%s' (did you mean '%s'?)",
                              e.s, keys[best].key);
    char list[400];
    size_t o = 0;
    list[0] = '\0';
    for (size_t i = 0; i < n && o < sizeof list; i++)
        o += (size_t)snprintf(list + o, sizeof list - o, "%s%s", i ? ", " : "", keys[i].key);
    return mwds_yaml_fail(d, k, MWDS_EPARSE, field, "unknown key '%s' (expected one of: %s)", e.s,
                          list);
}

mwds_err mwds_yaml_map(mwds_yaml_doc *d, const yaml_node_t *map, const char *field,
                       const char *what, const mwds_yaml_key *keys, size_t n,
                       const yaml_node_t **vals, const yaml_node_t **kn)
{
    for (size_t i = 0; i < n; i++)
        vals[i] = kn[i] = NULL;
    if (map->type != YAML_MAPPING_NODE)
        return mwds_yaml_fail(d, map, MWDS_EPARSE, field, "expected %s, got %s", what,
                              mwds_yaml_describe(map).s);
    for (const yaml_node_pair_t *p = map->data.mapping.pairs.start; p < map->data.mapping.pairs.top;
         p++) {
        const yaml_node_t *k = NULL, *v = NULL;
        const char *key = NULL;
        mwds_err rc = mwds_yaml_pair(d, p, field, &k, &v, &key);
        if (rc != MWDS_OK)
            return rc;
        size_t i = 0;
        while (i < n && strcmp(keys[i].key, key) != 0)
            i++;
        if (i == n)
            return unknown_key(d, k, field, key, keys, n);
        if (kn[i] != NULL)
            return mwds_yaml_fail(d, k, MWDS_EPARSE, field,
                                  "duplicate key '%s' (first at line %zu)", keys[i].key,
                                  kn[i]->start_mark.line + 1);
        kn[i] = k;
        vals[i] = keys[i].required || !mwds_yaml_is_null(v) ? v : NULL;
    }
    for (size_t i = 0; i < n; i++)
        if (keys[i].required && kn[i] == NULL)
            return mwds_yaml_fail(d, map, MWDS_EPARSE, field, "missing required key '%s'",
                                  keys[i].key);
    return MWDS_OK;
}

mwds_err mwds_yaml_seq(mwds_yaml_doc *d, const yaml_node_t *v, const char *field, const char *what,
                       size_t lo, size_t hi, size_t *n)
{
    if (v == NULL) {
        *n = 0;
        return MWDS_OK;
    }
    if (v->type != YAML_SEQUENCE_NODE)
        return mwds_yaml_fail(d, v, MWDS_EPARSE, field, "expected a list of %s, got %s", what,
                              mwds_yaml_describe(v).s);
    size_t count = mwds_yaml_count(v);
    if (count < lo || count > hi)
        return mwds_yaml_fail(d, v, MWDS_ERANGE, field, "expected %zu to %zu %s, got %zu", lo, hi,
                              what, count);
    *n = count;
    return MWDS_OK;
}

/* ---- typed values ---------------------------------------------------------- */

static int span_has(const mwds_yaml_span *sp, double x)
{
    if ((sp->flags & MWDS_YAML_OPEN_LO) ? !(x > sp->lo) : !(x >= sp->lo))
        return 0;
    if (sp->flags & MWDS_YAML_NO_HI)
        return 1;
    return (sp->flags & MWDS_YAML_OPEN_HI) ? x < sp->hi : x <= sp->hi;
}

typedef struct stext {
    char s[96];
} stext;

static stext span_text(const mwds_yaml_span *sp)
{
    stext t;
    if (sp->flags & MWDS_YAML_NO_HI)
        snprintf(t.s, sizeof t.s, "%s %s %g", sp->noun,
                 (sp->flags & MWDS_YAML_OPEN_LO) ? ">" : ">=", sp->lo);
    else
        snprintf(t.s, sizeof t.s, "%s in %c%g, %g%c", sp->noun,
                 (sp->flags & MWDS_YAML_OPEN_LO) ? '(' : '[', sp->lo, sp->hi,
                 (sp->flags & MWDS_YAML_OPEN_HI) ? ')' : ']');
    return t;
}

mwds_err mwds_yaml_num(mwds_yaml_doc *d, const yaml_node_t *v, const char *field,
                       const mwds_yaml_span *sp, double *out)
{
    if (v == NULL)
        return MWDS_OK;
    double x = 0.0;
    numres r = scalar_number(v, &x);
    if (r == NUM_NOT_A_NUMBER)
        return mwds_yaml_fail(d, v, MWDS_EPARSE, field, "expected %s, got %s", span_text(sp).s,
                              mwds_yaml_describe(v).s);
    if (r == NUM_TOO_LARGE || !span_has(sp, x))
        return mwds_yaml_fail(d, v, MWDS_ERANGE, field, "expected %s, got %s", span_text(sp).s,
                              mwds_yaml_describe(v).s);
    *out = x;
    return MWDS_OK;
}

mwds_err mwds_yaml_int(mwds_yaml_doc *d, const yaml_node_t *v, const char *field,
                       const mwds_yaml_span *sp, int *out)
{
    double x = 0.0;
    mwds_err rc = mwds_yaml_num(d, v, field, sp, &x);
    if (rc != MWDS_OK || v == NULL)
        return rc;
    if (x != floor(x) || fabs(x) > INT_MAX)
        return mwds_yaml_fail(d, v, MWDS_EPARSE, field, "expected %s, got %s",
                              span_text(sp).s, mwds_yaml_describe(v).s);
    *out = (int)x;
    return MWDS_OK;
}

mwds_err mwds_yaml_u64(mwds_yaml_doc *d, const yaml_node_t *v, const char *field, uint64_t *out)
{
    if (v == NULL)
        return MWDS_OK;
    const char *s = mwds_yaml_is_plain(v) ? mwds_yaml_text(v) : NULL;
    int digits = s != NULL && s[0] != '\0';
    for (const char *p = s; digits && *p != '\0'; p++)
        digits = *p >= '0' && *p <= '9';
    if (!digits)
        return mwds_yaml_fail(d, v, MWDS_EPARSE, field, "expected an unsigned integer, got %s",
                              mwds_yaml_describe(v).s);
    uint64_t x = 0;
    for (const char *p = s; *p != '\0'; p++) {
        unsigned dg = (unsigned)(*p - '0');
        if (x > (UINT64_MAX - dg) / 10)
            return mwds_yaml_fail(d, v, MWDS_ERANGE, field,
                                  "expected an unsigned integer below 2^64, got %s",
                                  mwds_yaml_describe(v).s);
        x = x * 10 + dg;
    }
    *out = x;
    return MWDS_OK;
}

mwds_err mwds_yaml_bool(mwds_yaml_doc *d, const yaml_node_t *v, const char *field, int *out)
{
    if (v == NULL)
        return MWDS_OK;
    const char *s = mwds_yaml_is_plain(v) ? mwds_yaml_text(v) : NULL;
    if (s != NULL && (!strcmp(s, "true") || !strcmp(s, "True") || !strcmp(s, "TRUE"))) {
        *out = 1;
        return MWDS_OK;
    }
    if (s != NULL && (!strcmp(s, "false") || !strcmp(s, "False") || !strcmp(s, "FALSE"))) {
        *out = 0;
        return MWDS_OK;
    }
    return mwds_yaml_fail(d, v, MWDS_EPARSE, field, "expected true or false, got %s",
                          mwds_yaml_describe(v).s);
}

static int str_char_ok(mwds_yaml_str_kind kind, unsigned char c)
{
    switch (kind) {
    case MWDS_YAML_LINE:
        return c >= 0x20 && c != 0x7f;
    case MWDS_YAML_BLOCK:
        return (c >= 0x20 && c != 0x7f) || c == '\n' || c == '\t';
    case MWDS_YAML_ID:
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
               c == '-' || c == '_' || c == '.';
    case MWDS_YAML_CODE:
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

static const char *str_expected(mwds_yaml_str_kind kind)
{
    switch (kind) {
    case MWDS_YAML_LINE:
        return "a one-line string";
    case MWDS_YAML_BLOCK:
        return "a string";
    case MWDS_YAML_ID:
        return "an id (letters, digits, '-', '_' or '.')";
    case MWDS_YAML_CODE:
        return "a nation code of three upper-case letters (ISO 3166 alpha-3)";
    }
    return "a string";
}

mwds_err mwds_yaml_str(mwds_yaml_doc *d, const yaml_node_t *v, const char *field,
                       mwds_yaml_str_kind kind, char *dst, size_t cap)
{
    if (v == NULL)
        return MWDS_OK;
    const char *s = mwds_yaml_text(v);
    if (s == NULL)
        return mwds_yaml_fail(d, v, MWDS_EPARSE, field, "expected %s, got %s", str_expected(kind),
                              v->type == YAML_SCALAR_NODE && !mwds_yaml_is_null(v)
                                  ? "a string holding a NUL byte"
                                  : mwds_yaml_describe(v).s);
    size_t n = v->data.scalar.length;
    if (kind == MWDS_YAML_CODE && n != 3)
        return mwds_yaml_fail(d, v, MWDS_EPARSE, field, "expected %s, got %s", str_expected(kind),
                              mwds_yaml_describe(v).s);
    if (n >= cap)
        return mwds_yaml_fail(d, v, MWDS_ERANGE, field, "expected at most %zu bytes, got %zu",
                              cap - 1, n);
    for (size_t i = 0; i < n; i++)
        if (!str_char_ok(kind, (unsigned char)s[i]) ||
            unicode_control((const unsigned char *)s + i, n - i))
            return mwds_yaml_fail(d, v, MWDS_EPARSE, field, "expected %s, got %s",
                                  str_expected(kind), mwds_yaml_describe(v).s);
    memcpy(dst, s, n + 1);
    return MWDS_OK;
}

/* ---- reading and YAML syntax ----------------------------------------------- */

void mwds_yaml_init(mwds_yaml_doc *d, const char *name, const mwds_yaml_limits *lim, char *err,
                    size_t err_len)
{
    memset(d, 0, sizeof *d);
    d->name = name != NULL ? name : "<input>";
    d->lim = lim;
    d->err = err;
    d->err_len = err_len;
    if (err != NULL && err_len > 0)
        err[0] = '\0';
}

void mwds_yaml_fini(mwds_yaml_doc *d)
{
    if (d->loaded)
        yaml_document_delete(&d->doc);
    d->loaded = 0;
}

/* A size as people write it: "16 MiB", "64 KiB", "1000 bytes". */
typedef struct sizetext {
    char s[32];
} sizetext;

static sizetext size_text(size_t n)
{
    sizetext t;
    if (n >= ((size_t)1 << 20) && n % ((size_t)1 << 20) == 0)
        snprintf(t.s, sizeof t.s, "%zu MiB", n >> 20);
    else if (n >= 1024 && n % 1024 == 0)
        snprintf(t.s, sizeof t.s, "%zu KiB", n >> 10);
    else
        snprintf(t.s, sizeof t.s, "%zu bytes", n);
    return t;
}

static mwds_err io_fail(mwds_yaml_doc *d, const char *doing, int e)
{
    char why[128];
    if (strerror_r(e, why, sizeof why) != 0)
        snprintf(why, sizeof why, "error %d", e);
    return mwds_yaml_fail_at(d, 0, 0, MWDS_EIO, "", "cannot %s: %s", doing, why);
}

mwds_err mwds_yaml_read(mwds_yaml_doc *d, const char *path, char **text, size_t *len)
{
    size_t max = d->lim->max_bytes;
    FILE *f = fopen(path, "rb");
    if (f == NULL)
        return io_fail(d, "open", errno);
    /* grown as needed: most files are small; one byte more than the limit
     * tells an over-long file from a full one */
    size_t cap = 64 * 1024 < max + 1 ? 64 * 1024 : max + 1, n = 0;
    char *buf = malloc(cap);
    mwds_err rc =
        buf != NULL ? MWDS_OK : mwds_yaml_fail_at(d, 0, 0, MWDS_ENOMEM, "", "out of memory");
    while (rc == MWDS_OK && n <= max) {
        if (n == cap) {
            size_t ncap = cap * 2 > max + 1 ? max + 1 : cap * 2;
            char *nb = realloc(buf, ncap);
            if (nb == NULL) {
                rc = mwds_yaml_fail_at(d, 0, 0, MWDS_ENOMEM, "", "out of memory");
                break;
            }
            buf = nb;
            cap = ncap;
        }
        size_t got = fread(buf + n, 1, cap - n, f);
        n += got;
        if (got == 0) {
            if (ferror(f))
                rc = io_fail(d, "read", errno);
            break;
        }
    }
    if (rc == MWDS_OK && n > max)
        rc = mwds_yaml_fail_at(d, 0, 0, MWDS_ERANGE, "",
                               "file is larger than the %s limit for %s files", size_text(max).s,
                               d->lim->what);
    fclose(f);
    if (rc != MWDS_OK) {
        free(buf);
        return rc;
    }
    *text = buf;
    *len = n;
    return MWDS_OK;
}

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

static mwds_err yaml_fail(mwds_yaml_doc *d, const yaml_parser_t *p, const char *text, size_t len)
{
    const char *problem = p->problem != NULL ? p->problem : "unknown problem";
    size_t line, col;
    switch (p->error) {
    case YAML_MEMORY_ERROR:
        return mwds_yaml_fail_at(d, 0, 0, MWDS_ENOMEM, "", "out of memory");
    case YAML_READER_ERROR:
        offset_lc(text, len, p->problem_offset, &line, &col);
        if (p->problem_value >= 0)
            return mwds_yaml_fail_at(d, line, col, MWDS_EPARSE, "",
                                     "YAML syntax error: %s (byte 0x%02x)", problem,
                                     (unsigned)p->problem_value);
        return mwds_yaml_fail_at(d, line, col, MWDS_EPARSE, "", "YAML syntax error: %s", problem);
    default:
        line = p->problem_mark.line + 1;
        col = p->problem_mark.column + 1;
        if (p->context != NULL)
            return mwds_yaml_fail_at(
                d, line, col, MWDS_EPARSE, "", "YAML syntax error: %s (%s at line %zu, column %zu)",
                problem, p->context, p->context_mark.line + 1, p->context_mark.column + 1);
        return mwds_yaml_fail_at(d, line, col, MWDS_EPARSE, "", "YAML syntax error: %s", problem);
    }
}

/* The first pass over libyaml's events (see yaml_doc.h for why): it bounds
 * what the document loader will be asked to do, and finds syntax errors and
 * a second document before the loader sees the text. */
static mwds_err precheck(mwds_yaml_doc *d, const char *text, size_t len)
{
    const mwds_yaml_limits *lim = d->lim;
    yaml_parser_t parser;
    if (!yaml_parser_initialize(&parser))
        return mwds_yaml_fail_at(d, 0, 0, MWDS_ENOMEM, "", "out of memory");
    yaml_parser_set_input_string(&parser, (const unsigned char *)text, len);
    size_t depth = 0, nodes = 0, anchors = 0, aliases = 0, docs = 0;
    mwds_err rc = MWDS_OK;
    for (;;) {
        yaml_event_t ev;
        if (!yaml_parser_parse(&parser, &ev)) {
            rc = yaml_fail(d, &parser, text, len);
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
            rc = mwds_yaml_fail_at(d, line, col, MWDS_EPARSE, "",
                                   "expected one YAML document, found a second one here");
        else if (depth > lim->max_depth)
            rc = mwds_yaml_fail_at(d, line, col, MWDS_ERANGE, "",
                                   "YAML nested more than %zu levels deep (a %s needs %zu)",
                                   lim->max_depth, lim->what, lim->needed_depth);
        else if (nodes > lim->max_nodes)
            rc = mwds_yaml_fail_at(d, line, col, MWDS_ERANGE, "", "more than %zu YAML nodes",
                                   lim->max_nodes);
        else if (anchors > lim->max_anchors)
            rc = mwds_yaml_fail_at(d, line, col, MWDS_ERANGE, "",
                                   "more than %zu YAML anchors (&name)", lim->max_anchors);
        else if (aliases > lim->max_aliases)
            rc = mwds_yaml_fail_at(d, line, col, MWDS_ERANGE, "",
                                   "more than %zu YAML aliases (*name)", lim->max_aliases);
        int end = ev.type == YAML_STREAM_END_EVENT;
        yaml_event_delete(&ev);
        if (rc != MWDS_OK || end)
            break;
    }
    yaml_parser_delete(&parser);
    return rc;
}

mwds_err mwds_yaml_parse(mwds_yaml_doc *d, const char *text, size_t len)
{
    mwds_yaml_fini(d);
    if (len > d->lim->max_bytes)
        return mwds_yaml_fail_at(d, 0, 0, MWDS_ERANGE, "",
                                 "%s is %zu bytes, more than the %s limit", d->lim->what, len,
                                 size_text(d->lim->max_bytes).s);
    mwds_err rc = precheck(d, text, len);
    if (rc != MWDS_OK)
        return rc;
    yaml_parser_t parser;
    if (!yaml_parser_initialize(&parser))
        return mwds_yaml_fail_at(d, 0, 0, MWDS_ENOMEM, "", "out of memory");
    yaml_parser_set_input_string(&parser, (const unsigned char *)text, len);
    /* after the first pass, the first document is the only one */
    if (yaml_parser_load(&parser, &d->doc))
        d->loaded = 1;
    else
        rc = yaml_fail(d, &parser, text, len);
    yaml_parser_delete(&parser);
    return rc;
}

mwds_err mwds_yaml_load(mwds_yaml_doc *d, const char *path)
{
    char *text = NULL;
    size_t len = 0;
    mwds_err rc = mwds_yaml_read(d, path, &text, &len);
    if (rc != MWDS_OK)
        return rc;
    rc = mwds_yaml_parse(d, text, len);
    free(text);
    return rc;
}
