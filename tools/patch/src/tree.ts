import type { ObjectAccess } from './objects.js';

/** A blob entry: its mode (`100644`, `100755`, `120000`, `160000`) and object id. */
export interface BlobEntry {
  mode: string;
  oid: string;
}

interface Dir {
  /** The id this directory had when loaded, undefined once changed. */
  oid: string | undefined;
  entries: Map<string, BlobEntry | Dir> | undefined;
  /** The id it had when last loaded or written: what a new version is likely close to. */
  like?: string;
  /** Its names in git's tree order, kept until a name is added or removed. */
  order?: string[];
}

const isDir = (e: BlobEntry | Dir): e is Dir => !('mode' in e);

/** A path that a patch must not touch, with the reason. */
export class UnsafePathError extends Error {
  readonly code = 'EPERM';
  constructor(path: string, why: string) {
    super(`refusing to touch '${Buffer.from(path, 'latin1').toString('utf8')}': ${why}`);
  }
}

/**
 * Rejects paths that would escape the work tree or reach into the repository: absolute
 * paths, empty, `.` or `..` components, and any `.git` component (in any letter case, as
 * git does for case-insensitive file systems).
 */
export function checkPathSafe(path: string): void {
  if (path.startsWith('/')) throw new UnsafePathError(path, 'absolute path');
  for (const part of path.split('/')) {
    if (part === '' || part === '.' || part === '..')
      throw new UnsafePathError(path, 'path leaves the work tree');
    if (part.toLowerCase() === '.git') throw new UnsafePathError(path, 'path inside .git');
  }
}

function compareEntries(a: [string, BlobEntry | Dir], b: [string, BlobEntry | Dir]): number {
  const ka = isDir(a[1]) ? `${a[0]}/` : a[0];
  const kb = isDir(b[1]) ? `${b[0]}/` : b[0];
  return ka < kb ? -1 : ka > kb ? 1 : 0;
}

/**
 * An editable view of a git tree: directories are loaded on first use and only changed
 * directories are written back, so a commit touching three files costs three trees plus
 * their parents, whatever the size of the repository.
 */
export class TreeEditor {
  private root: Dir;

  constructor(
    private readonly store: ObjectAccess,
    rootOid: string,
  ) {
    this.root = { oid: rootOid, entries: undefined };
  }

  private async load(dir: Dir): Promise<Map<string, BlobEntry | Dir>> {
    if (dir.entries) return dir.entries;
    const entries = new Map<string, BlobEntry | Dir>();
    const data = await this.store.read(dir.oid!, 'tree');
    let i = 0;
    while (i < data.length) {
      const sp = data.indexOf(0x20, i);
      const nul = data.indexOf(0, sp);
      const mode = data.toString('latin1', i, sp);
      const name = data.toString('latin1', sp + 1, nul);
      const oid = data.toString('hex', nul + 1, nul + 21);
      entries.set(name, mode === '40000' ? { oid, entries: undefined } : { mode, oid });
      i = nul + 21;
    }
    dir.entries = entries;
    return entries;
  }

  /** The directory holding `path`, refusing paths that pass through a symlink or file. */
  private async parent(
    path: string,
    create: boolean,
  ): Promise<{ dir: Dir; name: string; chain: Dir[] } | undefined> {
    const parts = path.split('/');
    const name = parts.pop()!;
    let dir = this.root;
    const chain = [dir];
    for (const part of parts) {
      const entries = await this.load(dir);
      const next = entries.get(part);
      if (next && !isDir(next)) {
        if (next.mode === '120000')
          throw new UnsafePathError(path, 'path goes through a symbolic link');
        if (!create) return undefined;
        throw new UnsafePathError(path, `'${part}' is a file, not a directory`);
      }
      if (!next) {
        if (!create) return undefined;
        const fresh: Dir = { oid: undefined, entries: new Map() };
        entries.set(part, fresh);
        dir.order = undefined;
        dir = fresh;
      } else dir = next;
      chain.push(dir);
    }
    return { dir, name, chain };
  }

  private changed(dir: Dir): void {
    if (dir.oid) dir.like = dir.oid;
    dir.oid = undefined;
  }

  async get(path: string): Promise<BlobEntry | undefined> {
    const p = await this.parent(path, false);
    if (!p) return undefined;
    const e = (await this.load(p.dir)).get(p.name);
    return e && !isDir(e) ? e : undefined;
  }

  /** Whether `path` names a directory in the tree. */
  async isDirectory(path: string): Promise<boolean> {
    const p = await this.parent(path, false);
    if (!p) return false;
    const e = (await this.load(p.dir)).get(p.name);
    return e !== undefined && isDir(e);
  }

  async set(path: string, entry: BlobEntry): Promise<void> {
    const p = (await this.parent(path, true))!;
    const entries = await this.load(p.dir);
    const old = entries.get(p.name);
    if (old && isDir(old)) throw new UnsafePathError(path, 'a directory of that name exists');
    if (!old) p.dir.order = undefined;
    entries.set(p.name, entry);
    for (const d of p.chain) this.changed(d);
  }

  /** Removes `path` and any directories left empty, as git does. */
  async remove(path: string): Promise<void> {
    const p = await this.parent(path, false);
    if (!p) return;
    (await this.load(p.dir)).delete(p.name);
    p.dir.order = undefined;
    for (const d of p.chain) this.changed(d);
    const parts = path.split('/');
    for (let k = p.chain.length - 1; k > 0; k--) {
      const d = p.chain[k]!;
      if (d.entries && d.entries.size === 0) {
        p.chain[k - 1]!.entries!.delete(parts[k - 1]!);
        p.chain[k - 1]!.order = undefined;
      } else break;
    }
  }

  /** Writes every changed directory and returns the root tree id. */
  write(): string {
    const writeDir = (dir: Dir): string => {
      if (dir.oid) return dir.oid;
      const entries = dir.entries!;
      dir.order ??= [...entries].sort(compareEntries).map(([name]) => name);
      const rows: [string, string][] = [];
      let size = 0;
      for (const name of dir.order) {
        const e = entries.get(name)!;
        const mode = isDir(e) ? '40000' : e.mode;
        rows.push([`${mode} ${name}\0`, isDir(e) ? writeDir(e) : e.oid]);
        size += mode.length + name.length + 22;
      }
      const data = Buffer.allocUnsafe(size);
      let at = 0;
      for (const [head, oid] of rows) {
        at += data.write(head, at, 'latin1');
        at += data.write(oid, at, 'hex');
      }
      dir.oid = this.store.write('tree', data, dir.like);
      dir.like = dir.oid;
      return dir.oid;
    };
    return writeDir(this.root);
  }
}
