/**
 * `debug_locks` (lib/debug_locks.c): the switch every lock debugging facility checks.
 * The first report of lockdep, or of a `DEBUG_LOCKS_WARN_ON` check, turns it off, so a
 * boot shows the first locking bug rather than the cascade that follows it.
 *
 * @module
 */

import { WARN } from '../panic.js';

// A property of a constant rather than a module `let`: reading a `let` from a function needs
// a check that it is initialised, whose throwing path keeps V8 from optimising away
// short-lived objects (a lock guard) around the lock fast paths that read this switch.
const debug_locks = { on: true };

/** Whether lock debugging is still on. */
export function debug_locks_enabled(): boolean {
  return debug_locks.on;
}

/** Turns lock debugging off; returns whether it was on (whether the caller may report). */
export function debug_locks_off(): boolean {
  if (!debug_locks.on) return false;
  debug_locks.on = false;
  return true;
}

/** Turns lock debugging back on (what `lockdep_reset()` does for the self-tests). */
export function debug_locks_on(): void {
  debug_locks.on = true;
}

/**
 * `DEBUG_LOCKS_WARN_ON(c)`: when `condition` holds and lock debugging is on, turns it off
 * and reports `WARNING: ...` with the text of the condition. Returns the condition.
 */
export function DEBUG_LOCKS_WARN_ON(condition: boolean, text: string): boolean {
  if (condition && debug_locks_off()) {
    WARN(true, 'DEBUG_LOCKS_WARN_ON(%s)\n', text);
  }
  return condition;
}
