import { Writable } from 'node:stream';
import type { Agent } from '../agents/types.js';
import { execInteractive, execStreams } from '../docker/engine.js';
import { EngineError } from '../errors.js';
import type { ContainerPlan } from '../plan/container.js';
import { IMAGE_PATHS } from '../plan/image.js';
import { mark } from '../ui/timing.js';

export type SessionMode = 'agent' | 'shell' | 'admin' | 'run';

export interface SessionCommand {
  mode: SessionMode;
  args: readonly string[];
  agent: Agent;
  resume: boolean;
  /** The session's lease id: lets asylum find the command inside to signal it. */
  sessionId: string;
}

/** What runs in the container; every session enters through asylum-exec. */
export function sessionArgv(command: SessionCommand): string[] {
  switch (command.mode) {
    case 'run':
      return [IMAGE_PATHS.exec, ...command.args];
    case 'shell':
    case 'admin':
      return [IMAGE_PATHS.exec, 'zsh', '-l'];
    case 'agent':
      return [IMAGE_PATHS.exec, ...command.agent.command(command.args, command.resume)];
    default: {
      const never: never = command.mode;
      throw new Error(`unknown mode ${String(never)}`);
    }
  }
}

function userFor(plan: ContainerPlan, command: SessionCommand): string {
  return command.mode === 'admin' ? 'root' : plan.sessionUser;
}

function cliExecArgs(plan: ContainerPlan, command: SessionCommand, tty: boolean): string[] {
  const args = ['exec', '--interactive'];
  if (tty) args.push('--tty');
  args.push('--user', userFor(plan, command), '--workdir', plan.workdir);
  for (const key of ['TERM', 'COLORTERM']) {
    const value = process.env[key];
    if (tty && value) args.push('--env', `${key}=${value}`);
  }
  return [...args, plan.name, ...sessionArgv(command)];
}

const SIGNAL_CODES = { SIGINT: 130, SIGTERM: 143, SIGHUP: 129 } as const;
/** How long the command gets to exit after a forwarded signal before we stop waiting. */
const SIGNAL_GRACE_MS = 3000;

const discard = new Writable({ write: (_chunk, _encoding, done) => done() });

/** Sends `signal` to the session's command (and its children) inside the container. */
async function forwardSignal(plan: ContainerPlan, command: SessionCommand, signal: string) {
  const name = signal.replace(/^SIG/, '');
  await execStreams(plan.name, {
    cmd: [IMAGE_PATHS.signal, command.sessionId, name],
    user: 'root',
    stdout: discard,
    stderr: discard,
  }).catch(() => {
    // The container may be gone already: then so is the command.
  });
}

/**
 * A non-TTY session over the Engine API with our own stdio. A signal to asylum
 * ends the session: the lease goes with it, and the container winds down
 * (ending the command) once no other session holds it.
 */
async function execPiped(plan: ContainerPlan, command: SessionCommand): Promise<number | null> {
  const abort = new AbortController();
  let signalled: number | undefined;
  const handlers = Object.entries(SIGNAL_CODES).map(([signal, code]) => {
    const handler = () => {
      if (signalled !== undefined) return abort.abort();
      signalled = code;
      void forwardSignal(plan, command, signal);
      setTimeout(() => abort.abort(), SIGNAL_GRACE_MS).unref();
    };
    process.on(signal, handler);
    return () => process.off(signal, handler);
  });
  try {
    mark('handover');
    const code = await execStreams(plan.name, {
      cmd: sessionArgv(command),
      user: userFor(plan, command),
      workdir: plan.workdir,
      env: [`ASYLUM_SESSION=${command.sessionId}`],
      stdin: process.stdin,
      stdout: process.stdout,
      stderr: process.stderr,
      signal: abort.signal,
    });
    return signalled ?? code;
  } catch (error) {
    if (signalled !== undefined) return signalled;
    throw error;
  } finally {
    for (const off of handlers) off();
  }
}

/**
 * Runs the session's command and returns its exit code: a terminal goes to
 * `docker exec -it`, anything else through the Engine API when it is reachable.
 */
export async function execSession(
  plan: ContainerPlan,
  command: SessionCommand,
  tty: boolean,
): Promise<number> {
  if (!tty) {
    const code = await execPiped(plan, command).catch(endedByEngine);
    if (code !== null) return code;
  }
  // TODO(asylum): a terminal session that loses the engine ends with the
  // docker CLI's own message and code; say why, as the piped path does.
  mark('handover');
  return execInteractive(cliExecArgs(plan, command, tty));
}

/**
 * The engine went away mid-session (stopped, restarted, upgraded): say that the
 * session is over and why. The container winds down by itself once our lease
 * stops, so the next run starts afresh.
 */
function endedByEngine(error: unknown): never {
  if (!(error instanceof EngineError)) throw error;
  throw new EngineError(`the session ended because the engine went away: ${error.message}`, {
    hint: error.hint,
    cause: error,
  });
}
