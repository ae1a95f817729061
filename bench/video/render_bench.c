/*
 * bench/video/render_bench.c - render-only throughput of the procedural
 * renderer: ms per frame at 720p and 1080p on 1 and 2 threads, through the
 * frames producer (ring), for a few representative prompts.  One JSON line
 * per case.  The peer is ffmpeg's lavfi testsrc2 generator producing the same
 * number of raw YUV420P frames (run in the same process run when ffmpeg is on
 * PATH), so the ratio says how our renderer compares with a trivial
 * synthetic source.  End-to-end numbers (render + encode + audio) are in the
 * pipeline's bench.
 *
 * Usage: bench_video_render [frames (default 150)] [prompt]
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

#include "core/clock.h"
#include "oscontent/error.h"
#include "video/render.h"

static double peer_ms_per_frame(int w, int h, int frames) {
  char cmd[512];
  snprintf(cmd, sizeof cmd,
           "ffmpeg -v error -f lavfi -i testsrc2=size=%dx%d:rate=30 -frames:v %d -pix_fmt yuv420p -f rawvideo - "
           ">/dev/null 2>&1",
           w, h, frames);
  uint64_t t0 = osc_now_ns();
  int rc = system(cmd);
  double ms = (double)(osc_now_ns() - t0) / 1e6;
  return rc == 0 ? ms / frames : -1.0;
}

int main(int argc, char **argv) {
  int frames = argc > 1 ? atoi(argv[1]) : 150;
  const char *prompts[] = {"Beautiful sunset", "snowy mountains at night", "city skyline at dusk with rain",
                           "calm ocean beach at golden hour with clouds"};
  int np = 4;
  if (argc > 2) { prompts[0] = argv[2]; np = 1; }
  const int sizes[][2] = {{1280, 720}, {1920, 1080}};
  for (int si = 0; si < 2; si++) {
    int w = sizes[si][0], h = sizes[si][1];
    double peer = peer_ms_per_frame(w, h, frames);
    for (int threads = 1; threads <= 2; threads++) {
      for (int p = 0; p < np; p++) {
        osc_scene *s = NULL;
        osc_renderer *r = NULL;
        osc_video_frames *f = NULL;
        if (osc__video_scene_from_prompt(prompts[p], 7, &s) || osc__video_renderer_open(s, w, h, 30, "cpu", &r) ||
            osc__video_frames_open(r, frames, threads, 0, &f)) {
          fprintf(stderr, "setup failed: %s\n", osc_errmsg());
          return 1;
        }
        uint64_t t0 = osc_now_ns();
        osc_video_frame *fr;
        int n = 0;
        while (osc__video_frames_next(f, &fr) == OSC_OK) {
          n++;
          osc__video_frames_release(f, fr);
        }
        double wall = (double)(osc_now_ns() - t0) / 1e6;
        double cpu = (double)osc__video_frames_render_ns(f) / 1e6;
        struct rusage ru;
        getrusage(RUSAGE_SELF, &ru);
        printf("{\"bench\":\"video.render\",\"prompt\":\"%s\",\"size\":\"%dx%d\",\"threads\":%d,\"frames\":%d,"
               "\"wall_ms_per_frame\":%.3f,\"cpu_ms_per_frame\":%.3f,\"fps\":%.1f,\"peak_rss_mb\":%.1f,"
               "\"peer\":\"ffmpeg lavfi testsrc2 (rawvideo)\",\"peer_ms_per_frame\":%.3f,\"ratio\":%.2f}\n",
               prompts[p], w, h, threads, n, wall / n, cpu / n, n * 1000.0 / wall, ru.ru_maxrss / 1024.0, peer,
               peer > 0 ? (wall / n) / peer : 0.0);
        fflush(stdout);
        osc__video_frames_close(f);
        osc__video_renderer_close(r);
        osc__video_scene_free(s);
      }
    }
  }
  return 0;
}
