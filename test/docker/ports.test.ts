import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { containerName } from '../../src/plan/naming.js';
import { ctx, docker, homeOf, makeProject, runAsylum, startAsylum, waitFor } from './harness.js';

interface Binding {
  HostIp: string;
  HostPort: string;
}

function bindings(name: string): Record<string, Binding[]> {
  return JSON.parse(docker(['inspect', '--format', '{{json .HostConfig.PortBindings}}', name]));
}

function rangeOf(project: string): { start: number; count: number } | undefined {
  const state = JSON.parse(readFileSync(join(homeOf(), '.asylum', 'ports.json'), 'utf8'));
  return state.ranges.find((r: { project: string }) => r.project === project);
}

async function httpGet(url: string): Promise<string> {
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(3000) });
    return `${response.status}`;
  } catch {
    return 'unreachable';
  }
}

describe.skipIf(!ctx.engine)('ports', () => {
  it('publishes the project range and -p on 127.0.0.1 only, and cleanup releases the range', async () => {
    const project = makeProject('ports-loopback');
    const name = containerName(project);
    const server = startAsylum(
      [
        '-p',
        '7999:8000',
        'run',
        'sh',
        '-c',
        'python3 -m http.server --bind 0.0.0.0 "${ASYLUM_PORTS%-*}" & python3 -m http.server --bind 0.0.0.0 8000 & sleep 30',
      ],
      { cwd: project },
    );
    try {
      await waitFor(() => docker(['ps', '-q', '--filter', `name=${name}`]) !== '', 60_000);
      const range = rangeOf(project)!;
      expect(range.count).toBe(5);
      const published = bindings(name);
      const hostIps = Object.values(published)
        .flat()
        .map((b) => b.HostIp);
      expect(new Set(hostIps)).toEqual(new Set(['127.0.0.1']));
      expect(published['8000/tcp']).toEqual([{ HostIp: '127.0.0.1', HostPort: '7999' }]);
      expect(Object.keys(published)).toContain(`${range.start}/tcp`);
      let status = 'unreachable';
      for (let i = 0; i < 30 && status !== '200'; i++) {
        status = await httpGet(`http://127.0.0.1:${range.start}/`);
        if (status !== '200') await new Promise((resolve) => setTimeout(resolve, 300));
      }
      expect(status).toBe('200');
      expect(await httpGet('http://127.0.0.1:7999/')).toBe('200');
    } finally {
      server.kill('SIGTERM');
    }
    await new Promise((resolve) => server.on('close', resolve));
    const cleanup = await runAsylum(['cleanup'], { cwd: project });
    expect(cleanup.code).toBe(0);
    expect(rangeOf(project)).toBeUndefined();
  });

  it('gives different projects different ranges', async () => {
    const a = makeProject('ports-a');
    const b = makeProject('ports-b');
    await Promise.all([a, b].map((cwd) => runAsylum(['run', 'true'], { cwd })));
    const [ra, rb] = [rangeOf(a)!, rangeOf(b)!];
    expect(ra.start + ra.count <= rb.start || rb.start + rb.count <= ra.start).toBe(true);
  });
});
