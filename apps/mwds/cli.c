/* Argument and value parsing for the mwds subcommands; see cli.h. */
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli.h"

volatile sig_atomic_t cli_stop;

static void on_stop(int sig)
{
    (void)sig;
    cli_stop = 1;
}

void cli_catch_stop(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_stop;
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
}

void cli_sleep_ns(int64_t ns)
{
    if (ns <= 0)
        return;
    struct timespec ts = {(time_t)(ns / 1000000000), (long)(ns % 1000000000)};
    nanosleep(&ts, NULL);
}

int cli_usage_error(const char *cmd, const char *fmt, ...)
{
    va_list ap;
    fprintf(stderr, "mwds %s: ", cmd);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
    return CLI_EXIT_USAGE;
}

int cli_parse(const char *cmd, int argc, char **argv, cli_flag *flags, const char **pos,
              int max_pos, int *n_pos)
{
    *n_pos = 0;
    for (int i = 1; i < argc; i++) {
        const char *arg = argv[i];
        if (strncmp(arg, "--", 2) != 0 || arg[2] == '\0') {
            if (*n_pos >= max_pos)
                return cli_usage_error(cmd, "unexpected argument '%s'", arg);
            pos[(*n_pos)++] = arg;
            continue;
        }
        const char *eq = strchr(arg, '=');
        size_t len = eq ? (size_t)(eq - arg) : strlen(arg);
        cli_flag *f = NULL;
        for (cli_flag *g = flags; g->name != NULL; g++)
            if (strlen(g->name) == len && strncmp(g->name, arg, len) == 0)
                f = g;
        if (f == NULL)
            return cli_usage_error(cmd, "unknown flag '%.*s' (see mwds %s --help)", (int)len, arg,
                                   cmd);
        if (f->takes_value) {
            if (eq != NULL) {
                f->value = eq + 1;
            } else if (i + 1 < argc) {
                f->value = argv[++i];
            } else {
                return cli_usage_error(cmd, "%s: expected a value", f->name);
            }
        } else {
            if (eq != NULL)
                return cli_usage_error(cmd, "%s takes no value", f->name);
            f->value = "";
        }
    }
    return CLI_EXIT_OK;
}

int cli_start_file(const char *cmd, int argc, char **argv, cli_flag *flags, const char *help,
                   const char **file)
{
    const char *pos[2];
    int n_pos = 0;
    int rc = cli_parse(cmd, argc, argv, flags, pos, file != NULL ? 2 : 0, &n_pos);
    if (rc != CLI_EXIT_OK)
        return rc;
    if (cli_get(flags, "--help")) {
        fputs(help, stdout);
        return CLI_EXIT_OK;
    }
    if (file == NULL)
        return CLI_CONTINUE;
    if (n_pos != 1)
        return cli_usage_error(cmd, "expected one scenario file (see mwds %s --help)", cmd);
    *file = pos[0];
    return CLI_CONTINUE;
}

int cli_start(const char *cmd, int argc, char **argv, cli_flag *flags, const char *help)
{
    return cli_start_file(cmd, argc, argv, flags, help, NULL);
}

const char *cli_get(const cli_flag *flags, const char *name)
{
    for (const cli_flag *f = flags; f->name != NULL; f++)
        if (strcmp(f->name, name) == 0)
            return f->value;
    return NULL;
}

/* strtod over the whole of [s, end); 0 on anything else. */
static int parse_full(const char *s, const char *end, double *out)
{
    char buf[64];
    size_t n = (size_t)(end - s);
    if (n == 0 || n >= sizeof buf)
        return 0;
    memcpy(buf, s, n);
    buf[n] = '\0';
    char *stop;
    errno = 0;
    double v = strtod(buf, &stop);
    if (*stop != '\0' || errno == ERANGE || !isfinite(v))
        return 0;
    *out = v;
    return 1;
}

int cli_number(const char *cmd, const char *flag, const char *text, double lo, double hi,
               double *out)
{
    double v;
    if (!parse_full(text, text + strlen(text), &v))
        return cli_usage_error(cmd, "%s: '%s' is not a number", flag, text);
    if (v < lo || v > hi)
        return cli_usage_error(cmd, "%s: %g is outside [%g, %g]", flag, v, lo, hi);
    *out = v;
    return CLI_EXIT_OK;
}

int cli_latlon(const char *cmd, const char *flag, const char *text, mwds_lla *out)
{
    const char *comma = strchr(text, ',');
    double lat, lon;
    if (comma == NULL || !parse_full(text, comma, &lat) ||
        !parse_full(comma + 1, text + strlen(text), &lon))
        return cli_usage_error(cmd, "%s: expected LAT,LON in degrees, got '%s'", flag, text);
    if (lat < -90.0 || lat > 90.0)
        return cli_usage_error(cmd, "%s: latitude %g is outside [-90, 90]", flag, lat);
    if (lon < -180.0 || lon >= 360.0)
        return cli_usage_error(cmd, "%s: longitude %g is outside [-180, 360)", flag, lon);
    out->lat_rad = lat * MWDS_DEG2RAD;
    out->lon_rad = mwds_geo_wrap_pi(lon * MWDS_DEG2RAD);
    out->h_m = 0.0;
    return CLI_EXIT_OK;
}
