/**
 * The setup questions as data, and how answers (from the wizard or from
 * `asylum init`'s flags) become SetupAnswers. Pure: the prompt library only
 * ever sees a Question (src/ui/prompts.ts), so every step is unit-tested.
 */
import { DEFAULT_AGENT } from '../agents/index.js';
import { didYouMean } from '../config/schema.js';
import type { AgentConfigMode } from '../config/types.js';
import {
  credentialsOf,
  ISOLATION_HELP,
  installableAgents,
  type Registry,
  type SetupAnswers,
  selectableKits,
} from '../config/writer.js';
import { UserError } from '../errors.js';
import type { Kit } from '../kits/types.js';
import type { Answer, Question, Step } from '../ui/prompts.js';

export type { Answer, Question };

export const ISOLATION_MODES: readonly AgentConfigMode[] = ['isolated', 'project', 'shared'];

/** Top-level kits that take credentials, themselves or through a sub-kit. */
export function credentialKits(kits: readonly Kit[]): Kit[] {
  return selectableKits(kits).filter((kit) => credentialsOf(kit, kits) !== undefined);
}

/** Accepting every default: claude, the default-tier kits, isolated config, no credentials. */
export function defaultAnswers(registry: Registry): SetupAnswers {
  return {
    agents: [DEFAULT_AGENT],
    agent: DEFAULT_AGENT,
    kits: selectableKits(registry.kits)
      .filter((kit) => kit.tier === 'default')
      .map((kit) => kit.name),
    isolation: 'isolated',
    credentials: [],
  };
}

/** Consistent answers: at least one agent, the active one among them, credentials of chosen kits. */
export function normalizeAnswers(answers: SetupAnswers, registry: Registry): SetupAnswers {
  const known = new Set(registry.agents.map((agent) => agent.name));
  const picked = answers.agents.filter((name) => known.has(name));
  const agents =
    picked.length > 0 ? picked : [known.has(answers.agent) ? answers.agent : DEFAULT_AGENT];
  const agent = agents.includes(answers.agent) ? answers.agent : agents[0]!;
  const kits = selectableKits(registry.kits)
    .map((kit) => kit.name)
    .filter((name) => answers.kits.includes(name));
  const credentials = credentialKits(registry.kits)
    .map((kit) => kit.name)
    .filter((name) => kits.includes(name) && answers.credentials.includes(name));
  return { agents, agent, kits, isolation: answers.isolation, credentials };
}

const asList = (answer: Answer): string[] => (Array.isArray(answer) ? answer : [answer]);
const asOne = (answer: Answer): string => (Array.isArray(answer) ? answer[0]! : answer);

export function setupSteps(registry: Registry): Step<SetupAnswers>[] {
  const byName = new Map(registry.agents.map((agent) => [agent.name, agent]));
  return [
    {
      name: 'agents',
      question: (answers) => ({
        kind: 'many',
        message: 'Which agents should the image carry?',
        choices: installableAgents(registry).map((agent) => ({
          value: agent.name,
          label: agent.name,
          hint: agent.summary,
        })),
        initial: answers.agents,
      }),
      apply: (answers, answer) =>
        normalizeAnswers({ ...answers, agents: asList(answer) }, registry),
    },
    {
      name: 'agent',
      // With one agent there is nothing to choose.
      question: (answers) =>
        answers.agents.length < 2
          ? undefined
          : {
              kind: 'one',
              message: 'Which agent should `asylum` start?',
              choices: answers.agents.map((name) => ({
                value: name,
                label: name,
                hint: byName.get(name)?.summary ?? '',
              })),
              initial: answers.agent,
            },
      apply: (answers, answer) => normalizeAnswers({ ...answers, agent: asOne(answer) }, registry),
    },
    {
      name: 'kits',
      question: (answers) =>
        kitsQuestion(
          'Which kits should the sandbox have?',
          selectableKits(registry.kits),
          answers.kits,
        ),
      apply: (answers, answer) => normalizeAnswers({ ...answers, kits: asList(answer) }, registry),
    },
    {
      name: 'isolation',
      question: (answers) => isolationQuestion(answers.isolation),
      apply: (answers, answer) => ({ ...answers, isolation: asOne(answer) as AgentConfigMode }),
    },
    {
      name: 'credentials',
      question: (answers) => credentialsQuestion(registry.kits, answers.kits, answers.credentials),
      apply: (answers, answer) =>
        normalizeAnswers({ ...answers, credentials: asList(answer) }, registry),
    },
  ];
}

/** A multi-select over kits, opt-in ones marked as such. */
export function kitsQuestion(
  message: string,
  kits: readonly Kit[],
  initial: readonly string[],
): Question {
  return {
    kind: 'many',
    message,
    choices: kits.map((kit) => ({
      value: kit.name,
      label: kit.tier === 'opt-in' ? `${kit.name} (opt-in)` : kit.name,
      hint: kit.summary,
    })),
    initial: [...initial],
  };
}

export function isolationQuestion(current: AgentConfigMode): Question {
  return {
    kind: 'one',
    message: "Where should an agent's own config (login, settings) come from?",
    choices: ISOLATION_MODES.map((mode) => ({
      value: mode,
      label: mode === 'isolated' ? 'isolated (recommended)' : mode,
      hint: ISOLATION_HELP[mode],
    })),
    initial: current,
  };
}

/** Credentials of the chosen kits; none when no chosen kit has any. */
export function credentialsQuestion(
  kits: readonly Kit[],
  chosen: readonly string[],
  current: readonly string[],
): Question | undefined {
  const offered = credentialKits(kits).filter((kit) => chosen.includes(kit.name));
  if (offered.length === 0) return undefined;
  return {
    kind: 'many',
    message: 'Pass any host credentials into the container? (off unless you select them)',
    choices: offered.map((kit) => ({
      value: kit.name,
      label: credentialsOf(kit, kits)!.label,
      hint: credentialsOf(kit, kits)!.effect,
    })),
    initial: current.filter((name) => offered.some((kit) => kit.name === name)),
  };
}

// ---------------------------------------------------------------------------
// Flags: `asylum init --agents claude,codex --kits java,docker --yes`

export interface SetupFlags {
  agents?: string[];
  agent?: string;
  kits?: string[];
  isolation?: string;
  credentials?: string[];
}

function checkNames(flag: string, names: readonly string[], known: readonly string[]): void {
  const problems = names
    .filter((name) => !known.includes(name))
    .map((name) => `${flag}: unknown name "${name}"${didYouMean(name, known)}`);
  if (problems.length > 0) {
    throw new UserError(problems.join('; '), { hint: `known: ${known.join(', ')}`, exitCode: 2 });
  }
}

/** The defaults with each given flag applied; unknown names are an error (exit code 2). */
export function answersFromFlags(flags: SetupFlags, registry: Registry): SetupAnswers {
  const start = defaultAnswers(registry);
  const agentNames = registry.agents.map((agent) => agent.name);
  checkNames('--agents', flags.agents ?? [], agentNames);
  checkNames('--agent', flags.agent === undefined ? [] : [flags.agent], agentNames);
  checkNames(
    '--kits',
    flags.kits ?? [],
    selectableKits(registry.kits).map((kit) => kit.name),
  );
  const credentialNames = credentialKits(registry.kits).map((kit) => kit.name);
  checkNames('--credentials', flags.credentials ?? [], credentialNames);
  checkNames('--isolation', flags.isolation === undefined ? [] : [flags.isolation], [
    ...ISOLATION_MODES,
  ]);
  const agent = flags.agent ?? flags.agents?.[0] ?? start.agent;
  const agents = [...new Set([...(flags.agents ?? []), agent])];
  return normalizeAnswers(
    {
      agents,
      agent,
      kits: flags.kits ?? start.kits,
      isolation: (flags.isolation as AgentConfigMode | undefined) ?? start.isolation,
      credentials: flags.credentials ?? start.credentials,
    },
    registry,
  );
}
