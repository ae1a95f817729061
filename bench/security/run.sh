#!/usr/bin/env bash
# Service load and fault benchmarks (issue 8), loopback only, bounded in time.
#   bench/security/run.sh BUILD_DIR
# Prints one JSON line per case:
#   service.health / service.cache_get: wrk at 100 connections, beside nginx
#     serving a small static file in the same run (ratio = ours / nginx);
#   service.idle_conns: 1000 concurrent idle connections held, then /health;
#   service.redis_kill: Redis killed under GET load: non-2xx count and recovery;
#   service.disk_full: data_dir on a small tmpfs: 507 answers, recovery.
set -uo pipefail
BUILD=${1:-build}
BIN=$BUILD/oscontent
DUR=${BENCH_SECONDS:-10}
TMP=$(mktemp -d /tmp/osc-bench-svc-XXXXXX)
PIDS=()
cleanup() {
  for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null; done
  wait 2>/dev/null
  mountpoint -q "$TMP/full" && umount "$TMP/full"
  rm -rf "$TMP"
}
trap cleanup EXIT

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
wait_port() { for _ in $(seq 1 200); do (exec 3<>/dev/tcp/127.0.0.1/$1) 2>/dev/null && return 0; sleep 0.05; done; return 1; }

start_server() { # DIR extra...
  local dir=$1; shift
  mkdir -p "$dir"; rm -f "$dir/port"
  "$BIN" --data-dir "$dir" --log-level warn "$@" serve --port 0 --port-file "$dir/port" >>"$dir/server.log" 2>&1 &
  SRV=$!; PIDS+=("$SRV")
  for _ in $(seq 1 400); do [ -s "$dir/port" ] && break; sleep 0.05; done
  PORT=$(cat "$dir/port"); wait_port "$PORT"
}

# wrk_json NAME URL -> sets RPS, P99_MS, NON2XX
wrk_run() {
  local out
  out=$(wrk -t2 -c100 -d"${DUR}s" --latency "$1" 2>&1)
  RPS=$(echo "$out" | awk '/Requests\/sec/ {print $2}')
  P99_MS=$(echo "$out" | awk '$1=="99%" {v=$2; if (v ~ /us$/) {sub(/us/,"",v); v/=1000} else if (v ~ /ms$/) {sub(/ms/,"",v)} else if (v ~ /s$/) {sub(/s/,"",v); v*=1000}; print v}')
  NON2XX=$(echo "$out" | awk '/Non-2xx/ {print $5}'); NON2XX=${NON2XX:-0}
  ERRS=$(echo "$out" | awk '/Socket errors/ {print}' )
}

# ---- nginx peer ----
NPORT=$(free_port)
mkdir -p "$TMP/nginx/www"
echo '{"status":"healthy"}' > "$TMP/nginx/www/health.json"
cat > "$TMP/nginx/nginx.conf" <<NG
worker_processes 2;
pid $TMP/nginx/nginx.pid;
error_log $TMP/nginx/error.log;
events { worker_connections 4096; }
http {
  access_log off;
  client_body_temp_path $TMP/nginx; proxy_temp_path $TMP/nginx; fastcgi_temp_path $TMP/nginx;
  uwsgi_temp_path $TMP/nginx; scgi_temp_path $TMP/nginx;
  server { listen 127.0.0.1:$NPORT; root $TMP/nginx/www; location / { default_type application/json; } }
}
NG
nginx -c "$TMP/nginx/nginx.conf" -g 'daemon off;' &
PIDS+=($!)
wait_port "$NPORT"
wrk_run "http://127.0.0.1:$NPORT/health.json"; N_RPS=$RPS; N_P99=$P99_MS

# ---- ours ----
start_server "$TMP/srv" --set security.rate_read=0
wrk_run "http://127.0.0.1:$PORT/health"
printf '{"bench":"service.health","conns":100,"rps":%s,"p99_ms":%s,"non2xx":%s,"peer":"nginx static file","peer_rps":%s,"peer_p99_ms":%s,"ratio":%.3f}\n' \
  "$RPS" "$P99_MS" "$NON2XX" "$N_RPS" "$N_P99" "$(echo "$RPS / $N_RPS" | bc -l)"
curl -s -X POST -H 'Content-Type: application/json' -d '{"key":"bench","value":{"hello":"world","n":[1,2,3]},"ttl":600}' \
  "http://127.0.0.1:$PORT/cache/set" >/dev/null
wrk_run "http://127.0.0.1:$PORT/cache/get/bench"
printf '{"bench":"service.cache_get","conns":100,"rps":%s,"p99_ms":%s,"non2xx":%s,"peer":"nginx static file","peer_rps":%s,"peer_p99_ms":%s,"ratio":%.3f}\n' \
  "$RPS" "$P99_MS" "$NON2XX" "$N_RPS" "$N_P99" "$(echo "$RPS / $N_RPS" | bc -l)"

# ---- 1000 idle connections ----
python3 - "$PORT" <<'PY'
import socket, sys, time, json, urllib.request
port = int(sys.argv[1])
socks, errors = [], 0
for i in range(1000):
    try:
        s = socket.create_connection(("127.0.0.1", port), timeout=5); socks.append(s)
    except OSError:
        errors += 1
time.sleep(3)
t = time.time()
ok = urllib.request.urlopen(f"http://127.0.0.1:{port}/health", timeout=10).status == 200
lat = (time.time() - t) * 1000
alive = 0
for s in socks:
    s.setblocking(False)
    try:
        alive += 0 if s.recv(1) == b"" else 1
    except BlockingIOError:
        alive += 1
    except OSError:
        pass
print(json.dumps({"bench": "service.idle_conns", "opened": len(socks), "connect_errors": errors,
                  "still_open_after_3s": alive, "health_ok": ok, "health_ms": round(lat, 2)}))
for s in socks: s.close()
PY
kill -TERM "$SRV"; wait "$SRV" 2>/dev/null

# ---- Redis killed under load ----
RPORT=$(free_port)
redis-server --port "$RPORT" --bind 127.0.0.1 --save '' --appendonly no >/dev/null 2>&1 &
RPID=$!; PIDS+=("$RPID"); wait_port "$RPORT"
start_server "$TMP/srv2" --set security.rate_read=0 --set "redis_url=redis://127.0.0.1:$RPORT"
curl -s -X POST -H 'Content-Type: application/json' -d '{"key":"k","value":"v","ttl":600}' "http://127.0.0.1:$PORT/cache/set" >/dev/null
( sleep 3; kill -9 "$RPID"; sleep 3; redis-server --port "$RPORT" --bind 127.0.0.1 --save '' --appendonly no >/dev/null 2>&1 &
  echo $! > "$TMP/redis2.pid"; date +%s.%N > "$TMP/restart.t" ) &
DUR=10 wrk_run "http://127.0.0.1:$PORT/cache/get/k"
PIDS+=("$(cat "$TMP/redis2.pid" 2>/dev/null)")
# recovery: first successful write-through set after the restart (L2 round trip visible in redis)
rec=-1
for i in $(seq 1 100); do
  curl -s -X POST -H 'Content-Type: application/json' -d "{\"key\":\"r$i\",\"value\":1,\"ttl\":600}" "http://127.0.0.1:$PORT/cache/set" >/dev/null
  if redis-cli -p "$RPORT" --scan --pattern '*r'"$i"'*' 2>/dev/null | grep -q .; then
    rec=$(echo "$(date +%s.%N) - $(cat "$TMP/restart.t")" | bc -l); break
  fi
  sleep 0.1
done
printf '{"bench":"service.redis_kill","duration_s":10,"rps":%s,"non2xx":%s,"p99_ms":%s,"l2_recovery_s":%s}\n' "$RPS" "$NON2XX" "$P99_MS" "$rec"
kill -TERM "$SRV"; wait "$SRV" 2>/dev/null

# ---- disk full ----
mkdir -p "$TMP/full"
if mount -t tmpfs -o size=3m tmpfs "$TMP/full" 2>/dev/null; then
  start_server "$TMP/full/d" --set security.rate_write=0 --set cache.l1_max_bytes=1MiB 2>/dev/null
  big=$(head -c 200000 /dev/urandom | base64 -w0)
  codes=""
  for i in $(seq 1 40); do
    c=$(printf '{"key":"f%d","value":"%s","ttl":600}' "$i" "$big" | curl -s -o "$TMP/fb" -w '%{http_code}' -X POST -H 'Content-Type: application/json' --data-binary @- "http://127.0.0.1:$PORT/cache/set")
    codes="$codes $c"
  done
  n5xx=$(echo "$codes" | tr ' ' '\n' | grep -c '^50[0-6]$' || true)
  n507=$(echo "$codes" | tr ' ' '\n' | grep -c '^507$' || true)
  mount -o remount,size=64m "$TMP/full"
  c=$(curl -s -o /dev/null -w '%{http_code}' -X POST -H 'Content-Type: application/json' -d '{"key":"after","value":1,"ttl":600}' "http://127.0.0.1:$PORT/cache/set")
  h=$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$PORT/health")
  kill -TERM "$SRV"; wait "$SRV" 2>/dev/null
  printf '{"bench":"service.disk_full","tmpfs":"3m","writes":40,"answers_507":%s,"other_5xx":%s,"set_after_space_returns":%s,"health_after":%s}\n' "$n507" "$((n5xx))" "$c" "$h"
  umount "$TMP/full"
else
  echo '{"bench":"service.disk_full","skipped":"tmpfs mount needs root"}'
fi
