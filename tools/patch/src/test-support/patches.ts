/** Build a mail in `git format-patch` form for the checkpatch tests. */
export function mail(opts: {
  from?: string;
  subject?: string;
  body?: string;
  diff?: string;
}): string {
  const from = opts.from ?? 'Ada Lovelace <ada@example.org>';
  const subject = opts.subject ?? '[PATCH] kernel: add a helper';
  const body =
    opts.body ??
    'Add the helper the driver needs.\n\nSigned-off-by: Ada Lovelace <ada@example.org>\n';
  const diff = opts.diff ?? DIFF;
  return (
    'From 0123456789abcdef0123456789abcdef01234567 Mon Sep 17 00:00:00 2001\n' +
    `From: ${from}\n` +
    'Date: Sat, 21 Nov 2026 07:00:00 +0000\n' +
    `Subject: ${subject}\n` +
    '\n' +
    body +
    '---\n' +
    ' a.c | 1 +\n' +
    ' 1 file changed, 1 insertion(+)\n' +
    '\n' +
    diff +
    '-- \n' +
    '2.39.5\n' +
    '\n'
  );
}

/** A clean one-line diff to a.c. */
export const DIFF =
  'diff --git a/a.c b/a.c\n' +
  'index 7898192..6d8a2b3 100644\n' +
  '--- a/a.c\n' +
  '+++ b/a.c\n' +
  '@@ -1 +1,2 @@\n' +
  ' a\n' +
  '+b\n';

/** A diff adding lines to a.c (its hunk starts at line 10). */
export function added(...lines: string[]): string {
  return (
    'diff --git a/a.c b/a.c\n' +
    'index 7898192..6d8a2b3 100644\n' +
    '--- a/a.c\n' +
    '+++ b/a.c\n' +
    `@@ -10 +10,${lines.length + 1} @@\n` +
    ' a\n' +
    lines.map((l) => `+${l}\n`).join('')
  );
}
