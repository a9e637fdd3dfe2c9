import { chmodSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { problemsOf } from '../../test/support/errors.js';
import type { ConfigError } from '../errors.js';
import {
  createLayer,
  findLayerWithKey,
  findProjectConfigFiles,
  formatProblem,
  loadConfigLayers,
  loadLayerFromText,
  locateKey,
} from './load.js';

const FILE = '/p/.asylum';
const HOME = '/home/dev';

function load(text: string) {
  return loadLayerFromText(text, FILE, { home: HOME });
}

function problems(text: string): string[] {
  return problemsOf(() => load(text));
}

describe('loadLayerFromText: values', () => {
  test('a full layer', () => {
    const text = [
      'version: "0.2"',
      'agent: claude',
      'default-resume: true',
      'agents:',
      '  claude:',
      '  codex: { config: isolated, companions: [claude], version: 1.2.3 }',
      'kits:',
      '  java:',
      '    versions: [17, 21]',
      '    default-version: 21',
      '    credentials: auto',
      '  github: { credentials: false }',
      '  ports: { count: 8 }',
      '  ssh: { isolation: project }',
      '  node: { packages: [tsx], shadow-node-modules: false, onboarding: true }',
      '  shell: { build: ["echo hi"], disabled: false }',
      'image: { base: "debian:trixie" }',
      'ports: [3000, "8080:80"]',
      'volumes: ["~/.m2:ro"]',
      'env: { N: 1, B: true, S: text }',
    ].join('\n');
    expect(load(text).config).toEqual({
      version: '0.2',
      agent: 'claude',
      'default-resume': true,
      agents: {
        claude: null,
        codex: { config: 'isolated', companions: ['claude'], version: '1.2.3' },
      },
      kits: {
        java: { versions: ['17', '21'], 'default-version': '21', credentials: 'auto' },
        github: { credentials: false },
        ports: { count: 8 },
        ssh: { isolation: 'project' },
        node: { packages: ['tsx'], 'shadow-node-modules': false, onboarding: true },
        shell: { build: ['echo hi'], disabled: false },
      },
      image: { base: 'debian:trixie' },
      ports: ['3000', '8080:80'],
      volumes: ['~/.m2:ro'],
      env: { N: '1', B: 'true', S: 'text' },
    });
  });

  test('numbers written where text is wanted keep their exact spelling', () => {
    const text = 'version: 0.2\nkits:\n  java: { versions: [17, 21.10], default-version: 017 }\n';
    expect(load(`${text}env: { A: 1.10, B: 0x1F, C: True }\n`).config).toEqual({
      version: '0.2',
      kits: { java: { versions: ['17', '21.10'], 'default-version': '017' } },
      env: { A: '1.10', B: '0x1F', C: 'True' },
    });
  });

  test.each([
    ['', {}],
    ['# only a comment\n# and another\n', {}],
    ['---\n', {}],
    ['~\n', {}],
    ['\uFEFFagent: claude\n', { agent: 'claude' }],
  ])('%j is an empty or simple layer', (text, config) => {
    expect(load(text).config).toEqual(config);
  });

  test('a key with nothing after it is the same as leaving it out', () => {
    expect(load('ports:\n  # - 3000\nenv:\nkits:\n  java:\n    versions:\n').config).toEqual({
      kits: { java: {} },
    });
  });

  test('a kit or agent with nothing under it is kept as null (on, with defaults)', () => {
    expect(load('kits:\n  java:\nagents:\n  codex:\n').config).toEqual({
      kits: { java: null },
      agents: { codex: null },
    });
  });

  test('aliases are followed', () => {
    const text = 'kits:\n  java: &j { versions: [17] }\n  python: *j\n';
    expect(load(text).config.kits?.python).toEqual({ versions: ['17'] });
  });
});

describe('loadLayerFromText: problems', () => {
  test('unknown top-level key, with a suggestion', () => {
    expect(problems('agent: claude\nkit:\n  java:\n')).toEqual([
      '/p/.asylum:2:1: kit: unknown key (did you mean "kits"?)',
    ]);
  });

  test('unknown kit option, pointing at the key', () => {
    expect(problems('kits:\n  node:\n    shadow-node-module: false\n')).toEqual([
      '/p/.asylum:3:5: kits.node.shadow-node-module: unknown key' +
        ' (did you mean "shadow-node-modules"?)',
    ]);
  });

  test('unknown keys with no close match get no suggestion', () => {
    expect(problems('image:\n  flavour: x\nagents:\n  codex: { frobnicate: 1 }\n')).toEqual([
      '/p/.asylum:2:3: image.flavour: unknown key',
      '/p/.asylum:4:12: agents.codex.frobnicate: unknown key',
    ]);
  });

  test('malformed YAML', () => {
    expect(problems('agent: [claude\nports: []\n')).toEqual([
      '/p/.asylum:2:1: Flow sequence in block collection must be sufficiently indented' +
        ' and end with a ]',
    ]);
    expect(problems('\tagent: claude\n')[0]).toMatch(/^\/p\/\.asylum:1:1: /);
  });

  test('duplicate keys', () => {
    expect(problems('agent: a\nports: []\nagent: b\n')).toEqual([
      '/p/.asylum:3:1: duplicate key "agent"',
    ]);
    expect(problems('env:\n  A: x\n  "A": y\n')).toEqual(['/p/.asylum:3:3: duplicate key "A"']);
  });

  test('more than one document', () => {
    expect(problems('agent: a\n---\nagent: b\n')).toEqual([
      '/p/.asylum:2:1: the file holds more than one YAML document; remove the `---` line',
    ]);
  });

  test('the top level must be a mapping', () => {
    const message = 'the file must be a mapping of keys to values (like `agent: claude`)';
    expect(problems('- a\n- b\n')).toEqual([`/p/.asylum:1:1: ${message}`]);
    expect(problems('\n\njust words\n')).toEqual([`/p/.asylum:3:1: ${message}`]);
  });

  test('wrong types', () => {
    expect(problems('ports: 3000\n')).toEqual([
      '/p/.asylum:1:8: ports: expected a list, got 3000',
    ]);
    expect(problems('default-resume: "yes"\nvolumes: { a: b }\n')).toEqual([
      '/p/.asylum:1:17: default-resume: expected true or false, got the string "yes"',
      '/p/.asylum:2:10: volumes: expected a list, got a mapping',
    ]);
    expect(problems('kits:\n  java: [17]\n  ports: { count: 1.5 }\n')).toEqual([
      '/p/.asylum:2:9: kits.java: expected a mapping, got a list',
      '/p/.asylum:3:19: kits.ports.count: expected a whole number, got 1.5',
    ]);
  });

  test('enum values get a suggestion', () => {
    expect(problems('agents:\n  codex:\n    config: shard\n')).toEqual([
      '/p/.asylum:3:13: agents.codex.config: expected one of isolated, project, shared,' +
        ' got the string "shard" (did you mean "shared"?)',
    ]);
  });

  test('credentials: true is refused with the accepted forms', () => {
    expect(problems('kits:\n  github:\n    credentials: true\n')).toEqual([
      '/p/.asylum:3:18: kits.github.credentials: true is not supported;' +
        ' use auto, false, or a list of credential ids',
    ]);
  });

  test('a bad item inside a credentials list is pointed at exactly', () => {
    expect(problems('kits:\n  java:\n    credentials: [maven, 3]\n')).toEqual([
      '/p/.asylum:3:26: kits.java.credentials.1: expected a string, got 3',
    ]);
    expect(problems('kits:\n  java:\n    credentials: yes\n')).toEqual([
      '/p/.asylum:3:18: kits.java.credentials: expected auto, false, or a list of' +
        ' credential ids, got the string "yes"',
    ]);
  });

  test('bad ports', () => {
    expect(problems('ports:\n  - abc\n  - 70000\n  - 80:80:80\n  - 3000\n')).toEqual([
      '/p/.asylum:2:5: ports.0: invalid port "abc": "abc" is not a port number',
      '/p/.asylum:3:5: ports.1: invalid port "70000": 70000 must be between 1 and 65535',
      '/p/.asylum:4:5: ports.2: invalid port mapping "80:80:80": "80" is not an IP address' +
        ' (expected PORT, HOST:CONTAINER or IP:HOST:CONTAINER, optionally with /tcp or /udp)',
    ]);
  });

  test('bad volumes', () => {
    expect(problems('volumes:\n  - rel/dir:/data\n  - /a:/b:ro,bogus\n  - ~/ok:/ok\n')).toEqual([
      '/p/.asylum:2:5: volumes.0: invalid volume "rel/dir:/data": host path must be absolute' +
        ' (or start with ~)',
      '/p/.asylum:3:5: volumes.1: invalid mount option "bogus" in volume "/a:/b:ro,bogus"' +
        ' (allowed: ro, rw, z, Z, shared, slave, private, rshared, rslave, rprivate, nocopy,' +
        ' consistent, cached, delegated)',
    ]);
  });

  test('bad env names and values', () => {
    expect(problems('env:\n  GOOD: "a\\nb"\n  1BAD: x\n  EMPTY:\n')).toEqual([
      '/p/.asylum:2:9: env.GOOD: env var "GOOD" contains a newline, which the engine cannot pass',
      '/p/.asylum:3:3: env.1BAD: invalid env var name "1BAD": use letters, digits and _,' +
        ' not starting with a digit',
      '/p/.asylum:4:3: env.EMPTY: expected a string, got nothing (write "" for empty)',
    ]);
    expect(problems('env:\n  TEXT: |\n    two\n    lines\n')).toEqual([
      '/p/.asylum:2:9: env.TEXT: env var "TEXT" contains a newline, which the engine cannot pass',
    ]);
  });

  test('every problem in a file is reported, in file order', () => {
    const text = 'ports: [abc]\nkit: {}\nagent: 3\n';
    const error = (() => {
      try {
        load(text);
      } catch (e) {
        return e as ConfigError;
      }
      throw new Error('expected a ConfigError');
    })();
    expect(error.message).toBe('3 problems in the configuration');
    expect(error.problems).toEqual([
      '/p/.asylum:1:9: ports.0: invalid port "abc": "abc" is not a port number',
      '/p/.asylum:2:1: kit: unknown key (did you mean "kits"?)',
      '/p/.asylum:3:8: agent: expected a string, got 3',
    ]);
  });

  test('keys that cannot be plain object keys', () => {
    expect(problems('? [a, b]\n: 1\n__proto__: {}\n')).toEqual([
      '/p/.asylum:1:3: keys must be plain words, not lists or maps',
      '/p/.asylum:3:1: __proto__: this key is not allowed',
    ]);
  });

  test('odd keys are quoted so a problem stays on one line', () => {
    expect(problems('"a\\nb": 1\n')).toEqual(['/p/.asylum:1:1: "a\\nb": unknown key']);
  });

  test('aliases that contain themselves or expand without bound', () => {
    expect(problems('a: &x [*x]\n')).toEqual(['/p/.asylum:1:8: the alias *x contains itself']);
    const bomb = ['a: &a [x, x, x, x, x, x, x, x, x, x]'];
    for (const [i, name] of ['b', 'c', 'd', 'e', 'f', 'g'].entries()) {
      const previous = String.fromCharCode(97 + i);
      bomb.push(`${name}: &${name} [${Array(10).fill(`*${previous}`).join(', ')}]`);
    }
    expect(problems(bomb.join('\n'))).toEqual([
      expect.stringMatching(/the file expands to too many values \(check its aliases\)$/),
    ]);
  });

  test('unknown tags are problems, not silently read as strings', () => {
    expect(problems('agent: !secret claude\n')).toEqual([
      '/p/.asylum:1:8: Unresolved tag: !secret',
    ]);
  });
});

describe('positions for callers', () => {
  const layer = load('agent: claude\nkits:\n  javaa:\n    versions: [17, 21]\n');

  test('locate finds keys and list items', () => {
    expect(layer.locate(['kits', 'javaa'])).toEqual({ file: FILE, line: 3, column: 3 });
    expect(layer.locate(['kits', 'javaa', 'versions', 1])).toEqual({
      file: FILE,
      line: 4,
      column: 20,
    });
    expect(layer.locate(['kits', 'nothing'])).toBeUndefined();
  });

  test('locateKey and formatProblem', () => {
    expect(locateKey(layer, ['kits', 'javaa'])).toBe('/p/.asylum:3:3');
    expect(formatProblem(layer, ['kits', 'javaa'], 'unknown kit "javaa"')).toBe(
      '/p/.asylum:3:3: kits.javaa: unknown kit "javaa"',
    );
    const flags = createLayer('command line', { agent: 'x' });
    expect(formatProblem(flags, ['agent'], 'unknown agent "x"')).toBe(
      'command line: agent: unknown agent "x"',
    );
  });

  test('findLayerWithKey picks the highest layer that sets the key', () => {
    const flags = createLayer('command line', { agent: 'codex' });
    expect(findLayerWithKey([layer, flags], ['agent'])).toBe(flags);
    expect(findLayerWithKey([layer, flags], ['kits', 'javaa'])).toBe(layer);
    expect(findLayerWithKey([layer, flags], ['kits', 'constructor'])).toBeUndefined();
  });
});

describe('files', () => {
  let root: string;
  let home: string;
  let project: string;

  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'asylum-config-'));
    home = join(root, 'home');
    project = join(root, 'project');
    mkdirSync(project, { recursive: true });
  });

  afterEach(() => {
    rmSync(root, { recursive: true, force: true });
  });

  function write(path: string, text: string): string {
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, text);
    return path;
  }

  test('no files at all means no layers', () => {
    expect(findProjectConfigFiles(project)).toEqual({});
    expect(loadConfigLayers({ home, projectDir: project })).toEqual([]);
  });

  test('layers come in order global, project, local', () => {
    const global = write(join(home, '.asylum', 'config.yaml'), 'agent: claude\n');
    const main = write(join(project, '.asylum.yaml'), 'ports: ["3000"]\n');
    const local = write(join(project, '.asylum.local'), 'env: { A: b }\n');
    const layers = loadConfigLayers({ home, projectDir: project });
    expect(layers.map((layer) => [layer.source, layer.config])).toEqual([
      [global, { agent: 'claude' }],
      [main, { ports: ['3000'] }],
      [local, { env: { A: 'b' } }],
    ]);
  });

  test('a bad key in each layer is reported with its own file and position', () => {
    const global = write(join(home, '.asylum', 'config.yaml'), 'agent: claude\nkit: {}\n');
    const main = write(join(project, '.asylum'), '# project\n\nkits:\n  node:\n    packges: []\n');
    const local = write(join(project, '.asylum.local.yaml'), 'env: {}\n  \nvolume: []\n');
    expect(problemsOf(() => loadConfigLayers({ home, projectDir: project }))).toEqual([
      `${global}:2:1: kit: unknown key (did you mean "kits"?)`,
      `${main}:5:5: kits.node.packges: unknown key (did you mean "packages"?)`,
      `${local}:3:1: volume: unknown key (did you mean "volumes"?)`,
    ]);
  });

  test('both spellings of one file is an error naming both', () => {
    write(join(project, '.asylum'), '');
    write(join(project, '.asylum.yaml'), '');
    const both = `both ${join(project, '.asylum')} and ${join(project, '.asylum.yaml')} exist;`;
    expect(problemsOf(() => findProjectConfigFiles(project))).toEqual([`${both} remove one`]);

    rmSync(join(project, '.asylum'));
    write(join(project, '.asylum.local'), '');
    write(join(project, '.asylum.local.yaml'), '');
    expect(problemsOf(() => loadConfigLayers({ home, projectDir: project }))[0]).toContain(
      `both ${join(project, '.asylum.local')} and ${join(project, '.asylum.local.yaml')} exist`,
    );
  });

  test('problems of every file are collected, file problems included', () => {
    const global = write(join(home, '.asylum', 'config.yaml'), 'ports: [0]\n');
    write(join(project, '.asylum'), '');
    write(join(project, '.asylum.yaml'), '');
    const local = write(join(project, '.asylum.local'), 'agent: [\n');
    expect(problemsOf(() => loadConfigLayers({ home, projectDir: project }))).toEqual([
      `${global}:1:9: ports.0: invalid port "0": 0 must be between 1 and 65535`,
      `both ${join(project, '.asylum')} and ${join(project, '.asylum.yaml')} exist; remove one`,
      expect.stringMatching(`^${local}:2:1: `),
    ]);
  });

  test('a directory at a config path is ignored', () => {
    mkdirSync(join(project, '.asylum'));
    const main = write(join(project, '.asylum.yaml'), 'agent: codex\n');
    mkdirSync(join(home, '.asylum', 'config.yaml'), { recursive: true });
    expect(findProjectConfigFiles(project)).toEqual({ project: main });
    expect(loadConfigLayers({ home, projectDir: project }).map((l) => l.source)).toEqual([main]);
  });

  test('a path that cannot be checked is named', () => {
    symlinkSync('.asylum', join(project, '.asylum'));
    expect(problemsOf(() => findProjectConfigFiles(project))).toEqual([
      `cannot check ${join(project, '.asylum')}: ELOOP: too many symbolic links encountered`,
    ]);
  });

  test('a file that cannot be read is named (a socket fails even as root)', async () => {
    const path = join(project, '.asylum');
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(path, resolve));
    try {
      expect(problemsOf(() => loadConfigLayers({ home, projectDir: project }))).toEqual([
        expect.stringMatching(`^cannot use ${path}: it is not a regular file`),
      ]);
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });

  test.skipIf(process.getuid?.() === 0)('an unreadable file is named', () => {
    const main = write(join(project, '.asylum'), 'agent: x\n');
    chmodSync(main, 0o000);
    expect(problemsOf(() => loadConfigLayers({ home, projectDir: project }))).toEqual([
      `cannot read ${main}: EACCES: permission denied`,
    ]);
  });
});
