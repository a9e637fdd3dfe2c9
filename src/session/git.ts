import { existsSync, readFileSync, statSync } from 'node:fs';
import { basename, dirname, isAbsolute, join, resolve } from 'node:path';
import { isInside } from '../host/project-file.js';

/**
 * Git metadata outside the project that git inside the container needs: for a
 * worktree, `.git` is a file pointing at `<main repo>/.git/worktrees/<name>`,
 * whose `commondir` names the main `.git`. Read as plain files: running git on
 * the host against the project would execute repo config (core.fsmonitor, ...)
 * that the agent can write.
 */
export function worktreeDirs(projectDir: string): string[] {
  const dotGit = join(projectDir, '.git');
  let text: string;
  try {
    if (!statSync(dotGit).isFile()) return [];
    text = readFileSync(dotGit, 'utf8');
  } catch {
    return [];
  }
  const match = /^gitdir:\s*(.+?)\s*$/m.exec(text);
  if (!match) return [];
  const gitDir = resolveFrom(projectDir, match[1]!);
  // Git never keeps a worktree's gitdir inside the worktree; the agent could.
  if (isInside(gitDir, projectDir) || !pointsBack(gitDir, dotGit)) return [];
  const dirs = [gitDir];
  const common = commonDir(gitDir);
  if (common) dirs.push(common);
  return [...new Set(dirs)].filter((dir) => isDirectory(dir) && !isInside(dir, projectDir));
}

/**
 * The agent can write `.git` and aim it anywhere; asylum would then mount that
 * directory. Git itself writes `<gitdir>/gitdir` naming the worktree's `.git`
 * file, outside the project: only a gitdir that names us back is trusted.
 */
function pointsBack(gitDir: string, dotGit: string): boolean {
  try {
    const back = readFileSync(join(gitDir, 'gitdir'), 'utf8').trim();
    return resolveFrom(gitDir, back) === dotGit;
  } catch {
    return false;
  }
}

/**
 * The main repository's git dir for a worktree entry. The entry is mounted
 * read-write, so its `commondir` file is the agent's to rewrite: only the
 * place git itself uses, `<common>/worktrees/<name>`, is trusted, or a planted
 * `commondir: /home/me` would have the next start mount the home directory.
 */
function commonDir(gitDir: string): string | undefined {
  let text: string;
  try {
    text = readFileSync(join(gitDir, 'commondir'), 'utf8').trim();
  } catch {
    return undefined; // Not a worktree of another repository (a submodule's gitdir, say).
  }
  const common = text ? resolveFrom(gitDir, text) : undefined;
  const layout = basename(dirname(gitDir)) === 'worktrees' && dirname(dirname(gitDir)) === common;
  return layout && common && looksLikeGitDir(common) ? common : undefined;
}

/** Outside the container's writable mounts the agent cannot forge these. */
function looksLikeGitDir(dir: string): boolean {
  return isDirectory(join(dir, 'objects')) && existsSync(join(dir, 'HEAD'));
}

function resolveFrom(base: string, path: string): string {
  return isAbsolute(path) ? resolve(path) : resolve(base, path);
}

function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}
