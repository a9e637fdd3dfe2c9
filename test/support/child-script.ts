import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build } from 'esbuild';

/**
 * Bundles a few lines of TypeScript that import asylum modules into a script
 * that `node` can run as a separate process: lock and state tests need real
 * concurrent processes, which one event loop (or vitest's workers) would not prove.
 */
export async function bundleChildScript(
  lines: readonly string[],
  resolveDir: string,
): Promise<{ script: string; remove: () => void }> {
  const dir = mkdtempSync(join(tmpdir(), 'asylum-child-'));
  const script = join(dir, 'child.mjs');
  await build({
    stdin: { contents: lines.join('\n'), loader: 'ts', resolveDir },
    outfile: script,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    // proper-lockfile and write-file-atomic are CommonJS: they call require()
    // and read __filename, which an ESM bundle must provide.
    banner: {
      js: [
        "import { createRequire } from 'node:module';",
        "import { fileURLToPath } from 'node:url';",
        'const require = createRequire(import.meta.url);',
        'const __filename = fileURLToPath(import.meta.url);',
      ].join('\n'),
    },
    logLevel: 'warning',
  });
  return { script, remove: () => rmSync(dir, { recursive: true, force: true }) };
}
