import { readdirSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { ensureEngine, listByLabels, type ObjectKind, removeObjects } from '../docker/engine.js';
import { UserError } from '../errors.js';
import { readHostFacts } from '../host/facts.js';
import { containerName } from '../plan/naming.js';
import { logicalCwd } from '../session/project-dir.js';
import { asylumDir, projectPaths } from '../state/paths.js';
import { releasePorts } from '../state/ports.js';
import { log } from '../ui/log.js';
import { confirmed } from '../ui/prompts.js';

export interface CleanupOptions {
  all: boolean;
  yes: boolean;
}

/** Only objects with asylum's label are ever listed, so nothing else can be removed. */
function scopeLabels(extra: Record<string, string>): Record<string, string> {
  const labels: Record<string, string> = { asylum: 'true', ...extra };
  const scope = process.env.ASYLUM_TEST_SCOPE;
  if (scope) labels['asylum.test'] = scope;
  return labels;
}

const ORDER: ObjectKind[] = ['container', 'volume', 'network', 'image'];

async function listAll(labels: Record<string, string>, kinds: readonly ObjectKind[]) {
  const found: [ObjectKind, string[]][] = [];
  for (const kind of kinds) found.push([kind, await listByLabels(kind, labels)]);
  return found;
}

async function removeAll(found: [ObjectKind, string[]][]): Promise<number> {
  let failures = 0;
  for (const [kind, names] of found) {
    try {
      await removeObjects(kind, names);
      if (names.length > 0) log.ok(`removed ${names.length} ${kind}(s): ${names.join(', ')}`);
    } catch (error) {
      failures += 1;
      log.error(`could not remove ${kind}s: ${(error as Error).message}`);
    }
  }
  return failures;
}

/** Sessions whose lease changed in the last few seconds are alive. */
function liveSessions(sessionsDir: string): number {
  try {
    const now = Date.now();
    return readdirSync(sessionsDir).filter(
      (name) => now - statSync(join(sessionsDir, name)).mtimeMs < 3000,
    ).length;
  } catch {
    return 0;
  }
}

/** Who created an object: the uid and HOME asylum ran with (label `asylum.owner`). */
function ownerOf(home: string): string {
  return `${process.getuid?.() ?? 0}:${home}`;
}

async function cleanupProject(home: string, yes: boolean): Promise<number> {
  const project = logicalCwd();
  const name = containerName(project);
  const live = liveSessions(projectPaths(home, name).sessions);
  if (live > 0 && !yes) {
    throw new UserError(`${live} session(s) are running in this project; cleanup would end them`, {
      hint: 'end them first, or run `asylum cleanup --yes`',
    });
  }
  // Only what this user (and HOME) created: another user's container of the same path stays.
  const labels = scopeLabels({ 'asylum.container': name, 'asylum.owner': ownerOf(home) });
  // The project's own image goes too; the shared base images stay.
  const found = await listAll(labels, ORDER);
  const failures = await removeAll(found);
  rmSync(projectPaths(home, name).dataDir, { recursive: true, force: true });
  if (await releasePorts({ home, project })) log.ok("released the project's port range");
  log.ok(`cleaned up ${name}${failures > 0 ? ' (with errors above)' : ''}`);
  return failures > 0 ? 1 : 0;
}

async function confirmAll(found: [ObjectKind, string[]][], yes: boolean): Promise<boolean> {
  const total = found.reduce((sum, [, names]) => sum + names.length, 0);
  log.info(`this removes ${total} object(s) and ~/.asylum/projects:`);
  for (const [kind, names] of found) if (names.length) log.info(`  ${kind}s: ${names.join(', ')}`);
  if (yes) return true;
  if (!process.stdin.isTTY) {
    throw new UserError('`asylum cleanup --all` needs confirmation', {
      hint: 'run it in a terminal, or add --yes',
    });
  }
  return confirmed('Remove all of it?', false);
}

/**
 * `asylum cleanup`: this project's container, volumes, network and data dir.
 * `--all`: every asylum object this user (and HOME) made, after confirmation.
 */
export async function cleanup(options: CleanupOptions): Promise<number> {
  const { home } = readHostFacts();
  await ensureEngine();
  if (!options.all) return cleanupProject(home, options.yes);
  // Yours only: on a shared engine, other users' containers and images are not ours to end.
  const found = await listAll(scopeLabels({ 'asylum.owner': ownerOf(home) }), ORDER);
  if (!(await confirmAll(found, options.yes))) {
    log.info('nothing removed');
    return 1;
  }
  const failures = await removeAll(found);
  rmSync(join(asylumDir(home), 'projects'), { recursive: true, force: true });
  return failures > 0 ? 1 : 0;
}
