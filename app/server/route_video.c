/*
 * server/route_video.c - the /video routes and the video job service.
 *
 *   POST   /video/generate            {prompt, duration, resolution, fps, quality, [seed, script, audio, captions]}
 *                                     -> 202 {task_id, status, message, estimated_time}
 *   GET    /video/status/{task_id}    -> {task_id, status, progress, stage, result, error}
 *   GET    /video/{task_id}/file      -> the MP4 (Range requests: 206)
 *   DELETE /video/cancel/{task_id}    -> {task_id, status, message}
 *   GET    /video/jobs[?limit=N]      -> {jobs: [...]} newest first
 *   GET    /video/scenes              -> the prompt lexicon
 *
 * The original's bugs, fixed: task_id is made before use; a bad resolution
 * is a 400 naming the field; the status is read live (never a cached copy);
 * dedupe keys on every field that changes the output, not prompt+duration;
 * an unknown id is a 404; the file is actually served.
 *
 * Jobs run on the task processor when it is compiled in and running (kind
 * "video.create", CPU pool, HIGH priority, one attempt, not journaled: the
 * job table below is in memory); otherwise on this file's own small runner:
 * video.jobs worker threads (default 1: a video already uses every core)
 * and a FIFO queue.  Either way this file's job table is the source of
 * truth for status, progress, dedupe and the file.  A job's
 * output lives at <data_dir>/video/<task_id>.mp4; ids are made here (32 hex
 * characters), so no request value ever reaches the file system.  An
 * identical request (same normalised fields) while the earlier job is
 * pending, running or completed with its file present returns that job.
 * (The cache is not used for dedupe yet: see docs/video.md.)
 *
 * Thread safety: the job table is guarded by one mutex; workers update a
 * job's progress under it; handlers copy what they answer under it.
 */
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <dirent.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/clock.h"
#include "core/json.h"
#include "core/util.h"
#include "oscontent/error.h"
#include "oscontent/log.h"
#include "oscontent/video.h"
#include "server/app.h"
#include "server/http.h"
#ifdef OSC_HAVE_TASKS
#include "oscontent/tasks.h"
#endif
#ifdef OSC_HAVE_NLP
#include "oscontent/nlp.h"
#endif

#define MAX_JOBS_KEPT 1000

typedef enum jstatus { J_PENDING = 0, J_PROCESSING, J_COMPLETED, J_FAILED, J_CANCELLED } jstatus;
static const char *const jstatus_names[] = {"pending", "processing", "completed", "failed", "cancelled"};

typedef struct vjob {
  char id[33];
  uint64_t key;
  /* normalised request */
  char *prompt, *script;
  double duration;
  int width, height, fps, crf;
  char quality[8];
  uint64_t seed;
  double mood; /* the prompt's sentiment (NLP module), 0 without it */
  bool audio, captions;
  char *path;
  /* state (under the service mutex) */
  jstatus status;
  osc_video_stage stage;
  int64_t frames_done, frames_total;
  atomic_bool cancel;
  char task_id[40]; /* the task processor's id, "" on the own runner */
  char *result; /* JSON */
  char *error;
  int error_code;
  int64_t created_ms, started_ms, finished_ms;
  struct vjob *qnext;
} vjob;

struct osc_video {
  pthread_mutex_t mu;
  pthread_cond_t cv;
  vjob **jobs; /* oldest first */
  size_t njobs, cap;
  vjob *qhead, *qtail;
  size_t running;
  pthread_t *workers;
  int nworkers;
  bool stopping;
  char *dir;
  osc_video_options defaults;
#ifdef OSC_HAVE_TASKS
  struct osc_tasks *tp; /* non-NULL: jobs run on the task processor */
#endif
};

static void job_free(vjob *j) {
  if (!j) return;
  free(j->prompt);
  free(j->script);
  free(j->path);
  free(j->result);
  free(j->error);
  free(j);
}

static vjob *find_locked(struct osc_video *v, const char *id) {
  for (size_t i = 0; i < v->njobs; i++)
    if (!strcmp(v->jobs[i]->id, id)) return v->jobs[i];
  return NULL;
}

typedef struct pctx {
  struct osc_video *v;
  vjob *j;
  void *task; /* osc_task_ctx when run by the task processor */
} pctx;

/* Runs on the worker for every frame: publishes progress under the table's mutex and
 * reports a cancellation request. */
static int progress_cb(void *ud, const osc_video_progress *p) {
  pctx *c = ud;
  struct osc_video *v = c->v;
  vjob *j = c->j;
  pthread_mutex_lock(&v->mu);
  j->stage = p->stage;
  j->frames_done = p->frames_done;
  j->frames_total = p->frames_total;
  pthread_mutex_unlock(&v->mu);
#ifdef OSC_HAVE_TASKS
  if (c->task) {
    if (p->frames_total > 0) osc_task_progress(c->task, 0.95 * (double)p->frames_done / (double)p->frames_total);
    if (osc_task_cancelled(c->task)) return 1;
  }
#endif
  return atomic_load(&j->cancel) ? 1 : 0;
}

static int run_job(struct osc_video *v, vjob *j, void *task) {
  osc_video_request req;
  memset(&req, 0, sizeof req);
  req.prompt = j->prompt;
  req.script = j->script;
  req.output_path = j->path;
  req.opts = v->defaults;
  req.opts.width = j->width;
  req.opts.height = j->height;
  req.opts.fps = j->fps;
  req.opts.duration_s = j->duration;
  req.opts.crf = j->crf;
  req.opts.seed = j->seed;
  req.opts.mood = j->mood;
  req.opts.no_audio = !j->audio;
  req.opts.no_captions = !j->captions;
  req.opts.codec = "h264"; /* the file route serves MP4 */
  if (v->defaults.codec && strcmp(v->defaults.codec, "h264") != 0) req.opts.preset = NULL; /* a vp9/av1 preset */
  pctx pc = {v, j, task};
  osc_video_callbacks cb = {progress_cb, &pc};
  osc_video_result res;
  osc_clearerr();
  int rc = osc_video_create(&req, &cb, &res);
  char *json = NULL;
  char *err = NULL;
  if (rc == OSC_OK) {
    if (osc_video_result_json(&res, &json) != OSC_OK) json = NULL;
    osc_video_result_release(&res);
  } else {
    err = osc_strdup(*osc_errmsg() ? osc_errmsg() : osc_strerror(rc));
  }
  pthread_mutex_lock(&v->mu);
  j->finished_ms = osc_wall_ms();
  j->stage = OSC_VIDEO_STAGE_DONE;
  if (rc == OSC_OK) {
    j->status = J_COMPLETED;
    j->result = json;
  } else {
    j->status = rc == OSC_ECANCELED ? J_CANCELLED : J_FAILED;
    j->error = err;
    j->error_code = rc;
    if (rc != OSC_ECANCELED) OSC_WARN("video", "job %s failed: %s", j->id, err ? err : "");
  }
#ifdef OSC_HAVE_TASKS
  if (task) {
    if (rc == OSC_OK && j->result) osc_task_set_result(task, j->result, strlen(j->result), true);
    else if (rc) osc_task_set_error(task, "%s", err ? err : osc_strerror(rc));
  }
#else
  (void)task;
#endif
  pthread_mutex_unlock(&v->mu);
  return rc;
}

static void *worker_main(void *arg) {
  struct osc_video *v = arg;
  pthread_mutex_lock(&v->mu);
  for (;;) {
    while (!v->stopping && !v->qhead) pthread_cond_wait(&v->cv, &v->mu);
    if (v->stopping) break;
    vjob *j = v->qhead;
    v->qhead = j->qnext;
    if (!v->qhead) v->qtail = NULL;
    if (atomic_load(&j->cancel)) continue; /* cancelled while pending: already final */
    j->status = J_PROCESSING;
    j->started_ms = osc_wall_ms();
    v->running++;
    pthread_mutex_unlock(&v->mu);
    run_job(v, j, NULL);
    pthread_mutex_lock(&v->mu);
    v->running--;
  }
  pthread_mutex_unlock(&v->mu);
  return NULL;
}

/* Removes leftovers of a crash: temp files (".NAME.XXXX.part") of unfinished jobs. */
static void sweep_parts(const char *dir) {
  DIR *d = opendir(dir);
  if (!d) return;
  struct dirent *e;
  while ((e = readdir(d))) {
    if (e->d_name[0] == '.' && osc_str_has_suffix(e->d_name, ".part")) {
      char *p = osc_path_join(dir, e->d_name);
      if (p) unlink(p);
      free(p);
    }
  }
  closedir(d);
}

#ifdef OSC_HAVE_TASKS
/* The body of a "video.create" task: the payload is the job id in this file's table. */
static int video_task(osc_task_ctx *ctx, void *ud) {
  struct osc_video *v = ud;
  size_t len = 0;
  const char *id = osc_task_payload(ctx, &len);
  char key[33] = "";
  if (id && len == 34 && id[0] == '"') memcpy(key, id + 1, 32); /* JSON string */
  pthread_mutex_lock(&v->mu);
  vjob *j = find_locked(v, key);
  if (!j || j->status != J_PENDING || atomic_load(&j->cancel)) {
    pthread_mutex_unlock(&v->mu);
    osc_task_set_error(ctx, "video job '%s' is gone or was cancelled", key);
    return OSC_ECANCELED;
  }
  j->status = J_PROCESSING;
  j->started_ms = osc_wall_ms();
  v->running++;
  pthread_mutex_unlock(&v->mu);
  int rc = run_job(v, j, ctx);
  pthread_mutex_lock(&v->mu);
  v->running--;
  pthread_cond_broadcast(&v->cv);
  pthread_mutex_unlock(&v->mu);
  return rc;
}
#endif

static int svc_open(osc_app *app) {
  struct osc_video *v = calloc(1, sizeof *v);
  if (!v) return osc_seterr(OSC_ENOMEM, "video: out of memory");
  pthread_mutex_init(&v->mu, NULL);
  pthread_cond_init(&v->cv, NULL);
  int rc = osc_video_options_from_config(app->cfg, &v->defaults);
  if (rc) goto fail;
  v->dir = osc_path_join(app->data_dir, "video");
  if (!v->dir) {
    rc = osc_seterr(OSC_ENOMEM, "video: out of memory");
    goto fail;
  }
  rc = osc_mkdir_p(v->dir, 0700);
  if (rc) goto fail;
  sweep_parts(v->dir);
#ifdef OSC_HAVE_TASKS
  if (app->tasks) {
    osc_task_kind_options ko;
    memset(&ko, 0, sizeof ko);
    ko.type = OSC_TASK_TYPE_CPU;
    ko.timeout_ms = -1; /* a video checks cancellation every frame */
    ko.max_attempts = 1;
    ko.summary = "make a narrated, captioned video (POST /video/generate)";
    rc = osc_tasks_register(app->tasks, "video.create", video_task, v, &ko);
    if (rc == OSC_OK) {
      v->tp = app->tasks;
      app->video = v;
      OSC_INFO("video", "video jobs run on the task processor (kind video.create)");
      return OSC_OK;
    }
    OSC_WARN("video", "cannot register video.create with the task processor (%s); using the video job runner",
             osc_errmsg());
  }
#endif
  v->nworkers = (int)osc_config_int(app->cfg, "video.jobs");
  if (v->nworkers < 1) v->nworkers = 1;
  v->workers = calloc((size_t)v->nworkers, sizeof *v->workers);
  if (!v->workers) {
    rc = osc_seterr(OSC_ENOMEM, "video: out of memory");
    goto fail;
  }
  for (int i = 0; i < v->nworkers; i++) {
    if (pthread_create(&v->workers[i], NULL, worker_main, v) != 0) {
      v->nworkers = i;
      rc = osc_seterr(OSC_EINTERNAL, "video: cannot start a job worker");
      app->video = v;
      return rc;
    }
  }
  app->video = v;
  return OSC_OK;
fail:
  free(v->dir);
  free(v->workers);
  pthread_mutex_destroy(&v->mu);
  pthread_cond_destroy(&v->cv);
  free(v);
  return rc;
}

static void svc_close(osc_app *app) {
  struct osc_video *v = app->video;
  if (!v) return;
  pthread_mutex_lock(&v->mu);
  v->stopping = true;
  for (size_t i = 0; i < v->njobs; i++) atomic_store(&v->jobs[i]->cancel, true); /* running ones stop at the next frame */
  pthread_cond_broadcast(&v->cv);
  pthread_mutex_unlock(&v->mu);
  for (int i = 0; i < v->nworkers; i++) pthread_join(v->workers[i], NULL);
#ifdef OSC_HAVE_TASKS
  if (v->tp) {
    /* Pending tasks never start once cancelled; wait for every task to be final so that none
     * touches this state after it is freed. */
    for (size_t i = 0; i < v->njobs; i++) {
      if (!v->jobs[i]->task_id[0]) continue;
      osc_tasks_cancel(v->tp, v->jobs[i]->task_id);
      osc_tasks_wait(v->tp, v->jobs[i]->task_id, -1, NULL);
    }
  }
#endif
  for (size_t i = 0; i < v->njobs; i++) job_free(v->jobs[i]);
  free(v->jobs);
  free(v->workers);
  free(v->dir);
  pthread_mutex_destroy(&v->mu);
  pthread_cond_destroy(&v->cv);
  free(v);
  app->video = NULL;
}

static int svc_health(osc_app *app, json_t *out) {
  struct osc_video *v = app->video;
  if (!v) return osc_seterr(OSC_EUNAVAIL, "video service not started");
  pthread_mutex_lock(&v->mu);
  size_t pending = 0;
  for (size_t i = 0; i < v->njobs; i++) pending += v->jobs[i]->status == J_PENDING;
  json_object_set_new(out, "jobs_pending", json_integer((json_int_t)pending));
  json_object_set_new(out, "jobs_running", json_integer((json_int_t)v->running));
  json_object_set_new(out, "workers", json_integer(v->nworkers));
#ifdef OSC_HAVE_TASKS
  json_object_set_new(out, "runner", json_string(v->tp ? "tasks" : "own"));
#else
  json_object_set_new(out, "runner", json_string("own"));
#endif
  pthread_mutex_unlock(&v->mu);
  return OSC_OK;
}

/* ---- handlers ---- */

static struct osc_video *service(osc_req *req) {
  struct osc_video *v = osc_req_app(req)->video;
  if (!v) osc_seterr(OSC_EUNAVAIL, "video service is not running");
  return v;
}

static double estimate_s(const vjob *j, size_t ahead) { /* whole seconds, rounded up */
  /* Measured: about 1.5 s for 10 s of 720p30 on 2 cores (docs/video.md); scale by pixels*frames. */
  double px = (double)j->width * j->height * (j->duration * j->fps);
  double one = 0.3 + px * 5.5e-9;
  return ceil(one * (double)(ahead + 1));
}

static int check_fields(json_t *body) {
  static const char *const known[] = {"prompt", "duration", "resolution", "fps",   "quality",
                                      "seed",   "script",   "audio",      "captions"};
  const char *k;
  json_t *val;
  json_object_foreach(body, k, val) {
    bool ok = false;
    for (size_t i = 0; i < OSC_ARRAY_LEN(known); i++) ok = ok || !strcmp(k, known[i]);
    if (!ok)
      return osc_seterr(OSC_EINVAL, "%.40s: unknown field (expected prompt, duration, resolution, fps, quality, seed, "
                        "script, audio, captions)", k);
  }
  return OSC_OK;
}

static int video_generate(osc_req *req, osc_resp *resp) {
  struct osc_video *v = service(req);
  if (!v) return OSC_EUNAVAIL;
  json_t *body = NULL;
  int rc = osc_req_json(req, &body);
  if (rc) return rc;
  if (!json_is_object(body)) return osc_seterr(OSC_EINVAL, "body: expected a JSON object");
  if ((rc = check_fields(body))) return rc;
  const char *prompt = NULL, *resolution = "1920x1080", *quality = "high", *script = NULL;
  double duration = 10;
  int64_t fps = 30, seed = 0;
  bool audio = true, captions = true;
  if ((rc = osc_json_get_str(body, "prompt", true, OSC_VIDEO_MAX_PROMPT, &prompt))) return rc;
  if ((rc = osc_json_get_double(body, "duration", false, 1, 60, &duration))) return rc;
  if ((rc = osc_json_get_str(body, "resolution", false, 16, &resolution))) return rc;
  if ((rc = osc_json_get_int(body, "fps", false, 15, 60, &fps))) return rc;
  if ((rc = osc_json_get_str(body, "quality", false, 8, &quality))) return rc;
  if ((rc = osc_json_get_int(body, "seed", false, 0, INT64_MAX, &seed))) return rc;
  if ((rc = osc_json_get_str(body, "script", false, 5 * OSC_VIDEO_MAX_PROMPT, &script))) return rc;
  if ((rc = osc_json_get_bool(body, "audio", false, &audio))) return rc;
  if ((rc = osc_json_get_bool(body, "captions", false, &captions))) return rc;
  int w, h;
  if ((rc = osc_video_parse_resolution(resolution, &w, &h))) return rc;
  int crf;
  if (!strcmp(quality, "high")) crf = 21;
  else if (!strcmp(quality, "medium")) crf = 23;
  else if (!strcmp(quality, "low")) crf = 28;
  else return osc_seterr(OSC_EINVAL, "quality: '%.8s' is not one of low|medium|high", quality);
  /* Full validation (prompt UTF-8, ...) before anything is queued. */
  osc_video_request check;
  memset(&check, 0, sizeof check);
  check.prompt = prompt;
  check.script = script;
  check.output_path = "check.mp4";
  check.opts = v->defaults;
  check.opts.width = w;
  check.opts.height = h;
  check.opts.fps = (int)fps;
  check.opts.duration_s = duration;
  check.opts.crf = crf;
  check.opts.codec = "h264";
  check.opts.preset = v->defaults.codec && strcmp(v->defaults.codec, "h264") ? NULL : v->defaults.preset;
  if ((rc = osc_video_validate(&check))) return rc;

  char canon[256];
  snprintf(canon, sizeof canon, "%.3f|%dx%d|%d|%d|%llu|%d|%d", duration, w, h, (int)fps, crf, (unsigned long long)seed,
           audio, captions);
  uint64_t key = osc_hash64(prompt, strlen(prompt), osc_hash64(canon, strlen(canon), 0x766964656fULL));
  if (script) key = osc_hash64(script, strlen(script), key ^ 0x5c);

  double mood = 0;
#ifdef OSC_HAVE_NLP
  /* "the prompt's sentiment may set warmth": VADER compound from the NLP service, when it runs. */
  osc_app *app = osc_req_app(req);
  osc_nlp_sentiment sent;
  if (app->nlp && osc_nlp_sentiment_text(app->nlp, prompt, strlen(prompt), &sent) == OSC_OK && isfinite(sent.compound))
    mood = sent.compound < -1 ? -1 : sent.compound > 1 ? 1 : sent.compound;
#endif

  pthread_mutex_lock(&v->mu);
  if (v->stopping) {
    pthread_mutex_unlock(&v->mu);
    return osc_seterr(OSC_ECLOSED, "video: the service is shutting down");
  }
  size_t ahead = 0;
  for (vjob *q = v->qhead; q; q = q->qnext) ahead++;
  ahead += v->running;
  for (size_t i = v->njobs; i-- > 0;) {
    vjob *e = v->jobs[i];
    if (e->key != key || e->status == J_FAILED || e->status == J_CANCELLED || atomic_load(&e->cancel)) continue;
    if (e->status == J_COMPLETED && access(e->path, R_OK) != 0) continue;
    json_t *o = json_pack("{s:s,s:s,s:s,s:f,s:b}", "task_id", e->id, "status", jstatus_names[e->status], "message",
                          e->status == J_COMPLETED ? "Identical request: the video is ready"
                                                   : "Identical request: returning the existing job",
                          "estimated_time", e->status == J_COMPLETED ? 0.0 : estimate_s(e, ahead), "deduplicated", 1);
    int st = e->status == J_COMPLETED ? 200 : 202;
    pthread_mutex_unlock(&v->mu);
    return osc_resp_json(resp, st, o);
  }
  if (v->njobs >= MAX_JOBS_KEPT) { /* forget the oldest finished job (its file stays until cleaned) */
    size_t i = 0;
    while (i < v->njobs && (v->jobs[i]->status == J_PENDING || v->jobs[i]->status == J_PROCESSING)) i++;
    if (i == v->njobs) {
      pthread_mutex_unlock(&v->mu);
      return osc_seterr(OSC_EBUSY, "video: %d jobs are pending or running; try again later", MAX_JOBS_KEPT);
    }
    job_free(v->jobs[i]);
    memmove(&v->jobs[i], &v->jobs[i + 1], (v->njobs - i - 1) * sizeof *v->jobs);
    v->njobs--;
  }
  if (v->njobs == v->cap) {
    size_t cap = v->cap ? v->cap * 2 : 64;
    vjob **nj = realloc(v->jobs, cap * sizeof *nj);
    if (!nj) {
      pthread_mutex_unlock(&v->mu);
      return osc_seterr(OSC_ENOMEM, "video: out of memory");
    }
    v->jobs = nj;
    v->cap = cap;
  }
  vjob *j = calloc(1, sizeof *j);
  if (j) {
    osc_random_hex(j->id, 32);
    j->key = key;
    j->prompt = osc_strdup(prompt);
    j->script = script ? osc_strdup(script) : NULL;
    j->path = osc_asprintf("%s/%s.mp4", v->dir, j->id);
  }
  if (!j || !j->prompt || (script && !j->script) || !j->path) {
    pthread_mutex_unlock(&v->mu);
    job_free(j);
    return osc_seterr(OSC_ENOMEM, "video: out of memory");
  }
  j->duration = duration;
  j->width = w;
  j->height = h;
  j->fps = (int)fps;
  j->crf = crf;
  snprintf(j->quality, sizeof j->quality, "%s", quality);
  j->seed = (uint64_t)seed;
  j->mood = mood;
  j->audio = audio;
  j->captions = captions;
  j->status = J_PENDING;
  j->frames_total = llround(duration * (double)fps);
  j->created_ms = osc_wall_ms();
  v->jobs[v->njobs++] = j;
#ifdef OSC_HAVE_TASKS
  if (v->tp) {
    char payload[40];
    snprintf(payload, sizeof payload, "\"%s\"", j->id);
    osc_task_submit ts;
    osc_task_submit_init(&ts, "video.create");
    ts.payload = payload;
    ts.payload_len = strlen(payload);
    ts.payload_json = true;
    ts.priority = OSC_TASK_PRIORITY_HIGH;
    ts.idempotency_key = j->id;
    ts.durable = OSC_TASK_DURABLE_NO;
    rc = osc_tasks_submit(v->tp, &ts, j->task_id, NULL);
    if (rc) {
      v->njobs--;
      pthread_mutex_unlock(&v->mu);
      job_free(j);
      return rc;
    }
  } else
#endif
  {
    if (v->qtail) v->qtail->qnext = j;
    else v->qhead = j;
    v->qtail = j;
    pthread_cond_signal(&v->cv);
  }
  json_t *o = json_pack("{s:s,s:s,s:s,s:f,s:b}", "task_id", j->id, "status", "pending", "message",
                        "Video generation started", "estimated_time", estimate_s(j, ahead), "deduplicated", 0);
  pthread_mutex_unlock(&v->mu);
  return osc_resp_json(resp, 202, o);
}

static int valid_id(const char *id) {
  if (!id || strlen(id) != 32) return osc_seterr(OSC_EINVAL, "task_id: expected 32 hexadecimal characters");
  for (const char *p = id; *p; p++)
    if (!((*p >= '0' && *p <= '9') || (*p >= 'a' && *p <= 'f')))
      return osc_seterr(OSC_EINVAL, "task_id: expected 32 hexadecimal characters");
  return OSC_OK;
}

static json_t *job_json_locked(const vjob *j) {
  int progress = 0;
  if (j->status == J_COMPLETED) progress = 100;
  else if (j->status == J_PROCESSING && j->frames_total > 0)
    progress = (int)(95 * j->frames_done / j->frames_total) + (j->stage >= OSC_VIDEO_STAGE_FINISH ? 4 : 0);
  json_t *result = json_null();
  if (j->status == J_COMPLETED && j->result) {
    json_t *r = json_loads(j->result, 0, NULL);
    if (r) {
      char url[64];
      snprintf(url, sizeof url, "/video/%s/file", j->id);
      json_object_set_new(r, "file_url", json_string(url));
      struct stat sb;
      json_object_set_new(r, "size_bytes", json_integer(stat(j->path, &sb) == 0 ? (json_int_t)sb.st_size : 0));
      result = r;
    }
  }
  char created[40] = "", started[40] = "", finished[40] = "";
  osc_iso8601(j->created_ms, created, sizeof created);
  if (j->started_ms) osc_iso8601(j->started_ms, started, sizeof started);
  if (j->finished_ms) osc_iso8601(j->finished_ms, finished, sizeof finished);
  json_t *o = json_pack("{s:s,s:s,s:i,s:s,s:I,s:I,s:o,s:s,s:s*,s:s*}", "task_id", j->id, "status",
                        jstatus_names[j->status], "progress", progress, "stage",
                        j->status == J_PENDING ? "queued" : osc_video_stage_name(j->stage), "frames_done",
                        (json_int_t)j->frames_done, "frames_total", (json_int_t)j->frames_total, "result", result,
                        "created_at", created, "started_at", j->started_ms ? started : NULL, "finished_at",
                        j->finished_ms ? finished : NULL);
  if (o && j->task_id[0]) json_object_set_new(o, "processor_task_id", json_string(j->task_id));
  if (o && j->error) {
    json_object_set_new(o, "error", json_string(j->error));
    json_object_set_new(o, "error_code", json_string(osc_err_name(j->error_code)));
  }
  if (o) {
    json_t *rq = json_pack("{s:s,s:f,s:s,s:i,s:s,s:I,s:b,s:b}", "prompt", j->prompt, "duration", j->duration,
                           "resolution", "", "fps", j->fps, "quality", j->quality, "seed", (json_int_t)j->seed, "audio",
                           j->audio, "captions", j->captions);
    if (rq) {
      char res[32];
      snprintf(res, sizeof res, "%dx%d", j->width, j->height);
      json_object_set_new(rq, "resolution", json_string(res));
      json_object_set_new(o, "request", rq);
    }
  }
  return o;
}

static int video_status(osc_req *req, osc_resp *resp) {
  struct osc_video *v = service(req);
  if (!v) return OSC_EUNAVAIL;
  const char *id = osc_req_param(req, "task_id");
  int rc = valid_id(id);
  if (rc) return rc;
  pthread_mutex_lock(&v->mu);
  vjob *j = find_locked(v, id);
  json_t *o = j ? job_json_locked(j) : NULL;
  pthread_mutex_unlock(&v->mu);
  if (!j) return osc_seterr(OSC_ENOENT, "task_id: no video job '%s'", id);
  if (!o) return osc_seterr(OSC_ENOMEM, "video: out of memory");
  osc_resp_header(resp, "Cache-Control", "no-store");
  return osc_resp_json(resp, 200, o);
}

static int video_file(osc_req *req, osc_resp *resp) {
  struct osc_video *v = service(req);
  if (!v) return OSC_EUNAVAIL;
  const char *id = osc_req_param(req, "task_id");
  int rc = valid_id(id);
  if (rc) return rc;
  pthread_mutex_lock(&v->mu);
  vjob *j = find_locked(v, id);
  jstatus st = j ? j->status : J_FAILED;
  char *path = j ? osc_strdup(j->path) : NULL;
  pthread_mutex_unlock(&v->mu);
  if (!j) return osc_seterr(OSC_ENOENT, "task_id: no video job '%s'", id);
  if (st != J_COMPLETED) {
    free(path);
    return osc_seterr(OSC_ESTATE, "task_id: video '%s' is not ready (status %s)", id, jstatus_names[st]);
  }
  if (!path) return osc_seterr(OSC_ENOMEM, "video: out of memory");
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  free(path);
  if (fd < 0) return osc_seterr(OSC_ENOENT, "task_id: the file of video '%s' is gone", id);
  struct stat sb;
  if (fstat(fd, &sb) != 0) {
    close(fd);
    return osc_seterr(OSC_EIO, "video: cannot read the file");
  }
  char cd[96];
  snprintf(cd, sizeof cd, "inline; filename=\"%s.mp4\"", id);
  osc_resp_header(resp, "Content-Disposition", cd);
  return osc_resp_file_range(resp, req, fd, (uint64_t)sb.st_size, "video/mp4");
}

static int video_cancel(osc_req *req, osc_resp *resp) {
  struct osc_video *v = service(req);
  if (!v) return OSC_EUNAVAIL;
  const char *id = osc_req_param(req, "task_id");
  int rc = valid_id(id);
  if (rc) return rc;
  pthread_mutex_lock(&v->mu);
  vjob *j = find_locked(v, id);
  if (!j) {
    pthread_mutex_unlock(&v->mu);
    return osc_seterr(OSC_ENOENT, "task_id: no video job '%s'", id);
  }
  const char *msg;
  int status = 200;
  if (j->status == J_PENDING) {
    atomic_store(&j->cancel, true);
    j->status = J_CANCELLED;
    j->finished_ms = osc_wall_ms();
    /* unlink from the queue */
    vjob **pp = &v->qhead, *prev = NULL;
    while (*pp && *pp != j) prev = *pp, pp = &(*pp)->qnext;
    if (*pp) {
      *pp = j->qnext;
      if (v->qtail == j) v->qtail = prev;
    }
    msg = "Video cancelled before it started";
#ifdef OSC_HAVE_TASKS
    if (v->tp && j->task_id[0]) osc_tasks_cancel(v->tp, j->task_id);
#endif
  } else if (j->status == J_PROCESSING) {
    atomic_store(&j->cancel, true);
    msg = "Cancellation requested; the job stops at the next frame and leaves no file";
    status = 202;
  } else {
    jstatus st = j->status;
    pthread_mutex_unlock(&v->mu);
    return osc_seterr(OSC_ESTATE, "task_id: video '%s' is already %s", id, jstatus_names[st]);
  }
  json_t *o = json_pack("{s:s,s:s,s:s,s:b}", "task_id", j->id, "status",
                        j->status == J_PROCESSING ? "cancelling" : jstatus_names[j->status], "message", msg, "success",
                        1);
  pthread_mutex_unlock(&v->mu);
  return osc_resp_json(resp, status, o);
}

static int video_jobs(osc_req *req, osc_resp *resp) {
  struct osc_video *v = service(req);
  if (!v) return OSC_EUNAVAIL;
  int64_t limit = 100;
  const char *lq = osc_req_query(req, "limit");
  if (lq && (osc_parse_int(lq, &limit) != OSC_OK || limit < 1 || limit > MAX_JOBS_KEPT))
    return osc_seterr(OSC_EINVAL, "limit: expected an integer from 1 to %d", MAX_JOBS_KEPT);
  json_t *arr = json_array();
  pthread_mutex_lock(&v->mu);
  for (size_t i = v->njobs; i-- > 0 && json_array_size(arr) < (size_t)limit;)
    json_array_append_new(arr, job_json_locked(v->jobs[i]));
  pthread_mutex_unlock(&v->mu);
  return osc_resp_json(resp, 200, json_pack("{s:o}", "jobs", arr));
}

static int video_scenes(osc_req *req, osc_resp *resp) {
  (void)req;
  char *text = NULL;
  int rc = osc_video_lexicon_json(&text);
  if (rc) return rc;
  json_t *j = json_loads(text, JSON_DECODE_ANY, NULL);
  free(text);
  if (!j) return osc_seterr(OSC_EINTERNAL, "video: the lexicon is not valid JSON");
  return osc_resp_json(resp, 200, j);
}

const osc_route osc__routes_video[] = {
    {"POST", "/video/generate", video_generate, OSC_ROUTE_SCOPE_WRITE, "video.generate",
     "Start making a narrated, captioned video from a prompt (202 with a task id)"},
    {"GET", "/video/status/{task_id}", video_status, 0, "video.status", "Live status and result of a video job"},
    {"GET", "/video/{task_id}/file", video_file, 0, "video.file", "The finished MP4 (supports Range requests)"},
    {"DELETE", "/video/cancel/{task_id}", video_cancel, OSC_ROUTE_SCOPE_WRITE, "video.cancel",
     "Cancel a pending or running video job"},
    {"GET", "/video/jobs", video_jobs, 0, "video.jobs", "Video jobs, newest first (?limit=N, default 100)"},
    {"GET", "/video/scenes", video_scenes, 0, "video.scenes", "The prompt lexicon: words and scene elements"},
    {0}};

const osc_service osc__service_video = {"video", svc_open, svc_close, svc_health};
