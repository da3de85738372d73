/**
 * The idle loop of the machine's one CPU: let every runnable task run; when all of them
 * sleep, jump the virtual clock to the next timer, as a tickless idle CPU would. The clock
 * therefore moves exactly as far as the tasks' sleeps ask, and every run is the same run.
 *
 * @module
 */

import { ktime_get, sim_advance, sim_next_timer_ns, sim_run_pending } from '@rfl/kernel';

/** The most virtual time one wait may take before the machine is declared stuck. */
const LIMIT_NS = 24 * 3600 * 1e9;

/**
 * How long (host milliseconds) the machine may sit with every task asleep and no timer
 * armed before it is declared stuck. Something outside the tasks may still wake one: a
 * device model in a worker thread, or a helper driving the clock itself.
 */
const STUCK_MS = 5000;

/** Thrown when what the host waits for cannot happen: every task sleeps and no timer is armed. */
export class MachineStuck extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'MachineStuck';
  }
}

/** Runs the machine until `work` settles; returns its value. */
export async function runUntil<T>(work: Promise<T>): Promise<T> {
  let settled = false;
  const done = work.then(
    (value) => {
      settled = true;
      return value;
    },
    (err: unknown) => {
      settled = true;
      throw err;
    },
  );
  const start = ktime_get();
  let idleSince: number | undefined;
  for (;;) {
    await sim_run_pending();
    if (settled) return done;
    const next = sim_next_timer_ns();
    if (next === undefined) {
      idleSince ??= performance.now();
      if (performance.now() - idleSince > STUCK_MS) {
        throw new MachineStuck('every task sleeps and no timer is armed: nothing can wake them');
      }
      await new Promise<void>((resolve) => setTimeout(resolve, 1));
      continue;
    }
    idleSince = undefined;
    if (next - start > LIMIT_NS) {
      throw new MachineStuck('a day of virtual time passed without the command finishing');
    }
    await sim_advance(Math.max(0, next - ktime_get()) / 1e6);
  }
}
