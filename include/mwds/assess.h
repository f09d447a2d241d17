/*
 * mwds assess: what a track means. Predicted impact point with its
 * containment ellipse and time of impact, launch point and time, missile
 * class, threatened areas, and the warnings issued from them.
 *
 * Frames and units: ECEF WGS-84 metres and m/s; ellipses on the ellipsoid
 * with semi-axes in metres in the local east-north plane of their centre;
 * azimuths clockwise from north; time t_ns.
 *
 * Ownership: results are caller-owned values. Thread rules: the functions
 * here are pure (no state between calls) unless a type says otherwise.
 */
#ifndef MWDS_ASSESS_H
#define MWDS_ASSESS_H

#include <stddef.h>
#include <stdint.h>

#include "mwds/ballistic.h"
#include "mwds/core.h"
#include "mwds/geo.h"
#include "mwds/track.h"

#ifdef __cplusplus
extern "C" {
#endif

/* An uncertainty ellipse on the ground. */
typedef struct mwds_ellipse {
    mwds_lla centre;          /* height 0 */
    double semi_major_m, semi_minor_m;
    double major_az_rad;      /* azimuth of the major axis, [0, pi) */
    double p;                 /* containment probability of the ellipse */
    double cov_en_m2[2][2];   /* east-north covariance at the centre */
} mwds_ellipse;

/* Builds the p-containment ellipse of a 2-D Gaussian with covariance cov
 * (east, north; m^2) about centre: semi-axes sqrt(q * lambda) with q the
 * chi-square(2) p-quantile, -2 ln(1 - p). MWDS_EINVAL for p outside (0, 1)
 * or a covariance that is not symmetric positive semi-definite. */
mwds_err mwds_ellipse_from_cov(mwds_lla centre, const double cov[2][2], double p,
                               mwds_ellipse *out);

/* True if the ground point lies inside the ellipse (tangent-plane test). */
int mwds_ellipse_contains(const mwds_ellipse *e, mwds_lla point);

/* The ground point's distance from the centre in units of the ellipse: 1 on
 * its edge, so sqrt(d2 / q) for a point at Mahalanobis distance d2 and the
 * ellipse's chi-square quantile q (calibration checks use its median:
 * sqrt(-2 ln 0.5 / q), 0.481 for a 95 % ellipse of the right size).
 * INFINITY off the axis of an ellipse with no width or length. */
double mwds_ellipse_radius(const mwds_ellipse *e, mwds_lla point);

/* The predicted impact of a track. */
typedef struct mwds_impact {
    mwds_ellipse ellipse;     /* 95 % containment of the impact point */
    int64_t t_ns;             /* mean time of impact */
    double t_sigma_s;         /* its standard deviation */
    double impact_speed_m_s;  /* of the mean trajectory */
    double apogee_m;          /* of the mean trajectory (the remaining flight's
                                 highest point, or the current height if past) */
    int n_points;             /* trajectories flown */
} mwds_impact;

/* Predicts the impact of a track state by unscented (cubature) propagation:
 * the 2n cubature points of the state's ballistic part and the mean itself
 * are each flown to impact by the flight model (gravity, J2, rotation, drag
 * with the point's 1/beta), and the impact points' mean and covariance in
 * the east-north plane of the mean give the 95 % ellipse, the impact times
 * their mean and deviation.
 * A boost-model state is treated as burnt out now (the instantaneous impact
 * point); its 1/beta is taken as invbeta_mean +- invbeta_sigma.
 * mean_traj, if not NULL, receives the mean state's recorded flight (the
 * caller releases it with mwds_traj_fini; it must be empty on entry): its
 * ground track is what overflight is judged on.
 * Errors: MWDS_ENOTPD (covariance not positive definite), MWDS_EUNREACH (a
 * point does not come down within 10,000 s: orbital or escaping),
 * MWDS_ENUMERIC, MWDS_ENOMEM; outputs then untouched.
 * Cost: 2n + 1 flights to impact (about 15 x 0.2 ms for a midcourse state). */
mwds_err mwds_assess_impact(const mwds_filter_state *s, double invbeta_mean,
                            double invbeta_sigma, mwds_impact *out, mwds_traj *mean_traj);

/* ---- launch point and time ---- */

/* Boost templates: every catalogue class flown at 32 pitch-over kicks
 * (0.3-35 degrees), to the east and to the west, sampled each second of
 * powered flight. Immutable once made; one set may serve every assessor
 * and thread. Cost: 320 flights (about 0.2 s) and about 10 MB. */
typedef struct mwds_launch_templates mwds_launch_templates;

/* Errors: MWDS_ENOMEM; MWDS_EINVAL if the catalogue has more than 32
 * classes. */
mwds_err mwds_launch_templates_create(mwds_launch_templates **out);
void mwds_launch_templates_destroy(mwds_launch_templates *lt);

/* Estimates the launch point (95 % ellipse) and time of a track state by
 * matching the templates: a boost-model state where each template passes
 * its height; a ballistic state (above 50 km) flown back to each template's
 * burnout. The ellipse's covariance is that of the candidates as a
 * mixture: their spread plus the mean of their own (the state's, where it
 * is matched, and the templates' allowance). See launch.c for the weights
 * and the allowances.
 * Errors: MWDS_EUNREACH (no template matches: a state low in the air and
 * ballistic, or unlike any class), MWDS_ENUMERIC, MWDS_ENOMEM; outputs then
 * untouched.
 * Cost: boost, O(templates x samples), about 0.5 ms; ballistic, a backward
 * flight in 4 s steps (up to 450 EKF predictions) and O(templates x
 * samples), about 20-25 ms. */
mwds_err mwds_assess_launch(const mwds_launch_templates *lt, const mwds_filter_state *s,
                            mwds_ellipse *launch, int64_t *t_ns, double *t_sigma_s);

/* An earlier sight of the missile a state belongs to: its position at t_ns
 * (ECEF, m) and that position's covariance (m^2). */
typedef struct mwds_launch_sighting {
    int64_t t_ns;
    mwds_vec3 pos_ecef;
    mwds_mat3 cov;
} mwds_launch_sighting;

/* mwds_assess_launch with an earlier sighting of the same missile (NULL:
 * none; one later than the state is ignored). After burnout every class
 * that can reach a state's speed and flight-path angle fits it, each from
 * its own pad and launch time; each also says where the missile was at the
 * sighting, and the sighting weighs them. One that no candidate explains
 * (beyond chi-square(3) 99.9 %) is ignored. Errors and cost as
 * mwds_assess_launch. */
mwds_err mwds_assess_launch_seen(const mwds_launch_templates *lt, const mwds_filter_state *s,
                                 const mwds_launch_sighting *seen, mwds_ellipse *launch,
                                 int64_t *t_ns, double *t_sigma_s);

/* ---- class from energy ---- */

typedef enum mwds_profile {
    MWDS_PROFILE_STANDARD = 0, /* near the minimum-energy trajectory */
    MWDS_PROFILE_LOFTED = 1,   /* apogee well above it: range traded for height */
    MWDS_PROFILE_DEPRESSED = 2 /* apogee well below it */
} mwds_profile;

typedef struct mwds_class_estimate {
    mwds_class_kind kind;      /* SRBM < 1,000 km <= MRBM < 3,000 <= IRBM < 5,500 <= ICBM */
    mwds_profile profile;
    double energy_range_m;     /* range the energy would reach on a minimum-energy
                                  trajectory (Kepler, from the Earth's mean radius) */
    double apogee_m;           /* of the Kepler orbit through the state */
    double min_energy_apogee_m;/* of the minimum-energy trajectory of that energy */
} mwds_class_estimate;

/* Classes a ballistic state (ECEF position and Earth-relative velocity)
 * by its specific energy in the inertial frame: the range that energy
 * reaches on a minimum-energy trajectory from the surface (sin(psi/2) =
 * Q / (2 - Q), Q = V^2 R / mu) gives the class (US range bands); the
 * apogee of the state's own Kepler orbit against the minimum-energy
 * apogee gives the profile (lofted above 1.3 times, depressed below 0.7).
 * Meaningful after burnout; drag is ignored (a re-entering warhead has
 * already lost energy, so late in flight the class can only err low).
 * Errors: MWDS_EUNREACH (the energy is orbital or escaping),
 * MWDS_ENUMERIC. Cost: closed form. */
mwds_err mwds_assess_class(mwds_vec3 pos, mwds_vec3 vel, mwds_class_estimate *out);

const char *mwds_profile_name(mwds_profile p);

/* ---- areas: territories as polygons ---- */

/* A ring of vertices in degrees, closed (first = last), with its bounding
 * box. Longitudes in [-180, 180]: rings never cross the antimeridian (data
 * that does is split there, as Natural Earth is). */
typedef struct mwds_ring {
    size_t n;
    double *lon_deg, *lat_deg;
    double lon_min, lon_max, lat_min, lat_max;
    int hole;                 /* 1: a hole in the polygon before it */
} mwds_ring;

typedef struct mwds_area {
    char code[16];            /* "JPN", "GUM" */
    char nation[16];          /* the nation it belongs to: "JPN", "USA" */
    char name[64];
    mwds_ring *rings;         /* each polygon's outer ring followed by its holes */
    size_t n_rings;
    double lon_min, lon_max, lat_min, lat_max;
} mwds_area;

typedef struct mwds_areas {
    mwds_area *areas;
    size_t n;
} mwds_areas;

/* Loads areas from a GeoJSON FeatureCollection: each Feature has a Polygon
 * or MultiPolygon geometry ([lon, lat] in degrees, RFC 7946) and properties
 * "code" (required, unique), "nation" (default: code) and "name".
 * Errors name the file and the JSON path and what was expected
 * ("areas.geojson: features[2].geometry.coordinates[0][0][5]: expected
 * [lon, lat] with lon in [-180, 180]"); *out is then untouched.
 * MWDS_EIO (cannot read), MWDS_EPARSE (anything else), MWDS_ENOMEM. */
mwds_err mwds_areas_load(const char *path, mwds_areas *out, char *err, size_t err_len);

/* The same from text in memory; name labels the messages. */
mwds_err mwds_areas_parse(const char *name, const char *text, size_t len, mwds_areas *out,
                          char *err, size_t err_len);

void mwds_areas_fini(mwds_areas *a);

/* The area with this code, or NULL. */
const mwds_area *mwds_areas_find(const mwds_areas *a, const char *code);

/* True if the ground point is inside the area (outer ring, not in a hole).
 * Cost: O(vertices of the rings whose box holds the point). */
int mwds_area_contains(const mwds_area *a, mwds_lla p);

/* True if the ellipse and the area overlap (the ellipse drawn as a
 * 72-vertex polygon: a vertex of either inside the other, or crossing
 * edges). Cost: O(72 x vertices near the ellipse). */
int mwds_area_intersects_ellipse(const mwds_area *a, const mwds_ellipse *e);

/* The ellipse's outline, n points (counter-clockwise, not closed). */
void mwds_ellipse_outline(const mwds_ellipse *e, int n, double *lon_deg, double *lat_deg);

/* ---- the assessor: assessments and warnings ---- */

#define MWDS_ASSESS_MAX_AREAS 8
#define MWDS_AREA_CODE_LEN 16

typedef enum mwds_warning_kind {
    MWDS_WARN_LAUNCH = 0,            /* first assessment of a confirmed track */
    MWDS_WARN_IMPACT_PREDICTION = 1, /* predicted impact (first, and on change) */
    MWDS_WARN_OVERFLIGHT = 2,        /* the ground track will cross an area */
    MWDS_WARN_IMPACT = 3,            /* the track ended at its predicted impact */
    MWDS_WARN_END = 4,               /* the track ended before impact */
    MWDS_WARN_CANCEL = 5             /* the track was found false */
} mwds_warning_kind;

const char *mwds_warning_kind_name(mwds_warning_kind k);

/* What one track means at one time. */
typedef struct mwds_assessment {
    uint32_t track_number;
    int64_t t_ns;                    /* the track state's time */
    mwds_lla position;
    double speed_m_s;
    int ballistic;                   /* the track is in the ballistic model */
    int has_impact;
    mwds_impact impact;
    int has_launch;
    mwds_ellipse launch;             /* 95 % ellipse of the launch point */
    int64_t launch_t_ns;
    double launch_t_sigma_s;
    int has_class;
    mwds_class_estimate cls;
    int n_threatened;                /* areas the impact ellipse reaches (with hysteresis) */
    char threatened[MWDS_ASSESS_MAX_AREAS][MWDS_AREA_CODE_LEN];
    int n_overflown;                 /* areas the ground track will still enter */
    char overflown[MWDS_ASSESS_MAX_AREAS][MWDS_AREA_CODE_LEN];
    int64_t overflight_t_ns[MWDS_ASSESS_MAX_AREAS]; /* predicted entry */
} mwds_assessment;

typedef struct mwds_warning {
    uint32_t id;                     /* per assessor, from 1 */
    char origin[MWDS_AREA_CODE_LEN]; /* the issuing nation */
    mwds_warning_kind kind;
    int exercise;                    /* exercise data: never a real-world warning */
    int64_t issued_t_ns;             /* when it was issued (the assessor's clock) */
    int64_t event_t_ns;              /* launch, impact, overflight entry, or end */
    char area[MWDS_AREA_CODE_LEN];   /* OVERFLIGHT: the area crossed */
    uint32_t track_number;
    mwds_assessment basis;           /* the assessment it rests on */
} mwds_warning;

typedef struct mwds_assessor_config {
    const mwds_areas *areas;         /* the caller's; must outlive the assessor */
    const mwds_launch_templates *templates; /* the caller's, or NULL: no launch points */
    char origin[MWDS_AREA_CODE_LEN];
    int exercise;
    int max_tracks;                  /* records kept (tracks seen at once) */
    double min_interval_s;           /* between assessments of one track */
    int max_assessments;             /* per mwds_assessor_update call (0: no limit); the
                                        tracks due beyond it wait for the next call, the
                                        most urgent first (not yet warned of, then the
                                        longest since assessed) */
    int hysteresis;                  /* assessments in a row that add or drop an area */
    double reissue_m;                /* re-issue IMPACT_PREDICTION when the centre moves
                                        by more than this or the ellipse's major axis */
    double invbeta_mean, invbeta_sigma; /* for boost-model tracks */
    uint32_t first_warning_id;       /* ids count from here (a restarted node goes on
                                        from its journal); 0 means 1 */
} mwds_assessor_config;

/* Defaults: 256 tracks, 2 s between assessments, no limit per call, hysteresis 2, re-issue at
 * 50 km, 1/beta 2e-4 +- 2e-4 m^2/kg (re-entry vehicles of 2,500 kg/m^2 and
 * up within 1 sigma). areas and origin are the caller's. */
void mwds_assessor_config_default(mwds_assessor_config *c);

typedef struct mwds_assessor mwds_assessor;

mwds_err mwds_assessor_create(const mwds_assessor_config *c, mwds_assessor **out);
void mwds_assessor_destroy(mwds_assessor *a);

/* Assesses the confirmed tracks of a tracker's pool at time t_ns (each at
 * most every min_interval_s, and only after new measurements) and applies
 * the warning rules; tracks gone from the pool since the last call end
 * (IMPACT, END or CANCEL). Writes at most max warnings to out, the count to
 * *n; MWDS_EFULL if more were due (those are issued on the next call).
 * Cost: per assessment 15 flights to impact plus the area tests. */
mwds_err mwds_assessor_update(mwds_assessor *a, const mwds_track *tracks, int n_slots,
                              int64_t t_ns, mwds_warning *out, int max, int *n);

/* The tracks the last update found due but left for the next call
 * (max_assessments): the caller calls again soon. */
int mwds_assessor_skipped(const mwds_assessor *a);

/* The latest assessment of a track, or NULL. Valid until the next update. */
const mwds_assessment *mwds_assessor_latest(const mwds_assessor *a, uint32_t track_number);

#ifdef __cplusplus
}
#endif
#endif
