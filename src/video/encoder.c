/*
 * video/encoder.c - the encoders and the muxer (libavcodec/libavformat).
 *
 * One video stream (libx264, or h264_nvenc when the driver offers it;
 * libvpx-vp9; libsvtav1) and one audio stream (the native AAC encoder with
 * the fast coder in MP4/MOV/MKV, libopus in WebM).  The audio is encoded
 * on its own thread into packets kept in memory (a few hundred KB even for
 * 60 s) while the video is encoded on the pipeline thread; once the audio
 * is ready its packets go to av_interleaved_write_frame, which interleaves
 * them with the video by dts.  MP4 gets +faststart: av_write_trailer moves
 * the moov box in front of mdat (a few ms).
 *
 * Audio length: the narration is resampled and then padded with silence
 * or cut so that it lasts exactly frames/fps seconds (up to the last audio
 * frame, under one video frame).
 */
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include <libavcodec/avcodec.h>
#include <libavformat/avformat.h>
#include <libavutil/audio_fifo.h>
#include <libavutil/channel_layout.h>
#include <libavutil/opt.h>
#include <libswresample/swresample.h>

#include "oscontent/error.h"
#include "oscontent/log.h"
#include "video/video_internal.h"

struct osc__venc {
  osc__vcfg cfg;
  AVFormatContext *oc;
  AVCodecContext *vc, *ac;
  AVStream *vs, *as;
  AVPacket *pkt;
  const char *enc_name;
  AVPacket **apk; /* encoded audio, written once ready */
  size_t napk, capk;
  bool audio_ready, audio_written;
  bool opened_io;
};

static atomic_int nvenc_state; /* 0 untried, 1 works, -1 unavailable */

static const char *format_name(osc__vcontainer c) {
  switch (c) {
    case OSC__VCONT_MP4: return "mp4";
    case OSC__VCONT_MOV: return "mov";
    case OSC__VCONT_MKV: return "matroska";
    case OSC__VCONT_WEBM: return "webm";
  }
  return "mp4";
}

static void set_common(AVCodecContext *c, const osc__vcfg *cfg, const AVFormatContext *oc) {
  c->width = cfg->width;
  c->height = cfg->height;
  c->pix_fmt = AV_PIX_FMT_YUV420P;
  c->time_base = (AVRational){1, cfg->fps};
  c->framerate = (AVRational){cfg->fps, 1};
  c->gop_size = 2 * cfg->fps;
  c->thread_count = cfg->threads;
  c->color_range = AVCOL_RANGE_MPEG; /* the renderer writes BT.709 limited range */
  c->color_primaries = AVCOL_PRI_BT709;
  c->color_trc = AVCOL_TRC_BT709;
  c->colorspace = AVCOL_SPC_BT709;
  c->sample_aspect_ratio = (AVRational){1, 1};
  if (cfg->bitrate) c->bit_rate = cfg->bitrate;
  if (oc->oformat->flags & AVFMT_GLOBALHEADER) c->flags |= AV_CODEC_FLAG_GLOBAL_HEADER;
}

static int open_video(osc__venc *e) {
  const osc__vcfg *cfg = &e->cfg;
  const AVCodec *codec = NULL;
  int ret;
  if (cfg->codec == OSC__VCODEC_H264 && strcmp(cfg->encoder, "software") != 0 &&
      (strcmp(cfg->encoder, "nvenc") == 0 || atomic_load(&nvenc_state) >= 0)) {
    const AVCodec *nv = avcodec_find_encoder_by_name("h264_nvenc");
    AVCodecContext *c = nv ? avcodec_alloc_context3(nv) : NULL;
    if (c) {
      set_common(c, cfg, e->oc);
      av_opt_set(c->priv_data, "preset", "p4", 0);
      if (!cfg->bitrate) {
        av_opt_set(c->priv_data, "rc", "vbr", 0);
        av_opt_set_int(c->priv_data, "cq", cfg->crf, 0);
      }
      ret = avcodec_open2(c, nv, NULL);
      if (ret >= 0) {
        atomic_store(&nvenc_state, 1);
        e->vc = c;
        e->enc_name = "h264_nvenc";
        snprintf(e->cfg.preset, sizeof e->cfg.preset, "p4");
        return OSC_OK;
      }
      avcodec_free_context(&c);
      if (strcmp(cfg->encoder, "nvenc") == 0)
        return osc__video_averr(OSC_EUNSUPPORTED, ret, "encoder: NVENC is not available on this machine");
      if (atomic_exchange(&nvenc_state, -1) == 0)
        OSC_DEBUG("video", "NVENC is not available (no NVIDIA driver); encoding H.264 with libx264");
    } else if (strcmp(cfg->encoder, "nvenc") == 0) {
      return osc_seterr(OSC_EUNSUPPORTED, "encoder: this FFmpeg has no h264_nvenc");
    }
  }
  switch (cfg->codec) {
    case OSC__VCODEC_H264: codec = avcodec_find_encoder_by_name("libx264"); break;
    case OSC__VCODEC_VP9: codec = avcodec_find_encoder_by_name("libvpx-vp9"); break;
    case OSC__VCODEC_AV1: codec = avcodec_find_encoder_by_name("libsvtav1"); break;
  }
  if (!codec)
    return osc_seterr(OSC_EUNSUPPORTED, "codec: no %s encoder in this FFmpeg build", osc__video_codec_name(cfg->codec));
  AVCodecContext *c = avcodec_alloc_context3(codec);
  if (!c) return osc_seterr(OSC_ENOMEM, "encoder: out of memory");
  set_common(c, cfg, e->oc);
  char num[16];
  snprintf(num, sizeof num, "%d", cfg->crf);
  switch (cfg->codec) {
    case OSC__VCODEC_H264:
      av_opt_set(c->priv_data, "preset", cfg->preset, 0);
      if (!cfg->bitrate) av_opt_set(c->priv_data, "crf", num, 0);
      if (cfg->x264_params[0]) {
        /* The measured default: a 10-frame mbtree lookahead up to 720p (same PSNR as veryfast at 3/4
         * of its size); 5 frames above, which keeps 1080p under 200 MB of RSS (docs/video.md). */
        char params[160];
        snprintf(params, sizeof params, "%s:rc-lookahead=%d", cfg->x264_params,
                 (int64_t)cfg->width * cfg->height > 1280 * 720 ? 5 : 10);
        av_opt_set(c->priv_data, "x264-params", params, 0);
      }
      break;
    case OSC__VCODEC_VP9:
      av_opt_set(c->priv_data, "deadline", strcmp(cfg->preset, "good") ? "realtime" : "good", 0);
      av_opt_set_int(c->priv_data, "cpu-used", strcmp(cfg->preset, "good") ? 8 : 4, 0);
      av_opt_set_int(c->priv_data, "row-mt", 1, 0);
      av_opt_set_int(c->priv_data, "tile-columns", 2, 0);
      if (!cfg->bitrate) {
        av_opt_set_int(c->priv_data, "crf", cfg->crf, 0);
        c->bit_rate = 0;
      }
      break;
    case OSC__VCODEC_AV1:
      av_opt_set(c->priv_data, "preset", cfg->preset, 0);
      if (!cfg->bitrate) av_opt_set_int(c->priv_data, "crf", cfg->crf, 0);
      break;
  }
  ret = avcodec_open2(c, codec, NULL);
  if (ret < 0) {
    avcodec_free_context(&c);
    return osc__video_averr(OSC_EINTERNAL, ret, "encoder: cannot open %s", codec->name);
  }
  e->vc = c;
  e->enc_name = codec->name;
  return OSC_OK;
}

static int open_audio(osc__venc *e) {
  const osc__vcfg *cfg = &e->cfg;
  bool opus = cfg->container == OSC__VCONT_WEBM;
  const AVCodec *codec = opus ? avcodec_find_encoder_by_name("libopus") : avcodec_find_encoder(AV_CODEC_ID_AAC);
  if (!codec) return osc_seterr(OSC_EUNSUPPORTED, "audio: no %s encoder in this FFmpeg build", opus ? "Opus" : "AAC");
  AVCodecContext *c = avcodec_alloc_context3(codec);
  if (!c) return osc_seterr(OSC_ENOMEM, "encoder: out of memory");
  c->sample_fmt = codec->sample_fmts ? codec->sample_fmts[0] : AV_SAMPLE_FMT_FLTP;
  c->sample_rate = cfg->audio_rate;
  av_channel_layout_default(&c->ch_layout, cfg->audio_channels);
  c->bit_rate = cfg->audio_bitrate;
  c->time_base = (AVRational){1, cfg->audio_rate};
  if (e->oc->oformat->flags & AVFMT_GLOBALHEADER) c->flags |= AV_CODEC_FLAG_GLOBAL_HEADER;
  if (!opus) av_opt_set(c->priv_data, "aac_coder", "fast", 0);
  int ret = avcodec_open2(c, codec, NULL);
  if (ret < 0) {
    avcodec_free_context(&c);
    return osc__video_averr(OSC_EINTERNAL, ret, "audio: cannot open the %s encoder", codec->name);
  }
  e->ac = c;
  return OSC_OK;
}

int osc__venc_open(const osc__vcfg *cfg, const char *tmp_path, osc__venc **out) {
  osc__venc *e = calloc(1, sizeof *e);
  if (!e) return osc_seterr(OSC_ENOMEM, "encoder: out of memory");
  e->cfg = *cfg;
  osc__video_av_init();
  int rc;
  int ret = avformat_alloc_output_context2(&e->oc, NULL, format_name(cfg->container), tmp_path);
  if (ret < 0 || !e->oc) {
    rc = osc__video_averr(OSC_EINTERNAL, ret, "muxer: cannot create %s output", format_name(cfg->container));
    goto fail;
  }
  e->pkt = av_packet_alloc();
  if (!e->pkt) {
    rc = osc_seterr(OSC_ENOMEM, "encoder: out of memory");
    goto fail;
  }
  rc = open_video(e);
  if (rc) goto fail;
  e->vs = avformat_new_stream(e->oc, NULL);
  if (!e->vs) {
    rc = osc_seterr(OSC_ENOMEM, "muxer: out of memory");
    goto fail;
  }
  e->vs->time_base = e->vc->time_base;
  e->vs->avg_frame_rate = e->vc->framerate;
  avcodec_parameters_from_context(e->vs->codecpar, e->vc);
  if (cfg->audio) {
    rc = open_audio(e);
    if (rc) goto fail;
    e->as = avformat_new_stream(e->oc, NULL);
    if (!e->as) {
      rc = osc_seterr(OSC_ENOMEM, "muxer: out of memory");
      goto fail;
    }
    e->as->time_base = e->ac->time_base;
    avcodec_parameters_from_context(e->as->codecpar, e->ac);
  }
  ret = avio_open(&e->oc->pb, tmp_path, AVIO_FLAG_WRITE);
  if (ret < 0) {
    rc = osc__video_averr(OSC_EIO, ret, "output_path: cannot open '%s'", tmp_path);
    goto fail;
  }
  e->opened_io = true;
  AVDictionary *opts = NULL;
  if ((cfg->container == OSC__VCONT_MP4 || cfg->container == OSC__VCONT_MOV) && cfg->faststart)
    av_dict_set(&opts, "movflags", "+faststart", 0);
  av_dict_set(&e->oc->metadata, "encoder", "oscontent " OSC_VERSION_STRING, 0);
  e->oc->flags |= AVFMT_FLAG_BITEXACT; /* same input, same bytes */
  ret = avformat_write_header(e->oc, &opts);
  av_dict_free(&opts);
  if (ret < 0) {
    rc = osc__video_averr(OSC_EIO, ret, "muxer: cannot write the header");
    goto fail;
  }
  *out = e;
  return OSC_OK;
fail:
  osc__venc_close(e);
  return rc;
}

const char *osc__venc_encoder_name(const osc__venc *e) { return e->enc_name; }
const char *osc__venc_preset(const osc__venc *e) { return e->cfg.preset; }

static int keep_audio_packet(osc__venc *e, AVPacket *p) {
  if (e->napk == e->capk) {
    size_t cap = e->capk ? e->capk * 2 : 256;
    AVPacket **v = realloc(e->apk, cap * sizeof *v);
    if (!v) return osc_seterr(OSC_ENOMEM, "audio: out of memory");
    e->apk = v;
    e->capk = cap;
  }
  AVPacket *c = av_packet_clone(p);
  if (!c) return osc_seterr(OSC_ENOMEM, "audio: out of memory");
  av_packet_rescale_ts(c, e->ac->time_base, e->as->time_base);
  c->stream_index = e->as->index;
  e->apk[e->napk++] = c;
  return OSC_OK;
}

static int audio_send(osc__venc *e, AVFrame *f, AVPacket *p) {
  int ret = avcodec_send_frame(e->ac, f);
  if (ret < 0) return osc__video_averr(OSC_EINTERNAL, ret, "audio: encoding failed");
  for (;;) {
    ret = avcodec_receive_packet(e->ac, p);
    if (ret == AVERROR(EAGAIN) || ret == AVERROR_EOF) return OSC_OK;
    if (ret < 0) return osc__video_averr(OSC_EINTERNAL, ret, "audio: encoding failed");
    int rc = keep_audio_packet(e, p);
    av_packet_unref(p);
    if (rc) return rc;
  }
}

int osc__venc_encode_audio(osc__venc *e, const int16_t *pcm, size_t n, int rate) {
  if (!e->ac) return OSC_OK;
  AVCodecContext *c = e->ac;
  const int64_t total = (int64_t)llround((double)e->cfg.frames / e->cfg.fps * c->sample_rate);
  const int fsz = c->frame_size > 0 ? c->frame_size : 1024;
  SwrContext *swr = NULL;
  AVAudioFifo *fifo = av_audio_fifo_alloc(c->sample_fmt, c->ch_layout.nb_channels, fsz * 4);
  AVFrame *f = av_frame_alloc();
  AVPacket *p = av_packet_alloc();
  uint8_t **conv = NULL;
  int conv_cap = 0, rc = OSC_OK;
  int64_t produced = 0, sent = 0;
  AVChannelLayout mono = AV_CHANNEL_LAYOUT_MONO;
  if (!fifo || !f || !p) {
    rc = osc_seterr(OSC_ENOMEM, "audio: out of memory");
    goto out;
  }
  int ret = swr_alloc_set_opts2(&swr, &c->ch_layout, c->sample_fmt, c->sample_rate, &mono, AV_SAMPLE_FMT_S16, rate, 0,
                                NULL);
  if (ret < 0 || (ret = swr_init(swr)) < 0) {
    rc = osc__video_averr(OSC_EINTERNAL, ret, "audio: cannot set up the resampler");
    goto out;
  }
  conv_cap = (int)av_rescale_rnd(4096, c->sample_rate, rate, AV_ROUND_UP) + 256;
  if (av_samples_alloc_array_and_samples(&conv, NULL, c->ch_layout.nb_channels, conv_cap, c->sample_fmt, 0) < 0) {
    rc = osc_seterr(OSC_ENOMEM, "audio: out of memory");
    goto out;
  }
  size_t pos = 0;
  bool flushed = false;
  while (sent < total) {
    /* Fill the FIFO with at least one frame of resampled audio (or silence past the end). */
    while (av_audio_fifo_size(fifo) < fsz && produced < total) {
      int got;
      if (pcm && pos < n) {
        size_t chunk = n - pos < 4096 ? n - pos : 4096;
        const uint8_t *in[1] = {(const uint8_t *)(pcm + pos)};
        got = swr_convert(swr, conv, conv_cap, in, (int)chunk);
        pos += chunk;
      } else if (!flushed && pcm) {
        got = swr_convert(swr, conv, conv_cap, NULL, 0);
        flushed = true;
      } else {
        got = (int)(total - produced < fsz ? total - produced : fsz);
        av_samples_set_silence(conv, 0, got, c->ch_layout.nb_channels, c->sample_fmt);
      }
      if (got < 0) {
        rc = osc__video_averr(OSC_EINTERNAL, got, "audio: resampling failed");
        goto out;
      }
      if (produced + got > total) got = (int)(total - produced);
      if (got > 0 && av_audio_fifo_write(fifo, (void **)conv, got) < got) {
        rc = osc_seterr(OSC_ENOMEM, "audio: out of memory");
        goto out;
      }
      produced += got;
    }
    int nb = av_audio_fifo_size(fifo);
    if (nb > fsz) nb = fsz;
    if (nb <= 0) break;
    av_frame_unref(f);
    f->nb_samples = nb;
    f->format = c->sample_fmt;
    f->sample_rate = c->sample_rate;
    av_channel_layout_copy(&f->ch_layout, &c->ch_layout);
    if (av_frame_get_buffer(f, 0) < 0) {
      rc = osc_seterr(OSC_ENOMEM, "audio: out of memory");
      goto out;
    }
    av_audio_fifo_read(fifo, (void **)f->data, nb);
    if (nb < fsz && !(e->ac->codec->capabilities & AV_CODEC_CAP_SMALL_LAST_FRAME)) {
      /* Pad the last frame: the stream then runs at most one audio frame (< 1 video frame) long. */
      AVFrame *g = av_frame_alloc();
      if (!g) {
        rc = osc_seterr(OSC_ENOMEM, "audio: out of memory");
        goto out;
      }
      g->nb_samples = fsz;
      g->format = c->sample_fmt;
      g->sample_rate = c->sample_rate;
      av_channel_layout_copy(&g->ch_layout, &c->ch_layout);
      if (av_frame_get_buffer(g, 0) < 0) {
        av_frame_free(&g);
        rc = osc_seterr(OSC_ENOMEM, "audio: out of memory");
        goto out;
      }
      av_samples_set_silence(g->data, 0, fsz, c->ch_layout.nb_channels, c->sample_fmt);
      av_samples_copy(g->data, f->data, 0, 0, nb, c->ch_layout.nb_channels, c->sample_fmt);
      av_frame_free(&f);
      f = g;
    }
    f->pts = sent;
    sent += nb;
    rc = audio_send(e, f, p);
    if (rc) goto out;
  }
  rc = audio_send(e, NULL, p);
out:
  if (conv) av_freep(&conv[0]);
  av_freep(&conv);
  swr_free(&swr);
  if (fifo) av_audio_fifo_free(fifo);
  av_frame_free(&f);
  av_packet_free(&p);
  return rc;
}

void osc__venc_audio_ready(osc__venc *e) { e->audio_ready = true; }

void osc__venc_audio_params(const osc__venc *e, int *sample_fmt, int *rate, int *channels, int *frame_size) {
  *sample_fmt = e->ac->sample_fmt;
  *rate = e->ac->sample_rate;
  *channels = e->ac->ch_layout.nb_channels;
  *frame_size = e->ac->frame_size > 0 ? e->ac->frame_size : 1024;
}

static int write_audio(osc__venc *e);

int osc__venc_audio_frame(osc__venc *e, struct AVFrame *f) {
  int ret = avcodec_send_frame(e->ac, f);
  if (ret < 0) return osc__video_averr(OSC_EINTERNAL, ret, "audio: encoding failed");
  for (;;) {
    ret = avcodec_receive_packet(e->ac, e->pkt);
    if (ret == AVERROR(EAGAIN) || ret == AVERROR_EOF) return OSC_OK;
    if (ret < 0) return osc__video_averr(OSC_EINTERNAL, ret, "audio: encoding failed");
    av_packet_rescale_ts(e->pkt, e->ac->time_base, e->as->time_base);
    e->pkt->stream_index = e->as->index;
    ret = av_interleaved_write_frame(e->oc, e->pkt);
    if (ret < 0) return osc__video_averr(OSC_EIO, ret, "muxer: cannot write audio");
  }
}

static int write_audio(osc__venc *e) {
  if (e->audio_written || !e->audio_ready) return OSC_OK;
  e->audio_written = true;
  for (size_t i = 0; i < e->napk; i++) {
    int ret = av_interleaved_write_frame(e->oc, e->apk[i]); /* takes the packet's reference */
    av_packet_free(&e->apk[i]);
    if (ret < 0) return osc__video_averr(OSC_EIO, ret, "muxer: cannot write audio");
  }
  e->napk = 0;
  return OSC_OK;
}

static int drain_video(osc__venc *e) {
  for (;;) {
    int ret = avcodec_receive_packet(e->vc, e->pkt);
    if (ret == AVERROR(EAGAIN) || ret == AVERROR_EOF) return OSC_OK;
    if (ret < 0) return osc__video_averr(OSC_EINTERNAL, ret, "encoder: %s failed", e->enc_name);
    int rc = write_audio(e);
    if (rc) return rc;
    av_packet_rescale_ts(e->pkt, e->vc->time_base, e->vs->time_base);
    e->pkt->stream_index = e->vs->index;
    ret = av_interleaved_write_frame(e->oc, e->pkt);
    if (ret < 0) return osc__video_averr(OSC_EIO, ret, "muxer: cannot write video");
  }
}

int osc__venc_video(osc__venc *e, struct AVFrame *frame) {
  int ret = avcodec_send_frame(e->vc, frame);
  if (ret < 0) return osc__video_averr(OSC_EINTERNAL, ret, "encoder: %s rejected a frame", e->enc_name);
  return drain_video(e);
}

int osc__venc_finish(osc__venc *e) {
  int ret = avcodec_send_frame(e->vc, NULL);
  if (ret < 0) return osc__video_averr(OSC_EINTERNAL, ret, "encoder: flush failed");
  int rc = drain_video(e);
  if (rc) return rc;
  rc = write_audio(e);
  if (rc) return rc;
  ret = av_write_trailer(e->oc);
  if (ret < 0) return osc__video_averr(OSC_EIO, ret, "muxer: cannot write the trailer");
  ret = avio_closep(&e->oc->pb);
  e->opened_io = false;
  if (ret < 0) return osc__video_averr(OSC_EIO, ret, "muxer: cannot close the output");
  return OSC_OK;
}

void osc__venc_close(osc__venc *e) {
  if (!e) return;
  for (size_t i = 0; i < e->napk; i++) av_packet_free(&e->apk[i]);
  free(e->apk);
  avcodec_free_context(&e->vc);
  avcodec_free_context(&e->ac);
  av_packet_free(&e->pkt);
  if (e->oc) {
    if (e->opened_io) avio_closep(&e->oc->pb);
    avformat_free_context(e->oc);
  }
  free(e);
}
