import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { containerName } from '../../src/plan/naming.js';
import { ctx, makeDir, makeProject, runAsylum, writeOwned } from './harness.js';

/** A fresh HOME for one test, owned by the test user, with a decoy ~/.ssh. */
function homeWithSsh(name: string): string {
  const home = makeDir(join(ctx.runDir, 'homes', `ssh-${name}`));
  const ssh = makeDir(join(home, '.ssh'));
  writeOwned(join(ssh, 'id_rsa'), `HOST-PRIVATE-KEY-${name}\n`, 0o600);
  writeOwned(join(ssh, 'known_hosts'), `host.example ssh-ed25519 AAAA-${name}\n`);
  writeOwned(join(ssh, 'config'), 'Host *\n  UseKeychain yes\n  IdentityAgent ~/agent.sock\n');
  return home;
}

/** Reads a path inside the container, then tries to append to it; reports both. */
const PROBE = (path: string) =>
  `if cat "${path}" >/dev/null 2>&1; then r=read; else r=noread; fi; ` +
  `if (echo x >> "${path}") 2>/dev/null; then w=write; else w=nowrite; fi; echo "${path}=$r,$w"`;

async function probe(home: string, project: string, kitsYaml: string, paths: string[]) {
  makeDir(join(home, '.asylum'));
  writeOwned(join(home, '.asylum', 'config.yaml'), `agent: echo\n${kitsYaml}`);
  const script = paths.map(PROBE).join('; ');
  const result = await runAsylum(['run', 'sh', '-c', script], { cwd: project, home });
  expect(result.stderr).not.toMatch(/error/i);
  return result.stdout.trim().split('\n');
}

describe.skipIf(!ctx.engine)(
  'identity: what the container sees of ~/.ssh and ~/.gitconfig',
  () => {
    it('isolated (default): own key read-only, own known_hosts; no host key or config', async () => {
      const home = homeWithSsh('isolated');
      const project = makeProject('ssh-isolated');
      const h = home;
      const seen = await probe(home, project, '', [
        `${h}/.ssh/asylum/id_ed25519`,
        `${h}/.ssh/known/known_hosts`,
        `${h}/.ssh/host/id_rsa`,
        `${h}/.ssh/id_rsa`,
      ]);
      expect(seen).toEqual([
        `${h}/.ssh/asylum/id_ed25519=read,nowrite`,
        `${h}/.ssh/known/known_hosts=read,write`,
        // Nothing of the host's ~/.ssh exists inside; the container's own ~/.ssh is writable.
        `${h}/.ssh/host/id_rsa=noread,nowrite`,
        `${h}/.ssh/id_rsa=noread,write`,
      ]);
      // The container's known_hosts is asylum's copy: the host's file is untouched.
      expect(readFileSync(join(home, '.ssh', 'known_hosts'), 'utf8')).toBe(
        'host.example ssh-ed25519 AAAA-isolated\n',
      );
      const dataDir = join(home, '.asylum', 'projects', containerName(project));
      const copy = join(dataDir, 'ssh-known', 'known_hosts');
      expect(readFileSync(copy, 'utf8')).toContain('AAAA-isolated');
    });

    it('shared: the host ~/.ssh read-only, and its macOS-only options do not break ssh', async () => {
      const home = homeWithSsh('shared');
      const project = makeProject('ssh-shared');
      const seen = await probe(home, project, 'kits:\n  ssh:\n    isolation: shared\n', [
        `${home}/.ssh/host/id_rsa`,
        `${home}/.ssh/host/known_hosts`,
      ]);
      expect(seen).toEqual([
        `${home}/.ssh/host/id_rsa=read,nowrite`,
        `${home}/.ssh/host/known_hosts=read,nowrite`,
      ]);
      const check = await runAsylum(
        ['run', 'sh', '-c', 'ssh -G example.org >/dev/null && echo ssh-ok'],
        {
          cwd: project,
          home,
        },
      );
      expect(check.stdout).toContain('ssh-ok');
      expect(readFileSync(join(home, '.ssh', 'id_rsa'), 'utf8')).toBe('HOST-PRIVATE-KEY-shared\n');
    });

    it('shared with writable: true mounts the host ~/.ssh read-write', async () => {
      const home = homeWithSsh('shared-rw');
      const project = makeProject('ssh-shared-rw');
      const config = 'kits:\n  ssh:\n    isolation: shared\n    writable: true\n';
      const seen = await probe(home, project, config, [`${home}/.ssh/host/known_hosts`]);
      expect(seen).toEqual([`${home}/.ssh/host/known_hosts=read,write`]);
    });

    it("project: a key of the project's own, under its data dir", async () => {
      const home = homeWithSsh('project');
      const project = makeProject('ssh-project');
      const config = 'kits:\n  ssh:\n    isolation: project\n';
      const seen = await probe(home, project, config, [`${home}/.ssh/asylum/id_ed25519.pub`]);
      expect(seen).toEqual([`${home}/.ssh/asylum/id_ed25519.pub=read,nowrite`]);
      const other = makeProject('ssh-project-2');
      const keyOf = async (dir: string) =>
        (await runAsylum(['run', 'cat', `${home}/.ssh/asylum/id_ed25519.pub`], { cwd: dir, home }))
          .stdout;
      expect(await keyOf(project)).not.toBe(await keyOf(other));
    });
  },
);
