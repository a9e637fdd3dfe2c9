/**
 * The error taxonomy. A `UserError` is something the user can fix: the CLI
 * prints its message (and hint) without a stack and exits with `exitCode`.
 * Anything else is treated as a bug in asylum and printed with its stack.
 */
export class UserError extends Error {
  readonly hint: string | undefined;
  readonly exitCode: number;

  constructor(
    message: string,
    options: { hint?: string; exitCode?: number; cause?: unknown } = {},
  ) {
    super(message, { cause: options.cause });
    this.name = 'UserError';
    this.hint = options.hint;
    this.exitCode = options.exitCode ?? 1;
  }
}

/** A config file or flag is invalid. `problems` holds one line per problem. */
export class ConfigError extends UserError {
  readonly problems: string[];

  /** `exitCode` 2 when the problems are in command-line flags. */
  constructor(problems: string[], hint?: string, exitCode = 1) {
    super(
      problems.length === 1 ? problems[0]! : `${problems.length} problems in the configuration`,
      { hint, exitCode },
    );
    this.name = 'ConfigError';
    this.problems = problems;
  }
}

/** The engine (Docker) cannot be reached or refused an operation. */
export class EngineError extends UserError {
  constructor(message: string, options: { hint?: string; cause?: unknown } = {}) {
    super(message, options);
    this.name = 'EngineError';
  }
}

/** Leave quietly with this code: the user has already been told why. */
export class ExitError extends Error {
  constructor(readonly exitCode: number) {
    super(`exit ${exitCode}`);
    this.name = 'ExitError';
  }
}
