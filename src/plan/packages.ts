/**
 * What kits and users add to an image beyond the shared apt layer: packages
 * (`packages:`), build commands (`build:`), and everything a project's own
 * files ask for on top of the base image. Pure: kits and options in,
 * Dockerfile lines out.
 */
import type { KitOptions } from '../config/types.js';
import type { Kit } from '../kits/types.js';

/** Kits with the options they were selected with (global, or merged). */
export type KitsWithOptions = readonly { kit: Kit; options: KitOptions }[];

/** The items a kit's `packages:` (or `build:`) asks it to install, without repeats. */
function userItems(kit: Kit, options: KitOptions): string[] {
  const key = kit.userInstalls?.key;
  return key === undefined ? [] : [...new Set(options[key] ?? [])];
}

/** Debian packages the kits need: their own, option-dependent ones, and `apt` packages. */
export function kitAptPackages(kits: KitsWithOptions, withUserPackages: boolean): Set<string> {
  const packages = new Set<string>();
  for (const { kit, options } of kits) {
    for (const name of kit.aptPackages ?? []) packages.add(name);
    for (const name of kit.aptPackagesFor?.(options) ?? []) packages.add(name);
    if (withUserPackages && kit.userInstalls?.apt) {
      for (const name of userItems(kit, options)) packages.add(name);
    }
  }
  return packages;
}

/** One apt RUN that leaves no package lists behind. */
function aptInstallLines(packages: Iterable<string>): string[] {
  const sorted = [...packages].sort();
  if (sorted.length === 0) return [];
  return [
    'RUN apt-get update \\',
    `    && apt-get install -y --no-install-recommends ${sorted.join(' ')} \\`,
    '    && rm -rf /var/lib/apt/lists/*',
  ];
}

/**
 * Lines for the non-Debian items users listed (`packages:`, `build:`), in kit
 * order, leaving out those the kits in `skip` (the base's) already installed.
 */
export function userInstallLines(kits: KitsWithOptions, skip: KitsWithOptions = []): string[] {
  return kits.flatMap(({ kit, options }) => {
    const installs = kit.userInstalls;
    if (!installs || installs.apt) return [];
    const done = new Set(skip.flatMap((s) => (s.kit === kit ? userItems(kit, s.options) : [])));
    const items = userItems(kit, options).filter((item) => !done.has(item));
    return items.length === 0 ? [] : (installs.lines?.(items) ?? []);
  });
}

/**
 * The base's `apt` kit packages get a layer of their own: adding one must not
 * redo the big shared apt layer.
 */
export function userAptLines(kits: KitsWithOptions, core: readonly string[]): string[] {
  const all = kitAptPackages(kits, true);
  const own = new Set([...core, ...kitAptPackages(kits, false)]);
  return aptInstallLines([...all].filter((name) => !own.has(name)));
}

/** What the project adds to the base: kits and options its own files chose. */
export interface ProjectImageInput {
  dir: string;
  container: string;
  /** The kits active in this run, with merged options. */
  kits: KitsWithOptions;
  /** The kits the base image was planned with, with the global options. */
  baseKits: KitsWithOptions;
}

/** Every directory from home down to each path: `.cache/pip` gives `.cache`, `.cache/pip`. */
function homeDirChain(paths: readonly string[]): string[] {
  const dirs = new Set<string>();
  for (const path of paths) {
    const parts = path.split('/');
    for (let i = 1; i <= parts.length; i += 1) dirs.add(parts.slice(0, i).join('/'));
  }
  return [...dirs].sort();
}

/** Cache and home dirs of kits the base lacks, owned by the user like the base's own. */
function projectHomeDirs(kits: KitsWithOptions): string[] {
  const paths = kits.flatMap(({ kit }) => [
    ...(kit.caches ?? []).map((c) => c.homePath),
    ...(kit.homeDirs ?? []),
  ]);
  if (paths.length === 0) return [];
  const dirs = homeDirChain(paths)
    .map((path) => `"$USER_HOME/${path}"`)
    .join(' ');
  return [
    'ARG USER_HOME',
    'ARG USER_ID',
    'ARG GROUP_ID',
    `RUN mkdir -p ${dirs} && chown "\${USER_ID:-0}:\${GROUP_ID:-0}" ${dirs}`,
  ];
}

/** The project's additions to the base, as Dockerfile lines (none: a bare FROM). */
export function projectLayers(input: ProjectImageInput, core: readonly string[]): string[] {
  const inBase = new Map(input.baseKits.map((entry) => [entry.kit.name, entry]));
  const added = input.kits.filter(({ kit }) => !inBase.has(kit.name));
  const shared = input.kits.filter(({ kit }) => inBase.has(kit.name));
  const baseApt = new Set([...core, ...kitAptPackages(input.baseKits, true)]);
  const apt = [...kitAptPackages(input.kits, true)].filter((name) => !baseApt.has(name));
  // A base kit whose snippet reads options the project changed (the default JDK).
  const changed = shared.filter(({ kit, options }) => {
    const baseOptions = inBase.get(kit.name)!.options;
    return kit.dockerfile?.(options).join('\n') !== kit.dockerfile?.(baseOptions).join('\n');
  });
  return [
    ...aptInstallLines(apt),
    ...input.kits
      .filter((entry) => added.includes(entry) || changed.includes(entry))
      .flatMap(({ kit, options }) => kit.dockerfile?.(options) ?? []),
    ...userInstallLines(input.kits, input.baseKits),
    ...projectHomeDirs(added),
  ];
}
