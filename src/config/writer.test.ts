import { describe, expect, test } from 'vitest';
import { fakeKit, OPT_IN_KITS } from '../../test/support/kits.js';
import { AGENTS } from '../agents/index.js';
import { credentialKits, normalizeAnswers } from '../firstrun/questions.js';
import { KITS } from '../kits/index.js';
import type { Kit } from '../kits/types.js';
import { isKitOn } from './kit-edits.js';
import { loadLayerFromText } from './load.js';
import {
  installableAgents,
  type Registry,
  renderGlobalConfig,
  type SetupAnswers,
  selectableKits,
} from './writer.js';

const FILE = '/home/dev/.asylum/config.yaml';

/** The real kits plus opt-in ones and a sub-kit, as other kits will add them. */
const EXTRA: Kit[] = [...OPT_IN_KITS, fakeKit('extra-optin/sub', 'default')];
const REGISTRIES: Record<string, Registry> = {
  real: { agents: AGENTS, kits: KITS },
  extended: { agents: AGENTS, kits: [...KITS, ...EXTRA] },
};

function subsets<T>(items: readonly T[]): T[][] {
  const all: T[][] = [[]];
  for (const item of items) for (const subset of [...all]) all.push([...subset, item]);
  return all;
}

function* allAnswers(registry: Registry): Generator<SetupAnswers> {
  const agentSets = [['claude'], ['codex'], ['claude', 'gemini', 'pi'], ['echo', 'opencode']];
  const kitNames = selectableKits(registry.kits).map((kit) => kit.name);
  const credentialNames = credentialKits(registry.kits).map((kit) => kit.name);
  const modes = ['isolated', 'project', 'shared'] as const;
  let n = 0;
  for (const agents of agentSets) {
    for (const kits of subsets(kitNames)) {
      for (const credentials of subsets(credentialNames)) {
        // Isolation is independent of the rest, so cycling it covers each mode everywhere.
        const isolation = modes[n++ % modes.length]!;
        const agent = agents[agents.length - 1]!;
        yield normalizeAnswers({ agents, agent, kits, credentials, isolation }, registry);
      }
    }
  }
}

describe.each(Object.entries(REGISTRIES))('renderGlobalConfig with the %s kits', (_, registry) => {
  test('every combination of answers loads and gives exactly what was chosen', () => {
    let count = 0;
    for (const answers of allAnswers(registry)) {
      count += 1;
      const text = renderGlobalConfig(answers, registry);
      const config = loadLayerFromText(text, FILE).config;
      expect(config.agent).toBe(answers.agent);
      expect(Object.keys(config.agents ?? {}).sort()).toEqual([...answers.agents].sort());
      for (const options of Object.values(config.agents ?? {})) {
        expect(options).toEqual({ config: answers.isolation });
      }
      const kits = config.kits ?? {};
      // Sub-kits follow their parent: only top-level kits are written and checked.
      const top = registry.kits.filter((kit) => !kit.name.includes('/'));
      const on = top.filter((kit) => isKitOn(kit, kits)).map((kit) => kit.name);
      const always = top.filter((kit) => kit.tier === 'always').map((kit) => kit.name);
      expect(on.sort()).toEqual([...answers.kits, ...always].sort());
      for (const name of credentialKits(registry.kits).map((kit) => kit.name)) {
        const wanted = answers.credentials.includes(name) ? 'auto' : undefined;
        expect(kits[name]?.credentials).toBe(wanted);
      }
    }
    expect(count).toBeGreaterThan(100);
  }, 60_000);
});

describe('the written file', () => {
  const registry = REGISTRIES.extended!;
  const answers = normalizeAnswers(
    {
      agents: ['claude'],
      agent: 'claude',
      kits: ['python', 'github'],
      credentials: [],
      isolation: 'isolated',
    },
    registry,
  );
  const text = renderGlobalConfig(answers, registry);

  test('lists every agent and kit, the ones not chosen commented out or disabled', () => {
    for (const agent of installableAgents(registry).filter((a) => a.name !== 'claude')) {
      expect(text).toMatch(new RegExp(`^  # ${agent.name}:`, 'm'));
    }
    expect(text).toMatch(/^ {2}# extra-optin:$/m);
    expect(text).toMatch(/^ {2}# vault:$/m);
    expect(text).toMatch(/^ {2}java:\n {4}disabled: true/m);
    expect(text).toMatch(/^ {2}github:\n {4}# credentials: auto/m);
    expect(text).toMatch(/^ {2}# node:$/m);
    expect(text).not.toMatch(/extra-optin\/sub:/);
  });

  test('says that shared isolation mounts the host config read-write', () => {
    expect(text).toMatch(/shared: .*READ-WRITE/);
  });

  test('keeps its lines under 100 columns, wrapping long kit summaries', () => {
    const long = text.split('\n').filter((line) => line.length > 99);
    expect(long).toEqual([]);
    const wordy = { ...OPT_IN_KITS[0]!, summary: 'many words '.repeat(20).trim() };
    const wrapped = renderGlobalConfig(answers, { ...registry, kits: [...KITS, wordy] });
    expect(wrapped.split('\n').filter((line) => line.length > 99)).toEqual([]);
    expect(wrapped).toMatch(/^ {2}# extra-optin \(opt-in\): many words.*\n {2}# {3}words/m);
    expect(loadLayerFromText(wrapped, FILE).config.kits).not.toHaveProperty('extra-optin');
  });

  test('only the chosen agents are active, and the test agent is not offered', () => {
    expect(text).not.toMatch(/# echo:/);
  });
});
