import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Figure } from '../../bench/stats.js';
import { ctx, homeOf, makeDir, runAsylum } from './harness.js';

const FIGURES = [
  'warm-exec',
  'decision-time',
  'boot',
  'memory',
  'peer-exec',
  'ahead-of-peer',
  'cold-start',
  'no-op-rebuild',
  'project-walk',
];

/** The bench bundle, built where the test user can read it. */
function bundleBench(): string {
  const out = join(ctx.runDir, 'bench.mjs');
  execFileSync(process.execPath, ['scripts/build.mjs', 'bench/main.ts', out]);
  return out;
}

describe.skipIf(!ctx.engine)('npm run bench (one iteration, as a normal user)', () => {
  it('measures every figure with its baseline and proves a no-op start', async () => {
    const work = makeDir(join(ctx.runDir, 'bench-work'));
    const out = join(work, 'results.json');
    const peer = resolve('node_modules/@devcontainers/cli/devcontainer.js');
    const args = ['--iterations', '1', '--cli', ctx.cli, '--work', work, '--out', out];
    const shape = ['--walk-files', '3000', '--walk-packages', '20'];
    const result = await runAsylum(
      [...args, ...shape, '--home', homeOf(), '--devcontainer', peer],
      {
        cwd: work,
        script: bundleBench(),
      },
    );
    expect(result.stderr).not.toMatch(/bench: .*Error/);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('warm exec: asylum run true');

    const figures = JSON.parse(readFileSync(out, 'utf8')).figures as Figure[];
    expect(figures.map((f) => f.id).sort()).toEqual([...FIGURES].sort());
    const byId = new Map(figures.map((f) => [f.id, f]));
    const paired = ['warm-exec', 'cold-start', 'peer-exec', 'ahead-of-peer', 'memory', 'boot'];
    for (const id of paired) {
      expect(byId.get(id)!.baselineMedian).toBeGreaterThan(0);
      expect(byId.get(id)!.ratio).toBeGreaterThan(0);
    }
    expect(byId.get('decision-time')!.median).toBeGreaterThan(0);
    expect(byId.get('no-op-rebuild')).toMatchObject({ median: 0, met: true });
    // A first start on a fresh machine builds the images for this user.
  }, 900_000);
});
