/**
 * The README's troubleshooting section quotes asylum's messages: each quote
 * must still be what the code prints, or users search for a line they never see.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { engineConnectionError } from '../../src/docker/api.js';
import { defaultEndpoint } from '../../src/docker/endpoint.js';

const root = join(import.meta.dirname, '..', '..');

function troubleshootingQuotes(): string[] {
  const readme = readFileSync(join(root, 'README.md'), 'utf8');
  const section = readme.slice(
    readme.indexOf('## Troubleshooting'),
    readme.indexOf('## Development'),
  );
  return [...section.matchAll(/^- \*\*`([^`]+)`\*\*/gm)].map((match) => match[1]!);
}

/** All of asylum's source text, with strings split over `' +` lines joined again. */
function sourceText(): string {
  const files = readdirSync(join(root, 'src'), { recursive: true, encoding: 'utf8' }).filter(
    (name) => name.endsWith('.ts') && !name.endsWith('.test.ts'),
  );
  return files
    .map((name) => readFileSync(join(root, 'src', name), 'utf8'))
    .join('\n')
    .replace(/['`] \+\n\s*['`]/g, '');
}

const socket = defaultEndpoint();
const rendered = (code: string) => engineConnectionError(socket as never, { code }).message;

/** Each quote, and the fixed parts of it that the code must contain. */
const QUOTES: Record<string, () => string[]> = {
  'no Docker engine socket at /var/run/docker.sock': () => [rendered('ENOENT')],
  'the engine at /var/run/docker.sock is not running (nothing listens there)': () => [
    rendered('ECONNREFUSED'),
  ],
  'permission denied on /var/run/docker.sock': () => [rendered('EACCES')],
  'the session ended because the engine went away': () => [],
  'the base image debian:trixie is not present and cannot be pulled': () => [],
  'image build failed at Step 4/24 : RUN apt-get update ...': () => [],
  'ports, volumes, env, host access or resource limits changed': () => [],
  'the project config widens what the container can reach': () => [],
  '... belongs to another user or HOME': () => [],
  'host port N is already in use': () => [],
  '... was corrupt (...); moved it to ...': () => [],
  'no space left on the device': () => [],
  'could not take the lock ...': () => [],
};

/** The quote's words with its example values (paths, names, numbers) left out. */
function fixedParts(quote: string): string[] {
  return quote
    .split(/\.\.\.|\(\.\.\.\)|debian:trixie|\bN\b| at Step 4\/24 : RUN apt-get update/)
    .map((part) => part.trim())
    .filter((part) => part.length >= 6);
}

describe('README troubleshooting', () => {
  it('quotes exactly the messages this test knows how to check', () => {
    expect(troubleshootingQuotes().sort()).toEqual(Object.keys(QUOTES).sort());
  });

  const source = sourceText();
  for (const [quote, producers] of Object.entries(QUOTES)) {
    it(`"${quote}" is what asylum prints`, () => {
      const messages = producers();
      for (const message of messages) expect(message.startsWith(quote)).toBe(true);
      if (messages.length > 0) return;
      for (const part of fixedParts(quote)) expect(source, part).toContain(part);
    });
  }
});
