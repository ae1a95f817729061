/*
 * fuzz/replay_main.c - replays a committed corpus through a fuzz target
 * (LLVMFuzzerTestOneInput) under CTest, so every build checks that the
 * inputs that once crashed or grew coverage still pass.
 */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int main(int argc, char **argv) {
  if (argc < 2) {
    fprintf(stderr, "usage: %s CORPUS_DIR...\n", argv[0]);
    return 2;
  }
  int files = 0;
  for (int a = 1; a < argc; a++) {
    DIR *d = opendir(argv[a]);
    if (!d) {
      fprintf(stderr, "%s: cannot open corpus %s\n", argv[0], argv[a]);
      return 1;
    }
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
      if (e->d_name[0] == '.') continue;
      char *path = osc_path_join(argv[a], e->d_name);
      char *data = NULL;
      size_t len = 0;
      if (path && osc_read_file(path, 64u << 20, &data, &len) == 0) {
        LLVMFuzzerTestOneInput((const uint8_t *)data, len);
        files++;
      }
      free(data);
      free(path);
    }
    closedir(d);
  }
  printf("replayed %d inputs\n", files);
  return files > 0 ? 0 : 1;
}
