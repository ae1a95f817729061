/*
 * fuzz/fuzz_route.c - the router on arbitrary method and path.  Input:
 * method bytes, a NUL, then the path.  Matching must return one of its
 * documented codes and decoded parameters must hold no NUL.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "oscontent/error.h"
#include "server/server.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  char *buf = malloc(size + 2);
  if (!buf) return 0;
  memcpy(buf, data, size);
  buf[size] = '\0';
  buf[size + 1] = '\0';
  const char *method = buf;
  size_t ml = strlen(buf);
  const char *path = ml < size ? buf + ml + 1 : "/";
  osc_route_match m;
  char allow[128];
  int rc = osc_router_match(method, path, &m, allow, sizeof allow);
  if (rc == OSC_OK) {
    if (!m.route) abort();
    for (size_t i = 0; i < m.nparams; i++)
      if (!m.params[i].value) abort();
    osc_route_match_release(&m);
  } else if (rc != OSC_ENOENT && rc != OSC_EMETHOD && rc != OSC_EINVAL) {
    abort();
  }
  if (rc == OSC_EMETHOD && allow[0] == '\0') abort();
  /* the decoder alone, with '+' handling */
  char *out = NULL;
  if (osc_url_decode(path, strlen(path), true, &out) == OSC_OK) {
    if (strlen(out) > strlen(path)) abort();
    free(out);
  }
  free(buf);
  return 0;
}
