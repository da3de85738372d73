/** Where an example comes from: a Markdown fence or a TSDoc `@example` block. */
export type ExampleSource = 'markdown' | 'tsdoc';

/** The attributes of a fence's info string, as rustdoc knows them. */
export interface Attributes {
  /** Neither compiled nor run. */
  ignore: boolean;
  /** Type-checked, never run. */
  noRun: boolean;
  /**
   * The example must throw. `true` accepts any exception; `{ errno }` requires an error whose
   * `code` is that errno name; `{ text }` requires the message to contain the text.
   */
  shouldThrow: boolean | { errno: string } | { text: string };
  /** The example must fail type-checking, with the given `TS` code when one is named. */
  compileFail: boolean | { code: number };
  /** A name that replaces the item in the test name. */
  name?: string;
  /** Attributes the runner does not know; an example with any fails rather than run wrongly. */
  unknown: string[];
}

/** One line of an example as written in its document. */
export interface SourceLine {
  /** The text after the comment prefix and the fence's indentation. */
  text: string;
  /** 1-based line in the document. */
  line: number;
  /** 0-based column in the document where `text` starts. */
  column: number;
}

/** One runnable example, with everything needed to compile, run and report it. */
export interface Example {
  /** Absolute path of the document. */
  file: string;
  /** Path relative to the workspace root, as reported. */
  path: string;
  source: ExampleSource;
  /** The symbol (TSDoc) or the nearest heading (Markdown). */
  item: string;
  /** 1-based line of the opening fence. */
  line: number;
  /** 0-based column of the opening fence. */
  column: number;
  /** Index of the example within its document, from 0. */
  index: number;
  attributes: Attributes;
  lines: SourceLine[];
}

/** The test name: `<path> - <item> (line N)`, as rustdoc names its doctests. */
export function testName(example: Example): string {
  return `${example.path} - ${example.attributes.name ?? example.item} (line ${example.line})`;
}

/** The code as written, hidden lines included and unmarked. */
export function exampleCode(example: Example): string {
  return example.lines.map((l) => l.text).join('\n');
}
