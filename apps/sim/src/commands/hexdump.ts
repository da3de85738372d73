/**
 * `hexdump [-Cv] [-n length] [-s offset] [file...]`, util-linux style: the default
 * two-byte-word format and the `-C` canonical hex+ASCII one, with identical lines folded
 * into `*` unless `-v`, and the final offset on a line of its own.
 *
 * @module
 */

import { strerror } from '../strerror.js';
import { getopt } from './getopt.js';
import type { Command } from './proc.js';

const hex = (n: number, width: number) => n.toString(16).padStart(width, '0');

/** `-C`: `00000000  68 69 0a  …  |hi.|`. */
function canonicalLine(offset: number, row: Uint8Array): string {
  let s = `${hex(offset, 8)}  `;
  for (let i = 0; i < 16; i++) {
    s += i < row.length ? `${hex(row[i]!, 2)} ` : '   ';
    if (i === 7) s += ' ';
  }
  let ascii = '';
  for (const b of row) ascii += b >= 0x20 && b <= 0x7e ? String.fromCharCode(b) : '.';
  return `${s} |${ascii}|\n`;
}

/** The default format: eight little-endian 16-bit words per line. */
function wordLine(offset: number, row: Uint8Array): string {
  let s = hex(offset, 7);
  for (let i = 0; i < 16; i += 2) {
    if (i >= row.length) s += '     ';
    else s += ` ${hex((row[i + 1] ?? 0) * 256 + row[i]!, 4)}`;
  }
  return `${s}\n`;
}

export const hexdump: Command = async (proc, argv) => {
  const parsed = await getopt(proc, argv, 'Cv', 'ns');
  if (parsed === undefined) return 1;
  let canonical = false;
  let squeeze = true;
  let length = Number.POSITIVE_INFINITY;
  let skip = 0;
  for (const [opt, arg] of parsed.opts) {
    if (opt === 'C') canonical = true;
    else if (opt === 'v') squeeze = false;
    else if (opt === 'n' || opt === 's') {
      const n = Number(arg);
      if (!Number.isInteger(n) || n < 0) {
        await proc.error(`invalid ${opt === 'n' ? 'length' : 'offset'} argument: '${arg}'`);
        return 1;
      }
      if (opt === 'n') length = n;
      else skip = n;
    }
  }
  const chunks: Uint8Array[] = [];
  let status = 0;
  for (const path of parsed.operands.length > 0 ? parsed.operands : ['-']) {
    const fd = await proc.openInput(path);
    if (fd < 0) {
      await proc.error(`${path}: ${strerror(fd)}`);
      status = 1;
      continue;
    }
    const data = await proc.readAll(fd, skip + length);
    await proc.closeInput(fd);
    if (typeof data === 'number') {
      await proc.error(`${path}: ${strerror(data)}`);
      status = 1;
      continue;
    }
    chunks.push(data);
  }
  const all = Buffer.concat(chunks).subarray(skip, skip + length);
  const format = canonical ? canonicalLine : wordLine;
  let previous: Uint8Array | undefined;
  let starred = false;
  for (let off = 0; off < all.length; off += 16) {
    const row = all.subarray(off, off + 16);
    if (
      squeeze &&
      previous !== undefined &&
      row.length === 16 &&
      Buffer.compare(row, previous) === 0
    ) {
      if (!starred) await proc.out('*\n');
      starred = true;
      continue;
    }
    starred = false;
    previous = row;
    await proc.out(format(skip + off, row));
  }
  if (all.length > 0) await proc.out(`${hex(skip + all.length, canonical ? 8 : 7)}\n`);
  return status;
};
