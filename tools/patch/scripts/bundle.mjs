// Writes dist/check.cjs, dist/am.cjs and dist/range-diff.cjs: dist/<command>-main.js with
// the modules it imports, as one CommonJS file, which bin/rfl-patch.js loads for
// `rfl-patch check`, `rfl-patch am` and `rfl-patch range-diff`. Node 20 loads one
// CommonJS file in less time than it takes to resolve, link and evaluate the same modules
// as an ES module graph, and the three are short runs where start-up counts
// (BENCHMARKS.md). Run after `tsc -b` (the package's build script does).
import { build } from 'esbuild';

const ENTRIES = {
  check: 'dist/check-main.js',
  am: 'dist/am-main.js',
  'range-diff': 'dist/range-diff-main.js',
};
const root = new URL('..', import.meta.url);

await Promise.all(
  Object.entries(ENTRIES).map(([name, entry]) =>
    build({
      absWorkingDir: root.pathname,
      entryPoints: [entry],
      outfile: `dist/${name}.cjs`,
      bundle: true,
      format: 'cjs',
      platform: 'node',
      target: 'node20',
      // Our own modules only: packages stay require()s, as they would be without a bundle.
      packages: 'external',
      legalComments: 'none',
      // import.meta.url, which CommonJS lacks, as the bundle's own URL: a module that
      // requires a package relative to itself (createRequire) finds it from dist/.
      banner: { js: "const importMetaUrl = require('node:url').pathToFileURL(__filename).href;" },
      define: { 'import.meta.url': 'importMetaUrl' },
      logLevel: 'warning',
    }),
  ),
);
