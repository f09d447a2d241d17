/*
 * mwds policy: the releasability policy of the network, which nation
 * releases which topic to whom.
 *
 * A policy file (YAML, format in docs/security.md) lists the nations and,
 * per topic, the set of nations each one releases to; a nation always
 * receives its own data. On the wire a set of nations is a DDS partition
 * named "rel." followed by the codes of the set, sorted and joined by '.'
 * ("rel.JPN.KOR.USA"), and DDS Security permissions (mwds pki) decide who
 * may write and read each partition.
 *
 * Errors: every problem in a file is reported as one line,
 * "FILE:LINE:COLUMN: FIELD: what was expected, what was found" (FIELD is a
 * path such as release.KOR.Track[1]), and loading stops at the first
 * error, leaving the output untouched.
 *
 * Ownership: mwds_policy is a plain value with no heap parts; copy it
 * freely. Thread rules: reentrant, no global state.
 */
#ifndef MWDS_POLICY_H
#define MWDS_POLICY_H

#include <stddef.h>
#include <stdint.h>

#include "mwds/core.h"

#ifdef __cplusplus
extern "C" {
#endif

/* The topics shared on the network; see DESIGN.md "Data on the wire". */
typedef enum mwds_topic {
    MWDS_TOPIC_MEASUREMENT = 0,
    MWDS_TOPIC_TRACK = 1,
    MWDS_TOPIC_WARNING = 2,
    MWDS_TOPIC_NODE_STATUS = 3,
    MWDS_TOPIC_COUNT = 4
} mwds_topic;

/* The DDS topic name: "mwds_Measurement", "mwds_Track", "mwds_Warning",
 * "mwds_NodeStatus"; NULL for a value that is no topic. Static storage. */
const char *mwds_topic_name(mwds_topic t);

/* The name a policy file uses: "Measurement", "Track", "Warning",
 * "NodeStatus"; NULL for a value that is no topic. Static storage. */
const char *mwds_topic_key(mwds_topic t);

#define MWDS_POLICY_MAX_NATIONS 16
#define MWDS_NATION_LEN 4 /* ISO 3166 alpha-3 and the terminator */
/* Longest partition name with its terminator: "rel" + 16 x ".XXX". */
#define MWDS_PARTITION_LEN (3 + 4 * MWDS_POLICY_MAX_NATIONS + 1)

typedef struct mwds_policy {
    int n_nations;                                          /* 1..MWDS_POLICY_MAX_NATIONS */
    char nations[MWDS_POLICY_MAX_NATIONS][MWDS_NATION_LEN]; /* in file order, unique */
    /* release[i][t], bit j set: nation j receives nation i's topic t. Bit i
     * is always set; no bit at or above n_nations is. */
    uint32_t release[MWDS_POLICY_MAX_NATIONS][MWDS_TOPIC_COUNT];
} mwds_policy;

/* Parses a policy from text (len bytes, not necessarily NUL-terminated);
 * name labels the messages (a file name). Writes *out only on success; on
 * failure err (err_len bytes, may be NULL) holds one line naming the place.
 * Errors: MWDS_EPARSE (not YAML, or not the schema: unknown or duplicate
 * keys, unknown topics or nations, bad codes, duplicate nations, wrong
 * types), MWDS_ERANGE (too many nations, text over 1 MiB, YAML nested or
 * aliased beyond the loader's bounds), MWDS_ENOMEM, MWDS_EINVAL (NULL out,
 * or NULL text with len > 0).
 * Cost: linear in the text. */
mwds_err mwds_policy_parse(const char *name, const char *text, size_t len, mwds_policy *out,
                           char *err, size_t err_len);

/* Reads and parses the policy file at path; as mwds_policy_parse, plus
 * MWDS_EIO when the file cannot be read ("PATH: cannot open: why"). */
mwds_err mwds_policy_load(const char *path, mwds_policy *out, char *err, size_t err_len);

/* Index of the nation with this code, or -1. */
int mwds_policy_nation(const mwds_policy *p, const char *code);

/* The partition name of a set of nations (bit i: nation i): "rel." and the
 * codes sorted in byte order, joined by '.', e.g. "rel.JPN.KOR.USA", into
 * buf (len bytes; MWDS_PARTITION_LEN always suffices).
 * Errors: MWDS_EINVAL (empty set, a bit beyond the policy's nations, NULL
 * arguments, buf too small); buf is then untouched. */
mwds_err mwds_policy_partition_of(const mwds_policy *p, uint32_t mask, char *buf, size_t len);

/* The one partition in which nation publishes topic t, as
 * mwds_policy_partition_of(p->release[nation][t]).
 * Errors: MWDS_ENOTFOUND (nation not in the policy), MWDS_EINVAL (bad topic,
 * NULL arguments, buf too small). */
mwds_err mwds_policy_partition(const mwds_policy *p, const char *nation, mwds_topic t, char *buf,
                               size_t len);

#ifdef __cplusplus
}
#endif
#endif
