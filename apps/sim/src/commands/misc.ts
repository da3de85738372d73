/**
 * The small tools: `sleep`, `dmesg`, `mknod`, `mkdir`, `rm` and `ps`, with the messages of
 * coreutils, util-linux and procps.
 *
 * @module
 */

import { strerror } from '../strerror.js';
import {
  makedev,
  S_IFBLK,
  S_IFCHR,
  S_IFDIR,
  S_IFIFO,
  S_IFMT,
  SYSLOG_ACTION_CLEAR,
  SYSLOG_ACTION_READ_ALL,
  SYSLOG_ACTION_READ_CLEAR,
} from '../sys.js';
import { getopt } from './getopt.js';
import type { Command, Proc } from './proc.js';

const ENOENT = 2;
const EEXIST = 17;

const UNITS: Record<string, number> = { '': 1, s: 1, m: 60, h: 3600, d: 86400 };

/** `sleep NUMBER[smhd]...`: the sum of the intervals, on the virtual clock. */
export const sleep: Command = async (proc, argv) => {
  if (argv.length === 0) {
    await proc.error('missing operand');
    await proc.err(`Try 'sleep --help' for more information.\n`);
    return 1;
  }
  let seconds = 0;
  for (const arg of argv) {
    const m = /^(\d+(?:\.\d*)?|\.\d+)([smhd]?)$/.exec(arg);
    if (m === null) {
      await proc.error(`invalid time interval '${arg}'`);
      await proc.err(`Try 'sleep --help' for more information.\n`);
      return 1;
    }
    seconds += Number(m[1]) * UNITS[m[2]!]!;
  }
  await proc.sys.nanosleep(Math.round(seconds * 1e9));
  return 0;
};

/** `dmesg [-c|-C]`: the kernel's ring buffer, read (and cleared) with syslog(2). */
export const dmesg: Command = async (proc, argv) => {
  const parsed = await getopt(proc, argv, 'cC');
  if (parsed === undefined) return 1;
  const has = (c: string) => parsed.opts.some(([o]) => o === c);
  if (has('C')) {
    const err = await proc.sys.syslog(SYSLOG_ACTION_CLEAR);
    if (typeof err === 'number' && err < 0) {
      await proc.error(`klogctl failed: ${strerror(err)}`);
      return 1;
    }
    return 0;
  }
  const text = await proc.sys.syslog(has('c') ? SYSLOG_ACTION_READ_CLEAR : SYSLOG_ACTION_READ_ALL);
  if (typeof text === 'number') {
    await proc.error(`read kernel buffer failed: ${strerror(text)}`);
    return 1;
  }
  await proc.out(text);
  return 0;
};

/** `mknod [-m MODE] NAME TYPE [MAJOR MINOR]`. */
export const mknod: Command = async (proc, argv) => {
  const parsed = await getopt(proc, argv, '', 'm');
  if (parsed === undefined) return 1;
  let mode = 0o666 & ~0o022;
  for (const [, arg] of parsed.opts) {
    if (!/^[0-7]+$/.test(arg)) {
      await proc.error('invalid mode');
      return 1;
    }
    mode = Number.parseInt(arg, 8);
  }
  const [name, type, maj, min, extra] = parsed.operands;
  const usage = async (message: string) => {
    await proc.error(message);
    await proc.err(`Try 'mknod --help' for more information.\n`);
    return 1;
  };
  if (name === undefined) return usage('missing operand');
  if (type === undefined) return usage(`missing operand after '${name}'`);
  const kinds: Record<string, number> = { b: S_IFBLK, c: S_IFCHR, u: S_IFCHR, p: S_IFIFO };
  const kind = kinds[type];
  if (kind === undefined) return usage(`invalid device type '${type}'`);
  let dev = 0;
  if (kind === S_IFIFO) {
    if (maj !== undefined) return usage(`extra operand '${maj}'`);
  } else {
    if (min === undefined) {
      await proc.error(`missing operand after '${maj ?? type}'`);
      await proc.err('Special files require major and minor device numbers.\n');
      await proc.err(`Try 'mknod --help' for more information.\n`);
      return 1;
    }
    if (extra !== undefined) return usage(`extra operand '${extra}'`);
    for (const n of [maj!, min])
      if (!/^\d+$/.test(n))
        return usage(`invalid ${n === maj ? 'major' : 'minor'} device number '${n}'`);
    dev = makedev(Number(maj), Number(min));
  }
  const err = await proc.sys.mknod(name, kind | mode, dev);
  if (err < 0) {
    await proc.perror(name, err);
    return 1;
  }
  return 0;
};

/** `mkdir [-p] DIR...`. */
export const mkdir: Command = async (proc, argv) => {
  const parsed = await getopt(proc, argv, 'p');
  if (parsed === undefined) return 1;
  const parents = parsed.opts.length > 0;
  let status = 0;
  for (const dir of parsed.operands) {
    const paths = parents
      ? dir
          .split('/')
          .map((_, i, parts) => parts.slice(0, i + 1).join('/'))
          .filter((p) => p !== '')
      : [dir];
    for (const [i, path] of paths.entries()) {
      const err = await proc.sys.mkdir(path, 0o755);
      if (
        err < 0 &&
        !(parents && err === -EEXIST && (i < paths.length - 1 || (await isDir(proc, path))))
      ) {
        await proc.error(`cannot create directory '${dir}': ${strerror(err)}`);
        status = 1;
        break;
      }
    }
  }
  return status;
};

async function isDir(proc: Proc, path: string): Promise<boolean> {
  const st = await proc.sys.stat(path);
  return typeof st !== 'number' && (st.st_mode & S_IFMT) === S_IFDIR;
}

async function removeTree(proc: Proc, path: string): Promise<number> {
  const entries = await proc.sys.readdir(path);
  if (typeof entries === 'number') return entries;
  const names = entries.map((e) => e.d_name).filter((n) => n !== '.' && n !== '..');
  for (const name of names) {
    const child = `${path}/${name}`;
    const err = (await isDir(proc, child))
      ? await removeTree(proc, child)
      : await proc.sys.unlink(child);
    if (err < 0) return err;
  }
  return proc.sys.rmdir(path);
}

/** `rm [-fr] FILE...`. */
export const rm: Command = async (proc, argv) => {
  const parsed = await getopt(proc, argv, 'frR');
  if (parsed === undefined) return 1;
  const force = parsed.opts.some(([o]) => o === 'f');
  const recursive = parsed.opts.some(([o]) => o === 'r' || o === 'R');
  let status = 0;
  for (const path of parsed.operands) {
    const dir = await isDir(proc, path);
    const err = dir && recursive ? await removeTree(proc, path) : await proc.sys.unlink(path);
    if (err < 0 && !(force && err === -ENOENT)) {
      await proc.error(`cannot remove '${path}': ${strerror(err)}`);
      status = 1;
    }
  }
  return status;
};

/** `uname [-asnrvmo]`, GNU's order; `-a` leaves out the unknown processor and platform. */
export const uname: Command = async (proc, argv) => {
  const parsed = await getopt(proc, argv, 'asnrvmo');
  if (parsed === undefined) return 1;
  if (parsed.operands.length > 0) {
    await proc.error(`extra operand '${parsed.operands[0]}'`);
    await proc.err(`Try 'uname --help' for more information.\n`);
    return 1;
  }
  const u = proc.sys.uname();
  const fields: [string, string][] = [
    ['s', u.sysname],
    ['n', u.nodename],
    ['r', u.release],
    ['v', u.version],
    ['m', u.machine],
    ['o', 'GNU/Linux'],
  ];
  const wanted = new Set(parsed.opts.map(([o]) => o));
  if (wanted.has('a')) for (const [f] of fields) wanted.add(f);
  if (wanted.size === 0) wanted.add('s');
  await proc.out(
    `${fields
      .filter(([f]) => wanted.has(f))
      .map(([, v]) => v)
      .join(' ')}\n`,
  );
  return 0;
};

/** `ps`: every task of the machine, procps's default columns (`ps -e`). */
export const ps: Command = async (proc) => {
  let out = '    PID TTY          TIME CMD\n';
  for (const p of proc.sys.processes())
    out += `${String(p.pid).padStart(7)} ?        00:00:00 ${p.comm}\n`;
  await proc.out(out);
  return 0;
};
