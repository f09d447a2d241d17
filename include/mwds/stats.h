/*
 * mwds stats: the chi-square distribution, for gates and consistency tests.
 * Pure functions, thread-safe.
 */
#ifndef MWDS_STATS_H
#define MWDS_STATS_H

#ifdef __cplusplus
extern "C" {
#endif

/* P(X <= x) for X ~ chi-square with dof > 0 degrees of freedom (the
 * regularised lower incomplete gamma function P(dof/2, x/2), by its series
 * below a + 1 and its continued fraction above; relative error ~1e-14).
 * 0 for x <= 0; NaN for dof <= 0 or a NaN argument. */
double mwds_chi2_cdf(double x, double dof);

/* The p-quantile of chi-square(dof): x with mwds_chi2_cdf(x, dof) = p, by
 * safeguarded Newton from the Wilson-Hilferty estimate (to ~1e-12
 * relative). NaN for p outside (0, 1) or dof <= 0. */
double mwds_chi2_quantile(double p, double dof);

#ifdef __cplusplus
}
#endif
#endif
