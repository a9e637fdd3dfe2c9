/**
 * The pure half of the benchmark: paired samples in, figures and a table out.
 * Nothing here touches a process, a file or the clock.
 */

/** One measurement against its baseline, both taken in the same run. */
export interface Paired {
  /** What asylum (or the peer) took, one entry per run, in milliseconds or KiB. */
  subject: number[];
  /** The baseline's runs, taken alternately with the subject's. */
  baseline: number[];
}

export type Unit = 'ms' | 'MiB' | 'x' | 'builds';

export interface Target {
  /** What is held to the bound: subject/baseline, or the subject's median itself. */
  on: 'ratio' | 'value';
  op: '<=' | '<' | '>=';
  bound: number;
}

export interface FigureSpec {
  id: string;
  label: string;
  baselineLabel?: string;
  unit: Unit;
  /** Absent for figures shown for context only. */
  target?: Target;
}

export interface Figure extends FigureSpec {
  runs: number;
  median: number;
  baselineMedian: number | undefined;
  ratio: number | undefined;
  met: boolean;
}

export function median(values: readonly number[]): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

/**
 * The order in which `sides` commands run in round `index`: each round starts
 * one further along (A B, B A for a pair; A B C, B C A, C A B for three), so
 * a drift in the machine's load (other jobs, caches warming) hits all alike.
 */
export function orderOf(index: number, sides = 2): number[] {
  return Array.from({ length: sides }, (_, i) => (index + i) % sides);
}

function meets(target: Target | undefined, value: number | undefined): boolean {
  if (!target) return true;
  if (value === undefined || Number.isNaN(value)) return false;
  if (target.op === '<') return value < target.bound;
  return target.op === '<=' ? value <= target.bound : value >= target.bound;
}

/** A figure from its samples; a missing baseline leaves the ratio out. */
export function figureOf(spec: FigureSpec, samples: Paired): Figure {
  const value = median(samples.subject);
  const baselineMedian = samples.baseline.length > 0 ? median(samples.baseline) : undefined;
  const ratio = baselineMedian ? value / baselineMedian : undefined;
  const checked = spec.target?.on === 'ratio' ? ratio : value;
  return {
    ...spec,
    runs: samples.subject.length,
    median: value,
    baselineMedian,
    ratio,
    met: meets(spec.target, checked),
  };
}

function formatValue(value: number | undefined, unit: Unit): string {
  if (value === undefined || Number.isNaN(value)) return '-';
  if (unit === 'x') return `${value.toFixed(2)}x`;
  if (unit === 'builds') return String(value);
  return `${value < 10 ? value.toFixed(1) : Math.round(value)} ${unit}`;
}

function formatTarget(figure: Figure): string {
  if (!figure.target) return '-';
  const { on, op, bound } = figure.target;
  return `${op} ${on === 'ratio' ? `${bound}x` : formatValue(bound, figure.unit)}`;
}

const HEADER = ['figure', 'median', 'baseline', 'median', 'ratio', 'target', 'ok'];

/** One row per figure, columns padded; plain text so it reads the same in a log. */
export function formatTable(figures: readonly Figure[]): string {
  const rows = figures.map((f) => [
    f.label,
    formatValue(f.median, f.unit),
    f.baselineLabel ?? '-',
    formatValue(f.baselineMedian, f.unit),
    f.ratio === undefined ? '-' : `${f.ratio.toFixed(2)}x`,
    formatTarget(f),
    f.target ? (f.met ? 'yes' : 'NO') : '',
  ]);
  const widths = HEADER.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i]!.length)));
  const line = (cells: string[]) => cells.map((cell, i) => cell.padEnd(widths[i]!)).join('  ');
  const rule = widths.map((w) => '-'.repeat(w)).join('  ');
  return [line(HEADER), rule, ...rows.map(line)].map((text) => text.trimEnd()).join('\n');
}
