/**
 * First run and upgrades, at the start of every session: with no global
 * config, the wizard writes one (on a terminal) or asylum runs with the
 * built-in defaults and writes nothing (without one, so scripts and CI never
 * find files appearing); with a config, kits added since the last run are
 * offered once.
 */
import { existsSync, readFileSync } from 'node:fs';
import { AGENTS } from '../agents/index.js';
import { globalConfigPath, loadLayerFromText } from '../config/load.js';
import { type Registry, renderGlobalConfig, type SetupAnswers } from '../config/writer.js';
import { ExitError } from '../errors.js';
import { KITS } from '../kits/index.js';
import { readKnownKits, recordKnownKits } from '../state/known-kits.js';
import { log } from '../ui/log.js';
import {
  abandon,
  ask,
  askSteps,
  begin,
  CANCELLED,
  type Cancelled,
  finish,
  note,
} from '../ui/prompts.js';
import { createConfigFile, editConfigFile } from './config-file.js';
import { addNewKits, defaultChoice, findNewKits, newKitsQuestion } from './kit-sync.js';
import { defaultAnswers, setupSteps } from './questions.js';

export const REGISTRY: Registry = { agents: AGENTS, kits: KITS };

/** What a session knows about its terminal. */
export interface Terminal {
  stdinIsTty: boolean;
  stdoutIsTty: boolean;
}

/**
 * Questions need a terminal on both ends. ASYLUM_NO_WIZARD=1 turns them off
 * for scripts that run asylum under a pty (expect, tmux) but want no questions.
 */
export function canAsk(terminal: Terminal): boolean {
  return terminal.stdinIsTty && terminal.stdoutIsTty && process.env.ASYLUM_NO_WIZARD !== '1';
}

/** The wizard's questions; CANCELLED on Esc or Ctrl-C. */
export async function runWizard(start: SetupAnswers): Promise<SetupAnswers | Cancelled> {
  await begin('asylum: first-time setup');
  await note(
    [
      'A few questions, then asylum writes ~/.asylum/config.yaml with every option in it.',
      'Esc or Ctrl-C stops without writing anything; `asylum config` changes it later.',
    ].join('\n'),
  );
  const answers = await askSteps(setupSteps(REGISTRY), start);
  if (answers === CANCELLED) await abandon('setup cancelled: nothing was written');
  return answers;
}

/** Writes the complete file for `answers` and records every kit as seen. */
export async function writeSetup(
  home: string,
  answers: SetupAnswers,
  options: { overwrite?: boolean } = {},
): Promise<boolean> {
  const path = globalConfigPath(home);
  const written = await createConfigFile(path, renderGlobalConfig(answers, REGISTRY), options);
  await recordKnownKits(
    home,
    KITS.map((kit) => kit.name),
  );
  return written;
}

/** Called before each session's config is read. */
export async function prepareGlobalConfig(home: string, terminal: Terminal): Promise<void> {
  const path = globalConfigPath(home);
  if (existsSync(path)) {
    await offerNewKits(home, terminal);
    return;
  }
  // TODO(asylum): say once, without a terminal, that `asylum init` writes the file.
  if (!canAsk(terminal)) return;
  const answers = await runWizard(defaultAnswers(REGISTRY));
  // Ctrl-C ends asylum as it would any command: exit code 130, nothing written.
  if (answers === CANCELLED) throw new ExitError(130);
  const written = await writeSetup(home, answers);
  await finish(written ? `wrote ${path}` : `${path} was written meanwhile; keeping it`);
}

/** Whether the file loads; a broken one is reported by the session's own load. */
function loads(path: string): boolean {
  try {
    loadLayerFromText(readFileSync(path, 'utf8'), path);
    return true;
  } catch {
    return false;
  }
}

/**
 * Kits the user has not seen: asked on a terminal (default-tier ones
 * preselected), else default-tier ones turned on and opt-in ones written
 * commented out. A cancelled question asks again next time.
 */
export async function offerNewKits(home: string, terminal: Terminal): Promise<void> {
  const known = await readKnownKits(home);
  const news = findNewKits(KITS, known);
  const path = globalConfigPath(home);
  if (news.offered.length + news.alwaysOn.length === 0) {
    // The baseline, or new sub-kits (which follow their parent kit): nothing to ask.
    if (known === undefined || news.all.some((name) => !known.includes(name))) {
      await recordKnownKits(home, news.all);
    }
    return;
  }
  if (!loads(path)) return;
  for (const kit of news.alwaysOn) log.info(`new kit: ${kit.name} (always on): ${kit.summary}`);
  let chosen = defaultChoice(news.offered);
  if (news.offered.length > 0 && canAsk(terminal)) {
    const answer = await ask(newKitsQuestion(news.offered));
    if (answer === CANCELLED) return;
    chosen = Array.isArray(answer) ? answer : [answer];
  }
  await editConfigFile(path, (text) => addNewKits(text, path, news.offered, chosen));
  for (const kit of news.offered) {
    const state = chosen.includes(kit.name) ? 'on' : 'off (see its entry to turn it on)';
    log.info(`new kit ${kit.name}: ${state}, in ${path}`);
  }
  await recordKnownKits(home, news.all);
}
