/*
 * tests/support/testutil.c - see testutil.h.
 */
#include <arpa/inet.h>
#include <curl/curl.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "core/buf.h"
#include "core/clock.h"
#include "core/util.h"
#include "testutil.h"

char *osc_test_tmpdir(const char *tag) {
  const char *base = getenv("TMPDIR");
  if (!base || !*base) base = "/tmp";
  char *tmpl = osc_asprintf("%s/osc-%s-XXXXXX", base, tag ? tag : "test");
  if (!tmpl || !mkdtemp(tmpl)) {
    fprintf(stderr, "testutil: mkdtemp: %s\n", strerror(errno));
    free(tmpl);
    return NULL;
  }
  return tmpl;
}

void osc_test_tmpdir_free(char *path) {
  if (!path) return;
  osc_rm_rf(path);
  free(path);
}

int osc_test_free_port(void) {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK), .sin_port = 0};
  socklen_t len = sizeof a;
  int port = -1;
  if (fd >= 0 && bind(fd, (struct sockaddr *)&a, sizeof a) == 0 && getsockname(fd, (struct sockaddr *)&a, &len) == 0)
    port = ntohs(a.sin_port);
  if (fd >= 0) close(fd);
  return port;
}

bool osc_test_wait_port(int port, int timeout_ms) {
  uint64_t end = osc_now_ms() + (uint64_t)timeout_ms;
  do {
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK),
                            .sin_port = htons((uint16_t)port)};
    int ok = fd >= 0 && connect(fd, (struct sockaddr *)&a, sizeof a) == 0;
    if (fd >= 0) close(fd);
    if (ok) return true;
    osc_sleep_ms(20);
  } while (osc_now_ms() < end);
  return false;
}

pid_t osc_test_spawn(char *const argv[], const char *log_path) {
  pid_t pid = fork();
  if (pid == 0) {
    if (log_path) {
      int fd = open(log_path, O_WRONLY | O_CREAT | O_APPEND, 0644);
      if (fd >= 0) {
        dup2(fd, 1);
        dup2(fd, 2);
        close(fd);
      }
    }
    execvp(argv[0], argv);
    fprintf(stderr, "testutil: exec %s: %s\n", argv[0], strerror(errno));
    _exit(127);
  }
  return pid;
}

int osc_test_kill(pid_t pid, int sig, int timeout_ms) {
  if (pid <= 0) return -1;
  kill(pid, sig);
  uint64_t end = osc_now_ms() + (uint64_t)timeout_ms;
  int status;
  for (;;) {
    pid_t r = waitpid(pid, &status, WNOHANG);
    if (r == pid) return status;
    if (r < 0) return -1;
    if (osc_now_ms() >= end) {
      kill(pid, SIGKILL);
      waitpid(pid, &status, 0);
      return status;
    }
    osc_sleep_ms(10);
  }
}

char *osc_test_sh(const char *cmd, int *exit_code) {
  FILE *fp = popen(cmd, "r");
  if (!fp) return NULL;
  osc_buf b = OSC_BUF_INIT;
  char chunk[4096];
  size_t n;
  while ((n = fread(chunk, 1, sizeof chunk, fp)) > 0) osc_buf_append(&b, chunk, n);
  int st = pclose(fp);
  if (exit_code) *exit_code = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + (WIFSIGNALED(st) ? WTERMSIG(st) : 0);
  return osc_buf_detach(&b, NULL);
}

const char *osc_test_bin(void) {
  const char *b = getenv("OSC_TEST_BIN");
  return b && *b ? b : "build/oscontent";
}

const char *osc_test_shared_dir(void) {
  const char *s = getenv("OSC_SHARED_DIR");
  return s && *s ? s : "../shared";
}

/* ---- redis ---- */

static int redis_launch(osc_test_redis *r) {
  char port[16];
  snprintf(port, sizeof port, "%d", r->port);
  char *log = osc_path_join(r->dir, "redis.log");
  char *const argv[] = {"redis-server", "--port", port, "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
                        "--dir", r->dir, "--protected-mode", "yes", NULL};
  r->pid = osc_test_spawn(argv, log);
  free(log);
  if (r->pid <= 0 || !osc_test_wait_port(r->port, 10000)) {
    fprintf(stderr, "testutil: redis-server did not start on port %d (is it installed? scripts/install-deps.sh)\n",
            r->port);
    return -1;
  }
  return 0;
}

int osc_test_redis_start(osc_test_redis *r) {
  memset(r, 0, sizeof *r);
  r->dir = osc_test_tmpdir("redis");
  if (!r->dir) return -1;
  r->port = osc_test_free_port();
  snprintf(r->url, sizeof r->url, "redis://127.0.0.1:%d", r->port);
  return redis_launch(r);
}

int osc_test_redis_restart(osc_test_redis *r) {
  if (r->pid > 0) osc_test_kill(r->pid, SIGKILL, 2000);
  r->pid = 0;
  return redis_launch(r);
}

void osc_test_redis_kill(osc_test_redis *r, int sig) {
  if (r->pid > 0) osc_test_kill(r->pid, sig, 5000);
  r->pid = 0;
}

void osc_test_redis_stop(osc_test_redis *r) {
  osc_test_redis_kill(r, SIGTERM);
  osc_test_tmpdir_free(r->dir);
  r->dir = NULL;
}

/* ---- server ---- */

int osc_test_server_start(osc_test_server *s, const char *const extra[], const char *const env[]) {
  if (!s->dir) {
    s->dir = osc_test_tmpdir("srv");
    s->own_dir = true;
    if (!s->dir) return -1;
  }
  char *portfile = osc_path_join(s->dir, "port");
  char *log = osc_path_join(s->dir, "server.log");
  unlink(portfile);
  const char *args[64];
  int n = 0;
  args[n++] = osc_test_bin();
  args[n++] = "--data-dir";
  args[n++] = s->dir;
  args[n++] = "serve";
  args[n++] = "--port";
  args[n++] = "0";
  args[n++] = "--port-file";
  args[n++] = portfile;
  for (int i = 0; extra && extra[i] && n < 62; i++) args[n++] = extra[i];
  args[n] = NULL;
  pid_t pid = fork();
  if (pid == 0) {
    for (int i = 0; env && env[i]; i++) putenv((char *)env[i]);
    int fd = open(log, O_WRONLY | O_CREAT | O_APPEND, 0644);
    if (fd >= 0) {
      dup2(fd, 1);
      dup2(fd, 2);
      close(fd);
    }
    execv(args[0], (char *const *)args);
    _exit(127);
  }
  s->pid = pid;
  int rc = -1;
  /* An ASan build takes about 6 s to start on an idle 2-core machine and
   * has been seen to take over 20 s on a loaded one. */
  uint64_t end = osc_now_ms() + 60000;
  while (osc_now_ms() < end) {
    char *text = NULL;
    if (osc_read_file(portfile, 64, &text, NULL) == 0) {
      s->port = atoi(text);
      free(text);
      if (s->port > 0) break;
    }
    int st;
    if (waitpid(pid, &st, WNOHANG) == pid) {
      s->pid = 0;
      fprintf(stderr, "testutil: server exited early (status %d); see %s\n", st, log);
      goto out;
    }
    osc_sleep_ms(20);
  }
  if (s->port <= 0) {
    fprintf(stderr, "testutil: server wrote no port file; see %s\n", log);
    goto out;
  }
  snprintf(s->base, sizeof s->base, "http://127.0.0.1:%d", s->port);
  char url[128];
  snprintf(url, sizeof url, "%s/health", s->base);
  while (osc_now_ms() < end) {
    osc_test_resp r;
    if (osc_test_http("GET", url, NULL, 0, NULL, &r) == 0) {
      long st = r.status;
      osc_test_resp_free(&r);
      if (st == 200 || st == 503) {
        rc = 0;
        break;
      }
    }
    osc_sleep_ms(30);
  }
  if (rc) fprintf(stderr, "testutil: /health did not answer; see %s\n", log);
out:
  free(portfile);
  free(log);
  return rc;
}

int osc_test_server_stop(osc_test_server *s) {
  int st = -1;
  if (s->pid > 0) st = osc_test_kill(s->pid, SIGTERM, 30000);
  s->pid = 0;
  if (s->own_dir) {
    osc_test_tmpdir_free(s->dir);
    s->dir = NULL;
  }
  return st;
}

/* ---- http ---- */

static size_t on_data(char *p, size_t size, size_t n, void *ud) {
  osc_buf_append(ud, p, size * n);
  return size * n;
}

int osc_test_http(const char *method, const char *url, const char *body, size_t body_len,
                  const char *const headers[], osc_test_resp *out) {
  memset(out, 0, sizeof *out);
  CURL *c = curl_easy_init();
  if (!c) return -1;
  osc_buf b = OSC_BUF_INIT, h = OSC_BUF_INIT;
  struct curl_slist *hl = NULL;
  for (int i = 0; headers && headers[i]; i++) hl = curl_slist_append(hl, headers[i]);
  if (body) hl = curl_slist_append(hl, "Expect:");
  curl_easy_setopt(c, CURLOPT_URL, url);
  curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, method);
  curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(c, CURLOPT_TIMEOUT, 60L);
  curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_data);
  curl_easy_setopt(c, CURLOPT_WRITEDATA, &b);
  curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, on_data);
  curl_easy_setopt(c, CURLOPT_HEADERDATA, &h);
  if (strcmp(method, "HEAD") == 0) curl_easy_setopt(c, CURLOPT_NOBODY, 1L);
  if (body) {
    curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
    curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)body_len);
  }
  if (hl) curl_easy_setopt(c, CURLOPT_HTTPHEADER, hl);
  CURLcode rc = curl_easy_perform(c);
  if (rc == CURLE_OK) {
    curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &out->status);
    curl_easy_getinfo(c, CURLINFO_TOTAL_TIME, &out->total_s);
  }
  curl_slist_free_all(hl);
  curl_easy_cleanup(c);
  out->body = osc_buf_detach(&b, &out->len);
  out->headers = osc_buf_detach(&h, NULL);
  return rc == CURLE_OK ? 0 : -1;
}

bool osc_test_resp_header(const osc_test_resp *r, const char *name, char *buf, size_t len) {
  size_t nl = strlen(name);
  for (const char *p = r->headers; p && *p;) {
    const char *eol = strchr(p, '\n');
    size_t ll = eol ? (size_t)(eol - p) : strlen(p);
    if (ll > nl && strncasecmp(p, name, nl) == 0 && p[nl] == ':') {
      const char *v = p + nl + 1;
      while (*v == ' ') v++;
      size_t vl = (size_t)(p + ll - v);
      while (vl > 0 && (v[vl - 1] == '\r' || v[vl - 1] == ' ')) vl--;
      snprintf(buf, len, "%.*s", (int)vl, v);
      return true;
    }
    p = eol ? eol + 1 : NULL;
  }
  return false;
}

void osc_test_resp_free(osc_test_resp *r) {
  free(r->body);
  free(r->headers);
  memset(r, 0, sizeof *r);
}
