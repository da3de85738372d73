import { deflateSync, inflateSync } from 'node:zlib';
import { decodeBase85, encodeBase85 } from './base85.js';

/** One hunk of a `GIT binary patch`: the whole new content, or a delta against the old. */
export interface BinaryHunk {
  kind: 'literal' | 'delta';
  /** The inflated size the header announces. */
  size: number;
  /** The inflated payload (content for literal, delta instructions for delta). */
  data: Buffer;
}

function lineLength(c: string): number {
  if (c >= 'A' && c <= 'Z') return c.charCodeAt(0) - 64;
  if (c >= 'a' && c <= 'z') return c.charCodeAt(0) - 96 + 26;
  return -1;
}

/**
 * Parses the lines after `GIT binary patch` into the forward hunk and the optional reverse
 * hunk. Each data line starts with a length character (`A`–`Z` = 1–26, `a`–`z` = 27–52)
 * followed by base85; a blank line ends a hunk. The zlib payload must inflate to exactly
 * the announced size.
 */
export function parseBinaryPatch(lines: string[]): { forward: BinaryHunk; reverse?: BinaryHunk } {
  const hunks: BinaryHunk[] = [];
  let i = 0;
  while (i < lines.length && hunks.length < 2) {
    const head = /^(literal|delta) (\d+)$/.exec(lines[i] ?? '');
    if (!head) break;
    i++;
    const chunks: Buffer[] = [];
    for (; i < lines.length && lines[i] !== ''; i++) {
      const line = lines[i]!;
      const len = lineLength(line[0] ?? '');
      if (len < 0 || (line.length - 1) % 5 !== 0 || ((line.length - 1) / 5) * 4 < len)
        throw new Error(`corrupt binary patch line: ${line.slice(0, 20)}`);
      chunks.push(decodeBase85(line.slice(1), len));
    }
    i++;
    const size = Number(head[2]);
    let data: Buffer;
    try {
      data = inflateSync(Buffer.concat(chunks));
    } catch (e) {
      throw new Error(`corrupt binary patch: ${(e as Error).message}`);
    }
    if (data.length !== size)
      throw new Error(`corrupt binary patch: inflated ${data.length} bytes, expected ${size}`);
    hunks.push({ kind: head[1] as 'literal' | 'delta', size, data });
  }
  const forward = hunks[0];
  if (!forward) throw new Error('binary patch without data');
  return hunks[1] ? { forward, reverse: hunks[1] } : { forward };
}

function readVarint(buf: Buffer, pos: { at: number }): number {
  let value = 0;
  let shift = 0;
  for (;;) {
    const c = buf[pos.at++];
    if (c === undefined) throw new Error('corrupt delta: truncated header');
    value += (c & 0x7f) * 2 ** shift;
    shift += 7;
    if (!(c & 0x80)) return value;
  }
}

/**
 * Applies a git delta (the pack format: source and target sizes as varints, then copy
 * and insert instructions) to `base`. Every bound is checked: a delta for another
 * source, or one that copies outside it, throws instead of producing garbage.
 */
export function applyDelta(base: Buffer, delta: Buffer): Buffer {
  const pos = { at: 0 };
  const srcSize = readVarint(delta, pos);
  if (srcSize !== base.length)
    throw new Error(`delta is for a ${srcSize}-byte preimage, the file has ${base.length} bytes`);
  const dstSize = readVarint(delta, pos);
  const out = Buffer.alloc(dstSize);
  let n = 0;
  while (pos.at < delta.length) {
    const cmd = delta[pos.at++]!;
    if (cmd & 0x80) {
      let off = 0;
      let size = 0;
      for (let k = 0; k < 4; k++) if (cmd & (1 << k)) off += (delta[pos.at++] ?? 0) * 2 ** (8 * k);
      for (let k = 0; k < 3; k++) if (cmd & (0x10 << k)) size += (delta[pos.at++] ?? 0) << (8 * k);
      if (size === 0) size = 0x10000;
      if (off + size > base.length || n + size > dstSize)
        throw new Error('corrupt delta: copy outside the preimage or target');
      base.copy(out, n, off, off + size);
      n += size;
    } else if (cmd > 0) {
      if (pos.at + cmd > delta.length || n + cmd > dstSize)
        throw new Error('corrupt delta: insert past its end');
      delta.copy(out, n, pos.at, pos.at + cmd);
      pos.at += cmd;
      n += cmd;
    } else {
      throw new Error('corrupt delta: opcode 0');
    }
  }
  if (n !== dstSize) throw new Error(`corrupt delta: produced ${n} bytes, expected ${dstSize}`);
  return out;
}

/** Applies a parsed hunk to the preimage. */
export function applyBinaryHunk(preimage: Buffer, hunk: BinaryHunk): Buffer {
  return hunk.kind === 'literal' ? hunk.data : applyDelta(preimage, hunk.data);
}

/** Emits `literal <size>` lines for `content` (deflated, 52 bytes per line). */
export function encodeLiteral(content: Buffer): string {
  const z = deflateSync(content);
  let out = `literal ${content.length}\n`;
  for (let i = 0; i < z.length; i += 52) {
    const chunk = z.subarray(i, i + 52);
    const c = chunk.length <= 26 ? 64 + chunk.length : 96 + chunk.length - 26;
    out += `${String.fromCharCode(c)}${encodeBase85(chunk)}\n`;
  }
  return `${out}\n`;
}
