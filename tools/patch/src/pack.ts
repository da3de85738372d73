import { createHash } from 'node:crypto';
import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { crc32, deflateSync } from 'node:zlib';

const TYPES: Record<string, number> = { commit: 1, tree: 2, blob: 3, tag: 4 };
const OFS_DELTA = 6;

/** An object for {@link writePack}; with `delta`, stored as a delta against `delta.base`. */
export interface PackEntry {
  oid: string;
  type: string;
  data: Buffer;
  /** A git delta that rebuilds `data` from `base`, an object earlier in the same pack. */
  delta?: { base: string; data: Buffer };
}

/** The `OFS_DELTA` base distance: big-endian 7-bit groups, each but the last biased by one. */
function baseDistance(distance: number): Buffer {
  const bytes = [distance & 0x7f];
  distance = Math.floor(distance / 128);
  while (distance > 0) {
    distance -= 1;
    bytes.unshift(0x80 | (distance & 0x7f));
    distance = Math.floor(distance / 128);
  }
  return Buffer.from(bytes);
}

/** The pack-format object header: type and size in a little-endian varint. */
function entryHeader(type: number, size: number): Buffer {
  const bytes: number[] = [];
  let c = (type << 4) | (size & 0x0f);
  size = Math.floor(size / 16);
  while (size > 0) {
    bytes.push(c | 0x80);
    c = size & 0x7f;
    size = Math.floor(size / 128);
  }
  bytes.push(c);
  return Buffer.from(bytes);
}

/**
 * Writes objects as one version-2 pack with its version-2 index, the way
 * `git fast-import` does, so a 400-commit run creates two files instead of thousands of
 * loose objects. Objects are stored in the order given, each whole or, with `delta`, as an
 * `OFS_DELTA` against an earlier entry (so ten edits of a file cost one full copy and ten
 * small deltas). The `.pack` is renamed into place before the `.idx`: git only sees a
 * pack through its index, so an interrupted write leaves no visible half-pack.
 */
export function writePack(packDir: string, objects: PackEntry[]): string | undefined {
  if (objects.length === 0) return undefined;
  const head = Buffer.alloc(12);
  head.write('PACK', 0, 'latin1');
  head.writeUInt32BE(2, 4);
  head.writeUInt32BE(objects.length, 8);
  const chunks: Buffer[] = [head];
  const offsets = new Map<string, number>();
  const crcs = new Map<string, number>();
  let offset = 12;
  for (const o of objects) {
    const baseAt = o.delta && offsets.get(o.delta.base);
    const entry =
      o.delta && baseAt !== undefined
        ? Buffer.concat([
            entryHeader(OFS_DELTA, o.delta.data.length),
            baseDistance(offset - baseAt),
            deflateSync(o.delta.data, { level: 1 }),
          ])
        : Buffer.concat([
            entryHeader(TYPES[o.type]!, o.data.length),
            deflateSync(o.data, { level: 1 }),
          ]);
    offsets.set(o.oid, offset);
    crcs.set(o.oid, crc32(entry));
    chunks.push(entry);
    offset += entry.length;
  }
  const packHash = createHash('sha1');
  for (const c of chunks) packHash.update(c);
  const packSum = packHash.digest();
  chunks.push(packSum);

  const sorted = [...objects].sort((a, b) => (a.oid < b.oid ? -1 : a.oid > b.oid ? 1 : 0));
  const fanout = Buffer.alloc(256 * 4);
  const counts = new Array<number>(256).fill(0);
  for (const o of sorted) counts[Number.parseInt(o.oid.slice(0, 2), 16)]!++;
  let running = 0;
  for (let i = 0; i < 256; i++) {
    running += counts[i]!;
    fanout.writeUInt32BE(running, i * 4);
  }
  const names = Buffer.concat(sorted.map((o) => Buffer.from(o.oid, 'hex')));
  const crcBuf = Buffer.alloc(sorted.length * 4);
  const offBuf = Buffer.alloc(sorted.length * 4);
  sorted.forEach((o, i) => {
    crcBuf.writeUInt32BE(crcs.get(o.oid)!, i * 4);
    offBuf.writeUInt32BE(offsets.get(o.oid)!, i * 4);
  });
  const idxBody = Buffer.concat([
    Buffer.from([0xff, 0x74, 0x4f, 0x63, 0, 0, 0, 2]),
    fanout,
    names,
    crcBuf,
    offBuf,
    packSum,
  ]);
  const idx = Buffer.concat([idxBody, createHash('sha1').update(idxBody).digest()]);
  if (offset >= 0x80000000) throw new Error('pack larger than 2 GiB; apply the series in parts');

  mkdirSync(packDir, { recursive: true });
  const name = `pack-${packSum.toString('hex')}`;
  const tmp = join(packDir, `tmp_${process.pid}_${name}`);
  writeFileSync(`${tmp}.pack`, Buffer.concat(chunks), { mode: 0o444 });
  writeFileSync(`${tmp}.idx`, idx, { mode: 0o444 });
  renameSync(`${tmp}.pack`, join(packDir, `${name}.pack`));
  renameSync(`${tmp}.idx`, join(packDir, `${name}.idx`));
  return name;
}
