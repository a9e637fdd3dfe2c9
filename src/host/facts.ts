import { existsSync, readFileSync } from 'node:fs';
import { homedir, userInfo } from 'node:os';
import { isAbsolute } from 'node:path';
import { UserError } from '../errors.js';

/** Everything about the host that shapes the image and the container plan. */
export interface HostFacts {
  uid: number;
  gid: number;
  username: string;
  home: string;
  platform: NodeJS.Platform;
  /** PEM text of the CA bundle to trust inside images and containers, if any. */
  caBundle: string | undefined;
  caBundlePath: string | undefined;
  /** HTTP(S)_PROXY / NO_PROXY values to pass through (both spellings). */
  proxyEnv: Record<string, string>;
  /** Whether stdin/stdout are terminals. */
  stdinIsTty: boolean;
  stdoutIsTty: boolean;
}

const PROXY_KEYS = ['HTTP_PROXY', 'HTTPS_PROXY', 'NO_PROXY', 'ALL_PROXY'];

/** Where a host keeps the bundle of CAs it trusts; the first readable one wins. */
function findCaBundle(env: NodeJS.ProcessEnv): string | undefined {
  const candidates = [
    env.ASYLUM_CA_BUNDLE,
    env.NODE_EXTRA_CA_CERTS,
    env.SSL_CERT_FILE,
    '/etc/ssl/certs/ca-certificates.crt',
    '/etc/pki/tls/certs/ca-bundle.crt',
  ];
  return candidates.find((path) => path !== undefined && path !== '' && existsSync(path));
}

export function collectProxyEnv(env: NodeJS.ProcessEnv): Record<string, string> {
  const result: Record<string, string> = {};
  for (const key of PROXY_KEYS) {
    const value = env[key] ?? env[key.toLowerCase()];
    if (value === undefined || value === '') continue;
    result[key] = value;
    result[key.toLowerCase()] = value;
  }
  return result;
}

function safeUsername(uid: number): string {
  try {
    const name = userInfo().username;
    if (/^[a-z_][a-z0-9_-]*$/i.test(name)) return name;
  } catch {
    // No passwd entry (e.g. an arbitrary uid in CI): fall through to a neutral name.
  }
  return uid === 0 ? 'root' : 'asylum';
}

/** asylum keeps its state under HOME and bakes it into images: it must be a real directory. */
function checkedHome(env: NodeJS.ProcessEnv): string {
  const home = env.HOME && env.HOME !== '' ? env.HOME : homedir();
  if (!isAbsolute(home)) {
    throw new UserError(`HOME must be an absolute path, not ${JSON.stringify(home)}`);
  }
  if (!existsSync(home)) throw new UserError(`HOME (${home}) does not exist`);
  return home;
}

export function readHostFacts(env: NodeJS.ProcessEnv = process.env): HostFacts {
  const uid = process.getuid?.() ?? 1000;
  const gid = process.getgid?.() ?? 1000;
  const caBundlePath = findCaBundle(env);
  return {
    uid,
    gid,
    username: safeUsername(uid),
    home: checkedHome(env),
    platform: process.platform,
    caBundlePath,
    caBundle: caBundlePath ? readFileSync(caBundlePath, 'utf8') : undefined,
    proxyEnv: collectProxyEnv(env),
    stdinIsTty: Boolean(process.stdin.isTTY),
    stdoutIsTty: Boolean(process.stdout.isTTY),
  };
}
