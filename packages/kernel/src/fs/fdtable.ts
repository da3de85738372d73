/**
 * Per-process file descriptor tables (fs/file.c): `files_struct` hangs off
 * `task_struct.files`, created on first use. The lowest free descriptor is handed out
 * first; a process may hold descriptors 0..1023 (the default RLIMIT_NOFILE), beyond that
 * -EMFILE. At exit every descriptor is closed.
 *
 * @module
 */

import { EBADF, EBUSY, EMFILE } from '../errno.js';
import { oops_exception, register_exit_hook } from '../sched/core.js';
import { current, type task_struct } from '../sched/task.js';
import { NR_OPEN_DEFAULT_RLIMIT, O_CLOEXEC } from './fcntl.js';
import { fput, get_file } from './file_table.js';
import type { file } from './fs.js';
import { copy_fs_struct } from './fs_struct.js';
import { filp_close } from './open.js';

/**
 * `struct files_struct`: descriptor → file, and the close-on-exec set.
 *
 * # Invariants
 *
 * Each non-null slot holds one reference to its file.
 */
export class files_struct {
  readonly fd: (file | undefined)[] = [];
  readonly close_on_exec = new Set<number>();
  /** Descriptors handed out by alloc_fd() whose file is not installed yet. */
  readonly reserved = new Set<number>();
  /** The descriptor limit (RLIMIT_NOFILE). */
  max_fds = NR_OPEN_DEFAULT_RLIMIT;
  /** Tasks sharing the table (CLONE_FILES); the last one to exit closes it. */
  count = 1;
}

/**
 * A copy of `files` for a child process, as fork() makes it (`dup_fd`): the same open
 * files at the same descriptors (each with a new reference), and the same close-on-exec
 * set.
 */
export function dup_fd(files: files_struct): files_struct {
  const copy = new files_struct();
  copy.max_fds = files.max_fds;
  files.fd.forEach((f, fd) => {
    if (f) copy.fd[fd] = get_file(f);
  });
  for (const fd of files.close_on_exec) copy.close_on_exec.add(fd);
  return copy;
}

/**
 * Gives `child` (a task that has not run yet, e.g. just returned by `sim_spawn`) the
 * working directory and the descriptors of `parent`: a copy as fork() makes (default), or with `share` the same table,
 * as a thread created with CLONE_FILES has. A shell runs each command this way, then
 * rearranges descriptors 0-2 in the child with dup2.
 */
export function sim_fork_files(
  child: task_struct,
  parent: task_struct = current(),
  share = false,
): void {
  copy_fs_struct(child, parent);
  const files = task_files(parent);
  if (child.files !== undefined) close_files(child.files);
  if (share) {
    files.count += 1;
    child.files = files;
  } else {
    child.files = dup_fd(files);
  }
}

/** The table of `task`, created on first use. */
export function task_files(task: task_struct = current()): files_struct {
  task.files ??= new files_struct();
  return task.files;
}

/** The lowest free descriptor at or above `start`, or -EMFILE (`alloc_fd`). */
export function alloc_fd(start: number, flags: number, files: files_struct = task_files()): number {
  for (let fd = start; fd < files.max_fds; fd++) {
    if (!files.fd[fd] && !files.reserved.has(fd)) {
      files.reserved.add(fd);
      if (flags & O_CLOEXEC) files.close_on_exec.add(fd);
      else files.close_on_exec.delete(fd);
      return fd;
    }
  }
  return -EMFILE;
}

/** `get_unused_fd_flags(flags)`: the lowest free descriptor (O_CLOEXEC honoured). */
export function get_unused_fd_flags(flags: number): number {
  return alloc_fd(0, flags);
}

/** Gives back a descriptor reserved by get_unused_fd_flags() and never installed. */
export function put_unused_fd(fd: number): void {
  task_files().reserved.delete(fd);
}

/** Installs `f` (and its reference) at the reserved descriptor `fd` (`fd_install`). */
export function fd_install(fd: number, f: file): void {
  const files = task_files();
  files.reserved.delete(fd);
  files.fd[fd] = f;
}

/** The file of `fd` without taking a reference (`fdget`'s borrowed form), or null. */
export function fdget_raw(fd: number, files: files_struct = task_files()): file | null {
  if (!Number.isInteger(fd) || fd < 0) return null;
  return files.fd[fd] ?? null;
}

/** The file of `fd` with a new reference the caller must fput() (`fget`), or null. */
export function fget(fd: number): file | null {
  const f = fdget_raw(fd);
  return f === null ? null : get_file(f);
}

/** Takes `fd` out of the table and returns its file (with the table's reference). */
export function file_close_fd(fd: number, files: files_struct = task_files()): file | null {
  const f = fdget_raw(fd, files);
  if (f === null) return null;
  delete files.fd[fd];
  files.close_on_exec.delete(fd);
  return f;
}

/** `receive_fd`-style helper: installs `f` at a new descriptor; returns it or -EMFILE. */
export function fd_alloc_install(f: file, flags: number): number {
  const fd = get_unused_fd_flags(flags);
  if (fd < 0) return fd;
  fd_install(fd, f);
  return fd;
}

/**
 * Makes `newfd` refer to the file of `oldfd` (`dup2` semantics, `do_dup2`): closes what
 * `newfd` held and returns `newfd`; -EBADF for a `newfd` outside 0..limit-1 (a negative
 * one is a huge `unsigned int` in C).
 */
export function replace_fd(newfd: number, f: file, flags: number): number {
  const files = task_files();
  if (!Number.isInteger(newfd) || newfd < 0 || newfd >= files.max_fds) return -EBADF;
  // Reserved by an open still in progress in this process (`do_dup2`'s fd_is_open race).
  if (files.reserved.has(newfd)) return -EBUSY;
  const old = files.fd[newfd];
  files.fd[newfd] = get_file(f);
  if (flags & O_CLOEXEC) files.close_on_exec.add(newfd);
  else files.close_on_exec.delete(newfd);
  if (old) fput(old);
  return newfd;
}

/** Descriptors in use by `task`, ascending (what /proc/<pid>/fd lists). */
export function task_fds(task: task_struct): number[] {
  const files = task.files;
  if (files === undefined) return [];
  const out: number[] = [];
  files.fd.forEach((f, fd) => {
    if (f) out.push(fd);
  });
  return out;
}

/** Closes every descriptor of `files` (`put_files_struct` at exit). */
export function close_files(files: files_struct): void {
  files.fd.forEach((f, fd) => {
    delete files.fd[fd];
    if (!f) return;
    const ret = filp_close(f, files);
    if (typeof ret !== 'number') ret.catch(oops_exception);
  });
  files.close_on_exec.clear();
}

register_exit_hook((task) => {
  const files = task.files;
  if (files === undefined) return;
  task.files = undefined;
  files.count -= 1;
  if (files.count === 0) close_files(files);
});
