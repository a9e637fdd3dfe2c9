import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { sessionMarkerPath } from '../../src/agents/probe.js';
import { ctx, projectContainers, runAsylum, waitFor, writeOwned } from '../docker/harness.js';
import {
  assertOnlyProjectAndState,
  changed,
  decoyHome,
  facts,
  hostDamage,
  inside,
  keepAlive,
  projectWithSibling,
  snapshot,
  verify,
} from './fixture.js';

const PROMISE = 'Accidental destruction outside the project';

/** Host paths under ~/.asylum an attack may damage: this project's data and the shared known_hosts. */
function outsideOwnState(paths: string[], container: string): string[] {
  return paths.filter(
    (p) => !p.startsWith(`projects/${container}/`) && !p.startsWith('ssh-known/'),
  );
}

describe.skipIf(!ctx.engine)('blast radius: accidental destruction', () => {
  // asylum itself writes into dirs the container can write: a planted link must not lead it out.
  it(`${PROMISE}: links planted in asylum's writable state do not lead its own writes out`, async () => {
    const attacks = [
      'ln -s ~/.bash_aliases ~/.ssh/known/known_hosts (asylum re-seeds a missing copy)',
      'ln -s ~/victim ~/.codex/asylum-projects/<key>/.has_session (asylum marks each start)',
    ];
    await verify(PROMISE, 'planted-state-links', attacks, async () => {
      const home = decoyHome();
      const project = projectWithSibling('br-planted-state');
      writeOwned(join(home, 'victim.txt'), 'precious\n');
      const marker = sessionMarkerPath(project.dir);
      const plant = [
        'rm -f ~/.ssh/known/known_hosts',
        `ln -s ${home}/.bash_aliases ~/.ssh/known/known_hosts`,
        `mkdir -p "$(dirname ~/.codex/${marker})"`,
        `ln -sfn ${home}/victim.txt ~/.codex/${marker}`,
      ].join('; ');
      const planted = await inside(project.dir, plant, { home, args: ['-a', 'codex'] });
      expect(planted.code, planted.stderr).toBe(0);
      await waitFor(() => projectContainers(project.name).length === 0, 30_000);
      const agent = await runAsylum(['-a', 'codex', '--', '--version'], {
        cwd: project.dir,
        home,
      });
      expect(agent.code, agent.stderr).toBe(0);
      expect(readFileSync(join(home, 'victim.txt'), 'utf8')).toBe('precious\n');
      expect(existsSync(join(home, '.bash_aliases'))).toBe(false);
      expect(hostDamage(home, project)).toEqual([]);
    });
  });

  // "An agent running rm -rf ~ inside the container cannot touch the rest of your home directory."
  it(`${PROMISE}: rm -rf ~ (as the user and as root) wipes the container's home, not the host's`, async () => {
    const attacks = ['rm -rf ~ (user)', 'sudo rm -rf ~ (root)', 'sudo rm -rf /root /home'];
    await verify(PROMISE, 'rm -rf ~', attacks, async () => {
      const home = decoyHome();
      const project = projectWithSibling('br-rm-home');
      writeOwned(join(project.dir, 'work.txt'), 'project work\n');
      expect(hostDamage(home, project)).toEqual([]);
      const keeper = await keepAlive(project.dir, home);
      let result: Awaited<ReturnType<typeof inside>>;
      const stateBefore = snapshot(join(home, '.asylum'));
      try {
        assertOnlyProjectAndState(keeper.name, home, project.dir);
        const script = [
          'echo container-only > ~/.container-only',
          'echo "@before=$(find ~ -xdev -type f 2>/dev/null | wc -l)"',
          'rm -rf ~ 2>/dev/null; echo "@user-rm=$?"',
          'sudo rm -rf ~ /root /home 2>/dev/null; echo "@root-rm=$?"',
          'test -e ~/.container-only && echo @own-file=survived || echo @own-file=gone',
          // Mount points cannot be unlinked; what is left are their (read-only) contents.
          'echo "@left=$(find ~ -type f 2>/dev/null | tr "\\n" " ")"',
          'test -f work.txt && echo @project=intact || echo @project=gone',
        ].join('\n');
        result = await inside(project.dir, script, { home });
      } finally {
        await keeper.stop();
      }
      const seen = facts(result.stdout);
      console.log(`rm -rf ~: ${JSON.stringify(seen)}`);
      // The attack really ran: the container's home lost its own file.
      expect(seen['own-file'], result.stderr).toBe('gone');
      expect(seen.project).toBe('intact');
      // On the host: every decoy and the sibling project survive with their markers.
      expect(hostDamage(home, project)).toEqual([]);
      expect(existsSync(join(project.dir, 'work.txt'))).toBe(true);
      const damaged = changed(stateBefore, snapshot(join(home, '.asylum')));
      console.log(`rm -rf ~: asylum state damaged: ${JSON.stringify(damaged)}`);
      expect(outsideOwnState(damaged, project.name)).toEqual([]);
    });
  });

  // "Think of it as a seatbelt ... turns 'the agent wiped my home directory' into
  //  'the agent wiped this one project' — and it stops there."
  it(`${PROMISE}: sudo rm -rf --no-preserve-root / damages only this project and asylum's state`, async () => {
    const attacks = ['sudo rm -rf --no-preserve-root / (root, whole container filesystem)'];
    await verify(PROMISE, 'rm -rf /', attacks, async () => {
      const home = decoyHome();
      const project = projectWithSibling('br-rm-root');
      writeOwned(join(project.dir, 'work.txt'), 'project work\n');
      expect(hostDamage(home, project)).toEqual([]);
      const keeper = await keepAlive(project.dir, home);
      const stateBefore = snapshot(join(home, '.asylum'));
      let result: Awaited<ReturnType<typeof inside>>;
      let gone: number;
      try {
        assertOnlyProjectAndState(keeper.name, home, project.dir);
        const script = [
          // Every mount point first: once /usr/bin/sleep is gone, the container's
          // init loop stops waiting and the container ends before rm is through.
          "mounts=$(awk '{print $5}' /proc/self/mountinfo | grep -vE '^/(proc|sys|dev)?(/|$)')",
          'echo "@mounts=$(echo $mounts | tr " " ,)"',
          'for m in $mounts; do sudo rm -rf --no-preserve-root "$m" >/dev/null 2>&1; done',
          '[ -e work.txt ] && echo @project=left || echo @project=gone',
          'sudo rm -rf --no-preserve-root / >/dev/null 2>&1',
          // Only shell builtins work from here on (if the container still runs at all).
          '[ -e /usr/bin/ls ] && echo @usr=left || echo @usr=gone',
        ].join('\n');
        result = await inside(project.dir, script, { home });
      } finally {
        gone = await keeper.stop();
      }
      const seen = facts(result.stdout);
      console.log(
        `rm -rf /: ${JSON.stringify(seen)}; container gone ${gone} ms after the session`,
      );
      // The attack really ran: every mount point was wiped as root (the project too).
      expect(seen.mounts, result.stderr).toContain(project.dir);
      expect(seen.project).toBe('gone');
      if (seen.usr !== undefined) expect(seen.usr).toBe('gone');
      // The host: every decoy and the sibling project survive.
      expect(hostDamage(home, project)).toEqual([]);
      // The project itself is fair game (documented), and it is indeed wiped.
      expect(readdirSync(project.dir)).toEqual([]);
      const damaged = changed(stateBefore, snapshot(join(home, '.asylum')));
      console.log(`rm -rf /: asylum state damaged: ${JSON.stringify(damaged)}`);
      expect(outsideOwnState(damaged, project.name)).toEqual([]);
      expect(existsSync(join(home, '.asylum', 'config.yaml'))).toBe(true);
      // The image was not damaged: a new container of the same project works again.
      const again = await inside(project.dir, 'ls /usr/bin/ls && echo @alive=yes', { home });
      expect(facts(again.stdout).alive, again.stderr).toBe('yes');
    });
  });
});
