import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { knownKitsPath, readKnownKits, recordKnownKits } from '../state/known-kits.js';
import { createConfigFile, editConfigFile } from './config-file.js';

let home: string;
let path: string;
beforeEach(() => {
  home = mkdtempSync(join(tmpdir(), 'asylum-config-file-'));
  path = join(home, '.asylum', 'config.yaml');
});
afterEach(() => rmSync(home, { recursive: true, force: true }));

describe('createConfigFile', () => {
  test('writes a new file readable by its owner only', async () => {
    expect(await createConfigFile(path, 'agent: claude\n')).toBe(true);
    expect(readFileSync(path, 'utf8')).toBe('agent: claude\n');
    expect(statSync(path).mode & 0o777).toBe(0o600);
  });

  test('keeps a file that another run wrote meanwhile', async () => {
    await createConfigFile(path, 'agent: codex\n');
    expect(await createConfigFile(path, 'agent: claude\n')).toBe(false);
    expect(readFileSync(path, 'utf8')).toBe('agent: codex\n');
  });

  test('concurrent first runs: exactly one writes', async () => {
    const texts = ['agent: a1\n', 'agent: a2\n', 'agent: a3\n'];
    const results = await Promise.all(texts.map((text) => createConfigFile(path, text)));
    expect(results.filter(Boolean)).toHaveLength(1);
    expect(texts).toContain(readFileSync(path, 'utf8'));
  });

  test('overwrite keeps the old file as a backup', async () => {
    await createConfigFile(path, 'agent: codex\n');
    await createConfigFile(path, 'agent: claude\n', { overwrite: true });
    expect(readFileSync(`${path}.backup`, 'utf8')).toBe('agent: codex\n');
    expect(readFileSync(path, 'utf8')).toBe('agent: claude\n');
  });

  test('refuses text the loader would reject (a bug, never the user file)', async () => {
    await expect(createConfigFile(path, 'agnt: claude\n')).rejects.toThrow(/unknown key/);
  });
});

describe('editConfigFile', () => {
  test('writes only when the text changes, keeping the file mode', async () => {
    await createConfigFile(path, 'agent: claude\n');
    expect(await editConfigFile(path, (text) => text)).toBe(false);
    expect(await editConfigFile(path, (text) => `# note\n${text}`)).toBe(true);
    expect(readFileSync(path, 'utf8')).toBe('# note\nagent: claude\n');
    expect(statSync(path).mode & 0o777).toBe(0o600);
  });
});

describe('known kits', () => {
  test('nothing recorded is undefined; records accumulate, sorted', async () => {
    expect(await readKnownKits(home)).toBeUndefined();
    await recordKnownKits(home, ['python', 'java']);
    await recordKnownKits(home, ['github', 'java']);
    expect(await readKnownKits(home)).toEqual(['github', 'java', 'python']);
  });

  test('a corrupt record is moved aside and started afresh', async () => {
    await recordKnownKits(home, ['java']);
    writeFileSync(knownKitsPath(home), '{not json');
    await recordKnownKits(home, ['python']);
    expect(await readKnownKits(home)).toEqual(['python']);
  });
});
