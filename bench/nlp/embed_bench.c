/*
 * bench_nlp_embed - sentence-embedding throughput and STS-B dev quality of
 * the C port of USE-lite (src/nlp/embed.c).
 *
 *   bench_nlp_embed [sts-dev.tsv]
 *
 * The file defaults to $OSC_SHARED_DIR/eval/sts/sts-dev.tsv, else
 * ../shared/eval/sts/sts-dev.tsv (from the source root).  The model comes
 * from $OSC_RESOURCE_DIR (scripts/install-deps.sh installs it).
 *
 * Lines printed:
 *   {"bench":"nlp.embed","threads":1|2,"sentences":3000,"sent_s":...,"tokens_s":...,
 *    "sent_per_cpu_s":...,...}   (sent_per_cpu_s: sentences per CPU-second used)
 *   {"bench":"nlp.embed.sts_dev","spearman":...,"pearson":...,"anchor_js_test":72.27}
 * Peer: the package's own JS runtime (TF.js) when BENCH_EMBED_JS_DIR names a
 * folder where @energetic-ai/embeddings is installed (see
 * tests/nlp/golden/make_golden.mjs); it is never installed by the project.
 * BENCH_EMBED_PEER_N (default 300) sentences are timed there.
 * BENCH_REPEAT (default 2): best of that many timed runs per thread count.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/bench.h"
#include "core/util.h"
#include "nlp/embed.h"
#include "oscontent/error.h"

typedef struct pair {
  double gold;
  size_t a, b; /* sentence indices */
} pair;

static int cmp_idx_val;
static const double *sort_vals;
static int by_val(const void *x, const void *y) {
  double a = sort_vals[*(const size_t *)x], b = sort_vals[*(const size_t *)y];
  (void)cmp_idx_val;
  return (a > b) - (a < b);
}

/* Average ranks (ties share the mean rank). */
static void ranks(const double *v, size_t n, double *r) {
  size_t *idx = malloc(n * sizeof *idx);
  for (size_t i = 0; i < n; i++) idx[i] = i;
  sort_vals = v;
  qsort(idx, n, sizeof *idx, by_val);
  for (size_t i = 0; i < n;) {
    size_t j = i;
    while (j + 1 < n && v[idx[j + 1]] == v[idx[i]]) j++;
    double avg = (double)(i + j) / 2.0 + 1.0;
    for (size_t k = i; k <= j; k++) r[idx[k]] = avg;
    i = j + 1;
  }
  free(idx);
}

static double pearson(const double *x, const double *y, size_t n) {
  double mx = 0, my = 0;
  for (size_t i = 0; i < n; i++) mx += x[i], my += y[i];
  mx /= (double)n, my /= (double)n;
  double sxy = 0, sxx = 0, syy = 0;
  for (size_t i = 0; i < n; i++) {
    sxy += (x[i] - mx) * (y[i] - my);
    sxx += (x[i] - mx) * (x[i] - mx);
    syy += (y[i] - my) * (y[i] - my);
  }
  return sxy / sqrt(sxx * syy);
}

int main(int argc, char **argv) {
  char *path = NULL;
  if (argc > 1)
    path = osc_strdup(argv[1]);
  else if (getenv("OSC_SHARED_DIR"))
    path = osc_asprintf("%s/eval/sts/sts-dev.tsv", getenv("OSC_SHARED_DIR"));
  else
    path = osc_strdup("../shared/eval/sts/sts-dev.tsv");
  char *data = NULL;
  size_t len = 0;
  if (osc_read_file(path, 64u << 20, &data, &len)) {
    fprintf(stderr, "bench_nlp_embed: %s\n", osc_errmsg());
    return 1;
  }
  /* score \t s1 \t s2 per line. */
  size_t cap = 4096, np = 0, ns = 0;
  pair *pairs = malloc(cap * sizeof *pairs);
  const char **sent = malloc(2 * cap * sizeof *sent);
  size_t *lens = malloc(2 * cap * sizeof *lens);
  for (char *line = data; line && *line;) {
    char *nl = strchr(line, '\n');
    if (nl) *nl = 0;
    char *t1 = strchr(line, '\t'), *t2 = t1 ? strchr(t1 + 1, '\t') : NULL;
    if (t1 && t2 && np < cap) {
      *t1 = 0, *t2 = 0;
      pairs[np].gold = strtod(line, NULL);
      pairs[np].a = ns;
      sent[ns] = t1 + 1, lens[ns] = strlen(t1 + 1), ns++;
      pairs[np].b = ns;
      sent[ns] = t2 + 1, lens[ns] = strlen(t2 + 1), ns++;
      np++;
    }
    line = nl ? nl + 1 : NULL;
  }
  char *dir = NULL;
  osc_nlp_embedder *e = NULL;
  uint64_t t0 = bench_now_ns();
  if (osc__nlp_embed_model_dir(NULL, &dir) || osc__nlp_embedder_open(dir, &e)) {
    fprintf(stderr, "bench_nlp_embed: %s\n", osc_errmsg());
    return 1;
  }
  double open_ms = bench_seconds(t0, bench_now_ns()) * 1e3;
  size_t tokens = 0;
  for (size_t i = 0; i < ns; i++) {
    int32_t *ids;
    size_t n;
    if (osc__nlp_embed_tokenize(e, sent[i], lens[i], &ids, &n) == 0) {
      tokens += n < osc__nlp_embed_max_tokens(e) ? n : osc__nlp_embed_max_tokens(e);
      free(ids);
    }
  }
  float *vec = malloc(ns * OSC_NLP_EMBED_DIM * sizeof *vec);
  (void)osc__nlp_embed(e, sent, lens, ns < 64 ? ns : 64, vec); /* warm-up */

  /* Optional peer: the JS runtime on a prefix of the same sentences. */
  double peer_sent_s = 0;
  const char *js = getenv("BENCH_EMBED_JS_DIR");
  if (js && *js && bench_have("node")) {
    size_t pn = (size_t)bench_env_int("BENCH_EMBED_PEER_N", 300);
    if (pn > ns) pn = ns;
    char *cmd = osc_asprintf("EMB_JS_DIR='%s' node bench/nlp/embed_peer.mjs '%s' %zu", js, path, pn);
    bench_peer_result pr;
    if (bench_run_peer(cmd, &pr) == 0 && pr.exit_code == 0 && pr.out)
      peer_sent_s = strtod(pr.out, NULL);
    else
      fprintf(stderr, "bench_nlp_embed: peer failed: %s\n", cmd);
    if (pr.out) bench_peer_release(&pr);
    free(cmd);
  }

  int repeat = (int)bench_env_int("BENCH_REPEAT", 2);
  for (int threads = 1; threads <= 2; threads++) {
    double best = 1e30, best_cpu = 1e30;
    for (int r = 0; r < repeat; r++) {
      uint64_t a = bench_now_ns(), c0 = bench_self_cpu_ns();
      int rc = osc__nlp_embed_parallel(e, sent, lens, ns, vec, threads);
      double s = bench_seconds(a, bench_now_ns());
      double cpu = (double)(bench_self_cpu_ns() - c0) / 1e9;
      if (cpu < best_cpu) best_cpu = cpu;
      if (rc) {
        fprintf(stderr, "bench_nlp_embed: %s\n", osc_errmsg());
        return 1;
      }
      if (s < best) best = s;
    }
    bench_line l;
    bench_line_begin(&l, "nlp.embed");
    bench_line_int(&l, "threads", threads);
    bench_line_int(&l, "sentences", (int64_t)ns);
    bench_line_int(&l, "tokens", (int64_t)tokens);
    bench_line_double(&l, "sent_s", (double)ns / best);
    bench_line_double(&l, "tokens_s", (double)tokens / best);
    /* CPU cost, less sensitive than wall time to other load on the machine. */
    bench_line_double(&l, "sent_per_cpu_s", (double)ns / best_cpu);
    bench_line_double(&l, "target_sent_s", 1000);
    bench_line_bool(&l, "blas", osc__nlp_embed_uses_blas() != 0);
    bench_line_double(&l, "open_ms", open_ms);
    bench_line_double(&l, "peak_rss_mb", (double)bench_peak_rss_bytes() / 1048576.0);
    if (peer_sent_s > 0) bench_line_peer(&l, "tfjs-wasm", "sent_s", (double)ns / best, peer_sent_s);
    bench_line_end(&l);
  }

  double *gold = malloc(np * sizeof *gold), *sys = malloc(np * sizeof *sys);
  double *rg = malloc(np * sizeof *rg), *rs = malloc(np * sizeof *rs);
  for (size_t i = 0; i < np; i++) {
    gold[i] = pairs[i].gold;
    sys[i] =
        osc__nlp_cosine(vec + pairs[i].a * OSC_NLP_EMBED_DIM, vec + pairs[i].b * OSC_NLP_EMBED_DIM, OSC_NLP_EMBED_DIM);
  }
  ranks(gold, np, rg);
  ranks(sys, np, rs);
  bench_line l;
  bench_line_begin(&l, "nlp.embed.sts_dev");
  bench_line_int(&l, "pairs", (int64_t)np);
  bench_line_double(&l, "spearman", 100.0 * pearson(rg, rs, np));
  bench_line_double(&l, "pearson", 100.0 * pearson(gold, sys, np));
  bench_line_double(&l, "target_spearman", 72);
  bench_line_double(&l, "anchor_js_test_spearman", 72.27);
  bench_line_end(&l);

  free(gold), free(sys), free(rg), free(rs);
  free(vec);
  osc__nlp_embedder_close(e);
  free(dir);
  free(pairs), free(sent), free(lens);
  free(data);
  free(path);
  return 0;
}
