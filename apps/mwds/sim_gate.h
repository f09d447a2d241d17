/*
 * Lockstep pacing for mwds sim --speed max --lockstep: the simulator never
 * outruns the nodes. Looks come out of the simulator in time order; the
 * looks that share one time form a step. Before the first look of a step is
 * published, the gate waits until every node of a nation with sensors has
 * reported, in its NodeStatus heartbeat, a picture time at or after that
 * nation's latest look of the earlier steps: the node has taken and tracked
 * it, fused and assessed. So each node sees the same looks in the same
 * steps however fast the machine is, and none is lost to a full reader
 * history. The nodes run with --lockstep, which publishes a NodeStatus as
 * soon as a node's picture time advances, so a step costs about one round
 * trip and the nodes' work.
 *
 * The step also waits until every node of a nation with sensors has taken
 * every Track sample that its partners have published (the NodeStatus
 * counts tracks_sent and tracks_received, and the policy says which
 * nation's tracks reach which). Nothing of the new step exists yet, so the
 * samples a node has when it takes its next look are exactly those its
 * partners' earlier looks caused, and none of them is replaced in its
 * reader's history by a sample of a later step: the node can fuse them in
 * a fixed order (node.h), and two runs give the same pictures.
 *
 * Every feed process runs the whole simulator, so every feed knows every
 * nation's looks and all feeds keep the same steps.
 *
 * Thread rules: one thread owns a gate and the net it reads.
 */
#ifndef MWDS_APP_SIM_GATE_H
#define MWDS_APP_SIM_GATE_H

#include <signal.h>
#include <stddef.h>
#include <stdint.h>

#include "mwds/net.h"
#include "mwds/policy.h"
#include "mwds/scenario.h"

typedef struct sim_gate {
    const mwds_scenario *sc;
    int64_t *need_ns;       /* per scenario nation: its latest look of the earlier steps */
    int64_t *have_ns;       /* per scenario nation: the picture time its node reported */
    uint32_t *sent;         /* per scenario nation: Track samples its node published */
    uint32_t *received;     /* per scenario nation: partners' Track samples its node took */
    unsigned char *gets;    /* gets[a * n + b]: nation b receives nation a's tracks (a != b) */
    unsigned char *sensors; /* per scenario nation: it has sensors */
    uint64_t progress;      /* counts the reports that moved a node on */
    int64_t step_ns;        /* the time of the current step */
    int64_t timeout_ns;
} sim_gate;

/* Sets up a gate for the scenario's nations under the policy (which
 * nation's tracks reach which). timeout_s: how long a step may wait for a
 * node that reports no progress. Returns 0, or -1 out of memory. */
int sim_gate_init(sim_gate *g, const mwds_scenario *sc, const mwds_policy *pol, double timeout_s);
void sim_gate_fini(sim_gate *g);

/* Called for every look the simulator produces, in order, whichever nation
 * owns it: t_ns its time, nation the owner's index in the scenario. Waits
 * (reading NodeStatus from net) when the look starts a new step, until the
 * nodes have caught up, *stop is set, or the timeout passes. Returns 0 to
 * go on, -1 on timeout (err names the node that fell silent) or stop. */
int sim_gate_look(sim_gate *g, mwds_net *net, int64_t t_ns, size_t nation,
                  const volatile sig_atomic_t *stop, char *err, size_t err_len);

#endif
