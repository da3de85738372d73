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
 * Applies text hunks to `preimage` and returns the new content. Each hunk is located in
 * the image as modified by the previous ones (so `newStart` is the expected line);
 * all-or-nothing: a hunk that does not match throws {@link HunkError} and nothing is
 * returned.
 */
export function applyHunks(path: string, preimage: Buffer, hunks: Hunk[]): Buffer {
  let image = splitLines(preimage);
  for (const hunk of hunks) {
    const expected = Math.max(0, (hunk.newStart || 1) - 1);
    const at = findPosition(image, hunk, Math.min(expected, image.length));
    if (at < 0) throw new HunkError(path, hunk);
    image = image.slice(0, at).concat(hunk.post, image.slice(at + hunk.pre.length));
  }
  return Buffer.concat(image);
}
