import { createHash } from 'node:crypto';
import { chmodSync, mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import {
  blockHostFromNetwork,
  type ContainerState,
  createAndStart,
  ensureNetwork,
  ensureVolumes,
  inspectContainer,
  removeContainer,
  runDetached,
} from '../docker/engine.js';
import { UserError } from '../errors.js';
import { ensureProjectMountpoint } from '../host/project-walk.js';
import type { ContainerPlan, PlannedSeccomp, ProjectPaths } from '../plan/container.js';
import { containerCreateBody, dockerRunArgs } from '../plan/container.js';
import type { SessionLease } from '../state/lease.js';
import { processIsAlive } from '../state/pid.js';
import { log } from '../ui/log.js';
import { mark } from '../ui/timing.js';
import { formatEnvFile } from './host-files.js';
import { availablePorts } from './ports.js';

const REMOVAL_WAIT_MS = 15_000;

/** Labels every object of this project carries, so cleanup finds exactly them. */
export function projectLabels(plan: ContainerPlan): Record<string, string> {
  const labels: Record<string, string> = {
    asylum: 'true',
    'asylum.project': plan.labels['asylum.project']!,
    'asylum.container': plan.name,
  };
  const owner = plan.labels['asylum.owner'];
  if (owner) labels['asylum.owner'] = owner;
  const scope = plan.labels['asylum.test'];
  if (scope) labels['asylum.test'] = scope;
  return labels;
}

/** A container that is stopping (its last session just ended) must be gone before we reuse the name. */
async function waitUntilGone(name: string): Promise<void> {
  const deadline = Date.now() + REMOVAL_WAIT_MS;
  while (Date.now() < deadline) {
    const state = await inspectContainer(name);
    if (!state) return;
    if (state.status === 'exited' || state.status === 'created' || state.status === 'dead') {
      await removeContainer(name);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new UserError(`the old container ${name} is still being removed`, {
    hint: `wait a moment, or remove it with \`docker rm -f ${name}\``,
  });
}

/**
 * Env files (they hold the env values) of asylum processes killed during
 * `docker run`, which never reached their own clean-up.
 */
export function removeOrphanEnvFiles(dataDir: string): void {
  for (const name of readdirSync(dataDir)) {
    const pid = /^env-(\d+)$/.exec(name)?.[1];
    if (pid && !processIsAlive(Number(pid))) rmSync(join(dataDir, name), { force: true });
  }
}

/**
 * Volumes mounted inside the project (shadow node_modules) need a directory to
 * mount on; made here, as the user, it is not left behind root-owned.
 */
function createProjectMountpoints(plan: ContainerPlan): void {
  for (const mount of plan.mounts) {
    if (mount.type !== 'volume' || !mount.target.startsWith(`${plan.workdir}/`)) continue;
    ensureProjectMountpoint(plan.workdir, relative(plan.workdir, mount.target));
  }
}

/** The docker CLI reads the profile from the host's disk; its name is its content's hash. */
function writeSeccompProfile(seccomp: PlannedSeccomp | undefined): void {
  if (!seccomp) return;
  mkdirSync(dirname(seccomp.path), { recursive: true });
  writeFileSync(seccomp.path, seccomp.text, { mode: 0o644 });
}

/**
 * Over the Engine API the env travels in the request body; through the CLI
 * (ssh or TLS endpoints) in a file in the project data dir (mode 0600) that
 * lives only while `docker run` reads it.
 */
async function startContainer(plan: ContainerPlan, paths: ProjectPaths): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await startOnce(plan, paths);
    } catch (error) {
      // Another asylum's prune can take an idle network between our ensure and create.
      const gone = /network \S+ not found/i.test(String((error as Error)?.message));
      if (!gone || attempt >= 3) throw error;
      log.debug(`network ${plan.network} went away meanwhile; starting again`);
    }
  }
}

async function startOnce(plan: ContainerPlan, paths: ProjectPaths): Promise<void> {
  removeOrphanEnvFiles(paths.dataDir);
  const labels = projectLabels(plan);
  const networkLabels = { ...labels, 'asylum.host-access': String(plan.hostAccess) };
  await ensureNetwork(plan.network, networkLabels);
  if (!plan.hostAccess) await blockHostFromNetwork(plan.network, plan.image, labels);
  await ensureVolumes(plan.volumes, labels);
  createProjectMountpoints(plan);
  const planned = { ...plan, ports: await availablePorts(plan.ports) };
  // The first thing handed to the engine to do: what came before is asylum's own time.
  // Written either way: `asylum inspect` names it, and the CLI path reads it.
  writeSeccompProfile(plan.privileges.seccomp);
  mark('handover');
  if (await createAndStart(planned.name, containerCreateBody(planned))) return;
  const envFile = join(paths.dataDir, `env-${process.pid}`);
  writeFileSync(envFile, formatEnvFile(plan.env), { mode: 0o600 });
  chmodSync(envFile, 0o600);
  try {
    await runDetached(dockerRunArgs(planned, envFile));
  } finally {
    rmSync(envFile, { force: true });
  }
}

/** What a running container was started with; a different digest means a restart is due. */
function planDigest(plan: ContainerPlan): string {
  const shape = {
    image: plan.image,
    mounts: plan.mounts,
    ports: plan.ports,
    env: plan.env,
    // Left out when empty, so containers without privileges keep their digest.
    privileges: plan.privileges.capAdd.length > 0 ? plan.privileges : undefined,
    // Both narrow what the container can do: a change must not wait unnoticed.
    hostAccess: plan.hostAccess,
    resources: plan.resources,
  };
  return createHash('sha256').update(JSON.stringify(shape)).digest('hex').slice(0, 16);
}

/** Joining an older container is fine for `run` and `shell`, not for a missing agent. */
function checkAgentPresent(plan: ContainerPlan, state: ContainerState, agentMode: boolean): void {
  const agent = plan.env.ASYLUM_AGENT!;
  const agents = (state.labels['asylum.agents'] ?? '').split(',');
  if (!agentMode || agents.includes(agent)) return;
  throw new UserError(`the running container of this project has no ${agent} agent`, {
    hint: `end the other sessions in this project first, or add it: \`agents: {${agent}: {}}\``,
  });
}

export interface ContainerOutcome {
  created: boolean;
}

/** Why a running container no longer matches this session's plan, if it does not. */
function staleness(plan: ContainerPlan, state: ContainerState, imageId: string | null) {
  if (imageId && state.image !== imageId) return 'the image changed';
  if (state.labels['asylum.plan'] !== planDigest(plan)) {
    return 'ports, volumes, env, host access or resource limits changed';
  }
  return undefined;
}

/**
 * The container name comes from the project path alone, so another user (or
 * the same user with another HOME) may own a container of the same name. It is
 * theirs: never joined, never replaced.
 */
function ownedByUs(plan: ContainerPlan, state: ContainerState): boolean {
  const owner = state.labels['asylum.owner'];
  return !owner || owner === plan.labels['asylum.owner'];
}

function checkOwner(plan: ContainerPlan, state: ContainerState): void {
  if (ownedByUs(plan, state)) return;
  const owner = state.labels['asylum.owner'];
  throw new UserError(`${plan.name} belongs to another user or HOME (${owner})`, {
    hint: 'wait until their session ends, or work on a copy of the project at another path',
  });
}

/**
 * The warm path, without the project lock: a running container of ours that
 * matches the plan is joined as it is. This session's lease exists already,
 * so the container stays up for us, as it would under the lock. Anything else
 * (no container, a stale one, another owner's) is for ensureContainer.
 */
export async function joinIfCurrent(
  plan: ContainerPlan,
  expectedImageId: string | null,
): Promise<boolean> {
  const state = await inspectContainer(plan.name);
  if (!state?.running || !ownedByUs(plan, state)) return false;
  return staleness(plan, state, expectedImageId) === undefined;
}

/**
 * Makes sure the project's container runs, creating it when needed. Called
 * under the project lock, after this session's lease exists, so a container
 * that is running now stays up for us. A running container that no longer
 * matches the plan is replaced when no other session uses it, else joined
 * (with a warning) so nobody's session is cut off.
 */
export async function ensureContainer(
  plan: ContainerPlan,
  paths: ProjectPaths,
  expectedImageId: string | null,
  lease: SessionLease,
  agentMode: boolean,
): Promise<ContainerOutcome> {
  mkdirSync(paths.dataDir, { recursive: true });
  const state = await inspectContainer(plan.name);
  if (state) checkOwner(plan, state);
  if (state?.running) {
    const reason = staleness(plan, state, expectedImageId);
    if (!reason) return { created: false };
    if (lease.othersAlive()) {
      checkAgentPresent(plan, state, agentMode);
      log.warn(`${reason}; the container is in use, so this applies once every session has ended`);
      return { created: false };
    }
    log.info(`${reason}: replacing the container`);
    await removeContainer(plan.name);
  }
  if (state) await waitUntilGone(plan.name);
  const labels = { ...plan.labels, 'asylum.plan': planDigest(plan) };
  await startContainer({ ...plan, labels }, paths);
  return { created: true };
}
