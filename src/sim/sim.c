/*
 * The exercise simulator; see sim.h. Truth trajectories are flown once at
 * creation; each call to mwds_sim_step merges the sensors' look schedules
 * in time order (a linear scan over sensors per look: scenarios have at most
 * a few hundred sensors).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mwds/sim.h"

struct mwds_sim {
    const mwds_scenario *sc;
    mwds_traj *traj;        /* one per launch */
    mwds_rng *rng;          /* one per sensor */
    int64_t *next_look_ns;  /* one per sensor */
    int64_t *look_index;    /* looks done per sensor */
    /* scratch for one look: the launches in flight */
    mwds_vec3 *pos, *vel;
    int *burning;
    uint32_t *truth_id;
};

void mwds_sim_destroy(mwds_sim *sim)
{
    if (sim == NULL)
        return;
    if (sim->traj != NULL)
        for (size_t i = 0; i < sim->sc->n_launches; i++)
            mwds_traj_fini(&sim->traj[i]);
    free(sim->traj);
    free(sim->rng);
    free(sim->next_look_ns);
    free(sim->look_index);
    free(sim->pos);
    free(sim->vel);
    free(sim->burning);
    free(sim->truth_id);
    free(sim);
}

/* Same request (and class) as an earlier launch, apart from the time? */
static int same_request(const mwds_traj_request *a, const mwds_traj_request *b)
{
    mwds_traj_request x = *a, y = *b;
    x.launch_t_ns = y.launch_t_ns = 0;
    return memcmp(&x, &y, sizeof x) == 0;
}

mwds_err mwds_sim_create(const mwds_scenario *sc, mwds_sim **out, char *err, size_t err_len)
{
    mwds_sim *sim = calloc(1, sizeof *sim);
    if (sim == NULL)
        return MWDS_ENOMEM;
    sim->sc = sc;
    size_t nl = sc->n_launches ? sc->n_launches : 1, ns = sc->n_sensors ? sc->n_sensors : 1;
    sim->traj = calloc(nl, sizeof *sim->traj);
    sim->rng = calloc(ns, sizeof *sim->rng);
    sim->next_look_ns = calloc(ns, sizeof *sim->next_look_ns);
    sim->look_index = calloc(ns, sizeof *sim->look_index);
    sim->pos = calloc(nl, sizeof *sim->pos);
    sim->vel = calloc(nl, sizeof *sim->vel);
    sim->burning = calloc(nl, sizeof *sim->burning);
    sim->truth_id = calloc(nl, sizeof *sim->truth_id);
    if (!sim->traj || !sim->rng || !sim->next_look_ns || !sim->look_index || !sim->pos ||
        !sim->vel || !sim->burning || !sim->truth_id) {
        mwds_sim_destroy(sim);
        return MWDS_ENOMEM;
    }
    for (size_t i = 0; i < sc->n_launches; i++) {
        const mwds_launch_config *l = &sc->launches[i];
        mwds_err e = MWDS_OK;
        size_t j = 0;
        while (j < i && !same_request(&sc->launches[j].req, &l->req))
            j++;
        if (j < i) {
            /* same flight, later: copy the points, shift nothing (times are
             * seconds since launch) */
            mwds_traj *t = &sim->traj[i];
            *t = sim->traj[j];
            t->pts = malloc(t->cap * sizeof *t->pts);
            if (t->pts == NULL) {
                memset(t, 0, sizeof *t);
                e = MWDS_ENOMEM;
            } else {
                memcpy(t->pts, sim->traj[j].pts, t->n * sizeof *t->pts);
                t->launch_t_ns = l->req.launch_t_ns;
            }
        } else {
            mwds_boost_plan plan;
            char msg[200] = "";
            e = mwds_ballistic_solve(&l->req, &plan, &sim->traj[i], msg, sizeof msg);
            if (e != MWDS_OK && err != NULL)
                snprintf(err, err_len, "launch %s: %s%s%s", l->id, mwds_strerror(e),
                         msg[0] ? ": " : "", msg);
        }
        if (e != MWDS_OK) {
            if (e == MWDS_ENOMEM && err != NULL)
                snprintf(err, err_len, "launch %s: %s", l->id, mwds_strerror(e));
            mwds_sim_destroy(sim);
            return e;
        }
    }
    for (size_t s = 0; s < sc->n_sensors; s++) {
        mwds_rng_seed(&sim->rng[s], sc->seed, s);
        sim->next_look_ns[s] = sc->start_t_ns;
    }
    *out = sim;
    return MWDS_OK;
}

void mwds_sim_restart(mwds_sim *sim, uint64_t seed)
{
    const mwds_scenario *sc = sim->sc;
    for (size_t s = 0; s < sc->n_sensors; s++) {
        mwds_rng_seed(&sim->rng[s], seed, s);
        sim->next_look_ns[s] = sc->start_t_ns;
        sim->look_index[s] = 0;
    }
}

mwds_err mwds_sim_truth(const mwds_sim *sim, size_t i, int64_t t_ns, int *in_flight,
                        mwds_vec3 *pos, mwds_vec3 *vel, int *burning)
{
    if (i >= sim->sc->n_launches)
        return MWDS_ERANGE;
    const mwds_traj *t = &sim->traj[i];
    double ts = mwds_time_to_s(t_ns - t->launch_t_ns);
    if (ts < 0.0 || ts > t->sum.flight_time_s) {
        *in_flight = 0;
        return MWDS_OK;
    }
    mwds_err e = mwds_traj_state(t, ts, pos, vel);
    if (e != MWDS_OK)
        return e;
    *in_flight = 1;
    if (burning != NULL)
        *burning = mwds_ballistic_thrusting(&t->fm, ts);
    return MWDS_OK;
}

const mwds_traj *mwds_sim_trajectory(const mwds_sim *sim, size_t i)
{
    return i < sim->sc->n_launches ? &sim->traj[i] : NULL;
}

mwds_err mwds_sim_look(mwds_sim *sim, int64_t t_until_ns, mwds_measurement *out, int max,
                       int *n, mwds_sim_look_info *look)
{
    const mwds_scenario *sc = sim->sc;
    int64_t end_ns = sc->start_t_ns + mwds_time_from_s(sc->duration_s);
    if (t_until_ns > end_ns + 1)
        t_until_ns = end_ns + 1; /* looks at the end instant are included */
    /* the sensor with the earliest pending look */
    size_t best = sc->n_sensors;
    for (size_t s = 0; s < sc->n_sensors; s++)
        if (sim->next_look_ns[s] < t_until_ns &&
            (best == sc->n_sensors || sim->next_look_ns[s] < sim->next_look_ns[best]))
            best = s;
    if (best == sc->n_sensors)
        return MWDS_ENOTFOUND;
    int64_t t = sim->next_look_ns[best];
    int k = 0;
    for (size_t i = 0; i < sc->n_launches; i++) {
        int in_flight = 0;
        mwds_err e = mwds_sim_truth(sim, i, t, &in_flight, &sim->pos[k], &sim->vel[k],
                                    &sim->burning[k]);
        if (e != MWDS_OK)
            return e;
        if (in_flight)
            sim->truth_id[k++] = (uint32_t)i + 1;
    }
    /* run the look on a copy of the stream so that a look that does not
     * fit leaves the sim exactly where it was */
    mwds_rng r = sim->rng[best];
    int got = 0;
    const mwds_sensor *sensor = &sc->sensors[best].sensor;
    const int dwells = mwds_sensor_dwell_count(sensor);
    const int dwell = (int)(sim->look_index[best] % dwells);
    mwds_err e = mwds_sensor_look_dwell(sensor, dwell, t, sim->pos, sim->vel, sim->burning,
                                        sim->truth_id, k, &r, out, max, &got);
    if (e != MWDS_OK)
        return e;
    for (int j = 0; j < got; j++)
        out[j].exercise = (uint8_t)(sc->exercise != 0);
    sim->rng[best] = r;
    sim->look_index[best]++;
    sim->next_look_ns[best] =
        sc->start_t_ns +
        mwds_time_from_s((double)sim->look_index[best] * sensor->revisit_s / dwells);
    if (sim->next_look_ns[best] > end_ns)
        sim->next_look_ns[best] = INT64_MAX;
    *n = got;
    if (look != NULL) {
        look->t_ns = t;
        look->sensor_id = (uint32_t)best;
        look->dwell = dwell;
    }
    return MWDS_OK;
}

mwds_err mwds_sim_step(mwds_sim *sim, int64_t t_until_ns, mwds_measurement *out, int max,
                       int *n)
{
    int count = 0;
    for (;;) {
        int got = 0;
        mwds_err e = mwds_sim_look(sim, t_until_ns, out + count, max - count, &got, NULL);
        if (e == MWDS_ENOTFOUND)
            break;
        if (e != MWDS_OK) {
            *n = count;
            return e;
        }
        count += got;
    }
    *n = count;
    return MWDS_OK;
}
