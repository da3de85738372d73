import { createHash, type Hash } from 'node:crypto';
import { splitLines } from './mbox.js';
import { parsePatch } from './patch.js';

/** One patch id with the commit it was computed for (all zeros when unknown). */
export interface PatchId {
  patchId: string;
  commit: string;
}

const ZERO = '0'.repeat(40);

function addHash(sum: Buffer, hash: Hash): void {
  const h = hash.digest();
  let carry = 0;
  for (let i = 0; i < 20; i++) {
    carry += sum[i]! + h[i]!;
    sum[i] = carry & 0xff;
    carry >>= 8;
  }
}

/**
 * `git patch-id --stable`: for every commit in a stream of `git log -p`,
 * `git format-patch` or `git diff-tree --stdin -p` output, a SHA-1 over the diff with all
 * whitespace and line numbers removed, computed per file and summed (so file order does
 * not matter). The commit comes from the preceding `From <id>`/`commit <id>` line.
 *
 * @example
 * ```ts
 * import { patchIds } from '@rfl/patch';
 * const diff = 'diff --git a/f b/f\n--- a/f\n+++ b/f\n@@ -1 +1 @@\n-a\n+b\n';
 * patchIds(Buffer.from(diff))[0]?.patchId.length // => 40
 * ```
 */
export function patchIds(stream: Buffer): PatchId[] {
  const out: PatchId[] = [];
  const lines = splitLines(stream);
  let commit = ZERO;
  let i = 0;
  while (i < lines.length) {
    const sum = Buffer.alloc(20);
    let hash = createHash('sha1');
    let patchlen = 0;
    let before = -1;
    let after = -1;
    let binary = false;
    let pre = '';
    let post = '';
    let next: string | undefined;
    for (; i < lines.length; i++) {
      const line = lines[i]!.toString('latin1');
      let p = line;
      if (line.startsWith('commit ')) p = line.slice(7);
      else if (line.startsWith('From ')) p = line.slice(5);
      else if (/^[0-9a-f]{40}\n?$/.test(line)) p = line;
      if (p !== line || /^[0-9a-f]{40}\n?$/.test(line)) {
        const m = /^([0-9a-f]{40})(\s|$)/.exec(p);
        if (m) {
          next = m[1]!;
          i++;
          break;
        }
      }
      if (p === line && line.startsWith('\\ ') && line.length > 12) continue;
      if (!patchlen && !line.startsWith('diff ')) continue;
      if (before === -1) {
        if (line.startsWith('GIT binary patch') || line.startsWith('Binary files')) {
          binary = true;
          before = 0;
          hash.update(pre);
          hash.update(post);
          addHash(sum, hash);
          hash = createHash('sha1');
          continue;
        }
        const idx = /^index ([0-9a-f]+)\.\.([0-9a-f]+)/.exec(line);
        if (idx) {
          pre = idx[1]!;
          post = idx[2]!;
          continue;
        }
        if (line.startsWith('--- ')) before = after = 1;
        else if (!/^[A-Za-z]/.test(line)) break;
      }
      if (binary) {
        if (line.startsWith('diff ')) {
          binary = false;
          before = -1;
        } else continue;
      }
      if (before === 0 && after === 0) {
        const hunk = /^@@ -\d+(?:,(\d+))? \+\d+(?:,(\d+))? @@/.exec(line);
        if (hunk) {
          before = hunk[1] === undefined ? 1 : Number(hunk[1]);
          after = hunk[2] === undefined ? 1 : Number(hunk[2]);
          continue;
        }
        if (!line.startsWith('diff ')) break;
        addHash(sum, hash);
        hash = createHash('sha1');
        before = after = -1;
      }
      if (line[0] === '-' || line[0] === ' ') before--;
      if (line[0] === '+' || line[0] === ' ') after--;
      const squeezed = line.replace(/[ \t\n\r]/g, '');
      patchlen += squeezed.length;
      hash.update(squeezed, 'latin1');
    }
    addHash(sum, hash);
    if (patchlen) out.push({ patchId: sum.toString('hex'), commit });
    if (next) commit = next;
    else if (i >= lines.length) break;
  }
  return out;
}

/**
 * The patch id `git format-patch --base` prints for prerequisite commits. Git computes it
 * from its internal diff (diff.c `diff_get_patch_id`, stable, renames detected), which
 * differs from `git patch-id --stable` on the text: paths are raw (never C-quoted), the
 * `similarity`/`rename` lines are not hashed, and `---`/`+++` are hashed for every text
 * file, also for pure renames and mode changes. `diff` must be
 * `git diff-tree -p -M --full-index` output of one commit.
 */
export function internalPatchId(diff: Buffer): string {
  const sum = Buffer.alloc(20);
  const squeeze = (s: string): string => s.replace(/[ \t\n\r]/g, '');
  const sections = diff
    .toString('latin1')
    .split(/^(?=diff --git )/m)
    .filter((s) => s.startsWith('diff --git '));
  for (const section of sections) {
    const fp = parsePatch(Buffer.from(section, 'latin1'))[0];
    if (!fp) continue;
    const hash = createHash('sha1');
    const one = squeeze(fp.oldPath ?? fp.newPath ?? '');
    const two = squeeze(fp.newPath ?? fp.oldPath ?? '');
    hash.update(`diff--gita/${one}b/${two}`, 'latin1');
    if (fp.kind === 'create') hash.update(`newfilemode${fp.newMode}`);
    else if (fp.kind === 'delete') hash.update(`deletedfilemode${fp.oldMode}`);
    else if (fp.oldMode && fp.newMode && fp.oldMode !== fp.newMode)
      hash.update(`oldmode${fp.oldMode}newmode${fp.newMode}`);
    if (fp.binary) {
      hash.update(fp.oldOid ?? ZERO);
      hash.update(fp.newOid ?? ZERO);
    } else {
      if (fp.kind === 'create') hash.update(`---/dev/null+++b/${two}`, 'latin1');
      else if (fp.kind === 'delete') hash.update(`---a/${one}+++/dev/null`, 'latin1');
      else hash.update(`---a/${one}+++b/${two}`, 'latin1');
      const at = section.search(/^@@ -/m);
      if (at >= 0)
        for (const line of section.slice(at).split('\n'))
          if (line && !line.startsWith('@@ -') && !line.startsWith('\\ '))
            hash.update(squeeze(line), 'latin1');
    }
    addHash(sum, hash);
  }
  return sum.toString('hex');
}
