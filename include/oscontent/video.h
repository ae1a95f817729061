/*
 * oscontent/video.h - prompt -> narrated, captioned video; compress,
 * transcode, thumbnail and probe existing videos.
 *
 * osc_video_create() turns a prompt into a procedurally rendered scene
 * (see `oscontent video scenes` for the lexicon), draws the captions
 * (the prompt or a script, timed with the narration), speaks the narration
 * with espeak-ng and encodes everything with libavcodec (H.264/libx264 in
 * MP4 with +faststart by default; VP9 or AV1 in WebM or MP4).  Output is
 * written to a temporary file in the target's directory and renamed at the
 * end: the target path never holds a partial file, and a failed or
 * cancelled call leaves nothing behind.
 *
 * All-zero options mean the defaults: 1920x1080, 30 fps, 10 s, H.264
 * (libx264, preset "ultrafast"+quality tweaks chosen by measurement, see
 * docs/video.md), CRF 23, AAC 44.1 kHz 192 kb/s mono narration, captions
 * on, device auto.
 *
 * Thread safety: every function is safe to call from any thread, and calls
 * on different requests run concurrently (each call owns its state;
 * espeak-ng, which is process-global, is serialised internally).  The
 * callbacks run on the calling thread.
 */
#ifndef OSCONTENT_VIDEO_H
#define OSCONTENT_VIDEO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "oscontent/common.h"
#include "oscontent/config.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Bounds (the original API's: duration 1-60 s, fps 15-60). */
#define OSC_VIDEO_MIN_DURATION_S 1.0
#define OSC_VIDEO_MAX_DURATION_S 60.0
#define OSC_VIDEO_MIN_FPS 15
#define OSC_VIDEO_MAX_FPS 60
#define OSC_VIDEO_MIN_DIM 64
#define OSC_VIDEO_MAX_WIDTH 3840
#define OSC_VIDEO_MAX_HEIGHT 2160
#define OSC_VIDEO_MAX_PROMPT 2000

/** Options of osc_video_create.  All-zero (or NULL) fields take the default in brackets. */
typedef struct osc_video_options {
  int width;               /* [1920] pixels, even, 64..3840 */
  int height;              /* [1080] pixels, even, 64..2160 */
  int fps;                 /* [30] frames per second, 15..60 */
  double duration_s;       /* [10] seconds, 1..60 */
  const char *codec;       /* ["h264"] "h264" | "vp9" | "av1" */
  const char *preset;      /* [per codec] h264: x264 preset name (ultrafast..veryslow) or "default"/"fast";
                              vp9: "realtime" | "good"; av1: SVT-AV1 preset "0".."13" */
  int crf;                 /* [h264 23, vp9 32, av1 35] h264 1..51, vp9 0..63, av1 1..63 */
  int64_t bitrate;         /* [0 = CRF mode] target video bit rate, bits/s, 50000..100000000 */
  int audio_sample_rate;   /* [44100] Hz, 8000..48000 */
  int audio_bitrate;       /* [192000] bits/s, 16000..512000 */
  int audio_channels;      /* [1] 1 or 2 (narration is mono; 2 duplicates it) */
  bool no_audio;           /* [false] no audio stream */
  bool no_captions;        /* [false] no captions drawn */
  bool no_faststart;       /* [false] MP4: leave the moov box at the end */
  const char *device;      /* ["auto"] "auto" | "cpu" | "cuda": where frames are rendered */
  const char *encoder;     /* ["auto"] "auto" (NVENC when the driver offers it, else software) | "software" | "nvenc" */
  const char *language;    /* ["en"] espeak-ng voice for the narration ("en", "fr", "de", "es", ...) */
  const char *font_path;   /* [DejaVuSans-Bold.ttf from fonts-dejavu-core] caption font */
  int threads;             /* [0 = usable CPUs] encoder threads, 0..64 */
  int render_threads;      /* [0 = auto] renderer worker threads, 0..64 */
  uint64_t seed;           /* [0] scene seed; same prompt + seed = identical frames */
  double mood;             /* [0 = neutral] -1..1: warmth of the grade (e.g. the prompt's sentiment);
                              the server sets it from the NLP module's sentiment when that is built */
} osc_video_options;

/** One video to make. */
typedef struct osc_video_request {
  const char *prompt;      /* required: UTF-8, 1..2000 bytes; picks the scene */
  const char *script;      /* narration and caption text; NULL = the prompt */
  const char *output_path; /* required: .mp4, .m4v, .mov, .mkv or .webm */
  osc_video_options opts;
} osc_video_request;

typedef enum osc_video_stage {
  OSC_VIDEO_STAGE_PREPARE = 0, /* validating, opening the encoder */
  OSC_VIDEO_STAGE_NARRATION,   /* speech synthesis and caption timing */
  OSC_VIDEO_STAGE_RENDER,      /* rendering, captions, encoding (frames_done counts) */
  OSC_VIDEO_STAGE_FINISH,      /* flushing the encoders, faststart, rename */
  OSC_VIDEO_STAGE_DONE,
  /* transcoding existing videos */
  OSC_VIDEO_STAGE_TRANSCODE
} osc_video_stage;

/** Name of a stage ("render"); static storage. */
OSC_API const char *osc_video_stage_name(osc_video_stage stage);

typedef struct osc_video_progress {
  osc_video_stage stage;
  int64_t frames_done;
  int64_t frames_total;
  double elapsed_s;
} osc_video_progress;

typedef struct osc_video_callbacks {
  /* Called at each stage change and after every encoded frame, on the
   * calling thread.  Returning non-zero cancels the call (it then returns
   * OSC_ECANCELED and leaves no output file).  May be NULL. */
  int (*progress)(void *ud, const osc_video_progress *p);
  void *ud;
} osc_video_callbacks;

/** Where the time went.  CPU times are user+system seconds of all threads of that stage. */
typedef struct osc_video_stats {
  int64_t frames;
  double wall_s;            /* whole call */
  double fps;               /* frames / wall_s */
  double narration_wall_s;  /* espeak-ng synthesis and caption timing */
  double render_cpu_s;      /* renderer worker threads */
  double render_wait_s;     /* encoder thread waiting for frames */
  double caption_s;         /* drawing captions into frames */
  double encode_cpu_s;      /* process CPU minus render and audio: x264 threads, captions, mux */
  double audio_cpu_s;       /* resample + audio encode (its own thread) */
  double finish_wall_s;     /* encoder flush, trailer (faststart), rename */
  double cpu_s;             /* process CPU during the call */
  int64_t peak_rss_bytes;   /* process peak resident set after the call */
  int64_t file_bytes;
} osc_video_stats;

typedef struct osc_video_result {
  osc_video_stats stats;
  int width, height, fps;
  double duration_s;        /* of the output, frames / fps */
  char *codec;              /* "h264" */
  char *encoder;            /* "libx264" */
  char *preset;             /* the encoder preset used */
  char *device;             /* the renderer's device ("cpu") */
  char *scene_json;         /* the scene chosen for the prompt (JSON object) */
  char *captions_json;      /* [{"text":..,"start_s":..,"end_s":..}, ...] */
} osc_video_result;

/** Frees the strings of @p r (accepts NULL) and zeroes it. */
OSC_API void osc_video_result_release(osc_video_result *r);

/** The result as a JSON object (malloc'd text).  @return OSC_OK or OSC_ENOMEM. */
OSC_API int osc_video_result_json(const osc_video_result *r, char **out);

/**
 * Checks a request without doing any work.
 * @return OSC_OK or OSC_EINVAL with a detail naming the field
 *         ("duration_s: 61 is above 60").
 */
OSC_API int osc_video_validate(const osc_video_request *req);

/**
 * Makes the video.  @p cb may be NULL; @p out may be NULL (otherwise it is
 * filled on success and must be released with osc_video_result_release).
 * @return OSC_OK, OSC_EINVAL (bad request; detail names the field),
 *         OSC_EIO/OSC_EPERM/OSC_ENOENT (output directory missing or not writable),
 *         OSC_ECANCELED (progress returned non-zero), OSC_EUNSUPPORTED
 *         (codec or renderer not available in this build), OSC_EINTERNAL
 *         (encoder failure; detail has libav's message), OSC_ENOMEM.
 */
OSC_API int osc_video_create(const osc_video_request *req, const osc_video_callbacks *cb, osc_video_result *out);

/**
 * Reads the video.* settings into @p out (strings borrowed from @p cfg,
 * valid while it lives and is unchanged).
 * @return OSC_OK or OSC_EINVAL (bad resolution text).
 */
OSC_API int osc_video_options_from_config(const osc_config *cfg, osc_video_options *out);

/** Parses "WxH" (e.g. "1280x720") into even sizes within the bounds.  @return OSC_OK or OSC_EINVAL. */
OSC_API int osc_video_parse_resolution(const char *text, int *width, int *height);

/** Options of osc_video_transcode.  All-zero means: H.264 CRF 23 at the default preset, same size and fps. */
typedef struct osc_video_transcode_options {
  const char *codec;   /* ["h264"] "h264" | "vp9" | "av1" */
  const char *preset;  /* as in osc_video_options */
  int crf;             /* as in osc_video_options */
  int64_t bitrate;     /* [0 = CRF] bits/s */
  int width, height;   /* [0 = keep] output size; one of them 0 keeps the aspect ratio */
  int fps;             /* [0 = keep] 15..60 */
  bool no_audio;       /* [false] drop audio */
  bool no_faststart;   /* [false] MP4: leave the moov box at the end */
  int threads;         /* [0 = usable CPUs] encoder threads, 0..64 */
} osc_video_transcode_options;

/**
 * Re-encodes @p in_path into @p out_path (temp file + rename).
 * @return OSC_OK, OSC_EINVAL, OSC_ENOENT (no input), OSC_EMEDIA (input is
 *         not a video), OSC_EIO, OSC_ECANCELED, OSC_EINTERNAL.
 */
OSC_API int osc_video_transcode(const char *in_path, const char *out_path, const osc_video_transcode_options *o,
                                const osc_video_callbacks *cb);

/**
 * Writes a PNG poster frame of @p in_path taken at @p at_s seconds (< 0 =
 * at 1/3 of the duration), scaled to @p width pixels wide (0 = original,
 * aspect ratio kept).
 * @return OSC_OK, OSC_EINVAL, OSC_ENOENT, OSC_EMEDIA, OSC_EIO.
 */
OSC_API int osc_video_thumbnail(const char *in_path, const char *png_path, double at_s, int width);

/**
 * Describes a media file as JSON: {"path","format","duration_s","size_bytes",
 * "bit_rate","streams":[{"index","type","codec","width","height","fps",
 * "pix_fmt","sample_rate","channels","duration_s","frames","bit_rate"}]}.
 * @return OSC_OK, OSC_ENOENT, OSC_EMEDIA (not a media file).
 */
OSC_API int osc_video_probe(const char *path, char **json_out);

/** The prompt lexicon (every word the scene builder understands) as JSON; malloc'd. */
OSC_API int osc_video_lexicon_json(char **out);

/** The scene a prompt and seed produce, as JSON; malloc'd.  @return OSC_OK, OSC_EINVAL, OSC_EUNSUPPORTED. */
OSC_API int osc_video_scene_json(const char *prompt, uint64_t seed, char **out);

#ifdef __cplusplus
}
#endif
#endif
