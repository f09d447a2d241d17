/*
 * mwds rng: a small, fast, seeded pseudo-random generator (xoshiro256**,
 * seeded through splitmix64) with uniform, normal and Poisson draws.
 *
 * Determinism is the point: the same seed and stream give the same numbers
 * on every machine and run, so a simulated exercise replays exactly. Give
 * each independent consumer (a sensor, a Monte Carlo run) its own stream,
 * mwds_rng_seed(&r, seed, stream), so adding one consumer does not shift the
 * numbers another sees. Not for cryptography.
 *
 * A mwds_rng is a caller-owned value; one thread uses it at a time.
 */
#ifndef MWDS_RNG_H
#define MWDS_RNG_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct mwds_rng {
    uint64_t s[4];
    double spare;     /* second normal deviate of the last polar pair */
    int has_spare;
} mwds_rng;

/* Seeds the generator for (seed, stream); any values are valid. O(1). */
void mwds_rng_seed(mwds_rng *r, uint64_t seed, uint64_t stream);

/* Next 64 random bits. */
uint64_t mwds_rng_u64(mwds_rng *r);

/* Uniform on [0, 1), 53 random bits. */
double mwds_rng_uniform(mwds_rng *r);

/* Standard normal (Marsaglia's polar method). */
double mwds_rng_normal(mwds_rng *r);

/* Poisson with mean lambda >= 0 (Knuth's product method below 30, a
 * rounded normal approximation above; exact mean either way). */
uint32_t mwds_rng_poisson(mwds_rng *r, double lambda);

#ifdef __cplusplus
}
#endif
#endif
