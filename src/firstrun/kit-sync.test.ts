import { describe, expect, test } from 'vitest';
import { fakeKit } from '../../test/support/kits.js';
import { isKitOn } from '../config/kit-edits.js';
import { loadLayerFromText } from '../config/load.js';
import { addNewKits, defaultChoice, findNewKits, newKitsQuestion } from './kit-sync.js';

const FILE = '/home/dev/.asylum/config.yaml';
const kit = fakeKit;
const python = kit('python', 'default');
const lsp = kit('lsp', 'default');
const docker = kit('docker', 'opt-in');
const tracer = kit('tracer', 'always');
const registry = [python, lsp, docker, tracer, kit('java/gradle', 'default')];

const lines = (...text: string[]) => `${text.join('\n')}\n`;
const USER_FILE = lines(
  '# mine',
  'kits:',
  '  python:   # yes',
  '    packages: [black]',
  '  # rtk:',
  '',
  '# my env',
  'env:',
  '  A: "1"',
);

describe('findNewKits', () => {
  test('kits not recorded are new; always-on ones are only mentioned; sub-kits never asked', () => {
    const news = findNewKits(registry, ['python']);
    expect(news.offered.map((k) => k.name)).toEqual(['lsp', 'docker']);
    expect(news.alwaysOn.map((k) => k.name)).toEqual(['tracer']);
    expect(news.all).toContain('java/gradle');
  });

  test('without any record nothing is new (the current kits become the baseline)', () => {
    const news = findNewKits(registry, undefined);
    expect(news.offered).toEqual([]);
    expect(news.alwaysOn).toEqual([]);
  });

  test('the question preselects default-tier kits, as the answer without a terminal', () => {
    const offered = [lsp, docker];
    expect(newKitsQuestion(offered).initial).toEqual(['lsp']);
    expect(defaultChoice(offered)).toEqual(['lsp']);
  });
});

describe('addNewKits', () => {
  const kitsOf = (text: string) => loadLayerFromText(text, FILE).config.kits ?? {};

  test('without a terminal: default kit active after the others, opt-in commented at the end', () => {
    const result = addNewKits(USER_FILE, FILE, [lsp, docker], defaultChoice([lsp, docker]));
    expect(result).toBe(
      lines(
        '# mine',
        'kits:',
        '  python:   # yes',
        '    packages: [black]',
        '  # lsp (default): lsp things',
        '  lsp:',
        '  # rtk:',
        '  # docker (opt-in): docker things',
        '  # docker:',
        '',
        '# my env',
        'env:',
        '  A: "1"',
      ),
    );
    expect(isKitOn(docker, kitsOf(result))).toBe(false);
    expect(isKitOn(lsp, kitsOf(result))).toBe(true);
  });

  test('an opt-in kit chosen on a terminal is really on, not a comment (upstream bug)', () => {
    const result = addNewKits(USER_FILE, FILE, [docker], ['docker']);
    expect(kitsOf(result)).toHaveProperty('docker', null);
    expect(isKitOn(docker, kitsOf(result))).toBe(true);
  });

  test('a default kit left out is written disabled, so it really is off', () => {
    const result = addNewKits(USER_FILE, FILE, [lsp], []);
    expect(kitsOf(result).lsp).toEqual({ disabled: true });
    expect(result.startsWith(lines('# mine', 'kits:', '  python:   # yes'))).toBe(true);
  });

  test('a kit the file already mentions, even in a comment, is left alone', () => {
    const text = lines('kits:', '  # docker:   # not now', '  lsp:', '    disabled: true');
    expect(addNewKits(text, FILE, [docker, lsp], ['docker', 'lsp'])).toBe(text);
  });

  test('flow-style kits still get the kit, through the checked edits', () => {
    const text = lines('kits: {python: {}}  # compact', 'agent: claude');
    const result = addNewKits(text, FILE, [lsp, docker], ['docker']);
    expect(kitsOf(result)).toEqual({ python: {}, lsp: { disabled: true }, docker: null });
    expect(result).toContain('# compact');
  });

  test('a file without kits gets a kits section', () => {
    const result = addNewKits(lines('agent: claude'), FILE, [lsp], ['lsp']);
    expect(kitsOf(result)).toEqual({ lsp: null });
  });
});
