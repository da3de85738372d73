/**
 * `ls [-1aAdl] [FILE]...`, GNU coreutils style in the C locale: names sorted bytewise,
 * columns across an 80-character terminal (one per line when the output is not a
 * terminal, or with `-1`), and `-l`'s aligned long format, where a device node shows
 * `major, minor` in place of its size.
 *
 * @module
 */

import { strerror } from '../strerror.js';
import { major, minor, S_IFBLK, S_IFCHR, S_IFDIR, S_IFLNK, S_IFMT, type Stat } from '../sys.js';
import { lsDate, modeString, userName } from './file-mode.js';
import { getopt } from './getopt.js';
import type { Command, Proc } from './proc.js';

/** `TCGETS`: succeeds only on a terminal, which is how isatty() asks. */
export const TCGETS = 0x5401;
const LINE_WIDTH = 80;

interface Entry {
  name: string;
  st?: Stat;
  /** The target of a symbolic link, for `-l`. */
  link?: string;
}

const isDevice = (st: Stat) => [S_IFCHR, S_IFBLK].includes(st.st_mode & S_IFMT);

/** The long format of a set of entries, with coreutils' column widths. */
function longLines(entries: Entry[], now: bigint): string {
  const w = { nlink: 0, size: 0, major: 0, minor: 0 };
  for (const { st: s } of entries) {
    const st = s!;
    w.nlink = Math.max(w.nlink, String(st.st_nlink).length);
    if (isDevice(st)) {
      w.major = Math.max(w.major, String(major(st.st_rdev)).length);
      w.minor = Math.max(w.minor, String(minor(st.st_rdev)).length);
      w.size = Math.max(w.size, w.major + 2 + w.minor);
    } else {
      w.size = Math.max(w.size, String(st.st_size).length);
    }
  }
  let out = '';
  for (const { name, st: s, link } of entries) {
    const st = s!;
    const size = isDevice(st)
      ? `${String(major(st.st_rdev)).padStart(w.major + Math.max(0, w.size - (w.major + 2 + w.minor)))}, ${String(
          minor(st.st_rdev),
        ).padStart(w.minor)}`
      : String(st.st_size).padStart(w.size);
    out +=
      `${modeString(st.st_mode)} ${String(st.st_nlink).padStart(w.nlink)} ${userName(st.st_uid)} ` +
      `${userName(st.st_gid)} ${size} ${lsDate(st.st_mtime_ns, now)} ${name}${link === undefined ? '' : ` -> ${link}`}\n`;
  }
  return out;
}

/**
 * coreutils' `indent()`: moves from column `from` to `to` with tabs where a tab stop (every
 * 8 columns) fits, spaces for the rest.
 */
function indent(from: number, to: number): string {
  let s = '';
  while (from < to) {
    if (Math.floor(to / 8) > Math.floor((from + 1) / 8)) {
      s += '\t';
      from += 8 - (from % 8);
    } else {
      s += ' ';
      from++;
    }
  }
  return s;
}

/**
 * GNU's vertical columns (`ls -C`): the most columns whose widths (the longest name plus
 * two, the last column without the two) stay under the line width, filled top to bottom.
 */
function columns(names: string[]): string {
  const n = names.length;
  if (n === 0) return '';
  let best = { cols: 1, widths: [0] };
  for (let cols = 1; cols <= Math.min(n, Math.floor(LINE_WIDTH / 3)); cols++) {
    const rows = Math.ceil(n / cols);
    const widths = new Array<number>(cols).fill(0);
    names.forEach((name, i) => {
      const col = Math.floor(i / rows);
      widths[col] = Math.max(widths[col]!, name.length + (col === cols - 1 ? 0 : 2));
    });
    if (widths.reduce((a, b) => a + b, 0) < LINE_WIDTH) best = { cols, widths };
  }
  const rows = Math.ceil(n / best.cols);
  let out = '';
  for (let r = 0; r < rows; r++) {
    let pos = 0;
    for (let c = 0; ; c++) {
      const i = c * rows + r;
      const name = names[i]!;
      out += name;
      if (i + rows >= n) break;
      out += indent(pos + name.length, pos + best.widths[c]!);
      pos += best.widths[c]!;
    }
    out += '\n';
  }
  return out;
}

async function linkOf(proc: Proc, path: string, st: Stat): Promise<{ link?: string }> {
  if ((st.st_mode & S_IFMT) !== S_IFLNK) return {};
  const target = await proc.sys.readlink(path);
  return typeof target === 'number' ? {} : { link: target };
}

async function readDir(proc: Proc, path: string): Promise<string[] | number> {
  const entries = await proc.sys.readdir(path);
  if (typeof entries === 'number') return entries;
  return entries.map((e) => e.d_name).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}

export const ls: Command = async (proc, argv) => {
  const parsed = await getopt(proc, argv, '1aAdl');
  if (parsed === undefined) return 2;
  const has = (c: string) => parsed.opts.some(([o]) => o === c);
  const long = has('l');
  const all = has('a');
  const almostAll = has('A');
  const tty = (await proc.sys.ioctl(1, TCGETS, 0)) >= 0;
  const oneColumn = long || has('1') || !tty;
  const now = proc.sys.clock_realtime();
  let status = 0;
  const show = async (entries: Entry[]) => {
    if (long) await proc.out(longLines(entries, now));
    else if (oneColumn) await proc.out(entries.map((e) => `${e.name}\n`).join(''));
    else await proc.out(columns(entries.map((e) => e.name)));
  };
  const operands = parsed.operands.length > 0 ? parsed.operands : ['.'];
  const files: Entry[] = [];
  const dirs: string[] = [];
  for (const path of operands) {
    // Without -l, a symbolic link named on the command line is followed (GNU's -H).
    const st = long || has('d') ? await proc.sys.lstat(path) : await proc.sys.stat(path);
    if (typeof st === 'number') {
      await proc.error(`cannot access '${path}': ${strerror(st)}`);
      status = 2;
    } else if ((st.st_mode & S_IFMT) === S_IFDIR && !has('d')) {
      dirs.push(path);
    } else {
      files.push({ name: path, st, ...(await linkOf(proc, path, st)) });
    }
  }
  const byName = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
  files.sort((a, b) => byName(a.name, b.name));
  dirs.sort(byName);
  await show(files);
  for (const [i, dir] of dirs.entries()) {
    if (operands.length > 1) await proc.out(`${files.length > 0 || i > 0 ? '\n' : ''}${dir}:\n`);
    const names = await readDir(proc, dir);
    if (typeof names === 'number') {
      await proc.error(`cannot open directory '${dir}': ${strerror(names)}`);
      status = 2;
      continue;
    }
    const entries: Entry[] = [];
    for (const name of names) {
      if (name.startsWith('.') && !all && !(almostAll && name !== '.' && name !== '..')) continue;
      if (!long) {
        entries.push({ name });
        continue;
      }
      const full = dir.endsWith('/') ? dir + name : `${dir}/${name}`;
      const st = await proc.sys.lstat(full);
      if (typeof st === 'number') {
        await proc.error(`cannot access '${dir}/${name}': ${strerror(st)}`);
        status = 1;
        continue;
      }
      entries.push({ name, st, ...(await linkOf(proc, full, st)) });
    }
    if (long) {
      const blocks = entries.reduce((sum, e) => sum + (e.st?.st_blocks ?? 0), 0);
      await proc.out(`total ${Math.ceil(blocks / 2)}\n`);
    }
    await show(entries);
  }
  return status;
};
