import { dockerKit } from './docker.js';
import { githubKit } from './github.js';
import { javaKit } from './java.js';
import { nodeKit } from './node.js';
import { portsKit } from './ports.js';
import { pythonKit } from './python.js';
import { shellKit } from './shell.js';
import { sshKit } from './ssh.js';
import type { Kit } from './types.js';

/** Every kit asylum knows, in snippet order. */
export const KITS: readonly Kit[] = [
  javaKit,
  pythonKit,
  nodeKit,
  sshKit,
  shellKit,
  githubKit,
  portsKit,
  dockerKit,
].sort((a, b) => a.order - b.order || a.name.localeCompare(b.name));

export function findKit(name: string): Kit | undefined {
  return KITS.find((kit) => kit.name === name);
}

export type { Kit } from './types.js';
