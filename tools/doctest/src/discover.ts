import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';

const SKIP_DIRS = new Set(['node_modules', 'dist', '.git', '.turbo', 'site', 'coverage']);

/** The workspace root: the nearest directory above `from` with a `pnpm-workspace.yaml`. */
export function findRoot(from: string): string {
  for (let dir = resolve(from); ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'pnpm-workspace.yaml'))) return dir;
    if (dirname(dir) === dir) return resolve(from);
  }
}

/** The kinds of file that hold examples: Markdown documents and TypeScript sources. */
function isDocument(file: string): boolean {
  if (file.endsWith('.md')) return true;
  return (
    file.endsWith('.ts') &&
    !file.endsWith('.d.ts') &&
    !file.endsWith('.test.ts') &&
    !/\.doctest-\d+\.ts$/.test(file)
  );
}

function* walk(dir: string): Generator<string> {
  let entries: string[];
  try {
    entries = readdirSync(dir);
  } catch {
    return;
  }
  for (const name of entries.sort()) {
    if (SKIP_DIRS.has(name) || name.startsWith('.')) continue;
    const full = join(dir, name);
    const stat = statSync(full);
    if (stat.isDirectory()) yield* walk(full);
    else if (isDocument(full)) yield full;
  }
}

/** True when a source file may hold an example: cheap to ask before parsing it. */
export function mayHoldExamples(file: string): boolean {
  const text = readFileSync(file, 'utf8');
  return file.endsWith('.md')
    ? /^\s*(```|~~~)\s*(ts|typescript)\b/im.test(text)
    : text.includes('@example');
}

/**
 * The documents under the default places: `specs/`, the `spec/` folders of packages and
 * tools, and the sources of packages (for their TSDoc examples).
 */
export function defaultDocuments(root: string): string[] {
  const found: string[] = [...walk(join(root, 'specs'))];
  for (const group of ['packages', 'tools']) {
    for (const pkg of readdirSafe(join(root, group))) {
      found.push(...[...walk(join(root, group, pkg, 'spec'))].filter((f) => f.endsWith('.md')));
      if (group === 'packages') {
        found.push(...[...walk(join(root, group, pkg, 'src'))].filter((f) => f.endsWith('.ts')));
      }
    }
  }
  return found.filter(mayHoldExamples);
}

function readdirSafe(dir: string): string[] {
  try {
    return readdirSync(dir).sort();
  } catch {
    return [];
  }
}

/** The documents a user named: files as given, directories walked for documents. */
export function documentsAt(paths: readonly string[], cwd: string): string[] {
  const found = new Set<string>();
  for (const p of paths) {
    const full = resolve(cwd, p);
    if (!existsSync(full)) throw new Error(`${p}: no such file or directory`);
    if (statSync(full).isDirectory()) for (const f of walk(full)) found.add(f);
    else found.add(full);
  }
  return [...found].filter(mayHoldExamples);
}

/** A path relative to the root, with forward slashes, as test names show it. */
export function displayPath(root: string, file: string): string {
  return relative(root, file).split(sep).join('/');
}
