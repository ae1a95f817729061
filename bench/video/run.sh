#!/usr/bin/env bash
# Video benchmarks: 10 s at 720p30 and 1080p30 with narration, default and fast
# presets, beside ffmpeg encoding testsrc2 with the same x264 settings.
# $1 = build dir.  BENCH_REPEAT=N runs each side N times (best reported).
set -euo pipefail
build=${1:-build}
"$build/bench/bench_video" "$build/oscontent"
if [ -x "$build/bench/bench_video_render" ] && [ -f "$(dirname "$0")/render_run.sh" ]; then
  bash "$(dirname "$0")/render_run.sh" "$build"
fi
