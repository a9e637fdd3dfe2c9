import { afterEach, describe, expect, it } from 'vitest';
import { problemsOf } from '../../test/support/errors.js';
import { flagsLayer, type GlobalFlags } from './flags.js';

const HOME = '/home/dev';
const SET_VAR = 'FLAGS_TEST_SECRET';
const UNSET_VAR = 'FLAGS_TEST_UNSET';

function flags(overrides: Partial<GlobalFlags> = {}): GlobalFlags {
  return { publish: [], volume: [], env: [], rebuild: false, debug: false, ...overrides };
}

describe('flagsLayer: values', () => {
  it('turns valid flags into a command-line layer', () => {
    const input = flags({
      agent: 'codex',
      publish: ['8080:80', '127.0.0.1:3000:3000/udp'],
      volume: ['~/data:/data:ro', '/srv'],
      env: ['A=1', 'B=', 'C=x=y'],
      kits: ['python'],
      agents: ['gemini'],
    });
    const layer = flagsLayer(input, HOME);
    expect(layer.source).toBe('command line');
    expect(layer.config).toEqual({
      agent: 'codex',
      ports: ['8080:80', '127.0.0.1:3000:3000/udp'],
      volumes: ['~/data:/data:ro', '/srv'],
      env: { A: '1', B: '', C: 'x=y' },
    });
    expect(layer.locate(['agent'])).toBeUndefined();
    expect(layer.config.ports).not.toBe(input.publish);
    expect(layer.config.volumes).not.toBe(input.volume);
  });

  it('gives an empty config for no flags', () => {
    expect(flagsLayer(flags(), HOME).config).toEqual({});
  });

  it('lets a later -e win', () => {
    expect(flagsLayer(flags({ env: ['A=1', 'A=2'] }), HOME).config.env).toEqual({ A: '2' });
  });
});

describe('flagsLayer: -e KEY from the environment', () => {
  const saved = { set: process.env[SET_VAR], unset: process.env[UNSET_VAR] };

  afterEach(() => {
    for (const [name, value] of [
      [SET_VAR, saved.set],
      [UNSET_VAR, saved.unset],
    ] as const) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
  });

  it('takes the value from asylum’s own environment', () => {
    process.env[SET_VAR] = 's3cret value';
    const layer = flagsLayer(flags({ env: [SET_VAR, 'OTHER=1'] }), HOME);
    expect(layer.config.env).toEqual({ [SET_VAR]: 's3cret value', OTHER: '1' });
  });

  it('accepts a variable set to the empty string', () => {
    process.env[SET_VAR] = '';
    expect(flagsLayer(flags({ env: [SET_VAR] }), HOME).config.env).toEqual({ [SET_VAR]: '' });
  });

  it('fails when the variable is not set', () => {
    delete process.env[UNSET_VAR];
    expect(problemsOf(() => flagsLayer(flags({ env: [UNSET_VAR] }), HOME))).toEqual([
      `-e "${UNSET_VAR}": ${UNSET_VAR} is not set in your environment`,
    ]);
  });

  it('fails when the variable holds a newline', () => {
    process.env[SET_VAR] = 'line1\nline2';
    expect(problemsOf(() => flagsLayer(flags({ env: [SET_VAR] }), HOME))).toEqual([
      `-e "${SET_VAR}": env var "${SET_VAR}" contains a newline, which the engine cannot pass`,
    ]);
  });
});

describe('flagsLayer: errors', () => {
  it('names -p and the value', () => {
    expect(problemsOf(() => flagsLayer(flags({ publish: ['70000'] }), HOME))).toEqual([
      '-p "70000": invalid port "70000": 70000 must be between 1 and 65535',
    ]);
    expect(problemsOf(() => flagsLayer(flags({ publish: ['abc'] }), HOME))).toEqual([
      '-p "abc": invalid port "abc": "abc" is not a port number',
    ]);
  });

  it('names -v and the value', () => {
    expect(problemsOf(() => flagsLayer(flags({ volume: ['data:/data'] }), HOME))).toEqual([
      '-v "data:/data": invalid volume "data:/data": host path must be absolute (or start with ~)',
    ]);
    expect(problemsOf(() => flagsLayer(flags({ volume: [':/b'] }), HOME))).toEqual([
      '-v ":/b": invalid volume ":/b": empty host path',
    ]);
  });

  it('names -e and the value', () => {
    expect(problemsOf(() => flagsLayer(flags({ env: ['1BAD=x'] }), HOME))).toEqual([
      '-e "1BAD=x": invalid env var name "1BAD": ' +
        'use letters, digits and _, not starting with a digit',
    ]);
    expect(problemsOf(() => flagsLayer(flags({ env: ['=v'] }), HOME))).toEqual([
      '-e "=v": invalid env assignment "=v": the name before = is empty',
    ]);
    expect(problemsOf(() => flagsLayer(flags({ env: ['BAD-NAME'] }), HOME))).toEqual([
      '-e "BAD-NAME": invalid env var name "BAD-NAME": ' +
        'use letters, digits and _, not starting with a digit',
    ]);
  });

  it('reports every bad flag at once, -p then -v then -e', () => {
    const run = () =>
      flagsLayer(flags({ env: ['=x'], volume: ['rel'], publish: ['0', '80'] }), HOME);
    expect(problemsOf(run)).toEqual([
      '-p "0": invalid port "0": 0 must be between 1 and 65535',
      '-v "rel": invalid volume "rel": host path must be absolute (or start with ~)',
      '-e "=x": invalid env assignment "=x": the name before = is empty',
    ]);
    expect(run).toThrow('3 problems in the configuration');
  });

  it('keeps a value with a newline on one line', () => {
    expect(problemsOf(() => flagsLayer(flags({ env: ['A=x\ny'] }), HOME))).toEqual([
      '-e "A=x\\ny": env var "A" contains a newline, which the engine cannot pass',
    ]);
  });
});
