import { parsePortSpec } from '../config/specs.js';
import type { Config, ConfigLayer } from '../config/types.js';
import { findKit } from '../kits/index.js';
import { DEFAULT_PIDS_LIMIT } from './container.js';

/** One setting from a project file that gives the container more than the default. */
export interface Widening {
  /** The key path, as written in the file. */
  key: string;
  /** The value, as asylum will apply it. */
  value: string;
  /** What it exposes, in a few words. */
  effect: string;
}

const LOOPBACK = new Set(['127.0.0.1', '::1', '[::1]', 'localhost']);

function portWidenings(config: Config): Widening[] {
  const found: Widening[] = [];
  for (const spec of config.ports ?? []) {
    let bind: string | undefined;
    try {
      bind = parsePortSpec(spec).bind;
    } catch {
      continue; // Invalid specs are reported by validation.
    }
    if (bind && !LOOPBACK.has(bind)) {
      found.push({ key: 'ports', value: spec, effect: `a port open on ${bind}` });
    }
  }
  if (config.kits?.ports?.bind === 'all') {
    found.push({ key: 'kits.ports.bind', value: 'all', effect: 'every port open to the network' });
  }
  return found;
}

function kitWidenings(config: Config): Widening[] {
  const found: Widening[] = [];
  for (const [name, options] of Object.entries(config.kits ?? {})) {
    const credentials = options?.credentials;
    if (credentials !== undefined && credentials !== false) {
      const value = Array.isArray(credentials) ? credentials.join(',') : credentials;
      found.push({ key: `kits.${name}.credentials`, value, effect: `your ${name} credentials` });
    }
  }
  found.push(...privilegedKitWidenings(config));
  const ssh = config.kits?.ssh;
  if (ssh?.isolation === 'shared') {
    found.push({
      key: 'kits.ssh.isolation',
      value: 'shared',
      effect: 'your ~/.ssh and every key in it',
    });
  }
  if (ssh?.writable) {
    found.push({ key: 'kits.ssh.writable', value: 'true', effect: 'write access to your ~/.ssh' });
  }
  return found;
}

/** A kit that needs engine privileges (docker) widens the sandbox just by being on. */
function privilegedKitWidenings(config: Config): Widening[] {
  return Object.entries(config.kits ?? {}).flatMap(([name, options]) => {
    const privileges = findKit(name)?.privileges;
    if (!privileges || options?.disabled) return [];
    const caps = privileges.capabilities.join(', ');
    const effect = `${caps} and a relaxed seccomp profile: a much weaker boundary`;
    return [{ key: `kits.${name}`, value: 'enabled', effect }];
  });
}

/**
 * `host-access: true` undoes the user's `host-access: false`; a higher pids
 * limit, or any cpu or memory limit (it may be looser than the global one),
 * loosens what keeps a runaway process from the host. Lowering pids narrows.
 */
function limitWidenings(config: Config): Widening[] {
  const found: Widening[] = [];
  if (config['host-access'] === true) {
    found.push({
      key: 'host-access',
      value: 'true',
      effect: 'services listening on your host (host.docker.internal)',
    });
  }
  const { pids, cpus, memory } = config.resources ?? {};
  if (pids !== undefined && pids > DEFAULT_PIDS_LIMIT) {
    found.push({ key: 'resources.pids', value: String(pids), effect: 'a looser process limit' });
  }
  for (const [key, value] of [
    ['cpus', cpus],
    ['memory', memory],
  ] as const) {
    if (value === undefined) continue;
    found.push({ key: `resources.${key}`, value: String(value), effect: 'a different limit' });
  }
  return found;
}

function agentWidenings(config: Config): Widening[] {
  return Object.entries(config.agents ?? {})
    .filter(([, options]) => options?.config === 'shared')
    .map(([name]) => ({
      key: `agents.${name}.config`,
      value: 'shared',
      effect: `your host ${name} config, read-write`,
    }));
}

/**
 * Settings in a project's own config files that widen what the container can
 * reach. The agent can write those files, so asylum applies them only once the
 * user approved exactly these values. Pure: config in, list out.
 */
export function findWidenings(config: Config): Widening[] {
  const volumes = (config.volumes ?? []).map((spec) => ({
    key: 'volumes',
    value: spec,
    effect: 'a host path mounted into the container',
  }));
  return [
    ...volumes,
    ...portWidenings(config),
    ...kitWidenings(config),
    ...limitWidenings(config),
    ...agentWidenings(config),
  ];
}

/**
 * The layer with its widening settings taken out: what asylum applies of a
 * project file whose widenings are not approved yet (`asylum inspect` shows
 * that, and runs no credential helper for them). Pure.
 */
export function withoutWidenings(layer: ConfigLayer): ConfigLayer {
  const config = structuredClone(layer.config) as Record<string, unknown>;
  for (const { key, value } of findWidenings(layer.config)) {
    const path = key.split('.');
    if (path.length === 1 && Array.isArray(config[key])) {
      config[key] = (config[key] as string[]).filter((entry) => entry !== value);
      continue;
    }
    removePath(config, path);
  }
  return { ...layer, config: config as Config };
}

function removePath(target: Record<string, unknown>, path: readonly string[]): void {
  const [head, ...rest] = path;
  if (head === undefined) return;
  if (rest.length === 0) {
    delete target[head];
    return;
  }
  const next = target[head];
  if (next && typeof next === 'object') removePath(next as Record<string, unknown>, rest);
}
