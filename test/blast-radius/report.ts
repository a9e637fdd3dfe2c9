import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { TestProject } from 'vitest/node';

/** One line per verified promise, appended by `verify()` in fixture.ts. */
export interface BlastRow {
  promise: string;
  test: string;
  attacks: string[];
  contained: boolean;
  seconds: number;
  breach?: string;
}

declare module 'vitest' {
  export interface ProvidedContext {
    blastReport: string;
  }
}

function cell(text: string, width: number): string {
  return text.length > width ? `${text.slice(0, width - 1)}…` : text.padEnd(width);
}

/** The table printed once every blast-radius file has run: promise | attacks | contained. */
export function formatTable(rows: readonly BlastRow[]): string {
  const widths = { promise: 56, attacks: 80, contained: 9 };
  const line = (p: string, a: string, c: string, s: string) =>
    `| ${cell(p, widths.promise)} | ${cell(a, widths.attacks)} | ${cell(c, widths.contained)} | ${s.padStart(5)} |`;
  const rule = `|${'-'.repeat(widths.promise + 2)}|${'-'.repeat(widths.attacks + 2)}|${'-'.repeat(widths.contained + 2)}|-------|`;
  const out = [line('promise', 'attacks tried', 'contained', 's'), rule];
  for (const row of rows) {
    const attacks = row.attacks.join('; ');
    const chunks = attacks.match(new RegExp(`.{1,${widths.attacks}}(?:; |$)`, 'g')) ?? [''];
    const verdict = row.contained ? 'yes' : row.breach ? 'NO:BREACH' : 'NO';
    chunks.forEach((chunk, i) => {
      out.push(
        i === 0
          ? line(`${row.promise} (${row.test})`, chunk.trim(), verdict, row.seconds.toFixed(1))
          : line('', chunk.trim(), '', ''),
      );
    });
  }
  const breaches = rows.filter((r) => !r.contained);
  out.push('');
  out.push(
    `${rows.length} promise checks, ${rows.length - breaches.length} contained, ${breaches.length} not`,
  );
  for (const row of breaches)
    out.push(`  NOT CONTAINED: ${row.test}${row.breach ? ` — ${row.breach}` : ''}`);
  return out.join('\n');
}

export default function setup(project: TestProject) {
  const file = join(mkdtempSync(join(tmpdir(), 'asylum-blast-')), 'results.jsonl');
  project.provide('blastReport', file);
  return () => {
    if (existsSync(file)) {
      const rows = readFileSync(file, 'utf8')
        .split('\n')
        .filter(Boolean)
        .map((l) => JSON.parse(l) as BlastRow);
      process.stdout.write(`\nBlast-radius conformance\n${formatTable(rows)}\n\n`);
    }
    rmSync(dirname(file), { recursive: true, force: true });
  };
}
