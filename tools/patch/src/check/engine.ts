import { checkCommitLine } from './commit-message.js';
import { checkPatchLine, checkPatchMeta } from './patch-lines.js';
import { trackProjectContext } from './project-rules.js';
import { finishSignoffs } from './signoff.js';
import type { CheckOptions, CheckResult, Finding, Level } from './types.js';

/** One line of the patch as the checks see it. */
export interface Line {
  /** 1-based line number in the patch. */
  nr: number;
  /** The line without its `\n` (a `\r` stays). */
  raw: string;
  /** Inside a hunk: the file and its new line number. */
  file: string | undefined;
  fileLine: number | undefined;
}

/**
 * The state of one pass over a patch, shared by the checks. The flags follow the
 * variables of checkpatch.pl's `process()` ($in_header_lines, $in_commit_log,
 * $realcnt, ...), so the same lines belong to the same part of the patch.
 */
export class CheckState {
  readonly findings: Finding[] = [];
  readonly maxLineLength: number;
  private readonly strict: boolean;
  private readonly only: Set<string> | undefined;
  private readonly ignore: Set<string>;
  inHeader = true;
  inCommitLog = false;
  hasCommitLog = false;
  isPatch = false;
  /** The nominal author: the `From:` header (or an in-body `From:`). */
  author: string | undefined;
  /** The From: value as written, for folded headers. */
  authorRaw = '';
  /** The name of the last header line, lowercased. */
  lastHeader = '';
  subject: string | undefined;
  /** checkpatch.pl's $commit_log_lines: non-blank lines while in the commit log. */
  commitLogLines = 0;
  signoffs = 0;
  /** Signature lines seen, without spaces and lowercased (Duplicate signature). */
  readonly signatureKeys = new Set<string>();
  /** checkpatch.pl's $authorsignoff: 0 none, 1 identical, 2..5 kinds of mismatch. */
  authorSignoff = 0;
  authorSob = '';
  /** From the start of the commit log to the `---` line or the first diff header. */
  inMessage = false;
  /** Once-per-patch flags, as checkpatch's $commit_log_long_line, $emitted_corrupt... */
  readonly once = new Set<string>();
  realfile = '';
  realcnt = 0;
  realline = 0;
  /** The new-file line that must carry the SPDX tag, 0 when none is expected. */
  licenseLine = 0;
  lines = 0;
  /** See {@link CheckOptions.commitInfo}. */
  readonly commitInfo: CheckOptions['commitInfo'];
  /** The project rules' view of the current hunk (see project-rules.ts). */
  readonly hunk = {
    file: '',
    /** Lines followed in this file, and the number of the last with a `// SAFETY:` comment. */
    count: 0,
    safety: Number.NEGATIVE_INFINITY,
    doc: '',
    docOpen: false,
    docDone: false,
  };

  constructor(opts: CheckOptions) {
    this.maxLineLength = opts.maxLineLength ?? 100;
    this.commitInfo = opts.commitInfo;
    this.strict = opts.strict ?? false;
    this.only = opts.types?.length ? new Set(opts.types.map((t) => t.toUpperCase())) : undefined;
    this.ignore = new Set((opts.ignore ?? []).map((t) => t.toUpperCase()));
  }

  /** checkpatch.pl's show_type(): --types wins over --ignore. */
  shown(type: string): boolean {
    if (this.only) return this.only.has(type);
    return !this.ignore.has(type);
  }

  report(
    level: Level,
    type: string,
    message: string,
    line: Line,
    how: 'line' | 'vet' | 'none' | 'file' = 'line',
  ): void {
    if (level === 'CHECK' && !this.strict) return;
    if (!this.shown(type)) return;
    const f: Finding = { level, type, message, line: line.nr };
    if (how === 'file') {
      f.file = line.file ?? this.realfile;
      f.fileOnly = true;
    } else if (how !== 'none') {
      if (line.file !== undefined) {
        f.file = line.file;
        f.fileLine = line.fileLine;
      }
      f.source = how === 'vet' ? catVet(line.raw) : line.raw;
    }
    this.findings.push(f);
  }
}

/** checkpatch.pl's cat_vet(): control characters as `^X`, a `$` at the end. */
export function catVet(s: string): string {
  let out = '';
  for (const ch of s) {
    const c = ch.charCodeAt(0);
    out += c < 32 || c === 127 ? `^${String.fromCharCode((c + 64) & 127)}` : ch;
  }
  return `${out}$`;
}

const HUNK = /^@@ -\d+(?:,\d+)? \+(\d+)(?:,(\d+))? @@/;

/**
 * Check one patch (a mail from `git format-patch`, or a bare diff) the way
 * scripts/checkpatch.pl does, with its type names, levels and messages.
 *
 * @example
 * ```ts
 * import { checkPatch } from '@rfl/patch'
 * const r = checkPatch('diff --git a/a.ts b/a.ts\n--- a/a.ts\n+++ b/a.ts\n@@ -1 +1 @@\n-x\n+y \n')
 * r.findings.map((f) => f.type) // => ['TRAILING_WHITESPACE']
 * r.lines // => 2
 * ```
 */
export function checkPatch(input: string | Buffer, opts: CheckOptions = {}): CheckResult {
  const text = typeof input === 'string' ? input : input.toString('utf8');
  const raws = text.split('\n');
  if (raws.length && raws[raws.length - 1] === '') raws.pop();
  return checkLines(raws, 0, raws.length, opts);
}

/**
 * {@link checkPatch} over `lines[start..end)`, the lines of one patch without their `\n`:
 * a mailbox is split into lines once and each mail checked in place. Finding lines are
 * counted from `start` (line 1 is `lines[start]`).
 */
export function checkLines(
  lines: readonly string[],
  start: number,
  end: number,
  opts: CheckOptions,
): CheckResult {
  const count = end - start;
  const st = new CheckState(opts);
  for (let i = 0; i < count; i++) {
    const raw = lines[start + i]!;
    const c0 = raw.charCodeAt(0);
    // Half the lines of a series are context and removed lines inside a hunk, which no
    // rule looks at unless they start a new file's SPDX check or a TypeScript file's
    // project rules follow them: counted here, they do what the full path below would.
    if (
      st.realcnt !== 0 &&
      (c0 === 0x2d ||
        (c0 === 0x20 && (st.licenseLine === 0 || st.realline + 1 !== st.licenseLine))) &&
      !st.inHeader &&
      !st.inMessage &&
      !st.inCommitLog &&
      (st.commitLogLines >= 2 || !st.hasCommitLog || st.once.has('COMMIT_MESSAGE'))
    ) {
      if (c0 === 0x20) {
        st.realline++;
        st.realcnt--;
      } else if (st.realcnt === 1) st.realcnt--;
      if (st.realcnt !== 0) {
        st.lines++;
        if (c0 === 0x20) trackProjectContext(st, st.realfile, raw);
      }
      continue;
    }
    const line: Line = { nr: i + 1, raw, file: undefined, fileLine: undefined };
    const m = raw.startsWith('@@') ? HUNK.exec(raw) : null;
    if (!st.inCommitLog && m) {
      // checkpatch: "$realcnt = $3 + 1", and the @@ line itself is skipped (`next`).
      st.isPatch = true;
      st.realline = Number(m[1]) - 1;
      st.realcnt = (m[2] === undefined ? 1 : Number(m[2])) + 1;
      continue;
    }
    if (st.realcnt && (c0 === 0x2b || c0 === 0x20 || raw === '')) {
      st.realline++;
      st.realcnt--;
    } else if (st.realcnt === 1) {
      st.realcnt--;
    }
    // checkpatch.pl takes the file name from a diff header before it looks for
    // the start of the commit log, so a bare diff has no commit log at all.
    const d = raw.startsWith('diff --git')
      ? /^diff --git.*?(\S+)$/.exec(raw)
      : st.realcnt || !raw.startsWith('+++')
        ? null
        : /^\+\+\+\s+(\S+)/.exec(raw);
    if (d) {
      st.realfile = d[1]!.replace(/^[^/]*\//, '');
      st.inCommitLog = false;
      st.inMessage = false;
      st.inHeader = false;
    }
    // COMMIT_MESSAGE, as checkpatch.pl counts: the non-blank lines of the log,
    // the first Signed-off-by: included (it ends the log); fewer than 2 when the
    // log is over is a missing description, reported on that line, once.
    if (st.inCommitLog) {
      if (raw.trim() !== '') st.commitLogLines++;
    } else if (st.hasCommitLog && st.commitLogLines < 2 && !st.once.has('COMMIT_MESSAGE')) {
      st.once.add('COMMIT_MESSAGE');
      st.report(
        'WARNING',
        'COMMIT_MESSAGE',
        'Missing commit description - Add an appropriate one',
        line,
        'none',
      );
    }
    // The start of the commit log: the first line that is not a header line.
    if (
      st.inHeader &&
      st.realfile === '' &&
      !/^\s+(?:\S|$)/.test(raw) &&
      !/^(?:commit\b|from\b|[\w-]+:)/i.test(raw)
    ) {
      st.inHeader = false;
      st.inCommitLog = true;
      st.hasCommitLog = true;
      st.inMessage = true;
    }
    if (raw === '---') {
      st.inCommitLog = false;
      st.inMessage = false;
    }
    if (st.realcnt) {
      line.file = st.realfile;
      line.fileLine = st.realline;
      st.lines++;
    }
    if (st.inHeader || st.inMessage) checkCommitLine(st, line);
    else if (st.realcnt) checkPatchLine(st, line);
    else checkPatchMeta(st, line);
  }
  const last: Line = { nr: count, raw: '', file: undefined, fileLine: undefined };
  if (!st.isPatch && !opts.coverLetter) {
    st.report(
      'ERROR',
      'NOT_UNIFIED_DIFF',
      'Does not appear to be a unified-diff format patch',
      last,
      'none',
    );
  }
  if (st.isPatch && st.hasCommitLog) finishSignoffs(st, last);
  const levels = (l: Level) => st.findings.filter((f) => f.level === l).length;
  return {
    findings: st.findings,
    errors: levels('ERROR'),
    warnings: levels('WARNING'),
    checks: levels('CHECK'),
    lines: st.lines,
  };
}
