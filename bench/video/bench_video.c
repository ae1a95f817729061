/*
 * bench/video/bench_video.c - 10 s at 720p30 and 1080p30, H.264 with
 * narration, at the default and the fast preset: the real command
 * (`oscontent video create`) beside ffmpeg encoding testsrc2 at the same
 * size, frame count and x264 settings, in the same run.
 *
 * Per case: wall time, CPU seconds (total and per stage: render, encode,
 * audio, from the command's --json stats), peak RSS, file size, the CPU
 * seconds other processes used during the run ("foreign": the machine is
 * shared), and ours / ffmpeg's wall time (lower is better).  Each side runs
 * BENCH_REPEAT times (default 3) alternately; the fastest run is reported.
 *
 * usage: bench_video OSCONTENT_BINARY
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>

#include "common/bench.h"

typedef struct vcase {
  int w, h;
  const char *preset;     /* ours: --preset */
  const char *x264;       /* the x264 preset that means */
  const char *x264_params;/* and its extra parameters ("" = none) */
  double target_s;        /* the target, 0 = none */
} vcase;

static uint64_t busy_jiffies(void) {
  FILE *f = fopen("/proc/stat", "r");
  if (!f) return 0;
  unsigned long long v[10] = {0};
  int n = fscanf(f, "cpu %llu %llu %llu %llu %llu %llu %llu %llu %llu %llu", &v[0], &v[1], &v[2], &v[3], &v[4],
                 &v[5], &v[6], &v[7], &v[8], &v[9]);
  fclose(f);
  if (n < 8) return 0;
  return v[0] + v[1] + v[2] + v[5] + v[6] + v[7]; /* user nice system irq softirq steal */
}

typedef struct run {
  bench_peer_result r;
  double foreign_s;
} run;

static int measure(const char *cmd, run *out) {
  long hz = sysconf(_SC_CLK_TCK);
  uint64_t b0 = busy_jiffies();
  int rc = bench_run_peer(cmd, &out->r);
  uint64_t b1 = busy_jiffies();
  double busy = (double)(b1 - b0) / (double)(hz > 0 ? hz : 100);
  out->foreign_s = busy - (double)out->r.cpu_ns / 1e9;
  if (out->foreign_s < 0) out->foreign_s = 0;
  return rc;
}

int main(int argc, char **argv) {
  if (argc < 2) {
    fprintf(stderr, "usage: %s OSCONTENT_BINARY\n", argv[0]);
    return 2;
  }
  const char *bin = argv[1];
  if (!bench_have("ffmpeg")) {
    fprintf(stderr, "bench_video: ffmpeg not found (the peer); install it with scripts/install-deps.sh\n");
    return 1;
  }
  const int repeat = (int)bench_env_int("BENCH_REPEAT", 3);
  const char *shm = access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp";
  char dir[256];
  snprintf(dir, sizeof dir, "%s/osc-bench-video-%d", shm, (int)getpid());
  char cmd[2048];
  snprintf(cmd, sizeof cmd, "mkdir -p '%s'", dir);
  if (system(cmd) != 0) return 1;
  const vcase cases[] = {
      {1280, 720, "default", "ultrafast", "cabac=1:deblock=1,0,0:8x8dct=1:bframes=3:b-adapt=1:mbtree=1:rc-lookahead=10", 1.5},
      {1280, 720, "ultrafast", "ultrafast", "", 0},
      {1920, 1080, "default", "ultrafast", "cabac=1:deblock=1,0,0:8x8dct=1:bframes=3:b-adapt=1:mbtree=1:rc-lookahead=5", 0},
      {1920, 1080, "ultrafast", "ultrafast", "", 3.0},
      {1280, 720, "veryfast", "veryfast", "", 0},
  };
  const char *prompt = "Beautiful sunset over the ocean with clouds";
  int status = 0;
  for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
    const vcase *k = &cases[c];
    run best = {0}, peer = {0};
    json_t *stats = NULL;
    for (int i = 0; i < repeat; i++) {
      run r;
      memset(&r, 0, sizeof r);
      snprintf(cmd, sizeof cmd,
               "'%s' --json --quiet video create '%s' -o '%s/ours.mp4' --duration 10 --resolution %dx%d --fps 30 "
               "--preset %s --crf 23 --seed 1",
               bin, prompt, dir, k->w, k->h, k->preset);
      if (measure(cmd, &r) != 0 || r.r.exit_code != 0) {
        fprintf(stderr, "bench_video: '%s' failed (exit %d)\n", cmd, r.r.exit_code);
        bench_peer_release(&r.r);
        status = 1;
        break;
      }
      if (!best.r.out || r.r.wall_s < best.r.wall_s) {
        bench_peer_release(&best.r);
        best = r;
      } else {
        bench_peer_release(&r.r);
      }
      memset(&r, 0, sizeof r);
      char params[128] = "";
      if (k->x264_params[0]) snprintf(params, sizeof params, "-x264-params %s", k->x264_params);
      snprintf(cmd, sizeof cmd,
               "ffmpeg -nostdin -v error -y -f lavfi -i testsrc2=size=%dx%d:rate=30 -t 10 -c:v libx264 -preset %s %s -crf 23 "
               "-threads 2 -pix_fmt yuv420p -movflags +faststart '%s/peer.mp4'",
               k->w, k->h, k->x264, params, dir);
      if (measure(cmd, &r) != 0 || r.r.exit_code != 0) {
        fprintf(stderr, "bench_video: ffmpeg failed (exit %d)\n", r.r.exit_code);
        bench_peer_release(&r.r);
        status = 1;
        break;
      }
      if (!peer.r.out || r.r.wall_s < peer.r.wall_s) {
        bench_peer_release(&peer.r);
        peer = r;
      } else {
        bench_peer_release(&r.r);
      }
    }
    if (!best.r.out || !peer.r.out) {
      bench_peer_release(&best.r);
      bench_peer_release(&peer.r);
      continue;
    }
    json_t *res = json_loads(best.r.out, 0, NULL);
    stats = res ? json_object_get(res, "stats") : NULL;
    char name[64], resname[32];
    snprintf(resname, sizeof resname, "%dx%d", k->w, k->h);
    snprintf(name, sizeof name, "video.create.%dp.%s", k->h, k->preset);
    bench_line l;
    bench_line_begin(&l, name);
    bench_line_str(&l, "resolution", resname);
    bench_line_int(&l, "fps", 30);
    bench_line_double(&l, "duration_s", 10);
    bench_line_str(&l, "x264_preset", k->x264);
    bench_line_str(&l, "x264_params", k->x264_params);
    bench_line_str(&l, "metric", "wall_s (lower is better)");
    bench_line_double(&l, "wall_s", best.r.wall_s);
    bench_line_double(&l, "cpu_s", (double)best.r.cpu_ns / 1e9);
    if (stats) {
      bench_line_double(&l, "render_cpu_s", json_number_value(json_object_get(stats, "render_cpu_s")));
      bench_line_double(&l, "encode_cpu_s", json_number_value(json_object_get(stats, "encode_cpu_s")));
      bench_line_double(&l, "audio_cpu_s", json_number_value(json_object_get(stats, "audio_cpu_s")) +
                                               json_number_value(json_object_get(stats, "narration_wall_s")));
      bench_line_int(&l, "file_bytes", json_integer_value(json_object_get(stats, "file_bytes")));
    }
    bench_line_double(&l, "peak_rss_mb", (double)best.r.peak_rss / 1048576.0);
    bench_line_double(&l, "foreign_cpu_s", best.foreign_s);
    if (k->target_s > 0) {
      bench_line_double(&l, "target_wall_s", k->target_s);
      bench_line_bool(&l, "meets_target", best.r.wall_s <= k->target_s);
    }
    bench_line_bool(&l, "rss_under_200mb", best.r.peak_rss <= 200LL * 1048576);
    bench_line_double(&l, "peer_cpu_s", (double)peer.r.cpu_ns / 1e9);
    bench_line_double(&l, "peer_peak_rss_mb", (double)peer.r.peak_rss / 1048576.0);
    bench_line_double(&l, "peer_foreign_cpu_s", peer.foreign_s);
    bench_line_peer(&l, "ffmpeg-testsrc2-x264", "wall_s", best.r.wall_s, peer.r.wall_s);
    bench_line_end(&l);
    json_decref(res);
    bench_peer_release(&best.r);
    bench_peer_release(&peer.r);
  }
  snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
  if (system(cmd) != 0) status = 1;
  return status;
}
