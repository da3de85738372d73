import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { git } from './git.js';
import { readMails } from './mbox.js';
import { patchIds } from './patch-id.js';
import {
  addTrailers,
  type CollectedTrailer,
  collectTrailers,
  missingTrailers,
  type Trailer,
  trailersForPatchId,
} from './trailers.js';
import { UsageError } from './usage-error.js';

interface LocalCommit {
  oid: string;
  subject: string;
  patchId: string | undefined;
}

/** The commits of `range`, oldest first, with their patch-ids. */
function localCommits(cwd: string, range: string): LocalCommit[] {
  const merges = git(['rev-list', '--merges', range], { cwd }).toString().trim();
  if (merges)
    throw new UsageError(`${range} contains merge commits; trailers needs a linear range`);
  const log = git(['log', '--reverse', '--format=%H %s', range], { cwd }).toString().trim();
  if (!log) return [];
  const ids = new Map(
    patchIds(git(['log', '--reverse', '-p', '--format=commit %H', range], { cwd })).map((p) => [
      p.commit,
      p.patchId,
    ]),
  );
  return log.split('\n').map((line) => {
    const oid = line.slice(0, 40);
    return { oid, subject: line.slice(41), patchId: ids.get(oid) };
  });
}

/** Rewrites the commits of `range` (which must end at HEAD) with new messages. */
function rewrite(
  cwd: string,
  range: string,
  commits: LocalCommit[],
  add: Map<string, Trailer[]>,
): number {
  const head = git(['rev-parse', 'HEAD'], { cwd }).toString().trim();
  const tip = commits[commits.length - 1]!.oid;
  if (head !== tip) throw new UsageError(`${range} does not end at HEAD; check out its tip first`);
  let parent = git(['rev-parse', `${commits[0]!.oid}^`], { cwd })
    .toString()
    .trim();
  let changed = 0;
  for (const c of commits) {
    const raw = git(['cat-file', 'commit', c.oid], { cwd }).toString('utf8');
    const split = raw.indexOf('\n\n');
    const headers = raw.slice(0, split).split('\n');
    const message = raw.slice(split + 2);
    const trailers = add.get(c.oid) ?? [];
    const next = trailers.length ? addTrailers(message, trailers) : message;
    const originalParent = headers.find((h) => h.startsWith('parent '))?.slice(7);
    if (next === message && originalParent === parent) {
      parent = c.oid;
      continue;
    }
    if (next !== message) changed++;
    const tree = headers.find((h) => h.startsWith('tree '))!.slice(5);
    const author = /^author (.*) <(.*)> (\d+ [+-]\d{4})$/.exec(
      headers.find((h) => h.startsWith('author ')) ?? '',
    );
    if (!author) throw new Error(`cannot read the author of ${c.oid}`);
    parent = git(['commit-tree', tree, '-p', parent], {
      cwd,
      input: next,
      env: {
        ...process.env,
        GIT_AUTHOR_NAME: author[1],
        GIT_AUTHOR_EMAIL: author[2],
        GIT_AUTHOR_DATE: author[3],
      },
    })
      .toString()
      .trim();
  }
  git(['update-ref', '-m', 'rfl-patch trailers -u', 'HEAD', parent, head], { cwd });
  return changed;
}

function describe(t: CollectedTrailer): string {
  return `${t.tag}: ${t.value}${t.fromCover ? ' (from the cover letter)' : ''}`;
}

/**
 * `rfl-patch trailers`: shows, or with `-u` writes into the commits of the current branch,
 * the trailers the thread's replies gave each patch. Exit 0, or 2 on usage errors.
 */
export function cmdTrailers(argv: string[]): number {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      update: { type: 'boolean', short: 'u' },
      'sloppy-trailers': { type: 'boolean' },
      range: { type: 'string' },
      json: { type: 'boolean' },
    },
  });
  if (positionals.length === 0)
    throw new UsageError('trailers needs the thread: an mbox, a directory or -');
  const mails = positionals.flatMap((p) => (p === '-' ? readMails(readFileSync(0)) : readMails(p)));
  const { patches, refused } = collectTrailers(mails, { sloppy: values['sloppy-trailers'] });
  const newest = Math.max(0, ...patches.map((p) => p.version));
  const count = patches.filter((p) => p.version === newest).length;
  const cwd = process.cwd();
  const range = values.range ?? `HEAD~${count}..HEAD`;
  const commits = localCommits(cwd, range);
  const add = new Map<string, CollectedTrailer[]>();
  for (const c of commits) {
    const found = c.patchId ? trailersForPatchId(patches, c.patchId) : [];
    if (!found.length) continue;
    const message = git(['log', '-1', '--format=%B', c.oid], { cwd }).toString('utf8');
    const missing = missingTrailers(message, found);
    if (missing.length) add.set(c.oid, missing);
  }
  for (const r of refused) {
    process.stderr.write(
      `rfl-patch: refusing "${r.tag}: ${r.value}" on "${r.subject}": ${r.reason} (use --sloppy-trailers to accept)\n`,
    );
  }
  if (values.json) {
    const json = {
      range,
      commits: commits.map((c) => ({
        oid: c.oid,
        subject: c.subject,
        patchId: c.patchId ?? null,
        trailers: (add.get(c.oid) ?? []).map((t) => ({
          tag: t.tag,
          value: t.value,
          sender: t.sender,
          messageId: t.messageId,
          fromCover: t.fromCover,
        })),
      })),
      refused: refused.map((r) => ({
        tag: r.tag,
        value: r.value,
        sender: r.sender,
        reason: r.reason,
      })),
    };
    process.stdout.write(`${JSON.stringify(json, null, 2)}\n`);
  } else {
    for (const c of commits) {
      const found = add.get(c.oid) ?? [];
      process.stdout.write(`${c.oid.slice(0, 12)} ${c.subject}\n`);
      for (const t of found) process.stdout.write(`    + ${describe(t)}\n`);
      if (!found.length) process.stdout.write('    (no new trailers)\n');
    }
  }
  if (values.update && add.size) {
    const changed = rewrite(cwd, range, commits, add);
    if (!values.json)
      process.stdout.write(`Updated ${changed} commit${changed === 1 ? '' : 's'}.\n`);
  }
  return 0;
}
