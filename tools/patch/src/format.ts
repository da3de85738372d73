import { createHash } from 'node:crypto';
import { fromHeader, subjectHeader } from './email-headers.js';
import { git } from './git.js';
import { formatMailDate, splitIdent } from './ident.js';
import { internalPatchId } from './patch-id.js';
import { wrapText } from './wrap.js';

/** Options of `rfl-patch format`, named after the `git format-patch` flags. */
export interface FormatOptions {
  /** `-v N`: reroll count, `[PATCH vN ...]` and `vN-` file names. */
  version?: number;
  coverLetter?: boolean;
  /** `--base`: a revision, or `auto` for the merge base with the upstream branch. */
  base?: string;
  rfc?: boolean;
  subjectPrefix?: string;
  thread?: 'shallow' | 'deep';
  /**
   * `--change-id`: a b4-style series id (`20261121-gpio-fix-3f2a1b9c0d1e`) written to the
   * first message's footer; `auto` derives one from the first commit.
   */
  changeId?: string;
  /** The text after `-- `; git's version by default, as git writes it. */
  signature?: string;
  /** Seconds used in Message-Ids (git uses the current time). */
  messageIdTime?: number;
}

/** One message of a series: the file name `git format-patch -o` would use and its bytes. */
export interface FormattedMail {
  fileName: string;
  commit: string;
  content: Buffer;
}

interface CommitInfo {
  oid: string;
  author: { name: string; email: string; date: string };
  subject: string;
  body: string;
  /** Whether the raw commit (headers included) has a byte above 0x7f. */
  rawNonAscii: boolean;
}

function parseCommit(oid: string, raw: Buffer): CommitInfo {
  const text = raw.toString('utf8');
  const split = text.indexOf('\n\n');
  const headers = text.slice(0, split < 0 ? text.length : split);
  const message = split < 0 ? '' : text.slice(split + 2);
  const authorLine = headers.split('\n').find((l) => l.startsWith('author ')) ?? 'author ';
  const lines = message.split('\n');
  const subjectLines: string[] = [];
  let i = 0;
  for (; i < lines.length; i++) {
    const l = lines[i]!.replace(/\s+$/, '');
    if (l === '') break;
    subjectLines.push(l);
  }
  while (i < lines.length && lines[i]!.trim() === '') i++;
  const rest = lines.slice(i);
  if (rest.length && rest[rest.length - 1] === '') rest.pop();
  return {
    oid,
    author: splitIdent(authorLine.slice(7)),
    subject: subjectLines.join(' '),
    body: rest.length ? `${rest.join('\n')}\n` : '',
    rawNonAscii: raw.some((b) => b >= 0x80),
  };
}

/** Splits `git cat-file --batch` output into the objects' contents, in order. */
function readObjects(out: Buffer): Buffer[] {
  const objects: Buffer[] = [];
  let pos = 0;
  while (pos < out.length) {
    const nl = out.indexOf(0x0a, pos);
    const size = Number(out.toString('latin1', pos, nl).split(' ')[2]);
    objects.push(out.subarray(nl + 1, nl + 1 + size));
    pos = nl + 1 + size + 1;
  }
  return objects;
}

/** `format_sanitized_subject`: the `%f` of a subject, as used in patch file names. */
export function sanitizeSubject(subject: string): string {
  let out = '';
  let space = false;
  for (let i = 0; i < subject.length; i++) {
    const c = subject[i]!;
    if (/[A-Za-z0-9._]/.test(c)) {
      if (space && out) out += '-';
      space = false;
      out += c;
      if (c === '.') while (subject[i + 1] === '.') i++;
    } else space = true;
  }
  return out.replace(/[.-]+$/, '');
}

function fileName(nr: number, subject: string, version: number | undefined): string {
  const prefix = version ? `v${version}-` : '';
  const name = `${prefix}${String(nr).padStart(4, '0')}-${subject}`;
  return `${name.slice(0, prefix.length + 64 - 7 > 0 ? 64 - 7 + prefix.length : name.length)}.patch`;
}

const MIME_8BIT =
  'MIME-Version: 1.0\nContent-Type: text/plain; charset=UTF-8\nContent-Transfer-Encoding: 8bit\n';

function hasNonAscii(s: string): boolean {
  return /[\u0080-\uffff]/.test(s);
}

/** Splits `git diff-tree --stdin` output into one diff per commit. */
function splitDiffs(out: Buffer, oids: string[]): Map<string, Buffer> {
  const diffs = new Map<string, Buffer>();
  const want = new Set(oids);
  let current: string | undefined;
  let start = 0;
  let pos = 0;
  while (pos < out.length) {
    const nl = out.indexOf(0x0a, pos);
    const end = nl < 0 ? out.length : nl + 1;
    if (end - pos === 41) {
      const line = out.toString('latin1', pos, pos + 40);
      if (want.has(line)) {
        if (current) diffs.set(current, out.subarray(start, pos));
        current = line;
        start = end;
      }
    }
    pos = end;
  }
  if (current) diffs.set(current, out.subarray(start));
  return diffs;
}

function shortlog(commits: CommitInfo[]): string {
  const byAuthor = new Map<string, string[]>();
  for (const c of commits) {
    const list = byAuthor.get(c.author.name) ?? [];
    list.push(c.subject);
    byAuthor.set(c.author.name, list);
  }
  let out = '';
  for (const name of [...byAuthor.keys()].sort()) {
    const subjects = byAuthor.get(name)!;
    out += `${name} (${subjects.length}):\n`;
    for (const s of subjects) out += `${wrapText(s, 2, 4, 72)}\n`;
    out += '\n';
  }
  return out;
}

/**
 * Writes the mails `git format-patch` writes for `range`. Headers, numbering, file
 * names, cover letter, threading and base footers are produced here; the diff bodies
 * (diffstat, summary and patch with `--binary -M`) come from one `git diff-tree --stdin`
 * process, which is git's own diff engine and therefore byte-identical.
 */
export async function formatSeries(
  cwd: string,
  range: string,
  opts: FormatOptions = {},
): Promise<FormattedMail[]> {
  const spec = range.includes('..') ? range : `${range}..HEAD`;
  const run = (args: string[], input?: string): Buffer =>
    git(args, input === undefined ? { cwd } : { cwd, input });
  const oids = run(['rev-list', '--reverse', '--no-merges', spec])
    .toString()
    .split('\n')
    .filter(Boolean);
  if (oids.length === 0) return [];
  const raw = readObjects(run(['cat-file', '--batch'], `${oids.join('\n')}\n`));
  const commits = oids.map((oid, i) => parseCommit(oid, raw[i]!));
  const diffs = splitDiffs(
    run(
      [
        'diff-tree',
        '--stdin',
        '--root',
        '-p',
        '--stat=72',
        '--summary',
        '-M',
        '--binary',
        '--no-color',
      ],
      `${oids.join('\n')}\n`,
    ),
    oids,
  );
  const signature =
    opts.signature ??
    run(['version'])
      .toString()
      .trim()
      .replace(/^git version /, '');
  const committer = splitIdent(run(['var', 'GIT_COMMITTER_IDENT']).toString().trim());
  const total = commits.length;
  const numbered = total > 1 || !!opts.coverLetter;
  const width = String(total).length;
  const basePrefix = `${opts.rfc ? 'RFC ' : ''}${opts.subjectPrefix ?? 'PATCH'}${opts.version ? ` v${opts.version}` : ''}`;
  const tag = (n: number): string =>
    numbered ? `[${basePrefix} ${String(n).padStart(width, '0')}/${total}] ` : `[${basePrefix}] `;

  let footer = '';
  if (opts.base) {
    const base = await resolveBase(cwd, opts.base, commits[0]!.oid);
    footer = `\nbase-commit: ${base}\n`;
    const first = `${commits[0]!.oid}^`;
    const prereq = run(['rev-list', '--reverse', `${base}..${first}`])
      .toString()
      .split('\n')
      .filter(Boolean);
    for (const oid of prereq) {
      const diff = run(['diff-tree', '-p', '-M', '--full-index', '--no-color', oid]);
      footer += `prerequisite-patch-id: ${internalPatchId(diff)}\n`;
    }
  }
  if (opts.changeId) {
    const id = opts.changeId === 'auto' ? autoChangeId(commits[0]!) : opts.changeId;
    footer += `${footer ? '' : '\n'}change-id: ${id}\n`;
  }

  const time = opts.messageIdTime ?? Math.floor(Date.now() / 1000);
  const msgId = (id: string): string => `<${id}.${time}.git.${committer.email}>`;
  const ids: string[] = [];
  const threading = (): string => {
    if (!opts.thread) return '';
    const me = ids[ids.length - 1]!;
    let h = `Message-Id: ${me}\n`;
    const prior = ids.slice(0, -1);
    if (prior.length === 0) return h;
    const parent = opts.thread === 'deep' ? prior[prior.length - 1]! : prior[0]!;
    const refs = opts.thread === 'deep' ? prior : [prior[0]!];
    h += `In-Reply-To: ${parent}\nReferences: ${refs.join('\n\t')}\n`;
    return h;
  };

  const mails: FormattedMail[] = [];
  if (opts.coverLetter) {
    ids.push(msgId('cover'));
    const last = commits[total - 1]!;
    const stat = run([
      'diff-tree',
      '--stat=72',
      '--summary',
      '-M',
      '--no-color',
      `${commits[0]!.oid}^`,
      last.oid,
    ]);
    const head =
      `From ${last.oid} Mon Sep 17 00:00:00 2001\n${threading()}` +
      fromHeader(committer.name, committer.email) +
      `Date: ${formatMailDate(committer.date)}\n${subjectHeader(tag(0), '*** SUBJECT HERE ***')}` +
      `${commits.some((c) => c.rawNonAscii) ? MIME_8BIT : ''}\n`;
    const body = `*** BLURB HERE ***\n\n${shortlog(commits)}`;
    mails.push({
      fileName: `${opts.version ? `v${opts.version}-` : ''}0000-cover-letter.patch`,
      commit: last.oid,
      content: Buffer.concat([
        Buffer.from(head + body),
        stat,
        Buffer.from(`\n${footer}-- \n${signature}\n\n`),
      ]),
    });
    footer = '';
  }
  commits.forEach((c, k) => {
    ids.push(msgId(c.oid));
    const mime = hasNonAscii(c.subject) || hasNonAscii(c.body);
    const head =
      `From ${c.oid} Mon Sep 17 00:00:00 2001\n${threading()}` +
      fromHeader(c.author.name, c.author.email) +
      `Date: ${formatMailDate(c.author.date)}\n${subjectHeader(tag(k + 1), c.subject)}` +
      (mime ? MIME_8BIT : '') +
      `\n${c.body}---\n`;
    mails.push({
      fileName: fileName(k + 1, sanitizeSubject(c.subject), opts.version),
      commit: c.oid,
      content: Buffer.concat([
        Buffer.from(head, 'utf8'),
        diffs.get(c.oid) ?? Buffer.alloc(0),
        Buffer.from(`${footer}-- \n${signature}\n\n`),
      ]),
    });
    footer = '';
  });
  return mails;
}

/**
 * A b4-style change id for a series: the first commit's author date (UTC, `YYYYMMDD`), a
 * slug of its subject, and 12 hex digits of a hash of its id, so the id is stable for the
 * same first commit.
 */
export function autoChangeId(first: {
  oid: string;
  subject: string;
  author: { date: string };
}): string {
  const day = new Date(Number(first.author.date.split(' ')[0]) * 1000)
    .toISOString()
    .slice(0, 10)
    .replace(/-/g, '');
  const slug = sanitizeSubject(first.subject)
    .toLowerCase()
    .replace(/[._]/g, '-')
    .slice(0, 32)
    .replace(/-+$/, '');
  const hex = createHash('sha1').update(first.oid).digest('hex').slice(0, 12);
  return `${day}-${slug}-${hex}`;
}

async function resolveBase(cwd: string, base: string, first: string): Promise<string> {
  if (base !== 'auto')
    return git(['rev-parse', '--verify', `${base}^{commit}`], { cwd })
      .toString()
      .trim();
  const upstream = git(['rev-parse', '--verify', '@{upstream}'], { cwd }).toString().trim();
  return git(['merge-base', upstream, first], { cwd }).toString().trim();
}

/** Concatenates mails as `git format-patch --stdout` prints them. */
export function joinStdout(mails: FormattedMail[], coverLetter: boolean): Buffer {
  const parts: Buffer[] = [];
  mails.forEach((m, i) => {
    if (i > (coverLetter ? 1 : 0)) parts.push(Buffer.from('\n'));
    parts.push(m.content);
  });
  return Buffer.concat(parts);
}
