/*
 * src/nlp/spm.h - SentencePiece unigram tokenizer of the Universal Sentence
 * Encoder Lite, bit-for-bit compatible with the JS tokenizer of
 * @energetic-ai/embeddings 0.2.0 (itself the tfjs-models USE tokenizer).
 *
 * Internal to the nlp module.
 *
 * Thread safety: a loaded osc_spm is immutable and may be shared by any
 * number of threads; each thread uses its own osc_spm_ws.
 */
#ifndef OSC_NLP_SPM_H
#define OSC_NLP_SPM_H

#include <stddef.h>
#include <stdint.h>

typedef struct osc_spm osc_spm;

/** Per-caller scratch for osc__spm_encode (all-zero = empty; release with osc__spm_ws_release). */
typedef struct osc_spm_ws {
  uint32_t *sym;  /* code points of the processed input */
  double *best;   /* Viterbi scores, n+1 */
  int32_t *words; /* best piece ending at each position, n+1 */
  int32_t *ids;   /* output ids */
  size_t cap;     /* capacity of sym/best/words/ids in elements */
} osc_spm_ws;

/**
 * Loads vocab.json: a JSON array of [piece, score] pairs (score may be null,
 * which the JS runtime treats as 0).  Ids 0..5 are reserved (0 = unknown).
 * @return OSC_OK, OSC_ENOENT, OSC_EIO, OSC_ECORRUPT (not the expected JSON), OSC_ENOMEM.
 */
int osc__spm_load(const char *vocab_path, osc_spm **out);
void osc__spm_free(osc_spm *spm);
/** Number of pieces in the vocabulary (8000 for USE-lite). */
size_t osc__spm_size(const osc_spm *spm);
/** The piece text of @p id (UTF-8, NUL-terminated) or NULL when out of range. */
const char *osc__spm_piece(const osc_spm *spm, int32_t id);

/**
 * Tokenizes UTF-8 text: invalid UTF-8 bytes become U+FFFD, then NFKC,
 * "\u2581" prefixed and every U+0020 replaced by "\u2581", then the
 * unigram Viterbi of the JS tokenizer (its tie rules included), runs of
 * unknown characters merged into one id 0.
 * On success *ids points into @p ws (valid until the next call with ws).
 * @return OSC_OK, OSC_ENOMEM.
 */
int osc__spm_encode(const osc_spm *spm, osc_spm_ws *ws, const char *text, size_t len, const int32_t **ids, size_t *n);
void osc__spm_ws_release(osc_spm_ws *ws);

/**
 * Decodes UTF-8 into code points, each invalid byte becoming U+FFFD.
 * @p out must hold @p len elements.  Returns the number of code points.
 */
size_t osc__spm_utf8_decode(const char *s, size_t len, uint32_t *out);

#endif
