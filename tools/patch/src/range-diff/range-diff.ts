import { computeAssignment } from './assignment.js';
import { diffSize, LineTable, splitTextLines, unifiedDiff } from './linediff.js';
import type { RangePatch } from './read.js';

/** `git range-diff`'s default `--creation-factor`, in percent. */
export const CREATION_FACTOR_DEFAULT = 60;

/** The cost git gives a pairing that is not allowed (`COST_MAX`). */
const COST_MAX = 1 << 16;

/** Options of {@link rangeDiff}, named after the `git range-diff` flags. */
export interface RangeDiffOptions {
  /** `--creation-factor`: how much of a patch may change before it counts as new. */
  creationFactor?: number;
  /** `--left-only`: leave out patches only in the new range. */
  leftOnly?: boolean;
  /** `--right-only`: leave out patches only in the old range. */
  rightOnly?: boolean;
  /** `--no-patch` (`-s`): headers only, no diff of the changed pairs. */
  noPatch?: boolean;
}

/** One side of a line of range-diff output: the patch's 1-based position and commit. */
export interface RangeDiffSide {
  index: number;
  oid: string;
  subject: string;
}

/**
 * A line of range-diff output: `=` same patch, `!` changed (with the diff of the two
 * patches), `<` only in the old range, `>` only in the new range.
 */
export interface RangeDiffEntry {
  status: '=' | '!' | '<' | '>';
  old: RangeDiffSide | null;
  new: RangeDiffSide | null;
  /** For `!`: the diff of the two normalized patches, lines without the 4-space indent. */
  diff?: string[];
}

interface Slot {
  patch: RangePatch;
  index: number;
  diff: string;
  matching: number;
  shown: boolean;
}

function slots(patches: RangePatch[]): Slot[] {
  return patches.map((patch, index) => ({
    patch,
    index,
    diff: patch.text.slice(patch.diffOffset),
    matching: -1,
    shown: false,
  }));
}

/** `find_exact_matches`: identical diffs pair up first, whatever their messages say. */
function findExactMatches(a: Slot[], b: Slot[]): void {
  const byDiff = new Map<string, Slot[]>();
  for (const s of a) {
    const list = byDiff.get(s.diff);
    if (list) list.push(s);
    else byDiff.set(s.diff, [s]);
  }
  for (const s of b) {
    // git's hashmap finds the entry added last first.
    const other = byDiff.get(s.diff)?.pop();
    if (other) {
      other.matching = s.index;
      s.matching = other.index;
    }
  }
}

/** `get_correspondences`: the cheapest way to pair, create and drop the remaining patches. */
function getCorrespondences(a: Slot[], b: Slot[], creationFactor: number): void {
  const n = a.length + b.length;
  const cost = new Int32Array(n * n);
  const table = new LineTable();
  const lines = new Map<Slot, Int32Array>();
  const linesOf = (s: Slot): Int32Array => {
    let l = lines.get(s);
    if (!l) {
      l = table.intern(splitTextLines(s.diff));
      lines.set(s, l);
    }
    return l;
  };
  for (const x of a) {
    for (const y of b) {
      let c: number;
      if (x.matching === y.index) c = 0;
      else if (x.matching < 0 && y.matching < 0) c = diffSize(linesOf(x), linesOf(y), table);
      else c = COST_MAX;
      cost[x.index + n * y.index] = c;
    }
    const c = x.matching < 0 ? Math.trunc((x.patch.diffSize * creationFactor) / 100) : COST_MAX;
    for (let j = b.length; j < n; j++) cost[x.index + n * j] = c;
  }
  for (const y of b) {
    const c = y.matching < 0 ? Math.trunc((y.patch.diffSize * creationFactor) / 100) : COST_MAX;
    for (let i = a.length; i < n; i++) cost[i + n * y.index] = c;
  }
  const { columnToRow } = computeAssignment(n, n, cost);
  for (const x of a) {
    const j = columnToRow[x.index]!;
    if (j >= 0 && j < b.length) {
      x.matching = j;
      b[j]!.matching = x.index;
    }
  }
}

/** `section_headers`: the function text of a hunk of a diff of two patches. */
function sectionHeader(line: string): string | undefined {
  const m = /^ ## (.*) ##$/.exec(line) ?? /^.?@@ (.*)$/.exec(line);
  if (!m) return undefined;
  return m[1]!.slice(0, 80).replace(/\s+$/, '');
}

/** The diff of two normalized patches, as range-diff prints it under a `!` line. */
function patchDiff(a: RangePatch, b: RangePatch): string[] {
  const out: string[] = [];
  for (const hunk of unifiedDiff(splitTextLines(a.text), splitTextLines(b.text), {
    funcname: sectionHeader,
  })) {
    out.push(hunk.func ? `@@ ${hunk.func}` : '@@');
    out.push(...hunk.lines);
  }
  return out;
}

function side(s: Slot): RangeDiffSide {
  return { index: s.index + 1, oid: s.patch.oid, subject: s.patch.subject };
}

/**
 * Compares two versions of a series the way `git range-diff` does: exact matches first,
 * then an optimal assignment over the diff-of-diffs cost with a creation cost of
 * `creationFactor` percent of each patch's size. Entries come in git's output order: the
 * new range's order, each dropped patch placed once everything before it was shown.
 */
export function rangeDiff(
  oldPatches: RangePatch[],
  newPatches: RangePatch[],
  opts: RangeDiffOptions = {},
): RangeDiffEntry[] {
  if (opts.leftOnly && opts.rightOnly) {
    throw new Error("options '--left-only' and '--right-only' cannot be used together");
  }
  const a = slots(oldPatches);
  const b = slots(newPatches);
  findExactMatches(a, b);
  getCorrespondences(a, b, opts.creationFactor ?? CREATION_FACTOR_DEFAULT);

  const out: RangeDiffEntry[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) {
    while (i < a.length && a[i]!.shown) i++;
    if (i < a.length && a[i]!.matching < 0) {
      if (!opts.rightOnly) out.push({ status: '<', old: side(a[i]!), new: null });
      i++;
      continue;
    }
    while (j < b.length && b[j]!.matching < 0) {
      if (!opts.leftOnly) out.push({ status: '>', old: null, new: side(b[j]!) });
      j++;
    }
    if (j < b.length) {
      const y = b[j]!;
      const x = a[y.matching]!;
      if (x.patch.text === y.patch.text) {
        out.push({ status: '=', old: side(x), new: side(y) });
      } else {
        const entry: RangeDiffEntry = { status: '!', old: side(x), new: side(y) };
        if (!opts.noPatch) entry.diff = patchDiff(x.patch, y.patch);
        out.push(entry);
      }
      x.shown = true;
      j++;
    }
  }
  return out;
}

/**
 * The text `git range-diff --no-color` prints for `entries`: `N:  abbrev S M:  abbrev
 * subject` lines, numbers right-aligned to the widest, dashes for the missing side, and
 * the diff of each changed pair indented by four spaces.
 */
export function formatRangeDiff(
  entries: RangeDiffEntry[],
  counts: { old: number; new: number },
  abbrev: (oid: string) => string,
): string {
  const width = String(1 + Math.max(counts.old, counts.new)).length;
  let dashes = '';
  let out = '';
  const column = (s: RangeDiffSide | null): string =>
    s
      ? `${String(s.index).padStart(width)}:  ${abbrev(s.oid)}`
      : `${'-'.padStart(width)}:  ${dashes}`;
  for (const e of entries) {
    if (!dashes) dashes = '-'.repeat(abbrev((e.old ?? e.new)!.oid).length);
    const subject = (e.old ?? e.new)!.subject;
    out += `${column(e.old)} ${e.status} ${column(e.new)} ${subject}\n`;
    for (const line of e.diff ?? []) out += `    ${line}\n`;
  }
  return out;
}
