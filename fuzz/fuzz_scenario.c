/* libFuzzer harness: scenario files. The input is parsed as a scenario
 * (not NUL-terminated: the parser takes a length). A failed parse must leave
 * the output exactly as it was and give a one-line message that starts with
 * the name; a successful one must keep every count within the loader's
 * limits, resolve every reference, and free cleanly. */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_yaml.h"
#include "mwds/scenario.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_ok(const mwds_scenario *sc)
{
    if (sc->n_nations < 1 || sc->n_nations > 16 || sc->n_sensors > 256 || sc->n_launches > 4096)
        abort();
    if (memchr(sc->name, '\0', sizeof sc->name) == NULL || sc->name[0] == '\0' ||
        memchr(sc->description, '\0', sizeof sc->description) == NULL)
        abort();
    if (!(sc->duration_s > 0.0 && sc->duration_s <= 86400.0))
        abort();
    for (size_t i = 0; i < sc->n_nations; i++)
        if (strlen(sc->nations[i].code) != 3 ||
            mwds_scenario_nation(sc, sc->nations[i].code) != (int)i)
            abort();
    for (size_t i = 0; i < sc->n_sensors; i++) {
        const mwds_sensor_config *c = &sc->sensors[i];
        if (c->nation >= sc->n_nations || c->sensor.id != i || c->id[0] == '\0' ||
            memchr(c->id, '\0', sizeof c->id) == NULL)
            abort();
        if (!(c->sensor.pd >= 0.0 && c->sensor.pd <= 1.0) || !(c->sensor.revisit_s > 0.0))
            abort();
    }
    for (size_t i = 0; i < sc->n_launches; i++) {
        const mwds_launch_config *l = &sc->launches[i];
        if (l->cls == NULL || l->req.cls != l->cls || !(l->t_s >= 0.0 && l->t_s <= sc->duration_s))
            abort();
        if (l->req.launch_t_ns < sc->start_t_ns || !isfinite(l->req.launch.lat_rad) ||
            fabs(l->req.launch.lon_rad) > MWDS_PI)
            abort();
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    mwds_scenario sc, before;
    memset(&sc, 0x5a, sizeof sc);
    memcpy(&before, &sc, sizeof sc);
    char err[1024];
    mwds_err rc = mwds_scenario_parse("fuzz.yaml", (const char *)data, size, &sc, err, sizeof err);
    if (rc != MWDS_OK) {
        fuzz_yaml_check_failure(rc, err, "fuzz.yaml", &sc, &before, sizeof sc);
        return 0;
    }
    check_ok(&sc);
    mwds_scenario_fini(&sc);
    return 0;
}
