import { type ChildProcess, spawn } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ASSETS } from '../assets/index.js';
import { LEASE_INTERVAL_MS, SessionLease } from './lease.js';

let root: string;

beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'asylum-lease-'));
});

afterEach(() => {
  rmSync(root, { recursive: true, force: true });
});

describe('SessionLease', () => {
  it('beats every second while held and disappears on release', async () => {
    expect(LEASE_INTERVAL_MS).toBe(1000);
    const dir = join(root, 'projects', 'c', 'sessions');
    const lease = SessionLease.acquire(dir);
    try {
      const names = readdirSync(dir);
      expect(names).toHaveLength(1);
      expect(names[0]).toMatch(new RegExp(`^${process.pid}-[0-9a-f]{8}$`));
      expect(lease.path).toBe(join(dir, names[0]!));
      expect(readFileSync(lease.path, 'utf8')).toBe('1\n');
      // The beats at 1000 and 2000 ms are due before this 2200 ms timer fires.
      await sleep(2200);
      expect(readFileSync(lease.path, 'utf8')).toBe('3\n');
    } finally {
      lease.release();
    }
    expect(readdirSync(dir)).toEqual([]);
    // No beat after release brings the file back.
    await sleep(1100);
    expect(existsSync(lease.path)).toBe(false);
  });

  it('gives each session its own file', () => {
    const a = SessionLease.acquire(root);
    const b = SessionLease.acquire(root);
    try {
      expect(a.path).not.toBe(b.path);
      expect(readdirSync(root).sort()).toEqual(
        [a.path, b.path].map((path) => path.slice(root.length + 1)).sort(),
      );
    } finally {
      a.release();
      b.release();
    }
    expect(readdirSync(root)).toEqual([]);
  });

  it('releases twice without complaint', () => {
    const lease = SessionLease.acquire(root);
    lease.release();
    expect(() => lease.release()).not.toThrow();
  });

  it('prunes lease files untouched for more than 60 s and keeps fresh ones', () => {
    const now = Date.now() / 1000;
    const age = (name: string, seconds: number) => {
      const path = join(root, name);
      writeFileSync(path, '7\n');
      utimesSync(path, now - seconds, now - seconds);
    };
    age('dead-1', 61);
    age('dead-2', 3600);
    age('fresh', 0);
    age('recent', 50);
    const lease = SessionLease.acquire(root);
    try {
      const ours = lease.path.slice(root.length + 1);
      expect(readdirSync(root).sort()).toEqual([ours, 'fresh', 'recent'].sort());
      expect(readFileSync(join(root, 'recent'), 'utf8')).toBe('7\n');
      expect(Math.round(statSync(join(root, 'recent')).mtimeMs / 1000)).toBe(Math.round(now - 50));
    } finally {
      lease.release();
    }
  });
});

// ---------------------------------------------------------------------------
// The container side: src/assets/init.sh run by bash against a temp leases dir.

const isRoot = process.getuid?.() === 0;

interface Supervisor {
  child: ChildProcess;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null; at: number }>;
  ready: string;
}

/**
 * Runs a copy of init.sh whose hardcoded paths point into `root`: the leases
 * dir and the readiness file (which would otherwise be created in the real /run).
 */
function startSupervisor(leases: string, env: Record<string, string> = {}): Supervisor {
  const ready = join(root, 'asylum-ready');
  expect(ASSETS.init).toContain('\nleases=/run/asylum/sessions\n');
  expect(ASSETS.init).toContain('\ntouch /run/asylum-ready\n');
  const script = ASSETS.init
    .replace('\nleases=/run/asylum/sessions\n', `\nleases=${leases}\n`)
    .replace('\ntouch /run/asylum-ready\n', `\ntouch ${ready}\n`);
  const path = join(root, 'init.sh');
  writeFileSync(path, script);
  const child = spawn('bash', [path], {
    env: {
      PATH: process.env.PATH ?? '/usr/bin:/bin',
      ASYLUM_IDLE_TICKS: '1',
      ASYLUM_STARTUP_TICKS: '2',
      ASYLUM_LEASE_TICKS: '2',
      ...env,
    },
    stdio: 'ignore',
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null; at: number }>(
    (resolve) => {
      child.on('exit', (code, signal) => resolve({ code, signal, at: Date.now() }));
    },
  );
  return { child, exited, ready };
}

/** Resolves with the exit, or with undefined if the process is still running after `ms`. */
async function exitWithin(supervisor: Supervisor, ms: number) {
  return Promise.race([supervisor.exited, sleep(ms).then(() => undefined)]);
}

describe('init.sh supervisor', () => {
  const running: Supervisor[] = [];

  afterEach(() => {
    for (const supervisor of running.splice(0)) {
      if (supervisor.child.exitCode === null && supervisor.child.signalCode === null) {
        supervisor.child.kill('SIGKILL');
      }
    }
  });

  function start(leases: string, env: Record<string, string> = {}): Supervisor {
    const supervisor = startSupervisor(leases, env);
    running.push(supervisor);
    return supervisor;
  }

  it('exits on its own when no session ever shows up', async () => {
    const leases = join(root, 'sessions');
    mkdirSync(leases);
    const started = Date.now();
    const supervisor = start(leases);
    const exit = await exitWithin(supervisor, 3000);
    expect(exit).toMatchObject({ code: 0, signal: null });
    expect(exit!.at - started).toBeLessThan(3000);
    expect(existsSync(supervisor.ready)).toBe(true);
  });

  it('stays up while a lease changes and winds down once it stops changing', async () => {
    const leases = join(root, 'sessions');
    mkdirSync(leases);
    const lease = join(leases, 'session-1');
    let beat = 0;
    writeFileSync(lease, `${beat}\n`);
    const timer = setInterval(() => writeFileSync(lease, `${++beat}\n`), 300);
    let stoppedAt = 0;
    try {
      const supervisor = start(leases);
      expect(await exitWithin(supervisor, 4000)).toBeUndefined();
      clearInterval(timer);
      stoppedAt = Date.now();
      const exit = await exitWithin(supervisor, 4000);
      expect(exit).toMatchObject({ code: 0, signal: null });
      expect(exit!.at - stoppedAt).toBeLessThan(4000);
      // The lease file stays behind: only its content stopped changing.
      expect(existsSync(lease)).toBe(true);
    } finally {
      clearInterval(timer);
    }
  }, 12_000);

  it('ends at once, with status 0, on SIGTERM', async () => {
    const leases = join(root, 'sessions');
    mkdirSync(leases);
    const lease = join(leases, 'session-1');
    let beat = 0;
    const timer = setInterval(() => writeFileSync(lease, `${++beat}\n`), 300);
    try {
      const supervisor = start(leases);
      await sleep(500);
      const sentAt = Date.now();
      supervisor.child.kill('SIGTERM');
      const exit = await exitWithin(supervisor, 2000);
      expect(exit).toMatchObject({ code: 0, signal: null });
      expect(exit!.at - sentAt).toBeLessThan(1500);
    } finally {
      clearInterval(timer);
    }
  });

  it.skipIf(!isRoot)('hands the ASYLUM_CHOWN directories to the session user', async () => {
    const leases = join(root, 'sessions');
    const first = join(root, 'cache one');
    const second = join(root, 'cache-two');
    for (const dir of [leases, first, second]) mkdirSync(dir);
    const supervisor = start(leases, {
      ASYLUM_CHOWN: `${first}:${second}`,
      ASYLUM_UID: '4242',
      ASYLUM_GID: '4343',
    });
    expect(await exitWithin(supervisor, 3000)).toMatchObject({ code: 0 });
    for (const dir of [first, second]) {
      expect({ uid: statSync(dir).uid, gid: statSync(dir).gid }).toEqual({
        uid: 4242,
        gid: 4343,
      });
    }
    expect(statSync(leases).uid).toBe(0);
  });
});
