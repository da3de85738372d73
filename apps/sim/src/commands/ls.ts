/**
 * `ls [-1aAdl] [FILE]...`, GNU coreutils style in the C locale: names sorted bytewise,
 * columns across an 80-character terminal (one per line when the output is not a
 * terminal, or with `-1`), and `-l`'s aligned long format, where a device node shows
 * `major, minor` in place of its size.
 *
 * @module
 */

import { strerror } from '../strerror.js';
import { major, minor, S_IFBLK, S_IFCHR, S_IFDIR, S_IFMT, type Stat } from '../sys.js';
import { lsDate, modeString, userName } from './file-mode.js';
import { getopt } from './getopt.js';
import type { Command, Proc } from './proc.js';

/** `TCGETS`: succeeds only on a terminal, which is how isatty() asks. */
export const TCGETS = 0x5401;
const LINE_WIDTH = 80;

interface Entry {
  name: string;
  st?: Stat;
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
  for (const { name, st: s } of entries) {
    const st = s!;
    const size = isDevice(st)
      ? `${String(major(st.st_rdev)).padStart(w.major + Math.max(0, w.size - (w.major + 2 + w.minor)))}, ${String(
          minor(st.st_rdev),
        ).padStart(w.minor)}`
      : String(st.st_size).padStart(w.size);
    out +=
      `${modeString(st.st_mode)} ${String(st.st_nlink).padStart(w.nlink)} ${userName(st.st_uid)} ` +
      `${userName(st.st_gid)} ${size} ${lsDate(st.st_mtime_ns, now)} ${name}\n`;
  }
  return out;
}

/** GNU's vertical columns: the most columns that fit in the line, filled top to bottom. */
function columns(names: string[]): string {
  if (names.length === 0) return '';
  for (let cols = Math.min(names.length, Math.floor(LINE_WIDTH / 3)); cols >= 1; cols--) {
    const rows = Math.ceil(names.length / cols);
    const used = Math.ceil(names.length / rows);
    const widths: number[] = [];
    for (let c = 0; c < used; c++) {
      const col = names.slice(c * rows, (c + 1) * rows);
      widths.push(Math.max(...col.map((n) => n.length)) + (c < used - 1 ? 2 : 0));
    }
    if (cols > 1 && widths.reduce((a, b) => a + b, 0) > LINE_WIDTH) continue;
    let out = '';
    for (let r = 0; r < rows; r++) {
      let line = '';
      for (let c = 0; c < used; c++) {
        const name = names[c * rows + r];
        if (name === undefined) continue;
        const last = c === used - 1 || names[(c + 1) * rows + r] === undefined;
        line += last ? name : name.padEnd(widths[c]!);
      }
      out += `${line}\n`;
    }
    return out;
  }
  return '';
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
    const st = await proc.sys.lstat(path);
    if (typeof st === 'number') {
      await proc.error(`cannot access '${path}': ${strerror(st)}`);
      status = 2;
    } else if ((st.st_mode & S_IFMT) === S_IFDIR && !has('d')) {
      dirs.push(path);
    } else {
      files.push({ name: path, st });
    }
  }
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
      const st = await proc.sys.lstat(dir.endsWith('/') ? dir + name : `${dir}/${name}`);
      if (typeof st === 'number') {
        await proc.error(`cannot access '${dir}/${name}': ${strerror(st)}`);
        status = 1;
        continue;
      }
      entries.push({ name, st });
    }
    if (long) {
      const blocks = entries.reduce((sum, e) => sum + (e.st?.st_blocks ?? 0), 0);
      await proc.out(`total ${Math.ceil(blocks / 2)}\n`);
    }
    await show(entries);
  }
  return status;
};
