import { describe, expect, it } from 'vitest';
import { type FigureSpec, figureOf, formatTable, median, orderOf } from '../../bench/stats.js';
import { planTree } from '../../bench/tree.js';

const warmSpec: FigureSpec = {
  id: 'warm',
  label: 'warm exec',
  baselineLabel: 'docker exec',
  unit: 'ms',
  target: { on: 'ratio', op: '<=', bound: 2.6 },
};

describe('bench statistics', () => {
  it('takes the median of odd and even sample counts, unsorted input', () => {
    expect(median([5, 1, 3])).toBe(3);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(median([])).toBeNaN();
  });

  it('rotates which command of a round runs first', () => {
    expect([0, 1, 2].map((round) => orderOf(round))).toEqual([
      [0, 1],
      [1, 0],
      [0, 1],
    ]);
    expect([0, 1, 2, 3].map((round) => orderOf(round, 3))).toEqual([
      [0, 1, 2],
      [1, 2, 0],
      [2, 0, 1],
      [0, 1, 2],
    ]);
  });

  it('holds the ratio of medians to a ratio target', () => {
    const met = figureOf(warmSpec, { subject: [130, 120, 500], baseline: [50, 60, 40] });
    expect(met).toMatchObject({ median: 130, baselineMedian: 50, ratio: 2.6, met: true });
    const missed = figureOf(warmSpec, { subject: [140], baseline: [50] });
    expect(missed.met).toBe(false);
  });

  it('holds the median itself to a value target; strict bounds exclude the bound', () => {
    const spec: FigureSpec = {
      id: 'decision',
      label: 'decision',
      unit: 'ms',
      target: { on: 'value', op: '<', bound: 25 },
    };
    expect(figureOf(spec, { subject: [24.9], baseline: [] })).toMatchObject({
      ratio: undefined,
      met: true,
    });
    expect(figureOf(spec, { subject: [25], baseline: [] }).met).toBe(false);
    expect(figureOf(spec, { subject: [], baseline: [] }).met).toBe(false);
  });

  it('holds a lead over the peer as a ratio of at least the bound', () => {
    const spec: FigureSpec = {
      id: 'ahead',
      label: 'peer',
      baselineLabel: 'asylum',
      unit: 'ms',
      target: { on: 'ratio', op: '>=', bound: 3 },
    };
    expect(figureOf(spec, { subject: [600], baseline: [150] })).toMatchObject({
      ratio: 4,
      met: true,
    });
    expect(figureOf(spec, { subject: [400], baseline: [150] }).met).toBe(false);
  });

  it('prints one aligned row per figure with its baseline, target and verdict', () => {
    const rows = [
      figureOf(warmSpec, { subject: [150], baseline: [50] }),
      figureOf(
        { ...warmSpec, label: 'context', target: undefined },
        { subject: [5], baseline: [] },
      ),
    ];
    expect(formatTable(rows)).toMatchInlineSnapshot(`
      "figure     median  baseline     median  ratio  target   ok
      ---------  ------  -----------  ------  -----  -------  --
      warm exec  150 ms  docker exec  50 ms   3.00x  <= 2.6x  NO
      context    5.0 ms  docker exec  -       -      -"
    `);
  });
});

describe('bench tree', () => {
  it('has exactly the files and package dirs asked for, most under node_modules', () => {
    const plan = planTree({ files: 10_000, packages: 40 });
    expect(plan.files).toHaveLength(10_000);
    expect(new Set(plan.files).size).toBe(10_000);
    expect(plan.packageDirs).toHaveLength(40);
    expect(plan.packageDirs[0]).toBe('');
    const inModules = plan.files.filter((file) => file.includes('node_modules/')).length;
    expect(inModules / plan.files.length).toBeGreaterThan(0.6);
    const manifests = plan.files.filter((file) => file.endsWith('package.json'));
    expect(manifests.length).toBeGreaterThan(40);
  });
});
