import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';

/** How `git mailsplit` treats the lines of a mailbox. */
export interface SplitOptions {
  /** Keep `\r\n` line ends (`git am --keep-cr`); by default they become `\n`. */
  keepCr?: boolean;
  /** Unescape `>From ` lines (the mboxrd format, `git am --patch-format=mboxrd`). */
  mboxrd?: boolean;
}

const NL = 0x0a;
const CR = 0x0d;
const CRLF = Buffer.from('\r\n');
/** The start of a line that may separate mails. */
const NL_FROM = Buffer.from('\nFrom ');

/** Splits `buf` into lines that keep their terminating `\n` (the last may lack one). */
export function splitLines(buf: Buffer): Buffer[] {
  const lines: Buffer[] = [];
  let start = 0;
  for (;;) {
    const nl = buf.indexOf(NL, start);
    if (nl < 0) break;
    lines.push(buf.subarray(start, nl + 1));
    start = nl + 1;
  }
  if (start < buf.length) lines.push(buf.subarray(start));
  return lines;
}

const isDigit = (c: number | undefined): boolean => c !== undefined && c >= 0x30 && c <= 0x39;

/**
 * Whether `line` separates two messages: `From <anything> ... HH:MM[:SS] YYYY`, the test
 * `git mailsplit` applies (a colon-separated time followed by a year after 1990), so a
 * body line such as "From the maintainers: ..." is not a separator.
 */
export function isFromLine(line: Buffer): boolean {
  const len = line.length;
  if (
    len < 20 ||
    line[0] !== 0x46 ||
    line[1] !== 0x72 ||
    line[2] !== 0x6f ||
    line[3] !== 0x6d ||
    line[4] !== 0x20
  )
    return false;
  let colon = len - 2;
  for (;;) {
    if (colon < 5) return false;
    colon -= 1;
    if (line[colon] === 0x3a) break;
  }
  if (
    !isDigit(line[colon - 4]) ||
    !isDigit(line[colon - 2]) ||
    !isDigit(line[colon - 1]) ||
    !isDigit(line[colon + 1]) ||
    !isDigit(line[colon + 2])
  )
    return false;
  const year = Number.parseInt(line.toString('latin1', colon + 3, colon + 12).trim(), 10);
  return Number.isFinite(year) && year > 90;
}

function isGtFrom(line: Buffer): boolean {
  let gt = 0;
  while (line[gt] === 0x3e) gt++;
  return gt > 0 && line.toString('latin1', gt, gt + 5) === 'From ';
}

function isSpace(c: number | undefined): boolean {
  return c === 0x20 || c === 0x09 || c === NL || c === CR || c === 0x0b || c === 0x0c;
}

/**
 * Splits an mbox into messages the way `git mailsplit -b` does: leading blank lines are
 * skipped, a mailbox without a `From ` first line is one bare message, and every later
 * line for which {@link isFromLine} holds starts the next message.
 *
 * @example
 * ```ts
 * import { splitMbox } from '@rfl/patch';
 * const box = Buffer.from('From 1 Mon Sep 17 00:00:00 2001\nSubject: a\n\nx\n' +
 *   'From 2 Mon Sep 17 00:00:00 2001\nSubject: b\n\ny\n');
 * splitMbox(box).map((m) => m.toString().split('\n')[1]) // => ['Subject: a', 'Subject: b']
 * ```
 */
export function splitMbox(buf: Buffer, opts: SplitOptions = {}): Buffer[] {
  let pos = 0;
  while (pos < buf.length && isSpace(buf[pos])) pos++;
  const mails: Buffer[] = [];
  if (pos >= buf.length) return mails;
  // No line to change (no CRLF to turn into LF, no `>From ` to unescape): the mails are
  // views of `buf` between separators, and only lines starting `From ` can be one.
  if (!opts.mboxrd && (opts.keepCr || buf.indexOf(CRLF, pos) < 0)) {
    let start = pos;
    for (let at = buf.indexOf(NL_FROM, pos); at >= 0; at = buf.indexOf(NL_FROM, at + 1)) {
      const line = at + 1;
      const nl = buf.indexOf(NL, line);
      if (!isFromLine(buf.subarray(line, nl < 0 ? buf.length : nl + 1))) continue;
      mails.push(buf.subarray(start, line));
      start = line;
    }
    mails.push(buf.subarray(start));
    return mails;
  }
  // A mail is a view of `buf` unless a line of it had to change (CRLF, `>From `); then it
  // is the concatenation of `parts` and the unchanged run from `run`.
  let parts: Buffer[] = [];
  let run = pos;
  const finish = (end: number): void => {
    const tail = buf.subarray(run, end);
    mails.push(parts.length === 0 ? tail : Buffer.concat([...parts, tail]));
    parts = [];
    run = end;
  };
  let first = true;
  while (pos < buf.length) {
    const nl = buf.indexOf(NL, pos);
    const end = nl < 0 ? buf.length : nl + 1;
    // Only a line starting with `F` (or `>` in mboxrd) can separate mails, and only one
    // ending in CRLF changes; the others are passed over without making a view of them.
    const c = buf[pos];
    const crlf = !opts.keepCr && end - pos > 1 && buf[end - 1] === NL && buf[end - 2] === CR;
    if (!first && (crlf || c === 0x46 || (opts.mboxrd && c === 0x3e))) {
      let line = buf.subarray(pos, end);
      let changed = false;
      if (crlf) {
        line = Buffer.concat([line.subarray(0, line.length - 2), Buffer.from('\n')]);
        changed = true;
      }
      if (opts.mboxrd && isGtFrom(line)) {
        line = line.subarray(1);
        changed = true;
      }
      if (isFromLine(line)) finish(pos);
      if (changed) {
        parts.push(buf.subarray(run, pos), line);
        run = end;
      }
    }
    first = false;
    pos = end;
  }
  finish(buf.length);
  return mails;
}

function listMaildir(dir: string): string[] {
  const files: string[] = [];
  for (const sub of ['cur', 'new']) {
    const names = readdirSync(join(dir, sub)).filter((n) => !n.startsWith('.'));
    names.sort();
    for (const n of names) files.push(join(dir, sub, n));
  }
  return files;
}

function isDir(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

/**
 * Reads every message from `source`: an mbox file, a Maildir (`cur/` and `new/`, each in
 * name order, as `git mailsplit` reads it), a directory of `*.patch`/`*.eml`/`*.mbox`
 * files in name order (each file may itself be an mbox), or the bytes of stdin when
 * `source` is a Buffer.
 */
export function readMails(source: string | Buffer, opts: SplitOptions = {}): Buffer[] {
  if (Buffer.isBuffer(source)) return splitMbox(source, opts);
  let content: Buffer;
  try {
    // Read first, look at what it is only when that fails: a series of 400 files is
    // 400 reads, not 400 stats and 400 reads.
    content = readFileSync(source);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EISDIR') throw e;
    if (isDir(join(source, 'cur')) && isDir(join(source, 'new'))) {
      return listMaildir(source).map((f) => splitMbox(readFileSync(f), opts)[0] ?? Buffer.alloc(0));
    }
    const names = readdirSync(source)
      .filter((n) => /\.(patch|eml|mbox|diff)$/.test(n))
      .sort();
    return names.flatMap((n) => splitMbox(readFileSync(join(source, n)), opts));
  }
  return splitMbox(content, opts);
}
