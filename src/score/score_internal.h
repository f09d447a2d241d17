/*
 * Private to src/score: the journal rows' payloads as the scorer reads
 * them, and the parsing of payloads and partitions (parse.c), kept apart
 * from the rest so that a fuzz harness can drive it alone.
 *
 * Payloads are the JSON objects mwds node journals (apps/mwds/cmd_node.c):
 * a Track's state or its end, a Warning as warn_json writes it. Parsers
 * write their output only on success; on failure err holds "FIELD:
 * expected ..." (the caller prefixes the file and row).
 */
#ifndef MWDS_SCORE_INTERNAL_H
#define MWDS_SCORE_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include "mwds/core.h"

/* A Track row's payload: {"ended": true}, or {"state": {"t_ns", "model",
 * "x", "p_upper"}, "hits", "cause_seq", "cause_pub_ns"}. */
typedef struct mwds__track_payload {
    int ended;
    int64_t t_ns;          /* the state's time */
    int n;                 /* 7 (ballistic) or 9 (boost) */
    double x[9];           /* ECEF position, velocity, then the model's extra */
    int64_t cause_pub_ns;  /* publication of the look behind it; 0: not given */
} mwds__track_payload;

/* A Warning row's payload (warn_json with times from the epoch). */
typedef struct mwds__warning_payload {
    uint32_t id;
    char origin[16];
    int kind;                   /* an mwds_warning_kind */
    double issued_t_s, event_t_s;
    uint32_t track;
    char area[16];
    double lat_deg, lon_deg, height_km; /* the track's position it rests on */
    double basis_t_s;                   /* and its time from the epoch (NAN: not given) */
    int has_impact;
    double imp_lat_deg, imp_lon_deg, semi_major_km, semi_minor_km, major_az_deg, imp_p;
    double imp_t_s, imp_t_sigma_s;      /* from the epoch */
    int64_t cause_pub_ns;       /* 0: not given */
} mwds__warning_payload;

mwds_err mwds__score_parse_track(const char *payload, mwds__track_payload *out, char *err,
                                 size_t err_len);
mwds_err mwds__score_parse_warning(const char *payload, mwds__warning_payload *out, char *err,
                                   size_t err_len);

/* A releasability partition, "rel." and nation codes (three capital
 * letters) joined by '.', into a mask over codes[0..n_codes) (codes not
 * among them are skipped). Errors: MWDS_EPARSE (another form). */
mwds_err mwds__score_parse_partition(const char *partition, const char (*codes)[4], int n_codes,
                                     uint32_t *mask, char *err, size_t err_len);

/* Parses a journal key that is a track number or warning id: decimal
 * digits only, at most UINT32_MAX. Returns 0 on success. */
int mwds__score_parse_key(const char *key, uint32_t *out);

#endif
