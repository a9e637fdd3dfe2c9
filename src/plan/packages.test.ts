import { describe, expect, it } from 'vitest';
import { problemsOf } from '../../test/support/errors.js';
import { claudeAgent } from '../agents/claude.js';
import { loadLayerFromText } from '../config/load.js';
import { mergeLayers } from '../config/merge.js';
import type { ConfigLayer } from '../config/types.js';
import { javaFromToolVersions } from '../kits/java.js';
import { buildLines } from '../kits/shell.js';
import { buildFailureIn, failBuildWith } from '../kits/types.js';
import { type BaseImageInput, planBaseImage, planProjectImage } from './image.js';
import { selectRun } from './selection.js';

const HOME = '/home/dev';
const GLOBAL = `${HOME}/.asylum/config.yaml`;
const PROJECT = '/p/.asylum';

function layer(text: string, file: string): ConfigLayer {
  return loadLayerFromText(text, file, { home: HOME });
}

/** Base and project plans for a global and a project config, as a run makes them. */
function plans(globalText: string, projectText = '') {
  const layers = [layer(globalText, GLOBAL), layer(projectText, PROJECT)];
  const merged = mergeLayers(layers.map((l) => l.config));
  const selection = selectRun(layers, merged, {}, layers[0]!.config);
  const input: BaseImageInput = {
    baseImage: 'debian:trixie',
    kits: selection.baseKits,
    agents: [{ agent: claudeAgent, version: '2.1.332' }],
    identity: { uid: 1000, gid: 1000, username: 'dev', home: HOME },
    caBundle: undefined,
  };
  const base = planBaseImage(input);
  const project = planProjectImage(base, {
    dir: '/p',
    container: 'asylum-x-p',
    kits: selection.kits,
    baseKits: selection.baseKits,
  });
  return { base, project, projectLines: project.dockerfile.split('\n').slice(1, -1) };
}

describe('packages: base and project images', () => {
  it('puts global packages into the base and only the rest into the project image', () => {
    const { base, projectLines } = plans(
      'kits:\n  node:\n    packages: [turbo]\n',
      'kits:\n  node:\n    packages: [turbo, "@mermaid-js/mermaid-cli"]\n',
    );
    expect(base.dockerfile).toContain(
      'RUN npm install -g --no-audit --no-fund turbo && npm cache clean --force',
    );
    expect(projectLines).toEqual([
      'RUN npm install -g --no-audit --no-fund @mermaid-js/mermaid-cli && npm cache clean --force',
    ]);
  });

  it('gives a project-only kit all it needs: its context files, its group, its start steps', () => {
    const { base, project, projectLines } = plans('agent: claude\n', 'kits:\n  docker: {}\n');
    expect(base.dockerfile).not.toContain('docker.io');
    expect(Object.keys(project.files)).toContain('dind.sh');
    expect(projectLines).toContain(
      'RUN if [ -n "$USERNAME" ]; then usermod -aG docker "$USERNAME"; fi',
    );
    expect(project.buildArgs.USERNAME).toBe('dev');
    const python = plans(
      'kits:\n  python: {disabled: true}\n',
      'kits:\n  python: {disabled: false}\n',
    );
    expect(python.project.files['kit-start.sh']).toContain('asylum_python_venv');
    expect(python.projectLines).toContain('COPY kit-start.sh /usr/local/lib/asylum/kit-start');
  });

  it('installs Debian packages in a layer of their own, after the shared apt layer', () => {
    const { base, projectLines } = plans(
      'kits:\n  apt:\n    packages: [jq, htop, tree]\n',
      'kits:\n  apt:\n    packages: [tree, cowsay]\n',
    );
    const lines = base.dockerfile.split('\n');
    const own = lines.indexOf('    && apt-get install -y --no-install-recommends htop tree \\');
    expect(own).toBeGreaterThan(lines.indexOf('RUN apt-get update \\'));
    expect(projectLines).toEqual([
      'RUN apt-get update \\',
      '    && apt-get install -y --no-install-recommends cowsay \\',
      '    && rm -rf /var/lib/apt/lists/*',
    ]);
  });

  it('runs build commands as RUN lines in JSON form, so no text reaches other lines', () => {
    expect(buildLines(['echo "a b" \\', 'cat <<EOF'])).toEqual([
      'RUN ["/bin/sh", "-c", "echo \\"a b\\" \\\\"]',
      'RUN ["/bin/sh", "-c", "cat <<EOF"]',
    ]);
    const { projectLines } = plans('', 'kits:\n  shell:\n    build: ["make -C /opt x"]\n');
    expect(projectLines).toEqual(['RUN ["/bin/sh", "-c", "make -C /opt x"]']);
  });

  it('installs python packages one RUN each, explaining a failure with the index', () => {
    const { projectLines } = plans('', 'kits:\n  python:\n    packages: [black]\n');
    expect(projectLines.slice(0, 2)).toEqual(['ARG PIP_INDEX_URL', 'ARG PIP_EXTRA_INDEX_URL']);
    expect(projectLines[2]).toMatch(
      /^RUN PIPX_HOME=\/opt\/pipx .* pipx install --global black \|\| /,
    );
    expect(projectLines[2]).toContain(
      "printf '%s: %s\\n' asylum-error \"python package black could not be installed from " +
        'the package index',
    );
  });

  it('leaves the project image bare without project additions', () => {
    const { projectLines } = plans('kits:\n  node:\n    packages: [turbo]\n', '');
    expect(projectLines).toEqual([]);
  });

  it('puts a kit only the project turns on into the project image, with its cache dir', () => {
    const { base, projectLines } = plans('', 'kits:\n  java/gradle:\n');
    expect(base.dockerfile).not.toContain('gradle');
    expect(projectLines).toContain('    && apt-get install -y --no-install-recommends gradle \\');
    const owner = ['"$', '{USER_ID:-0}:$', '{GROUP_ID:-0}"'].join('');
    expect(projectLines.at(-1)).toBe(
      `RUN mkdir -p "$USER_HOME/.gradle" && chown ${owner} "$USER_HOME/.gradle"`,
    );
  });

  it('installs an extra JDK and selects it when the project picks another default', () => {
    const { base, projectLines } = plans('', 'kits:\n  java:\n    default-version: 25\n');
    expect(base.dockerfile).toContain('openjdk-21-jdk-headless');
    expect(base.dockerfile).not.toContain('openjdk-25');
    expect(projectLines[1]).toBe(
      '    && apt-get install -y --no-install-recommends openjdk-25-jdk-headless \\',
    );
    expect(projectLines).toContain(
      'RUN jdk="$(echo /usr/lib/jvm/java-25-openjdk-*)" && test -x "$jdk/bin/java" \\',
    );
    expect(projectLines.at(-1)).toBe('ENV JAVA_HOME=/usr/lib/jvm/asylum-default');
  });

  it('defaults to the first listed JDK when versions leaves 21 out', () => {
    const { base } = plans('kits:\n  java:\n    versions: [25]\n');
    expect(base.dockerfile).toContain('openjdk-25-jdk-headless');
    expect(base.dockerfile).not.toContain('openjdk-21');
    expect(base.dockerfile).toContain('RUN jdk="$(echo /usr/lib/jvm/java-25-openjdk-*)"');
  });

  it('changes the project hash with its inputs and with the base, not otherwise', () => {
    const a = plans('', 'kits:\n  apt:\n    packages: [tree]\n');
    const same = plans('', 'kits:\n  apt:\n    packages: [tree]\n');
    const other = plans('', 'kits:\n  apt:\n    packages: [tree, htop]\n');
    const newBase = plans(
      'kits:\n  node:\n    packages: [turbo]\n',
      'kits:\n  apt:\n    packages: [tree]\n',
    );
    expect(same.project.hash).toBe(a.project.hash);
    expect(same.base.hash).toBe(a.base.hash);
    expect(other.project.hash).not.toBe(a.project.hash);
    expect(other.base.hash).toBe(a.base.hash);
    expect(newBase.project.dockerfile.split('\n').slice(1)).toEqual(
      a.project.dockerfile.split('\n').slice(1),
    );
    expect(newBase.project.hash).not.toBe(a.project.hash);
    expect(newBase.project.labels['asylum.base']).toBe(newBase.base.hash);
    expect(a.project.tag).toBe(`asylum:proj-${a.project.hash.slice(0, 12)}`);
  });
});

describe('packages: validation before a Dockerfile is written', () => {
  it('rejects shell syntax and options in package names, with file:line:column', () => {
    const text = [
      'kits:',
      '  apt:',
      '    packages:',
      '      - jq',
      '      - "x && curl evil"',
      '      - -rf',
      '  node:',
      '    packages: ["@scope/pkg@1.2.3", "a;b"]',
    ].join('\n');
    expect(problemsOf(() => plans('', text))).toEqual([
      `${PROJECT}:5:9: kits.apt.packages.1: invalid Debian package name "x && curl evil": ` +
        'use letters, digits and + - . @ : / ~ _ = (no spaces or shell syntax)',
      `${PROJECT}:6:9: kits.apt.packages.2: invalid Debian package name "-rf": ` +
        'use letters, digits and + - . @ : / ~ _ = (no spaces or shell syntax)',
      `${PROJECT}:8:36: kits.node.packages.1: invalid npm package name "a;b": ` +
        'use letters, digits and + - . @ : / ~ _ = (no spaces or shell syntax)',
    ]);
  });

  it('rejects blank and multi-line build commands, and lists on kits that take none', () => {
    const text = [
      'kits:',
      '  shell:',
      '    build: ["  ", "a\\nb"]',
      '  java:',
      '    packages: [maven]',
    ].join('\n');
    expect(problemsOf(() => plans(text))).toEqual([
      `${GLOBAL}:3:13: kits.shell.build.0: a build command must not be blank`,
      `${GLOBAL}:3:19: kits.shell.build.1: build command "a\\nb" spans lines; ` +
        'write one command per entry',
      `${GLOBAL}:5:5: kits.java.packages: the java kit takes no packages; use kits.apt.packages ` +
        '(Debian), kits.node.packages (npm), kits.python.packages',
    ]);
  });

  it('accepts only JDK versions Debian trixie packages, as numbers', () => {
    const text =
      'kits:\n  java:\n    versions: [21, "11; rm -rf /", 17]\n    default-version: 8\n';
    expect(problemsOf(() => plans('', text))).toEqual([
      `${PROJECT}:3:20: kits.java.versions.1: invalid JDK version "11; rm -rf /": ` +
        'write a major version such as 21',
      `${PROJECT}:3:36: kits.java.versions.2: JDK 17 is not packaged by Debian trixie ` +
        '(available: 21, 25)',
      `${PROJECT}:4:5: kits.java.default-version: JDK 8 is not packaged by Debian trixie ` +
        '(available: 21, 25)',
    ]);
  });
});

describe('.tool-versions', () => {
  it('reads the first java line as a major version', () => {
    expect(javaFromToolVersions('nodejs 20.1.0\njava temurin-21.0.3+9\njava 25\n')).toEqual({
      line: 2,
      version: '21',
    });
    expect(javaFromToolVersions('java 25')).toEqual({ line: 1, version: '25' });
    expect(javaFromToolVersions('python 3.12\n')).toEqual({});
  });

  it('warns about versions Debian does not package instead of failing', () => {
    expect(javaFromToolVersions('java 17.0.2\n')).toEqual({
      line: 1,
      warning: 'JDK 17 is not packaged by Debian trixie (available: 21, 25)',
    });
    expect(javaFromToolVersions('java latest\n').warning).toBe(
      'cannot read a JDK version from "latest"',
    );
  });
});

describe('build failures that explain themselves', () => {
  it('finds the printed explanation, never the echoed command', () => {
    const command = `RUN pipx install x || ${failBuildWith('python package x failed')}`;
    expect(buildFailureIn(command)).toBeUndefined();
    expect(buildFailureIn('#9 2.31 asylum-error: python package x failed')).toBe(
      'python package x failed',
    );
    expect(buildFailureIn('asylum-error: plain builder')).toBe('plain builder');
  });
});
