/* Placeholder until the HTTP server lands (foundation work in progress). */
#include "oscontent/error.h"
#include "server/server.h"

int osc_server_run(osc_config *cfg) {
  (void)cfg;
  return osc_seterr(OSC_EUNSUPPORTED, "the HTTP server is not built yet");
}
