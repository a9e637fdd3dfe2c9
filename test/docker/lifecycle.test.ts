import { describe, expect, it } from 'vitest';
import { containerName } from '../../src/plan/naming.js';
import {
  ctx,
  FIRST_START_MS,
  makeProject,
  projectContainers,
  runAsylum,
  startAsylum,
  waitFor,
} from './harness.js';

/** Samples the project's running containers until `until` settles. */
async function watchContainers(name: string, until: Promise<unknown>): Promise<Set<string>> {
  const seen = new Set<string>();
  let done = false;
  void until.finally(() => {
    done = true;
  });
  while (!done) {
    for (const id of projectContainers(name)) seen.add(id);
    await new Promise((resolve) => setTimeout(resolve, 150));
  }
  return seen;
}

describe.skipIf(!ctx.engine)('container lifecycle', () => {
  it('shares one container between concurrent sessions and removes it after the last', async () => {
    const project = makeProject('concurrent');
    const name = containerName(project);
    const runs = Array.from({ length: 8 }, (_, i) =>
      runAsylum(['run', 'sh', '-c', `sleep ${1 + (i % 3)}; echo session-${i}`], { cwd: project }),
    );
    const all = Promise.all(runs);
    const seen = await watchContainers(name, all);
    const results = await all;
    expect(results.map((r) => r.code)).toEqual([0, 0, 0, 0, 0, 0, 0, 0]);
    expect(results.map((r) => r.stdout.trim())).toEqual(runs.map((_, i) => `session-${i}`));
    expect(seen.size).toBe(1);
    const grace = await waitFor(() => projectContainers(name).length === 0, 20_000);
    console.log(`container gone ${grace} ms after the last session ended`);
  });

  it('keeps the container while one session still runs when another ends', async () => {
    const project = makeProject('overlap');
    const name = containerName(project);
    const long = runAsylum(['run', 'sh', '-c', 'sleep 8; echo long-done'], { cwd: project });
    await waitFor(() => projectContainers(name).length === 1, FIRST_START_MS);
    const short = await runAsylum(['run', 'echo', 'short'], { cwd: project });
    expect(short.stdout).toBe('short\n');
    await new Promise((resolve) => setTimeout(resolve, 4000));
    expect(projectContainers(name)).toHaveLength(1);
    expect((await long).stdout).toBe('long-done\n');
    await waitFor(() => projectContainers(name).length === 0, 20_000);
  });

  it('forwards Ctrl-C to a piped command even while another session keeps the container', async () => {
    const project = makeProject('signal-forward');
    const name = containerName(project);
    const keeper = startAsylum(['run', 'sleep', '60'], { cwd: project });
    try {
      await waitFor(() => projectContainers(name).length === 1, FIRST_START_MS);
      const victim = startAsylum(['run', 'sh', '-c', 'sleep 77; echo survived'], { cwd: project });
      let out = '';
      victim.stdout?.on('data', (chunk: Buffer) => {
        out += chunk.toString();
      });
      const count = async () =>
        (
          await runAsylum(['run', 'sh', '-c', 'pgrep -xfc "sleep 77" || true'], { cwd: project })
        ).stdout.trim();
      await new Promise((resolve) => setTimeout(resolve, 2000));
      expect(await count()).toBe('1');
      victim.kill('SIGINT');
      const code = await new Promise<number | null>((resolve) => victim.on('close', resolve));
      expect(code).toBe(130);
      expect(out).not.toContain('survived');
      expect(await count()).toBe('0');
    } finally {
      keeper.kill('SIGTERM');
    }
  });

  for (const signal of ['SIGKILL', 'SIGHUP', 'SIGINT', 'SIGTERM'] as const) {
    it(`removes the container when the CLI dies by ${signal} mid-session`, async () => {
      const project = makeProject(`killed-${signal.toLowerCase()}`);
      const name = containerName(project);
      const child = startAsylum(['run', 'sleep', '300'], { cwd: project });
      await waitFor(() => projectContainers(name).length === 1, FIRST_START_MS);
      await new Promise((resolve) => setTimeout(resolve, 1000));
      child.kill(signal);
      const gone = await waitFor(() => projectContainers(name).length === 0, 30_000);
      console.log(`${signal}: container gone ${gone} ms after the kill`);
      const again = await runAsylum(['run', 'echo', 'fresh'], { cwd: project });
      expect(again).toMatchObject({ code: 0, stdout: 'fresh\n' });
    });
  }
});
