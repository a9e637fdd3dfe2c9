import { execFile, execFileSync } from 'node:child_process';
import {
  closeSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
  writeSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { z } from 'zod';
import { bundleChildScript } from '../../test/support/child-script.js';
import { UserError } from '../errors.js';
import { log } from '../ui/log.js';
import { readJsonState, updateJsonState } from './json-state.js';

const counterSchema = z.strictObject({ n: z.int() });
type Counter = z.infer<typeof counterSchema>;
const INITIAL: Counter = { n: 0 };
const increment = (state: Counter): Counter => ({ n: state.n + 1 });

let root: string;
let path: string;
let warnings: string[];

beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'asylum-json-state-'));
  path = join(root, '.asylum', 'state.json');
  warnings = [];
  vi.spyOn(log, 'warn').mockImplementation((message) => {
    warnings.push(message);
  });
});

afterEach(() => {
  vi.restoreAllMocks();
  rmSync(root, { recursive: true, force: true });
});

function put(text: string, file = path): void {
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, text);
}

const asideFiles = (): string[] =>
  readdirSync(dirname(path)).filter((name) => name.startsWith('state.json.corrupt-'));

describe('updateJsonState', () => {
  it('starts a missing file from the initial state and writes it 0600, 2-space JSON', async () => {
    expect(await updateJsonState(path, counterSchema, INITIAL, increment)).toEqual({ n: 1 });
    expect(readFileSync(path, 'utf8')).toBe('{\n  "n": 1\n}\n');
    expect(statSync(path).mode & 0o777).toBe(0o600);
    expect(readdirSync(dirname(path))).toEqual(['state.json']);
  });

  it('hands the stored state to mutate and stores what it returns', async () => {
    put('{"n": 41}');
    const mutate = vi.fn(increment);
    expect(await updateJsonState(path, counterSchema, INITIAL, mutate)).toEqual({ n: 42 });
    expect(mutate).toHaveBeenCalledWith({ n: 41 });
    expect(JSON.parse(readFileSync(path, 'utf8'))).toEqual({ n: 42 });
  });

  it('accepts an async mutate', async () => {
    const result = await updateJsonState(path, counterSchema, INITIAL, async (s) => increment(s));
    expect(result).toEqual({ n: 1 });
  });

  it('never lets mutate change the caller’s initial value', async () => {
    const initial = { n: 0 };
    await updateJsonState(path, counterSchema, initial, (state) => {
      state.n = 7;
      return state;
    });
    expect(initial).toEqual({ n: 0 });
  });

  it.each([
    ['truncated JSON', '{"n": 4', /not valid JSON/],
    ['an empty file', '', /not valid JSON/],
    ['the wrong shape', '{"count": 3}', /unexpected content at/],
    ['a wrong type', '{"n": "three"}', /unexpected content at n:/],
    ['a JSON array', '[1, 2]', /unexpected content at top level/],
  ])('moves %s aside with a warning and starts afresh', async (_, text, reason) => {
    put(text);
    expect(await updateJsonState(path, counterSchema, INITIAL, increment)).toEqual({ n: 1 });
    const [aside] = asideFiles();
    expect(aside).toMatch(/^state\.json\.corrupt-\d{4}-\d\d-\d\dT[\d-]+Z$/);
    expect(readFileSync(join(dirname(path), aside!), 'utf8')).toBe(text);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toContain(path);
    expect(warnings[0]).toContain(join(dirname(path), aside!));
    expect(warnings[0]).toMatch(reason);
    expect(JSON.parse(readFileSync(path, 'utf8'))).toEqual({ n: 1 });
  });

  it('keeps every moved-aside copy when the file goes bad twice in a row', async () => {
    put('{');
    await updateJsonState(path, counterSchema, INITIAL, increment);
    put('}');
    await updateJsonState(path, counterSchema, INITIAL, increment);
    const copies = asideFiles().map((name) => readFileSync(join(dirname(path), name), 'utf8'));
    expect(copies.sort()).toEqual(['{', '}']);
  });

  it('leaves the old file intact and names the path when the write fails', async () => {
    // The longest name whose lock dir (`.lock`) still fits NAME_MAX (255): the temp
    // file (`.<uint32>`) does not, so the write fails after the lock is taken even
    // as root, which chmod could not stop.
    const longPath = join(root, 'x'.repeat(250));
    put('{"n": 5}\n', longPath);
    const failure = updateJsonState(longPath, counterSchema, INITIAL, increment);
    await expect(failure).rejects.toThrow(UserError);
    await expect(failure).rejects.toThrow(`could not write ${longPath}`);
    expect(readFileSync(longPath, 'utf8')).toBe('{"n": 5}\n');
    expect(readdirSync(root)).toEqual(['x'.repeat(250)]);
  });

  it('fails with a UserError naming the path when its parent is a file', async () => {
    const parent = join(root, 'not-a-dir');
    writeFileSync(parent, 'keep me');
    const nested = join(parent, 'state.json');
    const failure = updateJsonState(nested, counterSchema, INITIAL, increment);
    await expect(failure).rejects.toThrow(UserError);
    await expect(failure).rejects.toThrow(nested);
    expect(readFileSync(parent, 'utf8')).toBe('keep me');
  });

  it('writes nothing and releases the lock when mutate throws', async () => {
    put('{"n": 3}');
    const boom = updateJsonState(path, counterSchema, INITIAL, () => {
      throw new Error('boom');
    });
    await expect(boom).rejects.toThrow('boom');
    expect(readFileSync(path, 'utf8')).toBe('{"n": 3}');
    expect(await updateJsonState(path, counterSchema, INITIAL, increment)).toEqual({ n: 4 });
  });

  it('refuses to write a state its own schema rejects', async () => {
    put('{"n": 3}');
    const bad = updateJsonState(path, counterSchema, INITIAL, () => ({ n: 1.5 }));
    await expect(bad).rejects.toThrow(`refusing to write invalid state to ${path}`);
    expect(readFileSync(path, 'utf8')).toBe('{"n": 3}');
  });
});

describe('readJsonState', () => {
  it('reads a valid file', async () => {
    put('{"n": 9}');
    expect(await readJsonState(path, counterSchema, INITIAL)).toEqual({ n: 9 });
  });

  it('reads a missing file as a copy of the initial state, creating nothing', async () => {
    const state = await readJsonState(path, counterSchema, INITIAL);
    expect(state).toEqual(INITIAL);
    expect(state).not.toBe(INITIAL);
    expect(existsSync(dirname(path))).toBe(false);
  });

  it('reads a corrupt file as the initial state with a warning, leaving it in place', async () => {
    put('{"n": ');
    expect(await readJsonState(path, counterSchema, INITIAL)).toEqual(INITIAL);
    expect(readFileSync(path, 'utf8')).toBe('{"n": ');
    expect(asideFiles()).toEqual([]);
    expect(warnings).toEqual([expect.stringContaining(path)]);
  });

  it('reports an unreadable path as a UserError', async () => {
    mkdirSync(path, { recursive: true });
    await expect(readJsonState(path, counterSchema, INITIAL)).rejects.toThrow(
      `could not read ${path}`,
    );
  });
});

describe('updateJsonState across processes', () => {
  const run = promisify(execFile);
  let child: string;
  let removeChild: () => void;

  // A real separate process per writer: the lock must hold across processes, which
  // one process's event loop (or vitest's workers) would not prove.
  beforeAll(async () => {
    const bundled = await bundleChildScript(
      [
        "import { z } from 'zod';",
        "import { updateJsonState } from './json-state.js';",
        'const schema = z.strictObject({ n: z.int() });',
        'await updateJsonState(process.argv[2], schema, { n: 0 }, (s) => ({ n: s.n + 1 }));',
      ],
      dirname(fileURLToPath(import.meta.url)),
    );
    child = bundled.script;
    removeChild = bundled.remove;
  });

  afterAll(() => removeChild());

  it('counts 30 concurrent increments from 30 processes exactly', async () => {
    const writers = Array.from({ length: 30 }, () => run(process.execPath, [child, path]));
    await Promise.all(writers);
    expect(JSON.parse(readFileSync(path, 'utf8'))).toEqual({ n: 30 });
    expect(readdirSync(dirname(path))).toEqual(['state.json']);
  }, 120_000);
});

const isRoot = process.getuid?.() === 0;

describe.skipIf(!isRoot)('updateJsonState on a full disk (a 64 KiB tmpfs)', () => {
  const listSchema = z.strictObject({ items: z.array(z.string()) });
  let disk: string;

  beforeEach(() => {
    disk = mkdtempSync(join(tmpdir(), 'asylum-full-disk-'));
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=64k', 'tmpfs', disk]);
  });

  afterEach(() => {
    execFileSync('umount', [disk]);
    rmSync(disk, { recursive: true, force: true });
  });

  /** Takes all the room that is left, so the next write of any size fails. */
  function fillDisk(): void {
    const chunk = Buffer.alloc(4096, 1);
    const fd = openSync(join(disk, 'filler'), 'w');
    try {
      for (;;) writeSync(fd, chunk);
    } catch (error) {
      expect((error as NodeJS.ErrnoException).code).toBe('ENOSPC');
    } finally {
      closeSync(fd);
    }
  }

  it('keeps the last good file whole and leaves no temp file', async () => {
    const state = join(disk, '.asylum', 'ports.json');
    await updateJsonState(state, listSchema, { items: [] }, () => ({ items: ['first'] }));
    const good = readFileSync(state, 'utf8');
    fillDisk();
    const big = Array.from({ length: 2000 }, (_, i) => `project-${i}`);
    const failure = updateJsonState(state, listSchema, { items: [] }, () => ({ items: big }));
    await expect(failure).rejects.toThrow(UserError);
    await expect(failure).rejects.toThrow(`could not write ${state}`);
    expect(readFileSync(state, 'utf8')).toBe(good);
    expect(readdirSync(dirname(state))).toEqual(['ports.json']);
    // Once there is room again, the next update goes through.
    rmSync(join(disk, 'filler'));
    const next = await updateJsonState(state, listSchema, { items: [] }, () => ({ items: big }));
    expect(next.items).toHaveLength(2000);
    expect(JSON.parse(readFileSync(state, 'utf8'))).toEqual({ items: big });
  });
});
