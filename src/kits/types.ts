import type { KitOptions } from '../config/types.js';
import type { PlannedMount } from '../plan/container.js';

export type KitTier = 'always' | 'default' | 'opt-in';

/** A named cache kept in a per-project volume, mounted under the user's home. */
export interface KitCache {
  tool: string;
  /** Path relative to the container user's home. */
  homePath: string;
}

/**
 * A kit shapes the sandbox: what the base image installs for it, which caches
 * it keeps, and what it adds to the container at run time.
 */
export interface Kit {
  name: string;
  tier: KitTier;
  summary: string;
  /** Position among the kits' image snippets (lower first). */
  order: number;
  /** Debian packages, installed together with every other kit's in one layer. */
  aptPackages?: readonly string[];
  /** Extra Dockerfile instructions, run as root after the shared apt layer. */
  dockerfile?(options: KitOptions): string[];
  /** Lines appended to the image-wide zsh configuration. */
  zshrc?: readonly string[];
  caches?: readonly KitCache[];
  /** Environment every session of the container gets. */
  env?: Readonly<Record<string, string>>;
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
