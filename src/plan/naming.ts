import { createHash } from 'node:crypto';
import { basename } from 'node:path';

/** Docker allows 63 bytes in a hostname label; the suffix after `asylum-` keeps room for it. */
const MAX_SUFFIX = 56;

function sha256Hex(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

/**
 * The project's basename reduced to what a container name and a hostname both
 * accept: lower case, `[a-z0-9-]`, at most 56 bytes, no leading/trailing dash.
 */
export function sanitizeProjectName(projectDir: string): string {
  const lowered = basename(projectDir)
    .toLowerCase()
    .replace(/[^a-z0-9-]/g, '-');
  const trimmed = lowered.slice(0, MAX_SUFFIX).replace(/^-+|-+$/g, '');
  return trimmed === '' ? 'project' : trimmed;
}

/** `asylum-<12 hex of sha256(P)>-<sanitised basename>`: stable per project path. */
export function containerName(projectDir: string): string {
  const hash = sha256Hex(projectDir).slice(0, 12);
  return `asylum-${hash}-${sanitizeProjectName(projectDir)}`;
}

export function hostName(projectDir: string): string {
  return `asylum-${sanitizeProjectName(projectDir)}`;
}

/** Named volume for one of the project's caches (npm, pip, ...). */
export function cacheVolumeName(container: string, tool: string): string {
  return `${container}-cache-${tool}`;
}

/**
 * Named volume shadowing one `node_modules` (spec §3.1): keyed by its path
 * relative to the project, so it survives container replacement.
 */
export function shadowVolumeName(container: string, relativeNodeModules: string): string {
  return `${container}-npm-${sha256Hex(relativeNodeModules).slice(0, 11)}`;
}

/** Named volume a kit keeps per project at an absolute path (the inner /var/lib/docker). */
export function kitVolumeName(container: string, suffix: string): string {
  return `${container}-${suffix}`;
}

export function networkName(container: string): string {
  return `${container}-net`;
}

export { sha256Hex };
