import { join } from 'node:path';
import type { ProjectPaths } from '../plan/container.js';

/** `~/.asylum`: everything asylum keeps on the host lives below it. */
export function asylumDir(home: string): string {
  return join(home, '.asylum');
}

export function projectPaths(home: string, container: string): ProjectPaths {
  const dataDir = join(asylumDir(home), 'projects', container);
  return {
    dataDir,
    sessions: join(dataDir, 'sessions'),
    hostFiles: join(dataDir, 'host'),
    history: join(dataDir, 'history'),
  };
}

export function logsDir(home: string): string {
  return join(asylumDir(home), 'logs');
}

export function locksDir(home: string): string {
  return join(asylumDir(home), 'locks');
}

export function isolatedAgentDir(home: string, agent: string): string {
  return join(asylumDir(home), 'agents', agent);
}
