/*
 * mwds ballistic: missile flight physics in the Earth-fixed frame.
 *
 * State is ECEF WGS-84 position (m) and velocity (m/s) relative to the
 * rotating Earth. The force model sums, each switchable for testing:
 *   - gravity: point mass plus the J2 zonal term,
 *   - rotating-frame terms: Coriolis -2 w x v and centrifugal -w x (w x r),
 *   - drag: -rho |v| v / (2 beta), beta = m / (Cd A) in kg/m^2, with the
 *     atmosphere co-rotating with the Earth (v is then the air speed),
 *     rho from the US Standard Atmosphere 1976,
 *   - thrust: multi-stage, constant mass flow per stage, specific impulse
 *     blended between sea level and vacuum by ambient pressure, steered by a
 *     gravity-turn pitch programme (vertical rise, kick, then along v).
 * Time inside a flight is seconds since launch (double); the flight's
 * launch epoch is carried as t_ns.
 *
 * Thread rules: all functions are reentrant; a mwds_traj is owned by one
 * thread at a time.
 */
#ifndef MWDS_BALLISTIC_H
#define MWDS_BALLISTIC_H

#include <stddef.h>

#include "mwds/core.h"
#include "mwds/geo.h"
#include "mwds/linalg.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ---- atmosphere ------------------------------------------------------------ */

typedef struct mwds_atmos {
    double rho_kg_m3;   /* density */
    double p_pa;        /* pressure */
    double t_k;         /* kinetic temperature */
    double sound_m_s;   /* speed of sound */
} mwds_atmos;

/* US Standard Atmosphere 1976 at geometric height h_m above mean sea level
 * (used here as height above the ellipsoid).
 * 0..86 km: the standard's seven layers in geopotential height, exact.
 * 86..1000 km: log-linear interpolation in the standard's tabulated density,
 * temperature and pressure; the speed of sound is held at its 86 km value
 * (nothing flies on aerodynamics up there).
 * Below 0 m: the lowest layer extended down (valid to -5 km).
 * Above 1000 km: density and pressure 0.
 * Returns MWDS_ERANGE for h_m < -5000 or non-finite, MWDS_EINVAL for a NULL
 * out; *out is then untouched. Cost: a short table search, no allocation. */
mwds_err mwds_atmos_ussa76(double h_m, mwds_atmos *out);

/* ---- missile catalogue ----------------------------------------------------- */

#define MWDS_MAX_STAGES 3

typedef struct mwds_stage {
    double mass_kg;       /* stage mass at ignition, propellant included */
    double prop_kg;       /* propellant burned */
    double burn_s;        /* burn time at constant mass flow */
    double isp_sl_s;      /* specific impulse at sea level */
    double isp_vac_s;     /* specific impulse in vacuum */
    double diameter_m;    /* reference diameter for drag while this stage flies */
} mwds_stage;

typedef enum mwds_class_kind {
    MWDS_CLASS_SRBM,
    MWDS_CLASS_MRBM,
    MWDS_CLASS_IRBM,
    MWDS_CLASS_ICBM
} mwds_class_kind;

typedef struct mwds_missile_class {
    const char *name;          /* catalogue key, e.g. "icbm-liquid-2" */
    const char *label;         /* display name */
    mwds_class_kind kind;
    int n_stages;
    mwds_stage stage[MWDS_MAX_STAGES];
    double payload_kg;         /* re-entry vehicle (and any bus) */
    double rv_beta_kg_m2;      /* ballistic coefficient of the payload after burnout */
    double coast_s;            /* coast between stages */
    double vertical_s;         /* vertical rise before the kick */
    double kick_s;             /* duration of the kick (fixed pitch) */
    const char *basis;         /* where the figures come from */
} mwds_missile_class;

/* The catalogue: a static table of n classes; *n may be NULL. */
const mwds_missile_class *mwds_catalogue(size_t *n);

/* Looks a class up by name (case-insensitive). NULL if absent. */
const mwds_missile_class *mwds_catalogue_find(const char *name);

const char *mwds_class_kind_name(mwds_class_kind kind);

/* ---- force model ----------------------------------------------------------- */

enum {
    MWDS_FORCE_GRAVITY = 1u << 0,  /* point-mass gravity */
    MWDS_FORCE_J2 = 1u << 1,       /* the J2 term (with GRAVITY) */
    MWDS_FORCE_ROTATION = 1u << 2, /* Coriolis and centrifugal terms */
    MWDS_FORCE_DRAG = 1u << 3,
    MWDS_FORCE_THRUST = 1u << 4,
    MWDS_FORCE_ALL = 0x1fu
};

/* Steering and energy of a powered flight: the unknowns that the solver
 * finds. */
typedef struct mwds_boost_plan {
    double azimuth_rad; /* launch azimuth, clockwise from north */
    double kick_rad;    /* pitch from vertical held during the kick */
    double cutoff_s;    /* thrust termination, seconds after launch; a value
                           at or beyond the full burn means no termination */
} mwds_boost_plan;

typedef struct mwds_force_model {
    unsigned flags;                  /* MWDS_FORCE_* */
    const mwds_missile_class *cls;   /* needed for THRUST and DRAG; may be NULL
                                        for an unpowered body */
    mwds_boost_plan plan;
    mwds_lla launch;                 /* where the pitch programme is referenced */
    double beta_kg_m2;               /* ballistic coefficient when cls is NULL */
} mwds_force_model;

/* Mass of the vehicle at t_s after launch (payload only after burnout or
 * cutoff; upper stages' structure is dropped at their burnout). */
double mwds_ballistic_mass(const mwds_force_model *fm, double t_s);

/* True while an engine burns at t_s. */
int mwds_ballistic_thrusting(const mwds_force_model *fm, double t_s);

/* Acceleration (m/s^2, ECEF, Earth-fixed frame) at t_s since launch.
 * Returns MWDS_ENUMERIC for a non-finite state or a position inside the
 * Earth's core; *acc is then untouched. Cost: one geodetic conversion and one
 * atmosphere look-up when drag or thrust is on; no allocation. */
mwds_err mwds_ballistic_accel(const mwds_force_model *fm, double t_s, mwds_vec3 pos,
                              mwds_vec3 vel, mwds_vec3 *acc);

/* Free flight of a body with inverse ballistic coefficient inv_beta_m2_kg
 * (1/beta; 0 for no drag): the acceleration (the force model's gravity, J2,
 * rotation and drag terms as selected by flags; no thrust) and its Jacobian,
 * for the tracking filters: da_dpos and da_dvel (3x3), da_dinvbeta (3).
 * The density gradient is the atmosphere's along the geodetic vertical.
 * Any Jacobian pointer may be NULL. Returns MWDS_ENUMERIC (outputs untouched)
 * for a non-finite state or a position within 1,000 km of the centre.
 * Cost: one geodetic conversion and two atmosphere look-ups; no allocation. */
mwds_err mwds_ballistic_freeflight(unsigned flags, mwds_vec3 pos, mwds_vec3 vel,
                                   double inv_beta_m2_kg, mwds_vec3 *acc, mwds_mat3 *da_dpos,
                                   mwds_mat3 *da_dvel, mwds_vec3 *da_dinvbeta);

/* Times at which the force model changes discontinuously (ignitions,
 * burnouts, end of vertical rise and kick, cutoff), ascending; writes at most
 * max into t_s and returns the count. The integrator steps exactly to them. */
int mwds_ballistic_switch_times(const mwds_force_model *fm, double *t_s, int max);

/* ---- trajectories ---------------------------------------------------------- */

/* One accepted integration step: state and acceleration, enough for quintic
 * Hermite interpolation between consecutive samples. */
typedef struct mwds_traj_point {
    double t_s;
    mwds_vec3 pos;
    mwds_vec3 vel;
    mwds_vec3 acc;
} mwds_traj_point;

typedef struct mwds_traj_summary {
    mwds_lla launch;
    mwds_lla impact;
    double range_m;            /* geodesic distance launch to impact */
    double flight_time_s;
    double apogee_m;           /* height above the ellipsoid */
    double apogee_t_s;
    double burnout_t_s;        /* end of powered flight (burnout or cutoff) */
    double burnout_h_m;
    double burnout_speed_m_s;
    double max_speed_m_s;
    double impact_speed_m_s;
    int impacted;              /* 0 if the flight ended at opts->stop_t_s; impact
                                  then holds the state at that time */
} mwds_traj_summary;

/* A computed flight. Owns its points (heap); release with mwds_traj_fini. */
typedef struct mwds_traj {
    int64_t launch_t_ns;
    mwds_force_model fm;
    mwds_traj_point *pts;
    size_t n, cap;
    mwds_traj_summary sum;
} mwds_traj;

/* Integration settings. rtol/atol 0 select the defaults (1e-10, 1e-4 m). */
typedef struct mwds_integ_opts {
    double rtol;
    double atol;
    double max_time_s;       /* give up after this flight time (default 10,000 s) */
    int record;              /* keep every step in traj->pts */
    double stop_t_s;         /* > 0: end the flight at this time if it has not
                                come down by then (not an error) */
} mwds_integ_opts;

/* Flies a force model from an initial state until impact (height 0 above
 * the ellipsoid, descending) or opts->stop_t_s with an adaptive Dormand-Prince 5(4)
 * integrator, locating burnout, apogee and impact events. For a powered
 * flight start with pos0 on the pad and vel0 = 0.
 * Fills out (which the caller has zeroed or fini'd; the caller then owns its
 * points and releases them with mwds_traj_fini); on error out holds nothing
 * that needs freeing.
 * Errors: MWDS_ENUMERIC (state breakdown), MWDS_ENOCONV (step size
 * underflow, or no impact before max_time_s), MWDS_ENOMEM.
 * Cost: about 150 steps of 6-7 force evaluations for an ICBM flight at the
 * default tolerance (0.5 ms); the recorded points grow by doubling. */
mwds_err mwds_ballistic_fly(const mwds_force_model *fm, mwds_vec3 pos0, mwds_vec3 vel0,
                            int64_t launch_t_ns, const mwds_integ_opts *opts, mwds_traj *out);

/* Frees a trajectory's points; the struct may be reused. */
void mwds_traj_fini(mwds_traj *traj);

/* State at t_s since launch by quintic Hermite interpolation between the
 * recorded points (free-flight error a few mm). MWDS_ERANGE outside
 * [0, flight time]; pos and vel are then untouched. Cost: a binary search
 * over the points, O(log n). */
mwds_err mwds_traj_state(const mwds_traj *traj, double t_s, mwds_vec3 *pos, mwds_vec3 *vel);

/* ---- the trajectory solver ------------------------------------------------- */

typedef struct mwds_traj_request {
    const mwds_missile_class *cls;
    mwds_lla launch;            /* on the ground; h_m is the pad's height */
    double azimuth_rad;         /* used when has_target is 0 */
    double range_m;             /* used when has_target is 0 */
    int has_target;
    mwds_lla target;            /* used when has_target is 1 */
    double apogee_m;            /* 0: minimum-energy flight for the range */
    unsigned force_flags;       /* 0 selects MWDS_FORCE_ALL */
    int64_t launch_t_ns;
} mwds_traj_request;

/* Finds the boost plan that flies the request: for a range alone, the
 * minimum-energy flight (the kick whose burnout state has the least
 * specific energy); for a range and an apogee, the kick and cutoff that give
 * both (lofted or depressed), searched on the lower-energy branch (the first
 * burn that reaches the range); with a target, the azimuth too.
 * Tolerances: range 10 m, apogee 20 m, impact within 500 m of a target.
 * Fills *plan and, if traj is not NULL, the flown trajectory (recorded;
 * *traj must be empty on entry, and the caller releases it with
 * mwds_traj_fini). On error *plan and *traj are untouched.
 * Errors: MWDS_EINVAL (bad request), MWDS_EUNREACH (range or apogee out of
 * the class's reach, or below its shortest flight; msg says why if msg is
 * not NULL), MWDS_ENOCONV, MWDS_ENUMERIC, MWDS_ENOMEM.
 * Cost: a few hundred flights (about 0.15 s) for a minimum-energy solve; up
 * to a few thousand for a lofted solve or a target (typically under 1 s). */
mwds_err mwds_ballistic_solve(const mwds_traj_request *req, mwds_boost_plan *plan,
                              mwds_traj *traj, char *msg, size_t msg_len);

/* Longest suborbital range the class reaches at full burn (best kick) from
 * launch along azimuth_rad; flights that would go round the Earth are not
 * counted. Ranges are ground ranges up to half the circumference.
 * Errors: MWDS_EINVAL (NULL class or output), the flight's errors.
 * Cost: about 50 flights. */
mwds_err mwds_ballistic_max_range(const mwds_missile_class *cls, mwds_lla launch,
                                  double azimuth_rad, unsigned force_flags, double *range_m);

/* ---- published flights ----------------------------------------------------- */

/* A publicly reported flight: what was announced (range, apogee, flight time)
 * and an approximate launch point and azimuth, used to check the model. */
typedef struct mwds_published_flight {
    const char *id;            /* "2017-07-28" */
    const char *label;         /* "Hwasong-14, lofted" */
    const char *class_name;    /* catalogue key */
    double launch_lat_deg, launch_lon_deg;
    double azimuth_deg;
    double range_km, apogee_km;
    double flight_time_s;      /* as reported */
    const char *source;
} mwds_published_flight;

const mwds_published_flight *mwds_published_flights(size_t *n);

#ifdef __cplusplus
}
#endif
#endif
