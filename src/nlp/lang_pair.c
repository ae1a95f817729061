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
 * offset a word).
 */
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
 * returns its length, 0 when it does not fit (skip it), -1 at the end */
static int next_word(const char *text, size_t len, size_t *i, char *w, size_t cap) {
  if (*i >= len) return -1;
  size_t wl = 0;
  bool ok = true;
  while (*i < len) {
    utf8proc_int32_t cp;
    utf8proc_ssize_t a = utf8proc_iterate((const utf8proc_uint8_t *)text + *i, (utf8proc_ssize_t)(len - *i), &cp);
    if (a <= 0) {
      (*i)++;
      break;
    }
    utf8proc_category_t c = utf8proc_category(cp);
    bool letter = c >= UTF8PROC_CATEGORY_LU && c <= UTF8PROC_CATEGORY_LO;
    *i += (size_t)a;
    if (!letter && !(cp == '-' && wl)) break;
    if (wl + 5 >= cap) ok = false;
    else wl += (size_t)utf8proc_encode_char(utf8proc_tolower(cp), (utf8proc_uint8_t *)w + wl);
  }
  w[wl] = 0;
  return ok ? (int)wl : 0;
}

int nlp__norwegian_votes(const osc_nlp *nlp, const char *text, size_t len, int *nb, int *nn) {
  *nb = *nn = 0;
  if (!nlp->have_no_words) return 0;
  char w[256];
  size_t i = 0;
  int wl;
  while ((wl = next_word(text, len, &i, w, sizeof w)) >= 0) {
    if (!wl) continue;
    int which = no_lookup(nlp, w, (size_t)wl);
    if (which == 1) (*nb)++;
    else if (which == 2) (*nn)++;
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
                                  "*mid*" a longer word that contains it */
  void (*extra)(const char *prev, const char *w, size_t wl, int v[2]); /* more votes from a word and the one
                                                                        * before it ("" at the start), or NULL */
} pair_rule;

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
    "*mnumzane", "*khungo", NULL};
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
    "*vavanyo", "*ziko", "*eleyo", "*iweyo", "*elweyo", NULL};
static const char *const SR_WORDS[] = {"је", "у", "са", "је*", "су", "смо", "није", "године", "између", "кроз",
    "пре", "због", "где", "када", "све", "ове", "ови", "износи", "налази", "постоји", "још", "данас", "много",
    "према", "преко", "свој", "своје", "који", "које", "као", NULL};
static const char *const MK_WORDS[] = {"во", "со", "е", "ги", "го", "кои", "кој", "дека", "тоа", "сите", "многу",
    "преку", "според", "околу", "уште", "денес", "нивни", "каде", "кога", "овие", "оваа", "сè", "помеѓу",
    "поради", "кое", "сѐ", NULL};

/* Tswana "go", "gore", "fa" (if, when), "jaaka" (like), "jaanong" (now), "fela" (only); Sesotho "ho", "hore",
 * "jwaloka", "jwale", "feela", "empa" (but) */
static const char *const TN_WORDS[] = {"go", "gore", "fa", "jaaka", "jaanong", "fela", NULL};
static const char *const ST_WORDS[] = {"ho", "hore", "jwaloka", "jwale", "feela", "empa", NULL};

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

/* Slovenian, Czech or Slovak against Bosnian (franc, the only model that knows Bosnian, sometimes answers it for
 * them): function words that the West and the Alpine Slavic standards write and the Central South Slavic one does
 * not (Slovenian in, v, ki, tudi, ter, kot; Czech jsou, jako, který, také; Slovak sa, aj, ako, alebo, ktorý),
 * against Bosnian / Croatian ones (i, u, su, koji, kao, ili, nije, će, između, zbog, gdje, jer, već). */
static const char *const SL_WORDS[] = {"in", "v", "ki", "tudi", "ter", "kot", "bo", "bodo", "so", "pa", "še", "že",
                                       "če", "zelo", "sem", "bil", "bilo", "bili", "kjer", "kar", "tem", "vendar",
                                       "jih", "leta", NULL};
static const char *const CS_WORDS[] = {"v", "ve", "jsou", "jako", "které", "který", "která", "jeho", "byl", "byla",
                                       "bylo", "také", "pro", "při", "jsem", "jejich", "může", "mezi", "ale", "nebo",
                                       "když", "aby", "však", NULL};
static const char *const SK_WORDS[] = {"v", "sa", "aj", "ako", "alebo", "ktorý", "ktorá", "ktoré", "však", "bol",
                                       "bola", "bolo", "boli", "pre", "sú", "ich", "keď", "ale", "len", "už", "až",
                                       NULL};
static const char *const BSF_WORDS[] = {"i", "u", "su", "koji", "koja", "koje", "kojeg", "kojem", "kojoj", "kojim",
                                        "kao", "ili", "nije", "će", "ovaj", "ova", "ovo", "godine", "između",
                                        "zbog", "gdje", "jer", "među", "već", "prema", NULL};
static const char *const BSW_WORDS[] = {"su", "koji", "koja", "koje", "kojeg", "kojem", "kojoj", "kojim", "kao",
                                        "ili", "nije", "će", "ovaj", "ovo", "godine", "između", "zbog", "gdje",
                                        "jer", "među", "već", "prema", NULL};

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

static const pair_rule PAIR_RULES[] = {
    {{"zu", "xh"}, {ZU_WORDS, XH_WORDS}, NULL},
    {{"sr", "mk"}, {SR_WORDS, MK_WORDS}, NULL},
    {{"tn", "st"}, {TN_WORDS, ST_WORDS}, NULL},
    {{"id", "ms"}, {ID_WORDS, MS_WORDS}, NULL},
    {{"sl", "bs"}, {SL_WORDS, BSF_WORDS}, NULL},
    {{"cs", "bs"}, {CS_WORDS, BSW_WORDS}, NULL},
    {{"sk", "bs"}, {SK_WORDS, BSW_WORDS}, NULL},
    {{"hr", "bs"}, {HR_WORDS, BS_WORDS}, hr_bs_extra},
};

/* w (length wl) matches a list entry: the word itself, a prefix ("pre*"), a suffix ("*suf") or an inner part
 * ("*mid*") of a longer word */
static bool in_list(const char *const *l, const char *w, size_t wl) {
  for (; *l; l++) {
    const char *e = *l;
    if (e[0] != '*' && e[0] != w[0]) continue; /* most entries fail on the first byte */
    size_t el = strlen(e);
    if (e[0] == '*' && el > 2 && e[el - 1] == '*') {
      if (wl > el - 2 && memmem(w, wl, e + 1, el - 2)) return true;
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
    while ((wl = next_word(text, len, &i, w, sizeof w)) >= 0) {
      if (!wl) {
        prev[0] = 0;
        continue;
      }
      unsigned m = spelling ? spelling(w, (size_t)wl) : 0;
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
static const char *const YO_WORDS[] = {"awon", "ati", "ninu", "lati", "pelu", "orile-ede", "omo", "naa", "eyi",
                                       "gbogbo", "wonyi", "tabi", "sugbon", "nigba", "je", "won", "tun", "yii",
                                       "odun", "ijoba", "ipinle", "ilu", "gb*", "*gb*", NULL};

/* like next_word, but combining marks stay in the word and every mark is dropped ("àwọn" -> "awon") */
static int next_bare_word(const char *text, size_t len, size_t *i, char *w, size_t cap) {
  if (*i >= len) return -1;
  size_t wl = 0;
  bool ok = true;
  while (*i < len) {
    utf8proc_int32_t cp;
    utf8proc_ssize_t a = utf8proc_iterate((const utf8proc_uint8_t *)text + *i, (utf8proc_ssize_t)(len - *i), &cp);
    if (a <= 0) {
      (*i)++;
      break;
    }
    utf8proc_category_t c = utf8proc_category(cp);
    *i += (size_t)a;
    if (c >= UTF8PROC_CATEGORY_MN && c <= UTF8PROC_CATEGORY_ME) continue;
    bool letter = c >= UTF8PROC_CATEGORY_LU && c <= UTF8PROC_CATEGORY_LO;
    if (!letter && !(cp == '-' && wl)) break;
    utf8proc_int32_t d[4];
    utf8proc_ssize_t nd = utf8proc_decompose_char(cp, d, 4, UTF8PROC_DECOMPOSE | UTF8PROC_STRIPMARK, NULL);
    for (utf8proc_ssize_t k = 0; k < nd && k < 4; k++) {
      if (wl + 5 >= cap) ok = false;
      else wl += (size_t)utf8proc_encode_char(utf8proc_tolower(d[k]), (utf8proc_uint8_t *)w + wl);
    }
  }
  w[wl] = 0;
  return ok ? (int)wl : 0;
}

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
  while ((wl = next_bare_word(text, len, &i, w, sizeof w)) >= 0) {
    if (!wl || !in_list(YO_WORDS, w, (size_t)wl)) continue;
    if (!first[0]) memcpy(first, w, (size_t)wl + 1);
    else if (strcmp(first, w)) {
      if (share) *share = 2.0 / 3.0;
      return "yo";
    }
  }
  return best;
}
