import { describe, expect, it } from 'vitest';
import { mail } from '../test-support/patches.js';
import { checkMailbox } from './mailbox.js';

describe('checkMailbox', () => {
  it('checks each mail of a mailbox on its own, with lines of the whole mailbox', () => {
    const good = mail({});
    const unsigned = mail({ body: 'Add the helper.\n' });
    const patches = checkMailbox(good + unsigned);
    expect(patches.map((p) => p.offset)).toEqual([0, 22]);
    expect(patches[0]!.result.findings).toEqual([]);
    // The second mail starts at line 23 and has 20 lines: its last is line 42 of the mailbox.
    expect(patches[1]!.result.findings).toEqual([
      {
        level: 'ERROR',
        type: 'MISSING_SIGN_OFF',
        message: 'Missing Signed-off-by: line(s)',
        line: 42,
      },
    ]);
  });

  it('a body line starting with "From " does not split', () => {
    const text = mail({
      body: 'From the list: add it.\n\nSigned-off-by: Ada Lovelace <ada@example.org>\n',
    });
    expect(checkMailbox(text).length).toBe(1);
  });

  it('a cover letter has no diff and is not told so', () => {
    const cover = mail({ subject: '[PATCH 0/2] kernel: helpers', diff: '' });
    expect(checkMailbox(cover)[0]!.result.findings.map((f) => f.type)).toEqual([
      'NOT_UNIFIED_DIFF',
    ]);
    expect(checkMailbox(cover, { coverLetter: true })[0]!.result.findings).toEqual([]);
  });
});
