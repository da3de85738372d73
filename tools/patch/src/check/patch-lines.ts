import type { CheckState, Line } from './engine.js';
import { checkProjectLine, trackProjectContext } from './project-rules.js';
import { checkWords } from './spelling.js';

/**
 * The width of `s.slice(0, end)` after checkpatch.pl's expand_tabs() (tab stops every
 * 8 columns), counted without building the expanded string; in UTF-16 units, so a
 * character outside the BMP is two columns.
 */
function width(s: string, end = s.length): number {
  let w = 0;
  for (let i = 0; i < end; i++) {
    if (s.charCodeAt(i) === 9) w += 8 - (w & 7);
    else w++;
  }
  return w;
}

/**
 * The comment a new file's SPDX line must start with, by extension, as in
 * checkpatch.pl; `.ts`/`.js`/`.mjs` (ours) take `//` like `.c`. Empty: not checked.
 */
function spdxComment(file: string, licenseLine: number): string {
  if (/\.(?:h|s|S)$/.test(file)) return '/*';
  if (/\.(?:c|rs|dts|dtsi|ts|js|mjs|cjs)$/.test(file)) return '//';
  if (licenseLine === 2 || /\.(?:sh|pl|py|awk|tc|yaml)$/.test(file)) return '#';
  if (/\.rst$/.test(file)) return '..';
  return '';
}

/** The checks on the lines between diffs and hunks: file modes, renames, headers. */
export function checkPatchMeta(st: CheckState, line: Line): void {
  const s = line.raw;
  // Every check below needs a line starting with `diff`, `new`, `deleted` or `rename`.
  const c = s.charCodeAt(0);
  if (c !== 0x64 && c !== 0x6e && c !== 0x72) return;
  if (/^diff --git /.test(s)) st.licenseLine = 1;
  if (
    st.realfile !== 'MAINTAINERS' &&
    !st.once.has('FILE_PATH_CHANGES') &&
    (/^(?:new|deleted) file mode\s*\d+\s*$/.test(s) || /^rename (?:from|to) [\w/.-]+\s*$/.test(s))
  ) {
    st.once.add('FILE_PATH_CHANGES');
    st.report(
      'WARNING',
      'FILE_PATH_CHANGES',
      'added, moved or deleted file(s), does MAINTAINERS need updating?',
      line,
    );
  }
  if (/^new (?:file )?mode.*[7531]\d{0,2}$/.test(s)) {
    if (!/scripts\//.test(st.realfile) && !/\.(?:py|pl|awk|sh)$/.test(st.realfile)) {
      st.report(
        'ERROR',
        'EXECUTE_PERMISSIONS',
        'do not set execute permissions for source files',
        line,
        'file',
      );
    }
  }
}

/**
 * The files whose lines LONG_LINE measures: checkpatch.pl skips the rest of its
 * checks outside `.(h|c|rs|s|S|sh|dtsi|dts)` files; ours add TypeScript and JavaScript.
 */
const SOURCE_FILE = /\.(?:h|c|rs|s|S|sh|dtsi|dts|ts|tsx|mts|cts|js|mjs|cjs)$/;

/** A C or TypeScript string literal (checkpatch.pl's `$String`, plus '' and ``). */
const STRING = String.raw`(?:\b[Lu])?(?:"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'|\x60(?:[^\x60\\]|\\.)*\x60)`;

/** checkpatch.pl's `$logFunctions`: the calls whose format string may run long. */
const LOG_FUNCTIONS = `(?:printk(?:_ratelimited|_once|_deferred_once|_deferred|)|(?:[a-z0-9]+_){1,2}(?:printk|emerg|alert|crit|err|warning|warn|notice|info|debug|dbg|vdbg|devel|cont|WARN)(?:_ratelimited|_once|)|TP_printk|WARN(?:_RATELIMIT|_ONCE|)|panic|MODULE_[A-Z_]+|seq_vprintf|seq_printf|seq_puts)`;

const LOG_CALL = new RegExp(
  String.raw`^\s*${LOG_FUNCTIONS}\s*\(\s*(?:KERN_\S+\s*|[^"'\x60]*)?(${STRING}\s*(?:|,|\)\s*;)\s*)$`,
);
const ONLY_STRING = new RegExp(String.raw`^\s*${STRING}\s*(?:\s*|,|\)\s*;)\s*$`);
const DEFINE_STRING = new RegExp(String.raw`^\s*#\s*define\s+\w+\s+${STRING}$`);
const ENDS_IN_STRING = new RegExp(String.raw`\s*(${STRING}(?:\s*(?:\\|,\s*|\)\s*;\s*))?)$`);

/** Where a trailing comment starts (outside strings), or -1. */
function trailingComment(text: string): number {
  let quote = '';
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quote) {
      if (c === '\\') i++;
      else if (c === quote) quote = '';
      continue;
    }
    if (c === '"' || c === "'" || c === '\x60') quote = c;
    else if (c === '/' && text[i + 1] === '/') return i;
    else if (c === '/' && text[i + 1] === '*') {
      const end = text.indexOf('*/', i + 2);
      if (end < 0 || /^\s*$/.test(text.slice(end + 2))) return i;
      i = end + 1;
    }
  }
  return -1;
}

/**
 * LONG_LINE and its kinds, as checkpatch.pl sorts them: a log call whose format string
 * starts within the limit, a line of only a string, or only a URL or path, is allowed; a
 * line whose comment starts within the limit is LONG_LINE_COMMENT; one whose final string
 * does is LONG_LINE_STRING. Each is its own type for `--types` and `--ignore`.
 */
function longLine(st: CheckState, line: Line, text: string): void {
  // Most lines are short. A tab takes at most 8 columns, so up to and including the
  // last tab a line is at most 8 columns a character, and 1 a character after it.
  const lastTab = text.lastIndexOf('\t');
  if (8 * (lastTab + 1) + (text.length - lastTab - 1) <= st.maxLineLength) return;
  const length = width(text);
  if (length <= st.maxLineLength) return;
  if (!SOURCE_FILE.test(st.realfile)) return;
  const within = (tail: string): boolean =>
    width(text, text.length - tail.length) <= st.maxLineLength;
  const log = LOG_CALL.exec(text);
  if (log && within(log[1]!)) return;
  if (ONLY_STRING.test(text) || DEFINE_STRING.test(text)) return;
  if (/\bEFI_GUID\s*\(/.test(text)) return;
  // One word after an optional comment leader: a URL or a path cannot be wrapped.
  if (/^\s*(?:\/\/|\*|#|\/\*)?\s*\S+$/.test(text)) return;
  let type = 'LONG_LINE';
  const comment = trailingComment(text);
  const str = ENDS_IN_STRING.exec(text);
  if (comment >= 0 && within(text.slice(comment))) type = 'LONG_LINE_COMMENT';
  else if (str && within(str[1]!)) type = 'LONG_LINE_STRING';
  if (!st.shown('LONG_LINE') && !st.shown(type)) return;
  st.report('WARNING', type, `line length of ${length} exceeds ${st.maxLineLength} columns`, line);
}

/** A printable ASCII character other than the space: never matched by `\s`. */
function printable(c: number): boolean {
  return c > 0x20 && c < 0x7f;
}

/** The checks on a line inside a hunk. */
export function checkPatchLine(st: CheckState, line: Line): void {
  const raw = line.raw;
  const c = raw.charCodeAt(0);
  // c is NaN for an empty line.
  if (!(c === 0x2b || c === 0x2d || c === 0x20 || raw === '' || raw.startsWith('\\ No newline'))) {
    if (!st.once.has('CORRUPTED_PATCH')) {
      st.once.add('CORRUPTED_PATCH');
      st.report('ERROR', 'CORRUPTED_PATCH', 'patch seems to be corrupt (line wrapped?)', line);
    }
    return;
  }
  if (st.licenseLine && line.fileLine === st.licenseLine && /^[ +]/.test(raw)) {
    if (/^[ +]\s*#!\s*\//.test(raw)) st.licenseLine = 2;
    else {
      const comment = raw.startsWith('+') ? spdxComment(st.realfile, st.licenseLine) : '';
      if (comment !== '' && !raw.startsWith(`+${comment} SPDX-License-Identifier: `)) {
        st.report(
          'WARNING',
          'SPDX_LICENSE_TAG',
          `Missing or malformed SPDX-License-Identifier tag in line ${st.licenseLine}`,
          line,
        );
      }
      st.licenseLine = 0;
    }
  }
  if (c !== 0x2b) {
    if (c === 0x20 || raw === '') trackProjectContext(st, st.realfile, raw);
    return;
  }
  const cr = raw.includes('\r');
  if (cr) st.report('ERROR', 'DOS_LINE_ENDINGS', 'DOS line endings', line, 'vet');
  else if (!printable(raw.charCodeAt(raw.length - 1))) {
    // Both patterns end in white space, which a printable ASCII character is not.
    if (/^\+.*\S\s+$/.test(raw) || /^\+\s+$/.test(raw)) {
      st.report('ERROR', 'TRAILING_WHITESPACE', 'trailing whitespace', line, 'vet');
    }
  }
  if (raw.includes(' \t'))
    st.report('WARNING', 'SPACE_BEFORE_TAB', 'please, no space before tabs', line, 'vet');
  const text = cr && raw.endsWith('\r') ? raw.slice(1, -1) : raw.slice(1);
  longLine(st, line, text);
  checkWords(st, line, text);
  checkProjectLine(st, line, text);
  trackProjectContext(st, st.realfile, raw);
}
