/**
 * What a user process of the simulated machine can ask of the kernel: the system calls the
 * shell and its commands are written against. Every call runs in the calling task
 * (`current()`), on that task's file descriptor table, and returns a negative errno on
 * failure, as the raw system call does (the libc wrapper's `errno` is the commands' business).
 *
 * The machine provides one implementation over the simulated kernel; the shell's unit tests
 * provide an in-memory one, so the shell language can be tested on its own.
 *
 * @module
 */

/** `open(2)` flags, with the values of the asm-generic uapi headers. */
export const O_RDONLY = 0o0;
export const O_WRONLY = 0o1;
export const O_RDWR = 0o2;
export const O_ACCMODE = 0o3;
export const O_CREAT = 0o100;
export const O_EXCL = 0o200;
export const O_TRUNC = 0o1000;
export const O_APPEND = 0o2000;
export const O_NONBLOCK = 0o4000;
export const O_DIRECTORY = 0o200000;
export const O_CLOEXEC = 0o2000000;

/** `lseek(2)` whence values. */
export const SEEK_SET = 0;
export const SEEK_CUR = 1;
export const SEEK_END = 2;

/** File type bits of `st_mode` (include/uapi/linux/stat.h). */
export const S_IFMT = 0o170000;
export const S_IFSOCK = 0o140000;
export const S_IFLNK = 0o120000;
export const S_IFREG = 0o100000;
export const S_IFBLK = 0o060000;
export const S_IFDIR = 0o040000;
export const S_IFCHR = 0o020000;
export const S_IFIFO = 0o010000;

/** `syslog(2)` actions used by `dmesg`. */
export const SYSLOG_ACTION_READ_ALL = 3;
export const SYSLOG_ACTION_READ_CLEAR = 4;
export const SYSLOG_ACTION_CLEAR = 5;

/** Signal numbers the shell reports on (x86/arm generic values). */
export const SIGINT = 2;
export const SIGKILL = 9;
export const SIGSEGV = 11;
export const SIGPIPE = 13;
export const SIGTERM = 15;

/** `MKDEV` of the kernel's 12:20 split of a `dev_t`. */
export function makedev(major: number, minor: number): number {
  return major * 2 ** 20 + minor;
}

export function major(dev: number): number {
  return Math.floor(dev / 2 ** 20);
}

export function minor(dev: number): number {
  return dev % 2 ** 20;
}

/** `struct stat`, times in nanoseconds since the epoch. */
export interface Stat {
  st_dev: number;
  st_ino: number;
  st_mode: number;
  st_nlink: number;
  st_uid: number;
  st_gid: number;
  st_rdev: number;
  st_size: number;
  st_blksize: number;
  st_blocks: number;
  st_atime_ns: bigint;
  st_mtime_ns: bigint;
  st_ctime_ns: bigint;
}

/** One entry of `getdents64(2)`. */
export interface Dirent {
  d_ino: number;
  d_type: number;
  d_name: string;
}

/** `d_type` values. */
export const DT_UNKNOWN = 0;
export const DT_FIFO = 1;
export const DT_CHR = 2;
export const DT_DIR = 4;
export const DT_BLK = 6;
export const DT_REG = 8;
export const DT_LNK = 10;

/** What one of kmod's tools left: its exit status and output. */
export interface KmodResult {
  status: number;
  stdout: string;
  stderr: string;
}

/**
 * kmod's tools, over `finit_module(2)` and `delete_module(2)`: the kernel's modules package
 * provides them with kmod's messages, so every shell prints the same text.
 */
export interface KmodTools {
  insmod(filename: string, args: readonly string[]): Promise<KmodResult>;
  rmmod(names: readonly string[], options: { force?: boolean }): Promise<KmodResult>;
  modprobe(
    name: string,
    args: readonly string[],
    options: { remove?: boolean; quiet?: boolean; first_time?: boolean },
  ): Promise<KmodResult>;
  lsmod(): KmodResult;
  modinfo(names: readonly string[]): KmodResult;
}

/** `struct utsname` (uname(2)). */
export interface Utsname {
  sysname: string;
  nodename: string;
  release: string;
  version: string;
  machine: string;
}

/** A task of the machine, as `ps` shows it. */
export interface ProcessInfo {
  pid: number;
  comm: string;
}

/**
 * How a child ended: `status` is what the shell puts in `$?` (the exit code, or 128 plus
 * the signal number); `signal` is set when a signal killed it.
 */
export interface WaitStatus {
  status: number;
  signal?: number;
}

/** A child process started with {@link Sys.spawn}. */
export interface Child {
  readonly pid: number;
  wait(): Promise<WaitStatus>;
}

/** The system calls of a user process (see the module comment). */
export interface Sys {
  open(path: string, flags: number, mode?: number): Promise<number>;
  close(fd: number): Promise<number>;
  /** Reads up to `buf.length` bytes into `buf`; returns the count, 0 at end of file. */
  read(fd: number, buf: Uint8Array): Promise<number>;
  write(fd: number, data: Uint8Array): Promise<number>;
  lseek(fd: number, offset: number, whence: number): Promise<number>;
  /** A pipe as `[read end, write end]`, or a negative errno. */
  pipe2(flags: number): Promise<[number, number] | number>;
  dup(fd: number): Promise<number>;
  dup2(oldfd: number, newfd: number): Promise<number>;
  /**
   * ioctl(2). A `Uint8Array` argument is the structure the command reads or fills: it is
   * passed by address in the caller's memory and copied back afterwards.
   */
  ioctl(fd: number, cmd: number, arg: number | Uint8Array): Promise<number>;
  stat(path: string): Promise<Stat | number>;
  lstat(path: string): Promise<Stat | number>;
  fstat(fd: number): Promise<Stat | number>;
  /** The entries of a directory, `.` and `..` included (opendir + getdents64 + closedir). */
  readdir(path: string): Promise<Dirent[] | number>;
  /** The target of a symbolic link, or a negative errno. */
  readlink(path: string): Promise<string | number>;
  mknod(path: string, mode: number, dev: number): Promise<number>;
  mkdir(path: string, mode: number): Promise<number>;
  unlink(path: string): Promise<number>;
  rmdir(path: string): Promise<number>;
  chdir(path: string): Promise<number>;
  /** The working directory, or a negative errno. */
  getcwd(): Promise<string | number>;
  /** Sleeps on the virtual clock, interruptibly. */
  nanosleep(ns: number): Promise<number>;
  /** `CLOCK_REALTIME` in nanoseconds since the epoch. */
  clock_realtime(): bigint;
  /** `CLOCK_MONOTONIC` in nanoseconds since boot. */
  clock_monotonic(): bigint;
  /** kmod's tools (see {@link KmodTools}). */
  readonly kmod: KmodTools;
  /** `syslog(2)`: the log text for the read actions, 0 or a negative errno otherwise. */
  syslog(action: number): Promise<string | number>;
  /** The live tasks, in pid order. */
  processes(): ProcessInfo[];
  getpid(): number;
  /** Sends SIGINT to every user process but `shell` and init (the terminal's Ctrl-C). */
  kill_foreground(shell: number): void;
  /** kill(2): sends `sig` to the process `pid`; 0 or a negative errno (-ESRCH). */
  kill(pid: number, sig: number): number;
  uname(): Utsname;
  /**
   * fork + exec: a new task named `comm` with a copy of the caller's descriptor table and
   * its working directory, running `body`; its return value is the exit code.
   */
  spawn(comm: string, body: () => Promise<number>): Child;
}
