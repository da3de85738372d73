// The timing harness of the packages' `bench` scripts: every figure they print is the best of
// five timed runs after a warm-up, scaled down by `--quick`.

/**
 * Operations per second of `fn(n)`, which performs `n` operations and may return a promise:
 * one warm-up run of at most 10,000 operations, then the best of five timed runs.
 *
 * `cpu: true` times each run by the CPU time the process used (`process.cpuUsage()`, user
 * plus system, all threads) instead of the wall clock: on a machine shared with other work
 * a run is then not charged for the time it waited for a CPU. A synchronous run is timed
 * exactly; an asynchronous one that waits for timers or I/O is not, and should use the wall
 * clock.
 */
export async function rate(fn, n, { quick = false, cpu = false } = {}) {
  const count = Math.max(1, Math.floor(n * (quick ? 0.1 : 1)));
  await fn(Math.min(count, 10000));
  let best = 0;
  for (let run = 0; run < 5; run++) {
    const seconds = cpu ? await cpuSeconds(fn, count) : await wallSeconds(fn, count);
    best = Math.max(best, count / seconds);
  }
  return best;
}

async function wallSeconds(fn, count) {
  const t0 = process.hrtime.bigint();
  await fn(count);
  return Number(process.hrtime.bigint() - t0) / 1e9;
}

async function cpuSeconds(fn, count) {
  const t0 = process.cpuUsage();
  await fn(count);
  const used = process.cpuUsage(t0);
  // cpuUsage counts microseconds; a run shorter than one still took some time.
  return Math.max(1, used.user + used.system) / 1e6;
}

/** A rate as the benchmarks print it: `12.34 M/s`. */
export function perSecond(rate) {
  return `${(rate / 1e6).toFixed(2)} M/s`;
}

/** How many times slower `rate` is than its plain-JavaScript peer `js`: `6.7x`. */
export function overhead(js, rate) {
  return `${(js / rate).toFixed(1)}x`;
}
