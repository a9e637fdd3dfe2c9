import type { Kit } from './types.js';

/** Pinned so the image (and its hash) only changes when asylum moves it. */
export const AST_GREP_VERSION = '0.51.1';

/**
 * ast-grep from npm: the package ships the native binary for each platform as
 * an optional dependency, so nothing is downloaded outside the registry.
 */
export const astGrepKit: Kit = {
  name: 'ast-grep',
  tier: 'opt-in',
  summary: `ast-grep ${AST_GREP_VERSION} (structural search and rewrite) from npm`,
  order: 44,
  dockerfile: () => [
    `RUN npm install -g --no-audit --no-fund @ast-grep/cli@${AST_GREP_VERSION} \\`,
    '    && npm cache clean --force && ast-grep --version',
  ],
};
