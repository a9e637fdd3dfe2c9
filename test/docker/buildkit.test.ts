import { execFileSync } from 'node:child_process';
import { chmodSync, copyFileSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ctx, makeProject, runAsylum } from './harness.js';

/**
 * The buildx plugin from Debian trixie's docker-buildx package, fetched with
 * apt inside the base image (no registry needed), in a DOCKER_CONFIG of its own
 * so the machine's docker stays on the legacy builder.
 */
function dockerConfigWithBuildx(): string {
  const dir = mkdtempSync(join(ctx.runDir, 'buildx-'));
  chmodSync(dir, 0o755);
  execFileSync('docker', [
    'run',
    '--rm',
    '--label',
    `asylum.test=${ctx.scope}`,
    '-v',
    `${dir}:/out`,
    'debian:trixie',
    'sh',
    '-c',
    'cd /out && apt-get update -qq && apt-get download -qq docker-buildx',
  ]);
  const deb = readdirSync(dir).find((name) => name.endsWith('.deb'))!;
  execFileSync('dpkg-deb', ['-x', join(dir, deb), join(dir, 'x')]);
  const plugins = join(dir, 'config', 'cli-plugins');
  mkdirSync(plugins, { recursive: true });
  copyFileSync(
    join(dir, 'x/usr/libexec/docker/cli-plugins/docker-buildx'),
    join(plugins, 'docker-buildx'),
  );
  chmodSync(join(plugins, 'docker-buildx'), 0o755);
  // buildx keeps its own state in the config dir: it must belong to the test user.
  execFileSync('chown', ['-R', `${ctx.tester.uid}:${ctx.tester.gid}`, join(dir, 'config')]);
  return join(dir, 'config');
}

describe.skipIf(!ctx.engine)('image builds', () => {
  let config: string | undefined;
  afterAll(() => {
    if (config) rmSync(join(config, '..'), { recursive: true, force: true });
  });

  it('build with BuildKit as well as with the legacy builder', async () => {
    config = dockerConfigWithBuildx();
    const project = makeProject('buildkit');
    const result = await runAsylum(
      // Only the always-on kits: the point is the builder, not a second JDK download.
      [
        '-a',
        'echo',
        '--kits',
        'node',
        '--rebuild',
        'run',
        '--',
        'sh',
        '-c',
        'node --version && echo built',
      ],
      { cwd: project, env: { DOCKER_CONFIG: config } },
    );
    expect(result.stderr).toMatch(/build: #\d+ \[/);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^v20\.\d+\.\d+\nbuilt\n$/);
  });
});
