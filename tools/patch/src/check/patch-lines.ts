import type { CheckState, Line } from './engine.js';
import { checkProjectLine, trackProjectContext } from './project-rules.js';
import { checkWords } from './spelling.js';

/** checkpatch.pl's expand_tabs(): tab stops every 8 columns. */
export function expandTabs(s: string): string {
  let out = '';
  for (const ch of s) {
    if (ch === '\t') out += ' '.repeat(8 - (out.length % 8));
    else out += ch;
  }
  return out;
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

function longLine(st: CheckState, line: Line, text: string): void {
  if (!SOURCE_FILE.test(st.realfile)) return;
  const length = expandTabs(text).length;
  if (length <= st.maxLineLength) return;
  // checkpatch.pl lets a line through that is one word (a URL, a path) after an
  // optional comment leader; its LONG_LINE_STRING/LONG_LINE_COMMENT split is not done here.
  if (/^\s*(?:\/\/|\*|#|\/\*)?\s*\S+$/.test(text)) return;
  st.report(
    'WARNING',
    'LONG_LINE',
    `line length of ${length} exceeds ${st.maxLineLength} columns`,
    line,
  );
}

/** The checks on a line inside a hunk. */
export function checkPatchLine(st: CheckState, line: Line): void {
  const raw = line.raw;
  if (!/^(?:\+|-| |\\ No newline|$)/.test(raw)) {
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
  if (!raw.startsWith('+')) {
    if (raw.startsWith(' ') || raw === '') trackProjectContext(st, st.realfile, raw.slice(1));
    return;
  }
  if (/\r/.test(raw)) st.report('ERROR', 'DOS_LINE_ENDINGS', 'DOS line endings', line, 'vet');
  else if (/^\+.*\S\s+$/.test(raw) || /^\+\s+$/.test(raw)) {
    st.report('ERROR', 'TRAILING_WHITESPACE', 'trailing whitespace', line, 'vet');
  }
  if (/ \t/.test(raw))
    st.report('WARNING', 'SPACE_BEFORE_TAB', 'please, no space before tabs', line, 'vet');
  const text = raw.slice(1).replace(/\r$/, '');
  longLine(st, line, text);
  checkWords(st, line, text);
  checkProjectLine(st, line, text);
  trackProjectContext(st, st.realfile, text);
}
