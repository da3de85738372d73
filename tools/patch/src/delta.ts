/**
 * A git delta (the format of pack `OFS_DELTA` entries and `GIT binary patch` delta hunks)
 * that turns `base` into `target`, or undefined when it would not be much smaller than
 * `target` itself. Made for the small edits a patch makes: the common prefix and suffix
 * are copied, and inside the changed middle each line of the target that also occurs in
 * the base starts a copy that extends byte by byte as far as the two agree.
 */
export function makeDelta(base: Buffer, target: Buffer): Buffer | undefined {
  const bl = base.length;
  const tl = target.length;
  const min = Math.min(bl, tl);
  const p = commonRun(
    min,
    (at, n) => base.compare(target, at, at + n, at, at + n) === 0,
    (at) => base[at] === target[at],
  );
  const s = commonRun(
    min - p,
    (at, n) => base.compare(target, tl - at - n, tl - at, bl - at - n, bl - at) === 0,
    (at) => base[bl - 1 - at] === target[tl - 1 - at],
  );
  const out = new DeltaWriter(bl, tl, target);
  out.copy(0, p);
  const tEnd = tl - s;
  const bEnd = bl - s;
  if (tEnd - p >= MIN_COPY && bEnd - p >= MIN_COPY) matchLines(base, target, p, bEnd, tEnd, out);
  else out.insert(p, tEnd);
  out.copy(bEnd, s);
  return out.finish(tl / 2);
}

/**
 * How many leading units of a range of `max` agree, given `same(at, n)` for a run of
 * `n` and `sameAt(at)` for one. Most of a patched file agrees with its preimage: runs
 * double from 64 bytes while they agree and halve back to 16 where they stop, so 12 KiB
 * in common cost about 16 calls of `same` (each a native compare), not one per 64 bytes
 * or per byte; the last few bytes are compared one by one.
 */
function commonRun(
  max: number,
  same: (at: number, n: number) => boolean,
  sameAt: (at: number) => boolean,
): number {
  let at = 0;
  let n = 64;
  while (at + n <= max && same(at, n)) {
    at += n;
    n *= 2;
  }
  while (n > 16) {
    n /= 2;
    if (at + n <= max && same(at, n)) at += n;
  }
  while (at < max && sameAt(at)) at++;
  return at;
}

/**
 * One run of a target made from a base: `length` bytes of the base from `copy`, or
 * `insert` bytes that are new (they are the target's next bytes).
 */
export type Splice = { copy: number; length: number } | { insert: number };

/**
 * The delta {@link makeDelta} would look for, when how `target` was made from `base` is
 * known (a patch applied in place): the runs kept are copies and the rest is inserted,
 * with no search. Undefined when it would not be much smaller than `target`.
 *
 * @example
 * ```ts
 * import { applyDelta, deltaFromSplices } from '@rfl/patch';
 * const base = Buffer.from('one two three four five six seven eight\n'.repeat(4));
 * const target = Buffer.concat([base.subarray(0, 80), Buffer.from('new\n'), base.subarray(80)]);
 * const delta = deltaFromSplices(base, target, [{ copy: 0, length: 80 }, { insert: 4 }, { copy: 80, length: 80 }]);
 * applyDelta(base, delta!).equals(target) // => true
 * ```
 */
export function deltaFromSplices(
  base: Buffer,
  target: Buffer,
  splices: readonly Splice[],
): Buffer | undefined {
  const out = new DeltaWriter(base.length, target.length, target);
  let t = 0;
  let literal = 0;
  for (const s of splices) {
    if ('insert' in s) t += s.insert;
    else if (s.length >= MIN_COPY) {
      out.insert(literal, t);
      out.copy(s.copy, s.length);
      t += s.length;
      literal = t;
    } else t += s.length;
  }
  out.insert(literal, t);
  return out.finish(target.length / 2);
}

/** Copies shorter than this are stored as literal bytes (a copy op costs up to 8 bytes). */
const MIN_COPY = 16;

/** A hash of the bytes `[from, to)` (FNV-1a), to find lines without making strings. */
function lineHash(buf: Buffer, from: number, to: number): number {
  let h = 0x811c9dc5;
  for (let i = from; i < to; i++) h = Math.imul(h ^ buf[i]!, 0x01000193);
  return h >>> 0;
}

function matchLines(
  base: Buffer,
  target: Buffer,
  from: number,
  bEnd: number,
  tEnd: number,
  out: DeltaWriter,
): void {
  // First occurrence of each line (by hash; a collision only costs a short match, which
  // the byte comparison below rejects).
  const index = new Map<number, number>();
  for (let b = from; b < bEnd; ) {
    const nl = base.indexOf(0x0a, b);
    const end = nl < 0 || nl >= bEnd ? bEnd : nl + 1;
    if (end - b >= 4) {
      const key = lineHash(base, b, end);
      if (!index.has(key)) index.set(key, b);
    }
    b = end;
  }
  let t = from;
  let literal = from;
  while (t < tEnd) {
    const nl = target.indexOf(0x0a, t);
    const end = nl < 0 || nl >= tEnd ? tEnd : nl + 1;
    const b = end - t >= 4 ? index.get(lineHash(target, t, end)) : undefined;
    if (b !== undefined) {
      const len = commonRun(
        Math.min(tEnd - t, bEnd - b),
        (at, n) => target.compare(base, b + at, b + at + n, t + at, t + at + n) === 0,
        (at) => target[t + at] === base[b + at],
      );
      if (len >= MIN_COPY) {
        out.insert(literal, t);
        out.copy(b, len);
        t += len;
        literal = t;
        continue;
      }
    }
    t = end;
  }
  out.insert(literal, tEnd);
}

/** Encodes delta instructions into a growing buffer. */
class DeltaWriter {
  private buf = Buffer.allocUnsafe(256);
  private len = 0;

  constructor(
    baseSize: number,
    targetSize: number,
    private readonly target: Buffer,
  ) {
    this.varint(baseSize);
    this.varint(targetSize);
  }

  private room(n: number): void {
    if (this.len + n <= this.buf.length) return;
    const next = Buffer.allocUnsafe(Math.max(this.buf.length * 2, this.len + n));
    this.buf.copy(next, 0, 0, this.len);
    this.buf = next;
  }

  private varint(n: number): void {
    this.room(10);
    while (n >= 0x80) {
      this.buf[this.len++] = (n & 0x7f) | 0x80;
      n = Math.floor(n / 128);
    }
    this.buf[this.len++] = n;
  }

  /** Target bytes `[from, to)` as literal data, in runs of at most 127 bytes. */
  insert(from: number, to: number): void {
    while (from < to) {
      const n = Math.min(127, to - from);
      this.room(n + 1);
      this.buf[this.len++] = n;
      this.target.copy(this.buf, this.len, from, from + n);
      this.len += n;
      from += n;
    }
  }

  /** `size` bytes of the base from `offset`, in runs of at most 64 KiB as git writes them. */
  copy(offset: number, size: number): void {
    while (size > 0) {
      const n = Math.min(size, 0x10000);
      this.room(8);
      const op = this.len++;
      let bits = 0x80;
      for (let k = 0; k < 4; k++) {
        const byte = Math.floor(offset / 2 ** (8 * k)) & 0xff;
        if (byte) {
          this.buf[this.len++] = byte;
          bits |= 1 << k;
        }
      }
      const sz = n === 0x10000 ? 0 : n;
      for (let k = 0; k < 3; k++) {
        const byte = (sz >> (8 * k)) & 0xff;
        if (byte) {
          this.buf[this.len++] = byte;
          bits |= 0x10 << k;
        }
      }
      this.buf[op] = bits;
      offset += n;
      size -= n;
    }
  }

  finish(limit: number): Buffer | undefined {
    return this.len < limit ? this.buf.subarray(0, this.len) : undefined;
  }
}
