import { createServer, type Server } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ctx, makeDir, makeProject, runAsylum, writeOwned } from './harness.js';

const PORT = 7391;

/** Probes, from inside, a server the host listens on (all interfaces). */
const PROBE = [
  `getent hosts host.docker.internal >/dev/null && echo name-resolves || echo no-name`,
  `gw=$(ip route | awk '/default/ {print $3}')`,
  `if nc -z -w 3 "$gw" ${PORT}; then echo gateway-open; else echo gateway-blocked; fi`,
].join('; ');

describe.skipIf(!ctx.engine)('host access', () => {
  let server: Server;
  beforeAll(async () => {
    server = createServer((socket) => {
      socket.on('error', () => {});
      socket.end('hello\n');
    });
    await new Promise<void>((resolve) => server.listen(PORT, '0.0.0.0', resolve));
  });
  afterAll(() => {
    server.close();
  });

  it('by default reaches the host (a documented residual risk)', async () => {
    const result = await runAsylum(['run', 'sh', '-c', PROBE], { cwd: makeProject('host-open') });
    expect(result.stdout.trim().split('\n')).toEqual(['name-resolves', 'gateway-open']);
  });

  it('with host-access: false, neither the name nor the gateway reaches the host', async () => {
    const home = makeDir(join(ctx.runDir, 'homes', 'no-host'));
    makeDir(join(home, '.asylum'));
    writeOwned(join(home, '.asylum', 'config.yaml'), 'agent: echo\nhost-access: false\n');
    const project = makeProject('host-closed');
    const result = await runAsylum(['run', 'sh', '-c', PROBE], { cwd: project, home });
    const lines = result.stdout.trim().split('\n');
    expect(lines.slice(0, 2), result.stderr).toEqual(['no-name', 'gateway-blocked']);
  });
});
