/*
 * mwds sim: the exercise simulator. Flies every launch of a scenario (truth)
 * and generates each sensor's measurements from it, look by look, in time
 * order.
 *
 * Determinism: the truth depends only on the scenario; each sensor draws
 * from its own random stream (scenario seed, sensor index), so the same
 * scenario gives the same measurements whatever else is in it and however
 * the caller slices time.
 *
 * Time: each sensor looks at start + k * revisit_s (k = 0, 1, ...); a look
 * sees the launches in flight at that instant. A radar with K > 1 dwells
 * looks K times as often, at start + k * revisit_s / K, look k covering
 * dwell k mod K (sensor.h). Measurements come out sorted
 * by time, ties by sensor index.
 *
 * Ownership: mwds_sim is opaque (create/destroy); it keeps a pointer to the
 * scenario, which must outlive it. One thread uses a sim at a time.
 */
#ifndef MWDS_SIM_H
#define MWDS_SIM_H

#include <stddef.h>
#include <stdint.h>

#include "mwds/ballistic.h"
#include "mwds/scenario.h"
#include "mwds/sensor.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct mwds_sim mwds_sim;

/* Solves and flies every launch (cost: one trajectory solve per launch,
 * typically 0.1-0.5 s each; identical launch requests are solved once).
 * On error writes a message naming the launch into err and returns the
 * solver's error (MWDS_EUNREACH, MWDS_ENOCONV, ...) or MWDS_ENOMEM. */
mwds_err mwds_sim_create(const mwds_scenario *sc, mwds_sim **out, char *err, size_t err_len);

void mwds_sim_destroy(mwds_sim *sim);

/* Generates the measurements of all looks before t_until_ns (absolute),
 * continuing from where the last call stopped. Writes at most max to out and
 * the count to *n. If a look's output would not fit, returns MWDS_EFULL
 * having written only whole looks; call again (with more room) to continue.
 * Cost: O(sensors) per look plus the look itself. */
mwds_err mwds_sim_step(mwds_sim *sim, int64_t t_until_ns, mwds_measurement *out, int max,
                       int *n);

/* Starts the looks again from the scenario's start with the sensors' random
 * streams seeded from seed instead of the scenario's: another Monte Carlo
 * run of the same flights, without solving them again. O(sensors). */
void mwds_sim_restart(mwds_sim *sim, uint64_t seed);

/* One look: its time, sensor and dwell (0 for a sensor with one look per
 * scan). */
typedef struct mwds_sim_look_info {
    int64_t t_ns;
    uint32_t sensor_id;
    int dwell;
} mwds_sim_look_info;

/* Generates the next look before t_until_ns (absolute), even one that
 * detects nothing (a tracker counts its misses from empty looks): writes its
 * measurements to out (at most max), their count to *n and, if look is not
 * NULL, the look's time and sensor. MWDS_ENOTFOUND if no look is due before
 * t_until_ns; MWDS_EFULL if the look's output would not fit (the sim is then
 * unchanged: call again with more room). Cost: O(sensors + launches) plus the
 * look itself. */
mwds_err mwds_sim_look(mwds_sim *sim, int64_t t_until_ns, mwds_measurement *out, int max,
                       int *n, mwds_sim_look_info *look);

/* Truth of launch i at t_ns: *in_flight 0 before launch and after impact
 * (pos, vel then untouched); otherwise the state and whether an engine
 * burns. MWDS_ERANGE for i out of range. */
mwds_err mwds_sim_truth(const mwds_sim *sim, size_t i, int64_t t_ns, int *in_flight,
                        mwds_vec3 *pos, mwds_vec3 *vel, int *burning);

/* The flown trajectory of launch i (owned by the sim), or NULL. */
const mwds_traj *mwds_sim_trajectory(const mwds_sim *sim, size_t i);

#ifdef __cplusplus
}
#endif
#endif
