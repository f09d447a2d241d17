/*
 * Releasability policy files: YAML read with libyaml's document API (a line
 * and column mark on every node), checked against the schema in
 * docs/security.md, and turned into one bit set of receiving nations per
 * nation and topic. See policy.h.
 *
 * How it works: as in the scenario loader, a first pass over libyaml's
 * events bounds the text (depth, nodes, anchors, aliases, one document),
 * then the document is loaded and walked by code that follows the schema
 * to a fixed depth, so aliases (which can make the node graph cyclic)
 * cannot make it loop. The policy is built in the loader and copied out
 * only when every check has passed.
 *
 * Errors: the first problem stops the load. Its message is one line,
 * "NAME:LINE:COLUMN: FIELD: what was expected, what was found", with a
 * 1-based line and column. Quoted values are escaped and cut to ECHO_MAX
 * characters. Only an unreadable or over-long file has no line and column.
 *
 * Limits: 16 nations, 1 MiB of text; YAML nested 8 deep (a policy needs 4),
 * 16,384 nodes, 64 anchors, 4,096 aliases.
 * Thread rules: reentrant, no global state.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <yaml.h>

#include "mwds/policy.h"

#define MAX_TEXT_BYTES ((size_t)1 << 20)
#define MAX_DEPTH 8
#define MAX_NODES 16384
#define MAX_ANCHORS 64
#define MAX_ALIASES 4096
#define ECHO_MAX 40 /* characters of a bad value quoted in a message */
#define MSG_MAX 512 /* longest message body before the location */

static const char *const TOPIC_NAMES[MWDS_TOPIC_COUNT] = {"mwds_Measurement", "mwds_Track",
                                                          "mwds_Warning", "mwds_NodeStatus"};
static const char *const TOPIC_KEYS[MWDS_TOPIC_COUNT] = {"Measurement", "Track", "Warning",
                                                         "NodeStatus"};

const char *mwds_topic_name(mwds_topic t)
{
    return (unsigned)t < MWDS_TOPIC_COUNT ? TOPIC_NAMES[t] : NULL;
}

const char *mwds_topic_key(mwds_topic t)
{
    return (unsigned)t < MWDS_TOPIC_COUNT ? TOPIC_KEYS[t] : NULL;
}

/* ---- the loader's state ---------------------------------------------------- */

typedef struct loader {
    const char *name; /* file name or the caller's label */
    char *err;
    size_t err_len;
    yaml_document_t doc;
    mwds_policy pol;                             /* built here, copied out on success */
    size_t nation_line[MWDS_POLICY_MAX_NATIONS]; /* line of each code, for duplicates */
} loader;

/* A field path such as "release.KOR.Track[1]". */
typedef struct fpath {
    char s[128];
} fpath;

static fpath path_key(const char *base, const char *key)
{
    fpath p;
    if (base[0] == '\0')
        snprintf(p.s, sizeof p.s, "%.60s", key);
    else
        snprintf(p.s, sizeof p.s, "%.60s.%.30s", base, key);
    return p;
}

static fpath path_index(const char *base, size_t i)
{
    fpath p;
    snprintf(p.s, sizeof p.s, "%.90s[%zu]", base, i);
    return p;
}

/* ---- messages -------------------------------------------------------------- */

/* s (n bytes) into out with anything but printable ASCII, the quote and the
 * backslash escaped, cut at ECHO_MAX characters. */
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

/* Control characters (from the caller's file name) become spaces: a message
 * is always one line. */
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

/* ---- nodes ----------------------------------------------------------------- */

static const yaml_node_t *node_get(loader *ld, int index)
{
    return yaml_document_get_node(&ld->doc, index);
}

/* YAML's null: an empty plain scalar, ~ or null. */
static int is_null(const yaml_node_t *n)
{
    if (n->type != YAML_SCALAR_NODE || n->data.scalar.style != YAML_PLAIN_SCALAR_STYLE)
        return 0;
    const char *v = (const char *)n->data.scalar.value;
    return v[0] == '\0' || strcmp(v, "~") == 0 || strcmp(v, "null") == 0 ||
           strcmp(v, "Null") == 0 || strcmp(v, "NULL") == 0;
}

/* The text of a non-null scalar, or NULL for anything else, including a
 * scalar holding a NUL byte (which no C string can carry). */
static const char *scalar_text(const yaml_node_t *n)
{
    if (n == NULL || n->type != YAML_SCALAR_NODE || is_null(n))
        return NULL;
    const char *v = (const char *)n->data.scalar.value;
    return strlen(v) == n->data.scalar.length ? v : NULL;
}

/* What a node is, for "got ...". */
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
        snprintf(d.s, sizeof d.s, "a list");
    } else if (n->type != YAML_SCALAR_NODE) {
        snprintf(d.s, sizeof d.s, "an empty node");
    } else if (is_null(n)) {
        snprintf(d.s, sizeof d.s, "%s", n->data.scalar.length == 0 ? "nothing" : "null");
    } else {
        char e[ECHO_MAX * 4 + 8];
        echo((const char *)n->data.scalar.value, n->data.scalar.length, '\'', e, sizeof e);
        snprintf(d.s, sizeof d.s, "'%s'", e);
    }
    return d;
}

static int is_code(const char *s)
{
    if (s == NULL || strlen(s) != 3)
        return 0;
    for (int i = 0; i < 3; i++)
        if (s[i] < 'A' || s[i] > 'Z')
            return 0;
    return 1;
}

/* Edit distance with adjacent transpositions, for "did you mean". Only for
 * short strings; longer ones give a large distance. */
static size_t edit_distance(const char *a, const char *b)
{
    enum { N = 24 };
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
            size_t best = d[i - 1][j] + 1;
            if (d[i][j - 1] + 1 < best)
                best = d[i][j - 1] + 1;
            if (d[i - 1][j - 1] + (a[i - 1] != b[j - 1]) < best)
                best = d[i - 1][j - 1] + (a[i - 1] != b[j - 1]);
            if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] &&
                d[i - 2][j - 2] + 1 < best)
                best = d[i - 2][j - 2] + 1;
            d[i][j] = best;
        }
    }
    return d[la][lb];
}

/* The policy's nations as "KOR, USA, JPN". */
typedef struct nlist {
    char s[MWDS_POLICY_MAX_NATIONS * 5 + 1];
} nlist;

static nlist nation_list(const mwds_policy *p)
{
    nlist l;
    size_t o = 0;
    l.s[0] = '\0';
    for (int i = 0; i < p->n_nations; i++)
        o += (size_t)snprintf(l.s + o, sizeof l.s - o, "%s%s", i ? ", " : "", p->nations[i]);
    return l;
}

/* ---- sections -------------------------------------------------------------- */

/* The key of a mapping pair, or an error at it. */
static mwds_err pair_key(loader *ld, const yaml_node_pair_t *pr, const char *field,
                         const yaml_node_t **k, const yaml_node_t **v, const char **key)
{
    *k = node_get(ld, pr->key);
    *v = node_get(ld, pr->value);
    *key = scalar_text(*k);
    if (*key == NULL || *v == NULL)
        return fail(ld, *k, MWDS_EPARSE, field, "expected a key name, got %s", describe(*k).s);
    return MWDS_OK;
}

/* nations: [KOR, USA, JPN] */
static mwds_err load_nations(loader *ld, const yaml_node_t *v)
{
    mwds_policy *p = &ld->pol;
    if (v->type != YAML_SEQUENCE_NODE)
        return fail(ld, v, MWDS_EPARSE, "nations",
                    "expected a list of nation codes such as [KOR, USA, JPN], got %s",
                    describe(v).s);
    size_t n = (size_t)(v->data.sequence.items.top - v->data.sequence.items.start);
    if (n < 1 || n > MWDS_POLICY_MAX_NATIONS)
        return fail(ld, v, MWDS_ERANGE, "nations", "expected 1 to %d nations, got %zu",
                    MWDS_POLICY_MAX_NATIONS, n);
    for (size_t i = 0; i < n; i++) {
        const yaml_node_t *item = node_get(ld, v->data.sequence.items.start[i]);
        const char *code = scalar_text(item);
        fpath f = path_index("nations", i);
        if (!is_code(code))
            return fail(ld, item, MWDS_EPARSE, f.s,
                        "expected a nation code of three upper-case letters (ISO 3166 "
                        "alpha-3), got %s",
                        describe(item).s);
        for (size_t j = 0; j < i; j++)
            if (strcmp(p->nations[j], code) == 0)
                return fail(ld, item, MWDS_EPARSE, f.s, "duplicate nation '%s' (first at line %zu)",
                            code, ld->nation_line[j]);
        memcpy(p->nations[i], code, MWDS_NATION_LEN);
        ld->nation_line[i] = item->start_mark.line + 1;
        p->n_nations = (int)i + 1;
    }
    return MWDS_OK;
}

/* A nation code that must be one of the policy's. */
static mwds_err nation_ref(loader *ld, const yaml_node_t *v, const char *field, int *out)
{
    const char *code = scalar_text(v);
    int i = code != NULL ? mwds_policy_nation(&ld->pol, code) : -1;
    if (i >= 0) {
        *out = i;
        return MWDS_OK;
    }
    if (code == NULL || !is_code(code))
        return fail(ld, v, MWDS_EPARSE, field, "expected a nation code (one of %s), got %s",
                    nation_list(&ld->pol).s, describe(v).s);
    return fail(ld, v, MWDS_EPARSE, field, "unknown nation '%s' (the policy's nations are %s)",
                code, nation_list(&ld->pol).s);
}

/* all | none | [codes]: the receiving set, without the releasing nation
 * (added later). */
static mwds_err nation_set(loader *ld, const yaml_node_t *v, const char *field, uint32_t *mask)
{
    const mwds_policy *p = &ld->pol;
    const char *word = scalar_text(v);
    if (word != NULL && strcmp(word, "all") == 0) {
        *mask = (uint32_t)((UINT64_C(1) << p->n_nations) - 1);
        return MWDS_OK;
    }
    if (word != NULL && strcmp(word, "none") == 0) {
        *mask = 0;
        return MWDS_OK;
    }
    if (v->type != YAML_SEQUENCE_NODE)
        return fail(ld, v, MWDS_EPARSE, field,
                    "expected all, none or a list of nations such as [USA, JPN], got %s",
                    describe(v).s);
    uint32_t m = 0;
    size_t n = (size_t)(v->data.sequence.items.top - v->data.sequence.items.start);
    for (size_t i = 0; i < n; i++) {
        const yaml_node_t *item = node_get(ld, v->data.sequence.items.start[i]);
        fpath f = path_index(field, i);
        int k = -1;
        mwds_err rc = nation_ref(ld, item, f.s, &k);
        if (rc != MWDS_OK)
            return rc;
        if (m & (UINT32_C(1) << k))
            return fail(ld, item, MWDS_EPARSE, f.s, "duplicate nation '%s' in the list",
                        p->nations[k]);
        m |= UINT32_C(1) << k;
    }
    *mask = m;
    return MWDS_OK;
}

/* { Track: all, Measurement: none, ... } into sets[] and have[]. */
static mwds_err load_topics(loader *ld, const yaml_node_t *map, const char *field,
                            uint32_t sets[MWDS_TOPIC_COUNT],
                            const yaml_node_t *have[MWDS_TOPIC_COUNT])
{
    for (int t = 0; t < MWDS_TOPIC_COUNT; t++)
        have[t] = NULL;
    if (map->type != YAML_MAPPING_NODE)
        return fail(ld, map, MWDS_EPARSE, field,
                    "expected a mapping of topics (Measurement, Track, Warning, NodeStatus) to "
                    "all, none or a list of nations, got %s",
                    describe(map).s);
    for (const yaml_node_pair_t *pr = map->data.mapping.pairs.start;
         pr < map->data.mapping.pairs.top; pr++) {
        const yaml_node_t *k, *v;
        const char *key;
        mwds_err rc = pair_key(ld, pr, field, &k, &v, &key);
        if (rc != MWDS_OK)
            return rc;
        int t = 0;
        while (t < MWDS_TOPIC_COUNT && strcmp(TOPIC_KEYS[t], key) != 0)
            t++;
        if (t == MWDS_TOPIC_COUNT) {
            char e[ECHO_MAX * 4 + 8];
            echo(key, strlen(key), '\'', e, sizeof e);
            int best = 0;
            size_t best_d = (size_t)-1;
            for (int i = 0; i < MWDS_TOPIC_COUNT; i++) {
                size_t dd = edit_distance(key, TOPIC_KEYS[i]);
                if (dd < best_d) {
                    best_d = dd;
                    best = i;
                }
            }
            if (best_d <= 2 && best_d < strlen(key))
                return fail(ld, k, MWDS_EPARSE, field, "unknown topic '%s' (did you mean '%s'?)", e,
                            TOPIC_KEYS[best]);
            return fail(ld, k, MWDS_EPARSE, field,
                        "unknown topic '%s' (expected Measurement, Track, Warning or "
                        "NodeStatus)",
                        e);
        }
        if (have[t] != NULL)
            return fail(ld, k, MWDS_EPARSE, field, "duplicate topic '%s' (first at line %zu)", key,
                        have[t]->start_mark.line + 1);
        have[t] = k;
        rc = nation_set(ld, v, path_key(field, key).s, &sets[t]);
        if (rc != MWDS_OK)
            return rc;
    }
    return MWDS_OK;
}

/* release: { default: {...}, KOR: {...}, ... } */
static mwds_err load_release(loader *ld, const yaml_node_t *v)
{
    mwds_policy *p = &ld->pol;
    uint32_t dflt[MWDS_TOPIC_COUNT] = {0};
    const yaml_node_t *dflt_have[MWDS_TOPIC_COUNT] = {NULL};
    uint32_t own[MWDS_POLICY_MAX_NATIONS][MWDS_TOPIC_COUNT] = {{0}};
    const yaml_node_t *own_have[MWDS_POLICY_MAX_NATIONS][MWDS_TOPIC_COUNT] = {{NULL}};
    const yaml_node_t *seen_default = NULL, *seen[MWDS_POLICY_MAX_NATIONS] = {NULL};
    if (v != NULL && v->type != YAML_MAPPING_NODE)
        return fail(ld, v, MWDS_EPARSE, "release",
                    "expected a mapping of 'default' and nation codes to topics, got %s",
                    describe(v).s);
    for (const yaml_node_pair_t *pr = v != NULL ? v->data.mapping.pairs.start : NULL;
         v != NULL && pr < v->data.mapping.pairs.top; pr++) {
        const yaml_node_t *k, *val;
        const char *key;
        mwds_err rc = pair_key(ld, pr, "release", &k, &val, &key);
        if (rc != MWDS_OK)
            return rc;
        fpath f = path_key("release", key);
        if (strcmp(key, "default") == 0) {
            if (seen_default != NULL)
                return fail(ld, k, MWDS_EPARSE, "release",
                            "duplicate key 'default' (first at line %zu)",
                            seen_default->start_mark.line + 1);
            seen_default = k;
            rc = load_topics(ld, val, f.s, dflt, dflt_have);
        } else {
            int i = mwds_policy_nation(p, key);
            if (i < 0) {
                char e[ECHO_MAX * 4 + 8];
                echo(key, strlen(key), '\'', e, sizeof e);
                return fail(ld, k, MWDS_EPARSE, "release",
                            "unknown key '%s' (expected 'default' or one of the policy's "
                            "nations: %s)",
                            e, nation_list(p).s);
            }
            if (seen[i] != NULL)
                return fail(ld, k, MWDS_EPARSE, "release",
                            "duplicate nation '%s' (first at line %zu)", key,
                            seen[i]->start_mark.line + 1);
            seen[i] = k;
            rc = load_topics(ld, val, f.s, own[i], own_have[i]);
        }
        if (rc != MWDS_OK)
            return rc;
    }
    for (int i = 0; i < p->n_nations; i++) {
        for (int t = 0; t < MWDS_TOPIC_COUNT; t++) {
            uint32_t m = own_have[i][t] != NULL ? own[i][t] : dflt_have[t] != NULL ? dflt[t] : 0;
            p->release[i][t] = m | (UINT32_C(1) << i);
        }
    }
    return MWDS_OK;
}

static mwds_err load_root(loader *ld)
{
    static const char *const EXPECTED =
        "a policy (a mapping with 'nations' and 'release', see docs/security.md)";
    const yaml_node_t *root = yaml_document_get_root_node(&ld->doc);
    if (root == NULL)
        return fail_lc(ld, 1, 1, MWDS_EPARSE, "", "expected %s, got an empty document", EXPECTED);
    if (root->type != YAML_MAPPING_NODE)
        return fail(ld, root, MWDS_EPARSE, "", "expected %s, got %s", EXPECTED, describe(root).s);
    static const char *const KEYS[] = {"nations", "release"};
    const yaml_node_t *kn[2] = {NULL, NULL}, *vals[2] = {NULL, NULL};
    for (const yaml_node_pair_t *pr = root->data.mapping.pairs.start;
         pr < root->data.mapping.pairs.top; pr++) {
        const yaml_node_t *k, *v;
        const char *key;
        mwds_err rc = pair_key(ld, pr, "", &k, &v, &key);
        if (rc != MWDS_OK)
            return rc;
        size_t i = 0;
        while (i < 2 && strcmp(KEYS[i], key) != 0)
            i++;
        if (i == 2) {
            char e[ECHO_MAX * 4 + 8];
            echo(key, strlen(key), '\'', e, sizeof e);
            size_t d0 = edit_distance(key, KEYS[0]), d1 = edit_distance(key, KEYS[1]);
            size_t best = d1 < d0 ? 1 : 0, bd = d1 < d0 ? d1 : d0;
            if (bd <= 2 && bd < strlen(key))
                return fail(ld, k, MWDS_EPARSE, "", "unknown key '%s' (did you mean '%s'?)", e,
                            KEYS[best]);
            return fail(ld, k, MWDS_EPARSE, "",
                        "unknown key '%s' (expected one of: nations, release)", e);
        }
        if (kn[i] != NULL)
            return fail(ld, k, MWDS_EPARSE, "", "duplicate key '%s' (first at line %zu)", key,
                        kn[i]->start_mark.line + 1);
        kn[i] = k;
        vals[i] = v;
    }
    if (kn[0] == NULL)
        return fail(ld, root, MWDS_EPARSE, "", "missing required key 'nations'");
    mwds_err rc = load_nations(ld, vals[0]);
    if (rc == MWDS_OK)
        rc = load_release(ld, vals[1]);
    return rc;
}

/* ---- YAML syntax ----------------------------------------------------------- */

/* Line and column (1-based) of a byte offset, for reader errors, which carry
 * an offset rather than a mark; columns count characters, as libyaml's
 * marks do. */
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
 * is asked to do: libyaml is quadratic in nesting depth and in anchors, and
 * allocates a node per scalar and collection, so stopping here keeps the
 * cost linear and the memory bounded. It also finds syntax errors and a
 * second document. */
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
                         "YAML nested more than %d levels deep (a policy needs 4)", MAX_DEPTH);
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

/* Loads the only document in text into ld->doc; on failure ld->doc holds
 * nothing. */
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

mwds_err mwds_policy_parse(const char *name, const char *text, size_t len, mwds_policy *out,
                           char *err, size_t err_len)
{
    loader ld;
    memset(&ld, 0, sizeof ld);
    ld.name = name != NULL ? name : "<policy>";
    ld.err = err;
    ld.err_len = err_len;
    if (err != NULL && err_len > 0)
        err[0] = '\0';
    if (out == NULL || (text == NULL && len > 0))
        return fail_lc(&ld, 0, 0, MWDS_EINVAL, "", "no policy to parse (NULL argument)");
    if (len > MAX_TEXT_BYTES)
        return fail_lc(&ld, 0, 0, MWDS_ERANGE, "", "policy is %zu bytes, more than the 1 MiB limit",
                       len);
    mwds_err rc = load_yaml(&ld, text != NULL ? text : "", len);
    if (rc != MWDS_OK)
        return rc;
    rc = load_root(&ld);
    yaml_document_delete(&ld.doc);
    if (rc == MWDS_OK)
        *out = ld.pol;
    return rc;
}

mwds_err mwds_policy_load(const char *path, mwds_policy *out, char *err, size_t err_len)
{
    loader ld;
    memset(&ld, 0, sizeof ld);
    ld.name = path != NULL ? path : "<policy>";
    ld.err = err;
    ld.err_len = err_len;
    if (path == NULL || out == NULL)
        return fail_lc(&ld, 0, 0, MWDS_EINVAL, "", "no policy to load (NULL argument)");
    char why[128];
    FILE *f = fopen(path, "rb");
    if (f == NULL) {
        int e = errno;
        if (strerror_r(e, why, sizeof why) != 0)
            snprintf(why, sizeof why, "error %d", e);
        return fail_lc(&ld, 0, 0, MWDS_EIO, "", "cannot open: %s", why);
    }
    /* one byte more than the limit tells an over-long file from a full one */
    char *buf = malloc(MAX_TEXT_BYTES + 1);
    if (buf == NULL) {
        fclose(f);
        return fail_lc(&ld, 0, 0, MWDS_ENOMEM, "", "out of memory");
    }
    size_t n = fread(buf, 1, MAX_TEXT_BYTES + 1, f);
    mwds_err rc = MWDS_OK;
    if (ferror(f)) {
        int e = errno;
        if (strerror_r(e, why, sizeof why) != 0)
            snprintf(why, sizeof why, "error %d", e);
        rc = fail_lc(&ld, 0, 0, MWDS_EIO, "", "cannot read: %s", why);
    } else if (n > MAX_TEXT_BYTES) {
        rc = fail_lc(&ld, 0, 0, MWDS_ERANGE, "",
                     "file is larger than the 1 MiB limit for policy files");
    }
    fclose(f);
    if (rc == MWDS_OK)
        rc = mwds_policy_parse(path, buf, n, out, err, err_len);
    free(buf);
    return rc;
}

int mwds_policy_nation(const mwds_policy *p, const char *code)
{
    if (p == NULL || code == NULL)
        return -1;
    for (int i = 0; i < p->n_nations && i < MWDS_POLICY_MAX_NATIONS; i++)
        if (strcmp(p->nations[i], code) == 0)
            return i;
    return -1;
}

mwds_err mwds_policy_partition_of(const mwds_policy *p, uint32_t mask, char *buf, size_t len)
{
    if (p == NULL || buf == NULL || p->n_nations < 1 || p->n_nations > MWDS_POLICY_MAX_NATIONS ||
        mask == 0 || (mask >> p->n_nations) != 0)
        return MWDS_EINVAL;
    /* selection sort of at most 16 codes: the order is byte order of the
     * codes, not the policy's order, so every node names a set alike */
    int idx[MWDS_POLICY_MAX_NATIONS], n = 0;
    for (int i = 0; i < p->n_nations; i++)
        if (mask & (UINT32_C(1) << i))
            idx[n++] = i;
    for (int a = 0; a < n; a++)
        for (int b = a + 1; b < n; b++)
            if (strcmp(p->nations[idx[b]], p->nations[idx[a]]) < 0) {
                int t = idx[a];
                idx[a] = idx[b];
                idx[b] = t;
            }
    char tmp[MWDS_PARTITION_LEN];
    size_t o = 0;
    memcpy(tmp, "rel", 3);
    o = 3;
    for (int a = 0; a < n; a++) {
        size_t cl = strnlen(p->nations[idx[a]], MWDS_NATION_LEN - 1);
        tmp[o++] = '.';
        memcpy(tmp + o, p->nations[idx[a]], cl);
        o += cl;
    }
    tmp[o] = '\0';
    if (o + 1 > len)
        return MWDS_EINVAL;
    memcpy(buf, tmp, o + 1);
    return MWDS_OK;
}

mwds_err mwds_policy_partition(const mwds_policy *p, const char *nation, mwds_topic t, char *buf,
                               size_t len)
{
    if (p == NULL || nation == NULL || buf == NULL || (unsigned)t >= MWDS_TOPIC_COUNT)
        return MWDS_EINVAL;
    int i = mwds_policy_nation(p, nation);
    if (i < 0)
        return MWDS_ENOTFOUND;
    return mwds_policy_partition_of(p, p->release[i][t], buf, len);
}
