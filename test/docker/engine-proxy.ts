import { chmodSync, linkSync, mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const REAL_SOCKET = '/var/run/docker.sock';

/**
 * Sockets that stand for an engine in a given state, without touching the
 * shared daemon: a proxy to the real engine that a test can stop mid-session,
 * a socket whose listener is gone, and one nobody may open.
 */
export interface FakeEngines {
  dir: string;
  /** `unix://` of the proxy; every connection is piped to the real engine. */
  proxyHost: string;
  /** Ends the proxy and every connection through it, as a daemon that stops would. */
  stopProxy: () => Promise<void>;
  /** A socket file with nothing listening (the daemon stopped or crashed). */
  deadHost: string;
  /** A socket file of mode 000 (a user outside the docker group). */
  deniedHost: string;
  missingHost: string;
  remove: () => Promise<void>;
}

function listen(path: string, onConnection?: (socket: net.Socket) => void) {
  // Half-open: an exec's stdin ends (the client half-closes) while its output still flows.
  const server = net.createServer({ allowHalfOpen: true }, onConnection);
  return new Promise<net.Server>((resolve) => server.listen(path, () => resolve(server)));
}

/** A socket file without a listener: a hard link keeps it once the listener closes. */
async function leftoverSocket(path: string, mode: number): Promise<void> {
  const live = `${path}.live`;
  const listener = await listen(live);
  linkSync(live, path);
  await new Promise((resolve) => listener.close(resolve));
  chmodSync(path, mode);
}

export async function startFakeEngines(): Promise<FakeEngines> {
  const dir = mkdtempSync(join(tmpdir(), 'asylum-engine-'));
  chmodSync(dir, 0o755);
  const open = new Set<net.Socket>();
  const proxyPath = join(dir, 'proxy.sock');
  const proxy = await listen(proxyPath, (client) => {
    const upstream = net.connect({ path: REAL_SOCKET, allowHalfOpen: true });
    for (const socket of [client, upstream]) {
      open.add(socket);
      socket.on('close', () => open.delete(socket));
      socket.on('error', () => socket.destroy());
    }
    client.pipe(upstream).pipe(client);
  });
  chmodSync(proxyPath, 0o666);

  await leftoverSocket(join(dir, 'dead.sock'), 0o777);
  await leftoverSocket(join(dir, 'denied.sock'), 0o000);

  let stopped = false;
  const stopProxy = async () => {
    if (stopped) return;
    stopped = true;
    const closed = new Promise((resolve) => proxy.close(resolve));
    for (const socket of open) socket.destroy();
    await closed;
  };
  return {
    dir,
    proxyHost: `unix://${proxyPath}`,
    stopProxy,
    deadHost: `unix://${join(dir, 'dead.sock')}`,
    deniedHost: `unix://${join(dir, 'denied.sock')}`,
    missingHost: `unix://${join(dir, 'missing.sock')}`,
    remove: async () => {
      await stopProxy();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
