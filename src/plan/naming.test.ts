import { describe, expect, it } from 'vitest';
import { containerName, hostName, sanitizeProjectName, shadowVolumeName } from './naming.js';

describe('naming vectors (upstream spec §13)', () => {
  it('derives name and hostname from the project path', () => {
    expect(containerName('/home/user/projectA')).toBe('asylum-c63168b3a4de-projecta');
    expect(hostName('/home/user/projectA')).toBe('asylum-projecta');
  });

  it('sanitises special characters and falls back to "project"', () => {
    expect(sanitizeProjectName('/x/My_Project!')).toBe('my-project');
    expect(sanitizeProjectName('/x/___')).toBe('project');
    expect(sanitizeProjectName('/')).toBe('project');
  });

  it('truncates long names without leaving a trailing dash', () => {
    expect(hostName(`/x/${'b'.repeat(63)}`)).toBe(`asylum-${'b'.repeat(56)}`);
    expect(hostName(`/x/${'a'.repeat(55)}-extra`)).toBe(`asylum-${'a'.repeat(55)}`);
  });

  it('keeps hostnames within 63 bytes for any input', () => {
    for (const name of ['ü'.repeat(80), 'a b,c:d"e', 'x'.repeat(300)]) {
      const host = hostName(`/p/${name}`);
      expect(host.length).toBeLessThanOrEqual(63);
      expect(host).toMatch(/^[a-z0-9-]+[a-z0-9]$/);
    }
  });
});

describe('shadow node_modules volume names (upstream spec §13, vector 26)', () => {
  it('hashes the node_modules path relative to the project', () => {
    expect(shadowVolumeName('C', 'node_modules')).toBe('C-npm-dba27c31aad');
    expect(shadowVolumeName('C', 'packages/web/node_modules')).toBe('C-npm-093be456e0e');
  });
});
