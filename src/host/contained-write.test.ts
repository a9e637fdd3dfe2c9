import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { writeInside } from './contained-write.js';

function layout() {
  const base = mkdtempSync(join(tmpdir(), 'cw-'));
  const root = join(base, 'agent-dir');
  mkdirSync(root);
  const victim = join(base, 'victim');
  writeFileSync(victim, 'precious\n');
  return { base, root, victim };
}

describe('writeInside: writes into dirs the container can plant links in', () => {
  it('writes, creating parents, and replaces what was there', () => {
    const { root } = layout();
    expect(writeInside(root, 'a/b/marker', 'one\n')).toBe(true);
    expect(writeInside(root, 'a/b/marker', 'two\n')).toBe(true);
    expect(readFileSync(join(root, 'a/b/marker'), 'utf8')).toBe('two\n');
  });

  it('never follows a planted link, as the file or as a parent', () => {
    const { base, root, victim } = layout();
    symlinkSync(victim, join(root, 'marker'));
    expect(writeInside(root, 'marker', 'x')).toBe(false);
    symlinkSync(base, join(root, 'up'));
    expect(writeInside(root, 'up/victim', 'x')).toBe(false);
    symlinkSync(join(base, 'new-file'), join(root, 'dangling'));
    expect(writeInside(root, 'dangling', 'x')).toBe(false);
    expect(readFileSync(victim, 'utf8')).toBe('precious\n');
    expect(() => readFileSync(join(base, 'new-file'))).toThrow();
  });

  it('refuses .. and a FIFO (without waiting for a reader)', () => {
    const { root } = layout();
    expect(writeInside(root, '../victim', 'x')).toBe(false);
    execFileSync('mkfifo', [join(root, 'fifo')]);
    expect(writeInside(root, 'fifo', 'x')).toBe(false);
  });
});
