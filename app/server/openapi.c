/*
 * server/openapi.c - the OpenAPI 3.0 document, generated from the route
 * table: one operation per route (operationId = route name), path
 * parameters from the pattern ({name*} is written {name}), a JSON request
 * body for POST/PUT/PATCH routes that take JSON, and the common error body.
 */
#include <ctype.h>
#include <string.h>

#include "core/json.h"
#include "oscontent/common.h"
#include "server/server.h"

static void lower(const char *s, char *out, size_t len) {
  size_t i = 0;
  for (; s[i] && i + 1 < len; i++) out[i] = (char)tolower((unsigned char)s[i]);
  out[i] = '\0';
}

json_t *osc_server_openapi(void) {
  json_t *paths = json_object();
  for (size_t i = 0; osc_router_at(i); i++) {
    const osc_route *r = osc_router_at(i);
    if (r->flags & OSC_ROUTE_HIDDEN) continue;
    char path[512];
    size_t j = 0;
    json_t *params = json_array();
    for (const char *p = r->pattern; *p && j + 1 < sizeof path; p++) {
      if (*p == '{') {
        const char *e = strchr(p, '}');
        if (!e) break;
        size_t n = (size_t)(e - p - 1);
        bool rest = n > 0 && p[n] == '*';
        if (rest) n--;
        char name[64];
        snprintf(name, sizeof name, "%.*s", (int)n, p + 1);
        j += (size_t)snprintf(path + j, sizeof path - j, "{%s}", name);
        if (j >= sizeof path) j = sizeof path - 1;
        json_array_append_new(params, json_pack("{s:s,s:s,s:b,s:{s:s},s:s}", "name", name, "in", "path",
                                                "required", 1, "schema", "type", "string", "description",
                                                rest ? "rest of the path (may contain '/')" : "one path segment"));
        p = e;
      } else {
        path[j++] = *p;
      }
    }
    path[j] = '\0';
    json_t *item = json_object_get(paths, path);
    if (!item) {
      item = json_object();
      json_object_set_new(paths, path, item);
    }
    json_t *op = json_pack("{s:s,s:s,s:[s]}", "operationId", r->name ? r->name : "", "summary",
                           r->summary ? r->summary : "", "tags", r->name && strchr(r->name, '.') ? "" : "core");
    if (r->name && strchr(r->name, '.')) {
      char tag[64];
      snprintf(tag, sizeof tag, "%.*s", (int)(strchr(r->name, '.') - r->name), r->name);
      json_array_set_new(json_object_get(op, "tags"), 0, json_string(tag));
    }
    if (json_array_size(params)) json_object_set(op, "parameters", params);
    json_decref(params);
    bool body = strcmp(r->method, "POST") == 0 || strcmp(r->method, "PUT") == 0 || strcmp(r->method, "PATCH") == 0;
    if (body)
      json_object_set_new(op, "requestBody",
                          json_pack("{s:{s:{s:{}}}}", "content",
                                    (r->flags & OSC_ROUTE_RAW_BODY) ? "application/octet-stream" : "application/json",
                                    "schema"));
    json_object_set_new(op, "responses",
                        json_pack("{s:{s:s},s:{s:s,s:{s:{s:{s:s}}}}}", "200", "description", "Success", "default",
                                  "description", "Error", "content", "application/json", "schema", "$ref",
                                  "#/components/schemas/Error"));
    const char *scope = (r->flags & OSC_ROUTE_PUBLIC)        ? "public"
                        : (r->flags & OSC_ROUTE_SCOPE_ADMIN) ? "admin"
                        : (r->flags & OSC_ROUTE_SCOPE_WRITE) ? "write"
                                                             : "read";
    json_object_set_new(op, "x-scope", json_string(scope));
    char m[16];
    lower(r->method, m, sizeof m);
    json_object_set_new(item, m, op);
  }
  return json_pack(
      "{s:s,s:{s:s,s:s,s:s},s:o,s:{s:{s:{s:s,s:[s,s],s:{s:{s:s},s:{s:s}}}}}}", "openapi", "3.0.3", "info", "title",
      "oscontent", "version", osc_version(), "description",
      "Content system: video pipeline, NLP, multi-level cache, task processor, performance monitor.", "paths", paths,
      "components", "schemas", "Error", "type", "object", "required", "detail", "error", "properties", "detail",
      "type", "string", "error", "type", "string");
}
