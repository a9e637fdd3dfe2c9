import type { KitOptions } from '../config/types.js';
import type { PlannedMount } from '../plan/container.js';

export type KitTier = 'always' | 'default' | 'opt-in';

/**
 * Items a user lists for a kit (`packages:` or `build:`) that the kit installs.
 * Names are checked against the kit's pattern before they reach a Dockerfile.
 */
export interface KitUserInstalls {
  key: 'packages' | 'build';
  /** How one item is called in messages: "Debian package", "npm package". */
  noun: string;
  /** Debian packages go into the image's apt layer instead of lines of their own. */
  apt?: boolean;
  /** The Dockerfile lines that install the items (not used when `apt`). */
  lines?(items: readonly string[]): string[];
}

/** A problem a kit finds in its own options, at a key path below `kits.<name>`. */
export interface KitOptionProblem {
  path: readonly (string | number)[];
  message: string;
}

/** A named cache kept in a per-project volume, mounted under the user's home. */
export interface KitCache {
  tool: string;
  /** Path relative to the container user's home. */
  homePath: string;
}

/** A kit that can pass a host credential in with `credentials: auto`. */
export interface KitCredentials {
  /** Short name in questions ("GitHub"). */
  label: string;
  /** What the container gets when it is on, for hints and the written config. */
  effect: string;
}

/**
 * A kit shapes the sandbox: what the base image installs for it, which caches
 * it keeps, and what it adds to the container at run time.
 */
export interface Kit {
  /** `java`, or `java/maven` for a sub-kit. */
  name: string;
  /** A sub-kit's parent kit (`java` for `java/maven`); it comes with the parent. */
  parent?: string;
  tier: KitTier;
  summary: string;
  /** Position among the kits' image snippets (lower first). */
  order: number;
  /** Debian packages, installed together with every other kit's in one layer. */
  aptPackages?: readonly string[];
  /** Debian packages that depend on the kit's options (the JDKs `versions` asks for). */
  aptPackagesFor?(options: KitOptions): readonly string[];
  /** What `packages:` or `build:` entries of this kit install. */
  userInstalls?: KitUserInstalls;
  /** Checks of option values that only the kit understands (versions it can install). */
  checkOptions?(options: KitOptions): KitOptionProblem[];
  /** Extra Dockerfile instructions, run as root after the shared apt layer. */
  dockerfile?(options: KitOptions): string[];
  /** Lines appended to the image-wide zsh configuration. */
  zshrc?: readonly string[];
  caches?: readonly KitCache[];
  /** Environment every session of the container gets. */
  env?: Readonly<Record<string, string>>;
  /** Set when the kit reads `credentials`; the wizard and `asylum config` offer it. */
  credentials?: KitCredentials;
  /** Host-side preparation for a container about to be created. */
  prepare?: KitPrepare;
  /** Directories (relative to home) the image creates for the user. */
  homeDirs?: readonly string[];
  /**
   * Bash lines the container's init runs as root at start, before any session
   * enters; `as_user CMD...` runs a command as the container user.
   */
  startScript?: readonly string[];
  /** Files added to the build context, for the kit's own COPY instructions. */
  contextFiles?: Readonly<Record<string, string>>;
  /** Groups (created by the kit's packages) the image user joins. */
  userGroups?: readonly string[];
  /** Per-project volumes at absolute paths, named `<container>-<suffix>`. */
  volumes?: readonly KitVolume[];
  /** Engine privileges beyond the defaults: they widen the blast radius. */
  privileges?: KitPrivileges;
}

export interface KitVolume {
  suffix: string;
  target: string;
  reason: string;
}

/**
 * What a kit needs from the engine that an ordinary container does not get.
 * Each item weakens the container as a boundary, so `asylum inspect` lists it
 * and a project file that turns the kit on needs approval.
 */
export interface KitPrivileges {
  capabilities: readonly string[];
  /** System calls allowed beyond the engine's default seccomp profile. */
  extraSyscalls: readonly string[];
  /** `private`: the container gets a cgroup namespace of its own. */
  cgroupns?: 'private';
  /** Why, in a few words, for inspect and the approval prompt. */
  reason: string;
}

/** What a kit may look at on the host when a container is about to be created. */
export interface KitRuntimeContext {
  home: string;
  /** `~/.asylum`. */
  asylumDir: string;
  projectDir: string;
  /** The project's container name (volume names start with it); else projectDataDir's name. */
  container?: string;
  /** `~/.asylum/projects/<container>`. */
  projectDataDir: string;
  options: KitOptions;
  uid: number;
  gid: number;
  warn(message: string): void;
  info(message: string): void;
}

/** A kit's contribution to one container: mounts, env, and files staged for sessions. */
export interface KitRuntime {
  mounts?: PlannedMount[];
  env?: Record<string, string>;
  /** Files written to the read-only host-files dir (`/run/asylum/host/<name>`). */
  stagedFiles?: Record<string, string>;
}

/**
 * Host-side preparation (keys, credentials) happens here, outside the pure plan;
 * the plan only consumes the returned mounts and env.
 */
export type KitPrepare = (context: KitRuntimeContext) => KitRuntime | Promise<KitRuntime>;

/** Marks a build step's own explanation of a failure, for the error asylum prints. */
export const BUILD_ERROR_MARK = 'asylum-error';

/**
 * Shell that prints `asylum-error: <message>` and fails the RUN. The mark is
 * put together by printf, so only the printed line carries it, not the echoed
 * command. `message` is expanded inside double quotes: it must hold no `"`.
 */
export function failBuildWith(message: string): string {
  return `{ printf '%s: %s\\n' ${BUILD_ERROR_MARK} "${message}" >&2; exit 1; }`;
}

/** The explanation in a build log line printed by `failBuildWith`, if it is one. */
export function buildFailureIn(line: string): string | undefined {
  const marked = line.indexOf(`${BUILD_ERROR_MARK}: `);
  return marked < 0 ? undefined : line.slice(marked + BUILD_ERROR_MARK.length + 2);
}
