/**
 * The one place that talks to the prompt library (@clack/prompts). Callers
 * describe a Question as data; a cancelled prompt (Esc, Ctrl-C) comes back as
 * CANCELLED so the caller can leave without writing anything. Loaded lazily:
 * runs without a terminal never pay for it.
 */
export interface Choice {
  value: string;
  label: string;
  hint?: string;
}

export type Question =
  | { kind: 'many'; message: string; choices: Choice[]; initial: string[] }
  | { kind: 'one'; message: string; choices: Choice[]; initial: string };

export type Answer = string | string[];

/** One step: the question to ask given the answers so far (none: skip it), and its effect. */
export interface Step<T> {
  name: string;
  question(answers: T): Question | undefined;
  apply(answers: T, answer: Answer): T;
}

export const CANCELLED = Symbol('cancelled');
export type Cancelled = typeof CANCELLED;

async function clack() {
  return import('@clack/prompts');
}

export async function ask(question: Question): Promise<Answer | Cancelled> {
  const prompts = await clack();
  const options = question.choices.map((choice) => ({
    value: choice.value,
    label: choice.label,
    ...(choice.hint ? { hint: choice.hint } : {}),
  }));
  const answer =
    question.kind === 'many'
      ? await prompts.multiselect<string>({
          message: question.message,
          options,
          initialValues: question.initial,
          required: false,
        })
      : await prompts.select<string>({
          message: question.message,
          options,
          initialValue: question.initial,
        });
  return prompts.isCancel(answer) ? CANCELLED : answer;
}

/** Asks each step in turn; CANCELLED as soon as one prompt is cancelled. */
export async function askSteps<T>(steps: readonly Step<T>[], start: T): Promise<T | Cancelled> {
  let answers = start;
  for (const step of steps) {
    const question = step.question(answers);
    if (!question) continue;
    const answer = await ask(question);
    if (answer === CANCELLED) return CANCELLED;
    answers = step.apply(answers, answer);
  }
  return answers;
}

/** A yes/no question; Esc or Ctrl-C counts as no. */
export async function confirmed(message: string, initialValue: boolean): Promise<boolean> {
  const prompts = await clack();
  const answer = await prompts.confirm({ message, initialValue });
  return !prompts.isCancel(answer) && answer === true;
}

export async function begin(title: string): Promise<void> {
  (await clack()).intro(title);
}

export async function finish(message: string): Promise<void> {
  (await clack()).outro(message);
}

export async function abandon(message: string): Promise<void> {
  (await clack()).cancel(message);
}

export async function note(message: string, title?: string): Promise<void> {
  (await clack()).note(message, title);
}
