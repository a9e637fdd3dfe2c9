import { createServer } from 'node:net';
import { join } from 'node:path';
import * as z from 'zod';
import { UserError } from '../errors.js';
import { readJsonState, updateJsonState } from './json-state.js';
import { asylumDir } from './paths.js';

/** Ports below this are left to the user's own services. */
export const PORTS_FLOOR = 7001;
export const PORTS_CEILING = 65535;
/** An older scheme allocated from 10000 up; such entries are reassigned on next use. */
const LEGACY_START = 10_000;

const portRangeSchema = z.object({
  /** The project directory: the key, since the container name may change. */
  project: z.string().min(1),
  container: z.string(),
  start: z.int().min(1).max(PORTS_CEILING),
  count: z.int().min(1),
});

const portsStateSchema = z.object({
  // Files written by upstream asylum have no version; their ranges are kept as-is.
  version: z.literal(1).default(1),
  ranges: z.array(portRangeSchema),
});

export type PortRange = z.infer<typeof portRangeSchema>;
type PortsState = z.infer<typeof portsStateSchema>;

/** The host ports [start, start + count) a project publishes. */
export interface PortSpan {
  start: number;
  count: number;
}

const EMPTY: PortsState = { version: 1, ranges: [] };

export function portsStatePath(home: string): string {
  return join(asylumDir(home), 'ports.json');
}

const end = (span: PortSpan): number => span.start + span.count;

function overlaps(a: PortSpan, b: PortSpan): boolean {
  return a.start < end(b) && b.start < end(a);
}

/** The lowest start ≥ floor where `count` ports fit between the taken spans, if any. */
function lowestGap(
  taken: readonly PortSpan[],
  count: number,
  floor: number,
  ceiling: number,
): number | undefined {
  let start = floor;
  for (const span of [...taken].sort((a, b) => a.start - b.start)) {
    if (start + count <= span.start) break;
    start = Math.max(start, end(span));
  }
  return start + count <= ceiling + 1 ? start : undefined;
}

function checkCount(count: number, floor: number, ceiling: number): void {
  if (!Number.isInteger(count) || count < 1 || count > ceiling - floor + 1) {
    throw new UserError(
      `kits.ports.count must be a whole number from 1 to ${ceiling - floor + 1}, got ${count}`,
    );
  }
}

function noRoom(count: number, floor: number, ceiling: number): UserError {
  return new UserError(`no room for ${count} more host ports between ${floor} and ${ceiling}`, {
    hint:
      'run `asylum cleanup` in projects you no longer use to free their port ranges, ' +
      'or lower kits.ports.count',
  });
}

/**
 * Decides the span `project` gets, given every stored range. Pure. An existing
 * span that is large enough is kept (never shrunk, so published ports stay put);
 * a smaller one grows in place when it can, else moves. New spans take the lowest
 * free gap, so ranges freed by cleanup are reused. Legacy spans of the project are
 * replaced; other projects' spans, legacy or not, are in use and avoided.
 */
export function pickRange(
  ranges: readonly PortRange[],
  project: string,
  count: number,
  floor = PORTS_FLOOR,
  ceiling = PORTS_CEILING,
): PortSpan {
  checkCount(count, floor, ceiling);
  const own = ranges.find((range) => range.project === project && range.start < LEGACY_START);
  const others = ranges.filter((range) => range.project !== project);
  if (own && own.count >= count) return { start: own.start, count: own.count };
  if (own) {
    const grown = { start: own.start, count };
    const fits = end(grown) <= ceiling + 1 && !others.some((other) => overlaps(grown, other));
    if (fits) return grown;
  }
  const start = lowestGap(others, count, floor, ceiling);
  if (start === undefined) throw noRoom(count, floor, ceiling);
  return { start, count };
}

/**
 * Reserves host ports for the project (stable across runs), replacing any earlier
 * entries of it. Called when its container is created.
 */
export async function allocatePorts(options: {
  home: string;
  project: string;
  container: string;
  count: number;
}): Promise<PortSpan> {
  const { project, container, count } = options;
  const path = portsStatePath(options.home);
  const state = await updateJsonState(path, portsStateSchema, EMPTY, (current): PortsState => {
    const picked = pickRange(current.ranges, project, count);
    const others = current.ranges.filter((range) => range.project !== project);
    // Sorted by start, so the file reads as a map of the port space.
    const ranges = [...others, { project, container, ...picked }].sort(
      (a, b) => a.start - b.start,
    );
    return { version: 1, ranges };
  });
  const { start, count: allocated } = state.ranges.find((range) => range.project === project)!;
  return { start, count: allocated };
}

/** Frees the project's ports for reuse; false when it had none. */
export async function releasePorts(options: { home: string; project: string }): Promise<boolean> {
  const path = portsStatePath(options.home);
  let released = false;
  await updateJsonState(path, portsStateSchema, EMPTY, (state): PortsState => {
    const kept = state.ranges.filter((range) => range.project !== options.project);
    released = kept.length < state.ranges.length;
    return { version: 1, ranges: kept };
  });
  return released;
}

/** Every stored range, for display (not locked: a moment-old view is fine). */
export async function listPortRanges(home: string): Promise<PortRange[]> {
  return (await readJsonState(portsStatePath(home), portsStateSchema, EMPTY)).ranges;
}

/**
 * Whether a host port can be bound right now. Another program may hold a port
 * of the project's range, and Docker would then refuse to start the container.
 */
export function isHostPortFree(port: number, address = '127.0.0.1'): Promise<boolean> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.once('error', (error: NodeJS.ErrnoException) => {
      if (error.code === 'EADDRINUSE' || error.code === 'EACCES') resolve(false);
      else reject(error);
    });
    server.listen({ port, host: address }, () => {
      server.close(() => resolve(true));
    });
  });
}

/**
 * Splits a range into the ports that can be published and those already taken
 * (asylum publishes the free ones and warns about the rest). Only meaningful
 * before the project's own container publishes them.
 */
export async function freePortsOf(
  range: PortSpan,
  address = '127.0.0.1',
): Promise<{ free: number[]; busy: number[] }> {
  const ports = Array.from({ length: range.count }, (_, i) => range.start + i);
  const checks = await Promise.all(ports.map((port) => isHostPortFree(port, address)));
  return {
    free: ports.filter((_, i) => checks[i]),
    busy: ports.filter((_, i) => !checks[i]),
  };
}
