import { type BinaryHunk, parseBinaryPatch } from './binary.js';
import { splitLines } from './mbox.js';
import { unquoteC } from './quote.js';

/** One `@@` hunk: the lines it expects and the lines it leaves, with end-of-line bytes. */
export interface Hunk {
  header: string;
  oldStart: number;
  oldCount: number;
  newStart: number;
  newCount: number;
  pre: Buffer[];
  post: Buffer[];
  /** Context lines before the first and after the last change. */
  leading: number;
  trailing: number;
}

/** The change to one file in a git diff. Paths are byte strings (see `quote.ts`). */
export interface FilePatch {
  kind: 'modify' | 'create' | 'delete' | 'rename' | 'copy';
  oldPath: string | undefined;
  newPath: string | undefined;
  oldMode: string | undefined;
  newMode: string | undefined;
  /** The ids of the `index` line (abbreviated unless `--full-index`/`--binary`). */
  oldOid: string | undefined;
  newOid: string | undefined;
  hunks: Hunk[];
  binary: { forward: BinaryHunk; reverse?: BinaryHunk } | 'no-data' | undefined;
}

/** A patch that cannot be parsed; `line` is 1-based within the patch text. */
export class PatchParseError extends Error {
  readonly code = 'EINVAL';
  constructor(
    message: string,
    readonly line: number,
  ) {
    super(`corrupt patch at line ${line}: ${message}`);
  }
}

const text = (b: Buffer): string => {
  let end = b.length;
  if (b[end - 1] === 0x0a) end--;
  if (b[end - 1] === 0x0d) end--;
  return b.toString('latin1', 0, end);
};

function stripPrefix(name: string): string {
  const slash = name.indexOf('/');
  return slash < 0 ? name : name.slice(slash + 1);
}

/** A name from a `---`/`+++`/`rename from` line: quoted or up to a tab; `/dev/null` is none. */
function readName(raw: string, prefixed: boolean): string | undefined {
  let name: string;
  if (raw.startsWith('"')) {
    const q = unquoteC(raw);
    if (!q) return undefined;
    name = q.name;
  } else {
    const tab = raw.indexOf('\t');
    name = tab < 0 ? raw : raw.slice(0, tab);
  }
  if (name === '/dev/null') return undefined;
  return prefixed ? stripPrefix(name) : name;
}

/** The two names of `diff --git a/X b/Y`, when the line alone determines them. */
function gitHeaderNames(rest: string): [string, string] | undefined {
  if (rest.startsWith('"')) {
    const a = unquoteC(rest);
    if (!a) return undefined;
    const tail = rest.slice(a.end + 1);
    const b = tail.startsWith('"') ? unquoteC(tail)?.name : tail;
    return b === undefined ? undefined : [stripPrefix(a.name), stripPrefix(b)];
  }
  const q = rest.indexOf(' "');
  if (q >= 0) {
    const b = unquoteC(rest.slice(q + 1));
    if (b) return [stripPrefix(rest.slice(0, q)), stripPrefix(b.name)];
  }
  if ((rest.length - 1) % 2 === 0) {
    const half = (rest.length - 1) / 2;
    const a = stripPrefix(rest.slice(0, half));
    const b = stripPrefix(rest.slice(half + 1));
    if (a === b) return [a, b];
  }
  return undefined;
}

const HUNK = /^@@ -(\d+)(?:,(\d+))? \+(\d+)(?:,(\d+))? @@/;

function parseHunk(lines: Buffer[], at: number, header: string): { hunk: Hunk; next: number } {
  const m = HUNK.exec(header)!;
  const oldCount = m[2] === undefined ? 1 : Number(m[2]);
  const newCount = m[4] === undefined ? 1 : Number(m[4]);
  const hunk: Hunk = {
    header,
    oldStart: Number(m[1]),
    oldCount,
    newStart: Number(m[3]),
    newCount,
    pre: [],
    post: [],
    leading: 0,
    trailing: 0,
  };
  let oldLeft = oldCount;
  let newLeft = newCount;
  let i = at + 1;
  let last: ' ' | '-' | '+' | undefined;
  let seenChange = false;
  for (; i < lines.length && (oldLeft > 0 || newLeft > 0 || lines[i]![0] === 0x5c); i++) {
    const line = lines[i]!;
    const op = line.length === 0 || line[0] === 0x0a ? ' ' : String.fromCharCode(line[0]!);
    const body = line.length === 0 || line[0] === 0x0a ? Buffer.from('\n') : line.subarray(1);
    if (op === '\\') {
      if (!last) throw new PatchParseError('"\\ No newline" before any line', i + 1);
      const chop = (arr: Buffer[]): void => {
        const prev = arr[arr.length - 1]!;
        arr[arr.length - 1] = prev.subarray(
          0,
          prev[prev.length - 1] === 0x0a ? prev.length - 1 : prev.length,
        );
      };
      if (last !== '+') chop(hunk.pre);
      if (last !== '-') chop(hunk.post);
      continue;
    }
    if (op === ' ') {
      hunk.pre.push(body);
      hunk.post.push(body);
      oldLeft--;
      newLeft--;
      if (seenChange) hunk.trailing++;
      else hunk.leading++;
    } else if (op === '-') {
      hunk.pre.push(body);
      oldLeft--;
      seenChange = true;
      hunk.trailing = 0;
    } else if (op === '+') {
      hunk.post.push(body);
      newLeft--;
      seenChange = true;
      hunk.trailing = 0;
    } else {
      throw new PatchParseError(`unexpected line in hunk ${header}`, i + 1);
    }
    if (oldLeft < 0 || newLeft < 0)
      throw new PatchParseError(`hunk ${header} is longer than it says`, i + 1);
    last = op;
  }
  if (oldLeft > 0 || newLeft > 0) throw new PatchParseError(`hunk ${header} is truncated`, i + 1);
  return { hunk, next: i };
}

function emptyPatch(): FilePatch {
  return {
    kind: 'modify',
    oldPath: undefined,
    newPath: undefined,
    oldMode: undefined,
    newMode: undefined,
    oldOid: undefined,
    newOid: undefined,
    hunks: [],
    binary: undefined,
  };
}

const EXTENDED: [RegExp, (fp: FilePatch, m: RegExpExecArray) => void][] = [
  [/^old mode (\d+)$/, (fp, m) => (fp.oldMode = m[1])],
  [/^new mode (\d+)$/, (fp, m) => (fp.newMode = m[1])],
  [
    /^deleted file mode (\d+)$/,
    (fp, m) => {
      fp.kind = 'delete';
      fp.oldMode = m[1];
    },
  ],
  [
    /^new file mode (\d+)$/,
    (fp, m) => {
      fp.kind = 'create';
      fp.newMode = m[1];
    },
  ],
  [
    /^(rename|copy) (from|to|old|new) (.*)$/,
    (fp, m) => {
      fp.kind = m[1] as 'rename' | 'copy';
      const name = readName(m[3]!, false);
      if (m[2] === 'from' || m[2] === 'old') fp.oldPath = name;
      else fp.newPath = name;
    },
  ],
  [
    /^index ([0-9a-f]+)\.\.([0-9a-f]+)(?: (\d+))?$/,
    (fp, m) => {
      fp.oldOid = m[1];
      fp.newOid = m[2];
      if (m[3]) fp.oldMode = fp.newMode = fp.oldMode ?? m[3];
    },
  ],
  [/^(dis)?similarity index \d+%$/, () => {}],
];

/** Reads one extended header line (`old mode`, `rename from`, `index`, ...) into `fp`. */
function readExtendedHeader(fp: FilePatch, line: string): boolean {
  for (const [re, apply] of EXTENDED) {
    const m = re.exec(line);
    if (m) {
      apply(fp, m);
      return true;
    }
  }
  return false;
}

/**
 * Parses every file of a git diff (as `git format-patch --binary` writes it, or a plain
 * unified diff with `a/`/`b/` prefixes). Text outside file sections, such as the diffstat
 * before and the signature after, is skipped.
 */
export function parsePatch(patch: Buffer): FilePatch[] {
  const lines = splitLines(patch);
  const files: FilePatch[] = [];
  let i = 0;
  while (i < lines.length) {
    const line = text(lines[i]!);
    const isGit = line.startsWith('diff --git ');
    const isTraditional =
      line.startsWith('--- ') && text(lines[i + 1] ?? Buffer.alloc(0)).startsWith('+++ ');
    if (!isGit && !isTraditional) {
      i++;
      continue;
    }
    const fp = emptyPatch();
    let names: [string, string] | undefined;
    if (isGit) {
      names = gitHeaderNames(line.slice(11));
      i++;
    }
    let sawMinus = false;
    for (; i < lines.length; i++) {
      const h = text(lines[i]!);
      if (h.startsWith('--- ')) {
        fp.oldPath = readName(h.slice(4), true);
        sawMinus = true;
      } else if (h.startsWith('+++ ') && sawMinus) fp.newPath = readName(h.slice(4), true);
      else if (!readExtendedHeader(fp, h)) break;
    }
    if (fp.kind === 'modify' || fp.kind === 'create' || fp.kind === 'delete') {
      if (!sawMinus && names) {
        fp.oldPath = fp.kind === 'create' ? undefined : names[0];
        fp.newPath = fp.kind === 'delete' ? undefined : names[1];
      }
      if (fp.kind === 'modify' && sawMinus) {
        if (fp.oldPath === undefined) fp.kind = 'create';
        else if (fp.newPath === undefined) fp.kind = 'delete';
      }
    }
    if (fp.oldPath === undefined && fp.newPath === undefined)
      throw new PatchParseError('git diff header lacks filename information', i);
    const h = text(lines[i] ?? Buffer.alloc(0));
    if (h === 'GIT binary patch') {
      const bin: string[] = [];
      for (i++; i < lines.length; i++) {
        const t = text(lines[i]!);
        bin.push(t);
        if (t === '' && bin.length > 1 && bin.filter((x) => x === '').length === 2) break;
        if (t === '' && !/^(literal|delta) /.test(text(lines[i + 1] ?? Buffer.alloc(0)))) break;
      }
      try {
        fp.binary = parseBinaryPatch(bin);
      } catch (e) {
        throw new PatchParseError((e as Error).message, i);
      }
    } else if (/^Binary files .* differ$/.test(h)) {
      fp.binary = 'no-data';
      i++;
    } else {
      while (i < lines.length) {
        const t = text(lines[i]!);
        if (!HUNK.test(t)) break;
        const { hunk, next } = parseHunk(lines, i, t);
        fp.hunks.push(hunk);
        i = next;
      }
    }
    files.push(fp);
  }
  return files;
}
