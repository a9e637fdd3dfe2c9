import { x } from 'tinyexec';
import { EngineError } from '../errors.js';

export interface CliResult {
  exitCode: number;
  stdout: string;
  stderr: string;
}

/** The docker CLI binary; `ASYLUM_DOCKER` points elsewhere (podman, a wrapper). */
export function dockerBinary(env: NodeJS.ProcessEnv = process.env): string {
  return env.ASYLUM_DOCKER ?? 'docker';
}

/** A docker CLI call failed; keeps the argv and the tail of stderr. */
export class DockerCliError extends EngineError {
  constructor(
    readonly args: readonly string[],
    readonly result: CliResult,
  ) {
    const tail = result.stderr.trim().split('\n').slice(-3).join('\n');
    super(`docker ${args[0] ?? ''} failed (exit ${result.exitCode}): ${tail}`);
    this.name = 'DockerCliError';
  }
}

/**
 * Runs the docker CLI with an argv array (never a shell string) and captures
 * its output. A missing binary becomes a one-line EngineError.
 */
export async function runDocker(
  args: readonly string[],
  options: { input?: string; timeoutMs?: number } = {},
): Promise<CliResult> {
  const proc = x(dockerBinary(), [...args], {
    throwOnError: false,
    timeout: options.timeoutMs,
    nodeOptions: { stdio: ['pipe', 'pipe', 'pipe'] },
  });
  if (options.input !== undefined) {
    proc.process?.stdin?.end(options.input);
  } else {
    proc.process?.stdin?.end();
  }
  try {
    const result = await proc;
    return { exitCode: result.exitCode ?? 1, stdout: result.stdout, stderr: result.stderr };
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
      throw new EngineError('the docker CLI is not installed (no `docker` on PATH)', {
        hint: 'install Docker (Linux: `apt-get install docker.io`) or set ASYLUM_DOCKER',
      });
    }
    throw error;
  }
}

/** Like runDocker, but a non-zero exit is an error. */
export async function runDockerOk(
  args: readonly string[],
  options: { input?: string; timeoutMs?: number } = {},
): Promise<string> {
  const result = await runDocker(args, options);
  if (result.exitCode !== 0) throw new DockerCliError(args, result);
  return result.stdout;
}
