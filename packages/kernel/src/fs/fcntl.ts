/**
 * Open flags, `*at()` flags and `lseek` origins with their x86-64 uapi values
 * (include/uapi/asm-generic/fcntl.h, include/uapi/linux/fcntl.h, include/uapi/linux/fs.h).
 *
 * @example
 * ```ts
 * import { O_CREAT, O_DIRECTORY, O_NONBLOCK, O_RDWR } from '@rfl/kernel';
 * O_RDWR | O_CREAT // => 0o102
 * O_NONBLOCK // => 0o4000
 * O_DIRECTORY // => 0o200000
 * ```
 *
 * @module
 */

export const O_ACCMODE = 0o3;
export const O_RDONLY = 0o0;
export const O_WRONLY = 0o1;
export const O_RDWR = 0o2;
export const O_CREAT = 0o100;
export const O_EXCL = 0o200;
export const O_NOCTTY = 0o400;
export const O_TRUNC = 0o1000;
export const O_APPEND = 0o2000;
export const O_NONBLOCK = 0o4000;
export const O_NDELAY = O_NONBLOCK;
export const O_DSYNC = 0o10000;
export const FASYNC = 0o20000;
export const O_DIRECT = 0o40000;
export const O_LARGEFILE = 0o100000;
export const O_DIRECTORY = 0o200000;
export const O_NOFOLLOW = 0o400000;
export const O_NOATIME = 0o1000000;
export const O_CLOEXEC = 0o2000000;
export const __O_SYNC = 0o4000000;
export const O_SYNC = __O_SYNC | O_DSYNC;
export const O_PATH = 0o10000000;

/** The directory fd meaning "relative to the working directory" in `*at()` calls. */
export const AT_FDCWD = -100;
export const AT_SYMLINK_NOFOLLOW = 0x100;
export const AT_REMOVEDIR = 0x200;
export const AT_SYMLINK_FOLLOW = 0x400;
export const AT_EMPTY_PATH = 0x1000;

/** `F_*` commands of fcntl and the close-on-exec fd flag. */
export const F_DUPFD = 0;
export const F_GETFD = 1;
export const F_SETFD = 2;
export const F_GETFL = 3;
export const F_SETFL = 4;
export const FD_CLOEXEC = 1;

export const SEEK_SET = 0;
export const SEEK_CUR = 1;
export const SEEK_END = 2;
export const SEEK_DATA = 3;
export const SEEK_HOLE = 4;
export const SEEK_MAX = SEEK_HOLE;

/** Largest file offset (`MAX_LFS_FILESIZE` on 64-bit), clamped to what a number holds exactly. */
export const MAX_LFS_FILESIZE = Number.MAX_SAFE_INTEGER;
/** Largest count one read or write moves (`MAX_RW_COUNT`: INT_MAX rounded down to a page). */
export const MAX_RW_COUNT = 0x7ffff000;
/** Longest path, terminator included (`PATH_MAX`). */
export const PATH_MAX = 4096;
/** Longest name of one path component (`NAME_MAX`). */
export const NAME_MAX = 255;
/** Symlinks followed in one lookup before ELOOP (`MAXSYMLINKS`). */
export const MAXSYMLINKS = 40;
/** The soft `RLIMIT_NOFILE` of a process: fds 0..1023. */
export const NR_OPEN_DEFAULT_RLIMIT = 1024;
