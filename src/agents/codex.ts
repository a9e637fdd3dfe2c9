import type { Agent } from './types.js';

export const codexAgent: Agent = {
  name: 'codex',
  summary: 'Codex CLI (OpenAI)',
  binary: 'codex',
  yoloArgs: ['--yolo'],
  configDir: '.codex',
  npmPackage: '@openai/codex',
  env: (home) => ({ CODEX_HOME: `${home}/.codex` }),
};
