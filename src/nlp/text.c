/*
 * nlp/text.c - the text layer every analyser stands on: UTF-8 validation,
 * an arena + open-addressing hash map for lexicons, the word tokenizer and
 * the sentence splitter.
 *
 * Tokens are byte spans into the caller's text (never copied).  A word is a
 * run of letters, marks and digits, keeping inner apostrophes and hyphens
 * ("don't", "state-of-the-art"), inner periods of initialisms and numbers
 * ("U.S.", "3.14") and inner commas of numbers ("1,000").  Any other
 * non-space code point is a one-code-point token (punctuation or symbol, e.g.
 * an emoji).  Sentences end after . ! ? (and CJK 。！？) followed by space and
 * a plausible sentence start, except after known abbreviations and single
 * initials; a blank line always ends a sentence.
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <utf8proc.h>

#include "core/util.h"
#include "nlp/nlp_internal.h"
#include "oscontent/error.h"

/* ---- arena ---- */
struct nlp_arena_blk {
  struct nlp_arena_blk *next;
  size_t used, cap;
  max_align_t align[];
};

/* Blocks grow from 4 KiB to 1 MiB: the per-call arenas of the analysers
 * (a few hundred short keys) stay in one small malloc instead of a 1 MiB
 * block, whose allocation and release cost more than the analysis (page
 * faults, malloc_consolidate); resource maps still get 1 MiB blocks. */
void *nlp_arena_alloc(nlp_arena *a, size_t n) {
  n = (n + 15) & ~(size_t)15;
  struct nlp_arena_blk *b = a->head;
  if (!b || b->used + n > b->cap) {
    size_t cap = b ? b->cap * 2 : 4096 - sizeof(*b);
    if (cap > (1u << 20)) cap = 1u << 20;
    if (cap < n) cap = n;
    b = malloc(sizeof(*b) + cap);
    if (!b) return NULL;
    b->next = a->head;
    b->used = 0;
    b->cap = cap;
    a->head = b;
    a->bytes += cap;
  }
  void *p = (char *)b->align + b->used;
  b->used += n;
  return p;
}

char *nlp_arena_strndup(nlp_arena *a, const char *s, size_t n) {
  char *p = nlp_arena_alloc(a, n + 1);
  if (!p) return NULL;
  memcpy(p, s, n);
  p[n] = 0;
  return p;
}

void nlp_arena_release(nlp_arena *a) {
  struct nlp_arena_blk *b = a->head;
  while (b) {
    struct nlp_arena_blk *nx = b->next;
    free(b);
    b = nx;
  }
  a->head = NULL;
  a->bytes = 0;
}

/* ---- map ---- */
uint64_t nlp_hash(const char *k, size_t n) {
  uint64_t h = 1469598103934665603ULL; /* FNV-1a, then mixed */
  for (size_t i = 0; i < n; i++) h = (h ^ (unsigned char)k[i]) * 1099511628211ULL;
  h = osc_mix64(h);
  return h ? h : 1;
}

int nlp_map_init(nlp_map *m, nlp_arena *arena, size_t expect) {
  size_t cap = 16;
  while (cap < expect * 2) cap <<= 1;
  m->ents = calloc(cap, sizeof(*m->ents));
  if (!m->ents) return OSC_ENOMEM;
  m->cap = cap;
  m->count = 0;
  m->arena = arena;
  return OSC_OK;
}

void nlp_map_release(nlp_map *m) {
  free(m->ents);
  m->ents = NULL;
  m->cap = m->count = 0;
}

static int map_grow(nlp_map *m) {
  size_t ncap = m->cap * 2;
  nlp_map_ent *ne = calloc(ncap, sizeof(*ne));
  if (!ne) return OSC_ENOMEM;
  for (size_t i = 0; i < m->cap; i++) {
    if (!m->ents[i].h) continue;
    size_t j = m->ents[i].h & (ncap - 1);
    while (ne[j].h) j = (j + 1) & (ncap - 1);
    ne[j] = m->ents[i];
  }
  free(m->ents);
  m->ents = ne;
  m->cap = ncap;
  return OSC_OK;
}

nlp_map_ent *nlp_map_put(nlp_map *m, const char *k, size_t klen, bool *created) {
  if (!m->ents && nlp_map_init(m, m->arena, 16) != OSC_OK) return NULL;
  if ((m->count + 1) * 4 > m->cap * 3 && map_grow(m) != OSC_OK) return NULL;
  uint64_t h = nlp_hash(k, klen);
  size_t j = h & (m->cap - 1);
  while (m->ents[j].h) {
    if (m->ents[j].h == h && m->ents[j].klen == klen && memcmp(m->ents[j].k, k, klen) == 0) {
      if (created) *created = false;
      return &m->ents[j];
    }
    j = (j + 1) & (m->cap - 1);
  }
  char *kc = nlp_arena_strndup(m->arena, k, klen);
  if (!kc) return NULL;
  m->ents[j].h = h;
  m->ents[j].k = kc;
  m->ents[j].klen = (uint32_t)klen;
  m->ents[j].i = 0;
  m->ents[j].v = 0;
  m->count++;
  if (created) *created = true;
  return &m->ents[j];
}

const nlp_map_ent *nlp_map_get(const nlp_map *m, const char *k, size_t klen) {
  if (!m->ents || !m->count) return NULL;
  uint64_t h = nlp_hash(k, klen);
  size_t j = h & (m->cap - 1);
  while (m->ents[j].h) {
    if (m->ents[j].h == h && m->ents[j].klen == klen && memcmp(m->ents[j].k, k, klen) == 0) return &m->ents[j];
    j = (j + 1) & (m->cap - 1);
  }
  return NULL;
}

/* ---- UTF-8 ---- */
int osc_nlp_validate_utf8(const char *text, size_t len) {
  if (!text && len) return osc_seterr(OSC_EINVAL, "text: NULL");
  size_t i = 0;
  const unsigned char *s = (const unsigned char *)text;
  while (i < len) {
    if (s[i] < 0x80) {
      if (s[i] == 0) return osc_seterr(OSC_EINVAL, "text: NUL byte at byte offset %zu", i);
      i++;
      continue;
    }
    utf8proc_int32_t cp;
    utf8proc_ssize_t n = utf8proc_iterate(s + i, (utf8proc_ssize_t)(len - i), &cp);
    if (n < 0) return osc_seterr(OSC_EINVAL, "text: invalid UTF-8 at byte offset %zu (byte 0x%02x)", i, s[i]);
    i += (size_t)n;
  }
  return OSC_OK;
}

size_t nlp_cp_count(const char *s, size_t n) {
  size_t c = 0;
  for (size_t i = 0; i < n; i++)
    if (((unsigned char)s[i] & 0xC0) != 0x80) c++;
  return c;
}

static inline int32_t dec(const char *s, size_t len, size_t i, size_t *adv) {
  unsigned char c = (unsigned char)s[i];
  if (c < 0x80) {
    *adv = 1;
    return c;
  }
  utf8proc_int32_t cp;
  utf8proc_ssize_t n = utf8proc_iterate((const utf8proc_uint8_t *)s + i, (utf8proc_ssize_t)(len - i), &cp);
  if (n <= 0) {
    *adv = 1;
    return 0xFFFD;
  }
  *adv = (size_t)n;
  return cp;
}

size_t nlp_lower(const char *s, size_t n, char *buf, size_t cap) {
  size_t o = 0;
  for (size_t i = 0; i < n;) {
    unsigned char c = (unsigned char)s[i];
    if (c < 0x80) {
      if (o + 1 >= cap) break;
      buf[o++] = (char)((c >= 'A' && c <= 'Z') ? c + 32 : c);
      i++;
      continue;
    }
    size_t adv;
    int32_t cp = dec(s, n, i, &adv);
    cp = utf8proc_tolower(cp);
    if (cp == 0x2019) cp = '\''; /* typographic apostrophe folds to ' */
    utf8proc_uint8_t tmp[4];
    utf8proc_ssize_t w = utf8proc_encode_char(cp, tmp);
    if (o + (size_t)w >= cap) break;
    memcpy(buf + o, tmp, (size_t)w);
    o += (size_t)w;
    i += adv;
  }
  if (cap) buf[o] = 0;
  return o;
}

/* ---- tokenizer ---- */
typedef enum { C_SPACE, C_LETTER, C_MARK, C_DIGIT, C_PUNCT, C_SYM } cclass;

static cclass classify(int32_t cp) {
  if (cp < 0x80) {
    if (cp == ' ' || cp == '\t' || cp == '\n' || cp == '\r' || cp == '\f' || cp == '\v') return C_SPACE;
    if ((cp | 32) >= 'a' && (cp | 32) <= 'z') return C_LETTER;
    if (cp >= '0' && cp <= '9') return C_DIGIT;
    if (cp < 0x20 || cp == 0x7f) return C_SPACE;
    if (cp == '$' || cp == '+' || cp == '<' || cp == '=' || cp == '>' || cp == '^' || cp == '`' || cp == '|' ||
        cp == '~')
      return C_SYM;
    return C_PUNCT;
  }
  switch (utf8proc_category(cp)) {
  case UTF8PROC_CATEGORY_LU: case UTF8PROC_CATEGORY_LL: case UTF8PROC_CATEGORY_LT:
  case UTF8PROC_CATEGORY_LM: case UTF8PROC_CATEGORY_LO:
    return C_LETTER;
  case UTF8PROC_CATEGORY_MN: case UTF8PROC_CATEGORY_MC: case UTF8PROC_CATEGORY_ME:
    return C_MARK;
  case UTF8PROC_CATEGORY_ND: case UTF8PROC_CATEGORY_NL: case UTF8PROC_CATEGORY_NO:
    return C_DIGIT;
  case UTF8PROC_CATEGORY_ZS: case UTF8PROC_CATEGORY_ZL: case UTF8PROC_CATEGORY_ZP:
  case UTF8PROC_CATEGORY_CC: case UTF8PROC_CATEGORY_CF:
    return C_SPACE;
  case UTF8PROC_CATEGORY_SM: case UTF8PROC_CATEGORY_SC: case UTF8PROC_CATEGORY_SK: case UTF8PROC_CATEGORY_SO:
    return C_SYM;
  default:
    return C_PUNCT;
  }
}

static bool is_cjk(int32_t cp) {
  return (cp >= 0x3040 && cp <= 0x30FF) || (cp >= 0x3400 && cp <= 0x9FFF) || (cp >= 0xF900 && cp <= 0xFAFF) ||
         (cp >= 0x20000 && cp <= 0x2FFFF);
}

static int toks_push(nlp_toks *t, nlp_tok tk) {
  if (t->n == t->cap) {
    size_t nc = t->cap ? t->cap * 2 : 64;
    nlp_tok *nv = realloc(t->v, nc * sizeof(*nv));
    if (!nv) return OSC_ENOMEM;
    t->v = nv;
    t->cap = nc;
  }
  t->v[t->n++] = tk;
  return OSC_OK;
}

void nlp_toks_release(nlp_toks *t) {
  free(t->v);
  t->v = NULL;
  t->n = t->cap = 0;
}

static bool is_abbrev(const char *s, size_t n) {
  static const char *const ab[] = {"mr", "mrs", "ms", "dr", "prof", "st", "jr", "sr", "vs", "etc", "inc", "ltd",
                                   "co", "corp", "mt", "no", "jan", "feb", "mar", "apr", "jun", "jul", "aug",
                                   "sep", "sept", "oct", "nov", "dec", "gen", "gov", "sen", "rep", "rev", "fig",
                                   "e.g", "i.e", "approx", "dept", "est", "vol", "u.s", "u.k", "a.m", "p.m", "ft",
                                   "col", "lt", "capt", "sgt", "ave", "blvd", "cf", "al"};
  char b[16];
  if (n == 0 || n >= sizeof b) return false;
  size_t m = nlp_lower(s, n, b, sizeof b);
  if (m == 1 && ((s[0] >= 'A' && s[0] <= 'Z'))) return true; /* an initial: "J. Smith" */
  for (size_t i = 0; i < OSC_ARRAY_LEN(ab); i++)
    if (m && ab[i][0] == b[0] && strlen(ab[i]) == m && memcmp(ab[i], b, m) == 0) return true;
  return false;
}

int nlp_tokenize(const char *text, size_t len, nlp_toks *out) {
  out->n = 0;
  /* one allocation for typical text (about one token per 5 bytes of prose) */
  size_t want = len / 4 + 16;
  if (out->cap < want) {
    nlp_tok *nv = realloc(out->v, want * sizeof(*nv));
    if (!nv) return OSC_ENOMEM;
    out->v = nv;
    out->cap = want;
  }
  size_t i = 0;
  uint16_t sent = 0;
  bool sent_start = true, space_before = true;
  while (i < len) {
    size_t adv;
    int32_t cp = dec(text, len, i, &adv);
    cclass c = classify(cp);
    if (c == C_SPACE) {
      /* blank line = sentence break */
      if (cp == '\n') {
        size_t j = i + 1;
        while (j < len && (text[j] == ' ' || text[j] == '\t' || text[j] == '\r')) j++;
        if (j < len && text[j] == '\n' && !sent_start) {
          if (sent < UINT16_MAX) sent++;
          sent_start = true;
        }
      }
      space_before = true;
      i += adv;
      continue;
    }
    nlp_tok tk = {(uint32_t)i, 0, 0, 0, sent};
    if (space_before) tk.flags |= TF_SPACE_BEFORE;
    if (c == C_LETTER || c == C_DIGIT || c == C_MARK) {
      if (is_cjk(cp)) { /* CJK: one token per ideograph / kana run is too coarse; use single chars */
        tk.e = (uint32_t)(i + adv);
        tk.kind = TK_WORD;
        tk.flags |= TF_ALPHA | TF_NONASCII;
        i += adv;
      } else {
        bool any_letter = false, any_digit = false, any_upper = false, any_lower = false, nonascii = false;
        bool first_upper = false, first = true;
        size_t j = i;
        while (j < len) {
          size_t a2;
          int32_t q = dec(text, len, j, &a2);
          cclass qc = classify(q);
          if (qc == C_LETTER || qc == C_MARK || (qc == C_DIGIT && !is_cjk(q))) {
            if (is_cjk(q)) break;
            if (qc == C_LETTER) {
              any_letter = true;
              if (q < 0x80) {
                if (q >= 'A' && q <= 'Z') { any_upper = true; if (first) first_upper = true; }
                else any_lower = true;
              } else {
                int32_t lo = utf8proc_tolower(q), up = utf8proc_toupper(q);
                if (lo != q) { any_upper = true; if (first) first_upper = true; }
                else if (up != q) any_lower = true;
              }
            } else if (qc == C_DIGIT) {
              any_digit = true;
            }
            if (q >= 0x80) nonascii = true;
            first = false;
            j += a2;
            continue;
          }
          /* inner joiners: ' ’ - between word chars; . , between digits; . in initialisms */
          if ((q == '\'' || q == 0x2019 || q == '-' || q == '.' || q == ',' || q == '&') && j + a2 < len) {
            size_t a3;
            int32_t nx = dec(text, len, j + a2, &a3);
            cclass nc = classify(nx);
            bool ok = false;
            if ((q == '\'' || q == 0x2019) && nc == C_LETTER && any_letter) ok = true;
            else if (q == '-' && (nc == C_LETTER || nc == C_DIGIT) && (any_letter || any_digit)) ok = true;
            else if ((q == '.' || q == ',') && nc == C_DIGIT && any_digit && !any_letter) ok = true;
            else if (q == '.' && nc == C_LETTER && j - i == 1 && any_upper && j + a2 + 1 < len &&
                     text[j + a2 + 1] == '.')
              ok = true; /* U.S. */
            else if (q == '.' && nc == C_LETTER && any_upper && (j - i) <= 3 && j >= i + 2 && text[j - 2] == '.')
              ok = true;
            else if (q == '&' && nc == C_LETTER && any_upper && (j - i) <= 2) ok = true; /* AT&T */
            if (ok) {
              j += a2;
              continue;
            }
          }
          break;
        }
        /* initialism "U.S." keeps its final period */
        if (j < len && text[j] == '.' && j >= i + 3 && text[j - 2] == '.') j++;
        tk.e = (uint32_t)j;
        tk.kind = any_letter ? TK_WORD : TK_NUM;
        if (any_letter && !any_digit) tk.flags |= TF_ALPHA;
        if (first_upper) tk.flags |= TF_CAP;
        if (any_upper && !any_lower) tk.flags |= TF_ALLCAP;
        if (nonascii) tk.flags |= TF_NONASCII;
        i = j;
      }
    } else {
      tk.e = (uint32_t)(i + adv);
      tk.kind = c == C_SYM ? TK_SYM : TK_PUNCT;
      i += adv;
    }
    if (sent_start) tk.flags |= TF_SENT_START;
    sent_start = false;
    space_before = false;
    if (toks_push(out, tk) != OSC_OK) return OSC_ENOMEM;
    /* sentence end? */
    if (tk.kind == TK_PUNCT) {
      int32_t pc = dec(text, len, tk.s, &adv);
      bool term = pc == '.' || pc == '!' || pc == '?' || pc == 0x3002 || pc == 0xFF01 || pc == 0xFF1F ||
                  pc == 0x2026 || pc == 0x0964;
      if (term) {
        /* absorb further terminators and closing quotes/brackets */
        size_t j = i;
        while (j < len) {
          int32_t q = dec(text, len, j, &adv);
          if (q == '.' || q == '!' || q == '?' || q == '"' || q == '\'' || q == ')' || q == ']' || q == 0x201D ||
              q == 0x2019 || q == 0xBB) {
            nlp_tok t2 = {(uint32_t)j, (uint32_t)(j + adv), TK_PUNCT, 0, sent};
            if (toks_push(out, t2) != OSC_OK) return OSC_ENOMEM;
            j += adv;
          } else
            break;
        }
        i = j;
        bool cjk_term = pc == 0x3002 || pc == 0xFF01 || pc == 0xFF1F;
        bool follows_space = i >= len || classify(dec(text, len, i, &adv)) == C_SPACE;
        bool abbrev = false;
        if (pc == '.' && out->n >= 2) {
          const nlp_tok *pw = &out->v[out->n - 2];
          if (pw->kind == TK_WORD && pw->e == tk.s) abbrev = is_abbrev(text + pw->s, pw->e - pw->s);
        }
        if (abbrev && i < len) {
          /* next word lower case: certainly no break; upper case after Mr./Dr./initial: no break either */
          abbrev = true;
        }
        if ((follows_space || cjk_term) && !abbrev) {
          /* next non-space must not be a lower-case letter */
          size_t j2 = i;
          while (j2 < len && classify(dec(text, len, j2, &adv)) == C_SPACE) j2 += adv;
          bool lower_next = false;
          if (j2 < len) {
            int32_t q = dec(text, len, j2, &adv);
            if (classify(q) == C_LETTER && utf8proc_toupper(q) != q && pc == '.') lower_next = true;
          }
          if (!lower_next) {
            if (sent < UINT16_MAX) sent++;
            sent_start = true;
          }
        }
      }
    }
  }
  return OSC_OK;
}

int nlp_split_sentences(const char *text, size_t len, size_t **starts, size_t **ends, size_t *n) {
  nlp_toks t = {0};
  *starts = *ends = NULL;
  *n = 0;
  int rc = nlp_tokenize(text, len, &t);
  if (rc) goto out;
  size_t cnt = 0;
  for (size_t i = 0; i < t.n; i++)
    if (t.v[i].flags & TF_SENT_START) cnt++;
  size_t *s = malloc((cnt + 1) * sizeof(*s)), *e = malloc((cnt + 1) * sizeof(*e));
  if (!s || !e) {
    free(s);
    free(e);
    rc = OSC_ENOMEM;
    goto out;
  }
  size_t k = 0;
  for (size_t i = 0; i < t.n; i++) {
    if (t.v[i].flags & TF_SENT_START) {
      if (k) e[k - 1] = t.v[i - 1].e;
      s[k++] = t.v[i].s;
    }
  }
  if (k) e[k - 1] = t.v[t.n - 1].e;
  *starts = s;
  *ends = e;
  *n = k;
out:
  nlp_toks_release(&t);
  return rc;
}

int osc_nlp_sentences(const char *text, size_t len, size_t **starts, size_t **ends, size_t *n) {
  if (!starts || !ends || !n) return osc_seterr(OSC_EINVAL, "sentences: NULL output");
  int rc = osc_nlp_validate_utf8(text, len);
  if (rc) return rc;
  return nlp_split_sentences(text, len, starts, ends, n);
}

int osc_nlp_words(const char *text, size_t len, size_t **starts, size_t **ends, size_t *n) {
  if (!starts || !ends || !n) return osc_seterr(OSC_EINVAL, "words: NULL output");
  *starts = *ends = NULL;
  *n = 0;
  int rc = osc_nlp_validate_utf8(text, len);
  if (rc) return rc;
  nlp_toks t = {0};
  rc = nlp_tokenize(text, len, &t);
  if (rc) {
    nlp_toks_release(&t);
    return rc;
  }
  size_t *s = malloc((t.n + 1) * sizeof(*s)), *e = malloc((t.n + 1) * sizeof(*e));
  if (!s || !e) {
    free(s);
    free(e);
    nlp_toks_release(&t);
    return OSC_ENOMEM;
  }
  size_t k = 0;
  for (size_t i = 0; i < t.n; i++)
    if (t.v[i].kind == TK_WORD || t.v[i].kind == TK_NUM) {
      s[k] = t.v[i].s;
      e[k++] = t.v[i].e;
    }
  nlp_toks_release(&t);
  *starts = s;
  *ends = e;
  *n = k;
  return OSC_OK;
}

/* English function words: used to delimit candidate phrases (keywords),
 * to weight sentences (summary) and to drop question words (QA).  This is a
 * grammar list (closed-class words), not a data resource. */
static const char *const EN_STOP[] = {
    "a", "about", "above", "after", "again", "against", "all", "also", "am", "an", "and", "any", "are", "aren't",
    "as", "at", "be", "because", "been", "before", "being", "below", "between", "both", "but", "by", "can",
    "cannot", "could", "did", "do", "does", "doing", "don't", "down", "during", "each", "either", "etc", "even",
    "ever", "every", "few", "for", "from", "further", "had", "has", "have", "having", "he", "her", "here", "hers",
    "herself", "him", "himself", "his", "how", "however", "i", "if", "in", "into", "is", "isn't", "it", "it's",
    "its", "itself", "just", "let", "many", "may", "me", "might", "more", "most", "much", "must", "my", "myself",
    "no", "nor", "not", "now", "of", "off", "on", "once", "one", "only", "or", "other", "others", "our", "ours",
    "ourselves", "out", "over", "own", "per", "rather", "same", "several", "she", "should", "since", "so", "some",
    "such", "than", "that", "that's", "the", "their", "theirs", "them", "themselves", "then", "there", "therefore",
    "these", "they", "this", "those", "though", "through", "thus", "to", "too", "under", "until", "up", "upon",
    "us", "very", "via", "was", "wasn't", "we", "well", "were", "what", "when", "where", "whereas", "whether",
    "which", "while", "who", "whom", "whose", "why", "will", "with", "within", "without", "would", "yet", "you",
    "your", "yours", "yourself", "yourselves", "get", "got", "shall", "onto", "among", "amongst", "another",
    "around", "across", "along", "although", "s", "t", "'s", "two", "three", "first", "second", "new", "used",
    "using", "use", "based", "show", "shows", "shown", "found", "obtained", "however", "due", "well", "thereby",
    "respectively", "e.g", "i.e", "et", "al", "said", "says", "say", "like", "still", "often", "less", "least",
    "make", "made", "take", "taken", "become", "became", "given", "give", "since", "whose", "toward", "towards"};

static nlp_map g_stop;
static nlp_arena g_stop_arena;
static pthread_once_t g_stop_once = PTHREAD_ONCE_INIT;
static void stop_init(void) {
  g_stop.arena = &g_stop_arena;
  nlp_map_init(&g_stop, &g_stop_arena, OSC_ARRAY_LEN(EN_STOP));
  for (size_t i = 0; i < OSC_ARRAY_LEN(EN_STOP); i++) nlp_map_put(&g_stop, EN_STOP[i], strlen(EN_STOP[i]), NULL);
}

bool nlp_is_stop_en(const char *lw, size_t n) {
  pthread_once(&g_stop_once, stop_init);
  return nlp_map_has(&g_stop, lw, n);
}

int nlp_syllables(const char *w, size_t n) {
  int count = 0;
  bool prev_v = false;
  size_t letters = 0;
  for (size_t i = 0; i < n; i++) {
    char c = w[i];
    if (c < 'a' || c > 'z') continue;
    letters++;
    bool v = c == 'a' || c == 'e' || c == 'i' || c == 'o' || c == 'u' || c == 'y';
    if (v && !prev_v) count++;
    prev_v = v;
  }
  if (n > 2 && w[n - 1] == 'e' && !(w[n - 2] == 'l' && n > 3 && !strchr("aeiouy", w[n - 3])) && count > 1) count--;
  if (count == 0 && letters) count = 1;
  return count;
}
