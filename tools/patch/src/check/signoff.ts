import type { CheckState, Line } from './engine.js';

/** The signature tags checkpatch.pl knows ($signature_tags). */
const SIGNATURE_TAGS = [
  'Signed-off-by:',
  'Co-developed-by:',
  'Acked-by:',
  'Tested-by:',
  'Reviewed-by:',
  'Reported-by:',
  'Suggested-by:',
  'To:',
  'Cc:',
];

const SIGNATURE = /^(\s*)([a-z0-9_-]+by:|to:|cc:)(\s*)(.*)$/i;

/** An address split as checkpatch.pl's parse_email() does: name, address, trailing comment. */
export interface Email {
  name: string;
  address: string;
  comment: string;
}

/** Parse `Name <addr> # comment` or `addr`; undefined when no address is recognised. */
export function parseEmail(s: string): Email | undefined {
  let rest = s.trim();
  let comment = '';
  const c = /^(.*?)\s*(#.*|\[.*\])$/.exec(rest);
  if (c) {
    rest = c[1]!;
    comment = c[2]!;
  }
  const angle = /^(.*?)\s*<([^<>\s]+@[^<>\s]+)>$/.exec(rest);
  if (angle) return { name: angle[1]!.replace(/^"|"$/g, '').trim(), address: angle[2]!, comment };
  if (/^[^<>\s@]+@[^<>\s@]+\.[^<>\s@]+$/.test(rest)) return { name: '', address: rest, comment };
  return undefined;
}

/** checkpatch.pl's format_email(): `Name <addr>`. */
export function formatEmail(e: Email): string {
  return e.name ? `${e.name} <${e.address}>` : e.address;
}

/** Where the author's own sign-off stands, checkpatch.pl's $authorsignoff values. */
function authorMatch(sob: string, author: string): number {
  const a = parseEmail(author);
  const s = parseEmail(sob);
  if (!a || !s) return 0;
  const sameAddr = a.address.toLowerCase() === s.address.toLowerCase();
  if (sameAddr && a.name === s.name) return a.comment === s.comment ? 1 : 2;
  if (sameAddr) return 3;
  if (a.name === s.name) {
    const base = (x: string) => x.toLowerCase().replace(/\+[^@]*@/, '@');
    return base(a.address) === base(s.address) ? 5 : 4;
  }
  return 0;
}

/** The BAD_SIGN_OFF checks on one line of the commit message; records sign-offs. */
export function checkSignature(st: CheckState, line: Line): void {
  // Every signature has a colon.
  const m = line.raw.includes(':') ? SIGNATURE.exec(line.raw) : null;
  if (!m || st.inHeader) return;
  const [, before, tag, after, value] = m as unknown as [string, string, string, string, string];
  const ucfirst = tag.charAt(0).toUpperCase() + tag.slice(1).toLowerCase();
  if (!SIGNATURE_TAGS.some((t) => t.toLowerCase() === tag.toLowerCase())) {
    st.report('WARNING', 'BAD_SIGN_OFF', `Non-standard signature: ${tag}`, line);
  }
  if (before !== '') {
    st.report('WARNING', 'BAD_SIGN_OFF', `Do not use whitespace before ${ucfirst}`, line);
  }
  if (/-by:$/i.test(tag) && tag !== ucfirst) {
    st.report('WARNING', 'BAD_SIGN_OFF', `'${ucfirst}' is the preferred signature form`, line);
  }
  if (after !== ' ') {
    st.report('WARNING', 'BAD_SIGN_OFF', `Use a single space after ${ucfirst}`, line);
  }
  if (!parseEmail(value)) {
    st.report('ERROR', 'BAD_SIGN_OFF', `Unrecognized email address: '${value}'`, line);
  }
  const key = line.raw.replace(/\s/g, '').toLowerCase();
  if (st.signatureKeys.has(key)) st.report('WARNING', 'BAD_SIGN_OFF', 'Duplicate signature', line);
  else st.signatureKeys.add(key);
  if (/^signed-off-by:$/i.test(tag)) {
    st.signoffs++;
    // checkpatch: a Signed-off-by: line ends the commit log proper ($in_commit_log = 0).
    st.inCommitLog = false;
    if (st.author !== undefined && st.authorSignoff !== 1) {
      const how = authorMatch(value, st.author);
      if (how) {
        st.authorSignoff = how;
        st.authorSob = value.trim();
      }
    }
  }
}

/** The end-of-patch sign-off checks: MISSING_SIGN_OFF, NO_AUTHOR_SIGN_OFF, FROM_SIGN_OFF_MISMATCH. */
export function finishSignoffs(st: CheckState, last: Line): void {
  if (st.signoffs === 0) {
    st.report('ERROR', 'MISSING_SIGN_OFF', 'Missing Signed-off-by: line(s)', last, 'none');
    return;
  }
  if (st.author === undefined || st.authorSignoff === 1) return;
  const msg = `'From: ${st.author}' != 'Signed-off-by: ${st.authorSob}'`;
  const t = 'FROM_SIGN_OFF_MISMATCH';
  switch (st.authorSignoff) {
    case 0:
      st.report(
        'WARNING',
        'NO_AUTHOR_SIGN_OFF',
        `Missing Signed-off-by: line by nominal patch author '${st.author}'`,
        last,
        'none',
      );
      break;
    case 2:
      st.report('CHECK', t, `From:/Signed-off-by: email comments mismatch: ${msg}`, last, 'none');
      break;
    case 3:
      st.report('WARNING', t, `From:/Signed-off-by: email name mismatch: ${msg}`, last, 'none');
      break;
    case 4:
      st.report('WARNING', t, `From:/Signed-off-by: email address mismatch: ${msg}`, last, 'none');
      break;
    case 5:
      st.report(
        'WARNING',
        t,
        `From:/Signed-off-by: email subaddress mismatch: ${msg}`,
        last,
        'none',
      );
      break;
  }
}
