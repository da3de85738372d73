/**
 * The shell's tokenizer (POSIX "Token Recognition"): words with their quoting kept, operators,
 * and redirections with their descriptor number (`2>`), comments dropped.
 *
 * @module
 */

import type { RedirOp, Segment, Word } from './ast.js';

export type Token =
  | { type: 'word'; word: Word; line: number }
  | { type: 'op'; op: ';' | ';;' | '&' | '&&' | '|' | '||' | '(' | ')' | '\n'; line: number }
  | { type: 'redir'; op: RedirOp; fd: number | undefined; line: number }
  | { type: 'eof'; line: number };

/** A syntax error, worded as dash words it (`Syntax error: "|" unexpected`). */
export class ShellSyntaxError extends Error {
  readonly line: number;
  constructor(message: string, line: number) {
    super(message);
    this.name = 'ShellSyntaxError';
    this.line = line;
  }
}

const OPERATORS = [
  '&&',
  '||',
  ';;',
  '>>',
  '>|',
  '<>',
  '>&',
  '<&',
  ';',
  '&',
  '|',
  '<',
  '>',
  '(',
  ')',
  '\n',
];
const SPECIAL_PARAMS = '?$#!0123456789@*-';

function isNameChar(c: string | undefined, first: boolean): boolean {
  if (c === undefined) return false;
  return /[A-Za-z_]/.test(c) || (!first && /[0-9]/.test(c));
}

/**
 * Splits `source` into tokens, starting at line `line`. Lazily: like dash, the shell runs
 * each complete command before it reads the next, so an error further on does not stop the
 * commands before it.
 */
export function* tokenize(source: string, line = 1): Generator<Token, void, undefined> {
  let i = 0;
  while (i < source.length) {
    const c = source[i]!;
    if (c === ' ' || c === '\t') {
      i++;
      continue;
    }
    if (c === '\\' && source[i + 1] === '\n') {
      i += 2;
      line++;
      continue;
    }
    if (c === '#') {
      while (i < source.length && source[i] !== '\n') i++;
      continue;
    }
    const op = OPERATORS.find((o) => source.startsWith(o, i));
    if (op !== undefined) {
      if (op === '<' || op === '>' || (op.length === 2 && /[<>]/.test(op[0]!))) {
        yield { type: 'redir', op: op as RedirOp, fd: undefined, line };
      } else {
        yield { type: 'op', op: op as ';', line };
      }
      i += op.length;
      if (op === '\n') line++;
      continue;
    }
    const start = line;
    const { word, end, lines } = readWord(source, i, line);
    i = end;
    line += lines;
    const next = source[i];
    const only = word.length === 1 ? word[0] : undefined;
    const fd =
      only?.kind === 'lit' && !only.quoted && /^\d+$/.test(only.text) ? only.text : undefined;
    if (fd !== undefined && (next === '<' || next === '>')) {
      const op = OPERATORS.find((o) => source.startsWith(o, i) && /[<>]/.test(o[0]!))!;
      yield { type: 'redir', op: op as RedirOp, fd: Number(fd), line: start };
      i += op.length;
      continue;
    }
    yield { type: 'word', word, line: start };
  }
  yield { type: 'eof', line };
}

/** Reads one word from `i`: up to an unquoted blank or operator character. */
function readWord(
  source: string,
  i: number,
  line: number,
): { word: Word; end: number; lines: number } {
  const word: Segment[] = [];
  let lines = 0;
  const lit = (text: string, quoted: boolean) => {
    const last = word[word.length - 1];
    if (last?.kind === 'lit' && last.quoted === quoted) last.text += text;
    else word.push({ kind: 'lit', text, quoted });
  };
  const dollar = (quoted: boolean): void => {
    const n = source[i + 1];
    if (n === '{') {
      const close = source.indexOf('}', i + 2);
      if (close < 0) throw new ShellSyntaxError("Syntax error: Missing '}'", line + lines);
      word.push({ kind: 'param', name: source.slice(i + 2, close), quoted });
      i = close + 1;
    } else if (n === '(') {
      throw new ShellSyntaxError('command substitution is not supported', line + lines);
    } else if (n !== undefined && SPECIAL_PARAMS.includes(n)) {
      word.push({ kind: 'param', name: n, quoted });
      i += 2;
    } else if (isNameChar(n, true)) {
      let j = i + 1;
      while (isNameChar(source[j], false)) j++;
      word.push({ kind: 'param', name: source.slice(i + 1, j), quoted });
      i = j;
    } else {
      lit('$', quoted);
      i++;
    }
  };
  while (i < source.length) {
    const c = source[i]!;
    if (c === ' ' || c === '\t' || c === '\n' || ';&|<>()'.includes(c)) break;
    if (c === '\\') {
      const n = source[i + 1];
      if (n === undefined) {
        lit('\\', false);
        i++;
      } else if (n === '\n') {
        lines++;
        i += 2;
      } else {
        lit(n, true);
        i += 2;
      }
    } else if (c === "'") {
      const close = source.indexOf("'", i + 1);
      if (close < 0)
        throw new ShellSyntaxError('Syntax error: Unterminated quoted string', line + lines);
      const text = source.slice(i + 1, close);
      lines += text.split('\n').length - 1;
      lit(text, true);
      i = close + 1;
    } else if (c === '"') {
      i++;
      // An empty "" still makes a (quoted, empty) word.
      lit('', true);
      for (;;) {
        const d = source[i];
        if (d === undefined)
          throw new ShellSyntaxError('Syntax error: Unterminated quoted string', line + lines);
        if (d === '"') {
          i++;
          break;
        }
        if (d === '\\' && '$`"\\\n'.includes(source[i + 1] ?? '')) {
          if (source[i + 1] === '\n') lines++;
          else lit(source[i + 1]!, true);
          i += 2;
        } else if (d === '$') {
          dollar(true);
        } else if (d === '`') {
          throw new ShellSyntaxError('command substitution is not supported', line + lines);
        } else {
          if (d === '\n') lines++;
          lit(d, true);
          i++;
        }
      }
    } else if (c === '$') {
      dollar(false);
    } else if (c === '`') {
      throw new ShellSyntaxError('command substitution is not supported', line + lines);
    } else {
      lit(c, false);
      i++;
    }
  }
  return { word, end: i, lines };
}
