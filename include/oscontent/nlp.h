/*
 * oscontent/nlp.h - text analysis: sentiment, language, entities, keywords,
 * summary, question answering, embeddings and similarity, in one engine.
 *
 * An osc_nlp engine loads its data once (VADER lexicon, Pattern lexicon,
 * langdetect profiles, stopwords, gazetteers from iso-codes / geonames /
 * WordNet, and the USE-lite embedder when present) from a resource directory
 * and then answers requests.  Texts are UTF-8 given as (ptr, len); invalid
 * UTF-8 is OSC_EINVAL with the byte offset in the detail.  Character offsets
 * in results (entities, QA answers) count Unicode code points from the start
 * of the text, as Python's str indexes do.
 *
 * Thread safety: an engine is shared: every function below may be called
 * from any number of threads at once on the same engine after
 * osc_nlp_open() returned (the loaded data is read-only; stats are atomic).
 * osc_nlp_close() must not race with other calls.
 */
#ifndef OSCONTENT_NLP_H
#define OSCONTENT_NLP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "oscontent/common.h"
#include "oscontent/config.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct osc_nlp osc_nlp;

/** Engine options; all-zero means defaults. */
typedef struct osc_nlp_options {
  const char *resource_dir;  /* data directory; NULL = $OSC_NLP_RESOURCE_DIR, $OSC_RESOURCE_DIR, /usr/local/share/oscontent */
  int threads;               /* batch workers; 0 = usable CPU count, range 1..256 */
  size_t max_text_bytes;     /* longest accepted text; 0 = 8 MiB */
  int keywords_top;          /* keywords returned by analyze; 0 = 10, range 1..100 */
  int summary_sentences;     /* sentences in analyze's summary; 0 = 3 */
  bool no_embeddings;        /* do not load the sentence encoder even when installed */
  bool require_all;          /* fail open when any resource is missing (default: load what exists, log the rest) */
  void *cache;               /* optional struct osc_cache * for results (only with the cache module); NULL = none */
  int64_t cache_ttl_ms;      /* TTL of cached results; 0 = 30 minutes */
} osc_nlp_options;

/**
 * Fills @p out from the nlp.* settings (nlp.resource_dir, nlp.threads,
 * nlp.max_text_bytes, nlp.keywords_top, nlp.summary_sentences,
 * nlp.embeddings, nlp.cache_ttl).  Strings point into @p cfg.
 * @return OSC_OK or OSC_EINVAL.
 */
OSC_API int osc_nlp_options_from_config(const osc_config *cfg, osc_nlp_options *out);

/**
 * Opens an engine and loads every resource once.
 * @return OSC_OK; OSC_EINVAL (bad option); OSC_ENOENT (a required resource is
 *         missing: the detail names the package and the command that
 *         installs it); OSC_ECORRUPT (a resource file does not parse);
 *         OSC_ENOMEM.
 */
OSC_API int osc_nlp_open(const osc_nlp_options *opts, osc_nlp **out);
OSC_API void osc_nlp_close(osc_nlp *nlp);

/* ---- sentiment ---- */
typedef struct osc_nlp_sentiment {
  double compound;     /* VADER compound in [-1, 1] */
  double pos, neu, neg;/* VADER proportions, sum to 1 (all 0 for text without words) */
  const char *label;   /* "positive" (compound >= 0.05), "negative" (<= -0.05) or "neutral"; static */
  double polarity;     /* TextBlob/Pattern polarity in [-1, 1] (0 when the Pattern lexicon is absent) */
  double subjectivity; /* TextBlob/Pattern subjectivity in [0, 1] */
} osc_nlp_sentiment;

/** @return OSC_OK, OSC_EINVAL (invalid UTF-8 or NULL), OSC_ETOOBIG, OSC_EUNAVAIL (no VADER lexicon). */
OSC_API int osc_nlp_sentiment_text(osc_nlp *nlp, const char *text, size_t len, osc_nlp_sentiment *out);

/* ---- language ---- */
typedef struct osc_nlp_lang_guess {
  char code[8];        /* ISO 639-1 ("en"), "und" when unknown */
  double prob;         /* posterior in [0, 1] */
} osc_nlp_lang_guess;

typedef struct osc_nlp_lang {
  char code[8];        /* best guess, "und" when the text has no letters */
  double confidence;   /* posterior of the best guess */
  bool reliable;       /* confidence >= 0.9 and enough letters */
  int ntop;
  osc_nlp_lang_guess top[3];
} osc_nlp_lang;

/** @return OSC_OK, OSC_EINVAL, OSC_ETOOBIG, OSC_EUNAVAIL (no profiles). */
OSC_API int osc_nlp_language(osc_nlp *nlp, const char *text, size_t len, osc_nlp_lang *out);
/** Number of languages the detector knows, and the i-th code (static). */
OSC_API size_t osc_nlp_language_count(const osc_nlp *nlp);
OSC_API const char *osc_nlp_language_at(const osc_nlp *nlp, size_t i);

/* ---- entities ---- */
typedef enum osc_nlp_entity_type {
  OSC_NLP_ENT_PERSON = 0,
  OSC_NLP_ENT_ORG,
  OSC_NLP_ENT_LOCATION,
  OSC_NLP_ENT_MISC,
  OSC_NLP_ENT_DATE,
  OSC_NLP_ENT_TIME,
  OSC_NLP_ENT_MONEY,
  OSC_NLP_ENT_PERCENT,
  OSC_NLP_ENT_CARDINAL,
  OSC_NLP_ENT_ORDINAL,
  OSC_NLP_ENT_EMAIL,
  OSC_NLP_ENT_URL,
  OSC_NLP_ENT_PHONE,
  OSC_NLP_ENT_HASHTAG,
  OSC_NLP_ENT_MENTION,
  OSC_NLP_ENT__COUNT
} osc_nlp_entity_type;

typedef struct osc_nlp_entity {
  osc_nlp_entity_type type;
  size_t start, end;       /* code point offsets, end exclusive */
  size_t byte_start, byte_end;
  double score;            /* rule confidence in [0, 1] */
  char *text;              /* malloc'd copy of the span */
} osc_nlp_entity;

/** *out is malloc'd (free with osc_nlp_entities_free); sorted by start. */
OSC_API int osc_nlp_entities(osc_nlp *nlp, const char *text, size_t len, osc_nlp_entity **out, size_t *n);
OSC_API void osc_nlp_entities_free(osc_nlp_entity *ents, size_t n);
/** "PERSON", "ORG", ...; static. */
OSC_API const char *osc_nlp_entity_type_name(osc_nlp_entity_type type);

/* ---- keywords ---- */
typedef struct osc_nlp_keyword {
  char *text;   /* malloc'd, lower case */
  double score; /* higher is better, in (0, 1] relative to the best */
} osc_nlp_keyword;

/** Top @p top_n (1..100) key phrases, best first.  Free with osc_nlp_keywords_free. */
OSC_API int osc_nlp_keywords(osc_nlp *nlp, const char *text, size_t len, int top_n, osc_nlp_keyword **out,
                             size_t *n);
OSC_API void osc_nlp_keywords_free(osc_nlp_keyword *kw, size_t n);

/* ---- summary and statistics ---- */
typedef struct osc_nlp_text_stats {
  size_t chars, bytes, words, sentences, syllables;
  double avg_words_per_sentence;
  double flesch_reading_ease;  /* 206.835 - 1.015 w/s - 84.6 syl/w */
  double flesch_kincaid_grade; /* 0.39 w/s + 11.8 syl/w - 15.59 */
} osc_nlp_text_stats;

/**
 * Extractive summary: the best @p sentences sentences (or, when @p ratio is in
 * (0, 1], that share of them, at least 1), in document order, joined by a
 * space.  Texts with no more sentences than asked are returned whole.
 * @p summary malloc'd; @p stats may be NULL.
 */
OSC_API int osc_nlp_summarize(osc_nlp *nlp, const char *text, size_t len, int sentences, double ratio,
                              char **summary, osc_nlp_text_stats *stats);

/* ---- question answering ---- */
typedef struct osc_nlp_answer {
  char *answer;        /* malloc'd; "" when none */
  double confidence;   /* in [0, 1] */
  size_t start, end;   /* code point offsets into the context; 0,0 when none */
  bool found;          /* false: nothing in the context answers the question */
} osc_nlp_answer;

OSC_API int osc_nlp_qa(osc_nlp *nlp, const char *question, size_t qlen, const char *context, size_t clen,
                       osc_nlp_answer *out);
OSC_API void osc_nlp_answer_release(osc_nlp_answer *a);

/* ---- embeddings ---- */
/** Embedding dimension (512 with USE-lite), or 0 when no encoder is loaded. */
OSC_API size_t osc_nlp_embed_dim(const osc_nlp *nlp);
/**
 * Embeds @p n texts into @p out (n * dim floats, L2-normalised rows).
 * @return OSC_OK, OSC_EINVAL, OSC_EUNAVAIL (no encoder: detail says how to install it).
 */
OSC_API int osc_nlp_embed(osc_nlp *nlp, const char *const *texts, const size_t *lens, size_t n, float *out);
/** Cosine similarity of two texts' embeddings, in [-1, 1]. */
OSC_API int osc_nlp_similarity(osc_nlp *nlp, const char *a, size_t alen, const char *b, size_t blen, double *out);
/**
 * For each of @p n texts, the index of its nearest neighbour among the others
 * (cosine) into @p nn and the similarity into @p sim (either may be NULL).
 * n >= 2.
 */
OSC_API int osc_nlp_nearest(osc_nlp *nlp, const char *const *texts, const size_t *lens, size_t n, size_t *nn,
                            double *sim);

/* ---- all in one ---- */
typedef enum osc_nlp_analysis {
  OSC_NLP_FULL = 0,
  OSC_NLP_SENTIMENT,
  OSC_NLP_ENTITIES,
  OSC_NLP_KEYWORDS
} osc_nlp_analysis;

/** Parses "full|sentiment|entities|keywords"; OSC_EINVAL otherwise. */
OSC_API int osc_nlp_analysis_parse(const char *name, osc_nlp_analysis *out);

/** Per-request flags for osc_nlp_analyze_json. */
enum {
  OSC_NLP_WITH_EMBEDDINGS = 1u << 0, /* include the "embeddings" vector (off: null) */
  OSC_NLP_NO_CACHE = 1u << 1         /* bypass the result cache */
};

/**
 * Runs an analysis and renders the original service's result shape as JSON:
 * {"sentiment":{...},"entities":[...],"keywords":[...],"summary":"...",
 *  "embeddings":[...]|null,"language":"en","language_detail":{...},
 *  "statistics":{...},"confidence":0.87}.  Fields a partial analysis_type
 * skips are empty ({} / [] / "" / null), as in the original.
 * @p json malloc'd (NUL-terminated), @p json_len may be NULL.
 */
OSC_API int osc_nlp_analyze_json(osc_nlp *nlp, const char *text, size_t len, osc_nlp_analysis type,
                                 unsigned flags, char **json, size_t *json_len);

/**
 * Analyses @p n texts on the engine's worker threads; results in input
 * order.  jsons[i] is malloc'd on success, NULL on failure with errs[i] set
 * (an osc_err) and errmsgs[i] (malloc'd, may be NULL) saying why; one bad
 * text does not fail the batch.  @return OSC_OK, or OSC_EINVAL / OSC_ENOMEM
 * for the call itself.
 */
OSC_API int osc_nlp_batch_json(osc_nlp *nlp, const char *const *texts, const size_t *lens, size_t n,
                               osc_nlp_analysis type, unsigned flags, char **jsons, int *errs, char **errmsgs);

/** Loaded resources as JSON [{"name","package","version","path","bytes","entries","loaded"}]; malloc'd. */
OSC_API int osc_nlp_resources_json(const osc_nlp *nlp, char **json);

typedef struct osc_nlp_stats {
  uint64_t texts;           /* texts analysed */
  uint64_t cache_hits, cache_misses;
  uint64_t errors;
  uint64_t stage_ns[8];     /* time per stage: sentiment, language, entities, keywords, summary, embeddings, qa, total */
} osc_nlp_stats;

OSC_API void osc_nlp_get_stats(const osc_nlp *nlp, osc_nlp_stats *out);
/** Names of the stages in osc_nlp_stats.stage_ns; static. */
OSC_API const char *osc_nlp_stage_name(int i);

/**
 * Checks that @p text is valid UTF-8.  @return OSC_OK or OSC_EINVAL with the
 * byte offset of the first bad sequence in the detail.
 */
OSC_API int osc_nlp_validate_utf8(const char *text, size_t len);

/** Sentence segmentation: byte spans [starts[i], ends[i]); arrays malloc'd. */
OSC_API int osc_nlp_sentences(const char *text, size_t len, size_t **starts, size_t **ends, size_t *n);
/** Word segmentation (letters/digits with inner ' - . kept): byte spans, arrays malloc'd. */
OSC_API int osc_nlp_words(const char *text, size_t len, size_t **starts, size_t **ends, size_t *n);

#ifdef __cplusplus
}
#endif
#endif
