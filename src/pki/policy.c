/*
 * Releasability policy files: YAML read with the shared loader (yaml_doc.h:
 * bounded parse, a line and column mark on every node, one-line messages),
 * checked against the schema in docs/security.md, and turned into one bit
 * set of receiving nations per nation and topic. See policy.h.
 *
 * How it works: as in the scenario loader, the document is walked by code
 * that follows the schema to a fixed depth, so aliases (which can make the
 * node graph cyclic) cannot make it loop. The policy is built in the loader
 * and copied out only when every check has passed.
 *
 * Errors: the first problem stops the load. Its message is one line,
 * "NAME:LINE:COLUMN: FIELD: what was expected, what was found", with a
 * 1-based line and column. Only an unreadable or over-long file has no line
 * and column.
 *
 * Limits: 16 nations, 1 MiB of text; YAML nested 8 deep (a policy needs 4),
 * 16,384 nodes, 64 anchors, 4,096 aliases.
 * Thread rules: reentrant, no global state.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mwds/policy.h"
#include "mwds/yaml_doc.h"

static const mwds_yaml_limits LIMITS = {
    .what = "policy",
    .max_bytes = (size_t)1 << 20,
    .max_depth = 8,
    .needed_depth = 4,
    .max_nodes = 16384,
    .max_anchors = 64,
    .max_aliases = 4096,
};

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
    mwds_yaml_doc y;                             /* the document and the message buffer */
    mwds_policy pol;                             /* built here, copied out on success */
    size_t nation_line[MWDS_POLICY_MAX_NATIONS]; /* line of each code, for duplicates */
} loader;

static int is_code(const char *s)
{
    if (s == NULL || strlen(s) != 3)
        return 0;
    for (int i = 0; i < 3; i++)
        if (s[i] < 'A' || s[i] > 'Z')
            return 0;
    return 1;
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

/* nations: [KOR, USA, JPN] */
static mwds_err load_nations(loader *ld, const yaml_node_t *v)
{
    mwds_policy *p = &ld->pol;
    if (v->type != YAML_SEQUENCE_NODE)
        return mwds_yaml_fail(&ld->y, v, MWDS_EPARSE, "nations",
                              "expected a list of nation codes such as [KOR, USA, JPN], got %s",
                              mwds_yaml_describe(v).s);
    size_t n = mwds_yaml_count(v);
    if (n < 1 || n > MWDS_POLICY_MAX_NATIONS)
        return mwds_yaml_fail(&ld->y, v, MWDS_ERANGE, "nations",
                              "expected 1 to %d nations, got %zu", MWDS_POLICY_MAX_NATIONS, n);
    for (size_t i = 0; i < n; i++) {
        const yaml_node_t *item = mwds_yaml_item(&ld->y, v, i);
        const char *code = mwds_yaml_text(item);
        mwds_yaml_path f = mwds_yaml_path_index("nations", i);
        if (!is_code(code))
            return mwds_yaml_fail(&ld->y, item, MWDS_EPARSE, f.s,
                                  "expected a nation code of three upper-case letters (ISO 3166 "
                                  "alpha-3), got %s",
                                  mwds_yaml_describe(item).s);
        for (size_t j = 0; j < i; j++)
            if (strcmp(p->nations[j], code) == 0)
                return mwds_yaml_fail(&ld->y, item, MWDS_EPARSE, f.s,
                                      "duplicate nation '%s' (first at line %zu)", code,
                                      ld->nation_line[j]);
        memcpy(p->nations[i], code, MWDS_NATION_LEN);
        ld->nation_line[i] = item->start_mark.line + 1;
        p->n_nations = (int)i + 1;
    }
    return MWDS_OK;
}

/* A nation code that must be one of the policy's. */
static mwds_err nation_ref(loader *ld, const yaml_node_t *v, const char *field, int *out)
{
    const char *code = mwds_yaml_text(v);
    int i = code != NULL ? mwds_policy_nation(&ld->pol, code) : -1;
    if (i >= 0) {
        *out = i;
        return MWDS_OK;
    }
    if (code == NULL || !is_code(code))
        return mwds_yaml_fail(&ld->y, v, MWDS_EPARSE, field,
                              "expected a nation code (one of %s), got %s", nation_list(&ld->pol).s,
                              mwds_yaml_describe(v).s);
    return mwds_yaml_fail(&ld->y, v, MWDS_EPARSE, field,
                          "unknown nation '%s' (the policy's nations are %s)", code,
                          nation_list(&ld->pol).s);
}

/* all | none | [codes]: the receiving set, without the releasing nation
 * (added later). */
static mwds_err nation_set(loader *ld, const yaml_node_t *v, const char *field, uint32_t *mask)
{
    const mwds_policy *p = &ld->pol;
    const char *word = mwds_yaml_text(v);
    if (word != NULL && strcmp(word, "all") == 0) {
        *mask = (uint32_t)((UINT64_C(1) << p->n_nations) - 1);
        return MWDS_OK;
    }
    if (word != NULL && strcmp(word, "none") == 0) {
        *mask = 0;
        return MWDS_OK;
    }
    if (v->type != YAML_SEQUENCE_NODE)
        return mwds_yaml_fail(&ld->y, v, MWDS_EPARSE, field,
                              "expected all, none or a list of nations such as [USA, JPN], got %s",
                              mwds_yaml_describe(v).s);
    uint32_t m = 0;
    size_t n = mwds_yaml_count(v);
    for (size_t i = 0; i < n; i++) {
        const yaml_node_t *item = mwds_yaml_item(&ld->y, v, i);
        mwds_yaml_path f = mwds_yaml_path_index(field, i);
        int k = -1;
        mwds_err rc = nation_ref(ld, item, f.s, &k);
        if (rc != MWDS_OK)
            return rc;
        if (m & (UINT32_C(1) << k))
            return mwds_yaml_fail(&ld->y, item, MWDS_EPARSE, f.s,
                                  "duplicate nation '%s' in the list", p->nations[k]);
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
        return mwds_yaml_fail(
            &ld->y, map, MWDS_EPARSE, field,
            "expected a mapping of topics (Measurement, Track, Warning, NodeStatus) to "
            "all, none or a list of nations, got %s",
            mwds_yaml_describe(map).s);
    for (const yaml_node_pair_t *pr = map->data.mapping.pairs.start;
         pr < map->data.mapping.pairs.top; pr++) {
        const yaml_node_t *k, *v;
        const char *key;
        mwds_err rc = mwds_yaml_pair(&ld->y, pr, field, &k, &v, &key);
        if (rc != MWDS_OK)
            return rc;
        int t = 0;
        while (t < MWDS_TOPIC_COUNT && strcmp(TOPIC_KEYS[t], key) != 0)
            t++;
        if (t == MWDS_TOPIC_COUNT) {
            int best = mwds_yaml_closest(key, TOPIC_KEYS, MWDS_TOPIC_COUNT);
            if (best >= 0)
                return mwds_yaml_fail(&ld->y, k, MWDS_EPARSE, field,
                                      "unknown topic '%s' (did you mean '%s'?)",
                                      mwds_yaml_escape(key).s, TOPIC_KEYS[best]);
            return mwds_yaml_fail(&ld->y, k, MWDS_EPARSE, field,
                                  "unknown topic '%s' (expected Measurement, Track, Warning or "
                                  "NodeStatus)",
                                  mwds_yaml_escape(key).s);
        }
        if (have[t] != NULL)
            return mwds_yaml_fail(&ld->y, k, MWDS_EPARSE, field,
                                  "duplicate topic '%s' (first at line %zu)", key,
                                  have[t]->start_mark.line + 1);
        have[t] = k;
        rc = nation_set(ld, v, mwds_yaml_path_key(field, key).s, &sets[t]);
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
        return mwds_yaml_fail(&ld->y, v, MWDS_EPARSE, "release",
                              "expected a mapping of 'default' and nation codes to topics, got %s",
                              mwds_yaml_describe(v).s);
    for (const yaml_node_pair_t *pr = v != NULL ? v->data.mapping.pairs.start : NULL;
         v != NULL && pr < v->data.mapping.pairs.top; pr++) {
        const yaml_node_t *k, *val;
        const char *key;
        mwds_err rc = mwds_yaml_pair(&ld->y, pr, "release", &k, &val, &key);
        if (rc != MWDS_OK)
            return rc;
        mwds_yaml_path f = mwds_yaml_path_key("release", key);
        if (strcmp(key, "default") == 0) {
            if (seen_default != NULL)
                return mwds_yaml_fail(&ld->y, k, MWDS_EPARSE, "release",
                                      "duplicate key 'default' (first at line %zu)",
                                      seen_default->start_mark.line + 1);
            seen_default = k;
            rc = load_topics(ld, val, f.s, dflt, dflt_have);
        } else {
            int i = mwds_policy_nation(p, key);
            if (i < 0)
                return mwds_yaml_fail(&ld->y, k, MWDS_EPARSE, "release",
                                      "unknown key '%s' (expected 'default' or one of the policy's "
                                      "nations: %s)",
                                      mwds_yaml_escape(key).s, nation_list(p).s);
            if (seen[i] != NULL)
                return mwds_yaml_fail(&ld->y, k, MWDS_EPARSE, "release",
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
    static const mwds_yaml_key KEYS[] = {{"nations", 1}, {"release", 0}};
    const yaml_node_t *root = mwds_yaml_root(&ld->y);
    if (root == NULL)
        return mwds_yaml_fail_at(&ld->y, 1, 1, MWDS_EPARSE, "",
                                 "expected %s, got an empty document", EXPECTED);
    const yaml_node_t *vals[2], *kn[2];
    mwds_err rc = mwds_yaml_map(&ld->y, root, "", EXPECTED, KEYS, 2, vals, kn);
    if (rc != MWDS_OK)
        return rc;
    /* "release:" with nothing after it is more likely a slip than a wish
     * for no release at all */
    if (kn[1] != NULL && vals[1] == NULL)
        return mwds_yaml_fail(&ld->y, kn[1], MWDS_EPARSE, "release",
                              "expected a mapping of 'default' and nation codes to topics, got "
                              "nothing");
    rc = load_nations(ld, vals[0]);
    if (rc == MWDS_OK)
        rc = load_release(ld, vals[1]);
    return rc;
}

/* ---- public ---------------------------------------------------------------- */

mwds_err mwds_policy_parse(const char *name, const char *text, size_t len, mwds_policy *out,
                           char *err, size_t err_len)
{
    loader ld;
    memset(&ld, 0, sizeof ld);
    mwds_yaml_init(&ld.y, name != NULL ? name : "<policy>", &LIMITS, err, err_len);
    if (out == NULL || (text == NULL && len > 0))
        return mwds_yaml_fail_at(&ld.y, 0, 0, MWDS_EINVAL, "",
                                 "no policy to parse (NULL argument)");
    mwds_err rc = mwds_yaml_parse(&ld.y, text != NULL ? text : "", len);
    if (rc == MWDS_OK)
        rc = load_root(&ld);
    mwds_yaml_fini(&ld.y);
    if (rc == MWDS_OK)
        *out = ld.pol;
    return rc;
}

mwds_err mwds_policy_load(const char *path, mwds_policy *out, char *err, size_t err_len)
{
    mwds_yaml_doc y;
    mwds_yaml_init(&y, path != NULL ? path : "<policy>", &LIMITS, err, err_len);
    if (path == NULL || out == NULL)
        return mwds_yaml_fail_at(&y, 0, 0, MWDS_EINVAL, "", "no policy to load (NULL argument)");
    char *text = NULL;
    size_t len = 0;
    mwds_err rc = mwds_yaml_read(&y, path, &text, &len);
    if (rc == MWDS_OK)
        rc = mwds_policy_parse(path, text, len, out, err, err_len);
    free(text);
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
