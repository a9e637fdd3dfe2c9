import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { UserError } from '../errors.js';
import { formatEnvFile, readDotenv, stageFiles, stageGitConfig } from './host-files.js';

const NEUTRAL =
  '[user]\n\tname = asylum agent\n\temail = agent@asylum.invalid\n' +
  '[init]\n\tdefaultBranch = main\n';

let root: string;
let home: string;
let hostFiles: string;

beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'asylum-host-files-'));
  home = join(root, 'home');
  hostFiles = join(root, 'data', 'projects', 'c', 'host');
  mkdirSync(home);
});

afterEach(() => {
  rmSync(root, { recursive: true, force: true });
});

function staged(): string {
  return readFileSync(join(hostFiles, 'gitconfig'), 'utf8');
}

/**
 * Reads one value the way git's config parser does: double quotes group,
 * `\"`, `\\`, `\n`, `\t` and `\b` are escapes, `#` or `;` outside quotes start
 * a comment, and unquoted surrounding whitespace is dropped.
 */
function parseGitValue(raw: string): string {
  let value = '';
  let quoted = false;
  let pendingSpace = '';
  for (let i = 0; i < raw.length; i++) {
    const char = raw[i]!;
    if (char === '\\') {
      const next = raw[++i];
      const escapes: Record<string, string> = { '"': '"', '\\': '\\', n: '\n', t: '\t', b: '\b' };
      if (next === undefined || !(next in escapes)) throw new Error(`bad escape in ${raw}`);
      value += pendingSpace + escapes[next];
      pendingSpace = '';
    } else if (char === '"') {
      quoted = !quoted;
    } else if (!quoted && (char === '#' || char === ';')) {
      break;
    } else if (!quoted && (char === ' ' || char === '\t')) {
      if (value !== '') pendingSpace += char;
    } else {
      value += pendingSpace + char;
      pendingSpace = '';
    }
  }
  if (quoted) throw new Error(`unterminated quote in ${raw}`);
  return value;
}

/** Every `directory` value in `[safe]` sections, parsed. */
function safeDirectories(text: string): string[] {
  const values: string[] = [];
  let section = '';
  for (const line of text.split('\n')) {
    const header = /^\s*\[([^\]]+)\]\s*$/.exec(line);
    if (header) section = header[1]!.trim().toLowerCase();
    const entry = /^\s*directory\s*=(.*)$/.exec(line);
    if (entry && section === 'safe') values.push(parseGitValue(entry[1]!));
  }
  return values;
}

describe('stageGitConfig', () => {
  it('writes a neutral identity when the host has no ~/.gitconfig', () => {
    stageGitConfig(home, hostFiles, '/work/proj');
    expect(staged().startsWith(`${NEUTRAL}\n# Added by asylum: `)).toBe(true);
    expect(staged().endsWith('\n[safe]\n\tdirectory = "/work/proj"\n')).toBe(true);
    expect(safeDirectories(staged())).toEqual(['/work/proj']);
  });

  it('copies the host ~/.gitconfig and appends the trust', () => {
    const host = '[user]\n\tname = Dev Person\n\temail = dev@example.com\n';
    writeFileSync(join(home, '.gitconfig'), host);
    stageGitConfig(home, hostFiles, '/work/proj');
    expect(staged().startsWith(`${host}\n# Added by asylum: `)).toBe(true);
    expect(staged().endsWith('\n[safe]\n\tdirectory = "/work/proj"\n')).toBe(true);
    expect(staged()).not.toContain('asylum agent');
    expect(safeDirectories(staged())).toEqual(['/work/proj']);
  });

  it('trusts extra directories after the project, each quoted', () => {
    stageGitConfig(home, hostFiles, '/work/wt', ['/work/main repo/.git', '/x/"q"']);
    expect(safeDirectories(staged())).toEqual(['/work/wt', '/work/main repo/.git', '/x/"q"']);
  });

  it('starts the [safe] section on its own line after a file without a final newline', () => {
    writeFileSync(join(home, '.gitconfig'), '[core]\n\teditor = vim');
    stageGitConfig(home, hostFiles, '/work/proj');
    const lines = staged().split('\n');
    expect(lines).toContain('\teditor = vim');
    expect(lines).toContain('[safe]');
    expect(safeDirectories(staged())).toEqual(['/work/proj']);
  });

  it('quotes a project path with spaces, quotes and backslashes', () => {
    const project = '/work/my "quoted" dir\\sub #1; x';
    stageGitConfig(home, hostFiles, project);
    expect(staged()).toContain('\tdirectory = "/work/my \\"quoted\\" dir\\\\sub #1; x"\n');
    expect(safeDirectories(staged())).toEqual([project]);
  });

  it('keeps non-ASCII and spaces at the ends', () => {
    const project = '/work/ projet été ';
    stageGitConfig(home, hostFiles, project);
    expect(safeDirectories(staged())).toEqual([project]);
  });

  it('writes the file 0644, creating the directory', () => {
    stageGitConfig(home, hostFiles, '/work/proj');
    expect(statSync(join(hostFiles, 'gitconfig')).mode & 0o777).toBe(0o644);
  });

  it('replaces the staged file on every call', () => {
    stageGitConfig(home, hostFiles, '/work/one');
    writeFileSync(join(home, '.gitconfig'), '[user]\n\tname = Later\n');
    stageGitConfig(home, hostFiles, '/work/two');
    expect(staged().startsWith('[user]\n\tname = Later\n')).toBe(true);
    expect(safeDirectories(staged())).toEqual(['/work/two']);
  });
});

describe('stageFiles', () => {
  it('writes each file 0644 with its text', () => {
    stageFiles(hostFiles, { 'a.txt': 'alpha\n', known_hosts: '' });
    expect(readFileSync(join(hostFiles, 'a.txt'), 'utf8')).toBe('alpha\n');
    expect(readFileSync(join(hostFiles, 'known_hosts'), 'utf8')).toBe('');
    for (const name of ['a.txt', 'known_hosts']) {
      expect(statSync(join(hostFiles, name)).mode & 0o777).toBe(0o644);
    }
  });
});

describe('readDotenv', () => {
  function dotenv(text: string): Record<string, string> {
    writeFileSync(join(root, '.env'), text);
    return readDotenv(root);
  }

  it('leaves out what is no env var name (INI, npmrc lines) and ASYLUM* names, with a warning', () => {
    const warnings: string[] = [];
    writeFileSync(
      join(root, '.env'),
      '[default]\naws_key = AKIA\n//registry.example/:_authToken=npm_x\nASYLUM_IDLE_TICKS=9\nOK=1\n',
    );
    const values = readDotenv(root, (message) => warnings.push(message));
    expect(values).toEqual({ OK: '1' });
    expect(warnings).toHaveLength(3);
  });

  it('returns nothing when there is no .env', () => {
    expect(readDotenv(root)).toEqual({});
  });

  it('reads quotes, comments and export prefixes', () => {
    const text = [
      '# a comment',
      'A=1',
      'B="two words"',
      "C='single $HOME'",
      'D=4 # trailing comment',
      'export E=5',
      '  export F=6',
      'export  G=7',
      'export\tH=8',
      'I="a#b"',
      'EMPTY=',
      'J=x=y',
      'exported=9',
      '',
    ].join('\n');
    expect(dotenv(text)).toEqual({
      A: '1',
      B: 'two words',
      C: 'single $HOME',
      D: '4',
      E: '5',
      F: '6',
      G: '7',
      H: '8',
      I: 'a#b',
      EMPTY: '',
      J: 'x=y',
      exported: '9',
    });
  });

  it('reads a file with CRLF line ends', () => {
    expect(dotenv('A=1\r\nB="x"\r\n')).toEqual({ A: '1', B: 'x' });
  });

  it('refuses a multi-line value', () => {
    const path = join(root, '.env');
    const message = `${path}: BAD: multi-line values cannot be passed to a container`;
    expect(() => dotenv('OK=1\nBAD="line1\nline2"\n')).toThrow(UserError);
    expect(() => dotenv('OK=1\nBAD="line1\nline2"\n')).toThrow(message);
    expect(() => dotenv('BAD="x\\ny"\n')).toThrow(message);
  });
});

describe('formatEnvFile', () => {
  it('writes one KEY=VALUE a line, literally', () => {
    expect(
      formatEnvFile({ A: '1', B: 'two words', C: '', D: 'x=y', E: '"quoted" $HOME #no' }),
    ).toBe('A=1\nB=two words\nC=\nD=x=y\nE="quoted" $HOME #no\n');
  });

  it('writes nothing for no variables', () => {
    expect(formatEnvFile({})).toBe('');
  });
});

describe('withoutHostSecrets', () => {
  it('drops credential, include and http sections and token headers, keeps the identity', async () => {
    const { withoutHostSecrets } = await import('./host-files.js');
    const text = [
      '[user]',
      '\tname = Me',
      '[credential]',
      '\thelper = store',
      '[includeIf "gitdir:~/work/"]',
      '\tpath = ~/.gitconfig-work',
      '[http "https://example.test"]',
      '\textraHeader = Authorization: Bearer TOKEN',
      '[url "git@example.test:"]',
      '\tinsteadOf = https://example.test/',
      '\textraheader = X: y',
      '[alias]',
      '\tst = status',
    ].join('\n');
    const kept = withoutHostSecrets(text);
    expect(kept).toBe(
      [
        '[user]',
        '\tname = Me',
        '[url "git@example.test:"]',
        '\tinsteadOf = https://example.test/',
        '[alias]',
        '\tst = status',
      ].join('\n'),
    );
  });

  it('drops tokens in URLs (sections and values) and sendemail passwords', async () => {
    const { withoutHostSecrets } = await import('./host-files.js');
    const text = [
      '[url "https://x-access-token:ghp_URLTOKEN@github.com/"]',
      '\tinsteadOf = https://github.com/',
      '[sendemail]',
      '\tsmtpServer = mail.example.test',
      '\tsmtpPass = SMTPSECRET',
      '[remote "mirror"]',
      '\turl = https://bot:SECRET2@git.example.test/r.git',
      '[user]',
      '\tname = Me',
    ].join('\n');
    const kept = withoutHostSecrets(text);
    for (const secret of ['ghp_URLTOKEN', 'SMTPSECRET', 'SECRET2'])
      expect(kept).not.toContain(secret);
    expect(kept).toContain('smtpServer = mail.example.test');
    expect(kept).toContain('name = Me');
  });
});
