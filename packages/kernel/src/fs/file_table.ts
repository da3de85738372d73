/**
 * Open-file references (fs/file_table.c). A `file` starts with one reference; every
 * descriptor, dup() and in-kernel user holds one. The last fput() releases the file:
 * `f_op.release(inode, file)` runs once, then the file is dead.
 *
 * In the kernel the release of a file closed by a process runs as task work, before the
 * system call returns to user space; here a release that sleeps (returns a promise) is
 * queued likewise, and every system call awaits {@link task_work_run} before it returns,
 * so user space never sees a half-released file.
 *
 * @module
 */

import { WARN } from '../panic.js';
import { oops_exception } from '../sched/core.js';
import type { file } from './fs.js';

/** Takes a reference (`get_file`). */
export function get_file(f: file): file {
  f.f_count += 1;
  return f;
}

/** Releases that are still sleeping. */
const pending_releases = new Set<Promise<void>>();

function __fput(f: file): void {
  const release = f.f_op.release;
  if (release === undefined) return;
  const ret = release(f.f_inode, f);
  if (typeof ret === 'number') return;
  const p = ret.then(
    () => undefined,
    (err: unknown) => oops_exception(err),
  );
  pending_releases.add(p);
  void p.finally(() => pending_releases.delete(p));
}

/**
 * Drops a reference (`fput`); the last one releases the file. A second fput of a dead
 * file is the kernel's refcount underflow: WARN and nothing else.
 */
export function fput(f: file): void {
  if (WARN(f.f_count <= 0, 'VFS: fput of a file with no references\n')) return;
  f.f_count -= 1;
  if (f.f_count === 0) __fput(f);
}

/** Waits for the releases queued by fput() (`task_work_run` on the way back to user). */
export async function task_work_run(): Promise<void> {
  while (pending_releases.size > 0) await Promise.all([...pending_releases]);
}

/** Number of files whose release is still running (for tests and /proc). */
export function nr_pending_releases(): number {
  return pending_releases.size;
}
