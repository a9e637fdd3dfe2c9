import type { Kit } from './types.js';

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
};
