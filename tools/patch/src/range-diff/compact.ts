/**
 * xdiff's change compaction (`xdl_change_compact`): after the edit script is found, each
 * group of changed lines is slid up and down over equal lines, merging with the groups it
 * meets, and then placed where git places it — aligned with a change in the other file if
 * it can be, else (with the indent heuristic, git's default for shown diffs) where the
 * two splits it makes score best for indentation and blank lines. The same edit script
 * then prints as git prints it.
 */

/** One side of a diff: its line ids, and which lines are changed (index i at i + 1). */
export interface CompactSide {
  ids: Int32Array;
  /** `changed[i + 1]` for line i; `changed[0]` and `changed[n + 1]` stay 0. */
  changed: Uint8Array;
  /** The lines' text, needed only for the indent heuristic. */
  lines?: string[];
}

interface Group {
  start: number;
  end: number;
}

const MAX_INDENT = 200;
const MAX_BLANKS = 20;
const START_OF_FILE_PENALTY = 1;
const END_OF_FILE_PENALTY = 21;
const TOTAL_BLANK_WEIGHT = -30;
const POST_BLANK_WEIGHT = 6;
const RELATIVE_INDENT_PENALTY = -4;
const RELATIVE_INDENT_WITH_BLANK_PENALTY = 10;
const RELATIVE_OUTDENT_PENALTY = 24;
const RELATIVE_OUTDENT_WITH_BLANK_PENALTY = 17;
const RELATIVE_DEDENT_PENALTY = 23;
const RELATIVE_DEDENT_WITH_BLANK_PENALTY = 17;
const INDENT_WEIGHT = 60;
const INDENT_HEURISTIC_MAX_SLIDING = 100;

const isChanged = (s: CompactSide, i: number): boolean => s.changed[i + 1] === 1;
const setChanged = (s: CompactSide, i: number, v: boolean): void => {
  s.changed[i + 1] = v ? 1 : 0;
};

function groupInit(s: CompactSide): Group {
  const g = { start: 0, end: 0 };
  while (isChanged(s, g.end)) g.end++;
  return g;
}

function groupNext(s: CompactSide, g: Group): boolean {
  if (g.end === s.ids.length) return false;
  g.start = g.end + 1;
  g.end = g.start;
  while (isChanged(s, g.end)) g.end++;
  return true;
}

function groupPrevious(s: CompactSide, g: Group): boolean {
  if (g.start === 0) return false;
  g.end = g.start - 1;
  g.start = g.end;
  while (isChanged(s, g.start - 1)) g.start--;
  return true;
}

function slideDown(s: CompactSide, g: Group): boolean {
  if (g.end < s.ids.length && s.ids[g.start] === s.ids[g.end]) {
    setChanged(s, g.start++, false);
    setChanged(s, g.end++, true);
    while (isChanged(s, g.end)) g.end++;
    return true;
  }
  return false;
}

function slideUp(s: CompactSide, g: Group): boolean {
  if (g.start > 0 && s.ids[g.start - 1] === s.ids[g.end - 1]) {
    setChanged(s, --g.start, true);
    setChanged(s, --g.end, false);
    while (isChanged(s, g.start - 1)) g.start--;
    return true;
  }
  return false;
}

/** Columns of leading white space (tabs to the next multiple of 8), -1 for a blank line. */
function indentOf(line: string): number {
  let n = 0;
  for (let i = 0; i < line.length; i++) {
    const c = line.charCodeAt(i);
    if (c === 0x20) n += 1;
    else if (c === 0x09) n += 8 - (n % 8);
    else if (c !== 0x0a && c !== 0x0b && c !== 0x0c && c !== 0x0d) return n;
    if (n >= MAX_INDENT) return MAX_INDENT;
  }
  return -1;
}

interface Score {
  effectiveIndent: number;
  penalty: number;
}

/** Adds the badness of splitting `lines` just above line `split` to `score`. */
function scoreSplit(lines: string[], split: number, score: Score): void {
  const n = lines.length;
  const endOfFile = split >= n;
  const indent = endOfFile ? -1 : indentOf(lines[split]!);
  let preBlank = 0;
  let preIndent = -1;
  for (let i = split - 1; i >= 0; i--) {
    preIndent = indentOf(lines[i]!);
    if (preIndent !== -1) break;
    preBlank++;
    if (preBlank === MAX_BLANKS) {
      preIndent = 0;
      break;
    }
  }
  let postBlank = 0;
  let postIndent = -1;
  for (let i = split + 1; i < n; i++) {
    postIndent = indentOf(lines[i]!);
    if (postIndent !== -1) break;
    postBlank++;
    if (postBlank === MAX_BLANKS) {
      postIndent = 0;
      break;
    }
  }
  if (preIndent === -1 && preBlank === 0) score.penalty += START_OF_FILE_PENALTY;
  if (endOfFile) score.penalty += END_OF_FILE_PENALTY;
  const blanksAfter = indent === -1 ? 1 + postBlank : 0;
  const totalBlank = preBlank + blanksAfter;
  score.penalty += TOTAL_BLANK_WEIGHT * totalBlank + POST_BLANK_WEIGHT * blanksAfter;
  const effective = indent !== -1 ? indent : postIndent;
  const anyBlanks = totalBlank !== 0;
  score.effectiveIndent += effective;
  if (effective === -1 || preIndent === -1) return;
  if (effective > preIndent) {
    score.penalty += anyBlanks ? RELATIVE_INDENT_WITH_BLANK_PENALTY : RELATIVE_INDENT_PENALTY;
  } else if (effective < preIndent) {
    if (postIndent !== -1 && postIndent > effective) {
      score.penalty += anyBlanks ? RELATIVE_OUTDENT_WITH_BLANK_PENALTY : RELATIVE_OUTDENT_PENALTY;
    } else {
      score.penalty += anyBlanks ? RELATIVE_DEDENT_WITH_BLANK_PENALTY : RELATIVE_DEDENT_PENALTY;
    }
  }
}

function compareScores(a: Score, b: Score): number {
  const indents = Math.sign(a.effectiveIndent - b.effectiveIndent);
  return INDENT_WEIGHT * indents + (a.penalty - b.penalty);
}

/** Compacts the groups of `s`, keeping the other side `o` in step. */
export function compact(s: CompactSide, o: CompactSide, indentHeuristic: boolean): void {
  const g = groupInit(s);
  const go = groupInit(o);
  for (;;) {
    if (g.end !== g.start) {
      let groupSize: number;
      let earliestEnd: number;
      let endMatchingOther: number;
      do {
        groupSize = g.end - g.start;
        endMatchingOther = -1;
        while (slideUp(s, g)) groupPrevious(o, go);
        earliestEnd = g.end;
        if (go.end > go.start) endMatchingOther = g.end;
        while (slideDown(s, g)) {
          groupNext(o, go);
          if (go.end > go.start) endMatchingOther = g.end;
        }
      } while (groupSize !== g.end - g.start);

      if (g.end === earliestEnd) {
        // It cannot move.
      } else if (endMatchingOther !== -1) {
        while (go.end === go.start) {
          slideUp(s, g);
          groupPrevious(o, go);
        }
      } else if (indentHeuristic && s.lines) {
        let shift = Math.max(
          earliestEnd,
          g.end - groupSize - 1,
          g.end - INDENT_HEURISTIC_MAX_SLIDING,
        );
        let bestShift = -1;
        let best: Score = { effectiveIndent: 0, penalty: 0 };
        for (; shift <= g.end; shift++) {
          const score: Score = { effectiveIndent: 0, penalty: 0 };
          scoreSplit(s.lines, shift, score);
          scoreSplit(s.lines, shift - groupSize, score);
          if (bestShift === -1 || compareScores(score, best) <= 0) {
            best = score;
            bestShift = shift;
          }
        }
        while (g.end > bestShift) {
          slideUp(s, g);
          groupPrevious(o, go);
        }
      }
    }
    if (!groupNext(s, g)) break;
    groupNext(o, go);
  }
}
