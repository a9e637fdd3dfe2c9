import { basename, join } from 'node:path';
import { type PackageWalk, walkPackageDirs } from '../host/project-walk.js';
import type { PlannedMount } from '../plan/container.js';
import { shadowVolumeName } from '../plan/naming.js';
import type { Kit, KitRuntime, KitRuntimeContext } from './types.js';

/** Staged list of mountpoints (NUL-separated) that init hands to the container user. */
export const CHOWN_LIST = 'chown-dirs';

/**
 * One volume over each package dir's node_modules: packages installed inside
 * (Linux binaries, native addons built for the container) never land in the
 * host's node_modules, and the host's never reach the container.
 */
export function shadowMounts(
  container: string,
  projectDir: string,
  packageDirs: readonly string[],
): PlannedMount[] {
  return packageDirs.map((dir) => {
    const relative = dir === '.' ? 'node_modules' : `${dir}/node_modules`;
    return {
      type: 'volume',
      source: shadowVolumeName(container, relative),
      target: join(projectDir, relative),
      readOnly: false,
      reason: `node_modules of ${dir === '.' ? 'the project' : dir}, kept apart from the host's`,
    };
  });
}

function warnAboutWalk(walk: PackageWalk, warn: (message: string) => void): void {
  if (walk.truncated) {
    warn(
      `shadow node_modules: stopped looking for package.json after ${walk.visited} entries; ` +
        'dirs beyond that use the host node_modules (set kits.node.shadow-node-modules: false ' +
        'to turn shadowing off)',
    );
  }
  if (walk.capped) warn(`shadow node_modules: only the first ${walk.dirs.length} dirs get one`);
  for (const dir of walk.unusual) {
    warn(`shadow node_modules: ${dir}/node_modules is not a directory; it is not shadowed`);
  }
  for (const dir of walk.oddNames) {
    warn(`shadow node_modules: ${JSON.stringify(dir)} has control characters; not shadowed`);
  }
}

function prepareNode(context: KitRuntimeContext): KitRuntime {
  // The list is always written, so a list from an earlier run cannot linger.
  if (context.options['shadow-node-modules'] === false)
    return { stagedFiles: { [CHOWN_LIST]: '' } };
  const walk = walkPackageDirs(context.projectDir);
  warnAboutWalk(walk, context.warn);
  const container = context.container ?? basename(context.projectDataDir);
  const mounts = shadowMounts(container, context.projectDir, walk.dirs);
  const list = mounts.map((mount) => `${mount.target}\0`).join('');
  return { mounts, stagedFiles: { [CHOWN_LIST]: list } };
}

/**
 * Node from Debian (trixie ships 20.19), with npm upgraded from the registry:
 * Debian's npm 9 installs every optional platform binary, which doubles the size
 * of agents such as Claude Code.
 */
export const nodeKit: Kit = {
  name: 'node',
  tier: 'always',
  summary: 'Node.js from Debian with a current npm; shadow node_modules volumes',
  order: 14,
  aptPackages: ['nodejs', 'npm'],
  dockerfile: () => [
    'RUN npm install -g --no-audit --no-fund npm@11 && npm cache clean --force \\',
    // npm 11 inherits Debian's builtin npmrc, whose globalignorefile it warns about.
    "    && sed -i '/globalignorefile/d' /usr/local/lib/node_modules/npm/npmrc \\",
    '    && rm -rf /root/.npm',
  ],
  prepare: prepareNode,
  userInstalls: {
    key: 'packages',
    noun: 'npm package',
    // As root into the global prefix (/usr/local), like the agents: every user finds them.
    lines: (names) => [
      `RUN npm install -g --no-audit --no-fund ${names.join(' ')} && npm cache clean --force`,
    ],
  },
};

export const npmKit: Kit = {
  name: 'node/npm',
  parent: 'node',
  tier: 'always',
  summary: 'npm cache volume; `npm ci` onboarding',
  order: 15,
  caches: [{ tool: 'npm', homePath: '.npm' }],
};

/** A package manager installed globally with npm, as a layer of its own. */
function npmGlobal(spec: string): string[] {
  return [
    `RUN npm install -g --no-audit --no-fund ${spec} && npm cache clean --force \\`,
    '    && rm -rf /root/.npm',
  ];
}

export const pnpmKit: Kit = {
  name: 'node/pnpm',
  parent: 'node',
  tier: 'default',
  summary: 'pnpm 10 from npm; pnpm store volume',
  order: 15,
  dockerfile: () => npmGlobal('pnpm@10'),
  // Its content-addressed store; node_modules gets copies (another volume, no hard links).
  caches: [{ tool: 'pnpm', homePath: '.local/share/pnpm' }],
};

export const yarnKit: Kit = {
  name: 'node/yarn',
  parent: 'node',
  tier: 'default',
  summary: 'yarn 1 (classic) from npm; yarn cache volume',
  order: 15,
  dockerfile: () => npmGlobal('yarn@1'),
  caches: [{ tool: 'yarn', homePath: '.cache/yarn' }],
};
