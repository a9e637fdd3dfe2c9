import { existsSync } from 'node:fs';
import { globalConfigPath } from '../config/load.js';
import { UserError } from '../errors.js';
import { answersFromFlags, type SetupFlags } from '../firstrun/questions.js';
import { canAsk, REGISTRY, runWizard, writeSetup } from '../firstrun/setup.js';
import { readHostFacts } from '../host/facts.js';
import { log } from '../ui/log.js';
import { CANCELLED, finish } from '../ui/prompts.js';

export interface InitOptions extends SetupFlags {
  yes: boolean;
  force: boolean;
}

/**
 * `asylum init`: the first-run wizard on demand. Flags answer its questions
 * (and preselect them on a terminal); `--yes`, or no terminal, asks nothing.
 */
export async function init(options: InitOptions): Promise<number> {
  const host = readHostFacts();
  const path = globalConfigPath(host.home);
  if (existsSync(path) && !options.force) {
    throw new UserError(`${path} already exists`, {
      hint: 'change it with `asylum config`, or start over with `asylum init --force`',
    });
  }
  const fromFlags = answersFromFlags(options, REGISTRY);
  const interactive = !options.yes && canAsk(host);
  const answers = interactive ? await runWizard(fromFlags) : fromFlags;
  if (answers === CANCELLED) return 130;
  const written = await writeSetup(host.home, answers, { overwrite: options.force });
  const message = written ? `wrote ${path}` : `${path} was written meanwhile; keeping it`;
  if (interactive) await finish(message);
  else log.ok(message);
  if (written && options.force) log.info(`the previous file is kept as ${path}.backup`);
  return 0;
}
