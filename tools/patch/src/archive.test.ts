import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { am } from './am.js';
import { mailinfo } from './mailinfo.js';

// The archive of the project's own series: patches/<change-id>/v<N>/ with the mails
// rfl-patch format wrote (0000-cover-letter.patch first) and replies/*.eml.
const BIN = fileURLToPath(new URL('../bin/rfl-patch.js', import.meta.url));
const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const ARCHIVE = join(ROOT, 'patches');

function git(cwd: string, ...args: string[]): string {
  return execFileSync('git', args, { cwd, stdio: ['pipe', 'pipe', 'pipe'] }).toString();
}

interface Series {
  name: string;
  dir: string;
  files: string[];
  cover: string | undefined;
  patches: string[];
}

function archivedSeries(): Series[] {
  const found: Series[] = [];
  for (const id of readdirSync(ARCHIVE, { withFileTypes: true })) {
    if (!id.isDirectory()) continue;
    for (const v of readdirSync(join(ARCHIVE, id.name), { withFileTypes: true })) {
      if (!v.isDirectory() || !/^v\d+$/.test(v.name)) continue;
      const dir = join(ARCHIVE, id.name, v.name);
      const files = readdirSync(dir)
        .filter((f) => f.endsWith('.patch'))
        .sort();
      const cover = files.find((f) => /(?:^|-)0+-cover-letter\.patch$/.test(f));
      found.push({
        name: `${id.name}/${v.name}`,
        dir,
        files,
        cover,
        patches: files.filter((f) => f !== cover),
      });
    }
  }
  return found;
}

function header(mail: Buffer, name: string): string {
  const m = new RegExp(`^${name}:[ \\t]*(.*(?:\\n[ \\t].*)*)`, 'im').exec(
    mail.toString('utf8').split('\n\n')[0]!,
  );
  return m ? m[1]!.replace(/\s+/g, ' ').trim() : '';
}

function baseCommit(s: Series): string {
  const footer = readFileSync(join(s.dir, s.cover ?? s.patches[s.patches.length - 1]!), 'utf8');
  const m = /^base-commit: ([0-9a-f]{40})$/m.exec(footer);
  if (!m) throw new Error(`${s.name}: no base-commit: line`);
  return m[1]!;
}

const series = archivedSeries();
const trees: string[] = [];

afterAll(() => {
  for (const tree of trees) {
    try {
      git(ROOT, 'worktree', 'remove', '--force', tree);
    } catch {
      rmSync(tree, { recursive: true, force: true });
    }
  }
  if (trees.length) git(ROOT, 'worktree', 'prune');
});

describe('the patches/ archive', () => {
  it('holds at least one series, each with numbered patches', () => {
    expect(series.length).toBeGreaterThan(0);
    for (const s of series) {
      expect(s.patches.length, s.name).toBeGreaterThan(0);
      s.patches.forEach((f, i) => {
        expect(f, s.name).toMatch(new RegExp(`^(?:v\\d+-)?${String(i + 1).padStart(4, '0')}-`));
      });
    }
  });

  for (const s of series) {
    describe(s.name, () => {
      it('applies with rfl-patch am at its base-commit, one commit per patch', async () => {
        const base = baseCommit(s);
        // The base is on main's history, so a fresh clone has it.
        expect(git(ROOT, 'cat-file', '-t', base).trim()).toBe('commit');
        // ... and HEAD's history, not only a side branch, holds it.
        git(ROOT, 'merge-base', '--is-ancestor', base, 'HEAD');
        const tree = join(mkdtempSync(join(tmpdir(), 'rfl-archive-')), 'tree');
        git(ROOT, 'worktree', 'add', '--detach', '-q', tree, base);
        trees.push(tree);
        const mails = s.patches.map((f) => readFileSync(join(s.dir, f)));
        process.env.GIT_COMMITTER_NAME ??= 'rfl-patch archive test';
        process.env.GIT_COMMITTER_EMAIL ??= 'archive-test@example.org';
        const result = await am(tree, mails);
        expect(result.stopped).toBeUndefined();
        expect(result.commits.map((c) => c.subject)).toEqual(mails.map((m) => mailinfo(m).subject));
        expect(git(tree, 'rev-list', '--count', `${base}..HEAD`).trim()).toBe(
          String(s.patches.length),
        );
        expect(git(tree, 'status', '--porcelain')).toBe('');
      });

      it('passes rfl-patch check with 0 errors and 0 warnings on every patch file', () => {
        // Run inside the series folder: the repository's .checkpatch.conf applies.
        const r = spawnSync(process.execPath, [BIN, 'check', ...s.files], {
          cwd: s.dir,
          encoding: 'utf8',
        });
        const totals = r.stdout.match(/^total: .*$/gm) ?? [];
        expect(totals.length).toBe(s.files.length);
        for (const t of totals) expect(t).toMatch(/^total: 0 errors, 0 warnings, /);
        expect(r.status, r.stdout).toBe(0);
      });

      it('has replies that answer messages of the series', () => {
        const ids = new Set(s.files.map((f) => header(readFileSync(join(s.dir, f)), 'Message-Id')));
        expect(
          [...ids].every((id) => /^<[^<>\s]+>$/.test(id)),
          [...ids].join(' '),
        ).toBe(true);
        const replies = join(s.dir, 'replies');
        const mails = existsSync(replies)
          ? readdirSync(replies).filter((f) => f.endsWith('.eml'))
          : [];
        expect(mails.length, `${s.name}/replies`).toBeGreaterThan(0);
        for (const f of mails) {
          const raw = readFileSync(join(replies, f));
          const info = mailinfo(raw);
          expect(info.email, f).toMatch(/@/);
          expect(header(raw, 'Message-ID'), f).toMatch(/^<[^<>\s]+>$/);
          expect(ids.has(header(raw, 'In-Reply-To')), `${f} answers ${info.inReplyTo}`).toBe(true);
        }
      });
    });
  }
});
