/*
 * video/probe.c - osc_video_probe: container and streams of a media file as
 * JSON (libavformat; the same facts ffprobe prints).
 */
#include <errno.h>
#include <string.h>
#include <sys/stat.h>

#include <libavcodec/avcodec.h>
#include <libavformat/avformat.h>
#include <libavutil/pixdesc.h>

#include "core/json.h"
#include "oscontent/error.h"
#include "video/video_internal.h"

int osc__video_open_input(const char *path, AVFormatContext **out) {
  struct stat sb;
  if (!path || !*path) return osc_seterr(OSC_EINVAL, "input: path required");
  if (stat(path, &sb) != 0) return osc_seterr(OSC_ENOENT, "input: '%s' does not exist", path);
  if (!S_ISREG(sb.st_mode)) return osc_seterr(OSC_EINVAL, "input: '%s' is not a regular file", path);
  AVFormatContext *ic = NULL;
  osc__video_av_init();
  int ret = avformat_open_input(&ic, path, NULL, NULL);
  if (ret < 0) {
    if (ret == AVERROR(EACCES)) return osc_seterr(OSC_EPERM, "input: cannot read '%s'", path);
    return osc__video_averr(OSC_EMEDIA, ret, "input: '%s' is not a media file libavformat can read", path);
  }
  ret = avformat_find_stream_info(ic, NULL);
  if (ret < 0) {
    avformat_close_input(&ic);
    return osc__video_averr(OSC_EMEDIA, ret, "input: cannot read the streams of '%s'", path);
  }
  *out = ic;
  return OSC_OK;
}

static double ts_s(int64_t ts, AVRational tb) { return ts == AV_NOPTS_VALUE ? -1 : (double)ts * av_q2d(tb); }

int osc_video_probe(const char *path, char **json_out) {
  AVFormatContext *ic = NULL;
  int rc = osc__video_open_input(path, &ic);
  if (rc) return rc;
  struct stat sb;
  stat(path, &sb);
  json_t *o = json_object();
  json_t *streams = json_array();
  json_object_set_new(o, "path", json_string(path));
  json_object_set_new(o, "format", json_string(ic->iformat->name));
  json_object_set_new(o, "duration_s", json_real(ic->duration == AV_NOPTS_VALUE ? -1 : (double)ic->duration / AV_TIME_BASE));
  json_object_set_new(o, "size_bytes", json_integer((json_int_t)sb.st_size));
  json_object_set_new(o, "bit_rate", json_integer((json_int_t)ic->bit_rate));
  for (unsigned i = 0; i < ic->nb_streams; i++) {
    AVStream *s = ic->streams[i];
    AVCodecParameters *p = s->codecpar;
    json_t *j = json_object();
    json_object_set_new(j, "index", json_integer(i));
    json_object_set_new(j, "type", json_string(av_get_media_type_string(p->codec_type) ? av_get_media_type_string(p->codec_type) : "unknown"));
    json_object_set_new(j, "codec", json_string(avcodec_get_name(p->codec_id)));
    json_object_set_new(j, "bit_rate", json_integer((json_int_t)p->bit_rate));
    json_object_set_new(j, "duration_s", json_real(ts_s(s->duration, s->time_base)));
    json_object_set_new(j, "frames", json_integer((json_int_t)s->nb_frames));
    if (p->codec_type == AVMEDIA_TYPE_VIDEO) {
      json_object_set_new(j, "width", json_integer(p->width));
      json_object_set_new(j, "height", json_integer(p->height));
      AVRational fr = s->avg_frame_rate.num ? s->avg_frame_rate : s->r_frame_rate;
      json_object_set_new(j, "fps", json_real(fr.den ? av_q2d(fr) : 0));
      const char *pf = av_get_pix_fmt_name((enum AVPixelFormat)p->format);
      json_object_set_new(j, "pix_fmt", json_string(pf ? pf : "unknown"));
    } else if (p->codec_type == AVMEDIA_TYPE_AUDIO) {
      json_object_set_new(j, "sample_rate", json_integer(p->sample_rate));
      json_object_set_new(j, "channels", json_integer(p->ch_layout.nb_channels));
    }
    json_array_append_new(streams, j);
  }
  json_object_set_new(o, "streams", streams);
  avformat_close_input(&ic);
  *json_out = osc_json_dump(o);
  json_decref(o);
  return *json_out ? OSC_OK : osc_seterr(OSC_ENOMEM, "probe: out of memory");
}
