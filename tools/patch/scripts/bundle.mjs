// Writes dist/check.cjs and dist/am.cjs: dist/check-main.js and dist/am-main.js, each with
// the modules it imports, as one CommonJS file, which bin/rfl-patch.js loads for
// `rfl-patch check` and `rfl-patch am`. Node 20 loads one CommonJS file in less time than
// it takes to resolve, link and evaluate the same modules as an ES module graph, and both
// commands are short runs where start-up counts (BENCHMARKS.md). Run after `tsc -b` (the
// package's build script does).
import { build } from 'esbuild';

const ENTRIES = { check: 'dist/check-main.js', am: 'dist/am-main.js' };
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
      logLevel: 'warning',
    }),
  ),
);
