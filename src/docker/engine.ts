import { spawn } from 'node:child_process';
import { homedir } from 'node:os';
import { EngineError } from '../errors.js';
import { type ContainerInspect, EngineApi, type ExecOptions } from './api.js';
import { DockerCliError, dockerBinary, runDocker, runDockerOk } from './cli.js';
import { resolveEndpoint } from './endpoint.js';

/**
 * The one module that talks to the container engine. Everything else asks it
 * for facts or actions in asylum's own terms; argv arrays only, never a shell.
 */

export interface ContainerState {
  id: string;
  running: boolean;
  status: string;
  image: string;
  labels: Record<string, string>;
}

export type ObjectKind = 'container' | 'volume' | 'network' | 'image';

const ENGINE_HINT =
  'start the engine (Linux: `sudo dockerd &` or `sudo systemctl start docker`; ' +
  'macOS: open Docker Desktop) and try again';

let cachedApi: EngineApi | null | undefined;

/**
 * The Engine API over the socket, for the calls on the hot path (a request
 * costs ~5 ms, a CLI spawn ~13 ms). Null when the endpoint needs the CLI (ssh,
 * TLS) or another CLI stands in for docker.
 */
function api(): EngineApi | null {
  if (cachedApi !== undefined) return cachedApi;
  const endpoint = resolveEndpoint(process.env, process.env.HOME ?? homedir());
  const usable = endpoint.kind !== 'cli-only' && dockerBinary() === 'docker';
  cachedApi = usable ? new EngineApi(endpoint) : null;
  return cachedApi;
}

/** Fails fast, in one line, when no engine answers. */
export async function ensureEngine(): Promise<void> {
  const client = api();
  if (client) {
    await client.ping(2000);
    return;
  }
  const result = await runDocker(['version', '--format', '{{.Server.Version}}'], {
    timeoutMs: 5000,
  });
  if (result.exitCode === 0 && result.stdout.trim() !== '') return;
  const reason = result.stderr.trim().split('\n').at(-1) ?? 'no answer';
  if (/permission denied/i.test(reason)) {
    throw new EngineError(`permission denied on the Docker socket: ${reason}`, {
      hint: 'add your user to the docker group (`sudo usermod -aG docker $USER`, then log in again)',
    });
  }
  throw new EngineError(`no Docker engine is answering: ${reason}`, { hint: ENGINE_HINT });
}

interface ImageInspect {
  Id: string;
  Config: { Labels: Record<string, string> | null } | null;
}

async function inspectImageApi(client: EngineApi, tag: string): Promise<ImageInspect | null> {
  try {
    return await client.request<ImageInspect>('GET', `/images/${encodeURIComponent(tag)}/json`);
  } catch (error) {
    if ((error as { status?: number }).status === 404) return null;
    throw error;
  }
}

export interface ImageInfo {
  id: string;
  labels: Record<string, string>;
}

/** An image's id and labels in one call; null when there is no such image. */
export async function imageInfo(tag: string): Promise<ImageInfo | null> {
  const client = api();
  if (client) {
    const image = await inspectImageApi(client, tag);
    return image ? { id: image.Id, labels: image.Config?.Labels ?? {} } : null;
  }
  const format = '{{json .Id}}\t{{json .Config.Labels}}';
  const result = await runDocker(['image', 'inspect', '--format', format, tag]);
  if (result.exitCode !== 0) {
    if (/no such image/i.test(result.stderr)) return null;
    throw new DockerCliError(['image', 'inspect', tag], result);
  }
  const [id = '""', labels = 'null'] = result.stdout.trim().split('\t');
  return { id: JSON.parse(id) as string, labels: JSON.parse(labels) ?? {} };
}

export async function imageLabels(tag: string): Promise<Record<string, string> | null> {
  return (await imageInfo(tag))?.labels ?? null;
}

export async function imageId(tag: string): Promise<string | null> {
  const client = api();
  if (client) return (await inspectImageApi(client, tag))?.Id ?? null;
  const result = await runDocker(['image', 'inspect', '--format', '{{.Id}}', tag]);
  return result.exitCode === 0 ? result.stdout.trim() : null;
}

function toState(raw: ContainerInspect & { Image?: string }): ContainerState {
  return {
    id: raw.Id,
    running: raw.State.Running,
    status: raw.State.Status,
    image: raw.Image ?? '',
    labels: raw.Config.Labels ?? {},
  };
}

/** `ip:hostPort->containerPort/proto` for each port a container publishes; null if absent. */
export async function publishedPorts(name: string): Promise<string[] | null> {
  const result = await runDocker([
    'container',
    'inspect',
    '--format',
    '{{json .HostConfig.PortBindings}}',
    name,
  ]);
  if (result.exitCode !== 0) return null;
  const bindings = (JSON.parse(result.stdout) ?? {}) as Record<
    string,
    { HostIp: string; HostPort: string }[] | null
  >;
  return Object.entries(bindings).flatMap(([key, list]) =>
    (list ?? []).map((b) => `${b.HostIp}:${b.HostPort}->${key}`),
  );
}

export async function inspectContainer(name: string): Promise<ContainerState | null> {
  const client = api();
  if (client) {
    const raw = await client.inspectContainer<ContainerInspect & { Image?: string }>(name);
    return raw ? toState(raw) : null;
  }
  const format = '{{json .}}';
  const result = await runDocker(['container', 'inspect', '--format', format, name]);
  if (result.exitCode !== 0) {
    if (/no such (object|container)/i.test(result.stderr)) return null;
    throw new DockerCliError(['container', 'inspect', name], result);
  }
  return toState(JSON.parse(result.stdout) as ContainerInspect & { Image?: string });
}

function labelArgs(labels: Record<string, string>): string[] {
  return Object.entries(labels).flatMap(([key, value]) => ['--label', `${key}=${value}`]);
}

/** A network's labels; null when there is no network of that name. */
async function networkLabels(name: string): Promise<Record<string, string> | null> {
  const client = api();
  if (client) {
    const path = `/networks/${encodeURIComponent(name)}`;
    const network = await client
      .request<{ Labels: Record<string, string> | null }>('GET', path)
      .catch((error: unknown) => {
        if ((error as { status?: number }).status === 404) return null;
        throw error;
      });
    return network ? (network.Labels ?? {}) : null;
  }
  const exists = await runDocker(['network', 'inspect', '--format', '{{json .Labels}}', name]);
  if (exists.exitCode !== 0) return null;
  return (JSON.parse(exists.stdout) ?? {}) as Record<string, string>;
}

/** The project's network exists with these labels; created (the rare case) with the CLI. */
export async function ensureNetwork(name: string, labels: Record<string, string>): Promise<void> {
  const current = await networkLabels(name);
  if (current) {
    const same = Object.entries(labels).every(([key, value]) => current[key] === value);
    if (same) return;
    // Labels record how the network was set up (host access): a change means a new one.
    await runDocker(['network', 'rm', name]);
  }
  await pruneIdleNetworks();
  const created = await runDocker(['network', 'create', ...labelArgs(labels), name]);
  if (/non-overlapping|address pool/i.test(created.stderr)) {
    throw new EngineError('the engine has no free address range for another network', {
      hint: 'remove networks you no longer use: `docker network prune`',
    });
  }
  // Another asylum process may have created it between our two calls.
  if (created.exitCode !== 0 && !/already exists/i.test(created.stderr)) {
    throw new DockerCliError(['network', 'create', name], created);
  }
}

/**
 * The engine has address pools for about thirty networks. A project's network
 * outlives its container, so unused ones are removed before a new one is made;
 * `until` spares a network another asylum process created a moment ago
 * (it runs its container right after).
 */
export async function pruneIdleNetworks(): Promise<void> {
  await runDocker([
    'network',
    'prune',
    '--force',
    '--filter',
    'label=asylum=true',
    '--filter',
    'until=30s',
  ]);
}

/** The Linux bridge behind a user-defined network: `br-` and 12 hex of its id. */
async function bridgeInterface(network: string): Promise<string> {
  const format = '{{.Id}}|{{index .Options "com.docker.network.bridge.name"}}';
  const out = (await runDockerOk(['network', 'inspect', '--format', format, network])).trim();
  const [id = '', named = ''] = out.split('|');
  const iface = /^[A-Za-z0-9_.-]{1,15}$/.test(named) ? named : `br-${id.slice(0, 12)}`;
  // It lands in a shell command line: only interface-name characters pass.
  if (!/^[A-Za-z0-9_.-]{1,15}$/.test(iface)) throw new EngineError(`odd bridge name ${iface}`);
  return iface;
}

/**
 * Drops packets from the network's bridge to the host itself (INPUT), so a
 * container there reaches neither host.docker.internal nor the gateway address.
 * Needs root on the host's firewall, which the engine already is: a short-lived
 * container on the host network with NET_ADMIN inserts the rule.
 */
export async function blockHostFromNetwork(
  network: string,
  image: string,
  labels: Record<string, string>,
): Promise<void> {
  const iface = await bridgeInterface(network);
  const rule = `INPUT -i ${iface} -j DROP`;
  const script = [
    `iptables -C ${rule} 2>/dev/null || iptables -I ${rule} || exit 1`,
    // IPv6 may be off on the host: the IPv4 rule is the one that must hold.
    `ip6tables -C ${rule} 2>/dev/null || ip6tables -I ${rule} 2>/dev/null || true`,
  ].join('; ');
  await runDockerOk(
    [
      'run',
      '--rm',
      '--network',
      'host',
      '--cap-add',
      'NET_ADMIN',
      '--user',
      '0',
      ...labelArgs(labels),
      '--entrypoint',
      'sh',
      image,
      '-c',
      script,
    ],
    { timeoutMs: 60_000 },
  );
}

/** Volume creation is idempotent: an existing volume is returned unchanged. */
export async function ensureVolume(name: string, labels: Record<string, string>): Promise<void> {
  const client = api();
  if (client) {
    await client.request('POST', '/volumes/create', { body: { Name: name, Labels: labels } });
    return;
  }
  await runDockerOk(['volume', 'create', ...labelArgs(labels), name]);
}

/**
 * Creates the volumes of `names` that do not exist yet: one listing, then one
 * call per missing volume (over the API where it answers), so a project with
 * hundreds of shadow node_modules volumes starts quickly the second time.
 */
export async function ensureVolumes(
  names: readonly string[],
  labels: Record<string, string>,
): Promise<void> {
  const existing = new Set(await listByLabels('volume', labels));
  const client = api();
  for (const name of names) {
    if (existing.has(name)) continue;
    if (client) {
      const body = { Name: name, Labels: labels };
      await client.request('POST', '/volumes/create', { body });
    } else {
      await ensureVolume(name, labels);
    }
  }
}

/** Starting a container can take long on a loaded engine (mounts, the network, the proxy). */
const START_TIMEOUT_MS = 120_000;

/**
 * Creates and starts a container through the Engine API, as `docker run
 * --detach` would; false when only the CLI reaches the engine. A container
 * that was created but would not start (a port taken meanwhile) is removed.
 */
export async function createAndStart(
  name: string,
  body: Record<string, unknown>,
): Promise<boolean> {
  const client = api();
  if (!client) return false;
  const path = `/containers/create?name=${encodeURIComponent(name)}`;
  const options = { body, timeoutMs: START_TIMEOUT_MS };
  const { Id: id } = await client.request<{ Id: string }>('POST', path, options);
  try {
    await client.request('POST', `/containers/${id}/start`, { timeoutMs: START_TIMEOUT_MS });
  } catch (error) {
    await client.request('DELETE', `/containers/${id}?force=true`).catch(() => undefined);
    throw error;
  }
  return true;
}

export async function runDetached(args: readonly string[]): Promise<string> {
  return (await runDockerOk(args, { timeoutMs: 120_000 })).trim();
}

export async function removeContainer(name: string): Promise<void> {
  const result = await runDocker(['container', 'rm', '--force', name]);
  if (result.exitCode !== 0 && !/no such container/i.test(result.stderr)) {
    throw new DockerCliError(['container', 'rm', name], result);
  }
}

/** Names of every object of `kind` carrying all of `labels` (value `''` = any value). */
export async function listByLabels(
  kind: ObjectKind,
  labels: Record<string, string>,
): Promise<string[]> {
  const filters = Object.entries(labels).flatMap(([key, value]) => [
    '--filter',
    value === '' ? `label=${key}` : `label=${key}=${value}`,
  ]);
  const format = {
    container: '{{.Names}}',
    volume: '{{.Name}}',
    network: '{{.Name}}',
    image: '{{.Repository}}:{{.Tag}}',
  }[kind];
  const list = kind === 'container' ? ['container', 'ls', '--all'] : [kind, 'ls'];
  const out = await runDockerOk([...list, ...filters, '--format', format]);
  return out.split('\n').filter((line) => line.trim() !== '' && !line.includes('<none>'));
}

export async function removeObjects(kind: ObjectKind, names: readonly string[]): Promise<void> {
  if (names.length === 0) return;
  const verb = { container: ['container', 'rm', '--force'], volume: ['volume', 'rm', '--force'] };
  const args = {
    ...verb,
    network: ['network', 'rm'],
    image: ['image', 'rm', '--force'],
  }[kind];
  await runDockerOk([...args, ...names]);
}

/**
 * A non-interactive session through the Engine API (no CLI process on the hot
 * path). Null when only the CLI can reach the engine: use execInteractive.
 */
export async function execStreams(
  container: string,
  options: ExecOptions,
): Promise<number | null> {
  const client = api();
  if (!client) return null;
  return client.exec(container, options);
}

/** Hands the terminal to `docker exec -it`; resolves with its exit code. */
export function execInteractive(args: readonly string[]): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn(dockerBinary(), [...args], { stdio: 'inherit' });
    // The terminal delivers Ctrl-C to the whole process group; the child handles it.
    const ignore = () => {};
    for (const signal of ['SIGINT', 'SIGQUIT'] as const) process.on(signal, ignore);
    const forward = (signal: NodeJS.Signals) => child.kill(signal);
    process.on('SIGTERM', forward);
    process.on('SIGHUP', forward);
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      for (const s of ['SIGINT', 'SIGQUIT'] as const) process.off(s, ignore);
      process.off('SIGTERM', forward);
      process.off('SIGHUP', forward);
      resolve(code ?? (signal ? 128 + signalNumber(signal) : 1));
    });
  });
}

function signalNumber(signal: NodeJS.Signals): number {
  const numbers: Partial<Record<NodeJS.Signals, number>> = {
    SIGHUP: 1,
    SIGINT: 2,
    SIGQUIT: 3,
    SIGKILL: 9,
    SIGTERM: 15,
  };
  return numbers[signal] ?? 1;
}
