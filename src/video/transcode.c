/*
 * video/transcode.c - osc_video_transcode: compress or convert an existing
 * video (codec, CRF or bit rate, size, fps) with libavcodec + libavfilter.
 *
 * Video: decoder -> buffer -> scale (aspect kept, even sizes) -> fps ->
 * format=yuv420p -> buffersink -> the same encoder/muxer as
 * osc_video_create.  Audio (when present and wanted): decoder -> abuffer ->
 * aformat (the encoder's sample format, rate, layout) -> asetnsamples (the
 * encoder's frame size) -> encoder.  Output goes to a temp file renamed at
 * the end, as for osc_video_create.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <libavcodec/avcodec.h>
#include <libavfilter/avfilter.h>
#include <libavfilter/buffersink.h>
#include <libavfilter/buffersrc.h>
#include <libavformat/avformat.h>
#include <libavutil/channel_layout.h>
#include <libavutil/opt.h>

#include "core/clock.h"
#include "core/util.h"
#include "oscontent/error.h"
#include "video/video_internal.h"

typedef struct chain {
  int si;
  AVCodecContext *dec;
  AVFilterGraph *g;
  AVFilterContext *src, *sink;
} chain;

static void chain_free(chain *c) {
  avfilter_graph_free(&c->g);
  avcodec_free_context(&c->dec);
}

static int open_decoder(AVFormatContext *ic, int si, chain *c) {
  AVStream *s = ic->streams[si];
  const AVCodec *dec = avcodec_find_decoder(s->codecpar->codec_id);
  if (!dec) return osc_seterr(OSC_EMEDIA, "input: no decoder for %s", avcodec_get_name(s->codecpar->codec_id));
  c->dec = avcodec_alloc_context3(dec);
  if (!c->dec) return osc_seterr(OSC_ENOMEM, "transcode: out of memory");
  avcodec_parameters_to_context(c->dec, s->codecpar);
  c->dec->pkt_timebase = s->time_base;
  c->dec->thread_count = 0;
  int ret = avcodec_open2(c->dec, dec, NULL);
  if (ret < 0) return osc__video_averr(OSC_EMEDIA, ret, "input: cannot open the %s decoder", dec->name);
  c->si = si;
  return OSC_OK;
}

static int build_graph(chain *c, const char *src_name, const char *src_args, const char *desc) {
  c->g = avfilter_graph_alloc();
  if (!c->g) return osc_seterr(OSC_ENOMEM, "transcode: out of memory");
  c->g->nb_threads = 1;
  bool video = !strcmp(src_name, "buffer");
  int ret = avfilter_graph_create_filter(&c->src, avfilter_get_by_name(src_name), "in", src_args, NULL, c->g);
  if (ret >= 0)
    ret = avfilter_graph_create_filter(&c->sink, avfilter_get_by_name(video ? "buffersink" : "abuffersink"), "out",
                                       NULL, NULL, c->g);
  if (ret < 0) return osc__video_averr(OSC_EINTERNAL, ret, "transcode: cannot create the filters");
  AVFilterInOut *outs = avfilter_inout_alloc(), *ins = avfilter_inout_alloc();
  if (!outs || !ins) {
    avfilter_inout_free(&outs);
    avfilter_inout_free(&ins);
    return osc_seterr(OSC_ENOMEM, "transcode: out of memory");
  }
  outs->name = av_strdup("in");
  outs->filter_ctx = c->src;
  ins->name = av_strdup("out");
  ins->filter_ctx = c->sink;
  ret = avfilter_graph_parse_ptr(c->g, desc, &ins, &outs, NULL);
  avfilter_inout_free(&outs);
  avfilter_inout_free(&ins);
  if (ret >= 0) ret = avfilter_graph_config(c->g, NULL);
  if (ret < 0) return osc__video_averr(OSC_EINTERNAL, ret, "transcode: cannot set up '%s'", desc);
  return OSC_OK;
}

typedef struct tctx {
  osc__venc *enc;
  chain v, a;
  bool has_audio;
  AVFrame *f;
  int fps;
  int64_t vframes, total;
  const osc_video_callbacks *cb;
  uint64_t t0;
} tctx;

static int pull(tctx *t, bool video) {
  chain *c = video ? &t->v : &t->a;
  for (;;) {
    av_frame_unref(t->f);
    int ret = av_buffersink_get_frame(c->sink, t->f);
    if (ret == AVERROR(EAGAIN) || ret == AVERROR_EOF) return OSC_OK;
    if (ret < 0) return osc__video_averr(OSC_EINTERNAL, ret, "transcode: filtering failed");
    int rc;
    if (video) {
      t->f->pts = t->vframes++;
      t->f->pict_type = AV_PICTURE_TYPE_NONE;
      rc = osc__venc_video(t->enc, t->f);
      if (!rc && t->cb && t->cb->progress) {
        osc_video_progress p = {OSC_VIDEO_STAGE_TRANSCODE, t->vframes, t->total, (double)(osc_now_ns() - t->t0) / 1e9};
        if (t->cb->progress(t->cb->ud, &p)) rc = osc_seterr(OSC_ECANCELED, "transcode: cancelled");
      }
    } else {
      t->f->pts = av_rescale_q(t->f->pts, av_buffersink_get_time_base(c->sink),
                               (AVRational){1, av_buffersink_get_sample_rate(c->sink)});
      rc = osc__venc_audio_frame(t->enc, t->f);
    }
    if (rc) return rc;
  }
}

static int decode(tctx *t, bool video, const AVPacket *pkt) {
  chain *c = video ? &t->v : &t->a;
  int ret = avcodec_send_packet(c->dec, pkt);
  if (ret < 0 && ret != AVERROR_EOF) return OSC_OK; /* a damaged packet: skip it */
  for (;;) {
    av_frame_unref(t->f);
    ret = avcodec_receive_frame(c->dec, t->f);
    if (ret == AVERROR(EAGAIN)) return OSC_OK;
    if (ret == AVERROR_EOF) break;
    if (ret < 0) return OSC_OK;
    t->f->pts = t->f->best_effort_timestamp;
    ret = av_buffersrc_add_frame_flags(c->src, t->f, AV_BUFFERSRC_FLAG_KEEP_REF);
    if (ret < 0) return osc__video_averr(OSC_EINTERNAL, ret, "transcode: filtering failed");
    int rc = pull(t, video);
    if (rc) return rc;
  }
  ret = av_buffersrc_add_frame(c->src, NULL);
  if (ret < 0 && ret != AVERROR_EOF) return osc__video_averr(OSC_EINTERNAL, ret, "transcode: filtering failed");
  return pull(t, video);
}

int osc_video_transcode(const char *in_path, const char *out_path, const osc_video_transcode_options *o,
                        const osc_video_callbacks *cb) {
  static const osc_video_transcode_options zero;
  if (!o) o = &zero;
  if (!out_path || !*out_path) return osc_seterr(OSC_EINVAL, "output_path: field required");
  osc__vcfg cfg;
  memset(&cfg, 0, sizeof cfg);
  osc__vcodec codec;
  int rc = osc__video_codec_parse(o->codec, "codec", &codec);
  if (rc) return rc;
  rc = osc__video_resolve_codec(codec, o->preset, o->crf, o->bitrate, &cfg);
  if (rc) return rc;
  rc = osc__video_container_for(out_path, codec, &cfg.container);
  if (rc) return rc;
  if (o->width && (o->width < OSC_VIDEO_MIN_DIM || o->width > OSC_VIDEO_MAX_WIDTH || (o->width & 1)))
    return osc_seterr(OSC_EINVAL, "width: %d must be even and within %d..%d", o->width, OSC_VIDEO_MIN_DIM,
                      OSC_VIDEO_MAX_WIDTH);
  if (o->height && (o->height < OSC_VIDEO_MIN_DIM || o->height > OSC_VIDEO_MAX_HEIGHT || (o->height & 1)))
    return osc_seterr(OSC_EINVAL, "height: %d must be even and within %d..%d", o->height, OSC_VIDEO_MIN_DIM,
                      OSC_VIDEO_MAX_HEIGHT);
  if (o->fps && (o->fps < OSC_VIDEO_MIN_FPS || o->fps > OSC_VIDEO_MAX_FPS))
    return osc_seterr(OSC_EINVAL, "fps: %d is outside %d..%d", o->fps, OSC_VIDEO_MIN_FPS, OSC_VIDEO_MAX_FPS);
  if (o->threads < 0 || o->threads > 64) return osc_seterr(OSC_EINVAL, "threads: %d is outside 0..64", o->threads);

  AVFormatContext *ic = NULL;
  rc = osc__video_open_input(in_path, &ic);
  if (rc) return rc;
  tctx t;
  memset(&t, 0, sizeof t);
  t.cb = cb;
  t.t0 = osc_now_ns();
  char *tmp = NULL;
  AVPacket *pkt = av_packet_alloc();
  t.f = av_frame_alloc();
  if (!pkt || !t.f) {
    rc = osc_seterr(OSC_ENOMEM, "transcode: out of memory");
    goto out;
  }
  int vs = av_find_best_stream(ic, AVMEDIA_TYPE_VIDEO, -1, -1, NULL, 0);
  if (vs < 0) {
    rc = osc_seterr(OSC_EMEDIA, "input: '%s' has no video stream", in_path);
    goto out;
  }
  int as = o->no_audio ? -1 : av_find_best_stream(ic, AVMEDIA_TYPE_AUDIO, -1, vs, NULL, 0);
  rc = open_decoder(ic, vs, &t.v);
  if (rc) goto out;
  AVStream *ist = ic->streams[vs];
  AVRational ifr = ist->avg_frame_rate.num ? ist->avg_frame_rate : ist->r_frame_rate;
  t.fps = o->fps ? o->fps : (ifr.den ? (int)lround(av_q2d(ifr)) : 30);
  if (t.fps < 1) t.fps = 30;
  if (t.fps > 120) t.fps = 120;
  char args[512], desc[256];
  snprintf(args, sizeof args, "video_size=%dx%d:pix_fmt=%d:time_base=%d/%d:pixel_aspect=%d/%d", t.v.dec->width,
           t.v.dec->height, t.v.dec->pix_fmt, ist->time_base.num, ist->time_base.den,
           t.v.dec->sample_aspect_ratio.num ? t.v.dec->sample_aspect_ratio.num : 1,
           t.v.dec->sample_aspect_ratio.den ? t.v.dec->sample_aspect_ratio.den : 1);
  char wexpr[32], hexpr[32];
  if (!o->width && !o->height) {
    snprintf(wexpr, sizeof wexpr, "trunc(iw/2)*2");
    snprintf(hexpr, sizeof hexpr, "trunc(ih/2)*2");
  } else {
    snprintf(wexpr, sizeof wexpr, "%d", o->width ? o->width : -2);
    snprintf(hexpr, sizeof hexpr, "%d", o->height ? o->height : -2);
  }
  snprintf(desc, sizeof desc, "scale=%s:%s:flags=bicubic,fps=%d,format=yuv420p,setsar=1", wexpr, hexpr, t.fps);
  rc = build_graph(&t.v, "buffer", args, desc);
  if (rc) goto out;
  cfg.width = av_buffersink_get_w(t.v.sink);
  cfg.height = av_buffersink_get_h(t.v.sink);
  cfg.fps = t.fps;
  double dur = ic->duration != AV_NOPTS_VALUE ? (double)ic->duration / AV_TIME_BASE : 0;
  t.total = (int64_t)llround(dur * t.fps);
  cfg.frames = t.total;
  cfg.duration_s = dur;
  cfg.threads = o->threads ? o->threads : osc_cpu_count();
  cfg.faststart = !o->no_faststart;
  snprintf(cfg.encoder, sizeof cfg.encoder, "software");
  cfg.audio = as >= 0;
  cfg.audio_channels = 2;
  cfg.audio_bitrate = 128000;
  cfg.audio_rate = cfg.container == OSC__VCONT_WEBM ? 48000 : 44100;
  if (cfg.audio) {
    rc = open_decoder(ic, as, &t.a);
    if (rc) goto out;
    cfg.audio_channels = t.a.dec->ch_layout.nb_channels >= 2 ? 2 : 1;
  }
  rc = osc__video_tmp_for(out_path, &tmp);
  if (rc) goto out;
  rc = osc__venc_open(&cfg, tmp, &t.enc);
  if (rc) goto out;
  if (cfg.audio) {
    osc__venc_audio_ready(t.enc);
    int sfmt, rate, ch, fsz;
    osc__venc_audio_params(t.enc, &sfmt, &rate, &ch, &fsz);
    char layout[64] = "mono";
    av_channel_layout_describe(&t.a.dec->ch_layout, layout, sizeof layout);
    if (t.a.dec->ch_layout.order == AV_CHANNEL_ORDER_UNSPEC) snprintf(layout, sizeof layout, "%s", ch == 1 ? "mono" : "stereo");
    snprintf(args, sizeof args, "time_base=1/%d:sample_rate=%d:sample_fmt=%s:channel_layout=%s", t.a.dec->sample_rate,
             t.a.dec->sample_rate, av_get_sample_fmt_name(t.a.dec->sample_fmt), layout);
    snprintf(desc, sizeof desc, "aformat=sample_fmts=%s:sample_rates=%d:channel_layouts=%s,asetnsamples=n=%d:p=0",
             av_get_sample_fmt_name(sfmt), rate, ch == 1 ? "mono" : "stereo", fsz);
    rc = build_graph(&t.a, "abuffer", args, desc);
    if (rc) goto out;
    t.has_audio = true;
  }
  for (;;) {
    int ret = av_read_frame(ic, pkt);
    if (ret < 0) break;
    if (pkt->stream_index == vs) {
      int r = avcodec_send_packet(t.v.dec, pkt);
      av_packet_unref(pkt);
      if (r < 0) continue;
      for (;;) {
        av_frame_unref(t.f);
        r = avcodec_receive_frame(t.v.dec, t.f);
        if (r < 0) break;
        t.f->pts = t.f->best_effort_timestamp;
        if (av_buffersrc_add_frame_flags(t.v.src, t.f, AV_BUFFERSRC_FLAG_KEEP_REF) < 0) break;
        rc = pull(&t, true);
        if (rc) goto out;
      }
    } else if (t.has_audio && pkt->stream_index == as) {
      int r = avcodec_send_packet(t.a.dec, pkt);
      av_packet_unref(pkt);
      if (r < 0) continue;
      for (;;) {
        av_frame_unref(t.f);
        r = avcodec_receive_frame(t.a.dec, t.f);
        if (r < 0) break;
        t.f->pts = t.f->best_effort_timestamp;
        if (av_buffersrc_add_frame_flags(t.a.src, t.f, AV_BUFFERSRC_FLAG_KEEP_REF) < 0) break;
        rc = pull(&t, false);
        if (rc) goto out;
      }
    } else {
      av_packet_unref(pkt);
    }
  }
  rc = decode(&t, true, NULL);
  if (rc) goto out;
  if (t.has_audio) {
    rc = decode(&t, false, NULL);
    if (rc) goto out;
    rc = osc__venc_audio_frame(t.enc, NULL);
    if (rc) goto out;
  }
  if (t.vframes == 0) {
    rc = osc_seterr(OSC_EMEDIA, "input: no video frame could be decoded from '%s'", in_path);
    goto out;
  }
  rc = osc__venc_finish(t.enc);
  if (rc) goto out;
  if (rename(tmp, out_path) != 0) rc = osc_seterr(OSC_EIO, "output_path: cannot rename to '%s'", out_path);
out:
  osc__venc_close(t.enc);
  chain_free(&t.v);
  chain_free(&t.a);
  av_frame_free(&t.f);
  av_packet_free(&pkt);
  avformat_close_input(&ic);
  if (rc && tmp) unlink(tmp);
  free(tmp);
  return rc;
}
