import { execFile, spawnSync } from 'node:child_process';
import {
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { bundleChildScript } from '../../test/support/child-script.js';
import { ensureEd25519Key, openSshEd25519 } from './ssh-key.js';

const hasKeygen = spawnSync('ssh-keygen', ['-?']).error === undefined;

describe('ssh keys', () => {
  it.skipIf(!hasKeygen)('writes an in-process key that OpenSSH accepts', () => {
    const dir = mkdtempSync(join(tmpdir(), 'sshkey-'));
    const pair = openSshEd25519('test@asylum');
    writeFileSync(join(dir, 'k'), pair.privateKey, { mode: 0o600 });
    const derived = spawnSync('ssh-keygen', ['-y', '-f', join(dir, 'k')], { encoding: 'utf8' });
    expect(derived.status).toBe(0);
    expect(derived.stdout.trim()).toBe(pair.publicKey.trim());
  });

  it('generates a pair once, private key 0600', () => {
    const dir = join(mkdtempSync(join(tmpdir(), 'sshkey-')), 'ssh');
    expect(ensureEd25519Key(dir)).toBe(true);
    const first = readFileSync(join(dir, 'id_ed25519.pub'), 'utf8');
    expect(first).toMatch(/^ssh-ed25519 \S+ asylum@/);
    expect(statSync(join(dir, 'id_ed25519')).mode & 0o777).toBe(0o600);
    expect(ensureEd25519Key(dir)).toBe(false);
    expect(readFileSync(join(dir, 'id_ed25519.pub'), 'utf8')).toBe(first);
  });
});

describe('ensureEd25519Key when things go wrong', () => {
  let root: string;
  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'sshkey-'));
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  const keyOf = (line: string) => line.trim().split(' ').slice(0, 2).join(' ');
  /** The public key that OpenSSH derives from the private one: they must match. */
  const derivedPublic = (dir: string) =>
    spawnSync('ssh-keygen', ['-y', '-f', join(dir, 'id_ed25519')], { encoding: 'utf8' }).stdout;

  it('moves a pair cut short aside, with a warning, and makes a new one', () => {
    const dir = join(root, 'ssh');
    mkdirSync(dir);
    const whole = openSshEd25519('x').privateKey;
    writeFileSync(join(dir, 'id_ed25519'), whole.slice(0, 200), { mode: 0o600 });
    writeFileSync(join(dir, 'id_ed25519.pub'), '');
    const warnings: string[] = [];
    expect(ensureEd25519Key(dir, (message) => warnings.push(message))).toBe(true);
    expect(warnings).toEqual([expect.stringContaining('was incomplete; moved it to')]);
    expect(readFileSync(join(dir, 'id_ed25519'), 'utf8')).toMatch(/END OPENSSH PRIVATE KEY/);
    expect(readdirSync(root).sort()).toEqual(['ssh', expect.stringMatching(/^ssh\.broken-/)]);
  });

  it.skipIf(!hasKeygen)(
    'gives concurrent first runs one matching pair',
    async () => {
      const dir = join(root, 'ssh');
      const bundled = await bundleChildScript(
        [
          "import { ensureEd25519Key } from './ssh-key.js';",
          'process.stdout.write(String(ensureEd25519Key(process.argv[2])));',
        ],
        dirname(fileURLToPath(import.meta.url)),
      );
      try {
        const run = promisify(execFile);
        const runs = Array.from({ length: 6 }, () => run(process.execPath, [bundled.script, dir]));
        const created = (await Promise.all(runs)).map((result) => result.stdout);
        expect(created.filter((made) => made === 'true')).toHaveLength(1);
        const publicKey = readFileSync(join(dir, 'id_ed25519.pub'), 'utf8');
        expect(keyOf(derivedPublic(dir))).toBe(keyOf(publicKey));
        expect(readdirSync(root)).toEqual(['ssh']);
      } finally {
        bundled.remove();
      }
    },
    30_000,
  );
});
