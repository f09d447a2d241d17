/* Lockstep pacing of the simulator's feeds; see sim_gate.h. */
#include "sim_gate.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int sim_gate_init(sim_gate *g, const mwds_scenario *sc, const mwds_policy *pol, double timeout_s)
{
    memset(g, 0, sizeof *g);
    size_t n = sc->n_nations ? sc->n_nations : 1;
    g->sc = sc;
    g->need_ns = malloc(n * sizeof *g->need_ns);
    g->have_ns = malloc(n * sizeof *g->have_ns);
    g->sent = calloc(n, sizeof *g->sent);
    g->received = calloc(n, sizeof *g->received);
    g->gets = calloc(n * n, 1);
    g->sensors = calloc(n, 1);
    if (g->need_ns == NULL || g->have_ns == NULL || g->sent == NULL || g->received == NULL ||
        g->gets == NULL || g->sensors == NULL) {
        sim_gate_fini(g);
        return -1;
    }
    for (size_t a = 0; a < n; a++)
        g->need_ns[a] = g->have_ns[a] = INT64_MIN;
    for (size_t s = 0; s < sc->n_sensors; s++)
        g->sensors[sc->sensors[s].nation] = 1;
    for (size_t a = 0; a < sc->n_nations; a++) {
        int pa = mwds_policy_nation(pol, sc->nations[a].code);
        for (size_t b = 0; b < sc->n_nations; b++) {
            int pb = mwds_policy_nation(pol, sc->nations[b].code);
            g->gets[a * n + b] = a != b && pa >= 0 && pb >= 0 &&
                                 (pol->release[pa][MWDS_TOPIC_TRACK] >> pb & 1u) != 0;
        }
    }
    g->step_ns = INT64_MIN;
    g->timeout_ns = (int64_t)(timeout_s * 1e9);
    return 0;
}

void sim_gate_fini(sim_gate *g)
{
    free(g->need_ns);
    free(g->have_ns);
    free(g->sent);
    free(g->received);
    free(g->gets);
    free(g->sensors);
    g->need_ns = g->have_ns = NULL;
    g->sent = g->received = NULL;
    g->gets = g->sensors = NULL;
}

static int on_status(void *ctx, const mwds_net_status_rx *s)
{
    sim_gate *g = ctx;
    int a = mwds_scenario_nation(g->sc, s->rx.origin);
    if (a < 0)
        return 0;
    /* each the largest reported: a node's counts and picture time only grow */
    if (s->s.picture_ns > g->have_ns[a]) {
        g->have_ns[a] = s->s.picture_ns;
        g->progress++;
    }
    if (s->s.tracks_sent > g->sent[a]) {
        g->sent[a] = s->s.tracks_sent;
        g->progress++;
    }
    if (s->s.tracks_received > g->received[a]) {
        g->received[a] = s->s.tracks_received;
        g->progress++;
    }
    return 0;
}

/* The Track samples nation b's node is to have received: all its partners
 * have published to it. */
static uint64_t expected(const sim_gate *g, size_t b)
{
    size_t n = g->sc->n_nations;
    uint64_t sum = 0;
    for (size_t a = 0; a < n; a++)
        if (g->gets[a * n + b])
            sum += g->sent[a];
    return sum;
}

/* The first nation whose node has not yet reported its needed picture
 * time (*tracks 0), or, with sensors, taken all its partners' tracks
 * (*tracks 1); -1 when all have. */
static int lagging(const sim_gate *g, int *tracks)
{
    for (size_t a = 0; a < g->sc->n_nations; a++) {
        *tracks = 0;
        if (g->need_ns[a] != INT64_MIN && g->have_ns[a] < g->need_ns[a])
            return (int)a;
        *tracks = 1;
        if (g->sensors[a] && g->received[a] < expected(g, a))
            return (int)a;
    }
    return -1;
}

int sim_gate_look(sim_gate *g, mwds_net *net, int64_t t_ns, size_t nation,
                  const volatile sig_atomic_t *stop, char *err, size_t err_len)
{
    if (t_ns > g->step_ns) {
        /* a new step: the nodes must have finished the earlier ones */
        int64_t last_progress = mwds_net_now();
        uint64_t seen = g->progress;
        int a, tracks = 0;
        mwds_net_take_status(net, on_status, g, 0, NULL);
        while ((a = lagging(g, &tracks)) >= 0) {
            if (*stop)
                return -1;
            int64_t now = mwds_net_now();
            if (g->progress != seen) {
                seen = g->progress;
                last_progress = now;
            } else if (now - last_progress > g->timeout_ns && tracks) {
                snprintf(err, err_len,
                         "the node of %s reported no progress for %.0f s (it has taken %u of "
                         "the %llu Track samples its partners published): is it running with "
                         "--lockstep, on this domain, with NodeStatus released to this nation?",
                         g->sc->nations[a].code, (double)g->timeout_ns / 1e9, g->received[a],
                         (unsigned long long)expected(g, (size_t)a));
                return -1;
            } else if (now - last_progress > g->timeout_ns) {
                snprintf(err, err_len,
                         "the node of %s reported no progress for %.0f s (its picture is at "
                         "T%+.1f s, the step needs T%+.1f s): is it running, on this domain, "
                         "with NodeStatus released to this nation?",
                         g->sc->nations[a].code, (double)g->timeout_ns / 1e9,
                         g->have_ns[a] == INT64_MIN
                             ? -1.0
                             : (double)(g->have_ns[a] - g->sc->start_t_ns) / 1e9,
                         (double)(g->need_ns[a] - g->sc->start_t_ns) / 1e9);
                return -1;
            }
            mwds_net_wait(net, 5000000);
            mwds_net_take_status(net, on_status, g, 0, NULL);
        }
        g->step_ns = t_ns;
    }
    if (nation < g->sc->n_nations && t_ns > g->need_ns[nation])
        g->need_ns[nation] = t_ns;
    return 0;
}
