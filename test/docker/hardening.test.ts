import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { containerName } from '../../src/plan/naming.js';
import {
  ctx,
  docker,
  FIRST_START_MS,
  makeDir,
  makeProject,
  projectContainers,
  startAsylum,
  waitFor,
  writeOwned,
} from './harness.js';

/** Milliseconds the host needs to start a trivial process. */
function hostLatency(): number {
  const started = process.hrtime.bigint();
  spawnSync('true');
  return Number(process.hrtime.bigint() - started) / 1e6;
}

describe.skipIf(!ctx.engine)('resource limits', () => {
  it('stops a fork bomb at the pids limit and leaves the host responsive', async () => {
    const home = makeDir(join(ctx.runDir, 'homes', 'forkbomb'));
    makeDir(join(home, '.asylum'));
    writeOwned(join(home, '.asylum', 'config.yaml'), 'agent: echo\nresources:\n  pids: 300\n');
    const project = makeProject('fork-bomb');
    const name = containerName(project);
    const bomb = startAsylum(['run', 'bash', '-c', 'b() { b | b & }; b; sleep 20'], {
      cwd: project,
      home,
    });
    try {
      await waitFor(() => projectContainers(name).length === 1, FIRST_START_MS);
      const latencies: number[] = [];
      for (let i = 0; i < 40; i++) {
        latencies.push(hostLatency());
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      const pids = Number(docker(['inspect', '--format', '{{.HostConfig.PidsLimit}}', name]));
      expect(pids).toBe(300);
      const current = spawnSync(
        'docker',
        ['exec', name, 'cat', '/sys/fs/cgroup/pids/pids.current'],
        {
          encoding: 'utf8',
        },
      );
      // The `cat` reading the counter is one of the processes it counts.
      if (current.status === 0) expect(Number(current.stdout)).toBeLessThanOrEqual(301);
      latencies.sort((a, b) => a - b);
      const p90 = latencies[Math.floor(latencies.length * 0.9)]!;
      console.log(
        `host process start during the fork bomb: median ${latencies[20]?.toFixed(1)} ms, p90 ${p90.toFixed(1)} ms`,
      );
      expect(p90).toBeLessThan(1000);
    } finally {
      bomb.kill('SIGKILL');
      spawnSync('docker', ['rm', '-f', name]);
    }
  });
});
