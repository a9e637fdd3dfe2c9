// Bundles the CLI into one ESM file, dist/asylum.js, so start-up reads a single
// module. Runtime libraries are devDependencies because they are inlined here.
import { chmodSync, readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const pkg = JSON.parse(readFileSync(resolve(root, 'package.json'), 'utf8'));

/** `import text from './file.sh?raw'`: the file's text, as Vite does it for tests. */
const rawPlugin = {
  name: 'raw',
  setup(b) {
    b.onResolve({ filter: /\?raw$/ }, (args) => ({
      path: resolve(args.resolveDir, args.path.slice(0, -4)),
      namespace: 'raw',
    }));
    b.onLoad({ filter: /.*/, namespace: 'raw' }, (args) => ({
      contents: readFileSync(args.path, 'utf8'),
      loader: 'text',
    }));
  },
};

// CommonJS dependencies inside an ESM bundle still call require() and read __dirname.
const banner = [
  '#!/usr/bin/env node',
  "import { createRequire as __asylumRequire } from 'node:module';",
  "import { fileURLToPath as __asylumPath } from 'node:url';",
  'const require = __asylumRequire(import.meta.url);',
  'const __filename = __asylumPath(import.meta.url);',
  "const __dirname = __filename.slice(0, __filename.lastIndexOf('/'));",
].join('\n');

const entry = process.argv[2] ?? 'src/cli/main.ts';
const outfile = process.argv[3] ?? 'dist/asylum.js';
await build({
  entryPoints: [resolve(root, entry)],
  outfile: resolve(root, outfile),
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  minify: true,
  sourcemap: 'linked',
  legalComments: 'external',
  banner: { js: banner },
  define: { ASYLUM_VERSION: JSON.stringify(pkg.version) },
  plugins: [rawPlugin],
  logLevel: 'warning',
});
chmodSync(resolve(root, outfile), 0o755);
