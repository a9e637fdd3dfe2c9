import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { containerName } from '../../src/plan/naming.js';
import { startFakeEngines } from './engine-proxy.js';
import {
  ctx,
  docker,
  makeProject,
  projectContainers,
  runAsylum,
  startAsylum,
  waitFor,
} from './harness.js';

/** Every container, network and volume the engine has for a project container name. */
function objectsOf(name: string): string[] {
  const filter = ['--filter', `label=asylum.container=${name}`];
  return [
    ...docker(['container', 'ls', '--all', '--quiet', ...filter]).split('\n'),
    ...docker(['network', 'ls', '--quiet', ...filter]).split('\n'),
    ...docker(['volume', 'ls', '--quiet', ...filter]).split('\n'),
  ].filter(Boolean);
}

describe.skipIf(!ctx.engine)('errors stop the run before anything starts', () => {
  it('reports a config error with file, line, column and a suggestion', async () => {
    const project = makeProject('bad-config');
    writeFileSync(join(project, '.asylum'), 'agent: echo\nkit:\n  node: {}\nports: ["abc"]\n');
    const result = await runAsylum(['run', 'true'], { cwd: project });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(`${join(project, '.asylum')}:2:1`);
    expect(result.stderr).toContain('did you mean "kits"');
    expect(result.stderr).toContain(`${join(project, '.asylum')}:4:`);
    expect(objectsOf(containerName(project))).toEqual([]);
  });

  it('names an unknown agent or kit and where it was set', async () => {
    const project = makeProject('unknown-names');
    writeFileSync(join(project, '.asylum'), 'kits:\n  pyton: {}\n');
    const kit = await runAsylum(['run', 'true'], { cwd: project });
    expect(kit.stderr).toMatch(/\.asylum:2:3: .*unknown kit "pyton".*did you mean "python"/);
    const agent = await runAsylum(['-a', 'cluade', 'run', 'true'], { cwd: makeProject('x') });
    expect(agent.code).toBe(2);
    expect(agent.stderr).toContain('unknown agent "cluade"');
    expect(agent.stderr).toContain('did you mean "claude"');
  });

  it('rejects bad flag values, naming the flag', async () => {
    const project = makeProject('bad-flags');
    for (const [flag, value, text] of [
      ['-p', '70000', '-p "70000"'],
      ['-p', '80:80:80', '-p "80:80:80"'],
      ['-v', 'relative/path:/x', '-v "relative/path:/x"'],
      ['-e', 'NOEQUALS_AND_UNSET', '-e "NOEQUALS_AND_UNSET"'],
      ['-e', 'A=x\ny', 'contains a newline'],
      ['--kits', 'node,pyton', '--kits: unknown kit "pyton" (did you mean "python"?)'],
      ['--agents', 'cdex', '--agents: unknown agent "cdex" (did you mean "codex"?)'],
    ] as const) {
      const result = await runAsylum([flag, value, 'run', 'true'], { cwd: project });
      // A command-line error, as the README says.
      expect(result.code, `${flag} ${value}`).toBe(2);
      expect(result.stderr).toContain(text);
    }
    const unknown = await runAsylum(['--rebuidl', 'run', 'true'], { cwd: project });
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('--rebuild');
    const typo = await runAsylum(['shel'], { cwd: project });
    expect(typo.stderr).toContain('asylum shell');
    expect(objectsOf(containerName(project))).toEqual([]);
  });

  it('says which engine problem it met and what to do, in one line, within 2 s', async () => {
    const engines = await startFakeEngines();
    const project = makeProject('engine-states');
    try {
      for (const [host, expected] of [
        [engines.missingHost, /^asylum: error: no Docker engine socket at .* start Docker/],
        [engines.deadHost, /^asylum: error: the engine at .* is not running .* start Docker/],
        [engines.deniedHost, /^asylum: error: permission denied on .* docker group/],
      ] as const) {
        const started = Date.now();
        const result = await runAsylum(['-a', 'echo', 'run', 'true'], {
          cwd: project,
          env: { DOCKER_HOST: host },
        });
        const elapsed = Date.now() - started;
        expect(result.code, host).toBe(1);
        const lines = result.stderr.split('\n').filter(Boolean);
        expect(lines[0], host).toMatch(expected);
        // The one line, and the hint naming where the endpoint came from.
        expect(lines, host).toHaveLength(2);
        expect(elapsed, host).toBeLessThan(2000);
      }
    } finally {
      await engines.remove();
    }
  });

  it('says in one line, within 2 seconds, that no engine answers', async () => {
    const project = makeProject('no-engine');
    for (const host of ['unix:///nonexistent/docker.sock', 'tcp://127.0.0.1:9']) {
      const started = Date.now();
      const result = await runAsylum(['run', 'true'], {
        cwd: project,
        env: { DOCKER_HOST: host },
      });
      const elapsed = Date.now() - started;
      expect(result.code).toBe(1);
      expect(result.stderr.split('\n').filter(Boolean)[0]).toMatch(/engine/);
      expect(elapsed).toBeLessThan(2000);
    }
  });

  it('names a volume whose host path does not exist, and a bad HOME', async () => {
    const project = makeProject('missing-volume');
    const result = await runAsylum(['-v', '/nonexistent-dir:/data', 'run', 'true'], {
      cwd: project,
    });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('/nonexistent-dir does not exist on the host');
    const relative = await runAsylum(['run', 'true'], { cwd: project, home: 'relative/home' });
    expect(relative.stderr).toContain('HOME must be an absolute path');
    const missing = await runAsylum(['run', 'true'], { cwd: project, home: '/nonexistent-home' });
    expect(missing.stderr).toContain('does not exist');
  });

  it.skipIf(process.getuid?.() !== 0)(
    "never joins or replaces another user's container of the same path",
    async () => {
      const project = makeProject('two-users');
      // The echo agent: an image without agents to install, quick to build cold.
      // It holds the container until it is stopped below, however slow root's build is.
      const keeper = startAsylum(['-a', 'echo', 'run', 'sleep', '600'], { cwd: project });
      let keeperErr = '';
      keeper.stderr?.on('data', (chunk: Buffer) => {
        keeperErr += chunk.toString();
      });
      try {
        const running = () => projectContainers(containerName(project)).length === 1;
        await waitFor(running, 120_000).catch((error: Error) => {
          throw new Error(`${error.message}: ${keeperErr}`);
        });
        const other = await runAsylum(['-a', 'echo', 'run', 'true'], { cwd: project, as: 'root' });
        expect(other.code).toBe(1);
        expect(other.stderr).toContain('belongs to another user');
        expect(projectContainers(containerName(project))).toHaveLength(1);
      } finally {
        keeper.kill('SIGTERM');
      }
    },
  );

  it('refuses the home directory as a project', async () => {
    const result = await runAsylum(['run', 'true'], { cwd: join(ctx.runDir, 'homes', 'tester') });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('home directory');
  });
});
