/*
 * The node's operator display: see node_web.h.
 *
 * Cost on the node's loop: taking the fusion's tracks into the picture
 * only after a fusion run (a geodetic conversion per live track), and, at
 * most 4 times a second, the members and assessment of each live track and
 * the snapshot's JSON (docs/performance.md gives the figures for 200
 * tracks). Posting copies the text once; the browsers are served by the
 * server's own thread and never make the node wait.
 */
#include "node_web.h"

#include <arpa/inet.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli.h"
#include "mwds/net.h"
#include "mwds/web.h"

/* At most 4 snapshots a second, and one at least every second. */
#define POST_MIN_NS INT64_C(250000000)
#define POST_MAX_NS INT64_C(1000000000)

struct node_web {
    mwds_picture *pic;
    mwds_web *web;
    char nation[8];
    int quiet;
    uint64_t fusion_runs; /* the fusion's run count at the last update */
    int64_t last_post_ns; /* monotonic */
    int changed;          /* tracks or warnings since the last post */
    /* what the display did, for the line at the end */
    uint64_t posts;
    double build_max_ms, build_sum_ms;
    size_t largest;
};

static int64_t mono_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * MWDS_NS_PER_S + ts.tv_nsec;
}

int node_web_check(const char *port_arg, const char *bind_arg)
{
    if (port_arg == NULL)
        return bind_arg != NULL ? cli_usage_error("node", "--http-bind needs --http PORT")
                                : CLI_CONTINUE;
    double port = 0;
    int rc = cli_number("node", "--http", port_arg, 0, 65535, &port);
    if (rc != CLI_EXIT_OK)
        return rc;
    if (port != floor(port))
        return cli_usage_error("node", "--http: expected a port number 0..65535, got '%s'",
                               port_arg);
    unsigned char a[16];
    if (bind_arg != NULL && inet_pton(AF_INET, bind_arg, a) != 1 &&
        inet_pton(AF_INET6, bind_arg, a) != 1)
        return cli_usage_error(
            "node", "--http-bind: expected an IPv4 or IPv6 address, got '%.100s'", bind_arg);
    return CLI_CONTINUE;
}

int node_web_open(node_web **out, const char *port_arg, const char *bind_arg, const char *nation,
                  int exercise, const char *exercise_name, int64_t start_ns, uint32_t number_offset,
                  int quiet)
{
    *out = NULL;
    int rc = node_web_check(port_arg, bind_arg);
    if (rc != CLI_CONTINUE || port_arg == NULL)
        return rc;
    double port = strtod(port_arg, NULL);
    node_web *nw = calloc(1, sizeof *nw);
    if (nw == NULL)
        return CLI_EXIT_FAIL;
    snprintf(nw->nation, sizeof nw->nation, "%s", nation);
    nw->quiet = quiet;
    mwds_picture_config pc;
    mwds_picture_config_default(&pc);
    snprintf(pc.nation, sizeof pc.nation, "%s", nation);
    pc.exercise = exercise;
    snprintf(pc.exercise_name, sizeof pc.exercise_name, "%s", exercise_name ? exercise_name : "");
    pc.start_t_ns = start_ns;
    pc.number_offset = number_offset;
    mwds_err e = mwds_picture_create(&pc, &nw->pic);
    if (e != MWDS_OK) {
        fprintf(stderr, "mwds node %s: display: %s\n", nation, mwds_strerror(e));
        free(nw);
        return e == MWDS_EINVAL ? CLI_EXIT_USAGE : CLI_EXIT_FAIL;
    }
    mwds_web_config wc;
    mwds_web_config_default(&wc);
    wc.bind_addr = bind_arg;
    wc.port = (uint16_t)port;
    char err[256];
    e = mwds_web_start(&wc, &nw->web, err, sizeof err);
    if (e != MWDS_OK) {
        fprintf(stderr, "mwds node %s: --http%s: %s\n", nation, bind_arg ? "-bind" : "", err);
        mwds_picture_destroy(nw->pic);
        free(nw);
        return e == MWDS_EINVAL ? CLI_EXIT_USAGE : CLI_EXIT_FAIL;
    }
    if (!quiet) {
        const char *host = bind_arg ? bind_arg : "127.0.0.1";
        int v6 = strchr(host, ':') != NULL;
        printf("mwds node %s: display on http://%s%s%s:%u/\n", nation, v6 ? "[" : "", host,
               v6 ? "]" : "", mwds_web_port(nw->web));
        fflush(stdout);
    }
    *out = nw;
    return CLI_CONTINUE;
}

static void post(node_web *nw, const mwds_fusion *fz, const mwds_assessor *as)
{
    int64_t t0 = mono_ns();
    int n_slots = 0;
    const mwds_track *sys = mwds_fusion_tracks(fz, &n_slots);
    for (int i = 0; i < n_slots; i++) {
        if (sys[i].status != MWDS_TRACK_CONFIRMED)
            continue;
        char origin[MWDS_WEB_MAX_ORIGINS][MWDS_ORIGIN_LEN];
        uint32_t number[MWDS_WEB_MAX_ORIGINS];
        int n = mwds_fusion_members(fz, sys[i].number, origin, number, MWDS_WEB_MAX_ORIGINS);
        if (n > MWDS_WEB_MAX_ORIGINS)
            n = MWDS_WEB_MAX_ORIGINS;
        mwds_picture_set_members(nw->pic, sys[i].number, (const char(*)[4])origin, number, n);
        mwds_picture_set_assessment(nw->pic, sys[i].number,
                                    mwds_assessor_latest(as, sys[i].number));
    }
    const char *json = NULL;
    size_t len = 0;
    mwds_err e = mwds_picture_json(nw->pic, mwds_net_now(), &json, &len);
    if (e == MWDS_OK)
        e = mwds_web_post(nw->web, json);
    if (e != MWDS_OK) {
        fprintf(stderr, "mwds node %s: display: %s\n", nw->nation, mwds_strerror(e));
        return;
    }
    double ms = (double)(mono_ns() - t0) / 1e6;
    nw->posts++;
    nw->build_sum_ms += ms;
    if (ms > nw->build_max_ms)
        nw->build_max_ms = ms;
    if (len > nw->largest)
        nw->largest = len;
    nw->changed = 0;
}

void node_web_update(node_web *nw, const mwds_fusion *fz, const mwds_assessor *as,
                     int64_t picture_ns)
{
    if (nw == NULL || fz == NULL)
        return;
    mwds_fusion_stats fs;
    mwds_fusion_get_stats(fz, &fs);
    if (fs.runs != nw->fusion_runs && picture_ns != 0) {
        nw->fusion_runs = fs.runs;
        int n_slots = 0;
        const mwds_track *sys = mwds_fusion_tracks(fz, &n_slots);
        mwds_picture_update_tracks(nw->pic, sys, n_slots, picture_ns);
        nw->changed = 1;
    }
    int64_t now = mono_ns();
    int64_t since = now - nw->last_post_ns;
    if (since < POST_MIN_NS || (!nw->changed && since < POST_MAX_NS))
        return;
    nw->last_post_ns = now;
    post(nw, fz, as);
}

void node_web_warning(node_web *nw, const mwds_warning *w, int issued)
{
    if (nw == NULL || w == NULL)
        return;
    if (mwds_picture_add_warning(nw->pic, w, issued) == MWDS_OK)
        nw->changed = 1;
}

void node_web_close(node_web *nw)
{
    if (nw == NULL)
        return;
    if (!nw->quiet) {
        mwds_web_stats st;
        mwds_web_get_stats(nw->web, &st);
        printf("mwds node %s: display: %llu snapshots posted (largest %.0f kB, built in %.2f ms "
               "on average, %.2f ms at most), %llu requests, %llu event streams, %llu "
               "snapshots sent on them\n",
               nw->nation, (unsigned long long)nw->posts, (double)nw->largest / 1e3,
               nw->posts ? nw->build_sum_ms / (double)nw->posts : 0.0, nw->build_max_ms,
               (unsigned long long)st.requests, (unsigned long long)st.streams,
               (unsigned long long)st.events_sent);
    }
    mwds_web_stop(nw->web);
    mwds_picture_destroy(nw->pic);
    free(nw);
}
