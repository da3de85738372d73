/**
 * Pathname expansion (POSIX "Pattern Matching Notation"): `*`, `?` and bracket expressions
 * in unquoted parts of a word, matched against the directories of the simulated
 * filesystem. A pattern that matches nothing stays as written, as in sh.
 *
 * @module
 */

/** One character of a pattern; a quoted one only matches itself. */
export interface PatChar {
  ch: string;
  quoted: boolean;
}

/** Whether the pattern has a character that makes it a glob. */
export function hasGlob(pattern: readonly PatChar[]): boolean {
  return pattern.some((p) => !p.quoted && (p.ch === '*' || p.ch === '?' || p.ch === '['));
}

/** Matches a bracket expression starting at `p[i]` (the `[`); undefined if it is not one. */
function bracket(
  p: readonly PatChar[],
  i: number,
  c: string,
): { matched: boolean; end: number } | undefined {
  let j = i + 1;
  let negate = false;
  if (j < p.length && !p[j]!.quoted && (p[j]!.ch === '!' || p[j]!.ch === '^')) {
    negate = true;
    j++;
  }
  let matched = false;
  let first = true;
  while (j < p.length) {
    const x = p[j]!;
    if (x.ch === ']' && !x.quoted && !first) {
      return { matched: matched !== negate, end: j + 1 };
    }
    first = false;
    const dash = p[j + 1];
    const hi = p[j + 2];
    if (dash?.ch === '-' && !dash.quoted && hi !== undefined && !(hi.ch === ']' && !hi.quoted)) {
      if (x.ch <= c && c <= hi.ch) matched = true;
      j += 3;
    } else {
      if (x.ch === c) matched = true;
      j++;
    }
  }
  return undefined;
}

/** Whether `name` matches the whole pattern. A leading `.` must be matched explicitly. */
export function fnmatch(p: readonly PatChar[], name: string): boolean {
  if (name.startsWith('.') && !(p[0]?.ch === '.')) return false;
  const match = (pi: number, ni: number): boolean => {
    while (pi < p.length) {
      const x = p[pi]!;
      if (!x.quoted && x.ch === '*') {
        for (let k = ni; k <= name.length; k++) if (match(pi + 1, k)) return true;
        return false;
      }
      if (ni >= name.length) return false;
      const c = name[ni]!;
      if (!x.quoted && x.ch === '?') {
        pi++;
        ni++;
        continue;
      }
      if (!x.quoted && x.ch === '[') {
        const b = bracket(p, pi, c);
        if (b !== undefined) {
          if (!b.matched) return false;
          pi = b.end;
          ni++;
          continue;
        }
      }
      if (x.ch !== c) return false;
      pi++;
      ni++;
    }
    return ni === name.length;
  };
  return match(0, 0);
}

/**
 * Expands a pattern into the sorted paths that match it, reading directories with
 * `readdir` (undefined for what is not a readable directory) and checking the literal
 * components that follow a glob with `exists`.
 */
export async function glob(
  pattern: readonly PatChar[],
  readdir: (dir: string) => Promise<string[] | undefined>,
  exists: (path: string) => Promise<boolean>,
): Promise<string[]> {
  const components: PatChar[][] = [[]];
  for (const c of pattern) {
    if (c.ch === '/') components.push([]);
    else components[components.length - 1]!.push(c);
  }
  let paths = [''];
  let globbed = false;
  let check = false;
  for (const comp of components) {
    const next: string[] = [];
    for (const base of paths) {
      const join = (name: string) =>
        base === '' || base.endsWith('/') ? base + name : `${base}/${name}`;
      if (!hasGlob(comp)) {
        next.push(join(comp.map((c) => c.ch).join('')) || '/');
        if (globbed) check = true;
        continue;
      }
      globbed = true;
      const names = await readdir(base === '' ? '.' : base);
      if (names === undefined) continue;
      for (const name of names.sort()) if (fnmatch(comp, name)) next.push(join(name));
    }
    paths = next;
    if (paths.length === 0) break;
  }
  if (!check) return paths;
  const found: string[] = [];
  for (const p of paths) if (await exists(p)) found.push(p);
  return found;
}
