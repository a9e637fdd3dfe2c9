import { aptKit } from './apt.js';
import { astGrepKit } from './ast-grep.js';
import { githubKit } from './github.js';
import { gradleKit, javaKit, mavenKit } from './java.js';
import { nodeKit } from './node.js';
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
  sshKit,
  shellKit,
  githubKit,
  portsKit,
  aptKit,
  openspecKit,
  astGrepKit,
].sort((a, b) => a.order - b.order || a.name.localeCompare(b.name));

export function findKit(name: string): Kit | undefined {
  return KITS.find((kit) => kit.name === name);
}

/** A kit's sub-kits (`java/maven`, `java/gradle` for `java`). */
export function subKitsOf(name: string): Kit[] {
  return KITS.filter((kit) => kit.parent === name);
}

export type { Kit } from './types.js';
