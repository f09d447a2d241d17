/* What the harnesses of the YAML loaders (scenario, policy; mwds/yaml_doc.h)
 * check of a failed parse: the output left exactly as it was, a one-line
 * message that starts with the name, and a code that bad input can give. */
#ifndef MWDS_FUZZ_YAML_H
#define MWDS_FUZZ_YAML_H

#include <stdlib.h>
#include <string.h>

#include "mwds/core.h"

static inline void fuzz_yaml_check_failure(mwds_err rc, const char *err, const char *name,
                                           const void *out, const void *before, size_t size)
{
    size_t n = strlen(name);
    if (memcmp(out, before, size) != 0)
        abort();
    if (strncmp(err, name, n) != 0 || err[n] != ':' || strchr(err, '\n') != NULL)
        abort();
    if (rc != MWDS_EPARSE && rc != MWDS_ERANGE && rc != MWDS_ENOMEM)
        abort();
}

#endif
