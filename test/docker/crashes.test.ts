import type { ChildProcess } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { containerName } from '../../src/plan/naming.js';
import { startFakeEngines } from './engine-proxy.js';
import {
  ctx,
  docker,
  homeOf,
  makeDir,
  makeProject,
  projectContainers,
  type RunOptions,
  runAsylum,
  startAsylum,
  waitFor,
} from './harness.js';

const SIGNALS = ['SIGKILL', 'SIGHUP', 'SIGINT'] as const;

interface Watched {
  child: ChildProcess;
  stderr: () => string;
  exited: Promise<number | null>;
}

function watch(args: readonly string[], options: RunOptions): Watched {
  const child = startAsylum(args, options);
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  child.stdin?.end();
  const exited = new Promise<number | null>((resolve) => child.on('close', resolve));
  return { child, stderr: () => stderr, exited };
}

/** Lock directories left under a HOME: a clean run leaves none. */
function leftoverLocks(home: string): string[] {
  const dir = join(home, '.asylum', 'locks');
  return existsSync(dir) ? readdirSync(dir).filter((name) => name.endsWith('.lock')) : [];
}

/** Any container of the project, running or not. */
function anyContainer(name: string): boolean {
  return docker(['ps', '-aq', '--filter', `label=asylum.container=${name}`]) !== '';
}

/** The next run works, and afterwards nothing of the killed one is left behind. */
async function expectCleanNextRun(project: string, home: string): Promise<void> {
  const started = Date.now();
  const again = await runAsylum(['-a', 'echo', 'run', 'echo', 'fresh'], { cwd: project, home });
  expect(again.stderr).not.toContain('could not take the lock');
  expect(again, again.stderr).toMatchObject({ code: 0, stdout: 'fresh\n' });
  console.log(`next run took ${Date.now() - started} ms`);
  expect(leftoverLocks(home)).toEqual([]);
  // No env file (it holds env values) outlives the runs.
  const dataDir = join(home, '.asylum', 'projects', containerName(project));
  expect(readdirSync(dataDir).filter((name) => name.startsWith('env-'))).toEqual([]);
  await waitFor(() => projectContainers(containerName(project)).length === 0, 30_000);
}

describe.skipIf(!ctx.engine)('crashes and signals', () => {
  for (const signal of SIGNALS) {
    it(`recovers from ${signal} during an image build`, async () => {
      // A HOME of its own changes only the last (user) layer: a cheap rebuild.
      const home = makeDir(join(ctx.runDir, 'homes', `build-${signal.toLowerCase()}`));
      const project = makeProject(`build-${signal.toLowerCase()}`);
      const run = watch(['-a', 'echo', 'run', 'true'], { cwd: project, home });
      await waitFor(() => /building image asylum:base-/.test(run.stderr()), 120_000, 50);
      await new Promise((resolve) => setTimeout(resolve, 500));
      run.child.kill(signal);
      await run.exited;
      // SIGHUP and SIGINT let asylum release its locks on the way out; SIGKILL
      // leaves the build lock, which the next run must take over at once.
      const locks = leftoverLocks(home);
      if (signal === 'SIGKILL') expect(locks).toEqual([expect.stringMatching(/^build-/)]);
      else expect(locks).toEqual([]);
      const tag = /building image (asylum:base-[0-9a-f]+)/.exec(run.stderr())![1]!;
      // An interrupted build never leaves its tag on a partial image: if the
      // tag exists, the build that made it ran to its end.
      const labels = docker([
        'image',
        'ls',
        '--filter',
        `reference=${tag}`,
        '--format',
        '{{.ID}}',
      ]);
      if (labels !== '') {
        const hash = docker([
          'image',
          'inspect',
          '--format',
          '{{index .Config.Labels "asylum.hash"}}',
          tag,
        ]);
        expect(tag).toBe(`asylum:base-${hash.slice(0, 12)}`);
      }
      await expectCleanNextRun(project, home);
    });

    it(`recovers from ${signal} while the container starts`, async () => {
      const project = makeProject(`start-${signal.toLowerCase()}`);
      const name = containerName(project);
      const home = homeOf();
      // A container appears only after every build: the kill lands in the start.
      const run = watch(['-a', 'echo', 'run', 'sleep', '60'], { cwd: project, home });
      await waitFor(() => anyContainer(name), 120_000, 50);
      run.child.kill(signal);
      await run.exited;
      // Without a session, the container winds down on its own (and --rm removes it).
      const gone = await waitFor(() => !anyContainer(name), 30_000);
      console.log(`${signal} during start: container gone ${gone} ms later`);
      await expectCleanNextRun(project, home);
    });
  }

  it('ends the session with a clear message when the engine goes away, and recovers', async () => {
    const engines = await startFakeEngines();
    const project = makeProject('engine-gone');
    try {
      const run = watch(['-a', 'echo', 'run', 'sh', '-c', 'echo started; sleep 60'], {
        cwd: project,
        env: { DOCKER_HOST: engines.proxyHost },
      });
      let stdout = '';
      run.child.stdout?.on('data', (chunk: Buffer) => {
        stdout += chunk.toString();
      });
      await waitFor(() => stdout.includes('started'), 120_000, 50).catch((error: Error) => {
        throw new Error(`${error.message}; stderr: ${run.stderr()}`);
      });
      const stopped = Date.now();
      await engines.stopProxy();
      const code = await run.exited;
      console.log(`session ended ${Date.now() - stopped} ms after the engine went away`);
      expect(code).not.toBe(0);
      expect(run.stderr()).not.toContain('internal error');
      const lines = run
        .stderr()
        .split('\n')
        .filter((line) => line.startsWith('asylum: error:'));
      expect(lines).toEqual([
        expect.stringMatching(/^asylum: error: the session ended because the engine went away: /),
      ]);
      await expectCleanNextRun(project, homeOf());
    } finally {
      await engines.remove();
    }
  });

  it('names the failing step and the log, and keeps the previous image', async () => {
    const project = makeProject('failing-build');
    const good = await runAsylum(['--debug', '-a', 'echo', 'run', 'true'], { cwd: project });
    expect(good.code, good.stderr).toBe(0);
    const tag = /image (asylum:base-[0-9a-f]+) (is up to date|built)/.exec(good.stderr)?.[1];
    expect(tag, good.stderr).toBeDefined();
    const before = docker(['image', 'inspect', '--format', '{{.Id}}', tag!]);
    // A proxy that refuses every connection: apt-get update, the first step
    // that fetches anything, fails within seconds. Proxies are not part of the
    // image's hash, so this is a failing rebuild of the very same tag.
    const proxy = 'http://127.0.0.1:9';
    const failed = await runAsylum(['--rebuild', '-a', 'echo', 'run', 'true'], {
      cwd: project,
      env: { HTTP_PROXY: proxy, HTTPS_PROXY: proxy, http_proxy: proxy, https_proxy: proxy },
    });
    expect(failed.code).toBe(1);
    const error = failed.stderr.split('\n').find((line) => line.startsWith('asylum: error:'));
    expect(error).toMatch(/image build failed at .*apt-get update.*; full log: \/.*\.log$/);
    const logFile = /full log: (\S+\.log)$/.exec(error!)![1]!;
    expect(existsSync(logFile)).toBe(true);
    expect(docker(['image', 'inspect', '--format', '{{.Id}}', tag!])).toBe(before);
    const after = await runAsylum(['-a', 'echo', 'run', 'echo', 'still-works'], { cwd: project });
    expect(after, after.stderr).toMatchObject({ code: 0, stdout: 'still-works\n' });
    expect(after.stderr).not.toContain('building image');
  });
});
