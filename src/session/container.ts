import { createHash } from 'node:crypto';
import { chmodSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  ensureNetwork,
  ensureVolume,
  inspectContainer,
  removeContainer,
  runDetached,
} from '../docker/engine.js';
import { UserError } from '../errors.js';
import type { ContainerPlan, ProjectPaths } from '../plan/container.js';
import { dockerRunArgs } from '../plan/container.js';
import { log } from '../ui/log.js';
import { formatEnvFile } from './host-files.js';

const REMOVAL_WAIT_MS = 15_000;

/** Labels every object of this project carries, so cleanup finds exactly them. */
export function projectLabels(plan: ContainerPlan): Record<string, string> {
  const labels: Record<string, string> = {
    asylum: 'true',
    'asylum.project': plan.labels['asylum.project']!,
    'asylum.container': plan.name,
  };
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

/** The env file lives in the project data dir (mode 0600) only while `docker run` reads it. */
async function startContainer(plan: ContainerPlan, paths: ProjectPaths): Promise<void> {
  const labels = projectLabels(plan);
  await ensureNetwork(plan.network, labels);
  for (const volume of plan.volumes) await ensureVolume(volume, labels);
  const envFile = join(paths.dataDir, `env-${process.pid}`);
  writeFileSync(envFile, formatEnvFile(plan.env), { mode: 0o600 });
  chmodSync(envFile, 0o600);
  try {
    await runDetached(dockerRunArgs(plan, envFile));
  } finally {
    rmSync(envFile, { force: true });
  }
}

/** What a running container was started with; a different digest means a restart is due. */
function planDigest(plan: ContainerPlan): string {
  const shape = { image: plan.image, mounts: plan.mounts, ports: plan.ports, env: plan.env };
  return createHash('sha256').update(JSON.stringify(shape)).digest('hex').slice(0, 16);
}

export interface ContainerOutcome {
  created: boolean;
}

/**
 * Makes sure the project's container runs, creating it when needed. Called
 * under the project lock, after this session's lease exists, so a container
 * that is running now stays up for us.
 */
export async function ensureContainer(
  plan: ContainerPlan,
  paths: ProjectPaths,
  expectedImageId: string | null,
): Promise<ContainerOutcome> {
  mkdirSync(paths.dataDir, { recursive: true });
  const state = await inspectContainer(plan.name);
  if (state?.running) {
    const agents = (state.labels['asylum.agents'] ?? '').split(',');
    const agent = plan.env.ASYLUM_AGENT!;
    if (!agents.includes(agent)) {
      throw new UserError(`the running container of this project has no ${agent} agent`, {
        hint: `end the other sessions first, or add \`agents: {${agent}: {}}\` to the config`,
      });
    }
    if (expectedImageId && state.image !== expectedImageId) {
      log.warn('the image changed; the container picks it up once every session has ended');
    } else if (state.labels['asylum.plan'] !== planDigest(plan)) {
      log.warn('ports, volumes or env changed; they apply once every session has ended');
    }
    return { created: false };
  }
  if (state) await waitUntilGone(plan.name);
  const labels = { ...plan.labels, 'asylum.plan': planDigest(plan) };
  await startContainer({ ...plan, labels }, paths);
  return { created: true };
}
