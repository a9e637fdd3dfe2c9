#!/usr/bin/env bash
# `npm run demo`: runs the example project's tests inside an asylum container.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
export PATH="$PWD/dist:$PATH"
cd examples/hello-node
echo "+ asylum run -- sh -c 'npm ci && npm test'   (in examples/hello-node)" >&2
exec node ../../dist/asylum.js run -- sh -c 'npm ci --no-audit --no-fund && npm test'
