import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { findDebianMirrors } from './apt-sources.js';

function fakeRoot(files: Record<string, string>): string {
  const root = mkdtempSync(join(tmpdir(), 'apt-'));
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(join(root, path, '..'), { recursive: true });
    writeFileSync(join(root, path), text);
  }
  return root;
}

describe('findDebianMirrors', () => {
  it('reads deb822 sources with a security stanza', () => {
    const root = fakeRoot({
      'etc/apt/sources.list.d/debian.sources': [
        'Types: deb',
        'URIs: http://mirror.example/debian',
        'Suites: bookworm bookworm-updates',
        'Components: main',
        '',
        'Types: deb',
        'URIs: http://mirror.example/debian-security',
        'Suites: bookworm-security',
        'Components: main',
      ].join('\n'),
      'etc/apt/sources.list.d/other.list': 'deb https://vendor.example/apt stable-x main\n',
    });
    expect(findDebianMirrors({}, root)).toEqual({
      main: 'http://mirror.example/debian',
      security: 'http://mirror.example/debian-security',
    });
  });

  it('reads the one-line format and ignores comments and deb-src', () => {
    const root = fakeRoot({
      'etc/apt/sources.list':
        '# deb http://old/ x main\ndeb-src http://src/ trixie main\n' +
        'deb [arch=amd64] http://m.example/debian trixie main\n',
    });
    expect(findDebianMirrors({}, root)).toEqual({
      main: 'http://m.example/debian',
      security: undefined,
    });
  });

  it('returns undefined without any Debian entry, and honours the override', () => {
    const root = fakeRoot({ 'etc/apt/sources.list.d/x.list': 'deb http://v/ nodistro main\n' });
    expect(findDebianMirrors({}, root)).toBeUndefined();
    expect(findDebianMirrors({ ASYLUM_DEBIAN_MIRROR: 'http://o/d' }, root)?.main).toBe(
      'http://o/d',
    );
  });
});
