import { describe, expect, it } from 'vitest';
import { mail } from '../test-support/patches.js';
import { checkMailbox } from './mailbox.js';
import { formatReport } from './output.js';

/**
 * A mailbox that triggers every check at least once, and clean lines of every kind
 * around them, so that the findings of the whole engine are pinned in one place: the
 * rules are free to be reorganised for speed, not to change what they report.
 */
function diff(file: string, header: string[], hunks: string[][]): string {
  let out = `diff --git a/${file} b/${file}\n${header.map((h) => `${h}\n`).join('')}`;
  out += `--- a/${file}\n+++ b/${file}\n`;
  for (const h of hunks) out += h.map((l) => `${l}\n`).join('');
  return out;
}

// Written so that checking this file's own patch does not find them.
const ONLY = `${'it'}.only`;
const SKIP = `${'describe'}.skip`;
const sob = 'Signed-off-by: Ada Lovelace <ada@example.org>\n';
const long = `+\tpr_info("${'x'.repeat(120)}");`;
const CORPUS = [
  // Message rules.
  mail({
    subject: '[PATCH 1/9] gpio: fix a warning found by checkpatch tool',
    body:
      'This fixes commit 1234567 and since Commit abcdef0123456789 (the title) it\n' +
      'has been been wrong; teh accross Seperate recieve long long words words.\n' +
      'A line that goes on and on well past the seventy-five columns a commit log may use.\n' +
      '    diff --git a/x/y b/x/y\n' +
      'Fixes: abcdef012345 (no quotes)\n' +
      'fixes:abcdef0123456789\n' +
      'Change-Id: I0123456789abcdef\n' +
      'Link: https://example.org/commit abcdef0\n' +
      '\n' +
      sob +
      ' Reviewed-by: Bob <bob@example.org>\n' +
      'reviewed-by:  Bob <bob@example.org>\n' +
      'Approved-by: Carol <carol@example.org>\n' +
      'Acked-by: nobody\n' +
      sob,
  }),
  // Sign-off mismatches and a short log.
  mail({ from: 'Ada Lovelace <ada@example.org>', body: 'Short.\n' }),
  mail({
    from: 'Ada Lovelace <ada@example.org>',
    body: 'Why.\n\nMore.\n\nSigned-off-by: Ada L <ada@example.org>\n',
  }),
  mail({ from: 'Ada Lovelace <ada+list@example.org>', body: `Why.\n\nMore.\n\n${sob}` }),
  mail({
    from: 'Ada Lovelace <ada@example.org>',
    body: 'Why.\n\nMore.\n\nSigned-off-by: Ada Lovelace <other@example.org>\n',
  }),
  mail({ from: 'Ada Lovelace <ada@example.org> # one', body: `Why.\n\nMore.\n\n${sob}` }),
  mail({ from: 'Grace Hopper <grace@example.org>', body: `Why.\n\nMore.\n\n${sob}` }),
  // C rules: whitespace, line length, licence, modes, corruption, words.
  mail({
    body: `From: Ada Lovelace <ada@example.org>\n\nWhy it is needed.\n\n${sob}`,
    diff:
      diff(
        'drivers/gpio/gpio-new.c',
        ['new file mode 100755', 'index 0000000..1111111'],
        [
          [
            '@@ -0,0 +1,12 @@',
            '+/* SPDX-License-Identifier: GPL-2.0 */',
            '+int a; ',
            '+\t \tint b;',
            '+int c;\r',
            '+\tvoid *p = kmalloc(8, GFP_KERNEL);',
            long,
            `+\tint x; // ${'c'.repeat(100)}`,
            `+\tfoo(a, "${'s'.repeat(100)}");`,
            `+\t${'y'.repeat(99)} = 1;`,
            '+\t\t\t\t\t\t\t\t\t\t\t\t/* short */ int averyveryverylongname_that_goes_on_and_on_and_on = 1;',
            '+\t/* the the acess is allign */',
            '+',
          ],
        ],
      ) +
      diff(
        'drivers/gpio/old.c',
        ['deleted file mode 100644', 'index 1111111..0000000'],
        [['@@ -1,2 +0,0 @@', '-int a;', '-int b;']],
      ) +
      diff(
        'drivers/gpio/b.c',
        ['index 1111111..2222222 100644'],
        [['@@ -3,3 +3,4 @@', ' ctx;', '+\tproc_create("x", 0, NULL, &fops);', 'garbage', ' end;']],
      ) +
      'diff --git a/scripts/run.sh b/scripts/run.sh\nold mode 100644\nnew mode 100755\n' +
      'diff --git a/a.rst b/b.rst\nsimilarity index 90%\nrename from a.rst\nrename to b.rst\n',
  }),
  // TypeScript rules of the project.
  mail({
    body: `Why it is needed.\n\n${sob}`,
    diff:
      diff(
        'packages/virtio/src/queue.ts',
        ['index 1111111..2222222 100644'],
        [
          [
            '@@ -10,4 +10,16 @@',
            ' import * as k from "@rfl/kernel";',
            '+/** Documented. */',
            '+export function noExample(): void {',
            '+  k.kfree(p);',
            '+  // SAFETY: checked above',
            '+  k.kfree(q);',
            '+}',
            '+/**',
            '+ * With one.',
            '+ * @example',
            '+ * ```ts',
            '+ * ```',
            '+ */',
            '+export const withExample = 1;',
            '+export class Bare {}',
            '+  ioremap(0, 8); // raw',
            ' end',
          ],
        ],
      ) +
      diff(
        'packages/kernel/src/a.test.ts',
        ['index 1111111..2222222 100644'],
        [['@@ -1 +1,3 @@', ' x', `+${ONLY}('a', () => {});`, `+${SKIP}('b', () => {});`]],
      ) +
      diff(
        'packages/gpio-pl061/src/c/raw.ts',
        ['index 1111111..2222222 100644'],
        [['@@ -1 +1,2 @@', ' x', '+  k.kfree(p);']],
      ),
  }),
  // Not a patch.
  mail({ subject: '[PATCH 0/9] gpio: a cover letter', diff: '' }),
].join('');

function report(text: string, opts: Parameters<typeof checkMailbox>[1]): string {
  return checkMailbox(text, opts)
    .map((p, i) =>
      formatReport(p.result, {
        terse: false,
        showTypes: true,
        strict: true,
        filename: 'corpus',
        vname: `patch ${i + 1}`,
      }),
    )
    .join('');
}

describe('the findings of the whole rule set', () => {
  it('are pinned on a corpus that triggers every check', () => {
    expect(report(CORPUS, { strict: true })).toBe(EXPECTED);
  });
});

const EXPECTED = `${[
  'WARNING:EMAIL_SUBJECT: A patch subject line should describe the change not the tool that found it',
  '#4: ',
  'Subject: [PATCH 1/9] gpio: fix a warning found by checkpatch tool',
  '',
  'ERROR:GIT_COMMIT_ID: Please use git commit description style \'commit <12+ chars of sha1> ("<title line>")\' - ie: \'commit 1234567 ("<title line>")\'',
  '#6: ',
  'This fixes commit 1234567 and since Commit abcdef0123456789 (the title) it',
  '',
  "WARNING:TYPO_SPELLING: 'teh' may be misspelled - perhaps 'the'?",
  '#7: ',
  'has been been wrong; teh accross Seperate recieve long long words words.',
  '',
  "WARNING:TYPO_SPELLING: 'accross' may be misspelled - perhaps 'across'?",
  '#7: ',
  'has been been wrong; teh accross Seperate recieve long long words words.',
  '',
  "WARNING:TYPO_SPELLING: 'Seperate' may be misspelled - perhaps 'Separate'?",
  '#7: ',
  'has been been wrong; teh accross Seperate recieve long long words words.',
  '',
  "WARNING:TYPO_SPELLING: 'recieve' may be misspelled - perhaps 'receive'?",
  '#7: ',
  'has been been wrong; teh accross Seperate recieve long long words words.',
  '',
  "WARNING:REPEATED_WORD: Possible repeated word: 'been'",
  '#7: ',
  'has been been wrong; teh accross Seperate recieve long long words words.',
  '',
  "WARNING:REPEATED_WORD: Possible repeated word: 'words'",
  '#7: ',
  'has been been wrong; teh accross Seperate recieve long long words words.',
  '',
  'WARNING:COMMIT_LOG_LONG_LINE: Prefer a maximum 75 chars per line (possible unwrapped commit description?)',
  '#8: ',
  'A line that goes on and on well past the seventy-five columns a commit log may use.',
  '',
  'ERROR:DIFF_IN_COMMIT_MSG: Avoid using diff content in the commit message - patch(1) might not work',
  '#9: ',
  '    diff --git a/x/y b/x/y',
  '',
  'WARNING:BAD_FIXES_TAG: Please use correct Fixes: style \'Fixes: <12+ chars of sha1> ("<title line>")\' - ie: \'Fixes: abcdef012345 ("no quotes")\'',
  '#10: ',
  'Fixes: abcdef012345 (no quotes)',
  '',
  'WARNING:BAD_FIXES_TAG: Please use correct Fixes: style \'Fixes: <12+ chars of sha1> ("<title line>")\' - ie: \'Fixes: abcdef012345 ("<title line>")\'',
  '#11: ',
  'fixes:abcdef0123456789',
  '',
  "ERROR:GERRIT_CHANGE_ID: Remove Gerrit Change-Id's before submitting upstream",
  '#12: ',
  'Change-Id: I0123456789abcdef',
  '',
  'WARNING:BAD_SIGN_OFF: Do not use whitespace before Reviewed-by:',
  '#16: ',
  ' Reviewed-by: Bob <bob@example.org>',
  '',
  "WARNING:BAD_SIGN_OFF: 'Reviewed-by:' is the preferred signature form",
  '#17: ',
  'reviewed-by:  Bob <bob@example.org>',
  '',
  'WARNING:BAD_SIGN_OFF: Use a single space after Reviewed-by:',
  '#17: ',
  'reviewed-by:  Bob <bob@example.org>',
  '',
  'WARNING:BAD_SIGN_OFF: Duplicate signature',
  '#17: ',
  'reviewed-by:  Bob <bob@example.org>',
  '',
  'WARNING:BAD_SIGN_OFF: Non-standard signature: Approved-by:',
  '#18: ',
  'Approved-by: Carol <carol@example.org>',
  '',
  "ERROR:BAD_SIGN_OFF: Unrecognized email address: 'nobody'",
  '#19: ',
  'Acked-by: nobody',
  '',
  'WARNING:BAD_SIGN_OFF: Duplicate signature',
  '#20: ',
  'Signed-off-by: Ada Lovelace <ada@example.org>',
  '',
  'total: 4 errors, 16 warnings, 0 checks, 2 lines checked',
  '',
  'NOTE: For some of the reported defects, checkpatch may be able to',
  '      mechanically convert to the typical style using --fix or --fix-inplace.',
  '',
  'patch 1 has style problems, please review.',
  '',
  'NOTE: If any of the errors are false positives, please report',
  '      them to the maintainer, see CHECKPATCH in MAINTAINERS.',
  'ERROR:MISSING_SIGN_OFF: Missing Signed-off-by: line(s)',
  '',
  'total: 1 errors, 0 warnings, 0 checks, 2 lines checked',
  '',
  'NOTE: For some of the reported defects, checkpatch may be able to',
  '      mechanically convert to the typical style using --fix or --fix-inplace.',
  '',
  'patch 2 has style problems, please review.',
  '',
  'NOTE: If any of the errors are false positives, please report',
  '      them to the maintainer, see CHECKPATCH in MAINTAINERS.',
  "WARNING:FROM_SIGN_OFF_MISMATCH: From:/Signed-off-by: email name mismatch: 'From: Ada Lovelace <ada@example.org>' != 'Signed-off-by: Ada L <ada@example.org>'",
  '',
  'total: 0 errors, 1 warnings, 0 checks, 2 lines checked',
  '',
  'NOTE: For some of the reported defects, checkpatch may be able to',
  '      mechanically convert to the typical style using --fix or --fix-inplace.',
  '',
  'patch 3 has style problems, please review.',
  '',
  'NOTE: If any of the errors are false positives, please report',
  '      them to the maintainer, see CHECKPATCH in MAINTAINERS.',
  "WARNING:FROM_SIGN_OFF_MISMATCH: From:/Signed-off-by: email subaddress mismatch: 'From: Ada Lovelace <ada+list@example.org>' != 'Signed-off-by: Ada Lovelace <ada@example.org>'",
  '',
  'total: 0 errors, 1 warnings, 0 checks, 2 lines checked',
  '',
  'NOTE: For some of the reported defects, checkpatch may be able to',
  '      mechanically convert to the typical style using --fix or --fix-inplace.',
  '',
  'patch 4 has style problems, please review.',
  '',
  'NOTE: If any of the errors are false positives, please report',
  '      them to the maintainer, see CHECKPATCH in MAINTAINERS.',
  "WARNING:FROM_SIGN_OFF_MISMATCH: From:/Signed-off-by: email address mismatch: 'From: Ada Lovelace <ada@example.org>' != 'Signed-off-by: Ada Lovelace <other@example.org>'",
  '',
  'total: 0 errors, 1 warnings, 0 checks, 2 lines checked',
  '',
  'NOTE: For some of the reported defects, checkpatch may be able to',
  '      mechanically convert to the typical style using --fix or --fix-inplace.',
  '',
  'patch 5 has style problems, please review.',
  '',
  'NOTE: If any of the errors are false positives, please report',
  '      them to the maintainer, see CHECKPATCH in MAINTAINERS.',
  'total: 0 errors, 0 warnings, 0 checks, 2 lines checked',
  '',
  'patch 6 has no obvious style problems and is ready for submission.',
  "WARNING:NO_AUTHOR_SIGN_OFF: Missing Signed-off-by: line by nominal patch author 'Grace Hopper <grace@example.org>'",
  '',
  'total: 0 errors, 1 warnings, 0 checks, 2 lines checked',
  '',
  'NOTE: For some of the reported defects, checkpatch may be able to',
  '      mechanically convert to the typical style using --fix or --fix-inplace.',
  '',
  'patch 7 has style problems, please review.',
  '',
  'NOTE: If any of the errors are false positives, please report',
  '      them to the maintainer, see CHECKPATCH in MAINTAINERS.',
  'WARNING:FILE_PATH_CHANGES: added, moved or deleted file(s), does MAINTAINERS need updating?',
  '#190: ',
  'new file mode 100755',
  '',
  'ERROR:EXECUTE_PERMISSIONS: do not set execute permissions for source files',
  '#190: FILE: drivers/gpio/gpio-new.c',
  '',
  'WARNING:SPDX_LICENSE_TAG: Missing or malformed SPDX-License-Identifier tag in line 1',
  '#195: FILE: drivers/gpio/gpio-new.c:1:',
  '+/* SPDX-License-Identifier: GPL-2.0 */',
  '',
  'ERROR:TRAILING_WHITESPACE: trailing whitespace',
  '#196: FILE: drivers/gpio/gpio-new.c:2:',
  '+int a; $',
  '',
  'WARNING:SPACE_BEFORE_TAB: please, no space before tabs',
  '#197: FILE: drivers/gpio/gpio-new.c:3:',
  '+^I ^Iint b;$',
  '',
  'ERROR:DOS_LINE_ENDINGS: DOS line endings',
  '#198: FILE: drivers/gpio/gpio-new.c:4:',
  '+int c;^M$',
  '',
  'WARNING:LONG_LINE_COMMENT: line length of 118 exceeds 100 columns',
  '#201: FILE: drivers/gpio/gpio-new.c:7:',
  '+\tint x; // cccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccc',
  '',
  'WARNING:LONG_LINE_STRING: line length of 119 exceeds 100 columns',
  '#202: FILE: drivers/gpio/gpio-new.c:8:',
  '+\tfoo(a, "ssssssssssssssssssssssssssssssssssssssssssssssssssssssssssssssssssssssssssssssssssssssssssssssssssss");',
  '',
  'WARNING:LONG_LINE: line length of 112 exceeds 100 columns',
  '#203: FILE: drivers/gpio/gpio-new.c:9:',
  '+\tyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyy = 1;',
  '',
  'WARNING:LONG_LINE: line length of 165 exceeds 100 columns',
  '#204: FILE: drivers/gpio/gpio-new.c:10:',
  '+\t\t\t\t\t\t\t\t\t\t\t\t/* short */ int averyveryverylongname_that_goes_on_and_on_and_on = 1;',
  '',
  "WARNING:TYPO_SPELLING: 'acess' may be misspelled - perhaps 'access'?",
  '#205: FILE: drivers/gpio/gpio-new.c:11:',
  '+\t/* the the acess is allign */',
  '',
  "WARNING:TYPO_SPELLING: 'allign' may be misspelled - perhaps 'align'?",
  '#205: FILE: drivers/gpio/gpio-new.c:11:',
  '+\t/* the the acess is allign */',
  '',
  "WARNING:REPEATED_WORD: Possible repeated word: 'the'",
  '#205: FILE: drivers/gpio/gpio-new.c:11:',
  '+\t/* the the acess is allign */',
  '',
  'ERROR:CORRUPTED_PATCH: patch seems to be corrupt (line wrapped?)',
  '#222: FILE: drivers/gpio/b.c:4:',
  'garbage',
  '',
  'total: 4 errors, 10 warnings, 0 checks, 26 lines checked',
  '',
  'NOTE: For some of the reported defects, checkpatch may be able to',
  '      mechanically convert to the typical style using --fix or --fix-inplace.',
  '',
  'NOTE: Whitespace errors detected.',
  '      You may wish to use scripts/cleanpatch or scripts/cleanfile',
  '',
  'patch 8 has style problems, please review.',
  '',
  'NOTE: If any of the errors are false positives, please report',
  '      them to the maintainer, see CHECKPATCH in MAINTAINERS.',
  "CHECK:MISSING_EXAMPLE: Public item 'noExample' has no TSDoc @example",
  '#253: FILE: packages/virtio/src/queue.ts:12:',
  '+export function noExample(): void {',
  '',
  'WARNING:SAFETY_COMMENT: Raw @rfl/kernel call in a safe driver without a // SAFETY: comment',
  '#254: FILE: packages/virtio/src/queue.ts:13:',
  '+  k.kfree(p);',
  '',
  "CHECK:MISSING_EXAMPLE: Public item 'Bare' has no TSDoc @example",
  '#265: FILE: packages/virtio/src/queue.ts:24:',
  '+export class Bare {}',
  '',
  'WARNING:SAFETY_COMMENT: Raw @rfl/kernel call in a safe driver without a // SAFETY: comment',
  '#266: FILE: packages/virtio/src/queue.ts:25:',
  '+  ioremap(0, 8); // raw',
  '',
  'ERROR:TEST_ONLY_SKIP: Remove .only/.skip from tests - every test must run',
  '#274: FILE: packages/kernel/src/a.test.ts:2:',
  `+${ONLY}('a', () => {});`,
  '',
  'ERROR:TEST_ONLY_SKIP: Remove .only/.skip from tests - every test must run',
  '#275: FILE: packages/kernel/src/a.test.ts:3:',
  `+${SKIP}('b', () => {});`,
  '',
  'total: 2 errors, 2 warnings, 2 checks, 21 lines checked',
  '',
  'NOTE: For some of the reported defects, checkpatch may be able to',
  '      mechanically convert to the typical style using --fix or --fix-inplace.',
  '',
  'patch 9 has style problems, please review.',
  '',
  'NOTE: If any of the errors are false positives, please report',
  '      them to the maintainer, see CHECKPATCH in MAINTAINERS.',
  'ERROR:NOT_UNIFIED_DIFF: Does not appear to be a unified-diff format patch',
  '',
  'total: 1 errors, 0 warnings, 0 checks, 0 lines checked',
  '',
  'NOTE: For some of the reported defects, checkpatch may be able to',
  '      mechanically convert to the typical style using --fix or --fix-inplace.',
  '',
  'patch 10 has style problems, please review.',
  '',
  'NOTE: If any of the errors are false positives, please report',
  '      them to the maintainer, see CHECKPATCH in MAINTAINERS.',
].join('\n')}\n`;
