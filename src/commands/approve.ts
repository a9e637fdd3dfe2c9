import { UserError } from '../errors.js';
import { pendingWidenings, recordApproval } from '../session/approval.js';
import { prepareSession } from '../session/run.js';
import { log } from '../ui/log.js';

/**
 * `asylum approve`: shows what this project's config files widen and records
 * your approval of exactly those values (asked on a terminal, or `--yes`).
 */
export async function approve(options: { yes: boolean }): Promise<number> {
  const prepared = prepareSession({
    flags: { publish: [], volume: [], env: [], rebuild: false, debug: false },
  });
  const pending = pendingWidenings(prepared.projectDir, prepared.projectLayers);
  if (pending.items.length === 0) {
    log.ok('nothing to approve: the project config widens nothing');
    return 0;
  }
  log.info('the project config widens what the container can reach:');
  for (const item of pending.items) {
    process.stderr.write(`  ${item.file}: ${item.key}: ${item.value}  (${item.effect})\n`);
  }
  if (!options.yes) {
    if (!process.stdin.isTTY) {
      throw new UserError('approval needs a terminal', {
        hint: 'or pass --yes after reviewing the list',
      });
    }
    const { confirmed } = await import('../ui/prompts.js');
    if (!(await confirmed('Approve these settings?', false))) {
      log.info('not approved');
      return 1;
    }
  }
  await recordApproval(prepared.host.home, pending);
  log.ok('approved; any change to these settings will ask again');
  return 0;
}
