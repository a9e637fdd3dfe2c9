import { type ChildProcess, spawn } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { bundleChildScript } from '../../test/support/child-script.js';
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

  it('keeps a lock held across several updates of its mtime', async () => {
    const path = join(root, 'long-build');
    const warnings: string[] = [];
    const onWarning = (warning: Error) => warnings.push(warning.message);
    process.on('warning', onWarning);
    try {
      // staleMs 2000 makes proper-lockfile refresh the lock every second.
      await withLock(path, () => sleep(2500), { staleMs: 2000 });
      await sleep(10);
    } finally {
      process.off('warning', onWarning);
    }
    expect(warnings).toEqual([]);
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

describe('withLock across processes', () => {
  let child: string;
  let removeChild: () => void;
  let holder: ChildProcess | undefined;

  // A separate process takes the lock, says so, and holds it until it is killed.
  beforeAll(async () => {
    const bundled = await bundleChildScript(
      [
        "import { withLock } from './lock.js';",
        'await withLock(process.argv[2], async () => {',
        "  process.stdout.write('held\\n');",
        '  await new Promise((resolve) => setTimeout(resolve, 60_000));',
        '});',
      ],
      dirname(fileURLToPath(import.meta.url)),
    );
    child = bundled.script;
    removeChild = bundled.remove;
  });

  afterAll(() => removeChild());
  afterEach(() => {
    holder?.kill('SIGKILL');
  });

  async function holdInChild(path: string): Promise<ChildProcess> {
    holder = spawn(process.execPath, [child, path], { stdio: ['ignore', 'pipe', 'inherit'] });
    await new Promise<void>((resolve, reject) => {
      holder!.stdout!.on('data', () => resolve());
      holder!.on('exit', (code) => reject(new Error(`holder exited with ${code}`)));
    });
    return holder;
  }

  it('takes over at once a fresh lock whose holder was killed with SIGKILL', async () => {
    const path = join(root, 'build-0123');
    const killed = await holdInChild(path);
    // The record names the holder, so a waiter can tell that it died.
    expect(readFileSync(join(`${path}.lock`, 'owner'), 'utf8')).toBe(
      `${killed.pid} ${hostname()}\n`,
    );
    killed.kill('SIGKILL');
    await new Promise((resolve) => killed.on('exit', resolve));
    expect(existsSync(`${path}.lock`)).toBe(true);
    const started = Date.now();
    expect(await withLock(path, async () => 'mine', { waitMs: 5000 })).toBe('mine');
    // Well under the 15 s it takes a killed holder's lock to go stale by age.
    expect(Date.now() - started).toBeLessThan(1000);
    expect(existsSync(`${path}.lock`)).toBe(false);
  }, 20_000);

  it('releases the lock when the holder ends by SIGINT or SIGHUP', async () => {
    for (const signal of ['SIGINT', 'SIGHUP'] as const) {
      const path = join(root, `project-${signal}`);
      const ended = await holdInChild(path);
      ended.kill(signal);
      await new Promise((resolve) => ended.on('exit', resolve));
      expect(existsSync(`${path}.lock`), signal).toBe(false);
    }
  }, 20_000);

  it('never takes a lock from a live holder', async () => {
    const path = join(root, 'project');
    await holdInChild(path);
    await expect(withLock(path, async () => 'stolen', { waitMs: 600 })).rejects.toThrow(
      `could not take the lock ${path}`,
    );
    expect(existsSync(join(`${path}.lock`, 'owner'))).toBe(true);
  }, 20_000);

  it('leaves a lock held on another machine to the stale check', async () => {
    const path = join(root, 'shared-home');
    mkdirSync(`${path}.lock`);
    // pid 1 exists here too, but a record from another host says nothing about it.
    writeFileSync(join(`${path}.lock`, 'owner'), '999999 some-other-host\n');
    await expect(withLock(path, async () => 'stolen', { waitMs: 600 })).rejects.toThrow(UserError);
    expect(existsSync(`${path}.lock`)).toBe(true);
  });
});
