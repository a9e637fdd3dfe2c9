import type { KitOptions } from '../config/types.js';
import type { PlannedMount } from '../plan/container.js';

export type KitTier = 'always' | 'default' | 'opt-in';

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
  /** Set when the kit reads `credentials`; the wizard and `asylum config` offer it. */
  credentials?: KitCredentials;
  /** Host-side preparation for a container about to be created. */
  prepare?: KitPrepare;
  /** Directories (relative to home) the image creates for the user. */
  homeDirs?: readonly string[];
}

/** What a kit may look at on the host when a container is about to be created. */
export interface KitRuntimeContext {
  home: string;
  /** `~/.asylum`. */
  asylumDir: string;
  projectDir: string;
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
