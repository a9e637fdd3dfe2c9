import { aptKit } from './apt.js';
import { astGrepKit } from './ast-grep.js';
import { dockerKit } from './docker.js';
import { githubKit } from './github.js';
import { gradleKit, javaKit, mavenKit } from './java.js';
import { nodeKit, npmKit, pnpmKit, yarnKit } from './node.js';
import { openspecKit } from './openspec.js';
import { portsKit } from './ports.js';
import { pythonKit } from './python.js';
import { shellKit } from './shell.js';
import { sshKit } from './ssh.js';
import type { Kit } from './types.js';

/** Every kit asylum knows, in snippet order. */
export const KITS: readonly Kit[] = [
  javaKit,
  mavenKit,
  gradleKit,
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
  aptKit,
  openspecKit,
  astGrepKit,
].sort((a, b) => a.order - b.order || (a.name < b.name ? -1 : 1));

export function findKit(name: string): Kit | undefined {
  return KITS.find((kit) => kit.name === name);
}

/** A kit's sub-kits (`java/maven`, `java/gradle` for `java`). */
export function subKitsOf(name: string): Kit[] {
  return KITS.filter((kit) => kit.parent === name);
}

export type { Kit } from './types.js';
