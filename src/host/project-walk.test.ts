import { mkdirSync, mkdtempSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ensureProjectMountpoint, findPackageDirs, walkPackageDirs } from './project-walk.js';

let root: string;
let project: string;

beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'asylum-walk-'));
  project = join(root, 'project');
  mkdirSync(project);
});

afterEach(() => {
  rmSync(root, { recursive: true, force: true });
});

function touch(relative: string): void {
  const path = join(project, relative);
  mkdirSync(join(path, '..'), { recursive: true });
  writeFileSync(path, '{}');
}

describe('findPackageDirs', () => {
  it('finds package.json dirs at any depth, sorted, the root as "."', () => {
    for (const file of ['package.json', 'packages/web/package.json', 'a/b/c/d/package.json'])
      touch(file);
    touch('packages/api/package.json');
    expect(findPackageDirs(project)).toEqual(['.', 'a/b/c/d', 'packages/api', 'packages/web']);
  });

  it('prunes node_modules and .git everywhere, build and tool dirs below the root', () => {
    touch('package.json');
    for (const dir of ['node_modules/x', 'app/node_modules/y', '.git/z', 'app/.git/w'])
      touch(`${dir}/package.json`);
    for (const dir of ['dist', 'vendor', 'target', '.venv', '__pycache__', 'app/dist'])
      touch(`${dir}/pkg/package.json`);
    touch('app/package.json');
    expect(findPackageDirs(project)).toEqual(['.', 'app']);
  });

  it('walks a root that is itself named like a pruned dir', () => {
    const dist = join(root, 'dist');
    mkdirSync(join(dist, 'web'), { recursive: true });
    writeFileSync(join(dist, 'web', 'package.json'), '{}');
    expect(findPackageDirs(dist)).toEqual(['web']);
  });

  it('never follows symlinks, to dirs or to package.json files', () => {
    const outside = join(root, 'outside');
    mkdirSync(join(outside, 'deep'), { recursive: true });
    writeFileSync(join(outside, 'package.json'), '{}');
    writeFileSync(join(outside, 'deep', 'package.json'), '{}');
    symlinkSync(outside, join(project, 'link'));
    symlinkSync('/', join(project, 'slash'));
    symlinkSync(join(outside, 'package.json'), join(project, 'package.json'));
    expect(findPackageDirs(project)).toEqual([]);
  });

  it('does not shadow a node_modules that is a symlink or a file, and says so', () => {
    touch('a/package.json');
    touch('b/package.json');
    symlinkSync('/etc', join(project, 'a', 'node_modules'));
    writeFileSync(join(project, 'b', 'node_modules'), '');
    touch('c/package.json');
    mkdirSync(join(project, 'c', 'node_modules'));
    const walk = walkPackageDirs(project);
    expect(walk.dirs).toEqual(['c']);
    expect(walk.unusual).toEqual(['a', 'b']);
  });

  it('leaves out dirs whose names hold control characters', () => {
    touch('bad\nname/package.json');
    touch('good/package.json');
    const walk = walkPackageDirs(project);
    expect(walk.dirs).toEqual(['good']);
    expect(walk.oddNames).toEqual(['bad\nname']);
  });

  it('stops reading a huge directory at the entry cap', () => {
    mkdirSync(join(project, 'huge'));
    // Some 15k entries: more than fits the size below which a dir is read whole.
    for (let i = 0; i < 15_000; i++) writeFileSync(join(project, 'huge', `file-${i}`), '');
    expect(statSync(join(project, 'huge')).size).toBeGreaterThan(256 * 1024);
    const walk = walkPackageDirs(project, { maxEntries: 100, maxPackageDirs: 10 });
    expect(walk.truncated).toBe(true);
    expect(walk.visited).toBe(100);
  });

  it('stops after the entry cap', () => {
    for (let i = 0; i < 50; i++) touch(`flat/f${i}`);
    touch('package.json');
    const walk = walkPackageDirs(project, { maxEntries: 20, maxPackageDirs: 10 });
    expect(walk.truncated).toBe(true);
    expect(walk.visited).toBeLessThanOrEqual(20);
    const full = walkPackageDirs(project, { maxEntries: 1000, maxPackageDirs: 10 });
    expect(full.truncated).toBe(false);
    expect(full.visited).toBe(52);
  });

  it('caps the number of package dirs', () => {
    for (let i = 0; i < 5; i++) touch(`p${i}/package.json`);
    const walk = walkPackageDirs(project, { maxEntries: 1000, maxPackageDirs: 3 });
    expect(walk.dirs).toEqual(['p0', 'p1', 'p2']);
    expect(walk.capped).toBe(true);
  });

  it('survives a chain of directories deeper than a recursive walk could', () => {
    let path = project;
    for (let i = 0; i < 300; i++) path = join(path, 'd');
    mkdirSync(path, { recursive: true });
    writeFileSync(join(path, 'package.json'), '{}');
    expect(findPackageDirs(project)).toEqual([Array(300).fill('d').join('/')]);
  });
});

describe('ensureProjectMountpoint', () => {
  it('creates a missing node_modules as the caller', () => {
    touch('app/package.json');
    expect(ensureProjectMountpoint(project, 'app/node_modules')).toBe(true);
    expect(statSync(join(project, 'app', 'node_modules')).isDirectory()).toBe(true);
  });

  it('creates nothing through a symlinked parent', () => {
    const outside = join(root, 'outside');
    mkdirSync(outside);
    symlinkSync(outside, join(project, 'app'));
    expect(ensureProjectMountpoint(project, 'app/node_modules')).toBe(false);
    expect(() => statSync(join(outside, 'node_modules'))).toThrow();
  });
});
