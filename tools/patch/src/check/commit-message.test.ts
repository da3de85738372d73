import { describe, expect, it } from 'vitest';
import { mail } from '../test-support/patches.js';
import { checkPatch } from './engine.js';
import { formatReport } from './output.js';

const SOB = 'Signed-off-by: Ada Lovelace <ada@example.org>\n';

/** The report as `rfl-patch check --show-types` prints it for a file named p.patch. */
function report(text: string): string {
  return formatReport(checkPatch(text), { showTypes: true, filename: 'p.patch', vname: 'p.patch' });
}
function terse(text: string): string {
  return formatReport(checkPatch(text), {
    terse: true,
    showTypes: true,
    filename: 'p.patch',
    vname: 'p.patch',
  });
}

describe('checkPatch: the commit message', () => {
  it('a clean mail has no findings and the verdict of checkpatch.pl', () => {
    expect(report(mail({}))).toBe(
      'total: 0 errors, 0 warnings, 2 lines checked\n\n' +
        'p.patch has no obvious style problems and is ready for submission.\n',
    );
    expect(terse(mail({}))).toBe('');
  });

  it('MISSING_SIGN_OFF: an error with no line quoted', () => {
    expect(report(mail({ body: 'Add the helper.\n' }))).toBe(
      'ERROR:MISSING_SIGN_OFF: Missing Signed-off-by: line(s)\n\n' +
        'total: 1 errors, 0 warnings, 2 lines checked\n\n' +
        'NOTE: For some of the reported defects, checkpatch may be able to\n' +
        '      mechanically convert to the typical style using --fix or --fix-inplace.\n\n' +
        'p.patch has style problems, please review.\n\n' +
        'NOTE: If any of the errors are false positives, please report\n' +
        '      them to the maintainer, see CHECKPATCH in MAINTAINERS.\n',
    );
  });

  it('BAD_SIGN_OFF: whitespace, capitalisation, spacing, address, duplicates', () => {
    const body =
      'Add the helper.\n\n' +
      ' Signed-off-by: Ada Lovelace <ada@example.org>\n' +
      'Reviewed-By: Bob <bob@example.org>\n' +
      'Acked-by:Carol <carol@example.org>\n' +
      'Tested-by: Dave\n' +
      'Signed-off-by: Ada Lovelace <ada@example.org>\n';
    expect(terse(mail({ body }))).toBe(
      'p.patch:8: WARNING:BAD_SIGN_OFF: Do not use whitespace before Signed-off-by:\n' +
        "p.patch:9: WARNING:BAD_SIGN_OFF: 'Reviewed-by:' is the preferred signature form\n" +
        'p.patch:10: WARNING:BAD_SIGN_OFF: Use a single space after Acked-by:\n' +
        "p.patch:11: ERROR:BAD_SIGN_OFF: Unrecognized email address: 'Dave'\n" +
        'p.patch:12: WARNING:BAD_SIGN_OFF: Duplicate signature\n' +
        'total: 1 errors, 4 warnings, 2 lines checked\n',
    );
  });

  it('NO_AUTHOR_SIGN_OFF and FROM_SIGN_OFF_MISMATCH compare From: with the sign-offs', () => {
    const other = mail({ body: 'Add it.\n\nSigned-off-by: Bob <bob@example.org>\n' });
    expect(terse(other)).toBe(
      "p.patch:22: WARNING:NO_AUTHOR_SIGN_OFF: Missing Signed-off-by: line by nominal patch author 'Ada Lovelace <ada@example.org>'\n" +
        'total: 0 errors, 1 warnings, 2 lines checked\n',
    );
    const name = mail({ body: 'Add it.\n\nSigned-off-by: Ada L <ada@example.org>\n' });
    expect(checkPatch(name).findings.map((f) => f.message)).toEqual([
      "From:/Signed-off-by: email name mismatch: 'From: Ada Lovelace <ada@example.org>' != 'Signed-off-by: Ada L <ada@example.org>'",
    ]);
    const addr = mail({ body: 'Add it.\n\nSigned-off-by: Ada Lovelace <ada@work.example>\n' });
    expect(checkPatch(addr).findings.map((f) => f.message)).toEqual([
      "From:/Signed-off-by: email address mismatch: 'From: Ada Lovelace <ada@example.org>' != 'Signed-off-by: Ada Lovelace <ada@work.example>'",
    ]);
    // git format-patch folds a long From: header; the continuation is part of it.
    const folded = mail({
      from: 'Ada Lovelace of the Analytical Engine Society\n <ada@example.org>',
    });
    const sob =
      'Add it.\n\nSigned-off-by: Ada Lovelace of the Analytical Engine Society <ada@example.org>\n';
    expect(
      checkPatch(folded.replace(/Add the helper[\s\S]*?---\n/, `${sob}---\n`)).findings,
    ).toEqual([]);
    // An RFC 2047 encoded, quoted From: is decoded before comparing.
    const quoted = mail({ from: '"=?UTF-8?q?Ada_Lovelace?=" <ada@example.org>' });
    expect(checkPatch(quoted).findings).toEqual([]);
  });

  it('COMMIT_MESSAGE: a subject and signatures only', () => {
    expect(terse(mail({ body: SOB }))).toBe(
      'p.patch:7: WARNING:COMMIT_MESSAGE: Missing commit description - Add an appropriate one\n' +
        'total: 0 errors, 1 warnings, 2 lines checked\n',
    );
  });

  it('COMMIT_LOG_LONG_LINE: once, with the line; tags and paths are exempt', () => {
    const long = 'x'.repeat(76);
    const body = `Add it.\n${long}\n${long}\nLink: https://example.org/${long}\n\n${SOB}`;
    expect(report(mail({ body })).split('\n\ntotal')[0]).toBe(
      'WARNING:COMMIT_LOG_LONG_LINE: Prefer a maximum 75 chars per line (possible unwrapped commit description?)\n' +
        `#7: \n${long}`,
    );
    expect(checkPatch(mail({ body: `${'y'.repeat(75)}\n\n${SOB}` })).findings).toEqual([]);
  });

  it('GIT_COMMIT_ID: short ids and a missing ("title")', () => {
    const body = `As commit 0123abcd broke it,\nand Commit 0123456789abcdef ("foo: bar") too.\n\n${SOB}`;
    expect(terse(mail({ body }))).toBe(
      `p.patch:6: ERROR:GIT_COMMIT_ID: Please use git commit description style 'commit <12+ chars of sha1> ("<title line>")' - ie: 'commit 0123abcd ("<title line>")'\n` +
        `p.patch:7: ERROR:GIT_COMMIT_ID: Please use git commit description style 'commit <12+ chars of sha1> ("<title line>")' - ie: 'Commit 0123456789ab ("foo: bar")'\n` +
        'total: 2 errors, 0 warnings, 2 lines checked\n',
    );
    const good = `Since commit 0123456789ab ("foo: bar") it works.\n\n${SOB}`;
    expect(checkPatch(mail({ body: good })).findings).toEqual([]);
  });

  it('GIT_COMMIT_ID and UNKNOWN_COMMIT_ID with a tree to look ids up in', () => {
    const tree = new Map([['0123456789ab', { id: '0123456789ab', subject: 'foo: add bar' }]]);
    const commitInfo = (id: string) =>
      [...tree.entries()].find(([k]) => k.startsWith(id) || id.startsWith(k))?.[1];
    const withTree = (body: string): string =>
      formatReport(checkPatch(mail({ body }), { commitInfo }), {
        terse: true,
        showTypes: true,
        filename: 'p.patch',
        vname: 'p.patch',
      });
    const body = `Since commit 0123456789ab ("foo: add baz") and
commit fedcba987654 ("x: y") it breaks.

Fixes: 0123456789ab ("foo: bar")
${SOB}`;
    expect(withTree(body)).toBe(
      `p.patch:6: ERROR:GIT_COMMIT_ID: Please use git commit description style 'commit <12+ chars of sha1> ("<title line>")' - ie: 'commit 0123456789ab ("foo: add bar")'\n` +
        `p.patch:7: WARNING:UNKNOWN_COMMIT_ID: Unknown commit id 'fedcba987654', maybe rebased or not pulled?\n` +
        `p.patch:9: WARNING:BAD_FIXES_TAG: Please use correct Fixes: style 'Fixes: <12+ chars of sha1> ("<title line>")' - ie: 'Fixes: 0123456789ab ("foo: add bar")'\n` +
        'total: 1 errors, 2 warnings, 2 lines checked\n',
    );
    // The real title is accepted; without a tree the same text is only checked for form.
    const good = `Since commit 0123456789ab ("foo: add bar") it works.\n\nFixes: 0123456789ab ("foo: add bar")\n${SOB}`;
    expect(checkPatch(mail({ body: good }), { commitInfo }).findings).toEqual([]);
    expect(checkPatch(mail({ body }), {}).findings.map((f) => f.type)).toEqual([]);
  });

  it('BAD_FIXES_TAG: the kernel form of Fixes:', () => {
    const body = `Fix it.\n\nFixes: 0123abcd ("foo: bar")\nfixes: 0123456789ab ("foo: baz")\n${SOB}`;
    expect(terse(mail({ body }))).toBe(
      `p.patch:8: WARNING:BAD_FIXES_TAG: Please use correct Fixes: style 'Fixes: <12+ chars of sha1> ("<title line>")' - ie: 'Fixes: 0123abcd ("foo: bar")'\n` +
        `p.patch:9: WARNING:BAD_FIXES_TAG: Please use correct Fixes: style 'Fixes: <12+ chars of sha1> ("<title line>")' - ie: 'Fixes: 0123456789ab ("foo: baz")'\n` +
        'total: 0 errors, 2 warnings, 2 lines checked\n',
    );
    const good = `Fix it.\n\nFixes: 0123456789ab ("foo: bar")\n${SOB}`;
    expect(checkPatch(mail({ body: good })).findings).toEqual([]);
  });

  it('EMAIL_SUBJECT, GERRIT_CHANGE_ID and DIFF_IN_COMMIT_MSG', () => {
    const text = mail({
      subject: '[PATCH] kernel: fix checkpatch warnings',
      body: `Tidy it.\n--- a/a.c\nChange-Id: I0123456789abcdef\n\n${SOB}`,
    });
    expect(report(text).split('\ntotal')[0]).toBe(
      'WARNING:EMAIL_SUBJECT: A patch subject line should describe the change not the tool that found it\n' +
        '#4: \nSubject: [PATCH] kernel: fix checkpatch warnings\n\n' +
        'ERROR:DIFF_IN_COMMIT_MSG: Avoid using diff content in the commit message - patch(1) might not work\n' +
        '#7: \n--- a/a.c\n\n' +
        "ERROR:GERRIT_CHANGE_ID: Remove Gerrit Change-Id's before submitting upstream\n" +
        '#8: \nChange-Id: I0123456789abcdef\n',
    );
  });

  it('TYPO_SPELLING and REPEATED_WORD in the message keep the case of the word', () => {
    // `constructor` is no misspelling, and repeated hex bytes are no repeated word.
    const body = `Recieve the the data; Teh end. Long long ago. A constructor: ff ff fe.\n\n${SOB}`;
    expect(checkPatch(mail({ body })).findings.map((f) => `${f.type}: ${f.message}`)).toEqual([
      "TYPO_SPELLING: 'Recieve' may be misspelled - perhaps 'Receive'?",
      "TYPO_SPELLING: 'Teh' may be misspelled - perhaps 'The'?",
      "REPEATED_WORD: Possible repeated word: 'the'",
    ]);
  });
});
