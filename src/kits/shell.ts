import { lstatSync, mkdirSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import writeFileAtomic from 'write-file-atomic';
import { hashProjectFile } from '../host/project-walk.js';
import type { Kit, KitRuntime, KitRuntimeContext } from './types.js';

/** An `.envrc` larger than this is not a shell snippet anyone approved by reading it. */
const MAX_ENVRC_BYTES = 1024 * 1024;

/** Where direnv keeps its approvals: `$XDG_DATA_HOME/direnv/allow`. */
function hostAllowDir(home: string): string {
  const dataHome = process.env.XDG_DATA_HOME || join(home, '.local', 'share');
  return join(dataHome, 'direnv', 'allow');
}

/**
 * direnv names an approval after sha256 of the `.envrc`'s absolute path, a
 * newline and its content: the same file at the same path inside the
 * container has the same name, so the host's approval holds there too.
 */
export function direnvAllowName(projectDir: string): string | undefined {
  const prefix = `${join(projectDir, '.envrc')}\n`;
  return hashProjectFile(projectDir, '.envrc', { maxBytes: MAX_ENVRC_BYTES, prefix });
}

/**
 * Stages the host's approval of this project's `.envrc` (and nothing else)
 * into a directory mounted read-only as the container's direnv allow dir.
 * Other approvals on the host name other projects' paths: none of them leave.
 */
function prepareShell(context: KitRuntimeContext): KitRuntime {
  const envrc = join(context.projectDir, '.envrc');
  const name = direnvAllowName(context.projectDir);
  if (!name) return {};
  const staged = join(context.projectDataDir, 'direnv-allow');
  mkdirSync(staged, { recursive: true, mode: 0o755 });
  for (const stale of readdirSync(staged)) rmSync(join(staged, stale), { force: true });
  if (isRegularFile(join(hostAllowDir(context.home), name))) {
    writeFileAtomic.sync(join(staged, name), `${envrc}\n`, { mode: 0o644 });
  }
  const target = join(context.home, '.local', 'share', 'direnv', 'allow');
  const reason = "your host's direnv approval of this project's .envrc, if any";
  return { mounts: [{ type: 'bind', source: staged, target, readOnly: true, reason }] };
}

function isRegularFile(path: string): boolean {
  try {
    return lstatSync(path).isFile();
  } catch {
    return false;
  }
}

/**
 * Each `build:` entry becomes one RUN, as root, in JSON (exec) form: the text
 * reaches `sh -c` verbatim, so nothing in it (a trailing backslash, a heredoc
 * marker) can reach into the Dockerfile lines around it.
 */
export function buildLines(commands: readonly string[]): string[] {
  return commands.map((command) => `RUN ["/bin/sh", "-c", ${JSON.stringify(command)}]`);
}

export const shellKit: Kit = {
  name: 'shell',
  tier: 'always',
  summary: "zsh with a prompt that shows the sandbox, tmux, direnv (with the host's approval)",
  order: 32,
  aptPackages: ['zsh', 'tmux', 'direnv'],
  zshrc: [
    'autoload -Uz colors && colors',
    'setopt PROMPT_SUBST INC_APPEND_HISTORY HIST_IGNORE_DUPS',
    'HISTSIZE=50000; SAVEHIST=50000',
    "PROMPT='%F{magenta}[asylum]%f %F{cyan}%~%f %# '",
    'command -v direnv >/dev/null && eval "$(direnv hook zsh)"',
  ],
  // direnv writes its deny list beside the (read-only) allow dir.
  homeDirs: ['.local/share/direnv'],
  prepare: prepareShell,
  userInstalls: { key: 'build', noun: 'build command', lines: buildLines },
};
