#!/usr/bin/env node
// CommonJS (bin/package.json): Node starts a CommonJS entry faster than an ES module.
const argv = process.argv.slice(2);
const help = argv.includes('--help') || argv.includes('-h');

/**
 * Loads dist/<name>.cjs, one CommonJS file bundled from the command's modules
 * (scripts/bundle.mjs), which Node loads faster than the ES module graph.
 */
function loadBundle(name) {
  return require(`../dist/${name}.cjs`);
}

if (argv[0] === 'check' && !help) {
  // `check` is a short batch run over many small inputs: most of its CPU time went to
  // TurboFan compiling code that finishes before the optimized code pays off. Capping
  // the tiers at Sparkplug cuts a 400-patch run by ~40 % (BENCHMARKS.md). (This used
  // to ask for Maglev, which Node 20's V8 never tiers up to: the same cap in effect.)
  // Its many regular expressions each run hundreds of times: compiling them to machine
  // code at once, instead of interpreting them first, takes ~3 ms off 400 patches.
  const v8 = require('node:v8');
  v8.setFlagsFromString('--max-opt=1');
  v8.setFlagsFromString('--no-regexp-tier-up');
  loadBundle('check').checkMain(argv.slice(1));
} else if (argv[0] === 'am' && !help) {
  loadBundle('am').amMain(argv.slice(1));
} else if (argv[0] === 'range-diff' && !help) {
  loadBundle('range-diff').rangeDiffMain(argv.slice(1));
} else {
  import('../dist/cli.js');
}
