#!/usr/bin/env bash
# Task processor benchmarks (one JSON line per case; peers in the same run).  $1 = build dir.
set -euo pipefail
build=${1:-build}
"$build/bench/bench_tasks"
