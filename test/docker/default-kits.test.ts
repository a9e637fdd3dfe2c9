import { describe, expect, it } from 'vitest';
import { ctx, makeProject, runAsylum } from './harness.js';

/** Each default kit's own tool, run from the default image (no config at all). */
const TOOLS = [
  'gh --version | head -1',
  'python3 -m venv /tmp/venv && /tmp/venv/bin/python -c "import sys; print(sys.prefix)"',
  'pipx --version >/dev/null && echo pipx-ok',
  'node --version',
  'git --version',
  'zsh --version',
  'ssh -V 2>&1',
].join(' && ');

describe.skipIf(!ctx.engine)('default kits', () => {
  it('run their tools in the default image: gh, python3 -m venv, pipx, node, git, zsh, ssh', async () => {
    const project = makeProject('default-kits');
    const result = await runAsylum(['-a', 'echo', 'run', 'sh', '-c', TOOLS], { cwd: project });
    expect(result.code, result.stderr).toBe(0);
    const lines = result.stdout.trim().split('\n');
    expect(lines[0]).toMatch(/^gh version \d+\.\d+/);
    expect(lines[1]).toBe('/tmp/venv');
    expect(lines[2]).toBe('pipx-ok');
    expect(lines[3]).toMatch(/^v20\.\d+\.\d+$/);
    expect(lines[4]).toMatch(/^git version 2\./);
    expect(lines[5]).toMatch(/^zsh 5\./);
    expect(lines[6]).toMatch(/^OpenSSH_/);
  });
});
