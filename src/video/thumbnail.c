/*
 * video/thumbnail.c - osc_video_thumbnail: a poster frame as PNG.
 *
 * Seeks to the key frame before the wanted time, decodes up to the first
 * frame at or after it, converts to RGB24 with swscale (scaled, aspect
 * kept) and encodes it with libavcodec's PNG encoder; the file is written
 * atomically (temp + rename).
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <libavcodec/avcodec.h>
#include <libavformat/avformat.h>
#include <libswscale/swscale.h>

#include "core/util.h"
#include "oscontent/error.h"
#include "video/video_internal.h"

static int encode_png(const AVFrame *rgb, const char *path) {
  const AVCodec *pc = avcodec_find_encoder(AV_CODEC_ID_PNG);
  if (!pc) return osc_seterr(OSC_EUNSUPPORTED, "thumbnail: no PNG encoder in this FFmpeg build");
  AVCodecContext *c = avcodec_alloc_context3(pc);
  AVPacket *pkt = av_packet_alloc();
  int rc = OSC_OK;
  if (!c || !pkt) {
    rc = osc_seterr(OSC_ENOMEM, "thumbnail: out of memory");
    goto out;
  }
  c->width = rgb->width;
  c->height = rgb->height;
  c->pix_fmt = AV_PIX_FMT_RGB24;
  c->time_base = (AVRational){1, 1};
  int ret = avcodec_open2(c, pc, NULL);
  if (ret < 0 || (ret = avcodec_send_frame(c, rgb)) < 0 || (ret = avcodec_receive_packet(c, pkt)) < 0) {
    rc = osc__video_averr(OSC_EINTERNAL, ret, "thumbnail: PNG encoding failed");
    goto out;
  }
  rc = osc_write_file_atomic(path, pkt->data, (size_t)pkt->size);
out:
  av_packet_free(&pkt);
  avcodec_free_context(&c);
  return rc;
}

int osc_video_thumbnail(const char *in_path, const char *png_path, double at_s, int width) {
  if (!png_path || !*png_path) return osc_seterr(OSC_EINVAL, "output: path required");
  if (!osc_str_has_suffix(png_path, ".png") && !osc_str_has_suffix(png_path, ".PNG"))
    return osc_seterr(OSC_EINVAL, "output: '%s' must end in .png", png_path);
  if (width != 0 && (width < 16 || width > 7680)) return osc_seterr(OSC_EINVAL, "width: %d is outside 16..7680", width);
  if (!isfinite(at_s)) return osc_seterr(OSC_EINVAL, "at: not a number");
  AVFormatContext *ic = NULL;
  int rc = osc__video_open_input(in_path, &ic);
  if (rc) return rc;
  AVCodecContext *dc = NULL;
  AVFrame *f = av_frame_alloc(), *rgb = av_frame_alloc();
  AVPacket *pkt = av_packet_alloc();
  struct SwsContext *sws = NULL;
  if (!f || !rgb || !pkt) {
    rc = osc_seterr(OSC_ENOMEM, "thumbnail: out of memory");
    goto out;
  }
  const AVCodec *dec = NULL;
  int si = av_find_best_stream(ic, AVMEDIA_TYPE_VIDEO, -1, -1, &dec, 0);
  if (si < 0 || !dec) {
    rc = osc_seterr(OSC_EMEDIA, "input: '%s' has no video stream", in_path);
    goto out;
  }
  AVStream *s = ic->streams[si];
  dc = avcodec_alloc_context3(dec);
  if (!dc || avcodec_parameters_to_context(dc, s->codecpar) < 0) {
    rc = osc_seterr(OSC_ENOMEM, "thumbnail: out of memory");
    goto out;
  }
  int ret = avcodec_open2(dc, dec, NULL);
  if (ret < 0) {
    rc = osc__video_averr(OSC_EMEDIA, ret, "input: cannot decode %s", dec->name);
    goto out;
  }
  double dur = ic->duration != AV_NOPTS_VALUE ? (double)ic->duration / AV_TIME_BASE : 0;
  if (at_s < 0) at_s = dur / 3;
  if (dur > 0 && at_s > dur) {
    rc = osc_seterr(OSC_EINVAL, "at: %.3f s is past the end (%.3f s)", at_s, dur);
    goto out;
  }
  int64_t target = (int64_t)(at_s / av_q2d(s->time_base));
  if (at_s > 0) av_seek_frame(ic, si, target, AVSEEK_FLAG_BACKWARD);
  bool got = false, eof = false;
  while (!got) {
    if (!eof) {
      ret = av_read_frame(ic, pkt);
      if (ret < 0) {
        eof = true;
        avcodec_send_packet(dc, NULL);
      } else {
        if (pkt->stream_index == si) avcodec_send_packet(dc, pkt);
        av_packet_unref(pkt);
      }
    }
    for (;;) {
      av_frame_unref(f);
      ret = avcodec_receive_frame(dc, f);
      if (ret < 0) break;
      int64_t pts = f->best_effort_timestamp;
      if (pts == AV_NOPTS_VALUE || pts >= target || at_s <= 0) {
        got = true;
        break;
      }
    }
    if (got) break;
    if (eof && ret == AVERROR_EOF) break;
  }
  if (!got) {
    rc = osc_seterr(OSC_EMEDIA, "input: no frame could be decoded from '%s'", in_path);
    goto out;
  }
  int ow = width ? width : f->width;
  int oh = (int)lround((double)f->height * ow / f->width);
  if (oh < 2) oh = 2;
  rgb->format = AV_PIX_FMT_RGB24;
  rgb->width = ow;
  rgb->height = oh;
  if (av_frame_get_buffer(rgb, 0) < 0) {
    rc = osc_seterr(OSC_ENOMEM, "thumbnail: out of memory");
    goto out;
  }
  sws = sws_getContext(f->width, f->height, (enum AVPixelFormat)f->format, ow, oh, AV_PIX_FMT_RGB24, SWS_BICUBIC, NULL,
                       NULL, NULL);
  if (!sws) {
    rc = osc_seterr(OSC_EMEDIA, "thumbnail: cannot convert the pixel format");
    goto out;
  }
  sws_scale(sws, (const uint8_t *const *)f->data, f->linesize, 0, f->height, rgb->data, rgb->linesize);
  rc = encode_png(rgb, png_path);
out:
  sws_freeContext(sws);
  av_packet_free(&pkt);
  av_frame_free(&f);
  av_frame_free(&rgb);
  avcodec_free_context(&dc);
  avformat_close_input(&ic);
  return rc;
}
