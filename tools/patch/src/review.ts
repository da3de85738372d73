import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { am } from './am.js';
import { checkPatch } from './check/engine.js';
import { formatFinding } from './check/output.js';
import type { CheckOptions, CheckResult, Finding } from './check/types.js';
import { git } from './git.js';
import { formatMailDate } from './ident.js';
import { mailinfo } from './mailinfo.js';
import { findSeries, parseSubject, type ThreadedMessage } from './series.js';

/** A command the review runs in the worktree; `{prev}` is replaced by the previous commit. */
export type ReviewCommand = string[];

/** Options of {@link reviewSeries}. */
export interface ReviewOptions {
  /** The commit to apply the series on; by default the series' `base-commit:`, else HEAD. */
  base?: string;
  /** Run once in the fresh worktree before the first patch (dependency install). */
  setup?: ReviewCommand | null;
  /** The project's build, after every patch; null to skip. */
  build?: ReviewCommand | null;
  /** The tests affected by the patch, after every patch; null to skip. */
  test?: ReviewCommand | null;
  /** Who signs the replies. */
  reviewer: { name: string; email: string };
  /** Options for the checks (the CLI takes them from `.checkpatch.conf`). */
  check?: CheckOptions;
  /** Seconds since the epoch for the replies' Date headers (now by default). */
  time?: number;
  /** Told what the review is doing, one line at a time. */
  progress?: (line: string) => void;
}

/** The outcome of a command the review ran. */
export interface StepResult {
  ok: boolean;
  command: string;
  /** The end of its output (at most 60 lines), for the report. */
  output: string;
}

/** What the review found for one patch. */
export interface PatchReview {
  /** 1-based position in the series. */
  index: number;
  subject: string;
  messageId: string;
  applied: boolean;
  applyError?: string;
  check?: CheckResult;
  build?: StepResult;
  test?: StepResult;
  /** The reply mail, list style. */
  reply: Buffer;
}

/** The result of a review: one reply per patch and the report on the cover letter. */
export interface SeriesReview {
  base: string;
  patches: PatchReview[];
  /** The reply to the cover letter (or to the first patch when there is none). */
  report: Buffer;
  /** True when every patch applied, checked clean, built and passed its tests. */
  ok: boolean;
}

interface ParsedMail extends ThreadedMessage {
  raw: Buffer;
  name: string;
  email: string;
  subject: string;
  date: string;
}

/** A Message-ID without its angle brackets. */
function bare(id: string): string {
  return id.trim().replace(/^<(.*)>$/, '$1');
}

function parseMail(raw: Buffer): ParsedMail {
  const info = mailinfo(raw);
  return {
    raw,
    messageId: bare(info.messageId),
    inReplyTo: bare(info.inReplyTo),
    references: info.references.map(bare),
    rawSubject: info.rawSubject,
    name: info.name,
    email: info.email,
    subject: info.subject,
    date: info.date,
  };
}

function runStep(cwd: string, command: ReviewCommand, prev: string): StepResult {
  const argv = command.map((a) => a.replaceAll('{prev}', prev));
  const r = spawnSync(argv[0]!, argv.slice(1), {
    cwd,
    encoding: 'utf8',
    env: { ...process.env, CI: 'true', NO_COLOR: '1', FORCE_COLOR: '0' },
    maxBuffer: 1 << 28,
  });
  const text = `${r.stdout ?? ''}${r.stderr ?? ''}${r.error ? `${r.error.message}\n` : ''}`;
  const lines = text.replace(/\n+$/, '').split('\n');
  return {
    ok: r.status === 0,
    command: argv.join(' '),
    output: lines.slice(-60).join('\n'),
  };
}

/**
 * The patch quoted the way a reviewer answers on a list: the message in full, each hunk
 * with a finding in full with the findings under the lines they are about, hunks without
 * findings cut to `[...]`, whole-patch findings at the end.
 */
function quoteWithFindings(mailText: string, findings: Finding[]): string[] {
  const lines = mailText.replace(/\n$/, '').split('\n');
  const bodyStart = lines.indexOf('') + 1;
  const at = new Map<number, Finding[]>();
  const general: Finding[] = [];
  for (const f of findings) {
    if (f.line >= 1 && f.line <= lines.length) {
      const list = at.get(f.line - 1) ?? [];
      list.push(f);
      at.set(f.line - 1, list);
    } else {
      general.push(f);
    }
  }
  // Hunks: from an @@ line to the next @@ / diff line.
  const keep = new Array<boolean>(lines.length).fill(true);
  let sigAt = lines.length;
  for (let i = lines.length - 1; i >= bodyStart; i--) {
    if (lines[i] === '-- ') {
      sigAt = i;
      break;
    }
  }
  for (let i = bodyStart; i < sigAt; i++) {
    if (!lines[i]!.startsWith('@@ ')) continue;
    let end = i + 1;
    while (end < sigAt && !lines[end]!.startsWith('@@ ') && !lines[end]!.startsWith('diff --git '))
      end++;
    let flagged = false;
    for (let k = i; k < end; k++) if (at.has(k)) flagged = true;
    if (!flagged) for (let k = i; k < end; k++) keep[k] = false;
    i = end - 1;
  }
  const out: string[] = [];
  let cut = false;
  for (let i = bodyStart; i < sigAt; i++) {
    if (!keep[i]) {
      if (!cut) out.push('[...]');
      cut = true;
      continue;
    }
    cut = false;
    out.push(lines[i] === '' ? '>' : `> ${lines[i]}`);
    const here = at.get(i);
    if (here) {
      out.push('');
      for (const f of here) out.push(`${f.level}:${f.type}: ${f.message}`);
      out.push('');
    }
  }
  for (const f of general)
    out.push(
      '',
      formatFinding(f, { showTypes: true, filename: '-', vname: 'Your patch' }).trimEnd(),
    );
  return out;
}

function messageId(seed: string, reviewer: { email: string }): string {
  const host = reviewer.email.split('@')[1] || 'localhost';
  return `rfl-review-${createHash('sha1').update(seed).digest('hex').slice(0, 16)}@${host}`;
}

function replyHeaders(
  to: ParsedMail,
  reviewer: { name: string; email: string },
  time: number,
  references: string[],
): string[] {
  const subject = /^re:/i.test(to.rawSubject) ? to.rawSubject : `Re: ${to.rawSubject}`;
  return [
    `From: ${reviewer.name} <${reviewer.email}>`,
    `To: ${to.name} <${to.email}>`,
    `Subject: ${subject}`,
    `Date: ${formatMailDate(`${time} +0000`)}`,
    `Message-ID: <${messageId(`${to.messageId}\0${reviewer.email}`, reviewer)}>`,
    `In-Reply-To: <${to.messageId}>`,
    `References: ${[...references, to.messageId].map((r) => `<${r}>`).join(' ')}`,
    'MIME-Version: 1.0',
    'Content-Type: text/plain; charset=UTF-8',
    'Content-Transfer-Encoding: 8bit',
    '',
  ];
}

function stepLine(name: string, step: StepResult | undefined): string {
  if (!step) return `${name}: skipped`;
  return `${name}: ${step.ok ? 'passed' : 'FAILED'} (${step.command})`;
}

/** The series' `base-commit:` line, if a mail has one. */
function baseCommitOf(mails: ParsedMail[]): string | undefined {
  for (const m of mails) {
    const hit = /^base-commit: ([0-9a-f]{40})$/m.exec(m.raw.toString('utf8'));
    if (hit) return hit[1];
  }
  return undefined;
}

/**
 * Reviews a series the way a maintainer's bot does: applies it patch by patch in a
 * temporary worktree on `base`, runs `check`, the build and the affected tests after
 * every patch (a series must be bisectable), and writes a list-style reply per patch plus
 * a report on the cover letter. The caller's work tree is never touched.
 */
export async function reviewSeries(
  cwd: string,
  mails: Buffer[],
  opts: ReviewOptions,
): Promise<SeriesReview> {
  const parsed = mails.map(parseMail);
  const series = findSeries(parsed).sort((a, b) => b.version - a.version)[0];
  if (!series || series.patches.length === 0) throw new Error('no patch series in the input');
  const time = opts.time ?? Math.floor(Date.now() / 1000);
  const progress = opts.progress ?? (() => {});
  const base = git(
    ['rev-parse', '--verify', `${opts.base ?? baseCommitOf(parsed) ?? 'HEAD'}^{commit}`],
    {
      cwd,
    },
  )
    .toString()
    .trim();
  const root = series.cover ?? series.patches[0]!;
  const rootRefs = [...root.references];
  const worktree = join(mkdtempSync(join(tmpdir(), 'rfl-review-')), 'tree');
  git(['worktree', 'add', '--detach', '-q', worktree, base], { cwd });
  const reviews: PatchReview[] = [];
  let setup: StepResult | undefined;
  try {
    if (opts.setup) {
      progress(`setting up the worktree: ${opts.setup.join(' ')}`);
      setup = runStep(worktree, opts.setup, base);
    }
    let prev = base;
    let stopped = false;
    const n = series.patches.length;
    for (const [k, mail] of series.patches.entries()) {
      const index = parseSubject(mail.rawSubject).counter ?? k + 1;
      const review: PatchReview = {
        index,
        subject: mail.subject,
        messageId: mail.messageId,
        applied: false,
        reply: Buffer.alloc(0),
      };
      reviews.push(review);
      if (stopped) {
        review.applyError = 'not tried: an earlier patch failed to apply';
        continue;
      }
      progress(`[${k + 1}/${n}] ${mail.subject}: applying`);
      const result = await am(worktree, [mail.raw]);
      if (result.stopped) {
        review.applyError = result.stopped.reason;
        stopped = true;
      } else {
        review.applied = true;
        progress(`[${k + 1}/${n}] ${mail.subject}: checking`);
        review.check = checkPatch(mail.raw.toString('utf8'), opts.check);
        if (setup && !setup.ok) {
          review.build = setup;
        } else {
          if (opts.build) {
            progress(`[${k + 1}/${n}] ${mail.subject}: building`);
            review.build = runStep(worktree, opts.build, prev);
          }
          if (opts.test && review.build?.ok !== false) {
            progress(`[${k + 1}/${n}] ${mail.subject}: testing`);
            review.test = runStep(worktree, opts.test, prev);
          }
        }
        prev = git(['rev-parse', 'HEAD'], { cwd: worktree }).toString().trim();
      }
      review.reply = patchReply(mail, review, opts.reviewer, time, rootRefs, series.cover);
    }
  } finally {
    spawnSync('git', ['am', '--abort'], { cwd: worktree });
    git(['worktree', 'remove', '--force', worktree], { cwd });
    if (existsSync(worktree)) rmSync(worktree, { recursive: true, force: true });
  }
  const ok = reviews.every(
    (r) =>
      r.applied &&
      r.check !== undefined &&
      r.check.errors + r.check.warnings === 0 &&
      r.build?.ok !== false &&
      r.test?.ok !== false,
  );
  const report = coverReport(root, reviews, base, cwd, opts.reviewer, time, ok, setup);
  return { base, patches: reviews, report, ok };
}

function patchReply(
  mail: ParsedMail,
  review: PatchReview,
  reviewer: { name: string; email: string },
  time: number,
  rootRefs: string[],
  cover: ParsedMail | undefined,
): Buffer {
  const refs = cover ? [...rootRefs, cover.messageId] : rootRefs;
  const body: string[] = [`On ${mail.date}, ${mail.name} wrote:`];
  const findings = review.check?.findings ?? [];
  body.push(...quoteWithFindings(mail.raw.toString('utf8'), findings), '');
  body.push('Summary of the automated review:');
  if (!review.applied) {
    body.push(`apply: FAILED (${review.applyError ?? 'unknown reason'})`);
  } else {
    const c = review.check!;
    body.push(
      `apply: passed`,
      `check: total: ${c.errors} errors, ${c.warnings} warnings, ${c.lines} lines checked`,
      stepLine('build', review.build),
      stepLine('tests', review.test),
    );
    for (const step of [review.build, review.test]) {
      if (step && !step.ok)
        body.push(
          '',
          `Output of ${step.command} (last lines):`,
          ...step.output.split('\n').map((l) => `  ${l}`),
        );
    }
  }
  const passed =
    review.applied &&
    findings.length === 0 &&
    review.build?.ok !== false &&
    review.test?.ok !== false;
  if (passed) body.push('', `Tested-by: ${reviewer.name} <${reviewer.email}>`);
  return Buffer.from(`${[...replyHeaders(mail, reviewer, time, refs), ...body].join('\n')}\n`);
}

function coverReport(
  root: ParsedMail,
  reviews: PatchReview[],
  base: string,
  cwd: string,
  reviewer: { name: string; email: string },
  time: number,
  ok: boolean,
  setup: StepResult | undefined,
): Buffer {
  const baseLine = git(['log', '-1', '--format=%h %s', base], { cwd }).toString().trim();
  const first = root.name.split(/\s+/)[0] || root.name;
  const body: string[] = [`Hi ${first},`, ''];
  const n = reviews.length;
  if (ok) {
    body.push(
      `rfl-patch review applied the ${n} patch${n === 1 ? '' : 'es'} of this series on`,
      `  ${baseLine}`,
      'and checked, built and tested after every patch: all passed.',
      '',
      `Tested-by: ${reviewer.name} <${reviewer.email}>`,
    );
  } else {
    const failedApply = reviews.find((r) => !r.applied);
    const failedBuild = reviews.find((r) => r.build && !r.build.ok);
    const failedTest = reviews.find((r) => r.test && !r.test.ok);
    const kind = failedApply
      ? 'apply FAILURE'
      : failedBuild
        ? 'build test ERROR'
        : failedTest
          ? 'test FAILURE'
          : 'check WARNING';
    body.push(
      `rfl-patch review noticed the following ${kind === 'check WARNING' ? 'checkpatch findings' : 'problems'}:`,
      '',
      `[auto ${kind} on ${baseLine}]`,
      '',
      `base:   ${base}`,
      `patch link: <${root.messageId}>`,
      '',
      'If you fix the issue in a separate patch/commit (i.e. not just a new version of',
      'the same patch/commit), kindly add following tags',
      `| Reported-by: ${reviewer.name} <${reviewer.email}>`,
      `| Closes: <${messageId(`${root.messageId}\0${reviewer.email}`, reviewer)}>`,
      '',
    );
    if (setup && !setup.ok) body.push(`setup: FAILED (${setup.command})`, '');
    for (const r of reviews) {
      const c = r.check;
      const status = !r.applied
        ? `does not apply: ${r.applyError}`
        : [
            c ? `${c.errors} errors, ${c.warnings} warnings` : '',
            r.build ? `build ${r.build.ok ? 'ok' : 'FAILED'}` : '',
            r.test ? `tests ${r.test.ok ? 'ok' : 'FAILED'}` : '',
          ]
            .filter(Boolean)
            .join(', ');
      body.push(`[${r.index}/${n}] ${r.subject}: ${status}`);
    }
    const failed = failedBuild?.build ?? failedTest?.test;
    if (failed) {
      body.push('', `All errors (new ones prefixed by >>), from ${failed.command}:`, '');
      for (const l of failed.output.split('\n')) body.push(`>> ${l}`);
    }
  }
  const refs = root.references;
  return Buffer.from(`${[...replyHeaders(root, reviewer, time, refs), ...body].join('\n')}\n`);
}
