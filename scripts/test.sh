#!/usr/bin/env bash
# `npm test`: type check, lint, unit tests, then the integration tests against
# a real engine. With CI set, a missing engine fails the run instead of
# skipping the engine tests.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ "$(id -u)" -eq 0 ] || docker version >/dev/null 2>&1; then
  bash scripts/setup.sh
else
  npm ci --no-audit --no-fund >/dev/null 2>&1 || true
  npm run --silent build
fi
npx tsc --noEmit
npx biome check --diagnostic-level=error .
mkdir -p .test-output
status=0
npx vitest run --reporter=default --reporter=json \
  --outputFile.json=.test-output/results.json "$@" || status=$?
node scripts/summary.mjs .test-output/results.json || status=1
exit "$status"
