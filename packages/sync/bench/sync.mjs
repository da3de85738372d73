// Cost of the safe abstractions of @rfl/sync, each next to the plain JavaScript that does the
// same job, measured in the same run.
//
//   pnpm build && pnpm --filter @rfl/sync bench        (or: node bench/sync.mjs --quick / --json)

import { GFP_KERNEL } from '@rfl/alloc';
import { rate as benchRate, overhead, perSecond } from '@rfl/bench';
import {
  DEFINE_MUTEX,
  DEFINE_SPINLOCK,
  debug_locks_off,
  kasan_disable,
  kmemleak_disable,
  lockdep_reset,
  mm_init,
  mutex_lock,
  mutex_unlock,
  REFCOUNT_INIT,
  refcount_dec_and_test,
  refcount_inc,
  spin_lock,
  spin_unlock,
} from '@rfl/kernel';
import { Arc, Mutex, SpinLock } from '@rfl/sync';

const args = new Set(process.argv.slice(2));
const json = args.has('--json');
const scale = args.has('--quick') ? 0.1 : 1;

const rate = (fn, n) => benchRate(fn, n, { quick: scale < 1 });

let sink = 0;

function arcCloneDispose(n) {
  const a = Arc.new({ x: 1 }, GFP_KERNEL);
  for (let i = 0; i < n; i++) {
    const c = a.clone();
    sink += c.value.x;
    c[Symbol.dispose]();
  }
  a[Symbol.dispose]();
}

// The plain equivalent: a counted, shared object and a handle object per reference.
function jsCloneDispose(n) {
  const inner = { refs: 1, value: { x: 1 } };
  for (let i = 0; i < n; i++) {
    inner.refs++;
    const c = { inner };
    sink += c.inner.value.x;
    c.inner.refs--;
  }
}

// The C calls underneath, to separate the cost of the abstraction from that of the kernel.
const rawRef = REFCOUNT_INIT(1);
function rawRefcount(n) {
  for (let i = 0; i < n; i++) {
    refcount_inc(rawRef);
    if (refcount_dec_and_test(rawRef)) throw new Error('freed');
  }
}
const rawSpin = DEFINE_SPINLOCK('bench_raw_spin');
function rawSpinLockUnlock(n) {
  for (let i = 0; i < n; i++) {
    spin_lock(rawSpin);
    spin_unlock(rawSpin);
  }
}
const rawMutex = DEFINE_MUTEX('bench_raw_mutex');
async function rawMutexLockUnlock(n) {
  for (let i = 0; i < n; i++) {
    await mutex_lock(rawMutex);
    mutex_unlock(rawMutex);
  }
}

const spin = SpinLock.new(0);
function spinLockUnlock(n) {
  for (let i = 0; i < n; i++) {
    const g = spin.lock();
    g.value += 1;
    g[Symbol.dispose]();
  }
}

const jsLock = { held: false, data: 0 };
function jsLockUnlock(n) {
  for (let i = 0; i < n; i++) {
    if (jsLock.held) throw new Error('deadlock');
    jsLock.held = true;
    jsLock.data += 1;
    jsLock.held = false;
  }
}

const mutex = Mutex.new(0);
async function mutexLockUnlock(n) {
  for (let i = 0; i < n; i++) {
    const g = await mutex.lock();
    g.value += 1;
    g[Symbol.dispose]();
  }
}

// The plain equivalent: an async lock that is free, so it resolves at once.
const jsMutex = { held: false, data: 0 };
async function jsAcquire(m) {
  while (m.held) await new Promise((r) => setImmediate(r));
  m.held = true;
}
async function jsMutexLockUnlock(n) {
  for (let i = 0; i < n; i++) {
    await jsAcquire(jsMutex);
    jsMutex.data += 1;
    jsMutex.held = false;
  }
}

const configs = [
  {
    // Lock debugging off as a kernel built without CONFIG_DEBUG_SPINLOCK and
    // CONFIG_PROVE_LOCKING has it: no lockdep, no preempt_disable_ip recording.
    name: 'detectors off (no KASAN, no kmemleak, no lock debugging)',
    setup() {
      mm_init({ quiet: true });
      kasan_disable();
      kmemleak_disable();
      debug_locks_off();
    },
  },
  {
    name: 'lockdep on',
    setup() {
      mm_init({ quiet: true });
      lockdep_reset();
    },
  },
];

const results = [];
for (const cfg of configs) {
  cfg.setup();
  const row = { config: cfg.name };
  row.arc = await rate(arcCloneDispose, 2e6);
  row.js_arc = await rate(jsCloneDispose, 2e6);
  row.raw_arc = await rate(rawRefcount, 2e6);
  row.raw_spin = await rate(rawSpinLockUnlock, 1e6);
  row.raw_mutex = await rate(rawMutexLockUnlock, 3e5);
  row.spin = await rate(spinLockUnlock, 1e6);
  row.js_spin = await rate(jsLockUnlock, 1e6);
  row.mutex = await rate(mutexLockUnlock, 3e5);
  row.js_mutex = await rate(jsMutexLockUnlock, 3e5);
  results.push(row);
}

if (json) {
  console.log(JSON.stringify({ node: process.version, results }, null, 2));
} else {
  console.log(`node ${process.version}`);
  for (const r of results) {
    console.log(`\n${r.config}`);
    const line = (what, safe, raw, js) =>
      console.log(
        `  ${what.padEnd(23)} ${perSecond(safe)}  (C call alone ${perSecond(raw)}, plain JS ${perSecond(js)}, overhead ${overhead(js, safe)})`,
      );
    line('Arc clone+dispose', r.arc, r.raw_arc, r.js_arc);
    line('SpinLock lock+unlock', r.spin, r.raw_spin, r.js_spin);
    line('Mutex uncontended lock', r.mutex, r.raw_mutex, r.js_mutex);
  }
}
if (sink < 0) console.log(sink);
