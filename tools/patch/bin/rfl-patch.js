#!/usr/bin/env node
// CommonJS (bin/package.json): Node starts a CommonJS entry faster than an ES module.
const argv = process.argv.slice(2);
const help = argv.includes('--help') || argv.includes('-h');

/**
 * Loads dist/<name>.cjs, one CommonJS file built from the command's modules
 * (scripts/bundle.mjs), which Node loads faster than the ES module graph. With V8's code
 * cache written at build time (dist/<name>.cjs.cache) the functions a run needs are not
 * compiled again; V8 checks that the cache fits this Node, these flags and this source,
 * and compiles as usual when it does not.
 */
function loadBundle(name) {
  const { readFileSync, writeFileSync } = require('node:fs');
  const { join } = require('node:path');
  const { Script } = require('node:vm');
  const file = join(__dirname, '..', 'dist', `${name}.cjs`);
  let cachedData;
  try {
    cachedData = readFileSync(`${file}.cache`);
  } catch {}
  const source = readFileSync(file, 'utf8');
  const wrapped = `(function (exports, require, module, __filename, __dirname) {${source}\n})`;
  const script = new Script(wrapped, { filename: file, cachedData });
  const module = { exports: {} };
  script.runInThisContext()(module.exports, require, module, file, join(file, '..'));
  if (process.env.RFL_PATCH_WRITE_CODE_CACHE === '1') {
    // The build's sample run: keep what it compiled (scripts/bundle.mjs).
    process.on('exit', () => writeFileSync(`${file}.cache`, script.createCachedData()));
  }
  return module.exports;
}

if (argv[0] === 'check' && !help) {
  // `check` is a short batch run over many small inputs: most of its CPU time went to
  // TurboFan compiling code that finishes before the optimized code pays off. Capping
  // the tiers at Sparkplug cuts a 400-patch run by ~40 % (BENCHMARKS.md). (This used
  // to ask for Maglev, which Node 20's V8 never tiers up to: the same cap in effect.)
  require('node:v8').setFlagsFromString('--max-opt=1');
  loadBundle('check').checkMain(argv.slice(1));
} else if (argv[0] === 'am' && !help) {
  loadBundle('am').amMain(argv.slice(1));
} else {
  import('../dist/cli.js');
}
