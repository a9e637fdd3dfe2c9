/**
 * Writing `~/.asylum/config.yaml`: always atomically (a temp file renamed
 * over it, so a crash leaves the old file) and under a lock, so two first
 * runs or a session and `asylum config` cannot interleave their writes.
 */
import { copyFileSync, existsSync, mkdirSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import writeFileAtomic from 'write-file-atomic';
import { loadLayerFromText } from '../config/load.js';
import { UserError } from '../errors.js';
import { withLock } from '../state/lock.js';

async function writeText(path: string, text: string, mode?: number): Promise<void> {
  try {
    // Without `mode`, write-file-atomic keeps the mode of the file it replaces.
    await writeFileAtomic(path, text, { fsync: true, ...(mode === undefined ? {} : { mode }) });
  } catch (error) {
    throw new UserError(`could not write ${path}: ${(error as Error).message}`, { cause: error });
  }
}

/**
 * Creates the file unless one exists (another run may have written it a moment
 * ago); with `overwrite`, replaces it and keeps the old one as `<path>.backup`.
 * Returns whether it was written.
 */
export async function createConfigFile(
  path: string,
  text: string,
  options: { overwrite?: boolean } = {},
): Promise<boolean> {
  // A file the loader rejects would be a bug here, not the user's mistake.
  loadLayerFromText(text, path);
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  return withLock(path, async () => {
    if (existsSync(path)) {
      if (!options.overwrite) return false;
      copyFileSync(path, `${path}.backup`);
    }
    // The file may hold env values: readable by its owner only.
    await writeText(path, text, 0o600);
    return true;
  });
}

/**
 * Applies `edit` to the file's current text under the lock; writes only when
 * the text changed. Returns whether it did.
 */
export async function editConfigFile(
  path: string,
  edit: (text: string) => string,
): Promise<boolean> {
  return withLock(path, async () => {
    const text = await readFile(path, 'utf8');
    const next = edit(text);
    if (next === text) return false;
    await writeText(path, next);
    return true;
  });
}
