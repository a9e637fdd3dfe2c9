import { parsePortSpec } from '../config/specs.js';
import type { Config } from '../config/types.js';
import { findKit } from '../kits/index.js';

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
    ...agentWidenings(config),
  ];
}
