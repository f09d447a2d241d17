/* Shared includes and checks for the cmocka test programs. */
#ifndef MWDS_TEST_UTIL_H
#define MWDS_TEST_UTIL_H

#include <dirent.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

/* Fails the test, printing both values and what was checked, unless
 * |got - want| <= tol. */
#define assert_near(got, want, tol, what)                                                  \
    do {                                                                                   \
        double g_ = (got), w_ = (want), t_ = (tol);                                        \
        if (!(fabs(g_ - w_) <= t_))                                                        \
            fail_msg("%s: got %.12g, want %.12g (tolerance %.3g, off by %.3g)", (what), g_, \
                     w_, t_, g_ - w_);                                                      \
    } while (0)

/* Relative form: |got - want| <= rel * |want|. */
#define assert_rel(got, want, rel, what) assert_near((got), (want), (rel)*fabs(want), (what))

/* Makes a fresh folder $TMPDIR/mwds-TAG-XXXXXX (TMPDIR defaults to /tmp)
 * and writes its path to dir. Returns 0, or -1 if it cannot. */
static inline int test_tmpdir_make(char *dir, size_t len, const char *tag)
{
    const char *tmp = getenv("TMPDIR");
    snprintf(dir, len, "%s/mwds-%s-XXXXXX", tmp != NULL && tmp[0] != '\0' ? tmp : "/tmp", tag);
    return mkdtemp(dir) != NULL ? 0 : -1;
}

/* Removes a folder of test_tmpdir_make with the files and empty folders
 * directly in it (tests make nothing deeper). */
static inline void test_tmpdir_remove(const char *dir)
{
    DIR *d = opendir(dir);
    if (d != NULL) {
        struct dirent *e;
        while ((e = readdir(d)) != NULL) {
            if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
                continue;
            char p[512];
            snprintf(p, sizeof p, "%s/%s", dir, e->d_name);
            if (unlink(p) != 0)
                rmdir(p);
        }
        closedir(d);
    }
    rmdir(dir);
}

#ifdef MWDS_SENSOR_H
/* An all-round ground radar for tests: elevation limits el_min_deg..89.5 deg,
 * range 1 m .. range_max_m, Pd pd, no false alarms, the given noise (angles in
 * radians), a look every revisit_s. Fails the test if the model rejects it. */
static inline mwds_sensor test_radar(uint32_t id, double lat_deg, double lon_deg, double h_m,
                                     double el_min_deg, double range_max_m, double pd,
                                     double revisit_s, double sigma_range_m, double sigma_ang_rad)
{
    mwds_sensor s;
    memset(&s, 0, sizeof s);
    s.kind = MWDS_SENSOR_RADAR;
    s.id = id;
    s.revisit_s = revisit_s;
    s.pd = pd;
    s.radar.site = (mwds_lla){lat_deg * MWDS_DEG2RAD, lon_deg * MWDS_DEG2RAD, h_m};
    s.radar.az_half_width_rad = MWDS_PI;
    s.radar.el_min_rad = el_min_deg * MWDS_DEG2RAD;
    s.radar.el_max_rad = 89.5 * MWDS_DEG2RAD;
    s.radar.range_min_m = 1.0;
    s.radar.range_max_m = range_max_m;
    s.radar.sigma_range_m = sigma_range_m;
    s.radar.sigma_az_rad = sigma_ang_rad;
    s.radar.sigma_el_rad = sigma_ang_rad;
    assert_int_equal(mwds_sensor_init(&s), MWDS_OK);
    return s;
}
#endif

#endif
