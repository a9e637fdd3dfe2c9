import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DEFAULT_SOCKET, parseDockerHost, resolveEndpoint } from './endpoint.js';

let home: string;

beforeEach(() => {
  home = mkdtempSync(join(tmpdir(), 'asylum-endpoint-'));
});

afterEach(() => {
  rmSync(home, { recursive: true, force: true });
});

const defaultSocket = { kind: 'unix', socketPath: DEFAULT_SOCKET, source: 'default socket' };

function configDir(): string {
  return join(home, '.docker');
}

function writeConfig(dir: string, content: string): void {
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'config.json'), content);
}

/** Lays a context out the way `docker context create` does. */
function writeContext(dir: string, name: string, docker: unknown, tls = false): void {
  const digest = createHash('sha256').update(name).digest('hex');
  const metaDir = join(dir, 'contexts', 'meta', digest);
  mkdirSync(metaDir, { recursive: true });
  const meta = { Name: name, Metadata: {}, Endpoints: { docker } };
  writeFileSync(join(metaDir, 'meta.json'), JSON.stringify(meta));
  if (tls) mkdirSync(join(dir, 'contexts', 'tls', digest, 'docker'), { recursive: true });
}

describe('DOCKER_HOST', () => {
  it('takes a unix socket', () => {
    const env = { DOCKER_HOST: 'unix:///run/user/1000/docker.sock' };
    expect(resolveEndpoint(env, home)).toEqual({
      kind: 'unix',
      socketPath: '/run/user/1000/docker.sock',
      source: 'DOCKER_HOST',
    });
  });

  it('reads a bare unix:// as the default socket', () => {
    expect(resolveEndpoint({ DOCKER_HOST: 'unix://' }, home)).toMatchObject({
      kind: 'unix',
      socketPath: DEFAULT_SOCKET,
    });
  });

  it('takes plain tcp, with or without a port', () => {
    const tcp = (host: string) => resolveEndpoint({ DOCKER_HOST: host }, home);
    expect(tcp('tcp://10.0.0.5:2375')).toEqual({
      kind: 'tcp',
      host: '10.0.0.5',
      port: 2375,
      source: 'DOCKER_HOST',
    });
    expect(tcp('tcp://docker.local')).toMatchObject({ host: 'docker.local', port: 2375 });
    expect(tcp('tcp://[::1]:2380')).toMatchObject({ kind: 'tcp', host: '::1', port: 2380 });
  });

  it('leaves tcp with DOCKER_TLS_VERIFY to the CLI', () => {
    const env = { DOCKER_HOST: 'tcp://10.0.0.5:2376', DOCKER_TLS_VERIFY: '1' };
    expect(resolveEndpoint(env, home)).toEqual({
      kind: 'cli-only',
      reason: 'TLS endpoints go through the docker CLI',
      source: 'DOCKER_HOST',
    });
  });

  it('leaves ssh, npipe, fd and unknown schemes to the CLI', () => {
    for (const host of [
      'ssh://me@box',
      'npipe:////./pipe/docker_engine',
      'fd://',
      'http://x:1',
      'tcp://h:1/prefix',
    ]) {
      const endpoint = resolveEndpoint({ DOCKER_HOST: host }, home);
      expect(endpoint.kind, host).toBe('cli-only');
      expect(endpoint.source).toBe('DOCKER_HOST');
    }
  });

  it('wins over DOCKER_CONTEXT and the config file', () => {
    writeConfig(configDir(), JSON.stringify({ currentContext: 'colima' }));
    writeContext(configDir(), 'colima', { Host: 'unix:///colima.sock' });
    const env = { DOCKER_HOST: 'unix:///host.sock', DOCKER_CONTEXT: 'colima' };
    expect(resolveEndpoint(env, home)).toMatchObject({ socketPath: '/host.sock' });
  });

  it('is ignored when empty', () => {
    expect(resolveEndpoint({ DOCKER_HOST: '' }, home)).toEqual(defaultSocket);
  });
});

describe('docker context', () => {
  it('follows DOCKER_CONTEXT into the sha256-named meta dir', () => {
    writeContext(configDir(), 'colima', { Host: 'unix:///Users/me/.colima/docker.sock' });
    expect(resolveEndpoint({ DOCKER_CONTEXT: 'colima' }, home)).toEqual({
      kind: 'unix',
      socketPath: '/Users/me/.colima/docker.sock',
      source: 'context colima',
    });
  });

  it('follows currentContext in config.json', () => {
    writeConfig(configDir(), JSON.stringify({ auths: {}, currentContext: 'remote' }));
    writeContext(configDir(), 'remote', { Host: 'tcp://build.box:2375', SkipTLSVerify: false });
    expect(resolveEndpoint({}, home)).toEqual({
      kind: 'tcp',
      host: 'build.box',
      port: 2375,
      source: 'context remote',
    });
  });

  it('prefers DOCKER_CONTEXT over currentContext', () => {
    writeConfig(configDir(), JSON.stringify({ currentContext: 'a' }));
    writeContext(configDir(), 'a', { Host: 'unix:///a.sock' });
    writeContext(configDir(), 'b', { Host: 'unix:///b.sock' });
    expect(resolveEndpoint({ DOCKER_CONTEXT: 'b' }, home)).toMatchObject({
      socketPath: '/b.sock',
    });
  });

  it('honours DOCKER_CONFIG', () => {
    const dir = join(home, 'elsewhere');
    writeConfig(dir, JSON.stringify({ currentContext: 'x' }));
    writeContext(dir, 'x', { Host: 'unix:///x.sock' });
    expect(resolveEndpoint({ DOCKER_CONFIG: dir }, home)).toMatchObject({
      socketPath: '/x.sock',
      source: 'context x',
    });
  });

  it('hashes names that are not path-safe', () => {
    writeContext(configDir(), 'team/prod: eu', { Host: 'unix:///eu.sock' });
    const endpoint = resolveEndpoint({ DOCKER_CONTEXT: 'team/prod: eu' }, home);
    expect(endpoint).toMatchObject({ socketPath: '/eu.sock', source: 'context team/prod: eu' });
  });

  it('leaves TLS contexts to the CLI', () => {
    writeContext(configDir(), 'skip', { Host: 'tcp://h:2376', SkipTLSVerify: true });
    writeContext(configDir(), 'certs', { Host: 'tcp://h:2376' }, true);
    for (const name of ['skip', 'certs']) {
      expect(resolveEndpoint({ DOCKER_CONTEXT: name }, home)).toEqual({
        kind: 'cli-only',
        reason: 'TLS endpoints go through the docker CLI',
        source: `context ${name}`,
      });
    }
  });

  it('leaves ssh contexts to the CLI', () => {
    writeContext(configDir(), 'far', { Host: 'ssh://me@far' });
    expect(resolveEndpoint({ DOCKER_CONTEXT: 'far' }, home)).toMatchObject({
      kind: 'cli-only',
      source: 'context far',
    });
  });

  it('treats the default context as the default socket', () => {
    writeConfig(configDir(), JSON.stringify({ currentContext: 'default' }));
    expect(resolveEndpoint({}, home)).toEqual(defaultSocket);
    expect(resolveEndpoint({ DOCKER_CONTEXT: 'default' }, home)).toEqual(defaultSocket);
  });
});

describe('fallback to the default socket', () => {
  it('applies with no config at all', () => {
    expect(resolveEndpoint({}, home)).toEqual(defaultSocket);
  });

  it('applies when config.json is garbled or oddly shaped', () => {
    for (const content of ['{not json', '[]', 'null', '{"currentContext": 42}', '']) {
      writeConfig(configDir(), content);
      expect(resolveEndpoint({}, home), content).toEqual(defaultSocket);
    }
  });

  it('applies when the context has no meta dir', () => {
    writeConfig(configDir(), JSON.stringify({ currentContext: 'gone' }));
    expect(resolveEndpoint({}, home)).toEqual(defaultSocket);
    expect(resolveEndpoint({ DOCKER_CONTEXT: 'gone' }, home)).toEqual(defaultSocket);
  });

  it('applies when meta.json is garbled or has no docker host', () => {
    const digest = createHash('sha256').update('bad').digest('hex');
    const metaDir = join(configDir(), 'contexts', 'meta', digest);
    mkdirSync(metaDir, { recursive: true });
    for (const content of [
      '{oops',
      '{}',
      '{"Endpoints": null}',
      '{"Endpoints": {"docker": {"Host": 7}}}',
      '{"Endpoints": {"docker": {"Host": ""}}}',
    ]) {
      writeFileSync(join(metaDir, 'meta.json'), content);
      expect(resolveEndpoint({ DOCKER_CONTEXT: 'bad' }, home), content).toEqual(defaultSocket);
    }
  });

  it('applies when config.json is a directory', () => {
    mkdirSync(join(configDir(), 'config.json'), { recursive: true });
    expect(resolveEndpoint({}, home)).toEqual(defaultSocket);
  });
});

describe('parseDockerHost', () => {
  it('only lets TLS matter for tcp', () => {
    expect(parseDockerHost('unix:///s', 'x', true)).toMatchObject({ kind: 'unix' });
    expect(parseDockerHost('tcp://h:1', 'x', true)).toMatchObject({ kind: 'cli-only' });
  });
});
