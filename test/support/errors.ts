import { expect } from 'vitest';
import { ConfigError } from '../../src/errors.js';

/** The problem lines of the ConfigError that `run` throws (fails when it throws none). */
export function problemsOf(run: () => unknown): string[] {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as ConfigError).problems;
  }
  throw new Error('expected a ConfigError');
}
