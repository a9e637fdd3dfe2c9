import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ctx, makeProject, runAsylum } from './harness.js';

const AWKWARD_NAMES = [
  'with space',
  'with:colon',
  'with,comma',
  'with"quote',
  "with'apostrophe",
  'ünïcödé-日本',
  'mixed ,:"\' all',
];

describe.skipIf(!ctx.engine)('project paths with special characters', () => {
  for (const name of AWKWARD_NAMES) {
    it(`mounts ${JSON.stringify(name)} at its real path, read-write`, async () => {
      const project = makeProject(name);
      writeFileSync(join(project, 'from-host.txt'), 'host-content\n');
      const result = await runAsylum(
        ['run', 'sh', '-c', 'pwd; cat from-host.txt; echo container-content > from-container.txt'],
        { cwd: project },
      );
      expect(result.stderr).not.toContain('error');
      expect(result.stdout).toBe(`${project}\nhost-content\n`);
      expect(result.code).toBe(0);
      expect(existsSync(join(project, 'from-container.txt'))).toBe(true);
      expect(readFileSync(join(project, 'from-container.txt'), 'utf8')).toBe(
        'container-content\n',
      );
    });
  }
});
