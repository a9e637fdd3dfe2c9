import type { Kit } from './types.js';

/** Host ports a project gets when `kits.ports.count` is not set. */
export const DEFAULT_PORT_COUNT = 5;

/**
 * Nothing to install: the ports are reserved in ~/.asylum/ports.json when the
 * container is created (src/state/ports.ts) and published as 127.0.0.1:P:P, so
 * services the agent starts are reachable from the host but not the network.
 */
export const portsKit: Kit = {
  name: 'ports',
  tier: 'always',
  summary: 'a range of host ports per project (5 by default), published on 127.0.0.1',
  order: 90,
};
