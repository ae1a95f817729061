/*
 * video/scene_int.h - the scene structure (internal to the renderer files).
 *
 * A scene is the parsed prompt: a set of elements from the lexicon plus the
 * numeric parameters they imply.  The renderer turns it into a per-frame plan.
 */
#ifndef OSC_VIDEO_SCENE_INT_H
#define OSC_VIDEO_SCENE_INT_H

#include <stdbool.h>
#include <stdint.h>

/* Scene elements: one per lexicon entry group. */
#define OSC_VELEM_LIST(X)                                                                          \
  X(SUNRISE, "sunrise", "time", "Sun just above the horizon at dawn: cool zenith, pink-orange horizon") \
  X(GOLDEN, "golden_hour", "time", "Low warm sun, long soft light, golden haze")                   \
  X(NOON, "noon", "time", "High sun, deep blue sky, bright neutral light")                         \
  X(SUNSET, "sunset", "time", "Sun touching the horizon: orange-red band, silhouetted scenery")    \
  X(DUSK, "dusk", "time", "Sun below the horizon: violet afterglow, first stars")                 \
  X(NIGHT, "night", "time", "Dark blue night sky lit by the moon and stars")                       \
  X(CLEAR, "clear_sky", "sky", "No clouds")                                                        \
  X(CLOUDS, "clouds", "sky", "Scattered fBm cumulus on a perspective cloud plane, lit by the sun")  \
  X(OVERCAST, "overcast", "sky", "Heavy cloud cover, muted light")                                  \
  X(STARS, "stars", "sky", "Twinkling star field (implies night when no time is given)")          \
  X(MOON, "moon", "sky", "Moon disc with a soft halo and a glint on water")                        \
  X(AURORA, "aurora", "sky", "Animated green-violet aurora curtains (implies night)")               \
  X(RAIN, "rain", "weather", "Falling rain streaks, darker sky, more clouds")                      \
  X(SNOW, "snow", "weather", "Falling snow flakes, snow caps and white ground")                    \
  X(FOG, "fog", "weather", "Drifting low fog and strong atmospheric perspective")                  \
  X(LIGHTNING, "lightning", "weather", "Lightning flashes with a jagged bolt")                      \
  X(STORM, "storm", "weather", "Rain, lightning, heavy clouds, dramatic grade")                    \
  X(OCEAN, "ocean", "scenery", "Open sea to the horizon: waves, sky reflection, sun glint")        \
  X(LAKE, "lake", "scenery", "Calm water mirroring the sky and the far shore")                     \
  X(BEACH, "beach", "scenery", "Sand in the foreground with foam that washes in and out")          \
  X(DESERT, "desert", "scenery", "Rolling sand dunes with sharp lit crests")                       \
  X(MOUNTAINS, "mountains", "scenery", "Layered ridged mountains with atmospheric perspective")   \
  X(HILLS, "hills", "scenery", "Gentle rolling hills")                                            \
  X(FOREST, "forest", "scenery", "Conifer tree lines in two depths")                               \
  X(CITY, "city", "scenery", "City skyline; lit windows at dusk and night")                       \
  X(FIELDS, "fields", "scenery", "Open meadows and farmland")                                     \
  X(PAN, "pan", "camera", "Camera pans sideways; layers move with parallax")                      \
  X(ZOOM, "zoom", "camera", "Slow push-in, near layers grow faster")                              \
  X(DRIFT, "drift", "camera", "Gentle floating sway")                                             \
  X(STATIC, "static", "camera", "Locked-off camera")                                              \
  X(CALM, "calm", "mood", "Soft contrast, lower saturation, slow motion")                         \
  X(DRAMATIC, "dramatic", "mood", "High contrast, heavier clouds, vignette")                      \
  X(VIBRANT, "vibrant", "mood", "Saturated colours")                                              \
  X(DREAMY, "dreamy", "mood", "Pastel, hazy, lifted shadows")                                     \
  X(GLOOMY, "gloomy", "mood", "Dark, desaturated, cold")                                          \
  X(AUTUMN, "autumn", "season", "Orange and red foliage, warm fields")                            \
  X(WINTER, "winter", "season", "Cold light, snow-covered ground")                                \
  X(SPRING, "spring", "season", "Fresh green fields and trees")

typedef enum osc_velem {
#define OSC__VE(id, name, cat, desc) OSC_VE_##id,
  OSC_VELEM_LIST(OSC__VE)
#undef OSC__VE
  OSC_VE_COUNT
} osc_velem;

enum { OSC_TOD_SUNRISE, OSC_TOD_GOLDEN, OSC_TOD_NOON, OSC_TOD_SUNSET, OSC_TOD_DUSK, OSC_TOD_NIGHT };

#define OSC_SCENE_MAX_MATCH 48

struct osc_scene {
  uint64_t seed;      /* the caller's seed */
  uint64_t var;       /* variation seed: hash of (seed, matched words) */
  bool has[OSC_VE_COUNT];
  bool is_default;
  bool stars, moon, snow_ground; /* derived */
  int tod;
  float clouds;       /* coverage 0..1 */
  float rain, snow, fog, lightning;
  float pan, zoom, drift; /* camera: pan speed (H per s), zoom rate (per s), drift amplitude */
  float sat, contrast, warm, exposure, vignette;
  float valence;
  int nmatch;
  struct {
    char word[32];
    int elem;
  } match[OSC_SCENE_MAX_MATCH];
};

/* Lexicon lookup: element for a word or a two-word phrase ("golden hour"); -1 if none. */
int osc__video_lexicon_lookup(const char *word);
const char *osc__video_elem_name(int e);
const char *osc__video_elem_category(int e);

#endif
