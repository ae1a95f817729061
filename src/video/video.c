/*
 * video/video.c - options of the video pipeline: defaults, validation (every
 * error names its field), settings, results; small helpers shared by the
 * pipeline files (temp output files, peak RSS, libav errors).
 *
 * Presets: the H.264 default was chosen by measurement (docs/video.md): the
 * procedural frames are smooth and slowly moving, so x264 "ultrafast" with
 * CABAC, deblocking, 8x8 transforms, 3 adaptive B-frames and a 10-frame
 * macroblock-tree lookahead (5 frames above 720p, to stay under 200 MB)
 * turned back on costs about what plain
 * ultrafast costs (its analysis stays ultrafast's) yet gives files smaller
 * than "veryfast" at a higher PSNR, for half of veryfast's CPU.  Any x264
 * preset name may be given explicitly; "ultrafast" is the fast preset.
 */
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include <pthread.h>

#include <libavutil/error.h>
#include <libavutil/log.h>

#include "core/buf.h"
#include "core/json.h"
#include "core/util.h"
#include "oscontent/error.h"
#include "oscontent/log.h"
#include "video/video_internal.h"

/* The measured default for H.264 (see the file comment). */
#define OSC_X264_DEFAULT_PRESET "ultrafast"
#define OSC_X264_DEFAULT_PARAMS "cabac=1:deblock=1,0,0:8x8dct=1:bframes=3:b-adapt=1:mbtree=1" /* + rc-lookahead, see encoder.c */

static const char *const x264_presets[] = {"ultrafast", "superfast", "veryfast", "faster", "fast",
                                           "medium",    "slow",      "slower",   "veryslow", "placebo"};

const char *osc_video_stage_name(osc_video_stage stage) {
  switch (stage) {
    case OSC_VIDEO_STAGE_PREPARE: return "prepare";
    case OSC_VIDEO_STAGE_NARRATION: return "narration";
    case OSC_VIDEO_STAGE_RENDER: return "render";
    case OSC_VIDEO_STAGE_FINISH: return "finish";
    case OSC_VIDEO_STAGE_DONE: return "done";
    case OSC_VIDEO_STAGE_TRANSCODE: return "transcode";
  }
  return "unknown";
}

const char *osc__video_codec_name(osc__vcodec c) {
  switch (c) {
    case OSC__VCODEC_H264: return "h264";
    case OSC__VCODEC_VP9: return "vp9";
    case OSC__VCODEC_AV1: return "av1";
  }
  return "?";
}

int osc__video_codec_parse(const char *text, const char *field, osc__vcodec *out) {
  if (!text || !*text || !strcmp(text, "h264") || !strcmp(text, "libx264") || !strcmp(text, "x264") ||
      !strcmp(text, "avc")) {
    *out = OSC__VCODEC_H264;
  } else if (!strcmp(text, "vp9") || !strcmp(text, "libvpx-vp9")) {
    *out = OSC__VCODEC_VP9;
  } else if (!strcmp(text, "av1") || !strcmp(text, "libsvtav1")) {
    *out = OSC__VCODEC_AV1;
  } else {
    return osc_seterr(OSC_EINVAL, "%s: '%.40s' is not a supported codec (expected h264, vp9 or av1)", field, text);
  }
  return OSC_OK;
}

int osc__video_container_for(const char *path, osc__vcodec codec, osc__vcontainer *out) {
  const char *slash = strrchr(path, '/');
  const char *base = slash ? slash + 1 : path;
  const char *dot = strrchr(base, '.');
  if (!*base) return osc_seterr(OSC_EINVAL, "output_path: '%s' names a directory, not a file", path);
  if (!dot) return osc_seterr(OSC_EINVAL, "output_path: '%s' has no extension (expected .mp4, .mov, .mkv or .webm)", path);
  if (!strcasecmp(dot, ".mp4") || !strcasecmp(dot, ".m4v")) {
    *out = OSC__VCONT_MP4;
  } else if (!strcasecmp(dot, ".mov")) {
    *out = OSC__VCONT_MOV;
  } else if (!strcasecmp(dot, ".mkv")) {
    *out = OSC__VCONT_MKV;
  } else if (!strcasecmp(dot, ".webm")) {
    *out = OSC__VCONT_WEBM;
  } else {
    return osc_seterr(OSC_EINVAL, "output_path: extension '%s' is not supported (expected .mp4, .m4v, .mov, .mkv or .webm)",
                      dot);
  }
  if (*out == OSC__VCONT_WEBM && codec == OSC__VCODEC_H264)
    return osc_seterr(OSC_EINVAL, "codec: h264 cannot be stored in WebM; use vp9 or av1, or a .mp4/.mkv output");
  return OSC_OK;
}

int osc__video_resolve_codec(osc__vcodec codec, const char *preset, int crf, int64_t bitrate, osc__vcfg *c) {
  c->codec = codec;
  c->x264_params[0] = 0;
  if (preset && !*preset) preset = NULL;
  if (bitrate != 0 && (bitrate < 50000 || bitrate > 100000000))
    return osc_seterr(OSC_EINVAL, "bitrate: %lld is outside 50000..100000000 bits/s", (long long)bitrate);
  c->bitrate = bitrate;
  switch (codec) {
    case OSC__VCODEC_H264:
      if (crf != 0 && (crf < 1 || crf > 51)) return osc_seterr(OSC_EINVAL, "crf: %d is outside 1..51 for h264", crf);
      c->crf = crf ? crf : 23;
      if (!preset || !strcmp(preset, "default")) {
        snprintf(c->preset, sizeof c->preset, "%s", OSC_X264_DEFAULT_PRESET);
        snprintf(c->x264_params, sizeof c->x264_params, "%s", OSC_X264_DEFAULT_PARAMS);
        return OSC_OK;
      }
      for (size_t i = 0; i < OSC_ARRAY_LEN(x264_presets); i++) {
        if (!strcmp(preset, x264_presets[i])) {
          snprintf(c->preset, sizeof c->preset, "%s", preset);
          return OSC_OK;
        }
      }
      return osc_seterr(OSC_EINVAL,
                        "preset: '%.40s' is not an h264 preset (expected default, ultrafast, superfast, veryfast, "
                        "faster, fast, medium, slow, slower, veryslow)",
                        preset);
    case OSC__VCODEC_VP9:
      if (crf < 0 || crf > 63) return osc_seterr(OSC_EINVAL, "crf: %d is outside 0..63 for vp9", crf);
      c->crf = crf ? crf : 32;
      if (!preset || !strcmp(preset, "default")) preset = "realtime";
      if (strcmp(preset, "realtime") && strcmp(preset, "good"))
        return osc_seterr(OSC_EINVAL, "preset: '%.40s' is not a vp9 preset (expected realtime or good)", preset);
      snprintf(c->preset, sizeof c->preset, "%s", preset);
      return OSC_OK;
    case OSC__VCODEC_AV1: {
      if (crf != 0 && (crf < 1 || crf > 63)) return osc_seterr(OSC_EINVAL, "crf: %d is outside 1..63 for av1", crf);
      c->crf = crf ? crf : 35;
      if (!preset || !strcmp(preset, "default")) preset = "12";
      char *end = NULL;
      long p = strtol(preset, &end, 10);
      if (end == preset || *end || p < 0 || p > 13)
        return osc_seterr(OSC_EINVAL, "preset: '%.40s' is not an av1 preset (expected 0..13, 13 fastest)", preset);
      snprintf(c->preset, sizeof c->preset, "%ld", p);
      return OSC_OK;
    }
  }
  return osc_seterr(OSC_EINVAL, "codec: unknown");
}

static bool valid_voice(const char *s) {
  size_t n = strlen(s);
  if (n == 0 || n > 40) return false;
  for (const char *p = s; *p; p++) {
    char ch = *p;
    if (!((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') || ch == '-' ||
          ch == '_' || ch == '+'))
      return false;
  }
  return true;
}

static int one_of(const char *v, const char *field, const char *choices, char *out, size_t outlen) {
  const char *p = choices;
  size_t vl = strlen(v);
  while (*p) {
    const char *bar = strchr(p, '|');
    size_t n = bar ? (size_t)(bar - p) : strlen(p);
    if (n == vl && !strncmp(p, v, n)) {
      snprintf(out, outlen, "%s", v);
      return OSC_OK;
    }
    p += n;
    if (*p == '|') p++;
  }
  return osc_seterr(OSC_EINVAL, "%s: '%.40s' is not one of %s", field, v, choices);
}

int osc__video_resolve(const osc_video_options *o, const char *path, osc__vcfg *c) {
  static const osc_video_options zero;
  if (!o) o = &zero;
  memset(c, 0, sizeof *c);
  c->width = o->width ? o->width : 1920;
  c->height = o->height ? o->height : 1080;
  if (c->width < OSC_VIDEO_MIN_DIM || c->width > OSC_VIDEO_MAX_WIDTH || (c->width & 1))
    return osc_seterr(OSC_EINVAL, "width: %d must be even and within %d..%d", c->width, OSC_VIDEO_MIN_DIM,
                      OSC_VIDEO_MAX_WIDTH);
  if (c->height < OSC_VIDEO_MIN_DIM || c->height > OSC_VIDEO_MAX_HEIGHT || (c->height & 1))
    return osc_seterr(OSC_EINVAL, "height: %d must be even and within %d..%d", c->height, OSC_VIDEO_MIN_DIM,
                      OSC_VIDEO_MAX_HEIGHT);
  c->fps = o->fps ? o->fps : 30;
  if (c->fps < OSC_VIDEO_MIN_FPS || c->fps > OSC_VIDEO_MAX_FPS)
    return osc_seterr(OSC_EINVAL, "fps: %d is outside %d..%d", c->fps, OSC_VIDEO_MIN_FPS, OSC_VIDEO_MAX_FPS);
  double d = o->duration_s == 0 ? 10.0 : o->duration_s;
  if (!isfinite(d) || d < OSC_VIDEO_MIN_DURATION_S || d > OSC_VIDEO_MAX_DURATION_S)
    return osc_seterr(OSC_EINVAL, "duration_s: %g is outside %g..%g seconds", d, OSC_VIDEO_MIN_DURATION_S,
                      OSC_VIDEO_MAX_DURATION_S);
  c->frames = llround(d * c->fps);
  c->duration_s = (double)c->frames / c->fps;
  osc__vcodec codec;
  int rc = osc__video_codec_parse(o->codec, "codec", &codec);
  if (rc) return rc;
  rc = osc__video_resolve_codec(codec, o->preset, o->crf, o->bitrate, c);
  if (rc) return rc;
  c->audio = !o->no_audio;
  c->captions = !o->no_captions;
  c->faststart = !o->no_faststart;
  c->audio_rate = o->audio_sample_rate ? o->audio_sample_rate : 44100;
  if (c->audio_rate < 8000 || c->audio_rate > 48000)
    return osc_seterr(OSC_EINVAL, "audio_sample_rate: %d is outside 8000..48000 Hz", c->audio_rate);
  c->audio_bitrate = o->audio_bitrate ? o->audio_bitrate : 192000;
  if (c->audio_bitrate < 16000 || c->audio_bitrate > 512000)
    return osc_seterr(OSC_EINVAL, "audio_bitrate: %d is outside 16000..512000 bits/s", c->audio_bitrate);
  c->audio_channels = o->audio_channels ? o->audio_channels : 1;
  if (c->audio_channels != 1 && c->audio_channels != 2)
    return osc_seterr(OSC_EINVAL, "audio_channels: %d must be 1 or 2", c->audio_channels);
  rc = one_of(o->device && *o->device ? o->device : "auto", "device", "auto|cpu|cuda", c->device, sizeof c->device);
  if (rc) return rc;
  rc = one_of(o->encoder && *o->encoder ? o->encoder : "auto", "encoder", "auto|software|nvenc", c->encoder,
              sizeof c->encoder);
  if (rc) return rc;
  if (strcmp(c->encoder, "nvenc") == 0 && codec != OSC__VCODEC_H264)
    return osc_seterr(OSC_EINVAL, "encoder: nvenc is only used for h264");
  c->language = o->language && *o->language ? o->language : "en";
  if (!valid_voice(c->language))
    return osc_seterr(OSC_EINVAL, "language: '%.40s' is not a voice name (letters, digits, '-', '_', '+')",
                      c->language);
  c->font_path = o->font_path && *o->font_path ? o->font_path : OSC_VIDEO_DEFAULT_FONT;
  if (o->threads < 0 || o->threads > 64) return osc_seterr(OSC_EINVAL, "threads: %d is outside 0..64", o->threads);
  if (o->render_threads < 0 || o->render_threads > 64)
    return osc_seterr(OSC_EINVAL, "render_threads: %d is outside 0..64", o->render_threads);
  c->threads = o->threads ? o->threads : osc_cpu_count();
  c->render_threads = o->render_threads;
  c->seed = o->seed;
  if (!isfinite(o->mood) || o->mood < -1 || o->mood > 1)
    return osc_seterr(OSC_EINVAL, "mood: %g is outside -1..1", o->mood);
  c->mood = o->mood;
  if (path) {
    rc = osc__video_container_for(path, codec, &c->container);
    if (rc) return rc;
  } else {
    c->container = codec == OSC__VCODEC_H264 ? OSC__VCONT_MP4 : OSC__VCONT_WEBM;
  }
  if (c->container == OSC__VCONT_WEBM) c->audio_rate = 48000; /* Opus */
  return OSC_OK;
}

static int check_text(const char *s, const char *field, bool required) {
  if (!s) return required ? osc_seterr(OSC_EINVAL, "%s: field required", field) : OSC_OK;
  size_t n = strlen(s);
  if (required && n == 0) return osc_seterr(OSC_EINVAL, "%s: must not be empty", field);
  if (n > OSC_VIDEO_MAX_PROMPT * (strcmp(field, "script") ? 1 : 5))
    return osc_seterr(OSC_EINVAL, "%s: %zu bytes is longer than %d", field, n,
                      OSC_VIDEO_MAX_PROMPT * (strcmp(field, "script") ? 1 : 5));
  /* UTF-8 well-formedness (no overlongs, no surrogates, <= U+10FFFF). */
  const unsigned char *p = (const unsigned char *)s;
  size_t i = 0;
  while (i < n) {
    unsigned c = p[i];
    size_t len = c < 0x80 ? 1 : (c >> 5) == 6 ? 2 : (c >> 4) == 14 ? 3 : (c >> 3) == 30 ? 4 : 0;
    if (!len || i + len > n) goto bad;
    uint32_t cp = len == 1 ? c : len == 2 ? c & 0x1f : len == 3 ? c & 0x0f : c & 0x07;
    for (size_t k = 1; k < len; k++) {
      if ((p[i + k] & 0xc0) != 0x80) goto bad;
      cp = (cp << 6) | (p[i + k] & 0x3f);
    }
    if ((len == 2 && cp < 0x80) || (len == 3 && cp < 0x800) || (len == 4 && (cp < 0x10000 || cp > 0x10ffff)) ||
        (cp >= 0xd800 && cp <= 0xdfff))
      goto bad;
    i += len;
  }
  return OSC_OK;
bad:
  return osc_seterr(OSC_EINVAL, "%s: invalid UTF-8 at byte %zu", field, i);
}

int osc_video_validate(const osc_video_request *req) {
  if (!req) return osc_seterr(OSC_EINVAL, "request: NULL");
  int rc = check_text(req->prompt, "prompt", true);
  if (rc) return rc;
  rc = check_text(req->script, "script", false);
  if (rc) return rc;
  if (!req->output_path || !*req->output_path) return osc_seterr(OSC_EINVAL, "output_path: field required");
  osc__vcfg c;
  return osc__video_resolve(&req->opts, req->output_path, &c);
}

int osc_video_parse_resolution(const char *text, int *width, int *height) {
  if (!text) return osc_seterr(OSC_EINVAL, "resolution: field required");
  const char *p = text;
  char *end = NULL;
  if (*p < '0' || *p > '9') goto bad;
  long w = strtol(p, &end, 10);
  if (end == p || (*end != 'x' && *end != 'X')) goto bad;
  p = end + 1;
  if (*p < '0' || *p > '9') goto bad;
  long h = strtol(p, &end, 10);
  if (end == p || *end) goto bad;
  if (w < OSC_VIDEO_MIN_DIM || w > OSC_VIDEO_MAX_WIDTH || h < OSC_VIDEO_MIN_DIM || h > OSC_VIDEO_MAX_HEIGHT)
    return osc_seterr(OSC_EINVAL, "resolution: %ldx%ld is outside %dx%d..%dx%d", w, h, OSC_VIDEO_MIN_DIM,
                      OSC_VIDEO_MIN_DIM, OSC_VIDEO_MAX_WIDTH, OSC_VIDEO_MAX_HEIGHT);
  if ((w & 1) || (h & 1)) return osc_seterr(OSC_EINVAL, "resolution: %ldx%ld must have even width and height", w, h);
  *width = (int)w;
  *height = (int)h;
  return OSC_OK;
bad:
  return osc_seterr(OSC_EINVAL, "resolution: '%.40s' is not WIDTHxHEIGHT (e.g. 1280x720)", text);
}

int osc_video_options_from_config(const osc_config *cfg, osc_video_options *o) {
  memset(o, 0, sizeof *o);
  char msg[512];
  int rc = osc_video_parse_resolution(osc_config_str(cfg, "video.resolution"), &o->width, &o->height);
  if (rc) {
    snprintf(msg, sizeof msg, "%s", osc_errmsg());
    return osc_seterr(OSC_EINVAL, "video.%s", msg);
  }
  o->fps = (int)osc_config_int(cfg, "video.fps");
  o->duration_s = osc_config_double(cfg, "video.duration");
  o->codec = osc_config_str(cfg, "video.codec");
  o->preset = osc_config_str(cfg, "video.preset");
  o->crf = (int)osc_config_int(cfg, "video.crf");
  o->audio_sample_rate = (int)osc_config_int(cfg, "video.audio_sample_rate");
  o->audio_bitrate = (int)osc_config_int(cfg, "video.audio_bitrate");
  o->no_audio = !osc_config_bool(cfg, "video.audio");
  o->no_captions = !osc_config_bool(cfg, "video.captions");
  o->no_faststart = !osc_config_bool(cfg, "video.faststart");
  o->device = osc_config_str(cfg, "video.device");
  o->encoder = osc_config_str(cfg, "video.encoder");
  o->language = osc_config_str(cfg, "video.language");
  o->font_path = osc_config_str(cfg, "video.font");
  o->threads = (int)osc_config_int(cfg, "video.threads");
  o->render_threads = (int)osc_config_int(cfg, "video.render_threads");
  /* Check the combination now, so a bad config is reported at start-up. */
  osc__vcfg c;
  rc = osc__video_resolve(o, NULL, &c);
  if (rc) {
    snprintf(msg, sizeof msg, "%s", osc_errmsg());
    return osc_seterr(OSC_EINVAL, "video.%s", msg);
  }
  return OSC_OK;
}

void osc_video_result_release(osc_video_result *r) {
  if (!r) return;
  free(r->codec);
  free(r->encoder);
  free(r->preset);
  free(r->device);
  free(r->scene_json);
  free(r->captions_json);
  memset(r, 0, sizeof *r);
}

int osc_video_result_json(const osc_video_result *r, char **out) {
  json_t *o = json_object();
  if (!o) return osc_seterr(OSC_ENOMEM, "result: out of memory");
  const osc_video_stats *s = &r->stats;
  json_object_set_new(o, "width", json_integer(r->width));
  json_object_set_new(o, "height", json_integer(r->height));
  json_object_set_new(o, "fps", json_integer(r->fps));
  json_object_set_new(o, "duration_s", json_real(r->duration_s));
  json_object_set_new(o, "codec", json_string(r->codec ? r->codec : ""));
  json_object_set_new(o, "encoder", json_string(r->encoder ? r->encoder : ""));
  json_object_set_new(o, "preset", json_string(r->preset ? r->preset : ""));
  json_object_set_new(o, "device", json_string(r->device ? r->device : ""));
  json_t *scene = r->scene_json ? json_loads(r->scene_json, JSON_DECODE_ANY, NULL) : NULL;
  json_object_set_new(o, "scene", scene ? scene : json_null());
  json_t *caps = r->captions_json ? json_loads(r->captions_json, 0, NULL) : NULL;
  json_object_set_new(o, "captions", caps ? caps : json_array());
  json_t *st = json_pack("{s:I,s:f,s:f,s:f,s:f,s:f,s:f,s:f,s:f,s:f,s:f,s:I,s:I}", "frames", (json_int_t)s->frames,
                         "wall_s", s->wall_s, "fps", s->fps, "narration_wall_s", s->narration_wall_s, "render_cpu_s",
                         s->render_cpu_s, "render_wait_s", s->render_wait_s, "caption_s", s->caption_s,
                         "encode_cpu_s", s->encode_cpu_s, "audio_cpu_s", s->audio_cpu_s, "finish_wall_s",
                         s->finish_wall_s, "cpu_s", s->cpu_s, "peak_rss_bytes", (json_int_t)s->peak_rss_bytes,
                         "file_bytes", (json_int_t)s->file_bytes);
  json_object_set_new(o, "stats", st ? st : json_null());
  *out = osc_json_dump(o);
  json_decref(o);
  return *out ? OSC_OK : osc_seterr(OSC_ENOMEM, "result: out of memory");
}

int osc__video_tmp_for(const char *path, char **out) {
  const char *slash = strrchr(path, '/');
  char *dir = slash ? osc_strndup(path, slash == path ? 1 : (size_t)(slash - path)) : osc_strdup(".");
  if (!dir) return osc_seterr(OSC_ENOMEM, "output_path: out of memory");
  struct stat st;
  int rc = OSC_OK;
  if (stat(dir, &st) != 0) {
    rc = osc_seterr(errno == ENOENT ? OSC_ENOENT : OSC_EIO, "output_path: directory '%s' does not exist", dir);
    goto out;
  }
  if (!S_ISDIR(st.st_mode)) {
    rc = osc_seterr(OSC_EINVAL, "output_path: '%s' is not a directory", dir);
    goto out;
  }
  struct stat tst;
  if (stat(path, &tst) == 0 && !S_ISREG(tst.st_mode)) {
    /* A device or FIFO (e.g. /dev/null) would be replaced by the rename. */
    rc = osc_seterr(OSC_EINVAL, "output_path: '%s' is %s, not a regular file", path,
                    S_ISDIR(tst.st_mode) ? "a directory" : "a special file");
    goto out;
  }
  const char *base = slash ? slash + 1 : path;
  for (int attempt = 0; attempt < 8; attempt++) {
    char hex[13];
    osc_random_hex(hex, 12);
    char *tmp = osc_asprintf("%s/.%s.%s.part", dir, base, hex);
    if (!tmp) {
      rc = osc_seterr(OSC_ENOMEM, "output_path: out of memory");
      goto out;
    }
    int fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
    if (fd >= 0) {
      close(fd);
      *out = tmp;
      goto out;
    }
    int e = errno;
    free(tmp);
    if (e == EEXIST) continue;
    rc = osc_seterr(e == EACCES || e == EROFS || e == EPERM ? OSC_EPERM : e == ENOSPC ? OSC_ENOSPC : OSC_EIO,
                    "output_path: cannot write in '%s': %s", dir, strerror(e));
    goto out;
  }
  rc = osc_seterr(OSC_EIO, "output_path: cannot create a temporary file in '%s'", dir);
out:
  free(dir);
  return rc;
}

int64_t osc__video_peak_rss(void) {
  struct rusage ru;
  if (getrusage(RUSAGE_SELF, &ru) != 0) return 0;
  return (int64_t)ru.ru_maxrss * 1024;
}

int osc__video_averr(int err, int averr, const char *fmt, ...) {
  char what[256];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(what, sizeof what, fmt, ap);
  va_end(ap);
  char msg[AV_ERROR_MAX_STRING_SIZE] = {0};
  av_strerror(averr, msg, sizeof msg);
  return osc_seterr(err, "%s: %s", what, msg);
}

/* libav's messages go through the library's log handler (never straight to stderr).  Our own
 * errors already carry libav's reason, so its lines are DEBUG (FATAL and PANIC: WARN). */
static void av_log_cb(void *avcl, int level, const char *fmt, va_list vl) {
  if (level > av_log_get_level()) return;
  osc_log_level lv = level <= AV_LOG_FATAL ? OSC_LOG_WARN : OSC_LOG_DEBUG;
  if (!osc_log_enabled(lv)) return;
  char line[1024];
  int prefix = 1;
  av_log_format_line2(avcl, level, fmt, vl, line, sizeof line, &prefix);
  size_t n = strlen(line);
  while (n && (line[n - 1] == '\n' || line[n - 1] == '\r')) line[--n] = 0;
  if (n) osc_log_write(lv, "video", "libav: %s", line);
}

static void av_init_once(void) {
  av_log_set_level(AV_LOG_WARNING);
  av_log_set_callback(av_log_cb);
}

void osc__video_av_init(void) {
  static pthread_once_t once = PTHREAD_ONCE_INIT;
  pthread_once(&once, av_init_once);
}
