/*
 * spm.c - the USE-lite SentencePiece tokenizer, ported from the JS one that
 * the model ships with (@energetic-ai/embeddings 0.2.0, lib/tokenizer.ts).
 *
 * Design: the vocabulary sits in a code-point trie whose child links live in
 * one open-addressing hash table keyed by (node, code point); each node that
 * ends a piece holds the piece's id and score.  Encoding walks the trie from
 * every position (commonPrefixSearch), relaxing a Viterbi array of doubles.
 *
 * Invariants that make the ids equal to the JS ones, quirks included:
 *  - scores are doubles parsed from the JSON text (as JS does); a null score
 *    counts as 0 (JS: null + x == x);
 *  - a duplicated piece keeps the last id and score (the JS trie overwrites);
 *  - from each start position, all pieces that are prefixes are candidates;
 *    only when none is, the single character is an unknown piece (id 0,
 *    score 0);
 *  - for each end position, candidates arrive in increasing start order and
 *    win when best[end] == 0 (the JS "unset" test) or score >= best[end];
 *  - backtracking steps back by the piece's UTF-16 length (JS string length);
 *  - runs of unknown ids collapse into one.
 */
#include "nlp/spm.h"

#include <jansson.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <utf8proc.h>

#include "core/util.h"
#include "oscontent/error.h"

#define SPM_RESERVED 6
#define SPM_SEP 0x2581u

typedef struct spm_node {
  int32_t id;  /* piece id, -1 when no piece ends here */
  int32_t u16; /* UTF-16 length of the piece */
  double score;
} spm_node;

typedef struct spm_edge {
  uint64_t key; /* (parent << 21 | cp) + 1; 0 = empty slot */
  int32_t child;
} spm_edge;

struct osc_spm {
  spm_node *nodes;
  size_t n_nodes, cap_nodes;
  spm_edge *edges;
  size_t edge_mask; /* table size - 1 (power of two) */
  size_t n_edges;
  char **pieces;
  int32_t *u16len;
  size_t n_pieces;
};

static inline uint64_t edge_key(int32_t parent, uint32_t cp) {
  return (((uint64_t)(uint32_t)parent << 21) | cp) + 1;
}

static int32_t trie_child(const osc_spm *t, int32_t parent, uint32_t cp) {
  uint64_t key = edge_key(parent, cp);
  size_t i = (size_t)osc_mix64(key) & t->edge_mask;
  for (;;) {
    const spm_edge *e = &t->edges[i];
    if (e->key == key) return e->child;
    if (e->key == 0) return -1;
    i = (i + 1) & t->edge_mask;
  }
}

static int trie_new_node(osc_spm *t, int32_t *out) {
  if (t->n_nodes == t->cap_nodes) {
    size_t cap = t->cap_nodes ? t->cap_nodes * 2 : 1024;
    spm_node *nn = realloc(t->nodes, cap * sizeof *nn);
    if (!nn) return OSC_ENOMEM;
    t->nodes = nn;
    t->cap_nodes = cap;
  }
  t->nodes[t->n_nodes] = (spm_node){.id = -1, .u16 = 0, .score = 0};
  *out = (int32_t)t->n_nodes++;
  return OSC_OK;
}

static int trie_add_child(osc_spm *t, int32_t parent, uint32_t cp, int32_t *out) {
  int32_t c = trie_child(t, parent, cp);
  if (c >= 0) {
    *out = c;
    return OSC_OK;
  }
  int rc = trie_new_node(t, &c);
  if (rc) return rc;
  uint64_t key = edge_key(parent, cp);
  size_t i = (size_t)osc_mix64(key) & t->edge_mask;
  while (t->edges[i].key != 0) i = (i + 1) & t->edge_mask;
  t->edges[i] = (spm_edge){.key = key, .child = c};
  t->n_edges++;
  *out = c;
  return OSC_OK;
}

size_t osc__spm_utf8_decode(const char *s, size_t len, uint32_t *out) {
  const unsigned char *p = (const unsigned char *)s;
  size_t i = 0, n = 0;
  while (i < len) {
    unsigned c = p[i];
    if (c < 0x80) {
      out[n++] = c;
      i++;
      continue;
    }
    uint32_t cp;
    size_t need;
    uint32_t min;
    if (c >= 0xC2 && c <= 0xDF) {
      cp = c & 0x1F, need = 1, min = 0x80;
    } else if (c >= 0xE0 && c <= 0xEF) {
      cp = c & 0x0F, need = 2, min = 0x800;
    } else if (c >= 0xF0 && c <= 0xF4) {
      cp = c & 0x07, need = 3, min = 0x10000;
    } else {
      out[n++] = 0xFFFD;
      i++;
      continue;
    }
    bool ok = len - i > need; /* the continuation bytes are all there */
    for (size_t k = 1; ok && k <= need; k++) {
      if ((p[i + k] & 0xC0) != 0x80)
        ok = false;
      else
        cp = (cp << 6) | (p[i + k] & 0x3F);
    }
    if (!ok || cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) {
      out[n++] = 0xFFFD;
      i++;
      continue;
    }
    out[n++] = cp;
    i += need + 1;
  }
  return n;
}

static int32_t utf16_len(const uint32_t *cps, size_t n) {
  int32_t l = 0;
  for (size_t i = 0; i < n; i++) l += cps[i] > 0xFFFF ? 2 : 1;
  return l;
}

int osc__spm_load(const char *vocab_path, osc_spm **out) {
  *out = NULL;
  char *text = NULL;
  size_t len = 0;
  int rc = osc_read_file(vocab_path, 64u << 20, &text, &len);
  if (rc) return rc;
  json_error_t jerr;
  json_t *root = json_loadb(text, len, 0, &jerr);
  free(text);
  if (!root || !json_is_array(root) || json_array_size(root) <= SPM_RESERVED) {
    rc = osc_seterr(OSC_ECORRUPT, "%s: not a SentencePiece vocabulary (JSON array of [piece, score]): %s", vocab_path,
                    root ? "too few entries" : jerr.text);
    json_decref(root);
    return rc;
  }
  osc_spm *t = calloc(1, sizeof *t);
  uint32_t *cps = NULL;
  if (!t) {
    rc = osc_seterr(OSC_ENOMEM, "loading %s: out of memory", vocab_path);
    goto fail;
  }
  size_t np = json_array_size(root);
  size_t total_chars = 0;
  for (size_t i = 0; i < np; i++) {
    json_t *e = json_array_get(root, i);
    json_t *p = json_array_get(e, 0), *s = json_array_get(e, 1);
    if (!json_is_array(e) || !json_is_string(p) || !(json_is_number(s) || json_is_null(s))) {
      rc = osc_seterr(OSC_ECORRUPT, "%s: entry %zu is not [piece, score]", vocab_path, i);
      goto fail;
    }
    total_chars += json_string_length(p);
  }
  size_t tsize = 1;
  while (tsize < 2 * (total_chars + 16)) tsize <<= 1;
  t->edges = calloc(tsize, sizeof *t->edges);
  t->edge_mask = tsize - 1;
  t->pieces = calloc(np, sizeof *t->pieces);
  t->u16len = calloc(np, sizeof *t->u16len);
  cps = malloc((64 + 1) * sizeof *cps);
  int32_t root_id;
  if (!t->edges || !t->pieces || !t->u16len || !cps || trie_new_node(t, &root_id)) {
    rc = osc_seterr(OSC_ENOMEM, "loading %s: out of memory", vocab_path);
    goto fail;
  }
  t->n_pieces = np;
  size_t cps_cap = 64;
  for (size_t i = 0; i < np; i++) {
    json_t *e = json_array_get(root, i);
    json_t *p = json_array_get(e, 0), *s = json_array_get(e, 1);
    const char *str = json_string_value(p);
    size_t slen = json_string_length(p);
    t->pieces[i] = osc_strndup(str, slen);
    if (!t->pieces[i]) {
      rc = osc_seterr(OSC_ENOMEM, "loading %s: out of memory", vocab_path);
      goto fail;
    }
    if (slen > cps_cap) {
      uint32_t *nc = realloc(cps, (slen + 1) * sizeof *cps);
      if (!nc) {
        rc = osc_seterr(OSC_ENOMEM, "loading %s: out of memory", vocab_path);
        goto fail;
      }
      cps = nc;
      cps_cap = slen;
    }
    size_t nc = osc__spm_utf8_decode(str, slen, cps);
    t->u16len[i] = utf16_len(cps, nc);
    if (i < SPM_RESERVED || nc == 0) continue;
    int32_t node = 0;
    for (size_t k = 0; k < nc; k++) {
      if ((rc = trie_add_child(t, node, cps[k], &node))) {
        rc = osc_seterr(OSC_ENOMEM, "loading %s: out of memory", vocab_path);
        goto fail;
      }
    }
    t->nodes[node].id = (int32_t)i;
    t->nodes[node].u16 = t->u16len[i];
    t->nodes[node].score = json_is_number(s) ? json_number_value(s) : 0.0;
  }
  free(cps);
  json_decref(root);
  *out = t;
  return OSC_OK;
fail:
  free(cps);
  json_decref(root);
  osc__spm_free(t);
  return rc;
}

void osc__spm_free(osc_spm *t) {
  if (!t) return;
  if (t->pieces)
    for (size_t i = 0; i < t->n_pieces; i++) free(t->pieces[i]);
  free(t->pieces);
  free(t->u16len);
  free(t->nodes);
  free(t->edges);
  free(t);
}

size_t osc__spm_size(const osc_spm *t) {
  return t ? t->n_pieces : 0;
}

const char *osc__spm_piece(const osc_spm *t, int32_t id) {
  if (!t || id < 0 || (size_t)id >= t->n_pieces) return NULL;
  return t->pieces[id];
}

void osc__spm_ws_release(osc_spm_ws *ws) {
  if (!ws) return;
  free(ws->sym);
  free(ws->best);
  free(ws->words);
  free(ws->ids);
  memset(ws, 0, sizeof *ws);
}

static int ws_reserve(osc_spm_ws *ws, size_t n) {
  if (n <= ws->cap) return OSC_OK;
  size_t cap = ws->cap ? ws->cap : 256;
  while (cap < n) cap *= 2;
  uint32_t *s = realloc(ws->sym, cap * sizeof *s);
  if (s) ws->sym = s;
  double *b = realloc(ws->best, cap * sizeof *b);
  if (b) ws->best = b;
  int32_t *w = realloc(ws->words, cap * sizeof *w);
  if (w) ws->words = w;
  int32_t *d = realloc(ws->ids, cap * sizeof *d);
  if (d) ws->ids = d;
  if (!s || !b || !w || !d) return osc_seterr(OSC_ENOMEM, "tokenizer: out of memory for %zu symbols", n);
  ws->cap = cap;
  return OSC_OK;
}

static void utf8_put(uint32_t cp, char *dst, size_t *pos) {
  unsigned char *o = (unsigned char *)dst + *pos;
  if (cp < 0x80) {
    o[0] = (unsigned char)cp;
    *pos += 1;
  } else if (cp < 0x800) {
    o[0] = (unsigned char)(0xC0 | (cp >> 6));
    o[1] = (unsigned char)(0x80 | (cp & 0x3F));
    *pos += 2;
  } else if (cp < 0x10000) {
    o[0] = (unsigned char)(0xE0 | (cp >> 12));
    o[1] = (unsigned char)(0x80 | ((cp >> 6) & 0x3F));
    o[2] = (unsigned char)(0x80 | (cp & 0x3F));
    *pos += 3;
  } else {
    o[0] = (unsigned char)(0xF0 | (cp >> 18));
    o[1] = (unsigned char)(0x80 | ((cp >> 12) & 0x3F));
    o[2] = (unsigned char)(0x80 | ((cp >> 6) & 0x3F));
    o[3] = (unsigned char)(0x80 | (cp & 0x3F));
    *pos += 4;
  }
}

/* Fills ws->sym[1..] with the NFKC code points of text; returns the count. */
static int normalize(osc_spm_ws *ws, const char *text, size_t len, size_t *count) {
  int rc = ws_reserve(ws, len + 2);
  if (rc) return rc;
  size_t n = osc__spm_utf8_decode(text, len, ws->sym + 1);
  bool ascii = true;
  for (size_t i = 0; i < n && ascii; i++) ascii = ws->sym[1 + i] < 0x80;
  if (ascii) { /* NFKC leaves ASCII alone */
    *count = n;
    return OSC_OK;
  }
  /* Re-encode the now valid code points and let utf8proc normalise them. */
  char *valid = malloc(4 * n + 1);
  if (!valid) return osc_seterr(OSC_ENOMEM, "tokenizer: out of memory");
  size_t vl = 0;
  for (size_t i = 0; i < n; i++) utf8_put(ws->sym[1 + i], valid, &vl);
  utf8proc_uint8_t *nf = NULL;
  utf8proc_ssize_t nl = utf8proc_map((const utf8proc_uint8_t *)valid, (utf8proc_ssize_t)vl, &nf,
                                     UTF8PROC_STABLE | UTF8PROC_COMPOSE | UTF8PROC_COMPAT);
  free(valid);
  if (nl < 0) {
    free(nf);
    return nl == UTF8PROC_ERROR_NOMEM ? osc_seterr(OSC_ENOMEM, "tokenizer: out of memory")
                                      : osc_seterr(OSC_EINVAL, "tokenizer: NFKC failed: %s", utf8proc_errmsg(nl));
  }
  rc = ws_reserve(ws, (size_t)nl + 2);
  if (rc) {
    free(nf);
    return rc;
  }
  *count = osc__spm_utf8_decode((const char *)nf, (size_t)nl, ws->sym + 1);
  free(nf);
  return OSC_OK;
}

int osc__spm_encode(const osc_spm *t, osc_spm_ws *ws, const char *text, size_t len, const int32_t **ids,
                    size_t *count) {
  *ids = NULL;
  *count = 0;
  size_t n = 0;
  int rc = normalize(ws, text ? text : "", text ? len : 0, &n);
  if (rc) return rc;
  if (n == 0) {
    *ids = ws->ids;
    return OSC_OK;
  }
  /* processInput: "\u2581" + text with every ' ' -> "\u2581". */
  uint32_t *sym = ws->sym;
  sym[0] = SPM_SEP;
  for (size_t i = 1; i <= n; i++)
    if (sym[i] == 0x20) sym[i] = SPM_SEP;
  n += 1;

  double *best = ws->best;
  int32_t *words = ws->words;
  for (size_t i = 0; i <= n; i++) {
    best[i] = 0.0;
    words[i] = 0;
  }
  for (size_t i = 0; i < n; i++) {
    const double base = best[i];
    bool any = false;
    int32_t node = 0;
    for (size_t k = i; k < n; k++) {
      node = trie_child(t, node, sym[k]);
      if (node < 0) break;
      const spm_node *nd = &t->nodes[node];
      if (nd->id < 0) continue;
      any = true;
      size_t end = k + 1;
      double s = nd->score + base;
      if (best[end] == 0.0 || s >= best[end]) {
        best[end] = s;
        words[end] = nd->id;
      }
    }
    if (!any) { /* unknown character: id 0, score 0, one symbol long */
      size_t end = i + 1;
      double s = 0.0 + base;
      if (best[end] == 0.0 || s >= best[end]) {
        best[end] = s;
        words[end] = 0;
      }
    }
  }
  /* Backtrack (JS steps back by the piece's string length), reversed order. */
  int32_t *out = ws->ids;
  size_t m = 0;
  long iter = (long)n;
  while (iter > 0) {
    int32_t id = words[iter];
    out[m++] = id;
    /* A piece is at least one unit long; guards against a vocabulary with "". */
    iter -= t->u16len[id] > 0 ? t->u16len[id] : 1;
  }
  /* Collapse runs of unknowns (in the reversed order, as JS does), then reverse. */
  size_t k = 0;
  bool prev_unk = false;
  for (size_t i = 0; i < m; i++) {
    int32_t id = out[i];
    if (!(prev_unk && id == 0)) out[k++] = id;
    prev_unk = id == 0;
  }
  for (size_t i = 0; i < k / 2; i++) {
    int32_t tmp = out[i];
    out[i] = out[k - 1 - i];
    out[k - 1 - i] = tmp;
  }
  *ids = out;
  *count = k;
  return OSC_OK;
}
