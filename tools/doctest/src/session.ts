import { readFileSync } from 'node:fs';
import { displayPath } from './discover.js';
import type { Example } from './example.js';
import { extractMarkdown } from './extract-markdown.js';
import { extractTsdoc } from './extract-tsdoc.js';
import { compileExample, type ExampleModule } from './transform.js';
import { BatchChecker, type Diagnostic, exampleFileName } from './typecheck.js';

/** The examples of one document, compiled. */
export interface Document {
  file: string;
  text: string;
  examples: { example: Example; module: ExampleModule }[];
}

/** Extracts the examples of a document from its text. */
export function extractExamples(root: string, file: string, text: string): Example[] {
  const path = displayPath(root, file);
  return file.endsWith('.md') ? extractMarkdown(file, path, text) : extractTsdoc(file, path, text);
}

/**
 * The set of documents under test and the one type-check that covers them all. Documents are
 * re-read when their text changes; the batch is re-checked only when something changed.
 */
export class DoctestSession {
  readonly root: string;
  readonly #documents = new Map<string, Document>();
  readonly #checker: BatchChecker;
  #diagnostics: Map<string, Diagnostic[]> | undefined;

  constructor(root: string, files: readonly string[]) {
    this.root = root;
    this.#checker = new BatchChecker(root);
    for (const file of files) this.update(file, readFileSync(file, 'utf8'));
  }

  get files(): string[] {
    return [...this.#documents.keys()];
  }

  /** Records a document's current text; returns its examples. */
  update(file: string, text: string): Document {
    const known = this.#documents.get(file);
    if (known && known.text === text) return known;
    const examples = extractExamples(this.root, file, text).map((example) => ({
      example,
      module: compileExample(example),
    }));
    const doc = { file, text, examples };
    this.#documents.set(file, doc);
    this.#diagnostics = undefined;
    return doc;
  }

  document(file: string): Document | undefined {
    return this.#documents.get(file);
  }

  /** Finds a compiled example by its virtual module name. */
  exampleAt(
    virtualName: string,
  ): { doc: Document; entry: Document['examples'][number] } | undefined {
    const m = /^(.*)\.doctest-(\d+)\.ts$/.exec(virtualName);
    const doc = m && this.#documents.get(m[1]!);
    const entry = doc?.examples[Number(m![2])];
    return doc && entry ? { doc, entry } : undefined;
  }

  /** The type errors of an example, from one check of every document in the session. */
  diagnostics(example: Example): Diagnostic[] {
    this.#diagnostics ??= this.#checker.check(
      [...this.#documents.values()].flatMap((d) => d.examples),
    );
    return this.#diagnostics.get(exampleFileName(example)) ?? [];
  }
}
