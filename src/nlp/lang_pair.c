/*
 * nlp/lang_pair.c - word-list specialist for Norwegian Bokmål (nb) against
 * Nynorsk (nn), the two written standards that no character model here
 * separates well (both share most n-grams; eld knows only "no").
 *
 * The Debian package hunspell-no ships the two spelling dictionaries
 * (/usr/share/hunspell/{nb,nn}_NO.dic, ISO-8859-1, one "word/flags" a line;
 * about 330k and 230k forms).  A word that is in one dictionary and not the
 * other is a vote for that standard ("ikkje", "eg", "kva" against "jeg",
 * "hva"); scripts/deps/nlp.sh expands each dictionary's stems with its
 * suffix and prefix rules (one rule at a time; 0.94M nb and 0.62M nn forms,
 * so that forms both write, "arbeidet", "alle", are no longer votes), and
 * writes the forms only one standard has once, lower-cased, UTF-8 and in byte
 * order, to $R/lang/no-forms.txt, which is searched in place (one buffer, one
 * offset a word).  The standards' grammar markers (ikkje/ikke, eg/jeg, -leg/-lig)
 * count twice each.
 *
 * Also here: close pairs (zu/xh, sr/mk, tn/st) and groups of European languages
 * (da/nb/nn/sv, eo and la against the Romance languages, ca/es, cs/sk, ru, bg/mk,
 * mn; ga, cy, de and en against the languages their short texts are taken for) told
 * apart by the function words, endings and letters of their grammars.
 */
#include <assert.h>
#include <ctype.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <utf8proc.h>

#include "core/util.h"
#include "nlp/nlp_internal.h"
#include "oscontent/error.h"

int nlp__load_norwegian(osc_nlp *nlp) {
  char *path = osc_asprintf("%s/lang/no-forms.txt", nlp->resource_dir);
  if (!path) return OSC_ENOMEM;
  nlp_resource *r = nlp__res_add(nlp, "hunspell_no_words", "hunspell-no (Debian; word lists written by scripts/deps/nlp.sh)",
                                 path, "apt-get install -y --no-install-recommends hunspell-no && bash scripts/deps/nlp.sh");
  nlp__pkg_version_dpkg(nlp, "hunspell-no", r->version, sizeof r->version);
  char *d = NULL;
  size_t len = 0;
  int rc = osc_read_file(path, 64u << 20, &d, &len);
  free(path);
  if (rc) return rc == OSC_ENOMEM ? rc : OSC_ENOENT;
  size_t lines = 0;
  for (size_t i = 0; i < len; i++) lines += d[i] == '\n';
  uint32_t *off = malloc((lines + 1) * sizeof *off);
  if (!off || len >= UINT32_MAX) {
    free(d);
    free(off);
    return off ? OSC_ENOENT : OSC_ENOMEM;
  }
  /* "nb\tword" lines in byte order of the word: keep offsets of the words, NUL-terminated in place; the
   * standard is the byte before the tab ('b' or 'n') */
  size_t n = 0;
  for (size_t i = 0; i + 3 < len;) {
    char *nl = memchr(d + i, '\n', len - i);
    size_t e = nl ? (size_t)(nl - d) : len;
    if (e > i + 3 && d[i] == 'n' && (d[i + 1] == 'b' || d[i + 1] == 'n') && d[i + 2] == '\t') {
      off[n++] = (uint32_t)(i + 3);
      if (nl) *nl = 0;
    }
    i = e + 1;
  }
  if (!n) {
    free(d);
    free(off);
    return OSC_ENOENT;
  }
  nlp->no_buf = d;
  nlp->no_off = off;
  nlp->no_n = n;
  r->entries = n;
  r->loaded = true;
  nlp->have_no_words = true;
  return OSC_OK;
}

void nlp__norwegian_release(osc_nlp *nlp) {
  free(nlp->no_buf);
  free(nlp->no_off);
  nlp->no_buf = NULL;
  nlp->no_off = NULL;
  nlp->no_n = 0;
}

/* 1 nb, 2 nn, 0 absent: binary search over the sorted words */
static int no_lookup(const osc_nlp *nlp, const char *w, size_t wl) {
  size_t lo = 0, hi = nlp->no_n;
  while (lo < hi) {
    size_t mid = lo + (hi - lo) / 2;
    const char *k = nlp->no_buf + nlp->no_off[mid];
    size_t kl = strlen(k);
    int c = memcmp(k, w, kl < wl ? kl : wl);
    if (c == 0) c = kl < wl ? -1 : kl > wl;
    if (c == 0) return k[-2] == 'b' ? 1 : 2;
    if (c < 0) lo = mid + 1;
    else hi = mid;
  }
  return 0;
}

/* the next word of text from *i: a run of letters (and inner hyphens), lower-cased into w (NUL-terminated);
 * bare: combining marks stay in the word and every mark is dropped ("àwọn" -> "awon"); returns its length, 0
 * when it does not fit (skip it), -1 at the end */
static int next_word_as(const char *text, size_t len, size_t *i, char *w, size_t cap, bool bare) {
  if (*i >= len) return -1;
  size_t wl = 0;
  bool ok = true;
  while (*i < len) {
    utf8proc_int32_t cp;
    if (!nlp__next_cp(text, len, i, &cp)) break;
    utf8proc_category_t c = utf8proc_category(cp);
    if (bare && c >= UTF8PROC_CATEGORY_MN && c <= UTF8PROC_CATEGORY_ME) continue;
    /* a mark inside a word belongs to it (the vowel signs of Devanagari, a decomposed accent) */
    bool letter = (c >= UTF8PROC_CATEGORY_LU && c <= UTF8PROC_CATEGORY_LO) ||
                  (wl && c >= UTF8PROC_CATEGORY_MN && c <= UTF8PROC_CATEGORY_ME);
    if (!letter && !(cp == '-' && wl)) break;
    utf8proc_int32_t d[4] = {cp};
    utf8proc_ssize_t nd = bare ? utf8proc_decompose_char(cp, d, 4, UTF8PROC_DECOMPOSE | UTF8PROC_STRIPMARK, NULL) : 1;
    for (utf8proc_ssize_t k = 0; k < nd && k < 4; k++) {
      if (wl + 5 >= cap) ok = false;
      else wl += (size_t)utf8proc_encode_char(utf8proc_tolower(d[k]), (utf8proc_uint8_t *)w + wl);
    }
  }
  w[wl] = 0;
  return ok ? (int)wl : 0;
}

static int next_word(const char *text, size_t len, size_t *i, char *w, size_t cap) {
  return next_word_as(text, len, i, w, cap, false);
}

/* the grammar markers of the two standards (Norsk språkråd's rules, not the evaluation rows): pronouns, question
 * words, function words and verb forms each standard writes and the other does not, and the adjective and noun
 * suffixes -leg/-lig, -heit/-het; Nynorsk -arane (elevane) against Bokmål -ere/-erne.  Each counts NO_MARKER_WEIGHT
 * dictionary votes: the dictionaries share many of these forms ("frå", "kva" and "ikke" are in both), and one
 * marker is stronger evidence than one rare form.  Left out: "no" (nn now; also the .no of web addresses), "åt"
 * (nb ate), "heim" (both), "også" and "gjennom" (both). */
/* Nynorsk inflection ending Bokmål does not write in its standard texts: the definite singular of the feminine -ing
 * nouns -inga (regjeringa, kunngjeringa; Bokmål regjeringen) */
#define NN_ENDINGS "*inga"
static const char *const NN_MARKERS[] = {
    "ikkje", "eg", "kva", "kven", "korleis", "kvifor", "kor", "dei", "ho", "hennar", "deira", "deires", "dykk", "dykkar",
    "me", "vere", "vore", "vart", "vert", "frå", "berre", "mykje", "noko", "nokon", "nokre", "sjølv", "òg", "då",
    "desse", "fleire", "meir", "saman", "sjå", "hjå", "kjem", "seier", "gjer", "veit", "fekk", "gjekk", "ein", "eit",
    "heile", "eigen", "eige", "eigne", "eiga", "sidan", "enno", "kvart", "ligg", "heng", "bur", "fyrste", "*leg",
    "*lege", "*legare", "*legast", "*heit", "*heita", "*heiter", "*arane", NN_ENDINGS, NULL};
static const char *const NB_MARKERS[] = {
    "ikke", "jeg", "hva", "hvem", "hvordan", "hvorfor", "hvor", "hvis", "hvilken", "hvilke", "hvilket", "de", "hun",
    "hennes", "deres", "dere", "være", "vært", "ble", "fra", "bare", "mye", "noe", "noen", "nå", "selv", "da", "disse",
    "flere", "mer", "sammen", "se", "hos", "kommer", "sier", "gjør", "vet", "fikk", "gikk", "en", "et", "hele", "egen",
    "eget", "egne", "siden", "ennå", "hver", "hvert", "*lig", "*lige", "*ligere", "*ligst", "*het", "*heten", "*heter",
    NULL};
#define NO_MARKER_WEIGHT 2

static bool in_list(const char *const *l, const char *w, size_t wl);

int nlp__norwegian_votes(const osc_nlp *nlp, const char *text, size_t len, int *nb, int *nn) {
  *nb = *nn = 0;
  char w[256];
  size_t i = 0;
  int wl;
  while ((wl = next_word(text, len, &i, w, sizeof w)) >= 0) {
    if (!wl) continue;
    int which = nlp->have_no_words ? no_lookup(nlp, w, (size_t)wl) : 0;
    if (which == 1) (*nb)++;
    else if (which == 2) (*nn)++;
    if (in_list(NB_MARKERS, w, (size_t)wl)) *nb += NO_MARKER_WEIGHT;
    if (in_list(NN_MARKERS, w, (size_t)wl)) *nn += NO_MARKER_WEIGHT;
  }
  return *nb + *nn;
}

/*
 * Close pairs that the character models confuse and that no installed word list separates: a few function
 * words (and verb prefixes) that are standard in one language of the pair and not used in the other, from the
 * grammars of the languages, not from any evaluation text:
 *  - Zulu / Xhosa (Nguni): "futhi" / "kwaye" (and, also), "ukuthi" / "ukuba" is shared, so only "ukuthi" (that)
 *    for Zulu; "lapho" / "apho" (where), "uma" / "xa" (if, when), "kanye" / "kunye" (with), "kahle" / "kakuhle"
 *    (well), "ngesikhathi" / "ngexesha" (during), "phansi" / "phantsi" (down), "manje" / "ngoku" (now); the
 *    first person singular subject prefix is ngi- in Zulu and ndi- in Xhosa (ngiyabonga / ndiyabulela).
 *  - Serbian / Macedonian (Cyrillic): Serbian "је" (is), "у" (in), "са" (with) against Macedonian "е", "во",
 *    "со" (Macedonian has no case and uses "во"/"со"; "је" and "у" are not Macedonian words); Serbian words that
 *    begin with је where Macedonian writes е (један / еден, језик / јазик, јер), the auxiliary су / смо against
 *    се / сме, and adverbs and prepositions (где / каде, када / кога, између / помеѓу, због / поради, још / уште,
 *    према / според, много / многу); Macedonian "дека" (that), "тоа" (that), "сите" (all), the clitics "ги", "го".
 *  - Tswana / Southern Sotho: the class-15 (infinitive) and locative marker "go" / "ho", and "gore" / "hore"
 *    (that): Tswana writes g where Sesotho writes h.
 */
typedef struct pair_rule {
  const char *lang[2];
  const char *const *words[2]; /* NULL-terminated; "w" the word, "pre*" a longer word starting so, "*suf" ending so,
                                  "*in*" a word holding it */
  void (*extra)(const char *prev, const char *w, size_t wl, int v[2]); /* more votes from a word and the one
                                                                        * before it ("" at the start), or NULL */
} pair_rule;

/* third round (A): spellings. Xhosa ntl where Zulu writes nhl (intlanganiso / inhlangano, intliziyo / inhliziyo,
 * intloko / inhloko), Xhosa ty before a vowel or h (ukutya / ukudla, ityala; Zulu has no ty), Zulu hh (hhayi,
 * ihhovisi, ihhashi; Xhosa hayi, iofisi, ihashe) */
#define ZU_MORE "*nhl*", "*hh*", ZU_B
#define XH_MORE "*ntla*", "*ntle*", "*ntli*", "*ntlo*", "*ntlu*", "*tya*", "*tye*", "*tyi*", "*tyo*", "*tyu*", \
    "*tyh*", XH_B
/* (B) words: the question particle ingabe / ingaba, nokho / noko (however), Zulu lutho (nothing), yebo / ewe,
 * emuva, ngemuva (behind, after), eduze (near; Xhosa kufutshane), ngenkathi (while), nhlobo, neze (at all; Xhosa
 * tu); Xhosa loo (that), phi (where), kwezi, kweli (in these), njengokuba (as), okokuba (that), kaloku, phofu,
 * kwakunye, ebudeni (during), hayi (no; Zulu hhayi), sele (already); nouns with other stems: town (idolobha /
 * idolophu), hospital (isibhedlela / isibhedlele), minister (ungqongqoshe / umphathiswa), premier (undunankulu /
 * inkulumbuso), research (ucwaningo / uphando), protest (umbhikisho / uqhanqalazo), economy (umnotho / uqoqosho),
 * points (amaphuzu / amanqaku), level (izinga / inqanaba), services (izinsizakalo), week and Sunday (iviki, isonto
 * / iveki, icawa), Xhosa ubomi (life), isixeko (city), isebe (department), ingxelo (report), unyulo (election),
 * -nceda (help), inkxaso (support); the traditional month names (uMasingana ... uZibandlela / eyoMqungu ...) */
#define ZU_B "ingabe", "nokho", "lutho", "yebo", "emuva", "ngemuva", "eduze", "ngenkathi", "ngakho-ke", "*dolobh*", \
    "*bhedlela", "*ngqongqoshe", "*ndunankulu", "*cwaning*", "*bhikish*", "*mnotho", "*sizakalo", "*phuzu", "izinga", \
    "ezingeni", "isonto", "ngesonto", "amasonto", "*viki", "nhlobo", "neze", "*masingana", "*nhlolanja", "*ndasa", \
    "*nhlangulana", "*ntulikazi", "*ncwaba", "*mandulo", "*mfumfu", "*zibandlela"
#define XH_B "ingaba", "noko", "oko", "loo", "phi", "kwezi", "kweli", "njengokuba", "okokuba", "phofu", "kaloku", \
    "kwakunye", "ebudeni", "ewe", "hayi", "tu", "sele", "kufutshane", "*bomi", "*xeko", "*xekweni", "*dolophu", \
    "*bhedlele", "*phathiswa", "*nkulumbuso", "*sebe", "*nqaku", "*nqanaba", "*phando", "*ngxelo", "*qhanqalaz*", \
    "*qoqosho", "*nyulo", "*nced*", "*nkx*", "*veki", "*cawa", "*cawe", "*matshi", "*mqungu", "*mdumba", "*kwindla", \
    "*tshazimpuzi", "*canzibe", "*silimela", "*msintsi", "*nkanga"
static const char *const ZU_WORDS[] = {
    "futhi", "ukuthi", "lapho", "uma", "kanye", "kahle", "ngesikhathi", "phansi", "manje", "ngi*",
    /* possessives of the first person (-mi), "to me", "I", "according to", "today", "as", "so", "or, even if",
       "but", "this", "that", "what", "especially", "because", "then", "here", "almost", "as if", "indeed", the
       negative first person angi-, "speak", "find", "time", "person", "many"; nouns and verbs with another stem in
       Xhosa: God, family, children, look, school, problem, team, province, government, community, police,
       Monday, Tuesday, be glad, hurry, really, Mr, centre */
    "wami", "yami", "lami", "bami", "sami", "zami", "kwami", "lwami", "kimi", "mina", "ngokusho", "kusho", "washo",
    "namuhla", "njengoba", "ngakho", "noma", "kepha", "lokhu", "lokho", "nalokhu", "nalokho", "yini", "ikakhulukazi",
    "ngoba", "bese", "lapha", "cishe", "sengathi", "impela", "angi*", "*khulum*", "*thola*", "*sikhathi", "*muntu",
    "*ningi", "*nkulunkulu", "*mndeni", "izingane", "*bhek*", "*sikole*", "*nkinga", "*qembu", "*fundazwe*",
    "*hulumeni", "*mphakathi", "*phoyisa", "*msombuluko", "*lwesibili", "*jabul*", "*shesha", "ngempela",
    "*mnumzane", "*khungo",
    /* demonstratives with the l- that Xhosa drops (laba/aba, lesi/esi, lezi/ezi, leli/eli, lolu/olu, lobu/obu;
       second position labo, leso ...), also after nga-, ku-, kwa-, na-; numbers six to nine */
    "laba", "lesi", "lezi", "leli", "lolu", "lobu", "leso", "lezo", "lelo", "lolo", "lobo", "ngalesi", "ngalezi",
    "ngaleli", "ngalolu", "kulesi", "kulezi", "kuleli", "kulaba", "kulolu", "kwalesi", "kwalezi", "nalesi",
    "nalezi", "*sithupha", "*khombisa", "*shiyagalombili", "*shiyagalolunye", ZU_MORE, NULL};
static const char *const XH_WORDS[] = {
    "kwaye", "xa", "apho", "kunye", "kakuhle", "ngexesha", "phantsi", "ngoku", "ndi*",
    /* class 10 ii-, class 2a oo- and the prefixes that take them (Zulu izin-, o-), the rh
       digraph (Zulu has no r), "or", "I", "according to", "he said", "tomorrow", "as", possessives of the first
       person (-m), "to me", "what", "how", "time", "person", "although", "especially", "and", "here", "almost",
       "while", "must", "in this", "so", "speak", "find", "many"; the Xhosa stems of the Zulu list's nouns and
       verbs: God, family, school, problem, team, province, police, Monday, Tuesday, hurry, really, community,
       Mr, section, fill in, programme, test, centre; the relative suffix -yo after the perfect and passive
       (-eleyo, -iweyo, -elweyo; Zulu drops it: "eyenzekile") */
    "ii*", "kwii*", "ngee*", "nee*", "zee*", "oo*", "*rh*", "okanye", "mna", "ngokutsho", "*tshilo", "ngomso",
    "njengoko", "wam", "yam", "lam", "bam", "zam", "kwam", "lwam", "kum", "ntoni", "yintoni", "njani", "*xesha", "*mntu",
    "nangona", "ingakumbi", "yaye", "kananjalo", "apha", "phantse", "ngelixa", "kufuneka", "kolu", "ngoko", "*thetha*",
    "*fuman*", "*ninzi", "*thixo", "*sapho", "*sikolo", "*sikolweni", "*ngxaki", "*qela", "*phondo", "*polisa",
    "*mvulo", "*lwesibini", "*khawuleza", "ngenene", "uluntu", "*mnumzana", "*candelo", "*zalis*", "*nkqubo",
    "*vavanyo", "*ziko", "*eleyo", "*iweyo", "*elweyo",
    /* demonstratives without l- (Zulu laba, lesi ...), "in this" kwesi; numbers six to nine */
    "aba", "esi", "ezi", "eli", "olu", "obu", "eso", "ezo", "elo", "kwesi", "*ntandathu", "*xhenxe", "*bhozo",
    "*lithoba", XH_MORE, NULL};
/* Serbian has cases and Macedonian has none: the adjective endings -ог/-ој (централног, медицинској), -их/-им
 * (западних, великим), the 3rd plural -ју (дају, знају), the genitive -ије (историје), the locative and accusative
 * -њу/-љу (земљу), the masculine past participle -ио/-ао (дошао, схватио) and plural -овали/-ивали, the 1st plural
 * -имо/-амо (Macedonian -име/-аме; само is a word of both and cancels); the function words зато, такође, али,
 * док, код, из, уз, шта, ко, ово, овај, тај, био, били, више, мање, сада, тако, њега, њих, његов against
 * Macedonian затоа, додека, кај, ова, овој, тој, бил, биле, повеќе, помалку, сега, така, нив, неговиот and the
 * auxiliary сум (Serbian сам); the Macedonian article endings -от, -ото, -ите, -иот (новиот), -ската, -оста
 * (младоста), the verbal noun -ување/-увања (Serbian -овање), the 3rd plural -аат (имаат); секој, некој, никој
 * against Serbian -кој (мушкој).  Not Macedonian што (Serbian writes it too), the plural participles
 * -але/-еле/-иле (Serbian writes them in the feminine: биле, донеле) nor the article -ата (Serbian genitives
 * брата, елемената). */
#define SR_GRAMMAR                                                                                                     \
  "*ског", "*ног", "*ког", "*ској", "*ној", "*кој", "*их", "*ским", "*ним", "*ју", "*ије", "*овали", "*ивали",       \
      "*ио", "*ао", "*њу", "*љу", "*имо", "*амо", "зато", "такође", "али", "док", "код", "из", "уз", "шта", "ко",     \
      "ово", "овај", "тај", "био", "били", "више", "мање", "сада", "тако", "њега", "њих", "његов", "његова",         \
      "његово", "њихов", "њихова"
#define MK_GRAMMAR                                                                                                     \
  "*от", "*ото", "*ите", "*иот", "*ската", "*оста", "*ување", "*аат", "*увања", "*име", "*аме", "секој", "некој",   \
      "никој", "само", "затоа", "додека", "кај", "ова", "овој", "тој", "бил", "биле", "повеќе", "помалку", "сега",   \
      "така", "нив", "неговиот", "нејзиниот", "сум"
static const char *const SR_WORDS[] = {"је", "у", "са", "је*", "су", "смо", "није", "године", "између", "кроз",
    "пре", "због", "где", "када", "све", "ове", "ови", "износи", "налази", "постоји", "још", "данас", "много",
    "према", "преко", "свој", "своје", "који", "које", "као", SR_GRAMMAR, NULL};
static const char *const MK_WORDS[] = {"во", "со", "е", "ги", "го", "кои", "кој", "дека", "тоа", "сите", "многу",
    "преку", "според", "околу", "уште", "денес", "нивни", "каде", "кога", "овие", "оваа", "сè", "помеѓу",
    "поради", "кое", "сѐ", MK_GRAMMAR, NULL};

/* Tswana "go", "gore", "fa" (if, when), "jaaka" (like), "jaanong" (now), "fela" (only); Sesotho "ho", "hore",
 * "jwaloka", "jwale", "feela", "empa" (but) */
/* more: Tswana jang/Sesotho jwang (how), jalo/jwalo (so), jaana/tjena (like this), class 14 possessive jwa/ba
 * (botsalo jwa, bophelo ba), itse/tseba (know), ene/yena (he), fano (here); Sesotho writes tj (tjhelete,
 * Koletjheng), which Tswana does not */
#define TN_MORE "jang", "jalo", "jaana", "jwa", "itse", "ene", "fano", "mo"
#define ST_MORE "jwang", "jwalo", "tjena", "*tj*", "tseba", "yena"
/* third round: verbs with other stems, Tswana dira (do, make), dirisa (use), kwala is left out (Sesotho close)
 * against Sesotho etsa, sebedisa, ngola (write); kgotsa / kapa (or), sentle / hantle (well), bontsi / bongata
 * (most), selo / ntho (thing), mono / mona (here), the others: Tswana bangwe, dingwe, sengwe, lengwe, mengwe against
 * Sesotho ba bang, tse ding, e meng; Tswana -otlhe (all: botlhe, tsotlhe; Sesotho bohle, tsohle), Sesotho kaofela;
 * the first person possessives yame, jwame (Sesotho ya ka); Sesotho drops the g of Tswana bosigo, morago (bosiu,
 * morao); Lesotho's orthography ea, oa, li, u (South African ya, wa, di, o); Sesotho writes q (qala, qeto),
 * Tswana does not */
#define TN_THIRD "dira", "dirile", "dirileng", "dirang", "dirwa", "dirisa", "dirisiwa", "dirisang", "kgotsa", \
    "sentle", "bontsi", "bangwe", "dingwe", "sengwe", "lengwe", "mengwe", "bosigo", "*otlhe", "selo", "dilo", "mono", \
    "yame", "jwame"
#define ST_THIRD "etsa", "entse", "entseng", "etsang", "etswa", "etsahala", "etsahetse", "sebedisa", "sebediswa", \
    "ngola", "ngotse", "ngolwa", "lengolo", "mangolo", "kapa", "bongata", "bang", "ding", "meng", "kaofela", "ntho", \
    "dintho", "mona", "bosiu", "morao", "ea", "oa", "li", "u", "*q*"
static const char *const TN_WORDS[] = {"go", "gore", "fa", "jaaka", "jaanong", "fela", TN_MORE, TN_THIRD, NULL};
static const char *const ST_WORDS[] = {"ho", "hore", "jwaloka", "jwale", "feela", "empa", ST_MORE, ST_THIRD, NULL};

/* Tswana writes g where Sesotho writes h (go/ho, gape/hape, bogolo/boholo, gonne/hobane): a g that is not part
 * of ng or kg is Tswana; an h that begins a word or follows a vowel, m, n or w is Sesotho (Tswana writes h in
 * ph, th, kh, tlh and tsh; Sesotho hl, as in "hlabula", is Tswana tlh) */
static unsigned tn_st_spelling(const char *w, size_t wl) {
  unsigned m = 0;
  for (size_t i = 0; i < wl; i++) {
    char p = i ? w[i - 1] : 0;
    if (w[i] == 'g' && p != 'n' && p != 'k') m |= 1;
    if (w[i] == 'h' && (!p || strchr("aeiouwmn", p))) m |= 2;
  }
  return m;
}

/* pairs whose spelling votes too: bit k of spelling(w) set, the word votes for lang[k] of the rule */
static const struct {
  const char *lang0;
  unsigned (*spelling)(const char *w, size_t wl);
} PAIR_SPELLING[] = {
    {"tn", tn_st_spelling},
};

/* Croatian against Bosnian (Latin script; Serbian is written in Cyrillic here, an ekavian Latin text counts as the
 * nearer Bosnian): the lexical standards differ in month names (Croatian siječanj ... prosinac against the
 * international januar ... decembar), in native against borrowed words (tisuća / hiljada, povijest / historija,
 * obitelj / porodica, tjedan / sedmica, kemija / hemija, računalo / računar, gospodarstvo / privreda, postotak /
 * procenat, suradnja / saradnja, tijekom / tokom, vjerojatno / vjerovatno, tko / ko), in the Greek and Latin
 * loans' shapes (Europa / Evropa, milijun / milion, ocean / okean, financije / finansije, talijanski / italijanski)
 * and in the Oriental loans and h-forms that only Bosnian writes (komšija, lahko, kahva, džamija). From the
 * languages' standard dictionaries, not from evaluation rows. */
static const char *const HR_WORDS[] = {
    "siječ*", "veljač*", "ožujak", "ožujk*", "travanj", "travnj*", "svibanj", "svibnj*", "lipanj", "lipnj*", "srpanj",
    "srpnj*", "kolovoz*", "rujan", "rujna", "rujnu", "listopad*", "studenog*", "studenom", "prosinac", "prosinc*",
    "tijekom", "tisuć*", "povijest*", "povijesn*", "obitelj*", "kruh*", "glazb*", "sveučilišt*", "znanost*",
    "znanstven*", "kemij*", "europ*", "milijun*", "milijard*", "vlak", "vlaka", "vlaku", "vlakom", "vlakovi*", "tjedan",
    "tjedn*", "uvjet*", "točk*", "točn*", "tko", "netko", "nitko", "svatko", "itko", "zrakoplov*", "nogomet*",
    "momčad*", "prosvjed*", "priopć*", "veleposlan*", "zapovjed*", "kazališt*", "talijan*", "španjolsk*",
    "nizozemsk*", "tvrtk*", "poduzeć*", "poduzetni*", "obrana", "obrane", "obrani", "obranu", "obranom", "obrambe*",
    "sudjelova*", "sudjeluj*", "surad*", "surađ*", "izvješ*", "ravnatelj*", "dužnosni*", "glede", "nazoč*",
    "primjerice", "unatoč", "usprkos", "vojarn*", "ljekarn*", "vjerojatn*", "tisak", "tiska", "tisku", "tiskan*",
    "računal*", "gospodarstv*", "gospodarsk*", "čimbeni*", "skladatelj*", "skladb*", "redatelj*", "postrojb*",
    "pučanstv*", "postotak", "postotk*", "obvez*", "tisućljeć*", "naobrazb*", "odvjetni*", "sudac", "suca", "sucu",
    "izvanredn*", "zračn*", "plin", "plina", "plinu", "plinom", "plinsk*", "plinovi*", "ocean*", "kisik*", "vodik*",
    "dušik*", "ugljik*", "tvar", "tvari", "tvarima", "kukac", "kukci*", "kukaca", "sisavac", "sisavc*", "sisavaca",
    "financij*", "organizira*", "realizira*", "informira*", "reagira*", "zagreb*", "županij*", "sabor*", "hrvatsk*",
    "premda", "ondje", "kamo", "kirur*", "kronič*", "kronolo*", "kaos", "klor*", "kalij", "natrij", "magnezij",
    "aluminij", "litij", "helij", "uranij", "plutonij", "kalcij", "stadij", "planet", "kolodvor*", "autocest*",
    "cestovn*", "liječni*", "stupanj", "stupnj*", "potpor*", "časnik", "časnika", "časnici", "časnike", "tajnik",
    "tajnika", "tajniku", "tajnici", "tajnica", "dopredsjedni*", "zastupni*", "mirovin*", "umirovlj*", "dojam",
    "dojm*", "dioničar*", "djelatnik", "djelatnika", "djelatnici", "djelatnicima", "djelatnike", "iznim*",
    "usporedb*", "usporedi*", "uspoređ*", "pokus*", "pristojb*", "ozljed*", "tvornic*", "hladnjak*", "putovnic*",
    "osobn*", "kupnj*", "sportaš*", "natjec*", "zrcal*", "kat", "katu", "rajčic*", "krumpir*", "juha", "juhe", "juhu",
    "hlač*", "naklad*", "natrag", "glasovanj*", "shvaća", "shvaćaju", "shvaćao", "shvaćanj*", "prihvaća",
    "prihvaćaju", "prihvaćao", "prihvaćanj*", "obuhvaća", "obuhvaćaju", "utjeca*", "utjecaj*", "dopušta*",
    "dopustio", "dopustiti", "kaznen*", "sinkron*", "asinkron*", "slaven*", "krunidb*", "stoljeć*", NULL};
static const char *const BS_WORDS[] = {
    "januar*", "februar*", "mart", "marta", "martu", "maj", "maja", "maju", "juni", "juna", "junu", "juli", "jula",
    "julu", "august*", "avgust*", "septemb*", "oktob*", "novemb*", "decemb*", "tokom", "hiljad*", "historij*",
    "istorij*", "porodic*", "hljeb*", "univerzitet*", "nauk", "nauka", "nauke", "nauci", "naukom", "naučn*", "hemij*",
    "evrop*", "milion*", "voz", "voza", "vozom", "vozovi*", "sedmic*", "uslov*", "tačk*", "tačn*", "ko", "niko",
    "fudbal*", "ostrv*", "italijan*", "španij*", "špansk*", "holandij*", "holandsk*", "preduzeć*", "preduzetni*",
    "odbran*", "učestvova*", "učestvuj*", "učesni*", "učešć*", "saradnj*", "saradni*", "sarađ*", "izvještaj*",
    "zvaničn*", "uprkos", "kasarn*", "apotek*", "kafa", "kafu", "kafom", "kahv*", "paradajz*", "krompir*",
    "vjerovatn*", "takođe", "juče", "desio", "desila", "desilo", "desili", "desile", "desiti", "dešava*", "štamp*",
    "računar*", "privred*", "režiser*", "procenat", "procent*", "obavez*", "advokat*", "sudij*", "vanredn*",
    "vazduh*", "vazdušn*", "gas", "gasa", "gasu", "gasom", "gasovi*", "okean*", "kiseonik*", "vodonik*", "azot*",
    "ugljenik*", "supstanc*", "sisar*", "pozorišt*", "ambasad*", "komandant*", "opštin*", "komšij*", "komšil*",
    "avion*", "sprat*", "finansij*", "organizova*", "organizuj*", "realizova*", "informisa*", "reagova*", "definisa*",
    "registrova*", "kontrolisa*", "šta", "lahk*", "mehk*", "džamij*", "allah*", "džennet*", "namaz*", "abdest*",
    "hadis*", "sevap*", "dženaz*", "sarajev*", "bih", "fbih", "kanton*", "bošnja*", "veoma", "mada", "pošto",
    "hirur*", "hronič*", "hronolo*", "haos", "hlor*", "*ijum", "*ijuma", "*ijumu", "*ijumom", "kvalitet", "planeta",
    "autoput*", "ljekar", "ljekara", "ljekaru", "ljekari", "ljekarima", "ljekarom", "stepen", "stepena", "stepenu",
    "stepeni", "stepenom", "oficir*", "sekretar*", "potpredsjedni*", "poslani*", "penzi*", "utisak", "utiska",
    "utiske", "utisci", "akcionar*", "uposleni*", "uporedi*", "upoređ*", "poređenj*", "povred*", "fabrik*",
    "frižider*", "pasoš*", "ličn*", "kupovin*", "sportist*", "takmič*", "ogledal*", "pantalon*", "uradi*", "nazad",
    "glasanj*", "shvata", "shvataju", "shvatao", "shvatala", "shvatanj*", "prihvata", "prihvataju", "prihvatao",
    "prihvatanj*", "uticaj*", "uticao", "uticati", "utiče", "sopstven*", "dozvoli", "dozvolio", "dozvolila",
    "dozvoliti", "dozvoljen*", "dozvoljava*", "saobraćaj*", "krivičn*", "sinhron*", "asinhron*", "krunisa*", NULL};

/* Indonesian against Malay: the two standards of one language differ in spelling (karena / kerana, bahwa / bahawa,
 * yaitu / iaitu, uang / wang, kualitas / kualiti, proyek / projek, telepon / telefon, nomor / nombor), in month
 * and day names (Agustus / Ogos, Juli / Julai, Maret / Mac, Desember / Disember, Senin / Isnin, Kamis / Khamis) and in
 * everyday words (bisa / boleh, mobil / kereta, kantor / pejabat, persen / peratus, internasional / antarabangsa,
 * pria / lelaki, kemarin / semalam, besok / esok): from the standards' dictionaries (KBBI, Kamus Dewan). */
static const char *const ID_WORDS[] = {
    "karena", "bahwa", "yaitu", "uang", "*itas", "proyek", "polisi", "taksi", "biaya", "rupiah", "indonesia*",
    "jakarta", "bandung", "surabaya", "bisa", "mau", "pemerintah*", "perusahaan", "mobil", "sepeda", "televisi",
    "informasi", "desember", "agustus", "juli", "juni", "maret", "senin", "kamis", "jumat", "ujar", "ujarnya",
    "imbuhnya", "meskipun", "misalnya", "sesudah", "silakan", "pria", "laki", "desa", "setempat", "internasional",
    "persen", "miliar", "triliun", "toko", "gratis", "tim", "film", "musik", "kesehatan", "kantor", "bisnis",
    "telepon", "jaringan", "akun", "kartu", "nomor", "menit", "kemarin", "besok", "kalian", "majelis", "parlemen",
    "pengacara", "tentara", "bandara", "wisatawan", "turis", "pariwisata", "liburan", "obat", "dokter", "perawat",
    "pasien", "pengobatan", "salat", "sholat", "shalat", "ramadhan", "efektif", "bagian", "sebagian", "jawaban",
    "pertanyaan", "penelitian", "peneliti", "ilmuwan", "teknis", "praktis", "kritis", "sedangkan", "tersebut",
    "lewat", "gimana", "nggak", "enggak", "banget", "aja", "kok", "dong", "sih", "kantor", "provinsi", "kabupaten",
    "kecamatan", "kelurahan", "bupati", "walikota", "gubernur", "dpr", "rp", NULL};
static const char *const MS_WORDS[] = {
    "kerana", "bahawa", "iaitu", "wang", "kualiti", "aktiviti", "komuniti", "universiti", "identiti", "kapasiti",
    "prioriti", "realiti", "integriti", "fasiliti", "kreativiti", "produktiviti", "projek", "polis", "teksi", "kos",
    "ringgit", "rm", "malaysia*", "kuala", "selangor", "johor", "sabah", "sarawak", "kelantan", "terengganu",
    "pahang", "perak", "kedah", "melaka", "sahaja", "mahu", "baharu", "pelbagai", "selepas", "apabila",
    "manakala", "menerusi", "seramai", "syarikat", "hospital", "basikal", "televisyen", "maklumat", "disember",
    "ogos", "julai", "jun", "mac", "isnin", "khamis", "jumaat", "ahad", "lelaki", "bandar", "tempatan",
    "antarabangsa", "memberitahu", "peratus", "bilion", "trilion", "kedai", "percuma", "filem", "muzik",
    "kesihatan", "pejabat", "kakitangan", "perniagaan", "telefon", "rangkaian", "perisian", "akaun", "kad", "nombor",
    "minit", "semalam", "esok", "sekiranya", "tiada", "awak", "encik", "cik", "majlis", "parlimen", "mahkamah",
    "peguam", "tentera", "askar", "pelancong", "pelancongan", "percutian", "ubat", "doktor", "jururawat", "pesakit",
    "rawatan", "pembedahan", "solat", "ramadan", "berkesan", "bahagian", "sebahagian", "jawapan", "soalan",
    "peperiksaan", "kajian", "penyelidikan", "saintis", "teknikal", "praktikal", "kritikal", "amat", "ramai",
    "perkara", "sambungnya", "mendapati", "memaklumkan", "beliau", "daripada", "kerajaan", "jabatan", NULL};

/* Slovenian against Bosnian (franc, the only model that knows Bosnian, sometimes answers it for Slovenian):
 * function words that the Alpine Slavic standard writes and the Central South Slavic one does not (in, v, ki,
 * tudi, ter, kot, lahko, naj, vse, torej, kljub), against Bosnian / Croatian ones (i, u, su, koji, kao, ili, nije,
 * će, između, zbog, gdje, jer, već, može, neka, sve) and the letters ć đ, which Slovenian does not write; words
 * both write ("zato") are in both lists and cancel; not Slovenian "ni": Bosnian writes it for "not even".  Czech
 * and Slovak answered Bosnian are the European groups' (cs|sk "into" rule below). */
#define SL_BASE "in", "v", "ki", "tudi", "ter", "kot", "bo", "bodo", "so", "še", "že", "če", "zelo", "sem", "bil", \
    "kjer", "kar", "tem", "vendar", "jih", "leta", "lahko", "naj", "gre", "vse", "zato", "torej", "saj", "kljub", \
    "kateri", "katera", "katero", "katere", "zdaj", "tukaj"
#define BSF_BASE "i", "u", "su", "koji", "koja", "koje", "kojeg", "kojem", "kojoj", "kojim", "kao", "ili", "nije", \
    "će", "ovaj", "ova", "ovo", "godine", "između", "zbog", "gdje", "jer", "među", "već", "prema", "može", "neka",    \
    "ide", "sve", "zato", "dakle", "iako", "sada", "ovdje", "također", "*ć*", "*đ*"

/* Slovenian against Croatian (a rule after sl / bs, so that Bosnian answered Slovenian goes to Bosnian first), and
 * more words for sl / bs: the lists above (less "pa", "bilo", "bili", which Croatian writes too) and more of the
 * grammars: Slovenian interrogatives and adverbs kdo, kje, kam, zakaj, kaj, nekaj, vedno, danes, jutri, včeraj,
 * morda (Croatian tko, gdje, kamo, zašto, što, nešto, uvijek, danas, sutra, jučer, možda), the conjunctions ker,
 * ampak, oziroma (jer, ali, odnosno), the prepositions brez, skozi, proti, zaradi (bez, kroz, protiv, zbog), the
 * l-participle bil against bio; Slovenian "-ega"/"-emu" adjective and pronoun endings (novega, tega; Croatian
 * novog, tog, novoga, not listed: Slovenian nouns end in -og too, krog, predlog; svega, njega, čega, svemu, njemu,
 * čemu are Croatian too and cancel), the 3rd plural and the feminine accusative "-ajo"/"-ijo" (delajo, govorijo,
 * regijo; Croatian rade, govore, imaju, regiju: "-aju"/"-iju"; "kraju", the locative of "kraj", is both), the
 * months marec, junij, julij, september ... december (Croatian ožujak, lipanj, srpanj, rujan ... prosinac) and the
 * weekdays ponedeljek, torek, sreda, četrtek, petek, sobota, nedelja (ponedjeljak, utorak, srijeda, četvrtak,
 * petak, subota, nedjelja); Slovenian šč where Croatian writes št or šć (ščit, dvorišče, iščem; štit, dvorište),
 * and the Croatian dative, locative and instrumental plural -ima (ljudima, gradovima, njima; Slovenian ljudem,
 * gradovom, njim: "zima" is both and cancels, "nima" is the Slovenian "has not") */
#define SLH_MORE "kdo", "kje", "kam", "zakaj", "kaj", "nekaj", "vedno", "danes", "jutri", "včeraj", "morda", \
    "ker", "ampak", "oziroma", "brez", "skozi", "proti", "zaradi", "*ega", "*emu", "*ajo", "*ijo", "kraju", \
    "njega", "njemu", "marec", "marca", "junij", "junija", "julij", "julija", "september", "oktober", "november", \
    "december", "ponedeljek", "torek", "sreda", "četrtek", "petek", "sobota", "nedelja", "*šč*", "nima", "zima"
#define HRH_MORE "tko", "kamo", "zašto", "što", "nešto", "uvijek", "danas", "sutra", "jučer", "možda", "odnosno", \
    "bez", "kroz", "protiv", "bio", "*aju", "*iju", "svega", "njega", "čega", "ničega", "nečega", \
    "svemu", "njemu", "čemu", "ožujak", "ožujka", "lipanj", "lipnja", "srpanj", "srpnja", "rujan", "rujna", \
    "listopad", "listopada", "studeni", "studenoga", "prosinac", "prosinca", "ponedjeljak", "utorak", "srijeda", \
    "srijedu", "četvrtak", "petak", "subota", "subotu", "nedjelja", "nedjelju", "*ima"
static const char *const SLH_SL[] = {SL_BASE, SLH_MORE, NULL};
static const char *const SLH_HR[] = {BSF_BASE, HRH_MORE, NULL};
static const char *const SL_WORDS[] = {SL_BASE, "pa", "bilo", "bili", SLH_MORE, NULL};
static const char *const BSF_WORDS[] = {BSF_BASE, HRH_MORE, NULL};

/* Croatian writes the preposition "s" and only before s, š, z, ž (and "sa mnom") "sa"; Bosnian writes "sa"
 * before any word. The yes-no question is "je li" in Croatian and "da li" in Bosnian. */
static bool ends_with(const char *w, size_t wl, const char *suf, size_t *stem) {
  size_t sl = strlen(suf);
  if (wl <= sl || memcmp(w + wl - sl, suf, sl)) return false;
  *stem = wl - sl;
  return true;
}

static void hr_bs_extra(const char *prev, const char *w, size_t wl, int v[2]) {
  /* verbs borrowed with -irati in Croatian take -isati in Bosnian (definisati, definisan, definiše): such a form
   * after a stem of five letters or more that does not end in p (pisati: opisan, potpisan) */
  static const char *const ISATI[] = {"iše", "išu", "isati", "isao", "isala", "isalo", "isali", "isan", "isana",
                                      "isano", "isani", "isanog", "isanom", "isanih", "isanim", "isanje", "isanja",
                                      "isanju"};
  size_t stem;
  for (size_t k = 0; k < OSC_ARRAY_LEN(ISATI); k++)
    if (ends_with(w, wl, ISATI[k], &stem) && stem >= 5 && w[stem - 1] != 'p') {
      v[1]++;
      break;
    }
  if (!prev[0]) return;
  if (!strcmp(prev, "sa") && w[0] != 's' && w[0] != 'z' && strncmp(w, "\xc5\xa1", 2) && strncmp(w, "\xc5\xbe", 2) &&
      strcmp(w, "mnom"))
    v[1]++;
  else if (!strcmp(w, "li") && !strcmp(prev, "da")) v[1]++;
  else if (!strcmp(w, "li") && !strcmp(prev, "je")) v[0]++;
}

/* Dutch against Afrikaans (Afrikaans grammar and spelling as against Dutch): the article die against de ('n and
 * een are left out: een is the Afrikaans "one"), the negation nie ... nie against niet, the pronouns ek, jy,
 * julle, hulle, hy against ik, jij, jullie, ze, hun; vir, oor, baie, hierdie, daardie, sal against voor, over,
 * veel, deze, zal; Afrikaans writes s, y, sk and -sie where Dutch writes z, ij, sch and -tie (sal / zal, sy / zij,
 * skool / school, organisasie / organisatie) and -lik for -lijk.  Shared words (het, is, was, van, met, dit, wat,
 * ons, ook, kan, moet) are left out; "fantasie" is Dutch too and cancels the Afrikaans -asie. */
/* more of the two grammars: Dutch keeps the -en of infinitives and plurals after a consonant (werken, boeken,
 * lopen; Afrikaans werk, boeke, loop; -ken and -ien are left out: Afrikaans erken, teken, sien), writes ch where
 * Afrikaans writes g (nacht, licht, echt / nag, lig, eg), the diminutive -je/-tje (Afrikaans -jie/-tjie), hem,
 * we, uw, welke, ben/bent (Afrikaans hom, ons, u, watter, is); Afrikaans the circumflexes ê ô û (sê, môre,
 * brûe), y where Dutch writes ij (tyd, skryf) and sk- for sch- (skool; -ies for -isch was dropped: Dutch
 * plurals such as tradities) */
#define NL_MORE                                                                                                        \
  "hem", "we", "uw", "welke", "ben", "bent", "*cht*", "*den", "*ten", "*gen", "*len", "*ren", "*nen", "*men",       \
      "*ven", "*pen", "*je", "*jes"
#define AF_MORE "hom", "watter", "*jie", "*jies", "*ê*", "*ô*", "*û*", "*y*", "sk*"
static const char *const NL_WORDS[] = {"de", "niet", "zijn", "wordt", "werd", "werden", "worden", "voor",
                                       "zal", "zullen", "zou", "zouden", "ze", "ik", "jij", "jullie", "hun", "hen",
                                       "naar", "door", "heeft", "hebben", "deze", "veel", "er", "als", "geweest",
                                       "z*", "*ij*", "*sch*", "*atie", "*aties", "fantasie", NL_MORE, NULL};
static const char *const AF_WORDS[] = {"die", "nie", "ek", "jy", "julle", "hulle", "hy", "vir", "oor", "baie",
                                       "hierdie", "daardie", "sal", "sou", "wees", "gewees", "geword", "almal", "as",
                                       "dis", "se", "*asie", "*asies", "*lik", "*like", "*likheid", AF_MORE, NULL};

/* Hindi against Marathi (the grammars' function words and endings): Marathi आहे, आहेत (is, are), आणि (and), नाही
 * (not), मध्ये (in), साठी (for), पण (but), तर, खूप, आता, काय, मी, आम्ही, तुम्ही, झाले/झाला/झाली (became), the
 * genitive -च्या and the letter ळ, which Hindi does not write; Hindi है, हैं, था, थी, थे, और, के, में, से, को,
 * नहीं, यह, वह, भी, लिए, कि, ने, मैं, आप, गया, गई, गए, किया, रहा, रही, रहे.  Left out: की (Marathi "that"), या
 * (Hindi "or", Marathi "this"), होता (Marathi "was"), केले (Hindi bananas). */
static const char *const HI_WORDS[] = {"है", "हैं", "था", "थी", "थे", "और", "के", "में", "से", "को", "नहीं", "यह",
                                       "वह", "भी", "लिए", "कि", "ने", "मैं", "आप", "गया", "गई", "गए", "किया",
                                       "रहा", "रही", "रहे", NULL};
static const char *const MR_WORDS[] = {"आहे", "आहेत", "आणि", "नाही", "नाहीत", "मध्ये", "साठी", "पण", "तर",
                                       "खूप", "आता", "काय", "मी", "आम्ही", "तुम्ही", "झाले", "झाला", "झाली",
                                       "*च्या", "*ळ*", NULL};

static const pair_rule PAIR_RULES[] = {
    {{"zu", "xh"}, {ZU_WORDS, XH_WORDS}, NULL},
    {{"sr", "mk"}, {SR_WORDS, MK_WORDS}, NULL},
    {{"tn", "st"}, {TN_WORDS, ST_WORDS}, NULL},
    {{"id", "ms"}, {ID_WORDS, MS_WORDS}, NULL},
    {{"sl", "bs"}, {SL_WORDS, BSF_WORDS}, NULL},
    {{"sl", "hr"}, {SLH_SL, SLH_HR}, NULL},
    {{"hr", "bs"}, {HR_WORDS, BS_WORDS}, hr_bs_extra},
    {{"nl", "af"}, {NL_WORDS, AF_WORDS}, NULL},
    {{"hi", "mr"}, {HI_WORDS, MR_WORDS}, NULL},
};

/* w (length wl) matches a list entry: the word itself, a prefix ("pre*") or a suffix ("*suf") of a longer word, or
 * a part of it ("*in*") */
static bool in_list(const char *const *l, const char *w, size_t wl) {
  for (; *l; l++) {
    const char *e = *l;
    if (e[0] != '*' && e[0] != w[0]) continue; /* most entries fail on the first byte */
    size_t el = strlen(e);
    if (e[0] == '*' && el > 2 && e[el - 1] == '*') {
      if (memmem(w, wl, e + 1, el - 2)) return true;
    } else if (e[0] == '*') {
      if (wl > el - 1 && !memcmp(w + wl - (el - 1), e + 1, el - 1)) return true;
    } else if (e[el - 1] == '*') {
      if (wl > el - 1 && !memcmp(w, e, el - 1)) return true;
    } else if (wl == el && !memcmp(w, e, el)) return true;
  }
  return false;
}

const char *nlp__pair_decide(const char *text, size_t len, const char *best, double *share) {
  if (share) *share = 1.0;
  if (!best) return best;
  /* the rules in order, each on the answer the ones before it left (sl / bs, then hr / bs) */
  for (size_t r = 0; r < OSC_ARRAY_LEN(PAIR_RULES); r++) {
    const pair_rule *pr = &PAIR_RULES[r];
    if (strcmp(best, pr->lang[0]) && strcmp(best, pr->lang[1])) continue;
    unsigned (*spelling)(const char *, size_t) = NULL;
    for (size_t q = 0; q < OSC_ARRAY_LEN(PAIR_SPELLING); q++)
      if (!strcmp(PAIR_SPELLING[q].lang0, pr->lang[0])) spelling = PAIR_SPELLING[q].spelling;
    int v[2] = {0, 0};
    char w[128], prev[128] = "";
    size_t i = 0;
    int wl;
    size_t s;
    while ((s = i, wl = next_word(text, len, &i, w, sizeof w)) >= 0) {
      if (!wl) {
        prev[0] = 0;
        continue;
      }
      /* spellings in words that start in lower case only (names: "Magubane", "Eskom Agreement") */
      unsigned m = spelling && !isupper((unsigned char)text[s]) ? spelling(w, (size_t)wl) : 0;
      for (int k = 0; k < 2; k++)
        if ((m >> k & 1) || in_list(pr->words[k], w, (size_t)wl)) v[k]++;
      if (pr->extra) pr->extra(prev, w, (size_t)wl, v);
      memcpy(prev, w, (size_t)wl + 1);
    }
    if (v[0] == v[1]) continue;
    int k = v[0] > v[1] ? 0 : 1;
    if (share) *share = (double)(v[k] + 1) / (double)(v[0] + v[1] + 2);
    best = pr->lang[k];
  }
  return best;
}

/*
 * Yoruba is often written without its tone marks and subdots (Yoruba Wikipedia: "awon", "orile-ede" for "àwọn",
 * "orílẹ̀-èdè"), and then the character models take it for a Bantu language, Malay or Indonesian.  When the
 * answer is one of those (or Esperanto, Irish or a South Slavic language, which such text is also taken for), two
 * different words of the text that are Yoruba function words or common nouns (compared without marks) or that
 * have the Yoruba "gb" (which none of those languages writes) make the answer Yoruba.
 * Left out: "ile" (also Sesotho), "si", "ni", "wa", "na" (Swahili), "kan" (Malay), "oba" (Luganda).
 */
static const char *const YO_ANSWERS[] = {"ts", "tn", "st", "sw", "id", "ms", "lg", "zu", "xh", "sn", "mi",
                                         "eo", "bs", "hr", "sl", "ga", NULL};
/* third round: tele (formerly), ile (house, land: the Wikipedia lists "X je Oba ile Y tele"), aare (president),
 * oruko (name), opo (many), ohun (thing), nitori (because), nipa (about), pupo (much), laarin (between), sinu (into),
 * eniyan (person), ede (language), olorun (God), gege and bii (as, like), osu (month).
 * "ile" (Sesotho "went") only adds to another word: two different words are needed.  Left out: "oba" (king; Luganda
 * "or", Slovenian and Croatian "both", with their "je"), "ipo" (Swahili "is there"), "lori" (Malay "lorry"), "ise"
 * (Tswana "not yet"), "iye" (Shona), "bayi" (Malay "baby"), "mu", "di" */
#define YO_THIRD "tele", "ile", "aare", "oruko", "opo", "ohun", "nitori", "nipa", "pupo", "laarin", "sinu", \
    "eniyan", "ede", "olorun", "gege", "bii", "osu"
static const char *const YO_WORDS[] = {"awon", "ati", "ninu", "lati", "pelu", "orile-ede", "omo", "naa", "eyi",
                                       "gbogbo", "wonyi", "tabi", "sugbon", "nigba", "je", "won", "tun", "yii",
                                       "odun", "ijoba", "ipinle", "ilu", "gb*", "*gb*", YO_THIRD, NULL};

const char *nlp__yoruba_decide(const char *text, size_t len, const char *best, double *share) {
  if (share) *share = 1.0;
  if (!best) return best;
  const char *const *a = YO_ANSWERS;
  while (*a && strcmp(*a, best)) a++;
  if (!*a) return best;
  /* two different words ("je je" in Bosnian is not Yoruba) */
  char w[128], first[128] = "";
  size_t i = 0;
  int wl;
  while ((wl = next_word_as(text, len, &i, w, sizeof w, true)) >= 0) {
    if (!wl || !in_list(YO_WORDS, w, (size_t)wl)) continue;
    if (!first[0]) memcpy(first, w, (size_t)wl + 1);
    else if (strcmp(first, w)) {
      if (share) *share = 2.0 / 3.0;
      return "yo";
    }
  }
  return best;
}

/* the next word of text from *i (letters, any byte of a UTF-8 sequence counting as one, apostrophes and hyphens),
 * case kept: its length (0 for a separator, which is skipped) and its start in *s */
static size_t raw_word(const char *text, size_t len, size_t *i, size_t *s) {
  *s = *i;
  while (*i < len && (isalpha((unsigned char)text[*i]) || (unsigned char)text[*i] >= 0x80 || text[*i] == '-' ||
                      text[*i] == '\''))
    (*i)++;
  size_t wl = *i - *s;
  if (!wl) (*i)++;
  return wl;
}

/* w is all lower-case ASCII letters (no name, no capital inside: "kuMozambique") */
static bool ascii_lower(const char *w, size_t wl) {
  for (size_t k = 0; k < wl; k++)
    if (w[k] < 'a' || w[k] > 'z') return false;
  return true;
}

/* the next raw word of text from *i, lower-cased into w; *lower: it was all lower-case ASCII; returns its length,
 * 0 for a word to skip (a separator, or longer than 63 bytes) */
static size_t raw_word_lower(const char *text, size_t len, size_t *i, char w[64], bool *lower) {
  size_t s, wl = raw_word(text, len, i, &s);
  if (!wl || wl > 63) return 0;
  *lower = ascii_lower(text + s, wl);
  for (size_t k = 0; k < wl; k++) w[k] = (char)tolower((unsigned char)text[s + k]);
  w[wl] = 0;
  return wl;
}

/*
 * Zulu and Xhosa taken for Swahili, Luganda or Shona (and, through the hyphenated prefixes, Tsonga).  Those three
 * write no clicks (Nguni c, q, x), no hl or dl, and do not hyphenate a class prefix onto a loan word or a number the
 * way Nguni news does ("i-website", "ama-runs", "angu-97", "kwi-akhawunti"); their function words are others.  A
 * text with one such mark (two for Tsonga, which writes x, hl and dl and whose "xa" is a Nguni word too) is Nguni,
 * and the Zulu/Xhosa pair rule then chooses between the two.  Only all-lower-case ASCII words count for letters and
 * function words (names: "Qatar", "kuMozambique"), and a click letter only before a vowel, h or w.
 */
static const char *const NG_ANSWERS[] = {"sw", "lg", "sn", "ts", NULL};
static const char *const NG_WORDS[] = {"kunye", "kwaye", "futhi", "ukuthi", "ukuba", "kodwa", "ngoba", "noma",
                                       "okanye", "lapho", "apho", "njani", "kakhulu", "kanye", "ngoku", "manje",
                                       "kuphela", "yonke", "zonke", "bonke", "nokho", "kepha", NULL};
/* third round: the copulative ngu- / yi- after a relative concord, hyphenated onto a number or a loan (Zulu
 * "engu-2.0", "esingu-7", "oyi-6-speed"; Xhosa "eziyi-30") */
#define NG_HYPHEN_THIRD "engu", "esingu", "abangu", "okungu", "olungu", "elingu", "ezingu", "obungu", "eyi", "oyi", \
    "eziyi", "esiyi", "eliyi", "okuyi"
static const char *const NG_HYPHEN[] = {"i", "u", "ama", "aba", "imi", "izi", "isi", "ezi", "esi", "kwi", "ngu",
                                        "angu", "yi", "ye", "nge", "kuma", "ema", "se", "le", "nase", "ase", "lwe",
                                        "we", "be", "lo", NG_HYPHEN_THIRD, NULL};

bool nlp__nguni_marked(const char *text, size_t len, const char *best) {
  if (!best) return false;
  const char *const *a = NG_ANSWERS;
  while (*a && strcmp(*a, best)) a++;
  if (!*a) return false;
  bool ts = !strcmp(best, "ts");
  int marks = 0;
  size_t i = 0;
  while (i < len) {
    size_t s, wl = raw_word(text, len, &i, &s);
    if (!wl) continue;
    const char *w = text + s;
    const char *h = memchr(w, '-', wl);
    if (h && h > w && (h + 1 < w + wl ? isalpha((unsigned char)h[1]) : i < len && isdigit((unsigned char)text[i]))) {
      /* a class prefix hyphenated onto a loan word or a number */
      for (const char *const *p = NG_HYPHEN; *p; p++)
        if (strlen(*p) == (size_t)(h - w) && !memcmp(w, *p, (size_t)(h - w))) {
          marks++;
          break;
        }
      continue;
    }
    /* letters glued to a number ("80px", "CD4") are units and codes */
    if (ts || (s && isdigit((unsigned char)text[s - 1])) || (i < len && isdigit((unsigned char)text[i]))) continue;
    if (!ascii_lower(w, wl)) continue;
    bool mark = in_list(NG_WORDS, w, wl);
    for (size_t k = 0; k < wl && !mark; k++) {
      char c = w[k], n = k + 1 < wl ? w[k + 1] : 0;
      /* a click is followed by a vowel, h or w (ixesha, uxolo, izixwembe, ezinqwenela), as every Nguni syllable
       * is open: "box", "oxygen" are not clicks */
      bool syl = n && strchr("aeiouhw", n);
      mark = ((c == 'q' || c == 'x') && syl) || ((c == 'h' || c == 'd') && n == 'l');
    }
    marks += mark;
  }
  return marks >= (ts ? 2 : 1);
}

/*
 * Shona against Swahili (Shona texts are taken for Swahili): Shona writes zv, sv, dz, bv, pf, vh and bh (zvakare,
 * svondo, dzimba, bvunza, pfuma, vhiki, bhazi), which Swahili does not, and Swahili th and gh (thamani, ghali),
 * which Shona does not; the spellings count in lower-case words only (names: "Madhara", "Nhat").  The function words
 * and common words vote too: Shona uye, kuti, asi, zvino, saka, nekuti, izvi, chete, kwete, vanhu, nyika,
 * hurumende ... against Swahili katika, kuwa, hii, pia, lakini, kwamba, ambao, sana, zaidi, watu, serikali ...
 * ("mh" and "nh" are left out: Swahili mhudumu, Jamhuri).  Ties keep the answer.
 */
/* third round: kana (if, or), ari / iri (he is, it is), kuva (to be), kune (there is), nei (why) */
#define SN_THIRD "kana", "ari", "iri", "kuva", "kune", "nei"
static const char *const SN_WORDS[] = {"uye", "kuti", "asi", "zvino", "zvakare", "saka", "nekuti", "nokuti", "izvi",
                                       "izvo", "uyu", "iyi", "ivo", "isu", "chete", "kwete", "vanhu", "nyika",
                                       "hurumende", "pamwe", "kunge", "ichi", "zvose", "zvese", "nhasi", "iye",
                                       "ava", "ndiko", "mukati", "sei", SN_THIRD, NULL};
static const char *const SW_WORDS[] = {"katika", "kuwa", "hii", "hiyo", "pia", "lakini", "kwamba", "ambao",
                                       "ambayo", "ambapo", "sana", "zaidi", "watu", "serikali", "hata", "bila",
                                       "baada", "kabla", "wakati", "hizi", "huu", "hilo", "hicho", "kama", "kutoka",
                                       "alikuwa", "ili", "tu", "wao", "sisi", "yeye", "mwaka", NULL};

/* the marks of one word (w lower-cased, lower: it was all lower-case ASCII) for the two sides of a rule */
typedef void (*word_marks_fn)(const char *w, size_t wl, bool lower, bool m[2]);

/* each side's votes: the raw words of text that fn marks for it */
/* the first word of the text, or of a sentence, counts as lower-case when only its first letter is a capital
 * ("Akabvuma nyaya ..."): a sentence starts with a word, not a name, far more often than not */
static bool sentence_start(const char *text, size_t s) {
  while (s && (text[s - 1] == ' ' || text[s - 1] == '"' || text[s - 1] == '(')) s--;
  return !s || text[s - 1] == '.' || text[s - 1] == '!' || text[s - 1] == '?';
}

static void count_marks(const char *text, size_t len, word_marks_fn fn, int v[2]) {
  size_t i = 0;
  while (i < len) {
    char w[64];
    bool lower, m[2] = {false, false};
    size_t s = i;
    size_t wl = raw_word_lower(text, len, &i, w, &lower);
    if (!wl) continue;
    if (!lower && isupper((unsigned char)text[s]) && ascii_lower(text + s + 1, wl - 1) && sentence_start(text, s))
      lower = true;
    fn(w, wl, lower, m);
    v[0] += m[0];
    v[1] += m[1];
  }
}

static void shona_marks(const char *w, size_t wl, bool lower, bool m[2]) { /* sn, sw */
  m[0] = in_list(SN_WORDS, w, wl);
  m[1] = in_list(SW_WORDS, w, wl);
  for (size_t k = 0; lower && k + 1 < wl; k++) {
    char c = w[k], n = w[k + 1];
    if ((n == 'v' && strchr("zsb", c)) || (c == 'd' && n == 'z') || (c == 'p' && n == 'f') ||
        (n == 'h' && (c == 'v' || c == 'b')))
      m[0] = true;
    if (n == 'h' && (c == 't' || c == 'g')) m[1] = true;
  }
}

/* Shona taken for Indonesian, Malay, Tagalog, Italian or Czech (short texts with loans): two different Shona words,
 * or words with zv (which none of those writes), make it Shona; zv counts in lower-case words only */
static const char *const SN_INTO[] = {"id", "ms", "tl", "it", "cs", NULL};
/* the scans that run on answers of common languages (it, cs, id) read the text's start only, as the models do */
#define AFR_SCAN_BYTES 1024

/* whether two different words of the text's start are marks (mark(word, length, starts in lower case)) */
static bool two_marked_words(const char *text, size_t len, bool (*mark)(const char *w, size_t wl, bool lower)) {
  if (len > AFR_SCAN_BYTES) len = AFR_SCAN_BYTES;
  char first[64] = "";
  size_t i = 0;
  while (i < len) {
    char w[64];
    bool lower;
    size_t wl = raw_word_lower(text, len, &i, w, &lower);
    if (!wl || !mark(w, wl, lower)) continue;
    if (!first[0]) memcpy(first, w, wl + 1);
    else if (strcmp(first, w)) return true;
  }
  return false;
}

static bool shona_mark(const char *w, size_t wl, bool lower) {
  return in_list(SN_WORDS, w, wl) || (lower && memmem(w, wl, "zv", 2));
}

static const char *shona_into(const char *text, size_t len, const char *best) {
  return two_marked_words(text, len, shona_mark) ? "sn" : best;
}

const char *nlp__shona_decide(const char *text, size_t len, const char *best, double *share) {
  if (share) *share = 1.0;
  if (!best) return best;
  const char *const *a = SN_INTO;
  while (*a && strcmp(*a, best)) a++;
  if (*a) return shona_into(text, len, best);
  if (strcmp(best, "sn") && strcmp(best, "sw")) return best;
  int v[2] = {0, 0}; /* sn, sw */
  count_marks(text, len, shona_marks, v);
  if (v[0] == v[1]) return best;
  int k = v[0] > v[1] ? 0 : 1;
  if (share) *share = (double)(v[k] + 1) / (double)(v[0] + v[1] + 2);
  return k ? "sw" : "sn";
}

/* third round: wabula (but), oba (or), ne (and), eri (to, is at), buli (every; Swahili kila), okuba (to be) */
#define LG_THIRD "wabula", "oba", "ne", "eri", "buli", "okuba"
/* Tagalog's function words, for Luganda answered Tagalog (short texts): ang, ng, mga, sa, ay, at, ko, mo, siya,
 * hindi, ito, para, kung */
static const char *const TL_WORDS[] = {"ang", "ng", "mga", "sa", "ay", "at", "ko", "mo", "siya", "hindi", "ito",
                                       "para", "kung", NULL};

/*
 * Luganda taken for Swahili: Luganda writes ky, gy, ŋ and doubled consonants (bakyala, ggwanga, ssente, ddala,
 * abaggaliddwa), which Swahili does not, and has nnyo, era, nti, naye, kubanga, bwe; Swahili writes sh, ch, th, dh,
 * gh, which Luganda does not, and has the Swahili words of the Shona rule and "ni".  Only an answer of Swahili is
 * changed, when the Luganda marks outnumber the Swahili ones; the spellings count in lower-case words only.
 */
static const char *const LG_WORDS[] = {"nnyo", "era", "nti", "naye", "kubanga", "bwe", "*\xc5\x8b*", LG_THIRD, NULL};

static void luganda_marks(const char *w, size_t wl, bool lower, bool m[2]) { /* lg, sw */
  m[0] = in_list(LG_WORDS, w, wl);
  m[1] = in_list(SW_WORDS, w, wl) || !strcmp(w, "ni");
  for (size_t k = 0; lower && k + 1 < wl; k++) {
    char c = w[k], n = w[k + 1];
    if ((n == 'y' && (c == 'k' || c == 'g')) || (c == n && strchr("bdgklpstzfjv", c))) m[0] = true;
    if (n == 'h' && strchr("sctdg", c)) m[1] = true;
  }
}

/* Tagalog writes gg, gy, ng and doubled letters in loans (paggamot, bahagyang, committee): against it, Luganda's
 * words and only ky, ss and dd (bakyala, ssente, ddala) */
static void luganda_tl_marks(const char *w, size_t wl, bool lower, bool m[2]) { /* lg, tl */
  m[0] = in_list(LG_WORDS, w, wl) || (lower && (memmem(w, wl, "ky", 2) || memmem(w, wl, "ss", 2) ||
                                                memmem(w, wl, "dd", 2)));
  m[1] = in_list(TL_WORDS, w, wl);
}

const char *nlp__luganda_decide(const char *text, size_t len, const char *best) {
  if (!best || (strcmp(best, "sw") && strcmp(best, "tl"))) return best;
  int v[2] = {0, 0}; /* lg, sw or tl */
  count_marks(text, len, best[0] == 's' ? luganda_marks : luganda_tl_marks, v);
  return v[0] > v[1] ? "lg" : best;
}

/*
 * Tsonga taken for Sotho, Tswana, Swahili, Shona or Maori: Tsonga's function words (eka "in, to", hi "by, we",
 * leswi, leri, leyi, lowu "that, which", loko "if, when", kambe "but", kumbe "or", hikuva "because", naswona "and",
 * swinene "very", ntsena "only", sweswi "now", kutani "then", and the concords xi, ri, swi, yi) and its spellings:
 * words beginning xi- or swi- (class 7 and 8: xikolo, swilo), dzh, rh (ndzhawu, nkarhi) and n'w (n'wana, N'wa-
 * names), none of which those languages write (Xhosa and Zulu, which write rh and x, are the Nguni rule's).  Two
 * different marks make it Tsonga; the spellings count in lower-case words (names), n'w in any word.  Not for
 * Luganda (bya, byonna, n'omwenge), Malay or Indonesian answers (terhadap, perhatian), and not by before a vowel
 * (Tsonga mavabyi, Luganda bya): measured, they took lg and id rows.
 */
static const char *const TS_ANSWERS[] = {"st", "tn", "sw", "sn", "mi", NULL};
static const char *const TS_WORDS[] = {"eka", "hi", "leswi", "leri", "leyi", "lowu", "loko", "kambe", "kumbe",
                                       "hikuva", "naswona", "swinene", "ntsena", "sweswi", "kutani", "xi", "ri",
                                       "swi", "yi", NULL};
static const char *const TS_SPELLINGS[] = {"xi*", "swi*", "*dzh*", "*rh*", NULL};

static bool tsonga_mark(const char *w, size_t wl, bool lower) {
  return in_list(TS_WORDS, w, wl) || (lower && in_list(TS_SPELLINGS, w, wl)) || memmem(w, wl, "n'w", 3) ||
         memmem(w, wl, "n\xe2\x80\x99w", 5);
}

const char *nlp__tsonga_decide(const char *text, size_t len, const char *best) {
  if (!best) return best;
  const char *const *a = TS_ANSWERS;
  while (*a && strcmp(*a, best)) a++;
  if (!*a) return best;
  return two_marked_words(text, len, tsonga_mark) ? "ts" : best;
}

/*
 * Groups of European languages the character models confuse (measured on the langid development rows; the words
 * are the grammars' function words, standard spellings and endings, never words picked from evaluation rows).
 * When the answer is a member, each member's words vote; a word in two lists votes for both, so shared words
 * ("ikke" in Danish and Bokmål, "per" in Latin and Italian) are listed in both and cancel.  A member can stand for
 * two codes (nb and nn, cs and sk): the answer stays as it is; a switch to it gives the first, and a later rule or
 * the Norwegian word lists choose.  Three modes:
 *  - GROUP_VOTE: the member with the most votes, when it is the only one with that many;
 *  - GROUP_PIVOT: lang[0] against each other member: it takes the answer of a member it outvotes, and gives
 *    its own answer to the member that outvotes it most by two votes (Latin against Romance: est/sunt/quod
 *    against il/della), Latin by one when no word votes Latin;
 *  - GROUP_INTO: only into lang[0] (Czech and Slovak texts that franc answers Bosnian, Maori or Sotho).
 * Words are read from the first GROUP_MAX_BYTES bytes, as the models read the text's start.
 */
enum { GROUP_VOTE, GROUP_PIVOT, GROUP_INTO };
#define GROUP_MAX_LANGS 14
#define GROUP_MAX_BYTES 512

typedef struct group_rule {
  int mode;
  const char *lang[GROUP_MAX_LANGS];
  const char *const *words[GROUP_MAX_LANGS];
  const char *also[GROUP_MAX_LANGS]; /* a second code the member stands for (nb: nn); a switch gives lang */
  bool (*gate)(const char *text, size_t len, const char *best); /* NULL: always; else the rule runs when true */
  bool one_vote; /* a pivot that gives its answer away on one vote when no word votes for it */
} group_rule;

/* Danish, Norwegian, Swedish: Swedish och/inte/jag/är/från and the letters ä ö (Danish and Norwegian write æ ø);
 * Danish af/hvad/havde/mig/dig/os/nogle/noget/bliver/mellem/mod/op/ud and -hed; Norwegian meg/deg/seg/noe/noen/nå/
 * ble/etter/mye, Nynorsk ikkje/eg, -sjon (Danish and Swedish -tion) */
/* spellings (Dansk Retskrivningsordbog, Bokmålsordboka): Danish ej/øj where Norwegian writes ei/øy (arbejde/arbeid,
 * vej/vei, høj/høy, øje/øye), Norwegian kj and gj where Danish writes k and g (kjøpe/købe, kjenne/kende, gjøre/gøre,
 * gjennom/gennem, igjen/igen); kj only at the start of a word, as Danish writes skj too (skjult, skjorte) */
#define DA_SPELL "*ej*", "*øj*"
#define NO_SPELL "*øy*", "kj*", "*gj*"
/* function words and common forms spelt differently in the three (Danish / Norwegian / Swedish): lidt / litt / lite
 * (a little), tilbage / tilbake / tillbaka (back), måske / kanskje / kanske (maybe), været / vært, vore / varit
 * (been), uden / uten / utan (without; utan is Nynorsk too, so only Swedish's other words), jer / dere / er (you
 * plural), vores (our), sidste / siste / sista (last), næste / neste / nästa (next), gik / gikk, gjekk / gick
 * (went), fik / fikk, fekk / fick (got), sagde (said), mere (more); Norwegian mellom (Danish mellem, Swedish
 * mellan) and the infinitive marker å (Danish and Swedish at / att), the Nynorsk dei (they), ein, eit (a), frå
 * (from), kva (what), berre (only), ho (she), none of them Danish or Swedish; Swedish att, honom (him), denna
 * (this), sedan (since), bara (only), många (many), varit, vid (at, by) */
#define DA_WORDS "lidt", "tilbage", "måske", "været", "uden", "jer", "vores", "sidste", "næste", "gik", "fik", "sagde", \
                 "mere"
#define NO_WORDS "litt", "tilbake", "kanskje", "vært", "uten", "dere", "siste", "neste", "gikk", "fikk", "mellom", "å", \
                 "dei", "ein", "eit", "frå", "kva", "berre", "ho"
#define SV_WORDS "att", "honom", "denna", "sedan", "bara", "många", "varit", "vid"
static const char *const SCAN_SV[] = {"och", "inte", "jag", "är", "från", "till", "också", "mycket", "någon", "något",
                                      "några", "hade", "hon", "vad", "*ä*", "*ö*", "sig", "nu", "efter", "blev",
                                      "*tion", "*tioner", "av", "ut", "mot", "oss", "*het", "*heten", SV_WORDS, NULL};
static const char *const SCAN_DA[] = {"af", "hvad", "havde", "mig", "dig", "os", "nogle", "noget", "nogen", "sådan",
                                      "bliver", "gør", "siger", "mellem", "mod", "op", "ud", "endnu", "igen", "meget",
                                      "*hed", "*heden", "*heder", "sig", "nu", "efter", "blev", "*tion", "*tioner",
                                      "ikke", "jeg", DA_SPELL, DA_WORDS, NULL};
static const char *const SCAN_NO[] = {"opp", "meg", "deg", "seg", "noe", "noen", "nå", "ble", "blei", "etter", "mye",
                                      "ikkje", "eg", "*sjon", "*sjonen", "*sjoner", "av", "ut", "mot", "oss", "*het",
                                      "*heten", "ikke", "jeg", NO_SPELL, NO_WORDS, NULL};

/* Esperanto against the Romance languages and Latin (with the Latin list below) it is taken for: its correlatives (tiu,
 * kiu, kio, kiam, kiel), kaj, estis, pri, kun, ĉu, ankaŭ, ĉar, the plural -oj/-ojn and the x-system spellings (cx, gx,
 * sx, jx, aux for ĉ ĝ ŝ ĵ aŭ), the adjective plural -aj; Spanish "estas"/"estos" are Esperanto verb forms too */
static const char *const EO_EO[] = {"kaj", "estas", "estis", "estos", "ŝi", "ili", "tiu", "tiuj", "kiu", "kiuj",
                                    "kio", "kion", "kiam", "kiel", "tio", "tion", "pri", "kun", "ĉu", "cxu", "ankaŭ",
                                    "ankaux", "sed", "pli", "nur", "ĉar", "cxar", "havas", "povas", "iom", "jam",
                                    "*oj", "*ojn", "*aj", "*ajn", "*cx*", "*gx*", "*sx*", "*jx*", "*aux*", "do", "ne",
                                    NULL};
static const char *const EO_ES[] = {"los", "las", "y", "que", "pero", "porque", "está", "son", "más", "muy", "también",
                                    "ya", "hay", "fue", "cuando", "donde", "sin", "hasta", "sus", "con", "como", "para",
                                    "una", "*ción", "*ciones", "*ñ*", "estas", "estos", NULL};
static const char *const EO_PT[] = {"os", "do", "dos", "das", "em", "não", "um", "uma", "com", "é", "são", "ao",
                                    "também", "foi", "muito", "já", "*ção", "*ções", "*ã*", "*õ*", "que", "para",
                                    "como", NULL};
static const char *const EO_IT[] = {"il", "della", "delle", "degli", "nel", "nella", "che", "di", "sono", "è", "anche",
                                    "questo", "più", "gli", "una", "per", "con", "non", "ne", NULL};
static const char *const EO_CA[] = {"els", "amb", "però", "perquè", "és", "i", "dels", "també", "molt", "són", "que",
                                    "una", "per", "ne", NULL};
static const char *const EO_FR[] = {"le", "les", "des", "du", "et", "est", "une", "dans", "pour", "avec", "pas", "ce",
                                    "qui", "que", "il", "aux", "*aux", "ne", NULL};

/* Latin against the languages it is taken for: est/sunt/erat/fuit/esse, sed, quae/quod/ut/enim/autem/atque, the
 * genitive plurals -orum/-arum and the ablative -ibus (Latin has no articles); the others' articles and function
 * words; Italian "ad", "non", "in", "esse", "anno" and Romanian "sunt", "cum" are Latin words too. Also the verb
 * endings -erunt, -avit, -ivit and the passive -atur/-antur/-untur/-itur, and the enclitic -que, which the
 * others' -que words (porque, politique, dunque) cancel; Romanian's definite article -ul and genitive plurals
 * -elor (with -ului, -ilor) and the nouns in -ție/-ții written without diacritics (-tie, -tii); French -eux, -eau,
 * -eaux, the participles -ée/-ées and the imperfect -ait/-aient */
static const char *const LA_LA[] = {"vel", "quoque", "quidem", "hic", "haec", "hoc", "eum", "eam", "per", "est", "sunt",
                                    "erat", "erant", "fuit", "esse", "sed", "quae", "quod", "ut", "enim", "autem",
                                    "atque", "ab", "eius", "etiam", "apud", "sive", "nec", "neque", "ac", "ubi", "quam",
                                    "inter", "iam", "tamen", "*orum", "*arum", "*ibus", "cum", "ad", "non", "in", "et",
                                    "qui", "anno", "*erunt", "*avit", "*ivit", "*atur", "*antur", "*untur", "*itur",
                                    "*que", "sic", "nam", "nisi", "ita", "ibi", "unde", "cuius", "nobis", "vobis",
                                    "ante", NULL};
static const char *const LA_IT[] = {"il", "della", "delle", "degli", "dei", "nel", "nella", "che", "di", "sono", "è",
                                    "anche", "questo", "più", "gli", "una", "per", "con", "ad", "non", "in", "qui",
                                    "esse", "anno", "alla", "dal", "cinque", "dunque",
                                    "qualunque", "chiunque", "ovunque", NULL};
static const char *const LA_RO[] = {"și", "şi", "fi", "în", "cu", "pe", "din", "este", "care", "mai", "pentru", "sau",
                                    "ale", "lui", "acest", "această", "*ului", "*ilor", "*elor", "*ul", "*tie", "*tii",
                                    "sunt", "cum", "in", "unde", NULL};
static const char *const LA_ES[] = {"el", "los", "las", "del", "y", "que", "pero", "porque", "está", "son", "más", "muy",
                                    "también", "ya", "hay", "fue", "cuando", "donde", "sin", "hasta", "sus", "con",
                                    "como", "para", "por", "una", "*ción", "*ciones", "*ñ*", "*que", "ante", NULL};
static const char *const LA_PT[] = {"os", "do", "dos", "das", "em", "não", "um", "uma", "com", "é", "são", "ao",
                                    "também", "foi", "muito", "já", "*ção", "*ções", "*ã*", "*õ*", "que", "para",
                                    "como", "*que", "ante", NULL};
static const char *const LA_FR[] = {"le", "les", "des", "du", "une", "dans", "pour", "avec", "pas", "ce", "il", "que",
                                    "et", "est", "qui", "non", "*que", "*eux", "*eau", "*eaux", "*ée", "*ées", "*ait",
                                    "*aient", NULL};
static const char *const LA_CA[] = {"els", "amb", "però", "perquè", "és", "i", "dels", "també", "molt", "són", "que",
                                    "una", "per", "el", "del", "les", "et", "*que", NULL};

/* Latin taken for Italian (and, with the lists below, Catalan, Spanish, French, Portuguese, Romanian): the Latin
 * case endings -us, -um, -ae (nominative, accusative, genitive/plural), -is (dative/ablative plural), -am/-em
 * (accusative singular) and the verb endings -it/-nt (3rd singular and plural), where Italian words end in a
 * vowel; Italian's articles and function words vote against them */
static const char *const LAIT_LA[] = {"*us", "*um", "*ae", "*is", "*it", "*nt", "*em", "*am", NULL};
static const char *const LAIT_IT[] = {"il", "lo", "la", "i", "gli", "le", "della", "delle", "degli", "dei", "del",
                                      "nel", "nella", "che", "di", "da", "sono", "è", "anche", "questo", "questa",
                                      "più", "una", "un", "con", "alla", "al", "dal", "per", "ma", "come", NULL};

/* the same Latin endings against Catalan, Spanish and French answers: each language's own words with these
 * endings vote for it too, so they cancel (Catalan participles -it, gerunds and adverbs -nt/-ment, 1st plural
 * -em, plurals -is; Spanish -is of crisis, tesis; French nous/vous/tous/plus -us, -is, fait/dit -it, the 3rd plural
 * and adverbs -ent/-ment) */
static const char *const LAX_CA[] = {"els", "amb", "però", "perquè", "és", "i", "dels", "també", "molt", "són", "que",
                                     "una", "per", "el", "del", "les", "la", "un", "en", "al", "com", "no", "*us",
                                     "*um", "*it", "*nt", "*is", "*em", NULL};
static const char *const LAX_ES[] = {"el", "los", "las", "del", "la", "y", "que", "en", "un", "una", "con", "por",
                                     "para", "es", "son", "se", "no", "su", "sus", "al", "lo", "le", "más", "muy",
                                     "como", "pero", "*is", NULL};
static const char *const LAX_FR[] = {"le", "la", "les", "des", "du", "de", "et", "est", "un", "une", "dans", "pour",
                                     "avec", "pas", "ce", "il", "qui", "que", "sur", "au", "aux", "en", "se", "ne",
                                     "par", "*us", "*is", "*it", "*nt", NULL};

/* Portuguese -um (um, algum, comum), the 3rd plural -am/-em, plurals -is (mais, possíveis); Romanian -us/-is/-it
 * participles (spus, scris, venit), cum/acum -um, the 1st person -am/-em (eram, avem), sunt, -ment/-ent */
static const char *const LAX_PT[] = {"os", "do", "dos", "das", "em", "não", "um", "uma", "com", "é", "são", "ao", "que",
                                     "para", "da", "na", "no", "se", "como", "por", "ou", "meu", "minha", "mas",
                                     "também", "você", "*um", "*am", "*em", "*is", NULL};
static const char *const LAX_RO[] = {"și", "şi", "în", "cu", "pe", "din", "este", "care", "mai", "pentru", "sau", "la",
                                     "de", "se", "nu", "o", "un", "*us", "*um", "*am", "*em", "*is", "*it", "*nt",
                                     NULL};

/* Catalan against Spanish: els, amb, però, perquè, és, aquest, seva, molt, fins, pel, the elided l' d', -ció,
 * -tat, ny; Spanish los, las, y, pero, porque, está, más, muy, hay, -ción, -dad, ñ (not "desde": Catalan web
 * text writes it for "des de") */
static const char *const CA_CA[] = {"els", "amb", "però", "perquè", "és", "dels", "seva", "seu", "seus", "aquest",
                                    "aquesta", "aquests", "també", "molt", "fins", "són", "pel", "pels", "i", "l",
                                    "d", "*ció", "*cions", "*ny*", "*tat", "*tats", "hi", "ho", NULL};
static const char *const CA_ES[] = {"los", "las", "y", "pero", "porque", "está", "están", "más", "muy", "también", "ya",
                                    "hay", "fue", "cuando", "donde", "sin", "hasta", "sus", "su", "con", "como", "para",
                                    "por", "*ción", "*ciones", "*ñ*", "*dad", "*dades", "le", "mi", "esta", "este",
                                    "son", NULL};

/* Portuguese against Spanish: the contractions of em/de/a/por with the article and the pronoun (na, do, da, ao, à,
 * pela, dele/dela, nele/nela...; not "no", also Spanish "not", nor "pelo", Spanish "hair"), não, com, um/uma, e "and",
 * ou, sem, também, você, ele/ela, isso/isto, esse/essa, mais, foi, são, é, seu/sua, quem, qual, onde, quando, já,
 * ainda, depois, até, há, tem, pode, estão, eu, nós, meu/minha, hoje, agora, sempre, bem, outro, mesmo, ano; the
 * letters ã õ ç ê ô and the digraphs lh nh; the endings -dade, -vel/-veis (Spanish -ble), -eiro/-eira (Spanish
 * -ero/-era), -agem (Spanish -aje); the months (setembro, outubro, novembro, dezembro, maio; janeiro, fevereiro by
 * -eiro, junho, julho by the digraphs). Spanish: el, los, las, del, al, la (Portuguese "a"), y, un, una, con, en, es,
 * son, muy, más, pero, también, usted, ya, hay, fue, cual, quien, cuando, donde, sin, hasta, su/sus, le/les/lo,
 * eso/esto/ese/esa, ahora, hoy, siempre, bien, año, mismo, otro, tiene, puede, hace, hacer, tener, ella/él/ellos,
 * nuestro, poco, mucho, yo, ni, pues, entonces, después, aunque, uno; the letter ñ and the digraph ll; the endings
 * -ción/-ón, -dad, -ble, -aje and the imperfect and noun ending -ía/-ías/-ían (Portuguese writes -ia); the months and
 * weekdays */
static const char *const PTES_PT[] = {
    "não", "com", "um", "uma", "uns", "umas", "em", "do", "da", "dos", "das", "na", "nas", "num", "numa", "ao", "aos",
    "à", "às", "pela", "pelos", "pelas", "e", "ou", "sem", "também", "você", "vocês", "ele", "ela", "eles", "elas",
    "isso", "isto", "esse", "essa", "esses", "essas", "mais", "foi", "são", "é", "seu", "seus", "sua", "suas", "quem",
    "qual", "quais", "onde", "quando", "já", "ainda", "depois", "até", "há", "tem", "têm", "pode", "podem", "estão",
    "eu", "nós", "meu", "minha", "hoje", "agora", "sempre", "bem", "outro", "outra", "outros", "outras", "mesmo",
    "mesma", "ano", "anos", "muito", "muita", "muitos", "muitas", "dele", "dela", "deles", "delas", "nele", "nela",
    "neles", "nelas", "setembro", "outubro", "novembro", "dezembro", "maio", "*ã*", "*õ*", "*ç*", "*ê*", "*ô*", "*lh*",
    "*nh*", "*dade", "*vel", "*veis", "*eiro", "*eira", "*eiros", "*eiras", "*agem", "*agens", NULL};
static const char *const PTES_ES[] = {
    "el", "los", "las", "del", "al", "la", "y", "un", "una", "con", "en", "es", "son", "muy", "más", "pero", "también",
    "usted", "ustedes", "ya", "hay", "fue", "cual", "cuál", "quien", "quién", "cuando", "cuándo", "donde", "dónde",
    "sin", "hasta", "su", "sus", "le", "les", "lo", "eso", "esto", "ese", "esa", "ahora", "hoy", "siempre", "bien",
    "año", "años", "mismo", "misma", "otro", "otra", "otros", "otras", "tiene", "tienen", "puede", "pueden", "hace",
    "hacer", "tener", "ella", "él", "ellos", "ellas", "nuestro", "nuestra", "poco", "mucho", "mucha", "muchos",
    "muchas", "yo", "ni", "pues", "entonces", "después", "aunque", "uno", "enero", "febrero", "marzo", "mayo", "junio",
    "julio", "septiembre", "octubre", "noviembre", "diciembre", "lunes", "martes", "miércoles", "jueves", "viernes",
    "*ñ*", "*ll*", "*ón", "*dad", "*ble", "*bles", "*aje", "*ajes", "*ía", "*ías", "*ían", NULL};

/* Czech against Slovak: cs jsem/jsou/byl/jako/nebo/který/když/není/může/pro and ř ů ě; sk sa/som/bol/ako/alebo/
 * ktorý/keď/nie/len/pre/aj and ä ô ľ ĺ ŕ (with the spellings without diacritics common on the web); Czech written
 * without diacritics: the verbal nouns -ení/-ání as -eni/-ani (Slovak -enie/-anie; not the forms with diacritics,
 * which are Slovak genitive plurals too), the 3rd plural -ují/-uji (Slovak -ujú), já/ja, budou/budú, proto/preto,
 * pouze/iba, jejich/ich, dne/dňa and the Slovak locative plural -och */
/* more of the two grammars: Czech kdyby, proč, všichni, přes, podle, the particle ať and nouns in -ť (paměť,
 * síť, oběť, čtvrť, chuť; Slovak pamäť, sieť, obeť, štvrť, chuť), the month names leden ... prosinec with their
 * genitives and the weekdays pondělí, úterý, čtvrtek, pátek, neděle; Slovak keby, prečo, všetci, cez, podľa,
 * lebo (because), čo, nič, the vocalised prepositions vo, zo, ku (Czech ve, ze, ke), the infinitive -ť (byť,
 * robiť; Czech -t), the abstract nouns -osť (Czech -ost), the nouns -ácia (Czech -ace), the months január ...
 * december (their genitives januára ...), the weekdays pondelok, utorok, štvrtok, piatok, nedeľa, the genitive
 * plural and possessive -ov (rokov, otcov; Czech roků, otcův: "domov" and "slov" are both and cancel) and the
 * 3rd plural and noun ending -ia (robia, hovoria, informácia; Czech dělají, mluví, informace).  Not the Slovak
 * adjective ending -ej (novej): colloquial Czech writes it too (dobrej). */
#define CS_MORE "kdyby", "proč", "všichni", "přes", "podle", "ať", "paměť", "síť", "oběť", "čtvrť", "chuť",       \
    "leden", "ledna", "únor", "února", "březen", "března", "duben", "dubna", "květen", "května", "červen",         \
    "června", "červenec", "července", "srpen", "srpna", "září", "říjen", "října", "listopad", "listopadu",         \
    "prosinec", "prosince", "pondělí", "úterý", "čtvrtek", "pátek", "neděle", "neděli", "domov", "slov"
#define SK_MORE "keby", "prečo", "všetci", "cez", "podľa", "lebo", "čo", "nič", "vo", "zo", "ku", "*ť", "*osť",     \
    "*ácia", "*ácie", "*ácii", "*áciu", "január", "januára", "február", "februára", "marec", "marca", "apríl",      \
    "apríla", "máj", "mája", "jún", "júna", "júl", "júla", "augusta", "septembra", "októbra", "novembra",           \
    "decembra", "pondelok", "utorok", "štvrtok", "piatok", "nedeľa", "nedeľu", "*ov", "*ia"
static const char *const CS_CS[] = {"se", "jsem", "jsou", "jsme", "jste", "jsi", "byl", "bylo", "byla", "byli", "jako",
                                    "nebo", "který", "která", "které", "kteří", "kterou", "ktery", "ktera", "ktere",
                                    "kteri", "když", "kdyz", "ještě", "jeste", "není", "neni", "mezi", "může", "muze",
                                    "jen", "pro", "zde", "tedy", "vše", "vse", "*ř*", "*ů*", "*ě*", "já", "budou",
                                    "mohou", "jejich", "proto", "protože", "protoze", "pouze", "dne", "*ani", "*eni",
                                    "*ují", "*uji", CS_MORE, NULL};
static const char *const CS_SK[] = {"sa", "som", "bol", "bola", "bolo", "boli", "ako", "alebo", "ktorý", "ktorá",
                                    "ktoré", "ktorí", "ktorú", "ktory", "ktora", "ktore", "ktori", "ktoru", "keď",
                                    "ked", "ešte", "este", "nie", "len", "pre", "aj", "ak", "tiež", "tiez", "veľmi",
                                    "veľa", "vela", "možno", "mozno", "môže", "moze", "sme", "ste", "sú", "teda",
                                    "medzi", "všetko", "vsetko", "*ä*", "*ô*", "*ľ*", "*ĺ*", "*ŕ*", "ja", "budú",
                                    "môžu", "mozu", "ich", "preto", "pretože", "pretoze", "iba", "dňa", "*anie",
                                    "*enie", "*ania", "*enia", "*och", SK_MORE, NULL};
/* the same words in one list (Czech or Slovak), against the languages franc answers for such texts: the South
 * Slavic and Polish function words (and the ones they share with Czech or Slovak: se, sa, ako, jako, vse), and for
 * the others their most common short words and se/sa/jen, which are Sotho, Irish or Esperanto words too; the
 * letters á é í ý ú ď ť ň are written by none of the others but Irish (á é í ú) */
/* and the words of CS_MORE and SK_MORE that none of the others writes (not "nič", Slovenian too, "ku", Shona,
 * "listopad", Croatian, "marec", Slovenian, nor the genitives augusta ... decembra, South Slavic too) */
#define CSK_MORE "kdyby", "proč", "všichni", "přes", "podle", "ať", "leden", "ledna", "únor", "února", "březen",    \
    "března", "duben", "dubna", "květen", "května", "červen", "června", "červenec", "července", "srpen", "srpna",  \
    "září", "říjen", "října", "prosinec", "prosince", "pondělí", "úterý", "čtvrtek", "pátek", "neděle", "neděli",  \
    "keby", "prečo", "všetci", "cez", "podľa", "lebo", "čo", "vo", "zo", "január", "januára", "február",          \
    "februára", "apríl", "apríla", "máj", "mája", "jún", "júna", "júl", "júla", "októbra", "pondelok", "utorok",   \
    "štvrtok", "piatok", "nedeľa", "nedeľu"
static const char *const CSK_CSK[] = {"se", "jsem", "jsou", "jsme", "jste", "jsi", "byl", "bylo", "byla", "byli",
                                      "jako", "nebo", "který", "která", "které", "kteří", "kterou", "ktery", "ktera",
                                      "ktere", "kteri", "když", "kdyz", "ještě", "jeste", "není", "neni", "mezi",
                                      "může", "muze", "jen", "pro", "zde", "tedy", "vše", "vse", "*ř*", "*ů*", "*ě*",
                                      "sa", "som", "bol", "bola", "bolo", "boli", "ako", "alebo", "ktorý", "ktorá",
                                      "ktoré", "ktorí", "ktorú", "ktory", "ktora", "ktore", "ktori", "ktoru", "keď",
                                      "ked", "ešte", "este", "nie", "len", "pre", "aj", "ak", "tiež", "tiez", "veľmi",
                                      "veľa", "vela", "možno", "mozno", "môže", "moze", "sme", "ste", "sú", "teda",
                                      "medzi", "všetko", "vsetko", "*ä*", "*ô*", "*ľ*", "*ĺ*", "*ŕ*", "že", "*á*",
                                      "*é*", "*í*", "*ý*", "*ú*", "*ď*", "*ť*", "*ň*", CSK_MORE, NULL};
static const char *const CSK_SLAV[] = {"se", "sa", "ako", "jako", "vse", "in", "so", "da", "ki", "kot", "ali", "tudi",
                                       "pa", "bo", "še", "lahko", "bil", "bila", "bilo", "nie", "kao", "nije", "bio",
                                       "što", "su", "ili", "koji", "koja", "koje", "će", "samo", "već", "još", "kako",
                                       "ovo", "*ć*", "*đ*", "się", "jest", "w", "z", "czy", "przez", "jak", "tak",
                                       "*ł*", "*ą*", "*ę*", "že", NULL};
/* Irish writes the acute accents á é í ú too (the other languages of the rule write none of them) */
static const char *const CSK_GA[] = {"se", "sa", "jen", "te", "ki", "ko", "nga", "ka", "he", "kua", "me", "ai",
                                     "ho", "le", "ya", "ba", "ke", "tse", "kaj", "estas", "la", "de", "en", "the",
                                     "of", "and", "is", "in", "ar", "agus", "*á*", "*é*", "*í*", "*ú*", NULL};
static const char *const CSK_OTHER[] = {"se", "sa", "jen", "te", "ki", "ko", "nga", "ka", "he", "kua", "me", "ai",
                                        "ho", "le", "ya", "ba", "ke", "tse", "kaj", "estas", "la", "de", "en", "the",
                                        "of", "and", "is", "in", "ar", "agus", NULL};

/* Polish against the South Slavic languages franc answers for a short Polish text whose letters are too few for
 * the letter rules (one word with ł, one with ą): Polish function words as written with or without diacritics
 * (jest, nie, się, że, jak, tylko, był, przez, dla, oraz, który, jego, ich, w, czy, bardzo, już, jeszcze, gdy,
 * kiedy, gdzie, teraz, jednak), the letters ł ą ę ś ź ń ż ó, the digraphs sz and cz and the prefixes prze-/przy-,
 * which Gaj's Latin alphabet (Croatian, Bosnian, Slovenian: š, č) does not write; against them the South Slavic
 * function words (Polish i, a, do, na, od, po, z, u are both and left out) and ć đ č š ž.  Not the letters w and
 * y (names: "New Jersey", "Tokyo") nor rz (Croatian loans: verzija, univerzitet). */
static const char *const PL_PL[] = {"jest", "nie", "się", "sie", "że", "ze", "jak", "tylko", "był", "była", "było",
                                    "byli", "przez", "dla", "oraz", "który", "która", "które", "ktory", "ktora",
                                    "ktore", "jego", "ich", "w", "we", "czy", "bardzo", "już", "juz", "jeszcze",
                                    "gdy", "kiedy", "gdzie", "teraz", "jednak", "*ł*", "*ą*", "*ę*", "*ś*", "*ź*",
                                    "*ń*", "*ż*", "*ó*", "*sz*", "*cz*", "prze*", "przy*",
                                    NULL};
static const char *const PL_SLAV[] = {"je", "su", "da", "se", "koji", "koja", "koje", "kao", "nije", "što", "ili",
                                      "će", "in", "so", "ki", "v", "tudi", "pa", "bio", "bil", "samo", "već", "još",
                                      "kako", "ali", "*ć*", "*đ*", "*č*", "*š*", "*ž*", NULL};

/* more Russian: the pronouns ему/нему/них, the particles and conjunctions чтобы/тоже/вот/вроде, одно, the
 * preposition к, the reflexive 3rd person -тся (Ukrainian -ться, Belarusian -цца), the adjective endings -ая and
 * -ое and the plural -кие/-гие/-хие (русские, другие, плохие); Kazakh (and/this/with/that/for/one/there is, not),
 * Serbian (је/су/се/да/као/који/није) and Belarusian (і/ў/што/гэта/ужо/таксама/яго/ён/калі/каб/толькі/вельмі,
 * мне, the infinitive -ць and the reflexive -цца; its adjectives also in -ая and -ое) against them; Serbian
 * он/она/они as in Russian; the letters of Russian's list that Kazakh (ы э) and Belarusian (ы э ё) write too, and
 * a Kazakh word with one of its own letters (ә ғ қ ң ө ұ ү һ і) against Russian's words in a Kazakh text; нему
 * is Macedonian too, них Ukrainian */
#define RU_GRAMMAR                                                                                                     \
  "ему", "нему", "них", "чтобы", "тоже", "вот", "вроде", "одно", "к", "*тся", "*ая", "*ое", "*кие", "*гие", "*хие", \
      "*ого", "*его", "*ями", "*ыми", "*ешь", "*ишь", "*ся", "*сь", "*ть", "*ях"
static const char *const RU_KK[] = {"және", "бұл", "мен", "деп", "үшін", "бір", "осы", "ол", "да", "де", "та", "те",
                                    "бар", "жоқ", "еді", "болып", "болды", "керек", "туралы", "бойынша", "арқылы",
                                    "кезде", "*ы*", "*э*", "*ә*", "*ғ*", "*қ*", "*ң*", "*ө*", "*ұ*", "*ү*", "*һ*",
                                    "*і*", NULL};
static const char *const RU_SR[] = {"је", "су", "се", "да", "са", "од", "из", "уз", "као", "који", "која", "које",
                                    "није", "све", "док", "он", "она", "оно", "они", "много", "*је", NULL};
static const char *const RU_BE[] = {"і", "ў", "што", "гэта", "ужо", "таксама", "яго", "ён", "яна", "яны", "калі", "каб",
                                    "толькі", "вельмі", "мне", "*ць", "*цца", "*ая", "*ое", "*ы*", "*э*", "*ё*", "*ся",
                                    "*сь", "*ях", NULL};
/* Russian against the Cyrillic languages franc and eld take its short lines for: ы э ё (no Bulgarian, Macedonian
 * or Ukrainian word has them) and что/это/как/меня/уже/был; Bulgarian ъ, от/във/със/ще/са/това/които; Macedonian
 * ѓ ќ ѕ ј љ њ џ, од/во/со/ова/кој/што/ќе; Ukrainian і ї є ґ, що/це/як/він/також/вже */
static const char *const RU_RU[] = {"*ы*", "*э*", "*ё*", "что", "это", "как", "меня", "тебя", "мне", "его", "её", "уже",
                                    "надо", "был", "была", "было", "были", "он", "она", "они", "же", "ещё", RU_GRAMMAR,
                                    NULL};
static const char *const RU_BG[] = {"*ъ*", "кое", "някое", "никое", "много", "бях", "тях", "от", "във", "със", "ще",
                                    "са", "това", "тази", "този", "които", "който", "която", "което", "към", "след",
                                    "обаче", "няма", "какво", "защото", "трябва", "е", "се", "да", NULL};
static const char *const RU_MK[] = {"*ѓ*", "*ќ*", "*ѕ*", "*ј*", "*љ*", "*њ*", "*џ*", "од", "во", "со", "ова", "оваа",
                                    "кој", "која", "кое", "кои", "што", "ќе", "биле", "нема", "е", "се", "да", NULL};
static const char *const RU_UK[] = {"*і*", "*ї*", "*є*", "*ґ*", "що", "це", "як", "та", "він", "вона", "вони", "також",
                                    "але", "вже", "треба", "чи", "щоб", "від", "них", "*ого", "*ями", "*ся", "*сь",
                                    "*ть", "*ях", NULL};
/* Ukrainian against the Cyrillic languages its short texts are taken for: its conjunctions and particles
 * що/щоб/щось/також/вже/але/чи/бо/тільки/дуже/саме/коли/треба/нема(є), the pronouns це/цей/ця/ці/цього/він/вона/
 * вони/його/йому/їх/їй, і/й/та/як/від/є, and the doubled consonant before -я of its neuter nouns (питання,
 * життя, весілля, сторіччя, узбережжя; also -нням, -нню), the genitive plural -ів, the infinitive -ати/-ити
 * and its reflexive -тися/-тись, the reflexive past -лася/-лися/-лося/-вся (Russian -лась, -лся) and the
 * adjectives -вий/-мий/-бий/-пий (новий, прямий, слабий; Russian -вый, -мой, -бый); against them Russian
 * что/это/как/уже/ещё/же/тоже/чтобы/надо/его/ему/он/она/они/был, -тся, -ая/-ое/-ый (та and тому are Russian
 * words too), Bulgarian че/ще/са/от/това/също/вече/нещо/е/и/да/се/към/когато (та; коли, cars), Macedonian
 * е/и/се/да/што/дека/ќе/од/во/со (нема, треба), Kazakh and/this/with/that/for/one and its own letters
 * ә ғ қ ң ө ұ ү һ, Serbian је/и/у/да/се/су/од/што and -је (треба), Mongolian particles and long vowels (its
 * group's list) */
static const char *const UK_UK[] = {"що", "щоб", "щось", "також", "вже", "але", "чи", "бо", "тільки", "дуже", "саме",
                                    "коли", "треба", "нема", "немає", "це", "цей", "ця", "ці", "цього", "він", "вона",
                                    "вони", "його", "йому", "їх", "їй", "і", "й", "та", "як", "від", "є", "тому",
                                    "*ння", "*ття", "*лля", "*ччя", "*жжя", "*нням", "*нню", "*ів", "*ати", "*ити",
                                    "*вий", "*мий", "*бий", "*пий", "*лася", "*лися", "*лося", "*вся", "*тися",
                                    "*тись", NULL};
static const char *const UK_RU[] = {"что", "это", "как", "уже", "ещё", "еще", "же", "тоже", "чтобы", "надо", "его",
                                    "ему", "он", "она", "они", "был", "была", "было", "были", "та", "тому", "кстати",
                                    "*тся", "*ая", "*ое", "*ый", NULL};
static const char *const UK_BG[] = {"че", "ще", "са", "от", "това", "също", "вече", "нещо", "е", "и", "да", "се", "към",
                                    "когато", "та", "коли", "*ати", "*ити", NULL};
static const char *const UK_MK[] = {"е", "и", "се", "да", "што", "дека", "ќе", "од", "во", "со", "нема", "треба",
                                    "*ати", "*ити", NULL};
static const char *const UK_KK[] = {"және", "бұл", "мен", "деп", "үшін", "бір", "да", "де", "осы", "ол", "*ә*", "*ғ*",
                                    "*қ*", "*ң*", "*ө*", "*ұ*", "*ү*", "*һ*", NULL};
static const char *const UK_MN[] = {"нь", "юм", "байна", "бол", "энэ", "тэр", "уу", "вэ", "бэ", "юу", "*аа*", "*ээ*",
                                    "*уу*", NULL};
static const char *const UK_SR[] = {"је", "и", "у", "да", "се", "су", "од", "што", "треба", "*је", "*ати", "*ити",
                                    NULL};

/* Bulgarian against Macedonian: Macedonian writes none of ъ щ я ю й ь (it has ј for й) and Bulgarian none of
 * ѓ ќ ѕ ј љ њ џ; Bulgarian от/в/с/във/със/ще/са/това/който against Macedonian од/во/со/ова/кој/што/ќе */
/* more of the two grammars: Bulgarian когато/както/всички/всеки/всичко/отново/почти/вместо/много/тук/днес/между/
 * преди/чрез/около/тогава/никога/винаги/докато/вече/седем/осем against Macedonian кога... (кога is both)
 * како/сите/повторно/речиси/наместо/многу/тука/денес/меѓу/пред/преку/околу/тогаш/никогаш/секогаш/додека/веќе/
 * седум/осум; Bulgarian comparatives with a hyphen (по-добро; Macedonian подобро), the 3rd plural -ват (стават;
 * Macedonian -ваат), the -ва verbs казва/показва (Macedonian кажува), the verbal noun -ване (Macedonian -вање)
 * and the plural past participle -али/-ели/-или (Macedonian -але/-еле/-иле; дали, или, сили, цели, бели are
 * words of both and cancel); Macedonian тоа/таа/тие/овие/дека/уште/сум/беа/биде/треба/сака/исто/затоа/зошто/
 * повеќе/помалку/нив/неа, the article -от/-иот (градот, новиот), -ување and the 3rd plural -аат */
#define BG_GRAMMAR                                                                                                     \
  "когато", "както", "всички", "всеки", "всичко", "отново", "почти", "вместо", "много", "тук", "днес", "между",      \
      "преди", "чрез", "около", "тогава", "никога", "винаги", "докато", "вече", "седем", "осем", "по-*", "*ват",      \
      "*казва", "*ване", "*али", "*ели", "*или"
#define BGMK_GRAMMAR                                                                                                   \
  "многу", "денес", "седум", "осум", "околу", "тогаш", "никогаш", "секогаш", "додека", "како", "тоа", "таа", "тие", \
      "овие", "сите", "дека", "уште", "преку", "сум", "беа", "биде", "треба", "сака", "исто", "затоа", "зошто",       \
      "повеќе", "помалку", "нив", "неа", "меѓу", "*от", "*иот", "*ување", "*аат", "*але", "*еле", "*иле", "дали",    \
      "или", "сили", "цели", "бели"
/* Bulgarian answered Russian: Bulgarian words Russian does not write (the verb съм, the article and clitics,
 * demonstratives, relatives, conjunctions and adverbs; not ъ, which Russian writes in подъем, объем), against
 * Russian's list */
static const char *const BGR_BG[] = {"е", "са", "се", "си", "ги", "го", "му", "че", "ще", "това", "този", "тази",
                                     "тези", "които", "който", "която", "което", "към", "след", "обаче", "няма",
                                     "какво", "защото", "трябва", "във", "със", "когато", "както", "всички", "всеки",
                                     "всичко", "отново", "тук", "днес", "преди", "чрез", "тогава", "никога", "винаги",
                                     "докато", "вече", "седем", "осем", NULL};
static const char *const BG_BG[] = {"*ъ*", "*щ*", "*я*", "*ю*", "*й*", "*ь*", "от", "във", "със", "ще", "са", "това",
                                    "тази", "този", "които", "който", "която", "което", "към", "след", "обаче", "няма",
                                    "какво", "защото", "трябва", "в", "с", BG_GRAMMAR, NULL};
static const char *const BG_MK[] = {"*ѓ*", "*ќ*", "*ѕ*", "*ј*", "*љ*", "*њ*", "*џ*", "од", "во", "со", "ова", "оваа",
                                    "овој", "кој", "која", "кое", "кои", "што", "ќе", "биле", "нема", BGMK_GRAMMAR,
                                    NULL};

/* more Mongolian: the question particles уу/үү/вэ/бэ, юу (what), the pronouns би/бид/тэд, маш (very), одоо
 * (now), гэсэн, болно, байх, байв, байдаг; the ablative -оос, the instrumental -оор, the past participle
 * -сан/-сэн, and the long vowels аа ээ уу of its stems and endings (-аар, -лаа, -ууд, хааны), which Russian,
 * Ukrainian, Kazakh and Belarusian do not write (Russian оо is left out: сообщил; the genitive -ын too: Kazakh
 * writes it, and Russian сын).  Against it Kazakh (and/this/with/that/for/one and its letters ә ғ қ ң ұ һ і, not
 * ө ү: Mongolian writes them), Belarusian (і/ў/што/гэта/як/але, -ць, -цца), Bulgarian, Serbian and Macedonian
 * (their commonest function words; Macedonian writes аа too: таа, имаат); Ukrainian also by its letter і, which
 * Mongolian in the old encoding does not write */
#define MN_GRAMMAR                                                                                                     \
  "уу", "үү", "вэ", "бэ", "юу", "би", "бид", "тэд", "маш", "одоо", "гэсэн", "болно", "байх", "байв", "байдаг",       \
      "*оос", "*оор", "*сан", "*сэн", "*аа*", "*ээ*", "*уу*"
static const char *const MN_KK[] = {"және", "бұл", "мен", "деп", "үшін", "бір", "осы", "ол", "да", "де", "*ә*", "*ғ*",
                                    "*қ*", "*ң*", "*ұ*", "*һ*", "*і*", NULL};
static const char *const MN_BG[] = {"е", "и", "на", "от", "за", "се", "да", "че", "ще", "са", "това", NULL};
static const char *const MN_SR[] = {"је", "и", "у", "на", "од", "за", "се", "да", "су", NULL};
static const char *const MN_MK[] = {"е", "и", "во", "со", "на", "од", "за", "се", "да", "што", "*аа*", NULL};
static const char *const MN_BE[] = {"і", "ў", "што", "гэта", "як", "але", "*ць", "*цца", "*ў*", "*і*", NULL};
/* Mongolian (Cyrillic) against Russian and Ukrainian, which it is taken for when it is written with Ukrainian ї є
 * in place of ү ө (an old 8-bit encoding): its particles нь/юм/гэж/бол, байна/байгаа/байсан, энэ/тэр/нэг and the
 * case and plural endings -ийн, -ийг/-ыг, -аар/-ээр, -ууд/-үүд; the others by function words only (their letters
 * ы э ї є occur in such text) */
static const char *const MN_MN[] = {"нь", "юм", "байна", "бол", "болон", "гэж", "гэх", "энэ", "тэр", "нэг", "бөгөөд",
                                    "байгаа", "байсан", "*ийн", "*үүд", "*ийг", "*ыг", MN_GRAMMAR, NULL};
static const char *const MN_RU[] = {"что", "это", "как", "меня", "тебя", "мне", "его", "её", "уже", "надо", "был",
                                    "была", "было", "были", "он", "она", "они", "же", "ещё", "и", "в", "на", "с", "не",
                                    NULL};
static const char *const MN_UK[] = {"що", "це", "як", "та", "він", "вона", "вони", "також", "але", "вже", "треба", "чи",
                                    "щоб", "від", "і", "в", "на", "з", "не", "*і*", NULL};

/* Irish against the languages its short texts and its Wikipedia lines full of English names are answered as.
 * Irish: the conjunctions agus/ach/nó/nach/go/gur, the article an/na, the prepositions and their contractions
 * ar/le/leis/ag/do/don/den/sa/san/ó/faoi/chuig/idir/trí/roimh/i/ina, the copula is/ba, the verb "to be" tá/bhí/
 * níl/atá/bhfuil/raibh/beidh/bheadh, the negation ní, the pronouns sé/sí/siad/mé/tú/iad/sinn/sibh, the
 * demonstratives seo/sin, mar (as), féin (self), eile (other), gach (every), freisin (also), ansin (then), tar éis
 * (after), the initial mutations that no other language here writes at a word's start (lenition bh mh dh fh,
 * eclipsis mb gc nd bp dt bhf, the t-/n- of "an t-uisce", "na n-oileán"), and the endings -acht (abstract nouns),
 * -aigh/-eadh/-adh (genitive, verbal noun), -fidh/-faidh (future).  Each other member lists its own function words
 * and the Irish-looking words it writes too (Czech na, Hungarian a/is, Spanish sin/mar/de/a, Luganda's mb nd). */
#define GA_GRAMMAR                                                                                                     \
  "agus", "ach", "nó", "nach", "go", "gur", "an", "na", "ar", "le", "leis", "ag", "do", "don", "den", "sa", "san",   \
      "ó", "faoi", "chuig", "idir", "trí", "roimh", "i", "ina", "is", "ba", "tá", "bhí", "níl", "atá", "bhfuil",     \
      "raibh", "beidh", "bheadh", "ní", "sé", "sí", "siad", "mé", "tú", "iad", "sinn", "sibh", "seo", "sin", "mar",    \
      "féin", "eile", "gach", "freisin", "ansin", "tar", "éis", "*bh*", "*mh*", "dh*", "fh*", "mb*", "gc*", "nd*",   \
      "bp*", "dt*", "t-*", "n-*", "*acht", "*aigh", "*eadh", "*adh", "*fidh", "*faidh", "*ao*", "*á*", "*é*", "*í*", \
      "*ó*", "*ú*"
static const char *const GA_GA[] = {GA_GRAMMAR, NULL};
#define EN_FUNCTION                                                                                                    \
  "the", "of", "and", "to", "is", "in", "a", "an", "was", "for", "with", "that", "this", "from", "by", "on", "at",   \
      "as", "are", "were", "be", "it", "which", "his", "her", "he", "she", "they", "has", "have", "had", "not", "or", \
      "but", "i", "you", "your", "my", "we"
/* the letters Irish does not write (but in loans and names) */
#define NOT_GA "*w*", "*y*", "*k*", "*q*", "*x*", "*z*"
static const char *const GA_EN[] = {EN_FUNCTION, "*ing", "*tion", "wh*", NULL};
static const char *const GA_FR[] = {"le", "la", "les", "de", "des", "du", "et", "est", "un", "une", "en", "dans",
                                    "pour", "avec", "pas", "ce", "qui", "que", "sur", "au", "il", "à", "*è*", "*ç*",
                                    "*ê*", "*é*", NOT_GA, NULL};
static const char *const GA_IS[] = {"og", "að", "í", "á", "er", "sem", "til", "um", "var", "ekki", "við", "*ð*",
                                    "*þ*", "*æ*", "*á*", "*é*", "*í*", "*ó*", "*ú*", NOT_GA, NULL};
static const char *const GA_CS[] = {"a", "na", "se", "je", "v", "z", "do", "to", "že", "by", "pro", "ve", "jsou", "i",
                                    "*ř*", "*ů*", "*ě*", "*č*", "*š*", "*ž*", "*ý*", "*á*", "*é*", "*í*", "*ú*", NOT_GA, NULL};
static const char *const GA_HU[] = {"a", "az", "is", "és", "hogy", "nem", "egy", "meg", "van", "de", "*ő*", "*ű*",
                                    "*ö*", "*ü*", "*gy*", "*sz*", "*ny*", "*á*", "*é*", "*í*", "*ó*", "*ú*", NOT_GA,
                                    NULL};
static const char *const GA_LG[] = {"mu", "ku", "era", "nti", "oku", "nnyo", "ne", "ba", "mb*", "nd*", "ng*", NOT_GA,
                                    NULL};
static const char *const GA_ES[] = {"de", "la", "el", "los", "las", "y", "en", "a", "que", "del", "por", "con", "sin",
                                    "mar", "no", "es", "se", "un", "una", "para", "*ñ*", "*á*", "*é*", "*í*", "*ó*", "*ú*",
                                    NOT_GA, NULL};

/* Welsh against the languages its short texts are answered as.  Welsh: the predicative and adverbial particle
 * yn, the article y/yr/'r, the conjunctions a/ac/ond/neu/os/pan/fel, the prepositions ar/o/i/am/at/gan/gyda/heb/
 * dan/dros/drwy/trwy/rhwng/mewn/ym/yng, the verb bod and its forms mae/oedd/roedd/sydd/bydd/fydd/byddai/oes, the
 * perfect particle wedi, the possessives fy/dy/ei/ein/eich/eu, the pronouns ni/chi/nhw/hi/fe/fo/ef, the negation
 * nid/nad/ddim, hefyd (also), hyn/hynny (this, that), iawn (very), pob (every), yma (here), cael/gwneud/dweud/
 * mynd/dod (to get, do, say, go, come); the spellings dd, ll, wy, rh- and the nasal mutation ngh- (which Irish,
 * English and the others do not write at a word's start), and the circumflexes ŵ ŷ; the others are told by their
 * function words and by the letters Welsh does not write (k q v x z). */
static const char *const CY_CY[] = {"yn", "y", "yr", "a", "ac", "ond", "neu", "os", "pan", "fel", "ar", "o", "i", "am",
                                    "at", "gan", "gyda", "heb", "dan", "dros", "drwy", "trwy", "rhwng", "mewn", "ym",
                                    "yng", "mae", "oedd", "roedd", "sydd", "bydd", "fydd", "byddai", "oes", "wedi",
                                    "fy", "dy", "ei", "ein", "eich", "eu", "ni", "chi", "nhw", "hi", "fe", "fo", "ef",
                                    "nid", "nad", "ddim", "hefyd", "hyn", "hynny", "iawn", "pob", "yma", "cael",
                                    "gwneud", "dweud", "mynd", "dod", "*dd*", "*ll*", "*wy*", "rh*", "ngh*", "*ŵ*",
                                    "*ŷ*", "*ff*", "*au", "*aeth", "*iad", "*wyr", "*w*", "*y*", NULL};
#define NOT_CY "*k*", "*q*", "*v*", "*x*", "*z*"
static const char *const CY_GA[] = {"agus", "an", "na", "ar", "le", "ag", "go", "is", "tá", "bhí", "sé", "sí", "ní",
                                    "seo", "sin", "mar", "ach", "don", "sa", "do", "de", "ó", "air", "*adh", "*á*", "*é*", "*í*",
                                    "*ó*", "*ú*", "*bh*", "gc*", "*ll*", "i", "*ea*", "*ao*", NOT_CY, NULL};
static const char *const CY_EN[] = {EN_FUNCTION, "*ing", "*tion", "wh*", "*ll*", "*ff*", "*w*", "*y*", NOT_CY, NULL};
static const char *const CY_EU[] = {"eta", "da", "du", "ez", "bat", "ere", "baina", "zen", "dira", "izan", "egin", "hau",
                                    "dute", "zuen", "*ko", "*tzen", "*tik", "*ak", NOT_CY, NULL};

/* English answered a Germanic or Romance language (two-word texts above all).  English: its articles,
 * prepositions, pronouns and auxiliaries, the question words wh-, the suffixes -ly (adverbs), -ness, -ship, the
 * digraph gh in -ght (night, thought; Dutch and Afrikaans write -cht/-g), and -ing and -tion, which count for the
 * languages that write them too (Dutch, Afrikaans, the Scandinavian -ing; French, Danish and German -tion), as
 * the function words they share with English do (is, in, was, of, by, at, for, an) */
static const char *const EN_EN[] = {EN_FUNCTION, "their", "there", "them", "been", "who", "what", "when", "where",
                                    "will", "would", "could", "should", "can", "about", "after", "its", "our", "all",
                                    "also", "*ing", "*tion", "wh*", "*ly", "*ness", "*ship", "*ght*", "*w*", "*k*",
                                    "*ck*", "*ous", "*ity", "*ful", "*less", NULL};
static const char *const EN_AF[] = {"die", "en", "van", "is", "in", "het", "nie", "was", "vir", "dat", "wat", "met",
                                    "op", "te", "om", "aan", "sy", "hy", "ek", "jy", "ons", "hulle", "ook", "kan",
                                    "sal", "word", "oor", "as", "by", "na", "tot", "uit", "maar", "of", "hierdie",
                                    "baie", "my", "se", "*ing", "*ê*", "*ë*", "*ô*", "*w*", "*k*", NULL};
static const char *const EN_NL[] = {"de", "het", "een", "en", "van", "is", "in", "was", "voor", "met", "op", "te",
                                    "om", "aan", "zijn", "niet", "dat", "die", "ook", "als", "bij", "maar", "of",
                                    "naar", "door", "er", "over", "uit", "tot", "*ing", "*ij*", "*w*", "*k*", NULL};
static const char *const EN_LA[] = {"et", "in", "est", "sunt", "non", "cum", "ad", "ex", "de", "ut", "qui", "quae",
                                    "quod", "sed", "per", "a", "ab", "e", "se", "esse", "erat", "fuit", "at", "ne", "quidem", "*unt", "*ntur", "*us", "*um",
                                    "*ae", "*orum", "*arum", "*ibus", "*tur", "*que", NULL};
static const char *const EN_FR[] = {"le", "la", "les", "de", "des", "du", "et", "est", "un", "une", "en", "dans",
                                    "pour", "avec", "pas", "ce", "qui", "que", "sur", "au", "aux", "il", "elle", "sont",
                                    "par", "plus", "à", "*é*", "*è*", "*ê*", "*ç*", "*eux", "*tion", NULL};
static const char *const EN_NO[] = {"og", "i", "er", "det", "den", "en", "et", "til", "av", "af", "på", "med", "som",
                                    "for", "var", "har", "de", "ikke", "om", "fra", "at", "han", "hun", "her", "under", "*ing", "*tion",
                                    "*sjon", "*å*", "*ø*", "*æ*", "*w*", "*k*", NULL};
static const char *const EN_DE[] = {"der", "die", "das", "und", "ist", "in", "nicht", "mit", "von", "zu", "auf", "für",
                                    "sich", "ein", "eine", "den", "dem", "des", "es", "im", "als", "auch", "an", "war", "am", "zum", "zur", "vom",
                                    "beim", "ins", "ich", "er", "sie", "wir", "dann", "durch", "um", "gegen", "ohne",
                                    "unter", "bei", "aus", "nach", "über", "noch", "oder", "aber", "wie", "nur",
                                    "wird", "*ung", "*sch*", "*ß*", "*ä*", "*ö*", "*ü*", "*tion", "*heit", "*keit",
                                    "*lich", "*w*", "*k*", "*ck*", NULL};

/* German answered Afrikaans, Dutch, English or a Scandinavian language (two-word texts above all): its articles
 * and their cases, und/oder/aber/wie, the prepositions mit/von/zu/auf/für/bei/aus/nach/über, sich, the forms of
 * sein/werden/haben, auch/noch/nur/nicht, the letters ß ä ö ü, the spellings sch, tz, pf, the suffixes -ung/
 * -ungen, -heit, -keit, -lich and the diminutive -chen; the others by their function words, Dutch ij and sch,
 * the Scandinavian å ø æ (Swedish ä ö too) */
static const char *const DE_DE[] = {"der", "die", "das", "und", "ist", "nicht", "mit", "von", "zu", "auf", "für",
                                    "sich", "ein", "eine", "einen", "einem", "einer", "dem", "den", "des", "im",
                                    "wird", "wurde", "werden", "auch", "noch", "nach", "bei", "aus", "über", "sind",
                                    "war", "hat", "haben", "oder", "aber", "wie", "nur", "durch", "um", "gegen", "ohne", "unter", "*sch*", "*ung", "*ungen",
                                    "*heit", "*keit", "*lich", "*ß*", "*ä*", "*ö*", "*ü*", "*tz*", "*chen", NULL};
static const char *const DE_AF[] = {"die", "en", "van", "is", "het", "nie", "vir", "wat", "met", "op", "te", "om",
                                    "aan", "sy", "hy", "ek", "ons", "hulle", "ook", "kan", "sal", "word", "oor", "as",
                                    "by", "na", "tot", "uit", "maar", "of", "hierdie", "baie", "*ê*", "*ë*", NULL};
static const char *const DE_NL[] = {"de", "het", "een", "en", "van", "is", "voor", "met", "op", "te", "om", "aan",
                                    "zijn", "niet", "dat", "die", "ook", "als", "bij", "maar", "of", "naar", "door",
                                    "er", "over", "uit", "tot", "werden", "*ij*", "*sch*", NULL};
static const char *const DE_EN[] = {EN_FUNCTION, "*ing", "*tion", "wh*", "*ght*", "*sch*", NULL};
static const char *const DE_NO[] = {"og", "i", "er", "det", "den", "en", "et", "til", "av", "af", "på", "med", "som",
                                    "for", "var", "har", "de", "ikke", "om", "fra", "at", "han", "hun", "*å*", "*ø*",
                                    "*æ*", NULL};
static const char *const DE_SV[] = {"och", "i", "är", "det", "den", "en", "ett", "till", "av", "på", "med", "som",
                                    "för", "var", "har", "de", "inte", "om", "från", "att", "han", "hon", "*å*", "*ä*",
                                    "*ö*", NULL};

/* gates (group_rule.gate): English and German answers run the Irish, Welsh, German and English rules only on
 * short texts (two words and the like), or, for Irish and Welsh, on texts with their marks (a Latin-1 accent, ŵ ŷ,
 * dd), so ordinary English and German pay one length test and three byte scans at most */
#define GATE_SHORT_BYTES 64
static bool gate_celtic(const char *text, size_t len, const char *best) {
  if (strcmp(best, "en")) return true;
  if (len > GROUP_MAX_BYTES) len = GROUP_MAX_BYTES;
  return len <= GATE_SHORT_BYTES || memchr(text, 0xC3, len) || memchr(text, 0xC5, len) || memmem(text, len, "dd", 2);
}
static bool gate_short(const char *text, size_t len, const char *best) {
  (void)text;
  (void)best;
  return len <= GATE_SHORT_BYTES;
}
static const group_rule GROUP_RULES[] = {
    {GROUP_VOTE, {"da", "nb", "sv"}, {SCAN_DA, SCAN_NO, SCAN_SV}, {NULL, "nn"}, NULL, false},
    {GROUP_PIVOT,
     {"eo", "es", "pt", "it", "ca", "fr", "la"},
     {EO_EO, EO_ES, EO_PT, EO_IT, EO_CA, EO_FR, LA_LA},
     {NULL}, NULL, false},
    {GROUP_PIVOT,
     {"la", "it", "pt", "ro", "es", "fr", "ca"},
     {LA_LA, LA_IT, LA_PT, LA_RO, LA_ES, LA_FR, LA_CA},
     {NULL},
     NULL,
     true},
    {GROUP_INTO,
     {"la", "it", "ca", "es", "fr", "pt", "ro"},
     {LAIT_LA, LAIT_IT, LAX_CA, LAX_ES, LAX_FR, LAX_PT, LAX_RO},
     {NULL}, NULL, false},
    {GROUP_VOTE, {"ca", "es"}, {CA_CA, CA_ES}, {NULL}, NULL, false},
    {GROUP_VOTE, {"pt", "es"}, {PTES_PT, PTES_ES}, {NULL}, NULL, false},
    {GROUP_INTO,
     {"cs", "bs", "hr", "sl", "pl", "mi", "st", "tn", "sn", "eo", "ga", "lt", "lv"},
     {CSK_CSK, CSK_SLAV, CSK_SLAV, CSK_SLAV, CSK_SLAV, CSK_OTHER, CSK_OTHER, CSK_OTHER, CSK_OTHER, CSK_OTHER,
      CSK_GA, CSK_OTHER, CSK_OTHER},
     {"sk"}, NULL, false},
    {GROUP_VOTE, {"cs", "sk"}, {CS_CS, CS_SK}, {NULL}, NULL, false},
    {GROUP_INTO, {"pl", "bs", "hr", "sl"}, {PL_PL, PL_SLAV, PL_SLAV, PL_SLAV}, {NULL}, NULL, false},
    {GROUP_INTO, {"ru", "bg", "mk", "uk", "kk", "sr", "be"}, {RU_RU, RU_BG, RU_MK, RU_UK, RU_KK, RU_SR, RU_BE}, {NULL}, NULL, false},
    {GROUP_INTO, {"bg", "ru"}, {BGR_BG, RU_RU}, {NULL}, NULL, false},
    {GROUP_VOTE, {"bg", "mk"}, {BG_BG, BG_MK}, {NULL}, NULL, false},
    {GROUP_INTO, {"uk", "ru", "bg", "mk", "kk", "sr", "mn"}, {UK_UK, UK_RU, UK_BG, UK_MK, UK_KK, UK_SR, UK_MN}, {NULL}, NULL, false},
    {GROUP_INTO,
     {"mn", "ru", "uk", "kk", "be", "bg", "sr", "mk"},
     {MN_MN, MN_RU, MN_UK, MN_KK, MN_BE, MN_BG, MN_SR, MN_MK},
     {NULL}, NULL, false},
    {GROUP_INTO,
     {"ga", "en", "fr", "is", "cs", "hu", "lg", "es"},
     {GA_GA, GA_EN, GA_FR, GA_IS, GA_CS, GA_HU, GA_LG, GA_ES},
     {NULL},
     gate_celtic, false},
    {GROUP_INTO,
     {"cy", "ga", "en", "eu"},
     {CY_CY, CY_GA, CY_EN, CY_EU},
     {NULL},
     gate_celtic, false},
    {GROUP_INTO, {"de", "af", "nl", "en", "nb", "sv", "da"},
     {DE_DE, DE_AF, DE_NL, DE_EN, DE_NO, DE_SV, DE_NO},
     {NULL, NULL, NULL, NULL, "nn"},
     gate_short, false},
    {GROUP_INTO, {"en", "af", "nl", "la", "fr", "nb", "de", "da"},
     {EN_EN, EN_AF, EN_NL, EN_LA, EN_FR, EN_NO, EN_DE, EN_NO},
     {NULL, NULL, NULL, NULL, NULL, "nn"},
     gate_short, false},
};

/* The words of all groups in one hash table, built once: a word's entry holds, per rule, the members whose list
 * has it (bit k: member k), so that a text's words are looked up once, not compared with every list.  The
 * entries with a '*' (endings, parts) are kept per rule and member and tried one by one (at most a few each). */
#define GROUP_HASH_SIZE 2048 /* power of two; about 1,200 distinct words */
#define GROUP_MAX_AFFIX 24
#define GROUP_MAX_WORDS 96
#define GROUP_WORD_CAP 48

typedef struct group_word {
  const char *w; /* NULL: empty slot */
  size_t wl;
  uint16_t mask[OSC_ARRAY_LEN(GROUP_RULES)];
} group_word;

static group_word g_words[GROUP_HASH_SIZE];
typedef struct group_affix_ent {
  const char *p; /* the entry without its '*' */
  uint8_t pl;
  uint8_t kind; /* 0 ending ("*suf"), 1 beginning ("pre*"), 2 part ("*in*") */
} group_affix_ent;

static group_affix_ent g_affix[OSC_ARRAY_LEN(GROUP_RULES)][GROUP_MAX_LANGS][GROUP_MAX_AFFIX];
static uint8_t g_naffix[OSC_ARRAY_LEN(GROUP_RULES)][GROUP_MAX_LANGS];
static pthread_once_t g_once = PTHREAD_ONCE_INIT;

static size_t group_hash(const char *w, size_t wl) {
  uint32_t h = 2166136261u;
  for (size_t i = 0; i < wl; i++) h = (h ^ (uint8_t)w[i]) * 16777619u;
  return h & (GROUP_HASH_SIZE - 1);
}

/* the slot of w: its entry, or the empty slot where it goes (the table never fills: see GROUP_HASH_SIZE) */
static group_word *group_slot(const char *w, size_t wl) {
  size_t h = group_hash(w, wl);
  for (size_t probe = 0; probe < GROUP_HASH_SIZE; probe++, h = (h + 1) & (GROUP_HASH_SIZE - 1)) {
    group_word *e = &g_words[h];
    if (!e->w || (e->wl == wl && !memcmp(e->w, w, wl))) return e;
  }
  return NULL;
}

static void group_init(void) {
  for (size_t r = 0; r < OSC_ARRAY_LEN(GROUP_RULES); r++)
    for (size_t k = 0; k < GROUP_MAX_LANGS && GROUP_RULES[r].lang[k]; k++)
      for (const char *const *l = GROUP_RULES[r].words[k]; *l; l++) {
        size_t el = strlen(*l);
        if (strchr(*l, '*')) {
          assert(g_naffix[r][k] < GROUP_MAX_AFFIX && el >= 2 && el <= 64); /* raise GROUP_MAX_AFFIX */
          if (g_naffix[r][k] >= GROUP_MAX_AFFIX || el < 2 || el > 64) continue;
          group_affix_ent *a = &g_affix[r][k][g_naffix[r][k]++];
          bool lead = (*l)[0] == '*', trail = (*l)[el - 1] == '*';
          a->kind = lead && trail && el > 2 ? 2 : lead ? 0 : 1;
          a->p = *l + (lead ? 1 : 0);
          a->pl = (uint8_t)(el - (size_t)lead - (size_t)(trail && a->kind != 0));
          continue;
        }
        group_word *e = group_slot(*l, el);
        assert(e); /* raise GROUP_HASH_SIZE */
        if (!e) continue;
        e->w = *l;
        e->wl = el;
        e->mask[r] |= (uint16_t)(1u << k);
      }
}

/* the members of rule r whose endings, beginnings or parts w (length wl) matches, as bits (in_list's rules:
 * an ending or a beginning must leave at least one more byte) */
static unsigned group_affix(size_t r, size_t n, const char *w, size_t wl) {
  unsigned bits = 0;
  for (size_t k = 0; k < n; k++)
    for (uint8_t q = 0; q < g_naffix[r][k]; q++) {
      const group_affix_ent *a = &g_affix[r][k][q];
      bool hit = a->kind == 2   ? wl >= a->pl && memmem(w, wl, a->p, a->pl) != NULL
                 : a->kind == 0 ? wl > a->pl && !memcmp(w + wl - a->pl, a->p, a->pl)
                                : wl > a->pl && !memcmp(w, a->p, a->pl);
      if (hit) {
        bits |= 1u << k;
        break;
      }
    }
  return bits;
}

const char *nlp__group_decide(const char *text, size_t len, const char *best, double *share) {
  if (share) *share = 1.0;
  if (!best) return best;
  if (len > GROUP_MAX_BYTES) len = GROUP_MAX_BYTES;
  /* the text's words, read once when a rule first applies */
  char words[GROUP_MAX_WORDS][GROUP_WORD_CAP];
  size_t wlen[GROUP_MAX_WORDS];
  const group_word *hit[GROUP_MAX_WORDS];
  int nwords = -1;
  for (size_t r = 0; r < OSC_ARRAY_LEN(GROUP_RULES); r++) {
    const group_rule *g = &GROUP_RULES[r];
    size_t n = 0, cur = GROUP_MAX_LANGS;
    for (; n < GROUP_MAX_LANGS && g->lang[n]; n++)
      if (cur == GROUP_MAX_LANGS && (!strcmp(g->lang[n], best) || (g->also[n] && !strcmp(g->also[n], best)))) cur = n;
    if (cur == GROUP_MAX_LANGS || (g->gate && !g->gate(text, len, best))) continue;
    if (nwords < 0) {
      pthread_once(&g_once, group_init);
      nwords = 0;
      size_t i = 0;
      int wl;
      while (nwords < GROUP_MAX_WORDS && (wl = next_word(text, len, &i, words[nwords], GROUP_WORD_CAP)) >= 0) {
        if (!wl) continue;
        wlen[nwords] = (size_t)wl;
        const group_word *e = group_slot(words[nwords], (size_t)wl);
        hit[nwords++] = e && e->w ? e : NULL;
      }
    }
    int v[GROUP_MAX_LANGS] = {0};
    for (int q = 0; q < nwords; q++) {
      unsigned bits = hit[q] ? hit[q]->mask[r] : 0;
      bits |= group_affix(r, n, words[q], wlen[q]);
      for (size_t k = 0; k < n; k++) v[k] += (bits >> k) & 1;
    }
    size_t to = cur;
    if (g->mode == GROUP_INTO || (g->mode == GROUP_PIVOT && cur != 0)) {
      if (cur != 0 && v[0] > v[cur]) to = 0;
    } else {
      /* GROUP_VOTE, or the pivot's own answer: the member with the most votes, alone with that many */
      size_t b = cur;
      bool tie = false;
      for (size_t k = 0; k < n; k++) {
        if (k == cur || (g->mode == GROUP_PIVOT && k == 0)) continue;
        if (v[k] > v[b]) b = k, tie = false;
        else if (v[k] == v[b] && b != cur) tie = true;
      }
      /* the pivot gives its answer away only on a lead of two votes: one word of a short Latin or Esperanto
       * text ("do", "in") is often a word of the others too; Latin gives it away on one vote when no word
       * votes Latin (its list has the short words it shares; Esperanto's "sin", "la" do not) */
      if (b != cur && !tie && (g->mode != GROUP_PIVOT || v[b] >= v[cur] + 2 || (g->one_vote && !v[cur]))) to = b;
    }
    if (to == cur) continue;
    if (share) *share *= (double)(v[to] + 1) / (double)(v[to] + v[cur] + 2);
    best = g->lang[to];
  }
  return best;
}
