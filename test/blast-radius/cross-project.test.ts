import type { ChildProcess } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ctx, docker, startAsylum, waitFor, writeOwned } from '../docker/harness.js';
import {
  decoyHome,
  facts,
  HOST_ENV,
  inside,
  keepAlive,
  mark,
  projectWithSibling,
  verify,
} from './fixture.js';

const PROMISE = 'Cross-project damage';

async function httpStatus(url: string): Promise<string> {
  try {
    return String((await fetch(url, { signal: AbortSignal.timeout(3000) })).status);
  } catch {
    return 'unreachable';
  }
}

const inspect = (container: string, format: string) =>
  docker(['inspect', '--format', format, container]);

/**
 * The lowest port of a project's range that is really published, on 127.0.0.1 (a
 * port busy on the host, e.g. another engine user's, is skipped by asylum).
 */
function publishedPort(container: string): number {
  const bindings: Record<string, { HostIp: string; HostPort: string }[] | null> = JSON.parse(
    inspect(container, '{{json .HostConfig.PortBindings}}'),
  );
  const published = Object.entries(bindings)
    .filter(([key, list]) => key.endsWith('/tcp') && list?.[0]?.HostPort === key.split('/')[0])
    .map(([key, list]) => ({ port: Number(key.split('/')[0]), ip: list![0]!.HostIp }));
  expect(published.length).toBeGreaterThan(0);
  expect(new Set(published.map((p) => p.ip))).toEqual(new Set(['127.0.0.1']));
  return Math.min(...published.map((p) => p.port));
}

/** A server on the host's every interface: what `host.docker.internal` does reach (documented). */
async function hostServer(): Promise<Server> {
  const server = createServer((_req, res) => res.end('host'));
  await new Promise<void>((resolve) => server.listen(0, '0.0.0.0', resolve));
  return server;
}

describe.skipIf(!ctx.engine)('blast radius: cross-project', () => {
  // "Each project gets its own container, its own image, and its own port range. An agent
  //  working on project A cannot reach project B's files or running services."
  it(`${PROMISE}: project A cannot see B's files nor reach B's server (container IP, host.docker.internal)`, async () => {
    const attacks = [
      "read/list B's path from A",
      "curl B's container IP:port from A",
      'curl host.docker.internal:<B port> from A',
      "resolve B's container name from A",
      "sudo write to the (shared) image's /usr/local/bin in A, look in B",
    ];
    await verify(PROMISE, 'files, services', attacks, async () => {
      const home = decoyHome();
      const a = projectWithSibling('br-cross-a');
      const b = projectWithSibling('br-cross-b');
      writeOwned(join(b.dir, 'b-secret.txt'), `${mark('PROJECTB')}\n`);
      const host = await hostServer();
      const hostPort = (host.address() as AddressInfo).port;
      const keepA = await keepAlive(a.dir, home);
      const keepB = await keepAlive(b.dir, home);
      const bName = keepB.name;
      let server: ChildProcess | undefined;
      try {
        const port = publishedPort(bName);
        server = startAsylum(
          [
            'run',
            'sh',
            '-c',
            `echo "range=$ASYLUM_PORTS"; exec python3 -m http.server --bind 0.0.0.0 ${port} >/dev/null 2>&1`,
          ],
          { cwd: b.dir, home, env: HOST_ENV },
        );
        let out = '';
        server.stdout?.on('data', (chunk: Buffer) => {
          out += chunk.toString();
        });
        server.stderr?.resume();
        await waitFor(() => /range=\d+-\d+/.test(out), 60_000);
        const [low, high] = /range=(\d+)-(\d+)/.exec(out)!.slice(1).map(Number) as [
          number,
          number,
        ];
        expect(port >= low && port <= high, `${port} in ${low}-${high}`).toBe(true);
        const bIp = inspect(bName, '{{range .NetworkSettings.Networks}}{{.IPAddress}}{{end}}');
        expect(bIp).toMatch(/^\d+\.\d+\.\d+\.\d+$/);
        // Controls: B's server is up, on all interfaces, published, and routable from the host.
        let status = 'unreachable';
        for (let i = 0; i < 50 && status !== '200'; i++) {
          status = await httpStatus(`http://127.0.0.1:${port}/`);
          if (status !== '200') await new Promise((resolve) => setTimeout(resolve, 200));
        }
        expect(status).toBe('200');
        expect(await httpStatus(`http://${bIp}:${port}/`)).toBe('200');

        const curl = (label: string, url: string) =>
          `echo "@${label}=$(curl -s -m 3 -o /dev/null -w '%{http_code}' ${url}; echo " exit $?")"`;
        const script = [
          `[ -e '${b.dir}' ] && echo @b-dir=visible || echo @b-dir=absent`,
          `cat '${b.dir}/b-secret.txt' >/dev/null 2>&1 && echo @b-file=read || echo @b-file=unreadable`,
          `sudo ls -A '${join(b.dir, '..')}' >/dev/null 2>&1 && echo @b-parent=visible || echo @b-parent=absent`,
          curl('b-ip', `http://${bIp}:${port}/`),
          curl('b-host', `http://host.docker.internal:${port}/`),
          curl('host-server', `http://host.docker.internal:${hostPort}/`),
          `getent hosts '${bName}' >/dev/null && echo @b-name=resolves || echo @b-name=unknown`,
          "sudo sh -c 'echo from-a > /usr/local/bin/from-a' && echo @a-wrote=yes",
        ].join('\n');
        const seenA = facts((await inside(a.dir, script, { home })).stdout);
        const seenB = facts(
          (
            await inside(
              b.dir,
              `[ -e /usr/local/bin/from-a ] && echo @from-a=visible || echo @from-a=absent`,
              { home },
            )
          ).stdout,
        );
        console.log(
          `cross-project: A saw ${JSON.stringify(seenA)}; B saw ${JSON.stringify(seenB)}`,
        );
        expect(seenA).toMatchObject({
          'b-dir': 'absent',
          'b-file': 'unreadable',
          'b-parent': 'absent',
          'b-name': 'unknown',
          'a-wrote': 'yes',
        });
        // curl prints 000 and fails (timeout 28, refused 7) where nothing answers.
        expect(seenA['b-ip']).toMatch(/^000 exit (7|28)$/);
        expect(seenA['b-host']).toMatch(/^000 exit (7|28)$/);
        // Control: A's curl and host.docker.internal work; only B's services are out of reach.
        expect(seenA['host-server']).toBe('200 exit 0');
        expect(seenB['from-a']).toBe('absent');

        // Separate containers, networks and port ranges.
        const netA = inspect(
          keepA.name,
          '{{range $k, $v := .NetworkSettings.Networks}}{{$k}} {{end}}',
        );
        const netB = inspect(bName, '{{range $k, $v := .NetworkSettings.Networks}}{{$k}} {{end}}');
        console.log(`cross-project: A on [${netA}], B on [${netB}]`);
        expect(netA.split(' ')).toHaveLength(1);
        expect(netB.split(' ')).toHaveLength(1);
        expect(netA).not.toBe(netB);
        expect(inspect(keepA.name, '{{.Id}}')).not.toBe(inspect(bName, '{{.Id}}'));
        const portsA = inspect(keepA.name, '{{json .HostConfig.PortBindings}}');
        expect(portsA).not.toContain(`"${port}/tcp"`);
      } finally {
        if (server) {
          const closed = new Promise<void>((resolve) => server!.on('close', () => resolve()));
          server.kill('SIGTERM');
          await closed;
        }
        await Promise.all([keepA.stop(), keepB.stop()]);
        host.close();
      }
    });
  });

  // "Each project gets its own container, its own image, and its own port range."
  // Every project runs from asylum:proj-<hash>, built FROM the shared base image.
  it(`${PROMISE}: each project gets its own image`, async () => {
    const attacks = ['compare the image of A and B'];
    const breach = 'A and B run from the same image';
    await verify(
      PROMISE,
      'own image',
      attacks,
      async () => {
        const home = decoyHome();
        const a = projectWithSibling('br-image-a');
        const b = projectWithSibling('br-image-b');
        const keepA = await keepAlive(a.dir, home);
        const keepB = await keepAlive(b.dir, home);
        try {
          const imageA = inspect(keepA.name, '{{.Image}}');
          const imageB = inspect(keepB.name, '{{.Image}}');
          console.log(`own image: A ${imageA}, B ${imageB}`);
          expect(imageA).not.toBe(imageB);
        } finally {
          await Promise.all([keepA.stop(), keepB.stop()]);
        }
      },
      breach,
    );
  });
});
