import { chmodSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { findPackageDirs, PRUNED_DIRS } from './project-walk.js';

let root: string;

function touch(relative: string, text = '{}'): void {
  const path = join(root, relative);
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, text);
}

beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'asylum-walk-'));
});

afterEach(() => {
  chmodSync(root, 0o755);
  rmSync(root, { recursive: true, force: true });
});

describe('findPackageDirs', () => {
  it('finds the root and nested packages, sorted', () => {
    touch('package.json');
    touch('packages/b/package.json');
    touch('packages/a/package.json');
    touch('apps/web/src/index.ts', '');
    expect(findPackageDirs(root)).toEqual([
      root,
      join(root, 'packages/a'),
      join(root, 'packages/b'),
    ]);
  });

  it.each([...PRUNED_DIRS])('never enters %s', (name) => {
    touch(`${name}/dep/package.json`);
    touch(`pkg/${name}/deep/package.json`);
    touch('pkg/package.json');
    expect(findPackageDirs(root)).toEqual([join(root, 'pkg')]);
  });

  it('does not follow symlinks, even one pointing back up the tree', () => {
    touch('real/package.json');
    symlinkSync(root, join(root, 'loop'));
    symlinkSync(join(root, 'real'), join(root, 'alias'));
    expect(findPackageDirs(root)).toEqual([join(root, 'real')]);
  });

  it('counts a directory named package.json as no package', () => {
    mkdirSync(join(root, 'odd/package.json'), { recursive: true });
    expect(findPackageDirs(root)).toEqual([]);
  });

  it.skipIf(process.getuid?.() === 0)('skips directories it cannot read', () => {
    touch('locked/inner/package.json');
    touch('open/package.json');
    chmodSync(join(root, 'locked'), 0o000);
    try {
      expect(findPackageDirs(root)).toEqual([join(root, 'open')]);
    } finally {
      chmodSync(join(root, 'locked'), 0o755);
    }
  });
});
