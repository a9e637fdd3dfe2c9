import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/** A Debian archive the host's apt already uses, split into its two roles. */
export interface DebianMirrors {
  /** Serves `<suite>`, `<suite>-updates`. */
  main: string;
  /** Serves `<suite>-security`, when the host lists one. */
  security: string | undefined;
}

interface AptEntry {
  uri: string;
  suites: string[];
}

/** One-line format: `deb [opts] URI SUITE COMPONENTS...`. */
function parseOneLine(text: string): AptEntry[] {
  const entries: AptEntry[] = [];
  for (const raw of text.split('\n')) {
    const line = raw.replace(/#.*/, '').trim();
    const match = /^deb\s+(?:\[[^\]]*\]\s+)?(\S+)\s+(\S+)/.exec(line);
    if (match) entries.push({ uri: match[1]!, suites: [match[2]!] });
  }
  return entries;
}

/** deb822 format: stanzas of `Key: value` separated by blank lines. */
function parseDeb822(text: string): AptEntry[] {
  const entries: AptEntry[] = [];
  for (const stanza of text.split(/\n\s*\n/)) {
    const fields = new Map<string, string>();
    for (const line of stanza.split('\n')) {
      const match = /^([A-Za-z-]+):\s*(.*)$/.exec(line.trim());
      if (match && !line.trim().startsWith('#')) fields.set(match[1]!.toLowerCase(), match[2]!);
    }
    const types = fields.get('types') ?? '';
    if (!types.split(/\s+/).includes('deb') || fields.get('enabled') === 'no') continue;
    const suites = (fields.get('suites') ?? '').split(/\s+/).filter(Boolean);
    for (const uri of (fields.get('uris') ?? '').split(/\s+/).filter(Boolean)) {
      entries.push({ uri, suites });
    }
  }
  return entries;
}

function readAptEntries(root: string): AptEntry[] {
  const entries: AptEntry[] = [];
  const list = join(root, 'etc/apt/sources.list');
  if (existsSync(list)) entries.push(...parseOneLine(readFileSync(list, 'utf8')));
  const dir = join(root, 'etc/apt/sources.list.d');
  if (!existsSync(dir)) return entries;
  for (const name of readdirSync(dir).sort()) {
    const text = readFileSync(join(dir, name), 'utf8');
    if (name.endsWith('.list')) entries.push(...parseOneLine(text));
    if (name.endsWith('.sources')) entries.push(...parseDeb822(text));
  }
  return entries;
}

const DEBIAN_SUITE = /^(?:bookworm|trixie|forky|sid|stable|testing|unstable|oldstable)/;

/**
 * Finds the Debian archive in the host's apt configuration, so asylum never
 * hard-codes a mirror: `ASYLUM_DEBIAN_MIRROR` overrides, else the first entry
 * that serves a Debian suite (and one whose suite ends in `-security`).
 */
export function findDebianMirrors(env: NodeJS.ProcessEnv, root = '/'): DebianMirrors | undefined {
  const override = env.ASYLUM_DEBIAN_MIRROR;
  const entries = readAptEntries(root);
  const isDebian = (entry: AptEntry) => entry.suites.some((suite) => DEBIAN_SUITE.test(suite));
  const security = entries.find(
    (e) => isDebian(e) && e.suites.some((s) => s.endsWith('-security')),
  );
  const main = entries.find((e) => isDebian(e) && !e.suites.every((s) => s.endsWith('-security')));
  if (override)
    return { main: override, security: env.ASYLUM_DEBIAN_SECURITY_MIRROR ?? security?.uri };
  if (!main) return undefined;
  return { main: main.uri, security: security?.uri };
}
