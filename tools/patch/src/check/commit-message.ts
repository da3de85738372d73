import { decodeHeader } from '../mime.js';
import type { CheckState, Line } from './engine.js';
import { checkSignature, formatEmail, parseEmail } from './signoff.js';
import { checkWords } from './spelling.js';

/** Lines exempt from COMMIT_LOG_LONG_LINE: file paths with a colon, diffstat, tags, URLs. */
function longLineExempt(s: string): boolean {
  return (
    /^\s*[a-zA-Z0-9_/.]+\s+\|\s+\d+/.test(s) ||
    /^\s*(?:[\w.+-]*\/)+[\w.+-]+:/.test(s) ||
    /^\s*(?:Fixes:|Link:|Closes:|[\w-]+-by:|Cc:|To:)/i.test(s) ||
    /^\s*https?:\/\//.test(s)
  );
}

function gitCommitId(st: CheckState, line: Line): void {
  const s = line.raw;
  // Only a line naming a commit can be reported; the exemptions below just return.
  if (!/commit/i.test(s)) return;
  if (/^\s*(?:Link|Patchwork|http|https|BugLink|base-commit|Fixes):/i.test(s)) return;
  if (/^This reverts commit [0-9a-f]{7,40}/.test(s)) return;
  const m = /\b(c)ommit(\s+)([0-9a-f]{5,})\b(.*)$/i.exec(s);
  if (!m) return;
  const [, c, space, id, rest] = m as unknown as [string, string, string, string, string];
  const title = /^\s*\("([^"]*)"\)/.exec(rest) ?? /^\s*\(([^)]*)\)/.exec(rest);
  // With a tree, the reference must name the commit's real title (git_commit_info).
  const real = st.commitInfo?.(id);
  const shown = real ? real.id : id.slice(0, 12);
  const desc = real ? real.subject : title ? title[1] : '<title line>';
  const good =
    c === 'c' &&
    space === ' ' &&
    id.length >= 12 &&
    id.length <= 40 &&
    /^ \("/.test(rest) &&
    (!real || !title || title[1] === real.subject);
  if (good) return;
  st.report(
    'ERROR',
    'GIT_COMMIT_ID',
    `Please use git commit description style 'commit <12+ chars of sha1> ("<title line>")' - ie: '${c}ommit ${shown} ("${desc}")'`,
    line,
  );
}

/** checkpatch.pl's invalid-commit-id check: a referenced id the tree does not have. */
function unknownCommitId(st: CheckState, line: Line): void {
  if (!st.commitInfo) return;
  const m = /(^fixes:|\bcommit)\s+([0-9a-f]{6,40})\b/i.exec(line.raw);
  if (!m || st.commitInfo(m[2]!)) return;
  st.report(
    'WARNING',
    'UNKNOWN_COMMIT_ID',
    `Unknown commit id '${m[2]}', maybe rebased or not pulled?`,
    line,
  );
}

function fixesTag(st: CheckState, line: Line): void {
  if (!/fixes/i.test(line.raw)) return;
  const m = /^\s*(fixes:?)(\s*)([0-9a-f]{5,})?(.*)$/i.exec(line.raw);
  if (!m || m[3] === undefined) return;
  const [, tag, space, id, rest] = m as unknown as [string, string, string, string, string];
  const title = /^\s*\("(.*)"\)\s*$/.exec(rest) ?? /^\s*\((.*)\)\s*$/.exec(rest);
  const real = st.commitInfo?.(id);
  const good =
    tag === 'Fixes:' &&
    space === ' ' &&
    id.length >= 12 &&
    id.length <= 40 &&
    /^ \(".*"\)$/.test(rest) &&
    (!real || title?.[1] === real.subject);
  if (good) return;
  const fixed = `Fixes: ${real ? real.id : id.slice(0, 12)} ("${real ? real.subject : title ? title[1] : '<title line>'}")`;
  st.report(
    'WARNING',
    'BAD_FIXES_TAG',
    `Please use correct Fixes: style 'Fixes: <12+ chars of sha1> ("<title line>")' - ie: '${fixed}'`,
    line,
  );
}

function isDiffLine(s: string): boolean {
  // Each pattern below needs one of these.
  if (!s.includes('diff') && !s.includes('---') && !s.includes('+++') && !s.includes('@@')) {
    return false;
  }
  const d = /^\s+diff\b.*a\/([\w/]+)/.exec(s);
  if (d && new RegExp(`^\\s+diff\\b.*a/[\\w/]+\\s+b/${d[1]}\\b`).test(s)) return true;
  return /^\s*(?:---\s+a\/|\+\+\+\s+b\/)/.test(s) || /^\s*@@ -\d+,\d+ \+\d+,\d+ @@/.test(s);
}

/** The checks on a header or commit-message line. */
export function checkCommitLine(st: CheckState, line: Line): void {
  const s = line.raw.replace(/\r$/, '');
  if (st.inHeader) {
    // A folded header: checkpatch.pl joins the continuation lines of From:.
    if (/^[ \t]/.test(s)) {
      if (st.lastHeader === 'from') setAuthor(st, `${st.authorRaw} ${s.trim()}`);
      return;
    }
    st.lastHeader = /^([\w-]+):/.exec(s)?.[1]?.toLowerCase() ?? '';
    const from = s.startsWith('From:') ? /^From:\s*(.*)$/.exec(s) : null;
    if (from) setAuthor(st, from[1]!);
    const subj = s.startsWith('Subject:') ? /^Subject:\s*(.*)$/.exec(s) : null;
    if (subj) {
      st.subject = subj[1]!;
      if (/\b(?:checkpatch|sparse|smatch)\b[^:]/i.test(s)) {
        st.report(
          'WARNING',
          'EMAIL_SUBJECT',
          'A patch subject line should describe the change not the tool that found it',
          line,
        );
      }
      checkWords(st, line, s.slice('Subject:'.length));
    }
    return;
  }
  // An in-body From: on the first line names the real author (git am reads it too).
  const bodyFrom = s.startsWith('From:') ? /^From:\s*(.*)$/.exec(s) : null;
  if (bodyFrom && st.commitLogLines <= 1 && st.signoffs === 0) setAuthor(st, bodyFrom[1]!);
  checkSignature(st, line);
  if (s.includes(':') && /^\s*change-id:/i.test(s)) {
    st.report(
      'ERROR',
      'GERRIT_CHANGE_ID',
      "Remove Gerrit Change-Id's before submitting upstream",
      line,
    );
  }
  if (!st.inCommitLog) return;
  if (!st.once.has('COMMIT_LOG_LONG_LINE') && s.length > 75 && !longLineExempt(s)) {
    st.once.add('COMMIT_LOG_LONG_LINE');
    st.report(
      'WARNING',
      'COMMIT_LOG_LONG_LINE',
      'Prefer a maximum 75 chars per line (possible unwrapped commit description?)',
      line,
    );
  }
  if (!st.once.has('DIFF_IN_COMMIT_MSG') && isDiffLine(s)) {
    st.once.add('DIFF_IN_COMMIT_MSG');
    st.report(
      'ERROR',
      'DIFF_IN_COMMIT_MSG',
      'Avoid using diff content in the commit message - patch(1) might not work',
      line,
    );
  }
  gitCommitId(st, line);
  unknownCommitId(st, line);
  fixesTag(st, line);
  checkWords(st, line, s);
}

function setAuthor(st: CheckState, value: string): void {
  st.authorRaw = value;
  const decoded = decodeHeader(value).replace(/"/g, '');
  const e = parseEmail(decoded);
  st.author = e ? formatEmail(e) : decoded.trim();
}
