/*
 * video/narration.c - narration with espeak-ng and caption timing.
 *
 * The text is split into phrases (sentences, then clauses, then runs of at
 * most N words).  Each phrase is synthesised on its own (synchronous mode,
 * samples collected by the callback), so its exact spoken length is known;
 * the phrases are then laid out on the timeline with equal pauses, and each
 * caption is on screen from just before its phrase starts until the next
 * one begins.  Speech that does not fit the video is sped up (up to 2x the
 * normal rate) and, if it still does not fit, the phrases that fall off the
 * end are dropped.  The PCM covers exactly the video's duration (silence
 * pads it), so audio and video durations agree.
 *
 * espeak-ng keeps process-global state: one mutex serialises every use.
 * Synthesis runs at about 600x real time, so the lock is held for tens of
 * milliseconds per video.
 */
#include <math.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include <espeak-ng/speak_lib.h>

#include "core/util.h"
#include "oscontent/error.h"
#include "oscontent/log.h"
#include "video/video_internal.h"

static pthread_mutex_t es_lock = PTHREAD_MUTEX_INITIALIZER;
static int es_rate = 0; /* sample rate after a successful initialisation; -1 = failed */

typedef struct pcm_acc {
  int16_t *s;
  size_t n, cap;
  bool oom;
} pcm_acc;

static int es_callback(short *wav, int n, espeak_EVENT *ev) {
  pcm_acc *acc = ev ? (pcm_acc *)ev->user_data : NULL;
  if (!acc || !wav || n <= 0) return 0;
  if (acc->n + (size_t)n > acc->cap) {
    size_t cap = acc->cap ? acc->cap * 2 : 65536;
    while (cap < acc->n + (size_t)n) cap *= 2;
    int16_t *p = realloc(acc->s, cap * sizeof *p);
    if (!p) {
      acc->oom = true;
      return 1;
    }
    acc->s = p;
    acc->cap = cap;
  }
  memcpy(acc->s + acc->n, wav, (size_t)n * sizeof *wav);
  acc->n += (size_t)n;
  return 0;
}

/* Called with es_lock held. */
static int es_init_locked(void) {
  if (es_rate > 0) return OSC_OK;
  if (es_rate < 0) return osc_seterr(OSC_EUNAVAIL, "narration: espeak-ng could not be initialised (is espeak-ng-data installed?)");
  int rate = espeak_Initialize(AUDIO_OUTPUT_SYNCHRONOUS, 200, NULL, espeakINITIALIZE_DONT_EXIT);
  if (rate <= 0) {
    es_rate = -1;
    return osc_seterr(OSC_EUNAVAIL, "narration: espeak-ng could not be initialised (is espeak-ng-data installed?)");
  }
  espeak_SetSynthCallback(es_callback);
  es_rate = rate;
  return OSC_OK;
}

static int synth_locked(const char *text, pcm_acc *acc) {
  acc->n = 0;
  espeak_ERROR e = espeak_Synth(text, strlen(text) + 1, 0, POS_CHARACTER, 0, espeakCHARS_UTF8, NULL, acc);
  if (e != EE_OK) return osc_seterr(OSC_EINTERNAL, "narration: espeak_Synth failed (%d)", (int)e);
  espeak_Synchronize();
  if (acc->oom) return osc_seterr(OSC_ENOMEM, "narration: out of memory");
  return OSC_OK;
}

/* ---- phrase splitting ---- */

static bool is_space(unsigned char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v'; }

/* Length of a sentence terminator at p (ASCII .!?;: or UTF-8 。！？…), 0 if none. */
static size_t terminator_len(const char *p) {
  if (*p == '.' || *p == '!' || *p == '?' || *p == ';') return 1;
  if (!strncmp(p, "\xe3\x80\x82", 3) || !strncmp(p, "\xef\xbc\x81", 3) || !strncmp(p, "\xef\xbc\x9f", 3) ||
      !strncmp(p, "\xe2\x80\xa6", 3))
    return 3;
  return 0;
}

typedef struct strvec {
  char **v;
  size_t n, cap;
} strvec;

static int sv_push(strvec *s, const char *p, size_t len) {
  while (len && is_space((unsigned char)p[len - 1])) len--;
  while (len && is_space((unsigned char)*p)) p++, len--;
  if (!len) return OSC_OK;
  if (s->n == s->cap) {
    size_t cap = s->cap ? s->cap * 2 : 8;
    char **v = realloc(s->v, cap * sizeof *v);
    if (!v) return OSC_ENOMEM;
    s->v = v;
    s->cap = cap;
  }
  /* Collapse runs of white space into one space. */
  char *t = malloc(len + 1);
  if (!t) return OSC_ENOMEM;
  size_t k = 0;
  bool sp = false;
  for (size_t i = 0; i < len; i++) {
    if (is_space((unsigned char)p[i])) {
      sp = true;
      continue;
    }
    if (sp && k) t[k++] = ' ';
    sp = false;
    t[k++] = p[i];
  }
  t[k] = 0;
  s->v[s->n++] = t;
  return OSC_OK;
}

static size_t count_words(const char *p, size_t len) {
  size_t n = 0;
  bool in = false;
  for (size_t i = 0; i < len; i++) {
    bool sp = is_space((unsigned char)p[i]);
    if (!sp && !in) n++;
    in = !sp;
  }
  return n;
}

/* Splits one sentence into chunks of at most max_words, preferring commas. */
static int split_sentence(strvec *out, const char *p, size_t len, int max_words) {
  size_t words = count_words(p, len);
  if (words <= (size_t)max_words) return sv_push(out, p, len);
  /* Try the commas: each comma-separated part of at least 3 words becomes a chunk (recursively split). */
  const char *comma = memchr(p, ',', len);
  if (comma) {
    size_t first = (size_t)(comma - p) + 1;
    if (count_words(p, first) >= 3 && count_words(comma + 1, len - first) >= 3) {
      int rc = split_sentence(out, p, first, max_words);
      if (rc) return rc;
      return split_sentence(out, comma + 1, len - first, max_words);
    }
  }
  size_t k = (words + (size_t)max_words - 1) / (size_t)max_words;
  size_t per = (words + k - 1) / k;
  size_t i = 0, start = 0, w = 0;
  bool in = false;
  while (i < len) {
    bool sp = is_space((unsigned char)p[i]);
    if (!sp && !in) {
      if (w == per) {
        int rc = sv_push(out, p + start, i - start);
        if (rc) return rc;
        start = i;
        w = 0;
      }
      w++;
    }
    in = !sp;
    i++;
  }
  return sv_push(out, p + start, len - start);
}

int osc__video_split_phrases(const char *text, int max_words, char ***out, size_t *n) {
  strvec s = {0};
  if (max_words < 1) max_words = 1;
  const char *p = text, *start = text;
  int rc = OSC_OK;
  while (*p) {
    size_t tl = terminator_len(p);
    if (tl) {
      const char *q = p + tl;
      while (*q && terminator_len(q)) q += terminator_len(q); /* "?!", "..." */
      while (*q == '"' || *q == '\'' || *q == ')') q++;
      if (!*q || is_space((unsigned char)*q) || tl == 3) {
        rc = split_sentence(&s, start, (size_t)(q - start), max_words);
        if (rc) goto fail;
        start = p = q;
        continue;
      }
      p = q;
      continue;
    }
    if (*p == '\n' && p[1] == '\n') { /* paragraph break */
      rc = split_sentence(&s, start, (size_t)(p - start), max_words);
      if (rc) goto fail;
      start = p + 1;
    }
    p++;
  }
  rc = split_sentence(&s, start, (size_t)(p - start), max_words);
  if (rc) goto fail;
  *out = s.v;
  *n = s.n;
  return OSC_OK;
fail:
  for (size_t i = 0; i < s.n; i++) free(s.v[i]);
  free(s.v);
  return osc_seterr(OSC_ENOMEM, "narration: out of memory");
}

/* ---- narration ---- */

void osc__video_narration_release(osc__narration *n) {
  if (!n) return;
  free(n->pcm);
  for (size_t i = 0; i < n->ncaps; i++) free(n->caps[i].text);
  free(n->caps);
  memset(n, 0, sizeof *n);
}

/* Trims the near-silent head and tail espeak adds, keeping 30 ms. */
static void trim_silence(const int16_t *s, size_t n, int rate, size_t *off, size_t *len) {
  size_t a = 0, b = n;
  while (a < n && abs(s[a]) < 64) a++;
  while (b > a && abs(s[b - 1]) < 64) b--;
  size_t keep = (size_t)rate * 30 / 1000;
  a = a > keep ? a - keep : 0;
  b = b + keep < n ? b + keep : n;
  *off = a;
  *len = b - a;
}

int osc__video_narrate(const char *text, const char *lang, double duration_s, bool want_audio, osc__narration *out) {
  memset(out, 0, sizeof *out);
  char **phr = NULL;
  size_t np = 0;
  int rc = osc__video_split_phrases(text ? text : "", 10, &phr, &np);
  if (rc) return rc;
  pcm_acc acc = {0};
  int16_t **clip = calloc(np ? np : 1, sizeof *clip);
  size_t *clen = calloc(np ? np : 1, sizeof *clen);
  if (!clip || !clen) {
    rc = osc_seterr(OSC_ENOMEM, "narration: out of memory");
    goto done;
  }
  const double lead = duration_s >= 3 ? 0.25 : 0.1, tail = duration_s >= 3 ? 0.25 : 0.1;
  const double avail = duration_s - lead - tail;
  int rate = 0;
  double total = 0;
  pthread_mutex_lock(&es_lock);
  rc = es_init_locked();
  if (rc == OSC_OK && espeak_SetVoiceByName(lang) != EE_OK)
    rc = osc_seterr(OSC_EINVAL, "language: espeak-ng has no voice '%.40s' (see `espeak-ng --voices`)", lang);
  rate = es_rate;
  int wpm = espeakRATE_NORMAL;
  for (int pass = 0; rc == OSC_OK && pass < 2; pass++) {
    espeak_SetParameter(espeakRATE, wpm, 0);
    total = 0;
    for (size_t i = 0; i < np && rc == OSC_OK; i++) {
      rc = synth_locked(phr[i], &acc);
      if (rc) break;
      size_t off, len;
      trim_silence(acc.s, acc.n, rate, &off, &len);
      free(clip[i]);
      clip[i] = malloc((len ? len : 1) * sizeof(int16_t));
      if (!clip[i]) {
        rc = osc_seterr(OSC_ENOMEM, "narration: out of memory");
        break;
      }
      memcpy(clip[i], acc.s + off, len * sizeof(int16_t));
      clen[i] = len;
      total += (double)len / rate;
    }
    double need = total + 0.15 * (np > 1 ? (double)(np - 1) : 0);
    if (rc || need <= avail || pass == 1) break;
    int faster = (int)ceil(wpm * need / avail * 1.04);
    if (faster > 2 * espeakRATE_NORMAL) faster = 2 * espeakRATE_NORMAL;
    if (faster <= wpm) break;
    wpm = faster;
  }
  espeak_SetParameter(espeakRATE, espeakRATE_NORMAL, 0);
  pthread_mutex_unlock(&es_lock);
  if (rc) goto done;

  /* Keep the phrases that fit, with at least 0.15 s between them. */
  size_t keep = 0;
  double used = 0;
  for (size_t i = 0; i < np; i++) {
    double len = (double)clen[i] / rate;
    double next = used + (keep ? 0.15 : 0) + len;
    if (next > avail && keep) break;
    used = next;
    keep++;
  }
  double first_len = keep ? (double)clen[0] / rate : 0;
  if (keep == 1 && first_len > avail) { /* one phrase longer than the video: cut its sound */
    clen[0] = (size_t)(avail * rate);
    used = avail;
  }
  double speech = 0;
  for (size_t i = 0; i < keep; i++) speech += (double)clen[i] / rate;
  double gap = keep > 1 ? (avail - speech) / (double)(keep + 1) : 0;
  if (gap > 0.6) gap = 0.6;
  if (gap < 0.15) gap = 0.15;
  if (keep > 1 && speech + gap * (double)(keep - 1) > avail) gap = (avail - speech) / (double)(keep - 1);
  if (gap < 0) gap = 0;
  double start0 = lead + (keep == 1 ? fmin(0.3, fmax(0, (avail - speech) / 2)) : fmin(gap, 0.5));
  if (start0 + speech + gap * (keep > 1 ? (double)(keep - 1) : 0) > duration_s - tail / 2) start0 = lead;

  out->rate = rate;
  out->caps = calloc(keep ? keep : 1, sizeof *out->caps);
  if (!out->caps) {
    rc = osc_seterr(OSC_ENOMEM, "narration: out of memory");
    goto done;
  }
  size_t total_samples = (size_t)llround(duration_s * rate);
  if (want_audio) {
    out->pcm = calloc(total_samples ? total_samples : 1, sizeof(int16_t));
    if (!out->pcm) {
      rc = osc_seterr(OSC_ENOMEM, "narration: out of memory");
      goto done;
    }
    out->nsamples = total_samples;
  }
  double t = start0;
  for (size_t i = 0; i < keep; i++) {
    double len = (double)clen[i] / rate;
    out->caps[i].text = phr[i];
    phr[i] = NULL;
    out->caps[i].start_s = fmax(0, t - 0.1);
    if (want_audio) {
      size_t at = (size_t)llround(t * rate);
      size_t n = clen[i];
      if (at < total_samples) {
        if (at + n > total_samples) n = total_samples - at;
        memcpy(out->pcm + at, clip[i], n * sizeof(int16_t));
      }
    }
    t += len + gap;
    out->ncaps = i + 1;
  }
  for (size_t i = 0; i < out->ncaps; i++)
    out->caps[i].end_s = i + 1 < out->ncaps ? out->caps[i + 1].start_s : duration_s;
  out->speech_s = speech;
  if (keep < np)
    OSC_INFO("video", "narration: %zu of %zu phrases fit in %.1f s; the rest is not spoken", keep, np, duration_s);
done:
  for (size_t i = 0; i < np; i++) {
    free(phr[i]);
    if (clip) free(clip[i]);
  }
  free(phr);
  free(clip);
  free(clen);
  free(acc.s);
  if (rc) osc__video_narration_release(out);
  return rc;
}
