/*
 * The force model: gravity with J2, rotating-frame terms, drag in the
 * US Standard Atmosphere 1976, and staged thrust with a gravity-turn pitch
 * programme. ECEF, SI units, seconds since launch.
 *
 * Stage timeline: stage 0 ignites at t = 0; stage k ignites coast_s after
 * stage k-1 burns out; a spent stage's structure drops at its burnout. Thrust
 * ends at the last burnout or at the plan's cutoff, whichever is first, and
 * the payload separates then: from that moment the body is the payload alone
 * with its own ballistic coefficient.
 *
 * Steering: radially up during the vertical rise; during the kick a fixed
 * pitch kick_rad from the radial towards the launch plane's heading (the
 * plane through the Earth's centre, the launch point and the launch
 * azimuth); afterwards a gravity
 * turn in pitch (thrust along the air-relative velocity, so gravity turns
 * the trajectory) with guidance in yaw holding the launch plane. The atmosphere co-rotates
 * with the Earth, so the ECEF velocity is the air-relative velocity.
 */
#include <math.h>

#include "ballistic_internal.h"

#define G0_M_S2 9.80665
#define P0_PA 101325.0

double mwds__ballistic_full_burn_s(const mwds_missile_class *cls)
{
    double t = 0.0;
    for (int k = 0; k < cls->n_stages; k++)
        t += cls->stage[k].burn_s + (k > 0 ? cls->coast_s : 0.0);
    return t;
}

/* End of powered flight: last burnout or cutoff. */
static double powered_end_s(const mwds_force_model *fm)
{
    if (fm->cls == NULL || !(fm->flags & MWDS_FORCE_THRUST))
        return 0.0;
    double full = mwds__ballistic_full_burn_s(fm->cls);
    return fm->plan.cutoff_s < full ? fm->plan.cutoff_s : full;
}

/* Which stage flies at phase time tp: index of the stage burning or, in a
 * coast, the next stage to ignite; *burning says whether its engine runs;
 * *t_ign its ignition time. Returns -1 after powered flight. */
static int stage_at(const mwds_force_model *fm, double tp, int *burning, double *t_ign)
{
    if (fm->cls == NULL || !(fm->flags & MWDS_FORCE_THRUST) || tp >= powered_end_s(fm))
        return -1;
    double t = 0.0;
    for (int k = 0; k < fm->cls->n_stages; k++) {
        if (k > 0) {
            if (tp < t + fm->cls->coast_s) {
                *burning = 0;
                *t_ign = t + fm->cls->coast_s;
                return k;
            }
            t += fm->cls->coast_s;
        }
        if (tp < t + fm->cls->stage[k].burn_s) {
            *burning = 1;
            *t_ign = t;
            return k;
        }
        t += fm->cls->stage[k].burn_s;
    }
    return -1;
}

/* Vehicle mass with stage k in its phase at time t (continuous in t within the
 * phase, so it can be evaluated at a step's end on the switch time). */
static double mass_in_phase(const mwds_missile_class *cls, int k, int burning, double t_ign,
                            double t)
{
    double m = cls->payload_kg;
    for (int j = k; j < cls->n_stages; j++)
        m += cls->stage[j].mass_kg;
    if (burning) {
        double mdot = cls->stage[k].prop_kg / cls->stage[k].burn_s;
        m -= mdot * (t - t_ign);
    }
    return m;
}

double mwds_ballistic_mass(const mwds_force_model *fm, double t_s)
{
    if (fm->cls == NULL)
        return 0.0;
    int burning = 0;
    double t_ign = 0.0;
    int k = stage_at(fm, t_s, &burning, &t_ign);
    if (k < 0)
        return fm->cls->payload_kg;
    return mass_in_phase(fm->cls, k, burning, t_ign, t_s);
}

int mwds_ballistic_thrusting(const mwds_force_model *fm, double t_s)
{
    int burning = 0;
    double t_ign = 0.0;
    return t_s >= 0.0 && stage_at(fm, t_s, &burning, &t_ign) >= 0 && burning;
}

int mwds_ballistic_switch_times(const mwds_force_model *fm, double *t_s, int max)
{
    double cand[4 + 2 * MWDS_MAX_STAGES];
    int n = 0;
    if (fm->cls != NULL && (fm->flags & MWDS_FORCE_THRUST)) {
        double end = powered_end_s(fm);
        cand[n++] = fm->cls->vertical_s;
        cand[n++] = fm->cls->vertical_s + fm->cls->kick_s;
        double t = 0.0;
        for (int k = 0; k < fm->cls->n_stages; k++) {
            if (k > 0) {
                t += fm->cls->coast_s;
                cand[n++] = t;
            }
            t += fm->cls->stage[k].burn_s;
            cand[n++] = t;
        }
        cand[n++] = end;
        /* keep those within powered flight, ascending, unique */
        int m = 0;
        for (int i = 0; i < n; i++)
            if (cand[i] > 0.0 && cand[i] <= end)
                cand[m++] = cand[i];
        n = m;
        for (int i = 1; i < n; i++)
            for (int j = i; j > 0 && cand[j] < cand[j - 1]; j--) {
                double tmp = cand[j];
                cand[j] = cand[j - 1];
                cand[j - 1] = tmp;
            }
    }
    int out = 0;
    for (int i = 0; i < n && out < max; i++)
        if (out == 0 || cand[i] > t_s[out - 1])
            t_s[out++] = cand[i];
    return out;
}

/* Geocentric east and north at a point whose radial unit vector is up. */
static void horizon_axes(mwds_vec3 up, mwds_vec3 *east, mwds_vec3 *north)
{
    if (mwds_v3_unit(mwds_v3(-up.v[1], up.v[0], 0.0), east) != MWDS_OK)
        *east = mwds_v3(0, 1, 0); /* on the polar axis any east will do */
    *north = mwds_v3_cross(up, *east);
}

/* Unit normal of the launch plane: the plane through the Earth's centre,
 * the launch point and the launch azimuth. */
static mwds_vec3 launch_plane_normal(const mwds_force_model *fm)
{
    mwds_vec3 up = mwds_geo_lla_to_ecef(fm->launch), east, north;
    up = mwds_v3_scale(up, 1.0 / mwds_v3_norm(up));
    horizon_axes(up, &east, &north);
    /* up x (sin az east + cos az north) */
    double az = fm->plan.azimuth_rad;
    return mwds_v3_axpy(mwds_v3_scale(north, sin(az)), -cos(az), east);
}

/* Gravity with the J2 zonal term, ECEF (the field is axisymmetric, so the
 * Earth-fixed and inertial forms coincide). */
static mwds_vec3 gravity(mwds_vec3 r, int with_j2)
{
    double r2 = mwds_v3_dot(r, r);
    double rn = sqrt(r2);
    double k = -MWDS_WGS84.gm_m3_s2 / (r2 * rn);
    if (!with_j2)
        return mwds_v3_scale(r, k);
    double z2 = r.v[2] * r.v[2] / r2;
    double q = 1.5 * MWDS_WGS84.j2 * MWDS_WGS84.a_m * MWDS_WGS84.a_m / r2;
    double fxy = k * (1.0 + q * (1.0 - 5.0 * z2));
    double fz = k * (1.0 + q * (3.0 - 5.0 * z2));
    return mwds_v3(fxy * r.v[0], fxy * r.v[1], fz * r.v[2]);
}

/* Drag coefficient of a generic slender booster against Mach number:
 * about 0.25 subsonic, a transonic peak of 0.45 near Mach 1.1, falling to
 * 0.20 in the hypersonic regime (shape of published curves for
 * V-2/Scud-type bodies; a generic profile, not a specific missile's). */
static double booster_cd(double mach)
{
    static const double mt[] = {0.0, 0.8, 1.1, 1.5, 3.0, 5.0};
    static const double cd[] = {0.25, 0.27, 0.45, 0.38, 0.25, 0.20};
    if (mach >= mt[5])
        return cd[5];
    int i = 0;
    while (mach > mt[i + 1])
        i++;
    double u = (mach - mt[i]) / (mt[i + 1] - mt[i]);
    return cd[i] + u * (cd[i + 1] - cd[i]);
}

mwds_err mwds__ballistic_accel_phase(const mwds_force_model *fm, double phase_t_s, double t_s,
                                     mwds_vec3 pos, mwds_vec3 vel, mwds_vec3 *acc)
{
    double rn = mwds_v3_norm(pos);
    if (!isfinite(rn) || !isfinite(mwds_v3_norm(vel)) || rn < 1.0e6)
        return MWDS_ENUMERIC;

    mwds_vec3 a = mwds_v3(0, 0, 0);
    if (fm->flags & MWDS_FORCE_GRAVITY)
        a = gravity(pos, (fm->flags & MWDS_FORCE_J2) != 0);

    if (fm->flags & MWDS_FORCE_ROTATION) {
        double w = MWDS_WGS84.omega_rad_s;
        /* -2 w x v - w x (w x r) with w = (0, 0, w) */
        a.v[0] += 2.0 * w * vel.v[1] + w * w * pos.v[0];
        a.v[1] += -2.0 * w * vel.v[0] + w * w * pos.v[1];
    }

    int need_air = (fm->flags & (MWDS_FORCE_DRAG | MWDS_FORCE_THRUST)) != 0;
    int burning = 0;
    double t_ign = 0.0;
    int k = stage_at(fm, phase_t_s, &burning, &t_ign);
    mwds_lla lla = {0, 0, 0};
    mwds_atmos air = {0, 0, 0, 0};
    if (need_air) {
        mwds_err err = mwds_geo_ecef_to_lla(pos, &lla);
        if (err != MWDS_OK)
            return err;
        if (mwds_atmos_ussa76(lla.h_m < -5000.0 ? -5000.0 : lla.h_m, &air) != MWDS_OK)
            return MWDS_ENUMERIC;
    }

    double mass = k >= 0 ? mass_in_phase(fm->cls, k, burning, t_ign, t_s) : 0.0;

    if ((fm->flags & MWDS_FORCE_DRAG) && air.rho_kg_m3 > 0.0) {
        double speed = mwds_v3_norm(vel);
        double beta;
        if (k >= 0) {
            double d = fm->cls->stage[k].diameter_m;
            double area = 0.25 * 3.14159265358979323846 * d * d;
            beta = mass / (booster_cd(speed / air.sound_m_s) * area);
        } else {
            beta = fm->cls != NULL ? fm->cls->rv_beta_kg_m2 : fm->beta_kg_m2;
        }
        if (beta > 0.0)
            a = mwds_v3_axpy(a, -0.5 * air.rho_kg_m3 * speed / beta, vel);
    }

    if (k >= 0 && burning) {
        const mwds_stage *st = &fm->cls->stage[k];
        double mdot = st->prop_kg / st->burn_s;
        double isp = st->isp_vac_s - (st->isp_vac_s - st->isp_sl_s) * air.p_pa / P0_PA;
        double thrust = mdot * G0_M_S2 * isp;
        /* Vertical rise and kick are steered in the geocentric frame so that
         * the flight plane contains the Earth's centre and heads along the
         * azimuth; thrusting along the geodetic normal (up to 0.19 deg off
         * the radial) would swing a small-kick flight's plane by degrees. */
        mwds_vec3 up = mwds_v3_scale(pos, 1.0 / rn);
        mwds_vec3 dir = up;
        if (phase_t_s >= fm->cls->vertical_s + fm->cls->kick_s) {
            /* gravity turn in pitch, guidance in yaw: thrust along the
             * velocity with its component out of the launch plane reversed,
             * which damps the drift that J2 and Coriolis would otherwise
             * build up while the missile is slow */
            mwds_vec3 n = launch_plane_normal(fm);
            double vc = mwds_v3_dot(vel, n);
            if (mwds_v3_unit(mwds_v3_axpy(vel, -2.0 * vc, n), &dir) != MWDS_OK)
                dir = up;
        } else if (phase_t_s >= fm->cls->vertical_s) {
            /* the heading is the launch plane's, n x up: the local azimuth
             * would flip for a missile rising over a pole */
            mwds_vec3 heading;
            if (mwds_v3_unit(mwds_v3_cross(launch_plane_normal(fm), up), &heading) != MWDS_OK)
                heading = up;
            double kick = fm->plan.kick_rad;
            dir = mwds_v3_axpy(mwds_v3_scale(up, cos(kick)), sin(kick), heading);
        }
        a = mwds_v3_axpy(a, thrust / mass, dir);
    }

    for (int i = 0; i < 3; i++)
        if (!isfinite(a.v[i]))
            return MWDS_ENUMERIC;
    *acc = a;
    return MWDS_OK;
}

mwds_err mwds_ballistic_accel(const mwds_force_model *fm, double t_s, mwds_vec3 pos,
                              mwds_vec3 vel, mwds_vec3 *acc)
{
    return mwds__ballistic_accel_phase(fm, t_s, t_s, pos, vel, acc);
}
