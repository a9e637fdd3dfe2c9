import { join } from 'node:path';
import type { Agent } from '../agents/types.js';
import type { Config } from '../config/types.js';
import { UserError } from '../errors.js';
import type { Kit, KitRuntime } from '../kits/types.js';
import { asylumDir } from '../state/paths.js';
import { IMAGE_PATHS } from './image.js';
import {
  cacheVolumeName,
  containerName,
  hostName,
  kitVolumeName,
  networkName,
  sha256Hex,
} from './naming.js';
import { seccompArch, seccompProfileText } from './seccomp.js';

export type MountType = 'bind' | 'volume';

export interface PlannedMount {
  type: MountType;
  /** Host path for binds, volume name for volumes. */
  source: string;
  target: string;
  readOnly: boolean;
  /** Why the mount exists, shown by `asylum inspect` and `--debug`. */
  reason: string;
}

export interface PlannedPort {
  bind: string;
  host: number;
  container: number;
  protocol: 'tcp' | 'udp';
  /** `range`: the project's own port range (skipped when busy); `user`: -p / ports:. */
  source?: 'range' | 'user';
}

/** A seccomp profile the docker CLI reads from a host file (it does so client-side). */
export interface PlannedSeccomp {
  /** Written by the effectful layer before `docker run`; named by its content. */
  path: string;
  text: string;
  /** System calls allowed beyond the engine's default profile. */
  extraSyscalls: string[];
}

/** What the container gets beyond an ordinary one; empty unless a kit needs it. */
export interface ContainerPrivileges {
  capAdd: string[];
  cgroupns?: 'private';
  seccomp?: PlannedSeccomp;
  /** Which kits asked, and why: shown by `asylum inspect`. */
  reasons: string[];
}

export interface ContainerPlan {
  name: string;
  hostname: string;
  image: string;
  network: string;
  /** Names of the per-project volumes the plan mounts (created with labels). */
  volumes: string[];
  labels: Record<string, string>;
  mounts: PlannedMount[];
  ports: PlannedPort[];
  /** Container environment. Values can be secret: passed through a 0600 file only. */
  env: Record<string, string>;
  /** User that sessions run as: `name` or `0` for a root host. */
  sessionUser: string;
  workdir: string;
  agents: string[];
  /** Whether the container may reach the host (host.docker.internal, the bridge gateway). */
  hostAccess: boolean;
  /** Engine limits; pids always has one so a fork bomb stops inside. */
  resources: { cpus?: number; memory?: string; pids: number };
  privileges: ContainerPrivileges;
}

/** Enough for builds and test runners; a fork bomb hits it long before the host does. */
export const DEFAULT_PIDS_LIMIT = 4096;

/** Host-side directories asylum keeps for this project under ~/.asylum. */
export interface ProjectPaths {
  dataDir: string;
  sessions: string;
  hostFiles: string;
  history: string;
}

export interface ContainerPlanInput {
  projectDir: string;
  home: string;
  uid: number;
  gid: number;
  username: string;
  config: Config;
  kits: readonly Kit[];
  agent: Agent;
  /** Where the active agent's config dir comes from on the host, if it has one. */
  agentConfigSource: string | undefined;
  /** How the agent's config dir was chosen (`agents.<name>.config`); isolated if unset. */
  agentConfigMode?: 'isolated' | 'project' | 'shared';
  /** Companion agents and their own config dirs. */
  companions?: readonly { agent: Agent; hostDir: string; mode: string }[];
  imageTag: string;
  imageAgents: readonly string[];
  paths: ProjectPaths;
  ports: readonly PlannedPort[];
  volumes: readonly { host: string; container: string; readOnly: boolean }[];
  /** Values from the project's `.env`, lowest precedence of the user's env. */
  dotenv: Record<string, string>;
  passthroughEnv: Record<string, string>;
  labelsExtra?: Record<string, string>;
  /** What each active kit's host-side preparation contributed. */
  kitRuntime?: readonly KitRuntime[];
  /** Extra directories to mount at the same path (git worktree metadata). */
  samePathMounts?: readonly { path: string; reason: string }[];
  /** The host's processor (`process.arch`): a seccomp profile names its calls per family. */
  arch?: string;
}

/** Fixed places inside the container where asylum mounts its own host-side files. */
export const RUN_PATHS = {
  sessions: '/run/asylum/sessions',
  hostFiles: '/run/asylum/host',
} as const;

function coreMounts(input: ContainerPlanInput): PlannedMount[] {
  const { projectDir, paths, home } = input;
  return [
    {
      type: 'bind',
      source: projectDir,
      target: projectDir,
      readOnly: false,
      reason: 'the project',
    },
    {
      type: 'bind',
      source: paths.sessions,
      target: RUN_PATHS.sessions,
      readOnly: true,
      reason: 'session leases: the container lives while a session is alive',
    },
    {
      type: 'bind',
      source: paths.hostFiles,
      target: RUN_PATHS.hostFiles,
      readOnly: true,
      reason: 'files copied from the host at session start (git identity)',
    },
    {
      type: 'bind',
      source: paths.history,
      target: `${home}/.shell_history`,
      readOnly: false,
      reason: 'shell history kept per project',
    },
  ];
}

function cacheMounts(input: ContainerPlanInput, name: string): PlannedMount[] {
  return input.kits.flatMap((kit) =>
    (kit.caches ?? []).map((cache) => ({
      type: 'volume' as const,
      source: cacheVolumeName(name, cache.tool),
      target: `${input.home}/${cache.homePath}`,
      readOnly: false,
      reason: `${cache.tool} cache (kit ${kit.name})`,
    })),
  );
}

const MODE_REASONS: Record<string, string> = {
  isolated: "asylum's copy, shared by your projects",
  project: "this project's own copy",
  shared: 'your host config, read-write',
};

function agentConfigMount(agent: Agent, hostDir: string, mode: string, home: string) {
  const mount: PlannedMount = {
    type: 'bind',
    source: hostDir,
    target: `${home}/${agent.configDir}`,
    readOnly: false,
    reason: `${agent.name} config (${mode}: ${MODE_REASONS[mode] ?? mode})`,
  };
  return mount;
}

function agentMounts(input: ContainerPlanInput): PlannedMount[] {
  const { agent, agentConfigSource, home } = input;
  const mounts: PlannedMount[] = [];
  if (agent.configDir && agentConfigSource) {
    const mode = input.agentConfigMode ?? 'isolated';
    mounts.push(agentConfigMount(agent, agentConfigSource, mode, home));
  }
  for (const companion of input.companions ?? []) {
    if (!companion.agent.configDir) continue;
    mounts.push(agentConfigMount(companion.agent, companion.hostDir, companion.mode, home));
  }
  return mounts;
}

function kitMounts(input: ContainerPlanInput, name: string): PlannedMount[] {
  const volumes = input.kits.flatMap((kit) =>
    (kit.volumes ?? []).map((volume) => ({
      type: 'volume' as const,
      source: kitVolumeName(name, volume.suffix),
      target: volume.target,
      readOnly: false,
      reason: `${volume.reason} (kit ${kit.name})`,
    })),
  );
  return [...volumes, ...(input.kitRuntime ?? []).flatMap((runtime) => runtime.mounts ?? [])];
}

/** The seccomp profile for kits that need calls beyond the engine's default. */
function planSeccomp(
  input: ContainerPlanInput,
  kits: readonly string[],
  capAdd: string[],
  extra: string[],
) {
  if (extra.length === 0) return undefined;
  const arch = seccompArch(input.arch ?? 'x64');
  if (!arch) {
    const which = kits.join(', ');
    throw new UserError(`kit ${which}: no seccomp profile for the ${input.arch} processor`, {
      hint: `it is generated for x64 and arm64 hosts only; disable kit ${which} on this one`,
    });
  }
  const text = seccompProfileText({ arch, addedCapabilities: capAdd, extraSyscalls: extra });
  const file = `${sha256Hex(text).slice(0, 16)}.json`;
  const path = join(asylumDir(input.home), 'seccomp', file);
  return { path, text, extraSyscalls: extra };
}

function planPrivileges(input: ContainerPlanInput): ContainerPrivileges {
  const needs = input.kits.flatMap((kit) => (kit.privileges ? [{ kit, ...kit.privileges }] : []));
  const capAdd = [...new Set(needs.flatMap((need) => need.capabilities))].sort();
  const extra = [...new Set(needs.flatMap((need) => need.extraSyscalls))].sort();
  const privileges: ContainerPrivileges = {
    capAdd,
    reasons: needs.map((need) => `kit ${need.kit.name}: ${need.reason}`),
  };
  if (needs.some((need) => need.cgroupns === 'private')) privileges.cgroupns = 'private';
  const kits = needs.filter((need) => need.extraSyscalls.length > 0).map((n) => n.kit.name);
  const seccomp = planSeccomp(input, kits, capAdd, extra);
  if (seccomp) privileges.seccomp = seccomp;
  return privileges;
}

function samePathMounts(input: ContainerPlanInput): PlannedMount[] {
  return (input.samePathMounts ?? []).map(({ path, reason }) => ({
    type: 'bind',
    source: path,
    target: path,
    readOnly: false,
    reason,
  }));
}

function userMounts(input: ContainerPlanInput): PlannedMount[] {
  return input.volumes.map((volume) => ({
    type: 'bind',
    source: volume.host,
    target: volume.container,
    readOnly: volume.readOnly,
    reason: 'volumes: in the config or -v',
  }));
}

/**
 * Later entries win: kit defaults, then `.env`, then `env:` and `-e` (already
 * merged into config.env), and asylum's own variables last so they cannot be
 * spoofed by config.
 */
function planEnv(input: ContainerPlanInput, sessionUser: string): Record<string, string> {
  const kitEnv = Object.assign(
    {},
    ...input.kits.map((kit) => kit.env ?? {}),
    ...(input.kitRuntime ?? []).map((runtime) => runtime.env ?? {}),
  );
  const own: Record<string, string> = {
    ASYLUM: '1',
    ASYLUM_AGENT: input.agent.name,
    ASYLUM_PROJECT_DIR: input.projectDir,
    ASYLUM_UID: String(input.uid),
    ASYLUM_GID: String(input.gid),
    HISTFILE: `${input.home}/.shell_history/zsh_history`,
    // zsh is every session's shell; tools that read $SHELL (tmux, editors) agree.
    SHELL: '/bin/zsh',
  };
  if (sessionUser === '0') {
    // Root on the host means root in the container: tell agents they are sandboxed.
    Object.assign(own, { HOME: input.home, IS_SANDBOX: '1' });
  }
  return {
    ...input.passthroughEnv,
    ...kitEnv,
    ...Object.assign({}, ...(input.companions ?? []).map((c) => c.agent.env(input.home))),
    ...input.agent.env(input.home),
    ...input.dotenv,
    ...(input.config.env ?? {}),
    ...own,
  };
}

export function planContainer(input: ContainerPlanInput): ContainerPlan {
  const name = containerName(input.projectDir);
  const sessionUser = input.uid === 0 ? '0' : input.username;
  const mounts = [
    ...coreMounts(input),
    ...samePathMounts(input),
    ...cacheMounts(input, name),
    ...agentMounts(input),
    ...kitMounts(input, name),
    ...userMounts(input),
  ];
  const volumes = mounts.filter((m) => m.type === 'volume').map((m) => m.source);
  return {
    name,
    hostname: hostName(input.projectDir),
    image: input.imageTag,
    network: networkName(name),
    volumes,
    labels: {
      asylum: 'true',
      'asylum.project': input.projectDir,
      'asylum.container': name,
      'asylum.agents': [...input.imageAgents].sort().join(','),
      ...(input.labelsExtra ?? {}),
    },
    mounts,
    ports: [...input.ports],
    env: planEnv(input, sessionUser),
    sessionUser,
    workdir: input.projectDir,
    agents: [...input.imageAgents],
    resources: {
      ...input.config.resources,
      pids: input.config.resources?.pids ?? DEFAULT_PIDS_LIMIT,
    },
    hostAccess: input.config['host-access'] !== false,
    privileges: planPrivileges(input),
  };
}

/** `--mount` takes CSV: a field with a comma or quote is quoted, quotes doubled. */
export function mountFlagValue(mount: PlannedMount): string {
  const fields = [`type=${mount.type}`, `source=${mount.source}`, `target=${mount.target}`];
  if (mount.readOnly) fields.push('readonly');
  return fields.map(csvField).join(',');
}

function csvField(field: string): string {
  if (!/[",\n\r]/.test(field) && field.trim() === field) return field;
  return `"${field.replaceAll('"', '""')}"`;
}

/** The `docker run` argv for a plan. Env travels in `envFile`, never in argv. */
export function dockerRunArgs(plan: ContainerPlan, envFile: string): string[] {
  const args = ['run', '--detach', '--rm', '--init', '--name', plan.name];
  args.push('--hostname', plan.hostname, '--network', plan.network);
  if (plan.hostAccess) args.push('--add-host', 'host.docker.internal:host-gateway');
  args.push('--workdir', plan.workdir, '--env-file', envFile);
  for (const [key, value] of Object.entries(plan.labels)) args.push('--label', `${key}=${value}`);
  for (const mount of plan.mounts) args.push('--mount', mountFlagValue(mount));
  for (const port of plan.ports) {
    args.push('--publish', `${port.bind}:${port.host}:${port.container}/${port.protocol}`);
  }
  args.push('--pids-limit', String(plan.resources.pids));
  if (plan.resources.cpus !== undefined) args.push('--cpus', String(plan.resources.cpus));
  if (plan.resources.memory !== undefined) args.push('--memory', plan.resources.memory);
  args.push(...privilegeArgs(plan.privileges));
  args.push('--entrypoint', IMAGE_PATHS.init, plan.image);
  return args;
}

/** `4g`, `512m`, `1.5g` or a plain byte count, in bytes (binary units, as docker reads them). */
export function memoryBytes(spec: string): number {
  const match = /^(\d+(?:\.\d+)?)([kmg]?)$/i.exec(spec);
  if (!match) throw new Error(`invalid memory size ${JSON.stringify(spec)}`);
  const scale = { '': 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3 }[match[2]!.toLowerCase()]!;
  return Math.round(Number(match[1]) * scale);
}

/**
 * The same container as `dockerRunArgs`, as an Engine API create body: no CLI
 * process on the start path, and the env travels in the request over the
 * socket (never argv, never a file).
 */
export function containerCreateBody(plan: ContainerPlan): Record<string, unknown> {
  const exposed: Record<string, object> = {};
  const bindings: Record<string, { HostIp: string; HostPort: string }[]> = {};
  for (const port of plan.ports) {
    const key = `${port.container}/${port.protocol}`;
    exposed[key] = {};
    bindings[key] = [...(bindings[key] ?? []), { HostIp: port.bind, HostPort: String(port.host) }];
  }
  const { cpus, memory, pids } = plan.resources;
  return {
    Hostname: plan.hostname,
    WorkingDir: plan.workdir,
    Env: Object.entries(plan.env).map(([key, value]) => `${key}=${value}`),
    Labels: plan.labels,
    Image: plan.image,
    Entrypoint: [IMAGE_PATHS.init],
    ExposedPorts: exposed,
    HostConfig: {
      AutoRemove: true,
      Init: true,
      NetworkMode: plan.network,
      ExtraHosts: plan.hostAccess ? ['host.docker.internal:host-gateway'] : [],
      Mounts: plan.mounts.map((m) => ({
        Type: m.type,
        Source: m.source,
        Target: m.target,
        ReadOnly: m.readOnly,
      })),
      PortBindings: bindings,
      PidsLimit: pids,
      ...(cpus === undefined ? {} : { NanoCpus: Math.round(cpus * 1e9) }),
      ...(memory === undefined ? {} : { Memory: memoryBytes(memory) }),
      ...privilegeFields(plan.privileges),
    },
  };
}

/** The API takes the seccomp profile itself, where the CLI takes a path and reads it. */
function privilegeFields(privileges: ContainerPrivileges): Record<string, unknown> {
  const fields: Record<string, unknown> = {};
  if (privileges.capAdd.length > 0) fields.CapAdd = [...privileges.capAdd];
  if (privileges.seccomp) fields.SecurityOpt = [`seccomp=${privileges.seccomp.text}`];
  if (privileges.cgroupns) fields.CgroupnsMode = privileges.cgroupns;
  return fields;
}

/** Never `--privileged`: exactly the capabilities and calls the kits asked for. */
function privilegeArgs(privileges: ContainerPrivileges): string[] {
  const args = privileges.capAdd.flatMap((capability) => ['--cap-add', capability]);
  if (privileges.seccomp) args.push('--security-opt', `seccomp=${privileges.seccomp.path}`);
  if (privileges.cgroupns) args.push('--cgroupns', privileges.cgroupns);
  return args;
}
