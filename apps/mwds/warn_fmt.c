/*
 * Warnings as text lines (the terminal) and as JSON (--json output, the
 * journal), shared by the commands that issue or receive them.
 */
#include "warn_fmt.h"

#include <math.h>
#include <string.h>

static void fmt_lla(char *buf, size_t len, mwds_lla p)
{
    double lat = p.lat_rad * MWDS_RAD2DEG, lon = mwds_geo_wrap_pi(p.lon_rad) * MWDS_RAD2DEG;
    snprintf(buf, len, "%.2f%c %.2f%c", fabs(lat), lat >= 0 ? 'N' : 'S', fabs(lon),
             lon >= 0 ? 'E' : 'W');
}

void warn_print(FILE *out, const mwds_warning *w, int64_t start_ns)
{
    const mwds_assessment *b = &w->basis;
    double t = mwds_time_to_s(w->issued_t_ns - start_ns);
    char pos[48];
    fprintf(out, "T+%7.1f s  %-4s W%-3u %-17s track %-4u", t, w->origin, w->id,
           mwds_warning_kind_name(w->kind), w->track_number);
    switch (w->kind) {
    case MWDS_WARN_LAUNCH:
        fmt_lla(pos, sizeof pos, b->position);
        fprintf(out, " at %s, %.0f km up, %.1f km/s", pos, b->position.h_m / 1e3, b->speed_m_s / 1e3);
        if (b->has_launch) {
            fmt_lla(pos, sizeof pos, b->launch.centre);
            fprintf(out, "; launched from %s (95 %% %.0f x %.0f km) at T+%.0f s", pos,
                   b->launch.semi_major_m / 1e3, b->launch.semi_minor_m / 1e3,
                   mwds_time_to_s(b->launch_t_ns - start_ns));
        }
        break;
    case MWDS_WARN_IMPACT_PREDICTION:
        fmt_lla(pos, sizeof pos, b->impact.ellipse.centre);
        fprintf(out, " %s %s; impact %s, 95 %% %.0f x %.0f km az %.0f, at T+%.0f s (+-%.1f s); "
               "threatened: ",
               b->has_class ? mwds_class_kind_name(b->cls.kind) : "?",
               b->has_class ? mwds_profile_name(b->cls.profile) : "", pos,
               b->impact.ellipse.semi_major_m / 1e3, b->impact.ellipse.semi_minor_m / 1e3,
               b->impact.ellipse.major_az_rad * MWDS_RAD2DEG,
               mwds_time_to_s(b->impact.t_ns - start_ns), b->impact.t_sigma_s);
        if (b->n_threatened == 0)
            fprintf(out, "none (sea)");
        for (int k = 0; k < b->n_threatened; k++)
            fprintf(out, "%s%s", k ? ", " : "", b->threatened[k]);
        break;
    case MWDS_WARN_OVERFLIGHT:
        fprintf(out, " over %s from T+%.0f s", w->area, mwds_time_to_s(w->event_t_ns - start_ns));
        break;
    case MWDS_WARN_IMPACT:
        fmt_lla(pos, sizeof pos, b->impact.ellipse.centre);
        fprintf(out, " at %s, T+%.0f s", pos, mwds_time_to_s(w->event_t_ns - start_ns));
        break;
    default:
        break;
    }
    fprintf(out, "%s\n", w->exercise ? "  [EXERCISE]" : "");
}

static json_t *lla_json(mwds_lla p)
{
    return json_pack("{s:f, s:f}", "lat_deg", p.lat_rad * MWDS_RAD2DEG, "lon_deg",
                     mwds_geo_wrap_pi(p.lon_rad) * MWDS_RAD2DEG);
}

static json_t *ellipse_json(const mwds_ellipse *e)
{
    json_t *o = lla_json(e->centre);
    json_object_set_new(o, "semi_major_km", json_real(e->semi_major_m / 1e3));
    json_object_set_new(o, "semi_minor_km", json_real(e->semi_minor_m / 1e3));
    json_object_set_new(o, "major_az_deg", json_real(e->major_az_rad * MWDS_RAD2DEG));
    json_object_set_new(o, "p", json_real(e->p));
    return o;
}

json_t *warn_json(const mwds_warning *w, int64_t start_ns)
{
    const mwds_assessment *b = &w->basis;
    char iso[40] = "";
    mwds_time_format_iso8601(w->issued_t_ns, iso, sizeof iso);
    json_t *o = json_pack("{s:I, s:s, s:s, s:b, s:s, s:f, s:f, s:I}", "id", (json_int_t)w->id,
                          "origin", w->origin, "kind", mwds_warning_kind_name(w->kind), "exercise",
                          w->exercise, "issued", iso, "issued_t_s",
                          mwds_time_to_s(w->issued_t_ns - start_ns), "event_t_s",
                          mwds_time_to_s(w->event_t_ns - start_ns), "track",
                          (json_int_t)w->track_number);
    if (w->area[0])
        json_object_set_new(o, "area", json_string(w->area));
    json_t *a = json_object();
    /* the time of the track state it rests on (older than issued_t_s by
     * the track's age) */
    json_object_set_new(a, "t_s", json_real(mwds_time_to_s(b->t_ns - start_ns)));
    json_object_set_new(a, "position", lla_json(b->position));
    json_object_set_new(a, "height_km", json_real(b->position.h_m / 1e3));
    json_object_set_new(a, "speed_m_s", json_real(b->speed_m_s));
    json_object_set_new(a, "ballistic", json_boolean(b->ballistic));
    if (b->has_class) {
        json_object_set_new(a, "class", json_string(mwds_class_kind_name(b->cls.kind)));
        json_object_set_new(a, "profile", json_string(mwds_profile_name(b->cls.profile)));
        json_object_set_new(a, "energy_range_km", json_real(b->cls.energy_range_m / 1e3));
    }
    if (b->has_impact) {
        json_t *im = ellipse_json(&b->impact.ellipse);
        json_object_set_new(im, "t_s", json_real(mwds_time_to_s(b->impact.t_ns - start_ns)));
        json_object_set_new(im, "t_sigma_s", json_real(b->impact.t_sigma_s));
        json_object_set_new(a, "impact", im);
    }
    if (b->has_launch) {
        json_t *l = ellipse_json(&b->launch);
        json_object_set_new(l, "t_s", json_real(mwds_time_to_s(b->launch_t_ns - start_ns)));
        json_object_set_new(l, "t_sigma_s", json_real(b->launch_t_sigma_s));
        json_object_set_new(a, "launch", l);
    }
    json_t *th = json_array(), *ov = json_array();
    for (int k = 0; k < b->n_threatened; k++)
        json_array_append_new(th, json_string(b->threatened[k]));
    for (int k = 0; k < b->n_overflown; k++)
        json_array_append_new(ov, json_pack("{s:s, s:f}", "area", b->overflown[k], "entry_t_s",
                                            mwds_time_to_s(b->overflight_t_ns[k] - start_ns)));
    json_object_set_new(a, "threatened", th);
    json_object_set_new(a, "overflight", ov);
    json_object_set_new(o, "assessment", a);
    return o;
}

