import {
  closeSync,
  constants,
  fstatSync,
  ftruncateSync,
  lstatSync,
  mkdirSync,
  openSync,
  readlinkSync,
  realpathSync,
  writeSync,
} from 'node:fs';
import { join, relative, sep } from 'node:path';

/**
 * Writes `text` to `root/relativePath` without ever leaving `root`. For
 * directories the container can write (an agent's config dir, the project's
 * known_hosts copy): the agent can plant a symlink there, and a plain write
 * would follow it to `~/.bashrc` on the host. Missing parents are created one
 * at a time, refusing links; the file is opened without following a link, and
 * the opened descriptor is checked to be inside `root` before anything is
 * truncated or written. Returns false (nothing written) when refused.
 */
export function writeInside(root: string, relativePath: string, text: string, mode = 0o600) {
  const parts = relativePath.split('/').filter((part) => part !== '' && part !== '.');
  if (parts.length === 0 || parts.includes('..')) return false;
  let dir = root;
  for (const part of parts.slice(0, -1)) {
    dir = join(dir, part);
    if (!ensurePlainDir(dir)) return false;
  }
  const flags = constants.O_WRONLY | constants.O_CREAT | constants.O_NOFOLLOW;
  let fd: number;
  try {
    fd = openSync(join(dir, parts.at(-1)!), flags | constants.O_NONBLOCK, mode);
  } catch {
    return false; // ELOOP: a link; anything else: not ours to write.
  }
  try {
    if (!fstatSync(fd).isFile() || !openedInside(fd, root)) return false;
    ftruncateSync(fd, 0);
    writeSync(fd, text);
    return true;
  } finally {
    closeSync(fd);
  }
}

/** A directory that exists, or was created, and is not a link. */
function ensurePlainDir(path: string): boolean {
  try {
    mkdirSync(path, { mode: 0o700 });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') return false;
  }
  try {
    return lstatSync(path).isDirectory();
  } catch {
    return false;
  }
}

/** On Linux the descriptor says where it really is; elsewhere the checks above must do. */
function openedInside(fd: number, root: string): boolean {
  let opened: string;
  try {
    opened = readlinkSync(`/proc/self/fd/${fd}`);
  } catch {
    return true;
  }
  const rel = relative(realpathSync(root), opened);
  return rel !== '' && !rel.startsWith(`..${sep}`) && rel !== '..' && !rel.startsWith(sep);
}
