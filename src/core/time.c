/*
 * Time conversions. Calendar arithmetic is proleptic Gregorian in UTC without
 * leap seconds (POSIX time), done with integer day counts so that no library
 * call depends on the process's time zone.
 */
#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "mwds/core.h"

int64_t mwds_time_from_s(double s)
{
    if (isnan(s))
        return 0;
    double ns = s * 1e9;
    if (ns >= 9.2e18)
        return INT64_MAX;
    if (ns <= -9.2e18)
        return INT64_MIN;
    return (int64_t)llround(ns);
}

double mwds_time_to_s(int64_t t_ns)
{
    int64_t whole = t_ns / MWDS_NS_PER_S;
    int64_t frac = t_ns % MWDS_NS_PER_S;
    return (double)whole + (double)frac * 1e-9;
}

/* Days since 1970-01-01 of a civil date (month 1..12). */
static int64_t days_from_civil(int64_t y, int m, int d)
{
    y -= m <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    int64_t yoe = y - era * 400;
    int64_t mp = (m + 9) % 12;
    int64_t doy = (153 * mp + 2) / 5 + d - 1;
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

static void civil_from_days(int64_t z, int64_t *y, int *m, int *d)
{
    z += 719468;
    int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    int64_t doe = z - era * 146097;
    int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    int64_t mp = (5 * doy + 2) / 153;
    *d = (int)(doy - (153 * mp + 2) / 5 + 1);
    *m = (int)(mp < 10 ? mp + 3 : mp - 9);
    *y = yoe + era * 400 + (*m <= 2);
}

mwds_err mwds_time_format_iso8601(int64_t t_ns, char *buf, size_t len)
{
    if (buf == NULL || len < 25)
        return MWDS_EINVAL;
    int64_t secs = t_ns / MWDS_NS_PER_S;
    int64_t rem = t_ns % MWDS_NS_PER_S;
    if (rem < 0) {
        rem += MWDS_NS_PER_S;
        secs -= 1;
    }
    int64_t days = secs / 86400;
    int64_t sod = secs % 86400;
    if (sod < 0) {
        sod += 86400;
        days -= 1;
    }
    int64_t y;
    int m, d;
    civil_from_days(days, &y, &m, &d);
    if (y < 0 || y > 9999)
        return MWDS_EINVAL;
    snprintf(buf, len, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", (int)y, m, d, (int)(sod / 3600),
             (int)(sod / 60 % 60), (int)(sod % 60), (int)(rem / 1000000));
    return MWDS_OK;
}

/* Reads exactly n digits into *out. */
static int read_digits(const char **p, int n, int *out)
{
    int v = 0;
    for (int i = 0; i < n; i++) {
        if (!isdigit((unsigned char)(*p)[i]))
            return 0;
        v = v * 10 + ((*p)[i] - '0');
    }
    *p += n;
    *out = v;
    return 1;
}

static int days_in_month(int y, int m)
{
    static const int dim[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    int leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    return dim[m - 1] + (m == 2 && leap);
}

mwds_err mwds_time_parse_iso8601(const char *s, int64_t *t_ns)
{
    if (s == NULL || t_ns == NULL)
        return MWDS_EINVAL;
    const char *p = s;
    int y, mo, d, h, mi, se;
    if (!read_digits(&p, 4, &y) || *p++ != '-' || !read_digits(&p, 2, &mo) || *p++ != '-' ||
        !read_digits(&p, 2, &d) || (*p != 'T' && *p != 't' && *p != ' '))
        return MWDS_EPARSE;
    p++;
    if (!read_digits(&p, 2, &h) || *p++ != ':' || !read_digits(&p, 2, &mi) || *p++ != ':' ||
        !read_digits(&p, 2, &se))
        return MWDS_EPARSE;
    if (mo < 1 || mo > 12 || d < 1 || d > days_in_month(y, mo) || h > 23 || mi > 59 || se > 59)
        return MWDS_EPARSE;
    int64_t frac_ns = 0;
    if (*p == '.') {
        p++;
        int ndig = 0;
        int64_t scale = 100000000;
        while (isdigit((unsigned char)*p)) {
            if (ndig < 9) {
                frac_ns += (*p - '0') * scale;
                scale /= 10;
            }
            ndig++;
            p++;
        }
        if (ndig == 0)
            return MWDS_EPARSE;
    }
    int64_t offset_s = 0;
    if (*p == 'Z' || *p == 'z') {
        p++;
    } else if (*p == '+' || *p == '-') {
        int sign = *p == '-' ? -1 : 1;
        p++;
        int oh, om;
        if (!read_digits(&p, 2, &oh) || *p++ != ':' || !read_digits(&p, 2, &om) || oh > 23 ||
            om > 59)
            return MWDS_EPARSE;
        offset_s = sign * (oh * 3600 + om * 60);
    }
    if (*p != '\0')
        return MWDS_EPARSE;
    int64_t secs = days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 + se - offset_s;
    /* int64_t nanoseconds span 1677-09-21 to 2262-04-11 */
    if (secs > (INT64_MAX - frac_ns) / MWDS_NS_PER_S || secs < INT64_MIN / MWDS_NS_PER_S)
        return MWDS_ERANGE;
    *t_ns = secs * MWDS_NS_PER_S + frac_ns;
    return MWDS_OK;
}
