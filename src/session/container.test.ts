import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { removeOrphanEnvFiles } from './container.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'asylum-envfiles-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('removeOrphanEnvFiles', () => {
  it('removes the env files of dead processes and keeps live ones and other files', () => {
    // A process that has come and gone: its pid is free (reuse this soon is unlikely).
    const dead = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], {
      encoding: 'utf8',
    }).stdout;
    for (const name of [`env-${dead}`, `env-${process.pid}`, 'env-notes', 'history'])
      writeFileSync(join(dir, name), 'SECRET=1\n');
    removeOrphanEnvFiles(dir);
    expect(readdirSync(dir).sort()).toEqual(['env-notes', `env-${process.pid}`, 'history'].sort());
  });
});
