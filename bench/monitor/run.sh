#!/usr/bin/env bash
# Monitor benchmarks: SQLite ingest and bytes/sample vs a plain SQLite heap table,
# statistics over 1 h of one series, and CPU share / RSS / scrape latency of the monitor
# (sampling everything every second, writing SQLite, scraped once a second) beside
# prometheus-node-exporter under the same scrape.  $1 = build dir.  BENCH_SECONDS (default 60).
set -euo pipefail
build=${1:-build}
"$build/bench/bench_monitor"
