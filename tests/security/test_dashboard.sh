#!/usr/bin/env bash
# Runs the headless-Chromium dashboard test against a real server with every module.
. "$OSC_SOURCE_DIR/tests/lib/common.sh"
export OSC_NPM_TOOLS=${OSC_RESOURCE_DIR:-/usr/local/share/oscontent}/npm-tools
if [ ! -d "$OSC_NPM_TOOLS/node_modules/playwright-core" ] || [ ! -x /usr/bin/chromium ]; then
  echo "FAIL - playwright-core or chromium missing: run scripts/install-deps.sh"; exit 1
fi
D=$TMP/data; mkdir -p "$D"
start_server "$D"
SHOT=${OSC_BUILD_DIR:-$TMP}/dashboard.png
node "$OSC_SOURCE_DIR/tests/security/test_dashboard.mjs" "$BASE" "$SHOT"
rc=$?
echo "screenshot: $SHOT"
exit $rc
