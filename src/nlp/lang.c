/*
 * nlp/lang.c - language identification: three models and a few rules.
 *
 *   1. Script rules for alphabets of one language (Armenian hy, Georgian ka,
 *      Japanese kana).
 *   2. Naive Bayes over the langdetect profiles (Debian python3-langdetect:
 *      character 1-3 grams, 53 ISO 639-1 codes), deterministic, on the first
 *      NB_MAX_CPS code points.  Text is normalised the way langdetect does it
 *      (non-letters become one space, all-capitals words are lower-cased after
 *      their first letter); posteriors are a softmax tempered by the n-gram
 *      count so that short texts report honest uncertainty.
 *   3. eld (lang_eld.c, 60 languages): the primary model.
 *   4. franc (lang_franc.c) over the Latin and Cyrillic languages answered
 *      here: the specialist for the languages neither of the others knows.
 *
 * Combination: eld and NB agree, or the one that knows both answers decides
 * (eld first); when neither knows the other's answer (sr against mk, ms
 * against id), franc, which knows both, decides.  A language only franc knows
 * is answered when franc prefers it to that answer by FRANC_OVERRIDE
 * (AGREE_OVERRIDE when eld and NB agree).  Letters that only some of the
 * languages write (LANG_LETTERS) restrict the answer to them (a text's letters
 * intersect their sets; eld, then franc, chooses among the candidates), and a
 * longer text answered Kazakh needs a Kazakh letter; franc's Maori
 * needs a text whose words can be Maori (maori_possible).  Yoruba written
 * without its marks, Nguni, Shona, Luganda and Tsonga taken for their
 * neighbours, the close pairs (zu/xh, sr/mk, tn/st, id/ms, sl/bs, hr/bs,
 * nl/af, hi/mr) and the groups of European languages (Scandinavian, Romance
 * with Latin and Esperanto, West Slavic, East Slavic and Bulgarian/
 * Macedonian, Mongolian) are then told apart by function words
 * and spellings (lang_pair.c), and Bokmål against Nynorsk goes to the
 * hunspell-no word lists and grammar markers when they have a vote.  A mostly
 * Latin text with a quarter of its letters in a script of its own (Urdu after
 * an English menu) is identified on that part alone.  The confidence and the
 * runners-up come from the deciding model's distribution.  A text whose
 * capitalised words (names, titles) carry much of its letters is identified
 * again without them (caps_recheck).
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <utf8proc.h>

#include "core/util.h"
#include "nlp/nlp_internal.h"
#include "oscontent/error.h"

static bool is_letter(int32_t cp) {
  if (cp < 0x80) return ((cp | 32) >= 'a' && (cp | 32) <= 'z');
  utf8proc_category_t c = utf8proc_category(cp);
  return (c >= UTF8PROC_CATEGORY_LU && c <= UTF8PROC_CATEGORY_LO) || (c >= UTF8PROC_CATEGORY_MN && c <= UTF8PROC_CATEGORY_ME);
}

/* letters that, among the languages answered here, only some languages write (the rule Lingua applies):
 * when a text has them, the answer is one of those languages; several rules' sets intersect.  Lower-case code
 * points.  A "strict" rule holds only when two words of the text have such a letter, or the text has at most
 * three words: letters common in names quoted in other languages ("Dvořák", "Łódź", "Weiß" in English news)
 * must not decide.  Turkish text mis-decoded as cp1252 writes ı ş ğ as ý þ ð ("yýlýnda doðasý"), so those
 * three letters count Turkish among their writers. */
enum {
  R_EO, R_SR, R_MK, R_SRMK, R_KK, R_KKMN, R_YO, R_YOVI, R_CS, R_HU, R_RO, R_AZ, R_SK, R_LT, R_PL, R_PLLT, R_DE,
  R_CY, R_LV, R_TRAZ, R_BE, R_UK,
  /* letters of several alphabets (ninth pass) */
  R_T_CED, R_S_CED, R_A_BREVE, R_O_TILDE, R_MACRON, R_U_MACRON, R_O_MACRON, R_A_RING, R_O_SLASH, R_ETH, R_Y_ACUTE,
  R_C_ACUTE, R_D_STROKE, R_T_CARON, R_A_UML, R_E_UML, R_C_CED, R_U_UML, R_O_UML, R_C_CARON, R_SZ_CARON, R_VI,
  R_CYR_Y, R_CYR_SHCH, R_CYR_I_DOT,
  R_COUNT
};

#define LETTER_MAX_CODES 10

static const struct {
  int script; /* applies to texts mostly in this script: 0 Latin, 1 Cyrillic (Azerbaijani text can carry
                 a Cyrillic schwa) */
  const char *codes[LETTER_MAX_CODES];
  bool strict;
} LANG_LETTERS[R_COUNT] = {
    [R_EO] = {0, {"eo"}, false},                 /* ĉ ĝ ĥ ĵ ŝ ŭ */
    [R_SR] = {1, {"sr"}, false},                 /* ђ ћ */
    [R_MK] = {1, {"mk"}, false},                 /* ѓ ќ ѕ */
    [R_SRMK] = {1, {"sr", "mk"}, false},         /* ј љ њ џ */
    [R_KK] = {1, {"kk"}, false},                 /* ә ғ қ ң ұ һ */
    [R_KKMN] = {1, {"kk", "mn"}, false},         /* ө ү */
    [R_YO] = {0, {"yo"}, false},                 /* ṣ */
    [R_YOVI] = {0, {"yo", "vi"}, false},         /* ẹ ọ */
    [R_CS] = {0, {"cs"}, true},                  /* ě ř ů */
    [R_HU] = {0, {"hu"}, true},                  /* ő ű */
    [R_RO] = {0, {"ro"}, true},                  /* ș ț (comma below) */
    [R_AZ] = {0, {"az"}, true},                  /* ə */
    [R_SK] = {0, {"sk"}, true},                  /* ľ ĺ ŕ */
    [R_LT] = {0, {"lt"}, true},                  /* ė į ų */
    [R_PL] = {0, {"pl"}, true},                  /* ł ś ź (not ż: "ďż˝" is U+FFFD read as cp1250) */
    [R_PLLT] = {0, {"pl", "lt"}, true},          /* ą ę */
    [R_DE] = {0, {"de"}, true},                  /* ß */
    [R_CY] = {0, {"cy"}, true},                  /* ŵ ŷ */
    [R_LV] = {0, {"lv"}, true},                  /* ķ ļ ņ ģ */
    [R_TRAZ] = {0, {"tr", "az"}, true},          /* ğ ı */
    [R_BE] = {1, {"be"}, true},                  /* ў */
    [R_UK] = {1, {"uk"}, true},                  /* є ї ґ */
    [R_T_CED] = {0, {"ro"}, true},                                           /* ţ (cedilla, the older form) */
    [R_S_CED] = {0, {"tr", "az", "ro"}, true},                               /* ş */
    [R_A_BREVE] = {0, {"ro", "vi"}, true},                                   /* ă */
    [R_O_TILDE] = {0, {"et", "pt", "vi", "hu"}, true},                       /* õ (Hungarian ő in Latin-1) */
    [R_MACRON] = {0, {"lv", "mi"}, true},                                    /* ā ē ī */
    [R_U_MACRON] = {0, {"lt", "lv", "mi"}, true},                            /* ū */
    [R_O_MACRON] = {0, {"mi"}, true},                                        /* ō */
    [R_A_RING] = {0, {"sv", "da", "nb", "nn", "fi"}, true},                  /* å */
    [R_O_SLASH] = {0, {"da", "nb", "nn"}, true},                             /* ø */
    [R_ETH] = {0, {"is", "tr"}, true},                                       /* ð þ */
    [R_Y_ACUTE] = {0, {"cs", "sk", "is", "vi", "tr"}, true},                 /* ý */
    [R_C_ACUTE] = {0, {"pl", "hr", "bs"}, true},                             /* ć */
    [R_D_STROKE] = {0, {"hr", "bs", "vi"}, true},                            /* đ */
    [R_T_CARON] = {0, {"cs", "sk"}, true},                                   /* ť ň */
    [R_A_UML] = {0, {"de", "sv", "fi", "et", "sk", "nl", "af"}, true},       /* ä (nl af: the trema) */
    [R_E_UML] = {0, {"sq", "af", "nl", "fr"}, true},                         /* ë */
    [R_C_CED] = {0, {"tr", "az", "pt", "fr", "ca", "sq"}, true},             /* ç */
    [R_U_UML] = {0, {"de", "tr", "az", "hu", "et", "es", "ca", "pt", "nl", "af"}, true}, /* ü */
    [R_O_UML] = {0, {"de", "sv", "fi", "et", "hu", "tr", "az", "is", "nl", "af"}, true}, /* ö */
    [R_C_CARON] = {0, {"cs", "sk", "sl", "hr", "bs", "lt", "lv"}, true},     /* č */
    [R_SZ_CARON] = {0, {"cs", "sk", "sl", "hr", "bs", "lt", "lv", "et", "fi"}, true}, /* š ž */
    [R_VI] = {0, {"vi"}, true},                                 /* ơ ư ĩ ũ, U+1EA0-1EF9 but ẹ ọ */
    [R_CYR_Y] = {1, {"ru", "be", "kk", "mn"}, true},                         /* ы э */
    [R_CYR_SHCH] = {1, {"ru", "uk", "bg", "kk", "mn"}, false},                /* щ */
    [R_CYR_I_DOT] = {1, {"uk", "be", "kk"}, false},                           /* і */
};

/* the rule of a lower-case letter, -1 none (each letter belongs to one rule) */
static int letter_rule(int32_t lc) {
  if (lc >= 0x1EA0 && lc <= 0x1EF9 && lc != 0x1EB9 && lc != 0x1ECD) return R_VI; /* Vietnamese tone letters */
  switch (lc) {
  case 0x109: case 0x11D: case 0x125: case 0x135: case 0x15D: case 0x16D: return R_EO;
  case 0x452: case 0x45B: return R_SR;
  case 0x453: case 0x45C: case 0x455: return R_MK;
  case 0x458: case 0x459: case 0x45A: case 0x45F: return R_SRMK;
  case 0x4D9: case 0x493: case 0x49B: case 0x4A3: case 0x4B1: case 0x4BB: return R_KK;
  case 0x4E9: case 0x4AF: return R_KKMN;
  case 0x1E63: return R_YO;
  case 0x1EB9: case 0x1ECD: return R_YOVI;
  case 0x11B: case 0x159: case 0x16F: return R_CS;
  case 0x151: case 0x171: return R_HU;
  case 0x219: case 0x21B: return R_RO;
  case 0x259: return R_AZ;
  case 0x13E: case 0x13A: case 0x155: return R_SK;
  case 0x117: case 0x12F: case 0x173: return R_LT;
  case 0x142: case 0x15B: case 0x17A: return R_PL;
  case 0x105: case 0x119: return R_PLLT;
  case 0xDF: return R_DE;
  case 0x175: case 0x177: return R_CY;
  case 0x137: case 0x13C: case 0x146: case 0x123: return R_LV;
  case 0x11F: case 0x131: return R_TRAZ;
  case 0x45E: return R_BE;
  case 0x454: case 0x457: case 0x491: return R_UK;
  case 0x163: return R_T_CED;
  case 0x15F: return R_S_CED;
  case 0x103: return R_A_BREVE;
  case 0xF5: return R_O_TILDE;
  case 0x101: case 0x113: case 0x12B: return R_MACRON;
  case 0x16B: return R_U_MACRON;
  case 0x14D: return R_O_MACRON;
  case 0xE5: return R_A_RING;
  case 0xF8: return R_O_SLASH;
  case 0xF0: case 0xFE: return R_ETH;
  case 0xFD: return R_Y_ACUTE;
  case 0x107: return R_C_ACUTE;
  case 0x111: return R_D_STROKE;
  case 0x165: case 0x148: return R_T_CARON;
  case 0xE4: return R_A_UML;
  case 0xEB: return R_E_UML;
  case 0xE7: return R_C_CED;
  case 0xFC: return R_U_UML;
  case 0xF6: return R_O_UML;
  case 0x10D: return R_C_CARON;
  case 0x161: case 0x17E: return R_SZ_CARON;
  case 0x1A1: case 0x1B0: case 0x129: case 0x169: return R_VI;
  case 0x44B: case 0x44D: return R_CYR_Y;
  case 0x449: return R_CYR_SHCH;
  case 0x456: return R_CYR_I_DOT;
  default: return -1;
  }
}

/* adds one word's letter rules to the per-rule word counts (saturating) */
static void count_rule_words(uint64_t rules, uint8_t *rule_words) {
  for (size_t r = 0; rules; r++, rules >>= 1)
    if ((rules & 1) && rule_words[r] < 255) rule_words[r]++;
}

/* the languages the text's letters allow (n = 0: no restriction) */
static int letter_candidates(uint64_t rules, int script, const char *cand[LETTER_MAX_CODES]) {
  int n = 0;
  for (size_t r = 0; r < R_COUNT; r++) {
    if (!(rules & (1ull << r)) || LANG_LETTERS[r].script != script) continue;
    const char *const *rc = LANG_LETTERS[r].codes;
    int rn = 0;
    while (rn < LETTER_MAX_CODES && rc[rn]) rn++;
    if (n == 0) {
      for (int i = 0; i < rn; i++) cand[i] = rc[i];
      n = rn;
      continue;
    }
    /* intersect; an empty intersection (letters of unrelated alphabets) drops the restriction */
    int k = 0;
    for (int i = 0; i < n; i++)
      for (int j = 0; j < rn; j++)
        if (!strcmp(cand[i], rc[j])) cand[k++] = cand[i];
    if (k == 0) return 0;
    n = k;
  }
  return n;
}

/* Maori's alphabet is a e i o u (ā ē ī ō ū long) h k m n p r t w ng wh, and every syllable is open: a word
 * can be Maori only if it is a run of (consonant) vowel syllables.  A text is Maori-possible when at least half
 * of its words can be Maori; words that start with a capital (names, often English in Maori news) are left
 * out when the text has others.  franc's Maori profile otherwise wins short texts of other languages whose
 * trigrams it shares ("ka", "te", "ki"). */
static bool maori_syllables(const int32_t *w, size_t n) {
  size_t i = 0;
  while (i < n) {
    if (i + 1 < n && ((w[i] == 'n' && w[i + 1] == 'g') || (w[i] == 'w' && w[i + 1] == 'h'))) i += 2;
    else if (w[i] && strchr("hkmnprtw", (int)w[i]) && w[i] < 0x80) i++;
    if (i >= n) return false;
    int32_t v = w[i];
    if (!((v < 0x80 && v && strchr("aeiou", (int)v)) || v == 0x101 || v == 0x113 || v == 0x12B || v == 0x14D ||
          v == 0x16B))
      return false;
    i++;
  }
  return n > 0;
}

static bool maori_possible(const char *text, size_t len) {
  size_t words[2] = {0, 0}, maori[2] = {0, 0}; /* [0] lower-case initial, [1] capital initial */
  int32_t w[32];
  size_t n = 0;
  bool cap = false, fits = true;
  for (size_t i = 0; i <= len;) {
    utf8proc_int32_t cp = ' ';
    if (i < len) {
      utf8proc_ssize_t a = utf8proc_iterate((const utf8proc_uint8_t *)text + i, (utf8proc_ssize_t)(len - i), &cp);
      i += a > 0 ? (size_t)a : 1;
      if (a <= 0) cp = ' ';
    } else {
      i++;
    }
    if (cp == 0x304 && n) continue; /* a combining macron (decomposed ā) */
    if (is_letter(cp)) {
      int32_t lc = utf8proc_tolower(cp);
      if (n == 0) cap = lc != cp;
      if (n < OSC_ARRAY_LEN(w)) w[n++] = lc;
      else fits = false;
      continue;
    }
    if (n && fits) {
      words[cap]++;
      maori[cap] += maori_syllables(w, n);
    }
    n = 0;
    fits = true;
  }
  int k = words[0] ? 0 : 1;
  return maori[k] * 2 >= words[k];
}

#define NB_MAX_CPS 384

/* what the first pass saw: letters per script, and the NB posterior over the profiles' languages */
typedef struct lang_obs {
  size_t letters, latin, cyrillic;
  uint64_t letter_rules;    /* bit r: the text has letters of LANG_LETTERS[r] (in two words when strict) */
  uint64_t letter_seen;     /* bit r: a word has a letter of LANG_LETTERS[r] */
  bool script;              /* decided by a script rule */
  size_t nb_grams;          /* 0: no NB posterior */
  double nb[NLP_MAX_LANGS]; /* posterior per nlp->lang_codes */
} lang_obs;

static void nb_language(const osc_nlp *nlp, const char *text, size_t len, osc_nlp_lang *out, lang_obs *ob) {
  memset(out, 0, sizeof(*out));
  memset(ob, 0, sizeof(*ob));
  snprintf(out->code, sizeof out->code, "und");
  /* decode into normalised code points; the first NB_MAX_CPS identify a language (eld reads 380 bytes) */
  int32_t cps[NB_MAX_CPS];
  size_t cap = NB_MAX_CPS;
  size_t n = 0, letters = 0, armenian = 0, georgian = 0, kana = 0, words = 0, midcaps = 0;
  uint64_t word_rules = 0, any_rules = 0;
  uint8_t rule_words[R_COUNT] = {0};
  cps[n++] = ' ';
  for (size_t i = 0; i < len && n + 1 < cap;) {
    utf8proc_int32_t cp;
    if (!nlp__next_cp(text, len, &i, &cp)) continue;
    if (!is_letter(cp)) {
      if (cps[n - 1] != ' ') {
        cps[n++] = ' ';
        words++;
        count_rule_words(word_rules, rule_words);
        word_rules = 0;
      }
      continue;
    }
    letters++;
    if (cp >= 0xC0) {
      int32_t lc = utf8proc_tolower(cp);
      int r = letter_rule(lc);
      if (r >= 0) word_rules |= 1ull << r;
      /* a capital after a lower-case letter: UTF-8 read as cp1250/cp1252 ("vyhledĂˇvĂˇnĂ­", "kĂ¶nnen") */
      if (lc != cp && cps[n - 1] != ' ' && utf8proc_tolower(cps[n - 1]) == cps[n - 1]) midcaps++;
    }
    if (cp < 0x250) ob->latin++;
    else if (cp >= 0x0400 && cp <= 0x052F) ob->cyrillic++;
    if (cp >= 0x0530 && cp <= 0x058F) armenian++;
    if (cp >= 0x10A0 && cp <= 0x10FF) georgian++;
    if (cp >= 0x3040 && cp <= 0x30FF) kana++;
    cps[n++] = cp;
  }
  if (cps[n - 1] != ' ') {
    cps[n++] = ' ';
    words++;
    count_rule_words(word_rules, rule_words);
  }
  for (size_t r = 0; r < R_COUNT; r++) {
    if (!rule_words[r]) continue;
    ob->letter_seen |= 1ull << r;
    /* mis-decoded text: its Latin letters say nothing of its language */
    if ((!LANG_LETTERS[r].strict || rule_words[r] >= 2 || words <= 3) && !(midcaps && LANG_LETTERS[r].script == 0))
      any_rules |= 1ull << r;
  }
  ob->letter_rules = any_rules;
  ob->letters = letters;
  if (letters == 0) goto done;
  if (armenian * 2 > letters || georgian * 2 > letters || kana * 10 >= letters) {
    /* scripts of one language: Armenian, Georgian, and kana (Japanese; Chinese has none) */
    snprintf(out->code, sizeof out->code, "%s", armenian * 2 > letters ? "hy" : georgian * 2 > letters ? "ka" : "ja");
    out->confidence = 0.99;
    out->reliable = letters >= 3;
    out->ntop = 1;
    snprintf(out->top[0].code, sizeof out->top[0].code, "%s", out->code);
    out->top[0].prob = out->confidence;
    ob->script = true;
    goto done;
  }
  if (!nlp->have_lang) goto done;
  /* ALL-CAPS words: lower-case after the first letter */
  for (size_t i = 1; i < n; i++) {
    if (cps[i] == ' ' || cps[i - 1] != ' ') continue;
    size_t j = i;
    bool allcap = true;
    while (j < n && cps[j] != ' ') {
      if (utf8proc_toupper(cps[j]) != cps[j]) allcap = false;
      j++;
    }
    if (allcap && j - i > 1)
      for (size_t k = i + 1; k < j; k++) cps[k] = utf8proc_tolower(cps[k]);
  }
  size_t L = nlp->nlangs;
  double score[NLP_MAX_LANGS] = {0};
  size_t grams = 0;
  char buf[16];
  for (size_t i = 1; i < n; i++) {
    for (size_t g = 1; g <= 3 && g <= i + 1; g++) {
      size_t st = i + 1 - g;
      if (g == 1 && cps[i] == ' ') continue;
      if (g > 1 && cps[st] == ' ' && cps[i] == ' ') continue;
      if (g == 3 && cps[st + 1] == ' ') continue; /* "a b" never occurs in profiles */
      size_t o = 0;
      for (size_t k = st; k <= i; k++) o += (size_t)utf8proc_encode_char(cps[k], (utf8proc_uint8_t *)buf + o);
      const nlp_map_ent *e = nlp_map_get(&nlp->lang_ngrams, buf, o);
      if (!e) continue;
      const float *lp = nlp->lang_probs + (size_t)e->i * L;
      for (size_t l = 0; l < L; l++) score[l] += lp[l];
      grams++;
    }
    /* long texts: stop once the leader is settled (posterior odds over the runner-up > e^8 at the
       temperature used below); identification needs a few hundred n-grams, not a whole document */
    if (grams >= 128 && (i & 31) == 0) {
      double b1 = -1e300, b2 = -1e300;
      for (size_t l = 0; l < L; l++) {
        if (score[l] > b1) {
          b2 = b1;
          b1 = score[l];
        } else if (score[l] > b2) {
          b2 = score[l];
        }
      }
      if ((b1 - b2) * 2.0 / sqrt((double)grams) > 8.0) break;
    }
  }
  if (!grams) goto done;
  /* softmax with temperature: NB over-counts correlated n-grams; the sqrt scaling keeps
   * posteriors of short texts from saturating */
  double temp = 1.0 / sqrt((double)grams) * 2.0;
  if (temp > 1) temp = 1;
  double mx = -1e300;
  for (size_t l = 0; l < L; l++)
    if (score[l] > mx) mx = score[l];
  double p[NLP_MAX_LANGS], z = 0;
  for (size_t l = 0; l < L; l++) {
    p[l] = exp((score[l] - mx) * temp);
    z += p[l];
  }
  for (size_t l = 0; l < L; l++) ob->nb[l] = p[l] /= z;
  ob->nb_grams = grams;
  for (int k = 0; k < 3 && (size_t)k < L; k++) {
    size_t best = L;
    for (size_t l = 0; l < L; l++) {
      bool used = false;
      for (int q = 0; q < k; q++)
        if (!strcmp(out->top[q].code, nlp->lang_codes[l])) used = true;
      if (!used && (best == L || p[l] > p[best])) best = l;
    }
    if (best == L) break;
    snprintf(out->top[k].code, sizeof out->top[k].code, "%s", nlp->lang_codes[best]);
    out->top[k].prob = p[best];
    out->ntop = k + 1;
  }
  snprintf(out->code, sizeof out->code, "%s", out->top[0].code);
  out->confidence = out->top[0].prob;
  out->reliable = out->confidence >= 0.9 && letters >= 10;
done:;
}


/* the three models' views of one text, each normalised to [0, 1] per language (1 = the model's best) */
typedef struct lang_views {
  size_t eld_ngrams;
  double eld[NLP_ELD_MAX_LANGS];     /* eld's 0-1 score: s/(s+25), s = raw score per n-gram */
  int franc_tri;
  double franc[NLP_FRANC_MAX_LANGS]; /* franc's 1 - (d - dmin) / (chars * 300 - dmin) */
  bool franc_used[NLP_FRANC_MAX_LANGS];
} lang_views;

static void eld_view(const osc_nlp *nlp, const char *text, size_t len, lang_views *v) {
  double raw[NLP_ELD_MAX_LANGS];
  size_t ng = nlp__eld_score(&nlp->eld, text, len, raw);
  v->eld_ngrams = ng;
  for (size_t l = 0; l < nlp->eld.nlangs; l++) {
    double s = ng ? raw[l] / (double)ng : 0;
    v->eld[l] = s / (s + 25.0);
  }
}

static void franc_view(const osc_nlp *nlp, const char *text, size_t len, int script, lang_views *v) {
  double d[NLP_FRANC_MAX_LANGS];
  int nt = nlp__franc_distance(&nlp->franc, text, len, script, d);
  v->franc_tri = nt;
  if (nt <= 0) return;
  double mn = 1e300;
  for (size_t l = 0; l < nlp->franc.nlangs; l++)
    if (nlp->franc.script[l] == script && d[l] < mn) mn = d[l];
  double mx = (double)nt * 300.0 - mn;
  for (size_t l = 0; l < nlp->franc.nlangs; l++) {
    v->franc_used[l] = nlp->franc.script[l] == script;
    v->franc[l] = v->franc_used[l] && mx > 0 ? 1.0 - (d[l] - mn) / mx : 0;
  }
}

static bool code_in(char (*codes)[8], size_t n, const char *c) {
  for (size_t i = 0; i < n; i++)
    if (!strcmp(codes[i], c)) return true;
  return false;
}

/* franc's score of a code (a code can have one profile per script; the unused one scores 0) */
static double franc_of(const osc_nlp *nlp, const lang_views *v, const char *c) {
  double s = 0;
  for (size_t l = 0; l < nlp->franc.nlangs; l++)
    if (v->franc_used[l] && !strcmp(nlp->franc.codes[l], c) && v->franc[l] > s) s = v->franc[l];
  return s;
}

/* one model's answer as a distribution: p_l ∝ exp(tau * sqrt(n) * (s_l - s_max)), s in [0, 1]; the sqrt of the
 * evidence count keeps short texts uncertain, as the NB temperature does */
typedef struct lang_dist {
  size_t n;
  const char *code[NLP_MAX_LANGS + NLP_FRANC_MAX_LANGS];
  double p[NLP_MAX_LANGS + NLP_FRANC_MAX_LANGS];
} lang_dist;

/* the distribution that gives the confidence of an answer w: eld's when eld knows it, else NB's, else franc's */
static lang_dist *model_of(const osc_nlp *nlp, const char *w, lang_dist *de, lang_dist *dn, lang_dist *df) {
  if (code_in((char (*)[8])nlp->eld.codes, nlp->eld.nlangs, w)) return de;
  return code_in((char (*)[8])nlp->lang_codes, nlp->nlangs, w) ? dn : df;
}

static void dist_from(lang_dist *d, char (*codes)[8], const double *s, const bool *used, size_t n, double tau,
                      double evidence) {
  d->n = 0;
  double mx = -1e300, z = 0, k = tau * sqrt(evidence > 1 ? evidence : 1);
  for (size_t l = 0; l < n; l++)
    if ((!used || used[l]) && s[l] > mx) mx = s[l];
  /* each code occurs once among the used entries (franc keeps one script's profiles) */
  for (size_t l = 0; l < n; l++) {
    if (used && !used[l]) continue;
    double e = exp(k * (s[l] - mx));
    d->code[d->n] = codes[l];
    d->p[d->n++] = e;
    z += e;
  }
  for (size_t q = 0; q < d->n; q++) d->p[q] /= z;
}

/* fills out's top 3 from d with best first; best may be absent from d (then it gets the mass p_best) */
static void fill_top(osc_nlp_lang *out, const char *best, double p_best, const lang_dist *d) {
  osc_nlp_lang r;
  memset(&r, 0, sizeof r);
  snprintf(r.code, sizeof r.code, "%s", best);
  snprintf(r.top[0].code, sizeof r.top[0].code, "%s", best);
  r.top[0].prob = p_best;
  r.ntop = 1;
  bool used[NLP_MAX_LANGS + NLP_FRANC_MAX_LANGS] = {0};
  for (size_t q = 0; q < d->n; q++)
    if (!strcmp(d->code[q], best)) used[q] = true;
  double rest = 0;
  for (size_t q = 0; q < d->n; q++)
    if (!used[q]) rest += d->p[q];
  double scale = rest > 0 ? (1.0 - p_best) / rest : 0;
  while (r.ntop < 3) {
    size_t b = d->n;
    for (size_t q = 0; q < d->n; q++)
      if (!used[q] && (b == d->n || d->p[q] > d->p[b])) b = q;
    if (b == d->n) break;
    used[b] = true;
    snprintf(r.top[r.ntop].code, sizeof r.top[0].code, "%s", d->code[b]);
    r.top[r.ntop++].prob = d->p[b] * scale;
  }
  r.confidence = p_best;
  *out = r;
}

#define ELD_TAU 20.0  /* eld scores: a 0.03 lead over 100 n-grams gives odds of e^6 */
#define FRANC_TAU 4.0 /* franc scores: a 0.05 lead over 100 trigrams gives odds of e^2 */
#define FRANC_OVERRIDE 0.02 /* franc's lead over the others' answer needed to answer a language only it knows */
#define AGREE_OVERRIDE 0.05 /* the same when eld and NB agree on their answer */
#define KK_MIN_LETTERS 30   /* Cyrillic letters of a text answered Kazakh that must include a Kazakh letter */

static bool cand_has(const char *const *cand, int n, const char *c) {
  for (int i = 0; i < n; i++)
    if (!strcmp(cand[i], c)) return true;
  return false;
}

/* franc's best among cand[0..n) (ties: the first), or among all its languages of the text's script (n = 0),
 * other than except */
static const char *franc_best(const osc_nlp *nlp, const lang_views *v, const char *const *cand, int n,
                              const char *except) {
  const char *best = "und";
  double bs = -1;
  if (n) {
    for (int i = 0; i < n; i++) {
      double f = franc_of(nlp, v, cand[i]);
      if ((!except || strcmp(cand[i], except)) && f > bs) bs = f, best = cand[i];
    }
    return best;
  }
  for (size_t l = 0; l < nlp->franc.nlangs; l++) {
    const char *c = nlp->franc.codes[l];
    if (v->franc_used[l] && (!except || strcmp(c, except)) && v->franc[l] > bs) bs = v->franc[l], best = c;
  }
  return best;
}

/* the answer among the letters' candidates: eld's best of those it knows, unless franc prefers one that only it
 * knows by FRANC_OVERRIDE (as the models are combined); franc's best when eld knows none */
static const char *letters_choose(const osc_nlp *nlp, const lang_views *v, const char *const *cand, int n) {
  const char *e = NULL, *f = NULL;
  double es = -1, fs = -1;
  for (int i = 0; i < n; i++) {
    size_t l = 0;
    while (l < nlp->eld.nlangs && strcmp(nlp->eld.codes[l], cand[i])) l++;
    if (l < nlp->eld.nlangs && v->eld_ngrams) {
      if (v->eld[l] > es) es = v->eld[l], e = cand[i];
    } else if (franc_of(nlp, v, cand[i]) > fs) {
      fs = franc_of(nlp, v, cand[i]), f = cand[i];
    }
  }
  if (!e) return franc_best(nlp, v, cand, n, NULL);
  return f && fs - franc_of(nlp, v, e) > FRANC_OVERRIDE ? f : e;
}

/* scripts of their own (not Latin or Cyrillic) for the mixed-script rule: 1 + the row, 0 none */
static const int32_t OTHER_SCRIPTS[][2] = {
    {0x0370, 0x03FF}, /* Greek */
    {0x0590, 0x05FF}, /* Hebrew */
    {0x0600, 0x06FF}, /* Arabic (Arabic, Persian, Urdu) */
    {0x0750, 0x077F}, /* Arabic Supplement */
    {0xFB50, 0xFDFF}, /* Arabic presentation forms A */
    {0xFE70, 0xFEFF}, /* Arabic presentation forms B */
    {0x0900, 0x097F}, /* Devanagari */
    {0x0980, 0x09FF}, /* Bengali */
    {0x0A00, 0x0A7F}, /* Gurmukhi */
    {0x0A80, 0x0AFF}, /* Gujarati */
    {0x0B80, 0x0BFF}, /* Tamil */
    {0x0C00, 0x0C7F}, /* Telugu */
    {0x0C80, 0x0CFF}, /* Kannada */
    {0x0D00, 0x0D7F}, /* Malayalam */
    {0x0E00, 0x0E7F}, /* Thai */
    {0x1100, 0x11FF}, /* Hangul Jamo */
    {0xAC00, 0xD7AF}, /* Hangul syllables */
    {0x3040, 0x30FF}, /* kana */
    {0x4E00, 0x9FFF}, /* CJK ideographs */
};

static int other_script(int32_t cp) {
  for (size_t r = 0; r < OSC_ARRAY_LEN(OTHER_SCRIPTS); r++)
    if (cp >= OTHER_SCRIPTS[r][0] && cp <= OTHER_SCRIPTS[r][1]) {
      /* the Arabic blocks are one script */
      return r >= 2 && r <= 5 ? 3 : (int)r + 1;
    }
  return 0;
}

#define MIXED_MAX_BYTES 4096

/* A text mostly in Latin letters with a large part (a quarter of its letters or more) in a script of its own:
 * web pages in Urdu, Hindi or Persian carry English menus and bylines ("Read More Politics Latest News from ... in
 * Urdu" before the Urdu headline), and the models read the Latin part as English or, franc, as Latin.  The part
 * in that script is identified alone.  Returns false (out untouched) when no such script has a quarter of the
 * letters or its part gives no answer. */
static void lang_identify(const osc_nlp *nlp, const char *text, size_t len, osc_nlp_lang *out);

static bool mixed_script(const osc_nlp *nlp, const char *text, size_t len, osc_nlp_lang *out) {
  if (len > MIXED_MAX_BYTES) len = MIXED_MAX_BYTES;
  size_t letters = 0, count[OSC_ARRAY_LEN(OTHER_SCRIPTS) + 1] = {0};
  for (size_t i = 0; i < len;) {
    utf8proc_int32_t cp;
    if (!nlp__next_cp(text, len, &i, &cp)) continue;
    if (!is_letter(cp)) continue;
    letters++;
    count[other_script(cp)]++;
  }
  size_t best = 1;
  for (size_t k = 2; k < OSC_ARRAY_LEN(count); k++)
    if (count[k] > count[best]) best = k;
  if (!letters || count[best] * 4 < letters || count[best] == letters) return false;
  char *part = malloc(len + 1);
  if (!part) return false;
  size_t n = 0;
  for (size_t i = 0; i < len;) {
    utf8proc_int32_t cp;
    utf8proc_ssize_t a = utf8proc_iterate((const utf8proc_uint8_t *)text + i, (utf8proc_ssize_t)(len - i), &cp);
    if (a <= 0) {
      i++;
      continue;
    }
    if ((size_t)other_script(cp) == best) {
      memcpy(part + n, text + i, (size_t)a);
      n += (size_t)a;
    } else if (n && part[n - 1] != ' ') {
      part[n++] = ' ';
    }
    i += (size_t)a;
  }
  osc_nlp_lang r;
  lang_identify(nlp, part, n, &r);
  free(part);
  if (!strcmp(r.code, "und")) return false;
  *out = r;
  return true;
}

static void lang_identify(const osc_nlp *nlp, const char *text, size_t len, osc_nlp_lang *out) {
  lang_obs ob;
  nb_language(nlp, text, len, out, &ob);
  if (ob.script || !ob.letters) return;
  if (ob.latin + ob.cyrillic > 0 && (ob.letters - ob.latin - ob.cyrillic) * 4 >= ob.letters &&
      mixed_script(nlp, text, len, out))
    return;
  lang_views v;
  memset(&v, 0, sizeof v);
  if (nlp->have_eld) eld_view(nlp, text, len, &v);
  int script = ob.latin >= ob.cyrillic ? 0 : 1;
  if (nlp->have_franc && (ob.latin + ob.cyrillic) * 2 > ob.letters) franc_view(nlp, text, len, script, &v);

  /* each model's best */
  const char *a = "und", *b = ob.nb_grams ? out->code : "und", *c = "und";
  lang_dist de = {0}, dn = {0}, df = {0};
  if (v.eld_ngrams) {
    size_t bi = 0;
    for (size_t l = 1; l < nlp->eld.nlangs; l++)
      if (v.eld[l] > v.eld[bi]) bi = l;
    if (v.eld[bi] > 0) a = nlp->eld.codes[bi];
  }
  if (ob.nb_grams) {
    dn.n = nlp->nlangs;
    for (size_t l = 0; l < nlp->nlangs; l++) dn.code[l] = nlp->lang_codes[l], dn.p[l] = ob.nb[l];
  }
  if (v.franc_tri > 0) {
    size_t bi = nlp->franc.nlangs;
    int no_mi = -1; /* a text that cannot be Maori does not get franc's Maori (tested only when it leads) */
    for (size_t l = 0; l < nlp->franc.nlangs; l++) {
      if (!v.franc_used[l] || (bi < nlp->franc.nlangs && v.franc[l] <= v.franc[bi])) continue;
      if (!strcmp(nlp->franc.codes[l], "mi") && (no_mi < 0 ? (no_mi = !maori_possible(text, len)) : no_mi)) continue;
      bi = l;
    }
    if (bi < nlp->franc.nlangs) c = nlp->franc.codes[bi];
  }
  bool a_ok = strcmp(a, "und") != 0, b_ok = strcmp(b, "und") != 0;
  if (!a_ok && !b_ok && !strcmp(c, "und")) return; /* NB's "und" stands */

  /* eld against NB: a model that knows both answers decides (eld first: it is the stronger); when neither
   * knows the other's answer (sr against mk, ms against id), franc, which knows both, decides */
  const char *w;
  const lang_dist *from;
  if (!b_ok || (a_ok && !strcmp(a, b))) w = a, from = &de;
  else if (!a_ok) w = b, from = &dn;
  else if (code_in((char (*)[8])nlp->eld.codes, nlp->eld.nlangs, b) &&
           code_in((char (*)[8])nlp->lang_codes, nlp->nlangs, a)) {
    /* both know both: product of the two distributions */
    dist_from(&de, (char (*)[8])nlp->eld.codes, v.eld, NULL, nlp->eld.nlangs, ELD_TAU, (double)v.eld_ngrams);
    double ea = 0, eb = 0, na = 0, nb = 0;
    for (size_t q = 0; q < de.n; q++) {
      if (!strcmp(de.code[q], a)) ea = de.p[q];
      if (!strcmp(de.code[q], b)) eb = de.p[q];
    }
    for (size_t q = 0; q < dn.n; q++) {
      if (!strcmp(dn.code[q], a)) na = dn.p[q];
      if (!strcmp(dn.code[q], b)) nb = dn.p[q];
    }
    if (ea * na >= eb * nb) w = a, from = &de;
    else w = b, from = &dn;
  }
  else if (code_in((char (*)[8])nlp->eld.codes, nlp->eld.nlangs, b)) w = a, from = &de;
  else if (code_in((char (*)[8])nlp->lang_codes, nlp->nlangs, a)) w = b, from = &dn;
  else if (franc_of(nlp, &v, a) >= franc_of(nlp, &v, b)) w = a, from = &de;
  else w = b, from = &dn;
  if (!strcmp(w, "und")) w = c, from = &df;
  const char *w_models = w; /* eld's and NB's answer */
  const lang_dist *from_models = from;
  /* a language only franc knows (Bantu languages, mi, eo, ga, la, kk, mn, bs, nn): franc's answer when it
   * leads the others' answer by FRANC_OVERRIDE */
  if (strcmp(c, "und") && strcmp(c, w) && !code_in((char (*)[8])nlp->eld.codes, nlp->eld.nlangs, c) &&
      !code_in((char (*)[8])nlp->lang_codes, nlp->nlangs, c) && franc_of(nlp, &v, c) - franc_of(nlp, &v, w) > (a_ok && !strcmp(a, b) ? AGREE_OVERRIDE : FRANC_OVERRIDE))
    w = c, from = &df;

  const char *lc[LETTER_MAX_CODES];
  int nlc = letter_candidates(ob.letter_rules, script, lc);
  if (nlc && v.franc_tri > 0 && !cand_has(lc, nlc, w)) {
    w = letters_choose(nlp, &v, lc, nlc);
    from = model_of(nlp, w, &de, &dn, &df);
  }
  /* Kazakh without any of its letters (ә ғ қ ң ө ұ ү һ і) on a text long enough to have one: the models' answer,
   * or the letters' best other candidate */
  if (!strcmp(w, "kk") && script == 1 && ob.cyrillic >= KK_MIN_LETTERS &&
      !(ob.letter_seen & ((1ull << R_KK) | (1ull << R_KKMN) | (1ull << R_CYR_I_DOT)))) {
    if (strcmp(w_models, "und") && strcmp(w_models, "kk") && (!nlc || cand_has(lc, nlc, w_models))) {
      w = w_models;
      from = from_models;
    } else {
      const char *k[LETTER_MAX_CODES];
      int nk = 0;
      for (int i = 0; i < nlc; i++)
        if (strcmp(lc[i], "kk")) k[nk++] = lc[i];
      w = nk ? letters_choose(nlp, &v, k, nk) : franc_best(nlp, &v, NULL, 0, "kk");
      from = model_of(nlp, w, &de, &dn, &df);
    }
  }
  /* Yoruba without its marks, taken for a Bantu language, ms or id: its words decide (lang_pair.c) */
  double yo_share;
  const char *yo = nlp__yoruba_decide(text, len, w, &yo_share);
  if (yo != w) {
    w = yo;
    from = model_of(nlp, w, &de, &dn, &df);
  }
  /* Zulu or Xhosa taken for Swahili, Luganda, Shona or Tsonga: a Nguni mark makes it the nearer of the two (by
   * franc), and the pair rule below chooses between them (lang_pair.c) */
  if (v.franc_tri > 0 && nlp__nguni_marked(text, len, w)) {
    w = franc_of(nlp, &v, "xh") > franc_of(nlp, &v, "zu") ? "xh" : "zu";
    from = &df;
  }
  /* Shona or Swahili: their spellings and function words decide when they have a vote (lang_pair.c) */
  double sn_share;
  const char *sn = nlp__shona_decide(text, len, w, &sn_share);
  if (strcmp(sn, w)) {
    w = sn;
    from = &df;
  }
  /* Luganda taken for Swahili: its spellings decide (lang_pair.c) */
  const char *lg = nlp__luganda_decide(text, len, w);
  if (strcmp(lg, w)) {
    w = lg;
    from = &df;
  }
  /* Tsonga taken for a Sotho language, Swahili, Shona or Maori: its words and spellings decide
   * (after the rules above, which can answer sn or sw for it) */
  const char *ts = nlp__tsonga_decide(text, len, w);
  if (strcmp(ts, w)) {
    w = ts;
    from = &df;
  }
  /* the deciding model's distribution gives the confidence and the runners-up */
  if (from == &de && v.eld_ngrams)
    dist_from(&de, (char (*)[8])nlp->eld.codes, v.eld, NULL, nlp->eld.nlangs, ELD_TAU, (double)v.eld_ngrams);
  if (from == &df && v.franc_tri > 0)
    dist_from(&df, (char (*)[8])nlp->franc.codes, v.franc, v.franc_used, nlp->franc.nlangs, FRANC_TAU,
              (double)v.franc_tri);
  double pw = 0, allowed = 0;
  for (size_t q = 0; q < from->n; q++) {
    if (!strcmp(from->code[q], w)) pw = from->p[q];
    for (int i = 0; i < nlc; i++)
      if (!strcmp(from->code[q], lc[i])) allowed += from->p[q];
  }
  /* the letters restrict the answer to lc: the deciding model's distribution conditioned on that */
  if (nlc && v.franc_tri > 0) pw = allowed > 0 ? pw / allowed : 1.0 / nlc;
  if (yo_share < 1.0 && pw < yo_share) pw = yo_share;
  if (sn_share < 1.0 && pw < sn_share) pw = sn_share;
  /* close pairs (zu/xh, sr/mk, tn/st, id/ms, sl/bs, hr/bs, nl/af, hi/mr): distinctive words decide when they
   * have a vote */
  double share;
  const char *x = nlp__pair_decide(text, len, w, &share);
  if (strcmp(x, w)) {
    w = x;
    pw = pw * share;
  } else if (share < 1.0) {
    pw = pw * share / (pw * share + (1 - pw) * (1 - share));
  }
  /* European groups (Scandinavian, Esperanto, Latin, Catalan, Czech/Slovak, Russian, Bulgarian, Mongolian):
   * function words decide when they outvote the answer (after the pairs: Serbian answered Macedonian goes back
   * to Serbian before Bulgarian is considered) */
  double gshare;
  const char *gx = nlp__group_decide(text, len, w, &gshare);
  if (strcmp(gx, w)) {
    w = gx;
    pw = gshare; /* the votes' share (above 1/2): the model's distribution favoured the former answer */
  }
  /* Bokmål or Nynorsk: the word lists and the grammar markers decide when they have a vote */
  int vnb, vnn;
  if ((!strcmp(w, "nb") || !strcmp(w, "nn")) && nlp__norwegian_votes(nlp, text, len, &vnb, &vnn) && vnb != vnn) {
    pw = pw * (double)((vnb > vnn ? vnb : vnn) + 1) / (double)(vnb + vnn + 2);
    w = vnb > vnn ? "nb" : "nn";
  }
  char best[8];
  snprintf(best, sizeof best, "%s", w);
  fill_top(out, best, pw, from);
  out->reliable = out->confidence >= 0.9 && ob.letters >= 10;
}

/* Texts dominated by names.  Names and titles are capitalised in every cased script and are often in another
 * language than the text ("Alanus Hutton cum turma Glasgow Rangers lusit", a Basque sentence about "Centropus
 * ateralbus"), so they can pull the answer to their own language.  When the capitalised words other than a
 * sentence's first (and a sentence's first word that repeats one of them) carry a large share of the letters, the
 * text is identified again without them, and that answer is taken when it is confident and has enough letters.
 * A certain answer is overturned only when none of the words left is one of its stop words and one is a stop word
 * of the new answer; that test runs first, so ordinary German (every noun capitalised) and English, certain and
 * full of "der", "the", never pay for a second identification.  Languages told apart by their function words
 * (the close pairs and groups of lang_pair.c) are not re-decided on fewer words. */
#define CAPS_MAX_BYTES 512     /* the identification reads ~400 bytes; names are judged on about the same start */
#define CAPS_MAX_TOKENS 128
#define CAPS_CERTAIN 0.95      /* an answer this confident stands */
#define CAPS_SHARE 0.4         /* share of the letters in the dropped words */
#define CAPS_MIN_LETTERS 12    /* letters left */
#define CAPS_MIN_WORDS 2       /* words left */
#define CAPS_CONFIDENT 0.9     /* confidence of the answer on what is left */

typedef struct caps_tok {
  uint16_t off, len, letters;
  bool cap, initial, drop;
} caps_tok;

static const char *const CLOSE_GROUPS[] = {" bs hr sr sl ", " id ms ", " nb nn da ", " mk sr bg ", " cs sk ", " zu xh ",
                                           " tn st ", " nl af "};

static bool close_langs(const char *a, const char *b) {
  char na[12], nb[12];
  snprintf(na, sizeof na, " %s ", a);
  snprintf(nb, sizeof nb, " %s ", b);
  for (size_t g = 0; g < OSC_ARRAY_LEN(CLOSE_GROUPS); g++)
    if (strstr(CLOSE_GROUPS[g], na) && strstr(CLOSE_GROUPS[g], nb)) return true;
  return false;
}

/* the same word: the same letters, case-folded (punctuation around them ignored) */
static bool caps_same(const char *text, const caps_tok *a, const caps_tok *b) {
  if (a->letters != b->letters) return false;
  size_t i = a->off, j = b->off, ea = a->off + a->len, eb = b->off + b->len;
  for (;;) {
    utf8proc_int32_t x = -1, y = -1;
    while (i < ea && (!nlp__next_cp(text, ea, &i, &x) || !is_letter(x))) x = -1;
    while (j < eb && (!nlp__next_cp(text, eb, &j, &y) || !is_letter(y))) y = -1;
    if (x < 0 || y < 0) return x == y;
    if (utf8proc_tolower(x) != utf8proc_tolower(y)) return false;
  }
}

/* a lower-case word with a Latin adjective or genitive ending, the shape of a species epithet (neglectus, hilliana,
 * parahybae, mekongensis, leucogenys) */
static bool latin_epithet(const char *text, const caps_tok *k) {
  static const char *const END[] = {"us", "a", "um", "is", "ae", "i", "ys", "es", "ii", "orum"};
  const char *w = text + k->off;
  size_t n = k->len;
  while (n && !((w[n - 1] | 32) >= 'a' && (w[n - 1] | 32) <= 'z')) n--; /* trailing punctuation */
  if (n < 3) return false;
  for (size_t i = 0; i < n; i++)
    if (!(w[i] >= 'a' && w[i] <= 'z')) return false; /* ASCII lower-case letters only */
  for (size_t e = 0; e < OSC_ARRAY_LEN(END); e++) {
    size_t m = strlen(END[e]);
    if (n > m && !memcmp(w + n - m, END[e], m)) return true;
  }
  return false;
}

/* closing brackets and quotes, skipped when looking for a sentence's final stop */
static bool is_closer(int32_t cp) {
  return cp == ')' || cp == ']' || cp == '"' || cp == '\'' || cp == 0xBB || cp == 0x201D || cp == 0x2019;
}

static bool is_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

/* splits the start of the text into whitespace-separated tokens with letters; false for a script without case */
static bool caps_tokens(const char *text, size_t len, caps_tok *t, size_t *nt, size_t *letters) {
  bool end = true; /* the previous token ended a sentence */
  *nt = *letters = 0;
  for (size_t i = 0; i < len && *nt < CAPS_MAX_TOKENS;) {
    while (i < len && is_space(text[i])) i++;
    if (i >= len) break;
    caps_tok *k = &t[*nt];
    memset(k, 0, sizeof *k);
    k->off = (uint16_t)i;
    k->initial = end;
    utf8proc_int32_t last = 0; /* the last character other than a closing bracket or quote */
    while (i < len && !is_space(text[i])) {
      utf8proc_int32_t cp = (unsigned char)text[i];
      if (cp < 0x80) i++; /* ASCII without a call: this scan runs on every uncertain or long text */
      else if (!nlp__next_cp(text, len, &i, &cp)) continue;
      if (is_letter(cp)) {
        if (utf8proc_category(cp) == UTF8PROC_CATEGORY_LO) return false;
        if (!k->letters++) k->cap = utf8proc_tolower(cp) != cp;
      }
      if (!is_closer(cp)) last = cp;
    }
    k->len = (uint16_t)(i - k->off);
    end = last == '.' || last == '!' || last == '?';
    if (!k->letters) continue;
    *letters += k->letters;
    (*nt)++;
  }
  return true;
}

/* whether lang has a stop word list in stopwords-iso ("lang\x1f" marks one) */
static bool stop_list(const osc_nlp *nlp, const char *lang) {
  char key[16];
  int n = snprintf(key, sizeof key, "%s\x1f", lang);
  return nlp->have_stopwords && n > 0 && (size_t)n < sizeof key && nlp_map_has(&nlp->stopwords, key, (size_t)n);
}

/* whether text[off, off + len), lower-cased without the punctuation around it, is a stop word of lang */
static bool stop_word(const osc_nlp *nlp, const char *lang, const char *text, size_t off, size_t len) {
  char key[64];
  size_t ll = strlen(lang);
  if (ll + 1 >= sizeof key) return false;
  memcpy(key, lang, ll);
  key[ll] = 0x1f;
  size_t n = ll + 1, keep = n, e = off + len;
  while (off < e) {
    utf8proc_int32_t cp;
    if (!nlp__next_cp(text, e, &off, &cp)) continue;
    bool l = is_letter(cp);
    if (n == ll + 1 && !l) continue;
    if (n + 4 >= sizeof key) return false;
    n += (size_t)utf8proc_encode_char(utf8proc_tolower(cp), (utf8proc_uint8_t *)key + n);
    if (l) keep = n;
  }
  return keep > ll + 1 && nlp_map_has(&nlp->stopwords, key, keep);
}

/* whether a word of the text's start that begins with a lower-case letter is a stop word of lang (such words are
 * kept, but for a species epithet, never a stop word); stops at the first, which ordinary text reaches within a
 * few words */
static bool lower_stop_word(const osc_nlp *nlp, const char *lang, const char *text, size_t len) {
  for (size_t i = 0; i < len;) {
    while (i < len && is_space(text[i])) i++;
    size_t st = i;
    bool lower = false, seen = false;
    while (i < len && !is_space(text[i])) {
      utf8proc_int32_t cp = (unsigned char)text[i];
      if (cp < 0x80) i++;
      else if (!nlp__next_cp(text, len, &i, &cp)) continue;
      if (!seen && is_letter(cp)) {
        seen = true;
        lower = utf8proc_toupper(cp) != cp;
      }
    }
    if (lower && stop_word(nlp, lang, text, st, i - st)) return true;
  }
  return false;
}

static void caps_recheck(const osc_nlp *nlp, const char *text, size_t len, osc_nlp_lang *out) {
  if (!strcmp(out->code, "und")) return;
  if (len > CAPS_MAX_BYTES) {
    len = CAPS_MAX_BYTES;
    while (len && ((unsigned char)text[len] & 0xC0) == 0x80) len--; /* cut at a character */
  }
  /* a certain answer is re-checked only when no word left would be one of its stop words (checked first: ordinary
   * German and English, certain and full of der, die, the, of, stop here after a few words) */
  bool certain = out->confidence >= CAPS_CERTAIN;
  if (certain && (!stop_list(nlp, out->code) || lower_stop_word(nlp, out->code, text, len))) return;
  caps_tok t[CAPS_MAX_TOKENS];
  size_t nt, letters;
  if (!caps_tokens(text, len, t, &nt, &letters) || !letters) return;
  for (size_t q = 0; q < nt; q++) t[q].drop = t[q].cap && !t[q].initial;
  size_t dropped = 0, kept = 0;
  for (size_t q = 0; q < nt; q++)
    if (t[q].drop) dropped += t[q].letters;
  /* a sentence's first word that repeats a name ("Bicester Is baile suite in Oxfordshire é Bicester."); when it
   * is a genus named again, the Latin epithet after it goes too ("Centropus ateralbus Centropus generoko ...") */
  for (size_t q = 0; q < nt; q++)
    for (size_t r = 0; r < nt && t[q].cap && !t[q].drop; r++)
      if (t[r].drop && caps_same(text, &t[q], &t[r])) {
        t[q].drop = true;
        dropped += t[q].letters;
        if (q + 1 < nt && !t[q + 1].cap && !t[q + 1].drop && latin_epithet(text, &t[q + 1])) {
          t[q + 1].drop = true;
          dropped += t[q + 1].letters;
        }
      }
  for (size_t q = 0; q < nt; q++) kept += !t[q].drop;
  if ((double)dropped < CAPS_SHARE * (double)letters || letters - dropped < CAPS_MIN_LETTERS || kept < CAPS_MIN_WORDS)
    return;
  char rest[CAPS_MAX_BYTES + CAPS_MAX_TOKENS];
  size_t n = 0;
  for (size_t q = 0; q < nt; q++) {
    if (t[q].drop) continue;
    if (n) rest[n++] = ' ';
    memcpy(rest + n, text + t[q].off, t[q].len);
    n += t[q].len;
  }
  osc_nlp_lang r;
  lang_identify(nlp, rest, n, &r);
  if (!strcmp(r.code, "und") || !strcmp(r.code, out->code) || r.confidence < CAPS_CONFIDENT ||
      close_langs(r.code, out->code))
    return;
  /* ... and then only for an answer with a stop word among the words left */
  if (certain) {
    bool any = false;
    for (size_t q = 0; q < nt && !any; q++) any = !t[q].drop && stop_word(nlp, r.code, text, t[q].off, t[q].len);
    if (!any) return;
  }
  *out = r;
}

void nlp__language(const osc_nlp *nlp, const char *text, size_t len, osc_nlp_lang *out) {
  lang_identify(nlp, text, len, out);
  caps_recheck(nlp, text, len, out);
}

int osc_nlp_language(osc_nlp *nlp, const char *text, size_t len, osc_nlp_lang *out) {
  if (!out) return osc_seterr(OSC_EINVAL, "language: out is NULL");
  int rc = nlp__check_text(nlp, text, len);
  if (rc) return rc;
  if (!nlp->have_lang && !nlp->have_eld)
    return osc_seterr(OSC_EUNAVAIL, "language: neither the langdetect profiles nor the eld n-grams are installed; run: "
                                    "apt-get install python3-langdetect; bash scripts/deps/nlp.sh");
  nlp__language(nlp, text, len, out);
  return OSC_OK;
}

size_t osc_nlp_language_count(const osc_nlp *nlp) {
  if (!nlp) return 0;
  return nlp->lang_all ? nlp->nlang_all : nlp->nlangs + 2;
}

const char *osc_nlp_language_at(const osc_nlp *nlp, size_t i) {
  if (!nlp) return NULL;
  if (nlp->lang_all) return i < nlp->nlang_all ? nlp->lang_all[i] : NULL;
  if (i < nlp->nlangs) return nlp->lang_codes[i];
  if (i == nlp->nlangs) return "hy";
  if (i == nlp->nlangs + 1) return "ka";
  return NULL;
}
