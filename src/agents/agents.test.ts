import { execFileSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { claudeAgent } from './claude.js';
import { codexAgent } from './codex.js';
import { copilotAgent } from './copilot.js';
import { echoAgent } from './echo.js';
import { geminiAgent } from './gemini.js';
import { AGENTS, findAgent } from './index.js';
import { opencodeAgent } from './opencode.js';
import { piAgent } from './pi.js';
import { dashSlug, projectKey, readHead } from './probe.js';
import { npmInstallLines } from './types.js';

const PROJECT = '/home/dev/src/my_app.v2';
const isRoot = process.getuid?.() === 0;

let dir: string;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'asylum-agents-'));
});

afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

function write(relative: string, content = 'x'): string {
  const path = join(dir, relative);
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, content);
  return path;
}

describe('command()', () => {
  it('claude: skips permissions, continues on resume, then the arguments', () => {
    expect(claudeAgent.command(['x'], true)).toEqual([
      'claude',
      '--dangerously-skip-permissions',
      '--continue',
      'x',
    ]);
    expect(claudeAgent.command(['x'], false)).toEqual([
      'claude',
      '--dangerously-skip-permissions',
      'x',
    ]);
    expect(claudeAgent.command([], false)).toEqual(['claude', '--dangerously-skip-permissions']);
  });

  it('codex: resumes only without arguments, through its resume subcommand', () => {
    expect(codexAgent.command([], true)).toEqual(['codex', 'resume', '--last', '--yolo']);
    expect(codexAgent.command(['x'], true)).toEqual(['codex', '--yolo', 'x']);
    expect(codexAgent.command(['x'], false)).toEqual(['codex', '--yolo', 'x']);
    expect(codexAgent.command([], false)).toEqual(['codex', '--yolo']);
  });

  it('gemini: names the session to resume so the first argument is not taken for it', () => {
    expect(geminiAgent.command(['x'], true)).toEqual([
      'gemini',
      '--yolo',
      '--resume',
      'latest',
      'x',
    ]);
    expect(geminiAgent.command(['x'], false)).toEqual(['gemini', '--yolo', 'x']);
  });

  it('copilot: allows all, and opens its session picker only without arguments', () => {
    expect(copilotAgent.command([], true)).toEqual(['copilot', '--allow-all', '--resume']);
    expect(copilotAgent.command(['-p', 'hi'], true)).toEqual([
      'copilot',
      '--allow-all',
      '-p',
      'hi',
    ]);
    expect(copilotAgent.command([], false)).toEqual(['copilot', '--allow-all']);
  });

  it('opencode: auto-approves and never resumes', () => {
    expect(opencodeAgent.command(['x'], true)).toEqual(['opencode', '--auto', 'x']);
    expect(opencodeAgent.command([], false)).toEqual(['opencode', '--auto']);
    expect(opencodeAgent.resumeArgs).toBeUndefined();
  });

  it('pi: has no prompts to skip and continues on resume', () => {
    expect(piAgent.command(['x'], true)).toEqual(['pi', '--continue', 'x']);
    expect(piAgent.command(['x'], false)).toEqual(['pi', 'x']);
  });

  it('echo: prints its arguments, resume or not', () => {
    expect(echoAgent.command(['a', 'b'], true)).toEqual(['echo', 'a', 'b']);
  });

  it.each(AGENTS.map((agent) => [agent.name, agent] as const))(
    '%s: starts with its binary and yoloArgs, and ends with the arguments',
    (_name, agent) => {
      const argv = agent.command(['--', 'one arg'], false);
      expect(argv.slice(0, 1 + agent.yoloArgs.length)).toEqual([agent.binary, ...agent.yoloArgs]);
      expect(argv.slice(-2)).toEqual(['--', 'one arg']);
    },
  );
});

describe('AGENTS', () => {
  it('keeps the order and finds every agent by name', () => {
    expect(AGENTS.map((agent) => agent.name)).toEqual([
      'claude',
      'codex',
      'gemini',
      'copilot',
      'opencode',
      'pi',
      'echo',
    ]);
    for (const agent of AGENTS) expect(findAgent(agent.name)).toBe(agent);
  });

  it('installs each npm agent from its package, pinned where Node 20 needs it', () => {
    const packages = Object.fromEntries(AGENTS.map((a) => [a.name, a.npmPackage]));
    expect(packages).toEqual({
      claude: '@anthropic-ai/claude-code',
      codex: '@openai/codex',
      gemini: '@google/gemini-cli',
      copilot: '@github/copilot',
      opencode: 'opencode-ai',
      pi: '@mariozechner/pi-coding-agent',
      echo: undefined,
    });
    expect(piAgent.defaultVersion).toBe('0.73.1');
    expect(npmInstallLines(piAgent, piAgent.defaultVersion)[0]).toContain(
      '@mariozechner/pi-coding-agent@0.73.1',
    );
    for (const agent of [codexAgent, geminiAgent, copilotAgent, opencodeAgent]) {
      expect(agent.defaultVersion).toBeUndefined();
    }
  });

  it('leaves session markers to the agents whose files cannot tell projects apart', () => {
    const marked = AGENTS.filter((agent) => agent.sessionMarker).map((agent) => agent.name);
    expect(marked).toEqual(['codex', 'copilot']);
  });

  it('points each agent at its mounted config dir', () => {
    expect(claudeAgent.env('/h')).toMatchObject({ CLAUDE_CONFIG_DIR: '/h/.claude' });
    expect(codexAgent.env('/h')).toEqual({ CODEX_HOME: '/h/.codex' });
    expect(copilotAgent.env('/h')).toMatchObject({ COPILOT_HOME: '/h/.copilot' });
    expect(opencodeAgent.env('/h')).toMatchObject({
      OPENCODE_CONFIG_DIR: '/h/.local/share/opencode/asylum-config',
    });
  });
});

describe('hasSession: claude', () => {
  it('finds a transcript under the project slug, with dots and underscores as dashes', () => {
    expect(dashSlug(PROJECT)).toBe('-home-dev-src-my-app-v2');
    write('projects/-home-dev-src-my-app-v2/0b5c.jsonl', '{}\n');
    expect(claudeAgent.hasSession(dir, PROJECT)).toBe(true);
  });

  it('is false for another project, an empty dir, or a slug with only `/` replaced', () => {
    write('projects/-home-dev-src-other/1.jsonl');
    mkdirSync(join(dir, 'projects', '-home-dev-src-my-app-v2'), { recursive: true });
    write('projects/-home-dev-src-my_app.v2/1.jsonl');
    expect(claudeAgent.hasSession(dir, PROJECT)).toBe(false);
  });

  it('is false on odd contents: projects a file, a .jsonl dir, a dangling link', () => {
    write('projects', 'not a dir');
    expect(claudeAgent.hasSession(dir, PROJECT)).toBe(false);
    rmSync(join(dir, 'projects'));
    mkdirSync(join(dir, 'projects/-home-dev-src-my-app-v2/a.jsonl'), { recursive: true });
    symlinkSync('/nonexistent', join(dir, 'projects/-home-dev-src-my-app-v2/b.jsonl'));
    expect(claudeAgent.hasSession(dir, PROJECT)).toBe(false);
    expect(claudeAgent.hasSession(join(dir, 'missing'), PROJECT)).toBe(false);
  });

  it('matches a long path by the transcript cwd behind the cut name', () => {
    const long = `/home/dev/${'deep/'.repeat(45)}project`;
    const slug = dashSlug(long);
    expect(slug.length).toBeGreaterThan(200);
    const cut = `projects/${slug.slice(0, 200)}-`;
    write(`${cut}abc/1.jsonl`, `not json\n{"type":"user","cwd":"${long}x"}\n`);
    expect(claudeAgent.hasSession(dir, long)).toBe(false);
    write(`${cut}def/2.jsonl`, `{"type":"summary"}\n{"type":"user","cwd":"${long}"}\n`);
    expect(claudeAgent.hasSession(dir, long)).toBe(true);
  });
});

describe('hasSession: gemini', () => {
  it('finds the tmp dir whose .project_root is the project and whose chats are not empty', () => {
    write('tmp/other/.project_root', '/somewhere/else\n');
    write('tmp/other/chats/session-1.json');
    write('tmp/mine/.project_root', `${PROJECT}\n`);
    expect(geminiAgent.hasSession(dir, PROJECT)).toBe(false);
    write('tmp/mine/chats/session-1.json');
    expect(geminiAgent.hasSession(dir, PROJECT)).toBe(true);
  });

  it('is false on garbage: a .project_root dir, binary bytes, a FIFO, tmp a file', () => {
    mkdirSync(join(dir, 'tmp/a/.project_root'), { recursive: true });
    write('tmp/a/chats/x');
    write('tmp/b/.project_root', '\u0000\u00ff\u0001');
    write('tmp/b/chats/x');
    mkdirSync(join(dir, 'tmp/c/chats'), { recursive: true });
    write('tmp/c/chats/x');
    execFileSync('mkfifo', [join(dir, 'tmp/c/.project_root')]);
    expect(geminiAgent.hasSession(dir, PROJECT)).toBe(false);
    rmSync(join(dir, 'tmp'), { recursive: true });
    write('tmp', 'file');
    expect(geminiAgent.hasSession(dir, PROJECT)).toBe(false);
  });
});

describe('hasSession: codex and copilot', () => {
  it.each([codexAgent, copilotAgent].map((agent) => [agent.name, agent] as const))(
    '%s: true once asylum marked the project, and only for that project',
    (_name, agent) => {
      const marker = agent.sessionMarker!(PROJECT);
      expect(marker).toBe(`asylum-projects/${projectKey(PROJECT)}/.has_session`);
      expect(agent.hasSession(dir, PROJECT)).toBe(false);
      write(agent.sessionMarker!('/home/dev/src/my-app-v2'));
      expect(agent.hasSession(dir, PROJECT)).toBe(false);
      write(marker, '2026-01-01T00:00:00Z\n');
      expect(agent.hasSession(dir, PROJECT)).toBe(true);
    },
  );

  it('keeps markers of paths that share a slug apart', () => {
    expect(projectKey('/a/b-c')).not.toBe(projectKey('/a/b/c'));
    expect(projectKey('/a/b-c')).toMatch(/^-a-b-c-[0-9a-f]{12}$/);
  });

  it('is false when the marker is a directory', () => {
    mkdirSync(join(dir, codexAgent.sessionMarker!(PROJECT)), { recursive: true });
    expect(codexAgent.hasSession(dir, PROJECT)).toBe(false);
  });
});

describe('hasSession: pi, opencode, echo', () => {
  it('pi: a transcript in its session dir for the project', () => {
    const sessions = 'agent/sessions/--home-dev-src-my_app.v2--';
    mkdirSync(join(dir, sessions), { recursive: true });
    expect(piAgent.hasSession(dir, PROJECT)).toBe(false);
    write(`${sessions}/2026-01-01_abc.jsonl`, '{}\n');
    expect(piAgent.hasSession(dir, PROJECT)).toBe(true);
    expect(piAgent.hasSession(dir, '/home/dev/src/other')).toBe(false);
  });

  it('opencode and echo never report a session', () => {
    write('storage/session/x.json');
    expect(opencodeAgent.hasSession(dir, PROJECT)).toBe(false);
    expect(echoAgent.hasSession(dir, PROJECT)).toBe(false);
  });

  it.skipIf(isRoot)('is false, not an error, for an unreadable dir', () => {
    write('projects/-home-dev-src-my-app-v2/1.jsonl');
    chmodSync(join(dir, 'projects'), 0o000);
    try {
      expect(claudeAgent.hasSession(dir, PROJECT)).toBe(false);
    } finally {
      chmodSync(join(dir, 'projects'), 0o755);
    }
  });
});

describe('readHead', () => {
  it('reads at most the limit and nothing from a FIFO or a directory', () => {
    const file = write('big', 'a'.repeat(100));
    expect(readHead(file, 10)).toBe('a'.repeat(10));
    const fifo = join(dir, 'fifo');
    execFileSync('mkfifo', [fifo]);
    expect(readHead(fifo)).toBeUndefined();
    expect(readHead(dir)).toBeUndefined();
  });
});
