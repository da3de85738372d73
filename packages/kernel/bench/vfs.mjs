// System-call throughput of the simulated VFS, as a user program sees it: each figure is a
// loop of system calls with user-memory buffers; the 4 KiB read is shown next to a plain
// 4 KiB Uint8Array copy measured in the same run.
//
//   pnpm --filter @rfl/kernel build && node packages/kernel/bench/vfs.mjs [--quick] [--json]
//
// Runs against the built package (dist/), as other packages use it.

import { rate as benchRate, overhead, perSecond } from '@rfl/bench';
import {
  mm_init,
  O_CREAT,
  O_RDONLY,
  O_RDWR,
  sim_user_alloc,
  sim_user_read,
  sim_user_strdup,
  sys_close,
  sys_lseek,
  sys_open,
  sys_pipe2,
  sys_read,
  sys_write,
  vfs_init,
} from '../dist/index.js';

const args = new Set(process.argv.slice(2));
const json = args.has('--json');
const quick = args.has('--quick');
const rate = (fn, n) => benchRate(fn, n, { quick });

mm_init({ quiet: true });
vfs_init();

// The boot context has an address space, so the loops run there without a task switch.
const buf = sim_user_alloc(4096);
const name = sim_user_strdup('/tmp/bench');
const fd = await sys_open(name, O_CREAT | O_RDWR, 0o644);
await sys_write(fd, buf, 4096);
const fds = sim_user_alloc(8);
await sys_pipe2(fds, 0);
const pair = new DataView(sim_user_read(fds, 8).buffer);
const [rfd, wfd] = [pair.getInt32(0, true), pair.getInt32(4, true)];

let sink = 0;
const open_close = async (n) => {
  for (let i = 0; i < n; i++) await sys_close(await sys_open(name, O_RDONLY, 0));
};
const pread_4k = async (n) => {
  for (let i = 0; i < n; i++) {
    await sys_lseek(fd, 0, 0);
    if ((await sys_read(fd, buf, 4096)) !== 4096) throw new Error('read failed');
  }
};
const js_copy_4k = (n) => {
  const src = new Uint8Array(4096);
  const dst = new Uint8Array(4096);
  for (let i = 0; i < n; i++) dst.set(src);
};
const pipe_64 = async (n) => {
  for (let i = 0; i < n; i++) {
    if ((await sys_write(wfd, buf, 64)) !== 64) throw new Error('pipe write failed');
    sink += await sys_read(rfd, buf, 64);
  }
};

const r = {
  open_close: await rate(open_close, 1e5),
  read_4k: await rate(pread_4k, 1e5),
  js_copy_4k: await rate(js_copy_4k, 1e6),
  pipe_64: await rate(pipe_64, 1e5),
};

if (json) {
  console.log(JSON.stringify({ node: process.version, results: r }, null, 2));
} else {
  console.log(`node ${process.version}, ${quick ? 'quick' : 'full'} run`);
  console.log(`  open+close of a tmpfs file      ${perSecond(r.open_close)}`);
  console.log(
    `  lseek+read 4 KiB (tmpfs)        ${perSecond(r.read_4k)}  (Uint8Array.set 4 KiB ${perSecond(r.js_copy_4k)}, ${overhead(r.js_copy_4k, r.read_4k)} slower)`,
  );
  console.log(`  write+read 64 B through a pipe  ${perSecond(r.pipe_64)}`);
}
if (sink < 0) console.log(sink);
