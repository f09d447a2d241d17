/*
 * The scored exercise as report.json (jansson) and as a terminal table.
 * Keys and units are listed in docs/scoring.md; a figure that does not
 * exist (no track, no warning) is null in JSON and "-" in the table.
 */
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "score_data.h"

static json_t *num_or_null(double v)
{
    return isfinite(v) ? json_real(v) : json_null();
}

static int cmp_double(const void *pa, const void *pb)
{
    double a = *(const double *)pa, b = *(const double *)pb;
    return (a > b) - (a < b);
}

/* Nearest-rank percentile q (0..1) of a sorted array. */
static double percentile(const double *v, size_t n, double q)
{
    if (n == 0)
        return NAN;
    size_t k = (size_t)ceil(q * (double)n);
    return v[k > 0 ? k - 1 : 0];
}

static json_t *latency_json(const double *ms, size_t n)
{
    double *v = malloc((n ? n : 1) * sizeof *v);
    if (v == NULL)
        return json_null();
    if (n > 0)
        memcpy(v, ms, n * sizeof *v); /* ms may be NULL when there are none */
    qsort(v, n, sizeof *v, cmp_double);
    json_t *o = json_pack("{s:I, s:o, s:o, s:o}", "n", (json_int_t)n, "p50",
                          num_or_null(percentile(v, n, 0.5)), "p95",
                          num_or_null(percentile(v, n, 0.95)), "max",
                          num_or_null(n ? v[n - 1] : NAN));
    free(v);
    return o;
}

static double rel_s(int64_t t_ns, int64_t ref_ns)
{
    return mwds_time_to_s(t_ns - ref_ns);
}

static json_t *launch_json(const mwds_score *s, size_t l)
{
    const sc_truth *t = &s->truth[l];
    json_t *o = json_object();
    json_object_set_new(o, "id", json_string(t->id));
    json_object_set_new(o, "class", json_string(t->cls));
    json_object_set_new(o, "launch_t_s", json_real(rel_s(t->launch_ns, s->start_ns)));
    json_object_set_new(o, "impact_t_s", json_real(rel_s(t->impact_ns, s->start_ns)));
    json_object_set_new(o, "launch",
                        json_pack("{s:f, s:f}", "lat_deg", t->launch.lat_rad * MWDS_RAD2DEG,
                                  "lon_deg", mwds_geo_wrap_pi(t->launch.lon_rad) * MWDS_RAD2DEG));
    json_object_set_new(o, "impact",
                        json_pack("{s:f, s:f}", "lat_deg", t->impact.lat_rad * MWDS_RAD2DEG,
                                  "lon_deg", mwds_geo_wrap_pi(t->impact.lon_rad) * MWDS_RAD2DEG));
    json_t *ft = json_object(), *fw = json_object(), *fwo = json_object(), *pf = json_object(),
           *tf = json_object(), *cov = json_object(), *pip = json_object();
    for (size_t n = 0; n < s->n_nations; n++) {
        if (s->nations[n].journal < 0)
            continue;
        const char *code = s->nations[n].code;
        const sc_cell *c = sc_cell_at(s, l, n);
        const sc_journal *j = &s->journals[s->nations[n].journal];
        json_object_set_new(ft, code, num_or_null(c->first_track_s));
        json_object_set_new(fw, code, num_or_null(c->first_warning_s));
        json_object_set_new(fwo, code,
                            c->first_warning_origin >= 0
                                ? json_string(s->nations[c->first_warning_origin].code)
                                : json_null());
        json_object_set_new(pf, code, num_or_null(c->pip_final_km));
        json_object_set_new(tf, code, num_or_null(c->toi_final_s));
        json_object_set_new(cov, code,
                            c->alive_steps ? json_real((double)c->held_steps /
                                                       (double)c->alive_steps)
                                           : json_null());
        json_t *arr = json_array();
        for (int k = 0; k < c->n_pip; k++) {
            const sc_warning_row *w = &j->wr[c->pip[k]];
            json_array_append_new(
                arr, json_pack("{s:f, s:f, s:s, s:I, s:s, s:b, s:f, s:f, s:o, s:b}", "t_s",
                               rel_s(w->t_avail_ns, t->launch_ns), "issued_t_s",
                               rel_s(w->issued_ns, t->launch_ns), "origin",
                               s->nations[w->origin].code, "id", (json_int_t)w->id, "kind",
                               mwds_warning_kind_name((mwds_warning_kind)w->p.kind), "received",
                               !w->own, "error_km", w->pip_err_km, "toi_error_s", w->toi_err_s,
                               "ellipse_radius", num_or_null(w->ellipse_r), "inside",
                               w->ellipse_r <= 1.0));
        }
        json_object_set_new(pip, code, arr);
    }
    json_object_set_new(o, "first_track_s", ft);
    json_object_set_new(o, "first_warning_s", fw);
    json_object_set_new(o, "first_warning_origin", fwo);
    json_object_set_new(o, "pip_error_km_final", num_or_null(s->pip_final_any_km[l]));
    json_object_set_new(o, "pip_error_km_final_by_nation", pf);
    json_object_set_new(o, "toi_error_s_final_by_nation", tf);
    json_object_set_new(o, "coverage", cov);
    json_object_set_new(o, "pip", pip);
    return o;
}

static json_t *report_json(const mwds_score *s)
{
    json_t *root = json_object();
    char iso[40] = "";
    mwds_time_format_iso8601(s->start_ns, iso, sizeof iso);
    json_object_set_new(root, "scenario",
                        json_pack("{s:s, s:s, s:s, s:f, s:b}", "name", s->name, "file",
                                  s->scenario_path, "start", iso, "duration_s", s->duration_s,
                                  "exercise", s->exercise));
    const mwds_score_options *o = &s->opt;
    json_object_set_new(root, "options",
                        json_pack("{s:f, s:f, s:f, s:f, s:f, s:f, s:f}", "step_s", o->step_s,
                                  "gate_km", o->gate_m / 1e3, "ospa_c_km", o->ospa_c_m / 1e3,
                                  "ospa_p", o->ospa_p, "max_age_s", o->max_age_s, "max_delay_s",
                                  o->max_delay_s, "window_s", o->window_s));
    json_t *nations = json_array(), *journals = json_array();
    for (size_t n = 0; n < s->n_nations; n++)
        json_array_append_new(nations, json_string(s->nations[n].code));
    for (size_t a = 0; a < s->n_journals; a++) {
        const sc_journal *j = &s->journals[a];
        json_array_append_new(
            journals,
            json_pack("{s:s, s:s, s:I, s:I, s:I, s:I, s:I, s:I}", "nation",
                      s->nations[j->nation].code, "file", j->path, "rows", (json_int_t)j->rows,
                      "track_rows", (json_int_t)j->n_tr, "warning_rows", (json_int_t)j->n_wr,
                      "ignored_exercise", (json_int_t)j->ignored_exercise, "ignored_origin",
                      (json_int_t)j->ignored_origin, "ignored_time",
                      (json_int_t)j->ignored_time));
    }
    json_object_set_new(root, "nations", nations);
    json_object_set_new(root, "journals", journals);
    json_t *launches = json_array();
    for (size_t l = 0; l < s->n_truth; l++)
        json_array_append_new(launches, launch_json(s, l));
    json_object_set_new(root, "launches", launches);
    json_t *siap = json_object(), *lat = json_object(), *ospa = json_object(),
           *ntr = json_object();
    for (size_t n = 0; n < s->n_nations; n++) {
        const sc_nation *nat = &s->nations[n];
        if (nat->journal < 0)
            continue;
        const sc_journal *j = &s->journals[nat->journal];
        const mwds_siap_result *r = &nat->siap;
        json_object_set_new(
            siap, nat->code,
            json_pack("{s:f, s:f, s:f, s:f, s:f, s:f, s:f, s:f, s:f, s:f, s:I, s:I, s:I, s:I}",
                      "completeness", r->completeness, "ambiguity", r->ambiguity,
                      "spuriousness", r->spuriousness, "position_accuracy_m",
                      r->position_accuracy_m, "velocity_accuracy_m_s", r->velocity_accuracy_m_s,
                      "longest_segment", r->longest_segment, "track_changes_per_s",
                      r->track_changes_per_s, "ospa_mean_m", nat->ospa_mean_m,
                      "ospa_localisation_mean_m", nat->ospa_loc_mean_m,
                      "ospa_cardinality_mean_m", nat->ospa_card_mean_m, "sum_j",
                      (json_int_t)r->sum_j, "sum_jt", (json_int_t)r->sum_jt, "sum_n",
                      (json_int_t)r->sum_n, "sum_na", (json_int_t)r->sum_na));
        json_object_set_new(lat, nat->code,
                            json_pack("{s:o, s:o}", "network",
                                      latency_json(j->lat_net_ms, j->n_lat_net),
                                      "sensor_to_receipt",
                                      latency_json(j->lat_chain_ms, j->n_lat_chain)));
        json_t *a = json_array(), *b = json_array();
        for (int64_t k = 0; k < s->n_steps; k++) {
            json_array_append_new(a, json_real(nat->ospa_m[k]));
            json_array_append_new(b, json_integer(nat->n_tracks[k]));
        }
        json_object_set_new(ospa, nat->code, a);
        json_object_set_new(ntr, nat->code, b);
    }
    json_object_set_new(root, "siap", siap);
    json_t *pairs = json_object();
    for (size_t a = 0; a < s->n_nations; a++)
        for (size_t b = a + 1; b < s->n_nations; b++) {
            if (s->nations[a].journal < 0 || s->nations[b].journal < 0)
                continue;
            char key[16];
            snprintf(key, sizeof key, "%s-%s", s->nations[a].code, s->nations[b].code);
            json_object_set_new(pairs, key,
                                s->pair_held[a][b]
                                    ? json_real((double)s->pair_common[a][b] /
                                                (double)s->pair_held[a][b])
                                    : json_null());
        }
    json_object_set_new(root, "commonality",
                        json_pack("{s:o, s:o}", "all",
                                  s->common_held ? json_real(mwds_score_commonality(s))
                                                 : json_null(),
                                  "pairs", pairs));
    json_t *ts = json_array();
    for (int64_t k = 0; k < s->n_steps; k++)
        json_array_append_new(ts, json_real((double)k * s->opt.step_s));
    json_object_set_new(root, "series",
                        json_pack("{s:o, s:o, s:o}", "t_s", ts, "ospa_m", ospa, "tracks", ntr));
    json_object_set_new(root, "latency_ms", lat);
    json_object_set_new(root, "warnings_checked", json_integer(s->warnings_checked));
    json_object_set_new(root, "warnings_unchecked", json_integer(s->warnings_unchecked));
    json_object_set_new(root, "warnings_lost", json_integer(s->warnings_lost));
    json_object_set_new(root, "warnings_duplicated", json_integer(s->warnings_duplicated));
    json_t *lost = json_array();
    for (size_t i = 0; i < s->n_lost; i++) {
        const sc_lost *x = &s->lost[i];
        json_array_append_new(lost,
                              json_pack("{s:s, s:I, s:s, s:s}", "origin",
                                        s->nations[x->origin].code, "id", (json_int_t)x->id,
                                        "kind", mwds_warning_kind_name((mwds_warning_kind)x->kind),
                                        "to", s->nations[x->to].code));
    }
    json_object_set_new(root, "lost", lost);
    return root;
}

mwds_err mwds_score_write_json(const mwds_score *s, const char *path, char *err, size_t err_len)
{
    if (s == NULL || path == NULL)
        return MWDS_EINVAL;
    json_t *root = report_json(s);
    if (root == NULL) {
        if (err != NULL && err_len > 0)
            snprintf(err, err_len, "%s: out of memory", path);
        return MWDS_ENOMEM;
    }
    int rc = json_dump_file(root, path, JSON_INDENT(1) | JSON_REAL_PRECISION(10));
    json_decref(root);
    if (rc != 0) {
        if (err != NULL && err_len > 0)
            snprintf(err, err_len, "%s: cannot write the report", path);
        return MWDS_EIO;
    }
    return MWDS_OK;
}

static void cell_num(FILE *f, double v, int width, int prec)
{
    if (isfinite(v))
        fprintf(f, " %*.*f", width, prec, v);
    else
        fprintf(f, " %*s", width, "-");
}

void mwds_score_print_summary(const mwds_score *s, FILE *f)
{
    if (s == NULL || f == NULL)
        return;
    fprintf(f, "%s: %zu launches, %zu journals\n", s->name, s->n_truth, s->n_journals);
    fprintf(f, "\n%-16s %-6s %14s %16s %-6s %12s %12s\n", "launch", "nation", "first track s",
            "first LAUNCH s", "(from)", "final PIP km", "final ToI s");
    for (size_t l = 0; l < s->n_truth; l++) {
        int first = 1;
        for (size_t n = 0; n < s->n_nations; n++) {
            if (s->nations[n].journal < 0)
                continue;
            const sc_cell *c = sc_cell_at(s, l, n);
            fprintf(f, "%-16.16s %-6s", first ? s->truth[l].id : "", s->nations[n].code);
            cell_num(f, c->first_track_s, 14, 1);
            cell_num(f, c->first_warning_s, 16, 1);
            fprintf(f, " %-6s",
                    c->first_warning_origin >= 0 ? s->nations[c->first_warning_origin].code : "");
            cell_num(f, c->pip_final_km, 12, 1);
            cell_num(f, c->toi_final_s, 12, 1);
            fputc('\n', f);
            first = 0;
        }
    }
    fprintf(f, "\n%-6s %8s %8s %8s %10s %11s %8s %9s %9s\n", "nation", "complete", "ambig",
            "spurious", "pos acc m", "vel acc m/s", "longest", "changes/h", "OSPA m");
    for (size_t n = 0; n < s->n_nations; n++) {
        const sc_nation *nat = &s->nations[n];
        if (nat->journal < 0)
            continue;
        const mwds_siap_result *r = &nat->siap;
        fprintf(f, "%-6s %8.3f %8.3f %8.3f %10.0f %11.1f %8.3f %9.1f %9.0f\n", nat->code,
                r->completeness, r->ambiguity, r->spuriousness, r->position_accuracy_m,
                r->velocity_accuracy_m_s, r->longest_segment, r->track_changes_per_s * 3600.0,
                nat->ospa_mean_m);
    }
    if (s->common_held > 0)
        fprintf(f, "\ncommonality %.3f\n", mwds_score_commonality(s));
    else
        fprintf(f, "\ncommonality - (no truth held)\n");
    fprintf(f, "warnings: %lld deliveries checked, %lld lost, %lld duplicated", 
            (long long)s->warnings_checked, (long long)s->warnings_lost,
            (long long)s->warnings_duplicated);
    if (s->warnings_unchecked > 0)
        fprintf(f, " (%lld to nations without a journal not checked)",
                (long long)s->warnings_unchecked);
    fputc('\n', f);
    for (size_t i = 0; i < s->n_lost && i < 20; i++)
        fprintf(f, "  lost: %s W%u %s, not received by %s\n", s->nations[s->lost[i].origin].code,
                s->lost[i].id, mwds_warning_kind_name((mwds_warning_kind)s->lost[i].kind),
                s->nations[s->lost[i].to].code);
    if (s->n_lost > 20)
        fprintf(f, "  ... and %zu more (report.json lists them all)\n", s->n_lost - 20);
}
