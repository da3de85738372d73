/**
 * Credentials as far as the VFS needs them: who a task is when it opens, creates and
 * removes files (`current_fsuid()`, `current_fsgid()`, `capable(CAP_DAC_OVERRIDE)`).
 *
 * Every task is root until a test says otherwise with {@link sim_set_cred}; root, as in
 * the kernel, passes read/write permission checks regardless of the mode bits (and
 * execute/search checks when any execute bit is set).
 *
 * @module
 */

import type { task_struct } from '../sched/task.js';

/** The ids that decide file access (`struct cred`'s fs ids). */
export interface cred {
  readonly fsuid: number;
  readonly fsgid: number;
}

const ROOT: cred = { fsuid: 0, fsgid: 0 };

const creds = new WeakMap<task_struct, cred>();

/** The credentials of `task` (root unless set). */
export function cred_of(task: task_struct): cred {
  return creds.get(task) ?? ROOT;
}

/** Makes `task` act as `uid`/`gid` for file access (a simulation helper: setfsuid). */
export function sim_set_cred(task: task_struct, uid: number, gid: number = uid): void {
  creds.set(task, { fsuid: uid, fsgid: gid });
}

const umasks = new WeakMap<task_struct, number>();

/** The file-creation mask of `task` (0o022 unless set, as a login shell has it). */
export function task_umask(task: task_struct): number {
  return umasks.get(task) ?? 0o022;
}

/** Sets the file-creation mask of `task`; returns the old one (umask(2)). */
export function sim_set_umask(task: task_struct, mask: number): number {
  const old = task_umask(task);
  umasks.set(task, mask & 0o777);
  return old;
}
