import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { createLayer } from '../config/load.js';
import type { ConfigLayer } from '../config/types.js';
import { javaFromToolVersions } from '../kits/java.js';
import { log } from '../ui/log.js';

function readIfFile(path: string): string | undefined {
  try {
    return statSync(path, { throwIfNoEntry: false })?.isFile()
      ? readFileSync(path, 'utf8')
      : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The project's `.tool-versions` as a config layer: its `java` line sets
 * `kits.java.default-version`. It sits above the global file and below the
 * project's own config files, so `.asylum` still decides (spec §2.1).
 */
export function toolVersionsLayer(projectDir: string): ConfigLayer | undefined {
  const path = join(projectDir, '.tool-versions');
  const text = readIfFile(path);
  if (text === undefined) return undefined;
  const java = javaFromToolVersions(text);
  if (java.warning) log.warn(`${path}:${java.line}: java: ${java.warning}; line ignored`);
  if (java.version === undefined) return undefined;
  return createLayer(path, { kits: { java: { 'default-version': java.version } } });
}

/** The file layers with `.tool-versions` slotted in right above the global file. */
export function withToolVersions(
  fileLayers: readonly ConfigLayer[],
  globalPath: string,
  toolVersions: ConfigLayer | undefined,
): ConfigLayer[] {
  const global = fileLayers.filter((layer) => layer.source === globalPath);
  const rest = fileLayers.filter((layer) => layer.source !== globalPath);
  return [...global, ...(toolVersions ? [toolVersions] : []), ...rest];
}
