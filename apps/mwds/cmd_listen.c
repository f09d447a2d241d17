/*
 * mwds listen: joins the domain as one nation and counts what it can read:
 * the integrator's check of what a nation is cleared for, and the access
 * control tests' probe. Reads tracks, warnings and heartbeats for --seconds,
 * then prints the counts per topic and origin.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli.h"
#include "commands.h"
#include "mwds/net.h"
#include "mwds/policy.h"

static const char LISTEN_HELP[] =
    "usage: mwds listen --nation NAT --policy FILE (--pki DIR | --insecure) [--domain N]\n"
    "                   [--partition P] [--seconds S] [--identity-ca F] [--cert F] [--key F]\n"
    "                   [--permissions F] [--permissions-ca F] [--governance F]\n"
    "\n"
    "Joins the domain with NAT's identity and counts the tracks, warnings and heartbeats\n"
    "it can read in S seconds (default 10), per origin: one line per topic and origin,\n"
    "'TOPIC ORIGIN COUNT', then 'end'. --partition reads that partition instead of NAT's own;\n"
    "the file options replace single documents of the PKI folder. Exit 1 with the\n"
    "reason if DDS Security refuses the participant or the reader.\n";

typedef struct tally {
    char origin[MWDS_POLICY_MAX_NATIONS + 1][MWDS_NATION_LEN];
    long n[MWDS_TOPIC_COUNT][MWDS_POLICY_MAX_NATIONS + 1];
    int n_origins;
} tally;

static void count(tally *t, mwds_topic topic, const char *origin)
{
    int k = 0;
    while (k < t->n_origins && strcmp(t->origin[k], origin) != 0)
        k++;
    if (k == t->n_origins) {
        if (t->n_origins == MWDS_POLICY_MAX_NATIONS + 1)
            k--; /* the last row collects the rest */
        else
            snprintf(t->origin[t->n_origins++], MWDS_NATION_LEN, "%s", origin);
    }
    t->n[topic][k]++;
}

static int on_track(void *ctx, const mwds_net_track *s)
{
    count(ctx, MWDS_TOPIC_TRACK, s->rx.origin);
    return 0;
}

static int on_warning(void *ctx, const mwds_net_warning *s)
{
    count(ctx, MWDS_TOPIC_WARNING, s->rx.origin);
    return 0;
}

static int on_status(void *ctx, const mwds_net_status_rx *s)
{
    count(ctx, MWDS_TOPIC_NODE_STATUS, s->rx.origin);
    return 0;
}

int cmd_listen(int argc, char **argv)
{
    const char *cmd = "listen";
    cli_flag flags[] = {{"--nation", 1, NULL},      {"--policy", 1, NULL},
                        {"--pki", 1, NULL},         {"--insecure", 0, NULL},
                        {"--domain", 1, NULL},      {"--partition", 1, NULL},
                        {"--seconds", 1, NULL},     {"--identity-ca", 1, NULL},
                        {"--cert", 1, NULL},        {"--key", 1, NULL},
                        {"--permissions", 1, NULL}, {"--permissions-ca", 1, NULL},
                        {"--governance", 1, NULL},  {"--help", 0, NULL},
                        {NULL, 0, NULL}};
    int rc = cli_start(cmd, argc, argv, flags, LISTEN_HELP);
    if (rc != CLI_CONTINUE)
        return rc;
    const char *nation = cli_get(flags, "--nation"), *policy_path = cli_get(flags, "--policy");
    const char *pki = cli_get(flags, "--pki"), *v;
    int insecure = cli_get(flags, "--insecure") != NULL;
    if (nation == NULL || policy_path == NULL || (pki == NULL && !insecure)) {
        fprintf(stderr, "mwds listen: --nation, --policy and --pki (or --insecure) are "
                        "required\n");
        return CLI_EXIT_USAGE;
    }
    double domain = 0, seconds = 10;
    if ((v = cli_get(flags, "--domain")) && (rc = cli_number(cmd, "--domain", v, 0, 230, &domain)))
        return rc;
    if ((v = cli_get(flags, "--seconds")) &&
        (rc = cli_number(cmd, "--seconds", v, 0, 86400, &seconds)))
        return rc;
    char err[1024] = "";
    mwds_policy pol;
    if (mwds_policy_load(policy_path, &pol, err, sizeof err) != MWDS_OK) {
        fprintf(stderr, "mwds listen: %s\n", err);
        return CLI_EXIT_USAGE;
    }
    mwds_net_config nc;
    mwds_net_config_default(&nc, nation, &pol);
    nc.domain_id = (uint32_t)domain;
    nc.secure = !insecure;
    nc.security.pki_dir = pki;
    nc.security.identity_ca = cli_get(flags, "--identity-ca");
    nc.security.cert = cli_get(flags, "--cert");
    nc.security.key = cli_get(flags, "--key");
    nc.security.permissions = cli_get(flags, "--permissions");
    nc.security.permissions_ca = cli_get(flags, "--permissions-ca");
    nc.security.governance = cli_get(flags, "--governance");
    nc.read_partition = cli_get(flags, "--partition");
    nc.publish = 0;
    nc.subscribe = (1u << MWDS_TOPIC_TRACK) | (1u << MWDS_TOPIC_WARNING) |
                   (1u << MWDS_TOPIC_NODE_STATUS);
    mwds_net *net = NULL;
    mwds_err e = mwds_net_create(&nc, &net, err, sizeof err);
    if (e != MWDS_OK) {
        fprintf(stderr, "mwds listen: %s: %s\n", nation, err[0] ? err : mwds_strerror(e));
        return e == MWDS_EINVAL ? CLI_EXIT_USAGE : CLI_EXIT_FAIL;
    }
    tally t;
    memset(&t, 0, sizeof t);
    int64_t end = mwds_net_now() + (int64_t)(seconds * 1e9);
    for (int64_t now = mwds_net_now(); now < end; now = mwds_net_now()) {
        mwds_net_wait(net, end - now < 100000000 ? end - now : 100000000);
        mwds_net_take_tracks(net, on_track, &t, 0, NULL);
        mwds_net_take_warnings(net, on_warning, &t, 0, NULL);
        mwds_net_take_status(net, on_status, &t, 0, NULL);
    }
    for (int topic = MWDS_TOPIC_TRACK; topic < MWDS_TOPIC_COUNT; topic++)
        for (int k = 0; k < t.n_origins; k++)
            if (t.n[topic][k])
                printf("%s %s %ld\n", mwds_topic_key((mwds_topic)topic), t.origin[k],
                       t.n[topic][k]);
    /* the counts are complete: say so before DDS is torn down */
    printf("end\n");
    fflush(stdout);
    mwds_net_destroy(net);
    return CLI_EXIT_OK;
}
