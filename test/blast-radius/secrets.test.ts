import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ctx, startAsylum, writeOwned } from '../docker/harness.js';
import {
  decoyHome,
  GLOBAL_ENV_SECRET,
  HOST_ENV,
  hostCmdlines,
  projectWithSibling,
  RUN,
  snapshot,
  verify,
} from './fixture.js';

const PROMISE = 'Secrets never in host argv';

describe.skipIf(!ctx.engine)('blast radius: secrets in host process lists', () => {
  // README "Security model": "Secrets from env:, -e NAME and .env never appear in a host
  // process's argv" ("-e KEY takes the value from your environment, so it never appears in
  // any process list").
  it(`${PROMISE}: env: (global), -e NAME and .env values are in no host process's argv`, async () => {
    const attacks = [
      'scan every /proc/*/cmdline each 50 ms during a `sleep 3` session',
      'look for leftover env files under ~/.asylum',
    ];
    await verify(PROMISE, 'argv', attacks, async () => {
      const home = decoyHome();
      const project = projectWithSibling('br-secrets');
      const flagSecret = `flag-secret-${RUN}-31`;
      const dotenvSecret = `dotenv-secret-${RUN}-53`;
      writeOwned(join(project.dir, '.env'), `FROM_DOTENV="${dotenvSecret}"\n`);
      const secrets = [GLOBAL_ENV_SECRET, flagSecret, dotenvSecret];
      // Control: a value that is in argv on purpose, to prove the scanner sees sessions.
      const canary = `argv-canary-${RUN}`;
      const child = startAsylum(
        [
          '-e',
          'FROM_FLAG',
          'run',
          'sh',
          '-c',
          'sleep 3; echo "$BR_GLOBAL_SECRET $FROM_FLAG $FROM_DOTENV"',
          canary,
        ],
        { cwd: project.dir, home, env: { ...HOST_ENV, FROM_FLAG: flagSecret } },
      );
      let stdout = '';
      child.stdout?.on('data', (chunk: Buffer) => {
        stdout += chunk.toString();
      });
      child.stderr?.resume();
      const seen = new Set<string>();
      let scans = 0;
      let canarySeen = 0;
      const done = new Promise<number>((resolve) =>
        child.on('close', (code) => resolve(code ?? 1)),
      );
      const scanner = setInterval(() => {
        scans += 1;
        for (const cmdline of hostCmdlines()) {
          if (cmdline.includes(canary)) canarySeen += 1;
          for (const value of secrets) if (cmdline.includes(value)) seen.add(value);
        }
      }, 50);
      const code = await done;
      clearInterval(scanner);
      console.log(`argv: ${scans} scans, canary seen in ${canarySeen} process lines`);
      expect(code).toBe(0);
      // The values did reach the container...
      expect(stdout.trim()).toBe(secrets.join(' '));
      // ...and the scanner saw the session's processes (the canary rides in argv)...
      expect(canarySeen).toBeGreaterThan(0);
      expect(scans).toBeGreaterThan(40);
      // ...but no secret was ever in a host process's argv.
      expect([...seen]).toEqual([]);
      // The 0600 env file handed to `docker run` is gone again: no file under ~/.asylum
      // but the config itself holds a value.
      const state = join(home, '.asylum');
      const leftovers = [...snapshot(state).keys()].filter(
        (path) =>
          path !== 'config.yaml' &&
          secrets.some((value) => readFileSync(join(state, path), 'utf8').includes(value)),
      );
      expect(leftovers).toEqual([]);
    });
  });
});
