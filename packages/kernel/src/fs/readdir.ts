/**
 * getdents64(2) (fs/readdir.c): a directory's entries as `struct linux_dirent64` records,
 * each `{ u64 d_ino; s64 d_off; u16 d_reclen; u8 d_type; char d_name[] }` padded to 8
 * bytes, as many as fit the buffer. A buffer too small for even one entry is -EINVAL.
 *
 * @module
 */

import { EINVAL, ENOENT, ENOTDIR } from '../errno.js';
import type { dir_context, file } from './fs.js';
import { S_ISDIR } from './stat_mode.js';

/** One directory entry, decoded. */
export interface linux_dirent64 {
  d_ino: number;
  d_off: number;
  d_type: number;
  d_name: string;
}

/** `iterate_dir`: runs `f_op.iterate_shared` from the file's position, then stores it back. */
export async function iterate_dir(filp: file, ctx: dir_context): Promise<number> {
  const node = filp.f_inode;
  if (!S_ISDIR(node.i_mode)) return -ENOTDIR;
  const iterate = filp.f_op.iterate_shared;
  if (iterate === undefined) return -ENOTDIR;
  if (node.i_nlink === 0) return -ENOENT;
  ctx.pos = filp.f_pos;
  const ret = await iterate(filp, ctx);
  filp.f_pos = ctx.pos;
  return ret;
}

/**
 * Encodes as many entries of `filp` as fit in `count` bytes (what getdents64 copies to
 * user space): the bytes, or a negative errno (-EINVAL when the first entry does not fit).
 */
export async function getdents64_bytes(filp: file, count: number): Promise<Uint8Array | number> {
  const chunks: Uint8Array[] = [];
  let used = 0;
  let too_small = false;
  const enc = new TextEncoder();
  const ctx: dir_context = {
    pos: 0,
    actor: (name, _offset, ino, d_type) => {
      const nb = enc.encode(name);
      const reclen = Math.ceil((19 + nb.length + 1) / 8) * 8;
      if (used + reclen > count) {
        if (used === 0) too_small = true;
        return false;
      }
      const rec = new Uint8Array(reclen);
      const v = new DataView(rec.buffer);
      v.setBigUint64(0, BigInt(ino), true);
      // d_off is the position of the next entry, which is the context's pos + 1.
      v.setBigInt64(8, BigInt(ctx.pos + 1), true);
      v.setUint16(16, reclen, true);
      rec[18] = d_type;
      rec.set(nb, 19);
      chunks.push(rec);
      used += reclen;
      return true;
    },
  };
  const err = await iterate_dir(filp, ctx);
  if (err < 0) return err;
  if (too_small) return -EINVAL;
  const out = new Uint8Array(used);
  let off = 0;
  for (const c of chunks) {
    out.set(c, off);
    off += c.length;
  }
  return out;
}

/** Decodes getdents64 records (what user space's readdir does). */
export function decode_dirents(bytes: Uint8Array): linux_dirent64[] {
  const out: linux_dirent64[] = [];
  const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.length);
  const dec = new TextDecoder();
  let off = 0;
  while (off + 19 <= bytes.length) {
    const reclen = v.getUint16(off + 16, true);
    if (reclen === 0) break;
    const name_bytes = bytes.subarray(off + 19, off + reclen);
    const nul = name_bytes.indexOf(0);
    out.push({
      d_ino: Number(v.getBigUint64(off, true)),
      d_off: Number(v.getBigInt64(off + 8, true)),
      d_type: bytes[off + 18]!,
      d_name: dec.decode(nul < 0 ? name_bytes : name_bytes.subarray(0, nul)),
    });
    off += reclen;
  }
  return out;
}
