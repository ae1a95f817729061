#!/usr/bin/env bash
# Regenerates docs/cli.md, docs/http.md and docs/configuration.md from the
# command, route and settings tables of a full build (every module).
# usage: scripts/gen-docs.sh [BUILD_DIR]   (default build; its oscontent must exist)
set -euo pipefail
cd "$(dirname "$0")/.."
bin=${1:-build}/oscontent
[ -x "$bin" ] || { echo "gen-docs: $bin not found; run 'make' first" >&2; exit 1; }
for pair in cli:cli http:http config:configuration; do
  out=docs/${pair##*:}.md
  env -i PATH="$PATH" "$bin" docs "${pair%%:*}" > "$out.tmp"
  mv "$out.tmp" "$out"
  echo "gen-docs: wrote $out"
done
