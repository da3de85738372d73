/**
 * Moving JavaScript bytes to and from user memory with the semantics of copy_to_user and
 * copy_from_user (mm/uaccess.ts): the range must pass `access_ok`, the copy may sleep to
 * fault pages in, and it stops at the first unmapped or protected page after copying
 * everything before it. The VFS keeps file contents (tmpfs pages, pipe buffers, sysfs
 * text) as JavaScript bytes, so this is its copy_to_user.
 *
 * @module
 */

import { mem_u8 } from '../mm/layout.js';
import { access_ok, for_each_user_chunk, might_fault } from '../mm/uaccess.js';

/** A copy's checks (`might_fault`, `access_ok`), then the walk over its user pages. */
function for_each_user_page(
  uaddr: number,
  n: number,
  write: boolean,
  fn: (phys: number, done: number, len: number) => void,
): number {
  might_fault();
  if (n <= 0 || !access_ok(uaddr, n)) return 0;
  return for_each_user_chunk(uaddr, n, write, fn);
}

/** Copies `bytes` to user address `uaddr`; returns how many were copied before a fault. */
export function user_write_bytes(uaddr: number, bytes: Uint8Array): number {
  return for_each_user_page(uaddr, bytes.length, true, (phys, done, len) =>
    mem_u8.set(bytes.subarray(done, done + len), phys),
  );
}

/**
 * Copies up to `n` bytes from user address `uaddr`, stopping at a fault. Pages are
 * gathered as they are found, so a huge `n` over a small mapping costs only the mapping.
 */
export function user_read_bytes(uaddr: number, n: number): Uint8Array {
  const pages: Uint8Array[] = [];
  const done = for_each_user_page(uaddr, n, false, (phys, _off, len) =>
    pages.push(mem_u8.slice(phys, phys + len)),
  );
  if (pages.length === 1) return pages[0]!;
  const out = new Uint8Array(done);
  let off = 0;
  for (const p of pages) {
    out.set(p, off);
    off += p.length;
  }
  return out;
}

/** Whether `[uaddr, uaddr + n)` lies in user space at all (`access_ok`). */
export function user_access_ok(uaddr: number, n: number): boolean {
  return access_ok(uaddr, n);
}
