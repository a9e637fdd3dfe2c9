import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { containerName, hostName } from '../../src/plan/naming.js';
import { ctx, homeOf, makeProject, runAsylum, startAsylum, waitFor } from './harness.js';

describe.skipIf(!ctx.engine)('asylum run (as a normal user in the docker group)', () => {
  it('forwards the exit code and the output of the command', async () => {
    const project = makeProject('exit-codes');
    const result = await runAsylum(['run', '--', 'sh', '-c', 'echo out; echo err >&2; exit 7'], {
      cwd: project,
    });
    expect(result.stdout).toBe('out\n');
    expect(result.stderr).toContain('err');
    expect(result.code).toBe(7);
    const ok = await runAsylum(['run', 'true'], { cwd: project });
    expect(ok.code).toBe(0);
  });

  it('pipes stdin through and runs as the host user, in the project at its real path', async () => {
    const project = makeProject('identity');
    const result = await runAsylum(
      ['run', '--', 'sh', '-c', 'cat; id -u; pwd; touch made-inside'],
      {
        cwd: project,
        input: 'from-stdin\n',
      },
    );
    expect(result.code).toBe(0);
    expect(result.stdout.split('\n')).toEqual(['from-stdin', String(ctx.tester.uid), project, '']);
    expect(statSync(join(project, 'made-inside')).uid).toBe(ctx.tester.uid);
  });

  it('names the container and host as the naming vectors say', async () => {
    const project = makeProject('My_Project!');
    const result = await runAsylum(['run', 'hostname'], { cwd: project });
    expect(result.stdout.trim()).toBe(hostName(project));
    expect(hostName(project)).toBe('asylum-my-project');
    expect(containerName(project)).toMatch(/^asylum-[0-9a-f]{12}-my-project$/);
  });

  it('passes -e, env: and .env values to the container, never through host argv', async () => {
    const project = makeProject('secrets');
    writeFileSync(join(project, '.env'), 'FROM_DOTENV="dotenv-value-5150"\n');
    writeFileSync(join(project, '.asylum'), 'env:\n  FROM_CONFIG: config-value-4242\n');
    const secret = 'flag-secret-8086';
    const child = startAsylum(
      ['-e', 'FROM_FLAG', 'run', 'sh', '-c', 'sleep 3; echo $FROM_FLAG $FROM_CONFIG $FROM_DOTENV'],
      { cwd: project, env: { FROM_FLAG: secret } },
    );
    let stdout = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
    });
    const seen = new Set<string>();
    const done = new Promise<number>((resolve) => child.on('close', (code) => resolve(code ?? 1)));
    const scan = setInterval(() => {
      for (const cmdline of hostCmdlines()) {
        for (const value of [secret, 'config-value-4242', 'dotenv-value-5150']) {
          if (cmdline.includes(value)) seen.add(value);
        }
      }
    }, 50);
    const code = await done;
    clearInterval(scan);
    expect(code).toBe(0);
    expect(stdout.trim()).toBe(`${secret} config-value-4242 dotenv-value-5150`);
    expect([...seen]).toEqual([]);
  });

  it('copies ~/.gitconfig in at session start and never lets the container change it', async () => {
    const home = homeOf();
    const gitconfig = join(home, '.gitconfig');
    writeFileSync(gitconfig, '[user]\n\tname = Host Person\n\temail = host@example.test\n');
    const project = makeProject('git-identity');
    const result = await runAsylum(
      ['run', 'sh', '-c', 'git config user.name; echo "[evil]" >> ~/.gitconfig; echo done'],
      { cwd: project },
    );
    expect(result.stdout).toBe('Host Person\ndone\n');
    expect(readFileSync(gitconfig, 'utf8')).not.toContain('evil');
  });
});

/** Every host process's argv, as `ps` would show it. */
function hostCmdlines(): string[] {
  const lines: string[] = [];
  for (const pid of readdirSync('/proc').filter((name) => /^\d+$/.test(name))) {
    try {
      lines.push(readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' '));
    } catch {
      // The process ended while we looked.
    }
  }
  return lines;
}

export { waitFor };
