import { describe, expect, test } from 'vitest';
import { editDistance, suggest } from './suggest.js';

describe('editDistance', () => {
  test.each([
    ['', '', 0],
    ['kits', 'kits', 0],
    ['kit', 'kits', 1],
    ['kist', 'kits', 1],
    ['abc', '', 3],
    ['ports', 'prots', 1],
    ['é', 'e', 1],
    ['kitten', 'sitting', 3],
  ])('%j to %j is %i', (a, b, distance) => {
    expect(editDistance(a, b)).toBe(distance);
    expect(editDistance(b, a)).toBe(distance);
  });
});

describe('suggest', () => {
  const keys = ['version', 'agent', 'kits', 'agents', 'ports', 'volumes', 'env'];

  test.each([
    ['kit', 'kits'],
    ['KITS', 'kits'],
    ['volume', 'volumes'],
    ['agnet', 'agent'],
    ['shadow-node-module', 'shadow-node-modules'],
  ])('%s suggests %s', (word, expected) => {
    expect(suggest(word, [...keys, 'shadow-node-modules'])).toBe(expected);
  });

  test('nothing close means no suggestion', () => {
    expect(suggest('completely-different', keys)).toBeUndefined();
    expect(suggest('', keys)).toBeUndefined();
    expect(suggest('x', [])).toBeUndefined();
  });

  test('the limit grows with the word: a third of its length', () => {
    // 12 letters allow 4 edits.
    expect(suggest('abcdefghijkl', ['abcdefghwxyz'])).toBe('abcdefghwxyz');
    expect(suggest('abcdefghijkl', ['abcdefgvwxyz'])).toBeUndefined();
  });

  test('the closest candidate wins, ties go to the first', () => {
    expect(suggest('agents', ['agent', 'agents'])).toBe('agents');
    expect(suggest('ab', ['aa', 'bb'])).toBe('aa');
  });
});
