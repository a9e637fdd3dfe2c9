import { type Dirent, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

/**
 * A generated monorepo for the project-walk figure: `packages` directories
 * with a package.json (the root included), and `files` files in all, most of
 * them inside deep node_modules trees, as in a real JavaScript project.
 */
export interface TreeShape {
  files: number;
  packages: number;
}

export interface TreePlan {
  /** Relative paths of every file, package.json files included. */
  files: string[];
  /** Relative directories that hold a project package.json ('' is the root). */
  packageDirs: string[];
}

/** Shares of the files that are not package manifests of the project. */
const SOURCE_SHARE = 0.15;
const GIT_SHARE = 0.05;
const DIST_SHARE = 0.05;
/** One installed dependency: its manifest, code, and a chain of nested node_modules. */
const DEP_SLOTS = [
  'package.json',
  'index.js',
  'lib/a.js',
  'lib/b.js',
  'lib/c.d.ts',
  'README.md',
  'node_modules/inner/package.json',
  'node_modules/inner/index.js',
  'node_modules/inner/node_modules/deeper/package.json',
  'node_modules/inner/node_modules/deeper/node_modules/deepest/index.js',
];

function packageDir(index: number): string {
  if (index === 0) return '';
  const scope = `packages/scope-${index % 10}/pkg-${index}`;
  // Some packages live deeper, as workspaces inside workspaces do.
  return index % 7 === 0 ? `${scope}/nested/sub-${index}` : scope;
}

function spread(count: number, dirs: readonly string[], path: (dir: string, i: number) => string) {
  return Array.from({ length: count }, (_, i) => path(dirs[i % dirs.length]!, i));
}

/** The tree as a list of paths; deterministic, so every run walks the same tree. */
export function planTree(shape: TreeShape): TreePlan {
  const packageDirs = Array.from({ length: shape.packages }, (_, i) => packageDir(i));
  const rest = Math.max(0, shape.files - shape.packages);
  const sources = Math.floor(rest * SOURCE_SHARE);
  const git = Math.floor(rest * GIT_SHARE);
  const dist = Math.floor(rest * DIST_SHARE);
  const modules = rest - sources - git - dist;
  const at = (dir: string, name: string) => (dir === '' ? name : `${dir}/${name}`);
  // The root and every tenth package have their own node_modules.
  const moduleRoots = packageDirs.filter((_, i) => i % 10 === 0);
  const files = [
    ...packageDirs.map((dir) => at(dir, 'package.json')),
    ...spread(sources, packageDirs, (dir, i) => at(dir, `src/part-${i % 5}/file-${i}.ts`)),
    ...spread(git, [''], (_, i) => `.git/objects/${(i % 256).toString(16)}/obj-${i}`),
    ...spread(dist, packageDirs, (dir, i) => at(dir, `dist/out-${i}.js`)),
    ...spread(modules, moduleRoots, (dir, i) => {
      const dep = Math.floor(i / DEP_SLOTS.length);
      return at(dir, `node_modules/dep-${dep}/${DEP_SLOTS[i % DEP_SLOTS.length]}`);
    }),
  ];
  return { files, packageDirs };
}

/** Writes the planned files under `root` (small contents: the walk reads no file). */
export function writeTree(root: string, plan: TreePlan): void {
  const made = new Set<string>();
  for (const file of plan.files) {
    const path = join(root, file);
    const dir = dirname(path);
    if (!made.has(dir)) {
      mkdirSync(dir, { recursive: true });
      made.add(dir);
    }
    writeFileSync(path, file.endsWith('package.json') ? '{"name":"x"}\n' : '\n');
  }
}

/**
 * The baseline walk: the same listing, but into every directory. What a scan
 * that forgets to prune would cost on the same tree.
 */
export function walkEverything(root: string): number {
  let manifests = 0;
  const pending = [root];
  for (let dir = pending.pop(); dir !== undefined; dir = pending.pop()) {
    const entries: Dirent[] = readdirSync(dir, { withFileTypes: true });
    for (const entry of entries) {
      if (entry.isDirectory()) pending.push(join(dir, entry.name));
      else if (entry.name === 'package.json') manifests += 1;
    }
  }
  return manifests;
}
