#!/usr/bin/env bash
# Disk full: data_dir on a 4 MiB tmpfs.  Writes that cannot persist answer
# 507 JSON (never 500, never a crash), reads keep working, nothing stored is
# corrupted, and writes succeed again once space returns.  Needs root (mount).
. "$OSC_SOURCE_DIR/tests/lib/common.sh"
M=$TMP/full
mkdir -p "$M"
if ! mount -t tmpfs -o size=4m tmpfs "$M"; then echo "FAIL - cannot mount tmpfs (needs root)"; exit 1; fi
trap 'stop_server >/dev/null 2>&1; umount "$M" 2>/dev/null; rm -rf "$TMP"' EXIT
D=$M/data; mkdir -p "$D"
start_server "$D" --set security.rate_write=0 --set monitor.enabled=false
check "small set before" eq "$(http POST /cache/set -H 'Content-Type: application/json' -d '{"key":"keep","value":{"a":1},"ttl":600}')" 200
big=$(head -c 300000 /dev/urandom | base64 -w0)
codes=""
for i in $(seq 1 30); do
  c=$(printf '{"key":"f%d","value":"%s","ttl":600}' "$i" "$big" | curl -s -o "$TMP/fb" -w '%{http_code}' -X POST \
      -H 'Content-Type: application/json' --data-binary @- "$BASE/cache/set")
  codes="$codes $c"
  if [ "$c" = 507 ]; then cp "$TMP/fb" "$TMP/507.json"; fi
done
echo "  codes:$codes"
check "disk full answers 507" grep -q 507 <<<"$codes"
check "no 500 answers" bash -c "! grep -qE ' 50[0-6]' <<<'$codes'"
check "507 body names the cause" bash -c "python3 -c \"import json; d=json.load(open('$TMP/507.json')); assert d['error']=='OSC_ENOSPC' and 'space' in d['detail']\""
check "reads still work" eq "$(http GET /cache/get/keep)" 200
check "health still 200" eq "$(http GET /health)" 200
# Durable task submission on a full disk: a clear error or success, never a crash.
c=$(http POST /tasks/submit -H 'Content-Type: application/json' -d '{"kind":"echo","data":{"x":1}}')
echo "  task submit on full disk: $c $(cat "$TMP/body")"
check "task submit on full disk is 202 or 507" bash -c "[ $c = 202 ] || [ $c = 507 ]"
# Space returns.
mount -o remount,size=64m "$M"
check "set after space returns" eq "$(http POST /cache/set -H 'Content-Type: application/json' -d '{"key":"after","value":2,"ttl":600}')" 200
check "task after space returns" eq "$(http POST /tasks/submit -H 'Content-Type: application/json' -d '{"kind":"echo","data":{"x":2}}')" 202
stop_server && st=0 || st=$?
check "clean shutdown" eq "$st" 0
# No corruption: a restart reads the store back.
start_server "$D" --set monitor.enabled=false
check "value survives restart" eq "$(http GET /cache/get/keep)" 200
check "value after space survives" eq "$(http GET /cache/get/after)" 200
stop_server || true
finish
