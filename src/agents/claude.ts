import type { Agent } from './types.js';

export const claudeAgent: Agent = {
  name: 'claude',
  summary: 'Claude Code (Anthropic)',
  binary: 'claude',
  yoloArgs: ['--dangerously-skip-permissions'],
  configDir: '.claude',
  npmPackage: '@anthropic-ai/claude-code',
  // Pinned: with Node 20 in the image, an unpinned install resolves to an old release
  // (newer ones declare node >= 22 but ship a native binary that runs anyway).
  defaultVersion: '2.1.332',
  env: (home) => ({
    CLAUDE_CONFIG_DIR: `${home}/.claude`,
    // The image is rebuilt by asylum; a self-update inside would be lost anyway.
    DISABLE_AUTOUPDATER: '1',
  }),
};
