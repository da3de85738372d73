/**
 * `dd if= of= bs= ibs= obs= count= skip= seek= conv=notrunc status=none|noxfer`, GNU style:
 * one read per input block, the `N+M records in/out` counts of full and partial blocks,
 * and the transfer line (`1024 bytes (1.0 kB, 1.0 KiB) copied, 0.01 s, 102 kB/s`) timed on
 * the machine's virtual clock, which does not move while nothing sleeps (`0 s, Infinity
 * B/s`).
 *
 * @module
 */

import { strerror } from '../strerror.js';
import { O_CREAT, O_RDONLY, O_TRUNC, O_WRONLY, SEEK_CUR } from '../sys.js';
import type { Command, Proc } from './proc.js';

const EINTR = 4;

const SUFFIXES: Record<string, number> = {
  c: 1,
  w: 2,
  b: 512,
  kB: 1000,
  K: 1024,
  KiB: 1024,
  MB: 1000 ** 2,
  M: 1024 ** 2,
  MiB: 1024 ** 2,
  GB: 1000 ** 3,
  G: 1024 ** 3,
  GiB: 1024 ** 3,
};

/** A dd number: digits with an optional unit suffix, factors joined by `x`. */
function parseSize(text: string): number | undefined {
  let product = 1;
  for (const factor of text.split('x')) {
    const m = /^(\d+)([A-Za-z]*)$/.exec(factor);
    if (m === null) return undefined;
    const unit = m[2] === '' ? 1 : SUFFIXES[m[2]!];
    if (unit === undefined) return undefined;
    product *= Number(m[1]) * unit;
  }
  return product;
}

/** gnulib's human_readable() with autoscale, rounding to nearest, a space before the unit. */
export function humanSize(bytes: number, base: 1000 | 1024): string {
  const units =
    base === 1000 ? ['', 'kB', 'MB', 'GB', 'TB', 'PB'] : ['', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB'];
  let e = 0;
  let v = bytes;
  while (v >= base && e < units.length - 1) {
    v /= base;
    e++;
  }
  let text = v < 10 ? (Math.round(v * 10) / 10).toFixed(1) : String(Math.round(v));
  if (Number(text) >= base && e < units.length - 1) {
    e++;
    text = '1.0';
  }
  return `${text} ${units[e]}`;
}

/** The rate, computed in floating point: one decimal below 100. */
function humanRate(perSecond: number): string {
  const units = ['B', 'kB', 'MB', 'GB', 'TB', 'PB'];
  let e = 0;
  let v = perSecond;
  while (v >= 1000 && e < units.length - 1) {
    v /= 1000;
    e++;
  }
  return `${v < 100 ? v.toFixed(1) : Math.round(v)} ${units[e]}/s`;
}

/** `%g` of C for the elapsed seconds. */
function formatG(x: number): string {
  if (x === 0) return '0';
  const exp = Math.floor(Math.log10(Math.abs(x)));
  if (exp < -4 || exp >= 6) {
    const [mant, e] = x.toExponential(5).split('e');
    const sign = e!.startsWith('-') ? '-' : '+';
    const digits = e!.replace(/^[+-]/, '').padStart(2, '0');
    return `${mant!.replace(/\.?0+$/, '')}e${sign}${digits}`;
  }
  return String(Number(x.toPrecision(6)));
}

/** The transfer line of dd's statistics. */
export function transferLine(bytes: number, ns: bigint): string {
  const seconds = Number(ns) / 1e9;
  const rate = ns > 0n ? humanRate(bytes / seconds) : 'Infinity B/s';
  const time = `${formatG(seconds)} s`;
  if (bytes < 1000) return `${bytes} byte${bytes === 1 ? '' : 's'} copied, ${time}, ${rate}\n`;
  const si = humanSize(bytes, 1000);
  if (bytes < 1024) return `${bytes} bytes (${si}) copied, ${time}, ${rate}\n`;
  return `${bytes} bytes (${si}, ${humanSize(bytes, 1024)}) copied, ${time}, ${rate}\n`;
}

interface Operands {
  if: string;
  of: string;
  ibs: number;
  obs: number;
  bs: boolean;
  count: number;
  skip: number;
  seek: number;
  notrunc: boolean;
  status: string;
}

async function parseOperands(proc: Proc, argv: string[]): Promise<Operands | undefined> {
  const o: Operands = {
    if: '-',
    of: '-',
    ibs: 512,
    obs: 512,
    bs: false,
    count: Number.POSITIVE_INFINITY,
    skip: 0,
    seek: 0,
    notrunc: false,
    status: 'default',
  };
  for (const arg of argv) {
    const eq = arg.indexOf('=');
    const key = eq < 0 ? arg : arg.slice(0, eq);
    const value = arg.slice(eq + 1);
    if (
      eq < 0 ||
      !['if', 'of', 'bs', 'ibs', 'obs', 'count', 'skip', 'seek', 'conv', 'status'].includes(key)
    ) {
      await proc.error(`unrecognized operand '${arg}'`);
      await proc.err(`Try 'dd --help' for more information.\n`);
      return undefined;
    }
    if (key === 'if' || key === 'of') {
      o[key] = value;
    } else if (key === 'conv') {
      for (const c of value.split(',')) {
        if (c !== 'notrunc') {
          await proc.error(`invalid conversion: '${c}'`);
          return undefined;
        }
        o.notrunc = true;
      }
    } else if (key === 'status') {
      if (!['none', 'noxfer', 'progress'].includes(value)) {
        await proc.error(`invalid status level: '${value}'`);
        return undefined;
      }
      o.status = value;
    } else {
      const n = parseSize(value);
      if (n === undefined || ((key === 'bs' || key === 'ibs' || key === 'obs') && n === 0)) {
        await proc.error(`invalid number: '${value}'`);
        return undefined;
      }
      if (key === 'bs') {
        o.ibs = n;
        o.obs = n;
        o.bs = true;
      } else {
        o[key as 'ibs' | 'obs' | 'count' | 'skip' | 'seek'] = n;
      }
    }
  }
  return o;
}

export const dd: Command = async (proc, argv) => {
  const o = await parseOperands(proc, argv);
  if (o === undefined) return 1;
  const sys = proc.sys;
  const ifd = o.if === '-' ? 0 : await sys.open(o.if, O_RDONLY);
  if (ifd < 0) {
    await proc.error(`failed to open '${o.if}': ${strerror(ifd)}`);
    return 1;
  }
  const trunc = o.seek === 0 && !o.notrunc ? O_TRUNC : 0;
  const ofd = o.of === '-' ? 1 : await sys.open(o.of, O_WRONLY | O_CREAT | trunc, 0o666);
  if (ofd < 0) {
    await proc.error(`failed to open '${o.of}': ${strerror(ofd)}`);
    return 1;
  }
  const start = sys.clock_monotonic();
  const stats = { inFull: 0, inPart: 0, outFull: 0, outPart: 0, bytes: 0 };
  let status = 0;
  const fail = async (what: string, path: string, errno: number) => {
    await proc.error(`error ${what} '${path}': ${strerror(errno)}`);
    status = 1;
  };
  const buf = new Uint8Array(o.ibs);
  const readBlock = async (): Promise<number> => {
    for (;;) {
      const n = await sys.read(ifd, buf);
      if (n !== -EINTR) return n;
    }
  };
  if (o.skip > 0 && (await sys.lseek(ifd, o.skip * o.ibs, SEEK_CUR)) < 0) {
    for (let i = 0; i < o.skip; i++) if ((await readBlock()) <= 0) break;
  }
  if (o.seek > 0) await sys.lseek(ofd, o.seek * o.obs, SEEK_CUR);
  let pending = new Uint8Array(0);
  const writeOut = async (data: Uint8Array): Promise<boolean> => {
    const n = await proc.writeAll(ofd, data);
    if (n < 0) {
      await fail('writing', o.of === '-' ? 'standard output' : o.of, n);
      return false;
    }
    if (data.length === o.obs) stats.outFull++;
    else stats.outPart++;
    stats.bytes += n;
    return true;
  };
  copy: for (let block = 0; block < o.count; block++) {
    const n = await readBlock();
    if (n < 0) {
      await fail('reading', o.if === '-' ? 'standard input' : o.if, n);
      break;
    }
    if (n === 0) break;
    if (n === o.ibs) stats.inFull++;
    else stats.inPart++;
    if (o.bs) {
      if (!(await writeOut(buf.slice(0, n)))) break;
      continue;
    }
    const joined = new Uint8Array(pending.length + n);
    joined.set(pending);
    joined.set(buf.subarray(0, n), pending.length);
    let at = 0;
    while (joined.length - at >= o.obs) {
      if (!(await writeOut(joined.slice(at, at + o.obs)))) break copy;
      at += o.obs;
    }
    pending = joined.slice(at);
  }
  if (pending.length > 0 && status === 0) await writeOut(pending);
  const elapsed = sys.clock_monotonic() - start;
  if (ifd > 2) await sys.close(ifd);
  if (ofd > 2) await sys.close(ofd);
  if (o.status !== 'none') {
    let report = `${stats.inFull}+${stats.inPart} records in\n${stats.outFull}+${stats.outPart} records out\n`;
    if (o.status !== 'noxfer') report += transferLine(stats.bytes, elapsed);
    await proc.err(report);
  }
  return status;
};
