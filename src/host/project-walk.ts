import { type Dirent, readdirSync } from 'node:fs';
import { join } from 'node:path';

/**
 * Directories a project scan never enters: installed dependencies, VCS data
 * and build output. They hold most of a real project's files, and nothing in
 * them is a package of the project itself.
 */
export const PRUNED_DIRS: ReadonlySet<string> = new Set([
  'node_modules',
  '.git',
  '.hg',
  '.svn',
  'dist',
  'vendor',
  'target',
  '.venv',
  '__pycache__',
]);

/**
 * Every directory under `projectDir` (itself included) that holds a
 * `package.json`, sorted. Symlinks are never followed (a link to `/` or back
 * up the tree would make the walk endless), and unreadable directories are
 * skipped: the scan describes what it can see.
 *
 * TODO(asylum): the shadow node_modules work owns the real walk; this is the
 * minimal version the benchmark times until that lands, behind the same name.
 */
export function findPackageDirs(projectDir: string): string[] {
  const found: string[] = [];
  const pending = [projectDir];
  for (let dir = pending.pop(); dir !== undefined; dir = pending.pop()) {
    const entries = readEntries(dir);
    for (const entry of entries) {
      if (entry.isFile() && entry.name === 'package.json') found.push(dir);
      else if (entry.isDirectory() && !PRUNED_DIRS.has(entry.name)) {
        pending.push(join(dir, entry.name));
      }
    }
  }
  return found.sort();
}

function readEntries(dir: string): Dirent[] {
  try {
    return readdirSync(dir, { withFileTypes: true });
  } catch {
    // Gone or unreadable since its parent was listed.
    return [];
  }
}
