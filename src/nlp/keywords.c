/*
 * nlp/keywords.c - key phrases by SingleRank (Wan & Xiao 2008) over
 * noun-phrase-like candidates.
 *
 * Candidates are maximal runs of content words (not function words, not
 * numbers, no punctuation between them), cut to at most 4 words and required
 * to end in a noun-like word: WordNet (noun or adjective lemma, or unknown
 * to WordNet, which in technical text is mostly nouns) keeps a word; a word
 * WordNet knows only as a verb or adverb ends the run.  A co-occurrence
 * graph links candidate words within a window of 10 tokens; PageRank
 * (d = 0.85) scores words, a phrase scores the sum of its words, and
 * phrases that stem to the same form are merged.
 */
#include <libstemmer.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/util.h"
#include "nlp/nlp_internal.h"
#include "oscontent/error.h"

#define WINDOW 10
#define MAX_PHRASE 4

static bool word_ok(const osc_nlp *nlp, const char *lw, size_t n, bool *nounish) {
  *nounish = true;
  if (n < 2 || nlp_is_stop_en(lw, n)) return false;
  bool letter = false;
  for (size_t i = 0; i < n; i++)
    if ((unsigned char)lw[i] >= 0x80 || (lw[i] >= 'a' && lw[i] <= 'z')) letter = true;
  if (!letter) return false;
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
  int count;
} cand;

int nlp__keywords(const osc_nlp *nlp, const char *text, size_t len, const nlp_toks *T, int top_n,
                  osc_nlp_keyword **out, size_t *nout) {
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
  double *w = NULL, *s = NULL, *s2 = NULL, *deg = NULL;
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
    if (!word_ok(nlp, lw, l, &nn)) continue;
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
  if (V > 1500) V = 1500; /* graph cap; later words keep no edges */
  w = calloc(V * V, sizeof(double));
  s = malloc(V * sizeof(double));
  s2 = malloc(V * sizeof(double));
  deg = calloc(V, sizeof(double));
  if (!w || !s || !s2 || !deg) {
    rc = OSC_ENOMEM;
    goto out;
  }
  for (size_t i = 0; i < n; i++) {
    if (node[i] < 0 || (size_t)node[i] >= V) continue;
    for (size_t j = i + 1; j < n && j < i + WINDOW; j++) {
      if (node[j] < 0 || (size_t)node[j] >= V || node[j] == node[i]) continue;
      w[(size_t)node[i] * V + (size_t)node[j]] += 1;
      w[(size_t)node[j] * V + (size_t)node[i]] += 1;
    }
  }
  for (size_t a = 0; a < V; a++) {
    for (size_t b = 0; b < V; b++) deg[a] += w[a * V + b];
    s[a] = 1.0 / (double)V;
  }
  for (int it = 0; it < 30; it++) {
    double delta = 0;
    for (size_t a = 0; a < V; a++) {
      double acc = 0;
      for (size_t b = 0; b < V; b++)
        if (w[b * V + a] > 0 && deg[b] > 0) acc += w[b * V + a] / deg[b] * s[b];
      s2[a] = 0.15 + 0.85 * acc;
      delta += fabs(s2[a] - s[a]);
    }
    double *tmp = s;
    s = s2;
    s2 = tmp;
    if (delta < 1e-6) break;
  }
  /* candidates */
  for (size_t i = 0; i < n;) {
    if (node[i] < 0) {
      i++;
      continue;
    }
    size_t j = i;
    while (j + 1 < n && node[j + 1] >= 0 && T->v[j + 1].sent == T->v[i].sent) j++;
    /* emit every sub-run of length <= MAX_PHRASE ending in a noun-like word */
    for (size_t a = i; a <= j; a++) {
      for (size_t b = a; b <= j && b < a + MAX_PHRASE; b++) {
        if (!noun[b]) continue;
        /* only maximal-ish spans: start at run start or after a non-noun, to limit noise */
        if (a > i && b - a + 1 < 2 && a != b) continue;
        char key[512], sur[512];
        size_t kl = 0, sl = 0;
        double sc = 0;
        bool fits = true;
        for (size_t q = a; q <= b; q++) {
          const nlp_tok *t = &T->v[q];
          char lq[64];
          size_t l = nlp_lower(text + t->s, t->e - t->s, lq, sizeof lq);
          const sb_symbol *st = sb_stemmer_stem(stem, (const sb_symbol *)lq, (int)l);
          size_t stl = st ? (size_t)sb_stemmer_length(stem) : 0;
          if (kl + stl + 2 >= sizeof key || sl + l + 2 >= sizeof sur) {
            fits = false;
            break;
          }
          if (q > a) {
            key[kl++] = ' ';
            sur[sl++] = ' ';
          }
          memcpy(key + kl, st, stl);
          kl += stl;
          memcpy(sur + sl, lq, l);
          sl += l;
          if ((size_t)node[q] < V) sc += s[node[q]];
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
          nc++;
        }
        C[e->i].count++;
      }
    }
    i = j + 1;
  }
  /* rank: SingleRank sum; sub-phrases of a better phrase are dropped */
  for (size_t x = 1; x < nc; x++) {
    cand k = C[x];
    size_t y = x;
    while (y > 0 && C[y - 1].score < k.score) {
      C[y] = C[y - 1];
      y--;
    }
    C[y] = k;
  }
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
  free(w);
  free(s);
  free(s2);
  free(deg);
  free(C);
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
  if (!rc) rc = nlp__keywords(nlp, text, len, &t, top_n, out, n);
  nlp_toks_release(&t);
  return rc;
}
