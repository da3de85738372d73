// Throughput of the memory accessors on RAM (`readl`/`writel`/`readb`/`readq` on a
// kmalloc'd buffer, through the direct map) next to a DataView doing the same, and of
// `readl`/`writel` on an ioremap'd MMIO register of a main-thread device model.
//
//   pnpm --filter @rfl/kernel build && node bench/io.mjs [--quick] [--json]
//
// The RAM figures guard the hot path: MMIO dispatch must not slow RAM accesses down.

import { rate as benchRate, perSecond } from '@rfl/bench';
import * as k from '../dist/index.js';

const { GFP_KERNEL, kfree, kmalloc, mm_init, readb, readl, readq, writel } = k;

const args = new Set(process.argv.slice(2));
const json = args.has('--json');
const quick = args.has('--quick');
const rate = (fn, n) => benchRate(fn, n, { quick });

mm_init({ quiet: true });
const SIZE = 4096;
const buf = kmalloc(SIZE, GFP_KERNEL);
let sink = 0;

function ram_readl(n) {
  let s = 0;
  for (let i = 0; i < n; i++) s += readl(buf + ((i * 4) & (SIZE - 4)));
  sink += s;
}
function ram_writel(n) {
  for (let i = 0; i < n; i++) writel(i, buf + ((i * 4) & (SIZE - 4)));
}
function ram_readb(n) {
  let s = 0;
  for (let i = 0; i < n; i++) s += readb(buf + (i & (SIZE - 1)));
  sink += s;
}
function ram_readq(n) {
  let s = 0n;
  for (let i = 0; i < n; i++) s ^= readq(buf + ((i * 8) & (SIZE - 8)));
  sink += Number(s & 1n);
}
const js = new DataView(new SharedArrayBuffer(SIZE));
function js_getUint32(n) {
  let s = 0;
  for (let i = 0; i < n; i++) s += js.getUint32((i * 4) & (SIZE - 4), true);
  sink += s;
}

const results = {
  readl: await rate(ram_readl, 2e7),
  writel: await rate(ram_writel, 2e7),
  readb: await rate(ram_readb, 2e7),
  readq: await rate(ram_readq, 5e6),
  js_getUint32: await rate(js_getUint32, 2e7),
};

// MMIO through a main-thread device model, when this build has ioremap.
if (typeof k.sim_mmio_register === 'function') {
  const regs = new Uint32Array(64);
  const phys = 0xfe000000;
  k.sim_mmio_register(phys, 0x100, 'bench', {
    read: (offset) => regs[offset >> 2],
    write: (offset, _size, value) => {
      regs[offset >> 2] = Number(value);
    },
  });
  const io = k.ioremap(phys, 0x100);
  results.mmio_readl = await rate((n) => {
    let s = 0;
    for (let i = 0; i < n; i++) s += readl(io + ((i * 4) & 0xfc));
    sink += s;
  }, 2e6);
  results.mmio_writel = await rate((n) => {
    for (let i = 0; i < n; i++) writel(i, io + ((i * 4) & 0xfc));
  }, 2e6);
  k.iounmap(io);
}
kfree(buf);

if (json) {
  console.log(JSON.stringify({ node: process.version, results }, null, 2));
} else {
  console.log(`node ${process.version}, ${quick ? 'quick' : 'full'} run`);
  for (const [name, r] of Object.entries(results))
    console.log(`  ${name.padEnd(14)} ${perSecond(r)}`);
}
if (sink === 0.5) console.log(sink);
