/*
 * video/frames.c - frame-parallel producer over a ring of frame buffers.
 *
 * Frame i always lives in slot i % ring.  A worker claims the next index
 * only when that slot is free (frame i - ring has been released), renders
 * into it without the lock, and marks it ready.  The consumer takes frames
 * strictly in order.  So at most `ring` frames exist at once, whatever the
 * duration, and every frame is rendered exactly once.  Cancel wakes
 * everybody; workers finish the frame in hand and exit.
 */
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/clock.h"
#include "core/util.h"
#include "oscontent/error.h"
#include "video/render_int.h"

enum { SLOT_FREE, SLOT_BUSY, SLOT_READY, SLOT_HELD };

typedef struct {
  osc_video_frame fr;
  uint8_t *buf;
  int state;
} slot;

struct osc_video_frames {
  osc_renderer *r;
  int64_t total, next_claim, next_out;
  int nthreads, ring, started;
  pthread_t *th;
  pthread_mutex_t mu;
  pthread_cond_t cv_work, cv_ready;
  slot *slots;
  bool canceled;
  int err;
  char errmsg[256];
  _Atomic uint64_t render_ns;
};

static void *worker(void *arg) {
  osc_video_frames *f = arg;
  for (;;) {
    pthread_mutex_lock(&f->mu);
    while (!f->canceled && !f->err && f->next_claim < f->total &&
           f->slots[f->next_claim % f->ring].state != SLOT_FREE)
      pthread_cond_wait(&f->cv_work, &f->mu);
    if (f->canceled || f->err || f->next_claim >= f->total) {
      pthread_mutex_unlock(&f->mu);
      break;
    }
    int64_t i = f->next_claim++;
    slot *s = &f->slots[i % f->ring];
    s->state = SLOT_BUSY;
    pthread_mutex_unlock(&f->mu);

    uint64_t c0 = osc_thread_cpu_ns();
    s->fr.index = i;
    int rc = osc__video_render_frame(f->r, i, s->fr.data[0], s->fr.linesize[0], s->fr.data[1], s->fr.linesize[1],
                                     s->fr.data[2], s->fr.linesize[2]);
    atomic_fetch_add(&f->render_ns, osc_thread_cpu_ns() - c0);

    pthread_mutex_lock(&f->mu);
    if (rc != OSC_OK) {
      s->state = SLOT_FREE;
      if (!f->err) {
        f->err = rc;
        snprintf(f->errmsg, sizeof f->errmsg, "frame %lld: %s", (long long)i, osc_errmsg());
      }
    } else {
      s->state = SLOT_READY;
    }
    pthread_cond_broadcast(&f->cv_ready);
    if (rc != OSC_OK) pthread_cond_broadcast(&f->cv_work);
    pthread_mutex_unlock(&f->mu);
  }
  return NULL;
}

int osc__video_frames_open(osc_renderer *r, int64_t total, int nthreads, int ring_size, osc_video_frames **out) {
  if (!out) return osc_seterr(OSC_EINVAL, "frames_open: out is NULL");
  *out = NULL;
  if (!r) return osc_seterr(OSC_EINVAL, "frames_open: renderer is NULL");
  if (total < 0) return osc_seterr(OSC_EINVAL, "frames_open: total %lld is below 0", (long long)total);
  if (nthreads < 0 || nthreads > 64) return osc_seterr(OSC_EINVAL, "frames_open: nthreads %d is outside 0..64", nthreads);
  if (ring_size < 0 || ring_size > 256) return osc_seterr(OSC_EINVAL, "frames_open: ring_size %d is outside 0..256", ring_size);
  if (nthreads == 0) nthreads = OSC_MIN(osc_cpu_count(), 16);
  if (ring_size == 0) ring_size = 2 * nthreads + 2;
  if (ring_size < nthreads + 1) ring_size = nthreads + 1;
  osc_video_frames *f = calloc(1, sizeof *f);
  if (!f) return osc_seterr(OSC_ENOMEM, "frames: out of memory");
  f->r = r; f->total = total; f->nthreads = nthreads; f->ring = ring_size;
  pthread_mutex_init(&f->mu, NULL);
  pthread_cond_init(&f->cv_work, NULL);
  pthread_cond_init(&f->cv_ready, NULL);
  f->slots = calloc((size_t)ring_size, sizeof *f->slots);
  f->th = calloc((size_t)nthreads, sizeof *f->th);
  if (!f->slots || !f->th) goto oom;
  int ls0 = (r->W + 63) & ~63, ls1 = (r->cw + 63) & ~63;
  size_t ysz = (size_t)ls0 * r->H, csz = (size_t)ls1 * r->chh;
  for (int i = 0; i < ring_size; i++) {
    slot *s = &f->slots[i];
    s->buf = aligned_alloc(64, ysz + 2 * csz);
    if (!s->buf) goto oom;
    s->fr.data[0] = s->buf;
    s->fr.data[1] = s->buf + ysz;
    s->fr.data[2] = s->buf + ysz + csz;
    s->fr.linesize[0] = ls0;
    s->fr.linesize[1] = s->fr.linesize[2] = ls1;
    s->fr.index = -1;
  }
  for (int i = 0; i < nthreads; i++) {
    if (pthread_create(&f->th[i], NULL, worker, f) != 0) {
      osc__video_frames_close(f);
      return osc_seterr(OSC_ENOMEM, "frames_open: cannot start render thread %d", i);
    }
    f->started++;
  }
  *out = f;
  return OSC_OK;
oom:
  osc__video_frames_close(f);
  return osc_seterr(OSC_ENOMEM, "frames: out of memory");
}

int osc__video_frames_next(osc_video_frames *f, osc_video_frame **out) {
  if (!f || !out) return osc_seterr(OSC_EINVAL, "frames_next: NULL argument");
  *out = NULL;
  pthread_mutex_lock(&f->mu);
  if (f->next_out >= f->total) {
    pthread_mutex_unlock(&f->mu);
    return OSC_ENOENT;
  }
  slot *s = &f->slots[f->next_out % f->ring];
  while (!f->canceled && !f->err && s->state != SLOT_READY) pthread_cond_wait(&f->cv_ready, &f->mu);
  int rc = OSC_OK;
  if (f->canceled) rc = osc_seterr(OSC_ECANCELED, "frames: canceled");
  else if (s->state != SLOT_READY) rc = osc_seterr(f->err, "%s", f->errmsg);
  else {
    s->state = SLOT_HELD;
    f->next_out++;
    *out = &s->fr;
  }
  pthread_mutex_unlock(&f->mu);
  return rc;
}

void osc__video_frames_release(osc_video_frames *f, osc_video_frame *fr) {
  if (!f || !fr) return;
  pthread_mutex_lock(&f->mu);
  slot *s = (slot *)((char *)fr - offsetof(slot, fr));
  if (s >= f->slots && s < f->slots + f->ring && s->state == SLOT_HELD) {
    s->state = SLOT_FREE;
    pthread_cond_broadcast(&f->cv_work);
  }
  pthread_mutex_unlock(&f->mu);
}

void osc__video_frames_cancel(osc_video_frames *f) {
  if (!f) return;
  pthread_mutex_lock(&f->mu);
  f->canceled = true;
  pthread_cond_broadcast(&f->cv_work);
  pthread_cond_broadcast(&f->cv_ready);
  pthread_mutex_unlock(&f->mu);
}

void osc__video_frames_close(osc_video_frames *f) {
  if (!f) return;
  osc__video_frames_cancel(f);
  for (int i = 0; i < f->started; i++) pthread_join(f->th[i], NULL);
  if (f->slots)
    for (int i = 0; i < f->ring; i++) free(f->slots[i].buf);
  free(f->slots);
  free(f->th);
  pthread_mutex_destroy(&f->mu);
  pthread_cond_destroy(&f->cv_work);
  pthread_cond_destroy(&f->cv_ready);
  free(f);
}

uint64_t osc__video_frames_render_ns(const osc_video_frames *f) {
  return f ? atomic_load(&((osc_video_frames *)f)->render_ns) : 0;
}
