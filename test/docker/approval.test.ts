import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { containerName } from '../../src/plan/naming.js';
import { ctx, dockerOk, homeOf, makeDir, makeProject, runAsylum, writeOwned } from './harness.js';

describe.skipIf(!ctx.engine)('project config that widens the sandbox needs approval', () => {
  it('refuses a volume planted in .asylum.local until the user approves exactly it', async () => {
    const project = makeProject('planted-volume');
    // What an agent could write from inside: mount the whole home.
    writeOwned(join(project, '.asylum.local.yaml'), `volumes:\n  - "${homeOf()}:/mnt/hosthome"\n`);
    const refused = await runAsylum(['run', 'ls', '/mnt/hosthome'], { cwd: project });
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('widens what the container can reach');
    expect(refused.stderr).toContain(`volumes: ${homeOf()}:/mnt/hosthome`);
    expect(refused.stderr).toContain('asylum approve');
    expect(dockerOk(['container', 'inspect', containerName(project)])).toBe(false);

    const approved = await runAsylum(['approve', '--yes'], { cwd: project });
    expect(approved.code).toBe(0);
    const runs = await runAsylum(['run', 'test', '-d', '/mnt/hosthome/.asylum'], { cwd: project });
    expect(runs.code).toBe(0);

    // Any change to the widening values needs a new approval.
    writeOwned(join(project, '.asylum.local.yaml'), 'volumes:\n  - "/:/mnt/root"\n');
    const changed = await runAsylum(['run', 'true'], { cwd: project });
    expect(changed.code).toBe(1);
    expect(changed.stderr).toContain('/:/mnt/root');
  });

  it('needs no approval for the same setting in the global config or on the command line', async () => {
    const project = makeProject('flag-volume');
    const data = makeDir(join(ctx.runDir, 'data-for-flag'));
    const result = await runAsylum(['-v', `${data}:/data:ro`, 'run', 'test', '-d', '/data'], {
      cwd: project,
    });
    expect(result.code).toBe(0);
  });
});
