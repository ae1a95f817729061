#!/usr/bin/env bash
# Video benchmarks, one JSON line per case:
#   bench_video: 10 s at 720p30 and 1080p30 with narration, default and fast
#     presets, beside ffmpeg encoding testsrc2 with the same x264 settings.
#     BENCH_REPEAT=N runs each side N times (the fastest is reported).
#   bench_video_render (the renderer's own bench), when built.
# $1 = build dir.
set -euo pipefail
build=${1:-build}
"$build/bench/bench_video" "$build/oscontent"
if [ -x "$build/bench/bench_video_render" ]; then
  "$build/bench/bench_video_render"
fi
