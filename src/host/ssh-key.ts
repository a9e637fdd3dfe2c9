import { spawnSync } from 'node:child_process';
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import {
  chmodSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { hostname } from 'node:os';
import { dirname, join } from 'node:path';

const KEY_NAME = 'id_ed25519';
const PRIVATE_KEY_END = '-----END OPENSSH PRIVATE KEY-----';

/** An SSH wire-format string: a 4-byte big-endian length, then the bytes. */
function sshString(data: Buffer | string): Buffer {
  const bytes = typeof data === 'string' ? Buffer.from(data) : data;
  const length = Buffer.alloc(4);
  length.writeUInt32BE(bytes.length);
  return Buffer.concat([length, bytes]);
}

function uint32(value: number): Buffer {
  const buffer = Buffer.alloc(4);
  buffer.writeUInt32BE(value);
  return buffer;
}

/** The raw 32-byte seed and public key of a fresh Ed25519 pair. */
function rawEd25519(): { seed: Buffer; publicKey: Buffer } {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  const jwk = privateKey.export({ format: 'jwk' });
  const pub = publicKey.export({ format: 'jwk' });
  return { seed: Buffer.from(jwk.d!, 'base64url'), publicKey: Buffer.from(pub.x!, 'base64url') };
}

function wrapPem(body: Buffer): string {
  const lines = body.toString('base64').match(/.{1,70}/g) ?? [];
  return `-----BEGIN OPENSSH PRIVATE KEY-----\n${lines.join('\n')}\n${PRIVATE_KEY_END}\n`;
}

/**
 * An unencrypted Ed25519 key in OpenSSH's own format (PROTOCOL.key): the only
 * private key format OpenSSH accepts for Ed25519. Used when ssh-keygen is absent.
 */
export function openSshEd25519(comment: string): { privateKey: string; publicKey: string } {
  const { seed, publicKey } = rawEd25519();
  const publicBlob = Buffer.concat([sshString('ssh-ed25519'), sshString(publicKey)]);
  const check = randomBytes(4);
  let secret = Buffer.concat([
    check,
    check,
    sshString('ssh-ed25519'),
    sshString(publicKey),
    sshString(Buffer.concat([seed, publicKey])),
    sshString(comment),
  ]);
  const padding = Buffer.from([1, 2, 3, 4, 5, 6, 7].slice(0, (8 - (secret.length % 8)) % 8));
  secret = Buffer.concat([secret, padding]);
  const body = Buffer.concat([
    Buffer.from('openssh-key-v1\0'),
    sshString('none'),
    sshString('none'),
    sshString(''),
    uint32(1),
    sshString(publicBlob),
    sshString(secret),
  ]);
  const publicLine = `ssh-ed25519 ${publicBlob.toString('base64')} ${comment}\n`;
  return { privateKey: wrapPem(body), publicKey: publicLine };
}

/** Both halves present, and the private key not cut short (a full disk, a crash). */
function isCompletePair(dir: string): boolean {
  try {
    const privateKey = readFileSync(join(dir, KEY_NAME), 'utf8');
    const publicKey = readFileSync(join(dir, `${KEY_NAME}.pub`), 'utf8');
    return privateKey.trimEnd().endsWith(PRIVATE_KEY_END) && publicKey.startsWith('ssh-ed25519 ');
  } catch {
    return false;
  }
}

function hasEntries(dir: string): boolean {
  try {
    return readdirSync(dir).length > 0;
  } catch {
    return false;
  }
}

/** Writes a fresh pair into `dir`: with ssh-keygen when the host has it, else in-process. */
function writePair(dir: string): void {
  const key = join(dir, KEY_NAME);
  const comment = `asylum@${hostname()}`;
  const keygen = spawnSync(
    'ssh-keygen',
    ['-q', '-t', 'ed25519', '-N', '', '-C', comment, '-f', key],
    {
      stdio: 'ignore',
    },
  );
  if (keygen.status !== 0 || !isCompletePair(dir)) {
    const pair = openSshEd25519(comment);
    writeFileSync(key, pair.privateKey, { mode: 0o600 });
    writeFileSync(`${key}.pub`, pair.publicKey, { mode: 0o644 });
  }
  chmodSync(key, 0o600);
}

/**
 * Makes sure `<dir>/id_ed25519(.pub)` exist, and returns true when it created
 * them. The pair is written in a directory of its own and renamed into place,
 * so a full disk or a kill never leaves half a key, and of several first runs
 * at once exactly one pair wins. A pair found cut short is moved aside.
 */
export function ensureEd25519Key(
  dir: string,
  warn: (message: string) => void = () => {},
): boolean {
  if (isCompletePair(dir)) return false;
  if (hasEntries(dir)) {
    const aside = `${dir}.broken-${new Date().toISOString().replace(/[:.]/g, '-')}`;
    try {
      renameSync(dir, aside);
      warn(`the SSH key in ${dir} was incomplete; moved it to ${aside} and made a new one`);
    } catch {
      // Another asylum process moved it first.
    }
  }
  mkdirSync(dirname(dir), { recursive: true });
  const staging = mkdtempSync(`${dir}.new-`);
  try {
    writePair(staging);
    try {
      // Replaces a missing or empty directory; fails on one another process filled.
      renameSync(staging, dir);
    } catch (error) {
      if (isCompletePair(dir)) return false;
      throw error;
    }
    return true;
  } finally {
    rmSync(staging, { recursive: true, force: true });
  }
}
