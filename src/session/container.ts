import { createHash } from 'node:crypto';
import { chmodSync, mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  blockHostFromNetwork,
  type ContainerState,
  ensureNetwork,
  ensureVolume,
  inspectContainer,
  removeContainer,
  runDetached,
} from '../docker/engine.js';
import { UserError } from '../errors.js';
import type { ContainerPlan, ProjectPaths } from '../plan/container.js';
import { dockerRunArgs } from '../plan/container.js';
import type { SessionLease } from '../state/lease.js';
import { processIsAlive } from '../state/pid.js';
import { log } from '../ui/log.js';
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

/** The env file lives in the project data dir (mode 0600) only while `docker run` reads it. */
async function startContainer(plan: ContainerPlan, paths: ProjectPaths): Promise<void> {
  removeOrphanEnvFiles(paths.dataDir);
  const labels = projectLabels(plan);
  const networkLabels = { ...labels, 'asylum.host-access': String(plan.hostAccess) };
  await ensureNetwork(plan.network, networkLabels);
  if (!plan.hostAccess) await blockHostFromNetwork(plan.network, plan.image, labels);
  for (const volume of plan.volumes) await ensureVolume(volume, labels);
  const ports = await availablePorts(plan.ports);
  const envFile = join(paths.dataDir, `env-${process.pid}`);
  writeFileSync(envFile, formatEnvFile(plan.env), { mode: 0o600 });
  chmodSync(envFile, 0o600);
  try {
    await runDetached(dockerRunArgs({ ...plan, ports }, envFile));
  } finally {
    rmSync(envFile, { force: true });
  }
}

/** What a running container was started with; a different digest means a restart is due. */
function planDigest(plan: ContainerPlan): string {
  const shape = { image: plan.image, mounts: plan.mounts, ports: plan.ports, env: plan.env };
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

/**
 * Makes sure the project's container runs, creating it when needed. Called
 * under the project lock, after this session's lease exists, so a container
 * that is running now stays up for us.
 */
/** Why a running container no longer matches this session's plan, if it does not. */
function staleness(plan: ContainerPlan, state: ContainerState, imageId: string | null) {
  if (imageId && state.image !== imageId) return 'the image changed';
  if (state.labels['asylum.plan'] !== planDigest(plan)) return 'ports, volumes or env changed';
  return undefined;
}

/**
 * The container name comes from the project path alone, so another user (or
 * the same user with another HOME) may own a container of the same name. It is
 * theirs: never joined, never replaced.
 */
function checkOwner(plan: ContainerPlan, state: ContainerState): void {
  const owner = state.labels['asylum.owner'];
  if (!owner || owner === plan.labels['asylum.owner']) return;
  throw new UserError(`${plan.name} belongs to another user or HOME (${owner})`, {
    hint: 'wait until their session ends, or work on a copy of the project at another path',
  });
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
