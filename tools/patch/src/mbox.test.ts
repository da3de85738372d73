import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readMails, splitMbox } from './mbox.js';
import { tempDir } from './test-support/git-fixture.js';

const mail = (n: number): string =>
  `From ${String(n).repeat(40)} Mon Sep 17 00:00:00 2001\nSubject: m${n}\n\nbody ${n}\n`;
const subjects = (mails: Buffer[]): string[] => mails.map((m) => m.toString().split('\n')[1]!);

describe('reading mailboxes', () => {
  it('reads a Maildir: cur/ then new/, each in name order', () => {
    const dir = tempDir('maildir');
    for (const sub of ['cur', 'new', 'tmp']) mkdirSync(join(dir, sub));
    writeFileSync(join(dir, 'new', 'a'), mail(3));
    writeFileSync(join(dir, 'cur', 'b'), mail(2));
    writeFileSync(join(dir, 'cur', 'a'), mail(1));
    expect(subjects(readMails(dir))).toEqual(['Subject: m1', 'Subject: m2', 'Subject: m3']);
  });

  it('reads a directory of patch files in name order, skipping other files', () => {
    const dir = tempDir('patchdir');
    writeFileSync(join(dir, '0002-b.patch'), mail(2));
    writeFileSync(join(dir, '0001-a.patch'), mail(1));
    writeFileSync(join(dir, 'notes.txt'), 'not a mail');
    writeFileSync(join(dir, 'x.eml'), mail(3) + mail(4));
    expect(subjects(readMails(dir))).toEqual([
      'Subject: m1',
      'Subject: m2',
      'Subject: m3',
      'Subject: m4',
    ]);
  });

  it('splits only at From lines that git mailsplit takes for separators', () => {
    // A body line that starts with "From " but has no date stays in its mail; so does a
    // From line in the first line's place, which starts the mailbox.
    const box = `${mail(1)}From the maintainers: please test.\n${mail(2)}${mail(3)}`;
    const mails = splitMbox(Buffer.from(`\n${box}`));
    expect(subjects(mails)).toEqual(['Subject: m1', 'Subject: m2', 'Subject: m3']);
    expect(mails[0]!.toString()).toBe(`${mail(1)}From the maintainers: please test.\n`);
    expect(Buffer.concat(mails).toString()).toBe(box);
    // CRLF lines become LF unless kept, in every mail (the mailbox's first line, a
    // separator that mailinfo skips, is passed as it is).
    const crlf = Buffer.from(box.replace(/\n/g, '\r\n'));
    expect(Buffer.concat(splitMbox(crlf)).toString()).toBe(box.replace('\n', '\r\n'));
    expect(Buffer.concat(splitMbox(crlf, { keepCr: true })).equals(crlf)).toBe(true);
    expect(subjects(splitMbox(crlf, { keepCr: true }))).toEqual([
      'Subject: m1\r',
      'Subject: m2\r',
      'Subject: m3\r',
    ]);
  });

  it('reports a missing mailbox with the error of the read', () => {
    expect(() => readMails(join(tempDir('nothing'), 'missing.mbox'))).toThrow(/ENOENT/);
  });

  it('treats a mailbox without a From line as one bare message', () => {
    expect(subjects(splitMbox(Buffer.from('\n\nX: y\nSubject: bare\n\nFrom here on\n')))).toEqual([
      'Subject: bare',
    ]);
  });
});
