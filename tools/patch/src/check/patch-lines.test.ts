import { describe, expect, it } from 'vitest';
import { added, DIFF, mail } from '../test-support/patches.js';
import { checkPatch } from './engine.js';
import { formatReport } from './output.js';

function terse(text: string, maxLineLength?: number): string {
  const r = checkPatch(text, maxLineLength === undefined ? {} : { maxLineLength });
  return formatReport(r, { terse: true, showTypes: true, filename: 'p.patch', vname: 'p.patch' });
}
/** The findings part of the default report, for the exact `#N: FILE:` shapes. */
function findings(text: string): string {
  const out = formatReport(checkPatch(text), {
    showTypes: true,
    filename: 'p.patch',
    vname: 'p.patch',
  });
  return out.slice(0, out.indexOf('total: '));
}

describe('checkPatch: the diff', () => {
  it('TRAILING_WHITESPACE, DOS_LINE_ENDINGS and SPACE_BEFORE_TAB show the line cat -A style', () => {
    expect(findings(mail({ diff: added('int x;  ', 'int y;\r', 'int \tz;') }))).toBe(
      'ERROR:TRAILING_WHITESPACE: trailing whitespace\n' +
        '#19: FILE: a.c:11:\n+int x;  $\n\n' +
        'ERROR:DOS_LINE_ENDINGS: DOS line endings\n' +
        '#20: FILE: a.c:12:\n+int y;^M$\n\n' +
        'WARNING:SPACE_BEFORE_TAB: please, no space before tabs\n' +
        '#21: FILE: a.c:13:\n+int ^Iz;$\n\n',
    );
  });

  it('the whitespace note follows a trailing whitespace error', () => {
    const out = formatReport(checkPatch(mail({ diff: added('x ') })), {
      filename: '-',
      vname: 'Your patch',
    });
    expect(out).toContain(
      'NOTE: Whitespace errors detected.\n      You may wish to use scripts/cleanpatch or scripts/cleanfile\n',
    );
    expect(out.startsWith('ERROR: trailing whitespace\n#19: FILE: a.c:11:\n+x $\n\n')).toBe(true);
    expect(
      out.endsWith(
        '\nYour patch has style problems, please review.\n\nNOTE: If any of the errors are false positives, please report\n      them to the maintainer, see CHECKPATCH in MAINTAINERS.\n',
      ),
    ).toBe(true);
  });

  it('LONG_LINE counts tabs as 8 columns; one-word lines (URLs) pass', () => {
    const long = `\t${'a '.repeat(46)}b`; // 8 + 93 = 101 columns
    expect(terse(mail({ diff: added(long, `// https://example.org/${'u'.repeat(100)}`) }))).toBe(
      'p.patch:19: WARNING:LONG_LINE: line length of 101 exceeds 100 columns\n' +
        'total: 0 errors, 1 warnings, 3 lines checked\n',
    );
    // Only source files: a long line in a Markdown file passes.
    const md = added(long).replaceAll('a.c', 'README.md');
    expect(checkPatch(mail({ diff: md })).findings).toEqual([]);
    expect(terse(mail({ diff: added('a b c d e f') }), 10)).toBe(
      'p.patch:19: WARNING:LONG_LINE: line length of 11 exceeds 10 columns\n' +
        'total: 0 errors, 1 warnings, 2 lines checked\n',
    );
  });

  it('LONG_LINE_COMMENT, LONG_LINE_STRING and the long lines checkpatch.pl allows', () => {
    const pad = 'x'.repeat(60);
    const lines = [
      // A comment that starts within the limit: LONG_LINE_COMMENT.
      `\tint ${pad}; /* ${'c '.repeat(25)}*/`,
      `\tint ${pad}; // ${'c '.repeat(25).trim()}`,
      // A final string that starts within the limit: LONG_LINE_STRING.
      `\tret = strcpy(${pad}, "${'s'.repeat(40)}");`,
      // Code: LONG_LINE.
      `\tret = ${'f(a) + '.repeat(16)}1;`,
      // Allowed: a log call's format string, a string alone, a #define of a string.
      `\tpr_err("${'m'.repeat(100)}\\n");`,
      `\tdev_warn(dev, "${'m'.repeat(100)}\\n");`,
      `\t\t"${'q'.repeat(100)}",`,
      `#define MSG "${'d'.repeat(100)}"`,
    ];
    expect(terse(mail({ diff: added(...lines) }))).toBe(
      'p.patch:19: WARNING:LONG_LINE_COMMENT: line length of 129 exceeds 100 columns\n' +
        'p.patch:20: WARNING:LONG_LINE_COMMENT: line length of 126 exceeds 100 columns\n' +
        'p.patch:21: WARNING:LONG_LINE_STRING: line length of 127 exceeds 100 columns\n' +
        'p.patch:22: WARNING:LONG_LINE: line length of 128 exceeds 100 columns\n' +
        'total: 0 errors, 4 warnings, 9 lines checked\n',
    );
    // Each kind is its own type: --ignore LONG_LINE keeps the others, as in checkpatch.pl.
    const ignored = checkPatch(mail({ diff: added(...lines) }), { ignore: ['LONG_LINE'] });
    expect(ignored.findings.map((f) => f.type)).toEqual([
      'LONG_LINE_COMMENT',
      'LONG_LINE_COMMENT',
      'LONG_LINE_STRING',
    ]);
    const only = checkPatch(mail({ diff: added(...lines) }), { types: ['LONG_LINE_STRING'] });
    expect(only.findings.map((f) => f.line)).toEqual([21]);
  });

  it('TYPO_SPELLING and REPEATED_WORD on added lines only', () => {
    const diff =
      'diff --git a/a.c b/a.c\n--- a/a.c\n+++ b/a.c\n@@ -1,2 +1,2 @@\n' +
      ' seperate context\n-recieve removed\n+/* the the adress */\n';
    expect(terse(mail({ diff }))).toBe(
      "p.patch:19: WARNING:TYPO_SPELLING: 'adress' may be misspelled - perhaps 'address'?\n" +
        "p.patch:19: WARNING:REPEATED_WORD: Possible repeated word: 'the'\n" +
        'total: 0 errors, 2 warnings, 3 lines checked\n',
    );
  });

  it('a new executable file: FILE_PATH_CHANGES, EXECUTE_PERMISSIONS, SPDX_LICENSE_TAG', () => {
    const diff =
      'diff --git a/b.ts b/b.ts\nnew file mode 100755\nindex 0000000..4163036\n--- /dev/null\n+++ b/b.ts\n' +
      '@@ -0,0 +1,2 @@\n+#!/usr/bin/env node\n+console.log(1);\n';
    expect(findings(mail({ diff }))).toBe(
      'WARNING:FILE_PATH_CHANGES: added, moved or deleted file(s), does MAINTAINERS need updating?\n' +
        '#14: \nnew file mode 100755\n\n' +
        'ERROR:EXECUTE_PERMISSIONS: do not set execute permissions for source files\n' +
        '#14: FILE: b.ts\n\n' +
        // checkpatch.pl: a `#!` first line moves the expected tag to line 2.
        'WARNING:SPDX_LICENSE_TAG: Missing or malformed SPDX-License-Identifier tag in line 2\n' +
        '#20: FILE: b.ts:2:\n+console.log(1);\n\n',
    );
    const tagged =
      'diff --git a/s.sh b/s.sh\nnew file mode 100755\n--- /dev/null\n+++ b/s.sh\n' +
      '@@ -0,0 +1,2 @@\n+#!/bin/sh\n+# SPDX-License-Identifier: GPL-2.0\n';
    // Shell scripts may be executable; only the path change is reported.
    expect(checkPatch(mail({ diff: tagged })).findings.map((f) => f.type)).toEqual([
      'FILE_PATH_CHANGES',
    ]);
  });

  it('CORRUPTED_PATCH: a wrapped line inside a hunk, reported once', () => {
    const diff =
      'diff --git a/a.c b/a.c\n--- a/a.c\n+++ b/a.c\n@@ -1,3 +1,3 @@\n a\n-b\n+c wrapped\nhere\n d\n';
    expect(findings(mail({ diff }))).toBe(
      'ERROR:CORRUPTED_PATCH: patch seems to be corrupt (line wrapped?)\n#20: FILE: a.c:2:\nhere\n\n',
    );
  });

  it('NOT_UNIFIED_DIFF: a mail with no hunk', () => {
    const text = mail({ diff: '' });
    expect(terse(text)).toBe(
      'p.patch:15: ERROR:NOT_UNIFIED_DIFF: Does not appear to be a unified-diff format patch\n' +
        'total: 1 errors, 0 warnings, 0 lines checked\n',
    );
  });

  it('a bare diff has no commit log, so no sign-off is asked for', () => {
    // checkpatch.pl reads the diff header's file name before it looks for the
    // start of the log, and the log only starts while no file has been seen.
    expect(checkPatch(DIFF).findings).toEqual([]);
    expect(checkPatch(`Some words first.\n${DIFF}`).findings.map((f) => f.type)).toEqual([
      'COMMIT_MESSAGE',
      'MISSING_SIGN_OFF',
    ]);
  });
});
