import { hasSessionMarker, sessionMarkerPath } from './probe.js';
import type { Agent } from './types.js';

// `--allow-all` (alias `--yolo`): all tools, paths and URLs without asking, as
// `copilot --help` of @github/copilot 1.0.102 and GitHub's CLI reference document it.
const YOLO = ['--allow-all'] as const;
// The session picker rather than `--continue`: the config dir may be shared by
// several projects, and "the most recent session" may belong to another one.
const RESUME = ['--resume'] as const;

export const copilotAgent: Agent = {
  name: 'copilot',
  summary: 'GitHub Copilot CLI',
  binary: 'copilot',
  yoloArgs: YOLO,
  resumeArgs: RESUME,
  configDir: '.copilot',
  // No version pin: the package is a small loader for a native binary and runs on Node 20.
  npmPackage: '@github/copilot',
  env: (home) => ({
    COPILOT_HOME: `${home}/.copilot`,
    // The image is rebuilt by asylum; a self-update inside would be lost anyway.
    COPILOT_AUTO_UPDATE: 'false',
  }),
  seedSkip: [
    'session-state',
    'history-session-state',
    'command-history-state.json',
    'logs',
    'pkg',
    'ide',
    'asylum-projects',
  ],
  sessionMarker: sessionMarkerPath,
  hasSession: hasSessionMarker,
  // `--resume` takes an optional value: with arguments it would swallow the first one.
  command: (args, resume) =>
    resume && args.length === 0 ? ['copilot', ...YOLO, ...RESUME] : ['copilot', ...YOLO, ...args],
};
