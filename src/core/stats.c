/*
 * Chi-square distribution through the regularised incomplete gamma function
 * (Numerical Recipes' split: series for x < a + 1, Lentz's continued
 * fraction for the upper tail otherwise).
 */
#include <math.h>

#include "mwds/stats.h"

#define EPS 1e-15
#define MAX_ITER 1000

/* P(a, x) by the series e^-x x^a / Gamma(a+1) * sum x^n / ((a+1)...(a+n)). */
static double gamma_p_series(double a, double x)
{
    double term = 1.0 / a, sum = term;
    for (int n = 1; n < MAX_ITER; n++) {
        term *= x / (a + n);
        sum += term;
        if (fabs(term) < fabs(sum) * EPS)
            break;
    }
    return sum * exp(-x + a * log(x) - lgamma(a));
}

/* Q(a, x) = 1 - P(a, x) by the continued fraction, modified Lentz. */
static double gamma_q_fraction(double a, double x)
{
    const double tiny = 1e-300;
    double b = x + 1.0 - a, c = 1.0 / tiny, d = 1.0 / b, h = d;
    for (int i = 1; i < MAX_ITER; i++) {
        double an = -i * (i - a);
        b += 2.0;
        d = an * d + b;
        if (fabs(d) < tiny)
            d = tiny;
        c = b + an / c;
        if (fabs(c) < tiny)
            c = tiny;
        d = 1.0 / d;
        double delta = d * c;
        h *= delta;
        if (fabs(delta - 1.0) < EPS)
            break;
    }
    return exp(-x + a * log(x) - lgamma(a)) * h;
}

double mwds_chi2_cdf(double x, double dof)
{
    if (!(dof > 0.0) || isnan(x))
        return NAN;
    if (x <= 0.0)
        return 0.0;
    if (isinf(x))
        return 1.0;
    double a = 0.5 * dof, h = 0.5 * x;
    return h < a + 1.0 ? gamma_p_series(a, h) : 1.0 - gamma_q_fraction(a, h);
}

/* The density, for Newton's step. */
static double chi2_pdf(double x, double dof)
{
    double a = 0.5 * dof;
    return exp((a - 1.0) * log(x) - 0.5 * x - a * log(2.0) - lgamma(a));
}

double mwds_chi2_quantile(double p, double dof)
{
    if (!(p > 0.0 && p < 1.0) || !(dof > 0.0))
        return NAN;
    /* Wilson-Hilferty: (X/k)^(1/3) is nearly normal; z from an inverse
     * normal by bisection on erfc (only a starting point). */
    double zlo = -10.0, zhi = 10.0;
    for (int i = 0; i < 80; i++) {
        double z = 0.5 * (zlo + zhi);
        if (0.5 * erfc(-z / sqrt(2.0)) < p)
            zlo = z;
        else
            zhi = z;
    }
    double z = 0.5 * (zlo + zhi), c = 2.0 / (9.0 * dof);
    double x = dof * pow(fmax(1.0 - c + z * sqrt(c), 1e-3), 3.0);
    /* Newton on cdf(x) - p inside a bracket kept by bisection */
    double lo = 0.0, hi = INFINITY;
    for (int i = 0; i < 200; i++) {
        double f = mwds_chi2_cdf(x, dof) - p;
        if (f < 0.0)
            lo = x;
        else
            hi = x;
        double pdf = chi2_pdf(x, dof);
        double next = pdf > 0.0 ? x - f / pdf : NAN;
        if (!(next > lo && next < hi))
            next = isinf(hi) ? 2.0 * x + 1.0 : 0.5 * (lo + hi);
        if (fabs(next - x) <= 1e-13 * x)
            return next;
        x = next;
    }
    return x;
}
