import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { worktreeDirs } from './git.js';

/** A main repository with one worktree, laid out the way `git worktree add` does. */
function repoWithWorktree() {
  const root = mkdtempSync(join(tmpdir(), 'wt-'));
  const common = join(root, 'main', '.git');
  const entry = join(common, 'worktrees', 'feature');
  const worktree = join(root, 'feature');
  mkdirSync(entry, { recursive: true });
  mkdirSync(join(common, 'objects'));
  writeFileSync(join(common, 'HEAD'), 'ref: refs/heads/main\n');
  mkdirSync(worktree);
  writeFileSync(join(worktree, '.git'), `gitdir: ${entry}\n`);
  writeFileSync(join(entry, 'commondir'), '../..\n');
  writeFileSync(join(entry, 'gitdir'), `${join(worktree, '.git')}\n`);
  return { root, common, entry, worktree };
}

describe('worktreeDirs', () => {
  it('mounts the worktree entry and the common git dir of a real worktree', () => {
    const { common, entry, worktree } = repoWithWorktree();
    expect(worktreeDirs(worktree)).toEqual([entry, common]);
  });

  it('ignores a .git file the agent aimed elsewhere (no gitdir pointing back)', () => {
    const { root, worktree } = repoWithWorktree();
    const target = join(root, 'secrets');
    mkdirSync(target);
    writeFileSync(join(worktree, '.git'), `gitdir: ${target}\n`);
    expect(worktreeDirs(worktree)).toEqual([]);
  });

  it('ignores a commondir the agent rewrote to name another host directory', () => {
    const { root, entry, worktree } = repoWithWorktree();
    const home = join(root, 'home');
    mkdirSync(home);
    writeFileSync(join(entry, 'commondir'), `${home}\n`);
    expect(worktreeDirs(worktree)).toEqual([entry]);
    writeFileSync(join(entry, 'commondir'), '../../../..\n');
    expect(worktreeDirs(worktree)).toEqual([entry]);
  });

  it('ignores a gitdir inside the project, even laid out like a worktree entry', () => {
    const root = mkdtempSync(join(tmpdir(), 'wt-'));
    const project = join(root, 'worktrees', 'app');
    mkdirSync(join(project, 'objects'), { recursive: true });
    writeFileSync(join(project, '.git'), 'gitdir: .\n');
    writeFileSync(join(project, 'gitdir'), `${join(project, '.git')}\n`);
    writeFileSync(join(project, 'commondir'), '../..\n');
    expect(worktreeDirs(project)).toEqual([]);
  });

  it("ignores another worktree's entry", () => {
    const { entry, root } = repoWithWorktree();
    const other = join(root, 'other');
    mkdirSync(other);
    writeFileSync(join(other, '.git'), `gitdir: ${entry}\n`);
    expect(worktreeDirs(other)).toEqual([]);
  });

  it('has nothing to add for a plain repository or no git at all', () => {
    const dir = mkdtempSync(join(tmpdir(), 'plain-'));
    expect(worktreeDirs(dir)).toEqual([]);
    mkdirSync(join(dir, '.git'));
    expect(worktreeDirs(dir)).toEqual([]);
  });
});
