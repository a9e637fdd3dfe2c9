import { spawn, spawnSync } from 'node:child_process';

/** The effectful half: runs processes and times them from spawn to exit. */

export interface Command {
  file: string;
  args: readonly string[];
  env?: NodeJS.ProcessEnv;
  cwd?: string;
}

export interface Outcome {
  ms: number;
  code: number;
  stdout: string;
  stderr: string;
}

/** One measured command; image builds (the first start) get `BUILD_TIMEOUT_MS`. */
const TIMEOUT_MS = 120_000;
export const BUILD_TIMEOUT_MS = 1_800_000;

/** Spawns `command` with stdin closed and returns how long it took to exit. */
export function timed(command: Command, timeoutMs = TIMEOUT_MS): Promise<Outcome> {
  return new Promise((resolve, reject) => {
    const started = process.hrtime.bigint();
    const child = spawn(command.file, [...command.args], {
      cwd: command.cwd,
      env: command.env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
    });
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      const ms = Number(process.hrtime.bigint() - started) / 1e6;
      resolve({ ms, code: code ?? (signal ? 128 : 1), stdout, stderr });
    });
  });
}

/** Like `timed`, but a failure stops the benchmark with the command's own words. */
export async function timedOk(command: Command, timeoutMs = TIMEOUT_MS): Promise<number> {
  const outcome = await timed(command, timeoutMs);
  if (outcome.code !== 0) {
    const tail = outcome.stderr.trim().split('\n').slice(-5).join('\n');
    throw new Error(`${command.file} ${command.args.join(' ')} exited ${outcome.code}:\n${tail}`);
  }
  return outcome.ms;
}

/** A short docker CLI call for set-up and clean-up; its output, or '' when it failed. */
export function dockerQuiet(args: readonly string[]): string {
  const result = spawnSync('docker', [...args], { encoding: 'utf8' });
  return result.status === 0 ? result.stdout.trim() : '';
}

export function dockerOrThrow(args: readonly string[]): string {
  const result = spawnSync('docker', [...args], { encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`docker ${args[0]} failed: ${result.stderr.trim()}`);
  return result.stdout.trim();
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Polls `check` until it holds; throws after `timeoutMs`. */
export async function waitUntil(check: () => boolean, timeoutMs: number, what: string) {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(100);
  }
}
