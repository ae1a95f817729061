#!/usr/bin/env bash
# docs/cli.md, docs/http.md and docs/configuration.md must be exactly what
# `oscontent docs cli|http|config` prints (regenerate: scripts/gen-docs.sh).
set -uo pipefail
status=0
for pair in cli:cli http:http config:configuration; do
  kind=${pair%%:*}
  file="$OSC_SOURCE_DIR/docs/${pair##*:}.md"
  if ! diff -u "$file" <(env -i PATH="$PATH" "$OSC_TEST_BIN" docs "$kind"); then
    echo "check_docs: $file is out of date; run scripts/gen-docs.sh" >&2
    status=1
  fi
done
exit $status
