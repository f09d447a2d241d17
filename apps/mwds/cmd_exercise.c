/*
 * mwds exercise run SCENARIO: runs an exercise end to end and scores it.
 *
 * In the output folder DIR it keeps a releasability policy (every nation
 * shares tracks, warnings and heartbeats with all, unless DIR/policy.yaml
 * says otherwise) and the PKI made from it (DIR/pki, made if missing), and
 * writes one node configuration per nation (DIR/NAT.yaml). It starts one
 * `mwds node` per nation of the scenario and `mwds sim`, each a child
 * process of this same program (/proc/self/exe): Cyclone DDS 0.10.2 takes
 * one security identity per process. The children run in process groups of
 * their own, so Ctrl-C on the terminal reaches the runner only, which then
 * stops them in order: the simulator first, then the nodes (SIGINT: they
 * flush their writers and commit their journals). They die with the runner
 * if it is killed (PR_SET_PDEATHSIG).
 *
 * Pacing: --speed N plays the scenario at N times real time; --speed max
 * runs the simulator in lockstep with the nodes (mwds sim --lockstep: each
 * step of simulated time waits for every node's NodeStatus to show the step
 * before done; mwds node --lockstep publishes one as soon as its picture's
 * time advances), so no look is lost and the run depends little on the
 * machine's speed (docs/exercise.md says how little).
 *
 * While it runs, the runner follows the nodes' journals read-only
 * (exercise_watch.h) and prints the events; when the simulator is done and
 * every node has taken its last look, it stops the nodes, scores the
 * journals against truth (src/score) and writes DIR/report.json and
 * DIR/report.html, with its own account of the run (pacing, first
 * detections and warnings) under "exercise" in the JSON.
 *
 * Exit status: 0 the exercise ran to its end and was scored; 1 a child
 * failed, the run was interrupted, or scoring failed (what was recorded is
 * kept and scored all the same); 2 bad usage or input.
 */
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "commands.h"
#include "exercise_watch.h"
#include "mwds/net.h"
#include "mwds/pki.h"
#include "mwds/policy.h"
#include "mwds/scenario.h"
#include "mwds/score.h"
#include "mwds/sim.h"

#ifndef MWDS_AREAS_FILE
#define MWDS_AREAS_FILE "data/areas.geojson"
#endif

static const char EXERCISE_HELP[] =
    "usage: mwds exercise run SCENARIO.yaml [--speed N|max] [--out DIR] [--domain N]\n"
    "                         [--force] [--quiet] [--http PORT [--view NATION]]\n"
    "\n"
    "Runs an exercise: one node per nation of the scenario and the simulator feeding\n"
    "their sensors, over DDS with DDS Security; prints the events as they happen\n"
    "(launches, detections, each nation's first warning and its delay, overflights,\n"
    "impacts), then scores the nodes' journals against truth.\n"
    "\n"
    "  --speed N|max  N times real time (default 20), or max: as fast as the nodes\n"
    "                 go, in lockstep with them (no look is lost, and every node\n"
    "                 gets the same looks in the same steps on any machine)\n"
    "  --out DIR      output folder (default out/NAME, NAME the scenario's name)\n"
    "  --domain N     DDS domain id, 0..230 (default 0)\n"
    "  --force        replace the journals and report of an earlier run in DIR\n"
    "  --quiet        print no events or progress, only the summary\n"
    "  --http PORT    serve the operator display of one node on http://127.0.0.1:PORT/\n"
    "  --view NATION  whose picture the display shows (default: the scenario's first\n"
    "                 nation)\n"
    "  --http-bind ADDR  listen on ADDR instead of 127.0.0.1\n"
    "\n"
    "DIR keeps policy.yaml (written if missing: every nation shares tracks, warnings\n"
    "and heartbeats with all) and pki/ (made from it if missing), and receives the\n"
    "node configurations NAT.yaml, the journals NAT.journal, the logs NAT.log and\n"
    "sim.log, events.log, report.json and report.html. Ctrl-C stops the exercise\n"
    "cleanly and scores what was recorded.\n"
    "\n"
    "Exit status: 0 run and scored, 1 a failure or an interruption (what was recorded\n"
    "is kept and scored), 2 bad usage or input.\n";

#define DEFAULT_SPEED 20.0
/* How long a node may take to catch up with the last look once the
 * simulator is done, and how long the warnings of its last assessment get
 * to reach the partners' journals. */
#define DRAIN_TIMEOUT_S 60.0
#define SETTLE_S 1.5
/* Grace for a child asked to stop before it is killed. */
#define STOP_TIMEOUT_S 30.0
#define POLL_NS 100000000

static volatile sig_atomic_t g_signals;

static void on_signal(int sig)
{
    (void)sig;
    g_signals++;
}

/* ---- files ---- */

static int exists(const char *path)
{
    struct stat sb;
    return stat(path, &sb) == 0;
}

/* mkdir -p */
static int make_dirs(const char *path)
{
    char p[1024];
    if (snprintf(p, sizeof p, "%s", path) >= (int)sizeof p)
        return -1;
    for (char *s = p + 1; *s; s++)
        if (*s == '/') {
            *s = '\0';
            if (mkdir(p, 0755) != 0 && errno != EEXIST)
                return -1;
            *s = '/';
        }
    return mkdir(p, 0755) != 0 && errno != EEXIST ? -1 : 0;
}

static int write_text(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    if (f == NULL)
        return -1;
    int ok = fputs(text, f) >= 0;
    return fclose(f) == 0 && ok ? 0 : -1;
}

/* The path's text as a YAML double-quoted scalar. */
static void yaml_quote(const char *s, char *out, size_t len)
{
    size_t o = 0;
    if (len < 3)
        return;
    out[o++] = '"';
    for (; *s && o + 3 < len; s++) {
        if (*s == '"' || *s == '\\')
            out[o++] = '\\';
        out[o++] = *s;
    }
    out[o++] = '"';
    out[o] = '\0';
}

/* The last lines of a log, indented, to the terminal: why a child failed. */
static void show_tail(const char *path, int lines)
{
    FILE *f = fopen(path, "r");
    if (f == NULL)
        return;
    char ring[8][256];
    int n = 0;
    while (fgets(ring[n % 8], sizeof ring[0], f) != NULL)
        n++;
    fclose(f);
    if (lines > 8)
        lines = 8;
    for (int k = n > lines ? n - lines : 0; k < n; k++)
        fprintf(stderr, "    %s%s", ring[k % 8], strchr(ring[k % 8], '\n') ? "" : "\n");
}

/* ---- children ---- */

typedef struct child {
    char name[16]; /* "node KOR", "sim" */
    char log[1100];
    pid_t pid;
    int running;
    int status; /* from waitpid, once not running */
} child;

/* Starts this program with argv in a process group of its own, output to
 * c->log. Returns 0, or -1 with errno. */
static int spawn(child *c, char *const argv[])
{
    int fd = open(c->log, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (fd < 0)
        return -1;
    fflush(NULL);
    pid_t parent = getpid();
    pid_t pid = fork();
    if (pid < 0) {
        close(fd);
        return -1;
    }
    if (pid == 0) {
        setpgid(0, 0);
        prctl(PR_SET_PDEATHSIG, SIGTERM);
        if (getppid() != parent)
            _exit(CLI_EXIT_FAIL); /* the runner died before the line above */
        int null = open("/dev/null", O_RDONLY);
        if (null >= 0)
            dup2(null, STDIN_FILENO);
        dup2(fd, STDOUT_FILENO);
        dup2(fd, STDERR_FILENO);
        signal(SIGINT, SIG_DFL);
        signal(SIGTERM, SIG_DFL);
        execv("/proc/self/exe", argv);
        fprintf(stderr, "mwds exercise: cannot run /proc/self/exe: %s\n", strerror(errno));
        _exit(CLI_EXIT_FAIL);
    }
    setpgid(pid, pid); /* also here, so a signal sent at once finds the group */
    close(fd);
    c->pid = pid;
    c->running = 1;
    return 0;
}

/* Collects the children that ended. Returns how many are still running. */
static int reap(child *ch, size_t n)
{
    int running = 0;
    for (size_t k = 0; k < n; k++) {
        if (ch[k].running && waitpid(ch[k].pid, &ch[k].status, WNOHANG) == ch[k].pid)
            ch[k].running = 0;
        running += ch[k].running;
    }
    return running;
}

static void signal_child(const child *c, int sig)
{
    if (c->running)
        kill(-c->pid, sig);
}

static int child_ok(const child *c)
{
    return !c->running && WIFEXITED(c->status) && WEXITSTATUS(c->status) == 0;
}

static void describe_exit(const child *c, char *buf, size_t len)
{
    if (WIFEXITED(c->status))
        snprintf(buf, len, "exit status %d", WEXITSTATUS(c->status));
    else if (WIFSIGNALED(c->status))
        snprintf(buf, len, "killed by signal %d", WTERMSIG(c->status));
    else
        snprintf(buf, len, "status %d", c->status);
}

/* ---- the run ---- */

typedef struct run {
    const char *scenario_arg;
    char scenario[1024]; /* absolute */
    char dir[1024];
    double speed; /* 0: max */
    unsigned domain;
    int force, quiet;
    const char *http, *http_bind, *view; /* the display: --http PORT, --http-bind, --view */
    size_t view_node;                    /* the node that serves it */
    mwds_scenario sc;
    int have_sc;
    mwds_sim *truth;
    mwds_areas areas;
    int have_areas;
    mwds_policy pol;
    ex_watch w;
    int have_watch;
    FILE *events;
    child *ch; /* nodes (scenario order), then the sim */
    size_t n_ch;
    int64_t wall_start, wall_end;
    int interrupted, failed, drained;
} run;

static int usage_fail(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static int usage_fail(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "mwds exercise run: ");
    vfprintf(stderr, fmt, ap);
    fprintf(stderr, "\n");
    va_end(ap);
    return CLI_EXIT_USAGE;
}

static int parse_args(run *r, int argc, char **argv)
{
    const char *cmd = "exercise run";
    cli_flag flags[] = {{"--speed", 1, NULL}, {"--out", 1, NULL},   {"--domain", 1, NULL},
                        {"--force", 0, NULL}, {"--quiet", 0, NULL}, {"--help", 0, NULL},
                        {"--http", 1, NULL},  {"--view", 1, NULL},  {"--http-bind", 1, NULL},
                        {NULL, 0, NULL}};
    int rc = cli_start_file(cmd, argc, argv, flags, EXERCISE_HELP, &r->scenario_arg);
    if (rc != CLI_CONTINUE)
        return rc;
    const char *v;
    r->speed = DEFAULT_SPEED;
    if ((v = cli_get(flags, "--speed")) != NULL) {
        char *end;
        errno = 0;
        double s = strtod(v, &end);
        if (strcmp(v, "max") == 0)
            r->speed = 0;
        else if (end == v || *end != '\0' || errno != 0 || !(s >= 0.01 && s <= 10000))
            return usage_fail("--speed: expected a number of times real time in [0.01, 10000] "
                              "or max, got '%.40s'",
                              v);
        else
            r->speed = s;
    }
    double d = 0;
    if ((v = cli_get(flags, "--domain")) != NULL &&
        (rc = cli_number(cmd, "--domain", v, 0, 230, &d)) != CLI_EXIT_OK)
        return rc;
    if (d != (double)(unsigned)d)
        return usage_fail("--domain: expected a whole number 0..230, got '%s'", v);
    r->domain = (unsigned)d;
    r->force = cli_get(flags, "--force") != NULL;
    r->quiet = cli_get(flags, "--quiet") != NULL;
    r->http = cli_get(flags, "--http");
    r->http_bind = cli_get(flags, "--http-bind");
    r->view = cli_get(flags, "--view");
    if (r->http != NULL) {
        double port = 0;
        if ((rc = cli_number(cmd, "--http", r->http, 1, 65535, &port)) != CLI_EXIT_OK)
            return rc;
        if (port != (double)(unsigned)port)
            return usage_fail("--http: expected a port number 1..65535, got '%s'", r->http);
    } else if (r->view != NULL || r->http_bind != NULL) {
        return usage_fail("%s needs --http PORT", r->view != NULL ? "--view" : "--http-bind");
    }
    v = cli_get(flags, "--out");
    if (v != NULL && v[0] == '\0')
        return usage_fail("--out: expected a folder");
    if (v != NULL && snprintf(r->dir, sizeof r->dir, "%s", v) >= (int)sizeof r->dir - 64)
        return usage_fail("--out: path too long");
    return CLI_CONTINUE;
}

/* Loads the scenario and flies its launches (truth), so that a scenario the
 * simulator cannot fly is refused before anything starts. */
static int load_scenario(run *r)
{
    char err[1024] = "";
    if (mwds_scenario_load(r->scenario_arg, &r->sc, err, sizeof err) != MWDS_OK)
        return usage_fail("%s", err);
    r->have_sc = 1;
    /* the nodes read the scenario from their configuration's folder */
    char cwd[512];
    if (r->scenario_arg[0] == '/')
        snprintf(r->scenario, sizeof r->scenario, "%s", r->scenario_arg);
    else if (getcwd(cwd, sizeof cwd) == NULL ||
             snprintf(r->scenario, sizeof r->scenario, "%s/%s", cwd, r->scenario_arg) >=
                 (int)sizeof r->scenario)
        return usage_fail("%s: cannot make the path absolute", r->scenario_arg);
    if (r->sc.n_nations > MWDS_POLICY_MAX_NATIONS)
        return usage_fail("%s: %zu nations; an exercise takes at most %d", r->scenario_arg,
                          r->sc.n_nations, MWDS_POLICY_MAX_NATIONS);
    if (r->dir[0] == '\0')
        snprintf(r->dir, sizeof r->dir, "out/%s", r->sc.name);
    if (r->view != NULL) {
        size_t a = 0;
        while (a < r->sc.n_nations && strcmp(r->sc.nations[a].code, r->view) != 0)
            a++;
        if (a == r->sc.n_nations)
            return usage_fail("--view: %.16s is not a nation of %s", r->view, r->scenario_arg);
        r->view_node = a;
    }
    mwds_err e = mwds_sim_create(&r->sc, &r->truth, err, sizeof err);
    if (e == MWDS_ENOMEM) {
        fprintf(stderr, "mwds exercise run: out of memory\n");
        return CLI_EXIT_FAIL;
    }
    if (e != MWDS_OK)
        return usage_fail("%s: %s", r->scenario_arg, err[0] ? err : mwds_strerror(e));
    if (mwds_areas_load(MWDS_AREAS_FILE, &r->areas, err, sizeof err) == MWDS_OK)
        r->have_areas = 1;
    else
        fprintf(stderr, "mwds exercise run: %s (overflights of territory are not shown)\n", err);
    return CLI_CONTINUE;
}

/* The output folder: an earlier run's files, the policy, the PKI, the node
 * configurations. */
static int prepare_dir(run *r)
{
    char p[1100], err[1024] = "";
    if (make_dirs(r->dir) != 0)
        return usage_fail("--out: cannot make the folder %s: %s", r->dir, strerror(errno));
    /* an earlier run */
    int earlier = 0;
    snprintf(p, sizeof p, "%s/report.json", r->dir);
    earlier |= exists(p);
    for (size_t a = 0; a < r->sc.n_nations; a++) {
        snprintf(p, sizeof p, "%s/%s.journal", r->dir, r->sc.nations[a].code);
        earlier |= exists(p);
    }
    if (earlier && !r->force)
        return usage_fail("%s holds the journals or report of an earlier run; pass --force to "
                          "replace them, or choose another --out",
                          r->dir);
    if (earlier) {
        static const char *const FILES[] = {"report.json", "report.html", "events.log", "sim.log"};
        for (size_t k = 0; k < sizeof FILES / sizeof FILES[0]; k++) {
            snprintf(p, sizeof p, "%s/%s", r->dir, FILES[k]);
            unlink(p);
        }
        static const char *const SUFFIX[] = {".journal", ".journal-wal", ".journal-shm", ".log"};
        for (size_t a = 0; a < r->sc.n_nations; a++)
            for (size_t k = 0; k < sizeof SUFFIX / sizeof SUFFIX[0]; k++) {
                snprintf(p, sizeof p, "%s/%s%s", r->dir, r->sc.nations[a].code, SUFFIX[k]);
                unlink(p);
            }
    }
    /* the policy: every nation shares with all, unless DIR has one */
    char policy[1200];
    snprintf(policy, sizeof policy, "%s/policy.yaml", r->dir);
    if (!exists(policy)) {
        char text[2048];
        size_t o = (size_t)snprintf(
            text, sizeof text,
            "# Releasability policy of the exercise, written by mwds exercise run: every\n"
            "# nation releases its tracks, warnings and heartbeats to all, and keeps its\n"
            "# sensor looks. Edit it and remove pki/ to run under another policy.\n"
            "nations: [");
        for (size_t a = 0; a < r->sc.n_nations; a++)
            o += (size_t)snprintf(text + o, sizeof text - o, "%s%s", a ? ", " : "",
                                  r->sc.nations[a].code);
        snprintf(text + o, sizeof text - o,
                 "]\nrelease:\n  default: {Track: all, Warning: all, NodeStatus: all, "
                 "Measurement: none}\n");
        if (write_text(policy, text) != 0) {
            fprintf(stderr, "mwds exercise run: cannot write %s: %s\n", policy, strerror(errno));
            return CLI_EXIT_FAIL;
        }
    }
    if (mwds_policy_load(policy, &r->pol, err, sizeof err) != MWDS_OK)
        return usage_fail("%s", err);
    for (size_t a = 0; a < r->sc.n_nations; a++)
        if (mwds_policy_nation(&r->pol, r->sc.nations[a].code) < 0)
            return usage_fail("%s: nation %s of the scenario is not in the policy", policy,
                              r->sc.nations[a].code);
    /* the PKI, made from the policy if missing */
    char pki[1040];
    snprintf(pki, sizeof pki, "%s/pki", r->dir);
    snprintf(p, sizeof p, "%s/ca.pem", pki);
    if (!exists(p)) {
        mwds_pki_options opt;
        mwds_pki_options_default(&opt);
        opt.now_t_ns = mwds_net_now();
        mwds_err e = mwds_pki_init(&r->pol, pki, &opt, err, sizeof err);
        if (e != MWDS_OK) {
            fprintf(stderr, "mwds exercise run: making the PKI in %s: %s\n", pki, err);
            return e == MWDS_EINVAL ? CLI_EXIT_USAGE : CLI_EXIT_FAIL;
        }
        if (!r->quiet)
            printf("EXERCISE made the PKI in %s (CA, each nation's identity and signed "
                   "permissions, governance)\n",
                   pki);
    }
    for (size_t a = 0; a < r->sc.n_nations; a++) {
        snprintf(p, sizeof p, "%s/%s/cert.pem", pki, r->sc.nations[a].code);
        if (!exists(p))
            return usage_fail("%s has no identity for %s: remove %s to have the PKI made again",
                              pki, r->sc.nations[a].code, pki);
    }
    /* one node configuration per nation */
    char scen[2100];
    yaml_quote(r->scenario, scen, sizeof scen);
    for (size_t a = 0; a < r->sc.n_nations; a++) {
        const char *nat = r->sc.nations[a].code;
        char text[4096];
        snprintf(text, sizeof text,
                 "# %s's node in the exercise, written by mwds exercise run (docs/net.md).\n"
                 "nation: %s\npolicy: policy.yaml\npki: pki\nsensors: %s\njournal: %s.journal\n"
                 "domain_id: %u\nexercise: true\n",
                 nat, nat, scen, nat, r->domain);
        snprintf(p, sizeof p, "%s/%s.yaml", r->dir, nat);
        if (write_text(p, text) != 0) {
            fprintf(stderr, "mwds exercise run: cannot write %s: %s\n", p, strerror(errno));
            return CLI_EXIT_FAIL;
        }
    }
    return CLI_CONTINUE;
}

static int start_children(run *r)
{
    r->ch = calloc(r->sc.n_nations + 1, sizeof *r->ch);
    if (r->ch == NULL)
        return CLI_EXIT_FAIL;
    r->n_ch = r->sc.n_nations + 1;
    char cfg[1200], pol[1200], pki[1200], dom[16], speed[32];
    for (size_t a = 0; a < r->sc.n_nations; a++) {
        child *c = &r->ch[a];
        const char *nat = r->sc.nations[a].code;
        snprintf(c->name, sizeof c->name, "node %s", nat);
        snprintf(c->log, sizeof c->log, "%s/%s.log", r->dir, nat);
        snprintf(cfg, sizeof cfg, "%s/%s.yaml", r->dir, nat);
        char *argv[10] = {"mwds", "node", "--config", cfg};
        int k = 4;
        if (r->speed <= 0)
            argv[k++] = "--lockstep";
        if (r->http != NULL && a == r->view_node) {
            /* the display of the viewed nation's node */
            argv[k++] = "--http";
            argv[k++] = (char *)(uintptr_t)r->http;
            if (r->http_bind != NULL) {
                argv[k++] = "--http-bind";
                argv[k++] = (char *)(uintptr_t)r->http_bind;
            }
        }
        argv[k] = NULL;
        if (spawn(c, argv) != 0) {
            fprintf(stderr, "mwds exercise run: cannot start %s: %s\n", c->name, strerror(errno));
            return CLI_EXIT_FAIL;
        }
    }
    child *s = &r->ch[r->sc.n_nations];
    snprintf(s->name, sizeof s->name, "sim");
    snprintf(s->log, sizeof s->log, "%s/sim.log", r->dir);
    snprintf(pol, sizeof pol, "%s/policy.yaml", r->dir);
    snprintf(pki, sizeof pki, "%s/pki", r->dir);
    snprintf(dom, sizeof dom, "%u", r->domain);
    if (r->speed > 0)
        snprintf(speed, sizeof speed, "%g", r->speed);
    else
        snprintf(speed, sizeof speed, "max");
    char *argv[] = {"mwds",      "sim",
                    r->scenario, "--policy",
                    pol,         "--pki",
                    pki,         "--domain",
                    dom,         "--speed",
                    speed,       "--wait",
                    "60",        r->speed > 0 ? NULL : "--lockstep",
                    NULL};
    if (spawn(s, argv) != 0) {
        fprintf(stderr, "mwds exercise run: cannot start the simulator: %s\n", strerror(errno));
        return CLI_EXIT_FAIL;
    }
    return CLI_CONTINUE;
}

static void say(run *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void say(run *r, const char *fmt, ...)
{
    char line[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(line, sizeof line, fmt, ap);
    va_end(ap);
    if (r->have_watch)
        ex_watch_say(&r->w, "%s", line);
    else if (!r->quiet)
        printf("EXERCISE %s\n", line);
}

/* A node that ended while the exercise still needed it. */
static int nodes_failed(run *r)
{
    int bad = 0;
    for (size_t a = 0; a < r->sc.n_nations; a++) {
        child *c = &r->ch[a];
        if (!c->running && !r->failed) {
            char why[64];
            describe_exit(c, why, sizeof why);
            ex_watch_clear_bar(&r->w);
            fprintf(stderr, "mwds exercise run: %s stopped early (%s); the end of %s:\n", c->name,
                    why, c->log);
            show_tail(c->log, 5);
            bad = 1;
        }
    }
    return bad;
}

/* Polls while waiting up to timeout_s for the children in [from, to) to
 * end; a second Ctrl-C kills them. */
static void wait_children(run *r, size_t from, size_t to, double timeout_s)
{
    int64_t give_up = mwds_net_now() + (int64_t)(timeout_s * 1e9);
    int killed = 0;
    for (;;) {
        reap(r->ch, r->n_ch);
        int running = 0;
        for (size_t k = from; k < to; k++)
            running += r->ch[k].running;
        if (running == 0)
            return;
        /* too slow, or a second Ctrl-C: kill */
        if (!killed && (mwds_net_now() > give_up || g_signals >= 2)) {
            for (size_t k = from; k < to; k++)
                signal_child(&r->ch[k], SIGKILL);
            say(r, "%s did not stop %s: killed", to - from > 1 ? "the nodes" : r->ch[from].name,
                g_signals >= 2 ? "before a second Ctrl-C" : "in time");
            killed = 1;
        }
        ex_watch_poll(&r->w, mwds_net_now(), 0);
        cli_sleep_ns(POLL_NS);
    }
}

static void stop_children(run *r);

/* Runs until the simulator is done and the nodes have caught up, or until a
 * failure or Ctrl-C; then stops the children in order. */
static void supervise(run *r)
{
    child *sim = &r->ch[r->sc.n_nations];
    int64_t drain_until = 0, settle_until = 0;
    for (;;) {
        reap(r->ch, r->n_ch);
        ex_watch_poll(&r->w, mwds_net_now(), 0);
        if (g_signals) {
            r->interrupted = 1;
            say(r, "interrupted: stopping the simulator and the nodes; what was recorded is kept "
                   "and scored");
            break;
        }
        if (nodes_failed(r)) {
            r->failed = 1;
            break;
        }
        if (!sim->running && drain_until == 0) {
            if (!child_ok(sim)) {
                char why[64];
                describe_exit(sim, why, sizeof why);
                ex_watch_clear_bar(&r->w);
                fprintf(stderr, "mwds exercise run: the simulator failed (%s); the end of %s:\n",
                        why, sim->log);
                show_tail(sim->log, 5);
                r->failed = 1;
                break;
            }
            drain_until = mwds_net_now() + (int64_t)(DRAIN_TIMEOUT_S * 1e9);
        }
        if (drain_until != 0 && settle_until == 0) {
            if (ex_watch_drained(&r->w)) {
                r->drained = 1;
                settle_until = mwds_net_now() + (int64_t)(SETTLE_S * 1e9);
            } else if (mwds_net_now() > drain_until) {
                say(r,
                    "the nodes had not taken every look %.0f s after the simulator ended; "
                    "stopping them",
                    DRAIN_TIMEOUT_S);
                r->failed = 1;
                break;
            }
        }
        if (settle_until != 0 && mwds_net_now() > settle_until)
            break;
        cli_sleep_ns(POLL_NS);
    }
    r->wall_end = mwds_net_now();
    stop_children(r);
}

/* Stops the simulator, then the nodes, and reads the journals to the end. */
static void stop_children(run *r)
{
    size_t nn = r->sc.n_nations;
    child *sim = &r->ch[nn];
    if (sim->running) {
        signal_child(sim, SIGINT);
        wait_children(r, nn, nn + 1, STOP_TIMEOUT_S);
    }
    /* one node after the other: a stopping node's writers get their last
     * samples acknowledged by partners that are still there, rather than
     * all tearing DDS down at once */
    for (size_t a = 0; a < nn; a++) {
        signal_child(&r->ch[a], SIGINT);
        wait_children(r, a, a + 1, STOP_TIMEOUT_S);
    }
    ex_watch_poll(&r->w, mwds_net_now(), 1);
    /* a child that did not end cleanly is said, not hidden; its journal keeps
     * what it had committed (a node commits each warning before publishing) */
    for (size_t k = 0; k < r->n_ch; k++)
        if (!child_ok(&r->ch[k]) && !r->ch[k].running) {
            char why[64];
            describe_exit(&r->ch[k], why, sizeof why);
            say(r, "%s did not end cleanly: %s (see %s)", r->ch[k].name, why, r->ch[k].log);
            if (r->quiet)
                fprintf(stderr, "mwds exercise run: %s did not end cleanly: %s (see %s)\n",
                        r->ch[k].name, why, r->ch[k].log);
        }
}

/* ---- the report ---- */

/* The runner's account of the run, for report.json. */
static json_t *run_json(const run *r)
{
    json_t *o = ex_watch_json(&r->w);
    json_object_set_new(o, "scenario", json_string(r->sc.name));
    json_object_set_new(o, "scenario_file", json_string(r->scenario));
    json_object_set_new(o, "speed", r->speed > 0 ? json_real(r->speed) : json_string("max"));
    json_object_set_new(o, "scenario_s", json_real(r->sc.duration_s));
    json_object_set_new(o, "wall_s", json_real((double)(r->wall_end - r->wall_start) / 1e9));
    json_object_set_new(o, "completed", json_boolean(!r->interrupted && !r->failed && r->drained));
    json_object_set_new(o, "interrupted", json_boolean(r->interrupted));
    json_object_set_new(o, "domain_id", json_integer(r->domain));
    json_t *ch = json_array();
    for (size_t k = 0; k < r->n_ch; k++) {
        char why[64];
        describe_exit(&r->ch[k], why, sizeof why);
        json_array_append_new(ch, json_pack("{s:s, s:s, s:b}", "process", r->ch[k].name, "ended",
                                            r->ch[k].running ? "running" : why, "clean",
                                            child_ok(&r->ch[k])));
    }
    json_object_set_new(o, "processes", ch);
    return o;
}

/* Adds the runner's account to the scorer's report.json under "exercise". */
static int merge_json(const run *r, const char *path)
{
    json_error_t je;
    json_t *doc = json_load_file(path, 0, &je);
    if (doc == NULL || !json_is_object(doc)) {
        json_decref(doc);
        fprintf(stderr, "mwds exercise run: %s: cannot add the run's pacing: %s\n", path, je.text);
        return -1;
    }
    json_object_set_new(doc, "exercise", run_json(r));
    int rc = json_dump_file(doc, path, JSON_INDENT(2) | JSON_REAL_PRECISION(10));
    json_decref(doc);
    return rc;
}

/* Adds a section on the run's pacing to the scorer's report.html, before
 * </body>. */
static int merge_html(const run *r, const char *path)
{
    FILE *f = fopen(path, "r");
    if (f == NULL)
        return -1;
    fseek(f, 0, SEEK_END);
    long len = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *text = len >= 0 ? malloc((size_t)len + 1) : NULL;
    size_t n = text ? fread(text, 1, (size_t)len, f) : 0;
    fclose(f);
    if (text == NULL)
        return -1;
    text[n] = '\0';
    char *body = NULL;
    for (char *s = strstr(text, "</body>"); s != NULL; s = strstr(s + 1, "</body>"))
        body = s;
    size_t cut = body ? (size_t)(body - text) : n;
    f = fopen(path, "w");
    if (f == NULL) {
        free(text);
        return -1;
    }
    fwrite(text, 1, cut, f);
    fprintf(f, "<section id=\"exercise-run\">\n<h2>Exercise run (EXERCISE)</h2>\n");
    if (r->speed > 0)
        fprintf(f, "<p>%.0f s of scenario at %g&times; real time in %.1f s of wall time",
                r->sc.duration_s, r->speed, (double)(r->wall_end - r->wall_start) / 1e9);
    else
        fprintf(f,
                "<p>%.0f s of scenario at full speed, in lockstep with the nodes, in %.1f s "
                "of wall time",
                r->sc.duration_s, (double)(r->wall_end - r->wall_start) / 1e9);
    fprintf(f, "%s.</p>\n", r->interrupted ? " (interrupted: scored as far as recorded)" : "");
    if (r->speed > 0) {
        fprintf(f, "<p>How far behind real time each node ran: from a look's due time to its "
                   "node's tracker having taken it, seconds.</p>\n<table>\n<tr><th>node</th>"
                   "<th>looks</th><th>p50</th><th>p99</th><th>max</th></tr>\n");
        json_t *o = ex_watch_json(&r->w);
        json_t *nodes = json_object_get(o, "nodes");
        for (size_t k = 0; k < json_array_size(nodes); k++) {
            json_t *nd = json_array_get(nodes, k), *lag = json_object_get(nd, "behind_real_time_s");
            fprintf(f, "<tr><td>%s</td><td>%lld</td>",
                    json_string_value(json_object_get(nd, "nation")),
                    (long long)json_integer_value(json_object_get(nd, "looks")));
            if (json_is_object(lag))
                fprintf(f, "<td>%.3f</td><td>%.3f</td><td>%.3f</td></tr>\n",
                        json_number_value(json_object_get(lag, "p50")),
                        json_number_value(json_object_get(lag, "p99")),
                        json_number_value(json_object_get(lag, "max")));
            else
                fprintf(f, "<td>-</td><td>-</td><td>-</td></tr>\n");
        }
        fprintf(f, "</table>\n");
        json_t *slow = json_object_get(o, "slowest_node");
        if (json_is_object(slow))
            fprintf(f, "<p>Slowest node: %s, at most %.3f s behind real time.</p>\n",
                    json_string_value(json_object_get(slow, "nation")),
                    json_number_value(json_object_get(slow, "max_behind_real_time_s")));
        json_decref(o);
    }
    fprintf(f, "</section>\n");
    fputs(text + cut, f);
    free(text);
    return fclose(f) == 0 ? 0 : -1;
}

/* Scores the journals and writes the report. Returns 0, or -1. */
static int score(run *r)
{
    char json_path[1200], html_path[1200], err[1024] = "";
    snprintf(json_path, sizeof json_path, "%s/report.json", r->dir);
    snprintf(html_path, sizeof html_path, "%s/report.html", r->dir);
    const char **paths = calloc(r->sc.n_nations ? r->sc.n_nations : 1, sizeof *paths);
    if (paths == NULL)
        return -1;
    size_t n = 0;
    for (size_t a = 0; a < r->sc.n_nations; a++)
        if (exists(r->w.nodes[a].path))
            paths[n++] = r->w.nodes[a].path;
    mwds_score *s = NULL;
    mwds_err e = mwds_score_compute(r->scenario, paths, n, &s, err, sizeof err);
    free(paths);
    if (e != MWDS_OK) {
        fprintf(stderr, "mwds exercise run: scoring: %s\n", err[0] ? err : mwds_strerror(e));
        return -1;
    }
    int rc = 0;
    if (mwds_score_write_json(s, json_path, err, sizeof err) != MWDS_OK ||
        mwds_score_write_html(s, html_path, err, sizeof err) != MWDS_OK) {
        fprintf(stderr, "mwds exercise run: writing the report: %s\n", err);
        rc = -1;
    }
    printf("\n");
    mwds_score_print_summary(s, stdout);
    printf("\nwarnings lost %lld, duplicated %lld\n", (long long)mwds_score_warnings_lost(s),
           (long long)mwds_score_warnings_duplicated(s));
    mwds_score_destroy(s);
    if (rc == 0 && (merge_json(r, json_path) != 0 || merge_html(r, html_path) != 0))
        rc = -1;
    if (rc == 0)
        printf("report: %s, %s\n", json_path, html_path);
    return rc;
}

static void run_fini(run *r)
{
    if (r->ch != NULL) {
        for (size_t k = 0; k < r->n_ch; k++)
            signal_child(&r->ch[k], SIGKILL);
        for (size_t k = 0; k < r->n_ch; k++)
            if (r->ch[k].running)
                waitpid(r->ch[k].pid, NULL, 0);
        free(r->ch);
    }
    if (r->have_watch)
        ex_watch_fini(&r->w);
    if (r->events != NULL)
        fclose(r->events);
    mwds_sim_destroy(r->truth);
    if (r->have_areas)
        mwds_areas_fini(&r->areas);
    if (r->have_sc)
        mwds_scenario_fini(&r->sc);
}

static int exercise_run(int argc, char **argv)
{
    run *r = calloc(1, sizeof *r);
    if (r == NULL)
        return CLI_EXIT_FAIL;
    int rc = parse_args(r, argc, argv);
    if (rc == CLI_CONTINUE)
        rc = load_scenario(r);
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    if (rc == CLI_CONTINUE)
        rc = prepare_dir(r);
    if (rc != CLI_CONTINUE) {
        run_fini(r);
        free(r);
        return rc;
    }
    const mwds_scenario *sc = &r->sc;
    char p[1200];
    snprintf(p, sizeof p, "%s/events.log", r->dir);
    r->events = fopen(p, "w");
    if (ex_watch_init(&r->w, sc, r->truth, r->have_areas ? &r->areas : NULL, r->dir, r->speed,
                      r->quiet ? NULL : stdout, r->events) != 0) {
        fprintf(stderr, "mwds exercise run: out of memory\n");
        run_fini(r);
        free(r);
        return CLI_EXIT_FAIL;
    }
    r->have_watch = 1;
    char nations[MWDS_POLICY_MAX_NATIONS * 5 + 1] = "";
    size_t o = 0;
    for (size_t a = 0; a < sc->n_nations; a++)
        o += (size_t)snprintf(nations + o, sizeof nations - o, "%s%s", a ? ", " : "",
                              sc->nations[a].code);
    if (r->speed > 0)
        say(r,
            "%s: %zu launch%s, %zu sensors, nations %s; %.0f s of scenario at %gx real time "
            "(about %.0f s)",
            sc->name, sc->n_launches, sc->n_launches == 1 ? "" : "es", sc->n_sensors, nations,
            sc->duration_s, r->speed, sc->duration_s / r->speed);
    else
        say(r,
            "%s: %zu launch%s, %zu sensors, nations %s; %.0f s of scenario at full speed, "
            "the simulator in lockstep with the nodes",
            sc->name, sc->n_launches, sc->n_launches == 1 ? "" : "es", sc->n_sensors, nations,
            sc->duration_s);
    r->wall_start = mwds_net_now();
    r->w.wall_start_ns = r->wall_start;
    rc = start_children(r);
    if (rc == CLI_CONTINUE) {
        say(r,
            "nodes %s and the simulator started on DDS domain %u with DDS Security; output "
            "in %s",
            nations, r->domain, r->dir);
        if (r->http != NULL) {
            const char *host = r->http_bind != NULL ? r->http_bind : "127.0.0.1";
            int v6 = strchr(host, ':') != NULL;
            say(r, "display: http://%s%s%s:%s/ (%s's picture)", v6 ? "[" : "", host, v6 ? "]" : "",
                r->http, sc->nations[r->view_node].code);
        }
        supervise(r);
        rc = r->interrupted || r->failed ? CLI_EXIT_FAIL : CLI_EXIT_OK;
    } else {
        r->failed = 1;
        r->wall_end = mwds_net_now();
        if (r->ch != NULL)
            stop_children(r);
    }
    ex_watch_close(&r->w);
    ex_watch_clear_bar(&r->w);
    if (!r->quiet)
        printf("\n");
    ex_watch_summary(&r->w, stdout);
    if (r->speed > 0)
        printf("wall time %.1f s for %.0f s of scenario\n",
               (double)(r->wall_end - r->wall_start) / 1e9, sc->duration_s);
    else
        printf("wall time %.1f s for %.0f s of scenario (%.1fx real time, lockstep)\n",
               (double)(r->wall_end - r->wall_start) / 1e9, sc->duration_s,
               sc->duration_s / ((double)(r->wall_end - r->wall_start) / 1e9));
    if (score(r) != 0)
        rc = CLI_EXIT_FAIL;
    if (r->interrupted)
        printf("EXERCISE interrupted: the report covers what was recorded until then\n");
    fflush(stdout);
    run_fini(r);
    free(r);
    return rc;
}

int cmd_exercise(int argc, char **argv)
{
    if (argc >= 2 && strcmp(argv[1], "run") == 0)
        return exercise_run(argc - 1, argv + 1);
    if (argc >= 2 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 ||
                      strcmp(argv[1], "help") == 0)) {
        fputs(EXERCISE_HELP, stdout);
        return CLI_EXIT_OK;
    }
    if (argc < 2)
        return cli_usage_error("exercise", "expected a subcommand: run (see mwds exercise --help)");
    return cli_usage_error(
        "exercise", "unknown subcommand '%s' (expected run; see mwds exercise --help)", argv[1]);
}
