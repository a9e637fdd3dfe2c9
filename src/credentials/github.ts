import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import writeFileAtomic from 'write-file-atomic';

/**
 * The host's GitHub token, read with `gh auth token` (it reaches us on stdout,
 * never through argv). Undefined when gh is missing or not logged in.
 */
export function hostGhToken(env: NodeJS.ProcessEnv = process.env): string | undefined {
  const result = spawnSync('gh', ['auth', 'token', '--hostname', 'github.com'], {
    encoding: 'utf8',
    env,
    timeout: 10_000,
  });
  const token = result.status === 0 ? result.stdout.trim() : '';
  return /^[A-Za-z0-9_\-.]+$/.test(token) ? token : undefined;
}

/**
 * The GitHub login gh recorded on the host, if any. gh inside needs a user name
 * next to the token, or it tries to look it up online and migrate its files.
 */
export function hostGhUser(
  home: string,
  env: NodeJS.ProcessEnv = process.env,
): string | undefined {
  const dir = env.GH_CONFIG_DIR ?? join(env.XDG_CONFIG_HOME ?? join(home, '.config'), 'gh');
  try {
    const match = /^github\.com:\s*\n(?:\s+.*\n)*?\s+user:\s*([A-Za-z0-9-]+)\s*$/m.exec(
      readFileSync(join(dir, 'hosts.yml'), 'utf8'),
    );
    return match?.[1];
  } catch {
    return undefined;
  }
}

/** gh's own hosts.yml format, with only github.com and only the token. */
export function ghHostsYaml(token: string, user = 'asylum-user'): string {
  return [
    'github.com:',
    `    oauth_token: ${token}`,
    `    user: ${user}`,
    '    git_protocol: https',
    '',
  ].join('\n');
}

/**
 * Writes `<dir>/hosts.yml` (0600) for a read-only mount at ~/.config/gh.
 * Returns the directory.
 */
export function stageGhCredentials(projectDataDir: string, token: string, user?: string): string {
  const dir = join(projectDataDir, 'credentials', 'gh');
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  writeFileAtomic.sync(join(dir, 'hosts.yml'), ghHostsYaml(token, user), { mode: 0o600 });
  // Marks the files as gh's current format: the mount is read-only, so no migration.
  writeFileAtomic.sync(join(dir, 'config.yml'), 'version: "1"\n', { mode: 0o600 });
  return dir;
}
