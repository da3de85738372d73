// Cost of KVec growth next to a plain JavaScript array, measured in the same run.
//
//   pnpm build && pnpm --filter @rfl/alloc bench        (or: node bench/kvec.mjs --quick / --json)

import { GFP_KERNEL, KVec } from '@rfl/alloc';
import { rate as benchRate, overhead, perSecond } from '@rfl/bench';
import { mm_init } from '@rfl/kernel';

const args = new Set(process.argv.slice(2));
const json = args.has('--json');
const scale = args.has('--quick') ? 0.1 : 1;

const rate = (fn, n) => benchRate(fn, n, { quick: scale < 1 });

const LEN = 1000;
let sink = 0;

/** `n` pushes, in vectors of LEN elements made and dropped in turn. */
const kvecPush = (make) => (n) => {
  for (let done = 0; done < n; done += LEN) {
    const v = make();
    for (let i = 0; i < LEN; i++) v.push(i & 0xff, GFP_KERNEL);
    sink += v.len;
    v[Symbol.dispose]();
  }
};

function jsPush(n) {
  for (let done = 0; done < n; done += LEN) {
    const v = [];
    for (let i = 0; i < LEN; i++) v.push(i & 0xff);
    sink += v.length;
  }
}

const configs = [
  { name: 'detectors off', boot: { quiet: true } },
  {
    name: 'KASAN (kasan.stacktrace=off)',
    boot: { quiet: true, kasan: true, kasan_stacktrace: false },
  },
];

const results = [];
for (const cfg of configs) {
  mm_init(cfg.boot);
  results.push({
    config: cfg.name,
    values: await rate(
      kvecPush(() => KVec.new()),
      2e6,
    ),
    bytes: await rate(
      kvecPush(() => KVec.bytes()),
      2e6,
    ),
    js: await rate(jsPush, 2e6),
  });
}
mm_init({ quiet: true });

if (json) {
  console.log(JSON.stringify({ node: process.version, results }, null, 2));
} else {
  console.log(`node ${process.version}`);
  for (const r of results) {
    console.log(`\n${r.config}`);
    console.log(
      `  KVec<number> push  ${perSecond(r.values)}  (Array.push ${perSecond(r.js)}, overhead ${overhead(r.js, r.values)})`,
    );
    console.log(
      `  KVec bytes push    ${perSecond(r.bytes)}  (Array.push ${perSecond(r.js)}, overhead ${overhead(r.js, r.bytes)})`,
    );
  }
}
if (sink < 0) console.log(sink);
