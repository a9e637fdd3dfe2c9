import { join } from 'node:path';
import { execInteractive, execStreams } from '../docker/engine.js';
import { hashProjectFile, walkPackageDirs } from '../host/project-walk.js';
import type { ContainerPlan } from '../plan/container.js';
import { IMAGE_PATHS } from '../plan/image.js';
import {
  describeTask,
  EMPTY_ONBOARDING,
  LOCKFILES,
  type LockfileFact,
  onboardingStateSchema,
  pendingTasks,
  recordOutcome,
  splitByTool,
} from '../plan/onboarding.js';
import { readJsonState, updateJsonState } from '../state/json-state.js';
import { log } from '../ui/log.js';

/** Lockfiles of real projects reach tens of MiB; anything far beyond is not one. */
const MAX_LOCKFILE_BYTES = 256 * 1024 * 1024;

/** The first lockfile present in each package dir, with its content hash. */
export function detectLockfiles(projectDir: string, packageDirs: readonly string[]) {
  const facts: LockfileFact[] = [];
  for (const dir of packageDirs) {
    for (const kind of LOCKFILES) {
      const sha256 = hashProjectFile(projectDir, join(dir, kind.file), {
        maxBytes: MAX_LOCKFILE_BYTES,
      });
      if (sha256 === undefined) continue;
      facts.push({ dir, kind, sha256 });
      break;
    }
  }
  return facts;
}

export interface OnboardingInput {
  plan: ContainerPlan;
  projectDir: string;
  /** `~/.asylum/projects/<container>`: the state lives there, out of the agent's reach. */
  dataDir: string;
  activeKits: readonly string[];
  /** Whether a person can answer (stdin and stdout are terminals). */
  interactive: boolean;
}

/** Ctrl-C at the prompt decides nothing: the tasks are offered again next time. */
async function askToRun(tasks: readonly LockfileFact[]): Promise<'yes' | 'no' | 'cancelled'> {
  const { confirm, isCancel } = await import('@clack/prompts');
  log.info('this project has dependencies to install in the container:');
  for (const task of tasks) process.stderr.write(`  ${describeTask(task)}\n`);
  const answer = await confirm({ message: 'Run these setup tasks now?', initialValue: true });
  if (isCancel(answer)) return 'cancelled';
  return answer === true ? 'yes' : 'no';
}

/** Runs one task in its package dir as the session user; its output goes to stderr. */
async function runTask(input: OnboardingInput, task: LockfileFact): Promise<boolean> {
  log.info(`onboarding: ${describeTask(task)}`);
  const cmd = [IMAGE_PATHS.exec, ...task.kind.argv];
  const user = input.plan.sessionUser;
  const workdir = join(input.projectDir, task.dir);
  const streamed = await execStreams(input.plan.name, {
    cmd,
    user,
    workdir,
    stdout: process.stderr,
    stderr: process.stderr,
  });
  // Without the Engine API (ssh, TLS endpoints) the CLI runs it.
  const code =
    streamed ??
    (await execInteractive([
      'exec',
      '--user',
      user,
      '--workdir',
      workdir,
      input.plan.name,
      ...cmd,
    ]));
  if (code !== 0)
    log.warn(`onboarding: ${task.kind.argv.join(' ')} in ${task.dir} exited ${code}`);
  return code === 0;
}

/** Tasks due now: lockfiles not handled yet whose tool is in the image. */
async function dueTasks(input: OnboardingInput, statePath: string): Promise<LockfileFact[]> {
  const facts = detectLockfiles(input.projectDir, walkPackageDirs(input.projectDir).dirs);
  const state = await readJsonState(statePath, onboardingStateSchema, EMPTY_ONBOARDING);
  const { runnable, missingTool } = splitByTool(pendingTasks(facts, state), input.activeKits);
  for (const task of missingTool) {
    log.warn(`onboarding: ${task.dir}/${task.kind.file} needs the ${task.kind.kit} kit`);
  }
  return runnable;
}

function record(statePath: string, task: LockfileFact, outcome: 'done' | 'declined') {
  return updateJsonState(statePath, onboardingStateSchema, EMPTY_ONBOARDING, (current) =>
    recordOutcome(current, task, outcome, new Date()),
  );
}

/**
 * `kits.node.onboarding: true`: lockfiles whose content was not handled yet
 * are listed and, on a terminal, offered once; the answer is recorded per
 * lockfile hash (a failed install is not, so it is offered again). Without a
 * terminal nothing runs and asylum says so.
 */
export async function onboard(input: OnboardingInput): Promise<void> {
  const statePath = join(input.dataDir, 'onboarding.json');
  const tasks = await dueTasks(input, statePath);
  if (tasks.length === 0) return;
  if (!input.interactive) {
    const list = tasks.map(describeTask).join('; ');
    log.info(`onboarding skipped (not a terminal): ${list}; run asylum in a terminal to set up`);
    return;
  }
  const answer = await askToRun(tasks);
  if (answer === 'cancelled') return;
  for (const task of tasks) {
    if (answer === 'no') await record(statePath, task, 'declined');
    else if (await runTask(input, task)) await record(statePath, task, 'done');
  }
  if (answer === 'no') log.info('onboarding declined; asked again when a lockfile changes');
}
