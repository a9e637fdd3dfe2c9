import { claudeAgent } from './claude.js';
import { codexAgent } from './codex.js';
import { copilotAgent } from './copilot.js';
import { echoAgent } from './echo.js';
import { geminiAgent } from './gemini.js';
import { opencodeAgent } from './opencode.js';
import { piAgent } from './pi.js';
import type { Agent } from './types.js';

export const AGENTS: readonly Agent[] = [
  claudeAgent,
  codexAgent,
  geminiAgent,
  copilotAgent,
  opencodeAgent,
  piAgent,
  echoAgent,
];

export const DEFAULT_AGENT = 'claude';

export function findAgent(name: string): Agent | undefined {
  return AGENTS.find((agent) => agent.name === name);
}

export type { Agent } from './types.js';
