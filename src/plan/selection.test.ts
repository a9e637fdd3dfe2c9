import { afterEach, describe, expect, it, vi } from 'vitest';
import { problemsOf } from '../../test/support/errors.js';
import { AGENTS } from '../agents/index.js';
import { createLayer, loadLayerFromText } from '../config/load.js';
import { mergeLayers } from '../config/merge.js';
import type { ConfigLayer } from '../config/types.js';
import { ConfigError } from '../errors.js';
import { findKit, KITS } from '../kits/index.js';
import type { Kit } from '../kits/types.js';
import { type SelectionFlags, selectRun } from './selection.js';

const HOME = '/home/dev';
// Kits are added often: expectations follow the registry's tiers, in its order.
const KNOWN_KITS = `(known: ${KITS.map((kit) => kit.name).join(', ')})`;
const KNOWN_AGENTS = `(known: ${AGENTS.map((agent) => agent.name).join(', ')})`;
const ALWAYS = kitsWhere((kit) => effectiveTier(kit) === 'always');
const BY_DEFAULT = kitsWhere((kit) => effectiveTier(kit) !== 'opt-in');

/** A sub-kit comes with its parent unless it is opt-in. */
function effectiveTier(kit: Kit): Kit['tier'] {
  const parent = kit.parent;
  if (!parent || kit.tier === 'opt-in') return kit.tier;
  return findKit(parent)!.tier;
}

function kitsWhere(wanted: (kit: Kit) => boolean): string[] {
  return KITS.filter(wanted).map((kit) => kit.name);
}

function without(names: string[], name: string): string[] {
  return names.filter((other) => other !== name);
}

function emptyOptions(names: string[]): Record<string, object> {
  return Object.fromEntries(names.map((name) => [name, {}]));
}

function fileLayer(text: string, file = '/p/.asylum'): ConfigLayer {
  return loadLayerFromText(text, file, { home: HOME });
}

/** Select from YAML layers (lowest first), merged the way a run merges them. */
function select(layers: ConfigLayer[], flags: SelectionFlags = {}) {
  const merged = mergeLayers(layers.map((layer) => layer.config));
  const selection = selectRun(layers, merged, flags);
  return {
    agent: selection.agent.name,
    installAgents: selection.installAgents.map((agent) => agent.name),
    kits: selection.kits.map(({ kit }) => kit.name),
    options: Object.fromEntries(selection.kits.map(({ kit, options }) => [kit.name, options])),
  };
}

function fromYaml(text: string, flags: SelectionFlags = {}) {
  return select([fileLayer(text)], flags);
}

describe('selectRun: agents', () => {
  it('runs claude by default and installs only it', () => {
    expect(select([])).toEqual({
      agent: 'claude',
      installAgents: ['claude'],
      kits: BY_DEFAULT,
      options: emptyOptions(BY_DEFAULT),
    });
  });

  it('installs the active agent, the agents keys and --agents, sorted, once each', () => {
    const result = fromYaml('agent: gemini\nagents:\n  echo:\n  codex: {version: "1.2"}\n', {
      agents: ['claude', 'codex'],
    });
    expect(result.agent).toBe('gemini');
    expect(result.installAgents).toEqual(['claude', 'codex', 'echo', 'gemini']);
  });

  it('takes the agent from the highest layer', () => {
    const layers = [
      fileLayer('agent: codex\n', '/home/dev/.asylum/config.yaml'),
      fileLayer('agent: gemini\n'),
      createLayer('command line', { agent: 'echo' }),
    ];
    expect(select(layers).agent).toBe('echo');
    expect(select(layers).installAgents).toEqual(['echo']);
  });
});

describe('selectRun: kits', () => {
  it('knows the tiers of the core kits', () => {
    expect(ALWAYS).toEqual(expect.arrayContaining(['node', 'ssh', 'shell']));
    expect(BY_DEFAULT).toContain('python');
    expect(ALWAYS).not.toContain('python');
  });

  it('passes each kit its options', () => {
    const result = fromYaml('kits:\n  python: {packages: [ruff]}\n  node:\n');
    expect(result.kits).toEqual(BY_DEFAULT);
    expect(result.options).toEqual({
      ...emptyOptions(BY_DEFAULT),
      python: { packages: ['ruff'] },
    });
  });

  it('removes a kit marked disabled', () => {
    const result = fromYaml('kits:\n  python: {disabled: true}\n');
    expect(result.kits).toEqual(without(BY_DEFAULT, 'python'));
  });

  it('a later layer can enable a kit again', () => {
    const layers = [
      fileLayer('kits:\n  python: {disabled: true}\n', '/home/dev/.asylum/config.yaml'),
      fileLayer('kits:\n  python: {disabled: false}\n'),
    ];
    expect(select(layers).kits).toEqual(BY_DEFAULT);
  });

  it('--kits keeps the always-on kits and the listed ones', () => {
    const alwaysAndPython = kitsWhere(
      (kit) => effectiveTier(kit) === 'always' || kit.name === 'python',
    );
    expect(select([], { kits: [] }).kits).toEqual(ALWAYS);
    expect(select([], { kits: ['python'] }).kits).toEqual(alwaysAndPython);
    const disabled = fromYaml('kits:\n  python: {disabled: true, packages: [x]}\n', {
      kits: ['python'],
    });
    expect(disabled.kits).toEqual(alwaysAndPython);
    expect(disabled.options.python).toEqual({ disabled: true, packages: ['x'] });
  });

  // BUG: src/plan/selection.ts selectKits: `kits: {}` selects the default-tier kits
  // (python) exactly as if `kits` were absent. merge.ts documents (and merge.test.ts
  // checks) that `kits: {}` means "no kits", unlike leaving `kits` out ("every kit");
  // upstream bug 38 was this very regression. Expected: only the always-on kits.
  // Decided: configuring kits never switches the default kits off; only `disabled` does.
  it('kits: {} keeps the default kits, like no kits key at all', () => {
    expect(fromYaml('kits: {}\n').kits).toEqual(BY_DEFAULT);
  });

  describe('with an opt-in kit', () => {
    const extra: Kit = { name: 'extra', tier: 'opt-in', summary: 'test kit', order: 40 };

    afterEach(() => {
      vi.doUnmock('../kits/index.js');
      vi.resetModules();
    });

    async function selectWithExtra(text: string, flags: SelectionFlags = {}) {
      vi.resetModules();
      vi.doMock('../kits/index.js', async (importOriginal) => {
        const real = await importOriginal<typeof import('../kits/index.js')>();
        const KITS = [...real.KITS, extra];
        return { ...real, KITS, findKit: (name: string) => KITS.find((kit) => kit.name === name) };
      });
      const mocked = await import('./selection.js');
      const layer = fileLayer(text);
      return mocked.selectRun([layer], layer.config, flags).kits.map(({ kit }) => kit.name);
    }

    it('leaves it out unless named', async () => {
      expect(await selectWithExtra('agent: claude\n')).toEqual(BY_DEFAULT);
      expect(await selectWithExtra('kits:\n  python:\n')).toEqual(BY_DEFAULT);
    });

    it('adds it when named in the config or in --kits', async () => {
      expect(await selectWithExtra('kits:\n  extra:\n')).toEqual([...BY_DEFAULT, 'extra']);
      expect(await selectWithExtra('', { kits: ['extra'] })).toEqual([...ALWAYS, 'extra']);
      expect(await selectWithExtra('kits:\n  extra: {disabled: true}\n')).toEqual(BY_DEFAULT);
    });
  });
});

describe('selectRun: sub-kits', () => {
  const NODE_SUBS = ['node/npm', 'node/pnpm', 'node/yarn'];

  it('brings every default sub-kit with its parent', () => {
    expect(BY_DEFAULT).toEqual(expect.arrayContaining(['node', ...NODE_SUBS]));
    expect(fromYaml('kits:\n  node: {}\n').kits).toEqual(BY_DEFAULT);
  });

  it('naming sub-kits without the parent keeps only those (and the always-on ones)', () => {
    const kits = fromYaml('kits:\n  node/pnpm: {}\n').kits;
    expect(kits).toEqual(without(BY_DEFAULT, 'node/yarn'));
    expect(kits).toContain('node/npm');
  });

  it('drops a disabled sub-kit, and all of them with a disabled parent', () => {
    expect(fromYaml('kits:\n  node/yarn: {disabled: true}\n').kits).toEqual(
      without(BY_DEFAULT, 'node/yarn'),
    );
    const none = fromYaml('kits:\n  node: {disabled: true}\n').kits;
    for (const name of ['node', ...NODE_SUBS]) expect(none).not.toContain(name);
  });

  it('--kits with a sub-kit keeps its parent and restricts its siblings', () => {
    const kits = select([], { kits: ['node/yarn'] }).kits;
    expect(kits).toEqual(expect.arrayContaining(['node', 'node/npm', 'node/yarn']));
    expect(kits).not.toContain('node/pnpm');
  });

  it('suggests the sub-kit meant', () => {
    const layer = fileLayer('kits:\n  node/pnmp: {}\n');
    expect(problemsOf(() => selectRun([layer], layer.config, {}))[0]).toContain(
      'unknown sub-kit "pnmp" in kit "node" (did you mean "node/pnpm"?)',
    );
  });
});

describe('selectRun: unknown names', () => {
  it('points at the file, line and column of each unknown name, with a suggestion', () => {
    const layer = fileLayer('agent: cluade\nkits:\n  pyhton: {}\n  node:\nagents:\n  codx:\n');
    expect(problemsOf(() => selectRun([layer], layer.config, {}))).toEqual([
      `/p/.asylum:3:3: kits.pyhton: unknown kit "pyhton" (did you mean "python"?) ${KNOWN_KITS}`,
      `/p/.asylum:6:3: agents.codx: unknown agent "codx" (did you mean "codex"?) ${KNOWN_AGENTS}`,
      `/p/.asylum:1:1: agent: unknown agent "cluade" (did you mean "claude"?) ${KNOWN_AGENTS}`,
    ]);
  });

  it('names the layer the bad name is in', () => {
    const layers = [
      fileLayer('kits:\n  python:\n', '/home/dev/.asylum/config.yaml'),
      fileLayer('# local overrides\nkits:\n  zig: {}\n', '/p/.asylum.local'),
    ];
    const merged = mergeLayers(layers.map((layer) => layer.config));
    expect(problemsOf(() => selectRun(layers, merged, {}))).toEqual([
      `/p/.asylum.local:3:3: kits.zig: unknown kit "zig" ${KNOWN_KITS}`,
    ]);
  });

  it('names the command line for a bad --agent value', () => {
    const layer = createLayer('command line', { agent: 'cdex' });
    const error = (() => {
      try {
        selectRun([layer], layer.config, {});
      } catch (caught) {
        return caught as ConfigError;
      }
      throw new Error('expected a ConfigError');
    })();
    expect(error).toBeInstanceOf(ConfigError);
    expect(error.message).toBe(
      `command line: agent: unknown agent "cdex" (did you mean "codex"?) ${KNOWN_AGENTS}`,
    );
  });

  it('names the --kits flag', () => {
    expect(problemsOf(() => selectRun([], {}, { kits: ['pyton', 'zzzz'] }))).toEqual([
      `--kits: unknown kit "pyton" (did you mean "python"?) ${KNOWN_KITS}`,
      `--kits: unknown kit "zzzz" ${KNOWN_KITS}`,
    ]);
  });

  it('names the --agents flag', () => {
    expect(problemsOf(() => selectRun([], {}, { agents: ['gemni'] }))).toEqual([
      `--agents: unknown agent "gemni" (did you mean "gemini"?) ${KNOWN_AGENTS}`,
    ]);
  });
});

describe('selectRun: sub-kits', () => {
  const javaFamily = (names: string[]) => names.filter((name) => name.startsWith('java'));

  it('brings the default sub-kits with their parent, the opt-in ones only when named', () => {
    expect(javaFamily(select([]).kits)).toEqual(['java', 'java/maven']);
    expect(javaFamily(fromYaml('kits:\n  java:\n').kits)).toEqual(['java', 'java/maven']);
    expect(javaFamily(fromYaml('kits:\n  java:\n  java/gradle:\n').kits)).toEqual([
      'java',
      'java/gradle',
      'java/maven',
    ]);
  });

  it('selects the parent with only the named sub-kits when the parent is not named', () => {
    expect(javaFamily(fromYaml('kits:\n  java/gradle:\n').kits)).toEqual(['java', 'java/gradle']);
    expect(javaFamily(select([], { kits: ['java/maven'] }).kits)).toEqual(['java', 'java/maven']);
  });

  it('switches a sub-kit off alone, or with its parent', () => {
    const off = fromYaml('kits:\n  java/maven: {disabled: true}\n  java:\n');
    expect(javaFamily(off.kits)).toEqual(['java']);
    expect(javaFamily(fromYaml('kits:\n  java: {disabled: true}\n').kits)).toEqual([]);
  });

  it("gives a sub-kit its parent's options under its own", () => {
    const options = fromYaml('kits:\n  java:\n    credentials: auto\n').options;
    expect(options['java/maven']).toEqual({ credentials: 'auto' });
  });

  it('names the parent of an unknown sub-kit', () => {
    const layer = fileLayer('kits:\n  java/mavn:\n');
    expect(problemsOf(() => selectRun([layer], layer.config, {}))).toEqual([
      '/p/.asylum:2:3: kits.java/mavn: unknown sub-kit "mavn" in kit "java" ' +
        '(did you mean "java/maven"?) (known: java/gradle, java/maven)',
    ]);
  });

  it('keeps the base kits to the global config: projects and --kits do not change them', () => {
    const global = fileLayer('kits:\n  apt:\n', '/home/dev/.asylum/config.yaml');
    const project = fileLayer('kits:\n  openspec:\n  python: {disabled: true}\n');
    const merged = mergeLayers([global.config, project.config]);
    const selection = selectRun([global, project], merged, { kits: ['node'] }, global.config);
    const names = (kits: typeof selection.kits) => kits.map(({ kit }) => kit.name);
    expect(names(selection.baseKits)).toEqual([...BY_DEFAULT, 'apt'].sort(byKitOrder));
    expect(names(selection.kits)).toEqual(ALWAYS);
  });
});

function byKitOrder(a: string, b: string): number {
  const order = KITS.map((kit) => kit.name);
  return order.indexOf(a) - order.indexOf(b);
}
