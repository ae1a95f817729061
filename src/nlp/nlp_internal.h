/*
 * nlp/nlp_internal.h - shared internals of the NLP engine: the engine
 * struct, a string hash map over an arena, the tokenizer, and the
 * per-analyser entry points used by analyze.c.
 */
#ifndef OSC_NLP_INTERNAL_H
#define OSC_NLP_INTERNAL_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <utf8proc.h>

#include "oscontent/nlp.h"

/* The code point at text[*i] (len bytes in all) into *cp, *i moved past it; a byte that starts no valid UTF-8
 * sequence is stepped over and false returned. */
static inline bool nlp__next_cp(const char *text, size_t len, size_t *i, utf8proc_int32_t *cp) {
  utf8proc_ssize_t a = utf8proc_iterate((const utf8proc_uint8_t *)text + *i, (utf8proc_ssize_t)(len - *i), cp);
  if (a <= 0) {
    (*i)++;
    return false;
  }
  *i += (size_t)a;
  return true;
}

/* ---- arena + hash map (keys are byte strings; values a double and an int) ---- */
typedef struct nlp_arena {
  struct nlp_arena_blk *head;
  size_t bytes;
} nlp_arena;
void *nlp_arena_alloc(nlp_arena *a, size_t n);
char *nlp_arena_strndup(nlp_arena *a, const char *s, size_t n);
void nlp_arena_release(nlp_arena *a);

typedef struct nlp_map_ent {
  uint64_t h;
  const char *k;
  uint32_t klen;
  int32_t i;
  double v;
} nlp_map_ent;

typedef struct nlp_map {
  nlp_map_ent *ents;
  size_t cap, count;
  nlp_arena *arena; /* owns keys */
} nlp_map;

int nlp_map_init(nlp_map *m, nlp_arena *arena, size_t expect);
void nlp_map_release(nlp_map *m);
/** Inserts or finds; *created tells which. NULL on ENOMEM. */
nlp_map_ent *nlp_map_put(nlp_map *m, const char *k, size_t klen, bool *created);
const nlp_map_ent *nlp_map_get(const nlp_map *m, const char *k, size_t klen);
static inline bool nlp_map_has(const nlp_map *m, const char *k, size_t klen) { return nlp_map_get(m, k, klen) != NULL; }
uint64_t nlp_hash(const char *k, size_t n);

/* ---- tokens ---- */
enum { TK_WORD = 1, TK_NUM = 2, TK_PUNCT = 3, TK_SYM = 4 };
enum {
  TF_CAP = 1,        /* first letter upper case */
  TF_ALLCAP = 2,     /* every cased letter upper case, at least one */
  TF_ALPHA = 4,      /* letters (and marks, inner ' -) only */
  TF_SENT_START = 8, /* first token of a sentence */
  TF_NONASCII = 16,
  TF_SPACE_BEFORE = 32
};
typedef struct nlp_tok {
  uint32_t s, e; /* byte offsets */
  uint8_t kind, flags;
  uint16_t sent; /* sentence index (saturating) */
} nlp_tok;

typedef struct nlp_toks {
  nlp_tok *v;
  size_t n, cap;
} nlp_toks;

int nlp_tokenize(const char *text, size_t len, nlp_toks *out);
void nlp_toks_release(nlp_toks *t);
/** Sentence spans by byte offsets. */
int nlp_split_sentences(const char *text, size_t len, size_t **starts, size_t **ends, size_t *n);
/** Lower-cases s[0..n) into buf (cap bytes); returns the length (truncated at cap-1 safely). */
size_t nlp_lower(const char *s, size_t n, char *buf, size_t cap);
/** Code point count of s[0..n). */
size_t nlp_cp_count(const char *s, size_t n);
/** True if the code point at s is a letter. */
bool nlp_is_stop_en(const char *lw, size_t n);
/** Syllables of an English word (heuristic). */
int nlp_syllables(const char *lw, size_t n);

/* ---- engine ---- */
enum { NLP_ST_SENTIMENT, NLP_ST_LANGUAGE, NLP_ST_ENTITIES, NLP_ST_KEYWORDS, NLP_ST_SUMMARY, NLP_ST_EMBED, NLP_ST_QA,
       NLP_ST_TOTAL };

typedef struct nlp_resource {
  char name[48];
  char package[96];
  char version[48];
  char path[512];
  uint64_t bytes;
  size_t entries;
  bool loaded;
  bool disabled;        /* not loaded because a setting turned it off (not a missing package) */
  char disabled_by[48]; /* that setting, "nlp.embeddings=false" */
  double load_ms;       /* wall time its load step took (shared evenly by the resources of one step) */
  double load_cpu_ms;   /* CPU time of that step on its thread (same sharing) */
  char install[160]; /* command that installs it */
} nlp_resource;

#define NLP_MAX_LANGS 64
#define NLP_ELD_MAX_LANGS 64
#define NLP_FRANC_MAX_LANGS 64

/* ---- language models (lang.c combines them) ---- */
/* ELD n-grams (lang_eld.c): packed <= 6-byte n-gram -> run of (lang << 8 | score) in pairs */
typedef struct nlp_eld {
  uint64_t *keys; /* open addressing, 0 = empty; bytes | length << 56 */
  uint32_t *vals; /* start in pairs << 8 | count */
  size_t mask, nngrams, npairs, nlangs;
  uint16_t *pairs;
  char codes[NLP_ELD_MAX_LANGS][8];
  char version[16];
} nlp_eld;
int nlp__load_eld(osc_nlp *nlp);
void nlp__eld_release(nlp_eld *e);
/** Raw eld scores per language of e (scores has e->nlangs slots); returns the number of distinct n-grams. */
size_t nlp__eld_score(const nlp_eld *e, const char *text, size_t len, double *scores);

/* franc trigram profiles (lang_franc.c): three code points packed in a key -> run of (lang << 9 | rank) */
typedef struct nlp_franc {
  uint64_t *keys; /* open addressing, 0 = empty */
  uint32_t *vals; /* start in pairs << 8 | count */
  uint16_t *pairs;
  size_t mask, ntri, npairs, nlangs;
  char codes[NLP_FRANC_MAX_LANGS][8];
  uint8_t script[NLP_FRANC_MAX_LANGS]; /* 0 Latin, 1 Cyrillic */
  char version[16];
} nlp_franc;
int nlp__load_franc(osc_nlp *nlp);
void nlp__franc_release(nlp_franc *f);
/** franc distances (lower is closer) of the languages of one script (0 Latin, 1 Cyrillic; others 0);
 *  returns the number of distinct trigrams, -1 on ENOMEM. */
int nlp__franc_distance(const nlp_franc *f, const char *text, size_t len, int script, double *dist);

/* Bokmål/Nynorsk word lists (lang_pair.c, hunspell-no) */
int nlp__load_norwegian(osc_nlp *nlp);
void nlp__norwegian_release(osc_nlp *nlp);
/** Votes for Bokmål and Nynorsk: the words of text found only in the nb or only in the nn dictionary, plus the
 *  standards' grammar markers (ikkje/ikke, eg/jeg, -leg/-lig, ...) twice each; returns *nb + *nn. */
int nlp__norwegian_votes(const osc_nlp *nlp, const char *text, size_t len, int *nb, int *nn);
/** Close pairs (zu/xh, sr/mk, tn/st, id/ms, sl/bs, hr/bs) told apart by function words and spellings, rule after
 *  rule: when best is one of a pair and the words vote for one side, that side is the answer the next rules see;
 *  returns the last answer (*share: the last deciding rule's share of the votes, Laplace-smoothed). */
const char *nlp__pair_decide(const char *text, size_t len, const char *best, double *share);
/** Yoruba written without its marks: when best is a language that such text is taken for (Bantu languages, ms, id,
 *  eo, ga, bs, hr, sl) and two different words are Yoruba words or have "gb", returns "yo" (*share 2/3);
 *  otherwise best. */
const char *nlp__yoruba_decide(const char *text, size_t len, const char *best, double *share);
/** Zulu or Xhosa taken for sw, lg, sn or ts: true when best is one of those and the text has a Nguni mark (a click
 *  letter, hl or dl, a Nguni function word, a class prefix hyphenated onto a loan; for ts two hyphenated prefixes). */
bool nlp__nguni_marked(const char *text, size_t len, const char *best);
/** Shona against Swahili: when best is sn or sw and the Shona spellings (zv, sv, dz, bv, pf, vh, bh) and words outvote
 *  the Swahili ones (th, gh and words) or the other way round, returns the winner (*share: its Laplace-smoothed
 *  share of the votes); otherwise best. */
const char *nlp__shona_decide(const char *text, size_t len, const char *best, double *share);
/** Luganda taken for Swahili: when best is sw and the Luganda marks (ky, gy, ŋ, doubled consonants, nnyo, era, nti
 *  ...) outnumber the Swahili ones (sh, ch, th, dh, gh, Swahili function words), returns "lg"; otherwise best. */
const char *nlp__luganda_decide(const char *text, size_t len, const char *best);
/** Tsonga taken for st, tn, sw, sn or mi: when best is one of those and two different words of the text are Tsonga
 *  marks (eka, hi, leswi, loko, kambe ...; xi-, swi-, dzh, rh, n'w), returns "ts";
 *  otherwise best. */
const char *nlp__tsonga_decide(const char *text, size_t len, const char *best);
/** European groups (da/nb/nn/sv, eo and la against the Romance languages, ca/es, cs/sk and ru against the languages
 *  franc or eld take them for, bg/mk, mn against ru/uk) told apart by function words, endings and letters: when best is a member and the words outvote
 *  it, returns the member they choose (*share: the product of the Laplace-smoothed vote shares); otherwise best. */
const char *nlp__group_decide(const char *text, size_t len, const char *best, double *share);

struct osc_nlp_embedder;

struct osc_nlp {
  osc_nlp_options opts;
  char *resource_dir;
  nlp_arena arena;
  /* sentiment */
  nlp_map vader;   /* lower-case token -> valence */
  nlp_map pattern; /* lower-case form -> polarity (v), subjectivity*1e6 (i) ; intensity in side map */
  nlp_map pattern_int;
  bool have_vader, have_pattern;
  nlp_map emoji; /* UTF-8 of one emoji code point -> VADER valence (sent_emoji.c) */
  bool have_emoji;
  /* language: ngram -> index into lang_probs (nlangs floats each) */
  nlp_map lang_ngrams;
  float *lang_probs;
  size_t nlangs;
  char lang_codes[NLP_MAX_LANGS][8];
  bool have_lang;
  nlp_eld eld;
  nlp_franc franc;
  char *no_buf;     /* nb/nn word lists: sorted words, NUL-terminated, each after "nb\t" or "nn\t" */
  uint32_t *no_off; /* word offsets into no_buf */
  size_t no_n;
  bool have_eld, have_franc, have_no_words;
  char *dpkg_status; /* /var/lib/dpkg/status while loading (versions of Debian packages) */
  size_t dpkg_len;
  /* union of the codes the models (and the script rules) can answer */
  char (*lang_all)[8];
  size_t nlang_all;
  /* stopwords per language: "lang\x1fword"; "lang\x1f" alone marks a language that has a list */
  nlp_map stopwords;
  bool have_stopwords;
  /* gazetteers: lower-case phrase -> type (i) and weight (v) */
  nlp_map gaz;
  nlp_map first_names;
  size_t gaz_max_words;
  nlp_map ner_words; /* ner_org.c: lower-case word -> NER_W_* flags (countries, demonyms) */
  /* WordNet: lower-case lemma -> POS bitmask (1 n, 2 v, 4 a, 8 r) */
  nlp_map wn_pos;
  bool have_wordnet;
  /* word frequency (Pattern en-frequency) for IDF-like weights */
  nlp_map freq;
  /* embeddings */
  struct osc_nlp_embedder *embedder;
  size_t embed_dim;
  void *cache;
  /* resources */
  nlp_resource res[24];
  size_t nres;
  int threads;
  /* stats */
  _Atomic uint64_t st_texts, st_hits, st_misses, st_errors;
  _Atomic uint64_t st_ns[8];
};

int nlp__check_text(const osc_nlp *nlp, const char *text, size_t len);
int nlp__load_all(osc_nlp *nlp);
int nlp__load_emoji(osc_nlp *nlp); /* sent_emoji.c: Emoji Sentiment Ranking -> nlp->emoji */
/** Version of an installed Debian package ("?" when unknown). */
void nlp__pkg_version_dpkg(osc_nlp *nlp, const char *pkg, char *out, size_t n);
/** Version of an installed npm package from its package.json ("?" when unknown). */
void nlp__pkg_version_npm(const char *pkgjson, char *out, size_t n);
nlp_resource *nlp__res_add(osc_nlp *nlp, const char *name, const char *package, const char *path,
                           const char *install);

/* analysers on pre-tokenised text */
void nlp__vader(const osc_nlp *nlp, const char *text, size_t len, osc_nlp_sentiment *out);
void nlp__pattern(const osc_nlp *nlp, const char *text, size_t len, const nlp_toks *t, osc_nlp_sentiment *out);
void nlp__language(const osc_nlp *nlp, const char *text, size_t len, osc_nlp_lang *out);
int nlp__entities(const osc_nlp *nlp, const char *text, size_t len, const nlp_toks *t, osc_nlp_entity **out,
                  size_t *n);
/** @p lang: the text's language code (NULL or "en": English rules; another code: that language's stop words). */
int nlp__keywords(const osc_nlp *nlp, const char *text, size_t len, const nlp_toks *t, const char *lang,
                  int top_n, osc_nlp_keyword **out, size_t *n);
int nlp__summarize(const osc_nlp *nlp, const char *text, size_t len, const nlp_toks *t, int nsent, double ratio,
                   char **summary, osc_nlp_text_stats *stats);
bool nlp__wn_has(const osc_nlp *nlp, const char *lw, size_t n, int posmask);
/**
 * Calls fn(word, lexfile, ctx) for each word of each synset line of the WordNet data file @p path (lines
 * holding @p needle when it is not NULL); the word keeps its '_' and loses its "(a)"-style marker and may be
 * modified.  Stops at the first non-OSC_OK return of fn and returns it; OSC_ENOENT if the file can't be read.
 */
int nlp__wn_each_word(const char *path, const char *needle, int (*fn)(char *word, int lexfile, void *ctx),
                      void *ctx);
/* ner_org.c: context pass over the named spans (before texts are filled); its resource loader */
int nlp__ner_refine(const osc_nlp *nlp, const char *text, const nlp_toks *t, char (*lw)[64], const uint8_t *ll,
                    osc_nlp_entity **v, size_t *n, size_t *cap);
int nlp__ner_load(osc_nlp *nlp);

#endif
