import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, utimesSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { UserError } from '../errors.js';
import { withLock } from './lock.js';

let root: string;

beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'asylum-lock-'));
});

afterEach(() => {
  rmSync(root, { recursive: true, force: true });
});

describe('withLock', () => {
  it('serialises read-modify-write across concurrent callers', async () => {
    const file = join(root, 'locks', 'counter.json');
    let inside = 0;
    let mostInside = 0;
    const increment = () =>
      withLock(file, async () => {
        inside += 1;
        mostInside = Math.max(mostInside, inside);
        const current = existsSync(file)
          ? (JSON.parse(readFileSync(file, 'utf8')) as { count: number }).count
          : 0;
        await sleep(Math.floor(Math.random() * 15));
        await writeFile(file, JSON.stringify({ count: current + 1 }));
        inside -= 1;
        return current + 1;
      });
    const results = await Promise.all(Array.from({ length: 10 }, increment));
    expect(JSON.parse(readFileSync(file, 'utf8'))).toEqual({ count: 10 });
    expect([...results].sort((a, b) => a - b)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    expect(mostInside).toBe(1);
    expect(existsSync(`${file}.lock`)).toBe(false);
  }, 20_000);

  it('returns the work result and creates the parent directory', async () => {
    const path = join(root, 'a', 'b', 'build-0123');
    expect(await withLock(path, async () => 42)).toBe(42);
    expect(existsSync(join(root, 'a', 'b'))).toBe(true);
    expect(existsSync(`${path}.lock`)).toBe(false);
  });

  it('releases the lock when the work fails', async () => {
    const path = join(root, 'project');
    await expect(
      withLock(path, async () => {
        throw new Error('boom');
      }),
    ).rejects.toThrow('boom');
    expect(existsSync(`${path}.lock`)).toBe(false);
    const started = Date.now();
    expect(await withLock(path, async () => 'again', { waitMs: 1000 })).toBe('again');
    expect(Date.now() - started).toBeLessThan(500);
  });

  it('takes over a stale lock left by a dead process', async () => {
    const path = join(root, 'project');
    const lockDir = `${path}.lock`;
    mkdirSync(lockDir);
    const old = Date.now() / 1000 - 60;
    utimesSync(lockDir, old, old);
    const started = Date.now();
    expect(await withLock(path, async () => existsSync(lockDir), { waitMs: 1000 })).toBe(true);
    expect(Date.now() - started).toBeLessThan(1000);
    expect(existsSync(lockDir)).toBe(false);
  });

  it('gives up on a fresh lock after waitMs with a UserError', async () => {
    const path = join(root, 'project');
    const lockDir = `${path}.lock`;
    mkdirSync(lockDir);
    let ran = false;
    const attempt = withLock(
      path,
      async () => {
        ran = true;
      },
      { waitMs: 400 },
    );
    await expect(attempt).rejects.toBeInstanceOf(UserError);
    await expect(attempt).rejects.toThrow(`could not take the lock ${path}`);
    expect(ran).toBe(false);
    // Someone else's lock is left alone.
    expect(existsSync(lockDir)).toBe(true);
  });
});
