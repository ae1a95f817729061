#!/usr/bin/env bash
# Cache benchmarks: L1 GET/SET vs a mutex-LRU baseline, trace replay vs libCacheSim's numbers,
# L2 vs redis-benchmark on the same redis-server, codecs vs the raw libraries, L3 vs raw LMDB.
# $1 = build dir.  One JSON line per case on stdout.
set -euo pipefail
build=${1:-build}
here=$(cd "$(dirname "$0")" && pwd)
export OSC_SHARED_DIR=${OSC_SHARED_DIR:-$(cd "$here/../../.." && pwd)/shared}
shift || true
"$build/bench/bench_cache" "$@"
