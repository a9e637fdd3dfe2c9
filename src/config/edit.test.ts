import { describe, expect, test } from 'vitest';
import { fakeKit } from '../../test/support/kits.js';
import {
  activateEntry,
  appendToSection,
  entryState,
  insertActiveEntry,
  setEntryOption,
} from './edit.js';
import { disableKit, enableKit, isKitOnInText, setKitCredentials } from './kit-edits.js';
import { loadLayerFromText } from './load.js';

const FILE = '/home/dev/.asylum/config.yaml';

const kit = fakeKit;
const github = kit('github', 'default', true);
const python = kit('python', 'default');
const docker = kit('docker', 'opt-in');
const vault = kit('vault', 'opt-in', true);

const lines = (...text: string[]) => `${text.join('\n')}\n`;
const kitsOf = (text: string) => loadLayerFromText(text, FILE).config.kits;

/** A file as a person keeps it: comments everywhere, odd spacing, other sections. */
const HAND_WRITTEN = lines(
  '# my asylum config',
  'agent: claude   # keep this',
  '',
  'kits:',
  '  # the python I need',
  '  python:',
  '    packages: [black]   # formatter',
  '  # docker:            # maybe later',
  '  github:',
  '    disabled: true',
  '',
  '# my ports',
  'ports:',
  '  - "3000"',
);

describe('text edits keep everything else', () => {
  test('enabling a commented-out opt-in kit uncomments it, leaving a real entry', () => {
    const result = enableKit(HAND_WRITTEN, FILE, docker);
    expect(result).toBe(
      HAND_WRITTEN.replace('  # docker:            #', '  docker:            #'),
    );
    expect(kitsOf(result)).toHaveProperty('docker', null);
    expect(isKitOnInText(result, FILE, docker)).toBe(true);
  });

  test('enabling a disabled default kit removes only its disabled line', () => {
    const result = enableKit(HAND_WRITTEN, FILE, github);
    expect(result).toBe(HAND_WRITTEN.replace('  github:\n    disabled: true\n', '  github:\n'));
    expect(isKitOnInText(result, FILE, github)).toBe(true);
  });

  test('enabling an opt-in kit that is not mentioned adds it after the active kits', () => {
    const result = enableKit(HAND_WRITTEN, FILE, kit('rtk', 'opt-in'));
    expect(result).toBe(
      HAND_WRITTEN.replace('    disabled: true\n', '    disabled: true\n  rtk:\n'),
    );
  });

  test('enabling a kit that is already on changes nothing', () => {
    expect(enableKit(HAND_WRITTEN, FILE, python)).toBe(HAND_WRITTEN);
    // A default kit is on even when the file only mentions it in a comment.
    const commented = lines('kits:', '  # python:');
    expect(enableKit(commented, FILE, python)).toBe(commented);
  });

  test('disabling a kit sets disabled: true as its first option and keeps the others', () => {
    const result = disableKit(HAND_WRITTEN, FILE, python);
    expect(result).toBe(HAND_WRITTEN.replace('  python:\n', '  python:\n    disabled: true\n'));
    expect(kitsOf(result)?.python).toEqual({ disabled: true, packages: ['black'] });
  });

  test('disabling a default kit the file does not mention adds a disabled entry', () => {
    const text = lines('agent: claude', 'kits:', '  python:');
    const result = disableKit(text, FILE, github);
    expect(result).toBe(
      lines('agent: claude', 'kits:', '  python:', '  github:', '    disabled: true'),
    );
  });

  test('a file without kits gets a kits section at the end', () => {
    const result = enableKit(lines('agent: codex'), FILE, docker);
    expect(result).toBe(lines('agent: codex', '', 'kits:', '  docker:'));
    expect(enableKit('', FILE, docker)).toBe(lines('', 'kits:', '  docker:'));
  });

  test('kits written with four spaces keep their indentation', () => {
    const text = lines('kits:', '    python:', '        packages: [x]', '    # docker:');
    expect(enableKit(text, FILE, docker)).toBe(
      lines('kits:', '    python:', '        packages: [x]', '    docker:'),
    );
    expect(disableKit(lines('kits:', '    docker:'), FILE, docker)).toBe(
      lines('kits:', '    docker:', '        disabled: true'),
    );
    expect(disableKit(text, FILE, python)).toBe(
      lines(
        'kits:',
        '    python:',
        '        disabled: true',
        '        packages: [x]',
        '    # docker:',
      ),
    );
  });

  test('a commented-out kits section with only comments is filled in place', () => {
    const text = lines('kits:', '  # docker:', '  # vault:', '', '# footer');
    expect(enableKit(text, FILE, vault)).toBe(
      lines('kits:', '  # docker:', '  vault:', '', '# footer'),
    );
  });

  test('a column-0 example such as `# ports:` after the kits is not taken for a kit entry', () => {
    const text = lines('kits:', '  python:', '', '# ports:', '#   - "3000"');
    expect(entryState(text, 'kits', 'ports')).toBe('absent');
    expect(enableKit(text, FILE, kit('ports', 'opt-in'))).toBe(
      lines('kits:', '  python:', '  ports:', '', '# ports:', '#   - "3000"'),
    );
  });
});

test('a column-0 comment between entries does not end the kits section', () => {
  const text = lines('kits:', '  python:', '# the JDK', '  java:', '    disabled: true', '# end');
  expect(enableKit(text, FILE, kit('java', 'default'))).toBe(
    lines('kits:', '  python:', '# the JDK', '  java:', '# end'),
  );
  expect(enableKit(text, FILE, docker)).toBe(
    lines(
      'kits:',
      '  python:',
      '# the JDK',
      '  java:',
      '    disabled: true',
      '  docker:',
      '# end',
    ),
  );
});

describe('credentials', () => {
  const WIZARD_STYLE = lines(
    'kits:',
    '  # github: gh',
    '  github:',
    '    # credentials: auto       # GitHub: your gh token',
    '  # vault (opt-in): secrets',
    '  # vault:',
  );

  test('turning credentials on uses the commented hint line', () => {
    const result = setKitCredentials(WIZARD_STYLE, FILE, github, true);
    expect(result).toBe(
      WIZARD_STYLE.replace('    # credentials: auto ', '    credentials: auto '),
    );
    expect(kitsOf(result)?.github).toEqual({ credentials: 'auto' });
  });

  test('turning them off writes false and keeps the comment', () => {
    const on = setKitCredentials(WIZARD_STYLE, FILE, github, true);
    const off = setKitCredentials(on, FILE, github, false);
    expect(off).toContain('    credentials: false       # GitHub: your gh token\n');
    expect(kitsOf(off)?.github).toEqual({ credentials: false });
  });

  test('saving credentials does not re-activate a commented-out kit (upstream bug)', () => {
    expect(setKitCredentials(WIZARD_STYLE, FILE, vault, true)).toBe(WIZARD_STYLE);
    expect(setKitCredentials(WIZARD_STYLE, FILE, vault, false)).toBe(WIZARD_STYLE);
    const disabled = lines('kits:', '  github:', '    disabled: true');
    expect(setKitCredentials(disabled, FILE, github, true)).toBe(disabled);
  });

  test('an explicit list counts as on and is kept; turning off replaces the whole list', () => {
    const text = lines(
      'kits:',
      '  github:',
      '    credentials:',
      '      - one',
      '      - two',
      'env: {}',
    );
    expect(setKitCredentials(text, FILE, github, true)).toBe(text);
    expect(setKitCredentials(text, FILE, github, false)).toBe(
      lines('kits:', '  github:', '    credentials: false', 'env: {}'),
    );
  });

  test('a default kit the file does not mention gets an entry (it is on anyway)', () => {
    const result = setKitCredentials(lines('agent: claude'), FILE, github, true);
    expect(kitsOf(result)).toEqual({ github: { credentials: 'auto' } });
  });
});

describe('layouts the line edits do not handle fall back to the Document API', () => {
  test('flow-style kits keep their comments', () => {
    const text = lines(
      '# top',
      'kits: {python: {}, github: {disabled: true}}  # inline',
      'agent: x',
    );
    const enabled = enableKit(text, FILE, github);
    expect(kitsOf(enabled)?.github).toEqual({});
    expect(enabled).toContain('# top');
    const added = enableKit(text, FILE, docker);
    expect(Object.keys(kitsOf(added) ?? {})).toEqual(['python', 'github', 'docker']);
  });

  test('an inline entry value', () => {
    const text = lines('kits:', '  github: {credentials: false}  # why', '  python:');
    const result = setKitCredentials(text, FILE, github, true);
    expect(kitsOf(result)?.github).toEqual({ credentials: 'auto' });
    expect(result).toContain('# why');
  });
});

describe('lower-level edits', () => {
  test('setEntryOption creates the entry and replaces a value in place', () => {
    const text = lines('agents:', '  claude:', '    config: shared   # was shared', '  # codex:');
    const edit = { section: 'agents', entry: 'claude', key: 'config', value: 'isolated' } as const;
    expect(setEntryOption(text, FILE, edit)).toBe(text.replace('shared   #', 'isolated   #'));
    const codex = setEntryOption(text, FILE, { ...edit, entry: 'gemini' });
    expect(codex).toBe(text.replace('  # codex:', '  gemini:\n    config: isolated\n  # codex:'));
  });

  test('activateEntry on an active entry is a no-op', () => {
    expect(activateEntry(HAND_WRITTEN, FILE, 'kits', 'python')).toBe(HAND_WRITTEN);
  });

  test('entryState tells active, commented and absent apart', () => {
    expect(entryState(HAND_WRITTEN, 'kits', 'python')).toBe('active');
    expect(entryState(HAND_WRITTEN, 'kits', 'docker')).toBe('commented');
    expect(entryState(HAND_WRITTEN, 'kits', 'java')).toBe('absent');
    expect(entryState(HAND_WRITTEN, 'agents', 'claude')).toBe('absent');
    // The wizard's summary lines name the kit with its tier, never as `name:`.
    const summary = lines('kits:', '  # java (default): OpenJDK', '  python:');
    expect(entryState(summary, 'kits', 'java')).toBe('absent');
  });

  test('appendToSection and insertActiveEntry put lines at the end and after the active ones', () => {
    const appended = appendToSection(HAND_WRITTEN, 'kits', ['  # rtk:']);
    expect(appended).toBe(
      HAND_WRITTEN.replace('    disabled: true\n', '    disabled: true\n  # rtk:\n'),
    );
    const text = lines('kits:', '  python:', '  # docker:', '', 'env: {}');
    expect(insertActiveEntry(text, 'kits', ['  rtk:'])).toBe(
      lines('kits:', '  python:', '  rtk:', '  # docker:', '', 'env: {}'),
    );
  });
});
