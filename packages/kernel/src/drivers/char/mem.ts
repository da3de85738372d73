/**
 * The memory devices of major 1 (drivers/char/mem.c) that every Linux system
 * has, with the kernel's semantics:
 *
 * | node | minor | read | write | lseek |
 * | --- | --- | --- | --- | --- |
 * | `/dev/null` | 3 | end of file | swallowed: returns the count | position 0 |
 * | `/dev/zero` | 5 | zeros | swallowed | position 0 |
 * | `/dev/full` | 7 | zeros | `-ENOSPC` | position 0 |
 * | `/dev/random` | 8 | random bytes | mixed in: returns the count | unchanged |
 * | `/dev/urandom` | 9 | random bytes | mixed in: returns the count | unchanged |
 *
 * all with mode 0666. The random bytes come from the deterministic generator
 * of `random_seed()`.
 *
 * @module
 */

import { EFAULT, ENOSPC, ENXIO } from '../../errno.js';
import { __register_chrdev } from '../../fs/char_dev.js';
import { replace_fops } from '../../fs/file_table.js';
import type { file, file_operations, inode, iov_iter, kiocb, loff_ref } from '../../fs/fs.js';
import { copy_from_iter, copy_to_iter } from '../../fs/iov_iter.js';
import { MINOR, MKDEV } from '../../fs/kdev_t.js';
import { noop_llseek } from '../../fs/libfs.js';
import { PAGE_SIZE } from '../../mm/layout.js';
import { clear_user } from '../../mm/uaccess.js';
import { class_register, type device_class, device_create } from './class_device.js';
import { get_random_bytes } from './random.js';

export const MEM_MAJOR = 1;

function null_lseek(filp: file, _offset: number, _whence: number): number {
  filp.f_pos = 0;
  return 0;
}

function read_null(_f: file, _buf: number, _count: number, _ppos: loff_ref): number {
  return 0;
}

function write_null(_f: file, _buf: number, count: number, _ppos: loff_ref): number {
  return count;
}

function read_iter_null(_iocb: kiocb, _to: iov_iter): number {
  return 0;
}

function write_iter_null(_iocb: kiocb, from: iov_iter): number {
  const count = from.count;
  from.base += count;
  from.count = 0;
  return count;
}

const zero_page = new Uint8Array(PAGE_SIZE);

function read_iter_zero(_iocb: kiocb, to: iov_iter): number {
  let written = 0;
  while (to.count > 0) {
    const n = copy_to_iter(zero_page.subarray(0, Math.min(to.count, PAGE_SIZE)), to);
    if (n === 0) return written ? written : -EFAULT;
    written += n;
  }
  return written;
}

/** `read_zero`: clear_user in page-sized chunks; a fault ends the read short. */
function read_zero(_f: file, buf: number, count: number, _ppos: loff_ref): number {
  let cleared = 0;
  while (count > 0) {
    const chunk = Math.min(count, PAGE_SIZE);
    const left = clear_user(buf + cleared, chunk);
    if (left) {
      cleared += chunk - left;
      return cleared ? cleared : -EFAULT;
    }
    cleared += chunk;
    count -= chunk;
  }
  return cleared;
}

function write_full(_f: file, _buf: number, _count: number, _ppos: loff_ref): number {
  return -ENOSPC;
}

function urandom_read_iter(_iocb: kiocb, to: iov_iter): number {
  let written = 0;
  while (to.count > 0) {
    const n = copy_to_iter(get_random_bytes(Math.min(to.count, PAGE_SIZE)), to);
    if (n === 0) return written ? written : -EFAULT;
    written += n;
  }
  return written;
}

/** Writes to the random devices add to the pool (a no-op for a seeded generator). */
function random_write_iter(_iocb: kiocb, from: iov_iter): number {
  let total = 0;
  while (from.count > 0) {
    const bytes = copy_from_iter(Math.min(from.count, PAGE_SIZE), from);
    if (bytes.length === 0) return total ? total : -EFAULT;
    total += bytes.length;
  }
  return total;
}

export const null_fops: file_operations = {
  llseek: null_lseek,
  read: read_null,
  write: write_null,
  read_iter: read_iter_null,
  write_iter: write_iter_null,
};

export const zero_fops: file_operations = {
  llseek: null_lseek,
  write: write_null,
  read_iter: read_iter_zero,
  read: read_zero,
  write_iter: write_iter_null,
};

export const full_fops: file_operations = {
  llseek: null_lseek,
  read_iter: read_iter_zero,
  write: write_full,
};

export const urandom_fops: file_operations = {
  read_iter: urandom_read_iter,
  write_iter: random_write_iter,
  llseek: noop_llseek,
};

interface memdev {
  readonly name: string;
  readonly fops: file_operations;
  readonly mode: number;
}

/** `devlist[]`, by minor. */
const devlist: (memdev | undefined)[] = [];
devlist[3] = { name: 'null', fops: null_fops, mode: 0o666 };
devlist[5] = { name: 'zero', fops: zero_fops, mode: 0o666 };
devlist[7] = { name: 'full', fops: full_fops, mode: 0o666 };
devlist[8] = { name: 'random', fops: urandom_fops, mode: 0o666 };
devlist[9] = { name: 'urandom', fops: urandom_fops, mode: 0o666 };

/** `memory_open`: the operations of the minor, then their open. */
function memory_open(node: inode, filp: file): number | Promise<number> {
  const dev = devlist[MINOR(node.i_rdev)];
  if (!dev) return -ENXIO;
  replace_fops(filp, dev.fops);
  return dev.fops.open ? dev.fops.open(node, filp) : 0;
}

const memory_fops: file_operations = { open: memory_open, llseek: noop_llseek };

/** The `mem` class: its devices' nodes get the mode of their `devlist` entry (`mem_devnode`). */
const mem_class: device_class = {
  name: 'mem',
  devnode: (dev, mode) => {
    const d = devlist[MINOR(dev.devt)];
    if (d?.mode) mode.value = d.mode;
    return null;
  },
};

/**
 * `chr_dev_init`: registers major 1 as `mem` and creates its devices (and so
 * their `/dev` nodes). Part of the driver-core boot, after the char-device,
 * class and devtmpfs resets.
 */
export function chr_dev_init(): number {
  const err = __register_chrdev(MEM_MAJOR, 0, 256, 'mem', memory_fops);
  if (err) return err;
  const cerr = class_register(mem_class);
  if (cerr) return cerr;
  for (let minor = 1; minor < devlist.length; minor++) {
    const d = devlist[minor];
    if (d) device_create(mem_class, null, MKDEV(MEM_MAJOR, minor), null, '%s', d.name);
  }
  return 0;
}
