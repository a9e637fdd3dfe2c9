import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ctx, makeDir, makeProject, runAsylum, writeOwned } from './harness.js';

const isRoot = process.getuid?.() === 0;

/** Every file under `dir`, relative to it. */
function filesUnder(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((name) => statSync(join(dir, name)).isFile())
    .map((name) => relative(dir, join(dir, name)))
    .sort();
}

describe.skipIf(!ctx.engine)('state files under ~/.asylum', () => {
  it('moves a cut ports.json and a garbled approvals.json aside and starts afresh', async () => {
    const home = makeDir(join(ctx.runDir, 'homes', 'corrupt-state'));
    const state = makeDir(join(home, '.asylum'));
    writeOwned(join(state, 'ports.json'), '{"version": 1, "ranges": [{"project": "/a", "sta');
    writeOwned(join(state, 'approvals.json'), '\u0000\u0000 not json');
    const project = makeProject('corrupt-state');
    writeOwned(join(project, '.asylum'), `volumes:\n  - "${project}:/mnt/again"\n`);

    const approved = await runAsylum(['approve', '--yes'], { cwd: project, home });
    expect(approved.code, approved.stderr).toBe(0);
    expect(approved.stderr).toMatch(/approvals\.json was corrupt \(not valid JSON.*\); moved it/);
    const inspected = await runAsylum(['-a', 'echo', 'inspect', '--json'], { cwd: project, home });
    expect(inspected.code, inspected.stderr).toBe(0);
    expect(inspected.stderr).toMatch(/ports\.json was corrupt \(not valid JSON.*\); moved it/);
    expect(inspected.stderr).not.toContain('internal error');

    const names = readdirSync(state);
    expect(names.filter((name) => name.startsWith('ports.json.corrupt-'))).toHaveLength(1);
    expect(names.filter((name) => name.startsWith('approvals.json.corrupt-'))).toHaveLength(1);
    const ports = JSON.parse(readFileSync(join(state, 'ports.json'), 'utf8'));
    expect(ports.ranges).toEqual([expect.objectContaining({ project, start: 7001 })]);
    // Approved once, in the rebuilt file: the next run needs no new approval.
    const again = await runAsylum(['-a', 'echo', 'inspect'], { cwd: project, home });
    expect(again.stderr).not.toMatch(/corrupt|widens/);
  });

  it.skipIf(!isRoot)(
    'on a full disk, fails in one line and leaves no half-written file',
    async () => {
      const home = makeDir(join(ctx.runDir, 'homes', 'full-disk'));
      const { uid, gid } = ctx.tester;
      execFileSync('mount', [
        '-t',
        'tmpfs',
        '-o',
        `size=64k,uid=${uid},gid=${gid}`,
        'tmpfs',
        home,
      ]);
      try {
        const project = makeProject('full-disk');
        // Each size leaves room for a different share of what a first run writes,
        // so the disk fills up at a different file each time.
        for (const kib of [63, 60, 58, 56, 52, 44]) {
          rmSync(join(home, '.asylum'), { recursive: true, force: true });
          writeOwned(join(home, 'filler'), 'x'.repeat(kib * 1024));
          const full = await runAsylum(['-a', 'echo', 'inspect'], { cwd: project, home });
          const why = `${kib} KiB used: ${full.stderr}`;
          if (full.code === 0) continue;
          expect(full.code, why).toBe(1);
          expect(full.stderr, why).not.toContain('internal error');
          expect(full.stderr, why).not.toMatch(/^\s+at /m);
          const errors = full.stderr
            .split('\n')
            .filter((line) => line.startsWith('asylum: error:'));
          expect(errors, why).toEqual([expect.stringMatching(/no space left on (the )?device/)]);
          // Whatever was written is whole: no key without its other half, no cut JSON.
          for (const name of filesUnder(home)) {
            const text = readFileSync(join(home, name), 'utf8');
            if (name.endsWith('.json')) expect(() => JSON.parse(text), name).not.toThrow();
            if (name.endsWith('id_ed25519'))
              expect(text, name).toContain('END OPENSSH PRIVATE KEY');
          }
          expect(filesUnder(home).filter((name) => /\.new-|\.tmp|\.lock/.test(name))).toEqual([]);
        }

        // With room again, the same command just works.
        rmSync(join(home, 'filler'));
        const roomy = await runAsylum(['-a', 'echo', 'inspect'], { cwd: project, home });
        expect(roomy.code, roomy.stderr).toBe(0);
        expect(roomy.stderr).not.toMatch(/corrupt|incomplete/);
      } finally {
        execFileSync('umount', [home]);
      }
    },
  );
});
