/*
 * mwds scenario: exercise scenario files (YAML) and their in-memory form.
 *
 * A scenario names the nations, the sensors each owns, the launches, and the
 * simulation settings. The file format is documented in docs/scenario.md;
 * examples are in scenarios/. Units are in the key names (_s, _deg, _km,
 * _m, _m_s); latitudes and longitudes are degrees in the file and radians
 * here.
 *
 * Errors: every problem is reported as "FILE:LINE:COLUMN: FIELD: what was
 * expected" (FIELD is a path such as sensors[2].pd), and loading stops at
 * the first error, leaving the output untouched.
 *
 * Ownership: mwds_scenario_load fills a caller-owned mwds_scenario whose
 * arrays are on the heap; release them with mwds_scenario_fini.
 */
#ifndef MWDS_SCENARIO_H
#define MWDS_SCENARIO_H

#include <stddef.h>
#include <stdint.h>

#include "mwds/ballistic.h"
#include "mwds/core.h"
#include "mwds/geo.h"
#include "mwds/sensor.h"

#ifdef __cplusplus
extern "C" {
#endif

#define MWDS_NATION_CODE_LEN 4 /* ISO 3166 alpha-3 and the terminator */
#define MWDS_ID_LEN 32

typedef struct mwds_nation {
    char code[MWDS_NATION_CODE_LEN]; /* "KOR" */
    char name[64];                   /* optional display name; code if absent */
} mwds_nation;

typedef struct mwds_sensor_config {
    char id[MWDS_ID_LEN];            /* unique in the scenario */
    uint32_t nation;                 /* index into nations */
    mwds_sensor sensor;              /* initialised (mwds_sensor_init done) */
} mwds_sensor_config;

typedef struct mwds_launch_config {
    char id[MWDS_ID_LEN];            /* unique in the scenario */
    double t_s;                      /* seconds after the scenario's start */
    const mwds_missile_class *cls;   /* from the catalogue */
    mwds_traj_request req;           /* launch point, azimuth and range, or target;
                                        apogee (0: minimum energy); launch_t_ns set */
} mwds_launch_config;

typedef struct mwds_scenario {
    char name[64];
    char description[256];
    int exercise;                    /* 1 unless the file says exercise: false */
    int64_t start_t_ns;              /* "start" (ISO 8601 UTC) */
    double duration_s;
    uint64_t seed;
    mwds_nation *nations;
    size_t n_nations;
    mwds_sensor_config *sensors;
    size_t n_sensors;
    mwds_launch_config *launches;
    size_t n_launches;
} mwds_scenario;

/* Loads and checks a scenario file. On error writes a one-line message
 * (as above; I/O and size errors have no LINE:COLUMN) into err (err_len
 * bytes) and returns MWDS_EIO (cannot read), MWDS_EPARSE (not YAML, or not
 * the schema), MWDS_ERANGE (a value out of range, a sensor its model rejects,
 * a size limit), MWDS_ENOMEM, or MWDS_EINVAL (NULL arguments); *sc is then
 * untouched. Checks include: unknown keys, missing required keys, wrong
 * types, latitudes/longitudes out of range, unknown nation codes on sensors,
 * duplicate ids (sensor and launch ids share one namespace), unknown missile
 * classes, launches outside [0, duration]. Limits: 16 nations, 256 sensors,
 * 4096 launches, 16 MiB, YAML nesting 32, 262,144 nodes, 256 anchors, 65,536
 * aliases (libyaml is quadratic in anchors and depth, so these bound the
 * time). String limits count bytes of UTF-8. Cost: linear in the file size. */
mwds_err mwds_scenario_load(const char *path, mwds_scenario *sc, char *err, size_t err_len);

/* The same from a buffer; name is used in messages in place of the path. */
mwds_err mwds_scenario_parse(const char *name, const char *text, size_t len, mwds_scenario *sc,
                             char *err, size_t err_len);

/* Frees the arrays; *sc may then be loaded again. Safe on a zeroed struct. */
void mwds_scenario_fini(mwds_scenario *sc);

/* Index of a nation by code, or -1. */
int mwds_scenario_nation(const mwds_scenario *sc, const char *code);

#ifdef __cplusplus
}
#endif
#endif
