/*
 * Launch point and time by boost templates; see assess.h.
 *
 * A track seldom starts on the pad: radars see a missile once it clears
 * their horizon, tens of kilometres up and tens of kilometres downrange. The
 * part of the flight before that is supplied by templates: each catalogue
 * class flown at a range of pitch-over kicks (the flight model's own powered
 * flight), sampled each second as height, speed, flight-path angle, ground
 * distance from the pad and the pad's bearing against the heading.
 *
 * East and west. The Earth's rotation makes a flight to the east lighter
 * than one to the west (the vertical Coriolis term, 2 Omega cos(lat) v_east,
 * is 0.5 m/s^2 at 5 km/s): at the same speed and flight-path angle an ICBM
 * flown west is 3-4 % of the distance nearer its pad than one flown east.
 * Each template is therefore flown twice from 40 N, to the east and to the
 * west, and the two are blended sample by sample in the east component of
 * the heading, cos(lat) sin(azimuth), of the flight being matched. The
 * ground track also curves away from the geodesic, with the horizontal
 * Coriolis term, 2 Omega sin(lat) v, on any heading: the templates' bearing
 * to their pad is scaled by sin(lat) over sin(40 N).
 *
 * Matching. A boost-model state is matched where each template passes its
 * height. A ballistic state is first flown backwards with its covariance
 * (free flight with drag at its own 1/beta; states low in the air are not
 * used). Each template (class and kick) may have been cut off at any time
 * of its burn: the cutoff is solved, between two samples, so that the
 * template's burnout speed equals the flown-back state's speed at the
 * burnout height; between two neighbouring kicks of a class, the kick is
 * solved so that the flight-path angle fits too. Kicks are flown at 32
 * values and blended 8 times between them. A candidate's miss in speed and
 * flight-path angle, over the state's uncertainty where it is matched plus
 * a template allowance (1 % of speed, 0.05 degrees), gives a chi-square
 * weight, times a prior on the cutoff: missiles are mostly flown on most of
 * their burn (sigma 10 % of the burn left unused). Each candidate puts the
 * pad at the matched point's ground position, moved back by the template's
 * ground distance along the heading turned by the template's bearing to its
 * pad; the launch time is the match's time less the template's.
 *
 * Classes. After burnout every class that can reach a state's speed and
 * flight-path angle fits it exactly, each from its own pad: an IRBM at full
 * burn and an ICBM cut off 13 % short, 10-25 km apart. Nothing in the
 * ballistic state tells them apart, but each was somewhere else before
 * burnout, and an earlier sighting of the track (the assessor passes the
 * first) weighs the classes by where each says the missile was then.
 *
 * Uncertainty. The candidates are a mixture: the estimate is their weighted
 * mean, and its covariance the weighted spread of their pads (other kicks,
 * cutoffs and classes that fit) plus the weighted mean of each candidate's
 * own covariance:
 *   - the state's, where it is matched: its position error moves the point
 *     where the flight crosses the matched height, and its velocity error
 *     turns the heading, which moves the pad across by the distance times
 *     the angle;
 *   - the templates': what they do not model (latitudes other than 40 N,
 *     the blends between kicks and between east and west). On 717 flights
 *     the solver flew from 10-65 N on four azimuths at three ranges,
 *     minimum-energy, lofted and depressed, with the state exact, the pads
 *     of the true class were off by 0.12 % of the distance along the
 *     heading and 0.04 % across it (RMS; docs/assessment.md): the allowance
 *     is 0.15 % and 0.05 %. Their launch times were off by 0.17 s RMS at
 *     most (0.8 s at worst): 0.5 s is allowed where a sighting is weighed.
 * Matching a state's speed adds nothing to these: a speed error moves the
 * cutoff along the template's own path, and the pad with it not at all.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "mwds/assess.h"
#include "mwds/stats.h"

#define KICKS 32
#define MAX_CLASSES 32         /* catalogue entries at most */
#define KICK_BLEND 8
#define BURN_PRIOR_SIGMA 0.1   /* of the fraction of the burn left unused */
#define SPEED_ALLOW 0.01       /* template allowance: 1 % of speed */
#define GAMMA_ALLOW_DEG 0.05   /* and 0.05 degrees of flight-path angle */
#define ALONG_ALLOW 0.0015     /* template error along the heading, of the distance */
#define ACROSS_ALLOW 0.0005    /* and across it (see the top of the file) */
#define TEMPLATE_LAT_DEG 40.0
#define TIME_ALLOW 0.5         /* s: template error in the launch time (top of the file) */
#define SIGHT_GATE 16.27       /* chi-square(3), 99.9 % */
#define BACK_STEP_S 4.0
#define MAX_BACK_S 1800.0
#define MIN_BACK_ALT_M 50e3
#define MAXB 452 /* MAX_BACK_S / BACK_STEP_S + 2 */

typedef struct tsample {
    double t, h, v, gam, s;
    double dir; /* bearing of the pad from here, less the reverse heading */
} tsample;

typedef struct template_ {
    const mwds_missile_class *cls;
    int cls_index;  /* in the catalogue */
    double kick_rad;
    tsample *e, *w; /* flown east and west: powered flight, one per second,
                       and the burnout, at the same times */
    int n;
} template_;

struct mwds_launch_templates {
    template_ *t;
    int n;
};

static const double KICK_DEG[KICKS] = {0.3, 0.45, 0.6, 0.8, 1,   1.25, 1.5, 1.75, 2,  2.5,  3,
                                        3.5, 4,    4.5, 5,   5.5, 6,    7,   8,    9,  10,   11,
                                        12,  13.5, 15,  17,  20,  22.5, 25,  27.5, 30, 35};

static tsample lerp_sample(const tsample *a, const tsample *b, double u)
{
    return (tsample){a->t + u * (b->t - a->t),     a->h + u * (b->h - a->h),
                     a->v + u * (b->v - a->v),     a->gam + u * (b->gam - a->gam),
                     a->s + u * (b->s - a->s),     a->dir + u * (b->dir - a->dir)};
}

/* Sample j of a template for a flight whose heading's east component is
 * f of the way from the east template's to the west one's. */
static tsample sample(const template_ *t, int j, double f)
{
    return lerp_sample(&t->e[j], &t->w[j], f);
}

/* How far a flight of heading az at latitude lat lies from the east
 * template towards the west one: 0 on the east template's heading, 1 on
 * the west one's, linear in cos(lat) sin(az). */
static double east_west(double lat_rad, double az_rad)
{
    double u0 = cos(TEMPLATE_LAT_DEG * MWDS_DEG2RAD);
    return (u0 - cos(lat_rad) * sin(az_rad)) / (2.0 * u0);
}

void mwds_launch_templates_destroy(mwds_launch_templates *lt)
{
    if (lt == NULL)
        return;
    for (int i = 0; i < lt->n; i++) {
        free(lt->t[i].e);
        free(lt->t[i].w);
    }
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

/* Adds KICK_BLEND - 1 templates between each pair of neighbouring kicks of
 * a class, sample by sample (same times after launch). Near burnout the
 * flight-path angle moves several degrees per degree of kick, so the flown
 * kicks alone leave the nearest template's angle degrees from a real
 * flight's; the blends bring that under a tenth of the step. */
static mwds_err blend_kicks(mwds_launch_templates *lt)
{
    int n0 = lt->n;
    template_ *nt = calloc((size_t)n0 * KICK_BLEND, sizeof *nt);
    if (nt == NULL)
        return MWDS_ENOMEM;
    int m = 0;
    for (int i = 0; i < n0; i++) {
        nt[m++] = lt->t[i];
        lt->t[i].e = lt->t[i].w = NULL; /* now owned by nt */
        if (i + 1 >= n0 || lt->t[i + 1].cls != lt->t[i].cls)
            continue;
        const template_ *a = &nt[m - 1], *b = &lt->t[i + 1];
        int n = a->n < b->n ? a->n : b->n;
        for (int k = 1; k < KICK_BLEND; k++) {
            double u = (double)k / KICK_BLEND;
            template_ *t = &nt[m];
            t->e = malloc((size_t)n * sizeof *t->e);
            t->w = malloc((size_t)n * sizeof *t->w);
            if (t->e == NULL || t->w == NULL) {
                for (int q = 0; q <= m; q++) {
                    free(nt[q].e);
                    free(nt[q].w);
                }
                free(nt);
                return MWDS_ENOMEM;
            }
            t->cls = a->cls;
            t->cls_index = a->cls_index;
            t->kick_rad = a->kick_rad + u * (b->kick_rad - a->kick_rad);
            t->n = n;
            for (int j = 0; j < n; j++) {
                t->e[j] = lerp_sample(&a->e[j], &b->e[j], u);
                t->w[j] = lerp_sample(&a->w[j], &b->w[j], u);
            }
            m++;
        }
    }
    for (int i = 0; i < n0; i++) {
        free(lt->t[i].e);
        free(lt->t[i].w);
    }
    free(lt->t);
    lt->t = nt;
    lt->n = m;
    return MWDS_OK;
}

/* One class at one kick flown along azimuth az_deg, sampled at each second
 * of powered flight and at burnout into out (ns entries; *n written). 0 if
 * the kick does not fly (falls back) or a sample fails. */
static int fly_template(const mwds_missile_class *cls, double kick_rad, double az_deg,
                        tsample *out, int max, int *n, double *burnout_s)
{
    const mwds_lla pad = {TEMPLATE_LAT_DEG * MWDS_DEG2RAD, 127.0 * MWDS_DEG2RAD, 0.0};
    mwds_force_model fm;
    memset(&fm, 0, sizeof fm);
    fm.flags = MWDS_FORCE_ALL;
    fm.cls = cls;
    fm.launch = pad;
    fm.plan.azimuth_rad = az_deg * MWDS_DEG2RAD;
    fm.plan.kick_rad = kick_rad;
    fm.plan.cutoff_s = 1e9;
    mwds_traj tr;
    memset(&tr, 0, sizeof tr);
    mwds_integ_opts o = {0, 0, 0, 1, 0};
    if (mwds_ballistic_fly(&fm, mwds_geo_lla_to_ecef(pad), mwds_v3(0, 0, 0), 0, &o, &tr) !=
        MWDS_OK) {
        mwds_traj_fini(&tr);
        return 0;
    }
    double tb = tr.sum.burnout_t_s;
    int ns = (int)floor(tb) + 2;
    if (ns > max)
        ns = max;
    *burnout_s = tb;
    *n = 0;
    for (int i = 0; i < ns; i++) {
        double ts = i < ns - 1 ? (double)i + 1.0 : tb;
        if (ts > tb)
            ts = tb;
        mwds_vec3 p, v;
        mwds_lla lla;
        double sp, gam, az;
        if (mwds_traj_state(&tr, ts, &p, &v) != MWDS_OK ||
            kinematics(p, v, &lla, &sp, &gam, &az) != MWDS_OK)
            break;
        double s = 0.0, back = 0.0, h = lla.h_m;
        lla.h_m = 0.0;
        mwds_geo_inverse(lla, pad, &s, &back, NULL);
        /* the pad's bearing is meaningless within a kilometre of it, where
         * the distance is too small for it to matter */
        double dir = s > 1e3 ? remainder(back - (az + MWDS_PI), 2.0 * MWDS_PI) : 0.0;
        out[(*n)++] = (tsample){ts, h, sp, gam, s, dir};
    }
    mwds_traj_fini(&tr);
    return *n >= 2;
}

mwds_err mwds_launch_templates_create(mwds_launch_templates **out)
{
    size_t nc;
    const mwds_missile_class *cat = mwds_catalogue(&nc);
    if (nc > MAX_CLASSES)
        return MWDS_EINVAL;
    mwds_launch_templates *lt = calloc(1, sizeof *lt);
    if (lt == NULL)
        return MWDS_ENOMEM;
    lt->t = calloc(nc * KICKS, sizeof *lt->t);
    if (lt->t == NULL) {
        free(lt);
        return MWDS_ENOMEM;
    }
    for (size_t c = 0; c < nc; c++) {
        double burn = 0.0;
        for (int g = 0; g < cat[c].n_stages; g++)
            burn += cat[c].stage[g].burn_s + cat[c].coast_s;
        int max = (int)burn + 4;
        for (int k = 0; k < KICKS; k++) {
            template_ *t = &lt->t[lt->n];
            t->e = calloc((size_t)max, sizeof *t->e);
            t->w = calloc((size_t)max, sizeof *t->w);
            if (t->e == NULL || t->w == NULL) {
                free(t->e);
                free(t->w);
                mwds_launch_templates_destroy(lt);
                return MWDS_ENOMEM;
            }
            int ne = 0, nw = 0;
            double tbe = 0.0, tbw = 0.0;
            double kick = KICK_DEG[k] * MWDS_DEG2RAD;
            /* a kick that does not fly either way (falls back) is no
             * template; both flights burn out at the same time, the burn
             * being timed */
            if (!fly_template(&cat[c], kick, 90.0, t->e, max, &ne, &tbe) ||
                !fly_template(&cat[c], kick, 270.0, t->w, max, &nw, &tbw) ||
                fabs(tbe - tbw) > 1e-6) {
                free(t->e);
                free(t->w);
                t->e = t->w = NULL;
                continue;
            }
            t->cls = &cat[c];
            t->cls_index = (int)c;
            t->kick_rad = kick;
            t->n = ne < nw ? ne : nw;
            lt->n++;
        }
    }
    if (blend_kicks(lt) != MWDS_OK) {
        mwds_launch_templates_destroy(lt);
        return MWDS_ENOMEM;
    }
    *out = lt;
    return MWDS_OK;
}

/* The state where a template is matched: its kinematics, and where its
 * position, velocity and their covariance are to be had (the state itself,
 * or the flown-back history between two steps). */
typedef struct history history;
typedef struct crossed {
    int ok;
    mwds_lla lla;
    double sp, gam, az, t_rel;
    mwds_vec3 p, v;
    const history *hs;            /* NULL: the state's own covariance */
    const mwds_filter_state *s;
    int lo;                       /* hs: between steps lo and lo + 1 */
    double u;
} crossed;

/* What the state's covariance does to a pad s metres back along the
 * heading from the matched point, in coordinates along and across the
 * heading: a + s (b u' + u b') + s^2 var_az u u', with u = (0, 1) across
 * (the pad's shift per radian of heading, over s). */
typedef struct state_cov {
    double a[2][2]; /* the matched point's own */
    double b[2];    /* its covariance with the heading */
    double var_az;
} state_cov;

typedef struct candidate {
    double w;               /* chi-square weight */
    mwds_lla pad;
    double t_launch_s;      /* relative to the state's time */
    double s_m;             /* template ground distance */
    double tt_s;            /* template time since launch at the match */
    int cls;                /* catalogue index */
    int ta, tb;             /* the template it came from, or the two kicks */
    double tu;              /* blended tu of the way from ta to tb */
    mwds_lla at;            /* where it was matched, on the ground */
    double out;             /* the launch azimuth: from the pad to there */
    state_cov sc;
} candidate;

/* The state's covariance at a match, as it bears on the pad. The point
 * where the flight crosses its own height moves with the horizontal
 * position error, and back along the track by the height error over
 * tan(flight-path angle); the heading turns with the velocity error across
 * the track over the horizontal speed. */
static void state_effect(const crossed *x, const double P[6][6], state_cov *out)
{
    mwds_mat3 r = mwds_geo_enu_rotation(x->lla.lat_rad, x->lla.lon_rad);
    mwds_vec3 ve = mwds_m3_mul_v3(r, x->v);
    double vh = hypot(ve.v[0], ve.v[1]);
    /* a flight nearly level at the match would make the height term
     * unbounded; matches are on the ascent, steeper than this */
    double vu = fmax(ve.v[2], 0.05 * x->sp);
    double se = sin(x->az), ce = cos(x->az);
    double g[3][6]; /* rows: crossing east, crossing north, heading */
    memset(g, 0, sizeof g);
    for (int k = 0; k < 3; k++) {
        g[0][k] = r.m[0][k] - ve.v[0] / vu * r.m[2][k];
        g[1][k] = r.m[1][k] - ve.v[1] / vu * r.m[2][k];
        /* d az / d v = (cos az e - sin az n) / v_h */
        g[2][3 + k] = vh > 1e-3 ? (ce * r.m[0][k] - se * r.m[1][k]) / vh : 0.0;
    }
    double gp[3][6];
    for (int i = 0; i < 3; i++)
        for (int l = 0; l < 6; l++) {
            double acc = 0.0;
            for (int k = 0; k < 6; k++)
                acc += g[i][k] * P[k][l];
            gp[i][l] = acc;
        }
    double c[3][3];
    for (int i = 0; i < 3; i++)
        for (int j = 0; j < 3; j++) {
            double acc = 0.0;
            for (int l = 0; l < 6; l++)
                acc += gp[i][l] * g[j][l];
            c[i][j] = acc;
        }
    /* a heading known to no better than a radian puts the pad anywhere on
     * a circle round the matched point: the variance of a ring */
    double shrink = c[2][2] > 1.0 ? sqrt(1.0 / c[2][2]) : 1.0;
    out->var_az = fmin(c[2][2], 1.0);
    const double e[2][2] = {{se, ce}, {-ce, se}}; /* along, across */
    for (int i = 0; i < 2; i++) {
        for (int j = 0; j < 2; j++)
            out->a[i][j] = e[i][0] * (c[0][0] * e[j][0] + c[0][1] * e[j][1]) +
                           e[i][1] * (c[1][0] * e[j][0] + c[1][1] * e[j][1]);
        out->b[i] = shrink * (e[i][0] * c[0][2] + e[i][1] * c[1][2]);
    }
}

/* A candidate's own covariance of its pad, east-north at the pad: the
 * state's, and the templates' allowance along and across the flight. */
static void pad_cov(const candidate *k, double C[2][2])
{
    const state_cov *x = &k->sc;
    double s_m = k->s_m, va = ALONG_ALLOW * s_m, vc = ACROSS_ALLOW * s_m;
    double m[2][2] = {{x->a[0][0] + va * va, x->a[0][1] + s_m * x->b[0]},
                      {x->a[1][0] + s_m * x->b[0],
                       x->a[1][1] + 2.0 * s_m * x->b[1] + s_m * s_m * x->var_az + vc * vc}};
    const double e[2][2] = {{sin(k->out), cos(k->out)}, {-cos(k->out), sin(k->out)}};
    for (int p = 0; p < 2; p++)
        for (int q = 0; q < 2; q++)
            C[p][q] = e[0][p] * (m[0][0] * e[0][q] + m[0][1] * e[1][q]) +
                      e[1][p] * (m[1][0] * e[0][q] + m[1][1] * e[1][q]);
}

/* The template sample interpolated at height h on the powered ascent
 * (heights increase through boost); 0 if the template never reaches h. */
static int at_height(const template_ *t, double f, double h, tsample *out)
{
    tsample b = sample(t, 0, f);
    for (int i = 0; i + 1 < t->n; i++) {
        tsample a = b;
        b = sample(t, i + 1, f);
        if ((a.h <= h && b.h >= h) && b.h > a.h) {
            *out = lerp_sample(&a, &b, (h - a.h) / (b.h - a.h));
            out->h = h;
            return 1;
        }
    }
    return 0;
}

/* Speed and flight-path angle variances of a state of velocity v at lla,
 * from its position and velocity covariance P (first order). */
static void kin_var(mwds_vec3 v, const mwds_lla *lla, const double P[6][6], double *var_v,
                    double *var_g)
{
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
            *var_v += gv[i] * P[3 + i][3 + j] * gv[j];
            *var_g += gg[i] * P[3 + i][3 + j] * gg[j];
        }
}

static void crossed_cov(const crossed *x, double P[6][6]);

/* Scores one template sample against a matched state and adds the pad it
 * implies. The misses are weighed against the state's uncertainty where it
 * is matched: flown back from midcourse, a state's speed and flight-path
 * angle at burnout are known less well, or better, than now. */
static void consider(const tsample *ts, int cls, int ta, int tb, double tu, double prior,
                     const crossed *x, candidate *c, int *nc, int max)
{
    if (*nc >= max)
        return;
    double P[6][6], var_v, var_g;
    crossed_cov(x, P);
    kin_var(x->v, &x->lla, P, &var_v, &var_g);
    double sv2 = var_v + SPEED_ALLOW * SPEED_ALLOW * ts->v * ts->v;
    double sg2 = var_g + (GAMMA_ALLOW_DEG * MWDS_DEG2RAD) * (GAMMA_ALLOW_DEG * MWDS_DEG2RAD);
    double chi = (x->sp - ts->v) * (x->sp - ts->v) / sv2 +
                 (x->gam - ts->gam) * (x->gam - ts->gam) / sg2;
    if (chi > 30.0)
        return;
    mwds_lla pad, ground = x->lla;
    ground.h_m = 0.0;
    /* the ground track curves away from the geodesic with the horizontal
     * Coriolis term, 2 Omega sin(lat) v, whatever the heading: the
     * templates' bearing to their pad, flown at 40 N, scales with it */
    double dir = ts->dir * sin(x->lla.lat_rad) / sin(TEMPLATE_LAT_DEG * MWDS_DEG2RAD);
    if (mwds_geo_direct(ground, x->az + MWDS_PI + dir, ts->s, &pad) != MWDS_OK)
        return;
    candidate *k = &c[*nc];
    memset(k, 0, sizeof *k);
    k->w = prior * exp(-0.5 * chi);
    k->pad = pad;
    k->t_launch_s = x->t_rel - ts->t;
    k->s_m = ts->s;
    k->tt_s = ts->t;
    k->cls = cls;
    k->ta = ta;
    k->tb = tb;
    k->tu = tu;
    k->at = ground;
    mwds_geo_inverse(pad, ground, NULL, &k->out, NULL);
    state_effect(x, P, &k->sc);
    (*nc)++;
}

/* The state flown back in time (free flight with drag at the state's own
 * 1/beta), every BACK_STEP_S, down through the lowest burnout considered,
 * with its position and velocity covariance. */
struct history {
    double h[MAXB], t[MAXB];
    mwds_vec3 p[MAXB], v[MAXB];
    double P[MAXB][6][6];
    int n;
    int apex; /* index of the highest point: before it (back in time) the
                 flight climbs */
};

static void fly_back(const mwds_filter_state *s, double lowest_h, history *hs)
{
    mwds_filter_params fp = {MWDS_FORCE_GRAVITY | MWDS_FORCE_J2 | MWDS_FORCE_ROTATION |
                                 MWDS_FORCE_DRAG,
                             0.0, 0.0, 0.0, 0.0};
    mwds_filter_state b = *s;
    b.x.v[6] = fmax(0.0, b.x.v[6]);
    hs->n = 0;
    hs->apex = 0;
    for (;;) {
        mwds_vec3 bp = mwds_v3(b.x.v[0], b.x.v[1], b.x.v[2]);
        mwds_lla bl;
        if (mwds_geo_ecef_to_lla(bp, &bl) != MWDS_OK)
            break;
        int k = hs->n++;
        hs->h[k] = bl.h_m;
        hs->t[k] = -BACK_STEP_S * k;
        hs->p[k] = bp;
        hs->v[k] = mwds_v3(b.x.v[3], b.x.v[4], b.x.v[5]);
        for (int i = 0; i < 6; i++)
            for (int j = 0; j < 6; j++)
                hs->P[k][i][j] = b.p.m[i][j];
        if (hs->h[k] > hs->h[hs->apex])
            hs->apex = k;
        if (bl.h_m < lowest_h || hs->n == MAXB ||
            mwds_ekf_predict(&fp, &b, b.t_ns - mwds_time_from_s(BACK_STEP_S)) != MWDS_OK)
            break;
    }
}

/* Where the flown-back state last crossed height h on the way up: between
 * steps *lo and *lo + 1, u of the way. Past the apex, going back, heights
 * fall monotonically, so the crossing is found by bisection. */
static int crossing(const history *hs, double h, int *lo_out, double *u_out)
{
    int lo = hs->apex, hi = hs->n - 1;
    if (hi <= lo || !(hs->h[lo] >= h && hs->h[hi] < h))
        return 0;
    while (hi - lo > 1) {
        int mid = (lo + hi) / 2;
        if (hs->h[mid] >= h)
            lo = mid;
        else
            hi = mid;
    }
    *lo_out = lo;
    *u_out = (hs->h[lo] - h) / (hs->h[lo] - hs->h[hi]);
    return 1;
}

/* The flown-back state's speed where it crossed height h: all the search
 * for a cutoff needs, and cheap (the crossing's full kinematics are worked
 * out only where a candidate is scored). */
static int speed_at(const history *hs, double h, double *sp)
{
    int lo;
    double u;
    if (!crossing(hs, h, &lo, &u))
        return 0;
    *sp = mwds_v3_norm(mwds_v3_axpy(mwds_v3_scale(hs->v[lo], 1.0 - u), u, hs->v[lo + 1]));
    return 1;
}

static crossed cross_at(const history *hs, double h)
{
    crossed x = {0};
    int lo;
    double u;
    if (!crossing(hs, h, &lo, &u))
        return x;
    x.p = mwds_v3_axpy(mwds_v3_scale(hs->p[lo], 1.0 - u), u, hs->p[lo + 1]);
    x.v = mwds_v3_axpy(mwds_v3_scale(hs->v[lo], 1.0 - u), u, hs->v[lo + 1]);
    x.t_rel = hs->t[lo] + u * (hs->t[lo + 1] - hs->t[lo]);
    x.hs = hs;
    x.lo = lo;
    x.u = u;
    if (kinematics(x.p, x.v, &x.lla, &x.sp, &x.gam, &x.az) == MWDS_OK && x.gam > 0.0)
        x.ok = 1;
    return x;
}

/* The position and velocity covariance where x was matched. */
static void crossed_cov(const crossed *x, double P[6][6])
{
    for (int i = 0; i < 6; i++)
        for (int j = 0; j < 6; j++)
            P[i][j] = x->hs != NULL ? (1.0 - x->u) * x->hs->P[x->lo][i][j] +
                                          x->u * x->hs->P[x->lo + 1][i][j]
                                    : x->s->p.m[i][j];
}

/* The prior weight of a cutoff at t_cut in a burn of t_full: missiles are
 * mostly flown on most of their burn (near their design range); a cutoff
 * early in the burn is possible but less likely. Without it, the state of
 * an SRBM after burnout is fitted as well by an MRBM or an ICBM cut off in
 * its first stage, and the pad estimate is a blend of all of them. */
static double burn_prior(double t_cut, double t_full)
{
    double f = (1.0 - t_cut / t_full) / BURN_PRIOR_SIGMA;
    return exp(-0.5 * f * f);
}

/* Candidates for a state in free flight. Every template is a class flown at
 * one kick; its engine may have been cut off at any time (missiles are cut
 * off early to fly short, lofted or depressed, and the solver does so too).
 * For each template, the cutoff is the one whose burnout speed equals the
 * speed the state had, flown back, at the burnout's height: found between
 * two samples where the difference changes sign, and interpolated. The
 * flight-path angle's misfit there weights the candidate. A state faster
 * than the template's full burn is scored at the full burn. */
static mwds_err match_ballistic(const mwds_launch_templates *lt, const mwds_filter_state *s,
                                history *hs, double *f_out, candidate *c, int *nc, int max)
{
    /* low enough for the lowest cutoff considered: half the lowest full
     * burnout */
    double lowest_bo = INFINITY;
    for (int i = 0; i < lt->n; i++)
        lowest_bo = fmin(lowest_bo, 0.5 * fmin(lt->t[i].e[lt->t[i].n - 1].h,
                                               lt->t[i].w[lt->t[i].n - 1].h));
    fly_back(s, lowest_bo - 10e3, hs);
    if (hs->n < 2)
        return MWDS_ENUMERIC;
    /* east or west: from the heading where the flight was lowest */
    mwds_lla ll;
    double sp0, g0, az0;
    if (kinematics(hs->p[hs->n - 1], hs->v[hs->n - 1], &ll, &sp0, &g0, &az0) != MWDS_OK)
        return MWDS_ENUMERIC;
    double f = east_west(ll.lat_rad, az0);
    *f_out = f;
    tsample prev_m = {0};
    double prev_r = 0.0;
    int prev_ok = 0;
    for (int i = 0; i < lt->n; i++) {
        const template_ *t = &lt->t[i];
        const tsample full = sample(t, t->n - 1, f);
        double sp_full = 0.0;
        int ok_full = speed_at(hs, full.h, &sp_full);
        int first = 1, have = 0;
        tsample m0 = {0};
        double r0 = 0.0;
        if (ok_full && sp_full >= full.v) {
            crossed xf = cross_at(hs, full.h);
            if (xf.ok)
                consider(&full, t->cls_index, i, i, 0.0, 1.0, &xf, c, nc, max);
        } else {
            /* going back through the burn: the template slows, the state (at
             * lower heights) speeds up; a sign change brackets the cutoff */
            int hi_ok = ok_full;
            double hi_sp = sp_full;
            tsample b = full;
            for (int j = t->n - 2; j >= 0; j--) {
                tsample a = sample(t, j, f);
                if (a.h < lowest_bo - 10e3 || a.v < 500.0)
                    break;
                double lo_sp = 0.0;
                int lo_ok = speed_at(hs, a.h, &lo_sp);
                if (lo_ok && hi_ok && lo_sp >= a.v && hi_sp < b.v) {
                    double da = lo_sp - a.v, db = b.v - hi_sp;
                    tsample m = lerp_sample(&a, &b, da / (da + db));
                    crossed xm = cross_at(hs, m.h);
                    if (xm.ok) {
                        consider(&m, t->cls_index, i, i, 0.0, burn_prior(m.t, full.t), &xm,
                                 c, nc, max);
                        if (first) {
                            m0 = m;
                            r0 = xm.gam - m.gam;
                            have = 1;
                        }
                    }
                    first = 0;
                }
                hi_ok = lo_ok;
                hi_sp = lo_sp;
                b = a;
            }
        }
        /* between this kick and the previous one of the class, the kick
         * whose cutoff also fits the flight-path angle */
        if (have && prev_ok && i > 0 && lt->t[i - 1].cls == t->cls &&
            (prev_r < 0.0) != (r0 < 0.0)) {
            double u = prev_r / (prev_r - r0);
            tsample m = lerp_sample(&prev_m, &m0, u);
            crossed xm = cross_at(hs, m.h);
            if (xm.ok)
                consider(&m, t->cls_index, i - 1, i, u, burn_prior(m.t, full.t), &xm, c, nc,
                         max);
        }
        prev_ok = have;
        prev_m = m0;
        prev_r = r0;
    }
    return MWDS_OK;
}

/* A template's sample at tau seconds after launch (the pad itself at 0). */
static tsample at_time(const template_ *t, double f, double tau)
{
    tsample a = {0.0, 0.0, 0.0, 0.5 * MWDS_PI, 0.0, 0.0};
    if (tau <= 0.0)
        return a;
    for (int j = 0; j < t->n; j++) {
        tsample b = sample(t, j, f);
        if (b.t >= tau)
            return lerp_sample(&a, &b, b.t > a.t ? (tau - a.t) / (b.t - a.t) : 1.0);
        a = b;
    }
    return a;
}

/* The log-likelihood of an earlier sighting under each candidate. A
 * candidate is a whole flight: a pad, a launch time and a class flown at a
 * kick to a cutoff; at the sighting's time it was either still burning, on
 * the template (its height and distance from the pad), or already coasting,
 * on the state's own flight flown back. Classes that fit the state equally
 * well part here: an ICBM cut off early and an IRBM at full burn reach the
 * same burnout from different pads at different times, and were at
 * different places before it. The misses are weighed against the
 * sighting's covariance plus the candidate's: its pad's, and its launch
 * time's (TIME_ALLOW) along its velocity. */
static void sighting_loglik(const mwds_launch_templates *lt, double f,
                            const mwds_filter_state *s, const history *hs,
                            const mwds_launch_sighting *seen, const candidate *c, int nc,
                            double *ll, double *d2)
{
    double t_rel = mwds_time_to_s(seen->t_ns - s->t_ns);
    for (int i = 0; i < nc; i++) {
        const candidate *k = &c[i];
        double tau = t_rel - k->t_launch_s;
        d2[i] = INFINITY;
        mwds_vec3 pred;
        double S[3][3] = {{0}}; /* in the east-north-up frame of pred */
        mwds_lla pl;
        double out = k->out;
        if (tau < k->tt_s || hs == NULL) {
            tsample q = at_time(&lt->t[k->ta], f, tau);
            if (k->tb != k->ta) {
                tsample qb = at_time(&lt->t[k->tb], f, tau);
                q = lerp_sample(&q, &qb, k->tu);
            }
            if (mwds_geo_direct(k->pad, out, q.s, &pl) != MWDS_OK) {
                ll[i] = -INFINITY;
                continue;
            }
            pl.h_m = q.h;
            pred = mwds_geo_lla_to_ecef(pl);
            double vh = q.v * cos(q.gam);
            double ve[3] = {vh * sin(out), vh * cos(out), q.v * sin(q.gam)};
            /* the pad's own covariance moves the point as much */
            double C[2][2];
            pad_cov(k, C);
            for (int p = 0; p < 2; p++)
                for (int r = 0; r < 2; r++)
                    S[p][r] += C[p][r];
            for (int p = 0; p < 3; p++)
                for (int r = 0; r < 3; r++)
                    S[p][r] += TIME_ALLOW * TIME_ALLOW * ve[p] * ve[r];
        } else {
            /* coasting: where the state, flown back, was then */
            /* the history reaches back past every cutoff it matched */
            double kf = -t_rel / BACK_STEP_S;
            int lo = (int)floor(kf);
            lo = lo < 0 ? 0 : lo > hs->n - 2 ? hs->n - 2 : lo;
            double u = fmin(1.0, fmax(0.0, kf - lo));
            pred = mwds_v3_axpy(mwds_v3_scale(hs->p[lo], 1.0 - u), u, hs->p[lo + 1]);
            if (mwds_geo_ecef_to_lla(pred, &pl) != MWDS_OK) {
                ll[i] = -INFINITY;
                continue;
            }
            mwds_mat3 r = mwds_geo_enu_rotation(pl.lat_rad, pl.lon_rad);
            for (int p = 0; p < 3; p++)
                for (int q = 0; q < 3; q++) {
                    double acc = 0.0;
                    for (int a = 0; a < 3; a++)
                        for (int b = 0; b < 3; b++)
                            acc += r.m[p][a] *
                                   ((1.0 - u) * hs->P[lo][a][b] + u * hs->P[lo + 1][a][b]) *
                                   r.m[q][b];
                    S[p][q] += acc;
                }
        }
        mwds_mat3 r = mwds_geo_enu_rotation(pl.lat_rad, pl.lon_rad);
        mwds_vec3 d = mwds_m3_mul_v3(r, mwds_v3_sub(seen->pos_ecef, pred));
        mwds_mat3 Sm;
        for (int p = 0; p < 3; p++)
            for (int q = 0; q < 3; q++) {
                double acc = 0.0;
                for (int a = 0; a < 3; a++)
                    for (int b = 0; b < 3; b++)
                        acc += r.m[p][a] * seen->cov.m[a][b] * r.m[q][b];
                Sm.m[p][q] = S[p][q] + acc;
            }
        mwds_m3_symmetrise(&Sm);
        mwds_mat3 L;
        if (mwds_m3_chol(&Sm, &L) != MWDS_OK) {
            ll[i] = -INFINITY;
            continue;
        }
        mwds_vec3 x = mwds_m3_chol_solve(&L, d);
        d2[i] = mwds_v3_dot(d, x);
        ll[i] = -0.5 * d2[i] - log(L.m[0][0] * L.m[1][1] * L.m[2][2]);
    }
}

/* Weighs the classes by an earlier sighting: each class by the likelihood
 * of the sighting averaged over its candidates (weighted as they are), so
 * that classes part while the candidates within one keep their weights.
 * Within a class the sighting would pick a kick, and that it cannot do:
 * the track it comes from is a boost track, whose position lags a boosting
 * missile by more than its covariance says. A sighting that no candidate
 * explains (beyond the 99.9 % point of chi-square(3)) is taken for one of
 * something else, and left out. ll and d2 are scratch of nc. */
static void weigh_by_sighting(const mwds_launch_templates *lt, double f,
                              const mwds_filter_state *s, const history *hs,
                              const mwds_launch_sighting *seen, candidate *c, int nc,
                              double *ll, double *d2)
{
    if (seen->t_ns >= s->t_ns)
        return; /* the state itself, or later: nothing it does not know */
    sighting_loglik(lt, f, s, hs, seen, c, nc, ll, d2);
    double best = -INFINITY, d2min = INFINITY;
    for (int i = 0; i < nc; i++)
        if (c[i].w > 0.0) {
            best = fmax(best, ll[i]);
            d2min = fmin(d2min, d2[i]);
        }
    if (!(d2min <= SIGHT_GATE) || !isfinite(best))
        return;
    double lik[MAX_CLASSES] = {0}, wc[MAX_CLASSES] = {0};
    for (int i = 0; i < nc; i++) {
        wc[c[i].cls] += c[i].w;
        lik[c[i].cls] += c[i].w * (isfinite(ll[i]) ? exp(ll[i] - best) : 0.0);
    }
    for (int i = 0; i < nc; i++)
        c[i].w *= wc[c[i].cls] > 0.0 ? lik[c[i].cls] / wc[c[i].cls] : 0.0;
}


/* The launch point and time from the candidates of state s (kinematics
 * lla, sp, gam and az already worked out); c and en are scratch of max
 * entries, ll of 2 max, hs of a ballistic state's flight back. */
static mwds_err launch_from(const mwds_launch_templates *lt, const mwds_filter_state *s,
                            const mwds_launch_sighting *seen, history *hs, candidate *c,
                            double (*en)[2], double *ll, int max, mwds_lla lla, double sp,
                            double gam, double az, mwds_ellipse *launch, int64_t *t_ns,
                            double *t_sigma_s)
{
    mwds_err e;
    int nc = 0;
    double f;
    if (s->model == MWDS_MODEL_BOOST) {
        crossed x = {1, lla, sp, gam, az, 0.0, mwds_v3(s->x.v[0], s->x.v[1], s->x.v[2]),
                     mwds_v3(s->x.v[3], s->x.v[4], s->x.v[5]), NULL, s, 0, 0.0};
        f = east_west(lla.lat_rad, az);
        for (int i = 0; i < lt->n; i++) {
            tsample ts;
            if (at_height(&lt->t[i], f, lla.h_m, &ts))
                consider(&ts, lt->t[i].cls_index, i, i, 0.0, 1.0, &x, c, &nc, max);
        }
        hs = NULL;
    } else {
        if (lla.h_m < MIN_BACK_ALT_M)
            return MWDS_EUNREACH;
        e = match_ballistic(lt, s, hs, &f, c, &nc, max);
        if (e != MWDS_OK)
            return e;
    }
    if (nc == 0)
        return MWDS_EUNREACH;
    if (seen != NULL && hs != NULL)
        weigh_by_sighting(lt, f, s, hs, seen, c, nc, ll, ll + max);
    /* the mixture's mean, in the plane of the best candidate */
    int best = 0;
    double wsum = 0.0;
    for (int i = 0; i < nc; i++) {
        wsum += c[i].w;
        if (c[i].w > c[best].w)
            best = i;
    }
    mwds_lla ref = c[best].pad;
    double me = 0, mn = 0, mt = 0, mtt = 0;
    for (int i = 0; i < nc; i++) {
        mwds_vec3 d = mwds_geo_ecef_to_enu(ref, mwds_geo_lla_to_ecef(c[i].pad));
        en[i][0] = d.v[0];
        en[i][1] = d.v[1];
        double w = c[i].w / wsum;
        me += w * d.v[0];
        mn += w * d.v[1];
        mt += w * c[i].t_launch_s;
        mtt += w * c[i].tt_s;
    }
    /* its covariance: the spread of the candidates' pads plus the mean of
     * their own covariances (pads lie within tens of kilometres of each
     * other, where east and north turn by a fraction of a degree) */
    double cov[2][2] = {{0, 0}, {0, 0}}, vt = 0.0;
    for (int i = 0; i < nc; i++) {
        double w = c[i].w / wsum, d[2] = {en[i][0] - me, en[i][1] - mn}, C[2][2];
        pad_cov(&c[i], C);
        for (int p = 0; p < 2; p++)
            for (int q = 0; q < 2; q++)
                cov[p][q] += w * (d[p] * d[q] + C[p][q]);
        vt += w * (c[i].t_launch_s - mt) * (c[i].t_launch_s - mt);
    }
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

mwds_err mwds_assess_launch_seen(const mwds_launch_templates *lt, const mwds_filter_state *s,
                                 const mwds_launch_sighting *seen, mwds_ellipse *launch,
                                 int64_t *t_ns, double *t_sigma_s)
{
    enum { MAXC = 4096 };
    mwds_vec3 p = mwds_v3(s->x.v[0], s->x.v[1], s->x.v[2]);
    mwds_vec3 v = mwds_v3(s->x.v[3], s->x.v[4], s->x.v[5]);
    mwds_lla lla;
    double sp, gam, az;
    mwds_err e = kinematics(p, v, &lla, &sp, &gam, &az);
    if (e != MWDS_OK)
        return e;
    candidate *c = malloc(MAXC * sizeof *c);
    double(*en)[2] = malloc(MAXC * sizeof *en);
    double *ll = malloc(2 * MAXC * sizeof *ll);
    history *hs = s->model == MWDS_MODEL_BOOST ? NULL : malloc(sizeof *hs);
    if (c == NULL || en == NULL || ll == NULL || (s->model != MWDS_MODEL_BOOST && hs == NULL)) {
        e = MWDS_ENOMEM;
        goto done;
    }
    e = launch_from(lt, s, seen, hs, c, en, ll, MAXC, lla, sp, gam, az, launch, t_ns,
                    t_sigma_s);
done:
    free(c);
    free(en);
    free(ll);
    free(hs);
    return e;
}

mwds_err mwds_assess_launch(const mwds_launch_templates *lt, const mwds_filter_state *s,
                            mwds_ellipse *launch, int64_t *t_ns, double *t_sigma_s)
{
    return mwds_assess_launch_seen(lt, s, NULL, launch, t_ns, t_sigma_s);
}
