/*
 * nlp/keywords.c - key phrases by SingleRank (Wan & Xiao 2008) over
 * noun-phrase-like candidates, with a position-biased teleport
 * (PositionRank, Florescu & Caragea 2017) and word specificity.
 *
 * Candidates are maximal runs of content words (not function words, not
 * numbers, no punctuation or line break between them), trimmed to end in a
 * noun-like word: WordNet (noun or adjective lemma, or unknown to WordNet,
 * which in technical text is mostly nouns) keeps a word; a word WordNet knows
 * only as a verb or adverb ends the run.  Single noun-like words inside a run
 * are candidates too (news keys are mostly single words), at SUB_ONLY of
 * their score unless the word also stands alone as a run somewhere.
 *
 * A co-occurrence graph links candidate words within a window of 10 tokens;
 * PageRank (d = 0.85, sparse CSR graph, teleport weighted by position^-0.3)
 * scores words, and each word score is multiplied by (-ln p)^2 where p is the
 * word's relative frequency in general English (Pattern en-frequency): a
 * TF-IDF-like specificity without a document collection.  A phrase scores the
 * sum of its word scores x sqrt(occurrences) / words^0.3, and phrases that
 * stem to the same form are merged.
 */
#include <libstemmer.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/util.h"
#include "nlp/nlp_internal.h"
#include "oscontent/error.h"

#define WINDOW 10
#define PR_TOL 1e-4  /* PageRank stops when the L1 change of the scores (mean 1) is below this */
#define POS_EXP 0.3  /* PositionRank teleport weight position^-0.3 */
#define IDF_EXP 2.0  /* word score x (-ln relative frequency)^2 */
#define LEN_EXP 0.3  /* phrase score / words^0.3 */
#define SUB_ONLY 0.3 /* a single word never seen as a whole candidate scores x 0.3 */

/* True if lw is a stop word of language @p lang in stopwords-iso (lower-cased key "lang\x1fword"). */
static bool stop_in(const osc_nlp *nlp, const char *lang, const char *lw, size_t n) {
  char key[96];
  size_t ll = strlen(lang);
  if (!nlp->have_stopwords || ll + 1 + n > sizeof key) return false;
  memcpy(key, lang, ll);
  key[ll] = 0x1f;
  memcpy(key + ll + 1, lw, n);
  return nlp_map_has(&nlp->stopwords, key, ll + 1 + n);
}

/* @p other: the text is in another language than English (its code): its stop words end phrases, and
   WordNet's English parts of speech are not consulted. */
static bool word_ok(const osc_nlp *nlp, const char *other, const char *lw, size_t n, bool *nounish) {
  *nounish = true;
  if (n < 2 || nlp_is_stop_en(lw, n)) return false;
  bool letter = false;
  for (size_t i = 0; i < n; i++)
    if ((unsigned char)lw[i] >= 0x80 || (lw[i] >= 'a' && lw[i] <= 'z')) letter = true;
  if (!letter) return false;
  if (other) return !stop_in(nlp, other, lw, n);
  if (!nlp->have_wordnet) return true;
  /* lemma candidates for POS lookup */
  char b[64];
  if (n >= sizeof b) return true;
  int mask = 0;
  const nlp_map_ent *e = nlp_map_get(&nlp->wn_pos, lw, n);
  if (e) mask |= e->i;
  if (n > 3 && lw[n - 1] == 's') {
    memcpy(b, lw, n);
    if (n > 4 && !memcmp(lw + n - 3, "ies", 3)) {
      memcpy(b + n - 3, "y", 1);
      e = nlp_map_get(&nlp->wn_pos, b, n - 2);
      if (e) mask |= e->i & 1;
    }
    e = nlp_map_get(&nlp->wn_pos, lw, n - 1);
    if (e) mask |= e->i & 3;
    if (n > 4 && !memcmp(lw + n - 2, "es", 2)) {
      e = nlp_map_get(&nlp->wn_pos, lw, n - 2);
      if (e) mask |= e->i & 3;
    }
  }
  bool ed = n > 4 && !memcmp(lw + n - 2, "ed", 2);
  bool ing = n > 5 && !memcmp(lw + n - 3, "ing", 3);
  bool ly = n > 4 && !memcmp(lw + n - 2, "ly", 2);
  if (mask == 0) {
    if (ly) return false;
    *nounish = !ed;
    return true; /* unknown: technical term */
  }
  if (mask & 1) {
    *nounish = true;
    return true;
  }
  if (mask & 4) {
    *nounish = false;
    return true;
  }
  if (ing || ed) {
    *nounish = false;
    return (mask & 2) && ed; /* participles as modifiers: "improved resistance" */
  }
  return false; /* verb / adverb only */
}

typedef struct cand {
  size_t a, b;   /* token range */
  char *key;     /* stemmed form */
  char *text;    /* lower-case surface */
  double score;
  int count;   /* occurrences, inside longer candidates too */
  int nmax;    /* occurrences as a maximal run */
  int len;     /* words */
  size_t idx;  /* creation order: ties keep text order */
} cand;

/* score descending, then creation order (a stable order for equal scores) */
static int cmp_cand(const void *x, const void *y) {
  const cand *a = x, *b = y;
  if (a->score != b->score) return a->score < b->score ? 1 : -1;
  return a->idx < b->idx ? -1 : a->idx > b->idx;
}

int nlp__keywords(const osc_nlp *nlp, const char *text, size_t len, const nlp_toks *T, const char *lang,
                  int top_n, osc_nlp_keyword **out, size_t *nout) {
  const char *other = lang && *lang && strcmp(lang, "en") != 0 ? lang : NULL;
  *out = NULL;
  *nout = 0;
  size_t n = T->n;
  int rc = OSC_OK;
  int32_t *node = malloc((n + 1) * sizeof(int32_t));
  bool *noun = malloc(n + 1);
  nlp_arena ar = {0};
  nlp_map words = {0}, ckeys = {0};
  words.arena = ckeys.arena = &ar;
  cand *C = NULL;
  size_t nc = 0, capc = 0;
  double *ew = NULL, *s = NULL, *s2 = NULL, *deg = NULL, *pers = NULL, *sd = NULL;
  uint32_t *col = NULL, *mark = NULL;
  size_t *at = NULL;
  char **tlow = NULL, **tstem = NULL;
  bool *done_idf = NULL;
  uint16_t *tll = NULL, *tsl = NULL;
  size_t *rowp = NULL;
  struct sb_stemmer *stem = sb_stemmer_new("english", NULL);
  if (!node || !noun || !stem) {
    rc = OSC_ENOMEM;
    goto out;
  }
  nlp_map_init(&words, &ar, 256);
  nlp_map_init(&ckeys, &ar, 256);
  /* nodes */
  char lw[64];
  for (size_t i = 0; i < n; i++) {
    node[i] = -1;
    noun[i] = false;
    const nlp_tok *t = &T->v[i];
    if (t->kind != TK_WORD || t->e - t->s >= sizeof lw) continue;
    /* parts of URLs, e-mail addresses and file names are not key phrases */
    if (t->s > 0 && strchr("@/.:#_\\", text[t->s - 1])) continue;
    if (t->e < len && (text[t->e] == '@' || text[t->e] == '/' ||
                       (strchr(".:", text[t->e]) && t->e + 1 < len && text[t->e + 1] > ' ')))
      continue;
    size_t l = nlp_lower(text + t->s, t->e - t->s, lw, sizeof lw);
    bool nn;
    if (!word_ok(nlp, other, lw, l, &nn)) continue;
    bool created;
    nlp_map_ent *e = nlp_map_put(&words, lw, l, &created);
    if (!e) {
      rc = OSC_ENOMEM;
      goto out;
    }
    if (created) e->i = (int32_t)(words.count - 1);
    node[i] = e->i;
    noun[i] = nn;
  }
  size_t V = words.count;
  if (V == 0) goto out;
  /* sparse co-occurrence graph in CSR form, built by counting: row a holds (neighbour, co-occurrences within
     the window); O(n * WINDOW) time and memory, no V x V matrix and no sort */
  size_t ne = 0;
  s = malloc(V * sizeof(double));
  s2 = malloc(V * sizeof(double));
  deg = calloc(V, sizeof(double));
  rowp = calloc(V + 1, sizeof(size_t));
  at = malloc(V * sizeof(size_t));
  mark = malloc(V * sizeof(uint32_t));
  if (!s || !s2 || !deg || !rowp || !at || !mark) {
    rc = OSC_ENOMEM;
    goto out;
  }
  for (size_t i = 0; i < n; i++) {
    if (node[i] < 0) continue;
    for (size_t j = i + 1; j < n && j < i + WINDOW; j++) {
      if (node[j] < 0 || node[j] == node[i]) continue;
      rowp[node[i] + 1]++;
      rowp[node[j] + 1]++;
      ne += 2;
    }
  }
  for (size_t a = 0; a < V; a++) {
    rowp[a + 1] += rowp[a];
    at[a] = rowp[a]; /* fill cursor */
    mark[a] = UINT32_MAX;
  }
  col = malloc((ne + 1) * sizeof(uint32_t));
  ew = malloc((ne + 1) * sizeof(double));
  if (!col || !ew) {
    rc = OSC_ENOMEM;
    goto out;
  }
  for (size_t i = 0; i < n; i++) {
    if (node[i] < 0) continue;
    for (size_t j = i + 1; j < n && j < i + WINDOW; j++) {
      if (node[j] < 0 || node[j] == node[i]) continue;
      col[at[node[i]]++] = (uint32_t)node[j];
      col[at[node[j]]++] = (uint32_t)node[i];
    }
  }
  /* merge repeated neighbours row by row, in place (a row only shrinks) */
  size_t nu = 0;
  for (size_t a = 0; a < V; a++) {
    size_t r0 = rowp[a], r1 = rowp[a + 1];
    rowp[a] = nu;
    for (size_t q = r0; q < r1; q++) {
      uint32_t c = col[q];
      if (mark[c] == (uint32_t)a) {
        ew[at[c]] += 1;
      } else {
        mark[c] = (uint32_t)a;
        at[c] = nu;
        col[nu] = c;
        ew[nu++] = 1;
      }
      deg[a] += 1;
    }
  }
  rowp[V] = nu;
  for (size_t a = 0; a < V; a++) s[a] = 1.0 / (double)V;
  /* PositionRank (Florescu & Caragea 2017), softened: teleport in proportion to the sum over a word's
     occurrences of position^-POS_EXP (position = index among the words of the text) */
  pers = malloc(V * sizeof(double));
  sd = malloc(V * sizeof(double));
  if (!pers || !sd) {
    rc = OSC_ENOMEM;
    goto out;
  }
  {
    double tot = 0;
    for (size_t a = 0; a < V; a++) pers[a] = 0;
    size_t pos = 0;
    for (size_t i = 0; i < n; i++) {
      if (T->v[i].kind != TK_WORD) continue;
      pos++;
      if (node[i] >= 0) pers[node[i]] += pow((double)pos, -POS_EXP);
    }
    for (size_t a = 0; a < V; a++) tot += pers[a];
    for (size_t a = 0; a < V; a++) pers[a] = tot > 0 ? pers[a] * (double)V / tot : 1.0;
  }
  /* graph is symmetric, so in-edges of a = out-edges of a */
  for (size_t a = 0; a < V; a++) deg[a] = deg[a] > 0 ? 1.0 / deg[a] : 0; /* now 1 / degree */
  for (int it = 0; it < 50; it++) {
    double delta = 0;
    for (size_t a = 0; a < V; a++) sd[a] = s[a] * deg[a];
    for (size_t a = 0; a < V; a++) {
      double acc = 0;
      for (size_t q = rowp[a]; q < rowp[a + 1]; q++) acc += ew[q] * sd[col[q]];
      s2[a] = 0.15 * pers[a] + 0.85 * acc;
      delta += fabs(s2[a] - s[a]);
    }
    double *tmp = s;
    s = s2;
    s2 = tmp;
    if (delta < PR_TOL) break;
  }
  /* per-token lower-case form and stem, computed once */
  tlow = calloc(n, sizeof(char *));
  tstem = calloc(n, sizeof(char *));
  tll = calloc(n, sizeof(uint16_t));
  tsl = calloc(n, sizeof(uint16_t));
  if (!tlow || !tstem || !tll || !tsl) {
    rc = OSC_ENOMEM;
    goto out;
  }
  for (size_t q = 0; q < n; q++) {
    if (node[q] < 0) continue;
    const nlp_tok *t = &T->v[q];
    char lq[64];
    size_t l = nlp_lower(text + t->s, t->e - t->s, lq, sizeof lq);
    const sb_symbol *st = sb_stemmer_stem(stem, (const sb_symbol *)lq, (int)l);
    size_t stl = st ? (size_t)sb_stemmer_length(stem) : 0;
    tlow[q] = nlp_arena_strndup(&ar, lq, l);
    tstem[q] = nlp_arena_strndup(&ar, st ? (const char *)st : "", stl);
    if (!tlow[q] || !tstem[q]) {
      rc = OSC_ENOMEM;
      goto out;
    }
    tll[q] = (uint16_t)l;
    tsl[q] = (uint16_t)stl;
  }
  /* word specificity: (-ln of the relative frequency in general English)^IDF_EXP (Pattern en-frequency;
     a word it does not list is taken as rarer than its rarest entry, 1e-4: f = 5e-5) */
  if (nlp->freq.count) {
    done_idf = calloc(V, 1);
    if (!done_idf) {
      rc = OSC_ENOMEM;
      goto out;
    }
    for (size_t q = 0; q < n; q++) {
      if (node[q] < 0 || done_idf[node[q]]) continue;
      const nlp_map_ent *fe = nlp_map_get(&nlp->freq, tlow[q], tll[q]);
      double f = fe && fe->v > 0 ? fe->v : 0.00005;
      s[node[q]] *= pow(log(1.0 / f), IDF_EXP);
      done_idf[node[q]] = true;
    }
  }
  /* candidates */
  for (size_t i = 0; i < n;) {
    if (node[i] < 0) {
      i++;
      continue;
    }
    size_t j = i;
    while (j + 1 < n && node[j + 1] >= 0 && T->v[j + 1].sent == T->v[i].sent &&
           !memchr(text + T->v[j].e, '\n', T->v[j + 1].s - T->v[j].e))
      j++;
    size_t bend = j;
    while (bend > i && !noun[bend]) bend--;
    /* the run itself, then each noun-like word of a longer run on its own (O(run length)) */
    for (size_t x = 0; x <= bend - i + 1; x++) {
      bool maximal = x == 0;
      size_t a = maximal ? i : i + x - 1, b = maximal ? bend : a;
      if (!noun[b] || (!maximal && bend == i)) continue;
      char key[512], sur[512];
      size_t kl = 0, sl = 0;
      double sc = 0;
      bool fits = true;
      for (size_t q = a; q <= b; q++) {
        if (kl + tsl[q] + 2 >= sizeof key || sl + tll[q] + 2 >= sizeof sur) {
          fits = false;
          break;
        }
        if (q > a) {
          key[kl++] = ' ';
          sur[sl++] = ' ';
        }
        memcpy(key + kl, tstem[q], tsl[q]);
        kl += tsl[q];
        memcpy(sur + sl, tlow[q], tll[q]);
        sl += tll[q];
        sc += s[node[q]];
      }
      if (!fits) continue;
      bool created;
      nlp_map_ent *e = nlp_map_put(&ckeys, key, kl, &created);
      if (!e) {
        rc = OSC_ENOMEM;
        goto out;
      }
      if (created) {
        if (nc == capc) {
          capc = capc ? capc * 2 : 64;
          cand *nC = realloc(C, capc * sizeof(*C));
          if (!nC) {
            rc = OSC_ENOMEM;
            goto out;
          }
          C = nC;
        }
        e->i = (int32_t)nc;
        C[nc].a = a;
        C[nc].b = b;
        C[nc].key = (char *)e->k;
        C[nc].text = nlp_arena_strndup(&ar, sur, sl);
        C[nc].score = sc;
        C[nc].count = 0;
        C[nc].nmax = 0;
        C[nc].len = (int)(b - a + 1);
        C[nc].idx = nc;
        nc++;
      }
      C[e->i].count++;
      if (maximal) C[e->i].nmax++;
    }
    i = j + 1;
  }
  /* rank: SingleRank sum times sqrt(occurrences of the phrase): a repeated phrase is more central than one
     seen once */
  for (size_t x = 0; x < nc; x++) {
    C[x].score *= sqrt((double)C[x].count) / pow((double)C[x].len, LEN_EXP);
    if (C[x].nmax == 0) C[x].score *= SUB_ONLY;
  }
  if (nc > 1) qsort(C, nc, sizeof(*C), cmp_cand);
  if (top_n < 1) top_n = 10;
  osc_nlp_keyword *K = calloc((size_t)top_n, sizeof(*K));
  if (!K) {
    rc = OSC_ENOMEM;
    goto out;
  }
  size_t k = 0;
  double best = nc ? C[0].score : 1;
  for (size_t x = 0; x < nc && k < (size_t)top_n; x++) {
    K[k].text = osc_strdup(C[x].text);
    K[k].score = best > 0 ? C[x].score / best : 0;
    if (!K[k].text) {
      osc_nlp_keywords_free(K, k);
      rc = OSC_ENOMEM;
      goto out;
    }
    k++;
  }
  *out = K;
  *nout = k;
out:
  if (stem) sb_stemmer_delete(stem);
  free(node);
  free(noun);
  free(ew);
  free(col);
  free(mark);
  free(at);
  free(rowp);
  free(s);
  free(s2);
  free(deg);
  free(pers);
  free(sd);
  free(C);
  free(tlow);
  free(done_idf);
  free(tstem);
  free(tll);
  free(tsl);
  nlp_map_release(&words);
  nlp_map_release(&ckeys);
  nlp_arena_release(&ar);
  return rc;
}

void osc_nlp_keywords_free(osc_nlp_keyword *kw, size_t n) {
  if (!kw) return;
  for (size_t i = 0; i < n; i++) free(kw[i].text);
  free(kw);
}

int osc_nlp_keywords(osc_nlp *nlp, const char *text, size_t len, int top_n, osc_nlp_keyword **out, size_t *n) {
  if (!out || !n) return osc_seterr(OSC_EINVAL, "keywords: NULL output");
  *out = NULL;
  *n = 0;
  if (top_n < 1 || top_n > 100) return osc_seterr(OSC_EINVAL, "top_n: %d is outside 1..100", top_n);
  int rc = nlp__check_text(nlp, text, len);
  if (rc) return rc;
  nlp_toks t = {0};
  rc = nlp_tokenize(text, len, &t);
  osc_nlp_lang L;
  if (!rc) nlp__language(nlp, text, len, &L);
  if (!rc) rc = nlp__keywords(nlp, text, len, &t, L.code, top_n, out, n);
  nlp_toks_release(&t);
  return rc;
}
