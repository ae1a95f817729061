/* tests/monitor/expo_check.c - see expo_check.h. */
#include "expo_check.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "testutil.h"

static char msg[512];

static bool name_ok(const char *s, size_t n) {
  if (!n || (s[0] >= '0' && s[0] <= '9')) return false;
  for (size_t i = 0; i < n; i++) {
    char c = s[i];
    if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == ':')) return false;
  }
  return true;
}

#define FAIL(...)                                  \
  do {                                             \
    snprintf(msg, sizeof msg, __VA_ARGS__);        \
    goto out;                                      \
  } while (0)

const char *osc_expo_check(const char *text, size_t len, bool om) {
  const char *res = NULL;
  char **fams = NULL, **series = NULL;
  size_t nf = 0, ns = 0;
  char cur[256] = "", curtype[32] = "";
  double hist_cum = -1, hist_inf = -1;
  char hist_key[1024] = "";
  if (len == 0 || text[len - 1] != '\n') FAIL("exposition does not end with LF");
  if (memchr(text, '\r', len)) FAIL("exposition contains CR");
  size_t lineno = 0;
  bool eof = false;
  for (const char *p = text; p < text + len;) {
    const char *nl = memchr(p, '\n', (size_t)(text + len - p));
    size_t l = (size_t)(nl - p);
    char line[8192];
    if (l >= sizeof line) FAIL("line %zu too long", lineno + 1);
    memcpy(line, p, l);
    line[l] = '\0';
    p = nl + 1;
    lineno++;
    if (eof) FAIL("line %zu: text after # EOF", lineno);
    if (l == 0) {
      if (om) FAIL("line %zu: blank line in OpenMetrics", lineno);
      continue;
    }
    if (!strcmp(line, "# EOF")) {
      eof = true;
      continue;
    }
    if (!strncmp(line, "# HELP ", 7) || !strncmp(line, "# TYPE ", 7)) {
      char name[256];
      sscanf(line + 7, "%255s", name);
      if (!name_ok(name, strlen(name))) FAIL("line %zu: bad family name %s", lineno, name);
      if (strcmp(name, cur) != 0) {
        for (size_t i = 0; i < nf; i++)
          if (!strcmp(fams[i], name)) FAIL("line %zu: family %s appears twice (not contiguous)", lineno, name);
        fams = realloc(fams, (nf + 1) * sizeof *fams);
        fams[nf++] = strdup(name);
        snprintf(cur, sizeof cur, "%s", name);
        curtype[0] = '\0';
        hist_key[0] = '\0';
      } else if (line[2] == 'T' && curtype[0]) {
        FAIL("line %zu: second TYPE for %s", lineno, name);
      }
      if (line[2] == 'T') {
        sscanf(line + 7 + strlen(name), "%31s", curtype);
        if (strcmp(curtype, "counter") && strcmp(curtype, "gauge") && strcmp(curtype, "histogram") &&
            strcmp(curtype, "untyped") && strcmp(curtype, "unknown") && strcmp(curtype, "summary"))
          FAIL("line %zu: unknown type %s", lineno, curtype);
      }
      continue;
    }
    if (line[0] == '#') {
      if (om) FAIL("line %zu: comment in OpenMetrics", lineno);
      continue;
    }
    /* sample: name{labels} value */
    size_t nl2 = strcspn(line, "{ ");
    if (!name_ok(line, nl2)) FAIL("line %zu: bad sample name", lineno);
    if (strncmp(line, cur, strlen(cur)) != 0 || !cur[0]) FAIL("line %zu: sample outside its family %s", lineno, cur);
    const char *q = line + nl2;
    char key[4096];
    size_t kl = 0;
    if (*q == '{') {
      const char *e = q + 1;
      bool inq = false;
      for (; *e; e++) {
        if (inq && *e == '\\') {
          if (e[1] != '\\' && e[1] != '"' && e[1] != 'n') FAIL("line %zu: invalid escape \\%c", lineno, e[1]);
          e++;
          continue;
        }
        if (*e == '"') inq = !inq;
        else if (!inq && *e == '}') break;
      }
      if (*e != '}') FAIL("line %zu: unterminated label set", lineno);
      q = e + 1;
    }
    kl = (size_t)(q - line);
    memcpy(key, line, kl);
    key[kl] = '\0';
    if (*q != ' ') FAIL("line %zu: missing space before value", lineno);
    char *end = NULL;
    const char *vs = q + 1;
    double v = strtod(vs, &end);
    if (!strcmp(vs, "NaN") || !strcmp(vs, "+Inf") || !strcmp(vs, "-Inf")) end = (char *)vs + strlen(vs);
    else if (end == vs || (strchr(vs, 'x') || strchr(vs, 'X'))) FAIL("line %zu: bad value %s", lineno, vs);
    if (*end) FAIL("line %zu: trailing text after the value (timestamp?): %s", lineno, end);
    for (size_t i = 0; i < ns; i++)
      if (!strcmp(series[i], key)) FAIL("line %zu: duplicate series %s", lineno, key);
    series = realloc(series, (ns + 1) * sizeof *series);
    series[ns++] = strdup(key);
    if (!strcmp(curtype, "histogram")) {
      size_t cl = strlen(cur);
      const char *suf = line + cl;
      char base[4096];
      /* the child key: labels without le */
      snprintf(base, sizeof base, "%s", key + cl);
      char *le = strstr(base, "le=\"");
      double lev = NAN;
      if (le) {
        lev = !strncmp(le + 4, "+Inf", 4) ? INFINITY : strtod(le + 4, NULL);
        char *close = strchr(le + 4, '"');
        memmove(le, close + 1 + (close[1] == ',' ? 1 : 0), strlen(close + 1 + (close[1] == ',' ? 1 : 0)) + 1);
      }
      char *b2 = strchr(base, '{') ? strchr(base, '{') : base;
      if (!strncmp(suf, "_bucket", 7)) {
        if (strcmp(hist_key, b2) != 0) {
          snprintf(hist_key, sizeof hist_key, "%s", b2);
          hist_cum = -1;
          hist_inf = -1;
        }
        if (v < hist_cum) FAIL("line %zu: histogram buckets not cumulative", lineno);
        hist_cum = v;
        if (isinf(lev)) hist_inf = v;
      } else if (!strncmp(suf, "_count", 6)) {
        if (hist_inf < 0) FAIL("line %zu: histogram without le=\"+Inf\"", lineno);
        if (hist_inf != v) FAIL("line %zu: +Inf bucket %g != _count %g", lineno, hist_inf, v);
      }
    }
  }
  if (om && !eof) FAIL("OpenMetrics exposition without # EOF");
  res = NULL;
  goto done;
out:
  res = msg;
done:
  for (size_t i = 0; i < nf; i++) free(fams[i]);
  for (size_t i = 0; i < ns; i++) free(series[i]);
  free(fams);
  free(series);
  return res;
}

int osc_expo_promtool(const char *text, size_t len, char *bad, size_t badlen) {
  char path[] = "/tmp/osc_expo_XXXXXX";
  int fd = mkstemp(path);
  if (fd < 0) return -1;
  if (write(fd, text, len) != (ssize_t)len) {
    close(fd);
    return -1;
  }
  close(fd);
  char cmd[256];
  snprintf(cmd, sizeof cmd, "promtool check metrics < %s 2>&1", path);
  int code = -1;
  char *outp = osc_test_sh(cmd, &code);
  unlink(path);
  if (bad) {
    bad[0] = '\0';
    for (char *l = outp ? strtok(outp, "\n") : NULL; l; l = strtok(NULL, "\n")) {
      if (strstr(l, "camelCase") || strstr(l, "\"bits\"")) continue;
      size_t cl = strlen(bad);
      snprintf(bad + cl, badlen - cl, "%s\n", l);
    }
  }
  free(outp);
  return code;
}
