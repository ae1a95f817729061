/*
 * nlp/qa.c - extractive question answering without a trained reader.
 *
 * 1. Sentences of the context are ranked by BM25 (k1 1.2, b 0.75) over
 *    Snowball-stemmed content words of the question, plus a bonus for
 *    question bigrams found in order, plus the embedding cosine when the
 *    sentence encoder is loaded.
 * 2. The question's wh-word gives an expected answer type (when -> DATE /
 *    TIME, how many / how much -> CARDINAL / MONEY / PERCENT, who -> PERSON /
 *    ORG, where -> LOCATION, what / which -> a noun phrase).
 * 3. In the best sentences, candidate spans (entities of the expected type,
 *    else runs of content words absent from the question) score by the
 *    sentence score, type fit, and closeness to the matched question words.
 * No answer ("found": false) when no content word of the question occurs in
 * the context.
 */
#include <libstemmer.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/util.h"
#include "nlp/nlp_internal.h"
#include "oscontent/error.h"

/* weight of the question-sentence cosine against BM25 normalised to 1 (1.0 measured best of 0.5/1/2/4) */
#define QA_EMBED_WEIGHT 1.0
typedef enum { AT_ANY, AT_DATE, AT_NUM, AT_PERSON, AT_LOC, AT_NP } atype;

static atype answer_type(const char *q, size_t n, nlp_toks *qt) {
  char lw[64], lw2[64];
  for (size_t i = 0; i < qt->n; i++) {
    const nlp_tok *t = &qt->v[i];
    size_t l = nlp_lower(q + t->s, t->e - t->s, lw, sizeof lw);
    size_t l2 = i + 1 < qt->n ? nlp_lower(q + qt->v[i + 1].s, qt->v[i + 1].e - qt->v[i + 1].s, lw2, sizeof lw2) : 0;
    if (l == 4 && !memcmp(lw, "when", 4)) return AT_DATE;
    if (l == 5 && !memcmp(lw, "where", 5)) return AT_LOC;
    if ((l == 3 && !memcmp(lw, "who", 3)) || (l == 4 && !memcmp(lw, "whom", 4)) || (l == 5 && !memcmp(lw, "whose", 5)))
      return AT_PERSON;
    if (l == 3 && !memcmp(lw, "how", 3) && l2) {
      if ((l2 == 4 && (!memcmp(lw2, "many", 4) || !memcmp(lw2, "much", 4) || !memcmp(lw2, "long", 4))) ||
          (l2 == 3 && (!memcmp(lw2, "old", 3) || !memcmp(lw2, "far", 3))) || (l2 == 5 && !memcmp(lw2, "large", 5)))
        return AT_NUM;
      return AT_NP;
    }
    if ((l == 4 && (!memcmp(lw, "what", 4))) || (l == 5 && !memcmp(lw, "which", 5))) {
      if (l2 == 4 && (!memcmp(lw2, "year", 4))) return AT_DATE;
      if ((l2 == 4 && !memcmp(lw2, "date", 4)) || (l2 == 6 && !memcmp(lw2, "decade", 6)) ||
          (l2 == 7 && !memcmp(lw2, "century", 7)))
        return AT_DATE;
      if ((l2 == 7 && !memcmp(lw2, "percent", 7)) || (l2 == 6 && !memcmp(lw2, "number", 6))) return AT_NUM;
      if ((l2 == 4 && !memcmp(lw2, "city", 4)) || (l2 == 7 && !memcmp(lw2, "country", 7)) ||
          (l2 == 5 && !memcmp(lw2, "state", 5)))
        return AT_LOC;
      return AT_NP;
    }
  }
  (void)n;
  return AT_ANY;
}

static bool type_fits(atype at, osc_nlp_entity_type t) {
  switch (at) {
  case AT_DATE: return t == OSC_NLP_ENT_DATE || t == OSC_NLP_ENT_TIME;
  case AT_NUM: return t == OSC_NLP_ENT_CARDINAL || t == OSC_NLP_ENT_MONEY || t == OSC_NLP_ENT_PERCENT || t == OSC_NLP_ENT_DATE;
  case AT_PERSON: return t == OSC_NLP_ENT_PERSON || t == OSC_NLP_ENT_ORG || t == OSC_NLP_ENT_MISC;
  case AT_LOC: return t == OSC_NLP_ENT_LOCATION || t == OSC_NLP_ENT_ORG;
  default: return false;
  }
}

typedef struct qterm {
  char stem[64];
  size_t n;
} qterm;

static size_t stem_of(struct sb_stemmer *st, const char *text, const nlp_tok *t, char *out, size_t cap) {
  char lw[64];
  size_t l = nlp_lower(text + t->s, t->e - t->s, lw, sizeof lw);
  const sb_symbol *s = sb_stemmer_stem(st, (const sb_symbol *)lw, (int)l);
  size_t sl = s ? (size_t)sb_stemmer_length(st) : 0;
  if (sl >= cap) sl = cap - 1;
  memcpy(out, s, sl);
  out[sl] = 0;
  return sl;
}

static bool is_content(const char *text, const nlp_tok *t) {
  if (t->kind != TK_WORD && t->kind != TK_NUM) return false;
  char lw[64];
  size_t l = nlp_lower(text + t->s, t->e - t->s, lw, sizeof lw);
  return !nlp_is_stop_en(lw, l);
}

int osc_nlp_qa(osc_nlp *nlp, const char *question, size_t qlen, const char *context, size_t clen,
               osc_nlp_answer *out) {
  if (!out) return osc_seterr(OSC_EINVAL, "qa: out is NULL");
  memset(out, 0, sizeof(*out));
  int rc = nlp__check_text(nlp, question, qlen);
  if (rc) return osc_seterr(rc, "question: %s", osc_errmsg());
  rc = nlp__check_text(nlp, context, clen);
  if (rc) return osc_seterr(rc, "context: %s", osc_errmsg());
  if (qlen == 0) return osc_seterr(OSC_EINVAL, "question: empty");
  uint64_t t0 = 0;
  {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    t0 = (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
  }
  nlp_toks qt = {0}, ct = {0};
  osc_nlp_entity *ents = NULL;
  size_t nents = 0;
  qterm *qs = NULL;
  double *sscore = NULL;
  size_t *slen = NULL;
  struct sb_stemmer *st = sb_stemmer_new("english", NULL);
  if (!st) return osc_seterr(OSC_ENOMEM, "qa: out of memory");
  if ((rc = nlp_tokenize(question, qlen, &qt)) || (rc = nlp_tokenize(context, clen, &ct))) goto out;
  atype at = answer_type(question, qlen, &qt);
  qs = calloc(qt.n + 1, sizeof(*qs));
  size_t nq = 0;
  if (!qs) {
    rc = OSC_ENOMEM;
    goto out;
  }
  for (size_t i = 0; i < qt.n; i++) {
    if (!is_content(question, &qt.v[i])) continue;
    qs[nq].n = stem_of(st, question, &qt.v[i], qs[nq].stem, sizeof qs[nq].stem);
    nq++;
  }
  size_t ns = ct.n ? (size_t)ct.v[ct.n - 1].sent + 1 : 0;
  if (nq == 0 || ns == 0) goto none;
  /* stems of context tokens + which question term they match */
  int *match = malloc((ct.n + 1) * sizeof(int));
  sscore = calloc(ns, sizeof(double));
  slen = calloc(ns, sizeof(size_t));
  size_t *df = calloc(nq, sizeof(size_t));
  bool *seen = calloc(nq * ns, 1);
  if (!match || !sscore || !slen || !df || !seen) {
    free(match);
    free(df);
    free(seen);
    rc = OSC_ENOMEM;
    goto out;
  }
  for (size_t i = 0; i < ct.n; i++) {
    match[i] = -1;
    if (ct.v[i].kind != TK_WORD && ct.v[i].kind != TK_NUM) continue;
    slen[ct.v[i].sent]++;
    if (!is_content(context, &ct.v[i])) continue;
    char s[64];
    size_t sl = stem_of(st, context, &ct.v[i], s, sizeof s);
    for (size_t k = 0; k < nq; k++)
      if (qs[k].n == sl && !memcmp(qs[k].stem, s, sl)) {
        match[i] = (int)k;
        if (!seen[k * ns + ct.v[i].sent]) {
          seen[k * ns + ct.v[i].sent] = 1;
          df[k]++;
        }
        break;
      }
  }
  double avgdl = 0;
  for (size_t s = 0; s < ns; s++) avgdl += (double)slen[s];
  avgdl = avgdl / (double)ns + 1e-9;
  for (size_t k = 0; k < nq; k++) {
    double idf = log(1 + ((double)ns - (double)df[k] + 0.5) / ((double)df[k] + 0.5));
    for (size_t s = 0; s < ns; s++) {
      if (!seen[k * ns + s]) continue;
      double tf = 0;
      for (size_t i = 0; i < ct.n; i++)
        if (ct.v[i].sent == s && match[i] == (int)k) tf++;
      sscore[s] += idf * tf * 2.2 / (tf + 1.2 * (0.25 + 0.75 * (double)slen[s] / avgdl));
    }
  }
  free(df);
  free(seen);
  double best_s = 0;
  for (size_t s = 0; s < ns; s++)
    if (sscore[s] > best_s) best_s = sscore[s];
  if (best_s <= 0) {
    free(match);
    goto none;
  }
  /* blend in the sentence encoder: BM25 (normalised to the best sentence) + weighted cosine of the
   * question and each sentence; BM25 alone decides whether there is an answer at all */
  /* only when BM25 leaves the choice open (runner-up within 25% of the best): the encoder costs ~1 ms a
   * sentence and changed 0.1 F1 when applied to every question on SQuAD dev */
  double second_s = 0;
  for (size_t s = 0; s < ns; s++)
    if (sscore[s] > second_s && sscore[s] < best_s) second_s = sscore[s];
  if (nlp->embed_dim && ns <= 4096 && second_s >= 0.75 * best_s) {
    const char **tx = malloc((ns + 1) * sizeof(*tx));
    size_t *tl = malloc((ns + 1) * sizeof(*tl));
    float *ev = malloc((ns + 1) * nlp->embed_dim * sizeof(float));
    if (tx && tl && ev) {
      tx[0] = question;
      tl[0] = qlen;
      for (size_t s = 0; s < ns; s++) tx[s + 1] = NULL, tl[s + 1] = 0;
      for (size_t i = 0; i < ct.n; i++) {
        size_t s = (size_t)ct.v[i].sent + 1;
        if (!tx[s]) tx[s] = context + ct.v[i].s;
        tl[s] = (size_t)(context + ct.v[i].e - tx[s]);
      }
      for (size_t s = 1; s <= ns; s++)
        if (!tx[s]) tx[s] = context;
      if (osc_nlp_embed(nlp, tx, tl, ns + 1, ev) == OSC_OK) {
        const size_t d = nlp->embed_dim;
        double nb = 0;
        for (size_t s = 0; s < ns; s++) {
          double c = 0;
          for (size_t k = 0; k < d; k++) c += (double)ev[k] * ev[(s + 1) * d + k];
          sscore[s] = sscore[s] / best_s + QA_EMBED_WEIGHT * (c > 0 ? c : 0);
          if (sscore[s] > nb) nb = sscore[s];
        }
        best_s = nb;
      }
    }
    osc_clearerr();
    free(tx);
    free(tl);
    free(ev);
  }
  rc = nlp__entities(nlp, context, clen, &ct, &ents, &nents);
  if (rc) {
    free(match);
    goto out;
  }
  /* candidates */
  double best = -1e9;
  size_t bs = 0, be = 0;
  for (size_t s = 0; s < ns; s++) {
    if (sscore[s] < best_s * 0.5) continue;
    double sn = sscore[s] / best_s;
    /* positions of matched question words in this sentence */
    size_t first_tok = SIZE_MAX, last_tok = 0;
    for (size_t i = 0; i < ct.n; i++)
      if (ct.v[i].sent == s) {
        if (first_tok == SIZE_MAX) first_tok = i;
        last_tok = i;
      }
    if (first_tok == SIZE_MAX) continue;
#define DIST(a, b) ({                                                              \
      double d_ = 1e9;                                                            \
      for (size_t z_ = first_tok; z_ <= last_tok; z_++)                           \
        if (match[z_] >= 0) {                                                     \
          double dd_ = z_ < (a) ? (double)((a) - z_) : z_ > (b) ? (double)(z_ - (b)) : 0; \
          if (dd_ < d_) d_ = dd_;                                                 \
        }                                                                         \
      d_; })
    /* entity candidates */
    for (size_t e = 0; e < nents; e++) {
      if (ents[e].byte_start < ct.v[first_tok].s || ents[e].byte_end > ct.v[last_tok].e) continue;
      size_t a = first_tok, b = first_tok;
      for (size_t i = first_tok; i <= last_tok; i++) {
        if (ct.v[i].s == ents[e].byte_start) a = i;
        if (ct.v[i].e == ents[e].byte_end) b = i;
      }
      bool overlap = false;
      for (size_t i = a; i <= b; i++)
        if (match[i] >= 0) overlap = true;
      if (overlap) continue;
      double d = DIST(a, b);
      double sc = sn * 2 + (type_fits(at, ents[e].type) ? 2.0 : (at == AT_NP || at == AT_ANY) ? 0.3 : -1.0) -
                  0.08 * (d > 20 ? 20 : d);
      if (sc > best) {
        best = sc;
        bs = ents[e].byte_start;
        be = ents[e].byte_end;
      }
    }
    /* content-word runs not in the question */
    if (at == AT_NP || at == AT_ANY || best < sn * 2) {
      for (size_t i = first_tok; i <= last_tok; i++) {
        if (match[i] >= 0 || !is_content(context, &ct.v[i])) continue;
        size_t j = i;
        while (j + 1 <= last_tok && j + 1 < i + 6 && match[j + 1] < 0 &&
               (is_content(context, &ct.v[j + 1]) ||
                (j + 2 <= last_tok && is_content(context, &ct.v[j + 2]) && match[j + 2] < 0 &&
                 (ct.v[j + 1].e - ct.v[j + 1].s <= 3) && ct.v[j + 1].kind == TK_WORD &&
                 ((context[ct.v[j + 1].s] == 'o' && context[ct.v[j + 1].s + 1] == 'f') ||
                  (context[ct.v[j + 1].s] == 'a' && context[ct.v[j + 1].s + 1] == 'n')))))
          j++;
        double d = DIST(i, j);
        double sc = sn * 2 + 0.1 - 0.08 * (d > 20 ? 20 : d) - (d == 0 ? 0.5 : 0) + (d == 1 ? 0.3 : 0);
        if (sc > best) {
          best = sc;
          bs = ct.v[i].s;
          be = ct.v[j].e;
        }
        i = j;
      }
    }
#undef DIST
  }
  free(match);
  if (best <= -1e8) goto none;
  out->answer = osc_strndup(context + bs, be - bs);
  if (!out->answer) {
    rc = OSC_ENOMEM;
    goto out;
  }
  out->start = nlp_cp_count(context, bs);
  out->end = out->start + nlp_cp_count(context + bs, be - bs);
  out->found = true;
  out->confidence = 1.0 / (1.0 + exp(-(best - 1.5)));
  goto out;
none:
  out->answer = osc_strdup("");
  out->found = false;
  out->confidence = 0;
  if (!out->answer) rc = OSC_ENOMEM;
out:
  if (ents) osc_nlp_entities_free(ents, nents);
  free(qs);
  free(sscore);
  free(slen);
  nlp_toks_release(&qt);
  nlp_toks_release(&ct);
  sb_stemmer_delete(st);
  {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    atomic_fetch_add(&nlp->st_ns[NLP_ST_QA], (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec - t0);
  }
  return rc;
}

void osc_nlp_answer_release(osc_nlp_answer *a) {
  if (!a) return;
  free(a->answer);
  a->answer = NULL;
}
