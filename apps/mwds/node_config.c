/* The node's configuration file; see node_config.h. It is read with the
 * loader the scenario and the policy use (mwds/yaml_doc.h), so its messages
 * name the file, line, column and key in the same way. */
#include "node_config.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "mwds/yaml_doc.h"

/* A flat mapping of a dozen keys: a few hundred bytes, one level. */
static const mwds_yaml_limits LIMITS = {
    .what = "node configuration",
    .max_bytes = 64 * 1024,
    .max_depth = 4,
    .needed_depth = 1,
    .max_nodes = 1024,
    .max_anchors = 16,
    .max_aliases = 64,
};

enum {
    K_NATION,
    K_POLICY,
    K_PKI,
    K_SENSORS,
    K_JOURNAL,
    K_AREAS,
    K_DOMAIN,
    K_SECURE,
    K_LOOPBACK,
    K_EXERCISE,
    K_HEARTBEAT,
    K_ASSESS,
    K_REALTIME,
    K_CPU_LATENCY,
    K_COUNT
};
static const mwds_yaml_key KEYS[K_COUNT] = {
    [K_NATION] = {"nation", 1},
    [K_POLICY] = {"policy", 1},
    [K_PKI] = {"pki", 0},
    [K_SENSORS] = {"sensors", 1},
    [K_JOURNAL] = {"journal", 1},
    [K_AREAS] = {"areas", 0},
    [K_DOMAIN] = {"domain_id", 0},
    [K_SECURE] = {"secure", 0},
    [K_LOOPBACK] = {"loopback", 0},
    [K_EXERCISE] = {"exercise", 0},
    [K_HEARTBEAT] = {"heartbeat_s", 0},
    [K_ASSESS] = {"assess_interval_s", 0},
    [K_REALTIME] = {"realtime_priority", 0},
    [K_CPU_LATENCY] = {"cpu_latency_us", 0},
};

static const mwds_yaml_span SPAN_DOMAIN = {"a whole number", 0.0, 230.0, 0};
static const mwds_yaml_span SPAN_SECONDS = {"seconds", 0.01, 3600.0, 0};
static const mwds_yaml_span SPAN_RT = {"a whole number", 0.0, 99.0, 0};
static const mwds_yaml_span SPAN_CPU_LATENCY = {"a whole number of microseconds", 0.0, 100000.0, 0};

/* dir of path + rel, unless rel is absolute. */
static int resolve(const char *path, const char *rel, char *out, size_t len)
{
    const char *slash = strrchr(path, '/');
    int k;
    if (rel[0] == '/' || slash == NULL)
        k = snprintf(out, len, "%s", rel);
    else
        k = snprintf(out, len, "%.*s/%s", (int)(slash - path), path, rel);
    return k >= 0 && (size_t)k < len ? 0 : -1;
}

/* A path relative to the folder of the configuration file at base. */
static mwds_err get_path(mwds_yaml_doc *y, const yaml_node_t *v, const char *key, const char *base,
                         char *dst)
{
    const char *s = mwds_yaml_text(v);
    if (s == NULL || s[0] == '\0')
        return mwds_yaml_fail(y, v, MWDS_EPARSE, key, "expected a file or folder path, got %s",
                              mwds_yaml_describe(v).s);
    if (resolve(base, s, dst, NODE_PATH_LEN) != 0)
        return mwds_yaml_fail(y, v, MWDS_ERANGE, key,
                              "path too long (at most %d bytes with the configuration's folder)",
                              NODE_PATH_LEN - 1);
    return MWDS_OK;
}

/* true or false; yes and no too, which the first node configurations
 * accepted. */
static mwds_err get_bool(mwds_yaml_doc *y, const yaml_node_t *v, const char *key, int *out)
{
    const char *s = mwds_yaml_is_plain(v) ? mwds_yaml_text(v) : NULL;
    if (s != NULL && (!strcmp(s, "yes") || !strcmp(s, "no"))) {
        *out = s[0] == 'y';
        return MWDS_OK;
    }
    return mwds_yaml_bool(y, v, key, out);
}

static mwds_err load_keys(mwds_yaml_doc *y, const char *path, const yaml_node_t *root,
                          node_config *c, int *has_pki, int *has_areas)
{
    const yaml_node_t *val[K_COUNT], *kn[K_COUNT];
    mwds_err rc = mwds_yaml_map(y, root, "",
                                "a node configuration (a mapping with nation, policy, pki, "
                                "sensors, journal, ...)",
                                KEYS, K_COUNT, val, kn);
    /* every key, optional or not, needs a value when it is given: an empty
     * one is more likely a slip than a wish for the default */
    for (int i = 0; i < K_COUNT && rc == MWDS_OK; i++)
        if (kn[i] != NULL && (val[i] == NULL || mwds_yaml_is_null(val[i])))
            rc = mwds_yaml_fail(y, val[i] != NULL ? val[i] : kn[i], MWDS_EPARSE, KEYS[i].key,
                                "expected a value, got %s", mwds_yaml_describe(val[i]).s);
    if (rc == MWDS_OK)
        rc = mwds_yaml_str(y, val[K_NATION], "nation", MWDS_YAML_CODE, c->nation, sizeof c->nation);
    char *const paths[] = {[K_POLICY] = c->policy,
                           [K_PKI] = c->pki,
                           [K_SENSORS] = c->sensors,
                           [K_JOURNAL] = c->journal,
                           [K_AREAS] = c->areas};
    for (int i = K_POLICY; i <= K_AREAS && rc == MWDS_OK; i++)
        if (val[i] != NULL)
            rc = get_path(y, val[i], KEYS[i].key, path, paths[i]);
    int domain = 0;
    if (rc == MWDS_OK)
        rc = mwds_yaml_int(y, val[K_DOMAIN], "domain_id", &SPAN_DOMAIN, &domain);
    if (rc == MWDS_OK)
        c->domain_id = (uint32_t)domain;
    if (rc == MWDS_OK)
        rc = get_bool(y, val[K_SECURE], "secure", &c->secure);
    if (rc == MWDS_OK)
        rc = get_bool(y, val[K_LOOPBACK], "loopback", &c->loopback);
    if (rc == MWDS_OK)
        rc = get_bool(y, val[K_EXERCISE], "exercise", &c->exercise);
    if (rc == MWDS_OK)
        rc = mwds_yaml_num(y, val[K_HEARTBEAT], "heartbeat_s", &SPAN_SECONDS, &c->heartbeat_s);
    if (rc == MWDS_OK)
        rc = mwds_yaml_num(y, val[K_ASSESS], "assess_interval_s", &SPAN_SECONDS,
                           &c->assess_interval_s);
    if (rc == MWDS_OK)
        rc = mwds_yaml_int(y, val[K_REALTIME], "realtime_priority", &SPAN_RT,
                           &c->realtime_priority);
    if (rc == MWDS_OK && val[K_CPU_LATENCY] != NULL)
        rc = mwds_yaml_int(y, val[K_CPU_LATENCY], "cpu_latency_us", &SPAN_CPU_LATENCY,
                           &c->cpu_latency_us);
    *has_pki = kn[K_PKI] != NULL;
    *has_areas = kn[K_AREAS] != NULL;
    return rc;
}

int node_config_load(const char *path, const char *default_areas, node_config *out, char *err,
                     size_t err_len)
{
    node_config c;
    memset(&c, 0, sizeof c);
    c.secure = c.loopback = c.exercise = 1;
    c.heartbeat_s = 1.0;
    c.assess_interval_s = 2.0;
    c.cpu_latency_us = -1;
    mwds_yaml_doc y;
    mwds_yaml_init(&y, path, &LIMITS, err, err_len);
    mwds_err rc = mwds_yaml_load(&y, path);
    const yaml_node_t *root = rc == MWDS_OK ? mwds_yaml_root(&y) : NULL;
    if (rc == MWDS_OK && root == NULL)
        rc = mwds_yaml_fail_at(&y, 1, 1, MWDS_EPARSE, "",
                               "expected a node configuration (nation, policy, pki, sensors, "
                               "journal, ...), got an empty document");
    int has_pki = 0, has_areas = 0;
    if (rc == MWDS_OK)
        rc = load_keys(&y, path, root, &c, &has_pki, &has_areas);
    if (rc == MWDS_OK && c.secure && !has_pki)
        rc = mwds_yaml_fail(&y, root, MWDS_EPARSE, "",
                            "missing key 'pki': security is on and needs the folder mwds pki "
                            "init made (or secure: false)");
    if (rc == MWDS_OK && !has_areas)
        snprintf(c.areas, sizeof c.areas, "%s", default_areas ? default_areas : "");
    mwds_yaml_fini(&y);
    if (rc != MWDS_OK)
        return -1;
    *out = c;
    return 0;
}
