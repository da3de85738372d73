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

/**
 * The misspelt words as whole words (`\b[A-Za-z]+\b` whose lowercase is a key of
 * {@link MISSPELLINGS}): one search per line instead of a lookup per word.
 */
const TYPO = new RegExp(String.raw`\b(?:${Object.keys(MISSPELLINGS).join('|')})\b`, 'gi');

/**
 * checkpatch.pl's repeated word: `\b([A-Z]?[a-z]{2,})\b` followed by one space and the
 * same word. The look-ahead consumes nothing, so `a a a` is two repeats, as with a
 * search for each word.
 */
const REPEATED = /\b([A-Z]?[a-z]{2,})\b (?=\1\b)/g;

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
  TYPO.lastIndex = 0;
  for (let m = TYPO.exec(text); m; m = TYPO.exec(text)) {
    const fix = MISSPELLINGS[m[0].toLowerCase()]!;
    st.report(
      'WARNING',
      'TYPO_SPELLING',
      `'${m[0]}' may be misspelled - perhaps '${matchCase(m[0], fix)}'?`,
      line,
    );
  }
  REPEATED.lastIndex = 0;
  for (let m = REPEATED.exec(text); m; m = REPEATED.exec(text)) {
    if (m[1] === 'long') continue;
    // checkpatch.pl: avoid repeated hex bytes such as `ff ff fe`.
    if (/^[0-9a-f]{2,}$/i.test(m[1]!) && !ALLOW_REPEATED_HEX.has(m[1]!.toLowerCase())) continue;
    st.report('WARNING', 'REPEATED_WORD', `Possible repeated word: '${m[1]}'`, line);
  }
}
