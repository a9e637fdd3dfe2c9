/**
 * Merging configuration layers (global, project, local, command line) into
 * one Config. Pure: inputs are never mutated and the result shares no
 * objects or arrays with them, so a caller may edit either side freely
 * (upstream once appended to a base layer's slice through a merged result).
 *
 * Rules, later layers winning:
 * - scalars: the last layer that sets a value wins;
 * - accumulations (`ports`, `volumes`, kit `packages` and `build`): concatenated,
 *   lowest layer first, without removing duplicates;
 * - selections (kit `versions`, agent `companions`): replaced, so `[]` clears;
 * - maps (`kits`, `agents`, `env`, `image`): merged key by key. A null kit or
 *   agent entry means "on, with defaults", so null merged with options gives
 *   the options, in either order.
 *
 * A map that any layer sets stays present even when empty. (Kit selection
 * treats `kits: {}` like no `kits` key: default kits stay on unless disabled.)
 */
import type { AgentOptions, Config, ImageOptions, KitOptions, ResourceLimits } from './types.js';

export function mergeLayers(layers: readonly Config[]): Config {
  return layers.reduce<Config>((merged, layer) => mergeTwo(merged, layer), {});
}

function mergeTwo(base: Config, over: Config): Config {
  return compact<Config>({
    version: last(base.version, over.version),
    agent: last(base.agent, over.agent),
    'default-resume': last(base['default-resume'], over['default-resume']),
    agents: mergeRecord(base.agents, over.agents, mergeAgentEntry),
    kits: mergeRecord(base.kits, over.kits, mergeKitEntry),
    image: base.image || over.image ? mergeImage(base.image ?? {}, over.image ?? {}) : undefined,
    resources:
      base.resources || over.resources
        ? mergeResources(base.resources ?? {}, over.resources ?? {})
        : undefined,
    'host-access': last(base['host-access'], over['host-access']),
    ports: concat(base.ports, over.ports),
    volumes: concat(base.volumes, over.volumes),
    // Every key comes from one side or the other, so the '' is never used.
    env: mergeRecord(base.env, over.env, (a, b) => b ?? a ?? ''),
  } satisfies Record<keyof Config, unknown>);
}

function mergeKitEntry(
  base: KitOptions | null | undefined,
  over: KitOptions | null | undefined,
): KitOptions | null {
  if (!base && !over) return null;
  const a = base ?? {};
  const b = over ?? {};
  return compact<KitOptions>({
    disabled: last(a.disabled, b.disabled),
    packages: concat(a.packages, b.packages),
    build: concat(a.build, b.build),
    versions: replace(a.versions, b.versions),
    'default-version': last(a['default-version'], b['default-version']),
    'shadow-node-modules': last(a['shadow-node-modules'], b['shadow-node-modules']),
    onboarding: last(a.onboarding, b.onboarding),
    count: last(a.count, b.count),
    credentials: copyCredentials(last(a.credentials, b.credentials)),
    isolation: last(a.isolation, b.isolation),
    writable: last(a.writable, b.writable),
    bind: last(a.bind, b.bind),
  } satisfies Record<keyof KitOptions, unknown>);
}

function mergeAgentEntry(
  base: AgentOptions | null | undefined,
  over: AgentOptions | null | undefined,
): AgentOptions | null {
  if (!base && !over) return null;
  const a = base ?? {};
  const b = over ?? {};
  return compact<AgentOptions>({
    config: last(a.config, b.config),
    companions: replace(a.companions, b.companions),
    version: last(a.version, b.version),
  } satisfies Record<keyof AgentOptions, unknown>);
}

function mergeImage(a: ImageOptions, b: ImageOptions): ImageOptions {
  return compact<ImageOptions>({
    base: last(a.base, b.base),
  } satisfies Record<keyof ImageOptions, unknown>);
}

function mergeResources(a: ResourceLimits, b: ResourceLimits): ResourceLimits {
  return compact<ResourceLimits>({
    cpus: last(a.cpus, b.cpus),
    memory: last(a.memory, b.memory),
    pids: last(a.pids, b.pids),
  } satisfies Record<keyof ResourceLimits, unknown>);
}

/** The overlay's value when it sets one; `false` and `0` count as set. */
function last<T>(base: T | undefined, over: T | undefined): T | undefined {
  return over === undefined ? base : over;
}

function concat<T>(
  base: readonly T[] | undefined,
  over: readonly T[] | undefined,
): T[] | undefined {
  if (base === undefined && over === undefined) return undefined;
  return [...(base ?? []), ...(over ?? [])];
}

function replace<T>(
  base: readonly T[] | undefined,
  over: readonly T[] | undefined,
): T[] | undefined {
  const chosen = over ?? base;
  return chosen === undefined ? undefined : [...chosen];
}

function copyCredentials(value: KitOptions['credentials']): KitOptions['credentials'] {
  return Array.isArray(value) ? [...value] : value;
}

/**
 * Merge two maps key by key, base keys first. `mergeValue` is called for
 * every key (with undefined for a missing side) so values are always copied.
 */
function mergeRecord<V, R>(
  base: Readonly<Record<string, V>> | undefined,
  over: Readonly<Record<string, V>> | undefined,
  mergeValue: (a: V | undefined, b: V | undefined) => R,
): Record<string, R> | undefined {
  if (base === undefined && over === undefined) return undefined;
  const keys = new Set([...Object.keys(base ?? {}), ...Object.keys(over ?? {})]);
  // Own-property lookups: a key like `constructor` must not find Object.prototype's.
  const entries = [...keys].map((key) => [key, mergeValue(own(base, key), own(over, key))]);
  // fromEntries defines own properties, so even `__proto__` stays an ordinary key.
  return Object.fromEntries(entries);
}

function own<V>(record: Readonly<Record<string, V>> | undefined, key: string): V | undefined {
  return record !== undefined && Object.hasOwn(record, key) ? record[key] : undefined;
}

/** Drop keys whose value is undefined, so merged output has only what some layer set. */
function compact<T extends object>(value: { [K in keyof T]: T[K] | undefined }): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}
