import type { CheckState, Line } from './engine.js';

/**
 * Our misspelling list (checkpatch.pl reads scripts/spelling.txt; this is a small
 * list of our own, `typo: fix`).
 */
export const MISSPELLINGS: Readonly<Record<string, string>> = {
  accross: 'across',
  acess: 'access',
  adress: 'address',
  allign: 'align',
  alloced: 'allocated',
  arguement: 'argument',
  begining: 'beginning',
  calender: 'calendar',
  cancelation: 'cancellation',
  comparision: 'comparison',
  definately: 'definitely',
  dependant: 'dependent',
  existant: 'existent',
  occured: 'occurred',
  occurence: 'occurrence',
  paramter: 'parameter',
  preceeding: 'preceding',
  recieve: 'receive',
  recieved: 'received',
  seperate: 'separate',
  seperated: 'separated',
  succesful: 'successful',
  successfull: 'successful',
  teh: 'the',
  threshhold: 'threshold',
  untill: 'until',
  writting: 'writing',
};

const WORD = /\b[A-Za-z]+\b/g;

/** Hex-looking words that are still reported when repeated (checkpatch.pl's list). */
const ALLOW_REPEATED_HEX = new Set(['add', 'added', 'bad', 'be']);

/** Keep the case of the typo in the fix, as checkpatch.pl does (uc, ucfirst). */
function matchCase(typo: string, fix: string): string {
  if (typo === typo.toUpperCase()) return fix.toUpperCase();
  if (typo.charAt(0) === typo.charAt(0).toUpperCase())
    return fix.charAt(0).toUpperCase() + fix.slice(1);
  return fix;
}

/**
 * TYPO_SPELLING and REPEATED_WORD on one line of text (a commit-log line, the
 * subject, or an added line). REPEATED_WORD follows checkpatch.pl's
 * `\b[A-Z]?[a-z]{2,}\b` word pattern: a word followed by a single space and the
 * same word (case-sensitive); `long long` is allowed.
 */
export function checkWords(st: CheckState, line: Line, text: string): void {
  for (const m of text.matchAll(WORD)) {
    const key = m[0].toLowerCase();
    // Own keys only: a word such as `constructor` is not a misspelling.
    if (!Object.hasOwn(MISSPELLINGS, key)) continue;
    const fix = MISSPELLINGS[key]!;
    st.report(
      'WARNING',
      'TYPO_SPELLING',
      `'${m[0]}' may be misspelled - perhaps '${matchCase(m[0], fix)}'?`,
      line,
    );
  }
  for (const m of text.matchAll(/\b([A-Z]?[a-z]{2,})\b (?=([A-Z]?[a-z]{2,})\b)/g)) {
    if (m[1] !== m[2] || m[1] === 'long') continue;
    // checkpatch.pl: avoid repeated hex bytes such as `ff ff fe`.
    if (/^[0-9a-f]{2,}$/i.test(m[1]!) && !ALLOW_REPEATED_HEX.has(m[1]!.toLowerCase())) continue;
    st.report('WARNING', 'REPEATED_WORD', `Possible repeated word: '${m[1]}'`, line);
  }
}
