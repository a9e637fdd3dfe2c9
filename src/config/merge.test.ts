import { describe, expect, test } from 'vitest';
import { mergeLayers } from './merge.js';
import type { Config } from './types.js';

describe('mergeLayers', () => {
  test('no layers is an empty config', () => {
    expect(mergeLayers([])).toEqual({});
  });

  test('scalars: the last layer that sets a value wins, false included', () => {
    const merged = mergeLayers([
      { version: '0.2', agent: 'claude', 'default-resume': true, image: { base: 'a' } },
      { agent: 'codex' },
      { 'default-resume': false },
    ]);
    expect(merged).toEqual({
      version: '0.2',
      agent: 'codex',
      'default-resume': false,
      image: { base: 'a' },
    });
  });

  test('ports and volumes concatenate, lowest layer first, duplicates kept', () => {
    const merged = mergeLayers([
      { ports: ['3000'], volumes: ['/a'] },
      { ports: ['4000'] },
      { ports: ['5000', '3000'], volumes: ['/b'] },
    ]);
    expect(merged).toEqual({ ports: ['3000', '4000', '5000', '3000'], volumes: ['/a', '/b'] });
  });

  test('env merges per key, later wins', () => {
    const merged = mergeLayers([{ env: { A: '1', B: '1' } }, { env: { B: '2', C: '2' } }]);
    expect(merged).toEqual({ env: { A: '1', B: '2', C: '2' } });
  });

  test('kit options: packages and build concatenate, versions replace, scalars win', () => {
    const merged = mergeLayers([
      {
        kits: {
          java: { versions: ['17', '21'], packages: ['maven'], credentials: 'auto', count: 5 },
          shell: { build: ['echo 1'] },
        },
      },
      {
        kits: {
          java: { versions: ['25'], packages: ['gradle'], credentials: false, disabled: true },
          shell: { build: ['echo 2'] },
        },
      },
    ]);
    expect(merged.kits).toEqual({
      java: {
        versions: ['25'],
        packages: ['maven', 'gradle'],
        credentials: false,
        count: 5,
        disabled: true,
      },
      shell: { build: ['echo 1', 'echo 2'] },
    });
  });

  test('an empty list replaces a selection', () => {
    const merged = mergeLayers([
      { kits: { java: { versions: ['17'] } }, agents: { claude: { companions: ['codex'] } } },
      { kits: { java: { versions: [] } }, agents: { claude: { companions: [] } } },
    ]);
    expect(merged).toEqual({
      kits: { java: { versions: [] } },
      agents: { claude: { companions: [] } },
    });
  });

  test('agent options: companions replace, config and version win', () => {
    const merged = mergeLayers([
      { agents: { claude: { config: 'shared', companions: ['codex'], version: '1' } } },
      { agents: { claude: { config: 'isolated', companions: ['gemini'] }, codex: null } },
    ]);
    expect(merged.agents).toEqual({
      claude: { config: 'isolated', companions: ['gemini'], version: '1' },
      codex: null,
    });
  });

  test('a null entry and an object merge to the object, in either order', () => {
    expect(
      mergeLayers([{ kits: { java: null } }, { kits: { java: { versions: ['17'] } } }]).kits,
    ).toEqual({ java: { versions: ['17'] } });
    expect(
      mergeLayers([{ kits: { java: { versions: ['17'] } } }, { kits: { java: null } }]).kits,
    ).toEqual({ java: { versions: ['17'] } });
    expect(mergeLayers([{ kits: { java: null } }, { kits: { java: null } }]).kits).toEqual({
      java: null,
    });
    expect(
      mergeLayers([{ agents: { codex: null } }, { agents: { codex: { version: '2' } } }]),
    ).toEqual({ agents: { codex: { version: '2' } } });
  });

  test('an empty map stays present: kits: {} means no kits, unlike no kits key', () => {
    expect(mergeLayers([{ kits: {} }, { agent: 'claude' }])).toEqual({
      kits: {},
      agent: 'claude',
    });
    expect(mergeLayers([{ kits: { java: null } }, { kits: {} }])).toEqual({
      kits: { java: null },
    });
    expect(mergeLayers([{ agent: 'claude' }])).not.toHaveProperty('kits');
  });

  test('map keys that name Object.prototype members are ordinary keys', () => {
    const merged = mergeLayers([
      { env: { constructor: 'a' } },
      { env: { toString: 'b' }, kits: { constructor: null } },
    ]);
    expect(merged.env).toEqual({ constructor: 'a', toString: 'b' });
    expect(Object.hasOwn(merged.kits ?? {}, 'constructor')).toBe(true);
    expect(merged.kits?.constructor).toBeNull();
  });

  test('inputs are never mutated and the result shares nothing with them', () => {
    const base: Config = {
      ports: ['1'],
      env: { A: '1' },
      image: { base: 'x' },
      kits: { java: { packages: ['a'], versions: ['17'], credentials: ['maven'] } },
      agents: { claude: { companions: ['codex'] } },
    };
    const over: Config = { ports: ['2'], kits: { java: { packages: ['b'] } } };
    const before = structuredClone([base, over]);
    const merged = mergeLayers([deepFreeze(base), deepFreeze(over)]);
    expect([base, over]).toEqual(before);

    // Editing the result must not reach back into the inputs.
    const merged2 = mergeLayers([structuredClone(base)]);
    merged2.kits!.java!.versions!.push('99');
    merged2.kits!.java!.credentials = ['changed'];
    (merged2.agents!.claude!.companions as string[]).push('x');
    merged2.image!.base = 'changed';
    expect(mergeLayers([base])).toEqual(base);
    expect(merged.kits?.java?.packages).toEqual(['a', 'b']);
  });

  test('a single layer comes back as an equal copy', () => {
    const layer: Config = { kits: { java: { credentials: ['maven'] } }, env: { A: '1' } };
    const merged = mergeLayers([layer]);
    expect(merged).toEqual(layer);
    expect(merged.kits?.java?.credentials).not.toBe(layer.kits?.java?.credentials);
    expect(merged.env).not.toBe(layer.env);
  });
});

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null) {
    for (const inner of Object.values(value)) deepFreeze(inner);
    Object.freeze(value);
  }
  return value;
}
