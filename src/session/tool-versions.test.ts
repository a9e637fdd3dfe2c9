import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createLayer, loadLayerFromText } from '../config/load.js';
import { mergeLayers } from '../config/merge.js';
import { toolVersionsLayer, withToolVersions } from './tool-versions.js';

const GLOBAL = '/home/dev/.asylum/config.yaml';
const dirs: string[] = [];

afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function projectWith(toolVersions: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'asylum-tv-'));
  dirs.push(dir);
  writeFileSync(join(dir, '.tool-versions'), toolVersions);
  return dir;
}

/** The merged default JDK for a global and a project file, as a run layers them. */
function defaultJdk(dir: string, globalText: string, projectText: string, cli?: string) {
  const files = [
    loadLayerFromText(globalText, GLOBAL),
    loadLayerFromText(projectText, join(dir, '.asylum')),
  ];
  const layers = withToolVersions(files, GLOBAL, toolVersionsLayer(dir));
  if (cli)
    layers.push(createLayer('command line', { kits: { java: { 'default-version': cli } } }));
  return mergeLayers(layers.map((layer) => layer.config)).kits?.java?.['default-version'];
}

describe('.tool-versions as a config layer', () => {
  it('sits above the global file and below the project files and flags', () => {
    const dir = projectWith('java 25\n');
    expect(defaultJdk(dir, '', '')).toBe('25');
    expect(defaultJdk(dir, 'kits:\n  java:\n    default-version: 21\n', '')).toBe('25');
    expect(defaultJdk(dir, '', 'kits:\n  java:\n    default-version: 21\n')).toBe('21');
    expect(defaultJdk(dir, '', '', '21')).toBe('21');
  });

  it('adds nothing without a usable java line', () => {
    expect(toolVersionsLayer(projectWith('nodejs 20\n'))).toBeUndefined();
    expect(toolVersionsLayer(projectWith('java 17\n'))).toBeUndefined();
    expect(toolVersionsLayer(join(tmpdir(), 'asylum-no-such-project'))).toBeUndefined();
  });
});
