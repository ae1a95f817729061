/*
 * nlp/sentiment.c - VADER (Hutto & Gilbert 2014) rules in C over the VADER
 * lexicon, following vaderSentiment 3.3.2: whitespace tokens with edge
 * punctuation stripped, boosters/dampeners over three preceding words with
 * distance decay, negation (N_SCALAR -0.74, "never so", "without doubt"),
 * ALL-CAPS emphasis when the text mixes case, "no" handling, "least",
 * contrastive "but" (0.5 before, 1.5 after: applied by position, fixing the
 * reference's value-based index bug), idioms and special cases, "kind of",
 * ! and ? amplification, and normalisation x / sqrt(x^2 + 15).
 *
 * Departures from the reference (docs/nlp.md has the measurements): the
 * preceding words that negation, boosters, "no" and "least" look at stop at a
 * word followed by clause punctuation (, ; : . ! ?); a short word keeps its
 * lookup when punctuation is attached ("no!", "ok.") while an emoticon stays
 * whole; a negator is not itself negated ("no no no"); "-in" words fall back
 * to "-ing" ("lovin"); emoji are tokens of their own, valued from the Emoji
 * Sentiment Ranking (sent_emoji.c).
 *
 * TextBlob/Pattern polarity and subjectivity: the mean over lexicon words of
 * the Pattern en-sentiment.xml values (senses averaged per form), where an
 * intensifier (a lexicon adverb with intensity != 1, e.g. "very") multiplies
 * the next word and a preceding negation multiplies polarity by -0.5.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <utf8proc.h>

#include "core/util.h"
#include "nlp/nlp_internal.h"
#include "oscontent/error.h"

#define B_INCR 0.293
#define B_DECR -0.293
#define C_INCR 0.733
#define N_SCALAR -0.74

static const char *const NEGATE[] = {
    "aint", "arent", "cannot", "cant", "couldnt", "darent", "didnt", "doesnt", "ain't", "aren't", "can't",
    "couldn't", "daren't", "didn't", "doesn't", "dont", "hadnt", "hasnt", "havent", "isnt", "mightnt", "mustnt",
    "neither", "don't", "hadn't", "hasn't", "haven't", "isn't", "mightn't", "mustn't", "neednt", "needn't",
    "never", "none", "nope", "nor", "not", "nothing", "nowhere", "oughtnt", "shant", "shouldnt", "uhuh", "wasnt",
    "werent", "oughtn't", "shan't", "shouldn't", "uh-uh", "wasn't", "weren't", "without", "wont", "wouldnt",
    "won't", "wouldn't", "rarely", "seldom", "despite"};

static const struct { const char *w; double v; } BOOSTERS[] = {
    {"absolutely", B_INCR}, {"amazingly", B_INCR}, {"awfully", B_INCR}, {"completely", B_INCR},
    {"considerable", B_INCR}, {"considerably", B_INCR}, {"decidedly", B_INCR}, {"deeply", B_INCR},
    {"effing", B_INCR}, {"enormous", B_INCR}, {"enormously", B_INCR}, {"entirely", B_INCR},
    {"especially", B_INCR}, {"exceptional", B_INCR}, {"exceptionally", B_INCR}, {"extreme", B_INCR},
    {"extremely", B_INCR}, {"fabulously", B_INCR}, {"flipping", B_INCR}, {"flippin", B_INCR},
    {"frackin", B_INCR}, {"fracking", B_INCR}, {"fricking", B_INCR}, {"frickin", B_INCR}, {"frigging", B_INCR},
    {"friggin", B_INCR}, {"fully", B_INCR}, {"fuckin", B_INCR}, {"fucking", B_INCR}, {"fuggin", B_INCR},
    {"fugging", B_INCR}, {"greatly", B_INCR}, {"hella", B_INCR}, {"highly", B_INCR}, {"hugely", B_INCR},
    {"incredible", B_INCR}, {"incredibly", B_INCR}, {"intensely", B_INCR}, {"major", B_INCR},
    {"majorly", B_INCR}, {"more", B_INCR}, {"most", B_INCR}, {"particularly", B_INCR}, {"purely", B_INCR},
    {"quite", B_INCR}, {"really", B_INCR}, {"remarkably", B_INCR}, {"so", B_INCR}, {"substantially", B_INCR},
    {"thoroughly", B_INCR}, {"total", B_INCR}, {"totally", B_INCR}, {"tremendous", B_INCR},
    {"tremendously", B_INCR}, {"uber", B_INCR}, {"unbelievably", B_INCR}, {"unusually", B_INCR},
    {"utter", B_INCR}, {"utterly", B_INCR}, {"very", B_INCR}, {"almost", B_DECR}, {"barely", B_DECR},
    {"hardly", B_DECR}, {"just enough", B_DECR}, {"kind of", B_DECR}, {"kinda", B_DECR}, {"kindof", B_DECR},
    {"kind-of", B_DECR}, {"less", B_DECR}, {"little", B_DECR}, {"marginal", B_DECR}, {"marginally", B_DECR},
    {"occasional", B_DECR}, {"occasionally", B_DECR}, {"partly", B_DECR}, {"scarce", B_DECR},
    {"scarcely", B_DECR}, {"slight", B_DECR}, {"slightly", B_DECR}, {"somewhat", B_DECR}, {"sort of", B_DECR},
    {"sorta", B_DECR}, {"sortof", B_DECR}, {"sort-of", B_DECR}};

static const struct { const char *w; double v; } SPECIAL[] = {
    {"the shit", 3}, {"the bomb", 3}, {"bad ass", 1.5}, {"badass", 1.5}, {"bus stop", 0.0}, {"yeah right", -2},
    {"kiss of death", -1.5}, {"to die for", 3}, {"beating heart", 3.1}, {"broken heart", -2.9},
    /* idioms (SENTIMENT_LADEN_IDIOMS) */
    {"cut the mustard", 2}, {"hand to mouth", -2}, {"back handed", -2}, {"blow smoke", -2},
    {"blowing smoke", -2}, {"upper hand", 1}, {"break a leg", 2}, {"cooking with gas", 2}, {"in the black", 2},
    {"in the red", -2}, {"on the ball", 2}, {"under the weather", -2}};

typedef struct vw {
  const char *s; /* token as in the text */
  uint32_t n;
  char *lw;      /* lower case (points into a scratch buffer) */
  uint32_t ln;
  bool upper;    /* Python str.isupper() */
  bool isb;      /* a booster / dampener, of value boost */
  double boost;
  bool brk;      /* clause punctuation follows: negation and boosters do not reach across it */
  const nlp_map_ent *lex;
} vw;


static bool eqs(const vw *w, const char *s) { return w->ln && s[0] == w->lw[0] && strlen(s) == w->ln && memcmp(w->lw, s, w->ln) == 0; }

static double booster(const char *s, size_t n) {
  for (size_t i = 0; i < OSC_ARRAY_LEN(BOOSTERS); i++)
    if (n && BOOSTERS[i].w[0] == s[0] && strlen(BOOSTERS[i].w) == n && memcmp(BOOSTERS[i].w, s, n) == 0) return BOOSTERS[i].v;
  return 0;
}
static bool is_booster(const char *s, size_t n) {
  for (size_t i = 0; i < OSC_ARRAY_LEN(BOOSTERS); i++)
    if (n && BOOSTERS[i].w[0] == s[0] && strlen(BOOSTERS[i].w) == n && memcmp(BOOSTERS[i].w, s, n) == 0) return true;
  return false;
}
static bool special(const char *s, size_t n, double *v) {
  for (size_t i = 0; i < OSC_ARRAY_LEN(SPECIAL); i++)
    if (n && SPECIAL[i].w[0] == s[0] && strlen(SPECIAL[i].w) == n && memcmp(SPECIAL[i].w, s, n) == 0) {
      *v = SPECIAL[i].v;
      return true;
    }
  return false;
}

static bool negated_word(const vw *w) {
  for (size_t i = 0; i < OSC_ARRAY_LEN(NEGATE); i++)
    if (eqs(w, NEGATE[i])) return true;
  for (size_t i = 0; i + 2 < w->ln + 0u && w->ln >= 3; i++)
    if (w->lw[i] == 'n' && w->lw[i + 1] == '\'' && w->lw[i + 2] == 't') return true;
  if (w->ln >= 3 && w->lw[w->ln - 3] == 'n' && w->lw[w->ln - 2] == '\'' && w->lw[w->ln - 1] == 't') return true;
  return false;
}

static double scalar_inc_dec(const vw *w, double valence, bool cap_diff) {
  double scalar = 0;
  if (w->isb) {
    scalar = w->boost;
    if (valence < 0) scalar *= -1;
    if (w->upper && cap_diff) scalar += valence > 0 ? C_INCR : -C_INCR;
  }
  return scalar;
}

static bool py_isupper(const char *s, size_t n) {
  bool cased = false;
  for (size_t i = 0; i < n;) {
    utf8proc_int32_t cp;
    utf8proc_ssize_t a = utf8proc_iterate((const utf8proc_uint8_t *)s + i, (utf8proc_ssize_t)(n - i), &cp);
    if (a <= 0) return false;
    i += (size_t)a;
    if (utf8proc_tolower(cp) != cp) cased = true;
    else if (utf8proc_toupper(cp) != cp) return false;
  }
  return cased;
}

static bool is_ascii_punct(char c) { return c > 32 && c < 127 && !((c | 32) >= 'a' && (c | 32) <= 'z') && !(c >= '0' && c <= '9'); }

static size_t join(const vw *w, size_t a, size_t b, char *buf, size_t cap) {
  size_t o = 0;
  for (size_t i = a; i <= b; i++) {
    if (o + w[i].ln + 2 >= cap) return 0;
    if (i > a) buf[o++] = ' ';
    memcpy(buf + o, w[i].lw, w[i].ln);
    o += w[i].ln;
  }
  buf[o] = 0;
  return o;
}

static double negation_check(double valence, const vw *w, int start_i, size_t i) {
  if (start_i == 0) {
    if (negated_word(&w[i - 1])) valence *= N_SCALAR;
  } else if (start_i == 1) {
    if (eqs(&w[i - 2], "never") && (eqs(&w[i - 1], "so") || eqs(&w[i - 1], "this"))) valence *= 1.25;
    else if (eqs(&w[i - 2], "without") && eqs(&w[i - 1], "doubt")) {
    } else if (negated_word(&w[i - 2])) valence *= N_SCALAR;
  } else if (start_i == 2) {
    if ((eqs(&w[i - 3], "never") && (eqs(&w[i - 2], "so") || eqs(&w[i - 2], "this"))) ||
        (eqs(&w[i - 1], "so") || eqs(&w[i - 1], "this")))
      valence *= 1.25;
    else if (eqs(&w[i - 3], "without") && (eqs(&w[i - 2], "doubt") || eqs(&w[i - 1], "doubt"))) {
    } else if (negated_word(&w[i - 3])) valence *= N_SCALAR;
  }
  return valence;
}

static double idioms_check(double valence, const vw *w, size_t nw, size_t i) {
  char b[256];
  double v;
  size_t seqs[5][2] = {{i - 1, i}, {i - 2, i}, {i - 2, i - 1}, {i - 3, i - 1}, {i - 3, i - 2}};
  for (int k = 0; k < 5; k++) {
    size_t n = join(w, seqs[k][0], seqs[k][1], b, sizeof b);
    if (n && special(b, n, &v)) {
      valence = v;
      break;
    }
  }
  if (nw - 1 > i) {
    size_t n = join(w, i, i + 1, b, sizeof b);
    if (n && special(b, n, &v)) valence = v;
  }
  if (nw - 1 > i + 1) {
    size_t n = join(w, i, i + 2, b, sizeof b);
    if (n && special(b, n, &v)) valence = v;
  }
  size_t ng[3][2] = {{i - 3, i - 1}, {i - 3, i - 2}, {i - 2, i - 1}};
  for (int k = 0; k < 3; k++) {
    size_t n = join(w, ng[k][0], ng[k][1], b, sizeof b);
    if (n && is_booster(b, n)) valence += booster(b, n);
  }
  return valence;
}

/* Social-media elongation ("goooood", "loooove"): when a word with a run of 3+ equal letters is not
   in the lexicon, try the runs folded to two letters, then to one. */
static const nlp_map_ent *elongated(const osc_nlp *nlp, const char *lw, size_t n) {
  bool run3 = false;
  for (size_t i = 2; i < n; i++)
    if (lw[i] == lw[i - 1] && lw[i] == lw[i - 2] && ((lw[i] >= 'a' && lw[i] <= 'z'))) run3 = true;
  if (!run3) return NULL;
  char b[64];
  for (int keep = 2; keep >= 1; keep--) {
    size_t m = 0;
    for (size_t i = 0; i < n; i++) {
      int r = 0;
      while (r < keep && m > (size_t)r && b[m - 1 - r] == lw[i]) r++;
      if (r >= keep && lw[i] >= 'a' && lw[i] <= 'z') continue;
      b[m++] = lw[i];
    }
    const nlp_map_ent *e = nlp_map_get(&nlp->vader, b, m);
    if (e) return e;
  }
  return NULL;
}

static bool is_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v'; }

/* The first emoji of the lexicon in text[p, e): its span [*es, *ee) takes in the variation selectors, skin tones
   and zero-width-joined code points after it (one glyph, one token). NULL when there is none (*es = *ee = e). */
static const nlp_map_ent *next_emoji(const osc_nlp *nlp, const char *text, size_t p, size_t e, size_t *es, size_t *ee) {
  *es = *ee = e;
  for (size_t q = p; q < e;) {
    if ((unsigned char)text[q] < 0x80) {
      q++;
      continue;
    }
    utf8proc_int32_t cp;
    utf8proc_ssize_t a = utf8proc_iterate((const utf8proc_uint8_t *)text + q, (utf8proc_ssize_t)(e - q), &cp);
    if (a <= 0) a = 1;
    const nlp_map_ent *em = nlp_map_get(&nlp->emoji, text + q, (size_t)a);
    if (!em) {
      q += (size_t)a;
      continue;
    }
    size_t r = q + (size_t)a;
    bool join = false;
    while (r < e) {
      utf8proc_ssize_t b = utf8proc_iterate((const utf8proc_uint8_t *)text + r, (utf8proc_ssize_t)(e - r), &cp);
      if (b <= 0) break;
      if (join || cp == 0xfe0f || cp == 0xfe0e || (cp >= 0x1f3fb && cp <= 0x1f3ff) || cp == 0x20e3) join = false;
      else if (cp == 0x200d) join = true;
      else break;
      r += (size_t)b;
    }
    *es = q;
    *ee = r;
    return em;
  }
  return NULL;
}

/* One word token of text[s, i): edge ASCII punctuation is stripped, but a token whose remainder has <= 2
   characters stays whole when it is an emoticon (":)", ":-P": the remainder is not all letters or digits, or
   the whole token is in the lexicon), while a short word keeps its lookup ("no!", "ok.", "ha!"). Clause
   punctuation among the stripped trailing characters marks a clause break. */
static void word_tok(const osc_nlp *nlp, const char *text, size_t s, size_t i, vw *x, char *lbuf, size_t cap,
                     size_t *lo) {
  size_t a = s, b = i;
  while (a < b && is_ascii_punct(text[a])) a++;
  while (b > a && is_ascii_punct(text[b - 1])) b--;
  bool brk = false;
  for (size_t q = b; q < i; q++)
    if (strchr(",;:.!?", text[q])) brk = true;
  if ((a > s || b < i) && nlp_cp_count(text + a, b - a) <= 2) { /* something was stripped */
    bool word = b > a;
    for (size_t q = a; q < b && word; q++)
      if (is_ascii_punct(text[q])) word = false;
    if (word && i - s < 16) {
      char eb[64];
      size_t el = nlp_lower(text + s, i - s, eb, sizeof eb);
      if (nlp_map_get(&nlp->vader, eb, el)) word = false;
    }
    if (!word) {
      a = s;
      b = i;
    }
  }
  x->s = text + a;
  x->n = (uint32_t)(b - a);
  x->lw = lbuf + *lo;
  x->ln = (uint32_t)nlp_lower(x->s, x->n, x->lw, cap - *lo);
  *lo += x->ln;
  x->upper = py_isupper(x->s, x->n);
  x->boost = booster(x->lw, x->ln); /* every booster has a non-zero value */
  x->isb = x->boost != 0;
  x->brk = brk;
  x->lex = nlp_map_get(&nlp->vader, x->lw, x->ln);
  if (!x->lex && x->ln >= 4 && x->ln < 64) x->lex = elongated(nlp, x->lw, x->ln);
  /* g-dropping ("lovin", "chillin'"): try the -ing form */
  if (!x->lex && x->ln >= 5 && x->ln < 62 && x->lw[x->ln - 2] == 'i' && x->lw[x->ln - 1] == 'n') {
    char gb[64];
    memcpy(gb, x->lw, x->ln);
    gb[x->ln] = 'g';
    x->lex = nlp_map_get(&nlp->vader, gb, x->ln + 1);
  }
}

void nlp__vader(const osc_nlp *nlp, const char *text, size_t len, osc_nlp_sentiment *out) {
  out->compound = out->pos = out->neu = out->neg = 0;
  out->label = "neutral";
  /* split on white space, emoji split off as tokens of their own */
  size_t cap = 64, nw = 0;
  vw *w = malloc(cap * sizeof(*w));
  /* lower-case copies; simple case mapping can turn a 2-byte letter into 3 bytes (U+023A -> U+2C65) */
  size_t lcap = 2 * len + 8;
  char *lbuf = malloc(lcap);
  if (!w || !lbuf) goto done;
  size_t lo = 0;
  for (size_t i = 0; i < len;) {
    while (i < len && is_space(text[i])) i++;
    if (i >= len) break;
    size_t s = i;
    while (i < len && !is_space(text[i])) i++;
    for (size_t p = s; p < i;) {
      size_t es = i, ee = i;
      const nlp_map_ent *em = nlp->have_emoji ? next_emoji(nlp, text, p, i, &es, &ee) : NULL;
      if (es > p || em) {
        if (nw + 2 > cap) {
          cap *= 2;
          vw *nwp = realloc(w, cap * sizeof(*w));
          if (!nwp) goto done;
          w = nwp;
        }
      }
      if (es > p) word_tok(nlp, text, p, es, &w[nw++], lbuf, lcap, &lo);
      if (em) {
        vw *x = &w[nw++];
        *x = (vw){.s = text + es, .n = (uint32_t)(ee - es), .lw = lbuf + lo, .lex = em};
        if (lo + x->n < lcap) {
          memcpy(x->lw, x->s, x->n);
          x->ln = x->n;
          lo += x->n;
        }
      }
      p = ee;
    }
  }
  if (nw == 0) goto done;
  size_t nupper = 0;
  for (size_t i = 0; i < nw; i++) nupper += w[i].upper;
  bool cap_diff = nupper > 0 && nupper < nw;

  double *sent = calloc(nw, sizeof(double));
  if (!sent) goto done;
  for (size_t i = 0; i < nw; i++) {
    double valence = 0;
    if (w[i].isb) continue;
    if (i < nw - 1 && eqs(&w[i], "kind") && eqs(&w[i + 1], "of")) continue;
    if (w[i].lex) {
      valence = w[i].lex->v;
      /* scope: the preceding words of the same clause (none after , ; : . ! ?), at most three */
      size_t reach = 0;
      while (reach < 3 && reach < i && !w[i - reach - 1].brk) reach++;
      /* a negator is not negated ("no no no" stays negative) */
      bool self_neg = negated_word(&w[i]) || eqs(&w[i], "no");
      if (eqs(&w[i], "no") && i != nw - 1 && w[i + 1].lex && !w[i].brk && !eqs(&w[i + 1], "no") &&
          !negated_word(&w[i + 1]))
        valence = 0.0;
      if (!self_neg && ((reach > 0 && eqs(&w[i - 1], "no")) || (reach > 1 && eqs(&w[i - 2], "no")) ||
          (reach > 2 && eqs(&w[i - 3], "no") && (eqs(&w[i - 1], "or") || eqs(&w[i - 1], "nor")))))
        valence = w[i].lex->v * N_SCALAR;
      if (w[i].upper && cap_diff) valence += valence > 0 ? C_INCR : -C_INCR;
      for (int start_i = 0; start_i < 3; start_i++) {
        if ((size_t)start_i < reach && !w[i - (size_t)start_i - 1].lex) {
          double s = scalar_inc_dec(&w[i - (size_t)start_i - 1], valence, cap_diff);
          if (start_i == 1 && s != 0) s *= 0.95;
          if (start_i == 2 && s != 0) s *= 0.9;
          valence += s;
          if (!self_neg) valence = negation_check(valence, w, start_i, i);
          if (start_i == 2) valence = idioms_check(valence, w, nw, i);
        }
      }
      /* least */
      if (reach > 1 && !w[i - 1].lex && eqs(&w[i - 1], "least")) {
        if (!eqs(&w[i - 2], "at") && !eqs(&w[i - 2], "very")) valence *= N_SCALAR;
      } else if (reach > 0 && !w[i - 1].lex && eqs(&w[i - 1], "least")) {
        valence *= N_SCALAR;
      }
    }
    sent[i] = valence;
  }
  /* "but": the sentiments list of the reference skips boosters and "kind"; by position it is the same
   * up to those zero entries, which the 0.5/1.5 factors leave at zero. */
  for (size_t i = 0; i < nw; i++) {
    if (eqs(&w[i], "but")) {
      for (size_t k = 0; k < nw; k++) {
        if (k < i) sent[k] *= 0.5;
        else if (k > i) sent[k] *= 1.5;
      }
      break;
    }
  }
  /* sentiments as the reference counts them: boosters / "kind of" entries are zeros that count as neutral */
  double sum = 0;
  for (size_t i = 0; i < nw; i++) sum += sent[i];
  int ep = 0, qm = 0;
  for (size_t i = 0; i < len; i++) {
    if (text[i] == '!') ep++;
    else if (text[i] == '?') qm++;
  }
  if (ep > 4) ep = 4;
  double amp = ep * 0.292 + (qm > 1 ? (qm <= 3 ? qm * 0.18 : 0.96) : 0);
  if (sum > 0) sum += amp;
  else if (sum < 0) sum -= amp;
  double comp = sum / sqrt(sum * sum + 15);
  if (comp < -1) comp = -1;
  if (comp > 1) comp = 1;
  double ps = 0, ns = 0, nc = 0;
  for (size_t i = 0; i < nw; i++) {
    if (sent[i] > 0) ps += sent[i] + 1;
    else if (sent[i] < 0) ns += sent[i] - 1;
    else nc += 1;
  }
  if (ps > fabs(ns)) ps += amp;
  else if (ps < fabs(ns)) ns -= amp;
  double total = ps + fabs(ns) + nc;
  if (total > 0) {
    out->pos = fabs(ps / total);
    out->neg = fabs(ns / total);
    out->neu = fabs(nc / total);
  }
  out->compound = comp;
  out->label = comp >= 0.05 ? "positive" : comp <= -0.05 ? "negative" : "neutral";
  free(sent);
done:
  free(w);
  free(lbuf);
}

void nlp__pattern(const osc_nlp *nlp, const char *text, size_t len, const nlp_toks *t, osc_nlp_sentiment *out) {
  out->polarity = out->subjectivity = 0;
  if (!nlp->have_pattern) return;
  double psum = 0, ssum = 0;
  int n = 0;
  double mod = 1;      /* pending intensifier */
  bool negate = false; /* pending negation */
  for (size_t i = 0; i < t->n; i++) {
    const nlp_tok *k = &t->v[i];
    if (k->kind == TK_PUNCT) {
      mod = 1;
      negate = false;
      continue;
    }
    if (k->kind != TK_WORD) continue;
    char lw[96];
    size_t l = nlp_lower(text + k->s, k->e - k->s, lw, sizeof lw);
    if ((l == 3 && !memcmp(lw, "not", 3)) || (l == 5 && !memcmp(lw, "never", 5)) ||
        (l >= 3 && !memcmp(lw + l - 3, "n't", 3))) {
      negate = true;
      continue;
    }
    const nlp_map_ent *e = nlp_map_get(&nlp->pattern, lw, l);
    if (!e) continue;
    const nlp_map_ent *ie = nlp_map_get(&nlp->pattern_int, lw, l);
    double pol = e->v, sub = e->i / 1e6, inten = ie ? ie->v : 1;
    bool next_is_word = i + 1 < t->n && t->v[i + 1].kind == TK_WORD;
    if (pol == 0 && inten != 1 && next_is_word) { /* an intensifier such as "very" */
      mod *= inten;
      continue;
    }
    pol *= mod;
    sub *= mod;
    if (negate) pol *= -0.5;
    mod = 1;
    negate = false;
    psum += pol;
    ssum += sub;
    n++;
  }
  (void)len;
  if (n) {
    double p = psum / n, s = ssum / n;
    out->polarity = p < -1 ? -1 : p > 1 ? 1 : p;
    out->subjectivity = s < 0 ? 0 : s > 1 ? 1 : s;
  }
}

int osc_nlp_sentiment_text(osc_nlp *nlp, const char *text, size_t len, osc_nlp_sentiment *out) {
  if (!out) return osc_seterr(OSC_EINVAL, "sentiment: out is NULL");
  int rc = nlp__check_text(nlp, text, len);
  if (rc) return rc;
  if (!nlp->have_vader)
    return osc_seterr(OSC_EUNAVAIL, "sentiment: VADER lexicon not installed (npm vader-sentiment); run scripts/deps/nlp.sh");
  nlp__vader(nlp, text, len, out);
  nlp_toks t = {0};
  if (nlp_tokenize(text, len, &t) == OSC_OK) nlp__pattern(nlp, text, len, &t, out);
  nlp_toks_release(&t);
  return OSC_OK;
}
