import { hash } from 'node:crypto';
import { join } from 'node:path';
import type { Splice } from './delta.js';
import type { CatFile, CatFileStream, RawObject } from './git.js';
import { installPack, PackBuilder } from './pack.js';

/** Where {@link hashObject} puts an object's header and content for one call to hash. */
let scratch = Buffer.allocUnsafeSlow(64 << 10);

/** The object id git gives `data` as an object of `type`. */
export function hashObject(type: string, data: Buffer): string {
  // One call into OpenSSL (crypto.hash) instead of a Hash object and three calls: the
  // header and the data are copied into one buffer first, which costs less. The buffer
  // is reused, as a fresh one per object (most are over Node's 4 KiB pool size) cost
  // an allocation each, and a scavenge every few dozen objects.
  const head = `${type} ${data.length}\0`;
  const size = head.length + data.length;
  if (size > scratch.length) {
    if (size > 16 << 20) {
      const all = Buffer.allocUnsafe(size);
      all.write(head, 0, 'latin1');
      data.copy(all, head.length);
      return hash('sha1', all, 'hex');
    }
    scratch = Buffer.allocUnsafeSlow(Math.max(size, scratch.length * 2));
  }
  scratch.write(head, 0, 'latin1');
  data.copy(scratch, head.length);
  return hash('sha1', scratch.subarray(0, size), 'hex');
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
   * use to keep `data` as a delta; `splices`, when given, say how `data` is `like` with
   * runs replaced, so the delta needs no search. Neither ever changes the id.
   */
  write(type: string, data: Buffer, like?: string, splices?: readonly Splice[]): string;
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
  private pending: {
    oid: string;
    type: string;
    data: Buffer;
    like?: string;
    splices?: readonly Splice[];
  }[] = [];
  private readonly pendingIds = new Set<string>();
  /** The process streaming {@link prefetchBlobs}' answers, apart from on-demand reads. */
  private stream: CatFileStream | undefined;
  /**
   * Prefetched answers still on their way, by the first seven digits of the id asked
   * for: each promise settles once its answer is cached.
   */
  private readonly arriving = new Map<string, Promise<void>>();

  /**
   * `cat` answers reads as they come; `openStream` asks another `git cat-file --batch`
   * for the objects of {@link prefetchBlobs}, so a read never queues behind a prefetch.
   */
  constructor(
    readonly objectsDir: string,
    private readonly cat: CatFile,
    private readonly openStream?: (revs: string[]) => CatFileStream,
  ) {}

  async read(oid: string, type: string): Promise<Buffer> {
    let hit = this.cache.get(oid);
    if (hit) return hit;
    // Asked for already: wait for that answer rather than ask again.
    const coming = this.arriving.get(oid.slice(0, 7));
    if (coming) {
      await coming;
      hit = this.cache.get(oid);
      if (hit) return hit;
    }
    const obj = await this.cat.read(oid);
    if (!obj || obj.type !== type)
      throw new Error(`object ${oid} is not a ${type} in this repository`);
    this.keep(obj.oid, type, obj.data);
    return obj.data;
  }

  /** Caches an object read from the repository, unless it is large. */
  private keep(oid: string, type: string, data: Buffer): void {
    if (data.length >= 1 << 20) return;
    this.cache.set(oid, data);
    this.types.set(oid, type);
  }

  /** Resolves an abbreviated id from an `index` line to a full one, if it exists here. */
  async resolve(abbrev: string, type: string): Promise<string | undefined> {
    if (/^0+$/.test(abbrev)) return undefined;
    if (abbrev.length === 40 && this.pendingIds.has(abbrev)) return abbrev;
    const obj = await this.cat.read(abbrev);
    if (!obj || obj.type !== type) return undefined;
    this.keep(obj.oid, type, obj.data);
    return obj.oid;
  }

  /**
   * Asks for the blobs named by abbreviated ids (a series' `index` lines) all at once,
   * before they are needed: git streams the answers, in order, while the caller works,
   * and a read waits only for its own answer. Each blob found is cached under its full
   * id; a missing or ambiguous id is left alone. Only the repository's objects answer
   * (new ones are not visible to git until {@link flush}), so asking early changes no
   * answer.
   */
  prefetchBlobs(abbrevs: string[]): void {
    const wanted = [...new Set(abbrevs)].filter((a) => !/^0+$/.test(a) && !this.pendingIds.has(a));
    if (wanted.length === 0) return;
    let answers: Promise<RawObject | undefined>[];
    try {
      if (!this.openStream || this.stream) throw new Error('one stream per store');
      this.stream = this.openStream(wanted);
      answers = this.stream.answers;
    } catch {
      // No stream (none here, one already, or no temporary file to be had): the same
      // questions go to the process that answers reads, behind which reads then queue.
      answers = wanted.map((abbrev) => this.cat.read(abbrev));
    }
    wanted.forEach((abbrev, k) => {
      const arrived = answers[k]!.then(
        (obj) => {
          if (obj?.type === 'blob' && !this.cache.has(obj.oid))
            this.keep(obj.oid, 'blob', obj.data);
        },
        // A failed answer is asked again, and reported, by the read that needs it.
        () => {},
      );
      const key = abbrev.slice(0, 7);
      const earlier = this.arriving.get(key);
      this.arriving.set(key, earlier ? Promise.all([earlier, arrived]).then(() => {}) : arrived);
    });
  }

  /** Ends the prefetch process, if one was started. */
  close(): void {
    this.stream?.close();
  }

  /** The content of `like` when it is a repository object (not a new one) of `type`. */
  private outsideBase(like: string | undefined, type: string): Buffer | undefined {
    if (like === undefined || this.pendingIds.has(like) || this.types.get(like) !== type)
      return undefined;
    return this.cache.get(like);
  }

  write(type: string, data: Buffer, like?: string, splices?: readonly Splice[]): string {
    const oid = hashObject(type, data);
    // Only objects written by this store are skipped. Which repository objects are known
    // here depends on how far the prefetch has got, and a pack that depended on timing
    // would differ from run to run; an object git already has is harmless in the pack.
    if (this.pendingIds.has(oid)) return oid;
    this.pending.push(
      like === undefined
        ? { oid, type, data }
        : splices === undefined
          ? { oid, type, data, like }
          : { oid, type, data, like, splices },
    );
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
      b.add(o.oid, o.type, o.data, o.like, this.outsideBase(o.like, o.type), o.splices);
    const built = b.finish();
    this.pending = [];
    this.pendingIds.clear();
    return built && installPack(join(this.objectsDir, 'pack'), built);
  }
}
