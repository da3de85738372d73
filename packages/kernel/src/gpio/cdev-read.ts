/**
 * What the gpio character device's two readers share: the chip file's line-info changes
 * (`lineinfo_watch_read()`) and a line request's edge events (`linereq_read()`) are both a
 * FIFO of fixed-size records, read whole, sleeping for the first one unless the file is
 * non-blocking, and ending with `ENODEV` once the chip is gone.
 *
 * @module
 */

import { EAGAIN, EFAULT, EINVAL, ENODEV } from '../errno.js';
import { O_NONBLOCK } from '../fs/fcntl.js';
import type { file } from '../fs/fs.js';
import { user_write_bytes } from '../fs/user_bytes.js';
import { wait_event_interruptible, type wait_queue_head } from '../locking/wait.js';
import type { gpio_device } from './driver.js';

/** A reader's FIFO: its records, the queue its writer wakes, and the chip they come from. */
export interface record_fifo<T> {
  readonly gdev: gpio_device;
  readonly events: T[];
  readonly wait: wait_queue_head;
}

/**
 * Copies as many whole `size`-byte records of `fifo` as fit in `count` bytes at `buf`; the
 * bytes copied, or a negative errno (`EINVAL` for a buffer smaller than one record, `EAGAIN`
 * when non-blocking and empty, `ENODEV` once the chip is gone, `EFAULT`, or the signal's).
 */
export async function read_records<T>(
  filp: file,
  fifo: record_fifo<T>,
  buf: number,
  count: number,
  size: number,
  encode: (record: T) => Uint8Array,
): Promise<number> {
  if (!fifo.gdev.chip) return -ENODEV;
  if (count < size) return -EINVAL;
  let bytes_read = 0;
  do {
    if (fifo.events.length === 0) {
      if (bytes_read) return bytes_read;
      if (filp.f_flags & O_NONBLOCK) return -EAGAIN;
      const ret = await wait_event_interruptible(
        fifo.wait,
        () => fifo.events.length > 0 || !fifo.gdev.chip,
      );
      if (ret) return ret;
      // Woken by the chip going away: nothing more will come.
      if (!fifo.gdev.chip) return -ENODEV;
    }
    const record = fifo.events.shift()!;
    if (user_write_bytes(buf + bytes_read, encode(record)) !== size) return -EFAULT;
    bytes_read += size;
  } while (count >= bytes_read + size);
  return bytes_read;
}
