import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { containerName } from '../../src/plan/naming.js';
import { ctx, docker, dockerOk, homeOf, makeProject, runAsylum } from './harness.js';

const DECOY = `asylum-decoy-${process.pid}`;

function volumes(filter: string): string[] {
  return docker(['volume', 'ls', '-q', '--filter', filter]).split('\n').filter(Boolean);
}

describe.skipIf(!ctx.engine)('asylum cleanup', () => {
  afterAll(() => {
    docker(['volume', 'rm', '-f', DECOY, `${DECOY}-asylum-like`]);
  });

  it("removes this project's objects and data only, never an unlabelled object", async () => {
    // A volume named like asylum's but without its label must survive every cleanup.
    docker(['volume', 'create', '--label', `asylum.test=${ctx.scope}`, DECOY]);
    docker(['volume', 'create', `${DECOY}-asylum-like`]);
    const mine = makeProject('cleanup-mine');
    const other = makeProject('cleanup-other');
    for (const project of [mine, other]) {
      expect((await runAsylum(['run', 'true'], { cwd: project })).code).toBe(0);
    }
    const name = containerName(mine);
    expect(volumes(`label=asylum.container=${name}`).length).toBeGreaterThan(0);

    const result = await runAsylum(['cleanup'], { cwd: mine });
    expect(result.code).toBe(0);
    expect(volumes(`label=asylum.container=${name}`)).toEqual([]);
    expect(dockerOk(['network', 'inspect', `${name}-net`])).toBe(false);
    expect(existsSync(join(homeOf(), '.asylum', 'projects', name))).toBe(false);
    const otherName = containerName(other);
    expect(volumes(`label=asylum.container=${otherName}`).length).toBeGreaterThan(0);
    expect(dockerOk(['volume', 'inspect', DECOY])).toBe(true);
  });

  it('--all asks first, and with --yes removes every asylum object of the scope', async () => {
    // A scope of its own: --all must not take the images the other tests share.
    const scope = `${ctx.scope}-all`;
    const env = { ASYLUM_TEST_SCOPE: scope };
    const project = makeProject('cleanup-all');
    await runAsylum(['run', 'true'], { cwd: project, env });
    const refused = await runAsylum(['cleanup', '--all'], { cwd: project, env });
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('--yes');
    expect(volumes(`label=asylum.test=${scope}`).length).toBeGreaterThan(0);

    const result = await runAsylum(['cleanup', '--all', '--yes'], { cwd: project, env });
    expect(result.code).toBe(0);
    expect(volumes(`label=asylum.test=${scope}`)).toEqual([]);
    expect(volumes(`label=asylum.test=${ctx.scope}`)).toContain(DECOY);
    expect(dockerOk(['volume', 'inspect', `${DECOY}-asylum-like`])).toBe(true);
  });
});
