/**
 * Reading configuration layers from YAML files.
 *
 * Each layer is parsed, checked against the schema and checked for values the
 * engine would reject (ports, volumes, env). Every problem in a file is
 * reported at once, one line each, as `file:line:column: key.path: message`,
 * so a user fixes a file in one pass instead of one error per run.
 */
import { readFileSync, statSync } from 'node:fs';
import { homedir } from 'node:os';
import { basename, join } from 'node:path';
import { type Document, isMap, isScalar, LineCounter, parseDocument, type YAMLError } from 'yaml';
import type * as z from 'zod';
import { ConfigError } from '../errors.js';
import { readProjectFile } from '../host/project-file.js';
import { allowedKeysAt, didYouMean, parseConfigLayer } from './schema.js';
import { parsePortSpec, parseVolumeSpec, validateEnvName, validateEnvValue } from './specs.js';
import type { Config, ConfigLayer, SourcePosition } from './types.js';
import {
  type KeyPath,
  keyOffset,
  keyTextAt,
  type NodeProblem,
  startOf,
  toPlainValue,
  valueOffset,
} from './yaml-nodes.js';

export interface LoadOptions {
  /** The home directory `~` expands to when checking volumes; defaults to the real one. */
  home?: string;
}

/** A problem before it is turned into text, so a file's problems can be sorted by position. */
interface Problem {
  offset: number | undefined;
  text: string;
}

/** Everything needed to turn offsets and key paths into readable positions. */
interface Source {
  file: string;
  doc: Document;
  lines: LineCounter;
}

/**
 * Parse one layer from YAML text. `file` is only used in messages and in the
 * layer's `source`. Throws a ConfigError listing every problem in the text.
 */
export function loadLayerFromText(
  text: string,
  file: string,
  options: LoadOptions = {},
): ConfigLayer {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: true });
  const source: Source = { file, doc, lines };

  // Syntax first: on a broken document, schema messages would only add noise.
  const yamlProblems = [...doc.errors, ...doc.warnings].map((e) => yamlProblem(e, doc));
  throwIfAny(source, yamlProblems);

  if (isEmptyDocument(doc)) return createLayerFromDocument(source, {});
  if (!isMap(doc.contents)) {
    const message = 'the file must be a mapping of keys to values (like `agent: claude`)';
    throwIfAny(source, [{ offset: startOf(doc.contents) ?? 0, text: message }]);
  }

  const { value, problems: treeProblems } = toPlainValue(doc);
  const raw = dropUnsetKeys(value);
  const result = parseConfigLayer(raw);
  const problems = [
    ...treeProblems.map((p) => nodeProblem(p)),
    ...(result.success
      ? []
      : result.error.issues.flatMap((issue) => schemaProblems(source, issue))),
    ...valueProblems(source, raw, options.home ?? homedir()),
  ];
  throwIfAny(source, problems);
  return createLayerFromDocument(source, result.data ?? {});
}

function isEmptyDocument(doc: Document): boolean {
  const contents: unknown = doc.contents;
  // A file holding only `~` or `null` says "nothing here" just like an empty one.
  return (
    contents === null || contents === undefined || (isScalar(contents) && contents.value === null)
  );
}

function yamlProblem(error: YAMLError, doc: Document): Problem {
  const offset = error.pos[0];
  if (error.code === 'DUPLICATE_KEY') {
    const key = keyTextAt(doc, offset);
    return {
      offset,
      text: key === undefined ? 'duplicate key' : `duplicate key ${JSON.stringify(key)}`,
    };
  }
  if (error.code === 'MULTIPLE_DOCS') {
    return { offset, text: 'the file holds more than one YAML document; remove the `---` line' };
  }
  return { offset, text: error.message };
}

function nodeProblem(problem: NodeProblem): Problem {
  return { offset: problem.offset, text: withPath(problem.path, problem.message) };
}

/**
 * A key written with no value (`ports:` above a commented-out list) means the
 * same as leaving the key out. Entries under `kits:`/`agents:` are different:
 * there an empty value activates the kit or agent, so those nulls are kept.
 */
function dropUnsetKeys(value: unknown): unknown {
  if (!isRecord(value)) return value;
  const top = withoutNulls(value);
  for (const section of ['kits', 'agents'] as const) {
    const entries = top[section];
    if (!isRecord(entries)) continue;
    top[section] = Object.fromEntries(
      Object.entries(entries).map(([name, options]) => [
        name,
        isRecord(options) ? withoutNulls(options) : options,
      ]),
    );
  }
  if (isRecord(top.image)) top.image = withoutNulls(top.image);
  return top;
}

function withoutNulls(record: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(record).filter(([, v]) => v !== null));
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

// ---------------------------------------------------------------------------
// Schema issues

function schemaProblems(source: Source, issue: z.core.$ZodIssue): Problem[] {
  const path = issue.path.map(toSegment);
  if (issue.code === 'unrecognized_keys') {
    // One problem per key, each pointing at the key itself.
    return issue.keys.map((key) => ({
      offset: keyOffset(source.doc, [...path, key]) ?? valueOffset(source.doc, path),
      text: withPath([...path, key], `unknown key${didYouMean(key, allowedKeysAt(path))}`),
    }));
  }
  if (issue.code === 'invalid_union') {
    const branch = soleStructuralBranch(issue.errors);
    if (branch) {
      const nested = branch.map((inner) => ({ ...inner, path: [...path, ...inner.path] }));
      return nested.flatMap((inner) => schemaProblems(source, inner));
    }
  }
  return [{ offset: valueOffset(source.doc, path), text: withPath(path, issue.message) }];
}

/**
 * For a union such as `auto | false | list`, a list with a bad item fails
 * every branch. The branch whose failures are all *inside* the value is the
 * one the user meant, and its issues point at the exact item.
 */
function soleStructuralBranch(branches: z.core.$ZodIssue[][]): z.core.$ZodIssue[] | undefined {
  const inside = branches.filter(
    (issues) => issues.length > 0 && issues.every((i) => i.path.length > 0),
  );
  return inside.length === 1 ? inside[0] : undefined;
}

function toSegment(segment: PropertyKey): string | number {
  return typeof segment === 'number' ? segment : String(segment);
}

// ---------------------------------------------------------------------------
// Values the schema accepts as text but the engine would reject

function valueProblems(source: Source, raw: unknown, home: string): Problem[] {
  if (!isRecord(raw)) return [];
  return [
    ...listProblems(source, raw.ports, 'ports', (spec) => parsePortSpec(spec)),
    ...listProblems(source, raw.volumes, 'volumes', (spec) => parseVolumeSpec(spec, home)),
    ...envProblems(source, raw.env),
  ];
}

function listProblems(
  source: Source,
  list: unknown,
  key: string,
  check: (text: string) => unknown,
): Problem[] {
  if (!Array.isArray(list)) return [];
  return list.flatMap((item, index) =>
    // Non-strings already have a type problem from the schema.
    typeof item === 'string' ? attempt(source, [key, index], () => check(item), 'value') : [],
  );
}

function envProblems(source: Source, env: unknown): Problem[] {
  if (!isRecord(env)) return [];
  return Object.entries(env).flatMap(([name, value]) => [
    ...attempt(source, ['env', name], () => validateEnvName(name), 'key'),
    ...(typeof value === 'string'
      ? attempt(source, ['env', name], () => validateEnvValue(name, value), 'value')
      : []),
  ]);
}

/** Run one check; its error becomes a problem at the key or the value of `path`. */
function attempt(
  source: Source,
  path: KeyPath,
  check: () => unknown,
  at: 'key' | 'value',
): Problem[] {
  try {
    check();
    return [];
  } catch (error) {
    const offset = at === 'key' ? keyOffset(source.doc, path) : valueOffset(source.doc, path);
    return [{ offset, text: withPath(path, (error as Error).message) }];
  }
}

// ---------------------------------------------------------------------------
// Formatting

/** `key.path: message`, or just the message for the whole file. */
function withPath(path: readonly PropertyKey[], message: string): string {
  return path.length === 0 ? message : `${formatKeyPath(path)}: ${message}`;
}

/** Dotted path; segments that are not plain words are quoted so the path stays one line. */
export function formatKeyPath(path: readonly PropertyKey[]): string {
  return path
    .map((segment) => {
      const text = String(segment);
      return /^[A-Za-z0-9_@/+-]+$/.test(text) ? text : JSON.stringify(text);
    })
    .join('.');
}

function positionOf(source: Source, offset: number | undefined): SourcePosition {
  const { line, col } = source.lines.linePos(offset ?? 0);
  return { file: source.file, line, column: col };
}

function formatPosition(position: SourcePosition): string {
  return `${position.file}:${position.line}:${position.column}`;
}

/** Throw one ConfigError holding every problem, in the order they appear in the file. */
function throwIfAny(source: Source, problems: Problem[]): void {
  if (problems.length === 0) return;
  const sorted = [...problems].sort((a, b) => (a.offset ?? 0) - (b.offset ?? 0));
  const lines = sorted.map((problem) => {
    const where = formatPosition(positionOf(source, problem.offset));
    // Each problem must stay on one line, whatever a library put in its message.
    return `${where}: ${problem.text.replace(/\s*[\r\n]+\s*/g, ' ')}`;
  });
  throw new ConfigError(lines);
}

function createLayerFromDocument(source: Source, config: Config): ConfigLayer {
  return {
    source: source.file,
    config,
    locate(path) {
      const offset = keyOffset(source.doc, path);
      return offset === undefined ? undefined : positionOf(source, offset);
    },
  };
}

/** A layer that did not come from a file, such as command-line flags. */
export function createLayer(source: string, config: Config): ConfigLayer {
  return { source, config, locate: () => undefined };
}

// ---------------------------------------------------------------------------
// Positions for callers

/**
 * `file:line:column` of the key at `path` in `layer`, or the layer's source
 * alone when it has no position (the command line, or a key it does not hold).
 * Callers use it for problems only they can detect, such as an unknown kit.
 */
export function locateKey(layer: ConfigLayer, path: readonly (string | number)[]): string {
  const position = layer.locate(path);
  return position === undefined ? layer.source : formatPosition(position);
}

/** A problem line in the same format as the loader's: `where: key.path: message`. */
export function formatProblem(
  layer: ConfigLayer,
  path: readonly (string | number)[],
  message: string,
): string {
  return `${locateKey(layer, path)}: ${withPath(path, message)}`;
}

/**
 * The highest-precedence layer that sets the key at `path`, for pointing at
 * where a merged value came from. Layers are given lowest first.
 */
export function findLayerWithKey(
  layers: readonly ConfigLayer[],
  path: readonly (string | number)[],
): ConfigLayer | undefined {
  return [...layers].reverse().find((layer) => hasPath(layer.config, path));
}

function hasPath(value: unknown, path: readonly (string | number)[]): boolean {
  let current = value;
  for (const segment of path) {
    if (typeof current !== 'object' || current === null) return false;
    if (!Object.hasOwn(current, segment)) return false;
    current = (current as Record<string | number, unknown>)[segment];
  }
  return true;
}

// ---------------------------------------------------------------------------
// Files

export interface ProjectConfigFiles {
  /** `.asylum` or `.asylum.yaml`, when one exists. */
  project?: string;
  /** `.asylum.local` or `.asylum.local.yaml`, when one exists. */
  local?: string;
}

const PROJECT_FILE_NAMES = ['.asylum', '.asylum.yaml'] as const;
const LOCAL_FILE_NAMES = ['.asylum.local', '.asylum.local.yaml'] as const;

export function globalConfigPath(home: string): string {
  return join(home, '.asylum', 'config.yaml');
}

/**
 * The project's config files. Each may be spelled with or without `.yaml`,
 * but not both: silently preferring one would leave the user editing a file
 * that is ignored. A directory at either path is ignored.
 */
export function findProjectConfigFiles(projectDir: string): ProjectConfigFiles {
  const project = pickOne(projectDir, PROJECT_FILE_NAMES);
  const local = pickOne(projectDir, LOCAL_FILE_NAMES);
  return {
    ...(project === undefined ? {} : { project }),
    ...(local === undefined ? {} : { local }),
  };
}

function pickOne(dir: string, names: readonly [string, string]): string | undefined {
  const [canonical, alias] = names.map((name) => join(dir, name)) as [string, string];
  const present = [canonical, alias].filter(isConfigFile);
  if (present.length === 2) {
    throw new ConfigError([`both ${canonical} and ${alias} exist; remove one`]);
  }
  return present[0];
}

/** True for a file we should read; false when nothing (or a directory) is there. */
function isConfigFile(path: string): boolean {
  try {
    const stats = statSync(path, { throwIfNoEntry: false });
    return stats !== undefined && !stats.isDirectory();
  } catch (error) {
    // ENOTDIR: a parent is a file, so this path cannot exist either.
    if ((error as NodeJS.ErrnoException).code === 'ENOTDIR') return false;
    throw new ConfigError([`cannot check ${path}: ${fsReason(error)}`]);
  }
}

/**
 * Every config file layer, lowest precedence first: global, project, local.
 * Missing files are skipped. Problems from all files are reported together.
 */
export function loadConfigLayers(options: { home: string; projectDir: string }): ConfigLayer[] {
  const problems: string[] = [];
  // Keep going after a ConfigError so one run shows the problems of every file.
  const collect = <T>(action: () => T): T | undefined => {
    try {
      return action();
    } catch (error) {
      if (!(error instanceof ConfigError)) throw error;
      problems.push(...error.problems);
      return undefined;
    }
  };

  const global = globalConfigPath(options.home);
  const finders = [
    () => (isConfigFile(global) ? global : undefined),
    () => pickOne(options.projectDir, PROJECT_FILE_NAMES),
    () => pickOne(options.projectDir, LOCAL_FILE_NAMES),
  ];
  // Find and load one layer at a time so problems are listed in layer order.
  const layers = finders.flatMap((find, index) => {
    const path = collect(find);
    if (path === undefined) return [];
    const read = index === 0 ? readConfigFile : (file: string) => readProjectConfig(options, file);
    const text = collect(() => read(path));
    if (text === undefined) return [];
    return collect(() => loadLayerFromText(text, path, { home: options.home })) ?? [];
  });
  if (problems.length > 0) throw new ConfigError(problems);
  return layers;
}

function readConfigFile(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (error) {
    throw new ConfigError([`cannot read ${path}: ${fsReason(error)}`]);
  }
}

/** A project layer is the agent's to write: read it as hostile input (see readProjectFile). */
function readProjectConfig(options: { projectDir: string }, path: string): string {
  const file = readProjectFile(options.projectDir, basename(path));
  if (file.kind === 'text') return file.text;
  const reason = file.kind === 'refused' ? file.reason : 'it disappeared';
  throw new ConfigError([`cannot use ${path}: ${reason}`]);
}

/** `EACCES: permission denied` from Node's `EACCES: permission denied, open '<path>'`. */
function fsReason(error: unknown): string {
  return String((error as Error).message).split(', ')[0]!;
}
