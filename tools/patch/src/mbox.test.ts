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

  it('treats a mailbox without a From line as one bare message', () => {
    expect(subjects(splitMbox(Buffer.from('\n\nX: y\nSubject: bare\n\nFrom here on\n')))).toEqual([
      'Subject: bare',
    ]);
  });
});
