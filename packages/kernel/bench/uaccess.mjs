// User-copy throughput of the simulated kernel: copy_to_user/copy_from_user
// of 4 KiB and get_user of 4 bytes, with hardened usercopy on and off, next
// to the plain JavaScript copy of the same bytes.
//
//   pnpm --filter @rfl/kernel build && node packages/kernel/bench/uaccess.mjs [--quick] [--json]

import { rate as benchRate, perSecond } from '@rfl/bench';
import {
  copy_from_user,
  copy_to_user,
  GFP_KERNEL,
  get_user,
  kfree,
  kmalloc,
  mm_init,
  set_hardened_usercopy,
  sim_user_alloc,
  sim_user_write,
} from '../dist/index.js';

const args = new Set(process.argv.slice(2));
const json = args.has('--json');
const quick = args.has('--quick');
const rate = (fn, n) => benchRate(fn, n, { quick });

const SIZE = 4096;
let sink = 0;

function setup() {
  const u = sim_user_alloc(SIZE);
  sim_user_write(u, new Uint8Array(SIZE));
  const k = kmalloc(SIZE, GFP_KERNEL);
  return { u, k };
}

const to_user =
  ({ u, k }) =>
  (n) => {
    for (let i = 0; i < n; i++) sink += copy_to_user(u, k, SIZE);
  };
const from_user =
  ({ u, k }) =>
  (n) => {
    for (let i = 0; i < n; i++) sink += copy_from_user(k, u, SIZE);
  };
const get_user4 =
  ({ u }) =>
  (n) => {
    for (let i = 0; i < n; i++) sink += get_user(u, 4)[1];
  };
const js_src = new Uint8Array(SIZE);
const js_dst = new Uint8Array(SIZE);
const js_copy = (n) => {
  for (let i = 0; i < n; i++) js_dst.set(js_src);
};

const results = [];
for (const hardened of [true, false]) {
  mm_init({ quiet: true });
  set_hardened_usercopy(hardened);
  const bufs = setup();
  results.push({
    config: hardened ? 'hardened usercopy on' : 'hardened usercopy off',
    to_user: await rate(to_user(bufs), 2e5),
    from_user: await rate(from_user(bufs), 2e5),
    get_user: await rate(get_user4(bufs), 1e6),
    js_copy: await rate(js_copy, 2e6),
  });
  kfree(bufs.k);
}
set_hardened_usercopy(true);

if (json) {
  console.log(JSON.stringify({ node: process.version, results }, null, 2));
} else {
  console.log(`node ${process.version}, ${quick ? 'quick' : 'full'} run`);
  for (const r of results) {
    console.log(`\n${r.config}`);
    console.log(
      `  copy_to_user 4 KiB    ${perSecond(r.to_user)}  (${((r.to_user * SIZE) / 1e6).toFixed(0)} MB/s)`,
    );
    console.log(
      `  copy_from_user 4 KiB  ${perSecond(r.from_user)}  (${((r.from_user * SIZE) / 1e6).toFixed(0)} MB/s)`,
    );
    console.log(`  get_user 4 B          ${perSecond(r.get_user)}`);
    console.log(`  Uint8Array.set 4 KiB  ${perSecond(r.js_copy)}`);
  }
}
if (sink < 0) console.log(sink);
