import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cleanupSubject, type MailinfoOptions, mailinfo } from './mailinfo.js';
import { tempDir } from './test-support/git-fixture.js';

const PATCH = 'diff --git a/f b/f\n--- a/f\n+++ b/f\n@@ -1 +1 @@\n-a\n+b\n';

const MAILS: [string, string, MailinfoOptions?][] = [
  [
    'folded RFC 2047 subject and author',
    'From: =?UTF-8?q?Ren=C3=A9?=\n =?ISO-8859-1?B?TfxsbGVy?= <rene@example.org>\nDate: Tue, 3 Mar 2026 14:05:09 +0100\n' +
      'Subject: [PATCH v2 3/7] net: caf=?UTF-8?q?=C3=A9?=\n  folded\n\nBody.\n---\n' +
      PATCH,
  ],
  [
    'quoted-printable body in latin-1',
    'From: A <a@example.org>\nSubject: Re: [RFC PATCH] x: y\nContent-Type: text/plain; charset=ISO-8859-1\n' +
      'Content-Transfer-Encoding: quoted-printable\n\nCaf=E9 soft=\n break.\n---\n' +
      PATCH.replace('+b', '+b=3D'),
  ],
  [
    'base64 body',
    'From: A <a@example.org>\nSubject: [PATCH] b64\nContent-Transfer-Encoding: base64\n\n' +
      `${Buffer.from(`Encoded body.\n---\n${PATCH}`)
        .toString('base64')
        .replace(/(.{76})/g, '$1\n')}\n`,
  ],
  [
    'in-body From, Subject and Date override the headers',
    'From: Sender <s@example.org>\nSubject: [PATCH] outer\nDate: Mon, 1 Jan 2024 00:00:00 +0000\n\n' +
      'From: Real Author <real@example.org>\nSubject: inner subject\nDate: Tue, 2 Jan 2024 10:00:00 -0500\n\nText.\n---\n' +
      PATCH,
  ],
  [
    '-k keeps the subject',
    `From: A <a@example.org>\nSubject: [PATCH 1/2] [net] keep\n\nx\n---\n${PATCH}`,
    { keepSubject: true },
  ],
  [
    '-b keeps non-PATCH brackets',
    `From: A <a@example.org>\nSubject: [PATCH 1/2] [net] keep\n\nx\n---\n${PATCH}`,
    { keepNonPatchBrackets: true },
  ],
  [
    'scissors',
    'From: A <a@example.org>\nSubject: [PATCH] outer\n\nchatter\n-- >8 --\nSubject: real\n\nreal body\n---\n' +
      PATCH,
    { scissors: true },
  ],
  ['quoted display name', `From: "Doe, Jane" <jane@example.org>\nSubject: x\n\n---\n${PATCH}`],
  ['address then comment', `From: jane@example.org (Jane Doe)\nSubject: x\n\nIndex: f\n${PATCH}`],
];

function gitMailinfo(
  mail: Buffer,
  opts: MailinfoOptions = {},
): { info: string; msg: string; patch: Buffer } {
  const dir = tempDir('mailinfo');
  const flags = ['-u'];
  if (opts.keepSubject) flags.push('-k');
  if (opts.keepNonPatchBrackets) flags.push('-b');
  if (opts.scissors) flags.push('--scissors');
  const info = execFileSync('git', ['mailinfo', ...flags, join(dir, 'msg'), join(dir, 'patch')], {
    input: mail,
  }).toString();
  return {
    info,
    msg: readFileSync(join(dir, 'msg'), 'utf8'),
    patch: readFileSync(join(dir, 'patch')),
  };
}

describe('mailinfo agrees with git mailinfo', () => {
  for (const [name, text, opts] of MAILS) {
    it(name, () => {
      const mail = Buffer.from(text, 'latin1');
      const want = gitMailinfo(mail, opts);
      const got = mailinfo(mail, opts);
      // git keeps a trailing space after an in-body Date; the date parser ignores it.
      const wantInfo = want.info.replace(/ +\n/g, '\n');
      expect(
        `Author: ${got.name}\nEmail: ${got.email}\nSubject: ${got.subject}\n${got.date ? `Date: ${got.date}\n` : ''}\n`,
      ).toBe(wantInfo);
      expect(got.log.toString('utf8')).toBe(want.msg);
      expect(got.patch.toString('latin1')).toBe(want.patch.toString('latin1'));
    });
  }
});

describe('mailinfo warnings', () => {
  it('warns when a line in the message would end it early', () => {
    const mail = Buffer.from(
      'From: A <a@example.org>\nSubject: x\n\nWe changed\n--- the old way\nof doing it.\n',
    );
    expect(mailinfo(mail).warnings).toEqual([
      'the line "--- the old way" ends the commit message; text after it is taken as patch',
    ]);
  });
});

describe('cleanupSubject', () => {
  it('strips Re:, colons and every bracket group', () => {
    expect(cleanupSubject('Re: re: [PATCH v3 02/10] [net] foo: bar')).toBe('foo: bar');
  });
  it('stops at the first word that is not a prefix', () => {
    expect(cleanupSubject('Revert "x" [PATCH]')).toBe('Revert "x" [PATCH]');
  });
});
