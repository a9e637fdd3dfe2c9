import { existsSync, readFileSync } from 'node:fs';
import { globalConfigPath } from '../config/load.js';
import { UserError } from '../errors.js';
import {
  applyChoices,
  type ConfigChoices,
  type ConfigFlags,
  choicesFromFlags,
  hasConfigFlags,
  menuQuestion,
  readChoices,
  type Tab,
  tabQuestion,
  withTabAnswer,
} from '../firstrun/config-choices.js';
import { editConfigFile } from '../firstrun/config-file.js';
import { canAsk, REGISTRY } from '../firstrun/setup.js';
import { readHostFacts } from '../host/facts.js';
import { log } from '../ui/log.js';
import { abandon, ask, begin, CANCELLED, finish } from '../ui/prompts.js';

const WHAT_TO_EDIT =
  'kits.<name> (disabled: true turns a default kit off), kits.<name>.credentials: auto|false,' +
  ' agents.<name>.config: isolated|project|shared';

/** The tabs, as often as the user likes; undefined when they leave without saving. */
async function editInteractively(start: ConfigChoices): Promise<ConfigChoices | undefined> {
  let choices = start;
  for (;;) {
    const picked = await ask(menuQuestion(choices, REGISTRY));
    if (picked === CANCELLED || picked === 'quit') return undefined;
    if (picked === 'save') return choices;
    const tab = picked as Tab;
    const question = tabQuestion(tab, choices, REGISTRY);
    if (!question) {
      log.info('no kit that is on takes credentials');
      continue;
    }
    // Esc inside a tab goes back to the menu and keeps the choices made so far.
    const answer = await ask(question);
    if (answer !== CANCELLED) choices = withTabAnswer(tab, choices, answer);
  }
}

/**
 * `asylum config`: kits, credentials and agent config isolation of the global
 * file, edited in place (comments and everything else stay as they are).
 * With flags it needs no terminal.
 */
export async function configCommand(flags: ConfigFlags): Promise<number> {
  const host = readHostFacts();
  const path = globalConfigPath(host.home);
  if (!existsSync(path)) {
    throw new UserError(`${path} does not exist yet`, {
      hint: 'run `asylum init` to write it (or start asylum on a terminal)',
    });
  }
  const before = readChoices(readFileSync(path, 'utf8'), path, REGISTRY);
  let after: ConfigChoices | undefined;
  if (hasConfigFlags(flags)) {
    after = choicesFromFlags(before, flags, REGISTRY);
  } else {
    if (!canAsk(host)) {
      throw new UserError('asylum config needs a terminal', {
        hint: `use --enable/--disable/--credentials-on/--credentials-off/--isolation, or edit ${path}: ${WHAT_TO_EDIT}`,
      });
    }
    await begin(`asylum config: ${path}`);
    after = await editInteractively(before);
    if (!after) {
      await abandon('nothing changed');
      return 0;
    }
  }
  const chosen = after;
  const changed = await editConfigFile(path, (text) =>
    applyChoices(text, path, REGISTRY, readChoices(text, path, REGISTRY), chosen),
  );
  const message = changed ? `config updated: ${path}` : 'nothing to change';
  if (hasConfigFlags(flags)) log.ok(message);
  else await finish(message);
  return 0;
}
