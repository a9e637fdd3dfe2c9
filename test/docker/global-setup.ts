import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, copyFileSync, existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import type { HarnessContext } from './harness.js';

const TESTER = 'asylum-tester';

function engineAnswers(): boolean {
  const result = spawnSync('docker', ['version', '--format', '{{.Server.Version}}'], {
    timeout: 10_000,
  });
  return result.status === 0;
}

/** A normal user in the docker group: the main case, so most tests run as it. */
function ensureTester(): HarnessContext['tester'] {
  if (process.getuid?.() !== 0) {
    const uid = process.getuid!();
    return { name: process.env.USER ?? 'me', uid, gid: process.getgid!(), viaSetpriv: false };
  }
  if (spawnSync('id', ['-u', TESTER]).status !== 0) {
    execFileSync('useradd', [
      '--create-home',
      '--groups',
      'docker',
      '--shell',
      '/bin/bash',
      TESTER,
    ]);
  }
  const uid = Number(execFileSync('id', ['-u', TESTER]).toString().trim());
  const gid = Number(execFileSync('id', ['-g', TESTER]).toString().trim());
  return { name: TESTER, uid, gid, viaSetpriv: true };
}

export default function setup(project: TestProject) {
  const engine = engineAnswers();
  if (!engine && process.env.CI) {
    throw new Error('CI is set but no Docker engine answers: engine tests must not be skipped');
  }
  const runDir = mkdtempSync(join(tmpdir(), 'asylum-it-'));
  chmodSync(runDir, 0o755);
  const cli = join(runDir, 'asylum.js');
  const built = join(process.cwd(), 'dist', 'asylum.js');
  if (!existsSync(built)) throw new Error('dist/asylum.js is missing: run `npm run build` first');
  copyFileSync(built, cli);
  chmodSync(cli, 0o755);
  const tester = ensureTester();
  const scope = `it-${process.pid}`;
  const context: HarnessContext = { engine, runDir, cli, tester, scope };
  project.provide('asylum', context);
  mkdirSync(join(runDir, 'homes'), { recursive: true, mode: 0o755 });

  return () => {
    if (engine) removeScoped(scope);
    rmSync(runDir, { recursive: true, force: true });
  };
}

/** Everything created under this run's scope label goes, and nothing else. */
function removeScoped(scope: string): void {
  const filter = ['--filter', `label=asylum.test=${scope}`];
  const list = (args: string[]) =>
    execFileSync('docker', [...args, ...filter], { encoding: 'utf8' })
      .split('\n')
      .filter(Boolean);
  const remove = (args: string[], names: string[]) => {
    if (names.length > 0) spawnSync('docker', [...args, ...names]);
  };
  remove(['rm', '-f'], list(['ps', '-aq']));
  remove(['volume', 'rm', '-f'], list(['volume', 'ls', '-q']));
  remove(['network', 'rm'], list(['network', 'ls', '-q']));
  // Images are slow to rebuild: a developer may keep them between runs.
  if (!process.env.ASYLUM_KEEP_TEST_IMAGES)
    remove(['image', 'rm', '-f'], list(['image', 'ls', '-q']));
}
