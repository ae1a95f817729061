/*
 * nlp/entities.c - typed entity spans by rules and gazetteers (no trained
 * model exists in Debian or npm for PERSON/ORG/LOCATION).
 *
 * Pass 1 scans the raw text for EMAIL, URL, MENTION, HASHTAG and PHONE.
 * Pass 2 walks tokens for MONEY, PERCENT, TIME, DATE, ORDINAL and CARDINAL.
 * Pass 3 groups capitalised tokens (with inner "of", "de", "&", "van", ...)
 * into spans and types each by, in order: a title before it (Mr., President
 * -> PERSON), the longest gazetteer match (Pattern entities, iso-codes
 * countries and subdivisions, geonames cities, WordNet instance nouns of
 * noun.person / noun.location / noun.group, capitalised WordNet adjectives
 * as MISC), an organisation suffix (Inc, Bank, University, ...), a known
 * first name, an earlier PERSON of the same document ("Clinton" after
 * "Bill Clinton"), an acronym (ORG), and finally the shape (two or more
 * unknown capitalised words: PERSON).  A lone capitalised common word at the
 * start of a sentence is not an entity.
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "core/util.h"
#include "nlp/nlp_internal.h"
#include "oscontent/error.h"

static const char *const TYPE_NAMES[OSC_NLP_ENT__COUNT] = {
    "PERSON", "ORG", "LOCATION", "MISC", "DATE", "TIME", "MONEY", "PERCENT", "CARDINAL", "ORDINAL",
    "EMAIL", "URL", "PHONE", "HASHTAG", "MENTION"};

const char *osc_nlp_entity_type_name(osc_nlp_entity_type type) {
  return (unsigned)type < OSC_NLP_ENT__COUNT ? TYPE_NAMES[type] : "UNKNOWN";
}

typedef struct ents {
  osc_nlp_entity *v;
  size_t n, cap;
} ents;

static int ent_add(ents *E, osc_nlp_entity_type t, size_t bs, size_t be, double score) {
  if (E->n == E->cap) {
    size_t nc = E->cap ? E->cap * 2 : 16;
    osc_nlp_entity *nv = realloc(E->v, nc * sizeof(*nv));
    if (!nv) return OSC_ENOMEM;
    E->v = nv;
    E->cap = nc;
  }
  osc_nlp_entity *e = &E->v[E->n++];
  memset(e, 0, sizeof(*e));
  e->type = t;
  e->byte_start = bs;
  e->byte_end = be;
  e->score = score;
  return OSC_OK;
}

static const char *const MONTHS[] = {"january", "february", "march", "april", "may", "june", "july", "august",
                                     "september", "october", "november", "december", "jan", "feb", "mar",
                                     "apr", "jun", "jul", "aug", "sep", "sept", "oct", "nov", "dec"};
static const char *const WEEKDAYS[] = {"monday", "tuesday", "wednesday", "thursday", "friday", "saturday",
                                       "sunday"};
static const char *const DATE_WORDS[] = {"today", "yesterday", "tomorrow", "tonight"};
static const char *const CUR_WORDS[] = {"dollar", "dollars", "euro", "euros", "pound", "pounds", "yen",
                                        "cents", "cent", "usd", "eur", "gbp", "francs", "marks", "yuan",
                                        "rupees", "pesos", "rand", "roubles", "rubles", "crowns", "dinars"};
static const char *const SCALE_WORDS[] = {"million", "billion", "trillion", "thousand", "hundred", "m", "bn",
                                          "mln", "k"};
static const char *const NUM_WORDS[] = {"one", "two", "three", "four", "five", "six", "seven", "eight", "nine",
                                        "ten", "eleven", "twelve", "thirteen", "fourteen", "fifteen", "sixteen",
                                        "seventeen", "eighteen", "nineteen", "twenty", "thirty", "forty", "fifty",
                                        "sixty", "seventy", "eighty", "ninety", "hundred", "thousand", "million",
                                        "billion", "dozen", "dozens", "hundreds", "thousands", "millions"};
static const char *const ORD_WORDS[] = {"first", "second", "third", "fourth", "fifth", "sixth", "seventh",
                                        "eighth", "ninth", "tenth", "eleventh", "twelfth", "twentieth", "last"};
static const char *const TITLES[] = {"mr", "mrs", "ms", "dr", "prof", "president", "minister", "king", "queen",
                                     "prince", "princess", "senator", "sen", "gov", "governor", "general", "gen",
                                     "judge", "pope", "sir", "lord", "lady", "captain", "capt", "coach",
                                     "chairman", "chancellor", "premier", "mayor", "rev", "father", "sister",
                                     "brother", "uncle", "aunt", "saint", "st", "col", "lt", "sgt", "officer",
                                     "detective", "inspector", "professor", "doctor", "mrs.", "mr.", "dr.",
                                     "secretary", "ambassador", "spokesman", "spokeswoman", "director", "striker",
                                     "midfielder", "defender", "goalkeeper", "champion", "leader", "manager"};
static const char *const ORG_SUFFIX[] = {
    "inc", "corp", "corporation", "co", "ltd", "llc", "plc", "group", "bank", "association", "university",
    "college", "institute", "party", "council", "committee", "ministry", "department", "agency", "commission",
    "federation", "union", "club", "company", "airlines", "airways", "motors", "technologies", "systems",
    "foundation", "society", "league", "court", "army", "police", "exchange", "news", "times", "post", "journal",
    "network", "fund", "organisation", "organization", "reserve", "board", "senate", "parliament", "congress",
    "fc", "united", "rovers", "athletic", "wanderers", "holdings", "industries", "international", "securities",
    "capital", "partners", "press", "television", "tv", "radio", "magazine", "ag", "sa", "nv", "gmbh", "bhd",
    "school", "hospital", "office", "service", "services", "authority", "assembly", "front", "movement",
    "alliance", "force", "forces", "navy", "government", "cabinet", "team", "church", "bureau", "centre",
    "center", "museum", "telecom", "electric", "petroleum", "oil", "energy", "communications", "pharmaceuticals"};
static const char *const CONNECT[] = {"of", "de", "del", "della", "van", "von", "der", "den", "la", "le", "du",
                                      "da", "dos", "bin", "al", "&", "and", "for", "the"};
static const char *const LOC_PREP[] = {"in", "at", "from", "near", "to", "across", "outside", "inside"};
static const char *const PER_VERBS[] = {"said", "says", "told", "added", "according", "wrote", "who", "scored"};

/* Membership of a lower-case token in each list above, as one bit per list:
 * one hash lookup per token replaces up to a dozen linear scans. */
enum {
  L_MONTHS = 1 << 0, L_WEEKDAYS = 1 << 1, L_DATE_WORDS = 1 << 2, L_CUR_WORDS = 1 << 3, L_SCALE_WORDS = 1 << 4,
  L_NUM_WORDS = 1 << 5, L_ORD_WORDS = 1 << 6, L_TITLES = 1 << 7, L_ORG_SUFFIX = 1 << 8, L_CONNECT = 1 << 9,
  L_LOC_PREP = 1 << 10, L_PER_VERBS = 1 << 11
};
static nlp_map g_lists;
static nlp_arena g_lists_arena;
static bool g_lists_ok;
static pthread_once_t g_lists_once = PTHREAD_ONCE_INIT;

static void lists_add(const char *const *list, size_t cnt, int bit) {
  for (size_t i = 0; i < cnt; i++) {
    nlp_map_ent *e = nlp_map_put(&g_lists, list[i], strlen(list[i]), NULL);
    if (!e) {
      g_lists_ok = false;
      return;
    }
    e->i |= bit;
  }
}
#define LISTS_ADD(arr, bit) lists_add(arr, OSC_ARRAY_LEN(arr), bit)

static void lists_init(void) {
  g_lists.arena = &g_lists_arena;
  g_lists_ok = nlp_map_init(&g_lists, &g_lists_arena, 512) == OSC_OK;
  if (!g_lists_ok) return;
  LISTS_ADD(MONTHS, L_MONTHS);
  LISTS_ADD(WEEKDAYS, L_WEEKDAYS);
  LISTS_ADD(DATE_WORDS, L_DATE_WORDS);
  LISTS_ADD(CUR_WORDS, L_CUR_WORDS);
  LISTS_ADD(SCALE_WORDS, L_SCALE_WORDS);
  LISTS_ADD(NUM_WORDS, L_NUM_WORDS);
  LISTS_ADD(ORD_WORDS, L_ORD_WORDS);
  LISTS_ADD(TITLES, L_TITLES);
  LISTS_ADD(ORG_SUFFIX, L_ORG_SUFFIX);
  LISTS_ADD(CONNECT, L_CONNECT);
  LISTS_ADD(LOC_PREP, L_LOC_PREP);
  LISTS_ADD(PER_VERBS, L_PER_VERBS);
}

static osc_nlp_entity_type gaz_type(const osc_nlp *nlp, const char *lw, size_t n, double *w) {
  const nlp_map_ent *e = nlp_map_get(&nlp->gaz, lw, n);
  if (!e) return OSC_NLP_ENT__COUNT;
  if (w) *w = e->v;
  return (osc_nlp_entity_type)e->i;
}

static bool is_email_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' || c == '_' ||
         c == '-' || c == '+' || c == '%';
}
static bool is_url_char(unsigned char c) { return c > 32 && c != '"' && c != '<' && c != '>' && c != '\'' && c < 127; }
static bool is_tag_char(unsigned char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c >= 0x80;
}

static void raw_pass(const char *s, size_t len, ents *E, unsigned char *used) {
  for (size_t i = 0; i < len; i++) {
    if (used[i]) continue;
    /* URL (the first-byte test keeps the string compares off most positions) */
    if ((s[i] == 'h' || s[i] == 'w') &&
        ((len - i > 7 && (!strncmp(s + i, "http://", 7) || !strncmp(s + i, "https://", 8))) ||
         (len - i > 4 && !strncmp(s + i, "www.", 4) && (i == 0 || !is_url_char((unsigned char)s[i - 1]))))) {
      size_t j = i;
      while (j < len && is_url_char((unsigned char)s[j])) j++;
      while (j > i && strchr(".,;:!?)]", s[j - 1])) j--;
      if (j > i + 7) {
        ent_add(E, OSC_NLP_ENT_URL, i, j, 0.99);
        memset(used + i, 1, j - i);
        i = j;
        continue;
      }
    }
    if (s[i] == '@') {
      /* EMAIL: local@domain.tld */
      size_t a = i, b = i + 1;
      while (a > 0 && is_email_char(s[a - 1])) a--;
      while (b < len && (is_email_char(s[b]))) b++;
      while (b > i + 1 && (s[b - 1] == '.' || s[b - 1] == '-')) b--;
      const char *dot = memchr(s + i + 1, '.', b - i - 1);
      if (a < i && dot && dot + 2 <= s + b && !used[a]) {
        ent_add(E, OSC_NLP_ENT_EMAIL, a, b, 0.99);
        memset(used + a, 1, b - a);
        i = b - 1;
        continue;
      }
      /* MENTION: @name after space or start */
      if ((i == 0 || !is_tag_char((unsigned char)s[i - 1])) && b > i + 1) {
        size_t j = i + 1;
        while (j < len && is_tag_char((unsigned char)s[j])) j++;
        if (j > i + 1) {
          ent_add(E, OSC_NLP_ENT_MENTION, i, j, 0.95);
          memset(used + i, 1, j - i);
          i = j - 1;
          continue;
        }
      }
    }
    if (s[i] == '#' && (i == 0 || !is_tag_char((unsigned char)s[i - 1])) && i + 1 < len &&
        is_tag_char((unsigned char)s[i + 1]) && !(s[i + 1] >= '0' && s[i + 1] <= '9')) {
      size_t j = i + 1;
      while (j < len && is_tag_char((unsigned char)s[j])) j++;
      ent_add(E, OSC_NLP_ENT_HASHTAG, i, j, 0.95);
      memset(used + i, 1, j - i);
      i = j - 1;
      continue;
    }
    /* PHONE: +CC or (area) or digit groups with separators, 7..15 digits */
    if ((s[i] == '+' || s[i] == '(' || (s[i] >= '0' && s[i] <= '9')) &&
        (i == 0 || !(is_tag_char((unsigned char)s[i - 1]) || s[i - 1] == '.' || s[i - 1] == ','))) {
      size_t j = i, digits = 0, seps = 0, groups = 0;
      bool plus = s[i] == '+', paren = false, in_digits = false;
      if (plus) j++;
      while (j < len) {
        char c = s[j];
        if (c >= '0' && c <= '9') {
          digits++;
          if (!in_digits) groups++;
          in_digits = true;
        } else if ((c == '-' || c == ' ' || c == '.' || c == '(' || c == ')') && j + 1 < len) {
          if (c == ' ' && !(s[j + 1] >= '0' && s[j + 1] <= '9') && s[j + 1] != '(') break;
          if (c == '(' || c == ')') paren = true;
          seps++;
          in_digits = false;
        } else
          break;
        j++;
      }
      while (j > i && !(s[j - 1] >= '0' && s[j - 1] <= '9')) j--;
      bool ok = digits >= 7 && digits <= 15 && groups >= 2 && (plus || paren || (groups >= 3 && seps >= 2));
      /* dates like 1996-08-30 are not phones */
      if (ok && digits == 8 && groups == 3 && !plus && !paren) ok = false;
      if (ok) {
        ent_add(E, OSC_NLP_ENT_PHONE, i, j, 0.8);
        memset(used + i, 1, j - i);
        i = j - 1;
        continue;
      }
      while (i + 1 < len && s[i + 1] >= '0' && s[i + 1] <= '9') i++;
    }
  }
}

static bool tok_used(const unsigned char *used, const nlp_tok *t) {
  for (uint32_t i = t->s; i < t->e; i++)
    if (used[i]) return true;
  return false;
}

static bool all_digits(const char *s, size_t n) {
  if (!n) return false;
  for (size_t i = 0; i < n; i++)
    if (!((s[i] >= '0' && s[i] <= '9') || s[i] == ',' || s[i] == '.')) return false;
  return true;
}

int nlp__entities(const osc_nlp *nlp, const char *text, size_t len, const nlp_toks *T, osc_nlp_entity **out,
                  size_t *nout) {
  *out = NULL;
  *nout = 0;
  ents E = {0};
  unsigned char *used = calloc(len + 1, 1);
  char(*lw)[64] = malloc((T->n + 1) * sizeof(*lw));
  uint8_t *ll = malloc(T->n + 1);
  uint16_t *lm = malloc((T->n + 1) * sizeof(*lm));
  nlp_map people = {0};
  nlp_arena parena = {0};
  people.arena = &parena;
  int rc = OSC_OK;
  pthread_once(&g_lists_once, lists_init);
  if (!used || !lw || !ll || !lm || !g_lists_ok) {
    rc = OSC_ENOMEM;
    goto out;
  }
  raw_pass(text, len, &E, used);
  const nlp_tok *t = T->v;
  size_t n = T->n;
  for (size_t i = 0; i < n; i++) {
    ll[i] = (uint8_t)nlp_lower(text + t[i].s, t[i].e - t[i].s, lw[i], sizeof lw[i]);
    const nlp_map_ent *le = ll[i] ? nlp_map_get(&g_lists, lw[i], ll[i]) : NULL;
    lm[i] = le ? (uint16_t)le->i : 0;
  }
#define LW(i) lw[i], ll[i]
#define INLW(i, arr) ((lm[i] & L_##arr) != 0)
#define IS(i, str) (ll[i] && lw[i][0] == (str)[0] && ll[i] == strlen(str) && !memcmp(lw[i], str, ll[i]))
#define USE(a, b) memset(used + t[a].s, 1, t[b].e - t[a].s)

  /* pass 2: numbers, dates, times */
  for (size_t i = 0; i < n; i++) {
    if (tok_used(used, &t[i])) continue;
    bool num = t[i].kind == TK_NUM;
    bool numword = t[i].kind == TK_WORD && INLW(i, NUM_WORDS);
    /* MONEY: $ 5 / US$ 3 / 5 dollars */
    if ((t[i].kind == TK_SYM || t[i].kind == TK_PUNCT) && i + 1 < n && t[i + 1].kind == TK_NUM) {
      const char *c = text + t[i].s;
      size_t cl = t[i].e - t[i].s;
      if ((cl == 1 && *c == '$') || (cl == 2 && !memcmp(c, "\xc2\xa3", 2)) || (cl == 3 && !memcmp(c, "\xe2\x82\xac", 3)) ||
          (cl == 2 && !memcmp(c, "\xc2\xa5", 2))) {
        size_t a = i, b = i + 1;
        if (a > 0 && t[a - 1].e == t[a].s && (IS(a - 1, "us") || IS(a - 1, "a") || IS(a - 1, "c"))) a--;
        if (b + 1 < n && INLW(b + 1, SCALE_WORDS)) b++;
        ent_add(&E, OSC_NLP_ENT_MONEY, t[a].s, t[b].e, 0.95);
        USE(a, b);
        i = b;
        continue;
      }
    }
    /* "12 March 2015": leave the day to the month rule below */
    if (num && i + 1 < n && t[i].e - t[i].s <= 2 && (t[i + 1].flags & TF_CAP) && INLW(i + 1, MONTHS)) continue;
    if (num || numword) {
      size_t b = i;
      while (b + 1 < n && (t[b + 1].kind == TK_NUM || INLW(b + 1, NUM_WORDS) || INLW(b + 1, SCALE_WORDS)) &&
             !tok_used(used, &t[b + 1]))
        b++;
      /* percent */
      if (b + 1 < n && ((t[b + 1].e - t[b + 1].s == 1 && text[t[b + 1].s] == '%') || IS(b + 1, "percent") ||
                        IS(b + 1, "pct"))) {
        ent_add(&E, OSC_NLP_ENT_PERCENT, t[i].s, t[b + 1].e, 0.95);
        USE(i, b + 1);
        i = b + 1;
        continue;
      }
      if (b + 2 < n && IS(b + 1, "per") && IS(b + 2, "cent")) {
        ent_add(&E, OSC_NLP_ENT_PERCENT, t[i].s, t[b + 2].e, 0.95);
        USE(i, b + 2);
        i = b + 2;
        continue;
      }
      /* money words */
      if (b + 1 < n && INLW(b + 1, CUR_WORDS)) {
        ent_add(&E, OSC_NLP_ENT_MONEY, t[i].s, t[b + 1].e, 0.9);
        USE(i, b + 1);
        i = b + 1;
        continue;
      }
      if (num) {
        const char *s = text + t[i].s;
        size_t sl = t[i].e - t[i].s;
        /* TIME 10:30 (am/pm) */
        if (i + 2 < n && t[i + 1].e - t[i + 1].s == 1 && text[t[i + 1].s] == ':' && t[i + 2].kind == TK_NUM &&
            t[i + 1].s == t[i].e && t[i + 2].s == t[i + 1].e && sl <= 2) {
          size_t e = i + 2;
          if (e + 1 < n && (IS(e + 1, "am") || IS(e + 1, "pm") || IS(e + 1, "a.m.") || IS(e + 1, "p.m."))) e++;
          ent_add(&E, OSC_NLP_ENT_TIME, t[i].s, t[e].e, 0.9);
          USE(i, e);
          i = e;
          continue;
        }
        if (i + 1 < n && (IS(i + 1, "am") || IS(i + 1, "pm") || IS(i + 1, "a.m.") || IS(i + 1, "p.m.") ||
                          IS(i + 1, "o'clock"))) {
          ent_add(&E, OSC_NLP_ENT_TIME, t[i].s, t[i + 1].e, 0.9);
          USE(i, i + 1);
          i++;
          continue;
        }
        /* DATE: ISO 2024-01-31, 12/05/2023, a year 1000..2099 */
        if (sl == 10 && s[4] == '-' && s[7] == '-') {
          ent_add(&E, OSC_NLP_ENT_DATE, t[i].s, t[i].e, 0.95);
          USE(i, i);
          continue;
        }
        if (i + 4 < n && text[t[i + 1].s] == '/' && t[i + 2].kind == TK_NUM && text[t[i + 3].s] == '/' &&
            t[i + 4].kind == TK_NUM && t[i + 4].s == t[i + 3].e && t[i + 1].s == t[i].e) {
          ent_add(&E, OSC_NLP_ENT_DATE, t[i].s, t[i + 4].e, 0.9);
          USE(i, i + 4);
          i += 4;
          continue;
        }
        if (sl == 4 && all_digits(s, 4) && ((s[0] == '1' && s[1] >= '5') || (s[0] == '2' && s[1] == '0')) && b == i) {
          ent_add(&E, OSC_NLP_ENT_DATE, t[i].s, t[i].e, 0.7);
          USE(i, i);
          continue;
        }
      }
      ent_add(&E, OSC_NLP_ENT_CARDINAL, t[i].s, t[b].e, 0.8);
      USE(i, b);
      i = b;
      continue;
    }
    if (t[i].kind == TK_WORD) {
      /* ordinals: 1st 22nd 3rd 4th, first..tenth (lower case) */
      const char *s = text + t[i].s;
      size_t sl = t[i].e - t[i].s;
      if (sl >= 3 && s[0] >= '0' && s[0] <= '9' &&
          (IS(i, "") || !strcmp(lw[i] + ll[i] - 2, "st") || !strcmp(lw[i] + ll[i] - 2, "nd") ||
           !strcmp(lw[i] + ll[i] - 2, "rd") || !strcmp(lw[i] + ll[i] - 2, "th")) &&
          all_digits(s, sl - 2)) {
        ent_add(&E, OSC_NLP_ENT_ORDINAL, t[i].s, t[i].e, 0.9);
        USE(i, i);
        continue;
      }
      if (INLW(i, ORD_WORDS) && !IS(i, "last") && !(t[i].flags & TF_CAP)) {
        ent_add(&E, OSC_NLP_ENT_ORDINAL, t[i].s, t[i].e, 0.8);
        USE(i, i);
        continue;
      }
      /* DATE: month (day) (, year) / day month year / weekdays / relative days */
      if (INLW(i, MONTHS) && (t[i].flags & TF_CAP) && !(IS(i, "may") && !(i + 1 < n && t[i + 1].kind == TK_NUM))) {
        size_t a = i, b = i;
        if (a > 0 && t[a - 1].kind == TK_NUM && t[a - 1].e - t[a - 1].s <= 2 && !tok_used(used, &t[a - 1])) a--;
        if (b + 1 < n && t[b + 1].kind == TK_NUM) b++;
        if (b + 1 < n && (t[b + 1].kind == TK_WORD) && ll[b + 1] <= 4 && lw[b + 1][0] >= '0' && lw[b + 1][0] <= '9') b++;
        if (b + 2 < n && text[t[b + 1].s] == ',' && t[b + 2].kind == TK_NUM && t[b + 2].e - t[b + 2].s == 4) b += 2;
        else if (b + 1 < n && t[b + 1].kind == TK_NUM && t[b + 1].e - t[b + 1].s == 4) b++;
        if (a != i || b != i || !(IS(i, "mar") || IS(i, "jan") || IS(i, "sep"))) {
          ent_add(&E, OSC_NLP_ENT_DATE, t[a].s, t[b].e, 0.9);
          USE(a, b);
          i = b;
          continue;
        }
      }
      if ((INLW(i, WEEKDAYS) && (t[i].flags & TF_CAP)) || INLW(i, DATE_WORDS)) {
        ent_add(&E, OSC_NLP_ENT_DATE, t[i].s, t[i].e, 0.85);
        USE(i, i);
        continue;
      }
      if (IS(i, "noon") || IS(i, "midnight")) {
        ent_add(&E, OSC_NLP_ENT_TIME, t[i].s, t[i].e, 0.8);
        USE(i, i);
        continue;
      }
    }
  }

  /* pass 3: capitalised spans */
  nlp_map_init(&people, &parena, 64);
  for (size_t i = 0; i < n; i++) {
    if (t[i].kind != TK_WORD || !(t[i].flags & TF_CAP) || tok_used(used, &t[i])) continue;
    size_t a = i, b = i;
    while (b + 1 < n) {
      size_t k = b + 1;
      if (tok_used(used, &t[k])) break;
      if (t[k].kind == TK_WORD && (t[k].flags & TF_CAP) && t[k].sent == t[a].sent) {
        b = k;
        continue;
      }
      /* connector followed by a capitalised word */
      if (k + 1 < n && (t[k].kind == TK_WORD || (t[k].e - t[k].s == 1 && text[t[k].s] == '&')) &&
          !(t[k].flags & TF_CAP) && INLW(k, CONNECT) && t[k + 1].kind == TK_WORD && (t[k + 1].flags & TF_CAP) &&
          !tok_used(used, &t[k + 1])) {
        /* only keep the connector when the whole thing is a known name or ends with an ORG word */
        size_t e = k + 1;
        while (e + 1 < n && t[e + 1].kind == TK_WORD && (t[e + 1].flags & TF_CAP)) e++;
        char buf[256];
        size_t bl = 0;
        bool fits = true;
        for (size_t q = a; q <= e && fits; q++) {
          if (bl + ll[q] + 2 >= sizeof buf) fits = false;
          else {
            if (q > a) buf[bl++] = ' ';
            memcpy(buf + bl, lw[q], ll[q]);
            bl += ll[q];
          }
        }
        if (fits && (nlp_map_has(&nlp->gaz, buf, bl) || INLW(e, ORG_SUFFIX) || INLW(a, ORG_SUFFIX))) {
          b = e;
          continue;
        }
      }
      break;
    }
    /* titles */
    bool titled = false;
    while (a <= b && INLW(a, TITLES)) {
      titled = true;
      a++;
      if (a <= b && text[t[a].s] == '.') a++;
    }
    if (!titled && a > 0 && INLW(a - 1, TITLES) && !(t[a - 1].flags & TF_CAP)) titled = true;
    if (a > b) {
      i = b;
      continue;
    }
    /* split at gazetteer matches: greedy longest from a */
    size_t p = a;
    while (p <= b) {
      size_t best_e = p;
      osc_nlp_entity_type bt = OSC_NLP_ENT__COUNT;
      double bw = 0;
      char buf[256];
      size_t bl = 0;
      for (size_t q = p; q <= b && q < p + (nlp->gaz_max_words ? nlp->gaz_max_words : 1); q++) {
        if (bl + ll[q] + 2 >= sizeof buf) break;
        if (q > p) buf[bl++] = ' ';
        memcpy(buf + bl, lw[q], ll[q]);
        bl += ll[q];
        double w;
        osc_nlp_entity_type gt = gaz_type(nlp, buf, bl, &w);
        if (gt != OSC_NLP_ENT__COUNT) {
          bt = gt;
          best_e = q;
          bw = w;
        }
      }
      size_t seg_e = b;
      osc_nlp_entity_type ty = OSC_NLP_ENT__COUNT;
      double score = 0.5;
      if (bt != OSC_NLP_ENT__COUNT && (best_e == b || best_e > p || bt == OSC_NLP_ENT_LOCATION || bt == OSC_NLP_ENT_MISC)) {
        seg_e = best_e;
        ty = bt;
        score = bw;
        /* "Bank of England": a location followed by more capitalised words with an org suffix */
        if (seg_e < b && INLW(b, ORG_SUFFIX)) {
          seg_e = b;
          ty = OSC_NLP_ENT_ORG;
        }
        /* "John Smith" where John is a person-gazetteer first token: extend */
        if (ty == OSC_NLP_ENT_LOCATION && seg_e < b && nlp_map_has(&nlp->first_names, LW(p))) {
          seg_e = b;
          ty = OSC_NLP_ENT_PERSON;
        }
      }
      size_t nt = seg_e - p + 1;
      if (ty == OSC_NLP_ENT__COUNT) {
        /* everything up to b is unknown */
        seg_e = b;
        nt = seg_e - p + 1;
        bool single = nt == 1;
        bool sent_start = (t[p].flags & TF_SENT_START) || (p > 0 && t[p - 1].kind == TK_PUNCT &&
                                                           (text[t[p - 1].s] == '"' || text[t[p - 1].s] == '('));
        bool common = nlp__wn_has(nlp, LW(p), 0xF) || nlp_is_stop_en(LW(p));
        if (titled) ty = OSC_NLP_ENT_PERSON, score = 0.85;
        else if (INLW(seg_e, ORG_SUFFIX) && nt >= 2) ty = OSC_NLP_ENT_ORG, score = 0.75;
        else if (nlp_map_has(&people, LW(seg_e)) || nlp_map_has(&people, LW(p))) ty = OSC_NLP_ENT_PERSON, score = 0.7;
        else if (nlp_map_has(&nlp->first_names, LW(p)) && nt >= 2) ty = OSC_NLP_ENT_PERSON, score = 0.8;
        else if ((t[p].flags & TF_ALLCAP) && single && ll[p] >= 2 && ll[p] <= 5 && !common &&
                 !(t[p].flags & TF_SENT_START))
          ty = OSC_NLP_ENT_ORG, score = 0.55;
        else if (single && sent_start && common) ty = OSC_NLP_ENT__COUNT;
        else if (single && common && (t[p].flags & TF_ALLCAP)) ty = OSC_NLP_ENT__COUNT;
        else if (nt >= 2 && !common) ty = OSC_NLP_ENT_PERSON, score = 0.55;
        else if (nt >= 2) ty = OSC_NLP_ENT_ORG, score = 0.45;
        else if (p > 0 && INLW(p - 1, LOC_PREP)) ty = OSC_NLP_ENT_LOCATION, score = 0.45;
        else if (seg_e + 1 < n && INLW(seg_e + 1, PER_VERBS)) ty = OSC_NLP_ENT_PERSON, score = 0.5;
        else if (!common) ty = OSC_NLP_ENT_PERSON, score = 0.35;
      }
      if (ty != OSC_NLP_ENT__COUNT) {
        if (ent_add(&E, ty, t[p].s, t[seg_e].e, score) != OSC_OK) {
          rc = OSC_ENOMEM;
          goto out;
        }
        if (ty == OSC_NLP_ENT_PERSON) {
          nlp_map_put(&people, LW(seg_e), NULL);
          if (seg_e > p) nlp_map_put(&people, LW(p), NULL);
        }
      }
      p = seg_e + 1;
    }
    i = b;
  }

  if ((rc = nlp__ner_refine(nlp, text, T, lw, ll, &E.v, &E.n, &E.cap)) != OSC_OK) goto out;
  /* sort by start, fill texts and code point offsets */
  for (size_t x = 1; x < E.n; x++) {
    osc_nlp_entity k = E.v[x];
    size_t y = x;
    while (y > 0 && E.v[y - 1].byte_start > k.byte_start) {
      E.v[y] = E.v[y - 1];
      y--;
    }
    E.v[y] = k;
  }
  size_t pos = 0, cps = 0;
  for (size_t x = 0; x < E.n; x++) {
    osc_nlp_entity *e = &E.v[x];
    cps += nlp_cp_count(text + pos, e->byte_start - pos);
    pos = e->byte_start;
    e->start = cps;
    e->end = cps + nlp_cp_count(text + e->byte_start, e->byte_end - e->byte_start);
    e->text = osc_strndup(text + e->byte_start, e->byte_end - e->byte_start);
    if (!e->text) {
      rc = OSC_ENOMEM;
      goto out;
    }
  }
  *out = E.v;
  *nout = E.n;
  E.v = NULL;
  E.n = 0;
out:
  if (E.v) osc_nlp_entities_free(E.v, E.n);
  free(used);
  free(lw);
  free(ll);
  free(lm);
  nlp_map_release(&people);
  nlp_arena_release(&parena);
  return rc;
}

void osc_nlp_entities_free(osc_nlp_entity *ents_, size_t n) {
  if (!ents_) return;
  for (size_t i = 0; i < n; i++) free(ents_[i].text);
  free(ents_);
}

int osc_nlp_entities(osc_nlp *nlp, const char *text, size_t len, osc_nlp_entity **out, size_t *n) {
  if (!out || !n) return osc_seterr(OSC_EINVAL, "entities: NULL output");
  *out = NULL;
  *n = 0;
  int rc = nlp__check_text(nlp, text, len);
  if (rc) return rc;
  nlp_toks t = {0};
  rc = nlp_tokenize(text, len, &t);
  if (!rc) rc = nlp__entities(nlp, text, len, &t, out, n);
  nlp_toks_release(&t);
  return rc;
}
