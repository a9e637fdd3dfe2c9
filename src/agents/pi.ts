import { join } from 'node:path';
import { hasFileEndingIn } from './probe.js';
import type { Agent } from './types.js';

const RESUME = ['--continue'] as const;

/** Pi's session dir name: the path without its leading `/`, `/` and `:` turned into `-`. */
function sessionDirName(projectDir: string): string {
  return `--${projectDir.replace(/^[/\\]/, '').replace(/[/\\:]/g, '-')}--`;
}

export const piAgent: Agent = {
  name: 'pi',
  summary: 'Pi coding agent',
  binary: 'pi',
  // Pi has no permission prompts to switch off.
  yoloArgs: [],
  resumeArgs: RESUME,
  configDir: '.pi',
  npmPackage: '@mariozechner/pi-coding-agent',
  // Pinned: the image's Node is Debian trixie's 20.19. Pi moved to
  // @earendil-works/pi-coding-agent, which declares node >= 22.19; 0.73.1 is the
  // last release under this name and declares node >= 20.6.
  defaultVersion: '0.73.1',
  // The image is rebuilt by asylum: no update check at every start.
  env: () => ({ PI_SKIP_VERSION_CHECK: '1' }),
  // `agent/bin` holds fd and rg downloaded for the host's platform.
  seedSkip: ['agent/sessions', 'agent/bin', 'agent/*.log'],
  seedKeep: (projectDir) => [`agent/sessions/${sessionDirName(projectDir)}`],
  // Pi creates the dir at start, so only a transcript in it counts.
  hasSession: (hostConfigDir, projectDir) =>
    hasFileEndingIn(
      join(hostConfigDir, 'agent', 'sessions', sessionDirName(projectDir)),
      '.jsonl',
    ),
  command: (args, resume) => ['pi', ...(resume ? RESUME : []), ...args],
};
