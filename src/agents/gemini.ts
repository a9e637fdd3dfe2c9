import { join, resolve } from 'node:path';
import { listDir, readHead } from './probe.js';
import type { Agent } from './types.js';

const YOLO = ['--yolo'] as const;
// `--resume` takes an optional value: without `latest` it would swallow the first argument.
const RESUME = ['--resume', 'latest'] as const;

/**
 * Gemini keeps each project's chats in `tmp/<id>/chats/` and records the
 * project's path in `tmp/<id>/.project_root`.
 */
function hasSession(hostConfigDir: string, projectDir: string): boolean {
  const tmp = join(hostConfigDir, 'tmp');
  return listDir(tmp).some((id) => {
    const root = readHead(join(tmp, id, '.project_root'), 16 * 1024)?.trim();
    if (!root || resolve(root) !== resolve(projectDir)) return false;
    return listDir(join(tmp, id, 'chats')).length > 0;
  });
}

export const geminiAgent: Agent = {
  name: 'gemini',
  summary: 'Gemini CLI (Google)',
  binary: 'gemini',
  yoloArgs: YOLO,
  resumeArgs: RESUME,
  configDir: '.gemini',
  npmPackage: '@google/gemini-cli',
  env: () => ({}),
  // `tmp/` holds every project's chats and shell history; `projects.json` maps
  // every project path the user opened.
  seedSkip: ['tmp', 'history', 'projects.json', 'logs'],
  hasSession,
  command: (args, resume) => ['gemini', ...YOLO, ...(resume ? RESUME : []), ...args],
};
