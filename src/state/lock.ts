import * as fs from 'node:fs';
import { hostname } from 'node:os';
import { dirname, join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type lockfile from 'proper-lockfile';
import { UserError } from '../errors.js';
import { processIsAlive } from './pid.js';

/** How often a waiter looks at the lock again. */
const RETRY_MS = 200;
/** A takeover guard older than this was left by a process killed mid-takeover. */
const GUARD_STALE_MS = 10_000;

/** The lock directory proper-lockfile makes next to `path`, and our owner record in it. */
const lockDir = (path: string) => `${path}.lock`;
const ownerFile = (path: string) => join(lockDir(path), 'owner');
const ownerText = () => `${process.pid} ${hostname()}\n`;

/**
 * proper-lockfile removes its lock with rmdir, which fails on a directory that
 * holds our owner record; removing the whole directory is what it means.
 */
const lockFs = {
  ...fs,
  rmdir: (path: string, done: (error: NodeJS.ErrnoException | null) => void) =>
    fs.rm(path, { recursive: true, force: true }, done),
  rmdirSync: (path: string) => fs.rmSync(path, { recursive: true, force: true }),
};

/** The owner record when it names a process on this machine that no longer exists. */
function deadOwner(path: string): string | undefined {
  let text: string;
  try {
    text = fs.readFileSync(ownerFile(path), 'utf8');
  } catch {
    // No record (yet): only the lock's age can tell, which proper-lockfile checks.
    return undefined;
  }
  const [pid, host] = text.trim().split(' ');
  if (host !== hostname() || !/^\d+$/.test(pid ?? '')) return undefined;
  return processIsAlive(Number(pid)) ? undefined : text;
}

/**
 * Removes a lock whose holder died (SIGKILL, a crash) without waiting for it to
 * go stale. Waiters take turns through a guard directory, and each re-reads the
 * record under it, so a lock just taken by a live process is never removed.
 */
function takeOverDeadLock(path: string): void {
  if (deadOwner(path) === undefined) return;
  const guard = `${lockDir(path)}-takeover`;
  try {
    fs.mkdirSync(guard);
  } catch {
    try {
      if (Date.now() - fs.statSync(guard).mtimeMs > GUARD_STALE_MS) fs.rmdirSync(guard);
    } catch {
      // Gone meanwhile: the next round tries again.
    }
    return;
  }
  try {
    if (deadOwner(path) !== undefined) fs.rmSync(lockDir(path), { recursive: true, force: true });
  } finally {
    fs.rmSync(guard, { recursive: true, force: true });
  }
}

/**
 * Writes the owner record. A new file changes its directory's mtime, which
 * proper-lockfile reads as someone else having taken the lock: the mtime it
 * set is put back.
 */
function recordOwner(path: string): void {
  const { atime, mtime } = fs.statSync(lockDir(path));
  try {
    fs.writeFileSync(ownerFile(path), ownerText());
  } catch {
    // A full disk: the lock holds without a record; only the stale check can free it.
    fs.rmSync(ownerFile(path), { force: true });
  }
  fs.utimesSync(lockDir(path), atime, mtime);
}

type Release = () => Promise<void>;

/** One attempt per round; between rounds, a lock left by a dead process is taken over. */
async function acquire(path: string, options: lockfile.LockOptions, waitMs: number) {
  // Loaded on first use: it patches fs at load, a cost the warm path (no lock) skips.
  const { default: properLockfile } = await import('proper-lockfile');
  const deadline = Date.now() + waitMs;
  for (;;) {
    takeOverDeadLock(path);
    try {
      const release: Release = await properLockfile.lock(path, options);
      recordOwner(path);
      return release;
    } catch (error) {
      const held = (error as NodeJS.ErrnoException).code === 'ELOCKED';
      if (!held) {
        throw new UserError(`could not take the lock ${path}: ${(error as Error).message}`, {
          cause: error,
          hint: 'check that the disk is not full and the directory is writable',
        });
      }
      if (Date.now() >= deadline) {
        throw new UserError(`could not take the lock ${path}`, {
          cause: error,
          hint: `another asylum process holds it; if none runs, remove ${lockDir(path)}`,
        });
      }
      await sleep(RETRY_MS);
    }
  }
}

/**
 * Runs `work` while holding an exclusive lock on `path` (a directory lock next
 * to it, safe across processes). A lock whose holder on this machine has died
 * is taken over at once; one left by a process elsewhere (a shared home) goes
 * stale after `staleMs` without updates and is taken over then.
 */
export async function withLock<T>(
  path: string,
  work: () => Promise<T>,
  options: { waitMs?: number; staleMs?: number } = {},
): Promise<T> {
  fs.mkdirSync(dirname(path), { recursive: true });
  let compromised: Error | undefined;
  const release = await acquire(
    path,
    {
      realpath: false,
      stale: options.staleMs ?? 15_000,
      update: 5_000,
      retries: 0,
      fs: lockFs,
      onCompromised: (error) => {
        compromised = error;
      },
    },
    options.waitMs ?? 600_000,
  );
  try {
    return await work();
  } finally {
    await release().catch(() => {
      // Already released or taken over as stale: nothing left to undo.
    });
    if (compromised) process.emitWarning(`lock ${path} was compromised: ${compromised.message}`);
  }
}
