import { AGENTS, DEFAULT_AGENT, findAgent } from '../agents/index.js';
import type { Agent } from '../agents/types.js';
import { formatProblem, locateKey } from '../config/load.js';
import { didYouMean } from '../config/schema.js';
import type { Config, ConfigLayer, KitOptions } from '../config/types.js';
import { ConfigError } from '../errors.js';
import { findKit, KITS } from '../kits/index.js';
import type { Kit } from '../kits/types.js';

/** What the run asked for on the command line, beyond plain config values. */
export interface SelectionFlags {
  /** `--kits a,b`: the kits for this run (always-on kits stay). */
  kits?: string[];
  /** `--agents a,b`: extra agents to install for this run. */
  agents?: string[];
}

export interface Selection {
  agent: Agent;
  installAgents: Agent[];
  kits: { kit: Kit; options: KitOptions }[];
}

function unknownName(kind: 'kit' | 'agent', name: string, known: readonly string[]): string {
  return `unknown ${kind} "${name}"${didYouMean(name, known)} (known: ${known.join(', ')})`;
}

/** Checks every kit and agent name in every layer, so errors point into the right file. */
function checkNames(layers: readonly ConfigLayer[]): void {
  const kitNames = KITS.map((kit) => kit.name);
  const agentNames = AGENTS.map((agent) => agent.name);
  const problems: string[] = [];
  for (const layer of layers) {
    for (const name of Object.keys(layer.config.kits ?? {})) {
      if (!findKit(name))
        problems.push(formatProblem(layer, ['kits', name], unknownName('kit', name, kitNames)));
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
  }
  if (problems.length > 0) throw new ConfigError(problems);
}

function flagNames(flag: string, names: readonly string[], known: readonly string[]): void {
  const problems = names
    .filter((name) => !known.includes(name))
    .map((name) => `${flag}: ${unknownName(flag === '--kits' ? 'kit' : 'agent', name, known)}`);
  if (problems.length > 0) throw new ConfigError(problems);
}

function selectKits(config: Config, flags: SelectionFlags) {
  const configured = config.kits ?? {};
  if (flags.kits)
    flagNames(
      '--kits',
      flags.kits,
      KITS.map((kit) => kit.name),
    );
  const wanted = (kit: Kit): boolean => {
    if (flags.kits) return kit.tier === 'always' || flags.kits.includes(kit.name);
    if (configured[kit.name]?.disabled) return false;
    return kit.tier !== 'opt-in' || Object.hasOwn(configured, kit.name);
  };
  return KITS.filter(wanted).map((kit) => ({ kit, options: configured[kit.name] ?? {} }));
}

/**
 * Decides which agent runs, which agents the image carries and which kits are
 * active. Pure: config in, selection out; every bad name is a ConfigError that
 * points at the file and line (or the flag) it came from.
 */
export function selectRun(
  layers: readonly ConfigLayer[],
  config: Config,
  flags: SelectionFlags,
): Selection {
  checkNames(layers);
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
  return { agent, installAgents, kits: selectKits(config, flags) };
}
