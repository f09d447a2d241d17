/* Shared includes and checks for the cmocka test programs. */
#ifndef MWDS_TEST_UTIL_H
#define MWDS_TEST_UTIL_H

#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

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

#endif
