/*
 * mwds sensor: sensor models. What each sensor sees, the measurement it
 * reports, the measurement function h(x) and its Jacobian for the filters,
 * and seeded measurement generation from truth for the simulator.
 *
 * Sensors:
 *   ground radar: site, boresight azimuth, azimuth half-width, elevation
 *     limits, range limits, horizon (elevation above the local geodetic
 *     horizontal at least el_min), revisit period, detection probability,
 *     false alarms per scan; measures range, azimuth, elevation and, if
 *     sigma_rr_m_s > 0, range rate.
 *   space-based infrared: a geostationary satellite (a fixed ECEF point);
 *     measures the line of sight to a target whose engine burns, as two
 *     angles in the Earth-fixed frame: alpha = atan2(dy, dx) and
 *     delta = asin(dz / |d|), d = target - satellite. A target behind the
 *     Earth's limb (the line of sight passes through the ellipsoid) is not
 *     seen.
 *
 * Frames and units: ECEF WGS-84 metres and m/s; angles radians; time t_ns.
 * Range rate is d|d|/dt with d the ECEF line of sight from the site (the
 * site is fixed in ECEF, so this is what a radar's Doppler measures).
 *
 * Ownership: every struct here is a caller-owned value; nothing allocates.
 * Thread rules: pure functions, except generation, which advances the
 * caller's mwds_rng.
 */
#ifndef MWDS_SENSOR_H
#define MWDS_SENSOR_H

#include <stdint.h>

#include "mwds/core.h"
#include "mwds/geo.h"
#include "mwds/linalg.h"
#include "mwds/rng.h"

#ifdef __cplusplus
extern "C" {
#endif

#define MWDS_MEAS_MAX_DIM 4

typedef enum mwds_sensor_kind { MWDS_SENSOR_RADAR = 0, MWDS_SENSOR_SPACE_IR = 1 } mwds_sensor_kind;

typedef struct mwds_radar_params {
    mwds_lla site;
    double boresight_az_rad;   /* centre of the azimuth coverage */
    double az_half_width_rad;  /* pi: all round */
    double el_min_rad, el_max_rad;
    double range_min_m, range_max_m;
    double sigma_range_m, sigma_az_rad, sigma_el_rad;
    double sigma_rr_m_s;       /* 0: no range rate */
} mwds_radar_params;

typedef struct mwds_ir_params {
    mwds_lla sat;              /* geostationary: lat 0, h 35,786 km */
    double sigma_los_rad;      /* per angle */
} mwds_ir_params;

/* A sensor, ready to use: the parameters plus derived geometry. */
typedef struct mwds_sensor {
    mwds_sensor_kind kind;
    uint32_t id;               /* index in the scenario's sensor table */
    double revisit_s;          /* scan period: time between looks at one place */
    int dwells;                /* radar: looks per scan, each over its own azimuth
                                  sector (0 or 1: one look covers everything) */
    double pd;                 /* probability of detecting a visible target per look */
    double false_alarms_per_scan; /* Poisson mean (radar); IR: per look over its field */
    mwds_radar_params radar;   /* when kind == RADAR */
    mwds_ir_params ir;         /* when kind == SPACE_IR */
    /* derived by mwds_sensor_init */
    mwds_vec3 pos_ecef;        /* site or satellite */
    mwds_mat3 enu;             /* radar: rows east, north, up at the site */
} mwds_sensor;

/* Dwells. A radar with dwells = K > 1 scans its azimuth coverage in K
 * looks, revisit_s / K apart: dwell k (0..K-1) covers the sector of width
 * w = 2 az_half_width / K that starts at boresight - az_half_width + k w
 * (for an all-round radar, at boresight - pi). A look's dwell travels with
 * it, so that a tracker counts a missed detection only for a track whose
 * predicted position lies in the sector the look covered. Dwell -1, and
 * any dwell of a sensor with K <= 1, is the whole coverage. */
#define MWDS_SENSOR_MAX_DWELLS 4096

/* Looks per scan: max(1, dwells) for a radar, 1 for IR. */
int mwds_sensor_dwell_count(const mwds_sensor *s);

/* True if dwell stands for the whole coverage: dwell -1, or any dwell of a
 * sensor with one look per scan. */
int mwds_sensor_dwell_whole(const mwds_sensor *s, int dwell);

/* The azimuth sector of dwell k: its start (radians, [0, 2pi)) and width.
 * The whole coverage for dwell -1 or a single-look sensor (IR: start 0,
 * width 2pi). */
void mwds_sensor_dwell_sector(const mwds_sensor *s, int dwell, double *az_lo, double *width);

/* True if pos lies, in azimuth, inside the sector of dwell k (always, for
 * the whole coverage). Range, elevation and the limb are not looked at. */
int mwds_sensor_in_dwell(const mwds_sensor *s, int dwell, mwds_vec3 pos);

/* Fills the derived fields (for IR, enu is the frame below the satellite).
 * Returns MWDS_EINVAL, naming nothing, for parameters out of range (pd
 * outside [0, 1], revisit <= 0, a non-positive sigma, non-finite values,
 * |lat| > pi/2, range_min < 0 or >= range_max, az_half_width <= 0,
 * el_min >= el_max, false alarms < 0, dwells outside 0..MWDS_SENSOR_MAX_DWELLS
 * or above 1 for IR, a satellite below 1,000 km, an unknown kind); derived
 * fields are then untouched. The scenario loader checks
 * fields first and reports names. */
mwds_err mwds_sensor_init(mwds_sensor *s);

typedef struct mwds_measurement {
    int64_t t_ns;
    uint32_t sensor_id;
    mwds_sensor_kind kind;
    int dim;                        /* radar 3 or 4, IR 2 */
    double z[MWDS_MEAS_MAX_DIM];    /* radar: range m, az rad [0, 2pi), el rad,
                                       [range rate m/s]; IR: alpha rad (-pi, pi],
                                       delta rad */
    double sigma[MWDS_MEAS_MAX_DIM]; /* noise standard deviation per component */
    uint32_t truth_id;              /* simulator only: launch index + 1; 0 false alarm */
    uint8_t exercise;               /* exercise data (always 1 from the simulator) */
} mwds_measurement;

/* True if the sensor can see a target at pos (and, for IR, burning):
 * radar: range within limits, elevation within limits (so above the horizon
 * mask), azimuth within the coverage; IR: burning and not behind the limb. */
int mwds_sensor_visible(const mwds_sensor *s, mwds_vec3 pos_ecef, int burning);

/* The noise-free measurement of a target state (position, velocity ECEF):
 * writes m->dim, z, sigma, kind, sensor_id (time and ids are the caller's).
 * Returns MWDS_ENUMERIC if the target is at the sensor (range 0) or the
 * input is not finite. IR noise is the same sigma on both angles. */
mwds_err mwds_sensor_measure(const mwds_sensor *s, mwds_vec3 pos, mwds_vec3 vel,
                             mwds_measurement *m);

/* Jacobian of the measurement with respect to the state (pos, vel):
 * h is dim x 6, row-major, h[i*6 + j]. Errors: as _measure, MWDS_EINVAL for
 * a dim that does not match the sensor, and MWDS_ENUMERIC on an angle's
 * singular axis (target straight above the radar, or straight north or south
 * of the satellite: horizontal distance under 1e-12 of the range). */
mwds_err mwds_sensor_jacobian(const mwds_sensor *s, mwds_vec3 pos, mwds_vec3 vel, int dim,
                              double *h);

/* Innovation z - h(x) with angles wrapped to (-pi, pi]. dim components. */
void mwds_sensor_residual(const mwds_measurement *z, const mwds_measurement *zhat, double *nu);

/* Inverts a measurement as far as it goes: for radar the ECEF point (exact
 * inverse of range/az/el); for IR the unit line of sight from the satellite,
 * ECEF. Used to start tracks. Errors: MWDS_EINVAL (kind or dim does not
 * match the sensor), MWDS_ENUMERIC (non-finite z); *out untouched. */
mwds_err mwds_sensor_invert(const mwds_sensor *s, const mwds_measurement *m, mwds_vec3 *out);

/* One look of the sensor at time t_ns over a set of targets: each visible
 * target is detected with probability pd and measured with Gaussian noise;
 * then Poisson(false_alarms_per_scan) false alarms are drawn uniformly over
 * the coverage (radar: range, azimuth sector, elevation band; IR: angles
 * within the Earth's disc as seen from the satellite). Targets are given as
 * arrays of n positions, velocities, burning flags and truth ids.
 * Writes at most max measurements to out and returns the count through *n_out;
 * MWDS_EFULL (with the first max written, *n_out == max) if there were more.
 * Every random draw is made even when out is full, so the generator's state
 * afterwards does not depend on max. A target exactly at the sensor is
 * skipped. Radar false alarms draw range rate uniformly in +-8,000 m/s.
 * MWDS_EINVAL for NULL arrays with n > 0, n < 0, max < 0, or a NULL out
 * with max > 0. */
mwds_err mwds_sensor_look(const mwds_sensor *s, int64_t t_ns, const mwds_vec3 *pos,
                          const mwds_vec3 *vel, const int *burning, const uint32_t *truth_id,
                          int n, mwds_rng *rng, mwds_measurement *out, int max, int *n_out);

/* One dwell of a look (dwell -1: the whole coverage, as mwds_sensor_look):
 * only targets in the dwell's sector are detected, and false alarms come at
 * false_alarms_per_scan / dwells per dwell, uniform over the sector. A
 * sensor with one look per scan draws exactly as mwds_sensor_look whatever
 * the dwell. MWDS_EINVAL also for a dwell outside -1..dwells-1. */
mwds_err mwds_sensor_look_dwell(const mwds_sensor *s, int dwell, int64_t t_ns,
                                const mwds_vec3 *pos, const mwds_vec3 *vel, const int *burning,
                                const uint32_t *truth_id, int n, mwds_rng *rng,
                                mwds_measurement *out, int max, int *n_out);

#ifdef __cplusplus
}
#endif
#endif
