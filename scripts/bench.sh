#!/usr/bin/env bash
# `npm run bench`: the set-up the tests use (dependencies, the bundle, an
# engine, the base image), then the benchmark itself, bundled from bench/ so it
# times the same code that ships. Arguments go to the benchmark (--iterations,
# --no-peer, --strict, ...).
set -euo pipefail
cd "$(dirname "$0")/.."
if [ "$(id -u)" -eq 0 ] || docker version >/dev/null 2>&1; then
  bash scripts/setup.sh >&2
else
  npm run --silent build
fi
node scripts/build.mjs bench/main.ts .bench/bench.mjs
exec node .bench/bench.mjs "$@"
