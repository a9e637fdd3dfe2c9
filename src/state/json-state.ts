import { existsSync } from 'node:fs';
import { mkdir, readFile, rename } from 'node:fs/promises';
import { dirname } from 'node:path';
import writeFileAtomic from 'write-file-atomic';
import type * as z from 'zod';
import { UserError } from '../errors.js';
import { log } from '../ui/log.js';
import { withLock } from './lock.js';

/** What is on disk: a valid state, nothing yet, or something unusable (and why). */
type Loaded<T> =
  | { kind: 'valid'; state: T }
  | { kind: 'missing' }
  | { kind: 'corrupt'; reason: string };

/**
 * Reads and validates without locking. Our own writes are atomic, but hand edits,
 * older tools and failing disks can still leave bad content, so it is an expected case.
 */
async function load<T>(path: string, schema: z.ZodType<T>): Promise<Loaded<T>> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { kind: 'missing' };
    throw new UserError(`could not read ${path}: ${(error as Error).message}`, { cause: error });
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    return { kind: 'corrupt', reason: `not valid JSON (${(error as Error).message})` };
  }
  const parsed = schema.safeParse(json);
  if (parsed.success) return { kind: 'valid', state: parsed.data };
  const issue = parsed.error.issues[0]!;
  const where = issue.path.length > 0 ? issue.path.join('.') : 'top level';
  return { kind: 'corrupt', reason: `unexpected content at ${where}: ${issue.message}` };
}

/** A name next to `path` that no earlier moved-aside copy has taken. */
function asideName(path: string): string {
  const stamp = new Date().toISOString().replace(/[:.]/g, '-');
  let candidate = `${path}.corrupt-${stamp}`;
  for (let n = 2; existsSync(candidate); n++) candidate = `${path}.corrupt-${stamp}-${n}`;
  return candidate;
}

/** Keeps the bad file for inspection rather than deleting what might be recoverable. */
async function moveAside(path: string, reason: string): Promise<void> {
  const aside = asideName(path);
  try {
    await rename(path, aside);
  } catch (error) {
    throw new UserError(`${path} is corrupt (${reason}) and could not be moved aside`, {
      cause: error,
      hint: `remove or repair ${path} by hand`,
    });
  }
  log.warn(`${path} was corrupt (${reason}); moved it to ${aside} and started afresh`);
}

/**
 * Replaces the file in one rename: a temp file is written and fsynced first, so a
 * crash or a full disk leaves the old content intact rather than a half-written file.
 */
async function writeState(path: string, state: unknown): Promise<void> {
  try {
    await writeFileAtomic(path, `${JSON.stringify(state, null, 2)}\n`, {
      mode: 0o600,
      fsync: true,
    });
  } catch (error) {
    throw new UserError(`could not write ${path}: ${(error as Error).message}`, {
      cause: error,
      hint: 'check that the disk is not full and the directory is writable',
    });
  }
}

/** Callers may mutate what they get, so never hand out the shared initial value. */
function fresh<T>(initial: T): T {
  return structuredClone(initial);
}

/**
 * Read-modify-write of a JSON state file under `~/.asylum`, exclusive across
 * processes. A missing file starts from `initial`; a corrupt one is moved to
 * `<path>.corrupt-<timestamp>` (with a warning) and also starts from `initial`.
 * Returns the state as written.
 */
export async function updateJsonState<T>(
  path: string,
  schema: z.ZodType<T>,
  initial: T,
  mutate: (state: T) => T | Promise<T>,
): Promise<T> {
  try {
    await mkdir(dirname(path), { recursive: true });
  } catch (error) {
    throw new UserError(`could not create the directory of ${path}: ${(error as Error).message}`, {
      cause: error,
    });
  }
  return withLock(path, async () => {
    const loaded = await load(path, schema);
    if (loaded.kind === 'corrupt') await moveAside(path, loaded.reason);
    const next = await mutate(loaded.kind === 'valid' ? loaded.state : fresh(initial));
    // Checking our own output keeps a bug from writing a file the next run would reject.
    const checked = schema.safeParse(next);
    if (!checked.success) {
      throw new Error(`refusing to write invalid state to ${path}: ${checked.error.message}`);
    }
    await writeState(path, checked.data);
    return checked.data;
  });
}

/**
 * The current state without taking the lock: fine for display, where a value a
 * moment old does no harm. A corrupt file is reported and read as `initial`, but
 * left in place; the next update moves it aside.
 */
export async function readJsonState<T>(
  path: string,
  schema: z.ZodType<T>,
  initial: T,
): Promise<T> {
  const loaded = await load(path, schema);
  if (loaded.kind === 'valid') return loaded.state;
  if (loaded.kind === 'corrupt') {
    log.warn(`${path} is corrupt (${loaded.reason}); ignoring it until asylum next updates it`);
  }
  return fresh(initial);
}
