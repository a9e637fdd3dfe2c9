import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ctx, projectContainers, waitFor } from '../docker/harness.js';
import {
  containerName,
  DECOYS,
  decoyHome,
  facts,
  HOST_ENV,
  hostDamage,
  IDENTITY,
  inside,
  MARKER_SCAN,
  mark,
  projectWithSibling,
  scanHits,
  sha256,
  verify,
} from './fixture.js';

const PROMISE = 'Unrelated credentials';
/** Opt-ins in the user's global config (what the user chose, not a project). */
const SSH_SHARED = { name: 'ssh-shared', config: 'kits:\n  ssh:\n    isolation: shared\n' };
const CLAUDE_SHARED = {
  name: 'claude-shared',
  agent: 'claude',
  config: 'agents:\n  claude:\n    config: shared\n',
};

/** Which host decoy paths exist inside (the container's HOME has the host's path). */
function existenceProbe(home: string): string {
  return DECOYS.map(
    (d) =>
      `[ -e '${join(home, d.rel)}' ] && echo '@exists:${d.rel}=yes' || echo '@exists:${d.rel}=no'`,
  ).join('\n');
}

const SOCKET_PROBE =
  '[ -S /var/run/docker.sock ] || [ -S /run/docker.sock ] && echo @docker-socket=present || echo @docker-socket=absent';

/** Runs the whole-filesystem and environment scan in a project with the given project config. */
async function scan(name: string, home: string, extra = '') {
  const project = projectWithSibling(name);
  expect(hostDamage(home, project)).toEqual([]);
  const script = [existenceProbe(home), SOCKET_PROBE, extra, MARKER_SCAN].join('\n');
  const started = Date.now();
  const result = await inside(project.dir, script, { home });
  const seen = facts(result.stdout);
  const hits = scanHits(result.stdout);
  console.log(
    `${name}: scan took ${Date.now() - started} ms; files ${JSON.stringify(hits.files)}; env ${JSON.stringify(hits.env)}`,
  );
  expect(result.code, result.stderr).toBe(0);
  // 0: found something, 1: nothing; not 124 (the bounded search timed out).
  expect(['0', '1', '2']).toContain(seen['grep-exit']);
  const existing = Object.entries(seen)
    .filter(([key, value]) => key.startsWith('exists:') && value === 'yes')
    .map(([key]) => key.slice('exists:'.length));
  return { home, project, seen, hits, existing };
}

/** The git identity is meant to be there (commits are attributed to you): the scan's control. */
const identityHits = (home: string) => [
  `${home}/.gitconfig:${IDENTITY}`,
  `/run/asylum/host/gitconfig:${IDENTITY}`,
];

describe.skipIf(!ctx.engine)('blast radius: unrelated credentials', () => {
  // "Your host dotfiles, browser profiles, password manager databases, cloud CLI tokens
  //  (~/.aws, ~/.config/gcloud, etc.) are not mounted by default. An agent cannot read them."
  it(`${PROMISE}: by default no host credential, dotfile or token is anywhere in the container`, async () => {
    const attacks = [
      'sudo grep -ra every marker across / (minus /proc /sys /dev)',
      'env, sudo env, every /proc/*/environ',
      'host env AWS_SECRET_ACCESS_KEY, GITHUB_TOKEN, ANTHROPIC_API_KEY',
      'stat every host decoy path',
      'look for the docker socket',
    ];
    await verify(PROMISE, 'default', attacks, async () => {
      const { home, project, seen, hits, existing } = await scan('br-creds-default', decoyHome());
      // Only the (sanitised) git identity: its credential helper stayed on the host.
      expect(hits.files.sort()).toEqual(identityHits(home).sort());
      expect(hits.env).toEqual([]);
      expect(existing).toEqual(['.gitconfig']);
      expect(seen['docker-socket']).toBe('absent');
      expect(hostDamage(home, project)).toEqual([]);
      for (const value of Object.values(HOST_ENV)) expect(hits.env).not.toContain(value);
    });
  });

  // The project is the agent's: files asylum reads from it on the host must not lead outside.
  it(`${PROMISE}: a planted .env or .asylum.local symlink to a host secret carries nothing in`, async () => {
    const attacks = [
      'ln -s ~/.aws/credentials .env (read by the next session start)',
      'ln -s ~/.aws/credentials .asylum.local',
    ];
    await verify(PROMISE, 'planted-links', attacks, async () => {
      const home = decoyHome();
      const project = projectWithSibling('br-planted-links');
      const planted = await inside(project.dir, 'ln -s ~/.aws/credentials .env', { home });
      expect(planted.code, planted.stderr).toBe(0);
      // The next session plans a fresh container, reading the planted file.
      const name = containerName(project.dir);
      await waitFor(() => projectContainers(name).length === 0, 30_000);
      const after = await inside(project.dir, MARKER_SCAN, { home });
      expect(after.stderr).toMatch(/ignoring .*\.env: it leads outside the project/);
      expect(scanHits(after.stdout).env).toEqual([]);
      expect(after.stdout).not.toContain(mark('AWS'));

      const local = await inside(project.dir, 'rm .env; ln -s ~/.aws/credentials .asylum.local', {
        home,
      });
      expect(local.code, local.stderr).toBe(0);
      await waitFor(() => projectContainers(name).length === 0, 30_000);
      const refused = await inside(project.dir, 'echo started', { home });
      expect(refused.code).not.toBe(0);
      expect(refused.stderr).toMatch(/\.asylum\.local: it leads outside the project/);
      expect(refused.stdout + refused.stderr).not.toContain(mark('AWS'));
      expect(hostDamage(home, project)).toEqual([]);
    });
  });

  // "kits.ssh.isolation: shared mounts your entire host ~/.ssh read-write, including every
  //  key you own." (README and the kit: read-only unless `writable: true`.)
  it(`${PROMISE}: kits.ssh.isolation: shared exposes exactly the host ~/.ssh, read-only`, async () => {
    const attacks = [
      'sudo grep -ra every marker across /',
      'env / environ',
      'write the host id_rsa as the user and as root',
    ];
    await verify(PROMISE, 'ssh shared', attacks, async () => {
      const home = decoyHome(SSH_SHARED);
      const key = join(home, '.ssh', 'id_rsa');
      const before = sha256(key);
      const inContainer = join(home, '.ssh', 'host', 'id_rsa');
      const writes = [
        `(echo x >> '${inContainer}') 2>/dev/null && echo @user-write=yes || echo @user-write=no`,
        `sudo sh -c "echo x >> '${inContainer}'" 2>/dev/null && echo @root-write=yes || echo @root-write=no`,
      ].join('\n');
      const { seen, hits, existing } = await scan('br-creds-ssh-shared', home, writes);
      expect(hits.files.sort()).toEqual(
        [...identityHits(home), `${inContainer}:${mark('SSH')}`].sort(),
      );
      expect(hits.env).toEqual([]);
      // The host's ~/.ssh is under ~/.ssh/host, not at its own path.
      expect(existing).toEqual(['.gitconfig']);
      expect(seen).toMatchObject({ 'user-write': 'no', 'root-write': 'no' });
      expect(sha256(key)).toBe(before);
    });
  });

  // "agents.<name>.config: shared mounts your host ~/.claude (or equivalent) read-write."
  it(`${PROMISE}: agents.claude.config: shared exposes exactly the host ~/.claude`, async () => {
    const attacks = ['sudo grep -ra every marker across /', 'env / environ'];
    await verify(PROMISE, 'claude shared', attacks, async () => {
      const home = decoyHome(CLAUDE_SHARED);
      const { hits, existing } = await scan('br-creds-claude-shared', home);
      expect(hits.files.sort()).toEqual(
        [...identityHits(home), `${home}/.claude/settings.json:${mark('CLAUDE')}`].sort(),
      );
      expect(hits.env).toEqual([]);
      expect(existing.sort()).toEqual(['.claude/settings.json', '.gitconfig']);
    });
  });
});
