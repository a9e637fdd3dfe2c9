/**
 * Small, defensive file-system probes for session detection. They look at a
 * host directory that agents (or people) write freely, so every one of them
 * answers "no" rather than throwing on missing, odd or unreadable contents,
 * and none of them opens anything that could block (a FIFO) or read a lot.
 */
import { createHash } from 'node:crypto';
import {
  closeSync,
  constants,
  fstatSync,
  openSync,
  readdirSync,
  readSync,
  statSync,
} from 'node:fs';
import { join } from 'node:path';

/** Entry names of a directory; none when it is missing, not a directory or unreadable. */
export function listDir(dir: string): string[] {
  try {
    return readdirSync(dir);
  } catch {
    return [];
  }
}

/** A directory, symlinks followed. */
export function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

/** A regular file, symlinks followed. */
export function isFile(path: string): boolean {
  try {
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

/** Whether `dir` holds a regular file whose name ends in `suffix`. */
export function hasFileEndingIn(dir: string, suffix: string): boolean {
  return listDir(dir).some((name) => name.endsWith(suffix) && isFile(join(dir, name)));
}

/** At most `limit` bytes from the start of a regular file, as text; undefined otherwise. */
export function readHead(path: string, limit = 64 * 1024): string | undefined {
  let fd: number | undefined;
  try {
    // O_NONBLOCK: opening a FIFO for reading must not wait for a writer.
    fd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK);
    if (!fstatSync(fd).isFile()) return undefined;
    const buffer = Buffer.alloc(limit);
    const length = readSync(fd, buffer, 0, limit, 0);
    return buffer.subarray(0, length).toString('utf8');
  } catch {
    return undefined;
  } finally {
    if (fd !== undefined) closeQuietly(fd);
  }
}

function closeQuietly(fd: number): void {
  try {
    closeSync(fd);
  } catch {
    // Nothing left to do with it.
  }
}

/** The path with every character other than an ASCII letter or digit turned into `-`. */
export function dashSlug(path: string): string {
  return path.replace(/[^a-zA-Z0-9]/g, '-');
}

/**
 * A directory name for asylum's own per-project markers: the readable slug,
 * cut short, plus a hash of the exact path so two projects never share one.
 */
export function projectKey(projectDir: string): string {
  const hash = createHash('sha256').update(projectDir).digest('hex').slice(0, 12);
  return `${dashSlug(projectDir).slice(0, 80)}-${hash}`;
}

/** Where asylum marks "a session was started here" for agents that need a marker. */
export function sessionMarkerPath(projectDir: string): string {
  return `asylum-projects/${projectKey(projectDir)}/.has_session`;
}

export function hasSessionMarker(hostConfigDir: string, projectDir: string): boolean {
  return isFile(join(hostConfigDir, sessionMarkerPath(projectDir)));
}
