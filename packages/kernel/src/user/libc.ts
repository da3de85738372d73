/**
 * The C library of the simulated machine's user programs: what the sim shell and the
 * tests of other packages call from inside a task (a `sim_spawn`ed one, or the boot
 * context). Each function marshals JavaScript values — strings, `Uint8Array`s, plain
 * objects — through the calling process's own user memory, makes the system call, and
 * returns what the system call returned.
 *
 * Errors are **negative errno numbers**, as the raw system call gives them (there is no
 * global `errno`): `read` returns a `Uint8Array` or a negative number, `open` a descriptor
 * or a negative number. Check with `typeof r === 'number'` / `r < 0`.
 *
 * A write to a pipe nobody reads kills the process with SIGPIPE, as the signal's default
 * action does, unless the program called `libc.signal_ignore(SIGPIPE)` first; then it
 * sees -EPIPE.
 *
 * @example
 * ```ts
 * import { O_CREAT, O_RDWR, SEEK_SET, libc, vfs_init } from '@rfl/kernel';
 * vfs_init();
 * const fd = await libc.open('/tmp/den', O_CREAT | O_RDWR, 0o644);
 * fd // => 0
 * await libc.write(fd, 'three foxes\n') // => 12
 * await libc.lseek(fd, 6, SEEK_SET) // => 6
 * new TextDecoder().decode(await libc.read(fd, 100) as Uint8Array) // => 'foxes\n'
 * await libc.close(fd) // => 0
 * await libc.close(fd) // => -9
 * ```
 *
 * @module
 */

import { EPIPE } from '../errno.js';
import { AT_FDCWD, O_DIRECTORY, O_RDONLY } from '../fs/fcntl.js';
import { decode_dirents, type linux_dirent64 } from '../fs/readdir.js';
import type { pollfd } from '../fs/select.js';
import { decode_stat, type kstat, STAT_SIZE } from '../fs/stat.js';
import {
  sys_close,
  sys_dup,
  sys_dup2,
  sys_fcntl,
  sys_fsync,
  sys_ioctl,
  sys_lseek,
  sys_mmap,
  sys_munmap,
  sys_openat,
  sys_pipe2,
  sys_poll,
  sys_read,
  sys_write,
} from '../fs/sys_file.js';
import {
  sys_chdir,
  sys_fstat,
  sys_getcwd,
  sys_getdents64,
  sys_lstat,
  sys_mkdir,
  sys_mknod,
  sys_readlink,
  sys_rmdir,
  sys_stat,
  sys_symlink,
  sys_unlink,
} from '../fs/sys_path.js';
import {
  sim_user_alloc,
  sim_user_free,
  sim_user_read,
  sim_user_write,
} from '../mm/uaccess-user.js';
import { ForcedSignal } from '../sched/core.js';
import { SIGPIPE } from '../sched/signal.js';
import { current, type task_struct } from '../sched/task.js';

/** Runs `fn` with `len` bytes of fresh user memory (a stack buffer of the program). */
async function with_user_buf<T>(
  len: number,
  fn: (ubuf: number) => Promise<T>,
): Promise<T | number> {
  const size = Math.max(1, len);
  const ubuf = sim_user_alloc(size);
  if (ubuf < 0) return ubuf;
  try {
    return await fn(ubuf);
  } finally {
    sim_user_free(ubuf, size);
  }
}

/** Runs `fn` with `s` as a NUL-terminated string in user memory. */
function with_user_string(s: string, fn: (ustr: number) => Promise<number>): Promise<number> {
  const bytes = new TextEncoder().encode(`${s}\0`);
  return with_user_buf(bytes.length, (u) => {
    sim_user_write(u, bytes);
    return fn(u);
  }) as Promise<number>;
}

function with_two_strings(
  a: string,
  b: string,
  fn: (ua: number, ub: number) => Promise<number>,
): Promise<number> {
  return with_user_string(a, (ua) => with_user_string(b, (ub) => fn(ua, ub)));
}

function to_bytes(data: Uint8Array | string): Uint8Array {
  return typeof data === 'string' ? new TextEncoder().encode(data) : data;
}

const ignoring_sigpipe = new WeakSet<task_struct>();

/** Delivers a pending SIGPIPE with its default action: the process dies. */
function deliver_sigpipe(ret: number): number {
  const task = current();
  if (ret !== -EPIPE || !task.pending.has(SIGPIPE)) return ret;
  task.pending.delete(SIGPIPE);
  if (ignoring_sigpipe.has(task)) return ret;
  throw new ForcedSignal(SIGPIPE, 'SIGPIPE', `${task.comm}[${task.pid}]: killed by SIGPIPE`);
}

async function stat_via(fn: (ubuf: number) => Promise<number>): Promise<kstat | number> {
  return with_user_buf(STAT_SIZE, async (u) => {
    const ret = await fn(u);
    return ret < 0 ? ret : decode_stat(sim_user_read(u, STAT_SIZE));
  });
}

/** The library; every function is documented with the system call it makes. */
export const libc = {
  /** open(2): a descriptor or a negative errno. `mode` applies with O_CREAT. */
  open(pathname: string, flags: number, mode = 0o666): Promise<number> {
    return with_user_string(pathname, (u) => sys_openat(AT_FDCWD, u, flags, mode));
  },
  /** openat(2). */
  openat(dfd: number, pathname: string, flags: number, mode = 0o666): Promise<number> {
    return with_user_string(pathname, (u) => sys_openat(dfd, u, flags, mode));
  },
  /** close(2). */
  close(fd: number): Promise<number> {
    return sys_close(fd);
  },
  /** read(2) of up to `count` bytes: the bytes read (empty at end of file) or a negative errno. */
  read(fd: number, count: number): Promise<Uint8Array | number> {
    return with_user_buf(count, async (u) => {
      const n = await sys_read(fd, u, count);
      return n < 0 ? n : sim_user_read(u, n);
    });
  },
  /** write(2) of a string (as UTF-8) or bytes: the bytes written or a negative errno. */
  write(fd: number, data: Uint8Array | string): Promise<number> {
    const bytes = to_bytes(data);
    return with_user_buf(bytes.length, async (u) => {
      sim_user_write(u, bytes);
      return deliver_sigpipe(await sys_write(fd, u, bytes.length));
    }) as Promise<number>;
  },
  /** lseek(2): the new offset. */
  lseek(fd: number, offset: number, whence: number): Promise<number> {
    return sys_lseek(fd, offset, whence);
  },
  /**
   * ioctl(2). A number `arg` is passed as is; a `Uint8Array` is copied to user memory,
   * passed by address, and copied back into the same array afterwards (the struct the
   * command reads or fills, as in C).
   */
  ioctl(fd: number, cmd: number, arg: number | Uint8Array = 0): Promise<number> {
    if (typeof arg === 'number') return sys_ioctl(fd, cmd, arg);
    return with_user_buf(arg.length, async (u) => {
      sim_user_write(u, arg);
      const ret = await sys_ioctl(fd, cmd, u);
      arg.set(sim_user_read(u, arg.length));
      return ret;
    }) as Promise<number>;
  },
  /** poll(2): fills each entry's `revents`; the number with events, 0 on timeout. */
  poll(fds: pollfd[], timeout_ms: number): Promise<number> {
    return with_user_buf(fds.length * 8, async (u) => {
      const raw = new Uint8Array(fds.length * 8);
      const v = new DataView(raw.buffer);
      fds.forEach((p, i) => {
        v.setInt32(i * 8, p.fd, true);
        v.setUint16(i * 8 + 4, p.events, true);
      });
      if (fds.length > 0) sim_user_write(u, raw);
      const ret = await sys_poll(u, fds.length, timeout_ms);
      if (fds.length > 0) {
        const out = new DataView(sim_user_read(u, fds.length * 8).buffer);
        fds.forEach((p, i) => {
          p.revents = out.getUint16(i * 8 + 6, true);
        });
      }
      return ret;
    }) as Promise<number>;
  },
  /** mmap(2): the address of the mapping or a negative errno. */
  mmap(
    addr: number,
    length: number,
    prot: number,
    flags: number,
    fd: number,
    offset: number,
  ): Promise<number> {
    return sys_mmap(addr, length, prot, flags, fd, offset);
  },
  /** munmap(2). */
  munmap(addr: number, length: number): Promise<number> {
    return sys_munmap(addr, length);
  },
  /** dup(2). */
  dup(fd: number): Promise<number> {
    return sys_dup(fd);
  },
  /** dup2(2). */
  dup2(oldfd: number, newfd: number): Promise<number> {
    return sys_dup2(oldfd, newfd);
  },
  /** pipe2(2): `[read fd, write fd]` or a negative errno. */
  pipe(flags = 0): Promise<[number, number] | number> {
    return with_user_buf(8, async (u) => {
      const ret = await sys_pipe2(u, flags);
      if (ret < 0) return ret;
      const v = new DataView(sim_user_read(u, 8).buffer);
      return [v.getInt32(0, true), v.getInt32(4, true)] as [number, number];
    });
  },
  /** stat(2): the decoded `struct stat`. */
  stat(pathname: string): Promise<kstat | number> {
    return with_user_string(pathname, (p) => stat_via((u) => sys_stat(p, u)) as Promise<number>);
  },
  /** lstat(2). */
  lstat(pathname: string): Promise<kstat | number> {
    return with_user_string(pathname, (p) => stat_via((u) => sys_lstat(p, u)) as Promise<number>);
  },
  /** fstat(2). */
  fstat(fd: number): Promise<kstat | number> {
    return stat_via((u) => sys_fstat(fd, u));
  },
  /** The entries of a directory, `.` and `..` included (opendir + getdents64 + closedir). */
  async readdir(pathname: string): Promise<linux_dirent64[] | number> {
    const fd = await libc.open(pathname, O_RDONLY | O_DIRECTORY);
    if (fd < 0) return fd;
    const entries: linux_dirent64[] = [];
    const ret = await with_user_buf(4096, async (u) => {
      for (;;) {
        const n = await sys_getdents64(fd, u, 4096);
        if (n <= 0) return n;
        entries.push(...decode_dirents(sim_user_read(u, n)));
      }
    });
    await sys_close(fd);
    return ret < 0 ? ret : entries;
  },
  /** mknod(2); `dev` is a makedev() value (the `st_rdev` encoding). */
  mknod(pathname: string, mode: number, dev = 0): Promise<number> {
    return with_user_string(pathname, (u) => sys_mknod(u, mode, dev));
  },
  /** mkdir(2). */
  mkdir(pathname: string, mode = 0o777): Promise<number> {
    return with_user_string(pathname, (u) => sys_mkdir(u, mode));
  },
  /** unlink(2). */
  unlink(pathname: string): Promise<number> {
    return with_user_string(pathname, (u) => sys_unlink(u));
  },
  /** rmdir(2). */
  rmdir(pathname: string): Promise<number> {
    return with_user_string(pathname, (u) => sys_rmdir(u));
  },
  /** symlink(2): `linkpath` now points to `target`. */
  symlink(target: string, linkpath: string): Promise<number> {
    return with_two_strings(target, linkpath, (t, l) => sys_symlink(t, l));
  },
  /** readlink(2): the target or a negative errno. */
  readlink(pathname: string): Promise<string | number> {
    return with_user_buf(4096, async (u) => {
      const n = await with_user_string(pathname, (p) => sys_readlink(p, u, 4096));
      return n < 0 ? n : new TextDecoder().decode(sim_user_read(u, n));
    });
  },
  /** chdir(2): relative names then start there. */
  chdir(pathname: string): Promise<number> {
    return with_user_string(pathname, (u) => sys_chdir(u));
  },
  /** getcwd(2): the working directory, or a negative errno. */
  getcwd(): Promise<string | number> {
    return with_user_buf(4096, async (u) => {
      const n = await sys_getcwd(u, 4096);
      return n < 0 ? n : new TextDecoder().decode(sim_user_read(u, n - 1));
    });
  },
  /** fsync(2). */
  fsync(fd: number): Promise<number> {
    return sys_fsync(fd);
  },
  /** fcntl(2) with an integer argument. */
  fcntl(fd: number, cmd: number, arg = 0): Promise<number> {
    return sys_fcntl(fd, cmd, arg);
  },
  /** `signal(sig, SIG_IGN)` for SIGPIPE: later writes to a broken pipe return -EPIPE. */
  signal_ignore(sig: number): void {
    if (sig === SIGPIPE) ignoring_sigpipe.add(current());
  },
};

/** The type of {@link libc}. */
export type libc_t = typeof libc;
