import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { detectLockfiles } from './onboarding.js';

let root: string;
let project: string;

beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'asylum-onboarding-'));
  project = join(root, 'project');
  mkdirSync(project);
});

afterEach(() => {
  rmSync(root, { recursive: true, force: true });
});

const sha = (text: string) => createHash('sha256').update(text).digest('hex');

describe('detectLockfiles', () => {
  it('takes the first lockfile present in each dir, with its content hash', () => {
    mkdirSync(join(project, 'web'));
    writeFileSync(join(project, 'package-lock.json'), 'npm-lock');
    writeFileSync(join(project, 'yarn.lock'), 'yarn-lock');
    writeFileSync(join(project, 'web', 'pnpm-lock.yaml'), 'pnpm-lock');
    const facts = detectLockfiles(project, ['.', 'web', 'nolock']);
    expect(facts.map((f) => [f.dir, f.kind.file, f.sha256])).toEqual([
      ['.', 'package-lock.json', sha('npm-lock')],
      ['web', 'pnpm-lock.yaml', sha('pnpm-lock')],
    ]);
  });

  it('never reads a lockfile through a symlink', () => {
    writeFileSync(join(root, 'secret'), 'not yours');
    symlinkSync(join(root, 'secret'), join(project, 'package-lock.json'));
    mkdirSync(join(root, 'elsewhere'));
    writeFileSync(join(root, 'elsewhere', 'yarn.lock'), 'x');
    symlinkSync(join(root, 'elsewhere'), join(project, 'linked'));
    expect(detectLockfiles(project, ['.', 'linked'])).toEqual([]);
  });
});
