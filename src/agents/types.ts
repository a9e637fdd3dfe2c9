/**
 * An agent is a coding assistant asylum can install and start in YOLO mode.
 */
export interface Agent {
  name: string;
  summary: string;
  /** The executable inside the container. */
  binary: string;
  /** Arguments that switch off the agent's own permission prompts. */
  yoloArgs: readonly string[];
  /** Its config directory, relative to the home directory (same on host and in container). */
  configDir: string | undefined;
  /** npm package that provides it, if installed from the npm registry. */
  npmPackage?: string;
  /** Version pinned by asylum, overridable with `agents.<name>.version`. */
  defaultVersion?: string;
  /** Environment the agent needs, given the container user's home. */
  env(home: string): Record<string, string>;
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
