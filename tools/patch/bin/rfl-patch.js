#!/usr/bin/env node
// CommonJS (bin/package.json): Node starts a CommonJS entry faster than an ES module.
const argv = process.argv.slice(2);
const help = argv.includes('--help') || argv.includes('-h');
if (argv[0] === 'check' && !help) {
  // `check` is a short batch run over many small inputs: most of its CPU time went to
  // the optimizing compiler's work on code that finishes before the optimized code pays
  // off. Capping the tiers at Maglev cuts a 400-patch run by a third (BENCHMARKS.md).
  const { setFlagsFromString } = require('node:v8');
  setFlagsFromString('--maglev');
  setFlagsFromString('--max-opt=2');
  // One CommonJS file each (scripts/bundle.mjs): loads faster than the module graph.
  require('../dist/check.cjs').checkMain(argv.slice(1));
} else if (argv[0] === 'am' && !help) {
  require('../dist/am.cjs').amMain(argv.slice(1));
} else {
  import('../dist/cli.js');
}
