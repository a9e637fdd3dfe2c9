import { z } from 'zod';

/**
 * Onboarding (`kits.node.onboarding: true`): a package dir with a lockfile gets
 * its dependencies installed inside the container, once per lockfile content.
 * Pure: facts about lockfiles and the recorded state in, tasks and state out.
 */

export interface LockfileKind {
  file: string;
  /** The sub-kit that installs the tool. */
  kit: string;
  /** What runs in the package dir: an argv, never a shell line. */
  argv: readonly string[];
}

/** In order of preference: the first one present in a dir decides its task. */
export const LOCKFILES: readonly LockfileKind[] = [
  { file: 'package-lock.json', kit: 'node/npm', argv: ['npm', 'ci'] },
  { file: 'pnpm-lock.yaml', kit: 'node/pnpm', argv: ['pnpm', 'install', '--frozen-lockfile'] },
  { file: 'yarn.lock', kit: 'node/yarn', argv: ['yarn', 'install', '--frozen-lockfile'] },
  // TODO(asylum): bun.lock / bun.lockb once a bun kit exists (its npm package downloads a binary).
];

/** A lockfile found in a package dir (project-relative, `.` for the root). */
export interface LockfileFact {
  dir: string;
  kind: LockfileKind;
  sha256: string;
}

export const onboardingStateSchema = z.object({
  version: z.literal(1),
  /** Keyed by package dir. */
  dirs: z.record(
    z.string(),
    z.object({
      lockfile: z.string(),
      sha256: z.string(),
      outcome: z.enum(['done', 'declined']),
      at: z.string(),
    }),
  ),
});
export type OnboardingState = z.infer<typeof onboardingStateSchema>;
export const EMPTY_ONBOARDING: OnboardingState = { version: 1, dirs: {} };

/**
 * Lockfiles whose content was neither installed nor declined yet: asked once
 * per lockfile content, so a declined one is asked again only when it changes.
 */
export function pendingTasks(
  facts: readonly LockfileFact[],
  state: OnboardingState,
): LockfileFact[] {
  return facts.filter((fact) => {
    const seen = state.dirs[fact.dir];
    return !seen || seen.lockfile !== fact.kind.file || seen.sha256 !== fact.sha256;
  });
}

/** Tasks whose tool's sub-kit is not in the image cannot run: they are reported instead. */
export function splitByTool(tasks: readonly LockfileFact[], activeKits: readonly string[]) {
  return {
    runnable: tasks.filter((task) => activeKits.includes(task.kind.kit)),
    missingTool: tasks.filter((task) => !activeKits.includes(task.kind.kit)),
  };
}

export function recordOutcome(
  state: OnboardingState,
  task: LockfileFact,
  outcome: 'done' | 'declined',
  at: Date,
): OnboardingState {
  const entry = { lockfile: task.kind.file, sha256: task.sha256, outcome, at: at.toISOString() };
  return { version: 1, dirs: { ...state.dirs, [task.dir]: entry } };
}

/** How a task reads in a list: `packages/web: npm ci (package-lock.json)`. */
export function describeTask(task: LockfileFact): string {
  return `${task.dir}: ${task.kind.argv.join(' ')} (${task.kind.file})`;
}
