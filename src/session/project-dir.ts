import { realpathSync } from 'node:fs';
import { resolve } from 'node:path';
import { UserError } from '../errors.js';
import { isInside } from '../host/project-file.js';
import { asylumDir } from '../state/paths.js';

/**
 * The project is the current directory as the user sees it: `$PWD` when it is
 * the same directory as the process cwd (symlinks kept, as the shell shows
 * them), else the cwd.
 */
export function logicalCwd(): string {
  const cwd = process.cwd();
  const pwd = process.env.PWD;
  if (pwd?.startsWith('/')) {
    try {
      if (realpathSync(pwd) === realpathSync(cwd)) return resolve(pwd);
    } catch {
      // $PWD no longer exists: fall back to the real cwd.
    }
  }
  return cwd;
}

/** A HOME that does not exist (yet) cannot contain the project: compare it as written. */
function realpathOr(path: string): string {
  try {
    return realpathSync(path);
  } catch {
    return resolve(path);
  }
}

/**
 * Refuses directories whose mount would defeat the point: `/`, the home
 * directory itself, or anything containing asylum's own state.
 */
export function resolveProjectDir(home: string): string {
  const dir = logicalCwd();
  const realDir = realpathSync(dir);
  const realHome = realpathOr(home);
  if (realDir === '/') throw new UserError('refusing to use / as a project directory');
  if (/[\n\r\0]/.test(dir)) {
    // Line breaks cannot travel through env files or git config values.
    throw new UserError('refusing a project path that contains a line break');
  }
  if (realDir === realHome) {
    throw new UserError('refusing to use your home directory as a project', {
      hint: 'cd into a project directory (asylum mounts the current directory read-write)',
    });
  }
  if (isInside(realHome, realDir) || isInside(asylumDir(realHome), realDir)) {
    throw new UserError(`refusing ${dir}: it contains your home directory or ~/.asylum`);
  }
  return dir;
}
