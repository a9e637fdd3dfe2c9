import { describe, expect, it } from 'vitest';
import {
  EMPTY_ONBOARDING,
  LOCKFILES,
  type LockfileFact,
  pendingTasks,
  recordOutcome,
  splitByTool,
} from './onboarding.js';

const [npm, pnpm, yarn] = LOCKFILES as [
  LockfileFact['kind'],
  LockfileFact['kind'],
  LockfileFact['kind'],
];
const AT = new Date('2026-12-03T12:00:00Z');

function fact(dir: string, kind = npm, sha256 = 'aaa'): LockfileFact {
  return { dir, kind, sha256 };
}

describe('onboarding tasks', () => {
  it('maps each lockfile to its install command, as argv', () => {
    expect(LOCKFILES.map((kind) => [kind.file, kind.argv.join(' ')])).toEqual([
      ['package-lock.json', 'npm ci'],
      ['pnpm-lock.yaml', 'pnpm install --frozen-lockfile'],
      ['yarn.lock', 'yarn install --frozen-lockfile'],
    ]);
  });

  it('offers every lockfile on a fresh state', () => {
    const facts = [fact('.'), fact('web', pnpm)];
    expect(pendingTasks(facts, EMPTY_ONBOARDING)).toEqual(facts);
  });

  it('offers nothing once done or declined, until the lockfile content changes', () => {
    let state = recordOutcome(EMPTY_ONBOARDING, fact('.'), 'done', AT);
    state = recordOutcome(state, fact('web', yarn), 'declined', AT);
    expect(pendingTasks([fact('.'), fact('web', yarn)], state)).toEqual([]);
    expect(pendingTasks([fact('.', npm, 'bbb')], state)).toEqual([fact('.', npm, 'bbb')]);
    // Another lockfile kind in the same dir is a new task even with the same hash.
    expect(pendingTasks([fact('web', pnpm)], state)).toEqual([fact('web', pnpm)]);
  });

  it('records the outcome with the lockfile and its hash, leaving other dirs alone', () => {
    const first = recordOutcome(EMPTY_ONBOARDING, fact('a'), 'done', AT);
    const second = recordOutcome(first, fact('b', yarn, 'ccc'), 'declined', AT);
    expect(second.dirs).toEqual({
      a: { lockfile: 'package-lock.json', sha256: 'aaa', outcome: 'done', at: AT.toISOString() },
      b: { lockfile: 'yarn.lock', sha256: 'ccc', outcome: 'declined', at: AT.toISOString() },
    });
    expect(EMPTY_ONBOARDING.dirs).toEqual({});
  });

  it('sets aside tasks whose tool is not in the image', () => {
    const tasks = [fact('.'), fact('web', pnpm)];
    expect(splitByTool(tasks, ['node', 'node/npm'])).toEqual({
      runnable: [fact('.')],
      missingTool: [fact('web', pnpm)],
    });
  });
});
