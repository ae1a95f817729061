/*
 * video/render.h - prompt -> scene, and the procedural frame renderer
 * (internal API of the video module; consumed by the pipeline).
 *
 * A scene is parsed once from the prompt with the lexicon (lexicon.c) and is
 * immutable afterwards (except for osc__video_scene_set_mood before a
 * renderer is opened on it).  Every frame is a pure function of
 * (scene, width, height, fps, frame index): there is no state carried from
 * one frame to the next, so frames may be rendered in any order, on any
 * number of threads, and the same (prompt, seed) always gives the same bytes
 * on the same build.
 *
 * Thread safety: a scene is read-only once a renderer uses it and must
 * outlive it.  osc__video_render_frame may be called concurrently on one
 * renderer with different output planes.  A frames producer is driven by one
 * consumer thread (next/release); cancel may be called from any thread.
 */
#ifndef OSC_VIDEO_RENDER_H
#define OSC_VIDEO_RENDER_H

#include <stdint.h>

#include "oscontent/common.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct osc_scene osc_scene;

/**
 * Parses @p prompt (UTF-8; words matched case-insensitively, unknown words
 * ignored) with the lexicon into a scene.  Deterministic for (prompt, seed).
 * When no word matches, a default scene is used (reported as "default":true).
 * @return OSC_OK, OSC_EINVAL (NULL prompt/out), OSC_ENOMEM.
 */
int osc__video_scene_from_prompt(const char *prompt, uint64_t seed, osc_scene **out);
void osc__video_scene_free(osc_scene *s);
/** The chosen scene as JSON text (elements, parameters, matched words), malloc'd. */
int osc__video_scene_json(const osc_scene *s, char **out);
/** Optional warmth/mood bias in [-1,1] (clamped); call before opening a renderer. */
void osc__video_scene_set_mood(osc_scene *s, double valence);
/** The lexicon (every word -> element/parameter with a description) as JSON, malloc'd. */
int osc__video_lexicon_json(char **out);
/** The lexicon as a Markdown document (docs/video_lexicon.md is this text), malloc'd. */
int osc__video_lexicon_markdown(char **out);
/** Number of distinct scene elements in the lexicon. */
int osc__video_lexicon_element_count(void);
/** True if the scene has the named element (e.g. "snow", "mountains", "night"). */
int osc__video_scene_has(const osc_scene *s, const char *element);

typedef struct osc_renderer osc_renderer;

/**
 * Opens a renderer for frames of @p width x @p height at @p fps.
 * Sizes must be even, 16..7680 x 16..4320; fps 1..240.
 * device: "auto" | "cpu" | "cuda" (NULL = auto).  auto/cuda without a usable
 * GPU fall back to the CPU with one log line (INFO for auto, WARN for cuda).
 * @return OSC_OK, OSC_EINVAL (detail names the bad argument), OSC_ENOMEM.
 */
int osc__video_renderer_open(const osc_scene *s, int width, int height, int fps, const char *device,
                             osc_renderer **out);
void osc__video_renderer_close(osc_renderer *r);
/** "cpu" or "cuda": the device the frames are actually rendered on. */
const char *osc__video_renderer_device(const osc_renderer *r);
/**
 * Renders frame @p index (time = index/fps) into caller planes (YUV420P,
 * BT.709 limited range; chroma planes are width/2 x height/2).
 * @return OSC_OK, OSC_EINVAL (index < 0, NULL plane, stride too small), OSC_ENOMEM,
 *         OSC_EIO (GPU failure).
 */
int osc__video_render_frame(osc_renderer *r, int64_t index, uint8_t *y, int y_stride, uint8_t *u,
                            int u_stride, uint8_t *v, int v_stride);

/* Frame-parallel producer: nthreads workers render frames 0..total-1 into a
 * ring of ring_size frames; frames come out in order.  Memory is
 * ring_size frames, independent of total. */
typedef struct osc_video_frames osc_video_frames;
typedef struct osc_video_frame {
  int64_t index;
  uint8_t *data[3];
  int linesize[3];
} osc_video_frame;
/** nthreads 0 = CPU count (max 16); ring_size 0 = 2*nthreads+2 (at least nthreads+1). */
int osc__video_frames_open(osc_renderer *r, int64_t total, int nthreads, int ring_size,
                           osc_video_frames **out);
/** Blocks; OSC_ENOENT after the last; OSC_ECANCELED after cancel; a render error is passed on. */
int osc__video_frames_next(osc_video_frames *f, osc_video_frame **out);
/** Returns the slot to the ring (caller may draw captions on it before release). */
void osc__video_frames_release(osc_video_frames *f, osc_video_frame *fr);
void osc__video_frames_cancel(osc_video_frames *f);
void osc__video_frames_close(osc_video_frames *f);
/** CPU ns spent rendering so far (sum over workers). */
uint64_t osc__video_frames_render_ns(const osc_video_frames *f);

/** BT.709 limited-range YUV420P -> packed RGB24 (w*3 bytes per row, w and h even). */
void osc__video_yuv_to_rgb(const uint8_t *y, int ys, const uint8_t *u, int us, const uint8_t *v, int vs,
                           int w, int h, uint8_t *rgb);
/** Writes packed RGB24 as PNG (libpng).  OSC_EINVAL, OSC_EIO (detail names the path). */
int osc__video_write_png(const uint8_t *rgb, int w, int h, const char *path);
/** Renders frame @p index of @p prompt/@p seed at w x h on the CPU and writes it as PNG. */
int osc__video_render_png(const char *prompt, uint64_t seed, int w, int h, int fps, int64_t index,
                          const char *path);

#ifdef __cplusplus
}
#endif
#endif
