import { describe, expect, it } from 'vitest';
import { claudeAgent } from '../agents/claude.js';
import { echoAgent } from '../agents/echo.js';
import type { Agent } from '../agents/types.js';
import { dockerKit } from '../kits/docker.js';
import { nodeKit, npmKit } from '../kits/node.js';
import { pythonKit } from '../kits/python.js';
import { shellKit } from '../kits/shell.js';
import type { Kit } from '../kits/types.js';
import {
  type ContainerPlanInput,
  containerCreateBody,
  dockerRunArgs,
  memoryBytes,
  mountFlagValue,
  type PlannedMount,
  planContainer,
} from './container.js';
import { containerName } from './naming.js';

const PROJECT = '/home/dev/src/Web App';
const HOME = '/home/dev';
const NAME = containerName(PROJECT);
const DATA = `${HOME}/.asylum/projects/${NAME}`;
const AGENT_DIR = `${HOME}/.asylum/agents/claude`;

function sampleInput(overrides: Partial<ContainerPlanInput> = {}): ContainerPlanInput {
  return {
    projectDir: PROJECT,
    home: HOME,
    uid: 1000,
    gid: 1001,
    username: 'dev',
    config: {},
    kits: [pythonKit, nodeKit, npmKit, shellKit],
    agent: claudeAgent,
    agentConfigSource: AGENT_DIR,
    imageTag: 'asylum:base-0123456789ab',
    imageAgents: ['codex', 'claude'],
    paths: {
      dataDir: DATA,
      sessions: `${DATA}/sessions`,
      hostFiles: `${DATA}/host`,
      history: `${DATA}/history`,
    },
    ports: [],
    volumes: [],
    dotenv: {},
    passthroughEnv: {},
    ...overrides,
  };
}

describe('planContainer: identity', () => {
  it('names the container, host and network after the project', () => {
    const plan = planContainer(sampleInput());
    expect(NAME).toMatch(/^asylum-[0-9a-f]{12}-web-app$/);
    expect(plan.name).toBe(NAME);
    expect(plan.hostname).toBe('asylum-web-app');
    expect(plan.network).toBe(`${NAME}-net`);
    expect(plan.image).toBe('asylum:base-0123456789ab');
    expect(plan.workdir).toBe(PROJECT);
    expect(plan.sessionUser).toBe('dev');
    expect(plan.agents).toEqual(['codex', 'claude']);
  });
});

describe('planContainer: mounts', () => {
  it('plans every mount of a sample project, in order', () => {
    const plan = planContainer(
      sampleInput({
        volumes: [
          { host: '/srv/data', container: '/data', readOnly: true },
          { host: `${HOME}/notes`, container: `${HOME}/notes`, readOnly: false },
        ],
      }),
    );
    const summary = plan.mounts.map(({ type, source, target, readOnly }) => ({
      type,
      source,
      target,
      readOnly,
    }));
    expect(summary).toEqual([
      { type: 'bind', source: PROJECT, target: PROJECT, readOnly: false },
      { type: 'bind', source: `${DATA}/sessions`, target: '/run/asylum/sessions', readOnly: true },
      { type: 'bind', source: `${DATA}/host`, target: '/run/asylum/host', readOnly: true },
      {
        type: 'bind',
        source: `${DATA}/history`,
        target: `${HOME}/.shell_history`,
        readOnly: false,
      },
      {
        type: 'volume',
        source: `${NAME}-cache-pip`,
        target: `${HOME}/.cache/pip`,
        readOnly: false,
      },
      { type: 'volume', source: `${NAME}-cache-npm`, target: `${HOME}/.npm`, readOnly: false },
      { type: 'bind', source: AGENT_DIR, target: `${HOME}/.claude`, readOnly: false },
      { type: 'bind', source: '/srv/data', target: '/data', readOnly: true },
      { type: 'bind', source: `${HOME}/notes`, target: `${HOME}/notes`, readOnly: false },
    ]);
    for (const mount of plan.mounts) expect(mount.reason).not.toBe('');
    expect(plan.volumes).toEqual([`${NAME}-cache-pip`, `${NAME}-cache-npm`]);
  });

  it('mounts no agent config for an agent without a config dir or without a source', () => {
    const targets = (input: ContainerPlanInput) =>
      planContainer(input).mounts.map((mount) => mount.target);
    expect(targets(sampleInput({ agent: echoAgent }))).not.toContain(`${HOME}/.claude`);
    expect(targets(sampleInput({ agentConfigSource: undefined }))).not.toContain(
      `${HOME}/.claude`,
    );
    expect(targets(sampleInput({ agent: echoAgent, kits: [] }))).toEqual([
      PROJECT,
      '/run/asylum/sessions',
      '/run/asylum/host',
      `${HOME}/.shell_history`,
    ]);
  });

  it('puts same-path mounts after the core ones and kit mounts before user volumes', () => {
    const plan = planContainer(
      sampleInput({
        kits: [],
        samePathMounts: [{ path: '/work/main/.git', reason: 'worktree metadata' }],
        kitRuntime: [
          {
            mounts: [
              {
                type: 'bind',
                source: '/k/ssh',
                target: `${HOME}/.ssh/asylum`,
                readOnly: true,
                reason: 'key',
              },
            ],
          },
        ],
        volumes: [{ host: '/srv/data', container: '/data', readOnly: false }],
      }),
    );
    expect(plan.mounts.map(({ source, target, readOnly }) => [source, target, readOnly])).toEqual([
      [PROJECT, PROJECT, false],
      [`${DATA}/sessions`, '/run/asylum/sessions', true],
      [`${DATA}/host`, '/run/asylum/host', true],
      [`${DATA}/history`, `${HOME}/.shell_history`, false],
      ['/work/main/.git', '/work/main/.git', false],
      [AGENT_DIR, `${HOME}/.claude`, false],
      ['/k/ssh', `${HOME}/.ssh/asylum`, true],
      ['/srv/data', '/data', false],
    ]);
  });

  it('creates no volumes when no kit keeps a cache', () => {
    const plan = planContainer(sampleInput({ kits: [shellKit] }));
    expect(plan.volumes).toEqual([]);
    expect(plan.mounts.filter((mount) => mount.type === 'volume')).toEqual([]);
  });
});

describe('planContainer: environment', () => {
  const kit: Kit = {
    name: 'fake',
    tier: 'always',
    summary: 'test kit',
    order: 1,
    env: { P_K: 'kit', K_A: 'kit', ONLY_K: 'kit' },
  };
  const agent: Agent = {
    ...claudeAgent,
    name: 'fake-agent',
    env: (home) => ({ K_A: 'agent', A_D: 'agent', AGENT_HOME: home }),
  };

  it('layers passthrough < kit < agent < .env < config < asylum', () => {
    const plan = planContainer(
      sampleInput({
        kits: [kit],
        agent,
        passthroughEnv: { ONLY_P: 'pass', P_K: 'pass', ASYLUM_AGENT: 'pass' },
        dotenv: { A_D: 'dotenv', D_C: 'dotenv', ASYLUM_UID: '7' },
        config: { env: { D_C: 'config', ONLY_C: 'config', ASYLUM_AGENT: 'x', ASYLUM: '0' } },
      }),
    );
    expect(plan.env).toEqual({
      ONLY_P: 'pass',
      P_K: 'kit',
      K_A: 'agent',
      ONLY_K: 'kit',
      A_D: 'dotenv',
      AGENT_HOME: HOME,
      D_C: 'config',
      ONLY_C: 'config',
      ASYLUM: '1',
      ASYLUM_AGENT: 'fake-agent',
      ASYLUM_PROJECT_DIR: PROJECT,
      ASYLUM_UID: '1000',
      ASYLUM_GID: '1001',
      HISTFILE: `${HOME}/.shell_history/zsh_history`,
      SHELL: '/bin/zsh',
    });
  });

  it('gives the real agent and kits their variables', () => {
    const plan = planContainer(sampleInput());
    expect(plan.env).toEqual({
      PIP_DISABLE_PIP_VERSION_CHECK: '1',
      CLAUDE_CONFIG_DIR: `${HOME}/.claude`,
      DISABLE_AUTOUPDATER: '1',
      ASYLUM: '1',
      ASYLUM_AGENT: 'claude',
      ASYLUM_PROJECT_DIR: PROJECT,
      ASYLUM_UID: '1000',
      ASYLUM_GID: '1001',
      HISTFILE: `${HOME}/.shell_history/zsh_history`,
      SHELL: '/bin/zsh',
    });
  });

  it('ranks kit runtime env with the kits: above passthrough, below the agent', () => {
    const plan = planContainer(
      sampleInput({
        kits: [kit],
        agent,
        passthroughEnv: { R_P: 'pass' },
        kitRuntime: [{ env: { R_P: 'runtime', ONLY_K: 'runtime', K_A: 'runtime' } }],
      }),
    );
    expect(plan.env.R_P).toBe('runtime');
    expect(plan.env.ONLY_K).toBe('runtime');
    expect(plan.env.K_A).toBe('agent');
  });

  it('a later kit overrides an earlier one', () => {
    const second: Kit = { ...kit, name: 'second', env: { ONLY_K: 'second' } };
    const plan = planContainer(sampleInput({ kits: [kit, second], agent: echoAgent }));
    expect(plan.env.ONLY_K).toBe('second');
    expect(plan.env.P_K).toBe('kit');
  });

  it('runs a root host as root, with HOME and IS_SANDBOX that config cannot change', () => {
    const plan = planContainer(
      sampleInput({
        uid: 0,
        gid: 0,
        username: 'root',
        home: '/root',
        agent: echoAgent,
        kits: [],
        config: { env: { HOME: '/elsewhere', IS_SANDBOX: '0' } },
      }),
    );
    expect(plan.sessionUser).toBe('0');
    expect(plan.env).toEqual({
      HOME: '/root',
      IS_SANDBOX: '1',
      ASYLUM: '1',
      ASYLUM_AGENT: 'echo',
      ASYLUM_PROJECT_DIR: PROJECT,
      ASYLUM_UID: '0',
      ASYLUM_GID: '0',
      HISTFILE: '/root/.shell_history/zsh_history',
      SHELL: '/bin/zsh',
    });
  });

  it('sets neither HOME nor IS_SANDBOX for a normal user', () => {
    const plan = planContainer(sampleInput());
    expect(Object.hasOwn(plan.env, 'HOME')).toBe(false);
    expect(Object.hasOwn(plan.env, 'IS_SANDBOX')).toBe(false);
  });
});

describe('planContainer: labels and ports', () => {
  it('labels the container, with the agents sorted and extra labels added', () => {
    const plan = planContainer(sampleInput({ labelsExtra: { 'asylum.test': 'scope-1' } }));
    expect(plan.labels).toEqual({
      asylum: 'true',
      'asylum.project': PROJECT,
      'asylum.container': NAME,
      'asylum.agents': 'claude,codex',
      'asylum.test': 'scope-1',
    });
  });

  it('copies the ports', () => {
    const ports = [
      { bind: '127.0.0.1', host: 8080, container: 80, protocol: 'tcp' as const },
      { bind: '0.0.0.0', host: 5353, container: 53, protocol: 'udp' as const },
    ];
    const plan = planContainer(sampleInput({ ports }));
    expect(plan.ports).toEqual(ports);
    expect(plan.ports).not.toBe(ports);
  });

  it('does not share the agents list with its input', () => {
    const imageAgents = ['claude'];
    const plan = planContainer(sampleInput({ imageAgents }));
    plan.agents.push('codex');
    expect(imageAgents).toEqual(['claude']);
  });
});

describe('dockerRunArgs', () => {
  const ENV_FILE = '/tmp/asylum-env-123';
  const plan = planContainer(
    sampleInput({
      projectDir: '/home/dev/proj',
      paths: {
        dataDir: '/d',
        sessions: '/d/sessions',
        hostFiles: '/d/host',
        history: '/d/history',
      },
      kits: [nodeKit, npmKit],
      config: { env: { API_TOKEN: 'sekret-token-value' } },
      dotenv: { DOTENV_SECRET: 'dotenv-secret-value' },
      ports: [
        { bind: '127.0.0.1', host: 8080, container: 80, protocol: 'tcp' },
        { bind: '0.0.0.0', host: 5353, container: 53, protocol: 'udp' },
      ],
      volumes: [{ host: '/srv/a,b', container: '/data', readOnly: true }],
      labelsExtra: { 'asylum.test': 'scope' },
    }),
  );
  const args = dockerRunArgs(plan, ENV_FILE);

  it('builds the argv of a sample plan', () => {
    expect(args).toMatchInlineSnapshot(`
      [
        "run",
        "--detach",
        "--rm",
        "--init",
        "--name",
        "asylum-bb97ae4cdb5b-proj",
        "--hostname",
        "asylum-proj",
        "--network",
        "asylum-bb97ae4cdb5b-proj-net",
        "--add-host",
        "host.docker.internal:host-gateway",
        "--workdir",
        "/home/dev/proj",
        "--env-file",
        "/tmp/asylum-env-123",
        "--label",
        "asylum=true",
        "--label",
        "asylum.project=/home/dev/proj",
        "--label",
        "asylum.container=asylum-bb97ae4cdb5b-proj",
        "--label",
        "asylum.agents=claude,codex",
        "--label",
        "asylum.test=scope",
        "--mount",
        "type=bind,source=/home/dev/proj,target=/home/dev/proj",
        "--mount",
        "type=bind,source=/d/sessions,target=/run/asylum/sessions,readonly",
        "--mount",
        "type=bind,source=/d/host,target=/run/asylum/host,readonly",
        "--mount",
        "type=bind,source=/d/history,target=/home/dev/.shell_history",
        "--mount",
        "type=volume,source=asylum-bb97ae4cdb5b-proj-cache-npm,target=/home/dev/.npm",
        "--mount",
        "type=bind,source=/home/dev/.asylum/agents/claude,target=/home/dev/.claude",
        "--mount",
        "type=bind,"source=/srv/a,b",target=/data,readonly",
        "--publish",
        "127.0.0.1:8080:80/tcp",
        "--publish",
        "0.0.0.0:5353:53/udp",
        "--pids-limit",
        "4096",
        "--entrypoint",
        "/usr/local/lib/asylum/init",
        "asylum:base-0123456789ab",
      ]
    `);
  });

  it('never puts the environment in argv', () => {
    expect(args.filter((arg) => arg.includes('sekret-token-value'))).toEqual([]);
    expect(args.filter((arg) => arg.includes('dotenv-secret-value'))).toEqual([]);
    expect(args.filter((arg) => arg.includes('ASYLUM_AGENT'))).toEqual([]);
    expect(args).not.toContain('--env');
    expect(args).not.toContain('-e');
    expect(args.filter((arg) => arg === '--env-file')).toHaveLength(1);
    expect(args[args.indexOf('--env-file') + 1]).toBe(ENV_FILE);
  });

  it('runs detached, removed on exit, under an init process', () => {
    expect(args.slice(0, 4)).toEqual(['run', '--detach', '--rm', '--init']);
    expect(args.slice(-3)).toEqual([
      '--entrypoint',
      '/usr/local/lib/asylum/init',
      'asylum:base-0123456789ab',
    ]);
  });

  it('publishes ports as bind:host:container/protocol', () => {
    const published = args.flatMap((arg, i) => (args[i - 1] === '--publish' ? [arg] : []));
    expect(published).toEqual(['127.0.0.1:8080:80/tcp', '0.0.0.0:5353:53/udp']);
  });
});

describe('mountFlagValue', () => {
  const bind = (source: string, target = '/t', readOnly = false): PlannedMount => ({
    type: 'bind',
    source,
    target,
    readOnly,
    reason: 'test',
  });

  it('joins plain fields with commas and adds readonly', () => {
    expect(mountFlagValue(bind('/a', '/b', true))).toBe('type=bind,source=/a,target=/b,readonly');
    expect(mountFlagValue(bind('/a', '/b'))).toBe('type=bind,source=/a,target=/b');
    const volume: PlannedMount = { ...bind('vol-1', '/v'), type: 'volume' };
    expect(mountFlagValue(volume)).toBe('type=volume,source=vol-1,target=/v');
  });

  it('quotes a field with a comma', () => {
    expect(mountFlagValue(bind('/data/a,b'))).toBe('type=bind,"source=/data/a,b",target=/t');
    expect(mountFlagValue(bind('/s', '/x,y', true))).toBe(
      'type=bind,source=/s,"target=/x,y",readonly',
    );
  });

  it('quotes a field with a double quote, doubling the quotes inside', () => {
    expect(mountFlagValue(bind('/data/say "hi"'))).toBe(
      'type=bind,"source=/data/say ""hi""",target=/t',
    );
    expect(mountFlagValue(bind('/q"', '/t"x'))).toBe('type=bind,"source=/q""","target=/t""x"');
  });

  it('quotes a field with trailing space; an inner leading space needs no quotes', () => {
    expect(mountFlagValue(bind('/data/trail '))).toBe('type=bind,"source=/data/trail ",target=/t');
    expect(mountFlagValue(bind('/data/ lead'))).toBe('type=bind,source=/data/ lead,target=/t');
    expect(mountFlagValue(bind(' /lead'))).toBe('type=bind,source= /lead,target=/t');
  });

  it('quotes a field with a newline or carriage return', () => {
    expect(mountFlagValue(bind('/a\nb'))).toBe('type=bind,"source=/a\nb",target=/t');
    expect(mountFlagValue(bind('/a\rb'))).toBe('type=bind,"source=/a\rb",target=/t');
  });

  it('leaves colons, spaces and non-ASCII alone', () => {
    expect(mountFlagValue(bind('/data/a:b'))).toBe('type=bind,source=/data/a:b,target=/t');
    expect(mountFlagValue(bind('/data/my dir'))).toBe('type=bind,source=/data/my dir,target=/t');
    expect(mountFlagValue(bind('/données/ü', '/日本'))).toBe(
      'type=bind,source=/données/ü,target=/日本',
    );
  });

  it('round-trips through a CSV reader', () => {
    const sources = ['/a,b', '/say "hi"', '/t ', '/a:b', '/ü,"x" ', '/plain'];
    for (const source of sources) {
      const fields = parseCsvLine(mountFlagValue(bind(source)));
      expect(fields).toEqual(['type=bind', `source=${source}`, 'target=/t']);
    }
  });
});

/**
 * A strict RFC 4180 reader for one record (what Go's encoding/csv, used by
 * docker for `--mount`, accepts): a bare quote inside an unquoted field is an error.
 */
function parseCsvLine(line: string): string[] {
  const fields: string[] = [];
  let i = 0;
  while (i <= line.length) {
    if (line[i] === '"') {
      let value = '';
      i += 1;
      for (;;) {
        if (i >= line.length) throw new Error('unterminated quote');
        if (line[i] === '"' && line[i + 1] === '"') {
          value += '"';
          i += 2;
        } else if (line[i] === '"') {
          i += 1;
          break;
        } else {
          value += line[i];
          i += 1;
        }
      }
      if (i < line.length && line[i] !== ',') throw new Error('text after a closing quote');
      fields.push(value);
    } else {
      const end = line.indexOf(',', i);
      const value = line.slice(i, end < 0 ? line.length : end);
      if (value.includes('"')) throw new Error('bare quote in an unquoted field');
      fields.push(value);
      i += value.length;
    }
    i += 1;
  }
  return fields;
}

describe('containerCreateBody', () => {
  const plan = planContainer(
    sampleInput({
      projectDir: '/home/dev/proj',
      kits: [nodeKit],
      config: { env: { API_TOKEN: 'sekret-token-value' }, resources: { cpus: 1.5, memory: '2g' } },
      ports: [
        { bind: '127.0.0.1', host: 8080, container: 80, protocol: 'tcp' },
        { bind: '0.0.0.0', host: 5353, container: 53, protocol: 'udp' },
      ],
      volumes: [{ host: '/srv/a,b', container: '/data', readOnly: true }],
    }),
  );
  const body = containerCreateBody(plan);
  const host = body.HostConfig as Record<string, unknown>;

  it('asks for what dockerRunArgs asks for: init, removal on exit, network, host gateway', () => {
    expect(body).toMatchObject({
      Hostname: 'asylum-proj',
      WorkingDir: '/home/dev/proj',
      Image: plan.image,
      Entrypoint: ['/usr/local/lib/asylum/init'],
      Labels: plan.labels,
    });
    expect(host).toMatchObject({
      AutoRemove: true,
      Init: true,
      NetworkMode: plan.network,
      ExtraHosts: ['host.docker.internal:host-gateway'],
      PidsLimit: 4096,
      NanoCpus: 1_500_000_000,
      Memory: 2 * 1024 ** 3,
    });
  });

  it('mounts and publishes the plan, commas in paths needing no quoting', () => {
    expect(host.Mounts).toContainEqual({
      Type: 'bind',
      Source: '/srv/a,b',
      Target: '/data',
      ReadOnly: true,
    });
    expect((host.Mounts as unknown[]).length).toBe(plan.mounts.length);
    expect(body.ExposedPorts).toEqual({ '80/tcp': {}, '53/udp': {} });
    expect(host.PortBindings).toEqual({
      '80/tcp': [{ HostIp: '127.0.0.1', HostPort: '8080' }],
      '53/udp': [{ HostIp: '0.0.0.0', HostPort: '5353' }],
    });
  });

  it('carries the env in the body, and no host gateway without host access', () => {
    expect(body.Env).toContain('API_TOKEN=sekret-token-value');
    const closed = containerCreateBody({ ...plan, hostAccess: false });
    expect((closed.HostConfig as Record<string, unknown>).ExtraHosts).toEqual([]);
  });
});

describe('memoryBytes', () => {
  it('reads docker sizes in binary units', () => {
    expect(memoryBytes('512')).toBe(512);
    expect(memoryBytes('4k')).toBe(4096);
    expect(memoryBytes('512m')).toBe(512 * 1024 ** 2);
    expect(memoryBytes('1.5G')).toBe(1.5 * 1024 ** 3);
    expect(() => memoryBytes('lots')).toThrow(/invalid memory size/);
  });
});

describe('planContainer: the docker kit', () => {
  const plan = planContainer(sampleInput({ kits: [nodeKit, dockerKit], arch: 'x64' }));
  const args = dockerRunArgs(plan, '/tmp/env');
  const valuesOf = (flag: string) => args.flatMap((arg, i) => (args[i - 1] === flag ? [arg] : []));

  it('adds exactly SYS_ADMIN and NET_ADMIN, never --privileged', () => {
    expect(plan.privileges.capAdd).toEqual(['NET_ADMIN', 'SYS_ADMIN']);
    expect(valuesOf('--cap-add')).toEqual(['NET_ADMIN', 'SYS_ADMIN']);
    expect(args).not.toContain('--privileged');
    expect(args.filter((arg) => /^--cap-add=|ALL/.test(arg))).toEqual([]);
  });

  it('runs with a private cgroup namespace and a seccomp profile file under ~/.asylum', () => {
    expect(valuesOf('--cgroupns')).toEqual(['private']);
    const seccomp = plan.privileges.seccomp!;
    expect(seccomp.path).toMatch(new RegExp(`^${HOME}/\\.asylum/seccomp/[0-9a-f]{16}\\.json$`));
    expect(valuesOf('--security-opt')).toEqual([`seccomp=${seccomp.path}`]);
    expect(seccomp.extraSyscalls).toEqual(['add_key', 'keyctl', 'pivot_root', 'request_key']);
    const profile = JSON.parse(seccomp.text);
    expect(profile.defaultAction).toBe('SCMP_ACT_ERRNO');
    expect(profile.syscalls[0].names).toEqual(expect.arrayContaining(['keyctl', 'mount']));
  });

  it('asks the Engine API for the same: capabilities, the profile itself, cgroupns', () => {
    const host = containerCreateBody(plan).HostConfig as Record<string, unknown>;
    expect(host.CapAdd).toEqual(['NET_ADMIN', 'SYS_ADMIN']);
    expect(host.SecurityOpt).toEqual([`seccomp=${plan.privileges.seccomp!.text}`]);
    expect(host.CgroupnsMode).toBe('private');
    expect(host).not.toHaveProperty('Privileged');
    const plain = containerCreateBody(planContainer(sampleInput({ kits: [nodeKit] })));
    expect(Object.keys(plain.HostConfig as object)).not.toContain('CapAdd');
  });

  it('names the profile file by its content, so processors get different files', () => {
    const arm = planContainer(sampleInput({ kits: [dockerKit], arch: 'arm64' }));
    expect(arm.privileges.seccomp!.path).not.toBe(plan.privileges.seccomp!.path);
    const again = planContainer(sampleInput({ kits: [dockerKit, nodeKit], arch: 'x64' }));
    expect(again.privileges.seccomp!.path).toBe(plan.privileges.seccomp!.path);
  });

  it('refuses a processor it has no profile for', () => {
    expect(() => planContainer(sampleInput({ kits: [dockerKit], arch: 'riscv64' }))).toThrow(
      /kit docker: no seccomp profile for the riscv64 processor/,
    );
  });

  it('keeps the inner /var/lib/docker in a per-project volume that asylum creates', () => {
    const mount = plan.mounts.find((m) => m.target === '/var/lib/docker');
    expect(mount).toMatchObject({ type: 'volume', source: `${NAME}-docker`, readOnly: false });
    expect(plan.volumes).toContain(`${NAME}-docker`);
    expect(plan.env.DOCKER_HOST).toBe('unix:///var/run/docker.sock');
    expect(plan.privileges.reasons).toEqual([expect.stringMatching(/^kit docker: /)]);
  });

  it('adds no privileges at all without the kit', () => {
    const plain = planContainer(sampleInput());
    expect(plain.privileges).toEqual({ capAdd: [], reasons: [] });
    const plainArgs = dockerRunArgs(plain, '/tmp/env');
    for (const flag of ['--cap-add', '--security-opt', '--cgroupns']) {
      expect(plainArgs).not.toContain(flag);
    }
  });
});
