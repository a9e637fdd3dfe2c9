/**
 * The first-run wizard, `asylum config` and the new-kit question, driven in a
 * real terminal (tmux, keys sent one by one) as the test user. None of this
 * needs the engine: each session is stopped right after the questions by a
 * port flag the config check rejects (`-p 0`).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { loadLayerFromText } from '../../src/config/load.js';
import {
  asylumCommand,
  ctx,
  hasTmux,
  makeDir,
  makeProject,
  runAsylum,
  tmux,
  waitFor,
  writeOwned,
} from './harness.js';

let homes = 0;
/** A home of its own: the wizard runs only where no ~/.asylum/config.yaml exists. */
function freshHome(): string {
  homes += 1;
  return makeDir(join(ctx.runDir, 'homes', `wizard-${process.pid}-${homes}`));
}

const configPath = (home: string) => join(home, '.asylum', 'config.yaml');
const configOf = (home: string) =>
  loadLayerFromText(readFileSync(configPath(home), 'utf8'), configPath(home)).config;

let session: string | undefined;
afterEach(() => {
  if (session) spawnSync('tmux', ['kill-session', '-t', session]);
  session = undefined;
});

/** Starts asylum in a terminal; returns the screen reader and a key sender. */
function startTerminal(home: string, args: string) {
  const project = makeProject('wizard');
  session = `asylum-wizard-${process.pid}-${homes}`;
  const command = `${asylumCommand(project, args, { home, wizard: true })}; echo ASYLUM_EXIT=$?; sleep 60`;
  tmux('new-session', '-d', '-s', session, '-x', '140', '-y', '50', command);
  const name = session;
  const screen = () => tmux('capture-pane', '-t', name, '-p');
  /** Waits for `text`, then sends the keys. */
  const answer = async (text: string, ...keys: string[]) => {
    await waitFor(() => screen().includes(text), 20_000, 100);
    for (const key of keys) tmux('send-keys', '-t', name, key);
  };
  const exitCode = async () => {
    await waitFor(() => /ASYLUM_EXIT=\d+/.test(screen()), 20_000, 100);
    return Number(/ASYLUM_EXIT=(\d+)/.exec(screen())![1]);
  };
  return { screen, answer, exitCode };
}

describe.skipIf(!hasTmux && !process.env.CI)('first-run wizard in a terminal', () => {
  it('asks on the first session, writes a complete file the loader reads, then goes on', async () => {
    const home = freshHome();
    const t = startTerminal(home, '-p 0 run true');
    // Agents: claude is preselected; add codex.
    await t.answer('Which agents should the image carry?', 'Down', 'Space', 'Enter');
    // Two agents, so it asks which one starts: codex.
    await t.answer('Which agent should `asylum` start?', 'Down', 'Enter');
    // Kits, in kit order (apt, java, python, ...): java, python, github preselected; drop java.
    await t.answer('Which kits should the sandbox have?', 'Down', 'Space', 'Enter');
    await t.answer('isolated (recommended)', 'Down', 'Enter');
    // Credentials for the chosen kits only: GitHub.
    await t.answer('Pass any host credentials', 'Space', 'Enter');
    expect(await t.exitCode()).toBe(2);
    expect(t.screen()).toContain(`wrote ${configPath(home)}`);
    // The session went on to read the config (and stopped at the bad port).
    expect(t.screen()).toMatch(/invalid port|port/);

    const config = configOf(home);
    expect(config.agent).toBe('codex');
    expect(config.agents).toEqual({ claude: { config: 'project' }, codex: { config: 'project' } });
    expect(config.kits).toMatchObject({
      java: { disabled: true },
      python: null,
      github: { credentials: 'auto' },
    });
    const text = readFileSync(configPath(home), 'utf8');
    expect(text).toMatch(/^ {2}# gemini:/m);
    expect(text).toMatch(/^ {2}# node:/m);
    const known = JSON.parse(readFileSync(join(home, '.asylum', 'known-kits.json'), 'utf8'));
    expect(known.kits).toContain('github');
  });

  it.each(['Escape', 'C-c'])('%s at a question writes nothing and exits with 130', async (key) => {
    const home = freshHome();
    const t = startTerminal(home, '-p 0 run true');
    await t.answer('Which agents should the image carry?', 'Enter');
    await t.answer('Which kits should the sandbox have?', key);
    expect(await t.exitCode()).toBe(130);
    expect(t.screen()).toContain('setup cancelled: nothing was written');
    expect(existsSync(configPath(home))).toBe(false);
  });

  it('asylum config edits the file in place, across tabs, keeping every comment', async () => {
    const home = freshHome();
    const init = await runAsylum(['init', '--yes'], { cwd: home, home });
    expect(init.code).toBe(0);
    const before = readFileSync(configPath(home), 'utf8');
    const t = startTerminal(home, 'config');
    // Kits tab, in kit order: apt, java, python, ...; turn python (the third) off.
    await t.answer('What do you want to change?', 'Enter');
    await t.answer('Kits that are on', 'Down', 'Down', 'Space', 'Enter');
    // Credentials tab: the kits still on are offered; turn GitHub on (the second).
    await t.answer('Credentials', 'Down', 'Enter');
    await t.answer('Pass any host credentials', 'Down', 'Space', 'Enter');
    // Back in the menu: save.
    await t.answer('Save and exit', 'Down', 'Down', 'Down', 'Enter');
    expect(await t.exitCode()).toBe(0);
    expect(t.screen()).toContain('config updated');

    const after = readFileSync(configPath(home), 'utf8');
    expect(configOf(home).kits).toMatchObject({
      python: { disabled: true },
      github: { credentials: 'auto' },
      java: null,
    });
    // Every line but the two edited ones is still there, in order.
    const removed = before.split('\n').filter((line) => !after.split('\n').includes(line));
    expect(removed).toEqual([expect.stringMatching(/^ {4}# credentials: auto +# GitHub/)]);
  });

  it('new kits after an upgrade are asked about once', async () => {
    const home = freshHome();
    await runAsylum(['init', '--yes', '--kits', 'python'], { cwd: home, home });
    // As if this asylum had never shown github: drop it from the file and the record.
    const written = readFileSync(configPath(home), 'utf8');
    expect(written).toMatch(/^ {2}github:$/m);
    const text = written.replace(/ {2}# github\b.*\n {2}github:\n.*\n/, '');
    expect(text).not.toMatch(/github:/);
    writeOwned(configPath(home), `${text}# my own note\n`, 0o600);
    writeOwned(join(home, '.asylum', 'known-kits.json'), '{"version":1,"kits":["java"]}', 0o600);
    const t = startTerminal(home, '-p 0 run true');
    // github is default-tier, so preselected: keep it.
    await t.answer('New kits are available', 'Enter');
    expect(await t.exitCode()).toBe(2);
    expect(configOf(home).kits).toHaveProperty('github', null);
    expect(readFileSync(configPath(home), 'utf8')).toContain('# my own note');
    const known = JSON.parse(readFileSync(join(home, '.asylum', 'known-kits.json'), 'utf8'));
    expect(known.kits).toEqual(expect.arrayContaining(['github', 'python', 'node']));
  });
});

describe('without a terminal', () => {
  it('a first session runs with the defaults and writes no file', async () => {
    const home = freshHome();
    const result = await runAsylum(['-p', '0', 'run', 'true'], { cwd: makeProject('p'), home });
    expect(result.code).toBe(2);
    expect(result.stderr).not.toContain('setup');
    expect(existsSync(configPath(home))).toBe(false);
  });

  it('asylum config fails and names what to edit; its flags work', async () => {
    const home = freshHome();
    await runAsylum(['init', '--yes'], { cwd: home, home });
    const ask = await runAsylum(['config'], { cwd: home, home });
    expect(ask.code).toBe(1);
    expect(ask.stderr).toContain('asylum config needs a terminal');
    expect(ask.stderr).toContain(configPath(home));
    const flags = await runAsylum(['config', '--disable', 'java', '--credentials-on', 'github'], {
      cwd: home,
      home,
    });
    expect(flags.code).toBe(0);
    expect(configOf(home).kits).toMatchObject({
      java: { disabled: true },
      github: { credentials: 'auto' },
    });
  });

  it('new default-tier kits are turned on; the file keeps its comments', async () => {
    const home = freshHome();
    makeDir(join(home, '.asylum'));
    writeOwned(configPath(home), '# mine\nagent: echo\nkits:\n  python:   # keep\n', 0o600);
    writeOwned(join(home, '.asylum', 'known-kits.json'), '{"version":1,"kits":["python"]}', 0o600);
    const result = await runAsylum(['-p', '0', 'run', 'true'], { cwd: makeProject('p'), home });
    expect(result.stderr).toContain('new kit github: on');
    const text = readFileSync(configPath(home), 'utf8');
    expect(text.startsWith('# mine\nagent: echo\nkits:\n  python:   # keep\n')).toBe(true);
    expect(configOf(home).kits).toMatchObject({ java: null, github: null });
    // A second run asks nothing and changes nothing.
    const again = await runAsylum(['-p', '0', 'run', 'true'], { cwd: makeProject('p'), home });
    expect(again.stderr).not.toContain('new kit');
    expect(readFileSync(configPath(home), 'utf8')).toBe(text);
  });
});
