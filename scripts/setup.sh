#!/usr/bin/env bash
# Shared set-up for the demo and the tests: dependencies, the bundle, an
# engine, the base image. Each step is skipped when already done.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  npm ci --no-audit --no-fund
fi
npm run --silent build
bash scripts/ensure-engine.sh
bash scripts/ensure-base.sh
