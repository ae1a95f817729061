/*
 * video/pipeline.c - osc_video_create: prompt -> scene -> frames + captions
 * + narration -> encoded file.
 *
 * Threads:
 *   - the renderer's producer: N workers render whole frames into a ring,
 *     handed out in order (video/render.h);
 *   - the audio thread: resamples the narration and encodes it to packets;
 *   - the calling thread: takes each frame, draws its caption in place,
 *     hands it to the video encoder (libx264 runs its own frame threads)
 *     and muxes.
 * Frames go to libx264 without a copy: the AVFrame wraps the ring slot in
 * an AVBuffer whose free callback returns the slot to the ring once the
 * encoder lets go of it (libx264 copies the picture inside
 * x264_encoder_encode, so that is at once).  Other encoders get a copy.
 *
 * Memory is the ring, the encoder's own buffers and the narration PCM:
 * nothing grows with the duration except the audio (about 2 MB/min).
 *
 * Output goes to a temp file next to the target and is renamed at the end;
 * any failure or cancellation unlinks the temp file.
 */
#include <math.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <fcntl.h>
#include <unistd.h>

#include <libavcodec/avcodec.h>
#include <libavutil/frame.h>

#include "core/buf.h"
#include "core/clock.h"
#include "core/util.h"
#include "oscontent/error.h"
#include "oscontent/log.h"
#include "video/video_internal.h"

#ifdef OSC_VIDEO_HAVE_RENDER
#include "video/render.h"
#endif


#ifdef OSC_VIDEO_HAVE_RENDER

typedef struct audio_job {
  osc__venc *enc;
  const osc__narration *nar;
  int rc;
  char err[256];
  uint64_t cpu_ns;
  atomic_bool done;
} audio_job;

static void *audio_main(void *arg) {
  audio_job *j = arg;
  uint64_t c0 = osc_thread_cpu_ns();
  j->rc = osc__venc_encode_audio(j->enc, j->nar->pcm, j->nar->nsamples, j->nar->rate);
  if (j->rc) snprintf(j->err, sizeof j->err, "%s", osc_errmsg());
  j->cpu_ns = osc_thread_cpu_ns() - c0;
  atomic_store(&j->done, true);
  return NULL;
}

typedef struct slot_ref {
  osc_video_frames *frames;
  osc_video_frame *fr;
} slot_ref;

static void slot_free(void *opaque, uint8_t *data) {
  (void)data;
  slot_ref *s = opaque;
  osc__video_frames_release(s->frames, s->fr);
  free(s);
}

static int report(const osc_video_callbacks *cb, osc_video_stage st, int64_t done, int64_t total, uint64_t t0) {
  if (!cb || !cb->progress) return OSC_OK;
  osc_video_progress p = {st, done, total, (double)(osc_now_ns() - t0) / 1e9};
  if (cb->progress(cb->ud, &p)) return osc_seterr(OSC_ECANCELED, "video: cancelled at %s, frame %lld of %lld",
                                                 osc_video_stage_name(st), (long long)done, (long long)total);
  return OSC_OK;
}

static char *captions_json(const osc__narration *n) {
  osc_buf b = OSC_BUF_INIT;
  osc_buf_putc(&b, '[');
  for (size_t i = 0; i < n->ncaps; i++) {
    if (i) osc_buf_putc(&b, ',');
    osc_buf_puts(&b, "{\"text\":");
    osc_buf_put_json_str(&b, n->caps[i].text, strlen(n->caps[i].text));
    osc_buf_printf(&b, ",\"start_s\":%.3f,\"end_s\":%.3f}", n->caps[i].start_s, n->caps[i].end_s);
  }
  osc_buf_putc(&b, ']');
  if (b.oom) {
    osc_buf_release(&b);
    return NULL;
  }
  return osc_buf_detach(&b, NULL);
}

int osc_video_create(const osc_video_request *req, const osc_video_callbacks *cb, osc_video_result *out) {
  const uint64_t t0 = osc_now_ns(), cpu0 = osc_process_cpu_ns();
  if (out) memset(out, 0, sizeof *out);
  int rc = osc_video_validate(req);
  if (rc) return rc;
  osc__vcfg cfg;
  rc = osc__video_resolve(&req->opts, req->output_path, &cfg);
  if (rc) return rc;

  char *tmp = NULL, *scene_json = NULL, *caps_json = NULL;
  osc_scene *scene = NULL;
  osc_renderer *rend = NULL;
  osc_video_frames *frames = NULL;
  osc__venc *enc = NULL;
  osc__captioner *capt = NULL;
  osc__narration nar = {0};
  audio_job aj = {0};
  bool audio_started = false, audio_joined = false;
  pthread_t audio_thread;
  AVFrame *vf = NULL, *copy = NULL;
  osc_video_stats st = {0};
  const int64_t total = cfg.frames;

  rc = report(cb, OSC_VIDEO_STAGE_PREPARE, 0, total, t0);
  if (rc) return rc;
  rc = osc__video_tmp_for(req->output_path, &tmp);
  if (rc) return rc;
  rc = osc__video_scene_from_prompt(req->prompt, cfg.seed, &scene);
  if (rc) goto fail;
  if (cfg.mood != 0) osc__video_scene_set_mood(scene, cfg.mood);
  rc = osc__video_scene_json(scene, &scene_json);
  if (rc) goto fail;

  /* Narration first: the caption times come from the synthesised speech. */
  rc = report(cb, OSC_VIDEO_STAGE_NARRATION, 0, total, t0);
  if (rc) goto fail;
  uint64_t tn = osc_now_ns();
  if (cfg.audio || cfg.captions) {
    const char *text = req->script && *req->script ? req->script : req->prompt;
    rc = osc__video_narrate(text, cfg.language, cfg.duration_s, cfg.audio, &nar);
    if (rc) goto fail;
  }
  st.narration_wall_s = (double)(osc_now_ns() - tn) / 1e9;
  caps_json = captions_json(&nar);
  if (!caps_json) {
    rc = osc_seterr(OSC_ENOMEM, "video: out of memory");
    goto fail;
  }

  rc = osc__venc_open(&cfg, tmp, &enc);
  if (rc) goto fail;
  const bool zero_copy = strcmp(osc__venc_encoder_name(enc), "libx264") == 0;
  aj.enc = enc;
  aj.nar = &nar;
  rc = osc__video_renderer_open(scene, cfg.width, cfg.height, cfg.fps, cfg.device, &rend);
  if (rc) goto fail;
  int nthreads = cfg.render_threads ? cfg.render_threads : osc_cpu_count();
  if (nthreads > 16) nthreads = 16;
  /* Ring: 2n+2 frames; n+2 above 720p, where each frame is 3 MB or more and x264's lookahead
   * already holds plenty (keeps 1080p under 200 MB). */
  int ring = (int64_t)cfg.width * cfg.height > 1280 * 720 ? nthreads + 2 : 2 * nthreads + 2;
  rc = osc__video_frames_open(rend, total, nthreads, ring, &frames);
  if (rc) goto fail;
  if (cfg.audio) {
    if (pthread_create(&audio_thread, NULL, audio_main, &aj) != 0) {
      rc = osc_seterr(OSC_EINTERNAL, "video: cannot start the audio thread");
      goto fail;
    }
    audio_started = true;
  }
  if (cfg.captions && nar.ncaps) {
    rc = osc__video_captioner_open(cfg.font_path, cfg.width, cfg.height, &capt);
    if (rc) goto fail;
  }
  vf = av_frame_alloc();
  if (!zero_copy) copy = av_frame_alloc();
  if (!vf || (!zero_copy && !copy)) {
    rc = osc_seterr(OSC_ENOMEM, "video: out of memory");
    goto fail;
  }
  if (copy) {
    copy->format = AV_PIX_FMT_YUV420P;
    copy->width = cfg.width;
    copy->height = cfg.height;
    if (av_frame_get_buffer(copy, 0) < 0) {
      rc = osc_seterr(OSC_ENOMEM, "video: out of memory");
      goto fail;
    }
  }
  rc = report(cb, OSC_VIDEO_STAGE_RENDER, 0, total, t0);
  if (rc) goto fail;
  uint64_t wait_ns = 0, cap_ns = 0;
  for (int64_t i = 0;; i++) {
    osc_video_frame *fr = NULL;
    uint64_t tw = osc_now_ns();
    rc = osc__video_frames_next(frames, &fr);
    wait_ns += osc_now_ns() - tw;
    if (rc == OSC_ENOENT) {
      rc = OSC_OK;
      break;
    }
    if (rc) goto fail;
    if (capt) {
      uint64_t tc = osc_now_ns();
      rc = osc__video_captions_frame(capt, nar.caps, nar.ncaps, (double)fr->index / cfg.fps, fr->data[0],
                                     fr->linesize[0], fr->data[1], fr->linesize[1], fr->data[2], fr->linesize[2]);
      cap_ns += osc_now_ns() - tc;
      if (rc) {
        osc__video_frames_release(frames, fr);
        goto fail;
      }
    }
    if (audio_started && !audio_joined && atomic_load(&aj.done)) {
      pthread_join(audio_thread, NULL);
      audio_joined = true;
      if (aj.rc) {
        osc__video_frames_release(frames, fr);
        rc = osc_seterr(aj.rc, "%s", aj.err);
        goto fail;
      }
      osc__venc_audio_ready(enc);
    }
    AVFrame *send;
    if (zero_copy) {
      slot_ref *sr = malloc(sizeof *sr);
      AVBufferRef *buf = sr ? av_buffer_create(fr->data[0], (size_t)fr->linesize[0] * cfg.height, slot_free, sr, 0) : NULL;
      if (!buf) {
        free(sr);
        osc__video_frames_release(frames, fr);
        rc = osc_seterr(OSC_ENOMEM, "video: out of memory");
        goto fail;
      }
      sr->frames = frames;
      sr->fr = fr;
      av_frame_unref(vf);
      vf->format = AV_PIX_FMT_YUV420P;
      vf->width = cfg.width;
      vf->height = cfg.height;
      vf->buf[0] = buf;
      for (int p = 0; p < 3; p++) {
        vf->data[p] = fr->data[p];
        vf->linesize[p] = fr->linesize[p];
      }
      send = vf;
    } else {
      if (av_frame_make_writable(copy) < 0) {
        osc__video_frames_release(frames, fr);
        rc = osc_seterr(OSC_ENOMEM, "video: out of memory");
        goto fail;
      }
      for (int p = 0; p < 3; p++) {
        int h = p ? cfg.height / 2 : cfg.height, w = p ? cfg.width / 2 : cfg.width;
        for (int r = 0; r < h; r++)
          memcpy(copy->data[p] + (size_t)r * copy->linesize[p], fr->data[p] + (size_t)r * fr->linesize[p], (size_t)w);
      }
      osc__video_frames_release(frames, fr);
      send = copy;
    }
    send->pts = i;
    rc = osc__venc_video(enc, send);
    if (zero_copy) av_frame_unref(vf); /* drop our reference: the slot returns once the encoder drops its own */
    if (rc) goto fail;
    rc = report(cb, OSC_VIDEO_STAGE_RENDER, i + 1, total, t0);
    if (rc) goto fail;
  }
  st.render_cpu_s = (double)osc__video_frames_render_ns(frames) / 1e9;
  st.render_wait_s = (double)wait_ns / 1e9;
  st.caption_s = (double)cap_ns / 1e9;
  rc = report(cb, OSC_VIDEO_STAGE_FINISH, total, total, t0);
  if (rc) goto fail;
  uint64_t tf = osc_now_ns();
  if (audio_started && !audio_joined) {
    pthread_join(audio_thread, NULL);
    audio_joined = true;
    if (aj.rc) {
      rc = osc_seterr(aj.rc, "%s", aj.err);
      goto fail;
    }
    osc__venc_audio_ready(enc);
  }
  rc = osc__venc_finish(enc);
  if (rc) goto fail;
  int fd = open(tmp, O_RDONLY | O_CLOEXEC);
  if (fd >= 0) {
    fsync(fd);
    struct stat sb;
    if (fstat(fd, &sb) == 0) st.file_bytes = (int64_t)sb.st_size;
    close(fd);
  }
  if (rename(tmp, req->output_path) != 0) {
    rc = osc_seterr(OSC_EIO, "output_path: cannot rename the finished file to '%s'", req->output_path);
    goto fail;
  }
  st.finish_wall_s = (double)(osc_now_ns() - tf) / 1e9;
  st.frames = total;
  st.wall_s = (double)(osc_now_ns() - t0) / 1e9;
  st.fps = st.wall_s > 0 ? (double)total / st.wall_s : 0;
  st.audio_cpu_s = (double)aj.cpu_ns / 1e9;
  st.cpu_s = (double)(osc_process_cpu_ns() - cpu0) / 1e9;
  st.encode_cpu_s = st.cpu_s - st.render_cpu_s - st.audio_cpu_s - st.narration_wall_s;
  if (st.encode_cpu_s < 0) st.encode_cpu_s = 0;
  st.peak_rss_bytes = osc__video_peak_rss();
  if (out) {
    out->stats = st;
    out->width = cfg.width;
    out->height = cfg.height;
    out->fps = cfg.fps;
    out->duration_s = cfg.duration_s;
    out->codec = osc_strdup(osc__video_codec_name(cfg.codec));
    out->encoder = osc_strdup(osc__venc_encoder_name(enc));
    out->preset = osc_strdup(osc__venc_preset(enc));
    out->device = osc_strdup(osc__video_renderer_device(rend));
    out->scene_json = scene_json;
    out->captions_json = caps_json;
    scene_json = caps_json = NULL;
  }
  report(cb, OSC_VIDEO_STAGE_DONE, total, total, t0);
  goto cleanup;

fail:
  if (frames) osc__video_frames_cancel(frames);
cleanup:
  if (audio_started && !audio_joined) pthread_join(audio_thread, NULL);
  av_frame_free(&vf);
  av_frame_free(&copy);
  osc__venc_close(enc); /* frees encoder-held frames: slots go back before the producer closes */
  osc__video_frames_close(frames);
  osc__video_renderer_close(rend);
  osc__video_captioner_close(capt);
  osc__video_narration_release(&nar);
  osc__video_scene_free(scene);
  if (rc && tmp) unlink(tmp);
  free(tmp);
  free(scene_json);
  free(caps_json);
  return rc;
}

int osc_video_lexicon_json(char **out) { return osc__video_lexicon_json(out); }

int osc_video_scene_json(const char *prompt, uint64_t seed, char **out) {
  if (!prompt) return osc_seterr(OSC_EINVAL, "prompt: field required");
  osc_scene *s = NULL;
  int rc = osc__video_scene_from_prompt(prompt, seed, &s);
  if (rc) return rc;
  rc = osc__video_scene_json(s, out);
  osc__video_scene_free(s);
  return rc;
}

#else /* no renderer in this build */

int osc_video_create(const osc_video_request *req, const osc_video_callbacks *cb, osc_video_result *out) {
  (void)cb;
  if (out) memset(out, 0, sizeof *out);
  int rc = osc_video_validate(req);
  if (rc) return rc;
  return osc_seterr(OSC_EUNSUPPORTED, "video: this build has no renderer (src/video/render.cmake missing)");
}

int osc_video_lexicon_json(char **out) {
  (void)out;
  return osc_seterr(OSC_EUNSUPPORTED, "video: this build has no renderer");
}

int osc_video_scene_json(const char *prompt, uint64_t seed, char **out) {
  (void)prompt, (void)seed, (void)out;
  return osc_seterr(OSC_EUNSUPPORTED, "video: this build has no renderer");
}

#endif
