/*
 * tasks/isolate.c - one attempt of an isolated job in a forked process.
 *
 * The worker thread forks; the child runs the kind's function and reports
 * over a pipe with frames: 'P' + u32 progress ppm, 'R' + u8 json + u32 len +
 * bytes (result), 'E' + u32 len + bytes (error text), 'X' + i32 code (the
 * return value; always last).  The parent polls the pipe every 10 ms and
 * checks the cancel flag and the deadline; on either it sends SIGTERM (the
 * child's osc_task_cancelled() turns true) and SIGKILL after the grace
 * period.  A child that dies without an 'X' frame crashed: the attempt fails
 * with OSC_EINTERNAL naming the signal or exit status.
 *
 * fork() from a threaded process: the child only runs the job and _exit()s;
 * glibc keeps malloc usable in the child.  The job must not use locks that
 * other threads of the parent may have held (documented for kind authors).
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include "core/clock.h"
#include "core/util.h"
#include "oscontent/error.h"
#include "tasks/internal.h"

static volatile sig_atomic_t g_child_cancel;

static void on_term(int sig) {
  (void)sig;
  g_child_cancel = 1;
}

static void write_all(int fd, const void *p, size_t n) {
  const char *c = p;
  while (n > 0) {
    ssize_t w = write(fd, c, n);
    if (w < 0 && errno == EINTR) continue;
    if (w <= 0) return;
    c += w;
    n -= (size_t)w;
  }
}

static void child_main(task_kind *k, task_rec *rec, int fd) {
  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_handler = on_term;
  sigaction(SIGTERM, &sa, NULL);
  /* a crash must end the child, whatever handlers the parent installed */
  static const int fatal[] = {SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGABRT, SIGPIPE, SIGINT, SIGHUP};
  for (size_t i = 0; i < sizeof fatal / sizeof fatal[0]; i++) signal(fatal[i], SIG_DFL);
  sigset_t all;
  sigemptyset(&all);
  pthread_sigmask(SIG_SETMASK, &all, NULL);
  osc_task_ctx ctx = {.rec = rec, .id = rec->id, .payload = rec->payload, .payload_len = rec->payload_len,
                      .attempt = rec->attempts, .sig_cancel = &g_child_cancel, .pipe_fd = fd};
  osc_buf_init(&ctx.result);
  int rc = k->fn(&ctx, k->ud);
  if (ctx.result.len) {
    char h[6] = {'R', (char)ctx.result_json};
    uint32_t len = (uint32_t)ctx.result.len;
    memcpy(h + 2, &len, 4);
    write_all(fd, h, 6);
    write_all(fd, ctx.result.data, ctx.result.len);
  }
  if (ctx.err) {
    char h[5] = {'E'};
    uint32_t len = (uint32_t)strlen(ctx.err);
    memcpy(h + 1, &len, 4);
    write_all(fd, h, 5);
    write_all(fd, ctx.err, len);
  }
  char x[5] = {'X'};
  int32_t code = rc;
  memcpy(x + 1, &code, 4);
  write_all(fd, x, 5);
  _exit(0);
}

/* Consumes complete frames from b; returns true once 'X' was seen. */
static bool parse_frames(osc_buf *b, size_t *off, atomic_uint *progress, osc_buf *result, bool *result_json,
                         char **err, int *code) {
  bool done = false;
  for (;;) {
    size_t avail = b->len - *off;
    const char *p = b->data + *off;
    if (avail < 1) break;
    if (p[0] == 'P' && avail >= 5) {
      uint32_t ppm;
      memcpy(&ppm, p + 1, 4);
      atomic_store(progress, ppm > 1000000u ? 1000000u : ppm);
      *off += 5;
    } else if (p[0] == 'R' && avail >= 6) {
      uint32_t len;
      memcpy(&len, p + 2, 4);
      if (avail < 6 + (size_t)len) break;
      osc_buf_reset(result);
      osc_buf_append(result, p + 6, len);
      *result_json = p[1] != 0;
      *off += 6 + len;
    } else if (p[0] == 'E' && avail >= 5) {
      uint32_t len;
      memcpy(&len, p + 1, 4);
      if (avail < 5 + (size_t)len) break;
      free(*err);
      *err = osc_strndup(p + 5, len);
      *off += 5 + len;
    } else if (p[0] == 'X' && avail >= 5) {
      int32_t c;
      memcpy(&c, p + 1, 4);
      *code = c;
      *off += 5;
      done = true;
    } else if (p[0] != 'P' && p[0] != 'R' && p[0] != 'E' && p[0] != 'X') {
      *off = b->len; /* garbage: ignore the rest */
      break;
    } else {
      break;
    }
  }
  return done;
}

int osc__isolate_run(task_kind *k, task_rec *rec, uint64_t deadline_mono_ms, int64_t grace_ms, atomic_bool *cancel,
                     atomic_uint *progress_ppm, osc_buf *result, bool *result_json, char **err) {
  int fds[2];
  if (pipe2(fds, O_CLOEXEC) != 0) {
    *err = osc_asprintf("cannot create a pipe for the isolated worker: %s", strerror(errno));
    return OSC_EIO;
  }
  pid_t pid = fork();
  if (pid < 0) {
    close(fds[0]);
    close(fds[1]);
    *err = osc_asprintf("cannot fork the isolated worker: %s", strerror(errno));
    return OSC_EAGAIN;
  }
  if (pid == 0) {
    close(fds[0]);
    child_main(k, rec, fds[1]);
  }
  close(fds[1]);
  osc_buf in = OSC_BUF_INIT;
  size_t off = 0;
  int code = OSC_EINTERNAL;
  bool got_exit = false, eof = false, timed_out = false, cancelled = false;
  uint64_t term_at = 0;
  while (!eof) {
    struct pollfd pf = {.fd = fds[0], .events = POLLIN};
    int pr = poll(&pf, 1, 10);
    if (pr > 0) {
      char tmp[4096];
      ssize_t n = read(fds[0], tmp, sizeof tmp);
      if (n > 0) {
        osc_buf_append(&in, tmp, (size_t)n);
        if (parse_frames(&in, &off, progress_ppm, result, result_json, err, &code)) got_exit = true;
      } else if (n == 0 || (errno != EINTR && errno != EAGAIN)) {
        eof = true;
      }
    }
    uint64_t now = osc_now_ms();
    if (!term_at && !got_exit) {
      if (atomic_load(cancel)) cancelled = true;
      else if (deadline_mono_ms && now >= deadline_mono_ms) timed_out = true;
      if (cancelled || timed_out) {
        kill(pid, SIGTERM);
        term_at = now;
      }
    } else if (term_at && now - term_at >= (uint64_t)grace_ms) {
      kill(pid, SIGKILL);
    }
  }
  close(fds[0]);
  osc_buf_release(&in);
  int st = 0;
  while (waitpid(pid, &st, 0) < 0 && errno == EINTR) {
  }
  if (got_exit && WIFEXITED(st) && !timed_out) return code;
  if (timed_out) {
    free(*err);
    *err = osc_asprintf("hard timeout: the isolated worker (pid %d) was stopped after %s",
                        (int)pid, WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL ? "SIGTERM and SIGKILL" : "SIGTERM");
    return OSC_ETIMEDOUT;
  }
  if (cancelled) {
    if (got_exit) return code == OSC_OK ? OSC_ECANCELED : code;
    free(*err);
    *err = osc_asprintf("cancelled: the isolated worker (pid %d) was stopped", (int)pid);
    return OSC_ECANCELED;
  }
  free(*err);
  if (WIFSIGNALED(st))
    *err = osc_asprintf("the isolated worker (pid %d) crashed: killed by signal %d (%s)", (int)pid, WTERMSIG(st),
                        strsignal(WTERMSIG(st)));
  else
    *err = osc_asprintf("the isolated worker (pid %d) exited with status %d before reporting a result", (int)pid,
                        WEXITSTATUS(st));
  return OSC_EINTERNAL;
}
