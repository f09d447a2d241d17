/*
 * The node's operator display (mwds node --http PORT): the glue between the
 * node's picture thread and src/web. It keeps a picture (mwds_picture) fed from the
 * node's fused system tracks, their assessments and the warnings issued and
 * received, and at most 4 times a second of wall time (and at least once a
 * second, so a browser sees the link alive) posts its snapshot to the HTTP
 * server, whose own thread serves the browsers.
 *
 * Every function takes NULL for "no display" and then does nothing, so the
 * node calls them whether or not --http was given.
 *
 * Thread rules: the node's picture thread only (node.h; the server's thread
 * reads only the snapshots posted to it).
 */
#ifndef MWDS_APP_NODE_WEB_H
#define MWDS_APP_NODE_WEB_H

#include <stdint.h>

#include "mwds/assess.h"
#include "mwds/fusion.h"

typedef struct node_web node_web;

/* Checks --http and --http-bind before anything starts: CLI_CONTINUE, or
 * CLI_EXIT_USAGE with a message naming the flag (a port outside 0..65535,
 * --http-bind without --http, an address that is not an IPv4 or IPv6
 * literal). */
int node_web_check(const char *port_arg, const char *bind_arg);

/* Starts the display if port_arg (--http) is not NULL: on bind_arg
 * (--http-bind, default 127.0.0.1) and that port (0: a free one), and
 * prints its URL unless quiet. The picture is the nation's; exercise data
 * is marked with the exercise's name; start_ns (0: none) is the scenario's
 * start; number_offset is added to the fusion's track numbers, as in the
 * node's warnings. Returns CLI_CONTINUE (*out NULL without --http),
 * CLI_EXIT_USAGE for a bad port or address, CLI_EXIT_FAIL if the server
 * cannot start (a message on stderr in both cases). */
int node_web_open(node_web **out, const char *port_arg, const char *bind_arg, const char *nation,
                  int exercise, const char *exercise_name, int64_t start_ns, uint32_t number_offset,
                  int quiet);

/* Takes the picture after the node's loop turned: the fusion's system
 * tracks (when it has run since the last call), and posts a snapshot when
 * it is due. picture_ns: the node's picture time (0: none yet). */
void node_web_update(node_web *nw, const mwds_fusion *fz, const mwds_assessor *as,
                     int64_t picture_ns);

/* A warning the node issued (issued 1) or received from a partner. */
void node_web_warning(node_web *nw, const mwds_warning *w, int issued);

/* Stops the server, prints what the display did unless quiet, and frees
 * everything; NULL is a no-op. */
void node_web_close(node_web *nw);

#endif
