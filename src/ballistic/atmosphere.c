/*
 * US Standard Atmosphere 1976: density, pressure, kinetic temperature and
 * speed of sound at a geometric height, for the drag and thrust models.
 *
 * Units: height in metres above mean sea level (geometric, not
 * geopotential), density kg/m^3, pressure Pa, temperature K, speed m/s.
 *
 * Validity and method, by height band:
 *   -5 km .. 86 km  The standard's defining equations, exact. Seven layers
 *                   linear in molecular-scale temperature T_M against
 *                   geopotential height H = r0 h / (r0 + h); pressure from
 *                   the hydrostatic equation (a power law where the layer has
 *                   a lapse rate, an exponential where it is isothermal);
 *                   density rho = P M0 / (R* T_M). Below 0 m the lowest
 *                   layer is continued, as the standard's own tables are.
 *                   Between 80 and 86 km the kinetic temperature is
 *                   T = T_M (M / M0), with the standard's table of M / M0
 *                   (rho already carries the ratio through T_M, so it needs
 *                   no correction). Table I itself prints T_M up to 86 km, so
 *                   its temperatures there are up to 0.08 K above ours; ours
 *                   meet its 186.87 K at 86 km. Speed of sound
 *                   sqrt(gamma R* T_M / M0).
 *   86 .. 1000 km   The air is no longer mixed and the standard defines it by
 *                   integrating diffusion equations for each gas. We do not
 *                   integrate them here; we interpolate the values the
 *                   standard publishes: log-linear in density and pressure,
 *                   linear in temperature. The node spacing (2 km up to
 *                   130 km, then 5 km to 150, 10 km to 300, 20 km to 500
 *                   and 50 km above; 95, 350 and 450 km are nodes as well)
 *                   keeps the interpolation error within 1.1 % in
 *                   density, 1.2 % in pressure (worst near 625 km) and 0.6 %
 *                   in temperature (near 109 km), as measured against an
 *                   integration of the standard's defining equations (see
 *                   the tests). The speed of sound is held at its 86 km value:
 *                   the standard does not define one above 86 km, and nothing
 *                   up there flies on aerodynamics.
 *   above 1000 km   Density and pressure 0 (vacuum for our purposes);
 *                   temperature held at 1000 K, the standard's exospheric
 *                   temperature, and the sound speed at its 86 km value.
 * Below -5 km and non-finite heights are MWDS_ERANGE.
 *
 * Sources: NOAA, NASA and USAF, "U.S. Standard Atmosphere, 1976",
 * NOAA-S/T 76-1562 (also NASA-TM-X-74335), Washington DC, 1976. Part 1:
 * defining constants (Table 2), the layers below 86 km (Table 4) and the
 * ratio M / M0 between 80 and 86 km. Part 4, Table I (geometric
 * altitude, metric units): the densities, pressures and temperatures of the
 * table below. Each tabulated value was checked against the standard's
 * defining diffusion equations integrated independently from 86 km up; all
 * agree within 0.04 %.
 *
 * Thread rules: no state; reentrant. Cost per call: a scan of the 7 layers
 * and one pow() or exp() below 86 km; above, a binary search of the 65
 * nodes (7 steps), two pow() calls and the layer scan for the 86 km sound
 * speed. No allocation.
 */
#include <math.h>
#include <stddef.h>

#include "mwds/ballistic.h"

/* Defining constants, Part 1, Table 2. */
#define R0_M 6356766.0     /* effective Earth radius for geopotential height */
#define G0_M_S2 9.80665    /* sea-level gravity; g0' in m^2/(s^2 m') */
#define RSTAR 8314.32      /* gas constant, J/(kmol K) */
#define M0_KG_KMOL 28.9644 /* sea-level mean molecular weight */
#define GAMMA_AIR 1.40     /* ratio of specific heats */

#define H_MIN_M (-5000.0)    /* bottom of the standard's tables */
#define H_UPPER_M 86000.0    /* where the table takes over from the layers */
#define H_MAX_M 1000000.0    /* top of the standard */
#define T_EXOSPHERE_K 1000.0 /* T_inf, the limit of the kinetic temperature */

/* Layers below 86 km, Part 1, Table 4: base geopotential height (m'),
 * molecular-scale temperature gradient (K/m'), base T_M (K) and the base
 * pressures (Pa) as the standard lists them. */
typedef struct layer {
    double h_base_m;
    double lapse_k_m;
    double t_base_k;
    double p_base_pa;
} layer;

/* clang-format off */
static const layer LAYERS[] = {
    {    0.0, -0.0065, 288.15, 101325.0},
    {11000.0,  0.0,    216.65,  22632.06},
    {20000.0,  0.0010, 216.65,  5474.889},
    {32000.0,  0.0028, 228.65,  868.0187},
    {47000.0,  0.0,    270.65,  110.9063},
    {51000.0, -0.0028, 270.65,  66.93887},
    {71000.0, -0.0020, 214.65,  3.956420},
};
/* clang-format on */
#define N_LAYERS (sizeof LAYERS / sizeof LAYERS[0])

/* M / M0 from 80 to 86 km geometric in 0.5 km steps, as Part 1 lists it. */
static const double M_RATIO_80_86[] = {
    1.000000, 0.999996, 0.999989, 0.999971, 0.999941, 0.999909, 0.999870,
    0.999829, 0.999786, 0.999741, 0.999694, 0.999641, 0.999579,
};
#define N_M_RATIO (sizeof M_RATIO_80_86 / sizeof M_RATIO_80_86[0])

/* Part 4, Table I at the nodes we interpolate between: geometric height
 * (m), density (kg/m^3, 4 figures as printed), pressure (Pa, 5 figures;
 * the table prints millibars) and kinetic temperature (K). */
typedef struct node {
    double h_m;
    double rho_kg_m3;
    double p_pa;
    double t_k;
} node;

/* clang-format off */
static const node UPPER[] = {
    {86e3, 6.958e-6, 3.7338e-1, 186.87},
    {88e3, 4.875e-6, 2.6173e-1, 186.87},
    {90e3, 3.416e-6, 1.8359e-1, 186.87},
    {92e3, 2.393e-6, 1.2887e-1, 186.96},
    {94e3, 1.670e-6, 9.0560e-2, 187.74},
    {95e3, 1.393e-6, 7.5966e-2, 188.42},
    {96e3, 1.162e-6, 6.3765e-2, 189.31},
    {98e3, 8.071e-7, 4.5057e-2, 191.72},
    {100e3, 5.604e-7, 3.2011e-2, 195.08},
    {102e3, 3.935e-7, 2.3144e-2, 199.53},
    {104e3, 2.769e-7, 1.6882e-2, 205.31},
    {106e3, 1.954e-7, 1.2454e-2, 212.89},
    {108e3, 1.381e-7, 9.3188e-3, 223.29},
    {110e3, 9.708e-8, 7.1042e-3, 240.00},
    {112e3, 6.838e-8, 5.5547e-3, 264.00},
    {114e3, 4.975e-8, 4.4473e-3, 288.00},
    {116e3, 3.720e-8, 3.6312e-3, 312.00},
    {118e3, 2.847e-8, 3.0144e-3, 336.00},
    {120e3, 2.222e-8, 2.5382e-3, 360.00},
    {122e3, 1.767e-8, 2.1635e-3, 383.55},
    {124e3, 1.428e-8, 1.8635e-3, 406.22},
    {126e3, 1.171e-8, 1.6194e-3, 428.04},
    {128e3, 9.717e-9, 1.4183e-3, 449.04},
    {130e3, 8.152e-9, 1.2505e-3, 469.27},
    {135e3, 5.465e-9, 9.3568e-4, 516.59},
    {140e3, 3.831e-9, 7.2028e-4, 559.63},
    {145e3, 2.781e-9, 5.6691e-4, 598.78},
    {150e3, 2.076e-9, 4.5422e-4, 634.39},
    {160e3, 1.233e-9, 3.0395e-4, 696.29},
    {170e3, 7.815e-10, 2.1210e-4, 747.57},
    {180e3, 5.194e-10, 1.5271e-4, 790.07},
    {190e3, 3.581e-10, 1.1266e-4, 825.31},
    {200e3, 2.541e-10, 8.4736e-5, 854.56},
    {210e3, 1.846e-10, 6.4756e-5, 878.84},
    {220e3, 1.367e-10, 5.0149e-5, 899.01},
    {230e3, 1.029e-10, 3.9276e-5, 915.78},
    {240e3, 7.858e-11, 3.1059e-5, 929.73},
    {250e3, 6.073e-11, 2.4767e-5, 941.33},
    {260e3, 4.742e-11, 1.9894e-5, 950.99},
    {270e3, 3.738e-11, 1.6083e-5, 959.04},
    {280e3, 2.971e-11, 1.3076e-5, 965.75},
    {290e3, 2.378e-11, 1.0683e-5, 971.34},
    {300e3, 1.916e-11, 8.7704e-6, 976.01},
    {320e3, 1.264e-11, 5.9796e-6, 983.16},
    {340e3, 8.503e-12, 4.1320e-6, 988.15},
    {350e3, 7.014e-12, 3.4498e-6, 990.06},
    {360e3, 5.805e-12, 2.8878e-6, 991.65},
    {380e3, 4.013e-12, 2.0384e-6, 994.10},
    {400e3, 2.803e-12, 1.4518e-6, 995.83},
    {420e3, 1.975e-12, 1.0427e-6, 997.04},
    {440e3, 1.402e-12, 7.5517e-7, 997.90},
    {450e3, 1.184e-12, 6.4468e-7, 998.22},
    {460e3, 1.002e-12, 5.5155e-7, 998.50},
    {480e3, 7.208e-13, 4.0642e-7, 998.93},
    {500e3, 5.215e-13, 3.0236e-7, 999.24},
    {550e3, 2.384e-13, 1.5137e-7, 999.67},
    {600e3, 1.137e-13, 8.2130e-8, 999.85},
    {650e3, 5.712e-14, 4.8865e-8, 999.93},
    {700e3, 3.070e-14, 3.1908e-8, 999.97},
    {750e3, 1.788e-14, 2.2599e-8, 999.99},
    {800e3, 1.136e-14, 1.7036e-8, 999.99},
    {850e3, 7.824e-15, 1.3415e-8, 1000.00},
    {900e3, 5.759e-15, 1.0873e-8, 1000.00},
    {950e3, 4.453e-15, 8.9816e-9, 1000.00},
    {1000e3, 3.561e-15, 7.5138e-9, 1000.00},
};
/* clang-format on */
#define N_UPPER (sizeof UPPER / sizeof UPPER[0])

static double geopotential_m(double h_m)
{
    return R0_M * h_m / (R0_M + h_m);
}

static double sound_speed(double tm_k)
{
    return sqrt(GAMMA_AIR * RSTAR * tm_k / M0_KG_KMOL);
}

/* The layer holding geopotential height hp_m (the lowest one below 0). */
static const layer *layer_at(double hp_m)
{
    size_t i = N_LAYERS - 1;
    while (i > 0 && hp_m < LAYERS[i].h_base_m)
        i--;
    return &LAYERS[i];
}

static double molecular_temp(const layer *b, double hp_m)
{
    return b->t_base_k + b->lapse_k_m * (hp_m - b->h_base_m);
}

/* Hydrostatic pressure at hp_m inside layer b, where T_M is tm_k. */
static double pressure(const layer *b, double hp_m, double tm_k)
{
    const double k = G0_M_S2 * M0_KG_KMOL / RSTAR; /* K/m' */
    if (b->lapse_k_m == 0.0)
        return b->p_base_pa * exp(-k * (hp_m - b->h_base_m) / b->t_base_k);
    return b->p_base_pa * pow(b->t_base_k / tm_k, k / b->lapse_k_m);
}

/* M / M0 at geometric height h_m, linear between the table's entries. */
static double m_ratio(double h_m)
{
    if (h_m <= 80000.0)
        return 1.0;
    const double x = (h_m - 80000.0) / 500.0;
    size_t i = (size_t)x;
    if (i >= N_M_RATIO - 1)
        return M_RATIO_80_86[N_M_RATIO - 1];
    const double f = x - (double)i;
    return M_RATIO_80_86[i] + f * (M_RATIO_80_86[i + 1] - M_RATIO_80_86[i]);
}

static mwds_atmos lower(double h_m)
{
    const double hp = geopotential_m(h_m);
    const layer *b = layer_at(hp);
    const double tm = molecular_temp(b, hp);
    const double p = pressure(b, hp, tm);
    mwds_atmos a;
    a.rho_kg_m3 = p * M0_KG_KMOL / (RSTAR * tm);
    a.p_pa = p;
    a.t_k = tm * m_ratio(h_m);
    a.sound_m_s = sound_speed(tm);
    return a;
}

/* The speed of sound at 86 km, held above it. */
static double sound_86km(void)
{
    const double hp = geopotential_m(H_UPPER_M);
    return sound_speed(molecular_temp(layer_at(hp), hp));
}

static mwds_atmos upper(double h_m)
{
    /* Largest lo with UPPER[lo].h_m <= h_m, capped so that lo + 1 exists. */
    size_t lo = 0, hi = N_UPPER - 1;
    while (hi - lo > 1) {
        const size_t mid = lo + (hi - lo) / 2;
        if (UPPER[mid].h_m <= h_m)
            lo = mid;
        else
            hi = mid;
    }
    const node *a = &UPPER[lo], *b = &UPPER[lo + 1];
    const double f = (h_m - a->h_m) / (b->h_m - a->h_m);
    mwds_atmos s;
    s.rho_kg_m3 = a->rho_kg_m3 * pow(b->rho_kg_m3 / a->rho_kg_m3, f);
    s.p_pa = a->p_pa * pow(b->p_pa / a->p_pa, f);
    s.t_k = a->t_k + f * (b->t_k - a->t_k);
    s.sound_m_s = sound_86km();
    return s;
}

mwds_err mwds_atmos_ussa76(double h_m, mwds_atmos *out)
{
    if (out == NULL)
        return MWDS_EINVAL;
    if (!isfinite(h_m) || h_m < H_MIN_M)
        return MWDS_ERANGE;

    mwds_atmos a;
    if (h_m < H_UPPER_M) {
        a = lower(h_m);
    } else if (h_m <= H_MAX_M) {
        a = upper(h_m);
    } else {
        a.rho_kg_m3 = 0.0;
        a.p_pa = 0.0;
        a.t_k = T_EXOSPHERE_K;
        a.sound_m_s = sound_86km();
    }
    *out = a;
    return MWDS_OK;
}
