/*
 * nlp/summary.c - extractive summary and readability statistics.
 *
 * Sentences score the sum of the normalised frequencies of their content
 * words divided by sqrt(length) (so long sentences do not win by length
 * alone), plus a small lead bonus for the first sentence; the best ones are
 * returned in document order.  Statistics: words, sentences, syllables
 * (vowel-group heuristic), Flesch reading ease and Flesch-Kincaid grade.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "core/util.h"
#include "nlp/nlp_internal.h"
#include "oscontent/error.h"

int nlp__summarize(const osc_nlp *nlp, const char *text, size_t len, const nlp_toks *T, int nsent, double ratio,
                   char **summary, osc_nlp_text_stats *stats) {
  (void)nlp;
  *summary = NULL;
  size_t nsents = T->n ? (size_t)T->v[T->n - 1].sent + 1 : 0;
  osc_nlp_text_stats st = {0};
  st.bytes = len;
  st.chars = nlp_cp_count(text, len);
  st.sentences = nsents;
  nlp_arena ar = {0};
  nlp_map freq = {0};
  freq.arena = &ar;
  double *score = calloc(nsents + 1, sizeof(double));
  size_t *first = calloc(nsents + 1, sizeof(size_t)), *last = calloc(nsents + 1, sizeof(size_t));
  size_t *nwords = calloc(nsents + 1, sizeof(size_t));
  int32_t *wid = NULL; /* per token: id of its counted word, or -1 */
  double *cnt = NULL;  /* per word id: occurrences */
  int rc = OSC_OK;
  if (!score || !first || !last || !nwords) {
    rc = OSC_ENOMEM;
    goto out;
  }
  size_t want = nsent > 0 ? (size_t)nsent : 3;
  if (ratio > 0 && ratio <= 1) {
    want = (size_t)ceil(ratio * (double)nsents);
    if (want < 1) want = 1;
  }
  /* word ids are kept per token so that scoring does not lower-case and look up every word again;
     with no more sentences than wanted the whole text is the summary and no counts are needed */
  bool scoring = nsents > want;
  wid = scoring ? malloc((T->n + 1) * sizeof(int32_t)) : NULL;
  size_t ncnt = 0, capcnt = 0;
  if (scoring && (!wid || nlp_map_init(&freq, &ar, 256) != OSC_OK)) {
    rc = OSC_ENOMEM;
    goto out;
  }
  double maxf = 0;
  char lw[64];
  for (size_t i = 0; i < T->n; i++) {
    const nlp_tok *t = &T->v[i];
    size_t s = t->sent;
    if (wid) wid[i] = -1;
    if (i == 0 || t->sent != T->v[i - 1].sent) first[s] = i;
    last[s] = i;
    if (t->kind != TK_WORD && t->kind != TK_NUM) continue;
    st.words++;
    nwords[s]++;
    bool alpha = t->kind == TK_WORD && (t->flags & TF_ALPHA);
    if (!alpha && !(scoring && t->kind == TK_WORD)) continue;
    size_t l = nlp_lower(text + t->s, t->e - t->s, lw, sizeof lw);
    if (alpha) st.syllables += (size_t)nlp_syllables(lw, l);
    if (!scoring || t->kind != TK_WORD || nlp_is_stop_en(lw, l)) continue;
    bool created;
    nlp_map_ent *e = nlp_map_put(&freq, lw, l, &created);
    if (e && created) {
      if (ncnt == capcnt) {
        size_t nc = capcnt ? capcnt * 2 : 128;
        double *nv = realloc(cnt, nc * sizeof(*nv));
        if (!nv) e = NULL;
        else cnt = nv, capcnt = nc;
      }
      if (e) {
        e->i = (int32_t)ncnt;
        cnt[ncnt++] = 0;
      }
    }
    if (!e) {
      rc = OSC_ENOMEM;
      goto out;
    }
    wid[i] = e->i;
    cnt[e->i] += 1;
    if (cnt[e->i] > maxf) maxf = cnt[e->i];
  }
  if (st.sentences) st.avg_words_per_sentence = (double)st.words / (double)st.sentences;
  if (st.words && st.sentences) {
    double wps = (double)st.words / (double)st.sentences, spw = (double)st.syllables / (double)st.words;
    st.flesch_reading_ease = 206.835 - 1.015 * wps - 84.6 * spw;
    st.flesch_kincaid_grade = 0.39 * wps + 11.8 * spw - 15.59;
  }
  osc_buf b = OSC_BUF_INIT;
  if (!scoring) {
    /* whole text, trimmed */
    size_t a = 0, z = len;
    while (a < z && (text[a] == ' ' || text[a] == '\n' || text[a] == '\t' || text[a] == '\r')) a++;
    while (z > a && (text[z - 1] == ' ' || text[z - 1] == '\n' || text[z - 1] == '\t' || text[z - 1] == '\r')) z--;
    osc_buf_append(&b, text + a, z - a);
  } else {
    for (size_t i = 0; i < T->n; i++)
      if (wid[i] >= 0) score[T->v[i].sent] += cnt[wid[i]] / maxf;
    for (size_t s = 0; s < nsents; s++) {
      score[s] = nwords[s] ? score[s] / sqrt((double)nwords[s]) : 0;
      if (nwords[s] < 4) score[s] *= 0.5;
    }
    if (nsents) score[0] *= 1.15;
    bool *pick = calloc(nsents, 1);
    if (!pick) {
      rc = OSC_ENOMEM;
      goto out;
    }
    for (size_t k = 0; k < want; k++) {
      size_t best = nsents;
      for (size_t s = 0; s < nsents; s++)
        if (!pick[s] && (best == nsents || score[s] > score[best])) best = s;
      if (best == nsents) break;
      pick[best] = true;
    }
    for (size_t s = 0; s < nsents; s++) {
      if (!pick[s]) continue;
      if (b.len) osc_buf_putc(&b, ' ');
      osc_buf_append(&b, text + T->v[first[s]].s, T->v[last[s]].e - T->v[first[s]].s);
    }
    free(pick);
  }
  if (b.oom) {
    osc_buf_release(&b);
    rc = OSC_ENOMEM;
    goto out;
  }
  *summary = osc_buf_detach(&b, NULL);
  if (!*summary) rc = OSC_ENOMEM;
out:
  if (stats) *stats = st;
  free(score);
  free(first);
  free(last);
  free(nwords);
  free(wid);
  free(cnt);
  nlp_map_release(&freq);
  nlp_arena_release(&ar);
  return rc;
}

int osc_nlp_summarize(osc_nlp *nlp, const char *text, size_t len, int sentences, double ratio, char **summary,
                      osc_nlp_text_stats *stats) {
  if (!summary) return osc_seterr(OSC_EINVAL, "summarize: summary is NULL");
  *summary = NULL;
  if (sentences < 0 || sentences > 10000) return osc_seterr(OSC_EINVAL, "sentences: %d is outside 0..10000", sentences);
  if (ratio < 0 || ratio > 1) return osc_seterr(OSC_EINVAL, "ratio: %g is outside 0..1", ratio);
  int rc = nlp__check_text(nlp, text, len);
  if (rc) return rc;
  nlp_toks t = {0};
  rc = nlp_tokenize(text, len, &t);
  if (!rc) rc = nlp__summarize(nlp, text, len, &t, sentences ? sentences : nlp->opts.summary_sentences, ratio, summary, stats);
  nlp_toks_release(&t);
  return rc;
}
