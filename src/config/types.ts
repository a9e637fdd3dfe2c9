/**
 * The shape of asylum's configuration after loading and merging every layer.
 * Keys use the YAML spelling (kebab-case) so error messages and the
 * written files read the same.
 */

export type AgentConfigMode = 'isolated' | 'project' | 'shared';

export interface AgentOptions {
  /** Where the agent's own config dir comes from (issue 3). */
  config?: AgentConfigMode;
  /** Other agents installed and mounted alongside this one. */
  companions?: string[];
  /** Pinned package version installed into the image. */
  version?: string;
}

export interface KitOptions {
  disabled?: boolean;
  packages?: string[];
  build?: string[];
  versions?: string[];
  'default-version'?: string;
  'shadow-node-modules'?: boolean;
  onboarding?: boolean;
  count?: number;
  credentials?: 'auto' | false | string[];
  isolation?: 'isolated' | 'project' | 'shared';
  writable?: boolean;
  bind?: 'loopback' | 'all';
}

export interface ImageOptions {
  /** The Debian trixie image every asylum image is built FROM. */
  base?: string;
}

export interface ResourceLimits {
  cpus?: number;
  memory?: string;
  pids?: number;
}

export interface Config {
  version?: string;
  agent?: string;
  'default-resume'?: boolean;
  agents?: Record<string, AgentOptions | null>;
  kits?: Record<string, KitOptions | null>;
  image?: ImageOptions;
  resources?: ResourceLimits;
  'host-access'?: boolean;
  ports?: string[];
  volumes?: string[];
  env?: Record<string, string>;
}

/** Where a config value came from, for error messages. */
export interface SourcePosition {
  file: string;
  line: number;
  column: number;
}

/** One loaded layer: its parsed value plus a way to locate any key path. */
export interface ConfigLayer {
  /** A file path, or `command line` for flags. */
  source: string;
  config: Config;
  /** The position of a key path inside this layer, when it is a file. */
  locate(path: readonly (string | number)[]): SourcePosition | undefined;
}
