import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { KitOptions } from '../config/types.js';
import { readProjectFile } from '../host/project-file.js';
import type { Kit, KitOptionProblem, KitRuntime, KitRuntimeContext } from './types.js';

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

/** The JDKs Debian trixie packages (`openjdk-<n>-jdk-headless`). */
export const AVAILABLE_JDKS: readonly string[] = ['21', '25'];
export const DEFAULT_JDK = '21';

/** Every JDK the options ask for: `versions` (default: 21) plus `default-version`. */
export function jdkVersions(options: KitOptions): string[] {
  const wanted = [...(options.versions ?? [DEFAULT_JDK]), defaultJdk(options)];
  return [...new Set(wanted)].sort((a, b) => Number(a) - Number(b));
}

/** `default-version`; without it 21, unless `versions` leaves 21 out: then its first. */
export function defaultJdk(options: KitOptions): string {
  const versions = options.versions ?? [];
  const fallback =
    versions.length === 0 || versions.includes(DEFAULT_JDK) ? DEFAULT_JDK : versions[0]!;
  return options['default-version'] ?? fallback;
}

/** A version reaches a package name and a path, so it must be one Debian has. */
function versionProblem(version: string): string | undefined {
  if (!/^\d+$/.test(version)) {
    return `invalid JDK version ${JSON.stringify(version)}: write a major version such as 21`;
  }
  return AVAILABLE_JDKS.includes(version) ? undefined : notPackaged(version);
}

function notPackaged(version: string): string {
  const available = AVAILABLE_JDKS.join(', ');
  return `JDK ${version} is not packaged by Debian trixie (available: ${available})`;
}

function checkJavaOptions(options: KitOptions): KitOptionProblem[] {
  const problems: KitOptionProblem[] = [];
  (options.versions ?? []).forEach((version, index) => {
    const message = versionProblem(version);
    if (message) problems.push({ path: ['versions', index], message });
  });
  const chosen = options['default-version'];
  const message = chosen === undefined ? undefined : versionProblem(chosen);
  if (message) problems.push({ path: ['default-version'], message });
  return problems;
}

/**
 * The default JDK, chosen in the image: every tool of that JDK becomes the
 * `update-alternatives` choice (Debian would pick the newest), and JAVA_HOME
 * points at it through a fixed link, whatever the architecture's directory name.
 */
function selectDefaultJdk(options: KitOptions): string[] {
  const version = defaultJdk(options);
  return [
    `RUN jdk="$(echo /usr/lib/jvm/java-${version}-openjdk-*)" && test -x "$jdk/bin/java" \\`,
    '    && for tool in "$jdk"/bin/*; do \\',
    // biome-ignore lint/suspicious/noTemplateCurlyInString: shell parameter expansion
    '         update-alternatives --set "${tool##*/}" "$tool" >/dev/null 2>&1 || true; done \\',
    '    && ln -sfn "$jdk" /usr/lib/jvm/asylum-default',
    'ENV JAVA_HOME=/usr/lib/jvm/asylum-default',
  ];
}

/** `.tool-versions` (asdf, mise): the first `java` line picks the default JDK. */
export interface ToolVersionsJava {
  /** The major version to use as `default-version`. */
  version?: string;
  /** Why the line was not used, for a warning. */
  warning?: string;
  line?: number;
}

/**
 * Reads `java 21`, `java openjdk-21.0.2`, `java temurin-21.0.3+9` as 21. A
 * version Debian does not package is a warning, not an error: the file often
 * serves other tools and people, and the configured default still works.
 */
export function javaFromToolVersions(text: string): ToolVersionsJava {
  const lines = text.split(/\r?\n/);
  const index = lines.findIndex((line) => line.trim().split(/\s+/)[0] === 'java');
  if (index === -1) return {};
  const spec = lines[index]!.trim().split(/\s+/)[1] ?? '';
  const major = /^(?:[A-Za-z]+[-.]?)*?(\d+)(?:[.+-]|$)/.exec(spec)?.[1];
  const line = index + 1;
  if (major === undefined) {
    return { line, warning: `cannot read a JDK version from ${JSON.stringify(spec)}` };
  }
  if (!AVAILABLE_JDKS.includes(major)) return { line, warning: notPackaged(major) };
  return { line, version: major };
}

export const javaKit: Kit = {
  name: 'java',
  tier: 'default',
  summary: 'OpenJDK from Debian (21 by default, 25 on request), JAVA_HOME',
  order: 10,
  aptPackagesFor: (options) => jdkVersions(options).map((v) => `openjdk-${v}-jdk-headless`),
  dockerfile: selectDefaultJdk,
  checkOptions: checkJavaOptions,
};

export const mavenKit: Kit = {
  name: 'java/maven',
  parent: 'java',
  tier: 'default',
  summary: 'Maven from Debian; maven cache volume; filtered maven credentials',
  order: 10,
  aptPackages: ['maven'],
  caches: [{ tool: 'maven', homePath: '.m2' }],
  prepare: prepareJava,
  credentials: {
    label: 'Java/Maven',
    effect: 'the maven servers your pom.xml uses, read-only',
  },
};

// TODO(asylum): Debian trixie packages Gradle 4.4.1, far older than current
// builds expect; a current Gradle needs its distribution server, unreachable here.
export const gradleKit: Kit = {
  name: 'java/gradle',
  parent: 'java',
  tier: 'opt-in',
  summary: 'Gradle from Debian (4.4.1: old); gradle cache volume',
  order: 10,
  aptPackages: ['gradle'],
  caches: [{ tool: 'gradle', homePath: '.gradle' }],
};
