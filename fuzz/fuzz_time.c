/* libFuzzer harness: ISO 8601 parsing. Checks that a parse either fails
 * without touching its output or succeeds with a value that formats and
 * parses back to itself (to the millisecond the formatter keeps). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "mwds/core.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char buf[128];
    if (size >= sizeof buf)
        return 0;
    memcpy(buf, data, size);
    buf[size] = '\0';
    int64_t t = 12345;
    mwds_err e = mwds_time_parse_iso8601(buf, &t);
    if (e != MWDS_OK) {
        if (t != 12345)
            abort();
        return 0;
    }
    char out[40];
    if (mwds_time_format_iso8601(t, out, sizeof out) != MWDS_OK)
        return 0; /* years outside 0..9999 after a zone offset */
    int64_t back;
    if (mwds_time_parse_iso8601(out, &back) != MWDS_OK)
        abort();
    int64_t ms = t / 1000000 - (t % 1000000 < 0);
    if (back != ms * 1000000)
        abort();
    return 0;
}
