import { Command, CommanderError, Option } from 'commander';
import type { InitOptions } from '../commands/init.js';
import { suggest } from '../config/suggest.js';
import { ConfigError, ExitError, UserError } from '../errors.js';
import type { ConfigFlags } from '../firstrun/config-choices.js';
import { log } from '../ui/log.js';
import { mark } from '../ui/timing.js';

declare const ASYLUM_VERSION: string;
const VERSION = typeof ASYLUM_VERSION === 'string' ? ASYLUM_VERSION : 'dev';

const SUBCOMMANDS = [
  'shell',
  'run',
  'version',
  'cleanup',
  'bootstrap',
  'approve',
  'inspect',
  'init',
  'config',
];

const collect = (value: string, previous: string[]) => [...previous, value];
const commaList = (value: string) =>
  value
    .split(',')
    .map((item) => item.trim())
    .filter((item) => item !== '');

function globalOptions(program: Command): Command {
  return program
    .option('-a, --agent <name>', 'agent: claude, codex, gemini, copilot, opencode, pi, echo')
    .option(
      '-p, --publish <port>',
      'publish a port: PORT or HOST:CONTAINER (loopback)',
      collect,
      [],
    )
    .option('-v, --volume <spec>', 'mount HOST[:CONTAINER][:ro] (use with care)', collect, [])
    .option('-e, --env <KEY=VALUE>', 'set an environment variable in the container', collect, [])
    .option('--kits <list>', 'comma-separated kits for this run', commaList)
    .option('--agents <list>', 'comma-separated agents to install in the image', commaList)
    .option('--rebuild', 'rebuild the image from scratch', false)
    .option('--continue', "continue the agent's last conversation in this project")
    .addOption(new Option('--resume', 'same as --continue').implies({ continue: true }))
    .addOption(new Option('--debug', 'print what asylum decides and runs').default(false));
}

export type RawFlags = {
  agent?: string;
  publish: string[];
  volume: string[];
  env: string[];
  kits?: string[];
  agents?: string[];
  rebuild: boolean;
  debug: boolean;
  continue?: boolean;
};

export type SessionModeName = 'agent' | 'shell' | 'admin' | 'run';

/**
 * What each command does once its argv is parsed. Loaded lazily, so that
 * `asylum version` costs no more than commander; tests substitute their own.
 */
export interface Actions {
  session(mode: SessionModeName, args: string[], flags: RawFlags): Promise<number>;
  cleanup(options: { all: boolean; yes: boolean }): Promise<number>;
  bootstrap(options: { image: string; suite: string; force: boolean }): Promise<number>;
  approve(options: { yes: boolean }): Promise<number>;
  inspect(options: { json: boolean; flags: RawFlags }): Promise<number>;
  init(options: InitOptions): Promise<number>;
  config(options: ConfigFlags): Promise<number>;
}

export const realActions: Actions = {
  session: async (mode, args, flags) =>
    (await import('../session/run.js')).runSession({ mode, args, flags }),
  cleanup: async (options) => (await import('../commands/cleanup.js')).cleanup(options),
  bootstrap: async (options) => (await import('../commands/bootstrap.js')).bootstrap(options),
  approve: async (options) => (await import('../commands/approve.js')).approve(options),
  inspect: async (options) => (await import('../commands/inspect.js')).inspect(options),
  init: async (options) => (await import('../commands/init.js')).init(options),
  config: async (options) => (await import('../commands/config.js')).configCommand(options),
};

/** Bare words before `--` are almost always a mistyped subcommand. */
function checkAgentArgs(args: string[], argv: readonly string[]): void {
  const dashes = argv.indexOf('--');
  const first = args[0];
  if (first === undefined || (dashes >= 0 && argv.indexOf(first, dashes) > dashes)) return;
  const guess = suggest(first, SUBCOMMANDS);
  throw new UserError(`unexpected argument "${first}"`, {
    hint: guess
      ? `did you mean \`asylum ${guess}\`?`
      : 'use `asylum run <command>` to run a command, or `asylum -- <args>` for the agent',
  });
}

const GLOBAL_FLAGS = new Set([
  '-a',
  '--agent',
  '-p',
  '--publish',
  '-v',
  '--volume',
  '-e',
  '--env',
]);

/** `asylum run -p 3000 -- cmd` would run `-p` in the container: say where the flag goes. */
function checkRunCommand(command: string[]): void {
  const first = command[0] ?? '';
  const flag = first.split('=')[0]!;
  if (!GLOBAL_FLAGS.has(flag) && !/^--(kits|agents|rebuild|debug|continue|resume)\b/.test(first))
    return;
  throw new UserError(`${flag} is an asylum option: put it before \`run\``, {
    hint: `asylum ${command.slice(0, 2).join(' ')} run -- ...`,
    exitCode: 2,
  });
}

function buildProgram(
  argv: readonly string[],
  setExit: (code: number) => void,
  actions: Actions,
): Command {
  const program = globalOptions(new Command('asylum'))
    .description('Run an AI coding agent in a per-project container that holds only the project.')
    .usage('[options] [command] [-- agent args...]')
    .enablePositionalOptions()
    .passThroughOptions()
    .showSuggestionAfterError(true)
    .exitOverride()
    .configureOutput({ outputError: (text, write) => write(`asylum: ${text}`) })
    .argument('[agentArgs...]', 'arguments passed to the agent (after --)')
    .action(async (agentArgs: string[], flags: RawFlags) => {
      checkAgentArgs(agentArgs, argv);
      setExit(await actions.session('agent', agentArgs, flags));
    });

  program
    .command('shell')
    .description('open an interactive zsh in the project container')
    .option('--admin', 'open it as root', false)
    .action(async (options: { admin: boolean }) => {
      setExit(
        await actions.session(options.admin ? 'admin' : 'shell', [], program.opts<RawFlags>()),
      );
    });

  program
    .command('run')
    .description("run one command in the project container; its exit code is asylum's")
    .usage('[--] <command> [args...]')
    .argument('<command...>', 'the command and its arguments')
    .passThroughOptions()
    .allowUnknownOption()
    .addHelpText(
      'after',
      '\nEverything after the command name goes to the command: asylum run ls --help',
    )
    .action(async (command: string[]) => {
      checkRunCommand(command);
      setExit(await actions.session('run', command, program.opts<RawFlags>()));
    });

  program
    .command('version')
    .description('print the version')
    .option('--short', 'print only the number', false)
    .action((options: { short: boolean }) => {
      process.stdout.write(options.short ? `${VERSION}\n` : `asylum ${VERSION}\n`);
    });

  program
    .command('cleanup')
    .description("remove this project's container, volumes, network and data")
    .option('--all', 'remove every asylum container, volume, network and image you made', false)
    .option('-y, --yes', 'do not ask for confirmation', false)
    .action(async (options: { all: boolean; yes: boolean }) => {
      setExit(await actions.cleanup(options));
    });

  program
    .command('bootstrap')
    .description('build the Debian base image locally with debootstrap (needs root)')
    .option('--image <name>', 'tag of the image to create', 'debian:trixie')
    .option('--suite <suite>', 'Debian suite', 'trixie')
    .option('--force', 'rebuild even if the image exists', false)
    .action(async (options: { image: string; suite: string; force: boolean }) => {
      setExit(await actions.bootstrap(options));
    });

  program
    .command('approve')
    .description("approve the settings in this project's .asylum files that widen the sandbox")
    .option('-y, --yes', 'approve without asking (after reviewing the list)', false)
    .action(async (options: { yes: boolean }) => {
      setExit(await actions.approve(options));
    });

  program
    .command('inspect')
    .description("print this project's blast radius: mounts, credentials, network, ports, env")
    .option('--json', 'machine-readable output on stdout', false)
    .action(async (options: { json: boolean }) => {
      setExit(await actions.inspect({ ...options, flags: program.opts<RawFlags>() }));
    });

  program
    .command('init')
    .description('write ~/.asylum/config.yaml: the first-run questions, or flags with --yes')
    .option('--agents <list>', 'agents to install (default: claude)', commaList)
    .option('--agent <name>', 'the agent asylum starts (default: the first of --agents)')
    .option('--kits <list>', 'kits to turn on (default: the default kits; "" for none)', commaList)
    .option('--isolation <mode>', "agents' config: isolated (default), project, shared")
    .option('--credentials <list>', 'kits whose credentials to pass: github, java', commaList)
    .option('-y, --yes', 'ask nothing: flags and defaults', false)
    .option('--force', 'replace an existing file (kept as config.yaml.backup)', false)
    .action(async (options: InitOptions) => {
      setExit(await actions.init(options));
    });

  program
    .command('config')
    .description('change kits, credentials and agent config isolation in ~/.asylum/config.yaml')
    .option('--enable <kits>', 'turn kits on', commaList)
    .option('--disable <kits>', 'turn kits off', commaList)
    .option(
      '--credentials-on <kits>',
      "pass these kits' credentials (credentials: auto)",
      commaList,
    )
    .option('--credentials-off <kits>', "stop passing these kits' credentials", commaList)
    .option('--isolation <mode>', "agents' config: isolated, project, shared")
    .action(async (options: ConfigFlags) => {
      setExit(await actions.config(options));
    });

  program
    .command('help [command]')
    .description('show help for a command')
    .action((name?: string) => {
      const target = program.commands.find((command) => command.name() === name) ?? program;
      target.outputHelp();
    });

  program.version(VERSION, '--version', 'print the version');
  return program;
}

/** File-system failures a user can fix: reported in one line, not as a bug. */
const FS_CODES: Record<string, string> = {
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  EROFS: 'read-only file system',
  ENOSPC: 'no space left on the device',
  EDQUOT: 'disk quota exceeded',
};

function report(error: unknown): number {
  if (error instanceof ExitError) return error.exitCode;
  if (error instanceof CommanderError) {
    // Commander has already printed its message (or the help text).
    return error.exitCode === 0 ? 0 : 2;
  }
  if (error instanceof ConfigError && error.problems.length > 1) {
    log.error('the configuration has problems:');
    for (const problem of error.problems) process.stderr.write(`  ${problem}\n`);
    if (error.hint) log.hint(error.hint);
    return error.exitCode;
  }
  if (error instanceof UserError) {
    log.error(error.message);
    if (error.hint) log.hint(error.hint);
    return error.exitCode;
  }
  const fsError = error as NodeJS.ErrnoException;
  const fsProblem = FS_CODES[fsError?.code ?? ''];
  if (fsProblem) {
    // A write through an open file names no path: say what failed instead.
    const what = fsError.path ? `cannot use ${fsError.path}` : `a file ${fsError.syscall} failed`;
    log.error(`${what}: ${fsProblem}`);
    log.hint('check that it belongs to you (ls -ld) and that the disk has room');
    return 1;
  }
  log.error(`internal error (a bug in asylum ${VERSION}): ${(error as Error)?.stack ?? error}`);
  return 70;
}

/**
 * Parses argv, runs the command and returns the exit code; every failure is
 * reported here (one line for the user's mistakes, a stack only for bugs).
 */
export async function runProgram(
  argv: readonly string[],
  actions: Actions = realActions,
): Promise<number> {
  mark('main');
  let exitCode = 0;
  const program = buildProgram(
    argv,
    (code) => {
      exitCode = code;
    },
    actions,
  );
  try {
    await program.parseAsync([...argv], { from: 'user' });
    return exitCode;
  } catch (error) {
    return report(error);
  }
}
