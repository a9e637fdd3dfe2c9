#!/bin/bash
# The container's main process (under docker-init). It prepares what needs root,
# then keeps the container alive while at least one asylum session holds a fresh
# lease: a file under /run/asylum/sessions whose content the host rewrites every
# second. Time is counted in our own ticks, not wall-clock, so a host suspend does
# not look like a dead session. When no lease is fresh for a few ticks, we exit and
# `docker run --rm` removes the container.
set -u
leases=/run/asylum/sessions
stale_ticks=${ASYLUM_LEASE_TICKS:-5}
idle_ticks=${ASYLUM_IDLE_TICKS:-3}
startup_ticks=${ASYLUM_STARTUP_TICKS:-60}
services=/usr/local/lib/asylum/services
trap 'exit 0' TERM INT HUP

# Kits may ship services (the docker kit's inner daemon): started as root before
# sessions may enter, stopped in reverse order when the container ends, so what
# they run shuts down cleanly instead of being killed with the container.
stop_services() {
  local svc
  for svc in $(ls -r "$services" 2>/dev/null); do
    [ -x "$services/$svc" ] && "$services/$svc" stop
  done
}
trap stop_services EXIT
for svc in "$services"/*; do
  [ -x "$svc" ] && "$svc" start
done

# Volumes mounted where the image has no directory come up owned by root.
IFS=':'
for dir in ${ASYLUM_CHOWN:-}; do
  [ -n "$dir" ] && chown "${ASYLUM_UID:-0}:${ASYLUM_GID:-0}" "$dir" 2>/dev/null
done
unset IFS

# Volumes mounted inside the project (shadow node_modules) have no directory in
# the image either. The list is NUL-separated: a project path may hold anything.
if [ -s /run/asylum/host/chown-dirs ]; then
  mapfile -d '' owned < /run/asylum/host/chown-dirs
  chown -h "${ASYLUM_UID:-0}:${ASYLUM_GID:-0}" -- "${owned[@]}" 2>/dev/null
fi

# Runs a command as the container user, from /, with the user's HOME.
as_user() {
  if [ "${ASYLUM_UID:-0}" = 0 ]; then (cd / && "$@"); return; fi
  local home
  home=$(awk -F: -v uid="$ASYLUM_UID" '$3 == uid { print $6; exit }' /etc/passwd)
  (cd / && HOME=$home setpriv --reuid="$ASYLUM_UID" --regid="${ASYLUM_GID:-0}" \
    --init-groups -- "$@")
}

# Kits' start-up steps (a .venv, ...), baked into the image.
[ -f /usr/local/lib/asylum/kit-start ] && . /usr/local/lib/asylum/kit-start
touch /run/asylum-ready

declare -A last_seen age
idle=0
ever_alive=0
while :; do
  alive=0
  for lease in "$leases"/*; do
    [ -f "$lease" ] || continue
    value=''
    read -r value < "$lease" 2>/dev/null
    if [ "${last_seen[$lease]-}" != "$value" ]; then
      last_seen[$lease]=$value
      age[$lease]=0
    else
      age[$lease]=$(( ${age[$lease]} + 1 ))
    fi
    [ "${age[$lease]}" -lt "$stale_ticks" ] && alive=$((alive + 1))
  done
  if [ "$alive" -gt 0 ]; then idle=0; ever_alive=1; else idle=$((idle + 1)); fi
  limit=$idle_ticks
  [ "$ever_alive" -eq 0 ] && limit=$startup_ticks
  [ "$idle" -ge "$limit" ] && exit 0
  sleep 1 &
  wait $!
done
