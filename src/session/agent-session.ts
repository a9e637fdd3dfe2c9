import type { Agent } from '../agents/types.js';
import type { Config } from '../config/types.js';
import { UserError } from '../errors.js';
import { log } from '../ui/log.js';
import {
  agentConfigMode,
  checkWritable,
  markSession,
  resolveAgentConfigDir,
  resolveCompanions,
} from './agent-config.js';

export interface AgentSetup {
  /** Host dir mounted as the agent's config dir, if the agent has one. */
  hostDir: string | undefined;
  mode: 'isolated' | 'project' | 'shared';
  /** Seeded just now: there is nothing of this project to resume. */
  fresh: boolean;
  companions: { agent: Agent; hostDir: string; mode: string }[];
}

export interface AgentSetupInput {
  agent: Agent;
  config: Config;
  home: string;
  asylumDir: string;
  projectDir: string;
  projectDataDir: string;
  uid: number;
  gid: number;
}

function ensureWritable(dir: string, input: AgentSetupInput): void {
  const check = checkWritable(dir, input.uid, input.gid);
  if (check.ok) {
    if (check.fixed) log.info(`fixed the owner of ${dir}`);
    return;
  }
  throw new UserError(`${check.path} does not belong to you, so the agent cannot write it`, {
    hint: `fix it with: ${check.command}`,
  });
}

/**
 * The agent's config dir in the mode the config asks for (isolated unless
 * said otherwise), seeded once from the host, plus its companions' dirs.
 */
export function setupAgent(input: AgentSetupInput): AgentSetup {
  const mode = agentConfigMode(input.config.agents, input.agent.name);
  const request = {
    home: input.home,
    asylumDir: input.asylumDir,
    projectDataDir: input.projectDataDir,
    projectDir: input.projectDir,
  };
  const dir = resolveAgentConfigDir({ ...request, agent: input.agent, mode });
  for (const line of dir?.report ?? []) log.info(line);
  for (const line of dir?.warnings ?? []) log.warn(line);
  if (dir) ensureWritable(dir.hostDir, input);
  const companions = resolveCompanions({
    ...request,
    primary: input.agent,
    agents: input.config.agents,
  });
  for (const line of companions.warnings) log.warn(line);
  for (const companion of companions.dirs) ensureWritable(companion.hostDir, input);
  return {
    hostDir: dir?.hostDir,
    mode: dir?.mode ?? mode,
    fresh: dir?.fresh ?? false,
    companions: companions.dirs.map((c) => ({ agent: c.agent, hostDir: c.hostDir, mode: c.mode })),
  };
}

/**
 * Resume the project's last conversation when asked (`--continue`), or by
 * default with `default-resume: true` when the agent has one to resume. A
 * freshly seeded config has none of this project's.
 */
export function shouldResume(
  agent: Agent,
  setup: AgentSetup,
  options: { requested: boolean; byDefault: boolean; projectDir: string },
): boolean {
  if (!agent.resumeArgs) return false;
  if (options.requested) return true;
  if (!options.byDefault || setup.fresh || !setup.hostDir) return false;
  return agent.hasSession(setup.hostDir, options.projectDir);
}

/** Marks the session for agents whose own files cannot tell projects apart. */
export function recordAgentSession(agent: Agent, setup: AgentSetup, projectDir: string): void {
  if (setup.hostDir) markSession(setup.hostDir, agent, projectDir);
}
