/*
 * nlp/settings.c - the nlp.* settings and osc_nlp_options_from_config.
 */
#include <stdlib.h>

#include "oscontent/config.h"
#include "oscontent/error.h"
#include "oscontent/nlp.h"

const osc_setting_def osc__settings_nlp[] = {
    {"nlp.resource_dir", OSC_SETTING_STRING, "/usr/local/share/oscontent", 0, 0, NULL,
     "Directory holding the NLP data packages (also $OSC_NLP_RESOURCE_DIR); filled by scripts/install-deps.sh."},
    {"nlp.threads", OSC_SETTING_INT, "0", 0, 256, NULL, "Batch worker threads; 0 = usable CPU count."},
    {"nlp.max_text_bytes", OSC_SETTING_BYTES, "8MiB", 1, 1073741824.0, NULL, "Longest text accepted by analysers."},
    {"nlp.keywords_top", OSC_SETTING_INT, "10", 1, 100, NULL, "Key phrases returned by analyze."},
    {"nlp.summary_sentences", OSC_SETTING_INT, "3", 1, 1000, NULL, "Sentences in analyze's summary."},
    {"nlp.embeddings", OSC_SETTING_BOOL, "true", 0, 0, NULL, "Load the USE-lite sentence encoder when installed."},
    {"nlp.cache_ttl", OSC_SETTING_DURATION, "30m", 0, 0, NULL, "TTL of cached analysis results (with the cache module)."},
    {"nlp.max_batch", OSC_SETTING_INT, "10000", 1, 1000000, NULL, "Most texts in one batch request."},
    {0}};

int osc_nlp_options_from_config(const osc_config *cfg, osc_nlp_options *out) {
  if (!cfg || !out) return osc_seterr(OSC_EINVAL, "nlp options: NULL argument");
  osc_nlp_options o = {0};
  const char *env = getenv("OSC_NLP_RESOURCE_DIR");
  osc_setting_source src = OSC_SOURCE_DEFAULT;
  osc_config_text(cfg, "nlp.resource_dir", &src, NULL);
  o.resource_dir = (src == OSC_SOURCE_DEFAULT && env && *env) ? env : osc_config_str(cfg, "nlp.resource_dir");
  o.threads = (int)osc_config_int(cfg, "nlp.threads");
  o.max_text_bytes = (size_t)osc_config_int(cfg, "nlp.max_text_bytes");
  o.keywords_top = (int)osc_config_int(cfg, "nlp.keywords_top");
  o.summary_sentences = (int)osc_config_int(cfg, "nlp.summary_sentences");
  o.no_embeddings = !osc_config_bool(cfg, "nlp.embeddings");
  o.cache_ttl_ms = osc_config_int(cfg, "nlp.cache_ttl");
  *out = o;
  return OSC_OK;
}
