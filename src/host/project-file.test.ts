import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readProjectFile } from './project-file.js';

function layout() {
  const root = mkdtempSync(join(tmpdir(), 'pf-'));
  const project = join(root, 'project');
  mkdirSync(join(project, 'sub'), { recursive: true });
  writeFileSync(join(root, 'secret'), 'HOST-SECRET=1\n');
  writeFileSync(join(project, 'sub', 'real.env'), 'A=1\n');
  return { root, project };
}

describe('readProjectFile: project files are hostile input', () => {
  it('reads a regular file, and a link that stays inside the project', () => {
    const { project } = layout();
    writeFileSync(join(project, '.env'), 'A=1\n');
    expect(readProjectFile(project, '.env')).toMatchObject({ kind: 'text', text: 'A=1\n' });
    symlinkSync('sub/real.env', join(project, 'linked.env'));
    expect(readProjectFile(project, 'linked.env')).toMatchObject({ kind: 'text', text: 'A=1\n' });
  });

  it('says absent for nothing, and for a dangling link', () => {
    const { project } = layout();
    expect(readProjectFile(project, '.env')).toEqual({ kind: 'absent' });
    symlinkSync('/nonexistent/x', join(project, '.env'));
    expect(readProjectFile(project, '.env')).toEqual({ kind: 'absent' });
  });

  it('refuses a link (direct or through a directory) that leads outside', () => {
    const { root, project } = layout();
    symlinkSync(join(root, 'secret'), join(project, '.env'));
    expect(readProjectFile(project, '.env')).toMatchObject({
      kind: 'refused',
      reason: expect.stringContaining('outside the project'),
    });
    symlinkSync(root, join(project, 'up'));
    expect(readProjectFile(project, 'up/secret').kind).toBe('refused');
  });

  it('refuses a FIFO without waiting for a writer, a directory and a huge file', () => {
    const { project } = layout();
    execFileSync('mkfifo', [join(project, '.env')]);
    expect(readProjectFile(project, '.env')).toMatchObject({ kind: 'refused' });
    expect(readProjectFile(project, 'sub')).toMatchObject({ kind: 'refused' });
    writeFileSync(join(project, 'big'), 'x'.repeat(2048));
    expect(readProjectFile(project, 'big', 1024)).toMatchObject({
      kind: 'refused',
      reason: expect.stringContaining('larger'),
    });
  });
});
