/*
 * Shared helpers for the mwds subcommands: argument parsing that names the
 * offending flag, number and coordinate parsing, and exit codes.
 *
 * Exit codes: 0 success, 1 a failure while running, 2 bad usage or input.
 */
#ifndef MWDS_APP_CLI_H
#define MWDS_APP_CLI_H

#include <signal.h>
#include <stdint.h>

#include "mwds/geo.h"

enum { CLI_EXIT_OK = 0, CLI_EXIT_FAIL = 1, CLI_EXIT_USAGE = 2 };

typedef struct cli_flag {
    const char *name; /* "--range-km" */
    int takes_value;
    const char *value; /* set by cli_parse: the value, or "" for a present switch */
} cli_flag;

/* Parses argv[1..] against flags (terminated by a NULL name). Positional
 * arguments are collected into pos (at most max_pos). On error prints a
 * one-line message naming the flag and returns CLI_EXIT_USAGE; returns
 * CLI_EXIT_OK otherwise. */
int cli_parse(const char *cmd, int argc, char **argv, cli_flag *flags, const char **pos,
              int max_pos, int *n_pos);

/* The common start of a subcommand without positional arguments: parses
 * argv against flags and prints help on --help (which flags must list).
 * Returns CLI_CONTINUE when the command should go on, else the exit code to
 * return (CLI_EXIT_OK after help, CLI_EXIT_USAGE after a parse error). */
#define CLI_CONTINUE (-1)
int cli_start(const char *cmd, int argc, char **argv, cli_flag *flags, const char *help);

/* The same for a subcommand that takes one file argument (a scenario): its
 * path into *file; exactly one is required. */
int cli_start_file(const char *cmd, int argc, char **argv, cli_flag *flags, const char *help,
                   const char **file);

/* The flag's value, or NULL if absent. */
const char *cli_get(const cli_flag *flags, const char *name);

/* Prints "mwds CMD: message" to stderr and returns CLI_EXIT_USAGE. */
int cli_usage_error(const char *cmd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Parses a finite number in [lo, hi]; on error prints a message naming the
 * flag and the reason and returns CLI_EXIT_USAGE. */
int cli_number(const char *cmd, const char *flag, const char *text, double lo, double hi,
               double *out);

/* Parses "LAT,LON" in degrees (latitude [-90, 90], longitude [-180, 360)). */
int cli_latlon(const char *cmd, const char *flag, const char *text, mwds_lla *out);

/* Set by SIGINT or SIGTERM once cli_catch_stop has run: a long-running
 * subcommand polls it and stops cleanly. */
extern volatile sig_atomic_t cli_stop;
void cli_catch_stop(void);

/* Sleeps ns nanoseconds (nothing if ns <= 0); a signal ends it early. */
void cli_sleep_ns(int64_t ns);

#endif
