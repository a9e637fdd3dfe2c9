import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { containerName } from '../../src/plan/naming.js';
import {
  asylumCommand,
  ctx,
  hasTmux,
  homeOf,
  makeProject,
  projectContainers,
  runAsylum,
  tmux,
  waitFor,
  writeOwned,
} from './harness.js';

/** A package without dependencies: `npm ci` needs no registry. */
function makeLockedProject(): string {
  const project = makeProject('onboard-tty');
  const manifest = { name: 'onboard', version: '1.0.0' };
  const lock = { ...manifest, lockfileVersion: 3, requires: true, packages: { '': manifest } };
  writeOwned(join(project, 'package.json'), `${JSON.stringify(manifest)}\n`);
  writeOwned(join(project, 'package-lock.json'), `${JSON.stringify(lock)}\n`);
  writeOwned(join(project, '.asylum'), 'kits:\n  node:\n    onboarding: true\n');
  return project;
}

describe.skipIf(!ctx.engine || (!hasTmux && !process.env.CI))('onboarding on a terminal', () => {
  it('asks once, runs npm ci in the container, and records the lockfile hash', async () => {
    const project = makeLockedProject();
    const session = `asylum-onboard-${process.pid}`;
    const command = `${asylumCommand(project, '-a echo -- done')}; echo ASYLUM_EXIT=$?; sleep 60`;
    tmux('new-session', '-d', '-s', session, '-x', '120', '-y', '30', command);
    try {
      const screen = () => tmux('capture-pane', '-t', session, '-p');
      await waitFor(() => screen().includes('Run these setup tasks now?'), 180_000, 250);
      expect(screen()).toContain('.: npm ci (package-lock.json)');
      tmux('send-keys', '-t', session, 'Enter');
      await waitFor(() => screen().includes('ASYLUM_EXIT='), 60_000, 250);
      expect(screen()).toContain('ASYLUM_EXIT=0');
    } finally {
      spawnSync('tmux', ['kill-session', '-t', session]);
    }
    const statePath = join(homeOf(), '.asylum', 'projects', containerName(project));
    const state = JSON.parse(readFileSync(join(statePath, 'onboarding.json'), 'utf8'));
    expect(state.dirs['.']).toMatchObject({ lockfile: 'package-lock.json', outcome: 'done' });

    // Handled: a later fresh container has nothing to offer, so says nothing.
    await waitFor(() => projectContainers(containerName(project)).length === 0, 30_000);
    const again = await runAsylum(['-a', 'echo', '--', 'again'], { cwd: project });
    expect(again.code, again.stderr).toBe(0);
    expect(again.stderr).not.toContain('onboarding');
  });
});
