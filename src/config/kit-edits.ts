/**
 * What `asylum config` and the new-kit question change in the global file,
 * in terms of kits and agents rather than lines. Every change is the smallest
 * edit that gives the wanted state, and nothing is written for a kit that is
 * already in it. Pure: text in, text out (src/config/edit.ts does the lines).
 */
import type { Kit } from '../kits/types.js';
import { activateEntry, setEntryOption } from './edit.js';
import { loadLayerFromText } from './load.js';
import type { AgentConfigMode, Config, KitOptions } from './types.js';

/**
 * Whether a `kits:` map turns a top-level kit on: listed (or one of its
 * sub-kits listed, `java/maven`) and not `disabled: true`; default and
 * always-on kits need no entry. Keep in step with selectKits in
 * src/plan/selection.ts, which decides the same for a run.
 */
export function isKitOn(kit: Kit, kits: Readonly<Record<string, KitOptions | null>>): boolean {
  if (kits[kit.name]?.disabled) return false;
  const listed = Object.keys(kits).some(
    (name) => name === kit.name || name.startsWith(`${kit.name}/`),
  );
  return listed || kit.tier !== 'opt-in';
}

function kitsOf(text: string, file: string): Record<string, KitOptions | null> {
  return loadLayerFromText(text, file).config.kits ?? {};
}

/** Whether the global file alone turns the kit on (project files may still change it). */
export function isKitOnInText(text: string, file: string, kit: Kit): boolean {
  return isKitOn(kit, kitsOf(text, file));
}

/**
 * Turns a kit on: a `disabled:` line goes; an opt-in kit that is commented out
 * is uncommented (not re-inserted as a comment, upstream's bug), or added.
 */
export function enableKit(text: string, file: string, kit: Kit): string {
  const kits = kitsOf(text, file);
  if (isKitOn(kit, kits)) return text;
  const edit = { section: 'kits', entry: kit.name, key: 'disabled', value: undefined } as const;
  if (kits[kit.name]?.disabled) return setEntryOption(text, file, edit);
  return activateEntry(text, file, 'kits', kit.name);
}

/** Turns a kit off with `disabled: true`, which keeps its other options for later. */
export function disableKit(text: string, file: string, kit: Kit): string {
  if (!isKitOnInText(text, file, kit)) return text;
  return setEntryOption(text, file, {
    section: 'kits',
    entry: kit.name,
    key: 'disabled',
    value: 'true',
  });
}

/**
 * Switches a kit's credentials on (`auto`, or a list already written) or off
 * (`false`). A kit that is off is left alone: writing its credentials would
 * add an active entry and so turn an opt-in kit on (upstream's bug).
 */
export function setKitCredentials(text: string, file: string, kit: Kit, on: boolean): string {
  const kits = kitsOf(text, file);
  if (!isKitOn(kit, kits)) return text;
  const current = kits[kit.name]?.credentials;
  const isOn = current !== undefined && current !== false;
  if (isOn === on) return text;
  return setEntryOption(text, file, {
    section: 'kits',
    entry: kit.name,
    key: 'credentials',
    value: on ? 'auto' : 'false',
  });
}

/** The agents whose `config:` the isolation question sets: those listed, and the active one. */
export function agentsToIsolate(config: Config, defaultAgent: string): string[] {
  const listed = Object.keys(config.agents ?? {});
  const active = config.agent ?? defaultAgent;
  return [...new Set([active, ...listed])].sort();
}

export function setAgentConfigMode(
  text: string,
  file: string,
  agent: string,
  mode: AgentConfigMode,
): string {
  const current = loadLayerFromText(text, file).config.agents?.[agent]?.config;
  if (current === mode) return text;
  return setEntryOption(text, file, {
    section: 'agents',
    entry: agent,
    key: 'config',
    value: mode,
  });
}
