import type { Agent } from './types.js';

/** Where the seeded dir keeps a copy of the host's `~/.config/opencode`. */
const CONFIG_SUBDIR = 'asylum-config';

export const opencodeAgent: Agent = {
  name: 'opencode',
  summary: 'OpenCode',
  binary: 'opencode',
  // Auto-approves every permission request that config does not explicitly deny.
  yoloArgs: ['--auto'],
  /**
   * OpenCode keeps its login (`auth.json`) and sessions in the XDG data dir and
   * its settings in `~/.config/opencode`. The data dir is the one mounted, so a
   * login survives the container; seeding copies the settings into it and
   * OPENCODE_CONFIG_DIR points there.
   */
  configDir: '.local/share/opencode',
  // No version pin: the package installs a native binary and declares no Node engine.
  npmPackage: 'opencode-ai',
  env: (home) => ({
    OPENCODE_CONFIG_DIR: `${home}/.local/share/opencode/${CONFIG_SUBDIR}`,
    // The image is rebuilt by asylum; a self-update inside would be lost anyway.
    OPENCODE_DISABLE_AUTOUPDATE: '1',
  }),
  seedSkip: [
    'log',
    'snapshot',
    'storage',
    'repos',
    'bin',
    'tool-output',
    // Every project's sessions.
    'opencode*.db*',
    `${CONFIG_SUBDIR}/node_modules`,
  ],
  seedExtras: [{ from: '.config/opencode', to: CONFIG_SUBDIR }],
  // Sessions live in one database for all projects: no resume.
  hasSession: () => false,
  command: (args) => ['opencode', '--auto', ...args],
};
