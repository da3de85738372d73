/**
 * `cat [FILE]...`: copies each file (or standard input, `-`) to standard output, in
 * page-sized reads, as the real one does, so that a driver sees ordinary reads.
 *
 * @module
 */

import type { Command } from './proc.js';

const EINTR = 4;

export const cat: Command = async (proc, argv) => {
  let status = 0;
  const files = argv.length > 0 ? argv : ['-'];
  for (const path of files) {
    const fd = await proc.openInput(path);
    if (fd < 0) {
      await proc.perror(path, fd);
      status = 1;
      continue;
    }
    const buf = new Uint8Array(4096);
    for (;;) {
      const n = await proc.sys.read(fd, buf);
      if (n === -EINTR) continue;
      if (n < 0) {
        await proc.perror(path, n);
        status = 1;
        break;
      }
      if (n === 0) break;
      const w = await proc.writeAll(1, buf.slice(0, n));
      if (w < 0) {
        await proc.perror('write error', w);
        await proc.closeInput(fd);
        return 1;
      }
    }
    await proc.closeInput(fd);
  }
  return status;
};
