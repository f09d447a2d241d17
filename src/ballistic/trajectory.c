/*
 * Flying a force model: the integration loop, event location (apogee, impact)
 * and the recorded trajectory with quintic Hermite interpolation.
 *
 * Events are located inside the accepted step in which their function changes
 * sign, by regula falsi (Illinois) on fixed sub-steps taken from the start of
 * that step, so the event state has the integrator's full accuracy:
 *   apogee: dh/dt = v . up(geodetic) from + to -,
 *   impact: h (above the ellipsoid) from + to <= 0 while descending.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "ballistic_internal.h"

#define DEFAULT_RTOL 1e-10
#define DEFAULT_ATOL 1e-4
#define DEFAULT_MAX_TIME_S 10000.0
#define EVENT_TOL_S 1e-7

static mwds_err rhs(void *ctx, double phase_t, double t, const double *y, double *dydt)
{
    const mwds_force_model *fm = ctx;
    mwds_vec3 pos = mwds_v3(y[0], y[1], y[2]);
    mwds_vec3 vel = mwds_v3(y[3], y[4], y[5]);
    mwds_vec3 acc;
    mwds_err e = mwds__ballistic_accel_phase(fm, phase_t, t, pos, vel, &acc);
    if (e != MWDS_OK)
        return e;
    memcpy(dydt, vel.v, sizeof vel.v);
    memcpy(dydt + 3, acc.v, sizeof acc.v);
    return MWDS_OK;
}

typedef enum { EV_APOGEE, EV_IMPACT } event_kind;

static mwds_err event_value(event_kind kind, const double *y, double *g)
{
    mwds_lla lla;
    mwds_err e = mwds_geo_ecef_to_lla(mwds_v3(y[0], y[1], y[2]), &lla);
    if (e != MWDS_OK)
        return e;
    if (kind == EV_IMPACT) {
        *g = lla.h_m;
    } else {
        mwds_vec3 up = mwds_geo_up(lla.lat_rad, lla.lon_rad);
        *g = mwds_v3_dot(up, mwds_v3(y[3], y[4], y[5]));
    }
    return MWDS_OK;
}

/* Locates the zero of an event function inside the last accepted step, given
 * g0 > 0 at its start and g1 <= 0 at its end. Writes the event's offset from
 * the step start and its state. */
static mwds_err locate(const mwds__dp45 *s, event_kind kind, double g0, double g1,
                       double *tau_out, double *y_out)
{
    mwds__bracket br = mwds__bracket_make(0.0, g0, s->t - s->t_prev, g1, 1);
    double y[MWDS_DP_N];
    double tau = br.b;
    memcpy(y, s->y, sizeof y);
    for (int it = 0; it < 100 && mwds__bracket_width(&br) > EVENT_TOL_S; it++) {
        tau = mwds__bracket_next(&br);
        double g;
        mwds_err e = mwds__dp45_substep(s, tau, y);
        if (e == MWDS_OK)
            e = event_value(kind, y, &g);
        if (e != MWDS_OK)
            return e;
        mwds__bracket_update(&br, tau, g, 1);
    }
    /* report the side at or past the crossing, so an impact has h <= 0 */
    if (tau != br.b) {
        mwds_err e = mwds__dp45_substep(s, br.b, y);
        if (e != MWDS_OK)
            return e;
        tau = br.b;
    }
    *tau_out = tau;
    memcpy(y_out, y, sizeof y);
    return MWDS_OK;
}

static mwds_err push(mwds_traj *tr, double t, const double *y, const double *f)
{
    if (tr->n == tr->cap) {
        size_t cap = tr->cap ? 2 * tr->cap : 256;
        mwds_traj_point *p = realloc(tr->pts, cap * sizeof *p);
        if (p == NULL)
            return MWDS_ENOMEM;
        tr->pts = p;
        tr->cap = cap;
    }
    mwds_traj_point *pt = &tr->pts[tr->n++];
    pt->t_s = t;
    memcpy(pt->pos.v, y, 3 * sizeof(double));
    memcpy(pt->vel.v, y + 3, 3 * sizeof(double));
    memcpy(pt->acc.v, f + 3, 3 * sizeof(double));
    return MWDS_OK;
}

static double speed_of(const double *y)
{
    return sqrt(y[3] * y[3] + y[4] * y[4] + y[5] * y[5]);
}

void mwds_traj_fini(mwds_traj *traj)
{
    free(traj->pts);
    traj->pts = NULL;
    traj->n = traj->cap = 0;
}

mwds_err mwds_ballistic_fly(const mwds_force_model *fm, mwds_vec3 pos0, mwds_vec3 vel0,
                            int64_t launch_t_ns, const mwds_integ_opts *opts, mwds_traj *out)
{
    mwds_integ_opts o = {DEFAULT_RTOL, DEFAULT_ATOL, DEFAULT_MAX_TIME_S, 1, 0.0};
    if (opts != NULL) {
        o = *opts;
        if (o.rtol <= 0.0)
            o.rtol = DEFAULT_RTOL;
        if (o.atol <= 0.0)
            o.atol = DEFAULT_ATOL;
        if (o.max_time_s <= 0.0)
            o.max_time_s = DEFAULT_MAX_TIME_S;
    }
    double t_limit = o.stop_t_s > 0.0 ? o.stop_t_s : o.max_time_s;
    mwds_traj tr;
    memset(&tr, 0, sizeof tr);
    tr.launch_t_ns = launch_t_ns;
    tr.fm = *fm;

    double sw[4 + 2 * MWDS_MAX_STAGES];
    int n_sw = mwds_ballistic_switch_times(fm, sw, (int)(sizeof sw / sizeof sw[0]));
    double powered_end = n_sw > 0 ? sw[n_sw - 1] : 0.0;
    int i_sw = 0;

    double y0[MWDS_DP_N] = {pos0.v[0], pos0.v[1], pos0.v[2], vel0.v[0], vel0.v[1], vel0.v[2]};
    mwds__dp45 s;
    mwds__dp45_init(&s, rhs, &tr.fm, 0.0, y0, 0.5, o.rtol, o.atol);
    mwds_err err = MWDS_OK;
    double g_ap = 0.0, g_imp = 0.0;
    if ((err = event_value(EV_APOGEE, s.y, &g_ap)) != MWDS_OK ||
        (err = event_value(EV_IMPACT, s.y, &g_imp)) != MWDS_OK)
        return err;

    mwds_traj_summary *sum = &tr.sum;
    if ((err = mwds_geo_ecef_to_lla(pos0, &sum->launch)) != MWDS_OK)
        return err;
    sum->apogee_m = g_imp;
    sum->max_speed_m_s = speed_of(s.y);
    if (n_sw == 0) {
        sum->burnout_t_s = 0.0;
        sum->burnout_h_m = g_imp;
        sum->burnout_speed_m_s = speed_of(s.y);
    }

    if (o.record) {
        /* f at t = 0 in the first phase, for the first point's acceleration */
        double f0[MWDS_DP_N];
        if ((err = rhs(&tr.fm, 0.0, 0.0, s.y, f0)) != MWDS_OK ||
            (err = push(&tr, 0.0, s.y, f0)) != MWDS_OK)
            goto fail;
    }

    int impacted = 0;
    double t_last = 0.0, y_last[MWDS_DP_N];
    memcpy(y_last, s.y, sizeof y_last);
    while (!impacted) {
        if (s.t >= t_limit) {
            if (o.stop_t_s > 0.0)
                break;
            err = MWDS_ENOCONV;
            goto fail;
        }
        double t_stop = i_sw < n_sw && sw[i_sw] < t_limit ? sw[i_sw] : t_limit;
        if ((err = mwds__dp45_step(&s, t_stop)) != MWDS_OK)
            goto fail;
        int at_switch = i_sw < n_sw && s.t == sw[i_sw];

        double ap1, imp1;
        if ((err = event_value(EV_APOGEE, s.y, &ap1)) != MWDS_OK ||
            (err = event_value(EV_IMPACT, s.y, &imp1)) != MWDS_OK)
            goto fail;

        if (g_ap > 0.0 && ap1 <= 0.0) {
            double tau, ye[MWDS_DP_N], h;
            if ((err = locate(&s, EV_APOGEE, g_ap, ap1, &tau, ye)) != MWDS_OK ||
                (err = event_value(EV_IMPACT, ye, &h)) != MWDS_OK)
                goto fail;
            if (h > sum->apogee_m) {
                sum->apogee_m = h;
                sum->apogee_t_s = s.t_prev + tau;
            }
        }
        /* impact: crossing h = 0 downwards after lift-off */
        double yend[MWDS_DP_N];
        double t_end = s.t;
        memcpy(yend, s.y, sizeof yend);
        double f_end[MWDS_DP_N];
        memcpy(f_end, s.f, sizeof f_end);
        if (g_imp > 0.0 && imp1 <= 0.0) {
            double tau;
            if ((err = locate(&s, EV_IMPACT, g_imp, imp1, &tau, yend)) != MWDS_OK)
                goto fail;
            t_end = s.t_prev + tau;
            if ((err = rhs(&tr.fm, 0.5 * (s.t_prev + s.t), t_end, yend, f_end)) != MWDS_OK)
                goto fail;
            impacted = 1;
        }
        double v1 = speed_of(yend);
        if (v1 > sum->max_speed_m_s)
            sum->max_speed_m_s = v1;
        if (imp1 > sum->apogee_m && !impacted) {
            sum->apogee_m = imp1; /* rising at the end of the step */
            sum->apogee_t_s = s.t;
        }
        if (o.record && (err = push(&tr, t_end, yend, f_end)) != MWDS_OK)
            goto fail;
        t_last = t_end;
        memcpy(y_last, yend, sizeof y_last);

        if (at_switch) {
            if (sw[i_sw] == powered_end) {
                sum->burnout_t_s = s.t;
                sum->burnout_h_m = imp1;
                sum->burnout_speed_m_s = speed_of(s.y);
            }
            i_sw++;
            if (o.record && !impacted) {
                /* the same instant again with the next phase's acceleration */
                double f_next[MWDS_DP_N];
                double tp = i_sw < n_sw ? 0.5 * (s.t + sw[i_sw]) : s.t + 1e-6;
                if ((err = rhs(&tr.fm, tp, s.t, s.y, f_next)) != MWDS_OK ||
                    (err = push(&tr, s.t, s.y, f_next)) != MWDS_OK)
                    goto fail;
            }
        }
        if (impacted && i_sw < n_sw) {
            /* came down while still under power: powered flight ends here */
            sum->burnout_t_s = t_end;
            sum->burnout_h_m = 0.0;
            sum->burnout_speed_m_s = v1;
        }
        g_ap = ap1;
        g_imp = imp1;
    }

    sum->impacted = impacted;
    sum->flight_time_s = t_last;
    sum->impact_speed_m_s = speed_of(y_last);
    if ((err = mwds_geo_ecef_to_lla(mwds_v3(y_last[0], y_last[1], y_last[2]), &sum->impact)) !=
            MWDS_OK ||
        (err = mwds_geo_inverse(sum->launch, sum->impact, &sum->range_m, NULL, NULL)) != MWDS_OK)
        goto fail;
    err = MWDS_OK;
    *out = tr;
    return err;
fail:
    mwds_traj_fini(&tr);
    return err;
}

mwds_err mwds_traj_state(const mwds_traj *traj, double t_s, mwds_vec3 *pos, mwds_vec3 *vel)
{
    if (traj->n == 0 || !(t_s >= traj->pts[0].t_s) || t_s > traj->pts[traj->n - 1].t_s)
        return MWDS_ERANGE;
    /* last interval [lo, lo+1] with pts[lo].t_s <= t_s and positive length */
    size_t lo = 0, hi = traj->n - 1;
    while (hi - lo > 1) {
        size_t mid = lo + (hi - lo) / 2;
        if (traj->pts[mid].t_s <= t_s)
            lo = mid;
        else
            hi = mid;
    }
    while (lo + 1 < traj->n && traj->pts[lo + 1].t_s == traj->pts[lo].t_s)
        lo++;
    if (lo + 1 >= traj->n) {
        *pos = traj->pts[traj->n - 1].pos;
        *vel = traj->pts[traj->n - 1].vel;
        return MWDS_OK;
    }
    const mwds_traj_point *p0 = &traj->pts[lo], *p1 = &traj->pts[lo + 1];
    double h = p1->t_s - p0->t_s;
    double s = (t_s - p0->t_s) / h;
    double s2 = s * s, s3 = s2 * s, s4 = s3 * s, s5 = s4 * s;
    /* quintic Hermite basis on [0, 1] (value, slope, curvature at both ends) */
    double h00 = 1 - 10 * s3 + 15 * s4 - 6 * s5, h01 = 10 * s3 - 15 * s4 + 6 * s5;
    double h10 = s - 6 * s3 + 8 * s4 - 3 * s5, h11 = -4 * s3 + 7 * s4 - 3 * s5;
    double h20 = 0.5 * (s2 - 3 * s3 + 3 * s4 - s5), h21 = 0.5 * (s3 - 2 * s4 + s5);
    /* derivatives with respect to s */
    double d00 = -30 * s2 + 60 * s3 - 30 * s4, d01 = -d00;
    double d10 = 1 - 18 * s2 + 32 * s3 - 15 * s4, d11 = -12 * s2 + 28 * s3 - 15 * s4;
    double d20 = 0.5 * (2 * s - 9 * s2 + 12 * s3 - 5 * s4), d21 = 0.5 * (3 * s2 - 8 * s3 + 5 * s4);
    for (int i = 0; i < 3; i++) {
        pos->v[i] = h00 * p0->pos.v[i] + h01 * p1->pos.v[i] +
                    h * (h10 * p0->vel.v[i] + h11 * p1->vel.v[i]) +
                    h * h * (h20 * p0->acc.v[i] + h21 * p1->acc.v[i]);
        vel->v[i] = (d00 * p0->pos.v[i] + d01 * p1->pos.v[i]) / h + d10 * p0->vel.v[i] +
                    d11 * p1->vel.v[i] + h * (d20 * p0->acc.v[i] + d21 * p1->acc.v[i]);
    }
    return MWDS_OK;
}
