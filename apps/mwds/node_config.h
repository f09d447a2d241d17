/*
 * The node's configuration file (YAML, one flat mapping; docs/node.md):
 *
 *   nation: KOR                 # required; must be in the policy
 *   policy: policy.yaml         # required: releasability (mwds pki init made the PKI from it)
 *   pki: pki                    # required unless secure is false
 *   sensors: exercise.yaml      # required: the scenario whose sensors of this nation feed the node
 *   journal: kor.journal        # required: SQLite journal (made if missing)
 *   domain_id: 0                # 0..230
 *   secure: true                # DDS Security; false only for tests of the plain path
 *   loopback: true              # loopback interface, unicast, no multicast
 *   exercise: true              # the node's data is exercise data
 *   heartbeat_s: 1
 *   assess_interval_s: 2
 *   realtime_priority: 0        # 1..99: the main thread and DDS's receive threads (the tracking
 * side) # run SCHED_FIFO at this priority (needs root or # CAP_SYS_NICE); 0: ordinary scheduling
 *   cpu_latency_us: 0           # while the node runs, idle CPUs wake within this many
 *                               # microseconds (0: they poll; Linux PM QoS, needs root);
 *                               # absent: no request
 *   areas: areas.geojson        # default: the territories the build converted
 *
 * Relative paths are relative to the configuration file's folder.
 */
#ifndef MWDS_APP_NODE_CONFIG_H
#define MWDS_APP_NODE_CONFIG_H

#include <stddef.h>
#include <stdint.h>

#define NODE_PATH_LEN 1024

typedef struct node_config {
    char nation[4];
    char policy[NODE_PATH_LEN], pki[NODE_PATH_LEN], sensors[NODE_PATH_LEN];
    char journal[NODE_PATH_LEN], areas[NODE_PATH_LEN];
    uint32_t domain_id;
    int secure, loopback, exercise;
    double heartbeat_s, assess_interval_s;
    int realtime_priority; /* 0: ordinary scheduling */
    int cpu_latency_us;    /* -1: no request */
} node_config;

/* Reads a node configuration. Returns 0, or -1 with a message naming
 * FILE:LINE:COLUMN, the key and what was expected in err. default_areas is
 * used when the file names none. */
int node_config_load(const char *path, const char *default_areas, node_config *out, char *err,
                     size_t err_len);

#endif
