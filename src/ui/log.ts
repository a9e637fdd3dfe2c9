import { styleText } from 'node:util';

/**
 * People's output goes to stderr so stdout carries only what the container
 * printed (and machine output such as `--json`). styleText drops colours when
 * stderr is not a terminal or NO_COLOR is set.
 */
type Style = Parameters<typeof styleText>[0];

let debugEnabled = false;

export function setDebug(enabled: boolean): void {
  debugEnabled = enabled;
}

function write(mark: string, style: Style, message: string): void {
  const prefix = styleText(style, mark, { stream: process.stderr });
  process.stderr.write(`${prefix} ${message}\n`);
}

export const log = {
  info: (message: string) => write('asylum:', 'cyan', message),
  ok: (message: string) => write('asylum:', 'green', message),
  warn: (message: string) => write('asylum: warning:', 'yellow', message),
  error: (message: string) => write('asylum: error:', 'red', message),
  hint: (message: string) => write('  hint:', 'dim', message),
  debug: (message: string) => {
    if (debugEnabled) write('asylum: debug:', 'gray', message);
  },
};
