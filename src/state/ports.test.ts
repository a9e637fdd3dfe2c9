import { execFile } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { bundleChildScript } from '../../test/support/child-script.js';
import { UserError } from '../errors.js';
import { log } from '../ui/log.js';
import {
  allocatePorts,
  freePortsOf,
  isHostPortFree,
  listPortRanges,
  type PortRange,
  pickRange,
  portsStatePath,
  releasePorts,
} from './ports.js';

const range = (project: string, start: number, count: number): PortRange => ({
  project,
  container: `asylum-${project.replaceAll('/', '')}`,
  start,
  count,
});

describe('pickRange', () => {
  it.each<[string, PortRange[], number, { start: number; count: number }]>([
    ['a first project starts at the floor', [], 5, { start: 7001, count: 5 }],
    ['an entry of the right size is reused', [range('/p', 7006, 5)], 5, { start: 7006, count: 5 }],
    ['a larger entry is kept, never shrunk', [range('/p', 7006, 8)], 5, { start: 7006, count: 8 }],
    [
      'a smaller entry grows in place when the ports after it are unused',
      [range('/p', 7001, 3), range('/q', 7006, 5)],
      5,
      { start: 7001, count: 5 },
    ],
    [
      'a smaller entry that would overlap another moves to the lowest gap',
      [range('/p', 7001, 3), range('/q', 7004, 5)],
      5,
      { start: 7009, count: 5 },
    ],
    [
      'a moved entry may reuse its own old ports',
      [range('/q', 7001, 2), range('/p', 7003, 2), range('/r', 7005, 1)],
      4,
      { start: 7006, count: 4 },
    ],
    [
      'a gap freed between two ranges is reused',
      [range('/q', 7011, 5), range('/r', 7001, 5)],
      5,
      { start: 7006, count: 5 },
    ],
    [
      'a gap too small is skipped',
      [range('/q', 7001, 5), range('/r', 7010, 5)],
      5,
      { start: 7015, count: 5 },
    ],
    ['a gap below the first range is used', [range('/q', 7004, 5)], 3, { start: 7001, count: 3 }],
    [
      'a legacy entry (start ≥ 10000) of the project is replaced',
      [range('/p', 10_000, 5), range('/q', 7001, 5)],
      5,
      { start: 7006, count: 5 },
    ],
    [
      'a large legacy entry is replaced too',
      [range('/p', 10_000, 50)],
      5,
      { start: 7001, count: 5 },
    ],
  ])('%s', (_, ranges, count, expected) => {
    expect(pickRange(ranges, '/p', count)).toEqual(expected);
  });

  it("avoids other projects' legacy ranges: their containers may still publish them", () => {
    expect(pickRange([range('/q', 10_000, 5)], '/p', 5, 9998)).toEqual({
      start: 10_005,
      count: 5,
    });
  });

  it('fills up to the ceiling exactly', () => {
    const ranges = [range('/q', 7001, 5)];
    expect(pickRange(ranges, '/p', 5, 7001, 7010)).toEqual({ start: 7006, count: 5 });
  });

  it('moves an entry that cannot grow past the ceiling', () => {
    expect(pickRange([range('/p', 7006, 3)], '/p', 6, 7001, 7010)).toEqual({
      start: 7001,
      count: 6,
    });
  });

  it('fails with a hint to free ranges when there is no room', () => {
    const ranges = [range('/q', 7001, 5)];
    const attempt = () => pickRange(ranges, '/p', 6, 7001, 7010);
    expect(attempt).toThrow(UserError);
    expect(attempt).toThrow('no room for 6 more host ports between 7001 and 7010');
    try {
      attempt();
    } catch (error) {
      expect((error as UserError).hint).toContain('asylum cleanup');
    }
  });

  it('fails when a smaller entry can neither grow nor move', () => {
    const ranges = [range('/p', 7001, 2), range('/q', 7003, 8)];
    expect(() => pickRange(ranges, '/p', 3, 7001, 7010)).toThrow(UserError);
  });

  it.each([0, -1, 1.5, Number.NaN, 60_000])('rejects a count of %s', (count) => {
    expect(() => pickRange([], '/p', count)).toThrow(/kits\.ports\.count must be/);
  });

  it('is pure', () => {
    const ranges = [range('/p', 7001, 3), range('/q', 7004, 5)];
    const copy = structuredClone(ranges);
    pickRange(ranges, '/p', 5);
    expect(ranges).toEqual(copy);
  });
});

let home: string;
let statePath: string;

beforeEach(() => {
  home = mkdtempSync(join(tmpdir(), 'asylum-ports-'));
  statePath = portsStatePath(home);
  vi.spyOn(log, 'warn').mockImplementation(() => {});
});

afterEach(() => {
  vi.restoreAllMocks();
  rmSync(home, { recursive: true, force: true });
});

const allocate = (project: string, count = 5, container = `asylum-${project.slice(1)}`) =>
  allocatePorts({ home, project, container, count });

const stored = (): unknown => JSON.parse(readFileSync(statePath, 'utf8'));

describe('allocatePorts and releasePorts', () => {
  it('stores ranges in ~/.asylum/ports.json and keeps them across runs', async () => {
    expect(statePath).toBe(join(home, '.asylum', 'ports.json'));
    expect(await allocate('/a')).toEqual({ start: 7001, count: 5 });
    expect(await allocate('/b', 3)).toEqual({ start: 7006, count: 3 });
    expect(await allocate('/a')).toEqual({ start: 7001, count: 5 });
    expect(stored()).toEqual({
      version: 1,
      ranges: [range('/a', 7001, 5), range('/b', 7006, 3)],
    });
  });

  it('records a new container name for the same project', async () => {
    await allocate('/a', 5, 'old-name');
    await allocate('/a', 5, 'new-name');
    expect(await listPortRanges(home)).toEqual([
      { project: '/a', container: 'new-name', start: 7001, count: 5 },
    ]);
  });

  it('reuses a released gap', async () => {
    await allocate('/a');
    await allocate('/b');
    await allocate('/c');
    expect(await releasePorts({ home, project: '/b' })).toBe(true);
    expect(await releasePorts({ home, project: '/b' })).toBe(false);
    expect(await allocate('/d')).toEqual({ start: 7006, count: 5 });
    expect(await allocate('/e')).toEqual({ start: 7016, count: 5 });
  });

  it('reads a file written by upstream asylum (no version) and keeps its ranges', async () => {
    mkdirSync(dirname(statePath), { recursive: true });
    const upstream = { ranges: [range('/a', 7001, 5), range('/old', 10_000, 5)] };
    writeFileSync(statePath, `${JSON.stringify(upstream, null, 2)}\n`);
    expect(await listPortRanges(home)).toEqual(upstream.ranges);
    expect(await allocate('/old')).toEqual({ start: 7006, count: 5 });
    expect(stored()).toEqual({
      version: 1,
      ranges: [range('/a', 7001, 5), range('/old', 7006, 5)],
    });
  });

  it('leaves the file untouched when there is no room', async () => {
    await allocate('/a');
    const before = readFileSync(statePath, 'utf8');
    await expect(allocate('/b', 70_000)).rejects.toThrow(UserError);
    expect(readFileSync(statePath, 'utf8')).toBe(before);
  });

  it('lists nothing before the first allocation, and creates no file', async () => {
    expect(await listPortRanges(home)).toEqual([]);
    expect(existsSync(statePath)).toBe(false);
  });
});

describe('allocatePorts across processes', () => {
  const run = promisify(execFile);
  let child: string;
  let removeChild: () => void;

  // Separate processes, as concurrent `asylum` runs are: only then does the lock matter.
  beforeAll(async () => {
    const bundled = await bundleChildScript(
      [
        "import { allocatePorts } from './ports.js';",
        'const [home, project, count] = process.argv.slice(2);',
        "const container = 'asylum-' + project.slice(1);",
        'const span = await allocatePorts({ home, project, container, count: Number(count) });',
        'process.stdout.write(JSON.stringify(span));',
      ],
      dirname(fileURLToPath(import.meta.url)),
    );
    child = bundled.script;
    removeChild = bundled.remove;
  });

  afterAll(() => removeChild());

  it('gives 30 concurrent projects 30 disjoint ranges, packed from the floor', async () => {
    const projects = Array.from({ length: 30 }, (_, i) => ({
      name: `/p${i}`,
      count: 1 + (i % 5),
    }));
    const outputs = await Promise.all(
      projects.map(({ name, count }) => run(process.execPath, [child, home, name, `${count}`])),
    );
    const spans = outputs.map(
      ({ stdout }) => JSON.parse(stdout) as { start: number; count: number },
    );
    expect(spans.map((span) => span.count)).toEqual(projects.map((project) => project.count));

    // Disjoint and gap-free: each range starts where the previous one ends.
    const sorted = [...spans].sort((a, b) => a.start - b.start);
    let next = 7001;
    for (const span of sorted) {
      expect(span.start).toBe(next);
      next = span.start + span.count;
    }

    const state = stored() as { version: number; ranges: PortRange[] };
    expect(state.version).toBe(1);
    expect(state.ranges).toHaveLength(30);
    for (const [i, project] of projects.entries()) {
      const entry = state.ranges.find((r) => r.project === project.name);
      expect(entry).toEqual({ ...range(project.name, spans[i]!.start, project.count) });
    }
    expect(readdirSync(dirname(statePath))).toEqual(['ports.json']);
  }, 120_000);
});

describe('host port probes', () => {
  const servers: Server[] = [];

  /** Holds a listening port, as another program on the host would. */
  async function hold(host: string, port = 0): Promise<number> {
    const server = createServer();
    servers.push(server);
    await new Promise<void>((resolve) => server.listen({ port, host }, resolve));
    const address = server.address();
    if (address === null || typeof address === 'string') throw new Error('no port');
    return address.port;
  }

  afterEach(async () => {
    await Promise.all(
      servers.splice(0).map((server) => new Promise((resolve) => server.close(resolve))),
    );
  });

  it('reports a port held on 127.0.0.1 as busy, and free once released', async () => {
    const port = await hold('127.0.0.1');
    expect(await isHostPortFree(port)).toBe(false);
    await new Promise((resolve) => servers.pop()!.close(resolve));
    expect(await isHostPortFree(port)).toBe(true);
  });

  it('reports a port held on all interfaces as busy on 127.0.0.1', async () => {
    const port = await hold('0.0.0.0');
    expect(await isHostPortFree(port)).toBe(false);
  });

  it('splits a range into free and busy ports', async () => {
    const busy = await hold('127.0.0.1');
    const result = await freePortsOf({ start: busy - 1, count: 3 });
    expect(result.busy).toContain(busy);
    expect([...result.free, ...result.busy].sort()).toEqual([busy - 1, busy, busy + 1].sort());
    for (const port of result.free) expect(await isHostPortFree(port)).toBe(true);
  });

  it('rejects on errors other than a taken port', async () => {
    // TEST-NET-1: an address no host interface has.
    await expect(isHostPortFree(7001, '192.0.2.1')).rejects.toThrow(/EADDRNOTAVAIL/);
  });
});
