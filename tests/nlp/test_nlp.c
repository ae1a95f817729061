/*
 * tests/nlp/test_nlp.c - every analyser on hand-written cases: negation,
 * boosters, emoticons, caps, "but", mixed scripts, empty text, a 1 MB text,
 * invalid UTF-8, entity offsets, keywords, summary order, QA and no-answer,
 * batch order with a bad item, and concurrent use of one engine.
 * Uses the real data packages installed by scripts/install-deps.sh.
 */
#include <math.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "oscontent/error.h"
#include "oscontent/nlp.h"

#include "nlp_fixture.h"

static osc_nlp_sentiment S(const char *t) {
  osc_nlp_sentiment s;
  assert_int_equal(osc_nlp_sentiment_text(E, t, strlen(t), &s), OSC_OK);
  return s;
}

static void test_sentiment_basic(void **st) {
  (void)st;
  osc_nlp_sentiment p = S("I love this phone, it is great.");
  assert_true(p.compound > 0.5);
  assert_string_equal(p.label, "positive");
  assert_true(fabs(p.pos + p.neu + p.neg - 1.0) < 1e-6);
  osc_nlp_sentiment n = S("This is a terrible, awful experience.");
  assert_true(n.compound < -0.5);
  assert_string_equal(n.label, "negative");
  osc_nlp_sentiment z = S("The train leaves at noon.");
  assert_string_equal(z.label, "neutral");
  assert_true(p.polarity > 0.3 && n.polarity < -0.3);
  assert_true(p.subjectivity > 0.3);
}

static void test_sentiment_rules(void **st) {
  (void)st;
  double good = S("The food is good.").compound;
  double very = S("The food is very good.").compound;
  double caps = S("The food is GOOD.").compound;
  double excl = S("The food is good!!!").compound;
  double neg = S("The food is not good.").compound;
  double kind = S("The food is kind of good.").compound;
  double but = S("The food is good, but the service is horrible.").compound;
  assert_true(very > good);  /* booster */
  assert_true(caps > good);  /* ALL CAPS emphasis */
  assert_true(excl > good);  /* ! amplification */
  assert_true(neg < 0);      /* negation flips */
  assert_true(kind < good);  /* dampener */
  assert_true(but < 0);      /* "but" weights the second clause */
  /* reference value from vaderSentiment's README: "VADER is smart, handsome, and funny." -> 0.8316 */
  assert_true(fabs(S("VADER is smart, handsome, and funny.").compound - 0.8316) < 0.0015);
  assert_true(S("I am happy :)").compound > S("I am happy").compound); /* emoticon */
  assert_true(S(":(").compound < 0);
  /* elongated words fall back to the lexicon form: "goooood" scores as "good", "sooo" stays neutral */
  assert_true(fabs(S("The food is goooood.").compound - good) < 1e-9);
  assert_true(S("I looooove it").compound > 0.3);
  assert_true(fabs(S("Zzzzzz").compound) < 1e-9);
}

static void test_sentiment_edge(void **st) {
  (void)st;
  osc_nlp_sentiment s = S("");
  assert_true(s.compound == 0 && s.pos == 0 && s.neu == 0);
  assert_string_equal(s.label, "neutral");
  const char bad[] = "good \xff\xfe text";
  osc_nlp_sentiment o;
  assert_int_equal(osc_nlp_sentiment_text(E, bad, sizeof bad - 1, &o), OSC_EINVAL);
  assert_non_null(strstr(osc_errmsg(), "byte offset 5"));
  assert_int_equal(osc_nlp_sentiment_text(NULL, "x", 1, &o), OSC_EINVAL);
}

static void L(const char *t, const char *want) {
  osc_nlp_lang g;
  assert_int_equal(osc_nlp_language(E, t, strlen(t), &g), OSC_OK);
  if (strcmp(g.code, want)) fail_msg("'%s': got %s want %s", t, g.code, want);
  assert_true(g.confidence > 0 && g.confidence <= 1.0);
  assert_true(g.ntop >= 1);
}

/* t is not taken for the language code */
static void not_L(const char *t, const char *code) {
  osc_nlp_lang g;
  assert_int_equal(osc_nlp_language(E, t, strlen(t), &g), OSC_OK);
  if (!strcmp(g.code, code)) fail_msg("'%s': taken for %s", t, code);
}

static void test_language(void **st) {
  (void)st;
  L("The quick brown fox jumps over the lazy dog while the children watch.", "en");
  L("Le chat est assis sur le tapis et regarde les oiseaux dans le jardin.", "fr");
  L("Der Hund läuft schnell durch den Wald und bellt die Vögel an.", "de");
  L("El perro corre rápidamente por el parque con sus amigos.", "es");
  L("Собака быстро бежит через лес и лает на птиц.", "ru");
  L("犬は森の中を速く走っています。", "ja");
  L("Շունը արագ վազում է անտառում", "hy");
  L("ძაღლი სწრაფად დარბის ტყეში", "ka");
  L("Ο σκύλος τρέχει γρήγορα στο δάσος.", "el");
  /* mixed scripts: majority wins */
  L("Hello world, this is mostly English text with один word.", "en");
  osc_nlp_lang g;
  assert_int_equal(osc_nlp_language(E, "12345 !!!", 9, &g), OSC_OK);
  assert_string_equal(g.code, "und");
  assert_true(osc_nlp_language_count(E) >= 50);
}

static bool knows(const char *code) {
  for (size_t i = 0; i < osc_nlp_language_count(E); i++)
    if (!strcmp(osc_nlp_language_at(E, i), code)) return true;
  return false;
}

static void check_top(const osc_nlp_lang *g) {
  assert_true(g->ntop >= 1 && g->ntop <= 3);
  assert_string_equal(g->top[0].code, g->code);
  assert_true(g->confidence == g->top[0].prob);
  double sum = 0;
  for (int i = 0; i < g->ntop; i++) {
    assert_true(g->top[i].prob >= 0 && g->top[i].prob <= 1);
    if (i) assert_true(g->top[i].prob <= g->top[i - 1].prob + 1e-9);
    for (int k = 0; k < i; k++) assert_string_not_equal(g->top[i].code, g->top[k].code);
    sum += g->top[i].prob;
  }
  assert_true(sum <= 1.0 + 1e-9);
}

/* languages the langdetect profiles lack come from eld (az, be, eu, is, sr...) and franc (Bantu languages,
 * eo, ga, kk, mn, ...): hand-written sentences, not rows of the evaluation set */
static void test_language_models(void **st) {
  (void)st;
  if (!knows("eu") || !knows("zu") || !knows("yo")) skip(); /* eld/franc data not installed (scripts/deps/nlp.sh) */
  assert_true(osc_nlp_language_count(E) >= 75);
  L("Euskara Euskal Herriko hizkuntza da, eta munduko hizkuntza zaharrenetako bat dela uste da.", "eu");
  L("Íslenska er vesturnorrænt mál sem talað er á Íslandi og er opinbert tungumál landsins.", "is");
  L("Esperanto estas la plej disvastigita internacia planlingvo, kreita de Zamenhof.", "eo");
  L("Gaeilge is ainm don teanga Cheilteach a labhraítear in Éirinn go príomha.", "ga");
  L("Ngaphambi kokuba kufike abantu abamhlophe, abantu bakithi babehlala ngokuthula ezweni labo.", "zu");
  L("Azərbaycan dili türk dilləri ailəsinin oğuz qrupuna daxil olan bir dildir.", "az");
  L("Беларуская мова з'яўляецца адной з дзвюх дзяржаўных моў у краіне.", "be");
  /* Cyrillic: letters only Serbian (ђ ћ), only Macedonian (ќ ѓ ѕ) or only Kazakh (ә ғ қ ң ұ) write */
  L("Студенти ће сутра поново изаћи на улице и тражити одговоре од владе.", "sr");
  L("Владата најави дека ќе ги намали даноците за малите претпријатија.", "mk");
  L("Қазақстан Орталық Азиядағы ең үлкен мемлекет, астанасы Астана қаласы.", "kk");
  /* close pairs told apart by function words and verb prefixes (lang_pair.c): Xhosa ndi-/kwaye/xa/ngoku against
   * Zulu ngi-/futhi/uma/manje, Serbian је/у/са against Macedonian е/во/со (no ђ ћ ќ ѓ ѕ in these) */
  L("Ndiyabulela kakhulu, kwaye ndiza kubuya ngoku xa ndigqibile umsebenzi wam.", "xh");
  L("Ngiyabonga kakhulu, futhi ngizobuya manje uma sengiqedile umsebenzi wami.", "zu");
  L("Ndifuna ukuya edolophini ngoku.", "xh");      /* franc alone: zu */
  L("Ngicela ungisize, ngiyacela kakhulu.", "zu"); /* franc alone: xh */
  L("Re tla leka go thusa batho gore ba tshele sentle.", "tn"); /* Tswana go/gore, Sesotho ho/hore */
  L("Re tla leka ho thusa batho hore ba phele hantle.", "st");
  L("Он је живео у Београду са својом породицом много година.", "sr");
  L("Тој живееше во Скопје со своето семејство многу години.", "mk");
  L("Један од највећих градова у држави налази се између две реке.", "sr"); /* је-, у, између */
  L("Тоа е еден од најголемите градови во државата, меѓу двете реки.", "mk");
  /* Croatian against Bosnian: month names, native words against loans, "sa" before any word, -isati verbs;
   * Slovenian against Bosnian: function words; Indonesian against Malay: spellings and month names */
  L("Sastanak je održan petnaestog siječnja u Zagrebu, a tisuću ljudi sudjelovalo je u prosvjedu tijekom dana.", "hr");
  L("Sastanak je održan petnaestog januara u Sarajevu, a hiljadu ljudi je učestvovalo u protestu tokom dana.", "bs");
  L("Profesor je sa studentima definisao pravila i organizovao saradnju sa fakultetom.", "bs");
  L("Včeraj je bilo v Ljubljani zelo lepo vreme in tudi ljudje so bili veseli, ker je sijalo sonce.", "sl");
  L("Karena cuaca buruk, penerbangan ke Jakarta dibatalkan pada bulan Agustus dan uang tiket dikembalikan.", "id");
  L("Kerana cuaca buruk, penerbangan ke Kuala Lumpur dibatalkan pada bulan Ogos dan wang tiket dipulangkan.", "ms");
  /* Bokmål against Nynorsk: the hunspell-no word lists */
  if (knows("nn")) {
    L("Eg veit ikkje kva dei skal gjere no, men ho seier at det er vanskeleg.", "nn");
    L("Jeg vet ikke hva de skal gjøre nå, men hun sier at det er vanskelig.", "nb");
  }
  /* European groups (lang_pair.c): function words, endings and letters outvote the character models' answer
   * (each of these is answered otherwise without the rules) */
  if (knows("nn") && knows("eo") && knows("la")) {
    L("Kona hans bur i byen, og ho kjem frå Bergen.", "nn");       /* nb: ho, kjem, frå are Nynorsk markers */
    L("Det har han ikke sagt noget om.", "da");                    /* nn: noget is Danish (nb noe) */
    L("Vejen til den høje bygning var lang.", "da");               /* nn: Danish ej/øj (Norwegian vei, høy) */
    L("Han har et stort øje.", "da");                              /* nb: Danish øj (Norwegian øye) */
    L("Vi kom tilbage fra Bergen i går.", "da");                   /* nb: tilbage (Norwegian tilbake) */
    L("Han ville se honom.", "sv");                                /* nb: Swedish honom (him) */
    L("Den store veien går mot nord.", "nb");                      /* Norwegian ei, mot */
    L("Han gikk over gaten uten å se seg for.", "nb");             /* gikk, uten, å, seg */
    L("Det var bara en gång.", "sv");                              /* Swedish bara (Danish, Norwegian bare) */
    L("Utdanninga er gratis.", "nn");                              /* Nynorsk -inga (Bokmål -ingen) */
    L("Mi ne scias, kion fari nun.", "eo");                        /* it: kion */
    L("Cxu vi parolas Esperanton?", "eo");                         /* it: the x-system spelling of ĉu */
    L("Vi kiam venos al nia domo por la festo?", "eo");            /* es: kiam */
    L("La domo ne estas granda.", "eo");                           /* es: ne (Spanish "estas" cancels) */
    L("Villa non semper erat magna.", "la");                       /* it: erat against non (both) */
    L("Hic liber a patre scriptus est.", "la");                    /* ro: hic, est */
    L("Ea de re multa dicuntur.", "la");                           /* ro: the passive -ntur */
    L("Liber a magistro legitur.", "la");                          /* it: the passive -itur */
    L("Agricola terram arat.", "la");                              /* it: the accusative -am */
    L("Cantare amamus.", "la");                                    /* it: -us */
    L("Domina ancillam vocat.", "la");                             /* ca: -am */
    L("Via nova Romam ducit.", "la");                              /* pt: -it (Portuguese -am cancels -am) */
    L("Democratia este fragila.", "ro");                           /* la: este, no Latin word */
    L("institutie publica", "ro");                                 /* la: -ție written -tie */
    L("lumineux", "fr");                                           /* la: -eux */
    L("estis bela", "eo");                                         /* la: estis */
    L("estradas dela", "pt");                                      /* es: dela (de + ela) */
    L("Diplomat en educació social.", "ca");                       /* es: -ció */
    L("Na teto strance najdete vsechny informace o nasem klubu.", "cs"); /* Czech without its diacritics */
    L("Ak mate zaujem, napiste nam.", "sk");                       /* bs: Slovak ak */
    L("Bola som doma a cakala som na teba.", "sk");                /* st: bola, som */
    L("Cítím, že bude zima.", "cs");                               /* sl: í is no South Slavic letter */
    L("Pri dodrzeni pokynu je pouziti bezpecne.", "cs");           /* sk: Czech -ení written -eni */
    L("Pri skladovani chrante pred vlhkosti.", "cs");              /* sk: -ání written -ani */
    L("Kljub dežju gremo na izlet.", "sl");                        /* bs: Slovenian kljub */
    /* tenth pass, West and South Slavic (each answered otherwise without its rule) */
    L("Danes je sreda.", "sl");                                    /* bs: Slovenian danes, sreda */
    L("Otroci se igrajo na dvorišču.", "sl");                      /* bs: the 3rd plural -ajo */
    L("On jest tam sam.", "pl");                                   /* hr: Polish jest */
    L("Mame radi leto, lebo je teplo.", "sk");                     /* tn: Slovak lebo */
  }
  L("Надо ехать.", "ru");                     /* uk: надо */
  L("Свободни сме в свободна страна.", "bg"); /* mk: Bulgarian в (Macedonian во) */
  L("Пресата е свободна в страната.", "bg");  /* mk */
  if (knows("mn")) {
    L("Энэ бол їнэхєєр сайхан єдєр юм.", "mn"); /* ї є for ү ө (an old encoding): uk without the rule */
    L("Хїмїїс хотын тєвд ирсэн байна.", "mn");
  }
  /* Cyrillic word rules (lang_pair.c): each of these is answered otherwise without its rule */
  if (knows("mn") && knows("kk")) {
    L("Зато тако.", "sr");            /* mk: Serbian зато, тако (Macedonian затоа, така) */
    L("Зато тако мислимо.", "sr");    /* mk: and the 1st plural -имо (Macedonian -име) */
    L("Шта ради тај?", "sr");         /* mk: шта, тај (Macedonian што, тој) */
    L("Сега сум тука.", "mk");        /* sr: сега, сум (Serbian сада, сам) */
    L("Почти всички.", "bg");         /* mk: Bulgarian почти, всички (Macedonian речиси, сите) */
    L("Когато говори.", "bg");        /* mk: когато */
    L("Тоже вроде.", "ru");           /* mk: Russian тоже, вроде */
    L("Вот такие дела.", "ru");       /* mk: вот and the plural adjective -кие */
    L("К нему.", "ru");               /* kk: the preposition к, нему */
    L("Але він.", "uk");              /* kk: Ukrainian але, він */
    L("Чи це так?", "uk");            /* kk: чи, це */
    L("Але він тут.", "uk");          /* mn */
    L("Новий готовий.", "uk");        /* ru: the adjectives -вий (Russian -вый) */
    L("Прямий шлях.", "uk");          /* ru: -мий */
    L("Маш сайн.", "mn");             /* be: Mongolian маш (very) */
    L("Бид одоо.", "mn");             /* mk: бид, одоо */
    /* the rules leave these alone: Bulgarian коли (cars) is no Ukrainian коли (when), Kazakh keeps its answer */
    L("Колите са нови.", "bg");
    L("Той има коли.", "bg");
    L("Қазақстан туралы жақсы кітап.", "kk");
    L("Беларуская мова.", "be");
  }
  /* Latin menus and bylines before Urdu or Hindi text: the part in the script of its own is identified alone */
  L("Read More Politics Latest News from Multan (Punjab) in Urdu: لاہور میں موسم خوشگوار رہا اور بارش", "ur");
  L("Home Latest Business News from Kolkata in Hindi: दिल्ली में बारिश हुई और मौसम अच्छा", "hi");
  L("The Arabic word كتاب means book.", "en"); /* a word in another script does not decide */
  /* the profile languages keep their answers */
  L("The quick brown fox jumps over the lazy dog while the children watch.", "en");
  L("Die Katze schläft auf dem Sofa, weil es draußen regnet und kalt ist.", "de");
  L("Dit is een eenvoudige zin in het Nederlands over het weer van vandaag.", "nl");
  L("Hii ni sentensi fupi ya Kiswahili kuhusu hali ya hewa ya leo.", "sw");
  osc_nlp_lang g;
  assert_int_equal(osc_nlp_language(E, "Euskara Euskal Herriko hizkuntza da.", 36, &g), OSC_OK);
  check_top(&g);
}

/* short, empty, mixed and odd inputs: never a crash, always a well-formed answer */
/* letters only one language writes decide short texts and texts where two words have them, never a
   single quoted name in a longer text of another language */
static void test_language_letters(void **st) {
  (void)st;
  L("přítel", "cs");
  L("Dnes ráno jsem potkal starého přítele a dlouho jsme spolu mluvili o všem možném.", "cs");
  L("The orchestra played a symphony by Dvořák last night and the audience loved every minute of it.", "en");
  L("Łódź is a large city in central Poland with many parks and old factories.", "en");
  L("Tegnap a barátaimmal elmentünk a múzeumba, és nagyon érdekes kiállítást láttunk, ő is jött.", "hu");
  L("Ieri am fost la piață și am cumpărat fructe proaspete pentru întreaga familie.", "ro");
  if (!knows("mi") || !knows("kk")) return; /* franc data not installed (scripts/deps/nlp.sh) */
  /* letters of several alphabets: the answer is one of their writers (each answered otherwise without them) */
  L("kōrero", "mi");        /* ō: Maori alone (sn) */
  L("ngā tamariki", "mi");  /* ā: Latvian or Maori (eu) */
  L("măsura", "ro");        /* ă: Romanian or Vietnamese (sn) */
  L("ţara noastră", "ro");  /* ţ: Romanian with the cedilla (sn) */
  L("şcoala", "ro");        /* ş: Turkish, Azerbaijani or Romanian (lg) */
  L("kuća", "hr");          /* ć: Polish, Croatian or Bosnian (ts) */
  L("plaça", "ca");         /* ç: eld's choice among its writers (eo) */
  L("kýþ mevsimi", "tr");   /* ý þ: Turkish read as cp1252 writes ı ş so (sq) */
  /* names in a text of another language still need two words with such letters */
  L("The Māori party met in Wellington yesterday to discuss the new housing policy.", "en");
  L("Søren Kierkegaard was a Danish philosopher who wrote about faith and despair.", "en");
  L("The Citroën dealership in town sells more cars every year than any other brand.", "en");
  /* UTF-8 read as cp1250 (capitals after lower-case letters): its Ă is no Romanian ă */
  not_L("NĂˇvod k pouĹľitĂ­ vĂ˝robku najdete na strĂˇnce vĂ˝robce.", "ro");
  /* a Kazakh answer on 30 Cyrillic letters with none of ә ғ қ ң ө ұ ү һ і is not kept */
  L("Медведь уже уснул, к весне вернулись силы.", "ru"); /* kk */
}

/* the rules for the African languages and Maori (lang.c, lang_pair.c): hand-written sentences */
static void test_language_african(void **st) {
  (void)st;
  if (!knows("mi") || !knows("zu") || !knows("yo")) skip(); /* franc data not installed (scripts/deps/nlp.sh) */
  /* Maori: every syllable open, letters a e i o u h k m n p r t w (ng, wh); names and a decomposed macron
   * (a + U+0304) keep a Maori text Maori; a text whose words mostly cannot be Maori is not (franc alone: mi) */
  L("Ko te reo M\xc4\x81ori te reo o te iwi M\xc4\x81ori o Aotearoa.", "mi");
  L("Ka k\xc5\x8drero a Hone Smith ki ng\xc4\x81 tamariki o te kura i Rotorua.", "mi");
  L("Ka ko\xcc\x84rero a Hone ki nga\xcc\x84 tamariki o te kura.", "mi");
  not_L("Tu je to moja.", "mi");
  /* Zulu against Xhosa: Xhosa class 10 ii-, -ninzi "many", -fumana "find", the rh digraph; Zulu -ningi, -thola,
   * lokhu, njengoba, -khuluma */
  L("Iincwadi ezininzi zifumaneka kwiithala leencwadi.", "xh"); /* before: zu */
  L("Urhulumente uthi ootitshala abaninzi baza kufumana imali.", "xh");
  L("Abantu abaningi bathole usizo olukhulu kulo nyaka.", "zu");
  L("Lokhu kwenzeka njengoba abantu bekhuluma ngakho.", "zu");
  /* Zulu or Xhosa taken for Luganda or Swahili: a Nguni mark (hl, a click, a function word, a class prefix
   * hyphenated onto a loan) makes it Nguni, and the pair rule chooses */
  L("Abantu bahlala ekhaya.", "zu");                                          /* before: lg */
  L("Abantwana bathenga i-smartphone kwi-website kunye nabazali.", "xh");
  L("Watu wengi walikwenda sokoni kununua chakula.", "sw");                  /* no Nguni mark */
  not_L("Mtoto alinunua box ya oxygen.", "zu");                              /* x before a consonant or at the end */
  not_L("Mtoto alinunua box ya oxygen.", "xh");
  /* Shona against Swahili: Shona bv/zv/sv/dz/pf/vh/bh and uye, kuti, asi ...; Swahili th/gh and kwamba, hii ... */
  L("Akati ndiri kuda kuenda kumusha uye kuona mai.", "sn"); /* before: sw */
  L("Anonzi ari kubvunza mibvunzo.", "sn");                  /* before: sw */
  L("Watu wengi walisema kwamba serikali itasaidia.", "sw");
  L("Hii ni habari njema kwa wakulima wote.", "sw");
  /* a Nguni click before u or w (esineziqu, izixwembe) */
  L("Isitshalo esineziqu eziyizixwembe.", "zu");
  /* Zulu against Xhosa: demonstratives with and without l- (lesi/esi), numbers (isithupha/ntandathu) */
  L("Umfundisi uthe abantwana bazofunda esi sifundo.", "xh"); /* before: zu */
  L("Umfundisi uthe abantwana bazofunda lesi sifundo.", "zu");
  L("Bathenge izihlalo ezintandathu.", "xh");                 /* before: zu */
  L("Bathenge izihlalo eziyisithupha.", "zu");
  /* Luganda taken for Swahili: nnyo, ssente (doubled consonants), ky, gy */
  L("Kati batya nnyo.", "lg");         /* before: sw */
  L("Ssente kati ziri nnyo.", "lg");   /* before: sw */
  L("Abaana baagala nnyo ssente.", "lg");
  /* Yoruba without its marks, taken for a Bantu language: two Yoruba words decide */
  L("Awon omo lo si Eko.", "yo");       /* before: xh */
  L("Awon agba ti lo.", "yo");          /* before: ts */
  L("Won tun gba ile naa.", "yo");      /* before: xh */
  L("\xc3\x80w\xe1\xbb\x8dn \xe1\xbb\x8dm\xe1\xbb\x8d n\xc3\xa1\xc3\xa0 l\xe1\xbb\x8d s\xc3\xad \xe1\xbb\x8dj\xc3\xa0.", "yo");
  L("Hii ni sentensi fupi ya Kiswahili kuhusu hali ya hewa ya leo.", "sw"); /* no Yoruba words */
  not_L("To je on, je li to on?", "yo"); /* one Yoruba-looking word twice is not two words */
  /* Tswana g where Sesotho writes h (bagolo/baholo), jaaka/jwaloka, fela/feela, mme/empa */
  L("Ba ne ba bua jaaka bagolo, mme ba ne ba le bannye fela.", "tn"); /* before: st */
  L("Ba ne ba bua jwaloka baholo, empa ba ne ba le banyane feela.", "st");
  L("Motse o mogolo o na le batho ba bantsi.", "tn");
  L("Motse o moholo o na le batho ba bangata.", "st");
  /* jwalo/jalo (so), itse/tseba (know), jang/jwang (how) */
  L("E ne e le jwalo.", "st");  /* before: tn */
  L("Ke ne ke sa itse.", "tn"); /* before: st */
  L("Ke batla go itse gore o dira jang.", "tn");
  L("Ke batla ho tseba hore o etsa jwang.", "st");
  /* third round. Zulu against Xhosa: Xhosa ntl and ty (intliziyo, ukutya), Zulu nhl; ingaba/ingabe, phi/kuphi,
   * Zulu ngi-/Xhosa ndi- verbs */
  L("Intliziyo yakhe ibuhlungu, akafuni ukutya.", "xh");
  L("Inhliziyo yakhe ibuhlungu, akafuni lutho.", "zu");
  L("Ingaba uyazi ukuba uhleli phi?", "xh");
  L("Ingabe uyazi ukuthi uhlezi kuphi?", "zu");
  L("Umama uhleli ekhaya, uyabakhusela abantwana.", "xh");
  L("Umama uhlezi ekhaya, uyabavikela abantwana.", "zu");
  L("Ndiza kukuxela isigqibo sethu kwiyure ezayo.", "xh");
  L("Ngizokutshela isinqumo sethu ngehora elizayo.", "zu");
  /* Tswana against Sotho: dira/etsa, kgotsa/kapa, dilo/dintho, -otlhe, ngola, bosiu, Lesotho's li, q; the g of a
   * name ("Mogorosi") is not a Tswana spelling */
  L("Ba dira tiro e ntle kgotsa ba bala dilo tse dingwe.", "tn");
  L("Ba etsa mosebetsi o motle kapa ba bala dintho tse ding.", "st");
  L("Ke rata dilo tsotlhe tse o di dirileng.", "tn");
  L("Ntate Mogorosi o ile a ngola lengolo bosiu.", "st");
  L("Lintho tsena li entsoe ke batho ba bang.", "st");
  L("Bana ba ile ba qala ho bapala.", "st");
  /* Yoruba: je, oruko, tele, aare */
  L("Ojo je oruko omo mi tele.", "yo");
  L("Adeolu je Aare egbe naa tele.", "yo");
  /* Tsonga: eka, loko, kambe, swi, leri, xi-, dzh; two different marks (a Sotho text is not Tsonga) */
  L("Vana va ya exikolweni loko swi lava.", "ts");
  L("Hi tirha swinene eka ndzhawu leyi.", "ts");
  L("Malume a ya exikolweni, kambe a nga vuyi.", "ts");
  L("Lehlweni ra xihlahla leri.", "ts");
  not_L("Ba ile ba ya hae.", "ts");
  /* Shona: kuti, asi, kwete, iri, zv */
  L("Vanhu vese vanoziva kuti asi zvakaoma.", "sn");
  L("Mwana wangu iri kuda kuenda, asi kwete nhasi.", "sn");
  L("Amai vaenda kumusha asi havana kuona izvo.", "sn");
  L("Akabvuma nyaya yacho.", "sn"); /* bv in the sentence's first word */
  /* Nguni copulative hyphenated onto a number (engu-2.0) */
  L("Imoto engu-2.0 ibiza imali eningi ku-100kW.", "zu");
  /* Luganda: ssente, nnyo, wabula; Tagalog stays Tagalog */
  L("Balina ssente nnyo wabula tebaagala kukola.", "lg");
  L("Abasawo balina ssente nnyo.", "lg");
  L("Hindi ko alam kung saan siya pumunta.", "tl");
  L("Ito ang bahay ng mga bata.", "tl");
}

/* texts dominated by capitalised names (lang.c, caps_recheck): identified again without the names when the
 * answer is uncertain, or certain but without one of its stop words among the words left; German nouns, English
 * headlines and names quoted in another language's sentence leave the answer alone.  Hand-written sentences. */
static void test_language_names(void **st) {
  (void)st;
  if (!knows("la") || !knows("cy")) skip(); /* franc data not installed (scripts/deps/nlp.sh) */
  L("Iohannes Williams cum turma Liverpool Football Club lusit.", "la");     /* before: en */
  L("Bu farw yn Los Angeles, California ym 1975 ar \xc3\xb4l salwch hir.", "cy"); /* before: ga */
  L("Gwnaeth Stephen King ysgrifennu Pet Sematary.", "cy");                 /* before: nn */
  /* a genus named again: the Latin epithet after its first mention goes with it */
  L("Canis lupus Canis generoko animalia da.", "eu");                       /* before: la */
  L("Felis silvestris Felis generoko animalia da.", "eu");                  /* before: la */
  L("Der Bundestag hat am Montag das Gesetz \xc3\xbc" "ber die Rente beschlossen.", "de");
  L("Die Deutsche Bahn AG und die Lufthansa Group melden Rekordzahlen.", "de");
  L("Wo wohnt Peter Miller jetzt?", "de");
  L("Prime Minister Announces New Budget For Schools And Hospitals", "en");
  L("Es un jugador que ha jugado en Manchester United y Real Madrid.", "es");
  L("Il a jou\xc3\xa9 pour Manchester United, Real Madrid et Bayern Munich.", "fr");
  L("Ilikuwa na makao yake makuu New York City.", "sw");
}

/* Dutch against Afrikaans, Hindi against Marathi: the grammars' function words (lang_pair.c) */
static void test_language_nl_af_hi_mr(void **st) {
  (void)st;
  L("Dit is de beste oplossing.", "nl"); /* before: af */
  L("Dit is die beste oplossing.", "af");
  L("Die situasie is ernstig.", "af");
  L("De situatie is ernstig.", "nl");
  L("Hy is nie hier nie.", "af");
  L("Hij is niet hier.", "nl");
  L("\xe0\xa4\xb5\xe0\xa4\xb9 \xe0\xa4\x98\xe0\xa4\xb0 \xe0\xa4\x97\xe0\xa4\xaf\xe0\xa4\xbe\xe0\xa5\xa4", "hi");
  L("\xe0\xa4\xb9\xe0\xa5\x87 \xe0\xa4\x96\xe0\xa4\xb0\xe0\xa5\x87 \xe0\xa4\x86\xe0\xa4\xb9\xe0\xa5\x87.", "mr");
}

/* Irish, Welsh, German and English word groups (lang_pair.c): hand-written texts */
static void test_language_celt_germ(void **st) {
  (void)st;
  L("dt\xc3\xad an", "ga");              /* eclipsis dt-, article an; before: en */
  L("dangerous weapons", "en");         /* -ous; before: af */
  L("Rugadh \xc3\xa9 i Manchester agus t\xc3\xa1 s\xc3\xa9 ina ch\xc3\xb3na\xc3\xad i London.", "ga");
  L("Mae hi'n byw yng Nghymru.", "cy");
  L("bwrdd newydd", "cy");
  L("durch Zufall", "de");
  L("welke kant", "nl");
  L("hom gesien", "af");
  /* an English sentence with Welsh names (dd) runs the Celtic groups and stays English */
  L("The council met in Pontypridd and Caerphilly to discuss the budget for next year.", "en");
}

static void test_language_edges(void **st) {
  (void)st;
  osc_nlp_lang g;
  assert_int_equal(osc_nlp_language(E, "", 0, &g), OSC_OK);
  assert_string_equal(g.code, "und");
  assert_int_equal(g.ntop, 0);
  assert_int_equal(osc_nlp_language(E, NULL, 0, &g), OSC_OK);
  assert_string_equal(g.code, "und");
  assert_int_equal(osc_nlp_language(E, "  \t\n 42 % ... ", strlen("  \t\n 42 % ... "), &g), OSC_OK);
  assert_string_equal(g.code, "und");
  assert_int_equal(osc_nlp_language(E, "hello", 5, NULL), OSC_EINVAL);
  assert_int_equal(osc_nlp_language(E, "\xff\xfe abc", 6, &g), OSC_EINVAL); /* invalid UTF-8 */
  /* one short word: an answer with an honest (not certain) confidence */
  assert_int_equal(osc_nlp_language(E, "house", 5, &g), OSC_OK);
  check_top(&g);
  assert_true(g.confidence < 0.999);
  assert_false(g.reliable);
  /* mixed scripts: the majority decides, in either direction */
  L("Москва является столицей России, а слово hello здесь только одно.", "ru");
  L("Der Bahnhof liegt im Zentrum der Stadt, das Wort Москва steht hier nur einmal.", "de");
  /* the pair word rules on a word longer than their buffer, and on a text that ends inside a word */
  {
    char zu[512];
    int k = snprintf(zu, sizeof zu, "Ngiyabonga kakhulu futhi ");
    memset(zu + k, 'a', 300);
    snprintf(zu + k + 300, sizeof zu - (size_t)k - 300, " manje ngiyahamba");
    assert_int_equal(osc_nlp_language(E, zu, strlen(zu), &g), OSC_OK);
    check_top(&g);
    assert_int_equal(osc_nlp_language(E, "Ngiyabonga kakhulu futhi ngiyahamba", 33, &g), OSC_OK);
    check_top(&g);
  }
  /* a long text (the models read its start) and a text of one repeated letter */
  size_t n = 0;
  char *big = malloc(64 * 1024);
  assert_non_null(big);
  const char *s = "La casa es grande y tiene un jardín con muchas flores de colores. ";
  while (n + strlen(s) < 64 * 1024) {
    memcpy(big + n, s, strlen(s));
    n += strlen(s);
  }
  assert_int_equal(osc_nlp_language(E, big, n, &g), OSC_OK);
  assert_string_equal(g.code, "es");
  check_top(&g);
  memset(big, 'a', 5000);
  assert_int_equal(osc_nlp_language(E, big, 5000, &g), OSC_OK);
  check_top(&g);
  free(big);
  /* letters of unrelated alphabets together drop the letter rule instead of failing */
  assert_int_equal(osc_nlp_language(E, "ĉu ђак ќе ṣe", strlen("ĉu ђак ќе ṣe"), &g), OSC_OK);
  check_top(&g);
}

static const osc_nlp_entity *find(osc_nlp_entity *e, size_t n, const char *text, osc_nlp_entity_type t) {
  for (size_t i = 0; i < n; i++)
    if (!strcmp(e[i].text, text) && e[i].type == t) return &e[i];
  return NULL;
}

static void test_entities(void **st) {
  (void)st;
  const char *t = "Dr. Angela Merkel met Barack Obama in Berlin on 12 March 2015 at 10:30 am. "
                  "Siemens AG paid $3.5 million, about 4.5% of revenue, to 3 firms; it was the 2nd deal. "
                  "Mail info@example.org, see https://example.org/x or call +1 (555) 123-4567. #news @reuters";
  osc_nlp_entity *e = NULL;
  size_t n = 0;
  assert_int_equal(osc_nlp_entities(E, t, strlen(t), &e, &n), OSC_OK);
  assert_non_null(find(e, n, "Angela Merkel", OSC_NLP_ENT_PERSON));
  assert_non_null(find(e, n, "Barack Obama", OSC_NLP_ENT_PERSON));
  assert_non_null(find(e, n, "Berlin", OSC_NLP_ENT_LOCATION));
  assert_non_null(find(e, n, "12 March 2015", OSC_NLP_ENT_DATE));
  assert_non_null(find(e, n, "10:30 am", OSC_NLP_ENT_TIME));
  assert_non_null(find(e, n, "$3.5 million", OSC_NLP_ENT_MONEY));
  assert_non_null(find(e, n, "4.5%", OSC_NLP_ENT_PERCENT));
  assert_non_null(find(e, n, "3", OSC_NLP_ENT_CARDINAL));
  assert_non_null(find(e, n, "2nd", OSC_NLP_ENT_ORDINAL));
  assert_non_null(find(e, n, "info@example.org", OSC_NLP_ENT_EMAIL));
  assert_non_null(find(e, n, "https://example.org/x", OSC_NLP_ENT_URL));
  assert_non_null(find(e, n, "+1 (555) 123-4567", OSC_NLP_ENT_PHONE));
  assert_non_null(find(e, n, "#news", OSC_NLP_ENT_HASHTAG));
  assert_non_null(find(e, n, "@reuters", OSC_NLP_ENT_MENTION));
  const osc_nlp_entity *b = find(e, n, "Berlin", OSC_NLP_ENT_LOCATION);
  assert_int_equal(b->start, (size_t)(strstr(t, "Berlin") - t));
  assert_int_equal(b->end - b->start, 6);
  for (size_t i = 1; i < n; i++) assert_true(e[i - 1].start <= e[i].start);
  osc_nlp_entities_free(e, n);
  /* code point offsets with multi-byte text before the entity */
  const char *u = "Café très bon à Paris.";
  assert_int_equal(osc_nlp_entities(E, u, strlen(u), &e, &n), OSC_OK);
  const osc_nlp_entity *p = find(e, n, "Paris", OSC_NLP_ENT_LOCATION);
  assert_non_null(p);
  assert_int_equal(p->start, 16);
  osc_nlp_entities_free(e, n);
  assert_int_equal(osc_nlp_entities(E, "", 0, &e, &n), OSC_OK);
  assert_int_equal(n, 0);
  osc_nlp_entities_free(e, n);
}

static void test_keywords(void **st) {
  (void)st;
  const char *t = "Machine learning models for natural language processing need large training data. "
                  "Natural language processing with machine learning is used for translation. "
                  "Training data quality matters for machine learning models.";
  osc_nlp_keyword *k = NULL;
  size_t n = 0;
  assert_int_equal(osc_nlp_keywords(E, t, strlen(t), 5, &k, &n), OSC_OK);
  assert_true(n > 0 && n <= 5);
  bool ml = false;
  for (size_t i = 0; i < n; i++) {
    if (strstr(k[i].text, "machine learning") || strstr(k[i].text, "language processing")) ml = true;
    if (i) assert_true(k[i - 1].score >= k[i].score);
    assert_null(strstr(k[i].text, " the "));
  }
  assert_true(ml);
  assert_true(fabs(k[0].score - 1.0) < 1e-9);
  osc_nlp_keywords_free(k, n);
  assert_int_equal(osc_nlp_keywords(E, t, strlen(t), 0, &k, &n), OSC_EINVAL);
  /* candidates are maximal noun phrases: no keyword is a proper sub-phrase of a returned one that
     only ever occurs inside it ("electron microscope" appears only in the longer phrase) */
  const char *t2 = "The transmission electron microscope resolved the oxide layer. "
                   "The oxide layer grew on the alloy surface. The transmission electron microscope is old.";
  assert_int_equal(osc_nlp_keywords(E, t2, strlen(t2), 10, &k, &n), OSC_OK);
  bool full = false;
  for (size_t i = 0; i < n; i++) {
    if (!strcmp(k[i].text, "transmission electron microscope")) full = true;
    assert_string_not_equal(k[i].text, "electron microscope");
  }
  assert_true(full);
  osc_nlp_keywords_free(k, n);
  /* a long text (graph of thousands of words) stays cheap: sparse graph, no V x V matrix */
  size_t bl = 0, bcap = 4 << 20;
  char *big = malloc(bcap);
  assert_non_null(big);
  for (int i = 0; bl + 64 < bcap; i++) bl += (size_t)snprintf(big + bl, bcap - bl, "term%d widget%d gadget sensor. ", i, i * 7);
  assert_int_equal(osc_nlp_keywords(E, big, bl, 10, &k, &n), OSC_OK);
  assert_int_equal(n, 10);
  osc_nlp_keywords_free(k, n);
  free(big);
}

static void test_summary(void **st) {
  (void)st;
  const char *t = "Solar power is growing fast. Solar panels are cheaper every year. My cat sleeps a lot. "
                  "Power grids must adapt to solar power and storage. The weather was nice.";
  char *s = NULL;
  osc_nlp_text_stats stats;
  assert_int_equal(osc_nlp_summarize(E, t, strlen(t), 2, 0, &s, &stats), OSC_OK);
  assert_int_equal(stats.sentences, 5);
  assert_true(stats.words >= 28);
  assert_null(strstr(s, "cat"));
  /* document order */
  const char *a = strstr(s, "Solar power is growing"), *b = strstr(s, "Power grids");
  if (a && b) assert_true(a < b);
  free(s);
  assert_int_equal(osc_nlp_summarize(E, "One sentence only.", 18, 3, 0, &s, NULL), OSC_OK);
  assert_string_equal(s, "One sentence only.");
  free(s);
  assert_int_equal(osc_nlp_summarize(E, t, strlen(t), 0, 0.2, &s, NULL), OSC_OK); /* ratio: 1 of 5 */
  assert_null(strchr(s + 1, '.') && strchr(s + 1, '.')[1] ? strchr(strchr(s + 1, '.') + 1, '.') : NULL);
  free(s);
}

static void test_segmentation(void **st) {
  (void)st;
  const char *t = "Mr. Smith went to Washington. He arrived at 3 p.m. on Friday! Did he? Yes. U.S. officials met him.";
  size_t *s = NULL, *e = NULL, n = 0;
  assert_int_equal(osc_nlp_sentences(t, strlen(t), &s, &e, &n), OSC_OK);
  assert_int_equal(n, 4 + 1);
  assert_memory_equal(t + s[0], "Mr. Smith went to Washington.", e[0] - s[0]);
  free(s);
  free(e);
  const char *w = "don't state-of-the-art 3.14 1,000 U.S. e-mail";
  assert_int_equal(osc_nlp_words(w, strlen(w), &s, &e, &n), OSC_OK);
  assert_int_equal(n, 6);
  assert_int_equal(e[0] - s[0], 5);
  assert_int_equal(e[1] - s[1], 16);
  free(s);
  free(e);
  assert_int_equal(osc_nlp_words("\xc3\x28", 2, &s, &e, &n), OSC_EINVAL);
}

static void test_qa(void **st) {
  (void)st;
  const char *ctx = "The Eiffel Tower is in Paris. It was completed in 1889 for the World's Fair. "
                    "Gustave Eiffel's company designed and built the tower. It is 330 metres tall.";
  osc_nlp_answer a;
  const char *q = "When was the Eiffel Tower completed?";
  assert_int_equal(osc_nlp_qa(E, q, strlen(q), ctx, strlen(ctx), &a), OSC_OK);
  assert_true(a.found);
  assert_string_equal(a.answer, "1889");
  assert_int_equal(a.end - a.start, 4);
  assert_int_equal(a.start, (size_t)(strstr(ctx, "1889") - ctx));
  osc_nlp_answer_release(&a);
  q = "Where is the Eiffel Tower?";
  assert_int_equal(osc_nlp_qa(E, q, strlen(q), ctx, strlen(ctx), &a), OSC_OK);
  assert_string_equal(a.answer, "Paris");
  osc_nlp_answer_release(&a);
  q = "What is the capital of Mongolia?";
  const char *c2 = "Bananas are yellow.";
  assert_int_equal(osc_nlp_qa(E, q, strlen(q), c2, strlen(c2), &a), OSC_OK);
  assert_false(a.found);
  assert_string_equal(a.answer, "");
  osc_nlp_answer_release(&a);
  assert_int_equal(osc_nlp_qa(E, "", 0, ctx, strlen(ctx), &a), OSC_EINVAL);
}

static void test_analyze_and_batch(void **st) {
  (void)st;
  char *j = NULL;
  const char *t = "Barack Obama visited Berlin. It was a wonderful trip!";
  assert_int_equal(osc_nlp_analyze_json(E, t, strlen(t), OSC_NLP_FULL, 0, &j, NULL), OSC_OK);
  for (const char *f = "\"sentiment\"\0\"entities\"\0\"keywords\"\0\"summary\"\0\"embeddings\"\0\"language\":\"en\"\0\"confidence\"\0"; *f;
       f += strlen(f) + 1)
    if (!strstr(j, f)) fail_msg("analyze result lacks %s: %s", f, j);
  free(j);
  assert_int_equal(osc_nlp_analyze_json(E, t, strlen(t), OSC_NLP_SENTIMENT, 0, &j, NULL), OSC_OK);
  assert_non_null(strstr(j, "\"entities\":[]"));
  free(j);
  osc_nlp_analysis at;
  assert_int_equal(osc_nlp_analysis_parse("bogus", &at), OSC_EINVAL);
  const char *texts[4] = {"Good day.", "bad \xff", "I hate Mondays.", ""};
  size_t lens[4] = {9, 5, 15, 0};
  char *out[4];
  int errs[4];
  char *msgs[4];
  assert_int_equal(osc_nlp_batch_json(E, texts, lens, 4, OSC_NLP_FULL, 0, out, errs, msgs), OSC_OK);
  assert_int_equal(errs[0], OSC_OK);
  assert_int_equal(errs[1], OSC_EINVAL);
  assert_non_null(strstr(msgs[1], "invalid UTF-8"));
  assert_int_equal(errs[2], OSC_OK);
  assert_non_null(strstr(out[0], "positive"));
  assert_non_null(strstr(out[2], "negative"));
  assert_int_equal(errs[3], OSC_OK);
  for (int i = 0; i < 4; i++) {
    free(out[i]);
    free(msgs[i]);
  }
  osc_nlp_stats s;
  osc_nlp_get_stats(E, &s);
  assert_true(s.texts >= 4 && s.errors >= 1);
}

static void test_big_text(void **st) {
  (void)st;
  const char *unit = "The committee approved the new budget for schools in Springfield. ";
  size_t ul = strlen(unit), n = (1u << 20) / ul;
  char *t = malloc(n * ul + 1);
  for (size_t i = 0; i < n; i++) memcpy(t + i * ul, unit, ul);
  t[n * ul] = 0;
  char *j = NULL;
  assert_int_equal(osc_nlp_analyze_json(E, t, n * ul, OSC_NLP_FULL, 0, &j, NULL), OSC_OK);
  assert_non_null(strstr(j, "\"language\":\"en\""));
  free(j);
  free(t);
  /* over the limit */
  osc_nlp *small = NULL;
  osc_nlp_options o = {0};
  o.max_text_bytes = 16;
  o.no_embeddings = true;
  assert_int_equal(osc_nlp_open(&o, &small), OSC_OK);
  osc_nlp_sentiment s;
  assert_int_equal(osc_nlp_sentiment_text(small, "this text is longer than sixteen", 32, &s), OSC_ETOOBIG);
  osc_nlp_close(small);
}

static void *worker(void *arg) {
  (void)arg;
  for (int i = 0; i < 20; i++) {
    char *j = NULL;
    const char *t = "Angela Merkel spoke in Paris about climate policy. Great speech!";
    if (osc_nlp_analyze_json(E, t, strlen(t), OSC_NLP_FULL, 0, &j, NULL) != OSC_OK || !strstr(j, "Merkel")) return (void *)1;
    free(j);
  }
  return NULL;
}

static void test_concurrent(void **st) {
  (void)st;
  pthread_t th[4];
  for (int i = 0; i < 4; i++) pthread_create(&th[i], NULL, worker, NULL);
  for (int i = 0; i < 4; i++) {
    void *r;
    pthread_join(th[i], &r);
    assert_null(r);
  }
}

static void test_options(void **st) {
  (void)st;
  osc_nlp *x = NULL;
  osc_nlp_options o = {0};
  o.threads = -1;
  assert_int_equal(osc_nlp_open(&o, &x), OSC_EINVAL);
  o.threads = 0;
  o.resource_dir = "/nonexistent-dir";
  o.require_all = true;
  assert_int_equal(osc_nlp_open(&o, &x), OSC_ENOENT);
  assert_non_null(strstr(osc_errmsg(), "vader-sentiment"));
  assert_non_null(strstr(osc_errmsg(), "install"));
  /* without require_all it opens and the analyser says what is missing */
  o.require_all = false;
  assert_int_equal(osc_nlp_open(&o, &x), OSC_OK);
  osc_nlp_sentiment s;
  assert_int_equal(osc_nlp_sentiment_text(x, "good", 4, &s), OSC_EUNAVAIL);
  osc_nlp_close(x);
  float v[512];
  const char *t[1] = {"x"};
  size_t l[1] = {1};
  assert_int_equal(osc_nlp_embed(E, t, l, 1, v), OSC_EUNAVAIL); /* embeddings off in this engine */
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_sentiment_basic), cmocka_unit_test(test_sentiment_rules),
      cmocka_unit_test(test_sentiment_edge),  cmocka_unit_test(test_language), cmocka_unit_test(test_language_models), cmocka_unit_test(test_language_letters), cmocka_unit_test(test_language_edges),
      cmocka_unit_test(test_language_african), cmocka_unit_test(test_language_names),
      cmocka_unit_test(test_language_nl_af_hi_mr),
      cmocka_unit_test(test_language_celt_germ),
      cmocka_unit_test(test_entities),        cmocka_unit_test(test_keywords),
      cmocka_unit_test(test_summary),         cmocka_unit_test(test_segmentation),
      cmocka_unit_test(test_qa),              cmocka_unit_test(test_analyze_and_batch),
      cmocka_unit_test(test_big_text),        cmocka_unit_test(test_concurrent),
      cmocka_unit_test(test_options),
  };
  return cmocka_run_group_tests(tests, setup, teardown);
}
