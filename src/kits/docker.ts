import dindScript from '../assets/dind.sh?raw';
import type { Kit } from './types.js';

/** Where the image keeps the inner daemon's start/stop script (init.sh runs it). */
const SERVICE_PATH = '/usr/local/lib/asylum/services/50-dockerd';

/**
 * Docker-in-Docker without --privileged: an inner dockerd, started as root by
 * the container's main process and stopped with the container. It needs more
 * from the engine than any other kit (see `privileges`), so it is opt-in and a
 * project file that turns it on needs approval.
 */
export const dockerKit: Kit = {
  name: 'docker',
  tier: 'opt-in',
  summary: 'Docker-in-Docker (inner dockerd, no --privileged); SYS_ADMIN, NET_ADMIN',
  order: 45,
  // docker-cli and docker-buildx are only recommended by docker.io, and the
  // image installs without recommends; busybox-static makes FROM-scratch
  // images possible without any registry.
  aptPackages: ['docker.io', 'docker-cli', 'docker-buildx', 'iptables', 'busybox-static'],
  contextFiles: { 'dind.sh': dindScript },
  dockerfile: () => [`COPY dind.sh ${SERVICE_PATH}`, `RUN chmod 0755 ${SERVICE_PATH}`],
  userGroups: ['docker'],
  env: { DOCKER_HOST: 'unix:///var/run/docker.sock' },
  // overlay2 cannot stack on the container's own overlay root file system.
  volumes: [
    { suffix: 'docker', target: '/var/lib/docker', reason: 'inner Docker images and containers' },
  ],
  // TODO(asylum): on AppArmor hosts the engine's docker-default profile may
  // forbid the inner mounts (apparmor=unconfined would); untested, none here.
  privileges: {
    capabilities: ['SYS_ADMIN', 'NET_ADMIN'],
    extraSyscalls: ['add_key', 'keyctl', 'pivot_root', 'request_key'],
    cgroupns: 'private',
    reason: 'Docker-in-Docker: the inner daemon mounts, manages networks and cgroups',
  },
};
