import { createHash } from 'node:crypto';
import {
  closeSync,
  constants,
  type Dirent,
  fstatSync,
  lstatSync,
  mkdirSync,
  opendirSync,
  openSync,
  readdirSync,
  readSync,
  realpathSync,
} from 'node:fs';
import { join } from 'node:path';

/**
 * Finding the project's package.json dirs. The project is hostile input: the
 * agent can plant symlinks to `/`, a million files or package.json files in odd
 * places. So the walk never follows a symlink, reads a huge directory in
 * batches, and stops after a fixed number of entries; it only looks at names
 * and types, never at file contents.
 */

/** Never worth entering, at any depth: installed packages and git's object store. */
const PRUNED_ANYWHERE = new Set(['node_modules', '.git']);

/** Build outputs and other tools' trees; the project root itself is never pruned. */
const PRUNED_BELOW_ROOT = new Set(['.venv', '__pycache__', 'vendor', 'target', 'dist', '.claude']);

/** Entries read per batch when streaming a huge directory. */
const DIR_BUFFER = 256;

/** Directories larger than this (some 12k entries on ext4) are streamed, not read whole. */
const HUGE_DIR_BYTES = 256 * 1024;

export interface WalkLimits {
  /** Directory entries looked at, in total, before the walk gives up. */
  maxEntries: number;
  /** Package dirs reported at most (each becomes a volume). */
  maxPackageDirs: number;
}

/** A normal repository has a few thousand entries outside node_modules; monorepos ~100k. */
export const DEFAULT_WALK_LIMITS: WalkLimits = { maxEntries: 250_000, maxPackageDirs: 500 };

export interface PackageWalk {
  /** Project-relative dirs holding a package.json (`.` for the root), sorted. */
  dirs: string[];
  /** Package dirs whose `node_modules` exists but is not a directory (a symlink, a file). */
  unusual: string[];
  /** Dirs left out because their name holds control characters. */
  oddNames: string[];
  /** Entries looked at. */
  visited: number;
  /** The entry cap was reached: dirs below the cut were not searched. */
  truncated: boolean;
  /** More package dirs than maxPackageDirs: the rest were dropped. */
  capped: boolean;
}

function relativeChild(parent: string, name: string): string {
  return parent === '.' ? name : `${parent}/${name}`;
}

function isPruned(name: string): boolean {
  return PRUNED_ANYWHERE.has(name) || PRUNED_BELOW_ROOT.has(name);
}

/** Control characters would corrupt the docker argv and the mountpoint list. */
function hasControlCharacter(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code < 0x20 || code === 0x7f) return true;
  }
  return false;
}

interface DirVisit {
  subdirs: string[];
  hasPackage: boolean;
  nodeModules: Dirent | undefined;
  entries: number;
}

function classify(visit: DirVisit, entry: Dirent): void {
  visit.entries += 1;
  // Dirent types come from lstat semantics: a symlink is never a directory here.
  if (entry.name === 'node_modules') visit.nodeModules = entry;
  else if (entry.isDirectory() && !isPruned(entry.name)) visit.subdirs.push(entry.name);
  else if (entry.name === 'package.json' && entry.isFile()) visit.hasPackage = true;
}

/** One call reads the whole directory: twice as fast as streaming, for normal sizes. */
function readWhole(absolute: string, visit: DirVisit, budget: number): void {
  for (const entry of readdirSync(absolute, { withFileTypes: true })) {
    classify(visit, entry);
    if (visit.entries >= budget) return;
  }
}

/** Streams a huge directory so that a million planted files cost no more than the budget. */
function readStreaming(absolute: string, visit: DirVisit, budget: number): void {
  const dir = opendirSync(absolute, { bufferSize: DIR_BUFFER });
  try {
    for (let entry = dir.readSync(); entry !== null; entry = dir.readSync()) {
      classify(visit, entry);
      if (visit.entries >= budget) return;
    }
  } finally {
    dir.closeSync();
  }
}

/** Reads one directory's entries, at most `budget` of them; unreadable dirs count as empty. */
function visitDir(absolute: string, budget: number): DirVisit {
  const visit: DirVisit = { subdirs: [], hasPackage: false, nodeModules: undefined, entries: 0 };
  try {
    // A directory's size grows with its entries (about 20 bytes each on ext4).
    // TODO(asylum): a file system that reports a constant size gets whole reads.
    const huge = lstatSync(absolute).size > HUGE_DIR_BYTES;
    (huge ? readStreaming : readWhole)(absolute, visit, budget);
  } catch {
    // Removed or unreadable mid-walk: keep what was read.
  }
  return visit;
}

/**
 * Walks the project for package.json dirs (depth first, iterative, so a deep
 * chain cannot overflow the stack), within `limits`.
 */
export function walkPackageDirs(
  projectDir: string,
  limits: WalkLimits = DEFAULT_WALK_LIMITS,
): PackageWalk {
  const result: PackageWalk = {
    dirs: [],
    unusual: [],
    oddNames: [],
    visited: 0,
    truncated: false,
    capped: false,
  };
  const stack = ['.'];
  while (stack.length > 0) {
    const budget = limits.maxEntries - result.visited;
    if (budget <= 0) {
      result.truncated = true;
      break;
    }
    const relative = stack.pop()!;
    const visit = visitDir(join(projectDir, relative), budget);
    result.visited += visit.entries;
    if (visit.entries >= budget) result.truncated = true;
    if (visit.hasPackage) recordPackageDir(result, relative, visit.nodeModules);
    for (const name of visit.subdirs) stack.push(relativeChild(relative, name));
  }
  result.dirs.sort(byCodeUnit);
  result.unusual.sort(byCodeUnit);
  if (result.dirs.length > limits.maxPackageDirs) {
    result.dirs = result.dirs.slice(0, limits.maxPackageDirs);
    result.capped = true;
  }
  return result;
}

function recordPackageDir(result: PackageWalk, relative: string, nodeModules?: Dirent): void {
  if (hasControlCharacter(relative)) result.oddNames.push(relative);
  else if (nodeModules && !nodeModules.isDirectory()) result.unusual.push(relative);
  else result.dirs.push(relative);
}

/** Plain code-unit order: the same on every machine, unlike localeCompare. */
function byCodeUnit(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** The project-relative dirs that contain a package.json, sorted (`.` is the root). */
export function findPackageDirs(projectDir: string): string[] {
  return walkPackageDirs(projectDir).dirs;
}

/**
 * Creates `<projectDir>/<relative>` as the calling user when it is missing,
 * so a volume mounted there does not leave a root-owned directory (made by the
 * engine) on the host. Nothing is created when a component of the parent is a
 * symlink: the agent may have swapped one in since the walk.
 */
export function ensureProjectMountpoint(projectDir: string, relative: string): boolean {
  const target = join(projectDir, relative);
  const parent = join(target, '..');
  try {
    if (realpathSync(parent) !== join(realpathSync(projectDir), relative, '..')) return false;
    lstatSync(target);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') return false;
  }
  try {
    // mkdir never follows a symlink planted at the target itself.
    mkdirSync(target, { mode: 0o755 });
    return true;
  } catch {
    return false;
  }
}

/** Read in chunks so a large lockfile never sits in memory whole. */
const HASH_CHUNK = 1024 * 1024;

/**
 * sha256 (hex) of `prefix` followed by a project file's bytes, or undefined when
 * the file is missing, not a regular file, a symlink, or over `maxBytes`. The
 * final component is opened with O_NOFOLLOW and its parent must be inside the
 * project, so a planted symlink never makes asylum read a file elsewhere.
 */
export function hashProjectFile(
  projectDir: string,
  relative: string,
  options: { maxBytes: number; prefix?: string },
): string | undefined {
  const path = join(projectDir, relative);
  try {
    if (realpathSync(join(path, '..')) !== join(realpathSync(projectDir), relative, '..')) {
      return undefined;
    }
  } catch {
    return undefined;
  }
  let fd: number;
  try {
    // O_NONBLOCK: a FIFO planted under the name must not hang asylum.
    fd = openSync(path, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
  } catch {
    return undefined;
  }
  try {
    const stat = fstatSync(fd);
    if (!stat.isFile() || stat.size > options.maxBytes) return undefined;
    return hashOpenFile(fd, options.prefix ?? '', options.maxBytes);
  } catch {
    return undefined;
  } finally {
    closeSync(fd);
  }
}

function hashOpenFile(fd: number, prefix: string, maxBytes: number): string | undefined {
  const hash = createHash('sha256').update(prefix);
  const buffer = Buffer.alloc(HASH_CHUNK);
  let total = 0;
  for (let n = readSync(fd, buffer); n > 0; n = readSync(fd, buffer)) {
    total += n;
    // The file may grow while we read it.
    if (total > maxBytes) return undefined;
    hash.update(buffer.subarray(0, n));
  }
  return hash.digest('hex');
}
