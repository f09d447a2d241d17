/* libFuzzer harness: releasability policy files. The input is parsed as a
 * policy (not NUL-terminated: the parser takes a length). A failed parse
 * must leave the output exactly as it was and give a one-line message that
 * starts with the name; a successful one must hold 1..16 unique
 * three-letter codes, release sets with the releasing nation's own bit and
 * no bit beyond the nations, and partition names that round-trip. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_yaml.h"
#include "mwds/policy.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_ok(const mwds_policy *p)
{
    if (p->n_nations < 1 || p->n_nations > MWDS_POLICY_MAX_NATIONS)
        abort();
    for (int i = 0; i < p->n_nations; i++) {
        const char *c = p->nations[i];
        if (strlen(c) != 3 || c[0] < 'A' || c[0] > 'Z' || c[1] < 'A' || c[1] > 'Z' || c[2] < 'A' ||
            c[2] > 'Z' || mwds_policy_nation(p, c) != i)
            abort();
        for (int t = 0; t < MWDS_TOPIC_COUNT; t++) {
            uint32_t m = p->release[i][t];
            if (!(m & (UINT32_C(1) << i)) || (m >> p->n_nations) != 0)
                abort();
            char part[MWDS_PARTITION_LEN];
            if (mwds_policy_partition(p, c, (mwds_topic)t, part, sizeof part) != MWDS_OK)
                abort();
            /* "rel" and one ".XXX" per nation of the set, each in the set */
            size_t n = 0;
            for (uint32_t b = m; b != 0; b &= b - 1)
                n++;
            if (strncmp(part, "rel", 3) != 0 || strlen(part) != 3 + 4 * n)
                abort();
            for (size_t k = 0; k < n; k++) {
                char code[4];
                memcpy(code, part + 4 + 4 * k, 3);
                code[3] = '\0';
                int j = mwds_policy_nation(p, code);
                if (part[3 + 4 * k] != '.' || j < 0 || !(m & (UINT32_C(1) << j)))
                    abort();
            }
        }
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    mwds_policy p, before;
    memset(&p, 0x5a, sizeof p);
    memcpy(&before, &p, sizeof p);
    char err[1024];
    mwds_err rc = mwds_policy_parse("fuzz.yaml", (const char *)data, size, &p, err, sizeof err);
    if (rc != MWDS_OK) {
        fuzz_yaml_check_failure(rc, err, "fuzz.yaml", &p, &before, sizeof p);
        return 0;
    }
    check_ok(&p);
    return 0;
}
