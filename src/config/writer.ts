/**
 * The complete `~/.asylum/config.yaml` that `asylum init` and the first-run
 * wizard write. Every agent and kit asylum knows is in it: what was chosen is
 * active, the rest is there commented out (or, for a default kit that was
 * not chosen, with `disabled: true`) so it can be turned on by hand. Pure.
 */
import type { Agent } from '../agents/types.js';
import type { Kit, KitCredentials } from '../kits/types.js';
import type { AgentConfigMode } from './types.js';

/** What the wizard (or `asylum init`'s flags) decided. */
export interface SetupAnswers {
  /** Agents installed in the image. */
  agents: string[];
  /** The agent `asylum` starts. */
  agent: string;
  /** Kits chosen among the selectable ones (not always-on). */
  kits: string[];
  isolation: AgentConfigMode;
  /** Kits whose credentials are passed in. */
  credentials: string[];
}

export interface Registry {
  agents: readonly Agent[];
  kits: readonly Kit[];
}

/** Column where trailing comments start, so the file reads as a table. */
const COMMENT_COLUMN = 30;

function withComment(text: string, comment: string): string {
  return `${text.padEnd(COMMENT_COLUMN - 1)} # ${comment}`;
}

const HEADER = [
  '# asylum: your settings for every project (a project can add its own in .asylum).',
  '# A line that starts with "#" is off: delete the "# " to turn it on.',
  '# `asylum config` changes kits, credentials and agent config isolation in place.',
  '',
];

const FOOTER = [
  '',
  '# More settings (see "Configuration" in the README):',
  '# default-resume: true            # continue the last conversation of the project',
  '# ports:',
  '#   - "3000"                      # 127.0.0.1:3000 -> 3000 in the container',
  '# volumes:',
  '#   - ~/datasets:/data:ro',
  '# env:',
  '#   NODE_ENV: development',
];

export const ISOLATION_HELP: Record<AgentConfigMode, string> = {
  isolated: '~/.asylum/agents/<name>, seeded once from your own',
  project: 'a separate copy for each project, seeded from your own',
  shared: 'your own config dir (~/.claude, ...) mounted READ-WRITE into the container',
};

function agentLines(answers: SetupAnswers, registry: Registry): string[] {
  const lines = [
    withComment(`agent: ${answers.agent}`, 'the agent `asylum` starts'),
    '',
    "# Agents installed in the image. config: where an agent's config dir comes from:",
    ...(['isolated', 'project', 'shared'] as const).map((mode) => {
      const note = mode === 'isolated' ? ' (recommended)' : '';
      return `#   ${`${mode}:`.padEnd(10)}${ISOLATION_HELP[mode]}${note}`;
    }),
    'agents:',
  ];
  for (const agent of registry.agents) {
    if (!answers.agents.includes(agent.name)) continue;
    lines.push(`  ${agent.name}:`, `    config: ${answers.isolation}`);
  }
  for (const agent of installableAgents(registry)) {
    if (answers.agents.includes(agent.name)) continue;
    lines.push(withComment(`  # ${agent.name}:`, agent.summary));
  }
  return lines;
}

/** Agents a person would install: the test agent (`echo`) installs nothing and is left out. */
export function installableAgents(registry: Registry): Agent[] {
  return registry.agents.filter((agent) => agent.npmPackage !== undefined);
}

/** Kits a person picks from: not always-on, and not sub-kits (those follow their parent). */
export function selectableKits(kits: readonly Kit[]): Kit[] {
  return kits.filter((kit) => kit.tier !== 'always' && !kit.name.includes('/'));
}

/**
 * The credentials a kit takes: its own, or a sub-kit's (`java/maven`). Either
 * way they are set on the top-level kit, whose options its sub-kits see.
 */
export function credentialsOf(kit: Kit, kits: readonly Kit[]): KitCredentials | undefined {
  if (kit.credentials) return kit.credentials;
  return kits.find((sub) => sub.name.startsWith(`${kit.name}/`) && sub.credentials)?.credentials;
}

/** The tier follows the name, so a summary line never reads as a commented `name:` entry. */
const TIER_NOTE: Record<Kit['tier'], string> = {
  always: ' (always on)',
  default: ' (default)',
  'opt-in': ' (opt-in)',
};

/** Longest line the file gets, so it reads well in any editor. */
const WIDTH = 99;

/** `  # name (tier): summary` above each entry, wrapped to WIDTH. */
function summaryLines(kit: Kit): string[] {
  const lines: string[] = [];
  let line = `  # ${kit.name}${TIER_NOTE[kit.tier]}:`;
  for (const word of kit.summary.split(/\s+/)) {
    if (line.length + 1 + word.length > WIDTH) {
      lines.push(line);
      line = '  #  ';
    }
    line = `${line} ${word}`;
  }
  return [...lines, line];
}

function credentialLine(info: KitCredentials | undefined, on: boolean): string[] {
  if (!info) return [];
  const text = on ? '    credentials: auto' : '    # credentials: auto';
  return [withComment(text, `${info.label}: ${info.effect}`)];
}

/** A kit's lines in the state the answers put it in. */
export function kitBlock(
  kit: Kit,
  chosen: boolean,
  credentials: boolean,
  info: KitCredentials | undefined = kit.credentials,
): string[] {
  if (chosen)
    return [...summaryLines(kit), `  ${kit.name}:`, ...credentialLine(info, credentials)];
  if (kit.tier === 'default') {
    // Default kits are on unless disabled, so leaving one out would not turn it off.
    const off = withComment('    disabled: true', 'delete this line to turn it on');
    return [...summaryLines(kit), `  ${kit.name}:`, off];
  }
  return [...summaryLines(kit), `  # ${kit.name}:`];
}

function kitLines(answers: SetupAnswers, registry: Registry): string[] {
  const top = registry.kits.filter((kit) => !kit.name.includes('/'));
  const byName = (a: Kit, b: Kit) => a.name.localeCompare(b.name);
  const chosen = top.filter((kit) => kit.tier !== 'always' && answers.kits.includes(kit.name));
  const rest = top.filter((kit) => !chosen.includes(kit));
  const tierRank = { default: 0, 'opt-in': 1, always: 2 } as const;
  rest.sort((a, b) => tierRank[a.tier] - tierRank[b.tier] || byName(a, b));
  const blocks = [...chosen.sort(byName), ...rest].map((kit) =>
    kitBlock(
      kit,
      chosen.includes(kit),
      answers.credentials.includes(kit.name),
      credentialsOf(kit, registry.kits),
    ),
  );
  return [
    '',
    '# Kits shape the sandbox. Default kits are on unless `disabled: true`; opt-in kits',
    '# only when listed. Always-on kits are here, commented out, for their options.',
    'kits:',
    ...blocks.flat(),
  ];
}

/** The whole file, ending in a newline. */
export function renderGlobalConfig(answers: SetupAnswers, registry: Registry): string {
  return `${[...HEADER, ...agentLines(answers, registry), ...kitLines(answers, registry), ...FOOTER].join('\n')}\n`;
}
