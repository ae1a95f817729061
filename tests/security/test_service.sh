#!/usr/bin/env bash
# Service security against the real server: API keys and scopes, rate limits,
# CORS, security headers, compression, audit log, dashboard, hostile input.
. "$OSC_SOURCE_DIR/tests/lib/common.sh"
D=$TMP/data; mkdir -p "$D"

# Keys: printed once, stored as digests only.
READ=$("$BIN" --data-dir "$D" keys create --name reader --scope read)
WRITE=$("$BIN" --data-dir "$D" keys create --name writer --scope write)
ADMIN_JSON=$("$BIN" --data-dir "$D" --json keys create --name boss --scope admin)
check "key format" bash -c "[[ '$READ' =~ ^osc_[0-9a-f]{12}_[0-9a-f]{64}$ ]]"
check "secret not stored" bash -c "! grep -q '${READ:17}' '$D/keys.json'"
check "keys list shows 3" bash -c "[ \$('$BIN' --data-dir '$D' --json keys list | python3 -c 'import json,sys; print(len(json.load(sys.stdin)[\"keys\"]))') = 3 ]"
"$BIN" --data-dir "$D" keys create --scope root --name x >/dev/null 2>"$TMP/err" && st=0 || st=$?
check "bad scope exits 2" eq "$st" 2
check "bad scope message" grep -q "scope" "$TMP/err"

start_server "$D" --set security.auth=on --set security.rate_write=2 --set security.rate_write_burst=3 \
  --set security.cors_origins=https://app.example
check "auth on logged" grep -q "authentication on" "$D/server.log"

check "health is public" eq "$(http GET /health)" 200
check "no key -> 401" eq "$(http GET /cache/stats)" 401
check "401 has WWW-Authenticate" bash -c "grep -qi '^WWW-Authenticate: Bearer' '$TMP/hdr'"
check "401 JSON error" eq "$(jq_ 'd["error"]')" OSC_EAUTH
check "bad key -> 401" eq "$(http GET /cache/stats -H "Authorization: Bearer osc_000000000000_$(printf '0%.0s' $(seq 64))")" 401
check "read key via Bearer" eq "$(http GET /cache/stats -H "Authorization: Bearer $READ")" 200
check "read key via X-API-Key" eq "$(http GET /cache/stats -H "X-API-Key: $READ")" 200
check "rate headers present" test -n "$(hdr X-RateLimit-Limit)"

# Revoked key is refused at once.
RID=${READ:4:12}
"$BIN" --data-dir "$D" keys revoke "$RID" >/dev/null
stop_server; start_server "$D" --set security.auth=on --set security.rate_write=2 --set security.rate_write_burst=3 \
  --set security.cors_origins=https://app.example
check "revoked key -> 401" eq "$(http GET /cache/stats -H "X-API-Key: $READ")" 401

# Scope: a write route with a read-only key is 403 (any non-GET needs write).
R2=$("$BIN" --data-dir "$D" keys create --name r2 --scope read)
stop_server; start_server "$D" --set security.auth=on --set security.rate_write=2 --set security.rate_write_burst=3 \
  --set security.cors_origins=https://app.example
check "POST with read key -> 403" eq "$(http POST /cache/set -H "X-API-Key: $R2" -d '{"key":"a","value":1}')" 403
check "403 names the scope" grep -q "needs write" "$TMP/body"
check "write key can set" eq "$(http POST /cache/set -H "X-API-Key: $WRITE" -d '{"key":"a","value":1,"ttl":60}')" 200

# Rate limit: write class burst 3 at 2/s -> a 4th immediate mutating request gets 429 + Retry-After.
got429=0
for i in 1 2 3 4 5 6; do
  c=$(http POST /cache/set -H "X-API-Key: $WRITE" -H 'Content-Type: application/json' -d "{\"key\":\"rl$i\",\"value\":$i,\"ttl\":60}")
  if [ "$c" = 429 ]; then got429=1; break; fi
done
check "429 after burst" eq "$got429" 1
check "Retry-After on 429" test -n "$(hdr Retry-After)"
check "429 body" eq "$(jq_ 'd["error"]')" OSC_ERATE

# CORS: allowed origin echoed, others not; preflight.
http GET /health -H "Origin: https://app.example" >/dev/null
check "CORS allowed origin echoed" eq "$(hdr Access-Control-Allow-Origin)" "https://app.example"
http GET /health -H "Origin: https://evil.example" >/dev/null
check "CORS other origin not echoed" test -z "$(hdr Access-Control-Allow-Origin)"
check "preflight 204" eq "$(http OPTIONS /cache/set -H 'Origin: https://app.example' -H 'Access-Control-Request-Method: POST')" 204
check "preflight evil 403" eq "$(http OPTIONS /cache/set -H 'Origin: https://evil.example' -H 'Access-Control-Request-Method: POST')" 403

# Security headers and the dashboard.
check "dashboard 200" eq "$(http GET /)" 200
check "dashboard html" grep -q "oscontent dashboard" "$TMP/body"
check "CSP on dashboard" test -n "$(hdr Content-Security-Policy)"
check "nosniff" eq "$(hdr X-Content-Type-Options)" nosniff
check "app.js served" eq "$(http GET /static/app.js)" 200
check "asset traversal 404" bash -c "c=\$(curl -s -o /dev/null -w '%{http_code}' --path-as-is '$BASE/static/../../etc/passwd'); [ \$c = 404 ] || [ \$c = 400 ]"

# Compression above 1 KiB when accepted.
http GET /static/app.js -H "Accept-Encoding: gzip" >/dev/null
check "gzip when accepted" eq "$(hdr Content-Encoding)" gzip
check "gzip body decodes" bash -c "gzip -dc < '$TMP/body' | grep -q 'oscontent dashboard'"
http GET /static/app.js -H "Accept-Encoding: gzip, br" >/dev/null
check "brotli preferred" eq "$(hdr Content-Encoding)" br
http GET /static/app.js >/dev/null
check "identity otherwise" test -z "$(hdr Content-Encoding)"
check "small bodies not compressed" bash -c "curl -s -D - -o /dev/null -H 'Accept-Encoding: gzip' '$BASE/health' | grep -qiv '^Content-Encoding'"

# Audit: auth failures and mutating requests are JSON lines with request ids.
"$BIN" --data-dir "$D" audit tail -n 200 > "$TMP/audit"
check "audit has auth failures" grep -q '"event":"auth_failure"' "$TMP/audit"
check "audit lines are JSON" python3 -c "
import json,sys
n=0
for l in open('$TMP/audit'):
    d=json.loads(l); n+=1
    assert 'request_id' in d and 'addr' in d and 'status' in d and 'time' in d
assert n>0"
check "audit has key id of writer" grep -q "\"key_id\":\"${WRITE:4:12}\"" "$TMP/audit"

# Hostile input: all 4xx, server stays up.
check "bad JSON 400" bash -c "c=\$(curl -s -o /dev/null -w '%{http_code}' -X POST -H 'X-API-Key: $WRITE' -d '{bad' '$BASE/cache/set'); [ \${c:0:1} = 4 ]"
deep=$(python3 -c "print('['*5000 + ']'*5000)")
check "deep nesting 4xx" bash -c "c=\$(curl -s -o /dev/null -w '%{http_code}' -X POST -H 'X-API-Key: $WRITE' -H 'Content-Type: application/json' --data-binary '$deep' '$BASE/cache/set'); [ \${c:0:1} = 4 ]"
head -c 100000000 /dev/zero > "$TMP/big"
check "100 MB body 413" bash -c "c=\$(curl -s -o /dev/null -w '%{http_code}' -X POST -H 'X-API-Key: $WRITE' --data-binary @'$TMP/big' '$BASE/cache/set'); [ \$c = 413 ]"
rm -f "$TMP/big"
check "invalid UTF-8 4xx" bash -c "c=\$(printf '{\"key\":\"a\xff\xfe\",\"value\":1}' | curl -s -o /dev/null -w '%{http_code}' -X POST -H 'X-API-Key: $WRITE' --data-binary @- '$BASE/cache/set'); [ \${c:0:1} = 4 ]"
rid=$(curl -s -D - -o /dev/null -H $'X-Request-ID: abc\tdef' "$BASE/health" | grep -i '^X-Request-ID' | tr -d '\r' | cut -d' ' -f2-)
check "request id with control chars replaced" bash -c "[ -n '$rid' ] && [ '$rid' != \$'abc\tdef' ]"
check "server still up" eq "$(http GET /health)" 200
stop_server && st=0 || st=$?
check "clean shutdown" eq "$st" 0

# auth=off on a non-loopback address is refused at start.
"$BIN" --data-dir "$D" --set security.auth=off serve --host 0.0.0.0 --port 0 >"$TMP/out" 2>&1 && st=0 || st=$?
check "auth off on 0.0.0.0 refused" bash -c "[ $st != 0 ] && grep -q 'loopback' '$TMP/out'"
# TLS from settings: a self-signed certificate made here with openssl.
openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=127.0.0.1" \
  -keyout "$TMP/key.pem" -out "$TMP/cert.pem" >/dev/null 2>&1
T=$TMP/tls; mkdir -p "$T"
start_server "$T" --set security.tls_cert="$TMP/cert.pem" --set security.tls_key="$TMP/key.pem" 2>/dev/null || true
BASE=${BASE/http:/https:}
check "https health with the configured certificate" eq "$(curl -s -o /dev/null -w '%{http_code}' --cacert "$TMP/cert.pem" "$BASE/health")" 200
check "plain http refused on the TLS port" bash -c "! curl -s -m 3 -o /dev/null 'http://127.0.0.1:$PORT/health' || [ \"\$(curl -s -m 3 -o /dev/null -w '%{http_code}' 'http://127.0.0.1:$PORT/health')\" != 200 ]"
check "start line says https" grep -q "serving on https://" "$T/server.log"
stop_server || true
"$BIN" --data-dir "$T" --set security.tls_cert="$TMP/cert.pem" serve --port 0 >"$TMP/out" 2>&1 && st=0 || st=$?
check "cert without key refused" bash -c "[ $st != 0 ] && grep -q 'set together' '$TMP/out'"
finish
