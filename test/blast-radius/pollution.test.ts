import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ctx, projectContainers } from '../docker/harness.js';
import {
  decoyHome,
  facts,
  hostProcesses,
  inside,
  keepAlive,
  projectWithSibling,
  RUN,
  verify,
} from './fixture.js';

const PROMISE = 'Host system pollution';
const SERVICE_PORT = 40000 + (Number(RUN.replace(/\D/g, '')) % 9000);
/** The background service's argv, unique to this run, to find it among host processes. */
const SERVICE = `http.server ${SERVICE_PORT}`;
const HOST_PATHS = [
  '/usr/local/bin/polluted',
  '/usr/games/cowsay',
  '/usr/local/bin/br-global-tool',
  '/usr/local/lib/node_modules/br-global-tool',
];
const PATH_MARK = `/polluted-${RUN}/bin`;

function hostMentions(path: string, text: string): boolean {
  return existsSync(path) && readFileSync(path, 'utf8').includes(text);
}

const POLLUTE = [
  // System packages, from the Debian mirror.
  'sudo apt-get update -qq >/dev/null 2>&1',
  'sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq cowsay >/dev/null 2>&1',
  '[ -x /usr/games/cowsay ] && echo @cowsay=installed',
  // A file in a system directory, as root.
  "sudo sh -c 'echo x > /usr/local/bin/polluted' && echo @polluted=written",
  // PATH changes for the user and system-wide.
  `for f in ~/.bashrc ~/.profile ~/.zshrc; do echo 'export PATH=${PATH_MARK}:$PATH' >> $f; done`,
  `sudo sh -c "echo 'export PATH=${PATH_MARK}:\\$PATH' >> /etc/profile" && echo @path=changed`,
  // A global npm install (from a local tarball: no registry needed).
  'mkdir -p /tmp/pkg && cd /tmp/pkg',
  `echo '{"name":"br-global-tool","version":"1.0.0","bin":{"br-global-tool":"cli.js"}}' > package.json`,
  `printf '#!/usr/bin/env node\\nconsole.log("tool")\\n' > cli.js`,
  'npm pack --silent >/dev/null 2>&1',
  'sudo npm install -g --offline --no-audit --no-fund /tmp/pkg/br-global-tool-1.0.0.tgz >/dev/null 2>&1',
  'command -v br-global-tool >/dev/null && echo @npm-global=installed',
  'cd - >/dev/null',
  // A service that outlives the session.
  `nohup setsid python3 -m ${SERVICE} </dev/null >/dev/null 2>&1 &`,
  `for i in $(seq 50); do curl -s -o /dev/null http://127.0.0.1:${SERVICE_PORT}/ && break; sleep 0.1; done`,
  `echo "@service=$(curl -s -o /dev/null -w '%{http_code}' http://127.0.0.1:${SERVICE_PORT}/)"`,
].join('\n');

const CHECK = [
  'command -v cowsay >/dev/null || [ -e /usr/games/cowsay ] && echo @cowsay=present || echo @cowsay=absent',
  '[ -e /usr/local/bin/polluted ] && echo @polluted=present || echo @polluted=absent',
  'command -v br-global-tool >/dev/null && echo @npm-global=present || echo @npm-global=absent',
  `grep -qs '${PATH_MARK}' /etc/profile ~/.bashrc ~/.profile ~/.zshrc && echo @path=changed || echo @path=clean`,
  `echo "@service=$(curl -s -m 2 -o /dev/null -w '%{http_code}' http://127.0.0.1:${SERVICE_PORT}/)"`,
].join('\n');

describe.skipIf(!ctx.engine)('blast radius: host system pollution', () => {
  // "System packages, PATH changes, services, and global installs land inside the
  //  container and disappear when it's removed. Your host stays clean."
  it(`${PROMISE}: packages, system files, PATH, npm -g and a service stay inside and vanish with the container`, async () => {
    const attacks = [
      'sudo apt-get install -y cowsay',
      "sudo sh -c 'echo x > /usr/local/bin/polluted'",
      'PATH export in ~/.bashrc ~/.profile ~/.zshrc and /etc/profile',
      'sudo npm install -g <tarball>',
      'nohup setsid python3 -m http.server (outlives its session)',
    ];
    await verify(PROMISE, 'pollution', attacks, async () => {
      const home = decoyHome();
      const project = projectWithSibling('br-pollution');
      // Preconditions: none of it is on the host already (else the test proves nothing).
      for (const path of HOST_PATHS) expect(existsSync(path), path).toBe(false);
      expect(hostMentions('/etc/profile', PATH_MARK)).toBe(false);
      expect(hostProcesses(SERVICE)).toEqual([]);

      const keeper = await keepAlive(project.dir, home);
      let polluted: Record<string, string>;
      let stillInside: Record<string, string>;
      let servicePids: number[];
      let gone: number;
      try {
        const result = await inside(project.dir, POLLUTE, { home });
        polluted = facts(result.stdout);
        console.log(`pollution inside: ${JSON.stringify(polluted)}`);
        // The attacks worked inside (else "the host stays clean" would be vacuous).
        expect(polluted, result.stderr).toEqual({
          cowsay: 'installed',
          polluted: 'written',
          path: 'changed',
          'npm-global': 'installed',
          service: '200',
        });
        // The service outlived its session: a later session still reaches it.
        stillInside = facts((await inside(project.dir, CHECK, { home })).stdout);
        // Container processes show in the host's process table while it runs.
        servicePids = hostProcesses(SERVICE);
      } finally {
        gone = await keeper.stop();
      }
      console.log(`pollution: container gone ${gone} ms after the last session`);
      expect(stillInside).toEqual({
        cowsay: 'present',
        polluted: 'present',
        'npm-global': 'present',
        path: 'changed',
        service: '200',
      });
      expect(servicePids.length).toBeGreaterThan(0);

      // The host stays clean.
      for (const path of HOST_PATHS) expect(existsSync(path), path).toBe(false);
      expect(hostMentions('/etc/profile', PATH_MARK)).toBe(false);
      for (const file of ['.bashrc', '.profile', '.zshrc'])
        expect(hostMentions(join(home, file), PATH_MARK), file).toBe(false);
      // The container and its processes are gone once the last session ended.
      expect(projectContainers(project.name)).toEqual([]);
      expect(hostProcesses(SERVICE)).toEqual([]);

      // A new container of the same project starts clean.
      const fresh = facts((await inside(project.dir, CHECK, { home })).stdout);
      expect(fresh).toMatchObject({
        cowsay: 'absent',
        polluted: 'absent',
        'npm-global': 'absent',
        path: 'clean',
      });
      expect(fresh.service).not.toBe('200');
    });
  });
});
