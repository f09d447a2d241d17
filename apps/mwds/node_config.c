/* The node's configuration file; see node_config.h. */
#include "node_config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

#define MAX_CONFIG_BYTES (64 * 1024)

static int fail(char *err, size_t len, const char *path, const yaml_node_t *n, const char *key,
                const char *what)
{
    if (n)
        snprintf(err, len, "%s:%zu:%zu: %s: %s", path, (size_t)n->start_mark.line + 1,
                 (size_t)n->start_mark.column + 1, key, what);
    else
        snprintf(err, len, "%s: %s: %s", path, key, what);
    return -1;
}

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

static int parse_bool(const char *s, int *out)
{
    if (!strcmp(s, "true") || !strcmp(s, "yes")) {
        *out = 1;
        return 0;
    }
    if (!strcmp(s, "false") || !strcmp(s, "no")) {
        *out = 0;
        return 0;
    }
    return -1;
}

static int parse_num(const char *s, double lo, double hi, double *out)
{
    char *end;
    errno = 0;
    double v = strtod(s, &end);
    if (end == s || *end != '\0' || errno != 0 || !(v >= lo && v <= hi))
        return -1;
    *out = v;
    return 0;
}

enum { K_NATION, K_POLICY, K_PKI, K_SENSORS, K_JOURNAL, K_AREAS, K_DOMAIN, K_SECURE,
       K_LOOPBACK, K_EXERCISE, K_HEARTBEAT, K_ASSESS, K_COUNT };
static const char *const KEYS[K_COUNT] = {"nation",   "policy",    "pki",         "sensors",
                                          "journal",  "areas",     "domain_id",   "secure",
                                          "loopback", "exercise",  "heartbeat_s", "assess_interval_s"};

static int load_doc(const char *path, yaml_document_t *doc, char *err, size_t err_len)
{
    FILE *f = fopen(path, "rb");
    if (f == NULL) {
        snprintf(err, err_len, "%s: cannot open: %s", path, strerror(errno));
        return -1;
    }
    char *buf = malloc(MAX_CONFIG_BYTES + 1);
    size_t n = buf ? fread(buf, 1, MAX_CONFIG_BYTES + 1, f) : 0;
    int rd_err = ferror(f);
    fclose(f);
    if (buf == NULL || rd_err) {
        free(buf);
        snprintf(err, err_len, "%s: cannot read", path);
        return -1;
    }
    if (n > MAX_CONFIG_BYTES) {
        free(buf);
        snprintf(err, err_len, "%s: larger than %d bytes: not a node configuration", path,
                 MAX_CONFIG_BYTES);
        return -1;
    }
    yaml_parser_t p;
    yaml_parser_initialize(&p);
    yaml_parser_set_input_string(&p, (const unsigned char *)buf, n);
    int ok = yaml_parser_load(&p, doc);
    if (!ok) {
        snprintf(err, err_len, "%s:%zu:%zu: not valid YAML: %s", path,
                 (size_t)p.problem_mark.line + 1, (size_t)p.problem_mark.column + 1,
                 p.problem ? p.problem : "syntax error");
    }
    yaml_parser_delete(&p);
    free(buf);
    return ok ? 0 : -1;
}

int node_config_load(const char *path, const char *default_areas, node_config *out, char *err,
                     size_t err_len)
{
    node_config c;
    memset(&c, 0, sizeof c);
    c.secure = c.loopback = c.exercise = 1;
    c.heartbeat_s = 1.0;
    c.assess_interval_s = 2.0;
    yaml_document_t doc;
    if (load_doc(path, &doc, err, err_len) != 0)
        return -1;
    int rc = 0, seen[K_COUNT] = {0};
    yaml_node_t *root = yaml_document_get_root_node(&doc);
    if (root == NULL || root->type != YAML_MAPPING_NODE) {
        rc = fail(err, err_len, path, root, "(top level)",
                  "expected a mapping of keys (nation, policy, pki, sensors, journal, ...)");
        goto done;
    }
    for (yaml_node_pair_t *pr = root->data.mapping.pairs.start;
         rc == 0 && pr < root->data.mapping.pairs.top; pr++) {
        yaml_node_t *k = yaml_document_get_node(&doc, pr->key);
        yaml_node_t *v = yaml_document_get_node(&doc, pr->value);
        if (k == NULL || k->type != YAML_SCALAR_NODE) {
            rc = fail(err, err_len, path, k, "(key)", "expected a plain key");
            break;
        }
        const char *key = (const char *)k->data.scalar.value;
        int ki = 0;
        while (ki < K_COUNT && strcmp(key, KEYS[ki]) != 0)
            ki++;
        if (ki == K_COUNT) {
            rc = fail(err, err_len, path, k, key,
                      "unknown key (expected nation, policy, pki, sensors, journal, areas, "
                      "domain_id, secure, loopback, exercise, heartbeat_s, assess_interval_s)");
            break;
        }
        if (seen[ki]++) {
            rc = fail(err, err_len, path, k, key, "given twice");
            break;
        }
        if (v == NULL || v->type != YAML_SCALAR_NODE || v->data.scalar.length == 0) {
            rc = fail(err, err_len, path, v ? v : k, key, "expected a value");
            break;
        }
        const char *s = (const char *)v->data.scalar.value;
        double num;
        switch (ki) {
        case K_NATION:
            if (strlen(s) != 3 || s[0] < 'A' || s[0] > 'Z' || s[1] < 'A' || s[1] > 'Z' ||
                s[2] < 'A' || s[2] > 'Z')
                rc = fail(err, err_len, path, v, key,
                          "expected an ISO 3166 alpha-3 code such as KOR");
            else
                memcpy(c.nation, s, 4);
            break;
        case K_POLICY:
        case K_PKI:
        case K_SENSORS:
        case K_JOURNAL:
        case K_AREAS: {
            char *dst = ki == K_POLICY    ? c.policy
                        : ki == K_PKI     ? c.pki
                        : ki == K_SENSORS ? c.sensors
                        : ki == K_JOURNAL ? c.journal
                                          : c.areas;
            if (resolve(path, s, dst, NODE_PATH_LEN) != 0)
                rc = fail(err, err_len, path, v, key, "path too long");
            break;
        }
        case K_DOMAIN:
            if (parse_num(s, 0, 230, &num) != 0 || num != (double)(uint32_t)num)
                rc = fail(err, err_len, path, v, key, "expected a whole number 0..230");
            else
                c.domain_id = (uint32_t)num;
            break;
        case K_SECURE:
        case K_LOOPBACK:
        case K_EXERCISE: {
            int *dst = ki == K_SECURE ? &c.secure : ki == K_LOOPBACK ? &c.loopback : &c.exercise;
            if (parse_bool(s, dst) != 0)
                rc = fail(err, err_len, path, v, key, "expected true or false");
            break;
        }
        case K_HEARTBEAT:
        case K_ASSESS:
            if (parse_num(s, 0.01, 3600, &num) != 0)
                rc = fail(err, err_len, path, v, key, "expected seconds, 0.01..3600");
            else if (ki == K_HEARTBEAT)
                c.heartbeat_s = num;
            else
                c.assess_interval_s = num;
            break;
        default:
            break;
        }
    }
    if (rc == 0) {
        static const int REQUIRED[] = {K_NATION, K_POLICY, K_SENSORS, K_JOURNAL};
        for (size_t i = 0; i < sizeof REQUIRED / sizeof REQUIRED[0] && rc == 0; i++)
            if (!seen[REQUIRED[i]])
                rc = fail(err, err_len, path, NULL, KEYS[REQUIRED[i]], "missing (required)");
        if (rc == 0 && c.secure && !seen[K_PKI])
            rc = fail(err, err_len, path, NULL, "pki",
                      "missing: security is on and needs the folder mwds pki init made");
        if (rc == 0 && !seen[K_AREAS])
            snprintf(c.areas, sizeof c.areas, "%s", default_areas ? default_areas : "");
    }
done:
    yaml_document_delete(&doc);
    if (rc == 0)
        *out = c;
    return rc;
}
