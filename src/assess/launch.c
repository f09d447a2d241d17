/*
 * Launch point and time by boost templates; see assess.h.
 *
 * A track seldom starts on the pad: radars see a missile once it clears
 * their horizon, tens of kilometres up and tens of kilometres downrange. The
 * part of the flight before that is supplied by templates: each catalogue
 * class flown at a range of pitch-over kicks (the flight model's own powered
 * flight), sampled each second as height, speed, flight-path angle and
 * ground distance from the pad.
 *
 * Matching. A boost-model state is matched where each template passes its
 * height; a ballistic state is first flown backwards (free flight, no drag:
 * states low in the air are not used) and matched where it crosses, on the
 * way up, the height of a template sample taken as its burnout: the full
 * burn's end, or any earlier sample from half its height (a missile cut off
 * early to fly short, lofted or depressed). A template's
 * miss in speed and flight-path angle, over the state's own uncertainty in
 * them plus a template allowance (3 % of speed, 1.5 degrees), gives a
 * chi-square weight. Each template puts the pad at the matched point's
 * ground position moved back along the flight's heading by the template's
 * ground distance; the launch time is the match's time less the template's.
 *
 * Uncertainty. The estimate is the weighted mean of the templates' pads;
 * its covariance is the weighted spread of the pads plus the state's
 * horizontal position covariance plus a template allowance: along the
 * heading 2 % of the ground distance plus 1 km; across it the heading's
 * own uncertainty times the distance, plus 1 % of the distance and 1 km (the
 * ground track of a real flight curves away from the geodesic of its
 * current heading: Earth rotation, and launch azimuths other than the
 * templates'). These allowances are what the calibration runs
 * check (docs/assessment.md).
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "mwds/assess.h"
#include "mwds/stats.h"

#define KICKS 32
#define BACK_STEP_S 4.0
#define MAX_BACK_S 1800.0
#define MIN_BACK_ALT_M 50e3

typedef struct tsample {
    double t, h, v, gam, s;
} tsample;

typedef struct template_ {
    const mwds_missile_class *cls;
    double kick_rad;
    tsample *s;     /* powered flight, one per second, and the burnout */
    int n;
} template_;

struct mwds_launch_templates {
    template_ *t;
    int n;
};

static const double KICK_DEG[KICKS] = {0.3, 0.45, 0.6, 0.8, 1,   1.25, 1.5, 1.75, 2,  2.5,  3,
                                        3.5, 4,    4.5, 5,   5.5, 6,    7,   8,    9,  10,   11,
                                        12,  13.5, 15,  17,  20,  22.5, 25,  27.5, 30, 35};

void mwds_launch_templates_destroy(mwds_launch_templates *lt)
{
    if (lt == NULL)
        return;
    for (int i = 0; i < lt->n; i++)
        free(lt->t[i].s);
    free(lt->t);
    free(lt);
}

/* Height, speed, flight-path angle and heading of an ECEF state. */
static mwds_err kinematics(mwds_vec3 p, mwds_vec3 v, mwds_lla *lla, double *speed, double *gam,
                           double *az)
{
    mwds_err e = mwds_geo_ecef_to_lla(p, lla);
    if (e != MWDS_OK)
        return e;
    mwds_mat3 enu = mwds_geo_enu_rotation(lla->lat_rad, lla->lon_rad);
    mwds_vec3 ve = mwds_m3_mul_v3(enu, v);
    *speed = mwds_v3_norm(v);
    if (!(*speed > 0.0))
        return MWDS_ENUMERIC;
    *gam = asin(fmax(-1.0, fmin(1.0, ve.v[2] / *speed)));
    if (az != NULL)
        *az = atan2(ve.v[0], ve.v[1]);
    return MWDS_OK;
}

mwds_err mwds_launch_templates_create(mwds_launch_templates **out)
{
    size_t nc;
    const mwds_missile_class *cat = mwds_catalogue(&nc);
    mwds_launch_templates *lt = calloc(1, sizeof *lt);
    if (lt == NULL)
        return MWDS_ENOMEM;
    lt->t = calloc(nc * KICKS, sizeof *lt->t);
    if (lt->t == NULL) {
        free(lt);
        return MWDS_ENOMEM;
    }
    const mwds_lla pad = {40.0 * MWDS_DEG2RAD, 127.0 * MWDS_DEG2RAD, 0.0};
    for (size_t c = 0; c < nc; c++)
        for (int k = 0; k < KICKS; k++) {
            mwds_force_model fm;
            memset(&fm, 0, sizeof fm);
            fm.flags = MWDS_FORCE_ALL;
            fm.cls = &cat[c];
            fm.launch = pad;
            fm.plan.azimuth_rad = 90.0 * MWDS_DEG2RAD;
            fm.plan.kick_rad = KICK_DEG[k] * MWDS_DEG2RAD;
            fm.plan.cutoff_s = 1e9;
            mwds_traj tr;
            memset(&tr, 0, sizeof tr);
            mwds_integ_opts o = {0, 0, 0, 1, 0};
            mwds_err e = mwds_ballistic_fly(&fm, mwds_geo_lla_to_ecef(pad), mwds_v3(0, 0, 0), 0,
                                            &o, &tr);
            if (e != MWDS_OK) {
                mwds_traj_fini(&tr);
                continue; /* a kick that does not fly (falls back) is no template */
            }
            double tb = tr.sum.burnout_t_s;
            int ns = (int)floor(tb) + 2;
            template_ *t = &lt->t[lt->n];
            t->s = calloc((size_t)ns, sizeof *t->s);
            if (t->s == NULL) {
                mwds_traj_fini(&tr);
                mwds_launch_templates_destroy(lt);
                return MWDS_ENOMEM;
            }
            t->cls = &cat[c];
            t->kick_rad = fm.plan.kick_rad;
            for (int i = 0; i < ns; i++) {
                double ts = i < ns - 1 ? (double)i + 1.0 : tb;
                if (ts > tb)
                    ts = tb;
                mwds_vec3 p, v;
                mwds_lla lla;
                double sp, gam;
                if (mwds_traj_state(&tr, ts, &p, &v) != MWDS_OK ||
                    kinematics(p, v, &lla, &sp, &gam, NULL) != MWDS_OK)
                    break;
                double s = 0.0;
                mwds_geo_inverse(pad, lla, &s, NULL, NULL);
                t->s[t->n++] = (tsample){ts, lla.h_m, sp, gam, s};
            }
            mwds_traj_fini(&tr);
            if (t->n >= 2)
                lt->n++;
            else
                free(t->s);
        }
    *out = lt;
    return MWDS_OK;
}

typedef struct candidate {
    double w;               /* chi-square weight */
    mwds_lla pad;
    double t_launch_s;      /* relative to the state's time */
    double s_m;             /* template ground distance */
    double tt_s;            /* template time since launch at the match */
} candidate;

/* The template sample interpolated at height h on the powered ascent
 * (heights increase through boost); 0 if the template never reaches h. */
static int at_height(const template_ *t, double h, tsample *out)
{
    for (int i = 0; i + 1 < t->n; i++) {
        const tsample *a = &t->s[i], *b = &t->s[i + 1];
        if ((a->h <= h && b->h >= h) && b->h > a->h) {
            double u = (h - a->h) / (b->h - a->h);
            out->t = a->t + u * (b->t - a->t);
            out->h = h;
            out->v = a->v + u * (b->v - a->v);
            out->gam = a->gam + u * (b->gam - a->gam);
            out->s = a->s + u * (b->s - a->s);
            return 1;
        }
    }
    return 0;
}

/* Speed and flight-path angle variances of a state, from its covariance
 * (first order). */
static void kin_var(const mwds_filter_state *f, const mwds_lla *lla, double *var_v,
                    double *var_g)
{
    mwds_vec3 v = mwds_v3(f->x.v[3], f->x.v[4], f->x.v[5]);
    double sp = mwds_v3_norm(v);
    mwds_vec3 up = mwds_geo_up(lla->lat_rad, lla->lon_rad);
    double vu = mwds_v3_dot(v, up);
    /* d|v|/dv = v/|v|; d(asin(vu/|v|))/dv = (up - (vu/|v|^2) v) / (|v| cos g) */
    double cg = sqrt(fmax(1e-6, 1.0 - (vu / sp) * (vu / sp)));
    double gv[3], gg[3];
    for (int i = 0; i < 3; i++) {
        gv[i] = v.v[i] / sp;
        gg[i] = (up.v[i] - vu / (sp * sp) * v.v[i]) / (sp * cg);
    }
    *var_v = *var_g = 0.0;
    for (int i = 0; i < 3; i++)
        for (int j = 0; j < 3; j++) {
            *var_v += gv[i] * f->p.m[3 + i][3 + j] * gv[j];
            *var_g += gg[i] * f->p.m[3 + i][3 + j] * gg[j];
        }
}

/* Scores one template sample against a matched state and adds the pad it
 * implies. */
static void consider(const tsample *ts, double sp, double gam, double az, double var_v,
                     double var_g, mwds_lla ground, double t_rel, candidate *c, int *nc, int max)
{
    double sv2 = var_v + 0.03 * 0.03 * ts->v * ts->v;
    double sg2 = var_g + (1.5 * MWDS_DEG2RAD) * (1.5 * MWDS_DEG2RAD);
    double chi = (sp - ts->v) * (sp - ts->v) / sv2 + (gam - ts->gam) * (gam - ts->gam) / sg2;
    if (chi > 30.0 || *nc >= max)
        return;
    mwds_lla pad;
    ground.h_m = 0.0;
    if (mwds_geo_direct(ground, az + MWDS_PI, ts->s, &pad) != MWDS_OK)
        return;
    c[*nc] = (candidate){exp(-0.5 * chi), pad, t_rel - ts->t, ts->s, ts->t};
    (*nc)++;
}

mwds_err mwds_assess_launch(const mwds_launch_templates *lt, const mwds_filter_state *s,
                            mwds_ellipse *launch, int64_t *t_ns, double *t_sigma_s)
{
    enum { MAXC = 2048 };
    candidate c[MAXC];
    int nc = 0;
    mwds_vec3 p = mwds_v3(s->x.v[0], s->x.v[1], s->x.v[2]);
    mwds_vec3 v = mwds_v3(s->x.v[3], s->x.v[4], s->x.v[5]);
    mwds_lla lla;
    double sp, gam, az, var_v, var_g;
    mwds_err e = kinematics(p, v, &lla, &sp, &gam, &az);
    if (e != MWDS_OK)
        return e;
    kin_var(s, &lla, &var_v, &var_g);
    double var_az = var_g; /* same order: the velocity's direction */
    if (s->model == MWDS_MODEL_BOOST) {
        for (int i = 0; i < lt->n; i++) {
            tsample ts;
            if (at_height(&lt->t[i], lla.h_m, &ts))
                consider(&ts, sp, gam, az, var_v, var_g, lla, 0.0, c, &nc, MAXC);
        }
    } else {
        if (lla.h_m < MIN_BACK_ALT_M)
            return MWDS_EUNREACH;
        /* fly back without drag, keeping the states each step */
        enum { MAXB = (int)(MAX_BACK_S / BACK_STEP_S) + 2 };
        static const mwds_filter_params fp = {MWDS_FORCE_GRAVITY | MWDS_FORCE_J2 |
                                                  MWDS_FORCE_ROTATION,
                                              0.0, 0.0, 0.0, 0.0};
        mwds_filter_state b = *s;
        double hist_h[MAXB], hist_t[MAXB];
        mwds_vec3 hist_p[MAXB], hist_v[MAXB];
        int nb = 0;
        hist_h[nb] = lla.h_m;
        hist_t[nb] = 0.0;
        hist_p[nb] = p;
        hist_v[nb] = v;
        nb++;
        /* low enough for the lowest cutoff considered: half the lowest
         * full burnout */
        double lowest_bo = INFINITY;
        for (int i = 0; i < lt->n; i++)
            lowest_bo = fmin(lowest_bo, 0.5 * lt->t[i].s[lt->t[i].n - 1].h);
        while (nb < MAXB) {
            if (mwds_ekf_predict(&fp, &b, b.t_ns - mwds_time_from_s(BACK_STEP_S)) != MWDS_OK)
                break;
            mwds_vec3 bp = mwds_v3(b.x.v[0], b.x.v[1], b.x.v[2]);
            mwds_lla bl;
            if (mwds_geo_ecef_to_lla(bp, &bl) != MWDS_OK)
                break;
            hist_h[nb] = bl.h_m;
            hist_t[nb] = -BACK_STEP_S * nb;
            hist_p[nb] = bp;
            hist_v[nb] = mwds_v3(b.x.v[3], b.x.v[4], b.x.v[5]);
            nb++;
            if (bl.h_m < lowest_bo - 10e3)
                break;
        }
        /* every template sample is a possible burnout: missiles are cut off
         * early to fly short, lofted or depressed (the solver does so too) */
        for (int i = 0; i < lt->n; i++)
            for (int j = lt->t[i].n - 1; j >= 0; j -= (j == lt->t[i].n - 1 ? 1 : 4)) {
                const tsample *bo = &lt->t[i].s[j];
                if (bo->h < lowest_bo - 10e3 || bo->v < 500.0)
                    break;
                /* the latest crossing of the sample's height going back, on
                 * the way up (the history runs backwards in time) */
                for (int k = 0; k + 1 < nb; k++) {
                    if (!(hist_h[k] >= bo->h && hist_h[k + 1] < bo->h))
                        continue;
                    double u = (hist_h[k] - bo->h) / (hist_h[k] - hist_h[k + 1]);
                    mwds_vec3 mp =
                        mwds_v3_axpy(mwds_v3_scale(hist_p[k], 1.0 - u), u, hist_p[k + 1]);
                    mwds_vec3 mv =
                        mwds_v3_axpy(mwds_v3_scale(hist_v[k], 1.0 - u), u, hist_v[k + 1]);
                    mwds_lla ml;
                    double msp, mg, maz;
                    if (kinematics(mp, mv, &ml, &msp, &mg, &maz) == MWDS_OK && mg > 0.0)
                        consider(bo, msp, mg, maz, var_v, var_g, ml,
                                 hist_t[k] + u * (hist_t[k + 1] - hist_t[k]), c, &nc, MAXC);
                    break;
                }
            }
    }
    if (nc == 0)
        return MWDS_EUNREACH;
    /* weighted mean and spread in the plane of the best candidate */
    int best = 0;
    double wsum = 0.0;
    for (int i = 0; i < nc; i++) {
        wsum += c[i].w;
        if (c[i].w > c[best].w)
            best = i;
    }
    mwds_lla ref = c[best].pad;
    double me = 0, mn = 0, mt = 0, ms = 0, mtt = 0;
    double en[MAXC][2];
    for (int i = 0; i < nc; i++) {
        mwds_vec3 d = mwds_geo_ecef_to_enu(ref, mwds_geo_lla_to_ecef(c[i].pad));
        en[i][0] = d.v[0];
        en[i][1] = d.v[1];
        double w = c[i].w / wsum;
        me += w * d.v[0];
        mn += w * d.v[1];
        mt += w * c[i].t_launch_s;
        ms += w * c[i].s_m;
        mtt += w * c[i].tt_s;
    }
    double cov[2][2] = {{0, 0}, {0, 0}}, vt = 0.0;
    for (int i = 0; i < nc; i++) {
        double w = c[i].w / wsum, de = en[i][0] - me, dn = en[i][1] - mn;
        cov[0][0] += w * de * de;
        cov[0][1] += w * de * dn;
        cov[1][1] += w * dn * dn;
        vt += w * (c[i].t_launch_s - mt) * (c[i].t_launch_s - mt);
    }
    /* the state's horizontal position uncertainty, and the template
     * allowance along and across the heading */
    mwds_mat3 enu = mwds_geo_enu_rotation(lla.lat_rad, lla.lon_rad);
    for (int i = 0; i < 2; i++)
        for (int j = 0; j < 2; j++) {
            double acc = 0.0;
            for (int k = 0; k < 3; k++)
                for (int l = 0; l < 3; l++)
                    acc += enu.m[i][k] * s->p.m[k][l] * enu.m[j][l];
            cov[i][j] += acc;
        }
    double along = 0.02 * ms + 1e3, across = ms * sqrt(var_az) + 0.01 * ms + 1e3;
    double se = sin(az), ce = cos(az);
    cov[0][0] += along * along * se * se + across * across * ce * ce;
    cov[1][1] += along * along * ce * ce + across * across * se * se;
    cov[0][1] += (along * along - across * across) * se * ce;
    cov[1][0] = cov[0][1];
    mwds_lla centre;
    if ((e = mwds_geo_ecef_to_lla(mwds_geo_enu_to_ecef(ref, mwds_v3(me, mn, 0.0)), &centre)) !=
        MWDS_OK)
        return e;
    centre.h_m = 0.0;
    if ((e = mwds_ellipse_from_cov(centre, cov, 0.95, launch)) != MWDS_OK)
        return e;
    *t_ns = s->t_ns + mwds_time_from_s(mt);
    /* time: the spread, 2 s, and 5 % of the templates' powered time (the
     * part of the flight the templates stand in for) */
    *t_sigma_s = sqrt(vt + 4.0 + 0.05 * 0.05 * mtt * mtt);
    return MWDS_OK;
}
