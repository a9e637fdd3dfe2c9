import { AGENTS, DEFAULT_AGENT, findAgent } from '../agents/index.js';
import type { Agent } from '../agents/types.js';
import { formatProblem, locateKey } from '../config/load.js';
import { didYouMean } from '../config/schema.js';
import { validateBuildCommand, validatePackageName } from '../config/specs.js';
import type { Config, ConfigLayer, KitOptions } from '../config/types.js';
import { ConfigError } from '../errors.js';
import { findKit, KITS } from '../kits/index.js';
import type { Kit, KitOptionProblem } from '../kits/types.js';

/** What the run asked for on the command line, beyond plain config values. */
export interface SelectionFlags {
  /** `--kits a,b`: the kits for this run (always-on kits stay). */
  kits?: string[];
  /** `--agents a,b`: extra agents to install for this run. */
  agents?: string[];
}

export interface SelectedKit {
  kit: Kit;
  options: KitOptions;
}

export interface Selection {
  agent: Agent;
  installAgents: Agent[];
  /** The kits active in this run, with their merged options. */
  kits: SelectedKit[];
  /**
   * The kits of the shared base image: those your global config selects, with
   * its options. Project files and `--kits` change only the project image.
   */
  baseKits: SelectedKit[];
}

function unknownName(kind: 'kit' | 'agent', name: string, known: readonly string[]): string {
  return `unknown ${kind} "${name}"${didYouMean(name, known)} (known: ${known.join(', ')})`;
}

/** `java/nope`: the parent exists, so the sub-kit is what is wrong. */
function unknownKit(name: string, known: readonly string[]): string {
  const [parent, sub] = name.split('/', 2);
  if (sub !== undefined && parent !== undefined && findKit(parent)) {
    const subs = known.filter((other) => other.startsWith(`${parent}/`));
    const hint = didYouMean(name, subs);
    return `unknown sub-kit "${sub}" in kit "${parent}"${hint} (known: ${subs.join(', ')})`;
  }
  return unknownName('kit', name, known);
}

/** Where `packages:` and `build:` entries belong, for the message when they are misplaced. */
const INSTALL_HOMES: Record<string, string> = {
  packages: 'kits.apt.packages (Debian), kits.node.packages (npm), kits.python.packages',
  build: 'kits.shell.build',
};

/** Problems in one kit entry's `packages:`/`build:` lists and kit-specific values. */
function kitOptionProblems(kit: Kit, options: KitOptions): KitOptionProblem[] {
  const problems: KitOptionProblem[] = [];
  for (const key of ['packages', 'build'] as const) {
    const items = options[key];
    if (items === undefined) continue;
    const installs = kit.userInstalls;
    if (installs?.key !== key) {
      const message = `the ${kit.name} kit takes no ${key}; use ${INSTALL_HOMES[key]}`;
      problems.push({ path: [key], message });
      continue;
    }
    items.forEach((item, index) => {
      try {
        if (key === 'build') validateBuildCommand(item);
        else validatePackageName(installs.noun, item);
      } catch (error) {
        problems.push({ path: [key, index], message: (error as Error).message });
      }
    });
  }
  return [...problems, ...(kit.checkOptions?.(options) ?? [])];
}

/** Kit option values that reach a Dockerfile, checked in the layer that wrote them. */
function checkKitOptions(layers: readonly ConfigLayer[]): void {
  const problems = layers.flatMap((layer) =>
    Object.entries(layer.config.kits ?? {}).flatMap(([name, options]) => {
      const kit = findKit(name);
      if (!kit || !options) return [];
      return kitOptionProblems(kit, options).map(({ path, message }) =>
        formatProblem(layer, ['kits', name, ...path], message),
      );
    }),
  );
  if (problems.length > 0) throw new ConfigError(problems);
}

/** Checks every kit and agent name in every layer, so errors point into the right file. */
function checkNames(layers: readonly ConfigLayer[]): void {
  const kitNames = KITS.map((kit) => kit.name);
  const agentNames = AGENTS.map((agent) => agent.name);
  const problems: string[] = [];
  let inFiles = false;
  for (const layer of layers) {
    const before = problems.length;
    for (const name of Object.keys(layer.config.kits ?? {})) {
      if (!findKit(name))
        problems.push(formatProblem(layer, ['kits', name], unknownKit(name, kitNames)));
    }
    for (const name of Object.keys(layer.config.agents ?? {})) {
      if (!findAgent(name)) {
        problems.push(
          formatProblem(layer, ['agents', name], unknownName('agent', name, agentNames)),
        );
      }
    }
    const agent = layer.config.agent;
    if (agent !== undefined && !findAgent(agent)) {
      problems.push(
        `${locateKey(layer, ['agent'])}: agent: ${unknownName('agent', agent, agentNames)}`,
      );
    }
    if (problems.length > before && layer.source !== 'command line') inFiles = true;
  }
  // Only a flag is wrong (`-a cluade`): a command-line error, exit 2.
  if (problems.length > 0) throw new ConfigError(problems, undefined, inFiles ? 1 : 2);
}

function flagNames(flag: string, names: readonly string[], known: readonly string[]): void {
  const problems = names
    .filter((name) => !known.includes(name))
    .map((name) => `${flag}: ${unknownName(flag === '--kits' ? 'kit' : 'agent', name, known)}`);
  if (problems.length > 0) throw new ConfigError(problems, undefined, 2);
}

/**
 * Which kits a config (and `--kits`) turns on. A kit key turns on the kit and
 * its sub-kits, except opt-in ones; a sub-kit key (`java/maven`) turns on its
 * parent with only the sub-kits named. Sub-kits see their parent's options
 * under their own.
 */
function selectKits(config: Config, flags: SelectionFlags): SelectedKit[] {
  const configured = config.kits ?? {};
  if (flags.kits)
    flagNames(
      '--kits',
      flags.kits,
      KITS.map((kit) => kit.name),
    );
  // A key that is only there to disable something names nothing.
  const named =
    flags.kits ?? Object.keys(configured).filter((name) => !configured[name]?.disabled);
  const disabled = (name: string) => !flags.kits && configured[name]?.disabled === true;
  const namesSubKit = (parent: string) => named.some((name) => name.startsWith(`${parent}/`));
  const topLevelOn = (kit: Kit): boolean => {
    if (disabled(kit.name)) return false;
    if (named.includes(kit.name) || namesSubKit(kit.name)) return true;
    return flags.kits ? kit.tier === 'always' : kit.tier !== 'opt-in';
  };
  const wanted = (kit: Kit): boolean => {
    const parent = kit.parent === undefined ? undefined : findKit(kit.parent);
    if (!parent) return topLevelOn(kit);
    if (!topLevelOn(parent) || disabled(kit.name)) return false;
    // An always-on sub-kit (node/npm) stays whatever else is named.
    if (named.includes(kit.name) || kit.tier === 'always') return true;
    const onlyNamedSubKits = !named.includes(parent.name) && namesSubKit(parent.name);
    return !onlyNamedSubKits && kit.tier !== 'opt-in';
  };
  return KITS.filter(wanted).map((kit) => ({ kit, options: optionsOf(kit, configured) }));
}

function optionsOf(kit: Kit, configured: Record<string, KitOptions | null>): KitOptions {
  const own = configured[kit.name] ?? {};
  if (kit.parent === undefined) return own;
  return { ...(configured[kit.parent] ?? {}), ...own };
}

/**
 * Decides which agent runs, which agents the image carries, which kits are
 * active and which of them the shared base image holds (`baseConfig`: the
 * global file's config; without it, every active kit is a base kit). Pure:
 * config in, selection out; every bad name is a ConfigError that points at
 * the file and line (or the flag) it came from.
 */
export function selectRun(
  layers: readonly ConfigLayer[],
  config: Config,
  flags: SelectionFlags,
  baseConfig?: Config,
): Selection {
  checkNames(layers);
  checkKitOptions(layers);
  const agent = findAgent(config.agent ?? DEFAULT_AGENT)!;
  // Companions run beside the agent, so the image must carry them too.
  const companions = config.agents?.[agent.name]?.companions ?? [];
  const known = companions.filter((name) => findAgent(name) !== undefined);
  const names = new Set([agent.name, ...Object.keys(config.agents ?? {}), ...known]);
  if (flags.agents) {
    flagNames(
      '--agents',
      flags.agents,
      AGENTS.map((a) => a.name),
    );
    for (const name of flags.agents) names.add(name);
  }
  const installAgents = [...names].sort().map((name) => findAgent(name)!);
  const kits = selectKits(config, flags);
  const baseKits = baseConfig === undefined ? kits : selectKits(baseConfig, {});
  return { agent, installAgents, kits, baseKits };
}
