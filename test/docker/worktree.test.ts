import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { containerName } from '../../src/plan/naming.js';
import {
  ctx,
  makeDir,
  makeProject,
  projectContainers,
  runAsylum,
  waitFor,
  writeOwned,
} from './harness.js';

/** git on the host, as the test user: the test's own set-up, never asylum's. */
function git(cwd: string, ...args: string[]): string {
  const asUser = ctx.tester.viaSetpriv
    ? ['setpriv', `--reuid=${ctx.tester.uid}`, `--regid=${ctx.tester.gid}`, '--init-groups']
    : [];
  const argv = [...asUser, 'git', '-c', 'user.name=t', '-c', 'user.email=t@t', ...args];
  return execFileSync(argv[0]!, argv.slice(1), {
    cwd,
    encoding: 'utf8',
    env: { ...process.env, HOME: cwd },
  });
}

/** A repository with one commit and a worktree beside it, as `git worktree add` makes. */
function repoWithWorktree(): { main: string; worktree: string; entry: string } {
  const parent = makeProject('wt-parent');
  const main = makeDir(join(parent, 'main'));
  git(main, 'init', '-q', '-b', 'main');
  writeOwned(join(main, 'README'), 'hello\n');
  git(main, 'add', 'README');
  git(main, 'commit', '-q', '-m', 'first');
  const worktree = join(parent, 'feature');
  git(main, 'worktree', 'add', '-q', '-b', 'feature', worktree);
  return { main, worktree, entry: join(main, '.git', 'worktrees', 'feature') };
}

describe.skipIf(!ctx.engine)('git worktrees', () => {
  it('git works inside a worktree, and a planted commondir mounts nothing more', async () => {
    const { worktree, entry } = repoWithWorktree();
    const status = await runAsylum(['run', 'git', 'status', '--short', '--branch'], {
      cwd: worktree,
    });
    expect(status.stderr).not.toMatch(/dubious|fatal/);
    expect(status.stdout).toMatch(/^## feature/);
    expect(status.code).toBe(0);

    // The entry is writable from inside: aim its commondir at a decoy outside.
    const decoy = makeDir(join(ctx.runDir, 'wt-decoy'));
    writeOwned(join(decoy, 'secret'), 'WT-DECOY\n');
    makeDir(join(decoy, 'objects'));
    writeOwned(join(decoy, 'HEAD'), 'ref: refs/heads/main\n');
    const original = readFileSync(join(entry, 'commondir'), 'utf8');
    writeFileSync(join(entry, 'commondir'), `${decoy}\n`);
    // A fresh container, planned from the planted file.
    await waitFor(() => projectContainers(containerName(worktree)).length === 0, 30_000);
    try {
      const peek = await runAsylum(['run', 'sh', '-c', `cat ${decoy}/secret || echo unseen`], {
        cwd: worktree,
      });
      expect(peek.stdout).toContain('unseen');
      expect(peek.stdout).not.toContain('WT-DECOY');
    } finally {
      writeFileSync(join(entry, 'commondir'), original);
    }
  });
});
