import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { checkPatch } from './check/engine.js';
import type { CheckOptions } from './check/types.js';
import { git } from './git.js';
import { mailinfo } from './mailinfo.js';
import { patchIds } from './patch-id.js';
import { parseSubject } from './series.js';
import { collectTrailers } from './trailers.js';

/** The states patchwork gives a series, as far as the archive can tell them. */
export type SeriesState = 'New' | 'Under Review' | 'Changes Requested' | 'Accepted' | 'Superseded';

/** One version of one series in the `patches/` archive. */
export interface ArchivedSeries {
  changeId: string;
  version: number;
  /** The folder holding the `.patch` files. */
  dir: string;
  /** The series' title: the cover letter's subject, else the first patch's. */
  title: string;
  author: string;
  /** What identifies the series across change-ids: its first patch's title and author. */
  key: string;
  patches: number;
  state: SeriesState;
  /** `rfl-patch check` totals over the patches. */
  check: { errors: number; warnings: number };
  /** Reply mails in `replies/`. */
  replies: number;
  /** Follow-up trailers the replies gave, counted per patch. */
  trailers: number;
  /** Patches of the series that carry a Reviewed-by, Acked-by or Tested-by. */
  reviewed: number;
}

function isDir(p: string): boolean {
  return existsSync(p) && statSync(p).isDirectory();
}

function mailsIn(dir: string, ext: RegExp): Buffer[] {
  if (!isDir(dir)) return [];
  return readdirSync(dir)
    .filter((n) => ext.test(n))
    .sort()
    .map((n) => readFileSync(join(dir, n)));
}

/** Whether a reply asks for changes: a robot report of a failure, or a review without tags. */
function requestsChanges(mail: Buffer): boolean {
  const info = mailinfo(mail, { noInbodyHeaders: true });
  const text = info.log.toString('utf8');
  if (/^\[auto [^\]]*(ERROR|FAILURE|WARNING)/m.test(text)) return true;
  if (/^(apply|build|tests): FAILED/m.test(text)) return true;
  if (/^(ERROR|WARNING):[A-Z_]+:/m.test(text)) return true;
  const own = text
    .split('\n')
    .filter((l) => !l.startsWith('>'))
    .join('\n');
  const tagged = /^(Reviewed-by|Acked-by|Tested-by):/m.test(own);
  const commented = /\S/.test(own.replace(/^On .* wrote:$/m, ''));
  return commented && !tagged;
}

/**
 * Reads `patches/<change-id>/v<N>/` folders and works out each series' state: a version
 * with a newer one of the same change-id (or the same title and author) is Superseded;
 * one whose patches are all in `rev`'s history (by patch-id) is Accepted; one with a reply
 * that reports a failure or comments without a tag is Changes Requested; one with replies
 * is Under Review; the rest are New.
 */
export function listSeries(
  root: string,
  cwd: string,
  rev = 'HEAD',
  checkOptions: CheckOptions = {},
): ArchivedSeries[] {
  const out: ArchivedSeries[] = [];
  if (!isDir(root)) return out;
  let applied: Set<string> | undefined;
  const appliedIds = (): Set<string> => {
    if (!applied) {
      let log: Buffer = Buffer.alloc(0);
      try {
        log = git(['log', '-p', '--no-merges', '--format=commit %H', rev], { cwd });
      } catch {
        // Not a repository, or no commits: nothing is applied.
      }
      applied = new Set(patchIds(log).map((p) => p.patchId));
    }
    return applied;
  };
  for (const changeId of readdirSync(root).sort()) {
    const dir = join(root, changeId);
    if (!isDir(dir)) continue;
    for (const v of readdirSync(dir)) {
      const m = /^v(\d+)$/.exec(v);
      if (!m || !isDir(join(dir, v))) continue;
      const seriesDir = join(dir, v);
      const mails = mailsIn(seriesDir, /\.patch$/);
      if (mails.length === 0) continue;
      const infos = mails.map((mail) => ({ mail, info: mailinfo(mail) }));
      const cover = infos.find((x) => parseSubject(x.info.rawSubject).counter === 0);
      const patchMails = infos.filter((x) => x !== cover);
      const firstPatch = patchMails[0] ?? cover!;
      const coverTitle = cover ? parseSubject(cover.info.rawSubject).title : '';
      const first =
        coverTitle && !/\*\*\* SUBJECT HERE \*\*\*/.test(coverTitle) ? cover! : firstPatch;
      const check = { errors: 0, warnings: 0 };
      for (const { mail } of patchMails) {
        const r = checkPatch(mail, checkOptions);
        check.errors += r.errors;
        check.warnings += r.warnings;
      }
      const replies = mailsIn(join(seriesDir, 'replies'), /\.(eml|mbox|txt)$/);
      const { patches } = collectTrailers([...mails, ...replies]);
      const ids = patchMails.flatMap((x) => patchIds(x.info.patch).map((p) => p.patchId));
      let state: SeriesState = 'New';
      if (ids.length > 0 && ids.every((id) => appliedIds().has(id))) state = 'Accepted';
      else if (replies.some(requestsChanges)) state = 'Changes Requested';
      else if (replies.length > 0) state = 'Under Review';
      out.push({
        changeId,
        version: Number(m[1]),
        dir: seriesDir,
        title: parseSubject(first.info.rawSubject).title,
        author: `${firstPatch.info.name} <${firstPatch.info.email}>`,
        key: `${parseSubject(firstPatch.info.rawSubject).title}\0${firstPatch.info.email}`,
        patches: patchMails.length,
        state,
        check,
        replies: replies.length,
        trailers: patches.reduce((n, p) => n + p.trailers.length, 0),
        reviewed: patches.filter((p) =>
          p.trailers.some((t) => /^(Reviewed|Acked|Tested)-by$/.test(t.tag)),
        ).length,
      });
    }
  }
  // A newer version supersedes the older ones: same change-id, or same title and author.
  for (const s of out) {
    if (s.state === 'Accepted') continue;
    const newer = out.some(
      (o) => o !== s && o.version > s.version && (o.changeId === s.changeId || o.key === s.key),
    );
    if (newer) s.state = 'Superseded';
  }
  return out.sort((a, b) => a.changeId.localeCompare(b.changeId) || a.version - b.version);
}
