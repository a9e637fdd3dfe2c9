/**
 * The command line as a whole: argv goes through commander and asylum's own
 * checks, and the user gets an exit code and a line, never a stack. Actions
 * are stand-ins that stop where a real session would first touch the engine.
 */
import fc from 'fast-check';
import { afterEach, beforeEach, describe, expect, it, test, vi } from 'vitest';
import { mergeLayers } from '../config/merge.js';
import { selectRun } from '../plan/selection.js';
import { flagsLayer } from '../session/flags.js';
import { type Actions, runProgram } from './program.js';

let output: string;
let calls: string[];

/** Everything before the engine: flags become a config layer, names are resolved. */
const actions: Actions = {
  session: async (mode, args, flags) => {
    const layer = flagsLayer(flags, '/home/dev');
    selectRun([layer], mergeLayers([layer.config]), flags);
    calls.push(`${mode} ${args.join(' ')}`.trim());
    return 0;
  },
  cleanup: async () => record('cleanup'),
  bootstrap: async () => record('bootstrap'),
  approve: async () => record('approve'),
  inspect: async () => record('inspect'),
  init: async () => record('init'),
  config: async () => record('config'),
};

function record(name: string): number {
  calls.push(name);
  return 0;
}

beforeEach(() => {
  output = '';
  calls = [];
  const capture = (chunk: string | Uint8Array) => {
    output += chunk.toString();
    return true;
  };
  vi.spyOn(process.stdout, 'write').mockImplementation(capture);
  vi.spyOn(process.stderr, 'write').mockImplementation(capture);
});

afterEach(() => {
  vi.restoreAllMocks();
});

describe('runProgram', () => {
  it.each<[string, string[], number, string | RegExp]>([
    ['an unknown flag, with a suggestion', ['--rebuidl', 'run', 'true'], 2, '--rebuild'],
    ['a mistyped subcommand', ['shel'], 1, 'did you mean `asylum shell`?'],
    ['a global flag after run', ['run', '-p', '3000', '--', 'x'], 2, 'put it before `run`'],
    ['a port that is not a number', ['-p', 'abc', 'run', 'true'], 2, '-p "abc"'],
    ['a port out of range', ['-p', '70000', 'run', 'true'], 2, '-p "70000"'],
    ['a mapping with too many parts', ['-p', '80:80:80', 'run', 'true'], 2, '-p "80:80:80"'],
    ['a relative volume', ['-v', 'data:/data', 'run', 'true'], 2, 'must be absolute'],
    ['an unknown mount option', ['-v', '/a:/b:bogus', 'run', 'true'], 2, 'mount option "bogus"'],
    ['an env value with a newline', ['-e', 'A=x\ny', 'run', 'true'], 2, 'contains a newline'],
    ['an unknown kit', ['--kits', 'pyton', 'run', 'true'], 2, 'did you mean "python"?'],
    ['an unknown agent', ['--agents', 'cdex', 'run', 'true'], 2, 'did you mean "codex"?'],
    ['a missing flag value', ['run', 'true', '-p'], 0, ''],
    ['a flag without its value', ['-p'], 2, 'argument missing'],
  ])('%s', async (_name, argv, code, message) => {
    expect(await runProgram(argv, actions)).toBe(code);
    expect(output).toMatch(message);
    expect(output).not.toContain('internal error');
  });

  it('reports every bad flag value at once, one line each', async () => {
    expect(await runProgram(['-p', 'abc', '-v', 'rel:/x', 'run', 'true'], actions)).toBe(2);
    expect(output).toContain('the configuration has problems:');
    expect(output.split('\n').filter((line) => line.startsWith('  -'))).toHaveLength(2);
  });

  it('hands valid flags to the session', async () => {
    const argv = ['-a', 'echo', '-p', '3000', '-e', 'A=1', '--kits', 'node', 'run', 'ls', '-l'];
    expect(await runProgram(argv, actions)).toBe(0);
    expect(calls).toEqual(['run ls -l']);
  });
});

/** Words a user types, right and wrong, so random argv reaches every branch. */
const token = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom('-a', '--agent', '-p', '--publish', '-v', '--volume') },
  { weight: 3, arbitrary: fc.constantFrom('-e', '--env', '--kits', '--agents', '--', '-h') },
  {
    weight: 3,
    arbitrary: fc.constantFrom('run', 'shell', '--admin', 'inspect', '--json', 'version', 'help'),
  },
  { weight: 2, arbitrary: fc.constantFrom('approve', 'cleanup', 'bootstrap', '--yes', '--all') },
  {
    weight: 2,
    arbitrary: fc.constantFrom('--rebuild', '--debug', '--continue', '--resume', '--rebuidl'),
  },
  {
    weight: 4,
    arbitrary: fc.constantFrom('echo', 'cluade', '3000', '8080:80', 'abc', '70000', '80:80:80'),
  },
  {
    weight: 4,
    arbitrary: fc.constantFrom('/tmp:/x', 'rel/p', '~/d:/d:ro', '/a:/b:bogus', 'A=1', '1BAD=x'),
  },
  {
    weight: 3,
    arbitrary: fc.constantFrom('NOT_SET_ANYWHERE', 'A=x\ny', 'node,python', 'pyton', 'cdex', ''),
  },
  { weight: 2, arbitrary: fc.string({ maxLength: 8 }) },
);

describe('random argv', () => {
  test('always ends in an exit code of 0, 1 or 2 and never in a stack', async () => {
    const seen = new Set<string>();
    await fc.assert(
      fc.asyncProperty(fc.array(token, { maxLength: 8 }), async (argv) => {
        output = '';
        calls = [];
        const code = await runProgram(argv, actions);
        seen.add(`exit ${code}`);
        for (const call of calls) seen.add(call.split(' ')[0]!);
        expect([0, 1, 2], `${JSON.stringify(argv)}: ${output}`).toContain(code);
        expect(output).not.toContain('internal error');
        expect(output).not.toMatch(/^\s+at /m);
      }),
      { numRuns: 600 },
    );
    // The tokens reach every outcome: a bare run would prove little.
    for (const outcome of ['exit 0', 'exit 1', 'exit 2', 'run', 'agent', 'inspect']) {
      expect(seen).toContain(outcome);
    }
  });
});
