/* Following an exercise through its nodes' journals; see exercise_watch.h. */
#include "exercise_watch.h"

#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "mwds/geo.h"

/* A track is attributed to the launch whose truth is nearest to it, within
 * this distance, at one of its first few published states. */
#define TRACK_GATE_M 50e3
#define TRACK_TRIES 3
/* A warning's position (the assessment's, at issue) to the truth. */
#define WARN_GATE_M 150e3
/* Launches beyond which events are counted per minute, not listed. */
#define VERBOSE_LAUNCHES 12
/* Ground-track sampling for the truth's overflights. */
#define OVER_STEP_S 2.0

static double sec(int64_t ns)
{
    return (double)ns / 1e9;
}

/* ---- truth ---- */

static int add_event(ex_event **v, size_t *n, size_t *cap, int64_t t_ns, const char *text)
{
    if (*n == *cap) {
        size_t c = *cap ? 2 * *cap : 64;
        ex_event *p = realloc(*v, c * sizeof *p);
        if (p == NULL)
            return -1;
        *v = p;
        *cap = c;
    }
    (*v)[*n].t_ns = t_ns;
    snprintf((*v)[*n].text, sizeof(*v)[*n].text, "%s", text);
    (*n)++;
    return 0;
}

static int by_time(const void *a, const void *b)
{
    const ex_event *x = a, *y = b;
    return (x->t_ns > y->t_ns) - (x->t_ns < y->t_ns);
}

static const char *class_kind(const mwds_launch_config *l)
{
    return l->cls != NULL ? mwds_class_kind_name(l->cls->kind) : "?";
}

/* "40.61N 126.43E" */
static void fmt_place(mwds_lla p, char *buf, size_t len)
{
    double lat = p.lat_rad * MWDS_RAD2DEG, lon = mwds_geo_wrap_pi(p.lon_rad) * MWDS_RAD2DEG;
    snprintf(buf, len, "%.2f%c %.2f%c", fabs(lat), lat >= 0 ? 'N' : 'S', fabs(lon),
             lon >= 0 ? 'E' : 'W');
}

/* Flies the ground track of launch i through the areas that belong to the
 * scenario's nations (not the one it starts in). */
static void find_overflights(ex_watch *w, size_t i, const mwds_areas *areas)
{
    ex_truth *t = &w->truth[i];
    if (areas == NULL)
        return;
    double flight_s = sec(t->t_impact_ns - t->t_launch_ns);
    for (size_t a = 0; a < areas->n && t->n_over < EX_MAX_OVERFLIGHTS; a++) {
        const mwds_area *ar = &areas->areas[a];
        if (mwds_scenario_nation(w->sc, ar->nation) < 0 || mwds_area_contains(ar, t->launch))
            continue;
        int inside = 0;
        for (double s = 0; s <= flight_s; s += OVER_STEP_S) {
            int64_t tn = t->t_launch_ns + mwds_time_from_s(s);
            int fly = 0, burn = 0;
            mwds_vec3 pos, vel;
            mwds_lla g;
            if (mwds_sim_truth(w->truth_sim, i, tn, &fly, &pos, &vel, &burn) != MWDS_OK || !fly ||
                mwds_geo_ecef_to_lla(pos, &g) != MWDS_OK)
                continue;
            int in = mwds_area_contains(ar, g);
            if (in && !inside) {
                if (t->n_over == EX_MAX_OVERFLIGHTS)
                    break;
                snprintf(t->over[t->n_over].area, sizeof t->over[t->n_over].area, "%s", ar->code);
                t->over[t->n_over].t_in_ns = t->over[t->n_over].t_out_ns = tn;
                t->n_over++;
            }
            if (in)
                t->over[t->n_over - 1].t_out_ns = tn;
            inside = in;
        }
    }
}

static int make_truth(ex_watch *w, const mwds_areas *areas)
{
    const mwds_scenario *sc = w->sc;
    int64_t end = sc->start_t_ns + mwds_time_from_s(sc->duration_s);
    size_t cap = 0;
    for (size_t i = 0; i < sc->n_launches; i++) {
        const mwds_traj *tr = mwds_sim_trajectory(w->truth_sim, i);
        ex_truth *t = &w->truth[i];
        t->t_launch_ns = tr->launch_t_ns;
        t->t_impact_ns = tr->launch_t_ns + mwds_time_from_s(tr->sum.flight_time_s);
        t->launch = tr->sum.launch;
        t->impact = tr->sum.impact;
        find_overflights(w, i, areas);
        if (!w->verbose)
            continue;
        const char *id = sc->launches[i].id;
        char text[224], place[48];
        fmt_place(t->launch, place, sizeof place);
        const mwds_missile_class *cls = sc->launches[i].cls;
        snprintf(text, sizeof text, "%-6s launch: %s (%s) from %s  [truth]", id,
                 cls ? cls->name : "?", cls ? cls->label : "?", place);
        if (add_event(&w->tq, &w->n_tq, &cap, t->t_launch_ns, text) != 0)
            return -1;
        for (int k = 0; k < t->n_over; k++) {
            snprintf(text, sizeof text, "%-6s over %s until T+%.0f s  [truth]", id, t->over[k].area,
                     sec(t->over[k].t_out_ns - sc->start_t_ns));
            if (t->over[k].t_in_ns <= end &&
                add_event(&w->tq, &w->n_tq, &cap, t->over[k].t_in_ns, text) != 0)
                return -1;
        }
        fmt_place(t->impact, place, sizeof place);
        snprintf(text, sizeof text, "%-6s impact at %s, %.0f s after launch  [truth]", id, place,
                 sec(t->t_impact_ns - t->t_launch_ns));
        if (t->t_impact_ns <= end && add_event(&w->tq, &w->n_tq, &cap, t->t_impact_ns, text) != 0)
            return -1;
    }
    if (w->n_tq > 1)
        qsort(w->tq, w->n_tq, sizeof *w->tq, by_time);
    return 0;
}

/* The last look time of each nation's sensors: sensor s looks at
 * start + k * revisit / dwells while that is not past the end (as
 * mwds_sim_look). */
static void last_looks(ex_watch *w)
{
    const mwds_scenario *sc = w->sc;
    int64_t end = sc->start_t_ns + mwds_time_from_s(sc->duration_s);
    for (size_t s = 0; s < sc->n_sensors; s++) {
        const mwds_sensor *sn = &sc->sensors[s].sensor;
        double rv = sn->revisit_s / mwds_sensor_dwell_count(sn);
        double k = floor(sc->duration_s / rv);
        int64_t t = sc->start_t_ns + mwds_time_from_s(k * rv);
        while (t > end && k > 0) {
            k -= 1;
            t = sc->start_t_ns + mwds_time_from_s(k * rv);
        }
        ex_node *n = &w->nodes[sc->sensors[s].nation];
        n->has_sensors = 1;
        if (t > n->last_look_ns)
            n->last_look_ns = t;
    }
}

int ex_watch_init(ex_watch *w, const mwds_scenario *sc, const mwds_sim *sim,
                  const mwds_areas *areas, const char *dir, double speed, FILE *out, FILE *log)
{
    memset(w, 0, sizeof *w);
    w->sc = sc;
    w->truth_sim = sim;
    w->speed = speed;
    w->out = out;
    w->log = log;
    w->tty = out != NULL && isatty(fileno(out));
    w->verbose = sc->n_launches <= VERBOSE_LAUNCHES;
    w->wall0_ns = INT64_MAX;
    w->progress_ns = sc->start_t_ns;
    w->next_count_ns = sc->start_t_ns + 60 * MWDS_NS_PER_S;
    w->n_nodes = sc->n_nations;
    size_t nl = sc->n_launches ? sc->n_launches : 1, nn = w->n_nodes ? w->n_nodes : 1;
    w->truth = calloc(nl, sizeof *w->truth);
    w->nodes = calloc(nn, sizeof *w->nodes);
    w->detect = malloc(nl * nn * sizeof *w->detect);
    w->warn = malloc(nl * nn * sizeof *w->warn);
    w->over_warn = malloc(nl * nn * sizeof *w->over_warn);
    if (!w->truth || !w->nodes || !w->detect || !w->warn || !w->over_warn) {
        ex_watch_fini(w);
        return -1;
    }
    for (size_t k = 0; k < nl * nn; k++) {
        w->detect[k].t_ns = w->warn[k].t_ns = w->over_warn[k].t_ns = INT64_MIN;
        w->detect[k].what[0] = w->warn[k].what[0] = w->over_warn[k].what[0] = '\0';
        w->detect[k].received = w->warn[k].received = w->over_warn[k].received = 0;
    }
    for (size_t a = 0; a < w->n_nodes; a++) {
        ex_node *n = &w->nodes[a];
        snprintf(n->nation, sizeof n->nation, "%s", sc->nations[a].code);
        snprintf(n->path, sizeof n->path, "%s/%s.journal", dir, n->nation);
        n->last_look_ns = INT64_MIN;
        n->max_look_ns = INT64_MIN;
    }
    last_looks(w);
    if (make_truth(w, areas) != 0) {
        ex_watch_fini(w);
        return -1;
    }
    return 0;
}

void ex_watch_close(ex_watch *w)
{
    for (size_t a = 0; a < w->n_nodes; a++) {
        mwds_journal_close(w->nodes[a].j);
        w->nodes[a].j = NULL;
    }
}

void ex_watch_fini(ex_watch *w)
{
    if (w->nodes != NULL) {
        ex_watch_close(w);
        for (size_t a = 0; a < w->n_nodes; a++) {
            ex_node *n = &w->nodes[a];
            free(n->look_t);
            free(n->look_send);
            free(n->look_recv);
            free(n->trk_tries);
            free(n->trk_launch);
        }
    }
    free(w->nodes);
    free(w->truth);
    free(w->detect);
    free(w->warn);
    free(w->over_warn);
    free(w->tq);
    free(w->pending);
    memset(w, 0, sizeof *w);
}

/* ---- output ---- */

static void put_bar(ex_watch *w)
{
    if (w->tty && w->bar[0]) {
        fprintf(w->out, "\r\033[K%s", w->bar);
        fflush(w->out);
    }
}

void ex_watch_clear_bar(ex_watch *w)
{
    if (w->tty && w->bar[0]) {
        fprintf(w->out, "\r\033[K");
        fflush(w->out);
    }
    w->bar[0] = '\0';
}

static void vsay(ex_watch *w, const char *tag, const char *fmt, va_list ap)
{
    char line[512];
    vsnprintf(line, sizeof line, fmt, ap);
    if (w->out != NULL) {
        if (w->tty)
            fprintf(w->out, "\r\033[K\033[1;30;43m%s\033[0m %s\n", tag, line);
        else
            fprintf(w->out, "%s %s\n", tag, line);
        put_bar(w);
        fflush(w->out);
    }
    if (w->log != NULL) {
        fprintf(w->log, "%s %s\n", tag, line);
        fflush(w->log);
    }
}

void ex_watch_say(ex_watch *w, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsay(w, "EXERCISE", fmt, ap);
    va_end(ap);
}

/* One event line: "EXERCISE T+  113.0 s  L1  ..." */
static void say_event(ex_watch *w, int64_t t_ns, const char *text)
{
    ex_watch_say(w, "T+%7.1f s  %s", sec(t_ns - w->sc->start_t_ns), text);
}

static void pend(ex_watch *w, int64_t t_ns, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void pend(ex_watch *w, int64_t t_ns, const char *fmt, ...)
{
    char text[224];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(text, sizeof text, fmt, ap);
    va_end(ap);
    if (add_event(&w->pending, &w->n_pending, &w->cap_pending, t_ns, text) != 0)
        say_event(w, t_ns, text); /* out of memory: print it now, out of order */
}

/* ---- attribution ---- */

/* The launch in flight at t_ns nearest to pos within gate_m, or -1. */
static int nearest_launch(const ex_watch *w, int64_t t_ns, mwds_vec3 pos, double gate_m)
{
    int best = -1;
    double best_d = gate_m;
    for (size_t i = 0; i < w->sc->n_launches; i++) {
        const ex_truth *t = &w->truth[i];
        if (t_ns < t->t_launch_ns || t_ns > t->t_impact_ns)
            continue;
        int fly = 0, burn = 0;
        mwds_vec3 p, v;
        if (mwds_sim_truth(w->truth_sim, i, t_ns, &fly, &p, &v, &burn) != MWDS_OK || !fly)
            continue;
        double dx = p.v[0] - pos.v[0], dy = p.v[1] - pos.v[1], dz = p.v[2] - pos.v[2];
        double d = sqrt(dx * dx + dy * dy + dz * dz);
        if (d < best_d) {
            best_d = d;
            best = (int)i;
        }
    }
    return best;
}

static int track_slot(ex_node *n, unsigned long key)
{
    if (key > 100000000ul)
        return -1;
    if (key >= n->trk_cap) {
        size_t c = n->trk_cap ? n->trk_cap : 256;
        while (c <= key)
            c *= 2;
        int16_t *tries = realloc(n->trk_tries, c * sizeof *tries);
        if (tries == NULL)
            return -1;
        n->trk_tries = tries;
        int32_t *launch = realloc(n->trk_launch, c * sizeof *launch);
        if (launch == NULL)
            return -1;
        n->trk_launch = launch;
        for (size_t k = n->trk_cap; k < c; k++) {
            tries[k] = 0;
            launch[k] = -1;
        }
        n->trk_cap = c;
    }
    return 0;
}

static void on_track(ex_watch *w, size_t a, const mwds_journal_row *r)
{
    ex_node *n = &w->nodes[a];
    char *end;
    unsigned long key = strtoul(r->key, &end, 10);
    if (*end != '\0' || track_slot(n, key) != 0)
        return;
    if (n->trk_launch[key] >= 0 || n->trk_tries[key] >= TRACK_TRIES)
        return;
    json_t *o = json_loads(r->payload, 0, NULL);
    json_t *x = o ? json_object_get(json_object_get(o, "state"), "x") : NULL;
    if (x != NULL && json_array_size(x) >= 3) {
        n->trk_tries[key]++;
        mwds_vec3 pos = {{json_number_value(json_array_get(x, 0)),
                          json_number_value(json_array_get(x, 1)),
                          json_number_value(json_array_get(x, 2))}};
        int i = nearest_launch(w, r->t_sample_ns, pos, TRACK_GATE_M);
        if (i >= 0) {
            n->trk_launch[key] = i;
            ex_first *d = &w->detect[(size_t)i * w->n_nodes + a];
            if (d->t_ns == INT64_MIN || r->t_sample_ns < d->t_ns) {
                int first = d->t_ns == INT64_MIN;
                d->t_ns = r->t_sample_ns;
                snprintf(d->what, sizeof d->what, "track %lu", key);
                if (first && w->verbose)
                    pend(w, d->t_ns, "%-6s detected by %s: track %lu, %.1f s after launch",
                         w->sc->launches[i].id, n->nation, key,
                         sec(d->t_ns - w->truth[i].t_launch_ns));
            }
        }
    }
    json_decref(o);
}

static void on_warning(ex_watch *w, size_t a, const mwds_journal_row *r)
{
    ex_node *n = &w->nodes[a];
    int received = r->dir == MWDS_JOURNAL_RECEIVED;
    if (received)
        n->warnings_received++;
    else
        n->warnings_sent++;
    json_t *o = json_loads(r->payload, 0, NULL);
    if (o == NULL)
        return;
    const char *kind = json_string_value(json_object_get(o, "kind"));
    json_t *as = json_object_get(o, "assessment");
    json_t *pos = json_object_get(as, "position");
    json_t *id = json_object_get(o, "id");
    if (kind == NULL || pos == NULL || strcmp(kind, "CANCEL") == 0) {
        json_decref(o);
        return;
    }
    /* where the nation had it, in simulated time */
    int64_t t = r->t_sample_ns;
    if (received && r->t_recv_ns > r->t_send_ns)
        t += (int64_t)((double)(r->t_recv_ns - r->t_send_ns) * (w->speed > 0 ? w->speed : 1.0));
    mwds_lla g = {json_number_value(json_object_get(pos, "lat_deg")) * MWDS_DEG2RAD,
                  json_number_value(json_object_get(pos, "lon_deg")) * MWDS_DEG2RAD,
                  json_number_value(json_object_get(as, "height_km")) * 1e3};
    int i = nearest_launch(w, r->t_sample_ns, mwds_geo_lla_to_ecef(g), WARN_GATE_M);
    if (i < 0) {
        json_decref(o);
        return;
    }
    char what[48];
    snprintf(what, sizeof what, "%s W%lld %s", r->origin, (long long)json_integer_value(id), kind);
    double after = sec(t - w->truth[i].t_launch_ns);
    double wire_ms = received ? (double)(r->t_recv_ns - r->t_send_ns) / 1e6 : 0;
    size_t k = (size_t)i * w->n_nodes + a;
    ex_first *f = &w->warn[k];
    if (f->t_ns == INT64_MIN || t < f->t_ns) {
        int first = f->t_ns == INT64_MIN;
        f->t_ns = t;
        f->received = received;
        snprintf(f->what, sizeof f->what, "%s", what);
        if (first && w->verbose) {
            if (received)
                pend(w, t,
                     "%-6s first warning at %s: %s received (%.1f ms on the wire), %.1f s "
                     "after launch",
                     w->sc->launches[i].id, n->nation, what, wire_ms, after);
            else
                pend(w, t, "%-6s first warning at %s: %s issued, %.1f s after launch",
                     w->sc->launches[i].id, n->nation, what, after);
        }
    }
    if (strcmp(kind, "OVERFLIGHT") == 0) {
        ex_first *ov = &w->over_warn[k];
        if (ov->t_ns == INT64_MIN || t < ov->t_ns) {
            int first = ov->t_ns == INT64_MIN;
            ov->t_ns = t;
            ov->received = received;
            snprintf(ov->what, sizeof ov->what, "%s", what);
            const char *area = json_string_value(json_object_get(o, "area"));
            double entry_s = -1;
            json_t *ovs = json_object_get(as, "overflight");
            for (size_t m = 0; m < json_array_size(ovs); m++) {
                json_t *e = json_array_get(ovs, m);
                const char *ea = json_string_value(json_object_get(e, "area"));
                if (area != NULL && ea != NULL && strcmp(ea, area) == 0)
                    entry_s = json_number_value(json_object_get(e, "entry_t_s"));
            }
            /* the node writes times as seconds since the epoch */
            double lead = entry_s > 0 ? entry_s - sec(t) : -1;
            if (first && w->verbose) {
                if (lead >= 0)
                    pend(w, t, "%-6s overflight warning at %s: %s %s over %s, %.0f s before entry",
                         w->sc->launches[i].id, n->nation, what, received ? "received" : "issued",
                         area ? area : "?", lead);
                else
                    pend(w, t, "%-6s overflight warning at %s: %s %s over %s",
                         w->sc->launches[i].id, n->nation, what, received ? "received" : "issued",
                         area ? area : "?");
            }
        }
    }
    json_decref(o);
}

static void on_look(ex_watch *w, size_t a, const mwds_journal_row *r)
{
    ex_node *n = &w->nodes[a];
    if (n->n_looks == n->cap_looks) {
        size_t c = n->cap_looks ? 2 * n->cap_looks : 1024;
        int64_t *t = realloc(n->look_t, c * sizeof *t);
        if (t == NULL)
            return;
        n->look_t = t;
        int64_t *s = realloc(n->look_send, c * sizeof *s);
        if (s == NULL)
            return;
        n->look_send = s;
        int64_t *v = realloc(n->look_recv, c * sizeof *v);
        if (v == NULL)
            return;
        n->look_recv = v;
        n->cap_looks = c;
    }
    n->look_t[n->n_looks] = r->t_sample_ns;
    n->look_send[n->n_looks] = r->t_send_ns;
    n->look_recv[n->n_looks] = r->t_recv_ns;
    n->n_looks++;
    if (r->t_sample_ns > n->max_look_ns)
        n->max_look_ns = r->t_sample_ns;
    if (r->t_sample_ns > w->progress_ns)
        w->progress_ns = r->t_sample_ns;
    if (w->speed > 0) {
        int64_t w0 =
            r->t_send_ns - (int64_t)((double)(r->t_sample_ns - w->sc->start_t_ns) / w->speed);
        if (w0 < w->wall0_ns)
            w->wall0_ns = w0;
    }
}

typedef struct row_ctx {
    ex_watch *w;
    size_t node;
} row_ctx;

static int on_row(void *ctx, const mwds_journal_row *r)
{
    row_ctx *c = ctx;
    if (strcmp(r->topic, "Measurement") == 0 && r->dir == MWDS_JOURNAL_RECEIVED)
        on_look(c->w, c->node, r);
    else if (strcmp(r->topic, "Track") == 0 && r->dir == MWDS_JOURNAL_SENT) {
        c->w->nodes[c->node].tracks_sent++;
        if (strstr(r->payload, "\"ended\"") == NULL)
            on_track(c->w, c->node, r);
    } else if (strcmp(r->topic, "Warning") == 0)
        on_warning(c->w, c->node, r);
    return 0;
}

/* ---- pacing ---- */

/* How late the node took look k (s); the due time is from wall0. */
static double look_lag_s(const ex_watch *w, const ex_node *n, size_t k)
{
    int64_t due = w->wall0_ns + (int64_t)((double)(n->look_t[k] - w->sc->start_t_ns) / w->speed);
    return sec(n->look_recv[k] - due);
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* p50, p99 and max of a node's lateness (s); 0 if none. */
static int node_lag(const ex_watch *w, const ex_node *n, double *p50, double *p99, double *max)
{
    if (w->speed <= 0 || n->n_looks == 0 || w->wall0_ns == INT64_MAX)
        return 0;
    double *v = malloc(n->n_looks * sizeof *v);
    if (v == NULL)
        return 0;
    for (size_t k = 0; k < n->n_looks; k++)
        v[k] = look_lag_s(w, n, k);
    qsort(v, n->n_looks, sizeof *v, cmp_double);
    *p50 = v[n->n_looks / 2];
    *p99 = v[(size_t)((double)(n->n_looks - 1) * 0.99)];
    *max = v[n->n_looks - 1];
    free(v);
    return 1;
}

double ex_watch_max_lag_s(const ex_watch *w, const char **nation)
{
    double worst = -1;
    for (size_t a = 0; a < w->n_nodes; a++) {
        double p50, p99, max;
        if (node_lag(w, &w->nodes[a], &p50, &p99, &max) && max > worst) {
            worst = max;
            if (nation != NULL)
                *nation = w->nodes[a].nation;
        }
    }
    return worst;
}

int ex_watch_drained(const ex_watch *w)
{
    for (size_t a = 0; a < w->n_nodes; a++)
        if (w->nodes[a].has_sensors && w->nodes[a].max_look_ns < w->nodes[a].last_look_ns)
            return 0;
    return 1;
}

/* ---- polling ---- */

static int launched_by(const ex_watch *w, int64_t t, size_t *in_flight)
{
    int n = 0;
    *in_flight = 0;
    for (size_t i = 0; i < w->sc->n_launches; i++) {
        n += w->truth[i].t_launch_ns <= t;
        *in_flight += w->truth[i].t_launch_ns <= t && t < w->truth[i].t_impact_ns;
    }
    return n;
}

/* The count line for exercises with many launches. */
static void count_line(ex_watch *w, int64_t t)
{
    size_t in_flight = 0;
    int launched = launched_by(w, t, &in_flight), all_warned = 0;
    char per[160] = "";
    size_t o = 0;
    for (size_t a = 0; a < w->n_nodes && o < sizeof per; a++) {
        int det = 0, warned = 0;
        for (size_t i = 0; i < w->sc->n_launches; i++) {
            det += w->detect[i * w->n_nodes + a].t_ns != INT64_MIN;
            warned += w->warn[i * w->n_nodes + a].t_ns != INT64_MIN;
        }
        o += (size_t)snprintf(per + o, sizeof per - o, "%s%s %d/%d", a ? ", " : "",
                              w->nodes[a].nation, det, warned);
    }
    for (size_t i = 0; i < w->sc->n_launches; i++) {
        size_t a = 0;
        while (a < w->n_nodes && w->warn[i * w->n_nodes + a].t_ns != INT64_MIN)
            a++;
        all_warned += a == w->n_nodes;
    }
    char text[400];
    snprintf(text, sizeof text,
             "launched %d/%zu, in flight %zu; launches detected/warned at %s; warned at every "
             "nation %d",
             launched, w->sc->n_launches, in_flight, per, all_warned);
    say_event(w, t, text);
}

/* The progress bar: simulated time (from the wall clock and the speed
 * once the start is known, else from the journals), the wall time and how
 * far behind real time the nodes are now. */
static void draw_bar(ex_watch *w, int64_t now_wall_ns)
{
    const mwds_scenario *sc = w->sc;
    double dur = sc->duration_s, t = sec(w->progress_ns - sc->start_t_ns);
    if (w->speed > 0 && w->wall0_ns != INT64_MAX)
        t = sec(now_wall_ns - w->wall0_ns) * w->speed;
    if (t < 0)
        t = 0;
    if (t > dur)
        t = dur;
    int cols = 80;
    struct winsize ws;
    if (ioctl(fileno(w->out), TIOCGWINSZ, &ws) == 0 && ws.ws_col >= 40)
        cols = ws.ws_col;
    char tail[160];
    double behind = -1;
    for (size_t a = 0; a < w->n_nodes; a++) {
        const ex_node *n = &w->nodes[a];
        if (w->speed > 0 && n->n_looks > 0 && w->wall0_ns != INT64_MAX) {
            double l = look_lag_s(w, n, n->n_looks - 1);
            behind = l > behind ? l : behind;
        }
    }
    double wall = sec(now_wall_ns - w->wall_start_ns);
    if (w->speed > 0)
        snprintf(tail, sizeof tail, " %3.0f%%  %gx  wall %.0f s%s", 100 * t / dur, w->speed, wall,
                 behind >= 0 ? "" : "  waiting for the nodes");
    else
        snprintf(tail, sizeof tail, " %3.0f%%  max speed (lockstep)  wall %.0f s", 100 * t / dur,
                 wall);
    char head[64];
    snprintf(head, sizeof head, "EXERCISE T+%5.0f/%.0f s [", t, dur);
    char behind_txt[48] = "";
    if (behind >= 0)
        snprintf(behind_txt, sizeof behind_txt, "  behind %.2f s", behind);
    int width = cols - (int)strlen(head) - (int)strlen(tail) - (int)strlen(behind_txt) - 2;
    if (width < 10)
        width = 10;
    if (width > 60)
        width = 60;
    int fill = (int)(width * t / dur + 0.5);
    char bar[64];
    for (int k = 0; k < width; k++)
        bar[k] = k < fill ? '#' : '.';
    bar[width] = '\0';
    snprintf(w->bar, sizeof w->bar, "%s%s]%s%s", head, bar, tail, behind_txt);
}

void ex_watch_poll(ex_watch *w, int64_t now_wall_ns, int final)
{
    for (size_t a = 0; a < w->n_nodes; a++) {
        ex_node *n = &w->nodes[a];
        if (n->j == NULL) {
            if (access(n->path, R_OK) != 0)
                continue;
            mwds_journal_options o;
            mwds_journal_options_default(&o);
            o.read_only = 1;
            o.busy_timeout_ms = 200;
            if (mwds_journal_open(n->path, &o, &n->j, NULL, 0) != MWDS_OK) {
                n->j = NULL;
                continue;
            }
        }
        row_ctx c = {w, a};
        mwds_journal_follow(n->j, NULL, &n->cursor, on_row, &c);
    }
    /* the events up to the time every node with sensors has reached in its
     * journal (so that one node's event is not printed before another's
     * earlier one that is not committed yet), journal and truth events in
     * time order; later ones wait for the next poll */
    int64_t upto = INT64_MAX;
    for (size_t a = 0; a < w->n_nodes && !final; a++)
        if (w->nodes[a].has_sensors && w->nodes[a].max_look_ns < upto)
            upto = w->nodes[a].max_look_ns;
    /* at the end: every journal event, and the truth as far as the run got */
    int64_t upto_truth = final ? w->progress_ns : upto;
    if (w->n_pending > 1)
        qsort(w->pending, w->n_pending, sizeof *w->pending, by_time);
    size_t p = 0;
    for (;;) {
        int have_truth = w->truth_next < w->n_tq && w->tq[w->truth_next].t_ns <= upto_truth;
        int have_journal = p < w->n_pending && w->pending[p].t_ns <= upto;
        if (!have_truth && !have_journal)
            break;
        int truth =
            have_truth && (!have_journal || w->tq[w->truth_next].t_ns <= w->pending[p].t_ns);
        const ex_event *e = truth ? &w->tq[w->truth_next++] : &w->pending[p++];
        say_event(w, e->t_ns, e->text);
    }
    if (p > 0 && p < w->n_pending)
        memmove(w->pending, w->pending + p, (w->n_pending - p) * sizeof *w->pending);
    w->n_pending -= p;
    if (!w->verbose) {
        int64_t end = w->sc->start_t_ns + mwds_time_from_s(w->sc->duration_s);
        while (w->next_count_ns <= w->progress_ns && w->next_count_ns <= end) {
            count_line(w, w->next_count_ns);
            w->next_count_ns += 60 * MWDS_NS_PER_S;
        }
    }
    if (w->out == NULL || final)
        return;
    if (w->tty) {
        draw_bar(w, now_wall_ns);
        put_bar(w);
        return;
    }
    /* not a terminal: a plain line at each tenth of the scenario */
    double pct = 100.0 * sec(w->progress_ns - w->sc->start_t_ns) / w->sc->duration_s;
    if (pct >= w->next_pct + 10) {
        w->next_pct = (int)(pct / 10) * 10;
        ex_watch_say(w, "T+%7.1f s  %d %% of the scenario, wall %.0f s",
                     sec(w->progress_ns - w->sc->start_t_ns), w->next_pct,
                     sec(now_wall_ns - w->wall_start_ns));
    }
}

/* ---- the account of the run ---- */

static void fmt_after(char *buf, size_t len, const ex_first *f, int64_t t_launch)
{
    if (f->t_ns == INT64_MIN)
        snprintf(buf, len, "-");
    else
        snprintf(buf, len, "%.1f", sec(f->t_ns - t_launch));
}

static int cmp_i64(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return (x > y) - (x < y);
}

void ex_watch_summary(const ex_watch *w, FILE *f)
{
    const mwds_scenario *sc = w->sc;
    size_t nn = w->n_nodes;
    fprintf(f,
            "EXERCISE %s: first detection and first warning at each nation, seconds after "
            "launch (as the runner saw them in the journals)\n\n",
            sc->name);
    if (w->verbose) {
        fprintf(f, "%-8s %-6s", "launch", "class");
        for (size_t a = 0; a < nn; a++)
            fprintf(f, "  %3s detect   warn", w->nodes[a].nation);
        fprintf(f, "  first warning\n");
        for (size_t i = 0; i < sc->n_launches; i++) {
            fprintf(f, "%-8s %-6s", sc->launches[i].id, class_kind(&sc->launches[i]));
            int64_t t0 = w->truth[i].t_launch_ns;
            const ex_first *first = NULL;
            for (size_t a = 0; a < nn; a++) {
                char d[16], x[16];
                fmt_after(d, sizeof d, &w->detect[i * nn + a], t0);
                fmt_after(x, sizeof x, &w->warn[i * nn + a], t0);
                fprintf(f, "  %10s %6s", d, x);
                const ex_first *c = &w->warn[i * nn + a];
                if (c->t_ns != INT64_MIN && (first == NULL || c->t_ns < first->t_ns))
                    first = c;
            }
            fprintf(f, "  %s\n", first ? first->what : "none");
        }
    } else {
        fprintf(f, "%-7s %9s %9s %12s %12s %12s\n", "nation", "detected", "warned", "warn p50 s",
                "warn p90 s", "warn max s");
        int64_t *v = malloc((sc->n_launches ? sc->n_launches : 1) * sizeof *v);
        for (size_t a = 0; a < nn && v != NULL; a++) {
            size_t det = 0, nw = 0;
            for (size_t i = 0; i < sc->n_launches; i++) {
                det += w->detect[i * nn + a].t_ns != INT64_MIN;
                if (w->warn[i * nn + a].t_ns != INT64_MIN)
                    v[nw++] = w->warn[i * nn + a].t_ns - w->truth[i].t_launch_ns;
            }
            if (nw > 1)
                qsort(v, nw, sizeof *v, cmp_i64);
            fprintf(f, "%-7s %4zu/%-4zu %4zu/%-4zu", w->nodes[a].nation, det, sc->n_launches, nw,
                    sc->n_launches);
            if (nw)
                fprintf(f, " %12.1f %12.1f %12.1f\n", sec(v[nw / 2]),
                        sec(v[(size_t)((double)(nw - 1) * 0.9)]), sec(v[nw - 1]));
            else
                fprintf(f, " %12s %12s %12s\n", "-", "-", "-");
        }
        free(v);
    }
    fprintf(f, "\n");
    if (w->speed > 0) {
        fprintf(f, "behind real time (a look's due time to its node's tracker having taken it), "
                   "seconds\n");
        fprintf(f, "%-7s %8s %8s %8s %8s\n", "node", "looks", "p50", "p99", "max");
        for (size_t a = 0; a < nn; a++) {
            double p50, p99, max;
            if (node_lag(w, &w->nodes[a], &p50, &p99, &max))
                fprintf(f, "%-7s %8zu %8.3f %8.3f %8.3f\n", w->nodes[a].nation, w->nodes[a].n_looks,
                        p50, p99, max);
            else
                fprintf(f, "%-7s %8zu %8s %8s %8s\n", w->nodes[a].nation, w->nodes[a].n_looks, "-",
                        "-", "-");
        }
        const char *worst = NULL;
        double lag = ex_watch_max_lag_s(w, &worst);
        if (worst != NULL)
            fprintf(f, "slowest node: %s, at most %.3f s behind real time\n", worst, lag);
        fprintf(f, "\n");
    }
}

static json_t *first_json(const ex_first *f, int64_t t0)
{
    if (f->t_ns == INT64_MIN)
        return json_null();
    return json_pack("{s:f, s:s, s:b}", "s_after_launch", sec(f->t_ns - t0), "what", f->what,
                     "received", f->received);
}

json_t *ex_watch_json(const ex_watch *w)
{
    const mwds_scenario *sc = w->sc;
    size_t nn = w->n_nodes;
    json_t *nodes = json_array();
    for (size_t a = 0; a < nn; a++) {
        const ex_node *n = &w->nodes[a];
        json_t *o = json_pack("{s:s, s:I, s:I, s:I, s:I}", "nation", n->nation, "looks",
                              (json_int_t)n->n_looks, "tracks_sent", (json_int_t)n->tracks_sent,
                              "warnings_sent", (json_int_t)n->warnings_sent, "warnings_received",
                              (json_int_t)n->warnings_received);
        double p50, p99, max;
        if (node_lag(w, n, &p50, &p99, &max))
            json_object_set_new(o, "behind_real_time_s",
                                json_pack("{s:f, s:f, s:f}", "p50", p50, "p99", p99, "max", max));
        else
            json_object_set_new(o, "behind_real_time_s", json_null());
        json_array_append_new(nodes, o);
    }
    json_t *launches = json_array();
    for (size_t i = 0; i < sc->n_launches; i++) {
        const ex_truth *t = &w->truth[i];
        json_t *nat = json_object();
        for (size_t a = 0; a < nn; a++)
            json_object_set_new(nat, w->nodes[a].nation,
                                json_pack("{s:o, s:o, s:o}", "detected",
                                          first_json(&w->detect[i * nn + a], t->t_launch_ns),
                                          "first_warning",
                                          first_json(&w->warn[i * nn + a], t->t_launch_ns),
                                          "first_overflight_warning",
                                          first_json(&w->over_warn[i * nn + a], t->t_launch_ns)));
        json_t *over = json_array();
        for (int k = 0; k < t->n_over; k++)
            json_array_append_new(over,
                                  json_pack("{s:s, s:f, s:f}", "area", t->over[k].area, "t_in_s",
                                            sec(t->over[k].t_in_ns - sc->start_t_ns), "t_out_s",
                                            sec(t->over[k].t_out_ns - sc->start_t_ns)));
        json_array_append_new(
            launches,
            json_pack("{s:s, s:s, s:f, s:f, s:o, s:o}", "id", sc->launches[i].id, "class",
                      sc->launches[i].cls ? sc->launches[i].cls->name : "", "launch_t_s",
                      sec(t->t_launch_ns - sc->start_t_ns), "impact_t_s",
                      sec(t->t_impact_ns - sc->start_t_ns), "overflights", over, "nations", nat));
    }
    json_t *o = json_pack("{s:o, s:o}", "nodes", nodes, "launches", launches);
    const char *worst = NULL;
    double lag = ex_watch_max_lag_s(w, &worst);
    if (worst != NULL)
        json_object_set_new(
            o, "slowest_node",
            json_pack("{s:s, s:f}", "nation", worst, "max_behind_real_time_s", lag));
    else
        json_object_set_new(o, "slowest_node", json_null());
    return o;
}
