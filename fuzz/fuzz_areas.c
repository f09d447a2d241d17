/* libFuzzer harness: GeoJSON areas. A failed parse must leave the output
 * untouched and give a message that starts with the name; a successful one
 * must give closed rings with coordinates in range and boxes that hold them,
 * answer point queries, and free cleanly. */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "mwds/assess.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    mwds_areas a = {(mwds_area *)(uintptr_t)1, 77}; /* sentinel: must stay on error */
    char err[256] = "";
    mwds_err e = mwds_areas_parse("fuzz", (const char *)data, size, &a, err, sizeof err);
    if (e != MWDS_OK) {
        if (a.areas != (mwds_area *)(uintptr_t)1 || a.n != 77 || strncmp(err, "fuzz", 4) != 0)
            abort();
        return 0;
    }
    for (size_t i = 0; i < a.n; i++) {
        const mwds_area *ar = &a.areas[i];
        if (ar->code[0] == '\0' || ar->nation[0] == '\0' || ar->n_rings == 0 ||
            ar->rings[0].hole)
            abort();
        for (size_t k = 0; k < ar->n_rings; k++) {
            const mwds_ring *r = &ar->rings[k];
            if (r->n < 4 || r->lon_deg[0] != r->lon_deg[r->n - 1] ||
                r->lat_deg[0] != r->lat_deg[r->n - 1] || r->lon_min < ar->lon_min ||
                r->lat_max > ar->lat_max)
                abort();
            for (size_t v = 0; v < r->n; v++)
                if (!(fabs(r->lon_deg[v]) <= 180.0 && fabs(r->lat_deg[v]) <= 90.0))
                    abort();
        }
        mwds_lla p = {ar->rings[0].lat_deg[0] * MWDS_DEG2RAD,
                      ar->rings[0].lon_deg[0] * MWDS_DEG2RAD, 0.0};
        (void)mwds_area_contains(ar, p);
        if (mwds_areas_find(&a, ar->code) != &a.areas[i])
            abort();
    }
    mwds_areas_fini(&a);
    return 0;
}
