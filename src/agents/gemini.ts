import type { Agent } from './types.js';

export const geminiAgent: Agent = {
  name: 'gemini',
  summary: 'Gemini CLI (Google)',
  binary: 'gemini',
  yoloArgs: ['--yolo'],
  configDir: '.gemini',
  npmPackage: '@google/gemini-cli',
  env: () => ({}),
};
