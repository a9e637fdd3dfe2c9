#!/usr/bin/env bash
# Makes sure asylum's Debian base image exists. Where no registry can be
# reached, it is built locally from the host's Debian mirror with debootstrap.
set -euo pipefail
cd "$(dirname "$0")/.."
image="${ASYLUM_BASE_IMAGE:-debian:trixie}"
if docker image inspect "$image" >/dev/null 2>&1; then
  exit 0
fi
if [ "$(id -u)" -eq 0 ] && ! command -v debootstrap >/dev/null 2>&1; then
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq debootstrap >/dev/null
fi
node dist/asylum.js bootstrap --image "$image"
