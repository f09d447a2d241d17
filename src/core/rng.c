/*
 * xoshiro256** (Blackman and Vigna, 2018) seeded by splitmix64; see rng.h.
 */
#include <math.h>

#include "mwds/rng.h"

static uint64_t splitmix64(uint64_t *x)
{
    uint64_t z = (*x += UINT64_C(0x9E3779B97F4A7C15));
    z = (z ^ (z >> 30)) * UINT64_C(0xBF58476D1CE4E5B9);
    z = (z ^ (z >> 27)) * UINT64_C(0x94D049BB133111EB);
    return z ^ (z >> 31);
}

static uint64_t rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }

void mwds_rng_seed(mwds_rng *r, uint64_t seed, uint64_t stream)
{
    uint64_t x = seed ^ (stream * UINT64_C(0xD1B54A32D192ED03));
    for (int i = 0; i < 4; i++)
        r->s[i] = splitmix64(&x);
    r->has_spare = 0;
    r->spare = 0.0;
}

uint64_t mwds_rng_u64(mwds_rng *r)
{
    uint64_t *s = r->s;
    uint64_t result = rotl(s[1] * 5, 7) * 9;
    uint64_t t = s[1] << 17;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl(s[3], 45);
    return result;
}

double mwds_rng_uniform(mwds_rng *r) { return (double)(mwds_rng_u64(r) >> 11) * 0x1.0p-53; }

double mwds_rng_normal(mwds_rng *r)
{
    if (r->has_spare) {
        r->has_spare = 0;
        return r->spare;
    }
    double u, v, q;
    do {
        u = 2.0 * mwds_rng_uniform(r) - 1.0;
        v = 2.0 * mwds_rng_uniform(r) - 1.0;
        q = u * u + v * v;
    } while (q >= 1.0 || q == 0.0);
    double f = sqrt(-2.0 * log(q) / q);
    r->spare = v * f;
    r->has_spare = 1;
    return u * f;
}

uint32_t mwds_rng_poisson(mwds_rng *r, double lambda)
{
    if (!(lambda > 0.0))
        return 0;
    if (lambda < 30.0) {
        double limit = exp(-lambda), p = 1.0;
        uint32_t k = 0;
        for (;;) {
            p *= mwds_rng_uniform(r);
            if (p <= limit)
                return k;
            k++;
        }
    }
    double x = floor(lambda + sqrt(lambda) * mwds_rng_normal(r) + 0.5);
    return x < 0.0 ? 0u : (uint32_t)x;
}
