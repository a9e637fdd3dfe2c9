/**
 * "Did you mean …?" for misspelled keys and values. Candidate lists are short
 * (a dozen config keys), so a plain dynamic-programming distance is plenty.
 */

/**
 * Edit distance where a swap of two neighbouring characters counts as one edit
 * (optimal string alignment), because `shadow-nodemodules`-style slips and
 * transpositions like `kist` are the typical typos in a config file.
 * Works on code points so non-ASCII text is not split mid-character.
 */
export function editDistance(a: string, b: string): number {
  const s = Array.from(a);
  const t = Array.from(b);
  // rows[i][j] = distance between the first i chars of s and the first j of t.
  const rows: number[][] = [];
  for (let i = 0; i <= s.length; i++) {
    const row = [i];
    for (let j = 1; j <= t.length; j++) {
      row.push(i === 0 ? j : cellDistance(rows, row, s, t, i, j));
    }
    rows.push(row);
  }
  return rows[s.length]![t.length]!;
}

function cellDistance(
  rows: number[][],
  row: number[],
  s: string[],
  t: string[],
  i: number,
  j: number,
): number {
  const above = rows[i - 1]!;
  const cost = s[i - 1] === t[j - 1] ? 0 : 1;
  let best = Math.min(above[j]! + 1, row[j - 1]! + 1, above[j - 1]! + cost);
  const swapped = i > 1 && j > 1 && s[i - 1] === t[j - 2] && s[i - 2] === t[j - 1];
  if (swapped) best = Math.min(best, rows[i - 2]![j - 2]! + 1);
  return best;
}

/**
 * The candidate closest to `word`, or undefined when none is close enough to
 * be a plausible typo: the distance must be at most max(2, length / 3).
 * Case is ignored so `KITS` still finds `kits`. Ties go to the earlier candidate.
 */
export function suggest(word: string, candidates: Iterable<string>): string | undefined {
  const length = Array.from(word).length;
  if (length === 0) return undefined;
  const limit = Math.max(2, Math.floor(length / 3));
  let best: string | undefined;
  let bestDistance = Number.POSITIVE_INFINITY;
  for (const candidate of candidates) {
    // Cheap bound first: the distance is at least the difference in length.
    if (Math.abs(Array.from(candidate).length - length) > limit) continue;
    const distance = editDistance(word.toLowerCase(), candidate.toLowerCase());
    if (distance <= limit && distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  return best;
}
