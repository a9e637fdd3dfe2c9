/**
 * Where the Docker engine lives, resolved the way the docker CLI resolves it
 * (DOCKER_HOST, then the current context, then the default socket), so that
 * asylum's direct API calls reach the same engine as `docker` would.
 *
 * Only plain unix sockets and plain TCP are spoken to directly. Anything that
 * needs TLS, ssh or a named pipe is reported as `cli-only`: the caller falls
 * back to spawning the docker CLI, which already knows how to do those.
 * Resolution never throws: unreadable or garbled files mean "default".
 */
import { createHash } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';

export const DEFAULT_SOCKET = '/var/run/docker.sock';

/** Docker's port for unencrypted TCP when DOCKER_HOST names none. */
const DEFAULT_TCP_PORT = 2375;

export type Endpoint =
  | { kind: 'unix'; socketPath: string; source: string }
  | { kind: 'tcp'; host: string; port: number; source: string }
  | { kind: 'cli-only'; reason: string; source: string };

/** An endpoint asylum can speak the Engine API to itself. */
export type ApiEndpoint = Extract<Endpoint, { kind: 'unix' | 'tcp' }>;

const TLS_REASON = 'TLS endpoints go through the docker CLI';

export function resolveEndpoint(env: NodeJS.ProcessEnv, home: string): Endpoint {
  const host = env.DOCKER_HOST;
  // The CLI treats an empty DOCKER_HOST as unset, and so do we.
  if (host) return parseDockerHost(host, 'DOCKER_HOST', Boolean(env.DOCKER_TLS_VERIFY));
  const configDir = env.DOCKER_CONFIG || join(home, '.docker');
  const context = env.DOCKER_CONTEXT || readCurrentContext(configDir);
  if (context && context !== 'default') {
    const fromContext = contextEndpoint(configDir, context);
    if (fromContext) return fromContext;
  }
  return defaultEndpoint();
}

export function defaultEndpoint(): Endpoint {
  return { kind: 'unix', socketPath: DEFAULT_SOCKET, source: 'default socket' };
}

/** Parses a docker host string (`unix://…`, `tcp://…`, `ssh://…`, …). */
export function parseDockerHost(host: string, source: string, tls: boolean): Endpoint {
  const trimmed = host.trim();
  if (trimmed.startsWith('unix://')) {
    // `unix://` alone means the default socket to the CLI as well.
    const socketPath = trimmed.slice('unix://'.length) || DEFAULT_SOCKET;
    return { kind: 'unix', socketPath, source };
  }
  if (trimmed.startsWith('tcp://')) {
    if (tls) return { kind: 'cli-only', reason: TLS_REASON, source };
    return parseTcp(trimmed, source);
  }
  if (trimmed.startsWith('npipe://')) {
    return { kind: 'cli-only', reason: 'named pipes go through the docker CLI', source };
  }
  if (trimmed.startsWith('ssh://')) {
    return { kind: 'cli-only', reason: 'ssh endpoints go through the docker CLI', source };
  }
  const reason = `unsupported docker host "${trimmed}"; it goes through the docker CLI`;
  return { kind: 'cli-only', reason, source };
}

function parseTcp(host: string, source: string): Endpoint {
  let url: URL;
  try {
    url = new URL(host);
  } catch {
    return { kind: 'cli-only', reason: `cannot parse docker host "${host}"`, source };
  }
  // A base path ("tcp://h:p/prefix") is legal for the CLI but rare; not worth
  // carrying a prefix through every request here.
  if ((url.pathname && url.pathname !== '/') || !url.hostname) {
    return {
      kind: 'cli-only',
      reason: `docker host "${host}" goes through the docker CLI`,
      source,
    };
  }
  // URL keeps IPv6 literals bracketed; node:http wants them bare.
  const hostname = url.hostname.replace(/^\[(.*)\]$/, '$1');
  const port = url.port ? Number(url.port) : DEFAULT_TCP_PORT;
  return { kind: 'tcp', host: hostname, port, source };
}

function readCurrentContext(configDir: string): string | undefined {
  const config = readJson(join(configDir, 'config.json'));
  const current = isRecord(config) ? config.currentContext : undefined;
  return typeof current === 'string' && current ? current : undefined;
}

/**
 * The CLI stores each context under the sha256 of its name (names may hold
 * characters that are not safe in paths). Returns undefined when the context
 * cannot be read, so the caller falls back to the default socket.
 */
function contextEndpoint(configDir: string, name: string): Endpoint | undefined {
  const digest = createHash('sha256').update(name).digest('hex');
  const meta = readJson(join(configDir, 'contexts', 'meta', digest, 'meta.json'));
  const endpoints = isRecord(meta) ? meta.Endpoints : undefined;
  const docker = isRecord(endpoints) ? endpoints.docker : undefined;
  if (!isRecord(docker)) return undefined;
  const host = docker.Host;
  // A context without a host talks to the default socket, like the CLI does.
  if (typeof host !== 'string' || !host) return undefined;
  const tlsDir = join(configDir, 'contexts', 'tls', digest, 'docker');
  const tls = docker.SkipTLSVerify === true || isDirectory(tlsDir);
  return parseDockerHost(host, `context ${name}`, tls);
}

function readJson(path: string): unknown {
  try {
    return JSON.parse(readFileSync(path, 'utf8'));
  } catch {
    return undefined;
  }
}

function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
