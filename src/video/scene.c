/*
 * video/scene.c - prompt -> scene.
 *
 * The prompt is split into ASCII words (anything else separates words, so
 * any UTF-8 is accepted and non-Latin words are ignored), two-word phrases
 * are tried first, then single words, against the lexicon.  Matched elements
 * set flags; the numeric parameters (cloud cover, weather amounts, camera,
 * grade) follow from the flags by fixed rules below.  The variation seed that
 * places the sun, shapes the ridges and picks a default scenery mixes the
 * caller's seed with a hash of the normalised prompt, so the result is a pure
 * function of (prompt, seed).
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "core/json.h"
#include "core/util.h"
#include "oscontent/error.h"
#include "video/render.h"
#include "video/scene_int.h"

static const char *const g_tod_names[] = {"sunrise", "golden_hour", "noon", "sunset", "dusk", "night"};

static void add_match(osc_scene *s, const char *word, int e) {
  if (!s->has[e] || s->nmatch < OSC_SCENE_MAX_MATCH) {
    if (s->nmatch < OSC_SCENE_MAX_MATCH) {
      snprintf(s->match[s->nmatch].word, sizeof s->match[0].word, "%s", word);
      s->match[s->nmatch].elem = e;
      s->nmatch++;
    }
  }
  if (!s->has[e] && e <= OSC_VE_NIGHT && s->tod < 0) s->tod = e; /* first time word wins */
  s->has[e] = true;
}

static float maxf(float a, float b) { return a > b ? a : b; }

static void derive(osc_scene *s) {
  bool *h = s->has;
  bool any_scenery = false;
  for (int e = OSC_VE_OCEAN; e <= OSC_VE_FIELDS; e++) any_scenery |= h[e];
  if (s->nmatch == 0) {
    s->is_default = true;
    h[OSC_VE_GOLDEN] = h[OSC_VE_LAKE] = h[OSC_VE_MOUNTAINS] = h[OSC_VE_CLOUDS] = true;
    s->tod = OSC_VE_GOLDEN;
    any_scenery = true;
  }
  if (s->tod < 0) {
    if (h[OSC_VE_STARS] || h[OSC_VE_MOON] || h[OSC_VE_AURORA]) s->tod = OSC_VE_NIGHT;
    else if (h[OSC_VE_SNOW] || h[OSC_VE_STORM] || h[OSC_VE_RAIN] || h[OSC_VE_FOG]) s->tod = OSC_VE_NOON;
    else s->tod = OSC_VE_GOLDEN;
  }
  if (!any_scenery) { /* a sky-only prompt gets scenery picked by the seed */
    static const int picks[][2] = {{OSC_VE_OCEAN, -1}, {OSC_VE_LAKE, OSC_VE_MOUNTAINS},
                                   {OSC_VE_MOUNTAINS, OSC_VE_HILLS}, {OSC_VE_OCEAN, OSC_VE_BEACH},
                                   {OSC_VE_FIELDS, OSC_VE_HILLS}};
    int p = (int)(s->var % (sizeof picks / sizeof picks[0]));
    h[picks[p][0]] = true;
    if (picks[p][1] >= 0) h[picks[p][1]] = true;
  }
  if (h[OSC_VE_BEACH] && !h[OSC_VE_LAKE]) h[OSC_VE_OCEAN] = true;
  if (h[OSC_VE_OCEAN] && h[OSC_VE_LAKE]) h[OSC_VE_LAKE] = false; /* one water body: the sea wins */

  s->clouds = 0.38f;
  if (h[OSC_VE_CLOUDS]) s->clouds = 0.55f;
  if (h[OSC_VE_CLEAR]) s->clouds = 0.f;
  if (h[OSC_VE_OVERCAST]) s->clouds = 0.92f;
  if (h[OSC_VE_STORM]) {
    h[OSC_VE_RAIN] = h[OSC_VE_LIGHTNING] = h[OSC_VE_DRAMATIC] = true;
    s->clouds = maxf(s->clouds, 0.9f);
  }
  if (h[OSC_VE_RAIN]) { s->rain = 0.8f; s->clouds = maxf(s->clouds, 0.8f); }
  if (h[OSC_VE_SNOW]) { s->snow = 0.8f; s->clouds = maxf(s->clouds, 0.6f); }
  if (h[OSC_VE_LIGHTNING]) { s->lightning = 0.8f; s->clouds = maxf(s->clouds, 0.75f); }
  if (h[OSC_VE_FOG]) s->fog = 0.65f;
  if (h[OSC_VE_AURORA] || h[OSC_VE_STARS]) s->clouds = h[OSC_VE_CLOUDS] ? s->clouds : 0.15f;

  s->pan = 0.010f; s->zoom = 0.f; s->drift = 0.3f;
  if (h[OSC_VE_PAN]) s->pan = 0.045f;
  if (h[OSC_VE_ZOOM]) s->zoom = 0.015f;
  if (h[OSC_VE_DRIFT]) s->drift = 1.f;
  if (h[OSC_VE_CALM]) { s->pan *= 0.5f; s->drift *= 0.5f; }
  if (h[OSC_VE_STATIC]) s->pan = s->zoom = s->drift = 0.f;
  if (s->var & 2) s->pan = -s->pan;
  bool dark = s->tod == OSC_VE_NIGHT || s->tod == OSC_VE_DUSK;
  s->stars = h[OSC_VE_STARS] || (dark && s->clouds < 0.8f);
  s->moon = h[OSC_VE_MOON] || (s->tod == OSC_VE_NIGHT && (s->var & 4) && s->clouds < 0.8f);
  s->snow_ground = h[OSC_VE_SNOW] || h[OSC_VE_WINTER];

  s->sat = 1.05f; s->contrast = 1.f; s->exposure = 1.f; s->vignette = 0.22f; s->warm = 0.f;
  if (h[OSC_VE_CALM]) { s->sat = 0.92f; s->contrast = 0.93f; }
  if (h[OSC_VE_DRAMATIC]) { s->contrast = 1.14f; s->vignette = 0.45f; s->sat = 1.1f; s->clouds = maxf(s->clouds, 0.6f); }
  if (h[OSC_VE_VIBRANT]) s->sat = 1.3f;
  if (h[OSC_VE_DREAMY]) { s->sat = 0.85f; s->contrast = 0.85f; s->exposure = 1.08f; s->fog = maxf(s->fog, 0.25f); s->warm += 0.15f; }
  if (h[OSC_VE_GLOOMY]) { s->sat = 0.7f; s->exposure = 0.78f; s->warm -= 0.4f; s->clouds = maxf(s->clouds, 0.75f); }
  if (h[OSC_VE_WINTER]) s->warm -= 0.25f;
  if (h[OSC_VE_AUTUMN]) s->warm += 0.15f;
}

int osc__video_scene_from_prompt(const char *prompt, uint64_t seed, osc_scene **out) {
  if (!out) return osc_seterr(OSC_EINVAL, "scene_from_prompt: out is NULL");
  *out = NULL;
  if (!prompt) return osc_seterr(OSC_EINVAL, "prompt: is NULL");
  osc_scene *s = calloc(1, sizeof *s);
  if (!s) return osc_seterr(OSC_ENOMEM, "scene: out of memory");
  s->seed = seed;
  s->tod = -1;

  /* split into lower-case ASCII words (at most 256; each at most 31 chars) */
  enum { MAXW = 256 };
  char(*words)[32] = calloc(MAXW, 32);
  if (!words) { free(s); return osc_seterr(OSC_ENOMEM, "scene: out of memory"); }
  int nw = 0;
  uint64_t ph = 0x5ce7e5eedULL;
  for (const unsigned char *p = (const unsigned char *)prompt; *p && nw < MAXW;) {
    if (!isalpha(*p) || *p >= 0x80) { p++; continue; }
    int n = 0;
    while (*p && *p < 0x80 && isalpha(*p)) {
      if (n < 31) words[nw][n++] = (char)tolower(*p);
      p++;
    }
    words[nw][n] = 0;
    ph = osc_hash64(words[nw], (size_t)n, ph);
    nw++;
  }
  s->var = osc_mix64(seed ^ osc_mix64(ph));
  for (int i = 0; i < nw; i++) {
    if (i + 1 < nw) {
      char two[64];
      snprintf(two, sizeof two, "%s %s", words[i], words[i + 1]);
      int e = osc__video_lexicon_lookup(two);
      if (e >= 0) { add_match(s, two, e); i++; continue; }
    }
    int e = osc__video_lexicon_lookup(words[i]);
    if (e >= 0) add_match(s, words[i], e);
  }
  free(words);
  derive(s);
  *out = s;
  return OSC_OK;
}

void osc__video_scene_free(osc_scene *s) { free(s); }

void osc__video_scene_set_mood(osc_scene *s, double valence) {
  if (!s) return;
  if (!(valence >= -1.0)) valence = valence > 0 ? 1.0 : -1.0; /* NaN and below -1 */
  if (valence > 1.0) valence = 1.0;
  s->valence = (float)valence;
}

int osc__video_scene_has(const osc_scene *s, const char *element) {
  if (!s || !element) return 0;
  for (int e = 0; e < OSC_VE_COUNT; e++)
    if (strcmp(osc__video_elem_name(e), element) == 0) return e <= OSC_VE_NIGHT ? s->tod == e : s->has[e];
  return 0;
}

int osc__video_scene_json(const osc_scene *s, char **out) {
  if (!s || !out) return osc_seterr(OSC_EINVAL, "scene_json: NULL argument");
  json_t *o = json_object(), *m = json_array(), *el = json_array();
  if (!o || !m || !el) { json_decref(o); json_decref(m); json_decref(el); return osc_seterr(OSC_ENOMEM, "scene_json: out of memory"); }
  for (int i = 0; i < s->nmatch; i++)
    json_array_append_new(m, json_pack("{s:s,s:s,s:s}", "word", s->match[i].word, "element",
                                       osc__video_elem_name(s->match[i].elem), "category",
                                       osc__video_elem_category(s->match[i].elem)));
  for (int e = OSC_VE_CLEAR; e < OSC_VE_COUNT; e++)
    if (s->has[e]) json_array_append_new(el, json_string(osc__video_elem_name(e)));
  json_object_set_new(o, "seed", json_integer((json_int_t)(s->seed & 0x7fffffffffffffffULL)));
  json_object_set_new(o, "default", json_boolean(s->is_default));
  json_object_set_new(o, "time_of_day", json_string(g_tod_names[s->tod]));
  json_object_set_new(o, "elements", el);
  json_object_set_new(o, "matched", m);
  json_object_set_new(o, "sky", json_pack("{s:f,s:b,s:b,s:b}", "clouds", (double)s->clouds, "stars",
                                          s->stars,
                                          "moon", s->moon,
                                          "aurora", s->has[OSC_VE_AURORA]));
  json_object_set_new(o, "weather", json_pack("{s:f,s:f,s:f,s:f}", "rain", (double)s->rain, "snow",
                                              (double)s->snow, "fog", (double)s->fog, "lightning",
                                              (double)s->lightning));
  json_object_set_new(o, "camera", json_pack("{s:f,s:f,s:f}", "pan", (double)s->pan, "zoom", (double)s->zoom,
                                             "drift", (double)s->drift));
  json_object_set_new(o, "grade", json_pack("{s:f,s:f,s:f,s:f,s:f,s:f}", "saturation", (double)s->sat,
                                             "contrast", (double)s->contrast, "exposure", (double)s->exposure,
                                             "warmth", (double)(s->warm + 0.5f * s->valence), "vignette",
                                             (double)s->vignette, "valence", (double)s->valence));
  *out = osc_json_dump(o);
  json_decref(o);
  return *out ? OSC_OK : osc_seterr(OSC_ENOMEM, "scene_json: out of memory");
}
