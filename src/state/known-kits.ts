import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { readJsonState, updateJsonState } from './json-state.js';
import { asylumDir } from './paths.js';

/**
 * The kits this user has been shown (by the wizard, `asylum init`, or the
 * new-kit question), so a kit added by an upgrade is offered exactly once.
 */
const knownKitsSchema = z.object({ version: z.literal(1), kits: z.array(z.string()) });
const EMPTY = { version: 1 as const, kits: [] as string[] };

export function knownKitsPath(home: string): string {
  return join(asylumDir(home), 'known-kits.json');
}

/** The recorded kits, or undefined when nothing was ever recorded. */
export async function readKnownKits(home: string): Promise<string[] | undefined> {
  if (!existsSync(knownKitsPath(home))) return undefined;
  return (await readJsonState(knownKitsPath(home), knownKitsSchema, EMPTY)).kits;
}

/** Adds `names` to the record (atomic, under a lock). */
export async function recordKnownKits(home: string, names: readonly string[]): Promise<void> {
  await updateJsonState(knownKitsPath(home), knownKitsSchema, EMPTY, (state) => ({
    version: 1 as const,
    kits: [...new Set([...state.kits, ...names])].sort(),
  }));
}
