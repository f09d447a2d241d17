/*
 * report.html: the after-action report as one self-contained page (no
 * scripts, no external files; plots are inline SVG drawn here).
 *
 * Plots: a map (equirectangular about the scene's mean latitude) of launch
 * points, truth ground tracks, impact points and each nation's final 95 %
 * impact ellipse, over the coastlines of the areas file when one was
 * loaded; PIP error over time per launch; track coverage per launch and
 * nation; OSPA over time; the latency distribution (CDF, log scale).
 * Longitudes are unwrapped to [0, 360) when the scene straddles the
 * antimeridian.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "score_data.h"

#define MAX_PIP_PLOTS 12
#define MAX_COVERAGE_ROWS 64
#define ELLIPSE_POINTS 72

static const char *const PALETTE[] = {"#1f77b4", "#d62728", "#2ca02c", "#ff7f0e",
                                      "#9467bd", "#8c564b", "#e377c2", "#17becf"};

static const char *colour(size_t nation)
{
    return PALETTE[nation % (sizeof PALETTE / sizeof PALETTE[0])];
}

static void esc(FILE *f, const char *s)
{
    for (; *s; s++) {
        switch (*s) {
        case '<': fputs("&lt;", f); break;
        case '>': fputs("&gt;", f); break;
        case '&': fputs("&amp;", f); break;
        case '"': fputs("&quot;", f); break;
        default: fputc(*s, f);
        }
    }
}

/* ---- a plot frame: data ranges mapped to a pixel box ---- */

typedef struct frame {
    double x0, x1, y0, y1;  /* data */
    int logx;
    double px, py, pw, ph;  /* pixel box of the plot area */
} frame;

static double fx(const frame *fr, double x)
{
    double a = fr->logx ? log10(x) : x, lo = fr->logx ? log10(fr->x0) : fr->x0,
           hi = fr->logx ? log10(fr->x1) : fr->x1;
    return fr->px + (a - lo) / (hi - lo) * fr->pw;
}

static double fy(const frame *fr, double y)
{
    return fr->py + fr->ph - (y - fr->y0) / (fr->y1 - fr->y0) * fr->ph;
}

/* A "nice" tick step for a span (1, 2 or 5 times a power of ten). */
static double nice_step(double span, int ticks)
{
    double raw = span / ticks, p = pow(10.0, floor(log10(raw))), m = raw / p;
    return (m < 1.5 ? 1.0 : m < 3.5 ? 2.0 : m < 7.5 ? 5.0 : 10.0) * p;
}

static void svg_open(FILE *f, frame *fr, double w, double h)
{
    fr->px = 64;
    fr->py = 12;
    fr->pw = w - 64 - 150;
    fr->ph = h - 12 - 44;
    fprintf(f, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%.0f\" height=\"%.0f\" "
               "viewBox=\"0 0 %.0f %.0f\" font-family=\"sans-serif\" font-size=\"11\">\n",
            w, h, w, h);
}

static void axes(FILE *f, const frame *fr, const char *xlabel, const char *ylabel)
{
    fprintf(f, "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" fill=\"#fff\" "
               "stroke=\"#444\"/>\n",
            fr->px, fr->py, fr->pw, fr->ph);
    if (fr->logx) {
        for (double d = pow(10.0, floor(log10(fr->x0))); d <= fr->x1 * 1.0001; d *= 10.0) {
            if (d < fr->x0 * 0.9999)
                continue;
            double x = fx(fr, d);
            fprintf(f, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#ddd\"/>"
                       "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\">%g</text>\n",
                    x, fr->py, x, fr->py + fr->ph, x, fr->py + fr->ph + 14, d);
        }
    } else {
        double st = nice_step(fr->x1 - fr->x0, 8);
        for (double v = ceil(fr->x0 / st) * st; v <= fr->x1 + 1e-9 * st; v += st) {
            double x = fx(fr, v);
            fprintf(f, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#ddd\"/>"
                       "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\">%g</text>\n",
                    x, fr->py, x, fr->py + fr->ph, x, fr->py + fr->ph + 14, v + 0.0);
        }
    }
    double st = nice_step(fr->y1 - fr->y0, 5);
    for (double v = ceil(fr->y0 / st) * st; v <= fr->y1 + 1e-9 * st; v += st) {
        double y = fy(fr, v);
        fprintf(f, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#ddd\"/>"
                   "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"end\">%g</text>\n",
                fr->px, y, fr->px + fr->pw, y, fr->px - 4, y + 4, v + 0.0);
    }
    fprintf(f, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\">", fr->px + fr->pw / 2,
            fr->py + fr->ph + 32);
    esc(f, xlabel);
    fprintf(f, "</text><text transform=\"translate(14 %.1f) rotate(-90)\" "
               "text-anchor=\"middle\">",
            fr->py + fr->ph / 2);
    esc(f, ylabel);
    fputs("</text>\n", f);
}

static void legend(FILE *f, const frame *fr, int row, const char *col, const char *dash,
                   const char *label)
{
    double x = fr->px + fr->pw + 12, y = fr->py + 10 + 16 * row;
    fprintf(f, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"%s\" "
               "stroke-width=\"2\"%s%s%s/><text x=\"%.1f\" y=\"%.1f\">",
            x, y, x + 22, y, col, dash ? " stroke-dasharray=\"" : "", dash ? dash : "",
            dash ? "\"" : "", x + 28, y + 4);
    esc(f, label);
    fputs("</text>\n", f);
}

/* ---- the map ---- */

typedef struct map {
    double lon0, lon1, lat0, lat1, kx; /* view in degrees; kx = cos(mean latitude) */
    int unwrap;                        /* longitudes taken in [0, 360) */
    double w, h;
} map;

static double mlon(const map *m, double lon)
{
    return m->unwrap && lon < 0.0 ? lon + 360.0 : lon;
}

static double mx(const map *m, double lon)
{
    return (mlon(m, lon) - m->lon0) / (m->lon1 - m->lon0) * m->w;
}

static double my(const map *m, double lat)
{
    return (m->lat1 - lat) / (m->lat1 - m->lat0) * m->h;
}

static void ellipse_points(const sc_warning_row *w, double *lon, double *lat)
{
    mwds_ellipse el;
    memset(&el, 0, sizeof el);
    el.centre = (mwds_lla){w->p.imp_lat_deg * MWDS_DEG2RAD, w->p.imp_lon_deg * MWDS_DEG2RAD, 0};
    el.semi_major_m = w->p.semi_major_km * 1e3;
    el.semi_minor_m = w->p.semi_minor_km * 1e3;
    el.major_az_rad = w->p.major_az_deg * MWDS_DEG2RAD;
    mwds_ellipse_outline(&el, ELLIPSE_POINTS, lon, lat);
}

static void map_extend(double *b, double lon, double lat)
{
    b[0] = fmin(b[0], lon);
    b[1] = fmax(b[1], lon);
    b[2] = fmin(b[2], lat);
    b[3] = fmax(b[3], lat);
}

static void write_map(FILE *f, const mwds_score *s)
{
    if (s->n_truth == 0) {
        fputs("<p>No launches.</p>\n", f);
        return;
    }
    map m;
    memset(&m, 0, sizeof m);
    /* straddling the antimeridian: a ground track that jumps by over 180
     * degrees between points */
    for (size_t l = 0; l < s->n_truth; l++)
        for (size_t k = 1; k < s->truth[l].n_gt; k++)
            if (fabs(s->truth[l].gt_lon[k] - s->truth[l].gt_lon[k - 1]) > 180.0)
                m.unwrap = 1;
    double b[4] = {INFINITY, -INFINITY, INFINITY, -INFINITY};
    double elon[ELLIPSE_POINTS], elat[ELLIPSE_POINTS];
    for (size_t l = 0; l < s->n_truth; l++) {
        const sc_truth *t = &s->truth[l];
        for (size_t k = 0; k < t->n_gt; k++)
            map_extend(b, mlon(&m, t->gt_lon[k]), t->gt_lat[k]);
        for (size_t n = 0; n < s->n_nations; n++) {
            const sc_warning_row *w = mwds__score_final_pip(s, l, n);
            if (w == NULL || w->p.semi_major_km > 2000.0)
                continue; /* an ellipse larger than a region would hide the scene */
            ellipse_points(w, elon, elat);
            for (int k = 0; k < ELLIPSE_POINTS; k++)
                map_extend(b, mlon(&m, elon[k]), elat[k]);
        }
    }
    double span = fmax(b[1] - b[0], b[3] - b[2]);
    double pad = fmax(1.0, 0.12 * span);
    m.lon0 = b[0] - pad;
    m.lon1 = b[1] + pad;
    m.lat0 = fmax(-89.0, b[2] - pad);
    m.lat1 = fmin(89.0, b[3] + pad);
    m.kx = cos(0.5 * (m.lat0 + m.lat1) * MWDS_DEG2RAD);
    m.w = 820;
    m.h = m.w * (m.lat1 - m.lat0) / ((m.lon1 - m.lon0) * m.kx);
    if (m.h > 700) { /* a tall scene: keep the height, narrow the width */
        m.w *= 700 / m.h;
        m.h = 700;
    }
    fprintf(f, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%.0f\" height=\"%.0f\" "
               "viewBox=\"0 0 %.0f %.0f\" font-family=\"sans-serif\" font-size=\"11\">\n"
               "<defs><clipPath id=\"mapclip\"><rect width=\"%.0f\" height=\"%.0f\"/></clipPath>"
               "</defs>\n<rect width=\"%.0f\" height=\"%.0f\" fill=\"#eaf2fb\" stroke=\"#444\"/>\n"
               "<g clip-path=\"url(#mapclip)\">\n",
            m.w, m.h, m.w, m.h, m.w, m.h, m.w, m.h);
    /* coastlines */
    if (s->have_areas) {
        for (size_t a = 0; a < s->areas.n; a++) {
            const mwds_area *ar = &s->areas.areas[a];
            for (size_t r = 0; r < ar->n_rings; r++) {
                const mwds_ring *rg = &ar->rings[r];
                double lo = mlon(&m, rg->lon_min), hi = mlon(&m, rg->lon_max);
                if (m.unwrap && rg->lon_min < 0.0 && rg->lon_max >= 0.0)
                    lo = 0.0, hi = 360.0; /* a ring across the meridian: keep it */
                if (hi < m.lon0 || lo > m.lon1 || rg->lat_max < m.lat0 || rg->lat_min > m.lat1)
                    continue;
                fputs("<path d=\"", f);
                for (size_t k = 0; k < rg->n; k++)
                    fprintf(f, "%c%.1f %.1f", k ? 'L' : 'M', mx(&m, rg->lon_deg[k]),
                            my(&m, rg->lat_deg[k]));
                fprintf(f, "Z\" fill=\"%s\" stroke=\"#888\" stroke-width=\"0.6\"/>\n",
                        rg->hole ? "#eaf2fb" : "#f4f1e8");
            }
        }
    }
    /* graticule every few degrees */
    double gs = nice_step(m.lon1 - m.lon0, 6);
    for (double v = ceil(m.lon0 / gs) * gs; v <= m.lon1; v += gs)
        fprintf(f, "<line x1=\"%.1f\" y1=\"0\" x2=\"%.1f\" y2=\"%.0f\" stroke=\"#bbb\" "
                   "stroke-width=\"0.5\"/><text x=\"%.1f\" y=\"%.0f\" fill=\"#666\">%g&#176;</text>\n",
                mx(&m, v), mx(&m, v), m.h, mx(&m, v) + 2, m.h - 4, v > 180.0 ? v - 360.0 : v);
    for (double v = ceil(m.lat0 / gs) * gs; v <= m.lat1; v += gs)
        fprintf(f, "<line x1=\"0\" y1=\"%.1f\" x2=\"%.0f\" y2=\"%.1f\" stroke=\"#bbb\" "
                   "stroke-width=\"0.5\"/><text x=\"2\" y=\"%.1f\" fill=\"#666\">%g&#176;</text>\n",
                my(&m, v), m.w, my(&m, v), my(&m, v) - 2, v);
    /* truth: ground tracks, launch points (triangles), impact points
     * (crosses); a launch point is labelled unless an earlier label is
     * within a few pixels (salvos from one site) */
    double *lab_x = malloc(s->n_truth * sizeof *lab_x), *lab_y = malloc(s->n_truth * sizeof *lab_y);
    size_t n_lab = 0;
    for (size_t l = 0; l < s->n_truth; l++) {
        const sc_truth *t = &s->truth[l];
        fputs("<polyline fill=\"none\" stroke=\"#000\" stroke-width=\"1.5\" points=\"", f);
        for (size_t k = 0; k < t->n_gt; k++)
            fprintf(f, "%.1f,%.1f ", mx(&m, t->gt_lon[k]), my(&m, t->gt_lat[k]));
        fputs("\"/>\n", f);
        double lx = mx(&m, mwds_geo_wrap_pi(t->launch.lon_rad) * MWDS_RAD2DEG),
               ly = my(&m, t->launch.lat_rad * MWDS_RAD2DEG);
        double ix = mx(&m, mwds_geo_wrap_pi(t->impact.lon_rad) * MWDS_RAD2DEG),
               iy = my(&m, t->impact.lat_rad * MWDS_RAD2DEG);
        fprintf(f, "<path d=\"M%.1f %.1fl5 9h-10z\" fill=\"#000\"/>"
                   "<path d=\"M%.1f %.1fl8 8m0 -8l-8 8\" stroke=\"#000\" stroke-width=\"2\"/>\n",
                lx, ly - 6, ix - 4, iy - 4);
        int crowded = 0;
        for (size_t k = 0; k < n_lab && !crowded; k++)
            crowded = fabs(lab_x[k] - lx) < 30.0 && fabs(lab_y[k] - ly) < 10.0;
        if (!crowded && lab_x != NULL && lab_y != NULL) {
            lab_x[n_lab] = lx;
            lab_y[n_lab++] = ly;
            fprintf(f, "<text x=\"%.1f\" y=\"%.1f\">", lx + 7, ly + 4);
            esc(f, t->id);
            fputs("</text>\n", f);
        }
        for (size_t n = 0; n < s->n_nations; n++) {
            const sc_warning_row *w = mwds__score_final_pip(s, l, n);
            if (w == NULL)
                continue;
            ellipse_points(w, elon, elat);
            fputs("<polygon fill=\"none\" stroke-width=\"1.5\" stroke=\"", f);
            fputs(colour(n), f);
            fputs("\" points=\"", f);
            for (int k = 0; k < ELLIPSE_POINTS; k++)
                fprintf(f, "%.1f,%.1f ", mx(&m, elon[k]), my(&m, elat[k]));
            fprintf(f, "\"/><circle cx=\"%.1f\" cy=\"%.1f\" r=\"3\" fill=\"%s\"/>\n",
                    mx(&m, w->p.imp_lon_deg), my(&m, w->p.imp_lat_deg), colour(n));
        }
    }
    free(lab_x);
    free(lab_y);
    fputs("</g>\n", f);
    /* legend */
    double y = 16;
    fprintf(f, "<rect x=\"%.0f\" y=\"4\" width=\"196\" height=\"%.0f\" fill=\"#fff\" "
               "fill-opacity=\"0.85\" stroke=\"#888\"/>\n",
            m.w - 202, 20.0 + 16.0 * (double)s->n_nations + 16.0);
    fprintf(f, "<text x=\"%.0f\" y=\"%.0f\">&#9650; launch  &#10005; impact (truth)</text>\n",
            m.w - 196, y);
    y += 16;
    fprintf(f, "<line x1=\"%.0f\" y1=\"%.0f\" x2=\"%.0f\" y2=\"%.0f\" stroke=\"#000\" "
               "stroke-width=\"1.5\"/><text x=\"%.0f\" y=\"%.0f\">ground track</text>\n",
            m.w - 196, y - 4, m.w - 174, y - 4, m.w - 168, y);
    for (size_t n = 0; n < s->n_nations; n++) {
        if (s->nations[n].journal < 0)
            continue;
        y += 16;
        fprintf(f, "<circle cx=\"%.0f\" cy=\"%.0f\" r=\"4\" fill=\"none\" stroke=\"%s\" "
                   "stroke-width=\"1.5\"/><text x=\"%.0f\" y=\"%.0f\">%s final 95 %% ellipse"
                   "</text>\n",
                m.w - 186, y - 4, colour(n), m.w - 168, y, s->nations[n].code);
    }
    fputs("</svg>\n", f);
    if (!s->have_areas)
        fputs("<p class=\"note\">No coastlines: the areas file was not found.</p>\n", f);
}

/* ---- PIP error over time ---- */

static void write_pip(FILE *f, const mwds_score *s)
{
    int plots = 0;
    size_t without = 0, skipped = 0;
    for (size_t l = 0; l < s->n_truth; l++) {
        const sc_truth *t = &s->truth[l];
        double xmax = mwds_time_to_s(t->impact_ns - t->launch_ns), ymax = 0.0;
        int any = 0;
        for (size_t n = 0; n < s->n_nations; n++) {
            const sc_cell *c = sc_cell_at(s, l, n);
            if (s->nations[n].journal < 0)
                continue;
            const sc_journal *j = &s->journals[s->nations[n].journal];
            for (int k = 0; k < c->n_pip; k++) {
                const sc_warning_row *w = &j->wr[c->pip[k]];
                xmax = fmax(xmax, mwds_time_to_s(w->t_avail_ns - t->launch_ns));
                ymax = fmax(ymax, w->pip_err_km);
                any = 1;
            }
        }
        if (!any) {
            without++;
            continue;
        }
        if (plots == MAX_PIP_PLOTS) {
            skipped++;
            continue;
        }
        plots++;
        fputs("<h3>", f);
        esc(f, t->id);
        fputs("</h3>\n", f);
        frame fr = {0.0, xmax * 1.05, 0.0, ymax > 0.0 ? ymax * 1.1 : 1.0, 0, 0, 0, 0, 0};
        svg_open(f, &fr, 760, 260);
        axes(f, &fr, "seconds after launch (when the prediction reached the nation)",
             "PIP error, km");
        int row = 0;
        for (size_t n = 0; n < s->n_nations; n++) {
            const sc_cell *c = sc_cell_at(s, l, n);
            if (s->nations[n].journal < 0 || c->n_pip == 0)
                continue;
            const sc_journal *j = &s->journals[s->nations[n].journal];
            /* in order of availability: the pip list is in journal order */
            size_t *ord = malloc((size_t)c->n_pip * sizeof *ord);
            if (ord == NULL)
                continue;
            for (int k = 0; k < c->n_pip; k++) {
                int p = k;
                while (p > 0 && j->wr[ord[p - 1]].t_avail_ns > j->wr[c->pip[k]].t_avail_ns) {
                    ord[p] = ord[p - 1];
                    p--;
                }
                ord[p] = c->pip[k];
            }
            fprintf(f, "<polyline fill=\"none\" stroke=\"%s\" stroke-width=\"1.5\" points=\"",
                    colour(n));
            for (int k = 0; k < c->n_pip; k++) {
                const sc_warning_row *w = &j->wr[ord[k]];
                fprintf(f, "%.1f,%.1f ", fx(&fr, mwds_time_to_s(w->t_avail_ns - t->launch_ns)),
                        fy(&fr, w->pip_err_km));
            }
            fputs("\"/>\n", f);
            for (int k = 0; k < c->n_pip; k++) {
                const sc_warning_row *w = &j->wr[ord[k]];
                fprintf(f, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"3\" fill=\"%s\" stroke=\"%s\">"
                           "<title>%s W%u from %s: %.1f km, time of impact %+.1f s%s</title>"
                           "</circle>\n",
                        fx(&fr, mwds_time_to_s(w->t_avail_ns - t->launch_ns)),
                        fy(&fr, w->pip_err_km), w->ellipse_r <= 1.0 ? colour(n) : "#fff",
                        colour(n), mwds_warning_kind_name((mwds_warning_kind)w->p.kind), w->id,
                        s->nations[w->origin].code, w->pip_err_km, w->toi_err_s,
                        w->ellipse_r <= 1.0 ? ", truth inside the ellipse" : "");
            }
            free(ord);
            legend(f, &fr, row++, colour(n), NULL, s->nations[n].code);
        }
        fputs("</svg>\n", f);
    }
    if (skipped > 0)
        fprintf(f, "<p class=\"note\">The first %d launches with predictions are plotted "
                   "(%zu more); report.json holds every launch's predictions.</p>\n",
                MAX_PIP_PLOTS, skipped);
    if (without > 0)
        fprintf(f, "<p>%zu of %zu launches have no impact prediction in any journal.</p>\n",
                without, s->n_truth);
    fputs("<p class=\"note\">Filled points: the truth's impact point lay inside the "
          "prediction's 95 % ellipse; open points: outside.</p>\n",
          f);
}

/* ---- coverage ---- */

static void write_coverage(FILE *f, const mwds_score *s)
{
    size_t rows = 0;
    double t0 = INFINITY, t1 = -INFINITY;
    for (size_t l = 0; l < s->n_truth; l++) {
        t0 = fmin(t0, mwds_time_to_s(s->truth[l].launch_ns - s->start_ns));
        t1 = fmax(t1, mwds_time_to_s(s->truth[l].impact_ns - s->start_ns));
        for (size_t n = 0; n < s->n_nations; n++)
            rows += s->nations[n].journal >= 0;
    }
    if (rows == 0) {
        fputs("<p>No launches or no journals.</p>\n", f);
        return;
    }
    size_t total_rows = rows;
    if (rows > MAX_COVERAGE_ROWS)
        rows = MAX_COVERAGE_ROWS;
    double pad = fmax(5.0, 0.03 * (t1 - t0));
    frame fr = {t0 - pad, t1 + pad, 0.0, (double)rows, 0, 0, 0, 0, 0};
    svg_open(f, &fr, 760, 70 + 18.0 * (double)rows);
    fr.px = 130;
    fr.pw = 760 - 130 - 20;
    fprintf(f, "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" fill=\"#fff\" "
               "stroke=\"#444\"/>\n",
            fr.px, fr.py, fr.pw, fr.ph);
    double st = nice_step(fr.x1 - fr.x0, 8);
    for (double v = ceil(fr.x0 / st) * st; v <= fr.x1; v += st)
        fprintf(f, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#ddd\"/>"
                   "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\">%g</text>\n",
                fx(&fr, v), fr.py, fx(&fr, v), fr.py + fr.ph, fx(&fr, v), fr.py + fr.ph + 14, v + 0.0);
    fprintf(f, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\">seconds from the scenario's "
               "start</text>\n",
            fr.px + fr.pw / 2, fr.py + fr.ph + 32);
    size_t row = 0;
    for (size_t l = 0; l < s->n_truth && row < rows; l++) {
        const sc_truth *t = &s->truth[l];
        for (size_t n = 0; n < s->n_nations && row < rows; n++) {
            if (s->nations[n].journal < 0)
                continue;
            const sc_cell *c = sc_cell_at(s, l, n);
            double y = fr.py + fr.ph * (double)row / (double)rows;
            double h = fr.ph / (double)rows;
            fprintf(f, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"end\">", fr.px - 6,
                    y + h / 2 + 4);
            esc(f, t->id);
            fprintf(f, " %s</text>\n", s->nations[n].code);
            fprintf(f, "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" "
                       "fill=\"#e5e5e5\"><title>in flight</title></rect>\n",
                    fx(&fr, mwds_time_to_s(t->launch_ns - s->start_ns)), y + h * 0.2,
                    fx(&fr, mwds_time_to_s(t->impact_ns - s->start_ns)) -
                        fx(&fr, mwds_time_to_s(t->launch_ns - s->start_ns)),
                    h * 0.6);
            for (size_t k = 0; k < c->n_cov; k++) {
                double a = (double)c->cov[k].first * s->opt.step_s,
                       b = (double)(c->cov[k].last + 1) * s->opt.step_s;
                fprintf(f, "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" "
                           "fill=\"%s\"><title>held %g-%g s</title></rect>\n",
                        fx(&fr, a), y + h * 0.25, fx(&fr, b) - fx(&fr, a), h * 0.5, colour(n), a,
                        b);
            }
            row++;
        }
    }
    fputs("</svg>\n", f);
    fputs("<p class=\"note\">Grey: the missile in flight (truth). Colour: steps at which the "
          "nation's picture held a track associated with it.",
          f);
    if (row < total_rows)
        fprintf(f, " The first %zu of %zu rows are drawn; report.json has every launch's "
                   "coverage.",
                row, total_rows);
    fputs("</p>\n", f);
}

/* ---- OSPA ---- */

static void write_ospa(FILE *f, const mwds_score *s)
{
    if (s->n_steps < 2) {
        fputs("<p>Too few time steps.</p>\n", f);
        return;
    }
    frame fr = {0.0, (double)(s->n_steps - 1) * s->opt.step_s, 0.0, s->opt.ospa_c_m / 1e3 * 1.05,
                0, 0, 0, 0, 0};
    svg_open(f, &fr, 760, 260);
    axes(f, &fr, "seconds from the scenario's start", "OSPA, km");
    int row = 0;
    for (size_t n = 0; n < s->n_nations; n++) {
        const sc_nation *nat = &s->nations[n];
        if (nat->journal < 0)
            continue;
        fprintf(f, "<polyline fill=\"none\" stroke=\"%s\" stroke-width=\"1.2\" points=\"",
                colour(n));
        for (int64_t k = 0; k < s->n_steps; k++)
            fprintf(f, "%.1f,%.1f ", fx(&fr, (double)k * s->opt.step_s),
                    fy(&fr, nat->ospa_m[k] / 1e3));
        fputs("\"/>\n", f);
        legend(f, &fr, row++, colour(n), NULL, nat->code);
    }
    fputs("</svg>\n", f);
    fprintf(f, "<p class=\"note\">OSPA of order p = %g with cutoff c = %g km between the "
               "missiles in flight and the nation's picture; c means wholly missed or "
               "spurious.</p>\n",
            s->opt.ospa_p, s->opt.ospa_c_m / 1e3);
}

/* ---- latency ---- */

static int cmp_double(const void *pa, const void *pb)
{
    double a = *(const double *)pa, b = *(const double *)pb;
    return (a > b) - (a < b);
}

static void cdf_line(FILE *f, const frame *fr, const double *ms, size_t n, const char *col,
                     const char *dash)
{
    double *v = malloc((n ? n : 1) * sizeof *v);
    if (v == NULL)
        return;
    memcpy(v, ms, n * sizeof *v);
    qsort(v, n, sizeof *v, cmp_double);
    fprintf(f, "<polyline fill=\"none\" stroke=\"%s\" stroke-width=\"1.5\"%s%s%s points=\"", col,
            dash ? " stroke-dasharray=\"" : "", dash ? dash : "", dash ? "\"" : "");
    size_t stride = n > 400 ? n / 400 : 1;
    for (size_t i = 0; i < n; i += stride) {
        double x = fmin(fmax(v[i], fr->x0), fr->x1);
        fprintf(f, "%.1f,%.1f ", fx(fr, x), fy(fr, (double)(i + 1) / (double)n));
    }
    fprintf(f, "%.1f,%.1f", fx(fr, fmin(fmax(v[n - 1], fr->x0), fr->x1)), fy(fr, 1.0));
    fputs("\"/>\n", f);
    free(v);
}

static void write_latency(FILE *f, const mwds_score *s)
{
    double lo = INFINITY, hi = -INFINITY;
    for (size_t a = 0; a < s->n_journals; a++) {
        const sc_journal *j = &s->journals[a];
        for (size_t i = 0; i < j->n_lat_net; i++) {
            lo = fmin(lo, j->lat_net_ms[i]);
            hi = fmax(hi, j->lat_net_ms[i]);
        }
        for (size_t i = 0; i < j->n_lat_chain; i++) {
            lo = fmin(lo, j->lat_chain_ms[i]);
            hi = fmax(hi, j->lat_chain_ms[i]);
        }
    }
    if (!(hi >= lo)) {
        fputs("<p>No received rows: no latency to show.</p>\n", f);
        return;
    }
    lo = pow(10.0, floor(log10(fmax(lo, 1e-3))));
    hi = pow(10.0, ceil(log10(fmax(hi, lo * 10.0))));
    frame fr = {lo, hi, 0.0, 1.0, 1, 0, 0, 0, 0};
    svg_open(f, &fr, 760, 280);
    axes(f, &fr, "milliseconds (log scale)", "fraction of received samples");
    int row = 0;
    for (size_t n = 0; n < s->n_nations; n++) {
        const sc_nation *nat = &s->nations[n];
        if (nat->journal < 0)
            continue;
        const sc_journal *j = &s->journals[nat->journal];
        char label[64];
        if (j->n_lat_net > 0) {
            cdf_line(f, &fr, j->lat_net_ms, j->n_lat_net, colour(n), NULL);
            snprintf(label, sizeof label, "%s network", nat->code);
            legend(f, &fr, row++, colour(n), NULL, label);
        }
        if (j->n_lat_chain > 0) {
            cdf_line(f, &fr, j->lat_chain_ms, j->n_lat_chain, colour(n), "5 3");
            snprintf(label, sizeof label, "%s look to receipt", nat->code);
            legend(f, &fr, row++, colour(n), "5 3", label);
        }
    }
    fputs("</svg>\n", f);
    fputs("<p class=\"note\">Received Track and Warning samples. Network: the writer's source "
          "timestamp to receipt. Look to receipt: the publication of the sensor look behind "
          "the sample to its receipt (processing at the origin included). Wall-clock "
          "milliseconds.</p>\n",
          f);
}

/* ---- tables ---- */

static void td_num(FILE *f, double v, const char *fmt)
{
    fputs("<td>", f);
    if (isfinite(v))
        fprintf(f, fmt, v);
    else
        fputs("&ndash;", f);
    fputs("</td>", f);
}

static void write_tables(FILE *f, const mwds_score *s)
{
    fputs("<h2>Per launch and nation</h2>\n<table><tr><th>launch</th><th>class</th>"
          "<th>nation</th><th>first track, s</th><th>first LAUNCH warning, s</th><th>from</th>"
          "<th>final PIP error, km</th><th>final time-of-impact error, s</th>"
          "<th>coverage</th></tr>\n",
          f);
    for (size_t l = 0; l < s->n_truth; l++)
        for (size_t n = 0; n < s->n_nations; n++) {
            if (s->nations[n].journal < 0)
                continue;
            const sc_cell *c = sc_cell_at(s, l, n);
            fputs("<tr><td>", f);
            esc(f, s->truth[l].id);
            fputs("</td><td>", f);
            esc(f, s->truth[l].cls);
            fprintf(f, "</td><td>%s</td>", s->nations[n].code);
            td_num(f, c->first_track_s, "%.1f");
            td_num(f, c->first_warning_s, "%.1f");
            fprintf(f, "<td>%s</td>",
                    c->first_warning_origin >= 0 ? s->nations[c->first_warning_origin].code : "");
            td_num(f, c->pip_final_km, "%.1f");
            td_num(f, c->toi_final_s, "%+.1f");
            td_num(f, c->alive_steps ? (double)c->held_steps / (double)c->alive_steps : NAN,
                   "%.2f");
            fputs("</tr>\n", f);
        }
    fputs("</table>\n<h2>Single integrated picture (SIAP) measures</h2>\n<table><tr>"
          "<th>nation</th><th>completeness</th><th>ambiguity</th><th>spuriousness</th>"
          "<th>position accuracy, m</th><th>velocity accuracy, m/s</th>"
          "<th>longest segment</th><th>track changes per hour</th><th>mean OSPA, m</th>"
          "<th>localisation, m</th><th>cardinality, m</th></tr>\n",
          f);
    for (size_t n = 0; n < s->n_nations; n++) {
        const sc_nation *nat = &s->nations[n];
        if (nat->journal < 0)
            continue;
        const mwds_siap_result *r = &nat->siap;
        fprintf(f, "<tr><td>%s</td>", nat->code);
        td_num(f, r->completeness, "%.3f");
        td_num(f, r->ambiguity, "%.3f");
        td_num(f, r->spuriousness, "%.3f");
        td_num(f, r->position_accuracy_m, "%.0f");
        td_num(f, r->velocity_accuracy_m_s, "%.1f");
        td_num(f, r->longest_segment, "%.3f");
        td_num(f, r->track_changes_per_s * 3600.0, "%.1f");
        td_num(f, nat->ospa_mean_m, "%.0f");
        td_num(f, nat->ospa_loc_mean_m, "%.0f");
        td_num(f, nat->ospa_card_mean_m, "%.0f");
        fputs("</tr>\n", f);
    }
    fputs("</table>\n", f);
    fprintf(f, "<p>Commonality between the nations' pictures: ");
    if (s->common_held > 0)
        fprintf(f, "%.3f", mwds_score_commonality(s));
    else
        fputs("&ndash; (no truth held)", f);
    for (size_t a = 0; a < s->n_nations; a++)
        for (size_t b = a + 1; b < s->n_nations; b++)
            if (s->pair_held[a][b] > 0)
                fprintf(f, "; %s&ndash;%s %.3f", s->nations[a].code, s->nations[b].code,
                        (double)s->pair_common[a][b] / (double)s->pair_held[a][b]);
    fputs(".</p>\n", f);
    fprintf(f, "<h2>Warnings delivered</h2>\n<p>%lld deliveries checked, <b>%lld lost</b>, "
               "<b>%lld duplicated</b>",
            (long long)s->warnings_checked, (long long)s->warnings_lost,
            (long long)s->warnings_duplicated);
    if (s->warnings_unchecked > 0)
        fprintf(f, "; %lld to nations without a journal not checked",
                (long long)s->warnings_unchecked);
    fputs(".</p>\n", f);
    if (s->n_lost > 0) {
        fputs("<table><tr><th>origin</th><th>warning</th><th>kind</th><th>not received by</th>"
              "</tr>\n",
              f);
        for (size_t i = 0; i < s->n_lost && i < 200; i++)
            fprintf(f, "<tr><td>%s</td><td>W%u</td><td>%s</td><td>%s</td></tr>\n",
                    s->nations[s->lost[i].origin].code, s->lost[i].id,
                    mwds_warning_kind_name((mwds_warning_kind)s->lost[i].kind),
                    s->nations[s->lost[i].to].code);
        fputs("</table>\n", f);
    }
}

mwds_err mwds_score_write_html(const mwds_score *s, const char *path, char *err, size_t err_len)
{
    if (s == NULL || path == NULL)
        return MWDS_EINVAL;
    FILE *f = fopen(path, "w");
    if (f == NULL) {
        if (err != NULL && err_len > 0)
            snprintf(err, err_len, "%s: cannot write the report", path);
        return MWDS_EIO;
    }
    char iso[40] = "";
    mwds_time_format_iso8601(s->start_ns, iso, sizeof iso);
    fputs("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n<title>", f);
    esc(f, s->name);
    fputs(" &mdash; mwds after-action report</title>\n<style>\n"
          "body{font-family:sans-serif;margin:24px;max-width:1000px;color:#222}\n"
          "table{border-collapse:collapse;margin:8px 0}td,th{border:1px solid #bbb;"
          "padding:3px 8px;text-align:right}th{background:#eee}td:first-child{text-align:left}\n"
          ".banner{background:#ffd54f;padding:6px 12px;font-weight:bold}\n"
          ".note{color:#555;font-size:90%}svg{display:block;margin:8px 0}\n"
          "</style></head><body>\n",
          f);
    if (s->exercise)
        fputs("<div class=\"banner\">EXERCISE &mdash; exercise data, not a real-world "
              "picture</div>\n",
              f);
    fputs("<h1>After-action report: ", f);
    esc(f, s->name);
    fputs("</h1>\n<p>Scenario <code>", f);
    esc(f, s->scenario_path);
    fprintf(f, "</code>, start %s, %g s; journals:", iso, s->duration_s);
    for (size_t a = 0; a < s->n_journals; a++) {
        fprintf(f, " %s <code>", s->nations[s->journals[a].nation].code);
        esc(f, s->journals[a].path);
        fprintf(f, "</code> (%lld rows)%s", (long long)s->journals[a].rows,
                a + 1 < s->n_journals ? "," : ".");
    }
    fprintf(f, " Pictures sampled every %g s; truth associated within %g km. Definitions: "
               "docs/scoring.md.</p>\n",
            s->opt.step_s, s->opt.gate_m / 1e3);
    write_tables(f, s);
    fputs("<h2>Map</h2>\n", f);
    write_map(f, s);
    fputs("<h2>PIP error over time</h2>\n", f);
    write_pip(f, s);
    fputs("<h2>Track coverage per nation</h2>\n", f);
    write_coverage(f, s);
    fputs("<h2>OSPA over time</h2>\n", f);
    write_ospa(f, s);
    fputs("<h2>Latency</h2>\n", f);
    write_latency(f, s);
    fputs("</body></html>\n", f);
    int bad = ferror(f);
    if (fclose(f) != 0 || bad) {
        if (err != NULL && err_len > 0)
            snprintf(err, err_len, "%s: cannot write the report", path);
        return MWDS_EIO;
    }
    return MWDS_OK;
}
