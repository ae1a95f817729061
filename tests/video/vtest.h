/* tests/video/vtest.h - helpers shared by the video tests: ffprobe as JSON, MP4 box order. */
#ifndef OSC_TESTS_VIDEO_VTEST_H
#define OSC_TESTS_VIDEO_VTEST_H

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "testutil.h"

/* ffprobe -show_streams -show_format as JSON (NULL on failure). */
static inline json_t *vt_ffprobe(const char *path) {
  char cmd[1024];
  snprintf(cmd, sizeof cmd, "ffprobe -v error -count_frames -show_streams -show_format -of json '%s'", path);
  int ec = -1;
  char *out = osc_test_sh(cmd, &ec);
  json_t *j = out && ec == 0 ? json_loads(out, 0, NULL) : NULL;
  if (!j) fprintf(stderr, "ffprobe failed (%d): %s\n", ec, out ? out : "");
  free(out);
  return j;
}

static inline json_t *vt_stream(json_t *probe, const char *type) {
  json_t *ss = json_object_get(probe, "streams");
  for (size_t i = 0; i < json_array_size(ss); i++) {
    json_t *s = json_array_get(ss, i);
    if (!strcmp(json_string_value(json_object_get(s, "codec_type")), type)) return s;
  }
  return NULL;
}

static inline double vt_num(json_t *obj, const char *key) {
  json_t *v = json_object_get(obj, key);
  if (json_is_string(v)) return atof(json_string_value(v));
  if (json_is_number(v)) return json_number_value(v);
  return -1;
}

static inline const char *vt_str(json_t *obj, const char *key) {
  const char *s = json_string_value(json_object_get(obj, key));
  return s ? s : "";
}

/* Offset of the first top-level MP4 box of @p type, or -1. */
static inline long vt_box_offset(const char *path, const char *type) {
  FILE *f = fopen(path, "rb");
  if (!f) return -1;
  long off = 0, found = -1;
  unsigned char h[16];
  while (fread(h, 1, 8, f) == 8) {
    unsigned long long size = ((unsigned long long)h[0] << 24) | (h[1] << 16) | (h[2] << 8) | h[3];
    if (!memcmp(h + 4, type, 4)) {
      found = off;
      break;
    }
    if (size == 1) {
      if (fread(h + 8, 1, 8, f) != 8) break;
      size = 0;
      for (int i = 8; i < 16; i++) size = (size << 8) | h[i];
    } else if (size == 0) {
      break;
    }
    if (size < 8) break;
    off += (long)size;
    if (fseek(f, off, SEEK_SET) != 0) break;
  }
  fclose(f);
  return found;
}

/* framemd5 of the video stream (frame hashes only, without the header comments). */
static inline char *vt_framemd5(const char *path) {
  char cmd[1024];
  snprintf(cmd, sizeof cmd, "ffmpeg -nostdin -v error -i '%s' -map 0:v -f framemd5 - | grep -v '^#'", path);
  int ec = -1;
  char *out = osc_test_sh(cmd, &ec);
  if (ec != 0) {
    free(out);
    return NULL;
  }
  return out;
}

static inline long vt_file_size(const char *path) {
  FILE *f = fopen(path, "rb");
  if (!f) return -1;
  fseek(f, 0, SEEK_END);
  long n = ftell(f);
  fclose(f);
  return n;
}

/* Number of files in dir whose name contains @p part. */
static inline int vt_count_files(const char *dir, const char *part) {
  char cmd[1024];
  snprintf(cmd, sizeof cmd, "ls -A '%s' | grep -c -- '%s'", dir, part);
  char *out = osc_test_sh(cmd, NULL);
  int n = out ? atoi(out) : -1;
  free(out);
  return n;
}

#endif
