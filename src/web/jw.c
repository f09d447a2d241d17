/*
 * JSON text writer for the display's snapshots (see jw.h).
 */
#include "jw.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void mwds__jw_init(mwds__jw *w)
{
    memset(w, 0, sizeof *w);
}

void mwds__jw_fini(mwds__jw *w)
{
    free(w->buf);
    memset(w, 0, sizeof *w);
}

void mwds__jw_reset(mwds__jw *w)
{
    w->len = 0;
    w->err = MWDS_OK;
    if (w->buf != NULL)
        w->buf[0] = '\0';
}

/* Room for n more bytes and the NUL. */
static int reserve(mwds__jw *w, size_t n)
{
    if (w->err != MWDS_OK)
        return 0;
    if (w->len + n + 1 <= w->cap)
        return 1;
    size_t cap = w->cap ? w->cap : 4096;
    while (cap < w->len + n + 1) {
        if (cap > SIZE_MAX / 2) {
            w->err = MWDS_ENOMEM;
            return 0;
        }
        cap *= 2;
    }
    char *b = realloc(w->buf, cap);
    if (b == NULL) {
        w->err = MWDS_ENOMEM;
        return 0;
    }
    w->buf = b;
    w->cap = cap;
    return 1;
}

void mwds__jw_raw(mwds__jw *w, const char *s, size_t n)
{
    if (!reserve(w, n))
        return;
    memcpy(w->buf + w->len, s, n);
    w->len += n;
    w->buf[w->len] = '\0';
}

void mwds__jw_lit(mwds__jw *w, const char *s)
{
    mwds__jw_raw(w, s, strlen(s));
}

/* Length of the well-formed UTF-8 sequence at s (1..4), 0 if none starts
 * there: no overlong forms, surrogates or code points past U+10FFFF. */
static size_t utf8_len(const unsigned char *s)
{
    unsigned c = s[0];
    size_t n;
    unsigned long cp;
    if (c < 0x80)
        return 1;
    if (c >= 0xc2 && c <= 0xdf) {
        n = 2;
        cp = c & 0x1f;
    } else if (c >= 0xe0 && c <= 0xef) {
        n = 3;
        cp = c & 0x0f;
    } else if (c >= 0xf0 && c <= 0xf4) {
        n = 4;
        cp = c & 0x07;
    } else {
        return 0;
    }
    for (size_t k = 1; k < n; k++) {
        if ((s[k] & 0xc0) != 0x80)
            return 0;
        cp = (cp << 6) | (s[k] & 0x3f);
    }
    if ((n == 3 && cp < 0x800) || (n == 4 && (cp < 0x10000 || cp > 0x10ffff)) ||
        (cp >= 0xd800 && cp <= 0xdfff))
        return 0;
    return n;
}

void mwds__jw_str(mwds__jw *w, const char *s)
{
    mwds__jw_raw(w, "\"", 1);
    const unsigned char *u = (const unsigned char *)(s != NULL ? s : "");
    while (*u != '\0' && w->err == MWDS_OK) {
        /* a run of bytes that need no escaping goes in one copy */
        const unsigned char *run = u;
        while (*u >= 0x20 && *u < 0x80 && *u != '"' && *u != '\\')
            u++;
        if (u > run)
            mwds__jw_raw(w, (const char *)run, (size_t)(u - run));
        if (*u == '\0')
            break;
        if (*u == '"' || *u == '\\') {
            char e[2] = {'\\', (char)*u};
            mwds__jw_raw(w, e, 2);
            u++;
        } else if (*u < 0x20) {
            char e[8];
            snprintf(e, sizeof e, "\\u%04x", *u);
            mwds__jw_raw(w, e, 6);
            u++;
        } else {
            size_t n = utf8_len(u);
            if (n == 0) {
                mwds__jw_raw(w, "?", 1);
                u++;
            } else {
                mwds__jw_raw(w, (const char *)u, n);
                u += n;
            }
        }
    }
    mwds__jw_raw(w, "\"", 1);
}

static const int64_t POW10[] = {1,      10,      100,      1000,      10000,
                                100000, 1000000, 10000000, 100000000, 1000000000};

void mwds__jw_num(mwds__jw *w, double v, int decimals)
{
    if (!isfinite(v)) {
        mwds__jw_raw(w, "null", 4);
        return;
    }
    if (decimals < 0)
        decimals = 0;
    if (decimals > 9)
        decimals = 9;
    double scaled = v * (double)POW10[decimals];
    if (fabs(scaled) >= 9e15) { /* past exact integers: printf's way */
        char t[40];
        int n = snprintf(t, sizeof t, "%.*g", 17, v);
        mwds__jw_raw(w, t, (size_t)n);
        return;
    }
    int64_t q = (int64_t)llround(scaled);
    char t[32];
    char *e = t + sizeof t, *p = e;
    int neg = q < 0;
    uint64_t m = neg ? (uint64_t)(-q) : (uint64_t)q;
    int frac = decimals;
    /* drop trailing zeros of the fraction */
    while (frac > 0 && m % 10 == 0) {
        m /= 10;
        frac--;
    }
    for (int k = 0; k < frac; k++) {
        *--p = (char)('0' + m % 10);
        m /= 10;
    }
    if (frac > 0)
        *--p = '.';
    do {
        *--p = (char)('0' + m % 10);
        m /= 10;
    } while (m > 0);
    if (neg)
        *--p = '-';
    mwds__jw_raw(w, p, (size_t)(e - p));
}

void mwds__jw_int(mwds__jw *w, int64_t v)
{
    char t[24];
    int n = snprintf(t, sizeof t, "%lld", (long long)v);
    mwds__jw_raw(w, t, (size_t)n);
}

void mwds__jw_bool(mwds__jw *w, int v)
{
    if (v)
        mwds__jw_raw(w, "true", 4);
    else
        mwds__jw_raw(w, "false", 5);
}
