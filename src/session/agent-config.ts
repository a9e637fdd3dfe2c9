/**
 * Where an agent's config dir comes from on the host, and how an isolated or
 * per-project copy is seeded from the user's own (`agents.<name>.config`).
 *
 * A seed copies once, when the dir does not exist yet, and only what an agent
 * needs to work: settings, credentials, instructions. It leaves behind caches,
 * logs and other projects' transcripts (each agent names them in `seedSkip`),
 * big files, sockets and FIFOs. Symlinks are followed; anything that cannot be
 * copied (dangling, cyclic, unreadable, vanished) is skipped with a warning.
 * The copy is built under `<dir>.tmp-<pid>` and renamed into place, so an
 * interrupted seed never leaves a half-filled dir behind.
 */
import {
  closeSync,
  constants,
  fchmodSync,
  fstatSync,
  lchownSync,
  lstatSync,
  mkdirSync,
  openSync,
  readdirSync,
  readSync,
  realpathSync,
  renameSync,
  rmSync,
  type Stats,
  statSync,
  writeSync,
} from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { findAgent } from '../agents/index.js';
import type { Agent, SeedExtra } from '../agents/types.js';
import type { AgentConfigMode, AgentOptions } from '../config/types.js';
import { UserError } from '../errors.js';
import { writeInside } from '../host/contained-write.js';

/** Files bigger than this are left out of a seed. */
export const SEED_FILE_LIMIT = 5 * 1024 * 1024;
/** How many individual notes and warnings a report lists before summing up the rest. */
const LIST_LIMIT = 10;
/** Deeper trees than this are cut: no agent config nests this far on purpose. */
const MAX_DEPTH = 64;

export interface AgentConfigRequest {
  home: string;
  /** `~/.asylum`. */
  asylumDir: string;
  /** `~/.asylum/projects/<container>`. */
  projectDataDir: string;
  /** The project, to keep its own entries when seeding. */
  projectDir: string;
  agent: Agent;
  /** `agents.<name>.config`; unset means isolated. */
  mode?: AgentConfigMode | undefined;
}

export interface AgentConfigDir {
  /** The host dir to mount at `<home>/<agent.configDir>`. */
  hostDir: string;
  mode: AgentConfigMode;
  /** Created (and seeded) by this call: there is no earlier session to resume. */
  fresh: boolean;
  /** Lines for the user: what was created or copied. */
  report: string[];
  /** What could not be copied, one line each. */
  warnings: string[];
}

export interface SeedOptions {
  /** Size bound per file; SEED_FILE_LIMIT unless a test says otherwise. */
  fileLimit?: number;
  /** Called before each file is copied, with its path relative to the seeded dir. */
  beforeFile?(relativePath: string): void;
}

/** The mode in effect for an agent: its `config` option, isolated when unset. */
export function agentConfigMode(
  agents: Record<string, AgentOptions | null> | undefined,
  name: string,
): AgentConfigMode {
  return agents?.[name]?.config ?? 'isolated';
}

/** The host dir for the agent in the mode, without touching the disk. */
export function agentConfigPath(request: AgentConfigRequest): string | undefined {
  const { agent } = request;
  if (!agent.configDir) return undefined;
  switch (request.mode ?? 'isolated') {
    case 'isolated':
      return join(request.asylumDir, 'agents', agent.name);
    case 'project':
      return join(request.projectDataDir, `${agent.name}-config`);
    case 'shared':
      return join(request.home, agent.configDir);
  }
}

/**
 * Makes sure the agent's host config dir exists and returns it: the native dir
 * for `shared` (symlinks resolved, so the bind mount gets a real dir), else a
 * copy seeded from it on first use. Undefined for agents without a config dir.
 */
export function resolveAgentConfigDir(
  request: AgentConfigRequest,
  options: SeedOptions = {},
): AgentConfigDir | undefined {
  const path = agentConfigPath(request);
  if (path === undefined) return undefined;
  const mode = request.mode ?? 'isolated';
  const result: AgentConfigDir = { hostDir: path, mode, fresh: false, report: [], warnings: [] };
  if (mode === 'shared') return resolveShared(request, result);
  if (existingDir(path, request.home)) return { ...result, hostDir: realpathSync(path) };
  const seeded = seedConfigDir(request, path, options);
  return { ...result, ...seeded };
}

/** Whether `path` is a directory; an error when something else is in the way. */
function existingDir(path: string, home: string): boolean {
  let stats: Stats;
  try {
    stats = lstatSync(path);
  } catch {
    return false;
  }
  if (stats.isDirectory()) return true;
  if (stats.isSymbolicLink() && isDirectory(path)) return true;
  const what = stats.isSymbolicLink() ? 'a symlink to no directory' : 'not a directory';
  throw new UserError(`${tilde(path, home)} is ${what}; asylum needs a directory there`, {
    hint: 'point it at a directory, or move it aside',
  });
}

function resolveShared(request: AgentConfigRequest, result: AgentConfigDir): AgentConfigDir {
  const { hostDir } = result;
  if (existingDir(hostDir, request.home)) return { ...result, hostDir: realpathSync(hostDir) };
  try {
    mkdirSync(hostDir, { recursive: true, mode: 0o700 });
  } catch (error) {
    throw new UserError(`cannot create ${tilde(hostDir, request.home)}: ${reason(error)}`, {
      cause: error,
    });
  }
  const report = [`created ${tilde(hostDir, request.home)} (shared with the host)`];
  return { ...result, fresh: true, report };
}

// ---------------------------------------------------------------------------
// Seeding

interface SeedWalk {
  skip: RegExp[];
  keep: readonly string[];
  limit: number;
  beforeFile: ((relativePath: string) => void) | undefined;
  /** dev:ino of the directories on the current path, to spot symlink cycles. */
  ancestors: Set<string>;
  files: number;
  bytes: number;
  listed: number;
  large: string[];
  warnings: string[];
}

function seedConfigDir(
  request: AgentConfigRequest,
  hostDir: string,
  options: SeedOptions,
): Pick<AgentConfigDir, 'fresh' | 'report' | 'warnings'> {
  const { agent, projectDir } = request;
  const walk: SeedWalk = {
    skip: agent.seedSkip.map(globToRegExp),
    keep: agent.seedKeep?.(projectDir) ?? [],
    limit: options.fileLimit ?? SEED_FILE_LIMIT,
    beforeFile: options.beforeFile,
    ancestors: new Set(),
    files: 0,
    bytes: 0,
    listed: 0,
    large: [],
    warnings: [],
  };
  const temp = makeTemp(hostDir, request.home);
  let sources: string[];
  try {
    sources = fillSeed(request, temp, walk);
    renameSync(temp, hostDir);
  } catch (error) {
    rmSync(temp, { recursive: true, force: true });
    // Another asylum seeded it first: theirs is as good as ours.
    if (isDirectory(hostDir)) return { fresh: false, report: [], warnings: [] };
    throw error;
  }
  const report = seedReport(request, hostDir, sources, walk);
  return { fresh: true, report, warnings: capList(walk.warnings) };
}

/** An empty `<dir>.tmp-<pid>` next to `hostDir`, after clearing those of dead seeds. */
function makeTemp(hostDir: string, home: string): string {
  const temp = `${hostDir}.tmp-${process.pid}`;
  try {
    mkdirSync(dirname(hostDir), { recursive: true, mode: 0o700 });
    removeStaleTemps(hostDir);
    rmSync(temp, { recursive: true, force: true });
    mkdirSync(temp, { mode: 0o700 });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code !== 'EACCES' && code !== 'EPERM') throw error;
    const parent = dirname(hostDir);
    const owner = `${process.getuid?.() ?? 0}:${process.getgid?.() ?? 0}`;
    throw new UserError(`cannot write in ${tilde(parent, home)}: permission denied`, {
      hint: `sudo chown -R ${owner} ${shell(parent)}`,
      cause: error,
    });
  }
  return temp;
}

/** Copies the native dir and the agent's extras into `target`; returns what was found. */
function fillSeed(request: AgentConfigRequest, target: string, walk: SeedWalk): string[] {
  const { agent, home, projectDir } = request;
  const sources: string[] = [];
  const native = join(home, agent.configDir!);
  if (isDirectory(native)) {
    sources.push(native);
    walk.ancestors.add(identity(statSync(native)));
    copyTree(native, target, '', walk);
    walk.ancestors.clear();
  }
  for (const extra of agent.seedExtras ?? []) {
    if (copyExtra(extra, home, projectDir, target, walk)) sources.push(join(home, extra.from));
  }
  return sources;
}

function copyExtra(
  extra: SeedExtra,
  home: string,
  projectDir: string,
  target: string,
  walk: SeedWalk,
): boolean {
  const source = join(home, extra.from);
  let stats: Stats;
  try {
    stats = statSync(source);
  } catch {
    return false;
  }
  const destination = join(target, extra.to);
  // The native dir brought its own copy: that one wins.
  if (isPresent(destination)) return false;
  mkdirSync(dirname(destination), { recursive: true, mode: 0o700 });
  if (stats.isDirectory()) {
    mkdirSync(destination, { mode: 0o700 });
    walk.ancestors.add(identity(stats));
    copyTree(source, destination, extra.to, walk);
    walk.ancestors.clear();
    return true;
  }
  const transform = extra.transform && ((text: string) => extra.transform!(text, projectDir));
  return copyFile(source, destination, extra.to, walk, transform);
}

function copyTree(source: string, target: string, relative: string, walk: SeedWalk): void {
  let names: string[];
  try {
    names = readdirSync(source).sort();
  } catch (error) {
    walk.warnings.push(`skipped ${relative || '.'}: cannot list it (${reason(error)})`);
    return;
  }
  for (const name of names) {
    const path = relative === '' ? name : `${relative}/${name}`;
    if (skipped(path, walk)) {
      walk.listed += 1;
      continue;
    }
    copyEntry(join(source, name), join(target, name), path, walk);
  }
}

/** Skip-listed, unless it is (or leads to) one of the project's own entries. */
function skipped(path: string, walk: SeedWalk): boolean {
  if (walk.keep.some((keep) => path === keep || path.startsWith(`${keep}/`))) return false;
  const segments = path.split('/');
  const prefixes = segments.map((_, index) => segments.slice(0, index + 1).join('/'));
  if (!walk.skip.some((pattern) => prefixes.some((prefix) => pattern.test(prefix)))) return false;
  return !walk.keep.some((keep) => keep.startsWith(`${path}/`));
}

function copyEntry(source: string, target: string, relative: string, walk: SeedWalk): void {
  let stats: Stats;
  try {
    stats = statSync(source);
  } catch (error) {
    walk.warnings.push(`skipped ${relative}: ${unreachable(source, error)}`);
    return;
  }
  if (stats.isDirectory()) {
    copyDirectory(source, target, relative, stats, walk);
  } else if (stats.isFile()) {
    copyFile(source, target, relative, walk);
  } else {
    walk.warnings.push(`skipped ${relative}: ${kindOf(stats)}, not a regular file`);
  }
}

function copyDirectory(
  source: string,
  target: string,
  relative: string,
  stats: Stats,
  walk: SeedWalk,
): void {
  const id = identity(stats);
  if (walk.ancestors.has(id)) {
    walk.warnings.push(`skipped ${relative}: symlink cycle (leads back to a parent)`);
    return;
  }
  if (walk.ancestors.size >= MAX_DEPTH) {
    walk.warnings.push(`skipped ${relative}: nested deeper than ${MAX_DEPTH} levels`);
    return;
  }
  mkdirSync(target, { mode: 0o700 });
  walk.ancestors.add(id);
  copyTree(source, target, relative, walk);
  walk.ancestors.delete(id);
}

/**
 * Copies one regular file, keeping its permission bits. Opened without
 * blocking and checked again once open, so a file swapped for a FIFO after
 * the walk looked at it cannot hang the seed.
 */
/**
 * Copies one regular file, keeping its permission bits. It is opened without
 * blocking and checked again once open, so a file swapped for a FIFO after
 * the walk looked at it cannot hang the seed.
 */
function copyFile(
  source: string,
  target: string,
  relative: string,
  walk: SeedWalk,
  transform?: (text: string) => string,
): boolean {
  const read = readSource(source, relative, walk);
  if (read === undefined) return false;
  const data = transform ? Buffer.from(transform(read.content.toString('utf8'))) : read.content;
  // Errors on our side (a full disk) are not skipped: they abort the seed.
  writeCopy(target, data, read.mode & 0o777);
  walk.files += 1;
  walk.bytes += data.length;
  return true;
}

/** A regular file's content and mode, or undefined (with a warning or a note) when left out. */
function readSource(
  source: string,
  relative: string,
  walk: SeedWalk,
): { content: Buffer; mode: number } | undefined {
  let input: number;
  try {
    input = openSync(source, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch (error) {
    walk.warnings.push(`skipped ${relative}: ${unreachable(source, error)}`);
    return undefined;
  }
  try {
    const stats = fstatSync(input);
    if (!stats.isFile()) {
      walk.warnings.push(`skipped ${relative}: ${kindOf(stats)}, not a regular file`);
      return undefined;
    }
    if (stats.size > walk.limit) {
      walk.large.push(`${relative} (${formatSize(stats.size)})`);
      return undefined;
    }
    walk.beforeFile?.(relative);
    const content = readAll(input, walk.limit);
    if (content === undefined) walk.large.push(`${relative} (grew while copying)`);
    return content && { content, mode: stats.mode };
  } catch (error) {
    if (!isIoError(error)) throw error;
    walk.warnings.push(`skipped ${relative}: ${reason(error)}`);
    return undefined;
  } finally {
    closeSync(input);
  }
}

/** The whole file, or undefined once it is past `limit`. */
function readAll(fd: number, limit: number): Buffer | undefined {
  const chunks: Buffer[] = [];
  let total = 0;
  for (;;) {
    const chunk = Buffer.alloc(Math.min(1024 * 1024, limit + 1));
    const length = readSync(fd, chunk, 0, chunk.length, null);
    if (length === 0) return Buffer.concat(chunks, total);
    total += length;
    if (total > limit) return undefined;
    chunks.push(chunk.subarray(0, length));
  }
}

function writeCopy(target: string, data: Buffer, mode: number): void {
  const output = openSync(target, 'wx', 0o600);
  try {
    let written = 0;
    while (written < data.length) written += writeSync(output, data, written);
    fchmodSync(output, mode);
  } finally {
    closeSync(output);
  }
}

function seedReport(
  request: AgentConfigRequest,
  hostDir: string,
  sources: string[],
  walk: SeedWalk,
): string[] {
  const { home, agent } = request;
  const where = tilde(hostDir, home);
  if (sources.length === 0) {
    const native = tilde(join(home, agent.configDir!), home);
    return [`created ${where} empty: nothing to copy from the host (no ${native})`];
  }
  const from = sources.map((source) => tilde(source, home)).join(' and ');
  const skips: string[] = [];
  if (walk.listed > 0) skips.push(`${walk.listed} caches, logs or other sessions`);
  if (walk.large.length > 0) {
    const noun = walk.large.length === 1 ? 'file' : 'files';
    skips.push(`${walk.large.length} ${noun} over ${formatSize(walk.limit)}`);
  }
  const skipped = skips.length > 0 ? ` (skipped: ${skips.join(', ')})` : '';
  const files = walk.files === 1 ? '1 file' : `${walk.files} files`;
  const lines = [`seeded ${where} from ${from}: ${files}, ${formatSize(walk.bytes)}${skipped}`];
  lines.push(...capList(walk.large).map((line) => `  left out ${line}`));
  return lines;
}

function capList(lines: readonly string[]): string[] {
  if (lines.length <= LIST_LIMIT) return [...lines];
  return [...lines.slice(0, LIST_LIMIT), `and ${lines.length - LIST_LIMIT} more`];
}

/** Temp dirs of seeds whose process is gone (killed mid-copy). */
function removeStaleTemps(hostDir: string): void {
  const prefix = `${basename(hostDir)}.tmp-`;
  let names: string[];
  try {
    names = readdirSync(dirname(hostDir));
  } catch {
    return;
  }
  for (const name of names) {
    if (!name.startsWith(prefix)) continue;
    const pid = Number(name.slice(prefix.length));
    if (!Number.isInteger(pid) || pid === process.pid || processAlive(pid)) continue;
    rmSync(join(dirname(hostDir), name), { recursive: true, force: true });
  }
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

// ---------------------------------------------------------------------------
// Ownership

export type WritableCheck =
  | { ok: true; fixed: number }
  | { ok: false; path: string; command: string };

/**
 * Checks that `dir` and everything in it belong to `uid`, as they must for
 * the container user to write there (they may not after the host user's uid
 * changed). Running as root, it hands them over instead; otherwise it returns
 * the command that does. Symlinks are not followed.
 */
export function checkWritable(
  dir: string,
  uid: number,
  gid: number,
  options: { fix?: boolean } = {},
): WritableCheck {
  const fix = options.fix ?? process.getuid?.() === 0;
  const foreign = foreignEntries(dir, uid, fix ? Number.POSITIVE_INFINITY : 1);
  if (foreign.length === 0) return { ok: true, fixed: 0 };
  if (!fix) {
    return { ok: false, path: foreign[0]!, command: `sudo chown -R ${uid}:${gid} ${shell(dir)}` };
  }
  for (const path of foreign) lchownSync(path, uid, gid);
  return { ok: true, fixed: foreign.length };
}

/** Paths under `dir` (itself included) not owned by `uid`, up to `limit` of them. */
function foreignEntries(dir: string, uid: number, limit: number): string[] {
  const found: string[] = [];
  const visit = (path: string): void => {
    if (found.length >= limit) return;
    let stats: Stats;
    try {
      stats = lstatSync(path);
    } catch {
      return;
    }
    if (stats.uid !== uid) found.push(path);
    if (!stats.isDirectory()) return;
    let names: string[] = [];
    try {
      names = readdirSync(path);
    } catch {
      // Unreadable: its owner was checked above, which is what matters.
    }
    for (const name of names) visit(join(path, name));
  };
  visit(dir);
  return found;
}

// ---------------------------------------------------------------------------
// Companions and session markers

export interface CompanionsRequest extends Omit<AgentConfigRequest, 'agent' | 'mode'> {
  /** The agent the session runs; its `companions` are resolved. */
  primary: Agent;
  /** The merged `agents:` map of the config. */
  agents: Record<string, AgentOptions | null> | undefined;
}

export interface CompanionConfigDir extends AgentConfigDir {
  agent: Agent;
}

/**
 * The config dirs of the primary agent's companions, each in its own mode and
 * seeded like the primary's. Unknown names are warnings, not errors: the
 * session can run without them.
 */
export function resolveCompanions(
  request: CompanionsRequest,
  options: SeedOptions = {},
): { dirs: CompanionConfigDir[]; warnings: string[] } {
  const names = [...new Set(request.agents?.[request.primary.name]?.companions ?? [])];
  const dirs: CompanionConfigDir[] = [];
  const warnings: string[] = [];
  for (const name of names) {
    const agent = findAgent(name);
    if (!agent) {
      warnings.push(`agents.${request.primary.name}.companions: unknown agent "${name}"`);
      continue;
    }
    if (agent.name === request.primary.name) continue;
    const mode = agentConfigMode(request.agents, name);
    const dir = resolveAgentConfigDir({ ...request, agent, mode }, options);
    if (dir) dirs.push({ ...dir, agent });
  }
  return { dirs, warnings };
}

/**
 * Records that a session of `agent` started in the project, for agents that
 * need asylum's marker to tell later whether there is something to resume.
 */
export function markSession(hostDir: string, agent: Agent, projectDir: string): void {
  const marker = agent.sessionMarker?.(projectDir);
  if (marker === undefined) return;
  // The dir is the container's to write: a planted link must not lead the write out.
  writeInside(hostDir, marker, `${new Date().toISOString()}\n`);
}

// ---------------------------------------------------------------------------
// Helpers

/**
 * A `seedSkip` glob as a regular expression over a `/`-separated relative
 * path: `*` and `?` stay within a segment, `**` spans segments.
 */
export function globToRegExp(glob: string): RegExp {
  let source = '';
  for (let index = 0; index < glob.length; index++) {
    const char = glob[index]!;
    if (char === '*' && glob[index + 1] === '*') {
      index += 1;
      if (glob[index + 1] === '/') {
        index += 1;
        source += '(?:.*/)?';
      } else {
        source += '.*';
      }
    } else if (char === '*') {
      source += '[^/]*';
    } else if (char === '?') {
      source += '[^/]';
    } else {
      source += char.replace(/[.+^${}()|[\]\\]/g, '\\$&');
    }
  }
  return new RegExp(`^${source}$`);
}

function isPresent(path: string): boolean {
  try {
    lstatSync(path);
    return true;
  } catch {
    return false;
  }
}

function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

function identity(stats: Stats): string {
  return `${stats.dev}:${stats.ino}`;
}

function kindOf(stats: Stats): string {
  if (stats.isFIFO()) return 'a FIFO';
  if (stats.isSocket()) return 'a socket';
  if (stats.isCharacterDevice() || stats.isBlockDevice()) return 'a device';
  return 'not a file';
}

/** Why `statSync(source)` failed, in words. */
function unreachable(source: string, error: unknown): string {
  const code = (error as NodeJS.ErrnoException).code;
  let link = false;
  try {
    link = lstatSync(source).isSymbolicLink();
  } catch {
    // Gone altogether.
  }
  if (code === 'ELOOP') return 'symlink cycle';
  if (link && code === 'ENOENT') return 'dangling symlink';
  if (code === 'ENOENT') return 'vanished while copying';
  if (code === 'EACCES' || code === 'EPERM') return 'unreadable (permission denied)';
  return reason(error);
}

function isIoError(error: unknown): boolean {
  return error instanceof Error && typeof (error as NodeJS.ErrnoException).code === 'string';
}

function reason(error: unknown): string {
  const code = (error as NodeJS.ErrnoException).code;
  if (typeof code === 'string') return code;
  return error instanceof Error ? error.message : String(error);
}

export function formatSize(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  const units = ['KiB', 'MiB', 'GiB'];
  let value = bytes / 1024;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  const shown = value < 10 && !Number.isInteger(value) ? value.toFixed(1) : Math.round(value);
  return `${shown} ${units[unit]}`;
}

function tilde(path: string, home: string): string {
  if (path === home) return '~';
  return path.startsWith(`${home}/`) ? `~/${path.slice(home.length + 1)}` : path;
}

/** A path as one shell word. */
function shell(path: string): string {
  return /^[\w@%+=:,./-]+$/.test(path) ? path : `'${path.replaceAll("'", "'\\''")}'`;
}
