/**
 * stat(2) (fs/stat.c): `vfs_getattr` fills a {@link kstat}; the system calls store it in
 * the x86-64 `struct stat` layout (144 bytes) with {@link encode_stat}.
 *
 * | offset | field | size |
 * |---|---|---|
 * | 0 | st_dev | 8 |
 * | 8 | st_ino | 8 |
 * | 16 | st_nlink | 8 |
 * | 24 | st_mode | 4 |
 * | 28 | st_uid | 4 |
 * | 32 | st_gid | 4 |
 * | 40 | st_rdev | 8 |
 * | 48 | st_size | 8 |
 * | 56 | st_blksize | 8 |
 * | 64 | st_blocks (512-byte units) | 8 |
 * | 72 | st_atime, st_atime_nsec | 8 + 8 |
 * | 88 | st_mtime, st_mtime_nsec | 8 + 8 |
 * | 104 | st_ctime, st_ctime_nsec | 8 + 8 |
 *
 * @module
 */

import type { inode, path } from './fs.js';
import { new_encode_dev } from './kdev_t.js';
import { S_ISREG } from './stat_mode.js';

/** Size of the x86-64 `struct stat`. */
export const STAT_SIZE = 144;

/** `struct kstat`: the attributes of a file. Times are nanoseconds since boot. */
export interface kstat {
  dev: number;
  ino: number;
  nlink: number;
  mode: number;
  uid: number;
  gid: number;
  /** Kernel dev_t of a device node. */
  rdev: number;
  size: number;
  blksize: number;
  /** 512-byte blocks in use. */
  blocks: number;
  atime_ns: number;
  mtime_ns: number;
  ctime_ns: number;
}

/** The attributes of an inode (`generic_fillattr`). */
export function generic_fillattr(node: inode): kstat {
  const blocks = S_ISREG(node.i_mode) ? Math.ceil(node.i_size / 4096) * 8 : 0;
  return {
    dev: node.i_sb.s_dev,
    ino: node.i_ino,
    nlink: node.i_nlink,
    mode: node.i_mode,
    uid: node.i_uid,
    gid: node.i_gid,
    rdev: node.i_rdev,
    size: node.i_size,
    blksize: 4096,
    blocks,
    atime_ns: node.i_atime,
    mtime_ns: node.i_mtime,
    ctime_ns: node.i_ctime,
  };
}

/** The attributes of the file at `p` (`vfs_getattr`). */
export function vfs_getattr(p: path): kstat {
  return generic_fillattr(p.dentry.d_inode!);
}

/** The 144 bytes of `struct stat` for `st` (`cp_new_stat`). */
export function encode_stat(st: kstat): Uint8Array {
  const out = new Uint8Array(STAT_SIZE);
  const v = new DataView(out.buffer);
  const u64 = (off: number, x: number): void =>
    v.setBigUint64(off, BigInt(Math.max(0, Math.trunc(x))), true);
  const time = (off: number, ns: number): void => {
    u64(off, Math.floor(ns / 1e9));
    u64(off + 8, ns % 1e9);
  };
  u64(0, new_encode_dev(st.dev));
  u64(8, st.ino);
  u64(16, st.nlink);
  v.setUint32(24, st.mode, true);
  v.setUint32(28, st.uid, true);
  v.setUint32(32, st.gid, true);
  u64(40, new_encode_dev(st.rdev));
  u64(48, st.size);
  u64(56, st.blksize);
  u64(64, st.blocks);
  time(72, st.atime_ns);
  time(88, st.mtime_ns);
  time(104, st.ctime_ns);
  return out;
}

/** Reads a `struct stat` back (what user space's libc sees). */
export function decode_stat(bytes: Uint8Array): kstat {
  const v = new DataView(bytes.buffer, bytes.byteOffset, STAT_SIZE);
  const u64 = (off: number): number => Number(v.getBigUint64(off, true));
  const dev = (off: number): number => {
    const d = u64(off);
    const major = (d & 0xfff00) >>> 8;
    const minor = (d & 0xff) | ((d >>> 12) & 0xfff00);
    return ((major << 20) | minor) >>> 0;
  };
  return {
    dev: dev(0),
    ino: u64(8),
    nlink: u64(16),
    mode: v.getUint32(24, true),
    uid: v.getUint32(28, true),
    gid: v.getUint32(32, true),
    rdev: dev(40),
    size: u64(48),
    blksize: u64(56),
    blocks: u64(64),
    atime_ns: u64(72) * 1e9 + u64(80),
    mtime_ns: u64(88) * 1e9 + u64(96),
    ctime_ns: u64(104) * 1e9 + u64(112),
  };
}
