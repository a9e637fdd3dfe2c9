import { hasSessionMarker, sessionMarkerPath } from './probe.js';
import type { Agent } from './types.js';

const YOLO = ['--yolo'] as const;

export const codexAgent: Agent = {
  name: 'codex',
  summary: 'Codex CLI (OpenAI)',
  binary: 'codex',
  yoloArgs: YOLO,
  resumeArgs: ['resume', '--last'],
  configDir: '.codex',
  npmPackage: '@openai/codex',
  env: (home) => ({ CODEX_HOME: `${home}/.codex` }),
  seedSkip: [
    'sessions',
    'archived_sessions',
    'history.jsonl',
    'log',
    'logs_*.sqlite*',
    'state_*.sqlite*',
    'shell_snapshots',
    'cache',
    'models_cache.json',
    'version.json',
    'tmp',
    '.tmp',
    'asylum-projects',
  ],
  // Codex keeps every project's rollouts in one dated tree: asylum marks the project.
  sessionMarker: sessionMarkerPath,
  hasSession: hasSessionMarker,
  // `resume` is a subcommand that takes no prompt, so a run with arguments starts afresh.
  command: (args, resume) =>
    resume && args.length === 0
      ? ['codex', 'resume', '--last', ...YOLO]
      : ['codex', ...YOLO, ...args],
};
