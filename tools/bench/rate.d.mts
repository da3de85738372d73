/** Operations per second of `fn(n)`: the best of five timed runs after a warm-up. */
export function rate(
  fn: (n: number) => unknown,
  n: number,
  options?: { quick?: boolean },
): Promise<number>;
