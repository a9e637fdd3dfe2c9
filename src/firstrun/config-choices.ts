/**
 * `asylum config`: the choices its tabs show, read from the global file, and
 * how changed choices become edits of that file. Pure; only what differs
 * from the file is edited, so an untouched tab changes nothing.
 */
import { DEFAULT_AGENT } from '../agents/index.js';
import {
  agentsToIsolate,
  disableKit,
  enableKit,
  isKitOnInText,
  setAgentConfigMode,
  setKitCredentials,
} from '../config/kit-edits.js';
import { loadLayerFromText } from '../config/load.js';
import type { AgentConfigMode } from '../config/types.js';
import { credentialsOf, type Registry, selectableKits } from '../config/writer.js';
import { UserError } from '../errors.js';
import type { Question } from '../ui/prompts.js';
import {
  credentialKits,
  credentialsQuestion,
  ISOLATION_MODES,
  isolationQuestion,
  kitsQuestion,
} from './questions.js';

export interface ConfigChoices {
  /** Selectable kits that are on. */
  kits: string[];
  /** Kits whose credentials are on. */
  credentials: string[];
  /** The active agent's config mode. */
  isolation: AgentConfigMode;
}

export function readChoices(text: string, file: string, registry: Registry): ConfigChoices {
  const config = loadLayerFromText(text, file).config;
  const kits = selectableKits(registry.kits)
    .filter((kit) => isKitOnInText(text, file, kit))
    .map((kit) => kit.name);
  const credentials = credentialKits(registry.kits)
    .filter((kit) => kits.includes(kit.name))
    .filter((kit) => {
      const value = config.kits?.[kit.name]?.credentials;
      return value !== undefined && value !== false;
    })
    .map((kit) => kit.name);
  const agent = config.agent ?? DEFAULT_AGENT;
  return { kits, credentials, isolation: config.agents?.[agent]?.config ?? 'isolated' };
}

/** The edits that take the file from `before` to `after`: kits first, then credentials. */
export function applyChoices(
  text: string,
  file: string,
  registry: Registry,
  before: ConfigChoices,
  after: ConfigChoices,
): string {
  let result = text;
  for (const kit of selectableKits(registry.kits)) {
    const on = after.kits.includes(kit.name);
    if (on === before.kits.includes(kit.name)) continue;
    result = on ? enableKit(result, file, kit) : disableKit(result, file, kit);
  }
  for (const kit of credentialKits(registry.kits)) {
    const on = after.credentials.includes(kit.name);
    if (on === before.credentials.includes(kit.name)) continue;
    // A kit that is off keeps its file entry as it is (see setKitCredentials).
    result = setKitCredentials(result, file, kit, on);
  }
  if (after.isolation !== before.isolation) {
    const config = loadLayerFromText(result, file).config;
    for (const agent of agentsToIsolate(config, DEFAULT_AGENT)) {
      result = setAgentConfigMode(result, file, agent, after.isolation);
    }
  }
  return result;
}

// ---------------------------------------------------------------------------
// Tabs

export type Tab = 'kits' | 'credentials' | 'isolation';

export function menuQuestion(choices: ConfigChoices, registry: Registry): Question {
  const labels = (names: string[]) => (names.length > 0 ? names.join(', ') : 'none');
  const credentialLabels = credentialKits(registry.kits)
    .filter((kit) => choices.credentials.includes(kit.name))
    .map((kit) => credentialsOf(kit, registry.kits)!.label);
  return {
    kind: 'one',
    message: 'What do you want to change? (your choices are kept until you save)',
    choices: [
      { value: 'kits', label: 'Kits', hint: labels(choices.kits) },
      { value: 'credentials', label: 'Credentials', hint: labels(credentialLabels) },
      { value: 'isolation', label: 'Agent config isolation', hint: choices.isolation },
      { value: 'save', label: 'Save and exit' },
      { value: 'quit', label: 'Exit without saving' },
    ],
    initial: 'kits',
  };
}

/** The question of a tab; credentials offers only kits that are on. */
export function tabQuestion(tab: Tab, choices: ConfigChoices, registry: Registry) {
  if (tab === 'kits') {
    const kits = selectableKits(registry.kits);
    return kitsQuestion('Kits that are on (in ~/.asylum/config.yaml)', kits, choices.kits);
  }
  if (tab === 'credentials') {
    return credentialsQuestion(registry.kits, choices.kits, choices.credentials);
  }
  return isolationQuestion(choices.isolation);
}

/** The choices after a tab's answer; credentials of kits turned off go too. */
export function withTabAnswer(
  tab: Tab,
  choices: ConfigChoices,
  answer: string | string[],
): ConfigChoices {
  const list = Array.isArray(answer) ? answer : [answer];
  if (tab === 'kits') {
    return {
      ...choices,
      kits: list,
      credentials: choices.credentials.filter((n) => list.includes(n)),
    };
  }
  if (tab === 'credentials') return { ...choices, credentials: list };
  return { ...choices, isolation: list[0] as AgentConfigMode };
}

// ---------------------------------------------------------------------------
// Flags: `asylum config --enable docker --disable python --credentials-on github`

export interface ConfigFlags {
  enable?: string[];
  disable?: string[];
  credentialsOn?: string[];
  credentialsOff?: string[];
  isolation?: string;
}

export function hasConfigFlags(flags: ConfigFlags): boolean {
  return Object.values(flags).some((value) => value !== undefined);
}

function check(flag: string, names: readonly string[] | undefined, known: readonly string[]) {
  const unknown = (names ?? []).filter((name) => !known.includes(name));
  if (unknown.length === 0) return;
  throw new UserError(`${flag}: unknown ${unknown.map((n) => `"${n}"`).join(', ')}`, {
    hint: `known: ${known.join(', ')}`,
    exitCode: 2,
  });
}

export function choicesFromFlags(
  before: ConfigChoices,
  flags: ConfigFlags,
  registry: Registry,
): ConfigChoices {
  const kitNames = selectableKits(registry.kits).map((kit) => kit.name);
  const credentialNames = credentialKits(registry.kits).map((kit) => kit.name);
  check('--enable', flags.enable, kitNames);
  check('--disable', flags.disable, kitNames);
  check('--credentials-on', flags.credentialsOn, credentialNames);
  check('--credentials-off', flags.credentialsOff, credentialNames);
  check('--isolation', flags.isolation === undefined ? undefined : [flags.isolation], [
    ...ISOLATION_MODES,
  ]);
  const kits = [...new Set([...before.kits, ...(flags.enable ?? [])])].filter(
    (name) => !flags.disable?.includes(name),
  );
  const credentials = [...new Set([...before.credentials, ...(flags.credentialsOn ?? [])])]
    .filter((name) => !flags.credentialsOff?.includes(name))
    .filter((name) => kits.includes(name));
  const isolation = (flags.isolation as AgentConfigMode | undefined) ?? before.isolation;
  return { kits, credentials, isolation };
}
