#!/usr/bin/env bash
# NLP benchmarks.  $1 = build dir.  Resources must be installed (scripts/install-deps.sh).
set -euo pipefail
build=${1:-build}
"$build/bench/bench_nlp"
if [ -x "$build/bench/bench_nlp_embed" ]; then "$build/bench/bench_nlp_embed"; fi
"$build/bench/bench_nlp_peers"
