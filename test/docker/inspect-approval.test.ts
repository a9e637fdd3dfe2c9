import { chmodSync, existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { containerName } from '../../src/plan/naming.js';
import { ctx, makeDir, makeProject, runAsylum, writeOwned } from './harness.js';

describe.skipIf(!ctx.engine)('asylum inspect of settings that await approval', () => {
  it('shows them as not applied and runs no credential helper for them', async () => {
    const home = makeDir(join(ctx.runDir, 'homes', 'inspect-pending'));
    const bin = makeDir(join(home, 'bin'));
    const calls = join(home, 'gh-calls');
    // A host gh that records every call and knows a token.
    writeOwned(join(bin, 'gh'), `#!/bin/sh\necho "$@" >> '${calls}'\necho gho_PENDING\n`, 0o755);
    chmodSync(join(bin, 'gh'), 0o755);
    const project = makeProject('inspect-pending');
    writeOwned(
      join(project, '.asylum'),
      'host-access: true\nresources:\n  pids: 99999999\nkits:\n  github:\n    credentials: auto\n',
    );
    const env = { PATH: `${bin}:${process.env.PATH}` };
    const result = await runAsylum(['inspect', '--json'], { cwd: project, home, env });
    expect(result.code, result.stderr).toBe(0);
    const radius = JSON.parse(result.stdout);
    expect(radius.approval.approved).toBe(false);
    expect(radius.approval.pending.join('\n')).toMatch(/host-access: true/);
    expect(radius.approval.pending.join('\n')).toMatch(/resources\.pids: 99999999/);
    expect(radius.approval.pending.join('\n')).toMatch(/kits\.github\.credentials: auto/);
    expect(radius.resources.pids).toBe('4096');
    const whats = radius.credentials.map((c: { what: string }) => c.what).join('\n');
    expect(whats).not.toMatch(/GitHub token/i);
    expect(existsSync(calls) ? readFileSync(calls, 'utf8') : '').toBe('');
    const staged = join(home, '.asylum', 'projects', containerName(project), 'credentials');
    expect(existsSync(staged)).toBe(false);
    // A session refuses until approved.
    const refused = await runAsylum(['run', 'true'], { cwd: project, home, env });
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('host-access: true');
  });
});
