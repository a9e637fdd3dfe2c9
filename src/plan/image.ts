import type { Agent } from '../agents/types.js';
import { npmInstallLines } from '../agents/types.js';
import { ASSETS } from '../assets/index.js';
import type { KitOptions } from '../config/types.js';
import type { Kit } from '../kits/types.js';
import { sha256Hex } from './naming.js';
import {
  type KitsWithOptions,
  kitAptPackages,
  type ProjectImageInput,
  projectLayers,
  userAptLines,
  userInstallLines,
} from './packages.js';

export type { ProjectImageInput } from './packages.js';

/** Paths inside every image. */
export const IMAGE_PATHS = {
  init: '/usr/local/lib/asylum/init',
  exec: '/usr/local/bin/asylum-exec',
  signal: '/usr/local/lib/asylum/signal',
  kitStart: '/usr/local/lib/asylum/kit-start',
  zshrc: '/etc/asylum/zshrc',
  caCert: '/usr/local/share/ca-certificates/asylum-host-ca.crt',
  systemBundle: '/etc/ssl/certs/ca-certificates.crt',
} as const;

const CORE_APT = [
  'bzip2',
  'ca-certificates',
  'curl',
  'file',
  'fd-find',
  'g++',
  'gcc',
  'git',
  'gnupg',
  'iproute2',
  // asylum's own short-lived firewall helper uses it (host-access: false).
  'iptables',
  'jq',
  'less',
  'libc6-dev',
  'make',
  'nano',
  'netcat-openbsd',
  'procps',
  'ripgrep',
  'socat',
  'sudo',
  'unzip',
  'vim-tiny',
  'wget',
  'xz-utils',
  'zip',
];

const BASE_HOME_DIRS = ['.config', '.local/bin', '.local/share', '.local/state', '.cache'];

export interface ImageIdentity {
  uid: number;
  gid: number;
  username: string;
  home: string;
}

export interface BaseImageInput {
  baseImage: string;
  kits: readonly { kit: Kit; options: KitOptions }[];
  agents: readonly { agent: Agent; version: string | undefined }[];
  identity: ImageIdentity;
  caBundle: string | undefined;
}

export interface ImagePlan {
  tag: string;
  hash: string;
  dockerfile: string;
  /** Files written next to the Dockerfile (the build context). */
  files: Record<string, string>;
  buildArgs: Record<string, string>;
  labels: Record<string, string>;
  agents: string[];
}

function fromAndCa(input: BaseImageInput): string[] {
  const lines = [
    `FROM ${input.baseImage}`,
    'ENV DEBIAN_FRONTEND=noninteractive LANG=C.UTF-8 LC_ALL=C.UTF-8',
  ];
  // The host's CA bundle is trusted before anything is fetched over TLS, so the
  // image builds behind an intercepting proxy.
  if (input.caBundle) lines.push(`COPY host-ca.crt ${IMAGE_PATHS.caCert}`);
  return lines;
}

function aptLayer(kits: KitsWithOptions): string[] {
  const packages = new Set([...CORE_APT, ...kitAptPackages(kits, false)]);
  const sorted = [...packages].sort();
  return [
    'RUN apt-get update \\',
    `    && apt-get install -y --no-install-recommends ${sorted.join(' ')} \\`,
    '    && update-ca-certificates \\',
    '    && ln -sf /usr/bin/fdfind /usr/local/bin/fd \\',
    '    && rm -rf /var/lib/apt/lists/*',
    // Node, pip and requests ignore the system store unless told where it is.
    `ENV NODE_EXTRA_CA_CERTS=${IMAGE_PATHS.systemBundle} ` +
      `REQUESTS_CA_BUNDLE=${IMAGE_PATHS.systemBundle} PIP_CERT=${IMAGE_PATHS.systemBundle}`,
  ];
}

function kitLayers(kits: BaseImageInput['kits']): string[] {
  const lines: string[] = [];
  for (const { kit, options } of kits) lines.push(...(kit.dockerfile?.(options) ?? []));
  lines.push(`COPY zshrc ${IMAGE_PATHS.zshrc}`);
  return lines;
}

function agentLayers(agents: BaseImageInput['agents']): string[] {
  return agents.flatMap(({ agent, version }) => npmInstallLines(agent, version));
}

function scriptLayers(): string[] {
  return [
    `COPY init.sh ${IMAGE_PATHS.init}`,
    `COPY exec.sh ${IMAGE_PATHS.exec}`,
    `COPY signal.sh ${IMAGE_PATHS.signal}`,
    `COPY kit-start.sh ${IMAGE_PATHS.kitStart}`,
    `RUN chmod 0755 ${IMAGE_PATHS.init} ${IMAGE_PATHS.exec} ${IMAGE_PATHS.signal}`,
  ];
}

/**
 * The host user, recreated with the same uid, gid, name and home so files in the
 * project keep their owner. It comes last: a different user shares every layer
 * above it. Values arrive as build args and are always quoted in the shell.
 */
function userLayer(
  identity: ImageIdentity,
  caches: readonly string[],
  groups: readonly string[],
): string[] {
  const dirs = caches.map((path) => `"$USER_HOME/${path}"`).join(' ');
  if (identity.uid === 0) {
    return [
      'ARG USER_HOME',
      // Tools that read the passwd home (ssh) must agree with $HOME.
      `RUN mkdir -p "$USER_HOME" ${dirs} \\`,
      // usermod refuses while PID 1 runs as root: edit the passwd entry directly.
      `    && awk -F: -v OFS=: '$1 == "root" { $6 = ENVIRON["USER_HOME"] } 1' /etc/passwd \\`,
      '       > /etc/passwd.asylum && cat /etc/passwd.asylum > /etc/passwd && rm /etc/passwd.asylum \\',
      `    && echo "source ${IMAGE_PATHS.zshrc}" > "$USER_HOME/.zshrc" \\`,
      '    && (chmod 700 "$USER_HOME/.ssh" 2>/dev/null || true)',
      'USER root',
    ];
  }
  return [
    // One ARG per line: older frontends reject several names in one instruction.
    'ARG USERNAME',
    'ARG USER_ID',
    'ARG GROUP_ID',
    'ARG USER_HOME',
    'RUN (getent group "$GROUP_ID" >/dev/null || groupadd -g "$GROUP_ID" "$USERNAME") \\',
    '    && if id -u "$USERNAME" >/dev/null 2>&1; then userdel "$USERNAME"; fi \\',
    '    && useradd -o -m -d "$USER_HOME" -u "$USER_ID" -g "$GROUP_ID" -s /bin/zsh "$USERNAME" \\',
    '    && echo "$USERNAME ALL=(ALL) NOPASSWD:ALL" > /etc/sudoers.d/asylum \\',
    '    && chmod 0440 /etc/sudoers.d/asylum \\',
    ...groups.map((group) => `    && usermod -aG ${group} "$USERNAME" \\`),
    `    && echo "source ${IMAGE_PATHS.zshrc}" > "$USER_HOME/.zshrc" \\`,
    `    && mkdir -p ${dirs || '"$USER_HOME"'} \\`,
    '    && chown -R "$USER_ID:$GROUP_ID" "$USER_HOME" \\',
    // ssh refuses a ~/.ssh that others can read.
    '    && (chmod 700 "$USER_HOME/.ssh" 2>/dev/null || true)',
    'USER root',
  ];
}

/** Sourced by init as root at container start; each kit's lines in snippet order. */
function kitStartText(kits: BaseImageInput['kits']): string {
  const lines = ['# Written by asylum: kit start-up steps, sourced by init as root.'];
  for (const { kit } of kits) lines.push(...(kit.startScript ?? []));
  return `${lines.join('\n')}\n`;
}

/** Group names come from kit code, never from config: still, only plain names pass. */
function kitGroups(kits: BaseImageInput['kits']): string[] {
  const groups = new Set(kits.flatMap(({ kit }) => kit.userGroups ?? []));
  return [...groups].filter((group) => /^[a-z_][a-z0-9_-]*$/.test(group)).sort();
}

function zshrcText(kits: BaseImageInput['kits']): string {
  const lines = ['# Written by asylum: shared by every user of this image.'];
  for (const { kit } of kits) lines.push(...(kit.zshrc ?? []));
  return `${lines.join('\n')}\n`;
}

function buildArgsFor(identity: ImageIdentity): Record<string, string> {
  if (identity.uid === 0) return { USER_HOME: identity.home };
  return {
    USERNAME: identity.username,
    USER_ID: String(identity.uid),
    GROUP_ID: String(identity.gid),
    USER_HOME: identity.home,
  };
}

/**
 * Code-unit order, the same on every host. Not localeCompare: its first call
 * loads ICU's collation data, ~10 ms on every start.
 */
function byKey([a]: [string, string], [b]: [string, string]): number {
  if (a === b) return 0;
  return a < b ? -1 : 1;
}

/** A stable digest of everything that shapes the image. */
function hashInputs(parts: {
  dockerfile: string;
  files: Record<string, string>;
  buildArgs: Record<string, string>;
}): string {
  const canonical = JSON.stringify({
    dockerfile: parts.dockerfile,
    files: Object.entries(parts.files).sort(byKey),
    buildArgs: Object.entries(parts.buildArgs).sort(byKey),
  });
  return sha256Hex(canonical);
}

/**
 * Plans the base image: Dockerfile text, build context, args and labels. Pure:
 * the same inputs always give the same plan (and hash).
 *
 * Layer order puts what changes least first: system packages, kit tools, agents,
 * asylum's own scripts, then the host user.
 */
export function planBaseImage(input: BaseImageInput): ImagePlan {
  // Created owned by the user, so mounts below them (agent dirs, caches) do not
  // leave root-owned parents that tools then fail to write.
  const caches = [
    ...BASE_HOME_DIRS,
    ...input.kits.flatMap(({ kit }) => [
      ...(kit.caches ?? []).map((c) => c.homePath),
      ...(kit.homeDirs ?? []),
    ]),
  ];
  const dockerfile = [
    ...fromAndCa(input),
    ...aptLayer(input.kits),
    ...kitLayers(input.kits),
    ...userAptLines(input.kits, CORE_APT),
    ...userInstallLines(input.kits),
    ...agentLayers(input.agents),
    ...scriptLayers(),
    ...userLayer(input.identity, caches, kitGroups(input.kits)),
    `ENTRYPOINT ["${IMAGE_PATHS.init}"]`,
    '',
  ].join('\n');
  const files: Record<string, string> = {
    'init.sh': ASSETS.init,
    'exec.sh': ASSETS.exec,
    'signal.sh': ASSETS.signal,
    'kit-start.sh': kitStartText(input.kits),
    zshrc: zshrcText(input.kits),
  };
  for (const { kit } of input.kits) Object.assign(files, kit.contextFiles ?? {});
  if (input.caBundle) files['host-ca.crt'] = input.caBundle;
  const buildArgs = buildArgsFor(input.identity);
  const hash = hashInputs({ dockerfile, files, buildArgs });
  const agents = input.agents.map(({ agent }) => agent.name).sort();
  return {
    tag: `asylum:base-${hash.slice(0, 12)}`,
    hash,
    dockerfile,
    files,
    buildArgs,
    labels: {
      asylum: 'true',
      'asylum.kind': 'base',
      'asylum.hash': hash,
      'asylum.agents': agents.join(','),
    },
    agents,
  };
}

/** A kit only the project turns on (docker) may need the user in a group of its own. */
function projectGroupLines(groups: readonly string[]): string[] {
  if (groups.length === 0) return [];
  // No USERNAME when the host user is root: root needs no group.
  return [
    'ARG USERNAME',
    `RUN if [ -n "$USERNAME" ]; then usermod -aG ${groups.join(',')} "$USERNAME"; fi`,
  ];
}

/** Start-up steps of project-only kits: the image's start script, redone for every kit. */
function projectStartLines(
  kits: BaseImageInput['kits'],
  added: BaseImageInput['kits'],
  files: Record<string, string>,
): string[] {
  if (!added.some(({ kit }) => (kit.startScript ?? []).length > 0)) return [];
  files['kit-start.sh'] = kitStartText(kits);
  return [`COPY kit-start.sh ${IMAGE_PATHS.kitStart}`];
}

/**
 * The project's own image: FROM the base, plus what the project's files ask
 * for beyond the global config (kits, packages, build commands, JDKs). Every
 * project runs from an image of its own (a change to one never shows in
 * another). It is rebuilt when its additions change, and when the base image
 * it was built from changes, because the base hash is an input.
 */
// TODO(asylum): zshrc lines of kits that only a project turns on are not added yet
// (no such kit has any).
export function planProjectImage(base: ImagePlan, input: ProjectImageInput): ImagePlan {
  const inBase = new Set(input.baseKits.map(({ kit }) => kit.name));
  const added = input.kits.filter(({ kit }) => !inBase.has(kit.name));
  const files: Record<string, string> = {};
  for (const { kit } of added) Object.assign(files, kit.contextFiles ?? {});
  const layers = [
    ...projectLayers(input, CORE_APT),
    ...projectGroupLines(kitGroups(added)),
    ...projectStartLines(input.kits, added, files),
  ];
  const dockerfile = [`FROM ${base.tag}`, ...layers, ''].join('\n');
  const hash = sha256Hex(
    JSON.stringify({
      base: base.hash,
      project: input.dir,
      dockerfile,
      files: Object.entries(files).sort(byKey),
    }),
  );
  return {
    tag: `asylum:proj-${hash.slice(0, 12)}`,
    hash,
    dockerfile,
    files,
    // The base's identity args, when a project layer needs the user (cache dirs, groups).
    buildArgs: layers.some((line) => line.startsWith('ARG ')) ? { ...base.buildArgs } : {},
    labels: {
      ...base.labels,
      'asylum.kind': 'project',
      'asylum.hash': hash,
      'asylum.base': base.hash,
      'asylum.project': input.dir,
      'asylum.container': input.container,
    },
    agents: base.agents,
  };
}
