import { isFromLine } from '../mbox.js';
import { checkLines } from './engine.js';
import type { CheckOptions, CheckResult } from './types.js';

/** One patch of a mailbox and its findings, their lines counted in the mailbox. */
export interface MailboxPatch {
  /** 0-based line of the mailbox where this mail starts. */
  offset: number;
  result: CheckResult;
}

/**
 * Check every mail of a mailbox (`git format-patch --stdout`, a saved thread) as its
 * own patch; a file holding one patch gives one entry. checkpatch.pl would read a
 * mailbox as a single patch and mix the sign-offs of all its mails, so the mails are
 * split at their `From ` lines first. Finding lines stay lines of the whole input, so
 * `--terse` output points into the file that was given.
 *
 * @example
 * ```ts
 * import { checkMailbox } from '@rfl/patch'
 * const one = 'From 0123 Mon Sep 17 00:00:00 2001\nSubject: [PATCH] a\n\nText.\n---\n'
 * checkMailbox(one + one).map((p) => p.offset) // => [0, 5]
 * checkMailbox(one + one)[1]!.result.findings.map((f) => f.line) // => [10]
 * ```
 */
export function checkMailbox(input: string | Buffer, opts: CheckOptions = {}): MailboxPatch[] {
  const text = typeof input === 'string' ? input : input.toString('utf8');
  const lines = text.split('\n');
  const starts = [0];
  for (let i = 1; i < lines.length; i++) {
    const l = lines[i]!;
    if (l.startsWith('From ') && isFromLine(Buffer.from(`${l}\n`))) starts.push(i);
  }
  // The last mail ends at the end of the text; its final newline ends a line, not one more.
  const total =
    lines.length > 0 && lines[lines.length - 1] === '' ? lines.length - 1 : lines.length;
  return starts.map((start, k) => {
    const end = starts[k + 1] ?? total;
    const result = checkLines(lines, start, end, opts);
    for (const f of result.findings) f.line += start;
    return { offset: start, result };
  });
}
