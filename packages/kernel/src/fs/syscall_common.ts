/**
 * What every system call of the VFS shares: turning its arguments into what the C
 * prototypes say they are, copying path names in from user space (`getname`), and the
 * way back to user space (queued file releases run, restart codes become -EINTR).
 *
 * @module
 */

import {
  EFAULT,
  EINTR,
  ENAMETOOLONG,
  ENOENT,
  ENOMEM,
  ERESTART_RESTARTBLOCK,
  ERESTARTNOHAND,
  ERESTARTNOINTR,
  ERESTARTSYS,
} from '../errno.js';
import { memcpy_to_js } from '../mm/access.js';
import { GFP_KERNEL } from '../mm/gfp.js';
import { kfree, kmalloc } from '../mm/kmalloc.js';
import { strncpy_from_user } from '../mm/uaccess.js';
import { PATH_MAX } from './fcntl.js';
import { task_work_run } from './file_table.js';

/**
 * The return to user space (`syscall_exit_to_user_mode`): releases queued by fput() run,
 * and a restart code becomes -EINTR — the simulator has no signal handlers to restart
 * after, so an interrupted call fails as if SA_RESTART were not set.
 */
export async function syscall_exit(ret: number): Promise<number> {
  await task_work_run();
  if (
    ret === -ERESTARTSYS ||
    ret === -ERESTARTNOINTR ||
    ret === -ERESTARTNOHAND ||
    ret === -ERESTART_RESTARTBLOCK
  )
    return -EINTR;
  return ret;
}

/** A C `int` argument: the low 32 bits, signed. */
export function int_arg(x: number): number {
  return Number.isFinite(x) ? Number(BigInt.asIntN(32, BigInt(Math.trunc(x)))) : 0;
}

/** A C `unsigned int` argument. */
export function uint_arg(x: number): number {
  return int_arg(x) >>> 0;
}

/** An `int` fd argument: -1 (never open) for anything that is not an int. */
export function fd_arg(x: number): number {
  return Number.isSafeInteger(x) ? int_arg(x) : -1;
}

/**
 * A `size_t` argument: a negative or non-integer one is a huge count in C; here
 * Number.MAX_SAFE_INTEGER, which every range check rejects the same way.
 */
export function size_arg(x: number): number {
  return Number.isSafeInteger(x) && x >= 0 ? x : Number.MAX_SAFE_INTEGER;
}

/** A user pointer: anything that is not a non-negative integer is outside user space. */
export function uptr_arg(x: number): number {
  return Number.isSafeInteger(x) && x >= 0 ? x : -1;
}

/**
 * Copies a path name in from user space (`getname`): -EFAULT for a bad pointer,
 * -ENAMETOOLONG without a NUL in PATH_MAX bytes, -ENOENT for an empty name.
 */
export function getname(uptr: number): string | number {
  const buf = kmalloc(PATH_MAX, GFP_KERNEL);
  if (buf === 0) return -ENOMEM;
  try {
    const len = strncpy_from_user(buf, uptr_arg(uptr), PATH_MAX);
    if (len < 0) return -EFAULT;
    if (len === PATH_MAX) return -ENAMETOOLONG;
    if (len === 0) return -ENOENT;
    return new TextDecoder().decode(memcpy_to_js(buf, len));
  } finally {
    kfree(buf);
  }
}
