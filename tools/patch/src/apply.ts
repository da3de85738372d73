import { applyBinaryHunk } from './binary.js';
import { applyHunks, HunkError, type Patched, patchContent } from './diff-apply.js';
import { hashObject, type ObjectAccess } from './objects.js';
import type { FilePatch } from './patch.js';
import { type BlobEntry, checkPathSafe, type TreeEditor } from './tree.js';

/** A patch that does not apply; `path` is the file, as git names it in its message. */
export class ApplyError extends Error {
  readonly code = 'EINVAL';
  constructor(
    message: string,
    readonly path: string,
    readonly hunk?: string,
  ) {
    super(message);
  }
}

/** A three-way merge for one file; returns the merged content and whether it conflicts. */
export type MergeFile = (
  path: string,
  base: Buffer,
  ours: Buffer,
  theirs: Buffer,
) => { content: Buffer; conflict: boolean };

export interface ApplyOptions {
  /** `-3`: when hunks fail, merge using the preimage blob named on the `index` line. */
  merge?: MergeFile;
}

/** What applying one mail did to its tree. */
export interface ApplyResult {
  /** Paths merged with conflicts (only with a merge function); the tree holds the markers. */
  conflicts: string[];
  /** Paths for which the three-way fallback was used. */
  merged: string[];
}

const shown = (p: string): string => Buffer.from(p, 'latin1').toString('utf8');

async function contentOf(store: ObjectAccess, e: BlobEntry): Promise<Buffer> {
  if (e.mode === '160000') throw new ApplyError('cannot patch a submodule', '');
  return store.read(e.oid, 'blob');
}

interface Change {
  remove?: string;
  write?: { path: string; entry: BlobEntry };
}

async function postimage(
  store: ObjectAccess,
  fp: FilePatch,
  path: string,
  pre: Buffer,
  opts: ApplyOptions,
  result: ApplyResult,
): Promise<Patched> {
  if (fp.binary === 'no-data') {
    const full = fp.newOid && (await store.resolve(fp.newOid, 'blob'));
    if (!full || fp.newOid!.length < 40)
      throw new ApplyError(
        `cannot apply binary patch to '${shown(path)}' without full index line`,
        path,
      );
    return { content: await store.read(full, 'blob') };
  }
  if (fp.binary) {
    if (
      fp.oldOid &&
      fp.oldOid.length === 40 &&
      !/^0+$/.test(fp.oldOid) &&
      hashObject('blob', pre) !== fp.oldOid
    )
      throw new ApplyError(
        `the patch applies to '${shown(path)}' (${fp.oldOid}), which does not match the current contents.`,
        path,
      );
    let out: Buffer;
    try {
      out = applyBinaryHunk(pre, fp.binary.forward);
    } catch (e) {
      throw new ApplyError(
        `binary patch does not apply to '${shown(path)}': ${(e as Error).message}`,
        path,
      );
    }
    if (
      fp.newOid &&
      fp.newOid.length === 40 &&
      !/^0+$/.test(fp.newOid) &&
      hashObject('blob', out) !== fp.newOid
    )
      throw new ApplyError(
        `binary patch to '${shown(path)}' creates incorrect result (expecting ${fp.newOid}, got ${hashObject('blob', out)})`,
        path,
      );
    return { content: out };
  }
  try {
    return patchContent(path, pre, fp.hunks);
  } catch (e) {
    if (!(e instanceof HunkError)) throw e;
    const base = opts.merge && fp.oldOid ? await store.resolve(fp.oldOid, 'blob') : undefined;
    if (!opts.merge || !base) throw new ApplyError(e.message, path, e.hunk.header);
    const baseContent = await store.read(base, 'blob');
    let theirs: Buffer;
    try {
      theirs = applyHunks(path, baseContent, fp.hunks);
    } catch {
      throw new ApplyError(e.message, path, e.hunk.header);
    }
    const merged = opts.merge(path, baseContent, pre, theirs);
    result.merged.push(path);
    if (merged.conflict) result.conflicts.push(path);
    return { content: merged.content };
  }
}

/**
 * Applies every file of one patch to `tree`, all or nothing: all preimages are read and
 * all postimages computed before the tree changes, so a failure in the last file leaves
 * the tree as it was. Paths are checked with {@link checkPathSafe} and against symlinks.
 */
export async function applyToTree(
  store: ObjectAccess,
  tree: TreeEditor,
  files: FilePatch[],
  opts: ApplyOptions = {},
): Promise<ApplyResult> {
  const result: ApplyResult = { conflicts: [], merged: [] };
  const changes: Change[] = [];
  const created = new Set<string>();
  for (const fp of files) {
    if (fp.oldPath !== undefined) checkPathSafe(fp.oldPath);
    if (fp.newPath !== undefined) checkPathSafe(fp.newPath);
    const oldPath = fp.kind === 'create' ? undefined : (fp.oldPath ?? fp.newPath);
    const newPath = fp.kind === 'delete' ? undefined : (fp.newPath ?? fp.oldPath);
    let pre: Buffer = Buffer.alloc(0);
    let oldEntry: BlobEntry | undefined;
    if (oldPath !== undefined) {
      oldEntry = await tree.get(oldPath);
      if (!oldEntry) throw new ApplyError(`${shown(oldPath)}: does not exist in index`, oldPath);
      if (
        fp.oldMode &&
        fp.oldMode !== oldEntry.mode &&
        (fp.oldMode === '120000') !== (oldEntry.mode === '120000')
      )
        throw new ApplyError(`${shown(oldPath)}: wrong type`, oldPath);
      pre = await contentOf(store, oldEntry);
    }
    if (newPath !== undefined && newPath !== oldPath) {
      if ((await tree.get(newPath)) && !changes.some((c) => c.remove === newPath))
        throw new ApplyError(`${shown(newPath)}: already exists in index`, newPath);
      if (created.has(newPath))
        throw new ApplyError(`${shown(newPath)}: already exists in index`, newPath);
      created.add(newPath);
    }
    const reportPath = newPath ?? oldPath!;
    const { content: out, splices } = await postimage(store, fp, reportPath, pre, opts, result);
    if (newPath === undefined) {
      if (out.length > 0) throw new ApplyError(`removal patch leaves file contents`, oldPath!);
      changes.push({ remove: oldPath! });
      continue;
    }
    const mode = fp.newMode ?? oldEntry?.mode ?? '100644';
    const oid = store.write('blob', out, oldEntry?.oid, oldEntry && splices);
    if (fp.kind === 'rename' && oldPath !== undefined) changes.push({ remove: oldPath });
    changes.push({ write: { path: newPath, entry: { mode, oid } } });
  }
  for (const c of changes) if (c.remove !== undefined) await tree.remove(c.remove);
  for (const c of changes) if (c.write) await tree.set(c.write.path, c.write.entry);
  return result;
}
