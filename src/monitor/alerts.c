/*
 * monitor/alerts.c - threshold alerts with hysteresis.
 *
 * Each rule level runs a small state machine over the metric's points:
 *   OK --crossed--> PENDING --(for_ms elapsed, still crossed)--> FIRING
 *   FIRING --cleared--> CLEARING --(clear_for_ms elapsed, still cleared)--> OK
 * where "crossed" compares with the threshold and "cleared" with the
 * (lower, for an above-rule) clear threshold.  A signal flapping between the
 * two thresholds therefore fires once and resolves once.  Each level is
 * independent, as in the original (a value above error also raises warning).
 *
 * Fired and resolved alerts are saved through the store (inside the tick's
 * transaction) and queued to the notifier thread, which runs the callbacks
 * and the webhook POST: nothing slow ever runs on the sampling thread.
 * History is bounded (the newest 1000 alerts in memory, all in the store).
 */
#include <curl/curl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "core/clock.h"
#include "monitor/internal.h"
#include "oscontent/error.h"
#include "oscontent/log.h"

#define MAX_HISTORY 1000
#define MAX_QUEUE 256

enum { ST_OK = 0, ST_PENDING, ST_FIRING, ST_CLEARING };

typedef struct lvl {
  int state;
  int64_t since;
  char id[192];
  uint64_t fired;
} lvl;

typedef struct cb {
  osc_alert_fn fn;
  void *ud;
} cb;

typedef struct rule {
  osc_alert_rule r;
  lvl l[OSC_ALERT_LEVELS];
} rule;

struct osc__alerts {
  pthread_mutex_t mu;
  rule *rules;
  size_t nrules;
  osc_alert *hist; /* newest last */
  size_t nhist;
  cb cbs[16];
  int ncbs;
  char *webhook;
  /* notifier */
  pthread_t thread;
  bool started, stop;
  pthread_cond_t cv, idle_cv;
  osc_alert q[MAX_QUEUE];
  size_t qhead, qlen;
  bool busy;
  uint64_t dropped;
};

static const char *const level_names[OSC_ALERT_LEVELS] = {"info", "warning", "error", "critical"};

const char *osc_alert_level_name(osc_alert_level level) {
  return (unsigned)level < OSC_ALERT_LEVELS ? level_names[level] : "unknown";
}

int osc_alert_level_parse(const char *text, osc_alert_level *out) {
  for (int i = 0; text && i < OSC_ALERT_LEVELS; i++)
    if (!strcasecmp(text, level_names[i])) {
      *out = (osc_alert_level)i;
      return OSC_OK;
    }
  return osc_seterr(OSC_EINVAL, "level '%s': expected one of info|warning|error|critical", text ? text : "");
}

const char *osc_monitor_default_rules(void) {
  return "system.cpu.usage warning=80/75 error=90/85 for=5s; "
         "system.memory.usage warning=85/80 error=95/90; "
         "system.disk.usage warning=85/80 error=95/90";
}

int osc_monitor_rules_parse(const char *text, osc_alert_rule **out, size_t *n) {
  *out = NULL;
  *n = 0;
  if (!text) return osc_seterr(OSC_EINVAL, "alert rules: NULL");
  char *copy = strdup(text);
  if (!copy) return OSC_ENOMEM;
  osc_alert_rule *rules = NULL;
  size_t nr = 0;
  int rc = OSC_OK;
  char *save = NULL;
  int idx = 0;
  for (char *part = strtok_r(copy, ";\n", &save); part; part = strtok_r(NULL, ";\n", &save)) {
    idx++;
    char *tok[24];
    int nt = osc__split_ws(part, tok, 24);
    if (nt == 0) continue;
    osc_alert_rule r;
    memset(&r, 0, sizeof r);
    for (int i = 0; i < OSC_ALERT_LEVELS; i++) r.threshold[i] = r.clear[i] = NAN;
    if (strlen(tok[0]) >= sizeof r.metric) {
      rc = osc_seterr(OSC_EINVAL, "alert rule %d: metric name too long", idx);
      break;
    }
    snprintf(r.metric, sizeof r.metric, "%s", tok[0]);
    bool any = false;
    for (int i = 1; i < nt && rc == OSC_OK; i++) {
      char *t = tok[i];
      if (!strcmp(t, "<") || !strcmp(t, "below")) {
        r.below = true;
        continue;
      }
      if (!strcmp(t, ">") || !strcmp(t, "above")) continue;
      char *eq = strchr(t, '=');
      if (!eq) {
        rc = osc_seterr(OSC_EINVAL, "alert rule %d (%s): '%s': expected LEVEL=THRESHOLD[/CLEAR], for=DURATION or clear_for=DURATION",
                        idx, r.metric, t);
        break;
      }
      *eq = '\0';
      const char *v = eq + 1;
      if (!strcmp(t, "for") || !strcmp(t, "clear_for")) {
        int64_t ms;
        if (osc_parse_duration_ms(v, &ms) || ms < 0) {
          rc = osc_seterr(OSC_EINVAL, "alert rule %d (%s): %s=%s: expected a duration like 30s", idx, r.metric, t, v);
          break;
        }
        if (!strcmp(t, "for")) r.for_ms = ms;
        else r.clear_for_ms = ms;
        continue;
      }
      osc_alert_level lv;
      if (osc_alert_level_parse(t, &lv)) {
        rc = osc_seterr(OSC_EINVAL, "alert rule %d (%s): unknown key '%s': expected info|warning|error|critical|for|clear_for",
                        idx, r.metric, t);
        break;
      }
      char *end = NULL;
      double thr = strtod(v, &end);
      double clr = NAN;
      if (end == v || !isfinite(thr)) {
        rc = osc_seterr(OSC_EINVAL, "alert rule %d (%s): %s=%s: threshold is not a number", idx, r.metric, t, v);
        break;
      }
      if (*end == '/') {
        const char *c = end + 1;
        clr = strtod(c, &end);
        if (end == c || !isfinite(clr)) {
          rc = osc_seterr(OSC_EINVAL, "alert rule %d (%s): %s: clear threshold '%s' is not a number", idx, r.metric, t, c);
          break;
        }
      }
      if (*end) {
        rc = osc_seterr(OSC_EINVAL, "alert rule %d (%s): %s=%s: trailing characters '%s'", idx, r.metric, t, v, end);
        break;
      }
      r.threshold[lv] = thr;
      r.clear[lv] = clr;
      any = true;
    }
    if (rc) break;
    if (!any) {
      rc = osc_seterr(OSC_EINVAL, "alert rule %d (%s): no threshold given", idx, r.metric);
      break;
    }
    for (int i = 0; i < OSC_ALERT_LEVELS; i++) {
      if (isnan(r.threshold[i]) || isnan(r.clear[i])) continue;
      if (r.below ? r.clear[i] < r.threshold[i] : r.clear[i] > r.threshold[i]) {
        rc = osc_seterr(OSC_EINVAL, "alert rule %d (%s): %s clear threshold %g must be on the %s side of %g", idx,
                        r.metric, level_names[i], r.clear[i], r.below ? "upper" : "lower", r.threshold[i]);
        break;
      }
    }
    if (rc) break;
    osc_alert_rule *nr2 = realloc(rules, (nr + 1) * sizeof *nr2);
    if (!nr2) {
      rc = OSC_ENOMEM;
      break;
    }
    rules = nr2;
    rules[nr++] = r;
  }
  free(copy);
  if (rc) {
    free(rules);
    return rc;
  }
  *out = rules;
  *n = nr;
  return OSC_OK;
}

/* ---------------- notifier ---------------- */
static size_t sink(char *p, size_t s, size_t n, void *ud) {
  (void)p;
  (void)ud;
  return s * n;
}

static void webhook_post(const char *url, const osc_alert *a) {
  osc_buf b = OSC_BUF_INIT;
  osc__alert_json(&b, a);
  CURL *c = curl_easy_init();
  if (!c) {
    osc_buf_release(&b);
    return;
  }
  struct curl_slist *h = curl_slist_append(NULL, "Content-Type: application/json");
  curl_easy_setopt(c, CURLOPT_URL, url);
  curl_easy_setopt(c, CURLOPT_POSTFIELDS, b.data);
  curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE, (long)b.len);
  curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
  curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, 5000L);
  curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, sink);
  CURLcode rc = curl_easy_perform(c);
  long status = 0;
  curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
  if (rc != CURLE_OK) OSC_WARN("monitor", "alert webhook %s: %s", url, curl_easy_strerror(rc));
  else if (status >= 300) OSC_WARN("monitor", "alert webhook %s answered %ld", url, status);
  curl_slist_free_all(h);
  curl_easy_cleanup(c);
  osc_buf_release(&b);
}

static void *notifier_main(void *arg) {
  osc__alerts *a = arg;
  pthread_mutex_lock(&a->mu);
  for (;;) {
    while (!a->stop && a->qlen == 0) pthread_cond_wait(&a->cv, &a->mu);
    if (a->qlen == 0 && a->stop) break;
    osc_alert al = a->q[a->qhead];
    a->qhead = (a->qhead + 1) % MAX_QUEUE;
    a->qlen--;
    a->busy = true;
    int ncbs = a->ncbs;
    cb cbs[16];
    memcpy(cbs, a->cbs, sizeof cbs);
    pthread_mutex_unlock(&a->mu);
    for (int i = 0; i < ncbs; i++) cbs[i].fn(cbs[i].ud, &al);
    if (a->webhook) webhook_post(a->webhook, &al);
    pthread_mutex_lock(&a->mu);
    a->busy = false;
    pthread_cond_broadcast(&a->idle_cv);
  }
  pthread_mutex_unlock(&a->mu);
  return NULL;
}

int osc__alerts_new(const char *webhook, osc__alerts **out) {
  osc__alerts *a = calloc(1, sizeof *a);
  if (!a) return OSC_ENOMEM;
  pthread_mutex_init(&a->mu, NULL);
  pthread_cond_init(&a->cv, NULL);
  pthread_cond_init(&a->idle_cv, NULL);
  a->webhook = webhook && *webhook ? strdup(webhook) : NULL;
  a->hist = calloc(MAX_HISTORY, sizeof *a->hist);
  if (!a->hist || pthread_create(&a->thread, NULL, notifier_main, a) != 0) {
    free(a->hist);
    free(a->webhook);
    free(a);
    return osc_seterr(OSC_ENOMEM, "alerts: cannot start the notifier");
  }
  a->started = true;
  *out = a;
  return OSC_OK;
}

void osc__alerts_free(osc__alerts *a) {
  if (!a) return;
  pthread_mutex_lock(&a->mu);
  a->stop = true;
  pthread_cond_broadcast(&a->cv);
  pthread_mutex_unlock(&a->mu);
  if (a->started) pthread_join(a->thread, NULL);
  pthread_mutex_destroy(&a->mu);
  pthread_cond_destroy(&a->cv);
  pthread_cond_destroy(&a->idle_cv);
  free(a->rules);
  free(a->hist);
  free(a->webhook);
  free(a);
}

int osc__alerts_flush(osc__alerts *a, int64_t timeout_ms) {
  uint64_t end = osc_now_ms() + (uint64_t)(timeout_ms > 0 ? timeout_ms : 0);
  pthread_mutex_lock(&a->mu);
  while ((a->qlen || a->busy) && osc_now_ms() < end) {
    pthread_mutex_unlock(&a->mu);
    osc_sleep_ms(2);
    pthread_mutex_lock(&a->mu);
  }
  int rc = a->qlen || a->busy ? osc_seterr(OSC_ETIMEDOUT, "alert notifications still running") : OSC_OK;
  pthread_mutex_unlock(&a->mu);
  return rc;
}

int osc__alerts_on(osc__alerts *a, osc_alert_fn fn, void *ud) {
  if (!fn) return osc_seterr(OSC_EINVAL, "alert callback: NULL");
  pthread_mutex_lock(&a->mu);
  int rc = OSC_OK;
  if (a->ncbs == 16) rc = osc_seterr(OSC_ETOOBIG, "alert callbacks: at most 16");
  else {
    a->cbs[a->ncbs].fn = fn;
    a->cbs[a->ncbs++].ud = ud;
  }
  pthread_mutex_unlock(&a->mu);
  return rc;
}

/* ---------------- engine ---------------- */
int osc__alerts_add_rule(osc__alerts *a, const osc_alert_rule *r) {
  bool any = false;
  for (int i = 0; i < OSC_ALERT_LEVELS; i++) any |= !isnan(r->threshold[i]);
  if (!any || !r->metric[0]) return osc_seterr(OSC_EINVAL, "alert rule '%s': no threshold given", r->metric);
  pthread_mutex_lock(&a->mu);
  int rc = OSC_OK;
  size_t i = 0;
  for (; i < a->nrules; i++)
    if (!strcmp(a->rules[i].r.metric, r->metric)) break;
  if (i == a->nrules) {
    rule *nr = realloc(a->rules, (a->nrules + 1) * sizeof *nr);
    if (!nr) rc = OSC_ENOMEM;
    else {
      a->rules = nr;
      memset(&a->rules[a->nrules], 0, sizeof(rule));
      a->nrules++;
    }
  }
  if (rc == OSC_OK) {
    a->rules[i].r = *r;
    for (int l = 0; l < OSC_ALERT_LEVELS; l++) {
      if (isnan(a->rules[i].r.clear[l]) && !isnan(r->threshold[l])) {
        double t = r->threshold[l], gap = fabs(t) * 0.05;
        a->rules[i].r.clear[l] = r->below ? t + gap : t - gap;
      }
    }
  }
  pthread_mutex_unlock(&a->mu);
  return rc;
}

int osc__alerts_rules(osc__alerts *a, osc_alert_rule **out, size_t *n) {
  pthread_mutex_lock(&a->mu);
  *n = a->nrules;
  *out = a->nrules ? malloc(a->nrules * sizeof **out) : NULL;
  for (size_t i = 0; *out && i < a->nrules; i++) (*out)[i] = a->rules[i].r;
  pthread_mutex_unlock(&a->mu);
  return OSC_OK;
}

static osc_alert *hist_add(osc__alerts *a, const osc_alert *al) {
  if (a->nhist == MAX_HISTORY) {
    /* drop the oldest resolved alert, else the oldest */
    size_t drop = 0;
    for (size_t i = 0; i < a->nhist; i++)
      if (a->hist[i].resolved_ms) {
        drop = i;
        break;
      }
    memmove(&a->hist[drop], &a->hist[drop + 1], (a->nhist - drop - 1) * sizeof *a->hist);
    a->nhist--;
  }
  a->hist[a->nhist] = *al;
  return &a->hist[a->nhist++];
}

static osc_alert *hist_find(osc__alerts *a, const char *id) {
  for (size_t i = a->nhist; i-- > 0;)
    if (!strcmp(a->hist[i].id, id)) return &a->hist[i];
  return NULL;
}

static void enqueue(osc__alerts *a, const osc_alert *al) {
  if (a->qlen == MAX_QUEUE) {
    a->dropped++;
    return;
  }
  a->q[(a->qhead + a->qlen) % MAX_QUEUE] = *al;
  a->qlen++;
  pthread_cond_signal(&a->cv);
}

void osc__alerts_eval(osc__alerts *a, osc__store *st, const char *metric, int64_t ts, double v) {
  osc_alert changed[OSC_ALERT_LEVELS];
  int nchanged = 0;
  pthread_mutex_lock(&a->mu);
  for (size_t i = 0; i < a->nrules; i++) {
    rule *r = &a->rules[i];
    if (strcmp(r->r.metric, metric) != 0) continue;
    for (int l = 0; l < OSC_ALERT_LEVELS; l++) {
      double thr = r->r.threshold[l], clr = r->r.clear[l];
      if (isnan(thr)) continue;
      lvl *s = &r->l[l];
      bool crossed = r->r.below ? v < thr : v > thr;
      bool cleared = r->r.below ? v > clr : v < clr;
      bool fire = false, resolve = false;
      switch (s->state) {
        case ST_OK:
          if (crossed) {
            s->since = ts;
            s->state = ST_PENDING;
            fire = r->r.for_ms == 0;
          }
          break;
        case ST_PENDING:
          if (!crossed) s->state = ST_OK;
          else fire = ts - s->since >= r->r.for_ms;
          break;
        case ST_FIRING:
          if (cleared) {
            s->since = ts;
            s->state = ST_CLEARING;
            resolve = r->r.clear_for_ms == 0;
          }
          break;
        case ST_CLEARING:
          if (!cleared) s->state = ST_FIRING;
          else resolve = ts - s->since >= r->r.clear_for_ms;
          break;
      }
      if (fire) {
        osc_alert al;
        memset(&al, 0, sizeof al);
        snprintf(al.id, sizeof al.id, "%s_%s_%lld", metric, level_names[l], (long long)ts);
        al.level = (osc_alert_level)l;
        snprintf(al.metric, sizeof al.metric, "%s", metric);
        snprintf(al.message, sizeof al.message, "%s exceeded %s threshold: %.6g %s %.6g", metric, level_names[l], v,
                 r->r.below ? "<" : ">", thr);
        al.threshold = thr;
        al.current_value = v;
        al.fired_ms = ts;
        s->state = ST_FIRING;
        s->fired++;
        snprintf(s->id, sizeof s->id, "%s", al.id);
        hist_add(a, &al);
        changed[nchanged++] = al;
      } else if (resolve) {
        s->state = ST_OK;
        osc_alert *h = hist_find(a, s->id);
        if (h) {
          h->resolved_ms = ts;
          h->current_value = v;
          changed[nchanged++] = *h;
        }
      }
    }
  }
  for (int i = 0; i < nchanged; i++) enqueue(a, &changed[i]);
  pthread_mutex_unlock(&a->mu);
  for (int i = 0; i < nchanged; i++) {
    if (st && osc__store_alert_put(st, &changed[i]))
      OSC_WARN("monitor", "alert %s not saved: %s", changed[i].id, osc_errmsg());
    if (changed[i].resolved_ms)
      OSC_INFO("monitor", "alert resolved: %s (%s)", changed[i].id, changed[i].message);
    else
      OSC_WARN("monitor", "alert fired: %s", changed[i].message);
  }
}

void osc__alerts_restore(osc__alerts *a, const osc_alert *al) {
  pthread_mutex_lock(&a->mu);
  /* loaded newest first: insert at the front so the history stays oldest-first */
  if (a->nhist < MAX_HISTORY) {
    memmove(&a->hist[1], &a->hist[0], a->nhist * sizeof *a->hist);
    a->hist[0] = *al;
    a->nhist++;
  }
  if (!al->resolved_ms) {
    for (size_t i = 0; i < a->nrules; i++) {
      rule *r = &a->rules[i];
      if (strcmp(r->r.metric, al->metric) != 0 || (unsigned)al->level >= OSC_ALERT_LEVELS) continue;
      lvl *s = &r->l[al->level];
      if (s->state == ST_FIRING) continue; /* a newer one already restored */
      s->state = ST_FIRING;
      snprintf(s->id, sizeof s->id, "%s", al->id);
    }
  }
  pthread_mutex_unlock(&a->mu);
}

int osc__alerts_ack(osc__alerts *a, osc__store *st, const char *id) {
  pthread_mutex_lock(&a->mu);
  osc_alert *h = id ? hist_find(a, id) : NULL;
  if (!h) {
    pthread_mutex_unlock(&a->mu);
    return osc_seterr(OSC_ENOENT, "Alert not found: %s", id ? id : "");
  }
  h->acknowledged = true;
  osc_alert copy = *h;
  pthread_mutex_unlock(&a->mu);
  return st ? osc__store_alert_put(st, &copy) : OSC_OK;
}

int osc__alerts_list(osc__alerts *a, osc_alert *out, size_t cap, size_t *n) {
  pthread_mutex_lock(&a->mu);
  size_t k = 0;
  for (size_t i = a->nhist; i-- > 0 && k < cap;) out[k++] = a->hist[i];
  *n = k;
  pthread_mutex_unlock(&a->mu);
  return OSC_OK;
}

void osc__alerts_emit(osc__alerts *a, osc__mset *set) {
  pthread_mutex_lock(&a->mu);
  if (a->nrules) {
    osc__mset_family(set, "oscontent_alert_firing", "Whether an alert rule level is firing (1) or not (0).",
                     OSC__MT_GAUGE);
    for (size_t i = 0; i < a->nrules; i++)
      for (int l = 0; l < OSC_ALERT_LEVELS; l++) {
        if (isnan(a->rules[i].r.threshold[l])) continue;
        const char *lb[] = {"metric", a->rules[i].r.metric, "level", level_names[l], NULL};
        int s = a->rules[i].l[l].state;
        osc__mset_add(set, "", lb, s == ST_FIRING || s == ST_CLEARING ? 1 : 0);
      }
    osc__mset_family(set, "oscontent_alerts_fired_total", "Alerts fired since start, by rule level.", OSC__MT_COUNTER);
    for (size_t i = 0; i < a->nrules; i++)
      for (int l = 0; l < OSC_ALERT_LEVELS; l++) {
        if (isnan(a->rules[i].r.threshold[l])) continue;
        const char *lb[] = {"metric", a->rules[i].r.metric, "level", level_names[l], NULL};
        osc__mset_add(set, "", lb, (double)a->rules[i].l[l].fired);
      }
  }
  pthread_mutex_unlock(&a->mu);
}

void osc__alert_json(osc_buf *b, const osc_alert *a) {
  char iso[40];
  osc_buf_puts(b, "{\"id\":");
  osc_buf_put_json_str(b, a->id, strlen(a->id));
  osc_buf_printf(b, ",\"level\":\"%s\",\"message\":", osc_alert_level_name(a->level));
  osc_buf_put_json_str(b, a->message, strlen(a->message));
  osc_buf_puts(b, ",\"metric_name\":");
  osc_buf_put_json_str(b, a->metric, strlen(a->metric));
  osc_buf_puts(b, ",\"threshold\":");
  osc__fmt_json_num(b, a->threshold);
  osc_buf_puts(b, ",\"current_value\":");
  osc__fmt_json_num(b, a->current_value);
  osc_buf_printf(b, ",\"timestamp\":%.3f", (double)a->fired_ms / 1000.0);
  osc_iso8601(a->fired_ms, iso, sizeof iso);
  osc_buf_printf(b, ",\"fired_at\":\"%s\"", iso);
  if (a->resolved_ms) {
    osc_iso8601(a->resolved_ms, iso, sizeof iso);
    osc_buf_printf(b, ",\"resolved_at\":\"%s\",\"state\":\"resolved\"", iso);
  } else {
    osc_buf_puts(b, ",\"resolved_at\":null,\"state\":\"firing\"");
  }
  osc_buf_printf(b, ",\"acknowledged\":%s}", a->acknowledged ? "true" : "false");
}
