import { chmodSync } from 'node:fs';
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
  runAsylum,
  startAsylum,
  waitFor,
  writeOwned,
} from './harness.js';

interface EngineMount {
  Type: string;
  Source: string;
  Name?: string;
  Destination: string;
  RW: boolean;
}

describe.skipIf(!ctx.engine)('asylum inspect', () => {
  it('reports exactly what the engine shows on the running container', async () => {
    const home = makeDir(join(ctx.runDir, 'homes', 'inspect'));
    makeDir(join(home, '.asylum'));
    makeDir(join(home, '.ssh'));
    writeOwned(join(home, '.ssh', 'id_rsa'), 'KEY\n', 0o600);
    const config =
      'agent: echo\nkits:\n  ssh:\n    isolation: shared\n  github:\n    credentials: auto\n';
    writeOwned(join(home, '.asylum', 'config.yaml'), config);
    const bin = makeDir(join(home, 'bin'));
    writeOwned(join(bin, 'gh'), '#!/bin/sh\necho gho_INSPECT\n', 0o755);
    chmodSync(join(bin, 'gh'), 0o755);
    const data = makeDir(join(ctx.runDir, 'inspect-data'));
    const flags = ['-p', '3456:80', '-v', `${data}:/data:ro`, '-e', 'SECRET_VALUE=hidden-123'];
    const env = { PATH: `${bin}:${process.env.PATH}` };
    const project = makeProject('inspect-me');
    const keeper = startAsylum([...flags, 'run', 'sleep', '40'], { cwd: project, home, env });
    try {
      await waitFor(() => projectContainers(containerName(project)).length === 1, FIRST_START_MS);
      const result = await runAsylum([...flags, 'inspect', '--json'], { cwd: project, home, env });
      expect(result.code, result.stderr).toBe(0);
      expect(result.stdout).not.toContain('hidden-123');
      const radius = JSON.parse(result.stdout);
      const engine = JSON.parse(docker(['inspect', containerName(project)]))[0];

      const fromEngine = (engine.Mounts as EngineMount[])
        .map(
          (m) =>
            `${m.Type === 'volume' ? m.Name : m.Source}|${m.Destination}|${m.RW ? 'rw' : 'ro'}`,
        )
        .sort();
      const fromInspect = (
        radius.mounts as { source: string; target: string; readOnly: boolean }[]
      )
        .map((m) => `${m.source}|${m.target}|${m.readOnly ? 'ro' : 'rw'}`)
        .sort();
      expect(fromInspect).toEqual(fromEngine);

      const bindings = engine.HostConfig.PortBindings as Record<
        string,
        { HostIp: string; HostPort: string }[]
      >;
      const enginePorts = Object.entries(bindings)
        .flatMap(([key, list]) => list.map((b) => `${b.HostIp}:${b.HostPort}->${key}`))
        .sort();
      const inspectPorts = (
        radius.ports as { bind: string; host: number; container: number; protocol: string }[]
      )
        .map((p) => `${p.bind}:${p.host}->${p.container}/${p.protocol}`)
        .sort();
      expect(inspectPorts).toEqual(enginePorts);

      const engineEnv = (engine.Config.Env as string[]).map((kv) => kv.split('=')[0]);
      for (const name of radius.env as string[]) expect(engineEnv).toContain(name);
      expect(radius.credentials.map((c: { target: string }) => c.target).sort()).toEqual(
        [`${home}/.config/gh`, `${home}/.ssh/host`].sort(),
      );
      expect(radius.warnings.join('\n')).toContain('kits.ssh.isolation: shared');
      expect(engine.HostConfig.Privileged).toBe(false);
      expect(String(engine.HostConfig.PidsLimit)).toBe(radius.resources.pids);
      expect(engine.HostConfig.CapAdd ?? []).toEqual(radius.capabilities.added);
    } finally {
      keeper.kill('SIGTERM');
    }
  });
});
