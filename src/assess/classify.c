/*
 * Missile class from energy; see assess.h.
 *
 * A ballistic missile's range is bought with the energy it has at burnout.
 * With V the speed that energy corresponds to at the Earth's mean radius R
 * (V^2 / 2 - mu / R = v^2 / 2 - mu / r), Q = V^2 R / mu, the longest range
 * angle over a spherical, non-rotating Earth is psi with
 * sin(psi / 2) = Q / (2 - Q), flown at the flight-path angle
 * gamma = (pi - psi) / 4; its apogee follows from the orbit's elements.
 * Velocities are made inertial (v + w x r) first: the Earth's rotation adds
 * up to 465 m/s eastwards, which is energy the missile has.
 */
#include <math.h>

#include "mwds/assess.h"

#define MEAN_RADIUS_M 6371008.8

const char *mwds_profile_name(mwds_profile p)
{
    switch (p) {
    case MWDS_PROFILE_LOFTED:
        return "lofted";
    case MWDS_PROFILE_DEPRESSED:
        return "depressed";
    default:
        return "standard";
    }
}

mwds_err mwds_assess_class(mwds_vec3 pos, mwds_vec3 vel, mwds_class_estimate *out)
{
    const double mu = MWDS_WGS84.gm_m3_s2, w = MWDS_WGS84.omega_rad_s, R = MEAN_RADIUS_M;
    mwds_vec3 vi = mwds_v3(vel.v[0] - w * pos.v[1], vel.v[1] + w * pos.v[0], vel.v[2]);
    double r = mwds_v3_norm(pos), v2 = mwds_v3_dot(vi, vi);
    if (!isfinite(r) || !isfinite(v2) || r < 0.5 * R)
        return MWDS_ENUMERIC;
    double eps = 0.5 * v2 - mu / r;
    if (eps >= 0.0)
        return MWDS_EUNREACH;
    double V2 = 2.0 * (eps + mu / R);
    mwds_class_estimate c;
    c.apogee_m = 0.0;
    if (V2 <= 0.0) {
        /* not enough energy to rise from the surface to here: a falling body
         * seen low; the shortest class */
        c.energy_range_m = 0.0;
        c.min_energy_apogee_m = 0.0;
    } else {
        double Q = V2 * R / mu;
        if (Q >= 1.0)
            return MWDS_EUNREACH; /* orbital */
        double psi = 2.0 * asin(Q / (2.0 - Q));
        c.energy_range_m = R * psi;
        double gam = 0.25 * (MWDS_PI - psi);
        double h = R * sqrt(V2) * cos(gam), a = -mu / (2.0 * eps);
        double e = sqrt(fmax(0.0, 1.0 - h * h / (mu * a)));
        c.min_energy_apogee_m = a * (1.0 + e) - R;
    }
    /* this state's own orbit */
    mwds_vec3 hv = mwds_v3_cross(pos, vi);
    double a = -mu / (2.0 * eps), hh = mwds_v3_dot(hv, hv);
    double e = sqrt(fmax(0.0, 1.0 - hh / (mu * a)));
    c.apogee_m = a * (1.0 + e) - R;
    double km = c.energy_range_m / 1e3;
    c.kind = km < 1000.0   ? MWDS_CLASS_SRBM
             : km < 3000.0 ? MWDS_CLASS_MRBM
             : km < 5500.0 ? MWDS_CLASS_IRBM
                           : MWDS_CLASS_ICBM;
    c.profile = MWDS_PROFILE_STANDARD;
    if (c.min_energy_apogee_m > 0.0) {
        if (c.apogee_m > 1.3 * c.min_energy_apogee_m)
            c.profile = MWDS_PROFILE_LOFTED;
        else if (c.apogee_m < 0.7 * c.min_energy_apogee_m)
            c.profile = MWDS_PROFILE_DEPRESSED;
    }
    *out = c;
    return MWDS_OK;
}
