/**
 * File type and permission bits of `i_mode` / `st_mode` (include/uapi/linux/stat.h) and
 * the `d_type` values of getdents64 (include/linux/fs_types.h).
 *
 * @example
 * ```ts
 * import { S_IFCHR, S_ISCHR, S_ISDIR } from '@rfl/kernel';
 * S_ISCHR(S_IFCHR | 0o666) // => true
 * S_ISDIR(S_IFCHR | 0o666) // => false
 * const mode = S_IFCHR | 0o666;
 * mode.toString(8) // => '20666'
 * ```
 *
 * @module
 */

export const S_IFMT = 0o170000;
export const S_IFSOCK = 0o140000;
export const S_IFLNK = 0o120000;
export const S_IFREG = 0o100000;
export const S_IFBLK = 0o060000;
export const S_IFDIR = 0o040000;
export const S_IFCHR = 0o020000;
export const S_IFIFO = 0o010000;
export const S_ISUID = 0o4000;
export const S_ISGID = 0o2000;
export const S_ISVTX = 0o1000;

export const S_IRWXU = 0o700;
export const S_IRUSR = 0o400;
export const S_IWUSR = 0o200;
export const S_IXUSR = 0o100;
export const S_IRWXG = 0o070;
export const S_IRGRP = 0o040;
export const S_IWGRP = 0o020;
export const S_IXGRP = 0o010;
export const S_IRWXO = 0o007;
export const S_IROTH = 0o004;
export const S_IWOTH = 0o002;
export const S_IXOTH = 0o001;
export const S_IRWXUGO = S_IRWXU | S_IRWXG | S_IRWXO;
export const S_IALLUGO = S_ISUID | S_ISGID | S_ISVTX | S_IRWXUGO;
export const S_IRUGO = S_IRUSR | S_IRGRP | S_IROTH;
export const S_IWUGO = S_IWUSR | S_IWGRP | S_IWOTH;
export const S_IXUGO = S_IXUSR | S_IXGRP | S_IXOTH;

export const S_ISLNK = (m: number): boolean => (m & S_IFMT) === S_IFLNK;
export const S_ISREG = (m: number): boolean => (m & S_IFMT) === S_IFREG;
export const S_ISDIR = (m: number): boolean => (m & S_IFMT) === S_IFDIR;
export const S_ISCHR = (m: number): boolean => (m & S_IFMT) === S_IFCHR;
export const S_ISBLK = (m: number): boolean => (m & S_IFMT) === S_IFBLK;
export const S_ISFIFO = (m: number): boolean => (m & S_IFMT) === S_IFIFO;
export const S_ISSOCK = (m: number): boolean => (m & S_IFMT) === S_IFSOCK;

export const DT_UNKNOWN = 0;
export const DT_FIFO = 1;
export const DT_CHR = 2;
export const DT_DIR = 4;
export const DT_BLK = 6;
export const DT_REG = 8;
export const DT_LNK = 10;
export const DT_SOCK = 12;

/** The `d_type` of a mode, as `fs_umode_to_dtype()` computes it. */
export function fs_umode_to_dtype(mode: number): number {
  return (mode & S_IFMT) >>> 12;
}
