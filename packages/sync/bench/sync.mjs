// Cost of the safe abstractions of @rfl/sync, each next to the plain JavaScript that does the
// same job, measured in the same run.
//
//   pnpm build && pnpm --filter @rfl/sync bench        (or: node bench/sync.mjs --quick / --json)
//
// --cpu times the runs by the process's CPU time instead of the wall clock (for a machine
// shared with other work).

import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { GFP_KERNEL } from '@rfl/alloc';
import { rate as benchRate, overhead, perSecond } from '@rfl/bench';
import {
  alloc_task,
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
  run_as,
  spin_lock,
  spin_unlock,
} from '@rfl/kernel';
import { Arc, Mutex, SpinLock } from '@rfl/sync';

const args = new Set(process.argv.slice(2));
const json = args.has('--json');
const scale = args.has('--quick') ? 0.1 : 1;
const cpu = args.has('--cpu');

const rate = (fn, n) => benchRate(fn, n, { quick: scale < 1, cpu });

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

// Both sides of each lock comparison update the protected data, and `consumed` reads it back
// after the run, so that neither loop is dead code V8 could remove. The read is a function
// of its own: in the loop's function it would take part of V8's inlining budget, and the
// lock in the loop would no longer be inlined whole (45 M/s instead of 64 M/s).
const consumed = (fn, read) => (n) => {
  fn(n);
  sink += read();
};

const spin = SpinLock.new(0);
function spinLockUnlock(n) {
  for (let i = 0; i < n; i++) {
    const g = spin.lock();
    g.value += 1;
    g[Symbol.dispose]();
  }
}
function spinValue() {
  const g = spin.lock();
  const v = g.value;
  g[Symbol.dispose]();
  return v;
}

// The plain equivalent a JavaScript developer would write for a guard-based lock: a lock
// object with a held flag, whose lock() returns a guard that gives the data while held and
// unlocks once when disposed, refusing to unlock a lock that is not held.
class JsGuard {
  #lock;
  #held = true;
  constructor(lock) {
    this.#lock = lock;
  }
  get value() {
    if (!this.#held) throw new Error('guard used after unlock');
    return this.#lock.data;
  }
  set value(v) {
    if (!this.#held) throw new Error('guard used after unlock');
    this.#lock.data = v;
  }
  [Symbol.dispose]() {
    if (!this.#held) return;
    this.#held = false;
    this.#lock.unlock();
  }
}
class JsLock {
  held = false;
  data;
  constructor(data) {
    this.data = data;
  }
  lock() {
    if (this.held) throw new Error('deadlock');
    this.held = true;
    return new JsGuard(this);
  }
  unlock() {
    if (!this.held) throw new Error('unlocking a lock that is not held');
    this.held = false;
  }
}
const jsGuarded = new JsLock(0);
function jsGuardLockUnlock(n) {
  for (let i = 0; i < n; i++) {
    const g = jsGuarded.lock();
    g.value += 1;
    g[Symbol.dispose]();
  }
}

// The first peer: set and clear a flag around the update, no guard.
const jsLock = { held: false, data: 0 };
function jsLockUnlock(n) {
  for (let i = 0; i < n; i++) {
    if (jsLock.held) throw new Error('deadlock');
    jsLock.held = true;
    jsLock.data += 1;
    jsLock.held = false;
  }
}

// Code running in a task (every driver's code): current() is then an AsyncLocalStorage
// lookup, where outside any task it is a constant.
const benchTask = alloc_task('bench', 0);
const inTask = (fn) => (n) => run_as(benchTask, () => fn(n));

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

// Code that has run in a task leaves AsyncLocalStorage tracking every promise for the rest of
// the process, which slows all asynchronous code (the Mutex figures): the rows "in a task" are
// measured in a child process of their own (--task-rows), in the same configurations.
if (args.has('--task-rows')) {
  const rows = [];
  for (const cfg of configs) {
    cfg.setup();
    rows.push({
      raw_spin_task: await rate(inTask(rawSpinLockUnlock), 1e6),
      spin_task: await rate(inTask(consumed(spinLockUnlock, spinValue)), 1e6),
    });
  }
  console.log(JSON.stringify(rows));
  process.exit(0);
}

const results = [];
for (const cfg of configs) {
  cfg.setup();
  const row = { config: cfg.name };
  row.arc = await rate(arcCloneDispose, 2e6);
  row.js_arc = await rate(jsCloneDispose, 2e6);
  row.raw_arc = await rate(rawRefcount, 2e6);
  row.raw_spin = await rate(rawSpinLockUnlock, 1e6);
  row.raw_mutex = await rate(rawMutexLockUnlock, 3e5);
  row.spin = await rate(consumed(spinLockUnlock, spinValue), 1e6);
  row.js_spin = await rate(
    consumed(jsGuardLockUnlock, () => jsGuarded.data),
    1e6,
  );
  row.js_spin_flag = await rate(
    consumed(jsLockUnlock, () => jsLock.data),
    1e6,
  );
  row.mutex = await rate(mutexLockUnlock, 3e5);
  row.js_mutex = await rate(jsMutexLockUnlock, 3e5);
  results.push(row);
}
const child = spawnSync(
  process.execPath,
  [fileURLToPath(import.meta.url), '--task-rows', ...process.argv.slice(2)],
  { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] },
);
if (child.status !== 0) throw new Error(`--task-rows failed with status ${child.status}`);
for (const [i, rows] of JSON.parse(child.stdout).entries()) Object.assign(results[i], rows);

if (json) {
  console.log(
    JSON.stringify({ node: process.version, clock: cpu ? 'cpu' : 'wall', results }, null, 2),
  );
} else {
  console.log(`node ${process.version}, timed by ${cpu ? 'CPU time' : 'the wall clock'}`);
  for (const r of results) {
    console.log(`\n${r.config}`);
    const line = (what, safe, raw, js) =>
      console.log(
        `  ${what.padEnd(23)} ${perSecond(safe)}  (C call alone ${perSecond(raw)}, plain JS ${perSecond(js)}, overhead ${overhead(js, safe)})`,
      );
    line('Arc clone+dispose', r.arc, r.raw_arc, r.js_arc);
    line('SpinLock lock+unlock', r.spin, r.raw_spin, r.js_spin);
    line('  vs a flag toggle', r.spin, r.raw_spin, r.js_spin_flag);
    line('  in a task', r.spin_task, r.raw_spin_task, r.js_spin);
    line('Mutex uncontended lock', r.mutex, r.raw_mutex, r.js_mutex);
  }
}
if (sink < 0) console.log(sink);
