import { describe, expect, test } from 'vitest';
import { fakeKit } from '../../test/support/kits.js';
import { AGENTS } from '../agents/index.js';
import { loadLayerFromText } from '../config/load.js';
import type { SetupAnswers } from '../config/writer.js';
import { renderGlobalConfig } from '../config/writer.js';
import { UserError } from '../errors.js';
import { KITS } from '../kits/index.js';
import type { Answer } from '../ui/prompts.js';
import {
  answersFromFlags,
  credentialKits,
  credentialsQuestion,
  defaultAnswers,
  normalizeAnswers,
  setupSteps,
} from './questions.js';

const registry = { agents: AGENTS, kits: KITS };

/** Runs the steps with scripted answers (by step name); unscripted steps take the initial value. */
function runSteps(script: Record<string, Answer>) {
  let answers: SetupAnswers = defaultAnswers(registry);
  const asked: string[] = [];
  for (const step of setupSteps(registry)) {
    const question = step.question(answers);
    if (!question) continue;
    asked.push(step.name);
    answers = step.apply(answers, script[step.name] ?? question.initial);
  }
  return { answers, asked };
}

describe('setup steps', () => {
  test('accepting everything: claude, the default kits, isolated, no credentials', () => {
    const { answers, asked } = runSteps({});
    expect(asked).toEqual(['agents', 'kits', 'isolation', 'credentials']);
    const defaultKits = KITS.filter((kit) => kit.tier === 'default' && !kit.name.includes('/'));
    expect(defaultKits.map((kit) => kit.name)).toEqual(expect.arrayContaining(['java', 'github']));
    expect(answers).toEqual({
      agents: ['claude'],
      agent: 'claude',
      kits: defaultKits.map((kit) => kit.name),
      isolation: 'isolated',
      credentials: [],
    });
  });

  test('the questions preselect claude and the default-tier kits; isolated is recommended', () => {
    const answers = defaultAnswers(registry);
    const [agents, , kits, isolation] = setupSteps(registry).map((s) => s.question(answers));
    expect(agents?.initial).toEqual(['claude']);
    expect(agents?.choices.map((c) => c.value)).not.toContain('echo');
    expect(kits?.choices.map((c) => c.value)).not.toContain('node');
    expect(isolation?.initial).toBe('isolated');
    expect(isolation?.choices.find((c) => c.value === 'isolated')?.label).toMatch(/recommended/);
    expect(isolation?.choices.find((c) => c.value === 'shared')?.hint).toMatch(/READ-WRITE/);
  });

  test('several agents ask for the default one; an empty pick falls back to claude', () => {
    const several = runSteps({ agents: ['codex', 'gemini'], agent: 'gemini' });
    expect(several.asked).toContain('agent');
    expect(several.answers).toMatchObject({ agents: ['codex', 'gemini'], agent: 'gemini' });
    const none = runSteps({ agents: [] });
    expect(none.answers).toMatchObject({ agents: ['claude'], agent: 'claude' });
  });

  test('credentials are offered only for chosen kits', () => {
    const { answers, asked } = runSteps({ kits: ['python'] });
    expect(asked).not.toContain('credentials');
    expect(answers.credentials).toEqual([]);
    const q = credentialsQuestion(KITS, ['github'], []);
    expect(q?.choices.map((c) => c.label)).toEqual(['GitHub']);
    expect(q?.initial).toEqual([]);
    expect(runSteps({ credentials: ['java', 'github'] }).answers.credentials).toEqual([
      'java',
      'github',
    ]);
  });

  test('normalizing drops credentials of kits that were then left out', () => {
    const start = { ...defaultAnswers(registry), credentials: ['github'] };
    expect(normalizeAnswers({ ...start, kits: ['java'] }, registry).credentials).toEqual([]);
  });
});

test('credentials a sub-kit takes are asked about, and written, on its parent', () => {
  const kits = [
    fakeKit('java', 'default'),
    { ...fakeKit('java/maven', 'default'), credentials: { label: 'Maven', effect: 'servers' } },
    fakeKit('python', 'default'),
  ];
  const subRegistry = { agents: AGENTS, kits };
  expect(credentialKits(kits).map((kit) => kit.name)).toEqual(['java']);
  expect(credentialsQuestion(kits, ['java', 'python'], [])?.choices).toEqual([
    { value: 'java', label: 'Maven', hint: 'servers' },
  ]);
  const answers = { ...defaultAnswers(subRegistry), credentials: ['java'] };
  const text = renderGlobalConfig(normalizeAnswers(answers, subRegistry), subRegistry);
  expect(text).toMatch(/^ {2}java:\n {4}credentials: auto +# Maven: servers$/m);
  expect(loadLayerFromText(text, '/h/.asylum/config.yaml').config.kits?.java).toEqual({
    credentials: 'auto',
  });
});

describe('asylum init flags', () => {
  test('no flags are the defaults', () => {
    expect(answersFromFlags({}, registry)).toEqual(defaultAnswers(registry));
  });

  test('each flag answers its question', () => {
    const answers = answersFromFlags(
      {
        agents: ['codex', 'claude'],
        kits: ['github'],
        isolation: 'shared',
        credentials: ['github'],
      },
      registry,
    );
    expect(answers).toEqual({
      agents: ['codex', 'claude'],
      agent: 'codex',
      kits: ['github'],
      isolation: 'shared',
      credentials: ['github'],
    });
    expect(answersFromFlags({ agent: 'gemini' }, registry).agents).toEqual(['gemini']);
    expect(answersFromFlags({ kits: [] }, registry).kits).toEqual([]);
  });

  test('unknown names are a command-line error with a suggestion', () => {
    const attempt = () => answersFromFlags({ kits: ['pyton'] }, registry);
    expect(attempt).toThrow(UserError);
    expect(attempt).toThrow(/--kits: unknown name "pyton" \(did you mean "python"\?\)/);
    expect(() => answersFromFlags({ isolation: 'none' }, registry)).toThrow(/--isolation/);
    expect(() => answersFromFlags({ credentials: ['python'] }, registry)).toThrow(/--credentials/);
  });
});
