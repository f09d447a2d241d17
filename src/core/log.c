/* Logging: formatting into a bounded buffer and delivery to a pluggable sink. */
#include <stdio.h>

#include "mwds/core.h"

const char *mwds_log_level_name(mwds_log_level level)
{
    switch (level) {
    case MWDS_LOG_ERROR: return "error";
    case MWDS_LOG_WARN: return "warn";
    case MWDS_LOG_INFO: return "info";
    case MWDS_LOG_DEBUG: return "debug";
    }
    return "?";
}

void mwds_log_sink_stderr(void *user, mwds_log_level level, const char *module,
                          const char *msg)
{
    (void)user;
    fprintf(stderr, "%s %s: %s\n", mwds_log_level_name(level), module, msg);
}

void mwds_log_emit(const mwds_logger *lg, mwds_log_level level, const char *module,
                   const char *fmt, ...)
{
    if (lg == NULL || lg->fn == NULL || level > lg->level)
        return;
    char buf[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    lg->fn(lg->user, level, module, buf);
}
