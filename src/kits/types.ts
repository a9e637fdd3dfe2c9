import type { KitOptions } from '../config/types.js';

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
}
