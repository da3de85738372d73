/**
 * `stat FILE...` with GNU coreutils' default format, device numbers and all.
 *
 * @module
 */

import { strerror } from '../strerror.js';
import { major, minor, S_IFBLK, S_IFCHR, S_IFLNK, S_IFMT } from '../sys.js';
import { fileTypeName, modeString, statDate, userName } from './file-mode.js';
import { getopt } from './getopt.js';
import type { Command } from './proc.js';

export const stat: Command = async (proc, argv) => {
  const parsed = await getopt(proc, argv, 'L');
  if (parsed === undefined) return 1;
  if (parsed.operands.length === 0) {
    await proc.error('missing operand');
    await proc.err(`Try 'stat --help' for more information.\n`);
    return 1;
  }
  const follow = parsed.opts.some(([o]) => o === 'L');
  let status = 0;
  for (const path of parsed.operands) {
    const st = follow ? await proc.sys.stat(path) : await proc.sys.lstat(path);
    if (typeof st === 'number') {
      await proc.error(`cannot statx '${path}': ${strerror(st)}`);
      status = 1;
      continue;
    }
    const type = st.st_mode & S_IFMT;
    const isDev = type === S_IFCHR || type === S_IFBLK;
    const perm = (st.st_mode & 0o7777).toString(8).padStart(4, '0');
    const id = (n: number) => `${String(n).padStart(5)}/${userName(n).padStart(8)}`;
    const target = type === S_IFLNK ? await proc.sys.readlink(path) : undefined;
    const shown = typeof target === 'string' ? `${path} -> ${target}` : path;
    let out =
      `  File: ${shown}\n` +
      `  Size: ${String(st.st_size).padEnd(10)}\tBlocks: ${String(st.st_blocks).padEnd(10)} ` +
      `IO Block: ${String(st.st_blksize).padEnd(6)} ${fileTypeName(st)}\n` +
      `Device: ${major(st.st_dev)},${minor(st.st_dev)}\tInode: ${String(st.st_ino).padEnd(10)}  `;
    out += isDev
      ? `Links: ${String(st.st_nlink).padEnd(5)} Device type: ${major(st.st_rdev)},${minor(st.st_rdev)}\n`
      : `Links: ${st.st_nlink}\n`;
    out +=
      `Access: (${perm}/${modeString(st.st_mode)})  Uid: (${id(st.st_uid)})   Gid: (${id(st.st_gid)})\n` +
      `Access: ${statDate(st.st_atime_ns)}\n` +
      `Modify: ${statDate(st.st_mtime_ns)}\n` +
      `Change: ${statDate(st.st_ctime_ns)}\n` +
      ' Birth: -\n';
    await proc.out(out);
  }
  return status;
};
