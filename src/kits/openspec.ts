import type { Kit } from './types.js';

/** Pinned so the image (and its hash) only changes when asylum moves it. */
export const OPENSPEC_VERSION = '1.13.2';

export const openspecKit: Kit = {
  name: 'openspec',
  tier: 'opt-in',
  summary: `OpenSpec ${OPENSPEC_VERSION} (spec-driven development CLI) from npm`,
  order: 46,
  dockerfile: () => [
    'ENV OPENSPEC_TELEMETRY=0',
    `RUN npm install -g --no-audit --no-fund @fission-ai/openspec@${OPENSPEC_VERSION} \\`,
    '    && npm cache clean --force && openspec --version',
  ],
  // OpenSpec reports usage unless told not to; nothing leaves the sandbox uninvited.
  env: { OPENSPEC_TELEMETRY: '0' },
};
