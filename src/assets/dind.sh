#!/bin/sh
# The docker kit's inner engine, run by the container's main process as root:
# `start` before any session may enter, `stop` when the container ends (inner
# containers are stopped and the daemon exits cleanly, instead of being killed).
# The container has SYS_ADMIN and NET_ADMIN, its own cgroup namespace and a
# seccomp profile that allows the keyring calls and pivot_root; no --privileged.
set -u
log=/var/log/asylum-dockerd.log
pidfile=/run/asylum-dockerd.pid
socket=/var/run/docker.sock
# The inner default bridge would otherwise take 172.17.0.0/16, the range of the
# host's own docker0 that host.docker.internal points into.
# TODO(asylum): make the inner address ranges configurable for hosts that use this one.
bridge_ip=10.213.0.1/24
address_pool=base=10.213.0.0/16,size=24

say() { echo "asylum dind: $*" >> "$log"; }

now_ms() { echo $(( $(date +%s%N) / 1000000 )); }

# cgroup v1: the engine gave us read-only views of the host's hierarchies. In a
# private cgroup namespace we may mount the same hierarchies afresh (the kernel
# refuses to create new ones there), rooted at this container's own cgroups.
mount_cgroup_v1() {
  mount -t tmpfs -o mode=755,nosuid,nodev,noexec cgroup_root /sys/fs/cgroup || return 1
  # Lines are `id:controllers:path`; id 0 is the unified (v2) tree of a hybrid host.
  while IFS=: read -r id controllers _path; do
    [ "$id" = 0 ] && continue
    case $controllers in
      name=*) dir=${controllers#name=}; options="none,$controllers" ;;
      *) dir=$controllers; options=$controllers ;;
    esac
    mkdir -p "/sys/fs/cgroup/$dir"
    if ! mount -t cgroup -o "$options" cgroup "/sys/fs/cgroup/$dir"; then
      say "could not mount the cgroup hierarchy $controllers"
      rmdir "/sys/fs/cgroup/$dir"
      continue
    fi
    # Co-mounted controllers (cpu,cpuacct) are also reachable by each name.
    for single in $(echo "$dir" | tr ',' ' '); do
      [ "$single" = "$dir" ] || ln -sfn "$dir" "/sys/fs/cgroup/$single"
    done
  done < /proc/self/cgroup
}

# cgroup v2: the container's own cgroup is the namespace root. Controllers can be
# handed down only from a cgroup without processes of its own, so every process
# moves to a child first, then the root enables all it has for the daemon.
# TODO(asylum): untested: the machine this was written on has cgroup v1 only.
nest_cgroup_v2() {
  root=/sys/fs/cgroup
  if ! mount -o remount,rw "$root" 2>/dev/null; then
    umount "$root" 2>/dev/null
    mount -t cgroup2 -o nsdelegate cgroup2 "$root" || mount -t cgroup2 cgroup2 "$root" || return 1
  fi
  mkdir -p "$root/asylum-init"
  for pid in $(cat "$root/cgroup.procs"); do
    echo "$pid" > "$root/asylum-init/cgroup.procs" 2>/dev/null
  done
  for controller in $(cat "$root/cgroup.controllers"); do
    echo "+$controller" > "$root/cgroup.subtree_control" 2>/dev/null \
      || say "could not delegate the cgroup controller $controller"
  done
}

prepare_cgroups() {
  if [ -e /sys/fs/cgroup/cgroup.controllers ]; then
    nest_cgroup_v2 || say 'cgroup v2 nesting failed; the daemon may not start'
  else
    mount_cgroup_v1 || say 'cgroup v1 mounts failed; the daemon may not start'
  fi
}

start() {
  started=$(now_ms)
  prepare_cgroups
  # /proc/sys is read-only here, so the daemon cannot switch IPv6 off on inner
  # containers' interfaces; without this it refuses to start them.
  DOCKER_ALLOW_IPV6_ON_IPV4_INTERFACE=1 dockerd --host "unix://$socket" --group docker \
    --pidfile "$pidfile" --shutdown-timeout 5 \
    --bip "$bridge_ip" --default-address-pool "$address_pool" >> "$log" 2>&1 &
  tries=0
  until docker --host "unix://$socket" version > /dev/null 2>&1; do
    tries=$((tries + 1))
    if [ "$tries" -ge 300 ]; then
      say "the daemon did not answer within 30 s; see the lines above"
      return 1
    fi
    sleep 0.1
  done
  say "daemon ready after $(( $(now_ms) - started )) ms"
}

stop() {
  [ -f "$pidfile" ] || return 0
  read -r pid < "$pidfile"
  [ -n "$pid" ] || return 0
  stopping=$(now_ms)
  kill -TERM "$pid" 2>/dev/null || return 0
  # The daemon gives inner containers 5 s, then kills them; wait a little longer.
  tries=0
  while kill -0 "$pid" 2>/dev/null && [ "$tries" -lt 150 ]; do
    tries=$((tries + 1))
    sleep 0.1
  done
  say "daemon stopped after $(( $(now_ms) - stopping )) ms"
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  *) echo "usage: $0 start|stop" >&2; exit 2 ;;
esac
