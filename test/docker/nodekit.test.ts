import { createHash } from 'node:crypto';
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { containerName, shadowVolumeName } from '../../src/plan/naming.js';
import {
  ctx,
  docker,
  existsSync,
  homeOf,
  makeDir,
  makeProject,
  projectContainers,
  runAsylum,
  waitFor,
  writeOwned,
} from './harness.js';

function volumes(filter: string): string[] {
  return docker(['volume', 'ls', '-q', '--filter', filter]).split('\n').filter(Boolean).sort();
}

/** Two package dirs (one with a local dependency), Python requirements and an .envrc. */
function makeNodeProject(): string {
  const project = makeProject('nodekit');
  const pkg = (name: string, deps: Record<string, string> = {}) =>
    `${JSON.stringify({ name, version: '1.0.0', dependencies: deps })}\n`;
  const dep = 'file:./vendor/local-dep';
  writeOwned(join(project, 'package.json'), pkg('root', { 'local-dep': dep }));
  writeOwned(join(project, 'package-lock.json'), '{"lockfileVersion": 3}\n');
  for (const dir of ['vendor', 'vendor/local-dep', 'packages', 'packages/web', 'dist', 'dist/x']) {
    makeDir(join(project, dir));
  }
  // Package dirs under vendor/ and dist/ get no volume of their own.
  writeOwned(join(project, 'vendor', 'local-dep', 'package.json'), pkg('local-dep'));
  writeOwned(join(project, 'vendor', 'local-dep', 'index.js'), 'module.exports = 42;\n');
  writeOwned(join(project, 'packages', 'web', 'package.json'), pkg('web'));
  writeOwned(join(project, 'dist', 'x', 'package.json'), pkg('x'));
  writeOwned(join(project, 'requirements.txt'), '\n');
  writeOwned(join(project, '.asylum'), 'kits:\n  node:\n    onboarding: true\n');
  writeOwned(join(project, '.envrc'), 'export NODEKIT_FOO=from-envrc\n');
  return project;
}

/** What `direnv allow` on the host leaves for this project's .envrc. */
function approveEnvrcOnHost(project: string): void {
  const envrc = join(project, '.envrc');
  const name = createHash('sha256').update(`${envrc}\nexport NODEKIT_FOO=from-envrc\n`);
  const allow = join(homeOf(), '.local', 'share', 'direnv', 'allow');
  for (const dir of ['.local', '.local/share', '.local/share/direnv', '.local/share/direnv/allow'])
    makeDir(join(homeOf(), dir));
  writeOwned(join(allow, name.digest('hex')), `${envrc}\n`);
}

describe.skipIf(!ctx.engine)('node, python and shell kits in the container', () => {
  it('shadows node_modules, makes .venv, skips onboarding without a TTY, trusts .envrc', async () => {
    const project = makeNodeProject();
    approveEnvrcOnHost(project);
    const name = containerName(project);

    // Agent mode on a fresh container: onboarding is due, but nobody can answer.
    const agent = await runAsylum(['-a', 'echo', '--', 'hello'], { cwd: project });
    expect(agent.code, agent.stderr).toBe(0);
    expect(agent.stderr).toContain('onboarding skipped (not a terminal): .: npm ci');
    // Made before sessions enter, unless a loaded machine takes longer than exec waits.
    const venv = join(project, '.venv', 'pyvenv.cfg');
    await waitFor(() => existsSync(venv), 60_000);
    expect(statSync(venv).uid).toBe(ctx.tester.uid);
    // The next run gets a container of its own, not one winding down.
    await waitFor(() => projectContainers(name).length === 0, 30_000);

    const script = [
      'set -e',
      'stat -c "owner=%u" node_modules packages/web/node_modules',
      'npm install --no-audit --no-fund --loglevel=error >/dev/null',
      'echo "dep=$(node -p "require(\'local-dep\')")"',
      '(cd packages/web && npm install --no-audit --no-fund --loglevel=error >/dev/null)',
      'ls -A packages/web/node_modules | sed "s/^/web:/"',
      'direnv exec . sh -c \'echo "envrc=$NODEKIT_FOO"\'',
      'pnpm --version >/dev/null && yarn --version >/dev/null && echo tools=ok',
      'stat -c "cache=%u" ~/.local/share/pnpm ~/.cache/yarn',
    ].join('\n');
    const run = await runAsylum(['run', '--', 'bash', '-c', script], { cwd: project });
    expect(run.code, run.stderr).toBe(0);
    const uid = ctx.tester.uid;
    expect(run.stdout).toContain(`owner=${uid}\nowner=${uid}\n`);
    expect(run.stdout).toContain('dep=42');
    expect(run.stdout).toContain('web:.package-lock.json');
    expect(run.stdout).toContain('envrc=from-envrc');
    expect(run.stdout).toContain('tools=ok');
    expect(run.stdout).toContain(`cache=${uid}\ncache=${uid}\n`);

    // The host's node_modules stay empty dirs of the user: npm wrote into the volumes.
    for (const dir of ['node_modules', 'packages/web/node_modules']) {
      expect(readdirSync(join(project, dir))).toEqual([]);
      expect(statSync(join(project, dir)).uid).toBe(uid);
    }
    const shadow = [
      shadowVolumeName(name, 'node_modules'),
      shadowVolumeName(name, 'packages/web/node_modules'),
    ].sort();
    const labelled = volumes(`label=asylum.container=${name}`).filter((v) => v.includes('-npm-'));
    expect(labelled).toEqual(shadow);
    expect(volumes(`label=asylum.test=${ctx.scope}`)).toEqual(expect.arrayContaining(shadow));

    const inspect = await runAsylum(['inspect', '--json'], { cwd: project });
    const mounts = JSON.parse(inspect.stdout).mounts as { source: string; target: string }[];
    expect(mounts.filter((m) => m.source.includes('-npm-')).map((m) => m.target)).toEqual([
      join(project, 'node_modules'),
      join(project, 'packages/web/node_modules'),
    ]);

    const cleanup = await runAsylum(['cleanup', '--yes'], { cwd: project });
    expect(cleanup.code, cleanup.stderr).toBe(0);
    expect(volumes(`label=asylum.container=${name}`)).toEqual([]);
  });

  it('shadows node_modules at an odd path; makes no .venv without requirements', async () => {
    const project = makeProject('odd ,:"\' name');
    makeDir(join(project, 'sub'));
    writeOwned(join(project, 'sub', 'requirements.txt'), '\n');
    writeOwned(join(project, 'package.json'), '{}\n');
    const script = 'stat -c "owner=%u" node_modules && touch node_modules/inside';
    const run = await runAsylum(['run', '--', 'sh', '-c', script], { cwd: project });
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toBe(`owner=${ctx.tester.uid}\n`);
    expect(readdirSync(join(project, 'node_modules'))).toEqual([]);
    expect(readdirSync(project).sort()).toEqual(['node_modules', 'package.json', 'sub']);
  });
});
