/*
 * fuzz_prompt: arbitrary bytes as a video prompt through the prompt -> scene
 * parser (lexicon matching, phrases, plurals, UTF-8) and the scene report.
 * Must never crash, leak or read out of bounds; the report must be JSON.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/json.h"
#include "oscontent/error.h"
#include "video/render.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  if (size > 4096) return 0;
  char *prompt = malloc(size + 1);
  if (!prompt) return 0;
  memcpy(prompt, data, size);
  prompt[size] = '\0';
  uint64_t seed = size;
  if (size >= 8) memcpy(&seed, data, 8);
  seed &= 0xffff;
  osc_scene *scene = NULL;
  if (osc__video_scene_from_prompt(prompt, seed, &scene) == OSC_OK) {
    char *report = NULL;
    if (osc__video_scene_json(scene, &report) == OSC_OK) {
      json_t *v = NULL;
      if (osc_json_parse(report, strlen(report), false, &v) != OSC_OK) abort();
      json_decref(v);
      free(report);
    }
    osc__video_scene_free(scene);
  }
  free(prompt);
  return 0;
}
