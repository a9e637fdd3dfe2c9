import type { Agent } from './types.js';

/** A stand-in agent for tests and demos: prints its arguments, installs nothing. */
export const echoAgent: Agent = {
  name: 'echo',
  summary: 'test agent: prints its arguments',
  binary: 'echo',
  yoloArgs: [],
  configDir: undefined,
  env: () => ({}),
  seedSkip: [],
  hasSession: () => false,
  command: (args) => ['echo', ...args],
};
