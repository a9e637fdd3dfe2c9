#!/usr/bin/env bash
# Makes sure a Docker engine answers, installing and starting one when this
# machine has none (Debian/Ubuntu, as root). Idempotent: a running engine is
# left alone. Used by `npm run demo`, `npm test` and CI.
set -euo pipefail

engine_answers() { docker version --format '{{.Server.Version}}' >/dev/null 2>&1; }

if command -v docker >/dev/null 2>&1 && engine_answers; then
  exit 0
fi
if [ -n "${DOCKER_HOST:-}" ]; then
  echo "ensure-engine: DOCKER_HOST=$DOCKER_HOST does not answer; not starting a local engine" >&2
  exit 1
fi
if [ "$(id -u)" -ne 0 ]; then
  echo "ensure-engine: no Docker engine answers, and starting one needs root." >&2
  echo "  start it (e.g. 'sudo systemctl start docker', or open Docker Desktop) and retry" >&2
  exit 1
fi
if ! command -v dockerd >/dev/null 2>&1; then
  echo "ensure-engine: installing docker.io from Debian" >&2
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq docker.io >/dev/null
fi
if ! pgrep -x dockerd >/dev/null 2>&1; then
  echo "ensure-engine: starting dockerd (log: /var/log/asylum-dockerd.log)" >&2
  nohup dockerd >/var/log/asylum-dockerd.log 2>&1 &
fi
for _ in $(seq 1 60); do
  if engine_answers; then exit 0; fi
  sleep 1
done
echo "ensure-engine: dockerd did not answer within 60 s; see /var/log/asylum-dockerd.log" >&2
exit 1
