import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { buildImage } from '../docker/build.js';
import { runDocker } from '../docker/cli.js';
import { imageId, imageInfo, imageLabels } from '../docker/engine.js';
import { UserError } from '../errors.js';
import type { ImagePlan } from '../plan/image.js';
import { withLock } from '../state/lock.js';
import { locksDir, logsDir } from '../state/paths.js';
import { log } from '../ui/log.js';
import { count } from '../ui/timing.js';

export const DEFAULT_BASE_IMAGE = 'debian:trixie';

/**
 * The base image must be present locally or pullable. Where neither holds (no
 * registry, air-gapped), `asylum bootstrap` builds it from Debian's archive.
 */
export async function ensureBaseImage(name: string): Promise<void> {
  if (await imageId(name)) return;
  log.info(`base image ${name} is not present; trying to pull it`);
  const pulled = await runDocker(['pull', name], { timeoutMs: 120_000 });
  if (pulled.exitCode === 0) return;
  if (await offerBootstrap(name)) return;
  throw new UserError(`the base image ${name} is not present and cannot be pulled`, {
    hint:
      `build it locally from Debian's archive: \`sudo asylum bootstrap --image ${name}\` ` +
      '(needs debootstrap), or set `image: {base: ...}` in ~/.asylum/config.yaml',
  });
}

/** On a terminal, as root, with debootstrap at hand: offer to build the base image now. */
async function offerBootstrap(name: string): Promise<boolean> {
  const canBootstrap =
    process.getuid?.() === 0 && spawnSync('debootstrap', ['--version']).status === 0;
  if (!canBootstrap || !process.stdin.isTTY || !process.stdout.isTTY) return false;
  const { confirmed } = await import('../ui/prompts.js');
  const message = `${name} cannot be pulled. Build it now from Debian's archive with debootstrap?`;
  if (!(await confirmed(message, true))) return false;
  const { bootstrap } = await import('../commands/bootstrap.js');
  await bootstrap({ image: name, suite: suiteOf(name), force: false });
  return true;
}

/** `debian:trixie` → `trixie`; anything else gets the suite asylum is built for. */
function suiteOf(image: string): string {
  const tag = image.split(':')[1] ?? '';
  return /^[a-z]+$/.test(tag) ? tag : 'trixie';
}

/** The id of the planned image when one with its hash exists; null when it must be built. */
export async function currentImageId(plan: ImagePlan): Promise<string | null> {
  const info = await imageInfo(plan.tag);
  return info?.labels['asylum.hash'] === plan.hash ? info.id : null;
}

/** Counts builds in this process: tests and `--debug` use it to prove no-op runs. */
export const buildStats = { builds: 0 };

/**
 * Builds the planned image unless an image with the same hash already exists.
 * Concurrent asylum processes wait on one lock per hash, so a build needed by
 * several of them runs once.
 */
export async function ensureImage(
  plan: ImagePlan,
  options: { home: string; rebuild: boolean; buildArgs: Record<string, string> },
): Promise<void> {
  const current = async () => (await imageLabels(plan.tag))?.['asylum.hash'] === plan.hash;
  if (!options.rebuild && (await current())) {
    log.debug(`image ${plan.tag} is up to date`);
    return;
  }
  const lock = join(locksDir(options.home), `build-${plan.hash.slice(0, 16)}`);
  await withLock(lock, async () => {
    if (!options.rebuild && (await current())) return;
    const logFile = join(logsDir(options.home), `build-${plan.hash.slice(0, 12)}.log`);
    const small = plan.labels['asylum.kind'] === 'project';
    const note = small ? '' : ' (first time takes a few minutes)';
    log.info(`building image ${plan.tag}${note}; log: ${logFile}`);
    const started = Date.now();
    await buildImage(plan, {
      noCache: options.rebuild,
      logFile,
      extraBuildArgs: options.buildArgs,
    });
    buildStats.builds += 1;
    count('builds');
    log.ok(`image ${plan.tag} built in ${Math.round((Date.now() - started) / 1000)} s`);
    await pruneOldImages(plan);
  });
}

/** How many base images one user keeps (agent sets and kit choices differ between projects). */
const KEPT_IMAGES = 3;

/**
 * Each config change leaves a 1-2 GB image behind: keep the newest few of this
 * user's, remove older ones unless a container still uses them.
 */
async function pruneOldImages(plan: ImagePlan): Promise<void> {
  const owner = plan.labels['asylum.owner'];
  if (!owner) return;
  const kind = plan.labels['asylum.kind'] ?? 'base';
  // A project needs only its current image; a user keeps a few base images.
  const filters = [
    '--filter',
    `label=asylum.kind=${kind}`,
    '--filter',
    `label=asylum.owner=${owner}`,
  ];
  if (kind === 'project')
    filters.push('--filter', `label=asylum.project=${plan.labels['asylum.project']}`);
  const keep = kind === 'project' ? 1 : KEPT_IMAGES;
  const format = '{{.CreatedAt}}\t{{.Repository}}:{{.Tag}}';
  const listed = await runDocker(['image', 'ls', ...filters, '--format', format]);
  if (listed.exitCode !== 0) return;
  const newestFirst = listed.stdout.split('\n').filter(Boolean).sort().reverse();
  const tags = newestFirst.map((line) => line.split('\t')[1]!);
  const old = tags.filter((tag) => tag !== plan.tag).slice(keep - 1);
  for (const tag of old) {
    // Without --force: an image a container still runs from stays.
    const removed = await runDocker(['image', 'rm', tag]);
    if (removed.exitCode === 0) log.debug(`removed old image ${tag}`);
  }
}
