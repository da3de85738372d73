// Reads of the foxes devices through the VFS, as `cat /dev/foxes` makes them, in a user
// process of the simulated kernel:
// - `cat`: open, read into a 64 KiB buffer (200 foxes, 800 bytes), read again (0: end of
//   file), close; reported in MB/s of foxes and in cats per second;
// - the same on /dev/zero with one 64 KiB read per open, the VFS's ceiling for that shape;
// - a 1-byte read of an open foxes file: it returns 0 without consuming a fox, so it is a
//   whole read(2) round trip (descriptor lookup, checks, the driver's read) doing no copy;
// - the same round trip on /dev/null, whose read is an empty function.
//
//   pnpm --filter @rfl/miscdev build && pnpm --filter @rfl/miscdev bench [--quick] [--json]

import { rate as benchRate } from '@rfl/bench';
import {
  driver_core_fs_init,
  driver_init,
  load_module,
  mm_init,
  module_reset,
  O_RDONLY,
  sim_spawn,
  sim_user_alloc,
  sim_user_strdup,
  sys_close,
  sys_open,
  sys_read,
  vfs_init,
} from '@rfl/kernel';
import '../dist/samples/foxes.js';
import '../dist/samples/foxes_c.js';

const args = new Set(process.argv.slice(2));
const json = args.has('--json');
const quick = args.has('--quick');
const rate = (fn, n) => benchRate(fn, n, { quick });

const BUF = 65536;
const FOXES_BYTES = 800;

mm_init({ quiet: true });
vfs_init();
driver_core_fs_init();
driver_init();
module_reset();

/** The driver modules measured: the safe one and the C-style one. */
const drivers = [
  { module: 'foxes', node: '/dev/foxes' },
  { module: 'foxes_c', node: '/dev/foxes_c' },
];
for (const d of drivers) {
  const err = await load_module(d.module);
  if (err < 0) throw new Error(`load_module(${d.module}): ${err}`);
}

/** Runs `body(path, buf)` as a user process with the path and a 64 KiB buffer in its memory. */
async function inProcess(node, body) {
  let out = 0;
  const code = await sim_spawn('cat', async () => {
    out = await body(sim_user_strdup(node), sim_user_alloc(BUF));
    return 0;
  }).exited;
  if (code !== 0) throw new Error(`bench process exited with ${code}`);
  return out;
}

/** n times: open, read until 0, close. */
function cats(node) {
  return (n) =>
    inProcess(node, async (path, buf) => {
      for (let i = 0; i < n; i++) {
        const fd = await sys_open(path, O_RDONLY, 0);
        while ((await sys_read(fd, buf, BUF)) > 0);
        await sys_close(fd);
      }
    });
}

/** n times: open, one 64 KiB read, close. */
function zeroReads(n) {
  return inProcess('/dev/zero', async (path, buf) => {
    for (let i = 0; i < n; i++) {
      const fd = await sys_open(path, O_RDONLY, 0);
      await sys_read(fd, buf, BUF);
      await sys_close(fd);
    }
  });
}

/** n 1-byte reads of one open file. */
function byteReads(node) {
  return (n) =>
    inProcess(node, async (path, buf) => {
      const fd = await sys_open(path, O_RDONLY, 0);
      for (let i = 0; i < n; i++) await sys_read(fd, buf, 1);
      await sys_close(fd);
    });
}

const results = {};
for (const d of drivers) {
  results[`${d.module}_cat`] = await rate(cats(d.node), 2e4);
  results[`${d.module}_read1`] = await rate(byteReads(d.node), 2e5);
}
results.zero_64k = await rate(zeroReads, 2e3);
results.null_read1 = await rate(byteReads('/dev/null'), 2e5);

const mbps = (perSec, bytes) => `${((perSec * bytes) / 1e6).toFixed(1)} MB/s`;
const kps = (perSec) => `${(perSec / 1e3).toFixed(1)} k/s`;
const row = (what, figure, note) =>
  console.log(`  ${what.padEnd(28)} ${figure.padStart(11)}  ${note}`);
if (json) {
  console.log(JSON.stringify({ node: process.version, results }, null, 2));
} else {
  console.log(`node ${process.version}, ${quick ? 'quick' : 'full'} run`);
  for (const d of drivers) {
    const cat = results[`${d.module}_cat`];
    row(`cat ${d.node}`, mbps(cat, FOXES_BYTES), `${kps(cat)} open+read+read+close`);
  }
  const z = results.zero_64k;
  row('64 KiB of /dev/zero', mbps(z, BUF), `${kps(z)} open+read+close`);
  for (const d of drivers) {
    const r = results[`${d.module}_read1`];
    row(`1-byte read of ${d.node}`, kps(r), `${(1e6 / r).toFixed(1)} µs per read(2)`);
  }
  const r = results.null_read1;
  row('1-byte read of /dev/null', kps(r), `${(1e6 / r).toFixed(1)} µs per read(2)`);
}
