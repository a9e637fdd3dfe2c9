/**
 * Property: any sequence of `asylum config` changes, applied one save at a
 * time to any file the wizard writes, gives a file that loads, holds exactly
 * the kits and credentials asked for, and still has every comment line that
 * no change had a reason to touch.
 */
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { OPT_IN_KITS } from '../../test/support/kits.js';
import { AGENTS } from '../agents/index.js';
import { credentialKits, normalizeAnswers } from '../firstrun/questions.js';
import { KITS } from '../kits/index.js';
import { selectRun } from '../plan/selection.js';
import { disableKit, enableKit, isKitOn, setKitCredentials } from './kit-edits.js';
import { createLayer, loadLayerFromText } from './load.js';
import type { KitOptions } from './types.js';
import { credentialsOf, renderGlobalConfig, selectableKits } from './writer.js';

const FILE = '/home/dev/.asylum/config.yaml';
const registry = { agents: AGENTS, kits: [...KITS, ...OPT_IN_KITS] };
const selectable = selectableKits(registry.kits);
const names = selectable.map((kit) => kit.name);

type Change = { kind: 'on' | 'off' | 'credentials-on' | 'credentials-off'; kit: string };

const change: fc.Arbitrary<Change> = fc.record({
  kind: fc.constantFrom('on', 'off', 'credentials-on', 'credentials-off'),
  kit: fc.constantFrom(...names),
});

function apply(text: string, { kind, kit: name }: Change): string {
  const kit = selectable.find((k) => k.name === name)!;
  if (kind === 'on') return enableKit(text, FILE, kit);
  if (kind === 'off') return disableKit(text, FILE, kit);
  if (!credentialsOf(kit, registry.kits)) return text;
  return setKitCredentials(text, FILE, kit, kind === 'credentials-on');
}

/** What the changes should give, tracked without any text. */
function model(start: { kits: string[]; credentials: string[] }, changes: Change[]) {
  const on = new Set(start.kits);
  const credentials = new Set(start.credentials);
  for (const { kind, kit } of changes) {
    if (kind === 'on') on.add(kit);
    if (kind === 'off') on.delete(kit);
    // Credentials of a kit that is off are not written (the entry stays as it is).
    const capable = credentialKits(registry.kits).some((k) => k.name === kit);
    if (capable && on.has(kit) && kind === 'credentials-on') credentials.add(kit);
    if (capable && on.has(kit) && kind === 'credentials-off') credentials.delete(kit);
  }
  return { on, credentials };
}

describe('kit edits on wizard output', () => {
  test('any sequence of changes gives the asked-for kits and keeps untouched comments', () => {
    fc.assert(
      fc.property(
        fc.subarray(names),
        fc.subarray(['github', 'java', 'vault']),
        fc.array(change, { maxLength: 8 }),
        (kits, credentials, changes) => {
          const answers = normalizeAnswers(
            { agents: ['claude'], agent: 'claude', kits, credentials, isolation: 'isolated' },
            registry,
          );
          const start = renderGlobalConfig(answers, registry);
          const result = changes.reduce(apply, start);
          const config = loadLayerFromText(result, FILE).config;
          const expected = model(answers, changes);
          for (const kit of selectable) {
            expect(isKitOn(kit, config.kits ?? {})).toBe(expected.on.has(kit.name));
          }
          for (const kit of credentialKits(registry.kits)) {
            if (!expected.on.has(kit.name)) continue;
            const value = config.kits?.[kit.name]?.credentials;
            const isOn = value !== undefined && value !== false;
            expect(isOn).toBe(expected.credentials.has(kit.name));
          }
          // Comment lines go only when a kit or its credentials line is uncommented.
          const kept = new Set(result.split('\n'));
          const lost = start
            .split('\n')
            .filter((line) => line.trim().startsWith('#') && !kept.has(line));
          for (const line of lost)
            expect(line).toMatch(/^ {2}# [a-z][a-z0-9-]*:$|^ {4}# credentials:/);
        },
      ),
      { numRuns: 150 },
    );
  }, 60_000);
});

describe('isKitOn', () => {
  test('agrees with the run selection for the registered kits', () => {
    const entry = fc.constantFrom<KitOptions | null>(
      null,
      {},
      { disabled: true },
      { disabled: false },
    );
    const kitsMap = fc.dictionary(fc.constantFrom(...KITS.map((kit) => kit.name)), entry);
    fc.assert(
      fc.property(kitsMap, (kits) => {
        const config = { kits };
        const selected = selectRun([createLayer('test', config)], config, {}).kits;
        for (const kit of KITS.filter((k) => !k.name.includes('/'))) {
          const inRun = selected.some((s) => s.kit.name === kit.name);
          expect(isKitOn(kit, kits)).toBe(inRun);
        }
      }),
      { numRuns: 100 },
    );
  });
});
