/**
 * A file or directory an agent keeps outside its config dir on the host, copied
 * into the seeded dir so the agent finds it there (claude's `~/.claude.json`).
 */
export interface SeedExtra {
  /** Path relative to the host home. */
  from: string;
  /** Path relative to the seeded config dir. */
  to: string;
  /** Rewrites a copied file's text, given the project dir (drop other projects' data). */
  transform?(text: string, projectDir: string): string;
}

/**
 * An agent is a coding assistant asylum can install and start in YOLO mode.
 */
export interface Agent {
  name: string;
  summary: string;
  /** The executable inside the container. */
  binary: string;
  /**
   * Arguments that switch off the agent's own permission prompts.
   * Kept for callers that build the argv themselves; `command()` includes them.
   */
  yoloArgs: readonly string[];
  /** Arguments that continue the project's last conversation, if the agent can. */
  resumeArgs?: readonly string[];
  /** Its config directory, relative to the home directory (same on host and in container). */
  configDir: string | undefined;
  /** npm package that provides it, if installed from the npm registry. */
  npmPackage?: string;
  /** Version pinned by asylum, overridable with `agents.<name>.version`. */
  defaultVersion?: string;
  /** Environment the agent needs, given the container user's home. */
  env(home: string): Record<string, string>;
  /**
   * What seeding leaves behind: caches, logs, telemetry and other projects'
   * sessions. Globs over the path relative to the config dir, `/`-separated:
   * `*` stays within one segment, `**` spans segments, and a match on a
   * directory drops everything below it.
   */
  seedSkip: readonly string[];
  /** Paths under a skipped directory that belong to this project and are kept. */
  seedKeep?(projectDir: string): readonly string[];
  seedExtras?: readonly SeedExtra[];
  /**
   * Whether the config dir on the host holds a session for this project that
   * `resumeArgs` would continue. Never throws: odd or unreadable contents are false.
   */
  hasSession(hostConfigDir: string, projectDir: string): boolean;
  /**
   * For agents whose own files do not tell projects apart: a path relative to
   * the config dir that asylum creates when a session starts in the project.
   */
  sessionMarker?(projectDir: string): string;
  /** The full argv in the container: the binary, YOLO flags, resume flags, then `args`. */
  command(args: readonly string[], resume: boolean): string[];
}

/** `npm install -g` line for an npm-distributed agent, as root in the image. */
export function npmInstallLines(agent: Agent, version: string | undefined): string[] {
  if (!agent.npmPackage) return [];
  const spec = version ? `${agent.npmPackage}@${version}` : agent.npmPackage;
  return [
    `RUN npm install -g --no-audit --no-fund ${spec} && npm cache clean --force \\`,
    `    && ${agent.binary} --version`,
  ];
}
