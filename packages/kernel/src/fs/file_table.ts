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
import { current, type task_struct } from '../sched/task.js';
import type { file, file_operations } from './fs.js';

/** How the module code pins the module behind an operations table (`try_module_get`). */
export interface fops_owner_ops {
  /** Takes a reference on `owner`; false if the module is going away. */
  get(owner: unknown): boolean;
  /** Drops it (`module_put`). */
  put(owner: unknown): void;
}

let owner_ops: fops_owner_ops | undefined;

/**
 * Registers the module layer's reference counting of `file_operations.owner`. Until one
 * is registered, owners are not counted (every table is built in).
 */
export function set_fops_owner_ops(ops: fops_owner_ops | undefined): void {
  owner_ops = ops;
}

/**
 * Pins the module that owns `fops` (`fops_get`): returns `fops`, or null when its module
 * is being unloaded (the open then fails).
 */
export function fops_get(fops: file_operations): file_operations | null {
  if (fops.owner === undefined || owner_ops === undefined) return fops;
  return owner_ops.get(fops.owner) ? fops : null;
}

/** Unpins the module of `fops` (`fops_put`). */
export function fops_put(fops: file_operations): void {
  if (fops.owner !== undefined) owner_ops?.put(fops.owner);
}

/**
 * Swaps the operations of a file being opened (`replace_fops`): the char-device layer
 * calls it with a table it got from fops_get(); the old table is unpinned.
 */
export function replace_fops(f: file, fops: file_operations): void {
  fops_put(f.f_op);
  f.f_op = fops;
}

/** Takes a reference (`get_file`). */
export function get_file(f: file): file {
  f.f_count += 1;
  return f;
}

/** Releases still sleeping, by the task whose fput() started them. */
const pending_releases = new Map<task_struct, Set<Promise<void>>>();

function __fput(f: file): void {
  const fops = f.f_op;
  const release = fops.release;
  if (release === undefined) {
    fops_put(fops);
    return;
  }
  const ret = release(f.f_inode, f);
  if (typeof ret === 'number') {
    fops_put(fops);
    return;
  }
  const p = ret.then(
    () => fops_put(fops),
    (err: unknown) => oops_exception(err),
  );
  const task = current();
  let mine = pending_releases.get(task);
  if (mine === undefined) {
    mine = new Set();
    pending_releases.set(task, mine);
  }
  mine.add(p);
  void p.finally(() => {
    mine.delete(p);
    if (mine.size === 0 && pending_releases.get(task) === mine) pending_releases.delete(task);
  });
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

/**
 * Waits for the releases the current task's fput()s started (`task_work_run` on the way
 * back to user space); another task's sleeping release does not hold it up.
 */
export async function task_work_run(): Promise<void> {
  const task = current();
  for (
    let mine = pending_releases.get(task);
    mine !== undefined && mine.size > 0;
    mine = pending_releases.get(task)
  )
    await Promise.all([...mine]);
}
