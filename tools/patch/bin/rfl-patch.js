#!/usr/bin/env node
import { setFlagsFromString } from 'node:v8';

// `check` is a short batch run over many small inputs: most of its CPU time went to the
// optimizing compiler's work on code that finishes before the optimized code pays off.
// Capping the tiers at Maglev cuts a 400-patch run by a third (BENCHMARKS.md).
if (process.argv[2] === 'check') {
  setFlagsFromString('--maglev');
  setFlagsFromString('--max-opt=2');
}
await import('../dist/cli.js');
