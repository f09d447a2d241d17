/* Warnings as text and JSON; see warn_fmt.c. */
#ifndef MWDS_APP_WARN_FMT_H
#define MWDS_APP_WARN_FMT_H

#include <jansson.h>
#include <stdint.h>
#include <stdio.h>

#include "mwds/assess.h"

/* One line: time from start_ns, origin, id, kind, track and what the kind
 * says (launch point, impact and ellipse, area crossed), EXERCISE marked. */
void warn_print(FILE *out, const mwds_warning *w, int64_t start_ns);

/* The warning as a JSON object (new reference); times in seconds from
 * start_ns, and "issued" in ISO 8601. */
json_t *warn_json(const mwds_warning *w, int64_t start_ns);

#endif
