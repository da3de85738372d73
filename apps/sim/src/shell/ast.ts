/**
 * The syntax tree of the shell language: the POSIX grammar's simple commands, pipelines,
 * and-or lists and lists, without compound commands, functions or substitutions.
 *
 * @module
 */

/** Part of a word: literal text, or a parameter (`$?`) to expand. */
export type Segment =
  | { kind: 'lit'; text: string; quoted: boolean }
  | { kind: 'param'; name: string; quoted: boolean };

/** A word as written, before expansion; quoted parts are not globbed. */
export type Word = Segment[];

/** Redirection operators; `>&` and `<&` duplicate a descriptor when the target is a number. */
export type RedirOp = '<' | '>' | '>>' | '>|' | '<>' | '>&' | '<&';

export interface Redirect {
  /** The descriptor redirected (`2>` → 2); defaults to 0 for input, 1 for output. */
  fd: number;
  op: RedirOp;
  target: Word;
}

export interface SimpleCommand {
  words: Word[];
  redirects: Redirect[];
  /** Line of the script the command starts on (for `sh: 3: foo: not found`). */
  line: number;
}

export interface Pipeline {
  /** `! cmd`: the status is negated. */
  bang: boolean;
  commands: SimpleCommand[];
}

export interface AndOr {
  first: Pipeline;
  rest: { op: '&&' | '||'; pipeline: Pipeline }[];
  /** Ended by `&`: runs as a background job while the shell goes on. */
  background?: boolean;
}

/** One complete command: the and-or lists of a line, run in order. */
export type List = AndOr[];
