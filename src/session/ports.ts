import { parsePortSpec } from '../config/specs.js';
import type { Config } from '../config/types.js';
import { UserError } from '../errors.js';
import { DEFAULT_PORT_COUNT } from '../kits/ports.js';
import type { PlannedPort } from '../plan/container.js';
import { allocatePorts, isHostPortFree, listPortRanges, type PortSpan } from '../state/ports.js';
import { log } from '../ui/log.js';

const LOOPBACK = '127.0.0.1';

/** The project's range: read without a lock when it exists, allocated (locked) when not. */
export async function ensurePortRange(options: {
  home: string;
  project: string;
  container: string;
  count: number;
}): Promise<PortSpan> {
  const existing = (await listPortRanges(options.home)).find((r) => r.project === options.project);
  if (existing && existing.count >= options.count) return existing;
  return allocatePorts(options);
}

export function portCount(config: Config): number {
  return config.kits?.ports?.count ?? DEFAULT_PORT_COUNT;
}

/**
 * Every port the container publishes: the project's range (same number inside
 * and out) and the user's `ports:`/`-p`. Loopback unless the user names an
 * address or sets `kits.ports.bind: all`.
 */
export function plannedPorts(config: Config, range: PortSpan | undefined): PlannedPort[] {
  const bindAll = config.kits?.ports?.bind === 'all';
  const defaultBind = bindAll ? '0.0.0.0' : LOOPBACK;
  const fromRange: PlannedPort[] = [];
  for (let port = range?.start ?? 0; range && port < range.start + range.count; port++) {
    fromRange.push({
      bind: defaultBind,
      host: port,
      container: port,
      protocol: 'tcp',
      source: 'range',
    });
  }
  const fromUser = (config.ports ?? []).map((spec): PlannedPort => {
    const port = parsePortSpec(spec);
    const bind = port.bind ?? defaultBind;
    return {
      bind,
      host: port.host,
      container: port.container,
      protocol: port.protocol ?? 'tcp',
      source: 'user',
    };
  });
  // A user mapping wins over the range for the same host port.
  const taken = new Set(fromUser.map((p) => p.host));
  return [...fromRange.filter((p) => !taken.has(p.host)), ...fromUser];
}

export function warnIfExposed(ports: readonly PlannedPort[]): void {
  const exposed = ports.filter(
    (p) => p.bind !== LOOPBACK && p.bind !== '::1' && p.bind !== '[::1]',
  );
  if (exposed.length === 0) return;
  const list = exposed.map((p) => `${p.bind}:${p.host}`).join(', ');
  log.warn(`ports ${list} are reachable from other hosts and from other containers`);
}

/**
 * Checked just before `docker run`: a busy port of the range is left out with a
 * warning; a busy port the user asked for is an error that names it.
 */
/** Free on the host; an address this host does not have is the user's mistake, said so. */
async function hostPortFree(port: PlannedPort, address: string): Promise<boolean> {
  try {
    return await isHostPortFree(port.host, address);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EADDRNOTAVAIL') throw error;
    throw new UserError(`cannot publish on ${address}: this host has no such address`, {
      hint: 'use 127.0.0.1 (the default), 0.0.0.0, or one of `ip -brief address` on the host',
      exitCode: 2,
    });
  }
}

export async function availablePorts(ports: readonly PlannedPort[]): Promise<PlannedPort[]> {
  const result: PlannedPort[] = [];
  for (const port of ports) {
    const address = port.bind.replace(/^\[|\]$/g, '');
    if (port.protocol === 'udp' || (await hostPortFree(port, address))) {
      result.push(port);
    } else if (port.source === 'user') {
      throw new UserError(`host port ${port.host} is already in use`, {
        hint: 'stop what listens there, or publish another host port (-p OTHER:CONTAINER)',
      });
    } else {
      log.warn(`host port ${port.host} is busy; not publishing it for this container`);
    }
  }
  return result;
}
