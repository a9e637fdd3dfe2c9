import { createHash } from 'node:crypto';
import { appendFileSync, existsSync, lstatSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { inject } from 'vitest';
import { containerName } from '../../src/plan/naming.js';
import {
  ctx,
  docker,
  FIRST_START_MS,
  makeDir,
  makeProject,
  projectContainers,
  type RunResult,
  runAsylum,
  startAsylum,
  waitFor,
  writeOwned,
} from '../docker/harness.js';
import type { BlastRow } from './report.js';

/** Unique to this run: a stale file from another run can never satisfy a check. */
export const RUN = ctx.scope;
export const mark = (kind: string) => `BLASTMARK-${kind}-${RUN}`;
/** The git identity: meant to reach the container ("commits are attributed to you"). */
export const IDENTITY = `IDENTMARK-name-${RUN}`;
/** Finds every marker of any kind; the pattern itself is not a marker. */
export const MARKER_PATTERN = '(BLASTMARK|IDENTMARK)-[A-Za-z0-9-]+';
/** A value given to the container on purpose through `env:` in the global config. */
export const GLOBAL_ENV_SECRET = `global-env-secret-${RUN}-77`;

export interface Decoy {
  kind: string;
  /** Relative to HOME. */
  rel: string;
  marker: string;
  text: string;
  mode: number;
}

/** The host's credentials and dotfiles an agent must not reach, one marker each. */
export const DECOYS: readonly Decoy[] = (
  [
    [
      'AWS',
      '.aws/credentials',
      (m: string) => `[default]\naws_access_key_id = AKIAFAKE\naws_secret_access_key = ${m}\n`,
      0o600,
    ],
    [
      'GCLOUD',
      '.config/gcloud/credentials.db',
      (m: string) => `SQLite format 3 (fake) refresh_token=${m}\n`,
      0o600,
    ],
    [
      'PASS',
      '.password-store/x.gpg',
      (m: string) => `-----BEGIN PGP MESSAGE-----\n${m}\n-----END PGP MESSAGE-----\n`,
      0o600,
    ],
    [
      'FIREFOX',
      '.mozilla/firefox/p/logins.json',
      (m: string) =>
        `{"logins":[{"hostname":"https://bank.example","encryptedPassword":"${m}"}]}\n`,
      0o600,
    ],
    [
      'SSH',
      '.ssh/id_rsa',
      (m: string) =>
        `-----BEGIN OPENSSH PRIVATE KEY-----\n${m}\n-----END OPENSSH PRIVATE KEY-----\n`,
      0o600,
    ],
    ['NETRC', '.netrc', (m: string) => `machine api.example.test login me password ${m}\n`, 0o600],
    [
      'DOCKER',
      '.docker/config.json',
      (m: string) => `{"auths":{"registry.example.test":{"auth":"${m}"}}}\n`,
      0o600,
    ],
    [
      'GITCRED',
      '.gitconfig',
      (m: string) =>
        `[user]\n\tname = ${IDENTITY}\n\temail = identmark@example.test\n[credential]\n\thelper = "!f() { echo username=me; echo password=${m}; }; f"\n`,
      0o644,
    ],
    [
      'CLAUDE',
      '.claude/settings.json',
      (m: string) => `{"env":{"ANTHROPIC_API_KEY":"${m}"}}\n`,
      0o600,
    ],
  ] as const
).map(([kind, rel, text, mode]) => ({
  kind,
  rel,
  marker: mark(kind),
  text: text(mark(kind)),
  mode,
}));

/** Tokens in the environment of the shell that starts asylum: never passed on unless `-e`. */
export const HOST_ENV: Record<string, string> = {
  AWS_SECRET_ACCESS_KEY: mark('ENVAWS'),
  GITHUB_TOKEN: mark('ENVGH'),
  ANTHROPIC_API_KEY: mark('ENVANTHROPIC'),
};

/** Creates every parent directory owned by the test user (makeDir chowns only the leaf). */
function ownedDirs(home: string, rel: string): void {
  let dir = home;
  for (const part of rel.split('/')) {
    dir = join(dir, part);
    makeDir(dir);
  }
}

/**
 * The fake HOME full of decoys, shared by every blast-radius file (each HOME is
 * an image build of its own). Idempotent: the first caller creates it. A variant
 * has the same decoys and more global config (opt-in modes belong to the user's
 * global config: a project's own config needs `asylum approve` to widen access).
 */
export function decoyHome(variant?: { name: string; agent?: string; config: string }): string {
  const home = makeDir(join(ctx.runDir, 'homes', variant ? `blast-${variant.name}` : 'blast'));
  if (existsSync(join(home, '.asylum', 'config.yaml'))) return home;
  for (const decoy of DECOYS) {
    ownedDirs(home, dirname(decoy.rel));
    writeOwned(join(home, decoy.rel), decoy.text, decoy.mode);
  }
  writeOwned(join(home, '.ssh', 'known_hosts'), 'host.example ssh-ed25519 AAAAknown\n');
  makeDir(join(home, '.asylum'));
  writeOwned(
    join(home, '.asylum', 'config.yaml'),
    `agent: ${variant?.agent ?? 'echo'}\nenv:\n  BR_GLOBAL_SECRET: ${GLOBAL_ENV_SECRET}\n${variant?.config ?? ''}`,
  );
  return home;
}

export interface Project {
  dir: string;
  name: string;
  sibling: string;
  siblingMarker: string;
}

/** A project with a sibling project right next to it, which holds a marker of its own. */
export function projectWithSibling(name: string): Project {
  const dir = makeProject(name);
  const sibling = makeDir(join(dirname(dir), `${name}-sibling`));
  const siblingMarker = mark('SIBLING');
  writeOwned(join(sibling, 'README.md'), `sibling project ${siblingMarker}\n`);
  return { dir, name: containerName(dir), sibling, siblingMarker };
}

/** What is wrong with the host's decoys and the sibling project (empty when all survive). */
export function hostDamage(home: string, project?: Project): string[] {
  const problems: string[] = [];
  const files = DECOYS.map((d) => ({ path: join(home, d.rel), marker: d.marker }));
  if (project)
    files.push({ path: join(project.sibling, 'README.md'), marker: project.siblingMarker });
  for (const { path, marker } of files) {
    if (!existsSync(path)) problems.push(`${path}: gone`);
    else if (!readFileSync(path, 'utf8').includes(marker)) problems.push(`${path}: marker lost`);
  }
  return problems;
}

/** Every file under a dir (relative path → sha256), to see what an attack changed. */
export function snapshot(root: string): Map<string, string> {
  const out = new Map<string, string>();
  const walk = (dir: string) => {
    let names: string[];
    try {
      names = readdirSync(dir);
    } catch {
      return;
    }
    for (const name of names) {
      const path = join(dir, name);
      const stat = lstatSync(path);
      if (stat.isDirectory()) walk(path);
      else if (stat.isFile())
        out.set(
          relative(root, path),
          createHash('sha256').update(readFileSync(path)).digest('hex'),
        );
    }
  };
  walk(root);
  return out;
}

/** Paths present in `before` that are gone or changed in `after`. */
export function changed(before: Map<string, string>, after: Map<string, string>): string[] {
  return [...before].filter(([path, sum]) => after.get(path) !== sum).map(([path]) => path);
}

export const sha256 = (path: string) =>
  createHash('sha256').update(readFileSync(path)).digest('hex');

/** Runs a bash script in the project's container as the user (use sudo inside for root). */
export function inside(
  project: string,
  script: string,
  options: { home: string; env?: Record<string, string>; args?: string[] },
): Promise<RunResult> {
  return runAsylum([...(options.args ?? []), 'run', '--', 'bash', '-c', script], {
    cwd: project,
    home: options.home,
    env: { ...HOST_ENV, ...options.env },
  });
}

/** `key=value` lines a probe script printed, as a record (later lines win). */
export function facts(stdout: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of stdout.split('\n')) {
    const match = /^@([^=\s]+)=(.*)$/.exec(line);
    if (match) out[match[1]!] = match[2]!;
  }
  return out;
}

/** A session that keeps the project's container up while other sessions attack it. */
export async function keepAlive(project: string, home: string) {
  const name = containerName(project);
  const child = startAsylum(['run', 'sleep', '300'], { cwd: project, home, env: HOST_ENV });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  child.stdout?.resume();
  const closed = new Promise<void>((resolve) => child.on('close', () => resolve()));
  try {
    await waitFor(() => projectContainers(name).length === 1, FIRST_START_MS);
  } catch (error) {
    child.kill('SIGKILL');
    throw new Error(`the container of ${project} did not start: ${stderr}`, { cause: error });
  }
  return {
    name,
    /** Ends the session and waits until the container is gone; returns how long that took. */
    async stop(): Promise<number> {
      child.kill('SIGTERM');
      await closed;
      return waitFor(() => projectContainers(name).length === 0, 60_000);
    },
  };
}

export interface MountInfo {
  Type: string;
  Source: string;
  Name?: string;
  Destination: string;
  RW: boolean;
}

export function mountsOf(container: string): MountInfo[] {
  return JSON.parse(docker(['inspect', '--format', '{{json .Mounts}}', container]));
}

/**
 * Refuses to run a destructive attack in a container that mounts anything of the
 * host besides the project and asylum's own state: if the promise were broken,
 * `rm -rf /` inside would really delete host files.
 */
export function assertOnlyProjectAndState(container: string, home: string, project: string): void {
  const strays = mountsOf(container).filter(
    (m) =>
      m.Type !== 'volume' &&
      m.Source !== project &&
      !m.Source.startsWith(`${join(home, '.asylum')}/`),
  );
  if (strays.length > 0) {
    throw new Error(
      `refusing the destructive attack: host paths mounted besides the project and ~/.asylum: ${strays
        .map((m) => `${m.Source} -> ${m.Destination}`)
        .join(', ')}`,
    );
  }
}

/** Host processes whose argv contains `needle` (container processes are host processes too). */
export function hostProcesses(needle: string): number[] {
  const pids: number[] = [];
  for (const pid of readdirSync('/proc').filter((n) => /^\d+$/.test(n))) {
    try {
      if (readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' ').includes(needle))
        pids.push(Number(pid));
    } catch {
      // Ended while we looked.
    }
  }
  return pids;
}

/** Every host process's argv, as `ps` would show it. */
export function hostCmdlines(): string[] {
  const lines: string[] = [];
  for (const pid of readdirSync('/proc').filter((n) => /^\d+$/.test(n))) {
    try {
      lines.push(readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' '));
    } catch {
      // Ended while we looked.
    }
  }
  return lines;
}

/**
 * A script that lists `path:marker` for every marker anywhere in the container's
 * filesystem (as root, /proc /sys /dev left out), then in every process's
 * environment, prefixed `@env:`.
 */
export const MARKER_SCAN = [
  `roots=$(ls -d /* | grep -vxE '/(proc|sys|dev)')`,
  `sudo timeout 120 grep -raoE '${MARKER_PATTERN}' $roots 2>/dev/null | sort -u`,
  `echo "@grep-exit=\${PIPESTATUS[0]}"`,
  `{ env; sudo env; sudo sh -c 'cat /proc/[0-9]*/environ 2>/dev/null' | tr '\\0' '\\n'; } | grep -oE '${MARKER_PATTERN}' | sort -u | sed 's/^/@env:/'`,
].join('\n');

/** `path:marker` hits of MARKER_SCAN, and markers seen in environments. */
export function scanHits(stdout: string): { files: string[]; env: string[] } {
  const files: string[] = [];
  const env: string[] = [];
  for (const line of stdout.split('\n')) {
    if (line.startsWith('@env:')) env.push(line.slice(5));
    else if (/(BLASTMARK|IDENTMARK)-/.test(line) && !line.startsWith('@')) files.push(line);
  }
  return { files, env };
}

/**
 * Runs one promise check and records it for the final table. A failing body is
 * recorded as not contained and rethrown (so `it.fails` tests record breaches).
 */
export async function verify(
  promise: string,
  test: string,
  attacks: string[],
  body: () => Promise<void>,
  breach?: string,
): Promise<void> {
  const started = Date.now();
  let contained = false;
  try {
    await body();
    contained = true;
  } finally {
    const row: BlastRow = {
      promise,
      test,
      attacks,
      contained,
      seconds: (Date.now() - started) / 1000,
      ...(breach && !contained ? { breach } : {}),
    };
    appendFileSync(inject('blastReport'), `${JSON.stringify(row)}\n`);
  }
}

export { containerName };
