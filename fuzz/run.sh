#!/usr/bin/env bash
# Runs every built libFuzzer target (BUILD/fuzz_*) for SECONDS each, with
# its committed corpus fuzz/corpus/<name>/ (new inputs are added there) .
# usage: fuzz/run.sh BUILD_DIR [SECONDS]
set -uo pipefail
cd "$(dirname "$0")/.."
build=${1:-build-fuzz}
secs=${2:-${FUZZ_SECONDS:-60}}
status=0
found=0
while IFS= read -r bin; do
  name=$(basename "$bin"); name=${name#fuzz_}
  case "$name" in replay_*) continue ;; esac
  corpus=fuzz/corpus/$name
  mkdir -p "$corpus"
  found=1
  echo "fuzz: $name for ${secs}s (corpus $corpus)"
  if ! "$bin" -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 "$corpus"; then
    echo "fuzz: $name FAILED (crash input saved in the current directory)" >&2
    status=1
  fi
done < <(find "$build" -maxdepth 3 -type f -name 'fuzz_*' -perm -u+x | sort)
[ "$found" = 1 ] || { echo "fuzz: no fuzz_* targets in $build (configure with -DOSC_FUZZ=ON and clang)" >&2; exit 1; }
exit $status
