import { createHash } from 'node:crypto';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Plugin } from 'vite';
import type { TestProjectInlineConfiguration } from 'vitest/config';
import { defaultDocuments, displayPath, documentsAt, findRoot } from './discover.js';
import { testName } from './example.js';
import type { ExampleMeta } from './runtime.js';
import { DoctestSession, type Document } from './session.js';
import { sourceMap } from './transform.js';

/** The default per-example timeout, as the issue of this tool asks: ten seconds. */
export const DEFAULT_TIMEOUT_MS = 10_000;

/**
 * How long a test may wait, beyond its example's own timeout, for the one type-check of all
 * documents that its result depends on. The example's run is timed by the runtime; this is
 * only vitest's outer limit, so that a slow type-check (a large repository, a loaded machine)
 * does not fail whichever example happened to be first.
 */
export const TYPECHECK_GRACE_MS = 300_000;

/**
 * How the examples' workers run. Every example is its own ES module, but the documents share
 * worker threads, as rustdoc 2024 runs merged doctests in one process: starting a fresh worker
 * per document costs more than all its examples together. An example must therefore not rely
 * on state another example left behind.
 */
export const WORKER_OPTIONS = { pool: 'threads', isolate: false } as const;

const RUNTIME = fileURLToPath(new URL('./runtime.js', import.meta.url));
const VIRTUAL = /\.doctest-\d+\.ts$/;
const DIAGNOSTICS = /\.doctest-diagnostics\.js$/;
/** The packages a module imports statically: bare specifiers of `import … from` and `import '…'`. */
const PACKAGE_IMPORT = /^\s*(?:import|export)\b[^'"]*?['"]([^'"./][^'"]*)['"]/gm;

/**
 * The packages an example imports, loaded before its timed run: the first example of a
 * worker pays for loading a package (and, under vitest, transforming it), which on a loaded
 * machine can take longer than any example's own work. Type-only imports are left out.
 */
export function packagesOf(code: string): string[] {
  const found = new Set<string>();
  for (const match of code.matchAll(PACKAGE_IMPORT)) {
    if (/^\s*(?:import|export)\s+type\b/.test(match[0])) continue;
    found.add(match[1]!);
  }
  return [...found];
}

/** Options shared by the vitest project and the CLI. */
export interface DoctestOptions {
  /** The workspace root; found from the current directory when absent. */
  root?: string;
  /** Files or directories to take documents from; the default places when absent. */
  paths?: readonly string[];
  /** Per-example timeout in milliseconds. */
  timeout?: number;
}

/** Opens a session over the documents the options name and starts type-checking them. */
export function openSession(options: DoctestOptions = {}): DoctestSession {
  const root = options.root ?? findRoot(process.cwd());
  const files = options.paths?.length
    ? documentsAt(options.paths, process.cwd())
    : defaultDocuments(root);
  return new DoctestSession(root, files);
}

/**
 * The test module of a document: one vitest test per example, each importing the example as
 * its own module. It is a single line, so no frame of it can be taken for an example's line.
 */
function testModule(doc: Document, generation: number, timeout: number): string {
  const base = `./${doc.file.slice(dirname(doc.file).length + 1)}`;
  const parts = [
    `import { test } from 'vitest';`,
    `import { runExample } from ${JSON.stringify(RUNTIME)};`,
    `const diagnostics = () => import(${JSON.stringify(`${base}.doctest-diagnostics.js?v=${generation}`)});`,
  ];
  for (const { example, module } of doc.examples) {
    const name = JSON.stringify(testName(example));
    if (example.attributes.ignore) {
      parts.push(`test(${name}, { skip: true }, () => {});`);
      continue;
    }
    const meta: ExampleMeta = {
      file: example.file,
      path: example.path,
      item: example.attributes.name ?? example.item,
      index: example.index,
      line: example.line,
      column: example.column,
      lastLine: example.line + example.lines.length,
      attributes: example.attributes,
      timeout,
    };
    const hash = createHash('sha1').update(module.code).digest('hex').slice(0, 8);
    const specifier = JSON.stringify(`${base}.doctest-${example.index}.ts?v=${hash}`);
    const warm = packagesOf(module.code)
      .map((spec) => `import(${JSON.stringify(spec)})`)
      .join(', ');
    parts.push(
      `test(${name}, () => runExample(${JSON.stringify(meta)}, () => import(${specifier}), diagnostics, () => Promise.all([${warm}])), ${timeout + TYPECHECK_GRACE_MS});`,
    );
  }
  return parts.join(' ');
}

/**
 * The Vite plugin that makes documents test files: a document becomes its test module, and
 * each example a virtual TypeScript module whose source map points into the document.
 */
export function doctestPlugin(session: DoctestSession, timeout = DEFAULT_TIMEOUT_MS): Plugin {
  return {
    name: 'rfl-doctest',
    enforce: 'pre',
    resolveId(source, importer) {
      const [path = '', query] = source.split('?');
      if (!importer || !(VIRTUAL.test(path) || DIAGNOSTICS.test(path))) return null;
      const id = resolve(dirname(importer.split('?')[0]!), path);
      return query ? `${id}?${query}` : id;
    },
    async load(id) {
      const path = id.split('?')[0]!;
      if (DIAGNOSTICS.test(path)) {
        const doc = session.document(path.replace(DIAGNOSTICS, ''));
        return doc ? `export default ${JSON.stringify(await session.diagnostics(doc))};` : null;
      }
      const hit = session.exampleAt(path);
      if (!hit) return null;
      const { doc, entry } = hit;
      return { code: entry.module.code, map: sourceMap(entry.module, entry.example, doc.text) };
    },
    transform(code, id) {
      const file = id.split('?')[0]!;
      if (VIRTUAL.test(file) || DIAGNOSTICS.test(file) || !session.document(file)) return null;
      const doc = session.update(file, code);
      session.startCheck();
      return { code: testModule(doc, session.generation, timeout), map: { mappings: '' } };
    },
  };
}

/**
 * The vitest project that runs the doctests, for a workspace's `vitest.config.ts`:
 *
 * ```ts ignore
 * import { doctestProject } from '@rfl/doctest/vitest';
 * export default defineConfig({ test: { projects: [doctestProject()] } });
 * ```
 */
export function doctestProject(options: DoctestOptions = {}): TestProjectInlineConfiguration {
  const session = openSession(options);
  const timeout = options.timeout ?? DEFAULT_TIMEOUT_MS;
  return {
    plugins: [doctestPlugin(session, timeout)],
    test: {
      name: 'doctest',
      root: session.root,
      include: session.files.map((f) => displayPath(session.root, f)),
      testTimeout: timeout + TYPECHECK_GRACE_MS,
      ...WORKER_OPTIONS,
    },
  };
}
