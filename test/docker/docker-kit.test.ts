import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { containerName } from '../../src/plan/naming.js';
import {
  ctx,
  docker,
  dockerOk,
  makeProject,
  projectContainers,
  runAsylum,
  startAsylum,
  waitFor,
  writeOwned,
} from './harness.js';

const KIT = ['-a', 'echo', '--kits', 'docker'];

/**
 * Inside the container, with no registry: an image FROM scratch holding
 * Debian's static busybox, built and run by the inner daemon. Prints the
 * marker and how long the build and run took.
 */
const BUILD_AND_RUN = [
  'set -e',
  'ctx=$(mktemp -d)',
  'cp /bin/busybox "$ctx/busybox"',
  `printf 'FROM scratch\\nCOPY busybox /bin/busybox\\n' > "$ctx/Dockerfile"`,
  'started=$(date +%s%N)',
  'docker build -q -t asylum-dind-test:1 "$ctx" > /dev/null',
  'docker run --rm asylum-dind-test:1 /bin/busybox echo inner-marker-$((6 * 7))',
  'echo "build+run ms $(( ($(date +%s%N) - started) / 1000000 ))"',
  'grep "ready after" /var/log/asylum-dockerd.log',
  // The inner bridge must not shadow the host's docker0 that this name points into.
  'ip route get "$(getent hosts host.docker.internal | cut -d " " -f 1)"',
  // Ordinary tools still work under asylum's seccomp profile, which is in force.
  'node -e "console.log(\'node-ok\')"',
  'grep Seccomp: /proc/self/status',
].join('\n');

/** An inner container that leaves a file in the project when it is stopped with SIGTERM. */
const START_LONG_RUNNER = [
  'set -e',
  'docker run -d --name runner --user "$(id -u):$(id -g)" -v "$PWD:/out" asylum-dind-test:1 \\',
  '  /bin/busybox sh -c \'trap "echo term > /out/stopped-cleanly; exit 0" TERM; ' +
    "while :; do /bin/busybox sleep 1; done' > /dev/null",
  'docker ps --format "{{.Names}}"',
].join('\n');

interface EngineHostConfig {
  Privileged: boolean;
  CapAdd: string[] | null;
  SecurityOpt: string[] | null;
  CgroupnsMode: string;
}

function hostConfig(name: string): EngineHostConfig {
  return JSON.parse(docker(['inspect', '--format', '{{json .HostConfig}}', name]));
}

describe.skipIf(!ctx.engine)('the docker kit (Docker-in-Docker without --privileged)', () => {
  it('builds and runs a FROM-scratch image inside, stops inner containers cleanly', async () => {
    const project = makeProject('dind');
    const name = containerName(project);
    const keeper = startAsylum([...KIT, 'run', 'sleep', '300'], { cwd: project });
    try {
      await waitFor(() => projectContainers(name).length === 1, 600_000, 500);
      const config = hostConfig(name);
      expect(config.Privileged).toBe(false);
      expect([...(config.CapAdd ?? [])].sort()).toEqual(['NET_ADMIN', 'SYS_ADMIN']);
      expect(config.CgroupnsMode).toBe('private');
      const seccomp = (config.SecurityOpt ?? []).filter((opt) => opt.startsWith('seccomp='));
      expect(seccomp).toHaveLength(1);
      expect(seccomp[0]).toContain('"pivot_root"');
      expect(seccomp[0]).not.toContain('unconfined');

      const built = await runAsylum([...KIT, 'run', 'sh', '-c', BUILD_AND_RUN], { cwd: project });
      expect(built.code, built.stderr).toBe(0);
      expect(built.stdout).toContain('inner-marker-42');
      expect(built.stdout).toContain('node-ok');
      expect(built.stdout).toMatch(/Seccomp:\s+2/);
      expect(built.stdout).toMatch(/ dev eth0 /);
      expect(built.stdout).not.toMatch(/ dev docker0 /);
      // Figures for the README and the report.
      const figures = built.stdout.split('\n').filter((line) => / ms|ms /.test(line));
      console.log(figures.join('\n'));

      const started = await runAsylum([...KIT, 'run', 'sh', '-c', START_LONG_RUNNER], {
        cwd: project,
      });
      expect(started.code, started.stderr).toBe(0);
      expect(started.stdout.trim()).toBe('runner');
    } finally {
      keeper.kill('SIGTERM');
    }
    const gone = await waitFor(() => !dockerOk(['container', 'inspect', name]), 60_000);
    console.log(`outer container gone ${gone} ms after the last session ended`);
    // The inner daemon stopped its containers with SIGTERM before the container ended.
    expect(existsSync(join(project, 'stopped-cleanly'))).toBe(true);

    // The inner /var/lib/docker lives in a labelled per-project volume, until cleanup.
    expect(dockerOk(['volume', 'inspect', `${name}-docker`])).toBe(true);
    const cleaned = await runAsylum(['cleanup', '--yes'], { cwd: project });
    expect(cleaned.code, cleaned.stderr).toBe(0);
    expect(dockerOk(['volume', 'inspect', `${name}-docker`])).toBe(false);
    // The first run builds an image with the engine in it: minutes on a busy machine.
  }, 900_000);

  it('lists its capabilities and seccomp profile in asylum inspect, with a warning', async () => {
    const project = makeProject('dind-inspect');
    const result = await runAsylum([...KIT, 'inspect', '--json'], { cwd: project });
    expect(result.code, result.stderr).toBe(0);
    const radius = JSON.parse(result.stdout);
    expect(radius.capabilities.added).toEqual(['NET_ADMIN', 'SYS_ADMIN']);
    expect(radius.securityOptions).toEqual([
      expect.stringMatching(/^seccomp=.*\/\.asylum\/seccomp\/[0-9a-f]{16}\.json \(.*pivot_root/),
      'cgroupns=private',
    ]);
    expect(radius.warnings.join('\n')).toContain('much weaker boundary');
    const text = await runAsylum([...KIT, 'inspect'], { cwd: project });
    expect(text.stdout).toContain('added: NET_ADMIN, SYS_ADMIN');
    expect(text.stdout).toContain('CAP_NET_ADMIN, CAP_SYS_ADMIN');
  });

  it('needs approval when a project file turns it on', async () => {
    const project = makeProject('dind-planted');
    writeOwned(join(project, '.asylum.yaml'), 'agent: echo\nkits:\n  docker: {}\n');
    const refused = await runAsylum(['run', 'true'], { cwd: project });
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('kits.docker: enabled');
    expect(refused.stderr).toContain('asylum approve');
    expect(dockerOk(['container', 'inspect', containerName(project)])).toBe(false);
  });
});
