import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ctx, makeDir, makeProject, type RunResult, runAsylum, writeOwned } from './harness.js';

/** Which images a run built, from asylum's "building image <tag>" lines. */
function builtKinds(result: RunResult): string[] {
  const tags = [...result.stderr.matchAll(/building image asylum:(base|proj)-[0-9a-f]{12}/g)];
  return tags.map((match) => match[1]!);
}

/** A HOME of its own: this test edits the global config, which other tests must not see. */
function ownHome(name: string): string {
  const home = makeDir(join(ctx.runDir, 'homes', name));
  makeDir(join(home, '.asylum'));
  return home;
}

function writeGlobal(home: string, text: string): void {
  mkdirSync(join(home, '.asylum'), { recursive: true });
  writeOwned(join(home, '.asylum', 'config.yaml'), text);
}

describe.skipIf(!ctx.engine)('packages and the project image', () => {
  it('builds only what changed: project packages, a base change, nothing', async () => {
    const home = ownHome('packages');
    const project = makeProject('packages');
    // The echo agent installs nothing: base rebuilds here skip the agent layers.
    const run = (command: string) =>
      runAsylum(['-a', 'echo', 'run', '--', 'sh', '-c', command], { cwd: project, home });

    // A global npm package lands in the base image.
    writeGlobal(home, 'kits:\n  node:\n    packages: [semver@7.7.2]\n');
    const first = await run('semver 1.2.3');
    expect(first.stderr).not.toMatch(/error/);
    expect(first).toMatchObject({ code: 0, stdout: '1.2.3\n' });
    expect(builtKinds(first)).toEqual(['base', 'proj']);

    // A project package (and build command) builds only the project image.
    writeOwned(
      join(project, '.asylum'),
      'kits:\n  apt:\n    packages: [tree]\n' +
        '  shell:\n    build: ["echo built > /etc/from-build"]\n',
    );
    const second = await run('tree --version && cat /etc/from-build');
    expect(second.code).toBe(0);
    expect(second.stdout).toMatch(/^tree v[\d.]+.*\nbuilt\n$/);
    expect(builtKinds(second)).toEqual(['proj']);

    // Nothing changed: nothing is built.
    const third = await run('true');
    expect(third.code).toBe(0);
    expect(builtKinds(third)).toEqual([]);

    // The base changes: the project image, built FROM the old base, follows.
    writeGlobal(
      home,
      'kits:\n  node:\n    packages: [semver@7.7.2]\n  apt:\n    packages: [hello]\n',
    );
    const fourth = await run('semver 2.0.0 && hello -g ok');
    expect(fourth).toMatchObject({ code: 0, stdout: '2.0.0\nok\n' });
    expect(builtKinds(fourth)).toEqual(['base', 'proj']);
  });

  it('installs the opt-in npm kits openspec and ast-grep in the project image', async () => {
    const project = makeProject('npm-kits');
    writeOwned(join(project, '.asylum'), 'kits:\n  openspec:\n  ast-grep:\n');
    const result = await runAsylum(
      [
        'run',
        '--',
        'sh',
        '-c',
        'openspec --version && ast-grep --version && echo "telemetry=$OPENSPEC_TELEMETRY"',
      ],
      { cwd: project },
    );
    expect(result.stderr).not.toMatch(/error/);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^1\.13\.2\nast-grep 0\.51\.1\ntelemetry=0\n$/);
    // They went into this project's image: the shared base stays without them.
    const plain = makeProject('no-npm-kits');
    const without = await runAsylum(['run', 'sh', '-c', 'command -v openspec || echo none'], {
      cwd: plain,
    });
    expect(without).toMatchObject({ code: 0, stdout: 'none\n' });
  });

  it('selects kits with --kits for one run without rebuilding the shared base', async () => {
    const project = makeProject('kits-flag');
    const plain = await runAsylum(['run', 'true'], { cwd: project });
    expect(plain.code).toBe(0);
    const flagged = await runAsylum(['--kits', 'ast-grep', 'run', 'ast-grep', '--version'], {
      cwd: project,
    });
    expect(flagged).toMatchObject({ code: 0, stdout: 'ast-grep 0.51.1\n' });
    expect(builtKinds(flagged)).toEqual(['proj']);
    const again = await runAsylum(['run', 'true'], { cwd: project });
    expect(again.code).toBe(0);
    expect(builtKinds(again)).not.toContain('base');
  });

  it('fails a python package it cannot fetch, naming the package and the index', async () => {
    const project = makeProject('python-packages');
    writeOwned(join(project, '.asylum'), 'kits:\n  python:\n    packages: [cowsay]\n');
    const result = await runAsylum(['run', 'true'], { cwd: project });
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(
      /image build failed at Step \d+\/\d+ : RUN .*\(exit \d+\): python package cowsay could not be installed from the /,
    );
  });
});
