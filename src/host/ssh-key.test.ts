import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
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
