import { describe, expect, test } from 'vitest';
import { OPT_IN_KITS } from '../../test/support/kits.js';
import { AGENTS } from '../agents/index.js';
import { loadLayerFromText } from '../config/load.js';
import { renderGlobalConfig } from '../config/writer.js';
import { KITS } from '../kits/index.js';
import {
  applyChoices,
  choicesFromFlags,
  menuQuestion,
  readChoices,
  tabQuestion,
  withTabAnswer,
} from './config-choices.js';
import { normalizeAnswers } from './questions.js';

const FILE = '/home/dev/.asylum/config.yaml';
const registry = { agents: AGENTS, kits: [...KITS, ...OPT_IN_KITS] };

/** What the wizard writes when only python is chosen. */
const WIZARD_FILE = renderGlobalConfig(
  normalizeAnswers(
    {
      agents: ['claude'],
      agent: 'claude',
      kits: ['python'],
      credentials: [],
      isolation: 'isolated',
    },
    registry,
  ),
  registry,
);
const configOf = (text: string) => loadLayerFromText(text, FILE).config;

describe('asylum config choices', () => {
  test('read from the file', () => {
    expect(readChoices(WIZARD_FILE, FILE, registry)).toEqual({
      kits: ['python'],
      credentials: [],
      isolation: 'isolated',
    });
  });

  test('saving without changes leaves the file byte for byte', () => {
    const before = readChoices(WIZARD_FILE, FILE, registry);
    expect(applyChoices(WIZARD_FILE, FILE, registry, before, before)).toBe(WIZARD_FILE);
  });

  test('enabling an opt-in kit really enables it; credentials follow in the same save', () => {
    const before = readChoices(WIZARD_FILE, FILE, registry);
    const after = { ...before, kits: ['python', 'vault', 'github'], credentials: ['vault'] };
    const result = applyChoices(WIZARD_FILE, FILE, registry, before, after);
    expect(configOf(result).kits?.vault).toEqual({ credentials: 'auto' });
    expect(configOf(result).kits?.github).toBeNull();
    expect(readChoices(result, FILE, registry)).toEqual({
      ...after,
      kits: ['python', 'github', 'vault'],
    });
    // Only the edited entries changed: every comment line of the original is still there.
    const comments = WIZARD_FILE.split('\n').filter((l) => l.trim().startsWith('#'));
    const kept = result.split('\n');
    const lost = comments.filter((line) => !kept.includes(line));
    expect(lost).toEqual(['  # vault:']);
  });

  test('credentials of a kit that stays off are not written (upstream re-activated it)', () => {
    const before = readChoices(WIZARD_FILE, FILE, registry);
    // As if a stale tab still held vault's credentials for a kit that is off.
    const after = { ...before, credentials: ['vault', 'github'] };
    const result = applyChoices(WIZARD_FILE, FILE, registry, before, after);
    expect(result).toBe(WIZARD_FILE);
    expect(configOf(result).kits).not.toHaveProperty('vault');
  });

  test('isolation is written only when changed, for the listed agents and the active one', () => {
    const before = readChoices(WIZARD_FILE, FILE, registry);
    const result = applyChoices(WIZARD_FILE, FILE, registry, before, {
      ...before,
      isolation: 'project',
    });
    expect(configOf(result).agents).toEqual({ claude: { config: 'project' } });
    expect(result).toBe(WIZARD_FILE.replace('    config: isolated', '    config: project'));
  });
});

describe('tabs', () => {
  const start = {
    kits: ['python', 'github'],
    credentials: ['github'],
    isolation: 'isolated' as const,
  };

  test('switching tabs keeps what was chosen (upstream lost it)', () => {
    const afterKits = withTabAnswer('kits', start, ['python', 'github', 'vault']);
    const afterIsolation = withTabAnswer('isolation', afterKits, 'shared');
    expect(afterIsolation).toEqual({
      kits: ['python', 'github', 'vault'],
      credentials: ['github'],
      isolation: 'shared',
    });
    expect(tabQuestion('kits', afterIsolation, registry)?.initial).toEqual(afterIsolation.kits);
    expect(menuQuestion(afterIsolation, registry).choices[2]?.hint).toBe('shared');
  });

  test('the credentials tab offers only kits that are on; turning a kit off drops them', () => {
    expect(tabQuestion('credentials', start, registry)?.choices.map((c) => c.value)).toEqual([
      'github',
    ]);
    expect(withTabAnswer('kits', start, ['python']).credentials).toEqual([]);
    expect(tabQuestion('credentials', { ...start, kits: ['python'] }, registry)).toBeUndefined();
  });
});

describe('asylum config flags', () => {
  const before = { kits: ['python'], credentials: [], isolation: 'isolated' as const };

  test('enable, disable, credentials and isolation', () => {
    expect(
      choicesFromFlags(
        before,
        { enable: ['vault', 'github'], disable: ['python'], credentialsOn: ['github', 'vault'] },
        registry,
      ),
    ).toEqual({
      kits: ['vault', 'github'],
      credentials: ['github', 'vault'],
      isolation: 'isolated',
    });
    expect(choicesFromFlags(before, { credentialsOn: ['github'] }, registry).credentials).toEqual(
      [],
    );
    expect(choicesFromFlags(before, { isolation: 'shared' }, registry).isolation).toBe('shared');
  });

  test('unknown names fail with exit code 2', () => {
    expect(() => choicesFromFlags(before, { enable: ['nope'] }, registry)).toThrow(
      /--enable: unknown "nope"/,
    );
    expect(() => choicesFromFlags(before, { isolation: 'open' }, registry)).toThrow(/--isolation/);
  });
});
