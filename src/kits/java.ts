import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  filterMavenSettings,
  serverIdsFromPom,
  stageMavenSettings,
} from '../credentials/maven.js';
import type { Kit, KitRuntime, KitRuntimeContext } from './types.js';

/** Inside the container, where the filtered settings.xml is mounted (read-only). */
const MAVEN_SETTINGS_DIR = '/run/asylum/maven';

function readIfExists(path: string): string | undefined {
  try {
    return existsSync(path) ? readFileSync(path, 'utf8') : undefined;
  } catch {
    return undefined;
  }
}

/** Which server ids to pass: the project's pom decides in auto mode, else the list. */
function wantedIds(context: KitRuntimeContext): string[] {
  const credentials = context.options.credentials;
  if (Array.isArray(credentials)) return credentials;
  const pom = readIfExists(join(context.projectDir, 'pom.xml'));
  if (!pom) return [];
  try {
    return serverIdsFromPom(pom);
  } catch (error) {
    context.warn(`maven credentials: cannot read pom.xml (${(error as Error).message})`);
    return [];
  }
}

/**
 * With `credentials`, a settings.xml holding only the servers this project
 * uses (from your ~/.m2/settings.xml) is mounted read-only and passed to every
 * mvn run as global settings; your own settings file stays out of reach.
 */
function prepareJava(context: KitRuntimeContext): KitRuntime {
  const credentials = context.options.credentials;
  if (credentials === undefined || credentials === false) return {};
  const settings = readIfExists(join(context.home, '.m2', 'settings.xml'));
  const ids = wantedIds(context);
  const filtered = settings && ids.length > 0 ? filterMavenSettings(settings, ids) : undefined;
  if (!filtered) {
    context.info('maven credentials: no server of this project is in ~/.m2/settings.xml');
    return {};
  }
  const dir = stageMavenSettings(context.projectDataDir, filtered);
  return {
    mounts: [
      {
        type: 'bind',
        source: dir,
        target: MAVEN_SETTINGS_DIR,
        readOnly: true,
        reason: `maven servers used by this project: ${ids.join(', ')}`,
      },
    ],
    env: { MAVEN_ARGS: `--global-settings ${MAVEN_SETTINGS_DIR}/settings.xml` },
  };
}

// TODO(asylum): JDK `versions`/`default-version`, .tool-versions and gradle come with
// the kits issue; for now the kit installs Debian trixie's JDK 21 and Maven.
export const javaKit: Kit = {
  name: 'java',
  tier: 'default',
  summary: 'OpenJDK 21 and Maven from Debian; maven cache volume; filtered maven credentials',
  order: 10,
  aptPackages: ['openjdk-21-jdk-headless', 'maven'],
  caches: [{ tool: 'maven', homePath: '.m2' }],
  prepare: prepareJava,
  credentials: {
    label: 'Java/Maven',
    effect: 'the maven servers your pom.xml uses, read-only',
  },
};
