/**
 * The shell's parser: the POSIX grammar restricted to simple commands, `!` pipelines,
 * `&&`/`||` lists and `;`/`&`/newline separated lists (`&` makes a background job). Reads one complete command at a time.
 *
 * @module
 */

import type { AndOr, List, Pipeline, Redirect, SimpleCommand, Word } from './ast.js';
import { ShellSyntaxError, type Token, tokenize } from './lexer.js';

function describe(token: Token): string {
  switch (token.type) {
    case 'eof':
      return 'end of file';
    case 'op':
      return token.op === '\n' ? 'newline' : `"${token.op}"`;
    case 'redir':
      return `"${token.op}"`;
    case 'word':
      return `"${token.word.map((s) => (s.kind === 'lit' ? s.text : `$${s.name}`)).join('')}"`;
  }
}

function isBang(word: Word): boolean {
  return word.length === 1 && word[0]!.kind === 'lit' && !word[0]!.quoted && word[0]!.text === '!';
}

/**
 * Parses a script one complete command at a time:
 *
 * ```ts ignore
 * const parser = new Parser('echo a; echo b\nfalse || echo c');
 * parser.next(); // the list of line 1
 * ```
 */
export class Parser {
  readonly #tokens: Generator<Token, void, undefined>;
  #peeked: Token | undefined;

  constructor(source: string, line = 1) {
    this.#tokens = tokenize(source, line);
  }

  #peek(): Token {
    if (this.#peeked === undefined) {
      const { value } = this.#tokens.next();
      this.#peeked = value ?? { type: 'eof', line: 0 };
    }
    return this.#peeked;
  }

  #take(): Token {
    const t = this.#peek();
    if (t.type !== 'eof') this.#peeked = undefined;
    return t;
  }

  #unexpected(token: Token): never {
    throw new ShellSyntaxError(`Syntax error: ${describe(token)} unexpected`, token.line);
  }

  #isOp(op: string): boolean {
    const t = this.#peek();
    return t.type === 'op' && t.op === op;
  }

  #linebreak(): void {
    while (this.#isOp('\n')) this.#take();
  }

  /**
   * The next complete command (the lists up to a newline or the end), `[]` for an empty
   * line, or `undefined` at the end of the script.
   */
  next(): List | undefined {
    const first = this.#peek();
    if (first.type === 'eof') return undefined;
    const list: List = [];
    for (;;) {
      const t = this.#peek();
      if (t.type === 'eof') break;
      if (t.type === 'op' && t.op === '\n') {
        this.#take();
        break;
      }
      const andOr = this.#andOr();
      list.push(andOr);
      const sep = this.#peek();
      if (sep.type === 'op' && sep.op === ';') {
        this.#take();
      } else if (sep.type === 'op' && sep.op === '&') {
        this.#take();
        andOr.background = true;
      } else if (!(sep.type === 'eof' || (sep.type === 'op' && sep.op === '\n'))) {
        this.#unexpected(sep);
      }
    }
    return list;
  }

  #andOr(): AndOr {
    const first = this.#pipeline();
    const rest: AndOr['rest'] = [];
    for (;;) {
      const t = this.#peek();
      if (t.type !== 'op' || (t.op !== '&&' && t.op !== '||')) break;
      this.#take();
      this.#linebreak();
      rest.push({ op: t.op, pipeline: this.#pipeline() });
    }
    return { first, rest };
  }

  #pipeline(): Pipeline {
    let bang = false;
    const t = this.#peek();
    if (t.type === 'word' && isBang(t.word)) {
      this.#take();
      bang = true;
    }
    const commands = [this.#command()];
    while (this.#isOp('|')) {
      this.#take();
      this.#linebreak();
      commands.push(this.#command());
    }
    return { bang, commands };
  }

  #command(): SimpleCommand {
    const words: Word[] = [];
    const redirects: Redirect[] = [];
    const line = this.#peek().line;
    for (;;) {
      const t = this.#peek();
      if (t.type === 'word') {
        this.#take();
        words.push(t.word);
      } else if (t.type === 'redir') {
        this.#take();
        const target = this.#take();
        if (target.type !== 'word') this.#unexpected(target);
        const fd = t.fd ?? (t.op === '<' || t.op === '<&' || t.op === '<>' ? 0 : 1);
        redirects.push({ fd, op: t.op, target: target.word });
      } else {
        break;
      }
    }
    if (words.length === 0 && redirects.length === 0) this.#unexpected(this.#peek());
    return { words, redirects, line };
  }
}
