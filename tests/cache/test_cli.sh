#!/usr/bin/env bash
# tests/cache/test_cli.sh - `oscontent cache ...` end to end: values persist across
# invocations (L3 under --data-dir), bad input exits 2 with a message, replay and train-dict work.
set -u
BIN=${OSC_TEST_BIN:?}
SHARED=${OSC_SHARED_DIR:-}
D=$(mktemp -d)
trap 'rm -rf "$D"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }
osc() { "$BIN" --data-dir "$D/data" "$@"; }

osc cache set greeting hello --ttl 60s || fail "set"
[ "$(osc cache get greeting)" = "hello" ] || fail "get after set (new process: read from L3)"
osc cache set doc '{"a":[1,2]}' --type json || fail "set json"
osc cache get doc --json | grep -q '"value": *{' || fail "get --json returns the parsed JSON value"
printf 'from stdin' | osc cache set piped - || fail "set from stdin"
[ "$(osc cache get piped)" = "from stdin" ] || fail "stdin value"
osc cache exists greeting >/dev/null || fail "exists"
osc cache exists nothing >/dev/null && fail "exists on a missing key"
osc cache get nothing 2>/dev/null; [ $? -eq 1 ] || fail "missing key exits 1"
osc cache stats --json | grep -q '"disk_usage"' || fail "stats --json"
osc cache del greeting | grep -q "1 deleted" || fail "del"
osc cache get greeting 2>/dev/null && fail "deleted key still readable"

# bad input: exit 2 and a message that names the problem
out=$(osc cache set k v --type xml 2>&1); [ $? -eq 2 ] || fail "bad --type exit code"
echo "$out" | grep -q -- "--type" || fail "bad --type message: $out"
out=$(osc cache set "" v 2>&1); [ $? -eq 2 ] || fail "empty key exit code"
out=$(osc cache set k v --ttl=-5s 2>&1); [ $? -eq 2 ] || fail "negative ttl exit code: $out"
out=$(osc cache set k '{bad' --type json 2>&1); [ $? -eq 2 ] || fail "invalid JSON exit code"
echo "$out" | grep -q "JSON" || fail "invalid JSON message: $out"
out=$(osc cache get 2>&1); [ $? -eq 2 ] || fail "missing KEY"
out=$(osc cache replay /nonexistent.zst 2>&1); [ $? -eq 2 ] || fail "missing trace exit code: $out"
out=$(osc cache replay /dev/null --size 150% 2>&1); [ $? -eq 2 ] || fail "bad --size"
out=$(osc cache replay /dev/null --policy arc 2>&1); [ $? -eq 2 ] || fail "bad --policy"
osc cache clear 2>/dev/null; [ $? -eq 2 ] || fail "clear without --yes"
osc cache clear --yes >/dev/null || fail "clear"
osc cache get doc 2>/dev/null && fail "cleared key still readable"

# replay: a crafted trace where the answer is known (3 keys looping, capacity 3: only cold misses)
for i in $(seq 1 100); do echo 1; echo 2; echo 3; done > "$D/loop.txt"
r=$(osc cache replay "$D/loop.txt" --policy lru --size 3 --json) || fail "replay"
echo "$r" | grep -q '"misses": *3' || fail "replay misses: $r"
if [ -n "$SHARED" ] && [ -f "$SHARED/traces/web12.keys.zst" ]; then
  r=$(osc cache replay "$SHARED/traces/web12.keys.zst" --policy lru --size 10% --json) || fail "replay web12"
  echo "$r" | grep -q '"miss_ratio": *0.315' || fail "LRU on web12 must match libCacheSim (0.3152): $r"
fi

# train-dict from sample values, then use it
mkdir -p "$D/samples"
for i in $(seq 1 200); do printf '{"id":%d,"status":"completed","sentiment":{"label":"positive","score":0.%d},"keywords":["video","cache","nlp"]}' $i $i > "$D/samples/$i.json"; done
osc cache train-dict "$D/samples" --out "$D/dict.zdict" --size 4KiB | grep -q "dictionary id" || fail "train-dict"
OSC_CACHE_ZSTD_DICT="$D/dict.zdict" OSC_CACHE_COMPRESS_THRESHOLD=16 osc cache set withdict "$(cat $D/samples/7.json)" --type json || fail "set with dict"
OSC_CACHE_ZSTD_DICT="$D/dict.zdict" osc cache get withdict | grep -q '"id":7' || fail "get with dict"
out=$(osc cache train-dict "$D/samples/1.json" --out "$D/x" 2>&1); [ $? -ne 0 ] || fail "train-dict with one sample must fail"
echo "ok"
