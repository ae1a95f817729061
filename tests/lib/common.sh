# Shared helpers for bash integration tests (sourced).  Real server, real curl.
# Environment from CTest: OSC_TEST_BIN, OSC_SOURCE_DIR, OSC_SHARED_DIR, OSC_BUILD_DIR.
set -euo pipefail
BIN=${OSC_TEST_BIN:-build/oscontent}
T_PASS=0
T_FAIL=0
TMP=$(mktemp -d /tmp/osc-sh-XXXXXX)
SERVER_PID=
cleanup() {
  [ -n "${SERVER_PID}" ] && kill -TERM "$SERVER_PID" 2>/dev/null && wait "$SERVER_PID" 2>/dev/null || true
  rm -rf "$TMP"
}
trap cleanup EXIT

ok() { T_PASS=$((T_PASS + 1)); echo "ok - $*"; }
fail() { T_FAIL=$((T_FAIL + 1)); echo "FAIL - $*"; }
check() { # check "description" command...
  local d=$1; shift
  if "$@"; then ok "$d"; else fail "$d"; fi
}
eq() { [ "$1" = "$2" ] || { echo "  expected '$2', got '$1'" >&2; return 1; }; }

# start_server DATA_DIR [extra args...]: sets PORT, BASE, SERVER_PID
start_server() {
  local dir=$1; shift
  rm -f "$dir/port"
  "$BIN" --data-dir "$dir" "$@" serve --port 0 --port-file "$dir/port" >>"$dir/server.log" 2>&1 &
  SERVER_PID=$!
  for _ in $(seq 1 400); do
    if [ -s "$dir/port" ]; then break; fi
    if ! kill -0 "$SERVER_PID" 2>/dev/null; then echo "server died:"; cat "$dir/server.log"; return 1; fi
    sleep 0.05
  done
  PORT=$(cat "$dir/port")
  BASE="http://127.0.0.1:$PORT"
  for _ in $(seq 1 200); do
    curl -s -o /dev/null "$BASE/health" && return 0
    sleep 0.05
  done
  echo "server did not answer"; cat "$dir/server.log"; return 1
}

stop_server() {
  if [ -n "${SERVER_PID}" ]; then
    kill -TERM "$SERVER_PID" 2>/dev/null || true
    local st=0
    wait "$SERVER_PID" || st=$?
    SERVER_PID=
    return $st
  fi
}

# http METHOD PATH [curl args...]: prints "STATUS" and leaves body in $TMP/body, headers in $TMP/hdr
http() {
  local m=$1 p=$2; shift 2
  curl -s -o "$TMP/body" -D "$TMP/hdr" -w '%{http_code}' -X "$m" "$@" "$BASE$p"
}
hdr() { grep -i "^$1:" "$TMP/hdr" | head -1 | cut -d' ' -f2- | tr -d '\r'; }
jq_() { python3 -c "import json,sys; d=json.load(open('$TMP/body')); print(eval(sys.argv[1]))" "$1"; }

finish() {
  echo "$T_PASS passed, $T_FAIL failed"
  [ "$T_FAIL" = 0 ]
}
