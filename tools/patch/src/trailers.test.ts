import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { addTrailers, collectTrailers, parseFollowupTrailers, readMails } from './index.js';
import { git, gitRaw, initRepo, tempDir } from './test-support/git-fixture.js';

const CLI = fileURLToPath(new URL('../bin/rfl-patch.js', import.meta.url));

function run(cwd: string, args: string[]): { stdout: string; stderr: string } {
  const r = execFileSync(process.execPath, [CLI, 'trailers', ...args], {
    cwd,
    stdio: ['pipe', 'pipe', 'pipe'],
    encoding: 'utf8',
  });
  return { stdout: r, stderr: '' };
}

function runWithStderr(cwd: string, args: string[]): { stdout: string; stderr: string } {
  const out = execFileSync(
    'sh',
    ['-c', `"${process.execPath}" "${CLI}" trailers "$@" 2>stderr.txt`, 'sh', ...args],
    { cwd, encoding: 'utf8' },
  );
  return { stdout: out, stderr: readFileSync(join(cwd, 'stderr.txt'), 'utf8') };
}

function messageIdOf(mail: string): string {
  return /^Message-ID: <([^>]+)>/im.exec(mail)![1]!;
}

function reply(
  to: string,
  from: string,
  body: string,
  id: string,
  subject = 'Re: [PATCH]',
): string {
  return [
    `From ${'0'.repeat(40)} Mon Sep 17 00:00:00 2001`,
    `From: ${from}`,
    `Subject: ${subject}`,
    `Message-ID: <${id}>`,
    `In-Reply-To: <${to}>`,
    `References: <${to}>`,
    '',
    body,
    '',
  ].join('\n');
}

/** A branch with three patches, mailed as a threaded v1 series with a cover letter. */
function series(): { dir: string; mails: string[] } {
  const dir = join(tempDir('tr'), 'repo');
  initRepo(dir);
  writeFileSync(join(dir, 'a.txt'), 'one\ntwo\nthree\n');
  git(dir, 'add', '.');
  git(dir, 'commit', '-qm', 'base');
  git(dir, 'tag', 'base');
  for (const [n, text] of [
    [1, 'ONE\ntwo\nthree\n'],
    [2, 'ONE\nTWO\nthree\n'],
    [3, 'ONE\nTWO\nTHREE\n'],
  ] as const) {
    writeFileSync(join(dir, 'a.txt'), text);
    git(
      dir,
      'commit',
      '-qam',
      `a: change line ${n}\n\nLine ${n} shouts now.\n\nSigned-off-by: A U Thor <author@example.org>`,
    );
  }
  const out = join(dir, '..', 'v1');
  gitRaw(dir, ['format-patch', '-q', '--cover-letter', '--thread', '-o', out, 'base..main']);
  const mails = readdirSync(out)
    .sort()
    .map((n) => readFileSync(join(out, n), 'utf8'));
  return { dir, mails };
}

describe('trailers', () => {
  it('parses follow-up trailers and ignores quoted and unknown ones', () => {
    expect(
      parseFollowupTrailers(
        'Looks good.\n\nreviewed-by: R <r@x.org>\nSigned-off-by: S <s@x.org>\nLink: https://lore.kernel.org/r/1@x\n',
      ),
    ).toEqual([
      { tag: 'Reviewed-by', value: 'R <r@x.org>' },
      { tag: 'Link', value: 'https://lore.kernel.org/r/1@x' },
    ]);
  });

  it('inserts new trailers in the tip tree order and keeps the Signed-off-by chain', () => {
    const msg =
      'x: y\n\nBody.\n\nReported-by: Rep <rep@x.org>\nSigned-off-by: A <a@x.org>\nSigned-off-by: M <m@x.org>\nLink: https://l/1\n';
    expect(
      addTrailers(msg, [
        { tag: 'Acked-by', value: 'K <k@x.org>' },
        { tag: 'Tested-by', value: 'T <t@x.org>' },
        { tag: 'Fixes', value: '0123456789ab ("x: z")' },
        { tag: 'Reported-by', value: 'rep <REP@x.org>' },
      ]),
    ).toBe(
      'x: y\n\nBody.\n\nFixes: 0123456789ab ("x: z")\nReported-by: Rep <rep@x.org>\nSigned-off-by: A <a@x.org>\nSigned-off-by: M <m@x.org>\nTested-by: T <t@x.org>\nAcked-by: K <k@x.org>\nLink: https://l/1\n',
    );
    expect(
      addTrailers('x: y\n\nNo trailers here.\n', [{ tag: 'Acked-by', value: 'K <k@x.org>' }]),
    ).toBe('x: y\n\nNo trailers here.\n\nAcked-by: K <k@x.org>\n');
  });

  it('collects trailers from a thread, refuses mismatched senders, and writes them with -u', () => {
    const { dir, mails } = series();
    const [cover, p1, p2, p3] = mails.map(messageIdOf) as [string, string, string, string];
    const replies = [
      reply(
        p1,
        'Rev Iewer <rev@example.org>',
        '> Signed-off-by: Quoted <q@x.org>\n\nReviewed-by: Rev Iewer <rev@example.org>',
        'r1@x',
      ),
      reply(p2, 'Imposter <imp@example.org>', 'Acked-by: Maint Ainer <maint@example.org>', 'r2@x'),
      reply(
        cover,
        'Test Er <test@example.org>',
        'All good on my board.\n\nTested-by: Test Er <test@example.org>',
        'r3@x',
      ),
      reply(p3, 'Someone <some@example.org>', 'Why?', 'r4@x'),
      reply(
        'r4@x',
        'Rev Three <r3@example.org>',
        'Because.\n\nReviewed-by: Rev Three <r3@example.org>\nFixes: 0123456789ab ("a: add a")',
        'r5@x',
      ),
    ];
    const thread = join(dir, '..', 'thread.mbox');
    writeFileSync(thread, [...mails, ...replies].join('\n'));

    const { patches, refused } = collectTrailers(readMails(thread));
    expect(patches.map((p) => [p.counter, p.trailers.map((t) => t.tag)])).toEqual([
      [1, ['Reviewed-by', 'Tested-by']],
      [2, ['Tested-by']],
      [3, ['Tested-by', 'Reviewed-by', 'Fixes']],
    ]);
    expect(refused.map((r) => `${r.tag}: ${r.value}`)).toEqual([
      'Acked-by: Maint Ainer <maint@example.org>',
    ]);

    const shown = runWithStderr(dir, [thread]);
    expect(shown.stdout).toContain(
      '    + Tested-by: Test Er <test@example.org> (from the cover letter)\n',
    );
    expect(shown.stderr).toContain('refusing "Acked-by: Maint Ainer <maint@example.org>"');
    expect(git(dir, 'log', '-1', '--format=%B', 'HEAD~2')).not.toContain('Reviewed-by');

    const tree = git(dir, 'rev-parse', 'HEAD^{tree}');
    const authors = git(dir, 'log', '--format=%an <%ae> %ad', 'base..main');
    const updated = run(dir, ['-u', thread]).stdout;
    expect(updated).toContain('Updated 3 commits.');
    expect(git(dir, 'rev-parse', 'HEAD^{tree}')).toBe(tree);
    expect(git(dir, 'log', '-1', '--format=%B', 'HEAD')).toBe(
      'a: change line 3\n\nLine 3 shouts now.\n\nFixes: 0123456789ab ("a: add a")\nSigned-off-by: A U Thor <author@example.org>\nTested-by: Test Er <test@example.org>\nReviewed-by: Rev Three <r3@example.org>\n\n',
    );
    expect(git(dir, 'log', '--format=%an <%ae> %ad', 'base..main')).toBe(authors);
    // A second run finds nothing new to add.
    expect(run(dir, ['-u', thread]).stdout).not.toContain('Updated');

    // Sloppy mode accepts the mismatched ack.
    const sloppy = run(dir, ['--sloppy-trailers', '--json', thread]).stdout;
    const json = JSON.parse(sloppy) as { commits: { trailers: { tag: string }[] }[] };
    expect(json.commits.map((c) => c.trailers.map((t) => t.tag))).toEqual([[], ['Acked-by'], []]);
  });

  it('carries a review to the next version only when the patch did not change', () => {
    const { dir, mails } = series();
    const [, p1, p2] = mails.map(messageIdOf) as [string, string, string];
    const replies = [
      reply(p1, 'R <r@example.org>', 'Reviewed-by: R <r@example.org>', 'a1@x'),
      reply(p2, 'R <r@example.org>', 'Reviewed-by: R <r@example.org>', 'a2@x'),
    ];
    // v2: patch 2 changes its code, patch 1 and 3 are only rebased.
    git(dir, 'checkout', '-q', '-b', 'v2', 'base');
    writeFileSync(join(dir, 'a.txt'), 'ONE\ntwo\nthree\n');
    git(dir, 'commit', '-qam', 'a: change line 1 (v2)');
    writeFileSync(join(dir, 'a.txt'), 'ONE\nTwo!\nthree\n');
    git(dir, 'commit', '-qam', 'a: change line 2 (v2)');
    const thread = join(dir, '..', 'thread.mbox');
    writeFileSync(thread, [...mails, ...replies].join('\n'));
    const json = JSON.parse(run(dir, ['--json', '--range=base..v2', thread]).stdout) as {
      commits: { subject: string; trailers: { tag: string }[] }[];
    };
    expect(json.commits.map((c) => [c.subject, c.trailers.length])).toEqual([
      ['a: change line 1 (v2)', 1],
      ['a: change line 2 (v2)', 0],
    ]);
  });
});
