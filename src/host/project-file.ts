import {
  closeSync,
  constants,
  fstatSync,
  openSync,
  readFileSync,
  readlinkSync,
  realpathSync,
} from 'node:fs';
import { join } from 'node:path';

/** Enough for any config, `.env`, lockfile or pom that a project really has. */
export const PROJECT_FILE_LIMIT = 8 * 1024 * 1024;

export type ProjectFile =
  | { kind: 'absent' }
  | { kind: 'text'; path: string; text: string }
  | { kind: 'refused'; path: string; reason: string };

/**
 * Reads a file inside the project for asylum's own use on the host. The agent
 * can write anything in the project, so the file is refused unless it is a
 * regular file that stays inside the project and is of a sane size: a planted
 * `.env -> ~/.aws/credentials` would carry a host secret into the container, a
 * FIFO would hang asylum and `/dev/zero` would never end.
 */
export function readProjectFile(
  projectDir: string,
  relativePath: string,
  limit = PROJECT_FILE_LIMIT,
): ProjectFile {
  const path = join(projectDir, relativePath);
  const real = resolveReal(path);
  if (real === undefined) return { kind: 'absent' };
  const root = resolveReal(projectDir) ?? projectDir;
  if (!isInside(real, root)) {
    return { kind: 'refused', path, reason: `it leads outside the project, to ${real}` };
  }
  return readBounded(path, real, root, limit);
}

function readBounded(path: string, real: string, root: string, limit: number): ProjectFile {
  let fd: number;
  try {
    // NONBLOCK: opening a FIFO must not wait for a writer.
    fd = openSync(real, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
  } catch (error) {
    return { kind: 'refused', path, reason: reasonOf(error) };
  }
  try {
    const stats = fstatSync(fd);
    if (!stats.isFile()) return { kind: 'refused', path, reason: 'it is not a regular file' };
    if (stats.size > limit) {
      return { kind: 'refused', path, reason: `it is larger than ${limit} bytes` };
    }
    // A parent swapped for a symlink between the check and the open shows here.
    const opened = openedPath(fd);
    if (opened !== undefined && !isInside(opened, root)) {
      return { kind: 'refused', path, reason: `it leads outside the project, to ${opened}` };
    }
    return { kind: 'text', path, text: readFileSync(fd, 'utf8') };
  } finally {
    closeSync(fd);
  }
}

/** The real path, or undefined when nothing is there (a dangling link counts as nothing). */
function resolveReal(path: string): string | undefined {
  try {
    return realpathSync(path);
  } catch {
    return undefined;
  }
}

/** Where an open descriptor really is, on systems with /proc (Linux). */
function openedPath(fd: number): string | undefined {
  try {
    return readlinkSync(`/proc/self/fd/${fd}`);
  } catch {
    return undefined;
  }
}

/** `child` is `parent` or below it (both absolute, normalised). */
export function isInside(child: string, parent: string): boolean {
  return child === parent || child.startsWith(parent.endsWith('/') ? parent : `${parent}/`);
}

function reasonOf(error: unknown): string {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'EACCES') return 'permission denied';
  if (code === 'ELOOP') return 'it is a symbolic link';
  // Opening a socket fails this way.
  if (code === 'ENXIO') return 'it is not a regular file';
  return String((error as Error).message).split(', ')[0]!;
}
