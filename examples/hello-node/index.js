import isNumber from 'is-number';

/** Adds two numbers, refusing anything that is not one. */
export function add(a, b) {
  if (!isNumber(a) || !isNumber(b)) throw new TypeError('add() takes numbers');
  return Number(a) + Number(b);
}
