import { createHash } from 'node:crypto';
import {
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { direnvAllowName, shellKit } from './shell.js';
import type { KitRuntimeContext } from './types.js';

let root: string;
let home: string;
let project: string;
let data: string;

beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'asylum-shell-kit-'));
  home = join(root, 'home');
  project = join(root, 'project');
  data = join(root, 'data');
  for (const dir of [home, project, data]) mkdirSync(dir);
  vi.stubEnv('XDG_DATA_HOME', '');
});

afterEach(() => {
  vi.unstubAllEnvs();
  rmSync(root, { recursive: true, force: true });
});

function context(): KitRuntimeContext {
  return {
    home,
    asylumDir: join(home, '.asylum'),
    projectDir: project,
    container: 'C',
    projectDataDir: data,
    options: {},
    uid: 1000,
    gid: 1000,
    warn: () => {},
    info: () => {},
  };
}

/** What `direnv allow` writes on the host: a file named by the hash, holding the path. */
function hostApproves(envrcPath: string, content: string): string {
  const name = createHash('sha256').update(`${envrcPath}\n${content}`).digest('hex');
  const dir = join(home, '.local', 'share', 'direnv', 'allow');
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, name), `${envrcPath}\n`);
  return name;
}

describe('shell kit: direnv approvals', () => {
  it('names an approval as direnv does: sha256 of path, newline, content', () => {
    writeFileSync(join(project, '.envrc'), 'export FOO=bar\n');
    const expected = createHash('sha256')
      .update(`${join(project, '.envrc')}\nexport FOO=bar\n`)
      .digest('hex');
    expect(direnvAllowName(project)).toBe(expected);
  });

  it("stages only this project's approval and mounts it read-only", async () => {
    writeFileSync(join(project, '.envrc'), 'export FOO=bar\n');
    const mine = hostApproves(join(project, '.envrc'), 'export FOO=bar\n');
    hostApproves('/elsewhere/.envrc', 'export OTHER=1\n');
    const runtime = await shellKit.prepare!(context());
    const staged = join(data, 'direnv-allow');
    expect(readdirSync(staged)).toEqual([mine]);
    expect(readFileSync(join(staged, mine), 'utf8')).toBe(`${join(project, '.envrc')}\n`);
    expect(runtime.mounts).toEqual([
      expect.objectContaining({
        source: staged,
        target: join(home, '.local/share/direnv/allow'),
        readOnly: true,
      }),
    ]);
  });

  it('stages nothing for an .envrc the host never approved, or approved before a change', async () => {
    hostApproves(join(project, '.envrc'), 'export FOO=old\n');
    writeFileSync(join(project, '.envrc'), 'export FOO=new\n');
    await shellKit.prepare!(context());
    expect(readdirSync(join(data, 'direnv-allow'))).toEqual([]);
  });

  it('ignores an .envrc that is a symlink, and a project without one', async () => {
    expect((await shellKit.prepare!(context())).mounts).toBeUndefined();
    writeFileSync(join(root, 'outside'), 'export X=1\n');
    symlinkSync(join(root, 'outside'), join(project, '.envrc'));
    expect((await shellKit.prepare!(context())).mounts).toBeUndefined();
  });
});
