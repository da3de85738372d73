/**
 * {@link Sys} over the simulated kernel: each call is the system call a C library would
 * make, from the calling task, with its buffers in that task's user address space, so a
 * driver sees the read(), write() and ioctl() a real program would make.
 *
 * @module
 */

import {
  current,
  dmesg,
  dmesg_clear,
  ForcedSignal,
  find_task_by_vpid,
  for_each_process,
  kmod_insmod,
  kmod_lsmod,
  kmod_modinfo,
  kmod_modprobe,
  kmod_rmmod,
  type kstat,
  ktime_get,
  libc,
  new_encode_dev,
  PF_KTHREAD,
  SIGINT,
  SIGKILL,
  SIGTERM,
  send_sig,
  sim_fork_files,
  sim_spawn,
  UTS_RELEASE,
} from '@rfl/kernel';
import {
  type Child,
  type Dirent,
  type KmodTools,
  type ProcessInfo,
  SIGSEGV,
  type Stat,
  SYSLOG_ACTION_CLEAR,
  SYSLOG_ACTION_READ_ALL,
  SYSLOG_ACTION_READ_CLEAR,
  type Sys,
  type Utsname,
} from '../sys.js';
import { hrtimer_nanosleep } from './nanosleep.js';

const EINVAL = 22;
const ESRCH = 3;

/**
 * The machine's wall clock at boot: a fixed instant, so that `ls -l` and `stat` print the
 * same dates on every run (the machine has no RTC to read).
 */
export const BOOT_EPOCH_NS = 1_767_225_600_000_000_000n; // 2026-01-01 00:00:00 UTC

function toStat(st: kstat | number): Stat | number {
  if (typeof st === 'number') return st;
  return {
    st_dev: st.dev,
    st_ino: st.ino,
    st_mode: st.mode,
    st_nlink: st.nlink,
    st_uid: st.uid,
    st_gid: st.gid,
    st_rdev: st.rdev,
    st_size: st.size,
    st_blksize: st.blksize,
    st_blocks: st.blocks,
    st_atime_ns: BOOT_EPOCH_NS + BigInt(st.atime_ns),
    st_mtime_ns: BOOT_EPOCH_NS + BigInt(st.mtime_ns),
    st_ctime_ns: BOOT_EPOCH_NS + BigInt(st.ctime_ns),
  };
}

/**
 * Delivers a pending SIGINT or SIGTERM with its default action when a system call returns,
 * as the kernel does on the way back to user space: the process dies of it.
 */
function deliver_signals(): void {
  const task = current();
  for (const [signo, name] of [
    [SIGINT, 'SIGINT'],
    [SIGTERM, 'SIGTERM'],
    [SIGKILL, 'SIGKILL'],
  ] as const) {
    if (!task.pending.has(signo)) continue;
    task.pending.delete(signo);
    throw new ForcedSignal(signo, name, `${task.comm}[${task.pid}]: killed by ${name}`);
  }
}

/**
 * A program that only reads and writes never sleeps, and would keep the host's event loop
 * from ever running again (so Ctrl-C could not reach it): every so many calls, let the host
 * run. Nothing inside the machine can tell, since its clock does not move meanwhile.
 */
const YIELD_EVERY = 64;
let calls = 0;

async function syscall_return<T>(ret: T): Promise<T> {
  calls += 1;
  if (calls % YIELD_EVERY === 0) await new Promise<void>((resolve) => setImmediate(resolve));
  deliver_signals();
  return ret;
}

const kmod: KmodTools = {
  insmod: (file, args) => kmod_insmod(file, args),
  rmmod: (names, options) => kmod_rmmod(names, options),
  modprobe: (name, args, options) => kmod_modprobe(name, args, options),
  lsmod: () => kmod_lsmod(),
  modinfo: (names) => kmod_modinfo(names),
};

export class KernelSys implements Sys {
  readonly kmod = kmod;

  open(path: string, flags: number, mode = 0o666): Promise<number> {
    return libc.open(path, flags, mode);
  }

  close(fd: number): Promise<number> {
    return libc.close(fd);
  }

  async read(fd: number, buf: Uint8Array): Promise<number> {
    const data = await syscall_return(await libc.read(fd, buf.length));
    if (typeof data === 'number') return data;
    buf.set(data);
    return data.length;
  }

  async write(fd: number, data: Uint8Array): Promise<number> {
    return syscall_return(await libc.write(fd, data));
  }

  lseek(fd: number, offset: number, whence: number): Promise<number> {
    return libc.lseek(fd, offset, whence);
  }

  pipe2(flags: number): Promise<[number, number] | number> {
    return libc.pipe(flags);
  }

  dup(fd: number): Promise<number> {
    return libc.dup(fd);
  }

  dup2(oldfd: number, newfd: number): Promise<number> {
    return libc.dup2(oldfd, newfd);
  }

  ioctl(fd: number, cmd: number, arg: number | Uint8Array): Promise<number> {
    return libc.ioctl(fd, cmd, arg);
  }

  async stat(path: string): Promise<Stat | number> {
    return toStat(await libc.stat(path));
  }

  async lstat(path: string): Promise<Stat | number> {
    return toStat(await libc.lstat(path));
  }

  async fstat(fd: number): Promise<Stat | number> {
    return toStat(await libc.fstat(fd));
  }

  async readdir(path: string): Promise<Dirent[] | number> {
    const entries = await libc.readdir(path);
    if (typeof entries === 'number') return entries;
    return entries.map((d) => ({ d_ino: d.d_ino, d_type: d.d_type, d_name: d.d_name }));
  }

  readlink(path: string): Promise<string | number> {
    return libc.readlink(path);
  }

  /** `dev` is the kernel's `MKDEV()`; mknod(2) takes the `st_rdev` encoding. */
  mknod(path: string, mode: number, dev: number): Promise<number> {
    return libc.mknod(path, mode, new_encode_dev(dev));
  }

  mkdir(path: string, mode: number): Promise<number> {
    return libc.mkdir(path, mode);
  }

  unlink(path: string): Promise<number> {
    return libc.unlink(path);
  }

  rmdir(path: string): Promise<number> {
    return libc.rmdir(path);
  }

  chdir(path: string): Promise<number> {
    return libc.chdir(path);
  }

  getcwd(): Promise<string | number> {
    return libc.getcwd();
  }

  async nanosleep(ns: number): Promise<number> {
    return syscall_return(await hrtimer_nanosleep(ns));
  }

  clock_realtime(): bigint {
    return BOOT_EPOCH_NS + BigInt(ktime_get());
  }

  clock_monotonic(): bigint {
    return BigInt(ktime_get());
  }

  async syslog(action: number): Promise<string | number> {
    switch (action) {
      case SYSLOG_ACTION_READ_ALL:
        return dmesg();
      case SYSLOG_ACTION_READ_CLEAR: {
        const text = dmesg();
        dmesg_clear();
        return text;
      }
      case SYSLOG_ACTION_CLEAR:
        dmesg_clear();
        return 0;
      default:
        return -EINVAL;
    }
  }

  processes(): ProcessInfo[] {
    return for_each_process()
      .filter((t) => t.pid > 0)
      .map((t) => ({
        pid: t.pid,
        comm: t.comm,
      }));
  }

  uname(): Utsname {
    return {
      sysname: 'Linux',
      nodename: 'rfl-sim',
      release: UTS_RELEASE,
      version: '#1 SMP PREEMPT',
      machine: 'x86_64',
    };
  }

  kill_foreground(shell: number): void {
    for (const t of for_each_process()) {
      if (t.pid > 1 && t.pid !== shell && !(t.flags & PF_KTHREAD)) send_sig(SIGINT, t);
    }
  }

  kill(pid: number, sig: number): number {
    const task = find_task_by_vpid(pid);
    if (task === undefined || task.pid <= 1 || task.flags & PF_KTHREAD) return -ESRCH;
    return send_sig(sig, task);
  }

  getpid(): number {
    return current().pid;
  }

  /**
   * fork + exec: the child gets a copy of the caller's descriptor table and working
   * directory before it first runs; a child a signal killed (a fault on its own
   * memory) reports the signal, and so does one the kernel killed with an Oops (SIGSEGV,
   * as `make_task_dead()` does).
   */
  spawn(comm: string, body: () => Promise<number>): Child {
    let signal: number | undefined;
    const task = sim_spawn(comm, async () => {
      try {
        return await body();
      } catch (err) {
        if (err instanceof ForcedSignal) signal = err.signo;
        throw err;
      }
    });
    sim_fork_files(task);
    return {
      pid: task.pid,
      wait: async () => {
        const code = await task.exited;
        if (code === -1) return { status: 128 + SIGSEGV, signal: SIGSEGV };
        if (signal !== undefined) return { status: 128 + signal, signal };
        return { status: code };
      },
    };
  }
}
