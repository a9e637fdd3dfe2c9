import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bundleChildScript } from '../../test/support/child-script.js';

let child: { script: string; remove: () => void };

beforeAll(async () => {
  child = await bundleChildScript(
    [
      "import { count, mark } from './timing.js';",
      "mark('main'); mark('handover'); mark('main'); count('builds'); count('builds');",
    ],
    import.meta.dirname,
  );
});

afterAll(() => child.remove());

function run(timing: string | undefined) {
  const env = { ...process.env, ASYLUM_TIMING: timing };
  if (timing === undefined) delete env.ASYLUM_TIMING;
  return spawnSync(process.execPath, [child.script], { env, encoding: 'utf8' });
}

describe('ASYLUM_TIMING', () => {
  it('is silent when unset or 0', () => {
    expect(run(undefined).stderr).toBe('');
    expect(run('0').stderr).toBe('');
  });

  it('prints the first time of each mark, the counts and the peak RSS to stderr', () => {
    const line = run('1').stderr;
    expect(line).toMatch(
      /^asylum: timing: main=[\d.]+ms handover=[\d.]+ms exit=[\d.]+ms builds=2 maxrss=\d+KiB\n$/,
    );
  });

  it('appends one JSON line to a file given by absolute path', () => {
    const dir = mkdtempSync(join(tmpdir(), 'asylum-timing-'));
    try {
      const file = join(dir, 'timing.jsonl');
      expect(run(file).stderr).toBe('');
      run(file);
      const lines = readFileSync(file, 'utf8')
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l));
      expect(lines).toHaveLength(2);
      expect(Object.keys(lines[0].marks)).toEqual(['main', 'handover', 'exit']);
      expect(lines[0].marks.handover).toBeGreaterThanOrEqual(lines[0].marks.main);
      expect(lines[0].counts).toEqual({ builds: 2 });
      expect(lines[0].maxRssKb).toBeGreaterThan(10_000);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
