/*
 * A JSON text writer into a growable buffer, for the display's snapshots.
 *
 * The buffer is kept between documents (jw_reset empties it), so a picture
 * written again and again reallocates only when a snapshot is larger than
 * any before. A writer remembers its first failure (MWDS_ENOMEM) and then
 * writes nothing more, so a caller checks once at the end.
 *
 * Numbers are written in fixed point by integer arithmetic (the snapshot
 * has tens of thousands of them, several times a second, and printf's
 * formatting is the slow part); a non-finite number is written as null.
 * Strings are escaped for JSON, and a byte that is not part of well-formed
 * UTF-8 becomes '?', so the output is always valid UTF-8 and valid JSON.
 */
#ifndef MWDS_WEB_JW_H
#define MWDS_WEB_JW_H

#include <stddef.h>
#include <stdint.h>

#include "mwds/core.h"

typedef struct mwds__jw {
    char *buf;
    size_t len, cap; /* bytes written (a NUL follows them), bytes allocated */
    mwds_err err;
} mwds__jw;

void mwds__jw_init(mwds__jw *w);
void mwds__jw_fini(mwds__jw *w);
void mwds__jw_reset(mwds__jw *w);

void mwds__jw_raw(mwds__jw *w, const char *s, size_t n);
void mwds__jw_lit(mwds__jw *w, const char *s); /* unescaped text, e.g. punctuation, keys */
void mwds__jw_str(mwds__jw *w, const char *s); /* a JSON string, quoted and escaped */
/* v with `decimals` (0..9) digits after the point, trailing zeros dropped;
 * null if v is not finite */
void mwds__jw_num(mwds__jw *w, double v, int decimals);
void mwds__jw_int(mwds__jw *w, int64_t v);
void mwds__jw_bool(mwds__jw *w, int v);

#endif
