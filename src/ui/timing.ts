import { appendFileSync } from 'node:fs';

/**
 * Opt-in timing spans for `npm run bench` and for anyone asking where the time
 * goes. `ASYLUM_TIMING=1` prints one line to stderr when the process exits;
 * `ASYLUM_TIMING=/abs/file` appends one JSON line to that file instead (so the
 * command's own stderr stays as it is). Off, every call is one branch on a
 * constant: nothing is recorded, nothing is imported, no exit hook exists.
 *
 * Marks are milliseconds since the process started (`performance.now()`), so
 * they include Node's own boot; spans between marks are what asylum spent.
 */
const target = process.env.ASYLUM_TIMING ?? '';
const enabled = target !== '' && target !== '0';

const marks: Record<string, number> = {};
const counts: Record<string, number> = {};

/** Records the first time the process reaches `name`; later calls keep the first. */
export function mark(name: string): void {
  if (!enabled || name in marks) return;
  marks[name] = round(performance.now());
}

/** Counts an event (image builds): the bench proves no-op starts with it. */
export function count(name: string): void {
  if (!enabled) return;
  counts[name] = (counts[name] ?? 0) + 1;
}

export interface TimingReport {
  marks: Record<string, number>;
  counts: Record<string, number>;
  /** Peak resident set size of this process, in KiB (getrusage). */
  maxRssKb: number;
}

function report(): TimingReport {
  mark('exit');
  return { marks, counts, maxRssKb: process.resourceUsage().maxRSS };
}

function formatLine(timing: TimingReport): string {
  const spans = Object.entries(timing.marks).map(([name, ms]) => `${name}=${ms}ms`);
  const events = Object.entries(timing.counts).map(([name, n]) => `${name}=${n}`);
  return `asylum: timing: ${[...spans, ...events, `maxrss=${timing.maxRssKb}KiB`].join(' ')}\n`;
}

function flush(): void {
  const timing = report();
  try {
    if (target.startsWith('/')) appendFileSync(target, `${JSON.stringify(timing)}\n`);
    else process.stderr.write(formatLine(timing));
  } catch {
    // Timing is a diagnostic: it must never change how the command ends.
  }
}

function round(ms: number): number {
  return Math.round(ms * 100) / 100;
}

if (enabled) process.once('exit', flush);
