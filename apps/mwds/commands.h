/* The mwds subcommands: each takes its own argv (argv[0] is the command's
 * name) and returns the process exit code (see cli.h). */
#ifndef MWDS_APP_COMMANDS_H
#define MWDS_APP_COMMANDS_H

int cmd_traj(int argc, char **argv);
int cmd_flights(int argc, char **argv);
int cmd_classes(int argc, char **argv);
int cmd_bench(int argc, char **argv);
/* mwds bench assess (bench_assess.c); help is the bench command's text */
int bench_assess(int argc, char **argv, const char *help);
int cmd_track(int argc, char **argv);
int cmd_assess(int argc, char **argv);
int cmd_pki(int argc, char **argv);
int cmd_node(int argc, char **argv);
int cmd_sim(int argc, char **argv);
int cmd_listen(int argc, char **argv);

#endif
