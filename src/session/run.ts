import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Agent } from '../agents/types.js';
import { loadConfigLayers } from '../config/load.js';
import { mergeLayers } from '../config/merge.js';
import { parseVolumeSpec } from '../config/specs.js';
import type { Config } from '../config/types.js';
import { ensureEngine, execInteractive, execStreams, imageId } from '../docker/engine.js';
import { type HostFacts, readHostFacts } from '../host/facts.js';
import type { KitRuntime } from '../kits/types.js';
import { type ContainerPlan, type ProjectPaths, planContainer } from '../plan/container.js';
import { IMAGE_PATHS, type ImagePlan, planBaseImage } from '../plan/image.js';
import { containerName } from '../plan/naming.js';
import { type Selection, selectRun } from '../plan/selection.js';
import { SessionLease } from '../state/lease.js';
import { withLock } from '../state/lock.js';
import { asylumDir, isolatedAgentDir, locksDir, projectPaths } from '../state/paths.js';
import type { PortSpan } from '../state/ports.js';
import { log, setDebug } from '../ui/log.js';
import { ensureContainer } from './container.js';
import type { GlobalFlags } from './flags.js';
import { flagsLayer } from './flags.js';
import { worktreeDirs } from './git.js';
import { readDotenv, stageFiles, stageGitConfig } from './host-files.js';
import { DEFAULT_BASE_IMAGE, ensureBaseImage, ensureImage } from './images.js';
import { ensurePortRange, plannedPorts, portCount, warnIfExposed } from './ports.js';
import { resolveProjectDir } from './project-dir.js';

export type SessionMode = 'agent' | 'shell' | 'admin' | 'run';

export interface SessionRequest {
  mode: SessionMode;
  args: string[];
  flags: GlobalFlags;
}

interface Prepared {
  host: HostFacts;
  projectDir: string;
  config: Config;
  selection: Selection;
  image: ImagePlan;
}

/** Config, selection and image plan: everything decided before the engine is touched. */
function prepare(request: SessionRequest): Prepared {
  const host = readHostFacts();
  const projectDir = resolveProjectDir(host.home);
  const layers = [
    ...loadConfigLayers({ home: host.home, projectDir }),
    flagsLayer(request.flags, host.home),
  ];
  const config = mergeLayers(layers.map((layer) => layer.config));
  const selection = selectRun(layers, config, request.flags);
  const image = planBaseImage({
    baseImage: config.image?.base ?? DEFAULT_BASE_IMAGE,
    kits: selection.kits,
    agents: selection.installAgents.map((agent) => ({
      agent,
      version: config.agents?.[agent.name]?.version ?? agent.defaultVersion,
    })),
    identity: { uid: host.uid, gid: host.gid, username: host.username, home: host.home },
    caBundle: host.caBundle,
  });
  return { host, projectDir, config, selection, image };
}

function agentConfigSource(home: string, agent: Agent): string | undefined {
  if (!agent.configDir) return undefined;
  const dir = isolatedAgentDir(home, agent.name);
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  return dir;
}

/** Host-side preparation of every active kit (keys, known_hosts, credentials). */
async function prepareKits(prepared: Prepared, paths: ProjectPaths): Promise<KitRuntime[]> {
  const { host, projectDir, selection } = prepared;
  const runtimes: KitRuntime[] = [];
  for (const { kit, options } of selection.kits) {
    if (!kit.prepare) continue;
    runtimes.push(
      await kit.prepare({
        home: host.home,
        asylumDir: asylumDir(host.home),
        projectDir,
        projectDataDir: paths.dataDir,
        options,
        uid: host.uid,
        gid: host.gid,
        warn: log.warn,
        info: log.info,
      }),
    );
  }
  return runtimes;
}

/** The project's port range when the ports kit is active (it is, unless disabled). */
async function portRange(prepared: Prepared): Promise<PortSpan | undefined> {
  const { host, projectDir, config, selection } = prepared;
  if (!selection.kits.some(({ kit }) => kit.name === 'ports')) return undefined;
  return ensurePortRange({
    home: host.home,
    project: projectDir,
    container: containerName(projectDir),
    count: portCount(config),
  });
}

function planFor(
  prepared: Prepared,
  agent: Agent,
  kitRuntime: KitRuntime[],
  range: PortSpan | undefined,
): ContainerPlan {
  const { host, projectDir, config, selection, image } = prepared;
  const paths = projectPaths(host.home, containerName(projectDir));
  const scope = process.env.ASYLUM_TEST_SCOPE;
  return planContainer({
    projectDir,
    home: host.home,
    uid: host.uid,
    gid: host.gid,
    username: host.username,
    config,
    kits: selection.kits.map(({ kit }) => kit),
    agent,
    agentConfigSource: agentConfigSource(host.home, agent),
    imageTag: image.tag,
    imageAgents: image.agents,
    paths,
    ports: plannedPorts(config, range),
    volumes: (config.volumes ?? []).map((spec) => parseVolumeSpec(spec, host.home)),
    dotenv: readDotenv(projectDir),
    passthroughEnv: host.proxyEnv,
    labelsExtra: scope ? { 'asylum.test': scope } : {},
    kitRuntime,
    samePathMounts: worktreeDirs(projectDir).map((path) => ({
      path,
      reason: 'git metadata of this worktree',
    })),
  });
}

function sessionCommand(request: SessionRequest, agent: Agent): string[] {
  switch (request.mode) {
    case 'run':
      return [IMAGE_PATHS.exec, ...request.args];
    case 'shell':
    case 'admin':
      return [IMAGE_PATHS.exec, 'zsh', '-l'];
    case 'agent':
      return [IMAGE_PATHS.exec, agent.binary, ...agent.yoloArgs, ...request.args];
    default: {
      const never: never = request.mode;
      throw new Error(`unknown mode ${String(never)}`);
    }
  }
}

function execArgs(plan: ContainerPlan, request: SessionRequest, agent: Agent, tty: boolean) {
  const args = ['exec', '--interactive'];
  if (tty) args.push('--tty');
  args.push('--user', request.mode === 'admin' ? 'root' : plan.sessionUser);
  args.push('--workdir', plan.workdir);
  for (const key of ['TERM', 'COLORTERM']) {
    const value = process.env[key];
    if (tty && value) args.push('--env', `${key}=${value}`);
  }
  args.push(plan.name, ...sessionCommand(request, agent));
  return args;
}

/** `--debug`: what the container gets, with env values masked. */
function debugPlan(plan: ContainerPlan): void {
  log.debug(`container ${plan.name} (host ${plan.hostname}), image ${plan.image}`);
  log.debug(`network ${plan.network}, sessions run as ${plan.sessionUser}`);
  for (const m of plan.mounts) {
    const access = m.readOnly ? 'ro' : 'rw';
    log.debug(`mount ${m.type} ${m.source} -> ${m.target} (${access}): ${m.reason}`);
  }
  for (const p of plan.ports)
    log.debug(`publish ${p.bind}:${p.host} -> ${p.container}/${p.protocol}`);
  log.debug(`env: ${Object.keys(plan.env).sort().join(', ')} (values hidden)`);
}

const SIGNAL_CODES = { SIGINT: 130, SIGTERM: 143, SIGHUP: 129 } as const;

/**
 * Runs a non-TTY session over the Engine API with our own stdio. A signal to
 * asylum ends the session: the lease goes with it, and the container winds
 * down (ending the command) once no other session holds it.
 */
async function execPiped(plan: ContainerPlan, request: SessionRequest, agent: Agent) {
  const abort = new AbortController();
  let signalled: number | undefined;
  const handlers = Object.entries(SIGNAL_CODES).map(([signal, code]) => {
    const handler = () => {
      signalled = code;
      abort.abort();
    };
    process.on(signal, handler);
    return () => process.off(signal, handler);
  });
  try {
    const code = await execStreams(plan.name, {
      cmd: sessionCommand(request, agent),
      user: request.mode === 'admin' ? 'root' : plan.sessionUser,
      workdir: plan.workdir,
      stdin: process.stdin,
      stdout: process.stdout,
      stderr: process.stderr,
      signal: abort.signal,
    });
    return signalled ?? code;
  } catch (error) {
    if (signalled !== undefined) return signalled;
    throw error;
  } finally {
    for (const off of handlers) off();
  }
}

/**
 * One asylum session: make sure the image and the project container exist,
 * hold a lease while the command runs in it, and return the command's exit code.
 */
export async function runSession(request: SessionRequest): Promise<number> {
  setDebug(request.flags.debug);
  const prepared = prepare(request);
  const { host, config, image } = prepared;
  await ensureEngine();
  await ensureBaseImage(config.image?.base ?? DEFAULT_BASE_IMAGE);
  await ensureImage(image, {
    home: host.home,
    rebuild: request.flags.rebuild,
    buildArgs: host.proxyEnv,
  });

  const agent = prepared.selection.agent;
  const paths = projectPaths(host.home, containerName(prepared.projectDir));
  mkdirSync(paths.history, { recursive: true });
  const kitRuntime = await prepareKits(prepared, paths);
  const range = await portRange(prepared);
  if (range)
    kitRuntime.push({ env: { ASYLUM_PORTS: `${range.start}-${range.start + range.count - 1}` } });
  const plan = planFor(prepared, agent, kitRuntime, range);
  warnIfExposed(plan.ports);
  stageGitConfig(
    host.home,
    paths.hostFiles,
    prepared.projectDir,
    worktreeDirs(prepared.projectDir),
  );
  for (const runtime of kitRuntime) stageFiles(paths.hostFiles, runtime.stagedFiles ?? {});
  debugPlan(plan);

  const lease = SessionLease.acquire(paths.sessions);
  try {
    const expected = await imageId(image.tag);
    const lock = join(locksDir(host.home), `container-${plan.name}`);
    await withLock(lock, () => ensureContainer(plan, paths, expected, lease));
    const tty = host.stdinIsTty && host.stdoutIsTty;
    if (!tty) {
      const code = await execPiped(plan, request, agent);
      if (code !== null) return code;
    }
    return await execInteractive(execArgs(plan, request, agent, tty));
  } finally {
    lease.release();
  }
}
