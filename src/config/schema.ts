/**
 * The zod schema of one configuration layer (a file, or the command line).
 * Every key is optional because a layer may set any subset; defaults are
 * applied by the code that reads the merged result, not here.
 *
 * Objects are strict so a misspelled key is an error rather than silently
 * ignored (upstream ignored them, which hid typos such as `kit:`).
 */
import * as z from 'zod';
import { suggest } from './suggest.js';
import type { Config } from './types.js';

export const AGENT_CONFIG_MODES = ['isolated', 'project', 'shared'] as const;
export const ISOLATION_MODES = ['isolated', 'project', 'shared'] as const;

/**
 * YAML reads `java: 17`, `- 3000` and `version: 0.2` as numbers. Where the
 * config wants text we take the number's text instead of rejecting it. The
 * YAML loader substitutes the exact source text first (so `1.10` stays
 * `1.10`); this fallback covers layers built in code.
 */
const textFromNumber = z.preprocess(
  (value) => (typeof value === 'number' ? String(value) : value),
  z.string(),
);

/** Env values may also be booleans (`DEBUG: true`), which the container sees as text. */
const textFromScalar = z.preprocess(
  (value) => (typeof value === 'number' || typeof value === 'boolean' ? String(value) : value),
  z.string(),
);

/**
 * `true` is rejected rather than read as "off" (upstream did that, which
 * surprised everyone who wrote it).
 */
const credentialsSchema = z.union([z.literal('auto'), z.literal(false), z.array(z.string())], {
  error: (issue) => {
    if (issue.code !== 'invalid_union') return undefined;
    return issue.input === true
      ? 'true is not supported; use auto, false, or a list of credential ids'
      : `expected auto, false, or a list of credential ids, got ${describeValue(issue.input)}`;
  },
});

/**
 * Values that end up in a generated Dockerfile are restricted to what their
 * kind needs, so no config value can smuggle in shell syntax.
 */
const packageVersion = textFromNumber.pipe(
  z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._+~-]*$/, {
    message: 'a version may only hold letters, digits and . _ + ~ -',
  }),
);
const imageReference = z.string().regex(/^[a-z0-9][a-z0-9._\-/:@]*$/, {
  message: 'expected an image reference such as debian:trixie',
});

export const agentOptionsSchema = z.strictObject({
  config: z.enum(AGENT_CONFIG_MODES).optional(),
  companions: z.array(z.string()).optional(),
  version: packageVersion.optional(),
});

export const kitOptionsSchema = z.strictObject({
  disabled: z.boolean().optional(),
  packages: z.array(z.string()).optional(),
  build: z.array(z.string()).optional(),
  versions: z.array(textFromNumber).optional(),
  'default-version': textFromNumber.optional(),
  'shadow-node-modules': z.boolean().optional(),
  onboarding: z.boolean().optional(),
  count: z.int().optional(),
  credentials: credentialsSchema.optional(),
  isolation: z.enum(ISOLATION_MODES).optional(),
  /** ports: where published ports listen; `all` exposes them to the network. */
  bind: z.enum(['loopback', 'all']).optional(),
  /** ssh, shared mode: mount the host's ~/.ssh read-write instead of read-only. */
  writable: z.boolean().optional(),
});

export const imageOptionsSchema = z.strictObject({
  base: imageReference.optional(),
});

export const resourcesSchema = z.strictObject({
  /** CPUs the container may use, e.g. 2 or 1.5. */
  cpus: z.number().positive().optional(),
  /** Memory limit: a number of bytes or a size such as 4g, 512m. */
  memory: z
    .union([z.int().positive(), z.string().regex(/^\d+(\.\d+)?[kmgKMG]?$/)])
    .transform(String)
    .optional(),
  /** Most processes at once (fork bombs stop there). */
  pids: z.int().min(16).optional(),
});

export const configLayerSchema = z.strictObject({
  version: textFromNumber.optional(),
  agent: z.string().optional(),
  'default-resume': z.boolean().optional(),
  // A null entry (`java:` with nothing under it) activates with defaults.
  agents: z.record(z.string(), agentOptionsSchema.nullable()).optional(),
  kits: z.record(z.string(), kitOptionsSchema.nullable()).optional(),
  image: imageOptionsSchema.optional(),
  resources: resourcesSchema.optional(),
  /** false: no host.docker.internal, and the host's own ports are blocked from inside. */
  'host-access': z.boolean().optional(),
  ports: z.array(textFromNumber).optional(),
  volumes: z.array(z.string()).optional(),
  env: z.record(z.string(), textFromScalar).optional(),
});

export const TOP_LEVEL_KEYS: readonly string[] = Object.keys(configLayerSchema.shape);
export const KIT_KEYS: readonly string[] = Object.keys(kitOptionsSchema.shape);
export const AGENT_KEYS: readonly string[] = Object.keys(agentOptionsSchema.shape);
export const IMAGE_KEYS: readonly string[] = Object.keys(imageOptionsSchema.shape);
export const RESOURCE_KEYS: readonly string[] = Object.keys(resourcesSchema.shape);

/** The keys a mapping at `path` may contain, for "did you mean" hints. */
export function allowedKeysAt(path: readonly PropertyKey[]): readonly string[] {
  if (path.length === 0) return TOP_LEVEL_KEYS;
  if (path.length === 1 && path[0] === 'image') return IMAGE_KEYS;
  if (path.length === 1 && path[0] === 'resources') return RESOURCE_KEYS;
  if (path.length === 2 && path[0] === 'kits') return KIT_KEYS;
  if (path.length === 2 && path[0] === 'agents') return AGENT_KEYS;
  return [];
}

/**
 * How a non-string YAML scalar at `path` should become text, or undefined
 * when the schema wants it as parsed (a boolean, an int, …).
 */
export function textConversionAt(path: readonly PropertyKey[]): 'numbers' | 'scalars' | undefined {
  const [top, , field, index] = path;
  if (path.length === 1 && top === 'version') return 'numbers';
  if (path.length === 2 && top === 'ports') return 'numbers';
  if (path.length === 2 && top === 'env') return 'scalars';
  if (path.length === 3 && top === 'agents' && field === 'version') return 'numbers';
  if (path.length === 3 && top === 'kits' && field === 'default-version') return 'numbers';
  const isVersionsItem = top === 'kits' && field === 'versions' && typeof index === 'number';
  if (path.length === 4 && isVersionsItem) return 'numbers';
  return undefined;
}

/** Validate one layer's plain value, with messages written for people editing YAML. */
export function parseConfigLayer(value: unknown): z.ZodSafeParseResult<Config> {
  return configLayerSchema.safeParse(value, { error: issueMessage });
}

const EXPECTED_NOUNS: Record<string, string> = {
  string: 'a string',
  number: 'a number',
  int: 'a whole number',
  boolean: 'true or false',
  array: 'a list',
  object: 'a mapping',
  record: 'a mapping',
  null: 'nothing',
};

/** A per-parse zod error map; undefined keeps zod's own message. */
function issueMessage(issue: z.core.$ZodRawIssue): string | undefined {
  if (issue.code === 'invalid_type') {
    const expected = EXPECTED_NOUNS[issue.expected] ?? issue.expected;
    // `FOO:` with nothing after it is null in YAML; the fix is not obvious.
    const hint =
      issue.expected === 'string' && issue.input === null ? ' (write "" for empty)' : '';
    return `expected ${expected}, got ${describeValue(issue.input)}${hint}`;
  }
  if (issue.code === 'invalid_value') {
    const allowed = issue.values.map((value) => String(value));
    const hint = typeof issue.input === 'string' ? didYouMean(issue.input, allowed) : '';
    return `expected one of ${allowed.join(', ')}, got ${describeValue(issue.input)}${hint}`;
  }
  return undefined;
}

/** A short, single-line description of a value the user wrote. */
export function describeValue(value: unknown): string {
  if (value === undefined || value === null) return 'nothing';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a mapping';
  if (typeof value === 'string') {
    const shown = value.length > 40 ? `${value.slice(0, 37)}...` : value;
    return `the string ${JSON.stringify(shown)}`;
  }
  return String(value);
}

/** ` (did you mean "x"?)` when a candidate is close, else the empty string. */
export function didYouMean(word: string, candidates: Iterable<string>): string {
  const match = suggest(word, candidates);
  return match === undefined ? '' : ` (did you mean ${JSON.stringify(match)}?)`;
}
