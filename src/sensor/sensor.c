/*
 * Sensor models (see sensor.h): validation, visibility, the measurement
 * function h(x), its analytic Jacobian, residuals, the inverse used to start
 * tracks, and seeded generation of one look from truth.
 *
 * Frames and units: states are ECEF WGS-84 position (m) and velocity (m/s).
 * A radar works in the ENU frame of its site: with e = enu * (pos - site),
 *   range = |e|, az = atan2(e_east, e_north) in [0, 2pi),
 *   el = atan2(e_up, hypot(e_east, e_north)),
 *   range rate = (pos - site) . vel / range.
 * A space-based IR sensor works in ECEF: with d = pos - sat,
 *   alpha = atan2(d_y, d_x) in (-pi, pi], delta = atan2(d_z, hypot(d_x, d_y)),
 * which equals asin(d_z / |d|) and is better conditioned near +-pi/2.
 *
 * Invariants: a mwds_sensor passed to anything but _init has been through a
 * successful mwds_sensor_init, so pos_ecef and enu are consistent with the
 * parameters. Everything here except _look is pure; nothing allocates.
 * Angular derivatives are singular on the axis of each angle pair (a target
 * straight above a radar, or straight north or south of a satellite); the
 * Jacobian reports MWDS_ENUMERIC there (to within rounding) rather than
 * returning infinities or noise.
 */
#include <assert.h>
#include <math.h>
#include <stddef.h>

#include "mwds/sensor.h"

/* A satellite lower than this is not a geostationary IR sensor (sensor.h). */
#define SAT_MIN_HEIGHT_M 1.0e6

/* The limb test treats the Earth as the ellipsoid shrunk by this much, so a
 * target on the surface (a launch, at height 0 give or take rounding) is not
 * hidden by its own ground point. A metre changes no real line of sight. */
#define LIMB_TOLERANCE_M 1.0

/* Radar false alarms carry a range rate drawn uniformly in +-this: the span
 * of closing speeds of the fastest ballistic missiles, so clutter does not
 * pass a range-rate gate more often than its share of that span. */
#define FALSE_ALARM_MAX_RANGE_RATE_M_S 8000.0

/* A line of sight this close to the axis of its angle pair (relative to
 * its length) is on the axis up to rounding: the first angle's gradient
 * would be rounding noise times 1e12 or more, so the Jacobian refuses. */
#define AXIS_TOLERANCE 1e-12

#define TWO_PI (2.0 * MWDS_PI)

static int is_pos(double x)
{
    return x > 0.0 && isfinite(x);
}

static mwds_err init_radar(mwds_sensor *s)
{
    const mwds_radar_params *r = &s->radar;
    if (!isfinite(r->site.lat_rad) || fabs(r->site.lat_rad) > 0.5 * MWDS_PI ||
        !isfinite(r->site.lon_rad) || !isfinite(r->site.h_m))
        return MWDS_EINVAL;
    if (!isfinite(r->boresight_az_rad) || !is_pos(r->az_half_width_rad))
        return MWDS_EINVAL;
    if (!isfinite(r->el_min_rad) || !isfinite(r->el_max_rad) || !(r->el_min_rad < r->el_max_rad))
        return MWDS_EINVAL;
    if (!(r->range_min_m >= 0.0) || !isfinite(r->range_max_m) || !(r->range_min_m < r->range_max_m))
        return MWDS_EINVAL;
    if (!is_pos(r->sigma_range_m) || !is_pos(r->sigma_az_rad) || !is_pos(r->sigma_el_rad))
        return MWDS_EINVAL;
    if (!(r->sigma_rr_m_s >= 0.0) || !isfinite(r->sigma_rr_m_s))
        return MWDS_EINVAL;
    s->pos_ecef = mwds_geo_lla_to_ecef(r->site);
    s->enu = mwds_geo_enu_rotation(r->site.lat_rad, r->site.lon_rad);
    return MWDS_OK;
}

static mwds_err init_ir(mwds_sensor *s)
{
    const mwds_ir_params *p = &s->ir;
    if (!isfinite(p->sat.lat_rad) || fabs(p->sat.lat_rad) > 0.5 * MWDS_PI ||
        !isfinite(p->sat.lon_rad) || !isfinite(p->sat.h_m) || !(p->sat.h_m >= SAT_MIN_HEIGHT_M))
        return MWDS_EINVAL;
    if (!is_pos(p->sigma_los_rad))
        return MWDS_EINVAL;
    s->pos_ecef = mwds_geo_lla_to_ecef(p->sat);
    /* Not used by the IR model; the sub-satellite point's ENU is a harmless,
     * meaningful value rather than garbage. */
    s->enu = mwds_geo_enu_rotation(p->sat.lat_rad, p->sat.lon_rad);
    return MWDS_OK;
}

mwds_err mwds_sensor_init(mwds_sensor *s)
{
    if (s == NULL)
        return MWDS_EINVAL;
    if (!(s->pd >= 0.0 && s->pd <= 1.0) || !is_pos(s->revisit_s) ||
        !(s->false_alarms_per_scan >= 0.0) || !isfinite(s->false_alarms_per_scan))
        return MWDS_EINVAL;
    if (s->dwells < 0 || s->dwells > MWDS_SENSOR_MAX_DWELLS ||
        (s->kind != MWDS_SENSOR_RADAR && s->dwells > 1))
        return MWDS_EINVAL;
    switch (s->kind) {
    case MWDS_SENSOR_RADAR:
        return init_radar(s);
    case MWDS_SENSOR_SPACE_IR:
        return init_ir(s);
    }
    return MWDS_EINVAL;
}

static int radar_dim(const mwds_sensor *s)
{
    return s->radar.sigma_rr_m_s > 0.0 ? 4 : 3;
}

/* ---- visibility ------------------------------------------------------------ */

static int radar_visible(const mwds_sensor *s, mwds_vec3 pos)
{
    const mwds_radar_params *r = &s->radar;
    mwds_vec3 e = mwds_m3_mul_v3(s->enu, mwds_v3_sub(pos, s->pos_ecef));
    double horiz = hypot(e.v[0], e.v[1]);
    double range = hypot(horiz, e.v[2]);
    if (!(range >= r->range_min_m && range <= r->range_max_m))
        return 0;
    double el = atan2(e.v[2], horiz);
    if (!(el >= r->el_min_rad && el <= r->el_max_rad))
        return 0;
    if (r->az_half_width_rad >= MWDS_PI)
        return 1;
    double az = horiz > 0.0 ? atan2(e.v[0], e.v[1]) : 0.0; /* overhead: az 0, as geo.h */
    return fabs(mwds_geo_wrap_pi(az - r->boresight_az_rad)) <= r->az_half_width_rad;
}

/* ---- dwells ------------------------------------------------------------------ */

int mwds_sensor_dwell_count(const mwds_sensor *s)
{
    return s->kind == MWDS_SENSOR_RADAR && s->dwells > 1 ? s->dwells : 1;
}

int mwds_sensor_dwell_whole(const mwds_sensor *s, int dwell)
{
    return dwell < 0 || mwds_sensor_dwell_count(s) == 1;
}

void mwds_sensor_dwell_sector(const mwds_sensor *s, int dwell, double *az_lo, double *width)
{
    if (s->kind != MWDS_SENSOR_RADAR) {
        *az_lo = 0.0;
        *width = TWO_PI;
        return;
    }
    const mwds_radar_params *r = &s->radar;
    double hw = r->az_half_width_rad >= MWDS_PI ? MWDS_PI : r->az_half_width_rad;
    double lo = r->boresight_az_rad - hw, w = 2.0 * hw;
    if (!mwds_sensor_dwell_whole(s, dwell)) {
        w /= (double)mwds_sensor_dwell_count(s);
        lo += (double)dwell * w;
    }
    *az_lo = mwds_geo_wrap_2pi(lo);
    *width = w;
}

/* Azimuth of pos from the radar (overhead: 0, as geo.h). */
static double radar_az(const mwds_sensor *s, mwds_vec3 pos)
{
    mwds_vec3 e = mwds_m3_mul_v3(s->enu, mwds_v3_sub(pos, s->pos_ecef));
    return e.v[0] != 0.0 || e.v[1] != 0.0 ? mwds_geo_wrap_2pi(atan2(e.v[0], e.v[1])) : 0.0;
}

int mwds_sensor_in_dwell(const mwds_sensor *s, int dwell, mwds_vec3 pos)
{
    if (mwds_sensor_dwell_whole(s, dwell))
        return 1;
    double lo, w;
    mwds_sensor_dwell_sector(s, dwell, &lo, &w);
    return mwds_geo_wrap_2pi(radar_az(s, pos) - lo) < w;
}

/* Whether the segment from the satellite to pos stays outside the Earth.
 * Scaling z by a/b turns the ellipsoid into the sphere of radius a; the
 * segment S + t D, t in [0, 1], misses it if its point nearest the centre is
 * outside. */
static int ir_clear_of_limb(const mwds_sensor *s, mwds_vec3 pos)
{
    double k = MWDS_WGS84.a_m / MWDS_WGS84.b_m;
    double rad = MWDS_WGS84.a_m - LIMB_TOLERANCE_M;
    mwds_vec3 sat = s->pos_ecef;
    sat.v[2] *= k;
    mwds_vec3 tgt = pos;
    tgt.v[2] *= k;
    mwds_vec3 d = mwds_v3_sub(tgt, sat);
    double dd = mwds_v3_dot(d, d);
    double t = dd > 0.0 ? -mwds_v3_dot(sat, d) / dd : 0.0;
    if (t < 0.0)
        t = 0.0;
    else if (t > 1.0)
        t = 1.0;
    mwds_vec3 near = mwds_v3_axpy(sat, t, d);
    return mwds_v3_dot(near, near) >= rad * rad; /* false for NaN */
}

int mwds_sensor_visible(const mwds_sensor *s, mwds_vec3 pos_ecef, int burning)
{
    assert(s != NULL);
    if (s->kind == MWDS_SENSOR_RADAR)
        return radar_visible(s, pos_ecef);
    return burning && ir_clear_of_limb(s, pos_ecef);
}

/* ---- measurement function and Jacobian --------------------------------------- */

mwds_err mwds_sensor_measure(const mwds_sensor *s, mwds_vec3 pos, mwds_vec3 vel,
                             mwds_measurement *m)
{
    assert(s != NULL && m != NULL);
    mwds_vec3 d = mwds_v3_sub(pos, s->pos_ecef);
    double z[MWDS_MEAS_MAX_DIM] = {0.0, 0.0, 0.0, 0.0};
    double sig[MWDS_MEAS_MAX_DIM] = {0.0, 0.0, 0.0, 0.0};
    int dim;
    if (s->kind == MWDS_SENSOR_RADAR) {
        mwds_vec3 e = mwds_m3_mul_v3(s->enu, d);
        double horiz = hypot(e.v[0], e.v[1]);
        double range = hypot(horiz, e.v[2]);
        if (!(range > 0.0) || !isfinite(range))
            return MWDS_ENUMERIC;
        z[0] = range;
        z[1] = horiz > 0.0 ? mwds_geo_wrap_2pi(atan2(e.v[0], e.v[1])) : 0.0;
        z[2] = atan2(e.v[2], horiz);
        sig[0] = s->radar.sigma_range_m;
        sig[1] = s->radar.sigma_az_rad;
        sig[2] = s->radar.sigma_el_rad;
        dim = radar_dim(s);
        if (dim == 4) {
            z[3] = mwds_v3_dot(d, vel) / range;
            if (!isfinite(z[3]))
                return MWDS_ENUMERIC;
            sig[3] = s->radar.sigma_rr_m_s;
        }
    } else {
        double rho = hypot(d.v[0], d.v[1]);
        double range = hypot(rho, d.v[2]);
        if (!(range > 0.0) || !isfinite(range))
            return MWDS_ENUMERIC;
        z[0] = mwds_geo_wrap_pi(atan2(d.v[1], d.v[0]));
        z[1] = atan2(d.v[2], rho);
        sig[0] = sig[1] = s->ir.sigma_los_rad;
        dim = 2;
    }
    m->kind = s->kind;
    m->sensor_id = s->id;
    m->dim = dim;
    for (int i = 0; i < MWDS_MEAS_MAX_DIM; i++) {
        m->z[i] = z[i];
        m->sigma[i] = sig[i];
    }
    return MWDS_OK;
}

/* Gradient of atan2(a, hypot(b, c))-type angles is built from these: for the
 * pair (az, el) of a vector e = (x, y, u) with horizontal length rho and
 * length r, where az = atan2(x, y) and el = atan2(u, rho):
 *   d az = (y, -x, 0) / rho^2
 *   d el = (-u x / rho, -u y / rho, rho) / r^2. */
mwds_err mwds_sensor_jacobian(const mwds_sensor *s, mwds_vec3 pos, mwds_vec3 vel, int dim,
                              double *h)
{
    assert(s != NULL && h != NULL);
    mwds_vec3 d = mwds_v3_sub(pos, s->pos_ecef);
    if (s->kind == MWDS_SENSOR_RADAR) {
        if (dim != 3 && dim != 4)
            return MWDS_EINVAL;
        mwds_vec3 e = mwds_m3_mul_v3(s->enu, d);
        double x = e.v[0], y = e.v[1], u = e.v[2];
        double rho2 = x * x + y * y, rho = sqrt(rho2);
        double r2 = rho2 + u * u, r = sqrt(r2);
        if (!(rho > AXIS_TOLERANCE * r) || !isfinite(r) || !isfinite(mwds_v3_dot(vel, vel)))
            return MWDS_ENUMERIC;
        /* Gradients in ENU, then rotated to ECEF: grad_ecef = enu^T grad_enu. */
        mwds_vec3 g_range = mwds_m3t_mul_v3(s->enu, mwds_v3(x / r, y / r, u / r));
        mwds_vec3 g_az = mwds_m3t_mul_v3(s->enu, mwds_v3(y / rho2, -x / rho2, 0.0));
        mwds_vec3 g_el =
            mwds_m3t_mul_v3(s->enu, mwds_v3(-u * x / (rho * r2), -u * y / (rho * r2), rho / r2));
        const mwds_vec3 *rows[3] = {&g_range, &g_az, &g_el};
        for (int i = 0; i < 3; i++)
            for (int j = 0; j < 3; j++) {
                h[i * 6 + j] = rows[i]->v[j];
                h[i * 6 + 3 + j] = 0.0;
            }
        if (dim == 4) {
            /* rr = d.v / r: d rr/d pos = (v - rr * d/r) / r; d rr/d vel = d/r. */
            double rr = mwds_v3_dot(d, vel) / r;
            for (int j = 0; j < 3; j++) {
                double unit = d.v[j] / r;
                h[18 + j] = (vel.v[j] - rr * unit) / r;
                h[21 + j] = unit;
            }
        }
        return MWDS_OK;
    }
    if (dim != 2)
        return MWDS_EINVAL;
    double x = d.v[0], y = d.v[1], z = d.v[2];
    double rho2 = x * x + y * y, rho = sqrt(rho2);
    double r2 = rho2 + z * z;
    if (!(rho > AXIS_TOLERANCE * sqrt(r2)) || !isfinite(r2))
        return MWDS_ENUMERIC;
    /* alpha = atan2(y, x); delta = atan2(z, rho). */
    double g_alpha[3] = {-y / rho2, x / rho2, 0.0};
    double g_delta[3] = {-z * x / (rho * r2), -z * y / (rho * r2), rho / r2};
    for (int j = 0; j < 3; j++) {
        h[j] = g_alpha[j];
        h[6 + j] = g_delta[j];
        h[3 + j] = h[9 + j] = 0.0;
    }
    return MWDS_OK;
}

void mwds_sensor_residual(const mwds_measurement *z, const mwds_measurement *zhat, double *nu)
{
    assert(z != NULL && zhat != NULL && nu != NULL);
    assert(z->kind == zhat->kind && z->dim == zhat->dim);
    assert(z->dim > 0 && z->dim <= MWDS_MEAS_MAX_DIM);
    int wrap = z->kind == MWDS_SENSOR_RADAR ? 1 : 0; /* azimuth, alpha */
    for (int i = 0; i < z->dim; i++) {
        double v = z->z[i] - zhat->z[i];
        nu[i] = i == wrap ? mwds_geo_wrap_pi(v) : v;
    }
}

mwds_err mwds_sensor_invert(const mwds_sensor *s, const mwds_measurement *m, mwds_vec3 *pos)
{
    assert(s != NULL && m != NULL && pos != NULL);
    if (m->kind != s->kind)
        return MWDS_EINVAL;
    if (s->kind == MWDS_SENSOR_RADAR) {
        if (m->dim < 3 || m->dim > 4)
            return MWDS_EINVAL;
        if (!isfinite(m->z[0]) || !isfinite(m->z[1]) || !isfinite(m->z[2]))
            return MWDS_ENUMERIC;
        mwds_aer aer = {m->z[1], m->z[2], m->z[0]};
        *pos = mwds_geo_aer_to_ecef(s->radar.site, aer);
        return MWDS_OK;
    }
    if (m->dim != 2)
        return MWDS_EINVAL;
    double a = m->z[0], dl = m->z[1];
    if (!isfinite(a) || !isfinite(dl))
        return MWDS_ENUMERIC;
    *pos = mwds_v3(cos(dl) * cos(a), cos(dl) * sin(a), sin(dl));
    return MWDS_OK;
}

/* ---- generation -------------------------------------------------------------- */

/* A false alarm's measurement vector, uniform over the coverage (a radar:
 * over the dwell's sector). */
static void draw_false_alarm(const mwds_sensor *s, int dwell, mwds_rng *rng, double *z)
{
    if (s->kind == MWDS_SENSOR_RADAR) {
        const mwds_radar_params *r = &s->radar;
        z[0] = r->range_min_m + (r->range_max_m - r->range_min_m) * mwds_rng_uniform(rng);
        double u = mwds_rng_uniform(rng), az;
        if (!mwds_sensor_dwell_whole(s, dwell)) {
            double lo, w;
            mwds_sensor_dwell_sector(s, dwell, &lo, &w);
            az = lo + w * u;
        } else {
            az = r->az_half_width_rad >= MWDS_PI
                     ? TWO_PI * u
                     : r->boresight_az_rad + r->az_half_width_rad * (2.0 * u - 1.0);
        }
        z[1] = mwds_geo_wrap_2pi(az);
        z[2] = r->el_min_rad + (r->el_max_rad - r->el_min_rad) * mwds_rng_uniform(rng);
        if (radar_dim(s) == 4)
            z[3] = FALSE_ALARM_MAX_RANGE_RATE_M_S * (2.0 * mwds_rng_uniform(rng) - 1.0);
        return;
    }
    /* IR: uniform over the cap of directions, around nadir, that meet the
     * sphere of radius a: cos(theta) uniform on [cos(rho), 1] gives equal
     * solid angle per area. The ellipsoid's disc is slightly flatter; the
     * band between them is a fraction of a percent of the field. */
    mwds_vec3 sat = s->pos_ecef;
    double dist = mwds_v3_norm(sat);
    mwds_vec3 n = mwds_v3_scale(sat, -1.0 / dist);
    double cos_rho = sqrt(1.0 - (MWDS_WGS84.a_m / dist) * (MWDS_WGS84.a_m / dist));
    /* An orthonormal pair across n (n is never parallel to both z and x). */
    mwds_vec3 ref = fabs(n.v[2]) < 0.9 ? mwds_v3(0, 0, 1) : mwds_v3(1, 0, 0);
    mwds_vec3 e1 = mwds_v3_cross(ref, n);
    e1 = mwds_v3_scale(e1, 1.0 / mwds_v3_norm(e1));
    mwds_vec3 e2 = mwds_v3_cross(n, e1);
    double ct = cos_rho + (1.0 - cos_rho) * mwds_rng_uniform(rng);
    double st = sqrt(fmax(0.0, 1.0 - ct * ct));
    double phi = TWO_PI * mwds_rng_uniform(rng);
    mwds_vec3 w = mwds_v3_scale(n, ct);
    w = mwds_v3_axpy(w, st * cos(phi), e1);
    w = mwds_v3_axpy(w, st * sin(phi), e2);
    z[0] = mwds_geo_wrap_pi(atan2(w.v[1], w.v[0]));
    z[1] = atan2(w.v[2], hypot(w.v[0], w.v[1]));
}

/* Every draw is made whether or not there is room to write the result, so
 * the generator's state after a look does not depend on max. */
mwds_err mwds_sensor_look(const mwds_sensor *s, int64_t t_ns, const mwds_vec3 *pos,
                          const mwds_vec3 *vel, const int *burning, const uint32_t *truth_id, int n,
                          mwds_rng *rng, mwds_measurement *out, int max, int *n_out)
{
    return mwds_sensor_look_dwell(s, -1, t_ns, pos, vel, burning, truth_id, n, rng, out, max,
                                  n_out);
}

mwds_err mwds_sensor_look_dwell(const mwds_sensor *s, int dwell, int64_t t_ns,
                                const mwds_vec3 *pos, const mwds_vec3 *vel, const int *burning,
                                const uint32_t *truth_id, int n, mwds_rng *rng,
                                mwds_measurement *out, int max, int *n_out)
{
    if (s == NULL || rng == NULL || n_out == NULL || n < 0 || max < 0 || (max > 0 && out == NULL) ||
        (n > 0 && (pos == NULL || vel == NULL || burning == NULL || truth_id == NULL)) ||
        dwell < -1 || dwell >= mwds_sensor_dwell_count(s))
        return MWDS_EINVAL;
    int count = 0, full = 0;
    for (int i = 0; i < n; i++) {
        if (!mwds_sensor_visible(s, pos[i], burning[i]) || !mwds_sensor_in_dwell(s, dwell, pos[i]))
            continue;
        if (!(mwds_rng_uniform(rng) < s->pd))
            continue;
        mwds_measurement m;
        if (mwds_sensor_measure(s, pos[i], vel[i], &m) != MWDS_OK)
            continue; /* a target on the sensor itself has no line of sight */
        for (int k = 0; k < m.dim; k++)
            m.z[k] += m.sigma[k] * mwds_rng_normal(rng);
        if (s->kind == MWDS_SENSOR_RADAR)
            m.z[1] = mwds_geo_wrap_2pi(m.z[1]);
        else
            m.z[0] = mwds_geo_wrap_pi(m.z[0]);
        m.t_ns = t_ns;
        m.truth_id = truth_id[i];
        m.exercise = 1;
        if (count < max)
            out[count++] = m;
        else
            full = 1;
    }

    double fa_mean = s->false_alarms_per_scan;
    if (!mwds_sensor_dwell_whole(s, dwell))
        fa_mean /= (double)mwds_sensor_dwell_count(s);
    uint32_t n_fa = mwds_rng_poisson(rng, fa_mean);
    for (uint32_t j = 0; j < n_fa; j++) {
        mwds_measurement m = {0};
        m.t_ns = t_ns;
        m.sensor_id = s->id;
        m.kind = s->kind;
        m.truth_id = 0;
        m.exercise = 1;
        if (s->kind == MWDS_SENSOR_RADAR) {
            m.dim = radar_dim(s);
            m.sigma[0] = s->radar.sigma_range_m;
            m.sigma[1] = s->radar.sigma_az_rad;
            m.sigma[2] = s->radar.sigma_el_rad;
            if (m.dim == 4)
                m.sigma[3] = s->radar.sigma_rr_m_s;
        } else {
            m.dim = 2;
            m.sigma[0] = m.sigma[1] = s->ir.sigma_los_rad;
        }
        draw_false_alarm(s, dwell, rng, m.z);
        if (count < max)
            out[count++] = m;
        else
            full = 1;
    }

    *n_out = count;
    return full ? MWDS_EFULL : MWDS_OK;
}
