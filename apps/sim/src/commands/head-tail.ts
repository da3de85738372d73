/**
 * `head` and `tail` with `-c N` and `-n N` (and `head -N`, `tail -n +N`), the `==> file <==`
 * headers for several files, and the coreutils messages. `head` reads no more than it
 * needs, so `head -c 16 /dev/urandom` ends; `tail` reads to the end.
 *
 * @module
 */

import { strerror } from '../strerror.js';
import { getopt } from './getopt.js';
import type { Command, Proc } from './proc.js';

const EINTR = 4;

interface Count {
  bytes: boolean;
  n: number;
  /** `tail -n +N`: from the Nth unit on. */
  from: boolean;
}

async function parseCount(
  proc: Proc,
  argv: string[],
): Promise<{ count: Count; files: string[] } | undefined> {
  const parsed = await getopt(proc, argv, 'qv', 'cn', true);
  if (parsed === undefined) return undefined;
  let count: Count = { bytes: false, n: 10, from: false };
  for (const [opt, arg] of parsed.opts) {
    if (opt !== 'c' && opt !== 'n' && opt !== '#') continue;
    const bytes = opt === 'c';
    const m = /^([+-]?)(\d+)$/.exec(arg);
    if (m === null) {
      await proc.error(`invalid number of ${bytes ? 'bytes' : 'lines'}: '${arg}'`);
      return undefined;
    }
    count = { bytes, n: Number(m[2]), from: m[1] === '+' };
  }
  return { count, files: parsed.operands.length > 0 ? parsed.operands : ['-'] };
}

async function openOrReport(proc: Proc, path: string): Promise<number> {
  const fd = await proc.openInput(path);
  if (fd < 0) await proc.error(`cannot open '${path}' for reading: ${strerror(fd)}`);
  return fd;
}

/** Reads from `fd` until `count` is satisfied, writing what belongs to the output. */
async function headOne(proc: Proc, fd: number, count: Count): Promise<number> {
  let left = count.n;
  const buf = new Uint8Array(8192);
  while (left > 0) {
    const n = await proc.sys.read(
      fd,
      buf.subarray(0, count.bytes ? Math.min(buf.length, left) : buf.length),
    );
    if (n === -EINTR) continue;
    if (n <= 0) return n;
    let take = n;
    if (count.bytes) {
      left -= n;
    } else {
      take = 0;
      while (take < n && left > 0) if (buf[take++] === 0x0a) left--;
    }
    await proc.out(buf.slice(0, take));
  }
  return 0;
}

function tailOf(data: Uint8Array, count: Count): Uint8Array {
  if (count.bytes) {
    if (count.from) return data.subarray(Math.max(0, count.n - 1));
    return data.subarray(Math.max(0, data.length - count.n));
  }
  const starts = [0];
  for (let i = 0; i < data.length; i++)
    if (data[i] === 0x0a && i + 1 < data.length) starts.push(i + 1);
  if (count.from) return data.subarray(starts[Math.max(0, count.n - 1)] ?? data.length);
  if (count.n === 0 || data.length === 0) return data.subarray(data.length);
  return data.subarray(starts[Math.max(0, starts.length - count.n)] ?? 0, data.length);
}

function makeFilter(tail: boolean): Command {
  return async (proc, argv) => {
    const parsed = await parseCount(proc, argv);
    if (parsed === undefined) return 1;
    const { count, files } = parsed;
    let status = 0;
    let first = true;
    for (const path of files) {
      const fd = await openOrReport(proc, path);
      if (fd < 0) {
        status = 1;
        continue;
      }
      if (files.length > 1) {
        await proc.out(`${first ? '' : '\n'}==> ${path === '-' ? 'standard input' : path} <==\n`);
      }
      first = false;
      let err = 0;
      if (tail) {
        const data = await proc.readAll(fd);
        if (typeof data === 'number') err = data;
        else await proc.out(tailOf(data, count));
      } else {
        err = await headOne(proc, fd, count);
      }
      if (err < 0) {
        await proc.error(`error reading '${path}': ${strerror(err)}`);
        status = 1;
      }
      await proc.closeInput(fd);
    }
    return status;
  };
}

export const head: Command = makeFilter(false);
export const tail: Command = makeFilter(true);
