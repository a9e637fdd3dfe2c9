import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ctx } from '../docker/harness.js';
import {
  decoyHome,
  facts,
  IDENTITY,
  inside,
  keepAlive,
  mark,
  projectWithSibling,
  sha256,
  verify,
} from './fixture.js';

const PROMISE = 'Git identity and SSH key';

describe.skipIf(!ctx.engine)('blast radius: identity (git and SSH)', () => {
  // "~/.gitconfig is mounted read-only, so commits are attributed to you."
  // (asylum copies it in at each session start instead of mounting it; the effect checked
  // here is the promise: the host file cannot be changed, and its credentials stay out.)
  it(`${PROMISE}: ~/.gitconfig cannot be changed from inside and its [credential] stays on the host`, async () => {
    const attacks = [
      'append to ~/.gitconfig (user)',
      'git config --global (user)',
      'sudo overwrite ~/.gitconfig (root)',
      'sudo write /run/asylum/host/gitconfig',
      'sudo mount -o remount,rw /run/asylum/host',
      'read credential.helper',
    ];
    await verify(PROMISE, 'gitconfig', attacks, async () => {
      const home = decoyHome();
      const gitconfig = join(home, '.gitconfig');
      const before = readFileSync(gitconfig, 'utf8');
      expect(before).toContain(mark('GITCRED'));
      const project = projectWithSibling('br-gitconfig');
      const keeper = await keepAlive(project.dir, home);
      let seen: Record<string, string>;
      let next: Record<string, string>;
      try {
        const script = [
          'echo "@name=$(git config --global user.name)"',
          'echo "@helper=$(git config --global --get-all credential.helper)"',
          `grep -q '${mark('GITCRED')}' ~/.gitconfig /run/asylum/host/gitconfig 2>/dev/null && echo @cred=inside || echo @cred=absent`,
          `(printf '[core]\\n\\tsshCommand = evil-ssh\\n' >> ~/.gitconfig) 2>/dev/null && echo @user-append=yes || echo @user-append=no`,
          'git config --global user.name Evil-Agent 2>/dev/null && echo @git-config=yes || echo @git-config=no',
          `sudo sh -c 'echo "[evil]" >> "$0"' ~/.gitconfig 2>/dev/null && echo @root-write=yes || echo @root-write=no`,
          `sudo sh -c 'echo "[evil]" >> /run/asylum/host/gitconfig' 2>/dev/null && echo @staged-write=yes || echo @staged-write=no`,
          'sudo mount -o remount,rw /run/asylum/host 2>/dev/null && echo @remount=yes || echo @remount=no',
        ].join('\n');
        const result = await inside(project.dir, script, { home });
        seen = facts(result.stdout);
        // A later session in the same container gets the host identity again.
        next = facts(
          (await inside(project.dir, 'echo "@name=$(git config --global user.name)"', { home }))
            .stdout,
        );
      } finally {
        await keeper.stop();
      }
      console.log(`gitconfig: ${JSON.stringify(seen)}; next session ${JSON.stringify(next)}`);
      // The identity arrives (so commits are attributed to you); the credential helper does not.
      expect(seen.name).toBe(IDENTITY);
      expect(seen.helper).toBe('');
      expect(seen.cred).toBe('absent');
      // The container's own copy can be edited (the attacks ran), the staged copy cannot.
      expect(seen).toMatchObject({
        'user-append': 'yes',
        'git-config': 'yes',
        'root-write': 'yes',
      });
      expect(seen).toMatchObject({ 'staged-write': 'no', remount: 'no' });
      // The host file is byte for byte what it was.
      expect(readFileSync(gitconfig, 'utf8')).toBe(before);
      expect(next.name).toBe(IDENTITY);
    });
  });

  // "The SSH kit mounts a private key into ~/.ssh/ (a key Asylum generated, or your host key
  //  in shared mode)." — it can be used, but not changed or replaced from inside.
  it(`${PROMISE}: the SSH private key is a read-only mount, even for root`, async () => {
    const attacks = [
      'append to ~/.ssh/asylum/id_ed25519 (user)',
      'sudo overwrite the key',
      'sudo rm the key',
      'sudo chmod the key',
      'sudo mv the key dir',
      'sudo mount -o remount,rw the key dir',
    ];
    await verify(PROMISE, 'ssh key', attacks, async () => {
      const home = decoyHome();
      const project = projectWithSibling('br-ssh-key');
      const keeper = await keepAlive(project.dir, home);
      const hostKey = join(home, '.asylum', 'ssh', 'id_ed25519');
      let seen: Record<string, string>;
      let before: { sum: string; mode: number; mtime: number };
      try {
        before = { sum: sha256(hostKey), ...modeOf(hostKey) };
        const script = [
          'dir="$HOME/.ssh/asylum"; key="$dir/id_ed25519"',
          `head -1 "$key" | grep -q 'BEGIN OPENSSH PRIVATE KEY' && echo @readable=yes || echo @readable=no`,
          '(echo x >> "$key") 2>/dev/null && echo @user-append=yes || echo @user-append=no',
          `sudo sh -c 'echo x > "$0"' "$key" 2>/dev/null && echo @root-write=yes || echo @root-write=no`,
          'sudo rm -f "$key" 2>/dev/null; [ -e "$key" ] && echo @root-rm=no || echo @root-rm=yes',
          'sudo chmod 666 "$key" 2>/dev/null && echo @root-chmod=yes || echo @root-chmod=no',
          'sudo mv "$dir" "$dir.moved" 2>/dev/null && echo @root-mv=yes || echo @root-mv=no',
          'sudo mount -o remount,rw "$dir" 2>/dev/null && echo @remount=yes || echo @remount=no',
        ].join('\n');
        const result = await inside(project.dir, script, { home });
        seen = facts(result.stdout);
      } finally {
        await keeper.stop();
      }
      console.log(`ssh key: ${JSON.stringify(seen)}`);
      expect(seen.readable).toBe('yes');
      expect(seen).toMatchObject({
        'user-append': 'no',
        'root-write': 'no',
        'root-rm': 'no',
        'root-chmod': 'no',
        'root-mv': 'no',
        remount: 'no',
      });
      expect(sha256(hostKey)).toBe(before.sum);
      expect(modeOf(hostKey)).toEqual({ mode: before.mode, mtime: before.mtime });
    });
  });
});

function modeOf(path: string): { mode: number; mtime: number } {
  const stat = statSync(path);
  return { mode: stat.mode, mtime: stat.mtimeMs };
}
