/*
 * nlp/lang.c - language identification: naive Bayes over the langdetect
 * profiles (character 1-3 grams from Wikipedia, 55 profiles mapped to 53
 * ISO 639-1 codes), deterministic (all n-grams, no random sampling), plus
 * script rules for languages with their own alphabet (Armenian hy,
 * Georgian ka) that the profiles lack.
 *
 * Text is normalised the way langdetect does it: every non-letter becomes a
 * space, runs of spaces collapse, words are padded with a space, and an
 * all-capitals word is lower-cased after its first letter (langdetect skips
 * such words; short texts need them).  Posteriors come from a softmax of the
 * log-likelihoods, tempered by the number of n-grams so that short texts
 * report honest uncertainty.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <utf8proc.h>
#include <libexttextcat/textcat.h>

#include "core/util.h"
#include "nlp/nlp_internal.h"
#include "oscontent/error.h"

static bool is_letter(int32_t cp) {
  if (cp < 0x80) return ((cp | 32) >= 'a' && (cp | 32) <= 'z');
  utf8proc_category_t c = utf8proc_category(cp);
  return (c >= UTF8PROC_CATEGORY_LU && c <= UTF8PROC_CATEGORY_LO) || (c >= UTF8PROC_CATEGORY_MN && c <= UTF8PROC_CATEGORY_ME);
}

static void nb_language(const osc_nlp *nlp, const char *text, size_t len, osc_nlp_lang *out, bool *script) {
  memset(out, 0, sizeof(*out));
  snprintf(out->code, sizeof out->code, "und");
  /* decode into normalised code points (cap the work at 4096 letters: plenty for identification) */
  size_t cap = len + 2 < 8192 ? len + 2 : 8192;
  int32_t *cps = malloc(cap * sizeof(int32_t));
  if (!cps) return;
  size_t n = 0, letters = 0, armenian = 0, georgian = 0, kana = 0;
  cps[n++] = ' ';
  for (size_t i = 0; i < len && n + 1 < cap;) {
    utf8proc_int32_t cp;
    utf8proc_ssize_t a = utf8proc_iterate((const utf8proc_uint8_t *)text + i, (utf8proc_ssize_t)(len - i), &cp);
    if (a <= 0) {
      i++;
      continue;
    }
    i += (size_t)a;
    if (!is_letter(cp)) {
      if (cps[n - 1] != ' ') cps[n++] = ' ';
      continue;
    }
    letters++;
    if (cp >= 0x0530 && cp <= 0x058F) armenian++;
    if (cp >= 0x10A0 && cp <= 0x10FF) georgian++;
    if (cp >= 0x3040 && cp <= 0x30FF) kana++;
    cps[n++] = cp;
  }
  if (cps[n - 1] != ' ') cps[n++] = ' ';
  if (letters == 0) goto done;
  if (armenian * 2 > letters || georgian * 2 > letters || kana * 10 >= letters) {
    /* scripts of one language: Armenian, Georgian, and kana (Japanese; Chinese has none) */
    snprintf(out->code, sizeof out->code, "%s", armenian * 2 > letters ? "hy" : georgian * 2 > letters ? "ka" : "ja");
    out->confidence = 0.99;
    out->reliable = letters >= 3;
    out->ntop = 1;
    snprintf(out->top[0].code, sizeof out->top[0].code, "%s", out->code);
    out->top[0].prob = out->confidence;
    *script = true;
    goto done;
  }
  if (!nlp->have_lang) goto done;
  /* ALL-CAPS words: lower-case after the first letter */
  for (size_t i = 1; i < n; i++) {
    if (cps[i] == ' ' || cps[i - 1] != ' ') continue;
    size_t j = i;
    bool allcap = true;
    while (j < n && cps[j] != ' ') {
      if (utf8proc_toupper(cps[j]) != cps[j]) allcap = false;
      j++;
    }
    if (allcap && j - i > 1)
      for (size_t k = i + 1; k < j; k++) cps[k] = utf8proc_tolower(cps[k]);
  }
  size_t L = nlp->nlangs;
  double score[NLP_MAX_LANGS] = {0};
  size_t grams = 0;
  char buf[16];
  for (size_t i = 1; i < n; i++) {
    for (size_t g = 1; g <= 3 && g <= i + 1; g++) {
      size_t st = i + 1 - g;
      if (g == 1 && cps[i] == ' ') continue;
      if (g > 1 && cps[st] == ' ' && cps[i] == ' ') continue;
      if (g == 3 && cps[st + 1] == ' ') continue; /* "a b" never occurs in profiles */
      size_t o = 0;
      for (size_t k = st; k <= i; k++) o += (size_t)utf8proc_encode_char(cps[k], (utf8proc_uint8_t *)buf + o);
      const nlp_map_ent *e = nlp_map_get(&nlp->lang_ngrams, buf, o);
      if (!e) continue;
      const float *lp = nlp->lang_probs + (size_t)e->i * L;
      for (size_t l = 0; l < L; l++) score[l] += lp[l];
      grams++;
    }
    /* long texts: stop once the leader is settled (posterior odds over the runner-up > e^8 at the
       temperature used below); identification needs a few hundred n-grams, not a whole document */
    if (grams >= 256 && (i & 63) == 0) {
      double b1 = -1e300, b2 = -1e300;
      for (size_t l = 0; l < L; l++) {
        if (score[l] > b1) {
          b2 = b1;
          b1 = score[l];
        } else if (score[l] > b2) {
          b2 = score[l];
        }
      }
      if ((b1 - b2) * 2.0 / sqrt((double)grams) > 8.0) break;
    }
  }
  if (!grams) goto done;
  /* softmax with temperature: NB over-counts correlated n-grams; the sqrt scaling keeps
   * posteriors of short texts from saturating */
  double temp = 1.0 / sqrt((double)grams) * 2.0;
  if (temp > 1) temp = 1;
  double mx = -1e300;
  for (size_t l = 0; l < L; l++)
    if (score[l] > mx) mx = score[l];
  double p[NLP_MAX_LANGS], z = 0;
  for (size_t l = 0; l < L; l++) {
    p[l] = exp((score[l] - mx) * temp);
    z += p[l];
  }
  for (size_t l = 0; l < L; l++) p[l] /= z;
  for (int k = 0; k < 3 && (size_t)k < L; k++) {
    size_t best = L;
    for (size_t l = 0; l < L; l++) {
      bool used = false;
      for (int q = 0; q < k; q++)
        if (!strcmp(out->top[q].code, nlp->lang_codes[l])) used = true;
      if (!used && (best == L || p[l] > p[best])) best = l;
    }
    if (best == L) break;
    snprintf(out->top[k].code, sizeof out->top[k].code, "%s", nlp->lang_codes[best]);
    out->top[k].prob = p[best];
    out->ntop = k + 1;
  }
  snprintf(out->code, sizeof out->code, "%s", out->top[0].code);
  out->confidence = out->top[0].prob;
  out->reliable = out->confidence >= 0.9 && letters >= 10;
done:
  free(cps);
}

static bool nb_knows(const osc_nlp *nlp, const char *code) {
  for (size_t i = 0; i < nlp->nlangs; i++)
    if (!strcmp(nlp->lang_codes[i], code)) return true;
  return !strcmp(code, "hy") || !strcmp(code, "ka");
}

/* libexttextcat over the first TEXTCAT_MAX_BYTES bytes (cut at a character boundary): fills up to 3
 * guesses, with probabilities from the out-of-place distances relative to the best; returns the number of
 * candidates textcat kept (within 3% of the best; 0 when it has no verdict: too short or too many). */
#define TEXTCAT_MAX_BYTES 512
static int textcat_language(const osc_nlp *nlp, const char *text, size_t len, osc_nlp_lang_guess *g) {
  if (!nlp->have_textcat || !len) return 0;
  if (len > TEXTCAT_MAX_BYTES) {
    len = TEXTCAT_MAX_BYTES;
    while (len > 0 && ((unsigned char)text[len] & 0xC0) == 0x80) len--;
  }
  candidate_t cand[NLP_TEXTCAT_MAX];
  int cnt = textcat_ClassifyFull(nlp->textcat, text, len, cand);
  if (cnt <= 0) return 0;
  double w[3], z = 0;
  int k = 0;
  for (int i = 0; i < cnt && k < 3; i++) {
    const nlp_map_ent *e = nlp_map_get(&nlp->tc_names, cand[i].name, strlen(cand[i].name));
    if (!e) continue;
    const char *code = nlp->tc_codes[e->i];
    bool dup = false;
    for (int q = 0; q < k; q++) dup |= !strcmp(g[q].code, code);
    if (dup) continue;
    snprintf(g[k].code, sizeof g[k].code, "%s", code);
    /* within the 3% band: e^-3 at the band's edge */
    w[k] = exp(-100.0 * ((double)cand[i].score / (double)(cand[0].score > 0 ? cand[0].score : 1) - 1.0));
    z += w[k];
    k++;
  }
  for (int i = 0; i < k; i++) g[i].prob = w[i] / z;
  return k ? cnt : 0;
}

void nlp__language(const osc_nlp *nlp, const char *text, size_t len, osc_nlp_lang *out) {
  bool script = false;
  nb_language(nlp, text, len, out, &script);
  if (script || !nlp->have_textcat) return;
  osc_nlp_lang_guess g[3];
  memset(g, 0, sizeof g);
  int cnt = textcat_language(nlp, text, len, g);
  if (cnt <= 0 || nb_knows(nlp, g[0].code)) return; /* NB is the stronger model on its own languages */
  /* textcat's best is a language the profiles lack: keep NB's answer when textcat rates NB's best as
   * close (within its 3% band: the hard pairs hr/bs, nb/nn, id/ms, tr/az), else take textcat's */
  for (int i = 0; i < 3 && g[i].code[0]; i++)
    if (out->ntop && !strcmp(g[i].code, out->code)) return;
  osc_nlp_lang r;
  memset(&r, 0, sizeof r);
  int k = 0;
  for (int i = 0; i < 3 && g[i].code[0] && k < 3; i++) r.top[k++] = g[i];
  /* NB's own best stays in the list as a runner-up, scaled into the remaining mass */
  if (k < 3 && out->ntop) {
    r.top[k] = out->top[0];
    r.top[k].prob = 0; /* set below, from the mass textcat's guess leaves */
    k++;
  }
  r.ntop = k;
  /* textcat's probabilities are relative to its band; temper them by the text length like NB's */
  double conf = r.top[0].prob * (cnt == 1 ? 0.95 : 0.85);
  r.top[0].prob = conf;
  double rest = 1.0 - conf, used = 0;
  for (int i = 1; i < k; i++) used += r.top[i].prob;
  if (out->ntop && r.top[k - 1].prob == 0 && k > 1) r.top[k - 1].prob = rest - used > 0 ? (rest - used) * out->top[0].prob : 0;
  snprintf(r.code, sizeof r.code, "%s", r.top[0].code);
  r.confidence = conf;
  r.reliable = conf >= 0.9 && len >= 24;
  *out = r;
}

int osc_nlp_language(osc_nlp *nlp, const char *text, size_t len, osc_nlp_lang *out) {
  if (!out) return osc_seterr(OSC_EINVAL, "language: out is NULL");
  int rc = nlp__check_text(nlp, text, len);
  if (rc) return rc;
  if (!nlp->have_lang && !nlp->have_textcat)
    return osc_seterr(OSC_EUNAVAIL, "language: neither langdetect profiles nor textcat fingerprints are installed; run: "
                                    "apt-get install python3-langdetect libexttextcat-data");
  nlp__language(nlp, text, len, out);
  return OSC_OK;
}

size_t osc_nlp_language_count(const osc_nlp *nlp) {
  if (!nlp) return 0;
  return nlp->lang_all ? nlp->nlang_all : nlp->nlangs + 2;
}

const char *osc_nlp_language_at(const osc_nlp *nlp, size_t i) {
  if (!nlp) return NULL;
  if (nlp->lang_all) return i < nlp->nlang_all ? nlp->lang_all[i] : NULL;
  if (i < nlp->nlangs) return nlp->lang_codes[i];
  if (i == nlp->nlangs) return "hy";
  if (i == nlp->nlangs + 1) return "ka";
  return NULL;
}
