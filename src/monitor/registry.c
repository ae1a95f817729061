/*
 * monitor/registry.c - application metrics: counters, gauges and histograms
 * with fixed buckets, with up to 8 labels.  Children are found by the joined
 * label values under the family's mutex; a scrape copies them into the
 * exposition set, where the writer does the escaping.  Histogram buckets
 * are stored per bucket and made cumulative when rendered, ending with
 * le="+Inf" equal to _count.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/util.h"
#include "monitor/internal.h"
#include "oscontent/error.h"

#define MAX_LABELS 8
#define MAX_CHILDREN 10000

typedef struct child {
  char *key;            /* label values joined by \x1f */
  char *vals[MAX_LABELS];
  double v;             /* counter / gauge value; histogram sum */
  uint64_t count;
  uint64_t *buckets;    /* per bucket (not cumulative) */
} child;

struct osc_metric {
  char name[128];
  char help[256];
  osc_metric_type type;
  char *labels[MAX_LABELS];
  int nlabels;
  double *bounds;
  size_t nbounds;
  pthread_mutex_t mu;
  child *kids;
  size_t nkids, capkids;
  uint64_t overflow;
};

struct osc__registry {
  pthread_mutex_t mu;
  osc_metric **fams;
  size_t nfams;
};

static const double default_buckets[] = {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10};

osc__registry *osc__registry_new(void) {
  osc__registry *r = calloc(1, sizeof *r);
  if (r) pthread_mutex_init(&r->mu, NULL);
  return r;
}

static void metric_free(osc_metric *f) {
  for (size_t i = 0; i < f->nkids; i++) {
    free(f->kids[i].key);
    for (int j = 0; j < f->nlabels; j++) free(f->kids[i].vals[j]);
    free(f->kids[i].buckets);
  }
  free(f->kids);
  for (int j = 0; j < f->nlabels; j++) free(f->labels[j]);
  free(f->bounds);
  pthread_mutex_destroy(&f->mu);
  free(f);
}

void osc__registry_free(osc__registry *r) {
  if (!r) return;
  for (size_t i = 0; i < r->nfams; i++) metric_free(r->fams[i]);
  free(r->fams);
  pthread_mutex_destroy(&r->mu);
  free(r);
}

static bool name_ok(const char *n, bool label) {
  if (!n || !*n || (*n >= '0' && *n <= '9')) return false;
  for (; *n; n++)
    if (!((*n >= 'a' && *n <= 'z') || (*n >= 'A' && *n <= 'Z') || (*n >= '0' && *n <= '9') || *n == '_' ||
          (!label && *n == ':')))
      return false;
  return true;
}

int osc__registry_metric(osc__registry *r, const char *name, const char *help, osc_metric_type type,
                         const char *labels, const double *buckets, size_t nbuckets, osc_metric **out) {
  *out = NULL;
  if (!name_ok(name, false) || strlen(name) >= 128)
    return osc_seterr(OSC_EINVAL, "metric name '%s': expected [a-zA-Z_:][a-zA-Z0-9_:]*", name ? name : "");
  if (type == OSC_METRIC_COUNTER && !osc_str_has_suffix(name, "_total"))
    return osc_seterr(OSC_EINVAL, "counter '%s': counter names end in _total", name);
  if (type > OSC_METRIC_HISTOGRAM) return osc_seterr(OSC_EINVAL, "metric '%s': unknown type", name);
  osc_metric *f = calloc(1, sizeof *f);
  if (!f) return OSC_ENOMEM;
  pthread_mutex_init(&f->mu, NULL);
  snprintf(f->name, sizeof f->name, "%s", name);
  snprintf(f->help, sizeof f->help, "%s", help && *help ? help : name);
  f->type = type;
  int rc = OSC_OK;
  if (labels && *labels) {
    char *copy = strdup(labels), *save = NULL;
    for (char *t = strtok_r(copy, ",", &save); t && rc == OSC_OK; t = strtok_r(NULL, ",", &save)) {
      t = osc_str_trim(t);
      if (f->nlabels == MAX_LABELS) rc = osc_seterr(OSC_EINVAL, "metric '%s': at most %d labels", name, MAX_LABELS);
      else if (!name_ok(t, true) || !strncmp(t, "__", 2) || (type == OSC_METRIC_HISTOGRAM && !strcmp(t, "le")))
        rc = osc_seterr(OSC_EINVAL, "metric '%s': invalid label name '%s'", name, t);
      else {
        for (int j = 0; j < f->nlabels; j++)
          if (!strcmp(f->labels[j], t)) rc = osc_seterr(OSC_EINVAL, "metric '%s': label '%s' given twice", name, t);
        if (rc == OSC_OK) f->labels[f->nlabels++] = strdup(t);
      }
    }
    free(copy);
  }
  if (rc == OSC_OK && type == OSC_METRIC_HISTOGRAM) {
    if (!buckets) {
      buckets = default_buckets;
      nbuckets = sizeof default_buckets / sizeof default_buckets[0];
    }
    if (nbuckets == 0 || nbuckets > 64) rc = osc_seterr(OSC_EINVAL, "histogram '%s': 1..64 buckets", name);
    for (size_t i = 0; rc == OSC_OK && i < nbuckets; i++)
      if (!isfinite(buckets[i]) || (i && buckets[i] <= buckets[i - 1]))
        rc = osc_seterr(OSC_EINVAL, "histogram '%s': bucket bounds must be finite and increasing", name);
    if (rc == OSC_OK) {
      f->bounds = malloc(nbuckets * sizeof *f->bounds);
      if (!f->bounds) rc = OSC_ENOMEM;
      else memcpy(f->bounds, buckets, nbuckets * sizeof *f->bounds);
      f->nbounds = nbuckets;
    }
  }
  if (rc) {
    metric_free(f);
    return rc;
  }
  pthread_mutex_lock(&r->mu);
  for (size_t i = 0; i < r->nfams; i++) {
    osc_metric *e = r->fams[i];
    if (strcmp(e->name, name) != 0) continue;
    bool same = e->type == type && e->nlabels == f->nlabels;
    for (int j = 0; same && j < f->nlabels; j++) same = !strcmp(e->labels[j], f->labels[j]);
    pthread_mutex_unlock(&r->mu);
    metric_free(f);
    if (!same) return osc_seterr(OSC_EEXIST, "metric '%s' already registered with another type or labels", name);
    *out = e;
    return OSC_OK;
  }
  osc_metric **nf = realloc(r->fams, (r->nfams + 1) * sizeof *nf);
  if (!nf) {
    pthread_mutex_unlock(&r->mu);
    metric_free(f);
    return OSC_ENOMEM;
  }
  r->fams = nf;
  r->fams[r->nfams++] = f;
  pthread_mutex_unlock(&r->mu);
  *out = f;
  return OSC_OK;
}

/* Finds or creates the child; called with f->mu held. */
static child *get_child(osc_metric *f, const char *const *vals, bool create) {
  char key[1024];
  size_t kl = 0;
  for (int i = 0; i < f->nlabels; i++) {
    const char *v = vals && vals[i] ? vals[i] : "";
    int w = snprintf(key + kl, sizeof key - kl, "%s\x1f", v);
    if (w < 0 || (size_t)w >= sizeof key - kl) break;
    kl += (size_t)w;
  }
  key[kl] = '\0';
  for (size_t i = 0; i < f->nkids; i++)
    if (!strcmp(f->kids[i].key, key)) return &f->kids[i];
  if (!create) return NULL;
  if (f->nkids >= MAX_CHILDREN) {
    f->overflow++;
    return NULL;
  }
  if (f->nkids == f->capkids) {
    size_t nc = f->capkids ? f->capkids * 2 : 8;
    child *nk = realloc(f->kids, nc * sizeof *nk);
    if (!nk) return NULL;
    f->kids = nk;
    f->capkids = nc;
  }
  child *c = &f->kids[f->nkids];
  memset(c, 0, sizeof *c);
  c->key = strdup(key);
  for (int i = 0; i < f->nlabels; i++) c->vals[i] = strdup(vals && vals[i] ? vals[i] : "");
  if (f->type == OSC_METRIC_HISTOGRAM) c->buckets = calloc(f->nbounds, sizeof *c->buckets);
  if (!c->key || (f->type == OSC_METRIC_HISTOGRAM && !c->buckets)) {
    free(c->key);
    free(c->buckets);
    for (int i = 0; i < f->nlabels; i++) free(c->vals[i]);
    return NULL;
  }
  f->nkids++;
  return c;
}

int osc_metric_add(osc_metric *f, const char *const *vals, double d) {
  if (!f) return osc_seterr(OSC_EINVAL, "metric: NULL");
  if (f->type == OSC_METRIC_HISTOGRAM) return osc_seterr(OSC_EINVAL, "%s: add on a histogram", f->name);
  if (f->type == OSC_METRIC_COUNTER && !(d >= 0)) return osc_seterr(OSC_EINVAL, "%s: counters only go up (%g)", f->name, d);
  pthread_mutex_lock(&f->mu);
  child *c = get_child(f, vals, true);
  if (c) c->v += d;
  pthread_mutex_unlock(&f->mu);
  return c ? OSC_OK : osc_seterr(OSC_ENOMEM, "%s: too many label sets", f->name);
}

int osc_metric_set(osc_metric *f, const char *const *vals, double v) {
  if (!f) return osc_seterr(OSC_EINVAL, "metric: NULL");
  if (f->type != OSC_METRIC_GAUGE) return osc_seterr(OSC_EINVAL, "%s: set on a non-gauge", f->name);
  pthread_mutex_lock(&f->mu);
  child *c = get_child(f, vals, true);
  if (c) c->v = v;
  pthread_mutex_unlock(&f->mu);
  return c ? OSC_OK : osc_seterr(OSC_ENOMEM, "%s: too many label sets", f->name);
}

int osc_metric_observe(osc_metric *f, const char *const *vals, double v) {
  if (!f) return osc_seterr(OSC_EINVAL, "metric: NULL");
  if (f->type != OSC_METRIC_HISTOGRAM) return osc_seterr(OSC_EINVAL, "%s: observe on a non-histogram", f->name);
  if (isnan(v)) return osc_seterr(OSC_EINVAL, "%s: NaN observation", f->name);
  pthread_mutex_lock(&f->mu);
  child *c = get_child(f, vals, true);
  if (c) {
    c->count++;
    c->v += v;
    for (size_t i = 0; i < f->nbounds; i++)
      if (v <= f->bounds[i]) {
        c->buckets[i]++;
        break;
      }
  }
  pthread_mutex_unlock(&f->mu);
  return c ? OSC_OK : osc_seterr(OSC_ENOMEM, "%s: too many label sets", f->name);
}

double osc_metric_get(osc_metric *f, const char *const *vals) {
  if (!f) return NAN;
  pthread_mutex_lock(&f->mu);
  child *c = get_child(f, vals, false);
  double v = !c ? NAN : f->type == OSC_METRIC_HISTOGRAM ? (double)c->count : c->v;
  pthread_mutex_unlock(&f->mu);
  return v;
}

void osc__registry_emit(osc__registry *r, osc__mset *set) {
  pthread_mutex_lock(&r->mu);
  for (size_t i = 0; i < r->nfams; i++) {
    osc_metric *f = r->fams[i];
    pthread_mutex_lock(&f->mu);
    if (f->nkids == 0 && f->nlabels == 0) get_child(f, NULL, true); /* label-less metrics always show */
    osc__mset_family(set, f->name, f->help,
                     f->type == OSC_METRIC_COUNTER ? OSC__MT_COUNTER
                     : f->type == OSC_METRIC_GAUGE ? OSC__MT_GAUGE
                                                   : OSC__MT_HISTOGRAM);
    const char *lb[2 * MAX_LABELS + 3];
    char le[64];
    for (size_t k = 0; k < f->nkids; k++) {
      child *c = &f->kids[k];
      int n = 0;
      for (int j = 0; j < f->nlabels; j++) {
        lb[n++] = f->labels[j];
        lb[n++] = c->vals[j];
      }
      lb[n] = NULL;
      if (f->type != OSC_METRIC_HISTOGRAM) {
        osc__mset_add(set, "", lb, c->v);
        continue;
      }
      uint64_t cum = 0;
      lb[n] = "le";
      lb[n + 1] = le;
      lb[n + 2] = NULL;
      for (size_t b = 0; b < f->nbounds; b++) {
        cum += c->buckets[b];
        osc__expo_fmt_le(le, sizeof le, f->bounds[b]);
        osc__mset_add(set, "_bucket", lb, (double)cum);
      }
      snprintf(le, sizeof le, "+Inf");
      osc__mset_add(set, "_bucket", lb, (double)c->count);
      lb[n] = NULL;
      osc__mset_add(set, "_sum", lb, c->v);
      osc__mset_add(set, "_count", lb, (double)c->count);
    }
    pthread_mutex_unlock(&f->mu);
  }
  pthread_mutex_unlock(&r->mu);
}
