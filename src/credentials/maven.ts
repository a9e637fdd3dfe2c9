import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { XMLBuilder, XMLParser } from 'fast-xml-parser';
import writeFileAtomic from 'write-file-atomic';

/**
 * pom.xml is project content, so the agent controls it: parse it without
 * entity expansion and take nothing from it but repository ids.
 */
const parser = new XMLParser({
  ignoreAttributes: true,
  processEntities: false,
  parseTagValue: false,
  isArray: (name) => ['repository', 'pluginRepository', 'profile', 'server'].includes(name),
});

type Node = Record<string, unknown>;

function children(node: unknown, ...path: string[]): Node[] {
  let current: unknown[] = [node];
  for (const key of path) {
    current = current.flatMap((item) => {
      const value = (item as Node | undefined)?.[key];
      if (value === undefined || value === null || value === '') return [];
      return Array.isArray(value) ? value : [value];
    });
  }
  return current.filter((item): item is Node => typeof item === 'object' && item !== null);
}

function idsIn(scope: unknown): string[] {
  const nodes = [
    ...children(scope, 'repositories', 'repository'),
    ...children(scope, 'pluginRepositories', 'pluginRepository'),
    ...children(scope, 'distributionManagement', 'repository'),
    ...children(scope, 'distributionManagement', 'snapshotRepository'),
  ];
  return nodes.map((node) => String(node.id ?? '').trim()).filter(Boolean);
}

/** A DOCTYPE can only declare entities, which a pom never needs: drop it before parsing. */
function withoutDoctype(xml: string): string {
  return xml.replace(/<!DOCTYPE(?:[^[>]|\[[\s\S]*?\])*>/gi, '');
}

/** Repository ids a project uses, from its pom.xml (profiles included), de-duplicated. */
export function serverIdsFromPom(pomXml: string): string[] {
  const project = (parser.parse(withoutDoctype(pomXml)) as Node).project;
  const ids = [...idsIn(project), ...children(project, 'profiles', 'profile').flatMap(idsIn)];
  return [...new Set(ids)];
}

/**
 * A settings.xml holding only the `<server>` entries for `ids`, taken from the
 * user's settings. Undefined when none matches: nothing is mounted then.
 */
export function filterMavenSettings(
  settingsXml: string,
  ids: readonly string[],
): string | undefined {
  const raw = new XMLParser({
    ignoreAttributes: false,
    processEntities: false,
    parseTagValue: false,
    isArray: (name) => name === 'server',
  });
  const settings = (raw.parse(withoutDoctype(settingsXml)) as Node).settings;
  const servers = children(settings, 'servers', 'server').filter((server) =>
    ids.includes(String(server.id ?? '').trim()),
  );
  if (servers.length === 0) return undefined;
  const found = new Set(servers.map((server) => String(server.id).trim()));
  const missing = ids.filter((id) => !found.has(id));
  // Values were read raw (still escaped), so they are written back raw too.
  const builder = new XMLBuilder({
    format: true,
    ignoreAttributes: false,
    processEntities: false,
  });
  const body = builder.build({ settings: { servers: { server: servers } } }) as string;
  const note = missing.length ? `<!-- not in your settings.xml: ${missing.join(', ')} -->\n` : '';
  return `<?xml version="1.0" encoding="UTF-8"?>\n<!-- Written by asylum: only the servers this project uses. -->\n${note}${body}`;
}

export function stageMavenSettings(projectDataDir: string, text: string): string {
  const dir = join(projectDataDir, 'credentials', 'maven');
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  writeFileAtomic.sync(join(dir, 'settings.xml'), text, { mode: 0o600 });
  return dir;
}
