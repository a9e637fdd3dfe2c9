import { existsSync, mkdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { parseEnv } from 'node:util';
import writeFileAtomic from 'write-file-atomic';
import { isReservedEnvName } from '../config/specs.js';
import { UserError } from '../errors.js';
import { readProjectFile } from '../host/project-file.js';

/**
 * Writes the git identity a session sees: the host's ~/.gitconfig (read, never
 * mounted, so the container cannot change it) or a neutral identity, plus
 * trust for the project directory only.
 */
export function stageGitConfig(
  home: string,
  hostFilesDir: string,
  projectDir: string,
  extraTrusted: readonly string[] = [],
): void {
  mkdirSync(hostFilesDir, { recursive: true });
  const source = join(home, '.gitconfig');
  const base = existsSync(source)
    ? withoutHostSecrets(readFileSync(source, 'utf8'))
    : '[user]\n\tname = asylum agent\n\temail = agent@asylum.invalid\n[init]\n\tdefaultBranch = main\n';
  const entries = [projectDir, ...extraTrusted].map((dir) => `\tdirectory = ${gitQuote(dir)}\n`);
  const trust = `\n# Added by asylum: trust this project (and its worktree metadata) only.\n[safe]\n${entries.join('')}`;
  writeIfChanged(join(hostFilesDir, 'gitconfig'), base + trust, 0o644);
}

/** Files kits staged for sessions: read-only inside, copied into place by asylum-exec. */
export function stageFiles(hostFilesDir: string, files: Record<string, string>): void {
  mkdirSync(hostFilesDir, { recursive: true });
  for (const [name, text] of Object.entries(files)) {
    writeIfChanged(join(hostFilesDir, name), text, 0o644);
  }
}

/**
 * Every session start stages the same files: rewriting them atomically costs
 * an fsync each, so a file that already holds the text (and mode) is left be.
 */
export function writeIfChanged(path: string, text: string, mode: number): void {
  try {
    if ((statSync(path).mode & 0o777) === mode && readFileSync(path, 'utf8') === text) return;
  } catch {
    // Not there yet: write it.
  }
  writeFileAtomic.sync(path, text, { mode });
}

/**
 * Sections that hold credentials or point at other host files (credential
 * helpers, includes, client certificates) and `extraHeader` lines (tokens) are
 * left out: the container gets your identity and preferences, not your secrets.
 */
const SECRET_SECTION = /^\s*\[\s*(credential|include|includeif|http)\b/i;
const SECRET_KEY =
  /^\s*(extraheader|sslkey|sslcert|sslcertpasswordprotected|cookiefile|smtppass|\w*password|\w*token)\s*=/i;
/** `https://user:token@host` in a section name (`[url "..."]`) or a value. */
const URL_CREDENTIALS = /[a-z][a-z0-9+.-]*:\/\/[^\s/@"]+@/i;

export function withoutHostSecrets(text: string): string {
  let skipping = false;
  const kept: string[] = [];
  for (const line of text.split('\n')) {
    if (/^\s*\[/.test(line)) skipping = SECRET_SECTION.test(line) || URL_CREDENTIALS.test(line);
    if (skipping || SECRET_KEY.test(line) || URL_CREDENTIALS.test(line)) continue;
    kept.push(line);
  }
  return kept.join('\n');
}

/** Git config values with spaces, quotes or backslashes need a quoted string. */
function gitQuote(value: string): string {
  return `"${value.replaceAll('\\', '\\\\').replaceAll('"', '\\"')}"`;
}

/** The project's `.env`, parsed as dotenv (quotes, comments, `export` prefixes). */
export function readDotenv(
  projectDir: string,
  warn: (message: string) => void = () => {},
): Record<string, string> {
  const file = readProjectFile(projectDir, '.env');
  if (file.kind === 'absent') return {};
  if (file.kind === 'refused') {
    warn(`ignoring ${file.path}: ${file.reason}`);
    return {};
  }
  const { path, text } = file;
  const values = parseEnv(text.replace(/^\s*export\s+/gm, '')) as Record<string, string>;
  const kept: Record<string, string> = {};
  for (const [key, value] of Object.entries(values)) {
    // The parser takes nearly any line (`//host/:_authToken=...`, INI sections):
    // only real names pass, and never asylum's own.
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(key) || isReservedEnvName(key)) {
      warn(`${path}: ignoring ${JSON.stringify(key)}: not a usable env var name`);
      continue;
    }
    if (/[\r\n]/.test(value)) {
      throw new UserError(`${path}: ${key}: multi-line values cannot be passed to a container`);
    }
    kept[key] = value;
  }
  return kept;
}

/** Docker's --env-file format: one KEY=VALUE a line, taken literally. */
export function formatEnvFile(env: Record<string, string>): string {
  return Object.entries(env)
    .map(([key, value]) => `${key}=${value}\n`)
    .join('');
}
