#!/usr/bin/env bash
# Runs every benchmark: bench/core/run.sh, then bench/<module>/run.sh for
# each module folder present.  $1 = build dir (default build).  Each prints
# one JSON line per case on stdout; diagnostics go to stderr.
set -uo pipefail
cd "$(dirname "$0")/.."
build=$(cd "${1:-build}" && pwd)
status=0
for script in bench/core/run.sh bench/*/run.sh; do
  [ -f "$script" ] || continue
  case "$script" in bench/core/run.sh) [ "${seen_core:-}" ] && continue; seen_core=1 ;; esac
  echo "bench: $script" >&2
  if ! bash "$script" "$build"; then
    echo "bench: $script failed" >&2
    status=1
  fi
done
exit $status
