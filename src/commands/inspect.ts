import type { Config } from '../config/types.js';
import { publishedPorts } from '../docker/engine.js';
import type { ContainerPlan, PlannedMount } from '../plan/container.js';
import { describeWidenings, isApproved, pendingWidenings } from '../session/approval.js';
import type { GlobalFlags } from '../session/flags.js';
import { planSession, prepareSession } from '../session/run.js';

/** What `asylum inspect --json` prints: the blast radius, from the plan asylum applies. */
export interface BlastRadius {
  project: string;
  container: string;
  hostname: string;
  image: string;
  network: { name: string; hostGateway: string };
  user: string;
  mounts: PlannedMount[];
  credentials: { source: string; target: string; readOnly: boolean; what: string }[];
  ports: { bind: string; host: number; container: number; protocol: string }[];
  /** Ports of the project's range that were busy when the container started. */
  skippedPorts: { bind: string; host: number; container: number; protocol: string }[];
  env: string[];
  capabilities: { added: string[]; dropped: string[] };
  securityOptions: string[];
  resources: Record<string, string>;
  /** Widening settings of the project's files and whether you approved them. */
  approval: { approved: boolean; pending: string[] };
  warnings: string[];
}

/** Mounts that hand the container a secret: keys, tokens, an agent's logged-in config. */
const CREDENTIAL_REASON = /(SSH key|~\/\.ssh|token|credentials|maven servers| config \()/i;

/** Host dirs that hold secrets by convention: a `volumes:` entry over one hands them over. */
const SECRET_DIRS = ['.ssh', '.aws', '.gnupg', '.docker', '.kube', '.config/gcloud', '.netrc'];

function exposesSecrets(mount: PlannedMount, home: string): boolean {
  if (CREDENTIAL_REASON.test(mount.reason)) return true;
  if (mount.type !== 'bind' || !mount.reason.startsWith('volumes:')) return false;
  return SECRET_DIRS.some((dir) => {
    const secret = `${home}/${dir}`;
    return (
      mount.source === secret ||
      mount.source.startsWith(`${secret}/`) ||
      home.startsWith(mount.source)
    );
  });
}

function credentialsOf(mounts: readonly PlannedMount[], home: string): BlastRadius['credentials'] {
  return mounts
    .filter((m) => exposesSecrets(m, home))
    .map((m) => ({ source: m.source, target: m.target, readOnly: m.readOnly, what: m.reason }));
}

/** The opt-in bypasses the security model lists, each as a plain warning. */
function warningsFor(config: Config, plan: ContainerPlan): string[] {
  const warnings: string[] = [];
  for (const [name, options] of Object.entries(config.agents ?? {})) {
    if (options?.config === 'shared')
      warnings.push(`agents.${name}.config: shared mounts your host config read-write`);
  }
  const ssh = config.kits?.ssh;
  if (ssh?.isolation === 'shared') {
    warnings.push(
      `kits.ssh.isolation: shared exposes every key in your ~/.ssh${ssh.writable ? ' (read-write)' : ''}`,
    );
  }
  if ((config.volumes ?? []).length > 0)
    warnings.push('volumes: custom mounts expose whatever they name');
  for (const port of plan.ports) {
    if (port.bind !== '127.0.0.1')
      warnings.push(`port ${port.host} listens on ${port.bind}: reachable from other hosts`);
  }
  if (plan.hostAccess)
    warnings.push('host.docker.internal reaches services listening on your host');
  warnings.push(...privilegeWarnings(plan));
  return warnings;
}

/** Capabilities and a relaxed seccomp profile: the container is a much weaker boundary. */
function privilegeWarnings(plan: ContainerPlan): string[] {
  const { capAdd, seccomp, reasons } = plan.privileges;
  if (capAdd.length === 0 && !seccomp) return [];
  const what = [
    ...capAdd.map((capability) => `CAP_${capability}`),
    ...(seccomp ? [`seccomp also allowing ${seccomp.extraSyscalls.join(', ')}`] : []),
  ];
  return [
    `${what.join(', ')}: a much weaker boundary than a default container ` +
      `(${reasons.join('; ')}); enable only when needed`,
  ];
}

/** `--security-opt` and namespace settings beyond the engine's defaults. */
function securityOptionsOf(plan: ContainerPlan): string[] {
  const { seccomp, cgroupns } = plan.privileges;
  const options: string[] = [];
  if (seccomp) {
    const extra = seccomp.extraSyscalls.join(', ');
    options.push(`seccomp=${seccomp.path} (the engine's default profile plus ${extra})`);
  }
  if (cgroupns) options.push(`cgroupns=${cgroupns}`);
  return options;
}

function toBlastRadius(
  config: Config,
  plan: ContainerPlan,
  home: string,
  approval: BlastRadius['approval'],
): BlastRadius {
  return {
    project: plan.workdir,
    container: plan.name,
    hostname: plan.hostname,
    image: plan.image,
    network: {
      name: plan.network,
      hostGateway: plan.hostAccess ? 'host.docker.internal' : 'blocked (host-access: false)',
    },
    user: plan.sessionUser,
    mounts: plan.mounts,
    credentials: credentialsOf(plan.mounts, home),
    ports: plan.ports.map(({ bind, host, container, protocol }) => ({
      bind,
      host,
      container,
      protocol,
    })),
    skippedPorts: [],
    env: Object.keys(plan.env).sort(),
    capabilities: { added: [...plan.privileges.capAdd], dropped: [] },
    securityOptions: securityOptionsOf(plan),
    resources: Object.fromEntries(
      Object.entries(plan.resources).map(([key, value]) => [key, String(value)]),
    ),
    approval,
    warnings: [...approvalWarnings(approval), ...warningsFor(config, plan)],
  };
}

/** Not applied yet: a session asks first (or stops without a terminal). */
function approvalWarnings(approval: BlastRadius['approval']): string[] {
  if (approval.approved) return [];
  return approval.pending.map(
    (item) => `not approved, so left out above (asylum approve applies it): ${item.trim()}`,
  );
}

function formatText(radius: BlastRadius): string {
  const lines = [
    `project     ${radius.project}`,
    `container   ${radius.container} (hostname ${radius.hostname})`,
    `image       ${radius.image}`,
    `user        ${radius.user}`,
    `network     ${radius.network.name}; host: ${radius.network.hostGateway}`,
    '',
    'mounts:',
    ...radius.mounts.map(
      (m) => `  ${m.readOnly ? 'ro' : 'rw'}  ${m.source} -> ${m.target}\n        ${m.reason}`,
    ),
    '',
    'credentials exposed:',
    ...(radius.credentials.length
      ? radius.credentials.map((c) => `  ${c.target} (${c.readOnly ? 'ro' : 'rw'}): ${c.what}`)
      : ['  none']),
    '',
    'ports:',
    ...(radius.ports.length
      ? radius.ports.map((p) => `  ${p.bind}:${p.host} -> ${p.container}/${p.protocol}`)
      : ['  none']),
    '',
    `capabilities: engine defaults (added: ${radius.capabilities.added.join(', ') || 'none'}, ` +
      'dropped: none); not privileged',
    `security options: ${radius.securityOptions.join('; ') || 'engine defaults'}`,
    `resources: ${Object.entries(radius.resources)
      .map(([k, v]) => `${k} ${v}`)
      .join(', ')}`,
    `env (values hidden): ${radius.env.join(', ')}`,
    '',
    'warnings:',
    ...radius.warnings.map((w) => `  ! ${w}`),
  ];
  return `${lines.join('\n')}\n`;
}

/**
 * A running container may lack range ports that were busy when it started:
 * report what it really publishes, and the rest as skipped.
 */
async function applyRunningPorts(radius: BlastRadius): Promise<void> {
  const published = await publishedPorts(radius.container).catch(() => null);
  if (!published) return;
  const key = (p: BlastRadius['ports'][number]) =>
    `${p.bind}:${p.host}->${p.container}/${p.protocol}`;
  radius.skippedPorts = radius.ports.filter((p) => !published.includes(key(p)));
  radius.ports = radius.ports.filter((p) => published.includes(key(p)));
}

/** `asylum inspect [--json]`: the blast radius of this project, from the plan itself. */
export async function inspect(options: { json: boolean; flags: GlobalFlags }): Promise<number> {
  const asWritten = prepareSession({ flags: options.flags });
  const pending = pendingWidenings(asWritten.projectDir, asWritten.projectLayers);
  const approved = await isApproved(asWritten.host.home, pending);
  // Unapproved widenings are not applied: plan (and prepare credentials) without them.
  const prepared = approved
    ? asWritten
    : prepareSession({ flags: options.flags }, { withoutWidenings: true });
  const { plan } = await planSession(prepared);
  const approval = { approved, pending: describeWidenings(pending) };
  const radius = toBlastRadius(prepared.config, plan, prepared.host.home, approval);
  await applyRunningPorts(radius);
  process.stdout.write(options.json ? `${JSON.stringify(radius, null, 2)}\n` : formatText(radius));
  return 0;
}
