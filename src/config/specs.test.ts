import { describe, expect, test } from 'vitest';
import {
  parseEnvAssignment,
  parsePortSpec,
  parseVolumeSpec,
  validateEnvName,
  validateEnvValue,
} from './specs.js';

const HOME = '/home/dev';

describe('parsePortSpec', () => {
  test.each([
    ['3000', { host: 3000, container: 3000 }],
    ['8080:80', { host: 8080, container: 80 }],
    ['1:65535', { host: 1, container: 65535 }],
    ['53/udp', { host: 53, container: 53, protocol: 'udp' }],
    ['8080:80/tcp', { host: 8080, container: 80, protocol: 'tcp' }],
    ['127.0.0.1:8080:80', { host: 8080, container: 80, bind: '127.0.0.1' }],
    ['0.0.0.0:8080:80/udp', { host: 8080, container: 80, bind: '0.0.0.0', protocol: 'udp' }],
    ['[::1]:8080:80', { host: 8080, container: 80, bind: '::1' }],
  ])('%s', (spec, expected) => {
    expect(parsePortSpec(spec)).toEqual(expected);
  });

  test.each([
    ['', 'empty port specification'],
    ['   ', 'empty port specification'],
    ['abc', 'invalid port "abc": "abc" is not a port number'],
    ['0', 'invalid port "0": 0 must be between 1 and 65535'],
    ['70000', 'invalid port "70000": 70000 must be between 1 and 65535'],
    ['8080:0', 'invalid port "8080:0": 0 must be between 1 and 65535'],
    ['-1', 'invalid port "-1": "-1" is not a port number'],
    ['30.5', 'invalid port "30.5": "30.5" is not a port number'],
    ['8000-8010', 'invalid port "8000-8010": "8000-8010" is not a port number'],
    [':80', 'invalid port mapping ":80": a port number is empty'],
    ['80:', 'invalid port mapping "80:": a port number is empty'],
    ['80/sctp', 'invalid port "80/sctp": unknown protocol "sctp" (use tcp or udp)'],
    ['[nope]:1:2', 'invalid port "[nope]:1:2": "nope" is not an IPv6 address'],
  ])('rejects %j', (spec, message) => {
    expect(() => parsePortSpec(spec)).toThrow(new Error(message));
  });

  test('three numeric parts need an IP address first', () => {
    expect(() => parsePortSpec('80:80:80')).toThrow(
      'invalid port mapping "80:80:80": "80" is not an IP address',
    );
    expect(() => parsePortSpec('1:2:3:4')).toThrow('too many ":" separators');
    expect(() => parsePortSpec('127.0.0.1:80')).toThrow('"127.0.0.1" is not a port number');
    expect(() => parsePortSpec('127.0.0.1::80')).toThrow('a port number is empty');
  });
});

describe('parseVolumeSpec', () => {
  const volume = (host: string, container: string, readOnly = false, options: string[] = []) => ({
    host,
    container,
    readOnly,
    options,
  });

  test.each([
    ['/data', volume('/data', '/data')],
    ['/data:ro', volume('/data', '/data', true)],
    ['/a:/b', volume('/a', '/b')],
    ['/a:/b:ro', volume('/a', '/b', true)],
    ['/a:/b:rw', volume('/a', '/b')],
    ['/a:/b:ro,Z', volume('/a', '/b', true, ['Z'])],
    ['/a:/b:ro:z:cached', volume('/a', '/b', true, ['z', 'cached'])],
    ['/a:/b:ro,ro', volume('/a', '/b', true)],
    ['~', volume(HOME, HOME)],
    [
      '~/.m2/settings.xml:ro',
      volume(`${HOME}/.m2/settings.xml`, `${HOME}/.m2/settings.xml`, true),
    ],
    ['/x:~/y', volume('/x', `${HOME}/y`)],
    ['/srv:/home/claude/srv', volume('/srv', `${HOME}/srv`)],
    ['/my dir/it\'s, "quoted"/é:/d', volume('/my dir/it\'s, "quoted"/é', '/d')],
  ])('%s', (spec, expected) => {
    expect(parseVolumeSpec(spec, HOME)).toEqual(expected);
  });

  test('a home with a trailing slash does not double the slash', () => {
    expect(parseVolumeSpec('~/x', '/home/dev/').host).toBe('/home/dev/x');
  });

  test.each([
    ['', 'empty volume specification'],
    ['rel/path:/x', 'invalid volume "rel/path:/x": host path must be absolute (or start with ~)'],
    ['data', 'invalid volume "data": host path must be absolute (or start with ~)'],
    ['~other/x:/x', 'host path must be absolute (or start with ~)'],
    ['/a:b', 'invalid volume "/a:b": container path must be absolute'],
    [':/data', 'invalid volume ":/data": empty host path'],
    ['/data:', 'invalid volume "/data:": empty container path'],
    ['/a:/b:', 'invalid volume "/a:/b:": empty mount option'],
    ['/a:/', "cannot mount over the container's /"],
    ['/a:/b:ro,rw', 'conflicting mount options "ro" and "rw" in volume "/a:/b:ro,rw"'],
    ['/a:/b:z:Z', 'conflicting mount options "z" and "Z"'],
    ['/a\0:/b', 'contains a NUL byte'],
  ])('rejects %j', (spec, message) => {
    expect(() => parseVolumeSpec(spec, HOME)).toThrow(message);
  });

  test('an unknown option is named', () => {
    expect(() => parseVolumeSpec('/a:/b:ro,readonly', HOME)).toThrow(
      /^invalid mount option "readonly" in volume "\/a:\/b:ro,readonly" \(allowed: ro, rw, /,
    );
  });
});

describe('env', () => {
  test.each([
    ['KEY=VALUE', { key: 'KEY', value: 'VALUE' }],
    ['_k1=a=b', { key: '_k1', value: 'a=b' }],
    ['EMPTY=', { key: 'EMPTY', value: '' }],
    ['UNICODE=ünï code', { key: 'UNICODE', value: 'ünï code' }],
  ])('%s', (assignment, expected) => {
    expect(parseEnvAssignment(assignment)).toEqual(expected);
  });

  test.each([
    ['KEY', 'invalid env assignment "KEY": expected KEY=VALUE'],
    ['=x', 'invalid env assignment "=x": the name before = is empty'],
    ['1KEY=x', 'invalid env var name "1KEY": use letters, digits and _'],
    ['MY-KEY=x', 'invalid env var name "MY-KEY"'],
    ['K=a\nb', 'env var "K" contains a newline, which the engine cannot pass'],
    // They would steer the container's supervisor (ASYLUM_IDLE_TICKS keeps it alive).
    ['ASYLUM_IDLE_TICKS=100000', 'env var "ASYLUM_IDLE_TICKS" is reserved'],
    ['ASYLUM=0', 'env var "ASYLUM" is reserved'],
  ])('rejects %j', (assignment, message) => {
    expect(() => parseEnvAssignment(assignment)).toThrow(message);
  });

  test('values with CR, LF or NUL are rejected', () => {
    expect(() => validateEnvValue('K', 'a\r')).toThrow('env var "K" contains a newline');
    expect(() => validateEnvValue('K', 'a\0')).toThrow('env var "K" contains a NUL byte');
    expect(() => validateEnvValue('K', 'tab\tok')).not.toThrow();
    expect(() => validateEnvName('ok_1')).not.toThrow();
  });
});
