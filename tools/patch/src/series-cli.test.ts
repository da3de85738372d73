import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { git, gitRaw, initRepo, tempDir } from './test-support/git-fixture.js';

const CLI = fileURLToPath(new URL('../bin/rfl-patch.js', import.meta.url));

function commit(dir: string, file: string, text: string, subject: string): void {
  writeFileSync(join(dir, file), text);
  git(dir, 'add', file);
  git(
    dir,
    'commit',
    '-qm',
    `${subject}\n\nBecause.\n\nSigned-off-by: C O Mitter <committer@example.org>`,
  );
}

/** Formats `range` into patches/<id>/v<version>/ and returns the Message-IDs. */
function archive(dir: string, id: string, version: number, range: string): string[] {
  const out = join(dir, 'patches', id, `v${version}`);
  gitRaw(dir, [
    'format-patch',
    '-q',
    '--cover-letter',
    '--thread',
    '-v',
    String(version),
    '-o',
    out,
    range,
  ]);
  const ids = execFileSync('sh', ['-c', `grep -hi '^Message-ID:' ${out}/*.patch`]).toString();
  return ids
    .split('\n')
    .filter(Boolean)
    .map((l) => l.replace(/^Message-ID: <(.*)>$/i, '$1'));
}

function replyTo(
  dir: string,
  id: string,
  version: number,
  to: string,
  from: string,
  body: string,
  n: number,
): void {
  const out = join(dir, 'patches', id, `v${version}`, 'replies');
  mkdirSync(out, { recursive: true });
  writeFileSync(
    join(out, `${n}.eml`),
    `From: ${from}\nSubject: Re: [PATCH]\nMessage-ID: <reply-${id}-${n}@x>\nIn-Reply-To: <${to}>\nReferences: <${to}>\n\n${body}\n`,
  );
}

describe('series', () => {
  it('lists the archive with patchwork states, check results and reviews', () => {
    const dir = join(tempDir('series'), 'repo');
    initRepo(dir);
    commit(dir, 'a.txt', 'a\n', 'base');
    git(dir, 'tag', 'base');

    // foxes: v1 got a review asking for changes, v2 got a Reviewed-by.
    git(dir, 'checkout', '-q', '-b', 'foxes-v1', 'base');
    commit(dir, 'f.txt', 'fox\n', 'foxes: add a fox');
    const v1 = archive(dir, 'foxes', 1, 'base..foxes-v1');
    replyTo(dir, 'foxes', 1, v1[1]!, 'R <r@example.org>', '> +fox\n\nPlease call it a vixen.', 1);
    git(dir, 'checkout', '-q', '-b', 'foxes-v2', 'base');
    commit(dir, 'f.txt', 'vixen\n', 'foxes: add a fox');
    const v2 = archive(dir, 'foxes', 2, 'base..foxes-v2');
    replyTo(dir, 'foxes', 2, v2[1]!, 'R <r@example.org>', 'Reviewed-by: R <r@example.org>', 1);

    // gpio: applied to main, so Accepted.
    git(dir, 'checkout', '-q', '-b', 'gpio', 'base');
    commit(dir, 'g.txt', 'gpio\n', 'gpio: add a line');
    archive(dir, 'gpio', 1, 'base..gpio');
    // dens: nobody answered yet; it has trailing whitespace.
    git(dir, 'checkout', '-q', '-b', 'dens', 'base');
    commit(dir, 'd.txt', 'den  \n', 'dens: dig a den');
    archive(dir, 'dens', 1, 'base..dens');
    git(dir, 'checkout', '-q', 'gpio');

    const json = JSON.parse(
      execFileSync(process.execPath, [CLI, 'series', '--json'], { cwd: dir }).toString(),
    ) as {
      changeId: string;
      version: number;
      state: string;
      check: { errors: number };
      reviewed: number;
    }[];
    expect(json.map((s) => [s.changeId, s.version, s.state, s.check.errors, s.reviewed])).toEqual([
      ['dens', 1, 'New', 1, 0],
      ['foxes', 1, 'Superseded', 0, 0],
      ['foxes', 2, 'Under Review', 0, 1],
      ['gpio', 1, 'Accepted', 0, 0],
    ]);

    const table = execFileSync(process.execPath, [CLI, 'series'], { cwd: dir }).toString();
    expect(table.split('\n')[0]).toMatch(/^CHANGE-ID +VER +STATE +PATCHES +CHECK +REVIEWS +TITLE$/);
    expect(table).toMatch(
      /^foxes +v1 +Superseded +1 +0E 2W +1 reply, 0\/1 reviewed +foxes: add a fox$/m,
    );
  });

  it('shows Changes Requested until a newer version arrives', () => {
    const dir = join(tempDir('series'), 'repo');
    initRepo(dir);
    commit(dir, 'a.txt', 'a\n', 'base');
    git(dir, 'tag', 'base');
    git(dir, 'checkout', '-q', '-b', 'kits', 'base');
    commit(dir, 'k.txt', 'kit\n', 'kits: add a kit');
    const ids = archive(dir, 'kits', 1, 'base..kits');
    replyTo(dir, 'kits', 1, ids[1]!, 'R <r@example.org>', 'Why a kit?', 1);
    git(dir, 'checkout', '-q', 'base');
    const out = execFileSync(process.execPath, [CLI, 'series'], { cwd: dir }).toString();
    expect(out).toMatch(/^kits +v1 +Changes Requested /m);
  });
});
