/**
 * Property-based tests: whatever a user types into a config file or a flag,
 * the result is a value or an error with a message for them, never a crash
 * (a TypeError or RangeError would be printed as a bug in asylum).
 */
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { stringify } from 'yaml';
import { ConfigError } from '../errors.js';
import { planBaseImage } from '../plan/image.js';
import { selectRun } from '../plan/selection.js';
import { loadLayerFromText } from './load.js';
import { mergeLayers } from './merge.js';
import { TOP_LEVEL_KEYS } from './schema.js';
import { parseEnvAssignment, parsePortSpec, parseVolumeSpec, validateEnvValue } from './specs.js';
import { suggest } from './suggest.js';
import type { Config } from './types.js';

/** Run `action`; it may succeed or throw a ConfigError whose problems are single lines. */
function expectConfigOutcome(action: () => unknown): void {
  try {
    action();
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    const problems = (error as ConfigError).problems;
    expect(problems.length).toBeGreaterThan(0);
    for (const problem of problems) expect(problem).toMatch(/^[^\r\n]+$/);
  }
}

/** Run `action`; it may succeed or throw a plain Error (not a subclass) with a message. */
function expectPlainError(action: () => unknown): void {
  try {
    action();
  } catch (error) {
    expect((error as object).constructor).toBe(Error);
    expect((error as Error).message).toMatch(/^[^\r\n]+$/);
  }
}

function load(text: string) {
  return loadLayerFromText(text, '/p/.asylum', { home: '/home/dev' });
}

/** Text that looks a little like YAML, to get past the parser more often than noise. */
const yamlish = fc
  .array(
    fc.oneof(
      fc.constantFrom(...TOP_LEVEL_KEYS, 'kits:', 'java:', '- ', ': ', '\n', '  ', '&a ', '*a'),
      fc.constantFrom('[', ']', '{', '}', ',', '"', "'", '#', '|', '>', '---', '!!str ', '? '),
      fc.string({ maxLength: 6 }),
    ),
    { maxLength: 40 },
  )
  .map((parts) => parts.join(''));

describe('loading never crashes', () => {
  test('on arbitrary text', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.string({ unit: 'binary' }), yamlish), (text) => {
        expectConfigOutcome(() => load(text));
      }),
      { numRuns: 2000 },
    );
  });

  test('on arbitrary values written as YAML', () => {
    fc.assert(
      fc.property(fc.anything({ withNullPrototype: false }), (value) => {
        // stringify(undefined) is undefined, not text.
        expectConfigOutcome(() => load(stringify(value) ?? ''));
      }),
      { numRuns: 500 },
    );
  });

  test('on config-shaped values with wrong leaves', () => {
    const leaf = fc.oneof(fc.anything({ maxDepth: 1 }), fc.string(), fc.integer());
    const kit = fc.dictionary(fc.constantFrom('versions', 'count', 'credentials', 'oops'), leaf);
    const shaped = fc.record(
      {
        kits: fc.dictionary(fc.string({ maxLength: 5 }), fc.oneof(fc.constant(null), kit)),
        ports: fc.array(leaf),
        volumes: fc.array(leaf),
        env: fc.dictionary(fc.string(), leaf),
        agent: leaf,
      },
      { requiredKeys: [] },
    );
    fc.assert(
      fc.property(shaped, (value) => {
        expectConfigOutcome(() => load(stringify(value)));
      }),
      { numRuns: 300 },
    );
  });
});

describe('spec parsers only throw plain errors', () => {
  const inputs = fc.oneof(
    fc.string(),
    fc
      .array(fc.constantFrom('1', '80', '127.0.0.1', '[::1]', '/a', '~', 'ro', 'z', 'x', ''), {
        maxLength: 5,
      })
      .map((parts) => parts.join(':')),
    fc.string({ unit: 'binary' }),
  );

  test('parsePortSpec', () => {
    fc.assert(fc.property(inputs, (spec) => expectPlainError(() => parsePortSpec(spec))));
  });

  test('parseVolumeSpec', () => {
    fc.assert(
      fc.property(inputs, fc.string(), (spec, home) =>
        expectPlainError(() => parseVolumeSpec(spec, home)),
      ),
    );
  });

  test('env parsers', () => {
    fc.assert(
      fc.property(inputs, (text) => {
        expectPlainError(() => parseEnvAssignment(text));
        expectPlainError(() => validateEnvValue('K', text));
      }),
    );
  });

  test('non-string input from untyped callers', () => {
    fc.assert(
      fc.property(fc.anything(), (value) => {
        const text = value as string;
        expectPlainError(() => parsePortSpec(text));
        expectPlainError(() => parseVolumeSpec(text, '/home/dev'));
        expectPlainError(() => parseEnvAssignment(text));
      }),
    );
  });

  test('a parsed port always has both ports in range', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 65535 }),
        fc.integer({ min: 1, max: 65535 }),
        (h, c) => {
          expect(parsePortSpec(`${h}:${c}`)).toEqual({ host: h, container: c });
        },
      ),
    );
  });

  test('suggest returns one of the candidates or nothing', () => {
    fc.assert(
      fc.property(fc.string(), fc.array(fc.string()), (word, candidates) => {
        const match = suggest(word, candidates);
        if (match !== undefined) expect(candidates).toContain(match);
      }),
    );
  });
});

// ---------------------------------------------------------------------------
// Valid configs: written as YAML and read back, and merged

const word = fc.stringMatching(/^[a-z][a-z0-9-]{0,8}$/);
const text = fc.string({ maxLength: 12 }).filter((s) => !/[\r\n\0]/.test(s));
const stringList = fc.array(text, { maxLength: 3 });
const envName = fc.stringMatching(/^[A-Za-z_][A-Za-z0-9_]{0,8}$/);

const kitOptions = fc.record(
  {
    disabled: fc.boolean(),
    packages: stringList,
    build: stringList,
    versions: stringList,
    'default-version': text,
    'shadow-node-modules': fc.boolean(),
    onboarding: fc.boolean(),
    count: fc.integer(),
    credentials: fc.oneof(fc.constant('auto' as const), fc.constant(false as const), stringList),
    isolation: fc.constantFrom('isolated' as const, 'project' as const, 'shared' as const),
  },
  { requiredKeys: [] },
);

const agentOptions = fc.record(
  {
    config: fc.constantFrom('isolated' as const, 'project' as const, 'shared' as const),
    companions: stringList,
    // Versions reach a Dockerfile, so only package-version characters are valid.
    version: fc.stringMatching(/^[A-Za-z0-9][A-Za-z0-9._+~-]{0,11}$/),
  },
  { requiredKeys: [] },
);

const validConfig: fc.Arbitrary<Config> = fc.record(
  {
    version: text,
    agent: text,
    'default-resume': fc.boolean(),
    agents: fc.dictionary(word, fc.oneof(fc.constant(null), agentOptions)),
    kits: fc.dictionary(word, fc.oneof(fc.constant(null), kitOptions)),
    image: fc.record(
      { base: fc.stringMatching(/^[a-z0-9][a-z0-9._/:-]{0,15}$/) },
      { requiredKeys: [] },
    ),
    ports: fc.array(fc.constantFrom('3000', '8080:80', '127.0.0.1:1:2/udp'), { maxLength: 3 }),
    volumes: fc.array(fc.constantFrom('/a', '~/x:/y:ro', '/my dir:/d:z'), { maxLength: 3 }),
    env: fc.dictionary(envName, text),
  },
  { requiredKeys: [] },
);

describe('valid configs', () => {
  test('round-trip through YAML unchanged', () => {
    fc.assert(
      fc.property(validConfig, (config) => {
        expect(load(stringify(config)).config).toEqual(config);
      }),
      { numRuns: 300 },
    );
  });

  test('merging is associative and leaves its inputs alone', () => {
    fc.assert(
      fc.property(validConfig, validConfig, validConfig, (a, b, c) => {
        const before = structuredClone([a, b, c]);
        const flat = mergeLayers([a, b, c]);
        expect(mergeLayers([mergeLayers([a, b]), c])).toEqual(flat);
        expect(mergeLayers([a, mergeLayers([b, c])])).toEqual(flat);
        expect([a, b, c]).toEqual(before);
      }),
      { numRuns: 300 },
    );
  });

  test('merging with an empty layer changes nothing', () => {
    fc.assert(
      fc.property(validConfig, (config) => {
        expect(mergeLayers([{}, config, {}])).toEqual(mergeLayers([config]));
      }),
    );
  });
});

// ---------------------------------------------------------------------------
// From text to an image plan: what prepareSession does before the engine

/** Loads, merges, selects and plans; a ConfigError is the only failure allowed. */
function planFromText(text: string) {
  const layer = load(text);
  const config = mergeLayers([layer.config]);
  const selection = selectRun([layer], config, {});
  return planBaseImage({
    baseImage: config.image?.base ?? 'debian:trixie',
    kits: selection.kits,
    agents: selection.installAgents.map((agent) => ({ agent, version: undefined })),
    identity: { uid: 1000, gid: 1000, username: 'dev', home: '/home/dev' },
    caBundle: undefined,
  });
}

describe('a config becomes a valid plan or a clean error', () => {
  /** Mostly the valid choice, sometimes a wrong one: both outcomes must show up. */
  const mostly = <T>(valid: fc.Arbitrary<T>, wrong: fc.Arbitrary<T>) =>
    fc.oneof({ weight: 5, arbitrary: valid }, { weight: 1, arbitrary: wrong });
  const kitName = mostly(fc.constantFrom('node', 'python', 'java'), fc.constantFrom('pyton', 'x'));
  const agentName = mostly(fc.constantFrom('codex', 'claude', 'echo'), fc.constantFrom('cdex'));
  const nearlyValid = fc.record(
    {
      agent: agentName,
      agents: fc.dictionary(agentName, fc.constant(null), { maxKeys: 2 }),
      kits: fc.dictionary(kitName, mostly(fc.constant(null), kitOptions), { maxKeys: 2 }),
      image: fc.record({ base: mostly(fc.constant('debian:trixie'), text) }),
      ports: fc.array(
        mostly(fc.constantFrom('3000', '8080:80'), fc.constantFrom('abc', '70000')),
        {
          maxLength: 2,
        },
      ),
      volumes: fc.array(mostly(fc.constantFrom('/a:/b', '~/x'), fc.constantFrom('rel:/x')), {
        maxLength: 2,
      }),
      env: fc.dictionary(envName, mostly(text, fc.constant('a\nb')), { maxKeys: 2 }),
    },
    { requiredKeys: [] },
  );

  test('for configs near the valid ones', () => {
    let plans = 0;
    fc.assert(
      fc.property(nearlyValid, (value) => {
        try {
          const plan = planFromText(stringify(value));
          plans += 1;
          expect(plan.tag).toMatch(/^asylum:base-[0-9a-f]{12}$/);
          expect(plan.dockerfile.split('\n')[0]).toMatch(/^FROM [a-z0-9][a-z0-9._\-/:@]*$/);
        } catch (error) {
          expect(error).toBeInstanceOf(ConfigError);
          for (const problem of (error as ConfigError).problems) {
            expect(problem).toMatch(/^\/p\/\.asylum:\d+:\d+: [^\r\n]+$/);
          }
        }
      }),
      { numRuns: 400 },
    );
    // Both outcomes occur, or the generator proves nothing.
    expect(plans).toBeGreaterThan(10);
  });

  test('for arbitrary text', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string(), yamlish), (input) => {
        expectConfigOutcome(() => planFromText(input));
      }),
      { numRuns: 1000 },
    );
  });
});
