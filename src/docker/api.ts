/**
 * A small Docker Engine API client for asylum's hot path. Spawning the docker
 * CLI costs ~13 ms per call before it does anything; one request over the
 * socket costs ~5 ms, and an exec through here is as fast as the raw API.
 *
 * It speaks plain HTTP/1.1 over a unix socket or TCP with `node:http` and no
 * dependencies. TLS and ssh endpoints are left to the docker CLI (see
 * endpoint.ts). Every control call has a deadline: a wedged engine turns into
 * an EngineError, never a hung CLI.
 */
import http, { type IncomingHttpHeaders, type IncomingMessage } from 'node:http';
import { connect, type Socket } from 'node:net';
import type { Readable } from 'node:stream';
import { EngineError } from '../errors.js';
import type { ApiEndpoint } from './endpoint.js';

/**
 * The API version asylum is written and tested against: Engine 20.10, the
 * oldest engine asylum supports. Newer engines still accept it, except that
 * Engine 29 refuses anything below 1.44 (see `pickApiVersion`).
 */
export const API_VERSION_FLOOR = '1.41';
/** The minimum API version of Engine 29+; also spoken by every engine since 25.0. */
const API_VERSION_MODERN = '1.44';
const CONTROL_TIMEOUT_MS = 5_000;
const PING_TIMEOUT_MS = 2_000;
/** How long an exec may still show as running after its output stream ended. */
const EXIT_POLL_LIMIT_MS = 5_000;

/** The engine answered, but with an error status. */
export class ApiError extends EngineError {
  constructor(
    readonly status: number,
    message: string,
    readonly method: string,
    readonly path: string,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

/** The container of an exec is not running or no longer exists (409 / 404). */
export class ContainerGoneError extends ApiError {
  constructor(status: number, message: string, method: string, path: string) {
    super(status, message, method, path);
    this.name = 'ContainerGoneError';
  }
}

export interface RequestOptions {
  body?: unknown;
  /** Deadline for the whole call, version negotiation included. Default 5 s. */
  timeoutMs?: number;
  signal?: AbortSignal;
}

export interface ExecOptions {
  cmd: string[];
  user?: string;
  /** `NAME=value` entries, added to the container's environment. */
  env?: string[];
  workdir?: string;
  /** Forwarded to the process; its end closes the process's stdin. */
  stdin?: NodeJS.ReadableStream | null;
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
  /**
   * Stops waiting and drops the connection. The engine has no way to kill an
   * exec, so the process inside may keep running; kill it in-container if needed.
   */
  signal?: AbortSignal;
}

export interface PingResult {
  /** The newest API version the engine speaks (`Api-Version` header). */
  apiVersion: string | undefined;
}

/** The fields of `GET /containers/{id}/json` asylum reads; the rest is there too. */
export interface ContainerInspect {
  Id: string;
  Name: string;
  State: { Status: string; Running: boolean; ExitCode: number; [key: string]: unknown };
  Config: { Image: string; Labels: Record<string, string> | null; [key: string]: unknown };
  [key: string]: unknown;
}

interface ExecInspect {
  Running: boolean;
  ExitCode: number | null;
}

interface RawResponse {
  status: number;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

/** A deadline shared by the steps of one call, and the budget to name in errors. */
interface Deadline {
  at: number;
  totalMs: number;
  signal?: AbortSignal;
}

export class EngineApi {
  readonly endpoint: ApiEndpoint;
  private version: Promise<string> | undefined;

  private readonly connect: () => Socket;

  constructor(endpoint: ApiEndpoint, options: { apiVersion?: string } = {}) {
    this.endpoint = endpoint;
    this.connect =
      endpoint.kind === 'unix'
        ? () => connect(endpoint.socketPath)
        : () => connect(endpoint.port, endpoint.host);
    if (options.apiVersion) this.version = Promise.resolve(options.apiVersion);
  }

  /** Checks that the engine answers; also settles the API version for later calls. */
  async ping(timeoutMs = PING_TIMEOUT_MS): Promise<PingResult> {
    const res = await this.roundTrip('GET', '/_ping', undefined, deadlineIn(timeoutMs));
    if (!isOk(res.status)) throw this.apiError(res, 'GET', '/_ping');
    const apiVersion = headerValue(res.headers['api-version']);
    this.version ??= Promise.resolve(pickApiVersion(apiVersion));
    return { apiVersion };
  }

  /** A JSON call against the versioned API; `path` is unversioned ("/containers/json"). */
  async request<T>(method: string, path: string, options: RequestOptions = {}): Promise<T> {
    const deadline = deadlineIn(options.timeoutMs ?? CONTROL_TIMEOUT_MS, options.signal);
    const version = await this.apiVersion(deadline);
    let res = await this.roundTrip(method, `/v${version}${path}`, options.body, deadline);
    const retryVersion = res.status === 400 ? minimumVersionFrom(res.body) : undefined;
    if (retryVersion) {
      // The engine was upgraded past our version: speak its minimum from now on.
      this.version = Promise.resolve(retryVersion);
      res = await this.roundTrip(method, `/v${retryVersion}${path}`, options.body, deadline);
    }
    if (!isOk(res.status)) throw this.apiError(res, method, path);
    return this.parseJson<T>(res.body);
  }

  async inspectContainer<T = ContainerInspect>(nameOrId: string): Promise<T | null> {
    try {
      return await this.request<T>('GET', `/containers/${encodeURIComponent(nameOrId)}/json`);
    } catch (err) {
      if (err instanceof ApiError && err.status === 404) return null;
      throw err;
    }
  }

  /** Runs a non-TTY command in a running container; resolves to its exit code. */
  async exec(containerId: string, opts: ExecOptions): Promise<number> {
    opts.signal?.throwIfAborted();
    const execId = await this.createExec(containerId, opts);
    await this.startExec(execId, opts);
    return this.execExitCode(execId, opts.signal);
  }

  private async createExec(containerId: string, opts: ExecOptions): Promise<string> {
    const body = {
      AttachStdin: Boolean(opts.stdin),
      AttachStdout: true,
      AttachStderr: true,
      Tty: false,
      Cmd: opts.cmd,
      User: opts.user,
      Env: opts.env,
      WorkingDir: opts.workdir,
    };
    const path = `/containers/${encodeURIComponent(containerId)}/exec`;
    const created = await this.request<{ Id: string }>('POST', path, {
      body,
      signal: opts.signal,
    }).catch(asContainerGone);
    return created.Id;
  }

  /**
   * Starts the exec and streams it until the engine closes the stream. The
   * engine normally upgrades the connection (101) to a raw bidirectional
   * stream; some engines and proxies answer 200 and stream the body instead.
   */
  private async startExec(execId: string, opts: ExecOptions): Promise<void> {
    const deadline = deadlineIn(CONTROL_TIMEOUT_MS, opts.signal);
    const version = await this.apiVersion(deadline);
    const path = `/exec/${encodeURIComponent(execId)}/start`;
    const payload = Buffer.from(JSON.stringify({ Detach: false, Tty: false }));
    const headers = { Connection: 'Upgrade', Upgrade: 'tcp' };
    const req = this.openRequest('POST', `/v${version}${path}`, payload, headers);
    return new Promise<void>((resolve, reject) => {
      const guard = this.guard(req, deadline, reject);
      // Pumping starts inside the event handlers, synchronously: the upgraded
      // socket is already flowing and would drop data emitted before we listen.
      req.on('upgrade', (_res: IncomingMessage, socket: Socket, head: Buffer) => {
        guard.stop();
        new ExecPump(socket, socket, opts, resolve, reject).start(head);
      });
      req.on('response', (res: IncomingMessage) => {
        if (isOk(res.statusCode ?? 0)) {
          guard.stop();
          new ExecPump(res, res.socket as Socket, opts, resolve, reject).start(Buffer.alloc(0));
          return;
        }
        readBody(res).then((body) => {
          guard.stop();
          const raw = { status: res.statusCode ?? 0, headers: res.headers, body };
          reject(asContainerGoneError(this.apiError(raw, 'POST', path)));
        }, guard.fail);
      });
    });
  }

  /** Reads the exit code, polling briefly: the stream can close just before the exit. */
  private async execExitCode(execId: string, signal?: AbortSignal): Promise<number> {
    const path = `/exec/${encodeURIComponent(execId)}/json`;
    const giveUpAt = Date.now() + EXIT_POLL_LIMIT_MS;
    for (let delay = 1; ; delay = Math.min(delay * 2, 100)) {
      const info = await this.request<ExecInspect>('GET', path, { signal }).catch(asContainerGone);
      if (!info.Running) {
        if (typeof info.ExitCode === 'number') return info.ExitCode;
        throw new EngineError(`the engine reported no exit code for exec ${execId}`);
      }
      if (Date.now() >= giveUpAt) {
        const why = `exec ${execId} still runs after its output ended`;
        throw new EngineError(`${why} (it closed stdout and stderr but did not exit)`);
      }
      await sleep(delay, signal);
    }
  }

  /** Negotiates once per client: the first call pings, later calls reuse the answer. */
  private apiVersion(deadline: Deadline): Promise<string> {
    if (!this.version) {
      // Shared by every caller waiting on it, so one caller's abort must not end it.
      const shared = { at: deadline.at, totalMs: deadline.totalMs };
      const pinged = this.roundTrip('GET', '/_ping', undefined, shared);
      this.version = pinged.then((res) => pickApiVersion(headerValue(res.headers['api-version'])));
      // A failed ping must not poison later calls (the engine may come up).
      this.version.catch(() => {
        this.version = undefined;
      });
    }
    return this.version;
  }

  private roundTrip(method: string, path: string, body: unknown, deadline: Deadline) {
    const payload = body === undefined ? undefined : Buffer.from(JSON.stringify(body));
    return new Promise<RawResponse>((resolve, reject) => {
      const req = this.openRequest(method, path, payload, {});
      const guard = this.guard(req, deadline, reject);
      req.on('response', (res) => {
        readBody(res).then((buf) => {
          guard.stop();
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body: buf });
        }, guard.fail);
      });
    });
  }

  private openRequest(
    method: string,
    path: string,
    payload: Buffer | undefined,
    extra: Record<string, string>,
  ): http.ClientRequest {
    const target =
      this.endpoint.kind === 'unix'
        ? { socketPath: this.endpoint.socketPath }
        : { host: this.endpoint.host, port: this.endpoint.port };
    const headers: Record<string, string | number> = { ...extra };
    if (payload) {
      headers['Content-Type'] = 'application/json';
      headers['Content-Length'] = payload.length;
    }
    // A connection of our own per call, no agent: nothing pooled could keep the
    // CLI's event loop alive after its last request, and the agent's per-request
    // work (a TLS server name from an IP check, ~3 ms on the first call) is skipped.
    const req = http.request({ ...target, method, path, headers, createConnection: this.connect });
    req.end(payload);
    return req;
  }

  /**
   * Enforces the deadline and the abort signal on a request and maps socket
   * errors to EngineErrors. The timer rejects by itself rather than trusting
   * `destroy()` to surface an error event in every state of the request.
   */
  private guard(req: http.ClientRequest, deadline: Deadline, reject: (e: unknown) => void) {
    let done = false;
    let timedOut = false;
    const stop = () => {
      done = true;
      clearTimeout(timer);
      deadline.signal?.removeEventListener('abort', onAbort);
    };
    const fail = (err?: unknown) => {
      if (done) return;
      stop();
      if (deadline.signal?.aborted) reject(deadline.signal.reason);
      else if (timedOut) reject(this.timeoutError(deadline.totalMs));
      else reject(engineConnectionError(this.endpoint, err));
      req.destroy();
    };
    const onAbort = () => fail();
    const timer = setTimeout(
      () => {
        timedOut = true;
        fail();
      },
      Math.max(0, deadline.at - Date.now()),
    );
    deadline.signal?.addEventListener('abort', onAbort, { once: true });
    if (deadline.signal?.aborted) onAbort();
    req.on('error', fail);
    return { stop, fail };
  }

  private timeoutError(ms: number): EngineError {
    const seconds = Number((ms / 1000).toFixed(3));
    const where = describeEndpoint(this.endpoint);
    return new EngineError(`the engine at ${where} did not answer within ${seconds}s`, {
      hint: sourceHint(this.endpoint),
    });
  }

  private apiError(res: RawResponse, method: string, path: string): ApiError {
    return new ApiError(res.status, errorMessage(res), method, path);
  }

  private parseJson<T>(body: Buffer): T {
    if (body.length === 0) return undefined as T;
    try {
      return JSON.parse(body.toString('utf8')) as T;
    } catch (cause) {
      const where = describeEndpoint(this.endpoint);
      throw new EngineError(`the engine at ${where} sent a response that is not JSON`, { cause });
    }
  }
}

/**
 * Picks the API version to speak from the engine's newest (`Api-Version`).
 * Engines older than the floor get their own version (best effort); Engine
 * 29+ refuses versions below 1.44, and everything from 1.41 to 1.44 that
 * asylum uses (ping, inspect, exec) is unchanged, so 1.44 is safe there.
 */
export function pickApiVersion(server: string | undefined): string {
  if (!server || !/^\d+\.\d+$/.test(server)) return API_VERSION_FLOOR;
  if (compareVersions(server, API_VERSION_FLOOR) < 0) return server;
  if (compareVersions(server, API_VERSION_MODERN) >= 0) return API_VERSION_MODERN;
  return API_VERSION_FLOOR;
}

function compareVersions(a: string, b: string): number {
  const [aMajor = 0, aMinor = 0] = a.split('.').map(Number);
  const [bMajor = 0, bMinor = 0] = b.split('.').map(Number);
  return aMajor - bMajor || aMinor - bMinor;
}

/** "client version 1.41 is too old. Minimum supported API version is 1.50, …" */
function minimumVersionFrom(body: Buffer): string | undefined {
  const match = /minimum supported api version is (\d+\.\d+)/i.exec(body.toString('utf8'));
  return match?.[1];
}

/** Names the endpoint the way a user would type it. */
export function describeEndpoint(endpoint: ApiEndpoint): string {
  if (endpoint.kind === 'unix') return endpoint.socketPath;
  const host = endpoint.host.includes(':') ? `[${endpoint.host}]` : endpoint.host;
  return `tcp://${host}:${endpoint.port}`;
}

/** Turns a socket-level failure into one line that says what to do about it. */
export function engineConnectionError(endpoint: ApiEndpoint, err: unknown): EngineError {
  if (err instanceof EngineError) return err;
  const where = describeEndpoint(endpoint);
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  const options = { hint: sourceHint(endpoint), cause: err };
  switch (code) {
    case 'ENOENT':
      return new EngineError(
        `no Docker engine socket at ${where} — start Docker (or dockerd) and retry`,
        options,
      );
    case 'EACCES':
    case 'EPERM':
      return new EngineError(
        `permission denied on ${where} — add your user to the docker group ` +
          '(then log in again) or use rootless Docker',
        options,
      );
    case 'ECONNREFUSED':
      // The socket file outlived its daemon (stopped, crashed, being upgraded).
      return new EngineError(
        `the engine at ${where} is not running (nothing listens there) — ` +
          'start Docker (or dockerd) and retry',
        options,
      );
    default: {
      const detail = code ?? (err instanceof Error ? err.message : String(err));
      return new EngineError(`lost the connection to the engine at ${where} (${detail})`, options);
    }
  }
}

function sourceHint(endpoint: ApiEndpoint): string {
  return `the engine endpoint comes from ${endpoint.source}`;
}

/**
 * Splits Docker's multiplexed stream: frames of an 8-byte header (stream type
 * in byte 0, payload length as big-endian u32 in bytes 4–7) and a payload.
 * Chunks from the socket cut frames anywhere, headers included, so the state
 * survives between `push` calls.
 */
export class FrameDemuxer {
  private readonly header = Buffer.alloc(8);
  private headerFill = 0;
  private remaining = 0;
  private type = 0;

  push(chunk: Buffer, emit: (type: number, payload: Buffer) => void): void {
    let offset = 0;
    while (offset < chunk.length) {
      if (this.remaining === 0) {
        const n = Math.min(8 - this.headerFill, chunk.length - offset);
        chunk.copy(this.header, this.headerFill, offset, offset + n);
        this.headerFill += n;
        offset += n;
        if (this.headerFill < 8) return;
        this.headerFill = 0;
        this.type = this.header[0]!;
        this.remaining = this.header.readUInt32BE(4);
        continue;
      }
      const n = Math.min(this.remaining, chunk.length - offset);
      emit(this.type, chunk.subarray(offset, offset + n));
      this.remaining -= n;
      offset += n;
    }
  }
}

/**
 * Moves one exec's bytes: demultiplexed output to stdout/stderr (pausing the
 * socket while either is full), stdin into the socket with a half-close at
 * its end so the process sees EOF. Resolves once the engine has ended the
 * stream and the sinks have accepted all output.
 */
class ExecPump {
  private readonly demuxer = new FrameDemuxer();
  private readonly blocked = new Map<NodeJS.WritableStream, () => void>();
  private ended = false;
  private done = false;

  constructor(
    private readonly source: Readable,
    private readonly socket: Socket,
    private readonly opts: ExecOptions,
    private readonly resolve: () => void,
    private readonly reject: (err: unknown) => void,
  ) {}

  start(head: Buffer): void {
    const { source, socket, opts } = this;
    source.on('data', this.onData);
    source.on('end', this.onEnd);
    source.on('close', this.onEnd);
    // A reset after the process exited is normal (unread stdin makes the
    // kernel send RST); the exit code, fetched next, tells what happened.
    source.on('error', this.onEnd);
    socket.on('error', this.onEnd);
    opts.signal?.addEventListener('abort', this.onAbort, { once: true });
    if (opts.signal?.aborted) {
      this.onAbort();
      return;
    }
    if (head.length > 0) this.onData(head);
    if (opts.stdin) {
      opts.stdin.on('error', this.onStdinError);
      // pipe() ends the socket's write side when stdin ends: the half-close.
      opts.stdin.pipe(socket);
    }
  }

  private readonly onData = (chunk: Buffer): void => {
    this.demuxer.push(chunk, this.emit);
    if (this.blocked.size > 0) this.source.pause();
  };

  private readonly emit = (type: number, payload: Buffer): void => {
    // 1 stdout, 2 stderr, 3 engine-side errors (newer engines); 0 needs a TTY.
    const { stdout, stderr } = this.opts;
    const sink = type === 1 ? stdout : type === 2 || type === 3 ? stderr : undefined;
    if (sink && !sink.write(payload)) this.block(sink);
  };

  private block(sink: NodeJS.WritableStream): void {
    if (this.blocked.has(sink)) return;
    const onDrain = () => {
      this.blocked.delete(sink);
      if (this.blocked.size > 0) return;
      if (this.ended) this.finish();
      else this.source.resume();
    };
    this.blocked.set(sink, onDrain);
    sink.once('drain', onDrain);
  }

  private readonly onEnd = (): void => {
    if (this.ended) return;
    this.ended = true;
    this.detach();
    if (this.blocked.size === 0) this.finish();
  };

  private readonly onAbort = (): void => {
    if (this.done) return;
    for (const [sink, onDrain] of this.blocked) sink.off('drain', onDrain);
    this.blocked.clear();
    this.ended = true;
    this.detach();
    this.settle();
    this.reject(this.opts.signal?.reason);
  };

  /** Stdin broke: the process gets EOF, the exec goes on. */
  private readonly onStdinError = (): void => {
    this.socket.end();
  };

  /** Resolves only once every sink has written what it queued: the output is out. */
  private finish(): void {
    if (this.done) return;
    this.settle();
    const { stdout, stderr } = this.opts;
    const flushed = (sink: NodeJS.WritableStream) =>
      new Promise<void>((done) => {
        // A zero-length write calls back after every write queued before it.
        if (!sink.write(Buffer.alloc(0), () => done())) sink.once('error', () => done());
      });
    Promise.all([stdout, stderr].map(flushed)).then(this.resolve, this.reject);
  }

  private settle(): void {
    this.done = true;
    this.opts.signal?.removeEventListener('abort', this.onAbort);
  }

  private detach(): void {
    const { source, socket, opts } = this;
    source.off('data', this.onData);
    if (opts.stdin) {
      opts.stdin.unpipe(socket);
      opts.stdin.off('error', this.onStdinError);
    }
    // Late EPIPEs from a stdin write racing the close are expected and harmless.
    socket.on('error', () => undefined);
    socket.destroy();
  }
}

function readBody(res: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    res.on('data', (chunk: Buffer) => chunks.push(chunk));
    res.on('end', () => resolve(Buffer.concat(chunks)));
    res.on('error', reject);
  });
}

function errorMessage(res: RawResponse): string {
  const text = res.body.toString('utf8').trim();
  try {
    const parsed = JSON.parse(text) as { message?: unknown };
    if (typeof parsed.message === 'string' && parsed.message) return parsed.message;
  } catch {
    // Not JSON (a proxy's HTML page, say): the text itself is the best message.
  }
  return text || `the engine answered HTTP ${res.status}`;
}

function asContainerGoneError(err: unknown): unknown {
  if (err instanceof ApiError && (err.status === 404 || err.status === 409)) {
    return new ContainerGoneError(err.status, err.message, err.method, err.path);
  }
  return err;
}

function asContainerGone(err: unknown): never {
  throw asContainerGoneError(err);
}

function deadlineIn(ms: number, signal?: AbortSignal): Deadline {
  return { at: Date.now() + ms, totalMs: ms, signal };
}

function isOk(status: number): boolean {
  return status >= 200 && status < 300;
}

function headerValue(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
