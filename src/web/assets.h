/*
 * The display's files, built into the library: the page, its script and
 * style (src/web/page) and the offline map data (Natural Earth boundaries,
 * the assessor's areas). The table is generated at build time by
 * tools/web_embed.c; each file is followed by a NUL that len leaves out.
 */
#ifndef MWDS_WEB_ASSETS_H
#define MWDS_WEB_ASSETS_H

#include <stddef.h>

typedef struct mwds__web_asset {
    const char *path;         /* "/app.js" */
    const char *content_type; /* "text/javascript; charset=utf-8" */
    const unsigned char *data;
    size_t len;
} mwds__web_asset;

extern const mwds__web_asset mwds__web_assets[];
extern const size_t mwds__web_n_assets;

#endif
