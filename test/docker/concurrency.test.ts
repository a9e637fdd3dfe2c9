import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { containerName } from '../../src/plan/naming.js';
import {
  ctx,
  docker,
  dockerOk,
  makeDir,
  makeProject,
  projectContainers,
  runAsylum,
  waitFor,
} from './harness.js';

const PROJECTS = 8;

interface StoredRange {
  project: string;
  start: number;
  count: number;
}

describe.skipIf(!ctx.engine)('concurrent first runs', () => {
  it('gives 8 new projects 8 containers, networks and port ranges, and builds once', async () => {
    // A fresh HOME: none of these projects has run before, and their shared
    // base image (it bakes in HOME) does not exist yet.
    const home = makeDir(join(ctx.runDir, 'homes', 'eight-projects'));
    const projects = Array.from({ length: PROJECTS }, (_, i) => makeProject(`first-${i}`));
    const names = projects.map((project) => containerName(project));
    // Each session waits for a file in its project, so all 8 can be seen at once.
    const runs = projects.map((project, i) =>
      runAsylum(
        ['-a', 'echo', 'run', 'sh', '-c', `while [ ! -e go ]; do sleep 0.2; done; echo done-${i}`],
        { cwd: project, home, timeoutMs: 400_000 },
      ),
    );
    try {
      const allUp = () => names.every((name) => projectContainers(name).length === 1);
      const took = await waitFor(allUp, 360_000, 500).catch(() => {
        const missing = names.filter((name) => projectContainers(name).length !== 1);
        throw new Error(`no running container for ${missing.join(', ')}`);
      });
      console.log(`all ${PROJECTS} containers ran ${took} ms after the start`);
      const networks = names.map((name) =>
        docker([
          'inspect',
          '--format',
          '{{range $k, $v := .NetworkSettings.Networks}}{{$k}}{{end}}',
          name,
        ]),
      );
      expect(networks).toEqual(names.map((name) => `${name}-net`));
      for (const network of networks) expect(dockerOk(['network', 'inspect', network])).toBe(true);
    } finally {
      for (const project of projects) writeFileSync(join(project, 'go'), '');
    }
    const results = await Promise.all(runs);
    for (const [i, result] of results.entries()) {
      expect(result, result.stderr).toMatchObject({ code: 0, stdout: `done-${i}\n` });
    }

    const stderr = results.map((result) => result.stderr).join('\n');
    const baseBuilds = stderr.match(/building image asylum:base-/g) ?? [];
    const projectBuilds = stderr.match(/building image asylum:proj-/g) ?? [];
    console.log(`${baseBuilds.length} base build(s), ${projectBuilds.length} project builds`);
    expect(baseBuilds).toHaveLength(1);
    expect(projectBuilds).toHaveLength(PROJECTS);

    const portsFile = join(home, '.asylum', 'ports.json');
    const state = JSON.parse(readFileSync(portsFile, 'utf8')) as { ranges: StoredRange[] };
    expect(state.ranges.map((range) => range.project).sort()).toEqual([...projects].sort());
    const spans = [...state.ranges].sort((a, b) => a.start - b.start);
    for (const [i, span] of spans.entries()) {
      if (i > 0)
        expect(span.start).toBeGreaterThanOrEqual(spans[i - 1]!.start + spans[i - 1]!.count);
    }
    // Written atomically under a lock: no temp or moved-aside file is left next to it.
    const besides = readdirSync(join(home, '.asylum')).filter((n) => n.startsWith('ports.json'));
    expect(besides).toEqual(['ports.json']);
    expect(stderr).not.toMatch(/corrupt|compromised|internal error/);

    await waitFor(() => names.every((name) => projectContainers(name).length === 0), 30_000);
  }, 480_000);
});
