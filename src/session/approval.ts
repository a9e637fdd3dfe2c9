import { createHash } from 'node:crypto';
import { join } from 'node:path';
import * as z from 'zod';
import type { ConfigLayer } from '../config/types.js';
import { UserError } from '../errors.js';
import { findWidenings, type Widening } from '../plan/widening.js';
import { readJsonState, updateJsonState } from '../state/json-state.js';
import { asylumDir } from '../state/paths.js';
import { log } from '../ui/log.js';

const approvalsSchema = z.object({
  version: z.literal(1),
  approvals: z.array(
    z.object({ project: z.string(), digest: z.string(), approvedAt: z.string() }),
  ),
});
type Approvals = z.infer<typeof approvalsSchema>;
const EMPTY: Approvals = { version: 1, approvals: [] };

/** Kept under ~/.asylum, outside every project, so the agent cannot approve itself. */
function approvalsPath(home: string): string {
  return join(asylumDir(home), 'approvals.json');
}

interface Pending {
  project: string;
  items: (Widening & { file: string })[];
  digest: string;
}

/** The widening settings of the project's files, and a digest of exactly those values. */
export function pendingWidenings(projectDir: string, layers: readonly ConfigLayer[]): Pending {
  const items = layers.flatMap((layer) =>
    findWidenings(layer.config).map((item) => ({ ...item, file: layer.source })),
  );
  const canonical = JSON.stringify([
    projectDir,
    items.map(({ file, key, value }) => [file, key, value]),
  ]);
  const digest = createHash('sha256').update(canonical).digest('hex');
  return { project: projectDir, items, digest };
}

export function describeWidenings(pending: Pending): string[] {
  return pending.items.map(
    (item) => `  ${item.file}: ${item.key}: ${item.value}  (${item.effect})`,
  );
}

export async function isApproved(home: string, pending: Pending): Promise<boolean> {
  if (pending.items.length === 0) return true;
  const state = await readJsonState(approvalsPath(home), approvalsSchema, EMPTY);
  return state.approvals.some((a) => a.project === pending.project && a.digest === pending.digest);
}

export async function recordApproval(home: string, pending: Pending): Promise<void> {
  await updateJsonState(approvalsPath(home), approvalsSchema, EMPTY, (state) => ({
    version: 1 as const,
    approvals: [
      ...state.approvals.filter((a) => a.project !== pending.project),
      { project: pending.project, digest: pending.digest, approvedAt: new Date().toISOString() },
    ],
  }));
}

async function askOnTerminal(pending: Pending): Promise<boolean> {
  const { confirmed } = await import('../ui/prompts.js');
  process.stderr.write(`${describeWidenings(pending).join('\n')}\n`);
  return confirmed('The project config widens what the container can reach. Apply it?', false);
}

/**
 * Settings from `.asylum`/`.asylum.local` that widen the blast radius run only
 * once approved: on a terminal asylum asks; otherwise it stops and names the
 * command that approves. Any change to those values needs a new approval.
 */
export async function approveWidening(prepared: {
  host: { home: string; stdinIsTty: boolean };
  projectDir: string;
  projectLayers: readonly ConfigLayer[];
}): Promise<void> {
  const pending = pendingWidenings(prepared.projectDir, prepared.projectLayers);
  if (await isApproved(prepared.host.home, pending)) return;
  if (prepared.host.stdinIsTty && (await askOnTerminal(pending))) {
    await recordApproval(prepared.host.home, pending);
    return;
  }
  log.error('the project config widens what the container can reach:');
  process.stderr.write(`${describeWidenings(pending).join('\n')}\n`);
  throw new UserError('not applied without your approval', {
    hint: 'review it, then run `asylum approve` in this project (or remove those settings)',
  });
}
