/**
 * Walking a parsed YAML document: turning it into plain values for the schema,
 * and finding the node behind a key path so errors can name a line and column.
 *
 * We convert the tree ourselves instead of calling `doc.toJS()` so that we can
 * keep the exact text of numbers where the config wants text (`1.10` must not
 * become `1.1`), reject keys that cannot round-trip through a JS object, and
 * bound the work an alias-heavy document can cause.
 */
import {
  type Alias,
  type Document,
  isAlias,
  isMap,
  isScalar,
  isSeq,
  type Node,
  type Scalar,
  visit,
} from 'yaml';
import { textConversionAt } from './schema.js';

export type KeyPath = readonly (string | number)[];

/** A problem found while converting, anchored at a source offset. */
export interface NodeProblem {
  offset: number | undefined;
  path: KeyPath;
  message: string;
}

/** Far more nodes than any real config has; stops "billion laughs" alias expansion. */
const MAX_NODES = 20_000;
/** Far deeper than any real config; keeps recursion well inside the call stack. */
const MAX_DEPTH = 100;

/** Thrown to abandon a conversion that could not finish; the message is for the user. */
class Abandon extends Error {
  constructor(
    message: string,
    readonly offset: number | undefined,
  ) {
    super(message);
  }
}

interface Walk {
  doc: Document;
  problems: NodeProblem[];
  budget: number;
  /** Aliases being expanded right now, to catch one that contains itself. */
  expanding: Set<Alias>;
  /** `Alias.resolve` searches the whole document, so each alias is resolved once. */
  resolved: Map<Alias, unknown>;
}

/** Convert the document's contents to plain JS values, collecting problems. */
export function toPlainValue(doc: Document): { value: unknown; problems: NodeProblem[] } {
  const walk: Walk = {
    doc,
    problems: [],
    budget: MAX_NODES,
    expanding: new Set(),
    resolved: new Map(),
  };
  try {
    return { value: convert(doc.contents, [], walk), problems: walk.problems };
  } catch (error) {
    if (!(error instanceof Abandon)) throw error;
    // Report only this: problems found in a half-converted tree would mislead.
    return { value: {}, problems: [{ offset: error.offset, path: [], message: error.message }] };
  }
}

function convert(node: unknown, path: KeyPath, walk: Walk): unknown {
  walk.budget -= 1;
  if (walk.budget < 0) {
    throw new Abandon('the file expands to too many values (check its aliases)', startOf(node));
  }
  if (path.length > MAX_DEPTH) {
    throw new Abandon('the file is nested too deeply', startOf(node));
  }
  if (isAlias(node)) return convertAlias(node, path, walk);
  if (isScalar(node)) return scalarValue(node, path);
  if (isSeq(node)) return node.items.map((item, index) => convert(item, [...path, index], walk));
  if (isMap(node)) return convertMap(node.items, path, walk);
  return null;
}

function convertAlias(alias: Alias, path: KeyPath, walk: Walk): unknown {
  if (walk.expanding.has(alias)) {
    throw new Abandon(`the alias *${alias.source} contains itself`, startOf(alias));
  }
  if (!walk.resolved.has(alias)) walk.resolved.set(alias, alias.resolve(walk.doc));
  walk.expanding.add(alias);
  const value = convert(walk.resolved.get(alias), path, walk);
  walk.expanding.delete(alias);
  return value;
}

function scalarValue(node: Scalar, path: KeyPath): unknown {
  const value = node.value;
  const conversion = textConversionAt(path);
  const wanted =
    (conversion !== undefined && typeof value === 'number') ||
    (conversion === 'scalars' && typeof value === 'boolean');
  // `source` is the text as written, so `java: 017` stays "017".
  if (wanted) return node.source ?? String(value);
  return value;
}

function convertMap(
  pairs: readonly { key: unknown; value: unknown }[],
  path: KeyPath,
  walk: Walk,
): Record<string, unknown> {
  const entries: [string, unknown][] = [];
  for (const pair of pairs) {
    const key = keyText(pair.key);
    const offset = startOf(pair.key);
    if (key === undefined) {
      walk.problems.push({ offset, path, message: 'keys must be plain words, not lists or maps' });
    } else if (key === '__proto__') {
      // A JS object cannot hold this key safely; no config key is spelled like it.
      walk.problems.push({ offset, path: [...path, key], message: 'this key is not allowed' });
    } else {
      entries.push([key, convert(pair.value, [...path, key], walk)]);
    }
  }
  // fromEntries defines own properties, so no key can reach a prototype.
  return Object.fromEntries(entries);
}

/** The text of a scalar key, or undefined for a key that is a list or map. */
function keyText(key: unknown): string | undefined {
  if (key === null || key === undefined) return '';
  if (!isScalar(key)) return undefined;
  if (typeof key.value === 'string') return key.value;
  if (key.value === null) return '';
  return key.source ?? String(key.value);
}

export function startOf(node: unknown): number | undefined {
  const range = (node as Node | null | undefined)?.range;
  return Array.isArray(range) ? range[0] : undefined;
}

/** The key and value nodes found by following `path`, and how far the walk got. */
export interface PathNodes {
  /** The key (for a map entry) or the item itself (for a list index) of the last step. */
  key: unknown;
  value: unknown;
  /** How many leading segments of the path were found. */
  depth: number;
}

export function findPathNodes(doc: Document, path: readonly PropertyKey[]): PathNodes {
  let found: PathNodes = { key: undefined, value: doc.contents, depth: 0 };
  for (const segment of path) {
    const next = step(doc, found.value, segment);
    if (next === undefined) return found;
    found = { ...next, depth: found.depth + 1 };
  }
  return found;
}

function step(
  doc: Document,
  node: unknown,
  segment: PropertyKey,
): { key: unknown; value: unknown } | undefined {
  const target = isAlias(node) ? node.resolve(doc) : node;
  if (isMap(target)) {
    const pair = target.items.find((item) => keyText(item.key) === String(segment));
    return pair && { key: pair.key, value: pair.value };
  }
  if (isSeq(target) && typeof segment === 'number') {
    const item = target.items[segment];
    return item === undefined ? undefined : { key: item, value: item };
  }
  return undefined;
}

/**
 * Where a problem with the value at `path` should point: at the value when it
 * was written, else at its key (`FOO:` with nothing after it has an empty
 * value node whose position is just past the colon).
 */
export function valueOffset(doc: Document, path: readonly PropertyKey[]): number | undefined {
  const nodes = findPathNodes(doc, path);
  if (nodes.depth < path.length) return startOf(nodes.value) ?? startOf(nodes.key);
  const written = !(isScalar(nodes.value) && nodes.value.value === null && !nodes.value.source);
  return (written ? startOf(nodes.value) : undefined) ?? startOf(nodes.key) ?? 0;
}

/** Where the key at the end of `path` is written, or undefined when it is not there. */
export function keyOffset(doc: Document, path: readonly PropertyKey[]): number | undefined {
  const nodes = findPathNodes(doc, path);
  if (nodes.depth < path.length) return undefined;
  return startOf(nodes.key) ?? startOf(nodes.value);
}

/** The text of the map key that starts at `offset`, used to name a duplicate key. */
export function keyTextAt(doc: Document, offset: number): string | undefined {
  let found: string | undefined;
  visit(doc, {
    Pair(_, pair) {
      if (startOf(pair.key) !== offset) return undefined;
      found = keyText(pair.key);
      return visit.BREAK;
    },
  });
  return found;
}
