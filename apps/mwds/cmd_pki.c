/*
 * mwds pki init: makes the CA, each nation's identity certificate and
 * signed permissions, and the signed governance, from a releasability
 * policy. See docs/security.md.
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "cli.h"
#include "commands.h"
#include "mwds/pki.h"
#include "mwds/policy.h"

static const char PKI_HELP[] =
    "usage: mwds pki init --nations KOR,USA,JPN --policy FILE --out DIR [--days N] [--force]\n"
    "                     [--extra-topics PATTERN]\n"
    "\n"
    "Makes what DDS Security needs for the nations of a releasability policy, in DIR:\n"
    "  ca.pem, ca.key                the CA (identity and permissions CA)\n"
    "  governance.xml, .p7s          everything encrypted and access-controlled\n"
    "  NAT/cert.pem, NAT/key.pem     each nation's identity (subject CN=NAT,O=mwds)\n"
    "  NAT/permissions.xml, .p7s     what NAT may publish and read, from the policy\n"
    "Keys are written mode 0600; the .p7s files are signed by the CA.\n"
    "\n"
    "  --nations LIST        the nations, comma-separated; must be the policy's nations\n"
    "  --policy FILE         the releasability policy (YAML; see docs/security.md)\n"
    "  --out DIR             where to write (made if missing)\n"
    "  --days N              validity of certificates and permissions (default 365)\n"
    "  --force               replace a CA already in DIR (otherwise refused)\n"
    "  --extra-topics PAT    also let every nation publish and read topics matching PAT in\n"
    "                        any partition (e.g. 'DDSPerf*' for Cyclone's ddsperf)\n"
    "\n"
    "Exit status: 0 written, 1 failure while writing, 2 bad usage or input.\n";

/* The policy's nations, "KOR, USA, JPN". */
static void policy_nations(const mwds_policy *p, char *buf, size_t len)
{
    size_t o = 0;
    buf[0] = '\0';
    for (int i = 0; i < p->n_nations && o < len; i++)
        o += (size_t)snprintf(buf + o, len - o, "%s%s", i ? ", " : "", p->nations[i]);
}

/* Checks --nations against the policy's nations as sets; each code once. */
static int check_nations(const char *cmd, const char *list, const char *policy_path,
                         const mwds_policy *p)
{
    char codes[MWDS_POLICY_MAX_NATIONS + 1][MWDS_NATION_LEN];
    int n = 0;
    uint32_t seen = 0;
    const char *s = list;
    for (;;) {
        const char *comma = strchr(s, ',');
        size_t k = comma != NULL ? (size_t)(comma - s) : strlen(s);
        int ok = k == 3;
        for (size_t j = 0; ok && j < 3; j++)
            ok = s[j] >= 'A' && s[j] <= 'Z';
        if (!ok)
            return cli_usage_error(cmd,
                                   "--nations: expected codes of three upper-case letters "
                                   "separated by commas, got '%.*s' in '%s'",
                                   (int)(k > 40 ? 40 : k), s, list);
        if (n == MWDS_POLICY_MAX_NATIONS + 1)
            return cli_usage_error(cmd, "--nations: more than %d nations", MWDS_POLICY_MAX_NATIONS);
        memcpy(codes[n], s, 3);
        codes[n][3] = '\0';
        for (int j = 0; j < n; j++)
            if (strcmp(codes[j], codes[n]) == 0)
                return cli_usage_error(cmd, "--nations: %s is given twice", codes[n]);
        n++;
        if (comma == NULL)
            break;
        s = comma + 1;
    }
    char names[MWDS_POLICY_MAX_NATIONS * 5 + 1];
    policy_nations(p, names, sizeof names);
    for (int j = 0; j < n; j++) {
        int i = mwds_policy_nation(p, codes[j]);
        if (i < 0)
            return cli_usage_error(cmd, "--nations: %s is not in the policy %s (its nations: %s)",
                                   codes[j], policy_path, names);
        seen |= UINT32_C(1) << i;
    }
    for (int i = 0; i < p->n_nations; i++)
        if (!(seen & (UINT32_C(1) << i)))
            return cli_usage_error(cmd,
                                   "--nations: the policy %s also has %s (its nations: %s); "
                                   "list every one",
                                   policy_path, p->nations[i], names);
    return CLI_EXIT_OK;
}

/* What nation i publishes where, "Track in rel.JPN.KOR.USA, ...". */
static void publish_summary(const mwds_policy *p, int i, char *buf, size_t len)
{
    size_t o = 0;
    buf[0] = '\0';
    for (int t = 0; t < MWDS_TOPIC_COUNT && o < len; t++) {
        char part[MWDS_PARTITION_LEN];
        if (mwds_policy_partition_of(p, p->release[i][t], part, sizeof part) != MWDS_OK)
            snprintf(part, sizeof part, "?");
        o += (size_t)snprintf(buf + o, len - o, "%s%s in %s", t ? ", " : "",
                              mwds_topic_key((mwds_topic)t), part);
    }
}

static int pki_init(int argc, char **argv)
{
    const char *cmd = "pki init";
    cli_flag flags[] = {{"--nations", 1, NULL}, {"--policy", 1, NULL}, {"--out", 1, NULL},
                        {"--days", 1, NULL},    {"--force", 0, NULL},  {"--extra-topics", 1, NULL},
                        {"--help", 0, NULL},    {NULL, 0, NULL}};
    int rc = cli_start(cmd, argc, argv, flags, PKI_HELP);
    if (rc != CLI_CONTINUE)
        return rc;
    const char *nations = cli_get(flags, "--nations");
    const char *policy_path = cli_get(flags, "--policy");
    const char *out = cli_get(flags, "--out");
    if (nations == NULL)
        return cli_usage_error(cmd, "--nations: required (see mwds pki --help)");
    if (policy_path == NULL)
        return cli_usage_error(cmd, "--policy: required (see mwds pki --help)");
    if (out == NULL || out[0] == '\0')
        return cli_usage_error(cmd, "--out: required (see mwds pki --help)");
    mwds_pki_options opt;
    mwds_pki_options_default(&opt);
    const char *days = cli_get(flags, "--days");
    if (days != NULL) {
        double d = 0.0;
        if ((rc = cli_number(cmd, "--days", days, 1, MWDS_PKI_MAX_DAYS, &d)) != CLI_EXIT_OK)
            return rc;
        if (d != (double)(int)d)
            return cli_usage_error(cmd, "--days: expected a whole number of days, got '%s'", days);
        opt.days = (int)d;
    }
    opt.force = cli_get(flags, "--force") != NULL;
    opt.extra_topics = cli_get(flags, "--extra-topics");

    mwds_policy policy;
    char err[640] = "";
    mwds_err e = mwds_policy_load(policy_path, &policy, err, sizeof err);
    if (e != MWDS_OK) {
        fprintf(stderr, "mwds %s: --policy: %s\n", cmd, err);
        return e == MWDS_ENOMEM ? CLI_EXIT_FAIL : CLI_EXIT_USAGE;
    }
    if ((rc = check_nations(cmd, nations, policy_path, &policy)) != CLI_EXIT_OK)
        return rc;

    /* the one place the clock is read: the start of validity */
    struct timespec now;
    if (clock_gettime(CLOCK_REALTIME, &now) != 0) {
        fprintf(stderr, "mwds %s: cannot read the clock\n", cmd);
        return CLI_EXIT_FAIL;
    }
    opt.now_t_ns = (int64_t)now.tv_sec * MWDS_NS_PER_S + now.tv_nsec;
    e = mwds_pki_init(&policy, out, &opt, err, sizeof err);
    if (e != MWDS_OK) {
        /* EINVAL: the folder already holds a CA, or an option is bad */
        int usage = e == MWDS_EINVAL;
        int exists = usage && strstr(err, "ca.key") != NULL;
        fprintf(stderr, "mwds %s: %s%s%s\n", cmd, usage ? "--out: " : "", err,
                exists ? " (pass --force to replace it)" : "");
        return usage ? CLI_EXIT_USAGE : CLI_EXIT_FAIL;
    }
    printf("%s: ca.pem, ca.key, governance.xml, governance.p7s (valid %d days)\n", out, opt.days);
    for (int i = 0; i < policy.n_nations; i++) {
        char subject[32], pub[256];
        if (mwds_pki_subject(policy.nations[i], subject, sizeof subject) != MWDS_OK)
            snprintf(subject, sizeof subject, "?");
        publish_summary(&policy, i, pub, sizeof pub);
        printf("%s/%s: cert.pem, key.pem, permissions.xml, permissions.p7s (%s; publishes %s)\n",
               out, policy.nations[i], subject, pub);
    }
    return CLI_EXIT_OK;
}

int cmd_pki(int argc, char **argv)
{
    if (argc >= 2 && strcmp(argv[1], "init") == 0)
        return pki_init(argc - 1, argv + 1);
    if (argc >= 2 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 ||
                      strcmp(argv[1], "help") == 0)) {
        fputs(PKI_HELP, stdout);
        return CLI_EXIT_OK;
    }
    if (argc < 2)
        return cli_usage_error("pki", "expected a subcommand: init (see mwds pki --help)");
    return cli_usage_error("pki", "unknown subcommand '%s' (expected init; see mwds pki --help)",
                           argv[1]);
}
