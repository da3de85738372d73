import { createRequire } from 'node:module';
import type diffSequencesType from '@jest/diff-sequences';

// The package's type declarations describe its CommonJS build, whose function is the
// `default` export; load that build so the types and the value agree.
const diffSequences: typeof diffSequencesType.default = createRequire(import.meta.url)(
  '@jest/diff-sequences',
).default;

/** One change of a line diff: `deleted` lines of a at `aStart` became `added` lines of b. */
interface Change {
  aStart: number;
  deleted: number;
  bStart: number;
  added: number;
}

/** The lines of a text that ends with a newline (a last line without one still counts). */
export function splitTextLines(text: string): string[] {
  if (text === '') return [];
  const lines = text.split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  return lines;
}

/** A minimal edit script (Myers), grouped into the change atoms xdiff emits. */
function changes(a: string[], b: string[]): Change[] {
  // Comparing small integers is much cheaper than comparing strings in the inner loop.
  const ids = new Map<string, number>();
  const intern = (lines: string[]): Int32Array => {
    const out = new Int32Array(lines.length);
    for (let i = 0; i < lines.length; i++) {
      let id = ids.get(lines[i]!);
      if (id === undefined) {
        id = ids.size;
        ids.set(lines[i]!, id);
      }
      out[i] = id;
    }
    return out;
  };
  const x = intern(a);
  const y = intern(b);
  const out: Change[] = [];
  let ai = 0;
  let bi = 0;
  const flush = (aEnd: number, bEnd: number): void => {
    if (aEnd > ai || bEnd > bi) {
      out.push({ aStart: ai, deleted: aEnd - ai, bStart: bi, added: bEnd - bi });
    }
  };
  diffSequences(
    x.length,
    y.length,
    (i, j) => x[i] === y[j],
    (n, aCommon, bCommon) => {
      flush(aCommon, bCommon);
      ai = aCommon + n;
      bi = bCommon + n;
    },
  );
  flush(x.length, y.length);
  return out;
}

/** Options of {@link unifiedDiff}. */
export interface UnifiedDiffOptions {
  /** Lines of context around each change (git's default is 3). */
  context?: number;
  /**
   * Finds the text after `@@` for a hunk from a line of a before it (git's funcname
   * patterns); it returns undefined for lines that do not qualify.
   */
  funcname?: (line: string) => string | undefined;
}

/** A unified diff's hunks: the header's function text and the `' '`/`-`/`+` lines. */
export interface Hunk {
  aStart: number;
  aLines: number;
  bStart: number;
  bLines: number;
  func: string;
  lines: string[];
}

/**
 * The hunks xdiff would emit for two line arrays: changes closer than twice the context
 * share a hunk, and the function text is searched backwards in a from the line before the
 * hunk, as `xdl_emit_diff` does.
 */
export function unifiedDiff(a: string[], b: string[], opts: UnifiedDiffOptions = {}): Hunk[] {
  const ctx = opts.context ?? 3;
  const all = changes(a, b);
  const hunks: Hunk[] = [];
  for (let first = 0; first < all.length; ) {
    let last = first;
    while (
      last + 1 < all.length &&
      all[last + 1]!.aStart - (all[last]!.aStart + all[last]!.deleted) <= 2 * ctx
    ) {
      last++;
    }
    const start = all[first]!;
    const end = all[last]!;
    const s1 = Math.max(start.aStart - ctx, 0);
    const s2 = Math.max(start.bStart - ctx, 0);
    const after = Math.min(
      ctx,
      a.length - (end.aStart + end.deleted),
      b.length - (end.bStart + end.added),
    );
    const e1 = end.aStart + end.deleted + after;
    const e2 = end.bStart + end.added + after;
    let func = '';
    if (opts.funcname) {
      for (let i = s1 - 1; i >= 0; i--) {
        const f = opts.funcname(a[i]!);
        if (f !== undefined) {
          func = f;
          break;
        }
      }
    }
    const lines: string[] = [];
    let i1 = s1;
    for (let c = first; c <= last; c++) {
      const change = all[c]!;
      for (; i1 < change.aStart; i1++) lines.push(` ${a[i1]}`);
      for (let k = 0; k < change.deleted; k++) lines.push(`-${a[change.aStart + k]}`);
      for (let k = 0; k < change.added; k++) lines.push(`+${b[change.bStart + k]}`);
      i1 = change.aStart + change.deleted;
    }
    for (; i1 < e1; i1++) lines.push(` ${a[i1]}`);
    hunks.push({ aStart: s1 + 1, aLines: e1 - s1, bStart: s2 + 1, bLines: e2 - s2, func, lines });
    first = last + 1;
  }
  return hunks;
}

/**
 * What `git range-diff` takes as the distance between two patches: the number of lines of
 * their unified diff with three lines of context, each hunk header counting as one.
 */
export function diffSize(a: string[], b: string[]): number {
  let count = 0;
  for (const hunk of unifiedDiff(a, b)) count += 1 + hunk.lines.length;
  return count;
}
