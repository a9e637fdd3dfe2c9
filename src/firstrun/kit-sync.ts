/**
 * Kits added by an upgrade are offered once. Which kits are new, what the
 * question is, and how the choice lands in the global file are pure; the
 * file is edited line by line so nothing the user wrote is lost (upstream
 * rewrote it, and "activated" opt-in kits as comments).
 */
import {
  activateEntry,
  appendToSection,
  entryState,
  hasActiveEntry,
  insertActiveEntry,
  type OptionEdit,
  setEntryOption,
} from '../config/edit.js';
import { kitBlock } from '../config/writer.js';
import type { Kit } from '../kits/types.js';
import type { Question } from '../ui/prompts.js';
import { kitsQuestion } from './questions.js';

const DISABLE = (name: string): OptionEdit => ({
  section: 'kits',
  entry: name,
  key: 'disabled',
  value: 'true',
});

export interface KitNews {
  /** New kits the user chooses about (not always-on, not sub-kits). */
  offered: Kit[];
  /** New always-on kits: only mentioned. */
  alwaysOn: Kit[];
  /** Every registered kit name, to record as known afterwards. */
  all: string[];
}

/**
 * The kits not seen before. Without any record (a machine set up before
 * asylum kept one, or by hand) the current kits are the baseline: nothing is new.
 */
export function findNewKits(registry: readonly Kit[], known: readonly string[] | undefined) {
  const all = registry.map((kit) => kit.name);
  const fresh = known === undefined ? [] : registry.filter((kit) => !known.includes(kit.name));
  const top = fresh.filter((kit) => !kit.name.includes('/'));
  return {
    offered: top.filter((kit) => kit.tier !== 'always'),
    alwaysOn: top.filter((kit) => kit.tier === 'always'),
    all,
  } satisfies KitNews;
}

export function newKitsQuestion(offered: readonly Kit[]): Question {
  const message = 'New kits are available. Which should be on?';
  return kitsQuestion(message, offered, defaultChoice(offered));
}

/** Without a terminal: default-tier kits on, opt-in ones written commented out. */
export function defaultChoice(offered: readonly Kit[]): string[] {
  return offered.filter((kit) => kit.tier === 'default').map((kit) => kit.name);
}

/**
 * Writes each offered kit into the global file as chosen: an active entry
 * (after the other active kits), `disabled: true` for a default kit left
 * out, or a commented-out entry for an opt-in one. A kit the file already
 * mentions, even in a comment, is left as the user wrote it.
 */
export function addNewKits(
  text: string,
  file: string,
  offered: readonly Kit[],
  chosen: readonly string[],
): string {
  let result = text;
  for (const kit of offered) {
    if (entryState(result, 'kits', kit.name) !== 'absent') continue;
    const on = chosen.includes(kit.name);
    const block = kitBlock(kit, on, false);
    if (!on && kit.tier === 'opt-in') {
      result = appendToSection(result, 'kits', block);
      continue;
    }
    const inserted = insertActiveEntry(result, 'kits', block);
    if (hasActiveEntry(inserted, file, 'kits', kit.name)) {
      result = inserted;
      continue;
    }
    // An odd layout (flow style): the checked edits do it without the summary comment.
    result = activateEntry(result, file, 'kits', kit.name);
    if (!on) result = setEntryOption(result, file, DISABLE(kit.name));
  }
  return result;
}
