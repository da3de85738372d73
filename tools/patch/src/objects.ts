import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { deflateSync } from 'node:zlib';
import type { CatFile } from './git.js';

/** The object id git gives `data` as an object of `type`. */
export function hashObject(type: string, data: Buffer): string {
  return createHash('sha1').update(`${type} ${data.length}\0`).update(data).digest('hex');
}

/**
 * The object database of a repository: reads through `git cat-file --batch`, writes
 * loose objects directly (zlib, level 1 like git's `core.looseCompression` default),
 * each through a temporary file and a rename so a killed process never leaves a torn
 * object behind.
 */
export class ObjectStore {
  private readonly cache = new Map<string, Buffer>();

  constructor(
    readonly objectsDir: string,
    private readonly cat: CatFile,
  ) {}

  async read(oid: string, type: string): Promise<Buffer> {
    const hit = this.cache.get(oid);
    if (hit) return hit;
    const obj = await this.cat.read(oid);
    if (!obj || obj.type !== type)
      throw new Error(`object ${oid} is not a ${type} in this repository`);
    if (obj.data.length < 1 << 20) this.cache.set(oid, obj.data);
    return obj.data;
  }

  /** Resolves an abbreviated id from an `index` line to a full one, if it exists here. */
  async resolve(abbrev: string, type: string): Promise<string | undefined> {
    if (/^0+$/.test(abbrev)) return undefined;
    const obj = await this.cat.read(abbrev);
    if (!obj || obj.type !== type) return undefined;
    const oid = hashObject(type, obj.data);
    this.cache.set(oid, obj.data);
    return oid;
  }

  write(type: string, data: Buffer): string {
    const oid = hashObject(type, data);
    if (this.cache.has(oid)) return oid;
    const dir = join(this.objectsDir, oid.slice(0, 2));
    const file = join(dir, oid.slice(2));
    if (!existsSync(file)) {
      mkdirSync(dir, { recursive: true });
      const tmp = join(dir, `tmp_obj_${process.pid}_${oid.slice(2, 10)}`);
      const body = Buffer.concat([Buffer.from(`${type} ${data.length}\0`), data]);
      writeFileSync(tmp, deflateSync(body, { level: 1 }), { mode: 0o444 });
      renameSync(tmp, file);
    }
    this.cache.set(oid, data);
    return oid;
  }
}
