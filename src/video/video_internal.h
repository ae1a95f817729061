/*
 * video/video_internal.h - internals of the video pipeline shared between
 * its files (options, narration, captions, encoder).  The renderer's own
 * internal API is video/render.h.
 */
#ifndef OSC_VIDEO_INTERNAL_H
#define OSC_VIDEO_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "oscontent/video.h"

#define OSC_VIDEO_DEFAULT_FONT "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf"

typedef enum osc__vcodec { OSC__VCODEC_H264 = 0, OSC__VCODEC_VP9, OSC__VCODEC_AV1 } osc__vcodec;
typedef enum osc__vcontainer { OSC__VCONT_MP4 = 0, OSC__VCONT_MOV, OSC__VCONT_MKV, OSC__VCONT_WEBM } osc__vcontainer;

/* Options with every default filled in and every value checked. */
typedef struct osc__vcfg {
  int width, height, fps;
  int64_t frames;
  double duration_s;
  osc__vcodec codec;
  osc__vcontainer container;
  char preset[32];   /* encoder preset as given to the encoder */
  char x264_params[96];
  int crf;
  int64_t bitrate;
  int audio_rate, audio_bitrate, audio_channels;
  bool audio, captions, faststart;
  char device[8];
  char encoder[12];
  const char *language;
  const char *font_path;
  int threads, render_threads;
  uint64_t seed;
  double mood;
} osc__vcfg;

const char *osc__video_codec_name(osc__vcodec c);
/** Codec from "h264" ("libx264", "x264" too), "vp9", "av1".  OSC_EINVAL names @p field. */
int osc__video_codec_parse(const char *text, const char *field, osc__vcodec *out);
/** Container from the path's extension; OSC_EINVAL when unknown or the codec does not fit. */
int osc__video_container_for(const char *path, osc__vcodec codec, osc__vcontainer *out);
/** Resolves codec preset/crf/bitrate (shared by create and transcode). */
int osc__video_resolve_codec(osc__vcodec codec, const char *preset, int crf, int64_t bitrate, osc__vcfg *c);
/** Validates @p o and fills @p c (container from @p path). */
int osc__video_resolve(const osc_video_options *o, const char *path, osc__vcfg *c);

/** Temp path next to @p path (".<name>.XXXXXX.part"), created empty with O_EXCL; checks the directory
 *  is writable.  *out malloc'd.  OSC_ENOENT / OSC_EPERM / OSC_EIO with the path in the detail. */
int osc__video_tmp_for(const char *path, char **out);
/** Peak RSS of the process in bytes. */
int64_t osc__video_peak_rss(void);

/* ---- narration (narration.c) ---- */
typedef struct osc__vcaption {
  char *text;
  double start_s, end_s; /* shown on screen (and spoken) in [start_s, end_s) */
} osc__vcaption;

typedef struct osc__narration {
  int16_t *pcm; /* mono, `rate` Hz, exactly round(duration_s * rate) samples; NULL without audio */
  size_t nsamples;
  int rate;
  osc__vcaption *caps;
  size_t ncaps;
  double speech_s; /* spoken seconds (before padding) */
} osc__narration;

/** Splits text into caption phrases (sentences, then clauses, then at most @p max_words words).
 *  Fills *out with malloc'd strings.  OSC_OK or OSC_ENOMEM; an empty text gives 0 phrases. */
int osc__video_split_phrases(const char *text, int max_words, char ***out, size_t *n);
/**
 * Speaks @p text with espeak-ng (voice @p lang) and times one caption per
 * phrase so that each is shown while spoken.  The speech is sped up (up to
 * 2x) to fit @p duration_s; phrases that still do not fit are dropped.
 * With @p want_audio false the timings are still taken from the synthesis.
 * @return OSC_OK, OSC_EINVAL (unknown voice), OSC_EUNAVAIL (espeak-ng data missing), OSC_ENOMEM.
 */
int osc__video_narrate(const char *text, const char *lang, double duration_s, bool want_audio,
                       osc__narration *out);
void osc__video_narration_release(osc__narration *n);

/* ---- captions (captions.c) ---- */
typedef struct osc__captioner osc__captioner;

typedef struct osc__caption_box {
  int x, y, w, h;   /* bounding box of the drawn caption in the frame */
  int lines;        /* lines after wrapping */
  int font_px;      /* size used */
  int max_line_w;   /* widest line in pixels */
} osc__caption_box;

/** Loads the font for frames of width x height.  OSC_ENOENT (font missing), OSC_EIO, OSC_ENOMEM. */
int osc__video_captioner_open(const char *font_path, int width, int height, osc__captioner **out);
void osc__video_captioner_close(osc__captioner *c);
/** Shapes, wraps and rasterises @p text (UTF-8, any script) as the current caption (cached until
 *  the text changes).  @p box may be NULL.  OSC_OK or OSC_ENOMEM. */
int osc__video_captioner_set(osc__captioner *c, const char *text, osc__caption_box *box);
/** Blends the current caption into YUV420P planes with @p opacity in [0,1]. */
void osc__video_captioner_draw(osc__captioner *c, double opacity, uint8_t *y, int ys, uint8_t *u, int us, uint8_t *v,
                               int vs);
/** Draws the caption active at time @p t (fading in and out) from @p caps. */
int osc__video_captions_frame(osc__captioner *c, const osc__vcaption *caps, size_t ncaps, double t, uint8_t *y,
                              int ys, uint8_t *u, int us, uint8_t *v, int vs);

/* ---- encoder / muxer (encoder.c) ---- */
typedef struct osc__venc osc__venc;
struct AVFrame;

/** Opens @p tmp_path for writing in cfg->container with a video stream (and an audio stream when
 *  cfg->audio).  OSC_EUNSUPPORTED (encoder missing), OSC_EINTERNAL, OSC_EIO. */
int osc__venc_open(const osc__vcfg *cfg, const char *tmp_path, osc__venc **out);
const char *osc__venc_encoder_name(const osc__venc *e);
const char *osc__venc_preset(const osc__venc *e);
/** Encodes the whole narration (mono S16 at @p rate) into packets kept in memory; may run on its own
 *  thread while video frames are encoded on another.  Pads or trims to cfg->frames / fps. */
int osc__venc_encode_audio(osc__venc *e, const int16_t *pcm, size_t n, int rate);
/** Marks the audio packets ready to be muxed (call after osc__venc_encode_audio returned, on the
 *  video thread). */
void osc__venc_audio_ready(osc__venc *e);
/** Transcoding: the audio encoder's input format, and one frame of it (NULL flushes), muxed at once. */
void osc__venc_audio_params(const osc__venc *e, int *sample_fmt, int *rate, int *channels, int *frame_size);
int osc__venc_audio_frame(osc__venc *e, struct AVFrame *f);
/** Encodes one frame (pts = index) and muxes what comes out. */
int osc__venc_video(osc__venc *e, struct AVFrame *frame);
/** Flushes both encoders, writes the trailer (faststart) and closes the file. */
int osc__venc_finish(osc__venc *e);
/** Frees everything; does not remove the file. */
void osc__venc_close(osc__venc *e);

struct AVFormatContext;
/** Opens a media file for reading with its stream info.  OSC_ENOENT, OSC_EINVAL, OSC_EPERM, OSC_EMEDIA. */
int osc__video_open_input(const char *path, struct AVFormatContext **out);

/** Routes libav's log through the library's log handler (once per process). */
void osc__video_av_init(void);

/** Sets an error from a libav error code: "what: <av_err2str>" as OSC_EINTERNAL (or @p err). */
int osc__video_averr(int err, int averr, const char *fmt, ...) OSC_PRINTF(3, 4);

#endif
