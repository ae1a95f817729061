#!/usr/bin/env bash
# Core benchmarks: GET /health under wrk beside nginx.  $1 = build dir.
set -euo pipefail
build=${1:-build}
"$build/bench/bench_http" "$build/oscontent"
