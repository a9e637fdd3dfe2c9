import { execFileSync } from 'node:child_process';
import {
  chmodSync,
  chownSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { claudeAgent } from '../agents/claude.js';
import { codexAgent } from '../agents/codex.js';
import { echoAgent } from '../agents/echo.js';
import { geminiAgent } from '../agents/gemini.js';
import { opencodeAgent } from '../agents/opencode.js';
import { piAgent } from '../agents/pi.js';
import type { Agent } from '../agents/types.js';
import type { AgentConfigMode } from '../config/types.js';
import { UserError } from '../errors.js';
import {
  type AgentConfigRequest,
  agentConfigMode,
  checkWritable,
  formatSize,
  globToRegExp,
  markSession,
  resolveAgentConfigDir,
  resolveCompanions,
} from './agent-config.js';

const PROJECT = '/work/my_app';
const SLUG = '-work-my-app';
const isRoot = process.getuid?.() === 0;

let root: string;
let home: string;
let asylumDir: string;
let projectDataDir: string;

beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'asylum-agent-config-'));
  home = join(root, 'home');
  asylumDir = join(home, '.asylum');
  projectDataDir = join(asylumDir, 'projects', 'asylum-0123456789ab-my-app');
  mkdirSync(home);
});

afterEach(() => {
  rmSync(root, { recursive: true, force: true });
});

function write(path: string, content: string | Buffer = 'x', mode = 0o644): string {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, content);
  chmodSync(path, mode);
  return path;
}

function request(agent: Agent, mode?: AgentConfigMode): AgentConfigRequest {
  return { home, asylumDir, projectDataDir, projectDir: PROJECT, agent, mode };
}

/** Every path under `dir`, relative and sorted, directories marked with a trailing `/`. */
function tree(dir: string): string[] {
  const out: string[] = [];
  const visit = (path: string, relative: string) => {
    for (const name of readdirSync(path).sort()) {
      const rel = relative ? `${relative}/${name}` : name;
      const isDir = statSync(join(path, name)).isDirectory();
      out.push(isDir ? `${rel}/` : rel);
      if (isDir) visit(join(path, name), rel);
    }
  };
  visit(dir, '');
  return out;
}

describe('resolveAgentConfigDir: modes', () => {
  it('isolated is the default: ~/.asylum/agents/<name>', () => {
    const result = resolveAgentConfigDir(request(claudeAgent))!;
    expect(result.hostDir).toBe(join(asylumDir, 'agents', 'claude'));
    expect(result.mode).toBe('isolated');
    expect(statSync(result.hostDir).isDirectory()).toBe(true);
    expect(agentConfigMode(undefined, 'claude')).toBe('isolated');
    expect(agentConfigMode({ claude: null }, 'claude')).toBe('isolated');
    expect(agentConfigMode({ claude: { config: 'shared' } }, 'claude')).toBe('shared');
  });

  it('project: <project data dir>/<name>-config', () => {
    const result = resolveAgentConfigDir(request(codexAgent, 'project'))!;
    expect(result.hostDir).toBe(join(projectDataDir, 'codex-config'));
    expect(statSync(result.hostDir).mode & 0o777).toBe(0o700);
  });

  it('shared: the native dir, created when missing, never seeded', () => {
    const result = resolveAgentConfigDir(request(claudeAgent, 'shared'))!;
    expect(result.hostDir).toBe(join(home, '.claude'));
    expect(result.fresh).toBe(true);
    expect(result.report).toEqual(['created ~/.claude (shared with the host)']);
    write(join(home, '.claude', 'settings.json'));
    const again = resolveAgentConfigDir(request(claudeAgent, 'shared'))!;
    expect(again).toMatchObject({ fresh: false, report: [] });
  });

  it('shared: a symlinked native dir resolves to its target so the mount works', () => {
    const target = join(root, 'dotfiles', 'claude');
    mkdirSync(target, { recursive: true });
    symlinkSync(target, join(home, '.claude'));
    expect(resolveAgentConfigDir(request(claudeAgent, 'shared'))!.hostDir).toBe(target);
  });

  it('shared: a file or a dangling symlink in the way is a UserError', () => {
    symlinkSync(join(root, 'gone'), join(home, '.claude'));
    expect(() => resolveAgentConfigDir(request(claudeAgent, 'shared'))).toThrow(UserError);
    write(join(home, '.codex'));
    expect(() => resolveAgentConfigDir(request(codexAgent, 'shared'))).toThrow(
      /~\/\.codex is not a directory/,
    );
  });

  it('has nothing to resolve for an agent without a config dir', () => {
    expect(resolveAgentConfigDir(request(echoAgent))).toBeUndefined();
  });

  it('leaves an existing dir alone: no second seed', () => {
    write(join(home, '.claude', 'settings.json'), '{"a":1}');
    const first = resolveAgentConfigDir(request(claudeAgent))!;
    expect(first.fresh).toBe(true);
    write(join(home, '.claude', 'settings.json'), '{"a":2}');
    const second = resolveAgentConfigDir(request(claudeAgent))!;
    expect(second).toMatchObject({ fresh: false, report: [], warnings: [] });
    expect(readFileSync(join(second.hostDir, 'settings.json'), 'utf8')).toBe('{"a":1}');
  });

  it('creates an empty dir when the host has nothing to copy', () => {
    const result = resolveAgentConfigDir(request(geminiAgent))!;
    expect(result.fresh).toBe(true);
    expect(readdirSync(result.hostDir)).toEqual([]);
    expect(result.report).toEqual([
      'created ~/.asylum/agents/gemini empty: nothing to copy from the host (no ~/.gemini)',
    ]);
  });
});

describe('resolveAgentConfigDir: seeding', () => {
  function claudeHome(): void {
    const native = join(home, '.claude');
    write(join(native, 'settings.json'), '{"model":"opus"}', 0o600);
    write(join(native, '.credentials.json'), '{"token":"t"}', 0o600);
    write(join(native, 'CLAUDE.md'), '# rules');
    write(join(native, 'hooks', 'pre.sh'), '#!/bin/sh\n', 0o755);
    write(join(native, 'projects', SLUG, 'mine.jsonl'), '{}\n');
    write(join(native, 'projects', SLUG, 'memory', 'notes.md'), 'n');
    write(join(native, 'projects', '-work-other', 'theirs.jsonl'), '{}\n');
    write(join(native, 'todos', 'a.json'));
    write(join(native, 'statsig', 'cache'));
    write(join(native, 'shell-snapshots', 'snap.sh'));
    write(join(native, 'history.jsonl'), 'every prompt\n');
    write(
      join(home, '.claude.json'),
      JSON.stringify({
        userID: 'u1',
        projects: { [PROJECT]: { allowedTools: ['Bash'] }, '/work/other': { secret: 1 } },
      }),
    );
  }

  it('copies settings and credentials, keeps this project, skips caches and others', () => {
    claudeHome();
    const result = resolveAgentConfigDir(request(claudeAgent))!;
    expect(result.fresh).toBe(true);
    expect(tree(result.hostDir)).toEqual([
      '.claude.json',
      '.credentials.json',
      'CLAUDE.md',
      'hooks/',
      'hooks/pre.sh',
      'projects/',
      `projects/${SLUG}/`,
      `projects/${SLUG}/memory/`,
      `projects/${SLUG}/memory/notes.md`,
      `projects/${SLUG}/mine.jsonl`,
      'settings.json',
    ]);
    expect(result.warnings).toEqual([]);
  });

  it('keeps permission bits and makes every dir 0700', () => {
    claudeHome();
    const { hostDir } = resolveAgentConfigDir(request(claudeAgent))!;
    expect(statSync(join(hostDir, '.credentials.json')).mode & 0o777).toBe(0o600);
    expect(statSync(join(hostDir, 'hooks', 'pre.sh')).mode & 0o777).toBe(0o755);
    expect(statSync(join(hostDir, 'CLAUDE.md')).mode & 0o777).toBe(0o644);
    for (const sub of ['', 'hooks', 'projects', `projects/${SLUG}`]) {
      expect(statSync(join(hostDir, sub)).mode & 0o777).toBe(0o700);
    }
  });

  it('copies ~/.claude.json into the dir with only this project in it', () => {
    claudeHome();
    const { hostDir } = resolveAgentConfigDir(request(claudeAgent))!;
    const copied = JSON.parse(readFileSync(join(hostDir, '.claude.json'), 'utf8'));
    expect(copied).toEqual({ userID: 'u1', projects: { [PROJECT]: { allowedTools: ['Bash'] } } });
  });

  it('copies an unparseable ~/.claude.json as it is, and prefers one inside ~/.claude', () => {
    write(join(home, '.claude.json'), '{broken');
    const broken = resolveAgentConfigDir(request(claudeAgent))!;
    expect(readFileSync(join(broken.hostDir, '.claude.json'), 'utf8')).toBe('{broken');
    expect(broken.report[0]).toBe(
      'seeded ~/.asylum/agents/claude from ~/.claude.json: 1 file, 7 B',
    );

    write(join(home, '.claude', '.claude.json'), '{"inside":true}');
    const inside = resolveAgentConfigDir(request(claudeAgent, 'project'))!;
    expect(readFileSync(join(inside.hostDir, '.claude.json'), 'utf8')).toBe('{"inside":true}');
  });

  it('leaves out files over the size bound, with a note', () => {
    claudeHome();
    write(join(home, '.claude', 'projects', SLUG, 'huge.jsonl'), Buffer.alloc(2048, 'a'));
    const result = resolveAgentConfigDir(request(claudeAgent), { fileLimit: 1024 })!;
    expect(existsSync(join(result.hostDir, 'projects', SLUG, 'huge.jsonl'))).toBe(false);
    expect(result.report).toEqual([
      'seeded ~/.asylum/agents/claude from ~/.claude and ~/.claude.json: ' +
        '7 files, 167 B (skipped: 5 caches, logs or other sessions, 1 file over 1 KiB)',
      `  left out projects/${SLUG}/huge.jsonl (2 KiB)`,
    ]);
  });

  it('seeds a project-mode dir the same way, from the same native dir', () => {
    claudeHome();
    const result = resolveAgentConfigDir(request(claudeAgent, 'project'))!;
    expect(result.hostDir).toBe(join(projectDataDir, 'claude-config'));
    expect(existsSync(join(result.hostDir, 'settings.json'))).toBe(true);
    expect(existsSync(join(result.hostDir, 'todos'))).toBe(false);
  });

  it('follows symlinks to files and dirs, copying their content', () => {
    const shared = join(root, 'dotfiles');
    write(join(shared, 'agents', 'reviewer.md'), 'review');
    write(join(shared, 'settings.json'), '{"s":1}');
    mkdirSync(join(home, '.claude'));
    symlinkSync(join(shared, 'agents'), join(home, '.claude', 'agents'));
    symlinkSync(join(shared, 'settings.json'), join(home, '.claude', 'settings.json'));
    const { hostDir, warnings } = resolveAgentConfigDir(request(claudeAgent))!;
    expect(warnings).toEqual([]);
    expect(readFileSync(join(hostDir, 'agents', 'reviewer.md'), 'utf8')).toBe('review');
    expect(statSync(join(hostDir, 'agents')).isDirectory()).toBe(true);
    expect(readFileSync(join(hostDir, 'settings.json'), 'utf8')).toBe('{"s":1}');
  });

  it('warns and goes on past a dangling symlink, a FIFO and a symlink cycle', () => {
    const native = join(home, '.claude');
    write(join(native, 'settings.json'));
    symlinkSync(join(root, 'gone'), join(native, 'dangling.json'));
    execFileSync('mkfifo', [join(native, 'pipe')]);
    mkdirSync(join(native, 'loop', 'inner'), { recursive: true });
    symlinkSync(join(native, 'loop'), join(native, 'loop', 'inner', 'back'));
    symlinkSync('self', join(native, 'self'));
    const result = resolveAgentConfigDir(request(claudeAgent))!;
    expect(result.warnings).toEqual([
      'skipped dangling.json: dangling symlink',
      'skipped loop/inner/back: symlink cycle (leads back to a parent)',
      'skipped pipe: a FIFO, not a regular file',
      'skipped self: symlink cycle',
    ]);
    expect(tree(result.hostDir)).toEqual(['loop/', 'loop/inner/', 'settings.json']);
  });

  it.skipIf(isRoot)('warns about an unreadable file and an unreadable dir', () => {
    const native = join(home, '.claude');
    write(join(native, 'settings.json'));
    write(join(native, 'secret.json'), 's', 0o000);
    write(join(native, 'closed', 'x'));
    chmodSync(join(native, 'closed'), 0o000);
    try {
      const result = resolveAgentConfigDir(request(claudeAgent))!;
      expect(result.warnings).toEqual([
        'skipped closed: cannot list it (EACCES)',
        'skipped secret.json: unreadable (permission denied)',
      ]);
      expect(existsSync(join(result.hostDir, 'settings.json'))).toBe(true);
    } finally {
      chmodSync(join(native, 'closed'), 0o755);
    }
  });

  it('skips a file that vanishes between listing and copying', () => {
    const native = join(home, '.claude');
    write(join(native, 'a.json'));
    write(join(native, 'b.json'));
    const result = resolveAgentConfigDir(request(claudeAgent), {
      beforeFile: (path) => {
        if (path === 'a.json') rmSync(join(native, 'b.json'));
      },
    })!;
    expect(result.warnings).toEqual(['skipped b.json: vanished while copying']);
    expect(tree(result.hostDir)).toEqual(['a.json']);
  });

  it('leaves no half-seeded dir when interrupted, and seeds fully next time', () => {
    claudeHome();
    const target = join(asylumDir, 'agents', 'claude');
    let copied = 0;
    expect(() =>
      resolveAgentConfigDir(request(claudeAgent), {
        beforeFile: () => {
          if (++copied === 3) throw new Error('interrupted');
        },
      }),
    ).toThrow('interrupted');
    expect(existsSync(target)).toBe(false);
    expect(readdirSync(dirname(target))).toEqual([]);

    const result = resolveAgentConfigDir(request(claudeAgent))!;
    expect(result.fresh).toBe(true);
    expect(existsSync(join(target, 'settings.json'))).toBe(true);
  });

  it.skipIf(isRoot)('says how to fix a parent dir it may not write in', () => {
    const parent = join(asylumDir, 'agents');
    mkdirSync(parent, { recursive: true });
    chmodSync(parent, 0o500);
    try {
      expect(() => resolveAgentConfigDir(request(claudeAgent))).toThrow(
        'cannot write in ~/.asylum/agents: permission denied',
      );
    } finally {
      chmodSync(parent, 0o755);
    }
  });

  it('clears the temp dir of a seed whose process was killed', () => {
    const stale = join(asylumDir, 'agents', 'claude.tmp-999999999');
    write(join(stale, 'half.json'));
    write(join(home, '.claude', 'settings.json'));
    const result = resolveAgentConfigDir(request(claudeAgent))!;
    expect(readdirSync(join(asylumDir, 'agents'))).toEqual(['claude']);
    expect(tree(result.hostDir)).toEqual(['settings.json']);
  });

  it('uses each agent own skip list: codex sessions, gemini tmp, pi bin', () => {
    write(join(home, '.codex', 'config.toml'));
    write(join(home, '.codex', 'auth.json'));
    write(join(home, '.codex', 'sessions', '2026', '01', 'rollout.jsonl'));
    write(join(home, '.codex', 'logs_1.sqlite'));
    write(join(home, '.codex', 'logs_1.sqlite-wal'));
    expect(tree(resolveAgentConfigDir(request(codexAgent))!.hostDir)).toEqual([
      'auth.json',
      'config.toml',
    ]);

    write(join(home, '.gemini', 'settings.json'));
    write(join(home, '.gemini', 'oauth_creds.json'));
    write(join(home, '.gemini', 'tmp', 'abc', 'chats', 'c.json'));
    write(join(home, '.gemini', 'projects.json'));
    expect(tree(resolveAgentConfigDir(request(geminiAgent))!.hostDir)).toEqual([
      'oauth_creds.json',
      'settings.json',
    ]);

    const sessions = join(home, '.pi', 'agent', 'sessions');
    write(join(home, '.pi', 'agent', 'auth.json'));
    write(join(home, '.pi', 'agent', 'bin', 'rg'));
    write(join(home, '.pi', 'agent', 'pi-debug.log'));
    write(join(sessions, '--work-my_app--', 's.jsonl'));
    write(join(sessions, '--work-other--', 's.jsonl'));
    expect(tree(resolveAgentConfigDir(request(piAgent))!.hostDir)).toEqual([
      'agent/',
      'agent/auth.json',
      'agent/sessions/',
      'agent/sessions/--work-my_app--/',
      'agent/sessions/--work-my_app--/s.jsonl',
    ]);
  });

  it('opencode: copies the data dir and ~/.config/opencode into it, without caches', () => {
    write(join(home, '.local', 'share', 'opencode', 'auth.json'), '{}', 0o600);
    write(join(home, '.local', 'share', 'opencode', 'opencode.db'));
    write(join(home, '.local', 'share', 'opencode', 'log', 'x.log'));
    write(join(home, '.config', 'opencode', 'opencode.json'), '{}');
    write(join(home, '.config', 'opencode', 'node_modules', 'p', 'index.js'));
    const result = resolveAgentConfigDir(request(opencodeAgent))!;
    expect(tree(result.hostDir)).toEqual([
      'asylum-config/',
      'asylum-config/opencode.json',
      'auth.json',
    ]);
    expect(result.report[0]).toBe(
      'seeded ~/.asylum/agents/opencode from ~/.local/share/opencode and ~/.config/opencode: ' +
        '2 files, 4 B (skipped: 3 caches, logs or other sessions)',
    );
  });
});

describe('checkWritable', () => {
  it('is fine when everything belongs to the user', () => {
    const dir = join(root, 'mine');
    write(join(dir, 'a', 'b'));
    expect(checkWritable(dir, process.getuid!(), process.getgid!())).toEqual({
      ok: true,
      fixed: 0,
    });
  });

  it('returns the chown command when it may not fix things itself', () => {
    const dir = join(root, "it's mine");
    write(join(dir, 'a'));
    const uid = process.getuid!() + 4242;
    expect(checkWritable(dir, uid, 4343, { fix: false })).toEqual({
      ok: false,
      path: dir,
      command: `sudo chown -R ${uid}:4343 '${root}/it'\\''s mine'`,
    });
  });

  it.skipIf(!isRoot)('hands every foreign entry over when running as root', () => {
    const dir = join(root, 'agent');
    write(join(dir, 'settings.json'));
    write(join(dir, 'sub', 'x'));
    symlinkSync('/etc/hostname', join(dir, 'link'));
    chownSync(join(dir, 'sub', 'x'), 4242, 4242);
    expect(checkWritable(dir, 4242, 4243)).toEqual({ ok: true, fixed: 4 });
    expect(statSync(join(dir, 'sub', 'x')).gid).toBe(4242);
    expect(statSync(join(dir, 'settings.json'))).toMatchObject({ uid: 4242, gid: 4243 });
    expect(statSync('/etc/hostname').uid).toBe(0);
    expect(checkWritable(dir, 4242, 4243, { fix: false })).toEqual({ ok: true, fixed: 0 });
  });
});

describe('resolveCompanions', () => {
  it('resolves each companion in its own mode and seeds it, skipping odd names', () => {
    write(join(home, '.codex', 'config.toml'));
    write(join(home, '.codex', 'sessions', 'x.jsonl'));
    const result = resolveCompanions({
      home,
      asylumDir,
      projectDataDir,
      projectDir: PROJECT,
      primary: claudeAgent,
      agents: {
        claude: { companions: ['codex', 'gemini', 'nope', 'claude', 'echo', 'codex'] },
        codex: { config: 'project' },
      },
    });
    expect(result.warnings).toEqual(['agents.claude.companions: unknown agent "nope"']);
    expect(result.dirs.map((dir) => [dir.agent.name, dir.mode, dir.hostDir])).toEqual([
      ['codex', 'project', join(projectDataDir, 'codex-config')],
      ['gemini', 'isolated', join(asylumDir, 'agents', 'gemini')],
    ]);
    expect(tree(result.dirs[0]!.hostDir)).toEqual(['config.toml']);
    expect(result.dirs.every((dir) => dir.fresh)).toBe(true);
  });

  it('has none when the primary names none', () => {
    const none = resolveCompanions({
      home,
      asylumDir,
      projectDataDir,
      projectDir: PROJECT,
      primary: claudeAgent,
      agents: undefined,
    });
    expect(none).toEqual({ dirs: [], warnings: [] });
  });
});

describe('markSession', () => {
  it('writes the marker that makes codex report a session, and nothing for claude', () => {
    const { hostDir } = resolveAgentConfigDir(request(codexAgent))!;
    expect(codexAgent.hasSession(hostDir, PROJECT)).toBe(false);
    markSession(hostDir, codexAgent, PROJECT);
    expect(codexAgent.hasSession(hostDir, PROJECT)).toBe(true);
    const claude = resolveAgentConfigDir(request(claudeAgent))!.hostDir;
    markSession(claude, claudeAgent, PROJECT);
    expect(readdirSync(claude)).toEqual([]);
  });
});

describe('helpers', () => {
  it('globToRegExp: * within a segment, ** across, literal dots', () => {
    expect(globToRegExp('logs_*.sqlite*').test('logs_1.sqlite-wal')).toBe(true);
    expect(globToRegExp('logs_*.sqlite*').test('logs_1xsqlite')).toBe(false);
    expect(globToRegExp('agent/*.log').test('agent/pi.log')).toBe(true);
    expect(globToRegExp('agent/*.log').test('agent/sub/pi.log')).toBe(false);
    expect(globToRegExp('**/.DS_Store').test('a/b/.DS_Store')).toBe(true);
    expect(globToRegExp('**/.DS_Store').test('.DS_Store')).toBe(true);
  });

  it('formatSize: bytes, then binary units', () => {
    expect([0, 181, 2048, 1536, 5 * 1024 * 1024, 48 * 1024].map(formatSize)).toEqual([
      '0 B',
      '181 B',
      '2 KiB',
      '1.5 KiB',
      '5 MiB',
      '48 KiB',
    ]);
  });
});
