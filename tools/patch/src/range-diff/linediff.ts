import { createRequire } from 'node:module';
import type diffSequencesType from '@jest/diff-sequences';
import { type CompactSide, compact } from './compact.js';

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

/**
 * Line ids: equal lines get equal small integers, so comparing two lines in the inner
 * loop of the diff compares two numbers. Share one table between texts that are compared
 * with each other.
 */
export class LineTable {
  private readonly ids = new Map<string, number>();
  /** `seen[id] === stamp` marks the lines of the text a diff is being computed against. */
  private seen = new Int32Array(1024);
  private stamp = 0;

  intern(lines: string[]): Int32Array {
    const out = new Int32Array(lines.length);
    for (let i = 0; i < lines.length; i++) {
      let id = this.ids.get(lines[i]!);
      if (id === undefined) {
        id = this.ids.size;
        this.ids.set(lines[i]!, id);
      }
      out[i] = id;
    }
    if (this.seen.length < this.ids.size) {
      const grown = new Int32Array(Math.max(this.ids.size, this.seen.length * 2));
      grown.set(this.seen);
      this.seen = grown;
    }
    return out;
  }

  /** The positions of `x` whose line occurs somewhere in `y`. */
  shared(x: Int32Array, y: Int32Array): Int32Array {
    const stamp = ++this.stamp;
    for (let j = 0; j < y.length; j++) this.seen[y[j]!] = stamp;
    let n = 0;
    const keep = new Int32Array(x.length);
    for (let i = 0; i < x.length; i++) if (this.seen[x[i]!] === stamp) keep[n++] = i;
    return keep.subarray(0, n);
  }
}

/**
 * A minimal edit script (Myers), grouped into the change atoms xdiff emits. As xdiff
 * does, lines that occur only on one side are set aside before the search (they cannot be
 * common), so two unrelated texts cost a linear pass instead of a quadratic search.
 */
function changes(x: Int32Array, y: Int32Array, table: LineTable): Change[] {
  const xi = table.shared(x, y);
  const yi = table.shared(y, x);
  const out: Change[] = [];
  let ai = 0;
  let bi = 0;
  const flush = (aEnd: number, bEnd: number): void => {
    if (aEnd > ai || bEnd > bi) {
      out.push({ aStart: ai, deleted: aEnd - ai, bStart: bi, added: bEnd - bi });
    }
  };
  diffSequences(
    xi.length,
    yi.length,
    (i, j) => x[xi[i]!] === y[yi[j]!],
    (n, aCommon, bCommon) => {
      // A run of common lines in the reduced texts is common in the full texts only where
      // no set-aside line sits between two of its lines.
      for (let k = 0; k < n; k++) {
        const a = xi[aCommon + k]!;
        const b = yi[bCommon + k]!;
        flush(a, b);
        ai = a + 1;
        bi = b + 1;
      }
    },
  );
  flush(x.length, y.length);
  return out;
}

/**
 * Runs xdiff's change compaction over an edit script (both directions, as `xdl_diff`
 * does) and rebuilds the script from the changed-line marks (`xdl_build_script`).
 */
function compactChanges(
  x: Int32Array,
  y: Int32Array,
  all: Change[],
  lines?: [string[], string[]],
): Change[] {
  const a: CompactSide = { ids: x, changed: new Uint8Array(x.length + 2), lines: lines?.[0] };
  const b: CompactSide = { ids: y, changed: new Uint8Array(y.length + 2), lines: lines?.[1] };
  for (const c of all) {
    a.changed.fill(1, c.aStart + 1, c.aStart + 1 + c.deleted);
    b.changed.fill(1, c.bStart + 1, c.bStart + 1 + c.added);
  }
  const heuristic = lines !== undefined;
  compact(a, b, heuristic);
  compact(b, a, heuristic);
  const out: Change[] = [];
  const ca = (i: number): boolean => i >= 0 && a.changed[i + 1] === 1;
  const cb = (i: number): boolean => i >= 0 && b.changed[i + 1] === 1;
  for (let i1 = x.length, i2 = y.length; i1 >= 0 || i2 >= 0; i1--, i2--) {
    if (ca(i1 - 1) || cb(i2 - 1)) {
      const l1 = i1;
      const l2 = i2;
      while (ca(i1 - 1)) i1--;
      while (cb(i2 - 1)) i2--;
      out.push({ aStart: i1, deleted: l1 - i1, bStart: i2, added: l2 - i2 });
    }
  }
  return out.reverse();
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
  const table = new LineTable();
  const x = table.intern(a);
  const y = table.intern(b);
  // Shown diffs use git's indent heuristic (diff.indentHeuristic is on by default).
  return hunksOf(a, b, compactChanges(x, y, changes(x, y, table), [a, b]), opts);
}

function hunksOf(a: string[], b: string[], all: Change[], opts: UnifiedDiffOptions): Hunk[] {
  const ctx = opts.context ?? 3;
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
export function diffSize(a: Int32Array, b: Int32Array, table: LineTable): number {
  // range-diff's cost diff runs with xdiff's defaults: compaction, no indent heuristic.
  const all = compactChanges(a, b, changes(a, b, table));
  // Count what xdl_emit_diff would emit: a header per hunk, context, deletions, additions.
  let count = 0;
  const ctx = 3;
  for (let first = 0; first < all.length; ) {
    let last = first;
    let lines = all[first]!.deleted + all[first]!.added;
    while (last + 1 < all.length) {
      const gap = all[last + 1]!.aStart - (all[last]!.aStart + all[last]!.deleted);
      if (gap > 2 * ctx) break;
      last++;
      lines += gap + all[last]!.deleted + all[last]!.added;
    }
    const start = all[first]!;
    const end = all[last]!;
    const before = start.aStart - Math.max(start.aStart - ctx, 0);
    const after = Math.min(
      ctx,
      a.length - (end.aStart + end.deleted),
      b.length - (end.bStart + end.added),
    );
    count += 1 + before + lines + after;
    first = last + 1;
  }
  return count;
}
