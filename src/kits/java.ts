import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { readProjectFile } from '../host/project-file.js';
import type { Kit, KitRuntime, KitRuntimeContext } from './types.js';

type Maven = typeof import('../credentials/maven.js');

/** Inside the container, where the filtered settings.xml is mounted (read-only). */
const MAVEN_SETTINGS_DIR = '/run/asylum/maven';

function readIfExists(path: string): string | undefined {
  try {
    return existsSync(path) ? readFileSync(path, 'utf8') : undefined;
  } catch {
    return undefined;
  }
}

/** The project's pom.xml, read as the hostile input it is. */
function readPom(context: KitRuntimeContext): string | undefined {
  const file = readProjectFile(context.projectDir, 'pom.xml');
  if (file.kind === 'refused')
    context.warn(`maven credentials: ignoring ${file.path}: ${file.reason}`);
  return file.kind === 'text' ? file.text : undefined;
}

/** Which server ids to pass: the project's pom decides in auto mode, else the list. */
function wantedIds(context: KitRuntimeContext, maven: Maven): string[] {
  const credentials = context.options.credentials;
  if (Array.isArray(credentials)) return credentials;
  const pom = readPom(context);
  if (!pom) return [];
  try {
    return maven.serverIdsFromPom(pom);
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
async function prepareJava(context: KitRuntimeContext): Promise<KitRuntime> {
  const credentials = context.options.credentials;
  if (credentials === undefined || credentials === false) return {};
  // The XML parser loads only for projects that pass maven credentials.
  const maven = await import('../credentials/maven.js');
  const settings = readIfExists(join(context.home, '.m2', 'settings.xml'));
  const ids = wantedIds(context, maven);
  const filtered =
    settings && ids.length > 0 ? maven.filterMavenSettings(settings, ids) : undefined;
  if (!filtered) {
    context.info('maven credentials: no server of this project is in ~/.m2/settings.xml');
    return {};
  }
  const dir = maven.stageMavenSettings(context.projectDataDir, filtered);
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
};
