import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { dashSlug } from '../../src/agents/probe.js';
import { containerName } from '../../src/plan/naming.js';
import {
  ctx,
  FIRST_START_MS,
  makeDir,
  makeProject,
  projectContainers,
  runAsylum,
  startAsylum,
  waitFor,
  writeOwned,
} from './harness.js';

/** A HOME whose ~/.claude holds settings, another project's transcript and a cache. */
function homeWithClaude(name: string, config: string): string {
  const home = makeDir(join(ctx.runDir, 'homes', `agent-${name}`));
  makeDir(join(home, '.asylum'));
  writeOwned(join(home, '.asylum', 'config.yaml'), config);
  for (const dir of [
    '.claude',
    '.claude/projects',
    '.claude/projects/-elsewhere',
    '.claude/cache',
  ]) {
    makeDir(join(home, dir));
  }
  writeOwned(join(home, '.claude', 'settings.json'), '{"marker": "HOST-SETTINGS"}\n');
  writeOwned(
    join(home, '.claude', 'projects', '-elsewhere', 's.jsonl'),
    'OTHER-PROJECT-TRANSCRIPT\n',
  );
  writeOwned(join(home, '.claude', 'cache', 'blob'), 'CACHE-CONTENT\n');
  writeOwned(
    join(home, '.claude.json'),
    '{"oauthAccount": {"emailAddress": "me@example.test"}}\n',
  );
  return home;
}

const SCRIPT = [
  'cat ~/.claude/settings.json',
  'test -e ~/.claude/projects/-elsewhere/s.jsonl && echo other-visible || echo other-hidden',
  'test -e ~/.claude/cache/blob && echo cache-visible || echo cache-hidden',
  'grep -q oauthAccount ~/.claude/.claude.json && echo login-copied || echo login-missing',
  'echo \'{"marker": "CHANGED-INSIDE"}\' > ~/.claude/settings.json && echo wrote',
].join('; ');

async function inspectClaude(mode: string) {
  const config = mode === 'default' ? '' : `agents:\n  claude:\n    config: ${mode}\n`;
  const home = homeWithClaude(mode, config);
  const project = makeProject(`agent-config-${mode}`);
  const result = await runAsylum(['run', 'sh', '-c', SCRIPT], { cwd: project, home });
  expect(result.code, result.stderr).toBe(0);
  const hostSettings = readFileSync(join(home, '.claude', 'settings.json'), 'utf8');
  return { home, project, lines: result.stdout.trim().split('\n'), hostSettings };
}

describe.skipIf(!ctx.engine)('agent config isolation (claude)', () => {
  it('isolated (the default): a filtered copy under ~/.asylum/agents; the host dir is untouched', async () => {
    const { home, lines, hostSettings } = await inspectClaude('default');
    expect(lines).toEqual([
      '{"marker": "HOST-SETTINGS"}',
      'other-hidden',
      'cache-hidden',
      'login-copied',
      'wrote',
    ]);
    expect(hostSettings).toContain('HOST-SETTINGS');
    const copy = readFileSync(join(home, '.asylum', 'agents', 'claude', 'settings.json'), 'utf8');
    expect(copy).toContain('CHANGED-INSIDE');
  });

  it('project: a copy of its own under the project data dir', async () => {
    const { home, project, lines, hostSettings } = await inspectClaude('project');
    expect(lines.slice(1)).toEqual(['other-hidden', 'cache-hidden', 'login-copied', 'wrote']);
    expect(hostSettings).toContain('HOST-SETTINGS');
    const dataDir = join(home, '.asylum', 'projects', containerName(project));
    expect(readFileSync(join(dataDir, 'claude-config', 'settings.json'), 'utf8')).toContain(
      'CHANGED-INSIDE',
    );
    expect(existsSync(join(home, '.asylum', 'agents', 'claude'))).toBe(false);
  });

  it('shared: the host ~/.claude itself, read-write', async () => {
    const { lines, hostSettings } = await inspectClaude('shared');
    expect(lines[1]).toBe('other-visible');
    expect(hostSettings).toContain('CHANGED-INSIDE');
  });
});

describe.skipIf(!ctx.engine)('how agents are started', () => {
  it('starts claude in YOLO mode with the args, and --continue when a session exists', async () => {
    const home = homeWithClaude('argv', 'default-resume: true\n');
    const project = makeProject('agent-argv');
    const keeper = startAsylum(['run', 'sleep', '60'], { cwd: project, home });
    try {
      await waitFor(() => projectContainers(containerName(project)).length === 1, FIRST_START_MS);
      // A stand-in claude earlier on PATH prints the argv it was given.
      const fake =
        'mkdir -p ~/.local/bin && printf \'#!/bin/sh\\necho ARGV: "$@"\\n\' > ~/.local/bin/claude && chmod +x ~/.local/bin/claude';
      expect((await runAsylum(['run', 'sh', '-c', fake], { cwd: project, home })).code).toBe(0);
      const first = await runAsylum(['--', 'fix', 'the tests'], { cwd: project, home });
      expect(first.stdout).toBe('ARGV: --dangerously-skip-permissions fix the tests\n');
      const slugDir = join(home, '.asylum', 'agents', 'claude', 'projects', dashSlug(project));
      makeDir(slugDir);
      writeOwned(join(slugDir, 'session.jsonl'), '{}\n');
      const resumed = await runAsylum([], { cwd: project, home });
      expect(resumed.stdout).toBe('ARGV: --dangerously-skip-permissions --continue\n');
      const asked = await runAsylum(['--continue', '-a', 'claude', '--', 'x'], {
        cwd: project,
        home,
      });
      expect(asked.stdout).toBe('ARGV: --dangerously-skip-permissions --continue x\n');
    } finally {
      keeper.kill('SIGTERM');
    }
  });
});
