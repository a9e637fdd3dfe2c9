import { type ChildProcess, execFileSync, spawn, spawnSync } from 'node:child_process';
import { chownSync, existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { inject } from 'vitest';

export interface HarnessContext {
  engine: boolean;
  runDir: string;
  /** A copy of dist/asylum.js every test user can read. */
  cli: string;
  tester: { name: string; uid: number; gid: number; viaSetpriv: boolean };
  /** Label value (`asylum.test`) on every object this run creates. */
  scope: string;
}

declare module 'vitest' {
  export interface ProvidedContext {
    asylum: HarnessContext;
  }
}

export const ctx: HarnessContext = inject('asylum');

export type Role = 'tester' | 'root';

export interface RunOptions {
  cwd: string;
  as?: Role;
  env?: Record<string, string>;
  input?: string;
  timeoutMs?: number;
  home?: string;
  /** Another Node script to run the same way instead of the CLI (the bench bundle). */
  script?: string;
}

export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

function owner(as: Role) {
  return as === 'root' ? { uid: 0, gid: 0 } : ctx.tester;
}

/** A directory owned by the role's user, under this run's temp dir. */
export function makeDir(path: string, as: Role = 'tester'): string {
  mkdirSync(path, { recursive: true, mode: 0o755 });
  const { uid, gid } = owner(as);
  if (process.getuid?.() === 0) chownSync(path, uid, gid);
  return path;
}

/** Writes a file owned by the role's user (tests run as root, the CLI often does not). */
export function writeOwned(path: string, text: string, mode = 0o644, as: Role = 'tester'): void {
  writeFileSync(path, text, { mode });
  const { uid, gid } = owner(as);
  if (process.getuid?.() === 0) chownSync(path, uid, gid);
}

/** The fake HOME of a role; shared across tests so images are reused. */
export function homeOf(as: Role = 'tester'): string {
  return makeDir(join(ctx.runDir, 'homes', as), as);
}

let projectCount = 0;
export function makeProject(name: string, as: Role = 'tester'): string {
  projectCount += 1;
  const parent = makeDir(join(ctx.runDir, 'projects', `${process.pid}-${projectCount}`), as);
  return makeDir(join(parent, name), as);
}

/** The environment travels through spawn, not argv, so tests can scan argv for secrets. */
function commandFor(as: Role, args: readonly string[], script = ctx.cli) {
  const node = process.execPath;
  if (as === 'tester' && ctx.tester.viaSetpriv) {
    const { uid, gid } = ctx.tester;
    const priv = [`--reuid=${uid}`, `--regid=${gid}`, '--init-groups'];
    return { file: 'setpriv', args: [...priv, node, script, ...args] };
  }
  return { file: node, args: [script, ...args] };
}

function baseEnv(options: RunOptions): Record<string, string> {
  const as = options.as ?? 'tester';
  return {
    HOME: options.home ?? homeOf(as),
    PWD: options.cwd,
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    ASYLUM_TEST_SCOPE: ctx.scope,
    NO_COLOR: '1',
    ...options.env,
  };
}

/** Starts the real CLI as a role; the caller owns the child. */
export function startAsylum(args: readonly string[], options: RunOptions): ChildProcess {
  const command = commandFor(options.as ?? 'tester', args, options.script);
  return spawn(command.file, command.args, {
    cwd: options.cwd,
    env: baseEnv(options),
    stdio: ['pipe', 'pipe', 'pipe'],
  });
}

/** Runs the real CLI to completion and captures its output. */
export function runAsylum(args: readonly string[], options: RunOptions): Promise<RunResult> {
  const child = startAsylum(args, options);
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    stdout += chunk.toString();
  });
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  child.stdin?.end(options.input ?? '');
  const timeout = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 600_000);
  return new Promise((resolve) => {
    child.on('close', (code, signal) => {
      clearTimeout(timeout);
      resolve({ code: code ?? (signal ? 128 : 1), stdout, stderr });
    });
  });
}

export function docker(args: readonly string[]): string {
  return execFileSync('docker', [...args], { encoding: 'utf8' }).trim();
}

export function dockerOk(args: readonly string[]): boolean {
  return spawnSync('docker', [...args], { stdio: 'ignore' }).status === 0;
}

/** IDs of running containers of a project (by asylum's container label). */
export function projectContainers(name: string): string[] {
  const out = docker(['ps', '-q', '--filter', `label=asylum.container=${name}`]);
  return out.split('\n').filter(Boolean);
}

/**
 * How long a first start may take: it can include an image build, and on a
 * 2-core machine the engine tiers' files run side by side.
 */
export const FIRST_START_MS = 480_000;

export async function waitFor(
  check: () => boolean,
  timeoutMs: number,
  intervalMs = 200,
): Promise<number> {
  const started = Date.now();
  while (Date.now() - started < timeoutMs) {
    if (check()) return Date.now() - started;
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
  throw new Error(`condition not met within ${timeoutMs} ms`);
}

/**
 * A shell command line that starts asylum as the test user (for tmux sessions).
 * The first-run wizard is off unless asked for: the shared homes have no global
 * config, and on a terminal a session would otherwise start with its questions.
 */
export function asylumCommand(
  project: string,
  args: string,
  options: { home?: string; wizard?: boolean } = {},
): string {
  const vars = {
    HOME: options.home ?? homeOf(),
    PWD: project,
    ASYLUM_TEST_SCOPE: ctx.scope,
    ASYLUM_NO_WIZARD: options.wizard ? '0' : '1',
  };
  const env = Object.entries(vars)
    .map(([key, value]) => `${key}='${value}'`)
    .join(' ');
  const user = ctx.tester.viaSetpriv
    ? `setpriv --reuid=${ctx.tester.uid} --regid=${ctx.tester.gid} --init-groups `
    : '';
  return `cd '${project}' && env ${env} ${user}${process.execPath} ${ctx.cli} ${args}`;
}

export const hasTmux = spawnSync('tmux', ['-V']).status === 0;

/** Drives tmux (sessions, send-keys, capture-pane) for the terminal tests. */
export function tmux(...args: string[]): string {
  return execFileSync('tmux', args, { encoding: 'utf8' });
}

export const describeEngine = ctx.engine ? 'run' : 'skip';

export { existsSync };
