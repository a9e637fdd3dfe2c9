/**
 * In-place edits of the global config file that keep everything a person
 * wrote: comments, blank lines, key order and quoting. Upstream rewrote the
 * file (losing comments) and "enabled" opt-in kits by inserting comments.
 *
 * The edits work on lines, for the block style asylum writes and most people
 * keep (`kits:` then one indented `name:` per entry). Each edit is checked by
 * parsing its result; when the text edit cannot do it (flow style such as
 * `kits: {java: {}}`, or an odd layout) the yaml Document API does it instead,
 * which keeps comments but may re-indent. Pure: text in, text out.
 */
import { isMap, parseDocument } from 'yaml';
import { UserError } from '../errors.js';
import { loadLayerFromText } from './load.js';
import type { Config } from './types.js';

export type Section = 'kits' | 'agents';

/** One step of an edit: a value written as YAML text (`auto`, `true`, `isolated`). */
export interface OptionEdit {
  section: Section;
  entry: string;
  key: string;
  /** The YAML text of the value, or undefined to remove the key. */
  value: string | undefined;
}

const DEFAULT_STEP = 2;

// ---------------------------------------------------------------------------
// Reading the layout

function indentOf(line: string): number {
  return line.length - line.trimStart().length;
}

function isBlank(line: string): boolean {
  return line.trim() === '';
}

function isComment(line: string): boolean {
  return line.trimStart().startsWith('#');
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
}

/** `name:` spelled bare or quoted, at the start of `rest`, followed by the rest of the line. */
function keyPattern(name: string): string {
  const n = escapeRegExp(name);
  return `(?:${n}|"${n}"|'${n}'):(?=\\s|$)`;
}

/** What follows `key:` on its line, without a trailing comment. */
function inlineValue(afterColon: string): string {
  return afterColon.replace(/(^|\s)#.*$/, '').trim();
}

interface Region {
  /** The line of `section:`. */
  header: number;
  /** One past the last line that belongs to the section (trailing blanks excluded). */
  end: number;
  /** The header has an inline value (`kits: {}`): lines cannot be edited. */
  inline: boolean;
}

/** The lines of a top-level section: its header and every indented or blank line after it. */
function findRegion(lines: readonly string[], section: Section): Region | undefined {
  const pattern = new RegExp(`^${keyPattern(section)}(.*)$`);
  const header = lines.findIndex((line) => pattern.test(line));
  if (header < 0) return undefined;
  const after = pattern.exec(lines[header]!)![1] ?? '';
  // Comments at column 0 between entries belong to the section; after the last
  // entry they introduce what follows (the next key, or commented examples).
  const inside = (line: string) => isBlank(line) || indentOf(line) > 0 || isComment(line);
  let end = header + 1;
  while (end < lines.length && inside(lines[end]!)) end += 1;
  const trailing = (line: string) => isBlank(line) || (isComment(line) && indentOf(line) === 0);
  while (end > header + 1 && trailing(lines[end - 1]!)) end -= 1;
  return { header, end, inline: inlineValue(after) !== '' };
}

/** The indent of the section's entries: that of its first active line, if any. */
function entryIndentOf(lines: readonly string[], region: Region): number | undefined {
  for (let i = region.header + 1; i < region.end; i++) {
    const line = lines[i]!;
    if (!isBlank(line) && !isComment(line)) return indentOf(line);
  }
  return undefined;
}

/** One past the last line nested under the key at `line` (its value's lines). */
function blockEnd(lines: readonly string[], line: number, limit: number): number {
  const indent = indentOf(lines[line]!);
  let end = line + 1;
  while (end < limit && (isBlank(lines[end]!) || indentOf(lines[end]!) > indent)) end += 1;
  while (end > line + 1 && isBlank(lines[end - 1]!)) end -= 1;
  return end;
}

type Entry =
  | { kind: 'active'; line: number; end: number; inline: boolean }
  | { kind: 'commented'; line: number }
  | { kind: 'absent' };

function findEntry(lines: readonly string[], region: Region, name: string): Entry {
  const indent = entryIndentOf(lines, region);
  if (indent !== undefined) {
    const active = new RegExp(`^ {${indent}}${keyPattern(name)}(.*)$`);
    for (let i = region.header + 1; i < region.end; i++) {
      const match = active.exec(lines[i]!);
      if (!match) continue;
      const inline = inlineValue(match[1] ?? '') !== '';
      return { kind: 'active', line: i, end: blockEnd(lines, i, region.end), inline };
    }
  }
  // A `#` at column 0 may be the file's own commented examples (`# ports:`), not an entry.
  const commented = new RegExp(`^ +#\\s?${keyPattern(name)}`);
  for (let i = region.header + 1; i < region.end; i++) {
    if (commented.test(lines[i]!)) return { kind: 'commented', line: i };
  }
  return { kind: 'absent' };
}

// ---------------------------------------------------------------------------
// Line edits (undefined: this layout needs the Document API)

/** `  # name: x` becomes `  name: x`: the `#` and one space after it go. */
function uncomment(line: string): string {
  return line.replace(/^(\s*)#\s?/, '$1');
}

function withValue(line: string, key: string, value: string): string {
  const match = new RegExp(`^(\\s*${keyPattern(key)})([^#]*?)(\\s+#.*)?$`).exec(line);
  if (!match) return line;
  return `${match[1]} ${value}${match[3] ?? ''}`;
}

/** Makes `name` an active entry of `section`: uncomments it, or adds it after the others. */
function activateLines(lines: string[], section: Section, name: string): string[] | undefined {
  const region = findRegion(lines, section);
  if (!region) return [...lines, '', `${section}:`, `${' '.repeat(DEFAULT_STEP)}${name}:`];
  if (region.inline) return undefined;
  const entry = findEntry(lines, region, name);
  if (entry.kind === 'active') return lines;
  const indent = entryIndentOf(lines, region);
  if (entry.kind === 'commented') {
    const text = uncomment(lines[entry.line]!).trimStart();
    const pad = indent ?? indentOf(lines[entry.line]!);
    return replaceLines(lines, entry.line, entry.line + 1, [`${' '.repeat(pad)}${text}`]);
  }
  const at = lastActiveEnd(lines, region);
  return replaceLines(lines, at, at, [`${' '.repeat(indent ?? DEFAULT_STEP)}${name}:`]);
}

/** Where a new active entry goes: after the last active one, before commented ones. */
function lastActiveEnd(lines: readonly string[], region: Region): number {
  const indent = entryIndentOf(lines, region);
  let at = region.header + 1;
  for (let i = region.header + 1; i < region.end; i++) {
    const line = lines[i]!;
    if (indentOf(line) === indent && !isComment(line)) at = blockEnd(lines, i, region.end);
  }
  return at;
}

function replaceLines(lines: readonly string[], from: number, to: number, add: string[]) {
  return [...lines.slice(0, from), ...add, ...lines.slice(to)];
}

/** Sets or removes `key` under an active entry; undefined when the layout is not block style. */
function optionLines(lines: string[], edit: OptionEdit): string[] | undefined {
  const region = findRegion(lines, edit.section);
  if (!region || region.inline) return undefined;
  const entry = findEntry(lines, region, edit.entry);
  if (entry.kind !== 'active' || entry.inline) return undefined;
  const child = findChild(lines, entry, edit.key);
  if (edit.value === undefined) {
    return child.kind === 'active' ? replaceLines(lines, child.line, child.end, []) : lines;
  }
  if (child.kind === 'active') {
    if (child.inline)
      return replaceLines(lines, child.line, child.line + 1, [
        withValue(lines[child.line]!, edit.key, edit.value),
      ]);
    // A block value (a list under `credentials:`) is replaced by the scalar.
    const line = lines[child.line]!.replace(/:(\s.*)?$/, `: ${edit.value}`);
    return replaceLines(lines, child.line, child.end, [line]);
  }
  if (child.kind === 'commented') {
    const line = withValue(uncomment(lines[child.line]!), edit.key, edit.value);
    return replaceLines(lines, child.line, child.line + 1, [line]);
  }
  const pad = ' '.repeat(childIndent(lines, entry));
  return replaceLines(lines, entry.line + 1, entry.line + 1, [`${pad}${edit.key}: ${edit.value}`]);
}

/** The indent of an entry's options: that of its first active child, else one step in. */
function childIndent(lines: readonly string[], entry: { line: number; end: number }): number {
  for (let i = entry.line + 1; i < entry.end; i++) {
    const line = lines[i]!;
    if (!isBlank(line) && !isComment(line)) return indentOf(line);
  }
  // Entries sit one step in from their section at column 0: their options one more.
  const indent = indentOf(lines[entry.line]!);
  return indent + (indent > 0 ? indent : DEFAULT_STEP);
}

function findChild(lines: readonly string[], entry: { line: number; end: number }, key: string) {
  const indent = childIndent(lines, entry);
  const active = new RegExp(`^ {${indent}}${keyPattern(key)}(.*)$`);
  const commented = new RegExp(`^ {${indent}}#\\s?${keyPattern(key)}`);
  for (let i = entry.line + 1; i < entry.end; i++) {
    const match = active.exec(lines[i]!);
    if (match) {
      const inline = inlineValue(match[1] ?? '') !== '';
      return { kind: 'active' as const, line: i, end: blockEnd(lines, i, entry.end), inline };
    }
  }
  for (let i = entry.line + 1; i < entry.end; i++) {
    if (commented.test(lines[i]!)) return { kind: 'commented' as const, line: i };
  }
  return { kind: 'absent' as const };
}

// ---------------------------------------------------------------------------
// Document API fallback

function parseValue(text: string): unknown {
  return parseDocument(text).toJS();
}

function documentEdit(text: string, mutate: (config: DocumentEditor) => void): string {
  const doc = parseDocument(text);
  mutate({
    ensureEntry(section, name) {
      if (!isMap(doc.get(section))) doc.set(section, doc.createNode({}));
      if (!doc.hasIn([section, name])) doc.setIn([section, name], null);
    },
    setOption(edit) {
      const entryPath = [edit.section, edit.entry];
      if (!isMap(doc.getIn(entryPath))) doc.setIn(entryPath, doc.createNode({}));
      if (edit.value === undefined) doc.deleteIn([...entryPath, edit.key]);
      else doc.setIn([...entryPath, edit.key], parseValue(edit.value));
    },
  });
  return doc.toString();
}

interface DocumentEditor {
  ensureEntry(section: Section, name: string): void;
  setOption(edit: OptionEdit): void;
}

// ---------------------------------------------------------------------------
// Checked edits

// TODO(asylum): a file with CRLF line ends gets LF-only lines where it is edited.
/** The file's lines; an edited file always ends in a newline. */
function splitLines(text: string): string[] {
  const lines = (text.endsWith('\n') ? text.slice(0, -1) : text).split('\n');
  return lines.length === 1 && lines[0] === '' ? [] : lines;
}

function joinLines(lines: readonly string[]): string {
  return `${lines.join('\n')}\n`;
}

/** The config a text holds, or undefined when it does not load. */
function configOf(text: string, file: string): Config | undefined {
  try {
    return loadLayerFromText(text, file).config;
  } catch {
    return undefined;
  }
}

/**
 * Runs the line edit, checks its result with `holds`, and falls back to the
 * Document API when the line edit could not do it. Throws when neither can,
 * naming what to change by hand.
 */
function checkedEdit(
  text: string,
  file: string,
  what: string,
  lineEdit: (lines: string[]) => string[] | undefined,
  docEdit: (editor: DocumentEditor) => void,
  holds: (config: Config) => boolean,
): string {
  const edited = lineEdit(splitLines(text));
  if (edited) {
    const result = joinLines(edited);
    const config = configOf(result, file);
    if (config && holds(config)) return result;
  }
  // TODO(asylum): the fallback re-indents the whole file; a CST edit would keep it exact.
  const fallback = documentEdit(text, docEdit);
  const config = configOf(fallback, file);
  if (config && holds(config)) return fallback;
  throw new UserError(`could not edit ${file} to ${what}`, {
    hint: `make the change by hand in ${file}`,
  });
}

function entryOf(config: Config, section: Section, name: string) {
  const entries = config[section] as Record<string, unknown> | undefined;
  return entries && Object.hasOwn(entries, name) ? { value: entries[name] } : undefined;
}

/** Makes `name` an active entry of `section` (uncommenting it when it is there). */
export function activateEntry(text: string, file: string, section: Section, name: string) {
  return checkedEdit(
    text,
    file,
    `add ${section}.${name}`,
    (lines) => activateLines(lines, section, name),
    (editor) => editor.ensureEntry(section, name),
    (config) => entryOf(config, section, name) !== undefined,
  );
}

/** Sets (or removes) one option of an entry, activating the entry if needed. */
export function setEntryOption(text: string, file: string, edit: OptionEdit): string {
  const path = `${edit.section}.${edit.entry}.${edit.key}`;
  const wanted = edit.value === undefined ? undefined : parseValue(edit.value);
  return checkedEdit(
    text,
    file,
    edit.value === undefined ? `remove ${path}` : `set ${path}: ${edit.value}`,
    (lines) => {
      const active = activateLines(lines, edit.section, edit.entry);
      return active && optionLines(active, edit);
    },
    (editor) => {
      editor.ensureEntry(edit.section, edit.entry);
      editor.setOption(edit);
    },
    (config) => {
      const entry = entryOf(config, edit.section, edit.entry);
      if (!entry) return false;
      const value = (entry.value as Record<string, unknown> | null)?.[edit.key];
      return JSON.stringify(value) === JSON.stringify(wanted);
    },
  );
}

/** Whether `section.name` is written as an active entry. */
export function hasActiveEntry(text: string, file: string, section: Section, name: string) {
  const config = configOf(text, file);
  return config !== undefined && entryOf(config, section, name) !== undefined;
}

/**
 * Appends lines (a commented-out entry, or a new active one) at the end of a
 * section, creating the section when the file has none.
 */
export function appendToSection(text: string, section: Section, add: string[]): string {
  const lines = splitLines(text);
  const region = findRegion(lines, section);
  if (!region || region.inline) {
    // TODO(asylum): with `kits: {...}` in flow style the comment goes to the file's end.
    const header = region ? [] : [`${section}:`];
    return joinLines([...lines, '', ...header, ...add]);
  }
  return joinLines(replaceLines(lines, region.end, region.end, add));
}

/** Inserts an active entry's lines after the section's last active entry. */
export function insertActiveEntry(text: string, section: Section, add: string[]): string {
  const lines = splitLines(text);
  const region = findRegion(lines, section);
  if (!region || region.inline) return appendToSection(text, section, add);
  const at = lastActiveEnd(lines, region);
  return joinLines(replaceLines(lines, at, at, add));
}

/** How `section.name` appears in the text: as an active entry, commented out, or not at all. */
export function entryState(text: string, section: Section, name: string): Entry['kind'] {
  const lines = splitLines(text);
  const region = findRegion(lines, section);
  if (!region) return 'absent';
  if (region.inline) return hasActiveEntry(text, 'config', section, name) ? 'active' : 'absent';
  return findEntry(lines, region, name).kind;
}
