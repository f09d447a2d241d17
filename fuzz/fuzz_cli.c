/* libFuzzer harness: command-line parsing of the mwds subcommands. The input
 * is split into arguments at newlines and parsed against the traj command's
 * flags; every value is then read as a coordinate and as a number. Errors
 * must be reported (exit code 2), never crash, and accepted coordinates must
 * be in range. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char buf[512];
    char *argv[32];
    if (size >= sizeof buf)
        return 0;
    memcpy(buf, data, size);
    buf[size] = '\0';
    int argc = 0;
    argv[argc++] = "traj";
    for (char *p = buf; argc < 32;) {
        argv[argc++] = p;
        char *nl = memchr(p, '\n', (size_t)(buf + size - p));
        if (nl == NULL)
            break;
        *nl = '\0';
        p = nl + 1;
    }
    cli_flag flags[] = {{"--launch", 1, NULL}, {"--azimuth", 1, NULL}, {"--range-km", 1, NULL},
                        {"--target", 1, NULL}, {"--json", 0, NULL},    {NULL, 0, NULL}};
    const char *pos[4];
    int n_pos;
    int rc = cli_parse("traj", argc, argv, flags, pos, 4, &n_pos);
    if (rc != CLI_EXIT_OK && rc != CLI_EXIT_USAGE)
        abort();
    if (rc != CLI_EXIT_OK)
        return 0;
    for (const cli_flag *f = flags; f->name != NULL; f++) {
        if (f->value == NULL)
            continue;
        mwds_lla p = {0, 0, 0};
        rc = cli_latlon("traj", f->name, f->value, &p);
        if (rc == CLI_EXIT_OK && !(fabs(p.lat_rad) <= MWDS_PI / 2 && fabs(p.lon_rad) <= MWDS_PI))
            abort();
        double v = 0;
        rc = cli_number("traj", f->name, f->value, -1e4, 1e4, &v);
        if (rc == CLI_EXIT_OK && !(v >= -1e4 && v <= 1e4))
            abort();
    }
    return 0;
}
