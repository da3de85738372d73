/**
 * Moving JavaScript bytes to and from user memory, the way copy_to_user/copy_from_user
 * move them: byte-exact up to the first unmapped or protected page.
 *
 * Until user address spaces exist (mm/uaccess), no task has one, so every user access
 * faults at its first byte — what a kernel thread sees in the kernel.
 *
 * @module
 */

/** Copies `bytes` to user address `uaddr`; returns how many were copied before a fault. */
export function user_write_bytes(_uaddr: number, _bytes: Uint8Array): number {
  return 0;
}

/** Copies up to `n` bytes from user address `uaddr`, stopping at a fault. */
export function user_read_bytes(_uaddr: number, _n: number): Uint8Array {
  return new Uint8Array(0);
}

/** Whether `[uaddr, uaddr + n)` lies in user space at all (`access_ok`). */
export function user_access_ok(uaddr: number, n: number): boolean {
  return Number.isSafeInteger(uaddr) && uaddr >= 0 && n >= 0;
}
