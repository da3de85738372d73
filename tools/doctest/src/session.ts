import { readFileSync } from 'node:fs';
import { CheckerThread } from './checker.js';
import { displayPath } from './discover.js';
import type { Example } from './example.js';
import { extractMarkdown } from './extract-markdown.js';
import { extractTsdoc } from './extract-tsdoc.js';
import { compileExample, type ExampleModule } from './transform.js';
import { type Diagnostic, exampleFileName } from './typecheck.js';

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
  readonly #checker: CheckerThread;
  #diagnostics: Promise<Map<string, Diagnostic[]>> | undefined;
  /** Counts the document sets checked, so a document's diagnostics module changes with them. */
  #generation = 0;

  constructor(root: string, files: readonly string[]) {
    this.root = root;
    this.#checker = new CheckerThread(root);
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
    this.#generation++;
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

  get generation(): number {
    return this.#generation;
  }

  /**
   * Starts the one type-check that covers every document, if it is not under way. It runs on
   * its own thread; the examples' tests wait for its answer only when they need it.
   */
  startCheck(): Promise<Map<string, Diagnostic[]>> {
    this.#diagnostics ??= this.#checker.check(
      [...this.#documents.values()].flatMap((d) => d.examples),
    );
    return this.#diagnostics;
  }

  /** The type errors of each example of a document, in the order of its examples. */
  async diagnostics(doc: Document): Promise<Diagnostic[][]> {
    const all = await this.startCheck();
    return doc.examples.map(({ example }) => all.get(exampleFileName(example)) ?? []);
  }
}
