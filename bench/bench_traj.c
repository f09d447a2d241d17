/*
 * bench_traj: how many full ICBM trajectories one core computes per second.
 *
 * A "full trajectory" is the two-stage liquid ICBM flown from the pad to
 * impact with every force on (J2, rotation, drag, staged thrust) at the
 * default tolerance, every step recorded: what the simulator does for each
 * launch. The boost plan is solved once beforehand (a 10,000 km
 * minimum-energy flight); the solve rate is reported separately.
 *
 * usage: bench_traj [--seconds S] [--json]
 * Prints figures; asserts nothing (timing belongs here, not in tests).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "mwds/ballistic.h"

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

int main(int argc, char **argv)
{
    double seconds = 3.0;
    int json = 0;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--json") == 0)
            json = 1;
        else if (strcmp(argv[i], "--seconds") == 0 && i + 1 < argc)
            seconds = atof(argv[++i]);
        else {
            fprintf(stderr, "usage: bench_traj [--seconds S] [--json]\n");
            return 2;
        }
    }
    mwds_traj_request req;
    memset(&req, 0, sizeof req);
    req.cls = mwds_catalogue_find("icbm-liquid-2");
    req.launch = (mwds_lla){40.61 * MWDS_DEG2RAD, 126.43 * MWDS_DEG2RAD, 0.0};
    req.azimuth_rad = 30.0 * MWDS_DEG2RAD;
    req.range_m = 10000e3;
    mwds_boost_plan plan;
    mwds_traj tr;
    memset(&tr, 0, sizeof tr);

    double t0 = now_s();
    int n_solve = 0;
    do {
        mwds_traj_fini(&tr);
        if (mwds_ballistic_solve(&req, &plan, &tr, NULL, 0) != MWDS_OK) {
            fprintf(stderr, "bench_traj: solve failed\n");
            return 1;
        }
        n_solve++;
    } while (now_s() - t0 < 0.2 * seconds);
    double solve_s = (now_s() - t0) / n_solve;

    mwds_force_model fm = tr.fm;
    mwds_traj_summary ref = tr.sum;
    size_t steps = tr.n;
    mwds_traj_fini(&tr);
    mwds_vec3 pos0 = mwds_geo_lla_to_ecef(req.launch);

    long n = 0;
    t0 = now_s();
    double elapsed;
    do {
        for (int k = 0; k < 20; k++, n++) {
            mwds_traj t;
            memset(&t, 0, sizeof t);
            if (mwds_ballistic_fly(&fm, pos0, mwds_v3(0, 0, 0), 0, NULL, &t) != MWDS_OK) {
                fprintf(stderr, "bench_traj: flight failed\n");
                return 1;
            }
            mwds_traj_fini(&t);
        }
        elapsed = now_s() - t0;
    } while (elapsed < seconds);
    double per_s = (double)n / elapsed;

    if (json) {
        printf("{\"trajectories_per_s\": %.1f, \"us_per_trajectory\": %.1f, "
               "\"steps_per_trajectory\": %zu, \"flight_time_s\": %.1f, \"range_km\": %.1f, "
               "\"solves_per_s\": %.2f, \"ms_per_solve\": %.1f}\n",
               per_s, 1e6 / per_s, steps, ref.flight_time_s, ref.range_m / 1000.0, 1.0 / solve_s,
               1e3 * solve_s);
    } else {
        printf("full ICBM trajectories (icbm-liquid-2, %.0f km, %.0f s of flight, %zu steps)\n",
               ref.range_m / 1000.0, ref.flight_time_s, steps);
        printf("  %.0f trajectories/s on one core (%.1f us each, %ld flown in %.1f s)\n", per_s,
               1e6 / per_s, n, elapsed);
        printf("trajectory solves (minimum energy for the range)\n");
        printf("  %.2f solves/s (%.1f ms each)\n", 1.0 / solve_s, 1e3 * solve_s);
    }
    return 0;
}
