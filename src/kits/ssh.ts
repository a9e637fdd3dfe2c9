import { existsSync, lstatSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { writeInside } from '../host/contained-write.js';
import { ensureEd25519Key } from '../host/ssh-key.js';
import type { PlannedMount } from '../plan/container.js';
import type { Kit, KitRuntime, KitRuntimeContext } from './types.js';

/** Where the kit's pieces appear inside the container, under the user's ~/.ssh. */
const IN_CONTAINER = { key: '.ssh/asylum', host: '.ssh/host', known: '.ssh/known' } as const;

/**
 * Options that point at host-only things (macOS keychain, agent sockets,
 * control sockets, hardware tokens) or that would override asylum's own
 * known_hosts: they are dropped from a shared config so ssh keeps working.
 */
const DROPPED_OPTIONS = new Set([
  'identityagent',
  'usekeychain',
  'addkeystoagent',
  'userknownhostsfile',
  'globalknownhostsfile',
  'controlpath',
  'controlmaster',
  'controlpersist',
  'pkcs11provider',
  'securitykeyprovider',
  'smartcarddevice',
  'xauthlocation',
  'include',
]);
const PATH_OPTIONS = new Set(['identityfile', 'certificatefile']);

/** Rewrites the host's ~/.ssh config for a container that sees ~/.ssh at ~/.ssh/host. */
export function sanitizeSshConfig(
  text: string,
  home: string,
): { config: string; dropped: string[] } {
  const dropped: string[] = [];
  const lines = text.split('\n').map((line) => {
    const match = /^(\s*)([A-Za-z0-9]+)(\s*=?\s*)(.*)$/.exec(line);
    if (!match || line.trim().startsWith('#')) return line;
    const [, indent, keyword, separator, value] = match as unknown as string[];
    const key = keyword!.toLowerCase();
    if (DROPPED_OPTIONS.has(key)) {
      dropped.push(keyword!);
      return `${indent}# (dropped by asylum) ${line.trim()}`;
    }
    if (!PATH_OPTIONS.has(key)) return line;
    const rewritten = value!
      .replace(/^~\/\.ssh\//, `~/${IN_CONTAINER.host}/`)
      .replace(`${home}/.ssh/`, `~/${IN_CONTAINER.host}/`);
    return `${indent}${keyword}${separator}${rewritten}`;
  });
  return { config: lines.join('\n'), dropped: [...new Set(dropped)] };
}

function sshConfigFor(mode: string, sharedConfig: string | undefined): string {
  const parts = [
    '# Written by asylum at every session start; edits here are not kept.',
    'IgnoreUnknown UseKeychain,AddKeysToAgent,UseRoaming',
  ];
  if (sharedConfig) parts.push('', '# Your host ~/.ssh/config, adapted:', sharedConfig, '');
  parts.push('Host *');
  if (mode !== 'shared') parts.push(`    IdentityFile ~/${IN_CONTAINER.key}/id_ed25519`);
  parts.push(
    `    UserKnownHostsFile ~/${IN_CONTAINER.known}/known_hosts`,
    '    StrictHostKeyChecking accept-new',
  );
  return `${parts.join('\n')}\n`;
}

/**
 * asylum's own known_hosts, one per project (seeded once from the host's): an
 * entry planted by one project's agent reaches neither the host nor another
 * project. The host file is never mounted.
 */
function knownHostsDir(context: KitRuntimeContext): string {
  const dir = join(context.projectDataDir, 'ssh-known');
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const hostFile = join(context.home, '.ssh', 'known_hosts');
  // The dir is mounted read-write: a link planted in it must not lead the seed out.
  if (!lexists(join(dir, 'known_hosts')) && existsSync(hostFile)) {
    writeInside(dir, 'known_hosts', readFileSync(hostFile, 'utf8'), 0o644);
  }
  return dir;
}

/** Something is there, a dangling link included. */
function lexists(path: string): boolean {
  return lstatSync(path, { throwIfNoEntry: false }) !== undefined;
}

function mount(source: string, target: string, readOnly: boolean, reason: string): PlannedMount {
  return { type: 'bind', source, target, readOnly, reason };
}

function keyMounts(context: KitRuntimeContext, mode: string): PlannedMount[] {
  const { home } = context;
  if (mode === 'shared') {
    const hostSsh = join(home, '.ssh');
    if (!existsSync(hostSsh)) return [];
    const writable = context.options.writable === true;
    const why = writable ? 'your ~/.ssh, read-write (ssh.writable)' : 'your ~/.ssh, read-only';
    return [mount(hostSsh, join(home, IN_CONTAINER.host), !writable, why)];
  }
  const base = mode === 'project' ? context.projectDataDir : context.asylumDir;
  const keyDir = join(base, 'ssh');
  if (ensureEd25519Key(keyDir, context.warn)) {
    context.info(`generated an SSH key for asylum containers: ${join(keyDir, 'id_ed25519.pub')}`);
    context.info('add that public key to your git host to let agents push (and only then)');
  }
  return [mount(keyDir, join(home, IN_CONTAINER.key), true, `asylum's own SSH key (${mode})`)];
}

function prepareSsh(context: KitRuntimeContext): KitRuntime {
  const mode = context.options.isolation ?? 'isolated';
  const mounts = keyMounts(context, mode);
  const known = knownHostsDir(context);
  mounts.push(mount(known, join(context.home, IN_CONTAINER.known), false, "asylum's known_hosts"));
  let shared: string | undefined;
  const hostConfig = join(context.home, '.ssh', 'config');
  if (mode === 'shared' && existsSync(hostConfig)) {
    const { config, dropped } = sanitizeSshConfig(readFileSync(hostConfig, 'utf8'), context.home);
    if (dropped.length > 0)
      context.info(`ssh config: left out host-only options ${dropped.join(', ')}`);
    shared = config;
  }
  return { mounts, stagedFiles: { ssh_config: sshConfigFor(mode, shared) } };
}

export const sshKit: Kit = {
  name: 'ssh',
  tier: 'always',
  summary: "OpenSSH client; an SSH key of asylum's own (isolated, project or shared)",
  order: 20,
  aptPackages: ['openssh-client'],
  homeDirs: ['.ssh'],
  prepare: prepareSsh,
};
