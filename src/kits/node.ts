import type { Kit } from './types.js';

/**
 * Node from Debian (trixie ships 20.19), with npm upgraded from the registry:
 * Debian's npm 9 installs every optional platform binary, which doubles the size
 * of agents such as Claude Code.
 */
export const nodeKit: Kit = {
  name: 'node',
  tier: 'always',
  summary: 'Node.js from Debian with a current npm; npm cache volume',
  order: 14,
  aptPackages: ['nodejs', 'npm'],
  dockerfile: () => [
    'RUN npm install -g --no-audit --no-fund npm@11 && npm cache clean --force \\',
    // npm 11 inherits Debian's builtin npmrc, whose globalignorefile it warns about.
    "    && sed -i '/globalignorefile/d' /usr/local/lib/node_modules/npm/npmrc \\",
    '    && rm -rf /root/.npm',
  ],
  caches: [{ tool: 'npm', homePath: '.npm' }],
  userInstalls: {
    key: 'packages',
    noun: 'npm package',
    // As root into the global prefix (/usr/local), like the agents: every user finds them.
    lines: (names) => [
      `RUN npm install -g --no-audit --no-fund ${names.join(' ')} && npm cache clean --force`,
    ],
  },
};
