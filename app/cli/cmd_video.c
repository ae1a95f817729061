/*
 * cli/cmd_video.c - `oscontent video create|compress|thumbnail|probe|scenes|scene`.
 *
 * Defaults come from the video.* settings (config file, OSC_VIDEO_*,
 * --set); flags override them.  A flag given with a value out of range is a
 * usage error (exit 2) naming the flag, even where 0 would mean "default"
 * in the library's options.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "core/json.h"
#include "oscontent/error.h"
#include "oscontent/video.h"

#define UNSET INT64_MIN

typedef struct prog_state {
  osc_cli *cli;
  int last_pct;
  osc_video_stage last_stage;
} prog_state;

static int on_progress(void *ud, const osc_video_progress *p) {
  prog_state *s = ud;
  if (p->stage == OSC_VIDEO_STAGE_RENDER || p->stage == OSC_VIDEO_STAGE_TRANSCODE) {
    int pct = p->frames_total ? (int)(100 * p->frames_done / p->frames_total) : 0;
    if (pct != s->last_pct || p->stage != s->last_stage) {
      osc_cli_progress(s->cli, osc_video_stage_name(p->stage), (uint64_t)p->frames_done, (uint64_t)p->frames_total);
      s->last_pct = pct;
    }
  }
  s->last_stage = p->stage;
  return 0;
}

static int print_json_text(osc_cli *cli, const char *text) {
  json_t *j = json_loads(text, JSON_DECODE_ANY, NULL);
  if (!j) {
    puts(text);
    return OSC_EXIT_OK;
  }
  osc_cli_print_json(cli, j);
  return OSC_EXIT_OK;
}

static int range_check(osc_cli *cli, const char *flag, int64_t v, int64_t lo, int64_t hi) {
  if (v == UNSET) return -1;
  if (v < lo || v > hi)
    return osc_cli_usage_error(cli, "--%s: %lld is outside %lld..%lld", flag, (long long)v, (long long)lo, (long long)hi);
  return -1;
}

static int cmd_create(osc_cli *cli, int argc, char **argv) {
  const char *out = NULL, *res = NULL, *codec = NULL, *preset = NULL, *script = NULL, *device = NULL, *lang = NULL,
             *encoder = NULL, *font = NULL;
  int64_t fps = UNSET, crf = UNSET, seed = UNSET, threads = UNSET, bitrate = UNSET;
  double duration = -1, mood = 0;
  bool no_audio = false, no_captions = false, fast = false;
  const osc_cli_opt opts[] = {
      {"output", 'o', OSC_OPT_STRING, &out, "FILE", "output file: .mp4 (default), .mov, .mkv or .webm", NULL},
      {"duration", 'd', OSC_OPT_DOUBLE, &duration, "SECONDS", "length, 1..60 (video.duration; default 10)", NULL},
      {"resolution", 'r', OSC_OPT_STRING, &res, "WxH", "frame size, even (video.resolution; default 1920x1080)", NULL},
      {"fps", 0, OSC_OPT_INT, &fps, "N", "frames per second, 15..60 (video.fps; default 30)", NULL},
      {"codec", 'c', OSC_OPT_STRING, &codec, "CODEC", "h264 | vp9 | av1 (video.codec)", NULL},
      {"preset", 'p', OSC_OPT_STRING, &preset, "NAME", "encoder preset (h264: default, ultrafast..veryslow)", NULL},
      {"fast", 0, OSC_OPT_FLAG, &fast, NULL, "fastest encoding (h264 preset ultrafast)", NULL},
      {"crf", 0, OSC_OPT_INT, &crf, "N", "quality: h264 1..51 (23), vp9 0..63 (32), av1 1..63 (35)", NULL},
      {"bitrate", 0, OSC_OPT_INT, &bitrate, "BPS", "target bit rate instead of CRF", NULL},
      {"seed", 0, OSC_OPT_INT, &seed, "N", "scene seed (same prompt + seed = same frames)", NULL},
      {"mood", 0, OSC_OPT_DOUBLE, &mood, "X", "-1 (cold, dark) .. 1 (warm, vivid); default 0", NULL},
      {"script", 's', OSC_OPT_STRING, &script, "TEXT", "narration and captions (default: the prompt; @file, - = stdin)",
       NULL},
      {"language", 'l', OSC_OPT_STRING, &lang, "VOICE", "espeak-ng voice (video.language; default en)", NULL},
      {"no-audio", 0, OSC_OPT_FLAG, &no_audio, NULL, "no narration", NULL},
      {"no-captions", 0, OSC_OPT_FLAG, &no_captions, NULL, "no captions", NULL},
      {"device", 0, OSC_OPT_STRING, &device, "DEV", "auto | cpu | cuda (video.device)", NULL},
      {"encoder", 0, OSC_OPT_STRING, &encoder, "ENC", "auto | software | nvenc (video.encoder)", NULL},
      {"font", 0, OSC_OPT_STRING, &font, "FILE", "caption font (video.font)", NULL},
      {"threads", 0, OSC_OPT_INT, &threads, "N", "encoder threads, 0 = CPUs", NULL},
      {0}};
  int rc = osc_cli_parse(cli, "oscontent video create PROMPT -o FILE [options]",
                         "Make a narrated, captioned video from a prompt.", opts, &argc, argv);
  if (rc >= 0) return rc;
  if (argc != 2) return osc_cli_usage_error(cli, "video create: expected one PROMPT (quote it)");
  if (!out) return osc_cli_usage_error(cli, "video create: -o FILE is required");
  osc_video_request req;
  memset(&req, 0, sizeof req);
  rc = osc_video_options_from_config(cli->cfg, &req.opts);
  if (rc) return osc_cli_fail(cli, rc, "video create");
  if ((rc = range_check(cli, "fps", fps, OSC_VIDEO_MIN_FPS, OSC_VIDEO_MAX_FPS)) >= 0) return rc;
  if ((rc = range_check(cli, "crf", crf, 0, 63)) >= 0) return rc;
  if ((rc = range_check(cli, "threads", threads, 0, 64)) >= 0) return rc;
  if ((rc = range_check(cli, "bitrate", bitrate, 50000, 100000000)) >= 0) return rc;
  if (duration != -1 && !(duration >= OSC_VIDEO_MIN_DURATION_S && duration <= OSC_VIDEO_MAX_DURATION_S))
    return osc_cli_usage_error(cli, "--duration: %g is outside 1..60 seconds", duration);
  if (res && osc_video_parse_resolution(res, &req.opts.width, &req.opts.height))
    return osc_cli_usage_error(cli, "--%s", osc_errmsg());
  if (!(mood >= -1 && mood <= 1)) return osc_cli_usage_error(cli, "--mood: %g is outside -1..1", mood);
  req.opts.mood = mood;
  if (duration != -1) req.opts.duration_s = duration;
  if (fps != UNSET) req.opts.fps = (int)fps;
  if (crf != UNSET) req.opts.crf = (int)crf;
  if (bitrate != UNSET) req.opts.bitrate = bitrate;
  if (threads != UNSET) req.opts.threads = (int)threads;
  if (seed != UNSET) req.opts.seed = (uint64_t)seed;
  if (codec) {
    req.opts.codec = codec;
    if (!preset) req.opts.preset = NULL; /* the config's preset belongs to the config's codec */
  }
  if (fast) req.opts.preset = "ultrafast";
  if (preset) req.opts.preset = preset;
  if (lang) req.opts.language = lang;
  if (device) req.opts.device = device;
  if (encoder) req.opts.encoder = encoder;
  if (font) req.opts.font_path = font;
  if (no_audio) req.opts.no_audio = true;
  if (no_captions) req.opts.no_captions = true;
  char *script_text = NULL;
  if (script) {
    size_t len;
    rc = osc_cli_read_text(script, 64 * 1024, &script_text, &len);
    if (rc) return osc_cli_fail(cli, rc, "--script");
    req.script = script_text;
  }
  req.prompt = argv[1];
  req.output_path = out;
  rc = osc_video_validate(&req);
  if (rc) {
    free(script_text);
    return osc_cli_fail(cli, rc, "video create");
  }
  prog_state ps = {cli, -1, OSC_VIDEO_STAGE_PREPARE};
  osc_video_callbacks cb = {on_progress, &ps};
  osc_video_result res_out;
  rc = osc_video_create(&req, &cb, &res_out);
  free(script_text);
  if (rc) return osc_cli_fail(cli, rc, "video create");
  if (cli->json) {
    char *j = NULL;
    if (osc_video_result_json(&res_out, &j) == OSC_OK) {
      json_t *o = json_loads(j, 0, NULL);
      if (o) {
        json_object_set_new(o, "output", json_string(out));
        osc_cli_print_json(cli, o);
      }
    }
    free(j);
  } else if (!cli->quiet) {
    const osc_video_stats *s = &res_out.stats;
    printf("%s: %dx%d, %d fps, %.2f s, %s (%s %s), %s rendering, %.1f KB in %.2f s (%.0f fps; render %.2f, encode %.2f, "
           "audio %.2f CPU-s; peak RSS %.0f MB)\n",
           out, res_out.width, res_out.height, res_out.fps, res_out.duration_s, res_out.codec, res_out.encoder,
           res_out.preset, res_out.device, (double)s->file_bytes / 1024.0, s->wall_s, s->fps, s->render_cpu_s,
           s->encode_cpu_s, s->audio_cpu_s, (double)s->peak_rss_bytes / 1048576.0);
  }
  osc_video_result_release(&res_out);
  return OSC_EXIT_OK;
}

static int cmd_compress(osc_cli *cli, int argc, char **argv) {
  const char *out = NULL, *res = NULL, *codec = NULL, *preset = NULL;
  int64_t fps = UNSET, crf = UNSET, bitrate = UNSET, width = UNSET;
  bool no_audio = false;
  const osc_cli_opt opts[] = {
      {"output", 'o', OSC_OPT_STRING, &out, "FILE", "output file (.mp4, .mov, .mkv, .webm)", NULL},
      {"codec", 'c', OSC_OPT_STRING, &codec, "CODEC", "h264 (default) | vp9 | av1", NULL},
      {"preset", 'p', OSC_OPT_STRING, &preset, "NAME", "encoder preset", NULL},
      {"crf", 0, OSC_OPT_INT, &crf, "N", "quality (h264 default 23)", NULL},
      {"bitrate", 0, OSC_OPT_INT, &bitrate, "BPS", "target bit rate instead of CRF", NULL},
      {"resolution", 'r', OSC_OPT_STRING, &res, "WxH", "output size (default: keep)", NULL},
      {"width", 'w', OSC_OPT_INT, &width, "PX", "output width, height follows the aspect ratio", NULL},
      {"fps", 0, OSC_OPT_INT, &fps, "N", "frames per second, 15..60 (default: keep)", NULL},
      {"no-audio", 0, OSC_OPT_FLAG, &no_audio, NULL, "drop the audio", NULL},
      {0}};
  int rc = osc_cli_parse(cli, "oscontent video compress INPUT -o OUTPUT [options]",
                         "Re-encode a video: codec, quality, size, frame rate.", opts, &argc, argv);
  if (rc >= 0) return rc;
  if (argc != 2) return osc_cli_usage_error(cli, "video compress: expected one INPUT file");
  if (!out) return osc_cli_usage_error(cli, "video compress: -o OUTPUT is required");
  osc_video_transcode_options o;
  memset(&o, 0, sizeof o);
  if ((rc = range_check(cli, "fps", fps, OSC_VIDEO_MIN_FPS, OSC_VIDEO_MAX_FPS)) >= 0) return rc;
  if ((rc = range_check(cli, "crf", crf, 0, 63)) >= 0) return rc;
  if ((rc = range_check(cli, "width", width, OSC_VIDEO_MIN_DIM, OSC_VIDEO_MAX_WIDTH)) >= 0) return rc;
  if ((rc = range_check(cli, "bitrate", bitrate, 50000, 100000000)) >= 0) return rc;
  if (res && osc_video_parse_resolution(res, &o.width, &o.height)) return osc_cli_usage_error(cli, "--%s", osc_errmsg());
  if (width != UNSET) o.width = (int)width;
  o.codec = codec;
  o.preset = preset;
  if (crf != UNSET) o.crf = (int)crf;
  if (bitrate != UNSET) o.bitrate = bitrate;
  if (fps != UNSET) o.fps = (int)fps;
  o.no_audio = no_audio;
  prog_state ps = {cli, -1, OSC_VIDEO_STAGE_PREPARE};
  osc_video_callbacks cb = {on_progress, &ps};
  rc = osc_video_transcode(argv[1], out, &o, &cb);
  if (rc) return osc_cli_fail(cli, rc, "video compress");
  char *j = NULL;
  if (osc_video_probe(out, &j) == OSC_OK) {
    if (cli->json) {
      print_json_text(cli, j);
    } else if (!cli->quiet) {
      json_t *p = json_loads(j, 0, NULL);
      printf("%s: %.2f s, %lld bytes\n", out, p ? json_real_value(json_object_get(p, "duration_s")) : 0.0,
             p ? (long long)json_integer_value(json_object_get(p, "size_bytes")) : 0LL);
      json_decref(p);
    }
  }
  free(j);
  return OSC_EXIT_OK;
}

static int cmd_thumbnail(osc_cli *cli, int argc, char **argv) {
  const char *out = NULL;
  double at = -1;
  int64_t width = UNSET;
  const osc_cli_opt opts[] = {{"output", 'o', OSC_OPT_STRING, &out, "FILE.png", "PNG file to write", NULL},
                              {"at", 't', OSC_OPT_DOUBLE, &at, "SECONDS", "time of the frame (default 1/3 in)", NULL},
                              {"width", 'w', OSC_OPT_INT, &width, "PX", "scale to this width (aspect kept)", NULL},
                              {0}};
  int rc = osc_cli_parse(cli, "oscontent video thumbnail INPUT -o FILE.png [--at SECONDS] [--width PX]",
                         "Write a poster frame of a video as PNG.", opts, &argc, argv);
  if (rc >= 0) return rc;
  if (argc != 2) return osc_cli_usage_error(cli, "video thumbnail: expected one INPUT file");
  if (!out) return osc_cli_usage_error(cli, "video thumbnail: -o FILE.png is required");
  if ((rc = range_check(cli, "width", width, 16, 7680)) >= 0) return rc;
  rc = osc_video_thumbnail(argv[1], out, at, width == UNSET ? 0 : (int)width);
  if (rc) return osc_cli_fail(cli, rc, "video thumbnail");
  if (cli->json) osc_cli_print_json(cli, json_pack("{s:s}", "output", out));
  return OSC_EXIT_OK;
}

static int cmd_probe(osc_cli *cli, int argc, char **argv) {
  static const osc_cli_opt opts[] = {{0}};
  int rc = osc_cli_parse(cli, "oscontent video probe FILE", "Print the duration and streams of a media file as JSON.",
                         opts, &argc, argv);
  if (rc >= 0) return rc;
  if (argc != 2) return osc_cli_usage_error(cli, "video probe: expected one FILE");
  char *j = NULL;
  rc = osc_video_probe(argv[1], &j);
  if (rc) return osc_cli_fail(cli, rc, "video probe");
  print_json_text(cli, j);
  free(j);
  return OSC_EXIT_OK;
}

static int cmd_scenes(osc_cli *cli, int argc, char **argv) {
  static const osc_cli_opt opts[] = {{0}};
  int rc = osc_cli_parse(cli, "oscontent video scenes", "List the prompt lexicon: words and the scene elements they add.",
                         opts, &argc, argv);
  if (rc >= 0) return rc;
  char *j = NULL;
  rc = osc_video_lexicon_json(&j);
  if (rc) return osc_cli_fail(cli, rc, "video scenes");
  print_json_text(cli, j);
  free(j);
  return OSC_EXIT_OK;
}

static int cmd_scene(osc_cli *cli, int argc, char **argv) {
  int64_t seed = 0;
  const osc_cli_opt opts[] = {{"seed", 0, OSC_OPT_INT, &seed, "N", "scene seed", NULL}, {0}};
  int rc = osc_cli_parse(cli, "oscontent video scene PROMPT [--seed N]", "Show the scene a prompt produces.", opts,
                         &argc, argv);
  if (rc >= 0) return rc;
  if (argc != 2) return osc_cli_usage_error(cli, "video scene: expected one PROMPT");
  char *j = NULL;
  rc = osc_video_scene_json(argv[1], (uint64_t)seed, &j);
  if (rc) return osc_cli_fail(cli, rc, "video scene");
  print_json_text(cli, j);
  free(j);
  return OSC_EXIT_OK;
}

static const osc_cli_cmd video_subs[] = {
    {"compress", cmd_compress, "re-encode a video (codec, CRF, size, fps)"},
    {"create", cmd_create, "make a narrated, captioned video from a prompt"},
    {"probe", cmd_probe, "duration and streams of a media file (JSON)"},
    {"scene", cmd_scene, "the scene a prompt produces (JSON)"},
    {"scenes", cmd_scenes, "the prompt lexicon (JSON)"},
    {"thumbnail", cmd_thumbnail, "poster frame as PNG"},
    {"transcode", cmd_compress, "same as compress"},
    {NULL, NULL, NULL}};

static int cmd_video(osc_cli *cli, int argc, char **argv) {
  return osc_cli_dispatch(cli, "oscontent video", video_subs, argc, argv);
}

const osc_cli_cmd osc__cli_video[] = {{"video", cmd_video, "make, compress and inspect videos"}, {NULL, NULL, NULL}};
