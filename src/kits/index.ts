import { dockerKit } from './docker.js';
import { githubKit } from './github.js';
import { javaKit } from './java.js';
import { nodeKit, npmKit, pnpmKit, yarnKit } from './node.js';
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
  npmKit,
  pnpmKit,
  yarnKit,
  sshKit,
  shellKit,
  githubKit,
  portsKit,
  dockerKit,
].sort((a, b) => a.order - b.order || (a.name < b.name ? -1 : 1));

/** `java/maven` is a sub-kit of `java`; top-level kits have no parent. */
export function parentOf(kit: Kit): string | undefined {
  const slash = kit.name.indexOf('/');
  return slash < 0 ? undefined : kit.name.slice(0, slash);
}

export function findKit(name: string): Kit | undefined {
  return KITS.find((kit) => kit.name === name);
}

export type { Kit } from './types.js';
