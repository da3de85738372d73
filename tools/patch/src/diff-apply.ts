import type { Splice } from './delta.js';
import { splitLines } from './mbox.js';
import type { Hunk } from './patch.js';

/** A hunk whose preimage is not in the file. */
export class HunkError extends Error {
  readonly code = 'EINVAL';
  constructor(
    readonly path: string,
    readonly hunk: Hunk,
  ) {
    super(`patch failed: ${Buffer.from(path, 'latin1').toString('utf8')}:${hunk.oldStart}`);
  }
}

function matchesAt(image: Buffer[], pre: Buffer[], at: number): boolean {
  if (at < 0 || at + pre.length > image.length) return false;
  for (let k = 0; k < pre.length; k++) if (!image[at + k]!.equals(pre[k]!)) return false;
  return true;
}

/**
 * Where `hunk` applies in `image`, searching outward from its stated line like
 * `git apply` (no fuzz: all context must match). A hunk starting at line 0 or 1 must match
 * at the top of the file, and one without trailing context at its end.
 */
function findPosition(image: Buffer[], hunk: Hunk, expected: number): number {
  const pre = hunk.pre;
  const matchBeginning = hunk.oldStart <= 1;
  const matchEnd = hunk.trailing === 0;
  if (matchBeginning || matchEnd) {
    const at = matchBeginning ? 0 : image.length - pre.length;
    if (matchBeginning && matchEnd && at + pre.length !== image.length) return -1;
    return matchesAt(image, pre, at) ? at : -1;
  }
  const limit = Math.max(expected, image.length - expected);
  for (let d = 0; d <= limit; d++) {
    if (matchesAt(image, pre, expected - d)) return expected - d;
    if (d > 0 && matchesAt(image, pre, expected + d)) return expected + d;
  }
  return -1;
}

/**
 * The common case of {@link applyHunks} without splitting the file into line buffers:
 * when every hunk matches exactly where the search would look first (its stated line, or
 * the top or end of the file when anchored there) in a part of the file no earlier hunk
 * changed, the result is the file's untouched runs with each hunk's new lines between
 * them. Anything else returns undefined, and the line-by-line search decides.
 */
function applyInPlace(preimage: Buffer, hunks: Hunk[]): Patched | undefined {
  // starts[k] is where line k begins, starts[lines] the end of the file. Lines are found
  // only as far as the hunks reach: the rest of the file is copied whole, unread, unless
  // a hunk is anchored at the end and the number of lines is needed.
  const starts = [0];
  let complete = preimage.length === 0;
  /** Whether line `k` starts in the file (or `k` is the number of lines). */
  const reach = (k: number): boolean => {
    while (!complete && starts.length <= k) {
      const nl = preimage.indexOf(0x0a, starts[starts.length - 1]!);
      if (nl < 0 || nl + 1 === preimage.length) {
        starts.push(preimage.length);
        complete = true;
      } else starts.push(nl + 1);
    }
    return starts.length > k;
  };
  const lines = (): number => {
    reach(Number.POSITIVE_INFINITY);
    return starts.length - 1;
  };
  const parts: Buffer[] = [];
  const splices: Splice[] = [];
  const keep = (from: number, to: number): void => {
    if (to > from) splices.push({ copy: from, length: to - from });
  };
  let done = 0;
  let shift = 0;
  for (const hunk of hunks) {
    const pre = hunk.pre;
    let at: number;
    if (hunk.oldStart <= 1) {
      at = 0;
      if (hunk.trailing === 0 && pre.length !== lines() + shift) return undefined;
    } else if (hunk.trailing === 0) at = lines() + shift - pre.length;
    else {
      at = Math.max(0, (hunk.newStart || 1) - 1);
      // A stated line past the end of the file means the end.
      if (!reach(at - shift)) at = lines() + shift;
    }
    const o = at - shift;
    if (at < 0 || o < done || !reach(o + pre.length)) return undefined;
    for (let k = 0; k < pre.length; k++) {
      const line = pre[k]!;
      const from = starts[o + k]!;
      const to = starts[o + k + 1]!;
      if (to - from !== line.length || preimage.compare(line, 0, line.length, from, to) !== 0)
        return undefined;
    }
    parts.push(preimage.subarray(starts[done], starts[o]), ...hunk.post);
    keep(starts[done]!, starts[o]!);
    let inserted = 0;
    for (const line of hunk.post) inserted += line.length;
    if (inserted) splices.push({ insert: inserted });
    done = o + pre.length;
    shift += hunk.post.length - pre.length;
  }
  parts.push(preimage.subarray(starts[done]));
  keep(starts[done]!, preimage.length);
  return { content: Buffer.concat(parts), splices };
}

/** A postimage and, when known, how it is the preimage with runs replaced. */
export interface Patched {
  content: Buffer;
  /** Set when the hunks applied in place: what lets a pack store it as a cheap delta. */
  splices?: Splice[];
}

/**
 * Applies text hunks to `preimage` and returns the new content. Each hunk is located in
 * the image as modified by the previous ones (so `newStart` is the expected line);
 * all-or-nothing: a hunk that does not match throws {@link HunkError} and nothing is
 * returned.
 */
export function applyHunks(path: string, preimage: Buffer, hunks: Hunk[]): Buffer {
  return patchContent(path, preimage, hunks).content;
}

/** {@link applyHunks}, with the splices that make the result from `preimage` when known. */
export function patchContent(path: string, preimage: Buffer, hunks: Hunk[]): Patched {
  const fast = applyInPlace(preimage, hunks);
  if (fast) return fast;
  let image = splitLines(preimage);
  for (const hunk of hunks) {
    const expected = Math.max(0, (hunk.newStart || 1) - 1);
    const at = findPosition(image, hunk, Math.min(expected, image.length));
    if (at < 0) throw new HunkError(path, hunk);
    image = image.slice(0, at).concat(hunk.post, image.slice(at + hunk.pre.length));
  }
  return { content: Buffer.concat(image) };
}
