import { hash } from 'node:crypto';
import { join } from 'node:path';
import type { CatFile } from './git.js';
import { installPack, PackBuilder } from './pack.js';

/** The object id git gives `data` as an object of `type`. */
export function hashObject(type: string, data: Buffer): string {
  // One call into OpenSSL (crypto.hash) instead of a Hash object and three calls: the
  // header and the data are copied into one buffer first, which costs less.
  const head = `${type} ${data.length}\0`;
  const all = Buffer.allocUnsafe(head.length + data.length);
  all.write(head, 0, 'latin1');
  data.copy(all, head.length);
  return hash('sha1', all, 'hex');
}

/** What applying patches needs from an object database. */
export interface ObjectAccess {
  /** The content of object `oid`; throws when it is missing or not a `type`. */
  read(oid: string, type: string): Promise<Buffer>;
  /** The full id of an abbreviated one, when that object exists here. */
  resolve(abbrev: string, type: string): Promise<string | undefined>;
  /**
   * Stores `data` and returns its id. `like` names an object `data` is probably close to
   * (the preimage of a patched file, the previous version of a tree), which a store may
   * use to keep `data` as a delta; it never changes the id.
   */
  write(type: string, data: Buffer, like?: string): string;
}

/**
 * An object database in memory: what tests, doctests and dry runs apply patches to.
 *
 * @example
 * ```ts
 * import { MemoryObjects } from '@rfl/patch';
 * const db = new MemoryObjects();
 * db.write('blob', Buffer.from('hello\n')) // => 'ce013625030ba8dba906f756967f9e9ca394464a'
 * ```
 */
export class MemoryObjects implements ObjectAccess {
  readonly objects = new Map<string, { type: string; data: Buffer }>();

  async read(oid: string, type: string): Promise<Buffer> {
    const o = this.objects.get(oid);
    if (!o || o.type !== type) throw new Error(`object ${oid} is not a ${type} in this repository`);
    return o.data;
  }

  async resolve(abbrev: string, type: string): Promise<string | undefined> {
    if (/^0+$/.test(abbrev)) return undefined;
    const hits = [...this.objects].filter(([oid, o]) => oid.startsWith(abbrev) && o.type === type);
    return hits.length === 1 ? hits[0]![0] : undefined;
  }

  write(type: string, data: Buffer): string {
    const oid = hashObject(type, data);
    this.objects.set(oid, { type, data });
    return oid;
  }
}

/**
 * The object database of a repository: reads through `git cat-file --batch`; new objects
 * stay in memory until {@link ObjectStore.flush} writes them as one pack (see `pack.ts`).
 * Until then nothing is visible to git, so an interrupted run leaves the repository as
 * it was; the store answers reads of its own new objects from memory.
 */
export class ObjectStore implements ObjectAccess {
  private readonly cache = new Map<string, Buffer>();
  /** The type of each cached object, so a delta is only ever made against its own type. */
  private readonly types = new Map<string, string>();
  private pending: { oid: string; type: string; data: Buffer; like?: string }[] = [];
  private readonly pendingIds = new Set<string>();

  constructor(
    readonly objectsDir: string,
    private readonly cat: CatFile,
  ) {}

  async read(oid: string, type: string): Promise<Buffer> {
    let hit = this.cache.get(oid);
    if (hit) return hit;
    // A request now would be answered after the prefetched ones anyway: wait for them,
    // then ask only if they did not bring this object.
    await this.prefetched;
    hit = this.cache.get(oid);
    if (hit) return hit;
    const obj = await this.cat.read(oid);
    if (!obj || obj.type !== type)
      throw new Error(`object ${oid} is not a ${type} in this repository`);
    if (obj.data.length < 1 << 20) {
      this.cache.set(oid, obj.data);
      this.types.set(oid, type);
    }
    return obj.data;
  }

  /** Resolves an abbreviated id from an `index` line to a full one, if it exists here. */
  async resolve(abbrev: string, type: string): Promise<string | undefined> {
    if (/^0+$/.test(abbrev)) return undefined;
    if (abbrev.length === 40 && this.pendingIds.has(abbrev)) return abbrev;
    const obj = await this.cat.read(abbrev);
    if (!obj || obj.type !== type) return undefined;
    const oid = hashObject(type, obj.data);
    this.cache.set(oid, obj.data);
    this.types.set(oid, type);
    return oid;
  }

  /**
   * Asks for the blobs named by abbreviated ids (a series' `index` lines) all at once,
   * before they are needed: git streams the answers instead of one round trip per patch.
   * Each blob found is cached under its full id, as {@link resolve} does; a missing or
   * ambiguous id is left alone. Only the repository's objects answer (new ones are not
   * visible to git until {@link flush}), so asking early changes no answer.
   */
  prefetchBlobs(abbrevs: string[]): void {
    const wanted = [...new Set(abbrevs)].filter((a) => !/^0+$/.test(a) && !this.pendingIds.has(a));
    const answers = this.cat.readMany(wanted);
    this.prefetched = Promise.all(
      answers.map(async (p) => {
        const obj = await p;
        if (obj?.type !== 'blob' || obj.data.length >= 1 << 20) return;
        const oid = hashObject('blob', obj.data);
        if (this.cache.has(oid)) return;
        this.cache.set(oid, obj.data);
        this.types.set(oid, 'blob');
      }),
    ).then(
      () => {},
      // A failed answer is asked again, and reported, by the read that needs it.
      () => {},
    );
  }

  /** Settles when the answers asked for by {@link prefetchBlobs} are in the cache. */
  private prefetched: Promise<void> = Promise.resolve();

  /** The content of `like` when it is a repository object (not a new one) of `type`. */
  private outsideBase(like: string | undefined, type: string): Buffer | undefined {
    if (like === undefined || this.pendingIds.has(like) || this.types.get(like) !== type)
      return undefined;
    return this.cache.get(like);
  }

  write(type: string, data: Buffer, like?: string): string {
    const oid = hashObject(type, data);
    if (this.cache.has(oid) || this.pendingIds.has(oid)) return oid;
    this.pending.push(like === undefined ? { oid, type, data } : { oid, type, data, like });
    this.pendingIds.add(oid);
    this.cache.set(oid, data);
    this.types.set(oid, type);
    return oid;
  }

  /**
   * Writes the new objects as one pack, so git can see them; returns the pack name. Each
   * object written with `like` may be stored as a delta against it (see `PackBuilder`).
   */
  flush(): string | undefined {
    const b = new PackBuilder();
    for (const o of this.pending)
      b.add(o.oid, o.type, o.data, o.like, this.outsideBase(o.like, o.type));
    const built = b.finish();
    this.pending = [];
    this.pendingIds.clear();
    return built && installPack(join(this.objectsDir, 'pack'), built);
  }
}
