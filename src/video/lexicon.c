/*
 * video/lexicon.c - the prompt lexicon: words and two-word phrases mapped to
 * scene elements.
 *
 * The table is the single source of truth: the scene parser looks words up
 * here, `oscontent video scenes` prints it (osc__video_lexicon_json), and
 * docs/video_lexicon.md is its Markdown rendering (a test checks that the
 * file matches).  Words are lower-case ASCII; lookup also tries the word
 * without a plural "s"/"es".
 */
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "core/json.h"
#include "oscontent/error.h"
#include "video/render.h"
#include "video/scene_int.h"

static const struct {
  const char *name, *category, *desc;
} g_elems[] = {
#define OSC__VE(id, name, cat, desc) {name, cat, desc},
    OSC_VELEM_LIST(OSC__VE)
#undef OSC__VE
};

typedef struct {
  const char *word;
  int elem;
} lex_entry;

static const lex_entry g_lex[] = {
    /* time of day */
    {"sunrise", OSC_VE_SUNRISE}, {"dawn", OSC_VE_SUNRISE}, {"daybreak", OSC_VE_SUNRISE},
    {"morning", OSC_VE_SUNRISE}, {"sunup", OSC_VE_SUNRISE}, {"first light", OSC_VE_SUNRISE},
    {"golden hour", OSC_VE_GOLDEN}, {"golden", OSC_VE_GOLDEN}, {"afternoon", OSC_VE_GOLDEN},
    {"warm light", OSC_VE_GOLDEN},
    {"noon", OSC_VE_NOON}, {"midday", OSC_VE_NOON}, {"day", OSC_VE_NOON}, {"daytime", OSC_VE_NOON},
    {"sunny", OSC_VE_NOON}, {"sunshine", OSC_VE_NOON}, {"summer", OSC_VE_NOON},
    {"sunset", OSC_VE_SUNSET}, {"sundown", OSC_VE_SUNSET}, {"evening", OSC_VE_SUNSET},
    {"sunsets", OSC_VE_SUNSET},
    {"dusk", OSC_VE_DUSK}, {"twilight", OSC_VE_DUSK}, {"blue hour", OSC_VE_DUSK},
    {"gloaming", OSC_VE_DUSK}, {"afterglow", OSC_VE_DUSK},
    {"night", OSC_VE_NIGHT}, {"nighttime", OSC_VE_NIGHT}, {"midnight", OSC_VE_NIGHT},
    {"nocturnal", OSC_VE_NIGHT}, {"tonight", OSC_VE_NIGHT},
    /* sky */
    {"clear", OSC_VE_CLEAR}, {"cloudless", OSC_VE_CLEAR}, {"clear sky", OSC_VE_CLEAR},
    {"cloud", OSC_VE_CLOUDS}, {"cloudy", OSC_VE_CLOUDS}, {"clouds", OSC_VE_CLOUDS},
    {"cumulus", OSC_VE_CLOUDS}, {"sky", OSC_VE_CLOUDS}, {"skies", OSC_VE_CLOUDS},
    {"overcast", OSC_VE_OVERCAST}, {"grey", OSC_VE_OVERCAST}, {"gray", OSC_VE_OVERCAST},
    {"stratus", OSC_VE_OVERCAST},
    {"star", OSC_VE_STARS}, {"starry", OSC_VE_STARS}, {"starlight", OSC_VE_STARS},
    {"galaxy", OSC_VE_STARS}, {"milky way", OSC_VE_STARS}, {"cosmos", OSC_VE_STARS},
    {"space", OSC_VE_STARS},
    {"moon", OSC_VE_MOON}, {"moonlight", OSC_VE_MOON}, {"moonlit", OSC_VE_MOON},
    {"lunar", OSC_VE_MOON}, {"full moon", OSC_VE_MOON},
    {"aurora", OSC_VE_AURORA}, {"borealis", OSC_VE_AURORA}, {"northern lights", OSC_VE_AURORA},
    {"australis", OSC_VE_AURORA}, {"polar lights", OSC_VE_AURORA},
    /* weather */
    {"rain", OSC_VE_RAIN}, {"rainy", OSC_VE_RAIN}, {"raining", OSC_VE_RAIN}, {"drizzle", OSC_VE_RAIN},
    {"rainfall", OSC_VE_RAIN}, {"shower", OSC_VE_RAIN}, {"downpour", OSC_VE_RAIN}, {"wet", OSC_VE_RAIN},
    {"snow", OSC_VE_SNOW}, {"snowy", OSC_VE_SNOW}, {"snowing", OSC_VE_SNOW}, {"snowfall", OSC_VE_SNOW},
    {"blizzard", OSC_VE_SNOW}, {"snowflake", OSC_VE_SNOW}, {"snowfalls", OSC_VE_SNOW},
    {"fog", OSC_VE_FOG}, {"foggy", OSC_VE_FOG}, {"mist", OSC_VE_FOG}, {"misty", OSC_VE_FOG},
    {"haze", OSC_VE_FOG}, {"hazy", OSC_VE_FOG}, {"smoke", OSC_VE_FOG},
    {"lightning", OSC_VE_LIGHTNING}, {"thunder", OSC_VE_LIGHTNING}, {"bolt", OSC_VE_LIGHTNING},
    {"storm", OSC_VE_STORM}, {"stormy", OSC_VE_STORM}, {"thunderstorm", OSC_VE_STORM},
    {"tempest", OSC_VE_STORM}, {"hurricane", OSC_VE_STORM},
    /* scenery */
    {"ocean", OSC_VE_OCEAN}, {"sea", OSC_VE_OCEAN}, {"seaside", OSC_VE_OCEAN}, {"wave", OSC_VE_OCEAN},
    {"coast", OSC_VE_OCEAN}, {"coastal", OSC_VE_OCEAN}, {"marine", OSC_VE_OCEAN}, {"seascape", OSC_VE_OCEAN},
    {"water", OSC_VE_OCEAN}, {"bay", OSC_VE_OCEAN},
    {"lake", OSC_VE_LAKE}, {"pond", OSC_VE_LAKE}, {"reflection", OSC_VE_LAKE}, {"river", OSC_VE_LAKE},
    {"lagoon", OSC_VE_LAKE}, {"fjord", OSC_VE_LAKE}, {"mirror", OSC_VE_LAKE},
    {"beach", OSC_VE_BEACH}, {"shore", OSC_VE_BEACH}, {"sand", OSC_VE_BEACH}, {"sandy", OSC_VE_BEACH},
    {"tropical", OSC_VE_BEACH}, {"island", OSC_VE_BEACH}, {"seashore", OSC_VE_BEACH},
    {"desert", OSC_VE_DESERT}, {"dune", OSC_VE_DESERT}, {"sahara", OSC_VE_DESERT}, {"arid", OSC_VE_DESERT},
    {"mountain", OSC_VE_MOUNTAINS}, {"peak", OSC_VE_MOUNTAINS}, {"alps", OSC_VE_MOUNTAINS},
    {"alpine", OSC_VE_MOUNTAINS}, {"range", OSC_VE_MOUNTAINS}, {"summit", OSC_VE_MOUNTAINS},
    {"canyon", OSC_VE_MOUNTAINS}, {"volcano", OSC_VE_MOUNTAINS}, {"ridge", OSC_VE_MOUNTAINS},
    {"hill", OSC_VE_HILLS}, {"rolling", OSC_VE_HILLS}, {"valley", OSC_VE_HILLS},
    {"countryside", OSC_VE_HILLS},
    {"forest", OSC_VE_FOREST}, {"wood", OSC_VE_FOREST}, {"woods", OSC_VE_FOREST}, {"tree", OSC_VE_FOREST},
    {"pine", OSC_VE_FOREST}, {"woodland", OSC_VE_FOREST}, {"jungle", OSC_VE_FOREST},
    {"taiga", OSC_VE_FOREST},
    {"city", OSC_VE_CITY}, {"skyline", OSC_VE_CITY}, {"urban", OSC_VE_CITY}, {"downtown", OSC_VE_CITY},
    {"town", OSC_VE_CITY}, {"skyscraper", OSC_VE_CITY}, {"metropolis", OSC_VE_CITY},
    {"building", OSC_VE_CITY}, {"cities", OSC_VE_CITY},
    {"field", OSC_VE_FIELDS}, {"meadow", OSC_VE_FIELDS}, {"prairie", OSC_VE_FIELDS},
    {"farmland", OSC_VE_FIELDS}, {"farm", OSC_VE_FIELDS}, {"grass", OSC_VE_FIELDS},
    {"grassland", OSC_VE_FIELDS}, {"wheat", OSC_VE_FIELDS}, {"savanna", OSC_VE_FIELDS},
    /* camera */
    {"pan", OSC_VE_PAN}, {"panning", OSC_VE_PAN}, {"panorama", OSC_VE_PAN}, {"panoramic", OSC_VE_PAN},
    {"tracking", OSC_VE_PAN},
    {"zoom", OSC_VE_ZOOM}, {"zooming", OSC_VE_ZOOM}, {"approaching", OSC_VE_ZOOM}, {"closer", OSC_VE_ZOOM},
    {"push", OSC_VE_ZOOM},
    {"drift", OSC_VE_DRIFT}, {"drifting", OSC_VE_DRIFT}, {"floating", OSC_VE_DRIFT},
    {"flying", OSC_VE_DRIFT}, {"aerial", OSC_VE_DRIFT}, {"gliding", OSC_VE_DRIFT},
    {"still", OSC_VE_STATIC}, {"static", OSC_VE_STATIC}, {"tripod", OSC_VE_STATIC},
    {"timelapse", OSC_VE_STATIC},
    /* moods */
    {"calm", OSC_VE_CALM}, {"peaceful", OSC_VE_CALM}, {"serene", OSC_VE_CALM}, {"tranquil", OSC_VE_CALM},
    {"relaxing", OSC_VE_CALM}, {"quiet", OSC_VE_CALM}, {"gentle", OSC_VE_CALM}, {"soothing", OSC_VE_CALM},
    {"dramatic", OSC_VE_DRAMATIC}, {"epic", OSC_VE_DRAMATIC}, {"majestic", OSC_VE_DRAMATIC},
    {"intense", OSC_VE_DRAMATIC}, {"moody", OSC_VE_DRAMATIC}, {"cinematic", OSC_VE_DRAMATIC},
    {"vibrant", OSC_VE_VIBRANT}, {"colorful", OSC_VE_VIBRANT}, {"colourful", OSC_VE_VIBRANT},
    {"vivid", OSC_VE_VIBRANT}, {"beautiful", OSC_VE_VIBRANT}, {"stunning", OSC_VE_VIBRANT},
    {"gorgeous", OSC_VE_VIBRANT}, {"bright", OSC_VE_VIBRANT},
    {"dreamy", OSC_VE_DREAMY}, {"pastel", OSC_VE_DREAMY}, {"soft", OSC_VE_DREAMY},
    {"magical", OSC_VE_DREAMY}, {"ethereal", OSC_VE_DREAMY}, {"fantasy", OSC_VE_DREAMY},
    {"gloomy", OSC_VE_GLOOMY}, {"dark", OSC_VE_GLOOMY}, {"ominous", OSC_VE_GLOOMY},
    {"eerie", OSC_VE_GLOOMY}, {"sad", OSC_VE_GLOOMY}, {"melancholy", OSC_VE_GLOOMY},
    {"mysterious", OSC_VE_GLOOMY},
    /* seasons */
    {"autumn", OSC_VE_AUTUMN}, {"fall", OSC_VE_AUTUMN}, {"autumnal", OSC_VE_AUTUMN},
    {"foliage", OSC_VE_AUTUMN},
    {"winter", OSC_VE_WINTER}, {"frozen", OSC_VE_WINTER}, {"icy", OSC_VE_WINTER}, {"cold", OSC_VE_WINTER},
    {"frost", OSC_VE_WINTER}, {"wintry", OSC_VE_WINTER},
    {"spring", OSC_VE_SPRING}, {"blossom", OSC_VE_SPRING}, {"green", OSC_VE_SPRING},
    {"lush", OSC_VE_SPRING},
};

const char *osc__video_elem_name(int e) { return e >= 0 && e < OSC_VE_COUNT ? g_elems[e].name : "?"; }
const char *osc__video_elem_category(int e) {
  return e >= 0 && e < OSC_VE_COUNT ? g_elems[e].category : "?";
}
int osc__video_lexicon_element_count(void) { return OSC_VE_COUNT; }

static int lookup_exact(const char *w) {
  for (size_t i = 0; i < sizeof g_lex / sizeof g_lex[0]; i++)
    if (strcmp(g_lex[i].word, w) == 0) return g_lex[i].elem;
  return -1;
}

int osc__video_lexicon_lookup(const char *word) {
  int e = lookup_exact(word);
  if (e >= 0) return e;
  size_t n = strlen(word);
  if (n < 4 || n >= 64 || strchr(word, ' ')) return -1;
  char tmp[64];
  memcpy(tmp, word, n + 1);
  if (tmp[n - 1] == 's') { /* plural: "mountains", "beaches" */
    tmp[n - 1] = 0;
    if ((e = lookup_exact(tmp)) >= 0) return e;
    if (n > 4 && tmp[n - 2] == 'e') {
      tmp[n - 2] = 0;
      if ((e = lookup_exact(tmp)) >= 0) return e;
    }
  }
  return -1;
}

int osc__video_lexicon_json(char **out) {
  if (!out) return osc_seterr(OSC_EINVAL, "lexicon_json: out is NULL");
  json_t *root = json_object(), *elems = json_array(), *words = json_array();
  if (!root || !elems || !words) goto oom;
  for (int e = 0; e < OSC_VE_COUNT; e++) {
    json_t *o = json_pack("{s:s,s:s,s:s}", "element", g_elems[e].name, "category", g_elems[e].category,
                          "description", g_elems[e].desc);
    json_t *ws = json_array();
    if (!o || !ws) { json_decref(o); json_decref(ws); goto oom; }
    for (size_t i = 0; i < sizeof g_lex / sizeof g_lex[0]; i++)
      if (g_lex[i].elem == e) json_array_append_new(ws, json_string(g_lex[i].word));
    json_object_set_new(o, "words", ws);
    json_array_append_new(elems, o);
  }
  for (size_t i = 0; i < sizeof g_lex / sizeof g_lex[0]; i++) {
    int e = g_lex[i].elem;
    json_array_append_new(words, json_pack("{s:s,s:s,s:s,s:s}", "word", g_lex[i].word, "element",
                                           g_elems[e].name, "category", g_elems[e].category,
                                           "description", g_elems[e].desc));
  }
  json_object_set_new(root, "elements", elems);
  json_object_set_new(root, "words", words);
  json_object_set_new(root, "element_count", json_integer(OSC_VE_COUNT));
  json_object_set_new(root, "word_count", json_integer((json_int_t)(sizeof g_lex / sizeof g_lex[0])));
  *out = osc_json_dump(root);
  json_decref(root);
  return *out ? OSC_OK : osc_seterr(OSC_ENOMEM, "lexicon_json: out of memory");
oom:
  json_decref(root); json_decref(elems); json_decref(words);
  return osc_seterr(OSC_ENOMEM, "lexicon_json: out of memory");
}

int osc__video_lexicon_markdown(char **out) {
  if (!out) return osc_seterr(OSC_EINVAL, "lexicon_markdown: out is NULL");
  osc_buf b = OSC_BUF_INIT;
  osc_buf_puts(&b,
               "# Video prompt lexicon\n\n"
               "Generated from `src/video/lexicon.c` (`oscontent video scenes` prints the same table as JSON);\n"
               "`tests/video/render_test.c` checks that this file matches the table.\n\n"
               "Words are matched case-insensitively; a plural `s`/`es` is stripped when the plural itself\n"
               "is not listed; two-word phrases are matched before single words; unknown words are ignored.\n"
               "When no word matches, the default scene is golden hour over a lake with mountains and clouds.\n"
               "The first time-of-day word wins; `stars`, `moon` and `aurora` imply night when no time is given.\n\n"
               "| element | category | words | what it draws |\n|---|---|---|---|\n");
  for (int e = 0; e < OSC_VE_COUNT; e++) {
    osc_buf_printf(&b, "| `%s` | %s | ", g_elems[e].name, g_elems[e].category);
    int first = 1;
    for (size_t i = 0; i < sizeof g_lex / sizeof g_lex[0]; i++)
      if (g_lex[i].elem == e) {
        osc_buf_printf(&b, "%s%s", first ? "" : ", ", g_lex[i].word);
        first = 0;
      }
    osc_buf_printf(&b, " | %s |\n", g_elems[e].desc);
  }
  if (b.oom) {
    osc_buf_release(&b);
    return osc_seterr(OSC_ENOMEM, "lexicon_markdown: out of memory");
  }
  *out = osc_buf_detach(&b, NULL);
  return OSC_OK;
}
