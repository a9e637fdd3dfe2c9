import assert from 'node:assert/strict';
import { test } from 'node:test';
import { add } from '../index.js';

test('adds numbers', () => {
  assert.equal(add(2, 3), 5);
});

test('refuses strings that are not numbers', () => {
  assert.throws(() => add('two', 3), TypeError);
});

test('runs inside an asylum container', () => {
  assert.equal(process.env.ASYLUM, '1', 'expected to run under asylum');
});
