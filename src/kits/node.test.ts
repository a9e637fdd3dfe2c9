import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CHOWN_LIST, nodeKit, shadowMounts } from './node.js';
import type { KitRuntimeContext } from './types.js';

describe('shadowMounts', () => {
  it('mounts one named volume over each package dir node_modules', () => {
    const mounts = shadowMounts('C', '/p', ['.', 'packages/web']);
    expect(
      mounts.map(({ type, source, target, readOnly }) => [type, source, target, readOnly]),
    ).toEqual([
      ['volume', 'C-npm-dba27c31aad', '/p/node_modules', false],
      ['volume', 'C-npm-093be456e0e', '/p/packages/web/node_modules', false],
    ]);
  });
});

describe('node kit preparation', () => {
  let project: string;
  const warnings: string[] = [];

  beforeEach(() => {
    project = mkdtempSync(join(tmpdir(), 'asylum-node-kit-'));
    warnings.length = 0;
  });

  afterEach(() => {
    rmSync(project, { recursive: true, force: true });
  });

  function context(options: KitRuntimeContext['options']): KitRuntimeContext {
    return {
      home: '/home/dev',
      asylumDir: '/home/dev/.asylum',
      projectDir: project,
      container: 'C',
      projectDataDir: '/home/dev/.asylum/projects/C',
      options,
      uid: 1000,
      gid: 1000,
      warn: (message) => warnings.push(message),
      info: () => {},
    };
  }

  it('shadows every package dir and lists the mountpoints for init, NUL-separated', async () => {
    writeFileSync(join(project, 'package.json'), '{}');
    mkdirSync(join(project, 'dist', 'x'), { recursive: true });
    writeFileSync(join(project, 'dist', 'x', 'package.json'), '{}');
    const runtime = await nodeKit.prepare!(context({}));
    expect(runtime.mounts?.map((m) => m.target)).toEqual([join(project, 'node_modules')]);
    expect(runtime.stagedFiles?.[CHOWN_LIST]).toBe(`${join(project, 'node_modules')}\0`);
    expect(warnings).toEqual([]);
  });

  it('shadows nothing with shadow-node-modules: false, and clears the list', async () => {
    writeFileSync(join(project, 'package.json'), '{}');
    const runtime = await nodeKit.prepare!(context({ 'shadow-node-modules': false }));
    expect(runtime.mounts ?? []).toEqual([]);
    expect(runtime.stagedFiles?.[CHOWN_LIST]).toBe('');
  });

  it('warns when node_modules is a file', async () => {
    writeFileSync(join(project, 'package.json'), '{}');
    writeFileSync(join(project, 'node_modules'), '');
    const runtime = await nodeKit.prepare!(context({}));
    expect(runtime.mounts ?? []).toEqual([]);
    expect(warnings.join('\n')).toContain('./node_modules is not a directory');
    expect(readFileSync(join(project, 'node_modules'), 'utf8')).toBe('');
  });
});
