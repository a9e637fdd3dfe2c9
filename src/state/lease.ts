import { randomBytes } from 'node:crypto';
import { mkdirSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';

/** How often the host refreshes a lease; the container counts in the same ticks. */
export const LEASE_INTERVAL_MS = 1000;
/** Lease files untouched for this long belong to dead processes and are pruned. */
const PRUNE_AFTER_MS = 60_000;

/**
 * A session's claim on the project container. The container's main process keeps
 * running while any lease file changes; the host rewrites ours every second. If
 * this process dies in any way (SIGKILL included), the file stops changing and
 * the container winds down by itself, so no cleanup step is ever required.
 */
export class SessionLease {
  private counter = 0;
  private readonly timer: NodeJS.Timeout;
  private released = false;

  private constructor(readonly path: string) {
    this.beat();
    this.timer = setInterval(() => this.beat(), LEASE_INTERVAL_MS);
    this.timer.unref();
    process.once('exit', this.onExit);
  }

  private readonly onExit = () => this.release();

  /** The lease file's name: unique per session, safe in paths and env values. */
  get id(): string {
    return basename(this.path);
  }

  static acquire(dir: string): SessionLease {
    mkdirSync(dir, { recursive: true });
    pruneStaleLeases(dir);
    const id = `${process.pid}-${randomBytes(4).toString('hex')}`;
    return new SessionLease(join(dir, id));
  }

  private beat(): void {
    if (this.released) return;
    this.counter += 1;
    try {
      writeFileSync(this.path, `${this.counter}\n`);
    } catch {
      // The data dir vanished (cleanup ran): the container will wind down, as it should.
    }
  }

  /**
   * Whether another session's lease changed recently: their holders are alive.
   * Used before replacing a container that no longer matches the config.
   */
  othersAlive(): boolean {
    const now = Date.now();
    const dir = dirname(this.path);
    return readdirSync(dir).some((name) => {
      const path = join(dir, name);
      if (path === this.path) return false;
      try {
        return now - statSync(path).mtimeMs < LEASE_INTERVAL_MS * 3;
      } catch {
        return false;
      }
    });
  }

  release(): void {
    if (this.released) return;
    this.released = true;
    clearInterval(this.timer);
    process.off('exit', this.onExit);
    rmSync(this.path, { force: true });
  }
}

function pruneStaleLeases(dir: string): void {
  const now = Date.now();
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    try {
      if (now - statSync(path).mtimeMs > PRUNE_AFTER_MS) rmSync(path, { force: true });
    } catch {
      // Removed by another session meanwhile.
    }
  }
}
