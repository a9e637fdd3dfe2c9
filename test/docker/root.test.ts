import { statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ctx, makeProject, runAsylum } from './harness.js';

const isRoot = process.getuid?.() === 0;

describe.skipIf(!ctx.engine || !isRoot)('asylum run as root on the host', () => {
  it('runs as root in the container and tells agents they are sandboxed', async () => {
    const project = makeProject('as-root', 'root');
    const result = await runAsylum(
      ['run', 'sh', '-c', 'id -u; echo $IS_SANDBOX; touch by-root; echo $HOME'],
      { cwd: project, as: 'root' },
    );
    expect(result.code).toBe(0);
    const [uid, sandbox, home] = result.stdout.trim().split('\n');
    expect(uid).toBe('0');
    expect(sandbox).toBe('1');
    expect(home).toBe(join(ctx.runDir, 'homes', 'root'));
    expect(statSync(join(project, 'by-root')).uid).toBe(0);
  });
});
