/*
 * fuzz/fuzz_config.c - the config file parser on arbitrary bytes: it must
 * return OSC_OK or an error with a detail message, never crash or leak.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "oscontent/config.h"
#include "oscontent/error.h"
#include "oscontent/log.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  osc_log_set_level(OSC_LOG_OFF);
  /* an anonymous in-memory file: nothing left on disk */
  int fd = memfd_create("osc-fuzz-config", 0);
  if (fd < 0) return 0;
  if (size && write(fd, data, size) != (ssize_t)size) {
    close(fd);
    return 0;
  }
  char path[64];
  snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
  osc_config *cfg = osc_config_new();
  if (!cfg) {
    close(fd);
    return 0;
  }
  int rc = osc_config_load_file(cfg, path);
  close(fd);
  if (rc != OSC_OK && osc_errmsg()[0] == '\0') abort(); /* every error says why */
  char *text = NULL;
  if (osc_config_render(cfg, true, &text) == OSC_OK) free(text);
  osc_config_free(cfg);
  return 0;
}
