import type { Kit } from './types.js';

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
  summary: 'zsh with a prompt that shows the sandbox, tmux, direnv',
  order: 32,
  aptPackages: ['zsh', 'tmux', 'direnv'],
  zshrc: [
    'autoload -Uz colors && colors',
    'setopt PROMPT_SUBST INC_APPEND_HISTORY HIST_IGNORE_DUPS',
    'HISTSIZE=50000; SAVEHIST=50000',
    "PROMPT='%F{magenta}[asylum]%f %F{cyan}%~%f %# '",
    'command -v direnv >/dev/null && eval "$(direnv hook zsh)"',
  ],
  userInstalls: { key: 'build', noun: 'build command', lines: buildLines },
};
