import { spawnSync } from 'node:child_process';
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';

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
  return `-----BEGIN OPENSSH PRIVATE KEY-----\n${lines.join('\n')}\n-----END OPENSSH PRIVATE KEY-----\n`;
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

/**
 * Makes sure `<dir>/id_ed25519(.pub)` exist, generating a pair with ssh-keygen
 * when the host has it, else in-process. Returns true when a key was created.
 */
export function ensureEd25519Key(dir: string): boolean {
  const key = join(dir, 'id_ed25519');
  if (existsSync(key)) return false;
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const comment = `asylum@${hostname()}`;
  const keygen = spawnSync(
    'ssh-keygen',
    ['-q', '-t', 'ed25519', '-N', '', '-C', comment, '-f', key],
    {
      stdio: 'ignore',
    },
  );
  if (keygen.status !== 0 || !existsSync(key)) {
    const pair = openSshEd25519(comment);
    writeFileSync(key, pair.privateKey, { mode: 0o600 });
    writeFileSync(`${key}.pub`, pair.publicKey, { mode: 0o644 });
  }
  chmodSync(key, 0o600);
  return true;
}
