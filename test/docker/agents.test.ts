import { cpSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ctx, makeProject, runAsylum } from './harness.js';

describe.skipIf(!ctx.engine)('agents and real project commands', () => {
  it('starts the echo test agent with the arguments after --', async () => {
    const project = makeProject('echo-agent');
    const result = await runAsylum(['-a', 'echo', '--', 'hello', 'from the agent'], {
      cwd: project,
    });
    expect(result).toMatchObject({ code: 0, stdout: 'hello from the agent\n' });
  });

  it('runs claude --version from the default image', async () => {
    const project = makeProject('claude-version');
    const result = await runAsylum(['run', '--', 'claude', '--version'], { cwd: project });
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^\d+\.\d+\.\d+ \(Claude Code\)/);
  });

  it('runs codex --version with -a codex', async () => {
    const project = makeProject('codex-version');
    const result = await runAsylum(['-a', 'codex', 'run', '--', 'codex', '--version'], {
      cwd: project,
    });
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/codex/i);
  });

  it("installs and passes a real npm project's tests, reusing the npm cache volume", async () => {
    const project = makeProject('hello-node');
    cpSync(join(process.cwd(), 'examples', 'hello-node'), project, {
      recursive: true,
      filter: (source) => !source.includes('node_modules'),
    });
    const first = await runAsylum(['run', '--', 'sh', '-c', 'npm ci --no-audit && npm test'], {
      cwd: project,
    });
    expect(first.stderr + first.stdout).toMatch(/# pass 3/);
    expect(first.code).toBe(0);
    // Offline: only the per-project npm cache volume can satisfy the install now.
    // node_modules is a volume's mountpoint: it can be emptied, not removed.
    const reinstall = 'find node_modules -mindepth 1 -delete && npm ci --offline --no-audit';
    const second = await runAsylum(['run', '--', 'sh', '-c', `${reinstall} && npm test`], {
      cwd: project,
    });
    expect(second.code).toBe(0);
    expect(second.stdout).toMatch(/# pass 3/);
  });
});
