import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { UserError } from '../errors.js';

/**
 * Runs `work` while holding an exclusive lock on `path` (a directory lock next
 * to it, safe across processes). A lock left by a dead process goes stale after
 * `staleMs` and is taken over.
 */
export async function withLock<T>(
  path: string,
  work: () => Promise<T>,
  options: { waitMs?: number; staleMs?: number } = {},
): Promise<T> {
  mkdirSync(dirname(path), { recursive: true });
  const waitMs = options.waitMs ?? 600_000;
  let compromised: Error | undefined;
  // Loaded on first use: it patches fs at load, a cost the warm path, which takes no lock, skips.
  const { default: lockfile } = await import('proper-lockfile');
  const release = await lockfile
    .lock(path, {
      realpath: false,
      stale: options.staleMs ?? 15_000,
      update: 5_000,
      retries: { retries: Math.ceil(waitMs / 200), factor: 1, minTimeout: 200, maxTimeout: 200 },
      onCompromised: (error) => {
        compromised = error;
      },
    })
    .catch((error: unknown) => {
      throw new UserError(`could not take the lock ${path}`, { cause: error });
    });
  try {
    return await work();
  } finally {
    await release().catch(() => {
      // Already released or taken over as stale: nothing left to undo.
    });
    if (compromised) process.emitWarning(`lock ${path} was compromised: ${compromised.message}`);
  }
}
