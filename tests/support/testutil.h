/*
 * tests/support/testutil.h - real parts for tests: temp dirs, processes,
 * a real redis-server on a free loopback port, the real `oscontent serve`,
 * and HTTP requests through libcurl.
 *
 * Every helper fails loudly (returns an error and prints why to stderr);
 * none fakes success when a part is missing.
 */
#ifndef OSC_TESTUTIL_H
#define OSC_TESTUTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

/** A new empty directory under $TMPDIR (or /tmp); malloc'd path. */
char *osc_test_tmpdir(const char *tag);
/** Removes a directory tree and frees the path. */
void osc_test_tmpdir_free(char *path);
/** A TCP port on 127.0.0.1 free at the time of the call. */
int osc_test_free_port(void);
/** True once something accepts connections on 127.0.0.1:port. */
bool osc_test_wait_port(int port, int timeout_ms);
/** fork+exec argv with stdout/stderr to log_path (NULL = inherit). */
pid_t osc_test_spawn(char *const argv[], const char *log_path);
/** Sends sig, waits up to timeout_ms (then SIGKILL); returns the wait status or -1. */
int osc_test_kill(pid_t pid, int sig, int timeout_ms);
/** Runs a shell command, returns its stdout (malloc'd) and exit code. */
char *osc_test_sh(const char *cmd, int *exit_code);
/** Path of the oscontent binary (OSC_TEST_BIN). */
const char *osc_test_bin(void);
/** Path of ../shared (OSC_SHARED_DIR). */
const char *osc_test_shared_dir(void);

typedef struct osc_test_redis {
  pid_t pid;
  int port;
  char *dir;
  char url[64]; /* redis://127.0.0.1:PORT */
} osc_test_redis;

/** Starts redis-server (no persistence) on a free loopback port. 0 or -1. */
int osc_test_redis_start(osc_test_redis *r);
/** Restarts on the same port (after a kill). */
int osc_test_redis_restart(osc_test_redis *r);
void osc_test_redis_kill(osc_test_redis *r, int sig); /* leaves dir for restart */
void osc_test_redis_stop(osc_test_redis *r);

typedef struct osc_test_server {
  pid_t pid;
  int port;
  char *dir;        /* data_dir; also holds port file and server.log */
  bool own_dir;
  char base[64];    /* http://127.0.0.1:PORT */
} osc_test_server;

/**
 * Starts `oscontent --data-dir DIR serve --port 0 --port-file DIR/port [extra...]`
 * and waits (up to 60 s) until GET /health answers.  If s->dir is set it is
 * used as the data dir (and kept), else a temp dir is made.  extra may be NULL.
 * Environment entries "NAME=VALUE" in env (NULL-terminated, may be NULL) are
 * added for the child.  0 or -1.
 */
int osc_test_server_start(osc_test_server *s, const char *const extra[], const char *const env[]);
/** SIGTERM and wait; returns the exit status (or -1). */
int osc_test_server_stop(osc_test_server *s);

typedef struct osc_test_resp {
  long status;
  char *body;    /* NUL-terminated */
  size_t len;
  char *headers; /* raw header block */
  double total_s;
} osc_test_resp;

/**
 * One HTTP request through libcurl.  @p headers NULL-terminated "Name: value"
 * (may be NULL); @p body may be NULL.  0 on transport success, -1 on error.
 */
int osc_test_http(const char *method, const char *url, const char *body, size_t body_len,
                  const char *const headers[], osc_test_resp *out);
/** Value of a response header (case-insensitive) into buf; false if absent. */
bool osc_test_resp_header(const osc_test_resp *r, const char *name, char *buf, size_t len);
void osc_test_resp_free(osc_test_resp *r);

#endif
