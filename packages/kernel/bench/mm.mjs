// Memory-management throughput of the simulated kernel, each figure next to
// the plain JavaScript equivalent measured in the same run.
//
//   pnpm --filter @rfl/kernel build && pnpm --filter @rfl/kernel bench
//
// Runs against the built package (dist/), as other packages use it.

import { rate as benchRate, perSecond } from '@rfl/bench';
import {
  __free_pages,
  alloc_pages,
  GFP_KERNEL,
  kfree,
  kmalloc,
  memcpy,
  mm_init,
} from '../dist/index.js';

const args = new Set(process.argv.slice(2));
const json = args.has('--json');
const quick = args.has('--quick');
const scale = quick ? 0.1 : 1;

const rate = (fn, n) => benchRate(fn, n, { quick: scale < 1 });

let sink = 0;

const kmalloc_pairs = (size) => (n) => {
  for (let i = 0; i < n; i++) kfree(kmalloc(size, GFP_KERNEL));
};

const js_new_pairs = (size) => (n) => {
  for (let i = 0; i < n; i++) {
    const o = new Uint8Array(size);
    sink += o.length;
  }
};

const page_pairs = (n) => {
  for (let i = 0; i < n; i++) __free_pages(alloc_pages(GFP_KERNEL, 0), 0);
};

const js_page_pairs = (n) => {
  for (let i = 0; i < n; i++) {
    const o = new ArrayBuffer(4096);
    sink += o.byteLength;
  }
};

const COPY = 1 << 20;
function memcpy_mb(n) {
  const a = kmalloc(COPY, GFP_KERNEL);
  const b = kmalloc(COPY, GFP_KERNEL);
  for (let i = 0; i < n; i++) memcpy(b, a, COPY);
  kfree(a);
  kfree(b);
}
const js_src = new Uint8Array(COPY);
const js_dst = new Uint8Array(COPY);
function js_copy_mb(n) {
  for (let i = 0; i < n; i++) js_dst.set(js_src);
}

const configs = [
  { name: 'detectors off', boot: { quiet: true } },
  {
    name: 'KASAN (kasan.stacktrace=off)',
    boot: { quiet: true, kasan: true, kasan_stacktrace: false },
  },
  { name: 'KASAN (kasan.stacktrace=on)', boot: { quiet: true, kasan: true }, slow: true },
];

const results = [];
for (const cfg of configs) {
  mm_init(cfg.boot);
  const f = cfg.slow ? 0.02 : 1;
  const row = { config: cfg.name };
  row.kmalloc64 = await rate(kmalloc_pairs(64), 2e6 * f);
  row.new64 = await rate(js_new_pairs(64), 2e6);
  row.kmalloc4k = await rate(kmalloc_pairs(4096), 1e6 * f);
  row.new4k = await rate(js_new_pairs(4096), 1e6 * f);
  row.pages = await rate(page_pairs, 1e6 * f);
  row.js_pages = await rate(js_page_pairs, 1e6 * f);
  row.memcpy_mbs = await rate(memcpy_mb, 2000);
  row.js_copy_mbs = await rate(js_copy_mb, 2000);
  results.push(row);
}

const ratio = (a, b) => `simulated/JS ${(a / b).toFixed(2)}`;
if (json) {
  console.log(JSON.stringify({ node: process.version, results }, null, 2));
} else {
  console.log(`node ${process.version}, ${quick ? 'quick' : 'full'} run`);
  for (const r of results) {
    console.log(`\n${r.config}`);
    console.log(
      `  kmalloc+kfree 64 B   ${perSecond(r.kmalloc64)}  (new Uint8Array(64) ${perSecond(r.new64)}, ${ratio(r.kmalloc64, r.new64)})`,
    );
    console.log(
      `  kmalloc+kfree 4 KiB  ${perSecond(r.kmalloc4k)}  (new Uint8Array(4096) ${perSecond(r.new4k)}, ${ratio(r.kmalloc4k, r.new4k)})`,
    );
    console.log(
      `  alloc_pages+free     ${perSecond(r.pages)}  (new ArrayBuffer(4096) ${perSecond(r.js_pages)}, ${ratio(r.pages, r.js_pages)})`,
    );
    console.log(
      `  memcpy 1 MiB         ${r.memcpy_mbs.toFixed(0)} MB/s  (Uint8Array.set ${r.js_copy_mbs.toFixed(0)} MB/s, ${ratio(r.memcpy_mbs, r.js_copy_mbs)})`,
    );
  }
  const off = results[0];
  const kasan = results[1];
  console.log(
    `\nKASAN (stacktrace=off) slowdown for kmalloc+kfree 64 B: ${(off.kmalloc64 / kasan.kmalloc64).toFixed(2)}x`,
  );
  console.log(
    `KASAN (stacktrace=on) slowdown for kmalloc+kfree 64 B: ${(off.kmalloc64 / results[2].kmalloc64).toFixed(1)}x`,
  );
}
if (sink < 0) console.log(sink);
