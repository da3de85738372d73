// The timing harness of the packages' `bench` scripts: every figure they print is the best of
// five timed runs after a warm-up, scaled down by `--quick`.

/**
 * Operations per second of `fn(n)`, which performs `n` operations and may return a promise:
 * one warm-up run of at most 10,000 operations, then the best of five timed runs.
 */
export async function rate(fn, n, { quick = false } = {}) {
  const count = Math.max(1, Math.floor(n * (quick ? 0.1 : 1)));
  await fn(Math.min(count, 10000));
  let best = 0;
  for (let run = 0; run < 5; run++) {
    const t0 = process.hrtime.bigint();
    await fn(count);
    const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
    best = Math.max(best, count / seconds);
  }
  return best;
}

/** A rate as the benchmarks print it: `12.34 M/s`. */
export function perSecond(rate) {
  return `${(rate / 1e6).toFixed(2)} M/s`;
}

/** How many times slower `rate` is than its plain-JavaScript peer `js`: `6.7x`. */
export function overhead(js, rate) {
  return `${(js / rate).toFixed(1)}x`;
}
