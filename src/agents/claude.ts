import { join } from 'node:path';
import { dashSlug, hasFileEndingIn, listDir, readHead } from './probe.js';
import type { Agent } from './types.js';

const YOLO = ['--dangerously-skip-permissions'] as const;
const RESUME = ['--continue'] as const;

/**
 * Claude names a project's transcript dir after the project path with every
 * character other than an ASCII letter or digit turned into `-` (so
 * `/home/me/my_app.v2` is `-home-me-my-app-v2`, not just `/` replaced). Past
 * this many characters it cuts the name and appends a hash of the path.
 */
const SLUG_LIMIT = 200;

/** The `cwd` recorded in a transcript's first lines, if any. */
function transcriptCwd(file: string): string | undefined {
  const head = readHead(file);
  if (head === undefined) return undefined;
  for (const line of head.split('\n')) {
    try {
      const entry: unknown = JSON.parse(line);
      if (typeof entry === 'object' && entry !== null && 'cwd' in entry) {
        if (typeof entry.cwd === 'string') return entry.cwd;
      }
    } catch {
      // A partial last line or garbage: keep looking.
    }
  }
  return undefined;
}

function hasSession(hostConfigDir: string, projectDir: string): boolean {
  const projects = join(hostConfigDir, 'projects');
  const slug = dashSlug(projectDir);
  if (slug.length <= SLUG_LIMIT) return hasFileEndingIn(join(projects, slug), '.jsonl');
  // The hash suffix changed between Claude releases, so do not recompute it:
  // take every dir with the cut prefix and ask the transcripts whose they are.
  const prefix = `${slug.slice(0, SLUG_LIMIT)}-`;
  return listDir(projects)
    .filter((name) => name.startsWith(prefix))
    .some((name) =>
      listDir(join(projects, name)).some(
        (file) =>
          file.endsWith('.jsonl') && transcriptCwd(join(projects, name, file)) === projectDir,
      ),
    );
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * `~/.claude.json` keeps per-project state for every project the user ever
 * opened. The seeded copy keeps only this project's entry.
 */
function keepOwnProject(text: string, projectDir: string): string {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch {
    return text;
  }
  if (!isRecord(data) || !isRecord(data.projects)) return text;
  const own = data.projects[projectDir];
  const projects = own === undefined ? {} : { [projectDir]: own };
  return `${JSON.stringify({ ...data, projects }, null, 2)}\n`;
}

export const claudeAgent: Agent = {
  name: 'claude',
  summary: 'Claude Code (Anthropic)',
  binary: 'claude',
  yoloArgs: YOLO,
  resumeArgs: RESUME,
  configDir: '.claude',
  npmPackage: '@anthropic-ai/claude-code',
  // Pinned: with Node 20 in the image, an unpinned install resolves to an old release
  // (newer ones declare node >= 22 but ship a native binary that runs anyway).
  defaultVersion: '2.1.332',
  env: (home) => ({
    CLAUDE_CONFIG_DIR: `${home}/.claude`,
    // The image is rebuilt by asylum; a self-update inside would be lost anyway.
    DISABLE_AUTOUPDATER: '1',
  }),
  seedSkip: [
    'projects',
    'todos',
    'shell-snapshots',
    'statsig',
    'logs',
    'cache',
    'debug',
    'ide',
    'file-history',
    'session-env',
    'paste-cache',
    'plans',
    'telemetry',
    'downloads',
    // A local install's node_modules: the image has its own claude.
    'local',
    // Prompt history across every project.
    'history.jsonl',
  ],
  // Only short paths: a cut name's hash suffix is not ours to compute.
  seedKeep: (projectDir) => {
    const slug = dashSlug(projectDir);
    return slug.length <= SLUG_LIMIT ? [`projects/${slug}`] : [];
  },
  // With CLAUDE_CONFIG_DIR set, Claude Code reads `.claude.json` from that dir.
  seedExtras: [{ from: '.claude.json', to: '.claude.json', transform: keepOwnProject }],
  hasSession,
  command: (args, resume) => ['claude', ...YOLO, ...(resume ? RESUME : []), ...args],
};
