/*
 * The trajectory solver: finds the boost plan (azimuth, kick, cutoff) that
 * flies a requested range, range and apogee, or target point.
 *
 * Structure (each level a 1-D search, because each unknown has a monotonic
 * effect once the others are fixed):
 *   cutoff for range: with azimuth and kick fixed, the first burn whose
 *     signed downrange reaches the range, scanning up from the shortest
 *     burn in eight steps, then regula falsi (Illinois) in that step (range
 *     is not always monotonic in the burn: lofted flights can turn back).
 *   kick for minimum energy: the kick whose burnout state has the least
 *     specific mechanical energy for the range (the minimum-energy
 *     trajectory of the open literature); a log-spaced grid then a
 *     golden-section search.
 *   kick for apogee: at a fixed range a smaller kick flies higher. Lofted
 *     targets lie between the steepest kick and the minimum-energy kick,
 *     depressed ones beyond it; kicks for which the range cannot be reached
 *     at all bound the search and are bisected away.
 *   azimuth for a target: corrected by the bearing error of the impact point
 *     (Coriolis deflection), a few fixed-point iterations.
 * Cost: a minimum-energy solve is about 30 kick evaluations, each up to 9
 * scan flights plus about 10 regula falsi flights: a few hundred flights of
 * a few thousand force evaluations each (about 0.15 s); a lofted or
 * depressed solve adds up to 200 such kick evaluations (typically 10-20), and
 * a target up to 8 azimuth iterations of all that.
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "ballistic_internal.h"

#define KICK_MIN_RAD (0.02 * MWDS_DEG2RAD)
#define KICK_MAX_RAD (60.0 * MWDS_DEG2RAD)
#define CUTOFF_SCAN 8
#define RANGE_TOL_M 10.0
#define APOGEE_TOL_M 20.0
#define TARGET_TOL_M 500.0
#define SOLVE_RTOL 1e-10
#define ORBITAL_S 7200.0
#define HUGE_RANGE_M 1e9

typedef struct solver {
    const mwds_traj_request *req;
    unsigned flags;
    double azimuth_rad;
    double t_min_s, t_full_s;
    int n_fly;
} solver;

typedef struct outcome {
    double range_m, apogee_m;
    double burnout_energy_j_kg; /* specific mechanical energy at burnout */
} outcome;

static mwds_force_model model(const solver *sv, double kick, double cutoff)
{
    mwds_force_model fm;
    memset(&fm, 0, sizeof fm);
    fm.flags = sv->flags;
    fm.cls = sv->req->cls;
    fm.launch = sv->req->launch;
    fm.plan.azimuth_rad = sv->azimuth_rad;
    fm.plan.kick_rad = kick;
    fm.plan.cutoff_s = cutoff;
    return fm;
}

static mwds_err fly(solver *sv, double kick, double cutoff, outcome *out)
{
    mwds_force_model fm = model(sv, kick, cutoff);
    /* a flight still up after the longest suborbital time has gone round */
    mwds_integ_opts o = {SOLVE_RTOL, 0, 0, 0, ORBITAL_S};
    mwds_traj tr;
    memset(&tr, 0, sizeof tr);
    sv->n_fly++;
    mwds_err e = mwds_ballistic_fly(&fm, mwds_geo_lla_to_ecef(sv->req->launch), mwds_v3(0, 0, 0),
                                    sv->req->launch_t_ns, &o, &tr);
    if (e != MWDS_OK)
        return e;
    /* signed downrange: an impact behind the launch point (a near-vertical
     * flight drifts west under Coriolis) counts as negative, which keeps the
     * range monotonic in the kick */
    double az_impact;
    e = mwds_geo_inverse(sv->req->launch, tr.sum.impact, NULL, &az_impact, NULL);
    if (e != MWDS_OK) {
        mwds_traj_fini(&tr);
        return e;
    }
    out->range_m = tr.sum.impacted ? tr.sum.range_m : HUGE_RANGE_M;
    if (tr.sum.impacted && cos(az_impact - sv->azimuth_rad) < 0.0)
        out->range_m = -out->range_m;
    out->apogee_m = tr.sum.apogee_m;
    out->burnout_energy_j_kg = 0.5 * tr.sum.burnout_speed_m_s * tr.sum.burnout_speed_m_s -
                               MWDS_WGS84.gm_m3_s2 / (MWDS_WGS84.a_m + tr.sum.burnout_h_m);
    mwds_traj_fini(&tr);
    return MWDS_OK;
}

/* Burn that gives range_m at this kick: the first crossing scanning up from
 * the shortest burn, since range need not grow monotonically with the burn
 * (a lofted flight can fly one range at two burns; the first is the
 * lower-energy branch, on which apogee falls as the kick grows).
 * Errors, with *best the outcome that explains them:
 *   MWDS_EUNREACH  no burn reaches the range (*best: the longest flight);
 *   MWDS_ERANGE    even the shortest burn overshoots (*best: that flight);
 *   MWDS_ENOCONV   the range jumps across the target instead of crossing it
 *                  (an impact swinging behind the pad). */
static mwds_err cutoff_for_range(solver *sv, double kick, double range_m, double *cutoff,
                                 outcome *best)
{
    outcome prev, o, far;
    mwds_err e;
    double t_prev = sv->t_min_s;
    if ((e = fly(sv, kick, t_prev, &prev)) != MWDS_OK)
        return e;
    if (fabs(prev.range_m - range_m) < RANGE_TOL_M) {
        *cutoff = t_prev;
        *best = prev;
        return MWDS_OK;
    }
    if (prev.range_m > range_m) {
        *best = prev;
        return MWDS_ERANGE;
    }
    far = prev;
    for (int i = 1; i <= CUTOFF_SCAN; i++) {
        double t = sv->t_min_s + (sv->t_full_s - sv->t_min_s) * i / CUTOFF_SCAN;
        if ((e = fly(sv, kick, t, &o)) != MWDS_OK)
            return e;
        if (o.range_m > far.range_m)
            far = o;
        if (o.range_m < range_m) {
            t_prev = t;
            prev = o;
            continue;
        }
        mwds__bracket br =
            mwds__bracket_make(t_prev, prev.range_m - range_m, t, o.range_m - range_m, 1);
        outcome mid = o;
        double x = t;
        for (int it = 0; it < 200; it++) {
            x = mwds__bracket_next(&br);
            if ((e = fly(sv, kick, x, &mid)) != MWDS_OK)
                return e;
            double fx = mid.range_m - range_m;
            if (fabs(fx) < RANGE_TOL_M || mwds__bracket_width(&br) < 1e-9)
                break;
            mwds__bracket_update(&br, x, fx, 1);
        }
        if (fabs(mid.range_m - range_m) > 10 * RANGE_TOL_M)
            return MWDS_ENOCONV;
        *cutoff = x;
        *best = mid;
        return MWDS_OK;
    }
    *best = far;
    return MWDS_EUNREACH;
}

/* Infeasible outcomes of cutoff_for_range, which the searches step round. */
static int infeasible(mwds_err e)
{
    return e == MWDS_EUNREACH || e == MWDS_ERANGE || e == MWDS_ENOCONV;
}

/* Minimises cost(kick) over [KICK_MIN_RAD, KICK_MAX_RAD]: the cost is not
 * unimodal over the whole span (steep, lofted and skimming flights form
 * separate basins), so a log-spaced grid finds the basin and a
 * golden-section search refines it between the best point's neighbours. */
typedef mwds_err (*kick_cost_fn)(solver *sv, double kick, const void *arg, double *cost);

#define KICK_GRID 28

static double kick_grid(int i)
{
    return KICK_MIN_RAD * pow(KICK_MAX_RAD / KICK_MIN_RAD, (double)i / (KICK_GRID - 1));
}

typedef struct kick_search {
    solver *sv;
    kick_cost_fn cost;
    const void *arg;
    double x_best, f_best; /* the best kick evaluated so far */
} kick_search;

static mwds_err eval_kick(kick_search *ks, double x, double *f)
{
    mwds_err e = ks->cost(ks->sv, x, ks->arg, f);
    if (e == MWDS_OK && *f < ks->f_best) {
        ks->f_best = *f;
        ks->x_best = x;
    }
    return e;
}

static mwds_err minimise_kick(solver *sv, kick_cost_fn cost, const void *arg, double *kick_best)
{
    kick_search ks = {sv, cost, arg, KICK_MIN_RAD, INFINITY};
    int best = 0;
    mwds_err e;
    for (int i = 0; i < KICK_GRID; i++) {
        double f, before = ks.f_best;
        if ((e = eval_kick(&ks, kick_grid(i), &f)) != MWDS_OK)
            return e;
        if (ks.f_best < before)
            best = i;
    }
    const double r = 0.5 * (sqrt(5.0) - 1.0);
    double a = kick_grid(best > 0 ? best - 1 : 0);
    double b = kick_grid(best < KICK_GRID - 1 ? best + 1 : KICK_GRID - 1);
    double c = b - r * (b - a), d = a + r * (b - a);
    double fc, fd;
    if ((e = eval_kick(&ks, c, &fc)) != MWDS_OK || (e = eval_kick(&ks, d, &fd)) != MWDS_OK)
        return e;
    while (b - a > 1e-5 * MWDS_DEG2RAD) {
        if (fc < fd) {
            b = d;
            d = c;
            fd = fc;
            c = b - r * (b - a);
            if ((e = eval_kick(&ks, c, &fc)) != MWDS_OK)
                return e;
        } else {
            a = c;
            c = d;
            fc = fd;
            d = a + r * (b - a);
            if ((e = eval_kick(&ks, d, &fd)) != MWDS_OK)
                return e;
        }
    }
    /* the best point evaluated, which is feasible whenever any was */
    *kick_best = ks.x_best;
    return MWDS_OK;
}

/* Burnout energy needed for the range (the minimum-energy trajectory
 * minimises it); kicks that cannot reach the range cost more than any that
 * can, the more the further they fall short. */
static mwds_err energy_cost(solver *sv, double kick, const void *arg, double *cost)
{
    double range_m = *(const double *)arg, cutoff;
    outcome o;
    mwds_err e = cutoff_for_range(sv, kick, range_m, &cutoff, &o);
    if (infeasible(e)) {
        *cost = 1e9 * (1.0 + fabs(range_m - o.range_m) / fabs(range_m));
        return MWDS_OK;
    }
    if (e != MWDS_OK)
        return e;
    *cost = o.burnout_energy_j_kg;
    return MWDS_OK;
}

/* Suborbital range at full burn, negated; a flight that goes round the
 * Earth (or over the pole to land behind the launch point) does not count. */
static mwds_err full_burn_cost(solver *sv, double kick, const void *arg, double *cost)
{
    (void)arg;
    outcome o;
    mwds_err e = fly(sv, kick, sv->t_full_s, &o);
    if (e != MWDS_OK)
        return e;
    *cost = o.range_m >= HUGE_RANGE_M || o.range_m < 0.0 ? 0.0 : -o.range_m;
    return MWDS_OK;
}

/* Kick giving apogee_m at range_m. x_in is a kick with a known apogee
 * (f_in = apogee - target, non-zero); x_out bounds the search on the other
 * side, where the apogee is past the target or the range out of reach. */
static mwds_err kick_for_apogee(solver *sv, double range_m, double apogee_m, double x_in,
                                double f_in, double x_out, double *kick, double *cutoff,
                                double *apogee_limit)
{
    mwds__bracket br = mwds__bracket_make(x_in, f_in, x_out, 0.0, 0);
    mwds_err e;
    for (int it = 0; it < 200; it++) {
        double x = mwds__bracket_next(&br), c;
        outcome o;
        e = cutoff_for_range(sv, x, range_m, &c, &o);
        if (e != MWDS_OK && !infeasible(e))
            return e;
        double fx = o.apogee_m - apogee_m;
        if (e == MWDS_OK && fabs(fx) < APOGEE_TOL_M) {
            *kick = x;
            *cutoff = c;
            return MWDS_OK;
        }
        mwds__bracket_update(&br, x, fx, e == MWDS_OK);
        if (br.last == 'a')
            *apogee_limit = o.apogee_m;
        /* collapsed without a root: the apogee is out of reach, or jumps
         * past it where the flight changes branch; either way *apogee_limit
         * is the nearest apogee found */
        if (mwds__bracket_width(&br) < 1e-10)
            return MWDS_EUNREACH;
    }
    return MWDS_ENOCONV;
}

/* Solves kick and cutoff for range (and apogee) at the solver's azimuth. */
static mwds_err solve_profile(solver *sv, double range_m, double apogee_m, double *kick,
                              double *cutoff, char *msg, size_t msg_len)
{
    const mwds_traj_request *req = sv->req;
    double k_met;
    mwds_err e = minimise_kick(sv, energy_cost, &range_m, &k_met);
    if (e != MWDS_OK)
        return e;
    double c_met;
    outcome o;
    e = cutoff_for_range(sv, k_met, range_m, &c_met, &o);
    if (e == MWDS_EUNREACH) {
        if (msg != NULL)
            snprintf(msg, msg_len, "range %.1f km is beyond class %s from this launch point (it "
                     "reaches %.1f km at full burn on this azimuth)",
                     range_m / 1000.0, req->cls->name, o.range_m / 1000.0);
        return e;
    }
    if (e == MWDS_ERANGE) {
        if (msg != NULL)
            snprintf(msg, msg_len, "range %.1f km is below what class %s can fly (its shortest "
                     "powered flight reaches %.1f km)",
                     range_m / 1000.0, req->cls->name, o.range_m / 1000.0);
        return MWDS_EUNREACH;
    }
    if (e == MWDS_ENOCONV && msg != NULL)
        snprintf(msg, msg_len, "no boost plan of class %s flies %.1f km on this azimuth (the "
                 "impact swings behind the launch point)", req->cls->name, range_m / 1000.0);
    if (e != MWDS_OK)
        return e;
    if (apogee_m <= 0.0 || fabs(o.apogee_m - apogee_m) < APOGEE_TOL_M) {
        *kick = k_met;
        *cutoff = c_met;
        return MWDS_OK;
    }
    int lofted = apogee_m > o.apogee_m;
    double limit = o.apogee_m;
    e = kick_for_apogee(sv, range_m, apogee_m, k_met, o.apogee_m - apogee_m,
                        lofted ? KICK_MIN_RAD : KICK_MAX_RAD, kick, cutoff, &limit);
    if (e == MWDS_EUNREACH && msg != NULL)
        snprintf(msg, msg_len,
                 "apogee %.1f km is %s the %s apogee found for class %s at range %.1f km "
                 "(%.1f km)",
                 apogee_m / 1000.0, lofted ? "above" : "below", lofted ? "highest" : "lowest",
                 req->cls->name, range_m / 1000.0, limit / 1000.0);
    return e;
}

static mwds_err check_request(const mwds_traj_request *req, char *msg, size_t msg_len)
{
    const char *why = NULL;
    if (req->cls == NULL)
        why = "no missile class";
    else if (!(fabs(req->launch.lat_rad) <= 0.5 * MWDS_PI) || !isfinite(req->launch.lon_rad) ||
             !isfinite(req->launch.h_m) || fabs(req->launch.h_m) > 10000.0)
        why = "launch point out of range";
    else if (req->has_target && (!(fabs(req->target.lat_rad) <= 0.5 * MWDS_PI) ||
                                 !isfinite(req->target.lon_rad)))
        why = "target point out of range";
    else if (!req->has_target && (!(req->range_m > 0.0) || !isfinite(req->range_m)))
        why = "range must be positive";
    else if (!req->has_target && !isfinite(req->azimuth_rad))
        why = "azimuth is not a number";
    else if (!(req->apogee_m >= 0.0) || !isfinite(req->apogee_m))
        why = "apogee must be positive (or 0 for minimum energy)";
    if (why == NULL)
        return MWDS_OK;
    if (msg != NULL)
        snprintf(msg, msg_len, "%s", why);
    return MWDS_EINVAL;
}

static void init_solver(solver *sv, const mwds_traj_request *req, double azimuth_rad)
{
    memset(sv, 0, sizeof *sv);
    sv->req = req;
    sv->flags = req->force_flags ? req->force_flags : MWDS_FORCE_ALL;
    sv->flags |= MWDS_FORCE_THRUST;
    sv->azimuth_rad = azimuth_rad;
    sv->t_min_s = req->cls->vertical_s + req->cls->kick_s;
    sv->t_full_s = mwds__ballistic_full_burn_s(req->cls);
}

mwds_err mwds_ballistic_solve(const mwds_traj_request *req, mwds_boost_plan *plan,
                              mwds_traj *traj, char *msg, size_t msg_len)
{
    mwds_err e = check_request(req, msg, msg_len);
    if (e != MWDS_OK)
        return e;
    double az = req->azimuth_rad, range_m = req->range_m, az_want = az;
    if (req->has_target) {
        if ((e = mwds_geo_inverse(req->launch, req->target, &range_m, &az_want, NULL)) != MWDS_OK)
            return e;
        az = az_want;
    }
    solver sv;
    double kick = 0.0, cutoff = 0.0;
    mwds_traj tr;
    memset(&tr, 0, sizeof tr);
    for (int it = 0; it < 8; it++) {
        init_solver(&sv, req, az);
        if ((e = solve_profile(&sv, range_m, req->apogee_m, &kick, &cutoff, msg, msg_len)) !=
            MWDS_OK) {
            mwds_traj_fini(&tr);
            return e;
        }
        mwds_force_model fm = model(&sv, kick, cutoff);
        mwds_integ_opts o = {SOLVE_RTOL, 0, 0, 1, 0};
        mwds_traj_fini(&tr);
        if ((e = mwds_ballistic_fly(&fm, mwds_geo_lla_to_ecef(req->launch), mwds_v3(0, 0, 0),
                                    req->launch_t_ns, &o, &tr)) != MWDS_OK)
            return e;
        if (!req->has_target)
            break;
        double miss_m, az_got;
        if ((e = mwds_geo_inverse(req->target, tr.sum.impact, &miss_m, NULL, NULL)) != MWDS_OK ||
            (e = mwds_geo_inverse(req->launch, tr.sum.impact, NULL, &az_got, NULL)) != MWDS_OK) {
            mwds_traj_fini(&tr);
            return e;
        }
        if (miss_m < TARGET_TOL_M)
            break;
        if (it == 7) {
            mwds_traj_fini(&tr);
            if (msg != NULL)
                snprintf(msg, msg_len, "azimuth to the target did not converge (miss %.1f km)",
                         miss_m / 1000.0);
            return MWDS_ENOCONV;
        }
        az = mwds_geo_wrap_2pi(az + mwds_geo_wrap_pi(az_want - az_got));
    }
    plan->azimuth_rad = az;
    plan->kick_rad = kick;
    plan->cutoff_s = cutoff;
    if (traj != NULL)
        *traj = tr;
    else
        mwds_traj_fini(&tr);
    return MWDS_OK;
}

mwds_err mwds_ballistic_max_range(const mwds_missile_class *cls, mwds_lla launch,
                                  double azimuth_rad, unsigned force_flags, double *range_m)
{
    if (cls == NULL || range_m == NULL)
        return MWDS_EINVAL;
    mwds_traj_request req;
    memset(&req, 0, sizeof req);
    req.cls = cls;
    req.launch = launch;
    req.force_flags = force_flags;
    solver sv;
    init_solver(&sv, &req, azimuth_rad);
    double kick;
    mwds_err e = minimise_kick(&sv, full_burn_cost, NULL, &kick);
    if (e != MWDS_OK)
        return e;
    outcome o;
    if ((e = fly(&sv, kick, sv.t_full_s, &o)) != MWDS_OK)
        return e;
    *range_m = o.range_m > 0.0 && o.range_m < HUGE_RANGE_M ? o.range_m : 0.0;
    return MWDS_OK;
}
