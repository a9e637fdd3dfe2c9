/**
 * Parsers for the small string languages used in config files and flags:
 * port mappings (`-p`, `ports:`), volume shorthand (`-v`, `volumes:`) and
 * env assignments (`-e`, `env:`).
 *
 * They are pure and throw a plain `Error` whose message names the offending
 * text; the caller knows whether that text came from a file (and where) or
 * from a flag, and adds that context. User text is always shown through
 * `quote` so a stray newline cannot split an error over several lines.
 */
import { isIPv4, isIPv6 } from 'node:net';

/** JSON quoting escapes control characters, keeping every message on one line. */
function quote(text: string): string {
  return JSON.stringify(text);
}

/** Callers are typed, but specs also arrive from YAML; fail clearly, not with a TypeError. */
function requireString(value: unknown, what: string): string {
  if (typeof value !== 'string') throw new Error(`${what} must be a string`);
  return value;
}

// ---------------------------------------------------------------------------
// Ports

export type PortProtocol = 'tcp' | 'udp';

export interface PortSpec {
  host: number;
  container: number;
  /** Host address to bind; absent means every interface (the engine's default). */
  bind?: string;
  /** Present only when the spec names one; the engine defaults to tcp. */
  protocol?: PortProtocol;
}

const PORT_FORMS =
  'expected PORT, HOST:CONTAINER or IP:HOST:CONTAINER, optionally with /tcp or /udp';

/**
 * Parse `3000`, `8080:80`, `127.0.0.1:8080:80` or `[::1]:8080:80`, each with an
 * optional `/tcp` or `/udp` suffix. Ranges (`8000-8010`) and an empty host
 * port (`127.0.0.1::80`) are not supported: asylum publishes fixed ports only.
 */
export function parsePortSpec(spec: string): PortSpec {
  requireString(spec, 'a port specification');
  if (spec.trim() === '') throw new Error('empty port specification');
  const { body, protocol } = splitProtocol(spec);
  const { bind, ports } = splitBindAddress(body, spec);
  const [hostText, containerText = hostText] = ports;
  const host = parsePortNumber(hostText!, spec);
  const container = parsePortNumber(containerText!, spec);
  return {
    host,
    container,
    ...(bind === undefined ? {} : { bind }),
    ...(protocol === undefined ? {} : { protocol }),
  };
}

function splitProtocol(spec: string): { body: string; protocol?: PortProtocol } {
  const slash = spec.lastIndexOf('/');
  if (slash < 0) return { body: spec };
  const suffix = spec.slice(slash + 1);
  if (suffix !== 'tcp' && suffix !== 'udp') {
    throw new Error(
      `invalid port ${quote(spec)}: unknown protocol ${quote(suffix)} (use tcp or udp)`,
    );
  }
  return { body: spec.slice(0, slash), protocol: suffix };
}

/** Separate an optional leading bind address; what remains is one or two port numbers. */
function splitBindAddress(body: string, spec: string): { bind?: string; ports: string[] } {
  // IPv6 addresses contain colons, so they must be bracketed to be split safely.
  const bracketed = /^\[([^\]]*)\]:(.*)$/.exec(body);
  if (bracketed) {
    const [, address, rest] = bracketed;
    if (!isIPv6(address!)) {
      throw new Error(`invalid port ${quote(spec)}: ${quote(address!)} is not an IPv6 address`);
    }
    return { bind: address!, ports: requireMapping(rest!.split(':'), spec) };
  }
  const parts = body.split(':');
  if (parts.length <= 2) return { ports: parts };
  if (parts.length > 3 || !isIPv4(parts[0]!)) {
    const first =
      parts.length > 3 ? 'too many ":" separators' : `${quote(parts[0]!)} is not an IP address`;
    throw new Error(`invalid port mapping ${quote(spec)}: ${first} (${PORT_FORMS})`);
  }
  return { bind: parts[0]!, ports: requireMapping(parts.slice(1), spec) };
}

/** With a bind address both ports must be given: the engine would otherwise pick one. */
function requireMapping(ports: string[], spec: string): string[] {
  if (ports.length !== 2) {
    throw new Error(`invalid port mapping ${quote(spec)}: ${PORT_FORMS}`);
  }
  return ports;
}

function parsePortNumber(text: string, spec: string): number {
  if (text === '') throw new Error(`invalid port mapping ${quote(spec)}: a port number is empty`);
  if (!/^[0-9]+$/.test(text)) {
    throw new Error(`invalid port ${quote(spec)}: ${quote(text)} is not a port number`);
  }
  const port = Number(text);
  if (port < 1 || port > 65535) {
    throw new Error(`invalid port ${quote(spec)}: ${text} must be between 1 and 65535`);
  }
  return port;
}

// ---------------------------------------------------------------------------
// Volumes

export interface VolumeSpec {
  /** Absolute host path, with `~` expanded. */
  host: string;
  /** Absolute container path, with `~` expanded (the image uses the same home). */
  container: string;
  readOnly: boolean;
  /** Every other mount option, in the order written; `ro`/`rw` live in `readOnly`. */
  options: string[];
}

/**
 * Options that may follow the container path. Options in the same group
 * contradict each other, so at most one per group is accepted.
 */
const MOUNT_OPTION_GROUPS: Record<string, readonly string[]> = {
  access: ['ro', 'rw'],
  selinux: ['z', 'Z'],
  propagation: ['shared', 'slave', 'private', 'rshared', 'rslave', 'rprivate'],
  copy: ['nocopy'],
  consistency: ['consistent', 'cached', 'delegated'],
};

export const MOUNT_OPTIONS: readonly string[] = Object.values(MOUNT_OPTION_GROUPS).flat();

/**
 * Parse the `-v` shorthand: `PATH`, `PATH:OPTIONS`, `HOST:CONTAINER` or
 * `HOST:CONTAINER:OPTIONS`, where OPTIONS is one or more mount options joined
 * by `,` (docker's spelling) or `:` (asylum v1's spelling).
 *
 * `~` and `~/…` expand to `home` on both sides, as does the legacy prefix
 * `/home/claude`, because the image's user has the same home as the host user.
 *
 * LIMITATION: the shorthand is split on every `:`, so a path that contains a
 * colon cannot be expressed. Spaces, commas, quotes and non-ASCII characters
 * are fine: nothing else is special.
 */
export function parseVolumeSpec(spec: string, home: string): VolumeSpec {
  requireString(spec, 'a volume specification');
  if (spec.trim() === '') throw new Error('empty volume specification');
  if (spec.includes('\0')) throw new Error(`invalid volume ${quote(spec)}: contains a NUL byte`);
  const { hostText, containerText, optionText } = splitVolume(spec);
  if (hostText === '') throw new Error(`invalid volume ${quote(spec)}: empty host path`);
  if (containerText === '') throw new Error(`invalid volume ${quote(spec)}: empty container path`);

  const host = expandHome(hostText, home);
  if (!host.startsWith('/')) {
    throw new Error(`invalid volume ${quote(spec)}: host path must be absolute (or start with ~)`);
  }
  const container = expandHome(containerText, home);
  if (!container.startsWith('/')) {
    throw new Error(`invalid volume ${quote(spec)}: container path must be absolute`);
  }
  if (/^\/+$/.test(container)) {
    throw new Error(`invalid volume ${quote(spec)}: cannot mount over the container's /`);
  }

  const options = parseMountOptions(optionText, spec);
  return {
    host,
    container,
    readOnly: options.includes('ro'),
    options: options.filter((option) => option !== 'ro' && option !== 'rw'),
  };
}

function splitVolume(spec: string): {
  hostText: string;
  containerText: string;
  optionText: string[];
} {
  const [first, second, ...rest] = spec.split(':') as [string, ...string[]];
  if (second === undefined) return { hostText: first, containerText: first, optionText: [] };
  // `/data:ro` mounts /data at the same path; anything else in second place is a path.
  if (rest.length === 0 && second !== '' && isOptionList(second)) {
    return { hostText: first, containerText: first, optionText: [second] };
  }
  return { hostText: first, containerText: second, optionText: rest };
}

function isOptionList(text: string): boolean {
  return text.split(',').every((option) => MOUNT_OPTIONS.includes(option));
}

function expandHome(path: string, home: string): string {
  const base = home.replace(/\/+$/, '');
  if (path === '~') return home;
  if (path.startsWith('~/')) return base + path.slice(1);
  // asylum v1 hard-coded the container user's home as /home/claude.
  if (path === '/home/claude') return home;
  if (path.startsWith('/home/claude/')) return base + path.slice('/home/claude'.length);
  return path;
}

/** Check each option and each group; returns the options once each, in written order. */
function parseMountOptions(parts: string[], spec: string): string[] {
  const options = parts.flatMap((part) => part.split(','));
  const chosen = new Map<string, string>();
  for (const option of options) {
    if (option === '') throw new Error(`invalid volume ${quote(spec)}: empty mount option`);
    const group = groupOf(option);
    if (group === undefined) {
      throw new Error(
        `invalid mount option ${quote(option)} in volume ${quote(spec)}` +
          ` (allowed: ${MOUNT_OPTIONS.join(', ')})`,
      );
    }
    const previous = chosen.get(group);
    if (previous !== undefined && previous !== option) {
      const pair = `${quote(previous)} and ${quote(option)}`;
      throw new Error(`conflicting mount options ${pair} in volume ${quote(spec)}`);
    }
    chosen.set(group, option);
  }
  return [...new Set(options)];
}

function groupOf(option: string): string | undefined {
  const entry = Object.entries(MOUNT_OPTION_GROUPS).find(([, group]) => group.includes(option));
  return entry?.[0];
}

// ---------------------------------------------------------------------------
// Environment variables

const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

export function isValidEnvName(name: string): boolean {
  return ENV_NAME.test(name);
}

/** Names are limited to the portable shell spelling so every agent's shell can read them. */
export function validateEnvName(name: string): void {
  requireString(name, 'an env var name');
  if (!ENV_NAME.test(name)) {
    throw new Error(
      `invalid env var name ${quote(name)}: use letters, digits and _, not starting with a digit`,
    );
  }
  // They steer the container's supervisor (how long it outlives sessions, who owns what).
  if (isReservedEnvName(name)) {
    throw new Error(`env var ${quote(name)} is reserved: asylum sets ASYLUM* itself`);
  }
}

export function isReservedEnvName(name: string): boolean {
  return name === 'ASYLUM' || name.startsWith('ASYLUM_');
}

/**
 * Values travel through `docker run -e`, an argv entry: a newline cannot be
 * passed reliably and a NUL byte cannot be passed at all.
 */
export function validateEnvValue(key: string, value: string): void {
  requireString(value, `env var ${quote(String(key))}`);
  if (/[\r\n]/.test(value)) {
    throw new Error(`env var ${quote(key)} contains a newline, which the engine cannot pass`);
  }
  if (value.includes('\0')) {
    throw new Error(`env var ${quote(key)} contains a NUL byte, which the engine cannot pass`);
  }
}

/** Parse `-e KEY=VALUE`; the value is everything after the first `=` and may be empty. */
export function parseEnvAssignment(assignment: string): { key: string; value: string } {
  requireString(assignment, 'an env assignment');
  const equals = assignment.indexOf('=');
  if (equals < 0) {
    throw new Error(`invalid env assignment ${quote(assignment)}: expected KEY=VALUE`);
  }
  const key = assignment.slice(0, equals);
  const value = assignment.slice(equals + 1);
  if (key === '') {
    throw new Error(`invalid env assignment ${quote(assignment)}: the name before = is empty`);
  }
  validateEnvName(key);
  validateEnvValue(key, value);
  return { key, value };
}

// ---------------------------------------------------------------------------
// Packages and build commands (they end up in a generated Dockerfile)

/**
 * A package name, optionally with a version or a scope: `jq`, `g++`,
 * `libfoo1:amd64`, `@scope/pkg@1.2`, `black==24.1`. No spaces, quotes or shell
 * operators, and no leading `-` (an option to the installer).
 */
const PACKAGE_NAME = /^[A-Za-z0-9@][A-Za-z0-9+\-.@:/~_=]*$/;

export function validatePackageName(noun: string, name: string): void {
  requireString(name, `a ${noun} name`);
  if (!PACKAGE_NAME.test(name)) {
    throw new Error(
      `invalid ${noun} name ${quote(name)}: use letters, digits and + - . @ : / ~ _ = ` +
        '(no spaces or shell syntax)',
    );
  }
}

/** A `build:` entry becomes one `RUN` line: it must say something, on one line. */
export function validateBuildCommand(command: string): void {
  requireString(command, 'a build command');
  if (command.trim() === '') throw new Error('a build command must not be blank');
  if (/[\r\n]/.test(command)) {
    throw new Error(`build command ${quote(command)} spans lines; write one command per entry`);
  }
}
