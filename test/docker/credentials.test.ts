import { chmodSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ctx, makeDir, makeProject, runAsylum, writeOwned } from './harness.js';

const TOKEN = 'gho_FAKE0123456789token';
const PROBE = (path: string) =>
  `if cat "${path}" >/dev/null 2>&1; then r=read; else r=noread; fi; ` +
  `if (echo x >> "${path}") 2>/dev/null; then w=write; else w=nowrite; fi; echo "${path}=$r,$w"`;

/** A HOME with a global config, plus a fake host `gh` that knows a token. */
function homeWith(name: string, config: string): { home: string; path: string } {
  const home = makeDir(join(ctx.runDir, 'homes', `cred-${name}`));
  makeDir(join(home, '.asylum'));
  writeOwned(join(home, '.asylum', 'config.yaml'), `agent: echo\n${config}`);
  const bin = makeDir(join(home, 'bin'));
  const fakeGh = `#!/bin/sh\n[ "$1 $2" = "auth token" ] && echo ${TOKEN} && exit 0\nexit 1\n`;
  writeOwned(join(bin, 'gh'), fakeGh, 0o755);
  chmodSync(join(bin, 'gh'), 0o755);
  return { home, path: `${bin}:${process.env.PATH}` };
}

describe.skipIf(!ctx.engine)('credentials: exactly what each opt-in exposes', () => {
  it('github: nothing without credentials; with auto, the gh token read-only', async () => {
    const off = homeWith('gh-off', '');
    const project = makeProject('gh-creds');
    const none = await runAsylum(
      ['run', 'sh', '-c', 'gh auth token 2>/dev/null || echo no-token'],
      {
        cwd: project,
        home: off.home,
        env: { PATH: off.path },
      },
    );
    expect(none.stdout.trim()).toBe('no-token');

    // Another project: the first one's container belongs to the other HOME until it goes.
    const onProject = makeProject('gh-creds-on');
    const on = homeWith('gh-on', 'kits:\n  github:\n    credentials: auto\n');
    const hosts = `${on.home}/.config/gh/hosts.yml`;
    const result = await runAsylum(['run', 'sh', '-c', `gh auth token; ${PROBE(hosts)}`], {
      cwd: onProject,
      home: on.home,
      env: { PATH: on.path },
    });
    expect(result.stdout.trim().split('\n'), result.stderr).toEqual([
      TOKEN,
      `${hosts}=read,nowrite`,
    ]);
  });

  it('maven: only the servers the pom uses, read-only; never ~/.m2/settings.xml itself', async () => {
    const { home } = homeWith('maven', 'kits:\n  java:\n    credentials: auto\n');
    makeDir(join(home, '.m2'));
    writeOwned(
      join(home, '.m2', 'settings.xml'),
      '<settings><servers>' +
        '<server><id>corp</id><username>me</username><password>CORP-PASSWORD</password></server>' +
        '<server><id>other</id><password>UNRELATED-PASSWORD</password></server>' +
        '</servers></settings>',
    );
    const project = makeProject('maven-creds');
    writeOwned(
      join(project, 'pom.xml'),
      '<project><repositories><repository><id>corp</id></repository></repositories></project>',
    );
    const settings = '/run/asylum/maven/settings.xml';
    const script = [
      `cat ${settings}`,
      PROBE(settings),
      `test -e ${home}/.m2/settings.xml && echo host-settings-visible || echo host-settings-hidden`,
      'echo "MAVEN_ARGS=$MAVEN_ARGS"',
    ].join('; ');
    const result = await runAsylum(['run', 'sh', '-c', script], { cwd: project, home });
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('CORP-PASSWORD');
    expect(result.stdout).not.toContain('UNRELATED-PASSWORD');
    expect(result.stdout).toContain(`${settings}=read,nowrite`);
    expect(result.stdout).toContain('host-settings-hidden');
    expect(result.stdout).toContain(`MAVEN_ARGS=--global-settings ${settings}`);
  });
});
