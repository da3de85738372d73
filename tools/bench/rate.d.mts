/**
 * Operations per second of `fn(n)`: the best of five timed runs after a warm-up, timed by
 * the wall clock or, with `cpu`, by the process's CPU time.
 */
export function rate(
  fn: (n: number) => unknown,
  n: number,
  options?: { quick?: boolean; cpu?: boolean },
): Promise<number>;

/** A rate as the benchmarks print it: `12.34 M/s`. */
export function perSecond(rate: number): string;

/** How many times slower `rate` is than its plain-JavaScript peer `js`: `6.7x`. */
export function overhead(js: number, rate: number): string;
