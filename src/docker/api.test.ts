import { linkSync, mkdtempSync, rmSync } from 'node:fs';
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import net, { type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough, Readable, Writable } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { EngineError } from '../errors.js';
import {
  ApiError,
  ContainerGoneError,
  EngineApi,
  engineConnectionError,
  FrameDemuxer,
  pickApiVersion,
} from './api.js';
import type { ApiEndpoint } from './endpoint.js';

// A fake engine: just enough of the Engine API, over a real unix socket, to
// drive the client through the same bytes a dockerd would send.

interface FakeExec {
  container: string;
  body: Record<string, unknown>;
  exitCode: number;
  /** How many more /json polls report Running: true. */
  runningPolls: number;
  polls: number;
}

interface FakeOptions {
  /** Api-Version header of /_ping; null leaves it out. */
  pingVersion?: string | null;
  /** Refuse versions below this one, as Engine 29 does for < 1.44. */
  minVersion?: string;
  /** Answer exec start with a streamed 200 instead of a 101 upgrade. */
  plain?: boolean;
}

interface FakeEngine {
  socketPath: string;
  paths: string[];
  execs: Map<string, FakeExec>;
  options: FakeOptions;
}

const BIG = 1024 * 1024;

let dir: string;
let servers: Array<http.Server | net.Server>;
let sockets: net.Socket[];

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'asylum-api-'));
  servers = [];
  sockets = [];
});

afterEach(async () => {
  for (const socket of sockets) socket.destroy();
  await Promise.all(servers.map((s) => new Promise((r) => s.close(r))));
  rmSync(dir, { recursive: true, force: true });
});

function frame(type: number, payload: Buffer | string): Buffer {
  const data = Buffer.from(payload);
  const header = Buffer.alloc(8);
  header[0] = type;
  header.writeUInt32BE(data.length, 4);
  return Buffer.concat([header, data]);
}

/** Writes `data` in odd-sized pieces with pauses, so frames and headers get cut. */
async function writeChopped(socket: net.Socket, data: Buffer): Promise<void> {
  const sizes = [1, 3, 7, 2, 5, 11, 4, 9];
  let offset = 0;
  for (let i = 0; offset < data.length; i++) {
    const size = sizes[i % sizes.length]!;
    socket.write(data.subarray(offset, offset + size));
    offset += size;
    await new Promise((r) => setTimeout(r, 1));
  }
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = typeof body === 'string' ? body : JSON.stringify(body);
  res.writeHead(status, { 'Content-Type': 'application/json' }).end(text);
}

function readAll(stream: Readable): Promise<Buffer> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    stream.on('data', (c: Buffer) => chunks.push(c));
    stream.on('end', () => resolve(Buffer.concat(chunks)));
  });
}

const inspectBody = {
  Id: 'box-id',
  Name: '/box',
  State: { Status: 'running', Running: true, ExitCode: 0 },
  Config: { Image: 'img', Labels: { 'asylum.project': 'p' } },
};

function versionTooOld(engine: FakeEngine, version: string): boolean {
  const min = engine.options.minVersion;
  return min !== undefined && Number(version) < Number(min);
}

async function handle(engine: FakeEngine, req: IncomingMessage, res: ServerResponse) {
  const url = req.url ?? '';
  engine.paths.push(`${req.method} ${url}`);
  const body = await readAll(req);
  if (url === '/_ping') {
    const version = engine.options.pingVersion;
    const headers = version === null ? {} : { 'Api-Version': version ?? '1.41' };
    res.writeHead(200, headers).end('OK');
    return;
  }
  const match = /^\/v(\d+\.\d+)(\/.*)$/.exec(url);
  if (!match) return sendJson(res, 404, { message: 'page not found' });
  const [, version = '', path = ''] = match;
  if (versionTooOld(engine, version)) {
    const message =
      `client version ${version} is too old. Minimum supported API version is ` +
      `${engine.options.minVersion}, please upgrade your client to a newer version`;
    return sendJson(res, 400, { message });
  }
  route(engine, req.method ?? '', path, body, res);
}

function route(
  engine: FakeEngine,
  method: string,
  path: string,
  body: Buffer,
  res: ServerResponse,
) {
  let m = /^\/containers\/([^/]+)\/json$/.exec(path);
  if (method === 'GET' && m) {
    if (m[1] === 'box') return sendJson(res, 200, inspectBody);
    if (m[1] === 'boom') return sendJson(res, 500, { message: 'engine exploded' });
    if (m[1] === 'proxy') return sendJson(res, 502, '<html>bad gateway</html>');
    return sendJson(res, 404, { message: `No such container: ${m[1]}` });
  }
  m = /^\/containers\/([^/]+)\/exec$/.exec(path);
  if (method === 'POST' && m) return createExec(engine, m[1]!, body, res);
  m = /^\/exec\/([^/]+)\/json$/.exec(path);
  if (method === 'GET' && m) {
    const exec = engine.execs.get(m[1]!);
    if (!exec) return sendJson(res, 404, { message: 'No such exec instance' });
    exec.polls++;
    const running = exec.runningPolls-- > 0;
    return sendJson(res, 200, { Running: running, ExitCode: running ? 0 : exec.exitCode });
  }
  sendJson(res, 404, { message: 'page not found' });
}

function createExec(engine: FakeEngine, container: string, body: Buffer, res: ServerResponse) {
  if (container === 'stopped') {
    return sendJson(res, 409, { message: `Container ${container} is not running` });
  }
  if (container !== 'box' && container !== 'dies') {
    return sendJson(res, 404, { message: `No such container: ${container}` });
  }
  const id = `exec${engine.execs.size + 1}`;
  const parsed = JSON.parse(body.toString()) as Record<string, unknown>;
  engine.execs.set(id, { container, body: parsed, exitCode: 0, runningPolls: 0, polls: 0 });
  sendJson(res, 201, { Id: id });
}

/** Exec start arrives as an upgrade request: the raw socket is ours from here. */
function onUpgrade(engine: FakeEngine, req: IncomingMessage, socket: net.Socket, head: Buffer) {
  sockets.push(socket);
  engine.paths.push(`${req.method} ${req.url}`);
  const id = /\/exec\/([^/]+)\/start$/.exec(req.url ?? '')?.[1] ?? '';
  const exec = engine.execs.get(id);
  if (!exec || exec.container === 'dies') {
    const text = JSON.stringify({ message: `Container ${exec?.container} is not running` });
    socket.end(
      `HTTP/1.1 409 Conflict\r\nContent-Type: application/json\r\n` +
        `Content-Length: ${text.length}\r\n\r\n${text}`,
    );
    return;
  }
  // The start body (JSON) precedes stdin on the same connection.
  const bodyLength = Number(req.headers['content-length'] ?? 0);
  const stdin = new PassThrough();
  let pending = head;
  let skip = bodyLength;
  const feed = (chunk: Buffer) => {
    const cut = Math.min(skip, chunk.length);
    skip -= cut;
    if (chunk.length > cut) stdin.write(chunk.subarray(cut));
  };
  feed(pending);
  pending = Buffer.alloc(0);
  socket.on('data', feed);
  socket.on('end', () => stdin.end());
  socket.write(
    engine.options.plain
      ? 'HTTP/1.1 200 OK\r\nContent-Type: application/vnd.docker.raw-stream\r\n\r\n'
      : 'HTTP/1.1 101 UPGRADED\r\nContent-Type: application/vnd.docker.raw-stream\r\n' +
          'Connection: Upgrade\r\nUpgrade: tcp\r\n\r\n',
  );
  void runExec(exec, socket, stdin);
}

/** The "processes": what each fake command writes, and its exit code. */
async function runExec(exec: FakeExec, socket: net.Socket, stdin: PassThrough): Promise<void> {
  const cmd = (exec.body.Cmd as string[])[0];
  if (cmd === 'split') {
    exec.exitCode = 3;
    const out = [frame(1, 'out line\n'), frame(2, 'err line\n'), frame(1, ''), frame(1, 'bye\n')];
    await writeChopped(socket, Buffer.concat(out));
  } else if (cmd === 'cat') {
    const input = await readAll(stdin);
    await writeChopped(socket, frame(1, input));
  } else if (cmd === 'big') {
    await writeBig(socket);
  } else if (cmd === 'systemerr') {
    exec.exitCode = 126;
    socket.write(frame(3, 'exec failed: no such file\n'));
  } else if (cmd === 'slow-exit') {
    exec.exitCode = 7;
    exec.runningPolls = 3;
  } else if (cmd === 'hang') {
    return;
  }
  socket.end();
}

function bigPayload(): Buffer {
  const data = Buffer.alloc(BIG);
  for (let i = 0; i < BIG; i++) data[i] = (i * 31 + (i >> 10)) & 0xff;
  return data;
}

async function writeBig(socket: net.Socket): Promise<void> {
  const data = bigPayload();
  // Uneven frame sizes, like a process writing in varied bursts.
  for (let offset = 0, n = 0; offset < data.length; n++) {
    const size = 1000 + ((n * 7919) % 40000);
    const ok = socket.write(frame(1, data.subarray(offset, offset + size)));
    offset += size;
    if (!ok) await new Promise((r) => socket.once('drain', r));
  }
}

async function startFake(options: FakeOptions = {}, tcp = false): Promise<FakeEngine> {
  const socketPath = join(dir, `engine-${servers.length}.sock`);
  const engine: FakeEngine = { socketPath, paths: [], execs: new Map(), options };
  const server = http.createServer((req, res) => void handle(engine, req, res));
  server.on('upgrade', (req, socket, head) => onUpgrade(engine, req, socket as net.Socket, head));
  servers.push(server);
  await new Promise<void>((r) =>
    tcp ? server.listen(0, '127.0.0.1', r) : server.listen(socketPath, r),
  );
  if (tcp) engine.socketPath = String((server.address() as AddressInfo).port);
  return engine;
}

function unixApi(engine: FakeEngine, apiVersion?: string): EngineApi {
  const endpoint: ApiEndpoint = { kind: 'unix', socketPath: engine.socketPath, source: 'test' };
  return new EngineApi(endpoint, { apiVersion });
}

class Collector extends Writable {
  chunks: Buffer[] = [];
  maxBuffered = 0;

  constructor(private readonly delayMs = -1) {
    super({ highWaterMark: 16 * 1024 });
  }

  override _write(chunk: Buffer, _enc: BufferEncoding, done: (err?: Error) => void): void {
    this.chunks.push(chunk);
    this.maxBuffered = Math.max(this.maxBuffered, this.writableLength);
    if (this.delayMs < 0) done();
    else setTimeout(done, this.delayMs);
  }

  text(): string {
    return Buffer.concat(this.chunks).toString();
  }
}

function sinks(delayMs = -1) {
  return { stdout: new Collector(delayMs), stderr: new Collector(delayMs) };
}

describe('pickApiVersion', () => {
  it('speaks 1.41, 1.44 on Engine 29+, and older engines their own version', () => {
    expect(pickApiVersion(undefined)).toBe('1.41');
    expect(pickApiVersion('garbage')).toBe('1.41');
    expect(pickApiVersion('1.40')).toBe('1.40');
    expect(pickApiVersion('1.41')).toBe('1.41');
    expect(pickApiVersion('1.43')).toBe('1.41');
    expect(pickApiVersion('1.44')).toBe('1.44');
    expect(pickApiVersion('1.52')).toBe('1.44');
    expect(pickApiVersion('2.0')).toBe('1.44');
  });
});

describe('FrameDemuxer', () => {
  it('reassembles frames cut at every possible point', () => {
    const stream = Buffer.concat([
      frame(1, 'hello'),
      frame(2, ''),
      frame(2, 'world!'),
      frame(1, 'x'.repeat(300)),
    ]);
    for (let step = 1; step <= stream.length; step++) {
      const demuxer = new FrameDemuxer();
      const got: string[] = [];
      for (let i = 0; i < stream.length; i += step) {
        demuxer.push(stream.subarray(i, i + step), (type, payload) =>
          got.push(`${type}${payload}`),
        );
      }
      const joined = got.reduce<string[]>((acc, part) => {
        const last = acc.at(-1);
        if (last?.[0] === part[0]) acc[acc.length - 1] = last + part.slice(1);
        else acc.push(part);
        return acc;
      }, []);
      expect(joined, `step ${step}`).toEqual(['1hello', '2world!', `1${'x'.repeat(300)}`]);
    }
  });
});

describe('EngineApi requests', () => {
  it('pings and adopts the version the engine offers', async () => {
    const engine = await startFake({ pingVersion: '1.43' });
    const api = unixApi(engine);
    await expect(api.ping()).resolves.toEqual({ apiVersion: '1.43' });
    await api.inspectContainer('box');
    expect(engine.paths).toEqual(['GET /_ping', 'GET /v1.41/containers/box/json']);
  });

  it('negotiates lazily, once, even for concurrent first calls', async () => {
    const engine = await startFake({ pingVersion: '1.52' });
    const api = unixApi(engine);
    await Promise.all([api.inspectContainer('box'), api.inspectContainer('box')]);
    await api.inspectContainer('box');
    expect(engine.paths.filter((p) => p === 'GET /_ping')).toHaveLength(1);
    expect(engine.paths.filter((p) => p.startsWith('GET /v1.44/'))).toHaveLength(3);
  });

  it('falls back to 1.41 when the ping names no version', async () => {
    const engine = await startFake({ pingVersion: null });
    await unixApi(engine).inspectContainer('box');
    expect(engine.paths).toContain('GET /v1.41/containers/box/json');
  });

  it('moves up to the minimum version an upgraded engine demands', async () => {
    const engine = await startFake({ pingVersion: '1.52', minVersion: '1.47' });
    const api = unixApi(engine);
    await expect(api.inspectContainer('box')).resolves.toMatchObject({ Id: 'box-id' });
    await api.inspectContainer('box');
    expect(engine.paths).toEqual([
      'GET /_ping',
      'GET /v1.44/containers/box/json',
      'GET /v1.47/containers/box/json',
      'GET /v1.47/containers/box/json',
    ]);
  });

  it('inspects a container, and returns null for a missing one', async () => {
    const api = unixApi(await startFake());
    await expect(api.inspectContainer('box')).resolves.toEqual(inspectBody);
    await expect(api.inspectContainer('nope')).resolves.toBeNull();
  });

  it('turns error statuses into ApiErrors carrying the engine message', async () => {
    const api = unixApi(await startFake());
    const err = await api.inspectContainer('boom').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApiError);
    expect(err).toBeInstanceOf(EngineError);
    expect(err).toMatchObject({ status: 500, message: 'engine exploded' });
    await expect(api.inspectContainer('proxy')).rejects.toMatchObject({
      status: 502,
      message: '<html>bad gateway</html>',
    });
    await expect(api.request('DELETE', '/nothing')).rejects.toMatchObject({ status: 404 });
  });

  it('works over tcp too', async () => {
    const engine = await startFake({}, true);
    const endpoint: ApiEndpoint = {
      kind: 'tcp',
      host: '127.0.0.1',
      port: Number(engine.socketPath),
      source: 'test',
    };
    const api = new EngineApi(endpoint);
    await expect(api.ping()).resolves.toEqual({ apiVersion: '1.41' });
    await expect(api.inspectContainer('box')).resolves.toMatchObject({ Id: 'box-id' });
  });
});

describe.each([
  ['upgraded (101)', false],
  ['streamed (200)', true],
])('EngineApi.exec, %s', (_name, plain) => {
  it('demultiplexes output cut at odd boundaries and returns the exit code', async () => {
    const engine = await startFake({ plain });
    const out = sinks();
    const code = await unixApi(engine).exec('box', { cmd: ['split'], ...out });
    expect(code).toBe(3);
    expect(out.stdout.text()).toBe('out line\nbye\n');
    expect(out.stderr.text()).toBe('err line\n');
    expect(engine.execs.get('exec1')?.body).toEqual({
      AttachStdin: false,
      AttachStdout: true,
      AttachStderr: true,
      Tty: false,
      Cmd: ['split'],
    });
  });

  it('forwards stdin and half-closes it so the process sees EOF', async () => {
    const engine = await startFake({ plain });
    const out = sinks();
    const stdin = Readable.from([Buffer.from('hel'), Buffer.from('lo')]);
    const code = await unixApi(engine).exec('box', {
      cmd: ['cat'],
      user: 'agent',
      env: ['A=1'],
      workdir: '/work',
      stdin,
      ...out,
    });
    expect(code).toBe(0);
    expect(out.stdout.text()).toBe('hello');
    expect(engine.execs.get('exec1')?.body).toMatchObject({
      AttachStdin: true,
      User: 'agent',
      Env: ['A=1'],
      WorkingDir: '/work',
    });
    expect(stdin.readableFlowing).not.toBe(true);
  });

  it('delivers 1 MiB intact to a slow sink without buffering it all', async () => {
    const engine = await startFake({ plain });
    const out = sinks(1);
    const code = await unixApi(engine).exec('box', { cmd: ['big'], ...out });
    expect(code).toBe(0);
    expect(Buffer.concat(out.stdout.chunks).equals(bigPayload())).toBe(true);
    // Without backpressure the sink would hold most of the megabyte at once.
    expect(out.stdout.maxBuffered).toBeLessThan(256 * 1024);
    // Resolved only once the sink has written every byte: nothing is left queued.
    expect(out.stdout.writableLength).toBe(0);
  });
});

describe('EngineApi.exec edge cases', () => {
  it('polls until the exec stops running', async () => {
    const engine = await startFake();
    const code = await unixApi(engine).exec('box', { cmd: ['slow-exit'], ...sinks() });
    expect(code).toBe(7);
    expect(engine.execs.get('exec1')?.polls).toBe(4);
  });

  it('routes engine-side error frames (type 3) to stderr', async () => {
    const out = sinks();
    const code = await unixApi(await startFake()).exec('box', { cmd: ['systemerr'], ...out });
    expect(code).toBe(126);
    expect(out.stderr.text()).toBe('exec failed: no such file\n');
  });

  it('throws ContainerGoneError for a stopped or missing container', async () => {
    const api = unixApi(await startFake());
    for (const [container, status] of [
      ['stopped', 409],
      ['nope', 404],
      ['dies', 409],
    ] as const) {
      const err = await api.exec(container, { cmd: ['true'], ...sinks() }).catch((e) => e);
      expect(err, container).toBeInstanceOf(ContainerGoneError);
      expect(err).toMatchObject({ status });
    }
  });

  it('stops waiting when aborted, mid-stream or before it starts', async () => {
    const api = unixApi(await startFake());
    const controller = new AbortController();
    setTimeout(() => controller.abort(new Error('user gave up')), 50);
    const stdin = new PassThrough();
    const running = api.exec('box', {
      cmd: ['hang'],
      stdin,
      signal: controller.signal,
      ...sinks(),
    });
    await expect(running).rejects.toThrow('user gave up');
    expect(stdin.readableFlowing).not.toBe(true);
    const pre = api.exec('box', { cmd: ['hang'], signal: controller.signal, ...sinks() });
    await expect(pre).rejects.toThrow('user gave up');
  });
});

describe('EngineApi connection errors', () => {
  const at = (socketPath: string) =>
    new EngineApi({ kind: 'unix', socketPath, source: 'DOCKER_HOST' });

  it('names a missing socket and how to start the engine', async () => {
    const path = join(dir, 'missing.sock');
    const err = await at(path)
      .ping()
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(EngineError);
    expect(err).not.toBeInstanceOf(ApiError);
    expect(err).toMatchObject({
      message: `no Docker engine socket at ${path} — start Docker (or dockerd) and retry`,
      hint: 'the engine endpoint comes from DOCKER_HOST',
    });
  });

  it('says the engine is not answering when nothing listens on the socket', async () => {
    const live = join(dir, 'live.sock');
    const stale = join(dir, 'stale.sock');
    const server = net.createServer();
    await new Promise<void>((r) => server.listen(live, r));
    // A hard link keeps the socket inode after the listener is gone.
    linkSync(live, stale);
    await new Promise((r) => server.close(r));
    await expect(at(stale).inspectContainer('box')).rejects.toThrow(
      `the engine at ${stale} is not running (nothing listens there) — ` +
        'start Docker (or dockerd) and retry',
    );
  });

  it('gives up on a socket that accepts but never answers', async () => {
    const path = join(dir, 'silent.sock');
    const server = net.createServer((socket) => sockets.push(socket));
    servers.push(server);
    await new Promise<void>((r) => server.listen(path, r));
    const started = Date.now();
    await expect(at(path).ping(200)).rejects.toThrow(
      `the engine at ${path} did not answer within 0.2s`,
    );
    await expect(at(path).request('GET', '/info', { timeoutMs: 300 })).rejects.toThrow(
      'did not answer within 0.3s',
    );
    expect(Date.now() - started).toBeLessThan(2000);
  });

  it('explains permission problems', () => {
    const endpoint: ApiEndpoint = {
      kind: 'unix',
      socketPath: '/s.sock',
      source: 'default socket',
    };
    const err = Object.assign(new Error('connect EACCES /s.sock'), { code: 'EACCES' });
    expect(engineConnectionError(endpoint, err).message).toBe(
      'permission denied on /s.sock — add your user to the docker group ' +
        '(then log in again) or use rootless Docker',
    );
    const tcp: ApiEndpoint = { kind: 'tcp', host: '::1', port: 2375, source: 'DOCKER_HOST' };
    const reset = Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' });
    expect(engineConnectionError(tcp, reset).message).toBe(
      'lost the connection to the engine at tcp://[::1]:2375 (ECONNRESET)',
    );
  });
});
