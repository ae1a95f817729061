#!/usr/bin/env bash
# Test tooling for the dashboard: playwright-core (npm) driving Debian's
# chromium (/usr/bin/chromium; no browser download).  Installed under
# $OSC_RESOURCE_DIR/npm-tools; idempotent.
set -euo pipefail
R=${OSC_RESOURCE_DIR:-/usr/local/share/oscontent}
DIR=$R/npm-tools
if [ ! -f "$DIR/node_modules/playwright-core/package.json" ]; then
  mkdir -p "$DIR"
  echo "deps/security: installing playwright-core into $DIR"
  PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm install --silent --no-audit --no-fund --prefix "$DIR" playwright-core@1 >/dev/null
fi
