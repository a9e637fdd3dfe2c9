import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { globalConfigPath, loadConfigLayers } from '../config/load.js';
import { mergeLayers } from '../config/merge.js';
import { parseVolumeSpec } from '../config/specs.js';
import type { Config, ConfigLayer } from '../config/types.js';
import { ensureEngine, imageId } from '../docker/engine.js';
import { ConfigError } from '../errors.js';
import { prepareGlobalConfig } from '../firstrun/setup.js';
import { type HostFacts, readHostFacts } from '../host/facts.js';
import type { KitRuntime } from '../kits/types.js';
import { type ContainerPlan, type ProjectPaths, planContainer } from '../plan/container.js';
import { type ImagePlan, planBaseImage, planProjectImage } from '../plan/image.js';
import { containerName } from '../plan/naming.js';
import { type Selection, selectRun } from '../plan/selection.js';
import { withoutWidenings } from '../plan/widening.js';
import { SessionLease } from '../state/lease.js';
import { withLock } from '../state/lock.js';
import { asylumDir, locksDir, projectPaths } from '../state/paths.js';
import type { PortSpan } from '../state/ports.js';
import { log, setDebug } from '../ui/log.js';
import { mark } from '../ui/timing.js';
import { type AgentSetup, recordAgentSession, setupAgent, shouldResume } from './agent-session.js';
import { approveWidening } from './approval.js';
import { ensureContainer, joinIfCurrent } from './container.js';
import { execSession, type SessionMode } from './exec.js';
import type { GlobalFlags } from './flags.js';
import { flagsLayer } from './flags.js';
import { worktreeDirs } from './git.js';
import { readDotenv, stageFiles, stageGitConfig } from './host-files.js';
import { currentImageId, DEFAULT_BASE_IMAGE, ensureBaseImage, ensureImage } from './images.js';
import { onboard } from './onboarding.js';
import { ensurePortRange, plannedPorts, portCount, warnIfExposed } from './ports.js';
import { resolveProjectDir } from './project-dir.js';
import { toolVersionsLayer, withToolVersions } from './tool-versions.js';

export type { SessionMode };

export interface SessionRequest {
  mode: SessionMode;
  args: string[];
  flags: GlobalFlags;
}

export interface Prepared {
  host: HostFacts;
  projectDir: string;
  config: Config;
  selection: Selection;
  /** The shared base image, and the project's own image built FROM it. */
  image: ImagePlan;
  projectImage: ImagePlan;
  /** Layers read from files inside the project: the agent can write them. */
  projectLayers: ConfigLayer[];
}

/** A bind mount of a missing host path would fail inside the engine, less clearly. */
function checkVolumeSources(config: Config, home: string): void {
  const problems = (config.volumes ?? [])
    .map((spec) => ({ spec, host: parseVolumeSpec(spec, home).host }))
    .filter(({ host }) => !existsSync(host))
    .map(({ spec, host }) => `volume ${JSON.stringify(spec)}: ${host} does not exist on the host`);
  if (problems.length > 0) throw new ConfigError(problems, 'create it, or fix volumes: / -v');
}

/** Config, selection and image plan: everything decided before the engine is touched. */
export function prepareSession(
  request: Pick<SessionRequest, 'flags'>,
  options: { withoutWidenings?: boolean } = {},
): Prepared {
  const host = readHostFacts();
  const projectDir = resolveProjectDir(host.home);
  const loaded = loadConfigLayers({ home: host.home, projectDir });
  // `asylum inspect` of a project whose widening settings await approval.
  const fileLayers = options.withoutWidenings
    ? loaded.map((layer) =>
        layer.source.startsWith(`${projectDir}/`) ? withoutWidenings(layer) : layer,
      )
    : loaded;
  const globalPath = globalConfigPath(host.home);
  const global = fileLayers.filter((layer) => layer.source === globalPath);
  const layers = [
    ...withToolVersions(fileLayers, globalPath, toolVersionsLayer(projectDir)),
    flagsLayer(request.flags, host.home),
  ];
  const config = mergeLayers(layers.map((layer) => layer.config));
  const projectLayers = layers.filter((layer) => layer.source.startsWith(`${projectDir}/`));
  // The base image follows the global file alone: projects and flags never rebuild it.
  const baseConfig = mergeLayers(global.map((layer) => layer.config));
  const selection = selectRun(layers, config, request.flags, baseConfig);
  checkVolumeSources(config, host.home);
  const image = planBaseImage({
    baseImage: config.image?.base ?? DEFAULT_BASE_IMAGE,
    kits: selection.baseKits,
    agents: selection.installAgents.map((agent) => ({
      agent,
      version: config.agents?.[agent.name]?.version ?? agent.defaultVersion,
    })),
    identity: { uid: host.uid, gid: host.gid, username: host.username, home: host.home },
    caBundle: host.caBundle,
  });
  image.labels['asylum.owner'] = `${host.uid}:${host.home}`;
  const scope = process.env.ASYLUM_TEST_SCOPE;
  if (scope) image.labels['asylum.test'] = scope;
  const projectImage = planProjectImage(image, {
    dir: projectDir,
    container: containerName(projectDir),
    kits: selection.kits,
    baseKits: selection.baseKits,
  });
  return { host, projectDir, config, selection, image, projectImage, projectLayers };
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
        container: containerName(projectDir),
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
  setup: AgentSetup,
  kitRuntime: KitRuntime[],
  range: PortSpan | undefined,
): ContainerPlan {
  const agent = prepared.selection.agent;
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
    agentConfigSource: setup.hostDir,
    agentConfigMode: setup.mode,
    companions: setup.companions,
    imageTag: prepared.projectImage.tag,
    imageAgents: image.agents,
    paths,
    ports: plannedPorts(config, range),
    volumes: (config.volumes ?? []).map((spec) => parseVolumeSpec(spec, host.home)),
    dotenv: readDotenv(projectDir, log.warn),
    passthroughEnv: host.proxyEnv,
    labelsExtra: {
      'asylum.owner': `${host.uid}:${host.home}`,
      ...(scope ? { 'asylum.test': scope } : {}),
    },
    kitRuntime,
    arch: process.arch,
    samePathMounts: worktreeDirs(projectDir).map((path) => ({
      path,
      reason: 'git metadata of this worktree',
    })),
  });
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

/** Everything a session needs, decided and prepared on the host; nothing started yet. */
export interface SessionPlan {
  prepared: Prepared;
  plan: ContainerPlan;
  setup: AgentSetup;
  paths: ProjectPaths;
  kitRuntime: KitRuntime[];
}

/**
 * Host-side preparation (agent config dir, kit keys and credentials, the port
 * range) and the container plan. Shared by sessions and `asylum inspect`.
 */
export async function planSession(prepared: Prepared): Promise<SessionPlan> {
  const { host, config } = prepared;
  const agent = prepared.selection.agent;
  const paths = projectPaths(host.home, containerName(prepared.projectDir));
  mkdirSync(paths.history, { recursive: true });
  const setup = setupAgent({
    agent,
    config,
    home: host.home,
    asylumDir: asylumDir(host.home),
    projectDir: prepared.projectDir,
    projectDataDir: paths.dataDir,
    uid: host.uid,
    gid: host.gid,
  });
  const kitRuntime = await prepareKits(prepared, paths);
  const range = await portRange(prepared);
  if (range) {
    kitRuntime.push({ env: { ASYLUM_PORTS: `${range.start}-${range.start + range.count - 1}` } });
  }
  const plan = planFor(prepared, setup, kitRuntime, range);
  return { prepared, plan, setup, paths, kitRuntime };
}

/** Files sessions copy into place at start: git identity and kit files (ssh config). */
function stageSessionFiles(session: SessionPlan): void {
  const { prepared, paths } = session;
  const worktrees = worktreeDirs(prepared.projectDir);
  stageGitConfig(prepared.host.home, paths.hostFiles, prepared.projectDir, worktrees);
  for (const runtime of session.kitRuntime) stageFiles(paths.hostFiles, runtime.stagedFiles ?? {});
}

/**
 * The host's Python package index settings, for `kits.python.packages` in
 * builds. Unlike proxies, docker keeps such args in the image's history.
 */
function packageIndexEnv(env: NodeJS.ProcessEnv): Record<string, string> {
  const keys = ['PIP_INDEX_URL', 'PIP_EXTRA_INDEX_URL'] as const;
  return Object.fromEntries(keys.flatMap((key) => (env[key] ? [[key, env[key]]] : [])));
}

/**
 * The project image exists (built if needed) on a reachable engine; returns
 * its id. A current project image answers for its base too: the base hash is
 * one of its inputs, so the usual start costs one image lookup, not four.
 */
async function ensureEngineAndImage(
  prepared: Prepared,
  rebuild: boolean,
  engine: Promise<void>,
): Promise<string | null> {
  const { host, config, image, projectImage } = prepared;
  await engine;
  const current = rebuild ? null : await currentImageId(projectImage);
  if (current) return current;
  await ensureBaseImage(config.image?.base ?? DEFAULT_BASE_IMAGE);
  // Proxies and package indexes shape where packages come from, not what the image holds.
  const buildArgs = { ...host.proxyEnv, ...packageIndexEnv(process.env) };
  await ensureImage(image, { home: host.home, rebuild, buildArgs });
  await ensureImage(projectImage, { home: host.home, rebuild: false, buildArgs });
  return imageId(projectImage.tag);
}

/**
 * Onboarding runs in interactive modes right after the container was created
 * (spec §4.6): a `run` in a script should not stop to install dependencies.
 */
async function onboardIfWanted(session: SessionPlan, mode: SessionMode): Promise<void> {
  const { prepared, plan, paths } = session;
  if (mode !== 'agent' && mode !== 'shell') return;
  if (prepared.config.kits?.node?.onboarding !== true) return;
  const activeKits = prepared.selection.kits.map(({ kit }) => kit.name);
  if (!activeKits.includes('node')) return;
  const { host, projectDir } = prepared;
  const interactive = host.stdinIsTty && host.stdoutIsTty;
  await onboard({ plan, projectDir, dataDir: paths.dataDir, activeKits, interactive });
}

/**
 * One asylum session: make sure the image and the project container exist,
 * hold a lease while the command runs in it, and return the command's exit code.
 */
export async function runSession(request: SessionRequest): Promise<number> {
  mark('session');
  setDebug(request.flags.debug);
  // The engine answers its ping while the config is read; its failure is
  // reported after any config problem, as before (hence the early no-op catch).
  const engine = ensureEngine();
  engine.catch(() => undefined);
  const facts = readHostFacts();
  await prepareGlobalConfig(facts.home, facts);
  const prepared = prepareSession(request);
  mark('config');
  await approveWidening(prepared);
  const expected = await ensureEngineAndImage(prepared, request.flags.rebuild, engine);
  mark('images');
  const session = await planSession(prepared);
  mark('planned');
  const { plan, setup, paths } = session;
  const { host, config, projectDir } = prepared;
  warnIfExposed(plan.ports);
  stageSessionFiles(session);
  debugPlan(plan);

  const lease = SessionLease.acquire(paths.sessions);
  try {
    const lock = join(locksDir(host.home), `container-${plan.name}`);
    const agentMode = request.mode === 'agent';
    let created = false;
    if (!(await joinIfCurrent(plan, expected))) {
      const ensure = () => ensureContainer(plan, paths, expected, lease, agentMode);
      created = (await withLock(lock, ensure)).created;
    }
    mark('container');
    if (created) await onboardIfWanted(session, request.mode);
    const agent = prepared.selection.agent;
    const resume = shouldResume(agent, setup, {
      requested: request.flags.continue === true,
      byDefault: config['default-resume'] === true,
      projectDir,
    });
    if (agentMode) recordAgentSession(agent, setup, projectDir);
    const command = { mode: request.mode, args: request.args, agent, resume, sessionId: lease.id };
    return await execSession(plan, command, host.stdinIsTty && host.stdoutIsTty);
  } finally {
    lease.release();
  }
}
