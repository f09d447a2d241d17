/*
 * Filter accuracy against the posterior Cramer-Rao lower bound; see track.h.
 *
 * The bound. With additive Gaussian measurement noise, detection
 * probability 1 and deterministic dynamics (the truth here has no process
 * noise), Tichavsky, Muravchik and Nehorai's recursion for the information
 * matrix J reduces to
 *     J_k+1 = Phi_k^-T J_k Phi_k^-1 + H_k+1^T R^-1 H_k+1,   J_0 = P_0^-1,
 * with Phi and H the Jacobians evaluated on the true trajectory (the
 * expectation over the truth is trivial: every run flies the same one).
 * Its inverse B = J^-1 therefore obeys exactly the covariance recursion of
 * an extended Kalman filter linearised at the truth, which is how it is
 * computed: a mwds_filter_state put on the true state before each
 * prediction and update, with zero process noise and zero innovation.
 *
 * The runs. Each run draws the initial estimate from N(truth, P_0) with its
 * own random stream (seed, run), draws the measurement noise, and runs the
 * filter with a vanishing process noise (it keeps P numerically positive;
 * the truth has none). The same streams serve every filter, so the EKF and
 * CKF see identical measurements.
 *
 * The converged part of the flight starts when the bound's standard
 * deviation of every component the measurements inform has halved from the
 * prior (see converged_from): before that, errors are the prior's draws,
 * which persist and make the average NEES a statement about 100 initial
 * draws rather than about the filter.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "mwds/stats.h"
#include "track_internal.h"

#define T0_NS (INT64_C(1795000000) * INT64_C(1000000000))

typedef struct acc_setup {
    mwds_sensor radar;
    mwds_force_model fm;      /* truth forces */
    mwds_lla start;
    mwds_vec3 vel_enu;        /* initial velocity, local east-north-up */
    double k_true;            /* 1/beta, m^2/kg */
    double sig0[7];           /* prior standard deviations */
    double dt_s, max_t_s, min_alt_m;
    mwds_filter_params fp;
} acc_setup;

static void radar_init(mwds_sensor *s, double lat_deg, double lon_deg, double revisit_s,
                       double sigma_range_m, double sigma_ang_rad)
{
    memset(s, 0, sizeof *s);
    s->kind = MWDS_SENSOR_RADAR;
    s->revisit_s = revisit_s;
    s->pd = 1.0;
    s->radar.site = (mwds_lla){lat_deg * MWDS_DEG2RAD, lon_deg * MWDS_DEG2RAD, 0.0};
    s->radar.az_half_width_rad = MWDS_PI;
    s->radar.el_min_rad = 0.0;
    s->radar.el_max_rad = 89.5 * MWDS_DEG2RAD;
    s->radar.range_min_m = 1.0;
    s->radar.range_max_m = 5.0e6;
    s->radar.sigma_range_m = sigma_range_m;
    s->radar.sigma_az_rad = sigma_ang_rad;
    s->radar.sigma_el_rad = sigma_ang_rad;
}

static mwds_err setup(mwds_accuracy_case c, acc_setup *a)
{
    memset(a, 0, sizeof *a);
    a->fm.flags = MWDS_FORCE_ALL & ~(unsigned)MWDS_FORCE_THRUST;
    a->fp.flags = a->fm.flags;
    a->fp.q_acc = 1e-9;
    /* a small random walk on 1/beta: without it the re-entry filter's 1/beta
     * variance collapses faster than the linearisation warrants (average
     * NEES ~7.4 of 7 late in the flight); 3e-18 (m^2/kg)^2/s, chosen on seeds
     * 1-6, adds a 1-sigma of 8e-9 m^2/kg over the 20 s that matter, 0.004 %
     * of 1/beta (see docs/tracking.md) */
    a->fp.q_invbeta = 3e-18;
    if (c == MWDS_ACC_MIDCOURSE) {
        /* an ICBM's midcourse over the Sea of Japan, seen by a radar in
         * northern Japan at 1 Hz for ten minutes */
        radar_init(&a->radar, 40.0, 140.0, 1.0, 30.0, 5e-4);
        a->start = (mwds_lla){41.0 * MWDS_DEG2RAD, 134.0 * MWDS_DEG2RAD, 600e3};
        a->vel_enu = mwds_v3(5500, 3000, 1500);
        a->k_true = 1.0 / 8000.0;
        const double s0[7] = {1000, 1000, 1000, 50, 50, 50, 1e-5};
        memcpy(a->sig0, s0, sizeof s0);
        a->dt_s = 1.0;
        a->max_t_s = 600.0;
        a->min_alt_m = 100e3;
    } else if (c == MWDS_ACC_REENTRY) {
        /* a warhead entering at 100 km, 6 km/s, 25 degrees down, ballistic
         * coefficient 5,000 kg/m^2 known to +-50 %, seen at 10 Hz by a
         * terminal radar near its aim point down to 5 km altitude */
        radar_init(&a->radar, 37.5, 131.8, 0.1, 10.0, 1e-3);
        a->start = (mwds_lla){38.0 * MWDS_DEG2RAD, 135.0 * MWDS_DEG2RAD, 100e3};
        double sp = 6000.0, gam = -25.0 * MWDS_DEG2RAD;
        a->vel_enu = mwds_v3(-sp * cos(gam), 0.0, sp * sin(gam));
        a->k_true = 1.0 / 5000.0;
        const double s0[7] = {200, 200, 200, 20, 20, 20, 1e-4};
        memcpy(a->sig0, s0, sizeof s0);
        a->dt_s = 0.1;
        a->max_t_s = 120.0;
        a->min_alt_m = 5e3;
    } else {
        return MWDS_EINVAL;
    }
    a->fm.beta_kg_m2 = 1.0 / a->k_true;
    return mwds_sensor_init(&a->radar);
}

static mwds_err truth_at(const mwds_traj *tr, double t, double k, double *x)
{
    mwds_vec3 p, v;
    mwds_err e = mwds_traj_state(tr, t, &p, &v);
    if (e != MWDS_OK)
        return e;
    for (int i = 0; i < 3; i++) {
        x[i] = p.v[i];
        x[3 + i] = v.v[i];
    }
    x[6] = k;
    return MWDS_OK;
}

/* Measurement times: every dt while the truth is above min_alt and visible. */
static int measurement_times(const acc_setup *a, const mwds_traj *tr, double *t_out, int max)
{
    int n = 0;
    for (int k = 1; n < max; k++) {
        double t = k * a->dt_s, x[7];
        if (t > a->max_t_s || t > tr->sum.flight_time_s || truth_at(tr, t, 0, x) != MWDS_OK)
            break;
        mwds_lla lla;
        mwds_vec3 p = mwds_v3(x[0], x[1], x[2]);
        if (mwds_geo_ecef_to_lla(p, &lla) != MWDS_OK || lla.h_m < a->min_alt_m)
            break;
        if (mwds_sensor_visible(&a->radar, p, 0))
            t_out[n++] = t;
    }
    return n;
}

static double quad_form(const mwds_mat9 *p, const double *e, int n)
{
    mwds_mat9 l;
    if (mwds_linalg_chol(&p->m[0][0], &l.m[0][0], n, MWDS__LD) != MWDS_OK)
        return INFINITY;
    double y[MWDS__LD], q = 0.0;
    mwds_linalg_chol_solve(&l.m[0][0], e, y, n, MWDS__LD);
    for (int i = 0; i < n; i++)
        q += e[i] * y[i];
    return q;
}

/* The first measurement time from which the bound's standard deviation of
 * every component the measurements inform has fallen to half its prior
 * value: from there on the estimate rests on the measurements, not on the
 * prior. A component is informed if its bound at the end is under half the
 * prior (in midcourse 1/beta is not: there is no air). */
static int converged_from(const double *b_diag, int steps, const double *sig0)
{
    int k0 = 0;
    for (int i = 0; i < 7; i++) {
        double half = 0.25 * sig0[i] * sig0[i];
        if (!(b_diag[7 * (steps - 1) + i] < half))
            continue;
        int k = steps - 1;
        while (k > 0 && b_diag[7 * (k - 1) + i] < half)
            k--;
        if (k > k0)
            k0 = k;
    }
    return k0 < steps - 1 ? k0 : steps - 1;
}

mwds_err mwds_accuracy_run(mwds_accuracy_case c, mwds_filter_kind kind, int runs, uint64_t seed,
                           mwds_accuracy_result *out)
{
    if (runs < 2 || out == NULL)
        return MWDS_EINVAL;
    acc_setup a;
    mwds_err e = setup(c, &a);
    if (e != MWDS_OK)
        return e;
    mwds_traj tr;
    memset(&tr, 0, sizeof tr);
    mwds_mat3 enu = mwds_geo_enu_rotation(a.start.lat_rad, a.start.lon_rad);
    /* truth tighter than the flight model's default (1e-10): at 10 Hz in
     * re-entry the filters' velocity errors are a few tenths of a m/s, and
     * interpolation error in the truth would show as inconsistency */
    mwds_integ_opts io = {1e-12, 0, 0, 1, 0};
    e = mwds_ballistic_fly(&a.fm, mwds_geo_lla_to_ecef(a.start), mwds_m3t_mul_v3(enu, a.vel_enu),
                           0, &io, &tr);
    if (e != MWDS_OK)
        return e;
    const int max_steps = (int)(a.max_t_s / a.dt_s) + 1;
    double *t = calloc((size_t)max_steps, sizeof *t);
    double *se_pos = calloc((size_t)max_steps, sizeof *se_pos);
    double *se_vel = calloc((size_t)max_steps, sizeof *se_vel);
    double *nees = calloc((size_t)max_steps, sizeof *nees);
    double *nis = calloc((size_t)max_steps, sizeof *nis);
    double *b_pos = calloc((size_t)max_steps, sizeof *b_pos);
    double *b_vel = calloc((size_t)max_steps, sizeof *b_vel);
    double *b_diag = calloc(7 * (size_t)max_steps, sizeof *b_diag);
    double *run_acc = calloc(4 * (size_t)max_steps, sizeof *run_acc); /* one run's sums */
    if (!t || !se_pos || !se_vel || !nees || !nis || !b_pos || !b_vel || !run_acc || !b_diag) {
        e = MWDS_ENOMEM;
        goto done;
    }
    const int steps = measurement_times(&a, &tr, t, max_steps);
    if (steps < 8) {
        e = MWDS_ERANGE;
        goto done;
    }
    double x[7], p0[49] = {0};
    for (int i = 0; i < 7; i++)
        p0[i * 8] = a.sig0[i] * a.sig0[i];

    /* the bound: an EKF covariance recursion linearised on the truth */
    mwds_filter_params none = a.fp;
    none.q_acc = none.q_invbeta = 0.0;
    mwds_filter_state b;
    if ((e = truth_at(&tr, 0.0, a.k_true, x)) != MWDS_OK ||
        (e = mwds_filter_init(&b, MWDS_MODEL_BALLISTIC, T0_NS, x, p0)) != MWDS_OK)
        goto done;
    for (int k = 0; k < steps; k++) {
        int64_t tk = T0_NS + mwds_time_from_s(t[k]);
        if ((e = mwds_ekf_predict(&none, &b, tk)) != MWDS_OK ||
            (e = truth_at(&tr, t[k], a.k_true, b.x.v)) != MWDS_OK)
            goto done;
        mwds_measurement z;
        if ((e = mwds_sensor_measure(&a.radar, mwds_v3(b.x.v[0], b.x.v[1], b.x.v[2]),
                                     mwds_v3(b.x.v[3], b.x.v[4], b.x.v[5]), &z)) != MWDS_OK ||
            (e = mwds_ekf_update(&b, &a.radar, &z, NULL)) != MWDS_OK ||
            (e = truth_at(&tr, t[k], a.k_true, b.x.v)) != MWDS_OK)
            goto done;
        b_pos[k] = b.p.m[0][0] + b.p.m[1][1] + b.p.m[2][2];
        b_vel[k] = b.p.m[3][3] + b.p.m[4][4] + b.p.m[5][5];
        for (int i = 0; i < 7; i++)
            b_diag[7 * k + i] = b.p.m[i][i];
    }

    int failed = 0, nis_dim = 3;
    for (int run = 0; run < runs; run++) {
        mwds_rng rng;
        mwds_rng_seed(&rng, seed, (uint64_t)run);
        if ((e = truth_at(&tr, 0.0, a.k_true, x)) != MWDS_OK)
            goto done;
        for (int i = 0; i < 7; i++)
            x[i] += a.sig0[i] * mwds_rng_normal(&rng);
        mwds_filter_state s;
        if ((e = mwds_filter_init(&s, MWDS_MODEL_BALLISTIC, T0_NS, x, p0)) != MWDS_OK)
            goto done;
        int k = 0;
        for (; k < steps; k++) {
            double want[7], err[7], q = 0.0;
            mwds_measurement z;
            if ((e = truth_at(&tr, t[k], a.k_true, want)) != MWDS_OK ||
                (e = mwds_sensor_measure(&a.radar, mwds_v3(want[0], want[1], want[2]),
                                         mwds_v3(want[3], want[4], want[5]), &z)) != MWDS_OK)
                goto done;
            for (int i = 0; i < z.dim; i++)
                z.z[i] += z.sigma[i] * mwds_rng_normal(&rng);
            z.z[1] = mwds_geo_wrap_2pi(z.z[1]);
            if (mwds_filter_predict(kind, &a.fp, &s, T0_NS + mwds_time_from_s(t[k])) != MWDS_OK ||
                mwds_filter_update(kind, &s, &a.radar, &z, &q) != MWDS_OK) {
                failed++;
                break;
            }
            for (int i = 0; i < 7; i++)
                err[i] = s.x.v[i] - want[i];
            double *ra = run_acc + 4 * k;
            ra[0] = err[0] * err[0] + err[1] * err[1] + err[2] * err[2];
            ra[1] = err[3] * err[3] + err[4] * err[4] + err[5] * err[5];
            ra[2] = quad_form(&s.p, err, 7);
            ra[3] = q;
            nis_dim = z.dim;
        }
        if (k < steps)
            continue; /* a failed run counts as failed, not in the statistics */
        for (k = 0; k < steps; k++) {
            se_pos[k] += run_acc[4 * k];
            se_vel[k] += run_acc[4 * k + 1];
            nees[k] += run_acc[4 * k + 2];
            nis[k] += run_acc[4 * k + 3];
        }
    }

    /* over the converged part */
    memset(out, 0, sizeof *out);
    const int k0 = converged_from(b_diag, steps, a.sig0), good = runs - failed;
    if (good < 2) {
        e = MWDS_ENUMERIC;
        goto done;
    }
    out->runs = runs;
    out->failed_runs = failed;
    out->steps = steps - k0;
    out->t_from_s = t[k0];
    out->t_to_s = t[steps - 1];
    out->dof_nees = 7;
    out->nees_lo = mwds_chi2_quantile(0.025, 7.0 * good) / good;
    out->nees_hi = mwds_chi2_quantile(0.975, 7.0 * good) / good;
    const double nis_lo = mwds_chi2_quantile(0.025, (double)nis_dim * good) / good;
    const double nis_hi = mwds_chi2_quantile(0.975, (double)nis_dim * good) / good;
    double sp = 0, sv = 0, bp = 0, bv = 0, nees_sum = 0, nis_sum = 0;
    int nees_in = 0, nis_in = 0;
    for (int k = k0; k < steps; k++) {
        double ne = nees[k] / good, ni = nis[k] / good;
        sp += se_pos[k] / good;
        sv += se_vel[k] / good;
        bp += b_pos[k];
        bv += b_vel[k];
        nees_sum += ne;
        nis_sum += ni;
        nees_in += ne >= out->nees_lo && ne <= out->nees_hi;
        nis_in += ni >= nis_lo && ni <= nis_hi;
        double r = sqrt(se_pos[k] / good / b_pos[k]);
        if (r > out->max_step_ratio)
            out->max_step_ratio = r;
    }
    const double m = steps - k0;
    out->rmse_pos_m = sqrt(sp / m);
    out->rmse_vel_m_s = sqrt(sv / m);
    out->pcrlb_pos_m = sqrt(bp / m);
    out->pcrlb_vel_m_s = sqrt(bv / m);
    out->rmse_pcrlb_ratio = out->rmse_pos_m / out->pcrlb_pos_m;
    out->nees_mean = nees_sum / m;
    out->nis_mean = nis_sum / m;
    out->nees_in_bounds = nees_in / m;
    out->nis_in_bounds = nis_in / m;
    e = MWDS_OK;
done:
    free(run_acc);
    free(b_diag);
    free(t);
    free(se_pos);
    free(se_vel);
    free(nees);
    free(nis);
    free(b_pos);
    free(b_vel);
    mwds_traj_fini(&tr);
    return e;
}
