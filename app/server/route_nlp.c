/*
 * server/route_nlp.c - /nlp routes with the original API's shapes, and the
 * nlp service (opens the engine once into app->nlp; health reports which
 * resources are loaded).
 */
#include <jansson.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "core/json.h"
#include "core/util.h"
#include "oscontent/config.h"
#include "oscontent/error.h"
#include "oscontent/log.h"
#include "oscontent/nlp.h"
#ifdef OSC_HAVE_TASKS
#include "oscontent/tasks.h"
#endif
#include "server/app.h"
#include "server/http.h"

static osc_nlp *engine(osc_req *req) {
  osc_app *app = osc_req_app(req);
  return app ? app->nlp : NULL;
}

#define NEED_ENGINE(req, resp, nlp)                                                          \
  osc_nlp *nlp = engine(req);                                                                \
  if (!nlp) return osc_resp_error(resp, OSC_EUNAVAIL, "the NLP engine is not loaded")

static int parse_json_text(json_t *v, const char *what, const char **s, size_t *len) {
  if (!json_is_string(v)) return osc_seterr(OSC_EINVAL, "%s: expected a string", what);
  *s = json_string_value(v);
  *len = json_string_length(v);
  return OSC_OK;
}

static int respond_json_text(osc_resp *resp, char *s) {
  json_t *j = NULL;
  int rc = osc_json_parse(s, strlen(s), false, &j);
  free(s);
  if (rc) return rc;
  return osc_resp_json(resp, 200, j);
}

/* POST /nlp/analyze {text, analysis_type="full", embeddings=false} */
static int h_analyze(osc_req *req, osc_resp *resp) {
  NEED_ENGINE(req, resp, nlp);
  json_t *body = NULL;
  int rc = osc_req_json(req, &body);
  if (rc) return rc;
  if (!json_is_object(body)) return osc_seterr(OSC_EINVAL, "body: expected an object {\"text\": ..., \"analysis_type\": ...}");
  const char *text = NULL, *type = "full";
  size_t len = 0;
  json_t *jt = json_object_get(body, "text");
  if (!jt) return osc_seterr(OSC_EINVAL, "text: field required");
  if ((rc = parse_json_text(jt, "text", &text, &len))) return rc;
  if ((rc = osc_json_get_str(body, "analysis_type", false, 32, &type))) return rc;
  bool emb = false;
  if ((rc = osc_json_get_bool(body, "embeddings", false, &emb))) return rc;
  osc_nlp_analysis at;
  if ((rc = osc_nlp_analysis_parse(type, &at))) return rc;
  char *s = NULL;
  rc = osc_nlp_analyze_json(nlp, text, len, at, emb ? OSC_NLP_WITH_EMBEDDINGS : 0, &s, NULL);
  if (rc) return rc;
  return respond_json_text(resp, s);
}

/* A batch body: [texts] or {"texts": [...], "analysis_type": ...} -> {results, total_texts, failed}.
   Shared by POST /nlp/batch-analyze and the nlp.batch task kind. */
static int run_batch(osc_nlp *nlp, json_t *body, json_t **result) {
  *result = NULL;
  int rc;
  json_t *arr = body;
  const char *type = "full";
  if (json_is_object(body)) {
    arr = json_object_get(body, "texts");
    if ((rc = osc_json_get_str(body, "analysis_type", false, 32, &type))) return rc;
  }
  if (!json_is_array(arr)) return osc_seterr(OSC_EINVAL, "body: expected a JSON array of strings");
  osc_nlp_analysis at;
  if ((rc = osc_nlp_analysis_parse(type, &at))) return rc;
  size_t n = json_array_size(arr);
  if (n > 10000) return osc_seterr(OSC_ETOOBIG, "texts: %zu items is over the limit of 10000", n);
  const char **texts = calloc(n + 1, sizeof(char *));
  size_t *lens = calloc(n + 1, sizeof(size_t));
  char **out = calloc(n + 1, sizeof(char *)), **msgs = calloc(n + 1, sizeof(char *));
  int *errs = calloc(n + 1, sizeof(int));
  json_t *res = NULL;
  if (!texts || !lens || !out || !msgs || !errs) {
    rc = osc_seterr(OSC_ENOMEM, "batch: out of memory");
    goto done;
  }
  for (size_t i = 0; i < n; i++) {
    json_t *v = json_array_get(arr, i);
    if (!json_is_string(v)) {
      rc = osc_seterr(OSC_EINVAL, "texts[%zu]: expected a string", i);
      goto done;
    }
    texts[i] = json_string_value(v);
    lens[i] = json_string_length(v);
  }
  rc = osc_nlp_batch_json(nlp, texts, lens, n, at, 0, out, errs, msgs);
  if (rc) goto done;
  res = json_array();
  size_t failed = 0;
  for (size_t i = 0; i < n; i++) {
    json_t *j = NULL;
    if (!errs[i] && osc_json_parse(out[i], strlen(out[i]), false, &j) == OSC_OK) json_array_append_new(res, j);
    else {
      failed++;
      json_array_append_new(res, json_pack("{s:s,s:s,s:I}", "error", osc_err_name(errs[i] ? errs[i] : OSC_EINTERNAL),
                                           "detail", msgs[i] ? msgs[i] : "", "index", (json_int_t)i));
    }
  }
  *result = json_pack("{s:o,s:I,s:I}", "results", res, "total_texts", (json_int_t)n, "failed", (json_int_t)failed);
  if (!*result) rc = osc_seterr(OSC_ENOMEM, "batch: out of memory");
done:
  for (size_t i = 0; out && msgs && i < n; i++) {
    free(out[i]);
    free(msgs[i]);
  }
  free(texts);
  free(lens);
  free(out);
  free(msgs);
  free(errs);
  return rc;
}

/* POST /nlp/batch-analyze [texts] (or {"texts": [...], "analysis_type": ...}) -> {results: [...]} */
static int h_batch(osc_req *req, osc_resp *resp) {
  NEED_ENGINE(req, resp, nlp);
  json_t *body = NULL;
  int rc = osc_req_json(req, &body);
  if (rc) return rc;
  json_t *result = NULL;
  if ((rc = run_batch(nlp, body, &result))) return rc;
  return osc_resp_json(resp, 200, result);
}

/* POST /nlp/qa?question=...&context=... or {"question", "context"} */
static int h_qa(osc_req *req, osc_resp *resp) {
  NEED_ENGINE(req, resp, nlp);
  const char *q = osc_req_query(req, "question"), *c = osc_req_query(req, "context");
  size_t ql = q ? strlen(q) : 0, cl = c ? strlen(c) : 0;
  size_t blen = 0;
  osc_req_body(req, &blen);
  if ((!q || !c) && blen) {
    json_t *body = NULL;
    int rc = osc_req_json(req, &body);
    if (rc) return rc;
    if (!json_is_object(body)) return osc_seterr(OSC_EINVAL, "body: expected an object {\"question\", \"context\"}");
    json_t *jq = json_object_get(body, "question"), *jc = json_object_get(body, "context");
    if (!q && jq && (rc = parse_json_text(jq, "question", &q, &ql))) return rc;
    if (!c && jc && (rc = parse_json_text(jc, "context", &c, &cl))) return rc;
  }
  if (!q) return osc_seterr(OSC_EINVAL, "question: field required (query parameter or JSON body)");
  if (!c) return osc_seterr(OSC_EINVAL, "context: field required (query parameter or JSON body)");
  osc_nlp_answer a;
  int rc = osc_nlp_qa(nlp, q, ql, c, cl, &a);
  if (rc) return rc;
  json_t *o = json_pack("{s:s,s:f,s:I,s:I,s:b}", "answer", a.answer, "confidence", a.confidence, "start",
                        (json_int_t)a.start, "end", (json_int_t)a.end, "found", a.found);
  osc_nlp_answer_release(&a);
  return osc_resp_json(resp, 200, o);
}

/* POST /nlp/similarity {"text1","text2"} or {"texts":[...]} (pairwise nearest neighbours) */
static int h_similarity(osc_req *req, osc_resp *resp) {
  NEED_ENGINE(req, resp, nlp);
  json_t *body = NULL;
  int rc = osc_req_json(req, &body);
  if (rc) return rc;
  if (!json_is_object(body)) return osc_seterr(OSC_EINVAL, "body: expected {\"text1\", \"text2\"} or {\"texts\": [...]}");
  json_t *texts = json_object_get(body, "texts");
  if (texts) {
    if (!json_is_array(texts) || json_array_size(texts) < 2 || json_array_size(texts) > 1000)
      return osc_seterr(OSC_EINVAL, "texts: expected an array of 2..1000 strings");
    size_t n = json_array_size(texts);
    const char **t = calloc(n, sizeof(char *));
    size_t *l = calloc(n, sizeof(size_t)), *nn = calloc(n, sizeof(size_t));
    double *sim = calloc(n, sizeof(double));
    rc = (t && l && nn && sim) ? OSC_OK : osc_seterr(OSC_ENOMEM, "similarity: out of memory");
    for (size_t i = 0; !rc && i < n; i++) rc = parse_json_text(json_array_get(texts, i), "texts[]", &t[i], &l[i]);
    if (!rc) rc = osc_nlp_nearest(nlp, t, l, n, nn, sim);
    if (!rc) {
      json_t *a = json_array();
      for (size_t i = 0; i < n; i++)
        json_array_append_new(a, json_pack("{s:I,s:I,s:f}", "index", (json_int_t)i, "nearest", (json_int_t)nn[i], "similarity", sim[i]));
      rc = osc_resp_json(resp, 200, json_pack("{s:o}", "neighbours", a));
    }
    free(t);
    free(l);
    free(nn);
    free(sim);
    return rc;
  }
  const char *a = NULL, *b = NULL;
  size_t al = 0, bl = 0;
  json_t *ja = json_object_get(body, "text1"), *jb = json_object_get(body, "text2");
  if (!ja || !jb) return osc_seterr(OSC_EINVAL, "text1, text2: fields required");
  if ((rc = parse_json_text(ja, "text1", &a, &al)) || (rc = parse_json_text(jb, "text2", &b, &bl))) return rc;
  double s = 0;
  if ((rc = osc_nlp_similarity(nlp, a, al, b, bl, &s))) return rc;
  return osc_resp_json(resp, 200, json_pack("{s:f}", "similarity", s));
}

/* POST /nlp/embed {"text"} or {"texts": [...]} */
static int h_embed(osc_req *req, osc_resp *resp) {
  NEED_ENGINE(req, resp, nlp);
  json_t *body = NULL;
  int rc = osc_req_json(req, &body);
  if (rc) return rc;
  if (!json_is_object(body)) return osc_seterr(OSC_EINVAL, "body: expected {\"text\"} or {\"texts\": [...]}");
  json_t *texts = json_object_get(body, "texts"), *one = json_object_get(body, "text");
  if (!texts && !one) return osc_seterr(OSC_EINVAL, "text: field required (or texts)");
  if (texts && (!json_is_array(texts) || json_array_size(texts) < 1 || json_array_size(texts) > 1000))
    return osc_seterr(OSC_EINVAL, "texts: expected an array of 1..1000 strings");
  size_t n = texts ? json_array_size(texts) : 1, d = osc_nlp_embed_dim(nlp);
  const char **t = calloc(n, sizeof(char *));
  size_t *l = calloc(n, sizeof(size_t));
  float *v = malloc(n * (d ? d : 1) * sizeof(float));
  rc = (t && l && v) ? OSC_OK : osc_seterr(OSC_ENOMEM, "embed: out of memory");
  for (size_t i = 0; !rc && i < n; i++) rc = parse_json_text(texts ? json_array_get(texts, i) : one, texts ? "texts[]" : "text", &t[i], &l[i]);
  if (!rc) rc = osc_nlp_embed(nlp, t, l, n, v);
  if (!rc) {
    json_t *all = json_array();
    for (size_t i = 0; i < n; i++) {
      json_t *a = json_array();
      for (size_t k = 0; k < d; k++) json_array_append_new(a, json_real(v[i * d + k]));
      json_array_append_new(all, a);
    }
    json_t *o = texts ? json_pack("{s:I,s:o}", "dim", (json_int_t)d, "embeddings", all)
                      : json_pack("{s:I,s:o}", "dim", (json_int_t)d, "embedding", json_incref(json_array_get(all, 0)));
    if (!texts) json_decref(all);
    rc = osc_resp_json(resp, 200, o);
  }
  free(t);
  free(l);
  free(v);
  return rc;
}

/* GET /nlp/resources, GET /nlp/stats */
static int h_resources(osc_req *req, osc_resp *resp) {
  NEED_ENGINE(req, resp, nlp);
  char *s = NULL;
  int rc = osc_nlp_resources_json(nlp, &s);
  if (rc) return rc;
  return respond_json_text(resp, s);
}

static int h_stats(osc_req *req, osc_resp *resp) {
  NEED_ENGINE(req, resp, nlp);
  osc_nlp_stats st;
  osc_nlp_get_stats(nlp, &st);
  json_t *stages = json_object();
  for (int i = 0; i < 8; i++) json_object_set_new(stages, osc_nlp_stage_name(i), json_real(st.stage_ns[i] / 1e6));
  return osc_resp_json(resp, 200, json_pack("{s:I,s:I,s:I,s:I,s:o}", "texts", (json_int_t)st.texts, "cache_hits",
                                            (json_int_t)st.cache_hits, "cache_misses", (json_int_t)st.cache_misses,
                                            "errors", (json_int_t)st.errors, "stage_ms", stages));
}

const osc_route osc__routes_nlp[] = {
    {"POST", "/nlp/analyze", h_analyze, 0, "nlp.analyze", "Sentiment, entities, keywords, summary, language, confidence"},
    {"POST", "/nlp/batch-analyze", h_batch, 0, "nlp.batch", "Analyse a JSON array of texts on every core"},
    {"POST", "/nlp/qa", h_qa, 0, "nlp.qa", "Extractive answer {answer, confidence, start, end}"},
    {"POST", "/nlp/similarity", h_similarity, 0, "nlp.similarity", "Cosine similarity of two texts, or nearest neighbours"},
    {"POST", "/nlp/embed", h_embed, 0, "nlp.embed", "512-d sentence embeddings"},
    {"GET", "/nlp/resources", h_resources, 0, "nlp.resources", "Loaded NLP data packages"},
    {"GET", "/nlp/stats", h_stats, 0, "nlp.stats", "Texts, cache hits and time per stage"},
    {NULL, NULL, NULL, 0, NULL, NULL}};

#ifdef OSC_HAVE_TASKS
/* Task kind "nlp.batch": the payload is a batch-analyze body; the result its response.  The task
   processor may outlive the engine (services close in reverse order), so jobs reach the engine through
   this holder: svc_close clears it under the write lock, and later jobs fail with OSC_EUNAVAIL. */
static struct {
  pthread_rwlock_t lock;
  osc_nlp *nlp;
} g_task_engine = {PTHREAD_RWLOCK_INITIALIZER, NULL};

static int task_batch_run(osc_task_ctx *ctx, osc_nlp *nlp) {
  size_t len = 0;
  const char *p = osc_task_payload(ctx, &len);
  json_t *body = NULL;
  int rc = osc_json_parse(p ? p : "", p ? len : 0, false, &body);
  if (rc) {
    osc_task_set_error(ctx, "nlp.batch: payload: %s", osc_errmsg());
    return rc;
  }
  json_t *result = NULL;
  rc = run_batch(nlp, body, &result);
  json_decref(body);
  if (rc) {
    osc_task_set_error(ctx, "nlp.batch: %s", osc_errmsg());
    return rc;
  }
  char *s = json_dumps(result, JSON_COMPACT);
  json_decref(result);
  if (!s) return OSC_ENOMEM;
  osc_task_progress(ctx, 1.0);
  rc = osc_task_set_result(ctx, s, strlen(s), true);
  free(s);
  return rc;
}

static int task_batch(osc_task_ctx *ctx, void *ud) {
  (void)ud;
  pthread_rwlock_rdlock(&g_task_engine.lock);
  int rc;
  if (g_task_engine.nlp) {
    rc = task_batch_run(ctx, g_task_engine.nlp);
  } else {
    osc_task_set_error(ctx, "nlp.batch: the NLP engine is closed");
    rc = OSC_EUNAVAIL;
  }
  pthread_rwlock_unlock(&g_task_engine.lock);
  return rc;
}
#endif

static int svc_open(osc_app *app) {
  osc_nlp_options o;
  int rc = osc_nlp_options_from_config(app->cfg, &o);
  if (rc) return rc;
#ifdef OSC_HAVE_CACHE
  o.cache = app->cache;
#endif
  rc = osc_nlp_open(&o, &app->nlp);
  if (rc) {
    OSC_WARN("nlp", "NLP engine not opened: %s", osc_errmsg());
    app->nlp = NULL;
    return OSC_OK; /* the server still runs; /nlp answers 503 */
  }
#ifdef OSC_HAVE_TASKS
  if (app->tasks) {
    osc_task_kind_options ko = {0};
    ko.type = OSC_TASK_TYPE_CPU;
    ko.summary = "NLP batch analysis: payload [texts] or {texts, analysis_type}; result {results, total_texts, failed}";
    pthread_rwlock_wrlock(&g_task_engine.lock);
    g_task_engine.nlp = app->nlp;
    pthread_rwlock_unlock(&g_task_engine.lock);
    /* OSC_EEXIST: a second app in this process already registered it (the holder now points here) */
    if (!osc_tasks_has_kind(app->tasks, "nlp.batch") &&
        osc_tasks_register(app->tasks, "nlp.batch", task_batch, NULL, &ko) != OSC_OK)
      OSC_WARN("nlp", "task kind nlp.batch not registered: %s", osc_errmsg());
  }
#endif
  return OSC_OK;
}

static void svc_close(osc_app *app) {
#ifdef OSC_HAVE_TASKS
  pthread_rwlock_wrlock(&g_task_engine.lock);
  if (g_task_engine.nlp == app->nlp) g_task_engine.nlp = NULL;
  pthread_rwlock_unlock(&g_task_engine.lock);
#endif
  osc_nlp_close(app->nlp);
  app->nlp = NULL;
}

static int svc_health(osc_app *app, json_t *out) {
  if (!app->nlp) {
    json_object_set_new(out, "ready", json_false());
    return OSC_EUNAVAIL;
  }
  char *s = NULL;
  json_t *res = NULL;
  if (osc_nlp_resources_json(app->nlp, &s) == OSC_OK) osc_json_parse(s, strlen(s), false, &res);
  free(s);
  json_t *missing = json_array();
  size_t i;
  json_t *r;
  json_array_foreach(res, i, r) if (!json_is_true(json_object_get(r, "loaded")))
      json_array_append(missing, json_object_get(r, "name"));
  json_decref(res);
  json_object_set_new(out, "ready", json_true());
  json_object_set_new(out, "embeddings", json_boolean(osc_nlp_embed_dim(app->nlp) > 0));
  json_object_set_new(out, "missing_resources", missing);
  return OSC_OK;
}

const osc_service osc__service_nlp = {"nlp", svc_open, svc_close, svc_health};
