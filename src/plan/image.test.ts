import { describe, expect, it } from 'vitest';
import { claudeAgent } from '../agents/claude.js';
import { codexAgent } from '../agents/codex.js';
import { echoAgent } from '../agents/echo.js';
import { ASSETS } from '../assets/index.js';
import { dockerKit } from '../kits/docker.js';
import { nodeKit, npmKit } from '../kits/node.js';
import { pythonKit } from '../kits/python.js';
import { shellKit } from '../kits/shell.js';
import { sshKit } from '../kits/ssh.js';
import { type BaseImageInput, planBaseImage } from './image.js';

const CLAUDE_LINE =
  'RUN npm install -g --no-audit --no-fund @anthropic-ai/claude-code@2.1.332' +
  ' && npm cache clean --force \\';
const CODEX_LINE =
  'RUN npm install -g --no-audit --no-fund @openai/codex && npm cache clean --force \\';
const NODE_KIT_LINE =
  'RUN npm install -g --no-audit --no-fund npm@11 && npm cache clean --force \\';
const CA_LINE = 'COPY host-ca.crt /usr/local/share/ca-certificates/asylum-host-ca.crt';
const PEM = '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n';

function sampleInput(overrides: Partial<BaseImageInput> = {}): BaseImageInput {
  return {
    baseImage: 'debian:trixie',
    kits: [pythonKit, nodeKit, npmKit, sshKit, shellKit].map((kit) => ({ kit, options: {} })),
    agents: [
      { agent: claudeAgent, version: '2.1.332' },
      { agent: codexAgent, version: undefined },
    ],
    identity: { uid: 1000, gid: 1001, username: 'dev', home: '/home/dev' },
    caBundle: undefined,
    ...overrides,
  };
}

function lines(input: BaseImageInput): string[] {
  return planBaseImage(input).dockerfile.split('\n');
}

/** Names declared by `ARG` lines, one or several per line, in order. */
function declaredArgs(all: string[]): string[] {
  return all
    .filter((line) => line.startsWith('ARG '))
    .flatMap((line) => line.slice(4).trim().split(/\s+/))
    .map((arg) => arg.split('=')[0]!);
}

/** Index of the one line equal to `line`; fails when it is missing or repeated. */
function indexOfLine(all: string[], line: string): number {
  expect(all.filter((l) => l === line)).toHaveLength(1);
  return all.indexOf(line);
}

describe('planBaseImage: hash and tag', () => {
  it('gives the same plan for the same input', () => {
    const a = planBaseImage(sampleInput());
    const b = planBaseImage(sampleInput());
    expect(a).toEqual(b);
    expect(a.hash).toMatch(/^[0-9a-f]{64}$/);
    expect(a.tag).toBe(`asylum:base-${a.hash.slice(0, 12)}`);
  });

  it('changes the hash with every input that shapes the image', () => {
    const base = sampleInput();
    const identity = base.identity;
    const variants: Record<string, BaseImageInput> = {
      uid: sampleInput({ identity: { ...identity, uid: 1002 } }),
      gid: sampleInput({ identity: { ...identity, gid: 1002 } }),
      home: sampleInput({ identity: { ...identity, home: '/home/other' } }),
      username: sampleInput({ identity: { ...identity, username: 'other' } }),
      caBundle: sampleInput({ caBundle: PEM }),
      agentSet: sampleInput({ agents: [{ agent: claudeAgent, version: '2.1.332' }] }),
      agentVersion: sampleInput({
        agents: [
          { agent: claudeAgent, version: '2.1.333' },
          { agent: codexAgent, version: undefined },
        ],
      }),
      kitSet: sampleInput({ kits: base.kits.filter(({ kit }) => kit.name !== 'python') }),
      baseImage: sampleInput({ baseImage: 'debian:trixie-slim' }),
    };
    const hashes = new Map<string, string>([['base', planBaseImage(base).hash]]);
    for (const [name, input] of Object.entries(variants)) {
      hashes.set(name, planBaseImage(input).hash);
    }
    expect(new Set(hashes.values()).size).toBe(Object.keys(variants).length + 1);
  });

  it('keeps the Dockerfile text independent of the user (only build args differ)', () => {
    const a = planBaseImage(sampleInput());
    const b = planBaseImage(
      sampleInput({ identity: { uid: 2000, gid: 2000, username: 'zoe', home: '/home/zoe' } }),
    );
    expect(b.dockerfile).toBe(a.dockerfile);
    expect(b.files).toEqual(a.files);
    expect(b.hash).not.toBe(a.hash);
    expect(a.dockerfile).not.toContain('/home/dev');
    expect(a.dockerfile).not.toContain('1001');
  });
});

describe('planBaseImage: Dockerfile layout', () => {
  it('starts FROM the base image and ends with the entrypoint', () => {
    const all = lines(sampleInput());
    expect(all[0]).toBe('FROM debian:trixie');
    expect(all[1]).toBe('ENV DEBIAN_FRONTEND=noninteractive LANG=C.UTF-8 LC_ALL=C.UTF-8');
    expect(all.slice(-3)).toEqual(['USER root', 'ENTRYPOINT ["/usr/local/lib/asylum/init"]', '']);
  });

  it('orders apt, kit snippets, agents, scripts, then the user', () => {
    const all = lines(sampleInput());
    const apt = indexOfLine(all, 'RUN apt-get update \\');
    const kit = indexOfLine(all, NODE_KIT_LINE);
    const zshrc = indexOfLine(all, 'COPY zshrc /etc/asylum/zshrc');
    const claude = indexOfLine(all, CLAUDE_LINE);
    const codex = indexOfLine(all, CODEX_LINE);
    const scripts = indexOfLine(all, 'COPY init.sh /usr/local/lib/asylum/init');
    const user = all.findIndex((line) => line.startsWith('ARG '));
    expect([apt, kit, zshrc, claude, codex, scripts, user]).toEqual(
      [apt, kit, zshrc, claude, codex, scripts, user].sort((a, b) => a - b),
    );
    expect(all[claude + 1]).toBe('    && claude --version');
    expect(all[codex + 1]).toBe('    && codex --version');
    expect(all[scripts + 1]).toBe('COPY exec.sh /usr/local/bin/asylum-exec');
  });

  it('installs nothing for an agent without an npm package', () => {
    const withEcho = planBaseImage(
      sampleInput({ agents: [{ agent: echoAgent, version: undefined }] }),
    );
    const without = planBaseImage(sampleInput({ agents: [] }));
    expect(withEcho.dockerfile).toBe(without.dockerfile);
    expect(withEcho.agents).toEqual(['echo']);
    expect(withEcho.labels['asylum.agents']).toBe('echo');
  });

  it('installs every kit apt package once, sorted, in one layer', () => {
    const all = lines(sampleInput());
    const installs = all.filter((line) => line.includes('apt-get install'));
    expect(installs).toHaveLength(1);
    const prefix = '    && apt-get install -y --no-install-recommends ';
    expect(installs[0]!.startsWith(prefix)).toBe(true);
    const packages = installs[0]!.slice(prefix.length).replace(/ \\$/, '').split(' ');
    expect(packages).toEqual([...new Set(packages)].sort());
    for (const name of ['nodejs', 'npm', 'python3-venv', 'pipx', 'openssh-client', 'zsh']) {
      expect(packages).toContain(name);
    }
    expect(packages).toContain('git');
  });

  it('uses no BuildKit-only syntax', () => {
    const texts = [
      planBaseImage(sampleInput()).dockerfile,
      planBaseImage(sampleInput({ caBundle: PEM })).dockerfile,
      planBaseImage(sampleInput({ identity: { uid: 0, gid: 0, username: 'root', home: '/root' } }))
        .dockerfile,
    ];
    for (const text of texts) {
      expect(text).not.toMatch(/^\s*#\s*syntax\s*=/im);
      expect(text).not.toMatch(/^RUN\s+--/m);
      expect(text).not.toMatch(/^(COPY|ADD)\s+--(chmod|link|chown|parents|exclude)/m);
      expect(text).not.toContain('--mount');
      expect(text).not.toContain('<<');
    }
  });

  it('writes only known instructions or continuation lines', () => {
    const all = lines(sampleInput({ caBundle: PEM }));
    all.forEach((line, i) => {
      if (line === '') return;
      const continued = i > 0 && all[i - 1]!.endsWith('\\');
      if (continued) expect(line.startsWith('    ')).toBe(true);
      else expect(line).toMatch(/^(FROM|ENV|COPY|RUN|ARG|USER|ENTRYPOINT) /);
    });
  });
});

describe('planBaseImage: CA bundle', () => {
  it('copies the host CA bundle before the apt layer', () => {
    const plan = planBaseImage(sampleInput({ caBundle: PEM }));
    const all = plan.dockerfile.split('\n');
    expect(indexOfLine(all, CA_LINE)).toBe(2);
    expect(indexOfLine(all, 'RUN apt-get update \\')).toBeGreaterThan(2);
    expect(plan.files['host-ca.crt']).toBe(PEM);
  });

  it('neither copies nor ships a CA file without a bundle', () => {
    for (const caBundle of [undefined, '']) {
      const plan = planBaseImage(sampleInput({ caBundle }));
      expect(plan.dockerfile).not.toContain('host-ca.crt');
      expect(Object.keys(plan.files).sort()).toEqual([
        'exec.sh',
        'init.sh',
        'kit-start.sh',
        'signal.sh',
        'zshrc',
      ]);
    }
  });

  it('points Node, requests and pip at the system bundle', () => {
    const all = lines(sampleInput());
    const bundle = '/etc/ssl/certs/ca-certificates.crt';
    expect(all).toContain(
      `ENV NODE_EXTRA_CA_CERTS=${bundle} REQUESTS_CA_BUNDLE=${bundle} PIP_CERT=${bundle}`,
    );
  });
});

describe('planBaseImage: user', () => {
  it('recreates a normal user from build args', () => {
    const plan = planBaseImage(sampleInput());
    expect(plan.buildArgs).toEqual({
      USERNAME: 'dev',
      USER_ID: '1000',
      GROUP_ID: '1001',
      USER_HOME: '/home/dev',
    });
    const all = plan.dockerfile.split('\n');
    expect(declaredArgs(all)).toEqual(['USERNAME', 'USER_ID', 'GROUP_ID', 'USER_HOME']);
    const useradd = all.findIndex((line) => line.includes('useradd'));
    expect(all.findLastIndex((line) => line.startsWith('ARG '))).toBeLessThan(useradd);
    expect(plan.dockerfile).toContain(
      'useradd -o -m -d "$USER_HOME" -u "$USER_ID" -g "$GROUP_ID" -s /bin/zsh "$USERNAME"',
    );
    // The cache directories exist before the volumes are mounted, owned by the user.
    expect(plan.dockerfile).toMatch(
      /mkdir -p [^\n]*"\$USER_HOME\/\.cache\/pip" "\$USER_HOME\/\.npm"/,
    );
    // Directories a kit wants in the home (ssh: ~/.ssh) are created the same way.
    expect(plan.dockerfile).toMatch(/mkdir -p [^\n]*"\$USER_HOME\/\.ssh"/);
    expect(plan.dockerfile).toContain('chown -R "$USER_ID:$GROUP_ID" "$USER_HOME"');
    expect(all.indexOf('USER root')).toBeGreaterThan(useradd);
  });

  it('creates the base home dirs (parents of later mounts) even without kit caches', () => {
    const plan = planBaseImage(sampleInput({ kits: [{ kit: shellKit, options: {} }] }));
    expect(plan.dockerfile).toContain(
      '    && mkdir -p "$USER_HOME/.config" "$USER_HOME/.local/bin" "$USER_HOME/.local/share"',
    );
  });

  it('adds no user for a root host', () => {
    const plan = planBaseImage(
      sampleInput({ identity: { uid: 0, gid: 0, username: 'root', home: '/root' } }),
    );
    expect(plan.dockerfile).not.toContain('useradd');
    expect(plan.dockerfile).not.toContain('groupadd');
    expect(plan.dockerfile).not.toContain('sudoers');
    expect(plan.buildArgs).toEqual({ USER_HOME: '/root' });
    const all = plan.dockerfile.split('\n');
    expect(declaredArgs(all)).toEqual(['USER_HOME']);
    expect(plan.dockerfile).toMatch(/RUN mkdir -p "\$USER_HOME" [^\n]*"\$USER_HOME\/\.npm"/);
    expect(plan.dockerfile).toContain('echo "source /etc/asylum/zshrc" > "$USER_HOME/.zshrc"');
  });
});

describe('planBaseImage: context, labels, agents', () => {
  it('ships the scripts and the kits zshrc in the context', () => {
    const plan = planBaseImage(sampleInput());
    expect(plan.files['init.sh']).toBe(ASSETS.init);
    expect(plan.files['exec.sh']).toBe(ASSETS.exec);
    expect(plan.files.zshrc).toBe(
      [
        '# Written by asylum: shared by every user of this image.',
        ...(shellKit.zshrc ?? []),
        '',
      ].join('\n'),
    );
  });

  it('labels the image with its kind, hash and sorted agents', () => {
    const plan = planBaseImage(
      sampleInput({
        agents: [
          { agent: codexAgent, version: undefined },
          { agent: claudeAgent, version: '1.0.0' },
        ],
      }),
    );
    expect(plan.labels).toEqual({
      asylum: 'true',
      'asylum.kind': 'base',
      'asylum.hash': plan.hash,
      'asylum.agents': 'claude,codex',
    });
    expect(plan.agents).toEqual(['claude', 'codex']);
  });
});

describe('planBaseImage: the docker kit', () => {
  const kits = [nodeKit, dockerKit].map((kit) => ({ kit, options: {} }));
  const plan = planBaseImage(sampleInput({ kits }));
  const all = plan.dockerfile.split('\n');

  it('installs the engine, its CLI, buildx, iptables and a static busybox from Debian', () => {
    const apt = all.find((line) => line.includes('apt-get install'))!;
    for (const name of [
      'docker.io',
      'docker-cli',
      'docker-buildx',
      'iptables',
      'busybox-static',
    ]) {
      expect(apt.split(' ')).toContain(name);
    }
  });

  it('ships the inner daemon as a service that init.sh starts and stops', () => {
    expect(plan.files['dind.sh']).toContain('dockerd');
    const copy = indexOfLine(all, 'COPY dind.sh /usr/local/lib/asylum/services/50-dockerd');
    expect(all[copy + 1]).toBe('RUN chmod 0755 /usr/local/lib/asylum/services/50-dockerd');
    expect(plan.files['init.sh']).toContain('/usr/local/lib/asylum/services');
  });

  it('adds the user to the docker group after creating it', () => {
    const useradd = all.findIndex((line) => line.includes('useradd'));
    const usermod = indexOfLine(all, '    && usermod -aG docker "$USERNAME" \\');
    expect(usermod).toBeGreaterThan(useradd);
    expect(lines(sampleInput()).some((line) => line.includes('usermod -aG'))).toBe(false);
  });

  it('gives a root host user no group line (root needs none)', () => {
    const root = lines(
      sampleInput({ kits, identity: { uid: 0, gid: 0, username: 'root', home: '/root' } }),
    );
    expect(root.some((line) => line.includes('usermod'))).toBe(false);
  });
});
