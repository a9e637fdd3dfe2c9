import { join } from 'node:path';
import { hostGhToken, hostGhUser, stageGhCredentials } from '../credentials/github.js';
import type { Kit, KitRuntime, KitRuntimeContext } from './types.js';

/**
 * With `credentials: auto`, the host's gh token is staged in the project's data
 * dir and mounted read-only; without it, gh inside starts logged out.
 */
function prepareGithub(context: KitRuntimeContext): KitRuntime {
  const wanted = context.options.credentials;
  if (wanted === undefined || wanted === false) return {};
  const token = hostGhToken();
  if (!token) {
    context.warn(
      'github credentials: `gh auth token` gave no token on the host; gh starts logged out',
    );
    return {};
  }
  const dir = stageGhCredentials(context.projectDataDir, token, hostGhUser(context.home));
  return {
    mounts: [
      {
        type: 'bind',
        source: dir,
        target: join(context.home, '.config', 'gh'),
        readOnly: true,
        reason: 'your GitHub token (github.credentials: auto)',
      },
    ],
  };
}

export const githubKit: Kit = {
  name: 'github',
  tier: 'default',
  summary: 'GitHub CLI (gh) from Debian; your gh token with credentials: auto',
  order: 40,
  aptPackages: ['gh'],
  homeDirs: ['.config'],
  prepare: prepareGithub,
  credentials: { label: 'GitHub', effect: 'your gh token, read-only' },
};
