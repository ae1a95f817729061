/*
 * server/web_assets.h - dashboard files (web/) embedded at build time by
 * cmake/EmbedWeb.cmake, so the server needs no files at run time.
 */
#ifndef OSC_SERVER_WEB_ASSETS_H
#define OSC_SERVER_WEB_ASSETS_H

#include <stddef.h>

typedef struct osc_web_asset {
  const char *name;          /* path under web/, e.g. "app.js" */
  const char *content_type;
  const unsigned char *data;
  size_t len;
} osc_web_asset;

/** The asset named @p name, or NULL. */
const osc_web_asset *osc_web_asset_find(const char *name);

#endif
