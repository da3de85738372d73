/**
 * Iterated I/O (lib/iov_iter.c) over one buffer: `read_iter`/`write_iter` move data with
 * {@link copy_to_iter} and {@link copy_from_iter} whether the buffer is a user address
 * (read(2)/write(2)) or a kernel one (kernel_read()/kernel_write()). A user buffer that
 * faults part-way ends the copy short, as the kernel's does: the caller reports the
 * bytes moved so far, or -EFAULT when there were none.
 *
 * @module
 */

import { memcpy_from_js, memcpy_to_js } from '../mm/access.js';
import { ITER_KVEC, ITER_UBUF, type iov_iter } from './fs.js';
import { user_read_bytes, user_write_bytes } from './user_bytes.js';

/** An iterator over the user buffer `buf` of `count` bytes (`import_ubuf`). */
export function iov_iter_ubuf(data_source: boolean, buf: number, count: number): iov_iter {
  return { iter_type: ITER_UBUF, data_source, base: buf, count };
}

/** An iterator over the kernel buffer `buf` (`iov_iter_kvec` with one segment). */
export function iov_iter_kvec(data_source: boolean, buf: number, count: number): iov_iter {
  return { iter_type: ITER_KVEC, data_source, base: buf, count };
}

/** Bytes left in the iterator (`iov_iter_count`). */
export function iov_iter_count(i: iov_iter): number {
  return i.count;
}

/**
 * Copies `bytes` into the buffer behind `i`, as far as it has room and (for a user
 * buffer) as far as the pages are mapped and writable; advances `i` and returns the bytes
 * copied.
 */
export function copy_to_iter(bytes: Uint8Array, i: iov_iter): number {
  const n = Math.min(bytes.length, i.count);
  if (n === 0) return 0;
  let copied: number;
  if (i.iter_type === ITER_KVEC) {
    memcpy_from_js(i.base, bytes.subarray(0, n));
    copied = n;
  } else {
    copied = user_write_bytes(i.base, bytes.subarray(0, n));
  }
  i.base += copied;
  i.count -= copied;
  return copied;
}

/**
 * Copies up to `n` bytes out of the buffer behind `i` (stopping at a user-space fault);
 * advances `i` and returns the bytes.
 */
export function copy_from_iter(n: number, i: iov_iter): Uint8Array {
  const want = Math.min(n, i.count);
  if (want === 0) return new Uint8Array(0);
  const out =
    i.iter_type === ITER_KVEC ? memcpy_to_js(i.base, want) : user_read_bytes(i.base, want);
  i.base += out.length;
  i.count -= out.length;
  return out;
}
